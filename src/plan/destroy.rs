//! `mcpctl destroy`: the plan that removes everything one manifest put
//! on this machine — offboarding.
//!
//! It is the ordinary reconciliation against a manifest that asks for
//! nothing: every entry the state says this manifest owns is deleted (or
//! forgotten, when already gone), its shell-profile blocks removed, the
//! exports `mcpctl env` serves for it dropped, and its audit settings
//! removed.
//! Entries of other manifests and entries nobody owns are untouched, by
//! the same rules as every plan. Credentials are removed from the store
//! only when asked (`--include-credentials`): a token may still be needed
//! elsewhere, and deleting it is the one step a person cannot undo with
//! `mcpctl rollback`.

use std::collections::BTreeMap;

use super::{
    CredentialAction, CredentialChange, Declared, Desired, DesiredFile, Holder, Options, Plan,
    Reason, compute,
};
use crate::observe::{Observed, Presence};

pub fn destroy(desired: &Desired, observed: &Observed, include_credentials: bool) -> Plan {
    let nothing = Desired {
        credentials: Vec::new(),
        files: desired
            .files
            .iter()
            .map(|f| DesiredFile {
                file: f.file.clone(),
                entries: BTreeMap::new(),
                reasons: BTreeMap::new(),
            })
            .collect(),
        blocks: Vec::new(),
        exports: BTreeMap::new(),
        audit: crate::manifest::AuditPolicy::default(),
        ..desired.clone()
    };
    let mut plan = compute(&nothing, observed, Options::default());
    // `compute` explains a deletion as the manifest's change ("no longer in
    // the manifest"); here the manifest is unchanged and destroy is why.
    for file in &mut plan.files {
        for entry in &mut file.entries {
            entry.reasons.retain(|reason| !reason.is_manifest_change());
        }
    }
    for export in &mut plan.exports {
        export.reasons.retain(|reason| !reason.is_manifest_change());
    }
    if include_credentials {
        plan.credentials = desired
            .credentials
            .iter()
            .filter(|c| c.source.is_store())
            .filter(|c| observed.credentials.get(&c.name) == Some(&Presence::Present))
            .map(|c| CredentialChange {
                name: c.name.clone(),
                holder: Holder::Store {
                    name: observed.store_name.clone(),
                },
                action: CredentialAction::Delete,
                declared: Declared::of(c),
                reasons: vec![Reason::DeletedFromStore],
                rotation: None,
            })
            .collect();
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::compute::tests::{Action, actions, desired, observed};
    use serde_json::json;

    #[test]
    fn removes_what_this_manifest_owns_and_only_with_consent_its_credentials() {
        let a = json!({"command": "a"});
        let mut want = desired(&[("mine", a.clone()), ("gone", a.clone())]);
        want.credentials = vec![crate::plan::compute::tests::credential("TOKEN")];
        let mut have = observed(
            &[("mine", a.clone()), ("foreign", a.clone())],
            &[("mine", &a), ("gone", &a)],
        );
        have.credentials.insert("TOKEN".into(), Presence::Present);
        let names = |plan: &Plan| actions(plan);
        let plan = destroy(&want, &have, false);
        assert!(
            plan.entries().all(|(_, c)| c.reasons.is_empty()),
            "{:?}",
            plan.files
        );
        assert_eq!(
            names(&plan),
            [
                ("gone".to_owned(), Action::Forget),
                ("mine".to_owned(), Action::Delete)
            ]
        );
        let plan = destroy(&want, &have, true);
        assert_eq!(names(&plan)[0], ("TOKEN".to_owned(), Action::Delete));
        assert_eq!(plan.summary().destroy, 2);
    }
}
