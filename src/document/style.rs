//! The layout conventions of an existing file (line ending, indent unit) and
//! small helpers about lines, so that what we write looks hand-written.

/// How many bytes of a file are looked at to guess its style. Enough for
/// every real file's first lines; keeps a 50 MB file cheap.
const SAMPLE: usize = 64 * 1024;

/// Line ending and indentation unit of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Style {
    pub newline: &'static str,
    pub indent: String,
}

impl Style {
    pub fn detect(text: &str) -> Style {
        let sample = prefix_on_boundary(text, SAMPLE);
        let newline = match sample.find('\n') {
            Some(n) if n > 0 && sample.as_bytes()[n - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        Style {
            newline,
            indent: detect_indent(sample),
        }
    }
}

fn prefix_on_boundary(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The indent unit: a tab when lines are tab-indented, otherwise the
/// smallest non-zero run of leading spaces (2 when nothing is indented).
fn detect_indent(sample: &str) -> String {
    let mut smallest: Option<usize> = None;
    for line in sample.lines() {
        let rest = line.trim_start_matches([' ', '\t']);
        // Continuation lines of block comments (` * text`) say nothing.
        if rest.is_empty() || rest.starts_with('*') {
            continue;
        }
        if line.starts_with('\t') {
            return "\t".to_string();
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if spaces > 0 && smallest.is_none_or(|s| spaces < s) {
            smallest = Some(spaces);
        }
    }
    " ".repeat(smallest.unwrap_or(2).min(8))
}

/// Offset of the start of the line holding `offset`.
pub(super) fn line_start(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1)
}

/// The whitespace at the start of the line holding `offset`.
pub(super) fn line_indent(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let len = text.as_bytes()[start..offset]
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    &text[start..start + len]
}

/// Whether only spaces and tabs precede `offset` on its line.
pub(super) fn starts_line(text: &str, offset: usize) -> bool {
    text.as_bytes()[line_start(text, offset)..offset]
        .iter()
        .all(|&b| b == b' ' || b == b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_indent_units_and_newlines() {
        let two = Style::detect("{\n  \"a\": {\n    \"b\": 1\n  }\n}\n");
        assert_eq!((two.newline, two.indent.as_str()), ("\n", "  "));
        let four = Style::detect("{\r\n    \"a\": 1\r\n}\r\n");
        assert_eq!((four.newline, four.indent.as_str()), ("\r\n", "    "));
        let tab = Style::detect("{\n\t\"a\": 1\n}");
        assert_eq!(tab.indent, "\t");
        let flat = Style::detect("{\"a\": 1}");
        assert_eq!(flat.indent, "  ");
        let comment = Style::detect("/*\n * x\n */\n{\n    \"a\": 1\n}");
        assert_eq!(comment.indent, "    ");
    }

    #[test]
    fn line_helpers() {
        let text = "a\n  b: c\n";
        assert_eq!(line_start(text, 5), 2);
        assert_eq!(line_indent(text, 5), "  ");
        assert!(starts_line(text, 4));
        assert!(!starts_line(text, 6));
    }
}
