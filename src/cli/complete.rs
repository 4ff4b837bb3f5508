//! Shell completions: `mcpctl completions SHELL` prints the registration
//! script for a shell; the script calls back into mcpctl (with `COMPLETE`
//! set), which completes subcommands and flags from the clap definitions
//! and credential, server and client names from the manifest found from
//! the current directory.

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{Bash, CompleteEnv, EnvCompleter, Fish, Powershell, Zsh};

use super::{Cli, Outcome};
use crate::manifest;

/// The environment variable the registration scripts set when asking.
const VAR: &str = "COMPLETE";

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print the completion script for
    shell: Shell,
}

/// Answers a completion request from a registered shell, then exits;
/// returns when this is a normal run.
pub fn answer_if_asked() {
    CompleteEnv::with_factory(Cli::command).var(VAR).complete();
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    print!("{}", script(args.shell)?);
    Ok(Outcome::Success)
}

/// The registration script for `shell`. It names `mcpctl` (found on
/// `PATH`), so the same text serves every install; packages ship it from
/// `completions/` (see [`FILES`]).
pub fn script(shell: Shell) -> miette::Result<String> {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::Powershell => &Powershell,
    };
    let mut script = Vec::new();
    completer
        .write_registration(VAR, "mcpctl", "mcpctl", "mcpctl", &mut script)
        .map_err(|err| miette::miette!("cannot write the completion script: {err}"))?;
    Ok(String::from_utf8_lossy(&script).into_owned())
}

/// Each shell's script under the file name its completion directory
/// expects (`mcpctl` for bash-completion, `_mcpctl` for zsh, …).
pub const FILES: [(Shell, &str); 4] = [
    (Shell::Bash, "mcpctl.bash"),
    (Shell::Zsh, "_mcpctl"),
    (Shell::Fish, "mcpctl.fish"),
    (Shell::Powershell, "mcpctl.ps1"),
];

/// The manifest nearest the current directory, if it parses.
fn nearby_manifest() -> Option<manifest::Manifest> {
    let cwd = std::env::current_dir().ok()?;
    let path = manifest::find(&cwd)?;
    manifest::load(&path).ok().map(|loaded| loaded.manifest)
}

fn candidates(names: impl IntoIterator<Item = String>) -> Vec<CompletionCandidate> {
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Credential names of the nearby manifest.
pub fn credentials() -> Vec<CompletionCandidate> {
    candidates(
        nearby_manifest()
            .into_iter()
            .flat_map(|m| m.credentials.into_keys()),
    )
}

/// Server names of the nearby manifest.
pub fn servers() -> Vec<CompletionCandidate> {
    candidates(
        nearby_manifest()
            .into_iter()
            .flat_map(|m| m.servers.into_keys()),
    )
}
