-- Privacy follows the wiki: when a revision is hidden or suppressed after it was classified, what we derived from
-- it is redacted in place. Ids, flags, probabilities and categories stay, so counts and feedback still add up;
-- rationale, model reasoning and performer are cleared, and a dead letter's payload (the raw event, with the edit
-- summary and user) is dropped. redacted_at and the reason say when and why.
alter table safeguard.classifications
    add column redacted_at      timestamptz,
    add column redaction_reason text;

alter table safeguard.dead_letters
    add column redacted_at      timestamptz,
    add column redaction_reason text;

create index classifications_revision_idx on safeguard.classifications (wiki_id, rev_id);
create index dead_letters_revision_idx on safeguard.dead_letters (wiki_id, rev_id) where rev_id is not null;

-- Moderators see nothing of a redacted verdict: not its rationale, not its performer, not that it was flagged.
create or replace view safeguard.flagged_edits as
select event_id, wiki_id, domain, rev_id, policy_id, policy_version, page_id, page_title, namespace, performer,
       probability, category,
       case when visibility = 'public' then rationale end as rationale,
       visibility, mode, rev_dt, classified_at,
       'https://' || domain || '/w/index.php?diff=' || rev_id as diff_url
from safeguard.classifications
where flagged and mode = 'enforce' and status = 'ok' and redacted_at is null;

-- The worker redacts (triggers in the stream, a later enrichment); only these columns.
grant update (rationale, reasoning, performer, redacted_at, redaction_reason) on safeguard.classifications to safeguard_writer;
grant update (payload, redacted_at, redaction_reason) on safeguard.dead_letters to safeguard_writer;
