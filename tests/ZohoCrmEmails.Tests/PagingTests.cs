using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

public sealed class PagingTests : SimulatorTest
{
    [Fact]
    public async Task Twenty_five_emails_take_three_requests_in_order()
    {
        var c = Connect();
        var emails = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25));
        Assert.Equal(25, emails.Count);
        Assert.Equal(3, Sim.Stats.ListRequests);
        Assert.All(emails, e => { Assert.Equal("Deals", e.Module); Assert.Equal(SimRecords.Deal25, e.RecordId); });
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"mail {i}:"), emails.Select(e => e.Subject!.Split(' ')[2] + " " + e.Subject!.Split(' ')[3]));
    }

    [Fact]
    public async Task Taking_the_first_three_emails_makes_one_request()
    {
        var c = Connect();
        var taken = new List<string>();
        await foreach (var e in c.GetEmails("Deals", SimRecords.Deal25))
        {
            taken.Add(e.MessageId);
            if (taken.Count == 3) break;
        }
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task The_next_page_is_requested_only_for_the_email_past_the_current_page()
    {
        var c = Connect();
        await using var e = c.GetEmails("Deals", SimRecords.Deal25).GetAsyncEnumerator();
        for (var i = 0; i < 10; i++) Assert.True(await e.MoveNextAsync());
        Assert.Equal(1, Sim.Stats.ListRequests);
        Assert.True(await e.MoveNextAsync());
        Assert.Equal(2, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task A_large_record_pages_through_every_email()
    {
        var c = Connect();
        var emails = await ToListAsync(c.GetEmails("Accounts", SimRecords.Large));
        Assert.Equal(150, emails.Count);
        Assert.Equal(150, emails.Select(e => e.MessageId).Distinct().Count());
        Assert.Equal(15, Sim.Stats.ListRequests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_emails_is_empty_whether_204_or_an_empty_array(bool emptyAs200)
    {
        Sim.Knobs.EmptyListAs200 = emptyAs200;
        var c = Connect();
        Assert.Empty(await ToListAsync(c.GetEmails("Deals", SimRecords.Empty)));
        Assert.Equal(1, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task The_legacy_root_key_is_read()
    {
        Sim.Knobs.LegacyEnvelope = true;
        var c = Connect();
        Assert.Equal(25, (await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25))).Count);
    }

    [Fact]
    public async Task Cursors_travel_url_encoded()
    {
        var c = Connect();
        var first = await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        Assert.Contains('+', first.NextIndex!);
        Assert.Contains('&', first.NextIndex!);
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25, index: first.NextIndex);
        var target = Sim.Stats.Log.Last();
        Assert.Contains("index=" + Uri.EscapeDataString(first.NextIndex!), target);
    }

    [Fact]
    public async Task A_bad_cursor_gets_the_servers_error()
    {
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25, index: "not-a-cursor"));
        Assert.Equal("INVALID_DATA", ex.Code);
        Assert.Equal("index", ex.Details["param_name"]);
    }

    [Fact]
    public async Task A_repeating_cursor_ends_with_its_error_not_a_loop()
    {
        Sim.Knobs.RepeatingCursor = true;
        var c = Connect();
        var seen = new List<ZohoCrmEmails.Models.ZcrmEmail>();
        var ex = await Assert.ThrowsAsync<ZcrmException>(async () =>
        {
            await foreach (var e in c.GetEmails("Deals", SimRecords.Large)) seen.Add(e);
        });
        Assert.Equal(ZcrmErrorCodes.RepeatingCursor, ex.Code);
        Assert.Equal(10, seen.Count);   // the second page repeated the first page's cursor: not handed out
        Assert.Equal(2, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Type_and_owner_filters_are_sent()
    {
        var c = Connect();
        var sent = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25, new ZcrmEmailQuery(ZcrmEmailType.SentFromCrm)));
        Assert.NotEmpty(sent);
        Assert.True(sent.Count < 25);
        Assert.Contains(Sim.Stats.Log, t => t.Contains("type=sent_from_crm"));
        await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25, new ZcrmEmailQuery(ZcrmEmailType.UserEmails, "4150868000000225013")));
        Assert.Contains(Sim.Stats.Log, t => t.Contains("type=user_emails&owner_id=4150868000000225013"));
        var scheduled = await ToListAsync(c.GetEmails("Accounts", SimRecords.Large, new ZcrmEmailQuery(ZcrmEmailType.AllContactsScheduledCrmEmails)));
        Assert.All(scheduled, e => Assert.Contains(e.Status, s => s.Type == "scheduled"));
    }

    [Fact]
    public async Task A_custom_module_is_read_like_a_standard_one()
    {
        var c = Connect();
        Sim.Knobs.DefaultEmailCount = 12;
        var emails = await ToListAsync(c.GetEmails(SimRecords.CustomModule, "4150868000009000001"));
        Assert.Equal(12, emails.Count);
        Assert.All(emails, e => Assert.Equal(SimRecords.CustomModule, e.Module));
    }
}
