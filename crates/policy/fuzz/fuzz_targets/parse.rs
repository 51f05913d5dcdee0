//! Any text: validation never panics; whatever parses re-serialises to an equal document, compiles,
//! and evaluates (decide and explain agree).
#![no_main]

use gatehouse_policy::{validate, Context, PermissionSet, PolicyKind, PolicySource, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let v = validate(text, PolicyKind::Managed);
    let Some(policy) = v.policy() else { return };
    let json = policy.to_json();
    let again = validate(&json, PolicyKind::Managed);
    assert_eq!(again.policy(), Some(policy), "re-serialised document differs");
    let set = PermissionSet::new().with_identity(PolicySource::new("fuzz", None), std::sync::Arc::new(policy.compile()));
    let ctx = Context::new()
        .with("aws:username", "alice")
        .with("aws:SourceIp", "203.0.113.7")
        .with("aws:TagKeys", ["a", "b"])
        .with("aws:MultiFactorAuthPresent", true);
    for (action, resource) in [("iam:GetUser", "arn:aws:iam::123456789012:user/alice"), ("s3:GetObject", "*")] {
        let req = Request::new(action, resource, &ctx);
        assert_eq!(set.decide(&req), set.explain(&req).decision);
    }
});
