using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>
/// The real local services, started once for the collection: a throwaway PostgreSQL 15 cluster, librdkafka's mock
/// Kafka cluster, the vLLM simulator and the wiki API fixture server with the demo fixtures. Each test takes its own
/// database and topics, so tests do not see each other's data. A missing dependency fails the tests; nothing is skipped.
/// </summary>
public sealed class LocalServicesFixture : IAsyncLifetime
{
    public PostgresCluster Postgres { get; private set; } = null!;
    public KafkaMockCluster Kafka { get; private set; } = null!;
    public VllmSimulator Llm { get; private set; } = null!;
    public WikiApiFixtureServer Wiki { get; private set; } = null!;

    public static string DataPath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", .. parts]);

    public static string PoliciesPath => Path.Combine(AppContext.BaseDirectory, "policies");

    public async ValueTask InitializeAsync()
    {
        Postgres = await PostgresCluster.StartAsync();
        Kafka = KafkaMockCluster.Start();
        Llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Seed = 7, Latency = TimeSpan.FromMilliseconds(5), EnablePromptTokensDetails = true });
        Wiki = await WikiApiFixtureServer.StartAsync(new WikiApiFixtureServerOptions { FixturesPath = DataPath("demo", "wiki-api.jsonl") });
    }

    public async ValueTask DisposeAsync()
    {
        await Wiki.DisposeAsync();
        await Llm.DisposeAsync();
        Kafka.Dispose();
        await Postgres.DisposeAsync();
    }

    /// <summary>A fresh database and topic names, and the configuration that points the worker at them.</summary>
    public async Task<TestEnvironment> CreateEnvironmentAsync(string name, CancellationToken cancellationToken)
    {
        var suffix = $"{name}_{Guid.NewGuid():N}"[..Math.Min(40, name.Length + 33)].ToLowerInvariant();
        var database = await Postgres.CreateDatabaseAsync("t_" + suffix.Replace('-', '_'), cancellationToken);
        var topic = $"verdicts.{suffix}";
        var restricted = $"verdicts-restricted.{suffix}";
        var deadLetters = $"dead-letters.{suffix}";
        foreach (var t in new[] { topic, restricted, deadLetters })
        {
            Kafka.CreateTopic(t, partitions: 2);
        }

        var settings = new Dictionary<string, string?>
        {
            ["Safeguard:Postgres:ConnectionString"] = database,
            ["Safeguard:Kafka:BootstrapServers"] = Kafka.BootstrapServers,
            ["Safeguard:Kafka:Topic"] = topic,
            ["Safeguard:Kafka:RestrictedTopic"] = restricted,
            ["Safeguard:Kafka:DeadLetterTopic"] = deadLetters,
            ["Safeguard:Llm:Endpoint"] = Llm.BaseUrl.ToString(),
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = Wiki.ApiUrlTemplateString,
            ["Safeguard:MediaWiki:MissingRevisionDelay"] = "00:00:00.050",
            // The per-wiki politeness limit (10/s) is for real wikis; the fixture server is local.
            ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "1000",
            ["Safeguard:Policies:Directory"] = PoliciesPath,
            ["Safeguard:Pipeline:PublishBatchDelay"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Safeguard"] = "Warning",
        };
        return new TestEnvironment(database, topic, restricted, deadLetters, settings);
    }
}

public sealed record TestEnvironment(
    string ConnectionString, string Topic, string RestrictedTopic, string DeadLetterTopic, Dictionary<string, string?> Settings);

[CollectionDefinition(Name)]
public sealed class LocalServicesDefinition : ICollectionFixture<LocalServicesFixture>
{
    public const string Name = "local services";
}
