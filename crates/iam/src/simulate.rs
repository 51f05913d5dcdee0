//! The policy simulator and the "why" view: a user's policies (inline, attached, through groups,
//! boundary) evaluated for chosen actions on a resource, with the deciding statements, as AWS's
//! SimulatePrincipalPolicy does. Nothing is performed.

use gatehouse_policy::{Explanation, Request};

use crate::authz::Actor;
use crate::{AccountId, Error, Iam, Result, UserName};

/// At most this many actions in one simulation, as AWS's ActionNames.
pub const MAX_SIMULATED_ACTIONS: usize = 100;

/// What one action on the resource would be decided as, and why.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub action: String,
    pub resource: String,
    pub explanation: Explanation,
}

impl Iam {
    /// Evaluates `actions` on `resource` for a user, with the user's own request context plus
    /// `context` entries (such as `aws:SourceIp`), authorized as `iam:SimulatePrincipalPolicy`
    /// on the user's ARN, except for the user itself.
    pub async fn simulate_user(
        &self,
        actor: &Actor,
        account: &AccountId,
        user: &UserName,
        actions: &[String],
        resource: &str,
        context: &[(String, String)],
    ) -> Result<Vec<Simulation>> {
        let invalid = |field, reason: &str| Error::Invalid {
            field,
            reason: reason.to_owned(),
        };
        if actions.is_empty() {
            return Err(invalid("actions", "must name at least one action"));
        }
        if actions.len() > MAX_SIMULATED_ACTIONS {
            return Err(invalid("actions", "may name at most 100 actions"));
        }
        if let Some(bad) = actions.iter().find(|a| !well_formed_action(a)) {
            return Err(Error::Invalid {
                field: "actions",
                reason: format!("entry {bad:?} is not an action of the form service:ActionName"),
            });
        }
        if resource.is_empty() || resource.len() > 2048 || (resource != "*" && !resource.starts_with("arn:"))
        {
            return Err(invalid("resource", "must be * or an ARN"));
        }
        let mut conn = self.pool().acquire().await?;
        let u = self
            .find_entity(&mut conn, account, crate::entities::Kind::User, user.as_str())
            .await;
        drop(conn);
        let u = match u {
            Ok(u) => u,
            Err(e @ Error::NotFound { .. }) => {
                // Only someone who may simulate learns that the user does not exist.
                let arn = format!("arn:{}:iam::{account}:user/{user}", self.partition().as_str());
                let _ok = self
                    .authorize(actor, "iam:SimulatePrincipalPolicy", &arn, account)
                    .await?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        // Anyone may check their own effective permissions (My security credentials): knowing
        // what one may do grants nothing. Everyone else needs iam:SimulatePrincipalPolicy.
        let is_self = matches!(
            actor,
            Actor::Principal(p) if matches!(&p.kind, crate::PrincipalKind::User { user_id, .. } if user_id.as_str() == u.id)
        );
        if !is_self {
            let _ok = self
                .authorize(actor, "iam:SimulatePrincipalPolicy", &u.arn, account)
                .await?;
        }
        let permissions = self.permissions(&u.id, None).await?;
        let set = &permissions.set;
        let mut ctx = self.request_context(&u.arn, account, Some((&u.id, &u.name)));
        crate::authz::add_principal_tags(&mut ctx, &permissions.tags);
        for (key, value) in context {
            ctx.insert(key, value.as_str());
        }
        Ok(actions
            .iter()
            .map(|action| Simulation {
                explanation: set.explain(&Request::new(action, resource, &ctx)),
                action: action.clone(),
                resource: resource.to_owned(),
            })
            .collect())
    }
}

impl Iam {
    /// Evaluates `actions` on `resource` against policy documents given with the request (AWS
    /// SimulateCustomPolicy), authorized as `iam:SimulateCustomPolicy` on `*`. The documents are
    /// identity policies (`PolicyInputList`); `boundaries` are permissions boundaries. Only the
    /// `context` entries given are in the request context, as in AWS.
    #[allow(clippy::too_many_arguments)]
    pub async fn simulate_custom(
        &self,
        actor: &Actor,
        account: &AccountId,
        policies: &[String],
        boundaries: &[String],
        actions: &[String],
        resource: &str,
        context: &[(String, String)],
    ) -> Result<Vec<Simulation>> {
        let _ok = self
            .authorize(actor, "iam:SimulateCustomPolicy", "*", account)
            .await?;
        if policies.is_empty() {
            return Err(Error::Invalid {
                field: "policy input list",
                reason: "must hold at least one policy document".to_owned(),
            });
        }
        if actions.is_empty() || actions.len() > MAX_SIMULATED_ACTIONS {
            return Err(Error::Invalid {
                field: "actions",
                reason: "must name from 1 to 100 actions".to_owned(),
            });
        }
        if let Some(bad) = actions.iter().find(|a| !well_formed_action(a)) {
            return Err(Error::Invalid {
                field: "actions",
                reason: format!("entry {bad:?} is not an action of the form service:ActionName"),
            });
        }
        let mut set = gatehouse_policy::PermissionSet::new();
        let compile = |document: &str| {
            gatehouse_policy::Policy::parse(document, gatehouse_policy::PolicyKind::Managed)
                .map(|p| std::sync::Arc::new(p.compile()))
                .map_err(|e| Error::MalformedPolicyDocument(e.to_string()))
        };
        for (i, document) in policies.iter().enumerate() {
            set.add_identity(
                gatehouse_policy::PolicySource::new(format!("PolicyInputList.{}", i + 1), None),
                compile(document)?,
            );
        }
        for (i, document) in boundaries.iter().enumerate() {
            set.set_boundary(
                gatehouse_policy::PolicySource::new(
                    format!("PermissionsBoundaryPolicyInputList.{}", i + 1),
                    None,
                ),
                compile(document)?,
            );
        }
        let mut ctx = gatehouse_policy::Context::new();
        for (key, value) in context {
            ctx.insert(key, value.as_str());
        }
        Ok(actions
            .iter()
            .map(|action| Simulation {
                explanation: set.explain(&Request::new(action, resource, &ctx)),
                action: action.clone(),
                resource: resource.to_owned(),
            })
            .collect())
    }
}

fn well_formed_action(action: &str) -> bool {
    match action.split_once(':') {
        Some((service, name)) => {
            !service.is_empty()
                && !name.is_empty()
                && service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
        }
        None => false,
    }
}

impl Iam {
    /// The groups of the signed-in IAM user (none for root), by name: self-knowledge for My
    /// security credentials, needing no permission, as AWS's GetCallerIdentity needs none.
    pub async fn own_groups(&self, principal: &crate::Principal) -> Result<Vec<crate::EntityRef>> {
        let crate::PrincipalKind::User { user_id, .. } = &principal.kind else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query!(
            "select g.group_name, g.path from group_members m join iam_groups g using (group_id)
             where m.user_id = $1 order by lower(g.group_name)",
            user_id.as_str(),
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|g| crate::EntityRef {
                arn: self
                    .partition()
                    .entity_arn(&principal.account_id, "group", &g.path, &g.group_name),
                name: g.group_name,
            })
            .collect())
    }
}
