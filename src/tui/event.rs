//! The producers of [`Msg`]s that are not keys: the inventory loader on its own task.
//!
//! The UI task never awaits the Docker socket: loading, inspecting and assessing happen
//! here and arrive as messages (progress, loaded, failed).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use crate::cli::GlobalArgs;
use crate::docker::events;
use crate::exit;
use crate::model::Inventory;
use crate::risk::{self, Assessment};
use crate::source;

use super::msg::Msg;
use super::state::{Loaded, RuleWords};
use super::update::REREAD_MAX;

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

/// Follow a live engine's events (not --snapshot or --demo, and not an endpoint that does
/// not resolve: the loader reports that) on their own task, forwarded as [`Msg::Engine`].
pub fn spawn_follower(global: &GlobalArgs, tx: UnboundedSender<Msg>) -> Option<JoinHandle<()>> {
    if global.demo || global.snapshot.is_some() {
        return None;
    }
    let endpoint = crate::docker::Endpoint::resolve(&global.endpoint_selection()).ok()?;
    Some(tokio::spawn(async move {
        let (events_tx, mut events_rx) = unbounded_channel();
        let forward = async {
            while let Some(event) = events_rx.recv().await {
                if tx.send(Msg::Engine(event)).is_err() {
                    break;
                }
            }
        };
        // One task for both: aborting it stops the follower too.
        tokio::select! {
            () = events::follow(endpoint, events_tx) => {}
            () = forward => {}
        }
    }))
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

/// Read the containers `read` again on the engine `global` names, drop `gone`, and answer
/// with the whole host as it is now, assessed off the UI task, as [`Msg::Reread`]. `base`
/// is the host the UI shows; the containers the events did not name keep their facts.
pub fn spawn_reread(
    global: &GlobalArgs,
    base: Arc<Loaded>,
    read: BTreeSet<String>,
    gone: BTreeSet<String>,
    generation: u64,
    tx: UnboundedSender<Msg>,
) -> JoinHandle<()> {
    let selection = global.endpoint_selection();
    tokio::spawn(async move {
        let result = async {
            let endpoint = crate::docker::Endpoint::resolve(&selection)?;
            let inventory = &base.inventory;
            let reread = crate::docker::read_containers(
                &endpoint,
                &read,
                &inventory.images,
                &inventory.host,
            )
            .await?;
            let mut inventory = inventory.clone();
            let mut gone = gone;
            gone.extend(reread.missing);
            inventory.apply_reread(reread.containers, &gone, reread.images);
            inventory.networks = reread.networks;
            inventory.volumes = reread.volumes;
            anyhow::Ok(inventory)
        }
        .await;
        let result = match result {
            Ok(inventory) => tokio::task::spawn_blocking(move || prepare(inventory))
                .await
                .map(Box::new)
                .map_err(|err| format!("assessing the inventory failed: {err}")),
            Err(err) => Err(exit::error_line(&err)),
        };
        let _ = tx.send(Msg::Reread { generation, result });
    })
}

/// What the run loop should start in answer to a request or an answer (see [`Loads`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A whole read ([`spawn_loader`]).
    Full,
    /// A re-read of these containers ([`spawn_reread`]), tagged with `generation`; any
    /// re-read still running is superseded (it was folded into this one).
    Reread {
        read: BTreeSet<String>,
        gone: BTreeSet<String>,
        generation: u64,
    },
}

/// Which reads are under way, so each event is read once and none is lost. Pure; the run
/// loop starts what it returns.
///
/// - At most one whole read runs, never aborted (so every answer is its own, and a busy
///   host cannot starve it by restarting it): asked again meanwhile, it runs once more
///   after it answers.
/// - Containers named while a whole read runs wait for its answer (it may have read them
///   before the event), then are re-read on top of it.
/// - A re-read asked while another runs replaces it with the union of both, on the host
///   the UI shows; the older answer is then dropped by its generation.
/// - Past [`REREAD_MAX`] containers pending, one whole read instead.
#[derive(Debug, Default)]
pub struct Loads {
    full_running: bool,
    full_again: bool,
    /// The containers of the re-read running (its generation is `generation`).
    rereading: Option<(BTreeSet<String>, BTreeSet<String>)>,
    /// Containers named while a whole read runs.
    deferred: Option<(BTreeSet<String>, BTreeSet<String>)>,
    generation: u64,
}

impl Loads {
    /// The first whole read is under way.
    pub fn loading() -> Self {
        Self {
            full_running: true,
            ..Self::default()
        }
    }

    /// A whole read is asked for (`r`, a stream back after a drop, a failed re-read).
    pub fn full(&mut self) -> Option<Start> {
        // Whatever was pending is older than the read about to start: it covers it.
        self.deferred = None;
        if self.full_running {
            self.full_again = true;
            return None;
        }
        self.start_full()
    }

    fn start_full(&mut self) -> Option<Start> {
        // It reads every container, the ones events named so far too.
        self.rereading = None;
        self.deferred = None;
        // Any re-read answer still on its way is older than this read.
        self.generation += 1;
        self.full_running = true;
        self.full_again = false;
        Some(Start::Full)
    }

    /// Engine events named these containers.
    pub fn reread(&mut self, read: BTreeSet<String>, gone: BTreeSet<String>) -> Option<Start> {
        if self.full_running {
            let (r, g) = self.deferred.get_or_insert_with(Default::default);
            r.extend(read);
            g.extend(gone);
            if r.len() + g.len() > REREAD_MAX {
                self.deferred = None;
                self.full_again = true;
            }
            return None;
        }
        let (mut all_read, mut all_gone) = self.rereading.take().unwrap_or_default();
        all_read.extend(read);
        all_gone.extend(gone);
        // A destroyed container needs no read, even one an earlier event asked for.
        all_read.retain(|id| !all_gone.contains(id));
        if all_read.len() + all_gone.len() > REREAD_MAX {
            return self.start_full();
        }
        self.generation += 1;
        self.rereading = Some((all_read.clone(), all_gone.clone()));
        Some(Start::Reread {
            read: all_read,
            gone: all_gone,
            generation: self.generation,
        })
    }

    /// The whole read answered (loaded or failed); what to start next, if anything.
    pub fn full_answered(&mut self) -> Option<Start> {
        self.full_running = false;
        if self.full_again {
            return self.start_full();
        }
        let (read, gone) = self.deferred.take()?;
        self.reread(read, gone)
    }

    /// A re-read answered: `true` if it is the latest (show it), `false` if a later one
    /// superseded it (drop it).
    pub fn reread_answered(&mut self, generation: u64) -> bool {
        if generation != self.generation || self.rereading.is_none() {
            return false;
        }
        self.rereading = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_reread_starts_at_once_and_its_answer_is_shown() {
        let mut loads = Loads::default();
        let start = loads.reread(ids(&["a"]), ids(&[]));
        assert_eq!(
            start,
            Some(Start::Reread {
                read: ids(&["a"]),
                gone: ids(&[]),
                generation: 1
            })
        );
        assert!(loads.reread_answered(1));
        assert!(!loads.reread_answered(1), "an answer is shown once");
    }

    #[test]
    fn a_second_reread_folds_in_the_first_and_drops_its_answer() {
        let mut loads = Loads::default();
        loads.reread(ids(&["a", "b"]), ids(&[]));
        let start = loads.reread(ids(&["c"]), ids(&["b"]));
        assert_eq!(
            start,
            Some(Start::Reread {
                read: ids(&["a", "c"]),
                gone: ids(&["b"]),
                generation: 2
            }),
            "the union, without the destroyed one"
        );
        assert!(
            !loads.reread_answered(1),
            "the superseded answer is dropped"
        );
        assert!(loads.reread_answered(2));
    }

    #[test]
    fn containers_named_during_a_whole_read_are_read_after_it() {
        let mut loads = Loads::loading();
        assert_eq!(loads.reread(ids(&["a"]), ids(&[])), None, "waits");
        assert_eq!(loads.reread(ids(&[]), ids(&["z"])), None);
        let next = loads.full_answered();
        assert_eq!(
            next,
            Some(Start::Reread {
                read: ids(&["a"]),
                gone: ids(&["z"]),
                generation: 1
            })
        );
        assert_eq!(loads.full_answered(), None, "nothing more pending");
    }

    #[test]
    fn a_whole_read_is_never_restarted_but_runs_again_after_it_answers() {
        let mut loads = Loads::loading();
        assert_eq!(loads.full(), None);
        loads.reread(ids(&["a"]), ids(&[]));
        assert_eq!(
            loads.full_answered(),
            Some(Start::Full),
            "asked again: once more"
        );
        assert_eq!(
            loads.full_answered(),
            None,
            "the second covers the deferred one"
        );
    }

    #[test]
    fn a_whole_read_supersedes_a_running_reread() {
        let mut loads = Loads::default();
        loads.reread(ids(&["a"]), ids(&[]));
        assert_eq!(loads.full(), Some(Start::Full));
        assert!(!loads.reread_answered(1), "the re-read's answer is older");
    }

    #[test]
    fn too_many_containers_at_once_make_one_whole_read() {
        let many: Vec<String> = (0..=REREAD_MAX).map(|i| format!("c{i}")).collect();
        let mut loads = Loads::default();
        loads.reread(many[..REREAD_MAX].iter().cloned().collect(), ids(&[]));
        let start = loads.reread(ids(&[&many[REREAD_MAX]]), ids(&[]));
        assert_eq!(start, Some(Start::Full), "the union passed the bound");
        let mut loads = Loads::loading();
        loads.reread(many.iter().cloned().collect(), ids(&[]));
        assert_eq!(loads.full_answered(), Some(Start::Full));
    }
}
