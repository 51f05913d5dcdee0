//! Console passwords after sign-up: a principal changing its own password (at a forced change
//! during sign-in, or on My security credentials), and administrators managing a user's console
//! access (AWS's CreateLoginProfile, UpdateLoginProfile, DeleteLoginProfile) and lifting a
//! lockout. Every new password meets the account's password policy, including the common
//! password list and reuse prevention; every change of password ends the principal's other
//! sessions by raising its auth epoch.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::authz::Actor;
use crate::entities::{change as change_event, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::session::{SessionAuth, SignInStage};
use crate::{AccountId, Error, Iam, PasswordPolicy, Principal, PrincipalKind, Result, UserName};

/// Previous passwords kept per user: the most reuse prevention can ask for.
const HISTORY_KEPT: i64 = 24;

/// What the change-password form sends: the current password and the new one, twice.
pub struct PasswordChange {
    pub old: SecretString,
    pub new: SecretString,
    pub retyped: SecretString,
}

/// What an administrator sets when giving a user console access or resetting its password.
pub struct NewLoginProfile {
    pub password: SecretString,
    /// "User must create a new password at next sign-in".
    pub password_reset_required: bool,
}

impl Iam {
    /// Completes the forced password change of a session in the `MustChangePassword` stage and
    /// returns the session state that replaces it (signed in, under the new auth epoch). Part of
    /// signing in, so it needs no permission: the administrator who required the change, or the
    /// policy that expired the password, already decided it must happen.
    pub async fn complete_password_change(
        &self,
        auth: &SessionAuth,
        change: &PasswordChange,
        meta: &RequestMeta,
    ) -> Result<SessionAuth> {
        if !matches!(auth.stage, SignInStage::MustChangePassword { .. }) {
            return Err(Error::Invalid {
                field: "form",
                reason: "needs no password change: you are already signed in".to_owned(),
            });
        }
        let principal = self
            .session_principal(auth)
            .await?
            .ok_or(Error::AuthenticationFailed)?;
        let (epoch, expires_at) = self.change_password_of(&principal, change, meta).await?;
        Ok(SessionAuth {
            auth_epoch: epoch,
            stage: SignInStage::SignedIn,
            password_expires_at: expires_at,
            ..auth.clone()
        })
    }

    /// Changes the signed-in principal's own password (AWS ChangePassword), authorized as
    /// `iam:ChangePassword` on its own ARN; the account setting "Allow users to change their own
    /// password" grants that. Returns the session state to continue under: every other session
    /// of the principal has ended.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        auth: &SessionAuth,
        change: &PasswordChange,
        meta: &RequestMeta,
    ) -> Result<SessionAuth> {
        let Actor::Principal(principal) = actor else {
            return Err(Error::Invalid {
                field: "form",
                reason: "is only for a signed-in user".to_owned(),
            });
        };
        let _ok = self
            .authorize(actor, "iam:ChangePassword", &principal.arn, &principal.account_id)
            .await?;
        let (epoch, expires_at) = self.change_password_of(principal, change, meta).await?;
        Ok(SessionAuth {
            auth_epoch: epoch,
            password_expires_at: expires_at,
            ..auth.clone()
        })
    }

    /// Changes the caller's own password through the IAM API (AWS ChangePassword), authorized
    /// as `iam:ChangePassword` on its own ARN. The caller's console sessions end, as with any
    /// password change; its access keys go on working.
    pub async fn change_password_by_key(
        &self,
        actor: &Actor,
        change: &PasswordChange,
        meta: &RequestMeta,
    ) -> Result<()> {
        let Actor::Principal(principal) = actor else {
            return Err(Error::Invalid {
                field: "caller",
                reason: "must be a signed-in user".to_owned(),
            });
        };
        let _ok = self
            .authorize(actor, "iam:ChangePassword", &principal.arn, &principal.account_id)
            .await?;
        self.change_password_of(principal, change, meta).await?;
        Ok(())
    }

    /// Ends every session of the signed-in principal, this one included ("Sign out of all
    /// sessions"). One's own sessions need no permission.
    pub async fn sign_out_everywhere(&self, principal: &Principal, meta: &RequestMeta) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        match &principal.kind {
            PrincipalKind::Root { .. } => {
                sqlx::query!(
                    "update root_users set auth_epoch = auth_epoch + 1 where account_id = $1",
                    principal.account_id.as_str()
                )
                .execute(&mut *tx)
                .await?;
            }
            PrincipalKind::User { user_id, .. } => end_sessions(&mut tx, user_id.as_str()).await?,
        }
        let actor = Actor::Principal(principal.clone());
        let event = change_event(
            &principal.account_id,
            Source::Console,
            "SignOutAllSessions",
            &actor,
            meta,
            &principal.arn,
            json!({}),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks and stores a principal's new password; returns its new auth epoch and when the new
    /// password expires (IAM users under a policy with expiry only).
    async fn change_password_of(
        &self,
        principal: &Principal,
        change: &PasswordChange,
        meta: &RequestMeta,
    ) -> Result<(i64, Option<i64>)> {
        if change.new.expose_secret() != change.retyped.expose_secret() {
            return Err(Error::Invalid {
                field: "retyped password",
                reason: "does not match the new password".to_owned(),
            });
        }
        let account = &principal.account_id;
        let (current, identities, user_id) = match &principal.kind {
            PrincipalKind::Root { email } => {
                let hash = sqlx::query_scalar!(
                    "select password_hash from root_users where account_id = $1",
                    account.as_str()
                )
                .fetch_optional(self.pool())
                .await?;
                let alias = principal.account_alias.as_ref().map(ToString::to_string);
                let ids = [Some(email.to_string()), alias].into_iter().flatten().collect();
                (hash, ids, None)
            }
            PrincipalKind::User {
                user_id, user_name, ..
            } => {
                let hash = sqlx::query_scalar!(
                    "select password_hash from login_profiles where user_id = $1",
                    user_id.as_str()
                )
                .fetch_optional(self.pool())
                .await?;
                (hash, vec![user_name.to_string()], Some(user_id.clone()))
            }
        };
        let current = current.ok_or_else(|| Error::Invalid {
            field: "form",
            reason: "cannot be used: you have no console password".to_owned(),
        })?;
        if !self.inner.passwords.verify(&change.old, Some(&current)).await {
            return Err(Error::Invalid {
                field: "old password",
                reason: "is incorrect".to_owned(),
            });
        }
        let policy = self.password_policy_of(self.pool(), account).await?;
        let ids: Vec<&str> = identities.iter().map(String::as_str).collect();
        policy.check(&change.new, &ids)?;
        if self.inner.passwords.verify(&change.new, Some(&current)).await {
            return Err(Error::PasswordPolicy(vec![
                "It must be different from your current password.".to_owned(),
            ]));
        }
        if let Some(user_id) = &user_id {
            self.check_reuse(&policy, user_id.as_str(), &change.new).await?;
        }
        let hash = self.inner.passwords.hash(&change.new).await?;
        let mut tx = self.pool().begin().await?;
        let epoch = match &user_id {
            None => {
                sqlx::query_scalar!(
                    "update root_users set password_hash = $2, password_changed_at = $3,
                        auth_epoch = auth_epoch + 1
                 where account_id = $1 returning auth_epoch",
                    account.as_str(),
                    hash,
                    self.now(),
                )
                .fetch_one(&mut *tx)
                .await?
            }
            Some(user_id) => {
                sqlx::query!(
                    "update login_profiles set password_hash = $2, password_changed_at = $3,
                            password_reset_required = false
                     where user_id = $1",
                    user_id.as_str(),
                    hash,
                    self.now(),
                )
                .execute(&mut *tx)
                .await?;
                record_history(&mut tx, user_id.as_str(), &hash).await?;
                sqlx::query_scalar!(
                    "update iam_users set auth_epoch = auth_epoch + 1 where user_id = $1 returning auth_epoch",
                    user_id.as_str()
                )
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let actor = Actor::Principal(principal.clone());
        let event = change_event(
            account,
            Source::Console,
            "ChangePassword",
            &actor,
            meta,
            &principal.arn,
            json!({}),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        let expires_at = match (&user_id, policy.max_password_age) {
            (Some(_), Some(days)) => {
                Some((self.now() + time::Duration::days(i64::from(days))).unix_timestamp())
            }
            _ => None,
        };
        Ok((epoch, expires_at))
    }

    /// Refuses a password that matches one of the user's last `password_reuse_prevention`
    /// passwords (the current one included).
    async fn check_reuse(
        &self,
        policy: &PasswordPolicy,
        user_id: &str,
        password: &SecretString,
    ) -> Result<()> {
        let Some(n) = policy.password_reuse_prevention else {
            return Ok(());
        };
        let hashes = sqlx::query_scalar!(
            "select password_hash from password_history where user_id = $1 order by set_at desc limit $2",
            user_id,
            i64::from(n),
        )
        .fetch_all(self.pool())
        .await?;
        for hash in hashes {
            if self.inner.passwords.verify(password, Some(&hash)).await {
                return Err(Error::PasswordPolicy(vec![format!(
                    "It must not be one of your last {n} passwords."
                )]));
            }
        }
        Ok(())
    }

    /// Gives a user a console password (AWS CreateLoginProfile), authorized as
    /// `iam:CreateLoginProfile` on the user's ARN.
    pub async fn create_login_profile(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        profile: &NewLoginProfile,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.set_login_profile(actor, account, user, profile, meta, true)
            .await
    }

    /// Resets a user's console password (AWS UpdateLoginProfile), authorized as
    /// `iam:UpdateLoginProfile` on the user's ARN. It ends the user's sessions and lifts any
    /// lockout.
    pub async fn reset_login_profile(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        profile: &NewLoginProfile,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.set_login_profile(actor, account, user, profile, meta, false)
            .await
    }

    async fn set_login_profile(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        profile: &NewLoginProfile,
        meta: &RequestMeta,
        create: bool,
    ) -> Result<()> {
        let action = if create {
            "iam:CreateLoginProfile"
        } else {
            "iam:UpdateLoginProfile"
        };
        let (mut tx, entity) = self
            .begin_change(actor, account, Kind::User, user.as_str(), action, &[])
            .await?;
        let policy = self.password_policy_of(&mut *tx, account).await?;
        policy.check(&profile.password, &[entity.name.as_str()])?;
        let exists = sqlx::query_scalar!(
            r#"select exists(select 1 from login_profiles where user_id = $1) as "exists!""#,
            entity.id
        )
        .fetch_one(&mut *tx)
        .await?;
        match (create, exists) {
            (true, true) => {
                return Err(Error::AlreadyExists {
                    kind: "login profile",
                    name: format!("for user {}", entity.name),
                })
            }
            (false, false) => {
                return Err(Error::NotFound {
                    kind: "login profile for user",
                    name: entity.name.clone(),
                })
            }
            _ => {}
        }
        self.check_reuse(&policy, &entity.id, &profile.password).await?;
        let hash = self.inner.passwords.hash(&profile.password).await?;
        sqlx::query!(
            "insert into login_profiles (user_id, password_hash, password_reset_required, created_at,
                 password_changed_at) values ($1, $2, $3, $4, $4)
             on conflict (user_id) do update set password_hash = excluded.password_hash,
                 password_reset_required = excluded.password_reset_required,
                 password_changed_at = excluded.password_changed_at, failed_sign_ins = 0,
                 lockouts = 0, locked_until = null",
            entity.id,
            hash,
            profile.password_reset_required,
            self.now(),
        )
        .execute(&mut *tx)
        .await?;
        record_history(&mut tx, &entity.id, &hash).await?;
        end_sessions(&mut tx, &entity.id).await?;
        let name = if create {
            "CreateLoginProfile"
        } else {
            "UpdateLoginProfile"
        };
        let event = change_event(
            account,
            Source::Console,
            name,
            actor,
            meta,
            &entity.arn,
            json!({ "userName": entity.name, "passwordResetRequired": profile.password_reset_required }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a user's console access away (AWS DeleteLoginProfile), authorized as
    /// `iam:DeleteLoginProfile` on the user's ARN; the user's sessions end.
    pub async fn delete_login_profile(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, entity) = self
            .begin_change(
                actor,
                account,
                Kind::User,
                user.as_str(),
                "iam:DeleteLoginProfile",
                &[],
            )
            .await?;
        let deleted = sqlx::query!("delete from login_profiles where user_id = $1", entity.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(Error::NotFound {
                kind: "login profile for user",
                name: entity.name,
            });
        }
        end_sessions(&mut tx, &entity.id).await?;
        let event = change_event(
            account,
            Source::Console,
            "DeleteLoginProfile",
            actor,
            meta,
            &entity.arn,
            json!({ "userName": entity.name }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a user's sign-in lockout and forgets its failed attempts. Gatehouse's own action (AWS
    /// has no lockout), authorized as `iam:UpdateLoginProfile` on the user's ARN: whoever may reset
    /// the password may unlock it.
    pub async fn unlock_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, entity) = self
            .begin_change(
                actor,
                account,
                Kind::User,
                user.as_str(),
                "iam:UpdateLoginProfile",
                &[],
            )
            .await?;
        let before = sqlx::query!(
            "update login_profiles p set failed_sign_ins = 0, lockouts = 0, locked_until = null
             from login_profiles old where p.user_id = $1 and old.user_id = p.user_id
             returning old.locked_until",
            entity.id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "login profile for user",
            name: entity.name.clone(),
        })?;
        let mut event = change_event(
            account,
            Source::Console,
            "UnlockUser",
            actor,
            meta,
            &entity.arn,
            json!({ "userName": entity.name }),
        );
        event.before = Some(json!({ "lockedUntil": before.locked_until.map(|t| t.unix_timestamp()) }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Iam {
    /// Lifts the root user's lockout and forgets its failed attempts: the operator's action (the
    /// `gatehouse` CLI), since root is the one locked out and no IAM user manages root. Returns
    /// whether root was locked out.
    pub async fn unlock_root(&self, actor: &Actor, account: &AccountId, meta: &RequestMeta) -> Result<bool> {
        let arn = self.partition().root_arn(account);
        if !matches!(actor, Actor::Operator) {
            return Err(Error::AccessDenied {
                actor: actor.label(),
                action: "gatehouse:UnlockRoot".to_owned(),
                resource: arn,
            });
        }
        let mut tx = self.pool().begin().await?;
        let before = sqlx::query_scalar!(
            "update root_users r set failed_sign_ins = 0, lockouts = 0, locked_until = null
             from root_users old where r.account_id = $1 and old.account_id = r.account_id
             returning old.locked_until",
            account.as_str()
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "account",
            name: account.to_string(),
        })?;
        let mut event = change_event(account, Source::Cli, "UnlockRoot", actor, meta, &arn, json!({}));
        event.before = Some(json!({ "lockedUntil": before.map(|t| t.unix_timestamp()) }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(before.is_some_and(|until| until > self.now()))
    }
}

/// Adds a password hash to the user's history and forgets all but the newest few.
pub(crate) async fn record_history(tx: &mut sqlx::PgConnection, user_id: &str, hash: &str) -> Result<()> {
    sqlx::query!(
        "insert into password_history (user_id, password_hash, set_at) values ($1, $2, clock_timestamp())",
        user_id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "delete from password_history where user_id = $1 and set_at < (
             select set_at from password_history where user_id = $1
             order by set_at desc offset $2::bigint limit 1)",
        user_id,
        HISTORY_KEPT - 1,
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Ends every session of a user: sessions carry the auth epoch they began under.
async fn end_sessions(tx: &mut sqlx::PgConnection, user_id: &str) -> Result<()> {
    sqlx::query!(
        "update iam_users set auth_epoch = auth_epoch + 1 where user_id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
