//! Format-preserving edits of client configuration files.
//!
//! A [`Document`] is the text of one client file (Claude Code's
//! `~/.claude.json`, VS Code's `mcp.json`, Codex's `config.toml`, …) plus its
//! [`Format`]. It reads the named entries of one object (`mcpServers`,
//! `servers`, `mcp_servers`, …) as `serde_json::Value`s and inserts, replaces
//! or removes single entries. Every byte outside the edited entry stays as
//! it was: comments, whitespace, key order, unrelated keys, line endings.
//! What we write is laid out in the file's own style (indent unit, line
//! ending), never carries comments into strict JSON and never adds a
//! trailing comma.
//!
//! # Why the JSON side does not build a tree of the file
//!
//! `~/.claude.json` reaches 50 MB (mostly `projects` and history). Measured
//! on such a file: a jsonc-parser CST of the whole file takes 3.7 s and
//! 1.7 GB, a serde_json `Value` 0.55 s, validating with serde's `IgnoredAny`
//! 45 ms. So a JSON document is
//!
//! 1. validated whole, cheaply: strict JSON with `IgnoredAny`, JSONC with
//!    jsonc-parser's AST parser (no CST; JSONC files are small in practice);
//! 2. walked with a string- and comment-aware byte scanner (`scan.rs`) that
//!    finds the one object on the key path and the spans of its members,
//!    skipping everything else by bracket counting;
//! 3. edited by splicing: only the entry's bytes (plus the separating comma
//!    and line break) are replaced; values are parsed or rendered for that
//!    slice only;
//! 4. checked again before the new text is accepted: the edited object is
//!    validated (the bytes around it are unchanged, so the whole stays
//!    valid), so a bug here is an error, never a broken file on disk.
//!
//! We splice at member level instead of editing a CST of the slice: a CST
//! of a slice has lost the indentation of its ancestors (jsonc-parser
//! derives indents from them) and lays out inserts into `{}` and one-line
//! objects oddly, while splicing keeps "nothing else changes" true by
//! construction. There is one code path for small and large files.
//!
//! TOML files (Codex) are small: they are edited with toml_edit, and the
//! rendered result is spliced into the original text over the region that
//! actually changed, so toml_edit's normalizations (e.g. CRLF to LF) never
//! reach lines we did not edit.
//!
//! YAML files (Goose, Continue) are small too: they are edited in a lossless
//! syntax tree (yaml-edit) and every edit is checked against a strict parse
//! of the text before and after it (`yaml/`).

mod error;
mod json;
mod scan;
mod style;
mod toml;
mod value;
mod yaml;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::DocumentError;

/// The syntax a client file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Strict JSON: no comments, no trailing commas (Claude Code's files: a
    /// comment makes Claude Code wipe the file).
    Json,
    /// JSON with comments. `trailing_commas`: whether the client accepts
    /// trailing commas (VS Code yes; Gemini no: a file containing one is a
    /// syntax error naming line and column).
    Jsonc { trailing_commas: bool },
    /// TOML (Codex).
    Toml,
    /// YAML (Goose, Continue), with how its entries are kept.
    Yaml(YamlLayout),
}

/// How a YAML file keeps its server entries, and what a new file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YamlLayout {
    /// `None`: a mapping from name to entry (Goose's `extensions`).
    /// `Some(key)`: a sequence of mappings, each named by its `key`
    /// (Continue's `mcpServers: [- name: …]`); the entry's name is written
    /// as its first key.
    pub named_by: Option<&'static str>,
    /// The text a file that does not exist yet starts as (Continue refuses
    /// a config without `name` and `version`).
    pub new_file: &'static str,
}

/// The text of one client file, validated, with entry-level edits.
#[derive(Clone)]
pub struct Document {
    path: PathBuf,
    format: Format,
    text: String,
    /// Where the objects of tables already read open in this very text
    /// (JSON), so an edit of a table observe read does not walk a 50 MB
    /// file again. Empty for an edited document.
    tables: Vec<(Vec<String>, usize)>,
}

/// From this size up, [`Document::parse_entries`] validates a file and
/// reads its table on two threads.
const PARALLEL_FROM: usize = 1 << 20;

/// The stack of the thread that reads a table: the main thread's default.
const READER_STACK: usize = 8 << 20;

/// Shows the path, format and size only: the text can be 50 MB, and client
/// files may hold tokens that must not reach a log.
impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl Document {
    /// An empty document of this format (`{}` and a newline for JSON, empty
    /// for TOML, the layout's `new_file` for YAML) for a file that does not
    /// exist yet.
    pub fn empty(path: &Path, format: Format) -> Document {
        let text = match format {
            Format::Json | Format::Jsonc { .. } => "{}\n".to_string(),
            Format::Toml => String::new(),
            Format::Yaml(layout) => layout.new_file.to_string(),
        };
        Document {
            path: path.to_path_buf(),
            format,
            text,
            tables: Vec::new(),
        }
    }

    /// Parses and validates the whole text. Errors name the path, the
    /// 1-based line and column, what is wrong, and how to go on.
    ///
    /// A JSON file holding only whitespace (or, for JSONC, comments) is
    /// accepted as having no entries; the first `set_entry` adds the object.
    pub fn parse(path: &Path, text: String, format: Format) -> Result<Document, DocumentError> {
        validate(path, &text, format)?;
        Ok(Document {
            path: path.to_path_buf(),
            format,
            text,
            tables: Vec::new(),
        })
    }

    /// [`Document::parse`] and then [`Document::entries`] of `table`, which
    /// the document remembers the place of for later edits. A large JSON
    /// file (`~/.claude.json` reaches 50 MB) is validated on this thread
    /// while the table is read on another; what was read is used only once
    /// the whole text proved valid (the scanner never panics on bad text).
    pub fn parse_entries(
        path: &Path,
        text: String,
        format: Format,
        table: &[&str],
    ) -> Result<(Document, BTreeMap<String, serde_json::Value>), DocumentError> {
        if !format.is_json() || text.len() < PARALLEL_FROM {
            let mut document = Document::parse(path, text, format)?;
            let entries = document.read_entries(table)?;
            return Ok((document, entries));
        }
        let (entries, open) = std::thread::scope(|scope| {
            // The table's values are parsed recursively: the reading thread
            // gets the stack the main thread has.
            let reading = std::thread::Builder::new()
                .stack_size(READER_STACK)
                .spawn_scoped(scope, || json::entries(path, &text, format, table))
                .map_err(|source| DocumentError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
            let valid = validate(path, &text, format);
            let read = reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            valid.and(read)
        })?;
        let mut document = Document {
            path: path.to_path_buf(),
            format,
            text,
            tables: Vec::new(),
        };
        document.remember(table, open);
        Ok((document, entries))
    }

    /// The file this document is read from and written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The syntax of the file.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The current text (after edits).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The current text (after edits).
    pub fn into_text(self) -> String {
        self.text
    }

    /// The named entries of the object/table at `table` (e.g.
    /// `["mcpServers"]`, `["projects", "/home/u/repo", "mcpServers"]`,
    /// `["servers"]`, `["mcp_servers"]`), each as a `serde_json::Value` whose
    /// objects keep the file's key order. A missing path gives an empty map;
    /// a path that holds something other than an object/table is
    /// [`DocumentError::NotATable`].
    pub fn entries(
        &self,
        table: &[&str],
    ) -> Result<BTreeMap<String, serde_json::Value>, DocumentError> {
        match self.format {
            Format::Json | Format::Jsonc { .. } => {
                json::entries(&self.path, &self.text, self.format, table).map(|(e, _)| e)
            }
            Format::Toml => toml::entries(&self.path, &self.text, table),
            Format::Yaml(layout) => yaml::entries(&self.path, &self.text, layout, table),
        }
    }

    /// [`Document::entries`], remembering where the table's object opens
    /// in this text, so that an edit of it starts there instead of walking
    /// the file again (Claude Code's user and local scopes are two tables
    /// of one 50 MB file).
    pub fn read_entries(
        &mut self,
        table: &[&str],
    ) -> Result<BTreeMap<String, serde_json::Value>, DocumentError> {
        match self.format {
            Format::Json | Format::Jsonc { .. } => {
                let (entries, open) = json::entries(&self.path, &self.text, self.format, table)?;
                self.remember(table, open);
                Ok(entries)
            }
            Format::Toml => toml::entries(&self.path, &self.text, table),
            Format::Yaml(layout) => yaml::entries(&self.path, &self.text, layout, table),
        }
    }

    /// Inserts or replaces the entry `name` in the object at `table`,
    /// creating missing objects/tables on the way. A replaced entry keeps
    /// its position; a new one goes at the end of the object.
    pub fn set_entry(
        &mut self,
        table: &[&str],
        name: &str,
        value: &serde_json::Value,
    ) -> Result<(), DocumentError> {
        *self = self.with_entry(table, name, value)?;
        Ok(())
    }

    /// Removes the entry `name` from the object at `table`; `Ok(false)` when
    /// it was not there (the text is then unchanged).
    pub fn remove_entry(&mut self, table: &[&str], name: &str) -> Result<bool, DocumentError> {
        match self.without_entry(table, name)? {
            Some(edited) => {
                *self = edited;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// [`Document::set_entry`] into a new document, keeping this one.
    pub fn with_entry(
        &self,
        table: &[&str],
        name: &str,
        value: &serde_json::Value,
    ) -> Result<Document, DocumentError> {
        let text = match self.format {
            Format::Json | Format::Jsonc { .. } => json::set_entry(
                &self.path,
                &self.text,
                self.format,
                (table, self.known(table)),
                name,
                value,
            )?,
            Format::Toml => toml::set_entry(&self.path, &self.text, table, name, value)?,
            Format::Yaml(layout) => {
                yaml::set_entry(&self.path, &self.text, layout, table, name, value)?
            }
        };
        Ok(self.edited(text))
    }

    /// [`Document::remove_entry`] into a new document, keeping this one;
    /// `None` when the entry was not there.
    pub fn without_entry(
        &self,
        table: &[&str],
        name: &str,
    ) -> Result<Option<Document>, DocumentError> {
        let text = match self.format {
            Format::Json | Format::Jsonc { .. } => json::remove_entry(
                &self.path,
                &self.text,
                self.format,
                (table, self.known(table)),
                name,
            )?,
            Format::Toml => toml::remove_entry(&self.path, &self.text, table, name)?,
            Format::Yaml(layout) => {
                yaml::remove_entry(&self.path, &self.text, layout, table, name)?
            }
        };
        Ok(text.map(|text| self.edited(text)))
    }

    /// The `edits`, in order, into a new document, keeping this one: the
    /// same text as [`Document::with_entry`] and
    /// [`Document::without_entry`] one after the other, but a JSON file is
    /// copied once and each edit changes only its object in that copy
    /// (moving the bytes after it), so N entries written into a 50 MB
    /// `~/.claude.json` cost one copy of it, not N. Tables whose place is
    /// known stay known across the edits (an edit moves the tables after
    /// it; a table inside the edited object is walked to again). `None`
    /// when no edit changed anything: only removals of entries that are
    /// not there. An error is the first edit's that failed.
    pub fn with_edits(&self, edits: &[Edit<'_>]) -> Result<Option<Document>, DocumentError> {
        if !self.format.is_json() {
            // TOML and YAML files are small: one edit after the other.
            let mut edited: Option<Document> = None;
            for edit in edits {
                let current = edited.as_ref().unwrap_or(self);
                let next = match *edit {
                    Edit::Set { table, name, value } => {
                        Some(current.with_entry(table, name, value)?)
                    }
                    Edit::Remove { table, name } => current.without_entry(table, name)?,
                };
                if next.is_some() {
                    edited = next;
                }
            }
            return Ok(edited);
        }
        if edits.is_empty() {
            return Ok(None);
        }
        let mut text = self.text.clone();
        let mut tables = self.tables.clone();
        let mut changed = false;
        for edit in edits {
            match *edit {
                Edit::Set { table, name, value } => {
                    let known = known_in(&tables, table);
                    let (moved, open) = json::set_entry_in_place(
                        &self.path,
                        &mut text,
                        self.format,
                        (table, known),
                        name,
                        value,
                    )?;
                    shift(&mut tables, &moved);
                    if known.is_none()
                        && let Some(open) = open
                    {
                        let keys = table.iter().map(|k| k.to_string()).collect();
                        tables.push((keys, open));
                    }
                    changed = true;
                }
                Edit::Remove { table, name } => {
                    let known = known_in(&tables, table);
                    let moves = json::remove_entry_in_place(
                        &self.path,
                        &mut text,
                        self.format,
                        (table, known),
                        name,
                    )?;
                    for moved in &moves {
                        shift(&mut tables, moved);
                    }
                    changed |= !moves.is_empty();
                }
            }
        }
        Ok(changed.then(|| self.edited(text)))
    }

    fn edited(&self, text: String) -> Document {
        Document {
            path: self.path.clone(),
            format: self.format,
            text,
            tables: Vec::new(),
        }
    }

    fn remember(&mut self, table: &[&str], open: Option<usize>) {
        if let Some(open) = open {
            let keys = table.iter().map(|k| k.to_string()).collect();
            self.tables.push((keys, open));
        }
    }

    /// Where the object of `table` opens, if this text was read there.
    fn known(&self, table: &[&str]) -> Option<usize> {
        known_in(&self.tables, table)
    }
}

/// One edit of [`Document::with_edits`].
#[derive(Debug, Clone, Copy)]
pub enum Edit<'a> {
    /// [`Document::set_entry`]: insert or replace the entry `name`.
    Set {
        table: &'a [&'a str],
        name: &'a str,
        value: &'a serde_json::Value,
    },
    /// [`Document::remove_entry`]: remove the entry `name`.
    Remove { table: &'a [&'a str], name: &'a str },
}

/// Where the object of `table` opens among the known `tables`.
fn known_in(tables: &[(Vec<String>, usize)], table: &[&str]) -> Option<usize> {
    tables
        .iter()
        .find(|(keys, _)| keys.iter().map(String::as_str).eq(table.iter().copied()))
        .map(|&(_, open)| open)
}

/// Keeps the known places of tables true after an edit in place: a table
/// before the edited object (or that object itself, which keeps its
/// offset) stays, one after it moves by what was added or removed, one
/// inside it is forgotten (found again by walking the text).
fn shift(tables: &mut Vec<(Vec<String>, usize)>, moved: &json::Moved) {
    tables.retain_mut(|(_, open)| {
        if *open <= moved.old.start {
            true
        } else if *open >= moved.old.end {
            *open = *open - moved.old.end + moved.new.end;
            true
        } else {
            false
        }
    });
}

/// Validates the whole text of a file in `format`.
fn validate(path: &Path, text: &str, format: Format) -> Result<(), DocumentError> {
    match format {
        Format::Json | Format::Jsonc { .. } => json::validate(path, text, format),
        Format::Toml => toml::parse(path, text).map(|_| ()),
        Format::Yaml(_) => yaml::validate(path, text),
    }
}

impl Format {
    /// JSON or JSONC: the formats edited by splicing, in place.
    fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Jsonc { .. })
    }
}
