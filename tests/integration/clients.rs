//! Every client at once: realistic existing files (from each client's
//! documented examples, with comments where the format allows) get the
//! manifest's entries in that client's own shape, every other byte is
//! kept, and a second plan is empty.

use std::path::{Path, PathBuf};

use crate::fixtures::assert_one_region_changed;
use crate::support::{Sandbox, canary, mcpctl_bin, secret_service, text};

const MANIFEST: &str = r#"mcpctl version=1
defaults { delivery env-ref; }
client claude-code
client claude-desktop
client vscode
client cursor
client windsurf
client codex
client gemini-cli
client zed
client cline
client opencode
client amazon-q
client lm-studio
client copilot-cli
client qwen-code
client augment
client amp
client kiro
client junie
client roo-code
client crush
client goose
client continue

credential GITHUB_TOKEN { kind personal-access-token; provider github; }
credential SENTRY_TOKEN { kind api-key; }

server github {
    command npx -y "@modelcontextprotocol/server-github"
    credential GITHUB_TOKEN
    env GITHUB_TOOLSETS "repos,issues"
}

server docs {
    url "https://docs.example.com/mcp"
    header X-Team platform
}

server sentry {
    url "https://mcp.sentry.dev/mcp"
    header Authorization credential=SENTRY_TOKEN scheme=Bearer
}
"#;

/// Each client's user file in the sandbox, with the fixture seeded there.
fn seeded(sandbox: &Sandbox) -> Vec<(&'static str, PathBuf, String)> {
    let config = sandbox.root().join("config");
    let home = sandbox.home();
    let fixture = |name: &str| {
        fs_err::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/clients")
                .join(name),
        )
        .unwrap()
    };
    let files =
        vec![
        (
            "claude-desktop",
            config.join("Claude/claude_desktop_config.json"),
            fixture("claude_desktop_config.json"),
        ),
        ("cursor", home.join(".cursor/mcp.json"), fixture("cursor-mcp.json")),
        (
            "windsurf",
            home.join(".codeium/windsurf/mcp_config.json"),
            fixture("windsurf-mcp_config.json"),
        ),
        (
            "gemini-cli",
            home.join(".gemini/settings.json"),
            fixture("gemini-settings.json"),
        ),
        ("zed", config.join("zed/settings.json"), fixture("zed-settings.json")),
        (
            "cline",
            config.join(
                "Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
            ),
            fixture("cline_mcp_settings.json"),
        ),
        (
            "opencode",
            config.join("opencode/opencode.json"),
            fixture("opencode.json"),
        ),
        (
            "amazon-q",
            home.join(".aws/amazonq/mcp.json"),
            fixture("amazonq-mcp.json"),
        ),
        (
            "lm-studio",
            home.join(".lmstudio/mcp.json"),
            fixture("lmstudio-mcp.json"),
        ),
        (
            "copilot-cli",
            home.join(".copilot/mcp-config.json"),
            fixture("copilot-mcp-config.json"),
        ),
        (
            "qwen-code",
            home.join(".qwen/settings.json"),
            fixture("qwen-settings.json"),
        ),
        (
            "augment",
            home.join(".augment/settings.json"),
            fixture("augment-settings.json"),
        ),
        (
            "amp",
            config.join("amp/settings.json"),
            fixture("amp-settings.json"),
        ),
        ("kiro", home.join(".kiro/settings/mcp.json"), fixture("kiro-mcp.json")),
        ("junie", home.join(".junie/mcp/mcp.json"), fixture("junie-mcp.json")),
        (
            "roo-code",
            config.join(
                "Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
            ),
            fixture("roo-mcp_settings.json"),
        ),
        ("crush", config.join("crush/crush.json"), fixture("crush.json")),
        (
            "goose",
            config.join("goose/config.yaml"),
            fixture("goose-config.yaml"),
        ),
        (
            "continue",
            home.join(".continue/config.yaml"),
            fixture("continue-config.yaml"),
        ),
    ];
    for (_, path, text) in &files {
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, text).unwrap();
    }
    files
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn every_client_gets_its_own_shape_and_keeps_every_other_byte() {
    let test = "every_client_gets_its_own_shape_and_keeps_every_other_byte";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let files = seeded(&sandbox);
    let manifest = sandbox.manifest(MANIFEST);
    let (github, sentry) = (canary("gh"), canary("sentry"));
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("GITHUB_TOKEN", &github)
        .env("SENTRY_TOKEN", &sentry)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    // The plan says why some clients keep exec or leave a server out.
    assert!(
        stdout.contains("claude-desktop resolves no environment variables in its configuration, so this entry keeps `exec` delivery"),
        "{stdout}"
    );
    assert!(
        stdout.contains("claude-desktop reads no remote servers from its configuration file"),
        "{stdout}"
    );

    let bin = mcpctl_bin().canonicalize().unwrap().display().to_string();
    let root = sandbox.root().canonicalize().unwrap().display().to_string();
    for (client, path, before) in &files {
        let after = fs_err::read_to_string(path).unwrap();
        assert_one_region_changed(before, &after, client);
        assert!(
            !after.contains(&github) && !after.contains(&sentry),
            "{client}"
        );
        insta::assert_snapshot!(
            format!("client_file_{client}"),
            after.replace(&bin, "[mcpctl]").replace(&root, "[SANDBOX]")
        );
    }

    let again = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{stdout}{stderr}");
}

/// `mcpctl clients --json` surveys every client; a manifest that names no
/// client targets the detected ones.
// Unix only: expects Linux entries (no `cmd /c`) and paths.
#[cfg(unix)]
#[test]
fn detected_clients_are_listed_and_targeted() {
    let sandbox = Sandbox::new();
    let cursor = sandbox.home().join(".cursor/mcp.json");
    fs_err::create_dir_all(cursor.parent().unwrap()).unwrap();
    fs_err::write(&cursor, r#"{"mcpServers": {"mine": {"command": "x"}}}"#).unwrap();
    let manifest =
        sandbox.manifest("mcpctl version=1\nserver fetch { command uvx mcp-server-fetch; }\n");

    let output = sandbox
        .mcpctl()
        .args(["clients", "--json", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let clients = report.as_array().unwrap();
    assert_eq!(clients.len(), 23);
    let found: Vec<&str> = clients
        .iter()
        .filter(|c| c["detected"] == true)
        .map(|c| c["client"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["cursor"]);
    let cursor_report = clients.iter().find(|c| c["client"] == "cursor").unwrap();
    assert_eq!(cursor_report["files"][0]["servers"], 1);
    assert_eq!(cursor_report["files"][0]["owned"], 0);

    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(plan.status.success(), "{stderr}");
    assert!(
        stdout.contains("cursor (user scope): ~/.cursor/mcp.json"),
        "{stdout}"
    );
    assert!(stdout.contains("+ fetch will be created"), "{stdout}");
    assert!(!stdout.contains("claude-code"), "{stdout}");

    // A client that has no file on this OS is said to be absent from it,
    // not "not found" with nothing listed.
    let listing = sandbox
        .mcpctl()
        .args(["clients", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&listing);
    assert!(listing.status.success(), "{stderr}");
    assert!(
        stdout.contains("visual-studio: not on linux (mcpctl knows no file of it here)")
            || !cfg!(target_os = "linux"),
        "{stdout}"
    );
    assert!(stdout.contains("cursor: found; delivery: "), "{stdout}");
}

/// Crush runs every value through shell expansion, `$(…)` included: a
/// server whose argument holds one is left out of Crush (the plan says
/// which field), written for a client that takes it literally, and the
/// command never runs.
// Unix only: a Unix path inside the manifest's KDL string.
#[cfg(unix)]
#[test]
fn a_command_substitution_never_reaches_crush() {
    let sandbox = Sandbox::new();
    let marker = sandbox.root().join("ran");
    let manifest = sandbox.manifest(&format!(
        "mcpctl version=1\nclient crush\nclient junie\nserver fetch {{ command uvx mcp-server-fetch \"$(touch {})\"; }}\n",
        marker.display()
    ));
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("crush would expand the `$` text in this server's `args[1]`"),
        "{stdout}"
    );
    let crush = sandbox.root().join("config/crush/crush.json");
    let written = fs_err::read_to_string(&crush).unwrap_or_default();
    assert!(!written.contains("$("), "{written}");
    let junie = fs_err::read_to_string(sandbox.home().join(".junie/mcp/mcp.json")).unwrap();
    assert!(junie.contains("\"$(touch "), "{junie}");
    assert!(!marker.exists());
}

/// Files the client itself would refuse are not edited: Qwen Code fails
/// on a trailing comma, Crush and Roo Code on a comment. mcpctl stops with
/// the file's name and leaves every byte as it was.
// Unix only: expects Linux paths (Roo Code's is under %APPDATA% on Windows).
#[cfg(unix)]
#[test]
fn files_their_client_would_refuse_are_left_alone() {
    for (client, path, before) in [
        (
            "qwen-code",
            "home/.qwen/settings.json",
            "{\n  \"mcpServers\": {},\n}\n",
        ),
        (
            "crush",
            "config/crush/crush.json",
            "{\n  // mine\n  \"mcp\": {}\n}\n",
        ),
        (
            "roo-code",
            "config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
            "{\"mcpServers\": {}, /* x */}\n",
        ),
    ] {
        let sandbox = Sandbox::new();
        let file = sandbox.root().join(path);
        fs_err::create_dir_all(file.parent().unwrap()).unwrap();
        fs_err::write(&file, before).unwrap();
        let manifest = sandbox.manifest(&format!(
            "mcpctl version=1\nclient {client}\nserver fetch {{ command uvx mcp-server-fetch; }}\n"
        ));
        let output = sandbox
            .mcpctl()
            .args(["apply", "--auto-approve", "-f"])
            .arg(&manifest)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(!output.status.success(), "{client}: {stdout}{stderr}");
        assert!(
            stderr.contains(&file.display().to_string())
                || stderr.contains(path.rsplit('/').next().unwrap()),
            "{client}: {stderr}"
        );
        assert_eq!(fs_err::read_to_string(&file).unwrap(), before, "{client}");
    }
}
