using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

/// <summary>
/// Servers that echo secrets, send endless bodies, answer 200 with errors or nulls, ignore cursors or answer with
/// another e-mail: the client stays bounded, loses nothing silently and shows no secret.
/// </summary>
public sealed class HostileServerTests : SimulatorTest
{
    private static readonly string[] Secrets = [SimCredentials.ClientSecret, SimCredentials.RefreshToken, SimCredentials.AccessTokenPrefix];

    private static void AssertNoSecret(string text)
    {
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(Uri.EscapeDataString(secret), text);
        }
    }

    private static string Everything(ZcrmException ex) =>
        string.Join("\n", [ex.ToString(), ex.Message, ex.Request ?? "", .. ex.Details.Select(d => d.Key + "=" + d.Value)]);

    [Fact]
    public async Task A_token_endpoint_that_echoes_the_request_body_shows_neither_secret_nor_refresh_token()
    {
        Sim.Knobs.EchoSecrets = true;
        Sim.Knobs.RevokeRefreshToken = true;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Connect().ConnectAsync());
        Assert.Equal(ZcrmErrorCodes.AuthenticationFailed, ex.Code);
        Assert.Contains("invalid_code", ex.Message);
        Assert.Contains(SecretRedactor.Mask, ex.Message);   // the server's text is still shown, minus the secrets
        AssertNoSecret(Everything(ex));
    }

    [Fact]
    public async Task An_api_that_echoes_the_Authorization_header_in_errors_and_headers_shows_no_token()
    {
        Sim.Knobs.EchoSecrets = true;
        var sink = new RecordingSink();
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() =>
            c.GetEmailPageAsync("Deals", SimRecords.NoPermission, context: new ZcrmCallContext(trace: sink)));
        Assert.Equal("NO_PERMISSION", ex.Code);
        Assert.Contains("permission denied (request authorized with Zoho-oauthtoken " + SecretRedactor.Mask, ex.Message);
        Assert.Equal("Zoho-oauthtoken " + SecretRedactor.Mask, ex.Details["authorization"]);
        AssertNoSecret(Everything(ex));

        await c.GetEmailPageAsync("Deals", SimRecords.Deal25, context: new ZcrmCallContext(trace: sink));
        var echoed = sink.Traces.SelectMany(t => t.ResponseHeaders).Where(h => h.Key == "X-Echo").ToList();
        Assert.Equal(2, echoed.Count);
        Assert.All(echoed, h => Assert.Equal("you sent Zoho-oauthtoken " + SecretRedactor.Mask, h.Value));
        AssertNoSecret(string.Join("\n", sink.Traces.Select(t => t + string.Join(";", t.RequestHeaders.Concat(t.ResponseHeaders)))));
    }

    [Theory]
    [InlineData(SecretRedactor.MaxMessageLength - 40)]   // the token straddles where the message is cut
    [InlineData(SecretRedactor.MaxDetailLength - 40)]    // … where the details are cut
    [InlineData(400 * 1024)]                             // 400 KB of text before it, in message and details
    public async Task Long_error_text_is_cut_after_redaction_so_no_part_of_a_token_shows(int echoAt)
    {
        Sim.Knobs.EchoSecrets = true;
        Sim.Knobs.EchoAt = echoAt;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Connect().GetEmailPageAsync("Deals", SimRecords.NoPermission));
        Assert.Equal("NO_PERMISSION", ex.Code);
        Assert.StartsWith("xxxxxxxx", ex.Message);
        Assert.InRange(ex.Message.Length, 1, SecretRedactor.MaxMessageLength + 1);
        Assert.InRange(ex.Details["authorization"].Length, 1, SecretRedactor.MaxDetailLength + 1);
        Assert.DoesNotContain(SimCredentials.AccessTokenPrefix[..8], Everything(ex));
    }

    [Theory]
    [InlineData("NOT A CODE", "NOT A CODE")]
    [InlineData(@"ABC\nDEF", "ABC?DEF")]   // a JSON-escaped line break
    public async Task A_code_not_shaped_like_Zohos_stays_out_of_the_ErrorId(string code, string shown)
    {
        Sim.Knobs.OverrideBody = $$"""{"code":"{{code}}","message":"refused","status":"error"}""";
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Connect().GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.InvalidResponse, ex.Code);
        Assert.Equal(ZcrmErrorKind.InvalidResponse, ex.Kind);
        Assert.Equal("refused", ex.Message);
        Assert.Equal(shown, ex.Details["code"]);
    }

    [Fact]
    public async Task A_password_in_an_endpoint_url_is_used_nowhere_and_shown_nowhere()
    {
        var withUser = new UriBuilder(Sim.BaseUri) { UserName = "svc", Password = "P4ss-w0rd-9x" }.Uri;
        var c = Connect(o => o with { AccountsUrl = withUser, ApiDomain = withUser });
        await c.ConnectAsync();
        Assert.Equal(10, (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails.Count);
        var shown = $"{c} {c.AccountsUrl} {c.ApiDomain}";
        Assert.DoesNotContain("P4ss-w0rd-9x", shown);
        Assert.DoesNotContain("svc@", shown);
        Assert.Equal("[redacted] and [redacted]", c.Redactor.Redact("P4ss-w0rd-9x and svc:P4ss-w0rd-9x"));

        var insecure = Assert.Throws<ZcrmException>(() => Connect(o => o with { AccountsUrl = new Uri("http://svc:P4ss-w0rd-9x@accounts.example.com") }));
        Assert.Equal(ZcrmErrorCodes.InsecureEndpoint, insecure.Code);
        Assert.DoesNotContain("P4ss-w0rd-9x", Everything(insecure));
    }

    [Theory]
    [InlineData(-1L, false)]
    [InlineData(3L * 1024 * 1024, true)]
    [InlineData(3L * 1024 * 1024, false)]
    public async Task A_body_over_the_limit_or_endless_is_refused_once_with_bounded_memory(long bytes, bool declared)
    {
        Sim.Knobs.HugeBodyBytes = bytes;
        Sim.Knobs.HugeBodyDeclaresLength = declared;
        var c = Connect(o => o with { MaxResponseBytes = 1024 * 1024 });
        await c.ConnectAsync();
        // An endless body ends here only because reading stops at the limit.
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.ResponseTooLarge, ex.Code);
        Assert.Equal(ZcrmErrorKind.LimitsExceeded, ex.Kind);
        Assert.Equal(1, Sim.Stats.ListRequests);   // not retried
    }

    [Theory]
    [InlineData("{}", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"Emails":null}""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"code":"NO_PERMISSION","details":{},"message":"permission denied","status":"error"}""", "NO_PERMISSION")]
    [InlineData("""{"data":[{"code":"INVALID_DATA","details":{"param_name":"id"},"message":"the id given seems to be invalid","status":"error"}]}""", "INVALID_DATA")]
    [InlineData("""{"Emails":[null]}""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"Emails":[{"message_id":"m1","to":[null]}]}""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"Emails":[{"message_id":"m1","status":[null]}]}""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""[]""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""null""", ZcrmErrorCodes.InvalidResponse)]
    public async Task A_200_that_is_not_a_list_of_emails_is_an_error_never_no_emails(string body, string code)
    {
        Sim.Knobs.OverrideBody = body;
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => ToListAsync(c.GetEmails("Deals", SimRecords.Deal25)));
        Assert.Equal(code, ex.Code);
        Assert.Equal(200, ex.HttpStatus);
    }

    [Fact]
    public async Task An_email_whose_lists_are_null_is_read_with_empty_lists()
    {
        Sim.Knobs.OverrideBody = """{"Emails":[{"message_id":"m1","to":null,"cc":null,"status":null}],"info":{"more_records":false}}""";
        var email = Assert.Single(await ToListAsync(Connect().GetEmails("Deals", SimRecords.Deal25)));
        Assert.Empty(email.To);
        Assert.Empty(email.Status);
        Assert.False(email.Bounced);
    }

    [Theory]
    [InlineData("{}", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"__emails_sharing_details":[null]}""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"__emails_sharing_details":[{"available_types":["all_emails"],"share_from_users":[null]}]}""", ZcrmErrorCodes.InvalidResponse)]
    [InlineData("""{"code":"NO_PERMISSION","message":"permission denied","status":"error"}""", "NO_PERMISSION")]
    public async Task A_200_that_is_not_sharing_details_is_an_error(string body, string code)
    {
        Sim.Knobs.OverrideBody = body;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => Connect().GetSharingAsync("Leads", SimRecords.LeadWithSharing));
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public async Task A_detail_read_answered_with_another_email_is_an_error()
    {
        var c = Connect();
        var first = (await c.GetEmailPageAsync("Deals", SimRecords.Deal25)).Emails[0];
        Sim.Knobs.DetailAnswersAnotherEmail = true;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailAsync("Deals", SimRecords.Deal25, first.MessageId));
        Assert.Equal(ZcrmErrorCodes.InvalidResponse, ex.Code);
        Assert.Contains(first.MessageId[..20], ex.Message);
    }

    [Fact]
    public async Task A_server_that_ignores_the_cursor_gets_no_email_handed_out_twice()
    {
        Sim.Knobs.IgnoreCursor = true;
        var c = Connect();
        var seen = new List<string>();
        var ex = await Assert.ThrowsAsync<ZcrmException>(async () =>
        {
            await foreach (var e in c.GetEmails("Deals", SimRecords.Deal25)) seen.Add(e.MessageId);
        });
        Assert.Equal(ZcrmErrorCodes.RepeatingCursor, ex.Code);
        Assert.Equal(10, seen.Count);
        Assert.Equal(10, seen.Distinct().Count());
        Assert.Equal(2, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task Pages_that_are_empty_but_say_more_follow_are_followed_ten_times_then_refused()
    {
        Sim.Knobs.EmptyPagesForever = true;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => ToListAsync(Connect().GetEmails("Deals", SimRecords.Deal25)));
        Assert.Equal(ZcrmErrorCodes.InvalidResponse, ex.Code);
        Assert.Equal(11, Sim.Stats.ListRequests);
    }

    [Fact]
    public async Task An_access_token_that_cannot_be_a_header_is_an_error_of_the_contract()
    {
        var given = Assert.Throws<ZcrmException>(() => Connect(o => o with { ClientId = null, AccessToken = "abc\r\nX-Injected: 1" }));
        Assert.Equal(ZcrmErrorCodes.InvalidConfiguration, given.Code);

        Sim.Knobs.AccessTokenSuffix = "\r\nX-Injected: 1";
        var issued = await Assert.ThrowsAsync<ZcrmException>(() => Connect().ConnectAsync());
        Assert.Equal(ZcrmErrorCodes.AuthenticationFailed, issued.Code);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public async Task A_token_that_lives_30_seconds_is_renewed_once_per_life_not_per_page()
    {
        Sim.Knobs.TokenLifetimeSeconds = 30;
        var clock = new ManualClock();
        var c = Connect(o => o with { TimeProvider = clock });
        await c.ConnectAsync();
        await ToListAsync(c.GetEmails("Accounts", SimRecords.Large));   // 15 pages
        Assert.Equal(1, Sim.Stats.TokenRequests);
        clock.Advance(TimeSpan.FromSeconds(26));   // 9/10 of its life not yet over
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        Assert.Equal(1, Sim.Stats.TokenRequests);
        clock.Advance(TimeSpan.FromSeconds(2));
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        Assert.Equal(2, Sim.Stats.TokenRequests);
    }

    [Fact]
    public async Task A_revoked_refresh_token_is_asked_once_by_twenty_callers_and_not_again()
    {
        var c = Connect();
        await c.ConnectAsync();
        Sim.Knobs.RevokeRefreshToken = true;
        Sim.ExpireAllTokens();
        var calls = Enumerable.Range(0, 20).Select(_ => Task.Run(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25))).ToList();
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<ZcrmException>(() => call);
            Assert.Contains("invalid_code", ex.Message);
        }
        var again = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.AuthenticationFailed, again.Code);
        Assert.Equal(2, Sim.Stats.TokenRequests);   // the first token, then one refused renewal
    }

    [Fact]
    public async Task Traces_go_to_the_caller_that_made_the_request()
    {
        var c = Connect();
        await c.ConnectAsync();
        var mine = new RecordingSink();
        var theirs = new RecordingSink();
        await Task.WhenAll(
            ToListAsync(c.GetEmails("Deals", SimRecords.Deal25, context: new ZcrmCallContext(trace: mine))),
            c.GetSharingAsync("Leads", SimRecords.LeadWithSharing, new ZcrmCallContext(trace: theirs)));
        Assert.Equal(3, mine.Traces.Count);
        Assert.All(mine.Traces, t => Assert.Contains("/Emails", t.PathAndQuery));
        Assert.Equal("/crm/v8/Leads/" + SimRecords.LeadWithSharing + "/__emails_sharing_details", Assert.Single(theirs.Traces).PathAndQuery);
    }

    [Fact]
    public async Task A_server_that_closes_without_answering_is_connection_failed_after_the_retries()
    {
        var c = Connect(o => o with { Retry = FastRetry with { MaxAttempts = 1 } });
        await c.ConnectAsync();
        Sim.Knobs.CloseWithoutAnswerCount = int.MaxValue;
        var sentBefore = c.RequestsSent;
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.ConnectionFailed, ex.Code);
        Assert.Equal(sentBefore + 1, c.RequestsSent);   // one attempt by the module
        // .NET re-sends a request once on a fresh connection when a pooled one turns out closed before any answer:
        // the server may see one more than the module's attempts (README, Errors).
        Assert.InRange(Sim.Stats.ListRequests, 1, 2);
    }
}
