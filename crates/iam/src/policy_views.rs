//! Reading one managed policy: its default document, its versions and the users and groups it
//! is attached to, as the policy's detail page shows them.

use time::OffsetDateTime;

use crate::authz::Actor;
use crate::{AccountId, EntityRef, Iam, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDetail {
    pub policy_id: String,
    pub arn: String,
    pub name: String,
    pub path: String,
    pub system: bool,
    pub description: String,
    pub default_version: String,
    /// The default version's document, as written.
    pub document: String,
    pub versions: Vec<PolicyVersionInfo>,
    /// Users it is attached to directly (name, ARN).
    pub users: Vec<EntityRef>,
    pub groups: Vec<EntityRef>,
    pub tags: Vec<crate::Tag>,
    /// Users of this account whose permissions boundary it is.
    pub boundary_uses: i64,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersionInfo {
    pub version_id: String,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
    pub document: String,
}

/// Which read of a managed policy is asked for: the console's policy page is GetPolicy, and each
/// of the IAM API's reads is its own IAM action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyRead {
    GetPolicy,
    GetPolicyVersion,
    ListPolicyVersions,
    ListEntitiesForPolicy,
    ListPolicyTags,
}

impl PolicyRead {
    fn action(self) -> &'static str {
        match self {
            Self::GetPolicy => "iam:GetPolicy",
            Self::GetPolicyVersion => "iam:GetPolicyVersion",
            Self::ListPolicyVersions => "iam:ListPolicyVersions",
            Self::ListEntitiesForPolicy => "iam:ListEntitiesForPolicy",
            Self::ListPolicyTags => "iam:ListPolicyTags",
        }
    }
}

impl Iam {
    /// A managed policy with its versions and attachments in this account, authorized as
    /// `iam:GetPolicy` on its ARN, with its tags as aws:ResourceTag/*.
    pub async fn get_policy(&self, actor: &Actor, account: &AccountId, arn: &str) -> Result<PolicyDetail> {
        self.read_policy(actor, account, arn, PolicyRead::GetPolicy).await
    }

    /// As [`Iam::get_policy`], authorized as the IAM action of `read`.
    pub async fn read_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        arn: &str,
        read: PolicyRead,
    ) -> Result<PolicyDetail> {
        let tags = self.policy_tags_by_arn(account, arn).await?;
        self.authorize_tagged(actor, account, arn, &tags, read.action(), &[])
            .await?;
        let mut conn = self.pool().acquire().await?;
        let policy_id = self.attachable_policy(&mut conn, account, arn).await?;
        let p = sqlx::query!(
            r#"select policy_name, path, account_id, description, default_version, created_at,
                      (select count(*) from iam_users u
                        where u.permissions_boundary = $1 and u.account_id = $2) as "boundary_uses!"
                 from managed_policies where policy_id = $1"#,
            policy_id,
            account.as_str(),
        )
        .fetch_one(&mut *conn)
        .await?;
        let versions: Vec<PolicyVersionInfo> = sqlx::query!(
            "select version_id, created_at, document from policy_versions where policy_id = $1 \
             order by substr(version_id, 2)::int desc",
            policy_id,
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|v| PolicyVersionInfo {
            is_default: v.version_id == p.default_version,
            version_id: v.version_id,
            created_at: v.created_at,
            document: v.document,
        })
        .collect();
        let users = sqlx::query!(
            "select u.user_name as name, u.path from user_policy_attachments a \
             join iam_users u using (user_id) where a.policy_id = $1 and u.account_id = $2 \
             order by lower(u.user_name)",
            policy_id,
            account.as_str(),
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| EntityRef {
            arn: self.partition().entity_arn(account, "user", &r.path, &r.name),
            name: r.name,
        })
        .collect();
        let groups = sqlx::query!(
            "select g.group_name as name, g.path from group_policy_attachments a \
             join iam_groups g using (group_id) where a.policy_id = $1 and g.account_id = $2 \
             order by lower(g.group_name)",
            policy_id,
            account.as_str(),
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| EntityRef {
            arn: self.partition().entity_arn(account, "group", &r.path, &r.name),
            name: r.name,
        })
        .collect();
        drop(conn);
        let tags = self.tags_of(crate::tags::Tagged::Policy, &policy_id).await?;
        let document = versions
            .iter()
            .find(|v| v.is_default)
            .map(|v| v.document.clone())
            .unwrap_or_default();
        Ok(PolicyDetail {
            policy_id,
            arn: self
                .partition()
                .policy_arn(p.account_id.as_ref().map(|_| account), &p.path, &p.policy_name),
            name: p.policy_name,
            path: p.path,
            system: p.account_id.is_none(),
            description: p.description,
            default_version: p.default_version,
            document,
            versions,
            users,
            groups,
            tags,
            boundary_uses: p.boundary_uses,
            created_at: p.created_at,
        })
    }
}
