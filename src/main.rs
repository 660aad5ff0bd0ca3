use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use unroot::cli::Cli;
use unroot::render::text::one_line;
use unroot::{commands, exit, logging};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return clap_exit(&err),
    };
    // The log goes to a file only: the TUI owns the terminal, and batch output must stay
    // machine-readable. A log that cannot be opened is not worth failing the run for.
    let _log_guard = logging::init(cli.global.log_file.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            say(&format!("cannot start the async runtime: {err}"));
            return ExitCode::from(exit::USAGE);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`| head`, `| true`): nothing left to tell anyone.
        Err(err) if exit::is_stdout_closed(&err) => ExitCode::from(exit::OK),
        Err(err) => {
            let message = exit::error_line(&err);
            tracing::error!("{message}");
            say(&message);
            ExitCode::from(exit::code_of(&err))
        }
    }
}

/// `unroot: error: MESSAGE` on stderr. Never panics: a closed stderr loses the message,
/// not the exit code.
fn say(message: &str) {
    let _ = writeln!(std::io::stderr(), "unroot: error: {message}");
}

/// Help and version go to stdout as clap prints them (exit 0). Every usage error is one
/// line `unroot: error: ...` with clap's tips folded in, then the `--help` hint, exit 2.
fn clap_exit(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed stdout (`unroot --help | true`) is the reader's choice.
            let _ = err.print();
            ExitCode::from(exit::OK)
        }
        _ => {
            let line = clap_one_line(&err.render().to_string());
            let _ = writeln!(
                std::io::stderr(),
                "unroot: error: {line}\nFor more information, try '--help'."
            );
            ExitCode::from(exit::USAGE)
        }
    }
}

/// clap's several-line error as one line: the `error:` line, what it lists below it
/// (missing arguments, possible values) and its `tip:` lines, joined, every value through
/// [`one_line`]; the usage block and clap's own hint are dropped (the caller adds the hint).
fn clap_one_line(rendered: &str) -> String {
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect();
    let (tips, said): (Vec<&str>, Vec<&str>) = parts.iter().partition(|l| l.starts_with("tip:"));
    let joined = said.join(" ");
    let mut line = joined
        .strip_prefix("error:")
        .unwrap_or(&joined)
        .trim()
        .to_owned();
    if line.is_empty() {
        line = "invalid command line".to_owned();
    }
    if !tips.is_empty() {
        line = format!("{line} ({})", tips.join("; "));
    }
    one_line(&line).into_owned()
}
