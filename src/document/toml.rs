//! TOML documents (Codex's `config.toml`), edited with toml_edit.
//!
//! Entries are usually standard tables, `[mcp_servers.NAME]`; inline tables
//! and dotted keys are read too. New entries are written as a standard table
//! with the non-object keys first and objects as inline tables
//! (`env = { A = "x" }`), which Codex reads like subtables.
//!
//! toml_edit re-renders the whole document (and writes LF line ends), so the
//! rendered text is spliced into the original over the region that actually
//! changed (`splice_changes`): every other byte is the original's.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use toml_edit::{DocumentMut, Item, Table};

use super::DocumentError;
use super::error::{join_key_path, line_column};
use super::style::Style;
use super::value::{Unrepresentable, from_toml_item, to_toml_table, to_toml_value};

/// Parses the whole text.
pub(super) fn parse(path: &Path, text: &str) -> Result<DocumentMut, DocumentError> {
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        DocumentError::Syntax {
            path: path.to_path_buf(),
            expected: "TOML",
            line,
            column,
            message: e.message().trim_end().to_string(),
        }
    })
}

/// "a string", "an array", … for messages.
fn describe(item: &Item) -> &'static str {
    match item.type_name() {
        "string" => "a string",
        "integer" => "an integer",
        "float" => "a float",
        "boolean" => "a boolean",
        "datetime" => "a datetime",
        "array" => "an array",
        "array of tables" => "an array of tables",
        _ => "something else",
    }
}

fn not_a_table(path: &Path, table: &[&str], depth: usize, item: &Item) -> DocumentError {
    DocumentError::NotATable {
        path: path.to_path_buf(),
        key_path: join_key_path(&table[..depth]),
        found: describe(item),
    }
}

pub(super) fn entries(
    path: &Path,
    text: &str,
    table: &[&str],
) -> Result<BTreeMap<String, Value>, DocumentError> {
    let doc = parse(path, text)?;
    let mut item = doc.as_item();
    for (depth, key) in table.iter().enumerate() {
        let Some(container) = item.as_table_like() else {
            return Err(not_a_table(path, table, depth, item));
        };
        match container.get(key) {
            Some(next) => item = next,
            None => return Ok(BTreeMap::new()),
        }
    }
    let Some(container) = item.as_table_like() else {
        return Err(not_a_table(path, table, table.len(), item));
    };
    Ok(container
        .iter()
        .map(|(key, item)| (key.to_string(), from_toml_item(item)))
        .collect())
}

pub(super) fn set_entry(
    path: &Path,
    text: &str,
    table: &[&str],
    name: &str,
    value: &Value,
) -> Result<String, DocumentError> {
    let mut doc = parse(path, text)?;
    let end_position = max_position(doc.as_table()).map_or(0, |p| p + 1);
    let unrepresentable = |e: Unrepresentable| DocumentError::Unrepresentable {
        path: path.to_path_buf(),
        key_path: e.key_path,
        reason: e.reason,
    };
    let mut key_path: Vec<String> = table.iter().map(|k| k.to_string()).collect();
    key_path.push(name.to_string());

    match container_mut(path, &mut doc, table, end_position)? {
        Item::Table(parent) => {
            let position = max_position(parent).unwrap_or(end_position);
            let new_item = match (parent.get(name), value) {
                (Some(Item::Value(old)), _) => {
                    let mut new = to_toml_value(value, &mut key_path).map_err(unrepresentable)?;
                    *new.decor_mut() = old.decor().clone();
                    Item::Value(new)
                }
                (Some(Item::Table(old)), Value::Object(map)) => {
                    let mut new = to_toml_table(map, &mut key_path).map_err(unrepresentable)?;
                    carry_formatting(old, &mut new);
                    Item::Table(new)
                }
                // Under a `[mcp_servers]` header whose entries are all
                // inline (`a = { … }`), a new entry is inline too.
                (None, Value::Object(_))
                    if !parent.is_implicit()
                        && !parent.is_empty()
                        && parent.iter().all(|(_, item)| item.is_value()) =>
                {
                    Item::Value(to_toml_value(value, &mut key_path).map_err(unrepresentable)?)
                }
                (_, Value::Object(map)) => {
                    let mut new = to_toml_table(map, &mut key_path).map_err(unrepresentable)?;
                    new.set_position(Some(position));
                    Item::Table(new)
                }
                (_, _) => {
                    Item::Value(to_toml_value(value, &mut key_path).map_err(unrepresentable)?)
                }
            };
            match parent.get_mut(name) {
                Some(slot) => *slot = new_item,
                None => {
                    parent.insert(name, new_item);
                }
            }
        }
        Item::Value(toml_edit::Value::InlineTable(parent)) => {
            let mut new = to_toml_value(value, &mut key_path).map_err(unrepresentable)?;
            match parent.get_mut(name) {
                Some(old) => {
                    *new.decor_mut() = old.decor().clone();
                    *old = new;
                }
                None => {
                    // The last value carries the space before `}`: hand it on.
                    if let Some((_, last)) = parent.iter_mut().last() {
                        let suffix = last.decor().suffix().cloned();
                        if let Some(suffix) = suffix {
                            last.decor_mut().set_suffix("");
                            new.decor_mut().set_suffix(suffix);
                        }
                    }
                    parent.insert(name, new);
                }
            }
        }
        other => return Err(not_a_table(path, table, table.len(), other)),
    }
    finish(path, text, &doc)
}

/// The new text: the edited document spliced into the original, checked to
/// parse before it is accepted.
fn finish(path: &Path, original: &str, doc: &DocumentMut) -> Result<String, DocumentError> {
    let text = splice_changes(original, &doc.to_string());
    match text.parse::<DocumentMut>() {
        Ok(_) => Ok(text),
        Err(e) => Err(DocumentError::EditFailed {
            path: path.to_path_buf(),
            message: e.message().trim_end().to_string(),
        }),
    }
}

/// The container at `table`, creating missing tables (implicit, so no empty
/// header is written; placed at `end_position`, the end of the file).
fn container_mut<'a>(
    path: &Path,
    doc: &'a mut DocumentMut,
    table: &[&str],
    end_position: isize,
) -> Result<&'a mut Item, DocumentError> {
    let mut item = doc.as_item_mut();
    for (depth, key) in table.iter().enumerate() {
        if item.as_table_like().is_none() {
            return Err(not_a_table(path, table, depth, item));
        }
        let inline = matches!(item, Item::Value(_));
        let Some(container) = item.as_table_like_mut() else {
            return Err(not_a_table(path, table, depth, &Item::None));
        };
        if !container.contains_key(key) {
            let new = if inline {
                Item::Value(toml_edit::InlineTable::new().into())
            } else {
                let mut new = Table::new();
                new.set_implicit(true);
                new.set_position(Some(end_position));
                Item::Table(new)
            };
            container.insert(key, new);
        }
        item = match container.get_mut(key) {
            Some(next) => next,
            None => return Err(not_a_table(path, table, depth, &Item::None)),
        };
    }
    if item.as_table_like().is_none() {
        return Err(not_a_table(path, table, table.len(), item));
    }
    Ok(item)
}

/// A replacement table keeps the old one's header decor (the comments above
/// it), its position among the tables, its dottedness, and the decor of the
/// keys and values that it still has (comments above keys, trailing
/// comments).
fn carry_formatting(old: &Table, new: &mut Table) {
    *new.decor_mut() = old.decor().clone();
    new.set_position(old.position());
    new.set_dotted(old.is_dotted());
    let keys: Vec<String> = new.iter().map(|(k, _)| k.to_string()).collect();
    for key in keys {
        // Only a key/value that stays a key/value keeps its formatting (a
        // subtable's header key has no `=` spacing to carry).
        let both_values = matches!(
            (old.get(&key), new.get(&key)),
            (Some(Item::Value(_)), Some(Item::Value(_)))
        );
        if !both_values {
            continue;
        }
        if let (Some(old_key), Some(mut new_key)) = (old.key(&key), new.key_mut(&key)) {
            *new_key.leaf_decor_mut() = old_key.leaf_decor().clone();
            *new_key.dotted_decor_mut() = old_key.dotted_decor().clone();
        }
        if let (Some(Item::Value(old_value)), Some(Item::Value(new_value))) =
            (old.get(&key), new.get_mut(&key))
        {
            *new_value.decor_mut() = old_value.decor().clone();
        }
    }
}

/// The largest position of any table in `table`'s subtree (itself included).
fn max_position(table: &Table) -> Option<isize> {
    let own = table.position();
    table
        .iter()
        .filter_map(|(_, item)| match item {
            Item::Table(t) => max_position(t),
            Item::ArrayOfTables(a) => a.iter().filter_map(max_position).max(),
            _ => None,
        })
        .chain(own)
        .max()
}

pub(super) fn remove_entry(
    path: &Path,
    text: &str,
    table: &[&str],
    name: &str,
) -> Result<Option<String>, DocumentError> {
    let mut doc = parse(path, text)?;
    // Walk without creating anything: a missing path has nothing to remove.
    let mut item = doc.as_item_mut();
    for (depth, key) in table.iter().enumerate() {
        if item.as_table_like().is_none() {
            return Err(not_a_table(path, table, depth, item));
        }
        let next = item.as_table_like_mut().and_then(|t| t.get_mut(key));
        match next {
            Some(next) => item = next,
            None => return Ok(None),
        }
    }
    if item.as_table_like().is_none() {
        return Err(not_a_table(path, table, table.len(), item));
    }
    let Some(removed) = item.as_table_like_mut().and_then(|t| t.remove(name)) else {
        return Ok(None);
    };
    if let Item::Table(removed) = &removed {
        keep_neighbour_comments(&mut doc, removed);
    }
    finish(path, text, &doc).map(Some)
}

/// The comments above a table header go with the table. But when a blank
/// line separates a first part of them from the header, that part belongs
/// to what precedes (e.g. commented-out keys of the previous table): it is
/// kept, in front of the next table or at the end of the file.
fn keep_neighbour_comments(doc: &mut DocumentMut, removed: &Table) {
    let Some(prefix) = removed.decor().prefix().and_then(|p| p.as_str()) else {
        return;
    };
    let Some(kept) = neighbours_part(prefix) else {
        return;
    };
    let after = removed.position().unwrap_or(isize::MIN);
    let next = next_position(doc.as_table(), after).and_then(|p| table_at(doc.as_table_mut(), p));
    match next {
        Some(table) => {
            let own = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("\n")
                .to_string();
            // One blank line between the kept comments and the next table's
            // own, not two.
            let kept = match own.split_inclusive('\n').next() {
                Some(first) if first.trim().is_empty() => trim_last_line(kept),
                _ => kept,
            };
            table.decor_mut().set_prefix(format!("{kept}{own}"));
        }
        None => {
            let trailing = doc.trailing().as_str().unwrap_or("").to_string();
            doc.set_trailing(format!("{kept}{trailing}"));
        }
    }
}

/// The part of a header prefix up to and including its last blank line, if
/// it holds a comment.
fn neighbours_part(prefix: &str) -> Option<&str> {
    let mut end = None;
    let mut offset = 0;
    for line in prefix.split_inclusive('\n') {
        offset += line.len();
        if line.trim().is_empty() && line.ends_with('\n') {
            end = Some(offset);
        }
    }
    let part = &prefix[..end?];
    part.contains('#').then_some(part)
}

/// `text` without its last line (which ends with `\n`).
fn trim_last_line(text: &str) -> &str {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.rfind('\n').map_or("", |n| &text[..=n])
}

fn is_header(table: &Table) -> bool {
    !table.is_implicit() && !table.is_dotted()
}

/// The smallest position after `after` of a table with a header.
fn next_position(table: &Table, after: isize) -> Option<isize> {
    let own = table.position().filter(|&p| p > after && is_header(table));
    table
        .iter()
        .filter_map(|(_, item)| match item {
            Item::Table(t) => next_position(t, after),
            Item::ArrayOfTables(a) => a.iter().filter_map(|t| next_position(t, after)).min(),
            _ => None,
        })
        .chain(own)
        .min()
}

/// The table with a header at `position`.
fn table_at(table: &mut Table, position: isize) -> Option<&mut Table> {
    if table.position() == Some(position) && is_header(table) {
        return Some(table);
    }
    for (_, item) in table.iter_mut() {
        let found = match item {
            Item::Table(t) => table_at(t, position),
            Item::ArrayOfTables(a) => a.iter_mut().find_map(|t| table_at(t, position)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The original text with only the region where `rendered` differs from it
/// replaced. Compared modulo line endings, so toml_edit's LF output leaves
/// CRLF lines alone; the replaced region is written in the file's newline
/// style.
pub(super) fn splice_changes(original: &str, rendered: &str) -> String {
    let norm_original = original.replace("\r\n", "\n");
    let norm_rendered = rendered.replace("\r\n", "\n");
    let (a, b) = (norm_original.as_bytes(), norm_rendered.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !norm_original.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    while !norm_original.is_char_boundary(a.len() - suffix)
        || !norm_rendered.is_char_boundary(b.len() - suffix)
    {
        suffix -= 1;
    }
    let middle = &norm_rendered[prefix..b.len() - suffix];
    let middle = match Style::detect(original).newline {
        "\n" => middle.to_string(),
        newline => middle.replace('\n', newline),
    };
    let start = original_offset(original, prefix);
    let end = original_offset(original, a.len() - suffix);
    format!("{}{}{}", &original[..start], middle, &original[end..])
}

/// The offset in `original` of `offset` in `original` with CRLF as LF.
fn original_offset(original: &str, offset: usize) -> usize {
    let bytes = original.as_bytes();
    let (mut i, mut k) = (0, 0);
    while k < offset && i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        i += 1;
        k += 1;
    }
    i
}
