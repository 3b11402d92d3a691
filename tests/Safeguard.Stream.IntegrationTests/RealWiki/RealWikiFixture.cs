using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

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

    /// <summary>
    /// A fresh, migrated database and topics (<see cref="LocalServicesFixture.CreateEnvironmentAsync"/>), and the
    /// settings of a <c>safeguard run</c> that reads this wiki's RC feed and classifies with <paramref name="policy"/>.
    /// </summary>
    public async Task<(TestEnvironment Environment, Dictionary<string, string?> Settings)> LiveWorkerAsync(
        LocalServicesFixture services, string name, string policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var environment = await services.CreateEnvironmentAsync(name, ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "EventStreams",
            ["Safeguard:Source:Url"] = RcFeed.StreamUrl.ToString(),
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = Wiki.ApiUrlTemplateString,
            ["Safeguard:Llm:Endpoint"] = Llm.BaseUrl.ToString(),
            ["Safeguard:Policies:Enabled:0"] = policy,
            ["Safeguard:Telemetry:HealthPort"] = "0",
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
        };
        return (environment, settings);
    }

    /// <summary>A revision's change tags as the sysop (who sees suppressed revisions) reads them: <c>prop=revisions&amp;rvprop=tags</c>.</summary>
    public async Task<IReadOnlyList<string>> TagsOfAsync(long revId, CancellationToken ct)
    {
        using var sysop = await MediaWikiApiSession.LoginSysopAsync(Wiki.ApiUrl(En), ct);
        var answer = await sysop.GetAsync(ct, ("action", "query"), ("prop", "revisions"), ("revids", revId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("rvprop", "ids|tags"));
        return [.. answer["query"]!["pages"]!.AsArray().SelectMany(p => p!["revisions"]!.AsArray()).SelectMany(r => r!["tags"]!.AsArray()).Select(t => (string)t!)];
    }

    public async Task HideAsync(long revId, string hide, bool suppress, CancellationToken ct)
    {
        using var sysop = await MediaWikiApiSession.LoginSysopAsync(Wiki.ApiUrl(En), ct);
        await sysop.RevisionDeleteAsync(revId, hide, suppress, "test: " + hide, ct);
    }
}
