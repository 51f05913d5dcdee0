//! The policy language, rule by rule: each module checks one part of the IAM JSON policy
//! reference (grammar, validation findings, matching, each operator family, variables, set
//! operators, the decision rules, explanations) and each test names the rule it checks. Most
//! cases come from the examples and statements of the AWS IAM User Guide.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use gatehouse_policy::{
    validate, CompiledPolicy, Context, Decision, Explanation, Finding, FindingKind, PermissionSet, Policy,
    PolicyKind, PolicySource, Request,
};

mod aws_examples;
mod decision;
mod explain;
mod grammar;
mod matching;
mod op_arn;
mod op_binary_bool_null;
mod op_date;
mod op_ip;
mod op_numeric;
mod op_string;
mod properties;
mod set_operators;
mod validation;
mod variables;

/// Wraps statements (a JSON object or array text) into a 2012-10-17 document.
pub fn doc(statements: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": {statements}}}"#)
}

/// Parses and compiles a document that must be valid.
pub fn compiled(text: &str) -> Arc<CompiledPolicy> {
    match Policy::parse(text, PolicyKind::Managed) {
        Ok(p) => Arc::new(p.compile()),
        Err(e) => panic!("the test policy is invalid: {e}\n{text}"),
    }
}

/// Compiles whatever the grammar accepts, even with error findings (to test fail-closed paths).
pub fn compiled_lenient(text: &str) -> Arc<CompiledPolicy> {
    let v = validate(text, PolicyKind::Managed);
    let p = v
        .policy()
        .unwrap_or_else(|| panic!("grammar error: {:?}", v.findings));
    Arc::new(p.compile())
}

pub fn set_of(policies: &[&str]) -> PermissionSet {
    let mut set = PermissionSet::new();
    for (i, p) in policies.iter().enumerate() {
        set.add_identity(PolicySource::new(format!("p{i}"), None), compiled(p));
    }
    set
}

pub fn decide(policies: &[&str], action: &str, resource: &str, ctx: &Context) -> Decision {
    let set = set_of(policies);
    let req = Request::new(action, resource, ctx);
    let fast = set.decide(&req);
    // The fast path and the explaining path must always agree.
    assert_eq!(fast, set.explain(&req).decision, "decide and explain disagree");
    fast
}

pub fn explain(set: &PermissionSet, action: &str, resource: &str, ctx: &Context) -> Explanation {
    let req = Request::new(action, resource, ctx);
    let e = set.explain(&req);
    assert_eq!(set.decide(&req), e.decision, "decide and explain disagree");
    e
}

/// Whether an Allow statement for iam:GetUser on * with this Condition block allows the request.
pub fn condition_allows(condition: &str, ctx: &Context) -> bool {
    let text = doc(&format!(
        r#"{{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": {condition}}}"#
    ));
    let set = PermissionSet::new().with_identity(PolicySource::new("p", None), compiled_lenient(&text));
    let req = Request::new("iam:GetUser", "arn:aws:iam::123456789012:user/alice", ctx);
    let d = set.decide(&req);
    assert_eq!(d, set.explain(&req).decision, "decide and explain disagree");
    d == Decision::Allowed
}

/// Whether a Deny statement with this Condition denies (the policy also allows everything).
pub fn condition_denies(condition: &str, ctx: &Context) -> bool {
    let text = doc(&format!(
        r#"[{{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}},
            {{"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*", "Condition": {condition}}}]"#
    ));
    let set = PermissionSet::new().with_identity(PolicySource::new("p", None), compiled_lenient(&text));
    let req = Request::new("iam:GetUser", "arn:aws:iam::123456789012:user/alice", ctx);
    let d = set.decide(&req);
    assert_eq!(d, set.explain(&req).decision, "decide and explain disagree");
    d == Decision::ExplicitDeny
}

/// A one-line test of a condition: `cond!(name, condition_json, {key => value, ...}, allows)`.
#[macro_export]
macro_rules! cond {
    ($name:ident, $cond:expr, {$($k:expr => $v:expr),* $(,)?}, $expected:expr) => {
        #[test]
        fn $name() {
            #[allow(unused_mut)]
            let mut ctx = gatehouse_policy::Context::new();
            $(ctx.insert($k, $v);)*
            assert_eq!(
                $crate::condition_allows($cond, &ctx),
                $expected,
                "condition {} with context {:?}",
                $cond,
                ctx
            );
        }
    };
}

pub fn findings(text: &str) -> Vec<Finding> {
    validate(text, PolicyKind::Managed).findings
}

pub fn codes(text: &str) -> Vec<&'static str> {
    findings(text).into_iter().map(|f| f.code).collect()
}

pub fn find<'a>(fs: &'a [Finding], code: &str) -> &'a Finding {
    fs.iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} finding in {fs:#?}"))
}

pub fn has_errors(text: &str) -> bool {
    findings(text).iter().any(|f| f.kind == FindingKind::Error)
}

pub fn user_ctx(name: &str) -> Context {
    Context::new()
        .with("aws:username", name)
        .with("aws:userid", "AIDAEXAMPLEUSERID0001")
        .with("aws:PrincipalAccount", "123456789012")
        .with("aws:PrincipalType", "User")
        .with(
            "aws:PrincipalArn",
            format!("arn:aws:iam::123456789012:user/{name}"),
        )
}
