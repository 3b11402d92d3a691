using System.CommandLine;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Npgsql;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Kafka;
using Safeguard.Stream.Worker.Hosting;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard run</c>: the live worker, with <c>/alive</c> and <c>/health</c> on an internal port.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var command = new Command("run", "Run the live worker: EventStreams (or Kafka) → MediaWiki API → vLLM → Kafka + Postgres.");
        command.SetAction((_, ct) => SafeguardCli.Guard(async () =>
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            SafeguardHost.Configure(builder);
            SafeguardHost.AddPipeline(builder);
            // Probes reach /alive and /health on an internal port; HealthHost narrows the bind (tests use 127.0.0.1).
            var port = builder.Configuration.GetValue("Safeguard:Telemetry:HealthPort", 8081);
            var host = builder.Configuration.GetValue("Safeguard:Telemetry:HealthHost", "0.0.0.0");
            builder.WebHost.UseUrls($"http://{host}:{port}");
            await using var app = builder.Build();

            // Fail fast, naming the dependency, rather than starting a worker that cannot make progress.
            await PreflightAsync(app.Services, ct);

            app.MapGet("/alive", () => Results.Text("alive"));
            app.MapGet("/health", () => Results.Text("ok"));
            await app.RunAsync();
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task PreflightAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var postgres = services.GetRequiredService<NpgsqlDataSource>();
        try
        {
            await using var connection = await postgres.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new DependencyUnavailableException($"Postgres is unreachable (Safeguard:Postgres:ConnectionString): {ex.Message}");
        }

        var llm = services.GetRequiredService<IOptions<LlmOptions>>().Value;
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            try
            {
                using var response = await http.GetAsync(new Uri(llm.Endpoint.ToString().TrimEnd('/') + "/models"), cancellationToken);
                response.EnsureSuccessStatusCode();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                throw new DependencyUnavailableException($"the LLM endpoint {llm.Endpoint} is unreachable (Safeguard:Llm:Endpoint or SAFEGUARD_LLM_URL): {ex.Message}");
            }
        }

        var kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        using var admin = new AdminClientBuilder(new AdminClientConfig(KafkaVerdictSink.CreateConfig(kafka))).Build();
        try
        {
            admin.GetMetadata(TimeSpan.FromSeconds(5));
        }
        catch (KafkaException ex)
        {
            throw new DependencyUnavailableException($"Kafka is unreachable (Safeguard:Kafka:BootstrapServers={kafka.BootstrapServers}): {ex.Message}");
        }
    }
}

internal sealed class DependencyUnavailableException(string message) : Exception(message);
