//! The request context: the condition keys of one request and their values. Keys are
//! case-insensitive (stored lower-cased). Each value is read as the types an operator compares
//! it as (number, date, boolean, IP address, lower case) at most once, when an operator first
//! asks: a console request builds a context for each authorization, and most of its values are
//! never compared as anything but a string.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use crate::values::{parse_bool, parse_date, parse_ip, parse_number};

/// One value of a context key, with its typed readings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Value {
    pub raw: String,
    lower: OnceLock<String>,
    number: OnceLock<Option<f64>>,
    date: OnceLock<Option<i128>>,
    boolean: OnceLock<Option<bool>>,
    ip: OnceLock<Option<IpAddr>>,
}

impl Value {
    fn new(raw: String) -> Self {
        Self {
            raw,
            lower: OnceLock::new(),
            number: OnceLock::new(),
            date: OnceLock::new(),
            boolean: OnceLock::new(),
            ip: OnceLock::new(),
        }
    }

    pub fn lower(&self) -> &str {
        self.lower.get_or_init(|| self.raw.to_lowercase())
    }

    pub fn number(&self) -> Option<f64> {
        *self.number.get_or_init(|| parse_number(&self.raw))
    }

    pub fn date(&self) -> Option<i128> {
        *self.date.get_or_init(|| parse_date(&self.raw))
    }

    pub fn boolean(&self) -> Option<bool> {
        *self.boolean.get_or_init(|| parse_bool(&self.raw))
    }

    pub fn ip(&self) -> Option<IpAddr> {
        *self.ip.get_or_init(|| parse_ip(&self.raw))
    }
}

/// A context value as a caller gives it: a string, a number, a boolean, or a list of strings
/// (a multivalued key such as `aws:TagKeys`).
#[derive(Clone, Debug, PartialEq)]
pub enum ContextValue {
    String(String),
    Number(f64),
    Bool(bool),
    List(Vec<String>),
}

impl From<&str> for ContextValue {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}
impl From<String> for ContextValue {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}
impl From<bool> for ContextValue {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}
impl From<i64> for ContextValue {
    fn from(n: i64) -> Self {
        // Context numbers are small (ages, epoch seconds): exact in an f64.
        Self::Number(n as f64)
    }
}
impl From<f64> for ContextValue {
    fn from(n: f64) -> Self {
        Self::Number(n)
    }
}
impl From<Vec<String>> for ContextValue {
    fn from(v: Vec<String>) -> Self {
        Self::List(v)
    }
}
impl From<&[&str]> for ContextValue {
    fn from(v: &[&str]) -> Self {
        Self::List(v.iter().map(|s| (*s).to_owned()).collect())
    }
}
impl<const N: usize> From<[&str; N]> for ContextValue {
    fn from(v: [&str; N]) -> Self {
        Self::List(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Entry {
    One(Value),
    Many(Vec<Value>),
}

impl Entry {
    pub fn values(&self) -> &[Value] {
        match self {
            Self::One(v) => std::slice::from_ref(v),
            Self::Many(vs) => vs,
        }
    }
}

/// The condition keys of a request. Build it once per request and evaluate many decisions with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    entries: HashMap<String, Entry>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (case-insensitive) to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: impl Into<ContextValue>) {
        let entry = match value.into() {
            ContextValue::String(s) => Entry::One(Value::new(s)),
            ContextValue::Number(n) => Entry::One(Value::new(format_number(n))),
            ContextValue::Bool(b) => Entry::One(Value::new(b.to_string())),
            ContextValue::List(list) => Entry::Many(list.into_iter().map(Value::new).collect()),
        };
        self.entries.insert(key.to_lowercase(), entry);
    }

    /// [`Context::insert`] for building a context in one expression.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<ContextValue>) -> Self {
        self.insert(key, value);
        self
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.remove(&key.to_lowercase());
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(&key.to_lowercase())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks up an already lower-cased key.
    #[inline]
    pub(crate) fn get(&self, lower_key: &str) -> Option<&Entry> {
        self.entries.get(lower_key)
    }

    /// The value a policy variable `${key}` (lower-cased) is replaced with: single-valued keys only.
    pub(crate) fn variable(&self, lower_key: &str) -> Option<&str> {
        match self.entries.get(lower_key)? {
            Entry::One(v) => Some(&v.raw),
            Entry::Many(_) => None,
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
