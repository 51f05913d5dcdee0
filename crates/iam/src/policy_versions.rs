//! Changing customer managed policies: versions (at most `VersionsPerPolicy`, exactly one
//! default; a new version may become the default, an older one may be made the default again as a
//! rollback; only non-default versions can be deleted), and deleting a policy that is attached
//! nowhere. System policies cannot be changed, even by administrators, as in AWS.

use gatehouse_policy::{Policy, PolicyKind};
use serde_json::json;

use crate::authz::Actor;
use crate::entities::change;
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, Iam, Result};

pub(crate) struct PolicyRow {
    pub(crate) policy_id: String,
    default_version: String,
}

impl Iam {
    /// Adds a version to a customer managed policy, authorized as `iam:CreatePolicyVersion`;
    /// with `set_as_default` it becomes the version in force. Returns the new version's ID.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_policy_version(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        document: &str,
        set_as_default: bool,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<String> {
        Policy::parse(document, PolicyKind::Managed)
            .map_err(|e| Error::MalformedPolicyDocument(e.to_string()))?;
        let (mut tx, p) = self
            .begin_policy_change(actor, account, policy_arn, "iam:CreatePolicyVersion", &[])
            .await?;
        let versions = sqlx::query_scalar!(
            "select version_id from policy_versions where policy_id = $1",
            p.policy_id
        )
        .fetch_all(&mut *tx)
        .await?;
        let limit = self.quotas().versions_per_policy;
        if versions.len() >= limit as usize {
            return Err(Error::LimitExceeded {
                quota: "VersionsPerPolicy",
                limit,
            });
        }
        // Version numbers only grow, even after deletions, as in AWS.
        let number = sqlx::query_scalar!(
            "update managed_policies set last_version = last_version + 1, updated_at = now() \
             where policy_id = $1 returning last_version",
            p.policy_id
        )
        .fetch_one(&mut *tx)
        .await?;
        let version = format!("v{number}");
        sqlx::query!(
            "insert into policy_versions (policy_id, version_id, document) values ($1, $2, $3)",
            p.policy_id,
            version,
            document,
        )
        .execute(&mut *tx)
        .await?;
        if set_as_default {
            set_default(&mut tx, &p.policy_id, &version).await?;
        }
        events::append(
            &mut tx,
            change(
                account,
                source,
                "CreatePolicyVersion",
                actor,
                meta,
                policy_arn,
                json!({"policyArn": policy_arn, "versionId": version, "setAsDefault": set_as_default, "policyDocument": document}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Makes `version` the version in force (a rollback when it is an older one), authorized as
    /// `iam:SetDefaultPolicyVersion`.
    pub async fn set_default_policy_version(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        version: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, p) = self
            .begin_policy_change(actor, account, policy_arn, "iam:SetDefaultPolicyVersion", &[])
            .await?;
        version_exists(&mut tx, &p.policy_id, policy_arn, version).await?;
        set_default(&mut tx, &p.policy_id, version).await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "SetDefaultPolicyVersion",
                actor,
                meta,
                policy_arn,
                json!({"policyArn": policy_arn, "versionId": version, "previousDefault": p.default_version}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a version that is not the default, authorized as `iam:DeletePolicyVersion`.
    pub async fn delete_policy_version(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        version: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, p) = self
            .begin_policy_change(actor, account, policy_arn, "iam:DeletePolicyVersion", &[])
            .await?;
        version_exists(&mut tx, &p.policy_id, policy_arn, version).await?;
        if p.default_version == version {
            return Err(Error::DeleteConflict(
                "Cannot delete the default version of a policy. Make another version the default first.",
            ));
        }
        sqlx::query!(
            "delete from policy_versions where policy_id = $1 and version_id = $2",
            p.policy_id,
            version
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "DeletePolicyVersion",
                actor,
                meta,
                policy_arn,
                json!({"policyArn": policy_arn, "versionId": version}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a customer managed policy and all its versions, authorized as `iam:DeletePolicy`;
    /// refused while it is attached to a user or group (or is a user's permissions boundary).
    pub async fn delete_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, p) = self
            .begin_policy_change(actor, account, policy_arn, "iam:DeletePolicy", &[])
            .await?;
        let in_use: i64 = sqlx::query_scalar!(
            r#"select (select count(*) from user_policy_attachments where policy_id = $1)
                    + (select count(*) from group_policy_attachments where policy_id = $1)
                    + (select count(*) from iam_users where permissions_boundary = $1) as "n!""#,
            p.policy_id
        )
        .fetch_one(&mut *tx)
        .await?;
        if in_use > 0 {
            return Err(Error::DeleteConflict(
                "Cannot delete a policy attached to entities. Detach it from every user and group first.",
            ));
        }
        sqlx::query!("delete from managed_policies where policy_id = $1", p.policy_id)
            .execute(&mut *tx)
            .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "DeletePolicy",
                actor,
                meta,
                policy_arn,
                json!({"policyArn": policy_arn}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a change to a customer managed policy: `action` authorized on its ARN (with its
    /// tags as aws:ResourceTag/*), then a transaction in which the policy is found and locked.
    /// System policies are refused.
    pub(crate) async fn begin_policy_change(
        &self,
        actor: &Actor,
        account: &AccountId,
        arn: &str,
        action: &str,
        extra: &[(&str, &str)],
    ) -> Result<(sqlx::Transaction<'static, sqlx::Postgres>, PolicyRow)> {
        let tags = self.policy_tags_by_arn(account, arn).await?;
        self.authorize_tagged(actor, account, arn, &tags, action, extra)
            .await?;
        let system = format!("arn:{}:iam::aws:policy/", self.partition().as_str());
        if arn.starts_with(&system) {
            return Err(Error::AccessDenied {
                actor: actor.label(),
                action: action.to_owned(),
                resource: arn.to_owned(),
            });
        }
        let mut tx = self.pool().begin().await?;
        let policy_id = self.attachable_policy(&mut tx, account, arn).await?;
        let row = sqlx::query_as!(
            PolicyRow,
            "select policy_id, default_version from managed_policies where policy_id = $1 for update",
            policy_id
        )
        .fetch_one(&mut *tx)
        .await?;
        Ok((tx, row))
    }
}

async fn set_default(conn: &mut sqlx::PgConnection, policy_id: &str, version: &str) -> Result<()> {
    sqlx::query!(
        "update managed_policies set default_version = $2, updated_at = now() where policy_id = $1",
        policy_id,
        version
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn version_exists(
    conn: &mut sqlx::PgConnection,
    policy_id: &str,
    arn: &str,
    version: &str,
) -> Result<()> {
    let found = sqlx::query_scalar!(
        "select 1 as one from policy_versions where policy_id = $1 and version_id = $2",
        policy_id,
        version
    )
    .fetch_optional(&mut *conn)
    .await?;
    found.map(|_| ()).ok_or_else(|| Error::NotFound {
        kind: "policy version",
        name: format!("{version} of {arn}"),
    })
}
