//! Multivalued context keys and the set operators (IAM User Guide, "Set operators for
//! multivalued context keys"): ForAllValues is true when every request value matches (and on a
//! missing or empty key); ForAnyValue is true when at least one does (false on a missing key).

use gatehouse_policy::Context;

use crate::{cond, condition_allows, condition_denies};

const TAGS: &str = "aws:TagKeys";

cond!(for_all_values_every_value_allowed_is_true, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#, {TAGS => ["env", "team"]}, true);
cond!(for_all_values_subset_is_true, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#, {TAGS => ["team"]}, true);
cond!(for_all_values_one_value_outside_is_false, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#, {TAGS => ["env", "owner"]}, false);
cond!(
    for_all_values_missing_key_is_true,
    r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}"#,
    {},
    true
);
cond!(for_all_values_empty_key_is_true, r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}"#, {TAGS => Vec::<String>::new()}, true);
cond!(for_any_value_one_match_is_true, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#, {TAGS => ["owner", "env"]}, true);
cond!(for_any_value_no_match_is_false, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#, {TAGS => ["owner", "team"]}, false);
cond!(
    for_any_value_missing_key_is_false,
    r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#,
    {},
    false
);
cond!(for_any_value_empty_key_is_false, r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}"#, {TAGS => Vec::<String>::new()}, false);
cond!(
    for_any_value_if_exists_missing_key_is_true,
    r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}"#,
    {},
    true
);
cond!(for_all_values_string_like_patterns, r#"{"ForAllValues:StringLike": {"aws:TagKeys": ["cost-*", "env"]}}"#, {TAGS => ["cost-center", "env"]}, true);
cond!(for_any_value_string_like_patterns, r#"{"ForAnyValue:StringLike": {"aws:TagKeys": "cost-*"}}"#, {TAGS => ["env", "cost-center"]}, true);
cond!(for_all_values_string_not_equals_every_value_must_differ, r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#, {TAGS => ["env", "secret"]}, false);
cond!(for_all_values_string_not_equals_none_forbidden_is_true, r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#, {TAGS => ["env", "team"]}, true);
cond!(for_any_value_string_not_equals_one_differing_is_true, r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#, {TAGS => ["env", "secret"]}, true);
cond!(for_any_value_string_not_equals_all_forbidden_is_false, r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}}"#, {TAGS => ["secret"]}, false);
cond!(for_all_values_ignore_case, r#"{"ForAllValues:StringEqualsIgnoreCase": {"aws:TagKeys": ["ENV"]}}"#, {TAGS => ["env", "Env"]}, true);
cond!(for_any_value_on_a_single_valued_key_acts_on_its_value, r#"{"ForAnyValue:StringEquals": {"aws:username": ["a", "b"]}}"#, {"aws:username" => "b"}, true);
cond!(for_all_values_numeric, r#"{"ForAllValues:NumericLessThan": {"aws:TagKeys": "10"}}"#, {TAGS => ["1", "9"]}, true);
cond!(for_all_values_numeric_one_too_big, r#"{"ForAllValues:NumericLessThan": {"aws:TagKeys": "10"}}"#, {TAGS => ["1", "11"]}, false);

#[test]
fn for_all_values_in_an_allow_also_allows_requests_without_tags() {
    // The documented trap: without a Null check the Allow applies when no tags are sent.
    let c = r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#;
    assert!(condition_allows(c, &Context::new()));
    let guarded = r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}, "Null": {"aws:TagKeys": "false"}}"#;
    assert!(!condition_allows(guarded, &Context::new()));
    assert!(condition_allows(guarded, &Context::new().with(TAGS, ["env"])));
}

#[test]
fn for_any_value_in_a_deny_denies_when_any_forbidden_tag_is_sent() {
    let c = r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["secret", "owner"]}}"#;
    assert!(condition_denies(c, &Context::new().with(TAGS, ["env", "owner"])));
    assert!(!condition_denies(c, &Context::new().with(TAGS, ["env"])));
    assert!(!condition_denies(c, &Context::new()));
}
