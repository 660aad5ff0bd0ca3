//! `unroot plan`.

use anyhow::Result;

use crate::cli::{GlobalArgs, PlanArgs};

pub async fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<u8> {
    let _ = (global, args);
    anyhow::bail!("`unroot plan` is not built yet")
}
