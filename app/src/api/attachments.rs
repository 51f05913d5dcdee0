//! Attaching managed policies to a user or group and detaching them. `owner_kind` is `user` or
//! `group`; `owner_name` is its name.

use leptos::prelude::*;

use crate::error::AppError;

/// Attaches managed policies (check boxes `policies[i]`), each authorized as
/// `iam:AttachUserPolicy` / `iam:AttachGroupPolicy` with `iam:PolicyARN`.
#[server(prefix = "/api", endpoint = "attach_policies")]
pub async fn attach_policies(
    owner_kind: String,
    owner_name: String,
    policies: Option<Vec<String>>,
) -> Result<(), AppError> {
    use super::{owner, Owner};
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let owner = owner(&owner_kind, &owner_name)?;
    let (source, meta) = (gatehouse_iam::Source::Console, request_meta());
    for arn in policies.unwrap_or_default() {
        match &owner {
            Owner::User(u) => {
                state
                    .iam
                    .attach_user_policy(&actor, &account, u, &arn, source, &meta)
                    .await?
            }
            Owner::Group(g) => {
                state
                    .iam
                    .attach_group_policy(&actor, &account, g, &arn, source, &meta)
                    .await?
            }
        }
    }
    Ok(())
}

/// Detaches a managed policy (`iam:DetachUserPolicy` / `iam:DetachGroupPolicy` with
/// `iam:PolicyARN`).
#[server(prefix = "/api", endpoint = "detach_policy")]
pub async fn detach_policy(
    owner_kind: String,
    owner_name: String,
    policy_arn: String,
) -> Result<(), AppError> {
    use super::{owner, Owner};
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let (source, meta) = (gatehouse_iam::Source::Console, request_meta());
    match owner(&owner_kind, &owner_name)? {
        Owner::User(u) => {
            state
                .iam
                .detach_user_policy(&actor, &account, &u, &policy_arn, source, &meta)
                .await?
        }
        Owner::Group(g) => {
            state
                .iam
                .detach_group_policy(&actor, &account, &g, &policy_arn, source, &meta)
                .await?
        }
    }
    Ok(())
}
