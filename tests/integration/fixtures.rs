//! Realistic client files to seed a sandbox with.

use std::fmt::Write;

/// A `~/.claude.json` like a real one: projects with history, settings,
/// and one server the user added by hand. About `projects` × 4 KiB.
pub fn claude_json(projects: usize) -> String {
    let mut out = String::from("{\n  \"numStartups\": 42,\n  \"theme\": \"dark\",\n");
    out.push_str("  \"mcpServers\": {\n    \"fetch\": {\n      \"type\": \"stdio\",\n");
    out.push_str(
        "      \"command\": \"uvx\",\n      \"args\": [\n        \"mcp-server-fetch\"\n      ],\n",
    );
    out.push_str("      \"env\": {}\n    }\n  },\n  \"projects\": {\n");
    for p in 0..projects {
        let _ = write!(
            out,
            "    \"/home/dev/src/project-{p}\": {{\n      \"allowedTools\": [],\n      \"history\": ["
        );
        for h in 0..20 {
            let sep = if h == 0 { "" } else { "," };
            let _ = write!(
                out,
                "{sep}\n        {{\n          \"display\": \"refactor the parser, step {h} \\\"quoted\\\" {{braces}}\",\n          \"pastedContents\": {{}}\n        }}"
            );
        }
        let sep = if p + 1 == projects { "" } else { "," };
        let _ = write!(
            out,
            "\n      ],\n      \"mcpServers\": {{}},\n      \"hasTrustDialogAccepted\": true\n    }}{sep}\n"
        );
    }
    out.push_str("  },\n  \"userID\": \"0123456789abcdef\"\n}\n");
    out
}

pub const VSCODE_MCP_JSON: &str = include_str!("../fixtures/vscode-mcp.json");
pub const CODEX_CONFIG_TOML: &str = include_str!("../fixtures/codex-config.toml");

/// Asserts that `after` is `before` with one contiguous region replaced:
/// every byte outside the edited region is unchanged.
pub fn assert_one_region_changed(before: &str, after: &str, what: &str) {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        prefix + suffix >= before.len(),
        "{what}: bytes outside the edited region changed \
         (common prefix {prefix}, common suffix {suffix}, old length {})\n--- after ---\n{after}",
        before.len()
    );
}
