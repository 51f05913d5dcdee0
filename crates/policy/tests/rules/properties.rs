//! Property tests: the wildcard matcher agrees with a plain recursive reference matcher;
//! parse -> serialise -> parse is stable; validation and evaluation never panic.

use gatehouse_policy::{validate, Context, PermissionSet, Policy, PolicyKind, PolicySource, Request};
use proptest::prelude::*;

use crate::doc;

/// The obvious definition of `*` and `?` matching, on characters.
fn reference_match(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| reference_match(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && reference_match(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && reference_match(rest, &t[1..]),
    }
}

fn engine_match(pattern: &str, text: &str) -> bool {
    // Resource matching is plain case-sensitive wildcard matching.
    let p = doc(&format!(
        r#"{{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::1:user/{}"}}"#,
        pattern
    ));
    let v = validate(&p, PolicyKind::Managed);
    let policy = v.policy().expect("grammar");
    let set = PermissionSet::new().with_identity(
        PolicySource::new("p", None),
        std::sync::Arc::new(policy.compile()),
    );
    let ctx = Context::new();
    let resource = format!("arn:aws:iam::1:user/{text}");
    set.decide(&Request::new("iam:GetUser", &resource, &ctx))
        .is_allowed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn wildcard_matching_agrees_with_the_reference(pattern in "[ab*?é/]{0,8}", text in "[abé/]{0,10}") {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        prop_assert_eq!(engine_match(&pattern, &text), reference_match(&p, &t));
    }

    #[test]
    fn parse_serialise_parse_is_stable(
        sids in proptest::collection::vec("[A-Za-z0-9]{0,6}", 1..4),
        actions in proptest::collection::vec("(iam|s3|sts):[A-Za-z*]{1,8}", 1..4),
        deny in any::<bool>(),
        user in "[a-z*?]{1,8}",
        value in "[ -~]{0,12}",
    ) {
        let statements: Vec<String> = sids.iter().enumerate().map(|(i, sid)| {
            let sid = if sid.is_empty() { String::new() } else { format!(r#""Sid": "{sid}{i}", "#) };
            let acts: Vec<String> = actions.iter().map(|a| serde_json::to_string(a).unwrap()).collect();
            format!(
                r#"{{{sid}"Effect": "{}", "Action": [{}], "Resource": "arn:aws:iam::*:user/{user}", "Condition": {{"StringLike": {{"aws:UserAgent": {}}}}}}}"#,
                if deny { "Deny" } else { "Allow" },
                acts.join(","),
                serde_json::to_string(&value).unwrap()
            )
        }).collect();
        let text = doc(&format!("[{}]", statements.join(",")));
        let v = validate(&text, PolicyKind::Managed);
        if let Some(p) = v.policy() {
            let first = p.to_json();
            let again = validate(&first, PolicyKind::Managed);
            prop_assert_eq!(Some(p), again.policy());
            let second = again.policy().unwrap().to_json();
            let twice = validate(&second, PolicyKind::Managed);
            prop_assert_eq!(again.policy().unwrap().to_json(), twice.policy().unwrap().to_json());
        }
    }

    #[test]
    fn validation_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = validate(&text, PolicyKind::Managed);
        let _ = Policy::parse(&text, PolicyKind::UserInline);
    }

    #[test]
    fn evaluation_never_panics_on_arbitrary_documents_and_contexts(
        op in "(ForAllValues:|ForAnyValue:)?(String|Numeric|Date|Ip|Arn|Bool|Binary|Null|Foo)[A-Za-z]{0,12}(IfExists)?",
        key in "(aws|iam):[A-Za-z/]{1,10}",
        values in proptest::collection::vec("[ -~]{0,16}", 1..3),
        effect in "(Allow|Deny)",
        action in "[a-z*?:A-Z]{1,12}",
        resource in "[ -~]{1,30}",
        ctx_values in proptest::collection::vec("[ -~]{0,16}", 0..3),
        req_action in "[ -~]{0,20}",
        req_resource in "[ -~]{0,30}",
        multi in any::<bool>(),
    ) {
        let vals: Vec<String> = values.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
        let text = doc(&format!(
            r#"{{"Effect": "{effect}", "Action": {}, "Resource": {}, "Condition": {{{}: {{{}: [{}]}}}}}}"#,
            serde_json::to_string(&action).unwrap(),
            serde_json::to_string(&resource).unwrap(),
            serde_json::to_string(&op).unwrap(),
            serde_json::to_string(&key).unwrap(),
            vals.join(",")
        ));
        let v = validate(&text, PolicyKind::Managed);
        if let Some(p) = v.policy() {
            let set = PermissionSet::new()
                .with_identity(PolicySource::new("p", None), std::sync::Arc::new(p.compile()))
                .with_boundary(PolicySource::new("b", None), std::sync::Arc::new(p.compile()));
            let mut ctx = Context::new();
            if multi {
                ctx.insert(&key, ctx_values.clone());
            } else if let Some(first) = ctx_values.first() {
                ctx.insert(&key, first.as_str());
            }
            let req = Request::new(&req_action, &req_resource, &ctx);
            prop_assert_eq!(set.decide(&req), set.explain(&req).decision);
        }
    }
}
