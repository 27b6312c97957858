using System.Net;
using System.Net.Http.Headers;

namespace ZohoCrmEmails.Engine.Http;

/// <summary>
/// Gets the connection's cached token once per attempt and with it decides where the request goes (the API domain
/// Zoho named with the token, unless -ApiDomain was given) and adds "Authorization: Zoho-oauthtoken …". On a 401 that
/// says the token expired or was revoked, renews it (one renewal however many callers saw the 401) and sends the
/// request once more; a request is never renewed for twice.
/// </summary>
internal sealed class AuthHandler(TokenProvider tokens, ZcrmEndpoints endpoints) : DelegatingHandler
{
    private const string Scheme = "Zoho-oauthtoken";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var state = RequestState.Of(request);
        var token = await tokens.GetAsync(null, state.Context, cancellationToken).ConfigureAwait(false);
        Address(request, state, token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || state.RenewedAfterRefusal)
            return response;

        var code = ZohoErrors.Code(state);
        if (ZohoCodes.Find(code)?.RenewsToken != true)
            return response;
        if (!tokens.CanRenew)
        {
            response.Dispose();
            throw new ZcrmException(ZcrmErrorCodes.AuthenticationFailed, ZcrmErrorKind.Authentication,
                $"The access token was refused ({code}): it expired or was revoked, and this connection has only an access token, " +
                "so it cannot renew it. Connect with a client id, client secret and refresh token instead.",
                401, state.RequestLine);
        }

        response.Dispose();
        state.RenewedAfterRefusal = true;
        var renewed = await tokens.GetAsync(token, state.Context, cancellationToken).ConfigureAwait(false);
        var retry = await RequestCloning.CloneAsync(request, cancellationToken).ConfigureAwait(false);
        Address(retry, state, renewed);
        return await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
    }

    private void Address(HttpRequestMessage request, RequestState state, AccessToken token)
    {
        request.RequestUri = new Uri(endpoints.ApiBase(token.ApiDomain) + state.PathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue(Scheme, token.Value);
    }
}
