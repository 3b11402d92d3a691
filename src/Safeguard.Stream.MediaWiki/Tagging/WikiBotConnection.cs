using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.MediaWiki.Tagging;

/// <summary>One Action API answer: the JSON root, or the API's error code and text, or a transport failure (<see cref="TagOutcomeCode"/>).</summary>
internal sealed record ApiAnswer(JsonElement Root, string? ErrorCode, string? ErrorInfo, string? Failure)
{
    public bool Ok => ErrorCode is null && Failure is null;

    public static ApiAnswer Error(string code, string info) => new(default, code, info, null);

    public static ApiAnswer Broken(string failure, string info) => new(default, null, info, failure);
}

/// <summary>
/// The Action API as the configured account, through the same per-wiki resilience pipeline and attempt handler as the
/// diff client (retries honouring <c>Retry-After</c> on maxlag, 429 and 503; circuit breaker; read rate limit). Every
/// request carries <c>format=json&amp;formatversion=2</c>, <c>maxlag</c> and, once signed in, <c>assert</c>.
/// A BotPassword signs in with <c>action=login</c> (cookies kept per wiki); an access token goes as
/// <c>Authorization: Bearer</c>. Writes wait for the wiki's write rate limit and carry the cached CSRF token: a
/// <c>badtoken</c> gets a fresh token, a failed assertion (lost session) a fresh sign-in, each once.
/// Secrets travel in POST bodies and headers only, never in a URL or a log line.
/// </summary>
internal sealed partial class WikiBotConnection(
    HttpClient http,
    IOptions<MediaWikiOptions> wikiOptions,
    IOptions<WikiTagClientOptions> options,
    WikiBotSessions sessions,
    ILogger<WikiBotConnection> logger)
{
    private readonly MediaWikiOptions _wiki = wikiOptions.Value;
    private readonly WikiTagClientOptions _options = options.Value;

    public DomainAllowlist Allowlist { get; } = new(wikiOptions.Value.EffectiveAllowedDomains);

    /// <summary>A read as the account (signed in first when needed).</summary>
    public Task<ApiAnswer> ReadAsync(string domain, string assert, IEnumerable<(string Name, string Value)> parameters, CancellationToken ct) =>
        CallAsync(domain, assert, [.. parameters], write: false, ct);

    /// <summary>A write (<c>token</c> added) as the account, after the wiki's write rate limit.</summary>
    public Task<ApiAnswer> WriteAsync(string domain, string assert, IEnumerable<(string Name, string Value)> parameters, CancellationToken ct) =>
        CallAsync(domain, assert, [.. parameters], write: true, ct);

    /// <summary>
    /// A read as nobody (no cookies, no token, no assertion): what the wiki says of an account to anyone, e.g. its rights
    /// by group, which a grant-limited session is not told about itself.
    /// </summary>
    public Task<ApiAnswer> ReadAnonymouslyAsync(string domain, IEnumerable<(string Name, string Value)> parameters, CancellationToken ct) =>
        SendAsync(domain.ToLowerInvariant(), session: null, [.. parameters], post: false, ct);

    private async Task<ApiAnswer> CallAsync(string domain, string assert, List<(string Name, string Value)> parameters, bool write, CancellationToken ct)
    {
        var wiki = domain.ToLowerInvariant();
        var session = sessions.For(wiki);
        var freshToken = false;
        var freshSession = false;
        while (true)
        {
            var signIn = await EnsureSignedInAsync(wiki, session, ct);
            if (signIn is not null)
            {
                return signIn;
            }

            var answer = await SendOnceAsync(wiki, session, assert, parameters, write, ct);
            switch (answer.ErrorCode)
            {
                case "badtoken" when !freshToken:
                    Log.TokenRefreshed(logger, wiki);
                    session.CsrfToken = null;
                    freshToken = true;
                    continue;
                case "assertbotfailed" or "assertuserfailed" or "notloggedin" when !freshSession && _options.UsesBotPassword:
                    // The session expired or was dropped (or the bot flag went): sign in again, once.
                    Log.SigningInAgain(logger, wiki, answer.ErrorCode);
                    session.Reset();
                    freshSession = true;
                    continue;
                default:
                    return answer;
            }
        }
    }

    private async Task<ApiAnswer> SendOnceAsync(
        string wiki, WikiBotSession session, string assert, List<(string Name, string Value)> parameters, bool write, CancellationToken ct)
    {
        var sent = parameters.ToList();
        sent.Add(("assert", assert));
        if (write)
        {
            var (token, failed) = await CsrfTokenAsync(wiki, session, assert, ct);
            if (token is null)
            {
                return failed!;
            }

            sent.Add(("token", token));
            using var lease = await session.Writes.AcquireAsync(1, ct);
            if (!lease.IsAcquired)
            {
                return ApiAnswer.Broken(TagOutcomeCode.RateLimited, $"more writes to {wiki} are waiting than the write rate limit queues");
            }
        }

        return await SendAsync(wiki, session, sent, post: write, ct);
    }

    private async Task<ApiAnswer?> EnsureSignedInAsync(string wiki, WikiBotSession session, CancellationToken ct)
    {
        if (!_options.UsesBotPassword || session.SignedIn)
        {
            return null;
        }

        await session.Gate.WaitAsync(ct);
        try
        {
            if (session.SignedIn)
            {
                return null;
            }

            var tokens = await SendAsync(wiki, session, [("action", "query"), ("meta", "tokens"), ("type", "login")], post: false, ct);
            if (!tokens.Ok)
            {
                return tokens;
            }

            var loginToken = Text(tokens.Root, "query", "tokens", "logintoken");
            if (loginToken is null)
            {
                return ApiAnswer.Broken(TagOutcomeCode.BadResponse, "meta=tokens&type=login: no logintoken");
            }

            var login = await SendAsync(wiki, session,
                [("action", "login"), ("lgname", _options.BotUsername!), ("lgpassword", _options.BotPassword!), ("lgtoken", loginToken)], post: true, ct);
            if (!login.Ok)
            {
                return login;
            }

            var result = Text(login.Root, "login", "result");
            if (result != "Success")
            {
                // MediaWiki's reason ("Incorrect username or password entered") never repeats the password.
                var reason = Text(login.Root, "login", "reason") ?? result ?? "no result";
                session.Problem = $"login as {_options.BotUsername} failed: {reason}";
                Log.SignInFailed(logger, wiki, _options.BotUsername!, result ?? "none");
                return ApiAnswer.Error(TagOutcomeCode.LoginFailed,
                    $"action=login as {_options.BotUsername} answered {result}: {reason} (check Safeguard:Tagging:BotUsername, User@app from Special:BotPasswords, and Safeguard:Tagging:BotPassword)");
            }

            session.SignedIn = true;
            session.Problem = null;
            Log.SignedIn(logger, wiki, _options.BotUsername!);
            return null;
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>The cached CSRF token, fetched when there is none; or why there is none.</summary>
    private async Task<(string? Token, ApiAnswer? Failed)> CsrfTokenAsync(string wiki, WikiBotSession session, string assert, CancellationToken ct)
    {
        if (session.CsrfToken is { } cached)
        {
            return (cached, null);
        }

        var answer = await SendAsync(wiki, session, [("action", "query"), ("meta", "tokens"), ("type", "csrf"), ("assert", assert)], post: false, ct);
        if (!answer.Ok)
        {
            return (null, answer);
        }

        var token = Text(answer.Root, "query", "tokens", "csrftoken");
        // "+\\" is the anonymous token: not worth caching; the write fails its assertion and signs in again.
        session.CsrfToken = token is null or "+\\" ? null : token;
        return token is null ? (null, ApiAnswer.Broken(TagOutcomeCode.BadResponse, "meta=tokens: no csrftoken")) : (token, null);
    }

    private async Task<ApiAnswer> SendAsync(string wiki, WikiBotSession? session, List<(string Name, string Value)> parameters, bool post, CancellationToken ct)
    {
        parameters.Add(("format", "json"));
        parameters.Add(("formatversion", "2"));
        parameters.Add(("maxlag", _wiki.MaxLagSeconds.ToString(CultureInfo.InvariantCulture)));
        var action = parameters.First(p => p.Name == "action").Value;
        var api = new Uri(_wiki.ApiUrlTemplate.Replace("{domain}", wiki, StringComparison.Ordinal));
        using var request = post
            ? new HttpRequestMessage(HttpMethod.Post, api) { Content = new FormUrlEncodedContent(parameters.Select(p => KeyValuePair.Create(p.Name, p.Value))) }
            : new HttpRequestMessage(HttpMethod.Get, new Uri(api + "?" + string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)))));
        request.Options.Set(WikiApiRequest.Wiki, wiki);
        request.Options.Set(WikiApiRequest.Action, action);
        if (session is null)
        {
            // Anonymous.
        }
        else if (_options.UsesAccessToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AccessToken);
        }
        else
        {
            var cookies = session.Cookies.GetCookieHeader(api);
            if (cookies.Length > 0)
            {
                request.Headers.Add("Cookie", cookies);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (MediaWikiClient.FailureOf(ex) is { } failure)
        {
            Log.RequestFailed(logger, wiki, action, failure, ex.GetType().Name);
            return ApiAnswer.Broken(failure, $"{action}: {ex.GetType().Name}");
        }

        using (response)
        {
            if (session is not null && response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var cookie in setCookies)
                {
                    session.Cookies.SetCookies(api, cookie);
                }
            }

            if (!response.IsSuccessStatusCode)
            {
                // Retries are spent (429/5xx) or retrying cannot help (other 4xx).
                return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError
                    ? ApiAnswer.Broken(TagOutcomeCode.Unavailable, $"{action}: HTTP {(int)response.StatusCode}")
                    : ApiAnswer.Broken(TagOutcomeCode.HttpError, $"{action}: HTTP {(int)response.StatusCode}");
            }

            try
            {
                using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
                var root = document.RootElement.Clone();
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return ApiAnswer.Broken(TagOutcomeCode.BadResponse, $"{action}: the response is not a JSON object");
                }

                return root.TryGetProperty("error", out var error)
                    ? new ApiAnswer(root, Text(error, "code") ?? "unknown", Text(error, "info") ?? "", null)
                    : new ApiAnswer(root, null, null, null);
            }
            catch (JsonException ex)
            {
                return ApiAnswer.Broken(TagOutcomeCode.BadResponse, $"{action}: not JSON ({ex.Message})");
            }
        }
    }

    /// <summary>The string at <paramref name="path"/>, or null.</summary>
    internal static string? Text(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, EventName = "TagSignedIn", Level = LogLevel.Information, Message = "Signed in to {Wiki} as {Account}")]
        public static partial void SignedIn(ILogger logger, string wiki, string account);

        [LoggerMessage(EventId = 2202, EventName = "TagSignInFailed", Level = LogLevel.Error,
            Message = "Signing in to {Wiki} as {Account} failed ({Result}); check Safeguard:Tagging:BotUsername and BotPassword")]
        public static partial void SignInFailed(ILogger logger, string wiki, string account, string result);

        [LoggerMessage(EventId = 2203, EventName = "TagTokenRefreshed", Level = LogLevel.Information, Message = "{Wiki} refused the CSRF token (badtoken); fetching a new one")]
        public static partial void TokenRefreshed(ILogger logger, string wiki);

        [LoggerMessage(EventId = 2204, EventName = "TagSigningInAgain", Level = LogLevel.Warning, Message = "{Wiki} answered {Code}: the session is gone; signing in again")]
        public static partial void SigningInAgain(ILogger logger, string wiki, string code);

        [LoggerMessage(EventId = 2205, EventName = "TagRequestFailed", Level = LogLevel.Warning,
            Message = "{Action} on {Wiki} failed after retries ({Failure}, {ErrorType})")]
        public static partial void RequestFailed(ILogger logger, string wiki, string action, string failure, string errorType);
    }
}
