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
    /// <summary>E-mails, sharing entries or records read from this response; null where it was no page.</summary>
    public long? ItemsRead { get; init; }
    /// <summary>Bytes of a file streamed from this response; null where it was no download.</summary>
    public long? BytesRead { get; init; }

    public override string ToString()
    {
        var status = StatusCode is int s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "---";
        var text = $"{Method} {PathAndQuery} -> {status} in {ElapsedMilliseconds:0} ms";
        if (ItemsRead is long n) text += $", {n} read";
        if (BytesRead is long b) text += $", {b} bytes";
        if (Attempt > 1) text += $" (attempt {Attempt})";
        if (Outcome is not null) text += $" [{Outcome}]";
        return text;
    }
}
