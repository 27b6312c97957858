using System.Text;
using System.Text.Json;
using ZohoCrmEmails.Engine.Json;

namespace ZohoCrmEmails.Tests;

/// <summary>The e-mail reader's rules, one by one, on bodies written for them.</summary>
public sealed class EmailJsonTests
{
    private static EmailJson.Envelope Read(string json) => EmailJson.Read(Encoding.UTF8.GetBytes(json), new Utf8StringPool());

    [Fact]
    public void Short_values_repeated_across_emails_are_one_string()
    {
        var emails = Read("""{"Emails":[{"owner":{"name":"Pat Boyle"}},{"owner":{"name":"Pat Boyle"}}]}""").Emails!;
        Assert.Same(emails[0]!.Owner!.Name, emails[1]!.Owner!.Name);
    }

    [Fact]
    public void Loose_types_are_read_as_the_contract_allows()
    {
        var e = Read("""
            {"Emails":[{"message_id":"m","sent":"true","read":null,"has_attachment":false,"editable":null,"thread_id":12345678901234567,
              "intent":{"a":[1,2]},"source":7,"status":[{"type":"opened","count":"3"},{"type":"sent","count":2}],
              "attachments":[{"id":99,"name":"a.pdf","size":"10"}],"time":"2024-05-09T12:33:12+05:30","sent_time":"",
              "owner":{"id":4150868000000225013,"name":"P"}}],"info":{"per_page":"10","count":1,"more_records":false,"next_index":123}}
            """);
        var email = e.Emails!.Single()!;
        Assert.True(email.Sent);
        Assert.Null(email.Read);   // nullable in Zoho's schema: unknown, not false
        Assert.Null(email.Editable);
        Assert.Equal("12345678901234567", email.ThreadId);
        Assert.Equal("""{"a":[1,2]}""", email.Intent);
        Assert.Equal("7", email.Source);
        Assert.Equal([3L, 2L], email.Status.Select(s => s.Count!.Value));
        Assert.Equal("99", email.Attachments![0].Id);
        Assert.Equal(10, email.Attachments[0].Size);
        Assert.Equal(TimeSpan.FromHours(5.5), email.Time!.Value.Offset);
        Assert.Null(email.SentTime);
        Assert.Equal("4150868000000225013", email.Owner!.Id);
        Assert.Equal(10, e.Info!.PerPage);
        Assert.Equal("123", e.Info.NextIndex);
    }

    [Theory]
    [InlineData("""{"user_name":"Ann","email":"ann@x.com"}""", "Ann <ann@x.com>")]
    [InlineData("\"Ann <ann@x.com>\"", "Ann <ann@x.com>")]
    [InlineData("\"ann@x.com\"", "ann@x.com")]
    [InlineData("""[{"user_name":"Ann","email":"ann@x.com"},{"email":"b@x.com"}]""", "Ann <ann@x.com>")]
    [InlineData("[]", "")]
    public void Reply_to_is_an_object_a_string_or_a_list_whose_first_is_kept(string replyTo, string expected) =>
        Assert.Equal(expected, Read($$"""{"Emails":[{"message_id":"m","reply_to":{{replyTo}}}]}""").Emails![0]!.ReplyTo?.ToString() ?? "");

    [Fact]
    public void Unknown_fields_are_kept_at_every_level_and_escaped_names_are_read()
    {
        var email = Read("""
            {"Emails":[{"message_\u0069d":"m","x_new":{"k":[1]},"from":{"email":"a@x","x_tag":true},
              "linked_record":{"id":"1","module":{"api_name":"Deals","x":1},"y":2},"status":[{"type":"sent","z":null}]}],"x_root":1}
            """).Emails![0]!;
        Assert.Equal("m", email.MessageId);
        Assert.Equal("""{"k":[1]}""", email.AdditionalFields!["x_new"].GetRawText());
        Assert.True(email.From!.AdditionalFields!["x_tag"].GetBoolean());
        Assert.Equal(1, email.LinkedRecord!.Module!.AdditionalFields!["x"].GetInt32());
        Assert.Equal(2, email.LinkedRecord.AdditionalFields!["y"].GetInt32());
        Assert.Equal(JsonValueKind.Null, email.Status[0].AdditionalFields!["z"].ValueKind);
    }

    [Fact]
    public void The_list_key_may_be_the_old_one_missing_or_null()
    {
        Assert.Single(Read("""{"email_related_list":[{"message_id":"m"}]}""").Emails!);
        Assert.Null(Read("""{"code":"NO_PERMISSION"}""").Emails);
        Assert.Null(Read("""{"Emails":null}""").Emails);
        Assert.Equal([null], Read("""{"Emails":[null]}""").Emails!);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"Emails":[]} x""")]
    [InlineData("""{"Emails":[{"message_id":1}]}""")]
    [InlineData("""{"Emails":[{"to":"a@x.com"}]}""")]
    [InlineData("""{"Emails":[{"time":"yesterday"}]}""")]
    [InlineData("""{"Emails":[{"status":[{"count":"3x"}]}]}""")]
    [InlineData("""{"Emails":[{"sent":1}]}""")]
    [InlineData("""{"Emails":[{"subject":""")]
    public void What_no_rule_accepts_is_a_JsonException(string json) =>
        Assert.ThrowsAny<JsonException>(() => Read(json));
}
