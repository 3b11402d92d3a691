using System.Text.Json;
using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// At-least-once with idempotent sinks, tested the hard way: the real <c>safeguard replay</c> process is killed with
/// SIGKILL at random moments and restarted; afterwards Postgres holds exactly one row per (revision, policy) and Kafka
/// every verdict at least once, with no event id that should not exist.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class CrashRecoveryTests(LocalServicesFixture services)
{
    private const int Edits = 2_000;
    private const int Kills = 10;

    [Fact]
    public async Task Replay_KilledTenTimesAndRestarted_PostgresHasEachVerdictOnceAndKafkaAtLeastOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("crash", ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        await using var wiki = await WikiApiFixtureServer.StartAsync(ct: ct);
        var file = Path.Combine(Directory.CreateTempSubdirectory("crash").FullName, "events.jsonl");
        var edits = GeneratedEdits.Write(file, firstRevId: 910_000_000, Edits, wiki.AddFixture);
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.ApiUrlTemplateString,
            ["Safeguard:Policies:Directory"] = SafeguardProcess.PolicyDirectory("spam.md"),
        };
        var processEnvironment = SafeguardProcess.Environment(settings);
        await using var connection = new NpgsqlConnection(environment.ConnectionString);

        // Kill each run at a random moment after it has published its first batch (a kill during start-up tests
        // nothing), later into the run with each kill; a fixed seed keeps a failure reproducible.
        var random = new Random(20261120);
        var rowsAtKill = new List<long>();
        for (var kill = 1; kill <= Kills; kill++)
        {
            var started = await connection.QuerySingleAsync<DateTime>(new CommandDefinition("select now()", cancellationToken: ct));
            using var process = SafeguardProcess.Start(["replay", "--events", file], processEnvironment);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            _ = process.StandardError.ReadToEndAsync(ct);
            await WaitForFirstBatchAsync(connection, started, process, ct);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 150 * kill)), ct);
            process.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flush
            await process.WaitForExitAsync(ct);
            rowsAtKill.Add(await connection.QuerySingleAsync<long>(new CommandDefinition("select count(*) from safeguard.classifications", cancellationToken: ct)));
        }

        var finalRun = System.Diagnostics.Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await SafeguardProcess.RunAsync(["replay", "--events", file], processEnvironment, ct);
        finalRun.Stop();
        Assert.True(exitCode == 0, $"final replay exited {exitCode}: {stdout}\n{stderr}");

        // Postgres: exactly one row per expected (revision, policy), nothing else.
        var expected = edits.ExpectedEventIds("spam", PolicyVersion());
        var rows = (await connection.QueryAsync<(long RevId, string PolicyId, Guid EventId)>(new CommandDefinition(
            "select rev_id, policy_id, event_id from safeguard.classifications", cancellationToken: ct))).ToList();
        Assert.Equal(Edits, rows.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), rows.Select(r => r.EventId.ToString()).Order(StringComparer.Ordinal));

        // Kafka: every verdict at least once (kills leave duplicates), and no meta.id outside the expected set.
        var messages = await Kcat.ConsumeAllAsync(services.Kafka.BootstrapServers, environment.Topic, ct);
        var ids = messages.Select(m => JsonDocument.Parse(m).RootElement.GetProperty("meta").GetProperty("id").GetString()!).ToList();
        var unexpected = ids.Where(id => !expected.Contains(id)).Distinct().ToList();
        var missing = expected.Except(ids).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} meta.ids outside the expected set, e.g. {unexpected.FirstOrDefault()}");
        Assert.True(missing.Count == 0, $"{missing.Count} verdicts missing from Kafka, e.g. {missing.FirstOrDefault()}");
        EventSchemaValidator.AssertAllValid(messages);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"crash test: rows after each kill [{string.Join(", ", rowsAtKill)}]; final run {finalRun.Elapsed.TotalSeconds:0.0} s; " +
            $"kafka messages {ids.Count} for {expected.Count} verdicts; {stdout.Trim()}");
    }

    /// <summary>Waits until the run has committed a checkpoint, i.e. both sinks confirmed its first batch.</summary>
    private static async Task WaitForFirstBatchAsync(NpgsqlConnection connection, DateTime started, System.Diagnostics.Process process, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!await connection.QuerySingleAsync<bool>(new CommandDefinition(
                   "select exists (select 1 from safeguard.checkpoints where updated_at > @started)", new { started }, cancellationToken: timeout.Token)))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the worker exited ({process.ExitCode}) before it published anything");
            }

            await Task.Delay(25, timeout.Token);
        }
    }

    private static int PolicyVersion()
    {
        // The version is in the policy file's front matter (`version: N`).
        var line = File.ReadLines(Path.Combine(LocalServicesFixture.PoliciesPath, "spam.md")).First(l => l.StartsWith("version:", StringComparison.Ordinal));
        return int.Parse(line["version:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
