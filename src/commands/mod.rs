//! Batch front end: one module per subcommand, all sharing the same pure core.

use anyhow::Result;

use crate::cli::{Cli, Command};

pub mod conventions;
pub mod generate;
pub mod plan;
pub mod scan;
pub mod snapshot;
pub mod summary;
pub mod verify;

/// Run the parsed command line; returns the exit code.
pub async fn run(cli: Cli) -> Result<u8> {
    let several = matches!(
        &cli.command,
        Some(Command::Scan(_) | Command::Plan(_) | Command::Generate(_))
    );
    if cli.global.is_fleet() && !several {
        return Err(crate::exit::Failure::usage(
            "several hosts (--hosts, repeated --docker-host/--context) work with scan, plan \
             and generate only; name one host for this command",
        )
        .into());
    }
    match &cli.command {
        Some(Command::Snapshot(args)) => snapshot::run(&cli.global, args).await,
        Some(Command::Scan(args)) => scan::run(&cli.global, args).await,
        Some(Command::Plan(args)) => plan::run(&cli.global, args).await,
        Some(Command::Generate(args)) => generate::run(&cli.global, args).await,
        Some(Command::Verify(args)) => verify::run(&cli.global, args).await,
        Some(Command::Completions(args)) => conventions::completions(args.shell),
        Some(Command::Man) => conventions::man(),
        None => summary::run(&cli.global).await,
    }
}
