using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="MediaWikiServer"/>.</summary>
public sealed record MediaWikiServerOptions
{
    /// <summary>The wikis, each served at <c>/{domain}/w/api.php</c> with its own SQLite database.</summary>
    public IReadOnlyList<string> Domains { get; init; } = ["en.wikipedia.org", "de.wikipedia.org"];

    /// <summary>
    /// <c>PHP_CLI_SERVER_WORKERS</c>. One worker serves requests one at a time, which is what SQLite likes and what
    /// makes the RC feed's datagram leave before the edit's response does.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Where prepared installs are kept (one folder per MediaWiki version and settings). Default:
    /// <c>$SAFEGUARD_MEDIAWIKI_CACHE</c>, else <c>/tmp/safeguard-mediawiki-prepared</c>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Where this wiki's copy lives; default: a fresh folder under the temp directory, removed on dispose.</summary>
    public string? Directory { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>The accounts every wiki of a <see cref="MediaWikiServer"/> has.</summary>
public static class MediaWikiAccounts
{
    /// <summary>A sysop in the <c>suppress</c> group; sysops here also hold <c>deleterevision</c>, <c>suppressrevision</c> and <c>viewsuppressed</c>.</summary>
    public const string Sysop = "Oversighter";

    public const string SysopPassword = "Sg-Oversight-Pass-2026";

    /// <summary>A user in the <c>bot</c> group; log in with its BotPassword (<see cref="BotLoginName"/>, <see cref="BotPasswordKey"/>).</summary>
    public const string Bot = "Editbot";

    public const string BotPassword = "Sg-Editbot-Pass-2026";

    public const string BotAppId = "tests";

    public const string BotLoginName = Bot + "@" + BotAppId;

    /// <summary>Must match <c>^[0-9a-w]{32,}$</c>: anything else and the login silently fails.</summary>
    public const string BotPasswordKey = "0123456789abcdefghijklmnopqrstuvw";

    /// <summary>The installer's admin (needed by install.php; the tests use <see cref="Sysop"/>).</summary>
    public const string Admin = "Admin";
}

/// <summary>
/// A real MediaWiki (Debian's 1.39 package in <c>/usr/share/mediawiki</c>, SQLite, wikidiff2) served by <c>php -S</c>
/// on 127.0.0.1, one or more wikis in the <c>/{domain}/w/api.php</c> shape under one port.
/// <para>
/// The first start on a machine installs the wikis once into a cache folder (install.php, accounts, localisation
/// cache: several seconds); every start copies that folder (<c>cp -a</c>) and starts php on it, well under 2 s.
/// <see cref="DisposeAsync"/> stops php by its PID (with its workers) and removes the copy.
/// </para>
/// <para>
/// Settings: <c>$wgDiffEngine = 'wikidiff2'</c>, <c>$wgJobRunRate = 0</c>, no rate limits, sysops with
/// <c>deleterevision</c>/<c>suppressrevision</c>/<c>viewsuppressed</c>, BotPasswords, and an optional UDP RC feed
/// (<see cref="SetRcFeed"/>, JSONRCFeedFormatter) read on every request.
/// </para>
/// </summary>
public sealed class MediaWikiServer : IAsyncDisposable
{
    public const string MediaWikiRoot = "/usr/share/mediawiki";

    private const string DefaultCache = "/tmp/safeguard-mediawiki-prepared";

    // The dispatcher: one php process, one config file (MW_CONFIG_FILE); the wiki is chosen by the URL's first segment
    // (web) or SAFEGUARD_WIKI_DOMAIN (maintenance scripts).
    private const string DispatcherSettings = """
        <?php
        // Written by Safeguard.Stream.Fakes.MediaWikiServer.
        $sgDomain = getenv( 'SAFEGUARD_WIKI_DOMAIN' ) ?: '';
        if ( isset( $_SERVER['SCRIPT_NAME'] ) && preg_match( '#^/([a-z0-9.-]+)/w/#', $_SERVER['SCRIPT_NAME'], $sgMatch ) ) {
            $sgDomain = $sgMatch[1];
        }
        if ( $sgDomain === '' || !is_file( __DIR__ . "/wikis/$sgDomain/LocalSettings.php" ) ) {
            http_response_code( 404 );
            echo "no wiki '$sgDomain' here\n";
            exit( 1 );
        }
        $sgRcFeedFile = __DIR__ . '/rcfeed';
        require __DIR__ . "/wikis/$sgDomain/LocalSettings.php";
        """;

    // Appended to each wiki's LocalSettings.php after install.php wrote it. Paths are relative to the copy, the port
    // comes from the environment, so a copied folder needs no rewrite.
    private const string WikiSettings = """

        // Safeguard.Stream.Fakes.MediaWikiServer: test settings.
        $wgServer = 'http://127.0.0.1:' . ( getenv( 'SAFEGUARD_WIKI_PORT' ) ?: '80' );
        $wgCacheDirectory = __DIR__ . '/cache';
        $wgLocalisationCacheConf['store'] = 'files';
        $wgDiffEngine = 'wikidiff2';
        $wgJobRunRate = 0;
        $wgEnableBotPasswords = true;
        $wgRateLimits = [];
        $wgGroupPermissions['*']['noratelimit'] = true;
        $wgGroupPermissions['sysop']['deleterevision'] = true;
        $wgGroupPermissions['sysop']['suppressrevision'] = true;
        $wgGroupPermissions['sysop']['viewsuppressed'] = true;
        $wgGroupPermissions['sysop']['suppressionlog'] = true;
        $wgGroupPermissions['sysop']['deletelogentry'] = true;
        $wgPasswordAttemptThrottle = [];
        $wgEnableEmail = false;
        $wgShowExceptionDetails = true;
        if ( isset( $sgRcFeedFile ) && is_file( $sgRcFeedFile ) ) {
            $wgRCFeeds['safeguard'] = [ 'formatter' => 'JSONRCFeedFormatter', 'uri' => 'udp://' . trim( file_get_contents( $sgRcFeedFile ) ) ];
        }
        """;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private static readonly SemaphoreSlim PrepareGate = new(1, 1);

    private readonly Process _process;
    private readonly bool _ownsDirectory;
    private int _disposed;

    private MediaWikiServer(Process process, string directory, int port, IReadOnlyList<string> domains, bool ownsDirectory, TimeSpan startTime)
    {
        _process = process;
        Directory = directory;
        Port = port;
        Domains = domains;
        _ownsDirectory = ownsDirectory;
        StartTime = startTime;
    }

    public int Port { get; }

    /// <summary>The php process (stopped by this id on dispose).</summary>
    public int ProcessId => _process.Id;

    /// <summary>This wiki's copy: <c>LocalSettings.php</c>, <c>wikis/{domain}/</c>, <c>docroot/</c>, <c>php.log</c>.</summary>
    public string Directory { get; }

    public IReadOnlyList<string> Domains { get; }

    /// <summary>From the copy to the first API answer (what the 2 s target is about).</summary>
    public TimeSpan StartTime { get; }

    public string LogFile => Path.Combine(Directory, "php.log");

    /// <summary><c>http://127.0.0.1:{port}/{domain}/w/api.php</c> with a literal <c>{domain}</c> placeholder (Safeguard:MediaWiki:ApiUrlTemplate).</summary>
    public string ApiUrlTemplateString => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/{{domain}}/w/api.php");

    public Uri ApiUrl(string domain) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/{domain}/w/api.php"));

    /// <summary>The database name MediaWiki reports as <c>wiki</c> (EventStreams' <c>wiki_id</c>): <c>enwiki</c> for en.wikipedia.org.</summary>
    public static string WikiIdOf(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var labels = domain.Split('.');
        return labels.Length == 3 && labels[1] == "wikipedia" && labels[2] == "org"
            ? labels[0].Replace('-', '_') + "wiki"
            : new string([.. domain.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
    }

    /// <summary>Starts a fresh wiki from the prepared copy (preparing it first if this machine has none).</summary>
    public static async Task<MediaWikiServer> StartAsync(MediaWikiServerOptions? options = null, CancellationToken ct = default)
    {
        options ??= new MediaWikiServerOptions();
        if (options.Domains.Count == 0)
        {
            throw new ArgumentException("at least one domain is needed", nameof(options));
        }

        var prepared = await PrepareAsync(options, ct);
        var ownsDirectory = options.Directory is null;
        var directory = Path.GetFullPath(options.Directory ?? Path.Combine(Path.GetTempPath(), "safeguard-wiki-" + Guid.NewGuid().ToString("N")[..12]));
        var clock = Stopwatch.StartNew();
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        try
        {
            await RunAsync("cp", ["-a", prepared, directory], ct);
            for (var attempt = 1; ; attempt++)
            {
                var port = options.Port == 0 ? LocalResources.FreePort() : options.Port;
                var process = StartPhp(directory, port, options.Workers);
                try
                {
                    await WaitForApiAsync(process, port, options.Domains[0], options.StartTimeout, ct);
                    return new MediaWikiServer(process, directory, port, options.Domains, ownsDirectory, clock.Elapsed);
                }
                catch (Exception e) when (e is InvalidOperationException && options.Port == 0 && attempt < 3 && !ct.IsCancellationRequested)
                {
                    // Someone took the port between picking and binding: php exits at once. Pick another.
                    await StopAsync(process);
                }
                catch
                {
                    await StopAsync(process);
                    throw;
                }
            }
        }
        catch
        {
            if (ownsDirectory)
            {
                LocalResources.TryDeleteDirectory(directory);
            }

            throw;
        }
    }

    /// <summary>
    /// Sends every recent change as JSON (JSONRCFeedFormatter) to <paramref name="endpoint"/> over UDP, from the next
    /// request on; null stops the feed.
    /// </summary>
    public void SetRcFeed(IPEndPoint? endpoint)
    {
        var file = Path.Combine(Directory, "rcfeed");
        if (endpoint is null)
        {
            File.Delete(file);
            return;
        }

        File.WriteAllText(file + ".tmp", endpoint.ToString());
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>Runs a maintenance script of <paramref name="domain"/>'s wiki (e.g. <c>createAndPromote.php</c>).</summary>
    public Task<ProcessResult> RunMaintenanceAsync(string domain, string script, IEnumerable<string> arguments, CancellationToken ct = default) =>
        RunMaintenanceInAsync(Directory, domain, script, arguments, ct);

    /// <summary>
    /// Installs the wikis once per MediaWiki version and settings into the cache folder, and returns it. Safe when
    /// several test processes start at once: each prepares into a folder of its own and the first rename wins.
    /// </summary>
    public static async Task<string> PrepareAsync(MediaWikiServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var version = await MediaWikiVersionAsync(ct);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', [version, DispatcherSettings, WikiSettings, MediaWikiAccounts.Sysop, MediaWikiAccounts.BotPasswordKey, .. options.Domains]))))[..16];
        var cache = options.CacheDirectory ?? Environment.GetEnvironmentVariable("SAFEGUARD_MEDIAWIKI_CACHE") ?? DefaultCache;
        var prepared = Path.Combine(cache, $"mw-{version}-{key}");
        if (File.Exists(Path.Combine(prepared, ".ready")))
        {
            return prepared;
        }

        await PrepareGate.WaitAsync(ct);
        try
        {
            if (File.Exists(Path.Combine(prepared, ".ready")))
            {
                return prepared;
            }

            var staging = prepared + ".staging-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                await InstallAsync(staging, options.Domains, ct);
                await File.WriteAllTextAsync(Path.Combine(staging, ".ready"), version + "\n", ct);
                try
                {
                    System.IO.Directory.Move(staging, prepared);
                }
                catch (IOException) when (File.Exists(Path.Combine(prepared, ".ready")))
                {
                    // Another process finished first; its copy is as good as ours.
                }
            }
            finally
            {
                LocalResources.TryDeleteDirectory(staging);
            }

            return File.Exists(Path.Combine(prepared, ".ready"))
                ? prepared
                : throw new InvalidOperationException($"preparing MediaWiki in {prepared} did not finish");
        }
        finally
        {
            PrepareGate.Release();
        }
    }

    private static async Task<string> MediaWikiVersionAsync(CancellationToken ct)
    {
        var defines = Path.Combine(MediaWikiRoot, "includes", "Defines.php");
        if (!File.Exists(defines) || !File.Exists(Path.Combine(MediaWikiRoot, "maintenance", "install.php")))
        {
            throw new InvalidOperationException(
                $"MediaWiki is not installed ({MediaWikiRoot} is missing): run `make setup` (scripts/setup.sh installs mediawiki, php-sqlite3, php-wikidiff2)");
        }

        var text = await File.ReadAllTextAsync(defines, ct);
        var at = text.IndexOf("'MW_VERSION', '", StringComparison.Ordinal);
        return at < 0 ? "unknown" : text[(at + 15)..text.IndexOf('\'', at + 15)];
    }

    private static async Task InstallAsync(string root, IReadOnlyList<string> domains, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(root, "docroot"));
        await File.WriteAllTextAsync(Path.Combine(root, "LocalSettings.php"), DispatcherSettings + "\n", ct);
        foreach (var domain in domains)
        {
            var wiki = Path.Combine(root, "wikis", domain);
            System.IO.Directory.CreateDirectory(Path.Combine(wiki, "data"));
            System.IO.Directory.CreateDirectory(Path.Combine(wiki, "cache"));
            System.IO.Directory.CreateDirectory(Path.Combine(root, "docroot", domain));
            // The code stays in the package; each wiki's script path is a symlink to it.
            File.CreateSymbolicLink(Path.Combine(root, "docroot", domain, "w"), MediaWikiRoot);

            var language = domain.Split('.')[0] is { Length: >= 2 and <= 3 } label && label.All(char.IsAsciiLetterLower) ? label : "en";
            var install = await ProcessRunner.RunAsync("php", [
                Path.Combine(MediaWikiRoot, "maintenance", "install.php"),
                "--dbtype", "sqlite", "--dbpath", Path.Combine(wiki, "data"), "--dbname", WikiIdOf(domain),
                "--confpath", wiki, "--server", "http://127.0.0.1", "--scriptpath", $"/{domain}/w",
                "--lang", language, "--pass", MediaWikiAccounts.SysopPassword, "Safeguard " + domain, MediaWikiAccounts.Admin,
            ], CommandTimeout, ct);
            Check(install, "install.php for " + domain);

            // install.php wrote absolute paths; make the data folder relative so that a copy works as it is.
            var settingsPath = Path.Combine(wiki, "LocalSettings.php");
            var lines = (await File.ReadAllLinesAsync(settingsPath, ct))
                .Select(l => l.StartsWith("$wgSQLiteDataDir", StringComparison.Ordinal) ? "$wgSQLiteDataDir = __DIR__ . '/data';"
                    : l.StartsWith("$wgServer ", StringComparison.Ordinal) ? "# $wgServer: set below from SAFEGUARD_WIKI_PORT"
                    : l);
            await File.WriteAllTextAsync(settingsPath, string.Join('\n', lines) + "\n" + WikiSettings + "\n", ct);

            Check(await RunMaintenanceInAsync(root, domain, "createAndPromote.php",
                ["--sysop", "--bureaucrat", "--custom-groups", "suppress", MediaWikiAccounts.Sysop, MediaWikiAccounts.SysopPassword], ct), "createAndPromote sysop");
            Check(await RunMaintenanceInAsync(root, domain, "createAndPromote.php",
                ["--bot", MediaWikiAccounts.Bot, MediaWikiAccounts.BotPassword], ct), "createAndPromote bot");
            Check(await RunMaintenanceInAsync(root, domain, "createBotPassword.php",
                ["--appid", MediaWikiAccounts.BotAppId, "--grants", "basic,highvolume,editpage,createeditmovepage",
                 MediaWikiAccounts.Bot, MediaWikiAccounts.BotPasswordKey], ct), "createBotPassword");
            // The localisation cache is the slow part of a first request; build it here, once.
            Check(await RunMaintenanceInAsync(root, domain, "rebuildLocalisationCache.php", ["--lang", language == "en" ? "en" : $"en,{language}"], ct),
                "rebuildLocalisationCache");
        }
    }

    private static async Task<ProcessResult> RunMaintenanceInAsync(string root, string domain, string script, IEnumerable<string> arguments, CancellationToken ct)
    {
        // Maintenance scripts read MW_CONFIG_FILE; the dispatcher picks the wiki from SAFEGUARD_WIKI_DOMAIN.
        var env = $"MW_CONFIG_FILE={Path.Combine(root, "LocalSettings.php")}";
        return await ProcessRunner.RunAsync("env",
            [env, $"SAFEGUARD_WIKI_DOMAIN={domain}", "php", Path.Combine(MediaWikiRoot, "maintenance", script), .. arguments], CommandTimeout, ct);
    }

    private static Process StartPhp(string directory, int port, int workers)
    {
        var environment = new Dictionary<string, string>
        {
            ["MW_CONFIG_FILE"] = Path.Combine(directory, "LocalSettings.php"),
            ["SAFEGUARD_WIKI_PORT"] = port.ToString(CultureInfo.InvariantCulture),
        };
        if (workers > 1)
        {
            environment["PHP_CLI_SERVER_WORKERS"] = workers.ToString(CultureInfo.InvariantCulture);
        }

        return ProcessRunner.StartBackground("php",
            ["-d", "opcache.enable_cli=1", "-d", "display_errors=stderr", "-S", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"),
             "-t", Path.Combine(directory, "docroot")],
            environment, Path.Combine(directory, "php.log"));
    }

    private static async Task WaitForApiAsync(Process process, int port, string domain, TimeSpan timeout, CancellationToken ct)
    {
        // The first request compiles MediaWiki's PHP: on a loaded machine it alone took over 10 s, so one attempt may
        // take the whole start timeout.
        using var http = new HttpClient { Timeout = timeout };
        var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/{domain}/w/api.php?action=query&meta=siteinfo&format=json"));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"php -S on port {port} exited with {process.ExitCode} before answering");
            }

            try
            {
                using var response = await http.GetAsync(url, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.IsSuccessStatusCode && body.Contains("\"sitename\"", StringComparison.Ordinal))
                {
                    return;
                }

                if (response.IsSuccessStatusCode || (int)response.StatusCode >= 500)
                {
                    throw new TimeoutException($"MediaWiki on port {port} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");
                }
            }
            catch (HttpRequestException) when (clock.Elapsed < timeout)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"MediaWiki on port {port} did not answer within {timeout}");
            }

            await Task.Delay(25, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(_process);
        if (_ownsDirectory)
        {
            LocalResources.TryDeleteDirectory(Directory);
        }
    }

    /// <summary>Stops php (and any workers it forked) by PID and waits for it to be gone.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(wait.Token);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            process.Dispose();
        }
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken ct) =>
        Check(await ProcessRunner.RunAsync(fileName, arguments, CommandTimeout, ct), fileName);

    private static void Check(ProcessResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit {result.ExitCode}): {result.StandardOutput}{result.StandardError}");
        }
    }
}
