//! Why a change is what it is, as data.
//!
//! A plan is a value that is saved, compared and shown later (`mcpctl
//! show`), so it holds no prose: each reason is a variant here, with the
//! facts it needs, and only `cli/render` turns reasons into words. Adding a
//! reason is one variant and one arm there; a test cannot be broken by a
//! rewording of a sentence it never meant to check.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::client::RenderNote;
use crate::manifest::ClientId;

/// One reason, attached to the change it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "reason")]
pub enum Reason {
    /// A note of the client's adapter about this server in this client (a
    /// delivery the client cannot do, or why it is left out). The one seam
    /// between the adapters' notes and the plan.
    Client { note: RenderNote },

    /// `credential` was revoked (`mcpctl revoke`) on `on` (a date):
    /// nothing is asked for until `mcpctl rotate` supplies a new value.
    Revoked { credential: String, on: String },
    /// The credential is not in the store: apply asks for its value.
    NotInStore,
    /// The store could not be asked: a few words for the credential's
    /// line (`summary`), and the store's error in full (`detail`), shown
    /// once at the end of the plan.
    StoreUnavailable { summary: String, detail: String },
    /// The value is read at launch from an environment variable, which is
    /// or is not set on this machine.
    FromEnvironment { variable: String, set: bool },
    /// The value is read at launch from a secret manager's command.
    FromCommand { argv: Vec<String> },
    /// `destroy --include-credentials`: the value leaves the store.
    DeletedFromStore,

    /// The server needs `credential`, which was revoked.
    BlockedByRevoked { credential: String },
    /// An identical entry is there, not written by mcpctl: it is taken over.
    IdenticalEntry,
    /// mcpctl's entry was changed by hand since the last apply.
    ChangedOutsideMcpctl,
    /// Another manifest owns the entry.
    OwnedByOtherManifest { manifest: PathBuf },
    /// An entry someone else wrote, replaced because of `--adopt`.
    ForeignReplaced,
    /// An entry someone else wrote, left alone (`--adopt` would replace it).
    ForeignLeftAlone,
    /// The manifest no longer has this server.
    NoLongerInManifest,
    /// `import`: the reference `from` in `field` of the entry becomes
    /// `to`, the form `client` resolves.
    ReferenceRewritten {
        field: String,
        from: String,
        to: String,
        client: ClientId,
    },

    /// The manifest no longer asks for this shell profile.
    ProfileNoLongerWanted,

    /// An export whose value will be read from a different source.
    ExportSourceChanged,
    /// An export no env-ref client of the manifest references any more.
    ExportNoLongerReferenced,

    /// `exec` will forward launches (or only alerts) of this manifest's
    /// servers to `url` (redacted).
    Forwarding { url: String, alerts_only: bool },
    /// Audit records older than `days` days will be deleted.
    Retention { days: u32 },
}

impl Reason {
    /// Whether this reason says the manifest changed: `destroy` leaves it
    /// out, since there the manifest is unchanged and destroy is why.
    pub fn is_manifest_change(&self) -> bool {
        matches!(
            self,
            Reason::NoLongerInManifest | Reason::ExportNoLongerReferenced
        )
    }
}
