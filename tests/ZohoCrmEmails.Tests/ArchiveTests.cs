using MimeKit;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.Archive;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>Attachments saved and e-mails exported: safe names, whole files or none, the bytes Zoho sent, MIME that parses back.</summary>
public sealed class ArchiveTests : SimulatorTest, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zcrm-archive-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private EmailArchiver Archiver(ZcrmClient c, bool overwrite = false) => new(c, new ArchiveFolder(_folder, overwrite), ZcrmCallContext.None);

    // As the cmdlet does: the name taken first (in input order), then the download.
    private static async Task<FileInfo> Save(EmailArchiver archiver, AttachmentToSave item, CancellationToken ct) =>
        (await archiver.SaveAttachmentAsync(item, archiver.ReserveAttachmentPath(item), ct))!;

    private static readonly ArchiveEntry AnyRow = new(new(new("Deals", "1", "m")), "", null, "", 0, "", default);

    private async Task<ZcrmEmail> FirstWithAttachmentsAsync(ZcrmClient c) =>
        await c.GetEmailAsync("Deals", SimRecords.Deal25, (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails[0].MessageId);

    private static byte[] Expected(ZcrmAttachment a) => Enumerable.Range(0, (int)a.Size!.Value).Select(i => SimData.AttachmentByte(a.Id!, i)).ToArray();

    // The files of the archive: not its index, its lock, or the lock file of the run still going.
    private string[] FilesLeft() => Directory.Exists(_folder)
        ? Directory.GetFiles(_folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not (ArchiveIndex.FileName or ArchiveIndex.LockFileName) && !f.EndsWith(".run", StringComparison.Ordinal) && !f.EndsWith(".journal", StringComparison.Ordinal)).ToArray()
        : [];

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void A_hostile_name_becomes_one_legal_readable_segment(string name)
    {
        var safe = SafeFileName.From(name, "fallback");
        Assert.InRange(safe.Length, 1, SafeFileName.MaxLength);
        Assert.Equal(-1, safe.IndexOfAny(['/', '\\', ':', '*', '?', '"', '<', '>', '|']));
        Assert.DoesNotContain(safe, char.IsControl);
        Assert.False(safe.StartsWith('.') || safe.EndsWith('.') || safe.EndsWith(' ') || safe.StartsWith(' '), safe);
        Assert.DoesNotContain('\u202E', safe);
        var stem = safe.Split('.')[0];
        Assert.DoesNotMatch("^(?i:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$", stem);
        Assert.Equal(safe, Path.GetFileName(Path.Combine(_folder, safe)));
    }

    public static TheoryData<string> HostileNames() => new(SimData.HostileNames);

    [Fact]
    public void Names_keep_what_is_readable()
    {
        Assert.Equal("report.pdf", SafeFileName.From("report.pdf", "x"));
        Assert.Equal("escape.pdf", SafeFileName.From("../../escape.pdf", "x"));
        Assert.Equal("etc_passwd", SafeFileName.From("/etc/passwd", "x"));
        Assert.Equal("C__Windows_evil.pdf", SafeFileName.From("C:\\Windows\\evil.pdf", "x"));
        Assert.Equal("_CON", SafeFileName.From("CON", "x"));
        Assert.Equal("_nul.txt", SafeFileName.From("nul.txt", "x"));
        Assert.Equal("ünïcödé – 報告.pdf", SafeFileName.From("ünïcödé – 報告.pdf", "x"));
        Assert.Equal("x", SafeFileName.From("", "x"));
        Assert.Equal("x", SafeFileName.From("..", "x"));
        var longName = SafeFileName.From(new string('n', 300) + ".pdf", "x");
        Assert.EndsWith(".pdf", longName);
        Assert.Equal(SafeFileName.MaxLength, longName.Length);
    }

    [Fact]
    public void A_run_never_writes_one_file_twice_and_never_replaces_an_older_file_unless_told()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "old.pdf"), "old");
        var folder = new ArchiveFolder(_folder, overwrite: false);
        Assert.Equal(Path.Combine(_folder, "a.pdf"), folder.Reserve("a.pdf"));
        Assert.Equal(Path.Combine(_folder, "A (2).pdf"), folder.Reserve("A.pdf"));
        Assert.Equal(Path.Combine(_folder, "a (3).pdf"), folder.Reserve("a.pdf"));
        var ex = Assert.Throws<ZcrmException>(() => folder.Reserve("old.pdf"));
        Assert.Equal(ZcrmErrorCodes.FileExists, ex.Code);
        Assert.Equal(Path.Combine(_folder, "old.pdf"), new ArchiveFolder(_folder, overwrite: true).Reserve("old.pdf"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\nb")]
    public async Task An_attachment_id_the_server_listed_that_cannot_be_sent_is_refused_before_any_request(string id)
    {
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        var attachment = email.Attachments![0];
        attachment.Id = id;
        var downloads = Sim.Stats.DownloadRequests;

        var save = await Assert.ThrowsAsync<ZcrmException>(() => Save(Archiver(c), new AttachmentToSave(email, attachment), CancellationToken.None));
        var export = await Assert.ThrowsAsync<ZcrmException>(() => Archiver(c).ExportAsync(email, Path.Combine(_folder, "x.eml"), true, CancellationToken.None));

        Assert.Equal(ZcrmErrorCodes.InvalidAttachmentId, save.Code);
        Assert.Equal(ZcrmErrorCodes.InvalidAttachmentId, export.Code);
        Assert.Equal(downloads, Sim.Stats.DownloadRequests);
        Assert.Empty(FilesLeft());
    }

    [Fact]
    public async Task A_folder_that_cannot_be_made_is_Zcrm_WriteFailed_for_saves_and_exports()
    {
        File.WriteAllText(_folder, "a file where the folder would be");
        try
        {
            var c = Connect();
            var email = await FirstWithAttachmentsAsync(c);
            var archiver = new EmailArchiver(c, new ArchiveFolder(Path.Combine(_folder, "sub"), overwrite: false), ZcrmCallContext.None);

            var save = await Assert.ThrowsAsync<ZcrmException>(() => archiver.SaveAttachmentAsync(new AttachmentToSave(email, email.Attachments![0]), null, CancellationToken.None));
            var export = await Assert.ThrowsAsync<ZcrmException>(() => archiver.ExportAsync(email, Path.Combine(_folder, "sub", "x.eml"), true, CancellationToken.None));

            Assert.Equal(ZcrmErrorCodes.WriteFailed, save.Code);
            Assert.Equal(ZcrmErrorCodes.WriteFailed, export.Code);
            Assert.Equal(ZcrmErrorKind.WriteFailed, export.Kind);
        }
        finally
        {
            File.Delete(_folder);
        }
    }

    [Fact]
    public async Task A_failed_or_cancelled_write_leaves_nothing_behind()
    {
        var folder = new ArchiveFolder(_folder, overwrite: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            folder.WriteAsync(async (s, ct) => { await s.WriteAsync(new byte[100], ct); throw new InvalidOperationException("broken"); }, () => folder.Reserve("x.bin"), AnyRow, default));
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            folder.WriteAsync(async (s, ct) => { await s.WriteAsync(new byte[100], ct); cts.Cancel(); ct.ThrowIfCancellationRequested(); }, () => folder.Reserve("y.bin"), AnyRow, cts.Token));
        Assert.Empty(FilesLeft());
    }

    [Fact]
    public async Task Attachments_are_saved_byte_for_byte_under_their_names()
    {
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        var archiver = Archiver(c);
        foreach (var a in email.Attachments!)
        {
            var file = await Save(archiver, new AttachmentToSave(email, a), default);
            Assert.Equal(Path.Combine(_folder, a.Name!), file.FullName);
            Assert.Equal(Expected(a), await File.ReadAllBytesAsync(file.FullName));
        }
        Assert.Equal(2, Sim.Stats.DownloadRequests);
        Assert.Equal(2, FilesLeft().Length);
    }

    [Fact]
    public async Task Hostile_names_all_land_inside_the_folder_each_in_its_own_file()
    {
        Sim.Knobs.HostileAttachmentNames = true;
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        var archiver = Archiver(c);
        var files = new List<FileInfo>();
        foreach (var a in email.Attachments!)
            files.Add(await Save(archiver, new AttachmentToSave(email, a), default));

        Assert.Equal(SimData.HostileNames.Length, files.Select(f => f.FullName.ToUpperInvariant()).Distinct().Count());
        Assert.All(files, f => Assert.Equal(_folder, f.DirectoryName));
        Assert.Equal(files.Count, FilesLeft().Length);   // nothing written anywhere else in the folder, no temporary file left
        Assert.Contains(files, f => f.Name == "same.pdf");
        Assert.Contains(files, f => f.Name == "SAME (2).pdf");
    }

    [Theory]
    [InlineData("plain", "quote-1-1.pdf")]
    [InlineData("rfc5987", "quote-1-1.pdf")]
    [InlineData("none", "attachment-2cceafa194d037b63f200000")]
    public async Task Without_a_listed_name_the_servers_file_name_is_used(string disposition, string expected)
    {
        Sim.Knobs.AttachmentDisposition = disposition;
        Sim.Knobs.UnnamedAttachments = true;
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        var unnamed = email.Attachments![0];
        Assert.Equal("", unnamed.Name);
        var file = await Save(Archiver(c), new AttachmentToSave(email, unnamed), default);
        Assert.Equal(expected, file.Name);
    }

    [Fact]
    public async Task A_download_that_trickles_ends_in_a_timeout_and_no_file()
    {
        var c = Connect(o => o with { RequestTimeout = TimeSpan.FromSeconds(2), Retry = FastRetry with { MaxAttempts = 1 } });
        var email = await FirstWithAttachmentsAsync(c);
        Sim.Knobs.TrickleDownloads = true;   // 50 bytes a second: about eight minutes for this file, never a stall

        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Save(Archiver(c), new AttachmentToSave(email, email.Attachments![0]), default)
            .WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal("Zcrm.Timeout", ex.ErrorId);
        Assert.Empty(FilesLeft());
    }

    [Fact]
    public async Task A_connection_dropped_mid_file_is_retried_and_the_file_is_whole()
    {
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        Sim.Knobs.DropMidFileCount = 1;
        var a = email.Attachments![0];
        var file = await Save(Archiver(c), new AttachmentToSave(email, a), default);
        Assert.Equal(Expected(a), await File.ReadAllBytesAsync(file.FullName));
        Assert.Equal(2, Sim.Stats.DownloadRequests);
    }

    [Fact]
    public async Task Fewer_bytes_than_promised_is_an_error_and_no_file()
    {
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        Sim.Knobs.DownloadDeclaredLengthExtra = 100;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Save(Archiver(c), new AttachmentToSave(email, email.Attachments![0]), default));
        Assert.Equal(ZcrmErrorCodes.ConnectionFailed, ex.Code);
        Assert.Equal(FastRetry.MaxAttempts, Sim.Stats.DownloadRequests);
        Assert.Empty(FilesLeft());
    }

    [Theory]
    [InlineData(7)]
    [InlineData(-7)]
    public async Task A_file_whose_size_differs_from_the_listed_size_is_not_kept(long skew)
    {
        Sim.Knobs.ListedAttachmentSizeExtra = skew;
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Save(Archiver(c), new AttachmentToSave(email, email.Attachments![0]), default));
        Assert.Equal(ZcrmErrorCodes.AttachmentSizeMismatch, ex.Code);
        Assert.Equal(1, Sim.Stats.DownloadRequests);   // not retried
        Assert.Empty(FilesLeft());
    }

    [Fact]
    public async Task An_error_envelope_instead_of_the_file_is_the_error_and_no_file()
    {
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        Sim.Knobs.OverrideBody = """{"code":"NO_PERMISSION","details":{},"message":"permission denied","status":"error"}""";
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Save(Archiver(c), new AttachmentToSave(email, email.Attachments![0]), default));
        Assert.Equal("NO_PERMISSION", ex.Code);
        Assert.Empty(FilesLeft());

        Sim.Knobs.OverrideBody = null;
        var wrongId = new ZcrmAttachment { Id = "not-an-attachment", Name = "x.pdf", Size = 1 };
        ex = await Assert.ThrowsAsync<ZcrmException>(() => Save(Archiver(c), new AttachmentToSave(email, wrongId), default));
        Assert.Equal("INVALID_DATA", ex.Code);
        Assert.Equal("id", ex.Details["param_name"]);
        Assert.Empty(FilesLeft());
    }

    [Fact]
    public async Task A_large_file_streams_to_disk_in_chunks_with_progress()
    {
        const long size = 24L * 1024 * 1024;
        Sim.Knobs.LargeAttachmentBytes = size;
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        var reported = new BytesReported();
        var archiver = new EmailArchiver(c, new ArchiveFolder(_folder, false), ZcrmCallContext.None) { Progress = reported };
        var file = await Save(archiver, new AttachmentToSave(email, email.Attachments![0]), default);
        Assert.Equal(size, file.Length);
        Assert.Equal(size, reported.Total);
        Assert.True(reported.Reports > 10, $"{reported.Reports} progress reports");
        await using var stream = file.OpenRead();
        stream.Position = size - 1;
        Assert.Equal(SimData.AttachmentByte(email.Attachments[0].Id!, size - 1), stream.ReadByte());
    }

    [Fact]
    public async Task A_cancelled_download_leaves_no_file()
    {
        Sim.Knobs.LargeAttachmentBytes = 64L * 1024 * 1024;
        var c = Connect();
        var email = await FirstWithAttachmentsAsync(c);
        using var cts = new CancellationTokenSource();
        var archiver = new EmailArchiver(c, new ArchiveFolder(_folder, false), ZcrmCallContext.None) { Progress = new CancelAfterFirstBytes(cts) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Save(archiver, new AttachmentToSave(email, email.Attachments![0]), cts.Token));
        Assert.Empty(FilesLeft());
        // The connection was let go at once: the server's side of the download ends too, rather than hang mid-body.
        await Sim.Stats.WhenIdle().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_exported_email_parses_back_to_the_same_headers_body_and_attachment_bytes()
    {
        var c = Connect();
        var listed = (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails[0];
        var archiver = Archiver(c);
        var full = await archiver.ReadInFullAsync(EmailRequest.Of(listed), default);
        var file = (await archiver.ExportAsync(full, archiver.ReserveEmlPath(full), includeAttachments: true, default))!;

        Assert.Equal(Path.Combine(_folder, EmailArchiver.EmlFileName(full)), file.FullName);
        using var message = await MimeMessage.LoadAsync(file.FullName);
        Assert.Equal(full.Subject, message.Subject);
        Assert.Equal(full.From!.Email, message.From.Mailboxes.Single().Address);
        Assert.Equal(full.From.Name, message.From.Mailboxes.Single().Name);
        Assert.Equal(full.To.Select(a => a.Email), message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal(full.Cc.Select(a => a.Email), message.Cc.Mailboxes.Select(m => m.Address));
        Assert.Equal(full.ReplyTo!.Email, message.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal(full.SentTime, message.Date);
        Assert.Equal("text", full.MailFormat);   // this one is plain text; the next test covers html
        Assert.Equal(full.Content, message.TextBody!.Replace("\r\n", "\n"));
        Assert.Equal("utf-8", ((TextPart)message.BodyParts.First()).ContentType.Charset);
        Assert.Equal(full.MessageId, message.Headers["X-Zoho-Message-Id"]);
        Assert.Equal(SimRecords.Deal25, message.Headers["X-Zoho-Record-Id"]);
        var attachments = message.Attachments.OfType<MimePart>().ToList();
        Assert.Equal(full.Attachments!.Select(a => a.Name), attachments.Select(a => a.FileName));
        foreach (var (part, listedAttachment) in attachments.Zip(full.Attachments!))
        {
            using var bytes = new MemoryStream();
            await part.Content!.DecodeToAsync(bytes);
            Assert.Equal(Expected(listedAttachment), bytes.ToArray());
        }
        Assert.Single(FilesLeft());   // the attachments' temporary files are gone
    }

    [Fact]
    public async Task Non_ascii_subjects_and_names_are_encoded_and_an_rfc2822_id_becomes_the_Message_ID()
    {
        var email = new ZcrmEmail
        {
            Module = "Deals",
            RecordId = "1",
            MessageId = "<abc.1@mail.example.com>",
            Subject = "Angebot für Müller – 報告\r\nBcc: x@evil.example",
            From = new ZcrmEmailAddress { Name = "Zoë Ünal", Email = "zoe@x.example" },
            Time = new DateTimeOffset(2024, 5, 9, 12, 33, 12, TimeSpan.FromHours(5.5)),
            Content = "Grüße\nzweite Zeile",
            MailFormat = "text",
        };
        await using var output = new MemoryStream();
        await EmlWriter.WriteAsync(email, [], output, default);
        var bytes = output.ToArray();
        var headerEnd = System.Text.Encoding.ASCII.GetString(bytes).IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.All(bytes[..headerEnd], b => Assert.True(b < 0x80));   // non-ASCII is encoded, as headers need
        var raw = System.Text.Encoding.ASCII.GetString(bytes[..headerEnd]);
        Assert.Contains("=?utf-8?", raw);
        Assert.DoesNotContain("\nBcc:", raw);                         // a line break in the subject starts no header
        output.Position = 0;
        using var message = await MimeMessage.LoadAsync(output);
        Assert.Equal("Angebot für Müller – 報告  Bcc: x@evil.example", message.Subject);
        Assert.Equal("Zoë Ünal", message.From.Mailboxes.Single().Name);
        Assert.Equal("abc.1@mail.example.com", message.MessageId);
        // The body as sent, with the line break that ends a MIME text part.
        Assert.Equal("Grüße\nzweite Zeile\n", message.TextBody!.Replace("\r\n", "\n"));
        Assert.Equal(email.Time, message.Date);
        Assert.Empty(message.Bcc);
    }

    [Fact]
    public async Task A_hex_message_id_is_kept_in_a_header_but_no_Message_ID_is_made_up_and_html_stays_html()
    {
        var email = new ZcrmEmail { Module = "Deals", RecordId = "1", MessageId = "98f354c8397eab0b583da00786cd586c", Subject = "s", Content = "<p>é</p>", MailFormat = "html" };
        await using var output = new MemoryStream();
        await EmlWriter.WriteAsync(email, [], output, default);
        output.Position = 0;
        using var message = await MimeMessage.LoadAsync(output);
        Assert.Null(message.MessageId);
        Assert.Equal(email.MessageId, message.Headers["X-Zoho-Message-Id"]);
        Assert.Equal("<p>é</p>\n", message.HtmlBody!.Replace("\r\n", "\n"));
        Assert.Equal("utf-8", message.Body!.ContentType.Charset);
        Assert.Equal(ContentEncoding.EightBit, ((TextPart)message.Body).ContentTransferEncoding);   // searchable, not base64
    }

    private sealed class BytesReported : IProgress<long>
    {
        public long Total;
        public int Reports;
        public void Report(long value)
        {
            Interlocked.Add(ref Total, value);
            Interlocked.Increment(ref Reports);
        }
    }

    private sealed class CancelAfterFirstBytes(CancellationTokenSource cts) : IProgress<long>
    {
        public void Report(long value) => cts.Cancel();
    }
}
