namespace Safeguard.Stream.Core.Events;

/// <summary>Why an event could not become an <see cref="EditEvent"/>: each is a dead-letter reason.</summary>
public static class EventParseError
{
    public const string MalformedJson = "malformed_json";
    public const string InvalidUtf8 = "invalid_utf8";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string UnsupportedSchema = "unsupported_schema";
    public const string TooLarge = "too_large";
}

/// <summary>The outcome of parsing one payload: an event, a canary to drop, or an error naming the field.</summary>
public readonly record struct EventParseResult(EditEvent? Event, bool IsCanary, string? ErrorReason, string? ErrorDetail)
{
    public static EventParseResult Canary() => new(null, true, null, null);

    public static EventParseResult Ok(EditEvent edit) => new(edit, false, null, null);

    public static EventParseResult Fail(string reason, string detail) => new(null, false, reason, detail);

    public bool IsSuccess => Event is not null;
}
