using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Safeguard.Stream.MediaWiki.Tests;

/// <summary><see cref="MediaWikiClient.LookUpRevisionAsync"/>: the parent and page of one revision, for <c>safeguard classify --rev</c>.</summary>
public sealed class MediaWikiClientRevisionLookupTests
{
    private const string Fv2Answer = """
        {"batchcomplete":true,"query":{"pages":[{"pageid":131,"ns":4,"title":"Wikipedia:Sandbox","revisions":[{"revid":1539723790,"parentid":1539723569}]}]}}
        """;

    private static (MediaWikiClient Client, RecordedApiHandler Handler, IDisposable Host) CreateSut(params (HttpStatusCode, string, (string, string)[])[] responses)
    {
        var handler = new RecordedApiHandler(responses);
        var host = MediaWikiTestHost.Create(null, handler);
        return (host.Services.GetRequiredService<MediaWikiClient>(), handler, host);
    }

    [Fact]
    public async Task LookUpRevisionAsync_Fv2Answer_ReturnsParentTitleAndNamespaceAskedThroughTheWikisPipeline()
    {
        var (client, handler, host) = CreateSut((HttpStatusCode.OK, Fv2Answer, []));
        using var _ = host;

        var revision = await client.LookUpRevisionAsync("EN.wikipedia.org", 1539723790, TestContext.Current.CancellationToken);

        Assert.Equal(new RevisionSummary(1539723790, 1539723569, "Wikipedia:Sandbox", 4), revision);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("https://en.wikipedia.org/w/api.php?action=query&prop=revisions&revids=1539723790&rvprop=ids&format=json&formatversion=2&maxlag=5",
            request.RequestUri!.ToString());
        Assert.Equal("en.wikipedia.org", WikiApiRequest.WikiOf(request));
        Assert.Equal("query", WikiApiRequest.ActionOf(request));
    }

    [Fact]
    public async Task LookUpRevisionAsync_PageCreation_HasNoParent()
    {
        var (client, _, host) = CreateSut((HttpStatusCode.OK, """{"query":{"pages":[{"ns":0,"title":"New","revisions":[{"revid":5,"parentid":0}]}]}}""", []));
        using var _ = host;

        var revision = await client.LookUpRevisionAsync("en.wikipedia.org", 5, TestContext.Current.CancellationToken);

        Assert.Equal(new RevisionSummary(5, 0, "New", 0), revision);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "{}")]
    [InlineData(HttpStatusCode.OK, "not json")]
    [InlineData(HttpStatusCode.OK, """{"query":{"badrevids":{"5":{"revid":5}}}}""")]
    [InlineData(HttpStatusCode.OK, "[1]")]
    public async Task LookUpRevisionAsync_NoUsefulAnswer_ReturnsNull(HttpStatusCode status, string body)
    {
        var (client, _, host) = CreateSut((status, body, []));
        using var _ = host;

        Assert.Null(await client.LookUpRevisionAsync("en.wikipedia.org", 5, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LookUpRevisionAsync_DomainOutsideTheAllowlist_AsksNothing()
    {
        var (client, handler, host) = CreateSut((HttpStatusCode.OK, Fv2Answer, []));
        using var _ = host;

        Assert.Null(await client.LookUpRevisionAsync("evil.example.org", 5, TestContext.Current.CancellationToken));
        Assert.Empty(handler.Requests);
    }
}
