//! The CLI reference, generated from the clap definitions: a man page per
//! command (`man/`), one Markdown page (`docs/cli.md`) and the shell
//! completion scripts packages install (`completions/`). The checked-in
//! copies are compared with fresh ones in the tests, so the docs cannot
//! drift from the code; `mcpctl generate-reference` rewrites them.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Command, CommandFactory};
use miette::{IntoDiagnostic, WrapErr};

use super::{Cli, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for the man pages
    #[arg(long, default_value = "man", value_name = "DIR")]
    man_dir: PathBuf,

    /// Path of the Markdown reference
    #[arg(long, default_value = "docs/cli.md", value_name = "FILE")]
    markdown: PathBuf,

    /// Directory for the shell completion scripts packages install
    #[arg(long, default_value = "completions", value_name = "DIR")]
    completions_dir: PathBuf,
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    // Its defaults are the repository's paths: anywhere else they would
    // drop `man/`, `docs/` and `completions/` into whatever directory this is.
    let defaults = args.man_dir.as_os_str() == "man"
        && args.markdown.as_os_str() == "docs/cli.md"
        && args.completions_dir.as_os_str() == "completions";
    let in_repository = fs_err::read_to_string("Cargo.toml")
        .is_ok_and(|manifest| manifest.contains("\nname = \"mcpctl\"\n"));
    if defaults && !in_repository {
        miette::bail!(
            help = "run it in the root of mcpctl's repository (`cargo run -- generate-reference`), \
                    or name where to write with --man-dir, --markdown and --completions-dir",
            "this is not mcpctl's repository: nothing was written"
        );
    }
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = man_pages()
        .into_iter()
        .map(|(name, page)| (args.man_dir.join(name), page))
        .collect();
    outputs.push((args.markdown.clone(), markdown().into_bytes()));
    for (shell, file) in super::complete::FILES {
        outputs.push((
            args.completions_dir.join(file),
            super::complete::script(shell)?.into_bytes(),
        ));
    }
    for (path, contents) in outputs {
        if let Some(dir) = path.parent() {
            fs_err::create_dir_all(dir).into_diagnostic()?;
        }
        fs_err::write(&path, contents)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write `{}`", path.display()))?;
        println!("wrote `{}`", path.display());
    }
    Ok(Outcome::Success)
}

/// Visible commands, depth first, each with its full name (`mcpctl audit verify`).
fn commands() -> Vec<(String, Command)> {
    fn walk(prefix: &str, command: &Command, out: &mut Vec<(String, Command)>) {
        let name = if prefix.is_empty() {
            command.get_name().to_owned()
        } else {
            format!("{prefix} {}", command.get_name())
        };
        out.push((name.clone(), command.clone()));
        let documented = |s: &&Command| !s.is_hide_set() && s.get_name() != "help";
        for sub in command.get_subcommands().filter(documented) {
            walk(&name, sub, out);
        }
    }
    // The plain version: `--version` names the git commit, which would
    // make the checked-in pages stale at every commit.
    let mut root = Cli::command().version(env!("CARGO_PKG_VERSION"));
    root.build();
    let mut out = Vec::new();
    walk("", &root, &mut out);
    out
}

/// `(file name, roff)` for every visible command.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    commands()
        .into_iter()
        .map(|(name, command)| {
            let file = format!("{}.1", name.replace(' ', "-"));
            let synopsis = synopsis(&name, &command);
            let command = command
                .name(name.replace(' ', "-"))
                .override_usage(synopsis);
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .expect("rendering to memory cannot fail");
            (file, page)
        })
        .collect()
}

/// A man page's SYNOPSIS line, `mcpctl plan [-f|--manifest PATH] [--out
/// FILE] …`: clap_mangen's own names each option without the value it
/// takes (`[--out]`), which reads as a flag.
fn synopsis(name: &str, command: &Command) -> String {
    let mut line = name.to_owned();
    // Options first, then what stands alone: clap lists them as declared.
    let (positionals, options): (Vec<_>, Vec<_>) = command
        .get_arguments()
        .filter(|a| !a.is_hide_set())
        .partition(|a| a.is_positional());
    for arg in options.into_iter().chain(positionals) {
        let value = arg
            .get_value_names()
            .map(|names| names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap_or_else(|| vec![arg.get_id().to_string().to_uppercase()])
            .join(" ");
        let spelled = match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => format!("-{short}|--{long}"),
            (Some(short), None) => format!("-{short}"),
            (None, Some(long)) => format!("--{long}"),
            (None, None) => value.clone(),
        };
        let spelled = if arg.is_last_set() {
            format!("-- {spelled}")
        } else if arg.is_positional() || !arg.get_action().takes_values() {
            spelled
        } else {
            format!("{spelled} {value}")
        };
        let many = if matches!(arg.get_action(), clap::ArgAction::Count)
            || (arg.is_positional() && arg.get_num_args().is_some_and(|n| n.max_values() > 1))
        {
            "..."
        } else {
            ""
        };
        line += &if arg.is_required_set() {
            format!(" <{spelled}>{many}")
        } else {
            format!(" [{spelled}]{many}")
        };
    }
    if command.get_subcommands().any(|s| !s.is_hide_set()) {
        line += if command.is_subcommand_required_set() {
            " <COMMAND>"
        } else {
            " [COMMAND]"
        };
    }
    line
}

/// The Markdown reference of every visible command.
pub fn markdown() -> String {
    let mut out = String::from(
        "# mcpctl command reference\n\n\
         Generated from the command definitions; do not edit by hand: in mcpctl's repository, \
         `cargo run -- generate-reference` rewrites this page, `man/` and `completions/`.\n",
    );
    for (name, mut command) in commands() {
        let _ = write!(out, "\n## `{name}`\n\n");
        if let Some(about) = command.get_long_about().or(command.get_about()) {
            let _ = writeln!(out, "{about}\n");
        }
        let usage = command.render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ");
        let _ = writeln!(out, "```text\n{usage}\n```\n");
        let args: Vec<_> = command
            .get_arguments()
            .filter(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version")
            .collect();
        if args.is_empty() {
            continue;
        }
        for arg in args {
            let mut spelled = Vec::new();
            if let Some(short) = arg.get_short() {
                spelled.push(format!("-{short}"));
            }
            if let Some(long) = arg.get_long() {
                spelled.push(format!("--{long}"));
            }
            // An option that takes a value shows its placeholder:
            // `-f, --manifest <PATH>`.
            let value = arg
                .get_value_names()
                .filter(|_| !spelled.is_empty() && arg.get_action().takes_values())
                .map(|names| {
                    let names: Vec<String> = names.iter().map(|n| format!("<{n}>")).collect();
                    format!(" {}", names.join(" "))
                })
                .unwrap_or_default();
            if spelled.is_empty() {
                let names = arg
                    .get_value_names()
                    .map(|v| {
                        v.iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
                spelled.push(format!("<{names}>"));
            }
            let help = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string().replace('\n', " "))
                .unwrap_or_default();
            let _ = writeln!(out, "- `{}{value}`: {help}", spelled.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synopsis_of(name: &str) -> String {
        let (_, command) = commands()
            .into_iter()
            .find(|(n, _)| n == name)
            .expect("a visible command");
        synopsis(name, &command)
    }

    #[test]
    fn the_synopsis_names_what_each_option_takes() {
        let plan = synopsis_of("mcpctl plan");
        assert!(plan.starts_with("mcpctl plan ["), "{plan}");
        assert!(plan.contains(" [--out FILE] "), "{plan}");
        assert!(plan.contains(" [-f|--manifest PATH] "), "{plan}");
        // A flag takes nothing.
        assert!(plan.contains(" [--json] "), "{plan}");
        let exec = synopsis_of("mcpctl exec");
        assert!(exec.contains(" <--server NAME> "), "{exec}");
        assert!(exec.ends_with(" [-- COMMAND]..."), "{exec}");
        let apply = synopsis_of("mcpctl apply");
        assert!(apply.ends_with(" [PLAN]"), "{apply}");
        assert!(synopsis_of("mcpctl").ends_with(" <COMMAND>"));
        assert!(synopsis_of("mcpctl audit").ends_with(" [COMMAND]"));
    }
}
