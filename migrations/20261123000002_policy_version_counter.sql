-- The number of the last version a managed policy ever had. Version IDs only grow, as in AWS: a
-- deleted version's ID is never given to a new version.
alter table managed_policies add column last_version integer not null default 1 check (last_version >= 1);
update managed_policies set last_version = substr(default_version, 2)::integer;
