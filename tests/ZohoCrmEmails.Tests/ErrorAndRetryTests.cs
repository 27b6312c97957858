using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.Http;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

public sealed class ErrorAndRetryTests : SimulatorTest
{
    [Fact]
    public async Task No_permission_is_a_specific_error_for_that_record()
    {
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.NoPermission));
        Assert.Equal("NO_PERMISSION", ex.Code);
        Assert.Equal("Zcrm.NO_PERMISSION", ex.ErrorId);
        Assert.Equal(403, ex.HttpStatus);
        Assert.Equal(ZcrmErrorKind.PermissionDenied, ex.Kind);
        Assert.Equal($"GET /crm/v8/Deals/{SimRecords.NoPermission}/Emails", ex.Request);
        Assert.Equal("permission denied", ex.Message);
        Assert.Equal(1, Sim.Stats.ListRequests);   // not retried
    }

    [Theory]
    [InlineData("Widgets", SimRecords.Deal25, "INVALID_MODULE", ZcrmErrorKind.InvalidArgument)]
    [InlineData("Deals", SimRecords.InvalidRecord, "INVALID_DATA", ZcrmErrorKind.InvalidArgument)]
    public async Task Server_side_4xx_codes_pass_through_unretried(string module, string record, string code, ZcrmErrorKind kind)
    {
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync(module, record));
        Assert.Equal(code, ex.Code);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(400, ex.HttpStatus);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Two_429s_then_success_gives_the_complete_result()
    {
        Sim.Knobs.Fail429Count = 2;
        var c = Connect();
        var emails = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25));
        Assert.Equal(25, emails.Count);
        Assert.Equal(5, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Retry_after_in_seconds_and_as_a_date_is_honoured()
    {
        var clock = new InstantTimers();
        var c = Connect(o => o with { TimeProvider = clock, Retry = FastRetry with { MaxTotalDelay = TimeSpan.FromMinutes(1) } });
        Sim.Knobs.Fail429Count = 1;
        Sim.Knobs.RetryAfter = "7";
        Assert.Equal(10, (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails.Count);
        // The request's wait is the Retry-After, not the backoff (at most 10 ms here); a 429 about concurrency does not
        // cool the whole connection down.
        Assert.Equal([TimeSpan.FromSeconds(7)], clock.Waits.Order());

        Sim.Knobs.Fail429Count = 1;
        Sim.Knobs.RetryAfter = "date:30";   // an HTTP date 30 s ahead, to the second
        Assert.Equal(10, (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails.Count);
        Assert.Equal(2, clock.Waits.Count);
        Assert.All(clock.Waits.Skip(1), w => Assert.InRange(w.TotalSeconds, 28, 30));
        Assert.Equal(4, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task A_retry_after_beyond_the_total_wait_bound_ends_the_retries_at_once()
    {
        Sim.Knobs.Fail429Count = 5;
        Sim.Knobs.RetryAfter = "3600";
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal("TOO_MANY_REQUESTS", ex.Code);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Throttling_forever_gives_the_specific_error_once_the_server_refuses_one_at_a_time_and_the_attempts_are_spent()
    {
        Sim.Knobs.Fail429Count = int.MaxValue;
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => ToListAsync(c.GetEmails("Deals", SimRecords.Deal25)));
        Assert.Equal("TOO_MANY_REQUESTS", ex.Code);
        Assert.Equal("Zcrm.TOO_MANY_REQUESTS", ex.ErrorId);
        Assert.Equal(ZcrmErrorKind.LimitsExceeded, ex.Kind);
        Assert.Equal(429, ex.HttpStatus);
        // Refused alone, again and again: then the server refuses everything, and the request's attempts are spent.
        Assert.Equal(AdaptiveConcurrencyLimiter.RefusalsAtOneToGiveUp - 1 + FastRetry.MaxAttempts, Sim.Stats.ListRequests);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_faults_are_retried_then_surface(int status)
    {
        Sim.Knobs.Status5xx = status;
        Sim.Knobs.Fail5xxCount = 2;
        var c = Connect();
        Assert.Equal(25, (await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25))).Count);
        Sim.Knobs.Fail5xxCount = int.MaxValue;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal("INTERNAL_ERROR", ex.Code);
        Assert.Equal(status, ex.HttpStatus);
        Assert.Equal(ZcrmErrorKind.Connection, ex.Kind);
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_retried()
    {
        Sim.Knobs.DropConnectionCount = 1;
        var c = Connect();
        Assert.Equal(25, (await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25))).Count);
        Assert.Equal(4, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Connections_dropped_every_time_end_in_connection_failed()
    {
        Sim.Knobs.DropConnectionCount = int.MaxValue;
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.ConnectionFailed, ex.Code);
        Assert.Equal(FastRetry.MaxAttempts, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Nothing_listening_is_connection_failed()
    {
        await Sim.DisposeAsync();
        var c = Connect(o => o with { Retry = FastRetry with { MaxAttempts = 2 } });
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.ConnectAsync());
        Assert.Equal(ZcrmErrorCodes.ConnectionFailed, ex.Code);
        Assert.Equal(ZcrmErrorKind.Connection, ex.Kind);
        Sim = await ZohoSimulator.StartAsync();   // for DisposeAsync
    }

    [Fact]
    public async Task Malformed_json_is_an_invalid_response_not_a_silent_gap()
    {
        Sim.Knobs.MalformedJsonCount = 1;
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.InvalidResponse, ex.Code);
        Assert.Equal(ZcrmErrorKind.InvalidResponse, ex.Kind);
        Assert.Equal(200, ex.HttpStatus);
    }

    [Fact]
    public async Task A_response_slower_than_the_timeout_is_a_timeout_error()
    {
        Sim.Knobs.SlowResponseCount = 10;
        Sim.Knobs.SlowResponseMs = 5000;
        var c = Connect(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(200), Retry = FastRetry with { MaxAttempts = 2 } });
        await c.ConnectAsync();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.Timeout, ex.Code);
        Assert.Equal(ZcrmErrorKind.Timeout, ex.Kind);
        Assert.Equal(2, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task A_slow_response_then_a_fast_one_succeeds()
    {
        Sim.Knobs.SlowResponseCount = 1;
        Sim.Knobs.SlowResponseMs = 5000;
        var c = Connect(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        Assert.Equal(10, (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails.Count);
    }

    [Fact]
    public async Task Cancellation_stops_a_call_in_flight_and_no_request_follows()
    {
        var c = Connect();
        await c.ConnectAsync();
        Sim.Knobs.LatencyMs = 10_000;
        using var cts = new CancellationTokenSource();
        var enumerating = ToListAsync(c.GetEmails("Deals", SimRecords.Deal25), cts.Token);
        await Sim.Stats.WhenCrmRequests(1).WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enumerating);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Cancellation_interrupts_a_backoff_wait()
    {
        Sim.Knobs.Fail429Count = int.MaxValue;
        Sim.Knobs.RetryAfter = "60";
        var c = Connect(o => o with { Retry = FastRetry with { MaxTotalDelay = TimeSpan.FromMinutes(5) } });
        using var cts = new CancellationTokenSource();
        var call = c.GetEmailPageAsync("Deals", SimRecords.Deal25, ct: cts.Token);
        await Sim.Stats.WhenCrmRequests(1).WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Credits_remaining_are_surfaced()
    {
        Sim.Knobs.CreditsRemaining = 1234;
        var c = Connect();
        Assert.Null(c.ApiCreditsRemaining);
        var sink = new RecordingSink();
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25, context: new ZcrmCallContext(trace: sink));
        Assert.Equal(1234, c.ApiCreditsRemaining);
        Assert.Equal(1234, sink.Credits);
    }

    [Fact]
    public async Task Traces_name_each_request_with_status_time_and_emails_read_and_redact_the_token()
    {
        Sim.Knobs.Fail429Count = 1;
        var c = Connect();
        var sink = new RecordingSink();
        await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25, context: new ZcrmCallContext(trace: sink)));
        var crm = sink.Traces.Where(t => t.PathAndQuery.StartsWith("/crm/")).ToList();
        Assert.Equal(4, crm.Count);
        Assert.Equal(429, crm[0].StatusCode);
        Assert.Equal([10, 10, 5], crm.Skip(1).Select(t => t.ItemsRead ?? -1));
        Assert.Contains("index=", crm[2].PathAndQuery);
        Assert.Contains(sink.Traces, t => t.PathAndQuery == "/oauth/v2/token" && t.StatusCode == 200);
        var auth = crm[1].RequestHeaders.Single(h => h.Key == "Authorization").Value;
        Assert.Equal("Zoho-oauthtoken [redacted]", auth);
        Assert.DoesNotContain(sink.Traces, t => t.ToString().Contains(SimCredentials.AccessTokenPrefix));
        Assert.Matches(@"^GET /crm/v8/Deals/\d+/Emails -> 200 in \d+ ms, 10 read", crm[1].ToString());
    }
}
