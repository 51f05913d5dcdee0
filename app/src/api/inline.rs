//! Inline policies of a user or a group: read, create or replace, delete. `owner` is `user` or
//! `group`; `name` is the user's or group's name.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::{owner, Owner};

/// An inline policy's document (`iam:GetUserPolicy` / `iam:GetGroupPolicy`).
#[server(prefix = "/api", endpoint = "get_inline_policy")]
pub async fn get_inline_policy(
    owner_kind: String,
    owner_name: String,
    policy_name: String,
) -> Result<String, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let iam = state.iam.clone();
    let policy = policy_name.parse()?;
    Ok(match owner(&owner_kind, &owner_name)? {
        Owner::User(u) => iam.get_user_policy(&actor, &account, &u, &policy).await?,
        Owner::Group(g) => iam.get_group_policy(&actor, &account, &g, &policy).await?,
    })
}

/// Creates or replaces an inline policy (`iam:PutUserPolicy` / `iam:PutGroupPolicy`). An invalid
/// document, or one over the owner's size quota, is refused and nothing changes.
#[server(prefix = "/api", endpoint = "put_inline_policy")]
pub async fn put_inline_policy(
    owner_kind: String,
    owner_name: String,
    policy_name: String,
    document: String,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let iam = state.iam.clone();
    let policy = policy_name.trim().parse()?;
    let (source, meta) = (gatehouse_iam::Source::Console, request_meta());
    match owner(&owner_kind, &owner_name)? {
        Owner::User(u) => {
            iam.put_user_policy(&actor, &account, &u, &policy, &document, source, &meta)
                .await?
        }
        Owner::Group(g) => {
            iam.put_group_policy(&actor, &account, &g, &policy, &document, source, &meta)
                .await?
        }
    }
    let back = if owner_kind == "user" { "users" } else { "groups" };
    leptos_axum::redirect(&format!("/{back}/{owner_name}?tab=permissions"));
    Ok(())
}

/// Deletes an inline policy (`iam:DeleteUserPolicy` / `iam:DeleteGroupPolicy`).
#[server(prefix = "/api", endpoint = "delete_inline_policy")]
pub async fn delete_inline_policy(
    owner_kind: String,
    owner_name: String,
    policy_name: String,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let iam = state.iam.clone();
    let policy = policy_name.parse()?;
    let (source, meta) = (gatehouse_iam::Source::Console, request_meta());
    match owner(&owner_kind, &owner_name)? {
        Owner::User(u) => {
            iam.delete_user_policy(&actor, &account, &u, &policy, source, &meta)
                .await?
        }
        Owner::Group(g) => {
            iam.delete_group_policy(&actor, &account, &g, &policy, source, &meta)
                .await?
        }
    }
    Ok(())
}
