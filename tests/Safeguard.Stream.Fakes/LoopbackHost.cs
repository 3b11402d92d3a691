using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Safeguard.Stream.Fakes;

/// <summary>A minimal Kestrel host bound to 127.0.0.1 (port 0 = any free port), shared by the HTTP fakes.</summary>
internal sealed class LoopbackHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<LoopbackHost> StartAsync(int port, Action<WebApplication> mapRoutes, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Fakes stay quiet; tests assert on counters, not on logs.
        builder.Logging.ClearProviders();
        // No ConsoleLifetime: a fake must not stop on its own when the hosting process gets SIGTERM/Ctrl+C;
        // its owner (a test fixture or services-up) decides when to dispose it.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port);
            o.AddServerHeader = false;
        });
        var app = builder.Build();
        mapRoutes(app);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return new LoopbackHost(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                // Open streaming connections (SSE) are aborted by the dispose below.
            }
        }

        await _app.DisposeAsync();
    }
}

/// <summary>An <see cref="IHostLifetime"/> that ignores process signals.</summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
