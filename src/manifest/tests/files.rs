//! Finding and loading the manifest file, and the blocks beside servers:
//! audit, sources and namespaces.

use super::*;

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
