//! What a scan reads: every client file mcpctl knows, the shell profiles
//! and histories where the guide's own commands leave tokens, a
//! repository's tracked files, and paths named on the command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Origin;
use crate::client::{ClientFile, adapter};
use crate::host::{Host, Os};
use crate::manifest::{ClientId, Scope, Shell};
use crate::shell::profile_paths;

/// One file to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// A client file: its entries are read; `text_too` scans the rest of
    /// the text as well (a checked-in project file).
    Client { file: ClientFile, text_too: bool },
    /// Any other file, as text.
    Text { path: PathBuf, origin: Origin },
}

impl ScanTarget {
    pub fn path(&self) -> &Path {
        match self {
            ScanTarget::Client { file, .. } => &file.path,
            ScanTarget::Text { path, .. } => path,
        }
    }
}

/// Every file of every client in every scope (local and project scope for
/// `project_root`), once each.
pub fn client_files(host: &Host, project_root: &Path) -> Vec<ScanTarget> {
    let mut out: Vec<ScanTarget> = Vec::new();
    for id in ClientId::ALL {
        for &scope in id.scopes() {
            // Local scope shares ~/.claude.json, whose every project is read
            // with the user scope.
            if scope == Scope::Local {
                continue;
            }
            let Some(file) = adapter(id).file(scope, host, project_root) else {
                continue;
            };
            if !out.iter().any(|t| t.path() == file.path) {
                out.push(ScanTarget::Client {
                    file,
                    text_too: scope == Scope::Project,
                });
            }
        }
    }
    out
}

/// A path named on the command line or tracked by git: a client's project
/// file when its name says so (`.mcp.json`, `.vscode/mcp.json`, …), else
/// text.
pub fn path_target(path: &Path, host: &Host) -> ScanTarget {
    for id in ClientId::ALL {
        if !id.scopes().contains(&Scope::Project) {
            continue;
        }
        let Some(file) = adapter(id).file(Scope::Project, host, Path::new("")) else {
            continue;
        };
        if path.ends_with(&file.path) {
            let root = path
                .ancestors()
                .nth(file.path.components().count())
                .unwrap_or(Path::new(""));
            if let Some(mut file) = adapter(id).file(Scope::Project, host, root) {
                file.path = path.to_path_buf();
                return ScanTarget::Client {
                    file,
                    text_too: true,
                };
            }
        }
    }
    ScanTarget::Text {
        path: path.to_path_buf(),
        origin: Origin::File,
    }
}

/// Shell profiles (the files people put `export TOKEN=…` in, beyond the
/// ones mcpctl manages) and shell histories.
pub fn shell_targets(host: &Host) -> Vec<ScanTarget> {
    let mut out = Vec::new();
    let mut add = |path: PathBuf, origin: Origin| {
        if !out.iter().any(|t: &ScanTarget| t.path() == path) {
            out.push(ScanTarget::Text { path, origin });
        }
    };
    let zdot = host
        .var("ZDOTDIR")
        .map_or_else(|| host.home.clone(), PathBuf::from);
    let profile = |shell| Origin::ShellProfile { shell };
    let history = |shell| Origin::ShellHistory { shell };
    for name in [".bashrc", ".bash_profile", ".profile", ".bash_login"] {
        add(host.home_join(name), profile(Shell::Bash));
    }
    for name in [".zshrc", ".zprofile", ".zshenv", ".zlogin"] {
        add(zdot.join(name), profile(Shell::Zsh));
    }
    let fish = host.xdg_config_dir().join("fish");
    add(fish.join("config.fish"), profile(Shell::Fish));
    if let Ok(dir) = std::fs::read_dir(fish.join("conf.d")) {
        let mut files: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            add(file, profile(Shell::Fish));
        }
    }
    for path in profile_paths(Shell::Powershell, host) {
        add(path, profile(Shell::Powershell));
    }
    if let Some(file) = host.var("HISTFILE") {
        let shell = if file.contains("zsh") {
            Shell::Zsh
        } else {
            Shell::Bash
        };
        add(PathBuf::from(file), history(shell));
    }
    add(host.home_join(".bash_history"), history(Shell::Bash));
    add(zdot.join(".zsh_history"), history(Shell::Zsh));
    add(zdot.join(".zhistory"), history(Shell::Zsh));
    let data = host
        .var("XDG_DATA_HOME")
        .map_or_else(|| host.home_join(".local/share"), PathBuf::from);
    add(data.join("fish").join("fish_history"), history(Shell::Fish));
    let psreadline = match host.os {
        Os::Windows => host
            .var("APPDATA")
            .map_or_else(|| host.home_join("AppData/Roaming"), PathBuf::from)
            .join("Microsoft")
            .join("Windows")
            .join("PowerShell")
            .join("PSReadLine"),
        Os::Linux | Os::Macos => data.join("powershell").join("PSReadLine"),
    };
    add(
        psreadline.join("ConsoleHost_history.txt"),
        history(Shell::Powershell),
    );
    out
}

/// The files git tracks in the repository at `dir` (`git ls-files -z`),
/// as paths under `dir`, without the symbolic links it tracks.
pub fn git_files(dir: &Path) -> Result<Vec<PathBuf>, GitError> {
    let output = crate::process::run_to_exit(
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["ls-files", "-z", "--cached"]),
    )
    .map_err(|source| GitError::Spawn { source })?;
    if !output.status.success() {
        return Err(GitError::Failed {
            dir: dir.to_path_buf(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output
        .stdout
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| dir.join(String::from_utf8_lossy(name).as_ref()))
        // Git tracks a link, not what it names: a committed link to
        // `/dev/zero` or to a file outside the repository is not the
        // repository's to scan (and `scan --git` runs on pull requests).
        .filter(|path| !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()))
        .collect())
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("cannot run `git ls-files`")]
    #[diagnostic(help("install git, or name the files to scan instead of `--git`"))]
    Spawn {
        #[source]
        source: std::io::Error,
    },
    #[error("`git ls-files` failed in `{dir}`: {stderr}")]
    #[diagnostic(help("run `mcpctl scan --git` inside a git repository"))]
    Failed { dir: PathBuf, stderr: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::linux;

    #[test]
    fn project_files_are_recognized_by_name() {
        let host = linux();
        match path_target(Path::new("/repo/.vscode/mcp.json"), &host) {
            ScanTarget::Client { file, text_too } => {
                assert_eq!(file.client, ClientId::Vscode);
                assert_eq!(file.path, Path::new("/repo/.vscode/mcp.json"));
                assert!(text_too);
            }
            other => panic!("{other:?}"),
        }
        match path_target(Path::new(".mcp.json"), &host) {
            ScanTarget::Client { file, .. } => assert_eq!(file.client, ClientId::ClaudeCode),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            path_target(Path::new("/repo/README.md"), &host),
            ScanTarget::Text { .. }
        ));
    }

    #[test]
    fn every_client_file_once() {
        let targets = client_files(&linux(), Path::new("/repo"));
        let claude = targets
            .iter()
            .filter(|t| t.path() == Path::new("/home/a/.claude.json"))
            .count();
        assert_eq!(claude, 1);
        assert!(
            targets
                .iter()
                .any(|t| t.path() == Path::new("/repo/.codex/config.toml"))
        );
    }
}
