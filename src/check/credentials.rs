//! Every credential present and readable from its source, and within its
//! rotation period and expiry date.

use jiff::Timestamp;

use super::{Finding, Verdict};
use crate::host::Host;
use crate::manifest::Manifest;
use crate::plan::rotation;
use crate::source::Reference;
use crate::state::State;
use crate::store::{CredentialStore, Secret, StoreError};

/// Reads each credential from its source (`record` is told of each read,
/// for the audit trail, and shown the value read) and checks its rotation
/// status at `now`.
pub fn check(
    manifest: &Manifest,
    store: Result<&dyn CredentialStore, &StoreError>,
    state: &State,
    host: &Host,
    now: Timestamp,
    record: &mut dyn FnMut(&Reference, Option<&Secret>),
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for credential in manifest.credentials.values() {
        let name = &credential.name;
        let reference = Reference::for_credential(credential);
        // An unreachable store is fixed by starting it, not by `apply`
        // (which refuses then): its own hint is the fix.
        let mut store_hint = None;
        let read = match (reference.needs_store(), store) {
            (true, Err(err)) => {
                store_hint = miette::Diagnostic::help(err).map(|h| h.to_string());
                Err(err.to_string())
            }
            (true, Ok(store)) => reference
                .read(Some(store), host, credential.is_file())
                .map_err(|e| e.to_string()),
            (false, _) => reference
                .read(None, host, credential.is_file())
                .map_err(|e| e.to_string()),
        };
        record(&reference, read.as_ref().ok());
        match read {
            Ok(_) => findings.push(Finding::ok(
                "credential",
                name,
                format!("readable from {}", reference.describe()),
            )),
            Err(why) => {
                let fix = if let Some(hint) = store_hint {
                    hint
                } else if credential.source.is_store() {
                    format!("`mcpctl apply` asks for it (or `mcpctl rotate {name}`)")
                } else {
                    format!("make {} give the value", reference.describe())
                };
                findings.push(Finding::problem(
                    "credential",
                    Verdict::Fail,
                    name,
                    format!("cannot be read: {why}"),
                    fix,
                ));
                continue;
            }
        }
        if !credential.source.is_store() {
            continue; // mcpctl cannot know the age of a value it does not keep
        }
        let rotation = rotation(
            credential,
            state.credentials.get(name),
            manifest.defaults.warn_before,
            now,
        );
        let detail = rotation.describe(credential);
        let fix = format!("`mcpctl rotate {name}` stores a new value");
        findings.push(if rotation.status.is_failure() {
            Finding::problem("rotation", Verdict::Fail, name, detail, fix)
        } else if rotation.status.is_warning() {
            Finding::problem("rotation", Verdict::Warning, name, detail, fix)
        } else {
            Finding::ok("rotation", name, detail)
        });
    }
    findings
}
