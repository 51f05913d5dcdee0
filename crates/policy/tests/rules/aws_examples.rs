//! AWS's own policies, verbatim: the managed policies AdministratorAccess, IAMFullAccess,
//! IAMReadOnlyAccess and IAMUserChangePassword, and the User Guide's example that lets
//! MFA-authenticated users manage their own credentials (the force-MFA pattern).

use gatehouse_policy::{
    validate, Context, Decision, FindingKind, PermissionSet, PolicyKind, PolicySource, Request,
};

use crate::{compiled, user_ctx};

const ADMIN: &str = include_str!("../fixtures/aws-managed-AdministratorAccess.json");
const IAM_FULL: &str = include_str!("../fixtures/aws-managed-IAMFullAccess.json");
const IAM_READ: &str = include_str!("../fixtures/aws-managed-IAMReadOnlyAccess.json");
const CHANGE_PASSWORD: &str = include_str!("../fixtures/aws-managed-IAMUserChangePassword.json");
const MFA_SELF_MANAGE: &str = include_str!("../fixtures/aws-example-mfa-self-manage.json");

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const BOB: &str = "arn:aws:iam::123456789012:user/bob";

fn set(policy: &str) -> PermissionSet {
    PermissionSet::new().with_identity(PolicySource::new("aws", Some("v1".into())), compiled(policy))
}

fn decide(policy: &str, action: &str, resource: &str, ctx: &Context) -> Decision {
    let s = set(policy);
    let req = Request::new(action, resource, ctx);
    let d = s.decide(&req);
    assert_eq!(d, s.explain(&req).decision);
    d
}

#[test]
fn every_aws_policy_here_is_valid() {
    for (name, text) in [
        ("AdministratorAccess", ADMIN),
        ("IAMFullAccess", IAM_FULL),
        ("IAMReadOnlyAccess", IAM_READ),
        ("IAMUserChangePassword", CHANGE_PASSWORD),
        ("mfa-self-manage", MFA_SELF_MANAGE),
    ] {
        let v = validate(text, PolicyKind::Managed);
        assert!(v.is_valid(), "{name}: {:#?}", v.findings);
    }
}

#[test]
fn administrator_access_is_flagged_as_full_access_but_valid() {
    let v = validate(ADMIN, PolicyKind::Managed);
    assert!(v.is_valid());
    assert!(v
        .findings
        .iter()
        .any(|f| f.code == "FULL_ACCESS" && f.kind == FindingKind::SecurityWarning));
}

#[test]
fn administrator_access_allows_everything() {
    assert_eq!(
        decide(ADMIN, "iam:DeleteUser", BOB, &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(ADMIN, "s3:DeleteBucket", "arn:aws:s3:::b", &Context::new()),
        Decision::Allowed
    );
}

#[test]
fn iam_full_access_allows_every_iam_action_but_not_other_services() {
    assert_eq!(
        decide(IAM_FULL, "iam:CreateUser", BOB, &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(IAM_FULL, "iam:AttachUserPolicy", BOB, &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(IAM_FULL, "sts:GetCallerIdentity", "*", &Context::new()),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(
            IAM_FULL,
            "organizations:DescribeOrganization",
            "*",
            &Context::new()
        ),
        Decision::Allowed
    );
}

#[test]
fn iam_read_only_access_allows_reads_and_lists() {
    for a in [
        "iam:GetUser",
        "iam:ListUsers",
        "iam:ListGroups",
        "iam:GetPolicyVersion",
        "iam:GenerateCredentialReport",
        "iam:SimulatePrincipalPolicy",
    ] {
        assert_eq!(
            decide(IAM_READ, a, BOB, &Context::new()),
            Decision::Allowed,
            "{a}"
        );
    }
}

#[test]
fn iam_read_only_access_refuses_writes() {
    for a in [
        "iam:CreateUser",
        "iam:DeleteUser",
        "iam:AttachUserPolicy",
        "iam:CreateAccessKey",
        "iam:TagUser",
    ] {
        assert_eq!(
            decide(IAM_READ, a, BOB, &Context::new()),
            Decision::ImplicitDeny,
            "{a}"
        );
    }
}

#[test]
fn change_password_policy_lets_users_change_only_their_own_password() {
    let ctx = user_ctx("alice");
    assert_eq!(
        decide(CHANGE_PASSWORD, "iam:ChangePassword", ALICE, &ctx),
        Decision::Allowed
    );
    assert_eq!(
        decide(CHANGE_PASSWORD, "iam:ChangePassword", BOB, &ctx),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(CHANGE_PASSWORD, "iam:GetAccountPasswordPolicy", "*", &ctx),
        Decision::Allowed
    );
}

#[test]
fn change_password_policy_covers_users_with_a_path() {
    let ctx = user_ctx("alice");
    assert_eq!(
        decide(
            CHANGE_PASSWORD,
            "iam:ChangePassword",
            "arn:aws:iam::123456789012:user/staff/alice",
            &ctx
        ),
        Decision::Allowed
    );
}

#[test]
fn mfa_policy_without_mfa_allows_only_what_is_needed_to_enrol() {
    let ctx = user_ctx("alice").with("aws:MultiFactorAuthPresent", false);
    assert_eq!(
        decide(
            MFA_SELF_MANAGE,
            "iam:CreateVirtualMFADevice",
            "arn:aws:iam::123456789012:mfa/alice",
            &ctx
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:EnableMFADevice", ALICE, &ctx),
        Decision::Allowed
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:GetUser", ALICE, &ctx),
        Decision::Allowed
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:ChangePassword", ALICE, &ctx),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:CreateAccessKey", ALICE, &ctx),
        Decision::ExplicitDeny
    );
}

#[test]
fn mfa_policy_with_mfa_allows_managing_own_credentials() {
    let ctx = user_ctx("alice")
        .with("aws:MultiFactorAuthPresent", true)
        .with("aws:MultiFactorAuthAge", 30i64);
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:ChangePassword", ALICE, &ctx),
        Decision::Allowed
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:CreateAccessKey", ALICE, &ctx),
        Decision::Allowed
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:DeactivateMFADevice", ALICE, &ctx),
        Decision::Allowed
    );
}

#[test]
fn mfa_policy_never_reaches_other_users() {
    let ctx = user_ctx("alice").with("aws:MultiFactorAuthPresent", true);
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:CreateAccessKey", BOB, &ctx),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:ChangePassword", BOB, &ctx),
        Decision::ImplicitDeny
    );
}

#[test]
fn mfa_policy_denies_access_key_requests_because_it_uses_bool_if_exists() {
    // Access-key requests carry no aws:MultiFactorAuthPresent; BoolIfExists makes the Deny apply.
    let ctx = user_ctx("alice");
    assert_eq!(
        decide(MFA_SELF_MANAGE, "iam:CreateAccessKey", ALICE, &ctx),
        Decision::ExplicitDeny
    );
}

#[test]
fn mfa_policy_with_bool_instead_of_bool_if_exists_lets_access_keys_through() {
    // The documented trap, shown on AWS's own example.
    let trap = MFA_SELF_MANAGE.replace("BoolIfExists", "Bool");
    let v = validate(&trap, PolicyKind::Managed);
    assert!(v.findings.iter().any(|f| f.code == "MFA_BOOL_WITHOUT_IF_EXISTS"));
    let ctx = user_ctx("alice");
    assert_eq!(
        decide(&trap, "iam:CreateAccessKey", ALICE, &ctx),
        Decision::Allowed
    );
}

#[test]
fn mfa_policy_explains_which_statement_denies() {
    let s = set(MFA_SELF_MANAGE);
    let ctx = user_ctx("alice").with("aws:MultiFactorAuthPresent", false);
    let e = s.explain(&Request::new("iam:ChangePassword", ALICE, &ctx));
    assert_eq!(e.matched.len(), 1);
    assert_eq!(e.matched[0].sid.as_deref(), Some("DenyAllExceptListedIfNoMFA"));
    assert_eq!(e.matched[0].statement_index, 8);
}

#[test]
fn read_only_with_a_deny_unless_mfa_group_policy() {
    // A Deny in a group beats an Allow on the user.
    let deny = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}}"#;
    let s = PermissionSet::new()
        .with_identity(
            PolicySource::new("user/alice/IAMReadOnlyAccess", None),
            compiled(IAM_READ),
        )
        .with_identity(PolicySource::new("group/staff/RequireMFA", None), compiled(deny));
    let without = Context::new().with("aws:MultiFactorAuthPresent", false);
    let with = Context::new().with("aws:MultiFactorAuthPresent", true);
    assert_eq!(
        s.decide(&Request::new("iam:ListUsers", "*", &without)),
        Decision::ExplicitDeny
    );
    assert_eq!(
        s.decide(&Request::new("iam:ListUsers", "*", &with)),
        Decision::Allowed
    );
}
