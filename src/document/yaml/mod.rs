//! YAML documents (Goose's `config.yaml`, Continue's `config.yaml` and
//! block files), read strictly and edited losslessly.
//!
//! An edit is a "checked write", like the JSON and TOML ones:
//!
//! 1. the whole text is parsed strictly (`strict.rs`): a file that is not
//!    valid YAML, holds more than one document or repeats a key is refused
//!    with its line and column, before anything else looks at it;
//! 2. the text is parsed again into yaml-edit's lossless syntax tree, which
//!    must print back byte for byte, or the file is not edited;
//! 3. the entry, rendered by us (`render.rs`), is set into (or removed
//!    from) that tree, which changes only the entry's lines: comments,
//!    anchors, flow style, line endings and every other key stay;
//! 4. the result is parsed strictly again and its data compared with the
//!    data before, edited as intended: anything else differing is an
//!    error, never a file on disk.
//!
//! A file with no content (empty, or comments only) gets the table
//! appended as text. Entries are either a mapping from name to entry
//! (Goose) or a list of mappings named by a key (Continue), per
//! [`YamlLayout`]. In a list, the naming key is the entry's name, as the
//! key is in a mapping: it is not part of the entry read, and is written
//! first.

mod render;
mod strict;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use serde_json::{Map, Value};
use serde_yaml_ng::Value as Yaml;
use yaml_edit::{Mapping, YamlFile, YamlNode};

use super::error::{join_key_path, line_column};
use super::style::Style;
use super::{DocumentError, YamlLayout};
use strict::Found;

/// Validates the whole text strictly.
pub(super) fn validate(path: &Path, text: &str) -> Result<(), DocumentError> {
    strict::parse(path, text).map(|_| ())
}

/// The entries at `table`, by name.
pub(super) fn entries(
    path: &Path,
    text: &str,
    layout: YamlLayout,
    table: &[&str],
) -> Result<BTreeMap<String, Value>, DocumentError> {
    let root = strict::parse(path, text)?;
    entries_of(path, text, &root, layout, table)
}

fn entries_of(
    path: &Path,
    text: &str,
    root: &Yaml,
    layout: YamlLayout,
    table: &[&str],
) -> Result<BTreeMap<String, Value>, DocumentError> {
    let key_path = |depth: usize| join_key_path(&table[..depth]);
    match (strict::find(root, table), layout.named_by) {
        (Found::Missing, _) => Ok(BTreeMap::new()),
        (Found::Mapping(map), None) => Ok(strict::to_json(&Yaml::Mapping(map.clone()))
            .as_object()
            .map(|object| object.clone().into_iter().collect())
            .unwrap_or_default()),
        (Found::Sequence(items), Some(key)) => {
            let mut entries = BTreeMap::new();
            for (index, item) in items.iter().enumerate() {
                // Items without a name (Continue's `- uses: hub/slug`) are
                // not entries mcpctl can own.
                let Some(name) = strict::item_name(item, key) else {
                    continue;
                };
                // The name is the entry's key here, as in a mapping.
                let mut entry = strict::to_json(item);
                if let Some(fields) = entry.as_object_mut() {
                    fields.shift_remove(key);
                }
                if entries.insert(name.to_string(), entry).is_some() {
                    let (line, column) = item_position(text, table, index);
                    return Err(DocumentError::DuplicateName {
                        path: path.to_path_buf(),
                        key_path: key_path(table.len()),
                        name: name.to_string(),
                        line,
                        column,
                    });
                }
            }
            Ok(entries)
        }
        (Found::Mapping(_), Some(_)) => Err(DocumentError::NotAList {
            path: path.to_path_buf(),
            key_path: key_path(table.len()),
            found: "a mapping",
        }),
        (Found::Other { depth, what }, Some(_)) if depth == table.len() => {
            Err(DocumentError::NotAList {
                path: path.to_path_buf(),
                key_path: key_path(depth),
                found: what,
            })
        }
        (Found::Sequence(_), None) => Err(not_a_table(path, table, table.len(), "a list")),
        (Found::Other { depth, what }, _) => Err(not_a_table(path, table, depth, what)),
    }
}

fn not_a_table(path: &Path, table: &[&str], depth: usize, found: &'static str) -> DocumentError {
    DocumentError::NotATable {
        path: path.to_path_buf(),
        key_path: join_key_path(&table[..depth]),
        found,
    }
}

/// Line and column of item `index` of the list at `table`, for messages;
/// the start of the file when the tree does not have it.
fn item_position(text: &str, table: &[&str], index: usize) -> (usize, usize) {
    let offset = YamlFile::from_str(text)
        .ok()
        .and_then(|file| file.document())
        .and_then(|document| {
            let mut node = YamlNode::Mapping(document.as_mapping()?);
            for key in table {
                node = node.as_mapping()?.get(*key)?;
            }
            let item = node.as_sequence()?.get(index)?;
            usize::try_from(item.byte_range().start).ok()
        });
    offset.map_or((1, 1), |offset| line_column(text, offset))
}

/// Inserts or replaces the entry `name` at `table`.
pub(super) fn set_entry(
    path: &Path,
    text: &str,
    layout: YamlLayout,
    table: &[&str],
    name: &str,
    value: &Value,
) -> Result<String, DocumentError> {
    let entry = stored_entry(path, layout, table, name, value)?;
    let target = Target {
        path,
        layout,
        table,
        name,
    };
    let edited = edit(&target, text, Some(&entry))?;
    Ok(edited.unwrap_or_else(|| text.to_string()))
}

/// Removes the entry `name` at `table`; `None` when it is not there.
pub(super) fn remove_entry(
    path: &Path,
    text: &str,
    layout: YamlLayout,
    table: &[&str],
    name: &str,
) -> Result<Option<String>, DocumentError> {
    let target = Target {
        path,
        layout,
        table,
        name,
    };
    edit(&target, text, None)
}

/// The entry an edit is about.
struct Target<'a> {
    path: &'a Path,
    layout: YamlLayout,
    table: &'a [&'a str],
    name: &'a str,
}

/// The entry as it is stored: in a list, a mapping whose naming key comes
/// first and holds `name` (replacing any such key of `value`).
fn stored_entry(
    path: &Path,
    layout: YamlLayout,
    table: &[&str],
    name: &str,
    value: &Value,
) -> Result<Value, DocumentError> {
    let Some(key) = layout.named_by else {
        return Ok(value.clone());
    };
    let Value::Object(fields) = value else {
        let mut keys = table.to_vec();
        keys.push(name);
        return Err(DocumentError::Unrepresentable {
            path: path.to_path_buf(),
            key_path: join_key_path(&keys),
            reason: "an entry of a YAML list must be a mapping",
        });
    };
    let mut stored = Map::new();
    stored.insert(key.to_string(), Value::String(name.to_string()));
    stored.extend(
        fields
            .iter()
            .filter(|(k, _)| k.as_str() != key)
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    Ok(Value::Object(stored))
}

/// Sets (`Some(entry)`) or removes (`None`) the entry `name`; `Ok(None)`
/// when removing an entry that is not there.
fn edit(
    target: &Target<'_>,
    text: &str,
    entry: Option<&Value>,
) -> Result<Option<String>, DocumentError> {
    let &Target {
        path,
        layout,
        table,
        name,
    } = target;
    let before = strict::parse(path, text)?;
    let current = entries_of(path, text, &before, layout, table)?;
    if entry.is_none() && !current.contains_key(name) {
        return Ok(None);
    }
    let style = Style::detect(text);
    // Tabs cannot indent YAML.
    let unit = if style.indent.contains('\t') || style.indent.is_empty() {
        "  "
    } else {
        style.indent.as_str()
    };
    let edited = match (&before, entry) {
        (Yaml::Null, Some(entry)) if has_no_content(text) => {
            let added = render::document(&nested(table, layout, name, entry), unit);
            let separator = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            format!("{text}{separator}{}", with_newline(&added, style.newline))
        }
        _ => edit_tree(target, text, &before, entry, unit)?,
    };
    check(target, &before, &edited, entry)?;
    Ok(Some(edited))
}

/// Whether the text holds only blank lines and comments.
fn has_no_content(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    })
}

fn with_newline(text: &str, newline: &str) -> String {
    match newline {
        "\n" => text.to_string(),
        newline => text.replace('\n', newline),
    }
}

/// What `table` holds after setting `entry` where nothing was: the keys
/// of the path nested around the entry (a one-entry mapping or list).
fn nested(table: &[&str], layout: YamlLayout, name: &str, entry: &Value) -> Value {
    let innermost = match layout.named_by {
        Some(_) => Value::Array(vec![entry.clone()]),
        None => Value::Object(Map::from_iter([(name.to_string(), entry.clone())])),
    };
    table.iter().rev().fold(innermost, |inner, key| {
        Value::Object(Map::from_iter([(key.to_string(), inner)]))
    })
}

/// The edit in yaml-edit's tree of the text.
fn edit_tree(
    target: &Target<'_>,
    text: &str,
    before: &Yaml,
    entry: Option<&Value>,
    unit: &str,
) -> Result<String, DocumentError> {
    let &Target {
        path,
        layout,
        table,
        name,
    } = target;
    let not_editable = |reason: String| DocumentError::NotEditable {
        path: path.to_path_buf(),
        reason,
    };
    let file = YamlFile::from_str(text)
        .map_err(|e| not_editable(format!("its syntax tree could not be built ({e})")))?;
    if file.to_string() != text {
        return Err(not_editable(
            "its layout would not be kept byte for byte".to_string(),
        ));
    }
    let root = file
        .document()
        .and_then(|document| document.as_mapping())
        .ok_or_else(|| match strict::untagged(before) {
            Yaml::Mapping(_) => not_editable("its top level is not a plain mapping".to_string()),
            other => not_a_table(path, table, 0, strict::describe(other)),
        })?;
    let newline = Style::detect(text).newline;
    let node =
        |value: &Value| parse_node(path, &with_newline(&render::document(value, unit), newline));
    let through = |depth: usize| {
        not_editable(format!(
            "`{}` is an alias or tagged value, which mcpctl does not edit through",
            join_key_path(&table[..=depth])
        ))
    };

    let mut parent: Mapping = root;
    for (depth, key) in table.iter().enumerate() {
        let key_node = parse_node(path, &render::scalar(key))?;
        let found = parent.get(&key_node);
        let is_null = match &found {
            None => true,
            Some(YamlNode::Scalar(scalar)) => scalar.is_null(),
            Some(_) => false,
        };
        if is_null {
            let Some(entry) = entry else {
                return Ok(text.to_string());
            };
            parent.set(
                &key_node,
                node(&nested(&table[depth + 1..], layout, name, entry))?,
            );
            return Ok(file.to_string());
        }
        let last = depth + 1 == table.len();
        match (found, last, layout.named_by) {
            (Some(YamlNode::Mapping(map)), false, _) => parent = map,
            (Some(YamlNode::Mapping(map)), true, None) => {
                let name_node = parse_node(path, &render::scalar(name))?;
                match entry {
                    Some(entry) => {
                        map.set(&name_node, node(entry)?);
                    }
                    None => {
                        map.remove(&name_node);
                    }
                }
                return Ok(file.to_string());
            }
            (Some(YamlNode::Sequence(items)), true, Some(key)) => {
                let index = match strict::find(before, table) {
                    Found::Sequence(data) => data
                        .iter()
                        .position(|item| strict::item_name(item, key) == Some(name)),
                    _ => None,
                };
                match (entry, index) {
                    (Some(entry), Some(index)) => {
                        items.set(index, node(entry)?);
                    }
                    (Some(entry), None) => items.push(node(entry)?),
                    (None, Some(index)) => {
                        items.remove(index);
                    }
                    (None, None) => return Ok(text.to_string()),
                }
                return Ok(file.to_string());
            }
            _ => return Err(through(depth)),
        }
    }
    Err(not_a_table(path, table, 0, "a mapping"))
}

/// The root node of a YAML text we rendered.
fn parse_node(path: &Path, text: &str) -> Result<YamlNode, DocumentError> {
    let document = yaml_edit::Document::from_str(text).map_err(|e| DocumentError::EditFailed {
        path: path.to_path_buf(),
        message: format!("a rendered value does not parse: {e}"),
    })?;
    document
        .as_mapping()
        .map(YamlNode::Mapping)
        .or_else(|| document.as_sequence().map(YamlNode::Sequence))
        .or_else(|| document.as_scalar().map(YamlNode::Scalar))
        .ok_or_else(|| DocumentError::EditFailed {
            path: path.to_path_buf(),
            message: "a rendered value is empty".to_string(),
        })
}

/// The edited text must parse strictly and hold the data before the edit
/// with exactly this edit applied.
fn check(
    target: &Target<'_>,
    before: &Yaml,
    edited: &str,
    entry: Option<&Value>,
) -> Result<(), DocumentError> {
    let failed = |message: String| DocumentError::EditFailed {
        path: target.path.to_path_buf(),
        message,
    };
    let after = strict::parse(target.path, edited).map_err(|e| failed(e.to_string()))?;
    let mut expected = before.clone();
    apply(&mut expected, target, entry);
    if after != expected {
        return Err(failed(format!(
            "the data outside the entry `{}` changed",
            join_key_path(&[target.table, &[target.name]].concat())
        )));
    }
    Ok(())
}

/// The edit on the data: what the edited text must hold.
fn apply(root: &mut Yaml, target: &Target<'_>, entry: Option<&Value>) {
    let &Target {
        layout,
        table,
        name,
        ..
    } = target;
    let mut node = root;
    for key in table {
        if node.is_null() {
            *node = Yaml::Mapping(serde_yaml_ng::Mapping::new());
        }
        let Yaml::Mapping(map) = node else { return };
        node = map
            .entry(Yaml::String(key.to_string()))
            .or_insert(Yaml::Null);
    }
    match layout.named_by {
        None => {
            if node.is_null() {
                *node = Yaml::Mapping(serde_yaml_ng::Mapping::new());
            }
            let Yaml::Mapping(map) = node else { return };
            let key = Yaml::String(name.to_string());
            match entry {
                Some(entry) => {
                    map.insert(key, strict::from_json(entry));
                }
                None => {
                    map.remove(&key);
                }
            }
        }
        Some(naming) => {
            if node.is_null() {
                *node = Yaml::Sequence(Vec::new());
            }
            let Yaml::Sequence(items) = node else { return };
            let index = items
                .iter()
                .position(|item| strict::item_name(item, naming) == Some(name));
            match (entry.map(strict::from_json), index) {
                (Some(entry), Some(index)) => items[index] = entry,
                (Some(entry), None) => items.push(entry),
                (None, Some(index)) => {
                    items.remove(index);
                }
                (None, None) => {}
            }
        }
    }
}
