//! What an adapter has to say about an entry it rendered (or could not):
//! typed, so the plan can carry the fact (`Reason::Client`) and only
//! `cli/render/reason.rs` words it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::manifest::ClientId;

/// Why an entry differs from what the manifest asked, or is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "note")]
pub enum RenderNote {
    /// env-ref was asked, but the client resolves no references.
    KeepsExec { client: ClientId },
    /// The client reads no remote servers from its file (Claude Desktop).
    RemoteOnlyInApp { client: ClientId },
    /// The client's own listing prints referenced values expanded
    /// (`gemini mcp list`).
    ListingShowsSecrets { command: String },
    /// Codex forwards variables by name only: these `credential → VAR`
    /// bindings keep `exec`.
    CannotRename { renamed: Vec<(String, String)> },
    /// The client would expand text of this field that the manifest gives
    /// literally (`$(…)` in a Crush argument); the server is left out.
    WouldExpand { client: ClientId, field: String },
    /// Codex sends a header from a variable only whole or as
    /// `Authorization: Bearer`; this one has another scheme.
    HeaderScheme { header: String, scheme: String },
}
