using Safeguard.Stream.Postgres;
using Safeguard.Stream.Review;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard feedback --id ID --verdict correct|incorrect [--note TEXT]</c>: a moderator's judgement of one verdict.
/// ID is the verdict's event id: the <c>id</c> column of <c>safeguard flagged</c>, which is also the Kafka event's
/// <c>meta.id</c> (a UUIDv5 of wiki, revision, policy and policy version). The database fills in which verdict it is
/// and records the moderator as the connecting role; an unknown id is refused.
/// <c>safeguard feedback export --policy P [--wiki W] [--quorum N] --out F.jsonl</c>: the judgements of a policy's flags
/// as an eval dataset (<see cref="FeedbackExporter"/>), for <c>safeguard eval --dataset F.jsonl</c>.
/// </summary>
internal static class FeedbackCommand
{
    public static Command Create()
    {
        var id = new Option<string>("--id") { Description = "The verdict's id, as `safeguard flagged` shows it (the Kafka meta.id).", Required = true };
        var verdict = new Option<string>("--verdict") { Description = "correct or incorrect.", Required = true };
        verdict.AcceptOnlyFromAmong("correct", "incorrect");
        var note = new Option<string?>("--note") { Description = "Why, in a few words (optional)." };
        var command = new Command("feedback", "Record a moderator's verdict on a classification.") { id, verdict, note, Export() };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            if (!Guid.TryParse(parse.GetValue(id), out var eventId))
            {
                throw new UsageException($"--id: expected the verdict's UUID as `safeguard flagged` shows it, got '{parse.GetValue(id)}'");
            }

            using var host = DbCommand.BuildPostgresHost();
            var stored = await host.Services.GetRequiredService<ModeratorQueries>().RecordFeedbackAsync(eventId, parse.GetValue(verdict)!, parse.GetValue(note), ct)
                ?? throw new UsageException($"--id: no classification has id {eventId}");
            Console.WriteLine(
                $"feedback {stored.Id}: {parse.GetValue(verdict)} for {stored.PolicyId} v{stored.PolicyVersion} on {stored.WikiId} rev {stored.RevId}, by {stored.Moderator}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Export()
    {
        var policy = new Option<string>("--policy") { Description = "The policy whose reviewed flags to export.", Required = true };
        var wiki = new Option<string?>("--wiki") { Description = "Only this wiki (e.g. enwiki)." };
        var quorum = new Option<int?>("--quorum") { Description = "Agreeing reviews a label needs (default Safeguard:Review:Quorum, 2)." };
        var output = new Option<string>("--out") { Description = "The JSONL file to write (replaced), in the format safeguard eval --dataset reads.", Required = true };
        var command = new Command("export", "Write the consensus labels of a policy's reviewed flags, with their text fetched from the wiki, as an eval dataset.")
        {
            policy, wiki, quorum, output,
        };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var builder = SafeguardHost.CreateCommandBuilder();
            var agreeing = parse.GetValue(quorum) ?? builder.Configuration.GetValue<int?>(ReviewOptions.SectionName + ":Quorum") ?? new ReviewOptions().Quorum;
            if (agreeing is < 1 or > 100)
            {
                throw new UsageException($"--quorum: expected 1 to 100, got {agreeing}");
            }

            builder.AddSafeguardFeedbackExport();
            using var host = builder.Build();
            var path = parse.GetValue(output)!;
            FeedbackExportResult result;
            await using (var file = new StreamWriter(path, append: false, new UTF8Encoding(false)))
            {
                result = await host.Services.GetRequiredService<FeedbackExporter>().ExportAsync(parse.GetValue(policy)!, parse.GetValue(wiki), agreeing, file, ct);
            }

            foreach (var failure in result.Failures)
            {
                await Console.Error.WriteLineAsync("feedback export: the wiki did not answer for " + failure);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"feedback export: reviewed={result.Reviewed} written={result.Written} (positive={result.Positive} negative={result.Negative}) left out: no_consensus={result.NoConsensus} deleted={result.Deleted} nothing_to_classify={result.NothingToClassify} wiki_unavailable={result.Unavailable} (quorum {agreeing})"));
            Console.WriteLine($"feedback export: wrote {Path.GetFullPath(path)}");
            return result.Unavailable > 0 ? ExitCodes.RuntimeFailure : ExitCodes.Ok;
        }));
        return command;
    }
}
