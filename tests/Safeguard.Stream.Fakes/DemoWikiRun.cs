using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="DemoWikiRun"/> (<c>safeguard-fakes demo-wiki-editor</c>).</summary>
public sealed record DemoWikiOptions
{
    /// <summary><c>http://127.0.0.1:PORT/{domain}/w/api.php</c> (SAFEGUARD_REAL_WIKI_API_TEMPLATE).</summary>
    public required string ApiUrlTemplate { get; init; }

    /// <summary>The worker's and the tagger's database (read only here).</summary>
    public required string Postgres { get; init; }

    public required string OutDirectory { get; init; }

    /// <summary>The wiki ids the tagger opted in (Safeguard:Tagging:Wikis).</summary>
    public IReadOnlyList<string> OptedIn { get; init; } = ["enwiki", "dewiki"];

    /// <summary>Pause between two edits (a patrolled wiki's edits do not arrive in one burst either).</summary>
    public TimeSpan Pace { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How often the tags are read back: the resolution of the edit-to-tag time.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    public string Chromium { get; init; } = "chromium";
}

/// <summary>One saved edit: what the script asked for, what the wiki answered, and when the answer came.</summary>
internal sealed record SavedEdit(DemoWikiEdit Script, WikiEdit Wiki, string WikiId, DateTimeOffset SavedAt)
{
    public (string, long) Key => (WikiId, Wiki.RevId);
}

/// <summary>
/// <c>make demo-wiki</c>'s editor and referee, run while <c>safeguard run</c> and <c>safeguard tagger</c> are live: it
/// saves <see cref="DemoWikiScript"/>'s edits on the real wiki, reads every revision's tags back through the API every
/// <see cref="DemoWikiOptions.PollInterval"/> (as the oversighter, who sees hidden revisions) to time edit → tag,
/// waits until every flagged enforce verdict of an opted-in wiki (from Postgres) is tagged, hides one vandal revision,
/// and prints the counts: edits (the wiki's answers), classified (Postgres), tagged (the wiki's tags), skipped (the
/// edits without a verdict; the worker's reasons from <c>safeguard.skip_counts</c>), the valves (Postgres). Then the
/// screenshot of Special:RecentChanges filtered by a safeguard tag (headless Chromium).
/// </summary>
public static class DemoWikiRun
{
    private const string HumanEditor = "Demo editor";
    private const string HumanPassword = "Sg-Demo-Editor-2026";

    public static async Task<int> RunAsync(DemoWikiOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.OutDirectory);
        var api = (string domain) => new Uri(options.ApiUrlTemplate.Replace("{domain}", domain, StringComparison.Ordinal));
        var domains = DemoWikiScript.Edits.Select(e => e.Domain).Distinct().ToList();
        var humans = new Dictionary<string, MediaWikiApiSession>();
        var bots = new Dictionary<string, MediaWikiApiSession>();
        var readers = new Dictionary<string, MediaWikiApiSession>();
        try
        {
            foreach (var domain in domains)
            {
                humans[domain] = await HumanAsync(api(domain), ct);
                bots[domain] = await MediaWikiApiSession.LoginBotAsync(api(domain), ct);
                readers[domain] = await MediaWikiApiSession.LoginSysopAsync(api(domain), ct);
            }

            var seen = new ConcurrentDictionary<(string, long), (DateTimeOffset At, string[] Tags)>();
            var pending = new ConcurrentDictionary<(string, long), SavedEdit>();
            using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var stored = new ConcurrentDictionary<(string, long), DateTimeOffset>();
            var poller = PollTagsAsync(options, readers, pending, seen, stored, stopPolling.Token);

            var saved = new List<SavedEdit>();
            Console.WriteLine($"demo-wiki: the scripted editor saves {DemoWikiScript.Edits.Count} edits, one every {options.Pace.TotalMilliseconds:0} ms");
            foreach (var edit in DemoWikiScript.Edits)
            {
                var session = edit.Editor == DemoEditor.Bot ? bots[edit.Domain] : humans[edit.Domain];
                var answer = await session.EditAsync(edit.Title, edit.Text, edit.Summary, ct);
                var one = new SavedEdit(edit, answer, MediaWikiServer.WikiIdOf(edit.Domain), TimeProvider.System.GetUtcNow());
                saved.Add(one);
                pending[one.Key] = one;
                await Task.Delay(options.Pace, ct);
            }

            var hidden = saved.Single(s => s.Script.HideLater);
            var (rows, expected) = await WaitForTagsAsync(options, saved, seen, hidden, ct);

            // Later: the oversighter hides the vandal's text (it has a successor now); the worker redacts its verdict.
            await readers[hidden.Script.Domain].RevisionDeleteAsync(hidden.Wiki.RevId, "content", suppress: false, "demo: vandalism", ct);
            var redacted = await WaitForRedactionAsync(options.Postgres, hidden, ct);
            await stopPolling.CancelAsync();
            await poller;

            // The final word is the wiki's: every revision's tags read back once more.
            var tags = new Dictionary<(string, long), string[]>();
            foreach (var group in saved.GroupBy(s => s.Script.Domain))
            {
                foreach (var (rev, revTags) in await TagsAsync(readers[group.Key], group.Select(s => s.Wiki.RevId), ct))
                {
                    tags[(MediaWikiServer.WikiIdOf(group.Key), rev)] = revTags;
                }
            }

            return await ReportAsync(options, saved, rows, expected, tags, seen, stored, hidden, redacted, ct);
        }
        finally
        {
            foreach (var session in humans.Values.Concat(bots.Values).Concat(readers.Values))
            {
                session.Dispose();
            }
        }
    }

    /// <summary>A fresh account made the way a newcomer makes one (<c>action=createaccount</c>), then signed in.</summary>
    private static async Task<MediaWikiApiSession> HumanAsync(Uri api, CancellationToken ct)
    {
        using (var anonymous = new MediaWikiApiSession(api))
        {
            var tokens = await anonymous.GetAsync(ct, ("action", "query"), ("meta", "tokens"), ("type", "createaccount"));
            var answer = await anonymous.PostAsync(ct, ("action", "createaccount"), ("username", HumanEditor), ("password", HumanPassword),
                ("retype", HumanPassword), ("createreturnurl", api.ToString()), ("createtoken", (string)tokens["query"]!["tokens"]!["createaccounttoken"]!));
            var status = (string?)answer["createaccount"]?["status"];
            if (status != "PASS")
            {
                throw new MediaWikiApiException("createaccount-" + status, answer.ToJsonString());
            }
        }

        return await MediaWikiApiSession.LoginAsync(api, HumanEditor, HumanPassword, ct);
    }

    /// <summary>
    /// Reads back the tags of the revisions that have a taggable verdict in Postgres and no tag yet, every
    /// <see cref="DemoWikiOptions.PollInterval"/>. Only those: the local wiki serves one request at a time, and polling every edit
    /// would slow down the worker's and the tagger's own requests (what is being measured).
    /// </summary>
    private static async Task PollTagsAsync(
        DemoWikiOptions options, Dictionary<string, MediaWikiApiSession> readers, ConcurrentDictionary<(string, long), SavedEdit> pending,
        ConcurrentDictionary<(string, long), (DateTimeOffset, string[])> seen, ConcurrentDictionary<(string, long), DateTimeOffset> stored,
        CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var saved = pending.Values.ToList();
                if (saved.Count > 0)
                {
                    foreach (var row in await VerdictRowsAsync(options, saved, ct))
                    {
                        if (row.Taggable)
                        {
                            stored.TryAdd((row.WikiId, row.RevId), row.StoredAt);
                        }
                    }
                }

                foreach (var group in saved.Where(p => stored.ContainsKey(p.Key)).GroupBy(p => p.Script.Domain))
                {
                    foreach (var (rev, tags) in await TagsAsync(readers[group.Key], group.Select(p => p.Wiki.RevId), ct))
                    {
                        if (tags.Length > 0)
                        {
                            var key = (MediaWikiServer.WikiIdOf(group.Key), rev);
                            seen.TryAdd(key, (TimeProvider.System.GetUtcNow(), tags));
                            pending.TryRemove(key, out _);
                        }
                    }
                }

                await Task.Delay(options.PollInterval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>The safeguard tags of each revision: <c>prop=revisions&amp;rvprop=ids|tags</c>, 50 at a time.</summary>
    internal static async Task<List<(long Rev, string[] Tags)>> TagsAsync(MediaWikiApiSession reader, IEnumerable<long> revIds, CancellationToken ct)
    {
        var result = new List<(long, string[])>();
        foreach (var chunk in revIds.Distinct().Chunk(50))
        {
            var answer = await reader.GetAsync(ct, ("action", "query"), ("prop", "revisions"), ("rvprop", "ids|tags"),
                ("revids", string.Join('|', chunk.Select(r => r.ToString(CultureInfo.InvariantCulture)))));
            foreach (var revision in answer["query"]?["pages"]?.AsArray().SelectMany(p => p?["revisions"]?.AsArray() ?? []) ?? [])
            {
                result.Add(((long)revision!["revid"]!, [.. revision["tags"]!.AsArray().Select(t => (string)t!).Where(t => t.StartsWith("safeguard-", StringComparison.Ordinal)).Order()]));
            }
        }

        return result;
    }

    /// <summary>Verdict rows of the edits: (wiki, rev, policy, flagged enforce ok public).</summary>
    private sealed record VerdictRow(string WikiId, long RevId, string PolicyId, bool Taggable, DateTimeOffset StoredAt);

    /// <summary>
    /// Waits until the worker is done (its verdicts for the edits stopped changing for 3 s) and every taggable verdict's
    /// revision carries a tag (the hidden revision's tag is awaited too: it is hidden after).
    /// </summary>
    private static async Task<(List<VerdictRow> Rows, HashSet<(string, long)> Expected)> WaitForTagsAsync(
        DemoWikiOptions options, List<SavedEdit> saved, ConcurrentDictionary<(string, long), (DateTimeOffset, string[])> seen, SavedEdit hidden,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var stableSince = clock.Elapsed;
        var lastCount = -1;
        while (true)
        {
            var rows = await VerdictRowsAsync(options, saved, ct);
            if (rows.Count != lastCount)
            {
                lastCount = rows.Count;
                stableSince = clock.Elapsed;
            }

            var expected = rows.Where(r => r.Taggable).Select(r => (r.WikiId, r.RevId)).ToHashSet();
            if (clock.Elapsed - stableSince > TimeSpan.FromSeconds(3) && expected.All(seen.ContainsKey))
            {
                return (rows, expected);
            }

            if (clock.Elapsed > options.Timeout)
            {
                var missing = expected.Where(e => !seen.ContainsKey(e)).Select(e => $"{e.Item1}:{e.Item2}");
                Console.WriteLine($"demo-wiki: gave up after {options.Timeout.TotalSeconds:0} s; {rows.Count} verdicts, untagged: {string.Join(", ", missing)}");
                return (rows, expected);
            }

            await Task.Delay(250, ct);
        }
    }

    private static async Task<List<VerdictRow>> VerdictRowsAsync(DemoWikiOptions options, List<SavedEdit> saved, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.Postgres);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select wiki_id, rev_id, policy_id, flagged and mode = 'enforce' and status = 'ok' and visibility = 'public', inserted_at " +
            "from safeguard.classifications where rev_id = any(@revs)", connection);
        command.Parameters.AddWithValue("revs", saved.Select(s => s.Wiki.RevId).Distinct().ToArray());
        var keys = saved.Select(s => s.Key).ToHashSet();
        var rows = new List<VerdictRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new VerdictRow(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetBoolean(3), await reader.GetFieldValueAsync<DateTimeOffset>(4, ct));
            if (keys.Contains((row.WikiId, row.RevId)))
            {
                rows.Add(row with { Taggable = row.Taggable && options.OptedIn.Contains(row.WikiId, StringComparer.OrdinalIgnoreCase) });
            }
        }

        return rows;
    }

    private static async Task<bool> WaitForRedactionAsync(string postgres, SavedEdit hidden, CancellationToken ct)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                "select count(*) filter (where redacted_at is null) = 0 and count(*) > 0 from safeguard.classifications where wiki_id = @wiki and rev_id = @rev", connection);
            command.Parameters.AddWithValue("wiki", hidden.WikiId);
            command.Parameters.AddWithValue("rev", hidden.Wiki.RevId);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                return true;
            }

            await Task.Delay(100, ct);
        }

        return false;
    }

    private static async Task<List<(string Reason, long Count)>> SkipCountsAsync(string postgres, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select reason, sum(count)::bigint from safeguard.skip_counts group by reason order by reason", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new List<(string, long)>();
        while (await reader.ReadAsync(ct))
        {
            result.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return result;
    }

    private static async Task<List<string>> OpenValvesAsync(string postgres, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(postgres);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select wiki_id || '/' || policy_id from safeguard.tag_valves where open order by 1", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    private static async Task<int> ReportAsync(
        DemoWikiOptions options, List<SavedEdit> saved, List<VerdictRow> rows, HashSet<(string, long)> expected,
        Dictionary<(string, long), string[]> tags, ConcurrentDictionary<(string, long), (DateTimeOffset At, string[] Tags)> seen,
        ConcurrentDictionary<(string, long), DateTimeOffset> stored, SavedEdit hidden, bool redacted, CancellationToken ct)
    {
        var classified = saved.Count(s => rows.Any(r => (r.WikiId, r.RevId) == s.Key));
        var tagged = saved.Where(s => tags.GetValueOrDefault(s.Key)?.Length > 0).ToList();
        var untagged = expected.Where(e => tags.GetValueOrDefault(e)?.Length is null or 0).ToList();
        var unexpected = tagged.Where(s => !expected.Contains(s.Key)).ToList();
        var valves = await OpenValvesAsync(options.Postgres, ct);
        var skips = await SkipCountsAsync(options.Postgres, ct);
        var timed = tagged.Where(s => seen.ContainsKey(s.Key) && stored.ContainsKey(s.Key)).ToList();
        var latencies = timed.Select(s => (seen[s.Key].At - s.SavedAt).TotalSeconds).Order().ToList();
        // Where the time goes: edit saved -> first flagged verdict row in Postgres (the worker), then -> tag seen (the tagger).
        var workerPart = timed.Select(s => (stored[s.Key] - s.SavedAt).TotalSeconds).Order().ToList();
        var taggerPart = timed.Select(s => (seen[s.Key].At - stored[s.Key]).TotalSeconds).Order().ToList();

        var port = new Uri(options.ApiUrlTemplate.Replace("{domain}", "x", StringComparison.Ordinal)).Port;
        string Diff(SavedEdit s) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/{s.Script.Domain}/w/index.php?diff=prev&oldid={s.Wiki.RevId}");

        Console.WriteLine($"demo-wiki: worker skips by reason (safeguard.skip_counts, every RC event incl. log entries): {string.Join(" ", skips.Select(s => $"{s.Reason}={s.Count}"))}");
        Console.WriteLine($"demo-wiki: revision {hidden.WikiId}:{hidden.Wiki.RevId} hidden on the wiki after its tag; verdict redacted by the worker: {(redacted ? "yes" : "NO")}");
        Console.WriteLine("demo-wiki: tagged revisions (diff URLs):");
        foreach (var s in tagged)
        {
            Console.WriteLine($"  {string.Join(",", tags[s.Key]),-32} {s.Script.Kind,-10} {Diff(s)}");
        }

        if (latencies.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"demo-wiki: edit saved -> tag on the wiki over {latencies.Count} tagged edits: p50={Percentile(latencies, 0.50):0.00} s p95={Percentile(latencies, 0.95):0.00} s max={latencies[^1]:0.00} s (tags read back every {options.PollInterval.TotalMilliseconds:0} ms)\n" +
                $"demo-wiki:   of which edit -> verdict stored (worker): p50={Percentile(workerPart, 0.50):0.00} s p95={Percentile(workerPart, 0.95):0.00} s; " +
                $"verdict stored -> tag seen (tagger): p50={Percentile(taggerPart, 0.50):0.00} s p95={Percentile(taggerPart, 0.95):0.00} s"));
        }

        foreach (var s in untagged)
        {
            Console.WriteLine($"demo-wiki: NOT TAGGED: {s.Item1}:{s.Item2} has a flagged enforce verdict");
        }

        foreach (var s in unexpected)
        {
            Console.WriteLine($"demo-wiki: UNEXPECTED TAG: {Diff(s)} carries {string.Join(",", tags[s.Key])} without a flagged verdict");
        }

        var screenshot = await ScreenshotAsync(options, port, tagged.Where(s => s.Script.Domain == DemoWikiScript.En).SelectMany(s => tags[s.Key]), ct);
        Console.WriteLine($"demo-wiki: edits={saved.Count} classified={classified} tagged={tagged.Count} skipped={saved.Count - classified} " +
                          $"valve={(valves.Count == 0 ? "closed" : "open " + string.Join(",", valves))}");

        await WriteEditsAsync(options, saved, rows, tags, seen, ct);
        var ok = tagged.Count >= 1 && untagged.Count == 0 && unexpected.Count == 0 && valves.Count == 0 && redacted && screenshot;
        return ok ? 0 : 1;
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="q"/> of the values at or below it.</summary>
    private static double Percentile(List<double> sorted, double q) => sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1)];

    /// <summary>Special:RecentChanges of en.wikipedia.org filtered by the most used safeguard tag, as headless Chromium renders it.</summary>
    private static async Task<bool> ScreenshotAsync(DemoWikiOptions options, int port, IEnumerable<string> tags, CancellationToken ct)
    {
        var tag = tags.GroupBy(t => t).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault();
        if (tag is null)
        {
            Console.WriteLine("demo-wiki: no tag on en.wikipedia.org, no screenshot");
            return false;
        }

        var url = string.Create(CultureInfo.InvariantCulture,
            $"http://127.0.0.1:{port}/{DemoWikiScript.En}/w/index.php?title=Special:RecentChanges&tagfilter={tag}&days=1&limit=50&hidebots=0&enhanced=0&uselang=en");
        var path = Path.GetFullPath(Path.Combine(options.OutDirectory, "recentchanges.png"));
        File.Delete(path);
        var profile = Path.Combine(Path.GetTempPath(), "safeguard-demo-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var result = await ProcessRunner.RunAsync(options.Chromium,
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
                 "--window-size=1280,1000", "--virtual-time-budget=10000", "--screenshot=" + path, url], TimeSpan.FromSeconds(90), ct);
            var ok = result.ExitCode == 0 && File.Exists(path) && new FileInfo(path).Length > 0;
            Console.WriteLine(ok
                ? $"demo-wiki: screenshot of Special:RecentChanges filtered by {tag}: {path}\n  {url}"
                : $"demo-wiki: chromium failed (exit {result.ExitCode}): {result.StandardError[..Math.Min(result.StandardError.Length, 600)]}");
            return ok;
        }
        finally
        {
            LocalResources.TryDeleteDirectory(profile);
        }
    }

    private static async Task WriteEditsAsync(
        DemoWikiOptions options, List<SavedEdit> saved, List<VerdictRow> rows, Dictionary<(string, long), string[]> tags,
        ConcurrentDictionary<(string, long), (DateTimeOffset At, string[] Tags)> seen, CancellationToken ct)
    {
        var lines = new StringBuilder();
        foreach (var s in saved)
        {
            lines.AppendLine(JsonSerializer.Serialize(new
            {
                wiki = s.WikiId,
                rev = s.Wiki.RevId,
                title = s.Wiki.Title,
                kind = s.Script.Kind.ToString(),
                editor = s.Script.Editor.ToString(),
                saved_at = s.SavedAt,
                verdicts = rows.Where(r => (r.WikiId, r.RevId) == s.Key).Select(r => new { policy = r.PolicyId, taggable = r.Taggable }),
                tags = tags.GetValueOrDefault(s.Key) ?? [],
                verdict_stored_at = rows.Where(r => (r.WikiId, r.RevId) == s.Key).Select(r => (DateTimeOffset?)r.StoredAt).Min(),
                tag_seen_at = seen.TryGetValue(s.Key, out var at) ? at.At : (DateTimeOffset?)null,
                edit_to_tag_s = seen.TryGetValue(s.Key, out var at2) ? Math.Round((at2.At - s.SavedAt).TotalSeconds, 3) : (double?)null,
            }));
        }

        await File.WriteAllTextAsync(Path.Combine(options.OutDirectory, "edits.jsonl"), lines.ToString(), ct);
    }
}
