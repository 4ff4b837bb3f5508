//! The programs that raise a desktop notification, per OS, as command lines
//! to run without a shell.
//!
//! Text never becomes code: `notify-send` takes title and body as
//! arguments; the AppleScript `osascript` runs reads them from its own
//! arguments (`on run argv`); the PowerShell toast script is a constant
//! that reads them from environment variables. No quoting rule of any
//! language is involved, whatever a credential is called.

use crate::host::Os;

use super::Notification;

/// One way to notify: a program, its arguments and extra environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notifier {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

/// The notifiers to try on `os`, in order: the first whose program exists
/// is used.
pub fn notifiers(os: Os, note: &Notification, user: Option<&str>) -> Vec<Notifier> {
    let plain = |argv: Vec<String>| Notifier {
        argv,
        env: Vec::new(),
    };
    match os {
        Os::Linux => vec![plain(vec![
            "notify-send".into(),
            "--app-name=mcpctl".into(),
            format!(
                "--urgency={}",
                if note.urgent { "critical" } else { "normal" }
            ),
            "--icon=dialog-password".into(),
            "--".into(),
            note.title.clone(),
            note.body.clone(),
        ])],
        Os::Macos => vec![plain(vec![
            "osascript".into(),
            "-e".into(),
            "on run argv".into(),
            "-e".into(),
            "display notification (item 2 of argv) with title (item 1 of argv)".into(),
            "-e".into(),
            "end run".into(),
            note.title.clone(),
            note.body.clone(),
        ])],
        Os::Windows => {
            let mut notifiers = vec![Notifier {
                argv: vec![
                    "powershell.exe".into(),
                    "-NoProfile".into(),
                    "-NonInteractive".into(),
                    "-WindowStyle".into(),
                    "Hidden".into(),
                    "-Command".into(),
                    POWERSHELL_TOAST.into(),
                ],
                env: vec![
                    ("MCPCTL_NOTIFY_TITLE".into(), note.title.clone()),
                    ("MCPCTL_NOTIFY_BODY".into(), note.body.clone()),
                ],
            }];
            // `msg` (Pro editions) pops a message box in the user's sessions.
            if let Some(user) = user {
                notifiers.push(plain(vec![
                    "msg.exe".into(),
                    user.to_owned(),
                    format!("{}\n\n{}", note.title, note.body),
                ]));
            }
            notifiers
        }
    }
}

/// A toast from Windows PowerShell 5.1, under PowerShell's own app id (a
/// toast needs a registered one); title and body come from the environment.
const POWERSHELL_TOAST: &str = "\
$ErrorActionPreference = 'Stop'; \
[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null; \
$xml = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastText02); \
$text = $xml.GetElementsByTagName('text'); \
$text.Item(0).AppendChild($xml.CreateTextNode($env:MCPCTL_NOTIFY_TITLE)) > $null; \
$text.Item(1).AppendChild($xml.CreateTextNode($env:MCPCTL_NOTIFY_BODY)) > $null; \
$app = '{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe'; \
[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($app).Show([Windows.UI.Notifications.ToastNotification]::new($xml))";

#[cfg(test)]
mod tests {
    use super::*;

    fn note() -> Notification {
        Notification {
            title: "mcpctl: rotate GITHUB_TOKEN".into(),
            body: "GITHUB_TOKEN: overdue by 3 days\nRun `mcpctl rotate GITHUB_TOKEN` (p).".into(),
            urgent: true,
        }
    }

    #[test]
    fn each_os_passes_the_text_as_data() {
        insta::assert_debug_snapshot!(
            "notifiers",
            [Os::Linux, Os::Macos, Os::Windows].map(|os| (os, notifiers(os, &note(), Some("ada"))))
        );
    }

    #[test]
    fn text_is_never_part_of_a_script() {
        let hostile = Notification {
            title: "\"' end run; do shell script \"x".into(),
            body: "$(x) `x` '; x".into(),
            urgent: false,
        };
        for os in [Os::Linux, Os::Macos, Os::Windows] {
            for notifier in notifiers(os, &hostile, None) {
                let scripts: Vec<&String> = notifier
                    .argv
                    .iter()
                    .filter(|a| **a != hostile.title && **a != hostile.body)
                    .collect();
                assert!(
                    scripts.iter().all(|a| !a.contains("shell script")),
                    "{os:?}: {scripts:?}"
                );
                assert!(
                    scripts.iter().all(|a| !a.contains("$(x)")),
                    "{os:?}: {scripts:?}"
                );
            }
        }
    }
}
