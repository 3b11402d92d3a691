using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard db migrate</c> applies the SQL migrations in order; <c>db prune</c> drops expired monthly partitions.
/// Both run as the schema owner (they create roles, functions and tables), not as the worker's safeguard_writer.
/// </summary>
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

        var dryRun = new Option<bool>("--dry-run") { Description = "Only say what would be dropped." };
        var prune = new Command("prune", "Drop classification partitions (and dead letters) older than Safeguard:Postgres:RetentionMonths, and create the coming months' partitions.") { dryRun };
        prune.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            using var host = BuildPostgresHost();
            var options = host.Services.GetRequiredService<IOptions<PostgresOptions>>().Value;
            var partitions = host.Services.GetRequiredService<ClassificationPartitions>();
            var now = TimeProvider.System.GetUtcNow();
            if (ClassificationPartitions.RetentionCutoff(now, options.RetentionMonths) is not { } cutoff)
            {
                Console.WriteLine("db prune: Safeguard:Postgres:RetentionMonths is 0, nothing is dropped");
            }
            else if (parse.GetValue(dryRun))
            {
                var doomed = (await partitions.ListAsync(ct)).Where(name => PartitionEnd(name) is { } end && end <= cutoff).ToList();
                Console.WriteLine($"db prune (dry run): would drop {doomed.Count} partitions before {cutoff:yyyy-MM-dd}: {string.Join(", ", doomed)}");
                return ExitCodes.Ok;
            }
            else
            {
                var result = await partitions.PruneAsync(cutoff, ct);
                Console.WriteLine($"db prune: kept months from {cutoff:yyyy-MM-dd} (RetentionMonths={options.RetentionMonths}); " +
                                  $"dropped {result.DroppedPartitions.Count} partitions [{string.Join(", ", result.DroppedPartitions)}] and {result.DeletedDeadLetters} dead letters");
            }

            var ahead = await partitions.CreateAheadAsync(now, options.PartitionsAhead, ct);
            Console.WriteLine($"db prune: partitions ready through {ahead[^1]}");
            return ExitCodes.Ok;
        }));

        var wiki = new Option<string>("--wiki") { Description = "Wiki id, e.g. enwiki.", Required = true };
        var rev = new Option<long>("--rev") { Description = "Revision id.", Required = true };
        var redact = new Command("redact",
            "Redact what was derived from a revision the wiki hid or suppressed: rationale, reasoning and performer of its verdicts and its dead letters' payloads " +
            "(ids, flags and counts stay), after publishing a redaction event per verdict to Kafka so consumers purge their copies.") { wiki, rev };
        redact.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var wikiId = parse.GetValue(wiki)!;
            var revId = parse.GetValue(rev);
            if (revId <= 0 || string.IsNullOrWhiteSpace(wikiId))
            {
                throw new UsageException("--wiki must name a wiki and --rev must be a positive revision id");
            }

            var builder = SafeguardHost.CreateCommandBuilder();
            builder.AddSafeguardPostgres();
            builder.AddSafeguardKafka();
            builder.Services.AddSingleton<RevisionRedactor>();
            using var host = builder.Build();
            var rows = await host.Services.GetRequiredService<RevisionRedactor>()
                .RedactAsync(new RedactionRequest(wikiId, revId, RedactionReason.Manual, RedactionTrigger.Command), ct);
            Console.WriteLine(rows == 0
                ? $"db redact: {wikiId}:{revId} has no verdict left to redact (dead letters, if any, are redacted)"
                : $"db redact: {wikiId}:{revId}: {rows} verdicts redacted and a redaction event published for each");
            return ExitCodes.Ok;
        }));

        return new Command("db", "Database administration.") { migrate, prune, redact };
    }

    /// <summary>The end of a <c>classifications_yYYYYmMM</c> partition's month, or null for another name.</summary>
    public static DateTimeOffset? PartitionEnd(string partitionName)
    {
        ArgumentNullException.ThrowIfNull(partitionName);
        return DateTimeOffset.TryParseExact(partitionName.Replace("classifications_", "", StringComparison.Ordinal), "'y'yyyy'm'MM",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var start)
            ? start.ToUniversalTime().AddMonths(1)
            : null;
    }

    public static IHost BuildPostgresHost()
    {
        var builder = SafeguardHost.CreateCommandBuilder();
        builder.AddSafeguardPostgres();
        var host = builder.Build();
        return host;
    }
}
