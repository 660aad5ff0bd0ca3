//! `unroot` without a subcommand: the TUI on a terminal, else a printed summary.

use anyhow::Result;

use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs) -> Result<u8> {
    let _ = global;
    anyhow::bail!("the inventory summary is not built yet")
}
