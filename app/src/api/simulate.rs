//! The policy simulator: a user's policies evaluated for chosen actions, with the reasons.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One simulated action as the results table shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationRow {
    pub action: String,
    pub resource: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub decision: String,
    /// Why, in a sentence.
    pub reason: String,
    pub statements: Vec<DecidingStatement>,
    pub missing_context_keys: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidingStatement {
    /// The policy: an ARN for managed policies, `user/inline/<name>` or `group/<g>/inline/<name>`.
    pub policy: String,
    pub version: Option<String>,
    /// `Sid` or `Statement 2` (1-based, as people count).
    pub statement: String,
    pub effect: String,
    pub boundary: bool,
}

/// Simulates `actions` (one per line or separated by commas) on `resource` for a user, with
/// optional context entries (`key=value`, one per line). Authorized as
/// `iam:SimulatePrincipalPolicy` on the user.
#[server(prefix = "/api", endpoint = "simulate")]
pub async fn simulate(
    user_name: String,
    actions: String,
    resource: Option<String>,
    context: Option<String>,
) -> Result<Vec<SimulationRow>, AppError> {
    use crate::ssr::*;
    use gatehouse_policy::{PolicyRole, Reason};
    let state = state()?;
    let (actor, account) = actor().await?;
    let actions: Vec<String> = actions
        .split([',', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let resource = resource.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    let mut entries = Vec::new();
    for line in context
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let Some((key, value)) = line.split_once('=') else {
            return Err(AppError::Invalid {
                field: "context".into(),
                message: format!("Write each context entry as key=value; {line:?} has no =."),
            });
        };
        entries.push((key.trim().to_owned(), value.trim().to_owned()));
    }
    let results = state
        .iam
        .simulate_user(
            &actor,
            &account,
            &user_name.parse()?,
            &actions,
            resource.as_deref().unwrap_or("*"),
            &entries,
        )
        .await?;
    Ok(results
        .into_iter()
        .map(|s| {
            let e = s.explanation;
            SimulationRow {
                decision: e.decision.as_str().to_owned(),
                reason: match e.reason {
                    Reason::RootUser => "The root user may do anything.",
                    Reason::ExplicitDeny => "A Deny statement applies; nothing can override it.",
                    Reason::Allowed => "An Allow statement applies and nothing denies it.",
                    Reason::NoAllow => "No policy allows this action on this resource.",
                    Reason::BoundaryBlocked => "A policy allows it, but the permissions boundary does not.",
                }
                .to_owned(),
                statements: e
                    .matched
                    .into_iter()
                    .map(|m| DecidingStatement {
                        statement: m
                            .sid
                            .unwrap_or_else(|| format!("Statement {}", m.statement_index + 1)),
                        effect: m.effect.as_str().to_owned(),
                        boundary: m.role == PolicyRole::Boundary,
                        policy: m.policy.name,
                        version: m.policy.version,
                    })
                    .collect(),
                missing_context_keys: e.missing_context_keys,
                action: s.action,
                resource: s.resource,
            }
        })
        .collect())
}
