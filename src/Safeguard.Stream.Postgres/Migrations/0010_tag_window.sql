-- The safety valve's window (issue 15): the recent verdicts of each (wiki, policy) pair, in Postgres rather than in each
-- tagger's memory, so that every replica counts the same verdicts (a consumer group spreads one pair over several) and
-- a restart forgets none. One row per revision: a verdict read again after a restart counts once. The tagger keeps the
-- table small: it deletes a pair's rows that fell out of the window by age or by count as it adds one, and a re-arm
-- (safeguard tagger valve --reset) empties the pair's window.
create table safeguard.tag_window (
    wiki_id    text        not null,
    policy_id  text        not null,
    rev_id     bigint      not null,
    flagged    boolean     not null,
    error      boolean     not null,
    at         timestamptz not null,
    primary key (wiki_id, policy_id, rev_id)
);

create index tag_window_recent_idx on safeguard.tag_window (wiki_id, policy_id, at desc, rev_id desc);

grant select, insert, delete on safeguard.tag_window to safeguard_writer;
grant select on safeguard.tag_window to safeguard_restricted_reader;
