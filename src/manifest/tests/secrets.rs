//! Secret values and unsafe characters refused wherever they are in the
//! manifest.

use super::*;

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
