-- What moderators read: verdicts that flag an edit (enforce mode only: shadow-mode policies flag nothing), with the
-- rationale of public policies only. The view runs with its owner's rights, so moderators read it without any
-- right on safeguard.classifications.
create view safeguard.flagged_edits as
select event_id, wiki_id, domain, rev_id, policy_id, policy_version, page_id, page_title, namespace, performer,
       probability, category,
       case when visibility = 'public' then rationale end as rationale,
       visibility, mode, rev_dt, classified_at,
       'https://' || domain || '/w/index.php?diff=' || rev_id as diff_url
from safeguard.classifications
where flagged and mode = 'enforce' and status = 'ok';

-- Roles (cluster-wide, so created only when missing; group roles without login: grant them to login users).
--   safeguard_writer             the worker: writes verdicts, dead letters, checkpoints, skip counts
--   safeguard_moderator          reads flagged_edits (no restricted rationales), writes feedback
--   safeguard_restricted_reader  reads everything in the schema, restricted rationales included
do $$
declare
    role_name text;
begin
    foreach role_name in array array['safeguard_writer', 'safeguard_moderator', 'safeguard_restricted_reader']
    loop
        if not exists (select from pg_roles where rolname = role_name) then
            begin
                execute format('create role %I nologin', role_name);
            exception when duplicate_object or unique_violation then
                null; -- created by a migration of another database in the same cluster a moment ago
            end;
        end if;
    end loop;
end
$$;

revoke all on schema safeguard from public;
grant usage on schema safeguard to safeguard_writer, safeguard_moderator, safeguard_restricted_reader;

-- Functions are executable by PUBLIC by default; these run as the owner.
revoke all on function safeguard.ensure_classifications_partition(timestamptz) from public;
revoke all on function safeguard.drop_classifications_partitions_before(timestamptz) from public;
revoke all on function safeguard.feedback_fill_from_classification() from public;
grant execute on function safeguard.ensure_classifications_partition(timestamptz) to safeguard_writer;

grant select, insert on safeguard.classifications, safeguard.dead_letters to safeguard_writer;
grant select, insert, update on safeguard.checkpoints, safeguard.skip_counts to safeguard_writer;

grant select on safeguard.flagged_edits to safeguard_moderator;
grant select on safeguard.feedback to safeguard_moderator;
-- Only these columns: the moderator column defaults to the inserting role and cannot be forged.
grant insert (event_id, verdict, note) on safeguard.feedback to safeguard_moderator;

grant select on all tables in schema safeguard to safeguard_restricted_reader;
