//! Choose where the inventory comes from: `--demo`, `--snapshot FILE`, or the Docker socket.
//!
//! Snapshots are untrusted input (often copied from another host), so every way a file can
//! be wrong ends in one line that names the file, says what is wrong and where, and exits 2.

use std::path::Path;

use crate::cli::GlobalArgs;
use crate::docker::{self, Progress};
use crate::exit::Failure;
use crate::model::json::{bare_message, from_json};
use crate::model::{Inventory, SNAPSHOT_SCHEMA};

/// The demo host shipped inside the binary, so `unroot --demo` works without Docker.
pub const DEMO_SNAPSHOT: &str = include_str!("../assets/demo-snapshot.json");

/// Load the inventory the global flags point at. Docker errors carry exit code 3, bad
/// snapshot files exit code 2 (see [`crate::exit`]).
pub async fn load(
    global: &GlobalArgs,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
) -> anyhow::Result<Inventory> {
    let inventory = if global.demo {
        demo()
    } else if let Some(path) = &global.snapshot {
        read_snapshot(path)?
    } else {
        let endpoint = docker::Endpoint::resolve(&global.endpoint_selection())?;
        return read_endpoint(&endpoint, progress).await;
    };
    crate::logging::log_inventory(&inventory);
    Ok(inventory)
}

/// Read one Docker endpoint: the plain-TCP warning, the read, the log line. The one read
/// both a single host and every host of a fleet go through.
pub async fn read_endpoint(
    endpoint: &docker::Endpoint,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Progress>>,
) -> anyhow::Result<Inventory> {
    if let Some(warning) = endpoint.plain_tcp_warning() {
        tracing::warn!("{}", crate::render::text::one_line(&warning));
        // The TUI (it passes `progress`) shows it before taking the terminal.
        if progress.is_none() {
            crate::exit::stderr_line(&warning);
        }
    }
    let inventory = docker::read_inventory(endpoint, progress).await?;
    crate::logging::log_inventory(&inventory);
    Ok(inventory)
}

/// The embedded demo inventory. Its validity is checked by a unit test, so a broken asset
/// can never reach a release.
pub fn demo() -> Inventory {
    let mut inventory = parse_snapshot(DEMO_SNAPSHOT, "the embedded demo snapshot")
        .expect("the embedded demo snapshot is valid (tested)");
    inventory.source = "demo".to_owned();
    inventory
}

/// Read and parse a snapshot file: unroot's own format or raw `docker inspect` output.
pub fn read_snapshot(path: &Path) -> anyhow::Result<Inventory> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|err| {
        let what = match err.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            std::io::ErrorKind::IsADirectory => "is a directory, not a file".to_owned(),
            _ => err.to_string(),
        };
        Failure::usage(format!(
            "cannot read snapshot {shown}: {what} (create one with `unroot snapshot -o FILE`)"
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        Failure::usage(format!(
            "snapshot {shown} is not UTF-8 text (invalid byte at offset {}); is it a JSON snapshot?",
            err.utf8_error().valid_up_to()
        ))
    })?;
    parse_snapshot(&text, &format!("snapshot {shown}")).map_err(anyhow::Error::from)
}

/// Parse snapshot text. `what` names the input in error messages (`snapshot /path`).
pub fn parse_snapshot(text: &str, what: &str) -> Result<Inventory, Failure> {
    if text.trim().is_empty() {
        return Err(Failure::usage(format!(
            "{what} is empty; create one with `unroot snapshot -o FILE` or `docker inspect $(docker ps -aq) > FILE`"
        )));
    }
    // A valid snapshot costs one typed parse. The generic tree below (to tell a snapshot from
    // `docker inspect` output and name a wrong schema) and the path-tracking parse are for
    // input that fails: on 1000 containers they tripled the read.
    if text.trim_start().starts_with('{')
        && let Ok(inventory) = serde_json::from_str::<Inventory>(text)
        && inventory.schema == SNAPSHOT_SCHEMA
    {
        return Ok(inventory);
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        let kind = if err.is_eof() {
            "is truncated (JSON ends early)"
        } else {
            "is not valid JSON"
        };
        Failure::usage(format!(
            "{what} {kind} at line {}, column {}: {}",
            err.line(),
            err.column(),
            bare_message(&err)
        ))
    })?;
    match &value {
        serde_json::Value::Array(_) => docker::from_docker_inspect_json(text, what),
        serde_json::Value::Object(map) => {
            match map.get("schema").and_then(serde_json::Value::as_str) {
                Some(SNAPSHOT_SCHEMA) => {}
                Some(other) => {
                    return Err(Failure::usage(format!(
                        "{what} has schema `{other}`, but this unroot reads `{SNAPSHOT_SCHEMA}`; \
                         use a matching unroot version or take a new snapshot"
                    )));
                }
                None => {
                    return Err(Failure::usage(format!(
                        "{what} is not an unroot snapshot (no \"schema\" field) nor `docker inspect` \
                         output (a JSON array); take one with `unroot snapshot -o FILE`"
                    )));
                }
            }
            // Parse again from the text (not the Value) so field errors carry line/column.
            from_json::<Inventory>(text).map_err(|err| {
                Failure::usage(format!(
                    "{what} does not match schema {SNAPSHOT_SCHEMA} {err}"
                ))
            })
        }
        _ => Err(Failure::usage(format!(
            "{what} is neither an unroot snapshot (a JSON object) nor `docker inspect` output \
             (a JSON array)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::USAGE;

    fn err(text: &str) -> Failure {
        parse_snapshot(text, "snapshot x.json").unwrap_err()
    }

    #[test]
    fn demo_snapshot_parses_and_has_a_dozen_containers() {
        let inv = demo();
        assert_eq!(inv.schema, SNAPSHOT_SCHEMA);
        assert!(inv.containers.len() >= 12, "{}", inv.containers.len());
        assert!(!inv.images.is_empty() && !inv.networks.is_empty() && !inv.volumes.is_empty());
        // Every container's image is in the image list, so image-level facts are complete.
        for c in &inv.containers {
            assert!(inv.image_of(c).is_some(), "{} has no image entry", c.name);
        }
    }

    /// The hand-made demo must mean what normalization would have produced.
    #[test]
    fn demo_agrees_with_normalization() {
        use crate::docker::normalize::{caps, compose_info, user};
        for c in &demo().containers {
            let mut add = c.capabilities.added.clone();
            if c.capabilities.add_all && !c.privileged {
                add.push("ALL".into());
            }
            let mut drop = c.capabilities.dropped.clone();
            if c.capabilities.drop_all {
                drop.push("ALL".into());
            }
            assert_eq!(
                caps::capabilities(&add, &drop, c.privileged),
                c.capabilities,
                "{}",
                c.name
            );
            assert_eq!(user::user_spec(&c.user.raw), c.user, "{}", c.name);
            assert_eq!(compose_info(&c.labels), c.compose, "{}", c.name);
            let mut sorted = c.ports.clone();
            sorted.sort();
            assert_eq!(sorted, c.ports, "{}", c.name);
        }
    }

    #[test]
    fn empty_file_is_named_as_empty() {
        let e = err("  \n");
        assert_eq!(e.code, USAGE);
        assert!(
            e.message.contains("snapshot x.json is empty"),
            "{}",
            e.message
        );
    }

    #[test]
    fn truncated_json_says_where() {
        let e = err("{\n  \"schema\": \"unroot.snapshot/v1\",\n  \"containers\": [");
        assert_eq!(e.code, USAGE);
        assert!(e.message.contains("is truncated"), "{}", e.message);
        assert!(e.message.contains("line 3"), "{}", e.message);
    }

    #[test]
    fn malformed_json_says_line_and_column() {
        let e = err("{\n  \"schema\": unroot\n}");
        assert!(
            e.message.contains("is not valid JSON at line 2, column"),
            "{}",
            e.message
        );
        assert!(!e.message.contains(" at line 2 column"), "{}", e.message);
    }

    #[test]
    fn unknown_schema_is_named() {
        let e = err(r#"{"schema":"unroot.snapshot/v9","containers":[]}"#);
        assert!(e.message.contains("`unroot.snapshot/v9`"), "{}", e.message);
        assert!(e.message.contains(SNAPSHOT_SCHEMA), "{}", e.message);
    }

    #[test]
    fn missing_schema_is_not_a_snapshot() {
        let e = err(r#"{"containers":[]}"#);
        assert!(
            e.message.contains("not an unroot snapshot"),
            "{}",
            e.message
        );
    }

    #[test]
    fn wrong_field_type_says_where() {
        let e = err(
            "{\"schema\":\"unroot.snapshot/v1\",\"source\":\"x\",\"host\":{},\n\"containers\":[{\"name\":5}]}",
        );
        assert!(e.message.contains("does not match schema"), "{}", e.message);
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn scalar_json_is_rejected() {
        let e = err("42");
        assert!(
            e.message.contains("neither an unroot snapshot"),
            "{}",
            e.message
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_snapshot(Path::new("/nonexistent/unroot/x.json")).unwrap_err();
        assert_eq!(crate::exit::code_of(&e), USAGE);
        let msg = format!("{e:#}");
        assert!(
            msg.contains("/nonexistent/unroot/x.json: no such file"),
            "{msg}"
        );
    }

    #[test]
    fn round_trip_of_own_format() {
        let inv = demo();
        let text = serde_json::to_string_pretty(&inv).unwrap();
        let back = parse_snapshot(&text, "snapshot").unwrap();
        assert_eq!(back, inv);
    }
}
