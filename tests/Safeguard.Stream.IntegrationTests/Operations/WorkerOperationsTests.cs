using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Operations;

/// <summary>The live worker as operators see it: /metrics, /alive, /health, and logs that carry no secrets or edit text.</summary>
[Collection(LocalServicesDefinition.Name)]
public sealed partial class WorkerOperationsTests(LocalServicesFixture services)
{
    private const string ApiKey = "sk-test-SECRET-5a9b3c";
    private const string SaslPassword = "sasl-SECRET-77d1e0";
    private const string Marker = "MARKER-c0ffee-7731";

    private static async Task<string> MigratedAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync(cancellationToken);
        return connectionString;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url), cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException)
        {
            return (0, string.Empty);
        }
    }

    private static async Task<string> WaitForAsync(HttpClient http, string url, Func<HttpStatusCode, string, bool> done, WorkerProcess worker, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (90 * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            Assert.False(worker.HasExited, "the worker exited:\n" + worker.Tail);
            var (status, body) = await GetAsync(http, url, cancellationToken);
            if (done(status, body))
            {
                return body;
            }

            Assert.True(TimeProvider.System.GetTimestamp() < deadline, $"{url} never reached the expected state (last {status}):\n{body}\n{worker.Tail}");
            await Task.Delay(200, cancellationToken);
        }
    }

    private static double Sample(string metrics, string series)
    {
        var total = 0.0;
        foreach (Match match in SampleLine().Matches(metrics))
        {
            if (match.Groups["name"].Value == series)
            {
                total += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [Fact]
    public async Task Run_FileSource_ServesMetricsAndHealthAndLogsNoSecretOrEditText()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("ops", ct);
        await MigratedAsync(environment.ConnectionString, ct);
        var edits = SyntheticEdits.Create(300, firstRevId: 700_000_000, marker: Marker);
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
            ["Safeguard:Policies:Enabled:1"] = "private-information",
            ["Safeguard:Llm:ApiKey"] = ApiKey,
            ["Safeguard:Kafka:Producer:sasl.password"] = SaslPassword,
            ["Safeguard:Telemetry:HealthPort"] = port.ToString(CultureInfo.InvariantCulture),
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Safeguard"] = "Debug",
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var worker = WorkerProcess.Start(["run"], settings);
        var baseUrl = $"http://127.0.0.1:{port}";

        var metrics = await WaitForAsync(http, baseUrl + "/metrics",
            // Deliveries are counted when Kafka acknowledges them, after the verdicts: on a loaded machine a batch may
            // still be retried (a message timeout) when the last verdict is counted.
            (status, body) => status == HttpStatusCode.OK && Sample(body, "safeguard_stream_events_received_total") >= 300 &&
                              Sample(body, "safeguard_stream_verdicts_total") >= 2 * edits.InScope.Count &&
                              Sample(body, "safeguard_stream_kafka_deliveries_total") >= 2 * edits.InScope.Count,
            worker, ct);
        var (aliveStatus, _) = await GetAsync(http, baseUrl + "/alive", ct);
        var health = await WaitForAsync(http, baseUrl + "/health", (status, _) => status == HttpStatusCode.OK, worker, ct);
        metrics = (await GetAsync(http, baseUrl + "/metrics", ct)).Body;
        worker.Kill();

        // Plausible values, not just names: every event counted once, skips by reason, two policies per in-scope edit.
        Assert.Equal(300, Sample(metrics, "safeguard_stream_events_received_total"));
        Assert.Equal(300 - edits.InScope.Count, Sample(metrics, "safeguard_stream_events_skipped_total"));
        Assert.Equal(2 * edits.InScope.Count, Sample(metrics, "safeguard_stream_verdicts_total"));
        AssertPositive(metrics, "safeguard_stream_flagged_total");
        AssertPositive(metrics, "safeguard_stream_llm_tokens_total");
        Assert.Equal(2 * edits.InScope.Count, Sample(metrics, "safeguard_stream_llm_duration_seconds_count"));
        Assert.True(Sample(metrics, "safeguard_stream_wiki_api_requests_total") >= edits.InScope.Count, $"safeguard_stream_wiki_api_requests_total = {Sample(metrics, "safeguard_stream_wiki_api_requests_total")}");
        Assert.True(Sample(metrics, "safeguard_stream_kafka_deliveries_total") >= 2 * edits.InScope.Count, $"safeguard_stream_kafka_deliveries_total = {Sample(metrics, "safeguard_stream_kafka_deliveries_total")}");
        AssertPositive(metrics, "safeguard_stream_stage_duration_seconds_count");
        Assert.True(Sample(metrics, "safeguard_stream_lag_seconds_count") >= 300 - 6, $"safeguard_stream_lag_seconds_count = {Sample(metrics, "safeguard_stream_lag_seconds_count")}");
        Assert.True(Sample(metrics, "safeguard_stream_llm_concurrency_limit") >= 1, $"safeguard_stream_llm_concurrency_limit = {Sample(metrics, "safeguard_stream_llm_concurrency_limit")}");
        Assert.Contains("safeguard_stream_channel_depth", metrics, StringComparison.Ordinal);
        Assert.Contains("safeguard_stream_checkpoint_age_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("le=\"0.005\"", metrics, StringComparison.Ordinal);
        AssertPositive(metrics, "http_client_request_duration_seconds_count");
        Assert.Contains("db_client_", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, aliveStatus);
        Assert.Contains("\"postgres\"", health, StringComparison.Ordinal);

        var logs = worker.AllOutput;
        Assert.Contains("\"log.level\"", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SaslPassword, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Marker, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("lucky-casino", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_PostgresStopped_TurnsUnreadyAndRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var postgres = await PostgresCluster.StartAsync(ct: ct);
        var environment = await services.CreateEnvironmentAsync("health", ct);
        var connectionString = await MigratedAsync(await postgres.CreateDatabaseAsync("health", ct), ct);
        var port = LocalResources.FreePort();
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Postgres:ConnectionString"] = connectionString,
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = LocalServicesFixture.DataPath("demo", "events.jsonl"),
            ["Safeguard:Policies:Enabled:0"] = "spam",
            ["Safeguard:Telemetry:HealthPort"] = port.ToString(CultureInfo.InvariantCulture),
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var worker = WorkerProcess.Start(["run"], settings);
        var health = $"http://127.0.0.1:{port}/health";

        await WaitForAsync(http, health, (status, _) => status == HttpStatusCode.OK, worker, ct);
        await postgres.StopServerAsync(ct);
        var down = await WaitForAsync(http, health, (status, _) => status == HttpStatusCode.ServiceUnavailable, worker, ct);
        await postgres.StartServerAsync(ct);
        await WaitForAsync(http, health, (status, _) => status == HttpStatusCode.OK, worker, ct);
        worker.Kill();

        Assert.Contains("postgres unreachable", down, StringComparison.Ordinal);
    }

    private static void AssertPositive(string metrics, string series) =>
        Assert.True(Sample(metrics, series) > 0, $"{series} is missing or zero; series present: {string.Join(", ", SampleLine().Matches(metrics).Select(m => m.Groups["name"].Value).Distinct().Take(80))}");

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (?<value>[-+0-9.eE]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
