//! The plan: how this machine differs from the manifest, as a value.
//!
//! `compute` is a pure function of [`Desired`] (what the manifest asks for
//! on this machine) and [`Observed`](crate::observe::Observed) (what the
//! store, the client files and mcpctl's state hold now). It does no I/O, so
//! every rule of ownership and reconciliation is unit-tested here, and
//! `apply` executes exactly what the user was shown. Values in a plan are
//! redacted where they could hold a secret someone wrote by hand: a plan is
//! safe to print, save and share.
//!
//! The plan is a self-contained value: typed changes per kind of thing
//! (`change.rs`), each holding what apply needs and why as [`Reason`]s, never
//! prose. Apply carries it out without going back to the manifest, and
//! `mcpctl show` renders a saved one from the file alone.

mod change;
mod compute;
mod desired;
mod destroy;
mod reason;
mod redact;
mod rotation;
mod saved;
mod select;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use change::{
    AuditAction, AuditChange, AuditShown, CredentialAction, CredentialChange, Declared,
    EntryAction, EntryChange, ExportAction, ExportChange, FileChange, Holder, ProfileAction,
    ProfileChange, Target,
};
pub use compute::{Options, block_digest, compute};
pub use desired::{Desired, DesiredBlock, DesiredFile, desired, env_exports, targets};
pub use destroy::destroy;
pub use reason::Reason;
pub use redact::{redact_beside, redact_url};
pub use rotation::{Rotation, RotationStatus, rotation};
pub use saved::{SAVED_PLAN_VERSION, SavedPlan, Stale, Tampered};
use schemars::JsonSchema;
pub use select::{Selector, SelectorError, select};
use serde::{Deserialize, Serialize};

/// The plan format version (`schemas/plan.schema.json`). 2: changes are
/// grouped by kind, each typed, with reasons instead of notes.
pub const PLAN_VERSION: u32 = 2;

/// Everything `plan` found to do, by kind of thing changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Plan {
    pub version: u32,
    /// The manifest the plan was computed from.
    pub manifest: PathBuf,
    pub credentials: Vec<CredentialChange>,
    /// Per table of servers of each client file, in the order written.
    pub files: Vec<FileChange>,
    pub profiles: Vec<ProfileChange>,
    pub exports: Vec<ExportChange>,
    /// The change of this manifest's audit settings, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditChange>,
    /// Where each file the plan changes really is, when a symbolic link
    /// leads elsewhere (the path as named → the file written): shown next
    /// to the file, so a link cannot hide where an entry goes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<PathBuf, PathBuf>,
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
    /// A plan of nothing, for `manifest`.
    pub fn empty(manifest: PathBuf) -> Plan {
        Plan {
            version: PLAN_VERSION,
            manifest,
            credentials: Vec::new(),
            files: Vec::new(),
            profiles: Vec::new(),
            exports: Vec::new(),
            audit: None,
            links: BTreeMap::new(),
        }
    }

    /// Every entry change, with the file and table it is in.
    pub fn entries(&self) -> impl Iterator<Item = (&FileChange, &EntryChange)> {
        self.files
            .iter()
            .flat_map(|file| file.entries.iter().map(move |entry| (file, entry)))
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.credentials {
            match change.action {
                CredentialAction::Create => summary.add += 1,
                CredentialAction::Delete => summary.destroy += 1,
                CredentialAction::Unavailable => summary.unavailable += 1,
                CredentialAction::Blocked => summary.blocked += 1,
                CredentialAction::NoOp => {}
            }
            if let Some(rotation) = &change.rotation {
                summary.overdue += usize::from(rotation.status.is_failure());
                summary.due_soon += usize::from(rotation.status.is_warning());
            }
        }
        for (_, change) in self.entries() {
            match change.action {
                EntryAction::Create => summary.add += 1,
                EntryAction::Update => summary.change += 1,
                EntryAction::Adopt if change.writes() => summary.change += 1,
                EntryAction::Delete => summary.destroy += 1,
                EntryAction::Conflict => summary.conflicts += 1,
                EntryAction::Blocked => summary.blocked += 1,
                EntryAction::Adopt
                | EntryAction::NoOp
                | EntryAction::Forget
                | EntryAction::Skip => {}
            }
        }
        let mut count = |create: bool, update: bool, delete: bool| {
            summary.add += usize::from(create);
            summary.change += usize::from(update);
            summary.destroy += usize::from(delete);
        };
        for change in &self.profiles {
            let a = change.action;
            count(
                a == ProfileAction::Create,
                a == ProfileAction::Update,
                a == ProfileAction::Delete,
            );
        }
        for change in &self.exports {
            let a = change.action;
            count(
                a == ExportAction::Create,
                a == ExportAction::Update,
                a == ExportAction::Delete,
            );
        }
        if let Some(change) = &self.audit {
            let a = change.action;
            count(
                a == AuditAction::Create,
                a == AuditAction::Update,
                a == AuditAction::Delete,
            );
        }
        summary
    }

    /// Whether anything is pending: what `--detailed-exitcode` reports.
    pub fn has_changes(&self) -> bool {
        self.credentials.iter().any(|c| {
            matches!(
                c.action,
                CredentialAction::Create | CredentialAction::Delete | CredentialAction::Unavailable
            )
        }) || self.entries().any(|(_, c)| match c.action {
            EntryAction::NoOp | EntryAction::Forget | EntryAction::Blocked | EntryAction::Skip => {
                false
            }
            EntryAction::Adopt => c.writes(),
            EntryAction::Create
            | EntryAction::Update
            | EntryAction::Delete
            | EntryAction::Conflict => true,
        }) || self
            .profiles
            .iter()
            .any(|c| c.action != ProfileAction::NoOp)
            || self.exports.iter().any(|c| c.action != ExportAction::NoOp)
            || self.audit.is_some()
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
