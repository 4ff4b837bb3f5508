//! Delivery (exec, env-ref), rotation periods and transports.

use super::*;

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
fn credential_headers_go_with_either_delivery() {
    // Under exec (the default) the bridge sends the header; under env-ref
    // the client does.
    let m = ok(&with_head(
        "credential SENTRY_AUTH_TOKEN\nserver sentry {\n    url \"https://mcp.sentry.dev/mcp\"\n    header X-Team \"platform\"\n    header Authorization credential=SENTRY_AUTH_TOKEN\n}\n",
    ));
    assert_eq!(m.servers["sentry"].delivery, None);
    // OAuth is not yet supported: said so, not taken for a typo.
    let p = only(&with_head(
        "server linear {\n    url \"https://mcp.linear.app/mcp\"\n    auth oauth\n}\n",
    ));
    assert_eq!(p.kind, ProblemKind::UnknownNode);
    assert_eq!(p.message, "`auth` (OAuth) is not yet supported");
    // A credential over plain http off this machine is refused; to
    // localhost it is fine, and a literal header anywhere.
    let p = only(&with_head(
        "credential T\nserver s {\n    url \"http://mcp.example.com/mcp\"\n    header Authorization credential=T scheme=Bearer\n}\n",
    ));
    assert_eq!(p.kind, ProblemKind::Url);
    assert_eq!(p.message, "server `s` sends a credential over plain http");
    ok(&with_head(
        "credential T\nserver s { url \"http://127.0.0.1:8080/mcp\"; header A credential=T }\nserver t { url \"http://mcp.example.com/mcp\"; header A \"x\" }\n",
    ));
    // With env-ref on the server, the defaults or any client too.
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
