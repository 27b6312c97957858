namespace ZohoCrmEmails.Engine;

/// <summary>What a download wrote, and what the server said of the file (Content-Disposition name, Content-Type).</summary>
public sealed record ZcrmDownload(long Bytes, string? FileName, string? ContentType);
