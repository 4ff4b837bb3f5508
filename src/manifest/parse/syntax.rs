//! What is checked before the KDL tree exists: how deep `{ }` nests, raw
//! characters a terminal would act on, and the kdl crate's own syntax
//! errors, re-anchored on the named file with better help for unquoted
//! values.

use kdl::KdlError;
use miette::SourceSpan;

use super::{K, ManifestError, Problem, shown_source};
use crate::terminal_text;

/// How deep `{ }` may nest. The kdl parser recurses per level, so a file
/// of 100,000 `{` overflowed the stack (found by the hostile-input tests).
pub(super) const MAX_DEPTH: usize = 64;

/// The offset of the first `{` nested deeper than [`MAX_DEPTH`], skipping
/// quoted strings and comments (conservatively: a raw string holding an
/// unbalanced `{` counts, which only matters past 64 of them).
pub(super) fn too_deep(source: &str) -> Option<usize> {
    let bytes = source.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

pub(super) const UNSAFE_HELP: &str = "a terminal acts on control characters and bidirectional overrides instead of showing them, so they could hide or rewrite what `mcpctl plan` shows; remove the character, or write the text it should show";

/// Control characters (other than tab and line ends) and bidirectional
/// overrides written as themselves in the file. KDL 2.0 refuses most of
/// them with a bare "expected quoted string"; this names the character and
/// where it is. (Values that reach one through an escape such as `\u{1b}`
/// are caught by the sweep.)
pub(super) fn raw_unsafe_characters(source: &str) -> Vec<Problem> {
    source
        .char_indices()
        .filter(|&(_, c)| terminal_text::is_unsafe(c) && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(offset, c)| {
            Problem::new(
                K::UnsafeCharacter,
                format!("the file holds {}", terminal_text::describe(c)),
                SourceSpan::from(offset..offset + c.len_utf8()),
                "here",
            )
            .help(UNSAFE_HELP)
        })
        .collect()
}

/// Re-anchors the kdl crate's diagnostics on a named source (its own source
/// has no name, so miette would show no file name) and improves the help
/// for the commonest KDL 2.0 surprise: unquoted values such as `90d` or
/// `@scope/package`.
pub(super) fn syntax_error(name: &str, source: &str, err: KdlError) -> ManifestError {
    let problems = err
        .diagnostics
        .iter()
        .map(|d| {
            let message = d.message.clone().unwrap_or_else(|| "invalid KDL".into());
            let label = d.label.clone().unwrap_or_else(|| "here".into());
            Problem::new(K::Syntax, message, d.span, label)
                .maybe_help(quoting_hint(source, d.span).or_else(|| d.help.clone()))
        })
        .collect();
    ManifestError::Syntax {
        src: shown_source(name, source, &[]),
        problems,
        kdl: Box::new(err),
    }
}

pub(super) fn quoting_hint(source: &str, span: SourceSpan) -> Option<String> {
    let text = source.get(span.offset()..span.offset() + span.len())?;
    let bare = !text.is_empty()
        && !text.contains(|c: char| c.is_whitespace() || c == '"')
        && (text.starts_with(|c: char| c.is_ascii_digit())
            || text.contains(['/', '(', ')', '[', ']', ';', '=', '#', '\\']));
    if !bare {
        return None;
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let looks_like_period =
        digits > 0 && text.len() <= 8 && text[digits..].chars().all(|c| c.is_ascii_alphabetic());
    Some(if looks_like_period {
        format!(
            "KDL 2.0 reads a bare value that starts with a digit as a number; put it in quotes: `\"{text}\"`"
        )
    } else {
        "put this value in double quotes: a bare KDL 2.0 value cannot start with a digit or contain `/ ( ) [ ] ; = # \\`".to_owned()
    })
}
