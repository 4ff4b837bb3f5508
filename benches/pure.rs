//! Criterion benchmarks for the pure, I/O-free parts of mcpctl: parsing and
//! validating a manifest, computing a plan, and editing client documents.
//!
//! Run with `cargo bench --bench pure` (add `-- --quick` for a fast pass).
//! Whole-process comparisons against the clients' own writers live in
//! `scripts/bench`; see BENCHMARKS.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

use mcpctl::client::ClientFile;
use mcpctl::document::{Document, Edit, Format};
use mcpctl::manifest::{ClientId, Scope};
use mcpctl::observe::{Observed, ObservedFile};
use mcpctl::plan::{self, Desired, DesiredFile, Options};
use mcpctl::state::{OwnedEntry, State, entry_digest};

const TEAM: &str = include_str!("../examples/team/mcpctl.kdl");

/// A valid manifest with `servers` stdio servers over three clients and
/// ten credentials.
fn generated_manifest(servers: usize) -> String {
    let mut text =
        String::from("mcpctl version=1\n\nclient claude-code\nclient vscode\nclient codex\n\n");
    for c in 0..10 {
        text.push_str(&format!(
            "credential TOKEN_{c} {{\n    kind api-key\n    provider example\n    scopes read\n    rotate-every \"90d\"\n    description \"token {c}\"\n}}\n\n"
        ));
    }
    for s in 0..servers {
        text.push_str(&format!(
            "server srv-{s} {{\n    description \"server number {s}\"\n    command npx -y \"@example/server-{s}\" --port \"{port}\"\n    env API_TOKEN credential=TOKEN_{c}\n    env MODE \"read-only\"\n}}\n\n",
            port = 3000 + s,
            c = s % 10
        ));
    }
    text
}

fn bench_manifest(c: &mut Criterion) {
    let mut group = c.benchmark_group("manifest parse+validate");
    group.throughput(Throughput::Bytes(TEAM.len() as u64));
    group.bench_function("team example", |b| {
        b.iter(|| mcpctl::manifest::parse("mcpctl.kdl", TEAM).unwrap())
    });
    group.sample_size(10);
    for servers in [100, 1_000] {
        let text = generated_manifest(servers);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("servers", servers), &text, |b, text| {
            b.iter(|| mcpctl::manifest::parse("mcpctl.kdl", text).unwrap())
        });
    }
    group.finish();
}

/// `files` client files of `servers` entries each, observed in a mix of
/// states: a quarter missing, a quarter owned and equal, a quarter owned
/// and drifted, a quarter foreign.
fn plan_inputs(servers: usize, files: usize) -> (Desired, Observed) {
    let manifest = PathBuf::from("/repo/mcpctl.kdl");
    let mut desired_files = Vec::new();
    let mut observed_files = Vec::new();
    let mut state = State::default();
    for f in 0..files {
        let file = ClientFile {
            client: ClientId::ClaudeCode,
            scope: Scope::User,
            path: PathBuf::from(format!("/home/a/client-{f}.json")),
            format: Format::Json,
            table: vec!["mcpServers".into()],
        };
        let mut wanted = BTreeMap::new();
        let mut have = BTreeMap::new();
        for s in 0..servers {
            let name = format!("srv-{s}");
            let entry = json!({
                "type": "stdio",
                "command": "/usr/local/bin/mcpctl",
                "args": ["exec", "--server", name, "--env", "API_TOKEN=TOKEN", "--", "npx", "-y", format!("@example/server-{s}")],
                "env": {"MODE": "read-only"}
            });
            match s % 4 {
                0 => {}
                1 | 2 => {
                    let observed = if s % 4 == 1 {
                        entry.clone()
                    } else {
                        json!({"command": "old"})
                    };
                    state.record_entry(OwnedEntry {
                        client: file.client,
                        scope: file.scope,
                        file: file.path.clone(),
                        table: file.table.clone(),
                        server: name.clone(),
                        manifest: manifest.clone(),
                        digest: entry_digest(&entry),
                    });
                    have.insert(name.clone(), observed);
                }
                _ => {
                    have.insert(name.clone(), json!({"command": "npx", "env": {"X": "y"}}));
                }
            }
            wanted.insert(name, entry);
        }
        desired_files.push(DesiredFile {
            file: file.clone(),
            entries: wanted,
            reasons: BTreeMap::new(),
        });
        observed_files.push(ObservedFile {
            file,
            entries: have,
        });
    }
    (
        Desired {
            manifest,
            credentials: Vec::new(),
            files: desired_files,
            warn_before: mcpctl::manifest::DEFAULT_WARN_BEFORE,
            server_credentials: BTreeMap::new(),
            blocks: Vec::new(),
            exports: BTreeMap::new(),
            audit: Default::default(),
        },
        Observed {
            store_name: "bench".into(),
            credentials: BTreeMap::new(),
            files: observed_files,
            documents: Default::default(),
            profiles: Vec::new(),
            links: BTreeMap::new(),
            state,
            now: jiff::Timestamp::UNIX_EPOCH,
        },
    )
}

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan compute (8 client files)");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    for servers in [100, 1_000, 10_000] {
        let (desired, observed) = plan_inputs(servers, 8);
        group.throughput(Throughput::Elements((servers * 8) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(servers), &servers, |b, _| {
            b.iter(|| plan::compute(&desired, &observed, Options::default()))
        });
    }
    group.finish();
}

/// A `~/.claude.json` of about `target` bytes: settings, then `projects`
/// with long histories (pasted text with escapes, braces and slashes that
/// look like comments), each with its own `mcpServers`.
pub fn large_claude_json(target: usize) -> String {
    let mut projects = serde_json::Map::new();
    let mut size = 0;
    let mut p = 0;
    while size < target {
        let history: Vec<Value> = (0..40)
            .map(|h| {
                json!({
                    "display": format!("fix the \"mcpServers\": {{ parsing }} bug // not a comment #{h}"),
                    "pastedContents": {"1": {"id": 1, "type": "text", "content": "error[E0599]: no method named `unwrap`\n  --> src/main.rs:3:5 /* not a comment */ \u{00e9}\u{1F600}".repeat(8)}}
                })
            })
            .collect();
        let project = json!({
            "allowedTools": ["Bash(npm run build)"],
            "history": history,
            "mcpServers": {"playwright": {"type": "stdio", "command": "npx", "args": ["@playwright/mcp@latest"], "env": {}}},
            "hasTrustDialogAccepted": true,
            "lastCost": 0.4127
        });
        size += serde_json::to_string(&project).unwrap().len();
        projects.insert(format!("/home/ada/src/project-{p}"), project);
        p += 1;
    }
    let doc = json!({
        "numStartups": 214,
        "theme": "dark",
        "projects": projects,
        "mcpServers": {"existing": {"type": "stdio", "command": "npx", "args": ["x"]}},
        "userID": "4f1c0d2e"
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap();
    text.push('\n');
    text
}

const VSCODE_JSONC: &str = "// VS Code MCP servers\n{\n\t\"servers\": {\n\t\t// the docs server\n\t\t\"docs\": {\"type\": \"http\", \"url\": \"https://mcp.example.com/mcp\"},\n\t},\n\t\"inputs\": [],\n}\n";

const CODEX_TOML: &str = "model = \"o4-mini\" # default\n\n[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs\"]\n\n# keep this\n[profiles.fast]\nmodel = \"o4-mini\"\n";

fn new_entry() -> Value {
    json!({"type": "stdio", "command": "/usr/local/bin/mcpctl", "args": ["exec", "--server", "github", "--env", "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN", "--", "npx", "-y", "@modelcontextprotocol/server-github"]})
}

fn bench_documents(c: &mut Criterion) {
    let entry = new_entry();
    let mut group = c.benchmark_group("document edit");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));

    let large = large_claude_json(50 * 1024 * 1024);
    let path = Path::new("/home/a/.claude.json");
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("parse 50 MB ~/.claude.json", |b| {
        b.iter(|| Document::parse(path, large.clone(), Format::Json).unwrap())
    });
    let parsed = Document::parse(path, large.clone(), Format::Json).unwrap();
    group.bench_function("set_entry into 50 MB ~/.claude.json", |b| {
        b.iter_batched(
            || parsed.clone(),
            |mut doc| {
                doc.set_entry(&["mcpServers"], "github", &entry).unwrap();
                doc
            },
            criterion::BatchSize::LargeInput,
        )
    });
    drop(parsed);
    // What apply does with a file's entries (issue 17): one batch, the
    // table's place known from observe. Flat in the number of entries.
    let (observed, _) =
        Document::parse_entries(path, large.clone(), Format::Json, &["mcpServers"]).unwrap();
    for n in [1, 5, 50] {
        let names: Vec<String> = (0..n).map(|i| format!("srv-{i}")).collect();
        let edits: Vec<Edit<'_>> = names
            .iter()
            .map(|name| Edit::Set {
                table: &["mcpServers"],
                name,
                value: &entry,
            })
            .collect();
        group.bench_function(
            format!("with_edits, {n} entries into 50 MB ~/.claude.json"),
            |b| b.iter(|| observed.with_edits(&edits).unwrap()),
        );
    }
    drop(observed);
    drop(large);

    group.throughput(Throughput::Bytes(VSCODE_JSONC.len() as u64));
    let jsonc = Format::Jsonc {
        trailing_commas: true,
    };
    group.bench_function("parse+set_entry small JSONC", |b| {
        b.iter(|| {
            let mut doc =
                Document::parse(Path::new("mcp.json"), VSCODE_JSONC.to_owned(), jsonc).unwrap();
            doc.set_entry(&["servers"], "github", &entry).unwrap();
            doc
        })
    });
    group.throughput(Throughput::Bytes(CODEX_TOML.len() as u64));
    group.bench_function("parse+set_entry small TOML", |b| {
        b.iter(|| {
            let mut doc = Document::parse(
                Path::new("config.toml"),
                CODEX_TOML.to_owned(),
                Format::Toml,
            )
            .unwrap();
            doc.set_entry(&["mcp_servers"], "github", &entry).unwrap();
            doc
        })
    });
    group.finish();
}

criterion_group!(benches, bench_manifest, bench_plan, bench_documents);
criterion_main!(benches);
