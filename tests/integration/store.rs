//! The OS store backend against a real Secret Service (gnome-keyring in a
//! private D-Bus session), and what happens when there is none.

use mcpctl::store::{CredentialStore, KeyringStore, Secret, StoreError};

#[cfg(unix)]
use crate::apply_loop::MANIFEST;
use crate::support::{Sandbox, canary, secret_service, text};

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn set_get_exists_delete_round_trip() {
    if !secret_service("set_get_exists_delete_round_trip") {
        return;
    }
    let sandbox = Sandbox::new();
    let store = KeyringStore::open(&sandbox.user).unwrap();
    let value = canary("roundtrip");
    assert!(!store.exists("MCPCTL_TEST_ROUNDTRIP").unwrap());
    assert!(store.get("MCPCTL_TEST_ROUNDTRIP").unwrap().is_none());
    store
        .set(
            "MCPCTL_TEST_ROUNDTRIP",
            &Secret::new(value.clone()),
            "Round trip test",
        )
        .unwrap();
    assert!(store.exists("MCPCTL_TEST_ROUNDTRIP").unwrap());
    assert_eq!(
        store
            .get("MCPCTL_TEST_ROUNDTRIP")
            .unwrap()
            .unwrap()
            .expose(),
        value
    );
    store
        .set(
            "MCPCTL_TEST_ROUNDTRIP",
            &Secret::new("second".into()),
            "ignored for existing",
        )
        .unwrap();
    assert_eq!(
        store
            .get("MCPCTL_TEST_ROUNDTRIP")
            .unwrap()
            .unwrap()
            .expose(),
        "second"
    );
    assert!(store.delete("MCPCTL_TEST_ROUNDTRIP").unwrap());
    assert!(!store.delete("MCPCTL_TEST_ROUNDTRIP").unwrap());
    assert!(!store.exists("MCPCTL_TEST_ROUNDTRIP").unwrap());
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn entries_made_by_hand_are_found_and_ours_are_labelled() {
    if !secret_service("entries_made_by_hand_are_found_and_ours_are_labelled") {
        return;
    }
    let sandbox = Sandbox::new();
    let value = canary("byhand");
    // As a person following the credentials guide would, with secret-tool.
    sandbox
        .program("secret-tool")
        .args([
            "store",
            "--label",
            "GitHub Token",
            "service",
            "GITHUB_TOKEN",
            "username",
            &sandbox.user,
        ])
        .write_stdin(value.clone())
        .assert()
        .success();
    let store = KeyringStore::open(&sandbox.user).unwrap();
    assert!(store.exists("GITHUB_TOKEN").unwrap());
    assert_eq!(store.get("GITHUB_TOKEN").unwrap().unwrap().expose(), value);

    store
        .set(
            "MCPCTL_TEST_LABEL",
            &Secret::new("x".into()),
            "Slack bot token for the Slack MCP server",
        )
        .unwrap();
    let search = sandbox
        .program("secret-tool")
        .args([
            "search",
            "service",
            "MCPCTL_TEST_LABEL",
            "username",
            &sandbox.user,
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&search);
    assert!(
        stdout.contains("label = Slack bot token for the Slack MCP server"),
        "{stdout}{stderr}"
    );
}

// Unix only: needs a machine without its credential store (no Secret Service); Windows always has its Credential Manager.
#[cfg(unix)]
#[test]
fn without_a_store_plan_still_runs_and_apply_refuses() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let nowhere = format!("unix:path={}/no-bus", sandbox.root().display());
    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(plan.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("GITHUB_TOKEN: store unavailable"),
        "{stdout}"
    );
    assert!(
        stderr.contains("hint:") && stderr.contains("gnome-keyring-daemon"),
        "{stderr}"
    );

    let apply = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere)
        .env("GITHUB_TOKEN", canary("nostore"))
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&apply);
    assert_eq!(apply.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("Secret Service"), "{stderr}");
    assert!(
        !sandbox.claude_json().exists(),
        "apply wrote a client file without a store"
    );
}

/// A manifest that keeps no credential in the store (servers without
/// credentials, credentials read from the environment at launch) needs no
/// Secret Service: plan and apply run without one, and nothing warns.
#[test]
fn without_a_store_a_manifest_that_keeps_nothing_in_it_applies() {
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
server fetch {
    command uvx mcp-server-fetch
}
"#,
    );
    let nowhere = format!("unix:path={}/no-bus", sandbox.root().display());
    let apply = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere)
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&apply);
    assert!(apply.status.success(), "{stdout}{stderr}");
    assert!(!stderr.contains("warning:"), "{stderr}");
    let written = std::fs::read_to_string(sandbox.claude_json()).unwrap();
    assert!(
        written.contains("\"github\"") && written.contains("\"fetch\""),
        "{written}"
    );
}

#[test]
fn store_errors_never_carry_values() {
    // The error type has no variant that could hold a value; its messages
    // name the credential only.
    let err = StoreError::TooLarge {
        store: "Windows Credential Manager".into(),
        credential: "BIG".into(),
        size: 4000,
        limit: 2560,
    };
    assert_eq!(
        err.to_string(),
        "the value for `BIG` is 4000 bytes; the Windows Credential Manager holds at most 2560"
    );
}

/// Without `USER` (a container, `docker exec`, cron), entries are named for
/// the account mcpctl runs as, as `whoami` says. The test's entry has a
/// name of its own, since it cannot use the sandbox's private account.
#[cfg(unix)]
#[test]
fn without_user_entries_are_named_for_the_account_mcpctl_runs_as() {
    if !secret_service("without_user_entries_are_named_for_the_account_mcpctl_runs_as") {
        return;
    }
    let sandbox = Sandbox::new();
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let account = String::from_utf8(id.stdout).unwrap().trim().to_owned();
    let name = format!("USERLESS_{}", std::process::id());
    let manifest = sandbox.manifest(&format!(
        r#"mcpctl version=1
client claude-code
credential {name} {{ kind personal-access-token; }}
server github {{
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential={name}
}}
"#
    ));
    let token = canary("userless");
    let clear = || {
        sandbox
            .program("secret-tool")
            .args(["clear", "service", &name, "username", &account])
            .output()
            .unwrap()
    };
    clear();
    let mcpctl = || {
        let mut cmd = sandbox.mcpctl();
        cmd.env_remove("USER").env_remove("LOGNAME");
        cmd
    };
    let out = mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env(&name, &token)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let lookup = sandbox
        .program("secret-tool")
        .args(["lookup", "service", &name, "username", &account])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&lookup.stdout), token);

    let exec = mcpctl()
        .args(["exec", "--server", "github", "--env"])
        .arg(format!("T={name}"))
        .args(["--", "sh", "-c", "printf %s \"$T\""])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&exec);
    assert!(exec.status.success(), "{stderr}");
    assert_eq!(stdout, token);
    assert!(stderr.is_empty(), "{stderr}");

    // A LOGNAME naming someone else is said once, however often the
    // account is needed.
    let plan = mcpctl()
        .env("LOGNAME", "someone-else")
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(plan.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stderr.matches("`LOGNAME` is `someone-else`").count(),
        1,
        "{stderr}"
    );
    assert!(!stdout.contains(&token) && !stderr.contains(&token));
    clear();
}

/// `plan` without `USER` and a manifest that keeps nothing in the store
/// says nothing about the store.
#[test]
fn without_user_a_storeless_plan_does_not_mention_the_store() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n",
    );
    let out = sandbox
        .mcpctl()
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("LOGNAME")
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        !stderr.contains("warning") && !stderr.contains("USER") && !stdout.contains("USER"),
        "{stdout}{stderr}"
    );
}

// Linux only: the Secret Service on the test bus, seen by `dbus-monitor`.
#[cfg(target_os = "linux")]
/// The Secret Service calls of the command `run` starts, seen by
/// `dbus-monitor` on the test bus, as (sender, member) in order. The
/// command's connections are the senders whose calls name the sandbox's
/// user (other tests share the bus); every call of those senders is kept.
fn secret_service_calls(sandbox: &Sandbox, run: impl FnOnce()) -> Vec<(String, String)> {
    let log = sandbox.root().join("dbus-monitor.log");
    let mut monitor = std::process::Command::new("dbus-monitor")
        .args([
            "--session",
            "type=method_call,interface=org.freedesktop.Secret.Service",
            "type=method_call,interface=org.freedesktop.Secret.Item",
            "type=method_call,interface=org.freedesktop.Secret.Collection",
            "type=method_call,interface=org.freedesktop.Secret.Session",
        ])
        .stdout(fs_err::File::create(&log).unwrap().into_parts().0)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("dbus-monitor (package dbus-bin) runs");
    // It prints its own NameLost once it monitors.
    for _ in 0..250 {
        if fs_err::read_to_string(&log).unwrap().contains("NameLost") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    run();
    // What the bus delivered before the command ended is written soon after.
    std::thread::sleep(std::time::Duration::from_millis(500));
    monitor.kill().unwrap();
    monitor.wait().unwrap();
    let text = fs_err::read_to_string(&log).unwrap();
    let mut calls: Vec<(String, String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("method call ") {
            let field = |name: &str| {
                header
                    .split([' ', ';'])
                    .find_map(|f| f.strip_prefix(name))
                    .unwrap_or_default()
                    .to_owned()
            };
            calls.push((field("sender="), field("member="), String::new()));
        } else if let Some(call) = calls.last_mut() {
            call.2.push_str(line);
        }
    }
    let ours: Vec<String> = calls
        .iter()
        .filter(|(_, _, body)| body.contains(&format!("\"{}\"", sandbox.user)))
        .map(|(sender, _, _)| sender.clone())
        .collect();
    calls
        .into_iter()
        .filter(|(sender, _, _)| ours.contains(sender))
        .map(|(sender, member, _)| (sender, member))
        .collect()
}

// Linux only: the Secret Service on the test bus, seen by `dbus-monitor`.
#[cfg(target_os = "linux")]
#[test]
fn a_presence_check_opens_no_session_and_a_command_uses_one_connection() {
    if !secret_service("a_presence_check_opens_no_session_and_a_command_uses_one_connection") {
        return;
    }
    let sandbox = Sandbox::new();
    for name in ["GITHUB_TOKEN", "SECOND_TOKEN"] {
        sandbox
            .program("secret-tool")
            .args(["store", "--label", name, "service", name, "username"])
            .arg(&sandbox.user)
            .write_stdin(canary("session"))
            .assert()
            .success();
    }
    let manifest = sandbox.manifest(MANIFEST);
    let members = |calls: &[(String, String)], member: &str| {
        calls.iter().filter(|(_, m)| m == member).count()
    };
    let senders = |calls: &[(String, String)]| {
        let mut senders: Vec<&String> = calls.iter().map(|(s, _)| s).collect();
        senders.dedup();
        senders.len()
    };

    // plan: attribute searches only, no encrypted session.
    let calls = secret_service_calls(&sandbox, || {
        sandbox
            .mcpctl()
            .arg("-f")
            .arg(&manifest)
            .arg("plan")
            .assert()
            .code(0);
    });
    assert_eq!(members(&calls, "SearchItems"), 1, "{calls:?}");
    assert_eq!(members(&calls, "OpenSession"), 0, "{calls:?}");
    assert_eq!(senders(&calls), 1, "{calls:?}");

    // exec with two credentials: one connection, one session, a search
    // and a read per credential.
    let calls = secret_service_calls(&sandbox, || {
        sandbox
            .mcpctl()
            .args(["exec", "--server", "github", "--env", "A=GITHUB_TOKEN"])
            .args(["--env", "B=SECOND_TOKEN", "--", "true"])
            .assert()
            .success();
    });
    assert_eq!(members(&calls, "OpenSession"), 1, "{calls:?}");
    assert_eq!(members(&calls, "SearchItems"), 2, "{calls:?}");
    assert_eq!(members(&calls, "GetSecret"), 2, "{calls:?}");
    assert_eq!(senders(&calls), 1, "{calls:?}");
}
