//! Documented exit codes and the error type that carries one to `main`.
//!
//! Errors anywhere are `anyhow::Error`; the ones that must end in a specific exit code are
//! wrapped in [`Failure`] so `main` can pick the code and print one line.

use std::fmt;

/// Success.
pub const OK: u8 = 0;
/// A policy threshold was reached (`--fail-on`, `--fail-on-blockers`, a failed verify check).
pub const POLICY: u8 = 1;
/// Usage or input error (bad flag value, malformed snapshot or plan, unwritable output).
pub const USAGE: u8 = 2;
/// The Docker engine is unreachable or unusable (no socket, permission, not Docker, too old).
pub const DOCKER_UNREACHABLE: u8 = 3;

/// An error that ends the program with a specific exit code and a one-line message.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    pub fn docker(message: impl Into<String>) -> Self {
        Self {
            code: DOCKER_UNREACHABLE,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Standard output was closed by its reader (`unroot generate ... | head -1`, `| true`).
/// Not a failure worth a message: `main` ends quietly with [`OK`], as `cat` and `grep` do.
/// A type of its own so a broken pipe to the Docker socket is never mistaken for it.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Whether the run ended because its reader closed standard output.
pub fn is_stdout_closed(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<StdoutClosed>())
}

/// Write `text` to standard output and flush. A closed pipe becomes [`StdoutClosed`] (never
/// `println!`'s panic); any other failure is a usage error naming standard output.
pub fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(Failure::usage(format!("cannot write to standard output: {e}")).into()),
    }
}

/// The exit code for any error: a [`Failure`]'s own code, else usage/input (2).
pub fn code_of(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(USAGE, |f| f.code)
}
