using System.Net;
using System.Text.Json.Nodes;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// Made-up enwiki edits in the real <c>mediawiki/page/change/1.3.0</c> shape, and their wiki API <c>compare</c>
/// fixtures for <see cref="WikiApiFixtureServer"/>: the one shape that the integration tests' <c>SyntheticEdits</c> and
/// the benchmarks' <c>BenchEdits</c> vary (which edits are skipped, what text they add). The parent revision is
/// <c>rev_id - 1,000,000</c>.
/// </summary>
public static class SyntheticPageChange
{
    public const long ParentOffset = 1_000_000;

    public static JsonObject Performer(string userText, long userId, bool isBot, long editCount, JsonArray groups) => new()
    {
        ["user_text"] = userText,
        ["user_id"] = userId,
        ["is_bot"] = isBot,
        ["is_temp"] = false,
        ["is_system"] = false,
        ["edit_count"] = editCount,
        ["groups"] = groups,
    };

    /// <summary>One event; <paramref name="title"/> is the page title with its namespace prefix, <paramref name="uriTitle"/>
    /// what <c>meta.uri</c> names, <paramref name="domain"/> the meta domain (<c>canary</c> for a canary).</summary>
    public static string Event(
        long revId, string dt, string domain, string title, string uriTitle, long pageId, int ns, JsonObject performer, string comment, long revSize) =>
        new JsonObject
        {
            ["$schema"] = "/mediawiki/page/change/1.3.0",
            ["changelog_kind"] = "update",
            ["page_change_kind"] = "edit",
            ["dt"] = dt,
            ["wiki_id"] = "enwiki",
            ["meta"] = new JsonObject
            {
                ["domain"] = domain,
                ["dt"] = dt,
                ["stream"] = "mediawiki.page_change.v1",
                ["uri"] = "https://en.wikipedia.org/wiki/" + uriTitle,
                ["id"] = Guid.NewGuid().ToString(),
                ["request_id"] = Guid.NewGuid().ToString(),
            },
            ["page"] = new JsonObject
            {
                ["page_id"] = pageId,
                ["page_title"] = title,
                ["namespace_id"] = ns,
                ["is_redirect"] = false,
            },
            ["performer"] = performer,
            ["revision"] = new JsonObject
            {
                ["rev_id"] = revId,
                ["rev_parent_id"] = revId - ParentOffset,
                ["rev_dt"] = dt,
                ["comment"] = comment,
                ["is_minor_edit"] = false,
                ["rev_size"] = revSize,
            },
        }.ToJsonString();

    /// <summary>The <c>action=compare</c> fixture line whose diff is <paramref name="rowsHtml"/> (see <see cref="AddedRow"/>).</summary>
    public static string CompareFixture(long revId, long pageId, string rowsHtml) => new JsonObject
    {
        ["domain"] = "en.wikipedia.org",
        ["action"] = "compare",
        ["fromrev"] = revId - ParentOffset,
        ["torev"] = revId,
        ["status"] = 200,
        ["body"] = new JsonObject
        {
            ["compare"] = new JsonObject
            {
                ["fromid"] = pageId,
                ["fromrevid"] = revId - ParentOffset,
                ["toid"] = pageId,
                ["torevid"] = revId,
                ["body"] = rowsHtml,
            },
        },
    }.ToJsonString();

    /// <summary>A wikidiff2 table row adding <paramref name="added"/>.</summary>
    public static string AddedRow(string added) =>
        "<tr>\n  <td class=\"diff-marker\" data-marker=\"+\"></td>\n  <td class=\"diff-addedline diff-side-added\"><div>" +
        WebUtility.HtmlEncode(added) + "</div></td>\n</tr>\n";

    /// <summary>A wikidiff2 table row replacing <paramref name="removed"/> with <paramref name="added"/>.</summary>
    public static string ChangedRow(string removed, string added) =>
        "<tr>\n  <td class=\"diff-marker\" data-marker=\"−\"></td>\n  <td class=\"diff-deletedline diff-side-deleted\"><div>" +
        WebUtility.HtmlEncode(removed) + "</div></td>\n" +
        "  <td class=\"diff-marker\" data-marker=\"+\"></td>\n  <td class=\"diff-addedline diff-side-added\"><div>" +
        WebUtility.HtmlEncode(added) + "</div></td>\n</tr>\n";
}
