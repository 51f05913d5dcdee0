//! The grammar: from JSON to a [`Policy`], refusing (with an error finding that names the JSON
//! location) everything the identity-policy grammar does not allow: unknown or misspelt elements,
//! wrong JSON types, missing or conflicting elements, `Principal`, bad `Version`/`Effect`, the
//! character set and the size limit of the policy kind.

use std::borrow::Cow;

use crate::document::{Condition, Effect, Items, Policy, Spanned, Statement, Text, Version};
use crate::finding::{Finding, FindingKind};
use crate::json::{self, Kind, Node, Pos};
use crate::PolicyKind;

/// Parses `text`; the policy is `None` when any grammar error was found (they are all in `findings`).
pub(crate) fn parse<'a>(text: &'a str, kind: PolicyKind, findings: &mut Vec<Finding>) -> Option<Policy<'a>> {
    let before = findings.len();
    let scan = scan(text);
    if scan.other_bytes > 0 {
        check_characters(text, findings);
    }
    let size = if scan.ascii {
        text.len() - scan.whitespace
    } else {
        crate::policy_size(text)
    };
    check_size(size, kind, findings);
    let tape = match json::parse(text, scan.ascii) {
        Ok(tape) => tape,
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
    let policy = Parser { findings }.policy(tape.root());
    if findings[before..].iter().any(|f| f.kind == FindingKind::Error) {
        None
    } else {
        policy
    }
}

/// One pass over the bytes: ASCII whitespace, and bytes that are not printable ASCII or one of
/// the three allowed control characters (which need the character-by-character check).
struct Scan {
    ascii: bool,
    whitespace: usize,
    other_bytes: usize,
}

fn scan(text: &str) -> Scan {
    let (mut whitespace, mut other_bytes, mut high) = (0usize, 0usize, 0usize);
    for chunk in text.as_bytes().chunks(255) {
        let (mut ws, mut other, mut hi) = (0u8, 0u8, 0u8);
        for &b in chunk {
            ws += u8::from(b == b' ' || (b'\t'..=b'\r').contains(&b));
            other += u8::from(!((0x20..0x7f).contains(&b) || b == b'\t' || b == b'\n' || b == b'\r'));
            hi += u8::from(b >= 0x80);
        }
        whitespace += usize::from(ws);
        other_bytes += usize::from(other);
        high += usize::from(hi);
    }
    Scan {
        ascii: high == 0,
        whitespace,
        other_bytes,
    }
}

fn error(code: &'static str, path: &str, pos: Pos, message: impl Into<String>) -> Finding {
    Finding::new(FindingKind::Error, code, path, pos, message)
}

/// IAM accepts tab, line feed, carriage return and U+0020 to U+00FF in a policy document.
fn check_characters(text: &str, findings: &mut Vec<Finding>) {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || ('\u{20}'..='\u{ff}').contains(&c);
    // Fast path: printable ASCII and the three whitespace controls are always allowed.
    let Some((offset, c)) = text.char_indices().find(|(_, c)| !allowed(*c)) else {
        return;
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    findings.push(error(
        "INVALID_CHARACTER",
        "",
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset,
        },
        format!(
            "the character U+{:04X} is not allowed: a policy may contain only tab, line feed, carriage return and the characters U+0020 to U+00FF",
            u32::from(c)
        ),
    ));
}

fn check_size(size: usize, kind: PolicyKind, findings: &mut Vec<Finding>) {
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

/// A JSON path built on the stack and rendered to text (`Statement[1].Action[0]`) only when a
/// finding needs it: parsing a valid document formats no path at all.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(Path::Root, k) => (*k).to_owned(),
            Path::Key(parent, k) => format!("{}.{k}", parent.render()),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }

    /// The last element name, for messages ("Action must be ...").
    fn name(&self) -> &str {
        match self {
            Path::Root => "document",
            Path::Key(_, k) => k,
            Path::Index(parent, _) => parent.name(),
        }
    }
}

struct Parser<'f> {
    findings: &'f mut Vec<Finding>,
}

impl Parser<'_> {
    fn err(&mut self, code: &'static str, path: &Path<'_>, pos: Pos, message: impl Into<String>) {
        self.findings.push(error(code, &path.render(), pos, message));
    }

    fn policy<'a>(&mut self, root: Node<'_, 'a>) -> Option<Policy<'a>> {
        if !self.is_object(root, &Path::Root, "a policy document must be a JSON object") {
            return None;
        };
        let mut version = None;
        let mut id = None;
        let mut statements = None;
        let mut has_statement = false;
        let mut statement_list = false;
        for (key, key_pos, value) in root.members() {
            match &**key {
                "Version" => version = self.version(value),
                "Id" => id = self.string(value, &Path::Key(&Path::Root, "Id")).map(|s| s.value),
                "Statement" => {
                    has_statement = true;
                    statement_list = matches!(value.kind(), Kind::Array);
                    statements = self.statements(value);
                }
                other => self.unknown_element(other, &Path::Root, key_pos, &["Version", "Id", "Statement"]),
            }
        }
        let Some(statements) = statements else {
            if !has_statement {
                self.err(
                    "MISSING_STATEMENT",
                    &Path::Root,
                    root.pos(),
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

    /// Whether `node` is an object; if not, reports "<expected>, found <its type>".
    fn is_object(&mut self, node: Node<'_, '_>, path: &Path<'_>, expected: &str) -> bool {
        if matches!(node.kind(), Kind::Object) {
            return true;
        }
        let found = node.kind().type_name();
        self.err(
            "INVALID_TYPE",
            path,
            node.pos(),
            format!("{expected}, found {found}"),
        );
        false
    }

    fn unknown_element(&mut self, name: &str, parent: &Path<'_>, pos: Pos, known: &[&str]) {
        let hint = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map(|k| format!(" (element names are case-sensitive: did you mean \"{k}\"?)"))
            .unwrap_or_else(|| format!("; the allowed elements are {}", known.join(", ")));
        self.err(
            "UNKNOWN_ELEMENT",
            &Path::Key(parent, name),
            pos,
            format!("\"{name}\" is not a policy element here{hint}"),
        );
    }

    fn version(&mut self, node: Node<'_, '_>) -> Option<Spanned<Version>> {
        let path = Path::Key(&Path::Root, "Version");
        let s = self.string(node, &path)?;
        match &*s.value {
            "2012-10-17" => Some(Spanned::new(Version::V2012_10_17, s.pos)),
            "2008-10-17" => Some(Spanned::new(Version::V2008_10_17, s.pos)),
            other => {
                self.err(
                    "INVALID_VERSION",
                    &path,
                    s.pos,
                    format!("Version \"{other}\" is not a policy language version: use \"2012-10-17\""),
                );
                None
            }
        }
    }

    fn string<'a>(&mut self, node: Node<'_, 'a>, path: &Path<'_>) -> Option<Spanned<Text<'a>>> {
        match node.kind() {
            Kind::String(s) => Some(Spanned::new(s.clone(), node.pos())),
            other => {
                let rendered = path.render();
                self.err(
                    "INVALID_TYPE",
                    path,
                    node.pos(),
                    format!("{rendered} must be a string, found {}", other.type_name()),
                );
                None
            }
        }
    }

    fn statements<'a>(&mut self, node: Node<'_, 'a>) -> Option<Vec<Statement<'a>>> {
        let path = Path::Key(&Path::Root, "Statement");
        match node.kind() {
            Kind::Object => Some(vec![self.statement(node, &path)?]),
            Kind::Array => {
                if node.is_empty() {
                    self.err(
                        "MISSING_STATEMENT",
                        &path,
                        node.pos(),
                        "Statement is an empty list: add at least one statement",
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(node.len());
                let mut ok = true;
                for (i, item) in node.items().enumerate() {
                    match self.statement(item, &Path::Index(&path, i)) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.err(
                    "INVALID_TYPE",
                    &path,
                    node.pos(),
                    format!(
                        "Statement must be an object or a list of objects, found {}",
                        other.type_name()
                    ),
                );
                None
            }
        }
    }

    fn statement<'a>(&mut self, node: Node<'_, 'a>, path: &Path<'_>) -> Option<Statement<'a>> {
        if !self.is_object(node, path, "a statement must be a JSON object") {
            return None;
        }
        let before = self.findings.len();
        let mut sid = None;
        let mut effect = None;
        let mut has_effect = false;
        let mut action: Option<Items<'a>> = None;
        let mut resource: Option<Items<'a>> = None;
        let mut conditions = Vec::new();
        let mut has_action_element = false;
        let mut has_resource_element = false;
        for (key, key_pos, value) in node.members() {
            let key: &str = key;
            let here = Path::Key(path, key);
            match key {
                "Sid" => sid = self.string(value, &here),
                "Effect" => {
                    has_effect = true;
                    effect = self.effect(value, &here);
                }
                "Action" | "NotAction" => {
                    action = self.one_of(&mut has_action_element, "Action or NotAction", value, &here, key_pos);
                }
                "Resource" | "NotResource" => {
                    resource = self.one_of(&mut has_resource_element, "Resource or NotResource", value, &here, key_pos);
                }
                "Condition" => conditions = self.conditions(value, &here),
                "Principal" | "NotPrincipal" => self.err(
                    "PRINCIPAL_IN_IDENTITY_POLICY",
                    &here,
                    key_pos,
                    format!(
                        "identity policies must not specify {key}: the principal is whoever the policy is attached to"
                    ),
                ),
                other => self.unknown_element(
                    other,
                    path,
                    key_pos,
                    &["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"],
                ),
            }
        }
        if !has_effect {
            self.err(
                "MISSING_EFFECT",
                path,
                node.pos(),
                "the statement has no Effect: add \"Effect\": \"Allow\" or \"Deny\"",
            );
        }
        if !has_action_element {
            self.err(
                "MISSING_ACTION",
                path,
                node.pos(),
                "the statement has no Action or NotAction element",
            );
        }
        if !has_resource_element {
            self.err(
                "MISSING_RESOURCE",
                path,
                node.pos(),
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
            pos: node.pos(),
        })
    }

    /// `Action`/`NotAction` or `Resource`/`NotResource`: the statement may have one of the pair.
    fn one_of<'a>(
        &mut self,
        seen: &mut bool,
        pair: &str,
        value: Node<'_, 'a>,
        here: &Path<'_>,
        key_pos: Pos,
    ) -> Option<Items<'a>> {
        if *seen {
            self.err(
                "CONFLICTING_ELEMENTS",
                here,
                key_pos,
                format!("a statement may have {pair}, not both"),
            );
        }
        *seen = true;
        self.items(value, here, here.name().starts_with("Not"))
    }

    fn effect(&mut self, node: Node<'_, '_>, path: &Path<'_>) -> Option<Effect> {
        match node.kind() {
            Kind::String(s) if s == "Allow" => Some(Effect::Allow),
            Kind::String(s) if s == "Deny" => Some(Effect::Deny),
            Kind::String(other) => {
                self.err(
                    "INVALID_EFFECT",
                    path,
                    node.pos(),
                    format!("Effect must be \"Allow\" or \"Deny\" (case-sensitive), found \"{other}\""),
                );
                None
            }
            _ => {
                self.string(node, path);
                None
            }
        }
    }

    fn items<'a>(&mut self, node: Node<'_, 'a>, path: &Path<'_>, negated: bool) -> Option<Items<'a>> {
        let name = path.name();
        let pos = node.pos();
        let single = matches!(node.kind(), Kind::String(_));
        let values = match node.kind() {
            Kind::String(s) => vec![Spanned::new(s.clone(), pos)],
            Kind::Array => {
                if node.is_empty() {
                    self.err(
                        "EMPTY_LIST",
                        path,
                        pos,
                        format!("{name} is an empty list: list at least one value"),
                    );
                    return None;
                }
                let mut out = Vec::with_capacity(node.len());
                for (i, item) in node.items().enumerate() {
                    out.push(self.string(item, &Path::Index(path, i))?);
                }
                out
            }
            other => {
                self.err(
                    "INVALID_TYPE",
                    path,
                    pos,
                    format!(
                        "{name} must be a string or a list of strings, found {}",
                        other.type_name()
                    ),
                );
                return None;
            }
        };
        if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| v.value.is_empty()) {
            let at = Path::Index(path, i);
            self.err(
                "EMPTY_VALUE",
                if single { path } else { &at },
                v.pos,
                format!("{name} values must not be empty"),
            );
            return None;
        }
        Some(Items { negated, values, pos })
    }

    fn conditions<'a>(&mut self, node: Node<'_, 'a>, path: &Path<'_>) -> Vec<Condition<'a>> {
        if !self.is_object(
            node,
            path,
            "Condition must be an object of the form {\"operator\": {\"key\": value}}",
        ) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (op_text, op_pos, block) in node.members() {
            let op: &str = op_text;
            let op_path = Path::Key(path, op);
            let expected = format!("the {op} condition must be an object of context keys and values");
            if !self.is_object(block, &op_path, &expected) {
                continue;
            }
            if block.is_empty() {
                self.err(
                    "EMPTY_CONDITION",
                    &op_path,
                    block.pos(),
                    format!("the {op} condition names no context key"),
                );
            }
            for (key_text, key_pos, value) in block.members() {
                let key: &str = key_text;
                let key_path = Path::Key(&op_path, key);
                let is_list = matches!(value.kind(), Kind::Array);
                let mut values = Vec::with_capacity(if is_list { value.len() } else { 1 });
                let mut push = |this: &mut Self, i: usize, v: Node<'_, 'a>| {
                    let text: Text<'a> = match v.kind() {
                        Kind::String(s) => s.clone(),
                        Kind::Number(n) => Cow::Borrowed(*n),
                        Kind::Bool(true) => Cow::Borrowed("true"),
                        Kind::Bool(false) => Cow::Borrowed("false"),
                        other => {
                            let at = Path::Index(&key_path, i);
                            this.err(
                                "INVALID_TYPE",
                                if is_list { &at } else { &key_path },
                                v.pos(),
                                format!(
                                    "condition values must be strings, numbers or booleans, found {}",
                                    other.type_name()
                                ),
                            );
                            return;
                        }
                    };
                    values.push(Spanned::new(text, v.pos()));
                };
                if is_list {
                    if value.is_empty() {
                        self.err(
                            "EMPTY_LIST",
                            &key_path,
                            value.pos(),
                            format!("the condition on {key} lists no values"),
                        );
                    }
                    for (i, v) in value.items().enumerate() {
                        push(self, i, v);
                    }
                } else {
                    push(self, 0, value);
                }
                out.push(Condition {
                    operator: Spanned::new(op_text.clone(), op_pos),
                    key: Spanned::new(key_text.clone(), key_pos),
                    values,
                });
            }
        }
        out
    }
}
