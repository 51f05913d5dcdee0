//! The policy document as parsed: the identity-policy grammar of the IAM JSON policy reference,
//! with every element's position kept for findings. Equality ignores positions, so a document and
//! its re-serialisation compare equal.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

use crate::json::Pos;

/// A value and where it was in the source. Equality compares the value only.
#[derive(Clone, Copy, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, pos: Pos) -> Self {
        Self { value, pos }
    }
}

/// The policy language version. A document without `Version` is read as 2008-10-17, as IAM does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Version {
    #[serde(rename = "2012-10-17")]
    V2012_10_17,
    #[serde(rename = "2008-10-17")]
    V2008_10_17,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2012_10_17 => "2012-10-17",
            Self::V2008_10_17 => "2008-10-17",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        }
    }
}

/// Text of the document: borrowed from the source when it had no escapes (most of it), so
/// reading a document allocates little; [`Policy::into_owned`] detaches it from the source.
pub type Text<'a> = Cow<'a, str>;

/// `Action` or `NotAction` (and likewise `Resource` or `NotResource`): the listed values and
/// whether the element is the negated one.
#[derive(Clone, Debug)]
pub struct Items<'a> {
    pub negated: bool,
    pub values: Vec<Spanned<Text<'a>>>,
    pub pos: Pos,
}

/// One condition: an operator, a context key and its values (strings, or the source text of
/// numbers and booleans; IAM compares condition values as text or parses them per operator).
#[derive(Clone, Debug, PartialEq)]
pub struct Condition<'a> {
    pub operator: Spanned<Text<'a>>,
    pub key: Spanned<Text<'a>>,
    pub values: Vec<Spanned<Text<'a>>>,
}

#[derive(Clone, Debug)]
pub struct Statement<'a> {
    pub sid: Option<Spanned<Text<'a>>>,
    pub effect: Effect,
    pub action: Items<'a>,
    pub resource: Items<'a>,
    pub conditions: Vec<Condition<'a>>,
    pub pos: Pos,
}

// Equality of document parts ignores where they were written.
impl PartialEq for Items<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.negated == other.negated && self.values == other.values
    }
}

impl PartialEq for Statement<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.sid == other.sid
            && self.effect == other.effect
            && self.action == other.action
            && self.resource == other.resource
            && self.conditions == other.conditions
    }
}

/// A parsed identity policy document, borrowing its text from the source.
#[derive(Clone, Debug)]
pub struct Policy<'a> {
    pub version: Option<Spanned<Version>>,
    pub id: Option<Text<'a>>,
    pub statements: Vec<Statement<'a>>,
    /// Whether `Statement` was a list (paths in findings say `Statement[i]`) or one object.
    pub(crate) statement_list: bool,
}

/// Equal documents say the same thing: how `Statement` was written does not matter.
impl PartialEq for Policy<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.id == other.id && self.statements == other.statements
    }
}

fn owned(t: Spanned<Text<'_>>) -> Spanned<Text<'static>> {
    Spanned::new(Cow::Owned(t.value.into_owned()), t.pos)
}

impl Items<'_> {
    pub fn into_owned(self) -> Items<'static> {
        Items {
            negated: self.negated,
            values: self.values.into_iter().map(owned).collect(),
            pos: self.pos,
        }
    }
}

impl Statement<'_> {
    pub fn into_owned(self) -> Statement<'static> {
        Statement {
            sid: self.sid.map(owned),
            effect: self.effect,
            action: self.action.into_owned(),
            resource: self.resource.into_owned(),
            conditions: self
                .conditions
                .into_iter()
                .map(|c| Condition {
                    operator: owned(c.operator),
                    key: owned(c.key),
                    values: c.values.into_iter().map(owned).collect(),
                })
                .collect(),
            pos: self.pos,
        }
    }
}

impl Policy<'_> {
    /// The document detached from its source text, to keep it.
    pub fn into_owned(self) -> Policy<'static> {
        Policy {
            version: self.version,
            id: self.id.map(|i| Cow::Owned(i.into_owned())),
            statements: self.statements.into_iter().map(Statement::into_owned).collect(),
            statement_list: self.statement_list,
        }
    }
}

impl Policy<'_> {
    /// Whether policy variables (`${...}`) are replaced: only under Version 2012-10-17.
    pub fn variables_enabled(&self) -> bool {
        self.version.as_ref().map(|v| v.value) == Some(Version::V2012_10_17)
    }

    /// The document as canonical JSON: elements in the reference's order, `Statement` as an array,
    /// one-element lists as a plain string, two-space indentation.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let mut first = true;
        let mut field = |out: &mut String, name: &str, value: &str| {
            if !first {
                out.push_str(",\n");
            }
            first = false;
            let _ = write!(out, "  {}: {value}", quote(name));
        };
        if let Some(v) = &self.version {
            field(&mut out, "Version", &quote(v.value.as_str()));
        }
        if let Some(id) = &self.id {
            field(&mut out, "Id", &quote(id));
        }
        let statements: Vec<String> = self.statements.iter().map(statement_json).collect();
        field(
            &mut out,
            "Statement",
            &format!("[\n{}\n  ]", statements.join(",\n")),
        );
        out.push_str("\n}");
        out
    }
}

fn statement_json(s: &Statement) -> String {
    let mut parts = Vec::new();
    if let Some(sid) = &s.sid {
        parts.push(format!("\"Sid\": {}", quote(&sid.value)));
    }
    parts.push(format!("\"Effect\": {}", quote(s.effect.as_str())));
    let action = if s.action.negated { "NotAction" } else { "Action" };
    parts.push(format!("{}: {}", quote(action), list_json(&s.action.values)));
    let resource = if s.resource.negated {
        "NotResource"
    } else {
        "Resource"
    };
    parts.push(format!("{}: {}", quote(resource), list_json(&s.resource.values)));
    if !s.conditions.is_empty() {
        // Group by operator, keeping the first appearance order of operators and keys.
        let mut ops: Vec<(&str, Vec<&Condition>)> = Vec::new();
        for c in &s.conditions {
            match ops.iter_mut().find(|(op, _)| *op == c.operator.value) {
                Some((_, list)) => list.push(c),
                None => ops.push((&c.operator.value, vec![c])),
            }
        }
        let blocks: Vec<String> = ops
            .iter()
            .map(|(op, conds)| {
                let keys: Vec<String> = conds
                    .iter()
                    .map(|c| format!("{}: {}", quote(&c.key.value), list_json(&c.values)))
                    .collect();
                format!("{}: {{{}}}", quote(op), keys.join(", "))
            })
            .collect();
        parts.push(format!("\"Condition\": {{{}}}", blocks.join(", ")));
    }
    format!("    {{\n      {}\n    }}", parts.join(",\n      "))
}

fn list_json(values: &[Spanned<Text<'_>>]) -> String {
    if let [one] = values {
        return quote(&one.value);
    }
    let items: Vec<String> = values.iter().map(|v| quote(&v.value)).collect();
    format!("[{}]", items.join(", "))
}

fn quote(s: &str) -> String {
    // serde_json's string escaping; serialising a &str cannot fail.
    serde_json::to_string(s).unwrap_or_default()
}
