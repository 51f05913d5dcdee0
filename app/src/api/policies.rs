//! Managed policies: the list with its type filter, Create policy, a policy's detail and versions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub name: String,
    pub arn: String,
    pub system: bool,
    pub description: String,
    pub attachments: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliciesPage {
    pub policies: Vec<PolicyRow>,
    pub can_create: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersionRow {
    pub version_id: String,
    pub is_default: bool,
    pub created: String,
    pub document: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub name: String,
    pub arn: String,
    pub system: bool,
    pub description: String,
    pub default_version: String,
    pub document: String,
    pub versions: Vec<PolicyVersionRow>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub created: String,
    pub tags: Vec<(String, String)>,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_tag: bool,
    pub can_untag: bool,
}

/// The managed policies, authorized as `iam:ListPolicies`. `scope` is `aws` (system),
/// `customer` or anything else for all; `search` filters by name, ignoring case.
#[server(prefix = "/api", endpoint = "list_policies")]
pub async fn list_policies(scope: Option<String>, search: Option<String>) -> Result<PoliciesPage, AppError> {
    use crate::ssr::*;
    use gatehouse_iam::PolicyScope;
    let state = state()?;
    let (actor, account) = actor().await?;
    let scope = match scope.as_deref() {
        Some("aws") => PolicyScope::System,
        Some("customer") => PolicyScope::Customer,
        _ => PolicyScope::All,
    };
    let needle = search.unwrap_or_default().trim().to_lowercase();
    let policies = state.iam.list_policies(&actor, &account, scope).await?;
    let new_policy = account_arn(&state, &account, "policy/*");
    Ok(PoliciesPage {
        can_create: allows(&state, &actor, &account, "iam:CreatePolicy", &new_policy).await?,
        policies: policies
            .into_iter()
            .filter(|p| needle.is_empty() || p.name.to_lowercase().contains(&needle))
            .map(|p| PolicyRow {
                name: p.name,
                arn: p.arn,
                system: p.system,
                description: p.description,
                attachments: p.attachments,
            })
            .collect(),
    })
}

/// Creates a customer managed policy from the JSON editor (`iam:CreatePolicy`). An invalid
/// document is refused with the validator's reason and nothing is written.
#[server(prefix = "/api", endpoint = "create_policy")]
pub async fn create_policy(
    policy_name: String,
    description: Option<String>,
    document: String,
) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let new = gatehouse_iam::NewPolicy {
        name: policy_name.trim().parse()?,
        path: gatehouse_iam::IamPath::default(),
        description: description.unwrap_or_default().trim().to_owned(),
        document,
    };
    let created = state
        .iam
        .create_policy(
            &actor,
            &account,
            new,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    leptos_axum::redirect(&format!("/policy?arn={}&created=1", url_encode(&created.arn)));
    Ok(())
}

/// One managed policy with its versions and attachments, authorized as `iam:GetPolicy`.
#[server(prefix = "/api", endpoint = "get_policy")]
pub async fn get_policy(arn: String) -> Result<PolicyView, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let p = state.iam.get_policy(&actor, &account, &arn).await?;
    let can_edit = !p.system && allows(&state, &actor, &account, "iam:CreatePolicyVersion", &p.arn).await?;
    let can_delete = !p.system && allows(&state, &actor, &account, "iam:DeletePolicy", &p.arn).await?;
    let can_tag = !p.system && allows(&state, &actor, &account, "iam:TagPolicy", &p.arn).await?;
    let can_untag = !p.system && allows(&state, &actor, &account, "iam:UntagPolicy", &p.arn).await?;
    Ok(PolicyView {
        name: p.name,
        arn: p.arn,
        system: p.system,
        description: p.description,
        default_version: p.default_version,
        document: p.document,
        versions: p
            .versions
            .into_iter()
            .map(|v| PolicyVersionRow {
                version_id: v.version_id,
                is_default: v.is_default,
                created: display_time(v.created_at),
                document: v.document,
            })
            .collect(),
        users: p.users.into_iter().map(|u| u.name).collect(),
        groups: p.groups.into_iter().map(|g| g.name).collect(),
        created: display_time(p.created_at),
        tags: p.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        can_edit,
        can_delete,
        can_tag,
        can_untag,
    })
}

/// Saves an edited document as a new version that becomes the default
/// (`iam:CreatePolicyVersion`). With five versions stored, the oldest non-default one must be
/// deleted first, as in AWS.
#[server(prefix = "/api", endpoint = "create_policy_version")]
pub async fn create_policy_version(arn: String, document: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .create_policy_version(
            &actor,
            &account,
            &arn,
            &document,
            true,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    Ok(())
}

/// Makes an older version the default again: a rollback (`iam:SetDefaultPolicyVersion`).
#[server(prefix = "/api", endpoint = "set_default_policy_version")]
pub async fn set_default_policy_version(arn: String, version_id: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .set_default_policy_version(
            &actor,
            &account,
            &arn,
            &version_id,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    Ok(())
}

/// Deletes a non-default version (`iam:DeletePolicyVersion`).
#[server(prefix = "/api", endpoint = "delete_policy_version")]
pub async fn delete_policy_version(arn: String, version_id: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .delete_policy_version(
            &actor,
            &account,
            &arn,
            &version_id,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    Ok(())
}

/// Deletes a customer managed policy that is attached nowhere (`iam:DeletePolicy`).
#[server(prefix = "/api", endpoint = "delete_policy")]
pub async fn delete_policy(arn: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    state
        .iam
        .delete_policy(
            &actor,
            &account,
            &arn,
            gatehouse_iam::Source::Console,
            &request_meta(),
        )
        .await?;
    leptos_axum::redirect("/policies");
    Ok(())
}
