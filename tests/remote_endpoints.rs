//! Remote endpoints against real servers on this machine: OpenSSH's sshd on a loopback port
//! (its own host key, config and authorized key, the real Docker engine behind it through
//! `docker system dial-stdio`), and a second dockerd on loopback with TLS certificates made
//! here with openssl (its own data root, exec root, pidfile and socket; no bridge, no
//! iptables, so it leaves the main engine alone). Each server starts once per test binary;
//! a watchdog shell ends it when this process exits.
//!
//! Required in CI (`UNROOT_REQUIRE_DOCKER=1`): a missing sshd, openssl or dockerd fails
//! there and skips visibly elsewhere.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{assert_one_line_error, p, skip_or_fail, stderr, unroot};

const REQUIRE: &str = "UNROOT_REQUIRE_DOCKER";
const PROBE: &str = "unroot-tls-probe";

/// A free loopback port (the listener is closed before the server binds it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn sh(script: &str) {
    let out = Command::new("sh").args(["-ec", script]).output().unwrap();
    assert!(
        out.status.success(),
        "{script}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Start `command` (a shell command line) under a watchdog that kills it, and removes
/// `dir`, once this test process is gone.
fn start_with_watchdog(dir: &Path, command: &str, cleanup: &str) {
    let me = std::process::id();
    let script = format!(
        "{command} & child=$!\n\
         while kill -0 {me} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.3; done\n\
         kill $child 2>/dev/null; wait $child 2>/dev/null; {cleanup} rm -rf '{}'",
        dir.display()
    );
    // `setsid -f` forks the watchdog off and returns at once (nothing left to reap here).
    let status = Command::new("setsid")
        .args(["-f", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "setsid -f failed");
}

/// Whether a network interface of this name exists on the host.
fn link_exists(name: &str) -> bool {
    Path::new("/sys/class/net").join(name).exists()
}

/// unroot with an empty docker config (the machine's contexts never leak in), no
/// DOCKER_* from the environment, no ssh agent.
fn unroot_clean(config: &Path) -> Command {
    let mut cmd = unroot();
    cmd.env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .env_remove("SSH_AUTH_SOCK")
        .env("UNROOT_DOCKER_TIMEOUT", "5");
    cmd
}

/// The one-line error, shown in the test log (it carries nothing secret: asserted).
fn show(out: &Output) {
    eprint!("{}", stderr(out));
}

/// Container names from `unroot scan --format json`, which must succeed.
fn scanned_names(out: &Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "scan failed ({:?}): {}",
        out.status.code(),
        stderr(out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> = json["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------- ssh

struct Ssh {
    dir: PathBuf,
    port: u16,
}

static SSH: OnceLock<Option<Ssh>> = OnceLock::new();

/// sshd on a loopback port, root login with a throw-away ed25519 key on this instance only.
fn ssh() -> Option<&'static Ssh> {
    SSH.get_or_init(|| {
        let sshd = Path::new("/usr/sbin/sshd");
        if !sshd.is_file() || !have("ssh") || !have("ssh-keygen") || !have("docker") {
            skip_or_fail(REQUIRE, "OpenSSH sshd, ssh and the docker CLI");
            return None;
        }
        if !common::docker_available() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap().keep();
        let d = dir.display();
        let port = free_port();
        sh(&format!(
            "cd '{d}'\n\
             ssh-keygen -q -t ed25519 -N '' -f hostkey\n\
             ssh-keygen -q -t ed25519 -N '' -f id\n\
             ssh-keygen -q -t ed25519 -N '' -f other\n\
             cp id.pub authorized_keys\n\
             echo \"unroot-test $(cut -d' ' -f1,2 hostkey.pub)\" > known_hosts\n\
             : > empty_known_hosts\n\
             mkdir -p bin /run/sshd\n\
             printf '#!/bin/sh\\n[ -z \"$UNROOT_TEST_SSH_LOG\" ] || echo \"$*\" >> \"$UNROOT_TEST_SSH_LOG\"\\nexec /usr/bin/ssh -F \"$UNROOT_TEST_SSH_CONFIG\" \"$@\"\\n' > bin/ssh\n\
             chmod 0755 bin/ssh"
        ));
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/hostkey\nPidFile {d}/sshd.pid\n\
             UsePAM no\nAuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nStrictModes no\n\
             MaxStartups 50\nLogLevel ERROR\n"
        );
        std::fs::write(dir.join("sshd_config"), config).unwrap();
        // Client configs: the right key and a known host key; an unknown host key; a key
        // the server refuses. HostKeyAlias makes known_hosts independent of the port.
        for (name, key, known) in [
            ("good", "id", "known_hosts"),
            ("unknown", "id", "empty_known_hosts"),
            ("refused", "other", "known_hosts"),
        ] {
            std::fs::write(
                dir.join(format!("ssh_config_{name}")),
                format!(
                    "Host *\n  IdentityFile {d}/{key}\n  IdentitiesOnly yes\n  \
                     UserKnownHostsFile {d}/{known}\n  GlobalKnownHostsFile /dev/null\n  \
                     HostKeyAlias unroot-test\n  StrictHostKeyChecking yes\n  LogLevel ERROR\n"
                ),
            )
            .unwrap();
        }
        start_with_watchdog(&dir, &format!("/usr/sbin/sshd -D -e -f '{d}/sshd_config'"), "");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "sshd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Ssh { dir, port })
    })
    .as_ref()
}

impl Ssh {
    /// unroot reaching sshd through the wrapper that gives ssh the `name` client config.
    fn unroot(&self, name: &str) -> Command {
        let mut cmd = unroot_clean(&self.dir.join("docker-config"));
        let path = format!(
            "{}:{}",
            self.dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("PATH", path).env(
            "UNROOT_TEST_SSH_CONFIG",
            self.dir.join(format!("ssh_config_{name}")),
        );
        cmd
    }

    fn url(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }
}

#[test]
fn scan_over_ssh_lists_the_same_containers_as_the_local_socket() {
    let Some(ssh) = ssh() else { return };
    let local = common::on_local_engine(&["scan", "--format", "json"]);
    // The control master's private directory goes under this TMPDIR.
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let calls = tempfile::NamedTempFile::new().unwrap();
    let remote = ssh
        .unroot("good")
        .args(["scan", "--format", "json", "--docker-host", &ssh.url()])
        .env("TMPDIR", tmp.path())
        .env("UNROOT_TEST_SSH_LOG", calls.path())
        .output()
        .unwrap();
    let took = started.elapsed();
    // One login (the master) and one session for every request of the read: the docker
    // CLI's one connection, not a pool's several `docker system dial-stdio`.
    let calls = std::fs::read_to_string(calls.path()).unwrap();
    let sessions = calls
        .lines()
        .filter(|l| l.contains("ControlMaster=no") && l.ends_with("docker system dial-stdio"))
        .count();
    assert_eq!(sessions, 1, "{calls}");
    // The read ended its ssh master: its directory is gone and no ssh process names it.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    let left = Command::new("pgrep")
        .args(["-f", p(tmp.path())])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "ssh left running: {}",
        String::from_utf8_lossy(&left.stdout)
    );
    let names = scanned_names(&remote);
    assert!(
        !names.is_empty(),
        "the fixtures should give the engine containers"
    );
    assert_eq!(names, scanned_names(&local));
    let json: serde_json::Value = serde_json::from_slice(&remote.stdout).unwrap();
    assert_eq!(json["source"], ssh.url().as_str());
    eprintln!("scan over {} took {took:?}", ssh.url());
}

/// The start of `user`'s sub-UID range in a plan printed by `unroot plan ... -o -`.
fn planned_subuid_start(out: &Output, user: &str) -> u64 {
    assert!(out.status.success(), "plan failed: {}", stderr(out));
    let plan: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).unwrap();
    plan["target"]["subid_ranges"][user]["start"]
        .as_u64()
        .unwrap_or_else(|| panic!("no range for {user} in the plan"))
}

/// The engine's host is the host being migrated: its own /etc/subuid and /etc/subgid, read
/// over the same ssh login, decide the ranges; never this machine's view (here a sandbox
/// root that says every range from 100000 is taken).
#[test]
fn a_plan_over_ssh_chooses_sub_ids_against_the_hosts_own_files() {
    let Some(ssh) = ssh() else { return };
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    for file in ["subuid", "subgid"] {
        std::fs::write(etc.join(file), "someone-else:100000:900000\n").unwrap();
    }
    let user = "unroot-t13-ids";
    let plan = ["plan", "--user", user, "-o", "-"];
    // Control: read locally, the sandbox's view is what counts.
    let sandboxed = common::unroot()
        .args(plan)
        .args(["--docker-host", "unix:///var/run/docker.sock"])
        .env_remove("DOCKER_HOST")
        .env("UNROOT_TARGET_ROOT", dir.path())
        .output()
        .unwrap();
    assert_eq!(planned_subuid_start(&sandboxed, user), 1_000_000);
    // The host's real files (this machine's /, which is the host behind the sshd).
    let real = common::unroot()
        .args(plan)
        .args(["--docker-host", "unix:///var/run/docker.sock"])
        .env_remove("DOCKER_HOST")
        .env_remove("UNROOT_TARGET_ROOT")
        .output()
        .unwrap();
    let want = planned_subuid_start(&real, user);
    assert_ne!(want, 1_000_000);
    let remote = ssh
        .unroot("good")
        .args(plan)
        .args(["--docker-host", &ssh.url()])
        .env("UNROOT_TARGET_ROOT", dir.path())
        .output()
        .unwrap();
    assert_eq!(planned_subuid_start(&remote, user), want);
    let text = String::from_utf8_lossy(&remote.stdout);
    assert!(text.contains("id_files_read_over_ssh: true"), "{text}");

    // A snapshot over ssh carries the files, so a plan made from it elsewhere uses them.
    let snapshot = dir.path().join("snapshot.json");
    let out = ssh
        .unroot("good")
        .args(["snapshot", "--docker-host", &ssh.url(), "-o", p(&snapshot)])
        .output()
        .unwrap();
    assert!(out.status.success(), "snapshot failed: {}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    let real_subuid = std::fs::read_to_string("/etc/subuid").unwrap_or_default();
    assert_eq!(json["host"]["id_files"]["subuid"], real_subuid.as_str());
    let from_snapshot = common::unroot()
        .args(["--snapshot", p(&snapshot)])
        .args(plan)
        .env("UNROOT_TARGET_ROOT", dir.path())
        .output()
        .unwrap();
    assert_eq!(planned_subuid_start(&from_snapshot, user), want);
}

#[test]
fn an_unknown_ssh_host_key_is_one_line_exit_3() {
    let Some(ssh) = ssh() else { return };
    let out = ssh
        .unroot("unknown")
        .args(["scan", "--docker-host", &ssh.url()])
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 3, &["host key", "not known", "known_hosts"]);
    // ssh never trusted it on its own (no accept-new): the file stays empty.
    let known = std::fs::read_to_string(ssh.dir.join("empty_known_hosts")).unwrap();
    assert_eq!(known, "");
}

#[test]
fn a_refused_ssh_key_is_one_line_exit_3() {
    let Some(ssh) = ssh() else { return };
    let out = ssh
        .unroot("refused")
        .args(["scan", "--docker-host", &ssh.url()])
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 3, &["authentication failed"]);
    let err = stderr(&out);
    let key = std::fs::read_to_string(ssh.dir.join("other")).unwrap();
    let body = key.lines().nth(1).unwrap();
    assert!(!err.contains(body), "a private key reached stderr");
}

#[test]
fn nothing_listening_for_ssh_is_one_line_exit_3() {
    let Some(ssh) = ssh() else { return };
    let out = ssh
        .unroot("good")
        .args([
            "scan",
            "--docker-host",
            &format!("ssh://root@127.0.0.1:{}", free_port()),
        ])
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 3, &["connection refused"]);
}

// ---------------------------------------------------------------- TLS

struct Tls {
    dir: PathBuf,
    port: u16,
}

static TLS: OnceLock<Option<Tls>> = OnceLock::new();

/// A second dockerd with TLS on a loopback port, and one created container to find.
fn tls() -> Option<&'static Tls> {
    TLS.get_or_init(|| {
        if !have("openssl") || !have("dockerd") || !have("docker") {
            skip_or_fail(REQUIRE, "openssl, dockerd and the docker CLI");
            return None;
        }
        if !common::docker_available() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap().keep();
        let d = dir.display();
        let port = free_port();
        make_certs(&dir);
        std::fs::write(dir.join("daemon.json"), "{}").unwrap();
        let sock = dir.join("docker.sock");
        // Its own bridge: a dockerd started with `--bridge=none` deletes the host's docker0
        // (it removes the default bridge it is told not to use), which took the main
        // engine's network away from every other test.
        let bridge = format!("unroot-tls{port}");
        let had_docker0 = link_exists("docker0");
        sh(&format!(
            "ip link add name {bridge} type bridge && ip addr add 10.213.213.1/24 dev {bridge} \
             && ip link set {bridge} up"
        ));
        start_with_watchdog(
            &dir,
            &format!(
                "dockerd --config-file '{d}/daemon.json' --data-root '{d}/data' \
                 --exec-root '{d}/exec' --pidfile '{d}/docker.pid' \
                 -H 'unix://{d}/docker.sock' -H tcp://127.0.0.1:{port} \
                 --tlsverify --tlscacert '{d}/ca.pem' --tlscert '{d}/server-cert.pem' \
                 --tlskey '{d}/server-key.pem' --bridge={bridge} --iptables=false \
                 --ip6tables=false > '{d}/dockerd.log' 2>&1"
            ),
            &format!("ip link del {bridge} 2>/dev/null;"),
        );
        let docker = |args: &[&str]| {
            Command::new("docker")
                .env("DOCKER_HOST", format!("unix://{}", sock.display()))
                .env("DOCKER_CONFIG", dir.join("docker-config"))
                .args(args)
                .output()
                .unwrap()
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !docker(&["version"]).status.success() {
            let log = std::fs::read_to_string(dir.join("dockerd.log")).unwrap_or_default();
            assert!(
                Instant::now() < deadline,
                "the TLS dockerd did not start: {log}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        assert!(
            !had_docker0 || link_exists("docker0"),
            "the TLS dockerd removed the main engine's docker0 bridge"
        );
        // One created (never started) container, from the fixtures' busybox image.
        sh(&format!(
            "docker save unroot-fixture/busybox:1 | DOCKER_HOST='unix://{d}/docker.sock' \
             DOCKER_CONFIG='{d}/docker-config' docker load -q >/dev/null"
        ));
        let out = docker(&[
            "create",
            "--name",
            PROBE,
            "--network",
            "none",
            "unroot-fixture/busybox:1",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        Some(Tls { dir, port })
    })
    .as_ref()
}

/// CA, server certificate for 127.0.0.1, client certificate; and a second CA with its own
/// client certificate, for the wrong-CA cases.
fn make_certs(dir: &Path) {
    sh(&format!(
        "cd '{}'\n\
         gen() {{ openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out \"$1\" 2>/dev/null; }}\n\
         for ca in ca wrong-ca; do\n\
           gen $ca-key.pem\n\
           openssl req -x509 -new -key $ca-key.pem -days 2 -subj \"/CN=$ca\" -out $ca.pem\n\
         done\n\
         gen server-key.pem\n\
         openssl req -new -key server-key.pem -subj /CN=127.0.0.1 -out server.csr\n\
         printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext\n\
         openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server-cert.pem 2>/dev/null\n\
         printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n\
         for ca in ca wrong-ca; do\n\
           gen $ca-client-key.pem\n\
           openssl req -new -key $ca-client-key.pem -subj /CN=client -out client.csr\n\
           openssl x509 -req -in client.csr -CA $ca.pem -CAkey $ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out $ca-client-cert.pem 2>/dev/null\n\
         done\n\
         mkdir certs\n\
         cp ca.pem certs/ca.pem; cp ca-client-cert.pem certs/cert.pem; cp ca-client-key.pem certs/key.pem",
        dir.display()
    ));
}

impl Tls {
    fn host(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }

    fn file(&self, name: &str) -> String {
        p(&self.dir.join(name)).to_owned()
    }

    /// unroot with an empty docker config of its own under `name`.
    fn unroot(&self, name: &str) -> Command {
        unroot_clean(&self.dir.join(name))
    }
}

#[test]
fn tls_with_the_flags_reads_the_engine() {
    let Some(tls) = tls() else { return };
    let out = tls
        .unroot("cfg-flags")
        .args(["scan", "--format", "json", "-H", &tls.host(), "--tlsverify"])
        .args(["--tlscacert", &tls.file("ca.pem")])
        .args(["--tlscert", &tls.file("ca-client-cert.pem")])
        .args(["--tlskey", &tls.file("ca-client-key.pem")])
        .output()
        .unwrap();
    assert_eq!(scanned_names(&out), [PROBE]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["source"],
        format!("tcp://127.0.0.1:{} (TLS)", tls.port).as_str()
    );
}

#[test]
fn tls_with_docker_cert_path_reads_the_engine() {
    let Some(tls) = tls() else { return };
    let out = tls
        .unroot("cfg-env")
        .args(["scan", "--format", "json"])
        .env("DOCKER_HOST", tls.host())
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", tls.file("certs"))
        .output()
        .unwrap();
    assert_eq!(scanned_names(&out), [PROBE]);
}

#[test]
fn a_wrong_ca_is_one_line_exit_3() {
    let Some(tls) = tls() else { return };
    let out = tls
        .unroot("cfg-wrong")
        .args(["scan", "-H", &tls.host(), "--tlsverify"])
        .args(["--tlscacert", &tls.file("wrong-ca.pem")])
        .args(["--tlscert", &tls.file("ca-client-cert.pem")])
        .args(["--tlskey", &tls.file("ca-client-key.pem")])
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 3, &["not trusted", "wrong-ca.pem"]);
    let key = std::fs::read_to_string(tls.dir.join("ca-client-key.pem")).unwrap();
    assert!(!stderr(&out).contains(key.lines().nth(1).unwrap()));
}

#[test]
fn a_client_certificate_from_another_ca_is_one_line_exit_3() {
    let Some(tls) = tls() else { return };
    let out = tls
        .unroot("cfg-client")
        .args(["scan", "-H", &tls.host(), "--tlsverify"])
        .args(["--tlscacert", &tls.file("ca.pem")])
        .args(["--tlscert", &tls.file("wrong-ca-client-cert.pem")])
        .args(["--tlskey", &tls.file("wrong-ca-client-key.pem")])
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 3, &["client certificate"]);
}

#[test]
fn a_tls_engine_not_listening_is_one_line_exit_3() {
    let Some(tls) = tls() else { return };
    let out = tls
        .unroot("cfg-closed")
        .args(["scan", "-H", &format!("tcp://127.0.0.1:{}", free_port())])
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", tls.file("certs"))
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 3, &["connection refused"]);
}

#[test]
fn plain_tcp_off_loopback_needs_the_flag() {
    let config = tempfile::tempdir().unwrap();
    // TEST-NET-1: never routed, so nothing is ever sent anywhere real.
    let out = unroot_clean(config.path())
        .args(["scan", "-H", "tcp://192.0.2.1:2375"])
        .output()
        .unwrap();
    show(&out);
    assert_one_line_error(&out, 2, &["--allow-plain-tcp", "unencrypted"]);
    let out = unroot_clean(config.path())
        .args(["scan", "-H", "tcp://192.0.2.1:2375", "--allow-plain-tcp"])
        .env("UNROOT_DOCKER_TIMEOUT", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("unroot: warning: ") && lines[0].contains("plain TCP"));
    assert!(lines[1].starts_with("unroot: error: "), "{err}");
}

// ---------------------------------------------------------------- contexts

/// A context store made by the real docker CLI in `config`, pointing at the TLS engine.
fn context_store(tls: &Tls, config: &Path) {
    let out = Command::new("docker")
        .env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .args(["context", "create", "tlsengine", "--docker"])
        .arg(format!(
            "host={},ca={},cert={},key={}",
            tls.host(),
            tls.file("ca.pem"),
            tls.file("ca-client-cert.pem"),
            tls.file("ca-client-key.pem")
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_context_by_flag_by_env_and_as_current_reads_the_engine() {
    let Some(tls) = tls() else { return };
    let config = tls.dir.join("cfg-context");
    context_store(tls, &config);
    let by_flag = tls
        .unroot("cfg-context")
        .args(["scan", "--format", "json", "--context", "tlsengine"])
        .output()
        .unwrap();
    assert_eq!(scanned_names(&by_flag), [PROBE]);
    let by_env = tls
        .unroot("cfg-context")
        .args(["scan", "--format", "json"])
        .env("DOCKER_CONTEXT", "tlsengine")
        .output()
        .unwrap();
    assert_eq!(scanned_names(&by_env), [PROBE]);
    let out = Command::new("docker")
        .env("DOCKER_CONFIG", &config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .args(["context", "use", "tlsengine"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let current = tls
        .unroot("cfg-context")
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(scanned_names(&current), [PROBE]);
    // An unknown context is the operator's typo: exit 2, naming it.
    let missing = tls
        .unroot("cfg-context")
        .args(["scan", "--context", "nope"])
        .output()
        .unwrap();
    show(&missing);
    assert_one_line_error(&missing, 2, &["docker context `nope` not found"]);
}

// ---------------------------------------------------------------- several hosts

const LOCAL: &str = "unix:///var/run/docker.sock";

/// Every regular file under `dir` (relative path -> mode and bytes), to compare two output
/// directories byte for byte.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, (u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                todo.push(entry.path());
            } else {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                let mode = meta.permissions().mode() & 0o7777;
                files.insert(rel, (mode, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    files
}

/// A hosts file: the local socket, the loopback sshd in front of the same engine, and an
/// ssh endpoint where nothing listens.
fn fleet_hosts_file(ssh: &Ssh, dir: &Path) -> (PathBuf, String) {
    let dead = format!("ssh://root@127.0.0.1:{}", free_port());
    let path = dir.join("hosts.txt");
    std::fs::write(
        &path,
        format!(
            "# the fleet of the test\nlocal {LOCAL}\nviassh {}   # the same engine over ssh\n\n\
             dead {dead}\n",
            ssh.url()
        ),
    )
    .unwrap();
    (path, dead)
}

/// One generate of the fleet and one single-host generate per readable host; the engine is
/// shared with other tests, so a container appearing between the runs is told apart from a
/// difference by trying again.
#[test]
fn a_fleet_generate_writes_each_host_as_a_single_host_run_and_names_the_failed_one() {
    let Some(ssh) = ssh() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (hosts, _dead) = fleet_hosts_file(ssh, tmp.path());
    let mut last_difference = String::new();
    for attempt in 0..3 {
        let out = tmp.path().join(format!("fleet{attempt}"));
        let fleet = ssh
            .unroot("good")
            .args(["generate", "--hosts", p(&hosts), "--out", p(&out)])
            .output()
            .unwrap();
        let err = stderr(&fleet);
        eprint!("{err}");
        assert_eq!(
            fleet.status.code(),
            Some(4),
            "some hosts failed: exit 4; {err}"
        );
        let failed: Vec<&str> = err.lines().filter(|l| l.contains("error")).collect();
        assert_eq!(failed.len(), 1, "{err}");
        assert!(
            failed[0].starts_with("unroot: error: host dead: ") && failed[0].contains("refused"),
            "{err}"
        );
        assert!(
            !out.join("dead").exists(),
            "a failed host gets no directory"
        );

        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("fleet.json")).unwrap()).unwrap();
        assert_eq!(summary["schema"], "unroot.fleet/v1");
        let hosts_json = summary["hosts"].as_array().unwrap();
        assert_eq!(hosts_json.len(), 3);
        assert_eq!(hosts_json[0]["name"], "local");
        assert!(hosts_json[0]["written"]["containers"].as_u64().unwrap() > 0);
        assert!(hosts_json[1]["written"]["verdicts"]["ok"].is_u64());
        assert!(
            hosts_json[2]["error"].as_str().unwrap().contains("refused"),
            "{summary}"
        );
        let md = std::fs::read_to_string(out.join("FLEET.md")).unwrap();
        assert!(
            md.contains("| dead |") && md.contains("**not read:**"),
            "{md}"
        );
        assert!(md.contains("Read from another machine"), "{md}");
        let ini = std::fs::read_to_string(out.join("ansible/inventory.ini")).unwrap();
        assert!(ini.contains("\nlocal ansible_connection=local\n"), "{ini}");
        assert!(
            ini.contains(&format!(
                "\nviassh ansible_host=\"127.0.0.1\" ansible_port={} ansible_user=\"root\"",
                ssh.port
            )),
            "{ini}"
        );
        assert!(!ini.contains("dead"), "{ini}");

        // Each host's directory is what a single-host run writes for that endpoint.
        let mut same = true;
        for (name, url) in [("local", LOCAL.to_owned()), ("viassh", ssh.url())] {
            let single = tmp.path().join(format!("single-{name}{attempt}"));
            let one = ssh
                .unroot("good")
                .args(["generate", "--docker-host", &url, "--out", p(&single)])
                .output()
                .unwrap();
            assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
            let (a, b) = (tree(&out.join(name)), tree(&single));
            if a != b {
                same = false;
                let differ: Vec<&String> = a
                    .keys()
                    .chain(b.keys())
                    .filter(|k| a.get(*k) != b.get(*k))
                    .collect();
                last_difference = format!("{name}: {differ:?}");
            }
        }
        if same {
            // The remote host's report says what was not read there, and that its sub-ID
            // ranges were chosen against its own files, read over ssh.
            let report = std::fs::read_to_string(out.join("viassh/REPORT.md")).unwrap();
            assert!(report.contains("Bind-mount owners: not read"), "{report}");
            assert!(
                report.contains("Subordinate ID ranges: chosen against the target's own"),
                "{report}"
            );
            let fleet = std::fs::read_to_string(out.join("FLEET.md")).unwrap();
            assert!(
                fleet.contains("hosts reached over ssh were chosen against each host's own"),
                "{fleet}"
            );
            let local = std::fs::read_to_string(out.join("local/REPORT.md")).unwrap();
            assert!(!local.contains("Subordinate ID ranges: chosen against"));
            return;
        }
        eprintln!("attempt {attempt}: directories differ ({last_difference}); the engine changed?");
    }
    panic!("fleet and single-host directories differ: {last_difference}");
}

#[test]
fn a_fleet_scan_and_plan_read_every_host_and_report_the_failed_one() {
    let Some(ssh) = ssh() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dead = format!("ssh://root@127.0.0.1:{}", free_port());
    let scan_once = || {
        let scan = ssh
            .unroot("good")
            .args([
                "scan",
                "--format",
                "json",
                "-H",
                LOCAL,
                "-H",
                &ssh.url(),
                "-H",
                &dead,
            ])
            .args(["--parallel", "2"])
            .output()
            .unwrap();
        assert_eq!(scan.status.code(), Some(4), "{}", stderr(&scan));
        serde_json::from_slice::<serde_json::Value>(&scan.stdout).unwrap()
    };
    let count = |json: &serde_json::Value, i: usize| {
        json["hosts"][i]["report"]["containers"]
            .as_array()
            .map(Vec::len)
    };
    // Both names lead to the one engine of this machine; another test creating or
    // removing a container between the two reads changes one count: read again.
    let mut json = scan_once();
    for attempt in 1..3 {
        if count(&json, 0) == count(&json, 1) {
            break;
        }
        eprintln!("attempt {attempt}: the two reads of one engine differ; the engine changed?");
        json = scan_once();
    }
    assert_eq!(json["schema"], "unroot.fleet-scan/v1");
    let hosts = json["hosts"].as_array().unwrap();
    let names: Vec<&str> = hosts.iter().map(|h| h["name"].as_str().unwrap()).collect();
    let dead_name = dead.trim_start_matches("ssh://root@").replace(':', "-");
    assert_eq!(
        names,
        [
            "local",
            &format!("127.0.0.1-{}", ssh.port),
            dead_name.as_str()
        ]
    );
    assert_eq!(
        hosts[0]["report"]["containers"].as_array().unwrap().len(),
        hosts[1]["report"]["containers"].as_array().unwrap().len()
    );
    assert!(hosts[2]["error"].as_str().unwrap().contains("refused"));

    // plan: one DIR/HOST.yaml per host; generate --plan DIR reads them back.
    let plans = tmp.path().join("plans");
    let plan = ssh
        .unroot("good")
        .args(["plan", "-H", LOCAL, "-H", &ssh.url(), "-o", p(&plans)])
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", stderr(&plan));
    let viassh = format!("127.0.0.1-{}", ssh.port);
    for name in ["local", viassh.as_str()] {
        let text = std::fs::read_to_string(plans.join(format!("{name}.yaml"))).unwrap();
        assert!(text.contains("containers:"), "{text}");
    }
    let out = tmp.path().join("out");
    let generate = ssh
        .unroot("good")
        .args([
            "generate",
            "-H",
            LOCAL,
            "-H",
            &ssh.url(),
            "--plan",
            p(&plans),
        ])
        .args(["--out", p(&out)])
        .output()
        .unwrap();
    assert_eq!(generate.status.code(), Some(0), "{}", stderr(&generate));
    assert!(out.join("local/migrate.sh").is_file());
    assert!(out.join(&viassh).join("plan.yaml").is_file());
}

#[test]
fn a_bad_hosts_file_is_one_line_with_file_and_line_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for (text, needle) in [
        (
            "web1 ssh://a\nweb1 ssh://b\n",
            ":2: host name `web1` is already used on line 1",
        ),
        (
            "../x ssh://a\n",
            ":1: host name `../x` must start with a letter or a digit",
        ),
        ("ansible ssh://a\n", ":1: host name `ansible` is taken"),
        ("web1\n", ":1: expected `NAME ENDPOINT`, found 1 word(s)"),
        (
            "ok ssh://a\nweb2 ftp://b\n",
            ":2: Docker endpoint `ftp://b`",
        ),
    ] {
        let hosts = tmp.path().join("hosts");
        std::fs::write(&hosts, text).unwrap();
        let out = unroot_clean(tmp.path())
            .args(["scan", "--hosts", p(&hosts)])
            .output()
            .unwrap();
        assert_one_line_error(&out, 2, &[needle]);
        assert!(stderr(&out).contains(p(&hosts)), "{}", stderr(&out));
    }
    // Several hosts only where they mean something.
    let out = unroot_clean(tmp.path())
        .args(["snapshot", "-o", "-", "-H", LOCAL, "-H", LOCAL])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["scan, plan and generate only"]);
    // Two -H that would get the same name.
    let out = unroot_clean(tmp.path())
        .args(["scan", "-H", LOCAL, "-H", "unix:///run/docker.sock"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["both be named `local`"]);
}

/// The generated playbooks: `--syntax-check`, ansible-lint when it installed, and a real
/// `ansible-playbook` run of the dry-run part against the loopback sshd (the bundle is
/// copied to the host and migrate.sh runs without --apply; the apply play is skipped).
#[test]
fn the_fleet_playbooks_pass_syntax_check_lint_and_a_real_dry_run_over_ssh() {
    let Some(ssh) = ssh() else { return };
    let cache = std::env::var("UNROOT_CACHE").unwrap_or_else(|_| "/var/cache/unroot-test".into());
    let venv = Path::new(&cache).join("ansible-venv/bin");
    if !venv.join("ansible-playbook").is_file() {
        skip_or_fail(
            REQUIRE,
            "ansible-core in $UNROOT_CACHE/ansible-venv (scripts/get-ansible.sh)",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let hosts = tmp.path().join("hosts.txt");
    std::fs::write(&hosts, format!("viassh {}\n", ssh.url())).unwrap();
    let out = tmp.path().join("out");
    let generate = ssh
        .unroot("good")
        .args(["generate", "--hosts", p(&hosts), "--out", p(&out)])
        .output()
        .unwrap();
    assert_eq!(generate.status.code(), Some(0), "{}", stderr(&generate));
    let ansible = out.join("ansible");
    let run = |program: &str, args: &[&str]| {
        let home = tmp.path().join("ansible-home");
        let out = Command::new(venv.join(program))
            .args(args)
            .current_dir(&ansible)
            .env(
                "PATH",
                format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", venv.display()),
            )
            .env("ANSIBLE_HOME", &home)
            .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
            .env("ANSIBLE_REMOTE_TMP", tmp.path().join("remote-tmp"))
            .env(
                "ANSIBLE_SSH_ARGS",
                format!(
                    "-F {} -o ControlMaster=auto -o ControlPersist=60s",
                    p(&ssh.dir.join("ssh_config_good"))
                ),
            )
            .env("ANSIBLE_PIPELINING", "1")
            .env("ANSIBLE_NOCOLOR", "1")
            // The test sshd has no sftp subsystem: files go through the ssh session.
            .env("ANSIBLE_SSH_TRANSFER_METHOD", "piped")
            .env("NO_COLOR", "1")
            .env_remove("SSH_AUTH_SOCK")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    for book in ["migrate.yml", "rollback.yml"] {
        let (ok, text) = run(
            "ansible-playbook",
            &["--syntax-check", "-i", "inventory.ini", book],
        );
        assert!(ok, "syntax check of {book}: {text}");
    }
    if venv.join("ansible-lint").is_file() {
        let (ok, text) = run(
            "ansible-lint",
            &["--offline", "migrate.yml", "rollback.yml"],
        );
        assert!(ok, "ansible-lint: {text}");
    } else {
        eprintln!("NOTICE: ansible-lint is not installed; the playbooks got --syntax-check only");
    }
    let dest = tmp.path().join("dest");
    let (ok, text) = run(
        "ansible-playbook",
        &[
            "-i",
            "inventory.ini",
            "migrate.yml",
            "-e",
            &format!("unroot_dest={}", p(&dest)),
            // The target is this machine: its system Python, whatever else is on PATH.
            "-e",
            "ansible_python_interpreter=/usr/bin/python3",
        ],
    );
    eprintln!("{text}");
    assert!(ok, "ansible-playbook migrate.yml (dry run): {text}");
    // The bundle arrived, byte for byte, with its modes; migrate.sh ran as a dry run only.
    let sent = tree(&out.join("viassh"));
    let arrived = tree(&dest);
    let mut files = 0;
    for (path, file) in sent
        .iter()
        .filter(|(path, _)| !path.starts_with(".unroot-"))
    {
        assert_eq!(
            arrived.get(path),
            Some(file),
            "{path} did not arrive as written"
        );
        files += 1;
    }
    assert!(
        files > 3 && arrived.contains_key("migrate.sh"),
        "{arrived:?}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the bundle directory holds env files: private");
    }
    assert!(text.contains("dry run: nothing is changed"), "{text}");
    let apply = text
        .split("TASK [Run migrate.sh --apply]")
        .nth(1)
        .expect("the apply task is listed");
    // The line after the task's `*****` header: the apply play did nothing.
    assert_eq!(apply.lines().nth(1), Some("skipping: [viassh]"), "{text}");
    assert!(
        text.contains("viassh") && text.contains("failed=0"),
        "{text}"
    );
}
