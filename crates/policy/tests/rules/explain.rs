//! Explanations: every decision says which statements of which policies (and versions) matched,
//! and for an implicit deny whether nothing allowed it or the boundary blocked it.

use gatehouse_policy::{Context, Decision, Effect, PermissionSet, PolicyRole, PolicySource, Reason};

use crate::{compiled, doc, explain};

const USER: &str = "arn:aws:iam::123456789012:user/alice";

fn set() -> PermissionSet {
    PermissionSet::new()
        .with_identity(
            PolicySource::new("arn:aws:iam::aws:policy/IAMReadOnlyAccess", Some("v4".into())),
            compiled(&doc(
                r#"{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}"#,
            )),
        )
        .with_identity(
            PolicySource::new("group/admins/inline/NoDeletes", None),
            compiled(&doc(
                r#"[{"Sid": "AllowAll", "Effect": "Allow", "Action": "iam:*", "Resource": "*"},
                {"Sid": "NoDeletes", "Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}]"#,
            )),
        )
}

#[test]
fn allowed_lists_every_allow_that_matched_with_policy_version_index_and_sid() {
    let e = explain(&set(), "iam:GetUser", USER, &Context::new());
    assert_eq!(e.decision, Decision::Allowed);
    assert_eq!(e.reason, Reason::Allowed);
    assert_eq!(e.matched.len(), 2);
    assert_eq!(
        e.matched[0].policy.name,
        "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
    );
    assert_eq!(e.matched[0].policy.version.as_deref(), Some("v4"));
    assert_eq!(e.matched[0].statement_index, 0);
    assert_eq!(e.matched[1].sid.as_deref(), Some("AllowAll"));
    assert!(e
        .matched
        .iter()
        .all(|m| m.effect == Effect::Allow && m.role == PolicyRole::Identity));
}

#[test]
fn explicit_deny_names_the_deny_statement_only() {
    let e = explain(&set(), "iam:DeleteUser", USER, &Context::new());
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.reason, Reason::ExplicitDeny);
    assert_eq!(e.matched.len(), 1);
    assert_eq!(e.matched[0].sid.as_deref(), Some("NoDeletes"));
    assert_eq!(e.matched[0].statement_index, 1);
    assert_eq!(e.matched[0].effect, Effect::Deny);
}

#[test]
fn implicit_deny_without_any_allow_says_so() {
    let e = explain(&set(), "s3:GetObject", USER, &Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.reason, Reason::NoAllow);
    assert!(e.matched.is_empty());
}

#[test]
fn implicit_deny_by_the_boundary_says_so_and_shows_the_identity_allow() {
    let s = set().with_boundary(
        PolicySource::new("arn:aws:iam::123456789012:policy/Boundary", Some("v2".into())),
        compiled(&doc(
            r#"{"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}"#,
        )),
    );
    let e = explain(&s, "iam:GetUser", USER, &Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.reason, Reason::BoundaryBlocked);
    assert!(!e.matched.is_empty());
    assert!(e.matched.iter().all(|m| m.role == PolicyRole::Identity));
    let ok = explain(&s, "iam:ListUsers", USER, &Context::new());
    assert_eq!(ok.decision, Decision::Allowed);
    assert!(ok
        .matched
        .iter()
        .any(|m| m.role == PolicyRole::Boundary && m.policy.version.as_deref() == Some("v2")));
}

#[test]
fn root_explanation_names_the_root_rule() {
    let e = explain(&PermissionSet::root(), "iam:DeleteUser", USER, &Context::new());
    assert_eq!((e.decision, e.reason), (Decision::Allowed, Reason::RootUser));
}

#[test]
fn missing_context_keys_of_relevant_statements_are_reported() {
    let s = PermissionSet::new().with_identity(
        PolicySource::new("mfa", None),
        compiled(&doc(r#"[{"Effect": "Allow", "Action": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}},
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]"#)),
    );
    let e = explain(&s, "iam:GetUser", USER, &Context::new());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(
        e.missing_context_keys,
        ["aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent"]
    );
}

#[test]
fn explanation_serialises_in_camel_case() {
    let e = explain(&set(), "iam:DeleteUser", USER, &Context::new());
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["decision"], "explicitDeny");
    assert_eq!(json["reason"], "explicitDeny");
    assert_eq!(json["matched"][0]["statementIndex"], 1);
    assert_eq!(json["matched"][0]["sid"], "NoDeletes");
    assert_eq!(
        json["matched"][0]["policy"]["name"],
        "group/admins/inline/NoDeletes"
    );
    assert!(json["missingContextKeys"].as_array().unwrap().is_empty());
}

#[test]
fn reasons_have_sentences_for_people() {
    assert!(Reason::BoundaryBlocked
        .describe()
        .contains("permissions boundary"));
    assert!(Reason::NoAllow.describe().contains("no policy statement allows"));
}
