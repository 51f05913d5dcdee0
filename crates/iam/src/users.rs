//! IAM users and their login profiles (console passwords).

use rand::thread_rng;
use secrecy::SecretString;
use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change, Entity, Kind};
use crate::events::{self, NewEvent, Outcome, RequestMeta, Source};
use crate::{AccountRef, Error, GroupName, Iam, IamPath, Result, UserId, UserName};

pub struct NewUser {
    pub name: UserName,
    pub path: IamPath,
    /// A console password; `None` creates a user without console access.
    pub password: Option<SecretString>,
    pub password_reset_required: bool,
}

/// What the Create user wizard's "Set permissions" step gives a new user: groups to join, managed
/// policies to attach directly (by ARN), and a permissions boundary (a managed policy ARN).
#[derive(Clone, Debug, Default)]
pub struct NewUserPermissions {
    pub groups: Vec<GroupName>,
    pub policy_arns: Vec<String>,
    pub boundary: Option<String>,
    /// Tags for the new user (the wizard's Tags step).
    pub tags: Vec<crate::Tag>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedUser {
    pub user_id: UserId,
    pub user_name: UserName,
    pub path: IamPath,
    pub arn: String,
    pub created_at: time::OffsetDateTime,
}

impl Iam {
    /// Creates an IAM user (and its login profile when a password is given) in one transaction,
    /// authorized as `iam:CreateUser` (and `iam:CreateLoginProfile`) on the new user's ARN.
    pub async fn create_user(
        &self,
        actor: &Actor,
        account: &AccountRef,
        new: NewUser,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<CreatedUser> {
        let perms = NewUserPermissions::default();
        self.create_user_with(actor, account, new, perms, source, meta)
            .await
    }

    /// Creates a user as the console's Create user wizard does: the user, its login profile, its
    /// group memberships, its directly attached policies and its permissions boundary, in one
    /// transaction; either all of it happens or nothing does. Every part is authorized before
    /// anything is committed, as
    /// AWS names it: `iam:CreateUser` (with `iam:PermissionsBoundary` when one is set),
    /// `iam:CreateLoginProfile`, `iam:AddUserToGroup` on each group, `iam:AttachUserPolicy` (with
    /// `iam:PolicyARN`) for each policy and `iam:PutUserPermissionsBoundary`.
    pub async fn create_user_with(
        &self,
        actor: &Actor,
        account: &AccountRef,
        new: NewUser,
        mut perms: NewUserPermissions,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<CreatedUser> {
        perms.policy_arns.sort();
        perms.policy_arns.dedup();
        perms.groups.sort_by_key(|g| g.as_str().to_lowercase());
        perms.groups.dedup_by_key(|g| g.as_str().to_lowercase());
        // A principal's own account, named by ID, exists: it was read with the principal.
        let account_id = match (actor, account) {
            (Actor::Principal(p), AccountRef::Id(id)) if &p.account_id == id => id.clone(),
            _ => {
                self.find_account(account)
                    .await?
                    .ok_or_else(|| Error::NotFound {
                        kind: "account",
                        name: account.to_string(),
                    })?
                    .account_id
            }
        };
        let account_id = &account_id;
        let arn = self.partition().user_arn(account_id, &new.path, &new.name);
        let boundary_ctx: Vec<(&str, &str)> = perms
            .boundary
            .iter()
            .map(|b| ("iam:PermissionsBoundary", b.as_str()))
            .collect();
        let _create = self
            .authorize_with(actor, "iam:CreateUser", &arn, account_id, &boundary_ctx)
            .await?;
        if perms.boundary.is_some() {
            let _ok = self
                .authorize_with(
                    actor,
                    "iam:PutUserPermissionsBoundary",
                    &arn,
                    account_id,
                    &boundary_ctx,
                )
                .await?;
        }
        for policy in &perms.policy_arns {
            let _ok = self
                .authorize_with(
                    actor,
                    "iam:AttachUserPolicy",
                    &arn,
                    account_id,
                    &[("iam:PolicyARN", policy)],
                )
                .await?;
        }
        if !perms.tags.is_empty() {
            let _ok = self.authorize(actor, "iam:TagUser", &arn, account_id).await?;
        }
        let limit = self.quotas().policies_per_user;
        if perms.policy_arns.len() > limit as usize {
            return Err(Error::LimitExceeded {
                quota: "PoliciesPerUser",
                limit,
            });
        }
        let limit = self.quotas().groups_per_user;
        if perms.groups.len() > limit as usize {
            return Err(Error::LimitExceeded {
                quota: "GroupsPerUser",
                limit,
            });
        }
        let password_hash = match &new.password {
            Some(password) => {
                let _profile = self
                    .authorize(actor, "iam:CreateLoginProfile", &arn, account_id)
                    .await?;
                self.password_policy_of(self.pool(), account_id)
                    .await?
                    .check(password, &[new.name.as_str()])?;
                Some(self.inner.passwords.hash(password).await?)
            }
            None => None,
        };
        let user_id = UserId::random(&mut thread_rng());
        let event = NewEvent {
            account_id: Some(account_id),
            source,
            name: "CreateUser",
            actor_arn: actor.arn().map(str::to_owned),
            actor_detail: Some(actor.label()),
            meta,
            outcome: Outcome::Success,
            error_code: None,
            resource_arn: Some(arn.clone()),
            request: json!({
                "userName": new.name,
                "path": new.path,
                "consoleAccess": new.password.is_some(),
                "passwordResetRequired": new.password_reset_required,
            }),
            before: None,
            after: Some(json!({ "userId": user_id, "arn": arn })),
        };
        let alone = password_hash.is_none()
            && perms.groups.is_empty()
            && perms.policy_arns.is_empty()
            && perms.boundary.is_none()
            && perms.tags.is_empty();
        if alone {
            let created_at = self.insert_user_alone(&user_id, account_id, &new, event).await?;
            return Ok(CreatedUser {
                user_id,
                user_name: new.name,
                path: new.path,
                arn,
                created_at,
            });
        }
        let mut tx = self.pool().begin().await?;
        let created_at = sqlx::query_scalar!(
            "insert into iam_users (user_id, account_id, user_name, path) values ($1, $2, $3, $4)
             returning created_at",
            user_id.as_str(),
            account_id.as_str(),
            new.name.as_str(),
            new.path.as_str(),
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(&new.name))?;
        if let Some(hash) = password_hash {
            sqlx::query!(
                "insert into login_profiles (user_id, password_hash, password_reset_required, created_at,
                     password_changed_at) values ($1, $2, $3, $4, $4)",
                user_id.as_str(),
                hash,
                new.password_reset_required,
                self.now(),
            )
            .execute(&mut *tx)
            .await?;
            crate::login_profiles::record_history(&mut tx, user_id.as_str(), &hash).await?;
        }
        events::append(&mut tx, event).await?;
        self.insert_user_tags(&mut tx, user_id.as_str(), &perms.tags)
            .await?;
        let user = Entity {
            kind: Kind::User,
            id: user_id.to_string(),
            name: new.name.to_string(),
            arn: arn.clone(),
        };
        for group_name in &perms.groups {
            let group = self
                .find_entity(&mut tx, account_id, Kind::Group, group_name.as_str())
                .await?;
            let _ok = self
                .authorize(actor, "iam:AddUserToGroup", &group.arn, account_id)
                .await?;
            self.add_member_in_tx(&mut tx, actor, account_id, &group, &new.name, source, meta)
                .await?;
        }
        for policy in &perms.policy_arns {
            self.attach_in_tx(&mut tx, actor, account_id, &user, policy, source, meta)
                .await?;
        }
        if let Some(boundary) = &perms.boundary {
            let policy_id = self.attachable_policy(&mut tx, account_id, boundary).await?;
            sqlx::query!(
                "update iam_users set permissions_boundary = $2 where user_id = $1",
                user.id,
                policy_id,
            )
            .execute(&mut *tx)
            .await?;
            let request = json!({"userName": user.name, "permissionsBoundary": boundary});
            events::append(
                &mut tx,
                change(
                    account_id,
                    source,
                    "PutUserPermissionsBoundary",
                    actor,
                    meta,
                    &arn,
                    request,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(CreatedUser {
            user_id,
            user_name: new.name,
            path: new.path,
            arn,
            created_at,
        })
    }

    /// Writes a user with nothing else (no login profile, groups, policies, boundary or tags),
    /// the API's usual CreateUser, together with its event in one statement: one round trip,
    /// atomic as a statement is, instead of begin, two inserts and commit.
    async fn insert_user_alone(
        &self,
        user_id: &UserId,
        account_id: &crate::AccountId,
        new: &NewUser,
        event: NewEvent<'_>,
    ) -> Result<time::OffsetDateTime> {
        let e = events::EventRow::from(event);
        // The events insert is events::insert's, fed from the new row.
        sqlx::query_scalar!(
            r#"with new_user as (
                   insert into iam_users (user_id, account_id, user_name, path) values ($1, $2, $3, $4)
                   returning created_at
               ), recorded as (
                   insert into events (account_id, event_source, event_name, actor_arn, actor_detail,
                       source_ip, user_agent, outcome, error_code, resource_arn, request, before_state,
                       after_state)
                   select $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 from new_user
               )
               select created_at as "created_at!" from new_user"#,
            user_id.as_str(),
            account_id.as_str(),
            new.name.as_str(),
            new.path.as_str(),
            e.account_id,
            e.source,
            e.name,
            e.actor_arn,
            e.actor_detail,
            e.source_ip,
            e.user_agent,
            e.outcome,
            e.error_code,
            e.resource_arn,
            e.request,
            e.before,
            e.after,
        )
        .fetch_one(self.pool())
        .await
        .map_err(|e| Error::from(e).naming(&new.name))
    }
}
