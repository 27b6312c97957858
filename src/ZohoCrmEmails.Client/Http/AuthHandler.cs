using System.Net;
using System.Net.Http.Headers;

namespace ZohoCrmEmails.Http;

/// <summary>
/// Adds "Authorization: Zoho-oauthtoken …" from the connection's cached token. On a 401 that says the token
/// expired or was revoked, renews it once (one renewal however many callers saw the 401) and retries once.
/// </summary>
internal sealed class AuthHandler(TokenProvider tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAccessTokenAsync(null, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
            return response;

        var code = ZcrmResponses.ReadErrorCode(response);
        if (code is not ("INVALID_TOKEN" or "INVALID_OAUTHTOKEN"))
            return response;
        if (!tokens.CanRenew)
        {
            response.Dispose();
            throw new ZcrmException(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication,
                $"The access token was rejected ({code}): it expired or was revoked, and this connection has only an access token. " +
                "Connect with a client id, client secret and refresh token so the module can renew it.",
                401, RequestState.Of(request).Description);
        }

        response.Dispose();
        var renewed = await tokens.GetAccessTokenAsync(token, cancellationToken).ConfigureAwait(false);
        var retry = await RequestCloning.CloneAsync(request, cancellationToken).ConfigureAwait(false);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Zoho-oauthtoken", renewed.Value);
        return await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
    }
}
