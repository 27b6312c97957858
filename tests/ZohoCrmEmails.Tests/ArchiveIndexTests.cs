using System.Security.Cryptography;
using System.Text;
using ZohoCrmEmails.Engine.Archive;

namespace ZohoCrmEmails.Tests;

/// <summary>The archive's index on disk: rows true to the files, runs killed at any point finished by the next, two
/// writers at once, hostile text, and -Force replacing without a second row.</summary>
public sealed class ArchiveIndexTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zcrm-index-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ArchiveEntry Row(string messageId, string attachmentId = "", string name = "") =>
        new(new(new("Deals", "4150868000001234001", messageId), attachmentId), attachmentId.Length > 0 ? "a.pdf" : "", attachmentId.Length > 0 ? 2 : null, name, 0, "", default);

    private static async Task<FileInfo?> Write(ArchiveFolder folder, ArchiveEntry row, string name, byte[] bytes) =>
        await folder.WriteAsync((s, ct) => s.WriteAsync(bytes, ct).AsTask(), () => folder.Reserve(name, row.Key), row, default);

    private static string Sha(byte[] bytes) => Sha256Hex.Of(SHA256.HashData(bytes));

    private string[] Leftovers() => Directory.GetFiles(_folder).Select(Path.GetFileName).Where(n => n!.StartsWith(".zcrm-", StringComparison.Ordinal)).ToArray()!;

    [Fact]
    public async Task Each_file_gets_one_row_with_its_ids_length_and_hash_and_a_later_run_knows_it()
    {
        var bytes = Encoding.UTF8.GetBytes("hello, archive");
        using (var folder = new ArchiveFolder(_folder, overwrite: false))
        {
            var file = await Write(folder, Row("m1", "a1"), "quote.pdf", bytes);
            Assert.Equal("quote.pdf", file!.Name);
        }

        var lines = File.ReadAllLines(Path.Combine(_folder, ArchiveIndex.FileName));
        Assert.Equal(IndexCsv.Header, lines[0].TrimStart('\uFEFF'));
        Assert.StartsWith($"Deals,4150868000001234001,m1,a1,a.pdf,2,quote.pdf,{bytes.Length},{Sha(bytes)},", lines[1]);
        Assert.Matches(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", lines[1]);
        Assert.Equal(2, lines.Length);
        Assert.Empty(Leftovers());   // the run's lock file and journal are gone once it ended

        using var next = new ArchiveFolder(_folder, overwrite: false);
        var archived = next.ArchivedAlready(new ArchiveKey(new("Deals", "4150868000001234001", "m1"), "a1"));
        Assert.Equal("quote.pdf", archived!.Name);
        File.Delete(Path.Combine(_folder, "quote.pdf"));
        Assert.Null(next.ArchivedAlready(archived.Key));   // a row whose file is gone is archived again
    }

    [Fact]
    public async Task A_name_another_run_gave_another_item_meanwhile_fails_the_commit_rather_than_take_another()
    {
        using var first = new ArchiveFolder(_folder, overwrite: false);
        using var second = new ArchiveFolder(_folder, overwrite: false);
        var mine = second.Reserve("quote.pdf", Row("m2", "a2").Key);   // both runs find the name free
        await Write(first, Row("m1", "a1"), "quote.pdf", [1]);

        var ex = await Assert.ThrowsAsync<ZcrmException>(() => second.WriteAsync((s, ct) => s.WriteAsync(new byte[] { 2 }, ct).AsTask(), () => mine, Row("m2", "a2"), default));

        Assert.Equal("Zcrm.FileExists", ex.ErrorId);
        Assert.Equal([1], File.ReadAllBytes(Path.Combine(_folder, "quote.pdf")));
        Assert.Single(File.ReadAllLines(Path.Combine(_folder, ArchiveIndex.FileName)).Skip(1));
        Assert.Empty(Directory.GetFiles(_folder, "*" + ArchiveIndex.TemporarySuffix));
    }

    [Fact]
    public async Task A_name_the_index_gives_another_item_is_passed_over_and_an_unknown_file_is_protected()
    {
        using (var folder = new ArchiveFolder(_folder, overwrite: false))
            await Write(folder, Row("m1", "a1"), "quote.pdf", [1]);
        File.WriteAllText(Path.Combine(_folder, "mine.pdf"), "the user's own");

        using var next = new ArchiveFolder(_folder, overwrite: false);
        Assert.Equal(Path.Combine(_folder, "quote (2).pdf"), next.Reserve("quote.pdf", new ArchiveKey(new("Deals", "1", "m2"), "a9")));
        var ex = Assert.Throws<ZcrmException>(() => next.Reserve("mine.pdf", new ArchiveKey(new("Deals", "1", "m3"), "a9")));
        Assert.Equal(ZcrmErrorCodes.FileExists, ex.Code);
    }

    [Fact]
    public async Task Force_replaces_the_items_own_file_and_leaves_one_row_for_it()
    {
        using (var folder = new ArchiveFolder(_folder, overwrite: false))
            await Write(folder, Row("m1"), "mail.eml", [1, 2, 3]);
        using (var again = new ArchiveFolder(_folder, overwrite: true))
        {
            var file = await Write(again, Row("m1"), "mail.eml", [4, 5]);
            Assert.Equal("mail.eml", file!.Name);
        }

        var rows = ArchiveIndex.Open(_folder).Entries;
        var row = Assert.Single(rows);
        Assert.Equal(2, row.Length);
        Assert.Equal(Sha([4, 5]), row.Sha256);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_folder, ArchiveIndex.FileName)).Length);   // folded: header and one row
    }

    [Fact]
    public void A_run_killed_after_a_rename_is_finished_by_the_next_and_its_temporary_files_are_removed()
    {
        Directory.CreateDirectory(_folder);
        // What a run killed (kill -9) between renaming a file and indexing it leaves: its lock file (no longer held),
        // its journal naming the renamed file, and a partial download.
        var bytes = Encoding.UTF8.GetBytes("complete file");
        File.WriteAllBytes(Path.Combine(_folder, "done.pdf"), bytes);
        var row = Row("m1", "a1") with { Name = "done.pdf", Length = bytes.Length, Sha256 = Sha(bytes), ArchivedAt = DateTimeOffset.UtcNow };
        const string dead = "0123456789ab";
        File.WriteAllText(Path.Combine(_folder, $".zcrm-{dead}.run"), "");
        File.WriteAllText(Path.Combine(_folder, $".zcrm-{dead}.journal"), IndexCsv.Line(row));
        File.WriteAllBytes(Path.Combine(_folder, $".zcrm-{dead}-aaaaaaaaaaaa.zcrm-partial"), new byte[1000]);
        // A temporary file whose run left no lock file at all (killed before it made one) is a dead run's too.
        File.WriteAllBytes(Path.Combine(_folder, ".zcrm-ba9876543210-bbbbbbbbbbbb.zcrm-partial"), new byte[10]);

        using var next = new ArchiveFolder(_folder, overwrite: false);
        next.BeginRun();

        Assert.Equal("done.pdf", next.ArchivedAlready(row.Key)!.Name);
        Assert.Equal([$".zcrm-{next.Index.RunId}.run"], Leftovers());
    }

    [Fact]
    public void A_live_runs_temporary_files_are_left_alone()
    {
        using var live = new ArchiveFolder(_folder, overwrite: false);
        using var partial = live.CreateTemporary(deleteOnClose: false);   // starts its run, lock held

        using var other = new ArchiveFolder(_folder, overwrite: false);
        other.BeginRun();

        Assert.True(File.Exists(partial.Name));
        Assert.Contains($".zcrm-{live.Index.RunId}.run", Leftovers());
    }

    [Fact]
    public async Task Two_runs_writing_one_folder_at_once_keep_the_index_whole_and_each_item_once()
    {
        using var a = new ArchiveFolder(_folder, overwrite: false);
        using var b = new ArchiveFolder(_folder, overwrite: false);
        // Both archive items 0..59; b also 60..99. Whichever commits an item second finds it archived: no second row.
        var writes = Enumerable.Range(0, 60).Select(i => Write(a, Row($"m{i}"), $"mail {i}.eml", [(byte)i]))
            .Concat(Enumerable.Range(0, 100).Select(i => Write(b, Row($"m{i}"), $"mail {i}.eml", [(byte)i])));
        var files = await Task.WhenAll(writes.Select(w => Task.Run(() => w)));

        var rows = ArchiveIndex.Open(_folder).Entries;
        Assert.Equal(100, rows.Count);
        Assert.Equal(100, File.ReadAllLines(Path.Combine(_folder, ArchiveIndex.FileName)).Length - 1);
        Assert.Equal(100, files.Count(f => f is not null));
        Assert.All(rows, r => Assert.True(File.Exists(Path.Combine(_folder, r.Name))));
        Assert.Equal(100, Directory.GetFiles(_folder, "*.eml").Length);
    }

    [Fact]
    public async Task A_folder_given_with_a_trailing_separator_is_that_folder()
    {
        using var folder = new ArchiveFolder(_folder + Path.DirectorySeparatorChar, overwrite: false);

        var file = await Write(folder, Row("m1", "a1"), "quote.pdf", [1, 2, 3]);

        Assert.Equal(_folder, folder.Directory);
        Assert.Equal(Path.Combine(_folder, "quote.pdf"), file!.FullName);
    }

    [Theory]
    [InlineData("zcrm-index.csv", false)]
    [InlineData("zcrm-index.csv", true)]
    [InlineData("ZCRM-INDEX.LOCK", false)]
    [InlineData("ZCRM-INDEX.LOCK", true)]
    public async Task An_item_named_like_the_archives_own_files_gets_another_name_and_the_index_stays_whole(string name, bool force)
    {
        using (var folder = new ArchiveFolder(_folder, force))
        {
            Assert.Equal("quote.pdf", (await Write(folder, Row("m1", "a1"), "quote.pdf", [1, 2, 3]))!.Name);
            var hostile = await Write(folder, Row("m2", "a2"), name, [4, 5]);
            Assert.Equal($"{Path.GetFileNameWithoutExtension(name)} (2){Path.GetExtension(name)}", hostile!.Name);
        }

        var rows = ArchiveIndex.Open(_folder).Entries.OrderBy(r => r.Key.Email.MessageId).ToList();
        Assert.Equal(["quote.pdf", $"{Path.GetFileNameWithoutExtension(name)} (2){Path.GetExtension(name)}"], rows.Select(r => r.Name));
        Assert.Equal(Sha([4, 5]), rows[1].Sha256);
        Assert.StartsWith(IndexCsv.Header, Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(_folder, ArchiveIndex.FileName)).AsSpan(3)));
    }

    [Theory]
    [InlineData("../outside.pdf")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/inside.pdf")]
    [InlineData("..\\outside.pdf")]
    [InlineData("C:outside.pdf")]
    [InlineData("..")]
    [InlineData("zcrm-index.csv")]
    [InlineData("zcrm-index.lock")]
    [InlineData(".zcrm-0123456789ab.run")]
    public void An_index_row_naming_anything_but_a_plain_file_of_the_folder_is_not_trusted(string name)
    {
        var row = new ArchiveEntry(new(new("Deals", "1", "m1"), "a1"), "a.pdf", 1, name, 5, "ab", new DateTimeOffset(2024, 5, 9, 7, 3, 12, TimeSpan.Zero));
        var rows = new List<ArchiveEntry>();

        IndexCsv.Read(Encoding.UTF8.GetBytes(IndexCsv.Header + "\n" + IndexCsv.Line(row)), rows, out var bad);

        Assert.Empty(rows);
        Assert.Equal(1, bad);
    }

    [Fact]
    public void Hostile_text_round_trips_and_cannot_become_a_spreadsheet_formula()
    {
        var hostile = new ArchiveEntry(new(new("Deals", "1", "<a,\"b\"@x>"), "=HYPERLINK(\"http://x\")"), "line\nbreak, \"quoted\"", 3,
            "-2+3.pdf", 5, "ab", new DateTimeOffset(2024, 5, 9, 7, 3, 12, TimeSpan.Zero));
        var line = IndexCsv.Line(hostile);
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\")\"", line);
        Assert.Contains(",'-2+3.pdf,", line);

        var rows = new List<ArchiveEntry>();
        var data = Encoding.UTF8.GetBytes(IndexCsv.Header + "\n" + line + "Deals,1,m2,,,,partial.e");   // a writer killed mid-line
        var consumed = IndexCsv.Read(data, rows, out var bad);

        Assert.Equal(hostile, Assert.Single(rows));
        Assert.Equal(0, bad);
        Assert.Equal(data.Length - "Deals,1,m2,,,,partial.e".Length, consumed);
    }
}
