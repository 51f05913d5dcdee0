-- Credentials, part two: virtual MFA devices (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps).
--
-- A device is created unassigned (AWS CreateVirtualMFADevice: the seed exists, nobody uses it
-- yet) and assigned to its owner, the root user (user_id null) or an IAM user, once two
-- consecutive codes prove the owner's authenticator holds the seed (EnableMFADevice). The seed is
-- encrypted with the server's secret key (AES-256-GCM; `key_id` names the key, the serial number
-- is the associated data). `last_used_step` is the last time step whose code was accepted: a code
-- is accepted only for a later step, so none is usable twice. `drift_steps` is the clock drift a
-- resync measured.
create table mfa_devices (
    serial_number  text primary key,
    account_id     text not null references accounts (account_id) on delete cascade,
    -- The owner: an IAM user, or the account's root user when null.
    user_id        text references iam_users (user_id) on delete cascade,
    device_name    text not null check (device_name ~ '^[\w+=,.@-]{1,64}$'),
    seed           bytea not null,
    key_id         text not null,
    created_at     timestamptz not null default now(),
    -- Null while unassigned.
    enabled_at     timestamptz,
    last_used_step bigint not null default 0,
    drift_steps    integer not null default 0
);
create index mfa_devices_user_idx on mfa_devices (user_id) where user_id is not null;
create index mfa_devices_root_idx on mfa_devices (account_id) where user_id is null;
-- Device names are unique in an account ignoring case, like every IAM name.
create unique index mfa_devices_name_key on mfa_devices (account_id, lower(device_name));
