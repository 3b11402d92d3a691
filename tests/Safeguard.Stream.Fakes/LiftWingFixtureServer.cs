using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="LiftWingFixtureServer"/>.</summary>
public sealed record LiftWingFixtureServerOptions
{
    /// <summary>
    /// The recorded exchange (<c>tests/data/wikimedia/liftwing/revertrisk-language-agnostic.predict.response.readme-recorded.json</c>:
    /// <c>{"request": …, "response": {…}}</c>); every answer is its <c>response</c> with the asked revision filled in.
    /// </summary>
    public required string RecordedPath { get; init; }
}

/// <summary>
/// LiftWing's revert-risk model on loopback: <c>POST /v1/models/{model}:predict</c> with <c>{"lang", "rev_id"}</c>
/// answers the recorded response's shape, with <c>revision_id</c> and <c>wiki_db</c> (<c>{lang}wiki</c>) of the request and
/// the probability set for that revision (<see cref="SetScore"/>; otherwise the recorded one). For the gate's fault tests
/// it can answer late (<see cref="Latency"/>) or with an error status (<see cref="FailWith"/>); "down" is a closed port
/// (<see cref="LocalResources.FreePort"/>). A request without <c>rev_id</c> gets 400 (simulated; the error body is not recorded).
/// </summary>
public sealed class LiftWingFixtureServer : IAsyncDisposable
{
    private readonly JsonObject _recorded;
    private readonly ConcurrentDictionary<long, double> _scores = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _userAgents = new();
    private LoopbackHost? _host;
    private int _requestCount;

    private LiftWingFixtureServer(JsonObject recorded) => _recorded = recorded;

    public int Port => _host?.Port ?? throw new InvalidOperationException("Not started.");

    /// <summary>The base URL for <c>Safeguard:LiftWing:Url</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}");

    /// <summary>The recorded probability (<c>output.probabilities.true</c>), the answer for a revision with no score set.</summary>
    public double RecordedProbability => (double)_recorded["output"]!["probabilities"]!["true"]!;

    /// <summary>Delay before each answer (the client's timeout makes a slow server).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, every request gets this status with a short HTML body, as an edge proxy answers for a broken backend.</summary>
    public int? FailWith { get; set; }

    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Request bodies, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>User-Agent of every request, in arrival order.</summary>
    public IReadOnlyList<string> UserAgents => [.. _userAgents];

    public void SetScore(long revId, double probability) => _scores[revId] = probability;

    public static async Task<LiftWingFixtureServer> StartAsync(LiftWingFixtureServerOptions options, int port = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var recorded = JsonNode.Parse(await File.ReadAllTextAsync(options.RecordedPath, ct))?["response"]?.AsObject()
            ?? throw new FormatException($"{options.RecordedPath} has no response object.");
        var server = new LiftWingFixtureServer(recorded);
        server._host = await LoopbackHost.StartAsync(port, app => app.MapPost("/v1/models/{model}", (RequestDelegate)server.HandleAsync), ct);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
            _host = null;
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _requestCount);
        _userAgents.Enqueue(ctx.Request.Headers.UserAgent.ToString());
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        _requests.Enqueue(text);
        if (Latency > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Latency, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return; // the client gave up
            }
        }

        if (FailWith is { } status)
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync("<!DOCTYPE html><html><body><p>upstream unavailable (simulated)</p></body></html>", ctx.RequestAborted);
            return;
        }

        var model = ((string)ctx.Request.RouteValues["model"]!).Replace(":predict", string.Empty, StringComparison.Ordinal);
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request?["rev_id"] is not JsonValue revValue || !revValue.TryGetValue<long>(out var revId) || (string?)request["lang"] is not { Length: > 0 } lang)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsJsonAsync(new { error = "[simulated] rev_id and lang are required" }, ctx.RequestAborted);
            return;
        }

        var probability = _scores.TryGetValue(revId, out var p) ? p : RecordedProbability;
        var answer = _recorded.DeepClone().AsObject();
        answer["model_name"] = model;
        answer["wiki_db"] = lang + "wiki";
        answer["revision_id"] = revId;
        answer["output"]!["prediction"] = probability > 0.5;
        answer["output"]!["probabilities"]!["true"] = probability;
        answer["output"]!["probabilities"]!["false"] = 1 - probability;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(answer.ToJsonString(), ctx.RequestAborted);
    }
}
