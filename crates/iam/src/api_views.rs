//! Reads the IAM API has and the console does not need on their own: one user's or group's
//! attached and inline policy names, a group's members in full, and the account's aliases. Each
//! is authorized with the action AWS names for it, so a policy that grants only, say,
//! `iam:ListAttachedUserPolicies` works as it does in AWS.

use time::OffsetDateTime;

use crate::authz::Actor;
use crate::entities::Kind;
use crate::{AccountAlias, AccountId, GroupName, Iam, PolicyRef, Result};

/// Which kind of entity an API read is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    User,
    Group,
}

impl From<EntityKind> for Kind {
    fn from(kind: EntityKind) -> Self {
        match kind {
            EntityKind::User => Kind::User,
            EntityKind::Group => Kind::Group,
        }
    }
}

/// A member of a group, as AWS's GetGroup lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    pub name: String,
    pub path: String,
    pub user_id: String,
    pub arn: String,
    pub created_at: OffsetDateTime,
}

/// Which API read of a user is asked for: each is its own IAM action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserRead {
    GetUser,
    ListUserTags,
}

impl UserRead {
    fn action(self) -> &'static str {
        match self {
            Self::GetUser => "iam:GetUser",
            Self::ListUserTags => "iam:ListUserTags",
        }
    }
}

/// A user as the IAM API's GetUser describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiUser {
    pub path: String,
    pub name: String,
    pub user_id: String,
    pub arn: String,
    pub created_at: OffsetDateTime,
    pub password_last_used: Option<OffsetDateTime>,
    pub boundary_arn: Option<String>,
    pub tags: Vec<crate::Tag>,
}

impl Iam {
    /// What AWS's GetUser returns about a user, read in one query (the API's most frequent
    /// read), authorized as `read` names on the user. A user that does not exist is reported
    /// only to a caller who may read users.
    pub async fn api_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        name: &crate::UserName,
        read: UserRead,
    ) -> Result<ApiUser> {
        let row = sqlx::query!(
            r#"select u.user_id, u.user_name, u.path, u.created_at,
                      lp.password_last_used as "password_last_used?",
                      b.policy_name as "boundary_name?", b.path as "boundary_path?",
                      b.account_id as "boundary_account?",
                      array(select t.tag_key from user_tags t where t.user_id = u.user_id
                             order by t.tag_key) as "tag_keys!",
                      array(select t.tag_value from user_tags t where t.user_id = u.user_id
                             order by t.tag_key) as "tag_values!"
                 from iam_users u
                 left join login_profiles lp on lp.user_id = u.user_id
                 left join managed_policies b on b.policy_id = u.permissions_boundary
                where u.account_id = $1 and lower(u.user_name) = lower($2)"#,
            account.as_str(),
            name.as_str(),
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            let arn = self
                .partition()
                .user_arn(account, &crate::IamPath::default(), name);
            let _ok = self.authorize(actor, read.action(), &arn, account).await?;
            return Err(crate::Error::NotFound {
                kind: "user",
                name: name.to_string(),
            });
        };
        let arn = self
            .partition()
            .entity_arn(account, "user", &row.path, &row.user_name);
        let _ok = self.authorize(actor, read.action(), &arn, account).await?;
        let boundary_arn = row.boundary_name.zip(row.boundary_path).map(|(name, path)| {
            self.partition()
                .policy_arn(row.boundary_account.as_ref().map(|_| account), &path, &name)
        });
        Ok(ApiUser {
            tags: row
                .tag_keys
                .into_iter()
                .zip(row.tag_values)
                .map(|(key, value)| crate::Tag { key, value })
                .collect(),
            path: row.path,
            name: row.user_name,
            user_id: row.user_id,
            arn,
            created_at: row.created_at,
            password_last_used: row.password_last_used,
            boundary_arn,
        })
    }

    /// The managed policies attached to a user or group (AWS ListAttachedUserPolicies /
    /// ListAttachedGroupPolicies), by name.
    pub async fn attached_policies(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<PolicyRef>> {
        let kind = Kind::from(kind);
        let mut conn = self.pool().acquire().await?;
        let entity = self.find_entity(&mut conn, account, kind, name).await?;
        let action = kind.pick("iam:ListAttachedUserPolicies", "iam:ListAttachedGroupPolicies");
        let _ok = self.authorize(actor, action, &entity.arn, account).await?;
        let rows = sqlx::query!(
            r#"select p.policy_name as "name!", p.path as "path!", p.account_id
                 from managed_policies p
                where p.policy_id in (select policy_id from user_policy_attachments where user_id = $1
                                      union all
                                      select policy_id from group_policy_attachments where group_id = $1)
                order by lower(p.policy_name)"#,
            entity.id,
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PolicyRef {
                arn: self
                    .partition()
                    .policy_arn(r.account_id.as_ref().map(|_| account), &r.path, &r.name),
                system: r.account_id.is_none(),
                name: r.name,
            })
            .collect())
    }

    /// The names of a user's or group's inline policies (AWS ListUserPolicies /
    /// ListGroupPolicies), in name order.
    pub async fn inline_policy_names(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: EntityKind,
        name: &str,
    ) -> Result<Vec<String>> {
        let kind = Kind::from(kind);
        let mut conn = self.pool().acquire().await?;
        let entity = self.find_entity(&mut conn, account, kind, name).await?;
        let action = kind.pick("iam:ListUserPolicies", "iam:ListGroupPolicies");
        let _ok = self.authorize(actor, action, &entity.arn, account).await?;
        let names = sqlx::query_scalar!(
            r#"select policy_name as "name!" from user_inline_policies where user_id = $1
               union all
               select policy_name from group_inline_policies where group_id = $1
               order by 1"#,
            entity.id,
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(names)
    }

    /// A group's members in full (AWS GetGroup's Users), authorized as `iam:GetGroup`.
    pub async fn group_members(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
    ) -> Result<Vec<GroupMember>> {
        let mut conn = self.pool().acquire().await?;
        let entity = self
            .find_entity(&mut conn, account, Kind::Group, group.as_str())
            .await?;
        let _ok = self
            .authorize(actor, "iam:GetGroup", &entity.arn, account)
            .await?;
        let rows = sqlx::query!(
            "select u.user_id, u.user_name, u.path, u.created_at
               from group_members m join iam_users u on u.user_id = m.user_id
              where m.group_id = $1 order by lower(u.user_name)",
            entity.id,
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| GroupMember {
                arn: self
                    .partition()
                    .entity_arn(account, "user", &r.path, &r.user_name),
                name: r.user_name,
                path: r.path,
                user_id: r.user_id,
                created_at: r.created_at,
            })
            .collect())
    }

    /// The account's alias, if it has one (AWS ListAccountAliases: at most one), authorized as
    /// `iam:ListAccountAliases`.
    pub async fn account_aliases(&self, actor: &Actor, account: &AccountId) -> Result<Vec<AccountAlias>> {
        let _ok = self
            .authorize(actor, "iam:ListAccountAliases", "*", account)
            .await?;
        let alias = sqlx::query_scalar!(
            "select alias from accounts where account_id = $1",
            account.as_str()
        )
        .fetch_optional(self.pool())
        .await?
        .flatten();
        alias.map(AccountAlias::try_from).into_iter().collect()
    }

    /// A user's login profile: when it was made and whether a new password is required (AWS
    /// GetLoginProfile), authorized as `iam:GetLoginProfile` on the user.
    pub async fn login_profile(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &crate::UserName,
    ) -> Result<(OffsetDateTime, bool)> {
        let mut conn = self.pool().acquire().await?;
        let entity = self
            .find_entity(&mut conn, account, Kind::User, user.as_str())
            .await?;
        let _ok = self
            .authorize(actor, "iam:GetLoginProfile", &entity.arn, account)
            .await?;
        let row = sqlx::query!(
            "select created_at, password_reset_required from login_profiles where user_id = $1",
            entity.id,
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| crate::Error::NotFound {
            kind: "login profile",
            name: entity.name.clone(),
        })?;
        Ok((row.created_at, row.password_reset_required))
    }
}
