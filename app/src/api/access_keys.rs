//! Access keys, one's own (`user_name` empty: the signed-in user, or root) and, for an
//! administrator, a user's: list, create (the secret returned this once), activate or
//! deactivate, delete (confirmed by typing the key's ID, as in AWS's console).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A key as the console lists it: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeyView {
    pub access_key_id: String,
    pub active: bool,
    pub created: String,
    /// "12 days", "Today": how long ago the key was created.
    pub age: String,
    /// When, by which service and in which region the key last signed a request; "N/A" when
    /// never.
    pub last_used: String,
    pub last_used_service: String,
    pub last_used_region: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKeys {
    pub keys: Vec<AccessKeyView>,
    /// The most an owner may have.
    pub max: u32,
}

/// A key just created. The only time its secret is shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccessKeyView {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The owner's name for the .csv file's name: the user name, or "root".
    pub owner: String,
}

impl std::fmt::Debug for NewAccessKeyView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccessKeyView")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "ssr")]
use super::credential_owner as owner;

/// What a change to one existing key starts from: the signed-in actor, whose key it is (a user
/// named in the form, or the actor itself) and the key's ID, parsed.
#[cfg(feature = "ssr")]
struct KeyRequest {
    state: crate::ssr::AppState,
    meta: gatehouse_iam::RequestMeta,
    actor: gatehouse_iam::Actor,
    account: gatehouse_iam::AccountId,
    owner: Option<gatehouse_iam::UserName>,
    id: gatehouse_iam::AccessKeyId,
}

#[cfg(feature = "ssr")]
impl KeyRequest {
    async fn of(user_name: Option<String>, access_key_id: &str) -> Result<Self, AppError> {
        use crate::ssr::*;
        let state = state()?;
        let meta = request_meta();
        let (actor, account) = actor().await?;
        let owner = owner::name(&actor, user_name.as_deref())?;
        let id = access_key_id.trim().parse()?;
        Ok(Self {
            state,
            meta,
            actor,
            account,
            owner,
            id,
        })
    }
}

#[cfg(feature = "ssr")]
fn age(created: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    match (now - created).whole_days() {
        ..=0 => "Today".to_owned(),
        1 => "1 day".to_owned(),
        days => format!("{days} days"),
    }
}

#[server(prefix = "/api", endpoint = "list_access_keys")]
pub async fn list_access_keys(user_name: Option<String>) -> Result<AccessKeys, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let name = owner::name(&actor, user_name.as_deref())?;
    let keys = state
        .iam
        .list_access_keys(&actor, &account, owner::of(name.as_ref()))
        .await?;
    let now = state.iam.now();
    Ok(AccessKeys {
        keys: keys
            .into_iter()
            .map(|k| {
                let (last_used, service, region) = match k.last_used {
                    Some(used) => (display_time(used.at), used.service, used.region),
                    None => ("N/A".to_owned(), "N/A".to_owned(), "N/A".to_owned()),
                };
                AccessKeyView {
                    access_key_id: k.access_key_id.to_string(),
                    active: k.status == gatehouse_iam::AccessKeyStatus::Active,
                    created: display_time(k.created_at),
                    age: age(k.created_at, now),
                    last_used,
                    last_used_service: service,
                    last_used_region: region,
                }
            })
            .collect(),
        max: gatehouse_iam::MAX_ACCESS_KEYS,
    })
}

/// Creates an access key; its secret is in the answer and nowhere else, ever. A key of one's own
/// is a new credential of one's own, so it needs one's password again, as removing MFA does.
#[server(prefix = "/api", endpoint = "create_access_key")]
pub async fn create_access_key(
    user_name: Option<String>,
    password: Option<super::Password>,
) -> Result<NewAccessKeyView, AppError> {
    use crate::ssr::*;
    use secrecy::ExposeSecret;
    let state = state()?;
    let meta = request_meta();
    let (actor, account) = actor().await?;
    if user_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        let gatehouse_iam::Actor::Principal(principal) = &actor else {
            return Err(AppError::NotSignedIn);
        };
        state
            .iam
            .verify_own_password(principal, &password.unwrap_or_default().into_secret())
            .await?;
    }
    let name = owner::name(&actor, user_name.as_deref())?;
    let created = state
        .iam
        .create_access_key(&actor, &account, owner::of(name.as_ref()), &meta)
        .await?;
    Ok(NewAccessKeyView {
        access_key_id: created.access_key_id.to_string(),
        secret_access_key: created.secret_access_key.expose_secret().to_owned(),
        owner: name.map_or_else(|| "root".to_owned(), |n| n.to_string()),
    })
}

/// Activates (`status` "Active") or deactivates ("Inactive") a key.
#[server(prefix = "/api", endpoint = "update_access_key")]
pub async fn update_access_key(
    access_key_id: String,
    status: String,
    user_name: Option<String>,
) -> Result<(), AppError> {
    let k = KeyRequest::of(user_name, &access_key_id).await?;
    let status: gatehouse_iam::AccessKeyStatus = status.parse()?;
    k.state
        .iam
        .update_access_key(
            &k.actor,
            &k.account,
            owner::of(k.owner.as_ref()),
            &k.id,
            status,
            &k.meta,
        )
        .await?;
    Ok(())
}

/// Deletes a key for good, once `confirm` repeats its ID.
#[server(prefix = "/api", endpoint = "delete_access_key")]
pub async fn delete_access_key(
    access_key_id: String,
    confirm: String,
    user_name: Option<String>,
) -> Result<(), AppError> {
    let k = KeyRequest::of(user_name, &access_key_id).await?;
    let id = &k.id;
    if confirm.trim() != id.as_str() {
        return Err(AppError::Invalid {
            field: "confirm".into(),
            message: format!("To confirm deletion, enter the access key ID {id}."),
        });
    }
    k.state
        .iam
        .delete_access_key(&k.actor, &k.account, owner::of(k.owner.as_ref()), id, &k.meta)
        .await?;
    Ok(())
}
