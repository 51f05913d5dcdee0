//! User groups: the list, Create group, a group's detail and its changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PolicyLink;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub users: i64,
    pub policies: i64,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsPage {
    pub groups: Vec<GroupRow>,
    pub can_create: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub created: String,
    pub members: Vec<String>,
    pub attached: Vec<PolicyLink>,
    pub inline_policies: Vec<String>,
    pub can_delete: bool,
    pub can_add_users: bool,
    pub can_remove_users: bool,
    pub can_attach: bool,
    pub can_detach: bool,
    pub can_rename: bool,
    pub can_put_inline: bool,
    pub can_delete_inline: bool,
}

/// The account's groups, authorized as `iam:ListGroups`.
#[server(prefix = "/api", endpoint = "list_groups")]
pub async fn list_groups() -> Result<GroupsPage, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let groups = state.iam.list_groups(&actor, &account).await?;
    let new_group = account_arn(&state, &account, "group/*");
    Ok(GroupsPage {
        can_create: allows(&state, &actor, &account, "iam:CreateGroup", &new_group).await?,
        groups: groups
            .into_iter()
            .map(|g| GroupRow {
                name: g.name.to_string(),
                path: g.path.to_string(),
                arn: g.arn,
                users: g.users,
                policies: g.policies,
                created: display_time(g.created_at),
            })
            .collect(),
    })
}

/// Creates a group with its policies and users in one go, as the Create user group page does.
/// `policies` and `users` come from check boxes named `policies[i]` / `users[i]`.
#[server(prefix = "/api", endpoint = "create_group")]
pub async fn create_group(
    group_name: String,
    path: Option<String>,
    policies: Option<Vec<String>>,
    users: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::GroupName = group_name.trim().parse()?;
    let new = gatehouse_iam::NewGroup {
        path: parse_path(path)?,
        policy_arns: policies.unwrap_or_default(),
        members: parse_all(users.unwrap_or_default())?,
        name: name.clone(),
    };
    state
        .iam
        .create_group_with(
            &actor,
            &account,
            new,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    leptos_axum::redirect(&format!("/groups/{name}?created=1"));
    Ok(())
}

/// One group with what its tabs show, authorized as `iam:GetGroup`.
#[server(prefix = "/api", endpoint = "get_group")]
pub async fn get_group(group_name: String) -> Result<GroupView, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::GroupName = group_name.parse()?;
    let g = state.iam.get_group(&actor, &account, &name).await?;
    let can = |action: &'static str| {
        let (state, actor, account, arn) = (&state, &actor, &account, g.arn.clone());
        async move { allows(state, actor, account, action, &arn).await }
    };
    Ok(GroupView {
        can_delete: can("iam:DeleteGroup").await?,
        can_add_users: can("iam:AddUserToGroup").await?,
        can_remove_users: can("iam:RemoveUserFromGroup").await?,
        can_attach: can("iam:AttachGroupPolicy").await?,
        can_detach: can("iam:DetachGroupPolicy").await?,
        can_rename: can("iam:UpdateGroup").await?,
        can_put_inline: can("iam:PutGroupPolicy").await?,
        can_delete_inline: can("iam:DeleteGroupPolicy").await?,
        created: display_time(g.created_at),
        attached: g.attached.into_iter().map(PolicyLink::from).collect(),
        name: g.name,
        path: g.path,
        arn: g.arn,
        members: g.members,
        inline_policies: g.inline_policies,
    })
}

/// Adds users to a group, authorized as `iam:AddUserToGroup` on the group.
#[server(prefix = "/api", endpoint = "add_users_to_group")]
pub async fn add_users_to_group(group_name: String, users: Option<Vec<String>>) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let group: gatehouse_iam::GroupName = group_name.parse()?;
    let users: Vec<gatehouse_iam::UserName> = parse_all(users.unwrap_or_default())?;
    let iam = state.iam.clone();
    // One call per user, each its own transaction with its event, as AWS's AddUserToGroup.
    for user in &users {
        iam.add_user_to_group(
            &actor,
            &account,
            &group,
            user,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    }
    Ok(())
}

/// Removes one user from a group, authorized as `iam:RemoveUserFromGroup` on the group.
#[server(prefix = "/api", endpoint = "remove_user_from_group")]
pub async fn remove_user_from_group(group_name: String, user_name: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .remove_user_from_group(
            &actor,
            &account,
            &group_name.parse()?,
            &user_name.parse()?,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    Ok(())
}

/// Renames a group (`iam:UpdateGroup` on its current and new ARN).
#[server(prefix = "/api", endpoint = "rename_group")]
pub async fn rename_group(
    group_name: String,
    new_group_name: String,
    new_path: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let new_name: gatehouse_iam::GroupName =
        new_group_name
            .trim()
            .parse()
            .map_err(|e: gatehouse_iam::Error| AppError::Invalid {
                field: "new_group_name".into(),
                message: e.to_string(),
            })?;
    // An empty path field keeps the group's path.
    let new_path = match new_path.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(
            p.parse::<gatehouse_iam::IamPath>()
                .map_err(|e| AppError::Invalid {
                    field: "new_path".into(),
                    message: e.to_string(),
                })?,
        ),
    };
    state
        .iam
        .rename_group(
            &actor,
            &account,
            &group_name.parse()?,
            &new_name,
            new_path.as_ref(),
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    leptos_axum::redirect(&format!("/groups/{new_name}"));
    Ok(())
}

/// Deletes a group with its memberships, attachments and inline policies (`iam:DeleteGroup`).
/// The person types the group's name to confirm.
#[server(prefix = "/api", endpoint = "delete_group")]
pub async fn delete_group(group_name: String, confirm: String) -> Result<(), AppError> {
    use crate::ssr::*;
    if confirm.trim() != group_name {
        return Err(AppError::Invalid {
            field: "confirm".into(),
            message: format!("Type the group name, {group_name}, to confirm."),
        });
    }
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .delete_group(
            &actor,
            &account,
            &group_name.parse()?,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    leptos_axum::redirect("/groups");
    Ok(())
}
