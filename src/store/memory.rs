//! A credential store in memory, for the unit tests of logic that reads and
//! writes the store (rotate, revoke, apply) without a Secret Service.
//!
//! Compiled only for this crate's own tests (`#[cfg(test)]`), not behind a
//! feature for the integration tests: those run the `mcpctl` binary, which
//! must talk to the real store of the machine (the Secret Service that
//! `scripts/with-secret-service` starts), and a binary that could be built
//! with a fake store is one build flag away from shipping it. Logic is
//! tested here, in unit tests; the real backends keep their own tests.
//!
//! Besides holding values, the store can be told to fail
//! ([`MemoryStore::failing`]), so the error branches of the workflows can be
//! tested too. Values stay [`Secret`]s: the store never prints one.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{CredentialStore, Secret, StoreError};

/// Entries by credential name; `fail` makes every operation fail as a
/// locked store does.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: RefCell<BTreeMap<String, Secret>>,
    fail: bool,
}

impl MemoryStore {
    /// A store holding `entries` (credential name, value).
    pub fn with(entries: &[(&str, &str)]) -> MemoryStore {
        let store = MemoryStore::default();
        for (name, value) in entries {
            store
                .entries
                .borrow_mut()
                .insert((*name).to_owned(), Secret::new((*value).to_owned()));
        }
        store
    }

    /// A store on which every operation fails (locked).
    pub fn failing() -> MemoryStore {
        MemoryStore {
            fail: true,
            ..MemoryStore::default()
        }
    }

    /// The value held for `credential`, for assertions.
    pub fn value(&self, credential: &str) -> Option<String> {
        self.entries
            .borrow()
            .get(credential)
            .map(|secret| secret.expose().to_owned())
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.fail {
            return Err(StoreError::Locked {
                store: self.name().to_owned(),
                detail: "locked for the test".to_owned(),
                hint: "unlock it".to_owned(),
            });
        }
        Ok(())
    }
}

impl CredentialStore for MemoryStore {
    fn name(&self) -> &str {
        "memory store"
    }

    fn exists(&self, credential: &str) -> Result<bool, StoreError> {
        self.check()?;
        Ok(self.entries.borrow().contains_key(credential))
    }

    fn get(&self, credential: &str) -> Result<Option<Secret>, StoreError> {
        self.check()?;
        Ok(self
            .entries
            .borrow()
            .get(credential)
            .map(|secret| Secret::new(secret.expose().to_owned())))
    }

    fn set(&self, credential: &str, secret: &Secret, _label: &str) -> Result<(), StoreError> {
        self.check()?;
        self.entries.borrow_mut().insert(
            credential.to_owned(),
            Secret::new(secret.expose().to_owned()),
        );
        Ok(())
    }

    fn delete(&self, credential: &str) -> Result<bool, StoreError> {
        self.check()?;
        Ok(self.entries.borrow_mut().remove(credential).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_sets_and_deletes_values() {
        let store = MemoryStore::with(&[("A", "one")]);
        assert!(store.exists("A").unwrap());
        assert!(!store.exists("B").unwrap());
        store.set("B", &Secret::new("two".into()), "B").unwrap();
        assert_eq!(store.get("B").unwrap().unwrap().expose(), "two");
        assert!(store.delete("A").unwrap());
        assert!(!store.delete("A").unwrap());
        assert_eq!(store.value("A"), None);
    }

    #[test]
    fn a_failing_store_fails_every_operation() {
        let store = MemoryStore::failing();
        assert!(store.exists("A").is_err());
        assert!(store.get("A").is_err());
        assert!(store.set("A", &Secret::new("x".into()), "A").is_err());
        assert!(store.delete("A").is_err());
    }
}
