//! The machine mcpctl runs on: operating system, home, environment.
//!
//! Every path mcpctl derives (client files, its own state) is a pure
//! function of a [`Host`] value, so the rules for all three operating
//! systems can be tested on any of them, and tests run against a sandboxed
//! HOME simply by building a `Host` from their own environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The operating systems mcpctl knows the conventions of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::Macos
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// The account credentials are stored under ([`Host::account`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    /// How the name was chosen, when the user should hear it: `LOGNAME`
    /// names someone else.
    pub warning: Option<String>,
}

/// A snapshot of the facts about this machine that paths depend on.
#[derive(Debug, Clone)]
pub struct Host {
    pub os: Os,
    pub home: PathBuf,
    pub vars: BTreeMap<String, String>,
}

impl Host {
    /// The current process's view of the machine.
    pub fn from_process() -> Result<Host, HostError> {
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let os = Os::current();
        let home_var = if os == Os::Windows {
            "USERPROFILE"
        } else {
            "HOME"
        };
        let home = vars
            .get(home_var)
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .ok_or(HostError::NoHome { var: home_var })?;
        Ok(Host { os, home, vars })
    }

    /// The machine's name, for audit records: the kernel's host name,
    /// else `COMPUTERNAME` (Windows) or `HOSTNAME`, else `unknown`.
    pub fn name(&self) -> String {
        ["/proc/sys/kernel/hostname", "/etc/hostname"]
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
            .map(|s| s.trim().to_owned())
            .or_else(|| self.vars.get("COMPUTERNAME").cloned())
            .or_else(|| self.vars.get("HOSTNAME").cloned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".to_owned())
    }

    /// A non-empty environment variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A variable holding an absolute directory, else `None`. Relative
    /// values are ignored, as the XDG spec asks. Judged by the host's OS,
    /// not the one mcpctl was built for (`/tmp/st` has a root, but no
    /// drive, to Windows' `Path::is_absolute`).
    pub fn dir_var(&self, name: &str) -> Option<PathBuf> {
        self.var(name)
            .map(PathBuf::from)
            .filter(|p| p.has_root() || self.os == Os::Windows)
    }

    /// The account name credentials are stored under: `$USER`
    /// (`%USERNAME%` on Windows), as the credentials guide uses with
    /// `security add-generic-password -a`. Where it is unset (containers,
    /// `docker exec`, cron, some CI) the account this process runs as, as
    /// `whoami` names it; `LOGNAME` only when that cannot be looked up. A
    /// `LOGNAME` naming someone else comes back as a warning for the
    /// caller to show.
    pub fn account(&self) -> Result<Account, HostError> {
        let var = if self.os == Os::Windows {
            "USERNAME"
        } else {
            "USER"
        };
        if let Some(user) = self.var(var) {
            return Ok(Account {
                name: user.to_owned(),
                warning: None,
            });
        }
        let (account, warning) = account_without_user(process_account(), self.var("LOGNAME"), var);
        let name = account.ok_or(HostError::NoUser { var })?;
        Ok(Account { name, warning })
    }

    /// Per-user configuration root: `$XDG_CONFIG_HOME` or `~/.config` on
    /// Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
    /// Windows.
    pub fn config_dir(&self) -> PathBuf {
        match self.os {
            Os::Linux => self
                .dir_var("XDG_CONFIG_HOME")
                .unwrap_or_else(|| self.home.join(".config")),
            Os::Macos => self.home.join("Library").join("Application Support"),
            Os::Windows => self
                .dir_var("APPDATA")
                .unwrap_or_else(|| self.home.join("AppData").join("Roaming")),
        }
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`, on every OS: where tools that
    /// follow XDG on macOS too (Zed, opencode, fish) keep their settings.
    pub fn xdg_config_dir(&self) -> PathBuf {
        self.dir_var("XDG_CONFIG_HOME")
            .unwrap_or_else(|| self.home.join(".config"))
    }

    /// Where mcpctl keeps its own state (ownership records, backups, the
    /// audit trail): `$XDG_STATE_HOME/mcpctl` or `~/.local/state/mcpctl` on
    /// Linux, `~/Library/Application Support/mcpctl` on macOS,
    /// `%LOCALAPPDATA%\mcpctl` on Windows. `MCPCTL_STATE_DIR` overrides.
    pub fn state_dir(&self) -> PathBuf {
        if let Some(dir) = self.dir_var("MCPCTL_STATE_DIR") {
            return dir;
        }
        match self.os {
            Os::Linux => self
                .dir_var("XDG_STATE_HOME")
                .unwrap_or_else(|| self.home.join(".local").join("state"))
                .join("mcpctl"),
            Os::Macos => self.config_dir().join("mcpctl"),
            Os::Windows => self
                .dir_var("LOCALAPPDATA")
                .unwrap_or_else(|| self.home.join("AppData").join("Local"))
                .join("mcpctl"),
        }
    }

    /// This host with `home` as an empty home directory: every variable
    /// that points into a home or a config, data, state or cache directory is
    /// dropped, so all paths derive from `home` (`plan --offline`: what a
    /// new member's machine would get). `PATH`, the user name and the rest
    /// are kept.
    pub fn with_empty_home(&self, home: &Path) -> Host {
        const HOME_VARS: &[&str] = &[
            "HOME",
            "USERPROFILE",
            "XDG_CONFIG_HOME",
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XDG_CACHE_HOME",
            "APPDATA",
            "LOCALAPPDATA",
            "CODEX_HOME",
            "CLAUDE_CONFIG_DIR",
            "ZDOTDIR",
            "HISTFILE",
            "MCPCTL_STATE_DIR",
        ];
        let mut vars = self.vars.clone();
        vars.retain(|name, _| !HOME_VARS.contains(&name.as_str()));
        Host {
            os: self.os,
            home: home.to_path_buf(),
            vars,
        }
    }

    /// `~` followed by `rest`, for paths clients fix relative to home.
    pub fn home_join(&self, rest: impl AsRef<Path>) -> PathBuf {
        self.home.join(rest)
    }
}

/// The account to use when `user_var` is unset: the process's account,
/// else `LOGNAME`; and a warning when the two are known and differ.
fn account_without_user(
    process_account: Option<String>,
    logname: Option<&str>,
    user_var: &str,
) -> (Option<String>, Option<String>) {
    match (process_account, logname) {
        (Some(account), Some(logname)) if account != logname => {
            let warning = format!(
                "`{user_var}` is not set and `LOGNAME` is `{logname}`, but mcpctl runs as \
                 `{account}`; credential store entries are named for `{account}` \
                 (set `{user_var}` to choose)"
            );
            (Some(account), Some(warning))
        }
        (Some(account), _) => (Some(account), None),
        (None, logname) => (logname.map(str::to_owned), None),
    }
}

/// The name of the account this process runs as (its effective uid's, as
/// `whoami` says), from the user database.
#[cfg(unix)]
fn process_account() -> Option<String> {
    let mut buffer = vec![0u8; 1024];
    loop {
        // SAFETY: zeroed passwd and a null result pointer are valid
        // out-parameters; the buffer outlives the call and its length is
        // passed; pw_name points into the buffer and is read before it
        // changes.
        unsafe {
            let mut entry: libc::passwd = std::mem::zeroed();
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let code = libc::getpwuid_r(
                libc::geteuid(),
                &mut entry,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                &mut result,
            );
            if code == libc::ERANGE && buffer.len() < 1 << 20 {
                buffer.resize(buffer.len() * 2, 0);
                continue;
            }
            if code != 0 || result.is_null() || entry.pw_name.is_null() {
                return None;
            }
            let name = std::ffi::CStr::from_ptr(entry.pw_name).to_str().ok()?;
            return (!name.is_empty()).then(|| name.to_owned());
        }
    }
}

/// The name of the account this process runs as (`GetUserNameW`).
#[cfg(windows)]
fn process_account() -> Option<String> {
    use windows_sys::Win32::System::WindowsProgramming::GetUserNameW;
    // UNLEN (256) + 1.
    let mut buffer = [0u16; 257];
    let mut len = buffer.len() as u32;
    // SAFETY: the buffer and its length in characters are valid.
    if unsafe { GetUserNameW(buffer.as_mut_ptr(), &mut len) } == 0 || len == 0 {
        return None;
    }
    // `len` counts the terminating NUL.
    String::from_utf16(&buffer[..len as usize - 1]).ok()
}

#[cfg(not(any(unix, windows)))]
fn process_account() -> Option<String> {
    None
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HostError {
    #[error("`{var}` is not set, so mcpctl cannot find your home directory")]
    #[diagnostic(help("set `{var}` to your home directory and run the command again"))]
    NoHome { var: &'static str },

    #[error("`{var}` is not set, so mcpctl cannot name your credential store entries")]
    #[diagnostic(help("set `{var}` to your login name and run the command again"))]
    NoUser { var: &'static str },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(os: Os, home: &str, vars: &[(&str, &str)]) -> Host {
        Host {
            os,
            home: PathBuf::from(home),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn state_dir_follows_each_platform() {
        let linux = host(Os::Linux, "/home/ada", &[]);
        assert_eq!(
            linux.state_dir(),
            Path::new("/home/ada/.local/state/mcpctl")
        );
        let xdg = host(Os::Linux, "/home/ada", &[("XDG_STATE_HOME", "/tmp/st")]);
        assert_eq!(xdg.state_dir(), Path::new("/tmp/st/mcpctl"));
        let relative = host(Os::Linux, "/home/ada", &[("XDG_STATE_HOME", "rel")]);
        assert_eq!(
            relative.state_dir(),
            Path::new("/home/ada/.local/state/mcpctl")
        );
        let mac = host(Os::Macos, "/Users/ada", &[]);
        assert_eq!(
            mac.state_dir(),
            Path::new("/Users/ada/Library/Application Support/mcpctl")
        );
        let win = host(
            Os::Windows,
            r"C:\Users\ada",
            &[("LOCALAPPDATA", r"C:\Users\ada\AppData\Local")],
        );
        assert_eq!(
            win.state_dir(),
            PathBuf::from(r"C:\Users\ada\AppData\Local").join("mcpctl")
        );
    }

    #[test]
    fn an_empty_home_drops_every_directory_variable() {
        let real = host(
            Os::Linux,
            "/home/ada",
            &[
                ("XDG_CONFIG_HOME", "/home/ada/.cfg"),
                ("CODEX_HOME", "/home/ada/.codex"),
                ("MCPCTL_STATE_DIR", "/home/ada/st"),
                ("USER", "ada"),
            ],
        );
        let empty = real.with_empty_home(Path::new("/tmp/new"));
        assert_eq!(empty.config_dir(), Path::new("/tmp/new/.config"));
        assert_eq!(empty.state_dir(), Path::new("/tmp/new/.local/state/mcpctl"));
        assert_eq!(empty.var("CODEX_HOME"), None);
        assert_eq!(empty.account().unwrap().name, "ada");
    }

    #[test]
    fn user_comes_from_the_platform_variable() {
        assert_eq!(
            host(Os::Linux, "/h", &[("USER", "ada")])
                .account()
                .unwrap()
                .name,
            "ada"
        );
        assert_eq!(
            host(Os::Windows, "/h", &[("USERNAME", "ada")])
                .account()
                .unwrap()
                .name,
            "ada"
        );
        assert_eq!(
            host(Os::Linux, "/h", &[("USER", "ada"), ("LOGNAME", "bob")])
                .account()
                .unwrap()
                .name,
            "ada"
        );
    }

    #[test]
    fn without_user_the_process_account_is_used() {
        let account = || Some("ada".to_owned());
        assert_eq!(
            account_without_user(account(), None, "USER"),
            (Some("ada".to_owned()), None)
        );
        assert_eq!(
            account_without_user(account(), Some("ada"), "USER"),
            (Some("ada".to_owned()), None)
        );
        let (chosen, warning) = account_without_user(account(), Some("bob"), "USER");
        assert_eq!(chosen.as_deref(), Some("ada"));
        assert!(
            warning
                .unwrap()
                .contains("`LOGNAME` is `bob`, but mcpctl runs as `ada`")
        );
        assert_eq!(
            account_without_user(None, Some("bob"), "USER"),
            (Some("bob".to_owned()), None)
        );
        assert_eq!(account_without_user(None, None, "USER"), (None, None));
        // The real lookup answers for the account running the tests.
        assert!(host(Os::current(), "/h", &[]).account().is_ok());
    }
}
