//! The one authorization point. Every service method that reads or changes IAM state takes an
//! [`Actor`] and calls [`authorize`] with the AWS action name and resource ARN before it touches
//! the store; the [`Authorized`] value it returns is the only way to reach the store functions
//! that need it, so the unchecked path cannot be called by accident.
//!
//! The rules today, until the policy engine evaluates attached policies (issue 3 and 4): the
//! operator (the local CLI, which already holds the database) may do anything; an account's root
//! user may do anything within its own account; anyone else is denied (an IAM user with no
//! policies is implicitly denied everything, as in AWS). Failing closed is the point.

use crate::{Error, Principal, Result};

/// Who is asking.
#[derive(Clone, Debug)]
pub enum Actor {
    /// A signed-in console principal.
    Principal(Principal),
    /// The `gatehouse` CLI run by an operator with direct access to the database.
    Operator,
    /// Whoever holds the one-time first-run setup link; it may only create the first account.
    SetupLink,
}

impl Actor {
    pub fn arn(&self) -> Option<&str> {
        match self {
            Self::Principal(p) => Some(&p.arn),
            Self::Operator | Self::SetupLink => None,
        }
    }

    pub(crate) fn label(&self) -> String {
        match self {
            Self::Principal(p) => p.arn.clone(),
            Self::Operator => "gatehouse-cli".to_owned(),
            Self::SetupLink => "setup-link".to_owned(),
        }
    }
}

/// Proof that an action on a resource was authorized. Only [`authorize`] makes one.
#[derive(Debug)]
#[must_use]
pub struct Authorized {
    _private: (),
}

/// Decides whether `actor` may perform `action` on `resource` (an ARN) in `account`.
pub fn authorize(
    actor: &Actor,
    action: &str,
    resource: &str,
    account: &crate::AccountId,
) -> Result<Authorized> {
    let allowed = match actor {
        Actor::Operator => true,
        Actor::SetupLink => false,
        Actor::Principal(p) => p.is_root() && &p.account_id == account,
    };
    if allowed {
        Ok(Authorized { _private: () })
    } else {
        Err(Error::AccessDenied {
            actor: actor.label(),
            action: action.to_owned(),
            resource: resource.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccountId, Email, PrincipalKind};

    fn root_of(account: &str) -> Actor {
        Actor::Principal(Principal {
            account_id: AccountId::try_from(account).unwrap(),
            account_alias: None,
            arn: format!("arn:aws:iam::{account}:root"),
            kind: PrincipalKind::Root {
                email: Email::try_from("r@example.com").unwrap(),
            },
        })
    }

    #[test]
    fn root_is_allowed_in_its_own_account_only() {
        let own = AccountId::try_from("111111111111").unwrap();
        let other = AccountId::try_from("222222222222").unwrap();
        assert!(authorize(
            &root_of("111111111111"),
            "iam:CreateUser",
            "arn:aws:iam::111111111111:user/a",
            &own
        )
        .is_ok());
        let denied = authorize(
            &root_of("111111111111"),
            "iam:CreateUser",
            "arn:aws:iam::222222222222:user/a",
            &other,
        );
        assert_eq!(
            denied.unwrap_err().to_string(),
            "User: arn:aws:iam::111111111111:root is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::222222222222:user/a"
        );
    }
}
