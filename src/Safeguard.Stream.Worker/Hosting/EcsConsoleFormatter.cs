using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Safeguard.Stream.Worker.Hosting;

/// <summary>
/// One JSON object per line with Elastic Common Schema field names (<c>@timestamp</c>, <c>log.level</c>,
/// <c>log.logger</c>, <c>message</c>, <c>event.code</c>, <c>error.*</c>), as Wikimedia's logging pipeline expects.
/// Structured values of the source-generated log methods go under <c>labels</c>. The log methods never carry edit
/// text, prompts, completions or secrets, so nothing here has to scrub them.
/// </summary>
internal sealed class EcsConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "ecs";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        using var buffer = new MemoryStream(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("@timestamp", TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("log.level", LevelName(logEntry.LogLevel));
            json.WriteString("log.logger", logEntry.Category);
            json.WriteString("message", message ?? string.Empty);
            json.WriteString("ecs.version", "8.11.0");
            json.WriteString("service.name", "safeguard-stream");
            if (logEntry.EventId.Id != 0)
            {
                json.WriteString("event.code", logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
            }

            if (!string.IsNullOrEmpty(logEntry.EventId.Name))
            {
                json.WriteString("event.action", logEntry.EventId.Name);
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("error.type", exception.GetType().FullName);
                json.WriteString("error.message", exception.Message);
                json.WriteString("error.stack_trace", exception.ToString());
            }

            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> state && state.Count > 1)
            {
                json.WriteStartObject("labels");
                foreach (var (key, value) in state)
                {
                    if (key == "{OriginalFormat}")
                    {
                        continue;
                    }

                    json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        textWriter.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static string LevelName(Microsoft.Extensions.Logging.LogLevel level) => level switch
    {
        Microsoft.Extensions.Logging.LogLevel.Trace => "trace",
        Microsoft.Extensions.Logging.LogLevel.Debug => "debug",
        Microsoft.Extensions.Logging.LogLevel.Information => "info",
        Microsoft.Extensions.Logging.LogLevel.Warning => "warn",
        Microsoft.Extensions.Logging.LogLevel.Error => "error",
        Microsoft.Extensions.Logging.LogLevel.Critical => "critical",
        _ => "none",
    };
}
