//! ARN condition operators (IAM reference, "Amazon Resource Name (ARN) condition operators"): each
//! of the six colon-delimited parts is matched separately, case-sensitively, with wildcards.

use crate::cond;

const ARN: &str = "aws:PrincipalArn";

cond!(arn_equals_matches_the_same_arn, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"}}"#, {ARN => "arn:aws:iam::123456789012:user/alice"}, true);
cond!(arn_equals_is_case_sensitive, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/Alice"}}"#, {ARN => "arn:aws:iam::123456789012:user/alice"}, false);
cond!(arn_like_wildcard_in_the_resource_part, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/*"}}"#, {ARN => "arn:aws:iam::123456789012:user/dev/alice"}, true);
cond!(arn_like_wildcard_in_the_account_part, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/alice"}}"#, {ARN => "arn:aws:iam::999999999999:user/alice"}, true);
cond!(arn_like_wildcard_does_not_cross_a_colon, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1*2:user/alice"}}"#, {ARN => "arn:aws:iam::1:2:user/alice"}, false);
cond!(arn_like_question_mark_matches_one_character, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::12345678901?:user/alice"}}"#, {ARN => "arn:aws:iam::123456789012:user/alice"}, true);
cond!(arn_equals_also_takes_wildcards, r#"{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, {ARN => "arn:aws:iam::123456789012:user/alice"}, true);
cond!(arn_like_a_non_arn_context_value_does_not_match, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, {ARN => "alice"}, false);
cond!(arn_like_other_service_does_not_match, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#, {ARN => "arn:aws:sts::123456789012:assumed-role/r/s"}, false);
cond!(arn_not_equals_true_for_a_different_arn, r#"{"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice"}}"#, {ARN => "arn:aws:iam::123456789012:user/bob"}, true);
cond!(arn_not_like_false_when_the_pattern_matches, r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/admins/*"}}"#, {ARN => "arn:aws:iam::123456789012:user/admins/root2"}, false);
cond!(
    arn_not_like_missing_key_is_true,
    r#"{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#,
    {},
    true
);
cond!(
    arn_like_missing_key_is_false,
    r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}"#,
    {},
    false
);
cond!(
    arn_like_if_exists_missing_key_is_true,
    r#"{"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:iam::*:user/*"}}"#,
    {},
    true
);
cond!(arn_like_on_policy_arn_context_key, r#"{"ArnLike": {"iam:PolicyARN": "arn:aws:iam::aws:policy/*ReadOnly*"}}"#, {"iam:PolicyARN" => "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}, true);
cond!(arn_like_with_a_policy_variable, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}}"#, {ARN => "arn:aws:iam::123456789012:user/a", "aws:PrincipalAccount" => "123456789012"}, true);
cond!(arn_like_with_a_policy_variable_other_account, r#"{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/*"}}"#, {ARN => "arn:aws:iam::999999999999:user/a", "aws:PrincipalAccount" => "123456789012"}, false);
