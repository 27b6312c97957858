using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine.FanOut;

namespace ZohoCrmEmails.Module;

public abstract partial class ZcrmArchiveCmdletBase
{
    /// <summary>
    /// The archive cmdlets' two stages. What each e-mail yields is found concurrently (the e-mail read in full, or its
    /// attachments); on the pipeline thread, in input order, the command takes each found item (skips it, reserves its
    /// file name, asks ShouldProcess) and may hand it to the writes, which run concurrently too; files come out in
    /// input order. Names are taken in input order, not as reads finish, so which of two same-named files gets " (2)"
    /// never depends on timing. Both stages draw on one request cap.
    /// </summary>
    /// <typeparam name="TFound">What finding yields for an e-mail.</typeparam>
    /// <typeparam name="TWrite">One file to write.</typeparam>
    protected sealed class ArchiveStages<TFound, TWrite> : IDisposable
    {
        private readonly ZcrmArchiveCmdletBase _cmdlet;
        private readonly OrderedFanOut<(EmailArchiver Archiver, EmailRequest Email), TFound> _finds;
        private readonly OrderedFanOut<(EmailArchiver Archiver, TWrite Write), FileInfo?> _writes;
        private readonly Action<EmailArchiver, TFound> _take;
        private readonly Func<TWrite, (object Target, string Item)> _describe;
        private readonly Action<EmailArchiver, TWrite, FileInfo?> _written;

        /// <param name="cmdlet">The command whose results, errors and progress these are.</param>
        /// <param name="find">What an e-mail yields, as pages.</param>
        /// <param name="take">On the pipeline thread: one found item; calls <see cref="Write"/> for a file to write.</param>
        /// <param name="write">Writes one file; null when another run archived it meanwhile.</param>
        /// <param name="describe">A failed write's TargetObject and the item its message names.</param>
        /// <param name="written">On the pipeline thread: the file written.</param>
        public ArchiveStages(ZcrmArchiveCmdletBase cmdlet, PageSource<(EmailArchiver Archiver, EmailRequest Email), TFound> find,
            Action<EmailArchiver, TFound> take, Func<EmailArchiver, TWrite, CancellationToken, Task<FileInfo?>> write,
            Func<TWrite, (object Target, string Item)> describe, Action<EmailArchiver, TWrite, FileInfo?> written)
        {
            _cmdlet = cmdlet;
            _take = take;
            _describe = describe;
            _written = written;
            _finds = new(cmdlet.ItemsAtOnce, find, cmdlet.CancelToken);
            _writes = new(cmdlet.ItemsAtOnce, (w, ct) => Pages.OneItem(() => write(w.Archiver, w.Write, ct)), cmdlet.CancelToken);
        }

        /// <summary>Starts finding what <paramref name="request"/> yields, and hands out what is ready.</summary>
        public void Find(EmailArchiver archiver, EmailRequest request) => DrainFinds(_finds.Add((archiver, request)));

        /// <summary>Starts writing one file (called from <c>take</c>), and hands out what is ready.</summary>
        public void Write(EmailArchiver archiver, TWrite write) => DrainWrites(_writes.Add((archiver, write)));

        /// <summary>Waits for everything still held, in input order.</summary>
        public void Complete()
        {
            DrainFinds(_finds.Complete());
            DrainWrites(_writes.Complete());
        }

        private void DrainFinds(IEnumerable<FanOutResult<(EmailArchiver Archiver, EmailRequest Email), TFound>> results) =>
            _cmdlet.Drain(results, f => ErrorRecords.Target(f.Email), f => ErrorRecords.Describe(f.Email),
                (f, found) => _take(f.Archiver, found));

        private void DrainWrites(IEnumerable<FanOutResult<(EmailArchiver Archiver, TWrite Write), FileInfo?>> results) =>
            _cmdlet.Drain(results, w => _describe(w.Write).Target, w => _describe(w.Write).Item, (w, file) => _written(w.Archiver, w.Write, file));

        public void Dispose()
        {
            _finds.Dispose();
            _writes.Dispose();
        }
    }
}
