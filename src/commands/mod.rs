//! Batch front end: one module per subcommand, all sharing the same pure core.

use anyhow::Result;

use crate::cli::{Cli, Command};

pub mod generate;
pub mod plan;
pub mod scan;
pub mod snapshot;
pub mod summary;
pub mod verify;

/// Run the parsed command line; returns the exit code.
pub async fn run(cli: Cli) -> Result<u8> {
    match &cli.command {
        Some(Command::Snapshot(args)) => snapshot::run(&cli.global, args).await,
        Some(Command::Scan(args)) => scan::run(&cli.global, args).await,
        Some(Command::Plan(args)) => plan::run(&cli.global, args).await,
        Some(Command::Generate(args)) => generate::run(&cli.global, args).await,
        Some(Command::Verify(args)) => verify::run(&cli.global, args).await,
        None => summary::run(&cli.global).await,
    }
}
