//! The Windows build end to end, under Wine: `mcpctl.exe` stores a
//! credential in Wine's Credential Manager under the guide's name, finds one
//! stored the guide's way, writes Claude Code's, Claude Desktop's, VS Code's
//! and Codex's files with Windows paths (a CRLF file stays CRLF), plans
//! nothing afterwards, and `exec` hands the value to a `.cmd` server found
//! through `PATHEXT`, refuses a batch argument `cmd.exe` would interpret,
//! and passes the server's exit code on.
//!
//! Wine gives every program its own `%USERPROFILE%` and `%APPDATA%` inside
//! the Wine prefix, whatever the environment says, so the test makes a
//! prefix of its own in the sandbox: nothing outside it is touched. The
//! Windows binary comes from `MCPCTL_TEST_WINDOWS_EXE` (`scripts/test`
//! builds it); without it or Wine the test says it was skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{Sandbox, canary, skip, text};

struct Wine {
    wine: PathBuf,
    prefix: PathBuf,
    exe: PathBuf,
    /// Unix-side home (`%USERPROFILE%`) of the prefix's user.
    home: PathBuf,
    /// Unix-side `%APPDATA%`.
    appdata: PathBuf,
    /// Directory prepended to Windows' `PATH` (`WINEPATH`).
    bin: PathBuf,
    unix_home: PathBuf,
}

impl Drop for Wine {
    /// Stops the prefix's wineserver before the sandbox goes.
    fn drop(&mut self) {
        let server = ["wineserver64", "wineserver"]
            .into_iter()
            .map(|name| self.wine.with_file_name(name))
            .find(|path| path.is_file())
            .unwrap_or_else(|| PathBuf::from("wineserver"));
        let _ = Command::new(server)
            .arg("-k")
            .env("WINEPREFIX", &self.prefix)
            .status();
    }
}

/// The Windows form of a Unix path, as Wine maps it (drive `Z:` is `/`).
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

impl Wine {
    fn start(test: &str, sandbox: &Sandbox) -> Option<Wine> {
        let exe = match std::env::var("MCPCTL_TEST_WINDOWS_EXE") {
            Ok(exe) if Path::new(&exe).is_file() => PathBuf::from(exe),
            _ => {
                skip(
                    test,
                    "`MCPCTL_TEST_WINDOWS_EXE` does not name a built mcpctl.exe (scripts/test builds it)",
                );
                return None;
            }
        };
        let Some(wine) = ["/usr/lib/wine/wine64", "/usr/bin/wine64", "/usr/bin/wine"]
            .into_iter()
            .map(PathBuf::from)
            .find(|w| w.is_file())
        else {
            skip(test, "no wine64 (scripts/install-test-deps installs it)");
            return None;
        };
        let prefix = sandbox.root().join("wine-prefix");
        let unix_home = sandbox.home();
        let boot = Command::new(&wine)
            .args(["wineboot", "--init"])
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env("HOME", &unix_home)
            .output()
            .unwrap();
        let system32 = prefix.join("drive_c/windows/system32");
        assert!(
            system32.is_dir(),
            "wineboot made no prefix: {:?}",
            text(&boot)
        );
        let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/wine");
        let built = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-O2", "-shared", "-o"])
            .arg(system32.join("bcryptprimitives.dll"))
            .arg(shim.join("bcryptprimitives.c"))
            .arg(shim.join("bcryptprimitives.def"))
            .arg("-ladvapi32")
            .output()
            .unwrap();
        assert!(built.status.success(), "{:?}", text(&built));
        let users = prefix.join("drive_c/users");
        let home = fs_err::read_dir(&users)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public") && p.is_dir())
            .expect("a user directory in the prefix");
        let appdata = home.join("AppData/Roaming");
        let bin = sandbox.root().join("bin");
        fs_err::create_dir_all(&bin).unwrap();
        Some(Wine {
            wine,
            prefix,
            exe,
            home,
            appdata,
            bin,
            unix_home,
        })
    }

    /// A Windows program under this prefix; `program` is run by Wine.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(&self.wine);
        cmd.arg(program)
            .env_clear()
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=;winemenubuilder.exe=d")
            .env("WINEPATH", windows_path(&self.bin))
            .env("HOME", &self.unix_home)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("NO_COLOR", "1");
        cmd
    }

    fn mcpctl<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Command {
        let mut cmd = self.command(&self.exe);
        cmd.args(args);
        cmd
    }
}

/// A small Windows program that reads or writes a generic credential the
/// way the guide's `New-StoredCredential -Target NAME` makes one: target
/// name NAME, the value as the blob. `read NAME VALUE` answers whether
/// the stored blob is exactly VALUE (never printing it).
const CRED_TOOL: &str = r#"
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <string.h>
/* The value as the CredentialManager module's New-StoredCredential keeps
   it: UTF-16LE, no terminating NUL. */
static int wide(const char *text, WCHAR *out, int room) {
    return MultiByteToWideChar(CP_UTF8, 0, text, -1, out, room) - 1;
}
int main(int argc, char **argv) {
    WCHAR target[512], value[4096];
    if (argc != 4) return 2;
    wide(argv[2], target, 512);
    int length = wide(argv[3], value, 4096);
    if (strcmp(argv[1], "write") == 0) {
        CREDENTIALW c = {0};
        c.Type = CRED_TYPE_GENERIC;
        c.TargetName = target;
        c.UserName = L"token";
        c.CredentialBlobSize = (DWORD)(length * sizeof(WCHAR));
        c.CredentialBlob = (LPBYTE)value;
        c.Persist = CRED_PERSIST_LOCAL_MACHINE;
        if (!CredWriteW(&c, 0)) { printf("write failed %lu\n", GetLastError()); return 1; }
        printf("written\n");
        return 0;
    }
    PCREDENTIALW found;
    if (!CredReadW(target, CRED_TYPE_GENERIC, 0, &found)) { printf("absent\n"); return 1; }
    int same = found->CredentialBlobSize == length * sizeof(WCHAR)
        && memcmp(found->CredentialBlob, value, found->CredentialBlobSize) == 0;
    printf("%s, persist %lu\n", same ? "same value" : "other value", found->Persist);
    CredFree(found);
    return same ? 0 : 1;
}
"#;

/// Holds a file open the way editors do (reading, sharing only reads)
/// for the given seconds.
const HOLD_TOOL: &str = r#"
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    HANDLE h = CreateFileA(argv[1], GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) { printf("open failed %lu\n", GetLastError()); return 1; }
    printf("holding\n");
    fflush(stdout);
    Sleep(atoi(argv[2]) * 1000);
    CloseHandle(h);
    return 0;
}
"#;

fn windows_tool(sandbox: &Sandbox, name: &str, source: &str) -> PathBuf {
    let c = sandbox.root().join(format!("{name}.c"));
    fs_err::write(&c, source).unwrap();
    let exe = sandbox.root().join(format!("{name}.exe"));
    let built = Command::new("x86_64-w64-mingw32-gcc")
        .arg("-o")
        .arg(&exe)
        .arg(&c)
        .arg("-ladvapi32")
        .output()
        .unwrap();
    assert!(built.status.success(), "{:?}", text(&built));
    exe
}

fn cred_tool(sandbox: &Sandbox) -> PathBuf {
    let source = sandbox.root().join("cred.c");
    fs_err::write(&source, CRED_TOOL).unwrap();
    let exe = sandbox.root().join("cred.exe");
    let built = Command::new("x86_64-w64-mingw32-gcc")
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .arg("-ladvapi32")
        .output()
        .unwrap();
    assert!(built.status.success(), "{:?}", text(&built));
    exe
}

/// Unix processes (Wine runs each Windows process as one) whose command
/// line holds `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            cmdline.contains(marker).then_some(pid)
        })
        .collect()
}

/// The `ping` processes (not the `cmd` or `mcpctl.exe` that started them)
/// whose command line holds `marker`.
fn pings(marker: &str) -> Vec<u32> {
    processes_with(marker)
        .into_iter()
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).to_ascii_lowercase();
            !cmdline.contains("cmd")
                && !cmdline.contains("mcpctl")
                && !cmdline.contains("start.exe")
        })
        .collect()
}

/// Waits up to 20 s for `done`.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn said(output: &Output) -> String {
    let (out, err) = text(output);
    format!("{out}{err}")
}

fn every_file(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(path),
                Ok(kind) if kind.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    files
}

#[test]
fn the_windows_build_stores_writes_and_launches_under_wine() {
    let test = "the_windows_build_stores_writes_and_launches_under_wine";
    let sandbox = Sandbox::new();
    let Some(wine) = Wine::start(test, &sandbox) else {
        return;
    };
    let token = canary("wine");
    let cred = cred_tool(&sandbox);

    // Codex's file exists already, with CRLF line ends and a comment.
    let codex = wine.home.join(".codex/config.toml");
    fs_err::create_dir_all(codex.parent().unwrap()).unwrap();
    fs_err::write(&codex, "# mine\r\nmodel = \"o3\"\r\n").unwrap();

    // A server that is a batch file, found through PATHEXT as `fake`.
    fs_err::write(
        wine.bin.join("fake.cmd"),
        "@echo off\r\necho fake ran with %1 and a token of length\r\nexit /b 3\r\n",
    )
    .unwrap();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code\nclient claude-desktop\nclient vscode\nclient codex\n\
         credential GITHUB_TOKEN {\n    kind personal-access-token\n    rotate-every \"90d\"\n}\n\
         credential SLACK_TOKEN {\n    kind oauth-token\n}\n\
         server github {\n    command fake\n    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n    env SLACK_TOKEN credential=SLACK_TOKEN\n}\n",
    );
    let manifest_arg = windows_path(&manifest);

    // SLACK_TOKEN is stored the guide's way, before mcpctl runs.
    let slack = canary("wine-slack");
    let written = wine
        .command(&cred)
        .args(["write", "SLACK_TOKEN", &slack])
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", said(&written));

    let apply = wine
        .mcpctl(&[
            "apply",
            "--auto-approve",
            "--secrets-from-env",
            "-f",
            &manifest_arg,
        ])
        .env("GITHUB_TOKEN", &token)
        .output()
        .unwrap();
    eprintln!("mcpctl.exe apply:\n{}", said(&apply));
    assert!(apply.status.success(), "{}", said(&apply));
    let applied = said(&apply);
    assert!(applied.contains("stored `GITHUB_TOKEN`"), "{applied}");
    assert!(
        !applied.contains("stored `SLACK_TOKEN`"),
        "the guide's SLACK_TOKEN was not found: {applied}"
    );

    // A value over the Credential Manager's 2,560 bytes stops apply before
    // any value is stored, the small one before it included.
    let big = sandbox.root().join("big/mcpctl.kdl");
    fs_err::create_dir_all(big.parent().unwrap()).unwrap();
    fs_err::write(
        &big,
        "mcpctl version=1\nclient codex\ncredential A_TOKEN {\n    kind api-key\n}\ncredential B_TOKEN {\n    kind api-key\n}\n\
         server big {\n    command cmd\n    env A credential=A_TOKEN\n    env B credential=B_TOKEN\n}\n",
    )
    .unwrap();
    let refused = wine
        .mcpctl(&[
            "apply",
            "--auto-approve",
            "--secrets-from-env",
            "-f",
            &windows_path(&big),
        ])
        .env("A_TOKEN", canary("wine-small"))
        .env("B_TOKEN", "k".repeat(1281))
        .output()
        .unwrap();
    eprintln!(
        "mcpctl.exe apply with a 2,562-byte value: exit {:?}\n{}",
        refused.status.code(),
        said(&refused)
    );
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("the value for `B_TOKEN` is 2562 bytes; the Windows Credential Manager holds at most 2560"),
        "{}",
        said(&refused)
    );
    let small = wine
        .command(&cred)
        .args(["read", "A_TOKEN", &canary("wine-small")])
        .output()
        .unwrap();
    assert_eq!(text(&small).0.trim(), "absent", "{}", said(&small));

    // The Credential Manager holds the value under the credential's name.
    let read = wine
        .command(&cred)
        .args(["read", "GITHUB_TOKEN", &token])
        .output()
        .unwrap();
    eprintln!("cred.exe read GITHUB_TOKEN: {}", said(&read));
    assert!(read.status.success(), "{}", said(&read));

    // Each client file names mcpctl.exe by its plain Windows path.
    let exe = windows_path(&wine.exe);
    let json_files = [
        wine.home.join(".claude.json"),
        wine.appdata.join("Claude/claude_desktop_config.json"),
        wine.appdata.join("Code/User/mcp.json"),
    ];
    for file in &json_files {
        let text = fs_err::read_to_string(file).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let servers = value
            .get("mcpServers")
            .or_else(|| value.get("servers"))
            .unwrap_or_else(|| panic!("{}: {text}", file.display()));
        let command = servers["github"]["command"].as_str().unwrap();
        assert_eq!(command, exe, "{}", file.display());
        assert!(!command.starts_with(r"\\?\"), "{command}");
    }
    let toml = fs_err::read_to_string(&codex).unwrap();
    eprintln!("config.toml:\n{toml}");
    assert!(toml.starts_with("# mine\r\nmodel = \"o3\"\r\n"), "{toml:?}");
    assert!(
        !toml.replace("\r\n", "").contains('\n'),
        "a line without CR: {toml:?}"
    );
    let parsed: toml_edit::DocumentMut = toml.parse().unwrap();
    assert_eq!(
        parsed["mcp_servers"]["github"]["command"].as_str(),
        Some(exe.as_str())
    );
    // No value in any file of the Windows home.
    for file in every_file(&wine.home) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&token), "{} holds the token", file.display());
        assert!(!text.contains(&slack), "{} holds the token", file.display());
    }

    // A file's ACL that lets Everyone read it fails `check` (Wine makes
    // the ACL from the Unix mode: 0644 grants Everyone read).
    use std::os::unix::fs::PermissionsExt;
    let claude_json = wine.home.join(".claude.json");
    fs_err::set_permissions(&claude_json, std::fs::Permissions::from_mode(0o644)).unwrap();
    let check = wine
        .mcpctl(&["check", "-f", &manifest_arg])
        .output()
        .unwrap();
    eprintln!("mcpctl.exe check (0644):\n{}", said(&check));
    assert!(
        said(&check).contains(r"~\.claude.json: its access-control list lets Everyone read it"),
        "{}",
        said(&check)
    );
    assert!(!check.status.success());
    fs_err::set_permissions(&claude_json, std::fs::Permissions::from_mode(0o600)).unwrap();
    let check = wine
        .mcpctl(&["check", "-f", &manifest_arg])
        .output()
        .unwrap();
    assert!(
        said(&check).contains(r"~\.claude.json: readable by you, SYSTEM and Administrators only"),
        "{}",
        said(&check)
    );

    // Nothing left to do.
    let plan = wine
        .mcpctl(&["plan", "--detailed-exitcode", "-f", &manifest_arg])
        .output()
        .unwrap();
    eprintln!(
        "mcpctl.exe plan: exit {:?}\n{}",
        plan.status.code(),
        said(&plan)
    );
    assert_eq!(plan.status.code(), Some(0), "{}", said(&plan));

    // `mcpctl exec` as the entries run it, with these arguments.
    let exec = |rest: &[&'static str]| -> Vec<String> {
        [
            "exec",
            "--server",
            "github",
            "--manifest",
            manifest_arg.as_str(),
        ]
        .into_iter()
        .chain(rest.iter().copied())
        .map(str::to_owned)
        .collect()
    };

    // exec hands the value to a program, in its environment only.
    let echo = wine
        .mcpctl(&exec(&[
            "--env",
            "X=GITHUB_TOKEN",
            "--",
            "cmd",
            "/c",
            "echo",
            "%X%",
        ]))
        .output()
        .unwrap();
    assert!(echo.status.success(), "{}", said(&echo));
    assert_eq!(text(&echo).0.trim(), token);

    // The value stored the guide's way reads back the same.
    let guide = wine
        .mcpctl(&exec(&[
            "--env",
            "S=SLACK_TOKEN",
            "--",
            "cmd",
            "/c",
            "echo",
            "%S%",
        ]))
        .output()
        .unwrap();
    assert_eq!(text(&guide).0.trim(), slack, "{}", said(&guide));

    // A batch server found through PATHEXT; its exit code is passed on.
    let fake = wine
        .mcpctl(&exec(&["--env", "X=GITHUB_TOKEN", "--", "fake", "first"]))
        .output()
        .unwrap();
    eprintln!(
        "mcpctl.exe exec -- fake first: exit {:?}\n{}",
        fake.status.code(),
        said(&fake)
    );
    assert!(
        said(&fake).contains("fake ran with first"),
        "{}",
        said(&fake)
    );
    assert_eq!(fake.status.code(), Some(3));

    // The server dies with mcpctl.exe (its job object), which a program
    // started by another parent does not: the control shows the check can
    // fail.
    let count = 600 + std::process::id() % 300;
    let marker = format!("-n {count} 127.0.0.1");
    let ping_args = ["ping", "-n", &count.to_string(), "127.0.0.1"].map(str::to_owned);
    let mut control = wine.command(Path::new("cmd"));
    let mut control = control.arg("/c").args(&ping_args).spawn().unwrap();
    wait_for("the control's ping never started", || {
        !pings(&marker).is_empty()
    });
    control.kill().unwrap();
    control.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let orphans = pings(&marker);
    assert!(
        !orphans.is_empty(),
        "the control's ping died with its parent: the check cannot tell"
    );
    for pid in orphans {
        // SAFETY: ends a process this test started.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    }
    wait_for("the control's ping would not end", || {
        processes_with(&marker).is_empty()
    });
    let mut args = exec(&["--"]);
    args.extend(ping_args.iter().cloned());
    let mut server = wine.mcpctl(&args).spawn().unwrap();
    wait_for("ping under mcpctl.exe never started", || {
        !pings(&marker).is_empty()
    });
    server.kill().unwrap();
    server.wait().unwrap();
    wait_for("the server outlived mcpctl.exe", || {
        processes_with(&marker).is_empty()
    });
    eprintln!("mcpctl.exe killed: its server ended with it (job object)");

    // An argument cmd.exe would interpret never reaches the batch file.
    let refused = wine
        .mcpctl(&exec(&["--", "fake", "a&calc"]))
        .output()
        .unwrap();
    eprintln!(
        "mcpctl.exe exec -- fake a&calc: exit {:?}\n{}",
        refused.status.code(),
        said(&refused)
    );
    assert!(!refused.status.success());
    assert!(!said(&refused).contains("fake ran"), "{}", said(&refused));

    // `remind install` hands Task Scheduler its XML through `schtasks
    // /Create /XML`, which Wine's schtasks accepts and registers; uninstall
    // removes it again.
    let tasks = wine.prefix.join("drive_c/windows/system32/tasks");
    let registered = || -> Vec<PathBuf> {
        std::fs::read_dir(&tasks)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("mcpctl-remind-"))
            })
            .collect()
    };
    let install = wine
        .mcpctl(&["remind", "install", "-f", &manifest_arg])
        .output()
        .unwrap();
    eprintln!(
        "mcpctl.exe remind install: exit {:?}\n{}",
        install.status.code(),
        said(&install)
    );
    assert!(install.status.success(), "{}", said(&install));
    let task = registered();
    assert_eq!(
        task.len(),
        1,
        "schtasks registered no task: {}",
        said(&install)
    );
    let xml = String::from_utf16_lossy(
        &std::fs::read(&task[0])
            .unwrap()
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect::<Vec<_>>(),
    );
    let xml = if xml.contains("remind") {
        xml
    } else {
        fs_err::read_to_string(&task[0]).unwrap()
    };
    // Wine 8 keeps the registration, description and settings it was
    // given, and drops what its parser does not know (the calendar
    // trigger, the action's command): those are checked by the snapshot
    // `remind::schedule::tests::task_scheduler_task`.
    for kept in [
        "<Description>mcpctl: daily reminder of credentials due for rotation in",
        "<StartWhenAvailable>true</StartWhenAvailable>",
        "<ExecutionTimeLimit>PT5M</ExecutionTimeLimit>",
        "<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
    ] {
        assert!(
            xml.contains(kept),
            "{kept} is not in what schtasks registered:\n{xml}"
        );
    }
    let uninstall = wine
        .mcpctl(&["remind", "uninstall", "-f", &manifest_arg])
        .output()
        .unwrap();
    assert!(uninstall.status.success(), "{}", said(&uninstall));
    assert!(registered().is_empty(), "the task is still registered");

    // A file an editor holds open is a clear error that leaves it as it
    // was; once it is closed, apply goes through.
    let hold = windows_tool(&sandbox, "hold", HOLD_TOOL);
    let before = fs_err::read(&codex).unwrap();
    fs_err::write(
        &manifest,
        fs_err::read_to_string(&manifest).unwrap() + "server other {\n    command cmd\n}\n",
    )
    .unwrap();
    let mut holder = wine
        .command(&hold)
        .arg(windows_path(&codex))
        .arg("30")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(holder.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "holding");
    }
    let held = wine
        .mcpctl(&["apply", "--auto-approve", "-f", &manifest_arg])
        .output()
        .unwrap();
    eprintln!(
        "mcpctl.exe apply while config.toml is held open: exit {:?}\n{}",
        held.status.code(),
        said(&held)
    );
    assert!(!held.status.success());
    assert!(
        said(&held).contains("config.toml`: another program has it open"),
        "{}",
        said(&held)
    );
    assert_eq!(
        fs_err::read(&codex).unwrap(),
        before,
        "a held file was changed"
    );
    let leftovers: Vec<_> = fs_err::read_dir(codex.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "config.toml")
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    holder.kill().unwrap();
    holder.wait().unwrap();
    let after = wine
        .mcpctl(&["apply", "--auto-approve", "-f", &manifest_arg])
        .output()
        .unwrap();
    assert!(after.status.success(), "{}", said(&after));
    assert!(
        fs_err::read_to_string(&codex)
            .unwrap()
            .contains("[mcp_servers.other]")
    );
}
