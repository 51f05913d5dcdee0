//! Console sign-in for root users (email + password) and IAM users (account + user name +
//! password). Every failure is the same `AuthenticationFailed` after the same work: an unknown
//! account or user is checked against the dummy hash. Each attempt is written to the event
//! history, with the reason visible to administrators only.

use secrecy::SecretString;
use serde_json::json;

use crate::events::{self, NewEvent, Outcome, RequestMeta, Source};
use crate::session::{SessionAuth, SessionPrincipal, SignInStage};
use crate::{
    AccountId, AccountRef, Email, Error, Iam, IamPath, Principal, PrincipalKind, Result, UserId, UserName,
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
        }
    }
}

/// A successful password check: the principal and the session state to store.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub principal: Principal,
    pub session: SessionAuth,
}

impl Iam {
    /// Signs in the root user of the account whose root email is `email`.
    pub async fn sign_in_root(
        &self,
        email: &str,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let row = match Email::try_from(email.trim()) {
            Ok(email) => sqlx::query!(
                r#"select r.account_id as "account_id!", a.alias as "alias?", r.email as "email!",
                          r.password_hash as "password_hash!", r.auth_epoch as "auth_epoch!"
                   from root_users r join accounts a using (account_id) where lower(r.email) = lower($1)"#,
                email.as_str(),
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| (r.account_id, r.alias, r.email, r.password_hash, r.auth_epoch)),
            Err(_) => None,
        };
        let matched = self
            .inner
            .passwords
            .verify(password, row.as_ref().map(|r| r.3.as_str()))
            .await;
        let Some((account_id, alias, email, _, epoch)) = row else {
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
        if !matched {
            self.record_failure(
                Some(&account_id),
                Some(arn),
                format!("root:{email}"),
                Failure::WrongPassword,
                meta,
            )
            .await?;
            return Err(Error::AuthenticationFailed);
        }
        let mut tx = self.pool().begin().await?;
        sqlx::query!(
            "update root_users set password_last_used = now() where account_id = $1",
            account_id.as_str(),
        )
        .execute(&mut *tx)
        .await?;
        self.record_success(&mut tx, &account_id, &arn, meta).await?;
        tx.commit().await?;
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
        Ok(self.signed_in(principal, SessionPrincipal::Root { account_id }, epoch))
    }

    /// Signs in an IAM user. `account` is what the person typed: an account ID or alias.
    pub async fn sign_in_user(
        &self,
        account: &str,
        user_name: &str,
        password: &SecretString,
        meta: &RequestMeta,
    ) -> Result<SignedIn> {
        let detail = format!("{}/{}", truncate(account), truncate(user_name));
        let parsed = AccountRef::parse(account)
            .ok()
            .zip(UserName::try_from(user_name.trim()).ok());
        let account_info = match &parsed {
            Some((account, _)) => self.find_account(account).await?,
            None => None,
        };
        let row = match (&account_info, &parsed) {
            (Some(info), Some((_, name))) => sqlx::query!(
                r#"select u.user_id as "user_id!", u.user_name as "user_name!", u.path as "path!",
                          u.auth_epoch as "auth_epoch!", u.disabled_at is not null as "disabled!",
                          lp.password_hash as "password_hash?"
                   from iam_users u left join login_profiles lp using (user_id)
                   where u.account_id = $1 and lower(u.user_name) = lower($2)"#,
                info.account_id.as_str(),
                name.as_str(),
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| {
                (
                    r.user_id,
                    r.user_name,
                    r.path,
                    r.auth_epoch,
                    r.disabled,
                    r.password_hash,
                )
            }),
            _ => None,
        };
        let stored = row.as_ref().and_then(|r| r.5.as_deref());
        let matched = self.inner.passwords.verify(password, stored).await;

        let failure = match (&parsed, &account_info, &row) {
            (None, _, _) => Some(Failure::MalformedInput),
            (_, None, _) => Some(Failure::NoSuchAccount),
            (_, _, None) => Some(Failure::NoSuchUser),
            (_, _, Some(r)) if r.5.is_none() => Some(Failure::NoLoginProfile),
            (_, _, Some(r)) if r.4 => Some(Failure::UserDisabled),
            _ if !matched => Some(Failure::WrongPassword),
            _ => None,
        };
        let account_id = account_info.as_ref().map(|a| &a.account_id);
        let resolved = account_info
            .as_ref()
            .zip(row.as_ref())
            .map(|(info, r)| -> Result<_> {
                let name: UserName = r.1.clone().try_into()?;
                let path: IamPath = r.2.clone().try_into()?;
                let arn = self.partition().user_arn(&info.account_id, &path, &name);
                Ok((name, path, arn))
            });
        let resolved = resolved.transpose()?;
        if let Some(failure) = failure {
            let arn = resolved.as_ref().map(|(_, _, arn)| arn.clone());
            self.record_failure(account_id, arn, detail, failure, meta)
                .await?;
            return Err(Error::AuthenticationFailed);
        }
        let (Some(info), Some((user_id, _, _, epoch, _, _)), Some((user_name, path, arn))) =
            (account_info, row, resolved)
        else {
            return Err(Error::AuthenticationFailed);
        };
        let user_id: UserId = user_id.try_into()?;
        let mut tx = self.pool().begin().await?;
        sqlx::query!(
            "update login_profiles set password_last_used = now() where user_id = $1",
            user_id.as_str(),
        )
        .execute(&mut *tx)
        .await?;
        self.record_success(&mut tx, &info.account_id, &arn, meta).await?;
        tx.commit().await?;
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
            permissions_epoch: None,
        };
        Ok(self.signed_in(
            principal,
            SessionPrincipal::User {
                account_id: info.account_id,
                user_id,
            },
            epoch,
        ))
    }

    fn signed_in(&self, principal: Principal, who: SessionPrincipal, epoch: i64) -> SignedIn {
        SignedIn {
            principal,
            session: SessionAuth {
                principal: who,
                auth_epoch: epoch,
                authenticated_at: self.now().unix_timestamp(),
                stage: SignInStage::SignedIn,
            },
        }
    }

    async fn record_success(
        &self,
        tx: &mut sqlx::PgConnection,
        account_id: &AccountId,
        arn: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        events::append(
            tx,
            NewEvent {
                account_id: Some(account_id),
                source: Source::Signin,
                name: "ConsoleLogin",
                actor_arn: Some(arn.to_owned()),
                actor_detail: None,
                meta,
                outcome: Outcome::Success,
                error_code: None,
                resource_arn: Some(arn.to_owned()),
                request: json!({ "mfaUsed": false }),
                before: None,
                after: None,
            },
        )
        .await
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

/// What a person typed, cut to a sane length before it is stored in the event history.
fn truncate(input: &str) -> String {
    input.trim().chars().take(128).collect()
}
