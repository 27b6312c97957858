using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Module;

public abstract partial class ZcrmArchiveCmdletBase
{
    /// <summary>What <see cref="ArchiveFlow{TFound,TWrite}.Admit"/> decided for an e-mail.</summary>
    protected enum Admission
    {
        /// <summary>Find what it yields and write it.</summary>
        Proceed,
        /// <summary>Archived already (or earlier in this run): nothing to do, and nothing missing.</summary>
        Archived,
        /// <summary>Not archived, by choice (-Confirm answered no): its record is not finished.</summary>
        Declined,
    }

    /// <summary>One e-mail going through the flow, and whether all it yields was archived.</summary>
    protected sealed class ArchiveItem(EmailArchiver archiver, EmailRequest email, RecordTracker? record)
    {
        public EmailArchiver Archiver { get; } = archiver;
        public EmailRequest Email { get; } = email;
        public RecordTracker? Record { get; } = record;
        // Work not yet handed out: the finding, then each file to write.
        internal int Outstanding = 1;
        internal bool Unfinished;
    }

    /// <summary>
    /// A record whose e-mails the flow lists and archives: finished when its listing and every e-mail it listed have
    /// ended, and finished whole when none of them failed or was declined.
    /// </summary>
    protected sealed class RecordTracker(string module, string recordId, Action<RecordTracker>? ended)
    {
        public string Module { get; } = module;
        public string RecordId { get; } = recordId;
        /// <summary>True once it ended with every e-mail archived.</summary>
        public bool Whole => _outstanding == 0 && !_unfinished;
        // The listing, then each e-mail listed.
        private int _outstanding = 1;
        private bool _unfinished;

        internal void Add() => _outstanding++;

        /// <summary>A part of its listing failed (a mailbox that refused): not finished whole, whatever else comes.</summary>
        internal void MarkUnfinished() => _unfinished = true;

        internal void End(bool unfinished)
        {
            _unfinished |= unfinished;
            if (--_outstanding == 0) ended?.Invoke(this);
        }
    }

    /// <summary>
    /// The archive cmdlets' flow, top to bottom, each stage working concurrently and handing out in input order on the
    /// pipeline thread:
    /// <list type="number">
    /// <item>records (piped, or found by a sweep) are listed: their e-mails come out in order;</item>
    /// <item>each e-mail (listed, piped or given by id) is admitted (<see cref="Admit"/>: skipped when archived, or
    /// confirmed), and what it yields is found (<see cref="FindAsync"/>: the e-mail read in full, its attachments);</item>
    /// <item>each found item is taken (<see cref="Take"/>: its file's name reserved, in input order, so that which of
    /// two same-named files gets " (2)" never depends on timing) and handed to <see cref="Write"/>;</item>
    /// <item>files are written (<see cref="WriteAsync"/>) and come out (<see cref="Written"/>) in input order.</item>
    /// </list>
    /// Requests at once are capped by -ThrottleLimit and the connection across all stages.
    /// </summary>
    /// <typeparam name="TFound">What finding yields for an e-mail.</typeparam>
    /// <typeparam name="TWrite">One file to write.</typeparam>
    protected abstract class ArchiveFlow<TFound, TWrite> : IArchiveFlow
    {
        private readonly OrderedFanOut<(EmailArchiver Archiver, RecordTracker Record), ZcrmEmail> _listings;
        private readonly OrderedFanOut<ArchiveItem, TFound> _finds;
        private readonly OrderedFanOut<(ArchiveItem Item, TWrite Write), FileInfo?> _writes;

        protected ArchiveFlow(ZcrmArchiveCmdletBase cmdlet)
        {
            Cmdlet = cmdlet;
            _listings = new(cmdlet.Throttle,
                (r, _) => cmdlet._client.GetEmailPages(r.Record.Module, r.Record.RecordId, null, false, cmdlet._context, cmdlet.AllMailboxes),
                cmdlet.CancelToken)
            {
                InputEnded = (r, error) => r.Record.End(error is not null),
            };
            _finds = new(cmdlet.ItemsAtOnce, FindAsync, cmdlet.CancelToken) { InputEnded = (item, error) => End(item, error is not null) };
            _writes = new(cmdlet.ItemsAtOnce, (w, ct) => OnePage.OfItem(() => WriteAsync(w.Item, w.Write, ct)), cmdlet.CancelToken)
            {
                InputEnded = (w, error) => End(w.Item, error is not null),
            };
        }

        protected ZcrmArchiveCmdletBase Cmdlet { get; }

        /// <summary>On the pipeline thread: whether to archive the e-mail (it may be archived already, or declined).</summary>
        protected abstract Admission Admit(ArchiveItem item);

        /// <summary>What an e-mail yields, as pages: the e-mail read in full, or its attachments.</summary>
        protected abstract IAsyncEnumerable<IReadOnlyList<TFound>> FindAsync(ArchiveItem item, CancellationToken ct);

        /// <summary>On the pipeline thread, in input order: one found item; calls <see cref="Write"/> for a file to write.</summary>
        protected abstract void Take(ArchiveItem item, TFound found);

        /// <summary>Writes one file; null when another run archived it meanwhile.</summary>
        protected abstract Task<FileInfo?> WriteAsync(ArchiveItem item, TWrite write, CancellationToken ct);

        /// <summary>A failed write's TargetObject and the item its message names.</summary>
        protected abstract (object Target, string Item) Describe(TWrite write);

        /// <summary>On the pipeline thread: the file written (null: archived meanwhile by another run).</summary>
        protected abstract void Written(ArchiveItem item, TWrite write, FileInfo? file);

        /// <summary>Lists a record's e-mails and archives each; <paramref name="record"/> is told when it has ended.</summary>
        public void AddRecord(EmailArchiver archiver, RecordTracker record) => DrainListings(_listings.Add((archiver, record)));

        /// <summary>Archives one e-mail (of <paramref name="record"/>, when a listing found it).</summary>
        public void AddEmail(EmailArchiver archiver, EmailRequest email, RecordTracker? record)
        {
            record?.Add();
            var item = new ArchiveItem(archiver, email, record);
            switch (Admit(item))
            {
                case Admission.Proceed:
                    DrainFinds(_finds.Add(item));
                    break;
                case Admission.Declined:
                    item.Unfinished = true;
                    End(item, false);
                    break;
                default:
                    End(item, false);
                    break;
            }
        }

        /// <summary>From <see cref="Take"/>: starts writing one file of the item, and hands out what is ready.</summary>
        protected void Write(ArchiveItem item, TWrite write)
        {
            item.Outstanding++;
            DrainWrites(_writes.Add((item, write)));
        }

        /// <summary>Waits for everything still held, in input order.</summary>
        public void Complete()
        {
            DrainListings(_listings.Complete());
            DrainFinds(_finds.Complete());
            DrainWrites(_writes.Complete());
        }

        // One piece of an item's work handed out; at the last, its record hears whether the item was archived whole.
        private static void End(ArchiveItem item, bool failed)
        {
            item.Unfinished |= failed;
            if (--item.Outstanding == 0) item.Record?.End(item.Unfinished);
        }

        private void DrainListings(IEnumerable<FanOutResult<(EmailArchiver Archiver, RecordTracker Record), ZcrmEmail>> results) =>
            Cmdlet.Drain(results, r => r.Record.RecordId, r => ErrorRecords.Describe(r.Record.Module, r.Record.RecordId),
                (r, email) => AddEmail(r.Archiver, EmailRequest.Of(email), r.Record), failed: r => r.Record.MarkUnfinished());

        private void DrainFinds(IEnumerable<FanOutResult<ArchiveItem, TFound>> results) =>
            Cmdlet.Drain(results, item => ErrorRecords.Target(item.Email), item => ErrorRecords.Describe(item.Email), Take);

        private void DrainWrites(IEnumerable<FanOutResult<(ArchiveItem Item, TWrite Write), FileInfo?>> results) =>
            Cmdlet.Drain(results, w => Describe(w.Write).Target, w => Describe(w.Write).Item, (w, file) => Written(w.Item, w.Write, file));

        public void Dispose()
        {
            _listings.Dispose();
            _finds.Dispose();
            _writes.Dispose();
        }
    }
}
