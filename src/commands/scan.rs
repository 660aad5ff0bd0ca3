//! `unroot scan`.

use anyhow::Result;

use crate::cli::{GlobalArgs, ScanArgs};

pub async fn run(global: &GlobalArgs, args: &ScanArgs) -> Result<u8> {
    let _ = (global, args);
    anyhow::bail!("`unroot scan` is not built yet")
}
