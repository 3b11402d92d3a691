namespace Safeguard.Stream.Worker.Commands;

/// <summary><c>safeguard replay --events FILE</c>: the full pipeline over a file, ending when every event has an outcome.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var events = new Option<FileInfo>("--events") { Description = "JSONL of event payloads, or a raw SSE capture.", Required = true };
        var speed = new Option<double>("--speed") { Description = "0 = as fast as possible (default); 1 = real time; 10 = ten times faster.", DefaultValueFactory = _ => 0 };
        var summary = new Option<FileInfo?>("--summary-out") { Description = "Also write the outcome counts as JSON to this file." };
        var command = new Command("replay", "Run the pipeline over a file of recorded events (same stages as the live worker).") { events, speed, summary };
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            var file = parse.GetValue(events)!;
            if (!file.Exists)
            {
                throw new UsageException($"--events: file not found: {file.FullName}");
            }

            var overrides = new Dictionary<string, string?>
            {
                ["Safeguard:Source:Kind"] = "File",
                ["Safeguard:Source:File"] = file.FullName,
                ["Safeguard:Source:ResumeFile"] = "false",
                ["Safeguard:Source:Speed"] = parse.GetValue(speed).ToString(CultureInfo.InvariantCulture),
            };
            var tally = await RunToCompletionAsync(overrides, ct);
            var line = FormatSummary(tally);
            Console.WriteLine(line);
            if (parse.GetValue(summary) is { } summaryFile)
            {
                await File.WriteAllTextAsync(summaryFile.FullName, SummaryJson(tally), ct);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Starts the pipeline host, waits until the publish stage has drained the finite source, and stops.</summary>
    public static async Task<PipelineTally> RunToCompletionAsync(IReadOnlyDictionary<string, string?> overrides, CancellationToken cancellationToken)
    {
        var builder = SafeguardHost.CreateCommandBuilder(overrides);
        SafeguardHost.AddPipeline(builder);
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var completion = host.Services.GetRequiredService<PipelineCompletion>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping);
        try
        {
            var finished = await Task.WhenAny(completion.Drained, stopping).WaitAsync(cancellationToken);
            if (finished != completion.Drained)
            {
                throw new InvalidOperationException("the pipeline stopped before every event had an outcome (see the log)");
            }

            await completion.Drained;
        }
        finally
        {
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stopTimeout.Token);
        }

        return host.Services.GetRequiredService<PipelineTally>();
    }

    public static string FormatSummary(PipelineTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        static string Reasons(IEnumerable<KeyValuePair<string, long>> counts) =>
            string.Join(",", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}:{c.Value}"));
        return $"replay: events={tally.Events} classified={tally.Classified} skipped={tally.SkippedTotal} " +
               $"dead_lettered={tally.DeadLetteredTotal} verdicts={tally.Verdicts} flagged={tally.Flagged} would_flag={tally.WouldFlag} error_verdicts={tally.ErrorVerdicts} " +
               $"skip_reasons={Reasons(tally.Skipped)} dead_letter_reasons={Reasons(tally.DeadLettered)}";
    }

    public static string SummaryJson(PipelineTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["events"] = tally.Events,
            ["classified"] = tally.Classified,
            ["skipped"] = tally.SkippedTotal,
            ["dead_lettered"] = tally.DeadLetteredTotal,
            ["verdicts"] = tally.Verdicts,
            ["flagged"] = tally.Flagged,
            ["would_flag"] = tally.WouldFlag,
            ["error_verdicts"] = tally.ErrorVerdicts,
            ["skip_reasons"] = new SortedDictionary<string, long>(tally.Skipped, StringComparer.Ordinal),
            ["dead_letter_reasons"] = new SortedDictionary<string, long>(tally.DeadLettered, StringComparer.Ordinal),
        });
    }
}
