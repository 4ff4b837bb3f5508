//! An independent check of one document edit, shared by the fuzz targets
//! (`fuzz/`, which include this file by path), the property tests and the
//! corpus replay in `roundtrip.rs`.
//!
//! After `set_entry` or `remove_entry` succeeds, the new text must parse in
//! the same format, hold exactly the edited entry (every other entry of the
//! table unchanged), and — for JSON — differ from the old text only inside
//! the edited member (replace), between its neighbours (remove) or after
//! the last member of the object it goes into (insert), as located by
//! jsonc-parser's AST, not by mcpctl's own scanner. For TOML and YAML,
//! everything outside the edited entry is compared as data (YAML by
//! serde_yaml_ng, the parser mcpctl checks its own edits with, so this
//! catches the editor, not the parser); a YAML entry set and removed again
//! must leave the original bytes.

use std::path::Path;

use jsonc_parser::{CollectOptions, ParseOptions, ast};
use mcpctl::document::{Document, Format, YamlLayout};
use serde_json::Value;

/// One edit to check.
#[derive(Debug, Clone)]
pub enum Edit {
    Set(String, Value),
    Remove(String),
}

/// Applies `edit` to `doc` and checks it; returns the edited document.
/// An edit mcpctl refuses (an error) is fine as long as nothing changed;
/// panics describe any broken promise.
pub fn check_edit(doc: &Document, table: &[&str], edit: &Edit) -> Document {
    let before = doc.entries(table);
    let mut edited = doc.clone();
    let result = match edit {
        Edit::Set(name, value) => edited.set_entry(table, name, value).map(|_| true),
        Edit::Remove(name) => edited.remove_entry(table, name),
    };
    let Ok(changed) = result else {
        assert_eq!(edited.text(), doc.text(), "a failed edit changed the text");
        return edited;
    };
    let before = before.expect("an edit succeeded on a table that cannot be read");
    let old = doc.text();
    let new = edited.text();
    let reparsed = Document::parse(Path::new("edited"), new.to_owned(), doc.format())
        .unwrap_or_else(|e| panic!("the edited text does not parse: {e}\n---\n{new}"));
    // (Only when the old text was: `1e999` is valid JSON that serde_json
    // cannot hold as a `Value`, and unrelated bytes stay as they are.)
    if doc.format() == Format::Json
        && !new.trim_ascii().is_empty()
        && serde_json::from_str::<Value>(old).is_ok()
    {
        serde_json::from_str::<Value>(new).expect("strict JSON after the edit");
    }
    let after = reparsed.entries(table).expect("the table is readable");
    let mut expected = before.clone();
    let name = match edit {
        Edit::Set(name, value) => {
            expected.insert(name.clone(), value.clone());
            name
        }
        Edit::Remove(name) => {
            assert_eq!(changed, expected.remove(name).is_some());
            name
        }
    };
    assert_eq!(
        after, expected,
        "entries after the edit are not the old ones with only `{name}` changed"
    );
    if !changed {
        assert_eq!(new, old, "an edit that changed nothing changed the text");
    }
    if new == old {
        return edited;
    }
    match doc.format() {
        Format::Toml => check_toml_rest(old, new, table, name),
        Format::Json | Format::Jsonc { .. } => {
            check_unrelated_bytes(old, new, doc.format(), table, edit)
        }
        Format::Yaml(_) => {
            check_yaml_rest(&edited, old, new, table, name, !before.contains_key(name))
        }
    }
    edited
}

/// YAML: the data outside the entry is the same, and an entry that was
/// added goes again without a trace.
fn check_yaml_rest(
    edited: &Document,
    old: &str,
    new: &str,
    table: &[&str],
    name: &str,
    added: bool,
) {
    let strip = |text: &str| {
        let mut value: Value = serde_yaml_ng::from_str(text).expect("YAML parses");
        let mut at = &mut value;
        for key in table {
            match at.get_mut(*key) {
                Some(next) => at = next,
                None => return value,
            }
        }
        match at {
            Value::Object(map) => {
                map.remove(name);
            }
            Value::Array(items) => {
                items.retain(|item| item.get("name").and_then(Value::as_str) != Some(name))
            }
            // `extensions:` with nothing under it is no table yet.
            Value::Null => *at = Value::Object(serde_json::Map::new()),
            _ => {}
        }
        value
    };
    let (mut a, mut b) = (strip(old), strip(new));
    // Tables the edit created (or left empty) are not a change of data.
    for value in [&mut a, &mut b] {
        if value.is_null() {
            *value = Value::Object(serde_json::Map::new());
        }
        prune_empty(value);
    }
    assert_eq!(
        a, b,
        "YAML outside `{name}` changed\n--- old\n{old}\n--- new\n{new}"
    );
    let table_existed = {
        let data: Value = serde_yaml_ng::from_str(old).expect("YAML parses");
        table
            .iter()
            .try_fold(&data, |at, key| at.get(*key))
            .is_some_and(|t| !t.is_null())
    };
    if added && table_existed {
        let removed = edited
            .without_entry(table, name)
            .expect("an entry just added can be removed")
            .expect("the entry is there");
        assert_eq!(
            removed.text(),
            old,
            "insert then remove is not the original\n--- inserted\n{new}"
        );
    }
}

/// The bytes of `old` that differ from `new`: `old[start..end]` was
/// replaced (the shortest such span, by common prefix, then suffix).
pub fn changed_span(old: &str, new: &str) -> (usize, usize) {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let prefix = common(a.iter(), b.iter(), a.len().min(b.len()));
    let suffix = common(
        a.iter().rev(),
        b.iter().rev(),
        a.len().min(b.len()) - prefix,
    );
    (prefix, a.len() - suffix)
}

/// Whether `new` can be `old` with only `old[lo..hi]` replaced: the text
/// before `lo` and after `hi` is common to both. Unlike comparing with
/// [`changed_span`], this does not depend on where an insert or removal
/// next to equal bytes (`"a"` before `"b"`, identical neighbours) is
/// taken to be.
pub fn only_changed_within(old: &str, new: &str, lo: usize, hi: usize) -> bool {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let prefix = common(a.iter(), b.iter(), a.len().min(b.len()));
    let suffix = common(a.iter().rev(), b.iter().rev(), a.len().min(b.len()));
    lo <= prefix && a.len() - hi <= suffix && a.len() - (hi - lo) <= b.len()
}

fn common<'a>(
    a: impl Iterator<Item = &'a u8>,
    b: impl Iterator<Item = &'a u8>,
    limit: usize,
) -> usize {
    a.zip(b).take(limit).take_while(|(x, y)| x == y).count()
}

fn json_options(format: Format) -> ParseOptions {
    let (comments, trailing_commas) = match format {
        Format::Jsonc { trailing_commas } => (true, trailing_commas),
        _ => (false, false),
    };
    ParseOptions {
        allow_comments: comments,
        allow_trailing_commas: trailing_commas,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        ..ParseOptions::default()
    }
}

/// JSON: `new` differs from `old` only where `edit` may change bytes.
pub fn check_unrelated_bytes(old: &str, new: &str, format: Format, table: &[&str], edit: &Edit) {
    let parsed = jsonc_parser::parse_to_ast(old, &CollectOptions::default(), &json_options(format))
        .expect("the old text parsed before");
    let Some(ast::Value::Object(mut object)) = parsed.value else {
        return; // no root object yet: the whole text is new
    };
    let mut depth = 0;
    while depth < table.len() {
        let matches: Vec<&ast::ObjectProp> = object
            .properties
            .iter()
            .filter(|p| p.name.as_str() == table[depth])
            .collect();
        if matches.len() > 1 {
            return; // duplicate keys: which one a client reads is undefined
        }
        match matches.first().map(|p| &p.value) {
            Some(ast::Value::Object(inner)) => {
                object = inner.clone();
                depth += 1;
            }
            _ => break,
        }
    }
    let props = &object.properties;
    let (lo, hi) = (object.range.start + 1, object.range.end - 1);
    let allowed = if depth < table.len() {
        // Tables were created inside the deepest existing object, after
        // its last member.
        (props.last().map_or(lo, |p| p.range.end), hi)
    } else {
        let name = match edit {
            Edit::Set(name, _) | Edit::Remove(name) => name,
        };
        let found: Vec<usize> = props
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name.as_str() == name)
            .map(|(i, _)| i)
            .collect();
        if found.len() > 1 {
            return;
        }
        match (edit, found.first()) {
            (Edit::Set(..), Some(&i)) => (props[i].range.start, props[i].range.end),
            (Edit::Remove(_), Some(&i)) => (
                i.checked_sub(1).map_or(lo, |p| props[p].range.end),
                props.get(i + 1).map_or(hi, |n| n.range.start),
            ),
            (_, None) => (props.last().map_or(lo, |p| p.range.end), hi),
        }
    };
    let (start, end) = changed_span(old, new);
    assert!(
        only_changed_within(old, new, allowed.0, allowed.1),
        "bytes {start}..{end} changed, but only {}..{} may (table {table:?}, {edit:?})\n--- old\n{old}\n--- new\n{new}",
        allowed.0,
        allowed.1
    );
}

/// Everything but the edited entry, as data, is the same before and after.
fn check_toml_rest(old: &str, new: &str, table: &[&str], name: &str) {
    let strip = |text: &str| {
        let doc: toml_edit::DocumentMut = text.parse().expect("TOML parses");
        let mut value = table_value(doc.as_table());
        let mut at = &mut value;
        for key in table {
            match at.get_mut(*key) {
                Some(next) => at = next,
                None => return value,
            }
        }
        if let Some(map) = at.as_object_mut() {
            map.remove(name);
        }
        value
    };
    let (mut a, mut b) = (strip(old), strip(new));
    // Tables the edit created (or left empty) are not a change of data.
    prune_empty(&mut a);
    prune_empty(&mut b);
    assert_eq!(
        a, b,
        "TOML outside `{name}` changed\n--- old\n{old}\n--- new\n{new}"
    );
}

fn prune_empty(value: &mut Value) {
    if let Value::Object(map) = value {
        for child in map.values_mut() {
            prune_empty(child);
        }
        map.retain(|_, v| {
            !v.as_object().is_some_and(|m| m.is_empty())
                && !v.as_array().is_some_and(|a| a.is_empty())
        });
    }
}

fn table_value(table: &dyn toml_edit::TableLike) -> Value {
    Value::Object(
        table
            .iter()
            .map(|(k, item)| (k.to_owned(), item_value(item)))
            .collect(),
    )
}

fn item_value(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::None => Value::Null,
        toml_edit::Item::Value(v) => toml_value(v),
        toml_edit::Item::Table(t) => table_value(t),
        toml_edit::Item::ArrayOfTables(a) => {
            Value::Array(a.iter().map(|t| table_value(t)).collect())
        }
    }
}

fn toml_value(value: &toml_edit::Value) -> Value {
    use toml_edit::Value as T;
    match value {
        T::String(s) => Value::String(s.value().clone()),
        T::Integer(i) => Value::from(*i.value()),
        T::Float(f) => Value::String(format!("{:?}", f.value())),
        T::Boolean(b) => Value::Bool(*b.value()),
        T::Datetime(d) => Value::String(d.value().to_string()),
        T::Array(a) => Value::Array(a.iter().map(toml_value).collect()),
        T::InlineTable(t) => table_value(t),
    }
}

/// One fuzz case, decoded from raw bytes so that plain client files make
/// good seeds: byte 0 picks the format and table, byte 1 the number of
/// edits, then two bytes per edit (operation and name, value), then the
/// document text.
#[derive(Debug)]
pub struct Case {
    pub format: Format,
    pub table: Vec<&'static str>,
    pub edits: Vec<Edit>,
    pub text: String,
}

const NAMES: [&str; 8] = [
    "github",
    "playwright",
    "docs",
    "new-server",
    "a\"b\\c",
    "ümlaut",
    "x.y",
    "mcpServers",
];

const JSON_TABLES: [&[&str]; 4] = [
    &["mcpServers"],
    &["servers"],
    &["projects", "/home/ada/src/mcpctl", "mcpServers"],
    &["a", "b"],
];

const TOML_TABLES: [&[&str]; 2] = [&["mcp_servers"], &["profiles", "fast", "mcp_servers"]];

/// Goose's layout (a mapping by name) and Continue's (a list of named
/// mappings), as the client specs have them.
const YAML_FORMATS: [(Format, &[&str]); 3] = [
    (
        Format::Yaml(YamlLayout {
            named_by: None,
            new_file: "",
        }),
        &["extensions"],
    ),
    (
        Format::Yaml(YamlLayout {
            named_by: Some("name"),
            new_file: "name: mcpctl\nversion: 0.0.1\nschema: v1\n",
        }),
        &["mcpServers"],
    ),
    (
        Format::Yaml(YamlLayout {
            named_by: None,
            new_file: "",
        }),
        &["a", "b"],
    ),
];

/// Entry values worth writing: stdio with env, http with headers, nesting,
/// unicode and escapes, an empty object.
pub fn sample_value(pick: u8) -> Value {
    match pick % 5 {
        0 => {
            serde_json::json!({"type": "stdio", "command": "/usr/bin/mcpctl", "args": ["exec", "--server", "github", "--", "npx", "-y", "@modelcontextprotocol/server-github"], "env": {"MODE": "read-only"}})
        }
        1 => {
            serde_json::json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
        }
        2 => {
            serde_json::json!({"command": "a\"b\\c\n\t/* not */ // a comment", "args": [], "nested": {"deep": [[1, 2], {"x": true}]}})
        }
        3 => {
            serde_json::json!({"command": "ünïcødé 😀", "enabled": false, "startup_timeout_sec": 20})
        }
        _ => serde_json::json!({}),
    }
}

/// Which fuzz target an input is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Json,
    Toml,
    Yaml,
}

/// Decodes a fuzz input for a JSON, TOML or YAML target.
pub fn decode(data: &[u8], target: Target) -> Option<Case> {
    let (&head, rest) = data.split_first()?;
    let (&count, rest) = rest.split_first()?;
    let count = usize::from(count % 4) + 1;
    if rest.len() < 2 * count {
        return None;
    }
    let (ops, text) = rest.split_at(2 * count);
    let text = std::str::from_utf8(text).ok()?.to_owned();
    let (format, table) = if target == Target::Toml {
        (
            Format::Toml,
            TOML_TABLES[usize::from(head) % TOML_TABLES.len()],
        )
    } else if target == Target::Yaml {
        YAML_FORMATS[usize::from(head) % YAML_FORMATS.len()]
    } else {
        let format = match head % 3 {
            0 => Format::Json,
            1 => Format::Jsonc {
                trailing_commas: true,
            },
            _ => Format::Jsonc {
                trailing_commas: false,
            },
        };
        (
            format,
            JSON_TABLES[usize::from(head / 3) % JSON_TABLES.len()],
        )
    };
    let edits = ops
        .chunks(2)
        .map(|op| {
            let name = NAMES[usize::from(op[0] >> 1) % NAMES.len()].to_owned();
            if op[0] & 1 == 0 {
                Edit::Set(name, sample_value(op[1]))
            } else {
                Edit::Remove(name)
            }
        })
        .collect();
    Some(Case {
        format,
        table: table.to_vec(),
        edits,
        text,
    })
}

/// Runs a decoded case: parse and read the table as observe does (a parse
/// error is a fine answer; the first edit then starts at the place the
/// table was found), then each edit in turn through [`check_edit`].
pub fn run_case(case: &Case) {
    let path = Path::new("fuzz");
    let read = Document::parse_entries(path, case.text.clone(), case.format, &case.table);
    let plain = Document::parse(path, case.text.clone(), case.format);
    let mut doc = match (read, plain) {
        (Ok((read, entries)), Ok(plain)) => {
            let expected = plain.entries(&case.table).expect("parse_entries read it");
            assert_eq!(entries, expected, "parse_entries read other entries");
            read
        }
        (Err(_), Err(_)) => return,
        // The text parses but its table cannot be read (not an object):
        // every edit must refuse, which `check_edit` checks.
        (Err(_), Ok(plain)) => plain,
        (Ok(_), Err(e)) => panic!("parse_entries accepted what parse refuses: {e}"),
    };
    for edit in &case.edits {
        doc = check_edit(&doc, &case.table, edit);
    }
}
