//! First-run setup: the one-time link creates the first account and its root user.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Password;
use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupState {
    /// The link can be used now.
    Ready,
    /// Expired, used, replaced, or never issued.
    InvalidLink,
    /// The deployment already has an account.
    AlreadyDone,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupDone {
    pub account_id: String,
    pub alias: Option<String>,
    pub root_email: String,
    pub signin_url: String,
}

#[server(prefix = "/api", endpoint = "setup_status")]
pub async fn setup_status(token: String) -> Result<SetupState, AppError> {
    let iam = crate::ssr::state()?.iam;
    Ok(if iam.has_accounts().await? {
        SetupState::AlreadyDone
    } else if iam.setup_token_is_valid(&token).await? {
        SetupState::Ready
    } else {
        SetupState::InvalidLink
    })
}

#[server(prefix = "/api", endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    alias: String,
    email: String,
    password: Password,
    confirm_password: Password,
) -> Result<SetupDone, AppError> {
    use crate::ssr::*;
    use gatehouse_iam::{AccountAlias, Email, NewAccount};
    let state = state()?;
    let alias = match alias.trim() {
        "" => None,
        a => Some(AccountAlias::try_from(a)?),
    };
    let root_email = Email::try_from(email.trim())?;
    if password.0 != confirm_password.0 {
        return Err(AppError::Invalid {
            field: "confirm_password".into(),
            message: "The passwords do not match.".into(),
        });
    }
    let new = NewAccount {
        alias,
        root_email: root_email.clone(),
        root_password: password.into_secret(),
    };
    let created = state.iam.complete_setup(&token, new, &request_meta()).await?;
    let label = created
        .alias
        .as_ref()
        .map_or(created.account_id.as_str(), |a| a.as_str());
    Ok(SetupDone {
        signin_url: state.console.signin_url(label),
        account_id: created.account_id.to_string(),
        alias: created.alias.map(String::from),
        root_email: root_email.to_string(),
    })
}
