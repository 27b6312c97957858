namespace ZohoCrmEmails.Engine;

/// <summary>Bounds on retrying 429, 5xx and transient network failures.</summary>
public sealed record ZcrmRetryPolicy
{
    /// <summary>Attempts in all, the first included; 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The most a request may spend waiting between attempts; a Retry-After beyond it ends the retries.</summary>
    public TimeSpan MaxTotalDelay { get; init; } = TimeSpan.FromMinutes(2);

    internal void Validate()
    {
        if (MaxAttempts < 1 || BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay || MaxTotalDelay < TimeSpan.Zero)
            throw new ZcrmException(ZcrmErrorCodes.InvalidConfiguration, ZcrmErrorKind.InvalidArgument,
                "The retry policy needs MaxAttempts >= 1 and 0 <= BaseDelay <= MaxDelay, MaxTotalDelay >= 0.");
    }

    /// <summary>
    /// The short wait before a request refused for concurrency (a 429 while the org's calls at once are taken) tries
    /// again: a tenth of <see cref="BaseDelay"/>, doubling with each refusal up to <see cref="BaseDelay"/>, all of it
    /// random (full jitter), so that refused requests do not come back together.
    /// </summary>
    internal TimeSpan ShortBackoff(int refusals)
    {
        var ceiling = Math.Min(BaseDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds / 10 * Math.Pow(2, Math.Min(refusals, 16) - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>Exponential backoff with equal jitter: half fixed, half random, so callers spread out.</summary>
    internal TimeSpan Backoff(int failedAttempts)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, failedAttempts - 1));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}
