//! The sign-in state machine kept in a server-side session. The session stores only references
//! (account, principal ID, the principal's auth epoch, when the password was verified, the stage);
//! each request reloads the principal, so disabling a user or raising its epoch ends its sessions
//! at once, on every server instance.
//!
//! Stages: today a password check leads straight to `SignedIn`. The forced password change and
//! MFA stages (issue 5) slot in as further variants between the two.

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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAuth {
    pub principal: SessionPrincipal,
    pub auth_epoch: i64,
    /// Unix seconds when the password was verified; the absolute timeout counts from here.
    pub authenticated_at: i64,
    pub stage: SignInStage,
}

impl SessionAuth {
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
