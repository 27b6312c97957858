namespace ZohoCrmEmails;

/// <summary>One HTTP attempt as it crossed the wire; header values already redacted.</summary>
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
    /// <summary>E-mails (or sharing entries) parsed from this response; null where nothing was parsed.</summary>
    public int? ItemsRead { get; init; }

    public override string ToString()
    {
        var status = StatusCode is int s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "---";
        var text = $"{Method} {PathAndQuery} -> {status} in {ElapsedMilliseconds:0} ms";
        if (ItemsRead is int n) text += $", {n} read";
        if (Attempt > 1) text += $" (attempt {Attempt})";
        if (Outcome is not null) text += $" [{Outcome}]";
        return text;
    }
}

/// <summary>Receives the traces of the calls made under <see cref="ZcrmTrace.Use"/>. Called from any thread.</summary>
public interface IZcrmTraceSink
{
    void OnRequest(ZcrmRequestTrace trace);
    void OnCreditsRemaining(long credits);
}

/// <summary>
/// Where the traces of the current logical call go. An AsyncLocal so that one connection shared by several
/// pipelines (or runspaces) reports each call to the caller that made it.
/// </summary>
public static class ZcrmTrace
{
    private static readonly AsyncLocal<IZcrmTraceSink?> CurrentSink = new();

    internal static IZcrmTraceSink? Current => CurrentSink.Value;

    /// <summary>Routes traces of calls started from here on (and their tasks) to <paramref name="sink"/> until disposed.</summary>
    public static IDisposable Use(IZcrmTraceSink? sink)
    {
        var previous = CurrentSink.Value;
        CurrentSink.Value = sink;
        return new Restore(previous);
    }

    private sealed class Restore(IZcrmTraceSink? previous) : IDisposable
    {
        public void Dispose() => CurrentSink.Value = previous;
    }

    private static readonly string[] SecretHeaders = ["Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization"];

    /// <summary>Header values safe to print: credentials replaced, whatever the header.</summary>
    public static string Redact(string name, string value)
    {
        if (SecretHeaders.Any(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)))
        {
            var space = value.IndexOf(' ');
            return space > 0 ? value[..space] + " [redacted]" : "[redacted]";
        }
        if (name.Contains("token", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase))
            return "[redacted]";
        return value;
    }
}
