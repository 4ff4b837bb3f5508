//! Large client files (a `~/.claude.json` with a long history): an edit
//! touches only its entry, and reading entries while parsing is the same as
//! parsing, then reading.

use super::*;

/// A claude.json-like text of about `size` bytes: `projects` with history
/// full of JSON-looking strings, then the top-level `mcpServers`.
fn large_claude_json(size: usize) -> String {
    let mut projects = String::new();
    let mut n = 0;
    while projects.len() < size {
        let entry = json!({
            "allowedTools": ["Bash(cargo test)"],
            "history": (0..20).map(|i| json!({
                "display": format!("prompt {i} with \"mcpServers\": {{ \"x\": [ // not a comment"),
                "pastedContents": {"1": {"id": 1, "type": "text", "content": "/* {[\"\\\\\"]} */\n".repeat(8)}}
            })).collect::<Vec<_>>(),
            "mcpServers": {},
            "hasTrustDialogAccepted": true
        });
        let rendered = serde_json::to_string_pretty(&entry)
            .unwrap()
            .replace('\n', "\n    ");
        if n > 0 {
            projects.push_str(",\n");
        }
        projects.push_str(&format!("    \"/home/ada/src/p{n}\": {rendered}"));
        n += 1;
    }
    format!(
        "{{\n  \"numStartups\": 9,\n  \"projects\": {{\n{projects}\n  }},\n  \"mcpServers\": {{\n    \"github\": {{\n      \"command\": \"x\"\n    }}\n  }},\n  \"userID\": \"u\"\n}}\n"
    )
}

#[test]
fn large_file_edits_touch_only_the_entry() {
    let text = large_claude_json(20 * 1024 * 1024);
    let mut d = doc(&text, Format::Json);
    let table = ["mcpServers"];
    d.set_entry(&table, "linear", &github_entry()).unwrap();
    assert_changed_only_within(&text, d.text(), json_region(&text, &table, "linear"));
    assert_eq!(
        d.entries(&table).unwrap().keys().collect::<Vec<_>>(),
        ["github", "linear"]
    );
    assert!(d.remove_entry(&table, "github").unwrap());
    let project = ["projects", "/home/ada/src/p3", "mcpServers"];
    d.set_entry(&project, "x", &json!({"command": "y"}))
        .unwrap();
    assert_eq!(d.entries(&project).unwrap()["x"], json!({"command": "y"}));
    assert!(d.text().len() > 20 * 1024 * 1024);
    assert!(serde_json::from_str::<serde::de::IgnoredAny>(d.text()).is_ok());
}

/// What observe does with `~/.claude.json`: validate and read the table
/// at once (two threads from 1 MiB up), then edit at the remembered place.
/// Same entries and same edits as reading and editing the plain way.
#[test]
fn parse_entries_reads_and_edits_like_parse_then_entries() {
    let path = Path::new("/home/ada/.claude.json");
    for size in [4 * 1024, 3 * 1024 * 1024] {
        let text = large_claude_json(size);
        for table in [
            &["mcpServers"][..],
            &["projects", "/home/ada/src/p1", "mcpServers"],
            &["projects", "/nowhere", "mcpServers"],
        ] {
            let plain = doc(&text, Format::Json);
            let (read, entries) =
                Document::parse_entries(path, text.clone(), Format::Json, table).unwrap();
            assert_eq!(entries, plain.entries(table).unwrap(), "{table:?}");
            let value = json!({"command": "mcpctl", "args": ["exec"]});
            let edited = read.with_entry(table, "linear", &value).unwrap();
            let expected = plain.with_entry(table, "linear", &value).unwrap();
            assert_eq!(edited.text(), expected.text(), "{table:?}");
            let removed = read.without_entry(table, "github").unwrap();
            let expected = plain.without_entry(table, "github").unwrap();
            assert_eq!(
                removed.as_ref().map(Document::text),
                expected.as_ref().map(Document::text)
            );
        }
    }
}

/// Claude Code's local scope beside its user scope: a second table of the
/// same text is read with `read_entries`, and edits of both tables start
/// at the remembered places and match edits of a freshly parsed document.
#[test]
fn a_second_table_of_the_same_text_is_remembered_too() {
    let path = Path::new("/home/ada/.claude.json");
    let text = large_claude_json(3 * 1024 * 1024);
    let plain = doc(&text, Format::Json);
    let user = ["mcpServers"];
    let local = ["projects", "/home/ada/src/p1", "mcpServers"];
    let (mut read, _) = Document::parse_entries(path, text.clone(), Format::Json, &user).unwrap();
    assert_eq!(
        read.read_entries(&local).unwrap(),
        plain.entries(&local).unwrap()
    );
    let value = json!({"command": "mcpctl", "args": ["exec"]});
    for table in [&user[..], &local[..]] {
        let edited = read.with_entry(table, "linear", &value).unwrap();
        let expected = plain.with_entry(table, "linear", &value).unwrap();
        assert_eq!(edited.text(), expected.text(), "{table:?}");
    }
}

/// A broken large file is reported as broken (line and column of the
/// problem), whatever the scanner made of it meanwhile.
#[test]
fn parse_entries_reports_the_syntax_error_of_a_large_file() {
    let mut text = large_claude_json(3 * 1024 * 1024);
    let at = text.find("\"numStartups\"").unwrap();
    text.insert_str(at, "// a comment\n");
    let err = Document::parse_entries(
        Path::new("/home/ada/.claude.json"),
        text,
        Format::Json,
        &["mcpServers"],
    )
    .unwrap_err();
    assert!(
        matches!(err, DocumentError::Syntax { line, .. } if line > 1),
        "{err:?}"
    );
}
