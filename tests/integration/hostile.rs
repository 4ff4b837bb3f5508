//! Hostile input: client files and manifests that are FIFOs, not UTF-8,
//! or deeply nested get a clear error naming the file, never a hang, a
//! crash or a write.

#![cfg(unix)]

use std::time::Duration;

use crate::support::{Sandbox, text};

const MANIFEST: &str = "mcpctl version=1\nclient claude-code\nclient vscode\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n";

fn mkfifo(path: &std::path::Path) {
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// `plan` on the sandbox must fail within seconds, naming `needle`.
fn plan_fails(sandbox: &Sandbox, manifest: &std::path::Path, needle: &str) -> String {
    let output = sandbox
        .mcpctl()
        .arg("--manifest")
        .arg(manifest)
        .arg("plan")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
    err
}

#[test]
fn a_fifo_client_file_is_an_error_not_a_hang() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    mkfifo(&sandbox.claude_json());
    let err = plan_fails(&sandbox, &manifest, ".claude.json");
    assert!(err.contains("FIFO"), "{err}");
}

#[test]
fn a_fifo_manifest_is_an_error_not_a_hang() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.root().join("repo/mcpctl.kdl");
    mkfifo(&fifo);
    plan_fails(&sandbox, &fifo, "FIFO");
}

#[test]
fn a_client_file_that_is_not_utf8_is_named_and_left_alone() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let bytes = b"{\"mcpServers\": {}, \"name\": \"caf\xe9\"}\n";
    fs_err::write(sandbox.claude_json(), bytes).unwrap();
    plan_fails(&sandbox, &manifest, "not UTF-8");
    assert_eq!(fs_err::read(sandbox.claude_json()).unwrap(), bytes);
}

#[test]
fn deeply_nested_client_files_are_errors_not_crashes() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let depth = 100_000;
    let deep = format!(
        "{{\"mcpServers\": {{}}, \"x\": {}{}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    fs_err::write(sandbox.claude_json(), &deep).unwrap();
    let jsonc = format!("// mine\n{deep}");
    fs_err::create_dir_all(sandbox.vscode_json().parent().unwrap()).unwrap();
    fs_err::write(sandbox.vscode_json(), &jsonc).unwrap();
    // Strict JSON is validated without recursion (serde's `IgnoredAny`), so
    // the deep `~/.claude.json` is valid and read; the JSONC parser has a
    // nesting limit, and names the file.
    let err = plan_fails(&sandbox, &manifest, "mcp.json");
    assert!(err.contains("nesting depth"), "{err}");
    assert!(!err.contains(".claude.json"), "{err}");
    assert_eq!(fs_err::read_to_string(sandbox.claude_json()).unwrap(), deep);
    assert_eq!(
        fs_err::read_to_string(sandbox.vscode_json()).unwrap(),
        jsonc
    );
}

#[test]
fn a_deeply_nested_manifest_is_an_error_not_a_crash() {
    let sandbox = Sandbox::new();
    let depth = 100_000;
    let text = format!(
        "mcpctl version=1\nserver x {}{}\n",
        "{ a ".repeat(depth),
        "}".repeat(depth)
    );
    let manifest = sandbox.manifest(&text);
    plan_fails(&sandbox, &manifest, "mcpctl.kdl");
}
