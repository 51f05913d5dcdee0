//! User groups and their memberships. Groups are not principals and do not nest: they carry
//! policies for their members.

use rand::thread_rng;
use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change, Entity, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, GroupId, GroupName, Iam, IamPath, PolicyRef, Result, UserName};

/// A group to create, with the managed policies to attach (by ARN) and the users to add.
#[derive(Clone, Debug)]
pub struct NewGroup {
    pub name: GroupName,
    pub path: IamPath,
    pub policy_arns: Vec<String>,
    pub members: Vec<UserName>,
}

/// A row of the User groups list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSummary {
    pub group_id: String,
    pub name: GroupName,
    pub path: IamPath,
    pub arn: String,
    /// Members.
    pub users: i64,
    /// Attached managed policies and inline policies.
    pub policies: i64,
    pub created_at: time::OffsetDateTime,
}

/// A group as the list queries read it, before its name and path are parsed.
struct GroupSummaryRow {
    group_id: String,
    group_name: String,
    path: String,
    created_at: time::OffsetDateTime,
    users: i64,
    policies: i64,
}

/// One group with what its detail page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDetail {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub group_id: String,
    pub created_at: time::OffsetDateTime,
    pub members: Vec<String>,
    pub attached: Vec<PolicyRef>,
    pub inline_policies: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedGroup {
    pub group_id: GroupId,
    pub group_name: GroupName,
    pub arn: String,
}

impl Iam {
    /// Creates a group, authorized as `iam:CreateGroup` on its ARN.
    pub async fn create_group(
        &self,
        actor: &Actor,
        account: &AccountId,
        name: GroupName,
        path: IamPath,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<CreatedGroup> {
        let new = NewGroup {
            name,
            path,
            policy_arns: Vec::new(),
            members: Vec::new(),
        };
        self.create_group_with(actor, account, new, source, meta).await
    }

    /// Creates a group with its managed policies and members, as the console's Create group page
    /// does, in one transaction: either all of it happens or nothing does. Every part is
    /// authorized first: `iam:CreateGroup`, `iam:AttachGroupPolicy` (with `iam:PolicyARN`) for
    /// each policy, and `iam:AddUserToGroup` when there are members.
    pub async fn create_group_with(
        &self,
        actor: &Actor,
        account: &AccountId,
        mut new: NewGroup,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<CreatedGroup> {
        new.policy_arns.sort();
        new.policy_arns.dedup();
        new.members.sort_by_key(|m| m.as_str().to_lowercase());
        new.members.dedup_by_key(|m| m.as_str().to_lowercase());
        let name = new.name;
        let arn = self.partition().group_arn(account, &new.path, &name);
        let _ok = self.authorize(actor, "iam:CreateGroup", &arn, account).await?;
        for policy in &new.policy_arns {
            let _ok = self
                .authorize_with(
                    actor,
                    "iam:AttachGroupPolicy",
                    &arn,
                    account,
                    &[("iam:PolicyARN", policy)],
                )
                .await?;
        }
        if !new.members.is_empty() {
            let _ok = self.authorize(actor, "iam:AddUserToGroup", &arn, account).await?;
        }
        let limit = self.quotas().policies_per_group;
        if new.policy_arns.len() > limit as usize {
            return Err(Error::LimitExceeded {
                quota: "PoliciesPerGroup",
                limit,
            });
        }
        let group_id = GroupId::random(&mut thread_rng());
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query!(
            "insert into iam_groups (group_id, account_id, group_name, path) \
             select $1, $2, $3, $4 where exists (select 1 from accounts where account_id = $2)",
            group_id.as_str(),
            account.as_str(),
            name.as_str(),
            new.path.as_str(),
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(&name))?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "account",
                name: account.to_string(),
            });
        }
        let request = json!({"groupName": name, "path": new.path});
        events::append(
            &mut tx,
            change(account, source, "CreateGroup", actor, meta, &arn, request),
        )
        .await?;
        let group = Entity {
            kind: Kind::Group,
            id: group_id.to_string(),
            name: name.to_string(),
            arn: arn.clone(),
        };
        for policy in &new.policy_arns {
            self.attach_in_tx(&mut tx, actor, account, &group, policy, source, meta)
                .await?;
        }
        for member in &new.members {
            self.add_member_in_tx(&mut tx, actor, account, &group, member, source, meta)
                .await?;
        }
        tx.commit().await?;
        Ok(CreatedGroup {
            group_id,
            group_name: name,
            arn,
        })
    }

    /// The account's groups, by name, with their member and policy counts, authorized as
    /// `iam:ListGroups` on `arn:<partition>:iam::<account>:group/*`.
    pub async fn list_groups(&self, actor: &Actor, account: &AccountId) -> Result<Vec<GroupSummary>> {
        let all = format!("arn:{}:iam::{account}:group/*", self.partition().as_str());
        let _ok = self.authorize(actor, "iam:ListGroups", &all, account).await?;
        let rows = sqlx::query_as!(
            GroupSummaryRow,
            r#"select g.group_id, g.group_name, g.path, g.created_at,
                      (select count(*) from group_members m where m.group_id = g.group_id) as "users!",
                      (select count(*) from group_policy_attachments a where a.group_id = g.group_id)
                    + (select count(*) from group_inline_policies i where i.group_id = g.group_id) as "policies!"
                 from iam_groups g where g.account_id = $1 order by lower(g.group_name)"#,
            account.as_str(),
        )
        .fetch_all(self.pool())
        .await?;
        self.group_summaries(account, rows)
    }

    /// The groups a user is in, by name (AWS ListGroupsForUser), authorized as
    /// `iam:ListGroupsForUser` on the user's ARN.
    pub async fn groups_for_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
    ) -> Result<Vec<GroupSummary>> {
        let mut conn = self.pool().acquire().await?;
        let entity = self
            .find_entity(&mut conn, account, crate::entities::Kind::User, user.as_str())
            .await?;
        let _ok = self
            .authorize(actor, "iam:ListGroupsForUser", &entity.arn, account)
            .await?;
        let rows = sqlx::query_as!(
            GroupSummaryRow,
            r#"select g.group_id, g.group_name, g.path, g.created_at,
                      (select count(*) from group_members x where x.group_id = g.group_id) as "users!",
                      (select count(*) from group_policy_attachments a where a.group_id = g.group_id)
                    + (select count(*) from group_inline_policies i where i.group_id = g.group_id) as "policies!"
                 from group_members m join iam_groups g on g.group_id = m.group_id
                where m.user_id = $1 order by lower(g.group_name)"#,
            entity.id,
        )
        .fetch_all(&mut *conn)
        .await?;
        self.group_summaries(account, rows)
    }

    /// The summaries of `rows`, groups of `account`, in their order.
    fn group_summaries(&self, account: &AccountId, rows: Vec<GroupSummaryRow>) -> Result<Vec<GroupSummary>> {
        rows.into_iter()
            .map(|r| {
                let name: GroupName = parse(&r.group_name)?;
                let path: IamPath = parse(&r.path)?;
                Ok(GroupSummary {
                    arn: self.partition().group_arn(account, &path, &name),
                    group_id: r.group_id,
                    name,
                    path,
                    users: r.users,
                    policies: r.policies,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    /// One group with its members, attached policies and inline policy names, authorized as
    /// `iam:GetGroup` on its ARN.
    pub async fn get_group(
        &self,
        actor: &Actor,
        account: &AccountId,
        name: &GroupName,
    ) -> Result<GroupDetail> {
        let row = sqlx::query!(
            "select group_id, group_name, path, created_at from iam_groups \
             where account_id = $1 and lower(group_name) = lower($2)",
            account.as_str(),
            name.as_str(),
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            // Only someone who may read groups learns that this one does not exist.
            let arn = format!("arn:{}:iam::{account}:group/{name}", self.partition().as_str());
            let _ok = self.authorize(actor, "iam:GetGroup", &arn, account).await?;
            return Err(Error::NotFound {
                kind: "group",
                name: name.to_string(),
            });
        };
        let arn = self
            .partition()
            .entity_arn(account, "group", &row.path, &row.group_name);
        let _ok = self.authorize(actor, "iam:GetGroup", &arn, account).await?;
        let members = sqlx::query_scalar!(
            "select u.user_name from group_members m join iam_users u using (user_id) \
             where m.group_id = $1 order by lower(u.user_name)",
            row.group_id,
        )
        .fetch_all(self.pool())
        .await?;
        let attached = sqlx::query!(
            "select p.policy_name, p.path, p.account_id from group_policy_attachments a \
             join managed_policies p using (policy_id) where a.group_id = $1 order by lower(p.policy_name)",
            row.group_id,
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(|p| PolicyRef {
            arn: self
                .partition()
                .policy_arn(p.account_id.as_ref().map(|_| account), &p.path, &p.policy_name),
            system: p.account_id.is_none(),
            name: p.policy_name,
        })
        .collect();
        let inline_policies = sqlx::query_scalar!(
            "select policy_name from group_inline_policies where group_id = $1 order by policy_name",
            row.group_id,
        )
        .fetch_all(self.pool())
        .await?;
        Ok(GroupDetail {
            name: row.group_name,
            path: row.path,
            arn,
            group_id: row.group_id,
            created_at: row.created_at,
            members,
            attached,
            inline_policies,
        })
    }

    /// Adds a user to a group (nothing changes if it is a member already), authorized as
    /// `iam:AddUserToGroup` on the group's ARN; at most `GroupsPerUser` groups a user.
    pub async fn add_user_to_group(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        user: &UserName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, group) = self
            .begin_change(
                actor,
                account,
                Kind::Group,
                group.as_str(),
                "iam:AddUserToGroup",
                &[],
            )
            .await?;
        self.add_member_in_tx(&mut tx, actor, account, &group, user, source, meta)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds `user` to a group already found in this transaction, after the caller authorized it:
    /// the quota check (the user's row is locked), the row and the event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn add_member_in_tx(
        &self,
        tx: &mut sqlx::PgConnection,
        actor: &Actor,
        account: &AccountId,
        group: &Entity,
        user: &UserName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let u = self
            .find_entity(&mut *tx, account, Kind::User, user.as_str())
            .await?;
        let counts = sqlx::query!(
            r#"select count(*) filter (where group_id = $2) as "member!", count(*) as "total!"
               from group_members where user_id = $1"#,
            u.id,
            group.id,
        )
        .fetch_one(&mut *tx)
        .await?;
        if counts.member > 0 {
            return Ok(());
        }
        let limit = self.quotas().groups_per_user;
        if counts.total >= i64::from(limit) {
            return Err(Error::LimitExceeded {
                quota: "GroupsPerUser",
                limit,
            });
        }
        sqlx::query!(
            "insert into group_members (group_id, user_id) values ($1, $2)",
            group.id,
            u.id,
        )
        .execute(&mut *tx)
        .await?;
        let request = json!({"groupName": group.name, "userName": u.name});
        events::append(
            &mut *tx,
            change(
                account,
                source,
                "AddUserToGroup",
                actor,
                meta,
                &group.arn,
                request,
            ),
        )
        .await
    }

    /// Removes a user from a group, authorized as `iam:RemoveUserFromGroup` on the group's ARN.
    pub async fn remove_user_from_group(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        user: &UserName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, group) = self
            .begin_change(
                actor,
                account,
                Kind::Group,
                group.as_str(),
                "iam:RemoveUserFromGroup",
                &[],
            )
            .await?;
        let u = self
            .find_entity(&mut tx, account, Kind::User, user.as_str())
            .await?;
        let removed = sqlx::query!(
            "delete from group_members where group_id = $1 and user_id = $2",
            group.id,
            u.id
        )
        .execute(&mut *tx)
        .await?;
        if removed.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "member of the group",
                name: u.name,
            });
        }
        let request = json!({"groupName": group.name, "userName": u.name});
        events::append(
            &mut tx,
            change(
                account,
                source,
                "RemoveUserFromGroup",
                actor,
                meta,
                &group.arn,
                request,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a group as the console does: its members are removed, its managed policies
    /// detached and its inline policies deleted with it, all in one transaction whose event
    /// records what the group had. Authorized as `iam:DeleteGroup` on the group's ARN.
    pub async fn delete_group(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, group) = self
            .begin_change(
                actor,
                account,
                Kind::Group,
                group.as_str(),
                "iam:DeleteGroup",
                &[],
            )
            .await?;
        let before = sqlx::query!(
            r#"select
                 array(select u.user_name from group_members m join iam_users u using (user_id)
                       where m.group_id = $1 order by 1) as "members!",
                 array(select p.policy_name from group_policy_attachments a join managed_policies p using (policy_id)
                       where a.group_id = $1 order by 1) as "attached!",
                 array(select policy_name from group_inline_policies where group_id = $1 order by 1) as "inline!""#,
            group.id
        )
        .fetch_one(&mut *tx)
        .await?;
        // Memberships, attachments and inline policies go with the group (on delete cascade).
        sqlx::query!("delete from iam_groups where group_id = $1", group.id)
            .execute(&mut *tx)
            .await?;
        let mut event = change(
            account,
            source,
            "DeleteGroup",
            actor,
            meta,
            &group.arn,
            json!({"groupName": group.name}),
        );
        event.before = Some(json!({
            "members": before.members,
            "attachedPolicies": before.attached,
            "inlinePolicies": before.inline,
        }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Stored values were validated when written; reading one back cannot fail unless the database
/// was changed by hand, which is an internal error.
fn parse<T: TryFrom<String, Error = Error>>(value: &str) -> Result<T> {
    T::try_from(value.to_owned())
}
