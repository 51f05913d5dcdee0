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

impl Iam {
    /// Adds or replaces tags on a user, authorized as `iam:TagUser`.
    /// A key that differs only in case from an existing one replaces it.
    pub async fn tag_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        tags: &[Tag],
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let keys: Vec<String> = tags.iter().map(|t| t.key.clone()).collect();
        let (mut tx, u) = self
            .begin_change(actor, account, Kind::User, user.as_str(), "iam:TagUser", &[])
            .await?;
        check_unique(&keys)?;
        for t in tags {
            sqlx::query!(
                "delete from user_tags where user_id = $1 and lower(tag_key) = lower($2)",
                u.id,
                t.key
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "insert into user_tags (user_id, tag_key, tag_value) values ($1, $2, $3)",
                u.id,
                t.key,
                t.value
            )
            .execute(&mut *tx)
            .await?;
        }
        let total = sqlx::query_scalar!(
            r#"select count(*) as "n!" from user_tags where user_id = $1"#,
            u.id
        )
        .fetch_one(&mut *tx)
        .await?;
        if total > MAX_TAGS as i64 {
            return Err(Error::LimitExceeded {
                quota: "TagsPerUser",
                limit: MAX_TAGS as u32,
            });
        }
        events::append(
            &mut tx,
            change(
                account,
                source,
                "TagUser",
                actor,
                meta,
                &u.arn,
                json!({"userName": u.name, "tags": tags}),
            ),
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
            .begin_change(actor, account, Kind::User, user.as_str(), "iam:UntagUser", &[])
            .await?;
        let lower: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
        sqlx::query!(
            "delete from user_tags where user_id = $1 and lower(tag_key) = any($2)",
            u.id,
            &lower
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "UntagUser",
                actor,
                meta,
                &u.arn,
                json!({"userName": u.name, "tagKeys": keys}),
            ),
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
        let keys: Vec<String> = tags.iter().map(|t| t.key.clone()).collect();
        check_unique(&keys)?;
        if tags.len() > MAX_TAGS {
            return Err(Error::LimitExceeded {
                quota: "TagsPerUser",
                limit: MAX_TAGS as u32,
            });
        }
        for t in tags {
            sqlx::query!(
                "insert into user_tags (user_id, tag_key, tag_value) values ($1, $2, $3)",
                user_id,
                t.key,
                t.value
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// Adds or replaces tags on a customer managed policy, authorized as `iam:TagPolicy`.
    pub async fn tag_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        tags: &[Tag],
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let keys: Vec<String> = tags.iter().map(|t| t.key.clone()).collect();
        check_unique(&keys)?;
        let (mut tx, p) = self
            .begin_policy_change(actor, account, policy_arn, "iam:TagPolicy")
            .await?;
        for t in tags {
            sqlx::query!(
                "delete from policy_tags where policy_id = $1 and lower(tag_key) = lower($2)",
                p.policy_id,
                t.key
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query!(
                "insert into policy_tags (policy_id, tag_key, tag_value) values ($1, $2, $3)",
                p.policy_id,
                t.key,
                t.value
            )
            .execute(&mut *tx)
            .await?;
        }
        let total = sqlx::query_scalar!(
            r#"select count(*) as "n!" from policy_tags where policy_id = $1"#,
            p.policy_id
        )
        .fetch_one(&mut *tx)
        .await?;
        if total > MAX_TAGS as i64 {
            return Err(Error::LimitExceeded {
                quota: "TagsPerPolicy",
                limit: MAX_TAGS as u32,
            });
        }
        events::append(
            &mut tx,
            change(
                account,
                source,
                "TagPolicy",
                actor,
                meta,
                policy_arn,
                json!({"policyArn": policy_arn, "tags": tags}),
            ),
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
            .begin_policy_change(actor, account, policy_arn, "iam:UntagPolicy")
            .await?;
        let lower: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
        sqlx::query!(
            "delete from policy_tags where policy_id = $1 and lower(tag_key) = any($2)",
            p.policy_id,
            &lower
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "UntagPolicy",
                actor,
                meta,
                policy_arn,
                json!({"policyArn": policy_arn, "tagKeys": keys}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A policy's tags, by key; part of reading the policy.
    pub(crate) async fn policy_tags(&self, policy_id: &str) -> Result<Vec<Tag>> {
        Ok(sqlx::query_as!(
            Tag,
            "select tag_key as key, tag_value as value from policy_tags where policy_id = $1 order by lower(tag_key)",
            policy_id
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// A user's tags, by key; part of reading the user.
    pub(crate) async fn user_tags(&self, user_id: &str) -> Result<Vec<Tag>> {
        Ok(sqlx::query_as!(
            Tag,
            "select tag_key as key, tag_value as value from user_tags where user_id = $1 order by lower(tag_key)",
            user_id
        )
        .fetch_all(self.pool())
        .await?)
    }
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
