using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard flagged</c>: what moderators look at — edits flagged in the window (by when they were classified),
/// newest edit first, from the <c>safeguard.flagged_edits</c> view (enforce mode only; restricted policies' rationales
/// hidden). The <c>id</c> column is the verdict's event id (Kafka <c>meta.id</c>), which <c>safeguard feedback --id</c> takes.
/// </summary>
internal static class FlaggedCommand
{
    public static Command Create()
    {
        var wiki = new Option<string?>("--wiki") { Description = "Only this wiki (e.g. enwiki)." };
        var policy = new Option<string?>("--policy") { Description = "Only this policy id." };
        var since = new Option<string>("--since") { Description = "How far back: 30m, 24h, 7d.", DefaultValueFactory = _ => "24h" };
        var minProbability = new Option<double?>("--min-probability") { Description = "Only verdicts at or above this probability." };
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var limit = new Option<int>("--limit") { Description = "Most rows to show.", DefaultValueFactory = _ => 100 };
        var command = new Command("flagged", "List flagged edits from the audit table.") { wiki, policy, since, minProbability, format, limit };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var window = ParseDuration(parse.GetValue(since)!);
            var now = TimeProvider.System.GetUtcNow();
            using var host = DbCommand.BuildPostgresHost();
            var rows = await host.Services.GetRequiredService<ModeratorQueries>().FlaggedEditsAsync(
                new FlaggedEditQuery(now - window, parse.GetValue(limit), parse.GetValue(wiki), parse.GetValue(policy), parse.GetValue(minProbability)), ct);
            Console.Write(parse.GetValue(format) switch
            {
                "json" => string.Concat(rows.Select(r => Json(r, now) + "\n")),
                "csv" => Csv(rows, now),
                _ => Table(rows, now),
            });
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            switch (text[^1])
            {
                case 'm':
                    return TimeSpan.FromMinutes(value);
                case 'h':
                    return TimeSpan.FromHours(value);
                case 'd':
                    return TimeSpan.FromDays(value);
            }
        }

        throw new UsageException($"--since: expected a duration like 30m, 24h or 7d, got '{text}'");
    }

    /// <summary>How long ago the edit was made, to the coarsest unit that says it: 45s, 12m, 5h, 3d.</summary>
    public static string Age(DateTimeOffset now, DateTime revisionTime)
    {
        var age = now - new DateTimeOffset(DateTime.SpecifyKind(revisionTime, DateTimeKind.Utc));
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        var (value, unit) = age.TotalMinutes < 1 ? ((int)age.TotalSeconds, 's')
            : age.TotalHours < 1 ? ((int)age.TotalMinutes, 'm')
            : age.TotalDays < 2 ? ((int)age.TotalHours, 'h')
            : ((int)age.TotalDays, 'd');
        return string.Create(CultureInfo.InvariantCulture, $"{value}{unit}");
    }

    private static string Table(IReadOnlyList<FlaggedEdit> rows, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{"id",-36} {"wiki",-12} {"age",5} {"policy",-16} {"prob",5} {"category",-8} {"page",-24} {"diff",-50} rationale");
        foreach (var r in rows)
        {
            var probability = r.Probability is { } p ? p.ToString("0.00", CultureInfo.InvariantCulture) : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Id,-36} {r.WikiId,-12} {Age(now, r.RevisionTime),5} {Clip(r.PolicyId, 16),-16} {probability,5} {Clip(r.Category, 8),-8} {Clip(r.PageTitle.Replace('_', ' '), 24),-24} {r.DiffUrl,-50} {Clip(r.Rationale ?? "(restricted)", 70)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"flagged: {rows.Count} rows (newest edit first; feedback: safeguard feedback --id ID --verdict correct|incorrect)");
        return text.ToString();
    }

    private static string Csv(IReadOnlyList<FlaggedEdit> rows, DateTimeOffset now)
    {
        var text = new StringBuilder("id,wiki_id,rev_id,policy_id,policy_version,page_title,probability,category,rationale,mode,rev_dt,age,classified_at,diff_url\n");
        foreach (var r in rows)
        {
            text.AppendJoin(',', new[]
            {
                r.Id.ToString(), r.WikiId, r.RevId.ToString(CultureInfo.InvariantCulture), r.PolicyId, r.PolicyVersion.ToString(CultureInfo.InvariantCulture),
                r.PageTitle, r.Probability?.ToString("0.000", CultureInfo.InvariantCulture) ?? "", r.Category ?? "", r.Rationale ?? "",
                r.Mode, r.RevisionTime.ToString("O", CultureInfo.InvariantCulture), Age(now, r.RevisionTime),
                r.ClassifiedAt.ToString("O", CultureInfo.InvariantCulture), r.DiffUrl,
            }.Select(CsvField)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The row's columns as the view names them, then its age: one JSON object per line.</summary>
    private static string Json(FlaggedEdit row, DateTimeOffset now)
    {
        var line = JsonSerializer.SerializeToNode(row)!.AsObject();
        line["Age"] = Age(now, row.RevisionTime);
        return line.ToJsonString();
    }

    private static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string Clip(string? value, int width)
    {
        var text = (value ?? "-").ReplaceLineEndings(" ");
        return text.Length <= width ? text : text[..(width - 1)] + "…";
    }
}
