using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.RealWiki;

/// <summary>
/// One real MediaWiki per test class (<see cref="MediaWikiServer"/>: en.wikipedia.org and de.wikipedia.org), its RC
/// feed bridged to SSE (<see cref="RcFeedBridge"/>), and a vLLM simulator that keeps the requests it received.
/// </summary>
public sealed class RealWikiFixture : IAsyncLifetime
{
    public const string En = "en.wikipedia.org";

    public MediaWikiServer Wiki { get; private set; } = null!;

    public RcFeedBridge RcFeed { get; private set; } = null!;

    public VllmSimulator Llm { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        RcFeed = await RcFeedBridge.StartAsync(ct: ct);
        Wiki = await MediaWikiServer.StartAsync(new MediaWikiServerOptions { Domains = [En, "de.wikipedia.org"] }, ct);
        Wiki.SetRcFeed(RcFeed.UdpEndpoint);
        Llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Seed = 7, Latency = TimeSpan.FromMilliseconds(5), CaptureRequests = true }, ct: ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (Llm is not null)
        {
            await Llm.DisposeAsync();
        }

        if (Wiki is not null)
        {
            await Wiki.DisposeAsync();
        }

        if (RcFeed is not null)
        {
            await RcFeed.DisposeAsync();
        }
    }

    public async Task<(WikiEdit First, WikiEdit Middle, WikiEdit Last)> ThreeRevisionsAsync(string title, string middleText, string summary, CancellationToken ct)
    {
        using var bot = await MediaWikiApiSession.LoginBotAsync(Wiki.ApiUrl(En), ct);
        var first = await bot.EditAsync(title, "First line of the page.", "create", ct);
        var middle = await bot.EditAsync(title, "First line of the page.\n" + middleText, summary, ct);
        var last = await bot.EditAsync(title, "First line of the page.\n" + middleText + "\nA later line.", "later", ct);
        return (first, middle, last);
    }

    public async Task HideAsync(long revId, string hide, bool suppress, CancellationToken ct)
    {
        using var sysop = await MediaWikiApiSession.LoginSysopAsync(Wiki.ApiUrl(En), ct);
        await sysop.RevisionDeleteAsync(revId, hide, suppress, "test: " + hide, ct);
    }
}
