using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.MediaWiki.Tests;

public sealed class MediaWikiClientTests
{
    private static readonly (string, string)[] s_noHeaders = [];

    private static (MediaWikiClient Client, RecordedApiHandler Handler, IHost Host) CreateSut(
        IReadOnlyDictionary<string, string?>? settings, params (HttpStatusCode, string, (string, string)[])[] responses)
    {
        var handler = new RecordedApiHandler(responses);
        var host = MediaWikiTestHost.Create(settings, handler);
        return (host.Services.GetRequiredService<MediaWikiClient>(), handler, host);
    }

    private static (MediaWikiClient Client, RecordedApiHandler Handler, IHost Host) CreateSut(params (HttpStatusCode, string, (string, string)[])[] responses) =>
        CreateSut(null, responses);

    private static (HttpStatusCode, string, (string, string)[]) Recorded(string relative) => (HttpStatusCode.OK, RecordedApiHandler.Recorded(relative), s_noHeaders);

    private static (HttpStatusCode, string, (string, string)[]) Ok(string body) => (HttpStatusCode.OK, body, s_noHeaders);

    private static EditEvent Edit(string domain = "en.wikipedia.org", long rev = 920429244, long? parent = 913912176) => new()
    {
        SchemaUri = "s",
        Stream = "s",
        Domain = domain,
        WikiId = "enwiki",
        RevId = rev,
        ParentRevId = parent,
        Kind = parent is null ? EditKind.Create : EditKind.Edit,
        SourceKind = "edit",
        PageTitle = "Ishiyama_Hongan-ji",
        Namespace = 0,
        EventTime = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task GetDiffAsync_RecordedCompare_ReturnsDiffAndAsksTheEventsWikiPolitely()
    {
        var (client, handler, host) = CreateSut(Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(["[[Category:1490s establishments in Japan]]"], result.Diff!.Added);
        Assert.Equal(["[[Category:15th-century establishments in Japan]]"], result.Diff.Removed);
        Assert.Equal(["1490s"], result.Diff.Inserted);
        Assert.Equal(4, result.Diff.Context.Count);
        Assert.False(result.Diff.Truncated);
        Assert.NotNull(result.Diff.TokenCount);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("en.wikipedia.org", request.RequestUri!.Host);
        Assert.Equal("/w/api.php", request.RequestUri.AbsolutePath);
        Assert.Equal("?action=compare&fromrev=913912176&torev=920429244&prop=diff%7Cids%7Cuser%7Ccomment&difftype=table&format=json&formatversion=2&maxlag=5", request.RequestUri.Query);
        Assert.Equal("Safeguard.Stream/0.1 (https://github.com/safeguard-stream; safeguard-ops@example.org)", request.Headers.UserAgent.ToString());
    }

    [Fact]
    public async Task GetDiffAsync_RecordedApiDocCompareFormatVersion1_ReadsTheStarBody()
    {
        var (client, _, host) = CreateSut(Recorded("wikimedia/api/enwiki.compare.fromrev-139992.torev-139993.apidoc-example.json"));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 139993, parent: 139992), TestContext.Current.CancellationToken);

        Assert.Equal(["Catal&agrave;", "Fran&ccedil;ais", "Portug&ecirc;s"], result.Diff!.Inserted);
        Assert.Equal(["Català", "Français", "Português"], result.Diff.Deleted);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedNoSuchRevId_AsksAgainThenSkips()
    {
        var (client, handler, host) = CreateSut(Recorded("wikimedia/api/enwiki.compare.fromrev-920429242.error-nosuchrevid.recorded.json"));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(rev: 920429242, parent: 920429241), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionMissing, result.SkipReason);
        Assert.Null(result.Diff);
        Assert.Equal(1 + 2, handler.Requests.Count); // MissingRevisionRetries = 2
    }

    [Fact]
    public async Task GetDiffAsync_RecordedBadRevIdsForCreation_AsksAgainThenSkips()
    {
        var (client, handler, host) = CreateSut(Recorded("wikimedia/api/enwiki.query-revisions.revids-920429242.badrevids.recorded.json"));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(rev: 920429242, parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionMissing, result.SkipReason);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("action=query&prop=revisions&revids=920429242&rvprop=ids%7Cuser%7Ccomment%7Ccontent&rvslots=main", handler.Requests[0].RequestUri!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedRevisionsFv1ForCreation_ReturnsThatRevisionsContentAsAdded()
    {
        var (client, _, host) = CreateSut(Recorded("wikimedia/api/wikidatawiki.query-revisions.revids-881732187+888850125.rvslots-star.fv1.recorded.json"));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit("www.wikidata.org", rev: 881732187, parent: null), TestContext.Current.CancellationToken);

        var added = Assert.Single(result.Diff!.Added);
        Assert.StartsWith("{\"type\":\"item\",\"id\":\"Q62050703\"", added, StringComparison.Ordinal);
        Assert.Empty(result.Diff.Removed);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedRevisionsWithoutContent_IsAFailure()
    {
        // prop=revisions without rvprop=content answers metadata only; that must not pass as an empty page.
        var (client, _, host) = CreateSut(Recorded("wikimedia/api/enwiki.query-revisions.revids-920429244.fv1.recorded.json"));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(DiffFailure.BadResponse, result.FailureReason);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedFv2MissingPageAndContinue_SkipsAsMissing()
    {
        var (client, _, host) = CreateSut(Recorded("wikimedia/api/wikidatawiki.query-revisions.fv2.missing-and-continue.json"));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit("www.wikidata.org", rev: 42, parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionMissing, result.SkipReason);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedWireMockRevisionsWithMissingPageAndNoContent_SkipsAsMissing()
    {
        // The recording's body: page 1 missing, page 766 with revision 2537 but rvprop=ids only.
        var (client, _, host) = CreateSut(Recorded("wikimedia/api/testwikidata.query-revisions.pageids.fv2.wiremock-recorded.json"));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit("test.wikidata.org", rev: 2537, parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionMissing, result.SkipReason); // a missing page in the answer, and no content for 2537
        Assert.Null(result.Diff);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedUnknownApiError_IsAFailureToDeadLetter()
    {
        var (client, handler, host) = CreateSut(Recorded("wikimedia/api/wikidatawiki.error.multisource.json"));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(DiffFailure.ApiError, result.FailureReason);
        Assert.Equal("compare: API error multisource", result.Detail);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"totexthidden":true,"body":"secret"}}""", SkipReason.RevisionHidden)]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"fromtexthidden":true,"body":"secret"}}""", SkipReason.RevisionHidden)]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"totexthidden":true,"tosuppressed":true,"body":"secret"}}""", SkipReason.RevisionSuppressed)]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"fromtexthidden":"","fromsuppressed":"","*":"secret"}}""", SkipReason.RevisionSuppressed)]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"body":"<tr><td colspan=\"2\" class=\"diff-lineno\">Line 1:</td></tr>"}}""", SkipReason.EmptyDiff)]
    public async Task GetDiffAsync_HiddenSuppressedOrEmptyCompare_SkipsWithItsReasonAndNoText(string body, string reason)
    {
        var (client, _, host) = CreateSut(Ok(body));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 2, parent: 1), TestContext.Current.CancellationToken);

        Assert.Equal(reason, result.SkipReason);
        Assert.Null(result.Diff);
        Assert.DoesNotContain("secret", result.Detail!, StringComparison.Ordinal);
    }

    [Theory]
    // Recorded from a real MediaWiki 1.39 (tests/data/mediawiki-1.39-local): anonymous compare says missingcontent
    // for hidden (rev 3) and suppressed (rev 4) text alike; prop=revisions then tells which, the revision's own
    // state first, then its parent's (rev 5, whose parent 4 is suppressed).
    [InlineData("compare-hidden-anon.json", 3L, 2L, SkipReason.RevisionHidden, "revision text hidden")]
    [InlineData("compare-suppressed-anon.json", 4L, 3L, SkipReason.RevisionSuppressed, "revision text suppressed")]
    [InlineData("compare-visible-to-suppressed-anon.json", 5L, 4L, SkipReason.RevisionSuppressed, "parent revision text suppressed")]
    public async Task GetDiffAsync_RecordedMissingContent_AsksPropRevisionsToTellHiddenFromSuppressed(string compare, long rev, long parent, string reason, string detail)
    {
        var (client, handler, host) = CreateSut(Recorded("mediawiki-1.39-local/" + compare), Recorded("mediawiki-1.39-local/revisions-revdel-anon.json"));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: rev, parent: parent), TestContext.Current.CancellationToken);

        Assert.Equal(reason, result.SkipReason);
        Assert.EndsWith(detail, result.Detail, StringComparison.Ordinal);
        Assert.Null(result.Diff);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"action=query&prop=revisions&revids={rev}%7C{parent}&rvprop=ids%7Cflags%7Cuser%7Ccomment%7Csha1"),
            handler.Requests[1].RequestUri!.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDiffAsync_MissingContentAndRevisionsUnreachable_SkipsAsHiddenSayingItCouldNotTell()
    {
        var (client, _, host) = CreateSut(
            new Dictionary<string, string?> { ["Safeguard:MediaWiki:MaxRetries"] = "0" },
            Recorded("mediawiki-1.39-local/compare-hidden-anon.json"), (HttpStatusCode.ServiceUnavailable, "down", s_noHeaders));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 3, parent: 2), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionHidden, result.SkipReason);
        Assert.Contains("not told apart", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"tocommenthidden":true,"body":"<tr><td class=\"diff-addedline\">x</td></tr>"}}""", HiddenFields.Summary)]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"touserhidden":true,"tosuppressed":true,"body":"<tr><td class=\"diff-addedline\">x</td></tr>"}}""", HiddenFields.User)]
    [InlineData("""{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"touserhidden":true,"tocommenthidden":true,"body":"<tr><td class=\"diff-addedline\">x</td></tr>"}}""", HiddenFields.User | HiddenFields.Summary)]
    // The parent's hidden user and summary are not this edit's (recorded: compare 5 -> 6 after hiding rev 5's user and summary).
    [InlineData("mediawiki-1.39-local/compare-userhidden-anon.json", HiddenFields.None)]
    public async Task GetDiffAsync_UserOrSummaryHidden_ReturnsTheDiffAndWhatIsHidden(string bodyOrFile, HiddenFields hidden)
    {
        var (client, _, host) = CreateSut(bodyOrFile.EndsWith(".json", StringComparison.Ordinal) ? Recorded(bodyOrFile) : Ok(bodyOrFile));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 6, parent: 5), TestContext.Current.CancellationToken);

        Assert.NotNull(result.Diff);
        Assert.Equal(hidden, result.Hidden);
    }

    [Fact]
    public async Task GetDiffAsync_CreationWithUserAndSummaryHidden_ReturnsTheContentAndWhatIsHidden()
    {
        var (client, _, host) = CreateSut(Ok("""{"batchcomplete":true,"query":{"pages":[{"pageid":5,"ns":0,"title":"T","revisions":[{"revid":7,"parentid":0,"userhidden":true,"commenthidden":true,"suppressed":true,"slots":{"main":{"content":"text"}}}]}]}}"""));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 7, parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(["text"], result.Diff!.Added);
        Assert.Equal(HiddenFields.User | HiddenFields.Summary, result.Hidden);
    }

    [Theory]
    [InlineData("""{"batchcomplete":true,"query":{"pages":[{"pageid":5,"ns":0,"title":"T","revisions":[{"revid":7,"parentid":0,"texthidden":true,"slots":{"main":{"texthidden":true}}}]}]}}""", SkipReason.RevisionHidden)]
    [InlineData("""{"batchcomplete":true,"query":{"pages":[{"pageid":5,"ns":0,"title":"T","revisions":[{"revid":7,"parentid":0,"slots":{"main":{"contentmodel":"wikitext","texthidden":true}}}]}]}}""", SkipReason.RevisionHidden)]
    [InlineData("""{"batchcomplete":true,"query":{"pages":[{"pageid":5,"ns":0,"title":"T","revisions":[{"revid":7,"parentid":0,"texthidden":true,"suppressed":true,"slots":{"main":{"texthidden":true}}}]}]}}""", SkipReason.RevisionSuppressed)]
    [InlineData("""{"batchcomplete":true,"query":{"pages":[{"pageid":5,"ns":0,"title":"T","revisions":[{"revid":7,"parentid":0,"slots":{"main":{"content":" \n\n "}}}]}]}}""", SkipReason.EmptyDiff)]
    public async Task GetDiffAsync_HiddenSuppressedOrEmptyCreation_SkipsWithItsReason(string body, string reason)
    {
        var (client, _, host) = CreateSut(Ok(body));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 7, parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(reason, result.SkipReason);
        Assert.Null(result.Diff);
    }

    [Theory]
    [InlineData("not json at all", DiffFailure.BadResponse)]
    [InlineData("[1,2,3]", DiffFailure.BadResponse)]
    [InlineData("""{"batchcomplete":true}""", DiffFailure.BadResponse)]
    [InlineData("""{"compare":{"fromrevid":1,"torevid":2}}""", DiffFailure.BadResponse)]
    [InlineData("""{"error":{"code":"badvalue","info":"Unrecognized value for parameter \"action\"."}}""", DiffFailure.ApiError)]
    public async Task GetDiffAsync_UnexpectedAnswer_IsAFailureToDeadLetter(string body, string failure)
    {
        var (client, _, host) = CreateSut(Ok(body));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(failure, result.FailureReason);
    }

    [Fact]
    public async Task GetDiffAsync_MaxlagThenSuccess_WaitsForRetryAfterAndRetries()
    {
        const string maxlag = """{"error":{"code":"maxlag","info":"Waiting for 10.64.16.17: 7 seconds lagged.","host":"db1","lag":7,"type":"db"},"servedby":"mw1"}""";
        var (client, handler, host) = CreateSut(
            (HttpStatusCode.OK, maxlag, [("Retry-After", "7"), ("X-Database-Lag", "7"), ("MediaWiki-API-Error", "maxlag")]),
            Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"));
        using var _ = host;
        var requests = MediaWikiTestHost.Requests(host);
        var started = TimeProvider.System.GetTimestamp();

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.NotNull(result.Diff);
        Assert.Equal(2, handler.Requests.Count);
        // Retry-After: 7 capped to MaxRetryAfter (300 ms here): far above the 10 ms base delay.
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(280));
        Assert.Equal(1, requests.Count("maxlag"));
        Assert.Equal(1, requests.Count("ok"));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, "throttled")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "server_error")]
    [InlineData(HttpStatusCode.InternalServerError, "server_error")]
    public async Task GetDiffAsync_TransientStatusThenSuccess_Retries(HttpStatusCode status, string outcome)
    {
        var (client, handler, host) = CreateSut(
            (status, "<html>busy</html>", [("Retry-After", "0")]),
            Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"));
        using var _ = host;
        var requests = MediaWikiTestHost.Requests(host);

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.NotNull(result.Diff);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, requests.Count(outcome));
    }

    [Fact]
    public async Task GetDiffAsync_PersistentServerError_FailsAfterTheRetries()
    {
        var (client, handler, host) = CreateSut((HttpStatusCode.BadGateway, "<html>bad gateway</html>", s_noHeaders));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(DiffFailure.Unavailable, result.FailureReason);
        Assert.Equal("compare: HTTP 502", result.Detail);
        Assert.Equal(1 + 4, handler.Requests.Count); // MaxRetries = 4
    }

    [Fact]
    public async Task GetDiffAsync_ClientError_IsNotRetried()
    {
        var (client, handler, host) = CreateSut((HttpStatusCode.Forbidden, "<html>forbidden</html>", s_noHeaders));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(DiffFailure.HttpError, result.FailureReason);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task GetDiffAsync_LargeCreation_IsFittedToTheO200kTokenBudget()
    {
        var content = string.Join("\\n", Enumerable.Range(0, 400).Select(i => $"Line {i} of a long new article about the history of the castle."));
        var body = """{"batchcomplete":true,"query":{"pages":[{"pageid":5,"ns":0,"title":"T","revisions":[{"revid":7,"parentid":0,"slots":{"main":{"content":"CONTENT"}}}]}]}}""".Replace("CONTENT", content, StringComparison.Ordinal);
        var (client, _, host) = CreateSut(new Dictionary<string, string?> { ["Safeguard:MediaWiki:MaxDiffTokens"] = "300" }, Ok(body));
        using var _h = host;

        var result = await client.GetDiffAsync(Edit(rev: 7, parent: null), TestContext.Current.CancellationToken);

        var diff = result.Diff!;
        Assert.True(diff.Truncated);
        Assert.InRange(diff.TokenCount!.Value, 250, 300);
        Assert.Equal("Line 0 of a long new article about the history of the castle.", diff.Added[0]);
        var counter = new O200kTokenCounter();
        Assert.True(diff.Added.Sum(l => counter.CountTokens(l) + 1) <= 300);
    }

    [Theory]
    [InlineData("evil.example.com")]
    [InlineData("en.wikipedia.org.evil.com")]
    [InlineData("127.0.0.1")]
    [InlineData("en.wikipedia.org:8080")]
    [InlineData("user@en.wikipedia.org")]
    [InlineData("wikipedia.org/../x")]
    [InlineData("")]
    public async Task GetDiffAsync_DomainOutsideAllowlist_IsRefusedWithoutARequest(string domain)
    {
        var (client, handler, host) = CreateSut(Ok("{}"));
        using var _ = host;

        var result = await client.GetDiffAsync(Edit(domain), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.DomainNotAllowed, result.SkipReason);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task GetDiffAsync_ConfiguredAllowlist_ReplacesTheDefaults()
    {
        var settings = new Dictionary<string, string?> { ["Safeguard:MediaWiki:AllowedDomains:0"] = "de.wikipedia.org" };
        var (client, handler, host) = CreateSut(settings, Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"));
        using var _ = host;

        Assert.Equal(SkipReason.DomainNotAllowed, (await client.GetDiffAsync(Edit("en.wikipedia.org"), TestContext.Current.CancellationToken)).SkipReason);
        Assert.NotNull((await client.GetDiffAsync(Edit("de.wikipedia.org"), TestContext.Current.CancellationToken)).Diff);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("de.wikipedia.org", true)]
    [InlineData("DE.Wikipedia.ORG", true)]
    [InlineData("commons.wikimedia.org", true)]
    [InlineData("www.wikidata.org", true)]
    [InlineData("wikipedia.org", false)]
    [InlineData("xwikipedia.org", false)]
    [InlineData("de.wikipedia.org.", false)]
    public void DomainAllowlist_DefaultPatterns(string domain, bool allowed)
    {
        Assert.Equal(allowed, new DomainAllowlist(new MediaWikiOptions().EffectiveAllowedDomains).IsAllowed(domain));
    }

    [Theory]
    [InlineData("Safeguard:MediaWiki:UserAgent", "Safeguard.Stream/1.0", "UserAgent")]
    [InlineData("Safeguard:MediaWiki:UserAgent", "Safeguard.Stream/1.0 (no contact given)", "UserAgent")]
    [InlineData("Safeguard:MediaWiki:ApiUrlTemplate", "https://en.wikipedia.org/w/api.php", "ApiUrlTemplate")]
    [InlineData("Safeguard:MediaWiki:ApiUrlTemplate", "file:///{domain}/api.php", "ApiUrlTemplate")]
    [InlineData("Safeguard:MediaWiki:AttemptTimeout", "00:01:00", "TotalTimeout")]
    [InlineData("Safeguard:MediaWiki:MaxDiffTokens", "10", "MaxDiffTokens")]
    public void AddSafeguardMediaWiki_BadConfiguration_FailsAtStartNamingTheKey(string key, string value, string named)
    {
        using var host = MediaWikiTestHost.Create(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<MediaWikiOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void AddSafeguardMediaWiki_DefaultConfiguration_IsValid()
    {
        using var host = MediaWikiTestHost.Create();

        var options = host.Services.GetRequiredService<IOptions<MediaWikiOptions>>().Value;

        Assert.Equal(5, options.MaxLagSeconds);
        Assert.NotNull(host.Services.GetRequiredService<MediaWikiClient>());
    }

    [Fact]
    public void O200kTokenCounter_CountsAsTheModelDoes()
    {
        var counter = new O200kTokenCounter();

        Assert.Equal(2, counter.CountTokens("hello world")); // two tokens in o200k_base
        Assert.Equal("hello".Length, counter.GetIndexByTokenCount("hello world", 1));
    }
}
