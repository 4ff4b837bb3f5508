//! JSON and JSONC documents: whole-file validation, reading the entries of
//! one object, and member-level splices (see the module docs of
//! [`super`] for why there is no tree of the whole file).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use jsonc_parser::{CollectOptions, ParseOptions};
use serde_json::{Map, Value};

use super::error::{join_key_path, line_column};
use super::scan::{self, Located, Member, ObjectSpan, ScanError};
use super::style::{Style, line_indent, line_start, starts_line};
use super::value::{Layout, from_jsonc_ast, render_json};
use super::{DocumentError, Format};

/// A replacement of the bytes at `at` by `text`.
#[derive(Debug)]
struct Splice {
    at: Range<usize>,
    text: String,
}

fn expected(format: Format) -> &'static str {
    match format {
        Format::Jsonc {
            trailing_commas: true,
        } => "JSON with comments",
        Format::Jsonc {
            trailing_commas: false,
        } => "JSON with comments (no trailing commas)",
        _ => "JSON (no comments, no trailing commas)",
    }
}

/// jsonc-parser's options for `format`: only what the client accepts.
fn parse_options(format: Format) -> ParseOptions {
    let (comments, trailing_commas) = match format {
        Format::Jsonc { trailing_commas } => (true, trailing_commas),
        _ => (false, false),
    };
    ParseOptions {
        allow_comments: comments,
        allow_loose_object_property_names: false,
        allow_trailing_commas: trailing_commas,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Validates the whole text. Text with no value at all (whitespace, or
/// comments in JSONC) is valid: a document without entries.
pub(super) fn validate(path: &Path, text: &str, format: Format) -> Result<(), DocumentError> {
    match format {
        Format::Jsonc { .. } => {
            jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &parse_options(format))
                .map(|_| ())
                .map_err(|e| DocumentError::Syntax {
                    path: path.to_path_buf(),
                    expected: expected(format),
                    line: e.line_display(),
                    column: e.column_display(),
                    message: e.kind().to_string(),
                })
        }
        _ => {
            if text.trim_ascii().is_empty() {
                return Ok(());
            }
            let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) else {
                return Ok(());
            };
            // The slow path, taken only for a broken file: jsonc-parser with
            // every extension off names comments and trailing commas as such
            // and points at them.
            if let Err(strict) =
                jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &parse_options(format))
            {
                return Err(DocumentError::Syntax {
                    path: path.to_path_buf(),
                    expected: expected(format),
                    line: strict.line_display(),
                    column: strict.column_display(),
                    message: strict.kind().to_string(),
                });
            }
            let full = e.to_string();
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m)
                .to_string();
            Err(DocumentError::Syntax {
                path: path.to_path_buf(),
                expected: expected(format),
                line: e.line().max(1),
                column: e.column().max(1),
                message,
            })
        }
    }
}

fn scan_error(path: &Path, text: &str, format: Format, e: ScanError) -> DocumentError {
    let (line, column) = line_column(text, e.offset);
    DocumentError::Syntax {
        path: path.to_path_buf(),
        expected: expected(format),
        line,
        column,
        message: e.message.to_string(),
    }
}

fn not_a_table(path: &Path, table: &[&str], depth: usize, found: &'static str) -> DocumentError {
    DocumentError::NotATable {
        path: path.to_path_buf(),
        key_path: join_key_path(&table[..depth.min(table.len())]),
        found,
    }
}

/// Finds the object at `table`; `known`: where it opens, when this exact
/// text was already walked (only that object is read then).
fn locate<'a>(
    path: &Path,
    text: &'a str,
    format: Format,
    table: &[&str],
    known: Option<usize>,
) -> Result<Located<'a>, DocumentError> {
    let located = match known {
        Some(open) => scan::read_object(text, open).map(Located::Found),
        None => scan::locate(text, table),
    };
    match located {
        Ok(Located::NotAnObject { depth, found }) => Err(not_a_table(path, table, depth, found)),
        Ok(located) => Ok(located),
        Err(e) => Err(scan_error(path, text, format, e)),
    }
}

/// Parses one value slice of the file (which is validated whole, possibly
/// at the same time on another thread: see `Document::parse_entries`).
fn parse_slice(
    path: &Path,
    text: &str,
    range: Range<usize>,
    format: Format,
) -> Result<Value, DocumentError> {
    let slice = &text[range.clone()];
    let syntax = |message: String| {
        let (line, column) = line_column(text, range.start);
        DocumentError::Syntax {
            path: path.to_path_buf(),
            expected: expected(format),
            line,
            column,
            message,
        }
    };
    match format {
        Format::Jsonc { .. } => {
            let parsed = jsonc_parser::parse_to_ast(
                slice,
                &CollectOptions::default(),
                &parse_options(format),
            )
            .map_err(|e| syntax(e.kind().to_string()))?;
            parsed
                .value
                .as_ref()
                .map(from_jsonc_ast)
                .ok_or_else(|| syntax("expected a value".to_string()))
        }
        _ => serde_json::from_str(slice).map_err(|e| syntax(e.to_string())),
    }
}

/// The entries of the object at `table`, and where it opens (`None`: not
/// there).
pub(super) fn entries(
    path: &Path,
    text: &str,
    format: Format,
    table: &[&str],
) -> Result<(BTreeMap<String, Value>, Option<usize>), DocumentError> {
    let Located::Found(object) = locate(path, text, format, table, None)? else {
        return Ok((BTreeMap::new(), None));
    };
    let mut entries = BTreeMap::new();
    for member in &object.members {
        let value = parse_slice(path, text, member.value_start..member.value_end, format)?;
        entries.insert(member.key.to_string(), value);
    }
    Ok((entries, Some(object.open)))
}

pub(super) fn set_entry(
    path: &Path,
    text: &str,
    format: Format,
    table: (&[&str], Option<usize>),
    name: &str,
    value: &Value,
) -> Result<String, DocumentError> {
    let (splices, scope, _) = plan_set(path, text, format, table, name, value)?;
    apply(path, text, format, splices, scope)
}

/// The splices of an edit, the bytes they stay inside (the object that is
/// edited), and where the table's object opens when it exists.
type PlannedEdit = (Vec<Splice>, Range<usize>, Option<usize>);

/// The splices that set the entry ([`PlannedEdit`]).
fn plan_set(
    path: &Path,
    text: &str,
    format: Format,
    (table, known): (&[&str], Option<usize>),
    name: &str,
    value: &Value,
) -> Result<PlannedEdit, DocumentError> {
    let style = Style::detect(text);
    let mut open = None;
    let (splices, scope) = match locate(path, text, format, table, known)? {
        Located::Found(object) => {
            let splices = match object.find(name) {
                Some((_, member)) => vec![replace_value(text, &object, member, value, &style)],
                None => insert_member(text, &object, name, value, &style),
            };
            open = Some(object.open);
            (splices, object.span())
        }
        Located::Missing { ancestor, depth } => {
            let nested = nest(&table[depth + 1..], name, value);
            let splices = insert_member(text, &ancestor, table[depth], &nested, &style);
            (splices, ancestor.span())
        }
        Located::NoRoot => {
            let root = nest(table, name, value);
            let layout = Layout::Multiline {
                base: "",
                unit: &style.indent,
                newline: style.newline,
            };
            let lead = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                style.newline
            };
            let splice = Splice {
                at: text.len()..text.len(),
                text: format!("{lead}{}{}", render_json(&root, layout), style.newline),
            };
            // No value yet: the whole text is checked (it is only
            // whitespace and comments).
            (vec![splice], 0..text.len())
        }
        Located::NotAnObject { depth, found } => {
            return Err(not_a_table(path, table, depth, found));
        }
    };
    Ok((splices, scope, open))
}

pub(super) fn remove_entry(
    path: &Path,
    text: &str,
    format: Format,
    (table, mut known): (&[&str], Option<usize>),
    name: &str,
) -> Result<Option<String>, DocumentError> {
    // With duplicate keys the last one wins when a client reads the file,
    // so removing only that one would bring an older duplicate back to
    // life: every member of that name goes.
    let mut current: Option<String> = None;
    loop {
        let text_now = current.as_deref().unwrap_or(text);
        let Located::Found(object) = locate(path, text_now, format, table, known.take())? else {
            break;
        };
        let Some((index, _)) = object.find(name) else {
            break;
        };
        let splices = remove_member(text_now, &object, index);
        let next = apply(path, text_now, format, splices, object.span())?;
        current = Some(next);
    }
    Ok(current)
}

/// What an edit in place changed: the object it edited took `old` bytes
/// and now takes `new` (both start at the same offset).
#[derive(Debug, Clone)]
pub(super) struct Moved {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// [`set_entry`] on `text` itself; also where the table's object opens
/// when it existed before the edit (it opens there after it too).
pub(super) fn set_entry_in_place(
    path: &Path,
    text: &mut String,
    format: Format,
    table: (&[&str], Option<usize>),
    name: &str,
    value: &Value,
) -> Result<(Moved, Option<usize>), DocumentError> {
    let (splices, scope, open) = plan_set(path, text, format, table, name, value)?;
    let new = apply_in_place(path, text, format, splices, scope.clone())?;
    Ok((Moved { old: scope, new }, open))
}

/// [`remove_entry`] on `text` itself: what each removal moved, in order
/// (none: the entry was not there, `text` is unchanged).
pub(super) fn remove_entry_in_place(
    path: &Path,
    text: &mut String,
    format: Format,
    (table, known): (&[&str], Option<usize>),
    name: &str,
) -> Result<Vec<Moved>, DocumentError> {
    let mut moved = Vec::new();
    // The removals edit the one object, which keeps its opening offset.
    let mut known = known;
    loop {
        let (splices, scope) = {
            let Located::Found(object) = locate(path, text, format, table, known)? else {
                break;
            };
            let Some((index, _)) = object.find(name) else {
                break;
            };
            known = Some(object.open);
            (remove_member(text, &object, index), object.span())
        };
        let new = apply_in_place(path, text, format, splices, scope.clone())?;
        moved.push(Moved { old: scope, new });
    }
    Ok(moved)
}

/// `{"k1": {"k2": {name: value}}}` for the missing keys `k1`, `k2`; just
/// `{name: value}` when no key is missing.
fn nest(keys: &[&str], name: &str, value: &Value) -> Value {
    let mut inner = Value::Object(Map::from_iter([(name.to_string(), value.clone())]));
    for key in keys.iter().rev() {
        inner = Value::Object(Map::from_iter([(key.to_string(), inner)]));
    }
    inner
}

/// Applies the splices (non-overlapping, all inside `scope`: the bytes of
/// the one object being edited) and validates the edited object.
///
/// The bytes around `scope` are unchanged, and a valid value put where a
/// valid value was keeps the whole text valid, so the object is checked,
/// not the file: an entry added to a 50 MB `~/.claude.json` does not
/// re-validate the 50 MB around it. A bug here is still an error, never a
/// broken file on disk.
fn apply(
    path: &Path,
    text: &str,
    format: Format,
    splices: Vec<Splice>,
    scope: Range<usize>,
) -> Result<String, DocumentError> {
    let object = edited_scope(path, text, format, splices, scope.clone())?;
    let mut out = String::with_capacity(text.len() - scope.len() + object.len());
    out.push_str(&text[..scope.start]);
    out.push_str(&object);
    out.push_str(&text[scope.end..]);
    Ok(out)
}

/// [`apply`] in place: `text` itself is edited (only the bytes after the
/// edited object move), so a batch of edits of one file does not build a
/// new copy of the file per edit. What replaced `scope` is returned as the
/// range it now takes. On an error `text` is unchanged.
fn apply_in_place(
    path: &Path,
    text: &mut String,
    format: Format,
    splices: Vec<Splice>,
    scope: Range<usize>,
) -> Result<Range<usize>, DocumentError> {
    let object = edited_scope(path, text, format, splices, scope.clone())?;
    let now = scope.start..scope.start + object.len();
    text.replace_range(scope, &object);
    Ok(now)
}

/// The bytes of `scope` with the splices (non-overlapping, all inside
/// `scope`) applied, validated.
fn edited_scope(
    path: &Path,
    text: &str,
    format: Format,
    mut splices: Vec<Splice>,
    scope: Range<usize>,
) -> Result<String, DocumentError> {
    splices.sort_by_key(|s| s.at.start);
    let failed = |message: String| DocumentError::EditFailed {
        path: path.to_path_buf(),
        message,
    };
    let mut out =
        String::with_capacity(scope.len() + splices.iter().map(|s| s.text.len()).sum::<usize>());
    let mut done = scope.start;
    for splice in &splices {
        if splice.at.start < done || splice.at.end < splice.at.start || splice.at.end > scope.end {
            return Err(failed("overlapping edits".to_string()));
        }
        out.push_str(&text[done..splice.at.start]);
        out.push_str(&splice.text);
        done = splice.at.end;
    }
    out.push_str(&text[done..scope.end]);
    validate(path, &out, format).map_err(|e| failed(e.to_string()))?;
    Ok(out)
}

/// Whether the object's braces are on different lines.
fn is_multiline(text: &str, object: &ObjectSpan<'_>) -> bool {
    text[object.open..object.close].contains('\n')
}

fn key_text(name: &str) -> String {
    Value::String(name.to_string()).to_string()
}

fn replace_value(
    text: &str,
    object: &ObjectSpan<'_>,
    member: &Member<'_>,
    value: &Value,
    style: &Style,
) -> Splice {
    let layout = if is_multiline(text, object) {
        Layout::Multiline {
            base: line_indent(text, member.key_start),
            unit: &style.indent,
            newline: style.newline,
        }
    } else {
        Layout::Compact
    };
    Splice {
        at: member.value_start..member.value_end,
        text: render_json(value, layout),
    }
}

fn insert_member(
    text: &str,
    object: &ObjectSpan<'_>,
    name: &str,
    value: &Value,
    style: &Style,
) -> Vec<Splice> {
    let nl = style.newline;
    let key = key_text(name);
    let base = line_indent(text, object.open);
    let multiline_member = |child: &str| {
        let layout = Layout::Multiline {
            base: child,
            unit: &style.indent,
            newline: nl,
        };
        format!("{key}: {}", render_json(value, layout))
    };
    let compact_member = || format!("{key}: {}", render_json(value, Layout::Compact));
    let Some(last) = object.members.last() else {
        let child = format!("{base}{}", style.indent);
        let inner = &text[object.open + 1..object.close];
        // `{"mcpServers": {}}` on one line stays on one line; a bare `{}`
        // (a new file) is laid out.
        let nested_in_one_line = !text.trim_ascii_end().contains('\n')
            && scan::skip_trivia(text.as_bytes(), 0).is_ok_and(|root| root != object.open);
        if inner.trim_ascii().is_empty() && nested_in_one_line {
            return vec![Splice {
                at: object.open + 1..object.close,
                text: compact_member(),
            }];
        }
        if inner.trim_ascii().is_empty() {
            // `{}` or `{ }` or `{\n}`: lay the object out afresh.
            return vec![Splice {
                at: object.open + 1..object.close,
                text: format!("{nl}{child}{}{nl}{base}", multiline_member(&child)),
            }];
        }
        if starts_line(text, object.close) {
            // Only comments inside, `}` on its own line: add a line above it.
            let at = line_start(text, object.close);
            return vec![Splice {
                at: at..at,
                text: format!("{child}{}{nl}", multiline_member(&child)),
            }];
        }
        return vec![Splice {
            at: object.close..object.close,
            text: format!("{} ", compact_member()),
        }];
    };
    if !is_multiline(text, object) {
        return vec![match last.comma {
            None => Splice {
                at: last.value_end..last.value_end,
                text: format!(", {}", compact_member()),
            },
            Some(comma) => Splice {
                at: comma + 1..comma + 1,
                text: format!(" {}", compact_member()),
            },
        }];
    }
    let child = if starts_line(text, last.key_start) {
        line_indent(text, last.key_start).to_string()
    } else {
        format!("{base}{}", style.indent)
    };
    let after = last.comma.map_or(last.value_end, |c| c + 1);
    let end = end_of_line(text, after);
    let mut splices = Vec::new();
    if last.comma.is_none() {
        splices.push(Splice {
            at: last.value_end..last.value_end,
            text: ",".to_string(),
        });
    }
    splices.push(Splice {
        at: end.at..end.at,
        text: format!("{nl}{child}{}", multiline_member(&child)),
    });
    splices
}

fn remove_member(text: &str, object: &ObjectSpan<'_>, index: usize) -> Vec<Splice> {
    let bytes = text.as_bytes();
    let Some(member) = object.members.get(index) else {
        return Vec::new();
    };
    let previous_comma = index
        .checked_sub(1)
        .and_then(|i| object.members.get(i))
        .and_then(|m| m.comma);
    let after = member.comma.map_or(member.value_end, |c| c + 1);
    let end = end_of_line(text, after);
    let mut removed: Vec<Range<usize>> = Vec::new();
    if starts_line(text, member.key_start) && end.newline > 0 {
        // The member has its own line(s): remove them whole, with any
        // comment trailing it on its last line.
        removed.push(line_start(text, member.key_start)..end.at + end.newline);
        if member.comma.is_none()
            && let Some(comma) = previous_comma
        {
            removed.push(comma..comma + 1);
        }
    } else if let Some(comma) = member.comma {
        let mut stop = comma + 1;
        while matches!(bytes.get(stop), Some(b' ' | b'\t')) {
            stop += 1;
        }
        removed.push(member.key_start..stop);
    } else if let Some(comma) = previous_comma {
        removed.push(comma..member.value_end);
    } else {
        removed.push(member.key_start..member.value_end);
    }
    // An object left with nothing but whitespace becomes `{}`.
    if object.members.len() == 1 {
        removed.sort_by_key(|r| r.start);
        let mut rest = object.open + 1;
        let mut blank = true;
        for range in &removed {
            blank &= text[rest..range.start].trim_ascii().is_empty();
            rest = range.end;
        }
        blank &= text[rest..object.close].trim_ascii().is_empty();
        if blank {
            removed.clear();
            removed.push(object.open + 1..object.close);
        }
    }
    removed
        .into_iter()
        .map(|at| Splice {
            at,
            text: String::new(),
        })
        .collect()
}

/// Where a line ends, seen from `from`.
struct LineEnd {
    /// Offset of the line break, or of where insertion should happen when
    /// something other than trivia follows on the line.
    at: usize,
    /// Length of the line break at `at` (0, 1 or 2).
    newline: usize,
}

/// Skips spaces, tabs and comments that stay on the current line from `from`.
fn end_of_line(text: &str, from: usize) -> LineEnd {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut last = from;
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t') => i += 1,
            Some(b'\n') => return LineEnd { at: i, newline: 1 },
            Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                return LineEnd { at: i, newline: 2 };
            }
            Some(b'/') => match scan::skip_comment(bytes, i) {
                Ok(end) if !text[i..end].contains('\n') => {
                    i = end;
                    last = end;
                }
                _ => {
                    return LineEnd {
                        at: last,
                        newline: 0,
                    };
                }
            },
            None => return LineEnd { at: i, newline: 0 },
            Some(_) => {
                return LineEnd {
                    at: last,
                    newline: 0,
                };
            }
        }
    }
}
