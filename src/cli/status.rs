//! `mcpctl status`: for this machine, which manifests were last applied
//! (path, git commit, time) and what drifted since — the report a team
//! collects from every member (`--json`). Reads store attributes only,
//! never a secret, and writes nothing.

use std::path::PathBuf;

use serde::Serialize;

use super::render::{Style, display_path};
use super::workspace::Workspace;
use super::{Outcome, use_color};
use crate::audit::git_commit;
use crate::host::Host;
use crate::plan::Options;
use crate::state::State;
use crate::status::{Drift, DriftKind, drift};
use crate::store::CredentialStore;
use crate::terminal_text::escape;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the status as JSON
    #[arg(long)]
    json: bool,

    /// Exit 3 when something drifted or a manifest cannot be read (for
    /// fleet checks)
    #[arg(long)]
    fail_on_drift: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct Report {
    host: String,
    user: Option<String>,
    manifests: Vec<ManifestStatus>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ManifestStatus {
    path: PathBuf,
    /// When the last apply finished (RFC 3339).
    applied_at: String,
    /// The repository's commit at that apply.
    applied_commit: Option<String>,
    /// The repository's commit now.
    current_commit: Option<String>,
    /// Whether the manifest file differs from the one applied.
    manifest_changed: bool,
    drift: Vec<Drift>,
    /// Why this manifest could not be checked (moved, invalid).
    error: Option<String>,
}

impl ManifestStatus {
    fn is_clean(&self) -> bool {
        self.drift.is_empty() && self.error.is_none()
    }
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let state = State::load(&host.state_dir())?;
    let mut manifests = Vec::new();
    for (path, record) in &state.applies {
        let mut status = ManifestStatus {
            path: path.clone(),
            applied_at: record.at.clone(),
            applied_commit: record.git_commit.clone(),
            current_commit: None,
            manifest_changed: false,
            drift: Vec::new(),
            error: None,
        };
        if let Err(err) = check(path, &record.manifest_digest, &mut status) {
            status.error = Some(format!("{err}"));
        }
        manifests.push(status);
    }
    let report = Report {
        host: host.name(),
        user: super::ui::user(&host).ok(),
        manifests,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("status serializes")
        );
    } else {
        print!("{}", render(&report, &host, Style { color: use_color() }));
    }
    let clean = report.manifests.iter().all(ManifestStatus::is_clean);
    Ok(if args.fail_on_drift && !clean {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// Plans `path` against this machine and fills in the commit and drift.
fn check(
    path: &std::path::Path,
    applied_digest: &str,
    status: &mut ManifestStatus,
) -> miette::Result<()> {
    if !path.is_file() {
        miette::bail!("the manifest is no longer at this path (moved or deleted)");
    }
    let workspace = Workspace::open(Some(path))?;
    status.current_commit = git_commit(&workspace.loaded.root);
    status.manifest_changed = workspace.loaded.digest != applied_digest;
    let store = workspace.open_store();
    let store_ref = store.as_ref().map(|s| s as &dyn CredentialStore);
    let (_, observed, plan) = workspace.plan(store_ref, Options::default())?;
    status.drift = drift(&plan, &observed.state);
    Ok(())
}

fn render(report: &Report, host: &Host, style: Style) -> String {
    let mut out = String::new();
    if report.manifests.is_empty() {
        out.push_str("No manifest has been applied on this machine yet (`mcpctl apply`).\n");
        return out;
    }
    for m in &report.manifests {
        let at = |c: &Option<String>| match c {
            Some(c) => format!("at commit {}", c.chars().take(12).collect::<String>()),
            // `git rev-parse HEAD` answers nothing for both.
            None => {
                "at no git commit (not in a git repository, or nothing committed yet)".to_owned()
            }
        };
        out.push_str(&format!(
            "{}\n  applied {} {}\n",
            style.bold(&display_path(&m.path, &host.home)),
            super::render::when(&m.applied_at),
            at(&m.applied_commit)
        ));
        let changed = match (m.current_commit != m.applied_commit, m.manifest_changed) {
            (true, manifest) => Some(format!(
                "the repository is now {}{}",
                at(&m.current_commit),
                if manifest {
                    ", and the manifest changed"
                } else {
                    ""
                }
            )),
            (false, true) => Some("the manifest changed".to_owned()),
            (false, false) => None,
        };
        if let Some(changed) = changed {
            out.push_str(&format!(
                "  {} {changed}: `mcpctl plan` shows what applying it would change\n",
                style.yellow("!"),
            ));
        }
        if let Some(error) = &m.error {
            out.push_str(&format!(
                "  {} cannot check it: {}\n",
                style.red("✗"),
                escape(error)
            ));
        } else if m.drift.is_empty() {
            out.push_str(&format!(
                "  {} no drift since the last apply\n",
                style.green("✓")
            ));
        }
        for d in &m.drift {
            out.push_str(&format!(
                "  {} {}: {}\n",
                style.red("✗"),
                escape(&d.target.replace(&format!("{}/", host.home.display()), "~/")),
                d.kind.describe()
            ));
        }
    }
    let drifted = report.manifests.iter().filter(|m| !m.is_clean()).count();
    if drifted > 0 {
        // `apply` restores entries and stored values, but cannot make an
        // overdue or expired credential new: only a new value can.
        let drifts = || report.manifests.iter().flat_map(|m| &m.drift);
        let overdue = drifts().any(|d| d.kind == DriftKind::CredentialOverdue);
        let restorable = report.manifests.iter().any(|m| m.error.is_some())
            || drifts().any(|d| d.kind != DriftKind::CredentialOverdue);
        let mut fixes = vec!["`mcpctl plan -f PATH` shows the details".to_owned()];
        if restorable {
            fixes.push(
                "`mcpctl apply -f PATH` restores what was edited, removed or deleted".to_owned(),
            );
        }
        if overdue {
            fixes.push(
                "`mcpctl rotate NAME -f PATH` stores a new value for an overdue or expired credential (create it at its provider first)"
                    .to_owned(),
            );
        }
        out.push_str(&format!(
            "\n{} drifted or could not be checked: {}.\n",
            crate::words::count(drifted, "manifest"),
            fixes.join("; ")
        ));
    }
    out
}
