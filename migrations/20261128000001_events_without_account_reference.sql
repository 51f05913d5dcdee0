-- The event history no longer references accounts with a foreign key. Every event insert (each
-- sign-in, each API call, each change) made Postgres look up the account row and lock it
-- FOR KEY SHARE, and concurrent inserts in one account shared that lock through a multixact:
-- work on the hottest path for a guarantee nobody needs. Accounts are never deleted, every
-- account_id an event carries was read from the database by the same request, and an
-- append-only audit trail should not depend on the rows it describes staying in place.
-- The column, its index and the append-only triggers are unchanged.
alter table events drop constraint events_account_id_fkey;
