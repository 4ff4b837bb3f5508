//! Crash safety: `mcpctl apply` killed with SIGKILL at random moments.
//!
//! Each trial flips the manifest between two versions, starts an apply,
//! kills it after a random delay, then runs apply again to completion (the
//! "recovery"). Because apply is deterministic, the recovery's result is
//! the version the killed apply was writing. So after every kill each
//! client file must be byte for byte the old version or the new one (and
//! the new one parses: the recovery read it); after the recovery no
//! `.mcpctl-*.tmp` file is left anywhere, and a plan finds nothing to do,
//! so mcpctl's state matches the files.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Sandbox, mcpctl_bin, secret_service, text};

/// Two manifests that differ in every client file (servers added,
/// changed and removed), with no credential: the store is opened but
/// never written, so trials cost only file I/O.
fn manifest(version: usize) -> String {
    let mut text =
        String::from("mcpctl version=1\nclient claude-code\nclient vscode\nclient codex\n");
    for s in 0..6 {
        if (s + version).is_multiple_of(3) {
            continue; // dropped in this version
        }
        text.push_str(&format!(
            "server srv-{s} {{\n    command npx -y \"@example/server-{s}\" \"--v{version}\"\n    env MODE \"mode-{version}\"\n}}\n"
        ));
    }
    text
}

/// The client files, with content the other clients wrote (comments, a
/// foreign entry), and `~/.claude.json` padded to about `claude_bytes`.
fn seed_files(sandbox: &Sandbox, claude_bytes: usize) -> Vec<PathBuf> {
    let mut projects = String::new();
    let mut n = 0;
    while projects.len() < claude_bytes {
        projects.push_str(&format!(
            "{}\n    \"/home/u/p{n}\": {{\"history\": [{{\"display\": \"fix \\\"mcpServers\\\": {{ }} // {n}\", \"pastedContents\": {{}}}}], \"mcpServers\": {{}}}}",
            if n == 0 { "" } else { "," }
        ));
        n += 1;
    }
    let claude = format!(
        "{{\n  \"numStartups\": 3,\n  \"projects\": {{{projects}\n  }},\n  \"mcpServers\": {{\n    \"mine\": {{\"type\": \"stdio\", \"command\": \"npx\", \"args\": []}}\n  }}\n}}\n"
    );
    let files = [
        (sandbox.claude_json(), claude),
        (
            sandbox.vscode_json(),
            "// my servers\n{\n\t\"servers\": {\n\t\t\"mine\": {\"type\": \"http\", \"url\": \"https://x.example\"}, // keep\n\t},\n}\n"
                .to_owned(),
        ),
        (
            sandbox.codex_toml(),
            "model = \"o4-mini\" # mine\n\n[mcp_servers.mine]\ncommand = \"npx\"\n".to_owned(),
        ),
    ];
    for (path, content) in &files {
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, content).unwrap();
    }
    files.into_iter().map(|(p, _)| p).collect()
}

fn apply_command(sandbox: &Sandbox, manifest: &Path) -> Command {
    let mut cmd = Command::new(mcpctl_bin());
    cmd.env_clear()
        .envs(sandbox.env())
        .current_dir(sandbox.root())
        .args(["--manifest"])
        .arg(manifest)
        .args(["apply", "--auto-approve"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn complete_apply(sandbox: &Sandbox, manifest: &Path) {
    let output = apply_command(sandbox, manifest)
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert!(
        output.status.success(),
        "recovery apply failed:\n{out}\n{err}"
    );
}

fn temp_files(sandbox: &Sandbox) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![sandbox.root().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(".mcpctl-") && n.ends_with(".tmp"))
            {
                found.push(path);
            }
        }
    }
    found
}

/// A small xorshift generator: the seed is printed, so a failure can be
/// replayed with `MCPCTL_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn trials(name: &str, count: usize, claude_bytes: usize) {
    if !secret_service(name) {
        return;
    }
    let seed = std::env::var("MCPCTL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("{name}: MCPCTL_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let sandbox = Sandbox::new();
    let files = seed_files(&sandbox, claude_bytes);
    let manifest_path = sandbox.manifest(&manifest(0));

    // How long a whole apply takes here, to spread the kills over it.
    let started = Instant::now();
    complete_apply(&sandbox, &manifest_path);
    let full = started.elapsed().as_micros() as u64;
    let mut killed_mid_write = 0;

    for trial in 1..=count {
        let old: Vec<Vec<u8>> = files.iter().map(|f| fs_err::read(f).unwrap()).collect();
        fs_err::write(&manifest_path, manifest(trial % 2)).unwrap();
        let mut child = apply_command(&sandbox, &manifest_path).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(full + full / 5)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let killed: Vec<Vec<u8>> = files.iter().map(|f| fs_err::read(f).unwrap()).collect();

        complete_apply(&sandbox, &manifest_path);
        let new: Vec<Vec<u8>> = files.iter().map(|f| fs_err::read(f).unwrap()).collect();
        for (i, path) in files.iter().enumerate() {
            assert!(
                killed[i] == old[i] || killed[i] == new[i],
                "trial {trial} (seed {seed}): `{}` is neither the old nor the new version after a SIGKILL",
                path.display()
            );
        }
        if status.code().is_none() && killed != old && killed != new {
            killed_mid_write += 1;
        }
        let temps = temp_files(&sandbox);
        assert!(
            temps.is_empty(),
            "trial {trial} (seed {seed}): temporary files left after the recovery: {temps:?}"
        );
        if trial.is_multiple_of(10) || trial == count {
            let plan = Command::new(mcpctl_bin())
                .env_clear()
                .envs(sandbox.env())
                .arg("--manifest")
                .arg(&manifest_path)
                .args(["plan", "--detailed-exitcode"])
                .output()
                .unwrap();
            let (out, err) = text(&plan);
            assert_eq!(
                plan.status.code(),
                Some(0),
                "trial {trial} (seed {seed}): the state does not match the files after the recovery:\n{out}\n{err}"
            );
        }
    }
    eprintln!(
        "{name}: {count} trials, {killed_mid_write} killed between two files' writes; one apply takes {full} µs"
    );
}

#[test]
fn sigkill_during_apply_leaves_old_or_new_files_small() {
    trials(
        "sigkill_during_apply_leaves_old_or_new_files_small",
        200,
        2_000,
    );
}

#[test]
fn sigkill_during_apply_leaves_old_or_new_files_large_claude_json() {
    trials(
        "sigkill_during_apply_leaves_old_or_new_files_large_claude_json",
        12,
        4 * 1024 * 1024,
    );
}
