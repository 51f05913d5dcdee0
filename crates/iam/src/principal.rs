//! The signed-in principal: the root user of an account or one of its IAM users.

use serde::{Deserialize, Serialize};

use crate::{AccountAlias, AccountId, Email, IamPath, RequestMeta, UserId, UserName};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub account_id: AccountId,
    pub account_alias: Option<AccountAlias>,
    pub arn: String,
    pub kind: PrincipalKind,
    /// The request this principal acts in, for the policy context. The console sets it for
    /// each request; elsewhere it stays empty and the keys are absent from the context.
    #[serde(skip)]
    pub request: RequestMeta,
    /// The permissions epoch read together with the principal. While it is current, a cached
    /// permission set loaded at the same epoch is exact (see `authz`); `None` loads afresh.
    #[serde(skip)]
    pub permissions_epoch: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalKind {
    Root {
        email: Email,
    },
    User {
        user_id: UserId,
        user_name: UserName,
        path: IamPath,
    },
}

impl Principal {
    /// The name the console shows: the IAM user name, or the root user's email.
    pub fn display_name(&self) -> &str {
        match &self.kind {
            PrincipalKind::Root { email } => email.as_str(),
            PrincipalKind::User { user_name, .. } => user_name.as_str(),
        }
    }

    pub fn is_root(&self) -> bool {
        matches!(self.kind, PrincipalKind::Root { .. })
    }
}
