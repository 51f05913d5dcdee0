//! Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"): replaced from the
//! request context under Version 2012-10-17 only; defaults `${key, 'value'}`; the escapes
//! `${*}`, `${?}`, `${$}`; an unresolvable variable matches no resource.

use gatehouse_policy::{Context, Decision};

use crate::{cond, decide, doc, user_ctx};

const OWN: &str = r#"{"Effect": "Allow", "Action": "iam:ChangePassword", "Resource": "arn:aws:iam::*:user/${aws:username}"}"#;

fn change_password(policy: &str, user_arn: &str, ctx: &Context) -> Decision {
    decide(&[policy], "iam:ChangePassword", user_arn, ctx)
}

#[test]
fn username_variable_allows_the_users_own_arn() {
    assert_eq!(
        change_password(
            &doc(OWN),
            "arn:aws:iam::123456789012:user/alice",
            &user_ctx("alice")
        ),
        Decision::Allowed
    );
}

#[test]
fn username_variable_refuses_another_users_arn() {
    assert_eq!(
        change_password(
            &doc(OWN),
            "arn:aws:iam::123456789012:user/bob",
            &user_ctx("alice")
        ),
        Decision::ImplicitDeny
    );
}

#[test]
fn unresolvable_variable_matches_no_resource() {
    assert_eq!(
        change_password(
            &doc(OWN),
            "arn:aws:iam::123456789012:user/${aws:username}",
            &Context::new()
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        change_password(&doc(OWN), "arn:aws:iam::123456789012:user/alice", &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn variables_are_literal_text_under_version_2008() {
    let old = format!(r#"{{"Version": "2008-10-17", "Statement": {OWN}}}"#);
    assert_eq!(
        change_password(&old, "arn:aws:iam::123456789012:user/alice", &user_ctx("alice")),
        Decision::ImplicitDeny
    );
    assert_eq!(
        change_password(
            &old,
            "arn:aws:iam::123456789012:user/${aws:username}",
            &user_ctx("alice")
        ),
        Decision::Allowed
    );
}

#[test]
fn variables_are_literal_text_without_a_version() {
    let none = format!(r#"{{"Statement": {OWN}}}"#);
    assert_eq!(
        change_password(&none, "arn:aws:iam::123456789012:user/alice", &user_ctx("alice")),
        Decision::ImplicitDeny
    );
}

#[test]
fn variable_names_are_case_insensitive() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${AWS:UserName}"}"#,
    );
    assert_eq!(
        decide(
            &[&p],
            "iam:GetUser",
            "arn:aws:iam::1:user/alice",
            &user_ctx("alice")
        ),
        Decision::Allowed
    );
}

#[test]
fn substituted_values_are_not_wildcards() {
    let p = doc(OWN);
    let ctx = user_ctx("*");
    assert_eq!(
        change_password(&p, "arn:aws:iam::1:user/bob", &ctx),
        Decision::ImplicitDeny
    );
    assert_eq!(
        change_password(&p, "arn:aws:iam::1:user/*", &ctx),
        Decision::Allowed
    );
}

#[test]
fn default_value_is_used_when_the_key_is_missing() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:PrincipalTag/team, 'shared'}/*"}"#,
    );
    assert_eq!(
        decide(
            &[&p],
            "iam:GetUser",
            "arn:aws:iam::1:user/shared/x",
            &Context::new()
        ),
        Decision::Allowed
    );
    let ctx = Context::new().with("aws:PrincipalTag/team", "blue");
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/blue/x", &ctx),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/shared/x", &ctx),
        Decision::ImplicitDeny
    );
}

#[test]
fn escaped_star_is_a_literal_star() {
    let p = doc(r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/a${*}b"}"#);
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/a*b", &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/axxb", &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn escaped_question_mark_is_a_literal_question_mark() {
    let p = doc(r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/a${?}"}"#);
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/a?", &Context::new()),
        Decision::Allowed
    );
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/ab", &Context::new()),
        Decision::ImplicitDeny
    );
}

#[test]
fn escaped_dollar_is_a_literal_dollar() {
    let p = doc(r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/${$}{x}"}"#);
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/${x}", &Context::new()),
        Decision::Allowed
    );
}

#[test]
fn multivalued_keys_cannot_be_variables() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/${aws:TagKeys}"}"#,
    );
    let ctx = Context::new().with("aws:TagKeys", ["a"]);
    assert_eq!(
        decide(&[&p], "iam:GetUser", "arn:aws:iam::1:user/a", &ctx),
        Decision::ImplicitDeny
    );
}

#[test]
fn userid_variable_works_like_username() {
    let p = doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/${aws:userid}"}"#,
    );
    assert_eq!(
        decide(
            &[&p],
            "iam:GetUser",
            "arn:aws:iam::1:user/AIDAEXAMPLEUSERID0001",
            &user_ctx("x")
        ),
        Decision::Allowed
    );
}

#[test]
fn not_resource_with_an_unresolvable_variable_fails_closed() {
    // Allow: the statement cannot say what it excludes, so it does not apply.
    let allow = doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::1:user/${aws:username}"}"#,
    );
    assert_eq!(
        decide(
            &[&allow],
            "iam:GetUser",
            "arn:aws:iam::1:user/bob",
            &Context::new()
        ),
        Decision::ImplicitDeny
    );
    // Deny: it applies.
    let deny = doc(r#"[{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::1:user/${aws:username}"}]"#);
    assert_eq!(
        decide(
            &[&deny],
            "iam:GetUser",
            "arn:aws:iam::1:user/bob",
            &Context::new()
        ),
        Decision::ExplicitDeny
    );
    assert_eq!(
        decide(
            &[&deny],
            "iam:GetUser",
            "arn:aws:iam::1:user/bob",
            &user_ctx("bob")
        ),
        Decision::Allowed
    );
}

cond!(variable_in_a_condition_value_is_replaced, r#"{"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}"#, {"aws:username" => "alice", "aws:PrincipalTag/owner" => "alice"}, true);
cond!(variable_in_a_condition_value_other_value_is_false, r#"{"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}"#, {"aws:username" => "alice", "aws:PrincipalTag/owner" => "bob"}, false);
cond!(unresolved_variable_in_a_condition_value_matches_nothing, r#"{"StringEquals": {"aws:PrincipalTag/owner": "${aws:username}"}}"#, {"aws:PrincipalTag/owner" => "${aws:username}"}, false);
cond!(variable_in_string_like_keeps_the_wildcards_around_it, r#"{"StringLike": {"aws:UserAgent": "${aws:username}-*"}}"#, {"aws:username" => "alice", "aws:UserAgent" => "alice-laptop"}, true);
cond!(variable_default_in_a_condition_value, r#"{"StringEquals": {"aws:PrincipalTag/team": "${aws:RequestTag/team, 'none'}"}}"#, {"aws:PrincipalTag/team" => "none"}, true);
cond!(principal_tag_variable_in_condition, r#"{"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}"#, {"aws:PrincipalTag/team" => "blue", "aws:ResourceTag/team" => "blue"}, true);
cond!(current_time_can_be_a_variable, r#"{"StringLike": {"aws:UserAgent": "*${aws:CurrentTime}*"}}"#, {"aws:CurrentTime" => "2026-01-01T00:00:00Z", "aws:UserAgent" => "x 2026-01-01T00:00:00Z y"}, true);
