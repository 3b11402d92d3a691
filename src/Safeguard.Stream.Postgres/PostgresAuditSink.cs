namespace Safeguard.Stream.Postgres;

/// <summary>
/// Writes verdicts and dead letters of a batch in one transaction, as multi-row inserts that skip rows already
/// present, so a replayed batch changes nothing. The monthly partitions the batch needs are created first.
/// </summary>
public sealed class PostgresAuditSink(NpgsqlDataSource dataSource, ClassificationPartitions partitions, IOptions<PostgresOptions> options) : IResultSink
{
    private const string InsertClassifications = """
        insert into safeguard.classifications (
            wiki_id, rev_id, policy_id, policy_version, event_id, domain, page_id, page_title, namespace, parent_rev_id, rev_dt,
            performer, status, error, violation, probability, flagged, mode, category, rationale, reasoning, visibility, model,
            reasoning_effort, prompt_tokens, completion_tokens, cached_tokens, latency_ms, input_truncated, classified_at,
            revert_risk, revert_risk_model)
        select * from unnest(
            @wikiIds::text[], @revIds::bigint[], @policyIds::text[], @policyVersions::int[], @eventIds::uuid[], @domains::text[],
            @pageIds::bigint[], @titles::text[], @namespaces::int[], @parents::bigint[], @revDts::timestamptz[],
            @performers::text[], @statuses::text[], @errors::text[], @violations::boolean[], @probabilities::real[],
            @flagged::boolean[], @modes::text[], @categories::text[], @rationales::text[], @reasonings::text[], @visibilities::text[], @models::text[],
            @efforts::text[], @promptTokens::int[], @completionTokens::int[], @cachedTokens::int[], @latencies::int[],
            @truncated::boolean[], @classifiedAt::timestamptz[], @revertRisks::real[], @revertRiskModels::text[])
        on conflict (wiki_id, rev_id, policy_id, policy_version, rev_dt) do nothing
        """;

    private const string InsertDeadLetters = """
        insert into safeguard.dead_letters (source, item_key, position, wiki_id, rev_id, reason, detail, payload)
        select * from unnest(@sources::text[], @keys::text[], @positions::text[], @wikiIds::text[], @revIds::bigint[],
                             @reasons::text[], @details::text[], @payloads::text[])
        on conflict (source, item_key) do nothing
        """;

    public string Name => "postgres";

    private const string DurableCommit = "set local synchronous_commit to on";

    public async Task WriteAsync(IReadOnlyList<PipelineResult> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var rows = batch.OfType<ClassifiedResult>().SelectMany(r => r.Verdicts.Select(v => (r.Edit, Verdict: v, r.RevertRisk))).ToList();
        var dead = batch.OfType<DeadLetteredResult>().ToList();
        if (rows.Count == 0 && dead.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (rows.Count > 0)
        {
            // Outside the transaction: creating a partition locks the parent table, briefly.
            await partitions.EnsureAsync(connection, rows.Select(r => ClassificationPartitions.PartitionTime(r.Edit)), cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The checkpoint moves past these events once this returns, so the commit must be durable whatever the
        // server's default: with synchronous_commit off a server crash loses acknowledged commits (found by chaos).
        await connection.ExecuteAsync(new CommandDefinition(DurableCommit, transaction: transaction, cancellationToken: cancellationToken));
        if (rows.Count > 0)
        {
            var args = new
            {
                wikiIds = rows.Select(r => r.Edit.WikiId).ToArray(),
                revIds = rows.Select(r => r.Edit.RevId).ToArray(),
                policyIds = rows.Select(r => r.Verdict.PolicyId).ToArray(),
                policyVersions = rows.Select(r => r.Verdict.PolicyVersion).ToArray(),
                eventIds = rows.Select(r => EventIdentity.ForVerdict(r.Edit.WikiId, r.Edit.RevId, r.Verdict.PolicyId, r.Verdict.PolicyVersion)).ToArray(),
                domains = rows.Select(r => r.Edit.Domain).ToArray(),
                pageIds = rows.Select(r => r.Edit.PageId).ToArray(),
                titles = rows.Select(r => r.Edit.PageTitle).ToArray(),
                namespaces = rows.Select(r => r.Edit.Namespace).ToArray(),
                parents = rows.Select(r => r.Edit.ParentRevId).ToArray(),
                revDts = rows.Select(r => ClassificationPartitions.PartitionTime(r.Edit)).ToArray(),
                performers = rows.Select(r => r.Edit.Performer?.UserText).ToArray(),
                statuses = rows.Select(r => r.Verdict.Status == VerdictStatus.Ok ? "ok" : "error").ToArray(),
                errors = rows.Select(r => r.Verdict.Error).ToArray(),
                violations = rows.Select(r => r.Verdict.Violation).ToArray(),
                probabilities = rows.Select(r => (float?)r.Verdict.Probability).ToArray(),
                flagged = rows.Select(r => r.Verdict.Flagged).ToArray(),
                modes = rows.Select(r => r.Verdict.Mode.ToString().ToLowerInvariant()).ToArray(),
                categories = rows.Select(r => r.Verdict.Category).ToArray(),
                rationales = rows.Select(r => r.Verdict.Rationale).ToArray(),
                reasonings = rows.Select(r => r.Verdict.Reasoning).ToArray(),
                visibilities = rows.Select(r => r.Verdict.Visibility.ToString().ToLowerInvariant()).ToArray(),
                models = rows.Select(r => r.Verdict.Model).ToArray(),
                efforts = rows.Select(r => r.Verdict.ReasoningEffort.ToName()).ToArray(),
                promptTokens = rows.Select(r => r.Verdict.PromptTokens).ToArray(),
                completionTokens = rows.Select(r => r.Verdict.CompletionTokens).ToArray(),
                cachedTokens = rows.Select(r => r.Verdict.CachedTokens).ToArray(),
                latencies = rows.Select(r => (int)Math.Min(int.MaxValue, r.Verdict.LatencyMs)).ToArray(),
                truncated = rows.Select(r => r.Verdict.InputTruncated).ToArray(),
                classifiedAt = rows.Select(r => r.Verdict.ClassifiedAt).ToArray(),
                revertRisks = rows.Select(r => (float?)r.RevertRisk?.Probability).ToArray(),
                revertRiskModels = rows.Select(r => r.RevertRisk is { } risk ? risk.Model + ":" + risk.ModelVersion : null).ToArray(),
            };
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(InsertClassifications, args, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation && ex.ConstraintName is null)
            {
                // "no partition of relation found for row": a partition this process knew was pruned. The publish stage
                // retries the batch, and the retry creates the partition again.
                partitions.Forget();
                throw;
            }
        }

        if (dead.Count > 0)
        {
            var maxBytes = options.Value.DeadLetterPayloadBytes;
            var args = new
            {
                sources = dead.Select(d => d.Context.SourceName).ToArray(),
                keys = dead.Select(d => d.Key).ToArray(),
                positions = dead.Select(d => d.Context.Position).ToArray(),
                wikiIds = dead.Select(d => d.Edit?.WikiId).ToArray(),
                revIds = dead.Select(d => d.Edit?.RevId).ToArray(),
                reasons = dead.Select(d => d.Reason).ToArray(),
                details = dead.Select(d => d.Detail).ToArray(),
                payloads = dead.Select(d => Payload(d.Context.Payload, maxBytes)).ToArray(),
            };
            await connection.ExecuteAsync(new CommandDefinition(InsertDeadLetters, args, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Postgres text cannot hold NUL, and bad payloads may contain anything.</summary>
    private static string? Payload(ReadOnlyMemory<byte> payload, int maxBytes) =>
        DeadLetterPayload.Cut(payload.Span, maxBytes).Text?.Replace('\0', '\uFFFD');
}
