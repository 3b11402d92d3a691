-- The policy dashboard puts the precision moderators measured beside the last eval's. `safeguard eval --record` keeps
-- each run's counts at the policy's own threshold (the rule live flags follow) here; precision is computed from them
-- where it is shown, with the same interval as the moderators' precision. And the state of the tagger's safety valves
-- (0006), which the dashboard shows per (wiki, policy), through a view: the tagger's tables stay its own.

create table safeguard.eval_runs (
    id               bigint      generated always as identity primary key,
    policy_id        text        not null,
    policy_version   integer     not null,
    visibility       text        not null check (visibility in ('public', 'restricted')),
    model            text        not null,
    dataset          text        not null,
    simulated        boolean     not null,
    started_at       timestamptz not null,
    recorded_at      timestamptz not null default now(),
    records          integer     not null,
    errors           integer     not null,
    true_positives   integer     not null,
    false_positives  integer     not null,
    true_negatives   integer     not null,
    false_negatives  integer     not null
);

create index eval_runs_policy_idx on safeguard.eval_runs (policy_id, recorded_at desc);

-- Each policy's newest run, as the connecting role may see it (a restricted policy's only for restricted readers).
create view safeguard.last_eval_runs as
select distinct on (policy_id)
       policy_id, policy_version, model, dataset, simulated, started_at, recorded_at, records, errors,
       true_positives, false_positives, true_negatives, false_negatives
from safeguard.eval_runs
where visibility = 'public' or safeguard.may_read_restricted()
order by policy_id, recorded_at desc, id desc;

grant select, insert on safeguard.eval_runs to safeguard_writer;
grant select on safeguard.last_eval_runs to safeguard_moderator, safeguard_restricted_reader;

-- Valves exist only for public policies (the tagger refuses restricted ones at start); the view shows a valve's state,
-- why it opened and who re-armed it, not the held verdicts.
create view safeguard.valve_states as
select wiki_id, policy_id, open, opened_at, reason, reset_at, reset_by
from safeguard.tag_valves;

grant select on safeguard.valve_states to safeguard_moderator, safeguard_restricted_reader;
