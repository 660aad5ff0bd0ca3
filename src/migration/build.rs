//! (Inventory, Target, Generated) -> [`Migration`]: small mappers, one pass over the units.
//!
//! Every lookup goes through an index built once, so building is linear in the number of
//! containers (the script used to search the generated files per container).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::groups::{self, Grouping};
use super::{
    CutoverGroup, GroupMember, ImagePlan, InstallMethod, Migration, Step, StepKind, SubIdAction,
    TcpCheck, UnitInstall, VolumeCopy,
};
use crate::generate::subid::SubIdAssignment;
use crate::generate::{
    BindChown, BundleFilePlan, EnvFilePlan, Generated, ImageTransfer, PodmanSecretPlan,
    PublishedPort, TransferMethod, UnitPlan, VolumeMove,
};
use crate::model::{Container, ContainerState, Inventory, Protocol, RestartPolicy};
use crate::plan::Target;

/// Everything a migration's steps are built from.
struct MigrationInput<'a> {
    pub inventory: &'a Inventory,
    pub target: &'a Target,
    pub generated: &'a Generated,
}

/// One unit's facts as the steps need them: the generators' [`UnitPlan`] joined with the
/// Docker side (restart policy, state) and filtered by the host-path policy.
struct UnitFacts<'a> {
    container: &'a str,
    unit: &'a str,
    user: &'a str,
    image: ImagePlan,
    volumes: Vec<VolumeCopy>,
    /// Bind sources the path policy lets migrate.sh hand over.
    binds: Vec<BindChown>,
    tcp: Vec<TcpCheck>,
    env_file: Option<&'a EnvFilePlan>,
    seccomp_file: Option<&'a BundleFilePlan>,
    quadlet_files: &'a [String],
    podman_secrets: &'a [PodmanSecretPlan],
    restart: RestartPolicy,
    was_running: bool,
    /// Its unit has `AutoUpdate=`: the user's auto-update timer is enabled.
    auto_update: bool,
}

impl UnitFacts<'_> {
    fn service(&self) -> String {
        format!("{}.service", self.unit)
    }
}

/// Build the migration, which then owns the generators' output. Pure; linear in the
/// number of units.
pub fn build(inventory: &Inventory, target: &Target, generated: Generated) -> Migration {
    let mut migration = build_steps(&MigrationInput {
        inventory,
        target,
        generated: &generated,
    });
    migration.generated = generated;
    migration
}

/// The steps and groups, read from borrowed generator output; [`build`] then hands the
/// output itself to the [`Migration`].
fn build_steps(input: &MigrationInput<'_>) -> Migration {
    let containers: HashMap<&str, &Container> = input
        .inventory
        .containers
        .iter()
        .map(|c| (c.name.as_str(), c))
        .collect();
    let mountpoints: HashMap<&str, &str> = input
        .inventory
        .volumes
        .iter()
        .filter_map(|v| v.mountpoint.as_deref().map(|m| (v.name.as_str(), m)))
        .collect();
    let units: Vec<UnitFacts<'_>> = input
        .generated
        .units
        .iter()
        .map(|u| {
            translate(
                u,
                containers.get(u.container.as_str()).copied(),
                &mountpoints,
            )
        })
        .collect();
    let users = users_in_order(&units);
    let groupings = groups::group(&input.generated.units, &containers);

    let mut m = Steps::default();
    for user in &users {
        user_steps(&mut m, input, user);
    }
    sysctl_step(&mut m, input.generated);
    image_steps(&mut m, &units, users.len() > 1);
    for user in &users {
        install_steps(&mut m, input, &units, user);
    }
    let mut group_ids = Names::default();
    let mut cutover = Vec::with_capacity(groupings.len());
    for g in &groupings {
        let group = cutover_group(&mut group_ids, g, &units);
        cutover_steps(&mut m, &group.id, g, &units, users.len() > 1);
        cutover.push(group);
    }
    auto_update_steps(&mut m, &units, &users);
    Migration {
        podman_version: input.target.podman_version.clone(),
        quadlet_dir: input.target.quadlet_dir.clone(),
        containers: units.len(),
        groups: cutover,
        steps: m.steps,
        rollback: rollback_steps(input, &units, &users),
        generated: Generated::default(),
    }
}

/// Translate one unit plan. Destructured field by field: a new field of [`UnitPlan`] does
/// not compile here until it is either used or named as not needed by the scripts.
fn translate<'a>(
    u: &'a UnitPlan,
    docker: Option<&Container>,
    mountpoints: &HashMap<&str, &str>,
) -> UnitFacts<'a> {
    let UnitPlan {
        container,
        unit,
        user,
        image,
        volumes,
        chown_binds,
        ports,
        // Read by REPORT.md; the scripts need no boot setting (lingering is per user).
        start_at_boot: _,
        env_file,
        quadlet_files,
        seccomp_file,
        // Checked by `unroot verify` on the target; nothing for the scripts to do.
        apparmor_profile: _,
        runs_once,
        auto_update,
        podman_secrets,
    } = u;
    UnitFacts {
        container,
        unit,
        user,
        image: image_plan(user, image),
        volumes: volumes
            .iter()
            .map(|v| volume_copy(user, v, mountpoints))
            .collect(),
        binds: chown_binds
            .iter()
            .filter(|b| crate::plan::script::chown_refusal(&b.host_path).is_none())
            .cloned()
            .collect(),
        // A oneshot has exited once its start returns: nothing listens to check.
        tcp: if *runs_once {
            Vec::new()
        } else {
            ports.iter().filter_map(tcp_check).collect()
        },
        env_file: env_file.as_ref(),
        seccomp_file: seccomp_file.as_ref(),
        quadlet_files,
        podman_secrets,
        restart: docker.map(|c| c.restart_policy.clone()).unwrap_or_default(),
        // A container the inventory does not know is assumed to have been serving.
        was_running: docker.is_none_or(|c| {
            matches!(
                c.state,
                ContainerState::Running | ContainerState::Restarting
            )
        }),
        auto_update: !auto_update.is_off(),
    }
}

fn image_plan(user: &str, image: &ImageTransfer) -> ImagePlan {
    let ImageTransfer {
        docker_ref,
        podman_ref,
        method,
        // Already in `podman_ref` when pinned; REPORT.md reads them from the unit plan.
        digest: _,
        pinned: _,
    } = image;
    ImagePlan {
        user: user.to_string(),
        docker_ref: docker_ref.clone(),
        podman_ref: podman_ref.clone(),
        method: *method,
    }
}

fn volume_copy(user: &str, v: &VolumeMove, mountpoints: &HashMap<&str, &str>) -> VolumeCopy {
    let VolumeMove {
        docker_volume,
        podman_volume,
        // Where the container mounts it: the unit file's business, not the copy's.
        destination: _,
        service,
    } = v;
    VolumeCopy {
        user: user.to_string(),
        docker_volume: docker_volume.clone(),
        podman_volume: podman_volume.clone(),
        mountpoint: mountpoints
            .get(docker_volume.as_str())
            .map(|m| m.to_string())
            .unwrap_or_else(|| format!("/var/lib/docker/volumes/{docker_volume}/_data")),
        service: Some(service.clone()).filter(|s| !s.is_empty()),
    }
}

/// The TCP port a check connects to: the published host port on the address it is bound
/// to, loopback for the wildcard.
fn tcp_check(p: &PublishedPort) -> Option<TcpCheck> {
    let PublishedPort {
        host_ip,
        host_port,
        docker_host_port: _,
        container_port: _,
        protocol,
    } = p;
    (*protocol == Protocol::Tcp).then(|| TcpCheck {
        ip: host_ip
            .as_deref()
            .filter(|ip| !ip.is_empty() && *ip != "0.0.0.0" && *ip != "::")
            .unwrap_or("127.0.0.1")
            .to_string(),
        port: *host_port,
    })
}

/// The users that run at least one unit, in first-use order.
fn users_in_order(units: &[UnitFacts<'_>]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    units
        .iter()
        .filter(|u| seen.insert(u.user))
        .map(|u| u.user.to_string())
        .collect()
}

/// Unique identifiers from names (`web-1.x` -> `web_1_x`, then `web_1_x_2`).
#[derive(Default)]
struct Names(BTreeSet<String>);

impl Names {
    fn claim(&mut self, base: &str) -> String {
        let base = ident(base);
        let mut name = base.clone();
        let mut n = 2;
        while !self.0.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }
}

/// A shell identifier fragment from any name: ASCII letters and digits kept, the rest `_`.
pub fn ident(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The steps of one script under construction, with unique names.
#[derive(Default)]
struct Steps {
    steps: Vec<Step>,
    names: Names,
}

impl Steps {
    fn push(&mut self, base: &str, containers: &[&str], group: Option<&str>, kind: StepKind) {
        let name = self.names.claim(base);
        self.steps.push(Step {
            name,
            containers: containers.iter().map(|c| c.to_string()).collect(),
            group: group.map(str::to_string),
            kind,
        });
    }
}

/// Per user: create or check it, lingering (and its user manager), the sub-ID ranges, then
/// Podman's migrate, which needs the runtime directory lingering created.
fn user_steps(m: &mut Steps, input: &MigrationInput<'_>, user: &str) {
    let id = ident(user);
    let u = user.to_string();
    if input.target.create_user {
        m.push(
            &format!("create_user_{id}"),
            &[],
            None,
            StepKind::CreateUser { user: u.clone() },
        );
    } else {
        m.push(
            &format!("check_user_{id}"),
            &[],
            None,
            StepKind::CheckUser { user: u.clone() },
        );
    }
    m.push(
        &format!("linger_{id}"),
        &[],
        None,
        StepKind::Linger { user: u.clone() },
    );
    let assigned = input.generated.subids.iter().find(|a| a.user == user);
    let planned = input.target.subid_ranges.get(user).copied();
    let (uids, gids) = subid_actions(assigned, planned);
    m.push(
        &format!("subids_{id}"),
        &[],
        None,
        StepKind::SubIds {
            user: u.clone(),
            uids,
            gids,
        },
    );
    m.push(
        &format!("podman_migrate_{id}"),
        &[],
        None,
        StepKind::PodmanMigrate { user: u },
    );
}

/// What to do with /etc/subuid and /etc/subgid: the allocator's assignment when it made
/// one (new or already on the host), else the plan's fixed range, else nothing to add.
fn subid_actions(
    assigned: Option<&SubIdAssignment>,
    planned: Option<crate::plan::SubIdRange>,
) -> (SubIdAction, SubIdAction) {
    let Some(a) = assigned else {
        let action = planned.map_or(SubIdAction::Missing, SubIdAction::Add);
        return (action, action);
    };
    let SubIdAssignment {
        user: _,
        uids,
        gids,
        uids_new,
        gids_new,
    } = a;
    let action = |range, new: bool| {
        if new {
            SubIdAction::Add(range)
        } else {
            SubIdAction::Present(range)
        }
    };
    (action(*uids, *uids_new), action(*gids, *gids_new))
}

/// Bundle paths of the generated files under `dir/` (sysctl.d, containers.conf.d).
fn bundle_files(generated: &Generated, dir: &str) -> Vec<String> {
    generated
        .files
        .iter()
        .filter(|f| f.path.starts_with(dir))
        .map(|f| f.path.clone())
        .collect()
}

fn sysctl_step(m: &mut Steps, generated: &Generated) {
    let files = bundle_files(generated, "sysctl.d/");
    if !files.is_empty() {
        m.push("sysctl", &[], None, StepKind::Sysctl { files });
    }
}

/// One save/load (or pull) per image and user, naming every container that uses it.
fn image_steps(m: &mut Steps, units: &[UnitFacts<'_>], several_users: bool) {
    let mut images: Vec<(ImagePlan, Vec<&str>)> = Vec::new();
    let mut index: HashMap<&ImagePlan, usize> = HashMap::new();
    for u in units {
        match index.get(&u.image) {
            Some(&i) => images[i].1.push(u.container),
            None => {
                index.insert(&u.image, images.len());
                images.push((u.image.clone(), vec![u.container]));
            }
        }
    }
    for (image, containers) in images {
        let short = image.docker_ref.trim_start_matches("sha256:");
        let short: String = if short.len() == 64 {
            short.chars().take(12).collect()
        } else {
            short.to_string()
        };
        let base = if several_users {
            format!("{}_{short}", image.user)
        } else {
            short
        };
        match image.method {
            TransferMethod::Load => {
                m.push(
                    &format!("image_save_{base}"),
                    &containers,
                    None,
                    StepKind::ImageSave(image.clone()),
                );
                m.push(
                    &format!("image_load_{base}"),
                    &containers,
                    None,
                    StepKind::ImageLoad(image),
                );
            }
            TransferMethod::Pull => {
                m.push(
                    &format!("image_pull_{base}"),
                    &containers,
                    None,
                    StepKind::ImagePull(image),
                );
            }
        }
    }
}

/// The files one user installs: the quadlet files its units need, their env files, and
/// the containers.conf.d snippets.
fn unit_install(input: &MigrationInput<'_>, units: &[UnitFacts<'_>], user: &str) -> UnitInstall {
    let generated = input.generated;
    let mine = || units.iter().filter(move |u| u.user == user);
    let quadlet_files: BTreeSet<&String> = mine().flat_map(|u| u.quadlet_files.iter()).collect();
    let contents: Vec<&str> = generated
        .files
        .iter()
        .filter(|f| quadlet_files.contains(&f.path))
        .map(|f| f.content.as_str())
        .collect();
    let target = input.target;
    let method = match crate::model::PodmanVersion::parse(&target.podman_version) {
        Ok(version) => InstallMethod::for_target(version, &target.quadlet_dir, &contents),
        Err(_) => InstallMethod::Copy,
    };
    UnitInstall {
        method,
        quadlet_files: quadlet_files.into_iter().cloned().collect(),
        env_files: mine().filter_map(|u| u.env_file.cloned()).collect(),
        seccomp_files: mine().filter_map(|u| u.seccomp_file.cloned()).collect(),
        conf_files: bundle_files(generated, "containers.conf.d/"),
    }
}

fn install_steps(m: &mut Steps, input: &MigrationInput<'_>, units: &[UnitFacts<'_>], user: &str) {
    let id = ident(user);
    let install = unit_install(input, units, user);
    let u = user.to_string();
    m.push(
        &format!("install_units_{id}"),
        &[],
        None,
        StepKind::InstallUnits {
            user: u.clone(),
            install,
        },
    );
    let secrets: Vec<PodmanSecretPlan> = user_secrets(units, user).cloned().collect();
    if !secrets.is_empty() {
        m.push(
            &format!("secrets_{id}"),
            &containers_with_secrets(units, user),
            None,
            StepKind::CreateSecrets {
                user: u.clone(),
                secrets,
            },
        );
    }
    m.push(
        &format!("daemon_reload_{id}"),
        &[],
        None,
        StepKind::DaemonReload { user: u },
    );
}

/// The Podman secrets of one user's units, in unit order.
fn user_secrets<'a>(
    units: &'a [UnitFacts<'_>],
    user: &'a str,
) -> impl Iterator<Item = &'a PodmanSecretPlan> {
    units
        .iter()
        .filter(move |u| u.user == user)
        .flat_map(|u| u.podman_secrets.iter())
}

/// The containers of one user that have Podman secrets.
fn containers_with_secrets<'a>(units: &[UnitFacts<'a>], user: &str) -> Vec<&'a str> {
    units
        .iter()
        .filter(|u| u.user == user && !u.podman_secrets.is_empty())
        .map(|u| u.container)
        .collect()
}

/// A group's identity and what its recovery must undo.
fn cutover_group(ids: &mut Names, g: &Grouping, units: &[UnitFacts<'_>]) -> CutoverGroup {
    let first = units[g.members[0]].unit;
    CutoverGroup {
        id: ids.claim(g.project.as_deref().unwrap_or(first)),
        project: g.project.clone(),
        members: g
            .members
            .iter()
            .map(|&i| {
                let u = &units[i];
                GroupMember {
                    container: u.container.to_string(),
                    user: u.user.to_string(),
                    service: u.service(),
                    unit: u.unit.to_string(),
                    restart: u.restart.clone(),
                    was_running: u.was_running,
                    binds: u.binds.clone(),
                }
            })
            .collect(),
    }
}

/// One group's cutover: stop its Docker side (dependents first), copy its volumes, hand
/// over its binds, then start and check each unit (dependencies first).
fn cutover_steps(
    m: &mut Steps,
    group: &str,
    g: &Grouping,
    units: &[UnitFacts<'_>],
    several_users: bool,
) {
    let members: Vec<&UnitFacts<'_>> = g.members.iter().map(|&i| &units[i]).collect();
    let gr = Some(group);
    for u in members.iter().rev() {
        m.push(
            &format!("docker_stop_{}", u.unit),
            &[u.container],
            gr,
            StepKind::DockerStop {
                container: u.container.to_string(),
                restart: u.restart.clone(),
            },
        );
    }
    volume_steps(m, gr, &members, several_users);
    for u in members.iter().filter(|u| !u.binds.is_empty()) {
        m.push(
            &format!("chown_binds_{}", u.unit),
            &[u.container],
            gr,
            StepKind::BindHandover {
                user: u.user.to_string(),
                unit: u.unit.to_string(),
                binds: u.binds.clone(),
            },
        );
    }
    for u in members.iter().filter(|u| u.was_running) {
        let (user, service) = (u.user.to_string(), u.service());
        m.push(
            &format!("start_{}", u.unit),
            &[u.container],
            gr,
            StepKind::Start {
                user: user.clone(),
                service: service.clone(),
            },
        );
        m.push(
            &format!("check_{}", u.unit),
            &[u.container],
            gr,
            StepKind::Check {
                user,
                service,
                tcp: u.tcp.clone(),
            },
        );
    }
}

/// The users whose units carry `AutoUpdate=`, in first-use order.
fn auto_updating_users<'a>(units: &[UnitFacts<'_>], users: &'a [String]) -> Vec<&'a String> {
    users
        .iter()
        .filter(|user| {
            units
                .iter()
                .any(|u| u.auto_update && u.user == user.as_str())
        })
        .collect()
}

/// After every group is cut over: enable `podman-auto-update.timer` for each user whose
/// units carry `AutoUpdate=` (Podman's replacement for a watcher); nothing updates a
/// container while the migration still runs.
fn auto_update_steps(m: &mut Steps, units: &[UnitFacts<'_>], users: &[String]) {
    for user in auto_updating_users(units, users) {
        let containers: Vec<&str> = units
            .iter()
            .filter(|u| u.auto_update && u.user == user.as_str())
            .map(|u| u.container)
            .collect();
        m.push(
            &format!("auto_update_timer_{}", ident(user)),
            &containers,
            None,
            StepKind::EnableAutoUpdate { user: user.clone() },
        );
    }
}

/// One export and one import per Docker volume and user of a group, naming every member
/// that mounts it (the group holds every writer, so all of them are stopped by now).
fn volume_steps(
    m: &mut Steps,
    group: Option<&str>,
    members: &[&UnitFacts<'_>],
    several_users: bool,
) {
    let mut copies: BTreeMap<(&str, &str), (Vec<&str>, &VolumeCopy)> = BTreeMap::new();
    for u in members {
        for v in &u.volumes {
            let entry = copies
                .entry((v.user.as_str(), v.docker_volume.as_str()))
                .or_insert_with(|| (Vec::new(), v));
            entry.0.push(u.container);
        }
    }
    for ((user, volume), (containers, copy)) in &copies {
        let base = if several_users {
            format!("{user}_{volume}")
        } else {
            volume.to_string()
        };
        let export = StepKind::VolumeExport((*copy).clone());
        m.push(&format!("volume_export_{base}"), containers, group, export);
        let import = StepKind::VolumeImport((*copy).clone());
        m.push(&format!("volume_import_{base}"), containers, group, import);
    }
}

/// rollback.sh: stop every unit, remove each user's files, give bind mounts back, restore
/// the Docker side.
fn rollback_steps(
    input: &MigrationInput<'_>,
    units: &[UnitFacts<'_>],
    users: &[String],
) -> Vec<Step> {
    let mut m = Steps::default();
    // First, so no update restarts a unit while rollback.sh stops them.
    for user in auto_updating_users(units, users) {
        m.push(
            &format!("auto_update_timer_{}", ident(user)),
            &[],
            None,
            StepKind::DisableAutoUpdate { user: user.clone() },
        );
    }
    for u in units {
        m.push(
            &format!("stop_unit_{}", u.unit),
            &[u.container],
            None,
            StepKind::StopUnit {
                user: u.user.to_string(),
                service: u.service(),
            },
        );
    }
    for user in users {
        let install = unit_install(input, units, user);
        m.push(
            &format!("remove_units_{}", ident(user)),
            &[],
            None,
            StepKind::RemoveUnits {
                user: user.clone(),
                install,
            },
        );
        let names: Vec<String> = user_secrets(units, user).map(|s| s.name.clone()).collect();
        if !names.is_empty() {
            m.push(
                &format!("remove_secrets_{}", ident(user)),
                &containers_with_secrets(units, user),
                None,
                StepKind::RemoveSecrets {
                    user: user.clone(),
                    names,
                },
            );
        }
    }
    for u in units.iter().filter(|u| !u.binds.is_empty()) {
        m.push(
            &format!("restore_owners_{}", u.unit),
            &[u.container],
            None,
            StepKind::RestoreOwners {
                unit: u.unit.to_string(),
                binds: u.binds.clone(),
            },
        );
    }
    for u in units {
        m.push(
            &format!("docker_restore_{}", u.unit),
            &[u.container],
            None,
            StepKind::DockerRestore {
                container: u.container.to_string(),
                restart: u.restart.clone(),
                start: u.was_running,
            },
        );
    }
    m.steps
}
