//! `mcpctl schema`: write the JSON Schemas of the manifest model and of the
//! JSON plan. The checked-in copies in `schemas/` are compared with these
//! in the tests, so they cannot go stale.

use std::path::PathBuf;

use miette::{IntoDiagnostic, WrapErr};

use super::Outcome;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write `manifest.schema.json` and `plan.schema.json` into
    #[arg(long, default_value = "schemas", value_name = "DIR")]
    dir: PathBuf,
}

/// The schema files: (file name, contents).
pub fn files() -> [(&'static str, String); 2] {
    [
        ("manifest.schema.json", crate::manifest::json_schema()),
        ("plan.schema.json", crate::plan::json_schema()),
    ]
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    for (name, contents) in files() {
        let path = args.dir.join(name);
        fs_err::create_dir_all(&args.dir)
            .and_then(|()| fs_err::write(&path, contents.as_bytes()))
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write `{}`", path.display()))?;
        println!("wrote `{}`", path.display());
    }
    Ok(Outcome::Success)
}
