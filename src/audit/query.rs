//! Reading the trail back for `mcpctl audit`: records filtered by time,
//! credential, server and action.

use std::path::Path;

use jiff::Timestamp;

use super::StoredRecord;

/// What to show; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub credential: Option<String>,
    pub server: Option<String>,
    /// An action (`store.read`) or a family (`store`, `alert`).
    pub action: Option<String>,
}

impl Filter {
    pub fn matches(&self, record: &StoredRecord) -> bool {
        let time = record.time.parse::<Timestamp>().ok();
        if let Some(since) = self.since
            && time.is_none_or(|t| t < since)
        {
            return false;
        }
        if let Some(until) = self.until
            && time.is_none_or(|t| t > until)
        {
            return false;
        }
        if let Some(credential) = &self.credential
            && record.target != *credential
        {
            return false;
        }
        if let Some(server) = &self.server
            && record.server.as_deref() != Some(server.as_str())
        {
            return false;
        }
        if let Some(action) = &self.action
            && record.action != *action
            && !record.action.starts_with(&format!("{action}."))
        {
            return false;
        }
        true
    }
}

/// The records of the trail at `path` that match, in order. Lines that do
/// not parse are skipped (`audit verify` reports them).
pub fn read_records(path: &Path, filter: &Filter) -> std::io::Result<Vec<StoredRecord>> {
    let text = match fs_err::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    Ok(text
        .lines()
        .filter_map(|line| serde_json::from_str::<StoredRecord>(line).ok())
        .filter(|record| filter.matches(record))
        .collect())
}
