//! Test support: a hand-made migration input and a sandbox that runs a generated script
//! with nothing but logging stubs on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::generate::{
    BindChown, EnvFilePlan, Generated, GeneratedFile, ImageTransfer, PublishedPort, TransferMethod,
    UnitPlan, VolumeMove,
};
use crate::model::{Container, ContainerState, Inventory, Protocol, RestartPolicy};
use crate::model::{RestartPolicyName, Volume};
use crate::plan::Target;

use super::{Migration, build};

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

fn docker(name: &str, state: ContainerState, restart: RestartPolicyName) -> Container {
    Container {
        name: name.into(),
        state,
        restart_policy: RestartPolicy {
            name: restart,
            max_retries: (restart == RestartPolicyName::OnFailure).then_some(3),
        },
        ..Default::default()
    }
}

/// A unit plan with the given image and nothing else.
pub fn unit(container: &str, unit: &str, docker_ref: &str, method: TransferMethod) -> UnitPlan {
    UnitPlan {
        container: container.into(),
        unit: unit.into(),
        user: "app".into(),
        image: ImageTransfer {
            docker_ref: docker_ref.into(),
            podman_ref: format!("localhost/{docker_ref}"),
            method,
            digest: None,
            pinned: false,
        },
        volumes: vec![],
        chown_binds: vec![],
        ports: vec![],
        start_at_boot: true,
        env_file: None,
        quadlet_files: vec![format!("quadlet/{unit}.container")],
        seccomp_file: None,
        apparmor_profile: None,
        runs_once: false,
        auto_update: Default::default(),
        podman_secrets: vec![],
    }
}

/// Two containers: `web` (running, image loaded, a bind mount to hand over, a port, an env
/// file) and `db's` (exited, image pulled, a named volume).
pub fn sample() -> (Inventory, Target, Generated) {
    let mut inv = Inventory::default();
    inv.containers.push(docker(
        "web",
        ContainerState::Running,
        RestartPolicyName::UnlessStopped,
    ));
    inv.containers.push(docker(
        "db's",
        ContainerState::Exited,
        RestartPolicyName::OnFailure,
    ));
    inv.volumes.push(Volume {
        name: "pgdata".into(),
        mountpoint: Some("/var/lib/docker/volumes/pgdata/_data".into()),
        ..Default::default()
    });
    let target = Target {
        create_user: true,
        ..Target::new("app", "5.4")
    };
    let mut web = unit("web", "web", "app:1", TransferMethod::Load);
    web.chown_binds = vec![BindChown {
        host_path: "/srv/web data".into(),
        uid: 33,
        gid: 33,
    }];
    web.ports = vec![PublishedPort {
        host_ip: None,
        host_port: 8080,
        docker_host_port: 80,
        container_port: 80,
        protocol: Protocol::Tcp,
    }];
    web.env_file = Some(EnvFilePlan {
        bundle_path: "env/web.env".into(),
        install_path: "env/web.env".into(),
    });
    let mut db = unit("db's", "db", "postgres:16", TransferMethod::Pull);
    db.volumes = vec![VolumeMove {
        docker_volume: "pgdata".into(),
        podman_volume: "pgdata".into(),
        destination: "/var/lib/postgresql/data".into(),
        service: "pgdata-volume.service".into(),
    }];
    db.quadlet_files.push("quadlet/pgdata.volume".into());
    let generated = Generated {
        files: vec![
            file("env/web.env", "SECRET=x\n"),
            file("quadlet/db.container", "[Container]\n"),
            file("quadlet/pgdata.volume", "[Volume]\nVolumeName=pgdata\n"),
            file("quadlet/web.container", "[Container]\n"),
            file("subgid", "app:100000:65536\n"),
            file("subuid", "app:100000:65536\n"),
            file("sysctl.d/50-unroot-ports.conf", "x=80\n"),
        ],
        units: vec![web, db],
        ..Default::default()
    };
    (inv, target, generated)
}

/// The migration of a sample.
pub fn migration(input: &(Inventory, Target, Generated)) -> Migration {
    build(&input.0, &input.1, input.2.clone())
}

/// Every program a generated script could run: in the sandbox each is a stub that logs its
/// name and arguments, so nothing on the machine can change and every call is seen.
const PROGRAMS: &[&str] = &[
    "awk",
    "bash",
    "cat",
    "chmod",
    "chown",
    "cmp",
    "cp",
    "curl",
    "cut",
    "dirname",
    "docker",
    "env",
    "find",
    "getent",
    "grep",
    "id",
    "install",
    "ln",
    "loginctl",
    "mkdir",
    "mv",
    "paste",
    "podman",
    "rm",
    "runuser",
    "sed",
    "seq",
    "sh",
    "sleep",
    "stat",
    "sudo",
    "sysctl",
    "systemctl",
    "tar",
    "tee",
    "timeout",
    "touch",
    "useradd",
    "usermod",
    "wget",
];

/// A sandbox: a stub directory that is the whole PATH, and the log the stubs write.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// Stubs for [`PROGRAMS`]. A stub exits 1 when its command line contains the text in
    /// `fail` (when given), else 0; `id -u` prints 0 so `--apply` runs.
    pub fn new(fail: Option<&str>) -> Self {
        Self::with_real(fail, &[])
    }

    /// Like [`Sandbox::new`], with the real `programs` (from /usr/bin or /bin) instead of
    /// stubs: for steps whose own bookkeeping (find, mv) a test follows for real.
    pub fn with_real(fail: Option<&str>, real: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let stubs = dir.path().join("stubs");
        std::fs::create_dir(&stubs).unwrap();
        let log = dir.path().join("calls.log");
        let fail_file = dir.path().join("fail");
        std::fs::write(&fail_file, fail.unwrap_or("")).unwrap();
        let q = |p: &Path| crate::render::shell::q(&p.to_string_lossy()).into_owned();
        let body = format!(
            "#!/bin/bash\n\
             printf '%s\\n' \"${{0##*/}} $*\" >>{log}\n\
             fail=$(<{fail})\n\
             if [[ -n \"$fail\" && \"${{0##*/}} $*\" == *\"$fail\"* ]]; then exit 1; fi\n\
             if [[ \"${{0##*/}} $1\" == 'id -u' ]]; then echo 0; fi\n",
            log = q(&log),
            fail = q(&fail_file),
        );
        for p in real {
            let found = ["/usr/bin", "/bin"]
                .iter()
                .map(|d| Path::new(d).join(p))
                .find(|x| x.exists())
                .unwrap();
            std::os::unix::fs::symlink(found, stubs.join(p)).unwrap();
        }
        for p in PROGRAMS.iter().filter(|p| !real.contains(p)) {
            let path = stubs.join(p);
            std::fs::write(&path, &body).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Self { dir }
    }

    pub fn stubs(&self) -> PathBuf {
        self.dir.path().join("stubs")
    }

    /// The stubs' calls so far, one per line.
    pub fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("calls.log")).unwrap_or_default()
    }

    /// Write `text` as `name` in the sandbox and run `/bin/bash -c SHELL` there with only
    /// the stubs on PATH (`$1` is the script's path).
    pub fn run(&self, name: &str, text: &str, shell: &str) -> Output {
        let script = self.dir.path().join(name);
        std::fs::write(&script, text).unwrap();
        Command::new("/bin/bash")
            .arg("-c")
            .arg(shell)
            .arg("sandbox")
            .arg(&script)
            .env_clear()
            .env("PATH", self.stubs())
            .env("UNROOT_STAGING", self.dir.path().join("staging"))
            .current_dir(self.dir.path())
            .output()
            .unwrap()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// `bash -n` and shellcheck on a script (shellcheck required under scripts/test).
pub fn shell_checks(name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "bash -n {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match Command::new("shellcheck").arg(&path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "shellcheck {name}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(_) if std::env::var("UNROOT_REQUIRE_DOCKER").is_ok_and(|v| v == "1") => {
            panic!("shellcheck is required under scripts/test")
        }
        Err(_) => eprintln!("SKIPPED: shellcheck not installed"),
    }
}
