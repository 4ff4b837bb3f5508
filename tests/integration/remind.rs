//! `mcpctl remind`: the systemd units it writes are checked by the real
//! `systemd-analyze verify`, and the job they schedule is run by hand with
//! a fake `notify-send` that records its arguments. The sandbox has no
//! systemd user manager (its `XDG_RUNTIME_DIR` is empty and it has no
//! session bus), so `install` writes the files and prints the commands;
//! nothing ever reaches the real user manager.

use std::path::{Path, PathBuf};

use crate::lifecycle::{edit_record, state_dir};
use crate::support::{Sandbox, canary, secret_service, skip, text};

const MANIFEST: &str = r#"mcpctl version=1
client claude-code

credential GITHUB_TOKEN {
    provider github
}
credential SLACK_TOKEN {
    rotate-every "30d"
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
    env SLACK credential=SLACK_TOKEN
}
"#;

/// A private, empty runtime directory: no user manager, no session bus.
fn runtime_dir(sandbox: &Sandbox, name: &str) -> PathBuf {
    let dir = sandbox.root().join(name);
    fs_err::create_dir_all(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    dir
}

/// `mcpctl remind ARGS -f manifest` with no user manager reachable.
fn remind(sandbox: &Sandbox, manifest: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sandbox
        .mcpctl()
        .arg("remind")
        .args(args)
        .arg("-f")
        .arg(manifest)
        .env("XDG_RUNTIME_DIR", runtime_dir(sandbox, "run-none"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

fn units_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.root().join("config/systemd/user")
}

/// The reminder units in the sandbox, by base name.
fn unit_names(sandbox: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(units_dir(sandbox))
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_suffix(".timer")
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Whether `program` is installed (else the test is skipped, loudly).
fn have(test: &str, program: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()));
    if !found {
        skip(test, &format!("`{program}` is not installed"));
    }
    found
}

/// `systemd-analyze --user verify FILES` in the sandbox.
fn verify(sandbox: &Sandbox, files: &[PathBuf]) -> (bool, String) {
    let out = sandbox
        .program("systemd-analyze")
        .args(["--user", "verify"])
        .args(files)
        .env("XDG_RUNTIME_DIR", runtime_dir(sandbox, "run-verify"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.success(), format!("{stdout}{stderr}"))
}

#[test]
fn install_verify_status_uninstall_without_a_user_manager() {
    let test = "install_verify_status_uninstall_without_a_user_manager";
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);

    let (code, stdout, stderr) = remind(&sandbox, &manifest, &["install", "--at", "07:45"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let names = unit_names(&sandbox);
    assert_eq!(names.len(), 1, "{names:?}");
    let name = &names[0];
    let service = units_dir(&sandbox).join(format!("{name}.service"));
    let timer = units_dir(&sandbox).join(format!("{name}.timer"));
    assert!(
        stdout.contains("The systemd user manager is not reachable"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "  systemctl --user daemon-reload\n  systemctl --user enable --now {name}.timer\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("wrote {}", service.display())),
        "{stdout}"
    );
    let timer_text = fs_err::read_to_string(&timer).unwrap();
    assert!(timer_text.contains("OnCalendar=*-*-* 07:45:00\nPersistent=true\n"));
    let service_text = fs_err::read_to_string(&service).unwrap();
    let manifest_real = manifest.canonicalize().unwrap();
    let mcpctl = crate::support::mcpctl_bin().canonicalize().unwrap();
    assert!(
        service_text.contains(&format!(
            "ExecStart=\"{}\" remind run -f \"{}\"",
            mcpctl.display(),
            manifest_real.display()
        )),
        "{service_text}"
    );
    assert!(service_text.contains(&format!(
        "Environment=\"MCPCTL_STATE_DIR={}\"",
        state_dir(&sandbox).display()
    )));

    // The real systemd checks the units (a user manager in test mode).
    if have(test, "systemd-analyze") {
        let (ok, output) = verify(&sandbox, &[service.clone(), timer.clone()]);
        assert!(ok && output.is_empty(), "systemd-analyze verify: {output}");
        // And it would have caught a broken one.
        let broken = sandbox.root().join("broken");
        fs_err::create_dir_all(&broken).unwrap();
        let broken_timer = broken.join(format!("{name}.timer"));
        fs_err::write(&broken_timer, timer_text.replace("07:45:00", "37:45:00")).unwrap();
        fs_err::copy(&service, broken.join(format!("{name}.service"))).unwrap();
        let (ok, output) = verify(&sandbox, &[broken_timer]);
        assert!(!ok, "a bad OnCalendar passed verification: {output}");
    }

    // A second manifest gets a reminder of its own.
    let other_dir = sandbox.root().join("other");
    fs_err::create_dir_all(&other_dir).unwrap();
    let other = other_dir.join("mcpctl.kdl");
    fs_err::write(&other, MANIFEST).unwrap();
    assert_eq!(remind(&sandbox, &other, &["install"]).0, Some(0));
    let names = unit_names(&sandbox);
    assert_eq!(names.len(), 2, "{names:?}");
    let other_name = names.iter().find(|n| *n != name).unwrap().clone();

    let (code, stdout, _) = remind(&sandbox, &manifest, &["status"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains(&format!("installed as `{name}`")),
        "{stdout}"
    );
    assert!(stdout.contains("is not reachable"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Reminders of other manifests:\n  {}",
            units_dir(&sandbox)
                .join(format!("{other_name}.timer"))
                .display()
        )),
        "{stdout}"
    );
    let (_, json, _) = remind(&sandbox, &manifest, &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["installed"], true);
    assert_eq!(json["name"], name.as_str());

    // As `systemctl enable` would have linked it; uninstall removes the link too.
    let wants = units_dir(&sandbox).join("timers.target.wants");
    fs_err::create_dir_all(&wants).unwrap();
    let link = wants.join(format!("{name}.timer"));
    std::os::unix::fs::symlink(&timer, &link).unwrap();
    let (code, stdout, stderr) = remind(&sandbox, &manifest, &["uninstall"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for path in [&service, &timer, &link] {
        assert!(
            path.symlink_metadata().is_err(),
            "{} is left",
            path.display()
        );
        assert!(
            stdout.contains(&format!("removed {}", path.display())),
            "{stdout}"
        );
    }
    assert_eq!(unit_names(&sandbox), [other_name]);
    let (_, stdout, _) = remind(&sandbox, &manifest, &["uninstall"]);
    assert!(stdout.contains("No reminder is installed"), "{stdout}");
    let (_, stdout, _) = remind(&sandbox, &manifest, &["status"]);
    assert!(stdout.contains("No reminder is installed"), "{stdout}");

    // A reminder outlives its manifest, and can still be removed.
    fs_err::remove_file(&other).unwrap();
    let (code, stdout, stderr) = remind(&sandbox, &other, &["uninstall"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(unit_names(&sandbox).is_empty(), "{stdout}");
}

/// Splits a systemd command line as systemd does for the words mcpctl
/// writes (double quotes, `\\` `\"` escapes, `$$` and `%%`).
fn systemd_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => word.push(chars.next().unwrap()),
                    c => word.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        words.push(word.replace("$$", "$").replace("%%", "%"));
    }
    words
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn the_timers_command_run_by_hand_notifies_by_name_only() {
    if !secret_service("the_timers_command_run_by_hand_notifies_by_name_only") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let github = canary("remind-github");
    let slack = canary("remind-slack");
    let out = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("GITHUB_TOKEN", &github)
        .env("SLACK_TOKEN", &slack)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    // GITHUB_TOKEN was set 100 days ago: 10 days past the guide's 90.
    let days_ago =
        |n: i64| (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * n)).to_string();
    edit_record(&sandbox, "GITHUB_TOKEN", |r| {
        r["set_at"] = days_ago(100).into()
    });

    let (code, stdout, stderr) = remind(&sandbox, &manifest, &["install"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let [name] = unit_names(&sandbox).try_into().unwrap();
    let service =
        fs_err::read_to_string(units_dir(&sandbox).join(format!("{name}.service"))).unwrap();
    let setting = |key: &str| {
        service
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in {service}"))
            .to_owned()
    };
    let argv = systemd_words(&setting("ExecStart="));
    let [environment] = systemd_words(&setting("Environment=")).try_into().unwrap();
    let (env_name, env_value) = environment.split_once('=').unwrap();

    // A fake notify-send that records its arguments, NUL-separated.
    let bin = sandbox.root().join("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let log = sandbox.root().join("notify-send.log");
    let fake = bin.join("notify-send");
    fs_err::write(
        &fake,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done >> '{}'\nprintf '\\n' >> '{}'\n",
            log.display(),
            log.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let audit = state_dir(&sandbox).join("audit.jsonl");
    let audit_before = fs_err::read(&audit).unwrap();
    let run = |path: &str| {
        let out = sandbox
            .program(&argv[0])
            .args(&argv[1..])
            .env(env_name, env_value)
            .env("PATH", path)
            // What the scheduler gives the job: no terminal, no cwd of note.
            .current_dir("/")
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        (out.status.code(), stdout, stderr)
    };
    let with_fake = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());

    let (code, stdout, stderr) = run(&with_fake);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, "! GITHUB_TOKEN: overdue by 10 days\n");
    let calls = fs_err::read_to_string(&log).unwrap();
    let args: Vec<&str> = calls.trim_end_matches("\0\n").split('\0').collect();
    assert_eq!(
        args,
        [
            "--app-name=mcpctl",
            "--urgency=critical",
            "--icon=dialog-password",
            "--",
            "mcpctl: rotate GITHUB_TOKEN",
            &format!(
                "GITHUB_TOKEN: overdue by 10 days\nRun `mcpctl rotate GITHUB_TOKEN` ({}).",
                argv.last().unwrap()
            ),
        ]
    );
    // No value anywhere: not in the notification, the output, or any file;
    // and the job read nothing, so the audit trail is unchanged.
    for secret in [&github, &slack] {
        for (what, text) in [
            ("notification", &calls),
            ("stdout", &stdout),
            ("stderr", &stderr),
        ] {
            assert!(!text.contains(secret.as_str()), "{what} leaked a value");
        }
        for file in sandbox.all_files() {
            let bytes = std::fs::read(&file).unwrap();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "`{}` contains a value", file.display());
        }
    }
    assert_eq!(fs_err::read(&audit).unwrap(), audit_before);

    // Without a notifier the reminder goes to stderr, and the job succeeds.
    let (code, stdout, stderr) = run("/nonexistent");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains("no notifier found (notify-send not on PATH)")
            && stderr.contains("GITHUB_TOKEN: overdue by 10 days"),
        "{stderr}"
    );

    // Rotated: nothing due, nothing raised.
    edit_record(&sandbox, "GITHUB_TOKEN", |r| {
        r["set_at"] = days_ago(1).into()
    });
    let (code, stdout, stderr) = run(&with_fake);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("Nothing due"), "{stdout}");
    assert_eq!(fs_err::read_to_string(&log).unwrap(), calls);

    // A manifest gone: the job says so on the desktop, and fails.
    fs_err::remove_file(&manifest).unwrap();
    let (code, _, stderr) = run(&with_fake);
    assert_eq!(code, Some(1), "{stderr}");
    let calls = fs_err::read_to_string(&log).unwrap();
    assert!(
        calls.contains("mcpctl: the credential reminder failed"),
        "{calls:?}"
    );
}

/// `remind install` run from a cargo build (the test binary is one) warns,
/// as plan and apply do, that the schedule would run a file the next build
/// replaces, and names the install that fixes it.
#[test]
fn install_from_a_build_directory_warns() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let out = sandbox
        .mcpctl()
        .args(["remind", "install", "-f"])
        .arg(&manifest)
        .env("XDG_RUNTIME_DIR", runtime_dir(&sandbox, "run-none"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("MCPCTL_ALLOW_UNSTABLE_PATH")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let bin = crate::support::mcpctl_bin().canonicalize().unwrap();
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(&format!(
            "warning: the daily reminder runs `{}`, in a cargo build directory",
            bin.display()
        )),
        "{stderr}"
    );
    assert!(
        words.contains("remind install` so that the daily reminder runs"),
        "{stderr}"
    );
}
