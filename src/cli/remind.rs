//! `mcpctl remind`: a daily desktop notification when a credential is due
//! for rotation, expiring or revoked — for people who never run mcpctl.
//!
//! `remind install` registers `remind run` with the platform's scheduler
//! (files from [`crate::remind::schedule`]); `remind run` is what the
//! scheduler starts. Neither reads a value nor opens the store.

use super::ui::note;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

use miette::{IntoDiagnostic, WrapErr, miette};

use super::Outcome;
use super::render::display_path;
use super::workspace::{Workspace, manifest_path};
use crate::client::Launcher;
use crate::host::{Host, Os};
use crate::manifest::{Scope, Shell};
use crate::process::run_to_exit;
use crate::remind::notify::{Notifier, notifiers};
use crate::remind::schedule::{At, Reminder, Step};
use crate::remind::{Notification, due, notification};
use crate::state::State;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Check now; raise a desktop notification when a credential is due (what the daily job runs)
    Run {
        /// Print what is due as JSON (the notification is raised all the same)
        #[arg(long)]
        json: bool,
    },
    /// Register a daily `remind run` of this manifest with the platform's scheduler
    Install {
        /// Time of day to run, local time (24-hour)
        #[arg(long, value_name = "HH:MM", default_value = "09:00")]
        at: At,
    },
    /// Stop and remove this manifest's daily reminder
    Uninstall,
    /// Show whether this manifest has a reminder, its next run, and other manifests' reminders
    Status {
        /// Print the status as JSON
        #[arg(long)]
        json: bool,
    },
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    match args.command {
        Sub::Run { json } => run_now(manifest, json),
        Sub::Install { at } => install(manifest, at),
        Sub::Uninstall => uninstall(manifest),
        Sub::Status { json } => status(manifest, json),
    }
}

fn run_now(manifest: Option<&Path>, json: bool) -> miette::Result<Outcome> {
    let workspace = match Workspace::open(manifest) {
        Ok(workspace) => workspace,
        Err(err) => {
            notify_broken_job(manifest);
            return Err(err);
        }
    };
    let host = &workspace.host;
    let state = State::load(&workspace.state_dir)?;
    let due = due(&workspace.loaded.manifest, &state, workspace.now);
    let shown = display_path(&workspace.loaded.path, &host.home);
    if json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "manifest": workspace.loaded.path,
            "due": due,
        }))
        .into_diagnostic()?;
        println!("{text}");
    } else if due.is_empty() {
        println!("Nothing due in `{shown}`: no credential is overdue, expiring or revoked.");
    } else {
        for d in &due {
            println!("! {}: {}", d.credential, d.what);
        }
    }
    if let Some(note) = notification(&due, &shown) {
        deliver(host, &note)?;
    }
    Ok(Outcome::Success)
}

/// When the daily job cannot read its manifest nobody sees the error:
/// say so on the desktop (best effort; the error is returned anyway).
fn notify_broken_job(manifest: Option<&Path>) {
    if std::io::stderr().is_terminal() {
        return;
    }
    let Ok(host) = Host::from_process() else {
        return;
    };
    let shown = manifest.map_or_else(|| "mcpctl.kdl".to_owned(), |m| m.display().to_string());
    let note = Notification {
        title: "mcpctl: the credential reminder failed".to_owned(),
        body: format!(
            "It cannot read `{shown}`. Run `mcpctl remind run -f {shown}` to see why, \
             or `mcpctl remind uninstall -f {shown}`."
        ),
        urgent: true,
    };
    let _ = deliver(&host, &note);
}

/// Raises `note` with the first notifier present; without any, prints it
/// on stderr (not an error: the job did what it could).
fn deliver(host: &Host, note: &Notification) -> miette::Result<()> {
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    for Notifier { argv, env } in notifiers(host.os, note, super::ui::user(host).ok().as_deref()) {
        let output = run_to_exit(Command::new(&argv[0]).args(&argv[1..]).envs(env));
        match output {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => missing.push(argv[0].clone()),
            Err(err) => failures.push(format!("`{}` could not start: {err}", argv[0])),
            Ok(out) if out.status.success() => return Ok(()),
            Ok(out) => failures.push(format!(
                "`{}` failed ({}): {}",
                argv[0],
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        }
    }
    if !failures.is_empty() {
        return Err(miette!(
            help = "a notification needs the desktop session (its D-Bus on Linux); \
                    run `mcpctl remind run` from a terminal of that session to try it",
            "cannot raise the notification: {}",
            failures.join("; ")
        ));
    }
    note!(
        "warning: no notifier found ({} not on PATH); the reminder is printed here instead",
        missing.join(", ")
    );
    eprintln!("{}\n{}", note.title, note.body);
    Ok(())
}

/// The manifest's path as the reminder names it: absolute, symlinks
/// resolved (so `-f ./mcpctl.kdl` and `-f ~/src/x/mcpctl.kdl` are one
/// reminder). Windows keeps the plain absolute path (no `\\?\` form).
fn reminder_manifest(manifest: Option<&Path>) -> miette::Result<PathBuf> {
    let path = manifest_path(manifest)?;
    let absolute = std::path::absolute(&path)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot tell the absolute path of `{}`", path.display()))?;
    if cfg!(windows) {
        return Ok(absolute);
    }
    Ok(crate::fs::canonical(&absolute).unwrap_or(absolute))
}

#[cfg(unix)]
fn uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

#[cfg(not(unix))]
fn uid() -> u32 {
    0 // only launchd's `gui/<uid>` uses it
}

fn install(manifest: Option<&Path>, at: At) -> miette::Result<Outcome> {
    // The manifest must be valid now, or the daily job would only fail.
    let workspace = Workspace::open(manifest)?;
    let host = &workspace.host;
    let manifest = reminder_manifest(Some(&workspace.loaded.path))?;
    let exe = std::env::current_exe()
        .into_diagnostic()
        .wrap_err("cannot tell where the mcpctl binary is")?;
    let program = Launcher::for_scope(Scope::User, host, &exe)
        .program()
        .to_owned();
    super::plan::warn_unstable_program(&program, host, "the daily reminder runs", "remind install");
    let reminder = Reminder::new(host, &manifest, uid());
    for file in reminder.files(&program, at) {
        crate::fs::write_atomic(&file.path, &file.bytes())
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write `{}`", file.path.display()))?;
        println!("wrote {}", display_path(&file.path, &host.home));
    }
    let shown = display_path(&manifest, &host.home);
    let enable = reminder.enable();
    match reachable(&reminder) {
        Ok(()) => {
            for step in &enable {
                if let Err(why) = run_step(step)
                    && !step.may_fail
                {
                    return Err(miette!(
                        help = format!(
                            "fix the cause, then run `mcpctl remind install -f {}` again, or enable it yourself:\n{}",
                            manifest.display(),
                            commands(host.os, &enable)
                        ),
                        "the {} did not take the reminder: {why}",
                        reminder.scheduler()
                    ));
                }
            }
            println!(
                "Enabled `{}` with the {}: every day at {at} (or at the next chance when the \
                 machine was off), a desktop notification names the credentials of `{shown}` \
                 that are due.",
                reminder.name(),
                reminder.scheduler()
            );
        }
        Err(why) => {
            println!(
                "The {} is not reachable ({why}): the files are written but not enabled. \
                 To enable them, run:\n{}",
                reminder.scheduler(),
                commands(host.os, &enable)
            );
        }
    }
    println!(
        "Try it now: `mcpctl remind run -f {}`; remove it with `mcpctl remind uninstall -f {}`.",
        manifest.display(),
        manifest.display()
    );
    Ok(Outcome::Success)
}

fn uninstall(manifest: Option<&Path>) -> miette::Result<Outcome> {
    // No manifest parse: a reminder must be removable after its manifest went.
    let host = Host::from_process()?;
    let manifest = reminder_manifest(manifest)?;
    let reminder = Reminder::new(&host, &manifest, uid());
    let shown = display_path(&manifest, &host.home);
    let present: Vec<PathBuf> = reminder
        .paths()
        .into_iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if present.is_empty() {
        println!(
            "No reminder is installed for `{shown}` (`mcpctl remind status` lists the others)."
        );
        return Ok(Outcome::Success);
    }
    let reachable = reachable(&reminder);
    if reachable.is_ok() {
        for step in reminder.disable() {
            if let Err(why) = run_step(&step)
                && !step.may_fail
            {
                return Err(miette!(
                    "the {} did not stop it: {why}",
                    reminder.scheduler()
                ));
            }
        }
    }
    for path in &present {
        fs_err::remove_file(path).into_diagnostic()?;
        println!("removed {}", display_path(path, &host.home));
    }
    match reachable {
        Ok(()) => {
            for step in reminder.after_removal() {
                run_step(&step)
                    .map_err(|why| miette!("the {} did not reload: {why}", reminder.scheduler()))?;
            }
            println!("Removed the reminder of `{shown}`.");
        }
        Err(why) => println!(
            "Removed the reminder of `{shown}`; the {} is not reachable ({why}), so nothing was \
             running to stop.",
            reminder.scheduler()
        ),
    }
    Ok(Outcome::Success)
}

fn status(manifest: Option<&Path>, json: bool) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let manifest = reminder_manifest(manifest)?;
    let reminder = Reminder::new(&host, &manifest, uid());
    let files: Vec<PathBuf> = reminder
        .paths()
        .into_iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    let installed = reminder.main_file().exists();
    let mut others: Vec<PathBuf> = std::fs::read_dir(reminder.dir())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| reminder.is_reminder_file(n))
                        && *p != reminder.main_file()
                })
                .collect()
        })
        .unwrap_or_default();
    others.sort();
    if json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "manifest": manifest,
            "name": reminder.name(),
            "installed": installed,
            "files": files,
            "others": others,
        }))
        .into_diagnostic()?;
        println!("{text}");
        return Ok(Outcome::Success);
    }
    let shown = display_path(&manifest, &host.home);
    if installed {
        println!("Reminder of `{shown}`: installed as `{}`", reminder.name());
        for file in &files {
            println!("  {}", display_path(file, &host.home));
        }
        match reachable(&reminder).and_then(|()| query(&reminder.query())) {
            Ok(text) => {
                println!("The {} says:", reminder.scheduler());
                for line in text.lines() {
                    println!("  {line}");
                }
            }
            Err(why) => println!("The {} is not reachable ({why}).", reminder.scheduler()),
        }
    } else {
        println!(
            "No reminder is installed for `{shown}`. `mcpctl remind install -f {}` installs one.",
            manifest.display()
        );
    }
    if !others.is_empty() {
        println!("Reminders of other manifests:");
        for other in &others {
            println!("  {}", display_path(other, &host.home));
        }
    }
    Ok(Outcome::Success)
}

/// Whether the scheduler answers; why not, when it does not.
fn reachable(reminder: &Reminder) -> Result<(), String> {
    match reminder.probe() {
        None => Ok(()),
        Some(argv) => query(&argv).map(|_| ()),
    }
}

fn run_step(step: &Step) -> Result<(), String> {
    query(&step.argv).map(|_| ())
}

/// Runs a scheduler command; its stdout, or why it failed.
fn query(argv: &[String]) -> Result<String, String> {
    let output =
        run_to_exit(Command::new(&argv[0]).args(&argv[1..])).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => format!("`{}` is not on PATH", argv[0]),
            _ => format!("`{}` could not start: {err}", argv[0]),
        })?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let why = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    Err(format!(
        "`{}` failed ({}){}{}",
        argv.join(" "),
        output.status,
        if why.is_empty() { "" } else { ": " },
        why.trim()
    ))
}

/// Commands to paste into a shell, one per line, indented.
fn commands(os: Os, steps: &[Step]) -> String {
    let shell = if os == Os::Windows {
        Shell::Powershell
    } else {
        Shell::Bash
    };
    steps
        .iter()
        .filter(|step| !step.may_fail)
        .map(|step| {
            let words: Vec<String> = step
                .argv
                .iter()
                .map(|arg| {
                    let plain = !arg.is_empty()
                        && arg.chars().all(|c| {
                            c.is_ascii_alphanumeric()
                                || "-_./:=@+,%".contains(c)
                                || (c == '\\' && shell == Shell::Powershell)
                        });
                    if plain {
                        arg.clone()
                    } else {
                        crate::shell::quote(shell, arg)
                    }
                })
                .collect();
            format!("  {}", words.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
