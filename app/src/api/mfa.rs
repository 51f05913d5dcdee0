//! MFA devices, one's own (`user_name` empty: the signed-in user, or root) and, for an
//! administrator, a user's: list, assign (create, then enable with two consecutive codes),
//! resync, remove. Removing one's own device needs one's password again.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Password;
use crate::error::AppError;

/// An assigned MFA device as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDeviceView {
    pub serial_number: String,
    pub device_name: String,
    pub assigned: String,
}

/// A device just created, before it is assigned: what the authenticator app needs. The only
/// time its secret is shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMfaDeviceView {
    pub serial_number: String,
    pub secret_key: String,
    pub qr_code_svg: String,
}

impl std::fmt::Debug for NewMfaDeviceView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMfaDeviceView")
            .field("serial_number", &self.serial_number)
            .finish_non_exhaustive()
    }
}

/// The devices of `user_name`, or one's own when it is empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaDevices {
    pub devices: Vec<MfaDeviceView>,
    /// The most a user may have.
    pub max: u32,
}

#[cfg(feature = "ssr")]
use super::credential_owner as owner;

#[server(prefix = "/api", endpoint = "list_mfa_devices")]
pub async fn list_mfa_devices(user_name: Option<String>) -> Result<MfaDevices, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let name = owner::name(&actor, user_name.as_deref())?;
    let devices = state
        .iam
        .list_mfa_devices(&actor, &account, owner::of(name.as_ref()))
        .await?;
    Ok(MfaDevices {
        devices: devices
            .into_iter()
            .map(|d| MfaDeviceView {
                serial_number: d.serial_number,
                device_name: d.device_name,
                assigned: display_time(d.enabled_at),
            })
            .collect(),
        max: gatehouse_iam::MAX_MFA_DEVICES,
    })
}

/// Creates a virtual MFA device to assign: its QR code and secret key, shown this once.
#[server(prefix = "/api", endpoint = "create_mfa_device")]
pub async fn create_mfa_device(
    device_name: String,
    user_name: Option<String>,
) -> Result<NewMfaDeviceView, AppError> {
    use crate::ssr::*;
    use secrecy::ExposeSecret;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let name = owner::name(&actor, user_name.as_deref())?;
    let created = state
        .iam
        .create_virtual_mfa_device(&actor, &account, owner::of(name.as_ref()), &device_name, &meta)
        .await?;
    Ok(NewMfaDeviceView {
        serial_number: created.serial_number,
        secret_key: created.secret_key.expose_secret().to_owned(),
        qr_code_svg: created.qr_code_svg.expose_secret().to_owned(),
    })
}

/// Assigns a created device with two consecutive codes. Assigning one's own device proves
/// possession of it, so this session counts as signed in with MFA from now on.
#[server(prefix = "/api", endpoint = "enable_mfa_device")]
pub async fn enable_mfa_device(
    serial_number: String,
    code1: String,
    code2: String,
    user_name: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let auth = session_auth().await?;
    let (actor, account) = actor().await?;
    let own = user_name.as_deref().is_none_or(|n| n.trim().is_empty());
    let name = owner::name(&actor, user_name.as_deref())?;
    state
        .iam
        .enable_mfa_device(
            &actor,
            &account,
            owner::of(name.as_ref()),
            &serial_number,
            gatehouse_iam::TwoCodes {
                code1: &code1,
                code2: &code2,
            },
            &meta,
        )
        .await?;
    if own {
        let now = state.iam.now().unix_timestamp();
        begin_session(&gatehouse_iam::SessionAuth {
            mfa_authenticated_at: Some(now),
            ..auth
        })
        .await?;
    }
    Ok(())
}

#[server(prefix = "/api", endpoint = "resync_mfa_device")]
pub async fn resync_mfa_device(
    serial_number: String,
    code1: String,
    code2: String,
    user_name: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let name = owner::name(&actor, user_name.as_deref())?;
    state
        .iam
        .resync_mfa_device(
            &actor,
            &account,
            owner::of(name.as_ref()),
            &serial_number,
            gatehouse_iam::TwoCodes {
                code1: &code1,
                code2: &code2,
            },
            &meta,
        )
        .await?;
    Ok(())
}

/// Removes one of one's own devices, after checking one's password again. Every other session
/// ends; this one continues, without MFA.
#[server(prefix = "/api", endpoint = "remove_my_mfa_device")]
pub async fn remove_my_mfa_device(serial_number: String, password: Password) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let auth = session_auth().await?;
    let (actor, account) = actor().await?;
    let gatehouse_iam::Actor::Principal(principal) = &actor else {
        return Err(AppError::NotSignedIn);
    };
    state
        .iam
        .verify_own_password(principal, &password.into_secret())
        .await?;
    let name = owner::name(&actor, None)?;
    let epoch = state
        .iam
        .remove_mfa_device(&actor, &account, owner::of(name.as_ref()), &serial_number, &meta)
        .await?;
    begin_session(&gatehouse_iam::SessionAuth {
        auth_epoch: epoch,
        mfa_authenticated_at: None,
        ..auth
    })
    .await?;
    Ok(())
}

/// An administrator removes a user's device; the user's sessions end.
#[server(prefix = "/api", endpoint = "remove_user_mfa_device")]
pub async fn remove_user_mfa_device(user_name: String, serial_number: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::UserName = user_name.trim().parse()?;
    if owner::name(&actor, None)?.is_some_and(|own| own.as_str().eq_ignore_ascii_case(name.as_str())) {
        // One's own devices go only after one's password is checked again.
        return Err(AppError::Invalid {
            field: "form".into(),
            message: "Remove your own MFA devices on My security credentials.".into(),
        });
    }
    state
        .iam
        .remove_mfa_device(
            &actor,
            &account,
            gatehouse_iam::CredentialOwner::User(&name),
            &serial_number,
            &meta,
        )
        .await?;
    Ok(())
}
