using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard feedback --id ID --verdict correct|incorrect [--note TEXT]</c>: a moderator's judgement of one verdict.
/// ID is the verdict's event id: the <c>id</c> column of <c>safeguard flagged</c>, which is also the Kafka event's
/// <c>meta.id</c> (a UUIDv5 of wiki, revision, policy and policy version). The database fills in which verdict it is
/// and records the moderator as the connecting role; an unknown id is refused.
/// </summary>
internal static class FeedbackCommand
{
    public static Command Create()
    {
        var id = new Option<string>("--id") { Description = "The verdict's id, as `safeguard flagged` shows it (the Kafka meta.id).", Required = true };
        var verdict = new Option<string>("--verdict") { Description = "correct or incorrect.", Required = true };
        verdict.AcceptOnlyFromAmong("correct", "incorrect");
        var note = new Option<string?>("--note") { Description = "Why, in a few words (optional)." };
        var command = new Command("feedback", "Record a moderator's verdict on a classification.") { id, verdict, note };
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
}
