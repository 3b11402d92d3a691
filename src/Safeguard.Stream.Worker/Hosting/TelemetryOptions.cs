namespace Safeguard.Stream.Worker.Hosting;

/// <summary>How the worker reports on itself: log format, OTLP export, and where the probes and Prometheus connect.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Safeguard:Telemetry";

    /// <summary>
    /// <c>auto</c> (the default): plain lines at Warning and above to a terminal, ECS JSON to a pipe or file;
    /// <c>text</c> or <c>ecs</c> forces one.
    /// </summary>
    public string? LogFormat { get; set; }

    /// <summary>OTLP collector for metrics and traces; empty exports neither (and records no spans).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Internal port of <c>/alive</c>, <c>/health</c> and <c>/metrics</c> (0 picks a free one).</summary>
    [Range(0, 65_535)]
    public int HealthPort { get; set; } = 8081;

    /// <summary>Address the health port binds to; tests narrow it to 127.0.0.1.</summary>
    [Required]
    public string HealthHost { get; set; } = "0.0.0.0";

    /// <summary>Text logs (true), ECS JSON (false), or null to decide by whether the output is a terminal.</summary>
    public bool? TextLogs => LogFormat?.Trim().ToLowerInvariant() switch
    {
        "text" => true,
        "ecs" => false,
        _ => null,
    };

    public Uri? OtlpUri => string.IsNullOrWhiteSpace(OtlpEndpoint) ? null : new Uri(OtlpEndpoint);

    /// <summary>The settings, read before the host is built (logging is configured first) and checked as at start.</summary>
    public static TelemetryOptions From(IConfiguration configuration) =>
        configuration.GetValidated(SectionName, new TelemetryOptionsValidator(), new TelemetryOptionsCustomValidator());
}

[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
}

/// <summary>The values the log format and the collector address may take; each failure names its key.</summary>
internal sealed class TelemetryOptionsCustomValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var format = options.LogFormat?.Trim().ToLowerInvariant();
        if (format is not (null or "" or "auto" or "text" or "ecs"))
        {
            failures.Add($"{TelemetryOptions.SectionName}:LogFormat must be auto, text or ecs, got '{format}'");
        }

        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) &&
            !(Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"))
        {
            failures.Add($"{TelemetryOptions.SectionName}:OtlpEndpoint must be an absolute http(s) URL, got '{options.OtlpEndpoint}'");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
