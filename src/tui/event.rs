//! The producers of [`Msg`]s that are not keys: the inventory loader on its own task.
//!
//! The UI task never awaits the Docker socket: loading, inspecting and assessing happen
//! here and arrive as messages (progress, loaded, failed).

use std::collections::BTreeMap;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use crate::cli::GlobalArgs;
use crate::exit;
use crate::model::Inventory;
use crate::risk::{self, Assessment};
use crate::source;

use super::msg::Msg;
use super::state::{Loaded, RuleWords};

/// Assess the inventory and collect the catalog words: everything the screens need that
/// is derived once from the inventory. Runs off the UI task (on 1000 containers it is the
/// expensive part of start-up).
pub fn prepare(inventory: Inventory) -> Loaded {
    let assessment = risk::assess(&inventory);
    let words = words_for(&assessment);
    Loaded::new(inventory, assessment, words)
}

/// The catalog's words for every rule that fired (the same words `unroot scan` prints).
fn words_for(assessment: &Assessment) -> BTreeMap<String, RuleWords> {
    let catalog = risk::catalog::catalog();
    assessment
        .host_findings
        .iter()
        .chain(assessment.containers.iter().flat_map(|c| &c.findings))
        .filter_map(|f| catalog.get(&f.rule))
        .map(|info| {
            (
                info.id.clone(),
                RuleWords {
                    title: info.title.clone(),
                    explanation: info.explanation.clone(),
                    remedy_docker: info.remediation.docker.clone(),
                    remedy_podman: info.remediation.podman.clone(),
                },
            )
        })
        .collect()
}

/// Load the inventory on its own task; progress, the result or the error arrive as messages.
pub fn spawn_loader(global: GlobalArgs, tx: UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let (progress_tx, mut progress_rx) = unbounded_channel();
        let forward_tx = tx.clone();
        let forward = tokio::spawn(async move {
            while let Some(p) = progress_rx.recv().await {
                if forward_tx.send(Msg::Progress(p)).is_err() {
                    break;
                }
            }
        });
        let result = source::load(&global, Some(progress_tx)).await;
        // The sender went with `load`; the forwarder drains what is left and ends.
        let _ = forward.await;
        let msg = match result {
            Ok(inventory) => match tokio::task::spawn_blocking(move || prepare(inventory)).await {
                Ok(loaded) => Msg::Loaded(Box::new(loaded)),
                Err(err) => Msg::LoadFailed {
                    message: format!("assessing the inventory failed: {err}"),
                    code: exit::USAGE,
                },
            },
            Err(err) => Msg::LoadFailed {
                message: exit::error_line(&err),
                code: exit::code_of(&err),
            },
        };
        let _ = tx.send(msg);
    })
}
