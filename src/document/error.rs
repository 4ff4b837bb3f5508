//! Errors of reading and editing a client file. Every one names the file;
//! none of them means that anything was written.

use std::path::PathBuf;

/// Why a document could not be read or edited.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DocumentError {
    /// The file is not valid in its format.
    #[error("`{}` is not valid {expected}: line {line}, column {column}: {message}", path.display())]
    #[diagnostic(
        code(mcpctl::document::syntax),
        help(
            "fix the file by hand (line {line}, column {column}) and run mcpctl again; nothing was written to it"
        )
    )]
    Syntax {
        path: PathBuf,
        /// The format's name as users know it, e.g. "JSON (no comments, no trailing commas)".
        expected: &'static str,
        /// 1-based.
        line: usize,
        /// 1-based, in characters.
        column: usize,
        message: String,
    },

    /// A key on the path to the entries holds something other than an object
    /// (JSON) or table (TOML).
    #[error("`{key_path}` in `{}` is {found}, not an object or table", path.display())]
    #[diagnostic(
        code(mcpctl::document::not_a_table),
        help(
            "mcpctl keeps its entries inside `{key_path}`; change that key to an object/table by hand (or remove it) and run mcpctl again; nothing was written"
        )
    )]
    NotATable {
        path: PathBuf,
        /// The keys leading to the value, joined with `.` (quoted where needed).
        key_path: String,
        /// What was found, e.g. "an array".
        found: &'static str,
    },

    /// A value has no counterpart in the file's format (e.g. `null` in TOML).
    #[error("cannot write `{key_path}` to `{}`: {reason}", path.display())]
    #[diagnostic(
        code(mcpctl::document::unrepresentable),
        help(
            "the entry holds a value this file format cannot store; change the entry's definition; nothing was written"
        )
    )]
    Unrepresentable {
        path: PathBuf,
        key_path: String,
        reason: &'static str,
    },

    /// The file could not be read.
    #[error("cannot read `{}`", path.display())]
    #[diagnostic(
        code(mcpctl::document::io),
        help(
            "nothing was written to it; fix what the cause above names (the file's type, size, owner or permissions), then run the command again"
        )
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file is not UTF-8 text.
    #[error("`{}` is not UTF-8 text", path.display())]
    #[diagnostic(
        code(mcpctl::document::not_utf8),
        help(
            "client configuration files are UTF-8; fix its encoding by hand; nothing was written to it"
        )
    )]
    NotUtf8 { path: PathBuf },

    /// A key on the path to a YAML list of entries (Continue's
    /// `mcpServers`) holds something other than a list.
    #[error("`{key_path}` in `{}` is {found}, not a list of entries", path.display())]
    #[diagnostic(
        code(mcpctl::document::not_a_list),
        help(
            "the client keeps its servers as a list (`- name: …` items) under `{key_path}`; change that key to a list by hand (or remove it) and run mcpctl again; nothing was written"
        )
    )]
    NotAList {
        path: PathBuf,
        key_path: String,
        found: &'static str,
    },

    /// Two entries of a YAML list carry the same name: which one the client
    /// uses is its own choice, so mcpctl edits neither.
    #[error("`{key_path}` in `{}` holds two entries named `{name}` (line {line}, column {column})", path.display())]
    #[diagnostic(
        code(mcpctl::document::duplicate_name),
        help(
            "remove or rename one of them by hand (line {line}, column {column}) and run mcpctl again; nothing was written"
        )
    )]
    DuplicateName {
        path: PathBuf,
        key_path: String,
        name: String,
        /// 1-based, of the second entry.
        line: usize,
        column: usize,
    },

    /// A YAML file mcpctl could not hold byte for byte, or one larger than
    /// it edits: it is read, never edited.
    #[error("mcpctl does not edit `{}`: {reason}", path.display())]
    #[diagnostic(
        code(mcpctl::document::not_editable),
        help(
            "nothing was written; add the entry by hand (`mcpctl plan` shows it), or simplify the file and run mcpctl again"
        )
    )]
    NotEditable { path: PathBuf, reason: String },

    /// An edit produced text that no longer parses: a bug in mcpctl, caught
    /// before anything reached the disk.
    #[error("editing `{}` produced invalid text: {message}", path.display())]
    #[diagnostic(
        code(mcpctl::document::internal),
        help(
            "this is a bug in mcpctl; nothing was written. Please report it with the shape of the file (without secrets)"
        )
    )]
    EditFailed { path: PathBuf, message: String },
}

/// Joins keys for messages: `projects."/home/u/repo".mcpServers`; the empty
/// path is the top level.
pub(super) fn join_key_path(keys: &[&str]) -> String {
    if keys.is_empty() {
        return "(top level)".to_string();
    }
    keys.iter()
        .map(|k| {
            let bare = !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if bare {
                (*k).to_string()
            } else {
                serde_json::Value::String((*k).to_string()).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_and_positions() {
        assert_eq!(
            join_key_path(&["projects", "/home/u/repo", "mcpServers"]),
            r#"projects."/home/u/repo".mcpServers"#
        );
        assert_eq!(join_key_path(&[]), "(top level)");
        assert_eq!(line_column("ab\ncé\nx", 6), (2, 3));
        assert_eq!(line_column("", 0), (1, 1));
    }
}
