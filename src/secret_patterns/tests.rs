//! The detector against every format it knows, the values it must let
//! pass, named values, and the forms a found secret is shown in.

use super::*;

// Canary values are built at run time so that no secret-shaped literal
// sits in the repository (and trips scanners, including ours).
fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

fn rule(value: &str) -> Option<&'static str> {
    detect(value).map(|m| m.rule)
}

#[test]
fn github_tokens() {
    for (prefix, id) in [
        ("ghp_", "github-classic-pat"),
        ("gho_", "github-oauth-token"),
        ("ghu_", "github-user-token"),
        ("ghs_", "github-app-token"),
        ("ghr_", "github-refresh-token"),
    ] {
        let token = format!("{prefix}{}", rep("A1b2", 9));
        assert_eq!(rule(&token), Some(id), "{prefix}");
        assert_eq!(rule(&format!("Bearer {token}")), Some(id));
        assert_eq!(rule(&format!("--token={token}")), Some(id));
        // Too short, wrong alphabet, glued to a word, placeholders.
        assert_eq!(rule(&format!("{prefix}{}", rep("A", 35))), None);
        assert_eq!(rule(&format!("x{token}")), None);
        assert_eq!(rule(&format!("{prefix}your_actual_token")), None);
        assert_eq!(rule(&format!("{prefix}{}", rep("x", 36))), None);
        assert_eq!(rule(&format!("{prefix}${{GITHUB_TOKEN}}")), None);
    }
    let canary = format!("ghp_{}", rep("A", 36));
    let m = detect(&canary).unwrap();
    assert_eq!(m.range, 0..40);
    assert_eq!(m.description, "a GitHub personal access token");
}

#[test]
fn github_fine_grained() {
    let token = format!("github_pat_{}_{}", rep("A1", 11), rep("b2C", 20));
    assert_eq!(rule(&token), Some("github-fine-grained-pat"));
    assert_eq!(rule("github_pat_short"), None);
    assert_eq!(rule("github_pat_your_token_goes_right_here"), None);
}

#[test]
fn gitlab() {
    assert_eq!(
        rule(&format!("glpat-{}", rep("aB3-", 5))),
        Some("gitlab-pat")
    );
    assert_eq!(rule("glpat-short"), None);
    assert_eq!(rule("glpat-your-personal-token-here"), None);
}

#[test]
fn slack() {
    for kind in ["b", "a", "p", "r", "s"] {
        let token = format!(
            "xox{kind}-{}-{}-{}",
            rep("1", 12),
            rep("2", 13),
            rep("aZ", 12)
        );
        assert_eq!(rule(&token), Some("slack-token"), "{kind}");
    }
    assert_eq!(rule("xoxb-not-a-real-slack-token-at-all"), None);
    assert_eq!(rule("xoxb-your-bot-token"), None);
    assert_eq!(rule(&format!("xoxz-{}", rep("1", 30))), None);
}

#[test]
fn aws_access_key_id() {
    for prefix in ["AKIA", "ASIA"] {
        let id = format!("{prefix}{}", rep("Q7", 8));
        assert_eq!(rule(&id), Some("aws-access-key-id"));
        assert_eq!(rule(&format!("key={id};")), Some("aws-access-key-id"));
        // One character too many or too few, lower case.
        assert_eq!(rule(&format!("{id}Z")), None);
        assert_eq!(rule(&format!("{prefix}{}", rep("Q", 15))), None);
        assert_eq!(rule(&format!("{prefix}{}", rep("q", 16))), None);
    }
    // AWS's own documentation key.
    assert_eq!(rule(&format!("AKIA{}EXAMPLE", "IOSFODNN7")), None);
}

#[test]
fn openai_and_anthropic() {
    let openai = format!("sk-{}", rep("a1B2", 6));
    assert_eq!(rule(&openai), Some("openai-api-key"));
    assert_eq!(
        rule(&format!("sk-proj-{}", rep("a1B2", 10))),
        Some("openai-api-key")
    );
    let anthropic = format!("sk-ant-api03-{}", rep("Zz9_", 10));
    assert_eq!(rule(&anthropic), Some("anthropic-api-key"));
    // Anthropic keys without digits are still Anthropic keys.
    assert_eq!(
        rule(&format!("sk-ant-{}", rep("abc", 10))),
        Some("anthropic-api-key")
    );
    assert_eq!(rule("sk-short1"), None);
    assert_eq!(rule("sk-your-openai-key-goes-here-1"), None);
    // Kebab-case words are not keys.
    assert_eq!(rule("sk-learn-compatible-package-name"), None);
    assert_eq!(rule(&format!("task-{}", rep("a1", 20))), None);
}

#[test]
fn stripe() {
    assert_eq!(
        rule(&format!("sk_live_{}", rep("a1", 12))),
        Some("stripe-secret-key")
    );
    assert_eq!(rule("sk_test_abc"), None);
}

#[test]
fn sentry() {
    assert_eq!(
        rule(&format!("sntrys_{}", rep("eyJp", 10))),
        Some("sentry-org-token")
    );
    assert_eq!(
        rule(&format!("sntryu_{}", rep("0f", 32))),
        Some("sentry-user-token")
    );
    assert_eq!(rule("sntrys_short"), None);
    assert_eq!(rule(&format!("sntryu_{}", rep("0f", 31))), None);
}

#[test]
fn google() {
    let key = format!("AIza{}", rep("Sy-_9", 7));
    assert_eq!(rule(&key), Some("google-api-key"));
    assert_eq!(rule(&format!("{key}A")), None);
    assert_eq!(rule("AIzaShort"), None);
}

#[test]
fn private_key() {
    let pem = format!("-----BEGIN {}KEY-----\nMII", "RSA PRIVATE ");
    assert_eq!(rule(&pem), Some("private-key"));
    assert_eq!(rule("-----BEGIN PUBLIC KEY-----"), None);
    assert_eq!(rule("-----BEGIN CERTIFICATE-----"), None);
}

#[test]
fn url_password() {
    let pw = format!("s3{}", "cr3t");
    for url in [
        format!("postgres://app:{pw}@db.internal:5432/app"),
        format!("https://user:{pw}@example.org"),
        format!("DATABASE_URL=mongodb+srv://u:{pw}@cluster0/x?retryWrites=true"),
    ] {
        assert_eq!(rule(&url), Some("url-password"), "{url}");
    }
    for url in [
        "postgres://app:${DB_PASSWORD}@db.internal/app",
        "postgres://app:$DB_PASSWORD@db.internal/app",
        "postgres://app:<password>@db.internal/app",
        "postgres://app:@db.internal/app",
        "postgres://app@db.internal/app",
        "postgres://app:your-password@db.internal/app",
        "https://mcp.sentry.dev/mcp",
        "https://example.org/path/user:pw@not-authority",
        "http://localhost:8080/mcp",
    ] {
        assert_eq!(rule(url), None, "{url}");
    }
    let url = format!("x postgres://a:{pw}@h/db y");
    assert_eq!(detect(&url).unwrap().range, 2..url.len() - 5);
}

#[test]
fn ordinary_values_are_not_secrets() {
    for value in [
        "",
        "npx",
        "-y",
        "@modelcontextprotocol/server-github",
        "@azure-devops/mcp",
        "repos,issues",
        "https://github.com/settings/tokens/new",
        "${GITHUB_TOKEN}",
        "${env:GITHUB_TOKEN}",
        "your-token-here",
        "<token>",
        "GITHUB_PERSONAL_ACCESS_TOKEN",
        "read:org",
        "ghp_your_actual_token",
    ] {
        assert_eq!(detect(value), None, "{value}");
    }
}

#[test]
fn finds_every_secret_in_order() {
    let a = format!("ghp_{}", rep("A", 36));
    let b = format!("AKIA{}", rep("B", 16));
    let all = detect_all(&format!("{b} and {a}"));
    let rules: Vec<_> = all.iter().map(|m| m.rule).collect();
    assert_eq!(rules, ["aws-access-key-id", "github-classic-pat"]);
}

#[test]
fn providers_of_the_guide() {
    let cases = [
        (
            format!("xapp-1-A{}-{}", rep("1", 10), rep("ab", 20)),
            "slack-app-token",
        ),
        (
            format!("phx_{}", rep("aB1", 15)),
            "posthog-personal-api-key",
        ),
        (format!("ntn_{}", rep("aB1", 15)), "notion-token"),
        (format!("secret_{}", rep("aB1", 15)), "notion-token"),
        (format!("figd_{}", rep("aB1-", 11)), "figma-token"),
        (format!("ATATT3x{}", rep("aB1_", 20)), "atlassian-api-token"),
        (format!("sk-ak-{}", rep("aB1", 10)), "zapier-api-key"),
        (format!("hf_{}", rep("aB1", 12)), "huggingface-token"),
        (format!("gsk_{}", rep("aB1", 15)), "groq-api-key"),
        (format!("pplx-{}", rep("aB1", 15)), "perplexity-api-key"),
        (
            format!("{}.atlasv1.{}", rep("aB1", 4) + "xy", rep("aB1_", 16)),
            "terraform-cloud-token",
        ),
        (
            format!("{}AZDO{}", rep("aB1", 25) + "x", "Zz9q"),
            "azure-devops-pat",
        ),
        (
            format!(
                "eyJ{}.eyJ{}.{}",
                rep("hbGc", 5),
                rep("pc3M", 8),
                rep("sig_", 8)
            ),
            "jwt",
        ),
        (
            format!("Server=db;User Id=app;Password={};", "s3cr3t-Val"),
            "connection-string-password",
        ),
        (
            format!("https://mcp.zapier.com/api/mcp/s/{}/mcp", rep("Zm9v", 8)),
            "zapier-mcp-url",
        ),
    ];
    for (value, id) in &cases {
        assert_eq!(rule(value), Some(*id), "{id}");
    }
    assert_eq!(rule("Password=<password>;Server=db"), None);
    assert_eq!(
        rule("https://mcp.zapier.com/api/mcp/s/your-key-here/mcp"),
        None
    );
    assert_eq!(rule("secret_key_base"), None);
    assert_eq!(rule("eyJhbGciOi"), None);
}

#[test]
fn named_values() {
    let random = test_random(1, 26);
    let m = &detect_named("COMPOSIO_API_KEY", &random)[0];
    assert_eq!(
        (m.rule, m.range.clone()),
        ("generic-secret", 0..random.len())
    );
    let bearer = format!("Bearer {random}");
    assert_eq!(
        detect_named("Authorization", &bearer)[0].range,
        7..bearer.len()
    );
    assert_eq!(
        detect_named(
            "AWS_SECRET_ACCESS_KEY",
            &format!("wJal{}", rep("rXUt/K7M", 4) + "EXa1")
        )[0]
        .rule,
        "aws-secret-access-key"
    );
    assert_eq!(
        detect_named("AZURE_DEVOPS_EXT_PAT", &rep("abcd2345ef67", 5)[..52])[0].rule,
        "azure-devops-pat"
    );
    assert_eq!(
        detect_named("DB_PASSWORD", "Tr0ub4dor+3x")[0].rule,
        "generic-secret"
    );
    // Not secrets: wrong name, references, placeholders, paths, words.
    for (name, value) in [
        ("GITHUB_TOOLSETS", random.as_str()),
        ("GITHUB_TOKEN", "${GITHUB_TOKEN}"),
        ("GITHUB_TOKEN", "${env:GITHUB_TOKEN}"),
        ("GITHUB_TOKEN", "{env:GITHUB_TOKEN}"),
        ("GITHUB_TOKEN", "your-token-here"),
        ("GITHUB_TOKEN", "<token>"),
        ("API_KEY", "xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("SSH_KEY_PATH", "/home/me/.ssh/id_ed25519_1234"),
        ("GITHUB_TOKEN", "/run/secrets/github-token-2024"),
        ("TOKEN_EXPIRY", "1234567890123456"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("POSTHOG_PUBLIC_KEY", random.as_str()),
        ("SECRET", "short"),
        ("API_KEY", "aaaaaaaaaaaaaaaaaaaaaaa1"),
    ] {
        assert_eq!(detect_named(name, value), vec![], "{name}={value}");
    }
    assert!(is_secret_name("--api-key"));
    assert!(is_secret_name("X-API-Key"));
    assert!(!is_secret_name("--verbose"));
    assert!(is_secret_name("PGPASSWORD"));
    assert!(is_secret_name("DBPASSWD"));
}

#[test]
fn redaction_shows_only_a_public_prefix_and_the_length() {
    let classic = format!("ghp_{}", rep("A", 36));
    assert_eq!(redacted(&classic, "github-classic-pat"), "ghp_… (40 chars)");
    assert_eq!(
        redacted(
            &format!("github_pat_{}", rep("A1", 20)),
            "github-fine-grained-pat"
        ),
        "github_pat_… (51 chars)"
    );
    assert_eq!(
        redacted(&format!("sk-ant-{}", rep("a1", 12)), "anthropic-api-key"),
        "sk-ant-… (31 chars)"
    );
    assert_eq!(
        redacted("postgres://u:pw@db.internal:5432", "url-password"),
        "postgres://…@db.internal (32 chars)"
    );
    // A whole connection string: its path is not shown either.
    assert_eq!(
        redacted("postgres://u:pw@db.internal/app?x=1", "url-password"),
        "postgres://…@db.internal (35 chars)"
    );
    assert_eq!(
        redacted("Password=s3cr3t-Val", "connection-string-password"),
        "Password=… (19 chars)"
    );
    // No prefix at all where the rule has none: not the first characters
    // of a random value, nor of a UUID-shaped key.
    let random = test_random(3, 24);
    assert_eq!(redacted(&random, "generic-secret"), "… (24 chars)");
    assert_eq!(
        redacted("0f8fad5b-d9cb-469f-a165-70867728950e", "generic-secret"),
        "… (36 chars)"
    );
    // A generic secret that merely starts like a provider's token.
    assert_eq!(redacted(&classic, "generic-secret"), "… (40 chars)");
}

#[test]
fn an_argument_naming_its_own_value_is_judged_by_that_name() {
    let random = test_random(6, 24);
    let shown = |previous: Option<&str>, arg: &str| {
        redact_found(
            arg,
            &detect_argument(previous, arg, Placeholders::ReferencesOnly),
        )
    };
    assert_eq!(
        shown(Some("-H"), &format!("Authorization: Bearer {random}")),
        "Authorization: Bearer … (24 chars)"
    );
    assert_eq!(
        shown(None, &format!("--header=X-Api-Key: {random}")),
        "--header=X-Api-Key: … (24 chars)"
    );
    assert_eq!(
        shown(Some("-e"), &format!("GITHUB_TOKEN={random}")),
        "GITHUB_TOKEN=… (24 chars)"
    );
    assert_eq!(
        shown(None, &format!("--url=https://x.example/v1?token={random}")),
        "--url=https://x.example/v1?token=… (24 chars)"
    );
    // Names that say nothing of a secret leave their values alone.
    let plain = format!("MODE={random}");
    assert_eq!(shown(Some("-e"), &plain), plain);
    assert_eq!(
        shown(Some("-H"), "Accept: application/json"),
        "Accept: application/json"
    );
}

#[test]
fn display_forms_hide_every_secret_in_a_value() {
    let random = test_random(5, 24);
    let url = format!("https://x.example/mcp?mode=a&token={random}");
    let found = detect_unnamed(&url, Placeholders::ReferencesOnly);
    assert_eq!(
        redact_found(&url, &found),
        "https://x.example/mcp?mode=a&token=… (24 chars)"
    );
    // A value recognized by its shape does not hide a parameter judged by
    // its name (a canary run found `&access_token=` shown in full when the
    // first value happened to match a shape).
    let token = format!("ghp_{}", rep("Ab1", 12));
    let url = format!("https://x.example/mcp?key={token}&x=1&access_token={random}");
    let found = detect_unnamed(&url, Placeholders::ReferencesOnly);
    let shown = redact_found(&url, &found);
    assert!(!shown.contains(&random), "{shown}");
    assert!(!shown.contains(&token), "{shown}");
    assert!(shown.ends_with("&x=1&access_token=… (24 chars)"), "{shown}");
    let arg = format!("--api-key={random}");
    let found = detect_argument(None, &arg, Placeholders::ReferencesOnly);
    assert_eq!(redact_found(&arg, &found), "--api-key=… (24 chars)");
    assert_eq!(
        detect_argument(Some("--api-key"), &random, Placeholders::ReferencesOnly)[0].range,
        0..24
    );
    assert!(detect_argument(Some("--verbose"), &random, Placeholders::ReferencesOnly).is_empty());
    // Same length in bytes, public prefix kept.
    let token = format!("ghp_{}", rep("Ab1", 12));
    let shown = masked(&token, "github-classic-pat");
    assert_eq!(shown, format!("ghp_{}", rep("*", 36)));
    assert_eq!(
        masked("postgres://u:pw@h", "url-password"),
        "postgres://****@h"
    );
    // Overlapping matches are hidden as one.
    let both = format!("postgres://u:{token}@h/db");
    let found = detect_all(&both);
    assert!(!redact_found(&both, &found).contains("Ab1"));
}

#[test]
fn values_handed_out_are_hidden_whatever_their_shape() {
    let value = "correct horse battery staple";
    let pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----\n";
    let text = format!("DB_PASSWORD={value}\nkey line: MIIEvQIBADANBgkqhkiG9w0B\n");
    let shown = redact_known(&text, &[value, pem]);
    assert_eq!(shown, "DB_PASSWORD=… (28 chars)\nkey line: … (24 chars)\n");
    assert_eq!(redact_known("nothing here", &[value, ""]), "nothing here");
}

#[test]
fn provider_shapes_holding_a_placeholder_word() {
    let fake = format!("ghp_FAKE{}", rep("a1B2", 8));
    assert_eq!(detect(&fake), None);
    assert_eq!(
        detect_all_with(&fake, Placeholders::ReferencesOnly)[0].rule,
        "github-classic-pat"
    );
    // References and filler stay placeholders everywhere.
    for value in [format!("ghp_{}", rep("x", 36)), "ghp_${TOKEN}".to_owned()] {
        assert!(
            detect_all_with(&value, Placeholders::ReferencesOnly).is_empty(),
            "{value}"
        );
    }
}

#[test]
fn generic_secrets_by_their_name() {
    let value = "k8Jd92LmQz7RtX4vNc1PaY6w";
    for name in [
        "API_KEY",
        "SERVICE_TOKEN",
        "CLIENT_SECRET",
        "DB_PASSWORD",
        "AZURE_PAT",
        "GCP_CREDENTIAL",
        "Authorization",
    ] {
        assert_eq!(
            detect_named(name, value)[0].rule,
            "generic-secret",
            "{name}"
        );
    }
    assert!(detect_named("LOG_LEVEL", value).is_empty());
    for placeholder in [
        "${API_KEY}",
        "<your-api-key>",
        "changeme",
        "xxxxxxxxxxxxxxxxxxxxxxxx",
        "example-key-0123456789ab",
    ] {
        assert!(
            detect_named("API_KEY", placeholder).is_empty(),
            "{placeholder}"
        );
    }
}
