//! The one error type the console sees. It carries only what the person may read: internal
//! failures arrive as an error ID whose details are in the server log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input; `field` names the form field it belongs to.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("Your authentication information is incorrect. Please try again.")]
    SignInFailed,
    #[error("You are not signed in, or your session has ended. Please sign in.")]
    NotSignedIn,
    /// The session is in the forced password change stage: nothing else is reachable.
    #[error("You must change your password before you continue.")]
    PasswordChangeRequired,
    /// The session signed in with a password and waits for an MFA code: nothing else is reachable.
    #[error("Enter the code from your MFA device to finish signing in.")]
    MfaCodeRequired,
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on our side. Please try again; if it keeps happening, give your administrator this error ID: {0}.")]
    Internal(String),
    /// The request did not reach the server or its answer could not be read.
    #[error("The request could not be completed ({0}). Check your connection and try again.")]
    Request(String),
}

impl AppError {
    /// The HTTP status a server function answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } | Self::Request(_) => 400,
            Self::SignInFailed | Self::NotSignedIn => 401,
            Self::AccessDenied(_) | Self::PasswordChangeRequired | Self::MfaCodeRequired => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Internal(_) => 500,
        }
    }

    /// The message for a form field, when this error belongs to that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            Self::Invalid { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<gatehouse_iam::Error> for AppError {
    fn from(err: gatehouse_iam::Error) -> Self {
        use gatehouse_iam::Error as E;
        let message = err.to_string();
        match err {
            E::Invalid { field, .. } => Self::Invalid {
                field: field_name(field).into(),
                message,
            },
            E::PasswordPolicy(_) => Self::Invalid {
                field: "password".into(),
                message,
            },
            E::SetupLinkInvalid | E::SetupAlreadyDone => Self::Invalid {
                field: "token".into(),
                message,
            },
            E::NotFound { .. } => Self::NotFound(message),
            E::AlreadyExists { kind, .. } => match kind {
                "account alias" => Self::Invalid {
                    field: "alias".into(),
                    message,
                },
                "root user email" => Self::Invalid {
                    field: "email".into(),
                    message,
                },
                "user" | "group" | "policy" => Self::Invalid {
                    field: format!("{kind}_name"),
                    message,
                },
                _ => Self::Conflict(message),
            },
            E::LimitExceeded { .. } | E::DeleteConflict(_) => Self::Conflict(message),
            E::MalformedPolicyDocument(_) => Self::Invalid {
                field: "document".into(),
                message,
            },
            E::AuthenticationFailed => Self::SignInFailed,
            E::PasswordExpired => Self::Invalid {
                field: "form".into(),
                message,
            },
            E::AccessDenied { .. } => Self::AccessDenied(message),
            E::Internal(source) => internal(source.as_ref()),
        }
    }
}

/// Logs an internal failure in full under a fresh ID and returns only the ID.
#[cfg(feature = "ssr")]
pub fn internal(source: &dyn std::error::Error) -> AppError {
    let id = gatehouse_iam::generate_error_id();
    tracing::error!(error_id = %id, error = %source, "internal error");
    AppError::Internal(id)
}

/// Maps a domain field label to the console form field that carries it.
#[cfg(feature = "ssr")]
fn field_name(label: &str) -> &'static str {
    match label {
        "account alias" => "alias",
        "user" => "user_name",
        "email" => "email",
        "user name" => "user_name",
        "account" => "account",
        "path" => "path",
        "group name" => "group_name",
        "policy name" => "policy_name",
        "description" => "description",
        "actions" => "actions",
        "resource" => "resource",
        "tag key" | "tag value" => "tags",
        "minimum password length" => "minimum_length",
        "password expiration period" => "max_password_age",
        "password reuse prevention" => "password_reuse_prevention",
        "lockout threshold" => "lockout_threshold",
        "lockout duration" => "lockout_minutes",
        "administrator reset setting" => "hard_expiry",
        "old password" => "old_password",
        "retyped password" => "password_confirm",
        "password" => "password",
        "device name" => "device_name",
        "MFA code 1" => "code1",
        "MFA code 2" => "code2",
        "MFA codes" => "code1",
        "MFA code" => "code",
        _ => "form",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_failure_reads_as_aws_generic_message() {
        assert_eq!(
            AppError::SignInFailed.to_string(),
            "Your authentication information is incorrect. Please try again."
        );
    }

    #[test]
    fn field_errors_belong_to_their_field_only() {
        let e = AppError::Invalid {
            field: "email".into(),
            message: "bad".into(),
        };
        assert_eq!(e.for_field("email").as_deref(), Some("bad"));
        assert_eq!(e.for_field("alias"), None);
        assert_eq!(AppError::SignInFailed.for_field("email"), None);
    }
}
