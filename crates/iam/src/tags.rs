//! Tags on users and customer managed policies: validated as AWS validates them, at most
//! `TagsPerResource` (50) per resource, keys unique ignoring case, and a user's tags in its
//! request context as `aws:PrincipalTag/<key>`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, Iam, Result, UserName};

/// One tag: a key (1–128 characters) and a value (0–256), of letters, digits, spaces and
/// `_ . : / = + - @`; keys may not start with `aws:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: &str, value: &str) -> Result<Self> {
        let allowed = |s: &str| {
            s.chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c))
        };
        let key = key.trim();
        if key.is_empty() || key.chars().count() > 128 || !allowed(key) {
            return Err(Error::Invalid {
                field: "tag key",
                reason: format!("{key:?} must be 1–128 letters, digits, spaces or _ . : / = + - @"),
            });
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(Error::Invalid {
                field: "tag key",
                reason: format!("{key:?} may not start with aws: (reserved for AWS)"),
            });
        }
        if value.chars().count() > 256 || !allowed(value) {
            return Err(Error::Invalid {
                field: "tag value",
                reason: format!("of {key} must be at most 256 letters, digits, spaces or _ . : / = + - @"),
            });
        }
        Ok(Self {
            key: key.to_owned(),
            value: value.to_owned(),
        })
    }
}

/// TagsPerResource
pub const MAX_TAGS: usize = 50;

/// What carries tags: the table (and the quota's name) differ, the rules do not.
#[derive(Clone, Copy)]
pub(crate) enum Tagged {
    User,
    Policy,
}

impl Tagged {
    fn quota(self) -> &'static str {
        match self {
            Self::User => "TagsPerUser",
            Self::Policy => "TagsPerPolicy",
        }
    }
}

/// Adds or replaces `tags` on the resource `id` (a key that differs only in case replaces the
/// existing one), in the caller's transaction; at most [`MAX_TAGS`] afterwards.
async fn write_tags(conn: &mut sqlx::PgConnection, what: Tagged, id: &str, tags: &[Tag]) -> Result<()> {
    let keys: Vec<String> = tags.iter().map(|t| t.key.clone()).collect();
    check_unique(&keys)?;
    for t in tags {
        match what {
            Tagged::User => {
                sqlx::query!(
                    "delete from user_tags where user_id = $1 and lower(tag_key) = lower($2)",
                    id,
                    t.key
                )
                .execute(&mut *conn)
                .await?;
                sqlx::query!(
                    "insert into user_tags (user_id, tag_key, tag_value) values ($1, $2, $3)",
                    id,
                    t.key,
                    t.value
                )
                .execute(&mut *conn)
                .await?;
            }
            Tagged::Policy => {
                sqlx::query!(
                    "delete from policy_tags where policy_id = $1 and lower(tag_key) = lower($2)",
                    id,
                    t.key
                )
                .execute(&mut *conn)
                .await?;
                sqlx::query!(
                    "insert into policy_tags (policy_id, tag_key, tag_value) values ($1, $2, $3)",
                    id,
                    t.key,
                    t.value
                )
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    if read_tags(&mut *conn, what, id).await?.len() > MAX_TAGS {
        return Err(Error::LimitExceeded {
            quota: what.quota(),
            limit: MAX_TAGS as u32,
        });
    }
    Ok(())
}

/// Removes the tags with these keys (ignoring case) from the resource `id`.
async fn remove_tags(conn: &mut sqlx::PgConnection, what: Tagged, id: &str, keys: &[String]) -> Result<()> {
    let lower: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
    match what {
        Tagged::User => {
            sqlx::query!(
                "delete from user_tags where user_id = $1 and lower(tag_key) = any($2)",
                id,
                &lower
            )
            .execute(&mut *conn)
            .await?
        }
        Tagged::Policy => {
            sqlx::query!(
                "delete from policy_tags where policy_id = $1 and lower(tag_key) = any($2)",
                id,
                &lower
            )
            .execute(&mut *conn)
            .await?
        }
    };
    Ok(())
}

/// The tags of the resource `id`, by key.
pub(crate) async fn read_tags(conn: &mut sqlx::PgConnection, what: Tagged, id: &str) -> Result<Vec<Tag>> {
    Ok(match what {
        Tagged::User => {
            sqlx::query_as!(
                Tag,
                "select tag_key as key, tag_value as value from user_tags where user_id = $1 order by lower(tag_key)",
                id
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Tagged::Policy => {
            sqlx::query_as!(
                Tag,
                "select tag_key as key, tag_value as value from policy_tags where policy_id = $1 order by lower(tag_key)",
                id
            )
            .fetch_all(&mut *conn)
            .await?
        }
    })
}

impl Iam {
    /// Adds or replaces tags on a user, authorized as `iam:TagUser`.
    pub async fn tag_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        tags: &[Tag],
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, u) = self
            .begin_change(
                actor,
                account,
                Kind::User,
                user.as_str(),
                "iam:TagUser",
                &request_tags(tags).as_pairs(),
            )
            .await?;
        write_tags(&mut tx, Tagged::User, &u.id, tags).await?;
        let request = json!({"userName": u.name, "tags": tags});
        events::append(
            &mut tx,
            change(account, source, "TagUser", actor, meta, &u.arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes tags from a user by key (ignoring case), authorized as `iam:UntagUser`.
    pub async fn untag_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        keys: &[String],
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, u) = self
            .begin_change(
                actor,
                account,
                Kind::User,
                user.as_str(),
                "iam:UntagUser",
                &tag_keys(keys).as_pairs(),
            )
            .await?;
        remove_tags(&mut tx, Tagged::User, &u.id, keys).await?;
        let request = json!({"userName": u.name, "tagKeys": keys});
        events::append(
            &mut tx,
            change(account, source, "UntagUser", actor, meta, &u.arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds or replaces tags on a customer managed policy, authorized as `iam:TagPolicy`.
    /// System policies are refused, as every change to them is.
    pub async fn tag_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        tags: &[Tag],
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, p) = self
            .begin_policy_change(
                actor,
                account,
                policy_arn,
                "iam:TagPolicy",
                &request_tags(tags).as_pairs(),
            )
            .await?;
        write_tags(&mut tx, Tagged::Policy, &p.policy_id, tags).await?;
        let request = json!({"policyArn": policy_arn, "tags": tags});
        events::append(
            &mut tx,
            change(account, source, "TagPolicy", actor, meta, policy_arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes tags from a customer managed policy by key (ignoring case), authorized as
    /// `iam:UntagPolicy`.
    pub async fn untag_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        keys: &[String],
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, p) = self
            .begin_policy_change(
                actor,
                account,
                policy_arn,
                "iam:UntagPolicy",
                &tag_keys(keys).as_pairs(),
            )
            .await?;
        remove_tags(&mut tx, Tagged::Policy, &p.policy_id, keys).await?;
        let request = json!({"policyArn": policy_arn, "tagKeys": keys});
        events::append(
            &mut tx,
            change(account, source, "UntagPolicy", actor, meta, policy_arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a new user's tags in the transaction that creates it (already authorized).
    pub(crate) async fn insert_user_tags(
        &self,
        conn: &mut sqlx::PgConnection,
        user_id: &str,
        tags: &[Tag],
    ) -> Result<()> {
        write_tags(conn, Tagged::User, user_id, tags).await
    }

    /// The tags of a user or policy, by key.
    pub(crate) async fn tags_of(&self, what: Tagged, id: &str) -> Result<Vec<Tag>> {
        let mut conn = self.pool().acquire().await?;
        read_tags(&mut conn, what, id).await
    }
}

/// Context keys of a request, owned (see [`Iam::authorize_with`]).
struct RequestKeys(Vec<(String, String)>);

impl RequestKeys {
    fn as_pairs(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

/// `aws:RequestTag/<key>` for each tag a request sets, and `aws:TagKeys`.
fn request_tags(tags: &[Tag]) -> RequestKeys {
    let mut keys: Vec<(String, String)> = tags
        .iter()
        .map(|t| (format!("aws:RequestTag/{}", t.key), t.value.clone()))
        .collect();
    keys.extend(tags.iter().map(|t| ("aws:TagKeys".to_owned(), t.key.clone())));
    RequestKeys(keys)
}

/// `aws:TagKeys`: the keys a request removes.
fn tag_keys(keys: &[String]) -> RequestKeys {
    RequestKeys(
        keys.iter()
            .map(|k| ("aws:TagKeys".to_owned(), k.clone()))
            .collect(),
    )
}

fn check_unique(keys: &[String]) -> Result<()> {
    let mut lower: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
    lower.sort();
    lower.dedup();
    if lower.len() != keys.len() {
        return Err(Error::Invalid {
            field: "tag key",
            reason: "appears twice: tag keys must be unique, ignoring case".into(),
        });
    }
    Ok(())
}
