-- The foundation schema: accounts, their root users, IAM users with login profiles, first-run setup
-- links, and the append-only event history. Sessions live in the tower_sessions schema, which the
-- session store creates itself at start.

-- An account: a 12-digit random ID and an optional alias that is unique across the deployment.
create table accounts (
    account_id  text primary key check (account_id ~ '^[0-9]{12}$'),
    alias       text check (
                    alias ~ '^[a-z0-9][a-z0-9-]*[a-z0-9]$'
                    and alias !~ '--'
                    and length(alias) between 3 and 63
                    and alias !~ '^[0-9]+$'),
    created_at  timestamptz not null default now(),
    constraint accounts_alias_key unique (alias)
);

-- One root user per account. Root signs in with its email alone, so emails are unique across the
-- deployment, ignoring case.
create table root_users (
    account_id          text primary key references accounts (account_id) on delete cascade,
    email               text not null check (length(email) between 3 and 254),
    password_hash       text not null,
    password_changed_at timestamptz not null default now(),
    password_last_used  timestamptz,
    -- Raised to end every session of this principal (password change, sign out everywhere).
    auth_epoch          bigint not null default 0,
    created_at          timestamptz not null default now()
);
create unique index root_users_email_key on root_users (lower(email));

-- IAM users. Names are unique per account ignoring case, as in AWS.
create table iam_users (
    user_id     text primary key check (user_id ~ '^AIDA[A-Z2-7]{17}$'),
    account_id  text not null references accounts (account_id) on delete cascade,
    user_name   text not null check (user_name ~ '^[A-Za-z0-9+=,.@_-]{1,64}$'),
    path        text not null default '/' check (length(path) between 1 and 512),
    disabled_at timestamptz,
    auth_epoch  bigint not null default 0,
    created_at  timestamptz not null default now()
);
create unique index iam_users_name_key on iam_users (account_id, lower(user_name));

-- A console password. Absent means the user cannot sign in to the console.
create table login_profiles (
    user_id                 text primary key references iam_users (user_id) on delete cascade,
    password_hash           text not null,
    password_reset_required boolean not null default false,
    created_at              timestamptz not null default now(),
    password_changed_at     timestamptz not null default now(),
    password_last_used      timestamptz
);

-- First-run setup links. Only a SHA-256 of the token is kept; a link works once and expires.
create table setup_tokens (
    token_hash  bytea primary key,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    used_at     timestamptz,
    account_id  text references accounts (account_id)
);

-- The event history: every change and every sign-in attempt, written in the same transaction as
-- the change it records. Never updated, never deleted (the triggers below refuse it).
create table events (
    event_id      bigint generated always as identity primary key,
    event_time    timestamptz not null default now(),
    account_id    text references accounts (account_id),
    event_source  text not null,   -- signin | console | cli | setup
    event_name    text not null,   -- ConsoleLogin, CreateAccount, CreateUser, ...
    actor_arn     text,            -- who; null when nobody was authenticated
    actor_detail  text,            -- what the actor typed to identify itself, for failed sign-ins
    source_ip     text,
    user_agent    text,
    outcome       text not null check (outcome in ('success', 'failure')),
    error_code    text,            -- why it failed; shown to administrators only
    resource_arn  text,
    request       jsonb not null default '{}'::jsonb,  -- parameters, never secrets
    before_state  jsonb,
    after_state   jsonb
);
create index events_account_time_idx on events (account_id, event_time desc, event_id desc);

create function events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the event history is append-only';
end;
$$;
create trigger events_no_update_or_delete before update or delete on events
    for each row execute function events_append_only();
create trigger events_no_truncate before truncate on events
    for each statement execute function events_append_only();
