//! Following the engine's event stream (`GET /events`, containers only) on its own task,
//! apart from the TUI's state (like oxker's docker actor): the TUI only receives typed
//! [`EngineEvent`]s over a channel. A burst of events (a compose project coming up) is
//! coalesced into one [`Changes`] after a short quiet spell, so the TUI reloads once.
//!
//! GET only, like the rest of this module. A dropped stream is reported and reconnected
//! with a doubling backoff; nothing here panics or ends the session.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use bollard::models::{EventMessage, EventMessageTypeEnum};
use bollard::query_parameters::EventsOptionsBuilder;
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

use super::Endpoint;
use super::connect::connect;
use crate::render::text::one_line;

/// How long the stream must stay quiet before a burst is handed over: long enough to
/// coalesce `docker compose up` into one reload, short enough to feel live.
pub const DEBOUNCE: Duration = Duration::from_millis(400);
/// The longest a burst is held back, so a host that never goes quiet still refreshes.
const MAX_HOLD: Duration = Duration::from_secs(2);
/// First and longest wait before reconnecting a dropped stream.
const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// The container actions that change what unroot reads (`exec_*`, `attach`, `top` and
/// health probes do not).
const ACTIONS: &[&str] = &[
    "create", "destroy", "rename", "update", "start", "die", "stop", "kill", "pause", "unpause",
    "restart",
];

/// Containers named in a burst of events: by name, what happened to them (the TUI keys its
/// edits by name and says what happened), and by ID, what to read again (the TUI re-reads
/// just those containers instead of the whole host).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub created: BTreeSet<String>,
    pub removed: BTreeSet<String>,
    pub changed: BTreeSet<String>,
    /// IDs of containers created or changed, to be read again.
    pub reread: BTreeSet<String>,
    /// IDs of containers destroyed: their rows go without a read.
    pub destroyed: BTreeSet<String>,
    /// IDs created within this burst (a create and a destroy within one burst cancel out).
    pub born: BTreeSet<String>,
    /// An event named no container ID: only a whole read is sure to catch what it did.
    pub unidentified: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.reread.is_empty()
            && self.destroyed.is_empty()
            && !self.unidentified
    }

    /// Add one event. A container created and removed within one burst is neither.
    pub fn add(&mut self, action: &str, id: Option<&str>, name: String) {
        match action {
            "create" => {
                self.removed.remove(&name);
                self.created.insert(name);
            }
            "destroy" => {
                if !self.created.remove(&name) {
                    self.removed.insert(name.clone());
                }
                self.changed.remove(&name);
            }
            _ if !self.created.contains(&name) => {
                self.changed.insert(name);
            }
            _ => {}
        }
        let Some(id) = id else {
            self.unidentified = true;
            return;
        };
        match action {
            "create" => {
                self.born.insert(id.to_owned());
                self.reread.insert(id.to_owned());
            }
            "destroy" => {
                self.reread.remove(id);
                if !self.born.remove(id) {
                    self.destroyed.insert(id.to_owned());
                }
            }
            _ if !self.destroyed.contains(id) => {
                self.reread.insert(id.to_owned());
            }
            _ => {}
        }
    }

    /// The containers to read again and to drop, when reading just those is enough: every
    /// event named its container's ID. `None`: only a whole read will do.
    pub fn targeted(&self) -> Option<(BTreeSet<String>, BTreeSet<String>)> {
        let named =
            !(self.created.is_empty() && self.removed.is_empty() && self.changed.is_empty());
        let identified = !(self.reread.is_empty() && self.destroyed.is_empty());
        if self.unidentified || (named && !identified) {
            return None;
        }
        Some((self.reread.clone(), self.destroyed.clone()))
    }
}

/// What the follower tells the TUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// Containers were created, removed or changed.
    Changes(Changes),
    /// The stream ended or could not be opened; the next try is in `retry_in`.
    Dropped { message: String, retry_in: Duration },
    /// The stream is open again after a drop: events in the gap were missed.
    Reconnected,
}

/// Follow the events of `endpoint` until the receiver goes away.
pub async fn follow(endpoint: Endpoint, tx: UnboundedSender<EngineEvent>) {
    let mut backoff = BACKOFF_START;
    // Every pass after the first follows a drop.
    let mut dropped = false;
    loop {
        let message = match connect(&endpoint).await {
            Err(failure) => failure.message,
            Ok(conn) => {
                if dropped && tx.send(EngineEvent::Reconnected).is_err() {
                    return;
                }
                backoff = BACKOFF_START;
                let filters = HashMap::from([("type", vec!["container"])]);
                let options = EventsOptionsBuilder::default().filters(&filters).build();
                let stream = conn.docker.events(Some(options));
                match pump(stream, &tx).await {
                    Pumped::ReceiverGone => return,
                    Pumped::Ended(message) => message,
                }
            }
        };
        dropped = true;
        let event = EngineEvent::Dropped {
            message: one_line(&format!(
                "the event stream of {endpoint} dropped: {message}"
            ))
            .into_owned(),
            retry_in: backoff,
        };
        if tx.send(event).is_err() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

enum Pumped {
    ReceiverGone,
    Ended(String),
}

/// Read events, handing each burst over once the stream has been quiet for [`DEBOUNCE`]
/// (or held for [`MAX_HOLD`]).
async fn pump(
    mut stream: impl futures::Stream<Item = Result<EventMessage, bollard::errors::Error>> + Unpin,
    tx: &UnboundedSender<EngineEvent>,
) -> Pumped {
    let mut pending = Changes::default();
    let mut held_since: Option<tokio::time::Instant> = None;
    loop {
        let quiet = match held_since {
            Some(since) => DEBOUNCE.min(MAX_HOLD.saturating_sub(since.elapsed())),
            // Nothing held: wait for the next event as long as it takes.
            None => Duration::from_secs(3600),
        };
        let next = tokio::time::timeout(quiet, stream.next()).await;
        match next {
            Err(_) => {
                if !pending.is_empty()
                    && tx
                        .send(EngineEvent::Changes(std::mem::take(&mut pending)))
                        .is_err()
                {
                    return Pumped::ReceiverGone;
                }
                held_since = None;
            }
            Ok(Some(Ok(event))) => {
                if let Some((action, name)) = container_change(&event) {
                    let id = event.actor.as_ref().and_then(|a| a.id.as_deref());
                    pending.add(&action, id.filter(|id| !id.is_empty()), name);
                    held_since.get_or_insert_with(tokio::time::Instant::now);
                }
            }
            Ok(Some(Err(err))) => return Pumped::Ended(one_line(&err.to_string()).into_owned()),
            Ok(None) => return Pumped::Ended("the engine closed it".into()),
        }
    }
}

/// The action and container name of an event that matters, or `None`. Docker names
/// actions like `exec_start: sh` with a suffix; only the word before `:` counts.
pub fn container_change(event: &EventMessage) -> Option<(String, String)> {
    if event.typ != Some(EventMessageTypeEnum::CONTAINER) {
        return None;
    }
    let action = event.action.as_deref()?.split(':').next()?.trim();
    if !ACTIONS.contains(&action) {
        return None;
    }
    let actor = event.actor.as_ref()?;
    let name = actor
        .attributes
        .as_ref()
        .and_then(|a| a.get("name"))
        .or(actor.id.as_ref())?;
    Some((action.to_owned(), name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EventActor;

    fn event(action: &str, name: &str) -> EventMessage {
        EventMessage {
            typ: Some(EventMessageTypeEnum::CONTAINER),
            action: Some(action.into()),
            actor: Some(EventActor {
                id: Some("abc123".into()),
                attributes: Some(HashMap::from([("name".to_owned(), name.to_owned())])),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn only_container_actions_that_change_facts_count() {
        assert_eq!(
            container_change(&event("create", "web")),
            Some(("create".into(), "web".into()))
        );
        assert_eq!(container_change(&event("exec_start: sh -c", "web")), None);
        assert_eq!(
            container_change(&event("health_status: healthy", "web")),
            None
        );
        let mut image = event("pull", "busybox");
        image.typ = Some(EventMessageTypeEnum::IMAGE);
        assert_eq!(container_change(&image), None);
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_burst_coalesces_by_container() {
        let mut c = Changes::default();
        c.add("create", Some("id-a"), "a".into());
        c.add("start", Some("id-a"), "a".into());
        c.add("die", Some("id-b"), "b".into());
        c.add("destroy", Some("id-b"), "b".into());
        c.add("create", Some("id-tmp"), "tmp".into());
        c.add("destroy", Some("id-tmp"), "tmp".into());
        c.add("update", Some("id-c"), "c".into());
        assert_eq!(c.created, set(&["a"]));
        assert_eq!(c.removed, set(&["b"]));
        assert_eq!(c.changed, set(&["c"]));
        // By ID: read a and c again, drop b; tmp came and went, nothing to do.
        assert_eq!(c.targeted(), Some((set(&["id-a", "id-c"]), set(&["id-b"]))));
    }

    /// A name reused within a burst (removed, then created again) is two containers: the
    /// old ID goes, the new one is read.
    #[test]
    fn a_name_reused_within_a_burst_is_two_containers() {
        let mut c = Changes::default();
        c.add("destroy", Some("old"), "web".into());
        c.add("create", Some("new"), "web".into());
        c.add("start", Some("new"), "web".into());
        assert_eq!(c.targeted(), Some((set(&["new"]), set(&["old"]))));
    }

    /// An event without an ID (or changes named only by name) cannot be re-read one by
    /// one: the TUI falls back to reading the whole host.
    #[test]
    fn an_event_without_an_id_asks_for_a_whole_read() {
        let mut c = Changes::default();
        c.add("start", Some("id-a"), "a".into());
        c.add("die", None, "b".into());
        assert!(c.unidentified);
        assert_eq!(c.targeted(), None);
        let by_name = Changes {
            created: set(&["late"]),
            ..Changes::default()
        };
        assert_eq!(by_name.targeted(), None);
        assert!(!by_name.is_empty());
    }

    #[tokio::test]
    async fn pump_hands_over_one_burst_then_reports_the_end() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let events = vec![Ok(event("create", "a")), Ok(event("start", "a"))];
        let stream = futures::stream::iter(events).chain(futures::stream::pending());
        let pump = tokio::spawn(async move { pump(Box::pin(stream), &tx).await });
        let got = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("a burst within the debounce")
            .unwrap();
        let EngineEvent::Changes(changes) = got else {
            panic!("{got:?}")
        };
        assert_eq!(changes.created, BTreeSet::from(["a".to_owned()]));
        assert_eq!(changes.targeted(), Some((set(&["abc123"]), set(&[]))));
        pump.abort();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let ended = pump_once(futures::stream::iter(vec![]), &tx).await;
        assert_eq!(ended, "the engine closed it");
    }

    async fn pump_once(
        stream: futures::stream::Iter<
            std::vec::IntoIter<Result<EventMessage, bollard::errors::Error>>,
        >,
        tx: &UnboundedSender<EngineEvent>,
    ) -> String {
        match pump(stream, tx).await {
            Pumped::Ended(m) => m,
            Pumped::ReceiverGone => "gone".into(),
        }
    }
}
