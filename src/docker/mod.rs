//! The only code that talks to the Docker socket. Read-only: GET requests only.

/// Inventory progress, for the TUI's loading bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub inspected: usize,
    pub total: usize,
}
