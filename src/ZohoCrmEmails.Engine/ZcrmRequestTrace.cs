namespace ZohoCrmEmails.Engine;

/// <summary>One HTTP attempt as it crossed the wire; every text already redacted.</summary>
public sealed record ZcrmRequestTrace(
    string Method,
    string PathAndQuery,
    int? StatusCode,
    double ElapsedMilliseconds,
    int Attempt,
    string? Outcome,
    IReadOnlyList<KeyValuePair<string, string>> RequestHeaders,
    IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders)
{
    /// <summary>E-mails (or sharing entries, or bytes of a file) read from this response; null where nothing was read.</summary>
    public long? ItemsRead { get; init; }
    /// <summary>What <see cref="ItemsRead"/> counts: "read" for items, "bytes" for a download.</summary>
    public string ItemsUnit { get; init; } = "read";

    public override string ToString()
    {
        var status = StatusCode is int s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "---";
        var text = $"{Method} {PathAndQuery} -> {status} in {ElapsedMilliseconds:0} ms";
        if (ItemsRead is long n) text += $", {n} {ItemsUnit}";
        if (Attempt > 1) text += $" (attempt {Attempt})";
        if (Outcome is not null) text += $" [{Outcome}]";
        return text;
    }
}
