//! The Linux Secret Service (`org.freedesktop.secrets`: GNOME Keyring,
//! KeePassXC), spoken to over one D-Bus connection per command.
//!
//! A presence check is an attribute search (`SearchItems`), which needs no
//! session: `plan` sends searches only. The encrypted session (`OpenSession`
//! with a 1024-bit Diffie–Hellman exchange, computed in pure Rust: several
//! milliseconds) is opened on the same connection, and only when a secret
//! is read or written. keyring's Secret Service store opens that session
//! when it connects and a connection of its own, so it is not used here.
//!
//! Entries are the ones keyring's store and `secret-tool` make and find:
//! attributes `service` = the credential name and `username` = the
//! account, in the default collection, labelled as given.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use secret_service::EncryptionType;
use secret_service::blocking::{Item, SecretService};
use zbus::zvariant::OwnedObjectPath;

use super::keyring::platform::{LOCKED_HINT, NAME, UNAVAILABLE_HINT, explain};
use super::{Secret, StoreError};

/// The content type keyring's store gives the secrets it writes.
const CONTENT_TYPE: &str = "application/octet-stream";

/// A Secret Service client: the bus connection when first needed, the
/// encrypted session when a secret is first read or written.
pub(super) struct SecretServiceClient {
    connection: OnceLock<zbus::blocking::Connection>,
    session: OnceLock<Mutex<SecretService<'static>>>,
    /// The session being opened on another thread
    /// ([`SecretServiceClient::open_session_early`]).
    opening: Mutex<Option<Opening>>,
}

type Opening = std::thread::JoinHandle<Result<SecretService<'static>, StoreError>>;

impl SecretServiceClient {
    pub fn unconnected() -> SecretServiceClient {
        SecretServiceClient {
            connection: OnceLock::new(),
            session: OnceLock::new(),
            opening: Mutex::new(None),
        }
    }

    /// Starts opening the encrypted session on another thread, for a
    /// command that is about to read secrets (`exec`): its Diffie–Hellman
    /// exchange, most of a read's cost, then overlaps the search for the
    /// item and whatever the command does meanwhile. An error shows at the
    /// first read.
    pub fn open_session_early(&self) {
        if self.session.get().is_some() {
            return;
        }
        let Ok(connection) = self.connection() else {
            return;
        };
        let connection = connection.clone();
        let opening = std::thread::Builder::new()
            .name("secret-service-session".to_owned())
            .spawn(move || {
                SecretService::connect_with_existing(EncryptionType::Dh, connection)
                    .map_err(service_error)
            });
        if let Ok(opening) = opening {
            *self.opening.lock().unwrap_or_else(|p| p.into_inner()) = Some(opening);
        }
    }

    /// The session bus connection (made once).
    pub fn connection(&self) -> Result<&zbus::blocking::Connection, StoreError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection);
        }
        let connection =
            zbus::blocking::Connection::session().map_err(|err| unavailable(&err.to_string()))?;
        Ok(self.connection.get_or_init(|| connection))
    }

    /// The encrypted session, on the same connection (opened once).
    fn session(&self) -> Result<std::sync::MutexGuard<'_, SecretService<'static>>, StoreError> {
        if self.session.get().is_none() {
            let opening = self
                .opening
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            let opened = match opening {
                Some(opening) => opening
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
                None => {
                    let connection = self.connection()?.clone();
                    SecretService::connect_with_existing(EncryptionType::Dh, connection)
                        .map_err(service_error)?
                }
            };
            let _ = self.session.set(Mutex::new(opened));
        }
        let session = self.session.get().expect("set above");
        Ok(session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// The items that hold `credential` for `account`, unlocked and
    /// locked, from their attributes alone: no session, nothing unlocked,
    /// no prompt.
    fn search(&self, credential: &str, account: &str) -> Result<Found, StoreError> {
        let reply = self
            .connection()?
            .call_method(
                Some("org.freedesktop.secrets"),
                "/org/freedesktop/secrets",
                Some("org.freedesktop.Secret.Service"),
                "SearchItems",
                &(attributes(credential, account),),
            )
            .map_err(|err| unavailable(&err.to_string()))?;
        reply
            .body()
            .deserialize()
            .map_err(|err| unavailable(&err.to_string()))
    }

    pub fn exists(&self, credential: &str, account: &str) -> Result<bool, StoreError> {
        let (unlocked, locked) = self.search(credential, account)?;
        match unlocked.len() + locked.len() {
            0 => Ok(false),
            1 => Ok(true),
            count => Err(ambiguous(credential, count)),
        }
    }

    /// The search needs no session: it runs while the session may still
    /// be opening ([`SecretServiceClient::open_session_early`]).
    pub fn get(&self, credential: &str, account: &str) -> Result<Option<Secret>, StoreError> {
        let (unlocked, locked) = self.search(credential, account)?;
        let (path, was_locked) = match (unlocked.len() + locked.len(), unlocked.first()) {
            (0, _) => return Ok(None),
            (1, Some(path)) => (path.clone(), false),
            (1, None) => (locked[0].clone(), true),
            (count, _) => return Err(ambiguous(credential, count)),
        };
        let session = self.session()?;
        let item = session.get_item_by_path(path).map_err(service_error)?;
        if was_locked {
            // Reading a secret may ask to unlock it, as keyring's store does.
            session.unlock_all(&[&item]).map_err(service_error)?;
        }
        let bytes = item.get_secret().map_err(service_error)?;
        match String::from_utf8(bytes) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(_) => Err(StoreError::Failed {
                store: NAME.to_owned(),
                credential: credential.to_owned(),
                detail: "the stored value is not UTF-8 text".to_owned(),
            }),
        }
    }

    /// Replaces the value of the one existing item, or creates one in the
    /// default collection with `label`.
    pub fn set(
        &self,
        credential: &str,
        account: &str,
        secret: &Secret,
        label: &str,
    ) -> Result<(), StoreError> {
        let session = self.session()?;
        let value = secret.expose().as_bytes();
        if let Some(item) = unique_item(&session, credential, account)? {
            return item.set_secret(value, CONTENT_TYPE).map_err(service_error);
        }
        let collection = session.get_default_collection().map_err(service_error)?;
        if collection.is_locked().map_err(service_error)? {
            collection.unlock().map_err(service_error)?;
        }
        collection
            .create_item(
                label,
                attributes(credential, account),
                value,
                true,
                CONTENT_TYPE,
            )
            .map(|_| ())
            .map_err(service_error)
    }

    pub fn delete(&self, credential: &str, account: &str) -> Result<bool, StoreError> {
        let session = self.session()?;
        let Some(item) = unique_item(&session, credential, account)? else {
            return Ok(false);
        };
        item.delete().map_err(service_error)?;
        Ok(true)
    }
}

/// The paths of the unlocked and the locked items a search found.
type Found = (Vec<OwnedObjectPath>, Vec<OwnedObjectPath>);

fn attributes<'a>(credential: &'a str, account: &'a str) -> HashMap<&'a str, &'a str> {
    HashMap::from([("service", credential), ("username", account)])
}

/// The one item of `credential`, unlocked (which may ask the user, as
/// reading a secret does); `None` when there is none.
fn unique_item<'s>(
    session: &'s SecretService<'static>,
    credential: &str,
    account: &str,
) -> Result<Option<Item<'s>>, StoreError> {
    let found = session
        .search_items(attributes(credential, account))
        .map_err(service_error)?;
    if !found.locked.is_empty() {
        let locked: Vec<&Item<'_>> = found.locked.iter().collect();
        session.unlock_all(&locked).map_err(service_error)?;
    }
    let mut items: Vec<Item<'s>> = found.unlocked.into_iter().chain(found.locked).collect();
    match items.len() {
        0 => Ok(None),
        1 => Ok(items.pop()),
        count => Err(ambiguous(credential, count)),
    }
}

fn ambiguous(credential: &str, count: usize) -> StoreError {
    StoreError::Ambiguous {
        store: NAME.to_owned(),
        credential: credential.to_owned(),
        count,
    }
}

fn unavailable(detail: &str) -> StoreError {
    StoreError::Unavailable {
        store: NAME.to_owned(),
        detail: explain(detail),
        hint: UNAVAILABLE_HINT.to_owned(),
    }
}

/// As keyring's store sorts them: a locked keyring (or a dismissed unlock
/// prompt) is "locked", anything else "cannot be reached".
fn service_error(err: secret_service::Error) -> StoreError {
    match err {
        secret_service::Error::Locked
        | secret_service::Error::NoResult
        | secret_service::Error::Prompt => StoreError::Locked {
            store: NAME.to_owned(),
            detail: err.to_string(),
            hint: LOCKED_HINT.to_owned(),
        },
        other => unavailable(&other.to_string()),
    }
}
