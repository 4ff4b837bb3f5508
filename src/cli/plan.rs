//! `mcpctl plan`: show how this machine differs from the manifest.
//! Reads the store's attributes only — never a secret — and writes nothing.

use super::ui::note;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::render::Style;
use super::render::plan::{View, render};
use super::workspace::Workspace;
use super::{Outcome, use_color};
use crate::plan::{Options, PlanOutput, SavedPlan, Selector, select};
use miette::{IntoDiagnostic, WrapErr};

use crate::store::{CredentialStore, EmptyStore};

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Print the plan as JSON (schema: `schemas/plan.schema.json`)
    #[arg(long)]
    json: bool,

    /// Exit 2 when there are changes, 0 when there are none (1 is an error)
    #[arg(long)]
    detailed_exitcode: bool,

    /// Plan to take over entries of the same name that mcpctl did not write
    #[arg(long)]
    adopt: bool,

    /// Exit 3 when a credential is overdue for rotation or expired (for CI)
    #[arg(long)]
    fail_on_overdue: bool,

    /// Save the plan to FILE; `mcpctl apply FILE` applies exactly it, or
    /// refuses when the machine or the manifest changed since
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Plan only some servers, credentials or clients: `server:NAME`,
    /// `credential:NAME`, `client:ID` (repeatable; entries bring the
    /// credentials they need)
    #[arg(long = "target", value_name = "SELECTOR")]
    targets: Vec<Selector>,

    /// Plan against an empty machine (a temporary home, no credential
    /// store): what a new member would get, for CI. Reads nothing of this
    /// machine but the manifest and its repository. Reads no personal
    /// profile: plans every role's servers, variables left as `{NAME}`
    #[arg(long, conflicts_with_all = ["out", "adopt"])]
    offline: bool,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let empty_home;
    let (workspace, store): (_, Result<Box<dyn CredentialStore>, _>) = if args.offline {
        empty_home = tempfile::tempdir()
            .into_diagnostic()
            .wrap_err("cannot create a temporary home for the offline plan")?;
        (
            Workspace::open_offline(manifest, empty_home.path())?,
            Ok(Box::new(EmptyStore)),
        )
    } else {
        let workspace = Workspace::open(manifest)?;
        let store = workspace
            .open_store()
            .map(|s| Box::new(s) as Box<dyn CredentialStore>);
        (workspace, store)
    };
    if let Err(err) = &store {
        warn_store_unavailable(err);
    }
    let store_ref = store.as_deref();
    for target in &args.targets {
        target.check(&workspace.loaded.manifest)?;
    }
    let options = Options { adopt: args.adopt };
    let (desired, observed, plan) = workspace.plan(store_ref, options)?;
    let plan = select(plan, &args.targets, &desired);
    warn_unstable_launcher(&plan, &workspace.host);
    if args.json {
        let output = PlanOutput {
            plan: &plan,
            summary: plan.summary(),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&output).expect("plan serializes")
        );
    } else {
        let apply = apply_command(manifest, &args.targets);
        print!(
            "{}",
            render(
                &plan,
                &workspace.host.home,
                Style { color: use_color() },
                if args.out.is_some() {
                    View::Saved
                } else if args.offline {
                    View::Offline
                } else {
                    View::Plan {
                        apply: &apply,
                        adopt: args.adopt,
                    }
                },
            )
        );
    }
    if !args.offline {
        // `mcpctl env` serves the exports only once an apply recorded them.
        let recorded = plan.exports.iter().all(|c| !c.writes());
        super::env::warn_unexported(&desired, &workspace.loaded, &workspace.host, recorded);
    }
    if let Some(out) = &args.out {
        let saved = SavedPlan::new(
            plan.clone(),
            &workspace.loaded.digest,
            options,
            &args.targets,
            &observed,
        );
        super::show::save(out, &saved)?;
        note!(
            "Saved this plan to `{}`. `mcpctl apply {}` applies exactly it.",
            out.display(),
            out.display()
        );
    }
    Ok(if args.fail_on_overdue && plan.summary().overdue > 0 {
        Outcome::Problems
    } else if args.detailed_exitcode && plan.has_changes() {
        Outcome::ChangesPending
    } else {
        Outcome::Success
    })
}

/// The `mcpctl apply` that applies what this plan showed: the same
/// manifest (`-f` when one was named) and the same `--target`s.
fn apply_command(manifest: Option<&Path>, targets: &[Selector]) -> String {
    let mut command = String::from("mcpctl apply");
    if let Some(manifest) = manifest {
        let _ = write!(command, " -f {}", manifest.display());
    }
    for target in targets {
        let _ = write!(command, " --target {target}");
    }
    command
}

/// The store's error as a warning: the plan still runs.
pub fn warn_store_unavailable(err: &crate::store::StoreError) {
    note!("warning: {err}");
    note!("  credentials are shown as unknown in this plan");
    if let Some(help) = miette::Diagnostic::help(err) {
        note!("hint: {help}");
    }
}

/// A warning when the entries or shell blocks `plan` writes would run
/// mcpctl from where it will not stay — a cargo build directory (`cargo
/// run`) or the temporary directory — naming where to install it.
/// `MCPCTL_ALLOW_UNSTABLE_PATH=1` silences it for a build run on purpose
/// (the test suite's).
pub fn warn_unstable_launcher(plan: &crate::plan::Plan, host: &crate::host::Host) {
    use crate::client::Launcher;

    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let launcher = Launcher::for_scope(crate::manifest::Scope::User, host, &exe);
    let program = launcher.program();
    // As the path appears inside the entries' JSON.
    let quoted = serde_json::to_string(program).expect("a string serializes");
    let quoted = &quoted[1..quoted.len() - 1];
    let entries = plan
        .entries()
        .filter(|(_, change)| change.writes())
        .filter_map(|(_, change)| change.after.as_ref())
        .map(ToString::to_string);
    let blocks = plan
        .profiles
        .iter()
        .filter(|change| change.writes())
        .filter_map(|change| change.after.as_ref())
        .map(|block| serde_json::Value::String(block.clone()).to_string());
    let runs_it = entries.chain(blocks).any(|after| after.contains(quoted));
    if runs_it {
        warn_unstable_program(
            program,
            host,
            "the client entries in this plan run",
            "apply",
        );
    }
}

/// The warning of [`warn_unstable_launcher`] for any file that will run
/// `program` (`remind install`'s schedule too): `what` says who runs it,
/// `command` what to run again with the installed mcpctl.
pub fn warn_unstable_program(program: &str, host: &crate::host::Host, what: &str, command: &str) {
    use super::render::display_path;
    use crate::client::{Unstable, cargo_install_path, unstable_place};

    if host.var("MCPCTL_ALLOW_UNSTABLE_PATH") == Some("1") {
        return;
    }
    let Some(place) = unstable_place(Path::new(program), host) else {
        return;
    };
    let shown = display_path(Path::new(program), &host.home);
    match place {
        Unstable::CargoTarget { checkout } => {
            let installed = display_path(&cargo_install_path(host), &host.home);
            // A build directory outside the checkout (CARGO_TARGET_DIR)
            // does not say which checkout it builds.
            let install = checkout.map_or_else(
                || "`cargo install --locked --path .` in your mcpctl checkout".to_owned(),
                |dir| {
                    format!(
                        "`cargo install --locked --path {}`",
                        display_path(&dir, &host.home)
                    )
                },
            );
            note!(
                "warning: {what} `{shown}`, in a cargo build directory: \
                 `cargo clean` or the next build removes or replaces it"
            );
            note!(
                "hint: install mcpctl with {install} (it goes to \
                 `{installed}`), then run `{installed} {command}` so that {what} `{installed}`"
            );
        }
        Unstable::Temporary { dir } => {
            note!(
                "warning: {what} `{shown}`, in the temporary directory \
                 `{}`, which the system empties",
                display_path(&dir, &host.home)
            );
            note!(
                "hint: move mcpctl to a directory that stays, e.g. `~/.local/bin/mcpctl`, then run \
                 `~/.local/bin/mcpctl {command}` so that {what} `~/.local/bin/mcpctl`"
            );
        }
    }
}
