using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Safeguard.Stream.Core.Telemetry;

namespace Safeguard.Stream.MediaWiki.Tests;

/// <summary>
/// The MediaWiki component as the worker wires it (<c>AddSafeguardMediaWiki</c>: options, typed client, per-wiki
/// resilience pipeline, attempt handler), with short delays so that retries take milliseconds.
/// </summary>
internal static class MediaWikiTestHost
{
    public static readonly Dictionary<string, string?> FastSettings = new()
    {
        ["Safeguard:MediaWiki:MissingRevisionDelay"] = "00:00:00.010",
        ["Safeguard:MediaWiki:RetryBaseDelay"] = "00:00:00.010",
        ["Safeguard:MediaWiki:MaxRetryAfter"] = "00:00:00.300",
        ["Safeguard:MediaWiki:AttemptTimeout"] = "00:00:05",
        ["Safeguard:MediaWiki:TotalTimeout"] = "00:00:30",
        ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "1000",

        // Most tests check what a failure becomes; holding edits through an outage is tested on its own.
        ["Safeguard:MediaWiki:OutageWait"] = "00:00:00",
    };

    /// <param name="settings">Overrides of <see cref="FastSettings"/>.</param>
    /// <param name="primaryHandler">Answers requests in place of the network (recorded responses); null = real sockets.</param>
    /// <param name="stage">Also registers the pipeline channels and the enrichment stage.</param>
    /// <param name="time">The clock of every delay and timeout (a fake one for the outage tests); null = the system clock.</param>
    /// <param name="tagging">Also registers the tag client and tag admin (<c>AddSafeguardWikiTagging</c>).</param>
    public static IHost Create(
        IReadOnlyDictionary<string, string?>? settings = null, HttpMessageHandler? primaryHandler = null, bool stage = false, TimeProvider? time = null,
        bool tagging = false)
    {
        var builder = Host.CreateEmptyApplicationBuilder(null);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        // Every level, so that a test of what is logged sees everything a verbose deployment would write.
        builder.Logging.AddFakeLogging().SetMinimumLevel(LogLevel.Trace);
        var merged = new Dictionary<string, string?>(FastSettings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(merged);
        if (stage)
        {
            builder.AddSafeguardCore();
        }

        builder.AddSafeguardMediaWiki();
        if (tagging)
        {
            builder.AddSafeguardWikiTagging();
        }

        if (stage)
        {
            builder.AddSafeguardEnrichmentStage();
        }

        if (primaryHandler is not null)
        {
            builder.Services.AddHttpClient<MediaWikiClient>().ConfigurePrimaryHttpMessageHandler(() => primaryHandler);
        }

        return builder.Build();
    }

    public static MetricCollector<long> Requests(IHost host) =>
        new(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), SafeguardTelemetry.Name, "safeguard.stream.wiki_api.requests");

    /// <summary>Requests counted with <c>outcome</c> = <paramref name="outcome"/>.</summary>
    public static long Count(this MetricCollector<long> collector, string outcome) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags[SafeguardTelemetry.Tags.Outcome], outcome)).Sum(m => m.Value);
}
