//! One renderer per step kind: the body lines of a step's shell function.
//!
//! Every value goes through [`Cmd`] (quoted) or [`msg`] (sanitised and quoted); the fixed
//! shell around them is written here. Each step is idempotent: it checks under `applying`
//! whether its work is done and skips it.

use super::cmd::{Cmd, Var, q, under};
use super::msg;
use crate::generate::{BindChown, PodmanSecretPlan};
use crate::migration::{
    ImagePlan, InstallMethod, QUADLETS_APP, StepKind, SubIdAction, TcpCheck, UnitInstall,
    VolumeCopy,
};
use crate::render::step_text::restart_arg;

/// The body of a step function (each entry one or more lines, indented by the caller).
pub fn body(kind: &StepKind, quadlet_dir: &str) -> Vec<String> {
    use StepKind as K;
    match kind {
        K::CreateUser { user } => create_user(user),
        K::CheckUser { user } => check_user(user),
        K::Linger { user } => linger(user),
        K::SubIds { user, uids, gids } => subids(user, *uids, *gids),
        K::PodmanMigrate { user } => {
            vec![Cmd::run_as(user).word("podman system migrate").render()]
        }
        K::Sysctl { files } => sysctl(files),
        K::ImageSave(i) => image_save(i),
        K::ImageLoad(i) => image_load(i),
        K::ImagePull(i) => image_pull(i),
        K::InstallUnits { user, install } => install_units(user, install, quadlet_dir),
        K::CreateSecrets { user, secrets } => create_secrets(user, secrets),
        K::DaemonReload { user } => {
            vec![
                Cmd::run_as(user)
                    .word("systemctl --user daemon-reload")
                    .render(),
            ]
        }
        K::DockerStop { container, .. } => docker_stop(container),
        K::VolumeExport(v) => volume_export(v),
        K::VolumeImport(v) => volume_import(v),
        K::BindHandover { user, unit, binds } => bind_handover(user, unit, binds),
        K::Start { user, service } => vec![
            Cmd::run_as(user)
                .word("systemctl --user start")
                .arg(service)
                .render(),
        ],
        K::Check { user, service, tcp } => check(user, service, tcp),
        K::EnableAutoUpdate { user } => auto_update_timer(user, true),
        K::StopUnit { user, service } => stop_unit(user, service),
        K::RemoveUnits { user, install } => remove_units(user, install, quadlet_dir),
        K::DisableAutoUpdate { user } => auto_update_timer(user, false),
        K::RestoreOwners { unit, binds } => restore_owners(unit, binds),
        K::RemoveSecrets { user, names } => remove_secrets(user, names),
        K::DockerRestore {
            container,
            restart,
            start,
        } => docker_restore(container, &restart_arg(restart), *start),
    }
}

/// `if applying && TEST; then skip MESSAGE; return 0; fi`: the step's work is done.
fn skip_if(test: &str, message: &str) -> String {
    format!(
        "if applying && {test}; then skip {}; return 0; fi",
        msg(message)
    )
}

fn create_user(user: &str) -> Vec<String> {
    let id = Cmd::new("id").word("-u").arg(user).render();
    vec![
        skip_if(
            &format!("{id} >/dev/null 2>&1"),
            &format!("user {user} exists"),
        ),
        // Debian's useradd would give the user a subordinate range of its own
        // (SUB_UID_COUNT in login.defs); the plan's range is added by the subids step.
        Cmd::run("useradd")
            .word("--create-home --shell /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0")
            .arg(user)
            .render(),
    ]
}

fn check_user(user: &str) -> Vec<String> {
    vec![
        format!(
            "if applying && ! {} >/dev/null 2>&1; then die {}; fi",
            Cmd::new("id").word("-u").arg(user).render(),
            msg(&format!(
                "user {user} does not exist: create it, or set target.create_user: true in the plan"
            ))
        ),
        Cmd::run("id").arg(user).render(),
    ]
}

/// Lingering, then always wait for the user manager: the steps after it run Podman and
/// systemctl as the user, which need its runtime directory and bus.
fn linger(user: &str) -> Vec<String> {
    let marker = Cmd::new("[[")
        .word("-e")
        .arg(format!("/var/lib/systemd/linger/{user}"))
        .word("]]")
        .render();
    vec![
        format!(
            "if applying && {marker}; then\n    skip {}\n  else\n    {}\n  fi",
            msg("lingering already enabled"),
            Cmd::run("loginctl")
                .word("enable-linger")
                .arg(user)
                .render()
        ),
        format!(
            "if applying; then {}; fi",
            Cmd::new("wait_user_manager").arg(user).render()
        ),
    ]
}

fn subids(user: &str, uids: SubIdAction, gids: SubIdAction) -> Vec<String> {
    [
        ("/etc/subuid", "--add-subuids", uids),
        ("/etc/subgid", "--add-subgids", gids),
    ]
    .into_iter()
    .map(|(file, flag, action)| subid_line(user, file, flag, action))
    .collect()
}

/// One sub-ID file: the helpers in helpers.sh do the checking.
fn subid_line(user: &str, file: &'static str, flag: &'static str, action: SubIdAction) -> String {
    match action {
        SubIdAction::Add(r) => Cmd::new("subid_add")
            .word(file)
            .word(flag)
            .arg(user)
            .num(r.start)
            .num(r.count),
        SubIdAction::Present(r) => Cmd::new("subid_present")
            .word(file)
            .arg(user)
            .num(r.start)
            .num(r.count),
        SubIdAction::Missing => Cmd::new("subid_required").word(file).arg(user),
    }
    .render()
}

fn sysctl(files: &[String]) -> Vec<String> {
    let mut body = Vec::new();
    for path in files {
        let name = path.trim_start_matches("sysctl.d/");
        let dest = format!("/etc/sysctl.d/{name}");
        body.push(
            Cmd::new("install_file")
                .under(Var::Bundle, path)
                .arg(&dest)
                .word("0644 root")
                .render(),
        );
        body.push(Cmd::run("sysctl").word("-p").arg(&dest).render());
    }
    body
}

/// Archive of an image in the staging directory: one per image and user, in a directory
/// only that user can read (a private image must not leak to every local account).
fn image_archive(image: &ImagePlan) -> String {
    format!(
        "images/{}/{}.tar",
        image.user,
        crate::migration::build::ident(image.docker_ref.trim_start_matches("sha256:"))
    )
}

fn image_save(image: &ImagePlan) -> Vec<String> {
    let archive = image_archive(image);
    let part = format!("{archive}.part");
    let u = &image.user;
    vec![
        skip_if(
            &format!("[[ -s {} ]]", under(Var::Staging, &archive)),
            "archive exists",
        ),
        Cmd::run("install")
            .word("-d -m 0711")
            .var(Var::Staging)
            .under(Var::Staging, "images")
            .render(),
        Cmd::run("install")
            .word("-d -m 0700 -o")
            .arg(u)
            .under(Var::Staging, format!("images/{u}"))
            .render(),
        Cmd::run("docker")
            .word("save -o")
            .under(Var::Staging, &part)
            .arg(&image.docker_ref)
            .render(),
        Cmd::run("chown").arg(u).under(Var::Staging, &part).render(),
        Cmd::run("chmod")
            .word("0600")
            .under(Var::Staging, &part)
            .render(),
        Cmd::run("mv")
            .under(Var::Staging, &part)
            .under(Var::Staging, &archive)
            .render(),
    ]
}

/// `as_user USER podman image exists REF`: whether the user has the image.
fn image_exists(image: &ImagePlan) -> String {
    Cmd::query_as(&image.user)
        .word("podman image exists")
        .arg(&image.podman_ref)
        .render()
}

fn image_load(image: &ImagePlan) -> Vec<String> {
    let u = &image.user;
    // `podman load` names an image saved from Docker `docker.io/library/...` (or nothing
    // when saved by ID): tag it as the unit's `Image=` says.
    vec![
        skip_if(&image_exists(image), "image present"),
        Cmd::run_as(u)
            .word("podman load -i")
            .under(Var::Staging, image_archive(image))
            .render(),
        format!(
            "if ! applying || ! {}; then\n    {}\n  fi",
            image_exists(image),
            Cmd::run_as(u)
                .word("podman tag")
                .arg(&image.docker_ref)
                .arg(&image.podman_ref)
                .render()
        ),
    ]
}

fn image_pull(image: &ImagePlan) -> Vec<String> {
    vec![
        skip_if(&image_exists(image), "image present"),
        Cmd::run_as(&image.user)
            .word("podman pull")
            .arg(&image.podman_ref)
            .render(),
    ]
}

/// `local home dir group` set for USER: its home, quadlet directory and primary group.
fn user_dirs(user: &str, quadlet_dir: &str) -> Vec<String> {
    vec![
        "local home dir group".to_string(),
        format!("home=$({})", Cmd::new("home_of").arg(user).render()),
        format!("group=$({})", Cmd::new("group_of").arg(user).render()),
        format!("dir={}", under(Var::Home, quadlet_dir)),
    ]
}

/// The directories (relative to the quadlet directory) that hold these files, sorted, each
/// once: created by the install step and checked before it.
fn parent_dirs<'a>(paths: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut dirs: Vec<&str> = paths
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    dirs
}

/// `refuse_symlinks USER DIR...`: every directory this step creates in the user's home,
/// checked before the first `install -d` (install_file checks each file it writes).
fn refuse_symlinks(user: &str, install: &UnitInstall) -> String {
    let mut cmd = Cmd::new("refuse_symlinks")
        .arg(user)
        .under(Var::Home, ".config")
        .under(Var::Home, ".config/containers")
        .var(Var::Dir);
    let env = parent_dirs(install.env_files.iter().map(|e| &e.install_path));
    let seccomp = parent_dirs(install.seccomp_files.iter().map(|s| &s.install_path));
    for d in env.into_iter().chain(seccomp) {
        cmd = cmd.under(Var::Dir, d);
    }
    if install.method.uses_podman_quadlet() {
        cmd = cmd.under(Var::Home, QUADLET_STAGING);
    }
    if !install.conf_files.is_empty() {
        cmd = cmd.under(Var::Home, ".config/containers/containers.conf.d");
    }
    cmd.render()
}

fn install_units(user: &str, install: &UnitInstall, quadlet_dir: &str) -> Vec<String> {
    let mut body = user_dirs(user, quadlet_dir);
    body.push(refuse_symlinks(user, install));
    let mkdir = |mode: &'static str| {
        Cmd::run("install")
            .word("-d -o")
            .arg(user)
            .word("-g")
            .var(Var::Group)
            .word(mode)
    };
    body.push(
        mkdir("-m 0755")
            .under(Var::Home, ".config")
            .under(Var::Home, ".config/containers")
            .var(Var::Dir)
            .render(),
    );
    let file = |src: &str, var: Var, dest: &str, mode: &'static str| {
        Cmd::new("install_file")
            .under(Var::Bundle, src)
            .under(var, dest)
            .word(mode)
            .arg(user)
            .render()
    };
    if install.method.uses_podman_quadlet() {
        body.push(mkdir("-m 0700").under(Var::Home, QUADLET_STAGING).render());
        body.extend(podman_quadlet_install(user, install));
    } else {
        for path in &install.quadlet_files {
            body.push(file(
                path,
                Var::Dir,
                path.trim_start_matches("quadlet/"),
                "0644",
            ));
        }
    }
    // quadlet resolves `EnvironmentFile=env/x.env` next to the unit: that directory must
    // exist (0700: it holds the secrets).
    for d in parent_dirs(install.env_files.iter().map(|e| &e.install_path)) {
        body.push(mkdir("-m 0700").under(Var::Dir, d).render());
    }
    for e in &install.env_files {
        body.push(file(&e.bundle_path, Var::Dir, &e.install_path, "0600"));
    }
    // Seccomp profiles: read by podman as the user, nothing secret in them.
    for d in parent_dirs(install.seccomp_files.iter().map(|s| &s.install_path)) {
        body.push(mkdir("-m 0755").under(Var::Dir, d).render());
    }
    for s in &install.seccomp_files {
        body.push(file(&s.bundle_path, Var::Dir, &s.install_path, "0644"));
    }
    if !install.conf_files.is_empty() {
        body.push(
            mkdir("-m 0755")
                .under(Var::Home, ".config/containers/containers.conf.d")
                .render(),
        );
        for path in &install.conf_files {
            body.push(file(
                path,
                Var::Home,
                &format!(".config/containers/{path}"),
                "0644",
            ));
        }
    }
    body
}

/// Where migrate.sh puts what `podman quadlet install` reads as the user: under the user's
/// own configuration (the bundle is root's), next to but outside the quadlet directory.
const QUADLET_STAGING: &str = ".config/containers/unroot";

/// The file name a bundle path `quadlet/NAME` has in the quadlet directory.
fn unit_file_name(path: &str) -> &str {
    path.trim_start_matches("quadlet/")
}

/// Where the `.quadlets` file is staged for `podman quadlet install` (relative to the home).
fn staged_bundle() -> String {
    format!("{QUADLET_STAGING}/{QUADLETS_APP}.quadlets")
}

/// Where one unit file is staged for `podman quadlet install` (relative to the home).
fn staged_unit(path: &str) -> String {
    format!("{QUADLET_STAGING}/{}", unit_file_name(path))
}

/// Install the quadlet files with `podman quadlet install --replace` as the user, so
/// `podman quadlet list` shows them and `podman quadlet rm` removes them. `--replace`
/// keeps migrate.sh safe to re-run; the DaemonReload step that follows reloads systemd.
fn podman_quadlet_install(user: &str, install: &UnitInstall) -> Vec<String> {
    let quadlet_install = |staged: &str| {
        Cmd::run_as(user)
            .word("podman quadlet install --replace --reload-systemd=false")
            .under(Var::Home, staged)
            .render()
    };
    let mut body = Vec::new();
    if install.method == InstallMethod::PodmanBundle {
        let staged = staged_bundle();
        let mut bundle = Cmd::run("quadlet_bundle")
            .under(Var::Home, &staged)
            .arg(user);
        for path in &install.quadlet_files {
            bundle = bundle.under(Var::Bundle, path);
        }
        body.push(bundle.render());
        body.push(quadlet_install(&staged));
    } else {
        for path in &install.quadlet_files {
            let staged = staged_unit(path);
            body.push(
                Cmd::new("install_file")
                    .under(Var::Bundle, path)
                    .under(Var::Home, &staged)
                    .word("0644")
                    .arg(user)
                    .render(),
            );
            body.push(quadlet_install(&staged));
        }
    }
    body
}

/// `podman quadlet rm` as the user (a failure is reported and the files are removed by
/// hand after it), then what migrate.sh staged for it and the application records.
fn podman_quadlet_remove(user: &str, install: &UnitInstall) -> Vec<String> {
    let mut rm = Cmd::new("try")
        .word("run as_user")
        .arg(user)
        .word("podman quadlet rm --ignore --reload-systemd=false");
    for path in &install.quadlet_files {
        rm = rm.arg(unit_file_name(path));
    }
    let mut body = vec![rm.render()];
    let mut staged: Vec<String> = Vec::new();
    let mut records: Vec<String> = Vec::new();
    if install.method == InstallMethod::PodmanBundle {
        staged.push(staged_bundle());
        records.push(format!(".{QUADLETS_APP}.app"));
    } else {
        for path in &install.quadlet_files {
            staged.push(staged_unit(path));
            records.push(format!(".{}.app", unit_file_name(path)));
        }
    }
    for path in &staged {
        body.push(Cmd::run("rm").word("-f").under(Var::Home, path).render());
    }
    for record in &records {
        body.push(Cmd::run("rm").word("-f").under(Var::Dir, record).render());
    }
    body.push(
        Cmd::new("try")
            .word("run rmdir")
            .under(Var::Home, QUADLET_STAGING)
            .render(),
    );
    body
}

/// `secret_create USER NAME FILE` per secret: the helper pipes the staging file on stdin.
fn create_secrets(user: &str, secrets: &[PodmanSecretPlan]) -> Vec<String> {
    secrets
        .iter()
        .map(|s| {
            Cmd::new("secret_create")
                .arg(user)
                .arg(&s.name)
                .under(Var::Bundle, &s.bundle_path)
                .render()
        })
        .collect()
}

fn remove_secrets(user: &str, names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| Cmd::new("secret_remove").arg(user).arg(n).render())
        .collect()
}

fn docker_stop(container: &str) -> Vec<String> {
    vec![
        Cmd::run("docker")
            .word("update --restart=no")
            .arg(container)
            .render(),
        Cmd::run("docker").word("stop").arg(container).render(),
    ]
}

/// The volume archive in the staging directory, one per user and Docker volume.
fn volume_archive(v: &VolumeCopy) -> String {
    format!("volumes/{}/{}.tar", v.user, v.docker_volume)
}

fn volume_export(v: &VolumeCopy) -> Vec<String> {
    let tar = volume_archive(v);
    let part = format!("{tar}.part");
    let u = &v.user;
    vec![
        skip_if(
            &format!("[[ -s {} ]]", under(Var::Staging, &tar)),
            "archive exists",
        ),
        "local src".to_string(),
        format!(
            "src=$({})",
            Cmd::new("docker_volume_path")
                .arg(&v.docker_volume)
                .arg(&v.mountpoint)
                .render()
        ),
        Cmd::run("install")
            .word("-d -m 0711")
            .var(Var::Staging)
            .render(),
        Cmd::run("install")
            .word("-d -m 0700 -o")
            .arg(u)
            .under(Var::Staging, format!("volumes/{u}"))
            .render(),
        Cmd::new("save_root_owner")
            .var(Var::Src)
            .under(Var::Staging, format!("{tar}.root"))
            .render(),
        Cmd::run("tar")
            .word("--numeric-owner -C")
            .var(Var::Src)
            .word("-cf")
            .under(Var::Staging, &part)
            .word(".")
            .render(),
        Cmd::run("chown").arg(u).under(Var::Staging, &part).render(),
        Cmd::run("mv")
            .under(Var::Staging, &part)
            .under(Var::Staging, &tar)
            .render(),
    ]
}

fn volume_import(v: &VolumeCopy) -> Vec<String> {
    let tar = volume_archive(v);
    let u = &v.user;
    let create = Cmd::run_as(u)
        .word("podman volume create --ignore")
        .arg(&v.podman_volume)
        .render();
    // The quadlet .volume service creates it with its labels and options; without a user
    // systemd (containers, chroots) a plain create does.
    let create = match &v.service {
        Some(s) => format!(
            "{} || {create}",
            Cmd::run_as(u)
                .word("systemctl --user start")
                .arg(s)
                .render()
        ),
        None => create,
    };
    let exists = Cmd::query_as(u)
        .word("podman volume exists")
        .arg(&v.podman_volume)
        .render();
    vec![
        skip_if(
            &format!(
                "[[ -e {} ]]",
                under(Var::Staging, &format!("{tar}.imported"))
            ),
            "already imported",
        ),
        format!(
            "if applying && [[ ! -s {} ]]; then die {}; fi",
            under(Var::Staging, &tar),
            msg(&format!(
                "missing {tar} in the staging directory: run the volume_export step first"
            ))
        ),
        format!("if ! applying || ! {exists}; then\n    {create}\n  fi"),
        Cmd::run_as(u)
            .word("podman volume import")
            .arg(&v.podman_volume)
            .under(Var::Staging, &tar)
            .render(),
        Cmd::new("restore_volume_root")
            .arg(u)
            .arg(&v.podman_volume)
            .under(Var::Staging, format!("{tar}.root"))
            .render(),
        Cmd::run("touch")
            .under(Var::Staging, format!("{tar}.imported"))
            .render(),
    ]
}

/// Where migrate.sh records the original owners of a bind mount, under the staging
/// directory.
fn owners_list(unit: &str, host_path: &str) -> String {
    format!(
        "owners/{unit}{}.list",
        crate::migration::build::ident(host_path)
    )
}

fn bind_handover(user: &str, unit: &str, binds: &[BindChown]) -> Vec<String> {
    let mut body = Vec::new();
    for bind in binds {
        let path = q(&bind.host_path);
        body.push(format!(
            "if applying && [[ ! -e {path} ]]; then die {}; fi",
            msg(&format!("bind mount source {} is missing", bind.host_path))
        ));
        let mut inner = vec![
            Cmd::new("record_owners")
                .arg(&bind.host_path)
                .under(Var::Staging, owners_list(unit, &bind.host_path))
                .render(),
            Cmd::run("chown")
                .word("-R")
                .arg(format!("{user}:"))
                .arg(&bind.host_path)
                .render(),
        ];
        if bind.uid != 0 || bind.gid != 0 {
            inner.push(
                Cmd::run_as(user)
                    .word("podman unshare chown -R")
                    .arg(format!("{}:{}", bind.uid, bind.gid))
                    .arg(&bind.host_path)
                    .render(),
            );
        }
        body.push(format!(
            "if applying && [[ ! -d {path} && ! -f {path} ]]; then\n    skip {}\n  else\n    {}\n  fi",
            msg(&format!(
                "{} is not a regular file or directory: owner left alone",
                bind.host_path
            )),
            inner.join("\n    ")
        ));
    }
    body
}

fn check(user: &str, service: &str, tcp: &[TcpCheck]) -> Vec<String> {
    let mut body = vec![Cmd::new("wait_active").arg(user).arg(service).render()];
    for t in tcp {
        body.push(Cmd::new("check_tcp").arg(&t.ip).num(t.port).render());
    }
    body
}

/// The timer Podman ships to run `podman auto-update` (daily by default).
const AUTO_UPDATE_TIMER: &str = "podman-auto-update.timer";

/// Enable (migrate.sh) or disable (rollback.sh) the user's auto-update timer, skipped when
/// it already is.
fn auto_update_timer(user: &str, enable: bool) -> Vec<String> {
    let enabled = Cmd::query_as(user)
        .word("systemctl --user is-enabled --quiet")
        .word(AUTO_UPDATE_TIMER)
        .render();
    let (done, message, command) = if enable {
        (
            enabled,
            "timer already enabled",
            "systemctl --user enable --now",
        )
    } else {
        (
            format!("! {enabled}"),
            "timer not enabled",
            "systemctl --user disable --now",
        )
    };
    vec![
        skip_if(&done, message),
        Cmd::run_as(user)
            .word(command)
            .word(AUTO_UPDATE_TIMER)
            .render(),
    ]
}

fn stop_unit(user: &str, service: &str) -> Vec<String> {
    let active = Cmd::query_as(user)
        .word("systemctl --user is-active --quiet")
        .arg(service)
        .render();
    vec![
        skip_if(&format!("! {active}"), "not running"),
        Cmd::run_as(user)
            .word("systemctl --user stop")
            .arg(service)
            .render(),
    ]
}

fn remove_units(user: &str, install: &UnitInstall, quadlet_dir: &str) -> Vec<String> {
    let mut body = user_dirs(user, quadlet_dir);
    if install.method.uses_podman_quadlet() {
        body.extend(podman_quadlet_remove(user, install));
    }
    for path in &install.quadlet_files {
        body.push(
            Cmd::run("rm")
                .word("-f")
                .under(Var::Dir, path.trim_start_matches("quadlet/"))
                .render(),
        );
    }
    let installed = install
        .env_files
        .iter()
        .map(|e| &e.install_path)
        .chain(install.seccomp_files.iter().map(|s| &s.install_path));
    for path in installed {
        body.push(Cmd::run("rm").word("-f").under(Var::Dir, path).render());
    }
    body.push(
        Cmd::run_as(user)
            .word("systemctl --user daemon-reload")
            .render(),
    );
    body
}

fn restore_owners(unit: &str, binds: &[BindChown]) -> Vec<String> {
    binds
        .iter()
        .map(|b| restore_owner(unit, b).render())
        .collect()
}

/// `restore_recorded_owners PATH LIST` for one bind mount: the cutover recovery gives back
/// only what migrate.sh recorded (a bind it never handed over keeps its owner).
pub fn restore_recorded_owners(unit: &str, bind: &BindChown) -> Cmd {
    Cmd::new("restore_recorded_owners")
        .arg(&bind.host_path)
        .under(Var::Staging, owners_list(unit, &bind.host_path))
}

/// `restore_owners PATH LIST UID:GID` for one bind mount.
fn restore_owner(unit: &str, bind: &BindChown) -> Cmd {
    Cmd::new("restore_owners")
        .arg(&bind.host_path)
        .under(Var::Staging, owners_list(unit, &bind.host_path))
        .arg(format!("{}:{}", bind.uid, bind.gid))
}

fn docker_restore(container: &str, restart: &str, start: bool) -> Vec<String> {
    let mut body = vec![
        Cmd::run("docker")
            .word("update")
            .arg(format!("--restart={restart}"))
            .arg(container)
            .render(),
    ];
    if start {
        body.push(Cmd::run("docker").word("start").arg(container).render());
    }
    body
}
