//! Tests of what a team at scale writes in its manifest: the required
//! mcpctl version, roles and variables, classifications and the policy
//! block, each with the diagnostic a person sees.

use super::tests::{only, render};
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
