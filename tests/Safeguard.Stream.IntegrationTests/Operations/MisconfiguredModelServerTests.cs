using System.Globalization;
using System.Net;
using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Evaluation;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Operations;

/// <summary>
/// A model server that refuses the worker's key is a deployment mistake, not a bad edit: the live worker pauses (no
/// verdict, no dead letter), <c>/health</c> names <c>Safeguard:Llm:ApiKey</c>, and the work resumes by itself once the
/// server accepts the key; the commands refuse with the same message.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class MisconfiguredModelServerTests(LocalServicesFixture services)
{
    private const string WorkerKey = "sk-worker-KEY-41c7";

    private static async Task<long> CountAsync(NpgsqlConnection connection, string table, CancellationToken ct) =>
        await connection.QuerySingleAsync<long>(new CommandDefinition($"select count(*) from safeguard.{table}", cancellationToken: ct));

    private static async Task<string> DeadLettersAsync(NpgsqlConnection connection, CancellationToken ct) =>
        string.Join("\n", await connection.QueryAsync<string>(new CommandDefinition(
            "select reason || ': ' || detail from safeguard.dead_letters order by id", cancellationToken: ct)));

    [Fact]
    public async Task Run_ServerRotatesItsKey_PausesWithoutDeadLettersAndHealthNamesTheKey_ThenResumesAndClassifiesEveryEditOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        // Slow enough that the key rotates while most edits still wait for the model.
        await using var llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.FromMilliseconds(150) }, ct: ct);
        var environment = await services.CreateEnvironmentAsync("llm-key", ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var edits = SyntheticEdits.Create(120, firstRevId: 710_000_000);
        foreach (var fixture in edits.Fixtures)
        {
            services.Wiki.AddFixture(fixture);
        }

        var port = LocalResources.FreePort();
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = await edits.WriteEventsAsync(ct),
            ["Safeguard:Policies:Enabled:0"] = "spam",
            ["Safeguard:Llm:Endpoint"] = llm.BaseUrl.ToString(),
            ["Safeguard:Llm:ApiKey"] = WorkerKey,
            ["Safeguard:Llm:MaxConcurrency"] = "4",
            ["Safeguard:Telemetry:HealthPort"] = port.ToString(CultureInfo.InvariantCulture),
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var worker = WorkerProcess.Start(["run"], settings);
        await using var connection = new NpgsqlConnection(environment.ConnectionString);

        // The server starts without a key (the start check passes) and then rotates to one the worker does not have.
        await WaitUntilAsync(() => Task.FromResult(llm.RequestCount > 0), "no model request", worker, ct);
        llm.ApiKey = "sk-rotated-OTHER";
        var health = await WaitForHealthAsync(http, port, HttpStatusCode.ServiceUnavailable, worker, ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct); // answers already on their way before the rotation reach the sinks
        var pausedAt = await CountAsync(connection, "classifications", ct);
        var unauthorised = llm.UnauthorizedCount;
        await Task.Delay(TimeSpan.FromSeconds(3), ct);

        Assert.Contains("Safeguard:Llm:ApiKey", health, StringComparison.Ordinal);
        Assert.DoesNotContain(WorkerKey, health, StringComparison.Ordinal);
        Assert.True(pausedAt < edits.InScope.Count, $"{pausedAt} of {edits.InScope.Count} classified before the pause: the test did not pause anything");
        Assert.Equal(pausedAt, await CountAsync(connection, "classifications", ct));
        Assert.Equal(string.Empty, await DeadLettersAsync(connection, ct));
        // Paused, not hammering: each waiting (edit, policy) backs off.
        Assert.True(llm.UnauthorizedCount - unauthorised < 200, $"{llm.UnauthorizedCount - unauthorised} refused requests in 3 s while paused");

        llm.ApiKey = WorkerKey;
        await AuditRows.WaitForAsync(environment.ConnectionString, edits.InScope.Count, ct, worker);
        await WaitForHealthAsync(http, port, HttpStatusCode.OK, worker, ct);
        worker.Kill();

        Assert.Equal(edits.InScope.Count, await CountAsync(connection, "classifications", ct));
        Assert.Equal(edits.InScope.Count, await connection.QuerySingleAsync<long>(new CommandDefinition(
            "select count(distinct (wiki_id, rev_id, policy_id)) from safeguard.classifications", cancellationToken: ct)));
        Assert.Equal(string.Empty, await DeadLettersAsync(connection, ct));
        var logs = worker.AllOutput;
        Assert.DoesNotContain(WorkerKey, logs, StringComparison.Ordinal);
        // One line when the problem appeared, however many edits waited.
        Assert.True(CountOccurrences(logs, "Classification paused") <= 2, "the pause was logged once per request:\n" + worker.Tail);
    }

    [Fact]
    public async Task Run_WrongKeyAtStart_RefusesToStartNamingTheKeySetting()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { ApiKey = "sk-server-key" }, ct: ct);
        var environment = await services.CreateEnvironmentAsync("llm-key-start", ct);
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = LocalServicesFixture.DataPath("demo", "events.jsonl"),
            ["Safeguard:Llm:Endpoint"] = llm.BaseUrl.ToString(),
            ["Safeguard:Llm:ApiKey"] = WorkerKey,
            ["Safeguard:StartupGrace"] = "00:00:01",
            ["Safeguard:Telemetry:HealthPort"] = LocalResources.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
        };

        using var worker = WorkerProcess.Start(["run"], settings);
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.True(exit == 1, $"exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none within 60 s"}:\n{worker.Tail}");
        Assert.Contains("refused the API key (HTTP 401 Unauthorized): set Safeguard:Llm:ApiKey", worker.AllOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(WorkerKey, worker.AllOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("eval")]
    public async Task Commands_WrongKey_ExitOneWithTheSameMessageAndNoTypeName(string command)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { ApiKey = "sk-server-key" }, ct: ct);
        var output = Path.Combine(Path.GetTempPath(), "safeguard-eval-" + Guid.NewGuid().ToString("N"));
        string[] args = command == "classify"
            ? ["classify", "--policy", "spam", "--text", "Buy cheap watches at http://shop.example"]
            : ["eval", "--dataset", LocalServicesFixture.DataPath("eval", "cluebotng_enwiki_dev.jsonl"), "--policy", "vandalism", "--limit", "20", "--out", output];
        var environment = new Dictionary<string, string>
        {
            ["Safeguard__Llm__Endpoint"] = llm.BaseUrl.ToString(),
            ["Safeguard__Llm__ApiKey"] = WorkerKey,
            ["Safeguard__Policies__Directory"] = LocalServicesFixture.PoliciesPath,
        };

        var (exit, stdout, stderr) = await EvalProcess.SafeguardAsync(args, environment, ct);

        Assert.True(exit == 1, $"exit {exit}:\n{stdout}\n{stderr}");
        Assert.Contains("error: the model server at", stderr, StringComparison.Ordinal);
        Assert.Contains("set Safeguard:Llm:ApiKey", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(WorkerKey, stdout + stderr, StringComparison.Ordinal);
        Assert.InRange(llm.UnauthorizedCount, 1, 20); // eval stops at the first refusal instead of failing every record
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<string> WaitForHealthAsync(HttpClient http, int port, HttpStatusCode expected, WorkerProcess worker, CancellationToken ct)
    {
        var body = string.Empty;
        await WaitUntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"), ct);
                body = await response.Content.ReadAsStringAsync(ct);
                return response.StatusCode == expected;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"/health never answered {(int)expected}", worker, ct);
        return body;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure, WorkerProcess worker, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (90 * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            Assert.False(worker.HasExited, "the worker exited:\n" + worker.Tail);
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, failure + ":\n" + worker.Tail);
            await Task.Delay(50, ct);
        }
    }
}
