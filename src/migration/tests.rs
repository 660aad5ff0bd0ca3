//! The typed migration and its scripts: order, dedupe, path policy, injection, recovery.

use super::testkit::{Sandbox, migration, sample, shell_checks, unit};
use super::{Side, StepKind};
use crate::generate::{BindChown, TransferMethod};
use crate::render::shell::{migrate_sh, rollback_sh};

fn names(steps: &[super::Step]) -> Vec<String> {
    steps.iter().map(|s| s.function()).collect()
}

fn position(names: &[String], n: &str) -> usize {
    names
        .iter()
        .position(|x| x == n)
        .unwrap_or_else(|| panic!("{n} missing from {names:?}"))
}

#[test]
fn scripts_pass_bash_n_and_shellcheck() {
    let m = migration(&sample());
    shell_checks("migrate.sh", &migrate_sh(&m));
    shell_checks("rollback.sh", &rollback_sh(&m));
}

/// Issue 12 item 1: `podman system migrate` ran as the user before lingering had started
/// the user's manager ("lstat /run/user/1000: no such file or directory").
#[test]
fn linger_comes_before_anything_that_runs_podman_as_the_user() {
    let m = migration(&sample());
    let names = names(&m.steps);
    let pos = |n: &str| position(&names, n);
    assert!(pos("step_create_user_app") < pos("step_linger_app"));
    assert!(pos("step_linger_app") < pos("step_subids_app"));
    assert!(pos("step_subids_app") < pos("step_podman_migrate_app"));
    let linger = pos("step_linger_app");
    for (i, s) in m.steps.iter().enumerate() {
        if s.kind.side() == Side::User {
            assert!(i > linger, "{} runs as the user before lingering", s.name);
        }
    }
    // The linger step waits for the runtime directory even when lingering was enabled.
    let text = migrate_sh(&m);
    let body = text
        .split("\nstep_linger_app() {")
        .nth(1)
        .unwrap()
        .split("\n}\n")
        .next()
        .unwrap();
    assert!(
        body.ends_with("if applying; then wait_user_manager app; fi"),
        "{body}"
    );
    assert!(!body.contains("return 0"), "{body}");
}

#[test]
fn cutover_runs_group_by_group_after_images_and_units() {
    let m = migration(&sample());
    let names = names(&m.steps);
    let pos = |n: &str| position(&names, n);
    assert!(pos("step_image_save_app_1") < pos("step_image_load_app_1"));
    assert!(pos("step_install_units_app") < pos("step_docker_stop_web"));
    assert!(pos("step_image_pull_postgres_16") < pos("step_docker_stop_web"));
    // web's whole cutover, then db's: never both down at once.
    assert!(pos("step_chown_binds_web") < pos("step_start_web"));
    assert!(pos("step_check_web") < pos("step_docker_stop_db"));
    assert!(pos("step_docker_stop_db") < pos("step_volume_export_pgdata"));
    assert!(pos("step_volume_export_pgdata") < pos("step_volume_import_pgdata"));
    // db was exited under Docker: installed, not started.
    assert!(!names.contains(&"step_start_db".to_string()));
    let groups: Vec<Option<&str>> = m.steps.iter().map(|s| s.group.as_deref()).collect();
    assert_eq!(groups[pos("step_start_web")], Some("web"));
    assert_eq!(groups[pos("step_volume_import_pgdata")], Some("db"));
    assert_eq!(groups[pos("step_install_units_app")], None);
    // The env file's directory is created (0700) before the file is installed into it.
    let text = migrate_sh(&m);
    let mkdir = text
        .find("run install -d -o app -g \"$group\" -m 0700 \"$dir\"/env\n")
        .expect("env directory created");
    let install = text
        .find("\"$dir\"/env/web.env 0600 app")
        .expect("env file installed");
    assert!(mkdir < install);
}

/// Issue 11 defect 6: an Elasticsearch cluster saved its one image four times.
#[test]
fn an_image_is_saved_and_loaded_once_for_four_containers() {
    let (inv, target, mut generated) = sample();
    generated.units = (1..=4)
        .map(|i| {
            unit(
                &format!("es{i}"),
                &format!("es{i}"),
                "elasticsearch:8",
                TransferMethod::Load,
            )
        })
        .collect();
    let m = migration(&(inv, target, generated));
    let saves: Vec<&super::Step> = m
        .steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::ImageSave(_)))
        .collect();
    assert_eq!(saves.len(), 1, "{:?}", names(&m.steps));
    assert_eq!(saves[0].containers, ["es1", "es2", "es3", "es4"]);
    let loads = m
        .steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::ImageLoad(_)))
        .count();
    assert_eq!(loads, 1);
    let text = migrate_sh(&m);
    assert_eq!(text.matches("run docker save").count(), 1);
    assert_eq!(text.matches("podman load -i").count(), 1);
}

#[test]
fn system_paths_are_never_chowned() {
    let (inv, target, mut generated) = sample();
    generated.units[0].chown_binds.push(BindChown {
        host_path: "/var/run/docker.sock".into(),
        uid: 0,
        gid: 0,
    });
    let m = migration(&(inv, target, generated));
    assert!(!migrate_sh(&m).contains("/var/run/docker.sock"));
    assert!(!rollback_sh(&m).contains("/var/run/docker.sock"));
}

/// Hostile values in every string field the scripts carry.
fn hostile_sample(
    payload: &str,
) -> (
    crate::model::Inventory,
    crate::plan::Target,
    crate::generate::Generated,
) {
    let (mut inv, target, mut generated) = sample();
    let name = format!("web{payload}");
    inv.containers[0].name = name.clone();
    let web = &mut generated.units[0];
    web.container = name;
    web.unit = format!("web{payload}");
    web.image.docker_ref = format!("app{payload}:1");
    web.image.podman_ref = format!("localhost/app{payload}:1");
    web.chown_binds[0].host_path = format!("/srv/web{payload}");
    web.quadlet_files = vec![format!("quadlet/web{payload}.container")];
    let db = &mut generated.units[1];
    db.volumes[0].docker_volume = format!("pg{payload}");
    db.volumes[0].podman_volume = format!("pg{payload}");
    db.volumes[0].service = format!("pg{payload}-volume.service");
    inv.volumes[0].name = format!("pg{payload}");
    inv.volumes[0].mountpoint = Some(format!("/var/lib/docker/volumes/pg{payload}/_data"));
    (inv, target, generated)
}

/// Run the dry run, `--list`, `--help` and `source` of both scripts in a sandbox whose PATH
/// holds only logging stubs: nothing but the script's own code may run.
fn assert_runs_nothing(migrate: &str, rollback: &str) {
    let sandbox = Sandbox::new(None);
    for (name, text) in [("migrate.sh", migrate), ("rollback.sh", rollback)] {
        let sourced = sandbox.run(name, text, r#"source "$1" && declare -F >/dev/null"#);
        let dry = sandbox.run(name, text, r#"/bin/bash "$1""#);
        let list = sandbox.run(name, text, r#"/bin/bash "$1" --list"#);
        for (what, out) in [("source", &sourced), ("dry run", &dry), ("--list", &list)] {
            assert!(out.status.success(), "{name} {what}: {out:?}");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.is_empty(), "{name} {what}: {stderr}");
        }
        assert!(
            String::from_utf8_lossy(&dry.stdout).contains(&format!("==> {name}: done")),
            "{name}: {dry:?}"
        );
        assert!(String::from_utf8_lossy(&sourced.stdout).is_empty());
    }
    assert_eq!(sandbox.calls(), "", "a program ran");
    assert!(!sandbox.path().join("pwned").exists());
    assert!(!sandbox.path().join("staging").exists());
}

/// A value ending in a backslash is single-quoted as `'web\'`: literal in bash, and the
/// scripts' shellcheck header says so (the hostile property test found shellcheck's SC1003).
#[test]
fn a_trailing_backslash_passes_bash_n_and_shellcheck() {
    let m = migration(&hostile_sample("\\"));
    let (migrate, rollback) = (migrate_sh(&m), rollback_sh(&m));
    shell_checks("migrate.sh", &migrate);
    shell_checks("rollback.sh", &rollback);
    assert_runs_nothing(&migrate, &rollback);
}

/// Issue 11 defect 2: a newline in a container name ran the next line as a command on the
/// dry run, `--list` and `source`.
#[test]
fn a_newline_in_a_name_stays_inside_its_comment() {
    let m = migration(&hostile_sample("\ntouch pwned #"));
    let (migrate, rollback) = (migrate_sh(&m), rollback_sh(&m));
    for text in [&migrate, &rollback] {
        assert!(
            !text.lines().any(|l| l.starts_with("touch pwned")),
            "{text}"
        );
        for line in text.lines().filter(|l| l.trim_start().starts_with('#')) {
            assert!(!line.contains('\r'), "{line}");
        }
    }
    assert!(
        migrate.contains("# web\\ntouch pwned #: "),
        "the name is shown escaped"
    );
    shell_checks("migrate.sh", &migrate);
    shell_checks("rollback.sh", &rollback);
    assert_runs_nothing(&migrate, &rollback);
}

/// Issue 12 item 4: a unit that does not start puts its own service back on Docker and
/// stops the script; the next service is never touched.
#[test]
fn a_failed_start_puts_that_service_back_on_docker_and_stops() {
    // Real find/mv/install: the owner record migrate.sh keeps is followed for real.
    let sandbox = Sandbox::with_real(
        Some("systemctl --user start web.service"),
        &["find", "mv", "install", "dirname"],
    );
    let (inv, target, mut generated) = sample();
    // An application directory by the one path policy (`/srv/APP`): it never hands over
    // /tmp or a directory it does not recognise as an application's own.
    std::fs::create_dir_all("/srv").unwrap();
    let app_dir = tempfile::Builder::new()
        .prefix("unroot-test-")
        .tempdir_in("/srv")
        .unwrap();
    let bind = app_dir.path().join("web data");
    std::fs::create_dir(&bind).unwrap();
    std::fs::write(bind.join("index.html"), "hi").unwrap();
    generated.units[0].chown_binds[0].host_path = bind.to_string_lossy().into_owned();
    // db runs too, so it would be cut over next.
    let mut inv = inv;
    inv.containers[1].state = crate::model::ContainerState::Running;
    let m = migration(&(inv, target, generated));
    let text = migrate_sh(&m);
    // as_user is the documented override point: run the user's commands directly.
    let out = sandbox.run(
        "migrate.sh",
        &text,
        r#"source "$1"; as_user() { shift; "$@"; }; UNROOT_APPLY=1
           for s in "${STEPS[@]}"; do
             if [[ -n "${STEP_GROUP[$s]:-}" ]]; then run_guarded "$s"; fi
           done"#,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("step_start_web failed, so container web was put back on Docker")
            && stderr.contains("./rollback.sh --apply"),
        "{stderr}"
    );
    let calls = sandbox.calls();
    let order: Vec<&str> = calls.lines().collect();
    let at = |c: &str| {
        order
            .iter()
            .position(|l| *l == c)
            .unwrap_or_else(|| panic!("no `{c}` in {calls}"))
    };
    assert!(at("docker stop web") < at("systemctl --user start web.service"));
    // Recovery: unit stopped, owners given back file by file, Docker side restored.
    assert!(at("systemctl --user start web.service") < at("systemctl --user stop web.service"));
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(bind.join("index.html")).unwrap();
    let restore = format!(
        "chown -h {}:{} {}/index.html",
        meta.uid(),
        meta.gid(),
        bind.display()
    );
    assert!(calls.contains(&restore), "{calls}");
    assert!(at("docker update --restart=unless-stopped web") < at("docker start web"));
    // The next group was never touched.
    assert!(!calls.contains("db's"), "{calls}");
}

/// Issue 14: Podman secrets are created as the user after lingering and the unit files,
/// before the units start, each value piped on stdin from the bundle's 0600 file (never
/// an argument); rollback.sh removes them after stopping the units.
#[test]
fn podman_secrets_are_created_from_stdin_and_removed_on_rollback() {
    let (inv, target, mut generated) = sample();
    generated.units[0].podman_secrets = vec![crate::generate::PodmanSecretPlan {
        name: "unroot-web-api_token".into(),
        variable: "API_TOKEN".into(),
        bundle_path: "secrets/unroot-web-api_token".into(),
    }];
    let m = migration(&(inv, target, generated));
    let steps = names(&m.steps);
    let pos = |n: &str| position(&steps, n);
    assert!(pos("step_podman_migrate_app") < pos("step_secrets_app"));
    assert!(pos("step_install_units_app") < pos("step_secrets_app"));
    assert!(pos("step_secrets_app") < pos("step_daemon_reload_app"));
    assert!(pos("step_secrets_app") < pos("step_start_web"));
    let secrets = &m.steps[pos("step_secrets_app")];
    assert_eq!(secrets.kind.side(), Side::User);
    assert_eq!(secrets.containers, ["web"]);
    let back = names(&m.rollback);
    let at = |n: &str| position(&back, n);
    assert!(at("step_stop_unit_web") < at("step_remove_secrets_app"));
    assert!(at("step_remove_secrets_app") < at("step_docker_restore_web"));

    let (migrate, rollback) = (migrate_sh(&m), rollback_sh(&m));
    assert!(
        migrate.contains(
            "secret_create app unroot-web-api_token \"$UNROOT_BUNDLE\"/secrets/unroot-web-api_token"
        ),
        "{migrate}"
    );
    assert!(
        rollback.contains("secret_remove app unroot-web-api_token"),
        "{rollback}"
    );
    shell_checks("migrate.sh", &migrate);
    shell_checks("rollback.sh", &rollback);
    assert_runs_nothing(&migrate, &rollback);

    // Applied in the sandbox: podman gets the name and `-`, the value only on stdin (a
    // pipe from root's `cat`: podman refuses a redirected file as `-`).
    let sandbox = Sandbox::with_real(None, &["cat"]);
    let dir = sandbox.path().join("secrets");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("unroot-web-api_token"), "s3cr3t-v@lue").unwrap();
    let out = sandbox.run(
        "migrate.sh",
        &migrate,
        r#"source "$1"; UNROOT_APPLY=1
           as_user() {
             shift; printf '%s\n' "$*" >>as_user.log
             if [[ "$1 $2 $3" == 'podman secret create' ]]; then
               [[ -p /dev/stdin ]] || echo 'stdin is not a pipe' >>stdin.log
               while IFS= read -r line || [[ -n "$line" ]]; do printf '%s' "$line" >>stdin.log; done
             fi
             [[ "$3" != inspect ]]
           }
           step_secrets_app"#,
    );
    assert!(out.status.success(), "{out:?}");
    let read = |f: &str| std::fs::read_to_string(sandbox.path().join(f)).unwrap();
    assert_eq!(read("stdin.log"), "s3cr3t-v@lue");
    let log = read("as_user.log");
    assert_eq!(
        log,
        "podman secret inspect unroot-web-api_token\n\
         podman secret create unroot-web-api_token -\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("s3cr3t") && !sandbox.calls().contains("s3cr3t"));
    // An existing secret is replaced, and only then is --replace given.
    let out = sandbox.run(
        "migrate.sh",
        &migrate,
        r#"source "$1"; UNROOT_APPLY=1
           as_user() {
             shift; printf '%s\n' "$*" >>again.log
             if [[ "$3" == create ]]; then while IFS= read -r line; do :; done; fi
           }
           step_secrets_app"#,
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        read("again.log").ends_with("podman secret create --replace unroot-web-api_token -\n"),
        "{}",
        read("again.log")
    );
}

mod hostile {
    use proptest::prelude::*;

    use super::super::build;
    use super::assert_runs_nothing;
    use super::shell_checks;
    use crate::generate::{generate, sample};
    use crate::model::{EnvOrigin, EnvVar, Mount, MountKind};
    use crate::render::shell::{migrate_sh, rollback_sh};

    /// Fragments that break naive shell, comment or terminal output.
    fn hostile() -> impl Strategy<Value = String> {
        let fragment = prop_oneof![
            Just("\n".to_string()),
            Just("\r".to_string()),
            Just("\t".to_string()),
            Just("'".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("$(touch pwned)".to_string()),
            Just("`touch pwned`".to_string()),
            Just(";touch pwned #".to_string()),
            Just("%h%%".to_string()),
            Just("\u{1b}[31m".to_string()),
            Just("\u{7f}\u{85}".to_string()),
            Just("grüße 日本".to_string()),
            Just("\u{202e}".to_string()),
            Just(" ".to_string()),
            "[a-z0-9]{1,4}",
        ];
        prop::collection::vec(fragment, 1..5).prop_map(|v| v.concat())
    }

    /// The fixture fleet with hostile values in names, images, labels, env keys, mount
    /// sources and targets, commands, a compose project and a volume name.
    fn fleet(p: &str) -> (crate::model::Inventory, crate::plan::Target) {
        let (mut inv, _) = sample::fleet();
        let web = &mut inv.containers[0];
        web.name = format!("web{p}");
        web.image = format!("nginx{p}:1");
        web.labels.insert(format!("org.{p}"), p.to_string());
        web.env.push(EnvVar {
            name: format!("K{p}"),
            value: p.to_string(),
            origin: EnvOrigin::Container,
        });
        web.command = Some(vec!["sh".into(), "-c".into(), p.to_string()]);
        web.mounts.push(Mount {
            kind: MountKind::Bind,
            source: format!("/srv/app{p}"),
            destination: format!("/data{p}"),
            ..Default::default()
        });
        let db = &mut inv.containers[1];
        db.name = format!("db{p}");
        if let Some(c) = db.compose.as_mut() {
            c.project = format!("shop{p}");
        }
        let volume = format!("pg{p}");
        for m in db.mounts.iter_mut().filter(|m| m.kind == MountKind::Volume) {
            m.source = volume.clone();
        }
        inv.volumes[0].name = volume;
        let mut target = crate::plan::Target::new("app", "5.4");
        target.create_user = true;
        (inv, target)
    }

    proptest! {
        // Each case runs bash six times and shellcheck twice on a fleet: CI has 2 cores.
        #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]

        #[test]
        fn scripts_stay_inert_whatever_the_values(p in hostile()) {
            let (inv, target) = fleet(&p);
            let generated = generate(&inv, &target, &Default::default()).unwrap();
            let m = build(&inv, &target, generated.clone());
            let (migrate, rollback) = (migrate_sh(&m), rollback_sh(&m));
            for text in [&migrate, &rollback] {
                let raw = text.chars().find(|c| matches!(c, '\r' | '\u{1b}' | '\u{202e}'));
                prop_assert_eq!(raw, None, "a raw control or bidi character in the script");
            }
            shell_checks("migrate.sh", &migrate);
            shell_checks("rollback.sh", &rollback);
            assert_runs_nothing(&migrate, &rollback);
        }
    }
}

#[test]
fn the_install_method_follows_the_target_version() {
    use super::InstallMethod as M;
    use crate::model::{DEFAULT_QUADLET_DIR as DIR, PodmanVersion as V};
    let unit = ["[Unit]\nDescription=x\n\n[Container]\nImage=a\n"];
    assert_eq!(M::for_target(V::new(5, 4), DIR, &unit), M::Copy);
    // 5.6 has `podman quadlet install` but no --replace: a re-run could not reinstall.
    assert_eq!(M::for_target(V::new(5, 6), DIR, &unit), M::Copy);
    assert_eq!(M::for_target(V::new(5, 7), DIR, &unit), M::PodmanEach);
    assert_eq!(M::for_target(V::new(5, 8), DIR, &unit), M::PodmanBundle);
    assert_eq!(M::for_target(V::new(6, 0), DIR, &unit), M::PodmanBundle);
    // `podman quadlet` writes only to the default directory.
    assert_eq!(
        M::for_target(V::new(5, 8), ".config/containers/systemd/app", &unit),
        M::Copy
    );
    // A bare `---` line would split the .quadlets file inside a unit.
    let dashes = ["[Container]\nExec=sh -c \\\n---\n"];
    assert_eq!(M::for_target(V::new(5, 8), DIR, &dashes), M::PodmanEach);
}

/// A 5.8 target: the units go in as one `.quadlets` application through `podman quadlet
/// install --replace` as the user, and rollback removes it with `podman quadlet rm`.
#[test]
fn a_5_8_target_installs_one_quadlets_application_and_rollback_removes_it() {
    let (inv, mut target, generated) = sample();
    target.podman_version = "5.8".into();
    let m = migration(&(inv, target, generated));
    let migrate = migrate_sh(&m);
    let rollback = rollback_sh(&m);
    shell_checks("migrate.sh", &migrate);
    shell_checks("rollback.sh", &rollback);
    let body = |text: &str, function: &str| -> String {
        text.split(&format!("\n{function}() {{"))
            .nth(1)
            .unwrap_or_else(|| panic!("no {function}"))
            .split("\n}\n")
            .next()
            .unwrap()
            .to_owned()
    };
    let install = body(&migrate, "step_install_units_app");
    assert!(
        install.contains(
            r#"run quadlet_bundle "$home"/.config/containers/unroot/unroot.quadlets app "$UNROOT_BUNDLE"/quadlet/db.container "$UNROOT_BUNDLE"/quadlet/pgdata.volume "$UNROOT_BUNDLE"/quadlet/web.container"#
        ),
        "{install}"
    );
    assert!(
        install.contains(r#"run as_user app podman quadlet install --replace --reload-systemd=false "$home"/.config/containers/unroot/unroot.quadlets"#),
        "{install}"
    );
    assert!(!install.contains(r#""$dir"/web.container"#), "{install}");
    // The env file still goes next to the unit, where EnvironmentFile= finds it.
    assert!(
        install.contains(r#""$dir"/env/web.env 0600 app"#),
        "{install}"
    );
    let remove = body(&rollback, "step_remove_units_app");
    assert!(
        remove.contains("try run as_user app podman quadlet rm --ignore --reload-systemd=false db.container pgdata.volume web.container"),
        "{remove}"
    );
    assert!(
        remove.contains(r#"run rm -f "$dir"/.unroot.app"#),
        "{remove}"
    );
    // Whatever podman left, the files themselves go too.
    assert!(
        remove.contains(r#"run rm -f "$dir"/web.container"#),
        "{remove}"
    );

    // 5.4 keeps the plain copy.
    let m = migration(&sample());
    assert!(!migrate_sh(&m).contains("podman quadlet"));
    assert!(!rollback_sh(&m).contains("podman quadlet"));
}

/// The `.quadlets` file quadlet_bundle writes, read back the way Podman 5.8 reads one
/// (pkg/domain/infra/abi/quadlet.go: split at lines that are `---` after trimming, trim
/// each part, the name from its `# FileName=` comment, the type from the first section
/// quadlet knows): every file comes back whole under its own name.
#[test]
fn quadlet_bundle_writes_parts_podman_splits_back_into_the_files() {
    let sandbox = super::testkit::Sandbox::with_real(None, &["cat", "install"]);
    let files = [
        (
            "web.container",
            "# unroot\n[Unit]\nDescription=web\n\n[Container]\nImage=a:1\n",
        ),
        ("data.volume", "[Volume]\nVolumeName=data"),
        ("app.network", "[Network]\nNetworkName=app\n"),
    ];
    let dir = sandbox.path().join("bundle");
    std::fs::create_dir(&dir).unwrap();
    for (name, content) in files {
        std::fs::write(dir.join(name), content).unwrap();
    }
    let m = migration(&sample());
    let out = sandbox.run(
        "migrate.sh",
        &migrate_sh(&m),
        r#"source "$1"; install_file() { cat "$1" >"$2"; }; UNROOT_APPLY=1
           quadlet_bundle "$PWD/out.quadlets" app bundle/web.container bundle/data.volume bundle/app.network"#,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(sandbox.path().join("out.quadlets")).unwrap();
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split('\n') {
        if line.trim() == "---" {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    parts.push(current);
    let parts: Vec<&str> = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(parts.len(), 3, "{text}");
    for ((name, content), part) in files.iter().zip(&parts) {
        let stem = name.rsplit_once('.').unwrap().0;
        let mut lines = part.lines();
        assert_eq!(
            lines.next(),
            Some(format!("# FileName={stem}").as_str()),
            "{part}"
        );
        let rest: Vec<&str> = lines.collect();
        assert_eq!(rest.join("\n"), content.trim(), "{name}");
        let kind = part
            .lines()
            .filter_map(|l| l.strip_prefix('[')?.strip_suffix(']'))
            .find(|s| ["Container", "Volume", "Network"].contains(s))
            .unwrap();
        assert_eq!(format!("{stem}.{}", kind.to_lowercase()), *name);
    }
}

/// Issue 14: a unit with `AutoUpdate=` makes migrate.sh enable the user's
/// podman-auto-update.timer once every group is cut over, and rollback.sh disable it before
/// it stops anything; without one, neither script touches the timer.
#[test]
fn the_auto_update_timer_follows_the_units_that_carry_auto_update() {
    use crate::model::auto_update::AutoUpdate;
    let plain = migration(&sample());
    assert!(
        !migrate_sh(&plain).contains("podman-auto-update.timer")
            && !rollback_sh(&plain).contains("podman-auto-update.timer")
    );
    let (inv, target, mut generated) = sample();
    generated.units[0].auto_update = AutoUpdate::Local;
    let m = migration(&(inv, target, generated));
    let names = names(&m.steps);
    let timer = position(&names, "step_auto_update_timer_app");
    assert_eq!(timer, names.len() - 1, "after every cutover: {names:?}");
    let step = &m.steps[timer];
    assert_eq!(step.containers, ["web"]);
    assert_eq!(step.group, None);
    assert_eq!(step.kind.side(), Side::User);
    let rollback = self::names(&m.rollback);
    assert_eq!(rollback[0], "step_auto_update_timer_app", "{rollback:?}");
    assert_eq!(m.rollback[0].kind.side(), Side::User);

    let migrate = migrate_sh(&m);
    let body = |text: &str| {
        text.split("\nstep_auto_update_timer_app() {")
            .nth(1)
            .unwrap()
            .split("\n}\n")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        body(&migrate).lines().skip(2).collect::<Vec<_>>(),
        [
            "  if applying && as_user app systemctl --user is-enabled --quiet podman-auto-update.timer; then skip 'timer already enabled'; return 0; fi",
            "  run as_user app systemctl --user enable --now podman-auto-update.timer",
        ]
    );
    let rollback = rollback_sh(&m);
    assert_eq!(
        body(&rollback).lines().skip(2).collect::<Vec<_>>(),
        [
            "  if applying && ! as_user app systemctl --user is-enabled --quiet podman-auto-update.timer; then skip 'timer not enabled'; return 0; fi",
            "  run as_user app systemctl --user disable --now podman-auto-update.timer",
        ]
    );
    shell_checks("migrate.sh", &migrate);
    shell_checks("rollback.sh", &rollback);
}

/// Root writes the units into the user's home, which the user controls: a symlink the
/// account planted there (to /etc, say) must stop the write, not redirect it.
#[test]
fn root_never_writes_through_a_symlink_in_the_users_home() {
    // `cmp` says "differs", so install_file really installs when it may.
    let sandbox = super::testkit::Sandbox::new(Some("cmp -s"));
    let home = sandbox.path().join("home");
    let elsewhere = sandbox.path().join("etc");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(home.join(".config")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, home.join(".config/containers")).unwrap();
    std::fs::write(sandbox.path().join("unit"), "[Container]\n").unwrap();
    let m = migration(&sample());
    let run = |dest: &str| {
        sandbox.run(
            "migrate.sh",
            &migrate_sh(&m),
            &format!(
                r#"source "$1"; home_of() {{ printf '%s\n' "$PWD/home"; }}; UNROOT_APPLY=1
                   install_file "$PWD/unit" "$PWD/home/{dest}" 0644 app"#
            ),
        )
    };
    let out = run(".config/containers/systemd/web.container");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to write through a symlink in app's home:")
            && err.contains("home/.config/containers"),
        "{err}"
    );
    assert!(!sandbox.calls().contains("install "), "{}", sandbox.calls());
    // The same write without the link goes ahead.
    let out = run(".config/web.container");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        sandbox.calls().contains("install -o app"),
        "{}",
        sandbox.calls()
    );

    // The directories the step creates are checked before the first `install -d`.
    let text = migrate_sh(&m);
    let body = text
        .split("\nstep_install_units_app() {")
        .nth(1)
        .unwrap()
        .split("\n}\n")
        .next()
        .unwrap();
    let guard = body.find("refuse_symlinks app ").expect(body);
    assert!(guard < body.find("install -d").unwrap(), "{body}");
    assert!(body.contains(r#""$dir"/env"#), "{body}");
}
