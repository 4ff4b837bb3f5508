//! Teams at scale: the CI gate's offline plan, `mcpctl status`, roles and
//! personal profiles, classification policy.

use crate::saved_plan::flat;
use crate::support::{Sandbox, text};

const GITHUB: &str = r#"mcpctl version=1
client claude-code

credential GITHUB_TOKEN {
    kind personal-access-token
    provider github
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
"#;

#[test]
fn an_offline_plan_shows_what_a_new_member_gets_whatever_this_machine_holds() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(GITHUB);
    // This machine already has a `github` entry mcpctl did not write: a
    // normal plan would call it a conflict; a new member has none.
    let existing = r#"{"mcpServers":{"github":{"command":"gh-mcp"}}}"#;
    fs_err::write(sandbox.claude_json(), existing).unwrap();

    let output = sandbox
        .mcpctl()
        .args(["plan", "--offline", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.contains("+ GITHUB_TOKEN will be stored (apply asks for the value)"),
        "{stdout}"
    );
    assert!(stdout.contains("+ github will be created"), "{stdout}");
    assert!(stdout.contains("~/.claude.json"), "{stdout}");
    assert!(!stdout.contains("gh-mcp"), "{stdout}");
    assert!(stdout.contains("Plan: 2 to add"), "{stdout}");
    // No store was asked, nothing was written.
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        existing
    );
    assert!(!sandbox.root().join("state/mcpctl").exists());
}

#[test]
fn an_offline_plan_cannot_be_saved() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(GITHUB);
    let output = sandbox
        .mcpctl()
        .args(["plan", "--offline", "--out", "p.json", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(flat(&stderr).contains("cannot be used with"), "{stderr}");
}
