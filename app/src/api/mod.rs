//! Thin server functions: each gets the actor, parses input into domain types, calls a
//! `gatehouse_iam` service and maps the error. Endpoints are fixed (`/api/<name>`) so tests and
//! scripts can rely on them.

mod account;
mod attachments;
mod auth;
mod groups;
mod inline;
mod policies;
mod setup;
mod simulate;
mod tags;
mod users;

pub use account::*;
pub use attachments::*;
pub use auth::*;
pub use groups::*;
pub use inline::*;
pub use policies::*;
pub use setup::*;
pub use simulate::*;
pub use tags::*;
pub use users::*;

use serde::{Deserialize, Serialize};

/// A password as it travels from a form to the server. Its `Debug` is redacted so it can never
/// reach a log through a derived `Debug`.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    #[cfg(feature = "ssr")]
    fn into_secret(self) -> secrecy::SecretString {
        secrecy::SecretString::from(self.0)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The user or group that policies are attached to or embedded in, from a form's `owner_kind`
/// (`user` or `group`) and `owner_name`.
#[cfg(feature = "ssr")]
enum Owner {
    User(gatehouse_iam::UserName),
    Group(gatehouse_iam::GroupName),
}

#[cfg(feature = "ssr")]
fn owner(kind: &str, name: &str) -> Result<Owner, crate::error::AppError> {
    match kind {
        "user" => Ok(Owner::User(name.parse()?)),
        "group" => Ok(Owner::Group(name.parse()?)),
        _ => Err(crate::error::AppError::Invalid {
            field: "owner".into(),
            message: "Policies belong to a user or a group.".into(),
        }),
    }
}

/// A managed policy as pages link to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyLink {
    pub name: String,
    pub arn: String,
    /// A system (AWS managed) policy.
    pub system: bool,
}

impl PolicyLink {
    /// The console address of the policy's detail page.
    pub fn href(&self) -> String {
        policy_href(&self.arn)
    }
}

/// The console address of a managed policy's detail page.
pub fn policy_href(arn: &str) -> String {
    format!("/policy?arn={}", url_encode(arn))
}

/// Percent-encodes everything but unreserved characters, for a query-string value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(feature = "ssr")]
impl From<gatehouse_iam::PolicyRef> for PolicyLink {
    fn from(p: gatehouse_iam::PolicyRef) -> Self {
        Self {
            name: p.name,
            arn: p.arn,
            system: p.system,
        }
    }
}

/// The signed-in principal as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub arn: String,
    pub account_id: String,
    pub account_alias: Option<String>,
    pub is_root: bool,
    /// The IAM users sign-in URL of the account.
    pub signin_url: String,
}

impl Me {
    /// `alice @ acme (1234-5678-9012)`, as the top bar shows it.
    pub fn label(&self) -> String {
        let id = grouped_account_id(&self.account_id);
        match &self.account_alias {
            Some(alias) => format!("{} @ {} ({})", self.display_name, alias, id),
            None => format!("{} @ {}", self.display_name, id),
        }
    }
}

/// `123456789012` as the AWS console prints it: `1234-5678-9012`.
pub fn grouped_account_id(id: &str) -> String {
    if id.len() == 12 && id.is_ascii() {
        format!("{}-{}-{}", &id[0..4], &id[4..8], &id[8..12])
    } else {
        id.to_owned()
    }
}
