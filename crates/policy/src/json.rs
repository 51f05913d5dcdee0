//! A small JSON reader that keeps what a policy editor needs and `serde_json` drops: the line and
//! column of every value and key, object members in document order, and duplicate keys (refused,
//! as IAM does). Numbers keep their source text, because IAM condition values are compared as
//! text or parsed by the operator that uses them.

use std::fmt;

/// Where something is in the document: 1-based line and column (in characters), 0-based offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub offset: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    /// The number's source text.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Member {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl Kind {
    /// The JSON type's name, for messages such as "expected a string, found an array".
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub message: String,
    pub pos: Pos,
}

/// Deeper nesting than any policy needs; the limit keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

pub(crate) fn parse(text: &str) -> Result<Node, JsonError> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
    };
    r.skip_ws();
    let node = r.value(0)?;
    r.skip_ws();
    if r.i < r.bytes.len() {
        return Err(r.error("unexpected text after the end of the JSON document"));
    }
    Ok(node)
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
}

impl Reader<'_> {
    fn pos(&self) -> Pos {
        let column = self.text[self.line_start..self.i].chars().count() + 1;
        Pos {
            line: self.line,
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset: self.i,
        }
    }

    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            message: message.into(),
            pos: self.pos(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                b' ' | b'\t' | b'\r' => self.i += 1,
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the document is nested too deeply"));
        }
        let pos = self.pos();
        let kind = match self.peek() {
            None => return Err(self.error("unexpected end of the document: a value is missing")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                let c = self.text[self.i..].chars().next().unwrap_or('?');
                return Err(self.error(format!("unexpected character '{c}': expected a JSON value")));
            }
        };
        Ok(Node { kind, pos })
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Result<Kind, JsonError> {
        if self.bytes[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!("invalid literal: expected `{word}`")))
        }
    }

    fn number(&mut self) -> Result<Kind, JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |r: &mut Self| {
            let s = r.i;
            while matches!(r.peek(), Some(b'0'..=b'9')) {
                r.i += 1;
            }
            r.i - s
        };
        let int_start = self.i;
        if digits(self) == 0 {
            return Err(self.error("invalid number: digits expected"));
        }
        if self.bytes[int_start] == b'0' && self.i - int_start > 1 {
            return Err(self.error("invalid number: leading zeros are not allowed"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.error("invalid number: digits expected after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number: digits expected in the exponent"));
            }
        }
        Ok(Kind::Number(self.text[start..self.i].to_owned()))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let run_start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.text[run_start..self.i]);
            match self.peek() {
                None => return Err(self.error("unterminated string: a closing quote is missing")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape sequence in a string")),
                    };
                    self.i += 1;
                    out.push(c);
                }
                Some(_) => return Err(self.error("control characters must be escaped inside a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(hex) = self.text.get(self.i..self.i + 4) else {
            return Err(self.error("invalid \\u escape: four hex digits expected"));
        };
        let v = u32::from_str_radix(hex, 16)
            .map_err(|_| self.error("invalid \\u escape: four hex digits expected"))?;
        self.i += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !self.bytes[self.i..].starts_with(b"\\u") {
                return Err(self.error("invalid \\u escape: unpaired surrogate"));
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.error("invalid \\u escape: unpaired surrogate"));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape: not a character"))
    }

    fn array(&mut self, depth: usize) -> Result<Kind, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Kind, JsonError> {
        self.i += 1;
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a quoted member name in an object"));
            }
            let key = self.string()?;
            if members.iter().any(|m| m.key == key) {
                return Err(JsonError {
                    message: format!("duplicate key \"{key}\": each key may appear once in an object"),
                    pos: key_pos,
                });
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after a member name"));
            }
            self.i += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_pos, value });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Kind::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let n = parse("{\n  \"a\": [1, \"x\"]\n}").unwrap();
        let Kind::Object(m) = n.kind else { panic!() };
        assert_eq!((m[0].key_pos.line, m[0].key_pos.column), (2, 3));
        let Kind::Array(items) = &m[0].value.kind else {
            panic!()
        };
        assert_eq!((items[1].pos.line, items[1].pos.column), (2, 12));
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_second_key() {
        let e = parse("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert!(e.message.contains("duplicate key \"a\""));
        assert_eq!((e.pos.line, e.pos.column), (2, 2));
    }

    #[test]
    fn escapes_and_surrogate_pairs_decode() {
        let n = parse(r#""a\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(n.kind, Kind::String("a\u{e9}\u{1F600}\n".into()));
    }

    #[test]
    fn trailing_text_and_trailing_commas_are_errors() {
        assert!(parse("{} x").is_err());
        assert!(parse("[1,]").is_err());
        assert!(parse("{\"a\":1,}").is_err());
        assert!(parse("01").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let text = "[".repeat(10_000);
        assert!(parse(&text).unwrap_err().message.contains("nested too deeply"));
    }
}
