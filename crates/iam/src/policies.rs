//! Customer managed policies, listing them, and attaching managed policies (system or customer)
//! to users and groups and detaching them. Documents are validated by the policy engine before anything is written.

use gatehouse_policy::{Policy, PolicyKind};
use rand::thread_rng;
use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change, Entity, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, GroupName, Iam, IamPath, PolicyId, PolicyName, Result, UserName};

pub struct NewPolicy {
    pub name: PolicyName,
    pub path: IamPath,
    pub description: String,
    pub document: String,
}

/// Which managed policies a list shows, like the console's type filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyScope {
    All,
    /// The system policies (AWS managed).
    System,
    /// The account's own policies.
    Customer,
}

/// A row of the Policies list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySummary {
    pub policy_id: String,
    pub arn: String,
    pub name: String,
    pub path: String,
    pub system: bool,
    pub description: String,
    pub default_version: String,
    /// Users and groups it is attached to.
    pub attachments: i64,
    /// Users whose permissions boundary it is.
    pub boundary_uses: i64,
    pub created_at: time::OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedPolicy {
    pub policy_id: PolicyId,
    pub arn: String,
    pub default_version: String,
}

impl Iam {
    /// Creates a customer managed policy with its first version `v1`, authorized as
    /// `iam:CreatePolicy` on the new policy's ARN. An invalid document is refused with the
    /// validator's reason and nothing is written.
    pub async fn create_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        new: NewPolicy,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<CreatedPolicy> {
        if new.description.chars().count() > 1000 {
            return Err(Error::Invalid {
                field: "description",
                reason: "must be at most 1,000 characters long".into(),
            });
        }
        Policy::parse(&new.document, PolicyKind::Managed)
            .map_err(|e| Error::MalformedPolicyDocument(e.to_string()))?;
        let arn = self
            .partition()
            .policy_arn(Some(account), new.path.as_str(), new.name.as_str());
        let _ok = self.authorize(actor, "iam:CreatePolicy", &arn, account).await?;
        let policy_id = PolicyId::random(&mut thread_rng());
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query!(
            "insert into managed_policies (policy_id, account_id, policy_name, path, description, default_version) \
             select $1, $2, $3, $4, $5, 'v1' where exists (select 1 from accounts where account_id = $2)",
            policy_id.as_str(),
            account.as_str(),
            new.name.as_str(),
            new.path.as_str(),
            new.description,
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(&new.name))?;
        if inserted.rows_affected() == 0 {
            return Err(Error::NotFound {
                kind: "account",
                name: account.to_string(),
            });
        }
        sqlx::query!(
            "insert into policy_versions (policy_id, version_id, document) values ($1, 'v1', $2)",
            policy_id.as_str(),
            new.document,
        )
        .execute(&mut *tx)
        .await?;
        events::append(
            &mut tx,
            change(
                account,
                source,
                "CreatePolicy",
                actor,
                meta,
                &arn,
                json!({"policyName": new.name, "path": new.path, "description": new.description, "policyDocument": new.document}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedPolicy {
            policy_id,
            arn,
            default_version: "v1".into(),
        })
    }

    /// The managed policies an account can use (the system ones and its own), by name, with
    /// their attachment counts in this account, authorized as `iam:ListPolicies` on
    /// `arn:<partition>:iam::<account>:policy/*`.
    pub async fn list_policies(
        &self,
        actor: &Actor,
        account: &AccountId,
        scope: PolicyScope,
    ) -> Result<Vec<PolicySummary>> {
        let all = format!("arn:{}:iam::{account}:policy/*", self.partition().as_str());
        let _ok = self.authorize(actor, "iam:ListPolicies", &all, account).await?;
        let rows = sqlx::query!(
            r#"select p.policy_id, p.account_id, p.policy_name, p.path, p.description, p.default_version, p.created_at,
                      (select count(*) from user_policy_attachments a join iam_users u using (user_id)
                        where a.policy_id = p.policy_id and u.account_id = $1)
                    + (select count(*) from group_policy_attachments a join iam_groups g using (group_id)
                        where a.policy_id = p.policy_id and g.account_id = $1) as "attachments!",
                      (select count(*) from iam_users u
                        where u.permissions_boundary = p.policy_id and u.account_id = $1) as "boundary_uses!"
                 from managed_policies p
                where (p.account_id is null and $2) or (p.account_id = $1 and $3)
                order by lower(p.policy_name), p.account_id nulls first"#,
            account.as_str(),
            scope != PolicyScope::Customer,
            scope != PolicyScope::System,
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PolicySummary {
                policy_id: r.policy_id,
                arn: self.partition().policy_arn(
                    r.account_id.as_ref().map(|_| account),
                    &r.path,
                    &r.policy_name,
                ),
                system: r.account_id.is_none(),
                name: r.policy_name,
                path: r.path,
                description: r.description,
                default_version: r.default_version,
                attachments: r.attachments,
                boundary_uses: r.boundary_uses,
                created_at: r.created_at,
            })
            .collect())
    }

    /// Attaches a managed policy to a user, authorized as `iam:AttachUserPolicy` on the user's
    /// ARN with `iam:PolicyARN` in the context; at most `PoliciesPerUser` policies a user.
    /// Attaching a policy that is already attached changes nothing.
    pub async fn attach_user_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.attach(
            actor,
            account,
            Kind::User,
            user.as_str(),
            policy_arn,
            source,
            meta,
        )
        .await
    }

    /// Attaches a managed policy to a group, authorized as `iam:AttachGroupPolicy` on the group's
    /// ARN with `iam:PolicyARN` in the context; at most `PoliciesPerGroup` policies a group.
    pub async fn attach_group_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.attach(
            actor,
            account,
            Kind::Group,
            group.as_str(),
            policy_arn,
            source,
            meta,
        )
        .await
    }

    /// Detaches a managed policy from a user, authorized as `iam:DetachUserPolicy` with
    /// `iam:PolicyARN` in the context.
    pub async fn detach_user_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.detach(
            actor,
            account,
            Kind::User,
            user.as_str(),
            policy_arn,
            source,
            meta,
        )
        .await
    }

    /// Detaches a managed policy from a group, authorized as `iam:DetachGroupPolicy` with
    /// `iam:PolicyARN` in the context.
    pub async fn detach_group_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        group: &GroupName,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.detach(
            actor,
            account,
            Kind::Group,
            group.as_str(),
            policy_arn,
            source,
            meta,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn attach(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: Kind,
        name: &str,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let action = kind.pick("iam:AttachUserPolicy", "iam:AttachGroupPolicy");
        let extra = [("iam:PolicyARN", policy_arn)];
        // Attaching a policy that is attached already changes nothing. Such calls (a script run
        // again to converge) are found, authorized and recorded without a transaction or lock.
        if let Some((entity, tags)) = self.entity_if_attached(account, kind, name, policy_arn).await? {
            self.authorize_on_entity(actor, account, &entity, &tags, action, &extra)
                .await?;
            let mut conn = self.pool().acquire().await?;
            return events::append_without_waiting_for_disk(
                &mut conn,
                attach_event(account, source, actor, meta, &entity, policy_arn, false),
            )
            .await;
        }
        let (mut tx, entity) = self
            .begin_change(actor, account, kind, name, action, &extra)
            .await?;
        self.attach_in_tx(&mut tx, actor, account, &entity, policy_arn, source, meta)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user or group (with its tags) when `policy_arn` is attached to it already; `None`
    /// otherwise, and for anything not found, which the transaction then reports in turn.
    async fn entity_if_attached(
        &self,
        account: &AccountId,
        kind: Kind,
        name: &str,
        policy_arn: &str,
    ) -> Result<Option<(Entity, Vec<crate::Tag>)>> {
        let Ok((owner, path, policy_name)) = self.policy_arn_parts(account, policy_arn) else {
            return Ok(None);
        };
        let row = match kind {
            Kind::User => sqlx::query!(
                r#"select u.user_id as id, u.user_name as name, u.path,
                          array(select tag_key from user_tags t where t.user_id = u.user_id
                                 order by lower(tag_key)) as "tag_keys!",
                          array(select tag_value from user_tags t where t.user_id = u.user_id
                                 order by lower(tag_key)) as "tag_values!"
                     from iam_users u
                    where u.account_id = $1 and lower(u.user_name) = lower($2)
                      and exists (select 1 from user_policy_attachments a
                                    join managed_policies p using (policy_id)
                                   where a.user_id = u.user_id and coalesce(p.account_id, 'aws') = $3
                                     and lower(p.policy_name) = lower($5) and p.policy_name = $5
                                     and p.path = $4)"#,
                account.as_str(),
                name,
                owner,
                path,
                policy_name,
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| (r.id, r.name, r.path, r.tag_keys, r.tag_values)),
            Kind::Group => sqlx::query!(
                r#"select g.group_id as id, g.group_name as name, g.path
                     from iam_groups g
                    where g.account_id = $1 and lower(g.group_name) = lower($2)
                      and exists (select 1 from group_policy_attachments a
                                    join managed_policies p using (policy_id)
                                   where a.group_id = g.group_id and coalesce(p.account_id, 'aws') = $3
                                     and lower(p.policy_name) = lower($5) and p.policy_name = $5
                                     and p.path = $4)"#,
                account.as_str(),
                name,
                owner,
                path,
                policy_name,
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| (r.id, r.name, r.path, Vec::new(), Vec::new())),
        };
        Ok(row.map(|row| self.tagged_entity(account, kind, row)))
    }

    /// Attaches a policy to an entity already found (and locked) in this transaction, after the
    /// caller authorized it: the quota check, the row and the event. Already attached: nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn attach_in_tx(
        &self,
        tx: &mut sqlx::PgConnection,
        actor: &Actor,
        account: &AccountId,
        entity: &Entity,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        // The policy, and the entity's attachments, in one query.
        let (owner, path, name) = self.policy_arn_parts(account, policy_arn)?;
        let found = match entity.kind {
            Kind::User => sqlx::query!(
                r#"select p.policy_id,
                          exists (select 1 from user_policy_attachments a
                                  where a.user_id = $4 and a.policy_id = p.policy_id) as "attached!",
                          (select count(*) from user_policy_attachments a where a.user_id = $4) as "total!"
                   from managed_policies p
                   where coalesce(p.account_id, 'aws') = $1 and lower(p.policy_name) = lower($3)
                     and p.policy_name = $3 and p.path = $2"#,
                owner,
                path,
                name,
                entity.id,
            )
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.policy_id, r.attached, r.total)),
            Kind::Group => sqlx::query!(
                r#"select p.policy_id,
                          exists (select 1 from group_policy_attachments a
                                  where a.group_id = $4 and a.policy_id = p.policy_id) as "attached!",
                          (select count(*) from group_policy_attachments a where a.group_id = $4) as "total!"
                   from managed_policies p
                   where coalesce(p.account_id, 'aws') = $1 and lower(p.policy_name) = lower($3)
                     and p.policy_name = $3 and p.path = $2"#,
                owner,
                path,
                name,
                entity.id,
            )
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.policy_id, r.attached, r.total)),
        };
        let (policy_id, attached, total) = found.ok_or_else(|| policy_not_found(policy_arn))?;
        if attached {
            return events::append(
                &mut *tx,
                attach_event(account, source, actor, meta, entity, policy_arn, false),
            )
            .await;
        }
        let (quota, limit) = match entity.kind {
            Kind::User => ("PoliciesPerUser", self.quotas().policies_per_user),
            Kind::Group => ("PoliciesPerGroup", self.quotas().policies_per_group),
        };
        if total >= i64::from(limit) {
            return Err(Error::LimitExceeded { quota, limit });
        }
        match entity.kind {
            Kind::User => {
                sqlx::query!(
                    "insert into user_policy_attachments (user_id, policy_id) values ($1, $2)",
                    entity.id,
                    policy_id,
                )
                .execute(&mut *tx)
                .await?
            }
            Kind::Group => {
                sqlx::query!(
                    "insert into group_policy_attachments (group_id, policy_id) values ($1, $2)",
                    entity.id,
                    policy_id,
                )
                .execute(&mut *tx)
                .await?
            }
        };
        events::append(
            &mut *tx,
            attach_event(account, source, actor, meta, entity, policy_arn, true),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn detach(
        &self,
        actor: &Actor,
        account: &AccountId,
        kind: Kind,
        name: &str,
        policy_arn: &str,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<()> {
        let event = kind.pick("DetachUserPolicy", "DetachGroupPolicy");
        let extra = [("iam:PolicyARN", policy_arn)];
        let (mut tx, entity) = self
            .begin_change(actor, account, kind, name, &format!("iam:{event}"), &extra)
            .await?;
        let not_attached = || Error::NotFound {
            kind: "attached policy",
            name: policy_arn.to_owned(),
        };
        let policy_id = match self.attachable_policy(&mut tx, account, policy_arn).await {
            Ok(id) => id,
            Err(Error::NotFound { .. }) => return Err(not_attached()),
            Err(other) => return Err(other),
        };
        let deleted = match kind {
            Kind::User => {
                sqlx::query!(
                    "delete from user_policy_attachments where user_id = $1 and policy_id = $2",
                    entity.id,
                    policy_id
                )
                .execute(&mut *tx)
                .await?
            }
            Kind::Group => {
                sqlx::query!(
                    "delete from group_policy_attachments where group_id = $1 and policy_id = $2",
                    entity.id,
                    policy_id
                )
                .execute(&mut *tx)
                .await?
            }
        };
        if deleted.rows_affected() == 0 {
            return Err(not_attached());
        }
        let request = json!({kind.name_key(): entity.name, "policyArn": policy_arn});
        events::append(
            &mut tx,
            change(account, source, event, actor, meta, &entity.arn, request),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ID of the managed policy `arn` names, if this account may attach it: a system policy
    /// (`arn:<partition>:iam::aws:policy/...`) or one of the account's own.
    pub(crate) async fn attachable_policy(
        &self,
        conn: &mut sqlx::PgConnection,
        account: &AccountId,
        arn: &str,
    ) -> Result<String> {
        let (owner, path, name) = self.policy_arn_parts(account, arn)?;
        // The name is compared as the unique index has it (lower), so the index finds the row,
        // and then exactly: an ARN names a policy with its exact case.
        sqlx::query_scalar!(
            "select policy_id from managed_policies \
             where coalesce(account_id, 'aws') = $1 and lower(policy_name) = lower($3) \
               and policy_name = $3 and path = $2",
            owner,
            path,
            name,
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| policy_not_found(arn))
    }

    /// The tags of the managed policy `arn` names, for its aws:ResourceTag/* keys: none for a
    /// policy that does not exist (the caller reports that after authorizing) or a system policy.
    pub(crate) async fn policy_tags_by_arn(&self, account: &AccountId, arn: &str) -> Result<Vec<crate::Tag>> {
        let Ok((owner, path, name)) = self.policy_arn_parts(account, arn) else {
            return Ok(Vec::new());
        };
        Ok(sqlx::query_as!(
            crate::Tag,
            r#"select t.tag_key as key, t.tag_value as value
                 from policy_tags t join managed_policies p using (policy_id)
                where coalesce(p.account_id, 'aws') = $1 and lower(p.policy_name) = lower($3)
                  and p.policy_name = $3 and p.path = $2
                order by lower(t.tag_key)"#,
            owner,
            path,
            name,
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// A managed policy ARN's owner (`aws` or this account), path and name; any other ARN names
    /// no policy this account may use.
    fn policy_arn_parts<'a>(&self, account: &AccountId, arn: &'a str) -> Result<(&'a str, &'a str, &'a str)> {
        let prefix = format!("arn:{}:iam::", self.partition().as_str());
        let rest = arn.strip_prefix(&prefix).ok_or_else(|| policy_not_found(arn))?;
        let (owner, path_name) = rest.split_once(":policy").ok_or_else(|| policy_not_found(arn))?;
        let slash = path_name.rfind('/').ok_or_else(|| policy_not_found(arn))?;
        let (path, name) = (&path_name[..=slash], &path_name[slash + 1..]);
        if owner != "aws" && owner != account.as_str() {
            return Err(policy_not_found(arn));
        }
        Ok((owner, path, name))
    }
}

fn policy_not_found(arn: &str) -> Error {
    Error::NotFound {
        kind: "policy",
        name: arn.to_owned(),
    }
}

/// The event of an attachment; `attached` false records a call that found the policy attached
/// already and changed nothing.
fn attach_event<'a>(
    account: &'a AccountId,
    source: Source,
    actor: &Actor,
    meta: &'a RequestMeta,
    entity: &Entity,
    policy_arn: &str,
    attached: bool,
) -> events::NewEvent<'a> {
    let event = entity.kind.pick("AttachUserPolicy", "AttachGroupPolicy");
    let mut request = json!({entity.kind.name_key(): entity.name, "policyArn": policy_arn});
    if !attached {
        request["alreadyAttached"] = json!(true);
    }
    change(account, source, event, actor, meta, &entity.arn, request)
}
