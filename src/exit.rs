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
/// Several hosts were asked for and some of them failed (each named on stderr); the others
/// were read and written. When every host fails, the first host's own code is used instead.
pub const FLEET_PARTIAL: u8 = 4;

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

/// A parser's error message without the input values it quotes: serde writes
/// `invalid type: string "DB_PASSWORD=hunter2", expected a sequence`, and a string in the
/// wrong place is as likely a password as anything. Every quoted string becomes
/// `a string`; the message keeps what was expected and the caller names the field.
pub fn without_values(message: &str) -> String {
    const QUOTED: &str = "string \"";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(QUOTED) {
        out.push_str(&rest[..at]);
        out.push_str("a string");
        let after = &rest[at + QUOTED.len()..];
        rest = closing_quote(after).map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// Byte index of the first `"` not escaped by a backslash (serde quotes with `{:?}`).
fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// One line of a summary for a person on standard output, through the one sanitiser
/// (container names, users and paths in it come from the input).
pub fn stdout_line(line: &str) -> anyhow::Result<()> {
    write_stdout(&format!("{}\n", crate::render::text::one_line(line)))
}

/// One line for a person on standard error, through the one sanitiser. Never panics: a
/// closed stderr loses the message, not the run.
pub fn stderr_line(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{}", crate::render::text::one_line(line));
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_lose_their_quoted_values() {
        let cases = [
            (
                r#"invalid type: string "DB_PASSWORD=hunter2", expected a sequence"#,
                "invalid type: a string, expected a sequence",
            ),
            (
                r#"a: invalid value: string "x\"y\\" z", expected b; string "2""#,
                "a: invalid value: a string z\", expected b; a string",
            ),
            (r#"unterminated string "abc"#, "unterminated a string"),
            (
                "invalid type: integer `5`, expected a string",
                "invalid type: integer `5`, expected a string",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(without_values(input), want, "{input}");
        }
    }
}
