//! Files that do not parse: each format's rules on trailing commas and
//! comments, and errors that say where and what.

use super::*;

fn syntax_error(text: &str, format: Format) -> (usize, usize, String) {
    match Document::parse(Path::new("/p/mcp.json"), text.to_string(), format) {
        Err(DocumentError::Syntax {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        Err(other) => panic!("expected a syntax error, got {other}"),
        Ok(_) => panic!("expected a syntax error for {format:?}"),
    }
}

#[test]
fn trailing_commas_and_comments_follow_the_format() {
    let trailing = "{\n  \"servers\": {\n    \"a\": 1,\n  }\n}\n";
    let (line, column, message) = syntax_error(trailing, Format::Json);
    assert_eq!((line, column), (3, 11));
    assert!(message.contains("Trailing comma"), "{message}");
    let (line, column, message) = syntax_error(
        trailing,
        Format::Jsonc {
            trailing_commas: false,
        },
    );
    assert_eq!((line, column), (3, 11));
    assert!(message.contains("Trailing comma"), "{message}");
    doc(trailing, VSCODE_FORMAT);

    let commented = "{\n  // note\n  \"a\": 1\n}\n";
    let (line, column, message) = syntax_error(commented, Format::Json);
    assert_eq!((line, column), (2, 3));
    assert!(message.contains("Comments are not allowed"), "{message}");
    doc(commented, VSCODE_FORMAT);

    let (line, column, message) = syntax_error("a = 1\nb = [\n", Format::Toml);
    assert_eq!((line, column), (2, 6));
    assert!(message.contains("unclosed array"), "{message}");
}

#[test]
fn syntax_errors_explain_themselves() {
    let err = Document::parse(
        Path::new("/home/ada/.claude.json"),
        "{\"a\": }".to_string(),
        Format::Json,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`/home/ada/.claude.json` is not valid JSON (no comments, no trailing commas): line 1, column 7: Unexpected close brace"
    );
    let help = miette::Diagnostic::help(&err)
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(
        help.contains("by hand") && help.contains("nothing was written"),
        "{help}"
    );
}
