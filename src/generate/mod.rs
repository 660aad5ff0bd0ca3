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
pub mod container;
pub mod env;
pub mod exec_line;
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
    /// `localhost/app:1`).
    pub podman_ref: String,
    pub method: TransferMethod,
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

/// The target host's subordinate ID files, as text (empty when they do not exist).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostIdFiles {
    pub subuid: String,
    pub subgid: String,
}

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
    if version > keys::PodmanVersion::NEWEST_KNOWN {
        out.notes.push(Note {
            container: None,
            level: NoteLevel::Warning,
            setting: "--podman-version".to_owned(),
            message: format!(
                "Podman {version} is newer than the key table (up to {}): files are written for {} and may miss newer keys",
                keys::PodmanVersion::NEWEST_KNOWN,
                keys::PodmanVersion::NEWEST_KNOWN
            ),
        });
    }

    // Included containers, in name order so output is stable.
    let mut included: Vec<(&Container, ContainerDecision)> = inventory
        .containers
        .iter()
        .map(|c| {
            (
                c,
                decisions
                    .get(&c.name)
                    .cloned()
                    .unwrap_or_else(|| ContainerDecision::default_for(c)),
            )
        })
        .filter(|(_, d)| d.include)
        .collect();
    included.sort_by(|a, b| a.0.name.cmp(&b.0.name).then(a.0.id.cmp(&b.0.id)));

    let mut plan = resources::plan(&included, target, version);
    out.notes.append(&mut plan.notes);

    let mut lowest_privileged: Option<u16> = None;
    let mut pasta_users = std::collections::BTreeSet::new();
    let mut pod_ports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pod_args: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    let mut max_ids: BTreeMap<String, Option<u64>> = BTreeMap::new();
    // Several containers needing the same pasta option: set it once in containers.conf
    // (pasta_options, Podman 4.6+) rather than per container; never both (podman#22771).
    let map_gw_count = included
        .iter()
        .filter(|(c, d)| {
            let network = match &d.network {
                NetworkChoice::Pod(_) if version < keys::PodmanVersion::new(5, 0) => {
                    NetworkChoice::Pasta
                }
                other => other.clone(),
            };
            container::needs_map_gw(c, &network, version)
        })
        .count();
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
        host_wide_map_gw,
        host_paths: &host_paths,
    };
    for (c, decision) in &included {
        let unit = &plan.units[&c.name];
        let user = resources::user_for(c, decision, target);
        let mut generated =
            container::generate_container(inventory, c, unit, &user, decision, version, &names);
        if let Some(env) = generated.env_file.take() {
            out.files.push(GeneratedFile {
                path: format!("env/{unit}.env"),
                mode: 0o600,
                content: env,
            });
        }
        out.files.push(GeneratedFile {
            path: format!("quadlet/{unit}.container"),
            mode: 0o644,
            content: generated.unit_file.render(),
        });
        out.notes.append(&mut generated.notes);
        if let Some(low) = generated.lowest_privileged {
            lowest_privileged = Some(lowest_privileged.map_or(low, |l| l.min(low)));
        }
        if generated.uses_pasta {
            pasta_users.insert(user.clone());
        }
        if let NetworkChoice::Pod(p) = &decision.network {
            pod_ports
                .entry(p.clone())
                .or_default()
                .extend(generated.pod_ports);
            if !generated.pod_args.is_empty() {
                pod_args
                    .entry(p.clone())
                    .or_default()
                    .push(generated.pod_args.clone());
            }
        }
        let entry = max_ids.entry(user.clone()).or_insert(None);
        if let Some(id) = generated.max_id {
            *entry = Some(entry.map_or(id, |m| m.max(id)));
        }
        out.units.push(generated.plan);
    }

    resources::render(&plan, inventory, version, &pod_ports, &pod_args, &mut out);

    if let Some(n) = lowest_privileged {
        out.files.push(GeneratedFile {
            path: "sysctl.d/50-unroot-unprivileged-ports.conf".to_owned(),
            mode: 0o644,
            content: format!(
                "# Generated by unroot: rootless Podman publishes ports as the user, and the lowest\n\
                 # published host port is {n}. Install into /etc/sysctl.d/ and run `sysctl --system`.\n\
                 net.ipv4.ip_unprivileged_port_start={n}\n"
            ),
        });
    }
    let default_cmd = version < keys::PodmanVersion::new(5, 0) && !pasta_users.is_empty();
    if default_cmd || host_wide_map_gw {
        let mut content = format!(
            "# Generated by unroot for Podman {version}.\n\
             # Install into ~/.config/containers/containers.conf.d/ of: {}\n\
             [network]\n",
            pasta_users.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        if default_cmd {
            content += "# Podman before 5.0 defaults to slirp4netns; pasta keeps client source addresses.\n\
                        default_rootless_network_cmd = \"pasta\"\n";
        }
        if host_wide_map_gw {
            content += &format!(
                "# {map_gw_count} containers reach the host through Docker's host-gateway: map the gateway\n\
                 # address to the host (pasta --map-gw) for every rootless container of these users.\n\
                 pasta_options = [\"--map-gw\"]\n"
            );
        }
        out.files.push(GeneratedFile {
            path: "containers.conf.d/50-unroot-pasta.conf".to_owned(),
            mode: 0o644,
            content,
        });
    }

    // subuid/subgid for every rootless user that runs something.
    let subuid = subid::parse(&host.subuid, "/etc/subuid");
    let subgid = subid::parse(&host.subgid, "/etc/subgid");
    for p in subuid.problems.iter().chain(&subgid.problems) {
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
    let (assignments, problems) =
        subid::allocate(&subuid, &subgid, &requests, &target.subid_ranges, users);
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

    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

#[cfg(test)]
mod handover_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContainerState, PortBinding, PortRange};

    fn target(version: &str) -> Target {
        Target::new("alice", version)
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
