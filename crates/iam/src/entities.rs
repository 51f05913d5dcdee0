//! The users and groups that policies belong to. Attaching, detaching and inline policies work the
//! same way for both; only the tables, the action names and the limits differ, and those are
//! looked up here, so each operation is written once for both kinds.

use serde_json::Value;

use crate::authz::Actor;
use crate::events::{NewEvent, Outcome, RequestMeta, Source};
use crate::{AccountId, Error, Iam, Result};

/// Which kind of entity an operation is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
}

impl Kind {
    /// The AWS action (without `iam:`) of an operation on this kind: `pick("AttachUserPolicy",
    /// "AttachGroupPolicy")`.
    pub fn pick(self, user: &'static str, group: &'static str) -> &'static str {
        match self {
            Self::User => user,
            Self::Group => group,
        }
    }

    /// The request parameter that names the entity in events, as the AWS API names it.
    pub fn name_key(self) -> &'static str {
        self.pick("userName", "groupName")
    }

    pub fn noun(self) -> &'static str {
        self.pick("user", "group")
    }
}

/// A user or group as stored, with its ARN.
pub(crate) struct Entity {
    pub kind: Kind,
    pub id: String,
    pub name: String,
    pub arn: String,
}

/// A transaction with the user or group a change is about, found and locked.
pub(crate) type Change = (sqlx::Transaction<'static, sqlx::Postgres>, Entity);

impl Iam {
    /// Starts a change to a user or group: a transaction in which the entity is found and locked,
    /// and `action` authorized on its ARN (with `extra` context keys such as `iam:PolicyARN`, and
    /// a user's tags as `aws:ResourceTag/*`).
    pub(crate) async fn begin_change(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: Kind,
        name: &str,
        action: &str,
        extra: &[(&str, &str)],
    ) -> Result<Change> {
        let mut tx = self.pool().begin().await?;
        let (entity, tags) = self.find_tagged_entity(&mut tx, account, kind, name).await?;
        self.authorize_on_entity(actor, account, &entity, &tags, action, extra)
            .await?;
        Ok((tx, entity))
    }

    /// Authorizes `action` on a user or group, with `extra` context keys and the entity's tags
    /// (a user's) as its resource tags (aws:ResourceTag/*, iam:ResourceTag/*).
    pub(crate) async fn authorize_on_entity(
        &self,
        actor: &Actor,
        account: &AccountId,
        entity: &Entity,
        tags: &[crate::Tag],
        action: &str,
        extra: &[(&str, &str)],
    ) -> Result<()> {
        self.authorize_tagged(actor, account, &entity.arn, tags, action, extra)
            .await
    }

    /// Authorizes `action` on the resource `arn`, with `extra` context keys and the resource's
    /// tags as aws:ResourceTag/* and iam:ResourceTag/*.
    pub(crate) async fn authorize_tagged(
        &self,
        actor: &Actor,
        account: &AccountId,
        arn: &str,
        tags: &[crate::Tag],
        action: &str,
        extra: &[(&str, &str)],
    ) -> Result<()> {
        let tag_keys: Vec<(String, String)> = tags
            .iter()
            .flat_map(|t| {
                [
                    (format!("aws:ResourceTag/{}", t.key), t.value.clone()),
                    (format!("iam:ResourceTag/{}", t.key), t.value.clone()),
                ]
            })
            .collect();
        let mut context: Vec<(&str, &str)> = extra.to_vec();
        context.extend(tag_keys.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let _ok = self.authorize_with(actor, action, arn, account, &context).await?;
        Ok(())
    }

    /// Finds a user or group of `account` by name, ignoring case, and locks its row until the
    /// transaction ends, so that concurrent changes to it (and its quotas) happen one at a time.
    pub(crate) async fn find_entity(
        &self,
        conn: &mut sqlx::PgConnection,
        account: &AccountId,
        kind: Kind,
        name: &str,
    ) -> Result<Entity> {
        Ok(self.find_tagged_entity(conn, account, kind, name).await?.0)
    }

    /// As [`Iam::find_entity`], with the entity's tags (a user's; groups have none), read in
    /// the same query.
    async fn find_tagged_entity(
        &self,
        conn: &mut sqlx::PgConnection,
        account: &AccountId,
        kind: Kind,
        name: &str,
    ) -> Result<(Entity, Vec<crate::Tag>)> {
        let row = match kind {
            Kind::User => sqlx::query!(
                r#"select user_id as id, user_name as name, path,
                          array(select tag_key from user_tags t where t.user_id = u.user_id
                                 order by lower(tag_key)) as "tag_keys!",
                          array(select tag_value from user_tags t where t.user_id = u.user_id
                                 order by lower(tag_key)) as "tag_values!"
                     from iam_users u
                    where account_id = $1 and lower(user_name) = lower($2) for update"#,
                account.as_str(),
                name,
            )
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.id, r.name, r.path, r.tag_keys, r.tag_values)),
            Kind::Group => sqlx::query!(
                "select group_id as id, group_name as name, path from iam_groups \
                 where account_id = $1 and lower(group_name) = lower($2) for update",
                account.as_str(),
                name,
            )
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| (r.id, r.name, r.path, Vec::new(), Vec::new())),
        };
        let row = row.ok_or_else(|| Error::NotFound {
            kind: kind.noun(),
            name: name.to_owned(),
        })?;
        Ok(self.tagged_entity(account, kind, row))
    }

    /// A user or group and its tags from a row of (ID, name, path, tag keys, tag values).
    pub(crate) fn tagged_entity(
        &self,
        account: &AccountId,
        kind: Kind,
        (id, name, path, keys, values): (String, String, String, Vec<String>, Vec<String>),
    ) -> (Entity, Vec<crate::Tag>) {
        let tags = keys
            .into_iter()
            .zip(values)
            .map(|(key, value)| crate::Tag { key, value })
            .collect();
        let entity = Entity {
            arn: self.partition().entity_arn(account, kind.noun(), &path, &name),
            kind,
            id,
            name,
        };
        (entity, tags)
    }
}

/// The event of a successful change.
pub(crate) fn change<'a>(
    account: &'a AccountId,
    source: Source,
    name: &'static str,
    actor: &Actor,
    meta: &'a RequestMeta,
    resource_arn: &str,
    request: Value,
) -> NewEvent<'a> {
    NewEvent {
        account_id: Some(account),
        source,
        name,
        actor_arn: actor.arn().map(str::to_owned),
        actor_detail: Some(actor.label()),
        meta,
        outcome: Outcome::Success,
        error_code: None,
        resource_arn: Some(resource_arn.to_owned()),
        request,
        before: None,
        after: None,
    }
}
