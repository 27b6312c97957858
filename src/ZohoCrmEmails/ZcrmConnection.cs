namespace ZohoCrmEmails;

/// <summary>
/// A connection to one Zoho CRM organisation, as Connect-Zcrm returns it and -Connection takes it. It shows where it
/// connects and how it is doing, never a secret. The implementation (HTTP, OAuth, paging) is ZohoCrmEmails.ZcrmClient
/// in the engine; this base type lives with the other types users see, so scripts can name it.
/// </summary>
public abstract class ZcrmConnection : IDisposable
{
    // Only the engine derives from it.
    private protected ZcrmConnection() { }

    public abstract ZcrmDataCenter DataCenter { get; }
    /// <summary>The accounts server that issues access tokens (without any user info the URL was given with).</summary>
    public abstract Uri AccountsUrl { get; }
    /// <summary>An explicit -ApiDomain first, then the api_domain returned with the token, then the data centre's.</summary>
    public abstract Uri ApiDomain { get; }
    public abstract string ApiVersion { get; }
    /// <summary>When the cached access token expires; null for a connection made with an access token alone.</summary>
    public abstract DateTimeOffset? TokenExpiresAt { get; }
    public abstract bool CanRenewToken { get; }
    /// <summary>X-API-CREDITS-REMAINING as last seen (Zoho sends it once half the day's credits are used).</summary>
    public abstract long? ApiCreditsRemaining { get; }
    public abstract long RequestsSent { get; }
    public abstract long TokenRequests { get; }
    /// <summary>Requests this connection lets onto the wire at once now: the edition cap, lowered after a 429.</summary>
    public abstract int ConcurrencyLimit { get; }
    /// <summary>The most bytes one response may have.</summary>
    public abstract long MaxResponseBytes { get; }
    /// <summary>True after Dispose (Disconnect-Zcrm): calls then fail with Zcrm.NotConnected.</summary>
    public abstract bool IsClosed { get; }

    public override string ToString() => $"Zoho CRM {DataCenter} ({ApiDomain.GetLeftPart(UriPartial.Authority)}, {ApiVersion})";

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
