-- What makes the console fast at scale: a cache of compiled permission sets that can never serve
-- stale permissions, and an index for substring search on user names.

-- The permissions epoch. Every statement that can change what some principal may do (attachments,
-- memberships, inline policies, policy versions and defaults, boundaries, user tags, renames and
-- deletes) raises it, in the same transaction, through the triggers below, so no code path can
-- forget to. The session lookup reads it with the principal; a cached permission set is used only
-- while the epoch it was loaded at is still current.
create table permissions_epoch (
    singleton boolean primary key default true check (singleton),
    epoch     bigint not null default 0
);
insert into permissions_epoch default values;

create function bump_permissions_epoch() returns trigger language plpgsql as $$
begin
    update permissions_epoch set epoch = epoch + 1;
    return null;
end
$$;

create trigger permissions_epoch_group_members after insert or update or delete or truncate
    on group_members for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_user_policy_attachments after insert or update or delete or truncate
    on user_policy_attachments for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_group_policy_attachments after insert or update or delete or truncate
    on group_policy_attachments for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_user_inline_policies after insert or update or delete or truncate
    on user_inline_policies for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_group_inline_policies after insert or update or delete or truncate
    on group_inline_policies for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_policy_versions after insert or update or delete or truncate
    on policy_versions for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_managed_policies after update or delete or truncate
    on managed_policies for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_user_tags after insert or update or delete or truncate
    on user_tags for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_iam_groups after update or delete or truncate
    on iam_groups for each statement execute function bump_permissions_epoch();
-- Users: a new user has no permissions yet; a boundary, rename, move or delete changes them.
create trigger permissions_epoch_iam_users_update after update of permissions_boundary, user_name, path
    on iam_users for each statement execute function bump_permissions_epoch();
create trigger permissions_epoch_iam_users_delete after delete or truncate
    on iam_users for each statement execute function bump_permissions_epoch();

-- Substring search on user names ("Find users by user name") uses trigrams; the name index
-- still serves plain listing and prefix order. pg_trgm is a trusted extension: a database owner
-- may create it without superuser rights.
create extension if not exists pg_trgm;
create index iam_users_name_trgm on iam_users using gin (lower(user_name) gin_trgm_ops);
