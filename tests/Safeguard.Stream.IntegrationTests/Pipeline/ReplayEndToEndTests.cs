using System.Text.Json;
using Dapper;
using Npgsql;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Worker.Commands;

namespace Safeguard.Stream.IntegrationTests.Pipeline;

/// <summary>
/// The whole pipeline over the demo sample: file source → routing → enrichment (wiki API fixture server) →
/// classification (vLLM simulator through the OpenAI SDK) → Kafka (mock cluster) and Postgres (real cluster).
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class ReplayEndToEndTests(LocalServicesFixture services)
{
    private static readonly string s_demoEvents = LocalServicesFixture.DataPath("demo", "events.jsonl");

    private static async Task MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync(cancellationToken);
    }

    private static Task<PipelineTally> ReplayAsync(TestEnvironment environment, string file, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = file,
        };
        return ReplayCommand.RunToCompletionAsync(settings, cancellationToken);
    }

    private async Task<List<JsonElement>> ReadBackAsync(TestEnvironment environment, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        lines.AddRange(await Kcat.ConsumeAllAsync(services.Kafka.BootstrapServers, environment.Topic, cancellationToken));
        lines.AddRange(await Kcat.ConsumeAllAsync(services.Kafka.BootstrapServers, environment.RestrictedTopic, cancellationToken));
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public async Task Replay_DemoSample_EveryEventEndsOnceAndKafkaMatchesPostgresOneToOne()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("e2e", ct);
        await MigrateAsync(environment.ConnectionString, ct);

        var tally = await ReplayAsync(environment, s_demoEvents, ct);

        // Outcome accounting: every non-blank line is exactly one of classified, skipped, dead-lettered.
        var lines = (await File.ReadAllLinesAsync(s_demoEvents, ct)).Count(l => l.Trim().Length > 0);
        Assert.Equal(lines, tally.Events);
        Assert.Equal(tally.Events, tally.Classified + tally.SkippedTotal + tally.DeadLetteredTotal);
        Assert.Equal(1, tally.DeadLettered["malformed_json"]);
        Assert.Equal(1, tally.DeadLettered["missing_field"]);
        Assert.Equal(1, tally.DeadLettered["unsupported_schema"]);
        Assert.Equal(4, tally.Skipped["canary"]);
        Assert.Equal(2, tally.Skipped["duplicate"]);
        Assert.Equal(2, tally.Skipped["revision_missing"]);
        Assert.Equal(2, tally.Skipped["revision_hidden"]);
        Assert.True(tally.Classified > 150, $"classified {tally.Classified}");
        // Every classified edit gets at least one policy (spam applies everywhere); German edits also get vandalism-de.
        Assert.InRange(tally.Verdicts, tally.Classified, tally.Classified * 6);
        Assert.InRange(tally.Flagged, 1, tally.Verdicts - 1);

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var rows = (await connection.QueryAsync<(string WikiId, long RevId, string PolicyId, Guid EventId, bool Flagged, string Visibility)>(
            "select wiki_id, rev_id, policy_id, event_id, flagged, visibility from safeguard.classifications")).ToList();
        Assert.Equal(tally.Verdicts, rows.Count);
        // The simulator returns logprobs as vLLM does, so every verdict gets a probability.
        Assert.Equal(0, await connection.QuerySingleAsync<long>("select count(*) from safeguard.classifications where probability is null"));

        // Read back with kcat, an independent client: one message per row, matched by the deterministic meta.id.
        var messages = await ReadBackAsync(environment, ct);
        Publishing.EventSchemaValidator.AssertAllValid(messages);
        Assert.Equal(rows.Count, messages.Count);
        var byId = rows.ToDictionary(r => r.EventId.ToString());
        foreach (var message in messages)
        {
            var row = byId[message.GetProperty("meta").GetProperty("id").GetString()!];
            Assert.Equal(row.WikiId, message.GetProperty("wiki_id").GetString());
            Assert.Equal(row.RevId, message.GetProperty("revision").GetProperty("rev_id").GetInt64());
            Assert.Equal(row.Flagged, message.GetProperty("safeguard").GetProperty("flagged").GetBoolean());
            if (row.Visibility == "restricted")
            {
                // Restricted policies never carry the rationale on Kafka.
                Assert.False(message.GetProperty("safeguard").TryGetProperty("rationale", out _));
            }
            else
            {
                Assert.StartsWith("[simulated]", message.GetProperty("safeguard").GetProperty("rationale").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(rows.Count, messages.Select(m => m.GetProperty("meta").GetProperty("id").GetString()).Distinct().Count());

        // Dead letters are stored with the reason and, for a bad line, its line number.
        var dead = (await connection.QueryAsync<(string Reason, string Detail)>("select reason, detail from safeguard.dead_letters")).ToList();
        Assert.Equal(3, dead.Count);
        Assert.Contains(dead, d => d.Reason == "malformed_json" && d.Detail.StartsWith("line 41:", StringComparison.Ordinal));

        // The checkpoint reached the last line: everything before it is in both sinks.
        var position = await connection.QuerySingleAsync<string>("select position from safeguard.checkpoints where source = 'file:events.jsonl'");
        Assert.Equal(lines.ToString(System.Globalization.CultureInfo.InvariantCulture), position);
        var skipCounts = await connection.QuerySingleAsync<long>("select sum(count) from safeguard.skip_counts");
        Assert.Equal(tally.SkippedTotal, skipCounts);
    }

    [Fact]
    public async Task Replay_SameFileTwice_AddsNoPostgresRowsAndRepeatsKafkaIdsOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("twice", ct);
        await MigrateAsync(environment.ConnectionString, ct);

        var first = await ReplayAsync(environment, s_demoEvents, ct);
        var second = await ReplayAsync(environment, s_demoEvents, ct);

        Assert.Equal(first.Verdicts, second.Verdicts);
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        Assert.Equal(first.Verdicts, await connection.QuerySingleAsync<long>("select count(*) from safeguard.classifications"));
        Assert.Equal(3, await connection.QuerySingleAsync<long>("select count(*) from safeguard.dead_letters"));

        // At-least-once: Kafka holds each verdict twice, with the same meta.id, so consumers dedupe.
        var messages = await ReadBackAsync(environment, ct);
        Assert.Equal(2 * first.Verdicts, messages.Count);
        Assert.Equal(first.Verdicts, messages.Select(m => m.GetProperty("meta").GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Replay_MalformedLine_IsDeadLetteredWithItsLineNumberAndTheRunGoesOn()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("malformed", ct);
        await MigrateAsync(environment.ConnectionString, ct);
        var real = await File.ReadAllTextAsync(LocalServicesFixture.DataPath("wikimedia", "events", "page_change.edit.enwiki.schema-1.3.0.json"), ct);
        var oneLine = JsonSerializer.Serialize(JsonDocument.Parse(real).RootElement);
        var file = Path.Combine(Directory.CreateTempSubdirectory("replay").FullName, "mixed.jsonl");
        await File.WriteAllLinesAsync(file, ["{\"this is\": not json", "", oneLine, "[]"], ct);

        var tally = await ReplayAsync(environment, file, ct);

        Assert.Equal(3, tally.Events);
        Assert.Equal(2, tally.DeadLetteredTotal);
        Assert.Equal(1, tally.Classified + tally.SkippedTotal);
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var dead = (await connection.QueryAsync<(string Reason, string Detail, string Payload)>(
            "select reason, detail, payload from safeguard.dead_letters order by detail")).ToList();
        Assert.Equal("malformed_json", dead[0].Reason);
        Assert.StartsWith("line 1:", dead[0].Detail, StringComparison.Ordinal);
        Assert.Equal("{\"this is\": not json", dead[0].Payload);
        Assert.StartsWith("line 4:", dead[1].Detail, StringComparison.Ordinal);
    }
}
