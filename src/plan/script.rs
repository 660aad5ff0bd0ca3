//! migrate.sh and rollback.sh: the reviewed scripts that change the hosts.
//!
//! unroot itself never changes the Docker host; these scripts do, after review. Design:
//! - dry run by default (every step prints its commands), `--apply` executes;
//! - one shell function per step, listed with its name at the top, runnable alone
//!   (`--apply --step NAME`, or by name after `source migrate.sh`, which runs nothing);
//! - host-side steps (docker, root) and user-side steps (podman, as the user through the
//!   single `as_user` helper) are separate functions that meet in `$UNROOT_STAGING`;
//! - idempotent: each step checks whether its work is already done and skips it.
//!
//! Order: users and host settings, images (no downtime), units installed but not started,
//! then the cutover: every Docker container stops before any volume data is copied (a
//! volume copied while its database runs is not a backup), data moves, units start.

use std::collections::{BTreeMap, BTreeSet};

use crate::generate::{Generated, TransferMethod, UnitPlan};
use crate::model::{ContainerState, Inventory, Protocol, RestartPolicyName};
use crate::plan::Target;

/// Where a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Uses the Docker CLI: runs on the Docker host, as root.
    Docker,
    /// Root-only system configuration of the target (useradd, usermod, sysctl, loginctl,
    /// installing files, chown); no Docker needed.
    Root,
    /// As the rootless user (podman, systemctl --user) through `as_user`; no Docker needed.
    User,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::Docker => "docker",
            Side::Root => "root",
            Side::User => "user",
        }
    }
}

/// One step of a script: a shell function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Shell function name (`step_image_load_web`).
    pub function: String,
    pub side: Side,
    /// The container concerned, for per-container steps.
    pub container: Option<String>,
    /// One line saying what the step does.
    pub summary: String,
    body: Vec<String>,
}

/// Quote a string for bash (single quotes unless it is plainly safe).
pub fn q(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A bash identifier fragment from a name (`web-1.x` -> `web_1_x`).
fn ident(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Why a bind-mount source must never be chowned by migrate.sh, or `None` when it may be.
///
/// The generators only ask for application directories; this checks again, from the path
/// alone, with the one host-path policy (defence in depth: a hand-edited or buggy
/// `chown_binds` entry for `/etc` or a socket never reaches `chown -R`).
pub fn chown_refusal(path: &str) -> Option<&'static str> {
    crate::model::host_path::chown_refusal(path)
}

/// Everything the scripts are generated from.
pub struct ScriptInput<'a> {
    pub inventory: &'a Inventory,
    pub target: &'a Target,
    pub generated: &'a Generated,
}

struct Builder {
    steps: Vec<Step>,
    names: BTreeSet<String>,
}

impl Builder {
    fn new() -> Self {
        Self {
            steps: Vec::new(),
            names: BTreeSet::new(),
        }
    }

    fn push(
        &mut self,
        base: &str,
        side: Side,
        container: Option<&str>,
        summary: String,
        body: Vec<String>,
    ) {
        let mut function = format!("step_{base}");
        let mut n = 2;
        while self.names.contains(&function) {
            function = format!("step_{base}_{n}");
            n += 1;
        }
        self.names.insert(function.clone());
        self.steps.push(Step {
            function,
            side,
            container: container.map(str::to_string),
            summary,
            body,
        });
    }
}

/// `user:start:count` lines of a generated subuid/subgid file, else the plan's ranges.
fn subid_ranges(input: &ScriptInput<'_>, file: &str) -> BTreeMap<String, (u64, u64)> {
    let mut ranges: BTreeMap<String, (u64, u64)> = input
        .target
        .subid_ranges
        .iter()
        .map(|(u, r)| (u.clone(), (r.start, r.count)))
        .collect();
    if let Some(f) = input.generated.files.iter().find(|f| f.path == file) {
        for line in f
            .content
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
        {
            let mut parts = line.trim().split(':');
            if let (Some(u), Some(Ok(start)), Some(Ok(count))) = (
                parts.next(),
                parts.next().map(str::parse::<u64>),
                parts.next().map(str::parse::<u64>),
            ) {
                ranges.insert(u.to_string(), (start, count));
            }
        }
    }
    ranges
}

/// The users that run at least one unit, in first-use order.
fn users(units: &[UnitPlan]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    units
        .iter()
        .filter(|u| seen.insert(u.user.clone()))
        .map(|u| u.user.clone())
        .collect()
}

/// The quadlet files a user needs: its `.container` files and every other quadlet file
/// (volume, network, pod) those reference by file name.
fn quadlet_files_for<'a>(generated: &'a Generated, units: &[&UnitPlan]) -> Vec<&'a str> {
    let containers: Vec<&crate::generate::GeneratedFile> = units
        .iter()
        .filter_map(|u| {
            generated
                .files
                .iter()
                .find(|f| f.path == format!("quadlet/{}.container", u.unit))
        })
        .collect();
    let user = units.first().map(|u| u.user.as_str());
    let mut out: Vec<&str> = Vec::new();
    for f in &generated.files {
        let Some(name) = f.path.strip_prefix("quadlet/") else {
            continue;
        };
        // The generators say which users need each shared unit; older output that does
        // not is matched by reference from the users' container files.
        let listed = generated.resources.iter().find(|r| r.path == f.path);
        let wanted = containers.iter().any(|c| c.path == f.path)
            || (!name.ends_with(".container")
                && match listed {
                    Some(r) => user.is_some_and(|u| r.users.iter().any(|x| x == u)),
                    None => containers.iter().any(|c| references(&c.content, name)),
                });
        if wanted {
            out.push(f.path.as_str());
        }
    }
    out
}

/// Whether a unit file's content names `file` as a value (`Volume=data.volume:/x`).
fn references(content: &str, file: &str) -> bool {
    content.lines().any(|l| {
        l.split_once('=').is_some_and(|(_, v)| {
            v.split([' ', ':', ',', '='])
                .any(|token| token == file || token.strip_prefix("source=") == Some(file))
        })
    })
}

/// Where an env file must be installed, from the unit's `EnvironmentFile=` (relative to
/// the quadlet directory, `%h/` for home, or absolute). Shell expression.
fn env_destination(generated: &Generated, unit: &UnitPlan) -> Option<(String, String)> {
    let src = generated
        .files
        .iter()
        .find(|f| f.path == format!("env/{}.env", unit.unit))?;
    let container = generated
        .files
        .iter()
        .find(|f| f.path == format!("quadlet/{}.container", unit.unit))?;
    let value = container
        .content
        .lines()
        .find_map(|l| l.trim().strip_prefix("EnvironmentFile="))
        .map(str::trim)
        .unwrap_or("");
    let dest = if let Some(rest) = value.strip_prefix("%h/") {
        format!("\"$home\"/{}", q(rest))
    } else if value.starts_with('/') {
        q(value)
    } else if value.is_empty() {
        format!("\"$dir\"/{}", q(&format!("{}.env", unit.unit)))
    } else {
        format!("\"$dir\"/{}", q(value))
    };
    Some((src.path.clone(), dest))
}

fn docker_restart_arg(policy: &crate::model::RestartPolicy) -> String {
    match policy.name {
        RestartPolicyName::No => "no".to_string(),
        RestartPolicyName::Always => "always".to_string(),
        RestartPolicyName::UnlessStopped => "unless-stopped".to_string(),
        RestartPolicyName::OnFailure => match policy.max_retries {
            Some(n) if n > 0 => format!("on-failure:{n}"),
            _ => "on-failure".to_string(),
        },
    }
}

/// Where migrate.sh records the original owners of a bind mount (shell expression).
fn owners_list(unit: &str, host_path: &str) -> String {
    format!(
        "\"$UNROOT_STAGING\"/owners/{}",
        q(&format!("{}{}.list", unit, ident(host_path)))
    )
}

/// Archive of an image in the staging directory: one per image and user, in a directory
/// only that user can read (a private image must not leak to every local account).
fn image_archive(user: &str, docker_ref: &str) -> String {
    format!(
        "images/{user}/{}.tar",
        ident(docker_ref.trim_start_matches("sha256:"))
    )
}

/// The `.volume` unit that creates the Podman volume `volume` (by `VolumeName=`, or quadlet's
/// default `systemd-<stem>`), as its systemd service name.
fn volume_service(generated: &Generated, volume: &str) -> Option<String> {
    generated.files.iter().find_map(|f| {
        let stem = f.path.strip_prefix("quadlet/")?.strip_suffix(".volume")?;
        let named = f
            .content
            .lines()
            .any(|l| l.trim() == format!("VolumeName={volume}"));
        // Without `VolumeName=`, quadlet names the volume `systemd-<stem>`.
        let default_name = !f
            .content
            .lines()
            .any(|l| l.trim().starts_with("VolumeName="))
            && volume == format!("systemd-{stem}");
        (named || default_name).then(|| format!("{stem}-volume.service"))
    })
}

/// All migration steps, in run order.
pub fn migrate_steps(input: &ScriptInput<'_>) -> Vec<Step> {
    let g = input.generated;
    let units = &g.units;
    let mut b = Builder::new();
    let subuids = subid_ranges(input, "subuid");
    let subgids = subid_ranges(input, "subgid");

    // 1. Users, subordinate ids, lingering.
    for user in users(units) {
        let u = q(&user);
        if input.target.create_user {
            b.push(
                &format!("create_user_{}", ident(&user)),
                Side::Root,
                None,
                format!("create user {user} when missing"),
                vec![
                    format!("if applying && id -u {u} >/dev/null 2>&1; then skip \"user {user} exists\"; return 0; fi"),
                    // Debian's useradd would give the user a subordinate range of its own
                    // (SUB_UID_COUNT in login.defs); the plan's range is added by step_subids.
                    format!("run useradd --create-home --shell /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 {u}"),
                ],
            );
        } else {
            b.push(
                &format!("check_user_{}", ident(&user)),
                Side::Root,
                None,
                format!("check that user {user} exists (target.create_user is false)"),
                vec![
                    format!("if applying && ! id -u {u} >/dev/null 2>&1; then die \"user {user} does not exist: create it, or set target.create_user: true in the plan\"; fi"),
                    format!("run id {u}"),
                ],
            );
        }
        let mut body = Vec::new();
        let assigned = g.subids.iter().find(|a| a.user == user);
        for (file, flag, ranges, new) in [
            (
                "/etc/subuid",
                "--add-subuids",
                &subuids,
                assigned.map(|a| (a.uids, a.uids_new)),
            ),
            (
                "/etc/subgid",
                "--add-subgids",
                &subgids,
                assigned.map(|a| (a.gids, a.gids_new)),
            ),
        ] {
            let range = match new {
                Some((r, _)) => Some((r.start, r.count)),
                None => ranges.get(&user).copied(),
            };
            if let Some((false, (start, count))) = new.map(|(_, n)| n).zip(range) {
                body.push(format!(
                    "# {user} already has {start}-{} in {file} on the host the plan was made for.\n  \
                     if applying && ! grep -q {} {file}; then die \"{user} has no range in {file} any more: re-run unroot generate\"; fi",
                    start + count - 1,
                    q(&format!("^{user}:"))
                ));
                continue;
            }
            match range {
                Some((start, count)) => {
                    let end = start + count - 1;
                    // Skip only on the planned line itself; a different range means the
                    // host changed since the plan (or useradd assigned one): stop and say so
                    // rather than run with ranges the plan and REPORT.md do not describe.
                    body.push(format!(
                        "if applying && grep -qx {exact} {file}; then\n    \
                         skip \"{user}:{start}:{count} is already in {file}\"\n  \
                         elif applying && grep -q {prefix} {file}; then\n    \
                         die \"{user} already has $(grep {prefix} {file} | paste -sd ' ') in {file}, not the plan's \
                         {start}:{count}: set target.subid_ranges.{user} to that range and regenerate, or remove the line\"\n  \
                         else\n    \
                         if applying; then range_free {file} {start} {end} {u}; fi\n    \
                         run usermod {flag} {start}-{end} {u}\n  fi",
                        exact = q(&format!("{user}:{start}:{count}")),
                        prefix = q(&format!("^{user}:")),
                    ));
                }
                None => body.push(format!(
                    "if applying && ! grep -q {} {file}; then die \"{user} has no range in {file} and the plan allocates none\"; fi",
                    q(&format!("^{user}:"))
                )),
            }
        }
        body.push(format!(
            "# Podman re-reads the ranges only after a migrate (harmless for a new user).\n  \
             run as_user {u} podman system migrate"
        ));
        b.push(
            &format!("subids_{}", ident(&user)),
            Side::Root,
            None,
            format!("give {user} subordinate uid/gid ranges (/etc/subuid, /etc/subgid)"),
            body,
        );
        b.push(
            &format!("linger_{}", ident(&user)),
            Side::Root,
            None,
            format!("let {user}'s services run without a login session (loginctl enable-linger)"),
            vec![
                format!("if applying && [[ -e /var/lib/systemd/linger/{user} ]]; then skip \"lingering already enabled\"; return 0; fi"),
                format!("run loginctl enable-linger {u}"),
                format!("if applying; then wait_user_manager {u}; fi"),
            ],
        );
    }

    // 2. Host-wide kernel settings.
    let sysctls: Vec<&str> = g
        .files
        .iter()
        .filter(|f| f.path.starts_with("sysctl.d/"))
        .map(|f| f.path.as_str())
        .collect();
    if !sysctls.is_empty() {
        let mut body = Vec::new();
        for path in &sysctls {
            let name = path.trim_start_matches("sysctl.d/");
            body.push(format!(
                "install_file \"$UNROOT_BUNDLE\"/{} /etc/sysctl.d/{} 0644 root",
                q(path),
                q(name)
            ));
            body.push(format!("run sysctl -p /etc/sysctl.d/{}", q(name)));
        }
        b.push(
            "sysctl",
            Side::Root,
            None,
            format!("install and apply {}", sysctls.join(", ")),
            body,
        );
    }

    // 3. Images: no downtime yet.
    for unit in units {
        let u = q(&unit.user);
        let image = &unit.image;
        let podman_ref = q(&image.podman_ref);
        match image.method {
            TransferMethod::Load => {
                let archive = format!(
                    "\"$UNROOT_STAGING\"/{}",
                    q(&image_archive(&unit.user, &image.docker_ref))
                );
                b.push(
                    &format!("image_save_{}", ident(&unit.unit)),
                    Side::Docker,
                    Some(&unit.container),
                    format!("{}: save image {} from Docker into the staging directory", unit.container, image.docker_ref),
                    vec![
                        format!("if applying && [[ -s {archive} ]]; then skip \"archive exists\"; return 0; fi"),
                        "run install -d -m 0711 \"$UNROOT_STAGING\" \"$UNROOT_STAGING\"/images".to_string(),
                        format!("run install -d -m 0700 -o {u} \"$UNROOT_STAGING\"/images/{u}"),
                        format!("run docker save -o {archive}.part {}", q(&image.docker_ref)),
                        format!("run chown {u} {archive}.part"),
                        format!("run chmod 0600 {archive}.part"),
                        format!("run mv {archive}.part {archive}"),
                    ],
                );
                b.push(
                    &format!("image_load_{}", ident(&unit.unit)),
                    Side::User,
                    Some(&unit.container),
                    format!("{}: load the image into {}'s Podman storage as {}", unit.container, unit.user, image.podman_ref),
                    vec![
                        format!("if applying && as_user {u} podman image exists {podman_ref}; then skip \"image present\"; return 0; fi"),
                        format!("run as_user {u} podman load -i {archive}"),
                        format!(
                            "if ! applying || ! as_user {u} podman image exists {podman_ref}; then\n    \
                             run as_user {u} podman tag {} {podman_ref}\n  fi",
                            q(&image.docker_ref)
                        ),
                    ],
                );
            }
            TransferMethod::Pull => b.push(
                &format!("image_pull_{}", ident(&unit.unit)),
                Side::User,
                Some(&unit.container),
                format!("{}: pull {} as {}", unit.container, image.podman_ref, unit.user),
                vec![
                    format!("if applying && as_user {u} podman image exists {podman_ref}; then skip \"image present\"; return 0; fi"),
                    format!("run as_user {u} podman pull {podman_ref}"),
                ],
            ),
        }
    }

    // 4. Units installed (not started).
    for user in users(units) {
        let u = q(&user);
        let mine: Vec<&UnitPlan> = units.iter().filter(|x| x.user == user).collect();
        let quadlets = quadlet_files_for(g, &mine);
        let envs: Vec<(String, String)> =
            mine.iter().filter_map(|x| env_destination(g, x)).collect();
        let confs: Vec<&str> = g
            .files
            .iter()
            .filter(|f| f.path.starts_with("containers.conf.d/"))
            .map(|f| f.path.as_str())
            .collect();
        let mut body = vec![
            format!("local home dir group\n  home=$(home_of {u})\n  group=$(group_of {u})"),
            format!("dir=\"$home\"/{}", q(&input.target.quadlet_dir)),
            "run install -d -o ".to_string()
                + &u
                + " -g \"$group\" -m 0755 \"$home\"/.config \"$home\"/.config/containers \"$dir\"",
        ];
        for path in &quadlets {
            let name = path.trim_start_matches("quadlet/");
            body.push(format!(
                "install_file \"$UNROOT_BUNDLE\"/{} \"$dir\"/{} 0644 {u}",
                q(path),
                q(name)
            ));
        }
        // quadlet resolves `EnvironmentFile=env/x.env` next to the unit: that directory
        // must exist (0700: it holds the secrets).
        let mut env_dirs: Vec<&str> = envs
            .iter()
            .filter_map(|(_, dest)| dest.rsplit_once('/').map(|(dir, _)| dir))
            .filter(|d| *d != "\"$dir\"" && *d != "\"$home\"")
            .collect();
        env_dirs.sort_unstable();
        env_dirs.dedup();
        for d in &env_dirs {
            body.push(format!("run install -d -o {u} -g \"$group\" -m 0700 {d}"));
        }
        for (src, dest) in &envs {
            body.push(format!(
                "install_file \"$UNROOT_BUNDLE\"/{} {dest} 0600 {u}",
                q(src)
            ));
        }
        if !confs.is_empty() {
            body.push(format!(
                "run install -d -o {u} -g \"$group\" -m 0755 \"$home\"/.config/containers/containers.conf.d"
            ));
            for path in &confs {
                body.push(format!(
                    "install_file \"$UNROOT_BUNDLE\"/{} \"$home\"/.config/containers/{} 0644 {u}",
                    q(path),
                    q(path)
                ));
            }
        }
        b.push(
            &format!("install_units_{}", ident(&user)),
            Side::Root,
            None,
            format!(
                "install {} quadlet file(s), {} env file(s){} for {user} into ~{user}/{}",
                quadlets.len(),
                envs.len(),
                if confs.is_empty() {
                    String::new()
                } else {
                    format!(", {} containers.conf.d file(s)", confs.len())
                },
                input.target.quadlet_dir
            ),
            body,
        );
        b.push(
            &format!("daemon_reload_{}", ident(&user)),
            Side::User,
            None,
            format!("make {user}'s systemd generate the services from the quadlet files"),
            vec![format!("run as_user {u} systemctl --user daemon-reload")],
        );
    }

    // 5. Cutover: stop Docker containers.
    for unit in units {
        let c = input.inventory.container(&unit.container);
        let restart = c.map_or("no".to_string(), |c| docker_restart_arg(&c.restart_policy));
        b.push(
            &format!("docker_stop_{}", ident(&unit.unit)),
            Side::Docker,
            Some(&unit.container),
            format!(
                "{}: stop the Docker container and set its restart policy to no (was {restart}; rollback.sh restores it)",
                unit.container
            ),
            vec![
                format!("run docker update --restart=no {}", q(&unit.container)),
                format!("run docker stop {}", q(&unit.container)),
            ],
        );
    }

    // 6. Data: volumes and bind mounts.
    for unit in units {
        let u = q(&unit.user);
        for v in &unit.volumes {
            let tar = format!(
                "\"$UNROOT_STAGING\"/volumes/{}/{}",
                q(&unit.user),
                q(&format!("{}.tar", v.docker_volume))
            );
            let known = input
                .inventory
                .volumes
                .iter()
                .find(|x| x.name == v.docker_volume)
                .and_then(|x| x.mountpoint.clone())
                .unwrap_or_else(|| format!("/var/lib/docker/volumes/{}/_data", v.docker_volume));
            b.push(
                &format!(
                    "volume_export_{}_{}",
                    ident(&unit.unit),
                    ident(&v.docker_volume)
                ),
                Side::Docker,
                Some(&unit.container),
                format!(
                    "{}: archive Docker volume {} (numeric owners kept) into the staging directory",
                    unit.container, v.docker_volume
                ),
                vec![
                    format!(
                        "if applying && [[ -s {tar} ]]; then skip \"archive exists\"; return 0; fi"
                    ),
                    "local src".to_string(),
                    format!(
                        "src=$(docker_volume_path {} {})",
                        q(&v.docker_volume),
                        q(&known)
                    ),
                    format!(
                        "run install -d -m 0711 \"$UNROOT_STAGING\"\n  \
                         run install -d -m 0700 -o {u} \"$UNROOT_STAGING\"/volumes/{}",
                        q(&unit.user)
                    ),
                    format!("save_root_owner \"$src\" {tar}.root"),
                    format!("run tar --numeric-owner -C \"$src\" -cf {tar}.part ."),
                    format!("run chown {u} {tar}.part"),
                    format!("run mv {tar}.part {tar}"),
                ],
            );
            let service = volume_service(g, &v.podman_volume);
            let create = match &service {
                Some(s) => format!(
                    "# The quadlet .volume service creates it with its labels and options;\n  \
                     # without a user systemd (containers, chroots) a plain create does.\n  \
                     if ! applying || ! as_user {u} podman volume exists {vol}; then\n    \
                     run as_user {u} systemctl --user start {s} || run as_user {u} podman volume create --ignore {vol}\n  fi",
                    vol = q(&v.podman_volume),
                    s = q(s)
                ),
                None => format!(
                    "if ! applying || ! as_user {u} podman volume exists {vol}; then\n    \
                     run as_user {u} podman volume create --ignore {vol}\n  fi",
                    vol = q(&v.podman_volume)
                ),
            };
            b.push(
                &format!("volume_import_{}_{}", ident(&unit.unit), ident(&v.docker_volume)),
                Side::User,
                Some(&unit.container),
                format!(
                    "{}: import the data of {} into {}'s Podman volume {}",
                    unit.container, v.docker_volume, unit.user, v.podman_volume
                ),
                vec![
                    format!("if applying && [[ -e {tar}.imported ]]; then skip \"already imported\"; return 0; fi"),
                    format!("if applying && [[ ! -s {tar} ]]; then die \"missing {}: run the volume_export step first\"; fi", tar.replace('"', "")),
                    create,
                    format!("run as_user {u} podman volume import {} {tar}", q(&v.podman_volume)),
                    format!("restore_volume_root {u} {} {tar}.root", q(&v.podman_volume)),
                    format!("run touch {tar}.imported"),
                ],
            );
        }
        let binds: Vec<&crate::generate::BindChown> = unit
            .chown_binds
            .iter()
            .filter(|b| chown_refusal(&b.host_path).is_none())
            .collect();
        if !binds.is_empty() {
            let mut body = Vec::new();
            for bind in &binds {
                let path = q(&bind.host_path);
                body.push(format!(
                    "if applying && [[ ! -e {path} ]]; then die {}; fi",
                    q(&format!("bind mount source {} is missing", bind.host_path))
                ));
                let mut inner = format!(
                    "record_owners {path} {}\n    run chown -R {u}: {path}",
                    owners_list(&unit.unit, &bind.host_path)
                );
                if bind.uid != 0 || bind.gid != 0 {
                    inner.push_str(&format!(
                        "\n    run as_user {u} podman unshare chown -R {}:{} {path}",
                        bind.uid, bind.gid
                    ));
                }
                body.push(format!(
                    "if applying && [[ ! -d {path} && ! -f {path} ]]; then\n    \
                     skip {}\n  else\n    {inner}\n  fi",
                    q(&format!(
                        "{} is not a regular file or directory: owner left alone",
                        bind.host_path
                    ))
                ));
            }
            b.push(
                &format!("chown_binds_{}", ident(&unit.unit)),
                Side::Root,
                Some(&unit.container),
                format!(
                    "{}: hand the bind mount(s) {} to {} (owned inside the user namespace as the container user)",
                    unit.container,
                    binds.iter().map(|x| x.host_path.as_str()).collect::<Vec<_>>().join(", "),
                    unit.user
                ),
                body,
            );
        }
    }

    // 7. Start and check what ran under Docker.
    for unit in units {
        let u = q(&unit.user);
        let service = format!("{}.service", unit.unit);
        let was_running = input.inventory.container(&unit.container).is_none_or(|c| {
            matches!(
                c.state,
                ContainerState::Running | ContainerState::Restarting
            )
        });
        if !was_running {
            continue;
        }
        b.push(
            &format!("start_{}", ident(&unit.unit)),
            Side::User,
            Some(&unit.container),
            format!("{}: start {service} as {}", unit.container, unit.user),
            vec![format!(
                "run as_user {u} systemctl --user start {}",
                q(&service)
            )],
        );
        let mut check = vec![format!("wait_active {u} {}", q(&service))];
        for p in unit.ports.iter().filter(|p| p.protocol == Protocol::Tcp) {
            let ip = p
                .host_ip
                .as_deref()
                .filter(|ip| !ip.is_empty() && *ip != "0.0.0.0" && *ip != "::")
                .unwrap_or("127.0.0.1");
            check.push(format!("check_tcp {} {}", q(ip), p.host_port));
        }
        b.push(
            &format!("check_{}", ident(&unit.unit)),
            Side::User,
            Some(&unit.container),
            format!(
                "{}: check {service} is active{}",
                unit.container,
                if check.len() > 1 {
                    " and its TCP ports accept connections"
                } else {
                    ""
                }
            ),
            check,
        );
    }
    b.steps
}

/// Rollback steps, in run order: stop the units, remove them, give the bind mounts back,
/// restore the Docker side.
pub fn rollback_steps(input: &ScriptInput<'_>) -> Vec<Step> {
    let g = input.generated;
    let units = &g.units;
    let mut b = Builder::new();
    for unit in units {
        let service = format!("{}.service", unit.unit);
        b.push(
            &format!("stop_unit_{}", ident(&unit.unit)),
            Side::User,
            Some(&unit.container),
            format!("{}: stop {service}", unit.container),
            vec![format!(
                "if applying && ! as_user {u} systemctl --user is-active --quiet {s}; then skip \"not running\"; return 0; fi\n  \
                 run as_user {u} systemctl --user stop {s}",
                u = q(&unit.user),
                s = q(&service)
            )],
        );
    }
    for user in users(units) {
        let u = q(&user);
        let mine: Vec<&UnitPlan> = units.iter().filter(|x| x.user == user).collect();
        let mut body = vec![
            format!("local home dir\n  home=$(home_of {u})"),
            format!("dir=\"$home\"/{}", q(&input.target.quadlet_dir)),
        ];
        for path in quadlet_files_for(g, &mine) {
            body.push(format!(
                "run rm -f \"$dir\"/{}",
                q(path.trim_start_matches("quadlet/"))
            ));
        }
        for x in &mine {
            if let Some((_, dest)) = env_destination(g, x) {
                body.push(format!("run rm -f {dest}"));
            }
        }
        body.push(format!("run as_user {u} systemctl --user daemon-reload"));
        b.push(
            &format!("remove_units_{}", ident(&user)),
            Side::User,
            None,
            format!("remove {user}'s migrated quadlet and env files and reload (Podman volumes and images are kept)"),
            body,
        );
    }
    for unit in units {
        let binds: Vec<&crate::generate::BindChown> = unit
            .chown_binds
            .iter()
            .filter(|b| chown_refusal(&b.host_path).is_none())
            .collect();
        if binds.is_empty() {
            continue;
        }
        b.push(
            &format!("restore_owners_{}", ident(&unit.unit)),
            Side::Root,
            Some(&unit.container),
            format!(
                "{}: give {} back to the owners migrate.sh recorded",
                unit.container,
                binds
                    .iter()
                    .map(|x| x.host_path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            binds
                .iter()
                .map(|bind| {
                    format!(
                        "restore_owners {} {} {}:{}",
                        q(&bind.host_path),
                        owners_list(&unit.unit, &bind.host_path),
                        bind.uid,
                        bind.gid
                    )
                })
                .collect(),
        );
    }
    for unit in units {
        let c = input.inventory.container(&unit.container);
        let restart = c.map_or("no".to_string(), |c| docker_restart_arg(&c.restart_policy));
        let was_running = c.is_none_or(|c| {
            matches!(
                c.state,
                ContainerState::Running | ContainerState::Restarting
            )
        });
        let mut body = vec![format!(
            "run docker update --restart={} {}",
            q(&restart),
            q(&unit.container)
        )];
        if was_running {
            body.push(format!("run docker start {}", q(&unit.container)));
        }
        b.push(
            &format!("docker_restore_{}", ident(&unit.unit)),
            Side::Docker,
            Some(&unit.container),
            format!(
                "{}: restore the Docker restart policy ({restart}){}",
                unit.container,
                if was_running {
                    " and start the container"
                } else {
                    ""
                }
            ),
            body,
        );
    }
    b.steps
}

/// Shell helpers shared by both scripts.
const HELPERS: &str = r#"say() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
skip() { note "skip: $*"; }
die() { printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }
applying() { [[ "$UNROOT_APPLY" == 1 ]]; }

# Print the command (dry run) or run it (--apply).
run() {
  if applying; then
    "$@"
  else
    printf '    +'
    printf ' %q' "$@"
    printf '\n'
  fi
}

home_of() {
  local home
  home=$(getent passwd "$1" | cut -d: -f6) || true
  printf '%s\n' "${home:-/home/$1}"
}

group_of() { id -gn "$1" 2>/dev/null || printf '%s\n' "$1"; }

# Run a command as USER with the environment rootless Podman and systemctl --user need.
# The single place that switches users: redefine it after sourcing to run elsewhere.
as_user() {
  local user=$1 uid home
  shift
  uid=$(id -u "$user")
  home=$(home_of "$user")
  if [[ "$(id -u)" == "$uid" ]]; then
    (cd "$home" && env HOME="$home" XDG_RUNTIME_DIR="/run/user/$uid" "$@")
  else
    (cd / && runuser -u "$user" -- env HOME="$home" XDG_RUNTIME_DIR="/run/user/$uid" \
      DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@")
  fi
}

# install SRC DEST MODE OWNER, skipped when DEST already has that content.
install_file() {
  local src=$1 dest=$2 mode=$3 owner=$4
  if applying && [[ ! -f "$src" ]]; then die "missing $src (UNROOT_BUNDLE=$UNROOT_BUNDLE)"; fi
  if applying && cmp -s "$src" "$dest"; then
    skip "$dest is up to date"
    return 0
  fi
  run install -o "$owner" -g "$(group_of "$owner")" -m "$mode" "$src" "$dest"
}

# Refuse a subordinate range that overlaps another user's.
range_free() {
  local file=$1 start=$2 end=$3 user=$4
  [[ -e "$file" ]] || return 0
  awk -F: -v s="$start" -v e="$end" -v u="$user" \
    '$1 != u && NF >= 3 && $2 <= e && $2 + $3 - 1 >= s { print $1; bad = 1 } END { exit bad }' \
    "$file" >/dev/null || die "range $start-$end for $user overlaps another user's range in $file; edit target.subid_ranges in the plan"
}

# Remember the owner of every file under PATH before migrate.sh changes it, so rollback.sh
# can put each one back. Kept on re-runs: the first record is the original state.
record_owners() {
  local path=$1 list=$2
  if ! applying; then
    note "+ record the owner of every file under $path in $list"
    return 0
  fi
  if [[ -s "$list" ]]; then
    skip "owners of $path already recorded in $list"
    return 0
  fi
  install -d -m 0700 "$(dirname "$list")"
  find "$path" -printf '%U:%G %p\0' >"$list.part"
  mv "$list.part" "$list"
}

# Put back the owners record_owners saved; without a record, chown to FALLBACK.
restore_owners() {
  local path=$1 list=$2 fallback=$3 entry
  if ! applying; then
    note "+ chown every file under $path back to its owner recorded in $list (else $fallback)"
    return 0
  fi
  if [[ -s "$list" ]]; then
    while IFS= read -r -d '' entry; do
      chown -h "${entry%% *}" "${entry#* }"
    done <"$list"
  else
    note "no record in $list: giving $path to $fallback"
    chown -R "$fallback" "$path"
  fi
}

# The owner and mode of a volume's top directory: `podman volume import` restores the
# archive's content but not its root, and a non-root container user must own it to write.
save_root_owner() {
  local src=$1 file=$2
  if ! applying; then
    note "+ record the owner and mode of $src in $file"
    return 0
  fi
  stat -c '%u:%g %a' "$src" >"$file.part"
  mv "$file.part" "$file"
}

restore_volume_root() {
  local user=$1 volume=$2 file=$3 owner mode mountpoint
  if ! applying; then
    note "+ give the top of volume $volume the owner and mode recorded in $file (inside $user's user namespace)"
    return 0
  fi
  [[ -s "$file" ]] || die "missing $file: run the volume_export step first"
  read -r owner mode <"$file"
  mountpoint=$(as_user "$user" podman volume inspect --format '{{.Mountpoint}}' "$volume")
  as_user "$user" podman unshare chown "$owner" "$mountpoint"
  as_user "$user" podman unshare chmod "$mode" "$mountpoint"
}

wait_user_manager() {
  local uid
  uid=$(id -u "$1")
  for _ in $(seq 1 20); do
    [[ -S "/run/user/$uid/bus" ]] && return 0
    sleep 0.5
  done
  note "no user bus for $1 yet (/run/user/$uid/bus); systemctl --user steps may fail"
}

docker_volume_path() {
  if applying; then
    docker volume inspect --format '{{.Mountpoint}}' "$1"
  else
    printf '%s\n' "$2"
  fi
}

wait_active() {
  local user=$1 service=$2
  if ! applying; then
    run as_user "$user" systemctl --user is-active "$service"
    return 0
  fi
  for _ in $(seq 1 30); do
    if as_user "$user" systemctl --user is-active --quiet "$service"; then
      note "$service is active"
      return 0
    fi
    sleep 2
  done
  die "$service is not active after 60 s: see 'journalctl --user -u $service' as $user; rollback.sh restores the Docker container"
}

check_tcp() {
  local ip=$1 port=$2
  if ! applying; then
    note "+ connect to $ip:$port"
    return 0
  fi
  for _ in $(seq 1 15); do
    if timeout 2 bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null; then
      note "$ip:$port accepts connections"
      return 0
    fi
    sleep 2
  done
  die "nothing accepts connections on $ip:$port"
}
"#;

/// Render a script from its steps.
fn render(name: &str, intro: &str, steps: &[Step], input: &ScriptInput<'_>) -> String {
    let width = steps.iter().map(|s| s.function.len()).max().unwrap_or(0);
    let mut out = String::new();
    out.push_str("#!/usr/bin/env bash\n");
    out.push_str(&format!("# {name}: generated by unroot. {intro}\n"));
    out.push_str(&format!(
        "#\n# Usage (as root):\n\
         #   ./{name}                      dry run: print every step and its commands, change nothing\n\
         #   ./{name} --apply              run all steps in order; safe to re-run after a failure\n\
         #   ./{name} --apply --step NAME  run one step (NAME as listed below; `step_` optional)\n\
         #   ./{name} --list               list the steps\n\
         #   source ./{name}               define the functions and variables only; run a step\n\
         #                                 with e.g. `UNROOT_APPLY=1 {}`\n",
        steps.first().map_or("step_NAME", |s| s.function.as_str())
    ));
    out.push_str(
        "#\n# Environment:\n\
         #   UNROOT_STAGING  staging directory for image archives, volume data and the original\n\
         #                   owners of chowned bind mounts, shared by both sides and by\n\
         #                   rollback.sh: keep it until the migration is accepted\n\
         #                   (default /var/tmp/unroot-migrate)\n\
         #   UNROOT_BUNDLE   directory holding quadlet/, env/, sysctl.d/ (default: the script's)\n\
         #   UNROOT_APPLY    1 executes steps called after sourcing (default 0: print only)\n\
         # Sides: docker = uses the Docker CLI (Docker host, root); root = system configuration of
# the target (root, no Docker); user = as the rootless user via as_user (no Docker).\n",
    );
    out.push_str(&format!(
        "#\n# Target: Podman {}, quadlet directory ~USER/{}\n#\n# Steps, in order:\n",
        input.target.podman_version, input.target.quadlet_dir
    ));
    for s in steps {
        out.push_str(&format!(
            "#   {:<width$}  {}  {}\n",
            s.function,
            s.side.label(),
            s.summary
        ));
    }
    out.push_str("\nset -euo pipefail\n\n");
    out.push_str(&format!("SCRIPT_NAME={name}\n"));
    out.push_str(
        "UNROOT_STAGING=\"${UNROOT_STAGING:-/var/tmp/unroot-migrate}\"\n\
         UNROOT_BUNDLE=\"${UNROOT_BUNDLE:-$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)}\"\n\
         UNROOT_APPLY=\"${UNROOT_APPLY:-0}\"\n",
    );
    out.push_str("STEPS=(\n");
    for s in steps {
        out.push_str(&format!("  {}\n", s.function));
    }
    out.push_str(")\n\n");
    out.push_str(HELPERS);
    for s in steps {
        out.push_str(&format!(
            "\n# {} ({})\n{}() {{\n",
            s.summary,
            s.side.label(),
            s.function
        ));
        out.push_str(&format!(
            "  say {}\n",
            q(&format!("{}: {}", s.function, s.summary))
        ));
        for line in &s.body {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("}\n");
    }
    out.push_str(&format!(
        r#"
usage() {{
  sed -n '2,/^$/{{s/^# \{{0,1\}}//;p}}' "${{BASH_SOURCE[0]}}"
}}

main() {{
  local only=() step found
  while (($#)); do
    case "$1" in
      --apply) UNROOT_APPLY=1 ;;
      --step)
        [[ $# -ge 2 ]] || die "--step needs a step name (see --list)"
        only+=("${{2#step_}}")
        shift
        ;;
      --list) printf '%s\n' "${{STEPS[@]}}"; return 0 ;;
      -h | --help) usage; return 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  if applying && [[ "$(id -u)" != 0 ]]; then die "--apply must run as root"; fi
  if ! applying; then say "dry run: nothing is changed; re-run with --apply to execute"; fi
  for step in "${{only[@]}}"; do
    found=0
    for s in "${{STEPS[@]}}"; do [[ "$s" == "step_$step" ]] && found=1; done
    [[ "$found" == 1 ]] || die "no step named step_$step (see --list)"
  done
  for s in "${{STEPS[@]}}"; do
    if [[ ${{#only[@]}} -gt 0 ]]; then
      found=0
      for step in "${{only[@]}}"; do [[ "$s" == "step_$step" ]] && found=1; done
      [[ "$found" == 1 ]] || continue
    fi
    "$s"
  done
  say "{name}: done"
}}

if [[ "${{BASH_SOURCE[0]}}" == "$0" ]]; then
  main "$@"
fi
"#
    ));
    out
}

/// The text of migrate.sh.
pub fn migrate_sh(input: &ScriptInput<'_>) -> String {
    let steps = migrate_steps(input);
    let n = input.generated.units.len();
    render(
        "migrate.sh",
        &format!(
            "Moves {n} container(s) from rootful Docker to rootless Podman.\n\
             # Review it before running: it changes this host only with --apply."
        ),
        &steps,
        input,
    )
}

/// The text of rollback.sh.
pub fn rollback_sh(input: &ScriptInput<'_>) -> String {
    let steps = rollback_steps(input);
    render(
        "rollback.sh",
        "Undoes migrate.sh: stops and removes the rootless units,\n\
         # gives bind mounts back, restores each Docker container's restart policy and starts it\n\
         # again when it was running. Podman volumes and images are kept (remove them by hand).",
        &steps,
        input,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{BindChown, GeneratedFile, ImageTransfer, PublishedPort, VolumeMove};
    use crate::model::{Container, RestartPolicy, Volume};

    fn file(path: &str, content: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            mode: if path.starts_with("env/") {
                0o600
            } else {
                0o644
            },
            content: content.to_string(),
        }
    }

    /// A hand-made two-container output: one image loaded, one pulled, a named volume, a
    /// bind mount to chown, a remapped port, an env file.
    pub(crate) fn sample() -> (Inventory, Target, Generated) {
        let mut inv = Inventory::default();
        inv.containers.push(Container {
            name: "web".into(),
            state: ContainerState::Running,
            restart_policy: RestartPolicy {
                name: RestartPolicyName::UnlessStopped,
                max_retries: None,
            },
            ..Default::default()
        });
        inv.containers.push(Container {
            name: "db's".into(),
            state: ContainerState::Exited,
            restart_policy: RestartPolicy {
                name: RestartPolicyName::OnFailure,
                max_retries: Some(3),
            },
            ..Default::default()
        });
        inv.volumes.push(Volume {
            name: "pgdata".into(),
            mountpoint: Some("/var/lib/docker/volumes/pgdata/_data".into()),
            ..Default::default()
        });
        let target = Target {
            create_user: true,
            ..Target::new("app", "5.4")
        };
        let generated = Generated {
            files: vec![
                file("env/web.env", "SECRET=x\n"),
                file(
                    "quadlet/db.container",
                    "[Container]\nVolume=pgdata.volume:/var/lib/postgresql/data\n",
                ),
                file("quadlet/pgdata.volume", "[Volume]\nVolumeName=pgdata\n"),
                file(
                    "quadlet/web.container",
                    "[Container]\nEnvironmentFile=env/web.env\n",
                ),
                file("subgid", "app:100000:65536\n"),
                file("subuid", "app:100000:65536\n"),
                file(
                    "sysctl.d/50-unroot-ports.conf",
                    "net.ipv4.ip_unprivileged_port_start=80\n",
                ),
            ],
            notes: vec![],
            units: vec![
                UnitPlan {
                    container: "web".into(),
                    unit: "web".into(),
                    user: "app".into(),
                    image: ImageTransfer {
                        docker_ref: "app:1".into(),
                        podman_ref: "localhost/app:1".into(),
                        method: TransferMethod::Load,
                    },
                    volumes: vec![],
                    chown_binds: vec![BindChown {
                        host_path: "/srv/web data".into(),
                        uid: 33,
                        gid: 33,
                    }],
                    ports: vec![PublishedPort {
                        host_ip: None,
                        host_port: 8080,
                        docker_host_port: 80,
                        container_port: 80,
                        protocol: Protocol::Tcp,
                    }],
                    start_at_boot: true,
                },
                UnitPlan {
                    container: "db's".into(),
                    unit: "db".into(),
                    user: "app".into(),
                    image: ImageTransfer {
                        docker_ref: "postgres:16".into(),
                        podman_ref: "docker.io/library/postgres:16".into(),
                        method: TransferMethod::Pull,
                    },
                    volumes: vec![VolumeMove {
                        docker_volume: "pgdata".into(),
                        podman_volume: "pgdata".into(),
                        destination: "/var/lib/postgresql/data".into(),
                    }],
                    chown_binds: vec![],
                    ports: vec![],
                    start_at_boot: false,
                },
            ],
            ..Default::default()
        };
        (inv, target, generated)
    }

    fn shell_checks(name: &str, text: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new("bash")
            .arg("-n")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "bash -n {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        match std::process::Command::new("shellcheck")
            .arg("-x")
            .arg(&path)
            .output()
        {
            Ok(out) => assert!(
                out.status.success(),
                "shellcheck {name}:\n{}",
                String::from_utf8_lossy(&out.stdout)
            ),
            // scripts/test installs shellcheck (setup stage) and sets UNROOT_REQUIRE_DOCKER.
            Err(_) if std::env::var("UNROOT_REQUIRE_DOCKER").is_ok_and(|v| v == "1") => {
                panic!("shellcheck is required under scripts/test")
            }
            Err(_) => eprintln!("SKIPPED: shellcheck not installed"),
        }
    }

    #[test]
    fn scripts_pass_bash_n_and_shellcheck() {
        let (inv, target, generated) = sample();
        let input = ScriptInput {
            inventory: &inv,
            target: &target,
            generated: &generated,
        };
        shell_checks("migrate.sh", &migrate_sh(&input));
        shell_checks("rollback.sh", &rollback_sh(&input));
    }

    #[test]
    fn steps_follow_the_cutover_order() {
        let (inv, target, generated) = sample();
        let input = ScriptInput {
            inventory: &inv,
            target: &target,
            generated: &generated,
        };
        let names: Vec<String> = migrate_steps(&input)
            .into_iter()
            .map(|s| s.function)
            .collect();
        let pos = |n: &str| {
            names
                .iter()
                .position(|x| x == n)
                .unwrap_or_else(|| panic!("{n} missing from {names:?}"))
        };
        assert!(pos("step_create_user_app") < pos("step_subids_app"));
        assert!(pos("step_image_save_web") < pos("step_image_load_web"));
        assert!(pos("step_install_units_app") < pos("step_docker_stop_web"));
        // Data is copied only after every Docker container is stopped.
        assert!(pos("step_docker_stop_db") < pos("step_volume_export_db_pgdata"));
        assert!(pos("step_volume_export_db_pgdata") < pos("step_volume_import_db_pgdata"));
        assert!(pos("step_chown_binds_web") < pos("step_start_web"));
        assert!(names.contains(&"step_image_pull_db".to_string()));
        // The env file's directory is created (0700) before the file is installed into it.
        let text = migrate_sh(&input);
        let mkdir = text
            .find("run install -d -o app -g \"$group\" -m 0700 \"$dir\"/env\n")
            .expect("env directory created");
        let install = text
            .find("\"$dir\"/env/web.env 0600 app")
            .expect("env file installed");
        assert!(mkdir < install);
        // db was exited under Docker: installed, not started.
        assert!(!names.contains(&"step_start_db".to_string()));
    }
}

#[cfg(test)]
#[test]
fn system_paths_are_never_chowned() {
    for bad in [
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/etc/localtime",
        "/etc",
        "/root/.ssh",
        "/srv",
        "/srv/",
        "/",
        "/home/alice",
        "/run/dbus",
        "/var/lib/docker/volumes/x/_data",
        "/opt/app/../../etc",
        "relative/path",
    ] {
        assert!(chown_refusal(bad).is_some(), "{bad} must be refused");
    }
    for good in [
        "/srv/traefik/acme",
        "/mnt/data/nextcloud",
        "/home/alice/media",
        "/opt/app/data",
    ] {
        assert!(chown_refusal(good).is_none(), "{good} may be chowned");
    }
    let (inv, target, mut generated) = tests::sample();
    generated.units[0]
        .chown_binds
        .push(crate::generate::BindChown {
            host_path: "/var/run/docker.sock".into(),
            uid: 0,
            gid: 0,
        });
    let input = ScriptInput {
        inventory: &inv,
        target: &target,
        generated: &generated,
    };
    assert!(!migrate_sh(&input).contains("chown -R app: /var/run/docker.sock"));
    assert!(!rollback_sh(&input).contains("/var/run/docker.sock"));
}

#[cfg(test)]
#[test]
fn volume_service_follows_quadlet_naming() {
    let file = |path: &str, content: &str| crate::generate::GeneratedFile {
        path: path.into(),
        mode: 0o644,
        content: content.into(),
    };
    let g = Generated {
        files: vec![
            file("quadlet/data.volume", "[Volume]\nVolumeName=data\n"),
            file("quadlet/cache.volume", "[Volume]\n"),
        ],
        ..Default::default()
    };
    assert_eq!(
        volume_service(&g, "data").as_deref(),
        Some("data-volume.service")
    );
    assert_eq!(
        volume_service(&g, "systemd-cache").as_deref(),
        Some("cache-volume.service")
    );
    assert_eq!(volume_service(&g, "cache"), None);
}
