//! Hostile input: client files and manifests that are FIFOs, not UTF-8,
//! deeply nested, huge or unreadable, and paths through other users' links
//! or to other users' files, get a clear error naming the file, never a
//! hang, a crash or a write. Symlinks of the user's own (dotfile managers)
//! are written through and kept.
//!
//! The ownership tests need root (to hand a file or link to another user);
//! CI runs as root, elsewhere they skip loudly.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::{Sandbox, mcpctl_bin, secret_service, skip, text};

/// The user mcpctl runs as when a test needs someone other than root.
const NOBODY: u32 = 65534;

const MANIFEST: &str = "mcpctl version=1\nclient claude-code\nclient vscode\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n";

fn mkfifo(path: &std::path::Path) {
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// `plan` on the sandbox must fail within seconds, naming `needle`.
fn plan_fails(sandbox: &Sandbox, manifest: &std::path::Path, needle: &str) -> String {
    plan_fails_as(sandbox.mcpctl(), manifest, needle)
}

/// Like [`plan_fails`], with `mcpctl` started by `mcpctl` (e.g. as another
/// user); returns stderr unwrapped.
fn plan_fails_as(mut mcpctl: assert_cmd::Command, manifest: &Path, needle: &str) -> String {
    let output = mcpctl
        .arg("--manifest")
        .arg(manifest)
        .arg("plan")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    let err = unwrapped(&err);
    assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
    err
}

/// Diagnostics with miette's line wrapping and indentation undone.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_fifo_client_file_is_an_error_not_a_hang() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    mkfifo(&sandbox.claude_json());
    let err = plan_fails(&sandbox, &manifest, ".claude.json");
    assert!(err.contains("FIFO"), "{err}");
}

#[test]
fn a_fifo_manifest_is_an_error_not_a_hang() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.root().join("repo/mcpctl.kdl");
    mkfifo(&fifo);
    plan_fails(&sandbox, &fifo, "FIFO");
}

#[test]
fn a_client_file_that_is_not_utf8_is_named_and_left_alone() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let bytes = b"{\"mcpServers\": {}, \"name\": \"caf\xe9\"}\n";
    fs_err::write(sandbox.claude_json(), bytes).unwrap();
    plan_fails(&sandbox, &manifest, "not UTF-8");
    assert_eq!(fs_err::read(sandbox.claude_json()).unwrap(), bytes);
}

#[test]
fn deeply_nested_client_files_are_errors_not_crashes() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    // Over 1 MiB: validated on one thread while the table is read on
    // another (`Document::parse_entries`).
    let depth = 600_000;
    let deep = format!(
        "{{\"mcpServers\": {{}}, \"x\": {}{}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    fs_err::write(sandbox.claude_json(), &deep).unwrap();
    let jsonc = format!("// mine\n{deep}");
    fs_err::create_dir_all(sandbox.vscode_json().parent().unwrap()).unwrap();
    fs_err::write(sandbox.vscode_json(), &jsonc).unwrap();
    // Strict JSON is validated without recursion (serde's `IgnoredAny`), so
    // the deep `~/.claude.json` is valid and read; the JSONC parser has a
    // nesting limit, and names the file.
    let err = plan_fails(&sandbox, &manifest, "mcp.json");
    assert!(err.contains("nesting depth"), "{err}");
    assert!(!err.contains(".claude.json"), "{err}");
    assert_eq!(fs_err::read_to_string(sandbox.claude_json()).unwrap(), deep);
    assert_eq!(
        fs_err::read_to_string(sandbox.vscode_json()).unwrap(),
        jsonc
    );
}

#[test]
fn a_deeply_nested_manifest_is_an_error_not_a_crash() {
    let sandbox = Sandbox::new();
    let depth = 100_000;
    let text = format!(
        "mcpctl version=1\nserver x {}{}\n",
        "{ a ".repeat(depth),
        "}".repeat(depth)
    );
    let manifest = sandbox.manifest(&text);
    plan_fails(&sandbox, &manifest, "mcpctl.kdl");
}

/// Every entry under `root` (files, links, directories) with its size and
/// modification time: equal before and after means nothing was written.
fn tree(root: &Path) -> BTreeMap<PathBuf, (u64, i64, i64)> {
    let mut entries = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir).unwrap().flatten() {
            let meta = fs_err::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            }
            entries.insert(entry.path(), (meta.len(), meta.mtime(), meta.mtime_nsec()));
        }
    }
    entries
}

fn is_root(sandbox: &Sandbox) -> bool {
    // The sandbox belongs to whoever runs the tests.
    fs_err::metadata(sandbox.root()).unwrap().uid() == 0
}

/// A sparse file of `len` bytes: no disk is used.
fn sparse(path: &Path, len: u64) {
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

#[test]
fn a_client_file_over_the_size_cap_is_refused_unread_and_untouched() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let len = (1 << 30) + 1;
    sparse(&sandbox.claude_json(), len);
    // A second broken file: every one is listed, not just the first.
    mkfifo(&sandbox.vscode_json());
    let before = tree(sandbox.root());
    let err = plan_fails(&sandbox, &manifest, ".claude.json");
    assert!(err.contains("1073741825 bytes"), "{err}");
    assert!(err.contains("limit of 1 GiB"), "{err}");
    assert!(err.contains("trim it or move it aside"), "{err}");
    assert!(err.contains("mcp.json") && err.contains("FIFO"), "{err}");
    // Same length, same mtime, no temporary file, nothing else written.
    assert_eq!(tree(sandbox.root()), before);
}

#[test]
fn a_manifest_over_its_size_cap_is_refused() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.root().join("repo/mcpctl.kdl");
    sparse(&manifest, (16 << 20) + 1);
    let before = tree(sandbox.root());
    let err = plan_fails(&sandbox, &manifest, "mcpctl.kdl");
    assert!(err.contains("16777217 bytes"), "{err}");
    assert!(err.contains("limit of 16 MiB"), "{err}");
    assert!(err.contains("a manifest is a few kilobytes"), "{err}");
    assert_eq!(tree(sandbox.root()), before);
}

/// Gives every entry under `root` (links included, not followed) to `uid`.
fn chown_tree(root: &Path, uid: u32) {
    std::os::unix::fs::lchown(root, Some(uid), Some(uid)).unwrap();
    for (path, _) in tree(root) {
        std::os::unix::fs::lchown(&path, Some(uid), Some(uid)).unwrap();
    }
}

#[test]
fn an_unreadable_client_file_is_named_and_nothing_is_written() {
    const NAME: &str = "an_unreadable_client_file_is_named_and_nothing_is_written";
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let original = "{\"mcpServers\": {}}\n";
    fs_err::write(sandbox.claude_json(), original).unwrap();
    let root = is_root(&sandbox);
    let plan = if root {
        // Root reads mode-000 files: run mcpctl as nobody instead, on a
        // sandbox that is nobody's except the client file (root's, 0600).
        let setpriv_works = std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !setpriv_works {
            skip(
                NAME,
                "running as root and `setpriv` (util-linux) is missing",
            );
            return;
        }
        // A copy nobody can run, wherever the build directory is.
        let bin = sandbox.root().join("bin/mcpctl");
        fs_err::create_dir_all(bin.parent().unwrap()).unwrap();
        fs_err::copy(mcpctl_bin(), &bin).unwrap();
        chown_tree(sandbox.root(), NOBODY);
        std::os::unix::fs::chown(sandbox.claude_json(), Some(0), Some(0)).unwrap();
        let mut cmd = sandbox.program("setpriv");
        cmd.arg(format!("--reuid={NOBODY}"))
            .arg(format!("--regid={NOBODY}"))
            .args(["--clear-groups", "--"])
            .arg(bin);
        cmd
    } else {
        sandbox.mcpctl()
    };
    std::fs::set_permissions(
        sandbox.claude_json(),
        std::os::unix::fs::PermissionsExt::from_mode(if root { 0o600 } else { 0o000 }),
    )
    .unwrap();
    let before = tree(sandbox.root());
    let err = plan_fails_as(plan, &manifest, ".claude.json");
    assert!(err.contains("Permission denied"), "{err}");
    assert!(err.contains("nothing was planned or written"), "{err}");
    assert_eq!(tree(sandbox.root()), before);
    let readable = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    std::fs::set_permissions(sandbox.claude_json(), readable).unwrap();
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        original
    );
}

/// `apply --auto-approve`: its exit code, stdout and stderr.
fn apply(sandbox: &Sandbox, manifest: &Path) -> (Option<i32>, String, String) {
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(manifest)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    (output.status.code(), out, unwrapped(&err))
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn apply_writes_through_a_symlinked_client_file_and_keeps_the_link() {
    if !secret_service("apply_writes_through_a_symlinked_client_file_and_keeps_the_link") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    // As chezmoi or stow leave it: the real file lives in a dotfiles repo.
    let real = sandbox.home().join("dotfiles/claude.json");
    fs_err::create_dir_all(real.parent().unwrap()).unwrap();
    fs_err::write(&real, "{\"numStartups\": 7}\n").unwrap();
    std::os::unix::fs::symlink("dotfiles/claude.json", sandbox.claude_json()).unwrap();

    let (code, out, err) = apply(&sandbox, &manifest);
    assert_eq!(code, Some(0), "{out}\n{err}");
    let link = fs_err::symlink_metadata(sandbox.claude_json()).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        fs_err::read_link(sandbox.claude_json()).unwrap(),
        Path::new("dotfiles/claude.json")
    );
    let written: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(written["numStartups"], 7);
    assert_eq!(
        written["mcpServers"]["docs"]["url"],
        "https://mcp.example.com/mcp"
    );
    let leftovers: Vec<_> = sandbox
        .all_files()
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".mcpctl-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let output = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "plan not empty:\n{out}\n{err}"
    );
}

/// Sets up a test that needs root to give something to another user;
/// `None` (after a loud skip) when the tests do not run as root.
fn root_sandbox(test: &str) -> Option<Sandbox> {
    let sandbox = Sandbox::new();
    if is_root(&sandbox) {
        Some(sandbox)
    } else {
        skip(
            test,
            "needs root to give a file or link to another user (CI runs as root)",
        );
        None
    }
}

/// `plan` and `apply` both refuse, naming `needle`; nothing is written.
fn plan_and_apply_refuse(sandbox: &Sandbox, manifest: &Path, test: &str, needle: &str) -> String {
    let before = tree(sandbox.root());
    let err = plan_fails(sandbox, manifest, needle);
    assert_eq!(tree(sandbox.root()), before);
    if secret_service(test) {
        let (code, out, apply_err) = apply(sandbox, manifest);
        assert_eq!(code, Some(1), "{out}\n{apply_err}");
        assert!(apply_err.contains(needle), "{apply_err}");
        let after = tree(sandbox.root());
        // apply may record its run under the state directory; no other
        // file is created or changed.
        let state = sandbox.root().join("state");
        let outside = |t: &BTreeMap<PathBuf, _>| {
            t.iter()
                .filter(|(p, _)| !p.starts_with(&state))
                .map(|(p, v)| (p.clone(), *v))
                .collect::<Vec<(PathBuf, (u64, i64, i64))>>()
        };
        assert_eq!(outside(&after), outside(&before));
    }
    err
}

#[test]
fn a_symlink_owned_by_another_user_is_not_followed() {
    const NAME: &str = "a_symlink_owned_by_another_user_is_not_followed";
    let Some(sandbox) = root_sandbox(NAME) else {
        return;
    };
    let manifest = sandbox.manifest(MANIFEST);
    let elsewhere = sandbox.root().join("elsewhere/config.json");
    fs_err::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    fs_err::write(&elsewhere, "{}\n").unwrap();
    std::os::unix::fs::symlink(&elsewhere, sandbox.claude_json()).unwrap();
    std::os::unix::fs::lchown(sandbox.claude_json(), Some(NOBODY), Some(NOBODY)).unwrap();

    let err = plan_and_apply_refuse(
        &sandbox,
        &manifest,
        NAME,
        "is a symbolic link owned by uid 65534",
    );
    assert!(err.contains(".claude.json"), "{err}");
    assert!(err.contains("neither you (uid 0) nor root"), "{err}");
    assert!(err.contains("sudo chown -h 0"), "{err}");
    assert_eq!(fs_err::read_to_string(&elsewhere).unwrap(), "{}\n");
}

#[test]
fn a_client_file_owned_by_another_user_is_not_replaced() {
    const NAME: &str = "a_client_file_owned_by_another_user_is_not_replaced";
    let Some(sandbox) = root_sandbox(NAME) else {
        return;
    };
    let manifest = sandbox.manifest(MANIFEST);
    fs_err::write(sandbox.claude_json(), "{}\n").unwrap();
    std::os::unix::fs::chown(sandbox.claude_json(), Some(NOBODY), Some(NOBODY)).unwrap();

    let err = plan_and_apply_refuse(&sandbox, &manifest, NAME, "belongs to uid 65534");
    assert!(err.contains(".claude.json"), "{err}");
    assert!(err.contains("mcpctl runs as uid 0"), "{err}");
    assert!(err.contains("run mcpctl as the file's owner"), "{err}");
    let meta = fs_err::metadata(sandbox.claude_json()).unwrap();
    assert_eq!((meta.uid(), meta.len()), (NOBODY, 3));
}

/// A hand-written client entry whose name, command and args hold ESC, CSI
/// (U+009B), DEL and U+202E: `plan` shows its diff and `scan` its name
/// with every one of them as a visible escape, never raw.
#[test]
fn plan_and_scan_escape_control_characters_of_a_hand_written_entry() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = format!("ghp_{}", "Q7".repeat(18));
    let entries = serde_json::json!({ "mcpServers": {
        "docs": {
            "command": "npx\u{1b}[2J",
            "args": ["\u{202e}gnp", "\u{9b}31m", "x\u{7f}", "\u{1b}]52;c;Y3VybA==\u{7}"]
        },
        "evil\u{1b}[31m\u{202e}": {
            "command": "npx",
            "env": { "GITHUB_TOKEN": token }
        }
    }});
    fs_err::write(sandbox.claude_json(), entries.to_string()).unwrap();
    let raw =
        |text: &str| text.contains(|c: char| c != '\n' && mcpctl::terminal_text::is_unsafe(c));

    let out = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("docs conflicts"), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(r#""\u{202e}gnp", "\u{9b}31m", "x\u{7f}""#),
        "{stdout}"
    );
    assert!(!raw(&stdout) && !raw(&stderr), "{stdout:?}\n{stderr:?}");

    let out = sandbox.mcpctl().arg("scan").output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.contains(r"server `evil\u{1b}[31m\u{202e}`"),
        "{stdout}\n{stderr}"
    );
    assert!(!raw(&stdout) && !raw(&stderr), "{stdout:?}\n{stderr:?}");
}

/// `git` in `dir`, with the sandbox's environment; panics when it fails.
fn git(sandbox: &Sandbox, dir: &Path, args: &[&str]) {
    let output = sandbox
        .program("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert!(output.status.success(), "git {args:?}:\n{out}\n{err}");
}

#[test]
fn a_committed_symlink_out_of_the_project_is_refused_and_nothing_outside_is_read_or_written() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code scope=project\nclient vscode scope=project\nclient codex\n\
         server probe {\n    command \"sh\" \"-c\" \"echo $(id)\"\n}\n",
    );
    let repo = manifest.parent().unwrap().to_path_buf();
    // What the branch points at: a file the shell sources, and a
    // directory whose `mcp.json` is a FIFO (opening it would be seen).
    let sourced = sandbox.root().join("outside/mcp.sh");
    fs_err::create_dir_all(sourced.parent().unwrap()).unwrap();
    fs_err::write(&sourced, "# sourced by ~/.bashrc\nalias ll='ls -l'\n").unwrap();
    mkfifo(&sandbox.root().join("elsewhere/mcp.json"));
    // A dotfile manager's link in user scope stays allowed.
    let dotfile = sandbox.home().join("dotfiles/codex.toml");
    fs_err::create_dir_all(dotfile.parent().unwrap()).unwrap();
    fs_err::write(&dotfile, "model = \"o3\"\n").unwrap();
    fs_err::create_dir_all(sandbox.codex_toml().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&dotfile, sandbox.codex_toml()).unwrap();

    // The links arrive as a cloned branch: git creates them, as the user.
    std::os::unix::fs::symlink("../outside/mcp.sh", repo.join(".mcp.json")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", repo.join(".vscode")).unwrap();
    git(&sandbox, &repo, &["init", "-q"]);
    git(&sandbox, &repo, &["add", "-A"]);
    git(&sandbox, &repo, &["commit", "-q", "-m", "hostile"]);
    fs_err::remove_file(repo.join(".mcp.json")).unwrap();
    fs_err::remove_file(repo.join(".vscode")).unwrap();
    git(&sandbox, &repo, &["checkout", "-q", "--", "."]);
    assert!(
        fs_err::symlink_metadata(repo.join(".mcp.json"))
            .unwrap()
            .is_symlink()
    );

    // miette breaks long paths at `-`: compared without any whitespace.
    let squeezed = |text: &str| text.split_whitespace().collect::<String>();
    let outside = |what: &str, resolved: &Path| {
        squeezed(&format!(
            "`{}` resolves to `{}`, outside the project `{}`",
            repo.join(what).display(),
            resolved.display(),
            repo.display()
        ))
    };
    let before = tree(&sandbox.root().join("outside"));
    let sourced_bytes = fs_err::read(&sourced).unwrap();
    for offline in [false, true] {
        let mut mcpctl = sandbox.mcpctl();
        if offline {
            mcpctl.arg("plan").arg("--offline");
        } else {
            mcpctl.arg("plan");
        }
        let output = mcpctl
            .arg("-f")
            .arg(&manifest)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let (out, err) = text(&output);
        let err = squeezed(&err);
        assert_eq!(
            output.status.code(),
            Some(1),
            "offline={offline}\n{out}\n{err}"
        );
        assert!(err.contains(&outside(".mcp.json", &sourced)), "{err}");
        assert!(
            err.contains(&outside(".vscode", &sandbox.root().join("elsewhere"))),
            "{err}"
        );
        assert!(err.contains("hint:removethelink"), "{err}");
        assert!(!err.contains("FIFO"), "the file outside was opened: {err}");
    }
    let (code, out, err) = apply(&sandbox, &manifest);
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(
        squeezed(&err).contains(&outside(".mcp.json", &sourced)),
        "{err}"
    );
    assert_eq!(fs_err::read(&sourced).unwrap(), sourced_bytes);
    assert_eq!(tree(&sandbox.root().join("outside")), before);
    assert_eq!(
        fs_err::read_to_string(&dotfile).unwrap(),
        "model = \"o3\"\n"
    );

    // Links inside the project are the project's business: allowed, and
    // the plan shows where each file really is.
    fs_err::remove_file(repo.join(".mcp.json")).unwrap();
    fs_err::remove_file(repo.join(".vscode")).unwrap();
    fs_err::create_dir_all(repo.join("config/vscode")).unwrap();
    std::os::unix::fs::symlink("config/claude.json", repo.join(".mcp.json")).unwrap();
    std::os::unix::fs::symlink("config/vscode", repo.join(".vscode")).unwrap();
    let output = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{err}");
    for (nominal, real) in [
        (repo.join(".mcp.json"), repo.join("config/claude.json")),
        (
            repo.join(".vscode/mcp.json"),
            repo.join("config/vscode/mcp.json"),
        ),
    ] {
        let shown = format!("{} -> {}", nominal.display(), real.display());
        assert!(out.contains(&shown), "expected `{shown}` in:\n{out}");
    }
    assert!(
        out.contains("~/.codex/config.toml -> ~/dotfiles/codex.toml"),
        "{out}"
    );
    let (code, out, err) = apply(&sandbox, &manifest);
    assert_eq!(code, Some(0), "{out}\n{err}");
    let written = fs_err::read_to_string(repo.join("config/claude.json")).unwrap();
    assert!(written.contains("echo $(id)"), "{written}");
    assert!(
        fs_err::symlink_metadata(repo.join(".mcp.json"))
            .unwrap()
            .is_symlink()
    );
    assert!(
        fs_err::read_to_string(&dotfile)
            .unwrap()
            .contains("[mcp_servers.probe]")
    );
    assert_eq!(fs_err::read(&sourced).unwrap(), sourced_bytes);
}

/// `init` and `add` create the manifest: a repository that commits
/// `mcpctl.kdl` as a link out of itself (dangling, so `init` sees no
/// manifest) must not have them write mcpctl's text into a file the shell
/// sources, nor `init --force` replace one.
#[test]
fn a_committed_manifest_link_out_of_the_project_is_not_written_through() {
    let sandbox = Sandbox::new();
    let repo = sandbox.root().join("repo");
    let outside = sandbox.root().join("outside");
    fs_err::create_dir_all(&repo).unwrap();
    fs_err::create_dir_all(&outside).unwrap();
    let sourced = outside.join("bashrc");
    fs_err::write(&sourced, "alias ll='ls -l'\n").unwrap();
    let link = repo.join("mcpctl.kdl");
    let run = |args: &[&str]| {
        let output = sandbox
            .mcpctl()
            .current_dir(&repo)
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let (out, err) = text(&output);
        (output.status.code(), format!("{out}\n{err}"))
    };
    // Dangling: a new file outside; then an existing one with --force.
    std::os::unix::fs::symlink("../outside/conf.fish", &link).unwrap();
    for args in [&["init", "--from-clients"][..], &["add", "github"][..]] {
        let (code, out) = run(args);
        assert_eq!(code, Some(1), "{args:?}: {out}");
        assert!(
            unwrapped(&out).contains("outside the project"),
            "{args:?}: {out}"
        );
        assert!(
            !outside.join("conf.fish").exists(),
            "{args:?} wrote outside"
        );
    }
    fs_err::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("../outside/bashrc", &link).unwrap();
    let (code, out) = run(&["init", "--from-clients", "--force"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(unwrapped(&out).contains("outside the project"), "{out}");
    assert_eq!(
        fs_err::read_to_string(&sourced).unwrap(),
        "alias ll='ls -l'\n"
    );
    // A link inside the project is the project's business.
    fs_err::remove_file(&link).unwrap();
    fs_err::create_dir_all(repo.join("config")).unwrap();
    std::os::unix::fs::symlink("config/mcpctl.kdl", &link).unwrap();
    let (code, out) = run(&["init", "--from-clients"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(repo.join("config/mcpctl.kdl").is_file());
}

/// A pull request's check runs `mcpctl validate` or `plan` on the branch: a
/// committed `mcpctl.kdl` (or `mcpctl.local.kdl`) linking to a private key
/// must not have its lines quoted into the CI log as syntax errors. The
/// manifest and the profile beside it are project files: read only inside
/// the project.
#[test]
fn a_committed_manifest_link_to_a_secret_file_is_refused_unread() {
    let sandbox = Sandbox::new();
    let secret_dir = sandbox.root().join("runner/.ssh");
    fs_err::create_dir_all(&secret_dir).unwrap();
    let key_lines = [
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACBkQ2FuYXJ5S2V5TGluZVR3b1FxN3pXcjhYdGs0bUoyUHZMOUFzRWZHaEoA",
    ];
    let key = secret_dir.join("id_ed25519");
    fs_err::write(
        &key,
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            key_lines.join("\n")
        ),
    )
    .unwrap();
    let repo = sandbox.root().join("repo");
    fs_err::create_dir_all(&repo).unwrap();
    let leaked = |out: &str| key_lines.iter().any(|line| out.contains(&line[..20]));
    std::os::unix::fs::symlink(&key, repo.join("mcpctl.kdl")).unwrap();
    for args in [&["validate"][..], &["plan"][..], &["plan", "--offline"][..]] {
        let output = sandbox
            .mcpctl()
            .current_dir(&repo)
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let (out, err) = text(&output);
        let all = format!("{out}\n{err}");
        assert_ne!(output.status.code(), Some(0), "{args:?}: {all}");
        assert!(!leaked(&all), "{args:?} quoted the key: {all}");
        assert!(
            unwrapped(&all).contains("outside the project"),
            "{args:?}: {all}"
        );
    }
    // The personal profile beside a valid manifest.
    fs_err::remove_file(repo.join("mcpctl.kdl")).unwrap();
    fs_err::write(
        repo.join("mcpctl.kdl"),
        "mcpctl version=1\nclient claude-code\nserver probe {\n    command \"true\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&key, repo.join("mcpctl.local.kdl")).unwrap();
    let output = sandbox
        .mcpctl()
        .current_dir(&repo)
        .args(["plan"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    let all = format!("{out}\n{err}");
    assert_ne!(output.status.code(), Some(0), "{all}");
    assert!(!leaked(&all), "plan quoted the key: {all}");
    assert!(unwrapped(&all).contains("outside the project"), "{all}");
}

/// `scan --git` is what a pull request's check runs. Git tracks a link,
/// not what it names: a committed link to `/dev/zero` must not exhaust the
/// runner's memory, and one to a file outside the repository must not be
/// read and reported as if it were the repository's.
#[test]
fn scan_git_does_not_follow_committed_links() {
    let sandbox = Sandbox::new();
    let outside = sandbox.root().join("runner");
    fs_err::create_dir_all(&outside).unwrap();
    let dotenv = outside.join("dotenv");
    fs_err::write(&dotenv, "STRIPE=sk_live_a1B2c3D4e5F6g7H8i9J0kLmN\n").unwrap();
    let repo = sandbox.root().join("repo");
    fs_err::create_dir_all(&repo).unwrap();
    fs_err::write(repo.join("README.md"), "# project\n").unwrap();
    std::os::unix::fs::symlink("/dev/zero", repo.join("notes.txt")).unwrap();
    std::os::unix::fs::symlink(&dotenv, repo.join("config.env")).unwrap();
    git(&sandbox, &repo, &["init", "-q"]);
    git(&sandbox, &repo, &["add", "-A"]);
    git(&sandbox, &repo, &["commit", "-q", "-m", "hostile"]);
    let output = sandbox
        .mcpctl()
        .current_dir(&repo)
        .args(["scan", "--git"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}\n{err}");
    assert!(
        !out.contains("sk_live") && !err.contains("sk_live"),
        "{out}\n{err}"
    );
    // A device named on the command line is refused, not read forever.
    let output = sandbox
        .mcpctl()
        .args(["scan", "/dev/zero"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert!(
        format!("{out}{err}").contains("`/dev/zero` is not a regular file"),
        "{out}\n{err}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `import` reads the current directory's project files, so a committed
/// `.mcp.json` linking out of the project shows it a file outside; what it
/// writes must stay inside: the link is refused before any value is stored
/// or any file written.
#[test]
fn import_through_a_committed_link_out_of_the_project_writes_and_stores_nothing() {
    if !secret_service(
        "import_through_a_committed_link_out_of_the_project_writes_and_stores_nothing",
    ) {
        return;
    }
    let sandbox = Sandbox::new();
    let outside = sandbox.root().join("outside/mcp.json");
    fs_err::create_dir_all(outside.parent().unwrap()).unwrap();
    let token = "ghp_Zq8Rk2Lm4Np6Tv1Xw3Yb5Cd7Fh9Jk0Mn2Pq4";
    let text_before = format!(
        r#"{{"mcpServers": {{"gh": {{"command": "npx", "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "{token}"}}}}}}}}"#
    );
    fs_err::write(&outside, &text_before).unwrap();
    let repo = sandbox.root().join("repo");
    fs_err::create_dir_all(&repo).unwrap();
    std::os::unix::fs::symlink("../outside/mcp.json", repo.join(".mcp.json")).unwrap();
    let output = sandbox
        .mcpctl()
        .current_dir(&repo)
        .args(["import", "--auto-approve"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(
        unwrapped(&err).contains("outside the project"),
        "{out}\n{err}"
    );
    assert!(!out.contains(token) && !err.contains(token));
    assert_eq!(fs_err::read_to_string(&outside).unwrap(), text_before);
    assert!(
        fs_err::symlink_metadata(repo.join(".mcp.json"))
            .unwrap()
            .is_symlink()
    );
    // Nothing was stored: exec cannot read the credential.
    let stored = sandbox
        .mcpctl()
        .args(["exec", "--server", "check", "--env"])
        .arg("VALUE=GITHUB_PERSONAL_ACCESS_TOKEN")
        .args(["--", "printenv", "VALUE"])
        .output()
        .unwrap();
    assert!(!stored.status.success(), "{:?}", text(&stored));
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `rollback --force` restores a file changed since the apply: a branch
/// checked out since that replaced `.mcp.json` with a link out of the
/// project must not have the backup written into what the link names.
#[test]
fn rollback_does_not_restore_through_a_link_that_appeared_since_the_apply() {
    if !secret_service("rollback_does_not_restore_through_a_link_that_appeared_since_the_apply") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code scope=project\nserver probe {\n    command \"true\"\n}\n",
    );
    let repo = manifest.parent().unwrap().to_path_buf();
    fs_err::write(repo.join(".mcp.json"), "{}\n").unwrap();
    let (code, out, err) = apply(&sandbox, &manifest);
    assert_eq!(code, Some(0), "{out}\n{err}");
    let sourced = sandbox.root().join("outside/bashrc");
    fs_err::create_dir_all(sourced.parent().unwrap()).unwrap();
    fs_err::write(&sourced, "alias ll='ls -l'\n").unwrap();
    fs_err::remove_file(repo.join(".mcp.json")).unwrap();
    std::os::unix::fs::symlink("../outside/bashrc", repo.join(".mcp.json")).unwrap();
    let output = sandbox
        .mcpctl()
        .args(["rollback", "--force", "--auto-approve"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(
        unwrapped(&err.replace('│', " ")).contains("now leads to"),
        "{out}\n{err}"
    );
    assert_eq!(
        fs_err::read_to_string(&sourced).unwrap(),
        "alias ll='ls -l'\n"
    );
}

#[cfg(target_os = "linux")]
/// Every directory under `root` with a mode other than 0700 and every file
/// with one other than 0600.
fn not_private(root: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut wrong = Vec::new();
    let mode = |path: &Path| fs_err::symlink_metadata(path).unwrap().permissions().mode();
    let root_mode = mode(root) & 0o777;
    if root_mode != 0o700 {
        wrong.push(format!("{} {root_mode:o}", root.display()));
    }
    for (path, _) in tree(root) {
        let full = mode(&path);
        let expected = if full & 0o170000 == 0o040000 {
            0o700
        } else {
            0o600
        };
        if full & 0o777 != expected {
            wrong.push(format!("{} {:o}", path.display(), full & 0o777));
        }
    }
    wrong
}

#[cfg(target_os = "linux")]
/// `mcpctl ARGS` started under `umask 000`.
fn under_umask_000(sandbox: &Sandbox, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = sandbox.program("sh");
    cmd.arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(mcpctl_bin())
        .args(args);
    cmd
}

/// Linux: the paths (and the systemd units) are Linux's.
#[cfg(target_os = "linux")]
#[test]
fn under_umask_000_what_mcpctl_creates_is_still_private() {
    if !secret_service("under_umask_000_what_mcpctl_creates_is_still_private") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code delivery=env-ref
client codex
client vscode
shell-profile fish
credential GITHUB_TOKEN { kind personal-access-token; provider github; }
server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
"#,
    );
    let manifest = manifest.display().to_string();
    let out = under_umask_000(
        &sandbox,
        &[
            "apply",
            "--auto-approve",
            "--secrets-from-env",
            "-f",
            &manifest,
        ],
    )
    .env("GITHUB_TOKEN", crate::support::canary("umask"))
    .output()
    .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let runtime = sandbox.root().join("run-none");
    fs_err::create_dir_all(&runtime).unwrap();
    let out = under_umask_000(&sandbox, &["remind", "install", "-f", &manifest])
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    // A saved plan, into a directory that does not exist yet.
    let saved = sandbox.root().join("plans/next.json");
    let out = under_umask_000(
        &sandbox,
        &["plan", "-f", &manifest, "--out", saved.to_str().unwrap()],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let created = [
        sandbox.root().join("plans"),
        sandbox.home().join(".codex"),
        sandbox.root().join("config/Code"),
        sandbox.root().join("config/fish"),
        sandbox.root().join("config/systemd"),
        sandbox.root().join("state/mcpctl"),
    ];
    let state = sandbox.root().join("state/mcpctl");
    for file in ["audit.jsonl", "audit.lock", "lock"] {
        assert!(state.join(file).exists(), "{file}");
    }
    let mut wrong: Vec<String> = created.iter().flat_map(|dir| not_private(dir)).collect();
    use std::os::unix::fs::PermissionsExt;
    let claude = fs_err::metadata(sandbox.claude_json()).unwrap();
    if claude.permissions().mode() & 0o777 != 0o600 {
        wrong.push(format!(
            "~/.claude.json {:o}",
            claude.permissions().mode() & 0o777
        ));
    }
    assert!(wrong.is_empty(), "not private: {wrong:#?}");
}

#[test]
fn a_replaced_client_file_keeps_its_group_and_mode() {
    const NOGROUP: u32 = 65534;
    let Some(sandbox) = root_sandbox("a_replaced_client_file_keeps_its_group_and_mode") else {
        return;
    };
    let manifest = sandbox.manifest(MANIFEST);
    fs_err::write(sandbox.claude_json(), "{}\n").unwrap();
    std::os::unix::fs::chown(sandbox.claude_json(), None, Some(NOGROUP)).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(
            sandbox.claude_json(),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    let out = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let meta = fs_err::metadata(sandbox.claude_json()).unwrap();
    assert!(
        fs_err::read_to_string(sandbox.claude_json())
            .unwrap()
            .contains("mcp.example.com"),
        "replaced"
    );
    assert_eq!(meta.gid(), NOGROUP, "the group is kept");
    assert_eq!(meta.mode() & 0o7777, 0o640, "the mode is kept");
}
