using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>
/// Generates many events in the real <c>mediawiki/page/change/1.3.0</c> shape, with a wiki API fixture for each
/// in-scope edit, and says which events the worker must classify. Every 20th event is on a talk page, every 25th by a
/// bot and every 50th a canary: those must be skipped. Every 7th in-scope edit adds a casino link, so the simulator
/// flags some. Rev ids start at <c>firstRevId</c>, so tests sharing one fixture server do not collide.
/// </summary>
internal sealed class SyntheticEdits
{
    private SyntheticEdits(List<string> events, List<string> fixtures, HashSet<(string Wiki, long RevId)> inScope)
    {
        Events = events;
        Fixtures = fixtures;
        InScope = inScope;
    }

    public IReadOnlyList<string> Events { get; }

    public IReadOnlyList<string> Fixtures { get; }

    public IReadOnlySet<(string Wiki, long RevId)> InScope { get; }

    public static SyntheticEdits Create(int count, long firstRevId, string? marker = null)
    {
        var start = new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
        var events = new List<string>(count);
        var fixtures = new List<string>(count);
        var inScope = new HashSet<(string, long)>();
        for (var i = 0; i < count; i++)
        {
            var revId = firstRevId + i;
            var canary = i % 50 == 2;
            var talk = i % 20 == 0;
            var bot = i % 25 == 1;
            var dt = start.AddMilliseconds(i * 250).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var title = "Synthetic_page_" + (i % 97).ToString(CultureInfo.InvariantCulture);
            var groups = bot ? new JsonArray("bot", "*", "user") : new JsonArray("*", "user", "autoconfirmed");
            var performer = new JsonObject
            {
                ["user_text"] = bot ? "SyntheticBot" : "Editor" + (i % 13).ToString(CultureInfo.InvariantCulture),
                ["user_id"] = 1000 + (i % 13),
                ["is_bot"] = bot,
                ["is_temp"] = false,
                ["is_system"] = false,
                ["edit_count"] = 10 + i % 100,
                ["groups"] = groups,
            };
            var payload = new JsonObject
            {
                ["$schema"] = "/mediawiki/page/change/1.3.0",
                ["changelog_kind"] = "update",
                ["page_change_kind"] = "edit",
                ["dt"] = dt,
                ["wiki_id"] = "enwiki",
                ["meta"] = new JsonObject
                {
                    ["domain"] = canary ? "canary" : "en.wikipedia.org",
                    ["dt"] = dt,
                    ["stream"] = "mediawiki.page_change.v1",
                    ["uri"] = "https://en.wikipedia.org/wiki/" + title,
                    ["id"] = Guid.NewGuid().ToString(),
                    ["request_id"] = Guid.NewGuid().ToString(),
                },
                ["page"] = new JsonObject
                {
                    ["page_id"] = 10_000 + (i % 97),
                    ["page_title"] = talk ? "Talk:" + title : title,
                    ["namespace_id"] = talk ? 1 : 0,
                    ["is_redirect"] = false,
                },
                ["performer"] = performer,
                ["revision"] = new JsonObject
                {
                    ["rev_id"] = revId,
                    ["rev_parent_id"] = revId - 1_000_000,
                    ["rev_dt"] = dt,
                    ["comment"] = "synthetic edit " + i.ToString(CultureInfo.InvariantCulture) + (marker is null ? "" : " " + marker),
                    ["is_minor_edit"] = false,
                    ["rev_size"] = 2000 + i % 300,
                },
            };
            events.Add(payload.ToJsonString());
            if (canary || talk || bot)
            {
                continue;
            }

            inScope.Add(("enwiki", revId));
            var added = i % 7 == 0
                ? "Play now at https://lucky-casino.example.com for the best bonus!"
                : "The station opened in " + (1900 + i % 120).ToString(CultureInfo.InvariantCulture) + " and serves the line.";
            if (marker is not null)
            {
                added += " " + marker;
            }
            var html = "<tr>\n  <td class=\"diff-marker\" data-marker=\"+\"></td>\n  <td class=\"diff-addedline diff-side-added\"><div>" +
                       WebUtility.HtmlEncode(added) + "</div></td>\n</tr>\n";
            var fixture = new JsonObject
            {
                ["domain"] = "en.wikipedia.org",
                ["action"] = "compare",
                ["fromrev"] = revId - 1_000_000,
                ["torev"] = revId,
                ["status"] = 200,
                ["body"] = new JsonObject
                {
                    ["compare"] = new JsonObject
                    {
                        ["fromid"] = 10_000 + (i % 97),
                        ["fromrevid"] = revId - 1_000_000,
                        ["toid"] = 10_000 + (i % 97),
                        ["torevid"] = revId,
                        ["body"] = html,
                    },
                },
            };
            fixtures.Add(fixture.ToJsonString());
        }

        return new SyntheticEdits(events, fixtures, inScope);
    }

    public async Task<string> WriteEventsAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("synthetic").FullName, "events.jsonl");
        await File.WriteAllLinesAsync(path, Events, cancellationToken);
        return path;
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
