//! A small JSON reader that keeps what a policy editor needs and `serde_json` drops: the line and
//! column of every value and key, object members in document order, and duplicate keys (refused,
//! as IAM does). Numbers keep their source text, because IAM condition values are compared as
//! text or parsed by the operator that uses them.

use std::borrow::Cow;
use std::fmt;

/// Where something is in the document: 1-based line and column (in characters), 0-based byte
/// offset (documents are far smaller than 4 GiB: the size limits are a few KiB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub offset: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// What a value on the tape is. Strings without escapes borrow from the source text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind<'a> {
    Null,
    Bool(bool),
    /// The number's source text.
    Number(&'a str),
    String(Cow<'a, str>),
    Array,
    Object,
}

impl Kind<'_> {
    /// The JSON type's name, for messages such as "expected a string, found an array".
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        }
    }
}

/// One value on the tape: the values of a document in document order, each container followed
/// by its contents, so a whole document is one allocation. `end` is the index after the value's
/// subtree; `key` is the member name when the value is an object member.
#[derive(Clone, Debug)]
struct Slot<'a> {
    kind: Kind<'a>,
    pos: Pos,
    end: u32,
    key: Option<(Cow<'a, str>, Pos)>,
}

/// A parsed document.
#[derive(Clone, Debug)]
pub(crate) struct Tape<'a> {
    slots: Vec<Slot<'a>>,
}

impl<'a> Tape<'a> {
    pub fn root(&self) -> Node<'_, 'a> {
        Node { tape: self, i: 0 }
    }
}

/// A value of a [`Tape`]: cheap to copy, reads in place.
#[derive(Clone, Copy)]
pub(crate) struct Node<'t, 'a> {
    tape: &'t Tape<'a>,
    i: usize,
}

impl<'t, 'a> Node<'t, 'a> {
    fn slot(&self) -> &'t Slot<'a> {
        &self.tape.slots[self.i]
    }

    pub fn kind(&self) -> &'t Kind<'a> {
        &self.slot().kind
    }

    pub fn pos(&self) -> Pos {
        self.slot().pos
    }

    fn children(&self) -> impl Iterator<Item = Node<'t, 'a>> + 't {
        let tape = self.tape;
        let end = self.slot().end as usize;
        let mut next = self.i + 1;
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let node = Node { tape, i: next };
                next = tape.slots[next].end as usize;
                node
            })
        })
    }

    /// The elements of an array (nothing for other values).
    pub fn items(&self) -> impl Iterator<Item = Node<'t, 'a>> + 't {
        let array = matches!(self.kind(), Kind::Array);
        self.children().filter(move |_| array)
    }

    /// The members of an object, in document order: (name, name position, value).
    pub fn members(&self) -> impl Iterator<Item = (&'t Cow<'a, str>, Pos, Node<'t, 'a>)> + 't {
        static NO_KEY: Cow<'static, str> = Cow::Borrowed("");
        let object = matches!(self.kind(), Kind::Object);
        self.children().filter(move |_| object).map(|n| {
            let (key, pos) = n
                .slot()
                .key
                .as_ref()
                .map_or((&NO_KEY, Pos::default()), |(k, p)| (k, *p));
            (key, pos, n)
        })
    }

    pub fn len(&self) -> usize {
        self.children().count()
    }

    pub fn is_empty(&self) -> bool {
        self.slot().end as usize == self.i + 1
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub message: String,
    pub pos: Pos,
}

/// Deeper nesting than any policy needs; the limit keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

/// Reads `text`; `ascii` says whether it is all ASCII (the caller has usually scanned it already).
pub(crate) fn parse(text: &str, ascii: bool) -> Result<Tape<'_>, JsonError> {
    let mut r = Reader {
        bytes: text.as_bytes(),
        text,
        ascii,
        i: 0,
        line: 1,
        mark: std::cell::Cell::new((0, 1)),
        // About one value per ten bytes of a typical policy: one allocation, rarely regrown.
        slots: Vec::with_capacity(text.len() / 10 + 8),
    };
    r.skip_ws();
    r.value(0, None)?;
    r.skip_ws();
    if r.i < r.bytes.len() {
        return Err(r.error("unexpected text after the end of the JSON document"));
    }
    Ok(Tape { slots: r.slots })
}

struct Reader<'a> {
    bytes: &'a [u8],
    text: &'a str,
    /// In an ASCII document a column is a byte distance: no characters to count.
    ascii: bool,
    i: usize,
    line: u32,
    /// The last (offset, column) computed on the current line: columns are counted from there,
    /// so a long single-line document costs linear, not quadratic, time.
    mark: std::cell::Cell<(usize, u32)>,
    slots: Vec<Slot<'a>>,
}

impl<'a> Reader<'a> {
    fn pos(&self) -> Pos {
        let (offset, column) = self.mark.get();
        let more = if self.ascii {
            self.i - offset
        } else {
            self.text[offset..self.i].chars().count()
        };
        let column = column.saturating_add(u32::try_from(more).unwrap_or(u32::MAX));
        self.mark.set((self.i, column));
        Pos {
            line: self.line,
            column,
            offset: u32::try_from(self.i).unwrap_or(u32::MAX),
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
                    self.mark.set((self.i, 1));
                }
                b' ' | b'\t' | b'\r' => self.i += 1,
                _ => break,
            }
        }
    }

    /// Reads one value onto the tape (with its member name, inside an object).
    fn value(&mut self, depth: usize, key: Option<(Cow<'a, str>, Pos)>) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("the document is nested too deeply"));
        }
        let pos = self.pos();
        let at = self.slots.len();
        let kind = match self.peek() {
            None => return Err(self.error("unexpected end of the document: a value is missing")),
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
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
        let container = matches!(kind, Kind::Object | Kind::Array);
        self.slots.push(Slot {
            kind,
            pos,
            end: 0,
            key,
        });
        if container {
            if self.peek() == Some(b'{') {
                self.object(depth, at)?;
            } else {
                self.array(depth)?;
            }
        }
        self.slots[at].end = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        Ok(())
    }

    fn literal(&mut self, word: &str, kind: Kind<'a>) -> Result<Kind<'a>, JsonError> {
        if self.bytes[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!("invalid literal: expected `{word}`")))
        }
    }

    fn number(&mut self) -> Result<Kind<'a>, JsonError> {
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
        Ok(Kind::Number(&self.text[start..self.i]))
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.i += 1; // the opening quote
                     // Fast path: no escape before the closing quote, so the string is a slice of the source.
        let start = self.i;
        let text: &'a str = self.text;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Borrowed(&text[start..self.i - 1]));
                }
                b'\\' => break,
                b if b < 0x20 => break,
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&text[start..self.i]);
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
                    return Ok(Cow::Owned(out));
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

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            self.value(depth + 1, None)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    /// Reads an object's members; `at` is the object's own slot (to find earlier keys).
    fn object(&mut self, depth: usize, at: usize) -> Result<(), JsonError> {
        self.i += 1;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a quoted member name in an object"));
            }
            let key = self.string()?;
            if self.has_member(at, &key) {
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
            self.value(depth + 1, Some((key, key_pos)))?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }

    /// Whether the object at slot `at` (still being read) already has a member `key`.
    fn has_member(&self, at: usize, key: &str) -> bool {
        let mut next = at + 1;
        while next < self.slots.len() {
            let slot = &self.slots[next];
            if slot
                .key
                .as_ref()
                .is_some_and(|(k, _)| k.len() == key.len() && k == key)
            {
                return true;
            }
            // Members already read are complete; skip over each one's subtree.
            next = (slot.end as usize).max(next + 1);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let tape = parse("{\n  \"a\": [1, \"x\"]\n}", true).unwrap();
        let (key, key_pos, value) = tape.root().members().next().unwrap();
        assert_eq!(key, "a");
        assert_eq!((key_pos.line, key_pos.column), (2, 3));
        let items: Vec<_> = value.items().collect();
        assert_eq!((items[1].pos().line, items[1].pos().column), (2, 12));
    }

    #[test]
    fn members_and_items_skip_nested_subtrees() {
        let tape = parse(r#"{"a": {"b": [1, {"c": 2}]}, "d": [[], [3]], "e": "x"}"#, true).unwrap();
        let keys: Vec<&str> = tape.root().members().map(|(k, _, _)| &**k).collect();
        assert_eq!(keys, ["a", "d", "e"]);
        let (_, _, d) = tape.root().members().nth(1).unwrap();
        assert_eq!(d.len(), 2);
        assert!(d.items().next().unwrap().is_empty());
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_second_key() {
        let e = parse("{\"a\": {\"a\": 1},\n \"a\": 2}", true).unwrap_err();
        assert!(e.message.contains("duplicate key \"a\""));
        assert_eq!((e.pos.line, e.pos.column), (2, 2));
    }

    #[test]
    fn nested_objects_may_reuse_their_parents_keys() {
        assert!(parse(r#"{"a": {"a": {"a": 1}}, "b": 2}"#, true).is_ok());
    }

    #[test]
    fn escapes_and_surrogate_pairs_decode() {
        let tape = parse(r#""a\u00e9\ud83d\ude00\n""#, false).unwrap();
        assert_eq!(tape.root().kind(), &Kind::String("a\u{e9}\u{1F600}\n".into()));
    }

    #[test]
    fn trailing_text_and_trailing_commas_are_errors() {
        assert!(parse("{} x", true).is_err());
        assert!(parse("[1,]", true).is_err());
        assert!(parse("{\"a\":1,}", true).is_err());
        assert!(parse("01", true).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let text = "[".repeat(10_000);
        assert!(parse(&text, true)
            .unwrap_err()
            .message
            .contains("nested too deeply"));
    }
}
