//! Which variable names `mcpctl env` may export into a shell.
//!
//! With env-ref delivery each credential is exported under its own name at
//! every shell start, into the shell and every process started from it.
//! A name is chosen by the manifest, which is untrusted input, so a name
//! that changes how the shell, the dynamic loader, a language runtime or a
//! common tool behaves would let a manifest run code or redirect traffic in
//! every later command: `PROMPT_COMMAND` runs before each prompt,
//! `LD_PRELOAD` loads a library into every program, `NODE_OPTIONS`
//! `--require`s a script into every node. `validate` refuses such a
//! credential when some server could take it by env-ref, and `mcpctl env`
//! refuses to export one whatever its state says (a second lock on the
//! same door).
//!
//! The rule: refuse every variable a shell, the loader, a language runtime
//! or a widely used tool reads to decide *what code runs*, *where commands
//! and libraries are found*, *where configuration is read* or *which
//! network peers are trusted*. Names compare without regard to case:
//! Windows environment variables are case-insensitive (`Path` is `PATH`)
//! and zsh ties `path` to `PATH`. The list is generous on purpose; a
//! credential refused here loses nothing but its name — rename it
//! (`MCP_PROXY_URL`) and the client still hands it to the server under the
//! name the server expects (`env HTTPS_PROXY credential=MCP_PROXY_URL`).
//!
//! `exec` delivery (`mcpctl exec --env VAR=…`) and a server's own `env`
//! names are not checked: they set a variable only in the one server's
//! environment, and that server runs a command the same manifest chose and
//! the plan shows — `LD_PRELOAD` there grants nothing the `command` line
//! does not already have. The shell export is different because it reaches
//! programs the manifest did not choose.

/// Names that are refused exactly, and the prefixes whose every name is,
/// with the reason shown to the person.
struct Rule {
    exact: &'static [&'static str],
    prefixes: &'static [&'static str],
    reason: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        exact: &[
            "PATH",
            "CDPATH",
            "FPATH",
            "MANPATH",
            "MAILPATH",
            "MODULE_PATH",
            "IFS",
            "PS0",
            "PS1",
            "PS2",
            "PS3",
            "PS4",
            "PSVAR",
            "PROMPT",
            "PROMPT2",
            "PROMPT3",
            "PROMPT4",
            "RPROMPT",
            "RPROMPT2",
            "RPS1",
            "RPS2",
            "PROMPT_COMMAND",
            "ENV",
            "HOME",
            "SHELL",
            "SHELLOPTS",
            "BASHOPTS",
            "GLOBIGNORE",
            "HISTFILE",
            "INPUTRC",
            "ZDOTDIR",
            "POSIXLY_CORRECT",
            "TMOUT",
            "PSMODULEPATH",
            "COMSPEC",
            "PATHEXT",
            // zsh: run for a redirection without a command (`< file`).
            "NULLCMD",
            "READNULLCMD",
            // zsh prompts, expanded like PS1 (`$(…)` under PROMPT_SUBST).
            "SPROMPT",
            "PROMPT_EOL_MARK",
            "TMPPREFIX",
            "PSEXECUTIONPOLICYPREFERENCE",
        ],
        prefixes: &["BASH_", "FISH_"],
        reason: "changes how your shell behaves (what it runs, where it finds commands, what its prompt executes)",
    },
    Rule {
        exact: &[],
        prefixes: &["LD_", "DYLD_"],
        reason: "makes the dynamic loader load other libraries into every program",
    },
    Rule {
        exact: &[
            "NODE_OPTIONS",
            "NODE_PATH",
            "PERLLIB",
            "RUBYOPT",
            "RUBYLIB",
            "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "CLASSPATH",
            "LUA_INIT",
            "LUA_PATH",
            "LUA_CPATH",
            "TCLLIBPATH",
            "DOTNET_STARTUP_HOOKS",
            "GCONV_PATH",
            "OPENSSL_CONF",
            "OPENSSL_ENGINES",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "CARGO_BUILD_RUSTC_WRAPPER",
            "GOFLAGS",
            "MAVEN_OPTS",
            "GRADLE_OPTS",
            "PHPRC",
            "PHP_INI_SCAN_DIR",
        ],
        prefixes: &["PYTHON", "PERL5", "NPM_CONFIG_"],
        reason: "makes a language runtime or library load code it would not otherwise run",
    },
    Rule {
        exact: &[
            "EDITOR",
            "VISUAL",
            "PAGER",
            "MANPAGER",
            "BROWSER",
            "LESSOPEN",
            "LESSCLOSE",
            "SSH_ASKPASS",
            "SUDO_ASKPASS",
            "GIT_SSH",
            "GIT_SSH_COMMAND",
            "GIT_EXTERNAL_DIFF",
            "GIT_PAGER",
            "GIT_EDITOR",
            "GIT_SEQUENCE_EDITOR",
            "GIT_ASKPASS",
            "GIT_EXEC_PATH",
            "GIT_PROXY_COMMAND",
            "GIT_TEMPLATE_DIR",
            "GIT_DIR",
            "GIT_WORK_TREE",
        ],
        prefixes: &["GIT_CONFIG"],
        reason: "names a command other programs (git, man, sudo, …) run for you",
    },
    Rule {
        exact: &[
            "XDG_CONFIG_HOME",
            "XDG_CONFIG_DIRS",
            "XDG_DATA_HOME",
            "XDG_DATA_DIRS",
            "TMPDIR",
        ],
        prefixes: &[],
        reason: "moves where programs read their configuration and start-up files",
    },
    Rule {
        exact: &[
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "CURL_CA_BUNDLE",
            "REQUESTS_CA_BUNDLE",
            "NODE_EXTRA_CA_CERTS",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "GIT_SSL_NO_VERIFY",
            "SSLKEYLOGFILE",
            "HOSTALIASES",
            // Package indexes and proxies: the code the next install runs.
            "PIP_INDEX_URL",
            "PIP_EXTRA_INDEX_URL",
            "UV_INDEX_URL",
            "UV_EXTRA_INDEX_URL",
            "UV_DEFAULT_INDEX",
            "UV_INDEX",
            "GOPROXY",
            "GONOSUMDB",
            "GOSUMDB",
            "DOCKER_HOST",
            // The session bus: where the Secret Service, mcpctl's own
            // store, is reached.
            "DBUS_SESSION_BUS_ADDRESS",
            "DBUS_SYSTEM_BUS_ADDRESS",
        ],
        prefixes: &[],
        reason: "redirects network traffic or changes which servers are trusted",
    },
];

/// Why `name` must not be exported into a shell, or `None` when it may be.
pub fn refusal(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    RULES
        .iter()
        .find(|rule| {
            rule.exact.contains(&upper.as_str())
                || rule.prefixes.iter().any(|p| upper.starts_with(p))
        })
        .map(|rule| rule.reason)
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn names_that_change_shells_loaders_and_runtimes_are_refused() {
        for name in [
            "PATH",
            "path",
            "Path",
            "PROMPT_COMMAND",
            "PS1",
            "BASH_ENV",
            "ENV",
            "IFS",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "DYLD_INSERT_LIBRARIES",
            "NODE_OPTIONS",
            "PYTHONSTARTUP",
            "PERL5OPT",
            "GIT_SSH_COMMAND",
            "GIT_CONFIG_KEY_0",
            "EDITOR",
            "fish_user_paths",
            "HTTPS_PROXY",
            "XDG_CONFIG_HOME",
            // zsh runs these for a redirection without a command (`< f`).
            "NULLCMD",
            "READNULLCMD",
            "SPROMPT",
            "PSExecutionPolicyPreference",
            "RUSTC_WRAPPER",
            "GOFLAGS",
            "MAVEN_OPTS",
            // Where mcpctl itself (and every keyring client) stores values.
            "DBUS_SESSION_BUS_ADDRESS",
            "SSLKEYLOGFILE",
            "HOSTALIASES",
            "PIP_INDEX_URL",
            "UV_INDEX_URL",
            "GOPROXY",
            "DOCKER_HOST",
        ] {
            assert!(refusal(name).is_some(), "{name} was allowed");
        }
    }

    #[test]
    fn ordinary_credential_names_are_exported() {
        for name in [
            "GITHUB_TOKEN",
            "GIT_TOKEN",
            "SENTRY_TOKEN",
            "NPM_TOKEN",
            "OPENAI_API_KEY",
            "PSQL_PASSWORD",
            "PATH_TOKEN",
            "ENV_SECRET",
            "SLACK_BOT_TOKEN",
        ] {
            assert_eq!(refusal(name), None, "{name} was refused");
        }
    }
}
