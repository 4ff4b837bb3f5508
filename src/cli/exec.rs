//! `mcpctl exec`: the launcher client entries run.
//!
//! A client starts `mcpctl exec --server NAME --manifest PATH --env
//! VAR=REFERENCE … -- <server command>`. mcpctl reads exactly those
//! credentials — from the store, an environment variable or a secret
//! manager's command, as each [`Reference`] says — adds them to the
//! environment it inherited (nothing else is added or removed), records
//! each read in the audit trail, and replaces itself with the server, so
//! stdin and stdout — MCP's stdio transport — flow between client and
//! server byte for byte. mcpctl prints nothing of its own to stdout; a missing
//! credential fails fast on stderr instead of hanging a client that waits
//! for a handshake.
//!
//! `--manifest` (the global option, `-f`) names the manifest whose apply
//! wrote the entry: the reads are forwarded and alerted on exactly as that
//! manifest's applied audit settings say (none applied: the records stay in
//! the local trail only). A project-scope entry names only the manifest's
//! file name (a checked-in file carries no path of one machine): the
//! applied manifest of that name in the working directory or the nearest
//! directory above it is the one. An entry without it — one `import`
//! wrote, or one an older mcpctl wrote — or a file name no applied
//! manifest above the working directory has, falls back to the settings of
//! the manifests that declare this server with these credentials
//! ([`crate::audit::Settings::for_launch`]), a guess another manifest
//! copying those names can join.
//!
//! `--url URL` (a remote server with a credential header): there is no
//! server to start; mcpctl itself is the stdio server, bridging each
//! message to the URL and adding each `--header NAME[:SCHEME]=REFERENCE`
//! it read, and read again after a 401 ([`crate::bridge`]). Each read is
//! recorded like any other, its detail saying `bridge`.
//!
//! `--file VAR=REFERENCE` (file credentials) sets VAR to the path of a
//! private file holding the value ([`crate::secret_file`]). Then mcpctl
//! cannot replace itself: it runs the server as a child
//! ([`crate::supervise`]) and removes the file when the server exits,
//! leaving with the server's exit code.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use miette::Diagnostic;

use super::Outcome;
use super::workspace::{Launch, configured_audit_log};
use crate::audit::{Actor, AuditLog, Event, Outcome as AuditOutcome};
use crate::host::Host;
use crate::secret_file::SecretFiles;
use crate::source::{Reference, SourceError};
use crate::store::{CredentialStore, KeyringStore, Secret};
use crate::terminal_text::escape;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server being started (for the audit trail and messages)
    #[arg(long, value_name = "NAME")]
    server: String,

    /// Set VAR to a credential's value (repeatable). REFERENCE is a store
    /// entry (`GITHUB_TOKEN`, or `team-a/GITHUB_TOKEN` in a namespace),
    /// `NAME:env:VAR` or `NAME:command:30s:["pass","show","mcp/github"]`
    #[arg(long = "env", value_name = "VAR=REFERENCE", value_parser = parse_binding)]
    env: Vec<(String, Reference)>,

    /// Set VAR to the path of a private temporary file holding a
    /// credential's value, removed when the server exits (repeatable)
    #[arg(long = "file", value_name = "VAR=REFERENCE", value_parser = parse_file_binding)]
    file: Vec<(String, Reference)>,

    /// The server's command and its arguments, after `--`
    #[arg(
        last = true,
        required_unless_present = "url",
        conflicts_with = "url",
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,

    /// A remote server's endpoint: mcpctl itself is then the stdio server,
    /// bridging each message to this Streamable HTTP URL
    #[arg(long, value_name = "URL", conflicts_with_all = ["env", "file"])]
    url: Option<String>,

    /// Send header NAME (with `SCHEME ` before the value, e.g.
    /// `Authorization:Bearer=GITHUB_TOKEN`) from a credential to the
    /// remote server (repeatable, with `--url`)
    #[arg(long = "header", value_name = "NAME[:SCHEME]=REFERENCE", value_parser = parse_header_binding, requires = "url")]
    header: Vec<HeaderBinding>,

    /// Send header NAME with this literal value to the remote server
    /// (repeatable, with `--url`)
    #[arg(long = "literal-header", value_name = "NAME=VALUE", value_parser = parse_literal_header, requires = "url")]
    literal_header: Vec<(String, String)>,
}

/// A header the bridge fills from a credential.
#[derive(Debug, Clone)]
struct HeaderBinding {
    name: String,
    scheme: Option<String>,
    reference: Reference,
}

/// `NAME[:SCHEME]=REFERENCE`; a header name and a scheme are letters,
/// digits and `-` (as the manifest requires), so neither `:` nor `=` is
/// ambiguous.
fn parse_header_binding(text: &str) -> Result<HeaderBinding, String> {
    let (head, reference) = text
        .split_once('=')
        .filter(|(head, reference)| !head.is_empty() && !reference.is_empty())
        .ok_or_else(|| format!("expected NAME[:SCHEME]=REFERENCE, got `{text}`"))?;
    let (name, scheme) = match head.split_once(':') {
        Some((name, scheme)) => (name, Some(scheme)),
        None => (head, None),
    };
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !word(name) || !scheme.is_none_or(word) {
        return Err(format!(
            "`{head}` is not a header name with an optional scheme (letters, digits and `-`)"
        ));
    }
    Ok(HeaderBinding {
        name: name.to_owned(),
        scheme: scheme.map(str::to_owned),
        reference: Reference::parse(reference)?,
    })
}

fn parse_literal_header(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

fn parse_binding(text: &str) -> Result<(String, Reference), String> {
    match text.split_once('=') {
        Some((var, reference)) if !var.is_empty() && !reference.is_empty() => {
            Ok((var.to_owned(), Reference::parse(reference)?))
        }
        _ => Err(format!("expected VAR=REFERENCE, got `{text}`")),
    }
}

/// A file binding's VAR also names its file on disk, so it must be a plain
/// variable name (letters, digits and `_`), as the manifest requires.
fn parse_file_binding(text: &str) -> Result<(String, Reference), String> {
    let (var, reference) = parse_binding(text)?;
    let plain = var.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return Err(format!(
            "`{var}` is not an environment variable name (letters, digits and `_`)"
        ));
    }
    Ok((var, reference))
}

#[derive(Debug, thiserror::Error, Diagnostic)]
enum ExecError {
    #[error("server `{server}` needs credential `{credential}`, read from {from}")]
    Unreadable {
        server: String,
        credential: String,
        from: String,
        #[source]
        #[diagnostic_source]
        source: SourceError,
    },

    #[error("cannot write the file for `{var}` of server `{server}`: {source}")]
    #[diagnostic(help("check that the temporary directory (or $XDG_RUNTIME_DIR) is writable"))]
    SecretFile {
        server: String,
        var: String,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot find `{program}` for server `{server}` on PATH (with PATHEXT)")]
    #[diagnostic(help(
        "{}; a client started from the desktop may not pass your shell's PATH",
        crate::spawn::install_hint(program)
    ))]
    #[cfg_attr(not(windows), allow(dead_code))]
    NotFound { server: String, program: String },

    #[error(
        "argument {position} of server `{server}` holds `{character}`, which cmd.exe would interpret when it runs `{program}`"
    )]
    #[diagnostic(help(
        "`{program}` is a batch file, which Windows runs through cmd.exe, and no quoting makes such characters safe; pass the value through `env` in the manifest, or use a server command that is an .exe"
    ))]
    #[cfg_attr(not(windows), allow(dead_code))]
    UnsafeBatchArgument {
        server: String,
        program: String,
        position: usize,
        character: char,
    },

    #[error(
        "cannot start `{program}` for server `{server}`: {}",
        crate::spawn::missing(program)
    )]
    #[diagnostic(help(
        "{}{}",
        crate::spawn::install_hint(program),
        if program.contains(['/', '\\']) { "" } else { "; a client started from the desktop may not pass your shell's PATH" }
    ))]
    Missing { server: String, program: String },

    #[error("cannot start `{program}` for server `{server}`")]
    #[diagnostic(help("check that `{program}` is a program you can run: `{program} --version`"))]
    Spawn {
        server: String,
        program: String,
        #[source]
        source: std::io::Error,
    },
}

/// `manifest`: the global `--manifest`, here the manifest that owns the
/// entry (its absolute path, as `apply` keys its settings, or for a
/// project-scope entry its bare file name, looked for upwards from the
/// working directory).
pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let manifest = manifest.map(|m| match m.parent() {
        Some(dir) if dir.as_os_str().is_empty() => m.to_path_buf(),
        _ => std::path::absolute(m).unwrap_or_else(|_| m.to_path_buf()),
    });
    // A file credential needs a supervisor, whose signal handling must be
    // in place before any thread starts (the store's connection starts
    // some; see `crate::supervise`).
    let supervisor = (!args.file.is_empty()).then(crate::supervise::Supervisor::start);
    let host = Host::from_process()?;
    let user = super::ui::user(&host)?;
    // The launch's time, for its audit records.
    let now = jiff::Timestamp::now();
    if let Some(url) = &args.url {
        return bridge(manifest, &args, url, &host, &user, now);
    }
    // Made at the first credential read: a server without credentials
    // starts without reading mcpctl's state (exec sits in front of every
    // server launch). It follows the settings of the manifest the entry
    // names, else of the one that declares this server with these
    // credentials.
    let credentials: Vec<&str> = args
        .env
        .iter()
        .chain(&args.file)
        .map(|(_, r)| r.credential.as_str())
        .collect();
    let audit = std::cell::OnceCell::new();
    let audit = || {
        audit.get_or_init(|| {
            launch_audit_log(
                &host,
                &user,
                manifest.as_deref(),
                &args.server,
                &credentials,
                now,
            )
        })
    };
    // The store is opened only when a reference needs it: a CI machine
    // reading from the environment may have none.
    let needs_store = args
        .env
        .iter()
        .chain(&args.file)
        .any(|(_, r)| r.needs_store());
    let store = needs_store.then(|| KeyringStore::open(&user)).transpose()?;
    if let Some(store) = &store {
        // The store's session opens while the audit trail is made ready:
        // both are needed by the first read.
        store.prepare_reads();
        audit();
    }
    let store = store.as_ref().map(|s| s as &dyn CredentialStore);
    let read = |reference: &Reference, whole_file: bool| -> miette::Result<Secret> {
        let found = reference.read(store, &host, whole_file);
        record(audit(), reference, &args.server, None, found.is_ok());
        found.map_err(|source| {
            ExecError::Unreadable {
                server: args.server.clone(),
                credential: reference.credential.clone(),
                from: reference.describe(),
                source,
            }
            .into()
        })
    };
    let mut values: Vec<(String, Secret)> = Vec::with_capacity(args.env.len());
    for (var, reference) in &args.env {
        values.push((var.clone(), read(reference, false)?));
    }
    let runtime_dir = host.var("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
    let mut files = SecretFiles::new();
    let mut paths: Vec<(String, std::path::PathBuf)> = Vec::with_capacity(args.file.len());
    for (var, reference) in &args.file {
        let secret = read(reference, true)?;
        let path = files
            .add(&secret, var, runtime_dir.as_deref())
            .map_err(|source| ExecError::SecretFile {
                server: args.server.clone(),
                var: var.clone(),
                source,
            })?;
        paths.push((var.clone(), path));
    }
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let program = windows_program(&args.server, program, rest)?;
    let program = program.as_os_str();
    let mut command = Command::new(program);
    command.args(rest);
    for (var, secret) in &values {
        command.env(var, secret.expose());
    }
    for (var, path) in &paths {
        command.env(var, path);
    }
    let spawn_error = |source: std::io::Error| {
        let server = args.server.clone();
        let program = program.to_string_lossy().into_owned();
        if source.kind() == std::io::ErrorKind::NotFound {
            ExecError::Missing { server, program }
        } else {
            ExecError::Spawn {
                server,
                program,
                source,
            }
        }
    };
    let Some(supervisor) = supervisor else {
        let code = replace_process(command).map_err(spawn_error)?;
        return Ok(Outcome::ServerExited(code));
    };
    drop(values);
    let code = supervisor.run(&mut command).map_err(spawn_error)?;
    drop(files); // removes the files before leaving
    Ok(Outcome::ServerExited(code))
}

/// `exec --url`: reads the credential headers, recording each read, and
/// runs the stdio bridge ([`crate::bridge`]) until the client closes stdin.
/// The headers are read again after a 401; a read that fails then is
/// reported to the client by the bridge, not here.
fn bridge(
    manifest: Option<std::path::PathBuf>,
    args: &Args,
    url: &str,
    host: &Host,
    user: &str,
    now: jiff::Timestamp,
) -> miette::Result<Outcome> {
    // Refused before the store is read: a credential never goes over
    // plain http to another machine.
    if !args.header.is_empty()
        && let Err(err) = crate::http::check_secret_url(url)
    {
        return Err(miette::miette!(
            "server `{}`: cannot send its credential headers to {err}",
            args.server
        ));
    }
    let credentials: Vec<&str> = args
        .header
        .iter()
        .map(|h| h.reference.credential.as_str())
        .collect();
    let audit = launch_audit_log(
        host,
        user,
        manifest.as_deref(),
        &args.server,
        &credentials,
        now,
    );
    let needs_store = args.header.iter().any(|h| h.reference.needs_store());
    let store = needs_store.then(|| KeyringStore::open(user)).transpose()?;
    if let Some(store) = &store {
        store.prepare_reads();
    }
    let server = args.server.clone();
    let bindings = args.header.clone();
    let host = host.clone();
    let mut audit = audit;
    let mut read_headers = move |now| -> Result<Vec<(String, Secret)>, Box<ExecError>> {
        audit.set_now(now);
        let store = store.as_ref().map(|s| s as &dyn CredentialStore);
        bindings
            .iter()
            .map(|binding| {
                let reference = &binding.reference;
                let found = reference.read(store, &host, false);
                record(&audit, reference, &server, Some("bridge"), found.is_ok());
                let value = found.map_err(|source| {
                    Box::new(ExecError::Unreadable {
                        server: server.clone(),
                        credential: reference.credential.clone(),
                        from: reference.describe(),
                        source,
                    })
                })?;
                let value = match &binding.scheme {
                    Some(scheme) => Secret::new(format!("{scheme} {}", value.expose())),
                    None => value,
                };
                Ok((binding.name.clone(), value))
            })
            .collect()
    };
    let headers = read_headers(now).map_err(|err| miette::Report::new(*err))?;
    // A read after a 401 may come hours into the session: it is recorded
    // at its own time, the clock read again for it.
    let read_again = move || {
        read_headers(jiff::Timestamp::now()).map_err(|err| {
            match miette::Diagnostic::diagnostic_source(&*err) {
                Some(source) => format!("{err}: {source}"),
                None => err.to_string(),
            }
        })
    };
    let server = args.server.clone();
    let bridge = crate::bridge::Bridge::start(
        crate::bridge::Config {
            server: args.server.clone(),
            url: url.to_owned(),
            literal_headers: args.literal_header.clone(),
            credentials: credentials.iter().map(|c| (*c).to_owned()).collect(),
        },
        Box::new(crate::bridge::upstream::Http::new(url)),
        headers,
        Box::new(read_again),
        Box::new(std::io::stdout()),
        Box::new(move |line: &str| eprintln!("mcpctl: server `{server}`: {}", escape(line))),
    );
    bridge.run(std::io::stdin().lock());
    Ok(Outcome::Success)
}

/// Records one credential read; a broken audit trail is reported but does
/// not keep the server from starting. The detail says who read it (`via`:
/// the bridge) and, for a read outside the store, from where.
fn record(audit: &AuditLog, reference: &Reference, server: &str, via: Option<&str>, ok: bool) {
    let from = (!reference.needs_store()).then(|| format!("from {}", reference.describe()));
    let detail = match (via, from) {
        (Some(via), Some(from)) => Some(format!("{via}, {from}")),
        (via, from) => via.map(str::to_owned).or(from),
    };
    let event = Event {
        action: "store.read",
        target: reference.credential.clone(),
        server: Some(server.to_owned()),
        detail,
        outcome: if ok {
            AuditOutcome::Ok
        } else {
            AuditOutcome::Failed
        },
    };
    match audit.append(&event) {
        Ok(appended) => {
            for alert in &appended.alerts {
                // The detail names the server label this exec was given.
                eprintln!(
                    "mcpctl: alert: {}",
                    escape(alert.detail.as_deref().unwrap_or(alert.action))
                );
            }
            for error in &appended.forward_errors {
                eprintln!("mcpctl: warning: {}", escape(&error.to_string()));
            }
        }
        Err(err) => eprintln!(
            "warning: cannot append to the audit trail `{}`: {err}",
            audit.path().display()
        ),
    }
}

/// The audit trail of one launch (a local server's or the bridge's),
/// forwarded and alerted on as the settings of the manifest it names, else
/// of the one declaring `server` with these `credentials`, say.
fn launch_audit_log(
    host: &Host,
    user: &str,
    manifest: Option<&Path>,
    server: &str,
    credentials: &[&str],
    now: jiff::Timestamp,
) -> AuditLog {
    let actor = Actor {
        user: user.to_owned(),
        host: host.name(),
        pid: std::process::id(),
        command: "exec".to_owned(),
        manifest: manifest.map(Path::to_path_buf),
        git_commit: None,
    };
    let launch = Some(Launch {
        server,
        credentials,
        manifest,
    });
    configured_audit_log(host, &host.state_dir(), actor, launch, now)
}

/// Unix: the program as given; `execvp` searches PATH itself.
#[cfg(unix)]
fn windows_program(
    _server: &str,
    program: &std::ffi::OsStr,
    _args: &[OsString],
) -> miette::Result<std::path::PathBuf> {
    Ok(std::path::PathBuf::from(program))
}

/// Windows: the program resolved through PATH and PATHEXT (`npx` is
/// `npx.cmd`), refusing arguments cmd.exe would interpret when it is a
/// batch file (see [`crate::spawn`]).
#[cfg(not(unix))]
fn windows_program(
    server: &str,
    program: &std::ffi::OsStr,
    args: &[OsString],
) -> miette::Result<std::path::PathBuf> {
    use crate::spawn::{check_batch_args, is_batch, resolve};
    let name = program.to_string_lossy().into_owned();
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let resolved = resolve(&name, &var("PATH"), &var("PATHEXT"), |candidate| {
        std::path::Path::new(candidate).is_file()
    })
    .ok_or_else(|| ExecError::NotFound {
        server: server.to_owned(),
        program: name.clone(),
    })?;
    if is_batch(&resolved) {
        check_batch_args(args).map_err(|bad| ExecError::UnsafeBatchArgument {
            server: server.to_owned(),
            program: name.clone(),
            position: bad.position,
            character: bad.character,
        })?;
    }
    Ok(resolved)
}

/// Unix: become the server (same pid, same stdio, signals go straight to
/// it); returns only when that fails.
#[cfg(unix)]
fn replace_process(mut command: Command) -> std::io::Result<i32> {
    use std::os::unix::process::CommandExt;
    Err(command.exec())
}

/// Windows has no exec: run the server as a child with the same stdio, in
/// a job that kills it when mcpctl goes, and return its exit code for
/// mcpctl to leave with.
#[cfg(not(unix))]
fn replace_process(mut command: Command) -> std::io::Result<i32> {
    crate::spawn::kill_children_on_exit()?;
    let status = command.status()?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_binding_names_a_plain_variable() {
        assert!(parse_file_binding("KUBECONFIG=KUBECONFIG").is_ok());
        // The name becomes a file name on disk: nothing that leaves the
        // private directory or hides as a dotfile.
        for bad in [
            "../x=KUBECONFIG",
            ".lock=KUBECONFIG",
            "a/b=KUBECONFIG",
            "1X=KUBECONFIG",
        ] {
            assert!(parse_file_binding(bad).is_err(), "{bad}");
        }
    }
}
