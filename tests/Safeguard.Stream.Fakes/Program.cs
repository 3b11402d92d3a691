using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// <c>safeguard-fakes</c>: runs the fakes as local services for <c>make services-up</c> / <c>make demo</c>.
/// </summary>
internal static partial class Program
{
    private const string Usage = """
        Usage:
          safeguard-fakes services-up   --state-dir DIR [--llm-port 18000] [--wiki-port 18081] [--sse-port 18082]
                                        [--pg-port 15432] [--events FILE] [--wiki-fixtures FILE] [--llm-latency-ms 20]
                                        [--kafka-brokers 1] [--kafka-topic NAME[:PARTITIONS]]...
                                        [--llm-capacity-model fixed|continuous-batching] [--llm-capacity KEY=V,...]
                                        [--llm-api-key KEY] [--llm-enable-prompt-tokens-details] [--llm-max-model-len N]
                                        [--llm-fault-mode MODE]
                                        [--real-wiki DOMAIN,DOMAIN... [--real-wiki-port 18083]]
              Starts PostgreSQL (own postmaster, data in DIR/pg), a Kafka mock cluster, the vLLM simulator, the SSE
              replay server and the wiki API fixture server; this process stays in the foreground until SIGTERM/SIGINT.
              Writes DIR/fakes.pid at start and DIR/services.env once everything is ready.
              --events: a .jsonl file of event payloads, or a raw SSE capture (any other extension).
              --llm-capacity-model: fixed (default: every completion takes --llm-latency-ms) or continuous-batching
              (ContinuousBatchingModel: max-num-seqs, prefill and decode rates, prefix cache; single MI210 calibration);
              --llm-capacity overrides its settings: max-num-seqs, prefill-tps, decode-ms, slowdown, max-batched-tokens.
              The vLLM simulator behaves as vLLM 0.14 serving gpt-oss (its verdicts are [simulated] keyword rules):
              --llm-api-key: like vllm serve --api-key, /v1/* without "Authorization: Bearer KEY" gets 401
              {"error":"Unauthorized"}; /health and /metrics stay open.
              --llm-enable-prompt-tokens-details: like vllm serve --enable-prompt-tokens-details, report
              usage.prompt_tokens_details.cached_tokens (without it prompt_tokens_details is null).
              --llm-max-model-len: like vllm serve --max-model-len (default 131072); a longer prompt gets vLLM 0.14's
              400 "max_tokens must be at least 1, got -N", and the output budget is capped to what the prompt leaves.
              --llm-fault-mode: every chat completion gets one failure, to see how a client (safeguard llm check)
              reports it; one of:
                MODES.
          safeguard-fakes vllm          [--port 18000] [--api-key KEY] [--enable-prompt-tokens-details] [--max-model-len N]
                                        [--fault-mode MODE] [--latency-ms 20] [--capacity-model ...] [--capacity ...]
              Only the vLLM simulator, in the foreground, with the same switches as services-up without "llm-" (and
              as vllm serve where it has them), e.g. to point `safeguard llm check` at each failure in turn.
              --real-wiki: also a real MediaWiki 1.39 (MediaWikiServer: php -S, SQLite, wikidiff2) serving these
              wikis at http://127.0.0.1:PORT/{domain}/w/api.php (SAFEGUARD_REAL_WIKI_API_TEMPLATE), with its UDP RC
              feed bridged to mediawiki.recentchange over SSE (SAFEGUARD_REAL_WIKI_SSE_URL). Needs `make setup`.
          safeguard-fakes services-down --state-dir DIR [--timeout 20]
              Stops a running services-up (SIGTERM, then SIGKILL after the timeout), then any PostgreSQL left on DIR/pg,
              and removes the state files. Exits 0 when nothing runs.
          safeguard-fakes wait-ready    --state-dir DIR [--timeout 60]
              Waits until DIR/services.env exists. Exit 1 on timeout or if services-up died.
          safeguard-fakes demo-wiki-editor --api-template URL --postgres CONN [--out DIR] [--wikis enwiki,dewiki]
                                        [--pace-ms 400] [--poll-ms 100] [--timeout 120] [--chromium chromium]
              make demo-wiki's scripted editor and referee (DemoWikiRun), while safeguard run and safeguard tagger
              are live: saves the script's edits on the real wiki, times each edit to its tag (read back through the
              API), hides one vandal revision, prints the counts and screenshots Special:RecentChanges filtered by a
              safeguard tag. Exit 1 when a flagged verdict stayed untagged, something else was tagged, or a valve opened.
          safeguard-fakes mediawiki-bench [--starts 5]
              Prepares the real wiki if needed, then starts and stops it N times; prints each start time.
        """;

    /// <summary>Options that take no value.</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "llm-enable-prompt-tokens-details", "enable-prompt-tokens-details" };

    private static string UsageText => Usage.Replace("MODES", VllmFaultNames.All, StringComparison.Ordinal);

    private const int SigKill = 9;
    private const int SigTerm = 15;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(UsageText);
            return args.Length == 0 ? 2 : 0;
        }

        Dictionary<string, List<string>> options;
        try
        {
            options = ParseOptions(args.AsSpan(1));
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + UsageText);
            return 2;
        }

        var stateDir = Path.GetFullPath(Single(options, "state-dir") ?? ".local");
        try
        {
            return args[0] switch
            {
                "services-up" => await ServicesUpAsync(stateDir, options),
                "vllm" => await VllmAsync(options),
                "services-down" => await ServicesDownAsync(stateDir, Int(options, "timeout", 20)),
                "wait-ready" => await WaitReadyAsync(stateDir, Int(options, "timeout", 60)),
                "mediawiki-bench" => await MediaWikiBenchAsync(Int(options, "starts", 5)),
                "demo-wiki-editor" => await DemoWikiRun.RunAsync(DemoWikiOptionsFrom(options), CancellationToken.None),
                _ => UnknownCommand(args[0]),
            };
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
    }

    private static DemoWikiOptions DemoWikiOptionsFrom(Dictionary<string, List<string>> options) => new()
    {
        ApiUrlTemplate = Single(options, "api-template") ?? throw new FormatException("--api-template is required (SAFEGUARD_REAL_WIKI_API_TEMPLATE)"),
        Postgres = Single(options, "postgres") ?? throw new FormatException("--postgres is required (SAFEGUARD_POSTGRES)"),
        OutDirectory = Single(options, "out") ?? "artifacts/demo-wiki",
        OptedIn = (Single(options, "wikis") ?? "enwiki,dewiki").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Pace = TimeSpan.FromMilliseconds(Int(options, "pace-ms", 400)),
        PollInterval = TimeSpan.FromMilliseconds(Int(options, "poll-ms", 100)),
        Timeout = TimeSpan.FromSeconds(Int(options, "timeout", 120)),
        Chromium = Single(options, "chromium") ?? "chromium",
    };

    private static int UnknownCommand(string command)
    {
        Console.Error.WriteLine($"Unknown command '{command}'.{Environment.NewLine}{UsageText}");
        return 2;
    }

    private static async Task<int> ServicesUpAsync(string stateDir, Dictionary<string, List<string>> options)
    {
        Directory.CreateDirectory(stateDir);
        var pidFile = Path.Combine(stateDir, "fakes.pid");
        var envFile = Path.Combine(stateDir, "services.env");
        if (ReadLivePid(pidFile) is { } running && running != Environment.ProcessId)
        {
            await Console.Error.WriteLineAsync($"services-up is already running (pid {running}); run services-down first.");
            return 1;
        }

        File.Delete(envFile);
        await File.WriteAllTextAsync(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);

        PostgresCluster? pg = null;
        KafkaMockCluster? kafka = null;
        VllmSimulator? llm = null;
        SseReplayServer? sse = null;
        WikiApiFixtureServer? wiki = null;
        MediaWikiServer? realWiki = null;
        RcFeedBridge? rcFeed = null;
        try
        {
            var ct = stop.Token;
            pg = await PostgresCluster.StartInDirectoryAsync(
                Path.Combine(stateDir, "pg"), Int(options, "pg-port", 15432), deleteDirectoryOnDispose: true, ct);
            var pgConnection = await pg.CreateDatabaseAsync("safeguard", ct);

            kafka = KafkaMockCluster.Start(Int(options, "kafka-brokers", 1));
            foreach (var topic in options.GetValueOrDefault("kafka-topic") ?? [])
            {
                var parts = topic.Split(':', 2);
                kafka.CreateTopic(parts[0], parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1);
            }

            llm = await VllmSimulator.StartAsync(SimulatorOptions(options, "llm-"), Int(options, "llm-port", 18000), ct);

            var events = Single(options, "events");
            sse = await SseReplayServer.StartAsync(
                new SseReplayServerOptions
                {
                    EventsPath = events is not null && events.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? events : null,
                    RawSsePath = events is not null && !events.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? events : null,
                    EndStreamAtEof = false,
                },
                Int(options, "sse-port", 18082),
                ct);

            wiki = await WikiApiFixtureServer.StartAsync(
                new WikiApiFixtureServerOptions { FixturesPath = Single(options, "wiki-fixtures") },
                Int(options, "wiki-port", 18081),
                ct);

            var realWikiLines = new StringBuilder();
            if (Single(options, "real-wiki") is { } domains)
            {
                rcFeed = await RcFeedBridge.StartAsync(new RcFeedBridgeOptions(), Int(options, "real-wiki-sse-port", 0), ct);
                realWiki = await MediaWikiServer.StartAsync(
                    new MediaWikiServerOptions
                    {
                        Domains = domains.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                        Port = Int(options, "real-wiki-port", 18083),
                        Directory = Path.Combine(stateDir, "mediawiki"),
                    },
                    ct);
                realWiki.SetRcFeed(rcFeed.UdpEndpoint);
                // services-down stops php by this pid even if this process was killed.
                await File.WriteAllTextAsync(Path.Combine(stateDir, "mediawiki.pid"), realWiki.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n", ct);
                realWikiLines
                    .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_REAL_WIKI_API_TEMPLATE={realWiki.ApiUrlTemplateString}")
                    .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_REAL_WIKI_SSE_URL={rcFeed.StreamUrl}")
                    // The local wiki's test accounts (MediaWikiAccounts): an administrator for `safeguard tags create`,
                    // the bot's BotPassword for `safeguard tagger`.
                    .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_REAL_WIKI_ADMIN={MediaWikiAccounts.Sysop}")
                    .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_REAL_WIKI_ADMIN_PASSWORD={MediaWikiAccounts.SysopPassword}")
                    .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_REAL_WIKI_BOT={MediaWikiAccounts.BotLoginName}")
                    .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_REAL_WIKI_BOT_PASSWORD={MediaWikiAccounts.BotPasswordKey}");
            }

            var env = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_LLM_URL={llm.BaseUrl.ToString().TrimEnd('/')}")
                .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_POSTGRES={pgConnection}")
                .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_KAFKA_BOOTSTRAP={kafka.BootstrapServers}")
                .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_WIKI_API_TEMPLATE={wiki.ApiUrlTemplateString}")
                .AppendLine(CultureInfo.InvariantCulture, $"SAFEGUARD_SSE_URL={sse.StreamUrl("mediawiki.page_change.v1")}")
                .Append(realWikiLines)
                .ToString();
            // Write then rename, so wait-ready never sees a half-written file.
            await File.WriteAllTextAsync(envFile + ".tmp", env, ct);
            File.Move(envFile + ".tmp", envFile, overwrite: true);

            Console.WriteLine($"safeguard-fakes: services ready (pid {Environment.ProcessId}); {envFile}:");
            Console.Write(env);
            Console.WriteLine($"  postgres data: {pg.DataDirectory}; SSE frames: {sse.FrameCount}; SIGTERM/Ctrl+C stops everything.");

            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.WriteLine("safeguard-fakes: stopping.");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or DllNotFoundException or FormatException
                                      or UnauthorizedAccessException or System.Net.Sockets.SocketException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("safeguard-fakes: services-up failed: " + e);
            return 1;
        }
        finally
        {
            File.Delete(envFile);
            if (realWiki is not null)
            {
                await realWiki.DisposeAsync();
                File.Delete(Path.Combine(stateDir, "mediawiki.pid"));
            }

            if (rcFeed is not null)
            {
                await rcFeed.DisposeAsync();
            }

            if (wiki is not null)
            {
                await wiki.DisposeAsync();
            }

            if (sse is not null)
            {
                await sse.DisposeAsync();
            }

            if (llm is not null)
            {
                await llm.DisposeAsync();
            }

            kafka?.Dispose();
            if (pg is not null)
            {
                await pg.DisposeAsync();
            }
            else
            {
                await PostgresCluster.StopDirectoryAsync(Path.Combine(stateDir, "pg"), CancellationToken.None);
            }

            if (ReadPid(pidFile) == Environment.ProcessId)
            {
                File.Delete(pidFile);
            }
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true; // we shut down ourselves, in order
            stop.Cancel();
        }
    }

    /// <summary>The simulator's settings from the command line; services-up names them with the "llm-" prefix.</summary>
    private static VllmSimulatorOptions SimulatorOptions(Dictionary<string, List<string>> options, string prefix) => new()
    {
        Latency = TimeSpan.FromMilliseconds(Int(options, prefix + "latency-ms", 20)),
        LatencyModel = Single(options, prefix + "capacity-model") switch
        {
            null or "fixed" => null,
            "continuous-batching" => new ContinuousBatchingModel(ContinuousBatchingOptions.Parse(Single(options, prefix + "capacity"))),
            var other => throw new FormatException($"--{prefix}capacity-model must be fixed or continuous-batching, got '{other}'."),
        },
        ApiKey = Single(options, prefix + "api-key"),
        EnablePromptTokensDetails = options.ContainsKey(prefix + "enable-prompt-tokens-details"),
        MaxModelLen = Int(options, prefix + "max-model-len", new VllmSimulatorOptions().MaxModelLen),
        FaultMode = Single(options, prefix + "fault-mode") is { } mode ? VllmFaultNames.Parse(mode) : VllmFault.None,
    };

    /// <summary>Only the vLLM simulator, in the foreground, for a manual check of a client (safeguard llm check).</summary>
    private static async Task<int> VllmAsync(Dictionary<string, List<string>> options)
    {
        var settings = SimulatorOptions(options, "");
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        await using var llm = await VllmSimulator.StartAsync(settings, Int(options, "port", 18000), stop.Token);
        Console.WriteLine($"safeguard-fakes: vLLM 0.14 SIMULATOR (verdicts are [simulated] keyword rules) at {llm.BaseUrl}; " +
                          $"model {settings.ModelName}, max-model-len {settings.MaxModelLen}, api key {(settings.ApiKey is null ? "none" : "required")}, " +
                          $"prompt token details {(settings.EnablePromptTokensDetails ? "on" : "off")}, fault mode {VllmFaultNames.Name(settings.FaultMode)}. " +
                          "SIGTERM/Ctrl+C stops it.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.WriteLine("safeguard-fakes: stopping.");
        }

        return 0;

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> ServicesDownAsync(string stateDir, int timeoutSeconds)
    {
        var pidFile = Path.Combine(stateDir, "fakes.pid");
        if (ReadLivePid(pidFile) is { } pid)
        {
            Console.WriteLine($"safeguard-fakes: sending SIGTERM to {pid}.");
            _ = Kill(pid, SigTerm);
            var sw = Stopwatch.StartNew();
            while (IsFakesProcess(pid) && sw.Elapsed < TimeSpan.FromSeconds(timeoutSeconds))
            {
                await Task.Delay(100);
            }

            if (IsFakesProcess(pid))
            {
                await Console.Error.WriteLineAsync($"safeguard-fakes: {pid} did not exit within {timeoutSeconds} s; sending SIGKILL.");
                _ = Kill(pid, SigKill);
                for (var i = 0; i < 50 && IsFakesProcess(pid); i++)
                {
                    await Task.Delay(100);
                }
            }
        }

        // Safety net: php -S and a postmaster survive a SIGKILLed services-up.
        var phpPidFile = Path.Combine(stateDir, "mediawiki.pid");
        if (ReadPid(phpPidFile) is { } phpPid && IsProcess(phpPid, "php"))
        {
            Console.WriteLine($"safeguard-fakes: stopping the real wiki's php (pid {phpPid}).");
            _ = Kill(phpPid, SigKill);
            for (var i = 0; i < 50 && IsProcess(phpPid, "php"); i++)
            {
                await Task.Delay(100);
            }
        }

        File.Delete(phpPidFile);
        if (Directory.Exists(Path.Combine(stateDir, "mediawiki")))
        {
            Directory.Delete(Path.Combine(stateDir, "mediawiki"), recursive: true);
        }

        var pgDir = Path.Combine(stateDir, "pg");
        await PostgresCluster.StopDirectoryAsync(pgDir, CancellationToken.None);
        if (Directory.Exists(pgDir))
        {
            Directory.Delete(pgDir, recursive: true);
        }

        File.Delete(Path.Combine(stateDir, "services.env"));
        File.Delete(Path.Combine(stateDir, "services.env.tmp"));
        File.Delete(pidFile);
        Console.WriteLine("safeguard-fakes: services down.");
        return 0;
    }

    private static async Task<int> WaitReadyAsync(string stateDir, int timeoutSeconds)
    {
        var envFile = Path.Combine(stateDir, "services.env");
        var pidFile = Path.Combine(stateDir, "fakes.pid");
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(timeoutSeconds))
        {
            if (File.Exists(envFile))
            {
                Console.Write(await File.ReadAllTextAsync(envFile));
                return 0;
            }

            // Give services-up a moment to write its pid file before concluding that it died.
            if (sw.Elapsed > TimeSpan.FromSeconds(5) && ReadLivePid(pidFile) is null)
            {
                await Console.Error.WriteLineAsync($"safeguard-fakes: services-up is not running (no live pid in {pidFile}).");
                return 1;
            }

            await Task.Delay(200);
        }

        await Console.Error.WriteLineAsync($"safeguard-fakes: {envFile} did not appear within {timeoutSeconds} s.");
        return 1;
    }

    private static int? ReadPid(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int? ReadLivePid(string pidFile) => ReadPid(pidFile) is { } pid && IsFakesProcess(pid) ? pid : null;

    private static async Task<int> MediaWikiBenchAsync(int starts)
    {
        var clock = Stopwatch.StartNew();
        var prepared = await MediaWikiServer.PrepareAsync(new MediaWikiServerOptions());
        Console.WriteLine($"mediawiki-bench: prepared copy {prepared} ready after {clock.Elapsed.TotalSeconds:F2} s");
        for (var i = 1; i <= starts; i++)
        {
            clock.Restart();
            await using var server = await MediaWikiServer.StartAsync();
            var started = clock.Elapsed;
            var pid = server.ProcessId;
            await server.DisposeAsync();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mediawiki-bench: start {i}: {server.StartTime.TotalMilliseconds:F0} ms copy+php to first API answer ({started.TotalMilliseconds:F0} ms in all); stopped in {(clock.Elapsed - started).TotalMilliseconds:F0} ms; pid {pid} left: {Directory.Exists($"/proc/{pid}")}"));
        }

        return 0;
    }

    /// <summary>True if <paramref name="pid"/> runs a program whose command line starts with <paramref name="program"/>.</summary>
    private static bool IsProcess(int pid, string program)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && File.ReadAllText($"/proc/{pid}/cmdline").StartsWith(program, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True if <paramref name="pid"/> runs and is safeguard-fakes (guards against a recycled pid).</summary>
    private static bool IsFakesProcess(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Field 3 (after the parenthesised command name) is the state; Z = exited, waiting to be reaped.
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            if (state == "Z")
            {
                return false;
            }

            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("safeguard-fakes", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static Dictionary<string, List<string>> ParseOptions(ReadOnlySpan<string> args)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }

            string name, value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (Flags.Contains(arg[2..]))
            {
                name = arg[2..];
                value = "true";
            }
            else if (eq > 0)
            {
                name = arg[2..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"Option '{arg}' needs a value.");
                }

                name = arg[2..];
                value = args[++i];
            }

            if (!result.TryGetValue(name, out var list))
            {
                result[name] = list = [];
            }

            list.Add(value);
        }

        return result;
    }

    private static string? Single(Dictionary<string, List<string>> options, string name) =>
        options.TryGetValue(name, out var values) ? values[^1] : null;

    private static int Int(Dictionary<string, List<string>> options, string name, int defaultValue) =>
        Single(options, name) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"--{name} must be an integer, got '{text}'.")
            : defaultValue;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
