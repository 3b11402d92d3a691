using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.MediaWiki.Tagging;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>
/// <see cref="WikiTagClient"/> against a real MediaWiki 1.39: real <c>action=login</c> with BotPasswords, real
/// <c>action=tag</c>, rights and grants, revision deletion and suppression. Each test tags revisions of its own pages.
/// </summary>
public sealed class WikiTagClientRealWikiTests(TaggingWikiFixture wiki) : IClassFixture<TaggingWikiFixture>
{
    private const string Reason = "Safeguard.Stream: policy spam";

    private IHost CreateSut(string login = MediaWikiAccounts.BotLoginName, string password = MediaWikiAccounts.BotPasswordKey) =>
        MediaWikiTestHost.Create(new Dictionary<string, string?>
        {
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.Server.ApiUrlTemplateString,
            ["Safeguard:Tagging:BotUsername"] = login,
            ["Safeguard:Tagging:BotPassword"] = password,
            ["Safeguard:Tagging:RequestsPerSecond"] = "100",
        }, tagging: true);

    private static TagRequest Request(long revId, string tag = TaggingWikiFixture.Tag) => new("enwiki", RealWikiFixture.En, revId, tag, Reason);

    [Fact]
    public async Task TagAsync_DefinedTag_IsAppliedReadBackAndTheSecondTimeIsANoop()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, current) = await wiki.TwoRevisionsAsync("Tag applied", ct);
        using var host = CreateSut();
        var tagger = host.Services.GetRequiredService<IWikiTagger>();

        var first = await tagger.TagAsync(Request(current.RevId), ct);
        var tags = await wiki.TagsOfAsync(current.RevId, ct);
        var second = await tagger.TagAsync(Request(current.RevId), ct);

        Assert.Equal(TagOutcomeKind.Applied, first.Kind);
        Assert.Equal([TaggingWikiFixture.Tag], tags);
        Assert.Equal(TagOutcomeKind.AlreadyTagged, second.Kind);
        Assert.True(second.IsDone);
        Assert.Equal([TaggingWikiFixture.Tag], await wiki.TagsOfAsync(current.RevId, ct));
    }

    [Fact]
    public async Task TagAsync_UndefinedTag_IsTagUndefinedNamingTagsCreate()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, current) = await wiki.TwoRevisionsAsync("Tag undefined", ct);
        using var host = CreateSut();

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(current.RevId, "safeguard-nowhere"), ct);

        Assert.Equal(TagOutcomeKind.TagUndefined, outcome.Kind);
        Assert.Equal(TagOutcomeCode.BadTags, outcome.Code);
        Assert.Contains("safeguard-nowhere", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains($"safeguard tags create --wiki {RealWikiFixture.En}", outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(await wiki.TagsOfAsync(current.RevId, ct));
    }

    [Theory]
    [InlineData(TaggingWikiFixture.NoGrantLogin, TagOutcomeCode.PermissionDenied, "has the right 'changetags', but its BotPassword (or OAuth consumer) lacks a grant that carries it: add the grant editpage")]
    [InlineData(TaggingWikiFixture.NoRightLogin, TagOutcomeCode.PermissionDenied, $"{TaggingWikiFixture.NoRightUser} lacks the right 'changetags'")]
    [InlineData(TaggingWikiFixture.NoBotGrantLogin, TagOutcomeCode.AssertFailed, "has the right 'bot', but its BotPassword (or OAuth consumer) lacks a grant that carries it: add the grant highvolume")]
    public async Task TagAsync_AccountWithoutTheGrantOrTheRight_IsPermissionDeniedNamingWhatIsMissing(string login, string code, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, current) = await wiki.TwoRevisionsAsync("Tag denied " + login, ct);
        using var host = CreateSut(login, TaggingWikiFixture.OtherKey);

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(current.RevId), ct);
        var health = await host.Services.GetRequiredService<WikiTaggingHealthCheck>().CheckHealthAsync(new(), ct);

        Assert.Equal(TagOutcomeKind.PermissionDenied, outcome.Kind);
        Assert.Equal(code, outcome.Code);
        Assert.True(outcome.Detail?.Contains(expected, StringComparison.Ordinal), outcome.Detail);
        Assert.Contains(RealWikiFixture.En + ": ", health.Description, StringComparison.Ordinal);
        Assert.Contains(expected, health.Description, StringComparison.Ordinal);
        Assert.Empty(await wiki.TagsOfAsync(current.RevId, ct));
    }

    [Fact]
    public async Task TagAsync_WrongBotPassword_IsPermissionDeniedAndNoLogLineHoldsThePassword()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, current) = await wiki.TwoRevisionsAsync("Tag login failed", ct);
        const string wrong = "wrongwrongwrongwrongwrongwrong0123";
        using var host = CreateSut(MediaWikiAccounts.BotLoginName, wrong);

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(current.RevId), ct);

        Assert.Equal(TagOutcomeKind.PermissionDenied, outcome.Kind);
        Assert.Equal(TagOutcomeCode.LoginFailed, outcome.Code);
        Assert.Contains("Incorrect username or password", outcome.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, outcome.Detail, StringComparison.Ordinal);
        AssertNoSecretLogged(host, wrong);
    }

    [Fact]
    public async Task TagAsync_FullRun_NoLogLineHoldsTheBotPasswordOrATokenAndLogsTheOutcome()
    {
        var ct = TestContext.Current.CancellationToken;
        var (older, current) = await wiki.TwoRevisionsAsync("Tag logs", ct);
        using var host = CreateSut();
        var tagger = host.Services.GetRequiredService<IWikiTagger>();

        Assert.Equal(TagOutcomeKind.Applied, (await tagger.TagAsync(Request(current.RevId), ct)).Kind);
        Assert.Equal(TagOutcomeKind.Applied, (await tagger.TagAsync(Request(older.RevId), ct)).Kind);

        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, l => l.Message.Contains($"Signed in to {RealWikiFixture.En} as {MediaWikiAccounts.BotLoginName}", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Message.Contains($"enwiki:{current.RevId}: Applied", StringComparison.Ordinal));
        AssertNoSecretLogged(host, MediaWikiAccounts.BotPasswordKey);
        var token = host.Services.GetRequiredService<WikiBotSessions>().For(RealWikiFixture.En).CsrfToken;
        Assert.False(string.IsNullOrEmpty(token));
        AssertNoSecretLogged(host, token!);
    }

    [Theory]
    [InlineData(false, TagOutcomeCode.RevisionHidden)]
    [InlineData(true, TagOutcomeCode.RevisionSuppressed)]
    public async Task TagAsync_HiddenOrSuppressedRevision_IsRevisionGoneAndNotTagged(bool suppress, string code)
    {
        var ct = TestContext.Current.CancellationToken;
        var (older, _) = await wiki.TwoRevisionsAsync("Tag hidden " + suppress.ToString(CultureInfo.InvariantCulture), ct);
        await wiki.HideAsync(older.RevId, suppress, ct);
        using var host = CreateSut();

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(older.RevId), ct);

        Assert.Equal(TagOutcomeKind.RevisionGone, outcome.Kind);
        Assert.Equal(code, outcome.Code);
        Assert.Empty(await wiki.TagsOfAsync(older.RevId, ct));
    }

    [Fact]
    public async Task TagAsync_UnknownRevision_IsRevisionGoneNoSuchRevid()
    {
        var ct = TestContext.Current.CancellationToken;
        using var host = CreateSut();

        var outcome = await host.Services.GetRequiredService<IWikiTagger>().TagAsync(Request(9_999_999), ct);

        Assert.Equal(TagOutcomeKind.RevisionGone, outcome.Kind);
        Assert.Equal(TagOutcomeCode.NoSuchRevision, outcome.Code);
    }

    [Fact]
    public async Task TagAsync_TokenRefused_FetchesANewTokenAndApplies()
    {
        var ct = TestContext.Current.CancellationToken;
        var (older, current) = await wiki.TwoRevisionsAsync("Tag badtoken", ct);
        using var host = CreateSut();
        var tagger = host.Services.GetRequiredService<IWikiTagger>();
        Assert.Equal(TagOutcomeKind.Applied, (await tagger.TagAsync(Request(older.RevId), ct)).Kind);
        var session = host.Services.GetRequiredService<WikiBotSessions>().For(RealWikiFixture.En);
        var stale = "0123456789abcdef0123456789abcdef01234567+\\";
        session.CsrfToken = stale;

        var outcome = await tagger.TagAsync(Request(current.RevId), ct);

        Assert.Equal(TagOutcomeKind.Applied, outcome.Kind);
        Assert.NotEqual(stale, session.CsrfToken);
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(), l => l.Message.Contains("refused the CSRF token (badtoken)", StringComparison.Ordinal));
        Assert.Equal([TaggingWikiFixture.Tag], await wiki.TagsOfAsync(current.RevId, ct));
    }

    [Fact]
    public async Task TagAsync_SessionLoggedOutOnTheWiki_SignsInAgainAndApplies()
    {
        var ct = TestContext.Current.CancellationToken;
        var (older, current) = await wiki.TwoRevisionsAsync("Tag lost session", ct);
        using var host = CreateSut();
        var tagger = host.Services.GetRequiredService<IWikiTagger>();
        Assert.Equal(TagOutcomeKind.Applied, (await tagger.TagAsync(Request(older.RevId), ct)).Kind);
        var session = host.Services.GetRequiredService<WikiBotSessions>().For(RealWikiFixture.En);

        // End the client's own session on the wiki (action=logout with its cookies and token), as an expiry would.
        using (var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }))
        {
            using var logout = new HttpRequestMessage(HttpMethod.Post, wiki.Api)
            {
                Content = new FormUrlEncodedContent([new("action", "logout"), new("token", session.CsrfToken!), new("format", "json")]),
            };
            logout.Headers.Add("Cookie", session.Cookies.GetCookieHeader(wiki.Api));
            using var response = await http.SendAsync(logout, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("\"error\"", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        var outcome = await tagger.TagAsync(Request(current.RevId), ct);

        Assert.Equal(TagOutcomeKind.Applied, outcome.Kind);
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(), l => l.Message.Contains("the session is gone; signing in again", StringComparison.Ordinal));
        Assert.Equal([TaggingWikiFixture.Tag], await wiki.TagsOfAsync(current.RevId, ct));
    }

    private static void AssertNoSecretLogged(IHost host, string secret)
    {
        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.NotEmpty(logs);
        foreach (var record in logs)
        {
            Assert.DoesNotContain(secret, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, record.Exception?.ToString() ?? "", StringComparison.Ordinal);
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                Assert.DoesNotContain(secret, key + "=" + value, StringComparison.Ordinal);
            }
        }
    }
}
