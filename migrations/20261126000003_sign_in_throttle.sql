-- Sign-in throttling by source address: failed sign-ins (any reason: unknown account or user,
-- wrong password or MFA code, locked out) counted per IP address in a fixed window. Past the
-- limit, sign-ins from that address fail at once, without a password check, until the window
-- ends. This stops password spraying across many user names, which the per-user lockout cannot
-- see, and it never locks a user out: other addresses are unaffected.
create table sign_in_throttle (
    source_ip         text primary key,
    window_started_at timestamptz not null,
    failures          integer not null
);
