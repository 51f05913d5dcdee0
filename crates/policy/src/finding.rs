//! Findings: what validation says about a document, in Access Analyzer's four kinds, each with the
//! JSON location it is about.

use std::fmt;

use serde::Serialize;

use crate::json::Pos;

/// The four kinds of finding, as IAM Access Analyzer names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingKind {
    /// The document (or part of it) cannot work: it is rejected.
    Error,
    /// The document works but grants more than is probably meant.
    SecurityWarning,
    /// The document works but does not follow best practice.
    Warning,
    /// The document could be simpler.
    Suggestion,
}

impl FindingKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::SecurityWarning => "security warning",
            Self::Warning => "warning",
            Self::Suggestion => "suggestion",
        }
    }
}

/// One finding: its kind, a stable code (e.g. `UNKNOWN_ACTION`), a message in plain words, and
/// where it is: a JSON path such as `Statement[0].Action[1]` and the line and column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub code: &'static str,
    pub message: String,
    pub path: String,
    pub line: u32,
    pub column: u32,
}

impl Finding {
    pub(crate) fn new(
        kind: FindingKind,
        code: &'static str,
        path: impl Into<String>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            path: path.into(),
            line: pos.line,
            column: pos.column,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            "document"
        } else {
            &self.path
        };
        write!(
            f,
            "{} at {at} (line {}, column {}): {}",
            self.kind.label(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why a document was rejected: its error findings (at least one), the first of which is the reason
/// shown where only one fits (e.g. an IAM API `MalformedPolicyDocument` message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    pub errors: Vec<Finding>,
}

impl PolicyError {
    pub fn first(&self) -> Option<&Finding> {
        self.errors.first()
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.first() {
            Some(e) => {
                let at = if e.path.is_empty() { "document" } else { &e.path };
                write!(f, "{} ({at}, line {}, column {})", e.message, e.line, e.column)?;
                if self.errors.len() > 1 {
                    write!(f, "; and {} more error(s)", self.errors.len() - 1)?;
                }
                Ok(())
            }
            None => f.write_str("the policy document is invalid"),
        }
    }
}

impl std::error::Error for PolicyError {}
