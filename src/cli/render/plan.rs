//! The human view of a plan, Terraform-style: one block per credential
//! store and per client file, a redacted unified diff per entry, a summary
//! line, and what to do next. Symbols carry the meaning (`+`, `~`, `-`,
//! `!`); colour only repeats it.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::{Style, display_path};
use std::collections::BTreeMap;

use crate::manifest::Credential;
use crate::plan::{Action, Change, Plan, RotationStatus, Target};
use crate::terminal_text::escape;

/// Where the plan is shown: `plan` ends with what to run next; `apply`
/// asks for confirmation instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Plan,
    /// `plan --out`: the caller says how to apply the saved plan.
    Saved,
    /// `plan --offline`: a plan for an empty machine, not this one.
    Offline,
    Apply,
    /// `import`: the caller lists the values it stores (with where each
    /// was found); the summary counts them.
    Import,
}

pub fn render(
    plan: &Plan,
    credentials_declared: &BTreeMap<String, Credential>,
    home: &Path,
    style: Style,
    context: View,
) -> String {
    let mut out = String::new();
    let credentials: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.target, Target::Credential { .. }))
        .collect();
    let stores: Vec<&str> = credentials
        .iter()
        .filter_map(|c| match &c.target {
            Target::Credential { store, .. } => Some(store.as_str()),
            Target::Entry { .. }
            | Target::ShellProfile { .. }
            | Target::EnvExport { .. }
            | Target::AuditSettings { .. } => None,
        })
        .collect();
    if let Some(first) = stores.first().filter(|_| context != View::Import) {
        // Credentials read from the environment or a secret manager say so
        // on their own line; the heading names the store when it is one.
        let heading = if stores.iter().all(|s| s == first) {
            format!("Credentials in the {first}:")
        } else {
            "Credentials:".to_owned()
        };
        let _ = writeln!(out, "{}", style.bold(&heading));
        for change in &credentials {
            render_credential(&mut out, change, credentials_declared, style);
        }
        out.push('\n');
    }

    let mut current_file: Option<&Path> = None;
    let mut unchanged = 0;
    for change in &plan.changes {
        let Target::Entry {
            client,
            scope,
            file,
            server,
            ..
        } = &change.target
        else {
            continue;
        };
        if matches!(change.action, Action::NoOp | Action::Forget) {
            unchanged += usize::from(change.action == Action::NoOp);
            continue;
        }
        if current_file != Some(file.as_path()) {
            if current_file.is_some() {
                out.push('\n');
            }
            let heading = format!("{client} ({scope} scope): {}", shown_file(plan, file, home));
            let _ = writeln!(out, "{}", style.bold(&heading));
            current_file = Some(file.as_path());
        }
        render_entry(&mut out, change, server, style);
    }
    if current_file.is_some() {
        out.push('\n');
    }
    for change in &plan.changes {
        let Target::ShellProfile { shell, file } = &change.target else {
            continue;
        };
        if change.action == Action::NoOp {
            unchanged += 1;
            continue;
        }
        let heading = format!("{shell} profile: {}", shown_file(plan, file, home));
        let _ = writeln!(out, "{}", style.bold(&heading));
        render_entry(&mut out, change, "mcpctl block", style);
        out.push('\n');
    }
    let exports: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.target, Target::EnvExport { .. }))
        .filter(|c| c.action != Action::NoOp)
        .collect();
    unchanged += plan
        .changes
        .iter()
        .filter(|c| matches!(c.target, Target::EnvExport { .. }) && c.action == Action::NoOp)
        .count();
    if !exports.is_empty() {
        let heading =
            "Exported by `mcpctl env` (the shell-profile block runs it at each shell start):";
        let _ = writeln!(out, "{}", style.bold(heading));
        for change in exports {
            render_export(&mut out, change, style);
        }
        out.push('\n');
    }
    for change in &plan.changes {
        let Target::AuditSettings { manifest } = &change.target else {
            continue;
        };
        let _ = writeln!(out, "{}", style.bold("Audit trail (this machine):"));
        let what = format!("audit settings of {}", display_path(manifest, home));
        render_entry(&mut out, change, &what, style);
        out.push('\n');
    }

    let summary = plan.summary();
    if summary.overdue + summary.due_soon > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.yellow(&format!(
                "Rotation: {} overdue or expired, {} due soon or expiring.",
                crate::words::count(summary.overdue, "credential"),
                summary.due_soon
            ))
        );
    }
    if !plan.has_changes() {
        let _ = writeln!(
            out,
            "No changes. The credential store and client files match the manifest{}.",
            if unchanged > 0 {
                format!(
                    " ({unchanged} {} up to date)",
                    if unchanged == 1 { "entry" } else { "entries" }
                )
            } else {
                String::new()
            }
        );
        return out;
    }
    let mut line = format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        summary.add, summary.change, summary.destroy
    );
    if summary.conflicts > 0 {
        let _ = write!(
            line,
            " {} left alone.",
            crate::words::count(summary.conflicts, "conflict")
        );
    }
    if summary.blocked > 0 {
        let _ = write!(line, " {} blocked by revocation.", summary.blocked);
    }
    if summary.unavailable > 0 {
        let _ = write!(
            line,
            " {} unknown: store unavailable.",
            crate::words::count(summary.unavailable, "credential")
        );
    }
    let _ = writeln!(out, "{}", style.bold(&line));
    match context {
        View::Apply | View::Import | View::Saved => return out,
        View::Offline => {
            let _ = writeln!(
                out,
                "This is the plan for an empty machine (nothing here was read); `mcpctl plan` shows this machine's."
            );
            return out;
        }
        View::Plan => {}
    }
    if summary.unavailable > 0 {
        // Why the store could not be asked, and where the fix is.
        let why = plan
            .changes
            .iter()
            .find(|c| c.action == Action::Unavailable)
            .and_then(|c| c.notes.get(1));
        if let Some(why) = why {
            let mut chars = why.trim_end_matches('.').chars();
            let why: String = chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            });
            let _ = writeln!(out, "{}.", escape(&why));
        }
        let _ = writeln!(
            out,
            "Make the credential store available (the hint on stderr says how), then run \
             `mcpctl plan` again."
        );
    } else if summary.add + summary.change + summary.destroy > 0 {
        let _ = writeln!(out, "Run `mcpctl apply` to make these changes.");
    } else if summary.conflicts > 0 {
        let _ = writeln!(
            out,
            "Run `mcpctl apply --adopt` to replace the conflicting entries with the manifest's."
        );
    }
    out
}

/// A file as the plan names it, with where a symbolic link really leads
/// (`~/repo/.mcp.json -> /elsewhere/mcp.json`): what is written is never
/// hidden behind a link.
fn shown_file(plan: &Plan, file: &Path, home: &Path) -> String {
    match plan.links.get(file) {
        Some(target) => format!(
            "{} -> {}",
            display_path(file, home),
            display_path(target, home)
        ),
        None => display_path(file, home),
    }
}

fn render_credential(
    out: &mut String,
    change: &Change,
    declared: &BTreeMap<String, Credential>,
    style: Style,
) {
    let Target::Credential { name, .. } = &change.target else {
        return;
    };
    let credential = declared.get(name);
    // `import` names credentials after variables in client files.
    let name = escape(name);
    match change.action {
        Action::NoOp => match (&change.rotation, credential) {
            (Some(rotation), Some(credential)) => {
                let (symbol, verdict) = match rotation.status {
                    RotationStatus::Expired => (style.red("!"), " EXPIRED"),
                    RotationStatus::Overdue => (style.red("!"), " OVERDUE"),
                    RotationStatus::Expiring => (style.yellow("!"), " expiring soon"),
                    RotationStatus::DueSoon => (style.yellow("!"), " due soon"),
                    _ => (style.dim("="), ""),
                };
                let _ = writeln!(
                    out,
                    "  {symbol} {name}: present{verdict}; {}",
                    rotation.describe(credential)
                );
                if rotation.status.is_failure() || rotation.status.is_warning() {
                    let hint = format!("hint: `mcpctl rotate {name}` stores a new value");
                    let _ = writeln!(out, "      {}", style.dim(&hint));
                }
            }
            _ if !change.notes.is_empty() => {
                let note = escape(&change.notes.join("; ")).into_owned();
                let _ = writeln!(out, "  {} {name}: {note}", style.dim("="));
            }
            _ => {
                let _ = writeln!(out, "  {} {name}: present", style.dim("="));
            }
        },
        Action::Create => {
            let _ = writeln!(
                out,
                "  {} {name} will be stored (apply asks for the value)",
                style.green("+")
            );
            if let Some(credential) = credential {
                let mut facts = vec![credential.kind.as_str().to_owned()];
                if !credential.scopes.is_empty() {
                    facts.push(format!("scopes: {}", credential.scopes.join(", ")));
                }
                let _ = writeln!(out, "      {}", facts.join("; "));
                if let Some(url) = &credential.create_at {
                    let _ = writeln!(out, "      create it at {url}");
                }
            }
        }
        Action::Delete => {
            let _ = writeln!(out, "  {} {name} will be deleted", style.red("-"));
            for note in &change.notes {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.dim(&format!("note: {}", escape(note)))
                );
            }
        }
        // The second note of an unknown credential says why, once, at the
        // end of the plan.
        Action::Unavailable => {
            let reason = escape(change.notes.first().map_or("", String::as_str)).into_owned();
            let _ = writeln!(out, "  {} {name}: {reason}", style.yellow("!"));
        }
        _ => {
            let reason = escape(&change.notes.join("; ")).into_owned();
            let _ = writeln!(out, "  {} {name}: {reason}", style.yellow("!"));
        }
    }
}

/// One variable `mcpctl env` starts, stops or changes exporting, with
/// where its value is read: a `source command` is shown as its exact
/// argv, since `env` runs it at every shell start.
fn render_export(out: &mut String, change: &Change, style: Style) {
    let Target::EnvExport { variable } = &change.target else {
        return;
    };
    let variable = escape(variable);
    let source = |v: &Option<Value>| v.as_ref().and_then(Value::as_str).map(describe_source);
    let (before, after) = (source(&change.before), source(&change.after));
    match (change.action, before, after) {
        (Action::Create, _, Some(after)) => {
            let _ = writeln!(
                out,
                "  {} {variable} will be exported, read from {after}",
                style.green("+")
            );
        }
        (Action::Update, Some(before), Some(after)) => {
            let _ = writeln!(
                out,
                "  {} {variable} will be read from a different source",
                style.yellow("~")
            );
            let _ = writeln!(out, "      {}", style.red(&format!("- {before}")));
            let _ = writeln!(out, "      {}", style.green(&format!("+ {after}")));
        }
        (Action::Delete, _, _) => {
            let _ = writeln!(
                out,
                "  {} {variable} will no longer be exported",
                style.red("-")
            );
            for note in &change.notes {
                let _ = writeln!(out, "      {}", style.dim(&format!("note: {note}")));
            }
        }
        _ => {}
    }
}

/// Where an export's value is read, from the text form of a reference:
/// "store entry `X`", "environment variable `X`", or the command's argv.
/// Escaped: the applied side comes from the state file, not the manifest.
fn describe_source(text: &str) -> String {
    escape(&source_words(text)).into_owned()
}

fn source_words(text: &str) -> String {
    match crate::source::Reference::parse(text) {
        Ok(reference) => match &reference.from {
            crate::source::From::Command { argv, timeout_secs } => format!(
                "the output of the command {} (stopped after {timeout_secs} s)",
                serde_json::to_string(argv).expect("strings serialize")
            ),
            _ => reference.describe(),
        },
        Err(_) => format!("`{text}`"),
    }
}

fn render_entry(out: &mut String, change: &Change, server: &str, style: Style) {
    let (symbol, what) = match change.action {
        Action::Create => (style.green("+"), "will be created"),
        Action::Update => (style.yellow("~"), "will be updated"),
        Action::Delete => (style.red("-"), "will be deleted"),
        Action::Adopt if change.writes() => (style.yellow("~"), "will be adopted and replaced"),
        Action::Adopt => (
            style.dim("="),
            "will be adopted (already as the manifest says)",
        ),
        // The note says whose entry it is; the headline must agree with it.
        Action::Conflict
            if change
                .notes
                .iter()
                .any(|n| n.starts_with("owned by another manifest")) =>
        {
            (
                style.red("!"),
                "conflicts with an entry another manifest owns",
            )
        }
        Action::Conflict => (
            style.red("!"),
            "conflicts with an entry mcpctl did not write",
        ),
        Action::Blocked => (style.red("!"), "is blocked and will not be created"),
        Action::Skip => (style.yellow("!"), "is left out of this client"),
        Action::NoOp | Action::Forget | Action::Unavailable => return,
    };
    // The name, notes and lines of an entry come from the client's file as
    // much as from the manifest: escaped, so a crafted entry cannot act on
    // the terminal the plan is read in.
    let _ = writeln!(out, "  {symbol} {} {what}", escape(server));
    for note in &change.notes {
        let _ = writeln!(
            out,
            "      {}",
            style.dim(&format!("note: {}", escape(note)))
        );
    }
    if let Some(note) = launcher_note(change) {
        let _ = writeln!(
            out,
            "      {}",
            style.dim(&format!("note: {}", escape(&note)))
        );
    }
    if change.action == Action::Blocked
        || change.action == Action::Skip
        || (change.action == Action::Adopt && !change.writes())
    {
        return;
    }
    // Shell blocks are text; entries are JSON.
    let show = |v: &Value| match v {
        Value::String(text) => text.clone(),
        other => pretty(other),
    };
    let before = change.before.as_ref().map(show).unwrap_or_default();
    let after = change.after.as_ref().map(show).unwrap_or_default();
    let diff = TextDiff::from_lines(&before, &after);
    for op in diff.ops() {
        for line in diff.iter_changes(op) {
            let text = escape(line.value().trim_end_matches('\n'));
            let rendered = match line.tag() {
                ChangeTag::Insert => style.green(&format!("+ {text}")),
                ChangeTag::Delete => style.red(&format!("- {text}")),
                ChangeTag::Equal => format!("  {text}"),
            };
            let _ = writeln!(out, "      {rendered}");
        }
    }
}

/// When an entry runs an mcpctl that no longer exists (moved or upgraded),
/// say so: the update is the fix.
fn launcher_note(change: &Change) -> Option<String> {
    let before = change.before.as_ref()?.get("command")?.as_str()?;
    let after = change.after.as_ref()?.get("command")?.as_str()?;
    let path = Path::new(before);
    let is_mcpctl = path.file_stem().is_some_and(|s| s == "mcpctl");
    (is_mcpctl && path.is_absolute() && before != after && !path.exists())
        .then(|| format!("`{before}` no longer exists; apply points the entry at `{after}`"))
}

/// Pretty JSON for diffs, with short arrays of scalars on one line so an
/// entry's `args` reads like the command line it is.
fn pretty(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0);
    out.push('\n');
    out
}

const INLINE_ARRAY_WIDTH: usize = 160;

fn write_pretty(out: &mut String, value: &Value, indent: usize) {
    let pad = |n: usize| "  ".repeat(n);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (key, item)) in map.iter().enumerate() {
                let key = serde_json::to_string(key).expect("json serializes");
                let _ = write!(out, "{}{key}: ", pad(indent + 1));
                write_pretty(out, item, indent + 1);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", pad(indent));
        }
        Value::Array(items) if !items.is_empty() => {
            let inline = serde_json::to_string(items).expect("json serializes");
            let scalars = items.iter().all(|v| !v.is_object() && !v.is_array());
            if scalars && inline.len() <= INLINE_ARRAY_WIDTH {
                out.push_str(&inline.replace("\",\"", "\", \""));
                return;
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write_pretty(out, item, indent + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}]", pad(indent));
        }
        other => out.push_str(&serde_json::to_string(other).expect("json serializes")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflict(note: &str) -> String {
        let change = Change {
            target: Target::Credential {
                name: "unused".to_owned(),
                store: "unused".to_owned(),
            },
            action: Action::Conflict,
            before: Some(serde_json::json!({"command": "a"})),
            after: Some(serde_json::json!({"command": "b"})),
            before_digest: None,
            notes: vec![note.to_owned()],
            rotation: None,
        };
        let mut out = String::new();
        render_entry(&mut out, &change, "github", Style { color: false });
        out
    }

    #[test]
    fn a_conflict_names_whose_entry_it_is() {
        let owned = conflict("owned by another manifest, `/other/mcpctl.kdl`");
        assert!(
            owned.contains("github conflicts with an entry another manifest owns"),
            "{owned}"
        );
        assert!(!owned.contains("did not write"), "{owned}");
        let foreign = conflict("an entry of this name was not written by mcpctl");
        assert!(
            foreign.contains("github conflicts with an entry mcpctl did not write"),
            "{foreign}"
        );
    }
}
