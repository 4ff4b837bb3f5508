//! The strict reading of a YAML file: what the clients themselves would
//! read, and the oracle every edit is checked against.
//!
//! # Why serde_yaml_ng
//!
//! yaml-edit, which edits the text, accepts invalid YAML (bad indentation,
//! a TAB as indentation, an undefined alias) and duplicate keys, where it
//! edits the first occurrence while the clients use the last. So every file
//! is first read with a strict parser. serde_yaml_ng (the maintained fork
//! of serde_yaml 0.9) is that parser because:
//!
//! - Goose reads its config with serde_yaml 0.9: the same libyaml grammar
//!   and the same resolution of plain scalars (`yes` and `on` are strings,
//!   `~` is null), so what we check is what Goose reads; Continue's `yaml`
//!   package (YAML 1.2 core schema) resolves them the same way;
//! - it refuses duplicate keys anywhere, which both clients refuse too;
//! - it bounds nesting (128 levels) and alias expansion (the "billion
//!   laughs": at most 100 times the document's events), so a hostile file
//!   costs milliseconds;
//! - its errors carry line and column; and it is pure Rust (unsafe-libyaml
//!   is a translation, no C build), so the Windows and macOS cross checks
//!   stay as they are.
//!
//! saphyr (YAML 1.2) would need our own duplicate-key and alias limits.

use std::path::Path;

use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

use super::super::DocumentError;
use super::super::error::line_column;

/// YAML files larger than this are refused: client files are a few
/// kilobytes, and a syntax tree costs many times the text.
pub(super) const MAX_LEN: usize = 4 << 20;

/// How deep flow collections (`[`, `{`) may nest. libyaml's scanner takes
/// time quadratic in that depth (100,000 `[` take 40 s), and its parser
/// refuses more than 128 levels anyway; the brackets are counted in the
/// raw text, quoted or not, which real files never come near.
const MAX_FLOW_DEPTH: usize = 1000;

/// The data of the whole text; `Null` for a file with no content (empty,
/// or only comments).
pub(super) fn parse(path: &Path, text: &str) -> Result<Yaml, DocumentError> {
    if text.len() > MAX_LEN {
        return Err(DocumentError::NotEditable {
            path: path.to_path_buf(),
            reason: format!(
                "it is {} bytes; mcpctl reads YAML client files up to {} MiB",
                text.len(),
                MAX_LEN >> 20
            ),
        });
    }
    if let Some(offset) = too_deep(text) {
        let (line, column) = line_column(text, offset);
        return Err(DocumentError::Syntax {
            path: path.to_path_buf(),
            expected: "YAML (one document, no duplicate keys)",
            line,
            column,
            message: format!("brackets nest more than {MAX_FLOW_DEPTH} deep"),
        });
    }
    serde_yaml_ng::from_str::<Yaml>(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        DocumentError::Syntax {
            path: path.to_path_buf(),
            expected: "YAML (one document, no duplicate keys)",
            line,
            column,
            message: without_position(&e.to_string()),
        }
    })
}

/// Where the raw bracket depth first exceeds [`MAX_FLOW_DEPTH`].
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, byte) in text.bytes().enumerate() {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(offset);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// serde_yaml_ng's message without its " at line L column C" (the error
/// names them itself).
fn without_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => {
            let rest = &message[at + " at line ".len()..];
            // Keep what follows the position (", while parsing a mapping").
            let tail = rest.find(',').map_or("", |comma| &rest[comma..]);
            format!("{}{tail}", &message[..at])
        }
        None => message.to_string(),
    }
}

/// What the data at `table` is.
pub(super) enum Found<'a> {
    /// The path, or its last key, is missing (or null: `extensions:` with
    /// nothing under it).
    Missing,
    Mapping(&'a serde_yaml_ng::Mapping),
    Sequence(&'a [Yaml]),
    /// Something else; `depth` keys of the path lead to it.
    Other {
        depth: usize,
        what: &'static str,
    },
}

/// The data at `table` in `root`.
pub(super) fn find<'a>(root: &'a Yaml, table: &[&str]) -> Found<'a> {
    let mut node = root;
    for (depth, key) in table.iter().enumerate() {
        match untagged(node) {
            Yaml::Null => return Found::Missing,
            Yaml::Mapping(map) => match map.get(*key) {
                Some(next) => node = next,
                None => return Found::Missing,
            },
            other => {
                return Found::Other {
                    depth,
                    what: describe(other),
                };
            }
        }
    }
    match untagged(node) {
        Yaml::Null => Found::Missing,
        Yaml::Mapping(map) => Found::Mapping(map),
        Yaml::Sequence(items) => Found::Sequence(items),
        other => Found::Other {
            depth: table.len(),
            what: describe(other),
        },
    }
}

/// The value under a tag (`!!map {…}`, `!custom x`).
pub(super) fn untagged(node: &Yaml) -> &Yaml {
    match node {
        Yaml::Tagged(tagged) => untagged(&tagged.value),
        node => node,
    }
}

/// "a string", "a list", … for messages.
pub(super) fn describe(node: &Yaml) -> &'static str {
    match untagged(node) {
        Yaml::Null => "null",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

/// The name of a list item: the string under `key` of a mapping.
pub(super) fn item_name<'a>(item: &'a Yaml, key: &str) -> Option<&'a str> {
    match untagged(item) {
        Yaml::Mapping(map) => map.get(key).and_then(|name| name.as_str()),
        _ => None,
    }
}

/// The JSON value of YAML data, as the rest of mcpctl sees entries: keys
/// that are not strings become their YAML text, tags are dropped, and a
/// float JSON cannot hold (`.nan`, `.inf`) becomes its text.
pub(super) fn to_json(node: &Yaml) -> Value {
    match node {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key_text(key), to_json(value)))
                .collect(),
        ),
        Yaml::Tagged(tagged) => to_json(&tagged.value),
    }
}

fn key_text(key: &Yaml) -> String {
    match untagged(key) {
        Yaml::String(s) => s.clone(),
        Yaml::Null => "null".to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        other => to_json(other).to_string(),
    }
}

/// YAML data of a JSON value, to compare an edit's result with.
pub(super) fn from_json(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Yaml::from(i)
            } else if let Some(u) = n.as_u64() {
                Yaml::from(u)
            } else {
                Yaml::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Sequence(items.iter().map(from_json).collect()),
        Value::Object(map) => Yaml::Mapping(
            map.iter()
                .map(|(key, value)| (Yaml::String(key.clone()), from_json(value)))
                .collect(),
        ),
    }
}
