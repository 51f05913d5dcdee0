//! Wildcard patterns (`*` any run of characters, `?` exactly one character) and policy-variable
//! templates (`${aws:username}`, `${key, 'default'}`, escapes `${*}` `${?}` `${$}`).
//!
//! Patterns are compiled once: a pattern without wildcards becomes an exact comparison, `abc*` a
//! prefix test, `*` a constant; only the rest run the general matcher, which backtracks to the
//! last `*` only and so runs in O(pattern × text) at worst, with no allocation.

use std::borrow::Cow;

use crate::context::Context;

/// One element of a pattern: literal text, `*`, or `?`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok<S> {
    Lit(S),
    Star,
    One,
}

/// A compiled wildcard pattern, matched byte-wise (callers lower-case both sides for
/// case-insensitive matching).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Glob {
    Any,
    Exact(Box<str>),
    Prefix(Box<str>),
    General(Vec<Tok<Box<str>>>),
}

impl Glob {
    /// Compiles `pattern`; with `wildcards` false, `*` and `?` are literal characters.
    pub fn new(pattern: &str, wildcards: bool) -> Self {
        if !wildcards {
            return Self::Exact(pattern.into());
        }
        Self::from_toks(split_wildcards(pattern))
    }

    pub fn from_toks(mut toks: Vec<Tok<Box<str>>>) -> Self {
        merge(&mut toks);
        match toks.as_slice() {
            [] => Self::Exact("".into()),
            [Tok::Star] => Self::Any,
            [Tok::Lit(s)] => Self::Exact(s.clone()),
            [Tok::Lit(s), Tok::Star] => Self::Prefix(s.clone()),
            _ => Self::General(toks),
        }
    }

    #[inline]
    pub fn matches(&self, text: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Exact(s) => **s == *text,
            Self::Prefix(p) => text.as_bytes().starts_with(p.as_bytes()),
            Self::General(toks) => glob_match(toks, text),
        }
    }
}

/// Splits a pattern into literal runs, `*` and `?`.
pub(crate) fn split_wildcards(pattern: &str) -> Vec<Tok<Box<str>>> {
    let mut toks = Vec::new();
    let mut lit = String::new();
    for c in pattern.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit).into_boxed_str()));
                }
                toks.push(if c == '*' { Tok::Star } else { Tok::One });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit.into_boxed_str()));
    }
    toks
}

/// Joins adjacent literals and collapses runs of `*` (which mean the same as one).
fn merge(toks: &mut Vec<Tok<Box<str>>>) {
    let mut out: Vec<Tok<Box<str>>> = Vec::with_capacity(toks.len());
    for t in toks.drain(..) {
        match (out.last_mut(), t) {
            (Some(Tok::Star), Tok::Star) => {}
            (Some(Tok::Lit(a)), Tok::Lit(b)) => {
                let mut s = String::from(&**a);
                s.push_str(&b);
                *a = s.into_boxed_str();
            }
            (_, t) => out.push(t),
        }
    }
    *toks = out;
}

/// The length in bytes of the UTF-8 character that starts at `text[i]`.
#[inline]
fn char_len(text: &[u8], i: usize) -> usize {
    match text[i] {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    }
}

/// A pattern as the matcher reads it: a sequence of tokens.
pub(crate) trait Tokens {
    fn count(&self) -> usize;
    fn tok(&self, i: usize) -> Tok<&[u8]>;
}

/// Compiled patterns: literal runs, `*` and `?`.
impl<S: AsRef<str>> Tokens for [Tok<S>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn tok(&self, i: usize) -> Tok<&[u8]> {
        match &self[i] {
            Tok::Lit(s) => Tok::Lit(s.as_ref().as_bytes()),
            Tok::Star => Tok::Star,
            Tok::One => Tok::One,
        }
    }
}

/// A pattern read straight from its text, a byte a token: for validation, which matches each
/// pattern once and so gains nothing from compiling it.
struct RawPattern<'a>(&'a [u8]);

impl Tokens for RawPattern<'_> {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn tok(&self, i: usize) -> Tok<&[u8]> {
        match self.0[i] {
            b'*' => Tok::Star,
            b'?' => Tok::One,
            _ => Tok::Lit(&self.0[i..=i]),
        }
    }
}

/// Wildcard matching over compiled tokens, case-sensitive.
pub(crate) fn glob_match<S: AsRef<str>>(toks: &[Tok<S>], text: &str) -> bool {
    match_tokens(toks, text.as_bytes(), false)
}

/// Wildcard matching straight on the pattern text, without compiling or allocating.
pub(crate) fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    match_tokens(&RawPattern(pattern.as_bytes()), text.as_bytes(), ignore_case)
}

/// [`wildcard_match`] ignoring ASCII case.
pub(crate) fn wildcard_match_ignore_case(pattern: &str, text: &str) -> bool {
    wildcard_match(pattern, text, true)
}

/// The one matcher: literals must match in turn, `?` takes one character, and on a mismatch
/// only the last `*` takes one more character (which suffices for `*`/`?` patterns).
fn match_tokens<T: Tokens + ?Sized>(toks: &T, text: &[u8], ignore_case: bool) -> bool {
    let (mut t, mut i) = (0usize, 0usize);
    // Where to resume after the last `*`: (token after the star, text position it has reached).
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if t < toks.count() {
            match toks.tok(t) {
                Tok::Star => {
                    t += 1;
                    if t == toks.count() {
                        return true;
                    }
                    resume = Some((t, i));
                    continue;
                }
                Tok::One => {
                    if i < text.len() {
                        i += char_len(text, i);
                        t += 1;
                        continue;
                    }
                }
                Tok::Lit(s) => {
                    let matched = text
                        .get(i..i + s.len())
                        .is_some_and(|head| head == s || (ignore_case && head.eq_ignore_ascii_case(s)));
                    if matched {
                        i += s.len();
                        t += 1;
                        continue;
                    }
                }
            }
        } else if i == text.len() {
            return true;
        }
        // Mismatch: let the last `*` swallow one more character, or fail.
        match resume {
            Some((rt, ri)) if ri < text.len() => {
                let ri = ri + char_len(text, ri);
                resume = Some((rt, ri));
                t = rt;
                i = ri;
            }
            _ => return false,
        }
    }
}

/// A template part: literal text, a wildcard, or a policy variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Lit(Box<str>),
    Star,
    One,
    /// `${key}` or `${key, 'default'}`; `key` is lower-cased.
    Var {
        key: Box<str>,
        default: Option<Box<str>>,
    },
}

/// A pattern that may contain policy variables. Without variables it is compiled to a [`Glob`];
/// with them it is resolved against the request context at evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Template {
    Static(Glob),
    Dynamic { parts: Vec<Part>, lowercase: bool },
}

/// A `${` that is not a well-formed variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VariableError(pub String);

/// Splits `text` into literal runs and variables (without interpreting wildcards).
pub(crate) fn parse_variables(text: &str) -> Result<Vec<Part>, VariableError> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        lit.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = find_variable_end(after) else {
            return Err(VariableError(format!(
                "the policy variable starting at \"{}\" has no closing '}}'",
                truncate(&rest[start..], 20)
            )));
        };
        let inner = &after[..end];
        rest = &after[end + 1..];
        match inner.trim() {
            "*" => lit.push('\u{0}'),
            "?" => lit.push('\u{1}'),
            "$" => lit.push('$'),
            _ => {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit).into_boxed_str()));
                }
                parts.push(parse_variable(inner)?);
            }
        }
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(Part::Lit(lit.into_boxed_str()));
    }
    Ok(parts)
}

/// Checks the `${...}` variables of `text` without building anything.
pub(crate) fn check_variables(text: &str) -> Result<(), VariableError> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = find_variable_end(after) else {
            return Err(VariableError(format!(
                "the policy variable starting at \"{}\" has no closing '}}'",
                truncate(&rest[start..], 20)
            )));
        };
        let inner = &after[..end];
        if !matches!(inner.trim(), "*" | "?" | "$") {
            parse_variable(inner)?;
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// The index of the `}` that closes a variable, skipping a quoted default value.
fn find_variable_end(s: &str) -> Option<usize> {
    let mut in_quote = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' if in_quote && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b'\'' => in_quote = !in_quote,
            b'}' if !in_quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_variable(inner: &str) -> Result<Part, VariableError> {
    let (key, default) = match inner.split_once(',') {
        None => (inner.trim(), None),
        Some((key, default)) => {
            let d = default.trim();
            if d.len() < 2 || !d.starts_with('\'') || !d.ends_with('\'') {
                return Err(VariableError(format!(
                    "the default value of ${{{}}} must be in single quotes, e.g. ${{{}, 'value'}}",
                    inner.trim(),
                    key.trim()
                )));
            }
            (key.trim(), Some(d[1..d.len() - 1].replace("''", "'")))
        }
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(VariableError(format!(
            "\"${{{inner}}}\" does not name a context key"
        )));
    }
    Ok(Part::Var {
        key: key.to_ascii_lowercase().into_boxed_str(),
        default: default.map(String::into_boxed_str),
    })
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

impl Template {
    /// Compiles `text`. With `variables`, `${...}` is replaced at evaluation; with `wildcards`,
    /// `*`/`?` match (escaped `${*}`/`${?}` never do); with `lowercase`, matching ignores case.
    /// An ill-formed variable is kept as literal text (validation reports it).
    pub fn new(text: &str, variables: bool, wildcards: bool, lowercase: bool) -> Self {
        let case = |s: &str| if lowercase { s.to_lowercase() } else { s.to_owned() };
        let parts = if variables && text.contains("${") {
            parse_variables(text).unwrap_or_else(|_| vec![Part::Lit(text.into())])
        } else {
            vec![Part::Lit(text.into())]
        };
        let mut out: Vec<Part> = Vec::new();
        for p in parts {
            match p {
                Part::Lit(s) => {
                    let s = case(&s);
                    let toks = if wildcards {
                        split_wildcards(&s)
                    } else {
                        vec![Tok::Lit(s.into())]
                    };
                    for t in toks {
                        out.push(match t {
                            Tok::Lit(l) => Part::Lit(unescape(&l).into()),
                            Tok::Star => Part::Star,
                            Tok::One => Part::One,
                        });
                    }
                }
                var => out.push(var),
            }
        }
        if out.iter().any(|p| matches!(p, Part::Var { .. })) {
            return Self::Dynamic {
                parts: out,
                lowercase,
            };
        }
        let toks = out
            .into_iter()
            .filter_map(|p| match p {
                Part::Lit(s) => Some(Tok::Lit(s)),
                Part::Star => Some(Tok::Star),
                Part::One => Some(Tok::One),
                Part::Var { .. } => None,
            })
            .collect();
        Self::Static(Glob::from_toks(toks))
    }

    /// Whether `text` matches; `None` when a variable cannot be resolved (the pattern then
    /// matches nothing, and the caller decides what that means for its element).
    pub fn matches(&self, text: &str, ctx: &Context) -> Option<bool> {
        match self {
            Self::Static(glob) => Some(glob.matches(text)),
            Self::Dynamic { parts, lowercase } => {
                let mut toks: Vec<Tok<Cow<'_, str>>> = Vec::with_capacity(parts.len());
                for p in parts {
                    toks.push(match p {
                        Part::Lit(s) => Tok::Lit(Cow::Borrowed(&**s)),
                        Part::Star => Tok::Star,
                        Part::One => Tok::One,
                        Part::Var { key, default } => {
                            let value = match ctx.variable(key) {
                                Some(v) => v,
                                None => default.as_deref()?,
                            };
                            Tok::Lit(if *lowercase {
                                Cow::Owned(value.to_lowercase())
                            } else {
                                Cow::Borrowed(value)
                            })
                        }
                    });
                }
                Some(glob_match(&toks, text))
            }
        }
    }
}

/// `${*}` and `${?}` are kept as private markers until wildcards are split, then become the
/// literal characters.
fn unescape(s: &str) -> String {
    s.replace('\u{0}', "*").replace('\u{1}', "?")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_forms_are_the_cheap_ones() {
        assert_eq!(Glob::new("*", true), Glob::Any);
        assert_eq!(Glob::new("**", true), Glob::Any);
        assert_eq!(Glob::new("iam:get*", true), Glob::Prefix("iam:get".into()));
        assert_eq!(Glob::new("iam:getuser", true), Glob::Exact("iam:getuser".into()));
        assert!(matches!(Glob::new("a*b", true), Glob::General(_)));
    }

    #[test]
    fn question_mark_consumes_one_whole_character() {
        assert!(Glob::new("a?c", true).matches("a\u{e9}c"));
        assert!(!Glob::new("a?c", true).matches("ac"));
    }

    #[test]
    fn variables_parse_with_defaults_and_escapes() {
        let parts = parse_variables("a${aws:UserName}b${k, 'it''s'}${*}").unwrap();
        assert_eq!(parts[0], Part::Lit("a".into()));
        assert_eq!(
            parts[1],
            Part::Var {
                key: "aws:username".into(),
                default: None
            }
        );
        assert_eq!(
            parts[3],
            Part::Var {
                key: "k".into(),
                default: Some("it's".into())
            }
        );
        assert!(parse_variables("${aws:username").is_err());
        assert!(parse_variables("${k, default}").is_err());
    }
}
