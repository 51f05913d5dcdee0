//! The AWS IAM policy language, as one pure library used everywhere in Gatehouse: console
//! authorization, the IAM API, the policy simulator, the "why" view and the editor's live
//! validation (this crate builds for `wasm32-unknown-unknown`: no I/O, no threads, no clock).
//!
//! - [`validate`] parses a document and reports [`Finding`]s (errors, security warnings,
//!   warnings, suggestions), each with its JSON path, line and column.
//! - [`Policy::parse`] gives a document only if it has no error: what the IAM API accepts.
//! - [`CompiledPolicy`] prepares a policy for evaluation, once; a [`PermissionSet`] holds a
//!   principal's policies and boundary and answers [`PermissionSet::decide`] (fast) and
//!   [`PermissionSet::explain`] (which statements decided, and why).

pub mod catalog;
mod condition;
mod context;
mod document;
mod eval;
mod finding;
mod json;
mod parse;
mod pattern;
pub mod summary;
mod validate;
mod values;

pub use catalog::AccessLevel;
pub use condition::{BaseOp, Family, Operator, SetQualifier};
pub use context::{Context, ContextValue};
pub use document::{Condition, Effect, Items, Policy, Spanned, Statement, Text, Version};
pub use eval::{
    CompiledPolicy, Decision, Explanation, MatchedStatement, PermissionSet, PolicyRole, PolicySource, Reason,
    Request,
};
pub use finding::{Finding, FindingKind, PolicyError};
pub use json::Pos;

/// Where a document is used, which sets its size limit (AWS's defaults, whitespace not counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// A customer managed policy version: at most 6,144 characters.
    Managed,
    /// A user's inline policies: at most 2,048 characters (AWS counts them together per user).
    UserInline,
    /// A group's inline policies: at most 5,120 characters (together per group).
    GroupInline,
}

impl PolicyKind {
    pub fn size_limit(self) -> usize {
        match self {
            Self::Managed => 6_144,
            Self::UserInline => 2_048,
            Self::GroupInline => 5_120,
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Managed => "a managed policy",
            Self::UserInline => "a user's inline policy",
            Self::GroupInline => "a group's inline policy",
        }
    }

    /// Parses `managed`, `user-inline` or `group-inline`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "managed" => Some(Self::Managed),
            "user-inline" => Some(Self::UserInline),
            "group-inline" => Some(Self::GroupInline),
            _ => None,
        }
    }
}

/// The size of a document as IAM counts it against its limit: characters, whitespace excluded.
pub fn policy_size(text: &str) -> usize {
    if text.is_ascii() {
        // Branch-free chunks with a byte-wide counter, which the compiler vectorises.
        let whitespace: usize = text
            .as_bytes()
            .chunks(255)
            .map(|c| {
                usize::from(c.iter().fold(0u8, |n, &b| {
                    n + u8::from(b == b' ' || (b'\t'..=b'\r').contains(&b))
                }))
            })
            .sum();
        return text.len() - whitespace;
    }
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// The result of validating a document: all findings, sorted by position, and the parsed policy
/// when the grammar allowed one (it may still have error findings, e.g. an unknown action).
#[derive(Clone, Debug)]
pub struct Validation<'a> {
    pub findings: Vec<Finding>,
    policy: Option<Policy<'a>>,
}

impl<'a> Validation<'a> {
    /// No error findings: the document would be accepted.
    pub fn is_valid(&self) -> bool {
        self.policy.is_some() && !self.findings.iter().any(|f| f.kind == FindingKind::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.kind == FindingKind::Error)
    }

    /// The parsed document, if the grammar allowed one, whatever the other findings.
    pub fn policy(&self) -> Option<&Policy<'a>> {
        self.policy.as_ref()
    }

    /// The document if it has no error finding; otherwise the errors.
    pub fn into_policy(self) -> Result<Policy<'a>, PolicyError> {
        let errors: Vec<Finding> = self
            .findings
            .into_iter()
            .filter(|f| f.kind == FindingKind::Error)
            .collect();
        match self.policy {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(PolicyError { errors }),
        }
    }
}

/// Parses and checks a policy document of the given kind.
pub fn validate(text: &str, kind: PolicyKind) -> Validation<'_> {
    let mut findings = Vec::new();
    let policy = parse::parse(text, kind, &mut findings);
    if let Some(p) = &policy {
        validate::validate(p, &mut findings);
    }
    findings.sort_by_key(|f| (f.line, f.column, f.kind));
    Validation { findings, policy }
}

impl<'a> Policy<'a> {
    /// Parses a document and accepts it only without error findings (warnings are allowed):
    /// what a `MalformedPolicyDocument` check needs. The policy borrows from `text`; use
    /// [`Policy::into_owned`] to keep it longer.
    pub fn parse(text: &'a str, kind: PolicyKind) -> Result<Self, PolicyError> {
        validate(text, kind).into_policy()
    }

    /// Compiles the document for evaluation.
    pub fn compile(&self) -> CompiledPolicy {
        CompiledPolicy::new(self)
    }
}
