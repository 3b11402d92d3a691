-- Moderators' feedback names the verdict by its event id: the UUID `safeguard flagged` shows, which is also the
-- Kafka event's meta.id. The other identifying columns are filled from the verdict by a trigger, so a moderator's
-- insert is just (event_id, verdict, note), and feedback outlives the classification partition it was about.

alter table safeguard.feedback add column event_id uuid;

update safeguard.feedback f
set event_id = c.event_id
from safeguard.classifications c
where c.wiki_id = f.wiki_id and c.rev_id = f.rev_id and c.policy_id = f.policy_id and c.policy_version = f.policy_version;

alter table safeguard.feedback alter column event_id set not null;
create index feedback_event_id_idx on safeguard.feedback (event_id);

-- Looks the verdict up (moderators cannot read classifications themselves) and rejects unknown ids.
create function safeguard.feedback_fill_from_classification() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    verdict_row record;
begin
    select c.wiki_id, c.rev_id, c.policy_id, c.policy_version into verdict_row
    from safeguard.classifications c
    where c.event_id = new.event_id
    limit 1;
    if not found then
        raise exception 'no classification with event id %', new.event_id
            using errcode = 'foreign_key_violation', hint = 'use the id that `safeguard flagged` shows (the Kafka meta.id)';
    end if;
    new.wiki_id := verdict_row.wiki_id;
    new.rev_id := verdict_row.rev_id;
    new.policy_id := verdict_row.policy_id;
    new.policy_version := verdict_row.policy_version;
    return new;
end
$$;

-- The identifying columns stay not null: Postgres checks that after the before-insert trigger filled them.
create trigger feedback_fill before insert or update of event_id on safeguard.feedback
    for each row execute function safeguard.feedback_fill_from_classification();
