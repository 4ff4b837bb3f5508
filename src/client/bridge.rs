//! The entry of a remote server whose headers hold a credential, under
//! `exec` delivery: a stdio entry that launches the bridge, `mcpctl exec
//! --server NAME [--manifest PATH] --header NAME[:SCHEME]=REFERENCE …
//! [--literal-header NAME=VALUE …] --url URL` ([`crate::bridge`]), which
//! reads the credential from the store and adds the header to every
//! request. The entry has the same shape as a local server's exec entry,
//! so every client that runs stdio servers can have it — Claude Desktop
//! too, which reads no remote servers from its file.

use super::RenderContext;
use crate::manifest::{Delivery, Server, Transport};

/// The command and arguments of the bridge for `server`, when it is a
/// remote server with a credential header delivered by `exec`.
pub fn bridge_command(
    server: &Server,
    delivery: Delivery,
    cx: &RenderContext<'_>,
) -> Option<(String, Vec<String>)> {
    let Transport::Http {
        url,
        headers,
        credential_headers,
    } = &server.transport
    else {
        return None;
    };
    if credential_headers.is_empty() || delivery != Delivery::Exec {
        return None;
    }
    let mut args = vec![
        "exec".to_owned(),
        "--server".to_owned(),
        server.name.clone(),
    ];
    args.extend(cx.launcher.manifest_args());
    for (name, header) in credential_headers {
        let head = match &header.scheme {
            Some(scheme) => format!("{name}:{scheme}"),
            None => name.clone(),
        };
        args.push("--header".to_owned());
        args.push(format!(
            "{head}={}",
            cx.launcher.reference_arg(&header.credential)
        ));
    }
    for (name, value) in headers {
        args.push("--literal-header".to_owned());
        args.push(format!("{name}={value}"));
    }
    args.push("--url".to_owned());
    args.push(url.clone());
    Some((cx.launcher.program().to_owned(), args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::client::{ClientId, Launcher, adapter};
    use crate::host::Os;
    use serde_json::json;

    #[test]
    fn every_client_launches_the_bridge_under_exec() {
        let launcher = Launcher::bare().owned_by(std::path::Path::new("/repo/mcpctl.kdl"));
        let argv = json!([
            "exec",
            "--server",
            "sentry",
            "--manifest",
            "/repo/mcpctl.kdl",
            "--header",
            "Authorization:Bearer=SENTRY_TOKEN",
            "--literal-header",
            "X-Team=platform",
            "--url",
            "https://mcp.example.com/mcp"
        ]);
        for id in ClientId::ALL {
            let rendered = adapter(id).render(
                &secret_remote_server(),
                &cx(&launcher, Delivery::Exec, Os::Linux),
            );
            let entry = rendered
                .entry
                .unwrap_or_else(|| panic!("{id}: {:?}", rendered.notes));
            let text = serde_json::to_string(&entry).unwrap();
            assert!(
                text.contains(&argv.to_string()[1..argv.to_string().len() - 1]),
                "{id}: {text}"
            );
            assert!(
                !text.contains("${") && !text.contains("env:"),
                "{id}: {text}"
            );
        }
    }

    /// A remote server with a credential header has an entry in every
    /// client under either delivery: the bridge under exec (also where
    /// env-ref falls back to exec), a reference under env-ref. No client
    /// leaves it out for want of a reference.
    #[test]
    fn a_secret_header_is_never_left_out() {
        let launcher = Launcher::bare();
        for delivery in [Delivery::Exec, Delivery::EnvRef] {
            for id in ClientId::ALL {
                let rendered = adapter(id)
                    .render(&secret_remote_server(), &cx(&launcher, delivery, Os::Linux));
                assert!(
                    rendered.entry.is_some(),
                    "{id} under {delivery:?}: {:?}",
                    rendered.notes
                );
            }
        }
    }
}
