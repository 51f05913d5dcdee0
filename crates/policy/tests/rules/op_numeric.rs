//! Numeric condition operators (IAM reference, "Numeric condition operators").

use gatehouse_policy::Context;

use crate::{cond, condition_allows, condition_denies};

const AGE: &str = "aws:MultiFactorAuthAge";

cond!(numeric_equals_matches_equal_numbers, r#"{"NumericEquals": {"aws:MultiFactorAuthAge": "10"}}"#, {AGE => 10i64}, true);
cond!(numeric_equals_compares_numbers_not_text, r#"{"NumericEquals": {"aws:MultiFactorAuthAge": "10.0"}}"#, {AGE => "10"}, true);
cond!(numeric_equals_different_numbers_are_false, r#"{"NumericEquals": {"aws:MultiFactorAuthAge": "10"}}"#, {AGE => 11i64}, false);
cond!(numeric_not_equals_true_for_different, r#"{"NumericNotEquals": {"aws:MultiFactorAuthAge": "10"}}"#, {AGE => 11i64}, true);
cond!(numeric_not_equals_false_for_equal, r#"{"NumericNotEquals": {"aws:MultiFactorAuthAge": "10"}}"#, {AGE => 10i64}, false);
cond!(numeric_less_than_is_strict, r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3600i64}, false);
cond!(numeric_less_than_true_below, r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3599i64}, true);
cond!(numeric_less_than_equals_includes_equal, r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3600i64}, true);
cond!(numeric_less_than_equals_false_above, r#"{"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3601i64}, false);
cond!(numeric_greater_than_is_strict, r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3600i64}, false);
cond!(numeric_greater_than_true_above, r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3601i64}, true);
cond!(numeric_greater_than_equals_includes_equal, r#"{"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3600i64}, true);
cond!(numeric_greater_than_equals_false_below, r#"{"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 3599i64}, false);
cond!(numeric_values_may_be_json_numbers, r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}"#, {AGE => 10i64}, true);
cond!(numeric_decimals_compare, r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "1.5"}}"#, {AGE => 1.25f64}, true);
cond!(numeric_negative_numbers_compare, r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "-5"}}"#, {AGE => 0i64}, true);
cond!(numeric_values_of_one_key_are_ored, r#"{"NumericEquals": {"aws:MultiFactorAuthAge": ["1", "2", "3"]}}"#, {AGE => 2i64}, true);
cond!(
    numeric_missing_key_is_false,
    r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#,
    {},
    false
);
cond!(
    numeric_not_equals_missing_key_is_true,
    r#"{"NumericNotEquals": {"aws:MultiFactorAuthAge": "3600"}}"#,
    {},
    true
);
cond!(
    numeric_less_than_if_exists_missing_key_is_true,
    r#"{"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}"#,
    {},
    true
);
cond!(numeric_less_than_if_exists_present_key_is_compared, r#"{"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => 7200i64}, false);
cond!(numeric_unreadable_context_value_fails_closed_for_allow, r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}"#, {AGE => "soon"}, false);

#[test]
fn numeric_unreadable_context_value_fails_closed_for_deny() {
    assert!(condition_denies(
        r#"{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}"#,
        &Context::new().with(AGE, "soon")
    ));
}

#[test]
fn numeric_unreadable_policy_value_fails_closed() {
    // Such a document is rejected by validation; if it were evaluated, Allow never applies...
    assert!(!condition_allows(
        r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}}"#,
        &Context::new().with(AGE, 1i64)
    ));
    // ...and Deny always does.
    assert!(condition_denies(
        r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}}"#,
        &Context::new().with(AGE, 1i64)
    ));
}
