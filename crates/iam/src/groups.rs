//! User groups and their memberships. Groups are not principals and do not nest: they carry
//! policies for their members.

use rand::thread_rng;
use serde_json::json;

use crate::authz::Actor;
use crate::events::{self, NewEvent, Outcome, RequestMeta, Source};
use crate::{AccountId, Error, GroupId, GroupName, Iam, IamPath, Result, UserName};

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
    pub name: GroupName,
    pub path: IamPath,
    pub arn: String,
    /// Members.
    pub users: i64,
    /// Attached managed policies and inline policies.
    pub policies: i64,
    pub created_at: time::OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedGroup {
    pub group_id: GroupId,
    pub group_name: GroupName,
    pub arn: String,
}

/// A group as stored, found by name (ignoring case).
pub(crate) struct GroupRow {
    pub group_id: String,
    pub group_name: String,
    pub path: String,
}

/// A user as stored, found by name (ignoring case).
pub(crate) struct UserRow {
    pub user_id: String,
    pub user_name: String,
    pub path: String,
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
        events::append(
            &mut tx,
            change(
                account,
                source,
                "CreateGroup",
                actor,
                meta,
                &arn,
                json!({"groupName": name, "path": new.path}),
            ),
        )
        .await?;
        for policy in &new.policy_arns {
            let policy_id = self.attachable_policy(&mut tx, account, policy).await?;
            sqlx::query!(
                "insert into group_policy_attachments (group_id, policy_id) values ($1, $2)",
                group_id.as_str(),
                policy_id,
            )
            .execute(&mut *tx)
            .await?;
            events::append(
                &mut tx,
                change(
                    account,
                    source,
                    "AttachGroupPolicy",
                    actor,
                    meta,
                    &arn,
                    json!({"groupName": name, "policyArn": policy}),
                ),
            )
            .await?;
        }
        let groups_limit = self.quotas().groups_per_user;
        for member in &new.members {
            let u = find_user(&mut tx, account, member, true).await?;
            let groups = sqlx::query_scalar!(
                r#"select count(*) as "n!" from group_members where user_id = $1"#,
                u.user_id
            )
            .fetch_one(&mut *tx)
            .await?;
            if groups >= i64::from(groups_limit) {
                return Err(Error::LimitExceeded {
                    quota: "GroupsPerUser",
                    limit: groups_limit,
                });
            }
            sqlx::query!(
                "insert into group_members (group_id, user_id) values ($1, $2)",
                group_id.as_str(),
                u.user_id,
            )
            .execute(&mut *tx)
            .await?;
            events::append(
                &mut tx,
                change(
                    account,
                    source,
                    "AddUserToGroup",
                    actor,
                    meta,
                    &arn,
                    json!({"groupName": name, "userName": u.user_name}),
                ),
            )
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
        let rows = sqlx::query!(
            r#"select g.group_name, g.path, g.created_at,
                      (select count(*) from group_members m where m.group_id = g.group_id) as "users!",
                      (select count(*) from group_policy_attachments a where a.group_id = g.group_id)
                    + (select count(*) from group_inline_policies i where i.group_id = g.group_id) as "policies!"
                 from iam_groups g where g.account_id = $1 order by lower(g.group_name)"#,
            account.as_str(),
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let name: GroupName = parse(&r.group_name)?;
                let path: IamPath = parse(&r.path)?;
                Ok(GroupSummary {
                    arn: self.partition().group_arn(account, &path, &name),
                    name,
                    path,
                    users: r.users,
                    policies: r.policies,
                    created_at: r.created_at,
                })
            })
            .collect()
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
        let mut tx = self.pool().begin().await?;
        let g = find_group(&mut tx, account, group).await?;
        let arn = self
            .partition()
            .group_arn(account, &parse(&g.path)?, &parse(&g.group_name)?);
        let _ok = self.authorize(actor, "iam:AddUserToGroup", &arn, account).await?;
        // Locking the user serialises concurrent additions, so the quota check holds.
        let u = find_user(&mut tx, account, user, true).await?;
        let counts = sqlx::query!(
            r#"select count(*) filter (where group_id = $2) as "member!", count(*) as "total!"
               from group_members where user_id = $1"#,
            u.user_id,
            g.group_id,
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
            g.group_id,
            u.user_id,
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "AddUserToGroup",
                actor,
                meta,
                &arn,
                json!({"groupName": g.group_name, "userName": u.user_name}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Iam {
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
        let mut tx = self.pool().begin().await?;
        let g = find_group(&mut tx, account, group).await?;
        let arn = self
            .partition()
            .group_arn(account, &parse(&g.path)?, &parse(&g.group_name)?);
        let _ok = self
            .authorize(actor, "iam:RemoveUserFromGroup", &arn, account)
            .await?;
        let u = find_user(&mut tx, account, user, false).await?;
        let removed = sqlx::query!(
            "delete from group_members where group_id = $1 and user_id = $2",
            g.group_id,
            u.user_id
        )
        .execute(&mut *tx)
        .await?;
        if removed.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "member of the group",
                name: u.user_name,
            });
        }
        events::append(
            &mut tx,
            change(
                account,
                source,
                "RemoveUserFromGroup",
                actor,
                meta,
                &arn,
                json!({"groupName": g.group_name, "userName": u.user_name}),
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
        let mut tx = self.pool().begin().await?;
        let g = find_group(&mut tx, account, group).await?;
        let arn = self
            .partition()
            .group_arn(account, &parse(&g.path)?, &parse(&g.group_name)?);
        let _ok = self.authorize(actor, "iam:DeleteGroup", &arn, account).await?;
        let before = sqlx::query!(
            r#"select
                 array(select u.user_name from group_members m join iam_users u using (user_id)
                       where m.group_id = $1 order by 1) as "members!",
                 array(select p.policy_name from group_policy_attachments a join managed_policies p using (policy_id)
                       where a.group_id = $1 order by 1) as "attached!",
                 array(select policy_name from group_inline_policies where group_id = $1 order by 1) as "inline!""#,
            g.group_id
        )
        .fetch_one(&mut *tx)
        .await?;
        // Memberships, attachments and inline policies go with the group (on delete cascade).
        sqlx::query!("delete from iam_groups where group_id = $1", g.group_id)
            .execute(&mut *tx)
            .await?;
        let mut event = change(
            account,
            source,
            "DeleteGroup",
            actor,
            meta,
            &arn,
            json!({"groupName": g.group_name}),
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

/// The event of a successful change.
pub(crate) fn change<'a>(
    account: &'a AccountId,
    source: Source,
    name: &'static str,
    actor: &Actor,
    meta: &'a RequestMeta,
    resource_arn: &str,
    request: serde_json::Value,
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

/// Stored values were validated when written; reading one back cannot fail unless the database
/// was changed by hand, which is an internal error.
pub(crate) fn parse<T: TryFrom<String, Error = Error>>(value: &str) -> Result<T> {
    T::try_from(value.to_owned())
}

pub(crate) async fn find_group(
    conn: &mut sqlx::PgConnection,
    account: &AccountId,
    name: &GroupName,
) -> Result<GroupRow> {
    sqlx::query_as!(
        GroupRow,
        "select group_id, group_name, path from iam_groups where account_id = $1 and lower(group_name) = lower($2)",
        account.as_str(),
        name.as_str(),
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::NotFound {
        kind: "group",
        name: name.to_string(),
    })
}

/// Finds a user; with `lock`, holds its row until the transaction ends.
pub(crate) async fn find_user(
    conn: &mut sqlx::PgConnection,
    account: &AccountId,
    name: &UserName,
    lock: bool,
) -> Result<UserRow> {
    let row = if lock {
        sqlx::query_as!(
            UserRow,
            "select user_id, user_name, path from iam_users \
             where account_id = $1 and lower(user_name) = lower($2) for update",
            account.as_str(),
            name.as_str(),
        )
        .fetch_optional(&mut *conn)
        .await?
    } else {
        sqlx::query_as!(
            UserRow,
            "select user_id, user_name, path from iam_users where account_id = $1 and lower(user_name) = lower($2)",
            account.as_str(),
            name.as_str(),
        )
        .fetch_optional(&mut *conn)
        .await?
    };
    row.ok_or_else(|| Error::NotFound {
        kind: "user",
        name: name.to_string(),
    })
}
