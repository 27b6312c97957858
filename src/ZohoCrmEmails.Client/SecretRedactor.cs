using System.Net;

namespace ZohoCrmEmails;

/// <summary>
/// The one redaction step every text of a connection passes through: error messages and details, traces, the
/// connection's display. It removes the values of the secrets the connection holds (client secret, refresh token,
/// each access token issued to it, URL user info) wherever they appear, in plain, URL-encoded and form-encoded
/// spelling, whatever server text they were echoed in. Thread-safe.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "[redacted]";
    // Access tokens issued over a long session: the newest are enough, older ones are dead.
    private const int MaxSecrets = 64;
    private volatile string[] _secrets = [];
    private readonly object _gate = new();

    /// <summary>Adds a secret (and its encoded spellings); blank values are ignored.</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret)) return;
        var spellings = new[] { secret, Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret) };
        lock (_gate)
        {
            var all = _secrets.Concat(spellings).Distinct(StringComparer.Ordinal).ToList();
            if (all.Count > MaxSecrets) all.RemoveRange(0, all.Count - MaxSecrets);
            // Longest first, so that a secret containing another is removed whole.
            _secrets = [.. all.OrderByDescending(s => s.Length)];
        }
    }

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }

    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    /// <summary>The same error with every text redacted (message, request, details).</summary>
    public ZcrmException Redact(ZcrmException ex) =>
        new(ex.Code, ex.Kind, Redact(ex.Message), ex.HttpStatus, RedactOrNull(ex.Request),
            ex.Details.Count == 0 ? null : ex.Details.ToDictionary(d => Redact(d.Key), d => Redact(d.Value), StringComparer.Ordinal))
        { IsTransient = ex.IsTransient };
}
