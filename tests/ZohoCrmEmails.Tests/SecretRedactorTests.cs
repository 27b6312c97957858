using ZohoCrmEmails.Engine;
namespace ZohoCrmEmails.Tests;

public sealed class SecretRedactorTests
{
    [Fact]
    public void Many_token_renewals_never_push_out_the_connection_secrets()
    {
        var redactor = new SecretRedactor();
        redactor.Add("client-secret/value");
        redactor.Add("1000.refresh+token");
        for (var i = 0; i < 100; i++) redactor.AddIssued($"1000.issued.{i:D3}");

        var text = redactor.Redact("client-secret/value client-secret%2Fvalue 1000.refresh%2Btoken 1000.issued.099 1000.issued.084");

        Assert.Equal(string.Join(' ', Enumerable.Repeat(SecretRedactor.Mask, 5)), text);
        // Tokens older than the newest MaxIssuedTokens are dead and no longer searched for.
        Assert.Equal("1000.issued.083", redactor.Redact("1000.issued.083"));
    }

    [Fact]
    public void A_secret_that_contains_another_is_removed_whole()
    {
        var redactor = new SecretRedactor();
        redactor.Add("abc");
        redactor.AddIssued("xxabcxx");
        Assert.Equal($"{SecretRedactor.Mask} {SecretRedactor.Mask}", redactor.Redact("xxabcxx abc"));
    }
}
