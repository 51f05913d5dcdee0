//! Action and resource matching (IAM JSON policy elements: Action, NotAction, Resource,
//! NotResource): actions are case-insensitive with `*` and `?`; resources are case-sensitive ARNs
//! with `*` (which may cross `/`) and `?`.

use gatehouse_policy::{Context, Decision};

use crate::{decide, doc};

const USER: &str = "arn:aws:iam::123456789012:user/alice";

fn allows(action_el: &str, resource_el: &str, action: &str, resource: &str) -> bool {
    let p = doc(&format!(r#"{{"Effect": "Allow", {action_el}, {resource_el}}}"#));
    decide(&[&p], action, resource, &Context::new()) == Decision::Allowed
}

fn action_allows(pattern: &str, action: &str) -> bool {
    allows(
        &format!(r#""Action": "{pattern}""#),
        r#""Resource": "*""#,
        action,
        USER,
    )
}

fn resource_allows(pattern: &str, resource: &str) -> bool {
    allows(
        r#""Action": "iam:GetUser""#,
        &format!(r#""Resource": "{pattern}""#),
        "iam:GetUser",
        resource,
    )
}

#[test]
fn action_matches_exactly() {
    assert!(action_allows("iam:GetUser", "iam:GetUser"));
    assert!(!action_allows("iam:GetUser", "iam:GetUserPolicy"));
}

#[test]
fn action_matching_ignores_case_of_the_policy() {
    assert!(action_allows("IAM:getuser", "iam:GetUser"));
}

#[test]
fn action_matching_ignores_case_of_the_request() {
    assert!(action_allows("iam:GetUser", "IAM:GETUSER"));
}

#[test]
fn action_star_matches_every_action_of_every_service() {
    assert!(action_allows("*", "iam:CreateUser"));
    assert!(action_allows("*", "s3:GetObject"));
}

#[test]
fn action_service_star_matches_only_that_service() {
    assert!(action_allows("iam:*", "iam:DeleteUser"));
    assert!(!action_allows("iam:*", "sts:GetCallerIdentity"));
}

#[test]
fn action_prefix_wildcard_matches_the_prefix() {
    assert!(action_allows("iam:Get*", "iam:GetUser"));
    assert!(action_allows("iam:Get*", "iam:GetAccountPasswordPolicy"));
    assert!(!action_allows("iam:Get*", "iam:ListUsers"));
}

#[test]
fn action_wildcard_in_the_middle_matches() {
    assert!(action_allows("iam:*User", "iam:CreateUser"));
    assert!(action_allows("iam:*User*", "iam:ListUserPolicies"));
    assert!(!action_allows("iam:*User", "iam:CreateGroup"));
}

#[test]
fn action_question_mark_matches_exactly_one_character() {
    assert!(action_allows("iam:?etUser", "iam:GetUser"));
    assert!(action_allows("iam:ListUser?", "iam:ListUsers"));
    assert!(!action_allows("iam:ListUser?", "iam:ListUser"));
    assert!(!action_allows("iam:ListUser?", "iam:ListUsersX"));
}

#[test]
fn action_prefix_does_not_leak_across_services() {
    assert!(!action_allows("iam:Get*", "iamx:GetUser"));
    assert!(!action_allows("iam:Get*", "xiam:GetUser"));
}

#[test]
fn any_action_in_the_list_is_enough() {
    let el = r#""Action": ["iam:ListUsers", "iam:GetUser"]"#;
    assert!(allows(el, r#""Resource": "*""#, "iam:GetUser", USER));
    assert!(!allows(el, r#""Resource": "*""#, "iam:DeleteUser", USER));
}

#[test]
fn not_action_matches_every_action_except_those_listed() {
    let el = r#""NotAction": "iam:DeleteUser""#;
    assert!(allows(el, r#""Resource": "*""#, "iam:GetUser", USER));
    assert!(allows(el, r#""Resource": "*""#, "s3:GetObject", USER));
    assert!(!allows(el, r#""Resource": "*""#, "iam:DeleteUser", USER));
}

#[test]
fn not_action_with_wildcards_excludes_the_whole_pattern() {
    let el = r#""NotAction": ["iam:*", "sts:*"]"#;
    assert!(!allows(el, r#""Resource": "*""#, "iam:CreateUser", USER));
    assert!(!allows(el, r#""Resource": "*""#, "sts:GetCallerIdentity", USER));
    assert!(allows(el, r#""Resource": "*""#, "s3:ListBucket", USER));
}

#[test]
fn not_action_is_case_insensitive() {
    assert!(!allows(
        r#""NotAction": "IAM:DELETEUSER""#,
        r#""Resource": "*""#,
        "iam:DeleteUser",
        USER
    ));
}

#[test]
fn resource_star_matches_every_resource() {
    assert!(resource_allows("*", USER));
    assert!(resource_allows("*", "arn:aws:iam::999999999999:group/x"));
}

#[test]
fn resource_matches_exactly() {
    assert!(resource_allows(USER, USER));
    assert!(!resource_allows(USER, "arn:aws:iam::123456789012:user/alice2"));
}

#[test]
fn resource_matching_is_case_sensitive() {
    assert!(!resource_allows("arn:aws:iam::123456789012:user/Alice", USER));
}

#[test]
fn resource_star_crosses_slashes_in_paths() {
    assert!(resource_allows(
        "arn:aws:iam::123456789012:user/*",
        "arn:aws:iam::123456789012:user/dev/team/alice"
    ));
}

#[test]
fn resource_star_in_account_part_matches_any_account() {
    assert!(resource_allows("arn:aws:iam::*:user/alice", USER));
    assert!(!resource_allows(
        "arn:aws:iam::*:user/alice",
        "arn:aws:iam::123456789012:user/bob"
    ));
}

#[test]
fn resource_question_mark_matches_one_character() {
    assert!(resource_allows("arn:aws:iam::123456789012:user/alic?", USER));
    assert!(!resource_allows("arn:aws:iam::123456789012:user/ali?", USER));
}

#[test]
fn resource_path_prefix_limits_to_the_path() {
    let p = "arn:aws:iam::123456789012:user/dev/*";
    assert!(resource_allows(p, "arn:aws:iam::123456789012:user/dev/x"));
    assert!(!resource_allows(p, "arn:aws:iam::123456789012:user/ops/y"));
}

#[test]
fn resource_trailing_star_after_the_service_matches_everything_in_it() {
    assert!(resource_allows("arn:aws:iam::*", USER));
}

#[test]
fn any_resource_in_the_list_is_enough() {
    let el = r#""Resource": ["arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/alice"]"#;
    assert!(allows(r#""Action": "iam:GetUser""#, el, "iam:GetUser", USER));
}

#[test]
fn not_resource_matches_every_resource_except_those_listed() {
    let el = r#""NotResource": "arn:aws:iam::123456789012:user/admin""#;
    assert!(allows(r#""Action": "iam:GetUser""#, el, "iam:GetUser", USER));
    assert!(!allows(
        r#""Action": "iam:GetUser""#,
        el,
        "iam:GetUser",
        "arn:aws:iam::123456789012:user/admin"
    ));
}

#[test]
fn not_resource_with_wildcards_excludes_the_pattern() {
    let el = r#""NotResource": "arn:aws:iam::123456789012:user/admins/*""#;
    assert!(!allows(
        r#""Action": "iam:GetUser""#,
        el,
        "iam:GetUser",
        "arn:aws:iam::123456789012:user/admins/root2"
    ));
    assert!(allows(r#""Action": "iam:GetUser""#, el, "iam:GetUser", USER));
}

#[test]
fn deny_with_not_action_and_not_resource_combine() {
    let p = doc(r#"[{"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "iam:Get*", "NotResource": "arn:aws:iam::*:user/public/*"}]"#);
    let ctx = Context::new();
    assert_eq!(
        decide(&[&p], "iam:DeleteUser", USER, &ctx),
        Decision::ExplicitDeny
    );
    assert_eq!(decide(&[&p], "iam:GetUser", USER, &ctx), Decision::Allowed);
    assert_eq!(
        decide(&[&p], "iam:DeleteUser", "arn:aws:iam::1:user/public/x", &ctx),
        Decision::Allowed
    );
}

#[test]
fn action_match_alone_is_not_enough_without_the_resource() {
    assert!(!allows(
        r#""Action": "iam:*""#,
        r#""Resource": "arn:aws:iam::123456789012:group/*""#,
        "iam:GetUser",
        USER
    ));
}
