//! `mcpctl validate` and `mcpctl schema` on the bundled examples and on
//! broken manifests.

use crate::support::{Sandbox, text};

#[test]
fn bundled_examples_are_valid() {
    let sandbox = Sandbox::new();
    for example in [
        "examples/minimal/mcpctl.kdl",
        "examples/team/mcpctl.kdl",
        "examples/org/mcpctl.kdl",
        "examples/remote/mcpctl.kdl",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
        let output = sandbox
            .mcpctl()
            .args(["validate", "-f"])
            .arg(&path)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{example}: {stdout}{stderr}");
        assert!(stdout.contains("is valid"), "{stdout}");
        // The examples are copied: they pin their packages.
        assert!(!stderr.contains("warning"), "{example}: {stderr}");
    }
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
client cursr
credential GITHUB_TOKEN {
    kind personal-access-token
    rotate-every "ninety days"
}
server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKN
    env "BAD NAME" "x"
}
"#,
    );
    let output = sandbox
        .mcpctl()
        .arg("validate")
        .arg("-f")
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    // File, line and column of each problem, and a fix for each.
    assert!(stderr.contains("mcpctl.kdl:3:"), "{stderr}");
    assert!(stderr.contains("did you mean `cursor`?"), "{stderr}");
    assert!(stderr.contains("ninety days"), "{stderr}");
    assert!(stderr.contains("GITHUB_TOKEN"), "did you mean: {stderr}");
    assert!(stderr.contains("BAD NAME"), "{stderr}");
    assert!(!stdout.contains("is valid"));
}

#[test]
fn manifest_is_found_by_walking_up() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest("mcpctl version=1\nclient codex\n");
    let nested = manifest.parent().unwrap().join("a/b");
    fs_err::create_dir_all(&nested).unwrap();
    let output = sandbox
        .mcpctl()
        .arg("validate")
        .current_dir(&nested)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains(&manifest.display().to_string()), "{stdout}");

    let elsewhere = sandbox.root().join("elsewhere");
    fs_err::create_dir_all(&elsewhere).unwrap();
    let output = sandbox
        .mcpctl()
        .arg("plan")
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("no `mcpctl.kdl`"), "{stderr}");
}

#[test]
fn checked_in_schemas_are_current() {
    let sandbox = Sandbox::new();
    let out = sandbox.root().join("schemas");
    sandbox
        .mcpctl()
        .args(["schema", "--dir"])
        .arg(&out)
        .assert()
        .success();
    for name in ["manifest.schema.json", "plan.schema.json"] {
        let fresh = fs_err::read_to_string(out.join(name)).unwrap();
        let checked_in_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(name);
        let checked_in = fs_err::read_to_string(&checked_in_path).unwrap_or_default();
        assert!(
            fresh == checked_in,
            "`schemas/{name}` is stale: run `cargo run -- schema` and commit the result"
        );
    }
}

#[test]
fn checked_in_cli_reference_is_current() {
    let sandbox = Sandbox::new();
    let out = sandbox.root().join("reference");
    sandbox
        .mcpctl()
        .args(["generate-reference", "--man-dir"])
        .arg(out.join("man"))
        .arg("--markdown")
        .arg(out.join("cli.md"))
        .arg("--completions-dir")
        .arg(out.join("completions"))
        .assert()
        .success();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale = "is stale: run `cargo run -- generate-reference` and commit the result";
    let fresh_md = fs_err::read_to_string(out.join("cli.md")).unwrap();
    let checked_in_md = fs_err::read_to_string(repo.join("docs/cli.md")).unwrap_or_default();
    assert!(fresh_md == checked_in_md, "`docs/cli.md` {stale}");
    for dir in ["man", "completions"] {
        let names = |root: &std::path::Path| {
            let mut names: Vec<String> = fs_err::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let fresh = names(&out);
        assert_eq!(fresh, names(repo), "the set of files in `{dir}/` {stale}");
        for file in fresh {
            let a = fs_err::read(out.join(dir).join(&file)).unwrap();
            let b = fs_err::read(repo.join(dir).join(&file)).unwrap();
            assert!(a == b, "`{dir}/{file}` {stale}");
        }
    }
}

#[test]
fn completions_offer_names_from_the_manifest() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient codex\ncredential GITHUB_TOKEN\ncredential GITLAB_TOKEN\n",
    );
    let script = sandbox
        .mcpctl()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&script.stdout).contains("complete"));
    let output = sandbox
        .mcpctl()
        .current_dir(manifest.parent().unwrap())
        .env("COMPLETE", "fish")
        .args(["--", "mcpctl", "rotate", "GI"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["GITHUB_TOKEN", "GITLAB_TOKEN"],
        "{stderr}"
    );
}

/// Issue 12: a literal whose variable name says secret and whose value is
/// random is a secret though no provider's prefix marks it. `validate`
/// refuses it with a masked snippet (insta), and `scan` of the manifest
/// file finds it.
// Unix only: its snapshot holds Linux paths.
#[cfg(unix)]
#[test]
fn a_generic_secret_in_the_manifest_is_refused_and_scanned() {
    let sandbox = Sandbox::new();
    let value = "k8Jd92LmQz7RtX4vNc1PaY6w";
    let manifest = sandbox.manifest(&format!(
        "mcpctl version=1\nclient claude-code\nserver api {{\n    command npx -y \"api-mcp\"\n    env API_KEY \"{value}\"\n    env LOG_FORMAT \"json\"\n}}\n"
    ));
    let output = sandbox
        .mcpctl()
        .args(["validate", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        !stdout.contains(value) && !stderr.contains(value),
        "{stderr}"
    );
    // From the problem on: the headline above wraps with the path's length.
    let problem = stderr.find("  × `env` holds a secret value").unwrap();
    let shown = stderr[problem..].replace(&sandbox.root().display().to_string(), "<sandbox>");
    insta::assert_snapshot!("generic_secret_refused", shown);

    let output = sandbox
        .mcpctl()
        .args(["scan", "--json"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(!stdout.contains(value), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{stdout}");
    assert_eq!(findings[0]["rule"], "generic-secret");
    assert_eq!(
        (
            findings[0]["line"].as_u64(),
            findings[0]["redacted"].as_str()
        ),
        (Some(5), Some("… (24 chars)"))
    );
}
