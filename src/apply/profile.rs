//! Writing mcpctl's block into a shell profile: the same re-check as for
//! client files. Right before the rename the profile is read again; if
//! another program changed it since the plan, the block is set on the new
//! text as long as the block itself is still what the plan saw.

use super::{ApplyError, Context, audit};
use crate::apply::Backups;
use crate::observe::{fingerprint, read_text};
use crate::plan::{Change, Plan, Target};
use crate::shell;
use crate::state::entry_digest;

/// Carries out one shell-profile change; returns whether the file was
/// written.
pub(super) fn apply_profile(
    change: &Change,
    plan: &Plan,
    backups: &Backups,
    ctx: &mut Context<'_>,
) -> Result<bool, ApplyError> {
    let Target::ShellProfile { file, .. } = &change.target else {
        return Ok(false);
    };
    let block = change.after.as_ref().and_then(|v| v.as_str());
    for _ in 0..super::ATTEMPTS {
        let current = read_text(file)?;
        let text = current.as_deref().unwrap_or_default();
        let now_block = shell::current_block(text, &plan.manifest)
            .map(|b| entry_digest(&serde_json::Value::String(b.to_owned())));
        if now_block != change.before_digest {
            return Err(ApplyError::ChangedSincePlan {
                path: file.clone(),
                server: "mcpctl shell block".to_owned(),
            });
        }
        let new_text = shell::with_block(text, &plan.manifest, block);
        if current.as_deref() == Some(new_text.as_str()) {
            return Ok(false);
        }
        backups.save(file, current.as_deref().map(str::as_bytes))?;
        let replaced = crate::fs::write_atomic_checked(file, new_text.as_bytes(), || {
            backups.still_current(file, current.as_deref().map(str::as_bytes))
        })
        .map_err(|source| ApplyError::Write {
            path: file.clone(),
            source,
        });
        audit(
            ctx.audit,
            "file.write",
            &file.display().to_string(),
            None,
            matches!(replaced, Ok(true)),
        )?;
        if replaced? {
            backups.wrote(file, fingerprint(new_text.as_bytes()))?;
            (ctx.progress)(super::Progress::WroteFile {
                path: file.clone(),
                kept_foreign_change: false,
            });
            return Ok(true);
        }
    }
    Err(ApplyError::KeepsChanging { path: file.clone() })
}
