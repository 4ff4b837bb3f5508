//! The daily reminder job, as each platform's scheduler wants it: a
//! systemd user service and timer on Linux, a launchd agent on macOS, a
//! Task Scheduler task on Windows — the files to write and the commands
//! that enable, disable and query them.
//!
//! Pure over a [`Host`], so all three are snapshot-tested on any OS.
//!
//! One reminder per manifest: every name carries a short hash of the
//! manifest's absolute path (`mcpctl-remind-1a2b3c4d`), so reminders of
//! two projects live side by side. The job runs
//! `<mcpctl> remind run -f <manifest>` with absolute paths, since a
//! scheduler starts it with no working directory or shell PATH to speak of.
//! systemd and launchd also get `MCPCTL_STATE_DIR`, so the job reads the
//! state this shell's mcpctl writes even when the scheduler's environment
//! lacks `XDG_STATE_HOME`; Task Scheduler tasks have no environment of
//! their own, and run with the user's (registry) environment.
//!
//! Missed runs are caught up: `Persistent=true` (systemd),
//! `StartWhenAvailable` (Task Scheduler); launchd runs a calendar job that
//! fell while the machine slept when it wakes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::host::{Host, Os};

/// Every reminder's name starts with this (units, agent label, task).
pub const PREFIX: &str = "mcpctl-remind-";

/// The time of day the job runs, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub hour: u8,
    pub minute: u8,
}

impl At {
    pub const DEFAULT: At = At { hour: 9, minute: 0 };
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl FromStr for At {
    type Err = String;

    fn from_str(text: &str) -> Result<At, String> {
        let bad = || format!("`{text}` is not a time of day: write HH:MM, 24-hour (e.g. 09:00)");
        let (hour, minute) = text.split_once(':').ok_or_else(bad)?;
        let number = |s: &str, max: u8| {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u8>().ok())
                .flatten()
                .filter(|n| *n <= max)
        };
        Ok(At {
            hour: number(hour, 23).ok_or_else(bad)?,
            minute: number(minute, 59).ok_or_else(bad)?,
        })
    }
}

/// A file of the reminder, as it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledFile {
    pub path: PathBuf,
    pub text: String,
    /// Task Scheduler reads its XML as UTF-16.
    pub utf16: bool,
}

impl ScheduledFile {
    pub fn bytes(&self) -> Vec<u8> {
        if self.utf16 {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(self.text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        } else {
            self.text.clone().into_bytes()
        }
    }
}

/// A scheduler command; `may_fail` when failing only means there was
/// nothing to undo (unloading an agent that is not loaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub argv: Vec<String>,
    pub may_fail: bool,
}

fn step(argv: &[&str]) -> Step {
    Step {
        argv: argv.iter().map(|a| (*a).to_owned()).collect(),
        may_fail: false,
    }
}

/// The reminder of one manifest on one machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    os: Os,
    name: String,
    dir: PathBuf,
    manifest: PathBuf,
    state_dir: PathBuf,
    /// The user id launchd's `gui/<uid>` domain names (macOS).
    uid: u32,
}

impl Reminder {
    /// The reminder of `manifest` (an absolute path) for the user `uid`.
    pub fn new(host: &Host, manifest: &Path, uid: u32) -> Reminder {
        let hash = crate::digest::sha256_hex(manifest.to_string_lossy().as_bytes());
        let name = format!("{PREFIX}{}", &hash[..8]);
        let dir = match host.os {
            Os::Linux => host.config_dir().join("systemd").join("user"),
            Os::Macos => host.home_join("Library/LaunchAgents"),
            // Task Scheduler keeps its own copy; ours is for `status`.
            Os::Windows => host.state_dir().join("remind"),
        };
        Reminder {
            os: host.os,
            name,
            dir,
            manifest: manifest.to_path_buf(),
            state_dir: host.state_dir(),
            uid,
        }
    }

    /// `mcpctl-remind-<hash>`: the units' base name, the agent's label, the task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the scheduler's files are (reminders of other manifests too).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The scheduler's own name for what is installed.
    pub fn scheduler(&self) -> &'static str {
        match self.os {
            Os::Linux => "systemd user manager",
            Os::Macos => "launchd",
            Os::Windows => "Task Scheduler",
        }
    }

    fn timer(&self) -> String {
        format!("{}.timer", self.name)
    }

    fn plist(&self) -> PathBuf {
        self.dir.join(format!("{}.plist", self.name))
    }

    fn task_xml(&self) -> PathBuf {
        self.dir.join(format!("{}.xml", self.name))
    }

    /// The files `install` writes, running `program` daily at `at`.
    pub fn files(&self, program: &str, at: At) -> Vec<ScheduledFile> {
        let manifest = self.manifest.to_string_lossy();
        let state_dir = self.state_dir.to_string_lossy();
        match self.os {
            Os::Linux => vec![
                utf8(self.dir.join(format!("{}.service", self.name)), {
                    let description = systemd_text(&format!(
                        "mcpctl: remind of credentials due for rotation in {manifest}"
                    ));
                    format!(
                        "# Written by `mcpctl remind install`; `mcpctl remind uninstall` removes it.\n\
                         [Unit]\n\
                         Description={description}\n\
                         \n\
                         [Service]\n\
                         Type=oneshot\n\
                         Environment={env}\n\
                         ExecStart={program} remind run -f {manifest}\n\
                         TimeoutStartSec=2min\n",
                        env = systemd_word(&format!("MCPCTL_STATE_DIR={state_dir}"), false),
                        program = systemd_word(program, true),
                        manifest = systemd_word(&manifest, true),
                    )
                }),
                utf8(self.dir.join(self.timer()), {
                    let description =
                        systemd_text(&format!("mcpctl: daily credential reminder for {manifest}"));
                    format!(
                        "# Written by `mcpctl remind install`; `mcpctl remind uninstall` removes it.\n\
                         [Unit]\n\
                         Description={description}\n\
                         \n\
                         [Timer]\n\
                         OnCalendar=*-*-* {at}:00\n\
                         Persistent=true\n\
                         \n\
                         [Install]\n\
                         WantedBy=timers.target\n"
                    )
                }),
            ],
            Os::Macos => {
                let args: String = [program, "remind", "run", "-f", &manifest]
                    .iter()
                    .map(|a| format!("\t\t<string>{}</string>\n", xml(a)))
                    .collect();
                vec![utf8(
                    self.plist(),
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
                         <!-- Written by `mcpctl remind install`; `mcpctl remind uninstall` removes it. -->\n\
                         <plist version=\"1.0\">\n\
                         <dict>\n\
                         \t<key>Label</key>\n\
                         \t<string>{label}</string>\n\
                         \t<key>ProgramArguments</key>\n\
                         \t<array>\n\
                         {args}\
                         \t</array>\n\
                         \t<key>EnvironmentVariables</key>\n\
                         \t<dict>\n\
                         \t\t<key>MCPCTL_STATE_DIR</key>\n\
                         \t\t<string>{state_dir}</string>\n\
                         \t</dict>\n\
                         \t<key>StartCalendarInterval</key>\n\
                         \t<dict>\n\
                         \t\t<key>Hour</key>\n\
                         \t\t<integer>{hour}</integer>\n\
                         \t\t<key>Minute</key>\n\
                         \t\t<integer>{minute}</integer>\n\
                         \t</dict>\n\
                         \t<key>ProcessType</key>\n\
                         \t<string>Background</string>\n\
                         </dict>\n\
                         </plist>\n",
                        label = xml(&self.name),
                        state_dir = xml(&state_dir),
                        hour = at.hour,
                        minute = at.minute,
                    ),
                )]
            }
            Os::Windows => {
                let arguments = ["remind", "run", "-f", &manifest]
                    .map(windows_arg)
                    .join(" ");
                let text = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n\
                     <!-- Written by `mcpctl remind install`; `mcpctl remind uninstall` removes it. -->\r\n\
                     <Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n\
                     \x20 <RegistrationInfo>\r\n\
                     \x20   <Description>{description}</Description>\r\n\
                     \x20   <URI>\\{name}</URI>\r\n\
                     \x20 </RegistrationInfo>\r\n\
                     \x20 <Triggers>\r\n\
                     \x20   <CalendarTrigger>\r\n\
                     \x20     <StartBoundary>2000-01-01T{at}:00</StartBoundary>\r\n\
                     \x20     <Enabled>true</Enabled>\r\n\
                     \x20     <ScheduleByDay>\r\n\
                     \x20       <DaysInterval>1</DaysInterval>\r\n\
                     \x20     </ScheduleByDay>\r\n\
                     \x20   </CalendarTrigger>\r\n\
                     \x20 </Triggers>\r\n\
                     \x20 <Principals>\r\n\
                     \x20   <Principal id=\"Author\">\r\n\
                     \x20     <LogonType>InteractiveToken</LogonType>\r\n\
                     \x20     <RunLevel>LeastPrivilege</RunLevel>\r\n\
                     \x20   </Principal>\r\n\
                     \x20 </Principals>\r\n\
                     \x20 <Settings>\r\n\
                     \x20   <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r\n\
                     \x20   <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\r\n\
                     \x20   <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\r\n\
                     \x20   <StartWhenAvailable>true</StartWhenAvailable>\r\n\
                     \x20   <ExecutionTimeLimit>PT5M</ExecutionTimeLimit>\r\n\
                     \x20   <Enabled>true</Enabled>\r\n\
                     \x20 </Settings>\r\n\
                     \x20 <Actions Context=\"Author\">\r\n\
                     \x20   <Exec>\r\n\
                     \x20     <Command>{program}</Command>\r\n\
                     \x20     <Arguments>{arguments}</Arguments>\r\n\
                     \x20   </Exec>\r\n\
                     \x20 </Actions>\r\n\
                     </Task>\r\n",
                    description = xml(&format!(
                        "mcpctl: daily reminder of credentials due for rotation in {manifest}"
                    )),
                    name = xml(&self.name),
                    program = xml(program),
                    arguments = xml(&arguments),
                );
                vec![ScheduledFile {
                    path: self.task_xml(),
                    text,
                    utf16: true,
                }]
            }
        }
    }

    /// Every path `uninstall` removes: the files `install` writes, and on
    /// Linux the link `systemctl enable` makes (it would dangle).
    pub fn paths(&self) -> Vec<PathBuf> {
        match self.os {
            Os::Linux => vec![
                self.dir.join(format!("{}.service", self.name)),
                self.dir.join(self.timer()),
                self.dir.join("timers.target.wants").join(self.timer()),
            ],
            Os::Macos => vec![self.plist()],
            Os::Windows => vec![self.task_xml()],
        }
    }

    /// A command that succeeds only when the scheduler can be reached
    /// (a systemd user manager runs; a macOS GUI session exists).
    pub fn probe(&self) -> Option<Vec<String>> {
        match self.os {
            Os::Linux => Some(step(&["systemctl", "--user", "show-environment"]).argv),
            Os::Macos => Some(step(&["launchctl", "print", &self.domain()]).argv),
            Os::Windows => None,
        }
    }

    fn domain(&self) -> String {
        format!("gui/{}", self.uid)
    }

    /// The commands that start the daily runs, after the files are written.
    pub fn enable(&self) -> Vec<Step> {
        match self.os {
            Os::Linux => vec![
                step(&["systemctl", "--user", "daemon-reload"]),
                step(&["systemctl", "--user", "enable", "--now", &self.timer()]),
            ],
            Os::Macos => vec![
                // A reinstall replaces the loaded agent.
                Step {
                    may_fail: true,
                    ..self.bootout()
                },
                step(&[
                    "launchctl",
                    "bootstrap",
                    &self.domain(),
                    &self.plist().to_string_lossy(),
                ]),
            ],
            Os::Windows => vec![step(&[
                "schtasks",
                "/Create",
                "/XML",
                &self.task_xml().to_string_lossy(),
                "/TN",
                &self.name,
                "/F",
            ])],
        }
    }

    fn bootout(&self) -> Step {
        step(&[
            "launchctl",
            "bootout",
            &format!("{}/{}", self.domain(), self.name),
        ])
    }

    /// The commands that stop the daily runs, before the files are removed.
    /// Each may fail when there is nothing to stop.
    pub fn disable(&self) -> Vec<Step> {
        let step = match self.os {
            Os::Linux => step(&["systemctl", "--user", "disable", "--now", &self.timer()]),
            Os::Macos => self.bootout(),
            Os::Windows => step(&["schtasks", "/Delete", "/TN", &self.name, "/F"]),
        };
        vec![Step {
            may_fail: true,
            ..step
        }]
    }

    /// The commands that make the scheduler forget removed files.
    pub fn after_removal(&self) -> Vec<Step> {
        match self.os {
            Os::Linux => vec![step(&["systemctl", "--user", "daemon-reload"])],
            Os::Macos | Os::Windows => Vec::new(),
        }
    }

    /// The command that shows what the scheduler knows of it (next run).
    pub fn query(&self) -> Vec<String> {
        match self.os {
            Os::Linux => {
                step(&[
                    "systemctl",
                    "--user",
                    "list-timers",
                    "--all",
                    "--no-pager",
                    &self.timer(),
                ])
                .argv
            }
            Os::Macos => {
                step(&[
                    "launchctl",
                    "print",
                    &format!("{}/{}", self.domain(), self.name),
                ])
                .argv
            }
            Os::Windows => step(&["schtasks", "/Query", "/TN", &self.name, "/FO", "LIST"]).argv,
        }
    }

    /// Whether `file_name` in [`Reminder::dir`] is the main file of some
    /// manifest's reminder.
    pub fn is_reminder_file(&self, file_name: &str) -> bool {
        let suffix = match self.os {
            Os::Linux => ".timer",
            Os::Macos => ".plist",
            Os::Windows => ".xml",
        };
        file_name.starts_with(PREFIX) && file_name.ends_with(suffix)
    }

    /// The main file of this reminder (its timer, agent or task XML).
    pub fn main_file(&self) -> PathBuf {
        match self.os {
            Os::Linux => self.dir.join(self.timer()),
            Os::Macos => self.plist(),
            Os::Windows => self.task_xml(),
        }
    }
}

fn utf8(path: PathBuf, text: String) -> ScheduledFile {
    ScheduledFile {
        path,
        text,
        utf16: false,
    }
}

/// One word of a systemd command line or assignment: double-quoted, with
/// C escapes, `%` doubled (specifiers) and, in `ExecStart=`, `$` doubled
/// (variable expansion).
fn systemd_word(text: &str, exec: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' if exec => out.push_str("$$"),
            c if c.is_control() && (c as u32) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Free text of a systemd setting: specifiers escaped, one line.
fn systemd_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect::<String>()
        .replace('%', "%%")
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// One argument of a Windows command line, as programs split it
/// (`CommandLineToArgvW`: quotes, and backslashes before a quote doubled).
fn windows_arg(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_owned();
    }
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            c => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::host;

    /// The files and commands of one platform, as one text to review.
    fn everything(reminder: &Reminder, program: &str, at: At) -> String {
        let mut out = String::new();
        for file in reminder.files(program, at) {
            out.push_str(&format!(
                "--- {}{}\n{}\n",
                file.path.display(),
                if file.utf16 { " (UTF-16LE)" } else { "" },
                file.text.replace("\r\n", "\n")
            ));
        }
        let show = |steps: Vec<Step>| {
            steps
                .iter()
                .map(|s| {
                    format!(
                        "{:?}{}",
                        s.argv,
                        if s.may_fail { " (may fail)" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        out.push_str(&format!("--- probe\n{:?}\n", reminder.probe()));
        out.push_str(&format!("--- enable\n{}\n", show(reminder.enable())));
        out.push_str(&format!("--- disable\n{}\n", show(reminder.disable())));
        out.push_str(&format!(
            "--- after removal\n{}\n",
            show(reminder.after_removal())
        ));
        out.push_str(&format!("--- query\n{:?}\n", reminder.query()));
        out.push_str(&format!(
            "--- removed by uninstall\n{:?}\n",
            reminder.paths()
        ));
        out
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "paths joined there use `\\`; the snapshots hold `/`"
    )]
    fn systemd_user_units() {
        let linux = host(
            Os::Linux,
            "/home/ada",
            &[("XDG_STATE_HOME", "/home/ada/.state")],
        );
        let reminder = Reminder::new(&linux, Path::new("/home/ada/src/team/mcpctl.kdl"), 1000);
        insta::assert_snapshot!(
            "systemd",
            everything(
                &reminder,
                "/home/ada/.cargo/bin/mcpctl",
                "7:30".parse().unwrap()
            )
        );
        let xdg = host(Os::Linux, "/home/ada", &[("XDG_CONFIG_HOME", "/cfg")]);
        assert_eq!(
            Reminder::new(&xdg, Path::new("/m.kdl"), 1000).dir(),
            Path::new("/cfg/systemd/user")
        );
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "paths joined there use `\\`; the snapshots hold `/`"
    )]
    fn launchd_agent() {
        let mac = host(Os::Macos, "/Users/ada", &[]);
        let reminder = Reminder::new(&mac, Path::new("/Users/ada/src/R&D team/mcpctl.kdl"), 501);
        insta::assert_snapshot!(
            "launchd",
            everything(&reminder, "/opt/homebrew/bin/mcpctl", At::DEFAULT)
        );
    }

    /// The agent as launchd reads it: parsed by a real plist parser
    /// (Python's `plistlib`), characters XML escapes included.
    #[cfg(unix)]
    #[test]
    fn the_launchd_agent_is_read_back_by_a_real_plist_parser() {
        let mac = host(Os::Macos, "/Users/ada", &[]);
        let manifest = "/Users/ada/src/R&D <team> \"x\"/mcpctl.kdl";
        let reminder = Reminder::new(&mac, Path::new(manifest), 501);
        let file = &reminder.files("/opt/homebrew/bin/mcpctl", "07:30".parse().unwrap())[0];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.plist");
        std::fs::write(&path, file.bytes()).unwrap();
        let parsed = std::process::Command::new("python3")
            .args([
                "-c",
                "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
            ])
            .arg(&path)
            .output();
        let parsed = match parsed {
            Ok(output) => output,
            Err(err) if std::env::var("MCPCTL_TEST_REQUIRE_REAL").as_deref() != Ok("1") => {
                eprintln!(
                    "SKIPPED the_launchd_agent_is_read_back_by_a_real_plist_parser: no python3 ({err})"
                );
                return;
            }
            Err(err) => panic!("python3: {err}"),
        };
        assert!(
            parsed.status.success(),
            "plistlib refused the agent: {}",
            String::from_utf8_lossy(&parsed.stderr)
        );
        let agent: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
        assert_eq!(agent["Label"], serde_json::json!(reminder.name));
        assert_eq!(
            agent["ProgramArguments"],
            serde_json::json!(["/opt/homebrew/bin/mcpctl", "remind", "run", "-f", manifest])
        );
        assert_eq!(
            agent["StartCalendarInterval"],
            serde_json::json!({"Hour": 7, "Minute": 30})
        );
        assert_eq!(
            agent["EnvironmentVariables"]["MCPCTL_STATE_DIR"],
            serde_json::json!(mac.state_dir().display().to_string())
        );
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "paths joined there use `\\`; the snapshots hold `/`"
    )]
    fn task_scheduler_task() {
        let win = host(
            Os::Windows,
            r"C:\Users\ada",
            &[("LOCALAPPDATA", r"C:\Users\ada\AppData\Local")],
        );
        let reminder = Reminder::new(&win, Path::new(r"C:\Users\ada\src\my team\mcpctl.kdl"), 0);
        insta::assert_snapshot!(
            "task_scheduler",
            everything(
                &reminder,
                r"C:\Users\ada\.cargo\bin\mcpctl.exe",
                "18:05".parse().unwrap()
            )
        );
        let bytes = reminder.files("mcpctl.exe", At::DEFAULT)[0].bytes();
        assert_eq!(&bytes[..4], &[0xFF, 0xFE, b'<', 0]);
    }

    #[test]
    fn one_reminder_per_manifest() {
        let linux = host(Os::Linux, "/home/ada", &[]);
        let a = Reminder::new(&linux, Path::new("/home/ada/a/mcpctl.kdl"), 1000);
        let b = Reminder::new(&linux, Path::new("/home/ada/b/mcpctl.kdl"), 1000);
        assert_ne!(a.name(), b.name());
        assert!(a.name().starts_with(PREFIX) && a.name().len() == PREFIX.len() + 8);
        assert_eq!(
            a,
            Reminder::new(&linux, Path::new("/home/ada/a/mcpctl.kdl"), 1000)
        );
        assert!(a.is_reminder_file(&format!("{}.timer", b.name())));
        assert!(!a.is_reminder_file(&format!("{}.service", b.name())));
    }

    #[test]
    fn awkward_paths_stay_one_word() {
        assert_eq!(
            systemd_word(r#"/a b/100%/$HOME/"q"\x"#, true),
            r#""/a b/100%%/$$HOME/\"q\"\\x""#
        );
        assert_eq!(systemd_word("a$b\n", false), r#""a$b\x0a""#);
        assert_eq!(systemd_text("50% done\nnext"), "50%% done?next");
        assert_eq!(windows_arg(r"C:\a b\"), r#""C:\a b\\""#);
        assert_eq!(windows_arg(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(windows_arg(r"C:\plain"), r"C:\plain");
        assert_eq!(windows_arg(""), r#""""#);
    }

    #[test]
    fn times_of_day() {
        assert_eq!("09:00".parse(), Ok(At::DEFAULT));
        assert_eq!("7:05".parse::<At>().unwrap().to_string(), "07:05");
        for bad in ["24:00", "12:60", "9", "09:0x", "", ":", "-1:00", "123:00"] {
            let err = bad.parse::<At>().unwrap_err();
            assert!(err.contains("HH:MM"), "{bad}: {err}");
        }
    }
}
