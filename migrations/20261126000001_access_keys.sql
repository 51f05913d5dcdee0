-- Credentials, part three: access keys, the credentials of the IAM API (SigV4).
--
-- A key belongs to an IAM user, or to the account's root user when user_id is null; at most two
-- per owner (AWS's AccessKeysPerUser quota, enforced by the service under the owner's row lock).
-- The server must compute SigV4 signatures with the secret, so the secret is not hashed: it is
-- sealed with the server's secret key (AES-256-GCM; `key_id` names the key, the access key ID is
-- the associated data, so a sealed secret cannot be moved to another key's row). Last used: the
-- time, service and region of the last request the key signed.
create table access_keys (
    access_key_id     text primary key check (access_key_id ~ '^AKIA[A-Z2-7]{16}$'),
    account_id        text not null references accounts (account_id) on delete cascade,
    user_id           text references iam_users (user_id) on delete cascade,
    secret            bytea not null,
    key_id            text not null,
    status            text not null default 'Active' check (status in ('Active', 'Inactive')),
    created_at        timestamptz not null,
    last_used_at      timestamptz,
    last_used_service text,
    last_used_region  text
);
create index access_keys_user_idx on access_keys (user_id) where user_id is not null;
create index access_keys_root_idx on access_keys (account_id) where user_id is null;
