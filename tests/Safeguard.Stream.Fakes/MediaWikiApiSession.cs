using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.Fakes;

/// <summary>What <c>action=edit</c> answered.</summary>
public sealed record WikiEdit(long PageId, string Title, long RevId, long? ParentRevId, bool NoChange, string Timestamp);

/// <summary>
/// A logged-in (or anonymous) client of one wiki's Action API, for tests that act on a real MediaWiki: edits,
/// revision deletion, queries. Cookies are kept per session. Every API error throws
/// <see cref="MediaWikiApiException"/> with the API's code.
/// </summary>
public sealed class MediaWikiApiSession : IDisposable
{
    private readonly HttpClient _http;
    private string? _csrfToken;

    public MediaWikiApiSession(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        ApiUrl = apiUrl;
        _http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Safeguard.Stream.Tests/0.1 (tests; safeguard-ops@example.org)");
    }

    public Uri ApiUrl { get; }

    /// <summary>Logs in with <c>action=login</c> (a BotPassword, <c>User@app</c>, or a main account's password).</summary>
    public static async Task<MediaWikiApiSession> LoginAsync(Uri apiUrl, string user, string password, CancellationToken ct = default)
    {
        var session = new MediaWikiApiSession(apiUrl);
        try
        {
            var tokens = await session.GetAsync(ct, ("action", "query"), ("meta", "tokens"), ("type", "login"));
            var loginToken = (string)tokens["query"]!["tokens"]!["logintoken"]!;
            var login = await session.PostAsync(ct, ("action", "login"), ("lgname", user), ("lgpassword", password), ("lgtoken", loginToken));
            var result = (string?)login["login"]?["result"];
            if (result != "Success")
            {
                throw new MediaWikiApiException("login-" + (result ?? "unknown"), $"login as {user} answered {login.ToJsonString()}");
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The bot of <see cref="MediaWikiAccounts"/>, logged in with its BotPassword.</summary>
    public static Task<MediaWikiApiSession> LoginBotAsync(Uri apiUrl, CancellationToken ct = default) =>
        LoginAsync(apiUrl, MediaWikiAccounts.BotLoginName, MediaWikiAccounts.BotPasswordKey, ct);

    /// <summary>The sysop with suppression rights of <see cref="MediaWikiAccounts"/>.</summary>
    public static Task<MediaWikiApiSession> LoginSysopAsync(Uri apiUrl, CancellationToken ct = default) =>
        LoginAsync(apiUrl, MediaWikiAccounts.Sysop, MediaWikiAccounts.SysopPassword, ct);

    /// <summary>Saves <paramref name="text"/> as the page's new content (creating it if need be).</summary>
    public async Task<WikiEdit> EditAsync(string title, string text, string summary, CancellationToken ct = default)
    {
        var answer = await PostAsync(ct, ("action", "edit"), ("title", title), ("text", text), ("summary", summary), ("bot", "1"),
            ("token", await CsrfTokenAsync(ct)));
        var edit = answer["edit"] ?? throw new MediaWikiApiException("edit-shape", answer.ToJsonString());
        if ((string?)edit["result"] != "Success")
        {
            throw new MediaWikiApiException("edit-" + (string?)edit["result"], answer.ToJsonString());
        }

        var noChange = edit["nochange"] is not null;
        var oldRevId = noChange ? 0 : (long?)edit["oldrevid"] ?? 0;
        return new WikiEdit(
            (long)edit["pageid"]!,
            (string)edit["title"]!,
            noChange ? 0 : (long)edit["newrevid"]!,
            oldRevId == 0 ? null : oldRevId,
            noChange,
            (string?)edit["newtimestamp"] ?? "");
    }

    /// <summary>
    /// <c>action=revisiondelete</c> on one revision: <paramref name="hide"/> is a <c>|</c>-list of content, comment,
    /// user; <paramref name="suppress"/> also hides it from admins (oversight). The current revision's content cannot
    /// be hidden (<c>revdelete-hide-current</c>).
    /// </summary>
    public async Task<JsonNode> RevisionDeleteAsync(long revId, string hide, bool suppress, string reason, CancellationToken ct = default)
    {
        var answer = await PostAsync(ct, ("action", "revisiondelete"), ("type", "revision"), ("ids", revId.ToString(CultureInfo.InvariantCulture)),
            ("hide", hide), ("suppress", suppress ? "yes" : "nochange"), ("reason", reason), ("token", await CsrfTokenAsync(ct)));
        var status = (string?)answer["revisiondelete"]?["status"];
        var itemErrors = answer["revisiondelete"]?["items"]?.AsArray().SelectMany(i => i?["errors"]?.AsArray() ?? []).ToList() ?? [];
        if (status != "Success" || itemErrors.Count > 0)
        {
            throw new MediaWikiApiException("revisiondelete-" + (status ?? "unknown"), answer.ToJsonString());
        }

        return answer;
    }

    public async Task<string> CsrfTokenAsync(CancellationToken ct = default)
    {
        if (_csrfToken is null)
        {
            var tokens = await GetAsync(ct, ("action", "query"), ("meta", "tokens"));
            _csrfToken = (string)tokens["query"]!["tokens"]!["csrftoken"]!;
        }

        return _csrfToken;
    }

    /// <summary>A GET with <c>format=json&amp;formatversion=2</c> added.</summary>
    public async Task<JsonNode> GetAsync(CancellationToken ct, params (string Name, string Value)[] parameters)
    {
        var query = string.Join('&', parameters.Append(("format", "json")).Append(("formatversion", "2"))
            .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));
        using var response = await _http.GetAsync(new Uri(ApiUrl + "?" + query), ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>A form POST with <c>format=json&amp;formatversion=2</c> added.</summary>
    public async Task<JsonNode> PostAsync(CancellationToken ct, params (string Name, string Value)[] parameters)
    {
        using var content = new FormUrlEncodedContent(parameters.Append(("format", "json")).Append(("formatversion", "2"))
            .Select(p => KeyValuePair.Create(p.Item1, p.Item2)));
        using var response = await _http.PostAsync(ApiUrl, content, ct);
        return await ReadAsync(response, ct);
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new MediaWikiApiException("http-" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), body[..Math.Min(body.Length, 2000)]);
        }

        var node = JsonNode.Parse(body) ?? throw new MediaWikiApiException("not-json", body);
        if (node["error"] is { } error)
        {
            throw new MediaWikiApiException((string?)error["code"] ?? "unknown", error.ToJsonString());
        }

        return node;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An API error (<c>error.code</c>) or an unexpected answer from a real wiki.</summary>
public sealed class MediaWikiApiException(string code, string detail) : Exception($"{code}: {detail}")
{
    public string Code { get; } = code;
}
