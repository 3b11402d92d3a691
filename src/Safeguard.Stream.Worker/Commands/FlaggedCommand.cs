using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard flagged</c>: what moderators look at — flagged edits from the audit table, newest first.</summary>
internal static class FlaggedCommand
{
    private const string Query = """
        select wiki_id as WikiId, rev_id as RevId, policy_id as PolicyId, policy_version as PolicyVersion, page_title as PageTitle,
               probability as Probability, category as Category, rationale as Rationale, mode as Mode,
               classified_at as ClassifiedAt, diff_url as DiffUrl
        from safeguard.flagged_edits
        where (@wiki is null or wiki_id = @wiki)
          and (@policy is null or policy_id = @policy)
          and classified_at >= @since
          and (@minProbability is null or probability >= @minProbability)
        order by classified_at desc, wiki_id, rev_id
        limit @limit
        """;

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
            using var host = DbCommand.BuildPostgresHost();
            await using var connection = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(ct);
            var rows = (await connection.QueryAsync<FlaggedRow>(new CommandDefinition(Query, new
            {
                wiki = parse.GetValue(wiki),
                policy = parse.GetValue(policy),
                since = TimeProvider.System.GetUtcNow() - window,
                minProbability = parse.GetValue(minProbability),
                limit = parse.GetValue(limit),
            }, cancellationToken: ct))).ToList();
            Console.Write(parse.GetValue(format) switch
            {
                "json" => string.Concat(rows.Select(r => JsonSerializer.Serialize(r) + "\n")),
                "csv" => Csv(rows),
                _ => Table(rows),
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

    private static string Table(List<FlaggedRow> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"wiki",-12} {"rev_id",-12} {"policy",-20} {"prob",5} {"category",-10} {"page",-28} rationale");
        foreach (var r in rows)
        {
            var probability = r.Probability is { } p ? p.ToString("0.00", CultureInfo.InvariantCulture) : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.WikiId,-12} {r.RevId,-12} {r.PolicyId,-20} {probability,5} {Clip(r.Category, 10),-10} {Clip(r.PageTitle, 28),-28} {Clip(r.Rationale ?? "(restricted)", 70)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"flagged: {rows.Count} rows");
        return text.ToString();
    }

    private static string Csv(List<FlaggedRow> rows)
    {
        var text = new StringBuilder("wiki_id,rev_id,policy_id,policy_version,page_title,probability,category,rationale,mode,classified_at,diff_url\n");
        foreach (var r in rows)
        {
            text.AppendJoin(',', new[]
            {
                r.WikiId, r.RevId.ToString(CultureInfo.InvariantCulture), r.PolicyId, r.PolicyVersion.ToString(CultureInfo.InvariantCulture),
                r.PageTitle, r.Probability?.ToString("0.000", CultureInfo.InvariantCulture) ?? "", r.Category ?? "", r.Rationale ?? "",
                r.Mode, r.ClassifiedAt.ToString("O", CultureInfo.InvariantCulture), r.DiffUrl,
            }.Select(CsvField)).Append('\n');
        }

        return text.ToString();
    }

    private static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string Clip(string? value, int width)
    {
        var text = (value ?? "-").ReplaceLineEndings(" ");
        return text.Length <= width ? text : text[..(width - 1)] + "…";
    }

    internal sealed record FlaggedRow(
        string WikiId, long RevId, string PolicyId, int PolicyVersion, string PageTitle, float? Probability, string? Category,
        string? Rationale, string Mode, DateTime ClassifiedAt, string DiffUrl);
}
