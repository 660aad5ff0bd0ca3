//! `unroot` without a subcommand: the TUI on a terminal; otherwise (a pipe, a file, CI) the
//! scan table and a hint, so scripts never get a full-screen app they cannot drive.

use std::io::IsTerminal;

use anyhow::Result;

use crate::cli::{GlobalArgs, ScanArgs};

pub async fn run(global: &GlobalArgs) -> Result<u8> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        return crate::tui::run(global).await;
    }
    let args = ScanArgs {
        format: None,
        fail_on: None,
        filter: Vec::new(),
        plan: None,
    };
    let code = crate::commands::scan::run(global, &args).await?;
    eprintln!(
        "hint: standard output is not a terminal, so this is `unroot scan`; run `unroot` in a \
         terminal for the interactive session, or `unroot scan --format json` for machines"
    );
    Ok(code)
}
