//! The YAML editor against hand-written files (comments, anchors, flow
//! style, CRLF, `---`, block scalars) and hostile values: parse → print is
//! byte-identical, insert → remove gives the original back, a replacement
//! changes only the entry's lines, and what cannot be edited safely is
//! refused with its place in the file.

use std::path::Path;
use std::str::FromStr;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::{Document, DocumentError, Format, YamlLayout};

const GOOSE: Format = Format::Yaml(YamlLayout {
    named_by: None,
    new_file: "",
});
const CONTINUE: Format = Format::Yaml(YamlLayout {
    named_by: Some("name"),
    new_file: "name: mcpctl\nversion: 0.0.1\nschema: v1\n",
});

const GOOSE_BASIC: &str = include_str!("../testdata/yaml/goose-basic.yaml");
const ANCHORS: &str = include_str!("../testdata/yaml/anchors.yaml");
const CONTINUE_CONFIG: &str = include_str!("../testdata/yaml/continue-config.yaml");

/// Files with `extensions` (a mapping, or missing, or null) laid out every
/// way the corpus knows.
const GOOSE_FILES: &[&str] = &[
    GOOSE_BASIC,
    ANCHORS,
    "GOOSE_PROVIDER: openai\r\n# crlf comment\r\nextensions:\r\n  developer:\r\n    enabled: true\r\n    name: developer\r\n    type: builtin\r\n",
    "extensions: {developer: {enabled: true, name: developer, type: builtin}, fetch: {cmd: uvx, args: [mcp-server-fetch]}}\nGOOSE_MODEL: \"gpt-4o\"\n",
    "GOOSE_PROVIDER: openai\nextensions: {}\n",
    "# only provider\nGOOSE_PROVIDER: openai\nGOOSE_MODEL: gpt-4o\n",
    "GOOSE_PROVIDER: openai\nextensions:\n# trailing comment\nOTHER: 1\n",
    "extensions:\n  developer:\n    enabled: true\n    name: developer\n\n# keep this comment at the end\nGOOSE_PROVIDER: openai\n",
    "%YAML 1.2\n---\nkey: \"quoted\"   \nliteral: |\n  line one\n    indented\nfolded: >-\n  a\n  b\nextensions:\n    four:\n        cmd: x\n        args: []\n...\n",
    "---\n# a document marker and a comment\nextensions:\n  a:\n    cmd: a\n    args: [x]   # flow args\n",
    "",
    "# nothing but a comment",
];

fn path() -> &'static Path {
    Path::new("/home/ada/.config/goose/config.yaml")
}

fn parse(text: &str, format: Format) -> Document {
    Document::parse(path(), text.to_string(), format)
        .unwrap_or_else(|e| panic!("does not parse: {e}\n{text}"))
}

/// The strict data of a text, as JSON.
fn data(text: &str) -> Value {
    serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn github() -> Value {
    json!({
        "enabled": true,
        "type": "stdio",
        "name": "mcpctl-github",
        "cmd": "/usr/local/bin/mcpctl",
        "args": ["exec", "github"],
        "envs": {},
        "timeout": 300
    })
}

#[test]
fn every_file_prints_back_byte_for_byte() {
    for text in GOOSE_FILES.iter().chain([&CONTINUE_CONFIG]) {
        let file = yaml_edit::YamlFile::from_str(text).unwrap();
        assert_eq!(file.to_string(), *text);
        parse(text, GOOSE);
    }
}

#[test]
fn insert_then_remove_gives_the_original_bytes() {
    for text in GOOSE_FILES {
        let mut document = parse(text, GOOSE);
        document
            .set_entry(&["extensions"], "mcpctl-github", &github())
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let inserted = document.text().to_string();
        assert_eq!(
            document.entries(&["extensions"]).unwrap()["mcpctl-github"],
            github(),
            "{inserted}"
        );
        assert!(
            document
                .remove_entry(&["extensions"], "mcpctl-github")
                .unwrap()
        );
        // A file that had no `extensions` keeps the key it gained, empty.
        if data(text).get("extensions").is_some_and(|e| !e.is_null()) {
            assert_eq!(document.text(), *text, "after inserting:\n{inserted}");
        } else {
            let mut expected = data(text);
            if expected.is_null() {
                expected = json!({});
            }
            expected["extensions"] = json!({});
            assert_eq!(data(document.text()), expected, "{}", document.text());
        }
    }
}

#[test]
fn an_insert_adds_lines_in_the_file_style_and_touches_nothing_else() {
    let crlf = GOOSE_FILES[2];
    let mut document = parse(crlf, GOOSE);
    document
        .set_entry(&["extensions"], "mcpctl-github", &github())
        .unwrap();
    let text = document.text();
    assert!(text.starts_with(crlf), "{text}");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "every line ends with CRLF: {text:?}"
    );

    let mut document = parse(GOOSE_BASIC, GOOSE);
    document
        .set_entry(&["extensions"], "mcpctl-github", &github())
        .unwrap();
    assert!(
        document.text().starts_with(GOOSE_BASIC),
        "{}",
        document.text()
    );
    assert!(
        document
            .text()
            .contains("\n  mcpctl-github:\n    enabled: true\n"),
        "{}",
        document.text()
    );
}

#[test]
fn a_replacement_changes_only_the_entry_lines() {
    let mut document = parse(GOOSE_BASIC, GOOSE);
    let mut changed = github();
    changed["args"] = json!(["exec", "github", "--read-only"]);
    document
        .set_entry(&["extensions"], "memory", &changed)
        .unwrap();
    let after = document.text();
    let start = GOOSE_BASIC.find("  memory:\n").unwrap();
    let end = GOOSE_BASIC.find("  github:\n").unwrap();
    assert_eq!(&after[..start], &GOOSE_BASIC[..start]);
    assert!(after.ends_with(&GOOSE_BASIC[end..]), "{after}");
    // Its place among the entries is kept.
    let names: Vec<String> = data(after)["extensions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(names, ["developer", "memory", "github"]);
}

#[test]
fn a_new_file_and_a_comment_only_file_get_the_table() {
    let mut document = Document::empty(path(), GOOSE);
    document
        .set_entry(&["extensions"], "mcpctl-github", &github())
        .unwrap();
    assert!(
        document
            .text()
            .starts_with("extensions:\n  mcpctl-github:\n")
    );
    assert_eq!(
        data(document.text())["extensions"]["mcpctl-github"],
        github()
    );

    let mut document = parse("# nothing yet", GOOSE);
    document
        .set_entry(&["extensions"], "a", &json!({}))
        .unwrap();
    assert_eq!(document.text(), "# nothing yet\nextensions:\n  a: {}\n");

    let document = Document::empty(path(), CONTINUE);
    let document = document
        .with_entry(
            &["mcpServers"],
            "mcpctl-github",
            &json!({"command": "mcpctl"}),
        )
        .unwrap();
    assert_eq!(
        document.text(),
        "name: mcpctl\nversion: 0.0.1\nschema: v1\nmcpServers:\n- name: mcpctl-github\n  command: mcpctl\n"
    );
}

#[test]
fn a_list_of_named_entries_is_appended_to_replaced_in_place_and_removed() {
    let table = &["mcpServers"];
    let mut document = parse(CONTINUE_CONFIG, CONTINUE);
    let entries = document.entries(table).unwrap();
    assert_eq!(
        entries.keys().collect::<Vec<_>>(),
        ["Remote", "SQLite"],
        "{entries:?}"
    );
    let entry = json!({"command": "mcpctl", "args": ["exec", "github"]});
    document.set_entry(table, "mcpctl-github", &entry).unwrap();
    let appended = document.text().to_string();
    assert!(appended.starts_with(CONTINUE_CONFIG), "{appended}");
    assert_eq!(document.entries(table).unwrap()["mcpctl-github"], entry);
    assert!(
        appended.ends_with("  - name: mcpctl-github\n    command: mcpctl\n    args:\n      - exec\n      - github\n"),
        "{appended}"
    );
    assert!(document.remove_entry(table, "mcpctl-github").unwrap());
    assert_eq!(document.text(), CONTINUE_CONFIG);
    assert!(!document.remove_entry(table, "mcpctl-github").unwrap());

    // The first item, replaced: the second (and its comment) stay.
    document
        .set_entry(table, "SQLite", &json!({"command": "sqlite-mcp"}))
        .unwrap();
    let comment = CONTINUE_CONFIG.find("  # remote one").unwrap();
    assert!(document.text().ends_with(&CONTINUE_CONFIG[comment..]));
    let servers = &data(document.text())["mcpServers"];
    assert_eq!(
        servers[0],
        json!({"name": "SQLite", "command": "sqlite-mcp"})
    );
    assert_eq!(servers[1]["name"], "Remote");
}

#[test]
fn list_items_without_a_name_are_not_entries_and_two_with_one_name_are_refused() {
    let text =
        "name: a\nversion: 1\nmcpServers:\n  - uses: org/slug\n  - name: x\n    command: a\n";
    assert_eq!(
        parse(text, CONTINUE)
            .entries(&["mcpServers"])
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["x"]
    );
    let twice = "mcpServers:\n  - name: x\n    command: a\n  - name: x\n    command: b\n";
    let err = parse(twice, CONTINUE)
        .with_entry(&["mcpServers"], "x", &json!({"command": "c"}))
        .unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::DuplicateName {
                line: 4,
                column: 5,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn the_wrong_kind_of_table_is_refused() {
    let err = parse("mcpServers:\n  x:\n    command: a\n", CONTINUE)
        .entries(&["mcpServers"])
        .unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::NotAList {
                found: "a mapping",
                ..
            }
        ),
        "{err:?}"
    );
    let err = parse("extensions: [a, b]\n", GOOSE)
        .with_entry(&["extensions"], "x", &json!({}))
        .unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::NotATable {
                found: "a list",
                ..
            }
        ),
        "{err:?}"
    );
    let err = parse("- a\n- b\n", GOOSE)
        .with_entry(&["extensions"], "x", &json!({}))
        .unwrap_err();
    assert!(
        matches!(
            err,
            DocumentError::NotATable {
                found: "a list",
                ..
            }
        ),
        "{err:?}"
    );
    // An alias is read through but not edited through.
    let alias = "base: &base\n  a:\n    cmd: a\nextensions: *base\n";
    assert_eq!(
        parse(alias, GOOSE).entries(&["extensions"]).unwrap().len(),
        1
    );
    let err = parse(alias, GOOSE)
        .with_entry(&["extensions"], "x", &json!({}))
        .unwrap_err();
    assert!(matches!(err, DocumentError::NotEditable { .. }), "{err:?}");
}

/// Invalid YAML that yaml-edit alone would accept, and duplicate keys,
/// which it would edit at the first occurrence while the clients read the
/// last: refused with the place.
#[test]
fn invalid_yaml_and_duplicate_keys_are_refused_with_their_place() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("a:\n  b: 1\n c: 2\n", 3, 2, "did not find expected key"),
        ("extensions:\n\tbad: tab\n", 2, 1, "cannot start any token"),
        ("a: *nope\n", 1, 4, "unknown anchor"),
        (
            "extensions:\n  github:\n    cmd: a\n  github:\n    cmd: b\n",
            2,
            3,
            "duplicate entry with key \"github\"",
        ),
        (
            "extensions: {}\nextensions: {}\n",
            1,
            1,
            "duplicate entry with key \"extensions\"",
        ),
        ("a: 1\n---\nb: 2\n", 1, 1, "more than one document"),
        ("a: \"open\n", 2, 1, "quoted scalar"),
    ];
    for &(text, line, column, message) in cases {
        let err = Document::parse(path(), text.to_string(), GOOSE).unwrap_err();
        let DocumentError::Syntax {
            line: l,
            column: c,
            message: m,
            ..
        } = &err
        else {
            panic!("{text:?}: {err:?}");
        };
        assert_eq!((*l, *c), (line, column), "{text:?}: {m}");
        assert!(m.contains(message), "{text:?}: {m}");
        assert!(
            err.to_string().contains("config.yaml"),
            "names the file: {err}"
        );
    }
}

/// The "billion laughs": nine levels of ten aliases each would be 10^9
/// nodes; nesting 100,000 deep would overflow a recursive parser.
#[test]
fn alias_bombs_and_deep_nesting_are_refused_quickly() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("extensions: {}\n");
    let deep = format!("extensions: {}", "[".repeat(100_000));
    for text in [bomb, deep] {
        let started = std::time::Instant::now();
        let err = Document::parse(path(), text.clone(), GOOSE).unwrap_err();
        assert!(
            matches!(&err, DocumentError::Syntax { message, .. }
                if message.contains("limit exceeded") || message.contains("deep")),
            "{err:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    let huge = format!("a: \"{}\"\n", "x".repeat(super::strict::MAX_LEN));
    let err = Document::parse(path(), huge, GOOSE).unwrap_err();
    assert!(matches!(err, DocumentError::NotEditable { .. }), "{err:?}");
}

/// Strings a careless YAML writer turns into something else: other types
/// (`yes`, `null`, `~`, `0x1F`), comments, mappings, flow syntax, escapes,
/// whitespace, controls and non-BMP characters.
const HOSTILE: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "",
    "123",
    "0x1F",
    "0o17",
    "1e3",
    ".inf",
    "-.nan",
    "-",
    "-dash",
    "- item",
    "? q",
    ": x",
    "key: value",
    "a:b",
    "# hash",
    "trailing #c",
    "a'b",
    "a\"b",
    "'",
    "\"",
    "tab\there",
    "new\nline",
    "cr\rlf",
    "  lead",
    "trail ",
    "@at",
    "`back",
    "!tag",
    "&anchor",
    "*alias",
    "%dir",
    "|",
    ">",
    "[a, b]",
    "{a: b}",
    ",",
    "${T}",
    "$T",
    "${{ secrets.T }}",
    "C:\\Users\\a",
    "\\",
    "---",
    "...",
    "<<",
    "ünï",
    "日本",
    "😀",
    "\u{2028}",
    "\u{85}",
    "\u{7f}",
    "\u{feff}bom",
    "\u{1}",
    "\u{fffe}",
];

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(HOSTILE).prop_map(str::to_string),
        any::<String>(),
        "[ -~\t\n]{0,12}",
    ]
}

proptest! {
    #[test]
    fn hostile_keys_and_values_round_trip_through_the_strict_parser(
        name in hostile(),
        cmd in hostile(),
        args in proptest::collection::vec(hostile(), 0..3),
        env in proptest::collection::btree_map(hostile(), hostile(), 0..3),
        file in proptest::sample::select(GOOSE_FILES),
    ) {
        let entry = json!({"cmd": cmd, "args": args, "envs": env, "timeout": 300});
        let document = parse(file, GOOSE)
            .with_entry(&["extensions"], &name, &entry)
            .unwrap_or_else(|e| panic!("{e:?}"));
        prop_assert_eq!(&data(document.text())["extensions"][&name], &entry);
        let entries = document.entries(&["extensions"]).unwrap();
        prop_assert_eq!(&entries[&name], &entry);
        if data(file).get("extensions").is_some_and(|e| !e.is_null()) {
            let removed = document.without_entry(&["extensions"], &name).unwrap().unwrap();
            prop_assert_eq!(removed.text(), file);
        }

        let list = parse(CONTINUE_CONFIG, CONTINUE)
            .with_entry(&["mcpServers"], &name, &json!({"command": cmd, "env": env}))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let read = &list.entries(&["mcpServers"]).unwrap()[&name];
        prop_assert_eq!(read, &json!({"command": cmd, "env": env}));
        let items = data(list.text())["mcpServers"].as_array().unwrap().clone();
        let stored = json!({"name": name, "command": cmd, "env": env});
        prop_assert!(items.contains(&stored));
    }
}
