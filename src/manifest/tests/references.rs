//! References between nodes: credentials named by servers, clients named
//! by servers.

use super::*;

#[test]
fn unknown_credentials_suggest() {
    let source = with_head(
        "credential GITHUB_TOKEN\nserver s {\n    command x\n    credential GITHUB_TOKN\n}\n",
    );
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::UnknownCredential);
    assert_eq!(at(&source, &p, 0), "GITHUB_TOKN");
    assert!(p.help.unwrap().starts_with("did you mean `GITHUB_TOKEN`?"));

    let p = only(&with_head(
        "server s { command x; env A credential=NOPE }\n",
    ));
    assert_eq!(p.kind, ProblemKind::UnknownCredential);
    assert_eq!(
        p.help.as_deref(),
        Some("Declare it at the top level: `credential NOPE { kind … }`")
    );
    // A server may use a credential declared below it.
    ok(&with_head(
        "server s { command x; credential LATER }\ncredential LATER\n",
    ));
}

#[test]
fn unknown_clients_scopes_kinds_deliveries() {
    let p = only("mcpctl version=1\nclient claude\n");
    assert_eq!(p.kind, ProblemKind::UnknownClient);
    assert!(p.help.unwrap().starts_with("did you mean `claude-code`?"));
    let p = only("mcpctl version=1\nclient vs-code\n");
    assert!(p.help.unwrap().starts_with("did you mean `vscode`?"));

    let p = only("mcpctl version=1\nclient codex scope=projekt\n");
    assert_eq!(p.kind, ProblemKind::UnknownScope);
    assert!(p.help.unwrap().starts_with("did you mean `project`?"));

    let p = only(&with_head("credential A { kind pat }\n"));
    assert_eq!(p.kind, ProblemKind::UnknownKind);
    let p = only(&with_head("credential A { kind api_key }\n"));
    assert!(p.help.unwrap().starts_with("did you mean `api-key`?"));

    let p = only(&with_head("defaults { delivery exe }\n"));
    assert_eq!(p.kind, ProblemKind::UnknownDelivery);
    assert!(p.help.unwrap().starts_with("did you mean `exec`?"));

    // `clients` may only name targeted clients.
    let p = only(&with_head(
        "server s { command x; clients claude-code codex }\n",
    ));
    assert_eq!(p.kind, ProblemKind::UnknownClient);
    assert_eq!(p.message, "client `codex` is not targeted by this manifest");
    let p = only(&with_head("server s { command x; clients cursor }\n"));
    assert_eq!(p.kind, ProblemKind::UnknownClient);
}

#[test]
fn clients_without_targets() {
    let p = only("mcpctl version=1\nserver s { command x; clients codex }\n");
    assert_eq!(p.kind, ProblemKind::NoClients);
    assert_eq!(p.message, "the manifest targets no clients");
    assert!(p.help.unwrap().starts_with("add `client claude-code`"));
}

/// `clients claude-code, vscode`: KDL reads `claude-code,` as the name; the
/// help says how lists are written.
#[test]
fn a_client_list_with_commas_says_to_use_spaces() {
    let source = "mcpctl version=1\nclient claude-code\nclient vscode\n\
                  server s {\n    command x\n    clients claude-code, vscode\n}\n";
    let p = only(source);
    assert_eq!(p.kind, ProblemKind::UnknownClient);
    let help = p.help.unwrap();
    assert!(
        help.starts_with("did you mean `claude-code`? separate names with spaces, not commas;"),
        "{help}"
    );
}
