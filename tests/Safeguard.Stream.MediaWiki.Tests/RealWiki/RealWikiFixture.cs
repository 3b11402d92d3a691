using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>
/// One real MediaWiki (<see cref="MediaWikiServer"/>: Debian's 1.39, SQLite, wikidiff2) per test class, started from
/// the prepared copy and stopped with the class. Tests on it use pages of their own so that they do not meet.
/// </summary>
public sealed class RealWikiFixture : IAsyncLifetime
{
    public MediaWikiServer Server { get; private set; } = null!;

    public const string En = "en.wikipedia.org";

    public const string De = "de.wikipedia.org";

    public async ValueTask InitializeAsync()
    {
        Server = await MediaWikiServer.StartAsync(new MediaWikiServerOptions { Domains = [En, De] }, TestContext.Current.CancellationToken);
        TestContext.Current.SendDiagnosticMessage($"real wiki on port {Server.Port} (pid {Server.ProcessId}) started in {Server.StartTime.TotalMilliseconds:F0} ms");
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
