using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.IntegrationTests.Publishing;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Chaos;

/// <summary>What the tagger's part of a chaos run found, read back from the wiki.</summary>
internal sealed record ChaosTagResult(int WikiEdits, int Expected, int Tagged, int Missing, int Twice, int Unexpected, int Noops, int TaggerRestarts, string Drain)
{
    public bool Holds => Missing == 0 && Twice == 0 && Unexpected == 0;

    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"wiki_edits={WikiEdits} tag_expected={Expected} tagged={Tagged} tag_missing={Missing} tag_twice={Twice} tag_unexpected={Unexpected} tag_noops={Noops} tagger_restarts={TaggerRestarts}");
}

/// <summary>
/// The tagger in a chaos run, against a real wiki: one <see cref="MediaWikiServer"/> (en.wikipedia.org opted in,
/// de.wikipedia.org not) whose RC feed a second <c>safeguard run</c> classifies (the run's own Postgres, Kafka and
/// faulty vLLM simulator, its own database and topics), while <c>safeguard tagger</c> tags and is SIGKILLed and
/// restarted with the worker, and lives through the run's Kafka and Postgres outages. At the end a
/// <c>safeguard tagger --drain</c> in the same group finishes what the last kill left, and the wiki is the referee:
/// every flagged enforce verdict of enwiki has its tag on the revision and exactly one tag log entry adding it (a
/// re-applied tag is a noop, which logs nothing), and no other revision of either wiki carries a safeguard tag.
/// </summary>
internal sealed partial class ChaosTagging : IAsyncDisposable
{
    private const string En = "en.wikipedia.org";
    private const string De = "de.wikipedia.org";

    private readonly MediaWikiServer _wiki;
    private readonly RcFeedBridge _feed;
    private readonly Dictionary<string, string?> _taggerSettings;
    private readonly WorkerProcess _worker;
    private readonly string _database;
    private readonly List<(string Domain, long RevId)> _edits = [];
    private WorkerProcess _tagger;
    private int _restarts;

    private ChaosTagging(MediaWikiServer wiki, RcFeedBridge feed, string database, WorkerProcess worker, Dictionary<string, string?> taggerSettings)
    {
        _wiki = wiki;
        _feed = feed;
        _database = database;
        _worker = worker;
        _taggerSettings = taggerSettings;
        _tagger = WorkerProcess.Start(["tagger"], taggerSettings);
    }

    public static async Task<ChaosTagging> StartAsync(
        PostgresCluster postgres, KafkaMockCluster kafka, IReadOnlyDictionary<string, string?> chaosSettings, string[] policies, CancellationToken ct)
    {
        const string topic = "chaos.wiki-verdicts";
        kafka.CreateTopic(topic, partitions: 2);
        kafka.CreateTopic("chaos.wiki-verdicts-restricted", partitions: 1);
        kafka.CreateTopic("chaos.wiki-dead-letters", partitions: 1);
        var database = await postgres.CreateDatabaseAsync("chaos_wiki", ct);
        await using (var dataSource = NpgsqlDataSource.Create(database))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var feed = await RcFeedBridge.StartAsync(ct: ct);
        var wiki = await MediaWikiServer.StartAsync(new MediaWikiServerOptions { Domains = [En, De] }, ct);
        wiki.SetRcFeed(feed.UdpEndpoint);
        using (var sysop = await MediaWikiApiSession.LoginSysopAsync(wiki.ApiUrl(En), ct))
        {
            foreach (var policy in policies)
            {
                await sysop.PostAsync(ct, ("action", "managetags"), ("operation", "create"), ("tag", "safeguard-" + policy), ("reason", "chaos"),
                    ("token", await sysop.CsrfTokenAsync(ct)));
            }
        }

        var worker = new Dictionary<string, string?>(chaosSettings)
        {
            ["Safeguard:Source:Url"] = feed.StreamUrl.ToString(),
            ["Safeguard:Source:StartAt"] = TimeProvider.System.GetUtcNow().AddSeconds(-5).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["Safeguard:Postgres:ConnectionString"] = database,
            ["Safeguard:Kafka:Topic"] = topic,
            ["Safeguard:Kafka:RestrictedTopic"] = "chaos.wiki-verdicts-restricted",
            ["Safeguard:Kafka:DeadLetterTopic"] = "chaos.wiki-dead-letters",
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.ApiUrlTemplateString,
        };
        var tagger = new Dictionary<string, string?>(worker)
        {
            ["Safeguard:Tagging:Wikis:0"] = "enwiki",
            ["Safeguard:Tagging:ReviewUrl"] = "https://review.example.org/safeguard",
            ["Safeguard:Tagging:BotUsername"] = MediaWikiAccounts.BotLoginName,
            ["Safeguard:Tagging:BotPassword"] = MediaWikiAccounts.BotPasswordKey,
            ["Safeguard:Tagging:GroupId"] = "chaos-tagger",
            ["Safeguard:Tagging:AutoOffsetReset"] = "earliest",
            ["Safeguard:Tagging:RequestsPerSecond"] = "50",
            ["Safeguard:Tagging:RetryFirstDelay"] = "00:00:00.200",
            ["Safeguard:Tagging:ResumeInterval"] = "00:00:02",
            // A SIGKILLed tagger keeps its partitions for the session timeout (45 s by default): short, so the run stays short.
            ["Safeguard:Tagging:SessionTimeout"] = "00:00:06",
            // The valve is not what this run checks (its own tests do): every flagged verdict here must be tagged.
            ["Safeguard:Tagging:MaxFlagRate"] = "1",
            ["Safeguard:Tagging:MaxErrorRate"] = "1",
        };
        return new ChaosTagging(wiki, feed, database, WorkerProcess.Start(["run"], worker), tagger);
    }

    public int EditCount => _edits.Count;

    /// <summary>
    /// The scripted editor's next <paramref name="count"/> edits, then a second for the verdicts to reach the tagger:
    /// new pages on both wikis, a quarter spam, a quarter insults aimed at an editor (what the run's two policies flag),
    /// the rest clean prose; every fifth on de.wikipedia.org.
    /// </summary>
    public async Task EditAsync(int count, CancellationToken ct)
    {
        if (count <= 0)
        {
            return;
        }

        using var en = await MediaWikiApiSession.LoginSysopAsync(_wiki.ApiUrl(En), ct);
        using var de = await MediaWikiApiSession.LoginSysopAsync(_wiki.ApiUrl(De), ct);
        for (var i = _edits.Count; count-- > 0; i++)
        {
            var domain = i % 5 == 4 ? De : En;
            var text = (i % 4) switch
            {
                0 => $"Page {i} sells watches. Buy cheap at https://shop{i}.example.com today.",
                1 => $"Page {i}: you are an idiot, editor, and your edits are stupid.",
                _ => $"Page {i} describes a village on the river, with a church and a mill.",
            };
            var edit = await (domain == En ? en : de).EditAsync($"Chaos page {i}", text, "chaos", ct);
            _edits.Add((domain, edit.RevId));
        }

        await Task.Delay(TimeSpan.FromSeconds(1), ct);
    }

    public void KillTagger()
    {
        _tagger.Kill();
        _tagger.Dispose();
        _tagger = WorkerProcess.Start(["tagger"], _taggerSettings);
        _restarts++;
    }

    public async Task<ChaosTagResult> FinishAsync(string[] policies, CancellationToken ct)
    {
        // The wiki worker's outcomes: every edit classified by each policy, or dead-lettered.
        var keys = _edits.Select(e => (MediaWikiServer.WikiIdOf(e.Domain), e.RevId)).ToHashSet();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(120));
            while (await OutcomesAsync(policies.Length, keys, timeout.Token) < keys.Count)
            {
                Assert.False(_worker.HasExited, "the wiki's worker exited on its own:\n" + _worker.Tail);
                await Task.Delay(200, timeout.Token);
            }
        }

        // One more SIGKILL, then a drain in the same group finishes the rest: it re-reads what was not committed.
        _tagger.Kill();
        _restarts++;
        var drain = await SafeguardProcess.RunAsync(["tagger", "--drain"], SafeguardProcess.Environment(_taggerSettings), ct);
        Assert.True(drain.ExitCode == 0, drain.Stdout + drain.Stderr);
        var noops = DrainCountRegex().Match(drain.Stdout) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

        await using var connection = new NpgsqlConnection(_database);
        var expected = (await connection.QueryAsync<(long RevId, string PolicyId)>(new CommandDefinition(
                "select rev_id, policy_id from safeguard.classifications where wiki_id = 'enwiki' and flagged and mode = 'enforce' and status = 'ok' and visibility = 'public'",
                cancellationToken: ct)))
            .Select(r => (En, r.RevId, "safeguard-" + r.PolicyId)).ToHashSet();
        var onWiki = new HashSet<(string, long, string)>();
        var logged = new Dictionary<(string, long, string), int>();
        using (var sysopEn = await MediaWikiApiSession.LoginSysopAsync(_wiki.ApiUrl(En), ct))
        using (var sysopDe = await MediaWikiApiSession.LoginSysopAsync(_wiki.ApiUrl(De), ct))
        {
            foreach (var (domain, sysop) in new[] { (En, sysopEn), (De, sysopDe) })
            {
                var changes = await sysop.GetAsync(ct, ("action", "query"), ("list", "recentchanges"), ("rcprop", "ids|tags"), ("rclimit", "500"));
                foreach (var change in changes["query"]!["recentchanges"]!.AsArray())
                {
                    foreach (var tag in change!["tags"]!.AsArray().Select(t => (string)t!).Where(t => t.StartsWith("safeguard-", StringComparison.Ordinal)))
                    {
                        onWiki.Add((domain, (long)change["revid"]!, tag));
                    }
                }

                var log = await sysop.GetAsync(ct, ("action", "query"), ("list", "logevents"), ("letype", "tag"), ("leprop", "ids|details"), ("lelimit", "500"));
                foreach (var entry in log["query"]!["logevents"]!.AsArray())
                {
                    foreach (var tag in TagsAdded(entry!))
                    {
                        var key = (domain, (long?)entry!["params"]?["revid"] ?? (long?)entry["revid"] ?? 0, tag);
                        logged[key] = logged.GetValueOrDefault(key) + 1;
                    }
                }
            }
        }

        return new ChaosTagResult(
            _edits.Count, expected.Count, onWiki.Count,
            expected.Count(e => !onWiki.Contains(e) || !logged.ContainsKey(e)),
            logged.Count(l => l.Value > 1),
            onWiki.Count(t => !expected.Contains(t)) + logged.Keys.Count(k => !expected.Contains(k)),
            noops, _restarts, drain.Stdout.Split('\n')[0]);
    }

    private static IEnumerable<string> TagsAdded(JsonNode entry) =>
        (entry["params"]?["tagsAdded"] as JsonArray ?? entry["params"]?["added"] as JsonArray ?? [])
        .Select(t => (string)t!).Where(t => t.StartsWith("safeguard-", StringComparison.Ordinal));

    private async Task<long> OutcomesAsync(int policies, HashSet<(string, long)> keys, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_database);
        var done = await connection.QueryAsync<(string WikiId, long RevId)>(new CommandDefinition("""
            select wiki_id, rev_id from safeguard.classifications group by wiki_id, rev_id having count(distinct policy_id) >= @policies
            union
            select wiki_id, rev_id from safeguard.dead_letters where rev_id is not null
            """, new { policies }, cancellationToken: ct));
        return done.Count(d => keys.Contains((d.WikiId, d.RevId)));
    }

    [GeneratedRegex(@" already_tagged=(\d+)")]
    private static partial Regex DrainCountRegex();

    public async ValueTask DisposeAsync()
    {
        _tagger.Dispose();
        _worker.Dispose();
        await _wiki.DisposeAsync();
        await _feed.DisposeAsync();
    }
}
