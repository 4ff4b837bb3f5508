//! The real clients read what mcpctl wrote: `claude mcp get` (which also
//! launches the server), `codex mcp get --json` and `gemini mcp list`
//! (which connects to every server), in both delivery modes. In env-ref
//! mode the variable is in the client's environment, as the shell-profile
//! block would export it. CLIs are the pinned versions
//! `scripts/install-test-deps` installs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{Sandbox, canary, client_cli, mcpctl_bin, secret_service, text};

fn probe_server() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/probe-server.js")
}

/// A manifest with one stdio server, the probe, that needs GITHUB_TOKEN.
fn probe_manifest(clients: &str, probe_out: &Path) -> String {
    format!(
        r#"mcpctl version=1
{clients}
credential GITHUB_TOKEN {{
    kind personal-access-token
    provider github
}}
server probe {{
    command node "{probe}"
    credential GITHUB_TOKEN
    env PROBE_OUT "{out}"
    env PROBE_VARS GITHUB_TOKEN
}}
"#,
        probe = probe_server().display(),
        out = probe_out.display(),
    )
}

fn claude(sandbox: &Sandbox, cli: &Path) -> assert_cmd::Command {
    let mut cmd = sandbox.program(cli);
    cmd.env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("MCP_TIMEOUT", "30000")
        .timeout(Duration::from_secs(120));
    cmd
}

/// What the probe server recorded of its environment.
fn probe_saw(path: &Path) -> serde_json::Value {
    let text = fs_err::read_to_string(path).unwrap_or_default();
    let last = text.lines().last().unwrap_or("null");
    serde_json::from_str(last).unwrap()
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn claude_code_lists_the_entry_and_its_server_gets_the_credential() {
    let test = "claude_code_lists_the_entry_and_its_server_gets_the_credential";
    let Some(cli) = client_cli(test, "MCPCTL_TEST_CLAUDE") else {
        return;
    };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let probe_out = sandbox.root().join("probe-out.jsonl");
    let manifest = sandbox.manifest(&probe_manifest("client claude-code", &probe_out));
    let token = canary("claude");
    sandbox.apply_with_token(&manifest, &token);

    let output = claude(&sandbox, &cli)
        .args(["mcp", "get", "probe"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    let bin = mcpctl_bin().canonicalize().unwrap();
    assert!(
        stdout.contains("Connected"),
        "claude could not start the server:\n{stdout}{stderr}"
    );
    assert!(
        stdout.contains(&format!("Command: {}", bin.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Args: exec --server probe --manifest {} --env GITHUB_TOKEN=GITHUB_TOKEN -- node {}",
            manifest.canonicalize().unwrap().display(),
            probe_server().display()
        )),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&token),
        "claude shows the secret: {stdout}"
    );
    assert_eq!(probe_saw(&probe_out)["GITHUB_TOKEN"], token.as_str());
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn claude_code_project_scope_runs_the_bare_mcpctl() {
    let test = "claude_code_project_scope_runs_the_bare_mcpctl";
    let Some(cli) = client_cli(test, "MCPCTL_TEST_CLAUDE") else {
        return;
    };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let probe_out = sandbox.root().join("probe-out.jsonl");
    let manifest = sandbox.manifest(&probe_manifest(
        "client claude-code scope=project",
        &probe_out,
    ));
    let repo = manifest.parent().unwrap().to_path_buf();
    // The approval Claude Code asks for before it runs a project's servers.
    let trust = serde_json::json!({
        "projects": { repo.display().to_string(): {
            "hasTrustDialogAccepted": true,
            "enabledMcpjsonServers": ["probe"]
        }}
    });
    fs_err::write(
        sandbox.claude_json(),
        serde_json::to_string_pretty(&trust).unwrap(),
    )
    .unwrap();
    let token = canary("project");
    sandbox.apply_with_token(&manifest, &token);
    let mcp_json: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(repo.join(".mcp.json")).unwrap()).unwrap();
    assert_eq!(mcp_json["mcpServers"]["probe"]["command"], "mcpctl");

    let bin_dir = mcpctl_bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = claude(&sandbox, &cli)
        .args(["mcp", "get", "probe"])
        .current_dir(&repo)
        .env("PATH", path)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(stdout.contains("Connected"), "{stdout}{stderr}");
    assert!(stdout.contains("Command: mcpctl"), "{stdout}");
    assert_eq!(probe_saw(&probe_out)["GITHUB_TOKEN"], token.as_str());
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn codex_reads_the_entry() {
    let test = "codex_reads_the_entry";
    let Some(cli) = client_cli(test, "MCPCTL_TEST_CODEX") else {
        return;
    };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let probe_out = sandbox.root().join("probe-out.jsonl");
    let manifest = sandbox.manifest(&probe_manifest("client codex", &probe_out));
    sandbox.apply_with_token(&manifest, &canary("codex"));

    let output = sandbox
        .program(&cli)
        .args(["mcp", "get", "probe", "--json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    let entry: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let bin = mcpctl_bin().canonicalize().unwrap();
    assert_eq!(entry["enabled"], true);
    assert_eq!(entry["transport"]["type"], "stdio");
    assert_eq!(entry["transport"]["command"], bin.display().to_string());
    assert_eq!(
        entry["transport"]["args"],
        serde_json::json!([
            "exec",
            "--server",
            "probe",
            "--manifest",
            manifest.canonicalize().unwrap(),
            "--env",
            "GITHUB_TOKEN=GITHUB_TOKEN",
            "--",
            "node",
            probe_server().display().to_string()
        ])
    );
    assert_eq!(entry["transport"]["env"]["PROBE_VARS"], "GITHUB_TOKEN");
}

/// A sandbox where the probe manifest with `clients` was applied with a
/// canary token, if the client CLI `cli_var` and the Secret Service exist.
struct Applied {
    sandbox: Sandbox,
    cli: PathBuf,
    probe_out: PathBuf,
    repo: PathBuf,
    token: String,
}

fn applied(test: &str, cli_var: &str, clients: &str, label: &str) -> Option<Applied> {
    let cli = client_cli(test, cli_var)?;
    applied_for(test, cli, clients, label)
}

/// [`applied`] for a client no CLI judges (`cli` is then empty).
fn applied_for(test: &str, cli: PathBuf, clients: &str, label: &str) -> Option<Applied> {
    if !secret_service(test) {
        return None;
    }
    let sandbox = Sandbox::new();
    let probe_out = sandbox.root().join("probe-out.jsonl");
    let manifest = sandbox.manifest(&probe_manifest(clients, &probe_out));
    let token = canary(label);
    sandbox.apply_with_token(&manifest, &token);
    Some(Applied {
        repo: manifest.parent().unwrap().to_path_buf(),
        sandbox,
        cli,
        probe_out,
        token,
    })
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
/// `claude mcp get probe` with GITHUB_TOKEN exported, as the shell block
/// would: the entry shows the reference, the server gets the value.
#[test]
fn claude_code_env_ref_resolves_the_exported_variable() {
    let Some(Applied {
        sandbox,
        cli,
        probe_out,
        token,
        ..
    }) = applied(
        "claude_code_env_ref_resolves_the_exported_variable",
        "MCPCTL_TEST_CLAUDE",
        "client claude-code delivery=env-ref",
        "claude-envref",
    )
    else {
        return;
    };
    let output = claude(&sandbox, &cli)
        .args(["mcp", "get", "probe"])
        .env("GITHUB_TOKEN", &token)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(stdout.contains("Connected"), "{stdout}{stderr}");
    assert!(stdout.contains("Command: node"), "{stdout}");
    assert!(stdout.contains("GITHUB_TOKEN=${GITHUB_TOKEN}"), "{stdout}");
    assert!(
        !stdout.contains(&token),
        "claude shows the secret: {stdout}"
    );
    assert_eq!(probe_saw(&probe_out)["GITHUB_TOKEN"], token.as_str());
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
/// Local scope: `projects["<repo>"].mcpServers` in `~/.claude.json`, seen
/// only from inside the repository.
#[test]
fn claude_code_local_scope_is_seen_from_the_project() {
    let Some(Applied {
        sandbox,
        cli,
        probe_out,
        repo,
        token,
    }) = applied(
        "claude_code_local_scope_is_seen_from_the_project",
        "MCPCTL_TEST_CLAUDE",
        "client claude-code scope=local",
        "local",
    )
    else {
        return;
    };

    let inside = claude(&sandbox, &cli)
        .args(["mcp", "get", "probe"])
        .current_dir(&repo)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&inside);
    assert!(stdout.contains("Connected"), "{stdout}{stderr}");
    assert!(stdout.contains("Scope: Local config"), "{stdout}");
    assert_eq!(probe_saw(&probe_out)["GITHUB_TOKEN"], token.as_str());

    let outside = claude(&sandbox, &cli)
        .args(["mcp", "get", "probe"])
        .current_dir(sandbox.home())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&outside);
    assert!(!stdout.contains("Connected"), "{stdout}{stderr}");
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
#[test]
fn codex_env_ref_forwards_the_variable_by_name() {
    let Some(Applied { sandbox, cli, .. }) = applied(
        "codex_env_ref_forwards_the_variable_by_name",
        "MCPCTL_TEST_CODEX",
        "client codex delivery=env-ref",
        "codex-envref",
    ) else {
        return;
    };

    let output = sandbox
        .program(&cli)
        .args(["mcp", "get", "probe", "--json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    let entry: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(entry["transport"]["command"], "node");
    assert_eq!(
        entry["transport"]["env_vars"],
        serde_json::json!(["GITHUB_TOKEN"])
    );
    assert_eq!(entry["transport"]["env"]["PROBE_VARS"], "GITHUB_TOKEN");
}

fn gemini(sandbox: &Sandbox, cli: &Path) -> assert_cmd::Command {
    let mut cmd = sandbox.program(cli);
    // Folder trust is on by default; untrusted folders disable every server.
    cmd.env("GEMINI_CLI_TRUST_WORKSPACE", "true")
        .timeout(Duration::from_secs(120));
    cmd
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `gemini mcp list` connects to the server in both delivery modes, and
/// the server gets the credential.
#[test]
fn gemini_cli_connects_in_both_delivery_modes() {
    let test = "gemini_cli_connects_in_both_delivery_modes";
    let Some(cli) = client_cli(test, "MCPCTL_TEST_GEMINI") else {
        return;
    };
    if !secret_service(test) {
        return;
    }
    for (delivery, exported) in [("exec", false), ("env-ref", true)] {
        let sandbox = Sandbox::new();
        let probe_out = sandbox.root().join("probe-out.jsonl");
        let manifest = sandbox.manifest(&probe_manifest(
            &format!("client gemini-cli delivery={delivery}"),
            &probe_out,
        ));
        let token = canary(&format!("gemini-{delivery}"));
        sandbox.apply_with_token(&manifest, &token);
        let settings =
            fs_err::read_to_string(sandbox.home().join(".gemini/settings.json")).unwrap();
        assert!(!settings.contains(&token), "{settings}");

        let mut cmd = gemini(&sandbox, &cli);
        cmd.args(["mcp", "list"]);
        if exported {
            cmd.env("GITHUB_TOKEN", &token);
        }
        let output = cmd.output().unwrap();
        // Gemini prints its listing on stderr.
        let (stdout, stderr) = text(&output);
        let shown = format!("{stdout}{stderr}");
        assert!(
            shown.contains("✓ probe:") && shown.contains("- Connected"),
            "{delivery}: {shown}"
        );
        if exported {
            // Gemini prints the command and args, not env; the reference
            // is what the file holds.
            assert!(
                settings.contains("\"GITHUB_TOKEN\": \"${GITHUB_TOKEN}\""),
                "{settings}"
            );
        }
        assert_eq!(
            probe_saw(&probe_out)["GITHUB_TOKEN"],
            token.as_str(),
            "{delivery}"
        );
    }
}

// The clients added in December 2026, each judged by its own CLI at the
// version `scripts/install-test-deps` pins: mcpctl applies the probe
// manifest in exec delivery, the CLI lists the server as `mcpctl exec …`,
// and no file in the sandbox holds the secret.

/// The arguments of the probe's exec entry.
fn probe_exec_args(repo: &Path) -> Vec<String> {
    let mut args: Vec<String> = ["exec", "--server", "probe", "--manifest"]
        .map(str::to_owned)
        .to_vec();
    args.push(
        repo.join("mcpctl.kdl")
            .canonicalize()
            .unwrap()
            .display()
            .to_string(),
    );
    args.extend(["--env", "GITHUB_TOKEN=GITHUB_TOKEN", "--", "node"].map(str::to_owned));
    args.push(probe_server().display().to_string());
    args
}

/// The mcpctl binary the entries name.
fn bin() -> String {
    mcpctl_bin().canonicalize().unwrap().display().to_string()
}

/// Panics when a file under the sandbox other than the probe's record
/// holds the secret.
fn assert_no_file_holds_the_token(applied: &Applied) {
    for file in applied.sandbox.all_files() {
        if file == applied.probe_out {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        let token = applied.token.as_bytes();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token),
            "`{}` holds the secret",
            file.display()
        );
    }
}

/// Runs `cmd` and returns its stdout, panicking with both streams when it
/// fails.
fn listing(mut cmd: assert_cmd::Command) -> String {
    let output = cmd.output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    stdout
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
/// `copilot mcp list --json` (no login, starts no server) lists the entry
/// of `~/.copilot/mcp-config.json`.
#[test]
fn copilot_cli_lists_the_exec_entry() {
    let Some(applied) = applied(
        "copilot_cli_lists_the_exec_entry",
        "MCPCTL_TEST_COPILOT",
        "client copilot-cli",
        "copilot",
    ) else {
        return;
    };
    let mut cmd = applied.sandbox.program(&applied.cli);
    // CI=true: no self-update.
    cmd.args(["mcp", "list", "--json"])
        .env("CI", "true")
        .env("COPILOT_AUTO_UPDATE", "false")
        .timeout(Duration::from_secs(120));
    let listed: serde_json::Value = serde_json::from_str(&listing(cmd)).unwrap();
    let entry = &listed["mcpServers"]["probe"];
    assert_eq!(entry["source"], "user", "{listed}");
    assert_eq!(entry["type"], "local", "{listed}");
    assert_eq!(entry["command"], bin(), "{listed}");
    assert_eq!(
        entry["args"],
        serde_json::json!(probe_exec_args(&applied.repo)),
        "{listed}"
    );
    assert_no_file_holds_the_token(&applied);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `qwen mcp list` starts every server: it connects through `mcpctl exec`
/// and the probe gets the credential. Qwen then rewrites its settings
/// (adding `"$version"`), which the next plan takes calmly.
#[test]
fn qwen_code_connects_through_exec_and_its_rewrite_is_no_drift() {
    let Some(applied) = applied(
        "qwen_code_connects_through_exec_and_its_rewrite_is_no_drift",
        "MCPCTL_TEST_QWEN",
        "client qwen-code",
        "qwen",
    ) else {
        return;
    };
    let settings = applied.sandbox.home().join(".qwen/settings.json");
    let written = fs_err::read_to_string(&settings).unwrap();
    assert!(!written.contains("$version"), "{written}");
    let mut cmd = applied.sandbox.program(&applied.cli);
    cmd.args(["mcp", "list"]).timeout(Duration::from_secs(120));
    let stdout = listing(cmd);
    let line = format!(
        "probe: {} {} (stdio) - Connected",
        bin(),
        probe_exec_args(&applied.repo).join(" ")
    );
    assert!(stdout.contains(&line), "{line}\n{stdout}");
    assert_eq!(
        probe_saw(&applied.probe_out)["GITHUB_TOKEN"],
        applied.token.as_str()
    );
    let rewritten = fs_err::read_to_string(&settings).unwrap();
    assert!(rewritten.contains("\"$version\""), "{rewritten}");
    assert_no_file_holds_the_token(&applied);

    let again = applied
        .sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(applied.repo.join("mcpctl.kdl"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{stdout}{stderr}");
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
/// `opencode debug config --pure` prints the configuration it resolved
/// (starting no server): the entry is one command array through exec.
#[test]
fn opencode_resolves_the_exec_entry() {
    let Some(applied) = applied(
        "opencode_resolves_the_exec_entry",
        "MCPCTL_TEST_OPENCODE",
        "client opencode",
        "opencode",
    ) else {
        return;
    };
    let mut cmd = applied.sandbox.program(&applied.cli);
    cmd.args(["debug", "config", "--pure"])
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
        .timeout(Duration::from_secs(120));
    let config: serde_json::Value = serde_json::from_str(&listing(cmd)).unwrap();
    let entry = &config["mcp"]["probe"];
    let mut argv = vec![bin()];
    argv.extend(probe_exec_args(&applied.repo));
    assert_eq!(entry["type"], "local", "{entry}");
    assert_eq!(entry["command"], serde_json::json!(argv), "{entry}");
    assert_no_file_holds_the_token(&applied);
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
/// `auggie mcp list --json` (starts no server) shows the command line
/// joined by spaces.
#[test]
fn auggie_lists_the_exec_entry() {
    let Some(applied) = applied(
        "auggie_lists_the_exec_entry",
        "MCPCTL_TEST_AUGGIE",
        "client augment",
        "auggie",
    ) else {
        return;
    };
    let mut cmd = applied.sandbox.program(&applied.cli);
    cmd.args(["mcp", "list", "--json"])
        .timeout(Duration::from_secs(120));
    let listed: serde_json::Value = serde_json::from_str(&listing(cmd)).unwrap();
    let servers = listed["servers"].as_array().unwrap();
    let probe = servers
        .iter()
        .find(|s| s["name"] == "probe")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(probe["transport"], "stdio", "{listed}");
    assert_eq!(
        probe["command"],
        format!("{} {}", bin(), probe_exec_args(&applied.repo).join(" ")),
        "{listed}"
    );
    assert_no_file_holds_the_token(&applied);
}

// Unix only: the pinned client CLIs are Linux's.
#[cfg(unix)]
/// `amp mcp list --json` (starts no server) reads the flat, dotted
/// `"amp.mcpServers"` key of `~/.config/amp/settings.json`.
#[test]
fn amp_lists_the_exec_entry() {
    let Some(applied) = applied(
        "amp_lists_the_exec_entry",
        "MCPCTL_TEST_AMP",
        "client amp",
        "amp",
    ) else {
        return;
    };
    let mut cmd = applied.sandbox.program(&applied.cli);
    cmd.args(["mcp", "list", "--json"])
        .timeout(Duration::from_secs(120));
    let listed: serde_json::Value = serde_json::from_str(&listing(cmd)).unwrap();
    let probe = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "probe")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(probe["source"], "global", "{listed}");
    assert_eq!(probe["spec"]["command"], bin(), "{listed}");
    assert_eq!(
        probe["spec"]["args"],
        serde_json::json!(probe_exec_args(&applied.repo)),
        "{listed}"
    );
    assert_no_file_holds_the_token(&applied);
}

// Goose and Continue have no CLI that lists MCP servers (Goose is a binary
// from GitHub releases; Continue's `cn` lists sessions, not servers), so
// no real client judges them. These are the strongest checks there are.

/// Goose's entry shape (block/goose `config/extensions.rs` and
/// `agents/extension.rs`): `ExtensionEntry { enabled, #[serde(flatten)]
/// config }` and `ExtensionConfig`, tagged by `type`. `args` has no
/// default: without it Goose skips the entry as malformed.
#[derive(serde::Deserialize)]
struct GooseConfig {
    extensions: std::collections::BTreeMap<String, GooseEntry>,
}

#[derive(serde::Deserialize)]
struct GooseEntry {
    enabled: bool,
    #[serde(flatten)]
    config: GooseExtension,
}

#[derive(serde::Deserialize)]
#[serde(tag = "type")]
enum GooseExtension {
    #[serde(rename = "stdio")]
    Stdio {
        name: String,
        cmd: String,
        args: Vec<String>,
        #[serde(default)]
        envs: std::collections::BTreeMap<String, String>,
        timeout: Option<u64>,
    },
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// What mcpctl writes to Goose's `config.yaml` reads, with serde_yaml's
/// grammar (serde_yaml_ng) as Goose reads it, into Goose's own entry
/// shape: an enabled stdio extension running `mcpctl exec`, no secret in
/// any file.
#[test]
fn goose_reads_the_exec_entry_into_its_extension_shape() {
    let Some(applied) = applied_for(
        "goose_reads_the_exec_entry_into_its_extension_shape",
        PathBuf::new(),
        "client goose",
        "goose",
    ) else {
        return;
    };
    let path = applied.sandbox.root().join("config/goose/config.yaml");
    let text = fs_err::read_to_string(&path).unwrap();
    let config: GooseConfig =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let entry = &config.extensions["probe"];
    assert!(entry.enabled, "{text}");
    let GooseExtension::Stdio {
        name,
        cmd,
        args,
        envs,
        timeout,
    } = &entry.config;
    assert_eq!(name, "probe");
    assert_eq!(cmd, &bin());
    assert_eq!(args, &probe_exec_args(&applied.repo));
    assert_eq!(envs.len(), 2, "{text}");
    assert_eq!(*timeout, Some(300));
    assert_no_file_holds_the_token(&applied);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// Continue's own config parser, `@continuedev/config-yaml`'s
/// `config-yaml FILE` (`parseConfigYaml`, the schema Continue loads its
/// config and local blocks with, then `validateConfigYaml`), accepts the
/// user file and the project block mcpctl wrote; each lists the probe as
/// `mcpctl exec`.
#[test]
fn continue_config_parser_accepts_the_user_file_and_the_project_block() {
    let Some(applied) = applied(
        "continue_config_parser_accepts_the_user_file_and_the_project_block",
        "MCPCTL_TEST_CONTINUE_YAML",
        "client continue\nclient continue scope=project",
        "continue",
    ) else {
        return;
    };
    let user = applied.sandbox.home().join(".continue/config.yaml");
    let block = applied.repo.join(".continue/mcpServers/mcpctl.yaml");
    for (file, command) in [(&user, bin()), (&block, "mcpctl".to_owned())] {
        let mut cmd = applied.sandbox.program(&applied.cli);
        cmd.arg(file).timeout(Duration::from_secs(60));
        let stdout = listing(cmd);
        assert!(stdout.contains("valid"), "{stdout}");
        let text = fs_err::read_to_string(file).unwrap();
        let data: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
        let probe = &data["mcpServers"][0];
        assert_eq!(probe["name"], "probe", "{text}");
        assert_eq!(probe["command"], command.as_str(), "{text}");
        assert_eq!(probe["args"][0], "exec", "{text}");
    }
    assert_no_file_holds_the_token(&applied);
}
