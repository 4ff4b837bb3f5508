//! Valid files that are unusual: an entry given twice, JSONC whitespace
//! beyond spaces and tabs.

use super::*;

/// Found by fuzzing: with a duplicated key only the last one counts for
/// clients, so removing just that one revived the earlier duplicate.
#[test]
fn removing_a_duplicated_entry_removes_every_copy() {
    let text = "{\n  \"mcpServers\": {\n    \"a\": {\"old\": true},\n    \"b\": {},\n    \"a\": {}\n  }\n}\n";
    let mut d = doc(text, Format::Json);
    assert!(d.remove_entry(&["mcpServers"], "a").unwrap());
    assert_eq!(d.text(), "{\n  \"mcpServers\": {\n    \"b\": {}\n  }\n}\n");
}

/// Found by fuzzing: jsonc-parser and VS Code take vertical tab, form feed
/// and Unicode spaces as whitespace; the scanner did not, and read a
/// value that starts after them from the wrong byte.
#[test]
fn jsonc_whitespace_includes_form_feed_and_unicode_spaces() {
    let text = "{\u{c}\"servers\":\u{b}\u{a0}{\u{3000}\"a\":\u{c}{}\u{2003}}\u{c}}\n";
    let mut d = doc(
        text,
        Format::Jsonc {
            trailing_commas: true,
        },
    );
    assert_eq!(d.entries(&["servers"]).unwrap()["a"], json!({}));
    d.set_entry(&["servers"], "b", &json!({"x": 1})).unwrap();
    let entries = d.entries(&["servers"]).unwrap();
    assert_eq!(entries.len(), 2, "{}", d.text());
}
