//! Adoption: `scan` on a machine seeded with realistic plaintext configs in
//! several clients. Every planted value is built at run time (no
//! secret-shaped literal sits in this file) and must never appear in the
//! output.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Sandbox, text};

/// A token-shaped value: `prefix` and `len` random letters and digits,
/// different in every run.
fn planted(prefix: &str, len: usize, salt: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state =
        (u64::from(std::process::id()) << 16) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let body: String = (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char
        })
        .collect();
    format!("{prefix}{body}")
}

/// The planted secrets, by label.
pub struct Planted {
    pub github: String,
    pub slack: String,
    pub db_password: String,
    pub sentry: String,
    pub figma: String,
    pub aws_id: String,
    pub aws_secret: String,
    pub openai: String,
    pub composio: String,
    pub shell_github: String,
    pub keychain: String,
    pub powershell: String,
}

impl Planted {
    fn new() -> Planted {
        Planted {
            github: planted("ghp_", 36, 1),
            slack: format!(
                "xoxb-{}-{}-{}",
                "1234567890",
                "9876543210",
                planted("", 24, 2)
            ),
            db_password: planted("", 20, 3),
            sentry: planted("sntrys_", 40, 4),
            figma: planted("figd_", 40, 5),
            aws_id: planted("AKIA", 16, 6).to_ascii_uppercase(),
            aws_secret: planted("", 36, 7) + "/x+Z",
            openai: planted("sk-proj-", 40, 8) + "1",
            composio: planted("", 32, 9),
            shell_github: planted("ghp_", 36, 10),
            keychain: planted("", 28, 11),
            powershell: planted("", 28, 12),
        }
    }

    pub fn all(&self) -> Vec<&str> {
        vec![
            &self.github,
            &self.slack,
            &self.db_password,
            &self.sentry,
            &self.figma,
            &self.aws_id,
            &self.aws_secret,
            &self.openai,
            &self.composio,
            &self.shell_github,
            &self.keychain,
            &self.powershell,
        ]
    }
}

fn write(path: &Path, text: &str) {
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(path, text).unwrap();
}

/// Client files and shell files as people have them today.
pub fn seed(sandbox: &Sandbox) -> Planted {
    let p = Planted::new();
    let claude = json!({
        "numStartups": 12,
        "mcpServers": {
            "github": {
                "type": "stdio",
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": p.github}
            },
            "slack": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-slack"],
                "env": {"SLACK_BOT_TOKEN": p.slack, "SLACK_TEAM_ID": "T01234567"}
            },
            "sentry": {
                "type": "http",
                "url": "https://mcp.sentry.dev/mcp",
                "headers": {"Authorization": format!("Bearer {}", p.sentry)}
            },
            "notion": {
                "command": "npx",
                "args": ["-y", "@notionhq/notion-mcp-server"],
                "env": {"NOTION_TOKEN": "${env:NOTION_TOKEN}"}
            },
            "docs": {
                "command": "npx",
                "args": ["-y", "docs-server"],
                "env": {"DOCS_TOKEN": "your-token-here", "OTHER_TOKEN": "${OTHER_TOKEN}"}
            }
        },
        "projects": {
            "/work/app": {
                "allowedTools": [],
                "mcpServers": {
                    "postgres": {
                        "command": "npx",
                        "args": ["-y", "@modelcontextprotocol/server-postgres",
                                 format!("postgresql://app:{}@db.internal:5432/app", p.db_password)]
                    }
                }
            }
        }
    });
    write(
        &sandbox.claude_json(),
        &serde_json::to_string_pretty(&claude).unwrap(),
    );
    write(
        &sandbox.vscode_json(),
        &format!(
            r#"{{
  // Figma for the design team
  "servers": {{
    "figma": {{
      "type": "stdio",
      "command": "npx",
      "args": ["-y", "figma-developer-mcp", "--stdio"],
      "env": {{ "FIGMA_API_KEY": "{}" }}
    }},
    "notion": {{
      "command": "npx",
      "args": ["-y", "@notionhq/notion-mcp-server"],
      "env": {{ "NOTION_TOKEN": "${{env:NOTION_TOKEN}}" }}
    }}
  }},
  "inputs": []
}}
"#,
            p.figma
        ),
    );
    write(
        &sandbox.home().join(".cursor/mcp.json"),
        &serde_json::to_string_pretty(&json!({"mcpServers": {"aws": {
            "command": "uvx",
            "args": ["awslabs.aws-api-mcp-server@latest"],
            "env": {
                "AWS_ACCESS_KEY_ID": p.aws_id,
                "AWS_SECRET_ACCESS_KEY": p.aws_secret,
                "AWS_REGION": "us-east-1"
            }
        }}}))
        .unwrap(),
    );
    write(
        &sandbox.codex_toml(),
        &format!(
            r#"model = "o4-mini"

[mcp_servers.github]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-github"]
env = {{ GITHUB_PERSONAL_ACCESS_TOKEN = "${{GITHUB_TOKEN}}" }}

[mcp_servers.helper]
command = "uvx"
args = ["helper-mcp"]
env = {{ OPENAI_API_KEY = "{}" }}
"#,
            p.openai
        ),
    );
    write(
        &sandbox.home().join(".gemini/settings.json"),
        &serde_json::to_string_pretty(&json!({"mcpServers": {"composio": {
            "command": "npx",
            "args": ["-y", "@composio/mcp@latest", "start"],
            "env": {"COMPOSIO_API_KEY": p.composio}
        }}}))
        .unwrap(),
    );
    write(
        &sandbox.home().join(".zshrc"),
        &format!(
            "export EDITOR=vim\nexport GITHUB_TOKEN={}\nexport GITHUB_TOKEN=$(security find-generic-password -s GITHUB_TOKEN -w)\n",
            p.shell_github
        ),
    );
    write(
        &sandbox.home().join(".bash_history"),
        &format!(
            "ls\nsecurity add-generic-password -a \"$USER\" -s SLACK_TOKEN -w \"{}\"\nsecurity add-generic-password -a \"$USER\" -s X -w\n",
            p.keychain
        ),
    );
    write(
        &sandbox
            .root()
            .join("data/powershell/PSReadLine/ConsoleHost_history.txt"),
        &format!(
            "$secure = ConvertTo-SecureString \"{}\" -AsPlainText -Force\n",
            p.powershell
        ),
    );
    p
}

fn findings(output: &std::process::Output) -> Vec<Value> {
    let (stdout, stderr) = text(output);
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    report["findings"].as_array().unwrap().clone()
}

fn summary(sandbox: &Sandbox, findings: &[Value]) -> BTreeSet<(String, String, String)> {
    findings
        .iter()
        .map(|f| {
            let file = Path::new(f["file"].as_str().unwrap())
                .strip_prefix(sandbox.root())
                .unwrap()
                .display()
                .to_string();
            let place = match &f["entry"] {
                Value::Null => format!("line {}", f["line"]),
                entry => format!(
                    "{} {}",
                    entry["server"].as_str().unwrap(),
                    entry["field"].as_str().unwrap()
                ),
            };
            (file, f["rule"].as_str().unwrap().to_owned(), place)
        })
        .collect()
}

fn expected(rows: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

// Unix only: plants secrets at their Linux places (`~/.bash_history`, `~/.config/Code`).
#[cfg(unix)]
#[test]
fn scan_finds_every_planted_secret_and_nothing_else() {
    let sandbox = Sandbox::new();
    let planted = seed(&sandbox);
    let output = sandbox.mcpctl().args(["scan", "--json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{:?}", text(&output));
    let found = findings(&output);
    assert_eq!(
        summary(&sandbox, &found),
        expected(&[
            (
                "home/.claude.json",
                "github-classic-pat",
                "github env GITHUB_PERSONAL_ACCESS_TOKEN"
            ),
            (
                "home/.claude.json",
                "slack-token",
                "slack env SLACK_BOT_TOKEN"
            ),
            (
                "home/.claude.json",
                "sentry-org-token",
                "sentry header Authorization"
            ),
            (
                "home/.claude.json",
                "unresolved-reference",
                "notion env NOTION_TOKEN"
            ),
            ("home/.claude.json", "url-password", "postgres argument 2"),
            (
                "config/Code/User/mcp.json",
                "figma-token",
                "figma env FIGMA_API_KEY"
            ),
            (
                "home/.cursor/mcp.json",
                "aws-access-key-id",
                "aws env AWS_ACCESS_KEY_ID"
            ),
            (
                "home/.cursor/mcp.json",
                "aws-secret-access-key",
                "aws env AWS_SECRET_ACCESS_KEY"
            ),
            (
                "home/.codex/config.toml",
                "unresolved-reference",
                "github env GITHUB_PERSONAL_ACCESS_TOKEN"
            ),
            (
                "home/.codex/config.toml",
                "openai-api-key",
                "helper env OPENAI_API_KEY"
            ),
            (
                "home/.gemini/settings.json",
                "generic-secret",
                "composio env COMPOSIO_API_KEY"
            ),
            ("home/.zshrc", "github-classic-pat", "line 2"),
            ("home/.bash_history", "keychain-command-password", "line 2"),
            (
                "data/powershell/PSReadLine/ConsoleHost_history.txt",
                "powershell-plaintext-secret",
                "line 1"
            ),
        ])
    );
    // Positions point at the value: line and column in the file.
    let zshrc = found
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with(".zshrc"))
        .unwrap();
    assert_eq!(
        (zshrc["line"].as_u64(), zshrc["column"].as_u64()),
        (Some(2), Some(21))
    );
    let codex = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
    let openai = found
        .iter()
        .find(|f| f["rule"] == "openai-api-key")
        .unwrap();
    let line = codex
        .lines()
        .nth(openai["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    let column = openai["column"].as_u64().unwrap() as usize - 1;
    assert!(line[column..].starts_with(&planted.openai));
    assert_eq!(
        found
            .iter()
            .find(|f| f["rule"] == "github-classic-pat")
            .unwrap()["redacted"],
        "ghp_… (40 chars)"
    );

    // No form of the output holds a planted value.
    for args in [
        &["scan"][..],
        &["scan", "--json"],
        &["scan", "--format", "sarif"],
    ] {
        let output = sandbox.mcpctl().args(args).output().unwrap();
        let (stdout, stderr) = text(&output);
        for value in planted.all() {
            assert!(
                !stdout.contains(value) && !stderr.contains(value),
                "{args:?} leaked a value"
            );
        }
    }
}

// Unix only: its snapshots hold Linux paths.
#[cfg(unix)]
#[test]
fn scan_text_and_sarif_views() {
    let sandbox = Sandbox::new();
    seed(&sandbox);
    let output = sandbox.mcpctl().arg("scan").output().unwrap();
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(3));
    assert!(stdout.contains("~/.claude.json:"), "{stdout}");
    assert!(stdout.contains("[github-classic-pat]"), "{stdout}");
    assert!(
        stdout.contains("hint: `mcpctl import` moves it into the OS credential store"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Found 12 plaintext secrets and 2 unresolvable references in 8 files"),
        "{stdout}"
    );

    let output = sandbox
        .mcpctl()
        .args(["scan", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 14);
    let rules: BTreeSet<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        results
            .iter()
            .all(|r| rules.contains(r["ruleId"].as_str().unwrap()))
    );
    assert!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

/// Issue 12: a redacted form shows a provider's public prefix (`ghp_`, a
/// URL's scheme and host) and the length, never a character of the secret
/// itself — not the first characters of a random key or a UUID.
#[test]
fn redacted_forms_show_no_character_of_a_secret() {
    let sandbox = Sandbox::new();
    let p = seed(&sandbox);
    let uuid = {
        let hex: String = planted("", 32, 20)
            .bytes()
            .map(|b| char::from(b"0123456789abcdef"[usize::from(b) % 16]))
            .collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    };
    // Digits and both cases in each part: a random key, not words.
    let dashed = format!("{}7q-{}4Z", planted("", 9, 21), planted("", 10, 22));
    write(
        &sandbox.root().join("extra.env"),
        &format!("SERVICE_API_KEY={uuid}\nOTHER_API_KEY={dashed}\n"),
    );
    let url = format!("postgresql://app:{}@db.internal:5432", p.db_password);
    let expected_forms = [
        ("github-classic-pat", "ghp_… (40 chars)".to_owned()),
        ("generic-secret", "… (32 chars)".to_owned()),
        ("aws-secret-access-key", "… (40 chars)".to_owned()),
        ("openai-api-key", format!("sk-… ({} chars)", p.openai.len())),
        (
            "url-password",
            format!("postgresql://…@db.internal ({} chars)", url.len()),
        ),
    ];
    let output = sandbox.mcpctl().args(["scan", "--json"]).output().unwrap();
    let found = findings(&output);
    for (rule, form) in &expected_forms {
        let shown: Vec<&str> = found
            .iter()
            .filter(|f| f["rule"] == *rule)
            .map(|f| f["redacted"].as_str().unwrap())
            .collect();
        assert!(shown.contains(&form.as_str()), "{rule}: {shown:?}");
    }
    let output = sandbox
        .mcpctl()
        .args(["scan", "--json", "extra.env"])
        .output()
        .unwrap();
    let shown: Vec<String> = findings(&output)
        .iter()
        .map(|f| f["redacted"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(shown, ["… (36 chars)", "… (24 chars)"]);

    let output = sandbox.mcpctl().arg("scan").output().unwrap();
    let (stdout, _) = text(&output);
    assert!(stdout.contains("secret … (32 chars) — "), "{stdout}");
    let output = sandbox
        .mcpctl()
        .args(["scan", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let messages: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(": … (32 chars)")),
        "{messages:?}"
    );
    // No piece of a secret past its public prefix, in any view.
    let secrets = [
        &p.composio[..],
        &p.aws_secret,
        &p.db_password,
        &p.github[4..],
        &p.openai[3..],
        &uuid,
        &dashed,
    ];
    for args in [
        &["scan"][..],
        &["scan", "--json"],
        &["scan", "--format", "sarif"],
        &["scan", "extra.env"],
    ] {
        let output = sandbox.mcpctl().args(args).output().unwrap();
        let (mut stdout, _) = text(&output);
        // The public prefixes shown may end like a secret starts.
        for public in [
            "ghp_…",
            "xoxb-…",
            "sntrys_…",
            "figd_…",
            "AKIA…",
            "sk-…",
            "://…",
        ] {
            stdout = stdout.replace(public, "<public>");
        }
        for secret in secrets {
            for shown in 1..=12 {
                assert!(
                    !stdout.contains(&format!("{}…", &secret[..shown])),
                    "{args:?} shows the start of a secret:\n{stdout}"
                );
            }
        }
    }
}

// Unix only: drives `git`.
#[cfg(unix)]
#[test]
fn scan_git_reads_only_tracked_files_and_is_clean_on_a_clean_repo() {
    let sandbox = Sandbox::new();
    let repo = sandbox.root().join("repo");
    fs_err::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let output = sandbox
            .program("git")
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(output.status.success(), "{:?}", text(&output));
    };
    git(&["init", "-q"]);
    write(
        &repo.join("README.md"),
        "Set `GITHUB_TOKEN=your-token-here` and run.\n",
    );
    write(
        &repo.join(".mcp.json"),
        r#"{"mcpServers": {"gh": {"command": "npx", "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}}}"#,
    );
    git(&["add", "README.md", ".mcp.json"]);
    let scan = || {
        sandbox
            .mcpctl()
            .args(["scan", "--git", "--json"])
            .current_dir(&repo)
            .output()
            .unwrap()
    };
    let output = scan();
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    assert_eq!(findings(&output), Vec::<Value>::new());

    let token = planted("ghp_", 36, 20);
    write(
        &repo.join(".mcp.json"),
        &format!(
            r#"{{"mcpServers": {{"gh": {{"command": "npx", "env": {{"GITHUB_TOKEN": "{token}"}}}}}}}}"#
        ),
    );
    write(
        &repo.join("untracked.env"),
        &format!("GITHUB_TOKEN={token}\n"),
    );
    git(&["add", ".mcp.json"]);
    let output = scan();
    assert_eq!(output.status.code(), Some(3));
    let found = findings(&output);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["file"], ".mcp.json");
    assert_eq!(found[0]["entry"]["server"], "gh");
    assert!(!String::from_utf8_lossy(&output.stdout).contains(&token));

    // Named paths (what the pre-commit hook passes) work the same way.
    let output = sandbox
        .mcpctl()
        .args(["scan", "untracked.env", "README.md"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let (stdout, _) = text(&output);
    assert!(stdout.contains("untracked.env:1:14"), "{stdout}");
    assert!(!stdout.contains("README.md:"), "{stdout}");
}

/// A client file scan cannot parse is not a clean result: the scan says
/// which file and why and fails (exit 1), in every format; what it did
/// scan is still reported.
#[test]
fn scan_fails_on_a_client_file_it_cannot_parse() {
    let sandbox = Sandbox::new();
    let repo = sandbox.root().join("repo");
    fs_err::create_dir_all(&repo).unwrap();
    write(&repo.join(".mcp.json"), "{\"mcpServers\": {");
    write(&repo.join("notes.txt"), "nothing here\n");
    for format in [&[][..], &["--json"], &["--format", "sarif"]] {
        let output = sandbox
            .mcpctl()
            .args(["scan", ".mcp.json", "notes.txt"])
            .args(format)
            .current_dir(&repo)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format:?}: {stdout}{stderr}"
        );
        let words = stderr
            .split_whitespace()
            .filter(|w| *w != "│")
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            words.contains("1 file could not be scanned, so the scan is incomplete")
                && words.contains("`.mcp.json` is not valid JSON")
                && words.contains("line 1, column 16"),
            "{format:?}: {stderr}"
        );
        if format.is_empty() {
            // Only about the files it read, never a clean bill of health.
            assert_eq!(
                stdout,
                "No plaintext secrets found in the 1 file scanned.\n"
            );
        }
    }
    let output = sandbox
        .mcpctl()
        .args(["scan", "--json", ".mcp.json", "notes.txt"])
        .current_dir(&repo)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["files-scanned"], 1);
    assert_eq!(report["unreadable"][0]["file"], ".mcp.json");
    assert_eq!(report["skipped"], serde_json::json!([]));
}

fn run_ok(sandbox: &Sandbox, args: &[&str]) -> String {
    let output = sandbox.mcpctl().args(args).output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{args:?}: {stdout}{stderr}");
    stdout + &stderr
}

/// The value the store holds for `credential`, read the way servers get
/// it: through `mcpctl exec`.
fn stored(sandbox: &Sandbox, credential: &str) -> String {
    let output = sandbox
        .mcpctl()
        .args(["exec", "--server", "check", "--env"])
        .arg(format!("VALUE={credential}"))
        .args(["--", "printenv", "VALUE"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", text(&output));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// `import --auto-approve`, expected to fail: its stdout and stderr.
fn import_fails(sandbox: &Sandbox) -> (String, String) {
    let output = sandbox
        .mcpctl()
        .args(["import", "--auto-approve"])
        .output()
        .unwrap();
    assert!(!output.status.success(), "{:?}", text(&output));
    text(&output)
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn import_moves_every_movable_secret_and_scan_is_clean_after() {
    let test = "import_moves_every_movable_secret_and_scan_is_clean_after";
    if !crate::support::secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let planted = seed(&sandbox);
    let before_vscode = fs_err::read_to_string(sandbox.vscode_json()).unwrap();

    // Without a terminal, nothing happens unless approved.
    let output = sandbox.mcpctl().arg("import").output().unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output).1.contains("mcpctl import --auto-approve"),
        "{:?}",
        text(&output)
    );

    let out = run_ok(&sandbox, &["import", "--auto-approve"]);
    for value in planted.all() {
        assert!(!out.contains(value), "import output leaked a value:\n{out}");
    }
    assert!(
        out.contains("+ GITHUB_PERSONAL_ACCESS_TOKEN will be stored: ghp_… (40 chars)"),
        "{out}"
    );
    assert!(out.contains("+ SENTRY_TOKEN will be stored"), "{out}");
    // The summary counts the values it stores, listed once.
    let storing = out
        .lines()
        .filter(|l| l.contains(" will be stored"))
        .count();
    assert!(storing > 0);
    assert!(out.contains(&format!("Plan: {storing} to add, ")), "{out}");
    assert_eq!(out.matches("Credentials in the").count(), 1, "{out}");
    // No manifest here: the next step is to write one.
    assert!(
        out.contains("`mcpctl init --from-clients` to write a manifest"),
        "{out}"
    );
    // Random keys show their length only (issue 12).
    assert!(
        out.contains("+ COMPOSIO_API_KEY will be stored: … (32 chars)"),
        "{out}"
    );
    assert!(out.contains("! postgresql://…@db.internal ("), "{out}");
    assert!(out.contains("Left in place:"), "{out}");
    assert!(
        out.contains("claude-code server `postgres` (argument 2)"),
        "{out}"
    );

    // The values are in the store under the variables' names.
    assert_eq!(
        stored(&sandbox, "GITHUB_PERSONAL_ACCESS_TOKEN"),
        planted.github
    );
    assert_eq!(stored(&sandbox, "SLACK_BOT_TOKEN"), planted.slack);
    assert_eq!(stored(&sandbox, "SENTRY_TOKEN"), planted.sentry);
    assert_eq!(
        stored(&sandbox, "AWS_SECRET_ACCESS_KEY"),
        planted.aws_secret
    );
    assert_eq!(stored(&sandbox, "COMPOSIO_API_KEY"), planted.composio);

    // No client file holds a moved value; what is left is reported.
    let client_files = [
        sandbox.claude_json(),
        sandbox.vscode_json(),
        sandbox.home().join(".cursor/mcp.json"),
        sandbox.codex_toml(),
        sandbox.home().join(".gemini/settings.json"),
    ];
    for file in &client_files {
        let text = fs_err::read_to_string(file).unwrap();
        for value in planted.all() {
            if value != planted.db_password {
                assert!(
                    !text.contains(value),
                    "{} still holds a value",
                    file.display()
                );
            }
        }
    }
    // Only the entry is touched: the comment and the other entry stay.
    let vscode = fs_err::read_to_string(sandbox.vscode_json()).unwrap();
    assert!(vscode.contains("// Figma for the design team"));
    assert!(
        vscode.contains("\"FIGMA_API_KEY=FIGMA_API_KEY\""),
        "{vscode}"
    );
    assert_eq!(
        before_vscode.split("\"notion\"").nth(1),
        vscode.split("\"notion\"").nth(1)
    );
    let claude: Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    assert_eq!(
        claude["mcpServers"]["sentry"]["headers"]["Authorization"],
        "Bearer ${SENTRY_TOKEN}"
    );
    assert_eq!(
        claude["mcpServers"]["slack"]["env"],
        json!({"SLACK_TEAM_ID": "T01234567"})
    );
    assert_eq!(claude["numStartups"], 12);

    let output = sandbox
        .mcpctl()
        .args(["scan", "--json", "--clients"])
        .output()
        .unwrap();
    assert_eq!(
        summary(&sandbox, &findings(&output))
            .into_iter()
            .filter(|(file, ..)| !file.contains("history") && !file.ends_with(".zshrc"))
            .collect::<BTreeSet<_>>(),
        expected(&[
            ("home/.claude.json", "url-password", "postgres argument 2"),
            (
                "home/.codex/config.toml",
                "unresolved-reference",
                "github env GITHUB_PERSONAL_ACCESS_TOKEN"
            ),
        ])
    );
    // No copy of the replaced files (which held the values) is kept in
    // mcpctl's state directory: import keeps no backups.
    for file in sandbox.all_files() {
        if !file.starts_with(sandbox.root().join("state")) {
            continue;
        }
        let text = String::from_utf8_lossy(&fs_err::read(&file).unwrap()).into_owned();
        for value in planted.all() {
            assert!(
                !text.contains(value),
                "`{}` keeps an imported value",
                file.display()
            );
        }
    }
    // A second import has nothing to do.
    let out = run_ok(&sandbox, &["import", "--auto-approve"]);
    assert!(out.contains("Nothing to import."), "{out}");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// Cursor, with the two things `import` used to leave behind: a connection
/// string with a password (the password is only part of the value) and a
/// `${GITHUB_TOKEN}` Cursor passes on literally (it expands `${env:NAME}`).
/// After import the whole URL is one `connection-string` credential in the
/// real Secret Service, the reference is in Cursor's form, `scan` finds
/// nothing, and no file in the sandbox holds the password.
#[test]
fn import_moves_a_connection_string_whole_and_rewrites_a_reference_for_cursor() {
    let test = "import_moves_a_connection_string_whole_and_rewrites_a_reference_for_cursor";
    if !crate::support::secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let password = crate::support::canary("pw");
    let url = format!("postgresql://app:{password}@db/app");
    let cursor = sandbox.home().join(".cursor/mcp.json");
    write(
        &cursor,
        &serde_json::to_string_pretty(&json!({"mcpServers": {"app": {
            "command": "npx",
            "args": ["-y", "app-mcp"],
            "env": {"DATABASE_URL": url, "GITHUB_TOKEN": "${GITHUB_TOKEN}"}
        }}}))
        .unwrap(),
    );
    let before = sandbox.mcpctl().arg("scan").output().unwrap();
    assert_eq!(before.status.code(), Some(3), "{:?}", text(&before));

    let out = run_ok(&sandbox, &["import", "--auto-approve"]);
    assert!(
        !out.contains(&password),
        "import output leaked the password:
{out}"
    );
    assert!(
        out.contains(&format!(
            "+ DATABASE_URL will be stored: postgresql://…@db ({} chars)",
            url.len()
        )),
        "{out}"
    );
    assert!(
        out.contains("connection-string, from cursor server `app` (env DATABASE_URL)"),
        "{out}"
    );
    assert!(
        out.contains(
            "note: env GITHUB_TOKEN: `${GITHUB_TOKEN}` becomes `${env:GITHUB_TOKEN}`, the form cursor resolves"
        ),
        "{out}"
    );
    assert!(!out.contains("Left in place"), "{out}");

    assert_eq!(stored(&sandbox, "DATABASE_URL"), url);
    let entry: Value = serde_json::from_str(&fs_err::read_to_string(&cursor).unwrap()).unwrap();
    let entry = &entry["mcpServers"]["app"];
    assert_eq!(entry["env"], json!({"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"}));
    let args: Vec<&str> = entry["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "exec",
            "--server",
            "app",
            "--env",
            "DATABASE_URL=DATABASE_URL",
            "--",
            "npx",
            "-y",
            "app-mcp"
        ]
    );

    let after = sandbox.mcpctl().arg("scan").output().unwrap();
    let (stdout, stderr) = text(&after);
    assert_eq!(after.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("No plaintext secrets found"), "{stdout}");
    // Only the store holds the password: no client file, backup, state or
    // audit record in the sandbox does.
    for file in sandbox.all_files() {
        let content = String::from_utf8_lossy(&fs_err::read(&file).unwrap()).into_owned();
        assert!(
            !content.contains(&password),
            "`{}` holds the password",
            file.display()
        );
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn import_refuses_to_merge_different_values_without_a_name() {
    let test = "import_refuses_to_merge_different_values_without_a_name";
    if !crate::support::secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let a = planted("ghp_", 36, 30);
    let b = planted("ghp_", 36, 31);
    let entry = |token: &str| json!({"mcpServers": {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"GITHUB_TOKEN": token}}}});
    write(&sandbox.claude_json(), &entry(&a).to_string());
    write(
        &sandbox.home().join(".cursor/mcp.json"),
        &entry(&b).to_string(),
    );
    let (stdout, stderr) = import_fails(&sandbox);
    // miette wraps long lines; compare the words.
    let words = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains("`GITHUB_TOKEN` would hold two different values"),
        "{stderr}"
    );
    assert!(
        words.contains("--rename cursor/github/ GITHUB_TOKEN=NEW_NAME")
            || words.contains("--rename cursor/github/GITHUB_TOKEN=NEW_NAME"),
        "{stderr}"
    );
    assert!(!stdout.contains(&a) && !stderr.contains(&b) && !stderr.contains(&a));
    assert!(
        fs_err::read_to_string(sandbox.claude_json())
            .unwrap()
            .contains(&a),
        "nothing written"
    );

    run_ok(
        &sandbox,
        &[
            "import",
            "--auto-approve",
            "--rename",
            "cursor/github/GITHUB_TOKEN=GITHUB_TOKEN_CURSOR",
        ],
    );
    assert_eq!(stored(&sandbox, "GITHUB_TOKEN"), a);
    assert_eq!(stored(&sandbox, "GITHUB_TOKEN_CURSOR"), b);
    let cursor = fs_err::read_to_string(sandbox.home().join(".cursor/mcp.json")).unwrap();
    assert!(
        cursor.contains("GITHUB_TOKEN=GITHUB_TOKEN_CURSOR"),
        "{cursor}"
    );

    // The store now holds GITHUB_TOKEN: a new, different plaintext value of
    // that name collides with the store's.
    let c = planted("ghp_", 36, 32);
    write(
        &sandbox.home().join(".gemini/settings.json"),
        &entry(&c).to_string(),
    );
    let (_, stderr) = import_fails(&sandbox);
    assert!(stderr.contains("the credential store"), "{stderr}");
}

/// A Claude Code user file with the probe server and its token in plain
/// text; returns where the probe records what it received.
fn seed_probe(sandbox: &Sandbox, token: &str) -> std::path::PathBuf {
    let probe = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/probe-server.js");
    let probe_out = sandbox.root().join("probe-out.jsonl");
    write(
        &sandbox.claude_json(),
        &json!({"mcpServers": {"probe": {
            "type": "stdio",
            "command": "node",
            "args": [probe],
            "env": {"GITHUB_TOKEN": token, "PROBE_OUT": probe_out, "PROBE_VARS": "GITHUB_TOKEN"}
        }}})
        .to_string(),
    );
    probe_out
}

/// `claude mcp get probe` (which starts the server): its stdout, after
/// checking it connected.
fn claude_get_probe(sandbox: &Sandbox, cli: &Path, env: &[(&str, &str)]) -> String {
    let output = sandbox
        .program(cli)
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("MCP_TIMEOUT", "30000")
        .envs(env.iter().copied())
        .timeout(std::time::Duration::from_secs(120))
        .args(["mcp", "get", "probe"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(stdout.contains("Connected"), "{stdout}{stderr}");
    stdout
}

/// The GITHUB_TOKEN the probe server last received.
fn probe_received(probe_out: &Path) -> String {
    let seen = fs_err::read_to_string(probe_out).unwrap();
    let last: Value = serde_json::from_str(seen.lines().last().unwrap()).unwrap();
    last["GITHUB_TOKEN"].as_str().unwrap_or_default().to_owned()
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn imported_entry_still_starts_its_server_in_claude_code() {
    let test = "imported_entry_still_starts_its_server_in_claude_code";
    let Some(cli) = crate::support::client_cli(test, "MCPCTL_TEST_CLAUDE") else {
        return;
    };
    if !crate::support::secret_service(test) {
        return;
    }
    let token = planted("ghp_", 36, 40);

    // exec: Claude Code starts `mcpctl exec`, which reads the store.
    let sandbox = Sandbox::new();
    let probe_out = seed_probe(&sandbox, &token);
    run_ok(&sandbox, &["import", "--auto-approve"]);
    assert!(
        !fs_err::read_to_string(sandbox.claude_json())
            .unwrap()
            .contains(&token)
    );
    let stdout = claude_get_probe(&sandbox, &cli, &[]);
    assert!(
        stdout.contains("Args: exec --server probe --env GITHUB_TOKEN=GITHUB_TOKEN -- node"),
        "{stdout}"
    );
    assert!(!stdout.contains(&token), "{stdout}");
    assert_eq!(probe_received(&probe_out), token);

    // env-ref: the entry references the variable; Claude Code resolves it
    // from its environment (what the shell-profile block exports).
    let sandbox = Sandbox::new();
    let probe_out = seed_probe(&sandbox, &token);
    run_ok(
        &sandbox,
        &["import", "--auto-approve", "--delivery", "env-ref"],
    );
    let file: Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    assert_eq!(
        file["mcpServers"]["probe"]["env"]["GITHUB_TOKEN"],
        "${GITHUB_TOKEN}"
    );
    assert_eq!(file["mcpServers"]["probe"]["command"], "node");
    let exported = stored(&sandbox, "GITHUB_TOKEN");
    claude_get_probe(&sandbox, &cli, &[("GITHUB_TOKEN", &exported)]);
    assert_eq!(probe_received(&probe_out), token);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// A value that is only a password, under libpq's `PGPASSWORD` (the name
/// holds `PASSWORD` but is not that word): `scan` finds it, `import` moves
/// it into the store and the client file no longer holds it.
#[test]
fn a_pgpassword_is_found_and_imported() {
    let test = "a_pgpassword_is_found_and_imported";
    if !crate::support::secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let password = format!("{}7q", planted("", 14, 31));
    write(
        &sandbox.claude_json(),
        &serde_json::to_string_pretty(&serde_json::json!({"mcpServers": {"postgres": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://app@db.internal/app"],
            "env": {"PGPASSWORD": password}
        }}}))
        .unwrap(),
    );
    let scan = sandbox.mcpctl().args(["scan", "--json"]).output().unwrap();
    let found = findings(&scan);
    assert_eq!(found.len(), 1, "{found:?}");
    run_ok(&sandbox, &["import", "--auto-approve"]);
    assert_eq!(stored(&sandbox, "PGPASSWORD"), password);
    let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(!claude.contains(&password), "{claude}");
    let scan = sandbox.mcpctl().args(["scan", "--json"]).output().unwrap();
    assert!(findings(&scan).is_empty());
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// A connection string that mixes a reference the client expands with a
/// literal password (`postgresql://${DBUSER}:pw@…`) cannot move whole: the
/// store would hold `${DBUSER}` as text and the server would get it
/// unexpanded. `import` leaves it in place, saying why.
#[test]
fn import_leaves_a_connection_string_holding_a_reference_in_place() {
    let test = "import_leaves_a_connection_string_holding_a_reference_in_place";
    if !crate::support::secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let password = format!("{}7q", planted("", 14, 32));
    let claude = serde_json::to_string_pretty(&serde_json::json!({"mcpServers": {"postgres": {
        "command": "npx",
        "args": ["-y", "@modelcontextprotocol/server-postgres"],
        "env": {"DATABASE_URL": format!("postgresql://${{DBUSER}}:{password}@db.internal/app")}
    }}}))
    .unwrap();
    write(&sandbox.claude_json(), &claude);
    let output = run_ok(&sandbox, &["import", "--auto-approve"]);
    assert!(output.contains("Left in place"), "{output}");
    assert!(output.contains("`${DBUSER}`"), "{output}");
    assert!(!output.contains(&password), "{output}");
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        claude
    );
}
