//! Bool, BinaryEquals and Null condition operators (IAM reference), with the documented
//! `aws:MultiFactorAuthPresent` trap (the key is absent for access-key requests).

use gatehouse_policy::Context;

use crate::{cond, condition_denies};

const MFA: &str = "aws:MultiFactorAuthPresent";

cond!(bool_true_matches_true, r#"{"Bool": {"aws:SecureTransport": "true"}}"#, {"aws:SecureTransport" => true}, true);
cond!(bool_true_does_not_match_false, r#"{"Bool": {"aws:SecureTransport": "true"}}"#, {"aws:SecureTransport" => false}, false);
cond!(bool_false_matches_false, r#"{"Bool": {"aws:SecureTransport": "false"}}"#, {"aws:SecureTransport" => false}, true);
cond!(bool_policy_value_may_be_a_json_boolean, r#"{"Bool": {"aws:SecureTransport": true}}"#, {"aws:SecureTransport" => true}, true);
cond!(bool_values_are_case_insensitive, r#"{"Bool": {"aws:SecureTransport": "TRUE"}}"#, {"aws:SecureTransport" => "True"}, true);
cond!(
    bool_missing_key_is_false,
    r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#,
    {},
    false
);
cond!(
    bool_false_missing_key_is_also_false,
    r#"{"Bool": {"aws:MultiFactorAuthPresent": "false"}}"#,
    {},
    false
);
cond!(
    bool_if_exists_missing_key_is_true,
    r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}"#,
    {},
    true
);
cond!(bool_if_exists_present_key_is_compared, r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}"#, {MFA => true}, false);
cond!(bool_unreadable_context_value_fails_closed, r#"{"Bool": {"aws:SecureTransport": "true"}}"#, {"aws:SecureTransport" => "yes"}, false);
cond!(binary_equals_compares_decoded_bytes, r#"{"BinaryEquals": {"aws:UserAgent": "QmluYXJ5VmFsdWU="}}"#, {"aws:UserAgent" => "QmluYXJ5VmFsdWU="}, true);
cond!(binary_equals_different_bytes_are_false, r#"{"BinaryEquals": {"aws:UserAgent": "QmluYXJ5VmFsdWU="}}"#, {"aws:UserAgent" => "T3RoZXI="}, false);
cond!(
    binary_equals_missing_key_is_false,
    r#"{"BinaryEquals": {"aws:UserAgent": "QmluYXJ5VmFsdWU="}}"#,
    {},
    false
);
cond!(
    binary_equals_if_exists_missing_key_is_true,
    r#"{"BinaryEqualsIfExists": {"aws:UserAgent": "QmluYXJ5VmFsdWU="}}"#,
    {},
    true
);
cond!(
    null_true_means_the_key_is_absent,
    r#"{"Null": {"aws:TokenIssueTime": "true"}}"#,
    {},
    true
);
cond!(null_true_false_when_the_key_is_present, r#"{"Null": {"aws:TokenIssueTime": "true"}}"#, {"aws:TokenIssueTime" => "2026-01-01T00:00:00Z"}, false);
cond!(null_false_means_the_key_is_present, r#"{"Null": {"aws:TokenIssueTime": "false"}}"#, {"aws:TokenIssueTime" => "2026-01-01T00:00:00Z"}, true);
cond!(
    null_false_false_when_the_key_is_absent,
    r#"{"Null": {"aws:TokenIssueTime": "false"}}"#,
    {},
    false
);
cond!(null_treats_an_empty_list_as_absent, r#"{"Null": {"aws:TagKeys": "true"}}"#, {"aws:TagKeys" => Vec::<String>::new()}, true);
cond!(
    null_policy_value_may_be_a_json_boolean,
    r#"{"Null": {"aws:TokenIssueTime": true}}"#,
    {},
    true
);

#[test]
fn deny_unless_mfa_with_bool_does_not_stop_access_key_requests() {
    // The trap the IAM User Guide warns about: Bool "false" does not match a missing key.
    let c = r#"{"Bool": {"aws:MultiFactorAuthPresent": "false"}}"#;
    assert!(
        condition_denies(c, &Context::new().with(MFA, false)),
        "console without MFA is denied"
    );
    assert!(
        !condition_denies(c, &Context::new()),
        "access keys (key absent) slip through"
    );
}

#[test]
fn deny_unless_mfa_with_bool_if_exists_stops_both() {
    let c = r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}"#;
    assert!(condition_denies(c, &Context::new().with(MFA, false)));
    assert!(condition_denies(c, &Context::new()));
    assert!(!condition_denies(c, &Context::new().with(MFA, true)));
}
