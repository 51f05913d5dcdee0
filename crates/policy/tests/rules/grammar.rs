//! The grammar of identity policies (IAM JSON policy elements reference, "Grammar of the IAM
//! JSON policy language"): what parses, what is refused, and where the error is reported.

use gatehouse_policy::{validate, Effect, FindingKind, Policy, PolicyKind, Version};

use crate::{codes, doc, find, findings, has_errors};

const ALLOW_ALL_USERS: &str = r#"{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}"#;

fn parse(text: &str) -> Policy<'static> {
    Policy::parse(text, PolicyKind::Managed)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_owned()
}

#[test]
fn statement_may_be_a_single_object() {
    let p = parse(&doc(ALLOW_ALL_USERS));
    assert_eq!(p.statements.len(), 1);
}

#[test]
fn statement_may_be_an_array_of_objects() {
    let p = parse(&doc(&format!("[{ALLOW_ALL_USERS}, {ALLOW_ALL_USERS}]")));
    assert_eq!(p.statements.len(), 2);
}

#[test]
fn a_single_string_stands_for_a_one_element_list() {
    let p = parse(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    let q = parse(&doc(
        r#"{"Effect": "Allow", "Action": ["iam:GetUser"], "Resource": ["*"]}"#,
    ));
    assert_eq!(p, q);
}

#[test]
fn version_2012_10_17_is_accepted() {
    let p = parse(&doc(ALLOW_ALL_USERS));
    assert_eq!(p.version.map(|v| v.value), Some(Version::V2012_10_17));
    assert!(p.variables_enabled());
}

#[test]
fn version_2008_10_17_is_accepted_without_variables() {
    let p = parse(&format!(
        r#"{{"Version": "2008-10-17", "Statement": {ALLOW_ALL_USERS}}}"#
    ));
    assert_eq!(p.version.map(|v| v.value), Some(Version::V2008_10_17));
    assert!(!p.variables_enabled());
}

#[test]
fn version_may_be_absent_and_is_then_read_as_2008() {
    let p = parse(&format!(r#"{{"Statement": {ALLOW_ALL_USERS}}}"#));
    assert_eq!(p.version, None);
    assert!(!p.variables_enabled());
}

#[test]
fn any_other_version_is_an_error() {
    let fs = findings(&format!(
        r#"{{"Version": "2012-10-18", "Statement": {ALLOW_ALL_USERS}}}"#
    ));
    let f = find(&fs, "INVALID_VERSION");
    assert_eq!(f.kind, FindingKind::Error);
    assert_eq!(f.path, "Version");
    assert!(f.message.contains("2012-10-18"));
}

#[test]
fn id_is_an_optional_string() {
    let p = parse(&format!(
        r#"{{"Version": "2012-10-17", "Id": "my-policy-1", "Statement": {ALLOW_ALL_USERS}}}"#
    ));
    assert_eq!(p.id.as_deref(), Some("my-policy-1"));
    assert!(has_errors(&format!(
        r#"{{"Version": "2012-10-17", "Id": 5, "Statement": {ALLOW_ALL_USERS}}}"#
    )));
}

#[test]
fn statement_is_required() {
    assert_eq!(codes(r#"{"Version": "2012-10-17"}"#), ["MISSING_STATEMENT"]);
}

#[test]
fn an_empty_statement_list_is_an_error() {
    assert!(codes(r#"{"Version": "2012-10-17", "Statement": []}"#).contains(&"MISSING_STATEMENT"));
}

#[test]
fn effect_is_required() {
    assert!(codes(&doc(r#"{"Action": "iam:GetUser", "Resource": "*"}"#)).contains(&"MISSING_EFFECT"));
}

#[test]
fn effect_is_case_sensitive() {
    let fs = findings(&doc(
        r#"{"Effect": "allow", "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    assert!(find(&fs, "INVALID_EFFECT").message.contains("case-sensitive"));
}

#[test]
fn effect_deny_parses() {
    let p = parse(&doc(
        r#"{"Effect": "Deny", "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    assert_eq!(p.statements[0].effect, Effect::Deny);
}

#[test]
fn action_or_not_action_is_required() {
    assert!(codes(&doc(r#"{"Effect": "Allow", "Resource": "*"}"#)).contains(&"MISSING_ACTION"));
}

#[test]
fn action_and_not_action_are_mutually_exclusive() {
    let c = codes(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "NotAction": "iam:ListUsers", "Resource": "*"}"#,
    ));
    assert!(c.contains(&"CONFLICTING_ELEMENTS"));
}

#[test]
fn resource_or_not_resource_is_required_in_identity_policies() {
    assert!(codes(&doc(r#"{"Effect": "Allow", "Action": "iam:GetUser"}"#)).contains(&"MISSING_RESOURCE"));
}

#[test]
fn resource_and_not_resource_are_mutually_exclusive() {
    let c = codes(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "NotResource": "*"}"#,
    ));
    assert!(c.contains(&"CONFLICTING_ELEMENTS"));
}

#[test]
fn principal_is_refused_in_identity_policies() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    let f = find(&fs, "PRINCIPAL_IN_IDENTITY_POLICY");
    assert_eq!(f.path, "Statement.Principal");
}

#[test]
fn not_principal_is_refused_in_identity_policies() {
    let c = codes(&doc(
        r#"{"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    assert!(c.contains(&"PRINCIPAL_IN_IDENTITY_POLICY"));
}

#[test]
fn unknown_top_level_elements_are_refused() {
    let fs = findings(&format!(
        r#"{{"Version": "2012-10-17", "Statment": [], "Statement": {ALLOW_ALL_USERS}}}"#
    ));
    let f = find(&fs, "UNKNOWN_ELEMENT");
    assert!(f.message.contains("Statment"));
}

#[test]
fn unknown_statement_elements_are_refused() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Conditions": {}}"#,
    ));
    assert_eq!(find(&fs, "UNKNOWN_ELEMENT").path, "Statement.Conditions");
}

#[test]
fn element_names_are_case_sensitive_with_a_hint() {
    let fs = findings(&doc(
        r#"{"effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}"#,
    ));
    assert!(find(&fs, "UNKNOWN_ELEMENT")
        .message
        .contains("did you mean \"Effect\""));
}

#[test]
fn duplicate_keys_are_refused() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Action": "iam:ListUsers", "Resource": "*"}"#,
    ));
    let f = find(&fs, "JSON_SYNTAX");
    assert!(f.message.contains("duplicate key \"Action\""));
}

#[test]
fn invalid_json_reports_line_and_column() {
    let fs = findings("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}");
    let f = find(&fs, "JSON_SYNTAX");
    assert_eq!((f.line, f.column), (3, 17));
}

#[test]
fn errors_name_their_json_location() {
    let text = "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"iam:GetUser\", \"Resource\": \"*\"},\n  {\"Effect\": \"Allow\", \"Action\": [\"iam:GetUser\", 7], \"Resource\": \"*\"}\n ]\n}";
    let fs = findings(text);
    let f = find(&fs, "INVALID_TYPE");
    assert_eq!(f.path, "Statement[1].Action[1]");
    assert_eq!((f.line, f.column), (5, 49));
}

#[test]
fn action_values_must_be_strings() {
    assert!(codes(&doc(
        r#"{"Effect": "Allow", "Action": {"iam": "GetUser"}, "Resource": "*"}"#
    ))
    .contains(&"INVALID_TYPE"));
}

#[test]
fn empty_action_list_is_an_error() {
    assert!(codes(&doc(r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#)).contains(&"EMPTY_LIST"));
}

#[test]
fn empty_action_string_is_an_error() {
    assert!(codes(&doc(r#"{"Effect": "Allow", "Action": "", "Resource": "*"}"#)).contains(&"EMPTY_VALUE"));
}

#[test]
fn condition_must_be_an_object_of_operators() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": ["x"]}"#,
    ));
    assert_eq!(
        find(&fs, "INVALID_TYPE").message,
        r#"Condition must be an object of the form {"operator": {"key": value}}, found an array"#
    );
}

#[test]
fn condition_operator_block_must_be_an_object() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": {"StringEquals": "x"}}"#,
    ));
    assert_eq!(find(&fs, "INVALID_TYPE").path, "Statement.Condition.StringEquals");
}

#[test]
fn condition_values_may_be_strings_numbers_or_booleans() {
    let p = parse(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}, "Bool": {"aws:SecureTransport": true}}}"#,
    ));
    let values: Vec<&str> = p.statements[0]
        .conditions
        .iter()
        .map(|c| c.values[0].value.as_ref())
        .collect();
    assert_eq!(values, ["3600", "true"]);
}

#[test]
fn condition_values_may_not_be_objects_or_null() {
    assert!(has_errors(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": {"StringEquals": {"aws:username": null}}}"#
    )));
    assert!(has_errors(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": {"StringEquals": {"aws:username": {"a": "b"}}}}"#
    )));
}

#[test]
fn condition_value_list_may_not_be_empty() {
    assert!(codes(&doc(r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*", "Condition": {"StringEquals": {"aws:username": []}}}"#)).contains(&"EMPTY_LIST"));
}

#[test]
fn a_document_must_be_an_object() {
    assert_eq!(codes("[1, 2]"), ["INVALID_TYPE"]);
}

#[test]
fn managed_policies_may_have_6144_characters_without_whitespace() {
    let padding = "a".repeat(
        6144 - doc(r#"{"Sid": "", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}"#)
            .chars()
            .filter(|c| !c.is_whitespace())
            .count(),
    );
    let text = doc(&format!(
        r#"{{"Sid": "{padding}", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}"#
    ));
    assert_eq!(gatehouse_policy::policy_size(&text), 6144);
    assert!(!codes(&text).contains(&"POLICY_SIZE"));
    let over = text.replacen("\"Sid\": \"", "\"Sid\": \"a", 1);
    let fs = findings(&over);
    assert!(find(&fs, "POLICY_SIZE").message.contains("6145"));
}

#[test]
fn whitespace_does_not_count_towards_the_size() {
    let text = doc(ALLOW_ALL_USERS);
    let spaced = text.replace(' ', "          ");
    assert_eq!(
        gatehouse_policy::policy_size(&text),
        gatehouse_policy::policy_size(&spaced)
    );
}

#[test]
fn user_inline_policies_are_limited_to_2048_characters() {
    let many: Vec<String> = (0..150).map(|i| format!(r#""iam:GetUser{i}""#)).collect();
    let text = doc(&format!(
        r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#,
        many.join(",")
    ));
    assert!(gatehouse_policy::policy_size(&text) > 2048);
    let user = validate(&text, PolicyKind::UserInline);
    assert!(user
        .findings
        .iter()
        .any(|f| f.code == "POLICY_SIZE" && f.message.contains("2048")));
    let group = validate(&text, PolicyKind::GroupInline);
    assert!(!group.findings.iter().any(|f| f.code == "POLICY_SIZE"));
}

#[test]
fn group_inline_policies_are_limited_to_5120_characters() {
    let many: Vec<String> = (0..400).map(|i| format!(r#""iam:GetUser{i}""#)).collect();
    let text = doc(&format!(
        r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#,
        many.join(",")
    ));
    assert!(validate(&text, PolicyKind::GroupInline)
        .findings
        .iter()
        .any(|f| f.code == "POLICY_SIZE"));
}

#[test]
fn characters_beyond_latin_1_are_refused() {
    let fs = findings(&doc(
        r#"{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::123456789012:user/✓"}"#,
    ));
    assert!(find(&fs, "INVALID_CHARACTER").message.contains("U+2713"));
}

#[test]
fn latin_1_characters_are_allowed() {
    assert!(!codes(&doc(r#"{"Sid": "x", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::123456789012:user/jos\u00e9"}"#)).contains(&"INVALID_CHARACTER"));
}

#[test]
fn parse_refuses_documents_with_errors_but_allows_warnings() {
    let warn_only = format!(r#"{{"Statement": {ALLOW_ALL_USERS}}}"#);
    assert!(Policy::parse(&warn_only, PolicyKind::Managed).is_ok());
    let err = Policy::parse(
        &doc(r#"{"Effect": "Allow", "Action": "iam:CreatUser", "Resource": "*"}"#),
        PolicyKind::Managed,
    )
    .unwrap_err();
    assert!(err.to_string().contains("iam:CreatUser"), "{err}");
}

#[test]
fn canonical_json_reparses_to_the_same_policy() {
    let text = doc(
        r#"[{"Sid": "A1", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*",
        "Condition": {"StringLike": {"aws:username": ["a*", "b?"]}, "Bool": {"aws:SecureTransport": true}}},
        {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:user/${aws:username}"}]"#,
    );
    let p = parse(&text);
    let again = parse(&p.to_json());
    assert_eq!(p, again);
}
