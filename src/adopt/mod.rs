//! Bringing an existing machine under management: moving plaintext
//! secrets into the store ([`import`]) and turning what is configured into
//! a manifest.

pub mod import;
pub mod init;

use crate::manifest::CredentialKind;

/// The kind of credential and the provider a scan rule points to.
pub fn kind_and_provider(rule: &str) -> (CredentialKind, Option<&'static str>) {
    use CredentialKind::*;
    match rule {
        "github-classic-pat" | "github-fine-grained-pat" => (PersonalAccessToken, Some("github")),
        "github-oauth-token" | "github-user-token" | "github-refresh-token" => {
            (OauthToken, Some("github"))
        }
        "github-app-token" => (OauthToken, Some("github")),
        "gitlab-pat" => (PersonalAccessToken, Some("gitlab")),
        "azure-devops-pat" => (PersonalAccessToken, Some("azure-devops")),
        "slack-token" | "slack-app-token" => (OauthToken, Some("slack")),
        "aws-access-key-id" | "aws-secret-access-key" => (AccessKey, Some("aws")),
        "sentry-org-token" | "sentry-user-token" => (PersonalAccessToken, Some("sentry")),
        "posthog-personal-api-key" => (ApiKey, Some("posthog")),
        "notion-token" => (ApiKey, Some("notion")),
        "figma-token" => (PersonalAccessToken, Some("figma")),
        "atlassian-api-token" => (ApiKey, Some("atlassian")),
        "terraform-cloud-token" => (ApiKey, Some("terraform")),
        "zapier-api-key" | "zapier-mcp-url" => (ApiKey, Some("zapier")),
        "openai-api-key" => (ApiKey, Some("openai")),
        "anthropic-api-key" => (ApiKey, Some("anthropic")),
        "google-api-key" => (ApiKey, Some("google")),
        "url-password" | "connection-string-password" => (ConnectionString, None),
        "jwt" => (OauthToken, None),
        _ => (Other, None),
    }
}
