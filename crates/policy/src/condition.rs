//! Condition operators: every family of the IAM reference (String, Numeric, Date, Bool, Binary,
//! IpAddress, Arn, Null), their `...IfExists` forms and the `ForAllValues:` / `ForAnyValue:` set
//! qualifiers, compiled once and evaluated against a [`Context`].
//!
//! The rules: the values of one key are ORed (for a negated operator the context value must match
//! none of them). A missing key makes a positive operator false and a negated one true;
//! `...IfExists` is true on a missing key; `ForAllValues` is true on a missing or empty key and
//! `ForAnyValue` false. A context value that cannot be read as the operator's type is an
//! evaluation error, which the statement turns into a fail-closed result.

use std::net::IpAddr;

use base64::Engine as _;

use crate::context::{Context, Value};
use crate::pattern::Template;
use crate::values::{parse_bool, parse_date, parse_number, Cidr};

/// The comparison at the heart of an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BaseOp {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The operator families, which decide how values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

const ALL_OPS: &[(&str, BaseOp)] = &[
    ("StringEquals", BaseOp::StringEquals),
    ("StringNotEquals", BaseOp::StringNotEquals),
    ("StringEqualsIgnoreCase", BaseOp::StringEqualsIgnoreCase),
    ("StringNotEqualsIgnoreCase", BaseOp::StringNotEqualsIgnoreCase),
    ("StringLike", BaseOp::StringLike),
    ("StringNotLike", BaseOp::StringNotLike),
    ("NumericEquals", BaseOp::NumericEquals),
    ("NumericNotEquals", BaseOp::NumericNotEquals),
    ("NumericLessThan", BaseOp::NumericLessThan),
    ("NumericLessThanEquals", BaseOp::NumericLessThanEquals),
    ("NumericGreaterThan", BaseOp::NumericGreaterThan),
    ("NumericGreaterThanEquals", BaseOp::NumericGreaterThanEquals),
    ("DateEquals", BaseOp::DateEquals),
    ("DateNotEquals", BaseOp::DateNotEquals),
    ("DateLessThan", BaseOp::DateLessThan),
    ("DateLessThanEquals", BaseOp::DateLessThanEquals),
    ("DateGreaterThan", BaseOp::DateGreaterThan),
    ("DateGreaterThanEquals", BaseOp::DateGreaterThanEquals),
    ("Bool", BaseOp::Bool),
    ("BinaryEquals", BaseOp::BinaryEquals),
    ("IpAddress", BaseOp::IpAddress),
    ("NotIpAddress", BaseOp::NotIpAddress),
    ("ArnEquals", BaseOp::ArnEquals),
    ("ArnLike", BaseOp::ArnLike),
    ("ArnNotEquals", BaseOp::ArnNotEquals),
    ("ArnNotLike", BaseOp::ArnNotLike),
    ("Null", BaseOp::Null),
];

impl BaseOp {
    pub fn name(self) -> &'static str {
        ALL_OPS.iter().find(|(_, op)| *op == self).map_or("?", |(n, _)| n)
    }

    pub fn family(self) -> Family {
        use BaseOp::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => Family::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
        }
    }

    /// Negated operators hold when the context value matches none of the policy values.
    pub fn is_negated(self) -> bool {
        use BaseOp::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// Whether `*` and `?` in policy values are wildcards.
    pub fn has_wildcards(self) -> bool {
        use BaseOp::*;
        matches!(
            self,
            StringLike | StringNotLike | ArnEquals | ArnLike | ArnNotEquals | ArnNotLike
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

/// A parsed operator name such as `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operator {
    pub base: BaseOp,
    pub set: Option<SetQualifier>,
    pub if_exists: bool,
}

/// Why an operator name is not one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorError(pub String);

impl Operator {
    /// Parses an operator name. Names are matched ignoring case; the qualifier prefixes too.
    pub fn parse(name: &str) -> Result<Self, OperatorError> {
        // Fast path: a base operator spelt exactly as the reference spells it.
        if let Some((_, base)) = ALL_OPS.iter().find(|(n, _)| *n == name) {
            return Ok(Self {
                base: *base,
                set: None,
                if_exists: false,
            });
        }
        let (set, rest) = match name.split_once(':') {
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAllValues") => {
                (Some(SetQualifier::ForAllValues), rest)
            }
            Some((q, rest)) if q.eq_ignore_ascii_case("ForAnyValue") => {
                (Some(SetQualifier::ForAnyValue), rest)
            }
            Some((q, _)) => {
                return Err(OperatorError(format!(
                    "\"{q}:\" is not a set operator: use ForAllValues: or ForAnyValue:"
                )))
            }
            None => (None, name),
        };
        let suffix = "IfExists".len();
        let (base_name, if_exists) = match rest.len().checked_sub(suffix) {
            Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
                (&rest[..cut], true)
            }
            _ => (rest, false),
        };
        let base = ALL_OPS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(base_name))
            .map(|(_, op)| *op)
            .ok_or_else(|| OperatorError(format!("\"{name}\" is not a condition operator")))?;
        if base == BaseOp::Null && if_exists {
            return Err(OperatorError(
                "Null cannot be combined with IfExists: Null itself tests whether the key exists".into(),
            ));
        }
        if base == BaseOp::Null && set.is_some() {
            return Err(OperatorError(
                "Null cannot take a set qualifier (ForAllValues:/ForAnyValue:)".into(),
            ));
        }
        Ok(Self { base, set, if_exists })
    }

    pub fn name(&self) -> String {
        let mut s = String::new();
        match self.set {
            Some(SetQualifier::ForAllValues) => s.push_str("ForAllValues:"),
            Some(SetQualifier::ForAnyValue) => s.push_str("ForAnyValue:"),
            None => {}
        }
        s.push_str(self.base.name());
        if self.if_exists {
            s.push_str("IfExists");
        }
        s
    }
}

/// Checks that a policy value can be read by an operator family; the error says why not.
pub fn check_value(family: Family, value: &str) -> Result<(), String> {
    let ok = match family {
        Family::String | Family::Arn => true,
        Family::Numeric => parse_number(value).is_some(),
        Family::Date => parse_date(value).is_some(),
        Family::Bool | Family::Null => parse_bool(value).is_some(),
        Family::Binary => base64::engine::general_purpose::STANDARD.decode(value).is_ok(),
        Family::Ip => Cidr::parse(value).is_some(),
    };
    if ok {
        return Ok(());
    }
    Err(match family {
        Family::Numeric => format!("\"{value}\" is not a number"),
        Family::Date => format!(
            "\"{value}\" is not a date: use ISO 8601 (e.g. 2026-01-01T00:00:00Z) or epoch seconds"
        ),
        Family::Bool => format!("\"{value}\" is not a boolean: use true or false"),
        Family::Null => format!("\"{value}\" is not valid for Null: use true (the key must be absent) or false (it must be present)"),
        Family::Binary => format!("\"{value}\" is not base64-encoded"),
        Family::Ip => format!("\"{value}\" is not an IP address or CIDR block (e.g. 203.0.113.0/24)"),
        Family::String | Family::Arn => String::new(),
    })
}

/// Compiled policy values of one condition.
#[derive(Clone, Debug)]
enum Values {
    /// Strings (exact, ignore-case or like); the template lower-cases for ignore-case.
    Str(Vec<Template>),
    Num(Vec<f64>),
    Date(Vec<i128>),
    Bool(Vec<bool>),
    Bin(Vec<Vec<u8>>),
    Ip(Vec<Cidr>),
    Arn(Vec<ArnPattern>),
    Null(Vec<bool>),
    /// A value the operator cannot read: evaluation of this condition is an error.
    Invalid,
}

/// An ARN pattern for the Arn operators: the six colon-separated parts matched separately.
#[derive(Clone, Debug)]
enum ArnPattern {
    Any,
    Parts(Vec<Template>),
    /// Not six parts: matches nothing.
    Invalid,
}

/// The result of evaluating a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    True,
    False,
    /// The condition could not be evaluated (a value of the wrong type, an unknown operator).
    Error,
}

impl Outcome {
    fn from_bool(b: bool) -> Self {
        if b {
            Self::True
        } else {
            Self::False
        }
    }
}

/// One compiled condition: an operator, a lower-cased key, and the policy values.
#[derive(Clone, Debug)]
pub(crate) struct CompiledCondition {
    /// `None` for an operator name that does not parse (always an evaluation error).
    op: Option<Operator>,
    pub key: Box<str>,
    /// The key as the policy spells it.
    display: Box<str>,
    values: Values,
}

impl CompiledCondition {
    pub fn new(operator: &str, key: &str, values: &[&str], variables: bool) -> Self {
        let display = key.into();
        let key = key.to_lowercase().into_boxed_str();
        let Ok(op) = Operator::parse(operator) else {
            return Self {
                op: None,
                key,
                display,
                values: Values::Invalid,
            };
        };
        let family = op.base.family();
        let values = if values.iter().any(|v| check_value(family, v).is_err()) {
            Values::Invalid
        } else {
            // check_value passed for every value, so the parses below succeed.
            match family {
                Family::String => {
                    let lower = matches!(
                        op.base,
                        BaseOp::StringEqualsIgnoreCase | BaseOp::StringNotEqualsIgnoreCase
                    );
                    Values::Str(
                        values
                            .iter()
                            .map(|v| Template::new(v, variables, op.base.has_wildcards(), lower))
                            .collect(),
                    )
                }
                Family::Numeric => Values::Num(values.iter().filter_map(|v| parse_number(v)).collect()),
                Family::Date => Values::Date(values.iter().filter_map(|v| parse_date(v)).collect()),
                Family::Bool => Values::Bool(values.iter().filter_map(|v| parse_bool(v)).collect()),
                Family::Null => Values::Null(values.iter().filter_map(|v| parse_bool(v)).collect()),
                Family::Binary => Values::Bin(
                    values
                        .iter()
                        .filter_map(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
                        .collect(),
                ),
                Family::Ip => Values::Ip(values.iter().filter_map(|v| Cidr::parse(v)).collect()),
                Family::Arn => Values::Arn(values.iter().map(|v| ArnPattern::new(v, variables)).collect()),
            }
        };
        Self {
            op: Some(op),
            key,
            display,
            values,
        }
    }

    pub fn display_key(&self) -> &str {
        &self.display
    }

    pub fn evaluate(&self, ctx: &Context) -> Outcome {
        let Some(op) = self.op else {
            return Outcome::Error;
        };
        if matches!(self.values, Values::Invalid) {
            return Outcome::Error;
        }
        let entry = ctx.get(&self.key);
        let values = entry.map_or(&[][..], |e| e.values());
        if let Values::Null(expect) = &self.values {
            let absent = values.is_empty();
            return Outcome::from_bool(expect.contains(&absent));
        }
        if values.is_empty() {
            return Outcome::from_bool(match op.set {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => op.if_exists,
                None => op.if_exists || op.base.is_negated(),
            });
        }
        let negated = op.base.is_negated();
        // Each context value's result, with negation applied per value.
        let mut any = false;
        let mut all = true;
        for v in values {
            let Some(hit) = self.any_policy_value_matches(op.base, v, ctx) else {
                return Outcome::Error;
            };
            let r = hit != negated;
            any |= r;
            all &= r;
        }
        Outcome::from_bool(match op.set {
            Some(SetQualifier::ForAllValues) => all,
            Some(SetQualifier::ForAnyValue) => any,
            // Without a qualifier, a multivalued key matches if any of its values matches; a
            // negated operator needs every value to match none of the policy values.
            None if negated => all,
            None => any,
        })
    }

    /// Whether the context value `v` matches at least one policy value under the positive form of
    /// the operator; `None` if `v` cannot be read as the operator's type.
    fn any_policy_value_matches(&self, base: BaseOp, v: &Value, ctx: &Context) -> Option<bool> {
        use BaseOp::*;
        Some(match &self.values {
            Values::Str(templates) => {
                let text = match base {
                    StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => v.lower(),
                    _ => v.raw.as_str(),
                };
                templates.iter().any(|t| t.matches(text, ctx).unwrap_or(false))
            }
            Values::Num(ns) => {
                let x = v.number()?;
                ns.iter().any(|n| compare(base, x.partial_cmp(n)))
            }
            Values::Date(ds) => {
                let x = v.date()?;
                ds.iter().any(|d| compare(base, Some(x.cmp(d))))
            }
            Values::Bool(bs) => {
                let x = v.boolean()?;
                bs.contains(&x)
            }
            Values::Bin(bins) => {
                let x = base64::engine::general_purpose::STANDARD.decode(&v.raw).ok()?;
                bins.contains(&x)
            }
            Values::Ip(nets) => {
                let ip: IpAddr = v.ip()?;
                nets.iter().any(|n| n.contains(ip))
            }
            Values::Arn(patterns) => patterns.iter().any(|p| arn_matches(p, &v.raw, ctx)),
            Values::Null(_) | Values::Invalid => return None,
        })
    }
}

fn compare(base: BaseOp, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    use BaseOp::*;
    let Some(ord) = ord else { return false };
    match base {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => ord == Equal,
        NumericLessThan | DateLessThan => ord == Less,
        NumericLessThanEquals | DateLessThanEquals => ord != Greater,
        NumericGreaterThan | DateGreaterThan => ord == Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => ord != Less,
        _ => false,
    }
}

/// ArnEquals/ArnLike: each of the six colon-delimited parts is matched separately, so a wildcard
/// never crosses a `:` before the resource part (which itself may contain colons).
fn arn_matches(pattern: &ArnPattern, arn: &str, ctx: &Context) -> bool {
    match pattern {
        ArnPattern::Any => true,
        ArnPattern::Parts(parts) => {
            let mut arn_parts = arn.splitn(6, ':');
            parts.iter().all(|p| match arn_parts.next() {
                Some(a) => p.matches(a, ctx).unwrap_or(false),
                None => false,
            })
        }
        ArnPattern::Invalid => false,
    }
}

impl ArnPattern {
    fn new(value: &str, variables: bool) -> Self {
        if value == "*" {
            return Self::Any;
        }
        let parts = split_arn(value);
        if parts.len() != 6 {
            return Self::Invalid;
        }
        Self::Parts(
            parts
                .iter()
                .map(|p| Template::new(p, variables, true, false))
                .collect(),
        )
    }
}

/// The parts of an ARN (pattern): at most six, split at the colons not inside `${...}`.
pub(crate) struct ArnParts<'a> {
    parts: [&'a str; 6],
    len: usize,
}

impl<'a> ArnParts<'a> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        (i < self.len).then(|| self.parts[i])
    }

    pub fn last(&self) -> Option<&'a str> {
        self.len.checked_sub(1).map(|i| self.parts[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.parts[..self.len].iter().copied()
    }
}

/// Splits an ARN (pattern) into at most six parts at the colons that are not inside `${...}`.
pub(crate) fn split_arn(value: &str) -> ArnParts<'_> {
    let mut parts = [""; 6];
    let mut len = 0;
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 && len < 5 => {
                parts[len] = &value[start..i];
                len += 1;
                start = i + 1;
            }
            _ => {}
        }
    }
    parts[len] = &value[start..];
    ArnParts { parts, len: len + 1 }
}
