//! The command-line interface: argument parsing, prompts, rendering and
//! exit codes. Everything below this module returns values and errors;
//! only this layer prints or decides how the process ends.
//!
//! Exit codes (as DESIGN.md and Terraform): `0` success and nothing to
//! change, `1` error, `2` changes pending (`plan --detailed-exitcode`), `3`
//! the job ran and found problems (`check`, `scan`, `plan --fail-on-overdue`).

mod add;
mod apply;
mod audit;
mod catalog;
mod check;
mod clients;
mod complete;
mod destroy;
mod env;
mod exec;
mod import;
mod init;
mod plan;
mod reference;
mod remind;
mod render;
mod report;
mod revoke;
mod rollback;
mod rotate;
mod scan;
mod schema;
mod secret_input;
mod show;
mod status;
mod ui;
mod validate;
mod workspace;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Config-as-code for MCP servers and their credentials.
///
/// A team checks in `mcpctl.kdl`: servers, the credentials each needs and
/// which clients get them — never secret values. `mcpctl plan` shows how
/// this machine differs; `mcpctl apply` puts secrets in the OS credential
/// store and writes client entries that reference them.
#[derive(Debug, Parser)]
#[command(name = "mcpctl", version = env!("MCPCTL_LONG_VERSION"), about, long_about)]
pub struct Cli {
    /// The manifest to use [default: `mcpctl.kdl` in this directory or the
    /// nearest parent]
    #[arg(
        short = 'f',
        long = "manifest",
        global = true,
        value_name = "PATH",
        help_heading = "Global options"
    )]
    manifest: Option<PathBuf>,

    /// Print only errors, the requested output and the questions a command
    /// must ask (no progress, notes or warnings)
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    quiet: bool,

    /// Also say which manifest, files and credential store a command used
    #[arg(short, long, global = true, help_heading = "Global options")]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the manifest and report every problem in it
    Validate(validate::Args),
    /// Show how the credential store and client files differ from the manifest
    Plan(plan::Args),
    /// Make the credential store and client files match the manifest (or apply a saved plan)
    Apply(apply::Args),
    /// Render a saved plan (`plan --out FILE`) for review
    Show(show::Args),
    /// Which manifests this machine last applied, and what drifted since
    Status(status::Args),
    /// Restore the client files the last apply replaced, from its backups
    Rollback(rollback::Args),
    /// Remove everything this manifest put on the machine (offboarding)
    Destroy(destroy::Args),
    /// Start a server with its credentials from the store (used by client entries)
    ///
    /// `--manifest` names the manifest that owns the entry: the records of
    /// the launch are forwarded and alerted on as its audit settings say.
    Exec(exec::Args),
    /// Write the JSON Schemas of the manifest model and of the JSON plan
    Schema(schema::Args),
    /// Print shell exports of the credentials env-ref clients reference, as the last apply recorded them
    Env(env::Args),
    /// List the MCP clients mcpctl knows: found here or not, files, servers
    Clients(clients::Args),
    /// Store a new value for a credential and show who uses it
    Rotate(rotate::Args),
    /// Show the audit trail (filtered), or `audit verify` its hash chain
    Audit(audit::Args),
    /// Emergency: delete a credential, block the servers that use it, say what is left to do
    Revoke(revoke::Args),
    /// Validate every credential, client file, client version and (optionally) server at once
    Check(check::Args),
    /// Move plaintext secrets of client files into the OS store; rewrite their entries to reference them
    Import(import::Args),
    /// Daily desktop notifications of credentials due: `remind install`, `uninstall`, `status`, `run`
    Remind(remind::Args),
    /// Find plaintext secrets in client files, shell history or a repository (exit 3 when found, 1 when a file cannot be read)
    Scan(scan::Args),
    /// List the catalog: the servers of the credentials guide, with their credentials and scopes
    Catalog(catalog::Args),
    /// Add catalog servers and their credentials to the manifest, then show the plan
    Add(add::Args),
    /// Write `mcpctl.kdl` from the servers configured in this machine's clients
    Init(init::Args),
    /// Print the shell completion script (completes names from the manifest too)
    Completions(complete::Args),
    /// Write the man pages and the Markdown command reference
    #[command(hide = true)]
    GenerateReference(reference::Args),
}

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing pending.
    Success,
    /// Done, and changes are pending (`--detailed-exitcode`).
    ChangesPending,
    /// Done, and it found problems (`check`, `--fail-on-overdue`).
    Problems,
    /// `exec` ran the server as its child, which exited with this code;
    /// mcpctl leaves with the same one.
    ServerExited(i32),
}

pub fn main() -> ExitCode {
    complete::answer_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_exit(&error),
    };
    // File credentials a killed `exec` could not remove (see `secret_file`).
    let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    crate::secret_file::sweep(runtime_dir.as_deref());
    ui::set(if cli.quiet {
        ui::Verbosity::Quiet
    } else if cli.verbose {
        ui::Verbosity::Verbose
    } else {
        ui::Verbosity::Normal
    });
    let result = match cli.command {
        Command::Validate(args) => validate::run(cli.manifest.as_deref(), args),
        Command::Plan(args) => plan::run(cli.manifest.as_deref(), args),
        Command::Apply(args) => apply::run(cli.manifest.as_deref(), args),
        Command::Show(args) => show::run(args),
        Command::Status(args) => status::run(args),
        Command::Rollback(args) => rollback::run(args),
        Command::Destroy(args) => destroy::run(cli.manifest.as_deref(), args),
        Command::Exec(args) => exec::run(cli.manifest.as_deref(), args),
        Command::Schema(args) => schema::run(args),
        Command::Env(args) => env::run(cli.manifest.as_deref(), args),
        Command::Clients(args) => clients::run(cli.manifest.as_deref(), args),
        Command::Rotate(args) => rotate::run(cli.manifest.as_deref(), args),
        Command::Audit(args) => audit::run(args),
        Command::Revoke(args) => revoke::run(cli.manifest.as_deref(), args),
        Command::Check(args) => check::run(cli.manifest.as_deref(), args),
        Command::Remind(args) => remind::run(cli.manifest.as_deref(), args),
        Command::Scan(args) => scan::run(args),
        Command::Import(args) => import::run(args),
        Command::Catalog(args) => catalog::run(args),
        Command::Add(args) => add::run(cli.manifest.as_deref(), args),
        Command::Init(args) => init::run(cli.manifest.as_deref(), args),
        Command::Completions(args) => complete::run(args),
        Command::GenerateReference(args) => reference::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ChangesPending) => ExitCode::from(2),
        Ok(Outcome::Problems) => ExitCode::from(3),
        Ok(Outcome::ServerExited(code)) => server_exit_code(code),
        Err(error) => {
            eprintln!("{}", report::Shown(&*error));
            ExitCode::FAILURE
        }
    }
}

/// Prints clap's message and ends as the exit codes promise: `--help` and
/// `--version` succeed; a usage error (a typo'd flag, an unknown command, a
/// missing argument) is an error, `1`. clap's own default, `2`, would read
/// as "changes pending" to a CI gate that runs
/// `mcpctl plan --detailed-exitcode || [ $? = 2 ]`, letting a typo pass.
fn usage_exit(error: &clap::Error) -> ExitCode {
    // Printing can fail only when the stream is gone; nothing is left to tell.
    let _ = error.print();
    if error.use_stderr() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Leaves with the server's exit code, as the server gave it: its low eight
/// bits on Unix (all an exit status holds); all 32 on Windows, where an
/// NTSTATUS such as `0xC000013A` (Ctrl+C) must stay intact. `ExitCode`
/// cannot carry that on stable Rust (`ExitCodeExt::from_raw` is unstable),
/// so Windows leaves here, the work being done.
#[cfg_attr(
    windows,
    expect(
        clippy::exit,
        reason = "ExitCode holds only 8 bits on stable Rust; a Windows exit code has 32"
    )
)]
fn server_exit_code(code: i32) -> ExitCode {
    #[cfg(windows)]
    std::process::exit(code);
    #[cfg(not(windows))]
    ExitCode::from(code as u8)
}

/// Whether to colour output written to stdout: a terminal, and `NO_COLOR`
/// not set.
pub fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
