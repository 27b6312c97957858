using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>Each test gets its own simulator on an ephemeral loopback port, so knobs and counters are its own.</summary>
public abstract class SimulatorTest : IAsyncLifetime
{
    protected ZohoSimulator Sim { get; set; } = null!;
    private readonly List<ZcrmClient> _connections = [];

    public async Task InitializeAsync() => Sim = await ZohoSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var c in _connections) c.Dispose();
        await Sim.DisposeAsync();
    }

    /// <summary>Fast retries, so fault tests take milliseconds; everything else as a user would have it.</summary>
    protected static readonly ZcrmRetryPolicy FastRetry = new()
    {
        MaxAttempts = 4,
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxDelay = TimeSpan.FromMilliseconds(10),
        MaxTotalDelay = TimeSpan.FromSeconds(5),
    };

    protected ZcrmConnectionOptions Options(Func<ZcrmConnectionOptions, ZcrmConnectionOptions>? change = null)
    {
        var options = new ZcrmConnectionOptions
        {
            AccountsUrl = Sim.BaseUri,
            ClientId = SimCredentials.ClientId,
            ClientSecret = SimCredentials.ClientSecret,
            RefreshToken = SimCredentials.RefreshToken,
            Retry = FastRetry,
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        return change is null ? options : change(options);
    }

    protected ZcrmClient Connect(Func<ZcrmConnectionOptions, ZcrmConnectionOptions>? change = null)
    {
        var connection = new ZcrmClient(Options(change));
        _connections.Add(connection);
        return connection;
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source, CancellationToken ct = default)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(ct)) list.Add(item);
        return list;
    }
}

/// <summary>A clock a test moves by hand; timers stay real.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// Timers that fire at once and remember what they were asked to wait: backoff and Retry-After without real waiting.
/// The clock is real, moved on by hand with <see cref="Advance"/> (a cool-down that has passed).
/// </summary>
public sealed class InstantTimers : TimeProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _waits = new();
    private long _offsetTicks;
    public IReadOnlyCollection<TimeSpan> Waits => _waits;
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _waits.Enqueue(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new Fired();
    }

    private sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A trace sink that keeps everything a connection reports to its caller.</summary>
public sealed class RecordingSink : IZcrmTraceSink
{
    public List<ZcrmRequestTrace> Traces { get; } = [];
    public List<string> Notices { get; } = [];
    public long? Credits { get; private set; }
    public bool IncludeHeaders => true;
    public void OnRequest(ZcrmRequestTrace trace) { lock (Traces) Traces.Add(trace); }
    public void OnApiCreditsRemaining(long credits) => Credits = credits;
    public void OnNotice(string text) { lock (Notices) Notices.Add(text); }
}
