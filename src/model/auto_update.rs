//! Image watchers: containers that pull new images and recreate other containers
//! (Watchtower and its kin), and which containers they watch.
//!
//! The one place that recognises them, because several decisions depend on it: a watched
//! container is not pinned to the digest it runs today (its operator chose moving tags),
//! and the Podman-native replacement (`AutoUpdate=`) starts from the same answer.

use serde::{Deserialize, Serialize};

use super::host_path::is_runtime_socket;
use super::image_ref::{has_digest, is_local};
use super::{Container, Inventory, MountKind};

/// Why a watcher is left out of the migration: the plan's comment, REPORT.md and the docs
/// say the same.
pub const WATCHER_REPLACED: &str = "replaced by podman-auto-update.timer; Watchtower needs \
     the Docker socket to pull images and recreate containers (root on the host), while \
     rootless Podman updates the containers it watched itself: their units get AutoUpdate= \
     and migrate.sh enables the user's podman-auto-update.timer";

/// Podman's own image updates, per container (`AutoUpdate=` in the unit, applied by the
/// user's `podman-auto-update.timer`): the replacement for a watcher that recreated the
/// container through the Docker socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoUpdate {
    /// No `AutoUpdate=`: the container keeps the image it was started with.
    #[default]
    Off,
    /// `AutoUpdate=registry`: pull the tag, restart when its digest changed.
    Registry,
    /// `AutoUpdate=local`: restart when the local image of that name changed (a locally
    /// built image no registry serves).
    Local,
}

impl AutoUpdate {
    /// The value of `AutoUpdate=` (and of the `io.containers.autoupdate` label it sets).
    pub fn value(self) -> Option<&'static str> {
        match self {
            Self::Off => None,
            Self::Registry => Some("registry"),
            Self::Local => Some("local"),
        }
    }

    pub fn is_off(&self) -> bool {
        *self == Self::Off
    }

    /// What unroot proposes: off unless a watcher updates `c` today; then `local` for an
    /// image that exists only locally (no registry digest: it is copied, not pulled) and
    /// `registry` otherwise. A reference by digest cannot move, so it stays off.
    pub fn proposed(inventory: &Inventory, c: &Container) -> Self {
        if has_digest(&c.image) || !is_auto_updated(inventory, c) {
            Self::Off
        } else if is_local(&c.image, inventory.image_of(c)) {
            Self::Local
        } else {
            Self::Registry
        }
    }
}

/// Label Watchtower sets on its own container.
pub const WATCHTOWER_SELF_LABEL: &str = "com.centurylinklabs.watchtower";
/// Label opting a container in (`true`, required under `--label-enable`) or out (`false`).
pub const WATCHTOWER_ENABLE_LABEL: &str = "com.centurylinklabs.watchtower.enable";

/// Image names (last path component, without tag) of watchers that update other
/// containers through the runtime socket. Notifiers that only report (diun) are not here:
/// they change nothing.
const WATCHER_IMAGES: &[&str] = &["watchtower", "ouroboros"];

/// Whether `c` is an image watcher: a known watcher image, or Watchtower's own label, and
/// the runtime socket mounted (without it, it cannot recreate anything).
pub fn is_watcher(c: &Container) -> bool {
    let image_name = c
        .image
        .split('@')
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let image_name = image_name.split(':').next().unwrap_or_default();
    let known = WATCHER_IMAGES.contains(&image_name)
        || c.label(WATCHTOWER_SELF_LABEL)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let socket = c
        .mounts
        .iter()
        .any(|m| m.kind == MountKind::Bind && is_runtime_socket(&m.source));
    known && socket
}

/// Whether a watcher of the inventory updates `c`.
///
/// Watchtower's rules: a container labelled `...watchtower.enable=false` is never updated;
/// under `--label-enable` (or `WATCHTOWER_LABEL_ENABLE=true`) only those labelled `true`
/// are; container names given as arguments restrict it to those; otherwise it watches
/// every container. A watcher never counts as watching itself.
pub fn is_auto_updated(inventory: &Inventory, c: &Container) -> bool {
    let label = c
        .label(WATCHTOWER_ENABLE_LABEL)
        .map(str::to_ascii_lowercase);
    if label.as_deref() == Some("false") {
        return false;
    }
    inventory
        .containers
        .iter()
        .filter(|w| w.id != c.id || w.name != c.name)
        .filter(|w| is_watcher(w))
        .any(|w| watches(inventory, w, c, label.as_deref() == Some("true")))
}

/// Whether watcher `w` updates `c` (`opted_in`: `c` carries the enable label set to true).
fn watches(inventory: &Inventory, w: &Container, c: &Container, opted_in: bool) -> bool {
    let args: Vec<&str> = w.command.iter().flatten().map(String::as_str).collect();
    let label_enable = args.contains(&"--label-enable")
        || w.env
            .iter()
            .any(|e| e.name == "WATCHTOWER_LABEL_ENABLE" && e.value.eq_ignore_ascii_case("true"));
    if label_enable && !opted_in {
        return false;
    }
    let named: Vec<&str> = args
        .iter()
        .map(|a| a.trim_start_matches('/'))
        .filter(|a| inventory.containers.iter().any(|x| x.name == *a))
        .collect();
    named.is_empty() || named.contains(&c.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnvOrigin, EnvVar, Mount};

    fn container(name: &str, image: &str) -> Container {
        Container {
            id: format!("id-{name}"),
            name: name.into(),
            image: image.into(),
            ..Default::default()
        }
    }

    fn with_socket(mut c: Container) -> Container {
        c.mounts.push(Mount {
            kind: MountKind::Bind,
            source: "/var/run/docker.sock".into(),
            destination: "/var/run/docker.sock".into(),
            ..Default::default()
        });
        c
    }

    fn inventory(containers: Vec<Container>) -> Inventory {
        Inventory {
            containers,
            ..Default::default()
        }
    }

    #[test]
    fn watchers_need_a_known_image_or_label_and_the_socket() {
        assert!(is_watcher(&with_socket(container(
            "wt",
            "containrrr/watchtower:1.7"
        ))));
        assert!(is_watcher(&with_socket(container(
            "wt",
            "ghcr.io/containrrr/watchtower@sha256:ab"
        ))));
        let mut labelled = with_socket(container("x", "me/updater"));
        labelled
            .labels
            .insert(WATCHTOWER_SELF_LABEL.into(), "true".into());
        assert!(is_watcher(&labelled));
        assert!(!is_watcher(&container("wt", "containrrr/watchtower")));
        assert!(!is_watcher(&with_socket(container(
            "p",
            "portainer/portainer-ce"
        ))));
    }

    #[test]
    fn watchtower_rules_decide_who_is_watched() {
        let web = container("web", "nginx:1.25");
        let mut out = container("db", "postgres:16");
        out.labels
            .insert(WATCHTOWER_ENABLE_LABEL.into(), "false".into());
        let wt = with_socket(container("wt", "containrrr/watchtower"));
        let inv = inventory(vec![web.clone(), out.clone(), wt.clone()]);
        assert!(is_auto_updated(&inv, &web));
        assert!(!is_auto_updated(&inv, &out), "opted out by label");
        assert!(!is_auto_updated(&inv, &wt), "never itself");
        assert!(!is_auto_updated(&inventory(vec![web.clone()]), &web));

        // --label-enable: only opted-in containers.
        let mut strict = wt.clone();
        strict.command = Some(vec![
            "--label-enable".into(),
            "--interval".into(),
            "300".into(),
        ]);
        let mut opted = container("app", "me/app:1");
        opted
            .labels
            .insert(WATCHTOWER_ENABLE_LABEL.into(), "true".into());
        let inv = inventory(vec![web.clone(), opted.clone(), strict]);
        assert!(!is_auto_updated(&inv, &web));
        assert!(is_auto_updated(&inv, &opted));
        let mut by_env = wt.clone();
        by_env.env.push(EnvVar {
            name: "WATCHTOWER_LABEL_ENABLE".into(),
            value: "TRUE".into(),
            origin: EnvOrigin::Container,
        });
        let inv = inventory(vec![web.clone(), by_env]);
        assert!(!is_auto_updated(&inv, &web));

        // Names as arguments restrict the watcher to them.
        let mut named = wt;
        named.command = Some(vec!["--cleanup".into(), "app".into()]);
        let inv = inventory(vec![web.clone(), opted.clone(), named]);
        assert!(!is_auto_updated(&inv, &web));
        assert!(is_auto_updated(&inv, &opted));
    }
}
