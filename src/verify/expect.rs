//! What the plan promises the target will look like, flattened for the checks.
//!
//! The checks read this instead of the plan document so they do not depend on how the plan
//! stores things; [`Expectations::build`] is the one place that knows where each expected
//! value comes from (target, decisions, the generators' unit plans, the Docker inventory).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::generate::{NoteLevel, PublishedPort};
use crate::migration::Migration;
use crate::model::{Inventory, Resources};
use crate::plan::{ContainerDecision, NetworkChoice, PrivilegedPortPolicy, SubIdRange, Target};

/// The lowest Podman version with quadlet (`.container` units).
pub const QUADLET_MIN_VERSION: &str = "4.4";

/// What the checks expect on the target for one rootless user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Expectations {
    /// The rootless user whose Podman service is checked.
    pub user: String,
    /// `MAJOR.MINOR` the quadlet files were written for.
    pub podman_version: String,
    /// The subuid range the plan allocated to `user` (`None`: none allocated).
    pub subid_range: Option<SubIdRange>,
    /// The subgid range; the same as `subid_range` unless the allocator split them.
    #[serde(default)]
    pub subgid_range: Option<SubIdRange>,
    /// Every range the plan allocated (to detect overlaps with other users' lines).
    pub all_subid_ranges: BTreeMap<String, SubIdRange>,
    pub containers: Vec<ExpectedContainer>,
    /// Podman volume names the migration creates.
    pub volumes: BTreeSet<String>,
    /// Podman network names the migration creates.
    pub networks: BTreeSet<String>,
    /// Containers of other users in the plan: checked through their own user's socket.
    pub other_users: BTreeMap<String, Vec<String>>,
}

/// One planned container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExpectedContainer {
    /// The Docker container name.
    pub docker_name: String,
    /// Quadlet unit name (`<unit>.container`, service `<unit>.service`).
    pub unit: String,
    /// Fully qualified reference written into `Image=`.
    pub image: String,
    /// The Docker-side reference (for the transfer hint).
    pub docker_image: String,
    pub ports: Vec<PublishedPort>,
    /// `(podman volume, destination)` for named volumes.
    pub volumes: Vec<(String, String)>,
    /// `(destination, host path)` of the bind mounts the unit keeps. A host path starting
    /// with `%t/` is under the user's runtime directory (the Docker socket becomes the
    /// user's Podman socket).
    pub binds: Vec<(String, String)>,
    /// The container user as configured under Docker (`""`: image default).
    pub container_user: Option<String>,
    /// cgroup controllers its resource limits need (`memory`, `cpu`, `pids`, ...).
    pub controllers: BTreeSet<String>,
    /// Host ports below the unprivileged start rely on the sysctl policy.
    pub sysctl_policy: bool,
    /// The AppArmor profile its unit names, which must be loaded on the target.
    #[serde(default)]
    pub apparmor_profile: Option<String>,
    /// A oneshot unit (a compose service waits for it to complete): quadlet runs it with
    /// `--rm`, so once it has run there is no container to find.
    #[serde(default)]
    pub runs_once: bool,
    /// Names of the Podman secrets its unit names (`secrets: podman_secret`), which
    /// migrate.sh created for the user.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub podman_secrets: Vec<String>,
}

impl ExpectedContainer {
    /// The systemd service quadlet generates for the unit.
    pub fn service(&self) -> String {
        format!("{}.service", self.unit)
    }

    /// Names a quadlet-started container may carry: `ContainerName=` is usually the Docker
    /// name; quadlet's default is `systemd-<unit>`.
    pub fn candidate_names(&self) -> [String; 2] {
        [self.docker_name.clone(), format!("systemd-{}", self.unit)]
    }
}

impl Expectations {
    /// Flatten the plan's parts for the Podman service of `user`.
    ///
    /// `migration` is what `unroot generate` renders for the plan: its per-container unit
    /// plans, subuid/subgid allocation (used when the plan fixes no range) and notes (mounts
    /// it could not translate are not expected). `inventory` supplies what the units do not
    /// carry (container user, bind mounts, resource limits).
    pub fn build(
        target: &Target,
        decisions: &BTreeMap<String, ContainerDecision>,
        migration: &Migration,
        inventory: Option<&Inventory>,
        user: &str,
    ) -> Self {
        let generated = &migration.generated;
        let allocated = generated.subids.iter().find(|a| a.user == user);
        let fixed = target.subid_ranges.get(user).copied();
        let mut out = Expectations {
            user: user.to_string(),
            podman_version: target.podman_version.clone(),
            subid_range: fixed.or(allocated.map(|a| a.uids)),
            subgid_range: fixed.or(allocated.map(|a| a.gids)),
            all_subid_ranges: target.subid_ranges.clone(),
            ..Default::default()
        };
        for unit in &generated.units {
            if unit.user != user {
                out.other_users
                    .entry(unit.user.clone())
                    .or_default()
                    .push(unit.container.clone());
                continue;
            }
            let decision = decisions.get(&unit.container);
            let docker = inventory.and_then(|inv| inv.container(&unit.container));
            if let Some(NetworkChoice::Shared(net)) = decision.map(|d| &d.network) {
                out.networks.insert(net.clone());
            }
            let volumes: Vec<(String, String)> = unit
                .volumes
                .iter()
                .map(|v| (v.podman_volume.clone(), v.destination.clone()))
                .collect();
            out.volumes.extend(volumes.iter().map(|(v, _)| v.clone()));
            let untranslated = |dest: &str| {
                generated.notes.iter().any(|n| {
                    n.level == NoteLevel::NotTranslated
                        && n.container.as_deref() == Some(unit.container.as_str())
                        && n.setting == format!("mount {dest}")
                })
            };
            let binds = docker
                .map(|c| {
                    c.mounts
                        .iter()
                        .filter(|m| m.kind == crate::model::MountKind::Bind)
                        .filter(|m| !untranslated(&m.destination))
                        .map(|m| (m.destination.clone(), bind_source_under_podman(&m.source)))
                        .collect()
                })
                .unwrap_or_default();
            out.containers.push(ExpectedContainer {
                docker_name: unit.container.clone(),
                unit: unit.unit.clone(),
                image: unit.image.podman_ref.clone(),
                docker_image: unit.image.docker_ref.clone(),
                ports: unit.ports.clone(),
                volumes,
                binds,
                container_user: docker.map(|c| c.user.raw.clone()),
                controllers: docker
                    .map(|c| controllers_for(&c.resources))
                    .unwrap_or_default(),
                sysctl_policy: matches!(
                    decision.map(|d| &d.ports),
                    Some(PrivilegedPortPolicy::Sysctl) | None
                ),
                apparmor_profile: unit.apparmor_profile.clone(),
                runs_once: unit.runs_once,
                podman_secrets: unit.podman_secrets.iter().map(|s| s.name.clone()).collect(),
            });
        }
        out
    }

    /// The lowest host port any planned container publishes.
    pub fn lowest_host_port(&self) -> Option<(u16, &ExpectedContainer)> {
        self.containers
            .iter()
            .flat_map(|c| c.ports.iter().map(move |p| (p.host_port, c)))
            .min_by_key(|(port, _)| *port)
    }

    /// Controllers any planned container needs.
    pub fn needed_controllers(&self) -> BTreeSet<String> {
        self.containers
            .iter()
            .flat_map(|c| c.controllers.iter().cloned())
            .collect()
    }
}

/// Where a Docker bind source ends up under Podman: the Docker socket paths the generator
/// replaces by the user's Podman socket, every other path unchanged.
fn bind_source_under_podman(source: &str) -> String {
    if crate::generate::container::DOCKER_SOCKETS.contains(&source) {
        "%t/podman/podman.sock".to_string()
    } else {
        source.to_string()
    }
}

/// A planned bind source matches what Podman reports (`%t` is the user's runtime dir).
pub fn bind_source_matches(planned: &str, actual: &str) -> bool {
    match planned.strip_prefix("%t/") {
        Some(rest) => actual.starts_with("/run/user/") && actual.ends_with(&format!("/{rest}")),
        None => planned == actual,
    }
}

/// The cgroup v2 controllers a container's limits rely on.
pub fn controllers_for(resources: &Resources) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if resources.memory.is_some()
        || resources.memory_reservation.is_some()
        || resources.memory_swap.is_some_and(|s| s > 0)
    {
        out.insert("memory".to_string());
    }
    if resources.nano_cpus.is_some()
        || resources.cpu_shares.is_some()
        || resources.cpu_quota.is_some()
        || resources.cpu_period.is_some()
    {
        out.insert("cpu".to_string());
    }
    if resources
        .cpuset_cpus
        .as_deref()
        .is_some_and(|s| !s.is_empty())
    {
        out.insert("cpuset".to_string());
    }
    if resources.pids_limit.is_some_and(|p| p > 0) {
        out.insert("pids".to_string());
    }
    if resources.blkio_weight.is_some_and(|w| w > 0) {
        out.insert("io".to_string());
    }
    out
}
