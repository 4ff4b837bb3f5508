//! How a client entry names mcpctl itself.
//!
//! User-scope files name mcpctl by an absolute path: GUI apps (Claude
//! Desktop, VS Code started from the dock) get a minimal PATH and would not
//! find a bare `mcpctl`. The path should survive upgrades, so a stable one
//! wins over the running binary's real location: when a `mcpctl` on PATH
//! (say Homebrew's `/opt/homebrew/bin/mcpctl` symlink) resolves to the
//! running binary, that PATH entry is used instead of the versioned Cellar
//! path behind it. Project-scope files are checked in and shared, so they
//! name the bare `mcpctl`; local-scope entries live in the user's own file
//! and name the absolute path.
//!
//! An entry also names the manifest that owns it (`--manifest PATH`, the
//! manifest's absolute path, as ownership and the applied audit settings
//! are keyed), so `exec` follows exactly that manifest's audit settings
//! and alert rules rather than guessing from the server and credential
//! names, which another manifest can copy. A project-scope entry is checked
//! in and shared, so it must not carry one person's path: it names only the
//! manifest's file name (`--manifest mcpctl.kdl`; the manifest sits beside
//! the project file), and `exec` looks for the applied manifest of that
//! name in the directory it runs in and the ones above it (clients start
//! project servers in the project). Only when none is found does a launch
//! fall back to the guess ([`crate::audit::Settings::for_launch`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::host::{Host, Os};
use crate::manifest::{Credential, Scope};
use crate::source::Reference;

/// The program a client entry runs to reach `mcpctl exec`, and how it
/// names each credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    program: String,
    /// By credential name: where it is read, and whether it is a file.
    references: BTreeMap<String, (Reference, bool)>,
    /// The manifest that owns the entries (`--manifest`), if they name one.
    manifest: Option<String>,
}

impl Launcher {
    /// The launcher for files of `scope`, given the running binary.
    pub fn for_scope(scope: Scope, host: &Host, current_exe: &Path) -> Launcher {
        match scope {
            Scope::Project => Launcher::bare(),
            Scope::User | Scope::Local => Launcher {
                program: stable_path(host, current_exe)
                    .to_string_lossy()
                    .into_owned(),
                references: BTreeMap::new(),
                manifest: None,
            },
        }
    }

    /// Plain `mcpctl`, found on PATH at launch.
    pub fn bare() -> Launcher {
        Launcher {
            program: "mcpctl".to_owned(),
            references: BTreeMap::new(),
            manifest: None,
        }
    }

    /// The launcher whose entries name `manifest` as their owner.
    pub fn owned_by(mut self, manifest: &Path) -> Launcher {
        self.manifest = Some(manifest.to_string_lossy().into_owned());
        self
    }

    /// The launcher that reads `credentials` from their sources.
    pub fn with_credentials<'c>(
        mut self,
        credentials: impl IntoIterator<Item = &'c Credential>,
    ) -> Launcher {
        self.references = credentials
            .into_iter()
            .map(|c| (c.name.clone(), (Reference::for_credential(c), c.is_file())))
            .collect();
        self
    }

    pub fn program(&self) -> &str {
        &self.program
    }

    /// `--manifest PATH` when the entries name their manifest, else nothing.
    pub fn manifest_args(&self) -> Vec<String> {
        self.manifest
            .iter()
            .flat_map(|path| ["--manifest".to_owned(), path.clone()])
            .collect()
    }

    /// Where `credential` is read, as `mcpctl exec` takes it
    /// ([`Reference::to_arg`]); a credential the launcher was not told
    /// about is a store entry of its own name.
    pub fn reference_arg(&self, credential: &str) -> String {
        match self.references.get(credential) {
            Some((reference, _)) => reference.to_arg(),
            None => credential.to_owned(),
        }
    }

    /// The `mcpctl exec` arguments that fill `var` from `credential`:
    /// `--env VAR=REFERENCE`, or `--file VAR=REFERENCE` for a file. A
    /// credential the launcher was not told about is a store entry of its
    /// own name.
    pub fn binding(&self, var: &str, credential: &str) -> [String; 2] {
        match self.references.get(credential) {
            Some((reference, true)) => {
                ["--file".to_owned(), format!("{var}={}", reference.to_arg())]
            }
            Some((reference, false)) => {
                ["--env".to_owned(), format!("{var}={}", reference.to_arg())]
            }
            None => ["--env".to_owned(), format!("{var}={credential}")],
        }
    }
}

/// A PATH entry that resolves to the running binary, else the binary.
fn stable_path(host: &Host, current_exe: &Path) -> PathBuf {
    let Ok(real) = crate::fs::canonical(current_exe) else {
        return current_exe.to_path_buf();
    };
    let separator = if host.os == Os::Windows { ';' } else { ':' };
    let file_name = if host.os == Os::Windows {
        "mcpctl.exe"
    } else {
        "mcpctl"
    };
    let path_var = host.var("PATH").unwrap_or_default();
    path_var
        .split(separator)
        .filter(|dir| !dir.is_empty() && Path::new(dir).is_absolute())
        .map(|dir| Path::new(dir).join(file_name))
        .find(|candidate| crate::fs::canonical(candidate).is_ok_and(|c| c == real))
        .unwrap_or(real)
}

/// Why a path that client entries would run may not last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unstable {
    /// Inside a cargo target directory: `cargo clean` (or the next build
    /// of another version) removes or replaces it. `checkout` is the
    /// directory holding the target directory's `Cargo.toml`, when there
    /// is one.
    CargoTarget { checkout: Option<PathBuf> },
    /// Inside the temporary directory, which the system empties.
    Temporary { dir: PathBuf },
}

/// Whether `program` (an absolute path an entry will run) lives where it
/// will not stay: a cargo target directory (found by the `CACHEDIR.TAG`
/// cargo writes there) or the temporary directory.
pub fn unstable_place(program: &Path, host: &Host) -> Option<Unstable> {
    let real = crate::fs::canonical(program).ok()?;
    let target = real.ancestors().skip(1).find(|dir| {
        std::fs::read_to_string(dir.join("CACHEDIR.TAG"))
            .is_ok_and(|tag| tag.contains("created by cargo"))
    });
    if let Some(target) = target {
        let checkout = target
            .parent()
            .filter(|dir| dir.join("Cargo.toml").is_file())
            .map(Path::to_path_buf);
        return Some(Unstable::CargoTarget { checkout });
    }
    let mut temporary = vec![std::env::temp_dir()];
    if host.os != Os::Windows {
        temporary.extend(["/tmp", "/var/tmp"].map(PathBuf::from));
    }
    temporary
        .into_iter()
        .filter_map(|dir| crate::fs::canonical(&dir).ok())
        .find(|dir| real.starts_with(dir))
        .map(|dir| Unstable::Temporary { dir })
}

/// Where `cargo install` puts mcpctl: `$CARGO_INSTALL_ROOT/bin`, else
/// `$CARGO_HOME/bin`, else `~/.cargo/bin` (cargo's own order, less its
/// `--root` flag and `install.root` setting, which mcpctl cannot see).
pub fn cargo_install_path(host: &Host) -> PathBuf {
    let cargo_home = host
        .var("CARGO_INSTALL_ROOT")
        .or_else(|| host.var("CARGO_HOME"))
        .map(PathBuf::from)
        .unwrap_or_else(|| host.home.join(".cargo"));
    let file_name = if host.os == Os::Windows {
        "mcpctl.exe"
    } else {
        "mcpctl"
    };
    cargo_home.join("bin").join(file_name)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn prefers_a_path_symlink_over_the_real_location() {
        let dir = tempfile::tempdir().unwrap();
        let cellar = dir.path().join("Cellar/mcpctl/0.1.0/bin");
        let bin = dir.path().join("bin");
        fs_err::create_dir_all(&cellar).unwrap();
        fs_err::create_dir_all(&bin).unwrap();
        let real = cellar.join("mcpctl");
        fs_err::write(&real, "").unwrap();
        std::os::unix::fs::symlink(&real, bin.join("mcpctl")).unwrap();
        let host = Host {
            os: Os::Linux,
            home: dir.path().to_path_buf(),
            vars: BTreeMap::from([("PATH".to_owned(), format!("/nonexistent:{}", bin.display()))]),
        };
        let launcher = Launcher::for_scope(Scope::User, &host, &real);
        assert_eq!(launcher.program(), bin.join("mcpctl").to_str().unwrap());
        assert_eq!(
            Launcher::for_scope(Scope::Project, &host, &real).program(),
            "mcpctl"
        );
    }

    #[test]
    fn bindings_name_each_source_and_files() {
        let manifest = crate::manifest::parse(
            "mcpctl.kdl",
            r#"mcpctl version=1
credential A { namespace "team-a"; }
credential B { source env var=CI_B; }
credential C { source command pass show "mcp/c"; }
credential D { kind file; }
"#,
        )
        .unwrap();
        let launcher = Launcher::bare().with_credentials(manifest.credentials.values());
        assert_eq!(launcher.binding("X", "A"), ["--env", "X=team-a/A"]);
        assert_eq!(launcher.binding("X", "B"), ["--env", "X=B:env:CI_B"]);
        assert_eq!(
            launcher.binding("X", "C"),
            ["--env", r#"X=C:command:30s:["pass","show","mcp/c"]"#]
        );
        assert_eq!(
            launcher.binding("KUBECONFIG", "D"),
            ["--file", "KUBECONFIG=D"]
        );
        assert_eq!(launcher.binding("X", "UNKNOWN"), ["--env", "X=UNKNOWN"]);
    }

    #[test]
    fn falls_back_to_the_binary_itself() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("mcpctl");
        fs_err::write(&real, "").unwrap();
        let host = Host {
            os: Os::Linux,
            home: dir.path().to_path_buf(),
            vars: BTreeMap::new(),
        };
        let launcher = Launcher::for_scope(Scope::User, &host, &real);
        assert_eq!(
            Path::new(launcher.program()),
            crate::fs::canonical(&real).unwrap()
        );
    }

    #[test]
    fn a_cargo_target_directory_and_the_temporary_directory_are_unstable() {
        let dir = tempfile::tempdir().unwrap();
        let host = Host {
            os: Os::Linux,
            home: dir.path().join("home"),
            vars: BTreeMap::new(),
        };
        let checkout = dir.path().join("mcpctl");
        let debug = checkout.join("target/debug");
        fs_err::create_dir_all(&debug).unwrap();
        fs_err::write(checkout.join("Cargo.toml"), "").unwrap();
        fs_err::write(
            checkout.join("target/CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by cargo.\n",
        )
        .unwrap();
        fs_err::write(debug.join("mcpctl"), "").unwrap();
        assert_eq!(
            unstable_place(&debug.join("mcpctl"), &host),
            Some(Unstable::CargoTarget {
                checkout: Some(checkout.canonicalize().unwrap())
            })
        );
        // Elsewhere under the temporary directory.
        let loose = dir.path().join("mcpctl-download");
        fs_err::write(&loose, "").unwrap();
        assert!(matches!(
            unstable_place(&loose, &host),
            Some(Unstable::Temporary { .. })
        ));
        // The test binary's own directory is cargo's.
        let exe = std::env::current_exe().unwrap();
        assert!(matches!(
            unstable_place(&exe, &host),
            Some(Unstable::CargoTarget { .. })
        ));
        assert_eq!(
            cargo_install_path(&host),
            dir.path().join("home/.cargo/bin/mcpctl")
        );
        let mut vars = BTreeMap::from([("CARGO_HOME".to_owned(), "/opt/cargo".to_owned())]);
        let with = |vars: &BTreeMap<String, String>| Host {
            vars: vars.clone(),
            ..host.clone()
        };
        assert_eq!(
            cargo_install_path(&with(&vars)),
            Path::new("/opt/cargo/bin/mcpctl")
        );
        vars.insert("CARGO_INSTALL_ROOT".to_owned(), "/usr/local".to_owned());
        assert_eq!(
            cargo_install_path(&with(&vars)),
            Path::new("/usr/local/bin/mcpctl")
        );
    }
}
