using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Chaos;

/// <summary>How hard a chaos run is: events, worker kills, outage lengths and fault rates.</summary>
internal sealed record ChaosProfile(
    string Name,
    int Events,
    int Kills,
    TimeSpan KafkaOutage,
    TimeSpan PostgresOutage,
    double LlmServerErrorRate,
    double LlmLengthRate,
    double LlmMalformedRate,
    int WikiFaultsPerBurst,
    int SseCuts,
    int WikiEdits)
{
    /// <summary>What <c>make test</c> runs: every fault once, well under 90 s.</summary>
    public static ChaosProfile Short { get; } = new("short", 600, 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), 0.05, 0.03, 0.03, 4, 6, 16);

    /// <summary>What <c>make chaos</c> runs.</summary>
    public static ChaosProfile Full { get; } = new("full", 4_000, 5, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(5), 0.08, 0.04, 0.04, 12, 30, 60);
}

/// <summary>What a chaos run found; the invariant holds when <see cref="Holds"/>.</summary>
internal sealed record ChaosResult(
    int Events,
    int InScope,
    long Verdicts,
    int Lost,
    long DuplicatedRows,
    int DeadLettered,
    int DeadLettersWithoutReason,
    int DoubleOutcomes,
    int PartialEdits,
    int UnexpectedRows,
    int MissingOnKafka,
    int UnexpectedOnKafka,
    long KafkaMessages,
    int ErrorVerdicts,
    int Restarts,
    int SseConnections,
    long LlmRequests,
    int WikiRequests,
    TimeSpan Elapsed,
    IReadOnlyList<string> Faults,
    ChaosTagResult Tagging)
{
    public bool Holds => Lost == 0 && DuplicatedRows == 0 && DeadLettersWithoutReason == 0 && PartialEdits == 0 &&
                         UnexpectedRows == 0 && MissingOnKafka == 0 && UnexpectedOnKafka == 0 && Tagging.Holds;

    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"chaos: events={Events} verdicts={Verdicts} lost={Lost} duplicated_rows={DuplicatedRows} dead_lettered={DeadLettered} restarts={Restarts} {Tagging.Line}");

    public string Detail => string.Create(CultureInfo.InvariantCulture,
        $"chaos detail: in_scope={InScope} error_verdicts={ErrorVerdicts} double_outcomes={DoubleOutcomes} partial_edits={PartialEdits} " +
        $"unexpected_rows={UnexpectedRows} dead_letters_without_reason={DeadLettersWithoutReason} kafka_messages={KafkaMessages} " +
        $"kafka_missing={MissingOnKafka} kafka_unexpected={UnexpectedOnKafka} sse_connections={SseConnections} llm_requests={LlmRequests} " +
        $"wiki_requests={WikiRequests} seconds={Elapsed.TotalSeconds:0.0}\nchaos tagger drain: {Tagging.Drain}\nchaos faults: {string.Join("; ", Faults)}");
}

/// <summary>
/// A live replay with faults injected together: the real <c>safeguard run</c> worker on an EventStreams replay whose
/// connection is cut at irregular points, killed with SIGKILL and restarted (it resumes from the Postgres checkpoint
/// with Last-Event-ID), the Kafka broker taken down and up, Postgres stopped and started, the wiki API fixture server
/// restarted with 429/maxlag/5xx bursts, and the vLLM simulator answering some requests with 500s, hangs (client
/// timeouts), truncated bodies, length stops and malformed verdicts. Every service is the run's own, so taking one
/// down disturbs no other test. Afterwards: every in-scope edit has its verdicts in Postgres exactly once (or a dead
/// letter with a reason), every stored verdict is on Kafka at least once, and nothing else is there.
/// </summary>
internal static class ChaosRun
{
    private static readonly string[] Policies = ["spam", "personal-attacks"];

    public static async Task<ChaosResult> RunAsync(ChaosProfile profile, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var faults = new List<string>();
        await using var postgres = await PostgresCluster.StartAsync(ct: ct);
        using var kafka = KafkaMockCluster.Start();
        const string topic = "chaos.verdicts";
        const string restricted = "chaos.verdicts-restricted";
        const string deadLetterTopic = "chaos.dead-letters";
        kafka.CreateTopic(topic, partitions: 2);
        kafka.CreateTopic(restricted, partitions: 1);
        kafka.CreateTopic(deadLetterTopic, partitions: 1);
        var database = await postgres.CreateDatabaseAsync("chaos", ct);
        await using (var dataSource = NpgsqlDataSource.Create(database))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        await using var llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions
        {
            Seed = 20261128,
            Latency = TimeSpan.FromMilliseconds(5),
            ServerErrorRate = profile.LlmServerErrorRate,
            LengthFinishRate = profile.LlmLengthRate,
            MalformedContentRate = profile.LlmMalformedRate,
            RetryAfter = TimeSpan.FromSeconds(1),
            FaultPlan =
            [
                VllmFault.None, VllmFault.Hang, VllmFault.ServerError, VllmFault.TruncatedBody, VllmFault.Overloaded,
                VllmFault.PartialContent, VllmFault.TooManyRequests, VllmFault.Hang, VllmFault.VerdictOutOfRange, VllmFault.MalformedContent,
            ],
        }, ct: ct);

        var edits = SyntheticEdits.Create(profile.Events, firstRevId: 880_000_000);
        var wikiOptions = new WikiApiFixtureServerOptions
        {
            Http429Count = profile.WikiFaultsPerBurst,
            Http429RetryAfterSeconds = 1,
            MaxlagErrorsBeforeSuccess = profile.WikiFaultsPerBurst,
            Http500Count = profile.WikiFaultsPerBurst,
        };
        var wiki = await StartWikiAsync(wikiOptions, 0, edits, ct);
        var wikiPort = wiki.Port;
        var wikiRequests = 0;
        faults.Add($"wiki: {profile.WikiFaultsPerBurst}× 429, maxlag and 500 at start");

        var random = new Random(20261128);
        var cuts = Enumerable.Range(0, profile.SseCuts).Select(_ => random.Next(profile.Events / (profile.SseCuts + 2), profile.Events / (profile.SseCuts / 2 + 1))).ToList();
        await using var sse = await SseReplayServer.StartAsync(new SseReplayServerOptions
        {
            EventsPath = await edits.WriteEventsAsync(ct),
            CutAfterEventsSequence = cuts,
        }, ct: ct);
        faults.Add($"sse: {cuts.Count} cuts after {string.Join(",", cuts)} events");
        faults.Add($"llm: 500 {profile.LlmServerErrorRate:P0}, length {profile.LlmLengthRate:P0}, malformed {profile.LlmMalformedRate:P0}, scripted hangs/truncated/503/429 first");

        var settings = new Dictionary<string, string?>
        {
            ["Safeguard:Source:Kind"] = "EventStreams",
            ["Safeguard:Source:Url"] = sse.StreamUrl("mediawiki.page_change.v1").ToString(),
            ["Safeguard:Source:StallTimeout"] = "00:00:10",
            ["Safeguard:Source:ReconnectMaxDelay"] = "00:00:00.500",
            ["Safeguard:Postgres:ConnectionString"] = database,
            ["Safeguard:Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Safeguard:Kafka:Topic"] = topic,
            ["Safeguard:Kafka:RestrictedTopic"] = restricted,
            ["Safeguard:Kafka:DeadLetterTopic"] = deadLetterTopic,
            ["Safeguard:Kafka:DeliveryTimeout"] = "00:00:03",
            ["Safeguard:Llm:Endpoint"] = llm.BaseUrl.ToString(),
            ["Safeguard:Llm:RequestTimeout"] = "00:00:02",
            ["Safeguard:Llm:RetryBaseDelay"] = "00:00:00.100",
            ["Safeguard:Llm:MaxRetryAfter"] = "00:00:01",
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.ApiUrlTemplateString,
            ["Safeguard:MediaWiki:MissingRevisionDelay"] = "00:00:00.050",
            ["Safeguard:MediaWiki:MaxRetryAfter"] = "00:00:01",
            ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "1000",
            ["Safeguard:Policies:Directory"] = LocalServicesFixture.PoliciesPath,
            ["Safeguard:Pipeline:PublishBatchDelay"] = "00:00:00.050",
            ["Safeguard:Telemetry:HealthPort"] = "0",
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        for (var i = 0; i < Policies.Length; i++)
        {
            settings[$"Safeguard:Policies:Enabled:{i}"] = Policies[i];
        }

        var inScope = edits.InScope.Count;
        var restarts = 0;
        await using var tagging = await ChaosTagging.StartAsync(postgres, kafka, settings, Policies, ct);
        var worker = WorkerProcess.Start(["run"], settings);
        ChaosTagResult tagged;
        try
        {
            // Faults at fixed shares of the work, so each one lands while the worker is busy.
            var steps = new List<(double At, Func<Task> Act)>
            {
                (0.12, async () =>
                {
                    kafka.SetBrokerDown(1);
                    await Task.Delay(profile.KafkaOutage, ct);
                    kafka.SetBrokerUp(1);
                    faults.Add($"kafka: broker down {profile.KafkaOutage.TotalSeconds:0} s");
                }),
                (0.30, async () =>
                {
                    await postgres.StopServerAsync(ct);
                    await Task.Delay(profile.PostgresOutage, ct);
                    await postgres.StartServerAsync(ct);
                    faults.Add($"postgres: stopped {profile.PostgresOutage.TotalSeconds:0} s");
                }),
                (0.45, async () =>
                {
                    wikiRequests += wiki.RequestCount;
                    await wiki.DisposeAsync();
                    await Task.Delay(500, ct);
                    wiki = await StartWikiAsync(wikiOptions, wikiPort, edits, ct);
                    faults.Add("wiki: restarted (0.5 s refused), new 429/maxlag/500 burst");
                }),
            };
            for (var k = 1; k <= profile.Kills; k++)
            {
                steps.Add((0.05 + (0.8 * k / (profile.Kills + 1)), () =>
                {
                    worker.Kill();
                    worker.Dispose();
                    worker = WorkerProcess.Start(["run"], settings);
                    restarts++;
                    tagging.KillTagger();
                    return Task.CompletedTask;
                }
                ));
            }

            if (profile.Kills >= 3)
            {
                // A kill in the middle of a Kafka outage, and one right after a Postgres restart.
                steps.Add((0.62, async () =>
                {
                    kafka.SetBrokerDown(1);
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                    worker.Kill();
                    worker.Dispose();
                    await Task.Delay(profile.KafkaOutage / 2, ct);
                    kafka.SetBrokerUp(1);
                    worker = WorkerProcess.Start(["run"], settings);
                    restarts++;
                    faults.Add("kafka down + SIGKILL during the outage");
                }
                ));
                steps.Add((0.70, async () =>
                {
                    await postgres.StopServerAsync(ct);
                    await Task.Delay(profile.PostgresOutage, ct);
                    await postgres.StartServerAsync(ct);
                    worker.Kill();
                    worker.Dispose();
                    worker = WorkerProcess.Start(["run"], settings);
                    restarts++;
                    faults.Add("postgres restart + SIGKILL right after");
                }
                ));
            }

            // The wiki's edits come in batches, one before each fault, so that the tagger is busy when it is hit.
            var batch = (profile.WikiEdits + steps.Count) / (steps.Count + 1);
            foreach (var (at, act) in steps.OrderBy(s => s.At))
            {
                await WaitForOutcomesAsync(database, (int)(at * inScope), () => worker, ct);
                await tagging.EditAsync(Math.Min(batch, profile.WikiEdits - tagging.EditCount), ct);
                await act();
            }

            await tagging.EditAsync(profile.WikiEdits - tagging.EditCount, ct);

            faults.Add($"worker: {restarts} SIGKILL + restart");
            await WaitForOutcomesAsync(database, inScope, () => worker, ct);
            await Task.Delay(500, ct); // the last batch's Kafka acks are in before the rows
            tagged = await tagging.FinishAsync(Policies, ct);
            faults.Add($"tagger: {tagged.TaggerRestarts} SIGKILL + restart (the last one finished by tagger --drain), through the Kafka and Postgres outages");
        }
        finally
        {
            worker.Kill();
            worker.Dispose();
            wikiRequests += wiki.RequestCount;
            await wiki.DisposeAsync();
        }

        var result = await CheckAsync(profile, database, kafka.BootstrapServers, topic, edits, restarts, sse.ConnectionCount, llm.RequestCount, wikiRequests,
            started.Elapsed, faults, ct);
        return result with
        {
            Tagging = tagged,
        };
    }

    private static async Task<WikiApiFixtureServer> StartWikiAsync(WikiApiFixtureServerOptions options, int port, SyntheticEdits edits, CancellationToken ct)
    {
        var wiki = await WikiApiFixtureServer.StartAsync(options, port, ct);
        foreach (var fixture in edits.Fixtures)
        {
            wiki.AddFixture(fixture);
        }

        return wiki;
    }

    /// <summary>Edits with an outcome: all their verdicts stored, or a dead letter.</summary>
    private const string OutcomesSql = """
        select count(*) from (
            select wiki_id, rev_id from safeguard.classifications group by wiki_id, rev_id having count(distinct policy_id) >= @policies
            union
            select wiki_id, rev_id from safeguard.dead_letters where rev_id is not null) o
        """;

    private static async Task WaitForOutcomesAsync(string database, int atLeast, Func<WorkerProcess> worker, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        long outcomes = 0;
        while (true)
        {
            Assert.False(worker().HasExited, "the worker exited on its own:\n" + worker().Tail);
            try
            {
                await using var connection = new NpgsqlConnection(database);
                outcomes = await connection.QuerySingleAsync<long>(new CommandDefinition(OutcomesSql, new { policies = Policies.Length }, cancellationToken: timeout.Token));
                if (outcomes >= atLeast)
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
                // Postgres is restarting.
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                var logFile = Path.Combine(Path.GetTempPath(), "chaos-worker.log");
                await File.WriteAllTextAsync(logFile, worker().AllOutput, CancellationToken.None);
                Assert.Fail($"only {outcomes} of {atLeast} edits had an outcome after 120 s (worker log: {logFile}):\n{worker().Tail}");
            }
        }
    }

    private static async Task<ChaosResult> CheckAsync(
        ChaosProfile profile, string database, string bootstrap, string topic, SyntheticEdits edits, int restarts, int sseConnections,
        long llmRequests, int wikiRequests, TimeSpan elapsed, List<string> faults, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(database);
        var rows = (await connection.QueryAsync<(string WikiId, long RevId, string PolicyId, Guid EventId, string Status)>(new CommandDefinition(
            "select wiki_id, rev_id, policy_id, event_id, status from safeguard.classifications", cancellationToken: ct))).ToList();
        var deadLetters = (await connection.QueryAsync<(string? WikiId, long? RevId, string Reason)>(new CommandDefinition(
            "select wiki_id, rev_id, reason from safeguard.dead_letters", cancellationToken: ct))).ToList();

        var duplicated = rows.GroupBy(r => (r.WikiId, r.RevId, r.PolicyId)).Sum(g => (long)g.Count() - 1);
        var byEdit = rows.GroupBy(r => (r.WikiId, r.RevId)).ToDictionary(g => g.Key, g => g.Select(r => r.PolicyId).Distinct().Count());
        var deadEdits = deadLetters.Where(d => d.RevId is not null).Select(d => (d.WikiId ?? "", d.RevId!.Value)).ToHashSet();
        int lost = 0, dead = 0, both = 0, partial = 0;
        foreach (var edit in edits.InScope)
        {
            var classified = byEdit.GetValueOrDefault(edit);
            var deadLettered = deadEdits.Contains(edit);
            if (classified == Policies.Length && deadLettered)
            {
                both++;
            }
            else if (classified == Policies.Length)
            {
                // classified
            }
            else if (deadLettered)
            {
                dead++;
            }
            else if (classified > 0)
            {
                partial++;
            }
            else
            {
                lost++;
            }
        }

        var unexpected = rows.Count(r => !edits.InScope.Contains((r.WikiId, r.RevId)) || !Policies.Contains(r.PolicyId));
        var withoutReason = deadLetters.Count(d => string.IsNullOrWhiteSpace(d.Reason));

        var messages = await Kcat.ConsumeAllAsync(bootstrap, topic, ct);
        var ids = messages.Select(m => JsonDocument.Parse(m).RootElement.GetProperty("meta").GetProperty("id").GetString()!).ToList();
        var stored = rows.Select(r => r.EventId.ToString()).ToHashSet(StringComparer.Ordinal);
        var onKafka = ids.ToHashSet(StringComparer.Ordinal);
        return new ChaosResult(
            profile.Events, edits.InScope.Count, rows.Count, lost, duplicated, dead + both, withoutReason, both, partial, unexpected,
            stored.Count(id => !onKafka.Contains(id)), onKafka.Count(id => !stored.Contains(id)), ids.Count,
            rows.Count(r => r.Status == "error"), restarts, sseConnections, llmRequests, wikiRequests, elapsed, faults,
            new ChaosTagResult(0, 0, 0, 0, 0, 0, 0, 0, ""));
    }
}
