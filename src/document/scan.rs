//! A string- and comment-aware byte scanner over JSON/JSONC text.
//!
//! It exists so that an edit of `~/.claude.json` never has to build a tree of
//! the whole file: it walks the bytes once, skipping every value it does not
//! need (`projects`, history) by bracket counting, and reports the byte spans
//! of the one object on the requested key path and of its members.
//!
//! What the scanner reports is used only for text that the format's
//! validator accepts (it may run while the validator does, on another
//! thread, and its result is dropped if the text is invalid), so it does
//! not try to explain syntax errors; it never panics on bad input and
//! reports a [`ScanError`] at the offending offset instead. It understands exactly what the validators let through: strings
//! in double quotes with JSON escapes, `//` and `/* */` comments (JSONC),
//! and trailing commas (JSONC with `trailing_commas`).

use std::borrow::Cow;

/// The scanner met something it cannot read at `offset` (a bug or an
/// unvalidated text: validated text never produces one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ScanError {
    pub offset: usize,
    pub message: &'static str,
}

type Result<T> = std::result::Result<T, ScanError>;

fn error<T>(offset: usize, message: &'static str) -> Result<T> {
    Err(ScanError { offset, message })
}

/// One `"key": value` member of an object, as byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Member<'a> {
    /// The decoded key.
    pub key: Cow<'a, str>,
    /// Offset of the key's opening quote.
    pub key_start: usize,
    /// First byte of the value.
    pub value_start: usize,
    /// One past the last byte of the value.
    pub value_end: usize,
    /// Offset of the comma that follows the value, if any.
    pub comma: Option<usize>,
}

/// An object: the offsets of its braces and its members in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ObjectSpan<'a> {
    /// Offset of `{`.
    pub open: usize,
    /// Offset of the matching `}`.
    pub close: usize,
    pub members: Vec<Member<'a>>,
}

impl ObjectSpan<'_> {
    /// The object's bytes, braces included.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.open..self.close + 1
    }

    /// The member named `key`; with duplicate keys the last one wins, as in
    /// `JSON.parse` and serde_json.
    pub fn find(&self, key: &str) -> Option<(usize, &Member<'_>)> {
        self.members
            .iter()
            .enumerate()
            .rev()
            .find(|(_, m)| m.key == key)
    }
}

/// Where a key path leads.
#[derive(Debug)]
pub(super) enum Located<'a> {
    /// The text holds no value at all (only whitespace and comments).
    NoRoot,
    /// Every key exists and the last one names an object.
    Found(ObjectSpan<'a>),
    /// `path[..depth]` exists and is an object (`ancestor`); `path[depth]` is
    /// missing from it.
    Missing {
        ancestor: ObjectSpan<'a>,
        depth: usize,
    },
    /// `path[..depth]` exists but is not an object; `found` describes it.
    NotAnObject { depth: usize, found: &'static str },
}

/// Follows `path` from the top-level value.
pub(super) fn locate<'a>(text: &'a str, path: &[&str]) -> Result<Located<'a>> {
    let bytes = text.as_bytes();
    let start = skip_trivia(bytes, 0)?;
    if start >= bytes.len() {
        return Ok(Located::NoRoot);
    }
    let mut current = start;
    for depth in 0..=path.len() {
        if bytes.get(current) != Some(&b'{') {
            return Ok(Located::NotAnObject {
                depth,
                found: describe(bytes, current),
            });
        }
        let object = read_object(text, current)?;
        let Some(key) = path.get(depth) else {
            return Ok(Located::Found(object));
        };
        match object.find(key) {
            Some((_, member)) => current = member.value_start,
            None => {
                return Ok(Located::Missing {
                    ancestor: object,
                    depth,
                });
            }
        }
    }
    // The loop returns at depth == path.len() at the latest.
    error(current, "key path walk ended early")
}

/// A short description of the value starting at `offset`, for messages.
fn describe(bytes: &[u8], offset: usize) -> &'static str {
    match bytes.get(offset) {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(b'-' | b'0'..=b'9') => "a number",
        _ => "something else",
    }
}

/// Reads the object whose `{` is at `open`.
pub(super) fn read_object(text: &str, open: usize) -> Result<ObjectSpan<'_>> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'{') {
        return error(open, "expected `{`");
    }
    let mut members = Vec::new();
    let mut i = skip_trivia(bytes, open + 1)?;
    loop {
        match bytes.get(i) {
            Some(b'}') => {
                return Ok(ObjectSpan {
                    open,
                    close: i,
                    members,
                });
            }
            Some(b'"') => {}
            _ => return error(i, "expected a key or `}`"),
        }
        let key_start = i;
        let key_end = skip_string(bytes, i)?;
        let key = decode_key(text, key_start, key_end)?;
        i = skip_trivia(bytes, key_end)?;
        if bytes.get(i) != Some(&b':') {
            return error(i, "expected `:`");
        }
        let value_start = skip_trivia(bytes, i + 1)?;
        let value_end = skip_value(bytes, value_start)?;
        i = skip_trivia(bytes, value_end)?;
        let comma = if bytes.get(i) == Some(&b',') {
            let at = i;
            i = skip_trivia(bytes, i + 1)?;
            Some(at)
        } else {
            None
        };
        members.push(Member {
            key,
            key_start,
            value_start,
            value_end,
            comma,
        });
        if comma.is_none() && bytes.get(i) != Some(&b'}') {
            return error(i, "expected `,` or `}`");
        }
    }
}

fn decode_key(text: &str, start: usize, end: usize) -> Result<Cow<'_, str>> {
    let Some(quoted) = text.get(start..end) else {
        return error(start, "key is not on a character boundary");
    };
    let inner = &quoted[1..quoted.len() - 1];
    if !inner.contains('\\') {
        return Ok(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(quoted)
        .map(Cow::Owned)
        .or_else(|_| error(start, "invalid escape in key"))
}

/// Skips whitespace and comments from `i`; returns the offset of the next
/// significant byte (or the length of the text).
///
/// Whitespace is what jsonc-parser (and VS Code) accept: also vertical tab,
/// form feed and Unicode spaces. Strict JSON's validator has already
/// refused those, so accepting them here only keeps JSONC in step.
pub(super) fn skip_trivia(bytes: &[u8], mut i: usize) -> Result<usize> {
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C) => i += 1,
            Some(b'/') => i = skip_comment(bytes, i)?,
            Some(&b) if b >= 0x80 => match leading_char(&bytes[i..]) {
                Some(c) if c.is_whitespace() => i += c.len_utf8(),
                _ => return Ok(i),
            },
            _ => return Ok(i),
        }
    }
}

/// The character `bytes` starts with, if it is valid UTF-8.
fn leading_char(bytes: &[u8]) -> Option<char> {
    (2..=4).find_map(|n| {
        let prefix = bytes.get(..n)?;
        std::str::from_utf8(prefix).ok()?.chars().next()
    })
}

/// Skips the comment starting at `i` (which holds `/`).
pub(super) fn skip_comment(bytes: &[u8], i: usize) -> Result<usize> {
    match bytes.get(i + 1) {
        // A line comment ends at `\n` or a lone `\r`, as in jsonc-parser
        // and VS Code's parser (old Mac line endings).
        Some(b'/') => Ok(memchr::memchr2(b'\n', b'\r', &bytes[i..]).map_or(bytes.len(), |n| i + n)),
        Some(b'*') => bytes
            .get(i + 2..)
            .and_then(|rest| memchr::memmem::find(rest, b"*/"))
            .map(|n| i + 2 + n + 2)
            .ok_or(ScanError {
                offset: i,
                message: "unterminated comment",
            }),
        _ => error(i, "unexpected `/`"),
    }
}

/// Skips the string whose opening quote is at `i`; returns the offset after
/// its closing quote.
///
/// Strings are most of a large `~/.claude.json` (pasted history), so the
/// search for the next quote or backslash is `memchr`'s vectorized one.
fn skip_string(bytes: &[u8], i: usize) -> Result<usize> {
    let mut j = i + 1;
    while let Some(n) = bytes
        .get(j..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        j += n;
        if bytes[j] == b'"' {
            return Ok(j + 1);
        }
        j += 2;
    }
    error(i, "unterminated string")
}

/// Skips the value starting at `i`; returns the offset one past its end.
/// Nested values are skipped with a depth counter, not recursion.
pub(super) fn skip_value(bytes: &[u8], i: usize) -> Result<usize> {
    match bytes.get(i) {
        Some(b'"') => skip_string(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&b) = bytes.get(j) {
                match b {
                    b'"' => {
                        j = skip_string(bytes, j)?;
                        continue;
                    }
                    b'/' => {
                        j = skip_comment(bytes, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            error(i, "unterminated object or array")
        }
        Some(_) => {
            let len = bytes[i..]
                .iter()
                .position(|b| {
                    matches!(
                        b,
                        b' ' | b'\t'
                            | b'\n'
                            | b'\r'
                            | 0x0B
                            | 0x0C
                            | b','
                            | b'}'
                            | b']'
                            | b'/'
                            | b':'
                    )
                })
                .unwrap_or(bytes.len() - i);
            if len == 0 {
                error(i, "expected a value")
            } else {
                Ok(i + len)
            }
        }
        None => error(i, "expected a value, found the end of the text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_with_comments_escapes_and_trailing_commas() {
        let text = r#"{
  // a comment with "quotes" and { braces
  "a": {"x": "}\"]"}, /* block } */
  "b\u0041": [1, 2, {"c": null}],
  "d": true,
}"#;
        let object = read_object(text, 0).unwrap();
        let keys: Vec<_> = object.members.iter().map(|m| m.key.as_ref()).collect();
        assert_eq!(keys, ["a", "bA", "d"]);
        let a = &object.members[0];
        assert_eq!(&text[a.value_start..a.value_end], r#"{"x": "}\"]"}"#);
        let d = &object.members[2];
        assert_eq!(&text[d.value_start..d.value_end], "true");
        assert!(d.comma.is_some());
        assert_eq!(object.close, text.len() - 1);
    }

    #[test]
    fn locates_nested_paths_and_reports_what_is_missing() {
        let text = r#"{"projects": {"/r": {"mcpServers": {}}}, "n": 1}"#;
        match locate(text, &["projects", "/r", "mcpServers"]).unwrap() {
            Located::Found(o) => assert_eq!(&text[o.open..=o.close], "{}"),
            other => panic!("{other:?}"),
        }
        match locate(text, &["projects", "/s", "mcpServers"]).unwrap() {
            Located::Missing { depth, .. } => assert_eq!(depth, 1),
            other => panic!("{other:?}"),
        }
        match locate(text, &["n", "x"]).unwrap() {
            Located::NotAnObject { depth, found } => {
                assert_eq!((depth, found), (1, "a number"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            locate("  // nothing\n", &["a"]).unwrap(),
            Located::NoRoot
        ));
    }

    #[test]
    fn never_panics_on_truncated_text() {
        let text = r#"{"a": {"b": [1, "x\"", /* c */ {"d": 2}]}, "e": "f"}"#;
        for end in 0..text.len() {
            let _ = locate(&text[..end], &["a", "b"]);
            let _ = locate(&text[..end], &["e"]);
        }
    }
}
