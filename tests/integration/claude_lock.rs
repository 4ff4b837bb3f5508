//! Claude Code's own writer of `~/.claude.json`: mcpctl takes its lock
//! (`~/.claude.json.lock`, the proper-lockfile protocol), waits while it
//! is held, takes over a stale one, and writes its entries again when a
//! Claude Code that found the lock held writes back what it read before —
//! and never reports an entry that is not in the file. The last test races
//! the real, pinned Claude Code.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

#[cfg(unix)]
use crate::support::client_cli;
use crate::support::{Sandbox, text};

const MANIFEST: &str = "mcpctl version=1\nclient claude-code\nserver mine {\n    command npx -y \"@modelcontextprotocol/server-everything\"\n}\n";

fn lock_of(file: &Path) -> PathBuf {
    let mut lock = file.as_os_str().to_owned();
    lock.push(".lock");
    PathBuf::from(lock)
}

fn servers(file: &Path) -> serde_json::Map<String, serde_json::Value> {
    let text = fs_err::read_to_string(file).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("{} is not valid JSON: {err}", file.display()));
    value["mcpServers"].as_object().cloned().unwrap_or_default()
}

/// `text` with a server `theirs` added, as Claude Code writes it: through
/// a temporary file and a rename.
fn write_theirs(file: &Path, text: &str) {
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    value["mcpServers"]["theirs"] = serde_json::json!({"type": "stdio", "command": "echo"});
    let temp = file.with_extension("json.tmp.fake");
    fs_err::write(&temp, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    fs_err::rename(&temp, file).unwrap();
}

fn apply(sandbox: &Sandbox, manifest: &Path) -> (bool, String) {
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(manifest)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    (output.status.success(), format!("{out}{err}"))
}

#[test]
fn apply_waits_for_claude_codes_lock_and_keeps_what_it_wrote() {
    let (sandbox, manifest, file) = seeded();
    // Claude Code takes its lock, reads the file, and writes it back with
    // its change a moment later, then releases the lock.
    let lock = lock_of(&file);
    fs_err::create_dir(&lock).unwrap();
    let read = fs_err::read_to_string(&file).unwrap();
    let holder = {
        let (file, lock) = (file.clone(), lock.clone());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(700));
            write_theirs(&file, &read);
            fs_err::remove_dir(&lock).unwrap();
        })
    };
    let (ok, said) = apply(&sandbox, &manifest);
    holder.join().unwrap();
    assert!(ok, "{said}");
    let servers = servers(&file);
    assert!(
        servers.contains_key("theirs"),
        "apply overwrote what the lock holder wrote:\n{said}"
    );
    assert!(
        servers.contains_key("mine"),
        "apply reported success, but its entry is not in the file:\n{said}"
    );
    assert!(!lock.exists(), "the lock was left behind");
}

#[test]
fn a_stale_lock_left_by_a_crashed_claude_code_is_taken_over() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let file = sandbox.claude_json();
    fs_err::write(&file, "{}\n").unwrap();
    let lock = lock_of(&file);
    fs_err::create_dir(&lock).unwrap();
    let crashed = SystemTime::now() - Duration::from_secs(60);
    mcpctl::concurrent_writer::set_dir_modified(&lock, crashed).unwrap();
    let (ok, said) = apply(&sandbox, &manifest);
    assert!(ok, "{said}");
    assert!(servers(&file).contains_key("mine"), "{said}");
    assert!(!lock.exists(), "the taken-over lock was left behind");
}

#[test]
fn a_lock_kept_fresh_by_a_hung_holder_stops_apply_with_the_lock_named() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let file = sandbox.claude_json();
    let before = "{\n  \"numStartups\": 1\n}\n";
    fs_err::write(&file, before).unwrap();
    let lock = lock_of(&file);
    fs_err::create_dir(&lock).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let refresher = {
        let (lock, stop) = (lock.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let _ = mcpctl::concurrent_writer::set_dir_modified(&lock, SystemTime::now());
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    let (ok, said) = apply(&sandbox, &manifest);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    refresher.join().unwrap();
    assert!(!ok, "apply wrote under another holder's lock:\n{said}");
    assert!(said.contains(".claude.json.lock"), "{said}");
    assert!(said.contains("stayed locked for 30 s"), "{said}");
    assert!(!said.contains("Apply complete"), "{said}");
    assert_eq!(fs_err::read_to_string(&file).unwrap(), before);
    // The other holder's lock is theirs to remove.
    assert!(lock.is_dir());
}

/// A program named `claude`, as the real one runs, with this Python body;
/// started with `args` and the path of a file it creates once ready, which
/// is waited for.
#[cfg(unix)]
fn fake_claude(sandbox: &Sandbox, body: &str, args: &[&std::ffi::OsStr]) -> std::process::Child {
    use std::os::unix::fs::PermissionsExt;
    let bin = sandbox.root().join("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let script = bin.join("claude");
    fs_err::write(&script, format!("#!/usr/bin/python3\n{body}")).unwrap();
    fs_err::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ready = sandbox.root().join("fake-claude-ready");
    let _ = std::fs::remove_file(&ready);
    let child = std::process::Command::new(&script)
        .args(args)
        .arg(&ready)
        .spawn()
        .unwrap();
    let waiting = std::time::Instant::now();
    while !ready.exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(20),
            "the stand-in never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// A stand-in for a Claude Code that found mcpctl's lock held: it read the
/// file before mcpctl's rename and, each time the file is replaced, writes
/// back what it read, plus its own server. It erases mcpctl's entries
/// `times` times — or, given `mine`, writes that as mcpctl's entry instead.
#[cfg(unix)]
fn late_writer(
    sandbox: &Sandbox,
    file: &Path,
    times: usize,
    mine: Option<&str>,
) -> std::process::Child {
    const BODY: &str = r#"import json, os, sys, time
path, times, mine, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
stale = open(path).read()
def version():
    try:
        st = os.stat(path)
        return (st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        return None
seen = version()
open(ready, "w").write("ready")
done, deadline = 0, time.time() + 60
while done < times and time.time() < deadline:
    if version() != seen:
        doc = json.loads(stale)
        doc.setdefault("mcpServers", {})["theirs"] = {"type": "stdio", "command": "echo"}
        if mine:
            doc["mcpServers"]["mine"] = json.loads(mine)
        temp = path + ".tmp.fake"
        open(temp, "w").write(json.dumps(doc, indent=2))
        os.rename(temp, path)
        seen = version()
        done += 1
    time.sleep(0.001)
"#;
    let times = times.to_string();
    fake_claude(
        sandbox,
        BODY,
        &[
            file.as_os_str(),
            times.as_ref(),
            mine.unwrap_or("").as_ref(),
        ],
    )
}

/// `apply` of `manifest` while [`late_writer`] runs.
#[cfg(unix)]
fn apply_beside_late_writer(
    sandbox: &Sandbox,
    manifest: &Path,
    times: usize,
    mine: Option<&str>,
) -> (bool, String) {
    let mut writer = late_writer(sandbox, &sandbox.claude_json(), times, mine);
    let applied = apply(sandbox, manifest);
    let _ = writer.kill();
    writer.wait().unwrap();
    applied
}

/// A sandbox with the manifest of one server and a small `~/.claude.json`.
fn seeded() -> (Sandbox, PathBuf, PathBuf) {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let file = sandbox.claude_json();
    fs_err::write(&file, "{\n  \"numStartups\": 1\n}\n").unwrap();
    (sandbox, manifest, file)
}

/// The exit code of `plan --detailed-exitcode` (0: nothing to do, 2: changes).
fn plan_exit_code(sandbox: &Sandbox, manifest: &Path) -> Option<i32> {
    let plan = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(manifest)
        .output()
        .unwrap();
    plan.status.code()
}

#[cfg(unix)]
#[test]
fn an_entry_erased_right_after_apply_is_written_again_and_said() {
    let (sandbox, manifest, file) = seeded();
    let (ok, said) = apply_beside_late_writer(&sandbox, &manifest, 1, None);
    assert!(ok, "{said}");
    assert!(
        said.contains("Claude Code rewrote `~/.claude.json` right after mcpctl did, without `mine`; wrote it again"),
        "{said}"
    );
    assert!(said.contains("Apply complete: 1 added"), "{said}");
    let servers = servers(&file);
    assert!(
        servers.contains_key("mine"),
        "reported, not in the file:\n{said}"
    );
    assert!(
        servers.contains_key("theirs"),
        "the other writer's change was lost:\n{said}"
    );
    assert!(!lock_of(&file).exists());
    // And plan agrees: nothing left to do.
    assert_eq!(plan_exit_code(&sandbox, &manifest), Some(0));
}

#[cfg(unix)]
#[test]
fn entries_erased_every_time_fail_the_apply_and_plan_shows_them_missing() {
    let (sandbox, manifest, file) = seeded();
    let (ok, said) = apply_beside_late_writer(&sandbox, &manifest, 100, None);
    assert!(!ok, "apply succeeded, yet:\n{said}");
    assert!(!said.contains("Apply complete"), "{said}");
    assert!(
        said.contains(&format!(
            "Claude Code rewrote `{}` right after mcpctl wrote it, 4 times, each time without `mine`",
            file.display()
        )),
        "{said}"
    );
    assert!(!servers(&file).contains_key("mine"));
    assert!(!lock_of(&file).exists());
    assert_eq!(plan_exit_code(&sandbox, &manifest), Some(2));
}

#[cfg(unix)]
#[test]
fn an_entry_changed_right_after_apply_is_left_to_its_author_and_apply_fails() {
    let (sandbox, manifest, file) = seeded();
    let (ok, said) = apply_beside_late_writer(
        &sandbox,
        &manifest,
        1,
        Some(r#"{"type": "stdio", "command": "their-own-mine"}"#),
    );
    assert!(!ok, "{said}");
    assert!(!said.contains("Apply complete"), "{said}");
    assert!(
        said.contains("was changed by another program right after mcpctl wrote it, and the change touches mcpctl's entry `mine`"),
        "{said}"
    );
    // Their version stays: apply does not fight over an entry.
    assert_eq!(servers(&file)["mine"]["command"], "their-own-mine");
}

/// A multi-MB `~/.claude.json` that Claude Code 2.x keeps as it is when it
/// rewrites it (it drops `history` from projects, so none is here).
#[cfg(unix)]
fn large_claude_json(bytes: usize) -> String {
    let tools: Vec<String> = (0..40)
        .map(|t| format!("Bash(npm run task-{t} -- --filter \"packages/*\" // not a comment)"))
        .collect();
    let mut projects = serde_json::Map::new();
    let mut size = 0;
    let mut p = 0;
    while size < bytes {
        let project = serde_json::json!({
            "allowedTools": tools,
            "mcpServers": {},
            "hasTrustDialogAccepted": true,
            "lastCost": 0.4127,
        });
        size += project.to_string().len() + 40;
        projects.insert(format!("/home/ada/src/project-{p}"), project);
        p += 1;
    }
    let doc = serde_json::json!({
        "numStartups": 214,
        "projects": projects,
        "userID": "4f1c0d2e9a8b",
        "mcpServers": {},
    });
    serde_json::to_string_pretty(&doc).unwrap()
}

/// A small deterministic generator: the offsets of a failing trial can be
/// replayed from the trial number.
#[cfg(unix)]
fn offset_ms(trial: u64, max: u64) -> u64 {
    let mut x = trial.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    x % (max + 1)
}

#[cfg(unix)]
#[test]
fn claude_code_and_apply_racing_keep_both_servers() {
    let test = "claude_code_and_apply_racing_keep_both_servers";
    let Some(cli) = client_cli(test, "MCPCTL_TEST_CLAUDE") else {
        return;
    };
    const TRIALS: u64 = 30;
    let base = large_claude_json(5_000_000);
    let mut rewrites = 0;
    let mut rewritten_trials = 0;
    for trial in 0..TRIALS {
        let sandbox = Sandbox::new();
        let manifest = sandbox.manifest(MANIFEST);
        let file = sandbox.claude_json();
        fs_err::write(&file, &base).unwrap();
        // Even trials start Claude Code first and apply 0-800 ms later
        // (Claude Code takes 0.3-1 s to start and write); odd ones start
        // apply first and Claude Code 0-300 ms later.
        let claude_first = trial % 2 == 0;
        let delay = Duration::from_millis(offset_ms(trial, if claude_first { 800 } else { 300 }));
        let claude = || {
            std::process::Command::new(&cli)
                .env_clear()
                .envs(sandbox.env())
                .current_dir(sandbox.root())
                .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
                .env("DISABLE_AUTOUPDATER", "1")
                .args([
                    "mcp",
                    "add-json",
                    "-s",
                    "user",
                    "theirs",
                    r#"{"type":"stdio","command":"echo"}"#,
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let applying = || {
            let mut cmd = std::process::Command::new(crate::support::mcpctl_bin());
            cmd.env_clear()
                .envs(sandbox.env())
                .current_dir(sandbox.root())
                .args(["apply", "--auto-approve", "-f"])
                .arg(&manifest)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (claude, mcpctl) = if claude_first {
            let claude = claude();
            std::thread::sleep(delay);
            (claude, applying())
        } else {
            let mcpctl = applying();
            std::thread::sleep(delay);
            (claude(), mcpctl)
        };
        let mcpctl = mcpctl.wait_with_output().unwrap();
        let claude = claude.wait_with_output().unwrap();
        let (out, err) = text(&mcpctl);
        let said = format!("{out}{err}");
        let context = format!(
            "trial {trial} ({}, {delay:?})\nmcpctl:\n{said}\nclaude:\n{}",
            if claude_first {
                "claude first"
            } else {
                "apply first"
            },
            text(&claude).0 + &text(&claude).1
        );
        assert!(claude.status.success(), "{context}");
        assert!(mcpctl.status.success(), "{context}");
        assert!(said.contains("Apply complete: 1 added"), "{context}");
        let servers = servers(&file);
        assert!(
            servers.contains_key("theirs"),
            "Claude Code's server is gone: {context}"
        );
        assert!(
            servers.contains_key("mine"),
            "apply reported success, but its server is not in the file: {context}"
        );
        assert!(
            !lock_of(&file).exists(),
            "a lock was left behind: {context}"
        );
        let again = said.matches("wrote it again").count();
        rewrites += again;
        rewritten_trials += usize::from(again > 0);
    }
    eprintln!(
        "{test}: {TRIALS} trials, both servers kept in all; apply wrote its entry again in {rewritten_trials} of them ({rewrites} rewrites)"
    );
}

/// `mcpctl rollback` replaces `~/.claude.json` too: it takes Claude Code's
/// lock like apply, and a change Claude Code makes under its lock while
/// rollback waits is not overwritten.
#[test]
fn rollback_waits_for_claude_codes_lock_and_keeps_what_it_wrote() {
    let (sandbox, manifest, file) = seeded();
    let (ok, said) = apply(&sandbox, &manifest);
    assert!(ok, "{said}");
    assert!(servers(&file).contains_key("mine"));
    // Claude Code takes its lock, reads the file, and writes it back with
    // its change a moment later, then releases the lock.
    let lock = lock_of(&file);
    fs_err::create_dir(&lock).unwrap();
    let read = fs_err::read_to_string(&file).unwrap();
    let rollback = std::process::Command::new(crate::support::mcpctl_bin())
        .env_clear()
        .envs(sandbox.env())
        .current_dir(sandbox.root())
        .args(["rollback", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let during = servers(&file);
    write_theirs(&file, &read);
    fs_err::remove_dir(&lock).unwrap();
    let rollback = rollback.wait_with_output().unwrap();
    let (out, err) = text(&rollback);
    let said = format!("{out}{err}");
    assert!(
        during.contains_key("mine"),
        "rollback replaced the file while Claude Code held its lock:\n{said}"
    );
    assert!(
        servers(&file).contains_key("theirs"),
        "rollback overwrote what the lock holder wrote:\n{said}"
    );
    assert!(!rollback.status.success(), "{said}");
    assert!(said.contains("changed since the apply"), "{said}");
    assert!(!lock.exists(), "the lock was left behind");
}

/// A server removed from the manifest that Claude Code's late write brings
/// back: apply removes it again and says so as it is — the entry came
/// back, it was not erased.
#[cfg(unix)]
#[test]
fn an_entry_brought_back_right_after_apply_removed_it_is_removed_again_and_said() {
    let (sandbox, manifest, file) = seeded();
    let (ok, said) = apply(&sandbox, &manifest);
    assert!(ok, "{said}");
    let manifest = sandbox.manifest("mcpctl version=1\nclient claude-code\n");
    let (ok, said) = apply_beside_late_writer(&sandbox, &manifest, 1, None);
    assert!(ok, "{said}");
    assert!(said.contains("1 destroyed"), "{said}");
    assert!(!servers(&file).contains_key("mine"), "{said}");
    assert!(servers(&file).contains_key("theirs"), "{said}");
    assert!(
        !said.contains("without `mine`"),
        "says the entry was erased, but it came back:\n{said}"
    );
    assert!(
        said.contains(
            "Claude Code rewrote `~/.claude.json` right after mcpctl did, with `mine` back; removed it again"
        ),
        "{said}"
    );
}

/// Apply says it wrote an entry again only once it has: here the rewrite
/// fails (the late writer leaves a lock apply cannot take: a stale plain
/// file where the lock directory goes).
#[cfg(unix)]
#[test]
fn a_rewrite_that_fails_is_not_reported_as_written_again() {
    let (sandbox, manifest, file) = seeded();
    let mut writer = fake_claude(
        &sandbox,
        r#"import os, sys, time
path, ready = sys.argv[1], sys.argv[2]
stale = open(path).read()
seen = os.stat(path).st_ino
open(ready, "w").write("ready")
deadline = time.time() + 60
while time.time() < deadline and os.stat(path).st_ino == seen:
    time.sleep(0.001)
lock = path + ".lock"
while os.path.isdir(lock):
    time.sleep(0.0005)
open(lock, "w").close()
os.utime(lock, (time.time() - 60, time.time() - 60))
temp = path + ".tmp.fake"
open(temp, "w").write(stale)
os.rename(temp, path)
"#,
        &[file.as_os_str()],
    );
    let (ok, said) = apply(&sandbox, &manifest);
    let _ = writer.kill();
    writer.wait().unwrap();
    assert!(!ok, "{said}");
    assert!(!servers(&file).contains_key("mine"), "{said}");
    assert!(said.contains("could not take the lock"), "{said}");
    assert!(
        !said.contains("wrote it again"),
        "says it wrote the entry again, yet it is not in the file:\n{said}"
    );
    assert!(
        !said.contains("nothing was written to this file"),
        "says nothing was written, yet apply wrote the file once:\n{said}"
    );
}

/// Ctrl-C the moment apply has written `~/.claude.json` (then it would watch it: a
/// `claude` runs, so it watches for a while): the file is written, and
/// `mcpctl rollback` can undo that write.
#[cfg(unix)]
#[test]
fn ctrl_c_while_apply_watches_the_file_leaves_a_write_rollback_undoes() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let file = sandbox.claude_json();
    let before = "{\n  \"numStartups\": 1\n}\n";
    fs_err::write(&file, before).unwrap();
    // A Claude Code that runs and writes nothing.
    let mut claude = fake_claude(
        &sandbox,
        "import sys, time\nopen(sys.argv[1], 'w').write('ready')\ntime.sleep(60)\n",
        &[],
    );
    let mut apply = std::process::Command::new(crate::support::mcpctl_bin());
    apply
        .env_clear()
        .envs(sandbox.env())
        .current_dir(sandbox.root())
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // Ctrl-C reaches an apply run from a terminal with SIGINT's default
    // action; a test run started in the background inherits it ignored
    // (and mcpctl keeps an ignored signal ignored), so give it the default.
    // SAFETY: signal(2) is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut apply, || {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let mut apply = apply.spawn().unwrap();
    let waiting = std::time::Instant::now();
    while !fs_err::read_to_string(&file).unwrap().contains("\"mine\"") {
        assert!(
            waiting.elapsed() < Duration::from_secs(20),
            "apply never wrote"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // At once: the write is visible, so rollback must already know of it
    // (apply records it before the rename, not after).
    // SAFETY: signals a child of this test.
    unsafe { libc::kill(apply.id() as libc::pid_t, libc::SIGINT) };
    let status = apply.wait().unwrap();
    let _ = claude.kill();
    claude.wait().unwrap();
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGINT), "apply ended by itself");
    }
    assert!(servers(&file).contains_key("mine"));
    assert!(!lock_of(&file).exists());
    let rollback = sandbox
        .mcpctl()
        .args(["rollback", "--auto-approve"])
        .output()
        .unwrap();
    let (out, err) = text(&rollback);
    assert!(rollback.status.success(), "{out}{err}");
    assert_eq!(
        fs_err::read_to_string(&file).unwrap(),
        before,
        "rollback did not undo the interrupted apply's write:\n{out}{err}"
    );
}
