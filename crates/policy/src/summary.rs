//! The policy summary: what a document allows and denies, by service and access level, for the
//! console's Permissions tab and the editor.

use std::collections::BTreeMap;

use crate::pattern::wildcard_match_ignore_case;
use crate::{Effect, Policy, Spanned, Text};

/// (matched catalogued actions, every action of an uncatalogued service, resources, any condition)
type Entry = (Vec<&'static str>, bool, Vec<String>, bool);

/// One row of a policy summary: what a document allows or denies in one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    pub effect: Effect,
    pub service: String,
    pub access: String,
    pub resources: String,
    pub conditions: bool,
}

/// What a policy allows and denies, by service and access level, as AWS's policy summary shows
/// it: "Full access" when every catalogued action of the service is covered, otherwise "Limited:"
/// and the access levels covered; services outside the catalog are summarised by their patterns.
pub fn summarize(policy: &Policy<'_>) -> Vec<SummaryRow> {
    // (effect, service) -> (matched catalogued actions, any uncatalogued pattern, resources, conditions)
    let mut by_service: BTreeMap<(Effect, String), Entry> = BTreeMap::new();
    for st in &policy.statements {
        let effect = st.effect;
        let resources: Vec<String> = if st.resource.negated {
            vec![format!("All resources except {}", join(&st.resource.values))]
        } else {
            st.resource.values.iter().map(|v| v.value.to_string()).collect()
        };
        if st.action.negated {
            let entry = by_service
                .entry((effect, format!("All services except {}", join(&st.action.values))))
                .or_default();
            entry.1 = true;
            entry.2.extend(resources.iter().cloned());
            entry.3 |= !st.conditions.is_empty();
            continue;
        }
        for action in &st.action.values {
            let action = action.value.as_ref();
            let (service, name) = match action.split_once(':') {
                Some((s, n)) => (s.to_ascii_lowercase(), n),
                None => ("*".to_owned(), "*"),
            };
            let label = if service == "*" {
                "All services".to_owned()
            } else {
                service.clone()
            };
            let entry = by_service.entry((effect, label)).or_default();
            match crate::catalog::service_actions(&service) {
                Some(actions) => {
                    for (n, _) in actions {
                        if wildcard_match_ignore_case(name, n) && !entry.0.contains(n) {
                            entry.0.push(n);
                        }
                    }
                }
                None => entry.1 |= name == "*",
            }
            entry.2.extend(resources.iter().cloned());
            entry.3 |= !st.conditions.is_empty();
        }
    }
    by_service
        .into_iter()
        .map(
            |((effect, service), (actions, all_actions, mut resources, conditions))| {
                resources.sort();
                resources.dedup();
                let access = match crate::catalog::service_actions(&service) {
                    Some(all) if actions.len() == all.len() => "Full access".to_owned(),
                    Some(_) if actions.is_empty() => "None: no known action matches".to_owned(),
                    Some(all) => {
                        let mut levels: Vec<crate::catalog::AccessLevel> = all
                            .iter()
                            .filter(|(n, _)| actions.contains(n))
                            .map(|(_, l)| *l)
                            .collect();
                        levels.sort();
                        levels.dedup();
                        let names: Vec<&str> = levels.iter().map(|l| l.as_str()).collect();
                        format!("Limited: {}", names.join(", "))
                    }
                    None if all_actions => "Full access".to_owned(),
                    None => "Limited".to_owned(),
                };
                SummaryRow {
                    effect,
                    service,
                    access,
                    resources: if resources.iter().any(|r| r == "*") {
                        "All resources".to_owned()
                    } else {
                        resources.join(", ")
                    },
                    conditions,
                }
            },
        )
        .collect()
}

fn join(values: &[Spanned<Text<'_>>]) -> String {
    values
        .iter()
        .map(|v| v.value.as_ref())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::PolicyKind;

    fn rows(doc: &str) -> Vec<SummaryRow> {
        summarize(&Policy::parse(doc, PolicyKind::Managed).unwrap())
    }

    #[test]
    fn iam_star_is_full_access_on_all_resources() {
        let r = rows(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}"#,
        );
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].effect, r[0].service.as_str(), r[0].access.as_str()),
            (Effect::Allow, "iam", "Full access")
        );
        assert_eq!(r[0].resources, "All resources");
        assert!(!r[0].conditions);
    }

    #[test]
    fn aws_read_only_policy_is_limited_to_list_and_read() {
        let r = rows(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}}"#,
        );
        assert_eq!(r[0].access, "Limited: List, Read");
    }

    #[test]
    fn deny_statements_and_conditions_and_resources_are_shown_per_service() {
        let r = rows(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::123456789012:user/dev/*"},
                {"Effect":"Deny","Action":"iam:Delete*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}},
                {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        );
        assert_eq!(r.len(), 3);
        let create = r
            .iter()
            .find(|x| x.effect == Effect::Allow && x.service == "iam")
            .unwrap();
        assert_eq!(create.access, "Limited: Write");
        assert_eq!(create.resources, "arn:aws:iam::123456789012:user/dev/*");
        let deny = r.iter().find(|x| x.effect == Effect::Deny).unwrap();
        assert!(deny.conditions);
        let s3 = r.iter().find(|x| x.service == "s3").unwrap();
        assert_eq!(s3.access, "Limited");
        // The editor summarises documents that still have errors, such as a misspelt action.
        let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUsr","Resource":"*"}}"#;
        let validation = crate::validate(text, PolicyKind::Managed);
        let typo = summarize(validation.policy().unwrap());
        assert_eq!(typo[0].access, "None: no known action matches");
    }

    #[test]
    fn star_action_and_not_action_name_all_services() {
        let r =
            rows(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
        assert_eq!(
            (r[0].service.as_str(), r[0].access.as_str()),
            ("All services", "Full access")
        );
        let r = rows(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#,
        );
        assert_eq!(r[0].service, "All services except iam:*");
    }
}
