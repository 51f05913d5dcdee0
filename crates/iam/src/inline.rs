//! Inline policies: embedded in one user or group, named uniquely within it, deleted with it,
//! without versions. A user's inline policies together may have at most `UserPolicySize`
//! characters (whitespace not counted), a group's `GroupPolicySize`, as AWS counts them.

use gatehouse_policy::{policy_size, Policy, PolicyKind};
use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, GroupName, Iam, PolicyName, Result, UserName};

impl Iam {
    /// Adds or replaces a user's inline policy, authorized as `iam:PutUserPolicy` on the user.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_user_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        name: &PolicyName,
        document: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.put_inline(
            actor,
            account,
            Kind::User,
            user.as_str(),
            name,
            document,
            source,
            meta,
        )
        .await
    }

    /// Adds or replaces a group's inline policy, authorized as `iam:PutGroupPolicy` on the group.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_group_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        name: &PolicyName,
        document: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.put_inline(
            actor,
            account,
            Kind::Group,
            group.as_str(),
            name,
            document,
            source,
            meta,
        )
        .await
    }

    /// Deletes a user's inline policy, authorized as `iam:DeleteUserPolicy` on the user.
    pub async fn delete_user_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        name: &PolicyName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.delete_inline(actor, account, Kind::User, user.as_str(), name, source, meta)
            .await
    }

    /// Deletes a group's inline policy, authorized as `iam:DeleteGroupPolicy` on the group.
    pub async fn delete_group_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        name: &PolicyName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.delete_inline(actor, account, Kind::Group, group.as_str(), name, source, meta)
            .await
    }

    /// A user's inline policy document, authorized as `iam:GetUserPolicy` on the user.
    pub async fn get_user_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        name: &PolicyName,
    ) -> Result<String> {
        self.get_inline(actor, account, Kind::User, user.as_str(), name)
            .await
    }

    /// A group's inline policy document, authorized as `iam:GetGroupPolicy` on the group.
    pub async fn get_group_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        name: &PolicyName,
    ) -> Result<String> {
        self.get_inline(actor, account, Kind::Group, group.as_str(), name)
            .await
    }

    async fn get_inline(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: Kind,
        owner: &str,
        name: &PolicyName,
    ) -> Result<String> {
        let action = kind.pick("iam:GetUserPolicy", "iam:GetGroupPolicy");
        // A read: the transaction only finds the entity; nothing is written.
        let (mut tx, entity) = self
            .begin_change(actor, account, kind, owner, action, &[])
            .await?;
        let document = match kind {
            Kind::User => {
                sqlx::query_scalar!(
                    "select document from user_inline_policies where user_id = $1 and policy_name = $2",
                    entity.id,
                    name.as_str()
                )
                .fetch_optional(&mut *tx)
                .await?
            }
            Kind::Group => {
                sqlx::query_scalar!(
                    "select document from group_inline_policies where group_id = $1 and policy_name = $2",
                    entity.id,
                    name.as_str()
                )
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        tx.rollback().await?;
        document.ok_or_else(|| Error::NotFound {
            kind: "inline policy",
            name: name.to_string(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn put_inline(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: Kind,
        owner: &str,
        name: &PolicyName,
        document: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (policy_kind, quota, limit) = match kind {
            Kind::User => (
                PolicyKind::UserInline,
                "UserPolicySize",
                self.quotas().user_inline_size,
            ),
            Kind::Group => (
                PolicyKind::GroupInline,
                "GroupPolicySize",
                self.quotas().group_inline_size,
            ),
        };
        Policy::parse(document, policy_kind).map_err(|e| Error::MalformedPolicyDocument(e.to_string()))?;
        let action = kind.pick("PutUserPolicy", "PutGroupPolicy");
        let (mut tx, entity) = self
            .begin_change(actor, account, kind, owner, &format!("iam:{action}"), &[])
            .await?;
        let others = match kind {
            Kind::User => {
                sqlx::query_scalar!(
                    "select document from user_inline_policies where user_id = $1 and policy_name <> $2",
                    entity.id,
                    name.as_str()
                )
                .fetch_all(&mut *tx)
                .await?
            }
            Kind::Group => {
                sqlx::query_scalar!(
                    "select document from group_inline_policies where group_id = $1 and policy_name <> $2",
                    entity.id,
                    name.as_str()
                )
                .fetch_all(&mut *tx)
                .await?
            }
        };
        let total = others.iter().map(|d| policy_size(d)).sum::<usize>() + policy_size(document);
        if total > limit {
            return Err(Error::LimitExceeded {
                quota,
                limit: u32::try_from(limit).unwrap_or(u32::MAX),
            });
        }
        match kind {
            Kind::User => sqlx::query!(
                "insert into user_inline_policies (user_id, policy_name, document) values ($1, $2, $3) \
                 on conflict (user_id, policy_name) do update set document = excluded.document, updated_at = now()",
                entity.id,
                name.as_str(),
                document
            )
            .execute(&mut *tx)
            .await?,
            Kind::Group => sqlx::query!(
                "insert into group_inline_policies (group_id, policy_name, document) values ($1, $2, $3) \
                 on conflict (group_id, policy_name) do update set document = excluded.document, updated_at = now()",
                entity.id,
                name.as_str(),
                document
            )
            .execute(&mut *tx)
            .await?,
        };
        let request = json!({kind.name_key(): entity.name, "policyName": name, "policyDocument": document});
        events::append(
            &mut tx,
            change(account, source, action, actor, meta, &entity.arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn delete_inline(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: Kind,
        owner: &str,
        name: &PolicyName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let action = kind.pick("DeleteUserPolicy", "DeleteGroupPolicy");
        let (mut tx, entity) = self
            .begin_change(actor, account, kind, owner, &format!("iam:{action}"), &[])
            .await?;
        let deleted = match kind {
            Kind::User => {
                sqlx::query!(
                    "delete from user_inline_policies where user_id = $1 and policy_name = $2",
                    entity.id,
                    name.as_str()
                )
                .execute(&mut *tx)
                .await?
            }
            Kind::Group => {
                sqlx::query!(
                    "delete from group_inline_policies where group_id = $1 and policy_name = $2",
                    entity.id,
                    name.as_str()
                )
                .execute(&mut *tx)
                .await?
            }
        };
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "policy",
                name: name.to_string(),
            });
        }
        let request = json!({kind.name_key(): entity.name, "policyName": name});
        events::append(
            &mut tx,
            change(account, source, action, actor, meta, &entity.arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
