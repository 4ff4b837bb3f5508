//! `mcpctl init --from-clients` on a machine seeded with realistic
//! plaintext configs in several clients (the same seed as the scan and
//! import tests), then the documented flow: import, apply --adopt, and an
//! empty plan.

use serde_json::json;

use crate::adopt::seed;
use crate::support::{Sandbox, canary, text};

fn run(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let output = sandbox
        .mcpctl()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    (output.status.success(), stdout + &stderr)
}

/// The seed, plus the GitHub server once more in Windsurf under another
/// name, written the Windows way.
fn seed_all(sandbox: &Sandbox) -> crate::adopt::Planted {
    let planted = seed(sandbox);
    let windsurf = sandbox.home().join(".codeium/windsurf/mcp_config.json");
    fs_err::create_dir_all(windsurf.parent().unwrap()).unwrap();
    fs_err::write(
        &windsurf,
        serde_json::to_string_pretty(&json!({"mcpServers": {"gh": {
            "command": "cmd",
            "args": ["/c", "npx.cmd", "-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": planted.github}
        }}}))
        .unwrap(),
    )
    .unwrap();
    planted
}

#[test]
fn init_drafts_a_valid_manifest_without_values_and_refuses_to_overwrite() {
    let sandbox = Sandbox::new();
    let planted = seed_all(&sandbox);
    let manifest = sandbox.root().join("mcpctl.kdl");
    let (ok, out) = run(&sandbox, &["init", "--from-clients"], &[]);
    assert!(ok, "{out}");
    let text = fs_err::read_to_string(&manifest).unwrap();
    for value in planted.all() {
        assert!(
            !text.contains(value) && !out.contains(value),
            "a value leaked"
        );
    }
    assert!(
        out.contains("note: windsurf `gh` is the same server as `github`"),
        "{out}"
    );
    assert!(
        out.contains("left out: postgres") || !text.contains("postgres"),
        "{out}"
    );
    let (ok, validated) = run(&sandbox, &["validate"], &[]);
    assert!(ok, "{validated}\n{text}");
    // One GitHub server for four clients; the catalog's scopes.
    assert_eq!(text.matches("server github {").count(), 1, "{text}");
    assert!(!text.contains("server gh {"), "{text}");
    assert!(text.contains("scopes repo read:org"), "{text}");
    assert!(text.contains("client windsurf"), "{text}");

    let (ok, out) = run(&sandbox, &["init", "--from-clients"], &[]);
    assert!(!ok);
    assert!(
        out.contains("already exists") && out.contains("--force"),
        "{out}"
    );
    assert_eq!(fs_err::read_to_string(&manifest).unwrap(), text);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn init_then_import_then_adopt_plans_empty() {
    let test = "init_then_import_then_adopt_plans_empty";
    if !crate::support::secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let planted = seed_all(&sandbox);
    let (ok, out) = run(&sandbox, &["init", "--from-clients"], &[]);
    assert!(ok, "{out}");
    // The two referenced credentials have no plaintext value to import.
    assert!(out.contains("asks for NOTION_TOKEN, OTHER_TOKEN"), "{out}");
    let (ok, out) = run(&sandbox, &["import", "--auto-approve"], &[]);
    assert!(ok, "{out}");
    let notion = canary("notion");
    let other = canary("other");
    let (ok, out) = run(
        &sandbox,
        &["apply", "--adopt", "--auto-approve", "--secrets-from-env"],
        &[("NOTION_TOKEN", &notion), ("OTHER_TOKEN", &other)],
    );
    assert!(ok, "{out}");
    let (ok, plan) = run(&sandbox, &["plan", "--detailed-exitcode"], &[]);
    assert!(ok, "the plan is not empty:\n{plan}");
    assert!(plan.contains("No changes."), "{plan}");
    // Drafted again, now that every value is in the store: nothing is
    // left for apply to ask.
    let (ok, out) = run(&sandbox, &["init", "--from-clients", "--force"], &[]);
    assert!(ok, "{out}");
    assert!(!out.contains("asks for"), "{out}");
    let drafted = fs_err::read_to_string(sandbox.root().join("mcpctl.kdl")).unwrap();
    assert!(
        drafted.contains("its value is already in the OS credential store"),
        "{drafted}"
    );
    assert!(!drafted.contains("`mcpctl apply` asks for it"), "{drafted}");
    // No plaintext is left in the client files.
    let home = sandbox.home();
    for file in [
        sandbox.claude_json(),
        sandbox.vscode_json(),
        sandbox.codex_toml(),
        home.join(".cursor/mcp.json"),
        home.join(".codeium/windsurf/mcp_config.json"),
        home.join(".gemini/settings.json"),
    ] {
        let content = fs_err::read_to_string(&file).unwrap();
        for value in [
            &planted.github,
            &planted.slack,
            &planted.figma,
            &planted.composio,
            &notion,
            &other,
        ] {
            assert!(
                !content.contains(value.as_str()),
                "{} holds a value",
                file.display()
            );
        }
    }
}

/// A client file's entry whose name or command holds terminal controls
/// (C1 CSI, ESC, a bidirectional override) cannot be written into a
/// manifest, which refuses them: init leaves it out with the reason,
/// escaped, drafts the other servers, and writes no control character.
#[test]
fn init_leaves_out_an_entry_holding_terminal_controls() {
    let sandbox = Sandbox::new();
    fs_err::write(
        sandbox.claude_json(),
        serde_json::to_string_pretty(&json!({"mcpServers": {
            "ev\u{9b}2Jil\u{1b}]8;;http://x\u{7}": {"command": "np\u{9b}x\u{202e}", "args": ["a\u{85}b"]},
            "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}
        }}))
        .unwrap(),
    )
    .unwrap();
    let raw = |s: &str| s.contains(|c: char| c != '\n' && mcpctl::terminal_text::is_unsafe(c));
    let (ok, output) = run(&sandbox, &["init", "--from-clients"], &[]);
    assert!(ok, "{output}");
    assert!(!raw(&output), "{output:?}");
    assert!(
        output.contains("left out: ev\\u{9b}2Jil\\u{1b}"),
        "{output}"
    );
    let manifest = fs_err::read_to_string(sandbox.root().join("mcpctl.kdl")).unwrap();
    assert!(manifest.contains("server fetch"), "{manifest}");
    assert!(!raw(&manifest), "{manifest:?}");
}
