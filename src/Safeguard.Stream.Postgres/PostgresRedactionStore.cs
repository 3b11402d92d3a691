namespace Safeguard.Stream.Postgres;

/// <summary>
/// Redacts a revision's audit rows in place (migration 0005): rationale, reasoning and performer cleared, dead-letter
/// payloads dropped, <c>redacted_at</c> and the reason set; ids, flags and counts kept. Rows already redacted are
/// left as they are, so a second trigger for the same revision changes nothing.
/// </summary>
public sealed class PostgresRedactionStore(NpgsqlDataSource dataSource) : IRedactionStore
{
    private const string FindUnredacted = """
        select wiki_id as WikiId, domain as Domain, rev_id as RevId, parent_rev_id as ParentRevId, page_id as PageId,
               page_title as PageTitle, namespace as Namespace, rev_dt as RevisionTime, policy_id as PolicyId,
               policy_version as PolicyVersion, status as Status, error as Error, violation as Violation,
               probability as Probability, flagged as Flagged, mode as Mode, category as Category, visibility as Visibility,
               model as Model, reasoning_effort as ReasoningEffort, prompt_tokens as PromptTokens,
               completion_tokens as CompletionTokens, cached_tokens as CachedTokens, latency_ms as LatencyMs,
               input_truncated as InputTruncated, classified_at as ClassifiedAt
        from safeguard.classifications
        where wiki_id = @wikiId and rev_id = @revId and redacted_at is null
        order by policy_id, policy_version
        """;

    private const string RedactClassifications = """
        update safeguard.classifications
        set rationale = null, reasoning = null, performer = null, redacted_at = @redactedAt, redaction_reason = @reason
        where wiki_id = @wikiId and rev_id = @revId and redacted_at is null
        """;

    private const string RedactDeadLetters = """
        update safeguard.dead_letters
        set payload = null, redacted_at = @redactedAt, redaction_reason = @reason
        where wiki_id = @wikiId and rev_id = @revId and redacted_at is null
        """;

    public async Task<IReadOnlyList<RedactedVerdict>> FindUnredactedAsync(RedactionRequest request, DateTimeOffset redactedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(FindUnredacted, new { wikiId = request.WikiId, revId = request.RevId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new RedactedVerdict(r.ToEdit(), r.ToVerdict(), request.Reason, redactedAt))];
    }

    public async Task<int> RedactAsync(RedactionRequest request, DateTimeOffset redactedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var args = new { wikiId = request.WikiId, revId = request.RevId, reason = request.Reason, redactedAt };
        var rows = await connection.ExecuteAsync(new CommandDefinition(RedactClassifications, args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(RedactDeadLetters, args, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    private sealed class Row
    {
        public string WikiId { get; init; } = "";
        public string Domain { get; init; } = "";
        public long RevId { get; init; }
        public long? ParentRevId { get; init; }
        public long? PageId { get; init; }
        public string PageTitle { get; init; } = "";
        public int Namespace { get; init; }
        public DateTime RevisionTime { get; init; }
        public string PolicyId { get; init; } = "";
        public int PolicyVersion { get; init; }
        public string Status { get; init; } = "";
        public string? Error { get; init; }
        public bool? Violation { get; init; }
        public float? Probability { get; init; }
        public bool Flagged { get; init; }
        public string Mode { get; init; } = "";
        public string? Category { get; init; }
        public string Visibility { get; init; } = "";
        public string Model { get; init; } = "";
        public string ReasoningEffort { get; init; } = "";
        public int PromptTokens { get; init; }
        public int CompletionTokens { get; init; }
        public int CachedTokens { get; init; }
        public int LatencyMs { get; init; }
        public bool InputTruncated { get; init; }
        public DateTime ClassifiedAt { get; init; }

        public EditEvent ToEdit()
        {
            var revisionTime = new DateTimeOffset(DateTime.SpecifyKind(RevisionTime, DateTimeKind.Utc));
            return new EditEvent
            {
                SchemaUri = "safeguard.classifications",
                Stream = "safeguard.classifications",
                Domain = Domain,
                WikiId = WikiId,
                RevId = RevId,
                ParentRevId = ParentRevId,
                Kind = ParentRevId is null or 0 ? EditKind.Create : EditKind.Edit,
                SourceKind = "audit",
                PageId = PageId,
                PageTitle = PageTitle,
                Namespace = Namespace,
                EventTime = revisionTime,
                RevisionTime = revisionTime,
            };
        }

        public PolicyVerdict ToVerdict() => new()
        {
            PolicyId = PolicyId,
            PolicyVersion = PolicyVersion,
            Status = Status == "ok" ? VerdictStatus.Ok : VerdictStatus.Error,
            Error = Error,
            Violation = Violation,
            Probability = Probability,
            Flagged = Flagged,
            Mode = Mode == "shadow" ? PolicyMode.Shadow : PolicyMode.Enforce,
            Category = Category,
            Visibility = Visibility == "restricted" ? PolicyVisibility.Restricted : PolicyVisibility.Public,
            Model = Model,
            ReasoningEffort = Enum.TryParse<ReasoningEffort>(ReasoningEffort, ignoreCase: true, out var effort) ? effort : Core.Policies.ReasoningEffort.High,
            PromptTokens = PromptTokens,
            CompletionTokens = CompletionTokens,
            CachedTokens = CachedTokens,
            LatencyMs = LatencyMs,
            InputTruncated = InputTruncated,
            ClassifiedAt = new DateTimeOffset(DateTime.SpecifyKind(ClassifiedAt, DateTimeKind.Utc)),
        };
    }
}
