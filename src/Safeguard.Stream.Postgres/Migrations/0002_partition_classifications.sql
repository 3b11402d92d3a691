-- Classifications partitioned by month of the revision's time (rev_dt), so retention drops whole partitions
-- (`safeguard db prune`) instead of deleting rows. rev_dt comes from the source event, so a replay of the same
-- verdict lands in the same partition and hits the same primary key; the key includes rev_dt because Postgres
-- requires the partition key in every unique constraint of a partitioned table.
-- 0001's table may already hold rows somewhere: they are moved, not lost.

drop view safeguard.flagged_edits;

-- Feedback referenced the old table; a foreign key to a partitioned table would stop `db prune` from dropping
-- partitions, so feedback refers to the verdict by its event id from now on (0003).
do $$
declare
    fk record;
begin
    for fk in select conname from pg_constraint
              where conrelid = 'safeguard.feedback'::regclass and contype = 'f'
    loop
        execute format('alter table safeguard.feedback drop constraint %I', fk.conname);
    end loop;
end
$$;

alter table safeguard.classifications rename to classifications_0001;
alter table safeguard.classifications_0001 rename constraint classifications_pkey to classifications_0001_pkey;
alter index safeguard.classifications_flagged_idx rename to classifications_0001_flagged_idx;

create table safeguard.classifications (
    wiki_id            text        not null,
    rev_id             bigint      not null,
    policy_id          text        not null,
    policy_version     integer     not null,
    -- The month partition key: the revision's time from the source event (its event time when it had none).
    rev_dt             timestamptz not null,
    -- UUIDv5 of (wiki_id, rev_id, policy_id, policy_version): Kafka meta.id, and the id moderators give `safeguard feedback`.
    event_id           uuid        not null,
    domain             text        not null,
    page_id            bigint,
    page_title         text        not null,
    namespace          integer     not null,
    parent_rev_id      bigint,
    performer          text,
    status             text        not null check (status in ('ok', 'error')),
    error              text,
    violation          boolean,
    probability        real        check (probability between 0 and 1),
    -- The decision (violation at or above the threshold). In shadow mode this is would_flag: it flags nothing.
    flagged            boolean     not null,
    mode               text        not null check (mode in ('enforce', 'shadow')),
    category           text,
    -- Restricted policies' rationales are readable only by safeguard_restricted_reader (0004).
    rationale          text,
    -- The model's analysis-channel text, when Safeguard:Llm:StoreReasoning keeps it; audit only, never published.
    reasoning          text,
    visibility         text        not null check (visibility in ('public', 'restricted')),
    model              text        not null,
    reasoning_effort   text        not null,
    prompt_tokens      integer     not null default 0,
    completion_tokens  integer     not null default 0,
    cached_tokens      integer     not null default 0,
    latency_ms         integer     not null,
    input_truncated    boolean     not null default false,
    classified_at      timestamptz not null,
    inserted_at        timestamptz not null default now(),
    primary key (wiki_id, rev_id, policy_id, policy_version, rev_dt)
) partition by range (rev_dt);

create index classifications_flagged_idx on safeguard.classifications (classified_at desc) where flagged and mode = 'enforce';
create index classifications_event_id_idx on safeguard.classifications (event_id);

-- Creates the partition holding `at` (one UTC calendar month) if it does not exist, and returns its name. The worker
-- calls it before writing a month it has not seen (it runs as the owner, so the writer role needs no DDL rights);
-- two pods racing to create the same month both succeed.
create function safeguard.ensure_classifications_partition(at timestamptz) returns text
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    month_start timestamptz := date_trunc('month', at at time zone 'UTC') at time zone 'UTC';
    month_end   timestamptz := (date_trunc('month', at at time zone 'UTC') + interval '1 month') at time zone 'UTC';
    name        text := 'classifications_' || to_char(at at time zone 'UTC', '"y"YYYY"m"MM');
begin
    if to_regclass(format('safeguard.%I', name)) is null then
        begin
            execute format('create table safeguard.%I partition of safeguard.classifications for values from (%L) to (%L)',
                           name, month_start, month_end);
        exception when duplicate_table or unique_violation then
            null; -- another session created it a moment ago
        end;
    end if;
    return name;
end
$$;

-- Drops the partitions that hold only months before `keep_from` (UTC), oldest first, and returns their names.
create function safeguard.drop_classifications_partitions_before(keep_from timestamptz) returns setof text
language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    part record;
begin
    for part in
        select c.relname,
               to_date(substring(c.relname from '(\d{4}m\d{2})$'), 'YYYY"m"MM')::timestamp at time zone 'UTC' as month_start
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'safeguard.classifications'::regclass
          and c.relname ~ '^classifications_y\d{4}m\d{2}$'
        order by 2
    loop
        if part.month_start + interval '1 month' <= keep_from then
            execute format('drop table safeguard.%I', part.relname);
            return next part.relname;
        end if;
    end loop;
end
$$;

-- Partitions for the rows 0001 holds, this month and the next three; later months are created on write and by `db prune`.
select safeguard.ensure_classifications_partition(m)
from (select distinct coalesce(rev_dt, classified_at) as m from safeguard.classifications_0001
      union all
      select now() + make_interval(months => n) from generate_series(0, 3) as n) months;

insert into safeguard.classifications (
    wiki_id, rev_id, policy_id, policy_version, rev_dt, event_id, domain, page_id, page_title, namespace, parent_rev_id,
    performer, status, error, violation, probability, flagged, mode, category, rationale, visibility, model,
    reasoning_effort, prompt_tokens, completion_tokens, cached_tokens, latency_ms, input_truncated, classified_at, inserted_at)
select wiki_id, rev_id, policy_id, policy_version, coalesce(rev_dt, classified_at), event_id, domain, page_id, page_title,
       namespace, parent_rev_id, performer, status, error, violation, probability, flagged, mode, category, rationale,
       visibility, model, reasoning_effort, prompt_tokens, completion_tokens, cached_tokens, latency_ms, input_truncated,
       classified_at, inserted_at
from safeguard.classifications_0001;

drop table safeguard.classifications_0001;

create index dead_letters_created_at_idx on safeguard.dead_letters (created_at);
