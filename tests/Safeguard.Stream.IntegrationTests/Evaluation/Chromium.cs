using System.Buffers.Binary;
using System.Text.Json;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary>
/// Debian's headless Chromium (installed by <c>make setup</c>) loading a local page with every host unresolvable and
/// background networking off, writing a screenshot, the DOM after load, and a NetLog of every request it made.
/// </summary>
internal sealed class Chromium : IDisposable
{
    private readonly string _profile = Directory.CreateTempSubdirectory("chromium-profile").FullName;

    public static string Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed: run `make setup` (it installs Debian's chromium package)");

    public void Dispose() => Directory.Delete(_profile, recursive: true);

    /// <summary>Loads <paramref name="page"/>; returns the DOM (with <c>--dump-dom</c>) or the screenshot path, and the NetLog path.</summary>
    public async Task<(string Stdout, string NetLog)> LoadAsync(string page, string? screenshot, CancellationToken ct)
    {
        var netLog = Path.Combine(_profile, Guid.NewGuid().ToString("N") + ".netlog.json");
        List<string> args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-extensions", "--user-data-dir=" + Path.Combine(_profile, "user-data"),
            "--host-resolver-rules=MAP * ~NOTFOUND", "--log-net-log=" + netLog, "--window-size=1200,2000",
            screenshot is null ? "--dump-dom" : "--screenshot=" + screenshot,
            new Uri(page).AbsoluteUri,
        ];
        var (exit, stdout, stderr) = await EvalProcess.RunAsync(Executable, args, null, TimeSpan.FromSeconds(60), ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"chromium exited {exit}: {stderr}");
        }

        return (stdout, netLog);
    }

    /// <summary>
    /// Screenshots <paramref name="page"/> and an empty page (in <paramref name="directory"/>) and checks the page's:
    /// a PNG of the window's size that compresses far worse than the blank one, as text, tables and plots do.
    /// </summary>
    public async Task AssertFullNonTrivialScreenshotAsync(string page, string directory, CancellationToken ct)
    {
        var shot = Path.Combine(directory, "report.png");
        var blankPage = Path.Combine(directory, "blank.html");
        var blankShot = Path.Combine(directory, "blank.png");
        await File.WriteAllTextAsync(blankPage, "<!DOCTYPE html><html><body></body></html>", ct);

        await LoadAsync(page, shot, ct);
        await LoadAsync(blankPage, blankShot, ct);

        var png = await File.ReadAllBytesAsync(shot, ct);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));   // IHDR width
        Assert.Equal(2000, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));   // IHDR height
        Assert.True(png.Length > 4 * new FileInfo(blankShot).Length, $"{png.Length} bytes against {new FileInfo(blankShot).Length} for a blank page");
    }

    /// <summary>
    /// URLs the page itself asked for. Chromium's own background requests (update checks, accounts) carry the initiator
    /// "not an origin"; a request made on behalf of a file:// page has the file:// site in its network isolation key.
    /// </summary>
    public static IReadOnlyList<string> PageRequests(string netLog)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(netLog));
        var startJob = document.RootElement.GetProperty("constants").GetProperty("logEventTypes").GetProperty("URL_REQUEST_START_JOB").GetInt32();
        var urls = new List<string>();
        foreach (var e in document.RootElement.GetProperty("events").EnumerateArray())
        {
            if (e.GetProperty("type").GetInt32() != startJob || !e.TryGetProperty("params", out var p) || !p.TryGetProperty("url", out var url))
            {
                continue;
            }

            var initiator = p.TryGetProperty("initiator", out var i) ? i.GetString() : null;
            var isolation = p.TryGetProperty("network_isolation_key", out var k) ? k.GetString() ?? "" : "";
            if (initiator != "not an origin" || isolation.Contains("file://", StringComparison.Ordinal))
            {
                urls.Add(url.GetString()!);
            }
        }

        return urls;
    }
}
