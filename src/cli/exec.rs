//! `mcpctl exec`: the launcher client entries run.
//!
//! A client starts `mcpctl exec --server NAME --env VAR=CREDENTIAL … --
//! <server command>`. mcpctl reads exactly those credentials from the
//! store, adds them to the environment it inherited (nothing else is added
//! or removed), records each read in the audit trail, and replaces itself
//! with the server, so stdin and stdout — MCP's stdio transport — flow
//! between client and server byte for byte. Nothing is ever printed to
//! stdout; a missing credential fails fast on stderr instead of hanging a
//! client that waits for a handshake.

use std::ffi::OsString;
use std::process::Command;

use miette::{Diagnostic, IntoDiagnostic};

use super::Outcome;
use crate::audit::{Actor, AuditLog, Event, Outcome as AuditOutcome, host_name};
use crate::host::Host;
use crate::store::{CredentialStore, KeyringStore, Secret};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server being started (for the audit trail and messages)
    #[arg(long, value_name = "NAME")]
    server: String,

    /// Set VAR from the store entry CREDENTIAL (repeatable)
    #[arg(long = "env", value_name = "VAR=CREDENTIAL", value_parser = parse_binding)]
    env: Vec<(String, String)>,

    /// The server's command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "COMMAND")]
    command: Vec<OsString>,
}

fn parse_binding(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((var, credential)) if !var.is_empty() && !credential.is_empty() => {
            Ok((var.to_owned(), credential.to_owned()))
        }
        _ => Err(format!("expected VAR=CREDENTIAL, got `{text}`")),
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
enum ExecError {
    #[error("server `{server}` needs credential `{credential}`, which is not in the {store}")]
    #[diagnostic(help(
        "run `mcpctl apply` in the repository whose manifest declares `{credential}`, then restart the server"
    ))]
    MissingCredential {
        server: String,
        credential: String,
        store: String,
    },

    #[error("cannot start `{program}` for server `{server}`: {source}")]
    #[diagnostic(help("check that `{program}` is installed and on the PATH the client passes"))]
    Spawn {
        server: String,
        program: String,
        #[source]
        source: std::io::Error,
    },
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let user = host.user()?;
    let audit = AuditLog::new(
        &host.state_dir(),
        Actor {
            user: user.clone(),
            host: host_name(),
            pid: std::process::id(),
            command: "exec".to_owned(),
            manifest: None,
        },
    );
    // The store is opened only when a credential is read: connecting to
    // it (D-Bus on Linux) is most of the cost of a launch.
    let mut values: Vec<(String, Secret)> = Vec::with_capacity(args.env.len());
    if !args.env.is_empty() {
        let store = KeyringStore::open(&user)?;
        for (var, credential) in &args.env {
            let found = store.get(credential);
            record(
                &audit,
                credential,
                &args.server,
                found.as_ref().is_ok_and(Option::is_some),
            );
            match found? {
                Some(secret) => values.push((var.clone(), secret)),
                None => {
                    return Err(ExecError::MissingCredential {
                        server: args.server.clone(),
                        credential: credential.clone(),
                        store: store.name().to_owned(),
                    }
                    .into());
                }
            }
        }
    }
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(rest);
    for (var, secret) in &values {
        command.env(var, secret.expose());
    }
    let spawn_error = |source| ExecError::Spawn {
        server: args.server.clone(),
        program: program.to_string_lossy().into_owned(),
        source,
    };
    replace_process(command)
        .map_err(spawn_error)
        .into_diagnostic()
        .map(|_| Outcome::Success)
}

/// Records one credential read; a broken audit trail is reported but does
/// not keep the server from starting.
fn record(audit: &AuditLog, credential: &str, server: &str, ok: bool) {
    let event = Event {
        action: "store.read",
        target: credential.to_owned(),
        server: Some(server.to_owned()),
        detail: None,
        outcome: if ok {
            AuditOutcome::Ok
        } else {
            AuditOutcome::Failed
        },
    };
    if let Err(err) = audit.append(&event) {
        eprintln!(
            "warning: cannot append to the audit trail `{}`: {err}",
            audit.path().display()
        );
    }
}

/// Unix: become the server (same pid, same stdio, signals go straight to it).
#[cfg(unix)]
fn replace_process(mut command: Command) -> std::io::Result<std::convert::Infallible> {
    use std::os::unix::process::CommandExt;
    Err(command.exec())
}

/// Windows has no exec: run the server as a child with the same stdio and
/// leave with its exit code.
#[cfg(not(unix))]
fn replace_process(mut command: Command) -> std::io::Result<std::convert::Infallible> {
    let status = command.status()?;
    std::process::exit(status.code().unwrap_or(1));
}
