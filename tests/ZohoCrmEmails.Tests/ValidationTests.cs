using ZohoCrmEmails.Engine;
using ZohoCrmEmails.Simulator;

namespace ZohoCrmEmails.Tests;

public sealed class ValidationTests : SimulatorTest
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("12a4")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("1.5e3")]
    [InlineData("99999999999999999999")]
    [InlineData("../../oauth")]
    [InlineData("123 ")]
    public async Task Bad_record_ids_are_refused_with_zero_requests(string id)
    {
        var c = Connect();
        var ex = Assert.Throws<ZcrmException>(() => c.GetEmails("Deals", id));
        Assert.Equal(ZcrmErrorCodes.InvalidRecordId, ex.Code);
        Assert.Equal("Zcrm.InvalidRecordId", ex.ErrorId);
        Assert.Equal(ZcrmErrorKind.InvalidArgument, ex.Kind);
        var ex2 = await Assert.ThrowsAsync<ZcrmException>(() => c.GetSharingAsync("Deals", id));
        Assert.Equal(ZcrmErrorCodes.InvalidRecordId, ex2.Code);
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("../Deals")]
    [InlineData("Deals/1")]
    [InlineData("Deals?x=1")]
    [InlineData("..")]
    [InlineData("Deals%2F")]
    [InlineData("De als")]
    [InlineData("_Deals")]
    [InlineData("Dëals")]
    public async Task Module_names_that_are_not_api_names_are_refused_with_zero_requests(string module)
    {
        var c = Connect();
        var ex = Assert.Throws<ZcrmException>(() => c.GetEmails(module, SimRecords.Deal25));
        Assert.Equal(ZcrmErrorCodes.InvalidModule, ex.Code);
        await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailAsync(module, SimRecords.Deal25, "abc"));
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task Empty_message_ids_are_refused(string messageId)
    {
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailAsync("Deals", SimRecords.Deal25, messageId));
        Assert.Equal(ZcrmErrorCodes.InvalidMessageId, ex.Code);
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Fact]
    public void An_owner_id_without_the_user_emails_type_is_refused()
    {
        var c = Connect();
        var ex = Assert.Throws<ZcrmException>(() => c.GetEmails("Deals", SimRecords.Deal25, new ZcrmEmailQuery(OwnerId: "4150868000000225013")));
        Assert.Equal(ZcrmErrorCodes.InvalidParameterCombination, ex.Code);
        ex = Assert.Throws<ZcrmException>(() => c.GetEmails("Deals", SimRecords.Deal25, new ZcrmEmailQuery(ZcrmEmailType.SentFromCrm, "4150868000000225013")));
        Assert.Equal(ZcrmErrorCodes.InvalidParameterCombination, ex.Code);
        ex = Assert.Throws<ZcrmException>(() => c.GetEmails("Deals", SimRecords.Deal25, new ZcrmEmailQuery(ZcrmEmailType.UserEmails, "pat")));
        Assert.Equal(ZcrmErrorCodes.InvalidOwnerId, ex.Code);
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Theory]
    [InlineData(ZcrmEmailType.AllContactsSentCrmEmails)]
    [InlineData(ZcrmEmailType.AllContactsScheduledCrmEmails)]
    [InlineData(ZcrmEmailType.AllContactsDraftCrmEmails)]
    public void All_contacts_types_are_refused_outside_accounts(ZcrmEmailType type)
    {
        var c = Connect();
        var ex = Assert.Throws<ZcrmException>(() => c.GetEmails("Deals", SimRecords.Deal25, new ZcrmEmailQuery(type)));
        Assert.Equal(ZcrmErrorCodes.InvalidParameterCombination, ex.Code);
        _ = c.GetEmails("Accounts", SimRecords.Deal25, new ZcrmEmailQuery(type));
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Theory]
    [InlineData(" ", ZcrmErrorCodes.InvalidMessageId)]
    [InlineData(".", ZcrmErrorCodes.InvalidMessageId)]
    [InlineData("..", ZcrmErrorCodes.InvalidMessageId)]
    [InlineData("...", ZcrmErrorCodes.InvalidMessageId)]
    [InlineData("m1\r\nX-Injected: 1", ZcrmErrorCodes.InvalidMessageId)]
    public async Task A_message_id_that_no_escaping_keeps_in_its_path_segment_is_refused_before_a_request(string messageId, string code)
    {
        var c = Connect();
        var ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailAsync("Deals", SimRecords.Deal25, messageId));
        Assert.Equal(code, ex.Code);
        ex = await Assert.ThrowsAsync<ZcrmException>(() => c.GetEmailAsync("Deals", SimRecords.Deal25, "m1", ownerId: "pat"));
        Assert.Equal(ZcrmErrorCodes.InvalidOwnerId, ex.Code);
        Assert.Equal(0, Sim.Stats.TotalRequests);
    }

    [Fact]
    public void Environment_variables_give_credentials_and_endpoints_and_name_what_is_missing()
    {
        var env = new Dictionary<string, string>
        {
            ["ZCRM_CLIENT_ID"] = SimCredentials.ClientId,
            ["ZCRM_CLIENT_SECRET"] = SimCredentials.ClientSecret,
            ["ZCRM_DATA_CENTER"] = "eu",
            ["ZCRM_ACCOUNTS_URL"] = "http://127.0.0.1:9/",
            ["ZCRM_ACCESS_TOKEN"] = "",
        };
        string? Read(string name) => env.GetValueOrDefault(name);

        var ex = Assert.Throws<ZcrmException>(() => new ZcrmConnectionOptions().WithEnvironment(Read));
        Assert.Equal(ZcrmErrorCodes.InvalidConfiguration, ex.Code);
        Assert.EndsWith("Not set: ZCRM_REFRESH_TOKEN.", ex.Message);
        Assert.DoesNotContain(SimCredentials.ClientSecret, ex.Message);

        env["ZCRM_REFRESH_TOKEN"] = SimCredentials.RefreshToken;
        var options = new ZcrmConnectionOptions { ApiVersion = "v7" }.WithEnvironment(Read);
        Assert.Equal((ZcrmDataCenter.EU, "v7", SimCredentials.RefreshToken), (options.DataCenter, options.ApiVersion, options.RefreshToken));
        Assert.Equal(new Uri("http://127.0.0.1:9/"), options.AccountsUrl);

        env["ZCRM_DATA_CENTER"] = "3";
        Assert.Contains("ZCRM_DATA_CENTER", Assert.Throws<ZcrmException>(() => new ZcrmConnectionOptions().WithEnvironment(Read)).Message);
        env["ZCRM_DATA_CENTER"] = "US";
        env["ZCRM_API_DOMAIN"] = "not a url";
        Assert.Contains("ZCRM_API_DOMAIN", Assert.Throws<ZcrmException>(() => new ZcrmConnectionOptions().WithEnvironment(Read)).Message);
    }

    [Theory]
    [InlineData("8")]
    [InlineData("v8/../x")]
    [InlineData("")]
    public void Bad_api_versions_and_settings_are_refused(string version)
    {
        var ex = Assert.Throws<ZcrmException>(() => new ZcrmClient(Options(o => o with { ApiVersion = version })));
        Assert.Equal(ZcrmErrorCodes.InvalidConfiguration, ex.Code);
        Assert.Throws<ZcrmException>(() => new ZcrmClient(new ZcrmConnectionOptions()));
        Assert.Throws<ZcrmException>(() => new ZcrmClient(Options(o => o with { RequestTimeout = TimeSpan.Zero })));
        Assert.Throws<ZcrmException>(() => new ZcrmClient(Options(o => o with { Retry = new ZcrmRetryPolicy { MaxAttempts = 0 } })));
    }
}
