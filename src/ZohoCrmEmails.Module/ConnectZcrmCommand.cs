using System.Management.Automation;
using System.Net;
using System.Security;
using ZohoCrmEmails.Engine;

namespace ZohoCrmEmails.Module;

/// <summary>Connects to Zoho CRM and makes the connection the runspace's default.</summary>
[Cmdlet(VerbsCommunications.Connect, "Zcrm", DefaultParameterSetName = RefreshTokenSet)]
[OutputType(typeof(ZcrmConnection))]
public sealed class ConnectZcrmCommand : ZcrmCmdletBase
{
    private const string RefreshTokenSet = "RefreshToken";
    private const string ClientCredentialSet = "ClientCredential";
    private const string AccessTokenSet = "AccessToken";
    private const string EnvironmentSet = "Environment";

    [Parameter(Mandatory = true, ParameterSetName = RefreshTokenSet)]
    [ValidateNotNullOrEmpty]
    public string ClientId { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = RefreshTokenSet)]
    [ValidateNotNull]
    [SecureStringArgument]
    public SecureString? ClientSecret { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
    [ValidateNotNull]
    [Credential]
    public PSCredential? ClientCredential { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RefreshTokenSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
    [ValidateNotNull]
    [SecureStringArgument]
    public SecureString? RefreshToken { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    [SecureStringArgument]
    public SecureString? AccessToken { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = EnvironmentSet)]
    public SwitchParameter FromEnvironment { get; set; }

    [Parameter]
    public ZcrmDataCenter DataCenter { get; set; } = ZcrmDataCenter.US;

    [Parameter]
    [ValidateNotNull]
    public Uri? AccountsUrl { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? ApiDomain { get; set; }

    // Checked by the engine (Zcrm.InvalidConfiguration), like every other option.
    [Parameter]
    public string ApiVersion { get; set; } = "v8";

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    [Parameter]
    [ValidateRange(0, 20)]
    public int MaximumRetryCount { get; set; } = 4;

    /// <summary>Calls at once on this connection, across all cmdlets using it: the CRM edition's cap (Free 5 … Ultimate 25).</summary>
    [Parameter]
    [ValidateRange(1, 25)]
    public int MaxConcurrentRequests { get; set; } = 25;

    /// <summary>The most bytes one response may have; 64MB by default. PowerShell's size literals work: 256MB.</summary>
    [Parameter]
    [ValidateRange(1024L, 1024L * 1024 * 1024)]
    public long MaximumResponseSize { get; set; } = ZcrmConnectionOptions.DefaultMaxResponseBytes;

    /// <summary>
    /// API credits to leave for the org's other integrations: once Zoho reports this many or fewer left, the connection
    /// sends nothing more and the running cmdlet ends with Zcrm.CreditReserveReached.
    /// </summary>
    [Parameter]
    [ValidateRange(0L, long.MaxValue)]
    public long? ApiCreditReserve { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        ZcrmClient client;
        try
        {
            client = new ZcrmClient(BuildOptions());
        }
        catch (ZcrmException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, null, "Connect-Zcrm", Redact));
            return;
        }
        UseRedactor(client);

        var context = CreateCallContext();
        try
        {
            WriteTrace($"Connecting to Zoho CRM {client.DataCenter} through {client.AccountsUrl.GetLeftPart(UriPartial.Authority)}.");
            Wait(client.ConnectAsync(context, CancelToken));
        }
        catch (ZcrmException ex)
        {
            client.Dispose();
            FlushTrace();
            ThrowTerminatingError(ErrorRecords.From(ex, null, $"Connect-Zcrm to {client.AccountsUrl.GetLeftPart(UriPartial.Authority)}", Redact));
        }
        catch (PipelineStoppedException)
        {
            client.Dispose();
            throw;
        }
        FlushTrace();
        DefaultConnection.Set(client.Connection);
        WriteTrace($"Connected: API domain {client.ApiDomain.GetLeftPart(UriPartial.Authority)}, token expires {client.TokenExpiresAt?.ToString("u") ?? "(unknown: access token given)"}.");
        if (PassThru) WriteObject(client.Connection);
    }

    private ZcrmConnectionOptions BuildOptions()
    {
        var options = new ZcrmConnectionOptions
        {
            DataCenter = DataCenter,
            AccountsUrl = AccountsUrl,
            ApiDomain = ApiDomain,
            ApiVersion = ApiVersion,
            RequestTimeout = TimeSpan.FromSeconds(TimeoutSec),
            Retry = new ZcrmRetryPolicy { MaxAttempts = MaximumRetryCount + 1 },
            MaxConcurrentRequests = MaxConcurrentRequests,
            MaxResponseBytes = MaximumResponseSize,
            ApiCreditReserve = ApiCreditReserve,
        };
        return ParameterSetName switch
        {
            RefreshTokenSet => options with { ClientId = ClientId, ClientSecret = Plain(ClientSecret), RefreshToken = Plain(RefreshToken) },
            ClientCredentialSet => options with
            {
                ClientId = ClientCredential!.UserName,
                ClientSecret = ClientCredential.GetNetworkCredential().Password,
                RefreshToken = Plain(RefreshToken),
            },
            AccessTokenSet => options with { AccessToken = Plain(AccessToken) },
            _ => options.WithEnvironment(EnvironmentVariable),
        };
    }

    // An explicitly given parameter wins over its variable: the variable is then not read at all.
    private static readonly Dictionary<string, string> OverridingParameter = new(StringComparer.Ordinal)
    {
        ["ZCRM_DATA_CENTER"] = nameof(DataCenter),
        ["ZCRM_ACCOUNTS_URL"] = nameof(AccountsUrl),
        ["ZCRM_API_DOMAIN"] = nameof(ApiDomain),
    };

    private string? EnvironmentVariable(string name) =>
        OverridingParameter.TryGetValue(name, out var parameter) && MyInvocation.BoundParameters.ContainsKey(parameter)
            ? null
            : Environment.GetEnvironmentVariable(name);

    private static string Plain(SecureString? secure) => new NetworkCredential("", secure).Password;
}
