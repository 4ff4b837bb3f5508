//! How much mcpctl says on stderr, set once from `--quiet` / `--verbose`,
//! and the progress line shown while a slow step runs.
//!
//! Three kinds of stderr text, after cargo and uv:
//! - errors: always (printed by `cli::main`);
//! - notes, progress and warnings ([`note!`]): hidden by `--quiet`, which
//!   leaves only errors, the requested output and the questions a command
//!   must ask;
//! - details ([`detail!`]): only with `--verbose` — which manifest, files
//!   and store a command used.
//!
//! A global rather than a parameter: it is decided once, before any
//! command runs, and threading it through every printing function would
//! add an argument to each without changing what any of them computes.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::host::{Host, HostError};
use crate::terminal_text::escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet = 0,
    Normal = 1,
    Verbose = 2,
}

static LEVEL: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

pub fn set(verbosity: Verbosity) {
    LEVEL.store(verbosity as u8, Ordering::Relaxed);
}

pub fn level() -> Verbosity {
    match LEVEL.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// Progress, notes and warnings on stderr; silent under `--quiet`. They
/// quote paths, entries and errors, so they are escaped
/// ([`crate::terminal_text::escape_lines`]).
macro_rules! note {
    ($($arg:tt)*) => {
        if $crate::cli::ui::level() >= $crate::cli::ui::Verbosity::Normal {
            eprintln!("{}", $crate::terminal_text::escape_lines(&format!($($arg)*)));
        }
    };
}

/// What a command read and used, on stderr; only under `--verbose`.
macro_rules! detail {
    ($($arg:tt)*) => {
        if $crate::cli::ui::level() >= $crate::cli::ui::Verbosity::Verbose {
            eprintln!("{}", $crate::terminal_text::escape_lines(&format!($($arg)*)));
        }
    };
}

pub(crate) use {detail, note};

/// A one-line "… working" indication on stderr for a step that may take
/// more than a moment. Shown only when stderr is a terminal and not under
/// `--quiet`; erased when dropped, so the output after it is unchanged.
/// The text names servers and entries from client files, so it is escaped.
pub struct ProgressLine {
    shown: bool,
}

impl ProgressLine {
    pub fn start(what: &str) -> ProgressLine {
        let shown = std::io::stderr().is_terminal() && level() >= Verbosity::Normal;
        if shown {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "{}…", escape(what));
            let _ = stderr.flush();
        }
        ProgressLine { shown }
    }

    /// Replaces the line with a newer step ("checking `github` (2/5)…").
    pub fn update(&self, what: &str) {
        if self.shown {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K{}…", escape(what));
            let _ = stderr.flush();
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        if self.shown {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        }
    }
}

/// The account credentials are stored under ([`Host::account`]); how it
/// was chosen is said once per process when the user should hear it, even
/// under `--quiet` (it decides where secrets go).
pub fn user(host: &Host) -> Result<String, HostError> {
    let account = host.account()?;
    if let Some(warning) = &account.warning {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| eprintln!("warning: {warning}"));
    }
    Ok(account.name)
}

/// Records a value read from the store (by `check`, `env`) in the audit
/// trail. A broken trail is a warning: those commands report, they do not
/// stop.
pub fn record_read(audit: &crate::audit::AuditLog, credential: &str, detail: String, ok: bool) {
    let event = crate::audit::Event {
        action: "store.read",
        target: credential.to_owned(),
        server: None,
        detail: Some(detail),
        outcome: if ok {
            crate::audit::Outcome::Ok
        } else {
            crate::audit::Outcome::Failed
        },
    };
    if let Err(err) = audit.append(&event) {
        eprintln!(
            "warning: cannot append to the audit trail `{}`: {err}",
            audit.path().display()
        );
    }
}
