//! `unroot verify` against a real rootless Podman 5.4.2 API service (pasta, runc, cgroupfs)
//! started by `scripts/verify-e2e.sh serve` inside the trixie root of
//! `scripts/rootless-host.sh`. Every readiness and post-migration check is asserted on
//! the real facts, each with a deliberately broken case.
//!
//! One test function: the service takes seconds to start and the cases build on each
//! other (ready target -> conflicts -> applied migration -> broken units).

#![cfg(feature = "podman")]

mod common;
mod verify_sandbox;

use std::process::Command;

use unroot::generate::{ImageTransfer, PublishedPort, TransferMethod, UnitPlan, VolumeMove};
use unroot::model::{ContainerState, Protocol, RestartPolicyName};
use unroot::plan::SubIdRange;
use unroot::verify::expect::ExpectedContainer;
use unroot::verify::post::DockerContainer;
use unroot::verify::{
    Check, DockerSide, Expectations, Status, TargetFacts, podman, post_migration, readiness,
};

use verify_sandbox::{Sandbox, USER, apply_quadlet_script, root};
const RANGE: SubIdRange = SubIdRange {
    start: 2_991_000_000,
    count: 65536,
};
const IMAGE: &str = "localhost/verify-app:1";
const PORT: u16 = 18481;

fn unit(container: &str, ports: &[(u16, u16)], volume: Option<(&str, &str)>) -> UnitPlan {
    UnitPlan {
        container: container.into(),
        unit: container.into(),
        user: USER.into(),
        image: ImageTransfer {
            docker_ref: "verify-app:1".into(),
            podman_ref: IMAGE.into(),
            method: TransferMethod::Load,
            digest: None,
            pinned: false,
        },
        volumes: volume
            .map(|(v, d)| VolumeMove {
                docker_volume: v.into(),
                podman_volume: v.into(),
                destination: d.into(),
                service: format!("{v}-volume.service"),
            })
            .into_iter()
            .collect(),
        chown_binds: vec![],
        ports: ports
            .iter()
            .map(|&(host, container)| PublishedPort {
                host_ip: None,
                host_port: host,
                docker_host_port: host,
                container_port: container,
                protocol: Protocol::Tcp,
            })
            .collect(),
        start_at_boot: true,
        env_file: None,
        quadlet_files: vec![format!("quadlet/{container}.container")],
        seccomp_file: None,
        apparmor_profile: None,
        runs_once: false,
        auto_update: Default::default(),
        podman_secrets: vec![],
    }
}

/// The plan's target: the sandbox's user and its subid range, Podman 5.4.
fn target() -> unroot::plan::Target {
    unroot::plan::Target {
        user: USER.into(),
        project_users: Default::default(),
        create_user: false,
        podman_version: "5.4".into(),
        quadlet_dir: ".config/containers/systemd".into(),
        subid_ranges: [(USER.to_string(), RANGE)].into(),
    }
}

/// The plan of this test: one HTTP service `web` with a volume, run as the image default.
fn plan() -> Expectations {
    let target = target();
    let migration = unroot::migration::build(
        &Default::default(),
        &target,
        unroot::generate::Generated {
            units: vec![unit("web", &[(PORT, 8080)], Some(("web-data", "/data")))],
            ..Default::default()
        },
    );
    let mut e = Expectations::build(&target, &Default::default(), &migration, None, USER);
    e.containers[0].container_user = Some(String::new());
    e.networks.insert("verify-net".into());
    e
}

fn gather(sandbox: &Sandbox) -> TargetFacts {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let socket = sandbox.socket();
        let client = podman::connect(&socket).await.expect("connect");
        podman::gather(&client, &socket, &root())
            .await
            .expect("gather")
    })
}

fn by_id<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id} in {checks:#?}"))
}

fn assert_status(checks: &[Check], id: &str, status: Status, needle: &str) {
    let c = by_id(checks, id);
    assert_eq!(c.status, status, "{id}: {c:#?}");
    assert!(
        c.message.contains(needle),
        "{id}: message {:?} lacks {needle:?}",
        c.message
    );
    if status != Status::Pass {
        assert!(
            c.fix.as_deref().is_some_and(|f| !f.is_empty()),
            "{id}: no fix"
        );
    }
}

fn docker_side(state: ContainerState, restart: RestartPolicyName) -> DockerSide {
    DockerSide::Read {
        containers: vec![DockerContainer {
            name: "web".into(),
            state,
            restart,
        }],
    }
}

/// The unit the migration installs (as `generate` would write it for this plan).
const WEB_CONTAINER: &str = "[Container]
ContainerName=web
Image=localhost/verify-app:1
Exec=/bin/busybox httpd -f -p 8080 -h /www
PublishPort=18481:8080
Volume=web-data.volume:/data
Network=pasta

[Install]
WantedBy=default.target
";

const WEB_DATA_VOLUME: &str = "[Volume]
VolumeName=web-data
";

#[test]
fn verify_against_real_rootless_podman() {
    let Some(mut sandbox) = Sandbox::start() else {
        return;
    };
    let plan = plan();

    // --- Readiness on a fresh, ready target -----------------------------------------
    let facts = gather(&sandbox);
    assert_eq!(facts.podman_version.as_deref(), Some("5.4.2"));
    assert!(
        facts
            .images
            .iter()
            .any(|i| i.names.iter().any(|n| n == IMAGE))
    );
    let checks = readiness(&plan, &facts);
    assert_status(&checks, "podman-version", Status::Pass, "5.4.2");
    assert_status(&checks, "rootless", Status::Pass, "rootless");
    assert_status(
        &checks,
        "service-user",
        Status::Pass,
        "unroot-verify (UID 2991)",
    );
    assert_status(&checks, "network-backend", Status::Pass, "netavark");
    assert_status(&checks, "rootless-network-cmd", Status::Pass, "pasta");
    assert_status(
        &checks,
        "subuid",
        Status::Pass,
        "unroot-verify:2991000000:65536",
    );
    assert_status(
        &checks,
        "subgid",
        Status::Pass,
        "unroot-verify:2991000000:65536",
    );
    assert_status(&checks, "cgroup", Status::Pass, "no resource limits");
    assert_status(&checks, "unprivileged-ports", Status::Pass, "18481");
    assert_status(&checks, "container-names", Status::Pass, "none");
    assert_status(&checks, "volume-names", Status::Pass, "none");
    assert_status(&checks, "network-names", Status::Pass, "none");
    assert_status(&checks, &format!("image:{IMAGE}"), Status::Pass, "present");

    // --- The TUI's probe: the same readiness through the socket, for the demo host -----
    tui_probe_reports_readiness(&sandbox);

    // --- Readiness, broken one at a time ---------------------------------------------
    let mut newer = plan.clone();
    newer.podman_version = "5.8".into();
    assert_status(
        &readiness(&newer, &facts),
        "podman-version",
        Status::Fail,
        "older than 5.8",
    );

    let mut someone_else = plan.clone();
    someone_else.user = "root".into();
    assert_status(
        &readiness(&someone_else, &facts),
        "service-user",
        Status::Fail,
        "belongs to unroot-verify (UID 2991)",
    );

    let mut other_range = plan.clone();
    other_range.subid_range = Some(SubIdRange {
        start: 3_500_000_000,
        count: 65536,
    });
    other_range.subgid_range = other_range.subid_range;
    assert_status(
        &readiness(&other_range, &facts),
        "subuid",
        Status::Fail,
        "not the plan's",
    );

    let mut low_port = plan.clone();
    low_port.containers[0].ports[0].host_port = 80;
    low_port.containers[0].sysctl_policy = false;
    assert_status(
        &readiness(&low_port, &facts),
        "unprivileged-ports",
        Status::Fail,
        "below",
    );
    low_port.containers[0].sysctl_policy = true;
    assert_status(
        &readiness(&low_port, &facts),
        "unprivileged-ports",
        Status::Warn,
        "sysctl",
    );

    let mut limited = plan.clone();
    limited.containers[0].controllers.insert("memory".into());
    // This host's cgroups are hybrid: the service reports v1, where rootless limits fail.
    assert_eq!(facts.cgroup_version.as_deref(), Some("v1"));
    assert_status(
        &readiness(&limited, &facts),
        "cgroup",
        Status::Fail,
        "cgroup v1",
    );

    let mut missing_image = plan.clone();
    missing_image.containers[0].image = "localhost/not-loaded:2".into();
    assert_status(
        &readiness(&missing_image, &facts),
        "image:localhost/not-loaded:2",
        Status::Warn,
        "needs a transfer",
    );

    // The subuid line removed from the target's /etc/subuid (read under the root).
    sandbox.sh("sed -i \"/^$VUSER:/d\" /etc/subuid");
    let facts_no_line = gather(&sandbox);
    assert_status(
        &readiness(&plan, &facts_no_line),
        "subuid",
        Status::Fail,
        "no range for",
    );
    // A new range in the file that the running service has not picked up.
    sandbox.sh("rootless_subids $VUSER 2992000000 65536");
    let mut moved = plan.clone();
    moved.subid_range = Some(SubIdRange {
        start: 2_992_000_000,
        count: 65536,
    });
    moved.subgid_range = moved.subid_range;
    assert_status(
        &readiness(&moved, &gather(&sandbox)),
        "subuid",
        Status::Fail,
        "does not map it",
    );
    sandbox.sh("rootless_subids $VUSER 2991000000 65536");
    assert_status(
        &readiness(&plan, &gather(&sandbox)),
        "subuid",
        Status::Pass,
        "",
    );

    // Name conflicts: a container, a volume and a network already there.
    sandbox.sh(
        "user_podman $VUSER create --name web localhost/verify-app:1 /bin/busybox true >/dev/null
         user_podman $VUSER volume create web-data >/dev/null
         user_podman $VUSER network create verify-net >/dev/null",
    );
    let crowded = readiness(&plan, &gather(&sandbox));
    assert_status(&crowded, "container-names", Status::Fail, "web");
    assert_status(&crowded, "volume-names", Status::Fail, "web-data");
    assert_status(&crowded, "network-names", Status::Warn, "verify-net");
    sandbox.sh("user_podman $VUSER rm -f web >/dev/null
         user_podman $VUSER volume rm web-data >/dev/null
         user_podman $VUSER network rm verify-net >/dev/null");

    // --- Apply the migration: the real quadlet generator's command for the unit ----------
    let units = sandbox.dir.path().join("lib-quadlet");
    std::fs::create_dir_all(&units).unwrap();
    std::fs::write(units.join("web.container"), WEB_CONTAINER).unwrap();
    std::fs::write(units.join("web-data.volume"), WEB_DATA_VOLUME).unwrap();
    sandbox.sh(&apply_quadlet_script("/srv/verify/lib-quadlet"));
    let got = Command::new("curl")
        .args([
            "-fsS",
            "--retry",
            "20",
            "--retry-delay",
            "0",
            "--retry-connrefused",
        ])
        .arg(format!("http://127.0.0.1:{PORT}/"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&got.stdout).trim(),
        "verify-ok",
        "the migrated service answers through pasta"
    );
    let after = gather(&sandbox);
    // podman-api's libpod models served every call but the Podman-5-only host fields.
    assert_eq!(after.api_notes.len(), 1, "{:#?}", after.api_notes);
    assert!(after.api_notes[0].contains("rootlessNetworkCmd"));
    // The Docker-compatible fallback (bollard) reads the same container the same way.
    let web = after.container_named("web").expect("web listed").clone();
    let mut via_compat = unroot::verify::facts::TargetContainer {
        id: web.id.clone(),
        ..Default::default()
    };
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let docker = unroot::verify::compat::connect(&sandbox.socket())
            .await
            .unwrap();
        unroot::verify::compat::inspect_into(&docker, &web.id, &mut via_compat)
            .await
            .unwrap();
    });
    assert_eq!(via_compat.user, web.user);
    assert_eq!(via_compat.mounts, web.mounts);
    assert!(unroot::verify::images::same_image(
        &via_compat.image,
        &web.image
    ));
    assert_eq!(
        unroot::verify::auto_phase(&plan, &after),
        unroot::verify::Phase::Post
    );
    let stopped_docker = docker_side(ContainerState::Exited, RestartPolicyName::No);
    let post = post_migration(&plan, &after, &stopped_docker);
    for id in [
        "container-exists:web",
        "container-running:web",
        "ports:web",
        "mounts:web",
        "user:web",
        "image:web",
        "docker-stopped:web",
    ] {
        assert_status(&post, id, Status::Pass, "");
    }
    assert_status(&post, "ports:web", Status::Pass, "18481->8080/tcp");
    // Host-level checks are repeated after the migration.
    assert_status(&post, "subuid", Status::Pass, "");

    // --- Post-migration, broken one at a time ----------------------------------------------
    let mut wrong_port = plan.clone();
    wrong_port.containers[0].ports[0].host_port = 18482;
    assert_status(
        &post_migration(&wrong_port, &after, &stopped_docker),
        "ports:web",
        Status::Fail,
        "missing 18482->8080/tcp, unexpected 18481->8080/tcp",
    );
    let mut wrong_volume = plan.clone();
    wrong_volume.containers[0].volumes[0].0 = "other-data".into();
    assert_status(
        &post_migration(&wrong_volume, &after, &stopped_docker),
        "mounts:web",
        Status::Fail,
        "instead of volume other-data",
    );
    let mut wrong_user = plan.clone();
    wrong_user.containers[0].container_user = Some("472".into());
    assert_status(
        &post_migration(&wrong_user, &after, &stopped_docker),
        "user:web",
        Status::Fail,
        "472",
    );
    let mut wrong_image = plan.clone();
    wrong_image.containers[0].image = "localhost/verify-app:2".into();
    assert_status(
        &post_migration(&wrong_image, &after, &stopped_docker),
        "image:web",
        Status::Fail,
        "localhost/verify-app:2",
    );
    let mut extra = plan.clone();
    extra.containers.push(ExpectedContainer {
        docker_name: "db".into(),
        unit: "db".into(),
        image: IMAGE.into(),
        ..Default::default()
    });
    assert_status(
        &post_migration(&extra, &after, &stopped_docker),
        "container-exists:db",
        Status::Fail,
        "no Podman container for db",
    );
    assert_status(
        &post_migration(
            &plan,
            &after,
            &docker_side(ContainerState::Running, RestartPolicyName::No),
        ),
        "docker-stopped:web",
        Status::Fail,
        "still running",
    );
    assert_status(
        &post_migration(
            &plan,
            &after,
            &docker_side(ContainerState::Exited, RestartPolicyName::UnlessStopped),
        ),
        "docker-stopped:web",
        Status::Fail,
        "unless-stopped",
    );

    // The unit stopped: quadlet runs with --rm, so the container is gone.
    sandbox.sh("user_podman $VUSER stop -t 0 web >/dev/null");
    let stopped = post_migration(&plan, &gather(&sandbox), &stopped_docker);
    assert_status(
        &stopped,
        "container-exists:web",
        Status::Fail,
        "web.service",
    );
    // A container of the unit that exists but does not run (created, never started).
    sandbox.sh(
        "as_user $VUSER env PODMAN_SYSTEMD_UNIT=web.service podman create --name web \\
           -p 18481:8080 -v web-data:/data localhost/verify-app:1 /bin/busybox true >/dev/null",
    );
    let created = post_migration(&plan, &gather(&sandbox), &stopped_docker);
    assert_status(&created, "container-exists:web", Status::Pass, "");
    assert_status(
        &created,
        "container-running:web",
        Status::Fail,
        "created, not running",
    );
}

/// What the TUI runs after loading (on its own task): readiness for the decisions so far,
/// through the Podman socket. A report arrives with the real service's facts; a socket
/// that is not there gives the CLI's one-line reason instead.
fn tui_probe_reports_readiness(sandbox: &Sandbox) {
    use unroot::tui::target::{TargetCheck, probe};

    let inventory = unroot::source::demo();
    let decisions = inventory
        .containers
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                unroot::plan::ContainerDecision::default_for(c),
            )
        })
        .collect();
    let target = target();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let check = rt.block_on(probe(
        &inventory,
        &target,
        &decisions,
        Some(&sandbox.socket()),
        &root(),
    ));
    let TargetCheck::Checked(report) = &check else {
        panic!("the probe did not reach the service: {check:?}");
    };
    assert_eq!(report.podman_version.as_deref(), Some("5.4.2"));
    assert_eq!(report.user, USER);
    assert_status(&report.checks, "podman-version", Status::Pass, "5.4.2");
    assert_status(&report.checks, "rootless", Status::Pass, "rootless");
    assert_status(
        &report.checks,
        "service-user",
        Status::Pass,
        "unroot-verify",
    );
    assert_status(
        &report.checks,
        "subuid",
        Status::Pass,
        "unroot-verify:2991000000:65536",
    );
    // The demo host's images were never transferred to this target.
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.id.starts_with("image:") && c.status != Status::Pass),
        "{:#?}",
        report.checks
    );
    assert_eq!(report.summary, unroot::verify::Tally::of(&report.checks));
    assert!(
        check
            .summary()
            .starts_with("podman 5.4.2 for unroot-verify · "),
        "{}",
        check.summary()
    );

    let missing = sandbox.dir.path().join("missing.sock");
    let check = rt.block_on(probe(
        &inventory,
        &target,
        &decisions,
        Some(&missing),
        &root(),
    ));
    assert_eq!(
        check,
        TargetCheck::NotChecked(format!(
            "no Podman socket at {}: {}",
            missing.display(),
            podman::START_SOCKET
        ))
    );
}
