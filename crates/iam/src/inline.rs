//! Inline policies: embedded in one user or group, named uniquely within it, deleted with it,
//! without versions. A user's inline policies together may have at most `UserPolicySize`
//! characters (whitespace not counted), a group's `GroupPolicySize`, as AWS counts them.

use gatehouse_policy::{policy_size, Policy, PolicyKind};
use serde_json::json;

use crate::authz::Actor;
use crate::events::{self, RequestMeta, Source};
use crate::groups::{change, find_group, find_user, parse};
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
        Policy::parse(document, PolicyKind::UserInline)
            .map_err(|e| Error::MalformedPolicyDocument(e.to_string()))?;
        let mut tx = self.pool().begin().await?;
        let u = find_user(&mut tx, account, user, true).await?;
        let arn = self
            .partition()
            .user_arn(account, &parse(&u.path)?, &parse(&u.user_name)?);
        let _ok = self.authorize(actor, "iam:PutUserPolicy", &arn, account).await?;
        let others = sqlx::query_scalar!(
            "select document from user_inline_policies where user_id = $1 and policy_name <> $2",
            u.user_id,
            name.as_str()
        )
        .fetch_all(&mut *tx)
        .await?;
        let total = others.iter().map(|d| policy_size(d)).sum::<usize>() + policy_size(document);
        let limit = self.quotas().user_inline_size;
        if total > limit {
            return Err(Error::LimitExceeded {
                quota: "UserPolicySize",
                limit: u32::try_from(limit).unwrap_or(u32::MAX),
            });
        }
        sqlx::query!(
            "insert into user_inline_policies (user_id, policy_name, document) values ($1, $2, $3) \
             on conflict (user_id, policy_name) do update set document = excluded.document, updated_at = now()",
            u.user_id,
            name.as_str(),
            document
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "PutUserPolicy",
                actor,
                meta,
                &arn,
                json!({"userName": u.user_name, "policyName": name, "policyDocument": document}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
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
        Policy::parse(document, PolicyKind::GroupInline)
            .map_err(|e| Error::MalformedPolicyDocument(e.to_string()))?;
        let mut tx = self.pool().begin().await?;
        let g = find_group(&mut tx, account, group).await?;
        sqlx::query!(
            "select 1 as one from iam_groups where group_id = $1 for update",
            g.group_id
        )
        .fetch_one(&mut *tx)
        .await?;
        let arn = self
            .partition()
            .group_arn(account, &parse(&g.path)?, &parse(&g.group_name)?);
        let _ok = self.authorize(actor, "iam:PutGroupPolicy", &arn, account).await?;
        let others = sqlx::query_scalar!(
            "select document from group_inline_policies where group_id = $1 and policy_name <> $2",
            g.group_id,
            name.as_str()
        )
        .fetch_all(&mut *tx)
        .await?;
        let total = others.iter().map(|d| policy_size(d)).sum::<usize>() + policy_size(document);
        let limit = self.quotas().group_inline_size;
        if total > limit {
            return Err(Error::LimitExceeded {
                quota: "GroupPolicySize",
                limit: u32::try_from(limit).unwrap_or(u32::MAX),
            });
        }
        sqlx::query!(
            "insert into group_inline_policies (group_id, policy_name, document) values ($1, $2, $3) \
             on conflict (group_id, policy_name) do update set document = excluded.document, updated_at = now()",
            g.group_id,
            name.as_str(),
            document
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "PutGroupPolicy",
                actor,
                meta,
                &arn,
                json!({"groupName": g.group_name, "policyName": name, "policyDocument": document}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
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
        let mut tx = self.pool().begin().await?;
        let u = find_user(&mut tx, account, user, false).await?;
        let arn = self
            .partition()
            .user_arn(account, &parse(&u.path)?, &parse(&u.user_name)?);
        let _ok = self
            .authorize(actor, "iam:DeleteUserPolicy", &arn, account)
            .await?;
        let deleted = sqlx::query!(
            "delete from user_inline_policies where user_id = $1 and policy_name = $2",
            u.user_id,
            name.as_str()
        )
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "policy",
                name: name.to_string(),
            });
        }
        events::append(
            &mut tx,
            change(
                account,
                source,
                "DeleteUserPolicy",
                actor,
                meta,
                &arn,
                json!({"userName": u.user_name, "policyName": name}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
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
        let mut tx = self.pool().begin().await?;
        let g = find_group(&mut tx, account, group).await?;
        let arn = self
            .partition()
            .group_arn(account, &parse(&g.path)?, &parse(&g.group_name)?);
        let _ok = self
            .authorize(actor, "iam:DeleteGroupPolicy", &arn, account)
            .await?;
        let deleted = sqlx::query!(
            "delete from group_inline_policies where group_id = $1 and policy_name = $2",
            g.group_id,
            name.as_str()
        )
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "policy",
                name: name.to_string(),
            });
        }
        events::append(
            &mut tx,
            change(
                account,
                source,
                "DeleteGroupPolicy",
                actor,
                meta,
                &arn,
                json!({"groupName": g.group_name, "policyName": name}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
