using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Engine.FanOut;
using ZohoCrmEmails.Engine.Paging;
using ZohoCrmEmails.Models;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>Every mailbox of a record, and any call through the connection, against the simulator.</summary>
public sealed class MailboxAndRestTests : SimulatorTest
{
    private const string Record = "4150868000000000011";

    private static async Task<List<IReadOnlyList<ZcrmEmail>>> Pages(IAsyncEnumerable<IReadOnlyList<ZcrmEmail>> pages)
    {
        var all = new List<IReadOnlyList<ZcrmEmail>>();
        await foreach (var page in pages.WithTimeout()) all.Add(page);
        return all;
    }

    [Fact]
    public async Task Every_mailbox_comes_after_the_callers_own_each_message_once_owned_by_its_mailbox()
    {
        Sim.Knobs.DefaultEmailCount = 15;
        Sim.Knobs.MailboxEmails = 12;
        Sim.Knobs.MailboxOverlap = 3;
        var pages = await Pages(Connect().GetEmailPages("Deals", Record, allMailboxes: true));
        var emails = pages.SelectMany(p => p).ToList();

        Assert.DoesNotContain(pages, p => p is ItemFailure<ZcrmEmail>);
        Assert.Equal(15 + 12 + 12, emails.Count);
        Assert.Equal(emails.Count, emails.Select(e => e.MessageId).Distinct().Count());
        Assert.Equal([.. Enumerable.Repeat("Pat Boyle", 15), .. Enumerable.Repeat("Will Grandon", 12), .. Enumerable.Repeat("boyle", 12)],
            emails.Select(e => e.Owner!.Name));
        Assert.Equal(1, Sim.Stats.SharingRequests);
        Assert.Equal(2 + 2 + 2, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task With_content_each_email_is_read_with_its_mailbox_owners_id()
    {
        Sim.Knobs.DefaultEmailCount = 4;
        Sim.Knobs.MailboxEmails = 3;
        var emails = (await Pages(Connect().GetEmailPages("Deals", Record, includeContent: true, allMailboxes: true))).SelectMany(p => p).ToList();

        Assert.Equal(10, emails.Count);
        Assert.All(emails, e => Assert.True(e.HasContent));
        Assert.Equal(3, Sim.Stats.Log.Count(l => l.Contains("/Emails/", StringComparison.Ordinal) && l.Contains("owner_id=412463000000867017", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_mailbox_that_refuses_is_a_failure_in_its_place_and_the_next_mailbox_still_comes()
    {
        Sim.Knobs.DefaultEmailCount = 4;
        Sim.Knobs.MailboxEmails = 3;
        Sim.Knobs.RefuseMailboxOf = SimData.SharedUsers[0].Id;
        Sim.Knobs.MailboxRefusal = "NO_PERMISSION";
        var pages = await Pages(Connect().GetEmailPages("Deals", Record, allMailboxes: true));

        var failure = Assert.IsType<ItemFailure<ZcrmEmail>>(Assert.Single(pages, p => p is ItemFailure<ZcrmEmail>));
        Assert.Equal("Zcrm.NO_PERMISSION", Assert.IsType<ZcrmException>(failure.Error).ErrorId);
        var mailbox = Assert.IsType<Mailbox>(failure.Subject);
        Assert.Equal($"Deals/{Record}, the mailbox of Will Grandon (412463000001213019)", mailbox.ToString());
        Assert.Equal(4 + 3, pages.SelectMany(p => p).Count());
        Assert.Equal(1, pages.IndexOf(failure));   // after the caller's own page, before boyle's
    }

    [Theory]
    [InlineData("array")]
    [InlineData("204")]
    public async Task Nothing_shared_is_the_callers_own_view_alone(string how)
    {
        Sim.Knobs.DefaultEmailCount = 4;
        Sim.Knobs.MailboxEmails = 3;
        Sim.Knobs.SharingEmpty = how;
        var emails = (await Pages(Connect().GetEmailPages("Deals", Record, allMailboxes: true))).SelectMany(p => p).ToList();
        Assert.Equal(4, emails.Count);
    }

    [Fact]
    public void Every_mailbox_with_one_view_named_is_refused_before_any_request()
    {
        var ex = Assert.Throws<ZcrmException>(() => Connect().GetEmailPages("Deals", Record, new ZcrmEmailQuery(ZcrmEmailType.SentFromCrm), allMailboxes: true));
        Assert.Equal("Zcrm.InvalidParameterCombination", ex.ErrorId);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Theory]
    [InlineData("/crm/v8/users?type=ActiveUsers&per_page=3", 7, 3)]
    [InlineData("/crm/v8/Deals?fields=id&per_page=200", 450, 3)]
    [InlineData("/crm/v8/Deals/4150868000001234001/Emails", 25, 3)]
    public async Task Any_get_is_followed_through_zohos_own_paging(string path, int items, int requests)
    {
        Sim.Knobs.UserCount = 7;
        Sim.Knobs.RecordCount = 450;
        var all = new List<JsonElement>();
        await foreach (var page in Connect().InvokePages(path).WithTimeout()) all.AddRange(page);

        Assert.Equal(items, all.Count);
        Assert.Equal(requests, Sim.Stats.CrmRequests);
    }

    [Fact]
    public async Task A_call_answers_json_text_or_nothing()
    {
        Sim.Knobs.UserCount = 0;
        var c = Connect();
        var echo = await c.InvokeAsync(HttpMethod.Put, "/crm/v8/__echo", Encoding.UTF8.GetBytes("""{"a":1}"""));
        Assert.Equal(1, echo.Json!.Value.GetProperty("data")[0].GetProperty("details").GetProperty("a").GetInt32());
        Assert.Equal("plain text, not JSON; you sent a request", (await c.InvokeAsync(HttpMethod.Get, "/crm/v8/__text")).Text);
        var none = await c.InvokeAsync(HttpMethod.Get, "/crm/v8/users");
        Assert.Equal((204, (JsonElement?)null, (string?)null), (none.Status, none.Json, none.Text));
    }

    [Theory]
    [InlineData("https://evil.example/crm/v8/users")]
    [InlineData("//evil.example/crm/v8/users")]
    [InlineData("/oauth/v2/token")]
    [InlineData("/crm/v8/../../oauth/v2/token")]
    [InlineData("/crm/v8/%2E%2E/x")]
    [InlineData("/crm/v8/a%2fb")]
    [InlineData("/crm/v8/a\\b")]
    [InlineData("/crm/v8/users\r\nX-Injected: 1")]
    [InlineData("")]
    public void A_path_that_could_leave_the_api_is_refused_before_any_request(string path)
    {
        var ex = Assert.ThrowsAny<ZcrmException>(() => Connect().InvokeAsync(HttpMethod.Get, path).GetAwaiter().GetResult());
        Assert.Equal("Zcrm.InvalidApiPath", ex.ErrorId);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public async Task A_post_is_not_sent_again_after_a_server_fault_but_after_a_429_it_is()
    {
        var c = Connect();
        Sim.Knobs.Fail5xxCount = 1;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.InvokeAsync(HttpMethod.Post, "/crm/v8/__echo", Encoding.UTF8.GetBytes("{}")));
        Assert.Equal("Zcrm.INTERNAL_ERROR", ex.ErrorId);
        Assert.Equal(1, Sim.Stats.CrmRequests);

        Sim.Knobs.Fail429Count = 1;
        Assert.Equal(200, (await c.InvokeAsync(HttpMethod.Post, "/crm/v8/__echo", Encoding.UTF8.GetBytes("{}"))).Status);
        Assert.Equal(3, Sim.Stats.CrmRequests);
    }
}
