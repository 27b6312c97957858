using System.Net;

namespace ZohoCrmEmails.Engine;

/// <summary>
/// The one redaction step every text of a connection passes through: error messages and details, traces, the
/// connection's display. It removes the values of the secrets the connection holds (client secret, refresh token,
/// each access token issued to it, URL user info) wherever they appear, in plain, URL-encoded and form-encoded
/// spelling, whatever server text they were echoed in. Thread-safe.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "[redacted]";
    // A long session renews its access token many times: the newest are enough, older ones are dead.
    // The connection's own secrets are never dropped to make room for them.
    internal const int MaxIssuedTokens = 16;
    private readonly List<string> _permanent = [];
    private readonly Queue<string> _issued = new();
    private volatile string[] _spellings = [];
    private readonly object _gate = new();

    /// <summary>Adds a secret the connection holds for its whole life; blank values are ignored.</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret)) return;
        lock (_gate)
        {
            _permanent.Add(secret);
            Publish();
        }
    }

    /// <summary>Adds an access token the accounts server issued; only the newest <see cref="MaxIssuedTokens"/> are kept.</summary>
    public void AddIssued(string? token)
    {
        if (string.IsNullOrWhiteSpace(token)) return;
        lock (_gate)
        {
            _issued.Enqueue(token);
            while (_issued.Count > MaxIssuedTokens) _issued.Dequeue();
            Publish();
        }
    }

    private void Publish() =>
        // Longest first, so that a secret containing another is removed whole.
        _spellings = [.. _permanent.Concat(_issued)
            .SelectMany(s => new[] { s, Uri.EscapeDataString(s), WebUtility.UrlEncode(s) })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)];

    public string Redact(string text)
    {
        foreach (var secret in _spellings)
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }

    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    /// <summary>
    /// Server text to show: redacted, then shortened and cleared of control characters. In that order, so that a cut
    /// never leaves the start of a secret showing.
    /// </summary>
    internal string Quote(string text, int maxLength) => Shorten(Redact(text), maxLength);

    /// <summary>
    /// Text of an input or a server to echo in a message: never an unbounded amount of it (cut with "…" after
    /// <paramref name="max"/> characters), control characters shown as '?'. Ids and names the user gave; server text
    /// goes through <see cref="Quote"/>, which redacts first.
    /// </summary>
    public static string Shorten(string text, int max = 64)
    {
        var shown = text.Length <= max ? text : text[..max] + "…";
        return shown.Any(char.IsControl) ? string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c)) : shown;
    }

    // An error body may hold up to 1 MiB of a server's text.
    internal const int MaxMessageLength = 2000;
    internal const int MaxDetailNameLength = 64;
    internal const int MaxDetailLength = 500;

    /// <summary>The same error with every text redacted and bounded (message, request, details).</summary>
    public ZcrmException Redact(ZcrmException ex)
    {
        Dictionary<string, string>? details = null;
        foreach (var (name, value) in ex.Details)
            // Names that differ only in a secret or past the bound meet here: the last one stands.
            (details ??= new(StringComparer.Ordinal))[Quote(name, MaxDetailNameLength)] = Quote(value, MaxDetailLength);
        return new(ex.Code, ex.Kind, Quote(ex.Message, MaxMessageLength), ex.HttpStatus, RedactOrNull(ex.Request), details)
        { IsTransient = ex.IsTransient };
    }
}
