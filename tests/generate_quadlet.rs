//! The generated units against the real Podman 5.4.2 quadlet generator (`quadlet -dryrun
//! -user`): every file must convert without a `converting` error and produce its service,
//! and the podman command line systemd would run must carry the Docker settings.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use unroot::generate::exec_line::parse_exec_start;
use unroot::generate::{Generated, GeneratedFile, generate, sample};
use unroot::plan::Target;

pub fn target(version: &str) -> Target {
    Target {
        user: "alice".into(),
        project_users: BTreeMap::new(),
        create_user: false,
        podman_version: version.into(),
        quadlet_dir: ".config/containers/systemd".into(),
        subid_ranges: BTreeMap::new(),
    }
}

/// What `quadlet -dryrun` printed: service name → unit text, plus stderr.
struct DryRun {
    services: BTreeMap<String, String>,
    stderr: String,
    dir: tempfile::TempDir,
}

/// Install the files the way migrate.sh does (units in the unit dir, env files in `env/`
/// next to them) and run the generator on them.
fn dry_run(bin: &Path, files: &[GeneratedFile]) -> DryRun {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let dest = if let Some(name) = f.path.strip_prefix("quadlet/") {
            dir.path().join(name)
        } else if f.path.starts_with("env/") {
            dir.path().join(&f.path)
        } else {
            continue;
        };
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, &f.content).unwrap();
    }
    let out = Command::new(bin)
        .args(["-dryrun", "-user", "-no-kmsg-log"])
        .env("QUADLET_UNIT_DIRS", dir.path())
        .output()
        .unwrap();
    // Exit status is not a verdict (it is 0 for some rejected units): stderr is checked.
    let mut services = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(name) = line.strip_prefix("---").and_then(|l| l.strip_suffix("---")) {
            if let Some((n, body)) = current.take() {
                services.insert(n, body);
            }
            current = Some((name.to_owned(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    if let Some((n, body)) = current {
        services.insert(n, body);
    }
    DryRun {
        services,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    }
}

/// The service quadlet makes from a unit file name.
fn service_of(file: &str) -> String {
    let (stem, ext) = file.rsplit_once('.').unwrap();
    match ext {
        "container" => format!("{stem}.service"),
        other => format!("{stem}-{other}.service"),
    }
}

/// Fail on any `converting` error and on any unit without its service.
fn assert_all_converted(run: &DryRun, files: &[GeneratedFile]) {
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("converting") || l.contains("Warning") || l.contains("rror"))
        .collect();
    assert!(
        errors.is_empty(),
        "quadlet rejected or warned about units:\n{}",
        errors.join("\n")
    );
    for f in files.iter().filter(|f| f.path.starts_with("quadlet/")) {
        let service = service_of(f.path.trim_start_matches("quadlet/"));
        assert!(
            run.services.contains_key(&service),
            "{} produced no {service}; stderr:\n{}",
            f.path,
            run.stderr
        );
    }
}

/// The argv systemd would run for the service's `ExecStart=`.
fn exec_start(run: &DryRun, service: &str) -> Vec<String> {
    exec_line(run, service, "ExecStart=")
}

/// The argv of the first `KEY=` command line of a service.
fn exec_line(run: &DryRun, service: &str, key: &str) -> Vec<String> {
    let body = run
        .services
        .get(service)
        .unwrap_or_else(|| panic!("no {service}"));
    let line = body.lines().find_map(|l| l.strip_prefix(key)).unwrap();
    let known = BTreeMap::from([
        ('t', "/run/user/1000".to_owned()),
        ('N', service.trim_end_matches(".service").to_owned()),
        ('n', service.to_owned()),
    ]);
    parse_exec_start(line, &known).unwrap_or_else(|e| panic!("{service}: {e}: {line}"))
}

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
    }
}

#[test]
fn checker_catches_what_quadlet_rejects() {
    let Some(bin) = common::quadlet_bin() else {
        return;
    };
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
    let run = dry_run(&bin, &bad);
    assert!(
        run.stderr.contains("converting \"bad.container\""),
        "{}",
        run.stderr
    );
    assert!(!run.services.contains_key("bad.service"));
    assert!(run.services.contains_key("good.service"));
    let result = std::panic::catch_unwind(|| assert_all_converted(&run, &bad));
    assert!(result.is_err(), "the checker must fail on a rejected unit");
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
    assert!(!cache.iter().any(|a| a == "--publish"));
    let pod = exec_line(&run, "shop-pod.service", "ExecStartPre=");
    assert_pairs(
        &pod,
        &[
            ("--publish", "127.0.0.1:6379:6379"),
            ("--network", "pasta"),
            ("--name", "shop"),
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
        &[("--network", "host"), ("--device", "/dev/kmsg:/dev/kmsg:r")],
    );
}
