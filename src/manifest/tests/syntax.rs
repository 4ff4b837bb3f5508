//! The version line and KDL syntax errors.

use super::*;

#[test]
fn version_missing() {
    let p = only("client claude-code\n");
    assert_eq!(p.kind, ProblemKind::Version);
    assert_eq!(p.help.as_deref(), Some("add `mcpctl version=1` at the top"));
    let p = only("");
    assert_eq!(p.kind, ProblemKind::Version);
    let p = only("mcpctl\n");
    assert_eq!(p.kind, ProblemKind::Version);
    assert_eq!(p.help.as_deref(), Some("add `mcpctl version=1` at the top"));
}

#[test]
fn version_unsupported_stops_there() {
    let p = only("mcpctl version=2\nbogus\nserver { }\n");
    assert_eq!(p.kind, ProblemKind::Version);
    assert!(
        p.help
            .unwrap()
            .contains("this mcpctl understands version 1")
    );
}

#[test]
fn version_misplaced_or_misspelt() {
    let source = "client claude-code\nmcpctl version=1\n";
    let p = only(source);
    assert_eq!(p.kind, ProblemKind::Version);
    assert_eq!(at(source, &p, 0), "mcpctl version=1");
    assert_eq!(kinds("mcpctl version=\"1\"\n"), [ProblemKind::Arguments]);
    assert_eq!(kinds("mcpctl 1 version=1\n"), [ProblemKind::Arguments]);
    let p = only("mcpctl version=1.0\n");
    assert_eq!(
        p.message,
        "the version must be a whole number, not a decimal number"
    );
    assert_eq!(
        kinds("mcpctl version=1\nmcpctl version=1\n"),
        [ProblemKind::Duplicate]
    );
    let p = only("mcpctl versoin=1 version=1\n");
    assert_eq!(p.kind, ProblemKind::UnknownProperty);
    assert!(p.help.unwrap().contains("did you mean `version`?"));
}

#[test]
fn syntax_errors_keep_file_line_and_column() {
    let err = parse("team/mcpctl.kdl", "mcpctl version=1\ncredential A {\n").unwrap_err();
    assert!(matches!(err, ManifestError::Syntax { .. }));
    assert!(err.problem_count() >= 1);
    assert_eq!(err.problems()[0].kind, ProblemKind::Syntax);
    let text = render(&err);
    assert!(text.contains("[team/mcpctl.kdl:2:"), "{text}");
}

#[test]
fn syntax_hint_for_unquoted_values() {
    let err = parse(
        "m.kdl",
        "mcpctl version=1\ncredential A { rotate-every 90d; }\n",
    )
    .unwrap_err();
    let help = err.problems()[0].help.clone().unwrap();
    assert!(help.contains("`\"90d\"`"), "{help}");
    let err = parse(
        "m.kdl",
        "mcpctl version=1\nserver s { command npx -y @a/b; }\n",
    )
    .unwrap_err();
    let help = err.problems()[0].help.clone().unwrap();
    assert!(help.contains("double quotes"), "{help}");
}
