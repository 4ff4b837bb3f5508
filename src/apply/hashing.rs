//! The fingerprint of what apply writes, hashed on a thread of its own
//! while the backup and the temporary file are written (50 MB of
//! `~/.claude.json` take a while), and joined when the backup index must
//! record it: right before the rename.

/// The fingerprint of the new contents, hashed on a thread of its own
/// until the first time it is needed.
pub(super) enum Hashing<'scope> {
    Running(std::thread::ScopedJoinHandle<'scope, String>),
    Done(String),
    Taken,
}

impl Hashing<'_> {
    pub(super) fn fingerprint(&mut self) -> &str {
        if let Hashing::Running(_) = self {
            let Hashing::Running(thread) = std::mem::replace(self, Hashing::Taken) else {
                unreachable!("matched above")
            };
            *self = Hashing::Done(
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        match self {
            Hashing::Done(fingerprint) => fingerprint,
            _ => unreachable!("joined above"),
        }
    }

    pub(super) fn into_fingerprint(mut self) -> String {
        self.fingerprint().to_owned()
    }
}
