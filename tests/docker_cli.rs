//! The binary end to end on input that needs no engine, and on every way a Docker endpoint
//! can be unusable. Real conditions where the machine can make them (a missing socket, a
//! socket nobody listens on, the real engine socket as an unprivileged user); tiny fake
//! HTTP servers only for faults a real engine cannot produce (silence, not Docker, too old).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::thread;

use common::{assert_one_line_error, stderr};

/// The binary, never pointed at an engine by the caller's `DOCKER_HOST`.
fn unroot() -> Command {
    let mut cmd = common::unroot();
    cmd.env_remove("DOCKER_HOST");
    cmd
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/inspect/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

// ---- inputs that need no engine -------------------------------------------------------------

#[test]
fn demo_works_without_docker_flag_before_or_after_subcommand() {
    let out = unroot()
        .args(["--demo", "--docker-host", "unix:///nonexistent.sock"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    // Without a terminal, `unroot` prints the scan table of the demo host.
    assert!(
        text.contains("Docker 27.3.1") && text.contains("source demo"),
        "{text}"
    );
    assert!(
        text.contains("homeassistant") && text.contains("privileged"),
        "{text}"
    );

    let out = unroot()
        .args(["snapshot", "-o", "-", "--demo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "unroot.snapshot/v1");
    assert_eq!(v["containers"].as_array().unwrap().len(), 14);
}

#[test]
fn raw_docker_inspect_output_is_accepted_as_snapshot() {
    let out = unroot()
        .args([
            "--snapshot",
            &fixture("api-1.41-docker-20.10.json"),
            "snapshot",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let raw: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("api-1.41-docker-20.10.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        v["containers"].as_array().unwrap().len(),
        raw.as_array().unwrap().len()
    );
    assert!(
        v["images"].as_array().unwrap().is_empty(),
        "images are unknown"
    );
    let names: Vec<&str> = v["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"unroot-f-privileged"), "{names:?}");
}

#[test]
fn image_inspect_array_is_not_mistaken_for_containers() {
    let path = fixture("images-api-1.41-docker-20.10.json");
    let out = unroot().args(["--snapshot", &path]).output().unwrap();
    assert_one_line_error(&out, 2, &[&path, "entry 1", "not a container inspect"]);
}

#[test]
fn bad_snapshot_files_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            dir.path().join("missing.json").display().to_string(),
            vec!["no such file"],
        ),
        (write("empty.json", ""), vec!["is empty"]),
        (
            write(
                "truncated.json",
                "{\n \"schema\": \"unroot.snapshot/v1\",\n \"containers\": [ {",
            ),
            vec!["is truncated", "line 3"],
        ),
        (
            write("garbage.json", "schema: yaml?\n"),
            vec!["is not valid JSON", "line 1, column"],
        ),
        (
            write(
                "future.json",
                r#"{"schema":"unroot.snapshot/v2","containers":[]}"#,
            ),
            vec!["`unroot.snapshot/v2`", "unroot.snapshot/v1"],
        ),
    ];
    for (path, needles) in cases {
        let out = unroot().args(["--snapshot", &path]).output().unwrap();
        let mut all = needles.clone();
        all.push(&path);
        assert_one_line_error(&out, 2, &all);
        // The same through a subcommand.
        let out = unroot()
            .args(["snapshot", "-o", "-", "--snapshot", &path])
            .output()
            .unwrap();
        assert_one_line_error(&out, 2, &all);
        assert!(out.stdout.is_empty(), "nothing half-written to stdout");
    }
}

#[test]
fn snapshot_file_is_0600_atomic_and_never_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("host.json");
    let t = target.to_str().unwrap();

    let out = unroot()
        .args(["--demo", "snapshot", "-o", t])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("mode 0600"));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let first = std::fs::read(&target).unwrap();
    // The written file loads back as the same inventory.
    let back = unroot()
        .args(["--snapshot", t, "snapshot", "-o", "-"])
        .output()
        .unwrap();
    assert!(back.status.success(), "{}", stderr(&back));

    // Same content again: fine, untouched.
    let out = unroot()
        .args(["--demo", "snapshot", "-o", t])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("unchanged"));

    // Different content: refused without --force, file intact, no temp files left.
    let other = fixture("api-1.41-docker-20.10.json");
    let out = unroot()
        .args(["--snapshot", &other, "snapshot", "-o", t])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &[t, "--force"]);
    assert_eq!(std::fs::read(&target).unwrap(), first);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let out = unroot()
        .args(["--snapshot", &other, "snapshot", "-o", t, "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(&target).unwrap(), first);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn snapshot_help_warns_about_env_values() {
    let out = unroot().args(["snapshot", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("0600") && text.contains("environment values"),
        "{text}"
    );
}

// ---- Docker endpoints that cannot be used (exit 3) -------------------------------------------

#[test]
fn missing_socket() {
    let out = unroot()
        .args([
            "--docker-host",
            "unix:///nonexistent/unroot/docker.sock",
            "snapshot",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert_one_line_error(
        &out,
        3,
        &[
            "unix:///nonexistent/unroot/docker.sock",
            "no Docker socket",
            "--snapshot",
        ],
    );
}

#[test]
fn docker_host_env_is_used_when_no_flag() {
    let out = unroot()
        .env("DOCKER_HOST", "unix:///nonexistent/from-env.sock")
        .output()
        .unwrap();
    assert_one_line_error(&out, 3, &["unix:///nonexistent/from-env.sock"]);
}

#[test]
fn socket_file_nobody_listens_on() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("docker.sock");
    drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
    let host = format!("unix://{}", sock.display());
    let out = unroot().args(["--docker-host", &host]).output().unwrap();
    assert_one_line_error(&out, 3, &[&host, "nothing listens", "dockerd"]);
}

#[test]
fn unsupported_endpoint_scheme_is_a_usage_error() {
    let out = unroot()
        .args(["--docker-host", "ftp://admin@host"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["ftp://admin@host", "--docker-host"]);
    // ssh:// is an endpoint now, but a password in it is refused without being shown.
    let out = unroot()
        .args(["--docker-host", "ssh://admin:hunter2@host"])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["ssh://admin:***@host", "password"]);
    assert!(!common::stderr(&out).contains("hunter2"));
}

/// Run the binary as `nobody` (no docker group) with `setpriv`.
fn as_nobody(args: &[&str]) -> Option<Output> {
    if !nix_is_root() || Command::new("setpriv").arg("--version").output().is_err() {
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("unroot");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(bin)
        .args(args)
        .env_remove("DOCKER_HOST")
        .env("HOME", "/nonexistent")
        .output()
        .expect("setpriv runs");
    Some(out)
}

fn nix_is_root() -> bool {
    uzers::get_current_uid() == 0
}

#[test]
fn permission_denied_on_the_real_engine_socket() {
    if !common::docker_available() {
        return;
    }
    let sock = Path::new("/var/run/docker.sock");
    let mode = std::fs::metadata(sock).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode & 0o006,
        0,
        "the engine socket is not world-accessible here"
    );
    let Some(out) = as_nobody(&[
        "--docker-host",
        "unix:///var/run/docker.sock",
        "--log-file",
        "/dev/null",
    ]) else {
        eprintln!("SKIPPED: needs root and setpriv to run as an unprivileged user");
        return;
    };
    assert_one_line_error(
        &out,
        3,
        &[
            "permission denied on unix:///var/run/docker.sock",
            "docker group",
            "--snapshot",
        ],
    );
}

#[test]
fn permission_denied_on_a_mode_000_socket() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let sock = dir.path().join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o000)).unwrap();
    let host = format!("unix://{}", sock.display());
    let Some(out) = as_nobody(&["--docker-host", &host, "--log-file", "/dev/null"]) else {
        eprintln!("SKIPPED: needs root and setpriv to run as an unprivileged user");
        return;
    };
    assert_one_line_error(&out, 3, &[&host, "permission denied", "docker group"]);
}

/// A one-thread HTTP server answering every request with `response`, or never answering.
fn fake_server(response: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            match response {
                Some(r) => {
                    let _ = stream.write_all(r.as_bytes());
                }
                // Keep the connection open and silent.
                None => held.push(stream),
            }
        }
    });
    format!("tcp://{addr}")
}

#[test]
fn daemon_not_answering_times_out() {
    let host = fake_server(None);
    let started = std::time::Instant::now();
    let out = unroot()
        .args(["--docker-host", &host])
        .env("UNROOT_DOCKER_TIMEOUT", "1")
        .output()
        .unwrap();
    let url = host.replace("tcp://", "http://");
    assert_one_line_error(&out, 3, &[&url, "not answering", "1 s"]);
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn non_docker_http_endpoint() {
    let html = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 27\r\nConnection: close\r\n\r\n<html><h1>Hello</h1></html>";
    let host = fake_server(Some(html));
    let out = unroot().args(["--docker-host", &host]).output().unwrap();
    assert_one_line_error(&out, 3, &["not as a Docker engine", "--docker-host"]);

    let not_found = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
    let host = fake_server(Some(not_found));
    let out = unroot().args(["--docker-host", &host]).output().unwrap();
    assert_one_line_error(&out, 3, &["not as a Docker engine", "HTTP 404"]);

    let json_no_api = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{\"status\":\"ok\"}\n\n";
    let host = fake_server(Some(json_no_api));
    let out = unroot().args(["--docker-host", &host]).output().unwrap();
    assert_one_line_error(&out, 3, &["not as a Docker engine", "ApiVersion"]);
}

#[test]
fn api_too_old() {
    let body = r#"{"Version":"1.11.2","ApiVersion":"1.23","Os":"linux"}"#;
    let response: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    );
    let host = fake_server(Some(response));
    let out = unroot().args(["--docker-host", &host]).output().unwrap();
    assert_one_line_error(&out, 3, &["API 1.23", "older than 1.24", "--snapshot"]);
}

/// Answers `/version` like Docker 20.10, everything else with `body` (HTTP 200).
fn fake_engine(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let payload = if request.starts_with("GET /version") {
                r#"{"Version":"20.10.24","ApiVersion":"1.41","Os":"linux"}"#
            } else {
                body
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
                payload.len()
            );
        }
    });
    format!("tcp://{addr}")
}

#[test]
fn docker_answering_unreadable_data_is_not_called_non_docker() {
    let host = fake_engine(r#"{"Containers": "many""#);
    let out = unroot().args(["--docker-host", &host]).output().unwrap();
    assert_one_line_error(&out, 3, &["with data unroot cannot read", "--snapshot"]);
    assert!(!stderr(&out).contains("not as a Docker engine"));
}

#[test]
fn snapshot_into_a_missing_directory_is_one_line_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no/such/dir/host.json");
    let t = target.to_str().unwrap();
    let out = unroot()
        .args(["--demo", "snapshot", "-o", t])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["cannot write snapshot", t]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // A directory as the target is refused before any writing.
    let d = dir.path().to_str().unwrap();
    let out = unroot()
        .args(["--demo", "snapshot", "-o", d])
        .output()
        .unwrap();
    assert_one_line_error(&out, 2, &["is not a regular file"]);
}
