using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

public sealed class ModelTests : SimulatorTest
{
    [Fact]
    public async Task List_emails_are_typed_with_every_contract_field()
    {
        var c = Connect();
        var emails = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25));
        var first = emails[0];
        Assert.Equal(64, first.MessageId.Length);
        Assert.Equal(new DateTimeOffset(2024, 5, 9, 12, 33, 12, TimeSpan.FromHours(5.5)), first.Time);
        Assert.Equal(TimeSpan.FromHours(5.5), first.Time!.Value.Offset);
        Assert.Equal("Pat Boyle <pat@crm.example.com>", first.From!.ToString());
        Assert.Equal("4150868000000225013", first.Owner!.Id);
        Assert.Equal("Pat Boyle", first.Owner.ToString());
        Assert.Equal("crm_mail", first.Source);
        Assert.Equal("Deals", first.LinkedRecord!.Module!.ApiName);
        Assert.Equal(SimRecords.Deal25, first.LinkedRecord.Id);
        Assert.True(first.HasAttachment);
        Assert.Equal("positive", first.Sentiment);

        var opened = emails[1];
        Assert.Equal(["sent", "opened"], opened.Status.Select(s => s.Type));
        Assert.True(opened.Opened);
        Assert.False(opened.Bounced);
        Assert.Equal(3, opened.Status[1].Count);
        Assert.Equal("purchase", opened.Intent);
        Assert.Equal(2, opened.To.Count);
        Assert.Single(opened.Cc);
        // Export-Csv writes ToString(): lists print their items, not a type name.
        Assert.Equal(string.Join("; ", opened.To.Select(a => $"{a.Name} <{a.Email}>")), opened.To.ToString());
        Assert.Contains(" <", opened.To.ToString());
        Assert.Equal("sent; opened", opened.Status.ToString());

        var bounced = emails[2];
        Assert.True(bounced.Bounced);
        Assert.Equal("Retries Exhausted. Host not reachable.", bounced.Status[0].BouncedReason);
        Assert.Equal("Temporarily blocked", bounced.Status[0].Category);
        Assert.Equal("Temporary Domain Failure", bounced.Status[0].SubCategory);
        Assert.Equal(TimeSpan.FromHours(5.5), bounced.Status[0].BouncedTime!.Value.Offset);

        Assert.Equal("<", emails[3].MessageId[..1]);
        Assert.Equal("bounced", bounced.Status.ToString());
        Assert.Equal(4, emails.Count(e => e.Bounced));   // indices 2, 8, 14, 20
    }

    [Fact]
    public async Task Unknown_fields_are_kept()
    {
        var c = Connect();
        var page = await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        Assert.Equal(4, page.Emails[4].AdditionalFields!["x_sim_extra"].GetProperty("index").GetInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task One_email_has_its_body_attachments_and_thread_id_as_string_or_number(bool threadIdAsNumber)
    {
        Sim.Knobs.ThreadIdAsNumber = threadIdAsNumber;
        var c = Connect();
        var listed = (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails;
        var full = await c.GetEmailAsync("Deals", SimRecords.Deal25, listed[4].MessageId);
        Assert.Equal("html", full.MailFormat);
        Assert.Contains("<p>Following up on quote 5", full.Content);
        Assert.True(full.HasContent);
        Assert.Equal(2, full.Attachments!.Count);
        Assert.Equal(24792 + 4, full.Attachments[0].Size);
        Assert.Equal("4150868000002000004", full.ThreadId);
        Assert.Equal("pat@crm.example.com", full.ReplyTo!.Email);
        Assert.Equal("Deals", full.Module);
        Assert.Equal(SimRecords.Deal25, full.RecordId);
    }

    [Fact]
    public async Task A_message_id_in_angle_brackets_travels_as_one_escaped_segment()
    {
        var c = Connect();
        var listed = (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails;
        var rfc = listed[3].MessageId;
        Assert.StartsWith("<", rfc);
        var full = await c.GetEmailAsync("Deals", SimRecords.Deal25, rfc, ownerId: "4150868000000225013");
        Assert.Equal(rfc, full.MessageId);
        Assert.Contains(Sim.Stats.Log, t => t.Contains("/Emails/" + Uri.EscapeDataString(rfc) + "?owner_id=4150868000000225013"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sharing_details_read_as_array_or_object(bool asObject)
    {
        Sim.Knobs.SharingAsObject = asObject;
        var c = Connect();
        var sharing = Assert.Single(await c.GetSharingAsync("Leads", SimRecords.LeadWithSharing));
        Assert.Equal("Leads", sharing.Module);
        Assert.Equal(SimRecords.LeadWithSharing, sharing.RecordId);
        Assert.Contains("all_emails", sharing.AvailableTypes);
        Assert.Equal(3, sharing.ShareFromUsers.Count);
        Assert.Equal(("412463000001213019", "Will Grandon", "pop"), (sharing.ShareFromUsers[0].Id, sharing.ShareFromUsers[0].Name, sharing.ShareFromUsers[0].Type));
    }

    [Fact]
    public void Loosely_typed_fields_parse_from_any_form()
    {
        var json = """
        {"Emails":[{"message_id":"m1","status":[{"type":"opened","count":2},{"type":"sent","count":"7"}],
          "sentiment_info":{"tone":"positive"},"thread_id":12345678901234567,"reply_to":"Ann <ann@x.com>",
          "attachments":[{"size":24792,"name":"a"}],"owner":{"id":"4150868000000225013","name":"P","extra":1}}],
         "info":{"more_records":false,"next_index":null}}
        """;
        var envelope = ZohoCrmEmails.Engine.Json.EmailJson.Read(System.Text.Encoding.UTF8.GetBytes(json), new ZohoCrmEmails.Engine.Json.Utf8StringPool());
        var e = envelope.Emails![0]!;
        Assert.Equal(2, e.Status[0].Count);
        Assert.Equal(7, e.Status[1].Count);
        Assert.Equal("""{"tone":"positive"}""", e.Sentiment);
        Assert.Equal("12345678901234567", e.ThreadId);
        Assert.Equal("Ann <ann@x.com>", e.ReplyTo!.ToString());
        Assert.Equal(24792, e.Attachments![0].Size);
        Assert.Equal("4150868000000225013", e.Owner!.Id);
        Assert.True(e.Owner.AdditionalFields!.ContainsKey("extra"));
    }
}
