using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.MediaWiki.Tagging;

/// <summary>What <see cref="WikiTagAdmin"/> did, or would do, for one tag.</summary>
public sealed record TagSetupStep(TagDefinition Tag, string Action, string? Detail = null);

/// <summary>
/// The result of <see cref="WikiTagAdmin.EnsureTagsAsync"/>: a step per tag; <see cref="ManualSteps"/> when the account
/// may not do it itself; <see cref="Error"/> when nothing could be done (sign-in failed, wiki unreachable).
/// </summary>
public sealed record TagSetupReport(string Domain, bool DryRun, string? Account, IReadOnlyList<TagSetupStep> Steps, string? ManualSteps, string? Error)
{
    public bool Succeeded => Error is null && ManualSteps is null && Steps.All(s => s.Action is not TagSetupAction.Failed);
}

/// <summary>The <see cref="TagSetupStep.Action"/> values.</summary>
public static class TagSetupAction
{
    public const string Created = "created";
    public const string Activated = "activated";
    public const string Exists = "exists";
    public const string WouldCreate = "would create";
    public const string WouldActivate = "would activate";
    public const string Manual = "manual";
    public const string Failed = "failed";
}

/// <summary>
/// <c>safeguard tags create</c>: defines and activates each public policy's change tag on a wiki
/// (<c>action=managetags operation=create|activate</c>) and writes its description
/// (<c>MediaWiki:Tag-{name}-description</c>, <c>action=edit</c>). Managing tags needs <c>managechangetags</c> and the
/// description <c>editinterface</c>, rights of administrators that no BotPassword or OAuth grant carries: when the
/// signed-in account lacks them, the report holds the exact steps for a wiki administrator instead.
/// </summary>
public sealed class WikiTagAdmin
{
    internal const string ManageRight = "managechangetags";
    internal const string InterfaceRight = "editinterface";

    private readonly WikiBotConnection _connection;
    private readonly WikiTagClientOptions _options;
    private readonly MediaWikiOptions _wiki;

    internal WikiTagAdmin(WikiBotConnection connection, IOptions<WikiTagClientOptions> options, IOptions<MediaWikiOptions> wiki)
    {
        _connection = connection;
        _options = options.Value;
        _wiki = wiki.Value;
    }

    public async Task<TagSetupReport> EnsureTagsAsync(string domain, IEnumerable<Policy> policies, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var tags = TagDefinition.ForPolicies(policies, _options.PolicyUrl);
        if (!_connection.Allowlist.IsAllowed(domain))
        {
            return new TagSetupReport(domain, dryRun, null, [], null, $"{domain} is not in Safeguard:MediaWiki:AllowedDomains");
        }

        // Administrators' actions: assert=user (an admin's own account is usually not a bot).
        var me = await _connection.ReadAsync(domain, "user", [("action", "query"), ("meta", "userinfo"), ("uiprop", "rights")], cancellationToken);
        if (!me.Ok)
        {
            return new TagSetupReport(domain, dryRun, _options.BotUsername, [], null, Describe("meta=userinfo", me));
        }

        var user = me.Root.GetProperty("query").GetProperty("userinfo");
        var account = WikiBotConnection.Text(user, "name") ?? "?";
        var rights = user.TryGetProperty("rights", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet(StringComparer.Ordinal)
            : [];
        var existing = await ListTagsAsync(domain, cancellationToken);
        if (existing.Error is { } listError)
        {
            return new TagSetupReport(domain, dryRun, account, [], null, listError);
        }

        var steps = new List<TagSetupStep>();
        var manual = new List<(TagDefinition Tag, string What)>();
        foreach (var tag in tags)
        {
            var state = existing.Tags.GetValueOrDefault(tag.Name);
            if (state is { Manual: false, Defined: true })
            {
                steps.Add(new TagSetupStep(tag, TagSetupAction.Failed, $"{tag.Name} is defined by the software or an extension on {domain}; choose another 'tag:' for policy {tag.PolicyId}"));
                continue;
            }

            var needs = state is null || !state.Defined ? "create" : state.Active ? null : "activate";
            if (dryRun || !rights.Contains(ManageRight) || !rights.Contains(InterfaceRight))
            {
                steps.Add(new TagSetupStep(tag, needs switch
                {
                    _ when !dryRun => TagSetupAction.Manual,
                    "create" => TagSetupAction.WouldCreate,
                    "activate" => TagSetupAction.WouldActivate,
                    _ => TagSetupAction.Exists,
                }, $"description: {tag.Description}"));
                manual.Add((tag, needs ?? "describe"));
                continue;
            }

            steps.Add(await ApplyAsync(domain, tag, needs, cancellationToken));
        }

        var lacking = new[] { ManageRight, InterfaceRight }.Where(x => !rights.Contains(x)).ToList();
        var manualSteps = lacking.Count > 0 && manual.Count > 0 ? ManualSteps(domain, account, lacking, manual) : null;
        return new TagSetupReport(domain, dryRun, account, steps, manualSteps, null);
    }

    private async Task<TagSetupStep> ApplyAsync(string domain, TagDefinition tag, string? needs, CancellationToken ct)
    {
        var reason = $"Safeguard.Stream: change tag of policy {tag.PolicyId}";
        var action = TagSetupAction.Exists;
        if (needs is not null)
        {
            var answer = await _connection.WriteAsync(domain, "user",
                [("action", "managetags"), ("operation", needs), ("tag", tag.Name), ("reason", reason), ("ignorewarnings", "1")], ct);
            if (!answer.Ok && answer.ErrorCode != "tags-create-already-exists")
            {
                return new TagSetupStep(tag, TagSetupAction.Failed, Describe($"managetags {needs}", answer));
            }

            action = answer.Ok ? (needs == "create" ? TagSetupAction.Created : TagSetupAction.Activated) : TagSetupAction.Exists;
        }

        var edit = await _connection.WriteAsync(domain, "user",
            [("action", "edit"), ("title", tag.DescriptionPage), ("text", tag.Description), ("summary", reason)], ct);
        return edit.Ok
            ? new TagSetupStep(tag, action, $"description: {tag.Description}")
            : new TagSetupStep(tag, TagSetupAction.Failed, $"{action}; the description was not saved: {Describe("edit " + tag.DescriptionPage, edit)}");
    }

    private sealed record TagState(bool Defined, bool Active, bool Manual);

    /// <summary><c>list=tags</c>, every page of it.</summary>
    private async Task<(Dictionary<string, TagState> Tags, string? Error)> ListTagsAsync(string domain, CancellationToken ct)
    {
        var tags = new Dictionary<string, TagState>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            List<(string, string)> query = [("action", "query"), ("list", "tags"), ("tgprop", "defined|active|source"), ("tglimit", "max")];
            if (next is not null)
            {
                query.Add(("tgcontinue", next));
            }

            var answer = await _connection.ReadAsync(domain, "user", query, ct);
            if (!answer.Ok)
            {
                return (tags, Describe("list=tags", answer));
            }

            if (answer.Root.TryGetProperty("query", out var q) && q.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var tag in list.EnumerateArray())
                {
                    var name = WikiBotConnection.Text(tag, "name");
                    if (name is not null)
                    {
                        var sources = tag.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().Select(x => x.GetString()).ToList() : [];
                        tags[name] = new TagState(True(tag, "defined"), True(tag, "active"), sources.Contains("manual") || sources.Count == 0);
                    }
                }
            }

            next = WikiBotConnection.Text(answer.Root, "continue", "tgcontinue");
        }
        while (next is not null);
        return (tags, null);
    }

    private static bool True(JsonElement element, string name) => element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private string ManualSteps(string domain, string account, List<string> lacking, List<(TagDefinition Tag, string What)> tags)
    {
        var index = _wiki.ApiUrlTemplate.Replace("{domain}", domain, StringComparison.Ordinal).Replace("api.php", "index.php", StringComparison.Ordinal);
        var text = new StringBuilder();
        text.AppendLine($"The account {account} lacks {string.Join(" and ", lacking.Select(x => $"'{x}'"))} on {domain}; no BotPassword or OAuth grant carries them.");
        text.AppendLine("A wiki administrator must do this once:");
        text.AppendLine($"  1. Open {index}?title=Special:Tags and, under \"Create a new tag\", create each tag marked 'create' below");
        text.AppendLine("     (reason: Safeguard.Stream policy tags); for a tag marked 'activate', press its \"activate\" link in the list.");
        text.AppendLine($"  2. Edit each description page below ({index}?title=PAGE&action=edit) and save the text shown.");
        foreach (var (tag, what) in tags)
        {
            text.AppendLine($"  - {tag.Name} ({what})");
            text.AppendLine($"      description page: {tag.DescriptionPage}");
            text.AppendLine($"      text: {tag.Description}");
        }

        return text.ToString().TrimEnd();
    }

    private static string Describe(string what, ApiAnswer answer) =>
        answer.Failure is not null ? $"{what}: {answer.Failure} ({answer.ErrorInfo})" : $"{what}: {answer.ErrorCode}: {answer.ErrorInfo}";
}
