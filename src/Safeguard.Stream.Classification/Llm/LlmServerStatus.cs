namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// Whether the model server is refusing requests for a configuration reason (<see cref="LlmServerProblem"/>), as the
/// client last saw it. Classification pauses while <see cref="Problem"/> is set; <c>/health</c> reports it. The log
/// gets one line when the problem appears or changes and one when requests are accepted again — never one per
/// request, however many edits are waiting.
/// </summary>
public sealed partial class LlmServerStatus(ILogger<LlmServerStatus> logger)
{
    private readonly Lock _gate = new();
    private LlmServerProblem? _problem;

    /// <summary>The problem in force, or null while the server accepts the requests.</summary>
    public LlmServerProblem? Problem
    {
        get
        {
            lock (_gate)
            {
                return _problem;
            }
        }
    }

    public void Report(LlmServerProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        lock (_gate)
        {
            if (_problem == problem)
            {
                return;
            }

            _problem = problem;
        }

        Log.Paused(logger, problem.Setting, problem.Message);
    }

    public void Accepted()
    {
        LlmServerProblem? previous;
        lock (_gate)
        {
            previous = _problem;
            if (previous is null)
            {
                return;
            }

            _problem = null;
        }

        Log.Resumed(logger, previous.Setting);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3012, EventName = "ModelServerMisconfigured", Level = LogLevel.Error,
            Message = "Classification paused, nothing is dead-lettered: {Problem} (fix {Setting}; work resumes by itself once the server accepts the requests)")]
        public static partial void Paused(ILogger logger, string setting, string problem);

        [LoggerMessage(EventId = 3013, EventName = "ModelServerAccepting", Level = LogLevel.Information,
            Message = "Model server accepts the requests again ({Setting} fixed); classification resumed")]
        public static partial void Resumed(ILogger logger, string setting);
    }
}
