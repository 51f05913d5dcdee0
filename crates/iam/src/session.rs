//! The sign-in state machine kept in a server-side session. The session stores only references
//! (account, principal ID, the principal's auth epoch, when the password was verified, the stage);
//! each request reloads the principal, so disabling a user or raising its epoch ends its sessions
//! at once, on every server instance.
//!
//! Stages: a password check leads to `SignedIn`, or first to `MustChangePassword` when an
//! administrator requires a new password or the password expired. In that stage the session
//! reaches nothing but the password change; completing it moves the session on under a new ID.
//! A principal with an MFA device passes through `MfaRequired` after its password, first.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{AccountId, Iam, IamPath, Principal, PrincipalKind, RequestMeta, Result, UserId};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionPrincipal {
    Root { account_id: AccountId },
    User { account_id: AccountId, user_id: UserId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStage {
    SignedIn,
    /// The password was right and the principal has an MFA device: an MFA code comes next, then
    /// the password change if `change_password`.
    MfaRequired {
        change_password: bool,
        expired: bool,
    },
    /// The password must be changed before anything else; `expired` tells why.
    MustChangePassword {
        expired: bool,
    },
}

impl SignInStage {
    /// The stage after a password check (or an MFA code) with nothing else outstanding.
    pub(crate) fn after_password(change_password: bool, expired: bool) -> Self {
        if change_password || expired {
            Self::MustChangePassword { expired }
        } else {
            Self::SignedIn
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAuth {
    pub principal: SessionPrincipal,
    pub auth_epoch: i64,
    /// Unix seconds when the password was verified; the absolute timeout counts from here.
    pub authenticated_at: i64,
    pub stage: SignInStage,
    /// Unix seconds when the password expires under the account's policy, if it does; the
    /// console warns in the last days (sessions saved before this field existed have none).
    #[serde(default)]
    pub password_expires_at: Option<i64>,
    /// Unix seconds when the session proved an MFA code (at sign-in, or by assigning a device);
    /// the policy context's `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge`.
    #[serde(default)]
    pub mfa_authenticated_at: Option<i64>,
}

impl SessionAuth {
    /// Whole days until the password expires, when that is within the warning period.
    pub fn password_expiry_warning(&self, now: OffsetDateTime) -> Option<i64> {
        let left = self.password_expires_at?.saturating_sub(now.unix_timestamp());
        let days = left.div_euclid(86_400);
        (left > 0 && days < crate::EXPIRY_WARNING_DAYS).then_some(days)
    }

    pub fn is_past_absolute_timeout(&self, now: OffsetDateTime, absolute: Duration) -> bool {
        now.unix_timestamp() >= self.authenticated_at.saturating_add(absolute.whole_seconds())
    }
}

impl Iam {
    /// Reloads the principal a session refers to. `None` means the session no longer stands: the
    /// principal is gone or disabled, or its sessions were ended (its auth epoch moved on).
    pub async fn session_principal(&self, auth: &SessionAuth) -> Result<Option<Principal>> {
        let partition = self.partition();
        match &auth.principal {
            SessionPrincipal::Root { account_id } => {
                let row = sqlx::query!(
                    r#"select r.email as "email!", a.alias as "alias?", r.auth_epoch as "auth_epoch!"
                       from root_users r join accounts a using (account_id) where r.account_id = $1"#,
                    account_id.as_str(),
                )
                .fetch_optional(self.pool())
                .await?
                .map(|r| (r.email, r.alias, r.auth_epoch));
                let Some((email, alias, epoch)) = row else {
                    return Ok(None);
                };
                if epoch != auth.auth_epoch {
                    return Ok(None);
                }
                Ok(Some(Principal {
                    arn: partition.root_arn(account_id),
                    account_id: account_id.clone(),
                    account_alias: alias.map(TryInto::try_into).transpose()?,
                    kind: PrincipalKind::Root {
                        email: email.try_into()?,
                    },
                    request: RequestMeta::default(),
                    permissions_epoch: None,
                }))
            }
            SessionPrincipal::User { account_id, user_id } => {
                let row = sqlx::query!(
                    r#"select u.user_name as "user_name!", u.path as "path!", a.alias as "alias?",
                              u.auth_epoch as "auth_epoch!", u.disabled_at is not null as "disabled!",
                              (select epoch from permissions_epoch) as "permissions_epoch!"
                       from iam_users u join accounts a using (account_id)
                       where u.user_id = $1 and u.account_id = $2"#,
                    user_id.as_str(),
                    account_id.as_str(),
                )
                .fetch_optional(self.pool())
                .await?
                .map(|r| {
                    (
                        r.user_name,
                        r.path,
                        r.alias,
                        r.auth_epoch,
                        r.disabled,
                        r.permissions_epoch,
                    )
                });
                let Some((name, path, alias, epoch, disabled, permissions_epoch)) = row else {
                    return Ok(None);
                };
                if disabled || epoch != auth.auth_epoch {
                    return Ok(None);
                }
                let user_name = name.try_into()?;
                let path: IamPath = path.try_into()?;
                Ok(Some(Principal {
                    arn: partition.user_arn(account_id, &path, &user_name),
                    account_id: account_id.clone(),
                    account_alias: alias.map(TryInto::try_into).transpose()?,
                    kind: PrincipalKind::User {
                        user_id: user_id.clone(),
                        user_name,
                        path,
                    },
                    request: RequestMeta::default(),
                    permissions_epoch: Some(permissions_epoch),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_warning_covers_only_the_last_15_days() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let auth = |expires_in: Option<Duration>| SessionAuth {
            principal: SessionPrincipal::Root {
                account_id: "123456789012".parse().unwrap(),
            },
            auth_epoch: 0,
            authenticated_at: 0,
            stage: SignInStage::SignedIn,
            password_expires_at: expires_in.map(|d| (now + d).unix_timestamp()),
            mfa_authenticated_at: None,
        };
        assert_eq!(auth(None).password_expiry_warning(now), None);
        assert_eq!(auth(Some(Duration::days(16))).password_expiry_warning(now), None);
        assert_eq!(auth(Some(Duration::days(15))).password_expiry_warning(now), None);
        assert_eq!(
            auth(Some(Duration::days(14) + Duration::hours(3))).password_expiry_warning(now),
            Some(14)
        );
        assert_eq!(
            auth(Some(Duration::hours(5))).password_expiry_warning(now),
            Some(0)
        );
        assert_eq!(auth(Some(Duration::hours(-1))).password_expiry_warning(now), None);
    }
}
