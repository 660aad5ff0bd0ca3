//! `unroot verify`.

use anyhow::Result;

use crate::cli::{GlobalArgs, VerifyArgs};

pub async fn run(global: &GlobalArgs, args: &VerifyArgs) -> Result<u8> {
    let _ = (global, args);
    anyhow::bail!("`unroot verify` is not built yet")
}
