use super::add::{AddError, add};
use super::*;
use crate::manifest::{CredentialKind, parse};

/// The guide's credentials table: server → the variables it names.
const GUIDE_TABLE: &[(&str, &[&str])] = &[
    ("github", &["GITHUB_TOKEN"]),
    ("github-remote", &["GITHUB_TOKEN"]),
    ("azure-devops", &["AZURE_DEVOPS_PAT"]),
    ("slack", &["SLACK_TOKEN"]),
    ("postgres", &["DATABASE_URL"]),
    ("aws", &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
    ("sentry", &["SENTRY_AUTH_TOKEN"]),
    ("sentry-remote", &["SENTRY_AUTH_TOKEN"]),
    ("posthog", &["POSTHOG_API_KEY"]),
    ("mongodb", &["MONGODB_URI"]),
    ("terraform", &["TF_TOKEN"]),
    ("kubernetes", &["KUBECONFIG"]),
    ("notion", &["NOTION_TOKEN"]),
    ("atlassian", &["JIRA_TOKEN", "CONFLUENCE_TOKEN"]),
    ("figma", &["FIGMA_TOKEN"]),
    ("zapier", &["ZAPIER_API_KEY"]),
    ("composio", &["COMPOSIO_API_KEY"]),
];

#[test]
fn the_catalog_has_every_server_of_the_guides_table_with_what_a_person_needs() {
    let catalog = catalog();
    let names: Vec<&str> = catalog.names().collect();
    let expected: Vec<&str> = GUIDE_TABLE.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected);
    for (name, vars) in GUIDE_TABLE {
        let entry = catalog.get(name).unwrap();
        let credentials: Vec<&str> = entry.credentials.iter().map(|c| c.name.as_str()).collect();
        let mut sorted = vars.to_vec();
        sorted.sort_unstable();
        let mut got = credentials.clone();
        got.sort_unstable();
        assert_eq!(got, sorted, "{name}");
        assert!(entry.server.description.is_some(), "{name}");
        for c in entry.credentials {
            assert_ne!(c.kind, CredentialKind::Other, "{}", c.name);
            assert!(!c.scopes.is_empty(), "{} has no scopes", c.name);
            assert!(c.rotate_every.is_some(), "{} has no rotation", c.name);
            assert!(c.provider.is_some(), "{} has no provider", c.name);
        }
    }
    // The guide's schedule where it has one.
    let period = |c: &str| catalog.manifest.credentials[c].rotate_every.unwrap().days;
    assert_eq!(period("GITHUB_TOKEN"), 90);
    assert_eq!(period("DATABASE_URL"), 60);
    assert_eq!(period("AWS_SECRET_ACCESS_KEY"), 30);
}

#[test]
fn entry_text_carries_its_comments_and_parses_alone() {
    let catalog = catalog();
    let server = catalog.text("server", "github").unwrap();
    assert!(server.starts_with("// GitHub's own server"), "{server}");
    assert!(server.ends_with('}'), "{server}");
    let credential = catalog.text("credential", "GITHUB_TOKEN").unwrap();
    assert!(
        credential.starts_with("credential GITHUB_TOKEN {"),
        "{credential}"
    );
    assert!(
        credential.contains("// add `workflow` only"),
        "{credential}"
    );
    for entry in catalog.entries() {
        let mut text = "mcpctl version=1\n".to_owned();
        text.push_str(catalog.text("server", &entry.server.name).unwrap());
        for c in &entry.credentials {
            text.push('\n');
            text.push_str(catalog.text("credential", &c.name).unwrap());
        }
        let alone =
            parse("entry", &text).unwrap_or_else(|e| panic!("{:?}", miette::Report::new(e)));
        assert_eq!(alone.servers[&entry.server.name], *entry.server);
    }
}

#[test]
fn packages_without_versions() {
    let p = |command: &str, args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let p = command_package(command, &args);
        format!("{}:{}", p.registry, p.name)
    };
    assert_eq!(
        p("npx", &["-y", "@sentry/mcp-server@0.39.0"]),
        "npm:@sentry/mcp-server"
    );
    assert_eq!(p("npx.cmd", &["-y", "mcp-remote@latest"]), "npm:mcp-remote");
    assert_eq!(
        p("uvx", &["awslabs.aws-api-mcp-server@latest"]),
        "pypi:awslabs.aws-api-mcp-server"
    );
    assert_eq!(
        p(
            "uvx",
            &["--from", "x", "postgres-mcp", "--access-mode=restricted"]
        ),
        "pypi:postgres-mcp"
    );
    assert_eq!(
        p(
            "docker",
            &[
                "run",
                "-i",
                "--rm",
                "-e",
                "GITHUB_PERSONAL_ACCESS_TOKEN",
                "ghcr.io/github/github-mcp-server:v1"
            ]
        ),
        "docker:ghcr.io/github/github-mcp-server"
    );
    assert_eq!(
        p("docker", &["run", "localhost:5000/img"]),
        "docker:localhost:5000/img"
    );
    assert_eq!(
        p("/usr/bin/my-server", &["--x"]),
        "command:/usr/bin/my-server"
    );
    let github = catalog().get("github").unwrap();
    assert_eq!(
        package(&github.server.transport).name,
        "ghcr.io/github/github-mcp-server"
    );
}

#[test]
fn catalog_knowledge_of_a_variable() {
    let catalog = catalog();
    // By package, then by a variable only one entry binds.
    let c = catalog
        .credential_for(
            Some("ghcr.io/github/github-mcp-server"),
            "GITHUB_PERSONAL_ACCESS_TOKEN",
        )
        .unwrap();
    assert_eq!(c.name, "GITHUB_TOKEN");
    let c = catalog
        .credential_for(
            Some("@modelcontextprotocol/server-github"),
            "GITHUB_PERSONAL_ACCESS_TOKEN",
        )
        .unwrap();
    assert_eq!(c.name, "GITHUB_TOKEN");
    assert_eq!(
        catalog
            .credential_for(None, "SLACK_BOT_TOKEN")
            .unwrap()
            .name,
        "SLACK_TOKEN"
    );
    assert_eq!(
        catalog.credential_for(None, "MONGODB_URI").unwrap().name,
        "MONGODB_URI"
    );
    assert!(catalog.credential_for(None, "SOME_OTHER_TOKEN").is_none());
}

const COMMENTED: &str = r#"// Our team's manifest.
mcpctl version=1   // the format

/* the clients we use */
client claude-code

credential GITHUB_TOKEN {
    kind personal-access-token
    scopes repo  // just repo
}

server docs {
        command   docs-server   "--port" "8080"   // odd layout, kept
}
// trailing comment
"#;

fn adding(names: &[&str]) -> Result<super::add::Addition, AddError> {
    let manifest = parse("mcpctl.kdl", COMMENTED).unwrap();
    let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
    add("mcpctl.kdl", COMMENTED, &manifest, &names)
}

#[test]
fn add_appends_the_entries_and_keeps_every_byte_before_them() {
    let added = adding(&["github", "atlassian", "github"]).unwrap();
    assert!(
        added.text.starts_with(COMMENTED),
        "the existing text changed"
    );
    assert_eq!(added.servers, ["github", "atlassian"]);
    assert_eq!(added.credentials, ["JIRA_TOKEN", "CONFLUENCE_TOKEN"]);
    assert_eq!(added.kept, ["GITHUB_TOKEN"]);
    let manifest = parse("mcpctl.kdl", &added.text).unwrap();
    // The team's own credential is kept, not replaced by the catalog's.
    assert_eq!(manifest.credentials["GITHUB_TOKEN"].scopes, ["repo"]);
    let github = catalog().get("github").unwrap().server;
    assert_eq!(manifest.servers["github"].transport, github.transport);
    assert_eq!(manifest.servers["github"].env, github.env);
    let diff = similar::TextDiff::from_lines(COMMENTED, &added.text)
        .unified_diff()
        .header("a/mcpctl.kdl", "b/mcpctl.kdl")
        .to_string();
    insta::assert_snapshot!(diff);
}

#[test]
fn add_refuses_a_taken_name_and_suggests_close_names() {
    let manifest = parse("mcpctl.kdl", COMMENTED).unwrap();
    let mut with_github = COMMENTED.to_owned();
    with_github.push_str("server github { command gh-server; }\n");
    let taken = parse("mcpctl.kdl", &with_github).unwrap();
    let err = add("mcpctl.kdl", &with_github, &taken, &["github".to_owned()]).unwrap_err();
    assert!(matches!(err, AddError::Exists { .. }), "{err:?}");
    let err = add("mcpctl.kdl", COMMENTED, &manifest, &["githb".to_owned()]).unwrap_err();
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert!(help.contains("did you mean `github`"), "{help}");
}

#[test]
fn add_to_a_file_without_a_final_newline() {
    let text = "mcpctl version=1";
    let manifest = parse("m", text).unwrap();
    let added = add("m", text, &manifest, &["sentry".to_owned()]).unwrap();
    assert!(
        added
            .text
            .starts_with("mcpctl version=1\n\n// Sentry's own server"),
        "{}",
        added.text
    );
}
