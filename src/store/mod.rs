//! Where secret values live: the OS credential store.
//!
//! The rest of mcpctl sees only the narrow [`CredentialStore`] trait. Its
//! `exists` must answer from attributes alone — never by reading the secret —
//! so `plan` can run as often as people like without raising a keychain
//! access prompt. Only `apply` and `exec` call `get`.
//!
//! Entries are named as the credentials guide names them, so entries people
//! already created by hand (`security add-generic-password -a "$USER" -s
//! GITHUB_TOKEN`, `secret-tool store service GITHUB_TOKEN username "${USER:-$(id -un)}"`,
//! `New-StoredCredential -Target GITHUB_TOKEN`) are found: service (or
//! Windows target) = credential name, account (Secret Service attribute
//! `username`) = the user name.

mod keyring;
#[cfg(test)]
mod memory;
mod secret;
#[cfg(target_os = "linux")]
mod secret_service;

pub use keyring::KeyringStore;
#[cfg(test)]
pub use memory::MemoryStore;
pub use secret::Secret;

/// The operations mcpctl needs from a credential store.
pub trait CredentialStore {
    /// A short name for messages, e.g. "Secret Service".
    fn name(&self) -> &str;

    /// Whether an entry for `credential` exists, without reading its value.
    fn exists(&self, credential: &str) -> Result<bool, StoreError>;

    /// The value of `credential`, or `None` when there is no entry.
    fn get(&self, credential: &str) -> Result<Option<Secret>, StoreError>;

    /// Whether the store can hold `secret` for `credential` (the Windows
    /// Credential Manager keeps at most 2,560 bytes). Apply asks it of
    /// every value before it writes any, so a value too large stores none.
    fn fits(&self, _credential: &str, _secret: &Secret) -> Result<(), StoreError> {
        Ok(())
    }

    /// Create or replace the entry; `label` is the human-readable name
    /// shown by the platform's UI for a new entry.
    fn set(&self, credential: &str, secret: &Secret, label: &str) -> Result<(), StoreError>;

    /// Remove the entry; `Ok(false)` when there was none.
    fn delete(&self, credential: &str) -> Result<bool, StoreError>;
}

/// The store of a machine that has no credential yet: every entry is
/// missing (`plan --offline` shows what a new member would be asked for).
/// Nothing can be written to it.
#[derive(Debug, Default)]
pub struct EmptyStore;

impl CredentialStore for EmptyStore {
    fn name(&self) -> &str {
        "empty credential store (offline plan)"
    }

    fn exists(&self, _credential: &str) -> Result<bool, StoreError> {
        Ok(false)
    }

    fn get(&self, _credential: &str) -> Result<Option<Secret>, StoreError> {
        Ok(None)
    }

    fn set(&self, credential: &str, _secret: &Secret, _label: &str) -> Result<(), StoreError> {
        Err(StoreError::Failed {
            store: self.name().to_owned(),
            credential: credential.to_owned(),
            detail: "an offline plan never writes".to_owned(),
        })
    }

    fn delete(&self, _credential: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
}

/// What went wrong talking to a store. Messages never contain a value.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StoreError {
    #[error("the {store} cannot be reached: {detail}")]
    #[diagnostic(code(mcpctl::store::unavailable))]
    Unavailable {
        store: String,
        detail: String,
        #[help]
        hint: String,
    },

    #[error("the {store} is locked: {detail}")]
    #[diagnostic(code(mcpctl::store::locked))]
    Locked {
        store: String,
        detail: String,
        #[help]
        hint: String,
    },

    #[error("the value for `{credential}` is {size} bytes; the {store} holds at most {limit}")]
    #[diagnostic(
        code(mcpctl::store::too_large),
        help(
            "no value was stored (apply checks every value before it writes any, and never cuts one). Check that the right value was given for `{credential}`; a value this large (a kubeconfig, a long OAuth refresh token) can be read at launch instead: `source command …` or `source env` (docs/sources.md)"
        )
    )]
    TooLarge {
        store: String,
        credential: String,
        size: usize,
        limit: usize,
    },

    #[error("the {store} holds {count} entries for `{credential}`; mcpctl expects one")]
    #[diagnostic(
        code(mcpctl::store::ambiguous),
        help("remove the duplicates with your platform's keychain tool, keeping the right one")
    )]
    Ambiguous {
        store: String,
        credential: String,
        count: usize,
    },

    #[error("the {store} failed on `{credential}`: {detail}")]
    #[diagnostic(code(mcpctl::store::failed))]
    Failed {
        store: String,
        credential: String,
        detail: String,
    },
}

impl StoreError {
    /// The store the error came from, for messages.
    pub fn store(&self) -> &str {
        match self {
            StoreError::Unavailable { store, .. }
            | StoreError::Locked { store, .. }
            | StoreError::TooLarge { store, .. }
            | StoreError::Ambiguous { store, .. }
            | StoreError::Failed { store, .. } => store,
        }
    }

    /// True when the store as a whole cannot be used (as opposed to one
    /// entry being wrong): `plan` then shows credentials as unavailable.
    pub fn is_store_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable { .. } | StoreError::Locked { .. }
        )
    }
}
