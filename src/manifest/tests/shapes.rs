//! The shape of nodes: unknown nodes and properties, arguments, duplicates,
//! names.

use super::*;

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
