//! `mcpctl import`: move the plaintext secrets of client files into the OS
//! credential store and rewrite the entries to reference them — shown as a
//! redacted plan first, applied only on confirmation.
//!
//! Entries stay the user's (no ownership is recorded); `mcpctl init
//! --from-clients` then `mcpctl apply --adopt` bring them under a manifest.

use super::ui::note;
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use miette::IntoDiagnostic;

use super::apply::{confirm, tell_wrote_again};
use super::render::plan::{View, render};
use super::render::{Style, display_path};
use super::workspace::configured_audit_log;
use super::{Outcome, use_color};
use crate::adopt::import::{ClientTexts, Collision, ImportPlan, Options, Resolve, plan};
use crate::apply::Progress;
use crate::audit::Actor;
use crate::client::Launcher;
use crate::host::Host;
use crate::manifest::Delivery;
use crate::store::{CredentialStore, KeyringStore, Secret, StoreError};
use crate::terminal_text::escape;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How rewritten entries reach their secrets: `exec` (mcpctl reads the
    /// store at launch) or `env-ref` (the client's own reference syntax)
    #[arg(long, value_enum, default_value = "exec")]
    delivery: DeliveryArg,

    /// Store a value under another name: `VAR=NAME`, `SERVER/VAR=NAME` or
    /// `CLIENT/SERVER/VAR=NAME` (resolves a name that already holds a
    /// different value)
    #[arg(long = "rename", value_name = "KEY=NAME", value_parser = parse_rename)]
    renames: Vec<(String, String)>,

    /// Apply without asking for confirmation
    #[arg(long)]
    auto_approve: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum DeliveryArg {
    Exec,
    EnvRef,
}

fn parse_rename(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, name)) if !key.is_empty() && !name.is_empty() => {
            Ok((key.to_owned(), name.to_owned()))
        }
        _ => Err(format!("expected KEY=NAME, got `{text}`")),
    }
}

/// Asks for another name on the terminal; without one, gives up (the
/// error names `--rename`).
struct AskOnTerminal;

impl Resolve for AskOnTerminal {
    fn rename(&mut self, collision: &Collision) -> Option<String> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        eprintln!(
            "`{}` already holds a different value ({}); the value in {} needs another name.",
            escape(&collision.name),
            escape(&collision.other),
            escape(&collision.source.to_string())
        );
        eprint!("Store it as (empty to stop): ");
        std::io::stderr().flush().ok()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).ok()?;
        let answer = answer.trim();
        (!answer.is_empty()).then(|| answer.to_owned())
    }
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let cwd = std::env::current_dir().into_diagnostic()?;
    let current_exe = std::env::current_exe().into_diagnostic()?;
    let state_dir = host.state_dir();
    let user = super::ui::user(&host)?;
    let store = KeyringStore::open(&user)?;
    let read = ClientTexts::read(&host, &cwd)?;
    let documents = read.tables();
    let renames: BTreeMap<String, String> = args.renames.into_iter().collect();
    let launcher =
        |file: &crate::client::ClientFile| Launcher::for_scope(file.scope, &host, &current_exe);
    let stored = |name: &str| -> Result<Option<Secret>, StoreError> { store.get(name) };
    let options = Options {
        delivery: match args.delivery {
            DeliveryArg::Exec => Delivery::Exec,
            DeliveryArg::EnvRef => Delivery::EnvRef,
        },
        renames: &renames,
        launcher: &launcher,
        stored: &stored,
    };
    let imported = plan(&documents, &options, &mut AskOnTerminal, PathBuf::new())?;
    let style = Style { color: use_color() };
    print!("{}", describe(&imported, &host, store.name(), style));
    if imported.plan.files.is_empty() {
        return Ok(Outcome::Success);
    }
    if !args.auto_approve {
        confirm(
            "Store these values and rewrite these entries?",
            "mcpctl import --auto-approve",
        )?;
    }
    let _lock = crate::fs::DirLock::acquire(&state_dir, || {
        note!("waiting for another mcpctl command to finish…");
    })
    .into_diagnostic()?;
    let actor = Actor {
        user,
        host: host.name(),
        pid: std::process::id(),
        command: "import".to_owned(),
        manifest: None,
        git_commit: None,
    };
    let audit = configured_audit_log(&host, &state_dir, actor, None, jiff::Timestamp::now());
    let mut progress = |event: Progress| match event {
        Progress::StoredCredential { name } => {
            note!("stored `{}` in the {}", escape(&name), store.name())
        }
        Progress::DeletedCredential { name } => {
            note!("deleted `{}` from the {}", escape(&name), store.name())
        }
        Progress::WroteFile { path, .. } => {
            note!("wrote `{}`", display_path(&path, &host.home));
        }
        Progress::WroteAgain {
            path,
            writer,
            servers,
            back,
        } => tell_wrote_again(&path, writer, &servers, &back, &host.home),
        Progress::UpdatedState { .. } => {}
    };
    let report = imported.carry_out(&store, &state_dir, &audit, &cwd, read.texts, &mut progress)?;
    println!(
        "{}",
        style.bold(&format!(
            "Import complete: {} stored, {} rewritten in {}.",
            crate::words::count(report.credentials_stored, "credential"),
            crate::words::count(report.entries_changed, "entry"),
            crate::words::count(report.files_written, "file")
        ))
    );
    // A project that has its manifest already (`init` ran): bring the
    // rewritten entries under it rather than write another.
    match crate::manifest::find(&cwd) {
        Some(manifest) => println!(
            "Next: `mcpctl scan` to check; `mcpctl plan` compares these entries with `{}`, and `mcpctl apply --adopt` brings them under it.",
            display_path(&manifest, &host.home)
        ),
        None => println!(
            "Next: `mcpctl scan` to check, `mcpctl init --from-clients` to write a manifest of these servers."
        ),
    }
    // Import itself keeps no copy of the files it cleaned; earlier applies may have.
    let backups = state_dir.join("backups");
    if fs_err::read_dir(&backups).is_ok_and(|mut entries| entries.next().is_some()) {
        eprintln!(
            "note: `{}` holds copies of client files from earlier applies, which may still contain these secrets; delete it once you no longer need `mcpctl rollback`",
            display_path(&backups, &host.home)
        );
    }
    Ok(Outcome::Success)
}

/// The import plan for people: credentials, entry diffs (the plan
/// renderer's), and what is left in place.
fn describe(imported: &ImportPlan, host: &Host, store: &str, style: Style) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if !imported.moves.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!("Credentials in the {store}:"))
        );
        // Names, values and places all come from the client files.
        for m in &imported.moves {
            let sources: Vec<String> = m.sources.iter().map(ToString::to_string).collect();
            if m.present {
                let _ = writeln!(
                    out,
                    "  {} {}: already holds this value ({})",
                    style.dim("="),
                    escape(&m.credential.name),
                    escape(&m.redacted)
                );
            } else {
                let _ = writeln!(
                    out,
                    "  {} {} will be stored: {}",
                    style.green("+"),
                    escape(&m.credential.name),
                    escape(&m.redacted)
                );
            }
            let _ = writeln!(
                out,
                "      {}, from {}",
                m.credential.kind.as_str(),
                escape(&sources.join(", "))
            );
        }
        out.push('\n');
    }
    if !imported.plan.files.is_empty() {
        // The summary counts the values to store with the entries.
        let shown = imported.with_values(store);
        out.push_str(&render(&shown, &host.home, style, View::Import));
    }
    if !imported.left.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Left in place:"));
        for left in &imported.left {
            let _ = writeln!(
                out,
                "  {} {} in {} [{}]: {}",
                style.yellow("!"),
                escape(&left.redacted),
                escape(&left.source.to_string()),
                left.rule,
                escape(&left.reason)
            );
        }
    }
    if imported.plan.files.is_empty() {
        let _ = writeln!(out, "Nothing to import.");
    }
    out
}
