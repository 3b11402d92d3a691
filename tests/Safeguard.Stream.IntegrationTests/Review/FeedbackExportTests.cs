using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.IntegrationTests.Publishing;
using Safeguard.Stream.IntegrationTests.RealWiki;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Review;

/// <summary>
/// <c>safeguard feedback export</c>, the built binary, end to end: real edits on a real MediaWiki, their verdicts and
/// moderators' reviews in a real PostgreSQL, the export reading the text back from the wiki (one revision deleted on
/// the wiki since, one redacted in the audit table, one without consensus), and <c>safeguard eval</c> reading the file.
/// </summary>
public sealed class FeedbackExportTests(RealWikiFixture fixture) : IClassFixture<RealWikiFixture>, IAsyncLifetime
{
    private const string SpamLine = "Buy cheap watches at http://cheap-watches.example/ today, best prices!";
    private readonly string _directory = Directory.CreateTempSubdirectory("feedback-export").FullName;
    private PostgresCluster? _postgres;
    private string _database = "";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _postgres = await PostgresCluster.StartAsync(ct: ct);
        _database = await _postgres.CreateDatabaseAsync("export_" + Guid.NewGuid().ToString("N")[..12], ct);
        await using var owner = NpgsqlDataSource.Create(_database);
        await new DatabaseMigrator(owner).MigrateAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Export_ReviewedFlagsOfTheRealWiki_WritesConsensusRecordsThatEvalReads()
    {
        var ct = TestContext.Current.CancellationToken;
        using var bot = await MediaWikiApiSession.LoginBotAsync(fixture.Wiki.ApiUrl(RealWikiFixture.En), ct);
        async Task<WikiEdit> EditAsync(string title, string added)
        {
            await bot.EditAsync(title, "An article about " + title + ".", "create", ct);
            return await bot.EditAsync(title, "An article about " + title + ".\n" + added, "add a line", ct);
        }

        var spam = await EditAsync("Export spam", SpamLine);
        var fine = await EditAsync("Export fine", "It was founded in 1901 by the town council.");
        var hidden = await EditAsync("Export hidden", "HIDDEN-ON-THE-WIKI promotional text http://hidden.example/");
        var split = await EditAsync("Export split", "Visit http://maybe.example/ for more.");
        var redacted = await EditAsync("Export redacted", "REDACTED-IN-THE-AUDIT-TABLE http://redacted.example/");
        // MediaWiki hides no page's current revision: a later edit first.
        await bot.EditAsync("Export hidden", "An article about Export hidden.\nA later, ordinary line.", "later", ct);
        await fixture.HideAsync(hidden.RevId, "content", suppress: false, ct);

        await using (var owner = NpgsqlDataSource.Create(_database))
        {
            await VerdictAsync(owner, spam, "spam", ["correct", "correct", "unsure"], ct: ct);
            await VerdictAsync(owner, fine, "spam", ["incorrect", "incorrect", "correct"], mode: "shadow", ct: ct);
            await VerdictAsync(owner, hidden, "spam", ["correct", "correct"], ct: ct);
            await VerdictAsync(owner, split, "spam", ["correct", "incorrect"], ct: ct);
            await VerdictAsync(owner, redacted, "spam", ["correct", "correct"], redacted: true, ct: ct);
            await VerdictAsync(owner, fine, "vandalism", ["correct", "correct"], ct: ct);  // another policy: not exported
        }

        var file = Path.Combine(_directory, "spam.jsonl");
        var environment = SafeguardProcess.Environment(new Dictionary<string, string?>
        {
            ["Safeguard:Postgres:ConnectionString"] = _database,
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = fixture.Wiki.ApiUrlTemplateString,
            ["Safeguard:MediaWiki:MissingRevisionRetries"] = "0",
            ["Safeguard:Llm:Endpoint"] = fixture.Llm.BaseUrl.ToString(),
            ["Safeguard:Policies:Directory"] = LocalServicesFixture.PoliciesPath,
            ["Logging:LogLevel:Default"] = "Warning",
        });

        var (exitCode, stdout, stderr) = await SafeguardProcess.RunAsync(
            ["feedback", "export", "--policy", "spam", "--wiki", "enwiki", "--out", file], environment, ct);

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains("feedback export: reviewed=5 written=2 (positive=1 negative=1) left out: no_consensus=1 deleted=2 nothing_to_classify=0 wiki_unavailable=0 (quorum 2)", stdout, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(file, ct);
        Assert.DoesNotContain("HIDDEN-ON-THE-WIKI", text, StringComparison.Ordinal);
        Assert.DoesNotContain("REDACTED-IN-THE-AUDIT-TABLE", text, StringComparison.Ordinal);
        var records = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(new[] { Id(spam), Id(fine) }.Order(StringComparer.Ordinal), records.Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        var positive = records.Single(r => r.GetProperty("id").GetString() == Id(spam));
        Assert.Equal("spam", positive.GetProperty("label").GetString());
        Assert.Equal(SpamLine, positive.GetProperty("added_text").GetString());
        Assert.Equal("Export spam", positive.GetProperty("title").GetString());
        Assert.Equal(("enwiki", "en", RealWikiFixture.En), (positive.GetProperty("wiki").GetString(), positive.GetProperty("lang").GetString(), positive.GetProperty("domain").GetString()));
        var negative = records.Single(r => r.GetProperty("id").GetString() == Id(fine));
        Assert.Equal("not_spam", negative.GetProperty("label").GetString());
        Assert.Equal("shadow", negative.GetProperty("category").GetString());
        Assert.Contains("founded in 1901", negative.GetProperty("added_text").GetString(), StringComparison.Ordinal);

        // The reader of `safeguard eval --dataset` takes every line, with the policy's default labels.
        var dataset = EvalDatasetReader.Parse(text.Split('\n'), EvalLabels.For("spam", null, null), null);
        Assert.Empty(dataset.Problems);
        Assert.Equal([true, false], dataset.Records.OrderBy(r => r.Id == Id(spam) ? 0 : 1).Select(r => r.Truth));

        var evalOut = Path.Combine(_directory, "eval");
        var eval = await SafeguardProcess.RunAsync(["eval", "--dataset", file, "--policy", "spam", "--out", evalOut, "--record"], environment, ct);
        Assert.True(eval.ExitCode == 0, eval.Stdout + eval.Stderr);
        var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(evalOut, "metrics.json"), ct)).RootElement;
        Assert.Equal((2, 0, 1, 1), (
            metrics.GetProperty("dataset").GetProperty("records").GetInt32(), metrics.GetProperty("dataset").GetProperty("excluded").GetInt32(),
            metrics.GetProperty("dataset").GetProperty("positives").GetInt32(), metrics.GetProperty("dataset").GetProperty("negatives").GetInt32()));

        // --record: the run's counts at the policy's threshold, for the review dashboard's "last eval".
        Assert.Contains("eval: recorded as run 1 in safeguard.eval_runs", eval.Stdout, StringComparison.Ordinal);
        var atThreshold = metrics.GetProperty("at_policy_threshold");
        await using var database = NpgsqlDataSource.Create(_database);
        await using var connection = await database.OpenConnectionAsync(ct);
        var stored = await connection.QuerySingleAsync<(string Policy, string Dataset, bool Simulated, int Records, int Tp, int Fp, int Tn, int Fn)>(new CommandDefinition(
            "select policy_id, dataset, simulated, records, true_positives, false_positives, true_negatives, false_negatives from safeguard.last_eval_runs",
            cancellationToken: ct));
        Assert.Equal(("spam", "spam.jsonl", true, 2), (stored.Policy, stored.Dataset, stored.Simulated, stored.Records));
        Assert.Equal(
            (atThreshold.GetProperty("true_positives").GetInt32(), atThreshold.GetProperty("false_positives").GetInt32(),
             atThreshold.GetProperty("true_negatives").GetInt32(), atThreshold.GetProperty("false_negatives").GetInt32()),
            (stored.Tp, stored.Fp, stored.Tn, stored.Fn));
    }

    [Fact]
    public async Task Export_WikiDoesNotAnswer_CountsItExits1AndWritesTheRest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var owner = NpgsqlDataSource.Create(_database))
        {
            await VerdictAsync(owner, new WikiEdit(1, "Nowhere", 424242, 424241, false, ""), "vandalism", ["correct", "correct"], ct: ct);
        }

        var file = Path.Combine(_directory, "unavailable.jsonl");
        var (exitCode, stdout, stderr) = await SafeguardProcess.RunAsync(["feedback", "export", "--policy", "vandalism", "--out", file],
            SafeguardProcess.Environment(new Dictionary<string, string?>
            {
                ["Safeguard:Postgres:ConnectionString"] = _database,
                ["Safeguard:MediaWiki:ApiUrlTemplate"] = "http://127.0.0.1:9/{domain}/w/api.php",  // nothing listens on the discard port
                ["Safeguard:MediaWiki:MaxRetries"] = "0",
                ["Logging:LogLevel:Default"] = "Critical",
            }), ct);

        Assert.Equal(1, exitCode);
        Assert.Contains("wiki_unavailable=1", stdout, StringComparison.Ordinal);
        Assert.Contains("feedback export: the wiki did not answer for enwiki:424242", stderr, StringComparison.Ordinal);
        Assert.Equal("", await File.ReadAllTextAsync(file, ct));
    }

    private static string Id(WikiEdit edit) => string.Create(CultureInfo.InvariantCulture, $"enwiki:{edit.RevId}");

    private static async Task VerdictAsync(
        NpgsqlDataSource owner, WikiEdit edit, string policy, string[] reviews, string mode = "enforce", bool redacted = false, CancellationToken ct = default)
    {
        await using var connection = await owner.OpenConnectionAsync(ct);
        var now = TimeProvider.System.GetUtcNow();
        var eventId = Guid.NewGuid();
        await connection.ExecuteAsync(new CommandDefinition("select safeguard.ensure_classifications_partition(@now)", new { now }, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into safeguard.classifications (wiki_id, rev_id, policy_id, policy_version, event_id, domain, page_id, page_title, namespace,
                parent_rev_id, rev_dt, status, violation, probability, flagged, mode, category, rationale, visibility, model, reasoning_effort,
                latency_ms, classified_at, redacted_at, redaction_reason)
            values ('enwiki', @RevId, @policy, 1, @eventId, 'en.wikipedia.org', @PageId, @title, 0, @ParentRevId, @now, 'ok', true, 0.9,
                true, @mode, 'S1', 'a rationale', 'public', 'openai/gpt-oss-safeguard-20b', 'low', 300, @now,
                case when @redacted then @now end, case when @redacted then 'revision_hidden' end)
            """, new { edit.RevId, edit.PageId, edit.ParentRevId, title = edit.Title.Replace(' ', '_'), policy, eventId, mode, redacted, now }, cancellationToken: ct));
        for (var i = 0; i < reviews.Length; i++)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into safeguard.feedback (event_id, verdict, reviewer) values (@eventId, @verdict, @reviewer)",
                new { eventId, verdict = reviews[i], reviewer = "reviewer-" + i.ToString(CultureInfo.InvariantCulture) }, cancellationToken: ct));
        }
    }
}
