//! Tags of a user (`kind=user`, `target` its name) or a customer managed policy (`kind=policy`,
//! `target` its ARN): one tag added or replaced, or removed, from the Tags tabs.

use leptos::prelude::*;

use crate::error::AppError;

/// Adds or replaces one tag (`iam:TagUser` / `iam:TagPolicy`).
#[server(prefix = "/api", endpoint = "tag_resource")]
pub async fn tag_resource(
    kind: String,
    target: String,
    key: String,
    value: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let tag =
        gatehouse_iam::Tag::new(&key, value.as_deref().unwrap_or("")).map_err(|e| AppError::Invalid {
            field: "tags".into(),
            message: e.to_string(),
        })?;
    let (source, meta) = (gatehouse_iam::Source::Console, request_meta());
    match kind.as_str() {
        "user" => {
            state
                .iam
                .tag_user(&actor, &account, &target.parse()?, &[tag], source, &meta)
                .await?
        }
        "policy" => {
            state
                .iam
                .tag_policy(&actor, &account, &target, &[tag], source, &meta)
                .await?
        }
        _ => return Err(not_taggable()),
    }
    Ok(())
}

/// Removes one tag by key (`iam:UntagUser` / `iam:UntagPolicy`).
#[server(prefix = "/api", endpoint = "untag_resource")]
pub async fn untag_resource(kind: String, target: String, key: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let (source, meta) = (gatehouse_iam::Source::Console, request_meta());
    match kind.as_str() {
        "user" => {
            state
                .iam
                .untag_user(&actor, &account, &target.parse()?, &[key], source, &meta)
                .await?
        }
        "policy" => {
            state
                .iam
                .untag_policy(&actor, &account, &target, &[key], source, &meta)
                .await?
        }
        _ => return Err(not_taggable()),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn not_taggable() -> AppError {
    AppError::Invalid {
        field: "kind".into(),
        message: "Tags belong to a user or a customer managed policy.".into(),
    }
}
