//! Characters a terminal acts on instead of showing, and how to show them.
//!
//! Much of what mcpctl prints comes from places a person does not control:
//! a manifest from a pull request, an AI client's config file, audit
//! records, a server's stderr. A string holding ESC can clear the screen,
//! move the cursor over a line of a plan, write the clipboard (OSC 52) or
//! plant a link (OSC 8); a bidirectional override (U+202E) makes the text
//! read differently from what it is. So the manifest refuses these
//! characters outright (`manifest::parse`), and every human renderer passes
//! untrusted strings through [`escape`], which writes each as a visible
//! `\u{1b}`. JSON output needs neither: serde escapes control characters,
//! and a program reading it sees the real value.

use std::borrow::Cow;

/// True for a character that must not reach a terminal as itself: the C0
/// controls (tab and newline included: one value, one line), DEL, the C1
/// controls, and the invisible characters that reorder or break text
/// (bidirectional marks, embeddings, overrides and isolates; the Unicode
/// line and paragraph separators).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}' | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe`] character written as a Rust-style
/// escape (`\u{1b}`, `\u{202e}`); borrowed when there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], for text that spreads over lines on purpose (an error,
/// a note): line ends stay, everything else unsafe is escaped.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text.contains(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(escape).collect::<Vec<_>>().join("\n"))
}

/// The first unsafe character of `text`, if any.
pub fn first_unsafe(text: &str) -> Option<char> {
    text.chars().find(|&c| is_unsafe(c))
}

/// A name for an unsafe character a person can look up:
/// `ESC (U+001B)`, `RIGHT-TO-LEFT OVERRIDE (U+202E)`.
pub fn describe(c: char) -> String {
    const C0: [&str; 32] = [
        "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
        "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
        "SUB", "ESC", "FS", "GS", "RS", "US",
    ];
    const C1: [&str; 32] = [
        "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD", "PLU",
        "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA", "SOS", "SGCI",
        "SCI", "CSI", "ST", "OSC", "PM", "APC",
    ];
    let code = c as u32;
    let name = match c {
        '\u{0}'..='\u{1f}' => C0[code as usize],
        '\u{7f}' => "DEL",
        '\u{80}'..='\u{9f}' => C1[code as usize - 0x80],
        '\u{61c}' => "ARABIC LETTER MARK",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        _ => return format!("U+{code:04X}"),
    };
    format!("{name} (U+{code:04X})")
}

/// `text` with each unsafe character replaced by a visible one of the same
/// length in UTF-8 (`?`, `¿` or `�`), so that byte offsets into it stay
/// valid: the copy of a file a diagnostic quotes lines from.
pub fn same_length_visible(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => c,
                c if is_unsafe(c) => match c.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => '\u{fffd}',
                },
                c => c,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_and_keeps_the_rest() {
        assert_eq!(
            escape("a\u{1b}]52;c;aGk=\u{7}b\u{202e}c\n\u{9b}é"),
            "a\\u{1b}]52;c;aGk=\\u{7}b\\u{202e}c\\u{a}\\u{9b}é"
        );
        assert!(matches!(escape("plain ~/x é 日本"), Cow::Borrowed(_)));
        assert_eq!(escape_lines("a\u{1b}\nb\r\n"), "a\\u{1b}\nb\\u{d}\n");
    }

    #[test]
    fn names_the_character() {
        assert_eq!(describe('\u{1b}'), "ESC (U+001B)");
        assert_eq!(describe('\u{7f}'), "DEL (U+007F)");
        assert_eq!(describe('\u{9d}'), "OSC (U+009D)");
        assert_eq!(describe('\u{202e}'), "RIGHT-TO-LEFT OVERRIDE (U+202E)");
    }

    #[test]
    fn visible_copy_keeps_byte_offsets() {
        let text = "a\u{1b}b\u{85}c\u{2066}d\ne\tf";
        let copy = same_length_visible(text);
        assert_eq!(copy.len(), text.len());
        assert_eq!(copy, "a?b¿c\u{fffd}d\ne\tf");
    }
}
