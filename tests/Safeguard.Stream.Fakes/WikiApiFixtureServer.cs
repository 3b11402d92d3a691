using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="WikiApiFixtureServer"/>.</summary>
public sealed record WikiApiFixtureServerOptions
{
    /// <summary>JSONL fixture file (see <see cref="WikiApiFixtureServer"/> for the line format); null = none.</summary>
    public string? FixturesPath { get; init; }

    /// <summary>The first N requests that carry a <c>maxlag</c> parameter get MediaWiki's maxlag error.</summary>
    public int MaxlagErrorsBeforeSuccess { get; init; }

    /// <summary>The first N requests get HTTP 429 with <c>Retry-After</c>.</summary>
    public int Http429Count { get; init; }

    /// <summary>Value of <c>Retry-After</c> on 429 responses, in seconds.</summary>
    public int Http429RetryAfterSeconds { get; init; } = 1;

    /// <summary>The first N requests (after any 429s) get HTTP 500 with an HTML error page, as Wikimedia's edge sends it.</summary>
    public int Http500Count { get; init; }

    /// <summary>
    /// The first N compare/query requests answer as a lagging replica does right after an edit: <c>nosuchrevid</c> for
    /// compare, <c>badrevids</c> for query, whatever the fixtures hold.
    /// </summary>
    public int ReplicaLagCount { get; init; }

    /// <summary>Delay before an answer.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>How many requests get <see cref="Latency"/>; 0 = all of them.</summary>
    public int SlowRequestCount { get; init; }
}

/// <summary>
/// Answers the MediaWiki Action API at <c>/{domain}/w/api.php</c> from recorded fixtures:
/// <c>action=compare</c> (fromrev+torev, or fromrev+torelative=prev) and <c>action=query&amp;prop=revisions&amp;revids=…</c>;
/// for the tag client's fault tests also <c>meta=tokens</c> and <c>action=tag</c> (no sessions, rights or tag list: the
/// real wiki tests those).
/// Unknown revisions get MediaWiki's real error shapes (<c>nosuchrevid</c> for compare, <c>badrevids</c> for query),
/// in formatversion 1 (<c>"*"</c> docref text, <c>batchcomplete: ""</c>) or 2 (<c>docref</c>, <c>batchcomplete: true</c>).
/// </summary>
/// <remarks>
/// Fixture lines (JSONL): <c>{"domain":"en.wikipedia.org","action":"compare","fromrev":123|null,"torev":456,
/// "torelative":"prev"(optional),"status":200,"headers":{…}(optional),"body":{…full API response…}}</c>, or
/// <c>{"domain":…,"action":"query","revids":456 | "1|2" | [1,2],"status":200,"body":{…}}</c>. When fromrev/torev are
/// absent the body's <c>compare.fromrevid/torevid</c> are used. An optional <c>"formatversion":1|2</c> pins a line to
/// requests with that formatversion (preferred over unpinned lines); other extra keys (e.g. <c>"source"</c>) are ignored.
/// </remarks>
public sealed class WikiApiFixtureServer : IAsyncDisposable
{
    private const string ServedBy = "mw-api-ext.eqiad.main-5d8f6c7b9d-x2k4p";

    /// <summary>Keeps &lt;, &gt;, &amp; and '+' literal as MediaWiki does, instead of System.Text.Json's \u003C escapes.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly WikiApiFixtureServerOptions _options;
    private readonly ConcurrentQueue<Fixture> _fixtures = new();
    private readonly ConcurrentQueue<string> _userAgents = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly ConcurrentDictionary<(string Domain, long RevId, string Tag), bool> _tags = new();
    private LoopbackHost? _host;
    private int _requestCount;
    private int _maxlagServed;
    private int _throttled;
    private int _failed;
    private int _lagged;
    private int _slow;

    private WikiApiFixtureServer(WikiApiFixtureServerOptions options) => _options = options;

    /// <summary>The bound port.</summary>
    public int Port => _host?.Port ?? throw new InvalidOperationException("Not started.");

    /// <summary><c>http://127.0.0.1:{port}/{domain}/w/api.php</c> with a literal <c>{domain}</c> placeholder.</summary>
    public Uri ApiUrlTemplate => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/{{domain}}/w/api.php"));

    /// <summary>The URL template as a string (Uri.ToString keeps the braces, this avoids any doubt).</summary>
    public string ApiUrlTemplateString => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/{{domain}}/w/api.php");

    /// <summary>Requests received.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>User-Agent header of every request, in arrival order ("" when absent).</summary>
    public IReadOnlyList<string> UserAgents => [.. _userAgents];

    /// <summary>Authorization header of every request, in arrival order ("" when absent).</summary>
    public IReadOnlyList<string> Authorizations => [.. _authorizations];

    /// <summary>The CSRF token <c>meta=tokens</c> hands out (what a real wiki's looks like: hex and <c>+\</c>).</summary>
    public const string CsrfToken = "d41d8cd98f00b204e9800998ecf8427e69a5c2f0+\\";

    /// <summary>Path and query of every request, in arrival order (POST form fields appended to the query).</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts the server on <paramref name="port"/> (0 = any free port) and loads the fixture file.</summary>
    public static async Task<WikiApiFixtureServer> StartAsync(WikiApiFixtureServerOptions? options = null, int port = 0, CancellationToken ct = default)
    {
        var server = new WikiApiFixtureServer(options ?? new WikiApiFixtureServerOptions());
        if (server._options.FixturesPath is { } path)
        {
            foreach (var line in await File.ReadAllLinesAsync(path, ct))
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    server.AddFixture(line);
                }
            }
        }

        server._host = await LoopbackHost.StartAsync(port, server.MapRoutes, ct);
        return server;
    }

    /// <summary>Adds one fixture line (same format as the file).</summary>
    public void AddFixture(string jsonLine)
    {
        var node = JsonNode.Parse(jsonLine)?.AsObject() ?? throw new FormatException("Fixture line is not a JSON object.");
        var body = node["body"] ?? throw new FormatException("Fixture line has no body.");
        var action = (string?)node["action"] ?? "compare";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (node["headers"] is JsonObject h)
        {
            foreach (var (k, v) in h)
            {
                headers[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
            }
        }

        _fixtures.Enqueue(new Fixture(
            (string?)node["domain"] ?? throw new FormatException("Fixture line has no domain."),
            action,
            ReadLong(node["fromrev"]) ?? ReadLong(body["compare"]?["fromrevid"]),
            ReadLong(node["torev"]) ?? ReadLong(body["compare"]?["torevid"]),
            (string?)node["torelative"],
            ReadRevIds(node["revids"]),
            (int?)node["status"] ?? 200,
            ReadLong(node["formatversion"]) is { } fv ? (int)fv : null,
            headers,
            body.ToJsonString(Relaxed)));
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapMethods("/{domain}/w/api.php", ["GET", "POST"], (RequestDelegate)HandleAsync);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _requestCount);
        _userAgents.Enqueue(ctx.Request.Headers.UserAgent.ToString());
        _authorizations.Enqueue(ctx.Request.Headers.Authorization.ToString());
        var domain = (string)ctx.Request.RouteValues["domain"]!;
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in ctx.Request.Query)
        {
            p[k] = v.ToString();
        }

        var record = ctx.Request.Path + ctx.Request.QueryString;
        if (ctx.Request.HasFormContentType)
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            foreach (var (k, v) in form)
            {
                p[k] = v.ToString();
                record += $"&{k}={v}";
            }
        }

        _requests.Enqueue(record);
        if (_options.Latency > TimeSpan.Zero && (_options.SlowRequestCount == 0 || Interlocked.Increment(ref _slow) <= _options.SlowRequestCount))
        {
            try
            {
                await Task.Delay(_options.Latency, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up (its attempt timeout): nothing to answer
            }
        }

        if (Interlocked.Increment(ref _throttled) <= _options.Http429Count)
        {
            ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ctx.Response.Headers.RetryAfter = _options.Http429RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync("<!DOCTYPE html><html><head><title>Too many requests</title></head><body><p>Too many requests (simulated).</p></body></html>", ctx.RequestAborted);
            return;
        }

        if (Interlocked.Increment(ref _failed) <= _options.Http500Count)
        {
            ctx.Response.StatusCode = StatusCodes.Status500InternalServerError;
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync("<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body><p>Our servers are currently under maintenance or experiencing a technical problem (simulated).</p></body></html>", ctx.RequestAborted);
            return;
        }

        var fv2 = p.GetValueOrDefault("formatversion") is "2" or "latest";
        if (p.TryGetValue("maxlag", out var maxlagText) && Interlocked.Increment(ref _maxlagServed) <= _options.MaxlagErrorsBeforeSuccess)
        {
            var maxlag = int.TryParse(maxlagText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : 5;
            var lag = Math.Max(maxlag, 0) + 1;
            // ApiMain: Retry-After is max(lag, 5); X-Database-Lag the lag; HTTP 200 (T33156).
            ctx.Response.Headers.RetryAfter = Math.Max(lag, 5).ToString(CultureInfo.InvariantCulture);
            ctx.Response.Headers["X-Database-Lag"] = lag.ToString(CultureInfo.InvariantCulture);
            var extra = new JsonObject { ["host"] = "10.64.48.21", ["lag"] = lag, ["type"] = "db" };
            await WriteErrorAsync(ctx, domain, fv2, "maxlag",
                string.Create(CultureInfo.InvariantCulture, $"Waiting for 10.64.48.21: {lag} seconds lagged."), extra);
            return;
        }

        if (p.GetValueOrDefault("action") is "compare" or "query" && Interlocked.Increment(ref _lagged) <= _options.ReplicaLagCount)
        {
            await WriteReplicaLagAsync(ctx, domain, p, fv2);
            return;
        }

        switch (p.GetValueOrDefault("action"))
        {
            case "query" when p.GetValueOrDefault("meta") == "tokens":
                // A real wiki's answer shape; the token itself is a constant here (no sessions).
                var tokens = new JsonObject { ["csrftoken"] = CsrfToken, ["logintoken"] = "5f4dcc3b5aa765d61d8327deb882cf99+\\" };
                await WriteBodyAsync(ctx, 200, new JsonObject { ["batchcomplete"] = true, ["query"] = new JsonObject { ["tokens"] = tokens } }.ToJsonString(Relaxed));
                break;
            case "tag":
                await HandleTagAsync(ctx, domain, p, fv2);
                break;
            case "compare":
                await HandleCompareAsync(ctx, domain, p, fv2);
                break;
            case "query":
                await HandleQueryAsync(ctx, domain, p, fv2);
                break;
            case null:
                // Without action MediaWiki shows the help page; an error is more useful to a client under test.
                await WriteErrorAsync(ctx, domain, fv2, "badvalue", "Unrecognized value for parameter \"action\": .", null);
                break;
            default:
                await WriteErrorAsync(ctx, domain, fv2, "badvalue",
                    $"Unrecognized value for parameter \"action\": {p["action"]}.", null);
                break;
        }
    }

    private async Task HandleCompareAsync(HttpContext ctx, string domain, Dictionary<string, string> p, bool fv2)
    {
        var from = ParseLong(p.GetValueOrDefault("fromrev"));
        var to = ParseLong(p.GetValueOrDefault("torev"));
        var relative = p.GetValueOrDefault("torelative");
        var candidates = Candidates("compare", domain, fv2);

        Fixture? hit = null;
        if (relative == "prev" && from is not null)
        {
            // fromrev=A&torelative=prev compares A's parent with A: the "to" side is A.
            hit = candidates.FirstOrDefault(f => f.ToRelative == "prev" && f.FromRev == from)
                ?? candidates.FirstOrDefault(f => f.ToRelative is null && f.ToRev == from);
        }
        else if (to is not null)
        {
            hit = candidates.FirstOrDefault(f => f.FromRev == from && f.ToRev == to && f.ToRelative is null);
        }

        if (hit is not null)
        {
            await WriteFixtureAsync(ctx, hit);
            return;
        }

        if (from is null && to is null)
        {
            await WriteErrorAsync(ctx, domain, fv2, "missingparam",
                "At least one of the parameters \"fromtitle\", \"fromid\", \"fromrev\", \"fromtext\" and \"fromslots\" is required.", null);
            return;
        }

        // Report the revision nobody knows; prefer fromrev like MediaWiki, which resolves the "from" side first.
        var known = KnownRevisions(domain);
        var missing = from is not null && !known.Contains(from.Value) ? from.Value : to ?? from!.Value;
        await WriteErrorAsync(ctx, domain, fv2, "nosuchrevid",
            string.Create(CultureInfo.InvariantCulture, $"There is no revision with ID {missing}."), null);
    }

    /// <summary>
    /// <c>action=tag&amp;revid=R&amp;add=T</c> as MediaWiki 1.39 answers it (recorded in tag-add.json and
    /// tag-add-again.json): success with <c>added</c> the first time, <c>noop</c> after. No token or right is checked.
    /// </summary>
    private async Task HandleTagAsync(HttpContext ctx, string domain, Dictionary<string, string> p, bool fv2)
    {
        if (ParseLong(p.GetValueOrDefault("revid")) is not { } revId || p.GetValueOrDefault("add") is not { Length: > 0 } tag)
        {
            await WriteErrorAsync(ctx, domain, fv2, "missingparam", "[simulated] the fixture server tags with revid and add only.", null);
            return;
        }

        var item = new JsonObject { ["revid"] = revId, ["status"] = "success" };
        if (_tags.TryAdd((domain, revId, tag), true))
        {
            item["actionlogid"] = _tags.Count;
            item["added"] = new JsonArray(tag);
            item["removed"] = new JsonArray();
        }
        else
        {
            item["noop"] = true;
        }

        await WriteBodyAsync(ctx, 200, new JsonObject { ["tag"] = new JsonArray(item) }.ToJsonString(Relaxed));
    }

    private async Task HandleQueryAsync(HttpContext ctx, string domain, Dictionary<string, string> p, bool fv2)
    {
        var requested = ReadRevIds(p.TryGetValue("revids", out var r) ? JsonValue.Create(r) : null);
        if (requested.Count == 0)
        {
            await WriteErrorAsync(ctx, domain, fv2, "badvalue",
                "[simulated] the fixture server answers action=query only with prop=revisions&revids=….", null);
            return;
        }

        var candidates = Candidates("query", domain, fv2);
        var exact = candidates.FirstOrDefault(f => f.RevIds.SetEquals(requested));
        if (exact is not null)
        {
            await WriteFixtureAsync(ctx, exact);
            return;
        }

        // Compose the answer from per-revision fixtures; revisions without one go to badrevids.
        var pages1 = new JsonObject();
        var pages2 = new JsonArray();
        var bad = new JsonObject();
        foreach (var revid in requested.Order())
        {
            var fixture = candidates.FirstOrDefault(f => f.RevIds.Contains(revid));
            if (fixture is null || JsonNode.Parse(fixture.Body)?["query"]?["pages"] is not { } pages)
            {
                var entry = new JsonObject { ["revid"] = revid };
                if (fv2)
                {
                    entry["missing"] = true;
                }

                bad[revid.ToString(CultureInfo.InvariantCulture)] = entry;
                continue;
            }

            var list = pages is JsonObject o ? o.Select(kv => kv.Value) : pages.AsArray().AsEnumerable();
            foreach (var page in list.OfType<JsonObject>())
            {
                var copy = page.DeepClone().AsObject();
                if (copy["revisions"] is JsonArray revs)
                {
                    // Keep only the revision asked for, in case the fixture page lists several.
                    var keep = revs.Where(x => ReadLong(x?["revid"]) == revid).Select(x => x!.DeepClone()).ToList();
                    if (keep.Count > 0)
                    {
                        copy["revisions"] = new JsonArray([.. keep]);
                    }
                }

                MergePage(fv2, pages1, pages2, copy);
            }
        }

        var query = new JsonObject();
        if (bad.Count > 0)
        {
            query["badrevids"] = bad;
        }

        if (fv2 ? pages2.Count > 0 : pages1.Count > 0)
        {
            query["pages"] = fv2 ? pages2 : pages1;
        }

        var body = new JsonObject { ["batchcomplete"] = fv2 ? JsonValue.Create(true) : JsonValue.Create(""), ["query"] = query };
        await WriteBodyAsync(ctx, 200, body.ToJsonString(Relaxed));
    }

    /// <summary>A replica that has not seen the revision yet: compare names it in nosuchrevid, query lists it in badrevids.</summary>
    private static async Task WriteReplicaLagAsync(HttpContext ctx, string domain, Dictionary<string, string> p, bool fv2)
    {
        if (p["action"] == "compare")
        {
            var missing = p.GetValueOrDefault("torev") ?? p.GetValueOrDefault("fromrev") ?? "0";
            await WriteErrorAsync(ctx, domain, fv2, "nosuchrevid", $"There is no revision with ID {missing}.", null);
            return;
        }

        var bad = new JsonObject();
        foreach (var revid in ReadRevIds(p.TryGetValue("revids", out var r) ? JsonValue.Create(r) : null))
        {
            var entry = new JsonObject { ["revid"] = revid };
            if (fv2)
            {
                entry["missing"] = true;
            }

            bad[revid.ToString(CultureInfo.InvariantCulture)] = entry;
        }

        var body = new JsonObject { ["batchcomplete"] = fv2 ? JsonValue.Create(true) : JsonValue.Create(""), ["query"] = new JsonObject { ["badrevids"] = bad } };
        await WriteBodyAsync(ctx, 200, body.ToJsonString(Relaxed));
    }

    /// <summary>Fixtures for the action and domain; a fixture pinned to the request's formatversion wins over others.</summary>
    private List<Fixture> Candidates(string action, string domain, bool fv2)
    {
        var wanted = fv2 ? 2 : 1;
        return [.. _fixtures
            .Where(f => f.Action == action && string.Equals(f.Domain, domain, StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f.FormatVersion == wanted ? 0 : f.FormatVersion is null ? 1 : 2)];
    }

    private static void MergePage(bool fv2, JsonObject pages1, JsonArray pages2, JsonObject page)
    {
        var key = ReadLong(page["pageid"])?.ToString(CultureInfo.InvariantCulture) ?? (string?)page["title"] ?? "-1";
        JsonObject? existing = fv2
            ? pages2.OfType<JsonObject>().FirstOrDefault(x => (ReadLong(x["pageid"])?.ToString(CultureInfo.InvariantCulture) ?? (string?)x["title"]) == key)
            : pages1[key] as JsonObject;
        if (existing is null)
        {
            if (fv2)
            {
                pages2.Add(page);
            }
            else
            {
                pages1[key] = page;
            }

            return;
        }

        if (existing["revisions"] is JsonArray target && page["revisions"] is JsonArray more)
        {
            foreach (var rev in more)
            {
                target.Add(rev?.DeepClone());
            }
        }
    }

    private HashSet<long> KnownRevisions(string domain)
    {
        var known = new HashSet<long>();
        foreach (var f in _fixtures.Where(f => string.Equals(f.Domain, domain, StringComparison.OrdinalIgnoreCase)))
        {
            if (f.FromRev is { } a)
            {
                known.Add(a);
            }

            if (f.ToRev is { } b)
            {
                known.Add(b);
            }

            known.UnionWith(f.RevIds);
        }

        return known;
    }

    private static async Task WriteFixtureAsync(HttpContext ctx, Fixture f)
    {
        foreach (var (k, v) in f.Headers)
        {
            // Kestrel computes these itself; copying recorded ones would corrupt the response.
            if (k.Equals("content-length", StringComparison.OrdinalIgnoreCase) || k.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
                || k.Equals("content-encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            ctx.Response.Headers[k] = v;
        }

        await WriteBodyAsync(ctx, f.Status, f.Body);
    }

    private static async Task WriteErrorAsync(HttpContext ctx, string domain, bool fv2, string code, string info, JsonObject? extra)
    {
        // MediaWiki's error envelope: formatversion=2 names the help text "docref", formatversion=1 names it "*".
        var docref = $"See https://{domain}/w/api.php for API usage. Subscribe to the mediawiki-api-announce mailing list at &lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; for notice of API deprecations and breaking changes.";
        var error = new JsonObject { ["code"] = code, ["info"] = info };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                error[k] = v?.DeepClone();
            }
        }

        error[fv2 ? "docref" : "*"] = docref;
        ctx.Response.Headers["MediaWiki-API-Error"] = code;
        await WriteBodyAsync(ctx, 200, new JsonObject { ["error"] = error, ["servedby"] = ServedBy }.ToJsonString(Relaxed));
    }

    private static async Task WriteBodyAsync(HttpContext ctx, int status, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType ??= "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(body, ctx.RequestAborted);
    }

    private static long? ParseLong(string? s) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static long? ReadLong(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue<long>(out var l))
        {
            return l;
        }

        return v.TryGetValue<string>(out var s) ? ParseLong(s) : null;
    }

    private static HashSet<long> ReadRevIds(JsonNode? node)
    {
        var set = new HashSet<long>();
        switch (node)
        {
            case JsonArray a:
                foreach (var x in a)
                {
                    if (ReadLong(x) is { } id)
                    {
                        set.Add(id);
                    }
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                foreach (var part in s.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (ParseLong(part) is { } id)
                    {
                        set.Add(id);
                    }
                }

                break;
            case JsonValue v when ReadLong(v) is { } single:
                set.Add(single);
                break;
        }

        return set;
    }

    private sealed record Fixture(
        string Domain,
        string Action,
        long? FromRev,
        long? ToRev,
        string? ToRelative,
        HashSet<long> RevIds,
        int Status,
        int? FormatVersion,
        Dictionary<string, string> Headers,
        string Body);
}
