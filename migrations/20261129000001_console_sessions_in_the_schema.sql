-- The console's session table, until now made at start by the session store
-- (tower-sessions-sqlx-store's PostgresStore::migrate, whose definition this is, word for word),
-- becomes part of the schema: a successful sign-in now stores its new session in the same
-- statement that records the sign-in (crates/iam signin.rs, record_sign_in_with_session), and
-- that statement is checked against the schema at build time like every other. On a database
-- the store has already set up, both statements do nothing; the store's own set-up, which still
-- runs at start, then does nothing either.
create schema if not exists "tower_sessions";

create table if not exists "tower_sessions"."session"
(
    id text primary key not null,
    data bytea not null,
    expiry_date timestamptz not null
);
