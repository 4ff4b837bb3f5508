//! The floor for a crash-safe rewrite of a JSON file, for `scripts/bench`:
//! read it, validate it (serde `IgnoredAny`, no tree), write it to a
//! temporary file beside it, fsync, rename over it, fsync the directory.
//! Whatever mcpctl does beyond this is its own cost.
//!
//! Usage: crash-safe-floor FILE

use std::io::Write;

fn main() -> std::io::Result<()> {
    let path = std::path::PathBuf::from(
        std::env::args_os()
            .nth(1)
            .expect("usage: crash-safe-floor FILE"),
    );
    let bytes = std::fs::read(&path)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).map_err(std::io::Error::other)?;
    let dir = path.parent().expect("a file in a directory");
    let temp = dir.join(".floor.tmp");
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    std::fs::rename(&temp, &path)?;
    std::fs::File::open(dir)?.sync_all()
}
