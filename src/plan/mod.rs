//! The plan: how this machine differs from the manifest, as a value.
//!
//! `compute` is a pure function of [`Desired`] (what the manifest asks for
//! on this machine) and [`Observed`] (what the store, the client files and
//! mcpctl's state hold now). It does no I/O, so every rule of ownership and
//! reconciliation is unit-tested here, and `apply` executes exactly what the
//! user was shown. Values in a plan are redacted where they could hold a
//! secret someone wrote by hand: a plan is safe to print, save and share.

mod compute;
mod desired;
mod destroy;
mod redact;
mod rotation;
mod saved;
mod select;

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use compute::{Options, compute};
pub use desired::{Desired, DesiredBlock, DesiredFile, desired, env_exports, targets};
pub use destroy::destroy;
pub use redact::{redact, redact_url};
pub use rotation::{Rotation, RotationStatus, rotation};
pub use saved::{SAVED_PLAN_VERSION, SavedPlan, Stale, Tampered};
pub use select::{Selector, SelectorError, select};

use crate::client::ClientFile;
use crate::document::Document;
use crate::manifest::{ClientId, Scope, Shell};
use crate::state::State;

/// The plan format version (`schemas/plan.schema.json`).
pub const PLAN_VERSION: u32 = 1;

/// Everything `plan` found to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Plan {
    pub version: u32,
    /// The manifest the plan was computed from.
    pub manifest: PathBuf,
    pub changes: Vec<Change>,
    /// Where each file the plan changes really is, when a symbolic link
    /// leads elsewhere (the path as named → the file written): shown next
    /// to the file, so a link cannot hide where an entry goes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<PathBuf, PathBuf>,
}

/// One target and what will happen to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Change {
    pub target: Target,
    pub action: Action,
    /// The entry as observed (redacted), when there is one.
    pub before: Option<Value>,
    /// The entry as it will be, when it will exist.
    pub after: Option<Value>,
    /// For entries: digest of the observed entry, so apply can tell whether
    /// it changed since the plan. `None` when it was absent.
    pub before_digest: Option<String>,
    /// Why, in words, for the human view.
    pub notes: Vec<String>,
    /// For credentials in the store: age, period, due and expiry dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Target {
    /// A credential in the store.
    Credential { name: String, store: String },
    /// A server entry in a client file.
    Entry {
        client: ClientId,
        scope: Scope,
        file: PathBuf,
        /// Keys from the root of the file to the table of servers.
        table: Vec<String>,
        server: String,
    },
    /// mcpctl's block in a shell profile (`shell-profile`): it runs
    /// `mcpctl env`, so env-ref clients started from that shell find their
    /// variables. `before`/`after` are the block's text.
    ShellProfile { shell: Shell, file: PathBuf },
    /// A variable `mcpctl env` exports for this manifest (env-ref
    /// delivery). `before` is where its value is read as last applied,
    /// `after` as the manifest asks now, each the text form of
    /// [`crate::source::Reference`]: `mcpctl env` serves only what an apply
    /// recorded, so a new variable or a changed `source command` reaches a
    /// shell only through this change.
    EnvExport { variable: String },
    /// The audit settings (`audit { … }`) this manifest installs on the
    /// machine: retention, forwarding and alert rules, which `exec` follows
    /// for this manifest's servers. `before`/`after` are the settings
    /// applied now and wanted (webhook URLs redacted).
    AuditSettings { manifest: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Already as desired.
    NoOp,
    /// A missing credential (value asked at apply) or entry.
    Create,
    /// An entry mcpctl owns that differs from the manifest.
    Update,
    /// An entry mcpctl owns that the manifest no longer asks for.
    Delete,
    /// An entry written by someone else that mcpctl takes over (`--adopt`,
    /// or because it already matches exactly); written only if it differs.
    Adopt,
    /// An entry of the same name written by someone else: left alone
    /// unless `apply --adopt`.
    Conflict,
    /// The store cannot be reached, so this credential's presence is unknown.
    Unavailable,
    /// An ownership record whose entry is gone and no longer wanted: only
    /// mcpctl's state changes.
    Forget,
    /// A revoked credential (`mcpctl revoke`), or the entry of a server that
    /// needs one: not asked for, not created, until `mcpctl rotate`
    /// supplies a new value.
    Blocked,
    /// A server this client cannot have (its notes say why); nothing is
    /// written.
    Skip,
}

impl Change {
    /// Whether applying this change writes a file or the store.
    pub fn writes(&self) -> bool {
        match self.action {
            Action::Create | Action::Update | Action::Delete => true,
            Action::Adopt => {
                self.before_digest != self.after.as_ref().map(crate::state::entry_digest)
            }
            Action::NoOp
            | Action::Conflict
            | Action::Unavailable
            | Action::Forget
            | Action::Blocked
            | Action::Skip => false,
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub conflicts: usize,
    pub unavailable: usize,
    /// Credentials past their rotation or expiry date.
    #[serde(default)]
    pub overdue: usize,
    /// Credentials due for rotation or expiring within the warning window.
    #[serde(default)]
    pub due_soon: usize,
    /// Revoked credentials and the entries they block.
    #[serde(default)]
    pub blocked: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                Action::Create => summary.add += 1,
                Action::Update => summary.change += 1,
                Action::Adopt if change.writes() => summary.change += 1,
                Action::Delete => summary.destroy += 1,
                Action::Conflict => summary.conflicts += 1,
                Action::Unavailable => summary.unavailable += 1,
                Action::Blocked => summary.blocked += 1,
                Action::Adopt | Action::NoOp | Action::Forget | Action::Skip => {}
            }
            if let Some(rotation) = &change.rotation {
                summary.overdue += usize::from(rotation.status.is_failure());
                summary.due_soon += usize::from(rotation.status.is_warning());
            }
        }
        summary
    }

    /// Whether anything is pending: what `--detailed-exitcode` reports.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| match c.action {
            Action::NoOp | Action::Forget | Action::Blocked | Action::Skip => false,
            Action::Adopt => c.writes(),
            _ => true,
        })
    }
}

/// The JSON form of a plan (`plan --json`), described by
/// `schemas/plan.schema.json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanOutput<'a> {
    #[serde(flatten)]
    pub plan: &'a Plan,
    pub summary: Summary,
}

/// The JSON Schema of [`PlanOutput`], pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(PlanOutput<'static>);
    let mut text = serde_json::to_string_pretty(&schema).expect("schema serializes");
    text.push('\n');
    text
}

/// What the store holds for one credential (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    Present,
    Missing,
    /// The store could not be asked: a few words for the credential's line
    /// ("store unavailable"), and why, for the plan's last line.
    Unavailable(String, String),
    /// Read at launch from outside the store (`source env`/`command`):
    /// where and, for a variable, whether it is set here. mcpctl never
    /// stores it, and plan never runs the command (it may prompt).
    External(String),
}

/// Client files as read, by path; a file that does not exist has none.
pub type Documents = BTreeMap<PathBuf, Document>;

/// One table of a client file as read from disk (its text is in
/// [`Observed::documents`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFile {
    pub file: ClientFile,
    /// The server entries in its table.
    pub entries: BTreeMap<String, Value>,
}

/// One shell profile as read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedProfile {
    pub shell: Shell,
    pub file: PathBuf,
    /// sha256 of the bytes; `None` when the file does not exist.
    pub fingerprint: Option<String>,
    /// This manifest's block in it, if any.
    pub block: Option<String>,
}

/// What is on this machine now.
#[derive(Debug, Clone)]
pub struct Observed {
    pub store_name: String,
    pub credentials: BTreeMap<String, Presence>,
    pub files: Vec<ObservedFile>,
    /// The text of every client file that exists, read and validated once
    /// per path (Claude Code's user and local scopes share one file).
    /// Apply edits these instead of reading, validating and scanning a
    /// 50 MB `~/.claude.json` again; it still compares them with the disk
    /// right before replacing a file.
    pub documents: Documents,
    pub profiles: Vec<ObservedProfile>,
    /// Where each client file and shell profile that is reached through a
    /// symbolic link really is (the path as named → the file itself).
    pub links: BTreeMap<PathBuf, PathBuf>,
    pub state: State,
    /// When the machine was observed: ages and due dates count to here.
    pub now: jiff::Timestamp,
}
