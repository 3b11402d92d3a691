using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.MediaWiki.Tagging;

namespace Safeguard.Stream.MediaWiki.Tests.Tagging;

/// <summary>
/// What a real wiki will not do on demand, on <see cref="WikiApiFixtureServer"/>: maxlag, 429 with Retry-After, 5xx,
/// timeouts; the OAuth bearer header (a real wiki needs the OAuth extension, which Debian does not package); the write
/// rate limit; the settings' validation. Real answers are tested in <c>RealWiki/WikiTagClientRealWikiTests</c>.
/// </summary>
public sealed class WikiTagClientTests
{
    private const string Domain = "en.wikipedia.org";
    private const string Token = "owner-only-access-token-7c1e9f";
    private const string Tag = "safeguard-spam";

    private static async Task<WikiApiFixtureServer> StartServerAsync(WikiApiFixtureServerOptions options, params long[] revIds)
    {
        var server = await WikiApiFixtureServer.StartAsync(options, ct: TestContext.Current.CancellationToken);
        foreach (var revId in revIds)
        {
            var revision = new JsonObject { ["revid"] = revId, ["parentid"] = revId - 1, ["minor"] = false, ["sha1"] = "c49337f58549443fe4124fd6d3f7109c9f829c37" };
            var page = new JsonObject { ["pageid"] = 7, ["ns"] = 0, ["title"] = "Spam page", ["revisions"] = new JsonArray(revision) };
            var body = new JsonObject { ["batchcomplete"] = true, ["query"] = new JsonObject { ["pages"] = new JsonArray(page) } };
            server.AddFixture(new JsonObject { ["domain"] = Domain, ["action"] = "query", ["revids"] = revId, ["body"] = body }.ToJsonString());
        }

        return server;
    }

    private static IHost CreateSut(WikiApiFixtureServer server, Dictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?>
        {
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = server.ApiUrlTemplateString,
            ["Safeguard:Tagging:AccessToken"] = Token,
            ["Safeguard:Tagging:RequestsPerSecond"] = "100",
        };
        foreach (var (key, value) in settings ?? [])
        {
            merged[key] = value;
        }

        return MediaWikiTestHost.Create(merged, tagging: true);
    }

    private static TagRequest Request(long revId, string domain = Domain) => new("enwiki", domain, revId, Tag, "Safeguard.Stream: policy spam");

    [Fact]
    public async Task TagAsync_AccessToken_SendsItAsBearerOnEveryRequestWithoutLoggingInOrLoggingIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(new WikiApiFixtureServerOptions(), 101);
        using var host = CreateSut(server);

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(101), ct);

        Assert.Equal(TagOutcomeKind.Applied, outcome.Kind);
        Assert.NotEmpty(server.Authorizations);
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer " + Token, a));
        Assert.DoesNotContain(server.Requests, r => r.Contains("action=login", StringComparison.Ordinal));
        // Every request: assert=bot, maxlag=5, JSON v2, the User-Agent with contact information.
        Assert.All(server.Requests, r => Assert.Contains("assert=bot", r, StringComparison.Ordinal));
        Assert.All(server.Requests, r => Assert.Contains("maxlag=5", r, StringComparison.Ordinal));
        Assert.All(server.Requests, r => Assert.Contains("formatversion=2", r, StringComparison.Ordinal));
        Assert.All(server.UserAgents, ua => Assert.Contains("safeguard-ops@example.org", ua, StringComparison.Ordinal));
        var tag = Assert.Single(server.Requests, r => r.Contains("action=tag", StringComparison.Ordinal));
        Assert.Contains("token=" + WikiApiFixtureServer.CsrfToken, tag, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Services.GetFakeLogCollector().GetSnapshot(), l => l.Message.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TagAsync_Http429WithRetryAfter_WaitsWhatTheServerAskedAndApplies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(new WikiApiFixtureServerOptions { Http429Count = 1, Http429RetryAfterSeconds = 1 }, 102);
        using var host = CreateSut(server, new() { ["Safeguard:MediaWiki:MaxRetryAfter"] = "00:00:05" });

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(102), ct);

        Assert.Equal(TagOutcomeKind.Applied, outcome.Kind);
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(),
            l => l.Message.Contains($"Wiki API of {Domain} answered throttled; retry 1 in 00:00:01", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TagAsync_MaxlagThenAnswers_HonoursItsRetryAfterAndApplies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(new WikiApiFixtureServerOptions { MaxlagErrorsBeforeSuccess = 2 }, 103);
        // The server asks for 6 s (Retry-After: max(lag, 5)); MaxRetryAfter caps what a test waits.
        using var host = CreateSut(server, new() { ["Safeguard:MediaWiki:MaxRetryAfter"] = "00:00:00.200" });

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(103), ct);

        Assert.Equal(TagOutcomeKind.Applied, outcome.Kind);
        Assert.Equal(2, host.Services.GetFakeLogCollector().GetSnapshot()
            .Count(l => l.Message.Contains("answered maxlag; retry", StringComparison.Ordinal) && l.Message.EndsWith("in 00:00:00.2000000", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("maxlag", "maxlag")]
    [InlineData("5xx", TagOutcomeCode.Unavailable)]
    [InlineData("timeout", TagOutcomeCode.Timeout)]
    public async Task TagAsync_FaultOutlastsTheRetries_IsRetryableAndNothingIsTagged(string fault, string code)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(fault switch
        {
            "maxlag" => new WikiApiFixtureServerOptions { MaxlagErrorsBeforeSuccess = 1000 },
            "5xx" => new WikiApiFixtureServerOptions { Http500Count = 1000 },
            _ => new WikiApiFixtureServerOptions { Latency = TimeSpan.FromSeconds(20) },
        }, 104);
        using var host = CreateSut(server, new()
        {
            ["Safeguard:MediaWiki:MaxRetries"] = "1",
            ["Safeguard:MediaWiki:AttemptTimeout"] = "00:00:00.200",
            ["Safeguard:MediaWiki:TotalTimeout"] = "00:00:02",
        });

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(104), ct);

        Assert.Equal(TagOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(code, outcome.Code);
        Assert.DoesNotContain(server.Requests, r => r.Contains("action=tag", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TagAsync_DomainOutsideTheAllowlist_FailsWithoutARequest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(new WikiApiFixtureServerOptions(), 105);
        using var host = CreateSut(server);

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(105, "evil.example.org"), ct);

        Assert.Equal(TagOutcomeKind.Failed, outcome.Kind);
        Assert.Equal(TagOutcomeCode.DomainNotAllowed, outcome.Code);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task TagAsync_ThreeWritesAtTwoPerSecond_TakeAtLeastOneSecond()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(new WikiApiFixtureServerOptions(), 201, 202, 203);
        using var host = CreateSut(server, new() { ["Safeguard:Tagging:RequestsPerSecond"] = "2" });
        var tagger = host.Services.GetRequiredService<IWikiTagger>();
        var clock = Stopwatch.StartNew();

        foreach (var revId in new long[] { 201, 202, 203 })
        {
            Assert.Equal(TagOutcomeKind.Applied, (await tagger.TagAsync(Request(revId), ct)).Kind);
        }

        // A lower bound only: the bucket holds one write and refills one every 0.5 s; a loaded machine only adds time.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"three writes took {clock.Elapsed}");
        Assert.Equal(3, server.Requests.Count(r => r.Contains("action=tag", StringComparison.Ordinal)));
    }

    [Fact]
    public void TransportCodes_AreTheEnrichmentStagesOwn()
    {
        // MediaWikiClient.FailureOf names both: a wiki outage reads the same in dead letters from either stage.
        Assert.Equal(
            [DiffFailure.Unavailable, DiffFailure.Timeout, DiffFailure.CircuitOpen, DiffFailure.RateLimited, DiffFailure.HttpError, DiffFailure.BadResponse],
            [TagOutcomeCode.Unavailable, TagOutcomeCode.Timeout, TagOutcomeCode.CircuitOpen, TagOutcomeCode.RateLimited, TagOutcomeCode.HttpError, TagOutcomeCode.BadResponse]);
    }

    [Fact]
    public void Options_AssertOtherThanBotOrUser_FailsNamingTheKey()
    {
        using var host = MediaWikiTestHost.Create(new Dictionary<string, string?>
        {
            ["Safeguard:Tagging:AccessToken"] = Token,
            ["Safeguard:Tagging:Assert"] = "sysop",
        }, tagging: true);

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<WikiTagClientOptions>>().Value);

        Assert.Contains("Safeguard:Tagging:Assert", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, "Safeguard:Tagging:BotUsername and Safeguard:Tagging:BotPassword (a BotPassword), or Safeguard:Tagging:AccessToken")]
    [InlineData("Bot@app", "0123456789abcdefghijklmnopqrstuv", Token, "Safeguard:Tagging:AccessToken and Safeguard:Tagging:BotUsername/Safeguard:Tagging:BotPassword are both set")]
    [InlineData("Bot@app", null, null, "Safeguard:Tagging:BotPassword is required with Safeguard:Tagging:BotUsername")]
    [InlineData(null, "0123456789abcdefghijklmnopqrstuv", null, "Safeguard:Tagging:BotUsername is required with Safeguard:Tagging:BotPassword")]
    public void Options_NotExactlyOneWayToSignIn_FailNamingTheKeysNeverTheValues(string? user, string? password, string? token, string expected)
    {
        using var host = MediaWikiTestHost.Create(new Dictionary<string, string?>
        {
            ["Safeguard:Tagging:BotUsername"] = user,
            ["Safeguard:Tagging:BotPassword"] = password,
            ["Safeguard:Tagging:AccessToken"] = token,
        }, tagging: true);

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<WikiTagClientOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdefghijklmnopqrstuv", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }
}
