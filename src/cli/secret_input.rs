//! Where a new secret value comes from on the command line: a hidden
//! prompt that says what the credential is for, an environment variable,
//! or standard input. Shared by `apply` (missing credentials) and `rotate`.
//! For a file credential (`kind file`) the prompt and the variable give the
//! file's *path*, and the value is the file's content.

use std::io::{BufRead, IsTerminal, Read, Write};

use crate::manifest::Credential;
use crate::store::Secret;

/// Asks on the terminal with hidden input, after saying why and what the
/// credential is. `Err` carries a hint for the user.
pub fn prompt_hidden(credential: &Credential, why: &str) -> Result<Secret, String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "there is no terminal to ask on; set `{0}` in the environment and pass `--from-env` \
             (apply: `--secrets-from-env`), or pipe the value with `--from-stdin`",
            credential.name
        ));
    }
    eprintln!();
    eprintln!("{why}");
    if let Some(description) = &credential.description {
        eprintln!("  what: {description}");
    }
    eprintln!("  kind: {}", credential.kind.as_str());
    if !credential.scopes.is_empty() {
        eprintln!("  scopes: {}", credential.scopes.join(", "));
    }
    if let Some(url) = &credential.create_at {
        eprintln!("  create it at {url}");
    }
    if credential.is_file() {
        return prompt_path(credential);
    }
    for _ in 0..3 {
        let value = rpassword::prompt_password(format!("{} (input hidden): ", credential.name))
            .map_err(|err| format!("reading the terminal failed: {err}"))?;
        let value = value.trim().to_owned();
        if !value.is_empty() {
            return Ok(Secret::new(value));
        }
        eprintln!("the value is empty; paste the token, or press Ctrl-C to stop");
    }
    Err("run the command again when you have the value".to_owned())
}

/// The value of the environment variable `var`.
pub fn from_env(var: &str) -> Result<Secret, String> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(Secret::new(value.trim().to_owned())),
        _ => Err(format!("set the environment variable `{var}` for this run")),
    }
}

/// Asks for the path of a file credential (visible input: a path is not
/// secret) and reads the file.
fn prompt_path(credential: &Credential) -> Result<Secret, String> {
    for _ in 0..3 {
        let answer = ask(&format!("Path of the file for `{}`: ", credential.name))?;
        match read_file(&answer) {
            Ok(secret) => return Ok(secret),
            Err(err) => eprintln!("{err}"),
        }
    }
    Err("run the command again with the path of the file".to_owned())
}

/// The content of the file whose path is in the environment variable `var`.
pub fn file_from_env(var: &str) -> Result<Secret, String> {
    match std::env::var(var) {
        Ok(path) if !path.trim().is_empty() => read_file(path.trim()),
        _ => Err(format!(
            "set the environment variable `{var}` to the file's path for this run"
        )),
    }
}

/// A file credential's content. Errors name the path, never the content.
pub fn read_file(path: &str) -> Result<Secret, String> {
    if path.is_empty() {
        return Err("no path given".to_owned());
    }
    let bytes = std::fs::read(path).map_err(|err| format!("cannot read `{path}`: {err}"))?;
    if bytes.is_empty() {
        return Err(format!("`{path}` is empty"));
    }
    String::from_utf8(bytes)
        .map(Secret::new)
        .map_err(|_| format!("`{path}` is not UTF-8 text; mcpctl stores text files only"))
}

/// Everything on standard input, without the trailing newline.
pub fn from_stdin() -> Result<Secret, String> {
    let mut value = String::new();
    std::io::stdin()
        .lock()
        .read_to_string(&mut value)
        .map_err(|err| format!("reading standard input failed: {err}"))?;
    let value = value.trim_end_matches(['\r', '\n']).to_owned();
    if value.is_empty() {
        return Err("standard input was empty; pipe the value in".to_owned());
    }
    Ok(Secret::new(value))
}

/// Asks for an optional expiry date on the terminal (Enter for none).
pub fn prompt_expiry(credential: &Credential) -> Result<Option<jiff::civil::Date>, String> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    for _ in 0..3 {
        let answer = ask(&format!(
            "When does the provider expire `{}`? YYYY-MM-DD, or Enter for never: ",
            credential.name
        ))?;
        let answer = answer.as_str();
        if answer.is_empty() {
            return Ok(None);
        }
        match parse_date(answer) {
            Ok(date) => return Ok(Some(date)),
            Err(err) => eprintln!("{err}"),
        }
    }
    Err("run the command again with a date like 2027-03-01".to_owned())
}

/// Shows `prompt` on stderr and reads one line (visible input), trimmed.
fn ask(prompt: &str) -> Result<String, String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|err| format!("reading the terminal failed: {err}"))?;
    Ok(answer.trim().to_owned())
}

/// A calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01"))
}
