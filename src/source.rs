//! Where a credential's value is read at launch: the OS store, an
//! environment variable, or a secret manager's command.
//!
//! `mcpctl exec` reads no manifest, so each client entry carries, per
//! variable, a [`Reference`] that says exactly where to look — never the
//! value. Its text form (the part after `VAR=` in `--env VAR=REF`):
//!
//! | reference | read from |
//! |---|---|
//! | `GITHUB_TOKEN` | store entry `GITHUB_TOKEN` (the guide's hand-made naming) |
//! | `team-a/GITHUB_TOKEN` | store entry `team-a/GITHUB_TOKEN` (a namespace) |
//! | `GITHUB_TOKEN:env:CI_GITHUB_TOKEN` | environment variable `CI_GITHUB_TOKEN` |
//! | `GITHUB_TOKEN:command:30s:["pass","show","mcp/github"]` | stdout of `pass show mcp/github`, killed after 30 s |
//!
//! The credential's name always comes first, so the audit trail says which
//! credential a server read whatever the source. Commands run without a
//! shell (the argv is a JSON array, so no quoting rules apply), with stdin
//! closed — the server's stdin is the client's MCP pipe and must not be
//! consumed — and their stderr is kept for the error message when they
//! fail. Nothing here prints; errors never contain a value.

use std::process::Command;
use std::time::Duration;

use crate::host::Host;
use crate::manifest::{Credential, Source};
use crate::process::{PipedError, run_piped};
use crate::store::{CredentialStore, Secret, StoreError};

/// Where one credential's value is read at launch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The credential's name in the manifest (for the audit trail).
    pub credential: String,
    pub from: From,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum From {
    /// A store entry: the name, or `namespace/name`.
    Store {
        entry: String,
    },
    Env {
        var: String,
    },
    Command {
        argv: Vec<String>,
        timeout_secs: u32,
    },
}

impl Reference {
    /// The reference client entries carry for `credential`.
    pub fn for_credential(credential: &Credential) -> Reference {
        let from = match &credential.source {
            Source::Store => From::Store {
                entry: credential.store_entry(),
            },
            Source::Env { var } => From::Env { var: var.clone() },
            Source::Command { argv, timeout_secs } => From::Command {
                argv: argv.clone(),
                timeout_secs: *timeout_secs,
            },
        };
        Reference {
            credential: credential.name.clone(),
            from,
        }
    }

    /// The text form (see the module docs).
    pub fn to_arg(&self) -> String {
        match &self.from {
            From::Store { entry } => entry.clone(),
            From::Env { var } => format!("{}:env:{var}", self.credential),
            From::Command { argv, timeout_secs } => format!(
                "{}:command:{timeout_secs}s:{}",
                self.credential,
                serde_json::to_string(argv).expect("strings serialize")
            ),
        }
    }

    /// Parses the text form; `Err` says what is wrong, for clap.
    pub fn parse(text: &str) -> Result<Reference, String> {
        let Some((credential, rest)) = text.split_once(':') else {
            let credential = text.rsplit('/').next().unwrap_or(text);
            if credential.is_empty() || text.starts_with('/') {
                return Err(format!("`{text}` names no credential"));
            }
            return Ok(Reference {
                credential: credential.to_owned(),
                from: From::Store {
                    entry: text.to_owned(),
                },
            });
        };
        if credential.is_empty() {
            return Err(format!("`{text}` names no credential before `:`"));
        }
        let from = if let Some(var) = rest.strip_prefix("env:") {
            if var.is_empty() {
                return Err(format!("`{text}` names no environment variable"));
            }
            From::Env {
                var: var.to_owned(),
            }
        } else if let Some(spec) = rest.strip_prefix("command:") {
            let (timeout, json) = spec
                .split_once(':')
                .ok_or_else(|| format!("`{text}`: expected command:<N>s:[\"program\", …]"))?;
            let timeout_secs = timeout
                .strip_suffix('s')
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{timeout}` is not a timeout in seconds, e.g. 30s"))?;
            let argv: Vec<String> = serde_json::from_str(json)
                .map_err(|err| format!("the command is not a JSON array of strings: {err}"))?;
            if argv.first().is_none_or(String::is_empty) {
                return Err("the command names no program".to_owned());
            }
            From::Command { argv, timeout_secs }
        } else {
            return Err(format!(
                "`{text}`: after `{credential}:` expected `env:VAR` or `command:…`"
            ));
        };
        Ok(Reference {
            credential: credential.to_owned(),
            from,
        })
    }

    /// Where the value is read, in words: "store entry `X`",
    /// "environment variable `X`", "`pass show mcp/github`".
    pub fn describe(&self) -> String {
        match &self.from {
            From::Store { entry } => format!("store entry `{entry}`"),
            From::Env { var } => format!("environment variable `{var}`"),
            From::Command { argv, .. } => format!("`{}`", argv.join(" ")),
        }
    }

    pub fn needs_store(&self) -> bool {
        matches!(self.from, From::Store { .. })
    }

    /// Reads the value. `store` is needed only for store references;
    /// environment references read `host`'s environment (the process's,
    /// taken once per command: [`Host::from_process`]).
    /// `whole_file` keeps a command's output exactly (file credentials);
    /// otherwise trailing line breaks are dropped (`pass show` ends its
    /// output with one).
    pub fn read(
        &self,
        store: Option<&dyn CredentialStore>,
        host: &Host,
        whole_file: bool,
    ) -> Result<Secret, SourceError> {
        match &self.from {
            From::Store { entry } => {
                let store = store.expect("the caller opens the store for store references");
                store.get(entry)?.ok_or_else(|| SourceError::NotInStore {
                    entry: entry.clone(),
                    store: store.name().to_owned(),
                })
            }
            From::Env { var } => match host.var(var) {
                Some(value) => Ok(Secret::new(value.to_owned())),
                None => Err(SourceError::EnvNotSet { var: var.clone() }),
            },
            From::Command { argv, timeout_secs } => {
                let output = run_command(argv, Duration::from_secs(u64::from(*timeout_secs)))?;
                let value = if whole_file {
                    output
                } else {
                    let trimmed = output.trim_end_matches(['\r', '\n']).len();
                    let mut output = output;
                    output.truncate(trimmed);
                    output
                };
                if value.is_empty() {
                    return Err(SourceError::CommandEmpty {
                        command: argv.join(" "),
                    });
                }
                Ok(Secret::new(value))
            }
        }
    }
}

/// Why a value could not be read. Never carries the value; a command's
/// stderr is its own diagnostics, with every secret the detector finds in
/// it redacted.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SourceError {
    #[error("store entry `{entry}` is not in the {store}")]
    #[diagnostic(help(
        "run `mcpctl apply` in the repository whose manifest declares it, then restart the server"
    ))]
    NotInStore { entry: String, store: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] StoreError),

    #[error("environment variable `{var}` is not set")]
    #[diagnostic(help(
        "set `{var}` in the environment the client starts servers with (in CI: the job's secrets)"
    ))]
    EnvNotSet { var: String },

    #[error("cannot run `{command}`: {source}")]
    #[diagnostic(help("install it, or check that it is on the PATH the client passes"))]
    CommandSpawn {
        command: String,
        #[source]
        source: std::io::Error,
    },

    #[error("`{command}` failed ({status}){}", stderr_suffix(.stderr))]
    #[diagnostic(help(
        "run `{command}` yourself to see why (a missing entry, a locked vault, a login that expired)"
    ))]
    CommandFailed {
        command: String,
        status: String,
        stderr: String,
    },

    #[error("`{command}` did not finish within {secs} s and was stopped")]
    #[diagnostic(help(
        "it may be waiting for an unlock prompt: unlock the secret manager, or raise `timeout=` on the credential's `source command`"
    ))]
    CommandTimeout { command: String, secs: u64 },

    #[error("`{command}` printed nothing")]
    #[diagnostic(help("check that the entry it reads holds a value"))]
    CommandEmpty { command: String },

    #[error("`{command}` printed text that is not UTF-8")]
    #[diagnostic(help("mcpctl hands values to servers as text; store the value as text"))]
    CommandNotUtf8 { command: String },
}

fn stderr_suffix(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// The most of a failing command's stderr an error repeats.
const STDERR_LIMIT: usize = 2000;

/// Runs `argv` without a shell, stdin closed, and returns its stdout; a
/// failure names the command and carries its stderr. (`check` also uses it
/// to ask a client its version.)
pub fn run_command(argv: &[String], timeout: Duration) -> Result<String, SourceError> {
    let command_text = argv.join(" ");
    // Piped, not `run_to_exit`: the stdout is the secret, and it stays in
    // memory, never in a file (see `crate::process`).
    let output =
        run_piped(Command::new(&argv[0]).args(&argv[1..]), timeout).map_err(|err| match err {
            PipedError::Io(source) => SourceError::CommandSpawn {
                command: command_text.clone(),
                source,
            },
            PipedError::Timeout => SourceError::CommandTimeout {
                command: command_text.clone(),
                secs: timeout.as_secs(),
            },
        })?;
    let (status, stdout, stderr) = (output.status, output.stdout, output.stderr);
    if !status.success() {
        // A secret manager may print what it holds when it fails: the
        // error (in a client's log, a CI log) shows it redacted.
        let mut stderr = crate::scan::text::redact(String::from_utf8_lossy(&stderr).trim());
        if stderr.len() > STDERR_LIMIT {
            let mut cut = STDERR_LIMIT;
            while !stderr.is_char_boundary(cut) {
                cut -= 1;
            }
            stderr.truncate(cut);
            stderr.push('…');
        }
        return Err(SourceError::CommandFailed {
            command: command_text,
            status: status.to_string(),
            stderr,
        });
    }
    String::from_utf8(stdout).map_err(|_| SourceError::CommandNotUtf8 {
        command: command_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::{host, linux};
    use crate::host::Os;

    /// An environment reference reads the command's environment snapshot
    /// (the `Host`), never the process's environment behind its back.
    #[test]
    fn an_environment_reference_reads_the_hosts_environment() {
        let reference = reference("T:env:MCPCTL_SOURCE_TEST_VAR");
        let with = host(Os::Linux, "/home/a", &[("MCPCTL_SOURCE_TEST_VAR", "v-1")]);
        assert_eq!(reference.read(None, &with, false).unwrap().expose(), "v-1");
        let empty = host(Os::Linux, "/home/a", &[("MCPCTL_SOURCE_TEST_VAR", "")]);
        for host in [linux(), empty] {
            assert!(matches!(
                reference.read(None, &host, false),
                Err(SourceError::EnvNotSet { .. })
            ));
        }
    }

    fn reference(text: &str) -> Reference {
        Reference::parse(text).unwrap()
    }

    #[test]
    fn text_forms_round_trip() {
        for text in [
            "GITHUB_TOKEN",
            "team-a/GITHUB_TOKEN",
            "GITHUB_TOKEN:env:CI_GITHUB_TOKEN",
            r#"GITHUB_TOKEN:command:30s:["pass","show","mcp/github"]"#,
            r#"K:command:5s:["op","read","op://vault/item:with colon/field"]"#,
        ] {
            assert_eq!(reference(text).to_arg(), text);
        }
        assert_eq!(reference("team-a/GITHUB_TOKEN").credential, "GITHUB_TOKEN");
        assert_eq!(
            reference(r#"X:command:5s:["a b","c"]"#).from,
            From::Command {
                argv: vec!["a b".into(), "c".into()],
                timeout_secs: 5
            }
        );
    }

    #[test]
    fn malformed_references_are_refused() {
        for text in [
            "",
            "/X",
            "X:",
            "X:env:",
            "X:vault:y",
            "X:command:[\"a\"]",
            "X:command:0s:[\"a\"]",
            "X:command:5s:[]",
            "X:command:5s:pass show",
        ] {
            assert!(Reference::parse(text).is_err(), "{text}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn commands_give_stdout_and_name_themselves_on_failure() {
        let argv = |s: &[&str]| s.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        let command = |args: &[&str], timeout_secs| Reference {
            credential: "X".into(),
            from: From::Command {
                argv: argv(args),
                timeout_secs,
            },
        };
        let secret = command(&["printf", "canary-value\\n"], 5)
            .read(None, &linux(), false)
            .unwrap();
        assert_eq!(secret.expose(), "canary-value");
        let file = command(&["printf", "a: 1\\n"], 5)
            .read(None, &linux(), true)
            .unwrap();
        assert_eq!(file.expose(), "a: 1\n");

        let failed = command(&["sh", "-c", "echo 'no such entry' >&2; exit 1"], 5)
            .read(None, &linux(), false)
            .unwrap_err()
            .to_string();
        assert!(
            failed.contains("`sh -c") && failed.contains("no such entry"),
            "{failed}"
        );

        let started = std::time::Instant::now();
        let slow = command(&["sleep", "5"], 1)
            .read(None, &linux(), false)
            .unwrap_err();
        assert!(matches!(slow, SourceError::CommandTimeout { secs: 1, .. }));
        assert!(started.elapsed() < Duration::from_secs(4));

        let missing = command(&["mcpctl-no-such-program"], 1).read(None, &linux(), false);
        assert!(matches!(missing, Err(SourceError::CommandSpawn { .. })));
    }
}
