using System.CommandLine;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Worker.Hosting;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard db migrate</c> applies the SQL migrations in order; <c>db prune</c> drops expired partitions.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply the database migrations (idempotent).");
        migrate.SetAction((_, ct) => SafeguardCli.Guard(async () =>
        {
            using var host = BuildPostgresHost();
            var applied = await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            Console.WriteLine(applied.Count == 0 ? "db migrate: schema is up to date" : $"db migrate: applied {string.Join(", ", applied)}");
            return ExitCodes.Ok;
        }));

        var prune = new Command("prune", "Drop classification partitions older than the retention setting. [not implemented yet]");
        prune.SetAction(_ =>
        {
            Console.Error.WriteLine("safeguard db prune: monthly partitions and retention are not implemented yet.");
            return ExitCodes.BadUsage;
        });

        return new Command("db", "Database administration.") { migrate, prune };
    }

    public static IHost BuildPostgresHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        SafeguardHost.Configure(builder);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddSafeguardPostgres();
        var host = builder.Build();
        return host;
    }
}
