//! IAM users: the list, the Create user wizard and its Retrieve password step, a user's detail.

// The wizard's form has one field per argument; the `server` macro's generated client function
// does not carry an attribute put on the function, so the allowance is module-wide.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Password, PolicyLink};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub groups: i64,
    pub console_access: bool,
    /// Days since the console password was set.
    pub password_age_days: Option<i64>,
    pub console_last_sign_in: Option<String>,
    pub mfa: bool,
    /// Days since the oldest active access key was created.
    pub active_key_age_days: Option<i64>,
    pub disabled: bool,
    pub created: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserRow>,
    /// The `after` of the next page.
    pub next: Option<String>,
    pub can_create: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub user: UserRow,
    pub user_id: String,
    pub password_reset_required: bool,
    /// When the user's console lockout ends, if it is locked out now.
    pub locked_until: Option<String>,
    pub groups: Vec<String>,
    pub attached: Vec<PolicyLink>,
    /// (group, policy) pairs.
    pub from_groups: Vec<(String, PolicyLink)>,
    pub inline_policies: Vec<String>,
    pub boundary: Option<PolicyLink>,
    pub tags: Vec<(String, String)>,
    pub can: UserPermissions,
}

/// Which of a user's page controls the signed-in principal may use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPermissions {
    pub update: bool,
    pub delete: bool,
    pub attach: bool,
    pub detach: bool,
    pub put_boundary: bool,
    pub delete_boundary: bool,
    pub add_to_groups: bool,
    pub remove_from_groups: bool,
    pub put_inline: bool,
    pub delete_inline: bool,
    pub simulate: bool,
    pub tag: bool,
    pub untag: bool,
    pub create_login_profile: bool,
    pub update_login_profile: bool,
    pub delete_login_profile: bool,
}

/// What the Retrieve password step shows, once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedUserView {
    pub user_name: String,
    pub arn: String,
    /// Present when the user got console access.
    pub password: Option<String>,
    pub password_reset_required: bool,
    pub signin_url: String,
    pub account_id: String,
}

/// A page of the Users list, authorized as `iam:ListUsers`.
#[server(prefix = "/api", endpoint = "list_users")]
pub async fn list_users(
    search: Option<String>,
    after: Option<String>,
    descending: Option<bool>,
) -> Result<UsersPage, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let query = gatehouse_iam::UserQuery {
        search,
        after,
        limit: 50,
        descending: descending.unwrap_or(false),
        path_prefix: None,
    };
    let page = state.iam.list_users(&actor, &account, &query).await?;
    let new_user = account_arn(&state, &account, "user/*");
    Ok(UsersPage {
        can_create: allows(&state, &actor, &account, "iam:CreateUser", &new_user).await?,
        next: page.next,
        users: page.users.into_iter().map(|u| user_row(&state, u)).collect(),
    })
}

#[cfg(feature = "ssr")]
fn user_row(app: &crate::ssr::AppState, u: gatehouse_iam::UserSummary) -> UserRow {
    use crate::ssr::{days_since, display_time};
    UserRow {
        password_age_days: u.password_changed_at.map(|t| days_since(app, t)),
        console_last_sign_in: u.console_last_sign_in.map(display_time),
        active_key_age_days: u.oldest_active_key.map(|t| days_since(app, t)),
        mfa: u.mfa,
        created: display_time(u.created_at),
        name: u.name,
        path: u.path,
        arn: u.arn,
        groups: u.groups,
        console_access: u.console_access,
        disabled: u.disabled,
    }
}

/// The session key under which the Retrieve password step's one-time data waits.
#[cfg(feature = "ssr")]
const CREATED_USER_KEY: &str = "gatehouse.created_user";

/// The Create user wizard's submission: the user, console access, groups, policies and
/// boundary, created together or not at all. On success the Retrieve password step follows.
#[server(prefix = "/api", endpoint = "create_user")]
pub async fn create_user(
    user_name: String,
    path: Option<String>,
    console_access: Option<String>,
    password_type: Option<String>,
    password: Option<Password>,
    password_reset_required: Option<String>,
    permissions_option: Option<String>,
    groups: Option<Vec<String>>,
    copy_from: Option<String>,
    policies: Option<Vec<String>>,
    boundary: Option<String>,
    tag_keys: Option<Vec<String>>,
    tag_values: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::ssr::*;
    use secrecy::ExposeSecret;
    let state = state()?;
    let (actor, account) = actor().await?;
    let name: gatehouse_iam::UserName = user_name.trim().parse()?;
    let console = console_access.is_some();
    let reset = console && password_reset_required.is_some();
    let password = match console {
        false => None,
        true => Some(super::chosen_password(password_type.as_deref(), password)?),
    };
    let shown = password.as_ref().map(|p| p.expose_secret().to_owned());
    let new = gatehouse_iam::NewUser {
        name,
        path: parse_path(path)?,
        password,
        password_reset_required: reset,
    };
    // The permissions option chosen decides which of the step's inputs count, as in AWS.
    let boundary = boundary.filter(|b| !b.is_empty());
    let perms = match permissions_option.as_deref() {
        Some("copy") => {
            let from = copy_from
                .filter(|c| !c.is_empty())
                .ok_or_else(|| AppError::Invalid {
                    field: "copy_from".into(),
                    message: "Choose the user to copy permissions from.".into(),
                })?;
            let source = state.iam.get_user(&actor, &account, &from.parse()?).await?;
            gatehouse_iam::NewUserPermissions {
                groups: parse_all(source.groups.into_iter().map(|g| g.name).collect())?,
                policy_arns: source.attached.into_iter().map(|p| p.arn).collect(),
                boundary: boundary.or(source.boundary.map(|b| b.arn)),
                tags: vec![],
            }
        }
        Some("attach") => gatehouse_iam::NewUserPermissions {
            policy_arns: policies.unwrap_or_default(),
            boundary,
            ..Default::default()
        },
        _ => gatehouse_iam::NewUserPermissions {
            groups: parse_all(groups.unwrap_or_default())?,
            boundary,
            ..Default::default()
        },
    };
    let mut perms = perms;
    perms.tags = tags_from_form(tag_keys, tag_values)?;
    if reset {
        // As in AWS: a user who must change the password gets the policy that allows it.
        let change = format!(
            "arn:{}:iam::aws:policy/IAMUserChangePassword",
            state.iam.partition().as_str()
        );
        if !perms.policy_arns.contains(&change) {
            perms.policy_arns.push(change);
        }
    }
    let created = state
        .iam
        .create_user_with(
            &actor,
            &gatehouse_iam::AccountRef::Id(account.clone()),
            new,
            perms,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    let me = current_principal().await?;
    let label = me.account_alias.as_ref().map_or(account.as_str(), |a| a.as_str());
    let view = CreatedUserView {
        user_name: created.user_name.to_string(),
        arn: created.arn,
        password: shown,
        password_reset_required: reset,
        signin_url: state.console.signin_url(label),
        account_id: account.to_string(),
    };
    session_put(CREATED_USER_KEY, &view).await?;
    leptos_axum::redirect("/users/create/retrieve");
    Ok(())
}

/// The just-created user's sign-in details, once: reading them removes them from the session.
#[server(prefix = "/api", endpoint = "take_created_user")]
pub async fn take_created_user() -> Result<Option<CreatedUserView>, AppError> {
    use crate::ssr::*;
    let _signed_in = current_principal().await?;
    session_take(CREATED_USER_KEY).await
}

/// One user with its groups and policies, authorized as `iam:GetUser`.
#[server(prefix = "/api", endpoint = "get_user")]
pub async fn get_user(user_name: String) -> Result<UserView, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let u = state.iam.get_user(&actor, &account, &user_name.parse()?).await?;
    let arn = u.summary.arn.clone();
    let groups = account_arn(&state, &account, "group/*");
    let can = |action: &'static str, resource: String| {
        let (state, actor, account) = (&state, &actor, &account);
        async move { allows(state, actor, account, action, &resource).await }
    };
    let can = UserPermissions {
        update: can("iam:UpdateUser", arn.clone()).await?,
        delete: can("iam:DeleteUser", arn.clone()).await?,
        attach: can("iam:AttachUserPolicy", arn.clone()).await?,
        detach: can("iam:DetachUserPolicy", arn.clone()).await?,
        put_boundary: can("iam:PutUserPermissionsBoundary", arn.clone()).await?,
        delete_boundary: can("iam:DeleteUserPermissionsBoundary", arn.clone()).await?,
        add_to_groups: can("iam:AddUserToGroup", groups.clone()).await?,
        remove_from_groups: can("iam:RemoveUserFromGroup", groups).await?,
        put_inline: can("iam:PutUserPolicy", arn.clone()).await?,
        delete_inline: can("iam:DeleteUserPolicy", arn.clone()).await?,
        simulate: can("iam:SimulatePrincipalPolicy", arn.clone()).await?,
        tag: can("iam:TagUser", arn.clone()).await?,
        untag: can("iam:UntagUser", arn.clone()).await?,
        create_login_profile: can("iam:CreateLoginProfile", arn.clone()).await?,
        update_login_profile: can("iam:UpdateLoginProfile", arn.clone()).await?,
        delete_login_profile: can("iam:DeleteLoginProfile", arn).await?,
    };
    Ok(UserView {
        can,
        user_id: u.summary.user_id.clone(),
        user: user_row(&state, u.summary),
        password_reset_required: u.password_reset_required,
        locked_until: u.locked_until.map(display_time),
        groups: u.groups.into_iter().map(|g| g.name).collect(),
        attached: u.attached.into_iter().map(PolicyLink::from).collect(),
        from_groups: u
            .from_groups
            .into_iter()
            .map(|(g, p)| (g.name, PolicyLink::from(p)))
            .collect(),
        inline_policies: u.inline_policies,
        boundary: u.boundary.map(PolicyLink::from),
        tags: u.tags.into_iter().map(|t| (t.key, t.value)).collect(),
    })
}

/// Disables (`disabled=true`) or enables a user (`iam:UpdateUser`); a disabled user's sessions end.
#[server(prefix = "/api", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user_name: String, disabled: bool) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .set_user_disabled(
            &actor,
            &account,
            &user_name.parse()?,
            disabled,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    Ok(())
}

/// Deletes a user and everything it has (`iam:DeleteUser`). The person types the user name to
/// confirm.
#[server(prefix = "/api", endpoint = "delete_user")]
pub async fn delete_user(user_name: String, confirm: String) -> Result<(), AppError> {
    use crate::ssr::*;
    if confirm.trim() != user_name {
        return Err(AppError::Invalid {
            field: "confirm".into(),
            message: format!("Type the user name, {user_name}, to confirm."),
        });
    }
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .delete_user(
            &actor,
            &account,
            &user_name.parse()?,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// Sets the permissions boundary (`iam:PutUserPermissionsBoundary`); an empty `policy_arn`
/// removes it (`iam:DeleteUserPermissionsBoundary`).
#[server(prefix = "/api", endpoint = "set_user_boundary")]
pub async fn set_user_boundary(user_name: String, policy_arn: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let iam = state.iam.clone();
    let user = user_name.parse()?;
    if policy_arn.trim().is_empty() {
        iam.delete_user_boundary(
            &actor,
            &account,
            &user,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    } else {
        iam.put_user_boundary(
            &actor,
            &account,
            &user,
            policy_arn.trim(),
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    }
    Ok(())
}

/// Adds a user to groups (`iam:AddUserToGroup` on each group).
#[server(prefix = "/api", endpoint = "add_user_to_groups")]
pub async fn add_user_to_groups(user_name: String, groups: Option<Vec<String>>) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let iam = state.iam.clone();
    let user = user_name.parse()?;
    let groups: Vec<gatehouse_iam::GroupName> = parse_all(groups.unwrap_or_default())?;
    for group in &groups {
        iam.add_user_to_group(
            &actor,
            &account,
            group,
            &user,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    }
    Ok(())
}

/// Tags from the form's `tag_keys[i]` / `tag_values[i]` rows; rows with an empty key are skipped.
#[cfg(feature = "ssr")]
fn tags_from_form(
    keys: Option<Vec<String>>,
    values: Option<Vec<String>>,
) -> Result<Vec<gatehouse_iam::Tag>, AppError> {
    let keys = keys.unwrap_or_default();
    let values = values.unwrap_or_default();
    keys.iter()
        .enumerate()
        .filter(|(_, k)| !k.trim().is_empty())
        .map(|(i, k)| {
            let v = values.get(i).map(String::as_str).unwrap_or("");
            gatehouse_iam::Tag::new(k, v).map_err(|e| AppError::Invalid {
                field: "tags".into(),
                message: e.to_string(),
            })
        })
        .collect()
}
