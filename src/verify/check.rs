//! The result type every verify check returns, and the small helpers to make one.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One verified fact about the target, with what to do when it is not as planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Stable id: `podman-version`, `subuid`, or `container-running:web` per container.
    pub id: String,
    pub status: Status,
    /// What was found (and what was expected when they differ).
    pub message: String,
    /// The command or edit that fixes it; `None` when it passed.
    pub fix: Option<String>,
}

impl Check {
    pub fn pass(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            status: Status::Pass,
            message: message.into(),
            fix: None,
        }
    }

    pub fn warn(id: impl Into<String>, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            status: Status::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(id: impl Into<String>, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Counts per status, for the summary line and the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
}

impl Tally {
    pub fn of(checks: &[Check]) -> Self {
        let mut t = Tally::default();
        for c in checks {
            match c.status {
                Status::Pass => t.pass += 1,
                Status::Warn => t.warn += 1,
                Status::Fail => t.fail += 1,
            }
        }
        t
    }
}

/// `5.4.2` / `5.4` / `5.4.0-rc1` as comparable `(major, minor, patch)`.
pub fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let core = text
        .trim()
        .trim_start_matches('v')
        .split(['-', '~', '+', ' '])
        .next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(parse_version("5.4.2"), Some((5, 4, 2)));
        assert_eq!(parse_version("4.4"), Some((4, 4, 0)));
        assert_eq!(parse_version("5.10.0-rc1"), Some((5, 10, 0)));
        assert!(parse_version("5.10").unwrap() > parse_version("5.9.3").unwrap());
        assert_eq!(parse_version("five"), None);
    }
}
