//! Policy checks beyond the grammar, in Access Analyzer's four kinds: errors (the statement cannot
//! work: bad action format, unknown `iam`/`sts` actions, invalid ARNs, unknown operators, values
//! that do not parse for their operator, bad or duplicate Sids, unknown global condition keys),
//! security warnings (grants wider than meant), warnings (best practice, documented traps) and
//! suggestions (simplifications).

use crate::catalog::{self, KeyType, CATALOGUED_SERVICES};
use crate::condition::{check_value, split_arn, BaseOp, Family, Operator, SetQualifier};
use crate::document::{Condition, Effect, Items, Policy, Spanned, Statement, Text, Version};
use crate::finding::{Finding, FindingKind};
use crate::json::Pos;
use crate::pattern::{check_variables, wildcard_match, wildcard_match_ignore_case};

pub(crate) fn validate(policy: &Policy<'_>, findings: &mut Vec<Finding>) {
    let mut v = Validator {
        findings,
        variables: policy.variables_enabled(),
    };
    match &policy.version {
        None => v.push(
            FindingKind::Warning,
            "MISSING_VERSION",
            "",
            Pos { line: 1, column: 1, offset: 0 },
            "the policy has no Version, so IAM reads it as 2008-10-17, which does not replace policy variables: add \"Version\": \"2012-10-17\"",
        ),
        Some(Spanned { value: Version::V2008_10_17, pos }) => v.push(
            FindingKind::Warning,
            "OLD_VERSION",
            "Version",
            *pos,
            "Version 2008-10-17 is the old policy language, without policy variables: use \"2012-10-17\"",
        ),
        Some(_) => {}
    }
    let mut sids: Vec<&str> = Vec::new();
    for (i, s) in policy.statements.iter().enumerate() {
        let path = &StatementPath {
            list: policy.statement_list,
            index: i,
        };
        if let Some(sid) = &s.sid {
            v.sid(sid, path, &mut sids);
        }
        v.actions(s, path);
        v.resources(s, path);
        for c in &s.conditions {
            v.condition(s, c, path);
        }
        v.statement_grants(s, path);
    }
}

/// A JSON path, rendered only when a finding is reported.
trait AsPath {
    fn render(self) -> String;
}

impl AsPath for &str {
    fn render(self) -> String {
        self.to_owned()
    }
}

impl AsPath for &String {
    fn render(self) -> String {
        self.clone()
    }
}

impl<F: FnOnce() -> String> AsPath for F {
    fn render(self) -> String {
        self()
    }
}

struct Validator<'f> {
    findings: &'f mut Vec<Finding>,
    variables: bool,
}

/// `Statement` or `Statement[i]`, written out only when a finding needs it.
struct StatementPath {
    list: bool,
    index: usize,
}

impl std::fmt::Display for StatementPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.list {
            write!(f, "Statement[{}]", self.index)
        } else {
            f.write_str("Statement")
        }
    }
}

fn item_path(parent: &StatementPath, element: &str, items: &Items<'_>, i: usize) -> String {
    if items.values.len() == 1 {
        format!("{parent}.{element}")
    } else {
        format!("{parent}.{element}[{i}]")
    }
}

impl Validator<'_> {
    fn push(
        &mut self,
        kind: FindingKind,
        code: &'static str,
        path: impl AsPath,
        pos: Pos,
        msg: impl Into<String>,
    ) {
        self.findings
            .push(Finding::new(kind, code, path.render(), pos, msg));
    }

    fn sid<'p>(&mut self, sid: &'p Spanned<Text<'_>>, path: &StatementPath, seen: &mut Vec<&'p str>) {
        let here = || format!("{path}.Sid");
        if !sid.value.chars().all(|c| c.is_ascii_alphanumeric()) {
            self.push(
                FindingKind::Error,
                "INVALID_SID",
                here,
                sid.pos,
                format!(
                    "Sid \"{}\" may contain only letters and digits (A-Z, a-z, 0-9)",
                    sid.value
                ),
            );
        }
        if !sid.value.is_empty() && seen.contains(&&*sid.value) {
            self.push(
                FindingKind::Error,
                "DUPLICATE_SID",
                here,
                sid.pos,
                format!(
                    "Sid \"{}\" is used by another statement: Sids must be unique within a policy",
                    sid.value
                ),
            );
        }
        seen.push(&sid.value);
    }

    fn actions(&mut self, s: &Statement<'_>, path: &StatementPath) {
        let element = if s.action.negated { "NotAction" } else { "Action" };
        for (i, a) in s.action.values.iter().enumerate() {
            let here = || item_path(path, element, &s.action, i);
            let value: &str = &a.value;
            if value == "*" {
                continue;
            }
            let Some((service, name)) = value.split_once(':') else {
                self.push(
                    FindingKind::Error,
                    "INVALID_ACTION",
                    here,
                    a.pos,
                    format!("\"{value}\" is not an action: write service:ActionName, e.g. iam:CreateUser, or \"*\""),
                );
                continue;
            };
            let service_ok =
                !service.is_empty() && service.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?' || b == b'-' || b == b'_');
            if !service_ok || !name_ok {
                let why = if service.contains(['*', '?']) {
                    "the service prefix cannot contain wildcards"
                } else if !service_ok {
                    "the service prefix may contain only letters, digits and '-'"
                } else {
                    "the action name may contain only letters, digits and the wildcards * and ?"
                };
                self.push(
                    FindingKind::Error,
                    "INVALID_ACTION",
                    here,
                    a.pos,
                    format!("\"{value}\" is not a valid action: {why}"),
                );
                continue;
            }
            let service_lower = CATALOGUED_SERVICES
                .iter()
                .find(|s| s.eq_ignore_ascii_case(service));
            if let Some((service_lower, known)) =
                service_lower.and_then(|s| Some((*s, catalog::service_actions(s)?)))
            {
                let exists = catalog::has_matching_action(service_lower, name);
                if !exists {
                    let hint = closest(name, known.iter().map(|(n, _)| *n))
                        .map(|n| format!(": did you mean {service_lower}:{n}?"))
                        .unwrap_or_default();
                    self.push(
                        FindingKind::Error,
                        "UNKNOWN_ACTION",
                        here,
                        a.pos,
                        format!("\"{value}\" matches no {service_lower} action{hint}"),
                    );
                }
            }
        }
        self.redundant(&s.action, element, path, true);
    }

    /// Values covered by another value's wildcard (or listed twice) in the same element.
    fn redundant(&mut self, items: &Items<'_>, element: &str, path: &StatementPath, ignore_case: bool) {
        if items.values.len() < 2 {
            return;
        }
        let same = |a: &str, b: &str| {
            if ignore_case {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        // The literal text before a pattern's first wildcard must start the covered value: a
        // cheap test that rejects almost every pair before any wildcard matching.
        let prefixes: Vec<Option<&str>> = items
            .values
            .iter()
            .map(|v| v.value.find(['*', '?']).map(|at| &v.value[..at]))
            .collect();
        let covers = |j: usize, text: &str| {
            prefixes[j].is_some_and(|prefix| {
                text.get(..prefix.len()).is_some_and(|head| same(head, prefix))
                    && wildcard_match(&items.values[j].value, text, ignore_case)
            })
        };
        for (i, a) in items.values.iter().enumerate() {
            let duplicate = items.values[..i].iter().position(|b| same(&a.value, &b.value));
            let covering = duplicate.or_else(|| {
                (0..items.values.len())
                    .find(|&j| j != i && !same(&items.values[j].value, &a.value) && covers(j, &a.value))
            });
            if let Some(j) = covering {
                self.push(
                    FindingKind::Suggestion,
                    if element.contains("Action") {
                        "REDUNDANT_ACTION"
                    } else {
                        "REDUNDANT_RESOURCE"
                    },
                    || item_path(path, element, items, i),
                    a.pos,
                    format!(
                        "\"{}\" is already covered by \"{}\": remove it",
                        a.value, items.values[j].value
                    ),
                );
            }
        }
    }

    fn resources(&mut self, s: &Statement<'_>, path: &StatementPath) {
        let element = if s.resource.negated {
            "NotResource"
        } else {
            "Resource"
        };
        for (i, r) in s.resource.values.iter().enumerate() {
            let here = || item_path(path, element, &s.resource, i);
            self.variables_in(&r.value, here, r.pos);
            if r.value == "*" {
                continue;
            }
            if !is_arn_pattern(&r.value) {
                self.push(
                    FindingKind::Error,
                    "INVALID_ARN",
                    here,
                    r.pos,
                    format!(
                        "\"{}\" is not an ARN: a resource is \"*\" or arn:partition:service:region:account:resource (e.g. arn:aws:iam::123456789012:user/alice)",
                        r.value
                    ),
                );
            }
        }
        self.redundant(&s.resource, element, path, false);
    }

    /// Reports `${...}` that will not work: ill-formed under 2012-10-17, literal under older versions.
    fn variables_in(&mut self, text: &str, path: impl Fn() -> String, pos: Pos) {
        if !text.contains("${") {
            return;
        }
        if !self.variables {
            self.push(
                FindingKind::Warning,
                "VARIABLE_IN_OLD_VERSION",
                path,
                pos,
                format!(
                    "\"{text}\" contains a policy variable, but variables are replaced only under Version 2012-10-17: here it is literal text"
                ),
            );
        } else if let Err(e) = check_variables(text) {
            self.push(FindingKind::Error, "INVALID_VARIABLE", path, pos, e.0);
        }
    }

    fn condition(&mut self, s: &Statement<'_>, c: &Condition<'_>, path: &StatementPath) {
        let op_path = || format!("{path}.Condition.{}", c.operator.value);
        let key_path = || format!("{path}.Condition.{}.{}", c.operator.value, c.key.value);
        let op = match Operator::parse(&c.operator.value) {
            Ok(op) => op,
            Err(e) => {
                let hint = if e.0.contains("is not a condition operator") {
                    let base = c.operator.value.rsplit(':').next().unwrap_or("");
                    closest(base, ALL_OPERATOR_NAMES.iter().copied())
                        .map(|n| format!(": did you mean {n}?"))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                self.push(
                    FindingKind::Error,
                    "UNKNOWN_OPERATOR",
                    op_path,
                    c.operator.pos,
                    format!("{}{hint}", e.0),
                );
                return;
            }
        };
        let key: &str = &c.key.value;
        let Some((prefix, _)) = key
            .split_once(':')
            .filter(|(p, n)| !p.is_empty() && !n.is_empty())
        else {
            self.push(
                FindingKind::Error,
                "INVALID_CONDITION_KEY",
                key_path,
                c.key.pos,
                format!(
                    "\"{key}\" is not a condition key: keys are prefixed by their service, e.g. aws:username"
                ),
            );
            return;
        };
        let global = if prefix.eq_ignore_ascii_case("aws") {
            match catalog::global_key(key) {
                Some(info) => Some(info),
                None => {
                    let names = catalog::GLOBAL_KEYS.iter().map(|(n, _, _)| *n);
                    let hint = closest(key, names)
                        .map(|n| format!(": did you mean {n}?"))
                        .unwrap_or_default();
                    self.push(
                        FindingKind::Error,
                        "UNKNOWN_GLOBAL_CONDITION_KEY",
                        key_path,
                        c.key.pos,
                        format!("\"{key}\" is not a global condition key{hint}"),
                    );
                    None
                }
            }
        } else {
            None
        };
        let family = op.base.family();
        for (i, value) in c.values.iter().enumerate() {
            let single = c.values.len() == 1;
            let here = || {
                if single {
                    key_path()
                } else {
                    format!("{}[{i}]", key_path())
                }
            };
            if let Err(why) = check_value(family, &value.value) {
                self.push(
                    FindingKind::Error,
                    "INVALID_VALUE",
                    here,
                    value.pos,
                    format!("{why}, which the {} operator requires", op.base.name()),
                );
                continue;
            }
            match family {
                Family::String | Family::Arn => self.variables_in(&value.value, here, value.pos),
                _ if value.value.contains("${") => self.push(
                    FindingKind::Error,
                    "INVALID_VALUE",
                    here,
                    value.pos,
                    "policy variables can be used only with String and Arn operators",
                ),
                _ => {}
            }
            if family == Family::Arn
                && value.value != "*"
                && !value.value.contains("${")
                && split_arn(&value.value).len() != 6
            {
                self.push(
                    FindingKind::Error,
                    "INVALID_VALUE",
                    here,
                    value.pos,
                    format!(
                        "\"{}\" is not an ARN (arn:partition:service:region:account:resource)",
                        value.value
                    ),
                );
            }
            if family == Family::String
                && !op.base.has_wildcards()
                && value.value.contains(['*', '?'])
                && !value.value.contains("${")
            {
                self.push(
                    FindingKind::Warning,
                    "WILDCARD_IN_EXACT_OPERATOR",
                    here,
                    value.pos,
                    format!(
                        "{} compares \"*\" and \"?\" literally: use StringLike (or StringNotLike) to match a pattern",
                        op.base.name()
                    ),
                );
            }
        }
        if let Some((ty, multivalued)) = global {
            self.key_type(op, family, ty, key, key_path, c.key.pos);
            if family != Family::Null {
                if multivalued && op.set.is_none() {
                    self.push(
                        FindingKind::Warning,
                        "MISSING_SET_OPERATOR",
                        op_path,
                        c.operator.pos,
                        format!(
                            "{key} can have several values: use ForAnyValue: or ForAllValues: with {}",
                            op.base.name()
                        ),
                    );
                }
                if !multivalued && op.set.is_some() {
                    self.push(
                        FindingKind::Warning,
                        "SET_OPERATOR_ON_SINGLE_VALUED_KEY",
                        op_path,
                        c.operator.pos,
                        format!("{key} has a single value: ForAllValues:/ForAnyValue: are for multivalued keys; drop the qualifier"),
                    );
                }
            }
        }
        if op.set == Some(SetQualifier::ForAllValues) && s.effect == Effect::Allow {
            self.push(
                FindingKind::SecurityWarning,
                "FOR_ALL_VALUES_WITH_ALLOW",
                op_path,
                c.operator.pos,
                format!(
                    "ForAllValues is also true when {key} is missing or empty, so this Allow applies to requests without it: add a Null condition on {key} (\"false\") or use ForAnyValue"
                ),
            );
        }
        if op.base == BaseOp::Bool
            && !op.if_exists
            && key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
            && s.effect == Effect::Deny
            && c.values.iter().any(|v| v.value.eq_ignore_ascii_case("false"))
        {
            self.push(
                FindingKind::Warning,
                "MFA_BOOL_WITHOUT_IF_EXISTS",
                op_path,
                c.operator.pos,
                "aws:MultiFactorAuthPresent is absent for access-key requests, so Bool \"false\" does not match them and this Deny does not apply: use BoolIfExists",
            );
        }
    }

    fn key_type(
        &mut self,
        op: Operator,
        family: Family,
        ty: KeyType,
        key: &str,
        path: impl Fn() -> String,
        pos: Pos,
    ) {
        let fits = matches!(
            (family, ty),
            (Family::Null, _)
                | (Family::String, KeyType::String | KeyType::Arn)
                | (Family::Arn, KeyType::Arn)
                | (Family::Date, KeyType::Date)
                | (Family::Numeric, KeyType::Numeric)
                | (Family::Bool, KeyType::Bool)
                | (Family::Ip, KeyType::Ip)
        );
        if !fits {
            let want = match ty {
                KeyType::String => "String",
                KeyType::Date => "Date",
                KeyType::Numeric => "Numeric",
                KeyType::Bool => "Bool",
                KeyType::Ip => "IpAddress",
                KeyType::Arn => "Arn or String",
            };
            self.push(
                FindingKind::Warning,
                "MISMATCHED_TYPE",
                path,
                pos,
                format!(
                    "{key} is compared with {}, but its values are of the {want} type: use a {want} operator",
                    op.base.name()
                ),
            );
        }
    }

    fn statement_grants(&mut self, s: &Statement<'_>, path: &StatementPath) {
        if s.effect != Effect::Allow {
            return;
        }
        if s.action.negated {
            self.push(
                FindingKind::SecurityWarning,
                "ALLOW_WITH_NOT_ACTION",
                || format!("{path}.NotAction"),
                s.action.pos,
                "Allow with NotAction allows every action not listed, including actions of services added later: list the allowed actions instead",
            );
        }
        if s.resource.negated {
            self.push(
                FindingKind::SecurityWarning,
                "ALLOW_WITH_NOT_RESOURCE",
                || format!("{path}.NotResource"),
                s.resource.pos,
                "Allow with NotResource allows every resource not listed, including resources created later: list the allowed resources instead",
            );
        }
        let all_resources = !s.resource.negated && s.resource.values.iter().any(|r| r.value == "*");
        let all_actions =
            !s.action.negated && s.action.values.iter().any(|a| a.value == "*" || a.value == "*:*");
        if all_actions && all_resources && s.conditions.is_empty() {
            self.push(
                FindingKind::SecurityWarning,
                "FULL_ACCESS",
                || format!("{path}.Action"),
                s.action.pos,
                "this statement allows every action on every resource (administrator access): grant only what is needed",
            );
        }
        let pass_role = !s.action.negated
            && s.action
                .values
                .iter()
                .any(|a| a.value == "*" || wildcard_match_ignore_case(&a.value, "iam:PassRole"));
        let star_resource = !s.resource.negated
            && s.resource
                .values
                .iter()
                .any(|r| r.value == "*" || r.value.ends_with(":role/*") || r.value.ends_with(":*"));
        if pass_role && star_resource && !(all_actions && s.conditions.is_empty()) {
            self.push(
                FindingKind::SecurityWarning,
                "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                || format!("{path}.Resource"),
                s.resource.pos,
                "iam:PassRole on \"*\" lets the user pass any role, and with it that role's permissions, to a service: name the roles",
            );
        }
    }
}

/// An ARN (pattern) as a Resource: `arn:partition:service:region:account:resource`, where a
/// last part ending in `*` may stand for the remaining parts (`arn:aws:iam::*`).
fn is_arn_pattern(value: &str) -> bool {
    let parts = split_arn(value);
    let complete = parts.len() == 6 || (parts.len() >= 3 && parts.last().is_some_and(|p| p.ends_with('*')));
    let named = |i| parts.get(i).is_some_and(|p: &str| !p.is_empty());
    value.starts_with("arn:") && complete && named(1) && named(2)
}

const ALL_OPERATOR_NAMES: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// The candidate closest to `word` (case-insensitive edit distance), if it is close enough to be
/// a likely typo.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let (best, dist) = candidates
        .map(|c| (c, edit_distance(&w, &c.to_ascii_lowercase())))
        .min_by_key(|(_, d)| *d)?;
    (dist <= (w.len() / 4).max(2)).then_some(best)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
