-- Tags on users and customer managed policies, as in AWS: at most 50 per resource, keys up to 128
-- characters and values up to 256. IAM treats keys that differ only in case as the same key.
create table user_tags (
    user_id    text not null references iam_users (user_id) on delete cascade,
    tag_key    text not null check (length(tag_key) between 1 and 128),
    tag_value  text not null check (length(tag_value) <= 256),
    primary key (user_id, tag_key)
);
create unique index user_tags_key_ci on user_tags (user_id, lower(tag_key));

create table policy_tags (
    policy_id  text not null references managed_policies (policy_id) on delete cascade,
    tag_key    text not null check (length(tag_key) between 1 and 128),
    tag_value  text not null check (length(tag_value) <= 256),
    primary key (policy_id, tag_key)
);
create unique index policy_tags_key_ci on policy_tags (policy_id, lower(tag_key));
