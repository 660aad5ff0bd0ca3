//! Tracing to a log file, never to the terminal (the TUI owns it; batch output is parsed).

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

/// Keeps the log writer alive for the program's lifetime.
pub struct LogGuard;

/// Start logging to `path` or the default state file. Returns `None` (and logs nothing)
/// when the file cannot be opened: logging is a diagnostic aid, not a precondition.
pub fn init(path: Option<&Path>) -> Option<LogGuard> {
    let path = path.map(Path::to_path_buf).or_else(default_path)?;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).ok()?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let filter = EnvFilter::try_from_env("UNROOT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init()
        .ok()?;
    Some(LogGuard)
}

fn default_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("unroot").join("unroot.log"))
}
