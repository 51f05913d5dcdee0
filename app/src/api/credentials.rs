//! Passwords and sessions: the forced password change of sign-in, changing one's own password,
//! signing out of all sessions, the account password policy, and an administrator's management
//! of a user's console access (enable, reset, disable, unlock).

// A form's fields are a server function's arguments, and the password policy form has many; the
// `server` macro's generated client function does not carry an attribute put on the function.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Password;
use crate::error::AppError;

/// What the forced password change page shows about the session waiting for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub display_name: String,
    pub account: String,
    /// The password expired (rather than an administrator requiring a new one).
    pub expired: bool,
}

/// The session's forced password change, if it is waiting for one; `None` once signed in.
#[server(prefix = "/api", endpoint = "pending_password_change")]
pub async fn pending_password_change() -> Result<Option<PendingChange>, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let auth = session_auth().await?;
    let gatehouse_iam::SignInStage::MustChangePassword { expired } = auth.stage else {
        return Ok(None);
    };
    let principal = state
        .iam
        .session_principal(&auth)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    Ok(Some(PendingChange {
        display_name: principal.display_name().to_owned(),
        account: principal
            .account_alias
            .as_ref()
            .map_or_else(|| principal.account_id.to_string(), ToString::to_string),
        expired,
    }))
}

#[cfg(feature = "ssr")]
fn password_change(old: Password, new: Password, retyped: Password) -> gatehouse_iam::PasswordChange {
    gatehouse_iam::PasswordChange {
        old: old.into_secret(),
        new: new.into_secret(),
        retyped: retyped.into_secret(),
    }
}

/// Completes the forced password change of sign-in and continues, signed in, under a new
/// session ID.
#[server(prefix = "/api", endpoint = "complete_password_change")]
pub async fn complete_password_change(
    old_password: Password,
    password: Password,
    password_confirm: Password,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let auth = session_auth().await?;
    let change = password_change(old_password, password, password_confirm);
    let next = state.iam.complete_password_change(&auth, &change, &meta).await?;
    begin_session(&next).await?;
    leptos_axum::redirect(landing_page(&next, None).await?);
    Ok(())
}

/// Changes the signed-in principal's own password (AWS ChangePassword). Every other session of
/// the principal ends; this one continues under a new session ID.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    old_password: Password,
    password: Password,
    password_confirm: Password,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let (actor, _) = actor().await?;
    let auth = session_auth().await?;
    let change = password_change(old_password, password, password_confirm);
    let next = state
        .iam
        .change_own_password(&actor, &auth, &change, &meta)
        .await?;
    begin_session(&next).await?;
    Ok(())
}

/// Ends every session of the signed-in principal, this one included.
#[server(prefix = "/api", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let principal = current_principal().await?;
    state.iam.sign_out_everywhere(&principal, &meta).await?;
    end_session().await?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// The account password policy as the Account settings page edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicyView {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub allow_users_to_change_password: bool,
    pub max_password_age: Option<u32>,
    pub hard_expiry: bool,
    pub password_reuse_prevention: Option<u32>,
    pub lockout_threshold: u32,
    pub lockout_minutes: u32,
    /// How many passwords the shipped common-password list holds.
    pub common_passwords: usize,
    pub can_update: bool,
}

/// The account password policy, authorized as `iam:GetAccountPasswordPolicy`.
#[server(prefix = "/api", endpoint = "get_password_policy")]
pub async fn get_password_policy() -> Result<PasswordPolicyView, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let p = state.iam.get_password_policy(&actor, &account).await?;
    let can_update = allows(&state, &actor, &account, "iam:UpdateAccountPasswordPolicy", "*").await?;
    Ok(PasswordPolicyView {
        minimum_length: p.minimum_length,
        require_uppercase: p.require_uppercase,
        require_lowercase: p.require_lowercase,
        require_numbers: p.require_numbers,
        require_symbols: p.require_symbols,
        allow_users_to_change_password: p.allow_users_to_change_password,
        max_password_age: p.max_password_age,
        hard_expiry: p.hard_expiry,
        password_reuse_prevention: p.password_reuse_prevention,
        lockout_threshold: p.lockout_threshold,
        lockout_minutes: p.lockout_minutes,
        common_passwords: gatehouse_iam::common_password_count(),
        can_update,
    })
}

/// A whole number from a form field, or a field error that says what is expected.
#[cfg(feature = "ssr")]
fn whole_number(field: &str, value: &str, expected: &str) -> Result<u32, AppError> {
    value.trim().parse().map_err(|_| AppError::Invalid {
        field: field.into(),
        message: format!("Enter {expected}."),
    })
}

/// Sets the account password policy (AWS UpdateAccountPasswordPolicy). Check boxes arrive only
/// when ticked; the expiry and reuse numbers count only when their box is ticked.
#[server(prefix = "/api", endpoint = "update_password_policy")]
pub async fn update_password_policy(
    minimum_length: String,
    require_uppercase: Option<String>,
    require_lowercase: Option<String>,
    require_numbers: Option<String>,
    require_symbols: Option<String>,
    allow_users_to_change_password: Option<String>,
    expire_passwords: Option<String>,
    max_password_age: Option<String>,
    hard_expiry: Option<String>,
    prevent_reuse: Option<String>,
    password_reuse_prevention: Option<String>,
    lockout_threshold: String,
    lockout_minutes: String,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let max_password_age = match expire_passwords {
        Some(_) => Some(whole_number(
            "max_password_age",
            max_password_age.as_deref().unwrap_or_default(),
            "the number of days a password stays valid, from 1 to 1095",
        )?),
        None => None,
    };
    let password_reuse_prevention = match prevent_reuse {
        Some(_) => Some(whole_number(
            "password_reuse_prevention",
            password_reuse_prevention.as_deref().unwrap_or_default(),
            "how many previous passwords to remember, from 1 to 24",
        )?),
        None => None,
    };
    let policy = gatehouse_iam::PasswordPolicy {
        minimum_length: whole_number("minimum_length", &minimum_length, "a length from 6 to 128")?,
        require_uppercase: require_uppercase.is_some(),
        require_lowercase: require_lowercase.is_some(),
        require_numbers: require_numbers.is_some(),
        require_symbols: require_symbols.is_some(),
        allow_users_to_change_password: allow_users_to_change_password.is_some(),
        max_password_age,
        hard_expiry: hard_expiry.is_some() && max_password_age.is_some(),
        password_reuse_prevention,
        lockout_threshold: whole_number(
            "lockout_threshold",
            &lockout_threshold,
            "a number of failed sign-ins from 1 to 100",
        )?,
        lockout_minutes: whole_number(
            "lockout_minutes",
            &lockout_minutes,
            "a number of minutes from 1 to 1440",
        )?,
    };
    state
        .iam
        .update_password_policy(&actor, &account, &policy, &meta)
        .await?;
    Ok(())
}

/// A password an administrator just set, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsolePasswordSet {
    pub user_name: String,
    /// Present when the password was autogenerated: the only time it is shown.
    pub generated: Option<String>,
    pub password_reset_required: bool,
}

/// Enables console access for a user (`enable = true`, AWS CreateLoginProfile) or resets its
/// password (AWS UpdateLoginProfile), with an autogenerated or custom password.
#[server(prefix = "/api", endpoint = "set_console_password")]
pub async fn set_console_password(
    user_name: String,
    enable: bool,
    password_type: Option<String>,
    password: Option<Password>,
    password_reset_required: Option<String>,
) -> Result<ConsolePasswordSet, AppError> {
    use crate::ssr::*;
    use secrecy::ExposeSecret;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::UserName = user_name.trim().parse()?;
    let generated = password_type.as_deref() != Some("custom");
    let profile = gatehouse_iam::NewLoginProfile {
        password: super::chosen_password(password_type.as_deref(), password)?,
        password_reset_required: password_reset_required.is_some(),
    };
    if enable {
        state
            .iam
            .create_login_profile(&actor, &account, &name, &profile, &meta)
            .await?;
    } else {
        state
            .iam
            .reset_login_profile(&actor, &account, &name, &profile, &meta)
            .await?;
    }
    Ok(ConsolePasswordSet {
        user_name: name.to_string(),
        generated: generated.then(|| profile.password.expose_secret().to_owned()),
        password_reset_required: profile.password_reset_required,
    })
}

/// Disables a user's console access (AWS DeleteLoginProfile); the user's sessions end.
#[server(prefix = "/api", endpoint = "disable_console_access")]
pub async fn disable_console_access(user_name: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::UserName = user_name.trim().parse()?;
    state
        .iam
        .delete_login_profile(&actor, &account, &name, &meta)
        .await?;
    Ok(())
}

/// Lifts a user's sign-in lockout.
#[server(prefix = "/api", endpoint = "unlock_user")]
pub async fn unlock_user(user_name: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::UserName = user_name.trim().parse()?;
    state.iam.unlock_user(&actor, &account, &name, &meta).await?;
    Ok(())
}

/// One of the signed-in user's groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyGroup {
    pub name: String,
    pub arn: String,
}

/// The signed-in user's groups (none for root), for My security credentials. Needs no
/// permission: it is what the principal itself belongs to.
#[server(prefix = "/api", endpoint = "my_groups")]
pub async fn my_groups() -> Result<Vec<MyGroup>, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let principal = current_principal().await?;
    Ok(state
        .iam
        .own_groups(&principal)
        .await?
        .into_iter()
        .map(|g| MyGroup {
            name: g.name,
            arn: g.arn,
        })
        .collect())
}
