using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Operations;

/// <summary><c>safeguard run</c> with a dependency that does not answer: exit 1, naming the dependency and the setting to fix.</summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class StartupPreflightTests(LocalServicesFixture services)
{
    [Theory]
    [InlineData("Safeguard:Postgres:ConnectionString", "Host=127.0.0.1;Port={0};Username=postgres;Database=x;Timeout=2", "Postgres is unreachable (Safeguard:Postgres:ConnectionString)")]
    [InlineData("Safeguard:Llm:Endpoint", "http://127.0.0.1:{0}/v1", "is unreachable (Safeguard:Llm:Endpoint or SAFEGUARD_LLM_URL)")]
    [InlineData("Safeguard:Kafka:BootstrapServers", "127.0.0.1:{0}", "Kafka is unreachable (Safeguard:Kafka:BootstrapServers=127.0.0.1:")]
    public async Task Run_DependencyDown_ExitsOneNamingItsSetting(string key, string valueFormat, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("preflight", ct);
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            [key] = string.Format(System.Globalization.CultureInfo.InvariantCulture, valueFormat, LocalResources.FreePort()),
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = LocalServicesFixture.DataPath("demo", "events.jsonl"),
            ["Safeguard:StartupGrace"] = "00:00:01",
            ["Safeguard:Telemetry:HealthPort"] = LocalResources.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Safeguard:Telemetry:HealthHost"] = "127.0.0.1",
        };

        using var worker = WorkerProcess.Start(["run"], settings);
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.True(exit == 1, $"exit {exit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none within 60 s"}:\n{worker.Tail}");
        Assert.Contains(expected, worker.AllOutput, StringComparison.Ordinal);
    }
}
