namespace ZohoCrmEmails.Engine.Http;

/// <summary>Counts the requests a connection sent, and how many are on the wire now.</summary>
public sealed class RequestCounters
{
    private long _sent;
    private int _inFlight;

    public long RequestsSent => Interlocked.Read(ref _sent);
    public int InFlight => Volatile.Read(ref _inFlight);

    internal void OnSent()
    {
        Interlocked.Increment(ref _sent);
        Interlocked.Increment(ref _inFlight);
    }

    internal void OnFinished() => Interlocked.Decrement(ref _inFlight);
}
