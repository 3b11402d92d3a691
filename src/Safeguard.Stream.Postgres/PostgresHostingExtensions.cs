using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Postgres;

namespace Microsoft.Extensions.Hosting;

public static class PostgresHostingExtensions
{
    /// <summary>The data source name: the pool's name in Npgsql's metrics and traces.</summary>
    public const string DataSourceName = "safeguard";

    /// <summary>
    /// The data source (Npgsql.DependencyInjection, with Npgsql's logging), migrator, checkpoint store, moderators'
    /// queries, the eval runs' store, the audit sink, the tagger's store (valves, held verdicts), the database's readiness check, and Npgsql's metrics and traces for whichever
    /// OpenTelemetry providers the host builds (none are built here).
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardPostgres(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<PostgresOptions, PostgresOptionsValidator>(PostgresOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();

        // The connection string is the validated option, read when the data source is first resolved, so a missing
        // one fails naming Safeguard:Postgres:ConnectionString rather than as an empty Npgsql connection string.
        builder.Services.AddNpgsqlDataSource(string.Empty, (sp, dataSource) =>
        {
            dataSource.ConnectionStringBuilder.ConnectionString = sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString;
            dataSource.Name = DataSourceName;
        });
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddNpgsqlInstrumentation());
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql());

        builder.Services.TryAddSingleton<DatabaseMigrator>();
        builder.Services.TryAddSingleton<ClassificationPartitions>();
        builder.Services.TryAddSingleton<ModeratorQueries>();
        builder.Services.TryAddSingleton<EvalRunStore>();
        builder.Services.TryAddSingleton<ICheckpointStore, PostgresCheckpointStore>();
        builder.Services.AddSingleton<IResultSink, PostgresAuditSink>();
        builder.Services.AddSingleton<IRedactionStore, PostgresRedactionStore>();
        builder.Services.TryAddSingleton<ITaggingStore, PostgresTaggingStore>();
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>(PostgresHealthCheck.Name, tags: [ComponentRegistration.ReadyTag]);
        return builder;
    }
}
