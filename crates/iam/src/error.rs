//! Domain errors. They carry meaning, never secrets; the console and the API map them to what
//! their users may see. Postgres constraint violations are mapped here, by constraint name, once.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("The {field} {reason}.")]
    Invalid { field: &'static str, reason: String },
    #[error("The password does not meet the password policy: {}", .0.join(" "))]
    PasswordPolicy(Vec<String>),
    #[error("The {kind} {name} cannot be found.")]
    NotFound { kind: &'static str, name: String },
    #[error("The {kind} {name} already exists.")]
    AlreadyExists { kind: &'static str, name: String },
    /// Any sign-in failure. Deliberately says nothing about which part was wrong.
    #[error("Your authentication information is incorrect. Please try again.")]
    AuthenticationFailed,
    /// The password was right but has expired, and the account's policy says only an
    /// administrator may reset it. Only ever said after a correct password.
    #[error("Your password has expired. Ask your administrator to reset it.")]
    PasswordExpired,
    #[error(
        "This setup link is not valid: it was already used, has expired, or was replaced by a newer one."
    )]
    SetupLinkInvalid,
    #[error("Setup is already complete: this deployment has an account.")]
    SetupAlreadyDone,
    /// A quota would be exceeded; AWS's wording, e.g. "Cannot exceed quota for GroupsPerUser: 10."
    #[error("Cannot exceed quota for {quota}: {limit}.")]
    LimitExceeded { quota: &'static str, limit: u32 },
    /// The entity is in use (AWS `DeleteConflict`), with AWS's explanation.
    #[error("{0}")]
    DeleteConflict(&'static str),
    /// A policy document that cannot be accepted, with the validator's reason.
    #[error("The policy document is not valid: {0}")]
    MalformedPolicyDocument(String),
    #[error("User: {actor} is not authorized to perform: {action} on resource: {resource}")]
    AccessDenied {
        actor: String,
        action: String,
        resource: String,
    },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn internal(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(source))
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            if let Some(constraint) = db.constraint() {
                if let Some(mapped) = from_constraint(constraint) {
                    return mapped;
                }
            }
        }
        Self::internal(err)
    }
}

/// The one place that turns a unique-constraint name into a meaningful error. The `name` is filled
/// in by the caller with [`Error::naming`] where it knows the offending value.
fn from_constraint(constraint: &str) -> Option<Error> {
    let kind = match constraint {
        "accounts_alias_key" => "account alias",
        "root_users_email_key" => "root user email",
        "iam_users_name_key" => "user",
        "iam_groups_name_key" => "group",
        "managed_policies_name_key" => "policy",
        "mfa_devices_name_key" | "mfa_devices_pkey" => "MFA device",
        _ => return None,
    };
    Some(Error::AlreadyExists {
        kind,
        name: String::new(),
    })
}

impl Error {
    /// Fills in the entity name of an `AlreadyExists`/`NotFound` that the database reported.
    pub fn naming(self, name: impl std::fmt::Display) -> Self {
        match self {
            Self::AlreadyExists { kind, name: n } if n.is_empty() => Self::AlreadyExists {
                kind,
                name: name.to_string(),
            },
            other => other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
