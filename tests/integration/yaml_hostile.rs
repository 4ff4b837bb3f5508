//! Hostile YAML for Goose and Continue, through the binary: a repeated
//! key, an alias bomb and a committed link out of the project are refused
//! with the file's name and nothing is written; a dotfile manager's link
//! is written through; server names YAML would read as other types stay
//! strings; the secret is in no file.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{Sandbox, canary, secret_service, text};

/// Goose's user file in the sandbox (`$XDG_CONFIG_HOME/goose`).
fn goose_yaml(sandbox: &Sandbox) -> PathBuf {
    sandbox.root().join("config/goose/config.yaml")
}

fn seed(path: &Path, text: &str) {
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(path, text).unwrap();
}

/// `plan` fails within seconds; stderr with miette's wrapping undone.
fn plan_fails(sandbox: &Sandbox, manifest: &Path) -> String {
    let started = std::time::Instant::now();
    let output = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(manifest)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(started.elapsed() < Duration::from_secs(20));
    err.split_whitespace().collect::<Vec<_>>().join(" ")
}

const GOOSE_MANIFEST: &str =
    "mcpctl version=1\nclient goose\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n";

/// Goose reads the last of two `extensions` keys, yaml-edit would edit
/// the first: the file is refused, naming its line and column.
#[test]
fn a_goose_file_with_extensions_twice_is_refused_untouched() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(GOOSE_MANIFEST);
    let file = goose_yaml(&sandbox);
    let text =
        "GOOSE_PROVIDER: openai\nextensions:\n  a:\n    cmd: a\n    args: []\nextensions: {}\n";
    seed(&file, text);
    let err = plan_fails(&sandbox, &manifest);
    assert!(err.contains("config.yaml"), "{err}");
    assert!(
        err.contains("duplicate entry with key \"extensions\""),
        "{err}"
    );
    assert!(err.contains("line 1, column 1"), "{err}");
    assert_eq!(fs_err::read_to_string(&file).unwrap(), text);
}

/// A billion laughs (10^9 nodes once expanded) and 100,000 nested
/// brackets cost milliseconds: refused, not expanded.
#[test]
fn an_alias_bomb_and_deep_nesting_are_refused_quickly() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(GOOSE_MANIFEST);
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("extensions: {}\n");
    let deep = format!("extensions: {}\n", "[".repeat(100_000));
    for (text, needle) in [
        (bomb, "repetition limit exceeded"),
        (deep, "nest more than"),
    ] {
        seed(&goose_yaml(&sandbox), &text);
        let err = plan_fails(&sandbox, &manifest);
        assert!(err.contains(needle), "{err}");
        assert_eq!(fs_err::read_to_string(goose_yaml(&sandbox)).unwrap(), text);
    }
}

/// Continue's project block is a file of the repository: a committed link
/// out of the project is refused, and what it points at is neither read
/// nor written.
#[test]
fn a_committed_continue_block_linking_out_of_the_project_is_refused() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient continue scope=project\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n",
    );
    let repo = manifest.parent().unwrap();
    let outside = sandbox.root().join("outside/secrets.yaml");
    seed(&outside, "token: do-not-touch\n");
    let block = repo.join(".continue/mcpServers/mcpctl.yaml");
    fs_err::create_dir_all(block.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("../../../outside/secrets.yaml", &block).unwrap();
    let err = plan_fails(&sandbox, &manifest);
    assert!(err.contains("outside the project"), "{err}");
    assert_eq!(
        fs_err::read_to_string(&outside).unwrap(),
        "token: do-not-touch\n"
    );
}

/// Goose's file as a dotfile manager leaves it, a link to a file outside
/// the home: written through, the link kept, as for every client; server
/// names YAML would read as a boolean, null or a number stay strings (in
/// Goose's mapping and Continue's list); the secret reaches no file; and
/// the next plan is empty.
#[test]
fn a_linked_goose_file_is_written_through_and_yaml_special_names_stay_strings() {
    let test = "a_linked_goose_file_is_written_through_and_yaml_special_names_stay_strings";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient goose\nclient continue\n\
         credential GITHUB_TOKEN { kind personal-access-token; provider github; }\n\
         server \"true\" {\n    command npx -y \"@modelcontextprotocol/server-github\"\n    credential GITHUB_TOKEN\n}\n\
         server \"null\" {\n    url \"https://mcp.example.com/mcp\"\n}\n\
         server \"123\" {\n    command uvx mcp-server-fetch\n}\n\
         server \"yes\" {\n    command uvx \"# not a comment\" \"a: b\"\n}\n",
    );
    let real = sandbox.root().join("dotfiles/goose.yaml");
    seed(&real, "# kept\nGOOSE_PROVIDER: openai\n");
    fs_err::create_dir_all(goose_yaml(&sandbox).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, goose_yaml(&sandbox)).unwrap();
    let token = canary("yaml");
    sandbox.apply_with_token(&manifest, &token);

    assert!(
        fs_err::symlink_metadata(goose_yaml(&sandbox))
            .unwrap()
            .is_symlink()
    );
    let goose = fs_err::read_to_string(&real).unwrap();
    assert!(
        goose.starts_with("# kept\nGOOSE_PROVIDER: openai\n"),
        "{goose}"
    );
    let data: serde_json::Value = serde_yaml_ng::from_str(&goose).unwrap();
    let names: Vec<&String> = data["extensions"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["123", "null", "true", "yes"], "{goose}");
    assert_eq!(data["extensions"]["true"]["name"], "true");
    assert_eq!(
        data["extensions"]["yes"]["args"],
        serde_json::json!(["# not a comment", "a: b"])
    );

    let continue_file = sandbox.home().join(".continue/config.yaml");
    let written = fs_err::read_to_string(&continue_file).unwrap();
    let data: serde_json::Value = serde_yaml_ng::from_str(&written).unwrap();
    let names: Vec<&serde_json::Value> = data["mcpServers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["name"])
        .collect();
    assert_eq!(names, ["123", "null", "true", "yes"], "{written}");
    assert_eq!(data["name"], "Local Config");

    for file in sandbox.all_files() {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "`{}` holds the secret",
            file.display()
        );
    }
    let again = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (out, err) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}{err}");
}
