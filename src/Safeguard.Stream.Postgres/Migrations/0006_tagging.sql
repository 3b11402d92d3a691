-- The tagger (safeguard tagger): its safety valves and the verdicts it holds back. Shared by every tagger replica.
--
-- A valve is opened by a tagger when a (wiki, policy) pair's flagged or error share crosses its limit, and only an
-- operator closes it (safeguard tagger valve --reset). Opening is an upsert that moves a valve only from closed to
-- open, so replicas that trip at once agree on one opening (the first one's time and reason stay).
create table safeguard.tag_valves (
    wiki_id        text        not null,
    policy_id      text        not null,
    open           boolean     not null,
    opened_at      timestamptz not null,
    reason         text        not null,
    flagged_share  real        not null,
    error_share    real        not null,
    sample         int         not null,
    reset_at       timestamptz,
    reset_by       text,
    primary key (wiki_id, policy_id)
);

-- Flagged verdicts not tagged for now, so none is lost: held_for says why. tag_undefined (the tag is not defined on
-- the wiki) and permission_denied (the bot lacks a right) are tried again by the tagger until they have an outcome;
-- valve_open rows stay for the operator (a re-arm does not tag what a policy judged broken flagged).
create table safeguard.tag_pending (
    wiki_id         text        not null,
    rev_id          bigint      not null,
    policy_id       text        not null,
    policy_version  int         not null,
    domain          text        not null,
    tag             text        not null,
    held_for        text        not null check (held_for in ('valve_open', 'tag_undefined', 'permission_denied')),
    detail          text,
    held_at         timestamptz not null default now(),
    primary key (wiki_id, rev_id, policy_id)
);

create index tag_pending_held_for_idx on safeguard.tag_pending (held_for, held_at);

-- The tagger runs as the worker's role; the restricted reader reads everything (0004 granted only existing tables).
grant select, insert, update on safeguard.tag_valves to safeguard_writer;
grant select, insert, update, delete on safeguard.tag_pending to safeguard_writer;
grant select on safeguard.tag_valves, safeguard.tag_pending to safeguard_restricted_reader;
