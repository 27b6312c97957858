namespace ZohoCrmEmails.Engine.Archive;

/// <summary>An attachment of an e-mail being written: its name as sent, its type, and its bytes (read from the start).</summary>
public sealed record DownloadedAttachment(string FileName, string? ContentType, Stream Content);
