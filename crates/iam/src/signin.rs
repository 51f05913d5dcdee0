//! Console sign-in for root users (email + password) and IAM users (account + user name +
//! password). Every failure is the same `AuthenticationFailed` after the same work: an unknown
//! account or user is checked against the dummy hash, and a locked-out user's password is still
//! verified. Each attempt is written to the event history, with the reason visible to
//! administrators only.
//!
//! Lockout: consecutive wrong passwords up to the account policy's threshold lock the user (or
//! root) out for a while, each further lockout twice as long as the one before, up to an hour;
//! a successful sign-in or an administrator's unlock starts again from zero. While locked out,
//! even the right password fails, with the same generic error.
//!
//! Throttling: failed sign-ins are also counted per source address; past the limit
//! (`SignInThrottle`), sign-ins from that address fail at once, with the same generic error and
//! no password check, until the window ends. Only that address is affected.

use secrecy::SecretString;
use serde_json::json;
use time::OffsetDateTime;

use crate::events::{self, NewEvent, Outcome, RequestMeta, Source};
use crate::session::{SessionAuth, SessionPrincipal, SignInStage};
use crate::{
    AccountId, AccountInfo, AccountRef, Email, Error, Iam, IamPath, PasswordPolicy, Principal, PrincipalKind,
    Result, UserId, UserName,
};

/// Why a sign-in failed, kept in the event history only.
#[derive(Clone, Copy)]
enum Failure {
    MalformedInput,
    NoSuchAccount,
    NoSuchUser,
    NoLoginProfile,
    UserDisabled,
    WrongPassword,
    LockedOut,
    PasswordExpired,
    WrongMfaCode,
    Throttled,
}

impl Failure {
    fn code(self) -> &'static str {
        match self {
            Self::MalformedInput => "MalformedInput",
            Self::NoSuchAccount => "NoSuchAccount",
            Self::NoSuchUser => "NoSuchUser",
            Self::NoLoginProfile => "NoLoginProfile",
            Self::UserDisabled => "UserDisabled",
            Self::WrongPassword => "WrongPassword",
            Self::LockedOut => "LockedOut",
            Self::PasswordExpired => "PasswordExpired",
            Self::WrongMfaCode => "WrongMfaCode",
            Self::Throttled => "Throttled",
        }
    }
}

/// A successful password check: the principal and the session state to store.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub principal: Principal,
    pub session: SessionAuth,
}

/// The writes of a successful sign-in, not made yet: the principal's failure counters back to
/// zero, its password's last use, and the `ConsoleLogin` event. The `_deferred` sign-ins return
/// it instead of writing it, so that the console can make these writes in the statement that
/// stores the new session (`record_sign_in_with_session`): one write per sign-in instead of two,
/// and a sign-in is recorded exactly when its session exists. Anything else passes it to
/// `record_sign_in`. It travels to the session store inside the new session's data, under
/// [`SignInSuccess::SESSION_KEY`], which the store takes out before the session is stored.
#[must_use = "a sign-in is recorded only when its SignInSuccess is passed to record_sign_in or record_sign_in_with_session"]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInSuccess {
    account_id: AccountId,
    /// The IAM user signed in; `None` for the account's root user.
    user_id: Option<UserId>,
    arn: String,
    mfa_used: bool,
    source_ip: Option<String>,
    user_agent: Option<String>,
}

impl SignInSuccess {
    /// Where the console puts a sign-in's success in its new session's data for the session
    /// store to find.
    pub const SESSION_KEY: &'static str = "gatehouse.sign_in_success";

    fn meta(&self) -> RequestMeta {
        RequestMeta {
            source_ip: self.source_ip.clone(),
            user_agent: self.user_agent.clone(),
            ..RequestMeta::default()
        }
    }

    fn event<'a>(&'a self, meta: &'a RequestMeta) -> events::EventRow<'a> {
        events::EventRow::from(NewEvent {
            account_id: Some(&self.account_id),
            source: Source::Signin,
            name: "ConsoleLogin",
            actor_arn: Some(self.arn.clone()),
            actor_detail: None,
            meta,
            outcome: Outcome::Success,
            error_code: None,
            resource_arn: Some(self.arn.clone()),
            request: json!({ "mfaUsed": self.mfa_used }),
            before: None,
            after: None,
        })
    }
}

/// A session row to store with a sign-in (`record_sign_in_with_session`): the session store's
/// ID, encoded data and expiry.
#[derive(Clone, Copy, Debug)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub data: &'a [u8],
    pub expiry_date: OffsetDateTime,
}

impl Iam {
    /// Signs in the root user of the account whose root email is `email`, and records the
    /// success (unless an MFA code is still due).
    pub async fn sign_in_root(
        &self,
        email: &str,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let (signed_in, success) = self.sign_in_root_deferred(email, password, meta).await?;
        self.record_if_succeeded(success).await?;
        Ok(signed_in)
    }

    /// As `sign_in_root`, with the success's writes left to the caller.
    pub async fn sign_in_root_deferred(
        &self,
        email: &str,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> Result<(SignedIn, Option<SignInSuccess>)> {
        if self.throttled(meta).await? {
            let detail = format!("root:{}", truncate(email));
            self.record_failure(None, None, detail, Failure::Throttled, meta)
                .await?;
            return Err(Error::AuthenticationFailed);
        }
        let row = match Email::try_from(email.trim()) {
            Ok(email) => {
                let query = sqlx::query!(
                    r#"select r.account_id as "account_id!", a.alias as "alias?", r.email as "email!",
                          r.password_hash as "password_hash!", r.auth_epoch as "auth_epoch!",
                          r.locked_until as "locked_until?"
                   from root_users r join accounts a using (account_id) where lower(r.email) = lower($1)"#,
                    email.as_str(),
                );
                self.ready_connections()
                    .run(async |conn| query.fetch_optional(conn).await)
                    .await?
                    .map(|r| {
                        (
                            r.account_id,
                            r.alias,
                            r.email,
                            r.password_hash,
                            r.auth_epoch,
                            r.locked_until,
                        )
                    })
            }
            Err(_) => None,
        };
        let matched = self
            .inner
            .passwords
            .verify(password, row.as_ref().map(|r| r.3.as_str()))
            .await;
        let Some((account_id, alias, email, _, epoch, locked_until)) = row else {
            self.record_failure(
                None,
                None,
                format!("root:{}", truncate(email)),
                Failure::NoSuchUser,
                meta,
            )
            .await?;
            return Err(Error::AuthenticationFailed);
        };
        let account_id: AccountId = account_id.try_into()?;
        let arn = self.partition().root_arn(&account_id);
        let who = Credential::Root(&account_id);
        let failure = if self.is_locked(locked_until) {
            Some(Failure::LockedOut)
        } else if !matched {
            Some(Failure::WrongPassword)
        } else {
            None
        };
        if let Some(failure) = failure {
            let detail = format!("root:{email}");
            self.record_failure(
                Some(&account_id),
                Some(arn.clone()),
                detail.clone(),
                failure,
                meta,
            )
            .await?;
            if matches!(failure, Failure::WrongPassword) {
                self.count_wrong_password(who, &account_id, &arn, detail, meta)
                    .await?;
            }
            return Err(Error::AuthenticationFailed);
        }
        // With an MFA device the sign-in succeeds only once the code is right too.
        let needs_mfa = self.has_mfa(&account_id, None).await?;
        let success = (!needs_mfa).then(|| self.sign_in_success(who, &account_id, &arn, false, meta));
        let principal = Principal {
            account_id: account_id.clone(),
            account_alias: alias.map(TryInto::try_into).transpose()?,
            arn,
            kind: PrincipalKind::Root {
                email: email.try_into()?,
            },
            request: RequestMeta::default(),
            permissions_epoch: None,
        };
        let stage = if needs_mfa {
            SignInStage::MfaRequired {
                change_password: false,
                expired: false,
            }
        } else {
            SignInStage::SignedIn
        };
        let signed_in = self.signed_in(
            principal,
            SessionPrincipal::Root { account_id },
            epoch,
            stage,
            None,
        );
        Ok((signed_in, success))
    }

    /// Signs in an IAM user, and records the success (unless an MFA code is still due).
    /// `account` is what the person typed: an account ID or alias.
    pub async fn sign_in_user(
        &self,
        account: &str,
        user_name: &str,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let (signed_in, success) = self
            .sign_in_user_deferred(account, user_name, password, meta)
            .await?;
        self.record_if_succeeded(success).await?;
        Ok(signed_in)
    }

    /// As `sign_in_user`, with the success's writes left to the caller.
    pub async fn sign_in_user_deferred(
        &self,
        account: &str,
        user_name: &str,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> Result<(SignedIn, Option<SignInSuccess>)> {
        let detail = format!("{}/{}", truncate(account), truncate(user_name));
        let parsed = AccountRef::parse(account)
            .ok()
            .zip(UserName::try_from(user_name.trim()).ok());
        let found = self.user_sign_in_facts(parsed.as_ref(), meta).await?;
        if found.throttled {
            self.record_failure(None, None, detail, Failure::Throttled, meta)
                .await?;
            return Err(Error::AuthenticationFailed);
        }
        let (account_info, row, policy) = (found.account, found.user, found.policy);
        let stored = row.as_ref().and_then(|r| r.password_hash.as_deref());
        let matched = self.inner.passwords.verify(password, stored).await;
        let expired = row
            .as_ref()
            .is_some_and(|r| self.password_expired(&policy, r.password_changed_at));

        let failure = match (&parsed, &account_info, &row) {
            (None, _, _) => Some(Failure::MalformedInput),
            (_, None, _) => Some(Failure::NoSuchAccount),
            (_, _, None) => Some(Failure::NoSuchUser),
            (_, _, Some(r)) if r.password_hash.is_none() => Some(Failure::NoLoginProfile),
            (_, _, Some(r)) if r.disabled => Some(Failure::UserDisabled),
            (_, _, Some(r)) if self.is_locked(r.locked_until) => Some(Failure::LockedOut),
            _ if !matched => Some(Failure::WrongPassword),
            _ if expired && policy.hard_expiry => Some(Failure::PasswordExpired),
            _ => None,
        };
        let account_id = account_info.as_ref().map(|a| &a.account_id);
        let resolved = account_info
            .as_ref()
            .zip(row.as_ref())
            .map(|(info, r)| -> Result<_> {
                let name: UserName = r.user_name.clone().try_into()?;
                let path: IamPath = r.path.clone().try_into()?;
                let arn = self.partition().user_arn(&info.account_id, &path, &name);
                Ok((name, path, arn))
            });
        let resolved = resolved.transpose()?;
        if let Some(failure) = failure {
            let arn = resolved.as_ref().map(|(_, _, arn)| arn.clone());
            self.record_failure(account_id, arn.clone(), detail.clone(), failure, meta)
                .await?;
            if let (Failure::WrongPassword, Some(account), Some(r), Some(arn)) =
                (failure, account_id, &row, arn)
            {
                let user_id: UserId = r.user_id.clone().try_into()?;
                self.count_wrong_password(Credential::User(&user_id), account, &arn, detail, meta)
                    .await?;
            }
            return Err(match failure {
                Failure::PasswordExpired => Error::PasswordExpired,
                _ => Error::AuthenticationFailed,
            });
        }
        let (Some(info), Some(row), Some((user_name, path, arn))) = (account_info, row, resolved) else {
            return Err(Error::AuthenticationFailed);
        };
        let user_id: UserId = row.user_id.try_into()?;
        let epoch = row.auth_epoch;
        // With an MFA device the sign-in succeeds only once the code is right too.
        let needs_mfa = found.has_mfa;
        let stage = if needs_mfa {
            SignInStage::MfaRequired {
                change_password: row.reset_required,
                expired,
            }
        } else {
            SignInStage::after_password(row.reset_required, expired)
        };
        let expires_at = policy
            .max_password_age
            .zip(row.password_changed_at)
            .map(|(days, at)| (at + time::Duration::days(i64::from(days))).unix_timestamp());
        let success = (!needs_mfa)
            .then(|| self.sign_in_success(Credential::User(&user_id), &info.account_id, &arn, false, meta));
        let principal = Principal {
            account_id: info.account_id.clone(),
            account_alias: info.alias,
            arn,
            kind: PrincipalKind::User {
                user_id: user_id.clone(),
                user_name,
                path,
            },
            request: RequestMeta::default(),
            permissions_epoch: Some(found.permissions_epoch),
        };
        let signed_in = self.signed_in(
            principal,
            SessionPrincipal::User {
                account_id: info.account_id,
                user_id,
            },
            epoch,
            stage,
            expires_at,
        );
        Ok((signed_in, success))
    }

    fn signed_in(
        &self,
        principal: Principal,
        who: SessionPrincipal,
        epoch: i64,
        stage: SignInStage,
        password_expires_at: Option<i64>,
    ) -> SignedIn {
        SignedIn {
            principal,
            session: SessionAuth {
                principal: who,
                auth_epoch: epoch,
                authenticated_at: self.now().unix_timestamp(),
                stage,
                password_expires_at,
                mfa_authenticated_at: None,
            },
        }
    }

    fn is_locked(&self, locked_until: Option<OffsetDateTime>) -> bool {
        locked_until.is_some_and(|until| until > self.now())
    }

    /// Whether a password set at `changed_at` has expired under `policy`.
    pub(crate) fn password_expired(
        &self,
        policy: &PasswordPolicy,
        changed_at: Option<OffsetDateTime>,
    ) -> bool {
        match (policy.max_password_age, changed_at) {
            (Some(days), Some(at)) => self.now() >= at + time::Duration::days(i64::from(days)),
            _ => false,
        }
    }

    /// Counts a wrong password against the user (or root) and, at the policy's threshold, locks
    /// it out, recording the lockout in the event history. One row lock makes concurrent
    /// attempts count one by one.
    async fn count_wrong_password(
        &self,
        who: Credential<'_>,
        account: &AccountId,
        arn: &str,
        detail: String,
        meta: &RequestMeta,
    ) -> Result<()> {
        let policy = self.password_policy_of(self.pool(), account).await?;
        let mut tx = self.pool().begin().await?;
        let row = match who {
            Credential::Root(account_id) => sqlx::query!(
                "select failed_sign_ins, lockouts from root_users where account_id = $1 for update",
                account_id.as_str()
            )
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.failed_sign_ins, r.lockouts)),
            Credential::User(user_id) => sqlx::query!(
                "select failed_sign_ins, lockouts from login_profiles where user_id = $1 for update",
                user_id.as_str()
            )
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.failed_sign_ins, r.lockouts)),
        };
        let Some((failed, lockouts)) = row else {
            return Ok(());
        };
        let failed = failed.saturating_add(1);
        let threshold = i32::try_from(policy.lockout_threshold).unwrap_or(i32::MAX);
        let (failed, lockouts, locked_until) = if failed >= threshold {
            let duration = policy.lockout_duration(u32::try_from(lockouts).unwrap_or_default());
            (
                0,
                lockouts.saturating_add(1),
                Some((self.now() + duration, duration)),
            )
        } else {
            (failed, lockouts, None)
        };
        let until = locked_until.map(|(until, _)| until);
        match who {
            Credential::Root(account_id) => {
                sqlx::query!(
                    "update root_users set failed_sign_ins = $2, lockouts = $3,
                        locked_until = coalesce($4, locked_until)
                 where account_id = $1",
                    account_id.as_str(),
                    failed,
                    lockouts,
                    until,
                )
                .execute(&mut *tx)
                .await?
            }
            Credential::User(user_id) => {
                sqlx::query!(
                    "update login_profiles set failed_sign_ins = $2, lockouts = $3,
                        locked_until = coalesce($4, locked_until)
                 where user_id = $1",
                    user_id.as_str(),
                    failed,
                    lockouts,
                    until,
                )
                .execute(&mut *tx)
                .await?
            }
        };
        if let Some((until, duration)) = locked_until {
            events::append(
                &mut tx,
                NewEvent {
                    account_id: Some(account),
                    source: Source::Signin,
                    name: "LoginLockout",
                    actor_arn: None,
                    actor_detail: Some(detail),
                    meta,
                    outcome: Outcome::Success,
                    error_code: None,
                    resource_arn: Some(arn.to_owned()),
                    request: json!({
                        "consecutiveFailures": policy.lockout_threshold,
                        "lockoutMinutes": duration.whole_minutes(),
                        "lockedUntil": until.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    }),
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Completes the sign-in of a session waiting for an MFA code: the code must be right for
    /// one of the principal's devices (see `accept_mfa_code`). A wrong code counts towards the
    /// lockout like a wrong password, and a locked-out principal fails whatever the code.
    /// Returns the session state to continue under; the success is recorded.
    pub async fn complete_mfa_sign_in(
        &self,
        auth: &SessionAuth,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<SessionAuth> {
        let (next, success) = self.complete_mfa_sign_in_deferred(auth, code, meta).await?;
        self.record_sign_in(success).await?;
        Ok(next)
    }

    /// As `complete_mfa_sign_in`, with the success's writes left to the caller.
    pub async fn complete_mfa_sign_in_deferred(
        &self,
        auth: &SessionAuth,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(SessionAuth, SignInSuccess)> {
        let SignInStage::MfaRequired {
            change_password,
            expired,
        } = auth.stage
        else {
            return Err(Error::Invalid {
                field: "form",
                reason: "needs no MFA code: you are already signed in".to_owned(),
            });
        };
        let principal = self
            .session_principal(auth)
            .await?
            .ok_or(Error::AuthenticationFailed)?;
        let account = &principal.account_id;
        let (who, user_id, detail) = match &principal.kind {
            PrincipalKind::Root { email } => (Credential::Root(account), None, format!("root:{email}")),
            PrincipalKind::User {
                user_id, user_name, ..
            } => (
                Credential::User(user_id),
                Some(user_id.as_str()),
                format!("{account}/{user_name}"),
            ),
        };
        let locked_until = match who {
            Credential::Root(account_id) => sqlx::query_scalar!(
                "select locked_until from root_users where account_id = $1",
                account_id.as_str()
            )
            .fetch_optional(self.pool())
            .await?
            .flatten(),
            Credential::User(user_id) => sqlx::query_scalar!(
                "select locked_until from login_profiles where user_id = $1",
                user_id.as_str()
            )
            .fetch_optional(self.pool())
            .await?
            .flatten(),
        };
        let failure = if self.is_locked(locked_until) {
            Some(Failure::LockedOut)
        } else if !self.accept_mfa_code(account, user_id, code).await? {
            Some(Failure::WrongMfaCode)
        } else {
            None
        };
        if let Some(failure) = failure {
            self.record_failure(
                Some(account),
                Some(principal.arn.clone()),
                detail.clone(),
                failure,
                meta,
            )
            .await?;
            if matches!(failure, Failure::WrongMfaCode) {
                self.count_wrong_password(who, account, &principal.arn, detail, meta)
                    .await?;
            }
            return Err(Error::AuthenticationFailed);
        }
        let success = self.sign_in_success(who, account, &principal.arn, true, meta);
        let now = self.now().unix_timestamp();
        let next = SessionAuth {
            stage: SignInStage::after_password(change_password, expired),
            mfa_authenticated_at: Some(now),
            ..auth.clone()
        };
        Ok((next, success))
    }

    /// What a successful sign-in writes (see [`SignInSuccess`]).
    fn sign_in_success(
        &self,
        who: Credential<'_>,
        account_id: &AccountId,
        arn: &str,
        mfa_used: bool,
        meta: &RequestMeta,
    ) -> SignInSuccess {
        SignInSuccess {
            account_id: account_id.clone(),
            user_id: match who {
                Credential::Root(_) => None,
                Credential::User(user_id) => Some(user_id.clone()),
            },
            arn: arn.to_owned(),
            mfa_used,
            source_ip: meta.source_ip.clone(),
            user_agent: meta.user_agent.clone(),
        }
    }

    async fn record_if_succeeded(&self, success: Option<SignInSuccess>) -> Result<()> {
        match success {
            Some(success) => self.record_sign_in(success).await,
            None => Ok(()),
        }
    }

    /// Records a successful sign-in: the failure counters start again from zero, the password's
    /// last use is now, and the event history says so. One statement (atomic as a statement is),
    /// so a sign-in's writes take one round trip instead of begin, update, insert and commit.
    pub async fn record_sign_in(&self, success: SignInSuccess) -> Result<()> {
        self.record_sign_in_statement(&success, None).await?;
        Ok(())
    }

    /// Records a successful sign-in as `record_sign_in` does and stores its new console session,
    /// in one statement: a sign-in's writes take one round trip, and the sign-in is recorded if
    /// and only if its session is stored. Returns `false`, having written nothing, when the
    /// session ID is taken already (the caller draws another and tries again).
    pub async fn record_sign_in_with_session(
        &self,
        success: &SignInSuccess,
        session: NewSession<'_>,
    ) -> Result<bool> {
        self.record_sign_in_statement(success, Some(session)).await
    }

    /// The statement of both: with a session, each write is made only once the session row is
    /// in. Returns whether it wrote.
    async fn record_sign_in_statement(
        &self,
        success: &SignInSuccess,
        session: Option<NewSession<'_>>,
    ) -> Result<bool> {
        let meta = success.meta();
        let e = success.event(&meta);
        // The events insert is events::insert's. Exactly one of the two updates matches: the IAM
        // user's login profile, or (no user) the account's root user.
        let statement = sqlx::query_scalar!(
            r#"with new_session as (
                 insert into tower_sessions.session (id, data, expiry_date)
                 select $15::text, $16::bytea, $17::timestamptz where $15::text is not null
                 on conflict (id) do nothing
                 returning 1 as stored
             ), go as (
                 select $15::text is null or exists (select 1 from new_session) as ahead
             ), user_reset as (
                 update login_profiles set password_last_used = now(), failed_sign_ins = 0,
                        lockouts = 0, locked_until = null
                  where user_id = $14 and (select ahead from go)
             ), root_reset as (
                 update root_users set password_last_used = now(), failed_sign_ins = 0,
                        lockouts = 0, locked_until = null
                  where $14::text is null and account_id = $1 and (select ahead from go)
             ), event as (
                 insert into events (account_id, event_source, event_name, actor_arn, actor_detail,
                     source_ip, user_agent, outcome, error_code, resource_arn, request, before_state,
                     after_state)
                 select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
                  where (select ahead from go)
             )
             select ahead as "written!" from go"#,
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
            success.user_id.as_ref().map(UserId::as_str),
            session.map(|s| s.id),
            session.map(|s| s.data),
            session.map(|s| s.expiry_date),
        );
        let written = self
            .ready_connections()
            .run(async |conn| statement.fetch_one(conn).await)
            .await?;
        Ok(written)
    }

    /// Everything an IAM user's sign-in reads, in one query: whether the source address is
    /// throttled, the account (by ID or alias) and the user with its login profile, the account's
    /// password policy, whether the user has an MFA device and the permissions epoch (so the
    /// console's first look at the user's policies can come from the cache). `parsed` is `None`
    /// when the account or user name typed is not even well-formed.
    async fn user_sign_in_facts(
        &self,
        parsed: Option<&(AccountRef, UserName)>,
        meta: &RequestMeta,
    ) -> Result<UserSignInFacts> {
        let (limit, window_start) = self.throttle_limits();
        let (account_id, alias, user_name) = match parsed {
            Some((AccountRef::Id(id), name)) => (Some(id.as_str()), None, Some(name.as_str())),
            Some((AccountRef::Alias(alias), name)) => (None, Some(alias.as_str()), Some(name.as_str())),
            None => (None, None, None),
        };
        let query = sqlx::query!(
            r#"select exists (select 1 from sign_in_throttle t
                              where t.source_ip = $1 and t.window_started_at > $2 and t.failures >= $3)
                        as "throttled!",
                      a.account_id as "account_id?", a.alias as "alias?",
                      u.user_id as "user_id?", u.user_name as "user_name?", u.path as "path?",
                      u.auth_epoch as "auth_epoch?", u.disabled_at is not null as "disabled!",
                      lp.password_hash as "password_hash?", lp.locked_until as "locked_until?",
                      lp.password_reset_required as "reset_required?",
                      lp.password_changed_at as "password_changed_at?",
                      (select to_jsonb(p) - 'account_id' - 'updated_at' from account_password_policies p
                        where p.account_id = a.account_id)
                        as "password_policy?: sqlx::types::Json<PasswordPolicy>",
                      exists (select 1 from mfa_devices m
                              where m.account_id = a.account_id and m.user_id = u.user_id
                                and m.enabled_at is not null) as "has_mfa!",
                      (select epoch from permissions_epoch) as "permissions_epoch!"
               from (values (1)) as one (x)
               left join accounts a on a.account_id = $4 or a.alias = $5
               left join iam_users u on u.account_id = a.account_id and lower(u.user_name) = lower($6)
               left join login_profiles lp on lp.user_id = u.user_id"#,
            meta.source_ip.as_deref(),
            window_start,
            limit,
            account_id,
            alias,
            user_name,
        );
        let r = self
            .ready_connections()
            .run(async |conn| query.fetch_one(conn).await)
            .await?;
        let account = match (r.account_id, r.alias) {
            (Some(id), alias) => Some(AccountInfo {
                account_id: id.try_into()?,
                alias: alias.map(TryInto::try_into).transpose()?,
            }),
            (None, _) => None,
        };
        let user = match (r.user_id, r.user_name, r.path, r.auth_epoch) {
            (Some(user_id), Some(user_name), Some(path), Some(auth_epoch)) => Some(UserRow {
                user_id,
                user_name,
                path,
                auth_epoch,
                disabled: r.disabled,
                password_hash: r.password_hash,
                locked_until: r.locked_until,
                reset_required: r.reset_required.unwrap_or(false),
                password_changed_at: r.password_changed_at,
            }),
            _ => None,
        };
        Ok(UserSignInFacts {
            throttled: r.throttled,
            account,
            user,
            policy: r.password_policy.map(|p| p.0).unwrap_or_default(),
            has_mfa: r.has_mfa,
            permissions_epoch: r.permissions_epoch,
        })
    }

    /// The failures that throttle a source address, and when the current window began.
    fn throttle_limits(&self) -> (i32, OffsetDateTime) {
        let limit = i32::try_from(self.inner.sign_in_throttle.failures).unwrap_or(i32::MAX);
        (limit, self.now() - self.inner.sign_in_throttle.window)
    }

    /// Whether sign-ins from the request's source address are refused for now.
    async fn throttled(&self, meta: &RequestMeta) -> Result<bool> {
        let Some(ip) = &meta.source_ip else {
            return Ok(false);
        };
        let (limit, window_start) = self.throttle_limits();
        let query = sqlx::query_scalar!(
            r#"select exists (select 1 from sign_in_throttle
                 where source_ip = $1 and window_started_at > $2 and failures >= $3) as "throttled!""#,
            ip,
            window_start,
            limit,
        );
        Ok(self
            .ready_connections()
            .run(async |conn| query.fetch_one(conn).await)
            .await?)
    }

    async fn record_failure(
        &self,
        account_id: Option<&AccountId>,
        arn: Option<String>,
        detail: String,
        failure: Failure,
        meta: &RequestMeta,
    ) -> Result<()> {
        let mut conn = self.pool().acquire().await?;
        if let (Some(ip), false) = (&meta.source_ip, matches!(failure, Failure::Throttled)) {
            // A new window starts when the last one is over; the failure counts in it.
            let window_start = self.now() - self.inner.sign_in_throttle.window;
            sqlx::query!(
                "insert into sign_in_throttle (source_ip, window_started_at, failures) values ($1, $2, 1)
                 on conflict (source_ip) do update set
                   window_started_at = case when sign_in_throttle.window_started_at <= $3
                                            then $2 else sign_in_throttle.window_started_at end,
                   failures = case when sign_in_throttle.window_started_at <= $3
                                   then 1 else sign_in_throttle.failures + 1 end",
                ip,
                self.now(),
                window_start,
            )
            .execute(&mut *conn)
            .await?;
        }
        events::append(
            &mut conn,
            NewEvent {
                account_id,
                source: Source::Signin,
                name: "ConsoleLogin",
                actor_arn: None,
                actor_detail: Some(detail),
                meta,
                outcome: Outcome::Failure,
                error_code: Some(failure.code()),
                resource_arn: arn,
                request: json!({ "mfaUsed": false }),
                before: None,
                after: None,
            },
        )
        .await
    }
}

/// Whose sign-in failures are counted.
#[derive(Clone, Copy)]
enum Credential<'a> {
    Root(&'a AccountId),
    User(&'a UserId),
}

/// An IAM user as sign-in reads it.
/// What [`Iam::user_sign_in_facts`] found.
struct UserSignInFacts {
    throttled: bool,
    account: Option<AccountInfo>,
    user: Option<UserRow>,
    /// The account's password policy (the default when there is no account).
    policy: PasswordPolicy,
    has_mfa: bool,
    permissions_epoch: i64,
}

struct UserRow {
    user_id: String,
    user_name: String,
    path: String,
    auth_epoch: i64,
    disabled: bool,
    password_hash: Option<String>,
    locked_until: Option<OffsetDateTime>,
    reset_required: bool,
    password_changed_at: Option<OffsetDateTime>,
}

/// What a person typed, cut to a sane length before it is stored in the event history.
fn truncate(input: &str) -> String {
    input.trim().chars().take(128).collect()
}
