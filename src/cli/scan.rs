//! `mcpctl scan`: find plaintext secrets in client files, shell profiles
//! and history, a repository's tracked files, or named paths. Exit 3 when
//! anything is found, so it works as a pre-commit hook and a CI check; exit
//! 1 when a file could not be read or parsed (the scan is incomplete, so
//! not a clean result), after reporting what the rest held.
//!
//! With no paths and no `--git`, it scans this machine: every client's
//! files (local and project scope for the current directory) and the shell
//! profiles and histories. Named paths and `--git` scan only those, so a
//! pre-commit hook never reads the home directory.

use std::path::{Path, PathBuf};

use miette::IntoDiagnostic;

use super::render::{Style, display_path};
use super::{Outcome, use_color};
use crate::host::Host;
use crate::scan::{Report, client_files, git_files, path_target, sarif, scan, shell_targets};
use crate::terminal_text::escape;
use crate::words::count;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to scan (a client's project file, such as `.mcp.json`, is
    /// read as one)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Scan the files git tracks in the current repository (`git ls-files`)
    #[arg(long)]
    git: bool,

    /// Also scan every client's files (the default without paths or --git)
    #[arg(long)]
    clients: bool,

    /// Also scan shell profiles and history (the default without paths or
    /// --git)
    #[arg(long)]
    shell: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Same as `--format json`
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let cwd = std::env::current_dir().into_diagnostic()?;
    let machine = args.paths.is_empty() && !args.git;
    let mut targets = Vec::new();
    if machine || args.clients {
        targets.extend(client_files(&host, &cwd));
    }
    if machine || args.shell {
        targets.extend(shell_targets(&host));
    }
    for path in &args.paths {
        if !path.exists() {
            miette::bail!(miette::miette!(
                help = "check the path; `mcpctl scan` with no paths scans this machine's client files and shell history",
                "`{}` does not exist",
                path.display()
            ));
        }
        targets.push(path_target(path, &host));
    }
    if args.git {
        for path in git_files(&cwd)? {
            let relative = path
                .strip_prefix(&cwd)
                .map(Path::to_path_buf)
                .unwrap_or(path);
            targets.push(path_target(&relative, &host));
        }
    }
    let report = scan(&targets);
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        ),
        Format::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&sarif::to_sarif(&report, &cwd))
                .expect("sarif serializes")
        ),
        Format::Text => print!(
            "{}",
            render(&report, &host.home, Style { color: use_color() })
        ),
    }
    if !report.unreadable.is_empty() {
        return Err(Unreadable::new(&report, &host.home).into());
    }
    Ok(if report.findings.is_empty() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// Files the scan could not read or parse: it is incomplete, so it does
/// not end as a clean result, whatever it found elsewhere.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error(
    "{} could not be scanned, so the scan is incomplete:\n{}",
    count(files.len(), "file"),
    files.join("\n")
)]
#[diagnostic(
    code(mcpctl::scan::unreadable),
    help("fix the file (its syntax or its permissions) and run `mcpctl scan` again")
)]
struct Unreadable {
    /// One line a file: its path and why.
    files: Vec<String>,
}

impl Unreadable {
    fn new(report: &Report, home: &Path) -> Unreadable {
        let files = report
            .unreadable
            .iter()
            .map(|file| {
                let shown = display_path(&file.file, home);
                let raw = file.file.display().to_string();
                // Most reasons name the file already.
                if file.reason.contains(&raw) || file.reason.contains(&shown) {
                    file.reason.clone()
                } else {
                    format!("`{shown}`: {}", file.reason)
                }
            })
            .collect();
        Unreadable { files }
    }
}

fn render(report: &Report, home: &Path, style: Style) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for f in &report.findings {
        let place = format!("{}:{}:{}", display_path(&f.file, home), f.line, f.column);
        let (symbol, kind) = if f.is_reference() {
            (style.yellow("!"), "reference")
        } else {
            (style.red("!"), "secret")
        };
        let _ = writeln!(
            out,
            "{symbol} {}: {kind} {} — {} [{}]",
            style.bold(&place),
            escape(&f.redacted),
            f.description,
            f.rule
        );
        if let Some(entry) = &f.entry {
            // Names and fields of entries in files anyone may have written.
            let _ = writeln!(
                out,
                "    server `{}`, {}",
                escape(&entry.server),
                escape(&entry.field)
            );
        }
        if let Some(hint) = &f.hint {
            let _ = writeln!(out, "    {}", style.dim(&format!("hint: {}", escape(hint))));
        }
    }
    for skipped in &report.skipped {
        let _ = writeln!(
            out,
            "{} {}: not scanned: {}",
            style.yellow("warning:"),
            display_path(&skipped.file, home),
            skipped.reason
        );
    }
    let secrets = report.findings.iter().filter(|f| !f.is_reference()).count();
    let references = report.findings.len() - secrets;
    let mut files: Vec<&Path> = report.findings.iter().map(|f| f.file.as_path()).collect();
    files.sort();
    files.dedup();
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "No plaintext secrets found in the {} scanned.",
            count(report.files_scanned, "file")
        );
    } else {
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!(
                "Found {} and {} in {} ({} scanned).",
                count(secrets, "plaintext secret"),
                count(references, "unresolvable reference"),
                count(files.len(), "file"),
                report.files_scanned
            ))
        );
        if secrets > 0 {
            let _ = writeln!(
                out,
                "A value that was committed, shared or pasted in a terminal is exposed: revoke it at its provider \
                 and store the new one with `mcpctl rotate NAME`; values in client files move with `mcpctl import`."
            );
        }
    }
    out
}
