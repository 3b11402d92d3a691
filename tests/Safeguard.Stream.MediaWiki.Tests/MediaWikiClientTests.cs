using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.MediaWiki.Tests;

public sealed class MediaWikiClientTests
{
    private static readonly (string, string)[] s_noHeaders = [];

    private static (MediaWikiClient Client, RecordedApiHandler Handler) CreateSut(params (HttpStatusCode, string, (string, string)[])[] responses)
    {
        var handler = new RecordedApiHandler(responses);
        var options = Options.Create(new MediaWikiOptions
        {
            MissingRevisionDelay = TimeSpan.Zero,
            MaxRetryAfter = TimeSpan.Zero,
        });
        return (new MediaWikiClient(new HttpClient(handler), options, TimeProvider.System, NullLogger<MediaWikiClient>.Instance), handler);
    }

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
    public async Task GetDiffAsync_RecordedCompare_ReturnsDiffAndAsksTheEventsWiki()
    {
        var (client, handler) = CreateSut((HttpStatusCode.OK, RecordedApiHandler.Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"), s_noHeaders));

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(["[[Category:1490s establishments in Japan]]"], result.Diff!.Added);
        var uri = Assert.Single(handler.Requests).RequestUri!;
        Assert.Equal("en.wikipedia.org", uri.Host);
        Assert.Contains("action=compare&fromrev=913912176&torev=920429244", uri.Query, StringComparison.Ordinal);
        Assert.Contains("formatversion=2", uri.Query, StringComparison.Ordinal);
        Assert.Contains("maxlag=5", uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedNoSuchRevId_RetriesThenSkips()
    {
        var body = RecordedApiHandler.Recorded("wikimedia/api/enwiki.compare.fromrev-920429242.error-nosuchrevid.recorded.json");
        var (client, handler) = CreateSut((HttpStatusCode.OK, body, s_noHeaders));

        var result = await client.GetDiffAsync(Edit(rev: 920429242, parent: 920429241), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionMissing, result.SkipReason);
        Assert.Null(result.Diff);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedBadRevIdsForCreation_Skips()
    {
        var body = RecordedApiHandler.Recorded("wikimedia/api/enwiki.query-revisions.revids-920429242.badrevids.recorded.json");
        var (client, _) = CreateSut((HttpStatusCode.OK, body, s_noHeaders));

        var result = await client.GetDiffAsync(Edit(rev: 920429242, parent: null), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionMissing, result.SkipReason);
    }

    [Fact]
    public async Task GetDiffAsync_RecordedRevisionsFv1ForCreation_ReturnsThatRevisionsContentAsAdded()
    {
        var body = RecordedApiHandler.Recorded("wikimedia/api/wikidatawiki.query-revisions.revids-881732187+888850125.rvslots-star.fv1.recorded.json");
        var (client, _) = CreateSut((HttpStatusCode.OK, body, s_noHeaders));

        var result = await client.GetDiffAsync(Edit("www.wikidata.org", rev: 881732187, parent: null), TestContext.Current.CancellationToken);

        var added = Assert.Single(result.Diff!.Added);
        Assert.StartsWith("{\"type\":\"item\",\"id\":\"Q62050703\"", added, StringComparison.Ordinal);
        Assert.Empty(result.Diff.Removed);
    }

    [Fact]
    public async Task GetDiffAsync_RevisionsResponseWithoutContent_IsAFailure()
    {
        // prop=revisions without rvprop=content answers metadata only; that must not pass as an empty page.
        var body = RecordedApiHandler.Recorded("wikimedia/api/enwiki.query-revisions.revids-920429244.fv1.recorded.json");
        var (client, _) = CreateSut((HttpStatusCode.OK, body, s_noHeaders));

        var result = await client.GetDiffAsync(Edit(parent: null), TestContext.Current.CancellationToken);

        Assert.Equal("mediawiki_response", result.FailureReason);
    }

    [Fact]
    public async Task GetDiffAsync_MaxlagThenSuccess_WaitsAndRetries()
    {
        const string maxlag = """{"error":{"code":"maxlag","info":"Waiting for 10.64.16.17: 7 seconds lagged.","host":"db1","lag":7,"type":"db"},"servedby":"mw1"}""";
        var (client, handler) = CreateSut(
            (HttpStatusCode.OK, maxlag, [("Retry-After", "5"), ("X-Database-Lag", "7")]),
            (HttpStatusCode.OK, RecordedApiHandler.Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"), s_noHeaders));

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.NotNull(result.Diff);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task GetDiffAsync_TooManyRequests_WaitsAndRetries()
    {
        var (client, handler) = CreateSut(
            (HttpStatusCode.TooManyRequests, "{}", [("Retry-After", "1")]),
            (HttpStatusCode.OK, RecordedApiHandler.Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"), s_noHeaders));

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.NotNull(result.Diff);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task GetDiffAsync_HiddenText_SkipsWithoutContent()
    {
        const string hidden = """{"compare":{"fromid":1,"fromrevid":1,"torevid":2,"totexthidden":true}}""";
        var (client, _) = CreateSut((HttpStatusCode.OK, hidden, s_noHeaders));

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevisionHidden, result.SkipReason);
    }

    [Fact]
    public async Task GetDiffAsync_UnknownApiError_IsAFailureToDeadLetter()
    {
        var body = RecordedApiHandler.Recorded("wikimedia/api/wikidatawiki.error.multisource.json");
        var (client, _) = CreateSut((HttpStatusCode.OK, body, s_noHeaders));

        var result = await client.GetDiffAsync(Edit(), TestContext.Current.CancellationToken);

        Assert.Equal("mediawiki_error", result.FailureReason);
    }

    [Theory]
    [InlineData("evil.example.com")]
    [InlineData("en.wikipedia.org.evil.com")]
    [InlineData("127.0.0.1")]
    [InlineData("en.wikipedia.org:8080")]
    [InlineData("user@en.wikipedia.org")]
    [InlineData("wikipedia.org/../x")]
    public async Task GetDiffAsync_DomainOutsideAllowlist_IsRefusedWithoutARequest(string domain)
    {
        var (client, handler) = CreateSut((HttpStatusCode.OK, "{}", s_noHeaders));

        var result = await client.GetDiffAsync(Edit(domain), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.DomainNotAllowed, result.SkipReason);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData("de.wikipedia.org", true)]
    [InlineData("commons.wikimedia.org", true)]
    [InlineData("www.wikidata.org", true)]
    [InlineData("wikipedia.org", false)]
    [InlineData("xwikipedia.org", false)]
    public void DomainAllowlist_DefaultPatterns(string domain, bool allowed)
    {
        Assert.Equal(allowed, new DomainAllowlist(new MediaWikiOptions().AllowedDomains).IsAllowed(domain));
    }
}
