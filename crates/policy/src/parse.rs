//! The grammar: from JSON to a [`Policy`], refusing (with an error finding that names the JSON
//! location) everything the identity-policy grammar does not allow: unknown or misspelt elements,
//! wrong JSON types, missing or conflicting elements, `Principal`, bad `Version`/`Effect`, the
//! character set and the size limit of the policy kind.

use crate::document::{Condition, Effect, Items, Policy, Spanned, Statement, Version};
use crate::finding::{Finding, FindingKind};
use crate::json::{self, Kind, Member, Node, Pos};
use crate::PolicyKind;

/// Parses `text`; the policy is `None` when any grammar error was found (they are all in `findings`).
pub(crate) fn parse(text: &str, kind: PolicyKind, findings: &mut Vec<Finding>) -> Option<Policy> {
    let before = findings.len();
    check_characters(text, findings);
    check_size(text, kind, findings);
    let root = match json::parse(text) {
        Ok(root) => root,
        Err(e) => {
            findings.push(error(
                "JSON_SYNTAX",
                "",
                e.pos,
                format!("the document is not valid JSON: {}", e.message),
            ));
            return None;
        }
    };
    let policy = Parser { findings }.policy(&root);
    if findings[before..].iter().any(|f| f.kind == FindingKind::Error) {
        None
    } else {
        policy
    }
}

fn error(code: &'static str, path: &str, pos: Pos, message: impl Into<String>) -> Finding {
    Finding::new(FindingKind::Error, code, path, pos, message)
}

/// IAM accepts tab, line feed, carriage return and U+0020 to U+00FF in a policy document.
fn check_characters(text: &str, findings: &mut Vec<Finding>) {
    let (mut line, mut column) = (1u32, 1u32);
    for (offset, c) in text.char_indices() {
        let allowed = matches!(c, '\t' | '\n' | '\r') || ('\u{20}'..='\u{ff}').contains(&c);
        if !allowed {
            findings.push(error(
                "INVALID_CHARACTER",
                "",
                Pos { line, column, offset },
                format!(
                    "the character U+{:04X} is not allowed: a policy may contain only tab, line feed, carriage return and the characters U+0020 to U+00FF",
                    u32::from(c)
                ),
            ));
            return;
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
}

fn check_size(text: &str, kind: PolicyKind, findings: &mut Vec<Finding>) {
    let size = text.chars().filter(|c| !c.is_whitespace()).count();
    let limit = kind.size_limit();
    if size > limit {
        findings.push(error(
            "POLICY_SIZE",
            "",
            Pos {
                line: 1,
                column: 1,
                offset: 0,
            },
            format!(
                "the policy has {size} characters (whitespace not counted); {} may have at most {limit}",
                kind.describe()
            ),
        ));
    }
}

struct Parser<'f> {
    findings: &'f mut Vec<Finding>,
}

impl Parser<'_> {
    fn err(&mut self, code: &'static str, path: &str, pos: Pos, message: impl Into<String>) {
        self.findings.push(error(code, path, pos, message));
    }

    fn policy(&mut self, root: &Node) -> Option<Policy> {
        let Kind::Object(members) = &root.kind else {
            self.err(
                "INVALID_TYPE",
                "",
                root.pos,
                format!(
                    "a policy document must be a JSON object, found {}",
                    root.kind.type_name()
                ),
            );
            return None;
        };
        let mut version = None;
        let mut id = None;
        let mut statements = None;
        let statement_list = members
            .iter()
            .any(|m| m.key == "Statement" && matches!(m.value.kind, Kind::Array(_)));
        for m in members {
            match m.key.as_str() {
                "Version" => version = self.version(m),
                "Id" => id = self.string(&m.value, "Id").map(|s| s.value),
                "Statement" => statements = self.statements(&m.value),
                other => self.unknown_element(other, "", m, &["Version", "Id", "Statement"]),
            }
        }
        let Some(statements) = statements else {
            if !members.iter().any(|m| m.key == "Statement") {
                self.err(
                    "MISSING_STATEMENT",
                    "",
                    root.pos,
                    "the policy has no Statement element: add at least one statement",
                );
            }
            return None;
        };
        Some(Policy {
            version,
            id,
            statements,
            statement_list,
        })
    }

    fn unknown_element(&mut self, name: &str, parent: &str, m: &Member, known: &[&str]) {
        let path = join(parent, name);
        let hint = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map(|k| format!(" (element names are case-sensitive: did you mean \"{k}\"?)"))
            .unwrap_or_else(|| format!("; the allowed elements are {}", known.join(", ")));
        self.err(
            "UNKNOWN_ELEMENT",
            &path,
            m.key_pos,
            format!("\"{name}\" is not a policy element here{hint}"),
        );
    }

    fn version(&mut self, m: &Member) -> Option<Spanned<Version>> {
        let s = self.string(&m.value, "Version")?;
        match s.value.as_str() {
            "2012-10-17" => Some(Spanned::new(Version::V2012_10_17, s.pos)),
            "2008-10-17" => Some(Spanned::new(Version::V2008_10_17, s.pos)),
            other => {
                self.err(
                    "INVALID_VERSION",
                    "Version",
                    s.pos,
                    format!("Version \"{other}\" is not a policy language version: use \"2012-10-17\""),
                );
                None
            }
        }
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<Spanned<String>> {
        match &node.kind {
            Kind::String(s) => Some(Spanned::new(s.clone(), node.pos)),
            other => {
                self.err(
                    "INVALID_TYPE",
                    path,
                    node.pos,
                    format!("{path} must be a string, found {}", other.type_name()),
                );
                None
            }
        }
    }

    fn statements(&mut self, node: &Node) -> Option<Vec<Statement>> {
        match &node.kind {
            Kind::Object(_) => Some(vec![self.statement(node, "Statement")?]),
            Kind::Array(items) => {
                if items.is_empty() {
                    self.err(
                        "MISSING_STATEMENT",
                        "Statement",
                        node.pos,
                        "Statement is an empty list: add at least one statement",
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match self.statement(item, &format!("Statement[{i}]")) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.err(
                    "INVALID_TYPE",
                    "Statement",
                    node.pos,
                    format!(
                        "Statement must be an object or a list of objects, found {}",
                        other.type_name()
                    ),
                );
                None
            }
        }
    }

    fn statement(&mut self, node: &Node, path: &str) -> Option<Statement> {
        let Kind::Object(members) = &node.kind else {
            self.err(
                "INVALID_TYPE",
                path,
                node.pos,
                format!(
                    "a statement must be a JSON object, found {}",
                    node.kind.type_name()
                ),
            );
            return None;
        };
        let before = self.findings.len();
        let mut sid = None;
        let mut effect = None;
        let mut action: Option<Items> = None;
        let mut resource: Option<Items> = None;
        let mut conditions = Vec::new();
        let mut has_action_element = false;
        let mut has_resource_element = false;
        for m in members {
            let key = m.key.as_str();
            let here = join(path, key);
            match key {
                "Sid" => sid = self.string(&m.value, &here),
                "Effect" => effect = self.effect(&m.value, &here),
                "Action" | "NotAction" => {
                    if has_action_element {
                        self.err(
                            "CONFLICTING_ELEMENTS",
                            &here,
                            m.key_pos,
                            "a statement may have Action or NotAction, not both",
                        );
                    }
                    has_action_element = true;
                    action = self.items(&m.value, &here, key == "NotAction");
                }
                "Resource" | "NotResource" => {
                    if has_resource_element {
                        self.err(
                            "CONFLICTING_ELEMENTS",
                            &here,
                            m.key_pos,
                            "a statement may have Resource or NotResource, not both",
                        );
                    }
                    has_resource_element = true;
                    resource = self.items(&m.value, &here, key == "NotResource");
                }
                "Condition" => conditions = self.conditions(&m.value, &here),
                "Principal" | "NotPrincipal" => self.err(
                    "PRINCIPAL_IN_IDENTITY_POLICY",
                    &here,
                    m.key_pos,
                    format!(
                        "identity policies must not specify {key}: the principal is whoever the policy is attached to"
                    ),
                ),
                other => self.unknown_element(
                    other,
                    path,
                    m,
                    &["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"],
                ),
            }
        }
        if !members.iter().any(|m| m.key == "Effect") {
            self.err(
                "MISSING_EFFECT",
                path,
                node.pos,
                "the statement has no Effect: add \"Effect\": \"Allow\" or \"Deny\"",
            );
        }
        if !has_action_element {
            self.err(
                "MISSING_ACTION",
                path,
                node.pos,
                "the statement has no Action or NotAction element",
            );
        }
        if !has_resource_element {
            self.err(
                "MISSING_RESOURCE",
                path,
                node.pos,
                "the statement has no Resource or NotResource element (identity policies need one; use \"*\" for all resources)",
            );
        }
        if self.findings[before..]
            .iter()
            .any(|f| f.kind == FindingKind::Error)
        {
            return None;
        }
        Some(Statement {
            sid,
            effect: effect?,
            action: action?,
            resource: resource?,
            conditions,
            pos: node.pos,
        })
    }

    fn effect(&mut self, node: &Node, path: &str) -> Option<Effect> {
        let s = self.string(node, path)?;
        match s.value.as_str() {
            "Allow" => Some(Effect::Allow),
            "Deny" => Some(Effect::Deny),
            other => {
                self.err(
                    "INVALID_EFFECT",
                    path,
                    s.pos,
                    format!("Effect must be \"Allow\" or \"Deny\" (case-sensitive), found \"{other}\""),
                );
                None
            }
        }
    }

    fn items(&mut self, node: &Node, path: &str, negated: bool) -> Option<Items> {
        let name = path.rsplit('.').next().unwrap_or(path).to_owned();
        let values = match &node.kind {
            Kind::String(s) => vec![Spanned::new(s.clone(), node.pos)],
            Kind::Array(list) => {
                if list.is_empty() {
                    self.err(
                        "EMPTY_LIST",
                        path,
                        node.pos,
                        format!("{name} is an empty list: list at least one value"),
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(list.len());
                for (i, item) in list.iter().enumerate() {
                    out.push(self.string(item, &format!("{path}[{i}]"))?);
                }
                out
            }
            other => {
                self.err(
                    "INVALID_TYPE",
                    path,
                    node.pos,
                    format!(
                        "{name} must be a string or a list of strings, found {}",
                        other.type_name()
                    ),
                );
                return None;
            }
        };
        for (i, v) in values.iter().enumerate() {
            if v.value.is_empty() {
                let here = if values.len() == 1 {
                    path.to_owned()
                } else {
                    format!("{path}[{i}]")
                };
                self.err(
                    "EMPTY_VALUE",
                    &here,
                    v.pos,
                    format!("{name} values must not be empty"),
                );
                return None;
            }
        }
        Some(Items {
            negated,
            values,
            pos: node.pos,
        })
    }

    fn conditions(&mut self, node: &Node, path: &str) -> Vec<Condition> {
        let Kind::Object(operators) = &node.kind else {
            self.err(
                "INVALID_TYPE",
                path,
                node.pos,
                format!(
                    "Condition must be an object of the form {{\"operator\": {{\"key\": value}}}}, found {}",
                    node.kind.type_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for op in operators {
            let op_path = join(path, &op.key);
            let Kind::Object(keys) = &op.value.kind else {
                self.err(
                    "INVALID_TYPE",
                    &op_path,
                    op.value.pos,
                    format!(
                        "the {} condition must be an object of context keys and values, found {}",
                        op.key,
                        op.value.kind.type_name()
                    ),
                );
                continue;
            };
            if keys.is_empty() {
                self.err(
                    "EMPTY_CONDITION",
                    &op_path,
                    op.value.pos,
                    format!("the {} condition names no context key", op.key),
                );
            }
            for k in keys {
                let key_path = join(&op_path, &k.key);
                let mut values = Vec::new();
                let single = std::slice::from_ref(&k.value);
                let list = match &k.value.kind {
                    Kind::Array(list) => list.as_slice(),
                    _ => single,
                };
                if list.is_empty() {
                    self.err(
                        "EMPTY_LIST",
                        &key_path,
                        k.value.pos,
                        format!("the condition on {} lists no values", k.key),
                    );
                }
                for (i, v) in list.iter().enumerate() {
                    let text = match &v.kind {
                        Kind::String(s) => s.clone(),
                        Kind::Number(n) => n.clone(),
                        Kind::Bool(b) => b.to_string(),
                        other => {
                            let here = match k.value.kind {
                                Kind::Array(_) => format!("{key_path}[{i}]"),
                                _ => key_path.clone(),
                            };
                            self.err(
                                "INVALID_TYPE",
                                &here,
                                v.pos,
                                format!(
                                    "condition values must be strings, numbers or booleans, found {}",
                                    other.type_name()
                                ),
                            );
                            continue;
                        }
                    };
                    values.push(Spanned::new(text, v.pos));
                }
                out.push(Condition {
                    operator: Spanned::new(op.key.clone(), op.key_pos),
                    key: Spanned::new(k.key.clone(), k.key_pos),
                    values,
                });
            }
        }
        out
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}
