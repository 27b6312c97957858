using System.Net;
using System.Net.Sockets;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>
/// A nightly job against a server that refuses everything (credits spent, a closed port) stops spending requests, and
/// one that leaves a credit reserve stops before it: each record is read whole or has its own error, and no record
/// runs its own retry ladder once the server is plainly not answering. Back-offs use instant timers: what is asserted
/// is what was sent, never how long it took.
/// </summary>
public sealed class BreakerTests : SimulatorTest
{
    private static string Id(int n) => $"41508680000{n:d8}";

    /// <summary>As a data cmdlet runs many records: <paramref name="throttle"/> at once, as many requests at once.</summary>
    private static List<FanOutResult<RecordRequest, ZcrmEmail>> ReadRecords(ZcrmClient c, int records, int throttle, IZcrmTraceSink? trace = null)
    {
        using var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(throttle,
            RecordPages.Emails(c, null, false, new ZcrmCallContext(throttle, trace)), CancellationToken.None);
        var results = new List<FanOutResult<RecordRequest, ZcrmEmail>>();
        foreach (var i in Enumerable.Range(1, records))
            results.AddRange(fanOut.Add(new RecordRequest("Deals", Id(i))).Where(r => !r.IsPending));
        results.AddRange(fanOut.Complete().Where(r => !r.IsPending));
        return results;
    }

    /// <summary>Every record is either read whole (its five e-mails) or has exactly one error: nothing lost silently.</summary>
    private static List<ZcrmException> AssertWholeOrFailed(List<FanOutResult<RecordRequest, ZcrmEmail>> results, int records, int emails = 5)
    {
        var byRecord = results.GroupBy(r => r.Input.RecordId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(records, byRecord.Count);
        foreach (var (id, list) in byRecord)
        {
            var errors = list.Count(r => r.IsError);
            Assert.True((errors == 0 && list.Count == emails) || (errors == 1 && list[^1].IsError),
                $"{id}: {list.Count - errors} e-mails and {errors} errors");
        }
        return results.Where(r => r.IsError).Select(r => Assert.IsType<ZcrmException>(r.Error)).ToList();
    }

    private ZcrmClient ConnectWithInstantTimers(InstantTimers time, Func<ZcrmConnectionOptions, ZcrmConnectionOptions>? change = null) =>
        Connect(o =>
        {
            var options = o with { TimeProvider = time, Retry = new ZcrmRetryPolicy() };   // the default ladder: 5 attempts
            return change is null ? options : change(options);
        });

    [Theory]
    [InlineData(false)]   // Zoho's 429 says X-API-CREDITS-REMAINING: 0
    [InlineData(true)]    // a 429 and nothing else
    public void Credits_running_out_stop_the_run_instead_of_every_record_retrying(bool withoutHeader)
    {
        Sim.Knobs.DefaultEmailCount = 5;
        Sim.Knobs.CreditsTotal = 30;
        Sim.Knobs.CreditsWithoutHeader = withoutHeader;
        Sim.Knobs.LatencyMs = 2;
        var c = ConnectWithInstantTimers(new InstantTimers());

        var results = ReadRecords(c, 200, 10);

        var errors = AssertWholeOrFailed(results, 200);
        Assert.InRange(Sim.Stats.RefusedRequests, 1, 40);   // the goal: at most 40 refused in all (was 955)
        Assert.Equal(30, results.Where(r => !r.IsError).Select(r => r.Input.RecordId).Distinct().Count());
        Assert.All(errors, e => Assert.Equal("Zcrm.TOO_MANY_REQUESTS", e.ErrorId));
        Assert.Contains(errors, e => e.Details.GetValueOrDefault("notSent") == "true" && e.Message.StartsWith("Not sent:"));
    }

    [Fact]
    public void A_tripped_connection_lets_one_probe_through_after_its_cool_down()
    {
        Sim.Knobs.DefaultEmailCount = 5;
        Sim.Knobs.CreditsTotal = 3;
        var time = new InstantTimers();
        var c = ConnectWithInstantTimers(time);
        AssertWholeOrFailed(ReadRecords(c, 10, 2), 10);
        var sent = Sim.Stats.CrmRequests;

        Assert.Equal(10, AssertWholeOrFailed(ReadRecords(c, 10, 2), 10).Count);   // tripped: nothing is sent
        Assert.Equal(sent, Sim.Stats.CrmRequests);

        Sim.Knobs.CreditsTotal = null;            // the credits come back
        time.Advance(TimeSpan.FromSeconds(61));   // past the cool-down
        Assert.Empty(AssertWholeOrFailed(ReadRecords(c, 10, 2), 10));
        Assert.Equal(sent + 10, Sim.Stats.CrmRequests);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]   // one on the wire and three probes: fewer refusals in a row than the retries allowed
    public void A_short_run_of_429s_costs_a_pause_not_the_run(int refusals)
    {
        Sim.Knobs.DefaultEmailCount = 5;
        Sim.Knobs.Fail429Count = refusals;
        var c = ConnectWithInstantTimers(new InstantTimers());

        Assert.Empty(AssertWholeOrFailed(ReadRecords(c, 40, 8), 40));
        Assert.Equal(refusals, Sim.Stats.RefusedRequests);
    }

    [Fact]
    public void Against_the_orgs_cap_429s_lower_the_limit_and_every_record_comes_without_a_pause_of_the_connection()
    {
        Sim.Knobs.DefaultEmailCount = 5;
        Sim.Knobs.LatencyMs = 5;
        Sim.Knobs.ConcurrencyCap = 6;
        var c = ConnectWithInstantTimers(new InstantTimers());   // the default ceiling: 25
        var trace = new RecordingSink();

        var results = ReadRecords(c, 120, 25, trace);

        Assert.Empty(AssertWholeOrFailed(results, 120));
        Assert.InRange(Sim.Stats.RefusedRequests, 1, 60);
        Assert.Equal(Sim.Stats.RefusedRequests, c.ThrottledRequests);
        Assert.InRange(c.ConcurrencyLimit, 1, 7);
        AssertOnlyRefusedRequestsWaited(trace);
    }

    /// <summary>
    /// Every retry was a refused request's own, for concurrency: none spent an attempt, so the connection's breaker
    /// never took over (it would have cooled the whole connection down).
    /// </summary>
    private static void AssertOnlyRefusedRequestsWaited(RecordingSink trace)
    {
        var retries = trace.Notices.Where(n => n.Contains("retrying in", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(retries);
        Assert.All(retries, n => Assert.Contains("the org's calls at once are taken", n));
        Assert.Contains(trace.Notices, n => n.StartsWith("Zoho CRM refused a request because the org's calls at once are taken (429): this connection now sends at most", StringComparison.Ordinal));
    }

    [Fact]
    public void Sporadic_bursts_of_429s_never_stop_a_run_while_requests_succeed()
    {
        Sim.Knobs.DefaultEmailCount = 50;   // five pages a record
        Sim.Knobs.LatencyMs = 2;
        Sim.Knobs.Sporadic429EveryMs = 50;   // one to three 429s in a row, every 50 ms
        var c = ConnectWithInstantTimers(new InstantTimers());
        var trace = new RecordingSink();

        var results = ReadRecords(c, 140, 25, trace);   // below the fixed record ...150

        Assert.Empty(AssertWholeOrFailed(results, 140, emails: 50));
        Assert.True(Sim.Stats.RefusedRequests > 3, $"{Sim.Stats.RefusedRequests} refused: the bursts did not happen");
        AssertOnlyRefusedRequestsWaited(trace);
    }

    [Fact]
    public async Task The_credit_reserve_stops_the_connection_before_any_refusal()
    {
        Sim.Knobs.DefaultEmailCount = 5;
        Sim.Knobs.CreditsTotal = 100;
        var c = ConnectWithInstantTimers(new InstantTimers(), o => o with { ApiCreditReserve = 40 });

        var results = ReadRecords(c, 200, 4);

        var errors = AssertWholeOrFailed(results, 200);
        Assert.InRange(Sim.Stats.CrmRequests, 60, 70);   // 60 leave 40; at most the 4 on the wire then finish
        Assert.Equal(0, Sim.Stats.RefusedRequests);
        Assert.All(errors, e => Assert.Equal("Zcrm.CreditReserveReached", e.ErrorId));
        Assert.Contains("reserve of 40", errors[0].Message);
        Assert.InRange(c.ApiCreditsRemaining!.Value, 30, 44);   // the last answer seen; those on the wire end in any order
        var sent = Sim.Stats.CrmRequests;
        var later = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.CreditReserveReached, later.Code);
        Assert.Equal(sent, Sim.Stats.CrmRequests);   // nothing more is sent on this connection
    }

    [Fact]
    public async Task Cannot_process_is_retried_and_when_it_persists_says_what_Zoho_put_in_details()
    {
        var c = Connect();
        Sim.Knobs.CannotProcessCount = 2;
        Assert.Equal(10, (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails.Count);
        Assert.Equal(3, Sim.Stats.ListRequests);

        Sim.Knobs.CannotProcessCount = 100;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal("Zcrm.CANNOT_PROCESS", ex.ErrorId);
        Assert.Contains("An IMAP sync is in progress", ex.Message);
        Assert.Equal(3 + FastRetry.MaxAttempts, Sim.Stats.ListRequests);
    }

    private static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    [Fact]
    public void Against_a_closed_port_queued_records_fail_fast_each_with_its_own_error()
    {
        var closed = ClosedPort();
        var sink = new RecordingSink();
        var c = new ZcrmClient(new ZcrmConnectionOptions { AccessToken = "1000.token", ApiDomain = closed, TimeProvider = new InstantTimers() });
        using (c)
        {
            using var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(4,
                RecordPages.Emails(c, null, false, new ZcrmCallContext(4, sink)), CancellationToken.None);
            var results = Enumerable.Range(1, 100).SelectMany(i => fanOut.Add(new RecordRequest("Deals", Id(i)))).Concat(fanOut.Complete())
                .Where(r => !r.IsPending).ToList();

            Assert.Equal(100, results.Count);
            Assert.All(results, r => Assert.Equal("Zcrm.ConnectionFailed", Assert.IsType<ZcrmException>(r.Error).ErrorId));
            Assert.Equal(Enumerable.Range(1, 100).Select(Id), results.Select(r => r.Input.RecordId));
            // The first records' attempts and two probes, not a ladder per record (that was 500).
            Assert.InRange(c.RequestsSent, 1, 4 * 2 + 2);
            Assert.Contains("was refused", ((ZcrmException)results[0].Error!).Message);
            Assert.Contains(sink.Notices, n => n.Contains("retrying in"));
        }
    }

    [Fact]
    public async Task Connect_to_a_closed_port_fails_after_one_retry_and_says_the_connection_was_refused()
    {
        var closed = ClosedPort();
        var c = Connect(o => o with { AccountsUrl = closed, Retry = new ZcrmRetryPolicy(), TimeProvider = new InstantTimers() });

        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.ConnectAsync());

        Assert.Equal("Zcrm.ConnectionFailed", ex.ErrorId);
        Assert.Equal("refused", ex.Details["cause"]);
        Assert.Contains($"The connection to {closed.Authority} was refused", ex.Message);
        Assert.Equal(2, c.RequestsSent);
    }

    [Fact]
    public async Task A_timeout_names_itself_and_its_cause()
    {
        Sim.Knobs.SlowResponseCount = 100;
        Sim.Knobs.SlowResponseMs = 5_000;
        var c = Connect(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(200), Retry = FastRetry with { MaxAttempts = 2 } });

        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));

        Assert.Equal("Zcrm.Timeout", ex.ErrorId);
        Assert.Equal("timeout", ex.Details["cause"]);
        Assert.Contains("No complete response from 127.0.0.1:", ex.Message);
    }
}
