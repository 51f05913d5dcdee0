//! String condition operators (IAM reference, "String condition operators"), their IfExists forms,
//! and the general condition rules: keys are case-insensitive, values of one key are ORed, keys and
//! operators are ANDed, a missing key makes positive operators false and negated ones true.

use gatehouse_policy::Context;

use crate::{cond, condition_allows, condition_denies};

cond!(string_equals_matches_the_exact_value, r#"{"StringEquals": {"aws:username": "john"}}"#, {"aws:username" => "john"}, true);
cond!(string_equals_is_case_sensitive, r#"{"StringEquals": {"aws:username": "john"}}"#, {"aws:username" => "John"}, false);
cond!(string_equals_values_of_one_key_are_ored, r#"{"StringEquals": {"aws:username": ["ann", "john"]}}"#, {"aws:username" => "john"}, true);
cond!(string_equals_no_value_matching_is_false, r#"{"StringEquals": {"aws:username": ["ann", "bob"]}}"#, {"aws:username" => "john"}, false);
cond!(
    string_equals_missing_key_is_false,
    r#"{"StringEquals": {"aws:username": "john"}}"#,
    {},
    false
);
cond!(string_equals_treats_star_literally, r#"{"StringEquals": {"aws:username": "jo*"}}"#, {"aws:username" => "john"}, false);
cond!(string_equals_literal_star_matches_a_literal_star, r#"{"StringEquals": {"aws:username": "jo*"}}"#, {"aws:username" => "jo*"}, true);
cond!(string_not_equals_true_when_different, r#"{"StringNotEquals": {"aws:username": "john"}}"#, {"aws:username" => "ann"}, true);
cond!(string_not_equals_false_when_equal, r#"{"StringNotEquals": {"aws:username": "john"}}"#, {"aws:username" => "john"}, false);
cond!(string_not_equals_must_match_none_of_the_values, r#"{"StringNotEquals": {"aws:username": ["ann", "john"]}}"#, {"aws:username" => "john"}, false);
cond!(
    string_not_equals_missing_key_is_true,
    r#"{"StringNotEquals": {"aws:username": "john"}}"#,
    {},
    true
);
cond!(string_not_equals_is_case_sensitive, r#"{"StringNotEquals": {"aws:username": "john"}}"#, {"aws:username" => "JOHN"}, true);
cond!(string_equals_ignore_case_ignores_case, r#"{"StringEqualsIgnoreCase": {"aws:username": "john"}}"#, {"aws:username" => "JoHn"}, true);
cond!(string_equals_ignore_case_policy_side_case_too, r#"{"StringEqualsIgnoreCase": {"aws:username": "JOHN"}}"#, {"aws:username" => "john"}, true);
cond!(string_equals_ignore_case_still_needs_equal_text, r#"{"StringEqualsIgnoreCase": {"aws:username": "john"}}"#, {"aws:username" => "johnny"}, false);
cond!(string_not_equals_ignore_case_false_for_case_variant, r#"{"StringNotEqualsIgnoreCase": {"aws:username": "john"}}"#, {"aws:username" => "JOHN"}, false);
cond!(string_not_equals_ignore_case_true_for_other, r#"{"StringNotEqualsIgnoreCase": {"aws:username": "john"}}"#, {"aws:username" => "ann"}, true);
cond!(string_like_star_matches_any_run, r#"{"StringLike": {"aws:username": "dev-*"}}"#, {"aws:username" => "dev-alice"}, true);
cond!(string_like_star_matches_empty_run, r#"{"StringLike": {"aws:username": "dev-*"}}"#, {"aws:username" => "dev-"}, true);
cond!(string_like_question_mark_matches_one_character, r#"{"StringLike": {"aws:username": "user?"}}"#, {"aws:username" => "user1"}, true);
cond!(string_like_question_mark_needs_a_character, r#"{"StringLike": {"aws:username": "user?"}}"#, {"aws:username" => "user"}, false);
cond!(string_like_is_case_sensitive, r#"{"StringLike": {"aws:username": "dev-*"}}"#, {"aws:username" => "DEV-alice"}, false);
cond!(string_like_without_wildcards_is_exact, r#"{"StringLike": {"aws:username": "dev"}}"#, {"aws:username" => "dev2"}, false);
cond!(string_like_star_in_the_middle, r#"{"StringLike": {"aws:UserAgent": "aws-cli/*Python*"}}"#, {"aws:UserAgent" => "aws-cli/2.15 Python/3.11"}, true);
cond!(
    string_like_missing_key_is_false,
    r#"{"StringLike": {"aws:username": "*"}}"#,
    {},
    false
);
cond!(string_not_like_true_when_no_pattern_matches, r#"{"StringNotLike": {"aws:username": ["admin*", "root*"]}}"#, {"aws:username" => "alice"}, true);
cond!(string_not_like_false_when_a_pattern_matches, r#"{"StringNotLike": {"aws:username": ["admin*", "root*"]}}"#, {"aws:username" => "admin-bob"}, false);
cond!(
    string_not_like_missing_key_is_true,
    r#"{"StringNotLike": {"aws:username": "admin*"}}"#,
    {},
    true
);
cond!(
    string_equals_if_exists_missing_key_is_true,
    r#"{"StringEqualsIfExists": {"aws:username": "john"}}"#,
    {},
    true
);
cond!(string_equals_if_exists_present_key_is_compared, r#"{"StringEqualsIfExists": {"aws:username": "john"}}"#, {"aws:username" => "ann"}, false);
cond!(
    string_not_equals_if_exists_missing_key_is_true,
    r#"{"StringNotEqualsIfExists": {"aws:username": "john"}}"#,
    {},
    true
);
cond!(
    string_like_if_exists_missing_key_is_true,
    r#"{"StringLikeIfExists": {"aws:username": "a*"}}"#,
    {},
    true
);
cond!(string_like_if_exists_present_key_is_compared, r#"{"StringLikeIfExists": {"aws:username": "a*"}}"#, {"aws:username" => "bob"}, false);
cond!(condition_key_names_are_case_insensitive_in_the_policy, r#"{"StringEquals": {"AWS:USERNAME": "john"}}"#, {"aws:username" => "john"}, true);
cond!(condition_key_names_are_case_insensitive_in_the_context, r#"{"StringEquals": {"aws:username": "john"}}"#, {"Aws:UserName" => "john"}, true);
cond!(operator_names_are_matched_ignoring_case, r#"{"stringequals": {"aws:username": "john"}}"#, {"aws:username" => "john"}, true);
cond!(keys_of_one_operator_are_anded, r#"{"StringEquals": {"aws:username": "john", "aws:PrincipalType": "User"}}"#, {"aws:username" => "john", "aws:PrincipalType" => "AssumedRole"}, false);
cond!(keys_of_one_operator_all_true_is_true, r#"{"StringEquals": {"aws:username": "john", "aws:PrincipalType": "User"}}"#, {"aws:username" => "john", "aws:PrincipalType" => "User"}, true);
cond!(operators_are_anded, r#"{"StringEquals": {"aws:username": "john"}, "Bool": {"aws:SecureTransport": "true"}}"#, {"aws:username" => "john", "aws:SecureTransport" => false}, false);
cond!(operators_all_true_is_true, r#"{"StringEquals": {"aws:username": "john"}, "Bool": {"aws:SecureTransport": "true"}}"#, {"aws:username" => "john", "aws:SecureTransport" => true}, true);
cond!(empty_condition_block_is_always_true, r#"{}"#, {}, true);
cond!(numbers_as_string_condition_values_are_compared_as_text, r#"{"StringEquals": {"aws:PrincipalAccount": 123456789012}}"#, {"aws:PrincipalAccount" => "123456789012"}, true);
cond!(string_equals_on_a_tag_key, r#"{"StringEquals": {"aws:PrincipalTag/team": "blue"}}"#, {"aws:PrincipalTag/team" => "blue"}, true);
cond!(string_equals_on_a_multivalued_key_without_qualifier_matches_any_value, r#"{"StringEquals": {"aws:TagKeys": "env"}}"#, {"aws:TagKeys" => ["team", "env"]}, true);
cond!(string_not_equals_on_a_multivalued_key_needs_every_value_to_differ, r#"{"StringNotEquals": {"aws:TagKeys": "env"}}"#, {"aws:TagKeys" => ["team", "env"]}, false);

#[test]
fn string_not_equals_in_a_deny_applies_to_requests_without_the_key() {
    // The documented consequence of "a missing key makes negated operators true".
    let c = r#"{"StringNotEquals": {"aws:PrincipalTag/department": "finance"}}"#;
    assert!(condition_denies(c, &Context::new()));
    assert!(!condition_denies(
        c,
        &Context::new().with("aws:PrincipalTag/department", "finance")
    ));
}

#[test]
fn string_not_equals_if_exists_in_a_deny_still_applies_without_the_key() {
    // IfExists makes the condition true on a missing key, so the Deny applies.
    let c = r#"{"StringNotEqualsIfExists": {"aws:PrincipalTag/department": "finance"}}"#;
    assert!(condition_denies(c, &Context::new()));
    assert!(condition_denies(
        c,
        &Context::new().with("aws:PrincipalTag/department", "sales")
    ));
    assert!(!condition_denies(
        c,
        &Context::new().with("aws:PrincipalTag/department", "finance")
    ));
}

#[test]
fn string_equals_if_exists_in_a_deny_applies_without_the_key() {
    let c = r#"{"StringEqualsIfExists": {"aws:PrincipalTag/department": "contractors"}}"#;
    assert!(condition_denies(c, &Context::new()));
    assert!(!condition_denies(
        c,
        &Context::new().with("aws:PrincipalTag/department", "finance")
    ));
}

#[test]
fn string_values_with_unicode_compare_exactly() {
    assert!(condition_allows(
        r#"{"StringEquals": {"aws:username": "jos\u00e9"}}"#,
        &Context::new().with("aws:username", "jos\u{e9}")
    ));
    assert!(condition_allows(
        r#"{"StringEqualsIgnoreCase": {"aws:username": "JOS\u00c9"}}"#,
        &Context::new().with("aws:username", "jos\u{e9}")
    ));
}
