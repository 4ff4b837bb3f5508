//! Carrying out an import: the client files read once each, the values
//! found stored, and the entries rewritten by [`crate::apply`] — without
//! recording ownership (the entries stay the user's) and without keeping
//! backups (they would hold the plaintext import removes).

use std::collections::BTreeMap;
use std::path::Path;

use super::{ImportPlan, Move};
use crate::apply::{self, ApplyError, Context, Progress, SecretSource};
use crate::audit::AuditLog;
use crate::client::ClientFile;
use crate::document::{Document, DocumentError};
use crate::host::Host;
use crate::manifest::Credential;
use crate::observe::{Documents, read_text};
use crate::plan::{CredentialAction, CredentialChange, Declared, Holder, Plan};
use crate::scan::{ScanTarget, client_files};
use crate::state::State;
use crate::store::{CredentialStore, Secret};
use crate::workflow::WorkflowError;

/// The client files of this machine and of the project in `project_root`
/// that exist, each read once however many tables it holds (Claude Code's
/// user and local scopes share `~/.claude.json`): the changes to all of
/// them are planned from, and applied to, that one text.
#[derive(Debug, Default)]
pub struct ClientTexts {
    pub texts: Documents,
    pub files: Vec<ClientFile>,
}

impl ClientTexts {
    pub fn read(host: &Host, project_root: &Path) -> Result<ClientTexts, DocumentError> {
        let mut read = ClientTexts::default();
        for target in client_files(host, project_root) {
            let ScanTarget::Client { file, .. } = target else {
                continue;
            };
            if !read.texts.contains_key(&file.path) {
                let Some(text) = read_text(&file.path)? else {
                    continue;
                };
                let document = Document::parse(&file.path, text, file.format)?;
                read.texts.insert(file.path.clone(), document);
            }
            read.files.push(file);
        }
        Ok(read)
    }

    /// Each table with the text of its file.
    pub fn tables(&self) -> Vec<(ClientFile, &Document)> {
        self.files
            .iter()
            .filter_map(|file| self.texts.get(&file.path).map(|text| (file.clone(), text)))
            .collect()
    }
}

impl ImportPlan {
    /// The plan as carried out: the values to store in `store`, first,
    /// then the entry changes.
    pub fn with_values(&self, store: &str) -> Plan {
        let mut plan = self.plan.clone();
        for m in self.moves.iter().filter(|m| !m.present) {
            plan.credentials
                .insert(0, stored_change(&m.credential, store));
        }
        plan
    }

    /// Stores the values found (those the store does not hold yet) and
    /// rewrites the entries in `texts`, the texts the plan was made from,
    /// telling `progress`, at the command's time (`audit`'s).
    pub fn carry_out(
        mut self,
        store: &dyn CredentialStore,
        state_dir: &Path,
        audit: &AuditLog,
        project_root: &Path,
        texts: Documents,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<apply::Report, WorkflowError> {
        let plan = self.with_values(store.name());
        let mut found = Found(BTreeMap::new());
        for Move {
            credential,
            secret,
            present,
            ..
        } in self.moves.drain(..)
        {
            if !present {
                found.0.insert(credential.name, secret);
            }
        }
        Ok(apply::apply(
            &plan,
            Context {
                store,
                secrets: &mut found,
                state_dir,
                state: State::load(state_dir)?,
                audit,
                progress,
                files: &self.files,
                // Import changes no shell profile; its project files are the
                // current directory's.
                profiles: &[],
                project_root,
                documents: texts,
                record_ownership: false,
                keep_backups: false,
                now: audit.now(),
            },
        )?)
    }
}

/// Storing the value of `credential` in the store.
fn stored_change(credential: &Credential, store: &str) -> CredentialChange {
    CredentialChange {
        name: credential.name.clone(),
        holder: Holder::Store {
            name: store.to_owned(),
        },
        action: CredentialAction::Create,
        declared: Declared::of(credential),
        reasons: Vec::new(),
        rotation: None,
    }
}

/// The values found in the files, by credential name.
struct Found(BTreeMap<String, Secret>);

impl SecretSource for Found {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError> {
        self.0
            .remove(&credential.name)
            .ok_or_else(|| ApplyError::MissingSecret {
                credential: credential.name.clone(),
                hint: "run `mcpctl import` again".to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adopt::import::{Collision, Options, Resolve, plan};
    use crate::client::Launcher;
    use crate::manifest::Delivery;
    use crate::secret_patterns::test_random;
    use crate::store::{MemoryStore, StoreError};
    use crate::workflow::tests::{Sandbox, audit, records};

    struct Never;

    impl Resolve for Never {
        fn rename(&mut self, _: &Collision) -> Option<String> {
            None
        }
    }

    /// Imports from Cursor's file holding `token` in plain text, with
    /// `store`; the text of the file afterwards.
    fn import(sandbox: &Sandbox, store: &MemoryStore, token: &str) -> (apply::Report, String) {
        let path = sandbox.cursor_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!(
            r#"{{"mcpServers": {{"github": {{"command": "npx", "env": {{"GITHUB_TOKEN": "{token}"}}}}}}}}"#
        );
        std::fs::write(&path, text).unwrap();
        let read = ClientTexts::read(&sandbox.host, &sandbox.loaded.root).unwrap();
        let renames = BTreeMap::new();
        let stored = |name: &str| -> Result<Option<Secret>, StoreError> { store.get(name) };
        let options = Options {
            delivery: Delivery::Exec,
            renames: &renames,
            launcher: &|_| Launcher::bare(),
            stored: &stored,
        };
        let imported = plan(&read.tables(), &options, &mut Never, Default::default()).unwrap();
        let report = imported
            .carry_out(
                store,
                &sandbox.state_dir,
                &audit(&sandbox.state_dir, "import"),
                &sandbox.loaded.root,
                read.texts,
                &mut |_| {},
            )
            .unwrap();
        (report, sandbox.cursor_file())
    }

    #[test]
    fn stores_the_value_and_rewrites_the_entry_without_owning_it_or_keeping_a_copy() {
        let sandbox = Sandbox::new();
        let token = format!("ghp_{}", test_random(3, 36));
        let store = MemoryStore::default();

        let (report, file) = import(&sandbox, &store, &token);

        assert_eq!(report.credentials_stored, 1);
        assert_eq!(report.files_written, 1);
        assert_eq!(store.value("GITHUB_TOKEN").as_deref(), Some(token.as_str()));
        assert!(!file.contains(&token), "{file}");
        assert!(file.contains("GITHUB_TOKEN"), "{file}");
        assert!(sandbox.state().entries.is_empty());
        assert_eq!(report.backup, None);
        assert!(!sandbox.state_dir.join("backups").exists());
        let trail = records(&audit(&sandbox.state_dir, "import"));
        assert!(
            trail.contains(&"store.write GITHUB_TOKEN - ok".to_owned()),
            "{trail:?}"
        );
        assert!(trail.iter().all(|r| !r.contains(&token)), "{trail:?}");
    }

    #[test]
    fn a_value_the_store_holds_already_is_not_stored_again() {
        let sandbox = Sandbox::new();
        let token = format!("ghp_{}", test_random(5, 36));
        let store = MemoryStore::with(&[("GITHUB_TOKEN", &token)]);

        let (report, file) = import(&sandbox, &store, &token);

        assert_eq!(report.credentials_stored, 0);
        assert!(!file.contains(&token), "{file}");
        let trail = records(&audit(&sandbox.state_dir, "import"));
        assert!(
            trail.iter().all(|r| !r.starts_with("store.write")),
            "{trail:?}"
        );
    }
}
