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

/// The exit code for any error: a [`Failure`]'s own code, else usage/input (2).
pub fn code_of(err: &anyhow::Error) -> u8 {
    err.chain()
        .find_map(|e| e.downcast_ref::<Failure>())
        .map_or(USAGE, |f| f.code)
}

/// An error and its causes as the one line every front end prints (`main`'s
/// `unroot: error: ...`, the TUI's status and error screens): causes joined by `: `, and
/// every control or bidi character from an input value made visible by the one sanitiser,
/// so a hostile name in an error cannot break the line or drive the terminal.
pub fn error_line(err: &anyhow::Error) -> String {
    crate::render::text::one_line(&format!("{err:#}")).into_owned()
}
