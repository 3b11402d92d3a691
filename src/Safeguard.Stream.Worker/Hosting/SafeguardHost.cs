using System.Reflection;
using Microsoft.Extensions.Logging.Console;
using Safeguard.Stream.EventStreams;
using Safeguard.Stream.Kafka.Source;

namespace Safeguard.Stream.Worker.Hosting;

/// <summary>The composition root: configuration sources, logging and the pipeline's components.</summary>
internal static class SafeguardHost
{
    /// <summary>
    /// A one-shot command's host builder: no host defaults, the content root at the binary, configured as the worker is
    /// (<see cref="Configure"/>) with <paramref name="overrides"/> and <paramref name="configFile"/>.
    /// </summary>
    public static HostApplicationBuilder CreateCommandBuilder(IReadOnlyDictionary<string, string?>? overrides = null, string? configFile = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        Configure(builder, overrides, configFile);
        return builder;
    }

    /// <summary>
    /// Layers configuration: appsettings.json beside the binary, then the environment (<c>Safeguard__Llm__Endpoint</c>),
    /// then <paramref name="overrides"/> from the command line. <c>SAFEGUARD_LLM_URL</c> is honoured as the LLM endpoint.
    /// </summary>
    public static void Configure(
        IHostApplicationBuilder builder, IReadOnlyDictionary<string, string?>? overrides = null, string? configFile = null, bool logsToStdout = false)
    {
        builder.Configuration.Sources.Clear();
        builder.Configuration.SetBasePath(AppContext.BaseDirectory);
        builder.Configuration.AddJsonFile("appsettings.json", optional: false, reloadOnChange: false);
        builder.Configuration.AddJsonFile($"appsettings.{builder.Environment.EnvironmentName}.json", optional: true, reloadOnChange: false);
        if (Environment.GetEnvironmentVariable("SAFEGUARD_LLM_URL") is { Length: > 0 } llmUrl)
        {
            builder.Configuration.AddInMemoryCollection([new("Safeguard:Llm:Endpoint", llmUrl)]);
        }

        builder.Configuration.AddEnvironmentVariables();
        if (configFile is not null)
        {
            // An operator's own settings file (e.g. `safeguard route --config wiki-filters.json`), above the environment.
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        ConfigureLogging(builder, logsToStdout);
    }

    /// <summary>
    /// Logs for the people and machines that read them. To a terminal: one plain line per entry, Warning and above
    /// (a newcomer running a command sees what went wrong, not every request). To a pipe or file (containers, the log
    /// pipeline, tests): ECS JSON at the configured levels. <c>Safeguard:Telemetry:LogFormat</c> = <c>text</c> or
    /// <c>ecs</c> forces one. The <c>Logging</c> section applies to every command (the CLI builders start without
    /// host defaults, which would otherwise ignore it), and HttpClient's per-request lines are off by default.
    /// </summary>
    private static void ConfigureLogging(IHostApplicationBuilder builder, bool logsToStdout)
    {
        builder.Logging.ClearProviders();
        // Npgsql logs every command at Information (it logged nothing before the data source got the host's logger
        // factory); Warning by default, before the Logging section so that Logging:LogLevel:Npgsql can raise it.
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Http", LogLevel.Warning);

        var toTerminal = logsToStdout ? !Console.IsOutputRedirected : !Console.IsErrorRedirected;
        var forced = TelemetryOptions.From(builder.Configuration).TextLogs;
        var text = forced ?? toTerminal;

        builder.Logging.AddConsole(o =>
        {
            o.FormatterName = text ? ConsoleFormatterNames.Simple : EcsConsoleFormatter.FormatterName;

            // The live worker logs to stdout for the cluster's log pipeline; CLI commands keep stdout for their output.
            o.LogToStandardErrorThreshold = logsToStdout ? LogLevel.None : LogLevel.Trace;
        });
        builder.Logging.AddConsoleFormatter<EcsConsoleFormatter, ConsoleFormatterOptions>();
        if (text)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.ColorBehavior = toTerminal ? LoggerColorBehavior.Default : LoggerColorBehavior.Disabled;
            });
        }

        if (text && forced is null)
        {
            builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
        }
    }

    /// <summary>
    /// Every component and stage, in any order: each <c>Add…</c> registers what it uses (options, clients, health
    /// check, telemetry), and <see cref="PipelineStages"/> starts the stages sinks first and stops the source first,
    /// by their place in the flow, so the rest drain.
    /// </summary>
    public static void AddPipeline(IHostApplicationBuilder builder)
    {
        builder.AddSafeguardCore();
        builder.AddSafeguardClassification();
        builder.AddSafeguardMediaWiki();
        builder.AddSafeguardKafka();
        builder.AddSafeguardPostgres();
        AddSource(builder);
        builder.AddSafeguardRoutingStage();
        builder.AddSafeguardEnrichmentStage();
        builder.AddSafeguardClassificationStage();
        builder.AddSafeguardPublishStage();
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
    }

    /// <summary>
    /// <c>safeguard tagger</c>: the policies, the dead-letter sinks and the tagger's store (Kafka, Postgres), the wiki
    /// tag client and the consumer. It reads the verdict topic only; the pipeline's stages are not added.
    /// </summary>
    public static void AddTagger(IHostApplicationBuilder builder, bool drain)
    {
        builder.AddSafeguardPolicyCatalog();
        builder.AddSafeguardKafka();
        builder.AddSafeguardPostgres();
        builder.AddSafeguardWikiTagging();
        builder.AddSafeguardTagger(drain);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
    }

    /// <summary>
    /// The source named by <c>Safeguard:Source:Kind</c> and what it does with fully published events: SSE and file
    /// sources checkpoint their position in Postgres; the Kafka source commits consumer-group offsets.
    /// </summary>
    private static void AddSource(IHostApplicationBuilder builder)
    {
        builder.AddSafeguardEventStreams();
        builder.AddSafeguardKafkaSource();
        var kind = builder.Configuration.GetValue("Safeguard:Source:Kind", SourceKind.EventStreams);
        switch (kind)
        {
            case SourceKind.Kafka:
                builder.Services.AddSingleton<IEventSource>(sp => sp.GetRequiredService<KafkaEventSource>());
                builder.Services.AddSingleton<ISourceProgress>(sp => sp.GetRequiredService<KafkaEventSource>());
                break;
            case SourceKind.File:
                builder.Services.AddSingleton<IEventSource>(sp => sp.GetRequiredService<FileEventSource>());
                builder.Services.AddSingleton<ISourceProgress, CheckpointStoreProgress>();
                break;
            default:
                builder.Services.AddSingleton<IEventSource>(sp => sp.GetRequiredService<EventStreamsSource>());
                builder.Services.AddSingleton<ISourceProgress, CheckpointStoreProgress>();
                break;
        }

        builder.Services.AddPipelineStage<SourceStage>(PipelinePosition.Source);
    }

    /// <summary>
    /// The configuration section of an options type (its <c>SectionName</c>), for failures that do not name their key
    /// themselves; those of the components' validators already do (<see cref="ComponentRegistration.AddValidatedOptions{TOptions, TValidator}"/>).
    /// </summary>
    public static string SectionOf(Type? optionsType) =>
        optionsType?.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string ?? "Safeguard";

    public static string Describe(OptionsValidationException ex) =>
        string.Join(Environment.NewLine, ex.Failures.Select(f => f.StartsWith("Safeguard:", StringComparison.Ordinal) || f.Contains(": error:", StringComparison.Ordinal)
            ? f
            : $"{SectionOf(ex.OptionsType)}: {f}"));
}
