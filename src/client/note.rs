//! What an adapter has to say about an entry it rendered (or could not):
//! typed, so the plan can carry the fact and only rendering words it.

use std::fmt;

use crate::manifest::ClientId;

/// Why an entry differs from what the manifest asked, or is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderNote {
    /// env-ref was asked, but the client resolves no references.
    KeepsExec { client: ClientId },
    /// The client reads no remote servers from its file (Claude Desktop).
    RemoteOnlyInApp { client: ClientId },
    /// A secret header needs a reference, which this delivery or client
    /// cannot give; the server is left out.
    SecretHeaderNeedsReference { client: ClientId },
    /// The client's own listing prints referenced values expanded
    /// (`gemini mcp list`).
    ListingShowsSecrets { command: &'static str },
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

impl fmt::Display for RenderNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderNote::KeepsExec { client } => write!(
                f,
                "{client} resolves no environment variables in its configuration, so this entry keeps `exec` delivery"
            ),
            RenderNote::RemoteOnlyInApp { client } => write!(
                f,
                "{client} reads no remote servers from its configuration file; add this one in the app"
            ),
            RenderNote::SecretHeaderNeedsReference { client } => write!(
                f,
                "this remote server sends a secret header, which {client} can only get by reference (env-ref delivery, in a client that resolves variables); left out of this client"
            ),
            RenderNote::ListingShowsSecrets { command } => write!(
                f,
                "`{command}` prints referenced values expanded: the secret shows on screen"
            ),
            RenderNote::CannotRename { renamed } => {
                let renamed: Vec<String> = renamed
                    .iter()
                    .map(|(credential, var)| format!("{credential} → {var}"))
                    .collect();
                write!(
                    f,
                    "Codex forwards variables by name only (`env_vars`) and cannot rename {}, so this entry keeps `exec` delivery",
                    renamed.join(", ")
                )
            }
            RenderNote::WouldExpand { client, field } => write!(
                f,
                "{client} would expand the `$` text in this server's `{field}` (a variable, or a command it would run) instead of passing it on as written; left out of this client"
            ),
            RenderNote::HeaderScheme { header, scheme } => write!(
                f,
                "Codex sends a header from a variable only as its whole value or as `Authorization: Bearer`, not `{header}: {scheme} …`; left out of this client"
            ),
        }
    }
}
