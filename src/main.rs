use std::process::ExitCode;

use clap::Parser;

use unroot::cli::Cli;
use unroot::{commands, exit, logging};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The log goes to a file only: the TUI owns the terminal, and batch output must stay
    // machine-readable. A log that cannot be opened is not worth failing the run for.
    let _log_guard = logging::init(cli.global.log_file.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("unroot: error: cannot start the async runtime: {err}");
            return ExitCode::from(exit::USAGE);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("unroot: error: {}", exit::error_line(&err));
            ExitCode::from(exit::code_of(&err))
        }
    }
}
