using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Redaction;
using Safeguard.Stream.Postgres;

namespace Microsoft.Extensions.Hosting;

public static class PostgresHostingExtensions
{
    /// <summary>The data source, migrator, checkpoint store, moderators' queries and the audit sink.</summary>
    public static IHostApplicationBuilder AddSafeguardPostgres(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PostgresOptions>().BindConfiguration(PostgresOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var dataSource = new NpgsqlDataSourceBuilder(options.ConnectionString) { Name = "safeguard" };
            return dataSource.Build();
        });
        builder.Services.TryAddSingleton<DatabaseMigrator>();
        builder.Services.TryAddSingleton<ClassificationPartitions>();
        builder.Services.TryAddSingleton<ModeratorQueries>();
        builder.Services.TryAddSingleton<ICheckpointStore, PostgresCheckpointStore>();
        builder.Services.AddSingleton<IResultSink, PostgresAuditSink>();
        builder.Services.AddSingleton<IRedactionStore, PostgresRedactionStore>();
        return builder;
    }
}
