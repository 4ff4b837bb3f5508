//! Document edits round-trip, in a short bounded mode of the fuzzing done
//! with cargo-fuzz (`fuzz/`): every corpus seed and crash reproducer is
//! replayed, and proptest generates documents in many layouts and random
//! edit sequences, each checked by [`edit_oracle::check_edit`].

use std::path::{Path, PathBuf};

use mcpctl::document::{Document, Format};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::edit_oracle::{self, Edit, Target, decode, run_case, sample_value};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The checked-in inputs of one fuzz target: `corpus/<target>/seed-*` and
/// `regressions/<target>/*` (crash reproducers, kept forever).
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(dir).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if dir == "regressions" || name.starts_with("seed-") {
                let bytes = fs_err::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn fuzz_seeds_and_reproducers_replay() {
    let mut replayed = 0;
    for (target, kind) in [
        ("json_edit", Target::Json),
        ("toml_edit", Target::Toml),
        ("yaml_edit", Target::Yaml),
    ] {
        for (path, bytes) in inputs(target) {
            let case = decode(&bytes, kind)
                .unwrap_or_else(|| panic!("{} does not decode", path.display()));
            run_case(&case);
            replayed += 1;
        }
    }
    for (path, bytes) in inputs("manifest") {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let first = mcpctl::manifest::parse("mcpctl.kdl", text);
            let second = mcpctl::manifest::parse("mcpctl.kdl", text);
            assert_eq!(first.is_ok(), second.is_ok(), "{}", path.display());
        }
        replayed += 1;
    }
    assert!(replayed >= 10, "the fuzz corpus seeds are missing");
}

#[test]
fn changed_span_is_the_shortest_difference() {
    assert_eq!(edit_oracle::changed_span("abcdef", "abXdef"), (2, 3));
    assert_eq!(edit_oracle::changed_span("ab", "abb"), (2, 2));
    assert_eq!(edit_oracle::changed_span("abc", "ac"), (1, 2));
    // Removing the middle `ab` of `ababab`: any of the three alignments.
    assert!(edit_oracle::only_changed_within("ababab", "abab", 2, 4));
    assert!(!edit_oracle::only_changed_within("abXab", "abYab", 0, 2));
    assert!(!edit_oracle::only_changed_within("abcd", "abXd", 3, 4));
}

#[test]
#[should_panic(expected = "only")]
fn the_oracle_catches_an_edit_outside_the_entry() {
    // A real edit, then an unrelated key tampered with: the oracle must
    // reject it, or the fuzzing proves nothing.
    let old = "{\"a\": 1, \"mcpServers\": {}}";
    let mut doc = Document::parse(Path::new("t"), old.into(), Format::Json).unwrap();
    let entry = serde_json::json!({});
    doc.set_entry(&["mcpServers"], "x", &entry).unwrap();
    let tampered = doc.text().replace("\"a\": 1", "\"a\": 2");
    edit_oracle::check_unrelated_bytes(
        old,
        &tampered,
        Format::Json,
        &["mcpServers"],
        &Edit::Set("x".into(), entry),
    );
}

// ---- generated documents -------------------------------------------------

/// JSON values of a client file's shape (objects, arrays, strings with
/// escapes and comment-like text, numbers).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("\"quoted\" // not a comment"),
            Just("/* nor this */ {[,]}"),
            Just("ünïcødé 😀 \\ \t\n"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z_]{1,8}", inner), 0..4)
                .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// How a document is laid out on disk.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Pretty,
    Compact,
    Tabs,
    Crlf,
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Pretty),
        Just(Layout::Compact),
        Just(Layout::Tabs),
        Just(Layout::Crlf)
    ]
}

/// `text` with a comment line before every line that starts with a key.
fn with_comment_lines(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with('"') {
                format!("// note\n{l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render(value: &Value, layout: Layout) -> String {
    match layout {
        Layout::Pretty => serde_json::to_string_pretty(value).unwrap(),
        Layout::Compact => serde_json::to_string(value).unwrap(),
        Layout::Tabs => serde_json::to_string_pretty(value)
            .unwrap()
            .lines()
            .map(|line| {
                let depth = (line.len() - line.trim_start().len()) / 2;
                format!("{}{}", "\t".repeat(depth), line.trim_start())
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Layout::Crlf => serde_json::to_string_pretty(value)
            .unwrap()
            .replace('\n', "\r\n"),
    }
}

/// A client file: unrelated keys around a `mcpServers` table (sometimes
/// missing), optionally with comments sprinkled in for JSONC.
fn client_document() -> impl Strategy<Value = (String, Format)> {
    (
        prop::collection::vec(("[a-z]{1,6}", json_value()), 0..4),
        prop::option::of(prop::collection::vec(
            (0u8..8, any::<u8>()).prop_map(|(n, v)| (n, v)),
            0..4,
        )),
        layout(),
        any::<bool>(),
    )
        .prop_map(|(others, servers, layout, jsonc)| {
            let mut root = Map::new();
            for (key, value) in others {
                root.insert(key, value);
            }
            if let Some(servers) = servers {
                let table: Map<String, Value> = servers
                    .into_iter()
                    .map(|(n, v)| {
                        (
                            ["github", "docs", "playwright", "a\"b\\c"][usize::from(n % 4)]
                                .to_owned(),
                            sample_value(v),
                        )
                    })
                    .collect();
                root.insert("mcpServers".into(), Value::Object(table));
            }
            let mut text = render(&Value::Object(root), layout);
            let format = if jsonc {
                // A comment line before every key line, and one at the top.
                text = with_comment_lines(&text);
                text = format!("/* header */\n{text}");
                Format::Jsonc {
                    trailing_commas: true,
                }
            } else {
                Format::Json
            };
            text.push('\n');
            (text, format)
        })
}

fn edit() -> impl Strategy<Value = Edit> {
    let name = prop_oneof![
        Just("github"),
        Just("docs"),
        Just("playwright"),
        Just("new"),
        Just("a\"b\\c"),
        Just("ümlaut")
    ]
    .prop_map(str::to_owned);
    prop_oneof![
        (name.clone(), any::<u8>()).prop_map(|(n, v)| Edit::Set(n, sample_value(v))),
        name.prop_map(Edit::Remove),
    ]
}

/// Codex-style TOML: top-level settings, `[mcp_servers.*]` tables (dotted
/// or inline), other tables after, comments.
fn toml_document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0u8..6, 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(servers, comments, crlf)| {
            let mut text = String::from("model = \"o4-mini\"\n");
            if comments {
                text.push_str("# servers below\n");
            }
            for s in servers {
                let name = ["github", "docs", "playwright", "x.y", "ümlaut", "new"][usize::from(s)];
                let key = if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    name.to_owned()
                } else {
                    format!("\"{name}\"")
                };
                if text.contains(&format!("[mcp_servers.{key}]")) {
                    continue;
                }
                text.push_str(&format!(
                    "\n[mcp_servers.{key}]\ncommand = \"npx\" {}\nargs = [\"-y\", \"{name}\"]\n",
                    if comments { "# launcher" } else { "" }
                ));
            }
            text.push_str("\n[profiles.fast]\nmodel = \"o4-mini\"\n");
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            text
        })
}

/// Goose- and Continue-style YAML: settings around the server table
/// (a mapping by name, or a list of named items), in block or flow style,
/// indented by 2 or 4, with comments, a `---` marker, CRLF.
fn yaml_document() -> impl Strategy<Value = (String, Format)> {
    (
        prop::collection::vec(0u8..6, 0..4),
        any::<bool>(),
        any::<bool>(),
        0u8..3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(servers, list, comments, style, marker, crlf)| {
            let names = ["github", "docs", "playwright", "x.y", "ümlaut", "new"];
            let mut seen = Vec::new();
            let servers: Vec<&str> = servers
                .into_iter()
                .map(|s| names[usize::from(s)])
                .filter(|n| {
                    let new = !seen.contains(n);
                    seen.push(*n);
                    new
                })
                .collect();
            let unit = if style == 2 { "    " } else { "  " };
            let comment = |text: &str| if comments { format!("{text}\n") } else { String::new() };
            let mut text = String::new();
            if marker {
                text.push_str("---\n");
            }
            text.push_str(&comment("# settings"));
            text.push_str("name: My Config\nversion: 1.0.0\n");
            let key = if list { "mcpServers" } else { "extensions" };
            if style == 0 {
                let items: Vec<String> = servers
                    .iter()
                    .map(|n| {
                        if list {
                            format!("{{name: \"{n}\", command: npx, args: [-y, \"{n}\"]}}")
                        } else {
                            format!("\"{n}\": {{cmd: npx, args: [-y, \"{n}\"], enabled: true}}")
                        }
                    })
                    .collect();
                let (open, close) = if list { ("[", "]") } else { ("{", "}") };
                text.push_str(&format!("{key}: {open}{}{close}\n", items.join(", ")));
            } else {
                text.push_str(&format!("{key}:\n"));
                for n in &servers {
                    text.push_str(&comment(&format!("{unit}# {n}")));
                    if list {
                        text.push_str(&format!(
                            "{unit}- name: \"{n}\"\n{unit}  command: npx\n{unit}  args:\n{unit}    - -y\n{unit}    - \"{n}\"\n"
                        ));
                    } else {
                        text.push_str(&format!(
                            "{unit}\"{n}\":\n{unit}{unit}cmd: npx   {}\n{unit}{unit}args: [-y, \"{n}\"]\n",
                            if comments { "# launcher" } else { "" }
                        ));
                    }
                }
                if servers.is_empty() {
                    text.push_str(if list { "  []\n" } else { "  {}\n" });
                }
            }
            text.push_str(&comment("\n# after the servers"));
            text.push_str("schema: v1\nliteral: |\n  kept\n    as is\n");
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let format = Format::Yaml(mcpctl::document::YamlLayout {
                named_by: list.then_some("name"),
                new_file: "",
            });
            (text, format)
        })
}

/// The tables a batch edits: Claude Code's user table, two projects'
/// tables (one file, many tables), a table nested in another's entry (an
/// edit of the outer one moves or replaces it) and VS Code's.
const BATCH_TABLES: [&[&str]; 6] = [
    &["mcpServers"],
    &["projects", "/a", "mcpServers"],
    &["projects", "/b", "mcpServers"],
    &["mcpServers", "github"],
    &["servers"],
    &["projects"],
];

/// A client file with several server tables (some missing), unrelated
/// members between them, in every layout, with comments for JSONC.
fn multi_table_document() -> impl Strategy<Value = (String, Format)> {
    (
        prop::collection::vec(("[a-z]{1,6}", json_value()), 0..3),
        prop::collection::vec(prop::option::of(prop::collection::vec(0u8..8, 0..3)), 4),
        layout(),
        any::<bool>(),
    )
        .prop_map(|(others, tables, layout, jsonc)| {
            let servers = |names: &[u8]| {
                Value::Object(
                    names
                        .iter()
                        .map(|n| {
                            (
                                ["github", "docs", "playwright", "a\"b\\c"][usize::from(n % 4)]
                                    .to_owned(),
                                sample_value(*n),
                            )
                        })
                        .collect(),
                )
            };
            let mut root = Map::new();
            for (key, value) in others {
                root.insert(key, value);
            }
            let mut projects = Map::new();
            for (i, table) in tables.iter().enumerate() {
                let Some(names) = table else { continue };
                match i {
                    0 => {
                        root.insert("mcpServers".into(), servers(names));
                    }
                    1 | 2 => {
                        let project = Map::from_iter([
                            (
                                "history".to_owned(),
                                Value::from(vec!["{\"mcpServers\": // x"]),
                            ),
                            ("mcpServers".to_owned(), servers(names)),
                        ]);
                        let name = if i == 1 { "/a" } else { "/b" };
                        projects.insert(name.to_owned(), Value::Object(project));
                    }
                    _ => {
                        root.insert("servers".into(), servers(names));
                    }
                }
            }
            if !projects.is_empty() {
                root.insert("projects".into(), Value::Object(projects));
            }
            let mut text = render(&Value::Object(root), layout);
            let format = if jsonc {
                text = with_comment_lines(&text);
                Format::Jsonc {
                    trailing_commas: true,
                }
            } else {
                Format::Json
            };
            text.push('\n');
            (text, format)
        })
}

proptest! {
    // Bounded for CI; the long runs are the cargo-fuzz targets.
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn json_edit_sequences_keep_unrelated_bytes(
        (text, format) in client_document(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut doc = Document::parse(Path::new("t.json"), text, format).unwrap();
        for edit in &edits {
            doc = edit_oracle::check_edit(&doc, &["mcpServers"], edit);
        }
    }

    /// `Document::with_edits` (what apply uses: one pass over the file)
    /// gives exactly the text of the same edits one after the other, or
    /// the same error, whichever tables observe read first.
    #[test]
    fn a_batch_of_edits_is_the_same_as_one_edit_after_the_other(
        (text, format) in multi_table_document(),
        toml in toml_document(),
        is_toml in any::<bool>(),
        read in prop::collection::vec(0..BATCH_TABLES.len(), 0..4),
        edits in prop::collection::vec((0..BATCH_TABLES.len(), edit()), 1..8),
    ) {
        let (path, text, format) = if is_toml {
            ("config.toml", toml, Format::Toml)
        } else {
            ("t.json", text, format)
        };
        let table = |i: usize| if is_toml { &["mcp_servers"][..] } else { BATCH_TABLES[i] };
        let mut doc = Document::parse(Path::new(path), text, format).unwrap();
        // Tables observe read are known places in the text (or errors).
        for &i in &read {
            let _ = doc.read_entries(table(i));
        }
        let mut one_by_one: Result<Option<Document>, String> = Ok(None);
        for (i, edit) in &edits {
            let Ok(edited) = &one_by_one else { break };
            let current = edited.as_ref().unwrap_or(&doc);
            let next = match edit {
                Edit::Set(name, value) => current.with_entry(table(*i), name, value).map(Some),
                Edit::Remove(name) => current.without_entry(table(*i), name),
            };
            match next {
                Ok(Some(next)) => one_by_one = Ok(Some(next)),
                Ok(None) => {}
                Err(e) => one_by_one = Err(e.to_string()),
            }
        }
        let tables: Vec<&[&str]> = edits.iter().map(|(i, _)| table(*i)).collect();
        let batch: Vec<mcpctl::document::Edit<'_>> = edits
            .iter()
            .zip(&tables)
            .map(|((_, edit), table)| match edit {
                Edit::Set(name, value) => mcpctl::document::Edit::Set { table, name, value },
                Edit::Remove(name) => mcpctl::document::Edit::Remove { table, name },
            })
            .collect();
        let batched = doc.with_edits(&batch).map_err(|e| e.to_string());
        let text = |r: Result<Option<Document>, String>| r.map(|d| d.map(Document::into_text));
        prop_assert_eq!(text(batched), text(one_by_one));
    }

    #[test]
    fn toml_edit_sequences_keep_unrelated_data(
        text in toml_document(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut doc = Document::parse(Path::new("config.toml"), text, Format::Toml).unwrap();
        for edit in &edits {
            doc = edit_oracle::check_edit(&doc, &["mcp_servers"], edit);
        }
    }

    #[test]
    fn yaml_edit_sequences_keep_unrelated_data_and_bytes(
        (text, format) in yaml_document(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let table = match format {
            Format::Yaml(mcpctl::document::YamlLayout { named_by: Some(_), .. }) => "mcpServers",
            _ => "extensions",
        };
        let mut doc = Document::parse(Path::new("config.yaml"), text, format).unwrap();
        for edit in &edits {
            doc = edit_oracle::check_edit(&doc, &[table], edit);
        }
    }

    #[test]
    fn random_bytes_decode_and_run_without_panicking(data in prop::collection::vec(any::<u8>(), 0..200)) {
        let target = match data.first().map(|b| b >> 6) {
            Some(0 | 1) => Target::Json,
            Some(2) => Target::Toml,
            _ => Target::Yaml,
        };
        if let Some(case) = decode(&data, target) {
            run_case(&case);
        }
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = mcpctl::manifest::parse("mcpctl.kdl", text);
        }
    }
}
