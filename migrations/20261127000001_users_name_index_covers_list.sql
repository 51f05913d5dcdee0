-- The Users list reads its rows from the name index alone. The columns a row of the list shows
-- from iam_users ride along in the index (INCLUDE), so a page, and a search that filters names
-- while it walks the index in name order, is an index-only scan that never visits the table.
-- (user_name itself is included because Postgres only runs index-only scans that filter on an
-- index expression when the columns under the expression are in the index too.)
-- The index keeps its name: unique violations are mapped to errors by it.
create unique index iam_users_name_key_covering on iam_users (account_id, lower(user_name))
    include (user_id, user_name, path, created_at, disabled_at);
drop index iam_users_name_key;
alter index iam_users_name_key_covering rename to iam_users_name_key;
