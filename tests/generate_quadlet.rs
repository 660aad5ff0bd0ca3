//! The generated units against the real Podman 5.4.2 quadlet generator (`quadlet -dryrun
//! -user`): every file must convert without a `converting` error and produce its service,
//! and the podman command line systemd would run must carry the Docker settings.

mod common;
mod generate_support;

use generate_support::{assert_all_converted, dry_run, exec_line, exec_start, target};
use unroot::generate::{Generated, GeneratedFile, generate, sample};

fn has_pair(argv: &[String], flag: &str, value: &str) -> bool {
    argv.windows(2).any(|w| w[0] == flag && w[1] == value)
}

fn assert_pairs(argv: &[String], pairs: &[(&str, &str)]) {
    for (flag, value) in pairs {
        assert!(
            has_pair(argv, flag, value),
            "missing {flag} {value:?} in {argv:?}"
        );
    }
}

fn fleet(version: &str) -> Generated {
    let (inv, decisions) = sample::fleet();
    generate(&inv, &target(version), &decisions).unwrap()
}

#[test]
fn fleet_converts_for_every_version_the_real_generator_understands() {
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    // Keys of newer targets (Memory= in 5.5, ...) are unknown to 5.4.2 by design; every
    // target up to the binary's own version must convert cleanly.
    for version in ["4.4", "4.6", "4.9", "5.0", "5.2", "5.3", "5.4"] {
        let generated = fleet(version);
        let run = dry_run(&bin, &generated.files);
        assert_all_converted(&run, &generated.files);
        let containers = generated
            .files
            .iter()
            .filter(|f| f.path.ends_with(".container"))
            .count();
        assert_eq!(containers, 8, "{version}");
        let conf = generated
            .files
            .iter()
            .find(|f| f.path.starts_with("containers.conf.d/"))
            .map(|f| f.content.as_str())
            .unwrap_or_default();
        assert_eq!(
            conf.contains("[containers]\n") && conf.contains("\nhttp_proxy = false\n"),
            version == "4.4",
            "{version}: {conf}"
        );
        // The volume names migrate.sh imports into are the ones quadlet really uses.
        for plan in &generated.units {
            let argv = exec_start(&run, &format!("{}.service", plan.unit));
            // 4.4 has no PodmanArgs=: the users' containers.conf.d file says it instead.
            assert_eq!(
                argv.iter().any(|a| a == "--http-proxy=false"),
                version != "4.4",
                "{version} {}: {argv:?}",
                plan.unit
            );
            for v in &plan.volumes {
                let want = format!("{}:{}", v.podman_volume, v.destination);
                let ok = argv
                    .windows(2)
                    .any(|w| w[0] == "-v" && w[1].starts_with(&want));
                assert!(
                    ok,
                    "{version} {}: volume {} not mounted as {want}: {argv:?}",
                    plan.unit, v.docker_volume
                );
            }
        }
    }
}

/// Issue 14: the real 5.4.2 generator accepts `AutoUpdate=` (targets 4.6 and later) and the
/// label it stands for (older targets), and both become the label `podman auto-update`
/// reads, on the fully qualified image for `registry` and the copied localhost one for
/// `local`; the service gets the PODMAN_SYSTEMD_UNIT it needs to restart the unit.
#[test]
fn auto_update_units_convert_to_the_label_podman_auto_update_reads() {
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    for version in ["4.4", "4.6", "5.4"] {
        let generated = fleet(version);
        let run = dry_run(&bin, &generated.files);
        assert_all_converted(&run, &generated.files);
        for (service, policy, image) in [
            ("web.service", "registry", "docker.io/library/nginx:1.25"),
            ("shop-app-1.service", "local", "localhost/shop-app:2"),
        ] {
            let argv = exec_start(&run, service);
            assert!(
                has_pair(
                    &argv,
                    "--label",
                    &format!("io.containers.autoupdate={policy}")
                ),
                "{version} {service}: {argv:?}"
            );
            assert!(
                argv.iter().any(|w| w == image),
                "{version} {service}: {argv:?}"
            );
            let unit = &run.services[service];
            assert!(
                unit.contains("Environment=PODMAN_SYSTEMD_UNIT=%n"),
                "{version} {service}: {unit}"
            );
        }
        let db = exec_start(&run, "shop-db-1.service");
        assert!(
            !db.iter().any(|w| w.starts_with("io.containers.autoupdate")),
            "{version}: shop-db-1 has auto_update off: {db:?}"
        );
    }
}

/// Targets 5.5 to 5.8 use keys 5.4.2 does not know (`Memory=` from 5.5, `AppArmor=` from
/// 5.8, ...): they go through Debian forky's real 5.8 generator instead, which must accept
/// every file and turn the new keys into the same podman flags the older forms carried.
#[test]
fn newer_targets_convert_with_the_real_5_8_generator() {
    use unroot::model::ProfileSetting;
    let Some(bin) = common::quadlet_bin_58() else {
        return;
    };
    for version in ["5.4", "5.5", "5.6", "5.7", "5.8"] {
        let generated = fleet(version);
        let run = dry_run(&bin, &generated.files);
        assert_all_converted(&run, &generated.files);
        let web = exec_start(&run, "web.service");
        assert_pairs(&web, &[("--memory", "536870912b"), ("--publish", "80:80")]);
        for plan in &generated.units {
            let argv = exec_start(&run, &format!("{}.service", plan.unit));
            assert!(
                argv.contains(&plan.image.podman_ref),
                "{version} {}: image {} in {argv:?}",
                plan.unit,
                plan.image.podman_ref
            );
            // HttpProxy=false (5.7+) or the same flag in PodmanArgs=: Docker passed no
            // host proxy variables either.
            assert!(
                argv.iter().any(|a| a == "--http-proxy=false"),
                "{version} {}: {argv:?}",
                plan.unit
            );
        }
        let unit = &generated
            .files
            .iter()
            .find(|f| f.path == "quadlet/web.container")
            .unwrap()
            .content;
        let keyed = matches!(version, "5.7" | "5.8");
        assert_eq!(
            unit.contains("\nHttpProxy=false\n"),
            keyed,
            "{version}: {unit}"
        );
    }
    // 5.8 writes AppArmor= as a key and the seccomp profile through %h.
    let (mut inv, decisions) = sample::fleet();
    let web = inv.containers.iter_mut().find(|c| c.name == "web").unwrap();
    web.security.seccomp = ProfileSetting::Custom(r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#.into());
    web.security.apparmor = ProfileSetting::Custom("web-profile".into());
    let generated = generate(&inv, &target("5.8"), &decisions).unwrap();
    let unit = &generated
        .files
        .iter()
        .find(|f| f.path == "quadlet/web.container")
        .unwrap()
        .content;
    assert!(unit.contains("\nAppArmor=web-profile\n"), "{unit}");
    let run = dry_run(&bin, &generated.files);
    assert_all_converted(&run, &generated.files);
    assert_pairs(
        &exec_start(&run, "web.service"),
        &[
            ("--security-opt", "apparmor=web-profile"),
            (
                "--security-opt",
                "seccomp=/home/alice/.config/containers/systemd/seccomp/web.json",
            ),
        ],
    );
}

#[test]
fn checker_catches_what_quadlet_rejects() {
    // Both generators: the 5.8 one must be checked as strictly as 5.4.2.
    let bins: Vec<_> = [common::quadlet_bin(), common::quadlet_bin_58()]
        .into_iter()
        .flatten()
        .collect();
    let bad = vec![
        GeneratedFile {
            path: "quadlet/bad.container".into(),
            mode: 0o644,
            content: "[Container]\nImage=x\nBadKey=1\n".into(),
        },
        GeneratedFile {
            path: "quadlet/good.container".into(),
            mode: 0o644,
            content: "[Container]\nImage=x\n".into(),
        },
    ];
    for bin in bins {
        let run = dry_run(&bin, &bad);
        assert!(
            run.stderr.contains("converting \"bad.container\""),
            "{}: {}",
            bin.display(),
            run.stderr
        );
        assert!(!run.services.contains_key("bad.service"));
        assert!(run.services.contains_key("good.service"));
        let result = std::panic::catch_unwind(|| assert_all_converted(&run, &bad));
        assert!(result.is_err(), "the checker must fail on a rejected unit");
    }
}

#[test]
fn exec_start_carries_the_docker_settings() {
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    let generated = fleet("5.4");
    let run = dry_run(&bin, &generated.files);
    assert_all_converted(&run, &generated.files);

    let web = exec_start(&run, "web.service");
    assert_pairs(
        &web,
        &[
            ("--name", "web"),
            ("--network", "pasta"),
            ("--publish", "80:80"),
            ("--publish", "443:443"),
            ("--publish", "8000-8002:8000-8002"),
            ("--publish", "127.0.0.1:5353:53/udp"),
            ("--publish", "[::1]:9090:90"),
            ("-v", "/srv/www data:/usr/share/nginx/html:ro,Z"),
            ("--tmpfs", "/run:size=64m,mode=1777"),
            ("--env", "MODE=prod"),
            ("--env", "GREETING=hello world"),
            ("--env", "PRICE=100% of $5 a${X}b $HOME"),
            ("--env", r#"QUOTED=say "hi" it's C:\path\"#),
            ("--env", "UNICODE=grüße ✓ 日本"),
            ("--env", "TABBED=a\tb"),
            ("--cap-add", "net_admin"),
            ("--cap-drop", "mknod"),
            ("--user", "101:101"),
            ("--group-add", "999"),
            ("--sysctl", "net.core.somaxconn=1024"),
            ("--ulimit", "nofile=1024:2048"),
            ("--shm-size", "134217728b"),
            ("--pids-limit", "100"),
            ("--memory", "536870912b"),
            ("--health-cmd", "curl -f http://localhost/ || exit 1"),
            ("--health-interval", "30s"),
            ("--health-start-period", "1500ms"),
            ("--health-retries", "3"),
            (
                "--label",
                "traefik.http.routers.web.rule=Host(`x`) && PathPrefix(`/y`)",
            ),
            ("--label", "org.example.team=web platform"),
            ("--hostname", "www"),
            ("--add-host", "host.docker.internal:host-gateway"),
            ("--dns", "192.0.2.53"),
            ("--dns-search", "example.internal"),
            ("--dns-option", "ndots:2"),
            ("--workdir", "/srv"),
            ("--stop-signal", "SIGQUIT"),
            ("--stop-timeout", "30"),
            ("--log-driver", "journald"),
            ("--security-opt", "label=type:container_t"),
        ],
    );
    for flag in [
        "--read-only",
        "--security-opt=no-new-privileges",
        "--init",
        "--cpus=1.5",
    ] {
        assert!(web.iter().any(|a| a == flag), "missing {flag} in {web:?}");
    }
    assert!(
        !web.iter().any(|a| a.contains("sys_time")),
        "SYS_TIME was not kept by the plan"
    );
    let image_at = web
        .iter()
        .position(|a| a == "docker.io/library/nginx:1.25")
        .unwrap();
    assert_eq!(web[image_at + 1..], ["nginx", "-g", "daemon off;"]);
    let web_service = &run.services["web.service"];
    assert!(web_service.contains("Restart=always"));
    assert!(web_service.contains("WantedBy=default.target"));

    // app waits for db to be healthy (compose service_healthy): quadlet runs db with
    // --sdnotify=healthy and a notify unit, so After= waits for the check to pass.
    let db = exec_start(&run, "shop-db-1.service");
    assert!(
        db.iter().any(|a| a == "--sdnotify=healthy"),
        "no --sdnotify=healthy in {db:?}"
    );
    let db_service = &run.services["shop-db-1.service"];
    assert!(db_service.contains("Type=notify"), "{db_service}");
    let app_service = &run.services["shop-app-1.service"];
    assert!(
        app_service.contains("After=shop-db-1.service"),
        "{app_service}"
    );

    // Local image, secret env in a file, dependencies, pod peer, privileged dropped.
    let app = exec_start(&run, "shop-app-1.service");
    let env_file = run.dir.path().join("env/shop-app-1.env");
    assert_pairs(
        &app,
        &[
            ("--env-file", env_file.to_str().unwrap()),
            ("--env", "LOG_LEVEL=debug"),
            ("--network", "shop_default"),
            ("--network", "shop_backend"),
            ("--network-alias", "app"),
            ("--pull", "never"),
            (
                "--entrypoint",
                r#"["/docker-entrypoint.sh","--config","/etc/app conf.yml"]"#,
            ),
            (
                "--health-cmd",
                r#"["/bin/check","--url","http://localhost:3000/"]"#,
            ),
            ("--publish", "3000:3000"),
        ],
    );
    assert!(
        !app.iter()
            .any(|a| a.contains("API_TOKEN") || a == "--privileged" || a == "--device")
    );
    let image_at = app
        .iter()
        .position(|a| a == "localhost/shop-app:2")
        .unwrap();
    assert_eq!(
        app[image_at + 1..],
        ["sh", "-c", "echo \"$HOME\" 100% ${X} 'q' \\ done"]
    );
    let secret = std::fs::read_to_string(&env_file).unwrap();
    assert_eq!(secret, "API_TOKEN=tok-$-%-\"-'\n");
    let app_unit = &run.services["shop-app-1.service"];
    assert!(app_unit.contains("Requires=shop-db-1.service"));
    assert!(app_unit.contains("After=shop-db-1.service"));
    assert!(app_unit.contains("Requires=shop-cache-1.service"));
    assert!(app_unit.contains("Restart=on-failure"));
    assert!(app_unit.contains("StartLimitBurst=4"));

    // Named volume through its .volume unit, health command with quotes via PodmanArgs.
    let db = exec_start(&run, "shop-db-1.service");
    assert_pairs(
        &db,
        &[
            ("-v", "shop_pgdata:/var/lib/postgresql/data"),
            ("--user", "postgres"),
            ("--network-alias", "db"),
            ("--health-cmd", r#"pg_isready -U "postgres""#),
            (
                "--env-file",
                run.dir.path().join("env/shop-db-1.env").to_str().unwrap(),
            ),
        ],
    );
    assert!(run.services["shop-db-1.service"].contains("Requires=shop_pgdata-volume.service"));

    // The pod carries the member's ports.
    let cache = exec_start(&run, "shop-cache-1.service");
    assert!(cache.iter().any(|a| a.starts_with("--pod")), "{cache:?}");
    assert!(!cache.iter().any(|a| matches!(
        a.as_str(),
        "--publish" | "--add-host" | "--dns" | "--hostname"
    )));
    let pod = exec_line(&run, "shop-pod.service", "ExecStartPre=");
    assert_pairs(
        &pod,
        &[
            ("--publish", "127.0.0.1:6379:6379"),
            ("--network", "pasta"),
            ("--name", "shop"),
            ("--add-host", "metrics.local:192.0.2.9"),
            ("--dns", "192.0.2.53"),
            ("--hostname", "cache"),
        ],
    );

    // Sanitized names, seccomp, pid=host, keep-id.
    let odd = exec_start(&run, "odd-name-1.service");
    assert_pairs(
        &odd,
        &[
            ("--name", "odd name@1"),
            ("--security-opt", "seccomp=unconfined"),
            ("--user", "70000"),
            ("--userns", "keep-id"),
            ("--env", "OK=fine"),
        ],
    );
    assert!(odd.iter().any(|a| a == "--pid=host"));
    assert!(!odd.iter().any(|a| a.contains("MULTI")));
    let twin = exec_start(&run, "odd-name-1-2.service");
    assert_eq!(
        twin.last().unwrap(),
        "docker.io/library/busybox:latest",
        "empty argument: no Exec"
    );

    // Remapped privileged port, :U bind, SCTP left out.
    let front = exec_start(&run, "front.service");
    assert_pairs(
        &front,
        &[
            ("--publish", "8081:8080"),
            ("--publish", "8025:25"),
            ("-v", "/srv/front:/data:U"),
        ],
    );
    assert!(!front.iter().any(|a| a.contains("sctp")));

    let monitor = exec_start(&run, "monitor.service");
    assert_pairs(
        &monitor,
        &[
            ("--network", "host"),
            ("--device", "/dev/kmsg:/dev/kmsg:r"),
            (
                "-v",
                "/run/user/1000/podman/podman.sock:/var/run/docker.sock:ro",
            ),
            ("-v", "/etc/localtime:/etc/localtime:ro"),
            ("-v", "/srv/monitor state:/state"),
        ],
    );
    assert!(run.services["monitor.service"].contains("Wants=podman.socket"));
    let plan = generated
        .units
        .iter()
        .find(|u| u.container == "monitor")
        .unwrap();
    let chowned: Vec<&str> = plan
        .chown_binds
        .iter()
        .map(|b| b.host_path.as_str())
        .collect();
    assert_eq!(
        chowned,
        ["/srv/monitor state"],
        "no chown of sockets, system paths or read-only data"
    );
}

/// A custom seccomp profile and an AppArmor profile reach podman's command line: the
/// profile path through `%h` as systemd resolves it (the file migrate.sh installs under
/// the quadlet directory), the AppArmor name as `--security-opt` before 5.8.
#[test]
fn seccomp_and_apparmor_profiles_reach_podman() {
    use unroot::model::ProfileSetting;
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    let (mut inv, decisions) = sample::fleet();
    let web = inv.containers.iter_mut().find(|c| c.name == "web").unwrap();
    web.security.seccomp = ProfileSetting::Custom(r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#.into());
    web.security.apparmor = ProfileSetting::Custom("web-profile".into());
    let generated = generate(&inv, &target("5.4"), &decisions).unwrap();
    let run = dry_run(&bin, &generated.files);
    assert_all_converted(&run, &generated.files);
    let argv = exec_start(&run, "web.service");
    assert_pairs(
        &argv,
        &[
            (
                "--security-opt",
                "seccomp=/home/alice/.config/containers/systemd/seccomp/web.json",
            ),
            ("--security-opt", "apparmor=web-profile"),
        ],
    );
    let installed = std::fs::read_to_string(run.dir.path().join("seccomp/web.json")).unwrap();
    assert_eq!(installed, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}\n");
}

/// Issue 14: with `secrets: podman_secret`, the real generator turns `Secret=` into
/// `--secret NAME,type=env,target=VAR`, and the value is nowhere on the command line. A
/// 4.4 target (no `Secret=`, no `PodmanArgs=`) keeps the env file instead of losing them.
#[test]
fn podman_secrets_reach_podman_as_secret_flags() {
    use unroot::model::{ContainerDecision, SecretStore};
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    let (inv, mut decisions) = sample::fleet();
    let app = inv
        .containers
        .iter()
        .find(|c| c.name == "shop-app-1")
        .unwrap();
    let decision = ContainerDecision {
        secrets: SecretStore::PodmanSecret,
        ..decisions
            .get(&app.name)
            .cloned()
            .unwrap_or_else(|| ContainerDecision::default_for(app))
    };
    decisions.insert(app.name.clone(), decision);
    let generated = generate(&inv, &target("5.4"), &decisions).unwrap();
    let unit = generated
        .units
        .iter()
        .find(|u| u.container == "shop-app-1")
        .unwrap();
    let [secret] = unit.podman_secrets.as_slice() else {
        panic!("one secret: {:?}", unit.podman_secrets);
    };
    let run = dry_run(&bin, &generated.files);
    assert_all_converted(&run, &generated.files);
    let argv = exec_start(&run, &format!("{}.service", unit.unit));
    let spec = format!("{},type=env,target=API_TOKEN", secret.name);
    assert_pairs(&argv, &[("--secret", spec.as_str())]);
    assert!(!argv.iter().any(|a| a.contains("tok-")), "{argv:?}");
    assert!(
        !argv.iter().any(|a| a.starts_with("--env-file")),
        "{argv:?}"
    );

    let old = generate(&inv, &target("4.4"), &decisions).unwrap();
    let unit = old
        .units
        .iter()
        .find(|u| u.container == "shop-app-1")
        .unwrap();
    assert!(unit.podman_secrets.is_empty() && unit.env_file.is_some());
    let run = dry_run(&bin, &old.files);
    assert_all_converted(&run, &old.files);
    let argv = exec_start(&run, &format!("{}.service", unit.unit));
    assert!(argv.iter().any(|a| a.starts_with("--env-file")), "{argv:?}");
}

/// Whether a `--publish` spec covers a host port (ranges included).
fn publishes(spec: &str, host_port: u16) -> bool {
    let host = spec.rsplit_once(']').map_or(spec, |(_, rest)| rest);
    let parts: Vec<&str> = host.split(':').collect();
    let host_part = if parts.len() >= 2 {
        parts[parts.len() - 2]
    } else {
        return false;
    };
    let (lo, hi) = host_part.split_once('-').unwrap_or((host_part, host_part));
    matches!((lo.parse::<u16>(), hi.parse::<u16>()), (Ok(lo), Ok(hi)) if (lo..=hi).contains(&host_port))
}

#[test]
fn demo_fleet_converts_and_keeps_ports_env_caps_and_users() {
    if let Some(bin) = common::quadlet_bin() {
        demo_fleet_through(&bin, "5.4");
    }
    // The newest target through the newest real generator.
    if let Some(bin) = common::quadlet_bin_58() {
        demo_fleet_through(&bin, "5.8");
    }
}

/// The demo fleet for `version`, through the generator at `bin`: every unit converts and
/// carries its image, ports, env, capabilities and user.
fn demo_fleet_through(bin: &std::path::Path, version: &str) {
    let inventory = unroot::source::demo();
    let generated = generate(&inventory, &target(version), &Default::default()).unwrap();
    // The proposal leaves the demo's Watchtower out (Podman replaces it): every other moves.
    let watchers = inventory
        .containers
        .iter()
        .filter(|c| unroot::model::auto_update::is_watcher(c))
        .count();
    assert_eq!(watchers, 1);
    assert_eq!(generated.units.len(), inventory.containers.len() - watchers);
    let run = dry_run(bin, &generated.files);
    assert_all_converted(&run, &generated.files);
    let mut checked = (0, 0, 0, 0);
    for plan in &generated.units {
        let c = inventory.container(&plan.container).unwrap();
        let argv = exec_start(&run, &format!("{}.service", plan.unit));
        assert!(
            argv.contains(&plan.image.podman_ref),
            "{}: image",
            plan.unit
        );
        for p in &plan.ports {
            let ok = argv
                .windows(2)
                .any(|w| w[0] == "--publish" && publishes(&w[1], p.host_port));
            assert!(
                ok,
                "{}: host port {} not published in {argv:?}",
                plan.unit, p.host_port
            );
            checked.0 += 1;
        }
        for var in c.added_env() {
            let secret = unroot::model::secret::is_secret(&var.name, &var.value);
            let refused = var.value.contains(['\n', '\r', '\0']);
            let want = format!("{}={}", var.name, var.value);
            let present = has_pair(&argv, "--env", &want);
            assert_eq!(
                present,
                !secret && !refused,
                "{}: env {}",
                plan.unit,
                var.name
            );
            checked.1 += 1;
        }
        let added: Vec<String> = argv
            .windows(2)
            .filter(|w| w[0] == "--cap-add")
            .map(|w| w[1].to_ascii_uppercase())
            .collect();
        for cap in &c.capabilities.added {
            assert!(
                added.contains(&cap.to_ascii_uppercase()),
                "{}: default decision keeps {cap}",
                plan.unit
            );
            checked.2 += 1;
        }
        if let Some(user) = &c.user.user {
            let u = match user {
                unroot::model::IdOrName::Id(n) => n.to_string(),
                unroot::model::IdOrName::Name(s) => s.clone(),
            };
            assert!(
                argv.windows(2)
                    .any(|w| w[0] == "--user" && w[1].split(':').next() == Some(u.as_str())),
                "{}: user {u}",
                plan.unit
            );
            checked.3 += 1;
        }
    }
    eprintln!(
        "demo fleet for {version}: checked {} ports, {} env vars, {} caps, {} users",
        checked.0, checked.1, checked.2, checked.3
    );
    assert!(
        checked.0 > 0 && checked.1 > 0 && checked.2 > 0 && checked.3 > 0,
        "{checked:?}"
    );
}

/// Issue 14: every hardening decision accepted on every container, through the real
/// generator for each version it understands, and present on the podman command line.
#[test]
fn hardened_fleet_converts_and_carries_every_item() {
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    for version in ["4.4", "4.6", "4.8", "5.0", "5.4"] {
        let (inv, decisions) = sample::fleet_hardened();
        let generated = generate(&inv, &target(version), &decisions).unwrap();
        let run = dry_run(&bin, &generated.files);
        assert_all_converted(&run, &generated.files);
        for plan in &generated.units {
            let argv = exec_start(&run, &format!("{}.service", plan.unit));
            let c = inv.container(&plan.container).unwrap();
            for flag in ["--read-only", "--security-opt=no-new-privileges"] {
                assert!(
                    argv.iter().any(|a| a == flag),
                    "{version} {}: missing {flag} in {argv:?}",
                    plan.unit
                );
            }
            assert!(has_pair(&argv, "--user", "1000:1000"), "{argv:?}");
            for cap in ["setpcap", "sys_chroot"] {
                assert!(
                    argv.windows(2)
                        .any(|w| w[0] == "--cap-drop" && w[1].split(',').any(|x| x == cap)),
                    "{version} {}: {cap} not dropped: {argv:?}",
                    plan.unit
                );
            }
            if version == "4.4" {
                // No PodmanArgs=, Tmpfs= or PidsLimit= in 4.4: each is a visible
                // "not translated" note instead of a silent loss.
                for key in ["quadlet Memory=", "quadlet PidsLimit=", "quadlet Tmpfs="] {
                    assert!(
                        generated.notes.iter().any(|n| {
                            n.container.as_deref() == Some(plan.container.as_str())
                                && n.setting == key
                                && n.level == unroot::generate::NoteLevel::NotTranslated
                        }),
                        "4.4 {}: no note for {key}",
                        plan.unit
                    );
                }
                continue;
            }
            // Docker's own limits win; the plan's fill the gaps.
            if c.resources.memory.unwrap_or(0) <= 0 {
                assert!(has_pair(&argv, "--memory", "256m"), "{argv:?}");
            }
            if c.resources.pids_limit.unwrap_or(0) <= 0 {
                assert!(has_pair(&argv, "--pids-limit", "512"), "{argv:?}");
            }
            let ro_tmpfs = argv
                .windows(2)
                .any(|w| w[0] == "--tmpfs" && w[1] == "/var/cache/app");
            assert!(
                ro_tmpfs || c.read_only_rootfs,
                "{version} {}: no tmpfs: {argv:?}",
                plan.unit
            );
            for m in c.mounts.iter().filter(|m| {
                m.kind == unroot::model::MountKind::Bind
                    && !m.source.ends_with("docker.sock")
                    && !m.source.contains(':')
            }) {
                let ro = argv.windows(2).any(|w| {
                    w[0] == "-v"
                        && w[1].starts_with(&format!("{}:{}:", m.source, m.destination))
                        && w[1]
                            .rsplit(':')
                            .next()
                            .unwrap()
                            .split(',')
                            .any(|o| o == "ro")
                });
                assert!(
                    ro,
                    "{version} {}: {} not read-only: {argv:?}",
                    plan.unit, m.destination
                );
            }
        }
    }
}

/// `depends_on: condition: service_completed_successfully`: the awaited service becomes a
/// oneshot that the real generator runs in the foreground (no `-d`, `--rm`), kept active
/// after it exits, and the waiting unit is ordered after it.
#[test]
fn a_service_awaited_to_complete_becomes_a_oneshot_the_real_generator_runs_once() {
    use unroot::model::{ComposeDependency, DependencyCondition};
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
    let (mut inv, decisions) = sample::fleet();
    let app = inv
        .containers
        .iter_mut()
        .find(|c| c.compose.as_ref().and_then(|c| c.service.as_deref()) == Some("app"))
        .unwrap();
    let compose = app.compose.as_mut().unwrap();
    compose.depends_on.retain(|d| d.service != "cache");
    compose.depends_on.push(ComposeDependency::new(
        "cache",
        DependencyCondition::ServiceCompletedSuccessfully,
    ));
    let app_unit = app.name.clone();
    let generated = generate(&inv, &target("5.4"), &decisions).unwrap();
    let run = dry_run(&bin, &generated.files);
    assert_all_converted(&run, &generated.files);

    let cache = &run.services["shop-cache-1.service"];
    for line in ["Type=oneshot", "RemainAfterExit=yes", "Restart=on-failure"] {
        assert!(cache.lines().any(|l| l == line), "{line} missing:\n{cache}");
    }
    assert!(!cache.contains("Restart=always"), "{cache}");
    let argv = exec_start(&run, "shop-cache-1.service");
    assert!(argv.iter().any(|a| a == "--rm"), "{argv:?}");
    assert!(
        !argv
            .iter()
            .any(|a| a == "-d" || a.starts_with("--sdnotify")),
        "{argv:?}"
    );
    let app = &run.services[&format!("{app_unit}.service")];
    assert!(
        app.lines()
            .any(|l| l.starts_with("After=") && l.contains("shop-cache-1.service")),
        "{app}"
    );
    let plan = generated
        .units
        .iter()
        .find(|u| u.unit == "shop-cache-1")
        .unwrap();
    assert!(plan.runs_once);
    assert!(generated.units.iter().filter(|u| u.runs_once).count() == 1);
}
