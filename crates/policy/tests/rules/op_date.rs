//! Date condition operators (IAM reference, "Date condition operators"): ISO 8601 dates (the W3C
//! profile) or epoch seconds, compared as instants.

use gatehouse_policy::Context;

use crate::{cond, condition_allows};

const NOW: &str = "aws:CurrentTime";

cond!(date_less_than_before_the_date_is_true, r#"{"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}"#, {NOW => "2026-01-01T00:00:00Z"}, true);
cond!(date_less_than_after_the_date_is_false, r#"{"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}"#, {NOW => "2026-07-01T00:00:00Z"}, false);
cond!(date_less_than_is_strict, r#"{"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}"#, {NOW => "2026-06-30T00:00:00Z"}, false);
cond!(date_less_than_equals_includes_the_instant, r#"{"DateLessThanEquals": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}"#, {NOW => "2026-06-30T00:00:00Z"}, true);
cond!(date_greater_than_after_is_true, r#"{"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#, {NOW => "2026-01-01T00:00:01Z"}, true);
cond!(date_greater_than_is_strict, r#"{"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#, {NOW => "2026-01-01T00:00:00Z"}, false);
cond!(date_greater_than_equals_includes_the_instant, r#"{"DateGreaterThanEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#, {NOW => "2026-01-01T00:00:00Z"}, true);
cond!(date_equals_compares_instants_across_offsets, r#"{"DateEquals": {"aws:CurrentTime": "2026-01-01T01:00:00+01:00"}}"#, {NOW => "2026-01-01T00:00:00Z"}, true);
cond!(date_not_equals_true_for_other_instants, r#"{"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#, {NOW => "2026-01-02T00:00:00Z"}, true);
cond!(date_not_equals_false_for_the_same_instant, r#"{"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}"#, {NOW => "2026-01-01T00:00:00.000Z"}, false);
cond!(date_policy_value_may_be_a_plain_date, r#"{"DateLessThan": {"aws:CurrentTime": "2026-06-30"}}"#, {NOW => "2026-06-29T23:59:59Z"}, true);
cond!(date_policy_value_may_be_epoch_seconds, r#"{"DateGreaterThan": {"aws:CurrentTime": "1767225600"}}"#, {NOW => "2026-01-01T00:00:01Z"}, true);
cond!(date_context_value_may_be_epoch_seconds, r#"{"DateLessThan": {"aws:EpochTime": "2026-01-01T00:00:00Z"}}"#, {"aws:EpochTime" => 1_767_225_599i64}, true);
cond!(date_fractional_seconds_count, r#"{"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00.500Z"}}"#, {NOW => "2026-01-01T00:00:00.250Z"}, true);
cond!(
    date_missing_key_is_false,
    r#"{"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}"#,
    {},
    false
);
cond!(
    date_less_than_if_exists_missing_key_is_true,
    r#"{"DateLessThanIfExists": {"aws:TokenIssueTime": "2026-06-30T00:00:00Z"}}"#,
    {},
    true
);
cond!(date_unreadable_context_value_fails_closed, r#"{"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}"#, {NOW => "tomorrow"}, false);

#[test]
fn date_window_from_the_aws_example_allows_only_inside_the_window() {
    // "Allows access within specific dates" (IAM User Guide example policies).
    let c = r#"{"DateGreaterThan": {"aws:CurrentTime": "2026-04-01T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2026-06-30T23:59:59Z"}}"#;
    let at = |t: &str| condition_allows(c, &Context::new().with(NOW, t));
    assert!(at("2026-05-15T12:00:00Z"));
    assert!(!at("2026-03-31T23:59:59Z"));
    assert!(!at("2026-07-01T00:00:00Z"));
}
