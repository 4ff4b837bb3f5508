//! File credentials handed to a server as a private temporary file.
//!
//! Tools such as kubectl or Google's client libraries take a *path*
//! (`KUBECONFIG`, `GOOGLE_APPLICATION_CREDENTIALS`), not a value. `exec`
//! writes the value to a file only the user can read — mode `0600` inside a
//! fresh `0700` directory, under `$XDG_RUNTIME_DIR` (a per-user tmpfs that
//! never reaches disk) when there is one, else the temp directory — and
//! removes it when the server exits. The file lives exactly as long as the
//! [`SecretFile`]; dropping it deletes the directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::Secret;

pub struct SecretFile {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SecretFile {
    /// Writes `secret` to a new private file named after `var`.
    /// `runtime_dir` is `$XDG_RUNTIME_DIR`, when set.
    pub fn create(secret: &Secret, var: &str, runtime_dir: Option<&Path>) -> std::io::Result<Self> {
        let base = runtime_dir
            .filter(|dir| dir.is_dir())
            .map_or_else(std::env::temp_dir, Path::to_path_buf);
        // On Windows the per-user %TEMP% is already private to the user.
        let mut builder = tempfile::Builder::new();
        builder.prefix("mcpctl-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir_in(base)?;
        let path = dir.path().join(var);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        file.write_all(secret.expose().as_bytes())?;
        file.sync_all()?;
        Ok(SecretFile { path, _dir: dir })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::fmt::Debug for SecretFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretFile({})", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_while_held_and_gone_after() {
        let runtime = tempfile::tempdir().unwrap();
        let file = SecretFile::create(
            &Secret::new("apiVersion: v1\n".into()),
            "KUBECONFIG",
            Some(runtime.path()),
        )
        .unwrap();
        assert!(file.path().starts_with(runtime.path()));
        assert_eq!(
            fs_err::read_to_string(file.path()).unwrap(),
            "apiVersion: v1\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs_err::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(file.path()), 0o600);
            assert_eq!(mode(file.path().parent().unwrap()), 0o700);
        }
        let path = file.path().to_path_buf();
        drop(file);
        assert!(!path.exists() && !path.parent().unwrap().exists());
    }
}
