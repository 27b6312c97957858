using ZohoCrmEmails.Models;

namespace ZohoCrmEmails.Engine.Json;

/// <summary>One page of records and what Zoho said about the next.</summary>
public sealed record ZcrmRecordPage(IReadOnlyList<ZcrmRecord> Records, ZcrmRecordPageInfo Info);
