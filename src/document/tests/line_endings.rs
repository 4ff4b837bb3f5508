//! Line endings: an edit keeps the file's CRLF or LF, and a carriage
//! return ends a line wherever the format says so.

use super::*;

#[test]
fn crlf_files_stay_crlf() {
    let json = CLAUDE.replace('\n', "\r\n");
    let mut d = doc(&json, Format::Json);
    d.set_entry(&["mcpServers"], "new", &github_entry())
        .unwrap();
    assert!(
        !d.text().replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
    assert!(d.remove_entry(&["mcpServers"], "github").unwrap());
    assert!(!d.text().replace("\r\n", "").contains('\n'));
    assert_valid(d.text(), Format::Json);

    let toml = CODEX.replace('\n', "\r\n");
    let mut d = doc(&toml, Format::Toml);
    d.set_entry(&["mcp_servers"], "new", &github_entry())
        .unwrap();
    assert!(
        !d.text().replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
    let region = toml_region(&toml, "CONTEXT7_TOKEN_SOURCE", "# Model providers");
    assert_changed_only_within(&toml, d.text(), region);
    assert!(d.remove_entry(&["mcp_servers"], "other").unwrap());
    assert!(!d.text().replace("\r\n", "").contains('\n'));
    assert_valid(d.text(), Format::Toml);
}

/// Found by the property tests: a string with a line break became a
/// multi-line `"""` string, whose raw line break the CRLF splice turned
/// into `\r\n` — the value read back was not the value written.
#[test]
fn toml_strings_with_line_breaks_survive_a_crlf_file() {
    let mut d = doc("model = \"o4\"\r\n", Format::Toml);
    let value = json!({"command": "a\nb\r\nc\t\u{7f}\"\\"});
    d.set_entry(&["mcp_servers"], "x", &value).unwrap();
    assert!(!d.text().contains("\"\"\""), "{}", d.text());
    let reread = doc(d.text(), Format::Toml);
    assert_eq!(reread.entries(&["mcp_servers"]).unwrap()["x"], value);
}

/// Found by fuzzing: a lone `\r` ends a `//` comment for jsonc-parser and
/// VS Code, so the key after it is real; the scanner read it as comment
/// and wrote a second `mcpServers` object.
#[test]
fn a_lone_carriage_return_ends_a_line_comment() {
    let text = "{\r  // c\r \"mcpServers\": {\"a\": {}}\r}\r";
    let jsonc = Format::Jsonc {
        trailing_commas: true,
    };
    let mut d = doc(text, jsonc);
    assert_eq!(d.entries(&["mcpServers"]).unwrap().len(), 1);
    d.set_entry(&["mcpServers"], "b", &json!({})).unwrap();
    assert_eq!(d.text().matches("mcpServers").count(), 1, "{}", d.text());
    assert_eq!(d.entries(&["mcpServers"]).unwrap().len(), 2);
}
