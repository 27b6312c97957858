namespace ZohoCrmEmails.Models;

/// <summary>
/// A file of an archive that is not what its index says (Test-ZcrmArchive): Missing (no file under its name) or
/// Changed (its length or SHA-256 differs from the index's).
/// </summary>
public sealed class ZcrmArchiveProblem
{
    /// <summary>The file's name, relative to the archive folder, as in the index.</summary>
    public string Name { get; init; } = "";
    public string Path { get; init; } = "";
    /// <summary>"Missing" or "Changed".</summary>
    public string Status { get; init; } = "";
    public string ExpectedSha256 { get; init; } = "";
    /// <summary>Null for a missing file.</summary>
    public string? ActualSha256 { get; init; }
    public long ExpectedLength { get; init; }
    public long? ActualLength { get; init; }
    public string Module { get; init; } = "";
    public string RecordId { get; init; } = "";
    public string MessageId { get; init; } = "";
    /// <summary>Empty for an .eml.</summary>
    public string AttachmentId { get; init; } = "";
    public DateTimeOffset ArchivedAt { get; init; }

    public override string ToString() => $"{Status}: {Name}";
}
