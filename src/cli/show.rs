//! `mcpctl show FILE`: a saved plan (`plan --out`), for review before
//! `mcpctl apply FILE`. Also where saved plans are read and written.
//!
//! The plan is shown from the file alone: a plan holds everything its view
//! needs, so what a reviewer reads does not change with the manifest or
//! the machine it is read on (only `~` in paths comes from here).

use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};
use serde::Serialize;

use super::render::Style;
use super::render::plan::{View, render};
use super::{Outcome, use_color};
use crate::host::Host;
use crate::plan::{SAVED_PLAN_VERSION, SavedPlan, Summary};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The saved plan (`mcpctl plan --out FILE`)
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Print it as JSON: the saved plan and its summary
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    saved: &'a SavedPlan,
    summary: Summary,
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let saved = load(&args.file)?;
    if args.json {
        let output = Output {
            saved: &saved,
            summary: saved.plan.summary(),
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&output).expect("plan serializes")
        );
        return Ok(Outcome::Success);
    }
    let host = Host::from_process()?;
    let style = Style { color: use_color() };
    println!(
        "{}",
        style.bold(&format!(
            "Saved plan for `{}`, computed {} by mcpctl {}{}",
            saved.plan.manifest.display(),
            saved.created_at,
            saved.mcpctl_version,
            if saved.targets.is_empty() {
                String::new()
            } else {
                let targets: Vec<String> = saved.targets.iter().map(ToString::to_string).collect();
                format!(", targets {}", targets.join(" "))
            }
        ))
    );
    println!();
    print!("{}", render(&saved.plan, &host.home, style, View::Apply));
    if saved.plan.has_changes() {
        println!(
            "Run `mcpctl apply {}` to make exactly these changes.",
            args.file.display()
        );
    }
    Ok(Outcome::Success)
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum SavedPlanError {
    #[error("`{path}` is not a saved plan: {message}")]
    #[diagnostic(help("save one with `mcpctl plan --out {path}`"))]
    Invalid { path: String, message: String },

    #[error(
        "`{path}` is a saved plan of format {version}, which this mcpctl cannot read (it reads format {SAVED_PLAN_VERSION})"
    )]
    #[diagnostic(help(
        "run `mcpctl plan --out {path}` again with this mcpctl, review the new plan, then `mcpctl apply {path}`"
    ))]
    Version { path: String, version: u64 },
}

/// Reads a saved plan, refusing other files and other formats.
pub fn load(path: &Path) -> miette::Result<SavedPlan> {
    let text = fs_err::read_to_string(path).into_diagnostic()?;
    let shown = path.display().to_string();
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| SavedPlanError::Invalid {
            path: shown.clone(),
            message: err.to_string(),
        })?;
    match value.get("saved-plan").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(SAVED_PLAN_VERSION) => {}
        Some(version) => {
            return Err(SavedPlanError::Version {
                path: shown,
                version,
            }
            .into());
        }
        None => {
            return Err(SavedPlanError::Invalid {
                path: shown,
                message: "it has no `saved-plan` format number (a `plan --json` output cannot be applied)"
                    .to_owned(),
            }
            .into());
        }
    }
    serde_json::from_value(value).map_err(|err| {
        SavedPlanError::Invalid {
            path: shown,
            message: err.to_string(),
        }
        .into()
    })
}

/// Writes a saved plan, replacing `path` atomically.
pub fn save(path: &Path, saved: &SavedPlan) -> miette::Result<()> {
    let mut text = serde_json::to_string_pretty(saved).expect("plan serializes");
    text.push('\n');
    crate::fs::write_atomic(path, text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write the plan to `{}`", path.display()))
}
