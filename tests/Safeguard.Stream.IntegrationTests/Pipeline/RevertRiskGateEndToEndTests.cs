using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.IntegrationTests.Publishing;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Worker.Commands;

namespace Safeguard.Stream.IntegrationTests.Pipeline;

/// <summary>
/// The revert-risk gate through the whole pipeline: the first 80 events of the demo sample, spam declaring
/// <c>gate: revertrisk &lt; 0.1</c>, LiftWing played by its fixture server (the recorded answer's shape) or down. The
/// score lands in the Kafka event (schema 1.2.0) and the Postgres row; a LiftWing that is down changes nothing but the
/// missing score: every edit goes to the model as it would with no gate.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class RevertRiskGateEndToEndTests(LocalServicesFixture services)
{
    private const string RecordedFile = "revertrisk-language-agnostic.predict.response.readme-recorded.json";
    private const double Low = 0.02;
    private const double High = 0.6;

    private static async Task<string> SampleAsync(CancellationToken ct)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("gate-replay").FullName, "events.jsonl");
        await File.WriteAllLinesAsync(file, (await File.ReadAllLinesAsync(LocalServicesFixture.DataPath("demo", "events.jsonl"), ct)).Take(80), ct);
        return file;
    }

    /// <summary>
    /// The shipped policies, every one gated but German vandalism: an enwiki edit scored low has no policy left (a
    /// skipped event), a dewiki one keeps vandalism-de.
    /// </summary>
    private static string GatedPolicies()
    {
        var directory = Directory.CreateTempSubdirectory("gated-policies").FullName;
        foreach (var file in Directory.GetFiles(LocalServicesFixture.PoliciesPath, "*.md"))
        {
            var text = File.ReadAllText(file);
            if (Path.GetFileName(file) is not ("vandalism-de.md" or "README.md"))
            {
                text = text.Replace("---\nid: ", "---\ngate: revertrisk < 0.1\nid: ", StringComparison.Ordinal);
                Assert.Contains("gate:", text, StringComparison.Ordinal);
            }

            File.WriteAllText(Path.Combine(directory, Path.GetFileName(file)), text);
        }

        return directory;
    }

    /// <summary>Even revisions score low (spam skipped), odd ones high.</summary>
    private static double Expected(long revId) => revId % 2 == 0 ? Low : High;

    private async Task<(PipelineTally Tally, TestEnvironment Environment)> ReplayAsync(string name, string file, Dictionary<string, string?> extra, CancellationToken ct)
    {
        var environment = await services.CreateEnvironmentAsync(name, ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = file,
            ["Safeguard:LiftWing:Timeout"] = "00:00:05",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return (await ReplayCommand.RunToCompletionAsync(settings, ct), environment);
    }

    private static async Task<List<(string Domain, long RevId, string PolicyId, float? Risk, string? Model)>> RowsAsync(TestEnvironment environment)
    {
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        return [.. await connection.QueryAsync<(string, long, string, float?, string?)>(
            "select domain, rev_id, policy_id, revert_risk, revert_risk_model from safeguard.classifications order by rev_id, policy_id")];
    }

    private async Task<List<JsonElement>> MessagesAsync(TestEnvironment environment, CancellationToken ct)
    {
        var lines = new List<string>();
        lines.AddRange(await Kcat.ConsumeAllAsync(services.Kafka.BootstrapServers, environment.Topic, ct));
        lines.AddRange(await Kcat.ConsumeAllAsync(services.Kafka.BootstrapServers, environment.RestrictedTopic, ct));
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public async Task Replay_GatedSpam_SkipsLowRiskEditsAndStoresTheScoreInKafkaAndPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = await SampleAsync(ct);
        await using var liftWing = await LiftWingFixtureServer.StartAsync(
            new() { RecordedPath = LocalServicesFixture.DataPath("wikimedia", "liftwing", RecordedFile) }, ct: ct);
        foreach (var line in await File.ReadAllLinesAsync(file, ct))
        {
            if (RevIdOf(line) is { } rev)
            {
                liftWing.SetScore(rev, Expected(rev));
            }
        }

        var (tally, environment) = await ReplayAsync("gate", file, new() { ["Safeguard:LiftWing:Url"] = liftWing.Url, ["Safeguard:Policies:Directory"] = GatedPolicies() }, ct);

        Assert.True(tally.Skipped.GetValueOrDefault(SkipReason.RevertRiskBelowGate) > 0, "no edit was skipped by the gate");
        var rows = await RowsAsync(environment);
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            if (row.Domain.EndsWith(".wikipedia.org", StringComparison.Ordinal))
            {
                // Every Wikipedia edit had a gated policy in scope (spam applies everywhere), so each was scored.
                Assert.Equal((float)Expected(row.RevId), row.Risk);
                Assert.Equal("revertrisk-language-agnostic:3", row.Model);
            }
            else
            {
                Assert.Null(row.Risk); // Commons, Wikidata: the model does not cover them; the gate failed open
            }
        }

        // Below the gate only the ungated policy judged; above it every policy did.
        Assert.All(rows.Where(r => r.Risk is < 0.1f), r => Assert.Equal("vandalism-de", r.PolicyId));
        Assert.Contains(rows, r => r.PolicyId == "vandalism-de" && r.Risk is < 0.1f);
        Assert.Contains(rows, r => r.PolicyId == "spam" && r.Risk is > 0.1f);

        var messages = await MessagesAsync(environment, ct);
        EventSchemaValidator.AssertAllValid(messages);
        Assert.Equal(rows.Count, messages.Count);
        foreach (var message in messages)
        {
            var rev = message.GetProperty("revision").GetProperty("rev_id").GetInt64();
            if (message.GetProperty("safeguard").TryGetProperty("revert_risk", out var risk))
            {
                Assert.Equal("/mediawiki/page/safeguard_classification_change/1.2.0", message.GetProperty("$schema").GetString());
                Assert.Equal(Expected(rev), risk.GetProperty("probability").GetDouble());
                Assert.Equal("revertrisk-language-agnostic", risk.GetProperty("model_name").GetString());
            }
            else
            {
                Assert.Equal("/mediawiki/page/safeguard_classification_change/1.0.0", message.GetProperty("$schema").GetString());
                Assert.DoesNotContain(".wikipedia.org", message.GetProperty("meta").GetProperty("domain").GetString(), StringComparison.Ordinal);
            }
        }

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        Assert.Equal(
            tally.Skipped[SkipReason.RevertRiskBelowGate],
            await connection.QuerySingleAsync<long>("select coalesce(sum(count), 0) from safeguard.skip_counts where reason = @reason", new { reason = SkipReason.RevertRiskBelowGate }));
    }

    [Fact]
    public async Task Replay_LiftWingDown_FailsOpen_EveryEditJudgedAsWithoutAGate()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = await SampleAsync(ct);

        var (baseline, baselineEnvironment) = await ReplayAsync("nogate", file, [], ct);
        var (down, downEnvironment) = await ReplayAsync(
            "gatedown", file, new() { ["Safeguard:LiftWing:Url"] = $"http://127.0.0.1:{LocalResources.FreePort()}", ["Safeguard:Policies:Directory"] = GatedPolicies() }, ct);

        Assert.False(down.Skipped.ContainsKey(SkipReason.RevertRiskBelowGate));
        Assert.Equal(baseline.Classified, down.Classified);
        Assert.Equal(baseline.Verdicts, down.Verdicts);
        var expected = (await RowsAsync(baselineEnvironment)).Select(r => (r.RevId, r.PolicyId)).ToList();
        var rows = await RowsAsync(downEnvironment);
        Assert.Equal(expected, rows.Select(r => (r.RevId, r.PolicyId)));
        Assert.Contains(rows, r => r.PolicyId == "spam");
        Assert.All(rows, r => Assert.Null(r.Risk));
        var messages = await MessagesAsync(downEnvironment, ct);
        Assert.Equal(rows.Count, messages.Count);
        Assert.All(messages, m => Assert.False(m.GetProperty("safeguard").TryGetProperty("revert_risk", out _)));
    }

    private static long? RevIdOf(string line)
    {
        try
        {
            var node = JsonNode.Parse(line);
            return (long?)node?["revision"]?["rev_id"] ?? (long?)node?["revision"]?["new"];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
