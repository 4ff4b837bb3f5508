//! The OS credential store through `keyring-core` and the per-platform
//! store crates: macOS Keychain, Windows Credential Manager, Linux Secret
//! Service.
//!
//! Platform differences handled here, so callers never see them:
//! - presence checks: macOS must *search* (a lookup by service/account reads
//!   the password and can raise an access prompt); Secret Service and
//!   Credential Manager answer a lookup from attributes.
//! - naming: on Windows the entry's target name is the credential name (the
//!   guide's `New-StoredCredential -Target NAME`), not keyring's default
//!   `{user}.{service}`; an existing entry's persistence is kept and new
//!   ones use local-machine persistence, as the guide does.
//! - labels: Secret Service items get the label at creation; Windows
//!   entries get it as their comment.
//! - size: Credential Manager holds at most 2,560 bytes (UTF-16), checked
//!   before anything is written.

#[cfg(not(target_os = "linux"))]
use std::collections::HashMap;
#[cfg(not(target_os = "linux"))]
use std::sync::{Arc, OnceLock};

#[cfg(not(target_os = "linux"))]
use keyring_core::{CredentialStore as PlatformStore, Entry, Error as KeyringError};

use super::{CredentialStore, Secret, StoreError};

/// The platform's native credential store.
pub struct KeyringStore {
    /// Connected on first use when made by [`KeyringStore::unconnected`].
    #[cfg(not(target_os = "linux"))]
    platform: OnceLock<Arc<PlatformStore>>,
    /// The Secret Service: connected on first use, its encrypted session
    /// opened only when a secret is read or written.
    #[cfg(target_os = "linux")]
    service: super::secret_service::SecretServiceClient,
    account: String,
}

impl KeyringStore {
    /// Connects to the native store; entries use `account` as their user.
    pub fn open(account: &str) -> Result<KeyringStore, StoreError> {
        let store = KeyringStore::unconnected(account);
        #[cfg(not(target_os = "linux"))]
        store.platform()?;
        #[cfg(target_os = "linux")]
        store.service.connection()?;
        Ok(store)
    }

    /// Gets ready to read secrets soon (`exec`): on Linux the Secret
    /// Service's encrypted session starts opening on another thread, while
    /// the caller goes on; elsewhere nothing happens.
    pub fn prepare_reads(&self) {
        #[cfg(target_os = "linux")]
        self.service.open_session_early();
    }

    /// The native store, connected only when first asked something: a
    /// manifest that keeps no credential in it then works without one
    /// (a headless machine, CI) and saves the connection.
    pub fn unconnected(account: &str) -> KeyringStore {
        KeyringStore {
            #[cfg(not(target_os = "linux"))]
            platform: OnceLock::new(),
            #[cfg(target_os = "linux")]
            service: super::secret_service::SecretServiceClient::unconnected(),
            account: account.to_owned(),
        }
    }
}

#[cfg(target_os = "linux")]
impl CredentialStore for KeyringStore {
    fn name(&self) -> &str {
        platform::NAME
    }

    /// An attribute search: no encrypted session, no unlocking.
    fn exists(&self, credential: &str) -> Result<bool, StoreError> {
        self.service.exists(credential, &self.account)
    }

    fn get(&self, credential: &str) -> Result<Option<Secret>, StoreError> {
        self.service.get(credential, &self.account)
    }

    fn set(&self, credential: &str, secret: &Secret, label: &str) -> Result<(), StoreError> {
        self.service.set(credential, &self.account, secret, label)
    }

    fn delete(&self, credential: &str) -> Result<bool, StoreError> {
        self.service.delete(credential, &self.account)
    }
}

#[cfg(not(target_os = "linux"))]
impl KeyringStore {
    fn platform(&self) -> Result<&Arc<PlatformStore>, StoreError> {
        if let Some(platform) = self.platform.get() {
            return Ok(platform);
        }
        let opened = platform::open().map_err(|err| map_error(err, None))?;
        Ok(self.platform.get_or_init(|| opened))
    }

    fn entry(&self, credential: &str) -> Result<Entry, StoreError> {
        let modifiers = platform::modifiers(credential);
        let modifiers: HashMap<&str, &str> =
            modifiers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Entry::new_in_store_with_modifiers(self.platform()?, credential, &self.account, &modifiers)
            .map_err(|err| map_error(err, Some(credential)))
    }
}

#[cfg(not(target_os = "linux"))]
impl CredentialStore for KeyringStore {
    fn name(&self) -> &str {
        platform::NAME
    }

    fn exists(&self, credential: &str) -> Result<bool, StoreError> {
        let found = platform::exists(self.platform()?, credential, &self.account);
        match found {
            Ok(found) => Ok(found),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(err) => Err(map_error(err, Some(credential))),
        }
    }

    fn get(&self, credential: &str) -> Result<Option<Secret>, StoreError> {
        match self.entry(credential)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(err) => Err(map_error(err, Some(credential))),
        }
    }

    fn fits(&self, credential: &str, secret: &Secret) -> Result<(), StoreError> {
        let size = platform::stored_size(secret.expose());
        match platform::MAX_SECRET_BYTES {
            Some(limit) if size > limit => Err(StoreError::TooLarge {
                store: platform::NAME.to_owned(),
                credential: credential.to_owned(),
                size,
                limit,
            }),
            _ => Ok(()),
        }
    }

    fn set(&self, credential: &str, secret: &Secret, label: &str) -> Result<(), StoreError> {
        self.fits(credential, secret)?;
        let existed = self.exists(credential)?;
        let entry = platform::entry_for_write(self.platform()?, credential, &self.account, label)
            .map_err(|err| map_error(err, Some(credential)))?;
        entry
            .set_password(secret.expose())
            .map_err(|err| map_error(err, Some(credential)))?;
        if !existed {
            platform::label_new_entry(&entry, &self.account, label)
                .map_err(|err| map_error(err, Some(credential)))?;
        }
        Ok(())
    }

    fn delete(&self, credential: &str) -> Result<bool, StoreError> {
        match self.entry(credential)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(err) => Err(map_error(err, Some(credential))),
        }
    }
}

/// Turns a keyring error into one that names the fix. Never formats the
/// payload of `BadEncoding`/`BadDataFormat`: those carry the stored bytes.
#[cfg(not(target_os = "linux"))]
fn map_error(err: KeyringError, credential: Option<&str>) -> StoreError {
    let store = platform::NAME.to_owned();
    let credential_name = credential.unwrap_or("(store)").to_owned();
    match err {
        KeyringError::PlatformFailure(detail) => StoreError::Unavailable {
            store,
            detail: platform::explain(&detail.to_string()),
            hint: platform::UNAVAILABLE_HINT.to_owned(),
        },
        KeyringError::NoStorageAccess(detail) => StoreError::Locked {
            store,
            detail: detail.to_string(),
            hint: platform::LOCKED_HINT.to_owned(),
        },
        KeyringError::Ambiguous(entries) => StoreError::Ambiguous {
            store,
            credential: credential_name,
            count: entries.len(),
        },
        KeyringError::BadEncoding(_) => StoreError::Failed {
            store,
            credential: credential_name,
            detail: "the stored value is not UTF-8 text".to_owned(),
        },
        KeyringError::BadDataFormat(_, _) => StoreError::Failed {
            store,
            credential: credential_name,
            detail: "the stored value is not in the format the store expects".to_owned(),
        },
        KeyringError::TooLong(attribute, limit) => StoreError::Failed {
            store,
            credential: credential_name,
            detail: format!("its {attribute} is longer than the store's limit of {limit}"),
        },
        other => StoreError::Failed {
            store,
            credential: credential_name,
            detail: other.to_string(),
        },
    }
}

#[cfg(target_os = "linux")]
pub(super) mod platform {
    pub const NAME: &str = "Secret Service";
    /// The last line is one command, run as written by a test
    /// (`tests/integration/prompts.rs`): it asks for the keyring's password
    /// (hidden) and opens a shell on a private bus with GNOME Keyring
    /// unlocked in it.
    pub const UNAVAILABLE_HINT: &str = "start a Secret Service (GNOME Keyring or KeePassXC) in your \
        desktop session. In a headless shell (SSH, a container), this asks for a keyring password \
        (the first time it creates the keyring with it) and opens a shell in which GNOME Keyring runs \
        until you leave it; run mcpctl there, and start your clients from that shell too (their \
        servers read the store through it). For a machine nobody logs in to, read credentials with \
        `source env` or `source command` instead (docs/sources.md):\n    \
        dbus-run-session -- sh -c 'trap \"stty echo 2>/dev/null; exit 130\" INT HUP TERM; stty -echo 2>/dev/null; printf \"keyring password: \"; read -r pw; stty echo 2>/dev/null; echo; printf %s \"$pw\" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec \"${SHELL:-/bin/sh}\"'";
    pub const LOCKED_HINT: &str = "unlock your login keyring (Seahorse), or in a shell type its \
        password here, then run the command again:\n    \
        sh -c 'trap \"stty echo 2>/dev/null; exit 130\" INT HUP TERM; stty -echo 2>/dev/null; printf \"keyring password: \"; read -r pw; stty echo 2>/dev/null; echo; printf %s \"$pw\" | gnome-keyring-daemon --replace --unlock --components=secrets >/dev/null'";

    /// The usual causes in words, the D-Bus library's error after them.
    pub fn explain(raw: &str) -> String {
        if raw.contains("Failed to connect to address") || raw.contains("DBUS_SESSION_BUS_ADDRESS")
        {
            format!("no D-Bus session bus is running here ({raw})")
        } else if raw.contains("ServiceUnknown") || raw.contains("org.freedesktop.secrets") {
            format!("no program provides the Secret Service on the session bus ({raw})")
        } else {
            raw.to_owned()
        }
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use super::*;

    pub const NAME: &str = "macOS Keychain";

    pub fn explain(raw: &str) -> String {
        raw.to_owned()
    }
    pub const MAX_SECRET_BYTES: Option<usize> = None;
    pub const UNAVAILABLE_HINT: &str =
        "check that your login keychain exists: `security list-keychains`";
    pub const LOCKED_HINT: &str =
        "unlock it with `security unlock-keychain login.keychain-db`, then run the command again";

    pub fn open() -> keyring_core::Result<Arc<PlatformStore>> {
        let store: Arc<PlatformStore> = apple_native_keyring_store::keychain::Store::new()?;
        Ok(store)
    }

    pub fn modifiers(_credential: &str) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    pub fn exists(
        store: &Arc<PlatformStore>,
        credential: &str,
        account: &str,
    ) -> keyring_core::Result<bool> {
        // A lookup by service/account would read the password (and may
        // prompt); a search returns attributes only.
        let spec = HashMap::from([("service", credential), ("user", account)]);
        Ok(!store.search(&spec)?.is_empty())
    }

    pub fn stored_size(value: &str) -> usize {
        value.len()
    }

    pub fn entry_for_write(
        store: &Arc<PlatformStore>,
        credential: &str,
        account: &str,
        _label: &str,
    ) -> keyring_core::Result<Entry> {
        Entry::new_in_store(store, credential, account)
    }

    /// The keychain store crate sets no label; the item shows its service
    /// name, which is the credential name.
    pub fn label_new_entry(
        _entry: &Entry,
        _account: &str,
        _label: &str,
    ) -> keyring_core::Result<()> {
        Ok(())
    }
}

#[cfg(windows)]
mod platform {
    use super::*;

    pub const NAME: &str = "Windows Credential Manager";

    pub fn explain(raw: &str) -> String {
        raw.to_owned()
    }
    /// CRED_MAX_CREDENTIAL_BLOB_SIZE; values are stored as UTF-16.
    pub const MAX_SECRET_BYTES: Option<usize> = Some(2560);
    pub const UNAVAILABLE_HINT: &str =
        "check that the Credential Manager service (VaultSvc) is running: `Get-Service VaultSvc`";
    pub const LOCKED_HINT: &str = "sign in to Windows interactively, then run the command again";

    /// The target name is the credential name, as the guide creates them.
    pub fn modifiers(credential: &str) -> Vec<(&'static str, String)> {
        vec![("target", credential.to_owned())]
    }

    pub fn open() -> keyring_core::Result<Arc<PlatformStore>> {
        let store: Arc<PlatformStore> = windows_native_keyring_store::Store::new()?;
        Ok(store)
    }

    pub fn exists(
        store: &Arc<PlatformStore>,
        credential: &str,
        account: &str,
    ) -> keyring_core::Result<bool> {
        let modifiers = HashMap::from([("target", credential)]);
        let entry = Entry::new_in_store_with_modifiers(store, credential, account, &modifiers)?;
        entry.get_credential().map(|_| true)
    }

    pub fn stored_size(value: &str) -> usize {
        value.encode_utf16().count() * 2
    }

    /// Keeps an existing entry's persistence; new entries persist on the
    /// local machine, as the guide's `-Persist LocalMachine`.
    pub fn entry_for_write(
        store: &Arc<PlatformStore>,
        credential: &str,
        account: &str,
        _label: &str,
    ) -> keyring_core::Result<Entry> {
        let probe = HashMap::from([("target", credential)]);
        let existing = Entry::new_in_store_with_modifiers(store, credential, account, &probe)?
            .get_attributes()
            .ok()
            .and_then(|attributes| attributes.get("persistence").cloned());
        let persistence = existing.unwrap_or_else(|| "Local".to_owned());
        let modifiers = HashMap::from([("target", credential), ("persistence", &persistence)]);
        Entry::new_in_store_with_modifiers(store, credential, account, &modifiers)
    }

    pub fn label_new_entry(entry: &Entry, account: &str, label: &str) -> keyring_core::Result<()> {
        entry.update_attributes(&HashMap::from([("comment", label), ("username", account)]))
    }
}

/// Against the Credential Manager itself (under Wine in CI), which does not
/// enforce its own blob limit there: mcpctl does, before writing.
#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;

    #[test]
    fn a_value_over_the_blob_limit_is_refused_and_one_at_the_limit_is_kept() {
        let store = KeyringStore::open("mcpctl-test").unwrap();
        let name = format!("MCPCTL_TEST_LIMIT_{}", std::process::id());
        // 1,281 UTF-16 code units: 2,562 bytes.
        let over = Secret::new("k".repeat(1281));
        match store.set(&name, &over, "test") {
            Err(StoreError::TooLarge { size, limit, .. }) => {
                assert_eq!((size, limit), (2562, 2560))
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(!store.exists(&name).unwrap(), "a refused value was stored");
        let at_limit = "k".repeat(1280);
        store
            .set(&name, &Secret::new(at_limit.clone()), "test")
            .unwrap();
        let read = store.get(&name).unwrap().expect("stored");
        assert_eq!(read.expose(), at_limit);
        assert!(store.delete(&name).unwrap());
    }

    /// The guide makes entries with `-Persist LocalMachine`, an enterprise
    /// roaming profile with `Enterprise`: a new value keeps what the entry
    /// had.
    #[test]
    fn a_rewritten_entry_keeps_its_persistence() {
        use windows_sys::Win32::Security::Credentials::{
            CRED_PERSIST_ENTERPRISE, CRED_TYPE_GENERIC, CREDENTIALW, CredFree, CredReadW,
            CredWriteW,
        };
        let name = format!("MCPCTL_TEST_PERSIST_{}", std::process::id());
        let mut target: Vec<u16> = name.encode_utf16().chain(Some(0)).collect();
        let mut user: Vec<u16> = "token".encode_utf16().chain(Some(0)).collect();
        let old: Vec<u8> = "old".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let credential = CREDENTIALW {
            Type: CRED_TYPE_GENERIC,
            TargetName: target.as_mut_ptr(),
            UserName: user.as_mut_ptr(),
            CredentialBlobSize: old.len() as u32,
            CredentialBlob: old.as_ptr().cast_mut(),
            Persist: CRED_PERSIST_ENTERPRISE,
            ..Default::default()
        };
        // SAFETY: a credential whose pointers outlive the call.
        assert_ne!(unsafe { CredWriteW(&credential, 0) }, 0);
        let store = KeyringStore::open("mcpctl-test").unwrap();
        store
            .set(&name, &Secret::new("new".to_owned()), "test")
            .unwrap();
        let mut read: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: reads the credential written above and frees it once.
        let (persist, blob) = unsafe {
            assert_ne!(
                CredReadW(target.as_ptr(), CRED_TYPE_GENERIC, 0, &mut read),
                0
            );
            let found = &*read;
            let blob =
                std::slice::from_raw_parts(found.CredentialBlob, found.CredentialBlobSize as usize)
                    .to_vec();
            let persist = found.Persist;
            CredFree(read.cast());
            (persist, blob)
        };
        assert_eq!(persist, CRED_PERSIST_ENTERPRISE);
        let new: Vec<u8> = "new".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(blob, new);
        assert!(store.delete(&name).unwrap());
    }
}
