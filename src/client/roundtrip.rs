//! `read` undoes `render`, for every client: any server, rendered in
//! either delivery for any OS, reads back as the same command or URL, the
//! same variables (credentials as references) and the same headers.
//! A client added to the table gets its line in `roundtrips!`.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;

use super::test_support::cx;
use super::{EntryTransport, EntryValue, Launcher, adapter};
use crate::host::Os;
use crate::manifest::{ClientId, CredentialHeader, Delivery, EnvValue, Server, Transport};

fn var() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9_]{0,8}"
}

/// Text that is no reference and no secret.
fn literal() -> impl Strategy<Value = String> {
    "[a-z0-9 .,-]{0,10}"
}

fn env() -> impl Strategy<Value = BTreeMap<String, EnvValue>> {
    let value = prop_oneof![
        literal().prop_map(|value| EnvValue::Literal { value }),
        var().prop_map(|credential| EnvValue::Credential { credential }),
    ];
    proptest::collection::btree_map(var(), value, 0..4)
}

fn stdio() -> impl Strategy<Value = Transport> {
    let command = "[a-z][a-z0-9_-]{0,8}(\\.exe)?".prop_filter("not what rendering adds", |c| {
        !c.starts_with("cmd") && !c.starts_with("mcpctl")
    });
    let args = proptest::collection::vec("[a-zA-Z0-9_./=@-]{0,10}", 0..4);
    (command, args).prop_map(|(command, args)| Transport::Stdio { command, args })
}

fn http() -> impl Strategy<Value = Transport> {
    let url = "https://[a-z]{1,8}\\.example/[a-z]{0,6}";
    let headers = proptest::collection::btree_map("X-[A-Z][a-z]{1,6}", "[a-z0-9]{1,8}", 0..3);
    let secret = (
        prop::sample::select(vec!["Authorization", "Api-Key"]),
        var(),
        prop::option::of(prop::sample::select(vec!["Bearer", "Token"])),
    )
        .prop_map(|(name, credential, scheme)| {
            (
                name.to_owned(),
                CredentialHeader {
                    credential,
                    scheme: scheme.map(str::to_owned),
                },
            )
        });
    (url, headers, prop::option::of(secret)).prop_map(|(url, headers, secret)| Transport::Http {
        url,
        headers,
        credential_headers: secret.into_iter().collect(),
    })
}

fn server() -> impl Strategy<Value = Server> {
    let stdio = (stdio(), env());
    let http = http().prop_map(|t| (t, BTreeMap::new()));
    ("[a-z][a-z0-9-]{0,8}", prop_oneof![stdio, http]).prop_map(|(name, (transport, env))| Server {
        name,
        description: None,
        transport,
        env,
        clients: ClientId::ALL.to_vec(),
        delivery: None,
        classification: None,
        external: false,
    })
}

fn delivery() -> impl Strategy<Value = Delivery> {
    prop::sample::select(vec![Delivery::Exec, Delivery::EnvRef])
}

fn os() -> impl Strategy<Value = Os> {
    prop::sample::select(vec![Os::Linux, Os::Macos, Os::Windows])
}

type Headers = BTreeMap<String, (Option<String>, EntryValue)>;

/// What reading the entry must give: the server's command or URL, its
/// variables, its headers.
fn expected(server: &Server) -> (EntryTransport, BTreeMap<String, EntryValue>, Headers) {
    let reference = |name: &str| EntryValue::Reference {
        name: name.to_owned(),
        file: false,
    };
    let env = server
        .env
        .iter()
        .map(|(var, value)| {
            let value = match value {
                EnvValue::Literal { value } => EntryValue::Literal(value.clone()),
                EnvValue::Credential { credential } => reference(credential),
            };
            (var.clone(), value)
        })
        .collect();
    match &server.transport {
        Transport::Stdio { command, args } => (
            EntryTransport::Stdio {
                command: command.clone(),
                args: args.clone(),
            },
            env,
            Headers::new(),
        ),
        Transport::Http {
            url,
            headers,
            credential_headers,
        } => {
            let mut all: Headers = headers
                .iter()
                .map(|(k, v)| (k.clone(), (None, EntryValue::Literal(v.clone()))))
                .collect();
            for (name, header) in credential_headers {
                all.insert(
                    name.clone(),
                    (header.scheme.clone(), reference(&header.credential)),
                );
            }
            (EntryTransport::Http { url: url.clone() }, env, all)
        }
    }
}

fn roundtrip(client: ClientId, server: &Server, delivery: Delivery, os: Os, owned: bool) {
    let adapter = adapter(client);
    let mut launcher = Launcher::bare();
    if owned {
        launcher = launcher.owned_by(Path::new("/project/mcpctl.kdl"));
    }
    let rendered = adapter.render(server, &cx(&launcher, delivery, os));
    // A server the client cannot have has no entry to read.
    let Some(entry) = rendered.entry else { return };
    let read = adapter
        .read(&entry)
        .unwrap_or_else(|| panic!("{client}: {entry} reads as nothing"));
    let env: BTreeMap<String, EntryValue> = read.env.into_iter().collect();
    let headers: Headers = read
        .headers
        .into_iter()
        .map(|h| (h.name, (h.scheme, h.value)))
        .collect();
    assert_eq!(
        (read.transport, env, headers),
        expected(server),
        "{client} {delivery:?} {os:?}: {entry}"
    );
}

macro_rules! roundtrips {
    ($($test:ident: $client:expr,)*) => {
        /// Every client has its line below.
        #[test]
        fn every_client_roundtrips() {
            let listed = [$($client),*];
            assert!(ClientId::ALL.iter().all(|c| listed.contains(c)), "{listed:?}");
        }

        proptest! {
            $(
                #[test]
                fn $test(server in server(), delivery in delivery(), os in os(), owned: bool) {
                    roundtrip($client, &server, delivery, os, owned);
                }
            )*
        }
    };
}

roundtrips! {
    claude_code: ClientId::ClaudeCode,
    claude_desktop: ClientId::ClaudeDesktop,
    vscode: ClientId::Vscode,
    cursor: ClientId::Cursor,
    windsurf: ClientId::Windsurf,
    codex: ClientId::Codex,
    gemini_cli: ClientId::GeminiCli,
    zed: ClientId::Zed,
    cline: ClientId::Cline,
    opencode: ClientId::Opencode,
    amazon_q: ClientId::AmazonQ,
    lm_studio: ClientId::LmStudio,
    copilot_cli: ClientId::CopilotCli,
    qwen_code: ClientId::QwenCode,
    augment: ClientId::Augment,
    amp: ClientId::Amp,
    kiro: ClientId::Kiro,
    junie: ClientId::Junie,
    roo_code: ClientId::RooCode,
    crush: ClientId::Crush,
    visual_studio: ClientId::VisualStudio,
    goose: ClientId::Goose,
    continue_: ClientId::Continue,
}
