-- Safeguard.Stream audit schema. Applied once, in order, by `safeguard db migrate`.
create schema if not exists safeguard;

-- One row per (wiki, revision, policy, policy version): the idempotency key of the whole pipeline.
create table safeguard.classifications (
    wiki_id            text        not null,
    rev_id             bigint      not null,
    policy_id          text        not null,
    policy_version     integer     not null,
    event_id           uuid        not null,
    domain             text        not null,
    page_id            bigint,
    page_title         text        not null,
    namespace          integer     not null,
    parent_rev_id      bigint,
    rev_dt             timestamptz,
    performer          text,
    status             text        not null check (status in ('ok', 'error')),
    error              text,
    violation          boolean,
    probability        real        check (probability between 0 and 1),
    flagged            boolean     not null,
    mode               text        not null check (mode in ('enforce', 'shadow')),
    category           text,
    rationale          text,
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
    primary key (wiki_id, rev_id, policy_id, policy_version)
);
create index classifications_flagged_idx on safeguard.classifications (classified_at desc) where flagged;

-- Events that could not be processed, with why. Unique per source item so a replay adds nothing.
create table safeguard.dead_letters (
    id           bigint generated always as identity primary key,
    source       text        not null,
    item_key     text        not null,
    position     text,
    wiki_id      text,
    rev_id       bigint,
    reason       text        not null,
    detail       text        not null,
    payload      text,
    created_at   timestamptz not null default now(),
    unique (source, item_key)
);

-- Skips are counted, not stored one by one: most of the stream is skipped (bots, other namespaces).
create table safeguard.skip_counts (
    source   text   not null,
    reason   text   not null,
    day      date   not null,
    count    bigint not null,
    primary key (source, reason, day)
);

create table safeguard.checkpoints (
    source      text        primary key,
    position    text        not null,
    updated_at  timestamptz not null default now()
);

create table safeguard.feedback (
    id              bigint generated always as identity primary key,
    wiki_id         text        not null,
    rev_id          bigint      not null,
    policy_id       text        not null,
    policy_version  integer     not null,
    verdict         text        not null check (verdict in ('correct', 'incorrect')),
    moderator       text        not null default current_user,
    note            text,
    created_at      timestamptz not null default now(),
    foreign key (wiki_id, rev_id, policy_id, policy_version) references safeguard.classifications
);

-- What moderators read: flagged edits, newest first. Restricted policies' rationales are not shown here.
create view safeguard.flagged_edits as
select wiki_id, rev_id, policy_id, policy_version, page_title, namespace, performer, probability, category,
       case when visibility = 'public' then rationale end as rationale,
       visibility, mode, classified_at,
       'https://' || domain || '/w/index.php?diff=' || rev_id as diff_url
from safeguard.classifications
where flagged and status = 'ok';
