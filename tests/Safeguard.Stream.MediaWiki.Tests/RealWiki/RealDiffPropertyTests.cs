using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>
/// Enrichment proved on real diffs: random edits saved on a real MediaWiki (wikidiff2), each diff fetched by the
/// worker's own <see cref="MediaWikiClient"/> (<c>action=compare</c>, <c>DiffHtmlParser</c>) and checked against the
/// true change computed from the texts the test wrote (<see cref="DiffOracle"/>).
/// <para>
/// <c>SAFEGUARD_DIFF_SEED</c> replays a run (the seed is printed on failure); <c>SAFEGUARD_DIFF_EDITS</c> sets the
/// number of edits (default 220); <c>SAFEGUARD_DIFF_REPORT</c> names a file the run's summary is appended to. A mismatch's compare answer is saved under the temp folder, for a regression test
/// in <c>Core.Tests/Diffs</c>.
/// </para>
/// </summary>
public sealed class RealDiffPropertyTests(RealWikiFixture wiki) : IClassFixture<RealWikiFixture>
{
    private sealed record Saved(
        string Domain, string Title, long RevId, long? ParentRevId, string? OldText, string NewText,
        IReadOnlyList<EditOp> Ops, IReadOnlyList<LinePair> Pairs, bool WordChangesOnly);

    private sealed class Page(string domain, string title)
    {
        public string Domain { get; } = domain;
        public string Title { get; } = title;
        public List<(long RevId, string Text)> History { get; } = [];
    }

    [Fact]
    public async Task GetDiffAsync_RandomRealEdits_ReportsTheTrueChange()
    {
        var ct = TestContext.Current.CancellationToken;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SAFEGUARD_DIFF_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var editCount = int.TryParse(Environment.GetEnvironmentVariable("SAFEGUARD_DIFF_EDITS"), CultureInfo.InvariantCulture, out var n) ? n : 220;
        var generator = new WikitextGenerator(seed);
        var clock = Stopwatch.StartNew();

        using var host = MediaWikiTestHost.Create(new Dictionary<string, string?>
        {
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.Server.ApiUrlTemplateString,
            // The oracle checks the whole diff; cutting to a budget is tested on its own.
            ["Safeguard:MediaWiki:MaxDiffTokens"] = "100000",
        });
        var client = host.Services.GetRequiredService<MediaWikiClient>();
        var sessions = new Dictionary<string, MediaWikiApiSession>();
        foreach (var domain in new[] { RealWikiFixture.En, RealWikiFixture.De })
        {
            sessions[domain] = await MediaWikiApiSession.LoginBotAsync(wiki.Server.ApiUrl(domain), ct);
        }

        var pages = Enumerable.Range(0, 14)
            .Select(i => new Page(i % 3 == 2 ? RealWikiFixture.De : RealWikiFixture.En, string.Create(CultureInfo.InvariantCulture, $"Property {seed} page {i}")))
            .ToList();
        var saved = new List<Saved>();
        var checkedNow = new HashSet<int>();
        var problems = new List<string>();
        var nonLatestCompared = 0;
        var inlineDiffs = 0;
        var movedChangedDiffs = 0;
        try
        {
            while (saved.Count < editCount)
            {
                var page = pages[generator.Next(pages.Count)];
                List<EditOp> ops;
                List<LinePair> pairs;
                List<string> lines;
                var wordOnly = false;
                if (page.History.Count == 0)
                {
                    lines = generator.NewPage();
                    ops = [EditOp.Create];
                    pairs = [];
                }
                else if (page.History.Count >= 3 && generator.Next(10) == 0)
                {
                    // Edit an old revision, as an editor reverting to it and changing something: the parent is still the latest.
                    var old = page.History[generator.Next(page.History.Count - 1)];
                    lines = [.. old.Text.Split('\n')];
                    (ops, pairs) = generator.Mutate(lines, singleWordChangeEdit: false);
                    ops.Insert(0, EditOp.EditFromOldRevision);
                }
                else
                {
                    lines = [.. page.History[^1].Text.Split('\n')];
                    wordOnly = generator.Next(4) == 0;
                    (ops, pairs) = generator.Mutate(lines, wordOnly);
                }

                var text = string.Join('\n', lines);
                var parentText = page.History.Count == 0 ? null : page.History[^1].Text;
                if (DiffOracle.AsStored(text).Length == 0 || parentText is not null && DiffOracle.AsStored(text) == DiffOracle.AsStored(parentText))
                {
                    continue; // a null edit saves no revision
                }

                // A word change that another operation of the same edit undid is no word-change-only edit.
                var edit = await sessions[page.Domain].EditAsync(page.Title, text, $"property edit {saved.Count}: {string.Join('+', ops)}", ct);
                Assert.False(edit.NoChange, $"seed {seed}: edit {saved.Count} saved no revision");
                Assert.Equal(page.History.Count == 0 ? null : page.History[^1].RevId, edit.ParentRevId);
                page.History.Add((edit.RevId, text));
                saved.Add(new Saved(page.Domain, page.Title, edit.RevId, edit.ParentRevId, parentText, text, ops, pairs, wordOnly));

                if (generator.Next(4) == 0)
                {
                    // Some diffs are read while their revision is the latest, the rest at the end, when most are old.
                    checkedNow.Add(saved.Count - 1);
                    await CheckAsync(saved.Count - 1);
                }
            }

            for (var i = 0; i < saved.Count; i++)
            {
                if (!checkedNow.Contains(i))
                {
                    var latest = pages.First(p => p.Title == saved[i].Title).History[^1].RevId;
                    nonLatestCompared += latest != saved[i].RevId ? 1 : 0;
                    await CheckAsync(i);
                }
            }

            // The oracle models what MediaWiki does to saved text (NFC, trailing whitespace); check that model itself.
            foreach (var page in pages.Where(p => p.History.Count > 0))
            {
                var stored = await sessions[page.Domain].GetAsync(ct, ("action", "query"), ("prop", "revisions"), ("titles", page.Title),
                    ("rvprop", "content"), ("rvslots", "main"));
                var content = (string?)stored["query"]!["pages"]![0]!["revisions"]![0]!["slots"]!["main"]!["content"];
                var expected = DiffOracle.AsStored(page.History[^1].Text);
                if (expected != content)
                {
                    var at = Enumerable.Range(0, Math.Min(expected.Length, content?.Length ?? 0)).FirstOrDefault(i => expected[i] != content![i]);
                    Assert.Fail($"seed {seed}: MediaWiki stored {page.Title} otherwise than the oracle assumes, from character {at}: "
                        + $"expected \"{Escape(expected[at..Math.Min(expected.Length, at + 40)])}\", stored \"{Escape(content?[at..Math.Min(content.Length, at + 40)] ?? "null")}\"");
                }
            }
        }
        finally
        {
            foreach (var session in sessions.Values)
            {
                session.Dispose();
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {saved.Count} real edits ({saved.Count(e => e.OldText is null)} creations, {saved.Count(e => e.WordChangesOnly)} word-change-only, {saved.Count(e => e.Ops.Contains(EditOp.EditFromOldRevision))} from an old revision, {nonLatestCompared} compared when no longer the latest; {inlineDiffs} diffs with inline changes, {movedChangedDiffs} with a paragraph moved and changed) checked in {clock.Elapsed.TotalSeconds:F1} s");
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("SAFEGUARD_DIFF_REPORT") is { Length: > 0 } report)
        {
            await File.AppendAllTextAsync(report, summary + $"; {problems.Count} mismatches\n", ct);
        }
        Assert.True(problems.Count == 0, $"{summary}; {problems.Count} mismatches (replay with SAFEGUARD_DIFF_SEED={seed}):\n{string.Join("\n", problems.Take(30))}");
        foreach (var op in Enum.GetValues<EditOp>())
        {
            Assert.True(saved.Count(e => e.Ops.Contains(op)) >= 3, $"{summary}: too few edits with {op} to prove anything");
        }

        Assert.True(nonLatestCompared >= 50, summary);
        Assert.True(inlineDiffs >= 20, summary);

        async Task CheckAsync(int index)
        {
            var e = saved[index];
            var edit = new EditEvent
            {
                SchemaUri = "/mediawiki/page/change/1.2.0",
                Stream = "mediawiki.page_change.v1",
                Domain = e.Domain,
                WikiId = MediaWikiServer.WikiIdOf(e.Domain),
                RevId = e.RevId,
                ParentRevId = e.ParentRevId,
                Kind = e.ParentRevId is null ? EditKind.Create : EditKind.Edit,
                SourceKind = e.ParentRevId is null ? "create" : "edit",
                PageTitle = e.Title,
                Namespace = 0,
                EventTime = DateTimeOffset.UnixEpoch,
            };
            var result = await client.GetDiffAsync(edit, ct);
            List<string> found;
            if (result.Diff is { } diff)
            {
                found = DiffOracle.Check(e.OldText, e.NewText, diff, e.Pairs, e.WordChangesOnly);
                inlineDiffs += diff.Inserted.Count + diff.Deleted.Count > 0 ? 1 : 0;
                var oldLines = DiffOracle.Lines(e.OldText);
                movedChangedDiffs += e.OldText is not null && diff.Context.Any(l => !oldLines.Contains(l)) ? 1 : 0;
            }
            else if (result.SkipReason == SkipReason.EmptyDiff
                     && DiffOracle.Lines(e.OldText).Order(StringComparer.Ordinal).SequenceEqual(DiffOracle.Lines(e.NewText).Order(StringComparer.Ordinal)))
            {
                found = []; // only moved lines or whitespace: nothing added or removed, rightly skipped
            }
            else
            {
                found = [$"no diff: {result.SkipReason ?? result.FailureReason} ({result.Detail})"];
            }

            if (found.Count > 0)
            {
                var file = await SaveCompareAsync(e, seed, index, ct);
                problems.Add($"edit {index} ({string.Join('+', e.Ops)}, {e.Domain} rev {e.ParentRevId}→{e.RevId}; answer in {file}):\n  " + string.Join("\n  ", found));
            }
        }
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c is < ' ' or > '~' ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString()));

    private async Task<string> SaveCompareAsync(Saved e, int seed, int index, CancellationToken ct)
    {
        using var reader = new MediaWikiApiSession(wiki.Server.ApiUrl(e.Domain));
        var answer = e.ParentRevId is null
            ? await reader.GetAsync(ct, ("action", "query"), ("prop", "revisions"), ("revids", e.RevId.ToString(CultureInfo.InvariantCulture)), ("rvprop", "content"), ("rvslots", "main"))
            : await reader.GetAsync(ct, ("action", "compare"), ("fromrev", e.ParentRevId.Value.ToString(CultureInfo.InvariantCulture)),
                ("torev", e.RevId.ToString(CultureInfo.InvariantCulture)), ("prop", "diff|ids"), ("difftype", "table"));
        var folder = Path.Combine(Path.GetTempPath(), "safeguard-real-diffs");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}-edit-{index}.json"));
        var record = new System.Text.Json.Nodes.JsonObject
        {
            ["old_text"] = e.OldText,
            ["new_text"] = e.NewText,
            ["ops"] = string.Join('+', e.Ops),
            ["answer"] = answer.DeepClone(),
        };
        await File.WriteAllTextAsync(file, record.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), new UTF8Encoding(false), ct);
        return file;
    }
}
