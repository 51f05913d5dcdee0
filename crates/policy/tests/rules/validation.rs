//! Validation findings in Access Analyzer's four kinds: errors, security warnings, warnings and
//! suggestions, each with a clear message and its JSON location.

use gatehouse_policy::FindingKind;

use crate::{codes, doc, find, findings, has_errors};

fn allow(action: &str, resource: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "Allow", "Action": {action}, "Resource": {resource}}}"#
    ))
}

fn with_condition(effect: &str, condition: &str) -> String {
    doc(&format!(
        r#"{{"Effect": "{effect}", "Action": "iam:GetUser", "Resource": "*", "Condition": {condition}}}"#
    ))
}

#[test]
fn a_clean_policy_has_no_findings() {
    assert!(findings(&allow(
        r#"["iam:GetUser", "iam:ListUsers"]"#,
        r#""arn:aws:iam::123456789012:user/*""#
    ))
    .is_empty());
}

#[test]
fn action_without_service_prefix_is_an_error() {
    let fs = findings(&allow(r#""CreateUser""#, r#""*""#));
    let f = find(&fs, "INVALID_ACTION");
    assert_eq!(f.kind, FindingKind::Error);
    assert!(f.message.contains("service:ActionName"));
}

#[test]
fn wildcard_in_service_prefix_is_an_error() {
    assert!(
        find(&findings(&allow(r#""i*:GetUser""#, r#""*""#)), "INVALID_ACTION")
            .message
            .contains("wildcards")
    );
}

#[test]
fn action_name_with_invalid_characters_is_an_error() {
    assert!(codes(&allow(r#""iam:Get User""#, r#""*""#)).contains(&"INVALID_ACTION"));
}

#[test]
fn unknown_iam_action_is_an_error_with_a_suggestion() {
    let fs = findings(&allow(r#""iam:CreatUser""#, r#""*""#));
    let f = find(&fs, "UNKNOWN_ACTION");
    assert_eq!(f.kind, FindingKind::Error);
    assert!(f.message.contains("did you mean iam:CreateUser"), "{}", f.message);
}

#[test]
fn unknown_sts_action_is_an_error() {
    assert!(codes(&allow(r#""sts:GetCallerIdentityX""#, r#""*""#)).contains(&"UNKNOWN_ACTION"));
}

#[test]
fn a_wildcard_that_matches_no_iam_action_is_an_error() {
    assert!(codes(&allow(r#""iam:Frobnicate*""#, r#""*""#)).contains(&"UNKNOWN_ACTION"));
}

#[test]
fn iam_action_names_are_matched_ignoring_case() {
    assert!(!has_errors(&allow(r#"["IAM:createuser", "iam:get*"]"#, r#""*""#)));
}

#[test]
fn actions_of_services_without_a_catalog_are_not_checked() {
    assert!(!has_errors(&allow(
        r#"["s3:GetObject", "ec2:DescribeInstances"]"#,
        r#""*""#
    )));
}

#[test]
fn unknown_action_location_points_at_the_list_item() {
    let fs = findings(&allow(r#"["iam:GetUser", "iam:Nope"]"#, r#""*""#));
    assert_eq!(find(&fs, "UNKNOWN_ACTION").path, "Statement.Action[1]");
}

#[test]
fn resource_that_is_not_an_arn_is_an_error() {
    let fs = findings(&allow(r#""iam:GetUser""#, r#""user/alice""#));
    let f = find(&fs, "INVALID_ARN");
    assert_eq!(f.path, "Statement.Resource");
    assert!(f
        .message
        .contains("arn:partition:service:region:account:resource"));
}

#[test]
fn resource_arn_with_too_few_parts_is_an_error() {
    assert!(codes(&allow(r#""iam:GetUser""#, r#""arn:aws:iam::user/alice""#)).contains(&"INVALID_ARN"));
}

#[test]
fn resource_arn_may_use_wildcards_in_any_part() {
    assert!(!has_errors(&allow(
        r#""iam:GetUser""#,
        r#""arn:*:iam::*:user/*""#
    )));
}

#[test]
fn resource_arn_may_contain_a_variable_with_a_colon() {
    assert!(!has_errors(&allow(
        r#""iam:GetUser""#,
        r#""arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}""#
    )));
}

#[test]
fn unknown_condition_operator_is_an_error_with_a_suggestion() {
    let fs = findings(&with_condition(
        "Allow",
        r#"{"StringEqual": {"aws:username": "a"}}"#,
    ));
    let f = find(&fs, "UNKNOWN_OPERATOR");
    assert!(f.message.contains("did you mean StringEquals"), "{}", f.message);
    assert_eq!(f.path, "Statement.Condition.StringEqual");
}

#[test]
fn unknown_set_qualifier_is_an_error() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}}"#
    ))
    .contains(&"UNKNOWN_OPERATOR"));
}

#[test]
fn null_with_if_exists_is_an_error() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"NullIfExists": {"aws:username": "true"}}"#
    ))
    .contains(&"UNKNOWN_OPERATOR"));
}

#[test]
fn condition_key_without_prefix_is_an_error() {
    assert!(
        codes(&with_condition("Allow", r#"{"StringEquals": {"username": "a"}}"#))
            .contains(&"INVALID_CONDITION_KEY")
    );
}

#[test]
fn unknown_global_condition_key_is_an_error_with_a_suggestion() {
    let fs = findings(&with_condition(
        "Allow",
        r#"{"StringEquals": {"aws:usrname": "a"}}"#,
    ));
    assert!(find(&fs, "UNKNOWN_GLOBAL_CONDITION_KEY")
        .message
        .contains("aws:username"));
}

#[test]
fn global_tag_keys_take_any_tag_name() {
    assert!(!has_errors(&with_condition(
        "Allow",
        r#"{"StringEquals": {"aws:PrincipalTag/team": "a", "aws:ResourceTag/cost-center": "b"}}"#
    )));
}

#[test]
fn service_condition_keys_are_accepted() {
    assert!(!has_errors(&with_condition(
        "Allow",
        r#"{"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}}"#
    )));
}

#[test]
fn numeric_operator_value_must_be_a_number() {
    let f = find(
        &findings(&with_condition(
            "Allow",
            r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"}}"#,
        )),
        "INVALID_VALUE",
    )
    .clone();
    assert!(f.message.contains("is not a number"));
    assert_eq!(
        f.path,
        "Statement.Condition.NumericLessThan.aws:MultiFactorAuthAge"
    );
}

#[test]
fn date_operator_value_must_be_a_date() {
    assert!(find(
        &findings(&with_condition(
            "Allow",
            r#"{"DateLessThan": {"aws:CurrentTime": "2026-13-01"}}"#
        )),
        "INVALID_VALUE"
    )
    .message
    .contains("ISO 8601"));
}

#[test]
fn bool_operator_value_must_be_true_or_false() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"Bool": {"aws:SecureTransport": "yes"}}"#
    ))
    .contains(&"INVALID_VALUE"));
}

#[test]
fn ip_operator_value_must_be_an_address_or_cidr() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}"#
    ))
    .contains(&"INVALID_VALUE"));
}

#[test]
fn binary_operator_value_must_be_base64() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"BinaryEquals": {"aws:UserAgent": "%%%"}}"#
    ))
    .contains(&"INVALID_VALUE"));
}

#[test]
fn null_operator_value_must_be_true_or_false() {
    assert!(
        codes(&with_condition("Allow", r#"{"Null": {"aws:username": "maybe"}}"#)).contains(&"INVALID_VALUE")
    );
}

#[test]
fn arn_operator_value_must_be_an_arn() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"ArnLike": {"aws:PrincipalArn": "user/alice"}}"#
    ))
    .contains(&"INVALID_VALUE"));
}

#[test]
fn variables_in_numeric_values_are_an_error() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:EpochTime}"}}"#
    ))
    .contains(&"INVALID_VALUE"));
}

#[test]
fn variables_under_version_2008_are_a_warning() {
    let text = r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}}"#;
    let fs = findings(text);
    let f = find(&fs, "VARIABLE_IN_OLD_VERSION");
    assert_eq!(f.kind, FindingKind::Warning);
    assert!(codes(text).contains(&"OLD_VERSION"));
}

#[test]
fn variables_without_version_are_a_warning() {
    let text = r#"{"Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}}"#;
    let c = codes(text);
    assert!(
        c.contains(&"VARIABLE_IN_OLD_VERSION") && c.contains(&"MISSING_VERSION"),
        "{c:?}"
    );
}

#[test]
fn ill_formed_variable_is_an_error() {
    assert!(codes(&allow(
        r#""iam:GetUser""#,
        r#""arn:aws:iam::*:user/${aws:username""#
    ))
    .contains(&"INVALID_VARIABLE"));
}

#[test]
fn missing_version_is_a_warning() {
    let f = find(
        &findings(r#"{"Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}"#),
        "MISSING_VERSION",
    )
    .clone();
    assert_eq!(f.kind, FindingKind::Warning);
}

#[test]
fn sid_must_be_alphanumeric() {
    let fs = findings(&doc(
        r#"{"Sid": "allow-users", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    let f = find(&fs, "INVALID_SID");
    assert_eq!(f.kind, FindingKind::Error);
    assert_eq!(f.path, "Statement.Sid");
}

#[test]
fn sids_must_be_unique() {
    let text = doc(
        r#"[{"Sid": "A", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}, {"Sid": "A", "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]"#,
    );
    assert_eq!(find(&findings(&text), "DUPLICATE_SID").path, "Statement[1].Sid");
}

#[test]
fn wildcard_in_string_equals_is_a_warning() {
    let fs = findings(&with_condition(
        "Allow",
        r#"{"StringEquals": {"aws:username": "dev-*"}}"#,
    ));
    let f = find(&fs, "WILDCARD_IN_EXACT_OPERATOR");
    assert_eq!(f.kind, FindingKind::Warning);
    assert!(f.message.contains("StringLike"));
}

#[test]
fn wildcard_in_string_like_is_fine() {
    assert!(findings(&with_condition(
        "Allow",
        r#"{"StringLike": {"aws:username": "dev-*"}}"#
    ))
    .is_empty());
}

#[test]
fn allow_with_not_action_is_a_security_warning() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
    ));
    assert_eq!(
        find(&fs, "ALLOW_WITH_NOT_ACTION").kind,
        FindingKind::SecurityWarning
    );
}

#[test]
fn deny_with_not_action_is_fine() {
    assert!(findings(&doc(
        r#"{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}"#
    ))
    .is_empty());
}

#[test]
fn allow_with_not_resource_is_a_security_warning() {
    assert!(codes(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::*:user/admin"}"#
    ))
    .contains(&"ALLOW_WITH_NOT_RESOURCE"));
}

#[test]
fn allow_star_on_star_is_a_security_warning() {
    let fs = findings(&allow(r#""*""#, r#""*""#));
    assert_eq!(find(&fs, "FULL_ACCESS").kind, FindingKind::SecurityWarning);
}

#[test]
fn allow_star_on_star_with_a_condition_is_not_full_access() {
    assert!(!codes(&doc(r#"{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}"#)).contains(&"FULL_ACCESS"));
}

#[test]
fn pass_role_on_star_is_a_security_warning() {
    let fs = findings(&allow(r#""iam:PassRole""#, r#""*""#));
    assert_eq!(
        find(&fs, "PASS_ROLE_WITH_STAR_IN_RESOURCE").kind,
        FindingKind::SecurityWarning
    );
}

#[test]
fn pass_role_through_a_wildcard_action_on_star_is_a_security_warning() {
    assert!(codes(&allow(r#""iam:Pass*""#, r#""*""#)).contains(&"PASS_ROLE_WITH_STAR_IN_RESOURCE"));
}

#[test]
fn pass_role_on_named_roles_is_fine() {
    assert!(findings(&allow(
        r#""iam:PassRole""#,
        r#""arn:aws:iam::123456789012:role/app""#
    ))
    .is_empty());
}

#[test]
fn for_all_values_with_allow_is_a_security_warning() {
    let fs = findings(&with_condition(
        "Allow",
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}"#,
    ));
    let f = find(&fs, "FOR_ALL_VALUES_WITH_ALLOW");
    assert_eq!(f.kind, FindingKind::SecurityWarning);
    assert!(f.message.contains("missing or empty"));
}

#[test]
fn for_all_values_with_deny_is_fine() {
    assert!(!codes(&with_condition(
        "Deny",
        r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}"#
    ))
    .contains(&"FOR_ALL_VALUES_WITH_ALLOW"));
}

#[test]
fn multivalued_key_without_set_operator_is_a_warning() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"StringEquals": {"aws:TagKeys": "env"}}"#
    ))
    .contains(&"MISSING_SET_OPERATOR"));
}

#[test]
fn set_operator_on_single_valued_key_is_a_warning() {
    assert!(codes(&with_condition(
        "Allow",
        r#"{"ForAnyValue:StringEquals": {"aws:username": "a"}}"#
    ))
    .contains(&"SET_OPERATOR_ON_SINGLE_VALUED_KEY"));
}

#[test]
fn operator_of_the_wrong_type_for_a_global_key_is_a_warning() {
    let fs = findings(&with_condition(
        "Allow",
        r#"{"StringEquals": {"aws:CurrentTime": "2026-01-01"}}"#,
    ));
    assert!(find(&fs, "MISMATCHED_TYPE").message.contains("Date"));
}

#[test]
fn bool_false_on_mfa_present_in_a_deny_is_the_documented_trap() {
    let fs = findings(&with_condition(
        "Deny",
        r#"{"Bool": {"aws:MultiFactorAuthPresent": "false"}}"#,
    ));
    assert!(find(&fs, "MFA_BOOL_WITHOUT_IF_EXISTS")
        .message
        .contains("BoolIfExists"));
    assert!(!codes(&with_condition(
        "Deny",
        r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}"#
    ))
    .contains(&"MFA_BOOL_WITHOUT_IF_EXISTS"));
}

#[test]
fn action_covered_by_a_wildcard_is_a_suggestion() {
    let fs = findings(&allow(r#"["iam:Get*", "iam:GetUser"]"#, r#""*""#));
    let f = find(&fs, "REDUNDANT_ACTION");
    assert_eq!(f.kind, FindingKind::Suggestion);
    assert_eq!(f.path, "Statement.Action[1]");
}

#[test]
fn duplicate_resource_is_a_suggestion() {
    let r = r#"["arn:aws:iam::123456789012:user/a", "arn:aws:iam::123456789012:user/a"]"#;
    assert!(codes(&allow(r#""iam:GetUser""#, r)).contains(&"REDUNDANT_RESOURCE"));
}

#[test]
fn findings_are_sorted_by_position() {
    let text = doc(
        r#"[{"Effect": "Allow", "Action": "iam:Nope1", "Resource": "*"}, {"Effect": "Allow", "Action": "iam:Nope2", "Resource": "x"}]"#,
    );
    let fs = findings(&text);
    let positions: Vec<(u32, u32)> = fs.iter().map(|f| (f.line, f.column)).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
    assert_eq!(fs.iter().filter(|f| f.kind == FindingKind::Error).count(), 3);
}

#[test]
fn every_finding_serialises_with_kind_code_path_and_position() {
    let fs = findings(&allow(r#""iam:Nope""#, r#""*""#));
    let json = serde_json::to_value(&fs[0]).unwrap();
    assert_eq!(json["kind"], "ERROR");
    assert_eq!(json["code"], "UNKNOWN_ACTION");
    assert_eq!(json["path"], "Statement.Action");
    assert!(json["line"].as_u64().unwrap() >= 1 && json["column"].as_u64().unwrap() >= 1);
}
