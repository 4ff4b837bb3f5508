//! `mcpctl env --shell SHELL`: print the exports env-ref clients need.
//!
//! Clients in env-ref delivery read `${GITHUB_TOKEN}` (or their own
//! syntax) from the environment they start in. This command reads those
//! credentials from where they live (the store, or their `env`/`command`
//! source) and prints one export per credential, quoted
//! for the shell so any value is taken literally; the shell-profile block
//! mcpctl manages evaluates it at shell start. Values go to stdout only —
//! that is the command's purpose — never to a file or a log; each read is
//! recorded in the audit trail (without the value).
//!
//! What it exports, and from which source, is what the manifest's last
//! `apply` recorded ([`State::exports`]), never the manifest as it is now:
//! the block runs at every shell start, and a branch checked out since
//! (`credential PROMPT_COMMAND { source command … }`, or a changed
//! `source command`) must not run or export anything before a person has
//! seen it in a plan and confirmed it. The manifest is only read to tell
//! whether it asks for something else — then one warning line names
//! `mcpctl plan`. A manifest never applied here exports nothing.

use super::ui::note;
use std::collections::BTreeMap;
use std::path::Path;

use miette::{Diagnostic, IntoDiagnostic};

use super::Outcome;
use super::render::display_path;
use super::workspace::{Workspace, audit_log_with_settings, manifest_path};
use crate::audit::{Actor, git_commit};
use crate::client::detected;
use crate::host::Host;
use crate::manifest::{LoadedManifest, Shell};
use crate::plan::{Desired, env_exports, targets};
use crate::shell::{export_line, exportable};
use crate::source::Reference;
use crate::state::State;
use crate::store::{CredentialStore, KeyringStore};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print for: bash, zsh, fish or powershell
    #[arg(long, value_name = "SHELL", value_parser = parse_shell)]
    shell: Shell,
}

fn parse_shell(text: &str) -> Result<Shell, String> {
    Shell::from_name(text)
        .ok_or_else(|| format!("unknown shell `{text}`; use bash, zsh, fish or powershell"))
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{} could not be read: {}", crate::words::count(names.len(), "credential"), names.join(", "))]
#[diagnostic(help(
    "run `mcpctl apply` to store missing ones (the messages above say why each failed); the others were exported"
))]
struct Missing {
    names: Vec<String>,
}

/// A recorded export `env` will not print (a state file edited by hand).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("`{variable}` is not exported: {why}")]
#[diagnostic(help("run `mcpctl plan` and `mcpctl apply` to record the manifest's exports again"))]
struct Refused {
    variable: String,
    why: String,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    // The key `apply` recorded the exports under: the manifest's absolute
    // path, as `manifest::load` makes it.
    let path = std::path::absolute(manifest_path(manifest)?).into_diagnostic()?;
    let shown = display_path(&path, &host.home);
    let state_dir = host.state_dir();
    let state = State::load(&state_dir)?;
    let applied = state.exports.get(&path).cloned().unwrap_or_default();
    let asked = asked_now(manifest);
    // One line at most: what differs, and the command that reviews it.
    let review = format!("review it with `mcpctl plan -f {shown}`, then `mcpctl apply`");
    match &asked {
        Ok(asked) if *asked == applied => {}
        Err(_) if applied.is_empty() => eprintln!(
            "warning: `{shown}` cannot be read as a valid manifest, and none of its exports were applied on this machine, so nothing is exported; {review}"
        ),
        Err(_) => eprintln!(
            "warning: `{shown}` cannot be read as a valid manifest; these are the exports its last apply recorded ({review})"
        ),
        Ok(_) if applied.is_empty() => eprintln!(
            "warning: `{shown}` asks for exports that were not applied on this machine, so nothing is exported; {review}"
        ),
        Ok(_) => eprintln!(
            "warning: `{shown}` changed since it was applied and asks for other exports; these are the applied ones ({review})"
        ),
    }
    if applied.is_empty() {
        if asked.is_ok_and(|asked| asked.is_empty()) {
            note!(
                "note: no client of `{shown}` references credentials by environment variable (delivery env-ref); nothing to export"
            );
        }
        return Ok(Outcome::Success);
    }
    let mut exports = Vec::new();
    for (variable, source) in &applied {
        match checked(variable, source) {
            Ok(reference) => exports.push((variable, reference)),
            Err(refused) => eprintln!("{}", super::report::Shown(&refused)),
        }
    }
    let store = if exports.iter().any(|(_, r)| r.needs_store()) {
        Some(KeyringStore::open(&super::ui::user(&host)?)?)
    } else {
        None
    };
    let actor = Actor {
        user: super::ui::user(&host)?,
        host: host.name(),
        pid: std::process::id(),
        command: "env".to_owned(),
        manifest: Some(path.clone()),
        git_commit: path.parent().and_then(git_commit),
    };
    // Forwarded and alerted as this manifest's applied audit settings say,
    // like every command of a manifest.
    let settings = state.audit.get(&path).cloned().unwrap_or_default();
    let audit = audit_log_with_settings(
        &host,
        &state_dir,
        actor,
        vec![settings],
        jiff::Timestamp::now(),
    );
    let mut missing = Vec::new();
    for (variable, reference) in exports {
        let found = reference.read(
            store.as_ref().map(|s| s as &dyn CredentialStore),
            &host,
            false,
        );
        let detail = format!("exported for {}", args.shell);
        super::ui::record_read(&audit, &reference.credential, detail, found.is_ok());
        match found {
            Ok(secret) => println!("{}", export_line(args.shell, variable, secret.expose())),
            Err(err) => {
                eprintln!("{}", super::report::Shown(&err));
                missing.push(variable.clone());
            }
        }
    }
    if missing.is_empty() {
        Ok(Outcome::Success)
    } else {
        Err(Missing { names: missing }.into())
    }
}

/// What the manifest in the working tree asks `env` to export, by the
/// same rule as the plan (never run, only compared with the record).
fn asked_now(manifest: Option<&Path>) -> miette::Result<BTreeMap<String, String>> {
    let workspace = Workspace::open(manifest)?;
    let targets = targets(&workspace.loaded, &detected(&workspace.host));
    Ok(env_exports(&workspace.loaded, &targets))
}

/// A recorded export as a reference to read, unless its name is not a
/// plain variable name, is one [`exportable`] refuses, or its source does
/// not parse — the state is a file of the user's, edited by hand at worst.
fn checked(variable: &str, source: &str) -> Result<Reference, Refused> {
    let refused = |why: String| Refused {
        variable: variable.to_owned(),
        why,
    };
    let plain = variable.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && variable
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(refused("it is not an environment variable name".to_owned()));
    }
    if let Some(reason) = exportable::refusal(variable) {
        return Err(refused(format!("it {reason}")));
    }
    Reference::parse(source)
        .map_err(|err| refused(format!("its recorded source is damaged: {err}")))
}

/// The variables env-ref entries of `desired` reference that this
/// process's environment does not have (unset or empty): a client started
/// from this shell cannot resolve them (Claude Code reports "Missing
/// environment variables").
pub fn unexported(desired: &Desired, host: &Host) -> Vec<String> {
    desired
        .exports
        .keys()
        .filter(|name| host.var(name).is_none())
        .cloned()
        .collect()
}

/// The shell `mcpctl` runs in, for a hint: `$SHELL`'s name when mcpctl
/// knows it, else PowerShell on Windows and bash elsewhere.
pub fn this_shell(host: &Host) -> Shell {
    host.var("SHELL")
        .and_then(|path| Path::new(path).file_name()?.to_str())
        .and_then(Shell::from_name)
        .unwrap_or(if cfg!(windows) {
            Shell::Powershell
        } else {
            Shell::Bash
        })
}

/// How to export what `mcpctl env` serves into the current `shell`.
pub fn load_command(shell: Shell, manifest: &str) -> String {
    let env = format!("mcpctl env --shell {shell} -f {manifest}");
    match shell {
        Shell::Bash | Shell::Zsh => format!("eval \"$({env})\""),
        Shell::Fish => format!("{env} | source"),
        Shell::Powershell => format!("{env} | Out-String | Invoke-Expression"),
    }
}

/// What fixes [`unexported`] variables: the command that exports them into
/// this shell, and the profile block that exports them in every new one
/// (already there, or the manifest line that adds it). `applied`: the
/// exports are recorded (`mcpctl env` serves them only then); `count`:
/// how many variables the hint is for.
pub fn export_hint(
    desired: &Desired,
    manifest: &LoadedManifest,
    host: &Host,
    applied: bool,
    count: usize,
) -> String {
    let them = if count == 1 { "it" } else { "them" };
    let shell = this_shell(host);
    let shown = display_path(&manifest.path, &host.home);
    // `~/…` as is when the shell takes it unquoted, else the path quoted.
    let file = if shown
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~".contains(c))
    {
        shown
    } else {
        crate::shell::quote(shell, &manifest.path.display().to_string())
    };
    let now = load_command(shell, &file);
    let now = if applied {
        format!("run `{now}`")
    } else {
        format!("after `mcpctl apply`, run `{now}`")
    };
    match desired.blocks.iter().find(|b| b.shell == shell) {
        Some(block) => format!(
            "{now} in this shell; new shells get {them} from the block in `{}`",
            display_path(&block.file, &host.home)
        ),
        None => format!(
            "{now} in this shell, or add `shell-profile {shell}` to the manifest so every new shell exports {them}"
        ),
    }
}

/// One warning for the [`unexported`] variables of `desired`, with the
/// fix; nothing when there are none.
pub fn warn_unexported(desired: &Desired, manifest: &LoadedManifest, host: &Host, applied: bool) {
    let missing = unexported(desired, host);
    if missing.is_empty() {
        return;
    }
    let names = missing
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (is, it) = if missing.len() == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    note!(
        "warning: {names} {is} referenced by env-ref client entries but not exported in this shell: a client started from here cannot resolve {it}"
    );
    note!(
        "hint: {}",
        export_hint(desired, manifest, host, applied, missing.len())
    );
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn a_recorded_export_is_checked_before_it_is_read() {
        assert!(checked("GITHUB_TOKEN", "GITHUB_TOKEN").is_ok());
        assert!(checked("NPM", r#"NPM:command:30s:["pass","show","npm"]"#).is_ok());
        for (variable, source) in [
            ("LD_PRELOAD", "LD_PRELOAD"),
            ("PROMPT_COMMAND", r#"PROMPT_COMMAND:command:30s:["evil"]"#),
            ("X;touch /tmp/p", "X"),
            ("OK", "OK:nonsense"),
        ] {
            assert!(checked(variable, source).is_err(), "{variable}");
        }
    }
}
