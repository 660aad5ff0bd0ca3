//! From bollard's API types to the plain model.

use crate::exit::Failure;
use crate::model::Inventory;

/// Raw `docker inspect` output (a JSON array of container inspects) as an inventory.
pub fn from_docker_inspect_json(text: &str, what: &str) -> Result<Inventory, Failure> {
    let _ = text;
    Err(Failure::usage(format!(
        "{what} looks like raw `docker inspect` output, which is not supported yet; use `unroot snapshot -o FILE`"
    )))
}
