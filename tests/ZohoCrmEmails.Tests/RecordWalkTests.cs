using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>
/// Finding records against the simulator, with Zoho's caps scaled down so a few hundred records cross them: every
/// record once and in id order, lazily, an empty answer in every form Zoho uses, and each error specific.
/// </summary>
public sealed class RecordWalkTests : SimulatorTest
{
    private static async Task<List<ZcrmRecord>> All(ZcrmClient c, ZcrmRecordQuery query)
    {
        var records = new List<ZcrmRecord>();
        await foreach (var page in c.GetRecordPages(query).WithTimeout()) records.AddRange(page);
        return records;
    }

    private static void AssertEveryRecordOnceInOrder(List<ZcrmRecord> records, IEnumerable<int> numbers)
    {
        Assert.Equal(numbers.Select(SimRecordStore.IdOf), records.Select(r => r.Id));
        Assert.All(records, r => Assert.Equal("Deals", r.Module));
    }

    [Fact]
    public async Task Every_record_comes_once_in_id_order_page_by_page_with_zohos_tokens()
    {
        Sim.Knobs.RecordCount = 450;
        var records = await All(Connect(), new ZcrmRecordQuery("Deals") { Fields = ["Deal_Name", "Amount", "Owner", "Last_Activity_Time"] });

        AssertEveryRecordOnceInOrder(records, Enumerable.Range(1, 450));
        Assert.Equal(3, Sim.Stats.RecordRequests);
        Assert.Equal(0, Sim.Stats.CoqlRequests);
        var first = records[0];
        Assert.Equal("Deals deal 1", first.Fields["Deal_Name"]);
        Assert.Equal(1000L, first.Fields["Amount"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 9, 1, 0, TimeSpan.Zero), first.ModifiedTime);
        Assert.IsType<DateTimeOffset>(first.Fields["Last_Activity_Time"]);
        Assert.Equal("""{"name":"Pat Boyle","id":"4150868000000225013"}""", first.Fields["Owner"]!.ToString());
        Assert.Equal("""{"Deal_Name":"Deals deal 1","Amount":1000,"Owner":{"name":"Pat Boyle","id":"4150868000000225013"},"Last_Activity_Time":"2026-01-01T09:31:00+00:00"}""",
            first.Fields.ToString());
    }

    [Fact]
    public async Task Past_the_token_walks_cap_it_goes_on_by_id_through_COQL_and_repeats_nothing()
    {
        Sim.Knobs.RecordCount = 700;
        Sim.Knobs.RecordsTokenCap = 400;
        Sim.Knobs.CoqlMaxLimit = 120;   // fewer rows a call than the module asks for at first
        var records = await All(Connect(), new ZcrmRecordQuery("Deals"));

        AssertEveryRecordOnceInOrder(records, Enumerable.Range(1, 700));
        Assert.Equal(3, Sim.Stats.RecordRequests);   // 200, 200, then the cap
        // 300 left: a refused 200-row query, then 120, 120, 60.
        Assert.Equal(4, Sim.Stats.CoqlRequests);
    }

    [Fact]
    public async Task COQLs_offset_cap_never_stops_the_walk_on_id()
    {
        Sim.Knobs.RecordCount = 500;
        Sim.Knobs.CoqlMaxLimit = 50;
        Sim.Knobs.CoqlOffsetCap = 100;
        var records = await All(Connect(), new ZcrmRecordQuery("Deals") { Criteria = "Amount > 0" });

        AssertEveryRecordOnceInOrder(records, Enumerable.Range(1, 500));
    }

    [Theory]
    [InlineData("EXPIRED_VALUE")]
    [InlineData("PAGINATION_LIMIT_EXCEEDED")]
    public async Task A_token_that_expired_or_a_walk_at_its_cap_goes_on_by_id(string how)
    {
        Sim.Knobs.RecordCount = 450;
        if (how == "EXPIRED_VALUE") Sim.Knobs.ExpirePageTokens = true; else Sim.Knobs.RecordsTokenCap = 200;
        var records = await All(Connect(), new ZcrmRecordQuery("Deals"));

        AssertEveryRecordOnceInOrder(records, Enumerable.Range(1, 450));
        Assert.Equal(2, Sim.Stats.RecordRequests);
    }

    [Fact]
    public async Task A_custom_view_past_the_token_walks_cap_ends_saying_how_far_it_got()
    {
        Sim.Knobs.RecordCount = 900;   // the view shows 450
        Sim.Knobs.RecordsTokenCap = 400;
        var c = Connect();
        var records = new List<ZcrmRecord>();
        var ex = await Assert.ThrowsAsync<ZcrmException>(async () =>
        {
            await foreach (var page in c.GetRecordPages(new ZcrmRecordQuery("Deals") { CustomViewId = SimRecordStore.OpenDealsView }).WithTimeout())
                records.AddRange(page);
        });

        Assert.Equal(400, records.Count);
        Assert.Equal(400, records.Select(r => r.Id).Distinct().Count());
        Assert.Equal("Zcrm.RecordListIncomplete", ex.ErrorId);
        Assert.Contains("PAGINATION_LIMIT_EXCEEDED", ex.Message);
        Assert.Contains("The 400 records before it were returned", ex.Message);
    }

    [Fact]
    public async Task Past_the_cap_without_the_COQL_scope_it_ends_saying_how_far_it_got_and_which_scope_is_missing()
    {
        Sim.Knobs.RecordCount = 300;
        Sim.Knobs.RecordsTokenCap = 200;
        Sim.Knobs.CoqlScopeMissing = true;
        var c = Connect();
        var records = new List<ZcrmRecord>();
        var ex = await Assert.ThrowsAsync<ZcrmException>(async () =>
        {
            await foreach (var page in c.GetRecordPages(new ZcrmRecordQuery("Deals")).WithTimeout()) records.AddRange(page);
        });

        Assert.Equal(200, records.Count);
        Assert.Equal("Zcrm.RecordListIncomplete", ex.ErrorId);
        Assert.Contains("ZohoCRM.coql.READ", ex.Message);
        Assert.Contains($"the last with id {SimRecordStore.IdOf(200)}", ex.Message);
        Assert.Contains($"id > {SimRecordStore.IdOf(200)}", ex.Message);
    }

    [Theory]
    [InlineData("304")]
    [InlineData("204")]
    [InlineData("200")]
    public async Task Nothing_modified_since_is_zero_records_whichever_way_Zoho_says_it(string how)
    {
        Sim.Knobs.RecordCount = 50;
        Sim.Knobs.RecordsEmptyAs = how;
        var records = await All(Connect(), new ZcrmRecordQuery("Deals") { ModifiedSince = DateTimeOffset.UtcNow });

        Assert.Empty(records);
        Assert.Equal(1, Sim.Stats.RecordRequests);
        Assert.Contains(Sim.Stats.Log, l => l.StartsWith("GET /crm/v8/Deals?fields=id%2CModified_Time&per_page=200&sort_by=id&sort_order=asc&page=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Modified_since_and_active_since_find_the_records_an_email_arrived_on()
    {
        Sim.Knobs.RecordCount = 300;
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        Sim.Records.EmailArrived("Deals", SimRecordStore.IdOf(17), Sim.Knobs);
        Sim.Knobs.NewEmailMoves = "activity";
        Sim.Records.EmailArrived("Deals", SimRecordStore.IdOf(250), Sim.Knobs);
        var c = Connect();

        Assert.Equal([SimRecordStore.IdOf(17)], (await All(c, new ZcrmRecordQuery("Deals") { ModifiedSince = since })).Select(r => r.Id));
        Assert.Equal([SimRecordStore.IdOf(17), SimRecordStore.IdOf(250)], (await All(c, new ZcrmRecordQuery("Deals") { ActiveSince = since })).Select(r => r.Id));
    }

    [Fact]
    public async Task A_criteria_goes_through_COQL_and_finds_what_it_selects()
    {
        Sim.Knobs.RecordCount = 400;
        var records = await All(Connect(), new ZcrmRecordQuery("Deals") { Criteria = "Stage = 'Closed Won' and Amount > 100000", Fields = ["Stage"] });

        // Stage is Closed Won for every fourth record from 2; Amount is 1,000 × the number.
        AssertEveryRecordOnceInOrder(records, Enumerable.Range(101, 300).Where(n => n % 4 == 2));
        Assert.All(records, r => Assert.Equal("Closed Won", r.Fields["Stage"]));
        Assert.Equal(0, Sim.Stats.RecordRequests);
    }

    [Theory]
    [InlineData("Stagee = 'Closed Won'", "INVALID_QUERY", "column_name: Stagee; clause: where")]
    [InlineData("Stage = ", "SYNTAX_ERROR", "clause: where")]
    public async Task COQLs_errors_quote_the_clause_Zoho_names_and_the_query_sent(string criteria, string code, string quoted)
    {
        Sim.Knobs.RecordCount = 10;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => All(Connect(), new ZcrmRecordQuery("Deals") { Criteria = criteria }));

        Assert.Equal("Zcrm." + code, ex.ErrorId);
        Assert.Contains(quoted, ex.Message);
        Assert.Contains($"The query sent: select id, Modified_Time from Deals where ({criteria}) and id > 0 order by id asc limit 200", ex.Message);
    }

    [Fact]
    public async Task A_first_page_asked_for_is_one_request()
    {
        Sim.Knobs.RecordCount = 1000;
        var c = Connect();
        await foreach (var page in c.GetRecordPages(new ZcrmRecordQuery("Deals")).WithTimeout())
        {
            Assert.Equal(200, page.Count);
            break;
        }
        Assert.Equal(1, Sim.Stats.RecordRequests);
    }

    [Fact]
    public async Task The_count_is_Zohos_and_a_custom_views()
    {
        Sim.Knobs.RecordCount = 77;
        var c = Connect();
        Assert.Equal(77, await c.CountRecordsAsync("Deals"));
        Assert.Equal(39, await c.CountRecordsAsync("Deals", SimRecordStore.OpenDealsView));
    }

    [Theory]
    [InlineData("", null, null, null, "Zcrm.InvalidModule")]
    [InlineData("Deals/../x", null, null, null, "Zcrm.InvalidModule")]
    [InlineData("Deals", "12ab", null, null, "Zcrm.InvalidCustomViewId")]
    [InlineData("Deals", null, " ", null, "Zcrm.InvalidCriteria")]
    [InlineData("Deals", null, "a = 'b'\n", null, "Zcrm.InvalidCriteria")]
    [InlineData("Deals", null, null, "Deal Name", "Zcrm.InvalidField")]
    [InlineData("Deals", "4150868000000087501", "Amount > 1", null, "Zcrm.InvalidParameterCombination")]
    public void Bad_input_is_refused_before_any_request(string module, string? cvid, string? criteria, string? field, string errorId)
    {
        var c = Connect();
        var ex = Assert.Throws<ZcrmException>(() => c.GetRecordPages(new ZcrmRecordQuery(module)
        {
            CustomViewId = cvid,
            Criteria = criteria,
            Fields = field is null ? [] : [field],
        }));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public void The_COQL_walk_quotes_times_as_Zoho_writes_them()
    {
        var since = new DateTimeOffset(2026, 12, 1, 1, 30, 0, TimeSpan.FromHours(5.5));
        Assert.Equal("select id, Modified_Time, Stage from Deals where (Stage = 'x') and (Last_Activity_Time >= '2026-11-30T20:00:00+00:00' or " +
            "Modified_Time >= '2026-11-30T20:00:00+00:00') and id > 42 order by id asc limit 2000",
            ZcrmClient.CoqlQuery(new ZcrmRecordQuery("Deals") { Criteria = "Stage = 'x'", ActiveSince = since, Fields = ["Stage", "id"] }, 42, 2000));
    }

    [Fact]
    public async Task A_COQL_server_that_ignores_the_id_it_was_given_ends_with_an_error_not_a_silent_stop()
    {
        // Every call answers the first two records again and says more follow: the walk cannot go on, and says so.
        var calls = 0;
        var walk = new Engine.Paging.RecordWalk(new ZcrmRecordQuery("Deals") { Criteria = "Stage = 'x'" },
            (_, _, _) => throw new InvalidOperationException("the Records API is not used for a criteria"),
            (_, _, _) =>
            {
                calls++;
                return Task.FromResult(new Engine.Json.ZcrmRecordPage(
                    [new ZcrmRecord { Module = "Deals", Id = "1" }, new ZcrmRecord { Module = "Deals", Id = "2" }],
                    new Engine.Json.ZcrmRecordPageInfo { MoreRecords = true }));
            }, "v8");
        var records = new List<ZcrmRecord>();

        var ex = await Assert.ThrowsAsync<ZcrmException>(async () =>
        {
            await foreach (var page in walk.Pages().WithTimeout()) records.AddRange(page);
        });

        Assert.Equal(["1", "2"], records.Select(r => r.Id));
        Assert.Equal(2, calls);
        Assert.Equal(ZcrmErrorCodes.InvalidResponse, ex.Code);
        Assert.Contains("after id 2", ex.Message);
    }
}
