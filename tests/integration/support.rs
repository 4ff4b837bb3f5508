//! The sandbox every integration test runs in.
//!
//! Each test gets its own HOME, XDG directories, APPDATA and CODEX_HOME in
//! a temp dir, and its own store account (`USER`), so tests never touch the
//! real home and never see each other's credentials in the shared,
//! throwaway Secret Service that `scripts/with-secret-service` starts.
//! Real components (the Secret Service, the client CLIs) are required when
//! `MCPCTL_TEST_REQUIRE_REAL=1` (set by CI); elsewhere a test that lacks one
//! says loudly that it was skipped.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub user: String,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("mcpctl-test-")
            .tempdir()
            .expect("temp dir");
        let user = format!(
            "mcpctl-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let sandbox = Sandbox { dir, user };
        for sub in [
            "home",
            "config",
            "state",
            "data",
            "cache",
            "appdata",
            "localappdata",
        ] {
            fs_err::create_dir_all(sandbox.dir.path().join(sub)).unwrap();
        }
        sandbox
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    pub fn claude_json(&self) -> PathBuf {
        self.home().join(".claude.json")
    }

    pub fn vscode_json(&self) -> PathBuf {
        self.root().join("config/Code/User/mcp.json")
    }

    pub fn codex_toml(&self) -> PathBuf {
        self.home().join(".codex/config.toml")
    }

    /// The environment every program in the sandbox runs with.
    pub fn env(&self) -> Vec<(String, String)> {
        let p = |sub: &str| self.root().join(sub).display().to_string();
        let mut env = vec![
            ("HOME".to_owned(), self.home().display().to_string()),
            ("USER".to_owned(), self.user.clone()),
            ("XDG_CONFIG_HOME".to_owned(), p("config")),
            ("XDG_STATE_HOME".to_owned(), p("state")),
            ("XDG_DATA_HOME".to_owned(), p("data")),
            ("XDG_CACHE_HOME".to_owned(), p("cache")),
            ("APPDATA".to_owned(), p("appdata")),
            ("LOCALAPPDATA".to_owned(), p("localappdata")),
            (
                "CODEX_HOME".to_owned(),
                self.home().join(".codex").display().to_string(),
            ),
            // Windows names home and user differently.
            ("USERPROFILE".to_owned(), self.home().display().to_string()),
            ("USERNAME".to_owned(), self.user.clone()),
            ("NO_COLOR".to_owned(), "1".to_owned()),
            ("RUST_BACKTRACE".to_owned(), "0".to_owned()),
            // The binary under test runs from cargo's target directory on
            // purpose; `prompts::entries_running_a_build_or_temporary_mcpctl_warn`
            // checks the warning.
            ("MCPCTL_ALLOW_UNSTABLE_PATH".to_owned(), "1".to_owned()),
        ];
        for inherited in [
            "PATH",
            "DBUS_SESSION_BUS_ADDRESS",
            "XDG_RUNTIME_DIR",
            // Windows processes need these to start programs at all.
            "SystemRoot",
            "PATHEXT",
            "ComSpec",
            "TEMP",
            "TMP",
            // Under Wine, a child's Unix environment is made from its
            // Windows one: without these it would start in another prefix.
            "WINEPREFIX",
            "WINEDEBUG",
            "WINEDLLOVERRIDES",
        ] {
            if let Ok(value) = std::env::var(inherited) {
                env.push((inherited.to_owned(), value));
            }
        }
        env
    }

    /// `mcpctl` with the sandbox environment and nothing else.
    pub fn mcpctl(&self) -> Command {
        // The binary itself: `Command::cargo_bin` would put cargo's target
        // runner in front, which under Wine is a Linux program.
        let mut cmd = Command::new(mcpctl_bin());
        cmd.env_clear().envs(self.env()).current_dir(self.root());
        cmd
    }

    /// A program other than mcpctl (a client CLI, `secret-tool`) in the
    /// sandbox environment.
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear().envs(self.env()).current_dir(self.root());
        cmd
    }

    /// Writes a manifest into the sandbox and returns its path.
    pub fn manifest(&self, text: &str) -> PathBuf {
        let dir = self.root().join("repo");
        fs_err::create_dir_all(&dir).unwrap();
        let path = dir.join("mcpctl.kdl");
        fs_err::write(&path, text).unwrap();
        path
    }

    /// `apply --auto-approve --secrets-from-env` with `GITHUB_TOKEN=token`;
    /// panics with the output when it fails.
    pub fn apply_with_token(&self, manifest: &Path, token: &str) {
        let output = self
            .mcpctl()
            .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
            .arg(manifest)
            .env("GITHUB_TOKEN", token)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stdout}{stderr}");
    }

    /// Every file under the sandbox, for leak checks.
    pub fn all_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut stack = vec![self.root().to_path_buf()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(path);
                } else if kind.is_file() {
                    files.push(path);
                }
            }
        }
        files
    }
}

/// The path of the mcpctl binary under test.
pub fn mcpctl_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("mcpctl")
}

/// Whether a real Secret Service is running for this test run.
pub fn secret_service(test: &str) -> bool {
    if std::env::var("MCPCTL_TEST_SECRET_SERVICE").as_deref() == Ok("1") {
        return true;
    }
    skip(
        test,
        "no Secret Service (run the tests through `scripts/test`)",
    );
    false
}

/// The path of a real client CLI (`MCPCTL_TEST_CLAUDE`, …), if installed.
pub fn client_cli(test: &str, var: &str) -> Option<PathBuf> {
    match std::env::var(var) {
        Ok(path) if Path::new(&path).exists() => Some(PathBuf::from(path)),
        _ => {
            skip(
                test,
                &format!("`{var}` does not name an installed client CLI"),
            );
            None
        }
    }
}

pub fn skip(test: &str, why: &str) {
    if std::env::var("MCPCTL_TEST_REQUIRE_REAL").as_deref() == Ok("1") {
        panic!("{test}: {why}, and MCPCTL_TEST_REQUIRE_REAL=1 forbids skipping");
    }
    eprintln!("SKIPPED {test}: {why}");
}

/// stdout and stderr of a finished command, as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fake secret that no real store, file or output should ever contain
/// after mcpctl handled it — except where it was meant to go.
pub fn canary(label: &str) -> String {
    format!("canary-{label}-{}-7f3a9c", std::process::id())
}
