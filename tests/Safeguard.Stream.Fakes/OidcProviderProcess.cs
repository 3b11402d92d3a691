using System.Diagnostics;
using System.Globalization;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// A real OpenID Connect provider on loopback: npm <c>oidc-provider</c> run by node from <c>tests/oidc/provider.mjs</c>
/// (installed by <c>make setup</c>), with its demo users (<see cref="DemoUsers"/>) and a <c>groups</c> claim.
/// </summary>
public sealed class OidcProviderProcess : IAsyncDisposable
{
    private readonly Process _process;

    private OidcProviderProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The issuer: <c>http://localhost:{port}</c>.</summary>
    public string Authority => string.Create(CultureInfo.InvariantCulture, $"http://localhost:{Port}");

    /// <summary>Starts the provider for one client whose app runs at <paramref name="appBaseUrl"/> (<c>/signin-oidc</c>,
    /// <c>/signout-callback-oidc</c>); waits until it says it listens.</summary>
    public static async Task<OidcProviderProcess> StartAsync(string repositoryRoot, string clientId, string clientSecret, string appBaseUrl, CancellationToken ct = default)
    {
        var script = Path.Combine(repositoryRoot, "tests", "oidc", "provider.mjs");
        if (!Directory.Exists(Path.Combine(repositoryRoot, "tests", "oidc", "node_modules", "oidc-provider")))
        {
            throw new InvalidOperationException("oidc-provider is not installed in tests/oidc/node_modules: run `make setup` (npm ci there)");
        }

        var port = LocalResources.FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        foreach (var arg in new[]
        {
            script, "--port", port.ToString(CultureInfo.InvariantCulture), "--client-id", clientId, "--client-secret", clientSecret,
            "--redirect-uri", appBaseUrl + "/signin-oidc", "--post-logout-redirect-uri", appBaseUrl + "/signout-callback-oidc",
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var provider = new OidcProviderProcess(process, port);
        var exited = process.WaitForExitAsync(ct);
        var started = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60), ct));
        if (started != listening.Task)
        {
            await provider.DisposeAsync();
            string log;
            lock (output)
            {
                log = output.ToString();
            }

            throw new InvalidOperationException("oidc-provider did not start: " + log);
        }

        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>The demo sign-ins of <c>tests/oidc/provider.mjs</c> (not real people, not real passwords).</summary>
public static class DemoUsers
{
    public static readonly (string Login, string Password) Moderator = ("moderator", "moderator-demo-pass");
    public static readonly (string Login, string Password) Oversighter = ("oversighter", "oversighter-demo-pass");
    public static readonly (string Login, string Password) Outsider = ("outsider", "outsider-demo-pass");
}
