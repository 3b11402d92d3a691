using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.MediaWiki.Tagging;

/// <summary>
/// Puts one change tag on one revision as the configured bot: first <c>prop=revisions</c> as the bot sees it (a
/// revision whose text is hidden, or anything of which is suppressed, is never tagged, though MediaWiki would allow it;
/// one the wiki does not know is gone), then <c>action=tag&amp;revid&amp;add&amp;reason</c>. Every answer maps to one
/// <see cref="TagOutcome"/> (see <see cref="TagOutcomeCode"/>); only cancellation throws. Signing in, tokens, retries
/// and rate limits are <see cref="WikiBotConnection"/>'s.
/// </summary>
internal sealed partial class WikiTagClient(
    WikiBotConnection connection,
    IOptions<WikiTagClientOptions> options,
    WikiBotSessions sessions,
    ILogger<WikiTagClient> logger) : IWikiTagger
{
    /// <summary>What <c>action=tag</c> checks (ApiTag: <c>checkUserRightsAny('changetags')</c>); group <c>user</c> has it by default.</summary>
    internal const string TagRight = "changetags";

    /// <summary>What <c>assert=bot</c> checks.</summary>
    internal const string BotRight = "bot";

    private readonly string _assert = options.Value.Assert;

    public async Task<TagOutcome> TagAsync(TagRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!connection.Allowlist.IsAllowed(request.Domain))
        {
            return Done(request, new TagOutcome(TagOutcomeKind.Failed, TagOutcomeCode.DomainNotAllowed,
                $"{request.Domain} is not in Safeguard:MediaWiki:AllowedDomains; nothing was sent"));
        }

        var revId = request.RevId.ToString(CultureInfo.InvariantCulture);
        var check = await connection.ReadAsync(request.Domain, _assert,
            [("action", "query"), ("prop", "revisions"), ("revids", revId), ("rvprop", "ids|flags|sha1")], cancellationToken);
        var gone = check.Ok ? RevisionState(check.Root, request.RevId) : await FromErrorAsync(request, check, cancellationToken);
        if (gone is not null)
        {
            return Done(request, gone);
        }

        var answer = await connection.WriteAsync(request.Domain, _assert,
            [("action", "tag"), ("revid", revId), ("add", request.Tag), ("reason", request.Reason)], cancellationToken);
        return Done(request, answer.Ok ? FromTagAnswer(answer.Root, request) : await FromErrorAsync(request, answer, cancellationToken));
    }

    /// <summary>Null when the revision may be tagged; else why not (hidden, suppressed, unknown).</summary>
    internal static TagOutcome? RevisionState(JsonElement root, long revId)
    {
        if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.Object)
        {
            return new TagOutcome(TagOutcomeKind.Failed, TagOutcomeCode.BadResponse, "prop=revisions: response without 'query'");
        }

        if (query.TryGetProperty("badrevids", out _))
        {
            return new TagOutcome(TagOutcomeKind.RevisionGone, TagOutcomeCode.NoSuchRevision, "prop=revisions: the wiki has no such revision (or its page was deleted)");
        }

        var revision = query.TryGetProperty("pages", out var pages) && pages.ValueKind == JsonValueKind.Array
            ? pages.EnumerateArray()
                .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("revisions", out var r) && r.ValueKind == JsonValueKind.Array)
                .SelectMany(p => p.GetProperty("revisions").EnumerateArray())
                .FirstOrDefault(r => r.TryGetProperty("revid", out var id) && id.TryGetInt64(out var value) && value == revId)
            : default;
        if (revision.ValueKind != JsonValueKind.Object)
        {
            return new TagOutcome(TagOutcomeKind.RevisionGone, TagOutcomeCode.NoSuchRevision, "prop=revisions: the revision is not listed");
        }

        // 'suppressed' is set when anything of the revision is oversighted: a public tag would point at it.
        if (Flag(revision, "suppressed"))
        {
            return new TagOutcome(TagOutcomeKind.RevisionGone, TagOutcomeCode.RevisionSuppressed, "prop=revisions: the revision is suppressed; never tagged");
        }

        return Flag(revision, "sha1hidden") || Flag(revision, "texthidden")
            ? new TagOutcome(TagOutcomeKind.RevisionGone, TagOutcomeCode.RevisionHidden, "prop=revisions: the revision's text is hidden; not tagged")
            : null;
    }

    /// <summary>Reads <c>{"tag":[{"revid":…,"status":"success","added":[…]|"noop":true}|{"status":"error","code":…}]}</c>.</summary>
    internal static TagOutcome FromTagAnswer(JsonElement root, TagRequest request)
    {
        var item = root.TryGetProperty("tag", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().FirstOrDefault(i => i.ValueKind == JsonValueKind.Object)
            : default;
        if (item.ValueKind != JsonValueKind.Object)
        {
            return new TagOutcome(TagOutcomeKind.Failed, TagOutcomeCode.BadResponse, "action=tag: response without a 'tag' item");
        }

        var status = WikiBotConnection.Text(item, "status");
        if (status == "success")
        {
            if (Flag(item, "noop"))
            {
                return new TagOutcome(TagOutcomeKind.AlreadyTagged, TagOutcomeCode.Noop, "action=tag: noop (the revision already carries the tag)");
            }

            var added = item.TryGetProperty("added", out var list) && list.ValueKind == JsonValueKind.Array &&
                        list.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == request.Tag);
            return added
                ? new TagOutcome(TagOutcomeKind.Applied, TagOutcomeCode.Applied, "action=tag: added")
                : new TagOutcome(TagOutcomeKind.Failed, TagOutcomeCode.BadResponse, "action=tag: success without the tag in 'added' and without noop");
        }

        var code = WikiBotConnection.Text(item, "code") ?? "unknown";
        var info = WikiBotConnection.Text(item, "info") ?? "";
        return code == TagOutcomeCode.NoSuchRevision
            ? new TagOutcome(TagOutcomeKind.RevisionGone, code, "action=tag: " + info)
            : new TagOutcome(TagOutcomeKind.Failed, code, $"action=tag: {code}: {info}");
    }

    private async Task<TagOutcome> FromErrorAsync(TagRequest request, ApiAnswer answer, CancellationToken ct)
    {
        if (answer.Failure is { } failure)
        {
            return failure is TagOutcomeCode.HttpError or TagOutcomeCode.BadResponse
                ? new TagOutcome(TagOutcomeKind.Failed, failure, answer.ErrorInfo)
                : new TagOutcome(TagOutcomeKind.Retryable, failure, answer.ErrorInfo);
        }

        var code = answer.ErrorCode!;
        var info = answer.ErrorInfo ?? "";
        switch (code)
        {
            case TagOutcomeCode.BadTags:
                var tags = answer.Root.TryGetProperty("error", out var error) && error.TryGetProperty("disallowedtags", out var d) && d.ValueKind == JsonValueKind.Array
                    ? string.Join(", ", d.EnumerateArray().Select(t => t.ToString()))
                    : request.Tag;
                return new TagOutcome(TagOutcomeKind.TagUndefined, code,
                    $"the tag {tags} is not defined or not active on {request.Domain} ({info}); create it with `safeguard tags create --wiki {request.Domain}`");
            case TagOutcomeCode.PermissionDenied:
                return Denied(request, code, await MissingPermissionAsync(request.Domain, TagRight, "editpage (Edit existing pages)",
                    "group 'user' has it by default; this wiki revokes or restricts it", info, ct));
            case TagOutcomeCode.LoginFailed:
                return Denied(request, code, info);
            case "assertbotfailed":
                // Signed in, yet not a bot: the account lacks the bot group, or its BotPassword the grant that carries 'bot'.
                return Denied(request, TagOutcomeCode.AssertFailed,
                    await MissingPermissionAsync(request.Domain, BotRight, "highvolume (High-volume (bot) access)",
                        "ask a bureaucrat for the bot group", info, ct) +
                    " (or set Safeguard:Tagging:Assert to 'user' for an account outside the bot group)");
            case "assertuserfailed" or "notloggedin" or "mwoauth-invalid-authorization" or "mwoauth-invalid-authorization-invalid-user":
                return Denied(request, TagOutcomeCode.AssertFailed, $"{code}: {info} (the account is not signed in: check the Safeguard:Tagging credentials)");
            case TagOutcomeCode.BadToken:
                return Denied(request, code, $"{info} (refused again after a fresh token)");
            case TagOutcomeCode.NoSuchRevision:
                return new TagOutcome(TagOutcomeKind.RevisionGone, code, info);
            case "maxlag" or "ratelimited" or "readonly" or "actionthrottledtext" or "internal_api_error_DBQueryError" or "internal_api_error_DBConnectionError":
                return new TagOutcome(TagOutcomeKind.Retryable, code, $"{code}: {info}");
            default:
                return new TagOutcome(TagOutcomeKind.Failed, code, $"{code}: {info}");
        }
    }

    private TagOutcome Denied(TagRequest request, string code, string detail)
    {
        sessions.For(request.Domain.ToLowerInvariant()).Problem = detail;
        return new TagOutcome(TagOutcomeKind.PermissionDenied, code, detail);
    }

    /// <summary>
    /// Names what is missing after <c>permissiondenied</c>: the session's rights (<c>meta=userinfo</c>, limited by the
    /// BotPassword's or OAuth consumer's grants) against the account's own (<c>list=users</c> asked anonymously: by group). The right is
    /// in the account's but not the session's: a grant is missing; in neither: the right is.
    /// </summary>
    internal async Task<string> MissingPermissionAsync(string domain, string right, string grant, string whoHasIt, string info, CancellationToken ct)
    {
        var me = await connection.ReadAsync(domain, "user", [("action", "query"), ("meta", "userinfo"), ("uiprop", "rights")], ct);
        var name = me.Ok ? WikiBotConnection.Text(me.Root, "query", "userinfo", "name") : null;
        if (name is null)
        {
            return $"{info} The account needs the right '{right}'.";
        }

        if (HasRight(me.Root.GetProperty("query").GetProperty("userinfo"), right))
        {
            return $"{info} ({name} holds '{right}'; the wiki refused for another reason)";
        }

        // Asked as nobody: asked by the account itself, the wiki answers with the session's grant-limited rights.
        var account = await connection.ReadAnonymouslyAsync(domain, [("action", "query"), ("list", "users"), ("ususers", name), ("usprop", "rights")], ct);
        var user = account.Ok && account.Root.TryGetProperty("query", out var q) && q.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array
            ? users.EnumerateArray().FirstOrDefault()
            : default;
        return user.ValueKind == JsonValueKind.Object && HasRight(user, right)
            ? $"{info} {name} has the right '{right}', but its BotPassword (or OAuth consumer) lacks a grant that carries it: add the grant {grant} at Special:BotPasswords."
            : $"{info} {name} lacks the right '{right}' on {domain} ({whoHasIt}).";
    }

    private static bool HasRight(JsonElement holder, string right) =>
        holder.TryGetProperty("rights", out var rights) && rights.ValueKind == JsonValueKind.Array &&
        rights.EnumerateArray().Any(r => r.ValueKind == JsonValueKind.String && r.GetString() == right);

    private TagOutcome Done(TagRequest request, TagOutcome outcome)
    {
        Log.Tagged(logger, request.WikiId, request.RevId, request.Tag, outcome.Kind, outcome.Code ?? "-");
        return outcome;
    }

    /// <summary>A boolean flag: <c>true</c> in formatversion=2.</summary>
    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.False or JsonValueKind.Null);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2210, EventName = "TagOutcome", Level = LogLevel.Information,
            Message = "Tag {Tag} on {WikiId}:{RevId}: {Outcome} ({Code})")]
        public static partial void Tagged(ILogger logger, string wikiId, long revId, string tag, TagOutcomeKind outcome, string code);
    }
}
