//! What every manifest command starts from: the machine, the manifest, the
//! state directory, and the way to the credential store.

use super::render::display_path;
use super::ui::{detail, note};
use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use crate::audit::{Actor, AuditLog, Settings, git_commit};
use crate::fs::DirLock;
use crate::host::Host;
use crate::manifest::personal::{self, Person, personalize, profile_candidates};
use crate::manifest::{self, LoadedManifest};
use crate::observe::Observed;
use crate::observe::observe;
use crate::plan::{self, Desired, Options, Plan};
use crate::state::State;
use crate::store::{CredentialStore, KeyringStore, StoreError};
use crate::workflow::Machine;

pub struct Workspace {
    pub host: Host,
    pub loaded: LoadedManifest,
    pub state_dir: PathBuf,
    /// The command's time: the clock is read once, here, and everything
    /// the command observes, plans, writes and records counts from it.
    pub now: jiff::Timestamp,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("no `{file}` in `{dir}` or any parent directory")]
#[diagnostic(help(
    "run mcpctl inside a repository that has one, or pass `--manifest PATH`; \
     to start one here, `mcpctl add github` (servers from `mcpctl catalog`) \
     or `mcpctl init --from-clients` (the servers your clients already have)"
))]
struct NoManifest {
    file: &'static str,
    dir: String,
}

impl Workspace {
    /// The manifest as this person's machine should have it: the servers
    /// their profile's roles grant, their clients, their variable values
    /// (see [`crate::manifest::personal`]).
    pub fn open(manifest_arg: Option<&Path>) -> miette::Result<Workspace> {
        let mut workspace = Workspace::open_shared(manifest_arg)?;
        let candidates = profile_candidates(&workspace.loaded.root, &workspace.host.config_dir());
        let manifest = &workspace.loaded.manifest;
        let profile = candidates
            .iter()
            .find(|p| p.is_file())
            .map(|path| {
                let project = (path == &candidates[0]).then_some(workspace.loaded.root.as_path());
                personal::load_profile(path, project, manifest)
            })
            .transpose()?;
        let person = match &profile {
            Some(profile) => Person::Profile(profile),
            None => Person::NoProfile {
                expected: &candidates[0],
            },
        };
        workspace.loaded.manifest = personalize(manifest, person)?;
        Ok(workspace)
    }

    /// The manifest as checked in, for everyone: every role's servers,
    /// variables unfilled (`validate`, `add`, `destroy`).
    pub fn open_shared(manifest_arg: Option<&Path>) -> miette::Result<Workspace> {
        let host = Host::from_process()?;
        let path = manifest_path(manifest_arg)?;
        let loaded = manifest::load(&path)?;
        let state_dir = host.state_dir();
        detail!("manifest: `{}`", display_path(&loaded.path, &host.home));
        detail!("state: `{}`", display_path(&state_dir, &host.home));
        Ok(Workspace {
            host,
            loaded,
            state_dir,
            now: jiff::Timestamp::now(),
        })
    }

    /// The manifest against an empty machine whose home is `home` (an
    /// empty directory): no client file, no state, and — with
    /// [`crate::store::EmptyStore`] — no credential. `plan --offline`.
    pub fn open_offline(manifest_arg: Option<&Path>, home: &Path) -> miette::Result<Workspace> {
        let mut workspace = Workspace::open_shared(manifest_arg)?;
        workspace.host = workspace.host.with_empty_home(home);
        workspace.state_dir = workspace.host.state_dir();
        Ok(workspace)
    }

    /// Holds the state directory's lock until dropped, so two commands
    /// that change the store, files or state never interleave.
    /// Where the workflows act for this workspace.
    pub fn machine(&self) -> Machine<'_> {
        Machine {
            host: &self.host,
            state_dir: &self.state_dir,
            project_root: &self.loaded.root,
        }
    }

    pub fn lock(&self) -> miette::Result<DirLock> {
        DirLock::acquire(&self.state_dir, || {
            note!("waiting for another mcpctl command to finish…");
        })
        .into_diagnostic()
    }

    /// Connects to the OS credential store, under the current user — when
    /// the manifest keeps a credential in it; otherwise the store is
    /// connected only if something asks it (nothing will).
    pub fn open_store(&self) -> Result<KeyringStore, StoreError> {
        let user = super::ui::user(&self.host).map_err(|err| StoreError::Unavailable {
            store: "credential store".to_owned(),
            detail: err.to_string(),
            hint: "set `USER` (or `USERNAME` on Windows) to your login name".to_owned(),
        })?;
        let credentials = &self.loaded.manifest.credentials;
        let keeps_credentials = credentials.values().any(|c| c.source.is_store());
        let store = if keeps_credentials {
            KeyringStore::open(&user)?
        } else {
            KeyringStore::unconnected(&user)
        };
        detail!("store: the {} (account `{user}`)", store.name());
        Ok(store)
    }

    /// The audit trail of this machine, with this command as the actor,
    /// forwarding and alerting as this manifest's *applied* settings say:
    /// settings the manifest asks for take effect only once a person has
    /// confirmed them in `apply` ([`Workspace::audit_log_with`]).
    pub fn audit_log(&self, command: &str) -> miette::Result<AuditLog> {
        // A state file that cannot be read leaves them off, as for `exec`;
        // the commands that read the whole state report it.
        let applied = State::audit_settings(&self.state_dir)
            .unwrap_or_default()
            .remove(&self.loaded.path)
            .unwrap_or_default();
        self.audit_log_with(command, applied)
    }

    /// The audit trail with `settings` (`apply`: the ones it installs).
    pub fn audit_log_with(&self, command: &str, settings: Settings) -> miette::Result<AuditLog> {
        let actor = Actor {
            user: super::ui::user(&self.host)?,
            host: self.host.name(),
            pid: std::process::id(),
            command: command.to_owned(),
            manifest: Some(self.loaded.path.clone()),
            git_commit: git_commit(&self.loaded.root),
        };
        let socket = self.host.var("MCPCTL_SYSLOG_SOCKET").map(PathBuf::from);
        Ok(AuditLog::new(&self.state_dir, actor, self.now).with_settings(vec![settings], socket))
    }

    /// The audit settings the manifest asks for: its audit policy, and
    /// which credentials each server declares (for the undeclared-read
    /// alert).
    pub fn audit_settings(&self) -> Settings {
        let manifest = &self.loaded.manifest;
        let declared = manifest
            .servers
            .values()
            .map(|server| {
                let credentials = server.credentials_read().map(str::to_owned).collect();
                (server.name.clone(), credentials)
            })
            .collect();
        Settings {
            policy: manifest.audit.clone(),
            declared,
        }
    }

    pub fn desired(&self) -> miette::Result<Desired> {
        let exe = std::env::current_exe()
            .into_diagnostic()
            .wrap_err("cannot tell where the mcpctl binary is")?;
        let detected = crate::client::detected(&self.host);
        Ok(plan::desired(&self.loaded, &self.host, &exe, &detected)?)
    }

    /// Reads the machine and computes the plan.
    pub fn plan(
        &self,
        store: Result<&dyn CredentialStore, &StoreError>,
        options: Options,
    ) -> miette::Result<(Desired, Observed, Plan)> {
        let (desired, observed) = self.observe(store)?;
        let plan = plan::compute(&desired, &observed, options);
        Ok((desired, observed, plan))
    }

    /// What the manifest asks for here, and what is here now.
    pub fn observe(
        &self,
        store: Result<&dyn CredentialStore, &StoreError>,
    ) -> miette::Result<(Desired, Observed)> {
        let desired = self.desired()?;
        let state = State::load(&self.state_dir)?;
        let observed = observe(
            &desired,
            store,
            state,
            &self.host,
            &self.loaded.root,
            self.now,
        )?;
        for file in &desired.files {
            detail!(
                "read `{}` ({}, {} scope)",
                display_path(&file.file.path, &self.host.home),
                file.file.client,
                file.file.scope
            );
        }
        for block in &desired.blocks {
            detail!("read `{}`", display_path(&block.file, &self.host.home));
        }
        Ok((desired, observed))
    }
}

/// Refuses to write the manifest at `path` (`init`, `add`) when it, or a
/// directory on the way to it, is a link that leads out of the manifest's
/// own directory, the project ([`crate::fs::resolve_inside`]). The
/// manifest is a project file like `.mcp.json`: a repository that commits
/// `mcpctl.kdl` as a dangling link to `~/.config/fish/conf.d/x.fish`
/// would otherwise have `init` create that file, and `init --force`
/// replace whatever file such a link names.
pub fn check_manifest_writable(path: &Path) -> miette::Result<()> {
    let path = std::path::absolute(path).into_diagnostic()?;
    let Some(project) = path.parent() else {
        return Ok(());
    };
    crate::fs::resolve_inside(&path, project)
        .map(|_| ())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write the manifest `{}`", path.display()))
}

/// The manifest a command uses: `-f PATH`, else the nearest `mcpctl.kdl`
/// walking up from the current directory. Not read.
pub fn manifest_path(manifest_arg: Option<&Path>) -> miette::Result<PathBuf> {
    if let Some(path) = manifest_arg {
        return Ok(path.to_path_buf());
    }
    let cwd = std::env::current_dir()
        .into_diagnostic()
        .wrap_err("cannot read the current directory")?;
    Ok(manifest::find(&cwd).ok_or_else(|| NoManifest {
        file: manifest::MANIFEST_FILE,
        dir: cwd.display().to_string(),
    })?)
}

/// What `exec` tells about the launch its records concern.
pub struct Launch<'a> {
    pub server: &'a str,
    /// The credentials it reads.
    pub credentials: &'a [&'a str],
    /// The manifest the entry names as its owner (`--manifest`), if any.
    pub manifest: Option<&'a Path>,
}

/// The audit log of a command without a manifest, with the forwarding and
/// alert settings `apply` installed: for a `launch`, those of the manifest
/// its entry names ([`Settings::of_manifest`]), or for an entry naming
/// none, those of the manifest that declares its server
/// ([`Settings::for_launch`]); otherwise those of every applied manifest.
/// A state file that cannot be read leaves them off (the command that
/// reads state reports it); `MCPCTL_SYSLOG_SOCKET` overrides `/dev/log`.
pub fn configured_audit_log(
    host: &Host,
    state_dir: &Path,
    actor: Actor,
    launch: Option<Launch<'_>>,
    now: jiff::Timestamp,
) -> AuditLog {
    let applied = State::audit_settings(state_dir).unwrap_or_default();
    let settings = match launch {
        Some(Launch {
            server,
            credentials,
            manifest: Some(manifest),
        }) => match owning_manifest(&applied, manifest, std::env::current_dir().ok().as_deref()) {
            Some(owner) => Settings::of_manifest(&applied, &owner),
            None => Settings::for_launch(&applied, server, credentials),
        },
        Some(Launch {
            server,
            credentials,
            manifest: None,
        }) => Settings::for_launch(&applied, server, credentials),
        None => applied.into_values().collect(),
    };
    audit_log_with_settings(host, state_dir, actor, settings, now)
}

/// The applied manifest a launch's entry names: an absolute path as it is;
/// a bare file name (a checked-in project entry) in `cwd` or the nearest
/// directory above it that has an applied manifest of that name. `None`
/// when a bare name finds none.
fn owning_manifest(
    applied: &std::collections::BTreeMap<PathBuf, Settings>,
    manifest: &Path,
    cwd: Option<&Path>,
) -> Option<PathBuf> {
    if manifest.is_absolute() {
        return Some(manifest.to_path_buf());
    }
    // State keys are absolute but not resolved; the working directory is:
    // a link on the way (macOS's /tmp) is compared resolved.
    cwd?.ancestors()
        .map(|dir| dir.join(manifest))
        .find_map(|candidate| {
            if applied.contains_key(&candidate) {
                return Some(candidate);
            }
            let real = candidate.canonicalize().ok()?;
            applied
                .keys()
                .find(|key| key.canonicalize().ok().as_ref() == Some(&real))
                .cloned()
        })
}

/// The audit log with these forwarding and alert `settings`;
/// `MCPCTL_SYSLOG_SOCKET` overrides `/dev/log`.
pub fn audit_log_with_settings(
    host: &Host,
    state_dir: &Path,
    actor: Actor,
    settings: Vec<Settings>,
    now: jiff::Timestamp,
) -> AuditLog {
    let socket = host.var("MCPCTL_SYSLOG_SOCKET").map(PathBuf::from);
    AuditLog::new(state_dir, actor, now).with_settings(settings, socket)
}
