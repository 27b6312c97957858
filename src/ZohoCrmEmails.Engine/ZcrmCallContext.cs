namespace ZohoCrmEmails.Engine;

/// <summary>
/// Who is calling: its own cap on requests at once (on top of the connection's) and where its traces go. One per
/// cmdlet invocation; share it across all the calls that invocation makes.
/// </summary>
public sealed class ZcrmCallContext
{
    /// <param name="maxConcurrentRequests">Requests of this caller on the wire at once; null for only the connection's cap.</param>
    /// <param name="trace">Where this caller's traces go; null to build none.</param>
    public ZcrmCallContext(int? maxConcurrentRequests = null, IZcrmTraceSink? trace = null)
    {
        if (maxConcurrentRequests is < 1) throw new ArgumentOutOfRangeException(nameof(maxConcurrentRequests));
        MaxConcurrentRequests = maxConcurrentRequests;
        Slots = maxConcurrentRequests is { } n ? new SemaphoreSlim(n, n) : null;
        Trace = trace;
    }

    public static ZcrmCallContext None { get; } = new();

    public int? MaxConcurrentRequests { get; }
    public IZcrmTraceSink? Trace { get; }
    /// <summary>Held around each attempt on the wire only, never across token renewal or retry back-off.</summary>
    internal SemaphoreSlim? Slots { get; }
}
