//! The words for a plan's [`Reason`]s: the one place a reason becomes
//! prose, so the plan itself stays data (saved, compared, shown later).

use crate::client::RenderNote;
use crate::plan::Reason;

/// One reason as a person reads it (not yet escaped for the terminal).
pub fn words(reason: &Reason) -> String {
    match reason {
        Reason::Client { note } => client_note(note),
        Reason::Revoked { credential, on } => {
            format!("revoked on {on}; `mcpctl rotate {credential}` supplies a new value")
        }
        Reason::NotInStore => "not in the store: apply asks for the value".to_owned(),
        Reason::StoreUnavailable { summary, .. } => summary.clone(),
        Reason::FromEnvironment {
            variable,
            set: true,
        } => format!("read at launch from environment variable `{variable}` (set here)"),
        Reason::FromEnvironment {
            variable,
            set: false,
        } => format!(
            "read at launch from environment variable `{variable}`, which is not set here: servers that need it will not start"
        ),
        Reason::FromCommand { argv } => format!("read at launch from `{}`", argv.join(" ")),
        Reason::DeletedFromStore => {
            "deleted from the store; revoke it at its provider too, or `mcpctl revoke` next time"
                .to_owned()
        }
        Reason::BlockedByRevoked { credential } => format!(
            "blocked: credential `{credential}` was revoked (hint: `mcpctl rotate {credential}`, then `mcpctl apply`)"
        ),
        Reason::IdenticalEntry => {
            "an identical entry is already there; mcpctl takes ownership of it".to_owned()
        }
        Reason::ChangedOutsideMcpctl => {
            "changed outside mcpctl since the last apply; apply replaces that change".to_owned()
        }
        Reason::OwnedByOtherManifest { manifest } => {
            format!("owned by another manifest, `{}`", manifest.display())
        }
        Reason::ForeignReplaced => "written by someone else; --adopt replaces it".to_owned(),
        Reason::ForeignLeftAlone => "an entry of this name was not written by mcpctl; it is left \
             alone (hint: `mcpctl apply --adopt` replaces it with the manifest's)"
            .to_owned(),
        Reason::NoLongerInManifest => "no longer in the manifest".to_owned(),
        Reason::ReferenceRewritten {
            field,
            from,
            to,
            client,
        } => format!("{field}: `{from}` becomes `{to}`, the form {client} resolves"),
        Reason::ProfileNoLongerWanted => {
            "the manifest no longer asks for this shell profile".to_owned()
        }
        Reason::ExportSourceChanged => "its value will be read from a different source".to_owned(),
        Reason::ExportNoLongerReferenced => {
            "no env-ref client of the manifest references it any more".to_owned()
        }
        Reason::Forwarding { url, alerts_only } => format!(
            "exec will send {} of this manifest's servers to {url}",
            if *alerts_only {
                "the alerts about launches"
            } else {
                "a record of every launch"
            }
        ),
        Reason::Retention { days } => format!(
            "records older than {days}d will be deleted from the audit trail, unless another applied manifest keeps them longer"
        ),
    }
}

/// Several reasons on one line, as a credential's line shows them.
pub fn joined(reasons: &[Reason]) -> String {
    reasons.iter().map(words).collect::<Vec<_>>().join("; ")
}

/// Why the store could not be asked, in full: said once, at the end of
/// the plan.
pub fn store_error(reasons: &[Reason]) -> Option<&str> {
    reasons.iter().find_map(|reason| match reason {
        Reason::StoreUnavailable { detail, .. } => Some(detail.as_str()),
        _ => None,
    })
}

/// What a client's adapter said about an entry, in words.
fn client_note(note: &RenderNote) -> String {
    match note {
        RenderNote::KeepsExec { client } => format!(
            "{client} resolves no environment variables in its configuration, so this entry keeps `exec` delivery"
        ),
        RenderNote::RemoteOnlyInApp { client } => format!(
            "{client} reads no remote servers from its configuration file; add this one in the app"
        ),
        RenderNote::ListingShowsSecrets { command } => {
            format!("`{command}` prints referenced values expanded: the secret shows on screen")
        }
        RenderNote::CannotRename { renamed } => {
            let renamed: Vec<String> = renamed
                .iter()
                .map(|(credential, var)| format!("{credential} → {var}"))
                .collect();
            format!(
                "Codex forwards variables by name only (`env_vars`) and cannot rename {}, so this entry keeps `exec` delivery",
                renamed.join(", ")
            )
        }
        RenderNote::WouldExpand { client, field } => format!(
            "{client} would expand the `$` text in this server's `{field}` (a variable, or a command it would run) instead of passing it on as written; left out of this client"
        ),
        RenderNote::HeaderScheme { header, scheme } => format!(
            "Codex sends a header from a variable only as its whole value or as `Authorization: Bearer`, not `{header}: {scheme} …`; left out of this client"
        ),
    }
}
