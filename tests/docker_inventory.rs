//! The real engine read through unroot, compared field by field with `docker inspect` of
//! the same containers (the foundation fixture fleet, label unroot.fixture=foundation;
//! other fixture groups come and go on the same engine, so only this group is compared).
//!
//! The expected values are read from the raw inspect JSON with serde_json alone, not with
//! bollard, so a mistake in unroot's reading cannot hide in both sides.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::process::Command;

use serde_json::Value;
use unroot::model::{
    CgroupVersion, Container, ContainerState, IdOrName, Inventory, MountKind, NetworkMode,
    PortRange, Protocol, RestartPolicyName,
};

const GROUP_FILTER: &str = "label=unroot.fixture=foundation";

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fleet built by an older fixture script lacks the newest cases (then it is rebuilt):
/// the removed bind source and the running container's host range for one container port.
fn fleet_has_the_newest_cases() -> bool {
    Command::new("docker")
        .args([
            "inspect",
            "--format",
            "{{json .HostConfig.PortBindings}}",
            "unroot-f-mounts-gone",
            "unroot-f-ports",
        ])
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).contains("38110-38119")
        })
}

/// Container ids of the fleet; creates it when missing (idempotent script).
fn fleet_ids() -> Vec<String> {
    let list = || {
        docker(&["ps", "-aq", "--no-trunc", "--filter", GROUP_FILTER])
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // Tests run in parallel: one rebuilds, the others wait and then find it current.
    static REBUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = REBUILD.lock().unwrap_or_else(|e| e.into_inner());
    let mut ids = list();
    if ids.len() < 30 || !fleet_has_the_newest_cases() {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fixtures.sh");
        let status = Command::new(script).arg("foundation").status().unwrap();
        assert!(status.success(), "scripts/fixtures.sh foundation failed");
        ids = list();
    }
    assert!(
        ids.len() >= 30,
        "foundation fleet has {} containers",
        ids.len()
    );
    ids
}

fn inspect(ids: &[String]) -> Vec<Value> {
    let mut args = vec!["inspect"];
    args.extend(ids.iter().map(String::as_str));
    serde_json::from_str(&docker(&args)).unwrap()
}

fn snapshot() -> Inventory {
    let out = common::on_local_engine(&["snapshot", "-o", "-"]);
    serde_json::from_slice(&out.stdout).expect("snapshot JSON is an Inventory")
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| s(x).to_owned()).collect())
        .unwrap_or_default()
}

fn cap(raw: &str) -> String {
    let up = raw.to_uppercase();
    up.strip_prefix("CAP_").unwrap_or(&up).to_owned()
}

fn caps(v: &Value) -> Vec<String> {
    let set: BTreeSet<String> = strs(v)
        .iter()
        .map(|c| cap(c))
        .filter(|c| c != "ALL")
        .collect();
    set.into_iter().collect()
}

fn proto(raw: &str) -> Protocol {
    match raw {
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Sctp,
        _ => Protocol::Tcp,
    }
}

/// Every model field that has a direct counterpart in `docker inspect`.
fn compare(c: &Container, raw: &Value) {
    let n = &c.name;
    let cfg = &raw["Config"];
    let hc = &raw["HostConfig"];
    assert_eq!(c.id, s(&raw["Id"]), "{n}: id");
    assert_eq!(format!("/{}", c.name), s(&raw["Name"]), "{n}: name");
    assert_eq!(c.image, s(&cfg["Image"]), "{n}: image");
    assert_eq!(c.image_id, s(&raw["Image"]), "{n}: image id");
    assert_eq!(
        c.created.as_deref(),
        raw["Created"].as_str(),
        "{n}: created"
    );
    let state = match s(&raw["State"]["Status"]) {
        "created" => ContainerState::Created,
        "running" => ContainerState::Running,
        "exited" => ContainerState::Exited,
        "paused" => ContainerState::Paused,
        "restarting" => ContainerState::Restarting,
        other => panic!("{n}: unexpected state {other}"),
    };
    assert_eq!(c.state, state, "{n}: state");
    assert_eq!(c.user.raw, s(&cfg["User"]), "{n}: user");

    // Environment: same names and values in the same order.
    let env: Vec<String> = c
        .env
        .iter()
        .map(|e| format!("{}={}", e.name, e.value))
        .collect();
    assert_eq!(env, strs(&cfg["Env"]), "{n}: env");

    let labels: BTreeMap<String, String> = cfg["Labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), s(v).to_owned()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(c.labels, labels, "{n}: labels");
    assert_eq!(
        c.compose.as_ref().map(|x| x.project.as_str()),
        labels.get("com.docker.compose.project").map(String::as_str),
        "{n}: compose project"
    );

    assert_eq!(
        c.privileged,
        hc["Privileged"].as_bool().unwrap(),
        "{n}: privileged"
    );
    assert_eq!(c.capabilities.added, caps(&hc["CapAdd"]), "{n}: cap add");
    assert_eq!(
        c.capabilities.dropped,
        caps(&hc["CapDrop"]),
        "{n}: cap drop"
    );
    assert_eq!(
        c.security.raw,
        strs(&hc["SecurityOpt"]),
        "{n}: security opts"
    );
    assert_eq!(
        c.read_only_rootfs,
        hc["ReadonlyRootfs"].as_bool().unwrap(),
        "{n}: ro rootfs"
    );

    let mode = s(&hc["NetworkMode"]);
    let want_mode = match mode {
        "default" | "bridge" => NetworkMode::Bridge,
        "host" => NetworkMode::Host,
        "none" => NetworkMode::None,
        m if m.starts_with("container:") => NetworkMode::Container(m[10..].to_owned()),
        m => NetworkMode::Named(m.to_owned()),
    };
    assert_eq!(c.network_mode, want_mode, "{n}: network mode");
    let raw_nets = raw["NetworkSettings"]["Networks"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let nets: Vec<&str> = c.networks.iter().map(|a| a.network.as_str()).collect();
    let want_nets: Vec<&str> = raw_nets.keys().map(String::as_str).collect();
    assert_eq!(nets, want_nets, "{n}: networks");
    for a in &c.networks {
        let ip = s(&raw_nets[&a.network]["IPAddress"]);
        assert_eq!(
            a.ipv4_address.as_deref().unwrap_or(""),
            ip,
            "{n}: ip on {}",
            a.network
        );
        assert_eq!(
            a.aliases,
            strs(&raw_nets[&a.network]["Aliases"]),
            "{n}: aliases"
        );
    }

    // Ports: one model binding per configured binding, same port/protocol/IP.
    let bindings = hc["PortBindings"].as_object().cloned().unwrap_or_default();
    let mut want_ports = Vec::new();
    for (key, list) in &bindings {
        let (port, pr) = key.split_once('/').unwrap();
        for b in list.as_array().into_iter().flatten() {
            let ip = s(&b["HostIp"]).trim_matches(['[', ']']).to_owned();
            let hp = s(&b["HostPort"]);
            let (first, range) = match hp.split_once('-') {
                Some((a, b)) => {
                    let (a, b): (u16, u16) = (a.parse().unwrap(), b.parse().unwrap());
                    (a, (b > a).then_some(PortRange { start: a, end: b }))
                }
                None => (hp.parse().unwrap_or(0), None),
            };
            want_ports.push((port.parse::<u16>().unwrap(), proto(pr), ip, first, range));
        }
    }
    assert_eq!(c.ports.len(), want_ports.len(), "{n}: ports {:?}", c.ports);
    for (port, pr, ip, hp, range) in &want_ports {
        let found = c.ports.iter().find(|p| {
            p.container_port == *port
                && p.protocol == *pr
                && p.host_ip.as_deref().unwrap_or("") == ip
        });
        let found = found.unwrap_or_else(|| panic!("{n}: no binding for {port}/{pr:?} on {ip:?}"));
        assert_eq!(found.host_port_range, *range, "{n}: host range of {port}");
        let live = &raw["NetworkSettings"]["Ports"][format!("{port}/{}", pr_name(*pr))];
        if let Some(range) = range {
            // Docker bound one port of the range when it started the container.
            let want = if state == ContainerState::Running {
                let bound: u16 = s(&live[0]["HostPort"]).parse().unwrap();
                assert!(range.contains(bound), "{n}: {bound} outside {range}");
                bound
            } else {
                range.start
            };
            assert_eq!(found.host_port, want, "{n}: host port of ranged {port}");
        } else if *hp != 0 {
            assert_eq!(found.host_port, *hp, "{n}: host port of {port}");
        } else if state == ContainerState::Running {
            // Engine-chosen: the live port from NetworkSettings.
            let live: u16 = s(&live[0]["HostPort"]).parse().unwrap();
            assert_eq!(found.host_port, live, "{n}: engine-chosen port of {port}");
        }
    }
    let exposed: BTreeSet<String> = cfg["ExposedPorts"]
        .as_object()
        .map(|m| {
            m.keys()
                .filter(|k| !bindings.contains_key(*k))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let got: BTreeSet<String> = c
        .exposed_ports
        .iter()
        .map(|e| format!("{}/{}", e.port, pr_name(e.protocol)))
        .collect();
    assert_eq!(got, exposed, "{n}: unpublished exposed ports");

    // Mounts: the engine's list plus --tmpfs entries.
    let mut want_dst: BTreeSet<String> = raw["Mounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| s(&m["Destination"]).to_owned())
        .collect();
    if let Some(t) = hc["Tmpfs"].as_object() {
        want_dst.extend(t.keys().cloned());
    }
    let got_dst: BTreeSet<String> = c.mounts.iter().map(|m| m.destination.clone()).collect();
    assert_eq!(got_dst, want_dst, "{n}: mount destinations");
    for m in raw["Mounts"].as_array().into_iter().flatten() {
        let mine = c
            .mounts
            .iter()
            .find(|x| x.destination == s(&m["Destination"]))
            .unwrap();
        assert_eq!(
            mine.read_only,
            !m["RW"].as_bool().unwrap(),
            "{n}: ro of {}",
            mine.destination
        );
        let kind = match s(&m["Type"]) {
            "volume" => MountKind::Volume,
            "tmpfs" => MountKind::Tmpfs,
            _ => MountKind::Bind,
        };
        assert_eq!(mine.kind, kind, "{n}: kind of {}", mine.destination);
        match kind {
            MountKind::Volume => assert_eq!(mine.source, s(&m["Name"]), "{n}: volume name"),
            MountKind::Bind => {
                assert_eq!(mine.source, s(&m["Source"]), "{n}: bind source");
                // The engine runs on this machine: the owner is the path's, or unknown
                // when the path is gone.
                let owner = std::fs::metadata(&mine.source)
                    .ok()
                    .map(|meta| (meta.uid(), meta.gid()));
                assert_eq!(
                    mine.source_uid.zip(mine.source_gid),
                    owner,
                    "{n}: owner of {}",
                    mine.source
                );
            }
            _ => {}
        }
        assert_eq!(
            mine.propagation.as_deref().unwrap_or(""),
            s(&m["Propagation"]),
            "{n}: propagation"
        );
    }

    let devices: Vec<(String, String)> = hc["Devices"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                s(&d["PathOnHost"]).to_owned(),
                s(&d["PathInContainer"]).to_owned(),
            )
        })
        .collect();
    let got_devices: Vec<(String, String)> = c
        .devices
        .iter()
        .map(|d| (d.host_path.clone(), d.container_path.clone()))
        .collect();
    assert_eq!(got_devices, devices, "{n}: devices");

    let num = |v: &Value| v.as_i64().filter(|x| *x > 0);
    assert_eq!(c.resources.memory, num(&hc["Memory"]), "{n}: memory");
    assert_eq!(c.resources.pids_limit, num(&hc["PidsLimit"]), "{n}: pids");
    assert_eq!(c.resources.nano_cpus, num(&hc["NanoCpus"]), "{n}: cpus");
    assert_eq!(c.shm_size, num(&hc["ShmSize"]), "{n}: shm");

    let restart = match s(&hc["RestartPolicy"]["Name"]) {
        "always" => RestartPolicyName::Always,
        "unless-stopped" => RestartPolicyName::UnlessStopped,
        "on-failure" => RestartPolicyName::OnFailure,
        _ => RestartPolicyName::No,
    };
    assert_eq!(c.restart_policy.name, restart, "{n}: restart");

    // Docker merged the image healthcheck into Config at create time.
    let test = strs(&cfg["Healthcheck"]["Test"]);
    assert_eq!(
        c.healthcheck
            .as_ref()
            .map(|h| h.test.clone())
            .unwrap_or_default(),
        test,
        "{n}: healthcheck"
    );
    assert_eq!(
        c.log_driver.as_deref(),
        hc["LogConfig"]["Type"].as_str(),
        "{n}: log driver"
    );
    assert_eq!(c.dns, strs(&hc["Dns"]), "{n}: dns");
    assert_eq!(c.extra_hosts, strs(&hc["ExtraHosts"]), "{n}: extra hosts");
    assert_eq!(c.group_add, strs(&hc["GroupAdd"]), "{n}: group add");
    assert_eq!(
        c.entrypoint.clone().unwrap_or_default(),
        strs(&cfg["Entrypoint"]),
        "{n}: entrypoint"
    );
    assert_eq!(
        c.command.clone().unwrap_or_default(),
        strs(&cfg["Cmd"]),
        "{n}: cmd"
    );
}

fn pr_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::Sctp => "sctp",
    }
}

#[test]
fn inventory_matches_docker_inspect_field_by_field() {
    if !common::docker_available() {
        return;
    }
    let ids = fleet_ids();
    let inv = snapshot();
    let raws = inspect(&ids);
    for raw in &raws {
        let id = s(&raw["Id"]);
        let c = inv
            .containers
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{} missing from the inventory", s(&raw["Name"])));
        compare(c, raw);
    }
    eprintln!(
        "compared {} foundation containers field by field",
        raws.len()
    );

    // Created and exited containers are captured too.
    let states: BTreeSet<ContainerState> = inv
        .containers
        .iter()
        .filter(|c| ids.contains(&c.id))
        .map(|c| c.state)
        .collect();
    for st in [
        ContainerState::Created,
        ContainerState::Exited,
        ContainerState::Running,
    ] {
        assert!(states.contains(&st), "no {st:?} container in the inventory");
    }
}

#[test]
fn images_networks_volumes_and_host_facts_match_the_engine() {
    if !common::docker_available() {
        return;
    }
    let ids = fleet_ids();
    let inv = snapshot();
    let raws = inspect(&ids);

    // One image entry per distinct image, with the image's own config.
    let image_ids: BTreeSet<&str> = raws.iter().map(|r| s(&r["Image"])).collect();
    for id in &image_ids {
        let raw: Vec<Value> = serde_json::from_str(&docker(&["image", "inspect", id])).unwrap();
        let img = inv
            .images
            .iter()
            .find(|i| i.id == *id)
            .unwrap_or_else(|| panic!("image {id} missing"));
        assert_eq!(img.env, strs(&raw[0]["Config"]["Env"]), "image {id} env");
        assert_eq!(img.repo_tags, strs(&raw[0]["RepoTags"]), "image {id} tags");
        assert_eq!(
            img.user.as_deref().unwrap_or(""),
            s(&raw[0]["Config"]["User"]),
            "image {id} user"
        );
    }
    let distinct: BTreeSet<&str> = inv.images.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(distinct.len(), inv.images.len(), "images are deduplicated");

    let proj = inv
        .networks
        .iter()
        .find(|n| n.name == "unroot-f-proj_default")
        .expect("network");
    assert_eq!(proj.driver, "bridge");
    assert!(!proj.builtin);
    assert_eq!(
        proj.labels
            .get("com.docker.compose.project")
            .map(String::as_str),
        Some("unroot-f-proj")
    );
    let raw_net: Vec<Value> =
        serde_json::from_str(&docker(&["network", "inspect", "unroot-f-proj_default"])).unwrap();
    assert_eq!(proj.id, s(&raw_net[0]["Id"]));
    assert_eq!(
        proj.subnets,
        vec![s(&raw_net[0]["IPAM"]["Config"][0]["Subnet"]).to_owned()]
    );
    let internal = inv
        .networks
        .iter()
        .find(|n| n.name == "unroot-f-internal")
        .unwrap();
    assert!(internal.internal);
    assert!(inv.networks.iter().any(|n| n.name == "bridge" && n.builtin));

    let vol = inv
        .volumes
        .iter()
        .find(|v| v.name == "unroot-f-data")
        .expect("volume");
    assert_eq!(vol.driver, "local");
    assert_eq!(
        vol.labels.get("unroot.fixture").map(String::as_str),
        Some("foundation")
    );

    let version = docker(&[
        "version",
        "--format",
        "{{.Server.Version}} {{.Server.APIVersion}}",
    ]);
    let mut parts = version.split_whitespace();
    assert_eq!(inv.host.server_version.as_deref(), parts.next());
    assert_eq!(inv.host.api_version.as_deref(), parts.next());
    let info: Value = serde_json::from_str(&docker(&["info", "--format", "{{json .}}"])).unwrap();
    assert_eq!(
        inv.host.cgroup_version,
        match s(&info["CgroupVersion"]) {
            "1" => Some(CgroupVersion::V1),
            "2" => Some(CgroupVersion::V2),
            _ => None,
        }
    );
    assert_eq!(
        inv.host.cgroup_driver.as_deref(),
        info["CgroupDriver"].as_str()
    );
    assert_eq!(
        inv.host.runc_commit.as_deref(),
        info["RuncCommit"]["ID"].as_str()
    );
    assert_eq!(inv.host.storage_driver.as_deref(), info["Driver"].as_str());
    assert_eq!(inv.host.security_options, strs(&info["SecurityOptions"]));
    assert_eq!(
        inv.host.seccomp,
        strs(&info["SecurityOptions"])
            .iter()
            .any(|o| o.contains("name=seccomp"))
    );
    assert_eq!(inv.host.hostname.as_deref(), info["Name"].as_str());
    assert!(inv.captured_at.is_some());
    assert_eq!(inv.source, "unix:///var/run/docker.sock");
}

#[test]
fn per_case_meaning_on_the_live_fleet() {
    if !common::docker_available() {
        return;
    }
    fleet_ids();
    let inv = snapshot();
    let c = |name: &str| {
        inv.container(name)
            .unwrap_or_else(|| panic!("{name} missing from the inventory"))
    };
    for (name, root) in [
        ("unroot-f-user-default", true),
        ("unroot-f-user-0", true),
        ("unroot-f-user-root", true),
        ("unroot-f-user-0-0", true),
        ("unroot-f-user-root-root", true),
        ("unroot-f-user-1000", false),
        ("unroot-f-user-name", false),
        ("unroot-f-user-image", false),
    ] {
        assert_eq!(c(name).user.is_root, root, "{name}");
    }
    assert_eq!(
        c("unroot-f-user-name").user.user,
        Some(IdOrName::Name("app".into()))
    );
    let p = c("unroot-f-privileged");
    assert!(p.all_devices && p.capabilities.add_all && p.capabilities.effective.len() == 41);
    assert!(c("unroot-f-caps-drop-all").capabilities.drop_all);
    assert_eq!(
        c("unroot-f-caps-drop-all").capabilities.effective,
        ["NET_BIND_SERVICE"]
    );
    assert!(c("unroot-f-secopt-nnp-bare").security.no_new_privileges);
    assert!(!c("unroot-f-secopt-legacy").security.no_new_privileges);
    assert_eq!(
        c("unroot-f-restart-onfailure").restart_policy.max_retries,
        Some(5)
    );
    let env = c("unroot-f-env");
    // The CLI does not keep -e order stable between creations: compare as a set.
    let added: BTreeSet<&str> = env.added_env().map(|e| e.name.as_str()).collect();
    assert_eq!(
        added,
        BTreeSet::from(["EMPTY_VALUE", "PG_MAJOR", "POSTGRES_PASSWORD"])
    );
    assert_eq!(
        c("unroot-f-net-container").network_mode,
        NetworkMode::Container(c("unroot-f-user-1000").id.clone())
    );
    assert_eq!(
        c("unroot-f-proj-app-1")
            .compose
            .as_ref()
            .unwrap()
            .depends_on
            .iter()
            .map(|d| d.service.as_str())
            .collect::<Vec<_>>(),
        ["db", "cache"]
    );
}

/// Bind sources with known owners (scripts/fixtures.d/foundation.sh chowns them): the
/// inventory carries the owner, and the scan names it in the `bind-mount-ownership` detail.
#[test]
fn bind_mount_owners_reach_the_inventory_and_the_scan() {
    if !common::docker_available() {
        return;
    }
    fleet_ids();
    let inv = snapshot();
    let mount = |name: &str, dst: &str| {
        inv.container(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .mounts
            .iter()
            .find(|m| m.destination == dst)
            .unwrap_or_else(|| panic!("{name}: no mount at {dst}"))
            .clone()
    };
    let owned = mount("unroot-f-mounts-owned", "/data");
    assert_eq!(owned.source, "/var/tmp/unroot-fixtures/owned-1234");
    assert_eq!(
        (owned.source_uid, owned.source_gid),
        (Some(1234), Some(1234))
    );
    let root = mount("unroot-f-mounts-owned", "/config");
    assert_eq!((root.source_uid, root.source_gid), (Some(0), Some(0)));
    let gone = mount("unroot-f-mounts-gone", "/gone");
    assert_eq!((gone.source_uid, gone.source_gid), (None, None));

    let out =
        common::on_local_engine(&["scan", "--format", "json", "--filter", "unroot-f-mounts-"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("scan JSON");
    let finding = |name: &str| {
        let c = doc["containers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} not scanned"));
        c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "bind-mount-ownership")
            .unwrap_or_else(|| panic!("{name}: no bind-mount-ownership finding"))
            .clone()
    };
    let f = finding("unroot-f-mounts-owned");
    assert_eq!(f["migration"], "change");
    let detail = f["detail"].as_str().unwrap();
    assert!(
        detail.contains("/var/tmp/unroot-fixtures/owned-1234 (owned by UID 1234)")
            && detail.contains("/var/tmp/unroot-fixtures/root-owned (owned by root, ro)"),
        "{detail}"
    );
    assert_eq!(
        finding("unroot-f-mounts-gone")["detail"],
        "/var/tmp/unroot-fixtures/gone (owner not known)"
    );
}

/// `-p 38110-38119:8110` on a running container: the inventory keeps the range and the port
/// Docker bound, and `unroot generate` publishes that one port (Podman rejects a host range
/// for one container port) with a warning in REPORT.md. The created `ports-v6` keeps the
/// range's first port.
#[test]
fn host_port_range_is_narrowed_to_the_bound_port() {
    if !common::docker_available() {
        return;
    }
    fleet_ids();
    let bound: u16 = docker(&[
        "inspect",
        "--format",
        "{{(index (index .NetworkSettings.Ports \"8110/tcp\") 0).HostPort}}",
        "unroot-f-ports",
    ])
    .trim()
    .parse()
    .unwrap();
    assert!((38110..=38119).contains(&bound), "{bound}");
    let inv = snapshot();
    let port = |name: &str, ctr: u16| {
        inv.container(name)
            .unwrap()
            .ports
            .iter()
            .find(|p| p.container_port == ctr)
            .unwrap()
            .clone()
    };
    let p = port("unroot-f-ports", 8110);
    assert_eq!(p.host_port, bound);
    assert_eq!(
        p.host_port_range,
        Some(PortRange {
            start: 38110,
            end: 38119
        })
    );
    assert_eq!(port("unroot-f-ports-v6", 90).host_port, 38090);

    let out_dir = tempfile::tempdir().unwrap();
    common::on_local_engine(&[
        "generate",
        "--user",
        "alice",
        "--podman-version",
        "5.4",
        "--out",
        common::p(out_dir.path()),
    ]);
    let read = |p: &str| std::fs::read_to_string(out_dir.path().join(p)).unwrap();
    let unit = read("quadlet/unroot-f-ports.container");
    assert!(
        unit.contains(&format!("PublishPort={bound}:8110\n")),
        "{unit}"
    );
    assert!(!unit.contains("38110-38119"), "{unit}");
    assert!(read("quadlet/unroot-f-ports-v6.container").contains("PublishPort=38090:90\n"));
    let report = read("REPORT.md");
    assert!(
        report.contains(&format!(
            "host ports 38110-38119 for container port 8110/tcp narrowed to {bound}, the port Docker bound"
        )),
        "no narrowing note in REPORT.md"
    );
    assert!(report.contains("host ports 38090-38091 for container port 90/tcp narrowed to 38090"));
}

#[test]
fn progress_reaches_the_total() {
    if !common::docker_available() {
        return;
    }
    fleet_ids();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let endpoint = unroot::docker::Endpoint::Unix("/var/run/docker.sock".into());
    let inv = rt
        .block_on(unroot::docker::read_inventory(&endpoint, Some(tx)))
        .expect("inventory");
    let mut seen = Vec::new();
    while let Ok(p) = rx.try_recv() {
        seen.push(p);
    }
    let last = seen.last().expect("progress messages");
    assert_eq!(seen[0].inspected, 0);
    assert_eq!(last.inspected, last.total);
    assert!(
        last.total >= inv.containers.len(),
        "vanished containers are skipped, not invented"
    );
    assert!(seen.windows(2).all(|w| w[0].inspected < w[1].inspected));
}
