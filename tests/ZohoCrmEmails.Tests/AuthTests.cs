using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

public sealed class AuthTests : SimulatorTest
{
    [Fact]
    public async Task Connect_obtains_a_token_and_prefers_the_api_domain_returned_with_it()
    {
        var c = Connect(o => o with { DataCenter = ZcrmDataCenter.EU });
        await c.ConnectAsync();
        Assert.Equal(1, Sim.Stats.TokenRequests);
        Assert.Equal(Sim.BaseUri.GetLeftPart(UriPartial.Authority), c.ApiDomain.GetLeftPart(UriPartial.Authority));
        Assert.NotNull(c.TokenExpiresAt);
        var emails = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25));
        Assert.Equal(25, emails.Count);
        Assert.Equal(1, Sim.Stats.TokenRequests);   // cached, shared by every call
    }

    [Fact]
    public async Task A_closed_connection_says_so_and_sends_nothing()
    {
        var c = Connect();
        await c.ConnectAsync();
        c.Dispose();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => ToListAsync(c.GetEmails("Deals", SimRecords.Deal25)));
        Assert.Equal(ZcrmErrorCodes.NotConnected, ex.Code);
        await Assert.ThrowsAsync<ZcrmException>(() => c.ConnectAsync());
        Assert.Equal(0, Sim.Stats.CrmRequests);
        Assert.Equal(1, Sim.Stats.TokenRequests);
    }

    [Fact]
    public async Task An_explicit_api_domain_overrides_the_one_returned_with_the_token()
    {
        Sim.Knobs.TokenApiDomain = "https://www.zohoapis.com";
        var c = Connect(o => o with { ApiDomain = Sim.BaseUri });
        var emails = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25));
        Assert.Equal(25, emails.Count);
        Assert.Equal(Sim.BaseUri, c.ApiDomain);
    }

    [Theory]
    [InlineData(ZcrmDataCenter.US, "https://accounts.zoho.com", "https://www.zohoapis.com")]
    [InlineData(ZcrmDataCenter.EU, "https://accounts.zoho.eu", "https://www.zohoapis.eu")]
    [InlineData(ZcrmDataCenter.IN, "https://accounts.zoho.in", "https://www.zohoapis.in")]
    [InlineData(ZcrmDataCenter.AU, "https://accounts.zoho.com.au", "https://www.zohoapis.com.au")]
    [InlineData(ZcrmDataCenter.JP, "https://accounts.zoho.jp", "https://www.zohoapis.jp")]
    [InlineData(ZcrmDataCenter.CN, "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn")]
    [InlineData(ZcrmDataCenter.CA, "https://accounts.zohocloud.ca", "https://www.zohoapis.ca")]
    [InlineData(ZcrmDataCenter.SA, "https://accounts.zoho.sa", "https://www.zohoapis.sa")]
    [InlineData(ZcrmDataCenter.UK, "https://accounts.zoho.uk", "https://www.zohoapis.uk")]
    public void Every_data_centre_has_its_accounts_server_and_api_domain(ZcrmDataCenter dc, string accounts, string api)
    {
        using var c = new ZcrmClient(new ZcrmConnectionOptions { DataCenter = dc, AccessToken = "x" });
        Assert.Equal(new Uri(accounts), c.AccountsUrl);
        Assert.Equal(new Uri(api), c.ApiDomain);
        Assert.Equal(dc, c.DataCenter);
    }

    [Fact]
    public async Task Access_token_mode_works_and_never_renews()
    {
        var c = Connect(o => o with { ClientId = null, ClientSecret = null, RefreshToken = null, AccessToken = SimCredentials.StaticAccessToken, ApiDomain = Sim.BaseUri });
        Assert.False(c.CanRenewToken);
        Assert.Equal(25, (await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25))).Count);

        var expired = Connect(o => o with { ClientId = null, ClientSecret = null, RefreshToken = null, AccessToken = "1000.expired-token", ApiDomain = Sim.BaseUri });
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => expired.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.AuthenticationFailed, ex.Code);
        Assert.Contains("refresh token", ex.Message);
        Assert.Equal(0, Sim.Stats.TokenRequests);
    }

    [Fact]
    public async Task The_token_is_renewed_before_it_expires()
    {
        var clock = new ManualClock();
        var c = Connect(o => o with { TimeProvider = clock });
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        clock.Advance(TimeSpan.FromSeconds(3600 - 120));
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        Assert.Equal(1, Sim.Stats.TokenRequests);
        clock.Advance(TimeSpan.FromSeconds(70));   // now inside the 60 s margin
        await c.GetEmailPageAsync("Deals", SimRecords.Deal25);
        Assert.Equal(2, Sim.Stats.TokenRequests);
        Assert.Equal(3, Sim.Stats.ListRequests);   // renewed ahead of time: no request was refused
    }

    [Fact]
    public async Task A_token_expiring_between_pages_2_and_3_is_renewed_once_and_nothing_is_lost()
    {
        Sim.Knobs.TokenExpiresAfterRequests = 2;
        var c = Connect();
        var emails = await ToListAsync(c.GetEmails("Deals", SimRecords.Deal25));
        Assert.Equal(25, emails.Count);
        Assert.Equal(25, emails.Select(e => e.MessageId).Distinct().Count());
        Assert.Equal(2, Sim.Stats.TokenRequests);
        Assert.Equal(4, Sim.Stats.ListRequests);   // 3 pages + the one refused with INVALID_TOKEN
    }

    [Fact]
    public async Task Twenty_concurrent_callers_on_a_token_the_server_expired_cause_one_token_request()
    {
        var c = Connect();
        await c.ConnectAsync();
        Sim.ExpireAllTokens();
        var pages = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25))));
        Assert.All(pages, p => Assert.Equal(10, p.Emails.Count));
        Assert.Equal(2, Sim.Stats.TokenRequests);
    }

    [Fact]
    public async Task Twenty_concurrent_callers_on_a_token_the_clock_expired_cause_one_token_request()
    {
        var clock = new ManualClock();
        var c = Connect(o => o with { TimeProvider = clock });
        await c.ConnectAsync();
        clock.Advance(TimeSpan.FromHours(2));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25))));
        Assert.Equal(2, Sim.Stats.TokenRequests);
        Assert.Equal(20, Sim.Stats.ListRequests);
    }

    [Theory]
    [InlineData("client", "invalid_client")]
    [InlineData("secret", "invalid_client_secret")]
    [InlineData("refresh", "invalid_code")]
    [InlineData("revoked", "invalid_code")]
    [InlineData("throttled", "Access Denied")]
    public async Task Accounts_failures_sent_as_HTTP_200_become_authentication_errors_naming_the_cause(string fault, string cause)
    {
        if (fault == "revoked") Sim.Knobs.RevokeRefreshToken = true;
        if (fault == "throttled") Sim.Knobs.ThrottleTokenEndpoint = true;
        var c = Connect(o => fault switch
        {
            "client" => o with { ClientId = "1000.WRONG" },
            "secret" => o with { ClientSecret = "wrong-secret" },
            "refresh" => o with { RefreshToken = "1000.wrong-refresh" },
            _ => o,
        });
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.ConnectAsync());
        Assert.Equal(ZcrmErrorCodes.AuthenticationFailed, ex.Code);
        Assert.Equal(ZcrmErrorKind.Authentication, ex.Kind);
        Assert.Contains(cause, ex.Message);
        Assert.Equal("Zcrm.AuthenticationFailed", ex.ErrorId);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public async Task Old_millisecond_expires_in_with_expires_in_sec_is_read_as_seconds()
    {
        Sim.Knobs.LegacyTokenExpiry = true;
        var clock = new ManualClock();
        var c = Connect(o => o with { TimeProvider = clock });
        await c.ConnectAsync();
        Assert.Equal(TimeSpan.FromSeconds(3600), c.TokenExpiresAt!.Value - clock.GetUtcNow());
    }

    [Theory]
    [InlineData("http://accounts.example.com")]
    [InlineData("http://10.1.2.3")]
    [InlineData("http://localhost.example.com")]
    [InlineData("ftp://127.0.0.1")]
    public void Plain_http_to_anything_but_loopback_is_refused_before_a_byte_is_sent(string url)
    {
        var ex = Assert.Throws<ZcrmException>(() => new ZcrmClient(Options(o => o with { AccountsUrl = new Uri(url) })));
        Assert.Equal(ZcrmErrorCodes.InsecureEndpoint, ex.Code);
        var ex2 = Assert.Throws<ZcrmException>(() => new ZcrmClient(Options(o => o with { ApiDomain = new Uri(url) })));
        Assert.Equal(ZcrmErrorCodes.InsecureEndpoint, ex2.Code);
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://127.8.9.10:1")]
    [InlineData("http://localhost:1")]
    [InlineData("http://[::1]:1")]
    [InlineData("https://accounts.example.com")]
    public void Https_and_loopback_http_are_accepted(string url)
    {
        using var c = new ZcrmClient(Options(o => o with { AccountsUrl = new Uri(url), ApiDomain = new Uri(url) }));
        Assert.Equal(new Uri(url), c.AccountsUrl);
    }

    [Fact]
    public async Task An_insecure_api_domain_returned_by_the_accounts_server_is_refused()
    {
        Sim.Knobs.TokenApiDomain = "http://crm.example.com";
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.InsecureEndpoint, ex.Code);
        Assert.Equal(0, Sim.Stats.CrmRequests);
    }

    [Fact]
    public async Task Scope_mismatch_fails_naming_the_scopes_needed()
    {
        Sim.Knobs.ScopeMismatch = true;
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Assert.Equal("OAUTH_SCOPE_MISMATCH", ex.Code);
        Assert.Contains("ZohoCRM.modules.emails.READ", ex.Message);
        Assert.Equal(1, Sim.Stats.TokenRequests);   // not a reason to renew
    }

    [Fact]
    public async Task No_token_or_secret_appears_in_any_exception()
    {
        var errors = new List<Exception>();
        async Task Capture(Func<Task> call)
        {
            try { await call(); } catch (Exception ex) { errors.Add(ex); }
        }
        var good = Connect();
        await Capture(() => Connect(o => o with { ClientId = "1000.WRONG" }).ConnectAsync());
        await Capture(() => good.GetEmailPageAsync("Deals", SimRecords.NoPermission));
        await Capture(() => good.GetEmailPageAsync("Deals", "x1"));
        await Capture(() => Connect(o => o with { ClientId = null, AccessToken = "1000.expired-token-abcdef", ApiDomain = Sim.BaseUri }).GetEmailPageAsync("Deals", "1"));
        Sim.Knobs.Fail429Count = 100;
        await Capture(() => good.GetEmailPageAsync("Deals", SimRecords.Deal25));
        Sim.Knobs.Fail429Count = 0;
        Sim.Knobs.SlowResponseCount = 1;
        Sim.Knobs.SlowResponseMs = 2000;
        await Capture(() => Connect(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(100), Retry = FastRetry with { MaxAttempts = 1 } }).GetEmailPageAsync("Deals", "7"));
        Sim.Knobs.RevokeRefreshToken = true;
        await Capture(() => Connect().ConnectAsync());

        Assert.Equal(7, errors.Count);
        var secrets = new[] { SimCredentials.ClientSecret, SimCredentials.RefreshToken, SimCredentials.AccessTokenPrefix, "1000.expired-token-abcdef" };
        foreach (var error in errors)
        {
            var text = error.ToString() + error.Message + (error as ZcrmException)?.Request;
            foreach (var secret in secrets)
                Assert.DoesNotContain(secret, text);
        }
        // Credentials travel in the form body and the Authorization header, never in a URL (which servers log).
        Assert.Contains("POST /oauth/v2/token", Sim.Stats.Log);
        Assert.Contains(Sim.Stats.Log, t => t.StartsWith("GET /crm/", StringComparison.Ordinal));
        Assert.DoesNotContain(Sim.Stats.Log, t => secrets.Any(t.Contains));
        Assert.DoesNotContain(SimCredentials.ClientSecret, Options().ToString());
        Assert.DoesNotContain(SimCredentials.RefreshToken, good.ToString());
    }
}
