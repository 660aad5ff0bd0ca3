//! Generators: model + decisions -> files the rootless host needs, plus notes.
//!
//! Pure: no file is written here. The plan/batch code and the TUI preview call
//! [`generate`] (or [`generate_for_host`] with the target's `/etc/subuid` and `/etc/subgid`
//! text) and decide themselves what to do with the result.
//!
//! # Output layout (paths in [`GeneratedFile::path`])
//!
//! | path | mode | installed to (by migrate.sh, as the unit's user) |
//! | --- | --- | --- |
//! | `quadlet/<unit>.container`, `.volume`, `.network`, `.pod` | 0644 | `~/.config/containers/systemd/` |
//! | `env/<unit>.env` | 0600 | `~/.config/containers/systemd/env/` |
//! | `seccomp/<unit>.json` | 0644 | `~/.config/containers/systemd/seccomp/` (`SeccompProfile=%h/...`) |
//! | `subuid`, `subgid` | 0644 | lines appended to `/etc/subuid`, `/etc/subgid` (or the `usermod` commands in [`Generated::subids`]) |
//! | `sysctl.d/50-unroot-unprivileged-ports.conf` | 0644 | `/etc/sysctl.d/`, then `sysctl --system` |
//! | `containers.conf.d/50-unroot-pasta.conf` | 0644 | `~/.config/containers/containers.conf.d/` |
//!
//! `EnvironmentFile=env/<unit>.env` is relative: quadlet resolves a relative
//! `EnvironmentFile=` against the directory of the unit file, so the env files must be
//! installed in an `env/` directory next to the units (quadlet ignores `.env` files when it
//! scans for units). The dry-run test (`tests/generate_quadlet.rs`) uses the same layout.
//!
//! # How values are written
//!
//! [`unit_file`] holds the one writer and its escaping rules (`%%`, `$$`, quoting),
//! [`keys`] the typed keys with their Podman versions (`assets/quadlet-keys.json`), and
//! [`builder`] the per-version downgrade to `PodmanArgs=`. [`container`] maps one Docker
//! container; [`resources`] the volumes, networks and pods; [`subid`] the ID ranges.

pub mod builder;
pub mod caps;
pub mod container;
pub mod env;
pub mod exec_line;
pub mod host_ids;
pub mod image;
pub mod keys;
pub mod names;
pub mod ports;
pub mod resources;
#[doc(hidden)]
pub mod sample;
pub mod subid;
pub mod unit_file;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::auto_update::AutoUpdate;
use crate::model::{Container, Inventory, Protocol};
use crate::model::{ContainerDecision, NetworkChoice, Target};

/// One file to write, relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedFile {
    /// Relative path, `/`-separated (`quadlet/web.container`).
    pub path: String,
    /// Unix mode (0o644, 0o600 for env files, 0o755 for scripts).
    pub mode: u32,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    Info,
    Warning,
    /// The setting could not be translated and the container may not work as before.
    NotTranslated,
}

/// Something the operator must know: a setting not translated, a rename, a caveat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Container name, or `None` for host-wide notes.
    pub container: Option<String>,
    pub level: NoteLevel,
    /// The Docker setting concerned (`--privileged`, `HostConfig.Devices`).
    pub setting: String,
    /// What happened and what to do instead.
    pub message: String,
}

/// Everything the generators produce.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Generated {
    /// Sorted by path.
    pub files: Vec<GeneratedFile>,
    pub notes: Vec<Note>,
    /// One entry per included container: what migrate.sh must do for it. The script and
    /// report writers read this instead of re-deriving names, ports and ownership.
    pub units: Vec<UnitPlan>,
    /// subuid/subgid ranges per rootless user (new ones carry a `usermod` command).
    #[serde(default)]
    pub subids: Vec<subid::SubIdAssignment>,
    /// Which users need each `.volume`/`.network`/`.pod` file installed.
    #[serde(default)]
    pub resources: Vec<ResourcePlan>,
}

/// A shared quadlet unit (volume, network, pod) and the users whose containers use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePlan {
    /// `quadlet/<name>.volume` etc.
    pub path: String,
    pub users: Vec<String>,
}

/// What the migration of one container involves, in the generated names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPlan {
    /// The Docker container name.
    pub container: String,
    /// Sanitized unit name: `quadlet/<unit>.container`, systemd service `<unit>.service`.
    pub unit: String,
    /// The rootless user that runs it.
    pub user: String,
    pub image: ImageTransfer,
    pub volumes: Vec<VolumeMove>,
    /// Bind mounts whose ownership must be fixed inside the user namespace.
    pub chown_binds: Vec<BindChown>,
    pub ports: Vec<PublishedPort>,
    /// `[Install] WantedBy=default.target` was written (needs lingering).
    pub start_at_boot: bool,
    /// The env file holding its secret variables, when it has any.
    #[serde(default)]
    pub env_file: Option<EnvFilePlan>,
    /// Every quadlet file its user must install for it: its own `.container` and the
    /// `.volume`, `.network` and `.pod` units it names. Sorted.
    #[serde(default)]
    pub quadlet_files: Vec<String>,
    /// The custom seccomp profile Docker stored for it, written into the bundle and
    /// installed for its user (`SeccompProfile=` names it).
    #[serde(default)]
    pub seccomp_file: Option<BundleFilePlan>,
    /// The AppArmor profile its unit names (`AppArmor=` or `--security-opt apparmor=`),
    /// which must be loaded on the target (`unroot verify --phase readiness` checks it).
    #[serde(default)]
    pub apparmor_profile: Option<String>,
    /// A compose service waits for it to exit successfully (`service_completed_successfully`):
    /// a oneshot unit whose container is gone once it has run (quadlet runs it with `--rm`),
    /// so no port is checked and no running container is expected.
    #[serde(default)]
    pub runs_once: bool,
    /// `AutoUpdate=` written in its unit (off: none): migrate.sh enables the user's
    /// `podman-auto-update.timer` when any of the user's units has it.
    #[serde(default, skip_serializing_if = "AutoUpdate::is_off")]
    pub auto_update: AutoUpdate,
    /// Its secret variables passed as Podman secrets (the plan's `secrets: podman_secret`),
    /// in the order the unit's `Secret=` lines name them. Names and paths only.
    #[serde(default)]
    pub podman_secrets: Vec<PodmanSecretPlan>,
}

/// One secret variable passed as a Podman secret: the unit says
/// `Secret=<name>,type=env,target=<variable>`, migrate.sh creates `<name>` as the user from
/// the staging file and rollback.sh removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodmanSecretPlan {
    /// The Podman secret's name (`unroot-<unit>-<var>`), safe as one shell word.
    pub name: String,
    /// The environment variable the container sees.
    pub variable: String,
    /// Path in the output directory of the 0600 file holding the value
    /// (`secrets/<name>`), read by root and piped to `podman secret create`.
    pub bundle_path: String,
}

/// A bundle file installed under the user's quadlet directory (a seccomp profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFilePlan {
    /// Path in the output directory (`seccomp/<unit>.json`).
    pub bundle_path: String,
    /// Path relative to the quadlet directory.
    pub install_path: String,
}

/// Where a unit's env file comes from in the bundle and where it goes on the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvFilePlan {
    /// Path in the output directory (`env/<unit>.env`).
    pub bundle_path: String,
    /// Path relative to the quadlet directory, exactly as `EnvironmentFile=` says (quadlet
    /// resolves a relative path next to the unit file).
    pub install_path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransferMethod {
    /// Locally built or untraceable image: `docker save | podman load`.
    Load,
    /// The image has a registry origin: `podman pull`.
    Pull,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
///
/// For [`TransferMethod::Load`], `podman load` names an image from a `docker save` archive
/// `docker.io/library/...` (or not at all when saved by ID): migrate.sh must `podman tag`
/// the loaded image as `podman_ref`, which is what `Image=` says.
pub struct ImageTransfer {
    /// Reference on the Docker side (`nginx:1.25`, or the image ID when untagged).
    pub docker_ref: String,
    /// Fully qualified reference written into `Image=` (`docker.io/library/nginx:1.25`,
    /// `localhost/app:1`), or `repo@sha256:...` when pinned.
    pub podman_ref: String,
    pub method: TransferMethod,
    /// The registry digest (`sha256:...`) Docker's image has in the container's
    /// repository, pinned or not (REPORT.md lists it beside the tag); `None` for local
    /// images.
    #[serde(default)]
    pub digest: Option<String>,
    /// `podman_ref` names `digest` (the plan's `pin_digest` was on and a digest known).
    #[serde(default)]
    pub pinned: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeMove {
    pub docker_volume: String,
    /// `VolumeName=` of the generated `.volume` unit (Podman prefixes `systemd-` otherwise).
    pub podman_volume: String,
    pub destination: String,
    /// The systemd service of its `.volume` unit (`<unit>-volume.service`), which creates
    /// the Podman volume with its labels and options.
    #[serde(default)]
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindChown {
    pub host_path: String,
    /// Owner inside the container (mapped through the user namespace by `podman unshare`).
    pub uid: u32,
    pub gid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPort {
    pub host_ip: Option<String>,
    /// The host port under Podman (after a remap decision).
    pub host_port: u16,
    /// The host port under Docker.
    pub docker_host_port: u16,
    pub container_port: u16,
    pub protocol: Protocol,
}

pub use subid::HostIdFiles;

/// Generate the rootless files for the included containers, for a target host whose
/// `/etc/subuid` and `/etc/subgid` are empty (see [`generate_for_host`]).
///
/// `decisions` is keyed by container name; a container without an entry gets the defaults.
pub fn generate(
    inventory: &Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> anyhow::Result<Generated> {
    generate_for_host(
        inventory,
        target,
        decisions,
        &HostIdFiles::default(),
        &subid::SystemUsers,
    )
}

/// Generate the rootless files, allocating subuid/subgid ranges around the host's existing
/// ones. `users` resolves user names to UIDs (subuid lines may use either).
///
/// Fails only on an unusable target (Podman version without quadlet, or not a version);
/// everything about individual containers is reported in [`Generated::notes`].
pub fn generate_for_host(
    inventory: &Inventory,
    target: &Target,
    decisions: &BTreeMap<String, ContainerDecision>,
    host: &HostIdFiles,
    users: &dyn subid::UserDb,
) -> anyhow::Result<Generated> {
    let version = target.version()?;
    let mut out = Generated::default();
    out.notes.extend(newer_than_known(version));
    let included = included(inventory, decisions);
    let mut plan = resources::plan(&included, target, version);
    out.notes.append(&mut plan.notes);
    let map_gw_count = map_gw_count(&included, version);
    let host_wide_map_gw = map_gw_count >= 2 && version >= keys::PodmanVersion::new(4, 6);
    let host_paths = crate::model::host_path::HostPathPolicy::new(inventory);
    let names = container::Names {
        units: &plan.units,
        volumes: &plan.volumes,
        podman_volume_names: &plan.podman_volume_names,
        networks: &plan.networks,
        pods: &plan.pods,
        services: &plan.services,
        networks_of: &plan.networks_of,
        awaited_healthy: &plan.awaited_healthy,
        awaited_completion: &plan.awaited_completion,
        host_wide_map_gw,
        host_paths: &host_paths,
        quadlet_dir: &target.quadlet_dir,
    };
    let mut totals = HostTotals::default();
    for (c, decision) in &included {
        let unit = &plan.units[&c.name];
        let user = resources::user_for(c, decision, target);
        let generated =
            container::generate_container(inventory, c, unit, &user, decision, version, &names);
        totals.add(&user, decision, generated, unit, &mut out);
    }
    resources::render(
        &plan,
        inventory,
        version,
        &totals.pod_ports,
        &totals.pod_args,
        &mut out,
    );
    out.files.extend(sysctl_file(totals.lowest_privileged));
    let default_cmd = version < keys::PodmanVersion::new(5, 0) && !totals.pasta_users.is_empty();
    out.files.extend(pasta_conf(
        version,
        &totals.pasta_users,
        default_cmd,
        host_wide_map_gw.then_some(map_gw_count),
    ));
    subid_files(host, &totals.max_ids, target, users, &mut out);
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A target newer than the key table still generates, with a warning.
fn newer_than_known(version: keys::PodmanVersion) -> Option<Note> {
    (version > keys::PodmanVersion::NEWEST_KNOWN).then(|| Note {
        container: None,
        level: NoteLevel::Warning,
        setting: "--podman-version".to_owned(),
        message: format!(
            "Podman {version} is newer than the key table (up to {}): files are written for {} and may miss newer keys",
            keys::PodmanVersion::NEWEST_KNOWN,
            keys::PodmanVersion::NEWEST_KNOWN
        ),
    })
}

/// Included containers with their decisions (defaults where the plan has none), in name
/// order so output is stable.
fn included<'a>(
    inventory: &'a Inventory,
    decisions: &BTreeMap<String, ContainerDecision>,
) -> Vec<(&'a Container, ContainerDecision)> {
    let mut included: Vec<(&Container, ContainerDecision)> = inventory
        .containers
        .iter()
        .map(|c| {
            (
                c,
                decisions
                    .get(&c.name)
                    .cloned()
                    .unwrap_or_else(|| ContainerDecision::proposed(inventory, c)),
            )
        })
        .filter(|(_, d)| d.include)
        .collect();
    included.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.id.cmp(&b.0.id)));
    included
}

/// How many containers need pasta's `--map-gw`. Several: set it once in containers.conf
/// (pasta_options, Podman 4.6+) rather than per container; never both (podman#22771).
fn map_gw_count(
    included: &[(&Container, ContainerDecision)],
    version: keys::PodmanVersion,
) -> usize {
    included
        .iter()
        .filter(|(c, d)| {
            let network = container::effective_network(&d.network, version);
            container::needs_map_gw(c, &network, version)
        })
        .count()
}

/// What the per-container outputs add up to for the host-wide files.
#[derive(Default)]
struct HostTotals {
    /// Lowest host port below 1024 any container publishes as is.
    lowest_privileged: Option<u16>,
    /// Users with at least one container in its own pasta namespace.
    pasta_users: std::collections::BTreeSet<String>,
    /// Pod name -> `PublishPort=` values of its members.
    pod_ports: BTreeMap<String, Vec<String>>,
    /// Pod name -> `podman pod create` flags of each member that has some.
    pod_args: BTreeMap<String, Vec<Vec<String>>>,
    /// User -> highest ID any of its containers uses (sizes its sub-ID range).
    max_ids: BTreeMap<String, Option<u64>>,
}

impl HostTotals {
    /// Take one container's output: its files and notes go to `out`, its host-wide needs
    /// into the totals.
    fn add(
        &mut self,
        user: &str,
        decision: &ContainerDecision,
        mut generated: container::ContainerOutput,
        unit: &str,
        out: &mut Generated,
    ) {
        if let Some(env) = generated.env_file.take() {
            out.files.push(GeneratedFile {
                path: format!("env/{unit}.env"),
                mode: 0o600,
                content: env,
            });
        }
        for (path, value) in std::mem::take(&mut generated.secret_values) {
            out.files.push(GeneratedFile {
                path,
                mode: 0o600,
                content: value,
            });
        }
        if let (Some(profile), Some(plan)) = (
            generated.seccomp_profile.take(),
            generated.plan.seccomp_file.as_ref(),
        ) {
            out.files.push(GeneratedFile {
                path: plan.bundle_path.clone(),
                mode: 0o644,
                content: profile,
            });
        }
        out.files.push(GeneratedFile {
            path: format!("quadlet/{unit}.container"),
            mode: 0o644,
            content: generated.unit_file.render(),
        });
        out.notes.append(&mut generated.notes);
        if let Some(low) = generated.lowest_privileged {
            self.lowest_privileged = Some(self.lowest_privileged.map_or(low, |l| l.min(low)));
        }
        if generated.uses_pasta {
            self.pasta_users.insert(user.to_owned());
        }
        if let NetworkChoice::Pod(p) = &decision.network {
            self.pod_ports
                .entry(p.clone())
                .or_default()
                .extend(generated.pod_ports);
            if !generated.pod_args.is_empty() {
                self.pod_args
                    .entry(p.clone())
                    .or_default()
                    .push(generated.pod_args);
            }
        }
        let entry = self.max_ids.entry(user.to_owned()).or_insert(None);
        if let Some(id) = generated.max_id {
            *entry = Some(entry.map_or(id, |m| m.max(id)));
        }
        out.units.push(generated.plan);
    }
}

/// `sysctl.d/` lowering the unprivileged port start to the lowest published port.
fn sysctl_file(lowest_privileged: Option<u16>) -> Option<GeneratedFile> {
    let n = lowest_privileged?;
    Some(GeneratedFile {
        path: "sysctl.d/50-unroot-unprivileged-ports.conf".to_owned(),
        mode: 0o644,
        content: format!(
            "# Generated by unroot: rootless Podman publishes ports as the user, and the lowest\n\
             # published host port is {n}. Install into /etc/sysctl.d/ and run `sysctl --system`.\n\
             net.ipv4.ip_unprivileged_port_start={n}\n"
        ),
    })
}

/// `containers.conf.d/` for the pasta users: pasta as the default network command before
/// Podman 5.0, and `--map-gw` host-wide when `map_gw` containers need it.
fn pasta_conf(
    version: keys::PodmanVersion,
    pasta_users: &std::collections::BTreeSet<String>,
    default_cmd: bool,
    map_gw: Option<usize>,
) -> Option<GeneratedFile> {
    if !default_cmd && map_gw.is_none() {
        return None;
    }
    let mut content = format!(
        "# Generated by unroot for Podman {version}.\n\
         # Install into ~/.config/containers/containers.conf.d/ of: {}\n",
        pasta_users.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    if !keys::Key::podman_args_of(keys::SectionKind::Container).supported_by(version) {
        content += "[containers]\n\
                    # Docker passes no host proxy variables into containers; this quadlet has no\n\
                    # PodmanArgs= for --http-proxy=false, so it is set for all of them here.\n\
                    http_proxy = false\n";
    }
    content += "[network]\n";
    if default_cmd {
        content += "# Podman before 5.0 defaults to slirp4netns; pasta keeps client source addresses.\n\
                    default_rootless_network_cmd = \"pasta\"\n";
    }
    if let Some(map_gw_count) = map_gw {
        content += &format!(
            "# {map_gw_count} containers reach the host through Docker's host-gateway: map the gateway\n\
             # address to the host (pasta --map-gw) for every rootless container of these users.\n\
             pasta_options = [\"--map-gw\"]\n"
        );
    }
    Some(GeneratedFile {
        path: "containers.conf.d/50-unroot-pasta.conf".to_owned(),
        mode: 0o644,
        content,
    })
}

/// subuid/subgid for every rootless user that runs something, allocated around the
/// host's existing lines and IDs; problems with those lines become notes.
fn subid_files(
    host: &HostIdFiles,
    max_ids: &BTreeMap<String, Option<u64>>,
    target: &Target,
    users: &dyn subid::UserDb,
    out: &mut Generated,
) {
    let (uid_space, gid_space) = host.spaces();
    for p in uid_space
        .file
        .problems
        .iter()
        .chain(&gid_space.file.problems)
        .chain(&host.problems)
    {
        out.notes.push(Note {
            container: None,
            level: NoteLevel::Warning,
            setting: "subuid/subgid".to_owned(),
            message: p.clone(),
        });
    }
    let requests: BTreeMap<String, u64> = max_ids
        .iter()
        .map(|(u, id)| (u.clone(), subid::count_for_max_id(*id)))
        .collect();
    let (assignments, problems) = subid::allocate(
        &uid_space,
        &gid_space,
        &requests,
        &target.subid_ranges,
        users,
    );
    for p in problems {
        out.notes.push(Note {
            container: None,
            level: NoteLevel::NotTranslated,
            setting: "subuid/subgid".to_owned(),
            message: p,
        });
    }
    for (file, gids) in [("subuid", false), ("subgid", true)] {
        let lines = subid::new_lines(&assignments, gids);
        if !lines.is_empty() {
            out.files.push(GeneratedFile {
                path: file.to_owned(),
                mode: 0o644,
                content: lines,
            });
        }
    }
    out.subids = assignments;
}

#[cfg(test)]
mod handover_tests;
#[cfg(test)]
mod hardening_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContainerState, PortBinding, PortRange};

    fn target(version: &str) -> Target {
        Target::new("alice", version)
    }

    #[test]
    fn a_pod_needs_podman_5_0_everywhere_it_is_decided() {
        use container::effective_network;
        let pod = NetworkChoice::Pod("shop".into());
        let v = keys::PodmanVersion::new;
        assert_eq!(effective_network(&pod, v(4, 9)), NetworkChoice::Pasta);
        assert_eq!(effective_network(&pod, v(5, 0)), pod);
        let shared = NetworkChoice::Shared("net".into());
        assert_eq!(effective_network(&shared, v(4, 4)), shared);
        // The generator and the shared-unit planner agree: no .pod unit before 5.0.
        let (inv, d) = sample::fleet();
        for (version, pods) in [("4.9", 0), ("5.0", 1)] {
            let g = generate(&inv, &target(version), &d).unwrap();
            let n = g.files.iter().filter(|f| f.path.ends_with(".pod")).count();
            assert_eq!(n, pods, "Podman {version}");
            let pod_refs = g
                .files
                .iter()
                .filter(|f| f.content.lines().any(|l| l.starts_with("Pod=")))
                .count();
            assert_eq!(pod_refs > 0, pods > 0, "Podman {version}");
        }
    }

    #[test]
    fn refuses_podman_without_quadlet() {
        let (inv, d) = sample::fleet();
        let err = generate(&inv, &target("4.3"), &d).unwrap_err().to_string();
        assert!(err.contains("quadlet appeared in Podman 4.4"), "{err}");
        assert!(generate(&inv, &target("latest"), &d).is_err());
    }

    #[test]
    fn newer_than_known_is_a_warning_not_an_error() {
        let (inv, d) = sample::fleet();
        let g = generate(&inv, &target("6.0"), &d).unwrap();
        assert!(g.notes.iter().any(|n| n.setting == "--podman-version"));
        let web = g
            .files
            .iter()
            .find(|f| f.path == "quadlet/web.container")
            .unwrap();
        assert!(
            web.content.contains("\nMemory=536870912b\n"),
            "5.5+ writes Memory= as a key"
        );
    }

    #[test]
    fn dropping_privileged_drops_the_confinement_it_implied() {
        use crate::model::ProfileSetting;
        let (mut inv, d) = sample::fleet();
        let set = |inv: &mut Inventory, raw: &[&str]| {
            let c = inv
                .containers
                .iter_mut()
                .find(|c| c.name == "shop-app-1")
                .unwrap();
            assert!(c.privileged);
            // What the normalizer reports for any privileged container.
            c.security.seccomp = ProfileSetting::Unconfined;
            c.security.apparmor = ProfileSetting::Unconfined;
            c.security.raw = raw.iter().map(|s| s.to_string()).collect();
        };
        let unit = |inv: &Inventory, d: &BTreeMap<String, ContainerDecision>| {
            let g = generate(inv, &target("5.4"), d).unwrap();
            g.files
                .into_iter()
                .find(|f| f.path == "quadlet/shop-app-1.container")
                .unwrap()
                .content
        };
        set(&mut inv, &[]);
        let dropped = unit(&inv, &d);
        assert!(!dropped.contains("SeccompProfile="), "{dropped}");
        assert!(!dropped.contains("apparmor=unconfined"), "{dropped}");

        set(&mut inv, &["seccomp=unconfined"]);
        let asked = unit(&inv, &d);
        assert!(asked.contains("\nSeccompProfile=unconfined\n"), "{asked}");
        assert!(!asked.contains("apparmor=unconfined"), "{asked}");

        let mut keep = d.clone();
        let decision = keep.entry("shop-app-1".to_owned()).or_insert_with(|| {
            ContainerDecision::default_for(inv.container("shop-app-1").unwrap())
        });
        decision.keep_privileged = true;
        set(&mut inv, &[]);
        let kept = unit(&inv, &keep);
        assert!(kept.contains("--privileged"), "{kept}");
        assert!(kept.contains("\nSeccompProfile=unconfined\n"), "{kept}");
    }

    #[test]
    fn secret_values_stay_in_mode_0600_env_files() {
        let (inv, d) = sample::fleet();
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let secrets: Vec<&str> = inv
            .containers
            .iter()
            .flat_map(|c| c.env.iter())
            .filter(|e| crate::model::secret::is_secret(&e.name, &e.value))
            .map(|e| e.value.as_str())
            .collect();
        assert_eq!(secrets.len(), 2);
        for f in &g.files {
            let holds = secrets.iter().any(|s| f.content.contains(s));
            assert_eq!(holds, f.path.starts_with("env/"), "{}", f.path);
            if f.path.starts_with("env/") {
                assert_eq!(f.mode, 0o600);
            }
        }
        for n in &g.notes {
            assert!(!secrets.iter().any(|s| n.message.contains(s)), "{n:?}");
        }
        // A refused value is named, never shown.
        assert!(
            g.notes
                .iter()
                .any(|n| n.setting == "Config.Env MULTI" && !n.message.contains("line1"))
        );
    }

    /// `secrets: podman_secret`: each secret variable becomes a `Secret=` line and a 0600
    /// staging file holding exactly its value; plain variables stay `Environment=`, an
    /// empty secret (Podman refuses one) stays in the env file, and no value is in a unit,
    /// a note or the unit plan.
    #[test]
    fn podman_secret_decision_writes_secret_keys_and_staging_files() {
        use crate::model::{EnvOrigin, EnvVar, SecretStore};
        let (mut inv, mut d) = sample::fleet();
        let app = inv
            .containers
            .iter_mut()
            .find(|c| c.name == "shop-app-1")
            .unwrap();
        app.env.push(EnvVar {
            name: "EMPTY_PASSWORD".into(),
            value: String::new(),
            origin: EnvOrigin::Container,
        });
        let decision = ContainerDecision {
            secrets: SecretStore::PodmanSecret,
            ..ContainerDecision::default_for(app)
        };
        d.insert("shop-app-1".into(), decision);
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let unit = &g
            .units
            .iter()
            .find(|u| u.container == "shop-app-1")
            .unwrap();
        let name = format!("unroot-{}-api_token", unit.unit);
        assert_eq!(
            unit.podman_secrets,
            vec![PodmanSecretPlan {
                name: name.clone(),
                variable: "API_TOKEN".into(),
                bundle_path: format!("secrets/{name}"),
            }]
        );
        let file = |path: &str| g.files.iter().find(|f| f.path == path).unwrap();
        let staged = file(&format!("secrets/{name}"));
        assert_eq!(
            (staged.mode, staged.content.as_str()),
            (0o600, "tok-$-%-\"-'")
        );
        let text = &file(&format!("quadlet/{}.container", unit.unit)).content;
        assert!(
            text.contains(&format!("\nSecret={name},type=env,target=API_TOKEN\n")),
            "{text}"
        );
        assert!(text.contains("Environment=LOG_LEVEL=debug"), "{text}");
        assert!(!text.contains("tok-"), "{text}");
        // The empty one cannot be a Podman secret: the env file keeps it, and says why.
        let env = file(&format!("env/{}.env", unit.unit));
        assert_eq!(env.content, "EMPTY_PASSWORD=\n");
        assert!(text.contains("EnvironmentFile="), "{text}");
        assert!(g.notes.iter().any(
            |n| n.setting == "Config.Env EMPTY_PASSWORD" && n.message.contains("empty secret")
        ));
        assert!(g.notes.iter().all(|n| !n.message.contains("tok-")));
        assert!(!serde_json::to_string(&g.units).unwrap().contains("tok-"));
        // The other containers keep their env files.
        let db = g.units.iter().find(|u| u.container == "shop-db-1").unwrap();
        assert!(db.podman_secrets.is_empty() && db.env_file.is_some());
    }

    /// Issue 16's recognition misses land in the 0600 env file, never in the 0644 unit.
    #[test]
    fn names_and_values_the_classifier_used_to_miss_stay_out_of_units() {
        use crate::model::{EnvOrigin, EnvVar};
        let (mut inv, d) = sample::fleet();
        let missed = [
            ("PUB_SUB_PASSWORD", "h16-value-1"),
            ("OAUTH_CLIENT_SECRET_ID", "h16-value-2"),
            ("DATABASE_URL", "postgres://app:h16/value-3@db/app"),
            ("CONN", "Server=db;User Id=app;Password=h16-value-4;"),
        ];
        for (name, value) in missed {
            inv.containers[0].env.push(EnvVar {
                name: name.into(),
                value: value.into(),
                origin: EnvOrigin::Container,
            });
        }
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        for f in &g.files {
            if f.path.starts_with("env/") {
                assert_eq!(f.mode, 0o600, "{}", f.path);
                continue;
            }
            for (name, value) in missed {
                assert!(!f.content.contains("h16"), "{name}={value} in {}", f.path);
            }
        }
        let env_files: String = g
            .files
            .iter()
            .filter(|f| f.path.starts_with("env/"))
            .map(|f| f.content.as_str())
            .collect();
        assert!(env_files.matches("h16").count() >= 4, "{env_files}");
    }

    #[test]
    fn every_included_container_gets_a_unit_and_a_plan() {
        let (inv, mut d) = sample::fleet();
        let mut skip = ContainerDecision::default_for(&inv.containers[1]);
        skip.include = false;
        d.insert(inv.containers[1].name.clone(), skip);
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        assert_eq!(g.units.len(), inv.containers.len() - 1);
        assert!(
            !g.units
                .iter()
                .any(|u| u.container == inv.containers[1].name)
        );
        for u in &g.units {
            assert!(
                g.files
                    .iter()
                    .any(|f| f.path == format!("quadlet/{}.container", u.unit))
            );
        }
        let mut paths: Vec<&str> = g.files.iter().map(|f| f.path.as_str()).collect();
        let sorted = {
            let mut p = paths.clone();
            p.sort();
            p
        };
        assert_eq!(paths, sorted);
        paths.dedup();
        assert_eq!(paths.len(), g.files.len(), "no path twice");
    }

    #[test]
    fn pasta_default_snippet_only_before_podman_5() {
        let (inv, d) = sample::fleet();
        let old = generate(&inv, &target("4.9"), &d).unwrap();
        let conf = old
            .files
            .iter()
            .find(|f| f.path.starts_with("containers.conf.d/"))
            .unwrap();
        assert!(
            conf.content
                .contains("default_rootless_network_cmd = \"pasta\"")
        );
        let new = generate(&inv, &target("5.0"), &d).unwrap();
        assert!(
            !new.files
                .iter()
                .any(|f| f.path.starts_with("containers.conf.d/"))
        );
    }

    #[test]
    fn map_gw_goes_host_wide_when_several_containers_need_it() {
        let (mut inv, d) = sample::fleet();
        let mut twin = inv.containers[0].clone();
        twin.name = "web2".into();
        twin.ports.clear();
        inv.containers.push(twin);
        let g = generate(&inv, &target("4.9"), &d).unwrap();
        let conf = g
            .files
            .iter()
            .find(|f| f.path.starts_with("containers.conf.d/"))
            .unwrap();
        assert!(
            conf.content.contains("pasta_options = [\"--map-gw\"]"),
            "{}",
            conf.content
        );
        for f in g.files.iter().filter(|f| f.path.ends_with(".container")) {
            assert!(
                !f.content.contains("--map-gw"),
                "{} repeats the host-wide option",
                f.path
            );
        }
        // One container alone keeps it in its unit.
        let (inv, d) = sample::fleet();
        let g = generate(&inv, &target("4.9"), &d).unwrap();
        let web = g
            .files
            .iter()
            .find(|f| f.path == "quadlet/web.container")
            .unwrap();
        assert!(web.content.contains("Network=pasta:--map-gw"));
    }

    /// `-p 38200-38210:80` (Docker binds one port of the range) is published on one fixed
    /// port with a warning, never as a host range Podman would reject.
    #[test]
    fn host_range_for_one_container_port_is_narrowed_with_a_note() {
        let (mut inv, d) = sample::fleet();
        let web = &mut inv.containers[0];
        let range = Some(PortRange {
            start: 38200,
            end: 38210,
        });
        web.ports = vec![PortBinding {
            container_port: 80,
            protocol: Protocol::Tcp,
            host_ip: None,
            host_port: 38203,
            host_port_range: range,
        }];
        web.state = ContainerState::Running;
        let name = web.name.clone();
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let unit = g
            .files
            .iter()
            .find(|f| f.path == format!("quadlet/{name}.container"))
            .unwrap();
        assert!(
            unit.content.contains("PublishPort=38203:80\n"),
            "{}",
            unit.content
        );
        assert!(!unit.content.contains("38200-38210"), "{}", unit.content);
        let note = g
            .notes
            .iter()
            .find(|n| n.setting == "port 38200-38210")
            .expect("a note on the narrowed range");
        assert_eq!(note.level, NoteLevel::Warning);
        assert_eq!(note.container.as_deref(), Some(name.as_str()));
        assert!(
            note.message
                .contains("narrowed to 38203, the port Docker bound at the last start"),
            "{}",
            note.message
        );

        // Not running: the first port, and the note says Docker had not picked one.
        inv.containers[0].state = ContainerState::Created;
        inv.containers[0].ports[0].host_port = 38200;
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let note = g
            .notes
            .iter()
            .find(|n| n.setting == "port 38200-38210")
            .unwrap();
        assert!(
            note.message
                .contains("narrowed to 38200, the range's first port"),
            "{}",
            note.message
        );
    }

    fn unit_of<'g>(g: &'g Generated, unit: &str) -> &'g str {
        &g.files
            .iter()
            .find(|f| f.path == format!("quadlet/{unit}.container"))
            .unwrap()
            .content
    }

    /// `pin_digest` writes the registry digest of the container's repository into
    /// `Image=`; it is proposed unless a watcher updates the container, and the unit plan
    /// keeps tag and digest for REPORT.md either way.
    #[test]
    fn pinned_images_name_the_digest_docker_runs() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let (inv, mut d) = sample::fleet();
        d.get_mut("web").unwrap().pin_digest = true;
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let web = unit_of(&g, "web");
        assert!(
            web.contains(&format!("\nImage=docker.io/library/nginx@{digest}\n")),
            "{web}"
        );
        let plan = g.units.iter().find(|u| u.container == "web").unwrap();
        assert!(plan.image.pinned);
        assert_eq!(plan.image.docker_ref, "nginx:1.25");
        assert_eq!(plan.image.digest.as_deref(), Some(digest.as_str()));
        // db has no decision: the proposal pins it (pulled, nobody updates it).
        let db = inv.container("shop-db-1").unwrap();
        assert!(ContainerDecision::proposed(&inv, db).pin_digest);
        // migrate.sh pulls (and checks for) exactly the pinned reference.
        let m = crate::migration::build(&inv, &target("5.4"), g.clone());
        let migrate = crate::render::shell::migrate_sh(&m);
        assert!(
            migrate.contains(&format!("podman pull docker.io/library/postgres@{digest}")),
            "migrate.sh pulls the pinned reference"
        );
        assert!(migrate.contains(&format!(
            "podman image exists docker.io/library/postgres@{digest}"
        )));
        assert!(
            unit_of(&g, "shop-db-1")
                .contains(&format!("\nImage=docker.io/library/postgres@{digest}\n")),
            "{}",
            unit_of(&g, "shop-db-1")
        );
        // A locally built image cannot be pinned: the unit keeps its name, a note says why.
        let app = inv.container("shop-app-1").unwrap();
        assert!(!ContainerDecision::proposed(&inv, app).pin_digest);
        let mut local = ContainerDecision::proposed(&inv, app);
        local.pin_digest = true;
        d.insert("shop-app-1".into(), local);
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        assert!(unit_of(&g, "shop-app-1").contains("\nImage=localhost/shop-app:2\n"));
        assert!(
            g.notes
                .iter()
                .any(|n| n.container.as_deref() == Some("shop-app-1")
                    && n.message.contains("cannot be pinned"))
        );
        // Watchtower on the host: the containers it watches follow their tags.
        let mut watched = inv.clone();
        watched.containers.push(watchtower());
        let db = watched.container("shop-db-1").unwrap();
        assert!(!ContainerDecision::proposed(&watched, db).pin_digest);
        let mut no_decisions = BTreeMap::new();
        no_decisions.insert("web".to_owned(), d["web"].clone());
        let g = generate(&watched, &target("5.4"), &no_decisions).unwrap();
        assert!(unit_of(&g, "shop-db-1").contains("\nImage=docker.io/library/postgres:16\n"));
    }

    /// A Watchtower container: its image and the Docker socket make it a watcher.
    fn watchtower() -> Container {
        use crate::model::{Mount, MountKind};
        Container {
            id: "wt".into(),
            name: "watchtower".into(),
            image: "containrrr/watchtower".into(),
            mounts: vec![Mount {
                kind: MountKind::Bind,
                source: "/var/run/docker.sock".into(),
                destination: "/var/run/docker.sock".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// Issue 14: with Watchtower on the host, the proposal leaves the watcher out and the
    /// units of the containers it watched carry `AutoUpdate=` (`registry` for a pulled
    /// image, by its fully qualified name; `local` for a copied one), as the label on
    /// targets before 4.6; a pinned digest wins over an update and says so.
    #[test]
    fn watched_containers_get_auto_update_and_the_watcher_is_left_out() {
        use crate::model::auto_update::AutoUpdate;
        let (mut inv, _) = sample::fleet();
        inv.containers.push(watchtower());
        let proposed: BTreeMap<String, ContainerDecision> = inv
            .containers
            .iter()
            .map(|c| (c.name.clone(), ContainerDecision::proposed(&inv, c)))
            .collect();
        let g = generate(&inv, &target("5.4"), &proposed).unwrap();
        assert!(
            !g.files.iter().any(|f| f.path.contains("watchtower")),
            "the watcher is replaced, not migrated"
        );
        let db = unit_of(&g, "shop-db-1");
        assert!(
            db.contains("\nImage=docker.io/library/postgres:16\n"),
            "{db}"
        );
        assert!(db.contains("\nAutoUpdate=registry\n"), "{db}");
        let app = unit_of(&g, "shop-app-1");
        assert!(app.contains("\nImage=localhost/shop-app:2\n"), "{app}");
        assert!(app.contains("\nAutoUpdate=local\n"), "{app}");
        let plan = |g: &Generated, c: &str| {
            g.units
                .iter()
                .find(|u| u.container == c)
                .unwrap()
                .auto_update
        };
        assert_eq!(plan(&g, "shop-db-1"), AutoUpdate::Registry);
        assert_eq!(plan(&g, "shop-app-1"), AutoUpdate::Local);

        // Before 4.6 quadlet has no AutoUpdate=: the label it stands for.
        let old = generate(&inv, &target("4.4"), &proposed).unwrap();
        let db = unit_of(&old, "shop-db-1");
        assert!(!db.contains("AutoUpdate="), "{db}");
        assert!(
            db.contains("\nLabel=io.containers.autoupdate=registry\n"),
            "{db}"
        );

        // Pinned and updated contradict: the pin wins, a note says so.
        let mut both = proposed.clone();
        both.get_mut("shop-db-1").unwrap().pin_digest = true;
        // Registry on a copied image: written as asked, with a warning.
        both.get_mut("shop-app-1").unwrap().auto_update = AutoUpdate::Registry;
        let g = generate(&inv, &target("5.4"), &both).unwrap();
        let db = unit_of(&g, "shop-db-1");
        assert!(!db.contains("AutoUpdate="), "{db}");
        assert!(
            db.contains("\nImage=docker.io/library/postgres@sha256:"),
            "{db}"
        );
        assert_eq!(plan(&g, "shop-db-1"), AutoUpdate::Off);
        let note = |c: &str, text: &str| {
            g.notes.iter().any(|n| {
                n.container.as_deref() == Some(c)
                    && n.level == NoteLevel::Warning
                    && n.message.contains(text)
            })
        };
        assert!(note("shop-db-1", "pin_digest: true contradict"));
        assert!(unit_of(&g, "shop-app-1").contains("\nAutoUpdate=registry\n"));
        assert!(note("shop-app-1", "no registry serves it"));
    }

    /// A custom seccomp profile Docker stored as JSON goes into the bundle (0644), is named
    /// by `SeccompProfile=%h/<quadlet dir>/seccomp/<unit>.json`, and is installed and
    /// removed by the scripts; anything but a JSON object is reported, never written.
    #[test]
    fn custom_seccomp_profiles_travel_with_the_units() {
        use crate::model::ProfileSetting;
        let profile = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#;
        let (mut inv, d) = sample::fleet();
        inv.containers[0].security.seccomp = ProfileSetting::Custom(profile.into());
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let file = g
            .files
            .iter()
            .find(|f| f.path == "seccomp/web.json")
            .expect("the profile in the bundle");
        assert_eq!(file.mode, 0o644);
        assert_eq!(file.content, format!("{profile}\n"));
        assert!(
            unit_of(&g, "web")
                .contains("\nSeccompProfile=%h/.config/containers/systemd/seccomp/web.json\n"),
            "{}",
            unit_of(&g, "web")
        );
        let plan = g.units.iter().find(|u| u.container == "web").unwrap();
        assert_eq!(
            plan.seccomp_file,
            Some(BundleFilePlan {
                bundle_path: "seccomp/web.json".into(),
                install_path: "seccomp/web.json".into(),
            })
        );
        let m = crate::migration::build(&inv, &target("5.4"), g);
        let migrate = crate::render::shell::migrate_sh(&m);
        assert!(
            migrate.contains(r#"install_file "$UNROOT_BUNDLE"/seccomp/web.json "$dir"/seccomp/web.json 0644 alice"#),
            "migrate.sh installs it"
        );
        let rollback = crate::render::shell::rollback_sh(&m);
        assert!(
            rollback.contains(r#"run rm -f "$dir"/seccomp/web.json"#),
            "rollback.sh removes it"
        );

        for bad in ["not json", "[1,2]", "{\"a\":"] {
            inv.containers[0].security.seccomp = ProfileSetting::Custom(bad.into());
            let g = generate(&inv, &target("5.4"), &d).unwrap();
            assert!(
                !g.files.iter().any(|f| f.path.starts_with("seccomp/")),
                "{bad}"
            );
            assert!(!unit_of(&g, "web").contains("SeccompProfile="), "{bad}");
            assert!(g.notes.iter().any(|n| n.setting == "seccomp"
                && n.level == NoteLevel::NotTranslated
                && n.message.contains("not a JSON object")));
        }
    }

    #[test]
    fn sysctl_file_names_the_lowest_port() {
        let (inv, d) = sample::fleet();
        let g = generate(&inv, &target("5.4"), &d).unwrap();
        let f = g
            .files
            .iter()
            .find(|f| f.path == "sysctl.d/50-unroot-unprivileged-ports.conf")
            .unwrap();
        assert!(
            f.content
                .ends_with("net.ipv4.ip_unprivileged_port_start=80\n")
        );
    }
}
