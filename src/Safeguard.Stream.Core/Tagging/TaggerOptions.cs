namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// The tagger (<c>safeguard tagger</c>): which verdicts become change tags on which wikis, and the safety valve that
/// stops a (wiki, policy) pair when its policy flags too much. The bot's credentials and the wiki client's rate limit
/// share this section (<c>BotUsername</c>, <c>BotPassword</c>, <c>AccessToken</c>, <c>RequestsPerSecondPerWiki</c>) and
/// are read by the MediaWiki project's tag client.
/// </summary>
public sealed class TaggerOptions
{
    public const string SectionName = "Safeguard:Tagging";

    /// <summary>Wikis that opted in (wiki ids such as <c>enwiki</c>); empty tags nothing.</summary>
    public IList<string> Wikis { get; set; } = [];

    /// <summary>Policies to tag (ids); empty means every public policy. A restricted policy here is refused at start.</summary>
    public IList<string> Policies { get; set; } = [];

    /// <summary>The review app's base URL; a tag's reason links to <c>{ReviewUrl}/item/{wiki}/{rev}/{policy}</c>.</summary>
    [Required]
    [Url]
    public string ReviewUrl { get; set; } = string.Empty;

    /// <summary>The verdict topic to read; empty reads <c>Safeguard:Kafka:Topic</c> (public verdicts only).</summary>
    public string? Topic { get; set; }

    /// <summary>The tagger's consumer group (replicas share it and split the partitions).</summary>
    [Required]
    public string GroupId { get; set; } = "safeguard-tagger";

    /// <summary>Where a group with no committed offset starts: <c>latest</c> (a new deployment does not tag the backlog) or <c>earliest</c>.</summary>
    [RegularExpression("^(earliest|latest)$")]
    public string AutoOffsetReset { get; set; } = "latest";

    /// <summary>The safety valve opens when the share of flagged verdicts in a pair's window exceeds this (AbuseFilter's throttle: 5 %).</summary>
    [Range(0.0, 1.0)]
    public double MaxFlagRate { get; set; } = 0.05;

    /// <summary>The valve also opens when the share of error verdicts (the model failed) in the window exceeds this.</summary>
    [Range(0.0, 1.0)]
    public double MaxErrorRate { get; set; } = 0.5;

    /// <summary>Verdicts a window needs before either share can open the valve, so one early flag does not.</summary>
    [Range(1, 1_000_000)]
    public int MinSample { get; set; } = 20;

    /// <summary>The window holds at most this many recent verdicts of a (wiki, policy) pair …</summary>
    [Range(1, 1_000_000)]
    public int WindowSize { get; set; } = 200;

    /// <summary>… and none older than this.</summary>
    public TimeSpan WindowDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often verdicts held for a paused tag or a stopped wiki are tried again (after <c>safeguard tags create</c> or a granted right).</summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The consumer group's session timeout (librdkafka <c>session.timeout.ms</c>): how long a tagger that died without
    /// leaving the group (SIGKILL, a lost node) keeps its partitions before the group hands them to another. Default 45 s.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>First wait of the retry of a wiki answer that says "try later" (5xx, maxlag, timeouts); it doubles to 30 s, unbounded.</summary>
    public TimeSpan RetryFirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a policy's flagged verdicts may be tagged at all (public; listed, or no list).</summary>
    public bool Selects(Policy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Visibility == PolicyVisibility.Public &&
               (Policies.Count == 0 || Policies.Contains(policy.Id, StringComparer.Ordinal));
    }

    public bool OptedIn(string wikiId) => Wikis.Contains(wikiId, StringComparer.OrdinalIgnoreCase);
}

[OptionsValidator]
internal sealed partial class TaggerOptionsValidator : IValidateOptions<TaggerOptions>
{
}

/// <summary>
/// The rules that need the policies: a listed policy must exist and must be public (a public tag saying "private
/// information" draws eyes to what oversight hides), and the window must be able to reach its minimum sample.
/// </summary>
public sealed class TaggerOptionsCustomValidator(IPolicyCatalog catalog) : IValidateOptions<TaggerOptions>
{
    public ValidateOptionsResult Validate(string? name, TaggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var id in options.Policies)
        {
            var policy = catalog.Policies.FirstOrDefault(p => p.Id == id);
            if (policy is null)
            {
                failures.Add($"{TaggerOptions.SectionName}:Policies: '{id}' is not a loaded policy ({string.Join(", ", catalog.Policies.Select(p => p.Id))})");
            }
            else if (policy.Visibility == PolicyVisibility.Restricted)
            {
                failures.Add($"{TaggerOptions.SectionName}:Policies: '{id}' is a restricted policy; restricted policies are never tagged publicly (a public tag would point at what oversight hides). Remove it from the list.");
            }
        }

        if (options.MinSample > options.WindowSize)
        {
            failures.Add($"{TaggerOptions.SectionName}:MinSample: {options.MinSample} exceeds WindowSize ({options.WindowSize}); the valve could never open");
        }

        if (options.SessionTimeout < TimeSpan.FromSeconds(6) || options.SessionTimeout > TimeSpan.FromMinutes(30))
        {
            failures.Add($"{TaggerOptions.SectionName}:SessionTimeout: must be between 6 s (above the 3 s heartbeat; brokers refuse less by default) and 30 min");
        }

        if (options.WindowDuration <= TimeSpan.Zero)
        {
            failures.Add($"{TaggerOptions.SectionName}:WindowDuration: must be positive");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
