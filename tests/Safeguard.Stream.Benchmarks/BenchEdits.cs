using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// Synthetic in-scope edits for the pipeline benchmarks: enwiki article edits by ordinary users, in the real
/// <c>mediawiki/page/change/1.3.0</c> shape, each with a <c>compare</c> fixture for the wiki API fixture server. The added
/// text is two to five sentences drawn from a fixed bank (a few with links, so some edits are flagged), which puts a
/// typical edit at ~60–150 prompt tokens after the policy. <see cref="Event"/> stamps the event time when it is emitted.
/// </summary>
internal sealed class BenchEdits
{
    private static readonly string[] Sentences =
    [
        "The station opened in 1912 and serves the regional line to the coast.",
        "Its population was 4,210 at the 2020 census, up from 3,877 a decade earlier.",
        "The bridge was rebuilt after the flood of 1953 with a wider steel deck.",
        "She studied chemistry at the University of Leeds before joining the survey.",
        "The album reached number twelve on the national chart in its second week.",
        "Play now at https://lucky-casino.example.com for the best bonus of the year!",
        "The church has a Norman tower and a fifteenth-century rood screen.",
        "Critics praised the film's photography but found the second half slow.",
        "Buy cheap followers at https://growth-hacks.example.net today, instant delivery.",
        "The river rises in the hills north of the town and joins the estuary near the port.",
        "In 1998 the club moved to a new ground on the edge of the industrial estate.",
        "The species feeds mainly on insects and nests in holes in old trees.",
    ];

    private readonly long _firstRevId;

    public BenchEdits(int count, long firstRevId)
    {
        Count = count;
        _firstRevId = firstRevId;
    }

    public int Count { get; }

    public long RevId(int index) => _firstRevId + index;

    /// <summary>The wiki API fixture line for edit <paramref name="index"/>.</summary>
    public string Fixture(int index)
    {
        var revId = RevId(index);
        var sentences = 2 + (index % 4);
        var added = string.Join(' ', Enumerable.Range(0, sentences).Select(k => Sentences[((index * 7) + (k * 5)) % Sentences.Length]));
        var removed = Sentences[(index * 3) % Sentences.Length];
        var html =
            "<tr>\n  <td class=\"diff-marker\" data-marker=\"−\"></td>\n  <td class=\"diff-deletedline diff-side-deleted\"><div>" +
            WebUtility.HtmlEncode(removed) + "</div></td>\n" +
            "  <td class=\"diff-marker\" data-marker=\"+\"></td>\n  <td class=\"diff-addedline diff-side-added\"><div>" +
            WebUtility.HtmlEncode(added) + "</div></td>\n</tr>\n";
        return new JsonObject
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
                    ["fromid"] = 20_000 + (index % 211),
                    ["fromrevid"] = revId - 1_000_000,
                    ["toid"] = 20_000 + (index % 211),
                    ["torevid"] = revId,
                    ["body"] = html,
                },
            },
        }.ToJsonString();
    }

    /// <summary>The page_change event for edit <paramref name="index"/>, with <paramref name="time"/> as its event time.</summary>
    public string Event(int index, DateTimeOffset time)
    {
        var revId = RevId(index);
        var dt = time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var title = "Bench_page_" + (index % 211).ToString(CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["$schema"] = "/mediawiki/page/change/1.3.0",
            ["changelog_kind"] = "update",
            ["page_change_kind"] = "edit",
            ["dt"] = dt,
            ["wiki_id"] = "enwiki",
            ["meta"] = new JsonObject
            {
                ["domain"] = "en.wikipedia.org",
                ["dt"] = dt,
                ["stream"] = "mediawiki.page_change.v1",
                ["uri"] = "https://en.wikipedia.org/wiki/" + title,
                ["id"] = Guid.NewGuid().ToString(),
                ["request_id"] = Guid.NewGuid().ToString(),
            },
            ["page"] = new JsonObject
            {
                ["page_id"] = 20_000 + (index % 211),
                ["page_title"] = title,
                ["namespace_id"] = 0,
                ["is_redirect"] = false,
            },
            ["performer"] = new JsonObject
            {
                ["user_text"] = "Editor" + (index % 17).ToString(CultureInfo.InvariantCulture),
                ["user_id"] = 5000 + (index % 17),
                ["is_bot"] = false,
                ["is_temp"] = false,
                ["is_system"] = false,
                ["edit_count"] = 10 + (index % 100),
                ["groups"] = new JsonArray("*", "user", "autoconfirmed"),
            },
            ["revision"] = new JsonObject
            {
                ["rev_id"] = revId,
                ["rev_parent_id"] = revId - 1_000_000,
                ["rev_dt"] = dt,
                ["comment"] = "bench edit " + index.ToString(CultureInfo.InvariantCulture),
                ["is_minor_edit"] = false,
                ["rev_size"] = 3000 + (index % 500),
            },
        }.ToJsonString();
    }
}
