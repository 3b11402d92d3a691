using System.Globalization;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Core.Verdicts;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Kafka;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Tagging;

/// <summary>
/// One tagger's world: a fresh database (migrated) and a verdict topic on the mock Kafka cluster, verdicts produced
/// there by the real <see cref="VerdictEventWriter"/>, and tagger hosts built as <c>safeguard tagger --drain</c> builds
/// them, with the <see cref="RecordingWiki"/> as the wiki.
/// </summary>
internal sealed class TaggerHarness
{
    private readonly LocalServicesFixture _services;
    private readonly TestEnvironment _environment;
    private readonly string _groupId = "tagger-" + Guid.NewGuid().ToString("N");
    private long _nextRev = 5_000_000;

    private TaggerHarness(LocalServicesFixture services, TestEnvironment environment, string topic)
    {
        _services = services;
        _environment = environment;
        Topic = topic;
    }

    public string Topic { get; }
    public string ConnectionString => _environment.ConnectionString;
    public RecordingWiki Wiki { get; } = new();
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>A new world; one partition, so the order of verdicts (and of the valve's window) is the order produced.</summary>
    public static async Task<TaggerHarness> CreateAsync(LocalServicesFixture services, string name, int partitions, CancellationToken cancellationToken, bool createTopic = true)
    {
        var environment = await services.CreateEnvironmentAsync(name, cancellationToken);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(cancellationToken);
        }

        var topic = "tagger-verdicts." + Guid.NewGuid().ToString("N");
        if (createTopic)
        {
            services.Kafka.CreateTopic(topic, partitions);
        }

        var harness = new TaggerHarness(services, environment, topic);
        foreach (var (key, value) in environment.Settings)
        {
            harness.Settings[key] = value;
        }

        harness.Settings["Safeguard:Tagging:Wikis:0"] = "enwiki";
        harness.Settings["Safeguard:Tagging:Wikis:1"] = "dewiki";
        harness.Settings["Safeguard:Tagging:ReviewUrl"] = "https://review.example.org/safeguard";
        harness.Settings["Safeguard:Tagging:Topic"] = topic;
        harness.Settings["Safeguard:Tagging:GroupId"] = harness._groupId;
        harness.Settings["Safeguard:Tagging:AutoOffsetReset"] = "earliest";
        harness.Settings["Safeguard:Tagging:RetryFirstDelay"] = "00:00:00.020";
        return harness;
    }

    /// <summary>Produces one verdict per entry (a fresh revision each) and returns the revisions, in order.</summary>
    public async Task<IReadOnlyList<long>> ProduceAsync(
        string policyId, IEnumerable<bool> flagged, CancellationToken cancellationToken, string wikiId = "enwiki", Action<JsonObject>? change = null)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = _services.Kafka.BootstrapServers, EnableIdempotence = true }).Build();
        var revs = new List<long>();
        foreach (var flag in flagged)
        {
            var rev = Interlocked.Increment(ref _nextRev);
            var edit = Edit(wikiId, rev);
            var value = VerdictEventWriter.Write(edit, Verdict(policyId, flag), Topic, "/mediawiki/page/safeguard_classification_change/1.0.0", TimeProvider.System.GetUtcNow());
            if (change is not null)
            {
                var node = JsonNode.Parse(value)!.AsObject();
                change(node);
                value = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
            }

            await producer.ProduceAsync(Topic, new Message<byte[], byte[]> { Key = VerdictEventWriter.Key(edit), Value = value }, cancellationToken);
            revs.Add(rev);
        }

        return revs;
    }

    public async Task ProduceRawAsync(byte[] value, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = _services.Kafka.BootstrapServers }).Build();
        await producer.ProduceAsync(Topic, new Message<byte[], byte[]> { Key = "x"u8.ToArray(), Value = value }, cancellationToken);
    }

    /// <summary>Creates the verdict topic (for a harness created without it).</summary>
    public void CreateTopic(int partitions = 1) => _services.Kafka.CreateTopic(Topic, partitions);

    /// <summary>A tagger host as <c>safeguard tagger --drain</c> (or, <paramref name="drain"/> false, <c>safeguard tagger</c>) composes it (policies, Kafka, Postgres, the tagger), with the fake wiki.</summary>
    public IHost BuildHost(bool drain = true)
    {
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.AddSafeguardPolicyCatalog();
        builder.AddSafeguardKafka();
        builder.AddSafeguardPostgres();
        builder.AddSafeguardTagger(drain: drain);
        builder.Services.AddSingleton<IWikiTagger>(Wiki);
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        return builder.Build();
    }

    /// <summary>Runs a tagger until it has caught up (at most 3 minutes), and returns its outcomes and state.</summary>
    public async Task<(TaggerTally Tally, TaggerState State)> DrainAsync(CancellationToken cancellationToken, Action<IHost>? onBuilt = null)
    {
        using var host = BuildHost();
        onBuilt?.Invoke(host);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(3));
        // Resolved before the run: RunAsync disposes the host's services when it ends.
        var tally = host.Services.GetRequiredService<TaggerTally>();
        var state = host.Services.GetRequiredService<TaggerState>();
        await host.RunAsync(deadline.Token);
        Assert.False(deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested, "the tagger did not catch up within 3 minutes");
        return (tally, state);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(cancellationToken))!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static EditEvent Edit(string wikiId, long rev) => new()
    {
        SchemaUri = "/mediawiki/page/change/1.2.0",
        Stream = "mediawiki.page_change.v1",
        Domain = wikiId == "dewiki" ? "de.wikipedia.org" : "en.wikipedia.org",
        WikiId = wikiId,
        RevId = rev,
        ParentRevId = rev - 1,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageId = rev % 97 + 1,
        PageTitle = "Tagged_page_" + (rev % 97).ToString(CultureInfo.InvariantCulture),
        Namespace = 0,
        EventTime = TimeProvider.System.GetUtcNow(),
        RevisionTime = TimeProvider.System.GetUtcNow(),
    };

    private static PolicyVerdict Verdict(string policyId, bool flagged) => new()
    {
        PolicyId = policyId,
        PolicyVersion = 1,
        Status = VerdictStatus.Ok,
        Violation = flagged,
        Probability = flagged ? 0.97 : 0.03,
        Flagged = flagged,
        Rationale = "[simulated] rationale that must never reach a tag",
        Mode = PolicyMode.Enforce,
        Visibility = PolicyVisibility.Public,
        ReasoningEffort = ReasoningEffort.Low,
        Model = "openai/gpt-oss-safeguard-20b",
        LatencyMs = 10,
        ClassifiedAt = TimeProvider.System.GetUtcNow(),
    };
}
