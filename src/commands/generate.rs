//! `unroot generate`.

use anyhow::Result;

use crate::cli::{GenerateArgs, GlobalArgs};

pub async fn run(global: &GlobalArgs, args: &GenerateArgs) -> Result<u8> {
    let _ = (global, args);
    anyhow::bail!("`unroot generate` is not built yet")
}
