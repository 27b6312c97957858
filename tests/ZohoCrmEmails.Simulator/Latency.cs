using System.Diagnostics;

namespace ZohoCrmEmails.Simulator;

/// <summary>
/// The latency knob as a deadline from the request's arrival. Task.Delay wakes late by about the timer's resolution
/// (about 1 ms on Linux); waiting that much less makes the added latency what the knob says on average, so that a
/// benchmark's bound (pages × latency) measures the client rather than this timer.
/// </summary>
internal static class Latency
{
    private static TimeSpan _overshoot;
    private static int _calibrated;

    public static async Task CalibrateAsync()
    {
        if (Interlocked.Exchange(ref _calibrated, 1) == 1) return;
        const int rounds = 8;
        var late = TimeSpan.Zero;
        for (var i = 0; i < rounds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await Task.Delay(5).ConfigureAwait(false);
            late += Stopwatch.GetElapsedTime(start) - TimeSpan.FromMilliseconds(5);
        }
        _overshoot = TimeSpan.FromTicks(Math.Clamp(late.Ticks / rounds, 0, TimeSpan.FromMilliseconds(2).Ticks));
    }

    public static Task WaitAsync(long arrival, int latencyMs, CancellationToken ct)
    {
        var remaining = TimeSpan.FromMilliseconds(latencyMs) - Stopwatch.GetElapsedTime(arrival) - _overshoot;
        return remaining > TimeSpan.Zero ? Task.Delay(remaining, ct) : Task.CompletedTask;
    }
}
