//! `mcpctl apply`: show the plan, confirm, then store missing secrets and
//! write client entries.

use super::ui::note;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::IntoDiagnostic;

use super::render::plan::{View, render};
use super::render::{Style, display_path};
use super::workspace::Workspace;
use super::{Outcome, secret_input, use_color};
use crate::apply::{self, ApplyError, Command, Progress, Record, SecretSource};
use crate::audit::AuditLog;
use crate::manifest::Credential;
use crate::observe::Observed;
use crate::plan::{Options, Plan, Selector, select};
use crate::store::{CredentialStore, KeyringStore, Secret};
use crate::terminal_text::escape;
use jiff::civil::Date;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Apply without asking for confirmation (for scripts and CI)
    #[arg(long)]
    auto_approve: bool,

    /// Read each missing credential from the environment variable of the
    /// same name instead of asking
    #[arg(long)]
    secrets_from_env: bool,

    /// Take over entries of the same name that mcpctl did not write,
    /// replacing them with the manifest's
    #[arg(long)]
    adopt: bool,

    /// Apply only some servers, credentials or clients: `server:NAME`,
    /// `credential:NAME`, `client:ID` (repeatable)
    #[arg(long = "target", value_name = "SELECTOR")]
    targets: Vec<Selector>,

    /// A saved plan (`mcpctl plan --out FILE`) to apply exactly, without
    /// asking again; refused when anything it was computed from changed
    #[arg(value_name = "PLAN", conflicts_with_all = ["adopt", "targets"])]
    plan: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum SavedPlanError {
    #[error(
        "the saved plan `{file}` is stale: {} changed since it was computed, so it was not applied\n{}",
        if .reasons.len() == 1 { "this" } else { "these" },
        .reasons.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n")
    )]
    #[diagnostic(help(
        "plan again and review it: `mcpctl plan --out {file}`, then `mcpctl apply {file}`; nothing was written"
    ))]
    Stale { file: String, reasons: Vec<String> },

    #[error(
        "the saved plan `{file}` is not the plan its inputs give, so it was not applied: {difference}"
    )]
    #[diagnostic(help(
        "a saved plan is applied only as it was computed; if it was edited, plan again and review \
         it: `mcpctl plan --out {file}`, then `mcpctl apply {file}`; nothing was written"
    ))]
    Edited { file: String, difference: String },

    #[error("the saved plan `{file}` is for the manifest `{planned}`, not `{given}`")]
    #[diagnostic(help("leave out `--manifest`: a saved plan names its manifest"))]
    OtherManifest {
        file: String,
        planned: String,
        given: String,
    },
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let saved = args.plan.as_deref().map(super::show::load).transpose()?;
    let manifest = match (&saved, manifest) {
        (Some(saved), Some(given))
            if std::path::absolute(given).ok().as_ref() != Some(&saved.plan.manifest) =>
        {
            return Err(SavedPlanError::OtherManifest {
                file: shown_plan(&args),
                planned: saved.plan.manifest.display().to_string(),
                given: given.display().to_string(),
            }
            .into());
        }
        (Some(saved), _) => Some(saved.plan.manifest.as_path()),
        (None, given) => given,
    };
    let mut workspace = Workspace::open(manifest)?;
    let _lock = workspace.lock()?;
    let store = workspace.open_store()?;
    let (options, targets) = match &saved {
        Some(saved) => (saved.options(), saved.targets.clone()),
        None => (Options { adopt: args.adopt }, args.targets.clone()),
    };
    for target in &targets {
        target.check(&workspace.loaded.manifest)?;
    }
    let (desired, observed, fresh) = workspace.plan(Ok(&store as &dyn CredentialStore), options)?;
    let home = &workspace.host.home;
    let fresh = select(fresh, &targets, &desired);
    let plan = match saved {
        Some(saved) => {
            let stale = saved.staleness(&workspace.loaded.digest, &observed);
            if !stale.is_empty() {
                return Err(SavedPlanError::Stale {
                    file: shown_plan(&args),
                    reasons: stale
                        .iter()
                        .map(|s| s.describe(|p| display_path(p, home)))
                        .collect(),
                }
                .into());
            }
            // The inputs are as recorded, so the plan they give now is
            // the one that was reviewed — unless the file was edited.
            // What is applied is always the recomputed plan.
            if let Some(tampered) = saved.tampering(&fresh) {
                return Err(SavedPlanError::Edited {
                    file: shown_plan(&args),
                    difference: tampered.describe(|p| display_path(p, home)),
                }
                .into());
            }
            fresh
        }
        None => fresh,
    };
    let style = Style { color: use_color() };
    print!("{}", render(&plan, home, style, View::Apply,));
    // Without changes, apply still records bookkeeping (entries adopted
    // as identical, credentials first seen) but asks nothing.
    let changes = plan.has_changes();
    super::plan::warn_unstable_launcher(&plan, &workspace.host);
    // A saved plan was reviewed when it was saved, as Terraform's is.
    if changes && !args.auto_approve && args.plan.is_none() {
        confirm("Apply these changes?", "mcpctl apply --auto-approve")?;
        // What apply writes and records happens now, not when the plan
        // was shown: the confirmation may have waited.
        workspace.now = jiff::Timestamp::now();
    }

    // The audit settings this apply installs: the manifest's when the plan
    // (as confirmed) changes them, else those applied before.
    let installed = apply::installed_settings(
        &plan,
        &workspace.state_dir,
        &workspace.loaded.path,
        workspace.audit_settings(),
    )?;
    let audit = workspace.audit_log_with("apply", installed.clone())?;
    let mut secrets: Box<dyn SecretSource> = if args.secrets_from_env {
        Box::new(FromEnv)
    } else {
        Box::new(Prompt)
    };
    let record = Record::Apply {
        manifest: workspace.loaded.path.clone(),
        manifest_digest: workspace.loaded.digest.clone(),
        settings: installed,
    };
    let report = execute(
        &workspace,
        &store,
        &plan,
        observed,
        secrets.as_mut(),
        &audit,
        record,
    )?;
    if let Some((removed, retain)) = report.pruned {
        note!(
            "pruned {} older than {retain}",
            crate::words::count(removed, "audit record")
        );
    }
    let warn_unexported =
        || super::env::warn_unexported(&desired, &workspace.loaded, &workspace.host, true);
    if !changes {
        warn_unexported();
        return Ok(Outcome::Success);
    }
    let summary = plan.summary();
    println!(
        "{}",
        style.bold(&format!(
            "Apply complete: {} added, {} changed, {} destroyed ({} stored, {} written).",
            summary.add,
            summary.change,
            summary.destroy,
            crate::words::count(report.credentials_stored, "credential"),
            crate::words::count(report.files_written, "file")
        ))
    );
    if summary.conflicts > 0 {
        println!(
            "{} left alone; `mcpctl apply --adopt` replaces {}.",
            crate::words::count(summary.conflicts, "conflicting entry"),
            if summary.conflicts == 1 { "it" } else { "them" }
        );
    }
    if report.files_written > 0 {
        println!(
            "Restart the clients that are running so they read their new entries; \
             `mcpctl check --servers` starts each server as its client would."
        );
    }
    warn_unexported();
    Ok(Outcome::Success)
}

/// Carries out `plan`, telling progress on stderr.
pub fn execute(
    workspace: &Workspace,
    store: &KeyringStore,
    plan: &Plan,
    observed: Observed,
    secrets: &mut dyn SecretSource,
    audit: &AuditLog,
    record: Record,
) -> miette::Result<apply::Report> {
    let home = &workspace.host.home;
    let mut progress = |event: Progress| match event {
        Progress::StoredCredential { name } => {
            note!("stored `{name}` in the {}", store.name());
        }
        Progress::DeletedCredential { name } => {
            note!("deleted `{name}` from the {}", store.name());
        }
        Progress::WroteFile {
            path,
            kept_foreign_change,
        } => {
            note!("wrote `{}`", display_path(&path, home));
            if kept_foreign_change {
                note!("  note: another program changed it since the plan; its change was kept");
            }
        }
        Progress::WroteAgain {
            path,
            writer,
            servers,
            back,
        } => tell_wrote_again(&path, writer, &servers, &back, home),
        Progress::UpdatedState { .. } => {}
    };
    Ok(apply::apply_observed(
        plan,
        observed,
        Command {
            store,
            secrets,
            state_dir: &workspace.state_dir,
            audit,
            progress: &mut progress,
            project_root: &workspace.loaded.root,
            record,
            now: workspace.now,
        },
    )?)
}

/// Another program erased entries apply had just written (`servers`), or
/// brought back entries it had just removed (`back`), and apply wrote the
/// file again: said by every command that applies.
pub(super) fn tell_wrote_again(
    path: &Path,
    writer: &str,
    servers: &[String],
    back: &[String],
    home: &Path,
) {
    let escaped = |names: &[String]| -> Vec<String> {
        names.iter().map(|s| escape(s).into_owned()).collect()
    };
    let them = |names: &[String]| if names.len() == 1 { "it" } else { "them" };
    let did = match (servers.is_empty(), back.is_empty()) {
        (false, true) => format!("wrote {} again", them(servers)),
        (true, false) => format!("removed {} again", them(back)),
        _ => "put them right again".to_owned(),
    };
    note!(
        "{writer} rewrote `{}` right after mcpctl did, {}; {did}",
        display_path(path, home),
        apply::undone(&escaped(servers), &escaped(back)),
    );
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum ConfirmError {
    #[error("this needs confirmation, and there is no terminal to ask on")]
    #[diagnostic(help("review the changes above, then run `{command}`"))]
    NoTerminal { command: String },
    #[error("cancelled; nothing was changed")]
    Declined,
}

fn shown_plan(args: &Args) -> String {
    args.plan
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// Asks `question`; only `yes` goes ahead. Without a terminal, the error
/// names `unattended`, the command that needs no confirmation.
pub fn confirm(question: &str, unattended: &str) -> miette::Result<()> {
    if !std::io::stdin().is_terminal() {
        return Err(ConfirmError::NoTerminal {
            command: unattended.to_owned(),
        }
        .into());
    }
    print!("{question} Only `yes` is accepted: ");
    std::io::stdout().flush().into_diagnostic()?;
    let answer = secret_input::read_answer().map_err(|err| miette::miette!("{err}"))?;
    if answer == "yes" {
        Ok(())
    } else {
        Err(ConfirmError::Declined.into())
    }
}

/// `--secrets-from-env`: the variable named like the credential.
struct FromEnv;

impl SecretSource for FromEnv {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError> {
        if credential.is_file() {
            return secret_input::file_from_env(&credential.name).map_err(|hint| {
                ApplyError::MissingSecret {
                    credential: credential.name.clone(),
                    hint,
                }
            });
        }
        match std::env::var(&credential.name) {
            Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
            _ => Err(ApplyError::MissingSecret {
                credential: credential.name.clone(),
                hint: format!(
                    "set the environment variable `{}` for this run, or run `mcpctl apply` \
                     in a terminal without `--secrets-from-env` to be asked",
                    credential.name
                ),
            }),
        }
    }
}

/// Asks on the terminal, with hidden input, then for an optional expiry date.
struct Prompt;

impl SecretSource for Prompt {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError> {
        let why = format!("`{}` is not in the credential store.", credential.name);
        secret_input::prompt_hidden(credential, &why, secret_input::Asker::Apply).map_err(|hint| {
            ApplyError::MissingSecret {
                credential: credential.name.clone(),
                hint,
            }
        })
    }

    fn expiry_for(&mut self, credential: &Credential) -> Result<Option<Date>, ApplyError> {
        secret_input::prompt_expiry(credential).map_err(|hint| ApplyError::MissingSecret {
            credential: credential.name.clone(),
            hint,
        })
    }
}
