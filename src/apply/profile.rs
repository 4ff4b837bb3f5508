//! Writing mcpctl's block into a shell profile: the same re-check as for
//! client files. Right before the rename the profile is read again; if
//! another program changed it since the plan, the block is set on the new
//! text as long as the block itself is still what the plan saw.

use super::{ApplyError, Context, Hashing, settle, try_replace};
use crate::apply::Backups;
use crate::observe::{fingerprint, read_text};
use crate::plan::{Plan, ProfileChange, block_digest};
use crate::shell;

/// Carries out one shell-profile change; returns whether the file was
/// written.
pub(super) fn apply_profile(
    change: &ProfileChange,
    plan: &Plan,
    backups: &Backups,
    ctx: &mut Context<'_>,
) -> Result<bool, ApplyError> {
    let file = &change.file;
    let block = change.after.as_deref();
    let outcome = replace_block(file, block, change, plan, backups, ctx)
        .map(|written| written.map(|text| fingerprint(text.as_bytes())));
    let written = settle(backups, file, outcome)?;
    if written {
        (ctx.progress)(super::Progress::WroteFile {
            path: file.clone(),
            kept_foreign_change: false,
        });
    }
    Ok(written)
}

/// Sets the block in the profile; the text written, or `None` when the
/// profile already has it. An error leaves the profile as it was.
fn replace_block(
    file: &std::path::Path,
    block: Option<&str>,
    change: &ProfileChange,
    plan: &Plan,
    backups: &Backups,
    ctx: &Context<'_>,
) -> Result<Option<String>, ApplyError> {
    for _ in 0..super::ATTEMPTS {
        let current = read_text(file)?;
        let text = current.as_deref().unwrap_or_default();
        let now_block = shell::current_block(text, &plan.manifest).map(block_digest);
        if now_block != change.before_digest {
            return Err(ApplyError::ChangedSincePlan {
                path: file.to_path_buf(),
                server: "mcpctl shell block".to_owned(),
            });
        }
        let new_text = shell::with_block(text, &plan.manifest, block);
        if current.as_deref() == Some(new_text.as_str()) {
            return Ok(None);
        }
        let old = current.as_deref().map(str::as_bytes);
        let mut hashing = Hashing::Done(fingerprint(new_text.as_bytes()));
        let new = new_text.as_bytes();
        if try_replace(ctx.audit, backups, file, old, new, None, &mut hashing)?.is_some() {
            return Ok(Some(new_text));
        }
    }
    Err(ApplyError::KeepsChanging {
        path: file.to_path_buf(),
    })
}
