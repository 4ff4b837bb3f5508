//! Credential sources besides the OS store — `pass` through `source
//! command`, `source env` — namespaces, and file credentials handed to a
//! server as a private temporary file.

#[cfg(unix)]
use std::path::{Path, PathBuf};

use crate::lifecycle::lookup;
use crate::support::{Sandbox, canary, secret_service, text};

/// Whether `pass` and `gpg` are installed (scripts/install-test-deps).
fn pass_installed(test: &str) -> bool {
    let found = ["pass", "gpg"].iter().all(|tool| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        let why = "`pass` or `gpg` is not installed (scripts/install-test-deps installs them)";
        if std::env::var("MCPCTL_TEST_REQUIRE_REAL").as_deref() == Ok("1") {
            panic!("{test}: {why}, and MCPCTL_TEST_REQUIRE_REAL=1 forbids skipping");
        }
        eprintln!("SKIPPED {test}: {why}");
    }
    found
}

/// A password store inside the sandbox, with a passphrase-less GPG key.
struct PassStore {
    env: Vec<(String, String)>,
}

impl PassStore {
    fn new(sandbox: &Sandbox) -> PassStore {
        let gnupg = sandbox.root().join("gnupg");
        fs_err::create_dir_all(&gnupg).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs_err::set_permissions(&gnupg, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let env = vec![
            ("GNUPGHOME".to_owned(), gnupg.display().to_string()),
            (
                "PASSWORD_STORE_DIR".to_owned(),
                sandbox.root().join("password-store").display().to_string(),
            ),
        ];
        let store = PassStore { env };
        store.run(
            sandbox,
            &[
                "gpg",
                "--batch",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
                "--quick-gen-key",
                "mcpctl test <t@example.invalid>",
                "default",
                "default",
                "never",
            ],
            None,
        );
        let keys = store.run(sandbox, &["gpg", "--list-keys", "--with-colons"], None);
        let fingerprint = keys
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|rest| rest.trim_matches(':').split(':').next_back())
            .expect("a fingerprint")
            .to_owned();
        store.run(sandbox, &["pass", "init", &fingerprint], None);
        store
    }

    fn insert(&self, sandbox: &Sandbox, name: &str, value: &str) {
        self.run(sandbox, &["pass", "insert", "-m", name], Some(value));
    }

    fn run(&self, sandbox: &Sandbox, argv: &[&str], stdin: Option<&str>) -> String {
        let output = sandbox
            .program(argv[0])
            .args(&argv[1..])
            .envs(self.env.clone())
            .write_stdin(stdin.unwrap_or_default())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{argv:?}: {stdout}{stderr}");
        stdout
    }
}

impl Drop for PassStore {
    fn drop(&mut self) {
        // The agent gpg started for the sandbox's GNUPGHOME.
        let _ = std::process::Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .envs(self.env.clone())
            .output();
    }
}

/// The `args` of the Claude Code entry for `server` after an apply.
fn entry_args(sandbox: &Sandbox, server: &str) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    json["mcpServers"][server]["args"]
        .as_array()
        .unwrap_or_else(|| panic!("no entry `{server}`: {json}"))
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// Runs an entry's `mcpctl exec …` arguments, but with `server_argv` as
/// the server, which reports what it received.
fn exec_entry(sandbox: &Sandbox, args: &[String], server_argv: &[&str]) -> assert_cmd::Command {
    let split = args.iter().position(|a| a == "--").unwrap();
    let mut cmd = sandbox.mcpctl();
    cmd.args(&args[..=split]).args(server_argv);
    cmd
}

fn manifest_with(credential: &str) -> String {
    format!(
        r#"mcpctl version=1
client claude-code
credential GITHUB_TOKEN {{
    kind personal-access-token
    {credential}
}}
server github {{
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}}
"#
    )
}

/// A diagnostic as one line: miette wraps and frames long messages.
fn flat(diagnostic: &str) -> String {
    diagnostic
        .replace(['│', '×', '╰', '─', '▶'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const PRINT_TOKEN: [&str; 3] = ["sh", "-c", "printf '%s' \"$GITHUB_PERSONAL_ACCESS_TOKEN\""];

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn pass_is_a_command_source_read_only_at_launch() {
    if !secret_service("pass_is_a_command_source_read_only_at_launch")
        || !pass_installed("pass_is_a_command_source_read_only_at_launch")
    {
        return;
    }
    let sandbox = Sandbox::new();
    let pass = PassStore::new(&sandbox);
    let token = canary("pass");
    pass.insert(&sandbox, "mcp/github", &format!("{token}\n"));
    let manifest = sandbox.manifest(&manifest_with(r#"source command pass show "mcp/github""#));

    // plan says where it is read, and does not run the command.
    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(plan.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("GITHUB_TOKEN: read at launch from `pass show mcp/github`"),
        "{stdout}"
    );
    assert!(!stdout.contains("will be stored"), "{stdout}");

    // apply writes the entry and never asks for or stores the value.
    let apply = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&apply);
    assert!(apply.status.success(), "{stdout}{stderr}");
    assert_eq!(
        lookup(&sandbox, "GITHUB_TOKEN"),
        "",
        "never in the OS store"
    );
    let args = entry_args(&sandbox, "github");
    assert!(
        args.contains(
            &r#"GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN:command:30s:["pass","show","mcp/github"]"#
                .to_owned()
        ),
        "{args:?}"
    );

    // exec runs `pass` and hands the value (without pass's newline) over.
    let out = exec_entry(&sandbox, &args, &PRINT_TOKEN)
        .envs(pass.env.clone())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, token);
    let audit = fs_err::read_to_string(sandbox.root().join("state/mcpctl/audit.jsonl")).unwrap();
    assert!(audit.contains("from `pass show mcp/github`"), "{audit}");

    for file in sandbox.all_files() {
        if file.starts_with(sandbox.root().join("password-store"))
            || file.starts_with(sandbox.root().join("gnupg"))
        {
            continue;
        }
        let bytes = fs_err::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "{} holds the value",
            file.display()
        );
    }

    // A missing entry: the error names the command and pass's reason.
    let missing = sandbox.manifest(&manifest_with(r#"source command pass show "mcp/missing""#));
    sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&missing)
        .assert()
        .success();
    let args = entry_args(&sandbox, "github");
    let out = exec_entry(&sandbox, &args, &PRINT_TOKEN)
        .envs(pass.env.clone())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    let stderr = flat(&stderr);
    assert!(!out.status.success());
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("server `github` needs credential `GITHUB_TOKEN`, read from `pass show")
            && stderr.contains("`pass show mcp/missing` failed")
            && stderr.contains("mcp/missing is not in the password store"),
        "{stderr}"
    );
    assert!(!stderr.contains(&token), "{stderr}");
}

// Unix only: runs `sleep`.
#[cfg(unix)]
#[test]
fn a_command_that_hangs_is_stopped_and_named() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .mcpctl()
        .args([
            "exec",
            "--server",
            "github",
            "--env",
            r#"T=GITHUB_TOKEN:command:1s:["sleep","20"]"#,
            "--",
            "true",
        ])
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .unwrap();
    let stderr = flat(&text(&out).1);
    assert!(!out.status.success());
    assert!(
        stderr.contains("`sleep 20` did not finish within 1 s and was stopped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("timeout="),
        "the hint names the fix: {stderr}"
    );
}

/// A secret manager that fails may print what it holds on stderr (a
/// partial read, a debug line): the error `exec` prints — into the
/// client's log — quotes that stderr with every secret the detector finds
/// hidden, and the audit record holds none of it.
// Unix only: runs `sh`.
#[cfg(unix)]
#[test]
fn a_failing_command_source_has_its_stderr_redacted() {
    let sandbox = Sandbox::new();
    let token = format!("ghp_{}", canary("stderr-token").replace(['-', '_'], "x"));
    let token = format!("{token:x<40.40}");
    let password = "k8Jd7sP2qL9xWz4RmT6vB3nY";
    let script = sandbox.root().join("failing-vault.sh");
    fs_err::write(
        &script,
        format!(
            "echo \"cannot decrypt {token}\" >&2\necho \"DB_PASSWORD={password}\" >&2\nexit 1\n"
        ),
    )
    .unwrap();
    let binding = format!(r#"T=GITHUB_TOKEN:command:5s:["sh","{}"]"#, script.display());
    let out = sandbox
        .mcpctl()
        .args([
            "exec", "--server", "github", "--env", &binding, "--", "true",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let (stdout, stderr) = text(&out);
    let stderr = flat(&stderr);
    assert!(stderr.contains("failed (exit status: 1)"), "{stderr}");
    assert!(
        stderr.contains("cannot decrypt ghp_… (40 chars)"),
        "{stderr}"
    );
    for value in [&token[4..], password] {
        assert!(
            !stdout.contains(value) && !stderr.contains(value),
            "{stderr}"
        );
        for file in sandbox.all_files() {
            let content = fs_err::read(&file).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&content).contains(value) || file == script,
                "{} holds it",
                file.display()
            );
        }
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn plan_and_apply_never_run_the_command() {
    if !secret_service("plan_and_apply_never_run_the_command") {
        return;
    }
    let sandbox = Sandbox::new();
    let marker = sandbox.root().join("command-ran");
    let script = sandbox.root().join("secret-manager.sh");
    fs_err::write(
        &script,
        format!("#!/bin/sh\ntouch '{}'\necho value\n", marker.display()),
    )
    .unwrap();
    let manifest = sandbox.manifest(&manifest_with(&format!(
        "source command sh \"{}\"",
        script.display()
    )));
    sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .assert()
        .success();
    sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .assert()
        .success();
    assert!(!marker.exists(), "plan or apply ran the secret manager");
    let args = entry_args(&sandbox, "github");
    exec_entry(&sandbox, &args, &PRINT_TOKEN)
        .assert()
        .success()
        .stdout("value");
    assert!(marker.exists(), "exec runs it");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn env_source_reads_the_variable_at_launch() {
    if !secret_service("env_source_reads_the_variable_at_launch") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(&manifest_with("source env var=CI_GITHUB_TOKEN"));
    let plan = |set: bool| {
        let mut cmd = sandbox.mcpctl();
        cmd.args(["plan", "-f"]).arg(&manifest);
        if set {
            cmd.env("CI_GITHUB_TOKEN", "x");
        }
        text(&cmd.output().unwrap()).0
    };
    assert!(
        plan(true)
            .contains("read at launch from environment variable `CI_GITHUB_TOKEN` (set here)"),
        "{}",
        plan(true)
    );
    assert!(
        plan(false).contains("which is not set here"),
        "{}",
        plan(false)
    );

    sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .assert()
        .success();
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), "");
    let args = entry_args(&sandbox, "github");
    let token = canary("env-source");
    exec_entry(&sandbox, &args, &PRINT_TOKEN)
        .env("CI_GITHUB_TOKEN", &token)
        .assert()
        .success()
        .stdout(token);
    let out = exec_entry(&sandbox, &args, &PRINT_TOKEN).output().unwrap();
    let (_, stderr) = text(&out);
    assert!(
        !out.status.success()
            && stderr.contains("environment variable `CI_GITHUB_TOKEN` is not set"),
        "{stderr}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn a_namespace_keeps_its_own_store_entries() {
    if !secret_service("a_namespace_keeps_its_own_store_entries") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(&manifest_with(r#"namespace "team-a""#));
    let token = canary("namespaced");
    sandbox.apply_with_token(&manifest, &token);
    assert_eq!(lookup(&sandbox, "team-a/GITHUB_TOKEN"), token);
    assert_eq!(
        lookup(&sandbox, "GITHUB_TOKEN"),
        "",
        "the bare name stays free"
    );
    let args = entry_args(&sandbox, "github");
    assert!(
        args.contains(&"GITHUB_PERSONAL_ACCESS_TOKEN=team-a/GITHUB_TOKEN".to_owned()),
        "{args:?}"
    );
    exec_entry(&sandbox, &args, &PRINT_TOKEN)
        .assert()
        .success()
        .stdout(token.clone());
    // The audit trail names the credential, so alert rules still match.
    let audit = fs_err::read_to_string(sandbox.root().join("state/mcpctl/audit.jsonl")).unwrap();
    assert!(audit.contains(r#""target":"GITHUB_TOKEN""#), "{audit}");
    let plan = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan).0);
}

#[cfg(unix)]
fn kube_manifest() -> &'static str {
    r#"mcpctl version=1
client claude-code
credential KUBECONFIG {
    kind file
    description "kubeconfig of the staging cluster"
}
server k8s {
    command npx -y mcp-server-kubernetes
    credential KUBECONFIG
}
"#
}

#[cfg(unix)]
/// A server script that reports the file it was given, then exits 7.
fn file_reporter(report: &Path) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!(
            "stat -L -c '%a' \"$KUBECONFIG\" > '{0}'; echo \"$KUBECONFIG\" >> '{0}'; cat \"$KUBECONFIG\" >> '{0}'; exit 7",
            report.display()
        ),
    ]
}

#[cfg(unix)]
#[test]
fn a_file_credential_reaches_the_server_as_a_private_file() {
    if !secret_service("a_file_credential_reaches_the_server_as_a_private_file") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(kube_manifest());
    let content = format!("apiVersion: v1\nkind: Config\ntoken: {}\n", canary("kube"));
    let source = sandbox.root().join("downloaded-kubeconfig");
    fs_err::write(&source, &content).unwrap();
    let out = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("KUBECONFIG", &source)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(lookup(&sandbox, "KUBECONFIG"), content.trim_end());
    let args = entry_args(&sandbox, "k8s");
    assert!(
        args.windows(2)
            .any(|w| w[0] == "--file" && w[1] == "KUBECONFIG=KUBECONFIG"),
        "{args:?}"
    );

    let report = sandbox.root().join("report");
    let server: Vec<String> = file_reporter(&report);
    let server: Vec<&str> = server.iter().map(String::as_str).collect();
    let out = exec_entry(&sandbox, &args, &server).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(7),
        "the server's exit code: {:?}",
        text(&out)
    );
    let report = fs_err::read_to_string(&report).unwrap();
    let mut lines = report.lines();
    assert_eq!(lines.next(), Some("600"));
    let path = PathBuf::from(lines.next().unwrap());
    assert!(!path.starts_with(sandbox.root().join("repo")));
    // Linux: a memory file of the supervisor's, never on disk.
    #[cfg(target_os = "linux")]
    assert!(path.starts_with("/proc/"), "{}", path.display());
    assert_eq!(lines.collect::<Vec<_>>().join("\n") + "\n", content);
    assert!(!path.exists(), "removed when the server exits");
    assert!(!path.parent().unwrap().exists());
}

#[cfg(unix)]
#[test]
fn exec_forwards_termination_to_the_server_and_cleans_up() {
    use std::time::{Duration, Instant};
    let sandbox = Sandbox::new();
    let dir = sandbox.root().join("kube");
    fs_err::create_dir_all(&dir).unwrap();
    let started = dir.join("started");
    let got = dir.join("got-term");
    let script = format!(
        "trap 'echo TERM > \"{got}\"; exit 5' TERM; echo \"$KUBECONFIG\" > \"{started}\"; while :; do sleep 0.1; done",
        got = got.display(),
        started = started.display()
    );
    // The file comes from the environment source, so no store is needed.
    let mut child = std::process::Command::new(crate::support::mcpctl_bin())
        .env_clear()
        .envs(sandbox.env())
        .env("KUBE_CONTENT", "apiVersion: v1\n")
        .args([
            "exec",
            "--server",
            "k8s",
            "--file",
            "KUBECONFIG=KUBECONFIG:env:KUBE_CONTENT",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let path = PathBuf::from(fs_err::read_to_string(&started).unwrap().trim());
    assert!(path.exists());
    // SAFETY: signalling the child we spawned.
    unsafe { libc_kill(child.id() as i32, 15) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5), "the server's own exit code");
    assert_eq!(fs_err::read_to_string(&got).unwrap().trim(), "TERM");
    assert!(!path.exists(), "the file is removed after the server exits");
}

#[cfg(unix)]
unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

/// A supervised server of a store-backed file credential, started the way
/// a client starts it, with its own `$XDG_RUNTIME_DIR` in the sandbox.
#[cfg(target_os = "linux")]
struct FileServer {
    supervisor: std::process::Child,
    /// The server's report: its pid, signal mask, the path it got and a
    /// digest of what it read there.
    pid: i32,
    sig_blocked: String,
    path: PathBuf,
    digest: String,
    got_term: PathBuf,
    runtime: PathBuf,
    content: String,
}

#[cfg(target_os = "linux")]
impl FileServer {
    fn start(sandbox: &Sandbox) -> FileServer {
        use std::os::unix::fs::PermissionsExt;
        use std::time::{Duration, Instant};
        let manifest = sandbox.manifest(kube_manifest());
        let content = format!("apiVersion: v1\nkind: Config\ntoken: {}\n", canary("sig"));
        let source = sandbox.root().join("downloaded-kubeconfig");
        fs_err::write(&source, &content).unwrap();
        let out = sandbox
            .mcpctl()
            .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
            .arg(&manifest)
            .env("KUBECONFIG", &source)
            .output()
            .unwrap();
        assert!(out.status.success(), "{:?}", text(&out));
        fs_err::remove_file(&source).unwrap();
        let runtime = sandbox.root().join("run");
        fs_err::create_dir_all(&runtime).unwrap();
        fs_err::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();

        let dir = sandbox.root().join("server");
        fs_err::create_dir_all(&dir).unwrap();
        let report = dir.join("report");
        let got_term = dir.join("got-term");
        // The shell reads its own mask with a builtin: a `grep` it forks
        // could catch it while it blocks every signal around the fork.
        let script = format!(
            "trap 'echo TERM > \"{got}\"; exit 5' TERM
{{ echo $$; while read -r key value; do [ \"$key\" = SigBlk: ] && echo \"$value\"; done < /proc/$$/status; echo \"$KUBECONFIG\"; sha256sum < \"$KUBECONFIG\" | cut -d' ' -f1; }} > \"{report}.tmp\"
mv \"{report}.tmp\" \"{report}\"
while :; do sleep 0.1; done",
            got = got_term.display(),
            report = report.display(),
        );
        let args = entry_args(sandbox, "k8s");
        let split = args.iter().position(|a| a == "--").unwrap();
        let supervisor = std::process::Command::new(crate::support::mcpctl_bin())
            .env_clear()
            .envs(sandbox.env())
            .env("XDG_RUNTIME_DIR", &runtime)
            .current_dir(sandbox.root())
            .args(&args[..=split])
            .args(["sh", "-c", &script])
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !report.exists() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let text = fs_err::read_to_string(&report).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        FileServer {
            supervisor,
            pid: lines[0].parse().unwrap(),
            sig_blocked: lines[1].to_owned(),
            path: PathBuf::from(lines[2]),
            digest: lines[3].to_owned(),
            got_term,
            runtime,
            content,
        }
    }

    /// Waits (at most 10 s) for the supervisor to exit.
    fn wait(&mut self) -> std::process::ExitStatus {
        use std::time::{Duration, Instant};
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.supervisor.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.supervisor.kill();
                // SAFETY: ending the server this test started.
                unsafe { libc_kill(self.pid, 9) };
                panic!("the supervisor did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server still runs (a zombie nobody reaps has ended).
    fn server_alive(&self) -> bool {
        fs_err::read_to_string(format!("/proc/{}/stat", self.pid))
            .ok()
            .and_then(|stat| {
                let state = stat.rsplit_once(") ")?.1.chars().next()?;
                Some(state != 'Z' && state != 'X')
            })
            .unwrap_or(false)
    }

    /// Asserts that the value is nowhere on disk: not in the runtime
    /// directory (which holds nothing at all), the sandbox or the temp
    /// directory's `mcpctl-*` entries.
    fn assert_no_plaintext(&self, sandbox: &Sandbox) {
        let left: Vec<_> = fs_err::read_dir(&self.runtime)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(left.is_empty(), "left in the runtime dir: {left:?}");
        let token = canary("sig");
        for file in sandbox.all_files() {
            let bytes = fs_err::read(&file).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&token),
                "the value leaked into {}",
                file.display()
            );
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_reaches_a_file_credential_server_and_nothing_remains() {
    use sha2::Digest;
    if !secret_service("sigterm_reaches_a_file_credential_server_and_nothing_remains") {
        return;
    }
    let sandbox = Sandbox::new();
    let mut server = FileServer::start(&sandbox);
    assert_eq!(
        server.sig_blocked, "0000000000000000",
        "the server starts with no blocked signal"
    );
    assert_eq!(
        server.digest,
        format!("{:x}", sha2::Sha256::digest(server.content.as_bytes())),
        "the server read the value"
    );
    // Linux: a memory file, named through the supervisor's descriptors.
    assert!(
        server
            .path
            .starts_with(format!("/proc/{}/fd", server.supervisor.id())),
        "{}",
        server.path.display()
    );
    // SAFETY: signalling the supervisor this test started.
    unsafe { libc_kill(server.supervisor.id() as i32, 15) };
    let status = server.wait();
    assert_eq!(status.code(), Some(5), "the server's own exit code");
    assert_eq!(
        fs_err::read_to_string(&server.got_term).unwrap().trim(),
        "TERM",
        "SIGTERM was forwarded to the server"
    );
    assert!(!server.server_alive());
    assert!(!server.path.exists());
    server.assert_no_plaintext(&sandbox);
}

#[cfg(target_os = "linux")]
#[test]
fn sigkill_of_the_supervisor_ends_the_server_and_leaves_no_plaintext() {
    use std::time::{Duration, Instant};
    if !secret_service("sigkill_of_the_supervisor_ends_the_server_and_leaves_no_plaintext") {
        return;
    }
    let sandbox = Sandbox::new();
    let mut server = FileServer::start(&sandbox);
    // SAFETY: killing the supervisor this test started.
    unsafe { libc_kill(server.supervisor.id() as i32, 9) };
    server.wait();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.server_alive() {
        if Instant::now() > deadline {
            // SAFETY: ending the orphan this test started.
            unsafe { libc_kill(server.pid, 9) };
            panic!("the server outlived its killed supervisor");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!server.got_term.exists(), "killed, not asked");
    server.assert_no_plaintext(&sandbox);
}

/// A secret-file directory that a killed supervisor left (on macOS, or on
/// a Linux without memfd) is removed by the next mcpctl start of any
/// command; one whose supervisor still holds its lock is kept.
#[cfg(unix)]
#[test]
fn leftovers_of_dead_supervisors_are_swept_and_live_ones_kept() {
    let sandbox = Sandbox::new();
    let runtime = sandbox.root().join("run");
    let temp = sandbox.root().join("tmp");
    let token = canary("leftover");
    let leftover = |base: &Path, name: &str| -> (PathBuf, std::fs::File) {
        let dir = base.join(name);
        fs_err::create_dir_all(&dir).unwrap();
        fs_err::write(dir.join("KUBECONFIG"), &token).unwrap();
        let lock = fs_err::File::create(dir.join(".lock"))
            .unwrap()
            .into_parts()
            .0;
        (dir, lock)
    };
    let (dead, lock) = leftover(&runtime, "mcpctl-file-dead01");
    drop(lock);
    let (dead_in_temp, lock) = leftover(&temp, "mcpctl-file-dead02");
    drop(lock);
    let (live, lock) = leftover(&runtime, "mcpctl-file-live01");
    lock.lock().unwrap();
    // Not a secret-file directory, and one still being set up.
    let (other, _) = leftover(&runtime, "mcpctl-test-other");
    let setting_up = runtime.join("mcpctl-file-new001");
    fs_err::create_dir_all(&setting_up).unwrap();

    let out = sandbox
        .mcpctl()
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("TMPDIR", &temp)
        .args(["catalog"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(!dead.exists() && !dead_in_temp.exists(), "swept");
    assert!(
        live.join("KUBECONFIG").exists(),
        "a live supervisor's file is kept"
    );
    assert!(other.exists() && setting_up.exists());
    drop(lock);
}

/// A client that gives up while mcpctl still reads the credentials (a
/// slow secret manager) stops it there: the server is never started and
/// mcpctl leaves as the signal asked, with nothing left behind.
#[cfg(unix)]
#[test]
fn a_signal_before_the_server_starts_stops_exec_without_starting_it() {
    use std::time::Duration;
    let sandbox = Sandbox::new();
    let runtime = sandbox.root().join("run");
    fs_err::create_dir_all(&runtime).unwrap();
    let reading = sandbox.root().join("reading");
    let started = sandbox.root().join("started");
    let slow = format!(
        r#"SLOW:command:30s:["sh","-c","touch '{}'; sleep 1; echo value"]"#,
        reading.display()
    );
    let mut child = std::process::Command::new(crate::support::mcpctl_bin())
        .env_clear()
        .envs(sandbox.env())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("KUBE_CONTENT", canary("early"))
        .args([
            "exec",
            "--server",
            "k8s",
            "--file",
            "KUBECONFIG=KUBECONFIG:env:KUBE_CONTENT",
            "--env",
        ])
        .arg(format!("SLOW={slow}"))
        .args(["--", "touch"])
        .arg(&started)
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !reading.exists() {
        assert!(std::time::Instant::now() < deadline, "no read began");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: signalling the child we spawned.
    unsafe { libc_kill(child.id() as i32, 15) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15));
    assert!(!started.exists(), "the server was not started");
    assert_eq!(fs_err::read_dir(&runtime).unwrap().count(), 0);
}
