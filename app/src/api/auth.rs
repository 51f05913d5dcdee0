//! Sign-in, sign-out and "who am I".

use leptos::prelude::*;

use super::{Me, Password};
use crate::error::AppError;

/// Signs in an IAM user with account ID or alias, user name and password.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(account: String, user_name: String, password: Password) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let result = state
        .iam
        .sign_in_user_deferred(&account, &user_name, &password.into_secret(), &request_meta())
        .await;
    state
        .metrics
        .record_sign_in("iam_user", if result.is_ok() { "success" } else { "failure" });
    let (signed_in, success) = result?;
    begin_signed_in_session(&signed_in.session, success).await?;
    // Remember the account as the person identifies it (alias if it has one) for next time.
    let remembered = signed_in
        .principal
        .account_alias
        .as_ref()
        .map_or(signed_in.principal.account_id.as_str(), |a| a.as_str());
    set_cookie(LAST_ACCOUNT_COOKIE, remembered, 400 * 24 * 3600);
    // An MFA code, then a required or expired password change, come first.
    leptos_axum::redirect(landing_page(&signed_in.session, Some(&signed_in.principal)).await?);
    Ok(())
}

/// What the MFA step of sign-in shows about the session waiting for a code.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MfaStep {
    pub display_name: String,
    pub account: String,
}

/// The session's MFA step, if it is waiting for a code; `None` once past it.
#[server(prefix = "/api", endpoint = "pending_mfa")]
pub async fn pending_mfa() -> Result<Option<MfaStep>, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let auth = session_auth().await?;
    if !matches!(auth.stage, gatehouse_iam::SignInStage::MfaRequired { .. }) {
        return Ok(None);
    }
    let principal = state
        .iam
        .session_principal(&auth)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    Ok(Some(MfaStep {
        display_name: principal.display_name().to_owned(),
        account: principal
            .account_alias
            .as_ref()
            .map_or_else(|| principal.account_id.to_string(), ToString::to_string),
    }))
}

/// The MFA step of sign-in: the code from the principal's MFA device. The session continues
/// under a new ID, to the forced password change if one is due.
#[server(prefix = "/api", endpoint = "verify_mfa")]
pub async fn verify_mfa(code: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let auth = session_auth().await?;
    let result = state
        .iam
        .complete_mfa_sign_in_deferred(&auth, &code, &request_meta())
        .await;
    state
        .metrics
        .record_sign_in("mfa", if result.is_ok() { "success" } else { "failure" });
    let (next, success) = result?;
    begin_signed_in_session(&next, Some(success)).await?;
    leptos_axum::redirect(landing_page(&next, None).await?);
    Ok(())
}

/// Signs in an account's root user with its email address and password.
#[server(prefix = "/api", endpoint = "sign_in_root")]
pub async fn sign_in_root(email: String, password: Password) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let result = state
        .iam
        .sign_in_root_deferred(&email, &password.into_secret(), &request_meta())
        .await;
    state
        .metrics
        .record_sign_in("root", if result.is_ok() { "success" } else { "failure" });
    let (signed_in, success) = result?;
    begin_signed_in_session(&signed_in.session, success).await?;
    leptos_axum::redirect(landing_page(&signed_in.session, Some(&signed_in.principal)).await?);
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::ssr::end_session().await?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// The signed-in principal, or `NotSignedIn`.
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Me, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let p = current_principal().await?;
    let auth = session_auth().await?;
    let account_label = p
        .account_alias
        .as_ref()
        .map_or(p.account_id.as_str(), |a| a.as_str());
    Ok(Me {
        display_name: p.display_name().to_owned(),
        signin_url: state.console.signin_url(account_label),
        arn: p.arn.clone(),
        account_id: p.account_id.to_string(),
        account_alias: p.account_alias.as_ref().map(ToString::to_string),
        is_root: p.is_root(),
        password_expires_in_days: auth.password_expiry_warning(state.iam.now()),
    })
}

/// The account last signed in to from this browser, to pre-fill the sign-in form.
#[server(prefix = "/api", endpoint = "remembered_account")]
pub async fn remembered_account() -> Result<Option<String>, AppError> {
    let value = crate::ssr::request_cookie(crate::ssr::LAST_ACCOUNT_COOKIE);
    // Only ever echo a well-formed account ID or alias back into the page.
    Ok(value.filter(|v| gatehouse_iam::AccountRef::parse(v).is_ok()))
}
