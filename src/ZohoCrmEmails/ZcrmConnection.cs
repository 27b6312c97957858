namespace ZohoCrmEmails;

/// <summary>
/// A connection to one Zoho CRM organisation, as Connect-Zcrm returns it, Get-ZcrmConnection shows it and -Connection
/// takes it: where it connects, how it authenticates and how it is doing, read live. Settings and state only: no
/// secret, no method of the engine behind it (which lives in the module's private load context). Every value is text,
/// a number, a flag or a time, so ConvertTo-Json and Export-Csv give names, not numbers or type names.
/// </summary>
public sealed class ZcrmConnection
{
    internal ZcrmConnection(IZcrmConnectionState state) => State = state;

    /// <summary>The engine's live state (ZcrmClient); the cmdlets reach the engine through it.</summary>
    internal IZcrmConnectionState State { get; }

    /// <summary>US, EU, IN, AU, JP, CN, CA, SA or UK.</summary>
    public string DataCenter => State.DataCenter.ToString();
    /// <summary>The accounts server that issues access tokens (without any user info the URL was given with).</summary>
    public string AccountsUrl => State.AccountsUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
    /// <summary>An explicit -ApiDomain first, then the api_domain returned with the token, then the data centre's.</summary>
    public string ApiDomain => State.ApiDomain.GetLeftPart(UriPartial.Authority);
    public string ApiVersion => State.ApiVersion;
    /// <summary>"RefreshToken" (renewed unattended) or "AccessToken" (used as given until it expires).</summary>
    public string Authentication => State.CanRenewToken ? "RefreshToken" : "AccessToken";
    /// <summary>When the cached access token expires; null for a connection made with an access token alone.</summary>
    public DateTimeOffset? TokenExpiresAt => State.TokenExpiresAt;
    /// <summary>X-API-CREDITS-REMAINING as last seen (Zoho sends it once half the day's credits are used).</summary>
    public long? ApiCreditsRemaining => State.ApiCreditsRemaining;
    /// <summary>Connect-Zcrm -ApiCreditReserve: no request is sent once Zoho reports this many credits or fewer left.</summary>
    public long? ApiCreditReserve => State.ApiCreditReserve;
    /// <summary>
    /// Requests this connection lets onto the wire at once now: what it learned the org leaves free from Zoho's 429s
    /// about concurrency (the org's cap is shared with its other integrations), never above <see cref="MaxConcurrentRequests"/>.
    /// </summary>
    public int ConcurrencyLimit => State.ConcurrencyLimit;
    /// <summary>429s about the org's calls at once this connection was answered (each retried after a short wait).</summary>
    public long ThrottledRequests => State.ThrottledRequests;
    /// <summary>Connect-Zcrm -MaxConcurrentRequests: the ceiling of <see cref="ConcurrencyLimit"/>.</summary>
    public int MaxConcurrentRequests => State.MaxConcurrentRequests;
    /// <summary>The most bytes one response may have.</summary>
    public long MaximumResponseSize => State.MaxResponseBytes;
    public long RequestsSent => State.RequestsSent;
    public long TokenRequests => State.TokenRequests;
    /// <summary>Whether Connect-Zcrm made it the default of its runspace (and Disconnect-Zcrm has not removed it).</summary>
    public bool IsDefault { get; internal set; }
    /// <summary>False after Disconnect-Zcrm: calls on it then fail with Zcrm.NotConnected.</summary>
    public bool IsOpen => !State.IsClosed;

    public override string ToString() => $"Zoho CRM {DataCenter} ({ApiDomain}, {ApiVersion})";
}

/// <summary>What the engine tells the connection object; implemented by the engine's client.</summary>
internal interface IZcrmConnectionState
{
    ZcrmDataCenter DataCenter { get; }
    Uri AccountsUrl { get; }
    Uri ApiDomain { get; }
    string ApiVersion { get; }
    bool CanRenewToken { get; }
    DateTimeOffset? TokenExpiresAt { get; }
    long? ApiCreditsRemaining { get; }
    long? ApiCreditReserve { get; }
    int ConcurrencyLimit { get; }
    long ThrottledRequests { get; }
    int MaxConcurrentRequests { get; }
    long MaxResponseBytes { get; }
    long RequestsSent { get; }
    long TokenRequests { get; }
    bool IsClosed { get; }
}
