using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Innermost handler: one attempt on the wire. Applies the per-attempt timeout, reads the whole body inside it (so a
/// connection dropped mid-body is a failed attempt the retry handler sees) within the size limit, and records the
/// attempt for the caller's trace. Error bodies are bounded tighter: only their code and message are wanted.
/// </summary>
internal sealed class WireHandler(TimeSpan timeout, long maxResponseBytes, RequestCounters counters, SecretRedactor redactor) : DelegatingHandler
{
    private const long MaxErrorBodyBytes = 1024 * 1024;
    // A streamed body may take longer than the timeout, but not trickle: past one timeout, it must average this.
    private const double MinBytesPerSecond = 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RequestState.Of(request);
        state.Attempt++;
        state.Error = null;
        cancellationToken.ThrowIfCancellationRequested();
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        counters.OnSent();
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            long? bytesRead = null;
            if (response.IsSuccessStatusCode && state.BodySink is { } sink)
            {
                var stream = await response.Content.ReadAsStreamAsync(attempt.Token).ConfigureAwait(false);
                var bodyStarted = Stopwatch.GetTimestamp();
                bytesRead = await sink(response, stream, bytes =>
                {
                    var elapsed = Stopwatch.GetElapsedTime(bodyStarted);
                    if (elapsed <= timeout || bytes >= elapsed.TotalSeconds * MinBytesPerSecond) attempt.CancelAfter(timeout);
                }, attempt.Token).ConfigureAwait(false);
            }
            else
            {
                var limit = response.IsSuccessStatusCode ? maxResponseBytes : Math.Min(maxResponseBytes, MaxErrorBodyBytes);
                var body = await BufferedBody.ReadAsync(response.Content, limit, state.RequestLine, status, attempt.Token).ConfigureAwait(false);
                CopyHeaders(response.Content.Headers, body.Headers);
                response.Content.Dispose();
                response.Content = body;
                // Zoho's error body, read here once: the auth and retry handlers and the caller's error all look at it.
                if (!response.IsSuccessStatusCode) state.Error = ZohoErrors.Read(body);
            }
            Record(state, request, response, started, null, bytesRead);
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the caller (Ctrl+C): the connection is let go at once, not left open mid-body.
            response?.Dispose();
            throw;
        }
        catch (OperationCanceledException ex)
        {
            response?.Dispose();
            Record(state, request, null, started, "timeout", null);
            throw new ZcrmException(ZcrmErrorCodes.Timeout, ZcrmErrorKind.Timeout,
                $"No complete response from {Server(request)} within {timeout.TotalSeconds:0.###} s.", null, state.RequestLine,
                new Dictionary<string, string> { ["cause"] = "timeout" }, ex)
            { IsTransient = true };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            var status = (int?)response?.StatusCode;
            response?.Dispose();
            var (cause, text) = Explain(ex, request, response is not null);
            Record(state, request, null, started, cause, null);
            // .NET's text can quote what the server sent (a malformed header line): it goes through the redactor,
            // and the original exception is not kept, so Get-Error cannot show it unredacted.
            throw new ZcrmException(ZcrmErrorCodes.ConnectionFailed, ZcrmErrorKind.Connection, redactor.Redact(text), status, state.RequestLine,
                new Dictionary<string, string> { ["cause"] = cause })
            { IsTransient = true };
        }
        catch (ZcrmException ex)
        {
            Record(state, request, response, started, ex.Code, null);
            response?.Dispose();
            throw;
        }
        finally
        {
            counters.OnFinished();
        }
    }

    private static string Server(HttpRequestMessage request) => request.RequestUri?.Authority ?? "the server";

    /// <summary>
    /// The cause of a connection failure in words, and as a word the retry policy and scripts can branch on: refused,
    /// dns, tls, unreachable (nothing answers at all) or dropped (it answered, then the connection broke).
    /// </summary>
    private static (string Cause, string Text) Explain(Exception ex, HttpRequestMessage request, bool answered)
    {
        var server = Server(request);
        var socket = Inner<System.Net.Sockets.SocketException>(ex);
        if (!answered && ex is HttpRequestException http)
        {
            switch (socket?.SocketErrorCode)
            {
                case System.Net.Sockets.SocketError.ConnectionRefused:
                    return ("refused", $"The connection to {server} was refused: nothing listens there, or a firewall refuses it.");
                case System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.TryAgain or System.Net.Sockets.SocketError.NoData:
                    return ("dns", $"The host name {request.RequestUri?.Host} could not be resolved (DNS): check the data centre, the accounts URL and API domain given, and the network.");
                case System.Net.Sockets.SocketError.NetworkUnreachable or System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.TimedOut:
                    return ("unreachable", $"{server} cannot be reached from this machine ({socket.SocketErrorCode}): check the network and any proxy.");
            }
            switch (http.HttpRequestError)
            {
                case HttpRequestError.NameResolutionError:
                    return ("dns", $"The host name {request.RequestUri?.Host} could not be resolved (DNS): check the data centre, the accounts URL and API domain given, and the network.");
                case HttpRequestError.SecureConnectionError:
                    return ("tls", $"The TLS handshake with {server} failed: {Describe(ex)}");
                case HttpRequestError.ConnectionError:
                    return ("unreachable", $"No connection to {server} could be made: {Describe(ex)}");
            }
        }
        return ("dropped", $"The connection to {server} broke before the response was complete: {Describe(ex)}");
    }

    private static T? Inner<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is T found) return found;
        return null;
    }

    private static string Describe(Exception ex)
    {
        var text = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
            text += " " + inner.Message;
        return text;
    }

    private static void CopyHeaders(HttpContentHeaders from, HttpContentHeaders to)
    {
        foreach (var header in from)
            to.TryAddWithoutValidation(header.Key, header.Value);
    }

    private void Record(RequestState state, HttpRequestMessage request, HttpResponseMessage? response, long started, string? outcome, long? bytesRead)
    {
        if (state.Attempts is not { } attempts) return;
        var headers = state.Context.Trace!.IncludeHeaders;
        attempts.Add(new ZcrmRequestTrace(
            request.Method.Method,
            redactor.Redact(state.PathAndQuery),
            response is null ? null : (int)response.StatusCode,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            state.Attempt,
            outcome ?? (response is { StatusCode: HttpStatusCode.TooManyRequests } ? "throttled" : null),
            headers ? Headers(request.Headers) : [],
            headers && response is not null ? [.. Headers(response.Headers), .. Headers(response.Content.Headers)] : [])
        {
            BytesRead = bytesRead,
        });
    }

    private static readonly string[] CredentialHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"];

    // Credentials by header name, and every secret the connection knows by value, whatever header carries it.
    private List<KeyValuePair<string, string>> Headers(HttpHeaders headers) =>
        headers.Select(h => new KeyValuePair<string, string>(h.Key, RedactHeader(h.Key, string.Join(", ", h.Value)))).ToList();

    private string RedactHeader(string name, string value)
    {
        if (CredentialHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            var space = value.IndexOf(' ');
            return space > 0 ? value[..space] + " " + SecretRedactor.Mask : SecretRedactor.Mask;
        }
        return redactor.Redact(value);
    }
}
