using System.Text.Unicode;

namespace Safeguard.Stream.Core.Events;

/// <summary>
/// Parses the JSON payload of <c>mediawiki.page_change.v1</c> (schema <c>/mediawiki/page/change/1.x</c>) and
/// <c>mediawiki.recentchange</c> (<c>/mediawiki/recentchange/1.x</c>) into <see cref="EditEvent"/>.
/// Unknown fields and newer minor versions are tolerated; a missing or mistyped required field gives an error
/// that names the field, never an exception.
/// </summary>
public static class EventParser
{
    private const string PageChangePrefix = "/mediawiki/page/change/";
    private const string RecentChangePrefix = "/mediawiki/recentchange/";

    /// <summary>Parses a payload held in a span; copies it once. Sources hand over memory: use <see cref="ParsePayload"/>.</summary>
    public static EventParseResult Parse(ReadOnlySpan<byte> utf8Json) => ParsePayload(utf8Json.ToArray());

    /// <summary>Parses a payload in place, without copying it (the hot path: one call per event read).</summary>
    public static EventParseResult ParsePayload(ReadOnlyMemory<byte> utf8Json)
    {
        // System.Text.Json validates string contents lazily; check the bytes first so bad UTF-8 is named as such.
        if (!Utf8.IsValid(utf8Json.Span))
        {
            return EventParseResult.Fail(EventParseError.InvalidUtf8, "payload is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return EventParseResult.Fail(EventParseError.MalformedJson, $"invalid JSON at byte {ex.BytePositionInLine}: {FirstLine(ex.Message)}");
        }

        using (document)
        {
            try
            {
                return ParseDocument(document.RootElement);
            }
            catch (FieldException ex)
            {
                return EventParseResult.Fail(ex.Reason, ex.Message);
            }
        }
    }

    public static EventParseResult Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    private static EventParseResult ParseDocument(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return EventParseResult.Fail(EventParseError.InvalidField, $"payload must be a JSON object, was {root.ValueKind}");
        }

        var meta = RequiredObject(root, "meta");

        // Canary events are injected into every stream for monitoring; they are dropped before any other check.
        if (meta.TryGetProperty("domain", out var domainElement) && domainElement.ValueKind == JsonValueKind.String &&
            domainElement.ValueEquals("canary"u8))
        {
            return EventParseResult.Canary();
        }

        var schema = OptionalString(root, "$schema");
        if (schema is null && meta.TryGetProperty("schema_uri", out var legacy) && legacy.ValueKind == JsonValueKind.String)
        {
            // Pre-2019 recentchange events named their schema in meta.schema_uri ("mediawiki/recentchange/1").
            schema = "/" + legacy.GetString()!.TrimStart('/');
        }

        if (schema is null)
        {
            throw FieldException.Missing("$schema");
        }

        if (schema.StartsWith(PageChangePrefix, StringComparison.Ordinal))
        {
            RequireMajorVersion(schema, PageChangePrefix);
            return EventParseResult.Ok(ParsePageChange(root, meta, schema));
        }

        if (schema.StartsWith(RecentChangePrefix, StringComparison.Ordinal))
        {
            RequireMajorVersion(schema, RecentChangePrefix);
            return EventParseResult.Ok(ParseRecentChange(root, meta, schema));
        }

        return EventParseResult.Fail(EventParseError.UnsupportedSchema, $"$schema '{Truncate(schema)}' is not mediawiki/page/change or mediawiki/recentchange");
    }

    private static void RequireMajorVersion(string schema, string prefix)
    {
        var version = schema[prefix.Length..];
        if (!(version == "1" || version.StartsWith("1.", StringComparison.Ordinal)))
        {
            throw new FieldException(EventParseError.UnsupportedSchema, $"$schema '{Truncate(schema)}': only major version 1 is understood");
        }
    }

    private static EditEvent ParsePageChange(JsonElement root, JsonElement meta, string schema)
    {
        var page = RequiredObject(root, "page");
        var sourceKind = RequiredString(root, "page_change_kind");
        var kind = sourceKind switch
        {
            "edit" => EditKind.Edit,
            "create" => EditKind.Create,
            _ => EditKind.Other,
        };

        // Every page_change carries the page's current revision; edits and creations must have one.
        JsonElement revision = default;
        var hasRevision = root.TryGetProperty("revision", out revision) && revision.ValueKind == JsonValueKind.Object;
        if (!hasRevision && kind != EditKind.Other)
        {
            throw FieldException.Missing("revision");
        }

        Performer? performer = null;
        if (root.TryGetProperty("performer", out var performerElement) && performerElement.ValueKind == JsonValueKind.Object)
        {
            performer = new Performer(
                OptionalString(performerElement, "user_text") ?? string.Empty,
                OptionalBool(performerElement, "is_bot") ?? false,
                OptionalBool(performerElement, "is_temp") ?? false,
                StringArray(performerElement, "groups"),
                OptionalLong(performerElement, "edit_count"));
        }

        var priorRevision = PriorRevision(root);
        return new EditEvent
        {
            SchemaUri = schema,
            Stream = OptionalString(meta, "stream") ?? "mediawiki.page_change.v1",
            Domain = RequiredString(meta, "domain", "meta.domain"),
            WikiId = RequiredString(root, "wiki_id"),
            RevId = hasRevision ? RequiredLong(revision, "rev_id", "revision.rev_id") : 0,
            ParentRevId = hasRevision ? OptionalLong(revision, "rev_parent_id") : null,
            Kind = kind,
            SourceKind = sourceKind,
            PageId = RequiredLong(page, "page_id", "page.page_id"),
            PageTitle = RequiredString(page, "page_title", "page.page_title"),
            Namespace = (int)RequiredLong(page, "namespace_id", "page.namespace_id"),
            EventTime = RequiredTimestamp(root, "dt"),
            RevisionTime = hasRevision ? OptionalTimestamp(revision, "rev_dt") : null,
            Comment = hasRevision ? OptionalString(revision, "comment") : null,
            Performer = performer,
            MetaId = OptionalString(meta, "id"),
            RequestId = OptionalString(meta, "request_id"),
            Uri = OptionalString(meta, "uri"),
            NewSize = hasRevision ? OptionalLong(revision, "rev_size") : null,
            OldSize = priorRevision is { } priorSize ? OptionalLong(priorSize, "rev_size") : null,
            Sha1 = hasRevision ? OptionalString(revision, "rev_sha1") : null,
            PriorSha1 = priorRevision is { } priorHash ? OptionalString(priorHash, "rev_sha1") : null,
            VisibilityChange = sourceKind == "visibility_change" && hasRevision ? PageChangeVisibility(revision) : null,
            IsRevert = (hasRevision && OptionalBool(revision, "is_revert") == true) || HasRevertTag(root) || (hasRevision && HasRevertTag(revision)),
        };
    }

    /// <summary>page_change 1.x <c>prior_state.revision</c>, the revision an edit replaced, when the event has it.</summary>
    private static JsonElement? PriorRevision(JsonElement root) =>
        root.TryGetProperty("prior_state", out var prior) && prior.ValueKind == JsonValueKind.Object &&
        prior.TryGetProperty("revision", out var revision) && revision.ValueKind == JsonValueKind.Object
            ? revision
            : null;

    /// <summary>page_change 1.x <c>visibility_change</c>: <c>is_*_visible</c> false means hidden now.</summary>
    private static VisibilityChange PageChangeVisibility(JsonElement revision) => new(
        [RequiredLong(revision, "rev_id", "revision.rev_id")],
        TextHidden: OptionalBool(revision, "is_content_visible") == false,
        UserOrSummaryHidden: OptionalBool(revision, "is_editor_visible") == false || OptionalBool(revision, "is_comment_visible") == false,
        Suppressed: false);

    /// <summary>
    /// recentchange <c>log delete/revision</c>: <c>log_params</c> <c>{type: revision, ids: [...], ofield, nfield}</c>,
    /// fields as MediaWiki's RevisionRecord bits (1 text, 2 summary, 4 user, 8 suppressed). Null for anything else.
    /// </summary>
    private static VisibilityChange? RecentChangeVisibility(JsonElement root)
    {
        if (OptionalString(root, "log_type") != "delete" || OptionalString(root, "log_action") != "revision" ||
            !root.TryGetProperty("log_params", out var parameters) || parameters.ValueKind != JsonValueKind.Object ||
            OptionalString(parameters, "type") is not ("revision" or null) ||
            !parameters.TryGetProperty("ids", out var ids) || ids.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            return null;
        }

        var revIds = new List<long>();
        foreach (var id in ids.ValueKind == JsonValueKind.Array ? ids.EnumerateArray() : ids.EnumerateObject().Select(p => p.Value))
        {
            if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number) ||
                id.ValueKind == JsonValueKind.String && long.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
            {
                revIds.Add(number);
            }
        }

        var oldBits = OptionalLong(parameters, "ofield") ?? 0;
        var newBits = OptionalLong(parameters, "nfield") ?? 0;
        var nowHidden = newBits & ~oldBits;
        return new VisibilityChange(revIds, (nowHidden & 1) != 0, (nowHidden & 6) != 0, (newBits & 8) != 0);
    }

    private static EditEvent ParseRecentChange(JsonElement root, JsonElement meta, string schema)
    {
        var sourceKind = RequiredString(root, "type");
        var kind = sourceKind switch
        {
            "edit" => EditKind.Edit,
            "new" => EditKind.Create,
            _ => EditKind.Other,
        };

        long revId = 0;
        long? parent = null;
        if (kind != EditKind.Other)
        {
            var revision = RequiredObject(root, "revision");
            revId = RequiredLong(revision, "new", "revision.new");
            parent = OptionalLong(revision, "old");
            if (parent == 0)
            {
                parent = null;
            }
        }

        long? oldSize = null;
        long? newSize = null;
        if (root.TryGetProperty("length", out var length) && length.ValueKind == JsonValueKind.Object)
        {
            oldSize = OptionalLong(length, "old");
            newSize = OptionalLong(length, "new");
        }

        var user = OptionalString(root, "user");
        var domain = OptionalString(meta, "domain") ?? RequiredString(root, "server_name");
        var timestamp = OptionalLong(root, "timestamp");
        var eventTime = timestamp is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : RequiredTimestamp(meta, "dt", "meta.dt");

        return new EditEvent
        {
            SchemaUri = schema,
            Stream = OptionalString(meta, "stream") ?? "mediawiki.recentchange",
            Domain = domain,
            WikiId = RequiredString(root, "wiki"),
            RevId = revId,
            ParentRevId = parent,
            Kind = kind,
            SourceKind = sourceKind,
            PageId = null,
            PageTitle = RequiredString(root, "title"),
            Namespace = (int)RequiredLong(root, "namespace"),
            EventTime = eventTime,
            RevisionTime = eventTime,
            Comment = OptionalString(root, "comment"),
            // recentchange has no groups or edit count; the bot flag is all it says about the user.
            Performer = user is null ? null : new Performer(user, OptionalBool(root, "bot") ?? false, false, [], null),
            MetaId = OptionalString(meta, "id"),
            RequestId = OptionalString(meta, "request_id"),
            Uri = OptionalString(meta, "uri"),
            NewSize = newSize,
            OldSize = oldSize,
            VisibilityChange = sourceKind == "log" ? RecentChangeVisibility(root) : null,
            IsRevert = HasRevertTag(root),
        };
    }

    private static JsonElement RequiredObject(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw FieldException.Missing(name);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FieldException(EventParseError.InvalidField, $"{name} must be an object, was {value.ValueKind}");
        }

        return value;
    }

    private static string RequiredString(JsonElement parent, string name, string? path = null)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw FieldException.Missing(path ?? name);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FieldException(EventParseError.InvalidField, $"{path ?? name} must be a string, was {value.ValueKind}");
        }

        return value.GetString()!;
    }

    private static long RequiredLong(JsonElement parent, string name, string? path = null)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw FieldException.Missing(path ?? name);
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw new FieldException(EventParseError.InvalidField, $"{path ?? name} must be an integer, was {value.ValueKind}");
        }

        return number;
    }

    private static DateTimeOffset RequiredTimestamp(JsonElement parent, string name, string? path = null)
    {
        var text = RequiredString(parent, name, path);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new FieldException(EventParseError.InvalidField, $"{path ?? name} is not an ISO-8601 timestamp");
        }

        return time;
    }

    private static DateTimeOffset? OptionalTimestamp(JsonElement parent, string name) =>
        OptionalString(parent, name) is { } text &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    private static string? OptionalString(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? OptionalLong(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static bool? OptionalBool(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>
    /// MediaWiki's own revert tags (<c>mw-rollback</c>, <c>mw-undo</c>, <c>mw-manual-revert</c>), which the software
    /// sets and an editor cannot: a <c>tags</c> array that carries one marks the edit as a revert. Edit summaries
    /// ("Undid revision …") are never trusted for this: anyone can type them.
    /// </summary>
    private static bool HasRevertTag(JsonElement parent) =>
        StringArray(parent, "tags").Any(tag => tag is "mw-rollback" or "mw-undo" or "mw-manual-revert");

    private static string[] StringArray(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var items = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                items.Add(item.GetString()!);
            }
        }

        return [.. items];
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    private sealed class FieldException(string reason, string message) : Exception(message)
    {
        public string Reason { get; } = reason;

        public static FieldException Missing(string field) => new(EventParseError.MissingField, $"missing required field '{field}'");
    }
}
