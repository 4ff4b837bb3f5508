//! How mcpctl behaves as a citizen of the shell: a closed pipe ends it
//! quietly, `--quiet` leaves only the requested output, `--verbose` says
//! what was read.

use crate::support::{Sandbox, text};

const MANIFEST: &str = include_str!("../../examples/minimal/mcpctl.kdl");

/// The reader of stdout is gone before mcpctl even starts, so the first
/// write meets a closed pipe every time (no race with `head`).
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_every_printing_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    use crate::support::mcpctl_bin;

    let sandbox = Sandbox::new();
    sandbox.manifest(MANIFEST);
    for args in [
        &["plan"][..],
        &["catalog"],
        &["catalog", "--json"],
        &["completions", "bash"],
    ] {
        // A pipe whose reading end is closed before the child starts.
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe(2) returns.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors are fresh and owned only here.
        let (reader, writer) = unsafe {
            use std::os::fd::FromRawFd;
            (
                std::os::fd::OwnedFd::from_raw_fd(fds[0]),
                std::os::fd::OwnedFd::from_raw_fd(fds[1]),
            )
        };
        drop(reader);
        let output = std::process::Command::new(mcpctl_bin())
            .env_clear()
            .envs(sandbox.env())
            .current_dir(sandbox.root().join("repo"))
            .args(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let (_, stderr) = text(&output);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        // Ended by SIGPIPE, as `cat` is: shells treat it as a normal end
        // of a pipeline.
        assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn plan_piped_into_head_prints_its_first_line_and_no_panic() {
    let sandbox = Sandbox::new();
    sandbox.manifest(MANIFEST);
    let output = sandbox
        .program("sh")
        .current_dir(sandbox.root().join("repo"))
        .arg("-c")
        .arg(format!(
            "'{}' plan | head -1",
            crate::support::mcpctl_bin().display()
        ))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

// Unix only: expects Linux output.
#[cfg(unix)]
#[test]
fn quiet_keeps_the_plan_and_drops_the_warnings() {
    let sandbox = Sandbox::new();
    sandbox.manifest(MANIFEST);
    // No Secret Service in this environment's bus: `plan` warns that the
    // store is unavailable and goes on.
    let run = |flag: Option<&str>| {
        let mut cmd = sandbox.mcpctl();
        cmd.current_dir(sandbox.root().join("repo"))
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
        cmd.arg("plan");
        if let Some(flag) = flag {
            cmd.arg(flag);
        }
        cmd.output().unwrap()
    };
    let normal = run(None);
    let quiet = run(Some("--quiet"));
    let (normal_out, normal_err) = text(&normal);
    let (quiet_out, quiet_err) = text(&quiet);
    assert!(normal.status.success() && quiet.status.success());
    assert!(normal_err.contains("warning:"), "{normal_err}");
    assert_eq!(quiet_err, "", "--quiet printed on stderr");
    assert_eq!(quiet_out, normal_out, "--quiet changed the plan");
}

// Unix only: expects Linux paths (state under `XDG_STATE_HOME`).
#[cfg(unix)]
#[test]
fn verbose_names_the_manifest_and_the_files_read() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let output = sandbox
        .mcpctl()
        .args(["-v", "plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("manifest: `"), "{stderr}");
    assert!(stderr.contains("read `~/.claude.json`"), "{stderr}");

    let output = sandbox
        .mcpctl()
        .args(["plan", "--quiet", "--verbose", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

/// An error reads as a sentence: miette's code line
/// (`mcpctl::manifest::io`) and its `Error: mcpctl::…` prefix before each
/// problem are for scripts and bug reports, shown under `--verbose` or
/// `--json`. A `-f` path that does not exist says to check the path.
#[test]
fn errors_show_their_code_only_under_verbose_or_json() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .mcpctl()
        .args(["plan", "-f", "nope.kdl"])
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(!stderr.contains("mcpctl::"), "{stderr}");
    assert!(
        stderr.trim_start().starts_with("× could not read"),
        "{stderr}"
    );
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("hint: check the path") || words.contains("help: check the path"),
        "{stderr}"
    );
    assert!(
        words.contains("`mcpctl init --from-clients -f nope.kdl`")
            && words.contains("`mcpctl add SERVER -f nope.kdl`"),
        "{stderr}"
    );
    assert!(!stderr.contains("at the root of the project"), "{stderr}");

    sandbox.manifest("mcpctl version=1\nserver \"x\" {\n  bogus 1\n}\n");
    let output = sandbox
        .mcpctl()
        .current_dir(sandbox.root().join("repo"))
        .arg("validate")
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !stderr.contains("mcpctl::") && !stderr.contains("Error:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("× unknown node `bogus` in `server`"),
        "{stderr}"
    );

    for extra in ["--verbose", "--json"] {
        let output = sandbox
            .mcpctl()
            .args(["plan", extra, "-f", "nope.kdl"])
            .output()
            .unwrap();
        let (_, stderr) = text(&output);
        assert!(stderr.contains("mcpctl::manifest::io"), "{extra}: {stderr}");
    }
}

/// A command's help lists its own options first; `-f`, `-q` and `-v`
/// (global) follow under their own heading.
#[test]
fn command_help_sets_global_options_apart() {
    let sandbox = Sandbox::new();
    let output = sandbox.mcpctl().args(["plan", "--help"]).output().unwrap();
    let (stdout, _) = text(&output);
    let global = stdout.find("Global options:").expect(&stdout);
    let own = stdout.find("Options:").unwrap();
    assert!(own < global, "{stdout}");
    assert!(
        stdout[own..global].contains("--detailed-exitcode"),
        "{stdout}"
    );
    for flag in ["--manifest", "--quiet", "--verbose"] {
        assert!(!stdout[own..global].contains(flag), "{flag}: {stdout}");
        assert!(stdout[global..].contains(flag), "{flag}: {stdout}");
    }
}

/// A usage error exits 1, never 2: a CI gate that runs
/// `mcpctl plan --detailed-exitcode || [ $? = 2 ]` reads 2 as "changes
/// pending", so a typo'd flag would pass it. Help and the version are
/// answers, exit 0.
#[test]
fn usage_errors_exit_one_and_help_exits_zero() {
    let sandbox = Sandbox::new();
    sandbox.manifest(MANIFEST);
    for args in [
        &["plan", "--detailed-exitcod"][..],
        &["plna"],
        &["rotate"],
        &["plan", "--offline", "--detailed-exitcode", "extra"],
    ] {
        let output = sandbox.mcpctl().args(args).output().unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains("error:"), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
    }
    for args in [
        &["--help"][..],
        &["plan", "--help"],
        &["-h"],
        &["--version"],
        &["-V"],
    ] {
        let output = sandbox.mcpctl().args(args).output().unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stdout}{stderr}");
        assert!(
            !stdout.is_empty() && stderr.is_empty(),
            "{args:?}: {stderr}"
        );
    }
}
