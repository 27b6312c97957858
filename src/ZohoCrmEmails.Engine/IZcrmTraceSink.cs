namespace ZohoCrmEmails.Engine;

/// <summary>
/// Where the traces of one caller's requests go (a cmdlet invocation's -Verbose/-Debug, a test's recorder). Given
/// with the <see cref="ZcrmCallContext"/> of each call, so several pipelines sharing a connection each see their own.
/// Called from any thread.
/// </summary>
public interface IZcrmTraceSink
{
    /// <summary>Whether traces should carry the (redacted) request and response headers; building them costs.</summary>
    bool IncludeHeaders { get; }
    void OnRequest(ZcrmRequestTrace trace);
    void OnApiCreditsRemaining(long credits);
    /// <summary>A line about what the connection does on its own: a retry and its wait, a breaker that trips.</summary>
    void OnNotice(string text);
}
