using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>Many records at once through <see cref="OrderedFanOut{TIn,TOut}"/>, as the data cmdlets drive it.</summary>
public sealed class FanOutTests : SimulatorTest
{
    private static string Id(int n) => $"41508680000000{10 + n:d5}";

    /// <summary>As a data cmdlet sets it up: <paramref name="throttle"/> records at once, and as many requests at once.</summary>
    private static OrderedFanOut<RecordRequest, ZcrmEmail> FanOut(ZcrmClient c, int throttle, CancellationToken ct, bool includeContent = false) =>
        new(throttle, RecordPages.Emails(c, null, includeContent, new ZcrmCallContext(throttle)), ct);

    /// <summary>Adds every input and drains the results as the cmdlet does, checking Held after each Add.</summary>
    private static List<FanOutResult<RecordRequest, ZcrmEmail>> Drive(OrderedFanOut<RecordRequest, ZcrmEmail> fanOut,
        IEnumerable<RecordRequest> inputs, List<int>? heldAfterAdd = null)
    {
        var results = new List<FanOutResult<RecordRequest, ZcrmEmail>>();
        foreach (var input in inputs)
        {
            results.AddRange(fanOut.Add(input).Where(r => !r.IsPending));
            heldAfterAdd?.Add(fanOut.Held);
        }
        results.AddRange(fanOut.Complete().Where(r => !r.IsPending));
        return results;
    }

    [Fact]
    public void Records_come_back_in_input_order_each_together_and_in_api_order()
    {
        Sim.Knobs.DefaultEmailCount = 23;
        Sim.Knobs.LatencyMs = 2;
        var c = Connect();
        // Sizes differ (150, 0, 25, 23 …) so that records finish out of order.
        var inputs = new List<RecordRequest> { new("Accounts", SimRecords.Large), new("Deals", SimRecords.Empty), new("Deals", SimRecords.Deal25) };
        inputs.AddRange(Enumerable.Range(1, 9).Select(i => new RecordRequest("Deals", Id(i))));
        using var fanOut = FanOut(c, 5, CancellationToken.None);

        var results = Drive(fanOut, inputs);

        Assert.DoesNotContain(results, r => r.IsError);
        var expected = new List<string> { SimRecords.Large, SimRecords.Deal25 };   // the empty record yields nothing
        expected.AddRange(Enumerable.Range(1, 9).Select(Id));
        Assert.Equal(expected, results.Select(r => r.Item!.RecordId).Distinct());
        foreach (var group in results.GroupBy(r => r.Item!.RecordId))
        {
            var numbers = group.Select(r => int.Parse(r.Item!.Subject!.Split(' ')[3].TrimEnd(':'))).ToList();
            Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        }
        Assert.Equal(150 + 25 + 9 * 23, results.Count);
        Assert.Equal(12, fanOut.InputsCompleted);
        Assert.Equal(results.Count, fanOut.ItemsRead);
    }

    [Fact]
    public void No_more_than_the_throttles_worth_of_records_is_held()
    {
        Sim.Knobs.DefaultEmailCount = 30;
        Sim.Knobs.LatencyMs = 2;
        var c = Connect();
        using var fanOut = FanOut(c, 3, CancellationToken.None);
        var held = new List<int>();

        var results = Drive(fanOut, Enumerable.Range(1, 15).Select(i => new RecordRequest("Deals", Id(i))), held);

        Assert.Equal(15 * 30, results.Count);
        Assert.All(held, h => Assert.InRange(h, 0, 3));
        Assert.Contains(3, held);   // it did work on several at once
        Assert.Equal(0, fanOut.Held);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(4, true)]
    public void Requests_in_flight_never_exceed_the_throttle(int throttle, bool includeContent)
    {
        Sim.Knobs.DefaultEmailCount = 15;
        Sim.Knobs.LatencyMs = 5;
        var c = Connect();
        using var fanOut = FanOut(c, throttle, CancellationToken.None, includeContent);

        var results = Drive(fanOut, Enumerable.Range(1, 10).Select(i => new RecordRequest("Deals", Id(i))));

        Assert.Equal(150, results.Count);
        Assert.InRange(Sim.Stats.PeakInFlight, 1, throttle);
        if (throttle > 1) Assert.True(Sim.Stats.PeakInFlight > 1, "records were not worked on concurrently");
        if (includeContent) Assert.All(results, r => Assert.NotNull(r.Item!.Content));
    }

    [Fact]
    public void A_429_burst_lowers_the_connections_limit_and_loses_nothing()
    {
        Sim.Knobs.DefaultEmailCount = 5;   // one page a record
        Sim.Knobs.LatencyMs = 20;
        var c = Connect(o => o with { MaxConcurrentRequests = 8 });
        void Run(int first)
        {
            using var fanOut = FanOut(c, 8, CancellationToken.None);
            var results = Drive(fanOut, Enumerable.Range(first, 16).Select(i => new RecordRequest("Deals", Id(i))));
            Assert.DoesNotContain(results, r => r.IsError);
            Assert.Equal(80, results.Count);
        }

        Run(1);
        Assert.Equal(8, c.ConcurrencyLimit);
        Sim.Knobs.Fail429Count = 8;
        Run(21);

        Assert.InRange(c.ConcurrencyLimit, 1, 7);
        Assert.Equal(8, c.ThrottledRequests);
        Assert.Equal(8, Sim.Stats.RefusedRequests);
    }

    [Fact]
    public void Stopping_early_makes_no_request_past_the_page_it_stopped_in()
    {
        var c = Connect();
        var fanOut = FanOut(c, 4, CancellationToken.None);

        var firstThree = fanOut.Add(new RecordRequest("Deals", SimRecords.Deal25)).Concat(fanOut.Complete()).Where(r => !r.IsPending).Take(3).ToList();
        fanOut.Dispose();

        Assert.Equal(3, firstThree.Count);
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public void After_cancellation_and_dispose_no_request_runs_or_starts()
    {
        Sim.Knobs.DefaultEmailCount = 40;
        Sim.Knobs.LatencyMs = 20;
        var c = Connect();
        using var cts = new CancellationTokenSource();
        var fanOut = FanOut(c, 4, cts.Token);
        var ids = Enumerable.Range(1, 12).Select(Id).ToList();

        var taken = 0;
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var id in ids)
                foreach (var r in fanOut.Add(new RecordRequest("Deals", id)))
                    if (!r.IsPending && ++taken == 5) cts.Cancel();
        });
        fanOut.Dispose();
        var sent = c.RequestsSent;

        Assert.Equal(0, c.Counters.InFlight);
        Assert.Equal(5, taken);
        Assert.DoesNotContain(Sim.Stats.Log, t => ids[5..].Any(t.Contains));   // beyond head + throttle: never started
        Assert.Throws<ObjectDisposedException>(() => fanOut.Add(new RecordRequest("Deals", ids[0])).ToList());
        Assert.Equal(sent, c.RequestsSent);
    }

    [Fact]
    public void With_defaults_one_records_bodies_are_read_many_at_once_while_the_listing_pages_on()
    {
        Sim.Knobs.DefaultEmailCount = 200;
        Sim.Knobs.LatencyMs = 10;
        var c = Connect();
        // As a cmdlet with default parameters: no cap of its own, the connection's limit only.
        using var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(c.MaxConcurrentRequests,
            RecordPages.Emails(c, null, true, new ZcrmCallContext()), CancellationToken.None);

        var results = Drive(fanOut, [new RecordRequest("Deals", Id(1))]);

        Assert.Equal(200, results.Count);
        Assert.All(results, r => Assert.NotNull(r.Item!.Content));
        Assert.Equal(Enumerable.Range(1, 200), results.Select(r => int.Parse(r.Item!.Subject!.Split(' ')[3].TrimEnd(':'))));
        Assert.True(Sim.Stats.PeakInFlight > 4, $"peak in flight {Sim.Stats.PeakInFlight}: the old limit was 4");
        Assert.InRange(Sim.Stats.PeakInFlight, 5, c.MaxConcurrentRequests);
        Assert.Equal(20, Sim.Stats.ListRequests);
        Assert.Equal(200, Sim.Stats.DetailRequests);
    }

    [Fact]
    public void With_IncludeContent_stopping_in_the_first_page_starts_nothing_past_it()
    {
        Sim.Knobs.DefaultEmailCount = 200;
        var c = Connect();
        var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(25, RecordPages.Emails(c, null, true, new ZcrmCallContext()), CancellationToken.None);

        var firstThree = fanOut.Add(new RecordRequest("Deals", Id(1))).Concat(fanOut.Complete()).Where(r => !r.IsPending).Take(3).ToList();
        fanOut.Dispose();

        Assert.Equal(3, firstThree.Count);
        Assert.Equal(1, Sim.Stats.ListRequests);
        Assert.Equal(10, Sim.Stats.DetailRequests);   // the first page's bodies, read before it was handed out
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("absent")]
    [InlineData("null")]
    [InlineData("dots")]
    public void With_IncludeContent_a_listed_email_that_cannot_be_read_fails_alone_and_the_rest_come(string how)
    {
        Sim.Knobs.DefaultEmailCount = 25;
        Sim.Knobs.BadMessageIdAt = 12;
        Sim.Knobs.BadMessageIdAs = how;
        var c = Connect();
        using var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(4, RecordPages.Emails(c, null, true, new ZcrmCallContext()), CancellationToken.None);

        var results = Drive(fanOut, [new RecordRequest("Deals", Id(1)), new RecordRequest("Deals", Id(2))]);

        // Each record: its 24 readable e-mails read in full, and in the bad one's place its own error, naming it.
        foreach (var id in new[] { Id(1), Id(2) })
        {
            var mine = results.Where(r => r.Input.RecordId == id).ToList();
            Assert.Equal(25, mine.Count);
            Assert.Equal(24, mine.Count(r => r is { IsError: false, Item.HasContent: true }));
            var failed = Assert.Single(mine, r => r.IsError);
            Assert.True(mine[12].IsError, "the failure stands in the bad e-mail's place");
            Assert.Equal("Zcrm.InvalidMessageId", Assert.IsType<ZcrmException>(failed.Error).ErrorId);
            var listed = Assert.IsType<ZcrmEmail>(failed.Subject);
            Assert.Equal(id, listed.RecordId);
        }
        Assert.Equal(48, Sim.Stats.DetailRequests);
    }

    [Fact]
    public void With_IncludeContent_an_email_Zoho_refuses_to_read_fails_alone()
    {
        Sim.Knobs.DefaultEmailCount = 15;
        var c = Connect();
        // Every detail read of the second e-mail refused, as for a mailbox the caller may not read.
        var refused = SimData.MessageId("Deals", Id(1), 1);
        Sim.Knobs.RefuseDetailOf = refused;
        using var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(4, RecordPages.Emails(c, null, true, new ZcrmCallContext()), CancellationToken.None);

        var results = Drive(fanOut, [new RecordRequest("Deals", Id(1))]);

        Assert.Equal(15, results.Count);
        var failed = Assert.Single(results, r => r.IsError);
        Assert.Equal("Zcrm.NO_PERMISSION", Assert.IsType<ZcrmException>(failed.Error).ErrorId);
        Assert.Equal(refused, Assert.IsType<ZcrmEmail>(failed.Subject).MessageId);
        Assert.Equal(1, results.IndexOf(failed));
    }

    [Fact]
    public void A_429_still_halves_the_connections_cap_when_one_record_reads_many_bodies_at_once()
    {
        Sim.Knobs.DefaultEmailCount = 60;
        Sim.Knobs.LatencyMs = 20;
        Sim.Knobs.RetryAfter = "0";
        var c = Connect(o => o with { MaxConcurrentRequests = 16 });
        Sim.Knobs.Fail429Count = 3;   // fewer in a row than the retries allow: a pause, not a trip
        using var fanOut = new OrderedFanOut<RecordRequest, ZcrmEmail>(16, RecordPages.Emails(c, null, true, new ZcrmCallContext()), CancellationToken.None);

        var results = Drive(fanOut, [new RecordRequest("Deals", Id(1))]);

        Assert.DoesNotContain(results, r => r.IsError);
        Assert.Equal(60, results.Count);
        Assert.True(c.ConcurrencyLimit < 16, $"limit {c.ConcurrencyLimit}");
    }
}
