namespace ZohoCrmEmails.Engine;

/// <summary>
/// Which records of a module to find. Without <see cref="Criteria"/> or <see cref="ActiveSince"/> the Records API
/// lists them (If-Modified-Since for <see cref="ModifiedSince"/>, cvid for <see cref="CustomViewId"/>); with either,
/// COQL does. Null members are not sent.
/// </summary>
public sealed record ZcrmRecordQuery(string Module)
{
    /// <summary>API names of fields to return besides id and Modified_Time (at most 48 more).</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];
    /// <summary>Only records whose Modified_Time is at or after this.</summary>
    public DateTimeOffset? ModifiedSince { get; init; }
    /// <summary>
    /// Only records whose Last_Activity_Time or Modified_Time is at or after this (COQL): Zoho does not document which
    /// of the two moves when mail arrives, so either counts.
    /// </summary>
    public DateTimeOffset? ActiveSince { get; init; }
    /// <summary>A COQL where clause (Stage = 'Closed Won' and Amount &gt; 10000).</summary>
    public string? Criteria { get; init; }
    /// <summary>A custom view's id: the records it shows (Records API only).</summary>
    public string? CustomViewId { get; init; }

    /// <summary>Whether COQL finds these records (the Records API cannot filter by criteria or activity).</summary>
    public bool NeedsCoql => Criteria is not null || ActiveSince is not null;
}
