using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// Edits made up for load and crash tests: <c>mediawiki.page_change.v1</c> events (shaped like the recorded ones in
/// tests/data) on enwiki's main namespace by ordinary users, and for each one a wiki API <c>action=compare</c> fixture
/// with its diff. Every fourth edit adds a link with promotional wording, so the simulator flags some. Revision times
/// step an hour apart, so 2,000 edits span three monthly partitions.
/// </summary>
internal sealed class GeneratedEdits
{
    private static readonly DateTimeOffset s_firstRevision = new(2026, 10, 20, 0, 0, 0, TimeSpan.Zero);

    private GeneratedEdits(long firstRevId, int count)
    {
        FirstRevId = firstRevId;
        Count = count;
    }

    public long FirstRevId { get; }
    public int Count { get; }

    public IEnumerable<long> RevIds => Enumerable.Range(0, Count).Select(i => FirstRevId + (2L * i));

    /// <summary>The Kafka meta.id (and Postgres event_id) each edit's verdict under <paramref name="policyId"/> must have.</summary>
    public IReadOnlySet<string> ExpectedEventIds(string policyId, int policyVersion) =>
        RevIds.Select(rev => EventIdentity.ForVerdict("enwiki", rev, policyId, policyVersion).ToString()).ToHashSet(StringComparer.Ordinal);

    /// <summary>Writes the events file and returns the edits; <paramref name="addFixture"/> receives one fixture line per edit.</summary>
    public static GeneratedEdits Write(string eventsFile, long firstRevId, int count, Action<string> addFixture)
    {
        ArgumentNullException.ThrowIfNull(addFixture);
        var edits = new GeneratedEdits(firstRevId, count);
        using var writer = new StreamWriter(eventsFile);
        var i = 0;
        foreach (var rev in edits.RevIds)
        {
            var pageId = 70_000_000 + i;
            var title = $"Generated_page_{i}";
            var time = s_firstRevision.AddHours(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var performer = new JsonObject
            {
                ["user_text"] = $"Editor{i % 37}",
                ["user_id"] = 1000 + (i % 37),
                ["groups"] = new JsonArray("*", "user"),
                ["is_bot"] = false,
                ["is_system"] = false,
                ["is_temp"] = false,
                ["edit_count"] = 12,
            };
            var page = new JsonObject { ["page_id"] = pageId, ["page_title"] = title, ["namespace_id"] = 0, ["is_redirect"] = false };
            var evt = new JsonObject
            {
                ["$schema"] = "/mediawiki/page/change/1.3.0",
                ["meta"] = new JsonObject
                {
                    ["stream"] = "mediawiki.page_change.v1",
                    ["id"] = EventIdentity.NameBased("generated\n" + rev.ToString(CultureInfo.InvariantCulture)).ToString(),
                    ["dt"] = time,
                    ["domain"] = "en.wikipedia.org",
                    ["uri"] = "https://en.wikipedia.org/wiki/" + title,
                    ["request_id"] = EventIdentity.NameBased("request\n" + rev.ToString(CultureInfo.InvariantCulture)).ToString(),
                },
                ["dt"] = time,
                ["wiki_id"] = "enwiki",
                ["changelog_kind"] = "update",
                ["page_change_kind"] = "edit",
                ["page"] = page,
                ["performer"] = performer,
                ["revision"] = new JsonObject
                {
                    ["rev_id"] = rev,
                    ["rev_parent_id"] = rev - 1,
                    ["rev_dt"] = time,
                    ["rev_size"] = 2000 + i,
                    ["comment"] = "update",
                    ["is_minor_edit"] = false,
                    ["is_comment_visible"] = true,
                    ["is_content_visible"] = true,
                    ["is_editor_visible"] = true,
                    ["editor"] = performer.DeepClone(),
                },
            };
            writer.WriteLine(evt.ToJsonString());

            var added = i % 4 == 0
                ? $"Best prices guaranteed, call now and buy at https://cheap-deals-{i}.example.com/shop today!"
                : $"The building was renovated in {1900 + (i % 120)} and reopened the next year.";
            var diff = "<tr>\n  <td colspan=\"2\" class=\"diff-lineno\">Line 3:</td>\n  <td colspan=\"2\" class=\"diff-lineno\">Line 3:</td>\n</tr>\n" +
                       "<tr>\n  <td colspan=\"2\" class=\"diff-empty diff-side-deleted\"></td>\n  <td class=\"diff-marker\" data-marker=\"+\"></td>\n" +
                       $"  <td class=\"diff-addedline diff-side-added\"><div>{System.Net.WebUtility.HtmlEncode(added)}</div></td>\n</tr>\n";
            var fixture = new JsonObject
            {
                ["domain"] = "en.wikipedia.org",
                ["action"] = "compare",
                ["fromrev"] = rev - 1,
                ["torev"] = rev,
                ["status"] = 200,
                ["body"] = new JsonObject
                {
                    ["compare"] = new JsonObject
                    {
                        ["fromid"] = pageId,
                        ["fromrevid"] = rev - 1,
                        ["fromns"] = 0,
                        ["fromtitle"] = title.Replace('_', ' '),
                        ["toid"] = pageId,
                        ["torevid"] = rev,
                        ["tons"] = 0,
                        ["totitle"] = title.Replace('_', ' '),
                        ["body"] = diff,
                    },
                },
            };
            addFixture(fixture.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            i++;
        }

        return edits;
    }
}
