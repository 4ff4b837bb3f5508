//! Tests of what a team at scale writes in its manifest: the required
//! mcpctl version, roles and variables, classifications and the policy
//! block, each with the diagnostic a person sees.

use super::tests::{at, only, problems, render};
use super::*;

#[test]
fn required_version_refuses_an_older_mcpctl_with_the_upgrade_hint() {
    let running = env!("CARGO_PKG_VERSION");
    let source = "mcpctl version=1 required-version=\">=99.0\"\nbogus\n";
    let p = only(source);
    assert_eq!(p.kind, ProblemKind::Version);
    let err = parse("mcpctl.kdl", source).unwrap_err();
    insta::assert_snapshot!(
        "required_version",
        render(&err).replace(running, "<running>")
    );
    // This build satisfies its own version; a bad requirement is named.
    parse(
        "mcpctl.kdl",
        &format!("mcpctl version=1 required-version=\">={running}\"\n"),
    )
    .unwrap();
    let p = only("mcpctl version=1 required-version=\"at least two\"\n");
    assert_eq!(p.kind, ProblemKind::Arguments);
    assert!(p.message.contains("not a version requirement"), "{p:?}");
}

const ROLES_BASE: &str = r#"mcpctl version=1
server github {
    command npx -y "@modelcontextprotocol/server-github"
}
server docs {
    url "https://docs.example.com/mcp"
}
"#;

#[test]
fn roles_grant_declared_servers_and_every_server_is_in_one() {
    let manifest = parse(
        "mcpctl.kdl",
        &format!(
            "{ROLES_BASE}role developer {{\n    description \"dev\"\n    servers github docs\n}}\nrole audit {{\n    servers docs\n}}\n"
        ),
    )
    .unwrap();
    assert_eq!(manifest.roles["developer"].servers, ["github", "docs"]);
    assert_eq!(manifest.roles["audit"].description, None);

    let source = format!("{ROLES_BASE}role audit {{\n    servers docs\n}}\n");
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::Unassigned);
    assert_eq!(at(&source, &p, 0), "github");
    assert!(p.help.as_deref().unwrap().contains("`audit`"), "{p:?}");

    let source = format!("{ROLES_BASE}role all {{\n    servers github docs gihtub\n}}\n");
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::UnknownServer);
    assert_eq!(at(&source, &p, 0), "gihtub");
    assert_eq!(p.help.as_deref(), Some("did you mean `github`?"));

    let all = problems(&format!(
        "{ROLES_BASE}role all {{\n    description \"x\"\n}}\n"
    ));
    assert_eq!(all[0].kind, ProblemKind::Unassigned);
    assert!(
        all.iter()
            .any(|p| p.kind == ProblemKind::Arguments && p.message.contains("grants no server")),
        "{all:?}"
    );
}

#[test]
fn variables_are_declared_before_servers_use_them() {
    let source = r#"mcpctl version=1
variable ORG {
    description "your organisation"
}
server ado {
    command npx -y "@azure-devops/mcp" "{ORG}" "{PROJECT}" "${HOME}"
}
"#;
    let p = only(source);
    assert_eq!(p.kind, ProblemKind::UnknownVariable);
    assert_eq!(at(source, &p, 0), "\"{PROJECT}\"");
    assert!(
        p.help
            .as_deref()
            .unwrap()
            .contains("variable PROJECT { description"),
        "{p:?}"
    );
    let ok = source.replace(" \"{PROJECT}\"", "");
    let manifest = parse("mcpctl.kdl", &ok).unwrap();
    assert_eq!(
        manifest.variables["ORG"].description.as_deref(),
        Some("your organisation")
    );
}
