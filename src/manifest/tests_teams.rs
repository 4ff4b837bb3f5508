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

/// A manifest that satisfies the policy appended to it; each test breaks
/// one rule.
const POLICY_BASE: &str = r#"mcpctl version=1
client claude-code
client codex
credential GITHUB_TOKEN {
    kind personal-access-token
    rotate-every "30d"
    classification internal
}
credential CUSTOMER_DB_URL {
    kind connection-string
    classification restricted
}
server github {
    command npx -y "@modelcontextprotocol/server-github@2025.4.8"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
server customer-db {
    description "customer_data warehouse"
    command uvx "mcp-server-postgres==0.6.2"
    env DATABASE_URL credential=CUSTOMER_DB_URL
    classification restricted
}
server search {
    url "https://search.example.com/mcp"
    external #true
    classification public
}
role developer {
    servers github search
}
role admin {
    servers github customer-db search
}
"#;

const POLICY: &str = r#"policy {
    max-rotation personal-access-token "90d"
    require-delivery exec
    allowed-clients claude-code codex
    external-allowed public
    restricted-roles admin
    classification-rule "customer_data|financial_records" confidential external-lookup=#false
    pin-packages #true
    allow-packages "@modelcontextprotocol/server-github" "mcp-server-postgres"
}
"#;

/// The manifest with `from` replaced by `to`, and its one problem.
fn violation(from: &str, to: &str) -> (String, Problem) {
    let source = format!("{POLICY_BASE}{POLICY}");
    assert!(source.contains(from), "{from}");
    let source = source.replacen(from, to, 1);
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::Policy, "{p:?}");
    assert_eq!(p.labels[1].label(), Some("policy rule"), "{p:?}");
    (source, p)
}

#[test]
fn a_manifest_within_its_policy_validates() {
    let manifest = parse("mcpctl.kdl", &format!("{POLICY_BASE}{POLICY}")).unwrap();
    let policy = manifest.policy.unwrap();
    assert_eq!(
        policy.classification_rules[0].patterns,
        ["customer_data", "financial_records"]
    );
    assert!(!policy.classification_rules[0].external_lookup);
    assert_eq!(
        manifest.servers["customer-db"].classification,
        Some(Classification::Restricted)
    );
    assert!(manifest.servers["search"].external);
}

#[test]
fn policy_caps_the_rotation_period_per_kind() {
    let (source, p) = violation("rotate-every \"30d\"", "rotate-every \"180d\"");
    assert_eq!(at(&source, &p, 0), "rotate-every \"180d\"");
    assert!(
        p.message
            .contains("has a period of 180d; the policy allows at most 90d"),
        "{p:?}"
    );
    let err = parse("mcpctl.kdl", &source).unwrap_err();
    insta::assert_snapshot!("policy_max_rotation", render(&err));
    // No period at all breaks it too.
    let (_, p) = violation("    rotate-every \"30d\"\n", "");
    assert!(p.message.contains("has no rotation period"), "{p:?}");
}

#[test]
fn policy_requires_a_delivery_mode() {
    let (source, p) = violation(
        "    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n}",
        "    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n    delivery env-ref\n}",
    );
    assert_eq!(at(&source, &p, 0), "delivery env-ref");
    assert!(p.message.contains("delivered by env-ref"), "{p:?}");
}

#[test]
fn policy_allows_only_some_clients() {
    let (source, p) = violation("client codex\n", "client codex\nclient cursor\n");
    assert_eq!(at(&source, &p, 0), "client cursor");
    assert!(
        p.help
            .as_deref()
            .unwrap()
            .contains("`claude-code`, `codex`"),
        "{p:?}"
    );
}

#[test]
fn policy_limits_what_may_use_external_servers() {
    let (source, p) = violation(
        "    classification public\n",
        "    classification internal\n",
    );
    assert_eq!(at(&source, &p, 0), "external #true");
    assert!(
        p.message
            .contains("server `search` is internal and may not use the external server"),
        "{p:?}"
    );
}

/// A credential sent as the external server's header reaches the outside
/// as surely as one in its environment.
#[test]
fn policy_sees_a_credential_in_an_external_servers_header() {
    let (source, p) = violation(
        "    external #true\n",
        "    external #true\n    header Authorization credential=GITHUB_TOKEN scheme=Bearer\n",
    );
    assert_eq!(at(&source, &p, 0), "external #true");
    assert!(
        p.message
            .contains("credential `GITHUB_TOKEN` is internal and may not use the external server"),
        "{p:?}"
    );
}

#[test]
fn policy_keeps_restricted_credentials_to_some_roles() {
    let (source, p) = violation("servers github search", "servers github search customer-db");
    assert_eq!(at(&source, &p, 0), "customer-db");
    assert!(
        p.message.contains("role `developer` grants `customer-db`"),
        "{p:?}"
    );
}

#[test]
fn classification_rules_set_a_floor_and_forbid_external_lookups() {
    let (source, p) = violation(
        "    env DATABASE_URL credential=CUSTOMER_DB_URL\n    classification restricted\n",
        "    env DATABASE_URL credential=CUSTOMER_DB_URL\n    classification public\n",
    );
    assert_eq!(at(&source, &p, 0), "classification public");
    assert!(p.message.contains("must be at least confidential"), "{p:?}");

    // An external server matching the rule: classified too low, and an
    // external lookup the rule forbids.
    let source = format!("{POLICY_BASE}{POLICY}").replacen(
        "server search {\n",
        "server search {\n    description \"financial_records lookups\"\n",
        1,
    );
    let all = problems(&source);
    let messages: Vec<&str> = all.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "policy: server `search` matches a rule that forbids external lookups, and is an external server",
            "policy: server `search` matches a classification rule and must be at least confidential",
        ]
    );
}

#[test]
fn policy_pins_and_allow_lists_packages() {
    let (source, p) = violation("server-github@2025.4.8\"", "server-github\"");
    assert!(at(&source, &p, 0).starts_with("command npx -y"), "{p:?}");
    assert!(p.message.contains("without a pinned version"), "{p:?}");

    let (_, p) = violation("mcp-server-postgres==0.6.2", "other-postgres==1.0");
    assert!(
        p.message
            .contains("`other-postgres`, which is not an allowed package"),
        "{p:?}"
    );
}
