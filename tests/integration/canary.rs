//! Secrets never leak: after plan, apply and exec with a canary value, the
//! value is in no file under the sandbox and in no output — only in the
//! store and in the server's own environment. The same sweep covers the
//! hostile inputs of issue 12: a server that prints its environment
//! (`check --servers`), a manifest holding a token (`validate`, `plan`,
//! `apply`), and a hand-written entry with secrets in its arguments and URL
//! (`plan`, `--json`, `--out`, `show`).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::apply_loop::MANIFEST;
use crate::support::{Sandbox, canary, secret_service, text};

/// A random-looking value (letters and digits, different in every run)
/// that no detector recognizes by its shape: only a name says it is a
/// secret. With `prefix`, a provider's token shape. It always holds a
/// digit and both cases (a run without would read as a word).
fn random_canary(prefix: &str, len: usize, salt: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = (u64::from(std::process::id()) << 20) ^ salt.wrapping_mul(0x9E37_79B9);
    let body: String = (0..len - 3)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char
        })
        .collect();
    let digit = char::from(b'0' + (state % 10) as u8);
    format!("{prefix}{body}{digit}Kq")
}

/// Panics when any output holds any of `values`.
fn assert_no_output_holds(outputs: &[(&str, &Output)], values: &[&str]) {
    for (what, output) in outputs {
        let (stdout, stderr) = text(output);
        for value in values {
            assert!(
                !stdout.contains(value) && !stderr.contains(value),
                "{what} leaked a value:\n{stdout}{stderr}"
            );
        }
    }
}

/// Panics when a file under the sandbox, other than `except`, holds any of
/// `values`.
fn assert_no_file_holds(sandbox: &Sandbox, values: &[&str], except: &[PathBuf]) {
    for file in sandbox.all_files() {
        if except.contains(&file) {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        for value in values {
            let found = bytes.windows(value.len()).any(|w| w == value.as_bytes());
            assert!(!found, "`{}` holds a value", file.display());
        }
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn canary_appears_in_no_file_and_no_output() {
    if !secret_service("canary_appears_in_no_file_and_no_output") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let secret = canary("leak");
    let mut outputs = vec![
        sandbox
            .mcpctl()
            .args(["plan", "-f"])
            .arg(&manifest)
            .output()
            .unwrap(),
        sandbox
            .mcpctl()
            .args(["plan", "--json", "-f"])
            .arg(&manifest)
            .output()
            .unwrap(),
        sandbox
            .mcpctl()
            .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
            .arg(&manifest)
            .env("GITHUB_TOKEN", &secret)
            .output()
            .unwrap(),
        sandbox
            .mcpctl()
            .args(["plan", "-f"])
            .arg(&manifest)
            .output()
            .unwrap(),
    ];
    // exec hands the value to the server, which proves receipt by its
    // length only, so the value itself appears nowhere.
    let exec = sandbox
        .mcpctl()
        .args([
            "exec",
            "--server",
            "github",
            "--env",
            "GH=GITHUB_TOKEN",
            "--",
        ])
        .args(["sh", "-c", "printf '%s' \"${#GH}\""])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&exec.stdout),
        secret.len().to_string()
    );
    outputs.push(exec);
    // A failing exec must not echo it either.
    outputs.push(
        sandbox
            .mcpctl()
            .args([
                "exec",
                "--server",
                "x",
                "--env",
                "A=GITHUB_TOKEN",
                "--",
                "/nonexistent/server",
            ])
            .output()
            .unwrap(),
    );

    for output in &outputs {
        let (stdout, stderr) = text(output);
        assert!(
            !stdout.contains(&secret),
            "stdout leaked the secret:\n{stdout}"
        );
        assert!(
            !stderr.contains(&secret),
            "stderr leaked the secret:\n{stderr}"
        );
    }
    let files = sandbox.all_files();
    assert!(
        files.iter().any(|f| f.ends_with("audit.jsonl")),
        "the audit trail should exist: {files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with("state.json")));
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "`{}` contains the secret", file.display());
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// A server that prints its environment to stderr and fails: `check
/// --servers` quotes what it said with the credential mcpctl handed it
/// hidden, and any other secret in it too, in text and in `--json`. The
/// server also leaves its own and its parent's command line behind, so the
/// file sweep proves the value was in no process's argv.
#[test]
fn check_servers_hides_what_a_server_prints_of_its_environment() {
    let test = "check_servers_hides_what_a_server_prints_of_its_environment";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let secret = canary("servers");
    // A token the server found elsewhere: not mcpctl's, found by its shape.
    let other = random_canary("ghp_", 36, 1);
    let script = sandbox.root().join("leaky-server.sh");
    let argv_dump = sandbox.root().join("argv-dump");
    fs_err::write(
        &script,
        format!(
            "#!/bin/sh\n\
             echo \"GITHUB_PERSONAL_ACCESS_TOKEN=$GITHUB_PERSONAL_ACCESS_TOKEN\" >&2\n\
             echo \"also found: {other}\" >&2\n\
             env >&2\n\
             cat /proc/$$/cmdline /proc/$PPID/cmdline > '{}' 2>/dev/null\n\
             exit 1\n",
            argv_dump.display()
        ),
    )
    .unwrap();
    let manifest = sandbox.manifest(&format!(
        r#"mcpctl version=1
client claude-code
credential GITHUB_TOKEN {{
    kind personal-access-token
    provider github
}}
server leaky {{
    command sh "{}"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}}
"#,
        script.display()
    ));
    sandbox.apply_with_token(&manifest, &secret);
    let check = |json: bool| {
        let mut cmd = sandbox.mcpctl();
        cmd.args(["check", "--servers", "--timeout", "10", "-f"])
            .arg(&manifest);
        if json {
            cmd.arg("--json");
        }
        cmd.output().unwrap()
    };
    let (plain, json) = (check(false), check(true));
    for output in [&plain, &json] {
        assert_eq!(output.status.code(), Some(3), "{:?}", text(output));
    }
    // The stderr is quoted, the values in it are not.
    let (stdout, _) = text(&plain);
    assert!(
        stdout.contains("its stderr: GITHUB_PERSONAL_ACCESS_TOKEN=… (")
            && stdout.contains("also found: ghp_… (40 chars)"),
        "{stdout}"
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let server = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "server")
        .unwrap();
    assert!(
        server["detail"]
            .as_str()
            .unwrap()
            .contains("GITHUB_PERSONAL_ACCESS_TOKEN=… ("),
        "{server}"
    );
    assert_no_output_holds(
        &[
            ("check --servers", &plain),
            ("check --servers --json", &json),
        ],
        &[&secret, &other[4..]],
    );
    if cfg!(target_os = "linux") {
        assert!(argv_dump.exists(), "the server did not run");
    }
    assert_no_file_holds(&sandbox, &[&secret], &[]);
}

/// A manifest holding a token, a password in a URL and a random key after
/// `--api-key`: `validate`, `plan` and `apply` refuse it, and no snippet
/// of their diagnostics repeats any of the values.
#[test]
fn validate_of_a_manifest_holding_a_token_shows_no_part_of_it() {
    let sandbox = Sandbox::new();
    let token = random_canary("ghp_", 36, 2);
    let password = random_canary("", 18, 3);
    let key = random_canary("", 24, 4);
    let manifest = sandbox.manifest(&format!(
        r#"mcpctl version=1
client claude-code
server github {{
    command npx -y "@modelcontextprotocol/server-github" "--api-key" "{key}"
    env GITHUB_TOKEN "{token}"
    env DATABASE_URL "postgresql://app:{password}@db.internal/app"
    env API_KEY "{key}"
}}
"#
    ));
    let run = |args: &[&str]| {
        sandbox
            .mcpctl()
            .args(args)
            .arg("-f")
            .arg(&manifest)
            .output()
            .unwrap()
    };
    let validate = run(&["validate"]);
    let plan = run(&["plan"]);
    let plan_json = run(&["plan", "--json"]);
    let apply = run(&["apply", "--auto-approve"]);
    for output in [&validate, &plan, &plan_json, &apply] {
        assert!(!output.status.success(), "{:?}", text(output));
    }
    // The diagnostic still points at each value: masked at its own length.
    let (_, stderr) = text(&validate);
    assert_eq!(
        stderr.matches("holds a secret value").count(),
        4,
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("\"ghp_{}\"", "*".repeat(36))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("\"{}\"", "*".repeat(24))),
        "{stderr}"
    );
    assert_no_output_holds(
        &[
            ("validate", &validate),
            ("plan", &plan),
            ("plan --json", &plan_json),
            ("apply", &apply),
        ],
        &[&token[4..], &password, &key],
    );
    assert_no_file_holds(&sandbox, &[&token[4..], &password, &key], &[manifest]);
}

/// Hand-written entries of the manifest's server names, holding secrets in
/// places only their names reveal: after `--api-key`, in `--token=…`, in a
/// URL's `?token=` and `&access_token=`, in a URL's password. `plan`, `plan
/// --json`, `plan --out`, `show` and `show --json` show none of them, and
/// the saved plan holds none.
#[test]
fn plan_over_a_hand_written_entry_with_secrets_in_its_args_shows_none() {
    let sandbox = Sandbox::new();
    let api_key = random_canary("", 26, 5);
    let token = random_canary("", 26, 6);
    let query_token = random_canary("", 26, 7);
    let access_token = random_canary("", 26, 8);
    let password = random_canary("", 18, 9);
    let values = [
        api_key.as_str(),
        &token,
        &query_token,
        &access_token,
        &password,
    ];
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
server github {
    command npx -y "@modelcontextprotocol/server-github"
}
server docs {
    url "https://docs.example.com/mcp"
}
"#,
    );
    let claude = serde_json::json!({"mcpServers": {
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github", "--api-key", api_key,
                     format!("--token={token}"),
                     format!("postgresql://app:{password}@db.internal/app")],
        },
        "docs": {
            "type": "http",
            "url": format!("https://docs.example.com/mcp?token={query_token}&x=1&access_token={access_token}"),
        }
    }});
    let claude_text = serde_json::to_string_pretty(&claude).unwrap();
    fs_err::write(sandbox.claude_json(), &claude_text).unwrap();
    let saved = sandbox.root().join("plan.json");
    let run = |args: &[&str], file: &Path| sandbox.mcpctl().args(args).arg(file).output().unwrap();
    let plan = run(&["plan", "-f"], &manifest);
    let plan_json = run(&["plan", "--json", "-f"], &manifest);
    let plan_out = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .arg("--out")
        .arg(&saved)
        .output()
        .unwrap();
    let show = run(&["show"], &saved);
    let show_json = run(&["show", "--json"], &saved);
    for output in [&plan, &plan_json, &plan_out, &show, &show_json] {
        assert!(output.status.success(), "{:?}", text(output));
    }
    // The entries are shown, each secret by its length only.
    let (stdout, _) = text(&plan);
    assert!(stdout.contains("… (26 chars)"), "{stdout}");
    assert!(stdout.contains("--token=… (26 chars)"), "{stdout}");
    assert!(stdout.contains("postgresql://…@db.internal ("), "{stdout}");
    assert_no_output_holds(
        &[
            ("plan", &plan),
            ("plan --json", &plan_json),
            ("plan --out", &plan_out),
            ("show", &show),
            ("show --json", &show_json),
        ],
        &values,
    );
    // Only the user's own file holds them, unchanged.
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        claude_text
    );
    assert_no_file_holds(&sandbox, &values, &[sandbox.claude_json()]);
}

/// A secret split from its name across one argument: a header given to
/// `-H` (`Authorization: Bearer …`), the same as `--header=…`, a docker
/// style `-e TOKEN=…`, and a URL inside `--url=…`. `plan`, `plan --json`,
/// `plan --out` and `show` show none of them, and the saved plan holds
/// none.
#[test]
fn plan_hides_secrets_named_inside_an_argument() {
    let sandbox = Sandbox::new();
    let bearer = random_canary("", 26, 21);
    let header = random_canary("", 26, 22);
    let docker = random_canary("", 26, 23);
    let in_url = random_canary("", 26, 24);
    let values = [bearer.as_str(), &header, &docker, &in_url];
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
server github {
    command npx -y "@modelcontextprotocol/server-github"
}
"#,
    );
    let claude = serde_json::json!({"mcpServers": {
        "github": {
            "command": "docker",
            "args": ["run", "-H", format!("Authorization: Bearer {bearer}"),
                     format!("--header=X-Api-Key: {header}"),
                     "-e", format!("GITHUB_TOKEN={docker}"),
                     format!("--url=https://api.example.com/v1?access_token={in_url}"),
                     "ghcr.io/github/github-mcp-server"],
        }
    }});
    let claude_text = serde_json::to_string_pretty(&claude).unwrap();
    fs_err::write(sandbox.claude_json(), &claude_text).unwrap();
    let saved = sandbox.root().join("plan.json");
    let run = |args: &[&str], file: &Path| sandbox.mcpctl().args(args).arg(file).output().unwrap();
    let plan = run(&["plan", "-f"], &manifest);
    let plan_json = run(&["plan", "--json", "-f"], &manifest);
    let plan_out = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .arg("--out")
        .arg(&saved)
        .output()
        .unwrap();
    let show = run(&["show"], &saved);
    for output in [&plan, &plan_json, &plan_out, &show] {
        assert!(output.status.success(), "{:?}", text(output));
    }
    // Each is shown with its name and length.
    let (stdout, _) = text(&plan);
    assert!(
        stdout.contains("Authorization: Bearer … (26 chars)"),
        "{stdout}"
    );
    assert!(stdout.contains("GITHUB_TOKEN=… (26 chars)"), "{stdout}");
    assert_no_output_holds(
        &[
            ("plan", &plan),
            ("plan --json", &plan_json),
            ("plan --out", &plan_out),
            ("show", &show),
        ],
        &values,
    );
    assert_no_file_holds(&sandbox, &values, &[sandbox.claude_json()]);
}

/// The audit webhook's URL passes `validate` with a key in its query or
/// user information (it is mcpctl's own setting, redacted in plan), so a
/// diagnostic quoting its line — a mistake on the same line, in a CI log —
/// must hide them too.
#[test]
fn a_diagnostic_quoting_the_webhook_hides_its_key() {
    let sandbox = Sandbox::new();
    let key = random_canary("", 24, 25);
    let password = random_canary("", 18, 26);
    let manifest = sandbox.manifest(&format!(
        r#"mcpctl version=1
client claude-code
audit {{
    webhook "http://relay:{password}@127.0.0.1:9/hook?key={key}" alerts-only="yes"
}}
"#
    ));
    let validate = sandbox
        .mcpctl()
        .arg("validate")
        .arg("-f")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(!validate.status.success(), "{:?}", text(&validate));
    let (_, stderr) = text(&validate);
    assert!(
        stderr.contains("`alerts-only` is #true or #false"),
        "{stderr}"
    );
    // Masked at its own length: the label still points at the property.
    assert!(
        stderr.contains(&format!("@127.0.0.1:9/hook?{}", "*".repeat(4 + 24))),
        "{stderr}"
    );
    assert_no_output_holds(&[("validate", &validate)], &[&key, &password]);
}

/// A personal profile's variable value lands in client files as it is, so
/// one that is a secret where it is used — after `--api-key`, in an env
/// value named like a secret — is refused by `plan` and `apply`, naming
/// the server and the profile and never the value; nothing is written.
#[test]
fn a_profile_variable_cannot_put_a_secret_into_a_client_file() {
    let sandbox = Sandbox::new();
    let key = random_canary("", 26, 27);
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
variable ORG
server svc {
    command npx -y svc "--api-key" "{ORG}"
}
"#,
    );
    let profile = manifest.with_file_name("mcpctl.local.kdl");
    fs_err::write(&profile, format!("variable ORG \"{key}\"\n")).unwrap();
    let run = |args: &[&str]| {
        sandbox
            .mcpctl()
            .args(args)
            .arg("-f")
            .arg(&manifest)
            .output()
            .unwrap()
    };
    let plan = run(&["plan"]);
    let plan_json = run(&["plan", "--json"]);
    let apply = run(&["apply", "--auto-approve"]);
    for output in [&plan, &plan_json, &apply] {
        assert!(!output.status.success(), "{:?}", text(output));
    }
    let (_, stderr) = text(&plan);
    assert!(stderr.contains("server `svc`"), "{stderr}");
    assert!(stderr.contains("mcpctl.local.kdl"), "{stderr}");
    assert_no_output_holds(
        &[
            ("plan", &plan),
            ("plan --json", &plan_json),
            ("apply", &apply),
        ],
        &[&key],
    );
    assert_no_file_holds(&sandbox, &[&key], &[profile]);
}

/// The webhook's POST sends no user information, and connecting to
/// `token@host` would hand the token to the name resolver (a DNS query on
/// the network): a webhook URL with user information — a password is
/// refused as a secret already, a bare token is not — is refused by
/// `validate`, masked in the diagnostic.
#[test]
fn a_webhook_with_user_information_is_refused() {
    let sandbox = Sandbox::new();
    let password = random_canary("", 18, 28);
    let manifest = sandbox.manifest(&format!(
        "mcpctl version=1\nclient claude-code\naudit {{\n    webhook \"http://{password}@127.0.0.1:9/hook\"\n}}\n"
    ));
    let validate = sandbox
        .mcpctl()
        .arg("validate")
        .arg("-f")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(!validate.status.success(), "{:?}", text(&validate));
    let (_, stderr) = text(&validate);
    assert!(stderr.contains("user information"), "{stderr}");
    assert_no_output_holds(&[("validate", &validate)], &[&password]);
}
