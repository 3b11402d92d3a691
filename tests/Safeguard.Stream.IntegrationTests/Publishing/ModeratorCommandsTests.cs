using System.Text.Json;
using Dapper;
using Npgsql;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Worker.Commands;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary><c>safeguard flagged</c> and <c>safeguard feedback</c>, run as the built binary over a replayed demo sample.</summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class ModeratorCommandsTests(LocalServicesFixture services)
{
    [Fact]
    public async Task FlaggedThenFeedback_ModeratorJudgesAFlaggedEditById()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("moderator", ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = LocalServicesFixture.DataPath("demo", "events.jsonl"),
        };
        var tally = await ReplayCommand.RunToCompletionAsync(settings, ct);
        var processEnvironment = SafeguardProcess.Environment(environment.Settings);

        var (exitCode, stdout, stderr) = await SafeguardProcess.RunAsync(["flagged", "--since", "3650d", "--format", "json", "--limit", "1000"], processEnvironment, ct);

        Assert.True(exitCode == 0, stderr);
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(rows.Count > 0 && rows.Count <= tally.Flagged, $"{rows.Count} rows, {tally.Flagged} flagged");
        var revisionTimes = rows.Select(r => r.GetProperty("RevisionTime").GetDateTime()).ToList();
        Assert.Equal(revisionTimes.OrderDescending(), revisionTimes); // newest edit first
        var first = rows[0];
        Assert.Matches($"^https://[a-z.]+/w/index.php\\?diff={first.GetProperty("RevId").GetInt64()}$", first.GetProperty("DiffUrl").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("Age").GetString()));

        var id = first.GetProperty("Id").GetString()!;
        var feedback = await SafeguardProcess.RunAsync(["feedback", "--id", id, "--verdict", "incorrect", "--note", "a cited source"], processEnvironment, ct);
        var unknown = await SafeguardProcess.RunAsync(["feedback", "--id", Guid.Empty.ToString(), "--verdict", "correct"], processEnvironment, ct);
        var table = await SafeguardProcess.RunAsync(["flagged", "--since", "3650d"], processEnvironment, ct);

        Assert.True(feedback.ExitCode == 0, feedback.Stderr);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no classification has id", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("/w/index.php?diff=", table.Stdout, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var stored = await connection.QuerySingleAsync<(Guid EventId, long RevId, string Verdict, string Note)>(new CommandDefinition(
            "select event_id, rev_id, verdict, note from safeguard.feedback", cancellationToken: ct));
        Assert.Equal((Guid.Parse(id), first.GetProperty("RevId").GetInt64(), "incorrect", "a cited source"), stored);
    }
}
