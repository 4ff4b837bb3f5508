//! `mcpctl check`: validate every credential and client file at once (the
//! credentials guide's "validate all credentials"), with a verdict per
//! line, a fix per problem, `--json`, and exit code 3 when a check fails.
//!
//! Unlike `plan`, `check` reads values — that is how it knows they are
//! readable — and records each read in the audit trail.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use miette::{IntoDiagnostic, WrapErr};

use super::render::{Style, display_path};
use super::ui;
use super::workspace::Workspace;
use super::{Outcome, use_color};
use crate::audit::AuditLog;
use crate::check::advisories::{self, Version};
use crate::check::github::{self, Granted};
use crate::check::handshake::handshake;
use crate::check::{Finding, Verdict, credentials, files};
use crate::client::{
    EntryTransport, Launcher, RenderContext, adapter, bridge_command, entry_env, stdio_command,
};
use crate::manifest::{Delivery, Scope, Transport};
use crate::plan::Desired;
use crate::source::{Reference, run_command};
use crate::state::State;
use crate::store::{CredentialStore, Secret};
use crate::terminal_text::escape;
use crate::{scan, secret_patterns};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also start each server through `mcpctl exec` and perform the MCP
    /// handshake (initialize, tools/list)
    #[arg(long)]
    servers: bool,

    /// Also ask providers what each token may do (GitHub: granted scopes
    /// against the declared ones)
    #[arg(long)]
    online: bool,

    /// Seconds to wait for each server's handshake
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    timeout: u64,

    /// Print the findings as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open(manifest)?;
    let desired = workspace.desired()?;
    let state = State::load(&workspace.state_dir)?;
    let audit = workspace.audit_log("check")?;
    let store = workspace.open_store();
    let store_ref = store.as_ref().map(|s| s as &dyn CredentialStore);
    let manifest = &workspace.loaded.manifest;

    // The values read, to hide them wherever a server repeats them.
    let mut known: Vec<Secret> = Vec::new();
    let mut findings = credentials::check(
        manifest,
        store_ref,
        &state,
        &workspace.host,
        workspace.now,
        &mut |reference, value| {
            record(&audit, reference, "check", value.is_some());
            if let Some(value) = value.filter(|_| args.servers) {
                known.push(Secret::new(value.expose().to_owned()));
            }
        },
    );
    let client_files: Vec<_> = desired.files.iter().map(|d| d.file.clone()).collect();
    findings.extend(files::check(&client_files));
    findings.extend(advisory_findings(&workspace, &client_files));
    findings.extend(export_findings(&workspace, &desired, &state));
    if args.servers {
        findings.extend(server_findings(
            &workspace,
            Duration::from_secs(args.timeout),
            &known,
        )?);
    }
    if args.online {
        findings.extend(online_findings(&workspace, store_ref.ok(), &audit));
    }

    if args.json {
        let text = serde_json::to_string_pretty(&serde_json::json!({ "findings": findings }))
            .into_diagnostic()?;
        println!("{text}");
    } else {
        print!(
            "{}",
            render(
                &findings,
                &workspace.host.home,
                Style { color: use_color() }
            )
        );
    }
    Ok(if findings.iter().any(|f| f.verdict == Verdict::Fail) {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// Records one value read by `check` in the audit trail. A broken trail is
/// a warning: `check` reports, it does not stop.
fn record(audit: &AuditLog, reference: &Reference, why: &str, ok: bool) {
    let detail = format!("{why}, from {}", reference.describe());
    super::ui::record_read(audit, &reference.credential, detail, ok);
}

/// Known-vulnerable client versions (for the clients the manifest targets,
/// when installed) and server packages (in the manifest and in every entry
/// of the targeted files).
fn advisory_findings(workspace: &Workspace, files: &[crate::client::ClientFile]) -> Vec<Finding> {
    let (client_advisories, package_advisories) = advisories::load();
    let manifest = &workspace.loaded.manifest;
    let mut findings = Vec::new();
    for advisory in &client_advisories {
        if !manifest
            .clients
            .iter()
            .any(|t| t.client.as_str() == advisory.client)
        {
            continue;
        }
        let argv = [advisory.program.clone(), "--version".to_owned()];
        let subject = format!("{} ({})", advisory.client, advisory.program);
        match run_command(&argv, Duration::from_secs(30)) {
            Err(crate::source::SourceError::CommandSpawn { .. }) => {
                findings.push(Finding::ok(
                    "advisory",
                    subject,
                    format!("`{}` is not on PATH: nothing to check", advisory.program),
                ));
            }
            Err(err) => findings.push(Finding::problem(
                "advisory",
                Verdict::Warning,
                subject,
                format!("cannot tell its version: {err}"),
                format!("run `{} --version` yourself", advisory.program),
            )),
            Ok(output) => match Version::find(&output) {
                Some(version) if advisories::client_affected(advisory, &version) => {
                    findings.push(Finding::problem(
                        "advisory",
                        Verdict::Fail,
                        subject,
                        format!(
                            "version {version} is affected by {} ({}): {}; fixed in {} ({})",
                            advisory.id,
                            advisory.severity,
                            advisory.summary,
                            advisory.fixed,
                            advisory.url
                        ),
                        advisory.fix.clone(),
                    ))
                }
                Some(version) => findings.push(Finding::ok(
                    "advisory",
                    subject,
                    format!("version {version}: not affected by {}", advisory.id),
                )),
                None => findings.push(Finding::problem(
                    "advisory",
                    Verdict::Warning,
                    subject,
                    "its `--version` output names no version",
                    format!("run `{} --version` yourself", advisory.program),
                )),
            },
        }
    }
    // Command lines: the manifest's servers, then every entry of every file.
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    for server in manifest.servers.values() {
        if let Transport::Stdio { command, args } = &server.transport {
            let mut argv = vec![command.clone()];
            argv.extend(args.iter().cloned());
            commands.push((format!("manifest: server `{}`", server.name), argv));
        }
    }
    for file in files {
        let Ok(observed) = crate::observe::read_file(file) else {
            continue; // reported by the file checks
        };
        for (name, entry) in &observed.entries {
            // What the entry runs, with mcpctl's launcher and `cmd /c` undone.
            let Some(EntryTransport::Stdio { command, args }) =
                adapter(file.client).read(entry).map(|read| read.transport)
            else {
                continue;
            };
            let mut argv = vec![command];
            argv.extend(args);
            let shown = display_path(&file.path, &workspace.host.home);
            commands.push((format!("{shown}: {name}"), argv));
        }
    }
    for advisory in &package_advisories {
        for (subject, argv) in &commands {
            let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
            if advisories::package_affected(advisory, &argv) {
                findings.push(Finding::problem(
                    "advisory",
                    Verdict::Fail,
                    subject.clone(),
                    format!(
                        "runs {}, affected by {} ({}): {} ({})",
                        advisory.package,
                        advisory.id,
                        advisory.severity,
                        advisory.summary,
                        advisory.url
                    ),
                    advisory.fix.clone(),
                ));
            }
        }
    }
    findings
}

/// env-ref delivery: each variable a client entry references that is not
/// exported in the shell `check` runs in. A client started from it cannot
/// resolve the reference (Claude Code: "Missing environment variables"),
/// so it is a problem here, as the plan's warning is a warning.
fn export_findings(workspace: &Workspace, desired: &Desired, state: &State) -> Vec<Finding> {
    let manifest = &workspace.loaded.manifest;
    let recorded = state.exports.get(&workspace.loaded.path) == Some(&desired.exports);
    let missing = super::env::unexported(desired, &workspace.host);
    let hint = super::env::export_hint(desired, &workspace.loaded, &workspace.host, recorded, 1);
    missing
        .into_iter()
        .map(|variable| {
            let servers: Vec<String> = manifest
                .servers
                .values()
                .filter(|s| {
                    s.credentials_read().any(|c| c == variable)
                })
                .map(|s| format!("`{}`", s.name))
                .collect();
            Finding::problem(
                "env",
                Verdict::Fail,
                format!("variable `{variable}`"),
                format!(
                    "referenced by the env-ref entries of {} {} but not exported in this shell: a client started from here cannot resolve it",
                    crate::words::plural(servers.len(), "server"),
                    servers.join(", ")
                ),
                hint.clone(),
            )
        })
        .collect()
}

/// `--servers`: each server started as its client would start it (a
/// remote one with a credential: the bridge).
/// What a server says is quoted with every credential value in `known`
/// hidden, and every other secret the detector finds.
fn server_findings(
    workspace: &Workspace,
    timeout: Duration,
    known: &[Secret],
) -> miette::Result<Vec<Finding>> {
    let known: Vec<&str> = known.iter().map(Secret::expose).collect();
    let quote = |text: &str| scan::text::redact(&secret_patterns::redact_known(text, &known));
    let exe = std::env::current_exe()
        .into_diagnostic()
        .wrap_err("cannot tell where the mcpctl binary is")?;
    let manifest = &workspace.loaded.manifest;
    let launcher = Launcher::for_scope(Scope::User, &workspace.host, &exe)
        .with_credentials(manifest.credentials.values());
    let mut findings = Vec::new();
    let total = manifest.servers.len();
    let progress = ui::ProgressLine::start("starting servers");
    for (index, server) in manifest.servers.values().enumerate() {
        progress.update(&format!(
            "starting server `{}` ({}/{total})",
            server.name,
            index + 1
        ));
        let subject = format!("server `{}`", server.name);
        let cx = RenderContext {
            launcher: &launcher,
            delivery: Delivery::Exec,
            os: workspace.host.os,
        };
        let (program, argv) = match &server.transport {
            Transport::Stdio { command, args } => {
                let pathext = workspace.host.var("PATHEXT").unwrap_or_default();
                if !crate::spawn::on_path(command, std::env::var_os("PATH").as_deref(), pathext) {
                    findings.push(Finding::problem(
                        "server",
                        Verdict::Fail,
                        subject,
                        format!("not working: {}", crate::spawn::missing(command)),
                        crate::spawn::install_hint(command),
                    ));
                    continue;
                }
                stdio_command(server, command, args, Delivery::Exec, &cx)
            }
            // A remote server with a credential: through the bridge its
            // clients run, which sends the header from the store.
            Transport::Http { .. } => match bridge_command(server, Delivery::Exec, &cx) {
                Some(bridge) => bridge,
                None => {
                    findings.push(Finding::problem(
                        "server",
                        Verdict::Warning,
                        subject,
                        "a remote server without a credential: not started",
                        "check it from its client",
                    ));
                    continue;
                }
            },
        };
        let mut process = Command::new(&program);
        process.args(&argv);
        for (var, value) in entry_env(server, None) {
            if let Some(value) = value.as_str() {
                process.env(var, value);
            }
        }
        match handshake(process, timeout, &quote) {
            Ok(done) => findings.push(Finding::ok(
                "server",
                subject,
                format!(
                    "answered the MCP handshake{}: {}",
                    done.server_info
                        .map(|info| format!(" as {info}"))
                        .unwrap_or_default(),
                    crate::words::count(done.tools, "tool")
                ),
            )),
            Err(why) => findings.push(Finding::problem(
                "server",
                Verdict::Fail,
                subject,
                format!("not working: {why}"),
                format!(
                    "run it by hand to see why: {program} {}",
                    argv.iter()
                        .map(|a| if a.contains([' ', '"', '[']) {
                            format!("'{a}'")
                        } else {
                            a.clone()
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            )),
        }
    }
    Ok(findings)
}

/// `--online`: GitHub tokens' granted scopes against the declared ones.
fn online_findings(
    workspace: &Workspace,
    store: Option<&dyn CredentialStore>,
    audit: &AuditLog,
) -> Vec<Finding> {
    let api = workspace
        .host
        .var("MCPCTL_GITHUB_API")
        .unwrap_or(github::DEFAULT_API)
        .to_owned();
    let mut findings = Vec::new();
    for credential in workspace.loaded.manifest.credentials.values() {
        if credential.provider.as_deref() != Some("github") || credential.is_file() {
            continue;
        }
        let name = &credential.name;
        let reference = Reference::for_credential(credential);
        if reference.needs_store() && store.is_none() {
            continue; // already reported as unreadable
        }
        let Ok(secret) = reference.read(store, &workspace.host, false) else {
            continue; // already reported as unreadable
        };
        record(audit, &reference, "check --online", true);
        let asking = ui::ProgressLine::start(&format!("asking GitHub about `{name}`"));
        let granted = github::granted(&api, &secret);
        drop(asking);
        let finding = match granted {
            Err(why) => Finding::problem(
                "scopes",
                Verdict::Warning,
                name,
                format!("could not ask GitHub: {why}"),
                "check the network, then run `mcpctl check --online` again",
            ),
            Ok(Granted::Rejected) => Finding::problem(
                "scopes",
                Verdict::Fail,
                name,
                "GitHub rejects the token (HTTP 401): revoked, expired or mistyped",
                format!("create a new token, then `mcpctl rotate {name}`"),
            ),
            Ok(Granted::NotReported) => Finding::problem(
                "scopes",
                Verdict::Warning,
                name,
                "GitHub reports no scopes for it (a fine-grained token): its permissions cannot be compared",
                "review its permissions at https://github.com/settings/personal-access-tokens",
            ),
            Ok(Granted::Scopes(granted)) => {
                let (over, under) = github::compare(&credential.scopes, &granted);
                let shown: Vec<&str> = granted.iter().map(String::as_str).collect();
                match (over.is_empty(), under.is_empty()) {
                    (true, true) => Finding::ok(
                        "scopes",
                        name,
                        format!("granted exactly what is declared: {}", shown.join(", ")),
                    ),
                    _ => {
                        let mut parts = Vec::new();
                        if !over.is_empty() {
                            parts.push(format!(
                                "over-privileged: granted {} beyond the declared scopes",
                                over.join(", ")
                            ));
                        }
                        if !under.is_empty() {
                            parts.push(format!(
                                "under-privileged: lacks declared {}",
                                under.join(", ")
                            ));
                        }
                        Finding::problem(
                            "scopes",
                            Verdict::Fail,
                            name,
                            parts.join("; "),
                            format!(
                                "create a token with exactly {} ({}), then `mcpctl rotate {name}` and revoke the old one",
                                credential.scopes.join(", "),
                                credential
                                    .create_at
                                    .as_deref()
                                    .unwrap_or("https://github.com/settings/tokens/new")
                            ),
                        )
                    }
                }
            }
        };
        findings.push(finding);
    }
    findings
}

/// The table: a verdict per line, the fix under each problem, a summary.
fn render(findings: &[Finding], home: &Path, style: Style) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let width = findings.iter().map(|f| f.check.len()).max().unwrap_or(0);
    for finding in findings {
        let verdict = match finding.verdict {
            Verdict::Ok => style.green("ok  "),
            Verdict::Warning => style.yellow("warn"),
            Verdict::Fail => style.red("FAIL"),
        };
        // Subjects, details and fixes quote client files and what servers
        // printed on stderr: escaped, whatever they hold.
        let subject = finding.subject.replace(&home.display().to_string(), "~");
        let _ = writeln!(
            out,
            "{verdict}  {:width$}  {}: {}",
            finding.check,
            escape(&subject),
            escape(&finding.detail)
        );
        if let Some(fix) = &finding.fix {
            let _ = writeln!(
                out,
                "      {:width$}  {}",
                "",
                style.dim(&format!("fix: {}", escape(fix)))
            );
        }
    }
    let count = |v| findings.iter().filter(|f| f.verdict == v).count();
    let _ = writeln!(
        out,
        "\n{}",
        style.bold(&format!(
            "Check: {} ok, {}, {} failed.",
            count(Verdict::Ok),
            crate::words::count(count(Verdict::Warning), "warning"),
            count(Verdict::Fail)
        ))
    );
    out
}
