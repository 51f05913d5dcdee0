//! Evaluation: compiled policies, the permission set of one principal, decisions and explanations.
//!
//! The decision for an IAM user (AWS's identity-policy evaluation logic): an explicit `Deny` in any
//! identity policy or in the permissions boundary gives **explicitDeny**; otherwise an `Allow` in
//! the union of the identity policies, and (when a boundary is set) an `Allow` in the boundary,
//! give **allowed**; anything else is **implicitDeny**. Root is always allowed. Statement order
//! never matters. A statement that cannot be evaluated (an unreadable value, an unresolvable
//! variable in `NotResource`) fails closed: a `Deny` applies, an `Allow` does not.
//!
//! Speed: a policy is compiled once (patterns prepared, values parsed). A permission set indexes
//! its statements by the service prefix of their actions, so a decision only visits statements
//! that can match the request's service, denies first, and stops at the first deciding statement.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::condition::{CompiledCondition, Outcome};
use crate::context::Context;
use crate::document::{Effect, Policy};
use crate::pattern::{Glob, Template};

/// A request to decide: an action (`iam:CreateUser`, any case), a resource ARN and the context.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    action: String,
    service_len: usize,
    resource: &'a str,
    context: &'a Context,
}

impl<'a> Request<'a> {
    pub fn new(action: &str, resource: &'a str, context: &'a Context) -> Self {
        let action = action.to_ascii_lowercase();
        let service_len = action.find(':').unwrap_or(action.len());
        Self {
            action,
            service_len,
            resource,
            context,
        }
    }

    fn service(&self) -> &str {
        &self.action[..self.service_len]
    }
}

/// The three outcomes of AWS's evaluation logic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::ExplicitDeny => "explicitDeny",
            Self::ImplicitDeny => "implicitDeny",
        }
    }

    pub fn is_allowed(self) -> bool {
        self == Self::Allowed
    }
}

#[derive(Clone, Debug)]
struct CompiledStatement {
    sid: Option<String>,
    effect: Effect,
    actions_negated: bool,
    /// Lower-cased action patterns.
    actions: Vec<Glob>,
    resources_negated: bool,
    resources: Vec<Template>,
    conditions: Vec<CompiledCondition>,
    /// The services the statement's actions can match; `None` for any service.
    services: Option<Vec<String>>,
}

/// Whether a statement applies to a request, and the condition keys it wanted but did not get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Applies {
    Yes,
    No,
}

impl CompiledStatement {
    fn new(s: &crate::document::Statement<'_>, variables: bool) -> Self {
        let actions: Vec<Glob> = s
            .action
            .values
            .iter()
            .map(|a| Glob::new(&a.value.to_ascii_lowercase(), true))
            .collect();
        let services = if s.action.negated {
            None
        } else {
            let mut list = Vec::new();
            let mut any = false;
            for a in &s.action.values {
                match a.value.split_once(':') {
                    Some((svc, _)) if !svc.contains(['*', '?']) => {
                        let svc = svc.to_ascii_lowercase();
                        if !list.contains(&svc) {
                            list.push(svc);
                        }
                    }
                    _ => any = true,
                }
            }
            (!any).then_some(list)
        };
        Self {
            sid: s.sid.as_ref().map(|s| s.value.to_string()),
            effect: s.effect,
            actions_negated: s.action.negated,
            actions,
            resources_negated: s.resource.negated,
            resources: s
                .resource
                .values
                .iter()
                .map(|r| Template::new(&r.value, variables, true, false))
                .collect(),
            conditions: s
                .conditions
                .iter()
                .map(|c| {
                    let values: Vec<&str> = c.values.iter().map(|v| &*v.value).collect();
                    CompiledCondition::new(&c.operator.value, &c.key.value, &values, variables)
                })
                .collect(),
            services,
        }
    }

    #[inline]
    fn action_matches(&self, req: &Request<'_>) -> bool {
        let hit = self.actions.iter().any(|g| g.matches(&req.action));
        hit != self.actions_negated
    }

    fn resource_outcome(&self, req: &Request<'_>) -> Outcome {
        let mut unresolved = false;
        let mut hit = false;
        for r in &self.resources {
            match r.matches(req.resource, req.context) {
                Some(true) => {
                    hit = true;
                    break;
                }
                Some(false) => {}
                None => unresolved = true,
            }
        }
        if !self.resources_negated {
            // An unresolvable variable in Resource matches no resource.
            return if hit { Outcome::True } else { Outcome::False };
        }
        if hit {
            Outcome::False
        } else if unresolved {
            // NotResource with an unresolvable variable cannot say what it excludes.
            Outcome::Error
        } else {
            Outcome::True
        }
    }

    /// Evaluates the statement; fail-closed on errors. Absent condition keys are pushed to
    /// `missing` when given (for explanations).
    fn applies(&self, req: &Request<'_>, missing: Option<&mut Vec<String>>) -> Applies {
        if !self.action_matches(req) {
            return Applies::No;
        }
        let mut error = false;
        match self.resource_outcome(req) {
            Outcome::True => {}
            Outcome::False => return Applies::No,
            Outcome::Error => error = true,
        }
        if let Some(missing) = missing {
            for c in &self.conditions {
                if req.context.get(&c.key).is_none()
                    && !missing.iter().any(|k| k.eq_ignore_ascii_case(&c.key))
                {
                    missing.push(c.display_key().to_owned());
                }
            }
        }
        for c in &self.conditions {
            match c.evaluate(req.context) {
                Outcome::True => {}
                Outcome::False => return Applies::No,
                Outcome::Error => error = true,
            }
        }
        match (error, self.effect) {
            (false, _) | (true, Effect::Deny) => Applies::Yes,
            (true, Effect::Allow) => Applies::No,
        }
    }
}

/// A policy compiled for evaluation. Compile once per policy version and share it (`Arc`).
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    statements: Vec<CompiledStatement>,
}

impl CompiledPolicy {
    pub fn new(policy: &Policy<'_>) -> Self {
        let variables = policy.variables_enabled();
        Self {
            statements: policy
                .statements
                .iter()
                .map(|s| CompiledStatement::new(s, variables))
                .collect(),
        }
    }

    pub fn statement_count(&self) -> usize {
        self.statements.len()
    }
}

/// Whether a policy counts as an identity policy or as the permissions boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PolicyRole {
    Identity,
    Boundary,
}

/// What a policy is called in explanations: its name or ARN, and the version that was evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PolicySource {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl PolicySource {
    pub fn new(name: impl Into<String>, version: Option<String>) -> Self {
        Self {
            name: name.into(),
            version,
        }
    }
}

#[derive(Clone, Debug)]
struct Attached {
    source: PolicySource,
    role: PolicyRole,
    policy: Arc<CompiledPolicy>,
}

#[derive(Clone, Copy, Debug)]
struct StatementRef {
    policy: u32,
    statement: u32,
}

#[derive(Clone, Debug, Default)]
struct Bucket {
    deny: Vec<StatementRef>,
    allow: Vec<StatementRef>,
}

#[derive(Clone, Debug, Default)]
struct Index {
    by_service: HashMap<String, Bucket>,
    any: Bucket,
}

impl Index {
    fn add(&mut self, r: StatementRef, s: &CompiledStatement) {
        let push = |b: &mut Bucket| match s.effect {
            Effect::Deny => b.deny.push(r),
            Effect::Allow => b.allow.push(r),
        };
        match &s.services {
            None => push(&mut self.any),
            Some(services) => {
                for svc in services {
                    push(self.by_service.entry(svc.clone()).or_default());
                }
            }
        }
    }

    fn buckets<'s>(&'s self, service: &str) -> [&'s Bucket; 2] {
        static EMPTY: Bucket = Bucket {
            deny: Vec::new(),
            allow: Vec::new(),
        };
        [self.by_service.get(service).unwrap_or(&EMPTY), &self.any]
    }
}

/// Everything that decides what one principal may do: root, or its identity policies (user
/// inline + user managed + group inline + group managed) and its permissions boundary.
#[derive(Clone, Debug, Default)]
pub struct PermissionSet {
    root: bool,
    policies: Vec<Attached>,
    identity: Index,
    boundary: Option<Index>,
}

/// One statement that matched the request, for explanations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchedStatement {
    pub policy: PolicySource,
    pub role: PolicyRole,
    pub statement_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
}

/// Why the decision is what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// The root user may do anything.
    RootUser,
    /// A `Deny` statement matched (see `matched`).
    ExplicitDeny,
    /// An identity `Allow` matched, and the boundary (if any) allows it too.
    Allowed,
    /// No identity policy allows the request.
    NoAllow,
    /// An identity policy allows the request, but the permissions boundary does not.
    BoundaryBlocked,
}

impl Reason {
    /// A sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::RootUser => "the root user is allowed every action",
            Self::ExplicitDeny => "an explicit Deny statement matches the request",
            Self::Allowed => "an Allow statement matches the request and nothing denies it",
            Self::NoAllow => "no policy statement allows the request",
            Self::BoundaryBlocked => {
                "an identity policy allows the request, but the permissions boundary does not"
            }
        }
    }
}

/// A decision with its reasons: every matching statement (policy, version, index, Sid, effect),
/// why the decision follows, and the condition keys the relevant statements used but the request
/// did not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub decision: Decision,
    pub reason: Reason,
    pub matched: Vec<MatchedStatement>,
    pub missing_context_keys: Vec<String>,
}

impl PermissionSet {
    /// The root user's permission set: everything is allowed.
    pub fn root() -> Self {
        Self {
            root: true,
            ..Self::default()
        }
    }

    /// An empty set: everything is implicitly denied until policies are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an identity policy (attached managed, inline, or from a group).
    pub fn add_identity(&mut self, source: PolicySource, policy: Arc<CompiledPolicy>) {
        self.attach(source, PolicyRole::Identity, policy);
    }

    /// Sets the permissions boundary (at most one; a second call replaces the index entries of
    /// the first only in the sense that both are then evaluated as the boundary).
    pub fn set_boundary(&mut self, source: PolicySource, policy: Arc<CompiledPolicy>) {
        self.attach(source, PolicyRole::Boundary, policy);
    }

    #[must_use]
    pub fn with_identity(mut self, source: PolicySource, policy: Arc<CompiledPolicy>) -> Self {
        self.add_identity(source, policy);
        self
    }

    #[must_use]
    pub fn with_boundary(mut self, source: PolicySource, policy: Arc<CompiledPolicy>) -> Self {
        self.set_boundary(source, policy);
        self
    }

    fn attach(&mut self, source: PolicySource, role: PolicyRole, policy: Arc<CompiledPolicy>) {
        let p = u32::try_from(self.policies.len()).unwrap_or(u32::MAX);
        let index = match role {
            PolicyRole::Identity => &mut self.identity,
            PolicyRole::Boundary => self.boundary.get_or_insert_with(Index::default),
        };
        for (i, s) in policy.statements.iter().enumerate() {
            let r = StatementRef {
                policy: p,
                statement: u32::try_from(i).unwrap_or(u32::MAX),
            };
            index.add(r, s);
        }
        self.policies.push(Attached { source, role, policy });
    }

    pub fn is_root(&self) -> bool {
        self.root
    }

    pub fn has_boundary(&self) -> bool {
        self.boundary.is_some()
    }

    #[inline]
    fn statement(&self, r: StatementRef) -> &CompiledStatement {
        &self.policies[r.policy as usize].policy.statements[r.statement as usize]
    }

    /// The decision alone: the fast path, which stops at the first deciding statement.
    pub fn decide(&self, req: &Request<'_>) -> Decision {
        if self.root {
            return Decision::Allowed;
        }
        let service = req.service();
        let identity = self.identity.buckets(service);
        let boundary = self.boundary.as_ref().map(|b| b.buckets(service));
        let denies = identity
            .iter()
            .chain(boundary.iter().flatten())
            .flat_map(|b| b.deny.iter());
        for r in denies {
            if self.statement(*r).applies(req, None) == Applies::Yes {
                return Decision::ExplicitDeny;
            }
        }
        let allowed_by = |buckets: &[&Bucket; 2]| {
            buckets
                .iter()
                .flat_map(|b| b.allow.iter())
                .any(|r| self.statement(*r).applies(req, None) == Applies::Yes)
        };
        if !allowed_by(&identity) {
            return Decision::ImplicitDeny;
        }
        match &boundary {
            Some(b) if !allowed_by(b) => Decision::ImplicitDeny,
            _ => Decision::Allowed,
        }
    }

    /// The decision with its explanation: every matching statement is reported.
    pub fn explain(&self, req: &Request<'_>) -> Explanation {
        if self.root {
            return Explanation {
                decision: Decision::Allowed,
                reason: Reason::RootUser,
                matched: Vec::new(),
                missing_context_keys: Vec::new(),
            };
        }
        let mut matched = Vec::new();
        let mut missing = Vec::new();
        let (mut deny, mut identity_allow, mut boundary_allow) = (false, false, false);
        for (p, attached) in self.policies.iter().enumerate() {
            for (i, s) in attached.policy.statements.iter().enumerate() {
                if s.applies(req, Some(&mut missing)) != Applies::Yes {
                    continue;
                }
                match (s.effect, attached.role) {
                    (Effect::Deny, _) => deny = true,
                    (Effect::Allow, PolicyRole::Identity) => identity_allow = true,
                    (Effect::Allow, PolicyRole::Boundary) => boundary_allow = true,
                }
                matched.push(MatchedStatement {
                    policy: self.policies[p].source.clone(),
                    role: attached.role,
                    statement_index: i,
                    sid: s.sid.clone(),
                    effect: s.effect,
                });
            }
        }
        let (decision, reason) = if deny {
            (Decision::ExplicitDeny, Reason::ExplicitDeny)
        } else if !identity_allow {
            (Decision::ImplicitDeny, Reason::NoAllow)
        } else if self.boundary.is_some() && !boundary_allow {
            (Decision::ImplicitDeny, Reason::BoundaryBlocked)
        } else {
            (Decision::Allowed, Reason::Allowed)
        };
        if decision == Decision::ExplicitDeny {
            // Only the statements that decided are worth showing.
            matched.retain(|m| m.effect == Effect::Deny);
        }
        missing.sort_by_key(|k| k.to_ascii_lowercase());
        Explanation {
            decision,
            reason,
            matched,
            missing_context_keys: missing,
        }
    }
}
