using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Safeguard.Stream.Kafka;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard run</c>: the live worker, with <c>/alive</c> and <c>/health</c> on an internal port.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run the live worker: EventStreams (or Kafka) → MediaWiki API → vLLM → Kafka + Postgres.");
        command.SetAction((_, ct) => SafeguardCli.Guard(async () =>
        {
            var builder = CreateServiceBuilder(SafeguardHost.AddPipeline);
            await using var app = builder.Build();

            // Fail fast, naming the dependency, rather than starting a worker that cannot make progress.
            await PreflightWithGraceAsync(app.Services, builder.Configuration.GetValue("Safeguard:StartupGrace", TimeSpan.FromSeconds(15)), ct);

            MapProbes(app);
            await app.RunAsync();
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The web host of a long-running command (<c>run</c>, <c>tagger</c>): slim, configured, its components added by
    /// <paramref name="addComponents"/>, listening for probes on <c>Safeguard:Telemetry:HealthHost/HealthPort</c>.
    /// </summary>
    public static WebApplicationBuilder CreateServiceBuilder(Action<WebApplicationBuilder> addComponents)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        SafeguardHost.Configure(builder, logsToStdout: true);
        addComponents(builder);
        builder.AddSafeguardObservability(prometheus: true);
        // Probes reach /alive and /health on an internal port; HealthHost narrows the bind (tests use 127.0.0.1).
        var telemetry = TelemetryOptions.From(builder.Configuration);
        builder.WebHost.UseUrls($"http://{telemetry.HealthHost}:{telemetry.HealthPort}");
        return builder;
    }

    /// <summary><c>/alive</c> (no checks), <c>/health</c> (the readiness checks, each named with its status) and <c>/metrics</c>.</summary>
    public static void MapProbes(WebApplication app)
    {
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ComponentRegistration.ReadyTag),
            ResponseWriter = WriteHealthAsync,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>A small JSON body naming each check's status, so an operator sees which dependency is down.</summary>
    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new Dictionary<string, object>
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(body));
    }

    /// <summary>
    /// Dependencies often come up together with the worker (a pod beside a database restarting), so each check gets
    /// <c>Safeguard:StartupGrace</c> (15 s) before the worker gives up with the dependency and its setting named.
    /// </summary>
    private static async Task PreflightWithGraceAsync(IServiceProvider services, TimeSpan grace, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(grace.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            try
            {
                await PreflightAsync(services, cancellationToken);
                return;
            }
            catch (DependencyUnavailableException) when (TimeProvider.System.GetTimestamp() < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>The readiness checks the components registered, each failure naming the setting to look at.</summary>
    private static async Task PreflightAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        var registered = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        (string Dependency, string Check)[] checks =
        [
            ("Postgres is unreachable (Safeguard:Postgres:ConnectionString)", PostgresHealthCheck.Name),
            // With the API key (vLLM started with --api-key refuses /v1 without it); the description names the setting:
            // Safeguard:Llm:Endpoint (unreachable, not an OpenAI API), :ApiKey (401/403) or :Model (not served).
            ("the model server check failed", LlmHealthCheck.Name),
            ($"Kafka is unreachable (Safeguard:Kafka:BootstrapServers={kafka.BootstrapServers})", KafkaHealthCheck.Name),
        ];
        foreach (var (dependency, name) in checks)
        {
            var registration = registered[name];
            var result = await registration.Factory(services).CheckHealthAsync(new HealthCheckContext { Registration = registration }, cancellationToken);
            if (result.Status != HealthStatus.Healthy)
            {
                throw new DependencyUnavailableException($"{dependency}: {result.Description}");
            }
        }
    }
}

internal sealed class DependencyUnavailableException(string message) : Exception(message);
