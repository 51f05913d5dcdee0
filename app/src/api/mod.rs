//! Thin server functions: each gets the actor, parses input into domain types, calls a
//! `gatehouse_iam` service and maps the error. Endpoints are fixed (`/api/<name>`) so tests and
//! scripts can rely on them.

mod auth;
mod setup;

pub use auth::*;
pub use setup::*;

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
