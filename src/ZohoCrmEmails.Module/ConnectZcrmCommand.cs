using System.Management.Automation;
using System.Net;
using System.Security;

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
    public SecureString? ClientSecret { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
    [ValidateNotNull]
    [Credential]
    public PSCredential? ClientCredential { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RefreshTokenSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientCredentialSet)]
    [ValidateNotNull]
    public SecureString? RefreshToken { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
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

    [Parameter]
    [ValidatePattern(@"^v\d+(\.\d+)?$")]
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

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        ZcrmConnection connection;
        try
        {
            connection = new ZcrmConnection(BuildOptions());
        }
        catch (ZcrmException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, null));
            return;
        }

        try
        {
            WriteVerbose($"Connecting to Zoho CRM {connection.DataCenter} through {connection.AccountsUrl.GetLeftPart(UriPartial.Authority)}.");
            Wait(connection.ConnectAsync(CancelToken));
        }
        catch (ZcrmException ex)
        {
            connection.Dispose();
            FlushTrace();
            ThrowTerminatingError(ErrorRecords.From(ex, null));
        }
        catch (PipelineStoppedException)
        {
            connection.Dispose();
            throw;
        }
        FlushTrace();
        ZcrmSession.Set(connection);
        WriteVerbose($"Connected: API domain {connection.ApiDomain.GetLeftPart(UriPartial.Authority)}, token expires {connection.TokenExpiresAt?.ToString("u") ?? "(unknown: access token given)"}.");
        if (PassThru) WriteObject(connection);
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
            _ => FromEnvironmentVariables(options),
        };
    }

    /// <summary>ZCRM_* variables; explicitly bound parameters win over them. Error text names variables, never values.</summary>
    private ZcrmConnectionOptions FromEnvironmentVariables(ZcrmConnectionOptions options)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        var bound = MyInvocation.BoundParameters;
        if (!bound.ContainsKey(nameof(DataCenter)) && Env("ZCRM_DATA_CENTER") is { } dc)
        {
            if (!Enum.TryParse<ZcrmDataCenter>(dc, ignoreCase: true, out var parsed) || int.TryParse(dc, out _))
                throw new ZcrmException(ZcrmErrorCodes.InvalidConfiguration, ZcrmErrorKind.InvalidArgument,
                    $"ZCRM_DATA_CENTER must be one of {string.Join(", ", Enum.GetNames(typeof(ZcrmDataCenter)))}.");
            options = options with { DataCenter = parsed };
        }
        if (!bound.ContainsKey(nameof(AccountsUrl)) && Env("ZCRM_ACCOUNTS_URL") is { } accounts)
            options = options with { AccountsUrl = ParseUrl(accounts, "ZCRM_ACCOUNTS_URL") };
        if (!bound.ContainsKey(nameof(ApiDomain)) && Env("ZCRM_API_DOMAIN") is { } api)
            options = options with { ApiDomain = ParseUrl(api, "ZCRM_API_DOMAIN") };

        var (id, secret, refresh, access) = (Env("ZCRM_CLIENT_ID"), Env("ZCRM_CLIENT_SECRET"), Env("ZCRM_REFRESH_TOKEN"), Env("ZCRM_ACCESS_TOKEN"));
        if (id is not null && secret is not null && refresh is not null)
            return options with { ClientId = id, ClientSecret = secret, RefreshToken = refresh };
        if (access is not null)
            return options with { AccessToken = access };
        var missing = new[] { ("ZCRM_CLIENT_ID", id), ("ZCRM_CLIENT_SECRET", secret), ("ZCRM_REFRESH_TOKEN", refresh) }
            .Where(v => v.Item2 is null).Select(v => v.Item1);
        throw new ZcrmException(ZcrmErrorCodes.InvalidConfiguration, ZcrmErrorKind.InvalidArgument,
            $"-FromEnvironment needs ZCRM_CLIENT_ID, ZCRM_CLIENT_SECRET and ZCRM_REFRESH_TOKEN, or ZCRM_ACCESS_TOKEN. Not set: {string.Join(", ", missing)}.");
    }

    private static Uri ParseUrl(string value, string variable) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
            ? uri
            : throw new ZcrmException(ZcrmErrorCodes.InvalidConfiguration, ZcrmErrorKind.InvalidArgument, $"{variable} is not an absolute URL.");

    private static string Plain(SecureString? secure) => new NetworkCredential("", secure).Password;
}

/// <summary>Forgets (and disposes) the runspace's default connection.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "Zcrm")]
[OutputType(typeof(void))]
public sealed class DisconnectZcrmCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        var connection = ZcrmSession.Remove();
        if (connection is null)
        {
            WriteVerbose("No default Zoho CRM connection in this runspace.");
            return;
        }
        connection.Dispose();
        WriteVerbose($"Disconnected from {connection}.");
    }
}
