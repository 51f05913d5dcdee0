-- Credentials, part one: each account's password policy (AWS's knobs plus a lockout policy),
-- consecutive-failure counters and temporary lockouts for sign-in, and the password history that
-- reuse prevention checks.

-- An account's password policy. No row means the defaults, which follow NIST SP 800-63B and ASVS:
-- length over composition, no forced rotation, users may change their own password. The check
-- against common and breached passwords is not a column: it cannot be switched off.
create table account_password_policies (
    account_id                     text primary key references accounts (account_id) on delete cascade,
    minimum_length                 integer not null default 8 check (minimum_length between 6 and 128),
    require_symbols                boolean not null default false,
    require_numbers                boolean not null default false,
    require_uppercase              boolean not null default false,
    require_lowercase              boolean not null default false,
    allow_users_to_change_password boolean not null default true,
    -- Days a password stays valid; null: passwords do not expire.
    max_password_age               integer check (max_password_age between 1 and 1095),
    -- How many previous passwords a user may not reuse; null: reuse is allowed.
    password_reuse_prevention      integer check (password_reuse_prevention between 1 and 24),
    -- An expired password needs an administrator's reset instead of a change at sign-in.
    hard_expiry                    boolean not null default false,
    -- Consecutive failed sign-ins that lock a user (or root) out for a while.
    lockout_threshold              integer not null default 10 check (lockout_threshold between 1 and 100),
    -- The first lockout's length; each further lockout before a successful sign-in doubles it,
    -- up to an hour (or this, if longer).
    lockout_minutes                integer not null default 5 check (lockout_minutes between 1 and 1440),
    updated_at                     timestamptz not null default now()
);

-- "Allow users to change their own password" grants iam:ChangePassword on self, so a change to
-- the policy changes permissions (see 20261123000004_permissions_epoch.sql).
create trigger permissions_epoch_account_password_policies after insert or update or delete or truncate
    on account_password_policies for each statement execute function bump_permissions_epoch();

-- Sign-in throttling for IAM users and root users: consecutive failures since the last success,
-- how many lockouts in a row (the next one lasts twice as long), and until when the current
-- lockout lasts.
alter table login_profiles
    add column failed_sign_ins integer not null default 0,
    add column lockouts        integer not null default 0,
    add column locked_until    timestamptz;
alter table root_users
    add column failed_sign_ins integer not null default 0,
    add column lockouts        integer not null default 0,
    add column locked_until    timestamptz;

-- Previous password hashes of IAM users, newest first by time, for reuse prevention. At most 24
-- are kept per user (the policy's maximum); the current password is the newest.
create table password_history (
    user_id       text not null references iam_users (user_id) on delete cascade,
    password_hash text not null,
    set_at        timestamptz not null default now()
);
create index password_history_user_idx on password_history (user_id, set_at desc);
