//! The questions mcpctl asks on a terminal, driven through a real pty
//! (python3's `pty`/`termios`): Ctrl-C at the hidden value prompt, past
//! expiry dates, the no-Secret-Service hint's command typed as printed.

#[cfg(unix)]
use std::ffi::OsString;
#[cfg(unix)]
use std::path::Path;
#[cfg(unix)]
use std::process::Command as StdCommand;

use crate::lifecycle::MANIFEST;
#[cfg(unix)]
use crate::lifecycle::lookup;
#[cfg(unix)]
use crate::support::mcpctl_bin;
use crate::support::{Sandbox, text};
#[cfg(unix)]
use crate::support::{canary, secret_service, skip};

#[cfg(unix)]
/// Runs argv on a new pty as its controlling terminal, follows `steps`
/// (`["expect", TEXT]` waits for TEXT in the output, `["send", TEXT]`
/// types it) and prints JSON: exit code (negative: killed by that signal),
/// everything the terminal showed, and whether the terminal echoes
/// afterwards.
const PTY_DRIVER: &str = r#"
import json, os, select, signal, subprocess, sys, termios, fcntl, time
steps = json.loads(sys.argv[1])
master, slave = os.openpty()
def own_terminal():
    # A job started in the background by a non-interactive shell (as a CI
    # runner may start the tests) inherits SIGINT and SIGQUIT ignored, and a
    # shell cannot trap a signal ignored on entry: a person's terminal
    # delivers them.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
child = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave,
                         preexec_fn=own_terminal, close_fds=True)
seen = b""
def pump(timeout):
    global seen
    ready, _, _ = select.select([master], [], [], timeout)
    if ready:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return False
        seen += chunk
        return bool(chunk)
    return True
for kind, text in steps:
    if kind == "expect":
        deadline = time.time() + 30
        while text.encode() not in seen:
            if time.time() > deadline or child.poll() is not None and not pump(0.1):
                print(json.dumps({"rc": child.poll(), "output": seen.decode(errors="replace"),
                                  "echo": None, "stuck_at": text}))
                child.kill()
                sys.exit(0)
            pump(0.1)
        time.sleep(0.2)
    else:
        os.write(master, text.encode())
deadline = time.time() + 30
while child.poll() is None and time.time() < deadline:
    pump(0.1)
while pump(0.1) and select.select([master], [], [], 0)[0]:
    pass
if child.poll() is None:
    child.kill()
# A process the child left behind (a shell's trap) may still be restoring
# the terminal: the state that counts is the one it settles in.
deadline = time.time() + 3
while not termios.tcgetattr(slave)[3] & termios.ECHO and time.time() < deadline:
    time.sleep(0.05)
attrs = termios.tcgetattr(slave)
print(json.dumps({"rc": child.wait(), "output": seen.decode(errors="replace"),
                  "echo": bool(attrs[3] & termios.ECHO), "stuck_at": None}))
"#;

#[cfg(unix)]
pub struct PtyRun {
    pub rc: Option<i64>,
    pub output: String,
    pub echo: Option<bool>,
    pub stuck_at: Option<String>,
}

#[cfg(unix)]
/// mcpctl `args` on a pty in the sandbox, following `steps`; `None` when
/// python3 is missing (said loudly).
pub fn on_pty(
    sandbox: &Sandbox,
    test: &str,
    steps: &[(&str, &str)],
    args: &[&str],
) -> Option<PtyRun> {
    let mut argv = vec![mcpctl_bin().into_os_string()];
    argv.extend(args.iter().map(OsString::from));
    program_on_pty(sandbox, &sandbox.env(), test, steps, &argv)
}

#[cfg(unix)]
/// `argv` on a pty with exactly `env`, following `steps`.
pub fn program_on_pty(
    sandbox: &Sandbox,
    env: &[(String, String)],
    test: &str,
    steps: &[(&str, &str)],
    argv: &[OsString],
) -> Option<PtyRun> {
    if StdCommand::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        skip(test, "python3 is needed to drive a pty");
        return None;
    }
    let steps = serde_json::to_string(steps).unwrap();
    let out = StdCommand::new("python3")
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(sandbox.root())
        .args(["-c", PTY_DRIVER, &steps])
        .args(argv)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "pty driver failed: {stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    Some(PtyRun {
        rc: report["rc"].as_i64(),
        output: report["output"].as_str().unwrap().replace("\r\n", "\n"),
        echo: report["echo"].as_bool(),
        stuck_at: report["stuck_at"].as_str().map(str::to_owned),
    })
}

#[cfg(unix)]
fn manifest_arg(manifest: &Path) -> &str {
    manifest.to_str().unwrap()
}

#[cfg(unix)]
#[test]
fn ctrl_c_at_the_hidden_prompt_restores_the_terminal_and_says_so() {
    let test = "ctrl_c_at_the_hidden_prompt_restores_the_terminal_and_says_so";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    for args in [
        vec!["apply", "--auto-approve", "-f", manifest_arg(&manifest)],
        vec!["rotate", "GITHUB_TOKEN", "-f", manifest_arg(&manifest)],
    ] {
        let Some(run) = on_pty(
            &sandbox,
            test,
            &[
                ("expect", "GITHUB_TOKEN (input hidden): "),
                ("send", "\x03"),
            ],
            &args,
        ) else {
            return;
        };
        let shown = &run.output;
        assert_eq!(run.stuck_at, None, "{shown}");
        assert_eq!(
            run.echo,
            Some(true),
            "{args:?}: the terminal's echo stayed off\n{shown}"
        );
        assert_eq!(run.rc, Some(130), "{args:?}: {shown}");
        // On a line of its own, not after the prompt.
        assert!(
            shown.contains("GITHUB_TOKEN (input hidden): \ncancelled; nothing was changed\n"),
            "{args:?}: {shown:?}"
        );
        assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), "", "{args:?}");
    }
    assert!(
        !sandbox.claude_json().exists(),
        "apply wrote a client file after Ctrl-C"
    );
}

#[test]
fn a_past_expiry_date_is_refused() {
    // `rotate --expires`: refused before the store or the manifest is read.
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let out = sandbox
        .mcpctl()
        .args([
            "rotate",
            "GITHUB_TOKEN",
            "--from-stdin",
            "--expires",
            "2001-01-01",
            "-f",
        ])
        .arg(&manifest)
        .write_stdin("value\n")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("`2001-01-01` is in the past"), "{stderr}");
    assert!(
        !sandbox.root().join("state/mcpctl/state.json").exists(),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn apply_asks_again_for_a_past_expiry_date() {
    let test = "apply_asks_again_for_a_past_expiry_date";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("past-expiry");
    let question = "When does the provider expire `GITHUB_TOKEN`?";
    let typed = format!("{token}\n");
    let Some(run) = on_pty(
        &sandbox,
        test,
        &[
            ("expect", "GITHUB_TOKEN (input hidden): "),
            ("send", &typed),
            ("expect", question),
            ("send", "2001-01-01\n"),
            ("expect", "is in the past"),
            ("expect", question),
            ("send", "\n"),
        ],
        &["apply", "--auto-approve", "-f", manifest_arg(&manifest)],
    ) else {
        return;
    };
    let shown = &run.output;
    assert_eq!(run.stuck_at, None, "{shown}");
    assert_eq!(run.rc, Some(0), "{shown}");
    assert!(shown.contains("`2001-01-01` is in the past"), "{shown}");
    assert_eq!(shown.matches(question).count(), 2, "{shown}");
    assert!(
        !shown.contains(&token),
        "the hidden value was echoed: {shown}"
    );
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), token);
    let state = fs_err::read_to_string(sandbox.root().join("state/mcpctl/state.json")).unwrap();
    assert!(!state.contains("2001-01-01"), "{state}");
}

#[cfg(unix)]
/// The environment of a machine with no D-Bus session bus: the sandbox's,
/// without the bus the test run has, with a runtime directory of its own
/// and without `USER` (the store account then comes from the uid).
fn no_bus_env(sandbox: &Sandbox) -> Vec<(String, String)> {
    let run = sandbox.root().join("run");
    fs_err::create_dir_all(&run).unwrap();
    std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let mut env: Vec<(String, String)> = sandbox
        .env()
        .into_iter()
        .filter(|(k, _)| {
            ![
                "DBUS_SESSION_BUS_ADDRESS",
                "XDG_RUNTIME_DIR",
                "USER",
                "USERNAME",
            ]
            .contains(&k.as_str())
        })
        .collect();
    env.push(("XDG_RUNTIME_DIR".to_owned(), run.display().to_string()));
    env
}

/// The team example without a session bus and without `USER`: the plan
/// runs, says why the store is unknown (on stdout, at the end), and the
/// hint gives a command; that command, typed as the hint prints it on a
/// terminal with a password, gives a store in which `apply` stores a value
/// and `plan` then finds it.
#[cfg(unix)]
#[test]
fn the_no_secret_service_hint_works_as_written() {
    let test = "the_no_secret_service_hint_works_as_written";
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        let found = StdCommand::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            skip(test, &format!("`{tool}` is not installed"));
            return;
        }
    }
    let sandbox = Sandbox::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/team/mcpctl.kdl");
    let manifest = sandbox.manifest(&fs_err::read_to_string(&example).unwrap());
    let env = no_bus_env(&sandbox);
    let plan = sandbox
        .mcpctl()
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["plan", "-f"])
        .arg(&manifest)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(plan.status.success(), "{stdout}{stderr}");
    assert!(
        !stderr.contains("USER") && !stdout.contains("USER"),
        "{stdout}{stderr}"
    );
    assert!(
        stdout.contains("! GITHUB_TOKEN: store unavailable\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "\nThe Secret Service cannot be reached: no D-Bus session bus is running here ("
        ),
        "{stdout}"
    );
    assert!(stdout.contains("(the hint on stderr says how)"), "{stdout}");
    assert!(
        stderr.contains(
            "warning: the Secret Service cannot be reached: no D-Bus session bus is running here"
        ),
        "{stderr}"
    );
    let recipe = stderr
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("dbus-run-session "))
        .unwrap_or_else(|| panic!("no command in the hint: {stderr}"))
        .to_owned();

    // Ctrl-C at its password question leaves the terminal as it was.
    let Some(run) = program_on_pty(
        &sandbox,
        &env,
        test,
        &[("expect", "keyring password: "), ("send", "\x03")],
        &["sh".into(), "-c".into(), recipe.clone().into()],
    ) else {
        return;
    };
    assert_eq!(run.stuck_at, None, "{}", run.output);
    assert!(
        matches!(run.rc, Some(rc) if rc != -9),
        "{:?} {}",
        run.rc,
        run.output
    );
    assert_eq!(
        run.echo,
        Some(true),
        "echo stayed off after Ctrl-C: {}",
        run.output
    );

    // The user's shell, as the recipe's `exec "${SHELL:-/bin/sh}"` starts it.
    let mut env = env;
    env.push(("SHELL".to_owned(), "/bin/sh".to_owned()));
    let token = canary("recipe");
    for name in [
        "AZURE_DEVOPS_PAT",
        "DATABASE_URL",
        "GITHUB_TOKEN",
        "SENTRY_AUTH_TOKEN",
        "SLACK_TOKEN",
    ] {
        env.push((name.to_owned(), token.clone()));
    }
    let password = canary("keyring-password");
    let typed_password = format!("{password}\n");
    let bin = mcpctl_bin();
    let session = format!(
        "'{bin}' apply --auto-approve --secrets-from-env -f '{m}' && '{bin}' plan -f '{m}' && echo RECIPE-DONE; exit\n",
        bin = bin.display(),
        m = manifest.display()
    );
    let Some(run) = program_on_pty(
        &sandbox,
        &env,
        test,
        &[
            ("expect", "keyring password: "),
            ("send", &typed_password),
            ("send", &session),
            ("expect", "RECIPE-DONE\r\n"),
        ],
        &["sh".into(), "-c".into(), recipe.clone().into()],
    ) else {
        return;
    };
    let shown = &run.output;
    assert_eq!(run.stuck_at, None, "{recipe}\n{shown}");
    assert_eq!(run.rc, Some(0), "{shown}");
    assert!(
        !shown.contains(&password),
        "the password was echoed: {shown}"
    );
    assert!(!shown.contains(&token), "{shown}");
    assert!(
        shown.contains("stored `GITHUB_TOKEN` in the Secret Service"),
        "{shown}"
    );
    assert!(shown.contains("= GITHUB_TOKEN: present"), "{shown}");
    assert!(!shown.contains("store unavailable"), "{shown}");
}

/// `cargo run -- plan` (the binary in cargo's target directory) and a
/// binary in the temporary directory: the plan warns that the entries it
/// writes run a path that will not stay, and names where to install it.
// Unix only: expects Linux paths in the hint.
#[cfg(unix)]
#[test]
fn entries_running_a_build_or_temporary_mcpctl_warn() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
credential GITHUB_TOKEN {
    kind personal-access-token
    source env
}
server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
"#,
    );
    let plan = |program: &Path| {
        let out = sandbox
            .program(program)
            .env_remove("MCPCTL_ALLOW_UNSTABLE_PATH")
            .args(["plan", "-f"])
            .arg(&manifest)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}{stderr}");
        stderr
    };
    let bin = mcpctl_bin().canonicalize().unwrap();
    let stderr = plan(&bin);
    assert!(
        stderr.contains(&format!(
            "warning: the client entries in this plan run `{}`, in a cargo build directory",
            bin.display()
        )),
        "{stderr}"
    );
    // The checkout is named when the build directory is inside it;
    // with CARGO_TARGET_DIR elsewhere mcpctl cannot tell which it is.
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap();
    let install = if bin.starts_with(&checkout) {
        format!("`cargo install --locked --path {}`", checkout.display())
    } else {
        "`cargo install --locked --path .` in your mcpctl checkout".to_owned()
    };
    let installed = if cfg!(windows) {
        "~/.cargo\\bin\\mcpctl.exe"
    } else {
        "~/.cargo/bin/mcpctl"
    };
    assert!(
        stderr.contains(&format!(
            "hint: install mcpctl with {install} (it goes to `{installed}`)"
        )),
        "{stderr}"
    );

    // A copy in the temporary directory (the sandbox is in it).
    let copy = sandbox
        .root()
        .join(format!("mcpctl{}", std::env::consts::EXE_SUFFIX));
    fs_err::copy(&bin, &copy).unwrap();
    let stderr = plan(&copy);
    assert!(
        stderr.contains("in the temporary directory") && stderr.contains("`~/.local/bin/mcpctl`"),
        "{stderr}"
    );

    // Nothing that runs mcpctl is written: nothing to warn about.
    let http = sandbox.manifest(
        "mcpctl version=1\nclient claude-code\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n",
    );
    let out = sandbox
        .mcpctl()
        .env_remove("MCPCTL_ALLOW_UNSTABLE_PATH")
        .args(["plan", "-f"])
        .arg(&http)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// Ctrl-C at "Apply these changes?" says so too, on a line of its own.
#[cfg(unix)]
#[test]
fn ctrl_c_at_the_confirmation_says_nothing_was_changed() {
    let test = "ctrl_c_at_the_confirmation_says_nothing_was_changed";
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n",
    );
    let Some(run) = on_pty(
        &sandbox,
        test,
        &[("expect", "Only `yes` is accepted: "), ("send", "\x03")],
        &["apply", "-f", manifest_arg(&manifest)],
    ) else {
        return;
    };
    let shown = &run.output;
    assert_eq!(run.stuck_at, None, "{shown}");
    assert_eq!(run.rc, Some(130), "{shown}");
    assert!(
        shown.contains("\ncancelled; nothing was changed\n"),
        "{shown:?}"
    );
    assert!(!sandbox.claude_json().exists(), "{shown}");
}

/// Ctrl-D at the confirmation: "cancelled" on a line of its own, not
/// after the question.
#[cfg(unix)]
#[test]
fn ctrl_d_at_the_confirmation_answers_on_its_own_line() {
    let test = "ctrl_d_at_the_confirmation_answers_on_its_own_line";
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n",
    );
    let Some(run) = on_pty(
        &sandbox,
        test,
        &[("expect", "Only `yes` is accepted: "), ("send", "\x04")],
        &["apply", "-f", manifest_arg(&manifest)],
    ) else {
        return;
    };
    let shown = &run.output;
    assert_eq!(run.stuck_at, None, "{shown}");
    assert_eq!(run.rc, Some(1), "{shown}");
    assert!(shown.contains("Only `yes` is accepted: \n"), "{shown:?}");
    assert!(
        shown.contains("cancelled; nothing was changed"),
        "{shown:?}"
    );
    assert!(!sandbox.claude_json().exists(), "{shown}");
}

/// `check` on a machine whose Secret Service cannot be reached: the fix it
/// names for a stored credential is starting the store (its hint), not
/// `mcpctl apply`, which refuses in that state.
#[cfg(unix)]
#[test]
fn check_without_a_store_names_the_store_fix() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code\ncredential GITHUB_TOKEN {\n    kind api-key\n}\nserver github {\n    command \"true\"\n    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n}\n",
    );
    let env = no_bus_env(&sandbox);
    let out = sandbox
        .mcpctl()
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["check", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("dbus-run-session"), "{stdout}");
    assert!(!stdout.contains("`mcpctl apply` asks for it"), "{stdout}");
}
