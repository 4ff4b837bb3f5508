//! The human view of a plan, Terraform-style: one block per credential
//! store and per client file, a redacted unified diff per entry, a summary
//! line, and what to do next. Symbols carry the meaning (`+`, `~`, `-`,
//! `!`); colour only repeats it.

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::{Style, display_path, reason};
use crate::plan::{
    AuditAction, AuditShown, CredentialAction, CredentialChange, EntryAction, EntryChange,
    ExportAction, ExportChange, Holder, Plan, ProfileAction, Reason, RotationStatus,
};
use crate::terminal_text::escape;

/// Where the plan is shown: `plan` ends with what to run next; `apply`
/// asks for confirmation instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View<'a> {
    /// `plan`: it ends with the command that applies it.
    Plan {
        /// `mcpctl apply` with the plan's own `-f` and `--target`s, so the
        /// suggestion applies what was shown (`--adopt` is added by `adopt`).
        apply: &'a str,
        /// The plan was made with `--adopt`.
        adopt: bool,
    },
    /// `plan --out`: the caller says how to apply the saved plan.
    Saved,
    /// `plan --offline`: a plan for an empty machine, not this one.
    Offline,
    Apply,
    /// `import`: the caller lists the values it stores (with where each
    /// was found); the summary counts them.
    Import,
}

pub fn render(plan: &Plan, home: &Path, style: Style, context: View<'_>) -> String {
    let mut out = String::new();
    let stores: Vec<String> = plan
        .credentials
        .iter()
        .map(|c| match &c.holder {
            Holder::Store { name } => name.clone(),
            Holder::Environment => "environment".to_owned(),
            Holder::SecretManager => "secret manager".to_owned(),
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
        for change in &plan.credentials {
            render_credential(&mut out, change, style);
        }
        out.push('\n');
    }

    let mut current_file: Option<&Path> = None;
    let mut unchanged = 0;
    for (file, change) in plan.entries() {
        if matches!(change.action, EntryAction::NoOp | EntryAction::Forget) {
            unchanged += usize::from(change.action == EntryAction::NoOp);
            continue;
        }
        if current_file != Some(file.path.as_path()) {
            if current_file.is_some() {
                out.push('\n');
            }
            let heading = format!(
                "{} ({} scope): {}",
                file.client,
                file.scope,
                shown_file(plan, &file.path, home)
            );
            let _ = writeln!(out, "{}", style.bold(&heading));
            current_file = Some(file.path.as_path());
        }
        render_entry(&mut out, change, style);
    }
    if current_file.is_some() {
        out.push('\n');
    }
    for change in &plan.profiles {
        if change.action == ProfileAction::NoOp {
            unchanged += 1;
            continue;
        }
        let heading = format!(
            "{} profile: {}",
            change.shell,
            shown_file(plan, &change.file, home)
        );
        let _ = writeln!(out, "{}", style.bold(&heading));
        let (symbol, what) = match change.action {
            ProfileAction::Create => (style.green("+"), "will be created"),
            ProfileAction::Update => (style.yellow("~"), "will be updated"),
            ProfileAction::Delete | ProfileAction::NoOp => (style.red("-"), "will be deleted"),
        };
        let diff = (
            change.before.clone().unwrap_or_default(),
            change.after.clone().unwrap_or_default(),
        );
        let lines = Lines {
            symbol,
            what,
            reasons: &change.reasons,
            launcher: None,
            diff: Some(diff),
        };
        lines.write(&mut out, "mcpctl block", style);
        out.push('\n');
    }
    let exports: Vec<&ExportChange> = plan
        .exports
        .iter()
        .filter(|c| c.action != ExportAction::NoOp)
        .collect();
    unchanged += plan.exports.len() - exports.len();
    if !exports.is_empty() {
        // Without a shell-profile block nothing runs `mcpctl env` for the
        // user: say what to run instead.
        let block = plan
            .profiles
            .iter()
            .any(|p| p.action != ProfileAction::Delete);
        let heading = if block {
            "Exported by `mcpctl env` (the shell-profile block runs it at each shell start):"
        } else {
            "Exported by `mcpctl env` (no shell-profile block runs it: add `shell-profile` to the manifest, or run it yourself as `mcpctl check` shows):"
        };
        let _ = writeln!(out, "{}", style.bold(heading));
        for change in exports {
            render_export(&mut out, change, style);
        }
        out.push('\n');
    }
    if let Some(change) = &plan.audit {
        let _ = writeln!(out, "{}", style.bold("Audit trail (this machine):"));
        let what = format!("audit settings of {}", display_path(&plan.manifest, home));
        let (symbol, verb) = match change.action {
            AuditAction::Create => (style.green("+"), "will be created"),
            AuditAction::Update => (style.yellow("~"), "will be updated"),
            AuditAction::Delete => (style.red("-"), "will be deleted"),
        };
        let shown = |settings: &Option<AuditShown>| {
            settings.as_ref().map_or_else(String::new, |settings| {
                pretty(&serde_json::to_value(settings).expect("settings serialize"))
            })
        };
        let lines = Lines {
            symbol,
            what: verb,
            reasons: &change.reasons,
            launcher: None,
            diff: Some((shown(&change.before), shown(&change.after))),
        };
        lines.write(&mut out, &what, style);
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
            "No changes. The credential store and client files match the manifest{}{}.",
            if summary.blocked > 0 {
                format!(", except {}", blocked_by_revocation(plan))
            } else {
                String::new()
            },
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
    let (apply, adopt) = match context {
        View::Apply | View::Import | View::Saved => return out,
        View::Offline => {
            let _ = writeln!(
                out,
                "This is the plan for an empty machine (nothing here was read); `mcpctl plan` shows this machine's."
            );
            return out;
        }
        View::Plan { apply, adopt } => (apply, adopt),
    };
    if summary.unavailable > 0 {
        // Why the store could not be asked, and where the fix is.
        let why = plan
            .credentials
            .iter()
            .find(|c| c.action == CredentialAction::Unavailable)
            .and_then(|c| reason::store_error(&c.reasons));
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
        let adopt = if adopt { " --adopt" } else { "" };
        let _ = writeln!(out, "Run `{apply}{adopt}` to make these changes.");
    } else if summary.conflicts > 0 {
        let _ = writeln!(
            out,
            "Run `{apply} --adopt` to replace the conflicting entries with the manifest's."
        );
    }
    out
}

/// What a revocation holds back, for a plan that otherwise has nothing to
/// do: "1 entry blocked by the revocation of `GITHUB_TOKEN` (`mcpctl rotate
/// GITHUB_TOKEN` lifts it)".
fn blocked_by_revocation(plan: &Plan) -> String {
    let revoked: Vec<String> = plan
        .credentials
        .iter()
        .filter(|c| c.action == CredentialAction::Blocked)
        .map(|c| escape(&c.name).into_owned())
        .collect();
    let entries = plan
        .entries()
        .filter(|(_, c)| c.action == EntryAction::Blocked)
        .count();
    let lift = match revoked.as_slice() {
        [one] => format!(" (`mcpctl rotate {one}` lifts it)"),
        _ => " (`mcpctl rotate NAME` lifts each)".to_owned(),
    };
    format!(
        "{} blocked by the revocation of {}{lift}",
        crate::words::count(entries, "entry"),
        crate::words::names(&revoked)
    )
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

fn render_credential(out: &mut String, change: &CredentialChange, style: Style) {
    // `import` names credentials after variables in client files.
    let name = escape(&change.name);
    match change.action {
        CredentialAction::NoOp => match &change.rotation {
            Some(rotation) => {
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
                    rotation.describe(&change.credential())
                );
                if rotation.status.is_failure() || rotation.status.is_warning() {
                    let hint = format!("hint: `mcpctl rotate {name}` stores a new value");
                    let _ = writeln!(out, "      {}", style.dim(&hint));
                }
            }
            _ if !change.reasons.is_empty() => {
                let note = escape(&reason::joined(&change.reasons)).into_owned();
                let _ = writeln!(out, "  {} {name}: {note}", style.dim("="));
            }
            _ => {
                let _ = writeln!(out, "  {} {name}: present", style.dim("="));
            }
        },
        CredentialAction::Create => {
            let _ = writeln!(
                out,
                "  {} {name} will be stored (apply asks for the value)",
                style.green("+")
            );
            let declared = &change.declared;
            let mut facts = vec![declared.kind.as_str().to_owned()];
            if !declared.scopes.is_empty() {
                facts.push(format!("scopes: {}", declared.scopes.join(", ")));
            }
            let _ = writeln!(out, "      {}", facts.join("; "));
            if let Some(url) = &declared.create_at {
                let _ = writeln!(out, "      create it at {url}");
            }
        }
        CredentialAction::Delete => {
            let _ = writeln!(out, "  {} {name} will be deleted", style.red("-"));
            for note in change.reasons.iter().map(reason::words) {
                let _ = writeln!(
                    out,
                    "      {}",
                    style.dim(&format!("note: {}", escape(&note)))
                );
            }
        }
        // The store's error is said once, at the end of the plan.
        CredentialAction::Unavailable => {
            let summary = change.reasons.iter().find_map(|r| match r {
                Reason::StoreUnavailable { summary, .. } => Some(summary.as_str()),
                _ => None,
            });
            let summary = escape(summary.unwrap_or("")).into_owned();
            let _ = writeln!(out, "  {} {name}: {summary}", style.yellow("!"));
        }
        CredentialAction::Blocked => {
            let why = escape(&reason::joined(&change.reasons)).into_owned();
            let _ = writeln!(out, "  {} {name}: {why}", style.yellow("!"));
        }
    }
}

/// One variable `mcpctl env` starts, stops or changes exporting, with
/// where its value is read: a `source command` is shown as its exact
/// argv, since `env` runs it at every shell start.
fn render_export(out: &mut String, change: &ExportChange, style: Style) {
    let variable = escape(&change.variable);
    let source = |v: &Option<String>| v.as_deref().map(describe_source);
    let (before, after) = (source(&change.before), source(&change.after));
    match (change.action, before, after) {
        (ExportAction::Create, _, Some(after)) => {
            let _ = writeln!(
                out,
                "  {} {variable} will be exported, read from {after}",
                style.green("+")
            );
        }
        (ExportAction::Update, Some(before), Some(after)) => {
            let _ = writeln!(
                out,
                "  {} {variable} will be read from a different source",
                style.yellow("~")
            );
            let _ = writeln!(out, "      {}", style.red(&format!("- {before}")));
            let _ = writeln!(out, "      {}", style.green(&format!("+ {after}")));
        }
        (ExportAction::Delete, _, _) => {
            let _ = writeln!(
                out,
                "  {} {variable} will no longer be exported",
                style.red("-")
            );
            for note in change.reasons.iter().map(reason::words) {
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

fn render_entry(out: &mut String, change: &EntryChange, style: Style) {
    let (symbol, what) = match change.action {
        EntryAction::Create => (style.green("+"), "will be created"),
        EntryAction::Update => (style.yellow("~"), "will be updated"),
        EntryAction::Delete => (style.red("-"), "will be deleted"),
        EntryAction::Adopt if change.writes() => {
            (style.yellow("~"), "will be adopted and replaced")
        }
        EntryAction::Adopt => (
            style.dim("="),
            "will be adopted (already as the manifest says)",
        ),
        // The reason says whose entry it is; the headline must agree.
        EntryAction::Conflict
            if change
                .reasons
                .iter()
                .any(|r| matches!(r, Reason::OwnedByOtherManifest { .. })) =>
        {
            (
                style.red("!"),
                "conflicts with an entry another manifest owns",
            )
        }
        EntryAction::Conflict => (
            style.red("!"),
            "conflicts with an entry mcpctl did not write",
        ),
        EntryAction::Blocked => (style.red("!"), "is blocked and will not be created"),
        EntryAction::Skip => (style.yellow("!"), "is left out of this client"),
        EntryAction::NoOp | EntryAction::Forget => return,
    };
    let diff = !(matches!(change.action, EntryAction::Blocked | EntryAction::Skip)
        || (change.action == EntryAction::Adopt && !change.writes()));
    // Entries are JSON (a string shown as its text).
    let show = |v: &Value| match v {
        Value::String(text) => text.clone(),
        other => pretty(other),
    };
    let lines = Lines {
        symbol,
        what,
        reasons: &change.reasons,
        launcher: launcher_note(change),
        diff: diff.then(|| {
            (
                change.before.as_ref().map(show).unwrap_or_default(),
                change.after.as_ref().map(show).unwrap_or_default(),
            )
        }),
    };
    lines.write(out, &change.server, style);
}

/// One change as the plan shows it: a headline, its reasons as notes, and
/// a diff of its text.
struct Lines<'a> {
    symbol: String,
    what: &'a str,
    reasons: &'a [Reason],
    /// A note of the view's own (an entry running an mcpctl that is gone).
    launcher: Option<String>,
    /// The text before and after, when shown.
    diff: Option<(String, String)>,
}

impl Lines<'_> {
    fn write(self, out: &mut String, name: &str, style: Style) {
        // The name, notes and lines of an entry come from the client's file
        // as much as from the manifest: escaped, so a crafted entry cannot
        // act on the terminal the plan is read in.
        let _ = writeln!(out, "  {} {} {}", self.symbol, escape(name), self.what);
        let notes = self.reasons.iter().map(reason::words).chain(self.launcher);
        for note in notes {
            let _ = writeln!(
                out,
                "      {}",
                style.dim(&format!("note: {}", escape(&note)))
            );
        }
        let Some((before, after)) = self.diff else {
            return;
        };
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
}

/// When an entry runs an mcpctl that no longer exists (moved or upgraded),
/// say so: the update is the fix.
fn launcher_note(change: &EntryChange) -> Option<String> {
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

    fn conflict(reason: Reason) -> String {
        let change = EntryChange {
            server: "github".to_owned(),
            action: EntryAction::Conflict,
            before: Some(serde_json::json!({"command": "a"})),
            after: Some(serde_json::json!({"command": "b"})),
            before_digest: None,
            reasons: vec![reason],
        };
        let mut out = String::new();
        render_entry(&mut out, &change, Style { color: false });
        out
    }

    #[test]
    fn a_conflict_names_whose_entry_it_is() {
        let owned = conflict(Reason::OwnedByOtherManifest {
            manifest: "/other/mcpctl.kdl".into(),
        });
        assert!(
            owned.contains("github conflicts with an entry another manifest owns"),
            "{owned}"
        );
        assert!(!owned.contains("did not write"), "{owned}");
        let foreign = conflict(Reason::ForeignLeftAlone);
        assert!(
            foreign.contains("github conflicts with an entry mcpctl did not write"),
            "{foreign}"
        );
    }
}
