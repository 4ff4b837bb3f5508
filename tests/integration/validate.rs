//! `mcpctl validate` and `mcpctl schema` on the bundled examples and on
//! broken manifests.

use crate::support::{Sandbox, text};

#[test]
fn bundled_examples_are_valid() {
    let sandbox = Sandbox::new();
    for example in ["examples/minimal/mcpctl.kdl", "examples/team/mcpctl.kdl"] {
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
