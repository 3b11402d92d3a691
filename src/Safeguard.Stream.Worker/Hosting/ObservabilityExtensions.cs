using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Safeguard.Stream.Worker.Hosting;

/// <summary>
/// OpenTelemetry for the worker: our meter plus the libraries' own (HttpClient, Polly, runtime; Npgsql's are added by
/// the Postgres component) — enabled, not duplicated — exported for Prometheus at <c>/metrics</c> and, when
/// <c>Safeguard:Telemetry:OtlpEndpoint</c> is set, over OTLP together with traces.
/// </summary>
internal static class ObservabilityExtensions
{
    /// <summary>Bucket bounds for every histogram in seconds: from a 5 ms wiki API call to a 5 min reasoning answer.</summary>
    private static readonly double[] s_secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    public static void AddSafeguardObservability(this IHostApplicationBuilder builder, bool prometheus)
    {
        var otlp = TelemetryOptions.From(builder.Configuration).OtlpUri;
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("safeguard-stream"));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(SafeguardTelemetry.Name, "System.Net.Http", "Polly");
            metrics.AddRuntimeInstrumentation();
            metrics.AddView(instrument => instrument.Unit == "s" ? new ExplicitBucketHistogramConfiguration { Boundaries = s_secondsBuckets } : null);
            if (prometheus)
            {
                metrics.AddPrometheusExporter();
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter(o => o.Endpoint = otlp);
            }
        });

        if (otlp is not null)
        {
            // Traces leave the process only through OTLP; without an endpoint no spans are recorded at all.
            otel.WithTracing(tracing => tracing
                .AddSource(SafeguardTelemetry.Name)
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }
    }
}
