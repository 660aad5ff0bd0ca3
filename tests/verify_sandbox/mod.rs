//! The rootless Podman API service of `scripts/verify-e2e.sh serve`, shared by the verify
//! tests: start it, run commands inside, apply quadlet units the way systemd would.
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

pub const USER: &str = "unroot-verify";

/// The rootless service in its sandbox, and the command channel into it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    child: Child,
    seq: usize,
}

impl Sandbox {
    pub fn start() -> Option<Sandbox> {
        // Inside the test command the root is required: build it if no earlier stage did
        // (idempotent, locked, a no-op when the root is complete).
        if common::required("UNROOT_REQUIRE_PODMAN") {
            let out = Command::new(repo().join("scripts/rootless-host.sh"))
                .arg("setup")
                .output()
                .expect("run scripts/rootless-host.sh setup");
            assert!(
                out.status.success(),
                "scripts/rootless-host.sh setup failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        common::rootless_root()?;
        let dir = tempfile::Builder::new()
            .prefix("unroot-verify-")
            .tempdir()
            .unwrap();
        let log = fs::File::create(dir.path().join("serve.log")).unwrap();
        let child = Command::new(repo().join("scripts/verify-e2e.sh"))
            .arg("serve")
            .arg(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start scripts/verify-e2e.sh");
        let mut sandbox = Sandbox { dir, child, seq: 0 };
        let deadline = Instant::now() + Duration::from_secs(180);
        while !sandbox.dir.path().join("ready").exists() {
            if let Some(status) = sandbox.child.try_wait().unwrap() {
                panic!(
                    "verify-e2e.sh serve ended ({status}) before the service was ready:\n{}",
                    sandbox.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no Podman service after 180 s:\n{}",
                sandbox.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(sandbox)
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("podman.sock")
    }

    /// Run a bash snippet as root inside the sandbox (`$VUSER`, `user_podman` available).
    pub fn sh(&mut self, script: &str) -> String {
        self.seq += 1;
        let base = self.dir.path().join(format!("cmd/{:04}", self.seq));
        let tmp = base.with_extension("tmp");
        fs::write(&tmp, script).unwrap();
        fs::rename(&tmp, base.with_extension("sh")).unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        let rc_path = base.with_extension("rc");
        while !rc_path.exists() {
            assert!(
                Instant::now() < deadline,
                "command did not finish: {script}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let out = fs::read_to_string(base.with_extension("out")).unwrap_or_default();
        let rc = fs::read_to_string(&rc_path).unwrap();
        assert_eq!(rc.trim(), "0", "command failed: {script}\n{out}");
        out
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::write(self.dir.path().join("stop"), "");
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Our own child only, by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn root() -> PathBuf {
    common::rootless_root().expect("checked in Sandbox::start")
}

/// Install the quadlet files of `dir_inside` (a path inside the sandbox) for the user, run
/// the real quadlet generator, and execute each generated `ExecStart` as the user the way
/// systemd would: volumes and networks first, then containers; systemd-only flags dropped,
/// `%N`/`%n` filled in, `PODMAN_SYSTEMD_UNIT` set as quadlet's `Environment=` does.
pub fn apply_quadlet_script(dir_inside: &str) -> String {
    format!(
        r#"
home=/home/$VUSER
qd=$home/.config/containers/systemd
mkdir -p $qd
cp {dir_inside}/* $qd/
chown -R $VUSER: $home/.config
as_user $VUSER env QUADLET_UNIT_DIRS=$qd /usr/libexec/podman/quadlet -dryrun -user >/tmp/q.out 2>/tmp/q.err
if grep -q converting /tmp/q.err; then cat /tmp/q.err; exit 1; fi
awk '/^---.*---$/ {{ n = $0; sub(/^---/, "", n); sub(/---$/, "", n) }}
     /^ExecStart=/ {{ print n "	" substr($0, 11) }}' /tmp/q.out >/tmp/q.lines
{{ grep -v "	/usr/bin/podman run" /tmp/q.lines || true; grep "	/usr/bin/podman run" /tmp/q.lines; }} >/tmp/q.ordered
while IFS=$'	' read -r svc cmd; do
  unit=${{svc%.service}}
  cmd=$(sed -e 's/--cgroups=split//' -e 's/--sdnotify=conmon//' -e 's|--cidfile=%t/%N.cid||' <<<"$cmd")
  cmd=${{cmd//%N/$unit}}
  cmd=${{cmd//%n/$svc}}
  as_user $VUSER env PODMAN_SYSTEMD_UNIT=$svc $cmd
done </tmp/q.ordered
"#
    )
}
