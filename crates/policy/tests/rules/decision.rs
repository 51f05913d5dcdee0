//! The decision rules (IAM User Guide, "Policy evaluation logic" and "Permissions boundaries"):
//! explicit deny beats allow, allow beats the implicit deny, the boundary must also allow, root is
//! always allowed, statement and policy order never matter.

use gatehouse_policy::{Context, Decision, PermissionSet, PolicySource, Request};

use crate::{compiled, decide, doc};

const USER: &str = "arn:aws:iam::123456789012:user/alice";
const ALLOW_IAM: &str = r#"{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}"#;
const DENY_DELETE: &str = r#"{"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"}"#;

fn with_boundary(identity: &[&str], boundary: &str, action: &str) -> Decision {
    let mut set = PermissionSet::new();
    for (i, p) in identity.iter().enumerate() {
        set.add_identity(PolicySource::new(format!("id{i}"), None), compiled(p));
    }
    set.set_boundary(
        PolicySource::new("boundary", Some("v1".into())),
        compiled(boundary),
    );
    let ctx = Context::new();
    let req = Request::new(action, USER, &ctx);
    let d = set.decide(&req);
    assert_eq!(d, set.explain(&req).decision);
    d
}

#[test]
fn no_policies_is_an_implicit_deny() {
    assert_eq!(
        decide(&[], "iam:GetUser", USER, &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn an_allow_gives_allowed() {
    assert_eq!(
        decide(&[&doc(ALLOW_IAM)], "iam:GetUser", USER, &Context::new()),
        Decision::Allowed
    );
}

#[test]
fn an_action_not_allowed_is_an_implicit_deny() {
    assert_eq!(
        decide(&[&doc(ALLOW_IAM)], "s3:GetObject", USER, &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn explicit_deny_beats_allow_in_the_same_policy() {
    let p = doc(&format!("[{ALLOW_IAM}, {DENY_DELETE}]"));
    assert_eq!(
        decide(&[&p], "iam:DeleteUser", USER, &Context::new()),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decide(&[&p], "iam:CreateUser", USER, &Context::new()),
        Decision::Allowed
    );
}

#[test]
fn explicit_deny_beats_allow_in_another_policy() {
    let d = decide(
        &[&doc(ALLOW_IAM), &doc(DENY_DELETE)],
        "iam:DeleteUser",
        USER,
        &Context::new(),
    );
    assert_eq!(d, Decision::ExplicitDeny);
}

#[test]
fn statement_order_does_not_matter() {
    let a = doc(&format!("[{ALLOW_IAM}, {DENY_DELETE}]"));
    let b = doc(&format!("[{DENY_DELETE}, {ALLOW_IAM}]"));
    for action in ["iam:DeleteUser", "iam:GetUser"] {
        assert_eq!(
            decide(&[&a], action, USER, &Context::new()),
            decide(&[&b], action, USER, &Context::new())
        );
    }
}

#[test]
fn policy_order_does_not_matter() {
    let (a, b) = (doc(ALLOW_IAM), doc(DENY_DELETE));
    assert_eq!(
        decide(&[&a, &b], "iam:DeleteUser", USER, &Context::new()),
        decide(&[&b, &a], "iam:DeleteUser", USER, &Context::new())
    );
}

#[test]
fn allows_from_several_policies_are_a_union() {
    let p1 = doc(r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}"#);
    let p2 = doc(r#"{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}"#);
    assert_eq!(
        decide(&[&p1, &p2], "iam:GetUser", USER, &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[&p1, &p2], "iam:ListUsers", USER, &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[&p1, &p2], "iam:DeleteUser", USER, &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn a_deny_that_does_not_match_the_resource_does_not_deny() {
    let deny =
        doc(r#"{"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "arn:aws:iam::*:user/admin"}"#);
    assert_eq!(
        decide(&[&doc(ALLOW_IAM), &deny], "iam:DeleteUser", USER, &Context::new()),
        Decision::Allowed
    );
}

#[test]
fn a_deny_whose_condition_is_false_does_not_deny() {
    let deny = doc(
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    );
    let ctx = Context::new().with("aws:SecureTransport", true);
    assert_eq!(
        decide(&[&doc(ALLOW_IAM), &deny], "iam:GetUser", USER, &ctx),
        Decision::Allowed
    );
    let insecure = Context::new().with("aws:SecureTransport", false);
    assert_eq!(
        decide(&[&doc(ALLOW_IAM), &deny], "iam:GetUser", USER, &insecure),
        Decision::ExplicitDeny
    );
}

#[test]
fn an_allow_whose_condition_is_false_does_not_allow() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "root-ops"}}}"#,
    );
    assert_eq!(
        decide(
            &[&p],
            "iam:GetUser",
            USER,
            &Context::new().with("aws:username", "alice")
        ),
        Decision::ImplicitDeny
    );
}

#[test]
fn root_is_always_allowed() {
    let set = PermissionSet::root();
    let ctx = Context::new();
    for action in ["iam:DeleteUser", "s3:GetObject", "anything:AtAll"] {
        assert_eq!(set.decide(&Request::new(action, "*", &ctx)), Decision::Allowed);
    }
}

#[test]
fn boundary_allows_and_identity_allows_gives_allowed() {
    assert_eq!(
        with_boundary(&[&doc(ALLOW_IAM)], &doc(ALLOW_IAM), "iam:GetUser"),
        Decision::Allowed
    );
}

#[test]
fn boundary_without_an_allow_blocks_an_identity_allow() {
    let boundary = doc(r#"{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}"#);
    assert_eq!(
        with_boundary(&[&doc(ALLOW_IAM)], &boundary, "iam:CreateUser"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        with_boundary(&[&doc(ALLOW_IAM)], &boundary, "iam:GetUser"),
        Decision::Allowed
    );
}

#[test]
fn boundary_alone_grants_nothing() {
    assert_eq!(
        with_boundary(&[], &doc(ALLOW_IAM), "iam:GetUser"),
        Decision::ImplicitDeny
    );
}

#[test]
fn explicit_deny_in_the_boundary_denies() {
    let boundary = doc(&format!("[{ALLOW_IAM}, {DENY_DELETE}]"));
    assert_eq!(
        with_boundary(&[&doc(ALLOW_IAM)], &boundary, "iam:DeleteUser"),
        Decision::ExplicitDeny
    );
}

#[test]
fn explicit_deny_in_the_boundary_denies_even_without_identity_allow() {
    let boundary = doc(DENY_DELETE);
    assert_eq!(
        with_boundary(&[], &boundary, "iam:DeleteUser"),
        Decision::ExplicitDeny
    );
}

#[test]
fn the_effective_permissions_are_the_intersection_with_the_boundary() {
    let identity =
        doc(r#"{"Effect": "Allow", "Action": ["iam:GetUser", "iam:CreateUser"], "Resource": "*"}"#);
    let boundary = doc(r#"{"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}"#);
    assert_eq!(
        with_boundary(&[&identity], &boundary, "iam:GetUser"),
        Decision::Allowed
    );
    assert_eq!(
        with_boundary(&[&identity], &boundary, "iam:CreateUser"),
        Decision::ImplicitDeny
    );
    assert_eq!(
        with_boundary(&[&identity], &boundary, "iam:ListUsers"),
        Decision::ImplicitDeny
    );
}

#[test]
fn statements_for_other_services_are_not_consulted_but_wildcards_are() {
    let p = doc(
        r#"[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:iam::*:user/*"}]"#,
    );
    assert_eq!(
        decide(&[&p], "iam:GetUser", USER, &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[&p], "iam:GetGroup", "arn:aws:iam::1:group/g", &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn a_statement_listing_several_services_is_consulted_for_each() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "iam:GetUser", "sts:GetCallerIdentity"], "Resource": "*"}"#,
    );
    for a in ["s3:GetObject", "iam:GetUser", "sts:GetCallerIdentity"] {
        assert_eq!(decide(&[&p], a, USER, &Context::new()), Decision::Allowed, "{a}");
    }
}

#[test]
fn a_deny_with_an_unevaluable_condition_fails_closed() {
    let deny = doc(
        r#"{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}}"#,
    );
    let ctx = Context::new().with("aws:MultiFactorAuthAge", "not a number");
    assert_eq!(
        decide(&[&doc(ALLOW_IAM), &deny], "iam:GetUser", USER, &ctx),
        Decision::ExplicitDeny
    );
}

#[test]
fn an_allow_with_an_unevaluable_condition_fails_closed() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}}"#,
    );
    let ctx = Context::new().with("aws:MultiFactorAuthAge", "not a number");
    assert_eq!(decide(&[&p], "iam:GetUser", USER, &ctx), Decision::ImplicitDeny);
}

#[test]
fn one_compiled_policy_serves_many_principals() {
    let shared = compiled(&doc(ALLOW_IAM));
    let a = PermissionSet::new().with_identity(PolicySource::new("shared", None), shared.clone());
    let b = PermissionSet::new()
        .with_identity(PolicySource::new("shared", None), shared)
        .with_identity(PolicySource::new("deny", None), compiled(&doc(DENY_DELETE)));
    let ctx = Context::new();
    let req = Request::new("iam:DeleteUser", USER, &ctx);
    assert_eq!(a.decide(&req), Decision::Allowed);
    assert_eq!(b.decide(&req), Decision::ExplicitDeny);
}
