-- The review app (`safeguard review`): moderators judge flagged edits in a browser, blind, and a label stands at a
-- quorum of agreeing reviews. Judgements stay in safeguard.feedback (0001; named by event id since 0003, the other
-- identifying columns filled by its trigger). This adds what a shared database login cannot tell apart: the reviewer
-- (the person signed in at the identity provider), one judgement per reviewer and verdict, and 'unsure'.
-- (0006 is the tagger's migration.)

alter table safeguard.feedback drop constraint feedback_verdict_check;
alter table safeguard.feedback add constraint feedback_verdict_check check (verdict in ('correct', 'incorrect', 'unsure'));
alter table safeguard.feedback add column reviewer text;
create unique index feedback_reviewer_idx on safeguard.feedback (event_id, reviewer) where reviewer is not null;

-- Whether the connecting login may see restricted policies' verdicts: members of safeguard_restricted_reader (and
-- superusers, who are members of every role). Views run with their owner's rights but current_user stays the
-- connecting role, so one view serves both the moderators' and the oversighters' connections.
create function safeguard.may_read_restricted() returns boolean
language sql stable set search_path = pg_catalog, pg_temp as $$
    select pg_has_role(current_user, 'safeguard_restricted_reader', 'member')
$$;

-- Moderators see no restricted verdict at all, not even that one exists (0004 showed them with the rationale hidden).
create or replace view safeguard.flagged_edits as
select event_id, wiki_id, domain, rev_id, policy_id, policy_version, page_id, page_title, namespace, performer,
       probability, category,
       case when visibility = 'public' then rationale end as rationale,
       visibility, mode, rev_dt, classified_at,
       'https://' || domain || '/w/index.php?diff=' || rev_id as diff_url
from safeguard.classifications
where flagged and mode = 'enforce' and status = 'ok' and redacted_at is null
  and (visibility = 'public' or safeguard.may_read_restricted());

-- The review queue and item page: flags and shadow would-flags (mode tells them apart). A verdict whose revision was
-- hidden since is still found (so the item page can say "revision deleted"), with nothing of it but its ids.
create view safeguard.review_items as
select event_id, wiki_id, rev_id, policy_id, policy_version, mode, visibility,
       redacted_at is not null as redacted,
       case when redacted_at is null then domain end as domain,
       case when redacted_at is null then parent_rev_id end as parent_rev_id,
       case when redacted_at is null then page_title end as page_title,
       case when redacted_at is null then namespace end as namespace,
       case when redacted_at is null then probability end as probability,
       case when redacted_at is null then category end as category,
       case when redacted_at is null then rationale end as rationale,
       rev_dt, classified_at
from safeguard.classifications
where flagged and status = 'ok'
  and (visibility = 'public' or safeguard.may_read_restricted());

-- The policy dashboard's facts: every verdict's outcome and latency, nothing about the edit.
create view safeguard.verdict_facts as
select policy_id, wiki_id, mode, status, flagged, latency_ms, classified_at, event_id
from safeguard.classifications
where visibility = 'public' or safeguard.may_read_restricted();

-- The one rule of consensus: a label stands when at least `quorum` reviews agree on it and it outnumbers the other
-- answer; 'unsure' never stands, and a tie stands for nothing.
create function safeguard.review_label(correct bigint, incorrect bigint, quorum integer) returns text
language sql immutable set search_path = pg_catalog, pg_temp as $$
    select case
        when correct >= quorum and correct > incorrect then 'correct'
        when incorrect >= quorum and incorrect > correct then 'incorrect'
    end
$$;

-- Whether a verdict belongs to a public policy; runs as the owner, since moderators cannot read classifications.
create function safeguard.verdict_is_public(verdict_event_id uuid) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
    select exists (select from safeguard.classifications c where c.event_id = verdict_event_id and c.visibility = 'public')
$$;
revoke all on function safeguard.verdict_is_public(uuid) from public;
grant execute on function safeguard.verdict_is_public(uuid) to safeguard_moderator;

-- Feedback on a restricted verdict (its note may quote what oversight hides) is the oversighters' alone: moderators
-- neither read nor write it. The table's owner (migrations, `safeguard db`) is not subject to these policies.
alter table safeguard.feedback enable row level security;
create policy feedback_public on safeguard.feedback for all to safeguard_moderator
    using (safeguard.verdict_is_public(event_id)) with check (safeguard.verdict_is_public(event_id));
create policy feedback_all on safeguard.feedback for all to safeguard_restricted_reader
    using (true) with check (true);

grant select on safeguard.review_items, safeguard.verdict_facts to safeguard_moderator, safeguard_restricted_reader;
grant insert (reviewer) on safeguard.feedback to safeguard_moderator;
-- Oversighters judge restricted verdicts over their own connection: the one write the restricted reader has.
grant insert (event_id, verdict, note, reviewer) on safeguard.feedback to safeguard_restricted_reader;
