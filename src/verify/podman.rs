//! Gather [`TargetFacts`] from a rootless Podman API service (GET requests only).
//!
//! podman-api 0.11 models libpod 4.5.1 and prefixes every request with `/v4.3.1/`; Podman
//! 5.x still answers those routes. Where its models cannot carry what Podman 5 sends, this
//! module says so in `TargetFacts::api_notes` and uses another path for that one call:
//! - `host.rootlessNetworkCmd` and `host.pasta` (added in Podman 5.0) are not in
//!   podman-api's `HostInfo`, nor in the Docker-compatible `/info`: they are read from the
//!   same `/libpod/info` JSON untyped ([`super::libpod_raw`]).
//! - a container whose libpod inspect JSON does not deserialize into podman-api's model is
//!   inspected through the Docker-compatible API with bollard.

use std::io::ErrorKind;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use podman_api::Podman;
use podman_api::opts::{ContainerListOpts, ImageListOpts, NetworkListOpts, VolumeListOpts};

use super::facts::{
    IdMapEntry, TargetContainer, TargetFacts, TargetImage, TargetMount, TargetPort,
};
use super::libpod_raw;
use crate::exit::Failure;
use crate::model::Protocol;

/// How to start the socket, for every "cannot reach it" message.
pub const START_SOCKET: &str = "start it as the target user: `systemctl --user enable --now podman.socket` \
     (or `podman system service --time=0 unix://PATH`)";

/// How long the first answer may take. With `podman.socket`, systemd starts the service on
/// the first connection, and that start (a `system refresh` after boot, the database) took
/// 11 s on a busy test VM: a short limit failed a healthy host.
const FIRST_ANSWER: Duration = Duration::from_secs(90);

/// After this long without an answer, unroot says what it waits for, so a slow start does
/// not look like a hang.
const SAY_WAITING_AFTER: Duration = Duration::from_secs(5);

/// Open the socket and make sure a Podman API service answers on it. Every failure is a
/// one-line [`Failure`] with exit code 2 naming the path and what to do.
pub async fn connect(socket: &Path) -> Result<Podman> {
    connect_within(socket, FIRST_ANSWER).await
}

async fn connect_within(socket: &Path, patience: Duration) -> Result<Podman> {
    let shown = socket.display();
    let meta = match std::fs::metadata(socket) {
        Ok(meta) => meta,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Err(
                Failure::usage(format!("no Podman socket at {shown}: {START_SOCKET}")).into(),
            );
        }
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            return Err(Failure::usage(format!(
                "permission denied reading {shown}: run unroot as the socket's owner (the target user) or root"
            ))
            .into());
        }
        Err(err) => return Err(Failure::usage(format!("cannot read {shown}: {err}")).into()),
    };
    if !meta.file_type().is_socket() {
        return Err(Failure::usage(format!(
            "{shown} is not a socket: pass the Podman API socket with --podman-socket"
        ))
        .into());
    }
    // Connect once ourselves: hyper's errors for these cases do not say which one it was.
    if let Err(err) = std::os::unix::net::UnixStream::connect(socket) {
        let message = match err.kind() {
            ErrorKind::PermissionDenied => format!(
                "permission denied connecting to {shown}: run unroot as the socket's owner (the target user) or root"
            ),
            ErrorKind::ConnectionRefused => {
                format!("nothing listens on {shown} (stale socket file): {START_SOCKET}")
            }
            _ => format!("cannot connect to {shown}: {err}"),
        };
        return Err(Failure::usage(message).into());
    }
    let podman = Podman::unix(socket);
    // Podman's ping sets Libpod-Api-Version; Docker and other HTTP services do not.
    let ping = tokio::time::timeout(patience, ping_saying_waiting(&podman, socket)).await;
    match ping {
        Ok(Ok(_)) => Ok(podman),
        Ok(Err(err)) => {
            let why = match &err {
                podman_api::Error::Fault { code, .. } if code.as_u16() == 404 => {
                    "it has no libpod API: a Docker socket?".to_string()
                }
                other => other.to_string(),
            };
            Err(Failure::usage(format!(
                "{shown} answers but is not a Podman API service ({why}); pass the target \
                 user's Podman socket with --podman-socket"
            ))
            .into())
        }
        Err(_) => Err(Failure::usage(format!(
            "{shown} did not answer within {} s: is it a Podman API socket? (`systemctl --user \
             status podman.service` as the target user shows why a service does not start)",
            patience.as_secs()
        ))
        .into()),
    }
}

/// Ping, and say once on stderr what unroot waits for when the answer is slow.
async fn ping_saying_waiting(
    podman: &Podman,
    socket: &Path,
) -> podman_api::Result<podman_api::models::LibpodPingInfo> {
    let ping = podman.ping();
    tokio::pin!(ping);
    tokio::select! {
        answer = &mut ping => return answer,
        () = tokio::time::sleep(SAY_WAITING_AFTER) => {}
    }
    eprintln!(
        "unroot: waiting for the Podman service on {} to answer (a socket-activated service \
         starts on the first connection)",
        crate::render::text::one_line(&socket.to_string_lossy())
    );
    ping.await
}

/// How long the whole read may take before unroot gives up on a hung service.
const GATHER_TIMEOUT: Duration = Duration::from_secs(120);

/// How many times the whole read is tried when the service drops the connection mid-read.
/// Every request is a GET, so reading again is always safe.
const READ_ATTEMPTS: u32 = 3;

/// Read everything the checks need. `host_root` is where `/etc/subuid` etc. are read.
///
/// A socket-activated `podman.service` exits after a few idle seconds, and its idle tracker
/// can count a connection that is still being served as closed: the service then shuts down
/// in the middle of a slow request (seen on a real host: `/libpod/info` runs `dpkg-query`
/// and took longer than the idle time). systemd starts the service again on the next
/// connection, so a dropped connection is read again instead of failing a healthy host.
pub async fn gather(podman: &Podman, socket: &Path, host_root: &Path) -> Result<TargetFacts> {
    let path = socket.to_string_lossy();
    let shown = crate::render::text::one_line(&path);
    let read = || async {
        match tokio::time::timeout(GATHER_TIMEOUT, gather_now(podman, socket, host_root)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::usage(format!(
                "the Podman service on {shown} stopped answering (no reply within {} s)",
                GATHER_TIMEOUT.as_secs()
            ))
            .into()),
        }
    };
    read_again_when_dropped(READ_ATTEMPTS, read, |attempt| {
        eprintln!(
            "unroot: the Podman service on {shown} closed the connection during the read (a \
             socket-activated service that stopped); reading again ({attempt} of {READ_ATTEMPTS})"
        );
    })
    .await
}

/// Run `read` up to `attempts` times while it fails with a dropped connection; `notice` is
/// called with the number of the attempt about to start. Any other error ends it at once.
async fn read_again_when_dropped<T, F, Fut>(
    attempts: u32,
    mut read: F,
    mut notice: impl FnMut(u32),
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match read().await {
            Err(err) if attempt < attempts && dropped_connection(&err) => {
                attempt += 1;
                notice(attempt);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            other => return other,
        }
    }
}

/// Whether an error means the connection went away (closed, reset, cut short), as opposed to
/// an answer unroot did not like: only the first kind is worth reading again.
fn dropped_connection(err: &anyhow::Error) -> bool {
    use podman_api::conn::Error as Conn;
    err.chain().any(|cause| {
        if let Some(api) = cause.downcast_ref::<podman_api::Error>() {
            return matches!(
                api,
                podman_api::Error::IO(_) | podman_api::Error::Error(Conn::Hyper(_) | Conn::IO(_))
            );
        }
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::ConnectionRefused
                    | ErrorKind::BrokenPipe
                    | ErrorKind::UnexpectedEof
            )
        })
    })
}

async fn gather_now(podman: &Podman, socket: &Path, host_root: &Path) -> Result<TargetFacts> {
    let mut facts = TargetFacts {
        socket: socket.display().to_string(),
        host_files: super::hostfiles::read(host_root),
        ..Default::default()
    };
    let version = podman
        .version()
        .await
        .context("GET /libpod/version through podman-api")?;
    facts.podman_version = version.version.clone();
    facts.api_version = version.api_version.clone();

    let info = podman
        .info()
        .await
        .context("GET /libpod/info through podman-api")?;
    if let Some(host) = info.host {
        facts.rootless = host.security.as_ref().and_then(|s| s.rootless);
        facts.network_backend = host.network_backend;
        facts.cgroup_version = host.cgroup_version;
        facts.cgroup_manager = host.cgroup_manager;
        facts.cgroup_controllers = host.cgroup_controllers.unwrap_or_default();
        if let Some(maps) = host.id_mappings {
            facts.uid_map = id_map(maps.uidmap.unwrap_or_default());
            facts.gid_map = id_map(maps.gidmap.unwrap_or_default());
        }
    }
    let api = facts.api_version.clone().unwrap_or_else(|| "5.0.0".into());
    let extra = libpod_raw::host_network(socket, &api)
        .await
        .context("GET /libpod/info (untyped, for rootlessNetworkCmd and pasta)")?;
    facts.rootless_network_cmd = extra.rootless_network_cmd;
    facts.pasta_executable = extra.pasta_executable;
    facts.pasta_version = extra.pasta_version;
    facts.aardvark_dns = extra.aardvark_dns;
    facts.api_notes.push(
        "host.rootlessNetworkCmd, host.pasta and host.networkBackendInfo: read untyped from /libpod/info (not in podman-api 0.11's models)"
            .into(),
    );

    facts.containers = containers(podman, socket, &mut facts.api_notes).await?;
    facts.volumes = podman
        .volumes()
        .list(&VolumeListOpts::builder().build())
        .await
        .context("GET /libpod/volumes/json through podman-api")?
        .into_iter()
        .map(|v| v.name)
        .collect();
    facts.networks = podman
        .networks()
        .list(&NetworkListOpts::builder().build())
        .await
        .context("GET /libpod/networks/json through podman-api")?
        .into_iter()
        .filter_map(|n| n.name)
        .collect();
    // Only names are read (never a value: the list does not carry them). Unreadable
    // (a model podman-api does not parse): the secrets check says so instead of failing.
    facts.secrets = match podman.secrets().list().await {
        Ok(list) => Some(
            list.into_iter()
                .filter_map(|s| s.spec.and_then(|spec| spec.name))
                .collect(),
        ),
        Err(e) => {
            facts
                .api_notes
                .push(format!("GET /libpod/secrets/json failed: {e}"));
            None
        }
    };
    facts.images = podman
        .images()
        .list(&ImageListOpts::builder().all(true).build())
        .await
        .context("GET /libpod/images/json through podman-api")?
        .into_iter()
        .map(|img| TargetImage {
            id: img.id.unwrap_or_default(),
            digests: img.repo_digests.unwrap_or_default(),
            names: img
                .names
                .or(img.repo_tags)
                .unwrap_or_default()
                .into_iter()
                .filter(|n| !n.contains("<none>"))
                .collect(),
        })
        .collect();
    Ok(facts)
}

fn id_map(entries: Vec<podman_api::models::IdMap>) -> Vec<IdMapEntry> {
    entries
        .into_iter()
        .map(|m| IdMapEntry {
            container_id: m.container_id.unwrap_or_default().max(0) as u64,
            host_id: m.host_id.unwrap_or_default().max(0) as u64,
            size: m.size.unwrap_or_default().max(0) as u64,
        })
        .collect()
}

fn protocol(text: &str) -> Protocol {
    match text.to_ascii_lowercase().as_str() {
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Sctp,
        _ => Protocol::Tcp,
    }
}

async fn containers(
    podman: &Podman,
    socket: &Path,
    notes: &mut Vec<String>,
) -> Result<Vec<TargetContainer>> {
    let listed = podman
        .containers()
        .list(&ContainerListOpts::builder().all(true).build())
        .await
        .context("GET /libpod/containers/json?all=true through podman-api")?;
    let mut compat: Option<bollard::Docker> = None;
    let mut out = Vec::with_capacity(listed.len());
    for item in listed {
        if item.is_infra.unwrap_or(false) {
            continue;
        }
        let id = item.id.clone().unwrap_or_default();
        let mut container = TargetContainer {
            id: id.clone(),
            name: item
                .names
                .as_ref()
                .and_then(|n| n.first().cloned())
                .unwrap_or_default(),
            state: item.state.clone().unwrap_or_default(),
            image: item.image.clone().unwrap_or_default(),
            image_id: item.image_id.clone().unwrap_or_default(),
            labels: item
                .labels
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            ports: list_ports(item.ports.as_deref().unwrap_or_default()),
            ..Default::default()
        };
        match podman.containers().get(id.as_str()).inspect().await {
            Ok(inspect) => {
                if let Some(config) = inspect.config {
                    container.user = config.user.unwrap_or_default();
                }
                if let Some(name) = inspect.image_name {
                    container.image = name;
                }
                container.mounts = inspect
                    .mounts
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| {
                        TargetMount::new(
                            m.type_.unwrap_or_default(),
                            m.name,
                            m.source,
                            m.destination,
                            m.rw,
                        )
                    })
                    .collect();
            }
            Err(podman_api::Error::SerdeJsonError(err)) => {
                let note = format!(
                    "container inspect: podman-api's libpod model rejected Podman's JSON ({err}); \
                     used the Docker-compatible API through bollard"
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
                let docker = match &compat {
                    Some(d) => d.clone(),
                    None => {
                        let d = super::compat::connect(socket).await?;
                        compat = Some(d.clone());
                        d
                    }
                };
                super::compat::inspect_into(&docker, &id, &mut container).await?;
            }
            Err(err) => {
                return Err(err).with_context(|| {
                    format!("GET /libpod/containers/{id}/json through podman-api")
                });
            }
        }
        out.push(container);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// `podman ps` port mappings, ranges expanded.
fn list_ports(mappings: &[podman_api::models::PortMapping]) -> Vec<TargetPort> {
    let mut out = Vec::new();
    for m in mappings {
        let (Some(host), Some(container)) = (m.host_port, m.container_port) else {
            continue;
        };
        let range = m.range.unwrap_or(1).max(1);
        for offset in 0..range {
            out.push(TargetPort {
                host_ip: m.host_ip.clone().unwrap_or_default(),
                host_port: host.saturating_add(offset),
                container_port: container.saturating_add(offset),
                protocol: protocol(m.protocol.as_deref().unwrap_or("tcp")),
            });
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service that accepts the connection and never answers (a hung or still-starting
    /// Podman) is one clear error after the patience runs out, not a hang.
    #[tokio::test]
    async fn a_silent_service_is_one_line_after_the_patience() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("silent.sock");
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let held = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(stream);
        });
        let started = std::time::Instant::now();
        let Err(err) = connect_within(&socket, Duration::from_secs(1)).await else {
            panic!("a silent socket must fail");
        };
        let message = format!("{err:#}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "it waited for the peer"
        );
        assert!(message.contains("did not answer within 1 s"), "{message}");
        assert!(message.contains(&socket.display().to_string()), "{message}");
        assert!(!message.contains('\n'), "{message}");
        held.join().unwrap();
    }

    /// A socket whose server answers each connection with `reply` (or closes it unanswered
    /// when `reply` is empty): the faults a stopping service produces, which a real one
    /// cannot be made to produce on demand.
    fn serve(reply: &'static [u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        use std::io::{Read, Write};
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("fault.sock");
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                // The whole request head first: answering earlier would break the
                // client's pipe, which is a different fault.
                let mut request = Vec::new();
                let mut chunk = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = stream.write_all(reply);
            }
        });
        (dir, socket)
    }

    #[tokio::test]
    async fn a_connection_closed_unanswered_counts_as_dropped_on_both_clients() {
        let (_dir, socket) = serve(b"");
        let typed = Podman::unix(&socket).version().await;
        let err = anyhow::Error::from(typed.expect_err("no answer")).context("GET /libpod/version");
        assert!(dropped_connection(&err), "podman-api: {err:#}");
        let raw = super::libpod_raw::host_network(&socket, "5.4.2").await;
        let err = raw.expect_err("no answer");
        assert!(dropped_connection(&err), "raw GET: {err:#}");
    }

    #[tokio::test]
    async fn an_error_answer_is_not_a_dropped_connection() {
        let (_dir, socket) = serve(
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 27\r\nConnection: close\r\n\r\n{\"cause\":\"x\",\"message\":\"x\"}",
        );
        let typed = Podman::unix(&socket).version().await;
        let err = anyhow::Error::from(typed.expect_err("a 500")).context("GET /libpod/version");
        assert!(!dropped_connection(&err), "podman-api: {err:#}");
        let err = super::libpod_raw::host_network(&socket, "5.4.2")
            .await
            .expect_err("a 500");
        assert!(!dropped_connection(&err), "raw GET: {err:#}");
    }

    fn dropped() -> anyhow::Error {
        anyhow::Error::from(std::io::Error::from(ErrorKind::ConnectionReset)).context("GET /x")
    }

    #[tokio::test]
    async fn a_dropped_read_is_read_again_and_then_succeeds() {
        let mut calls = 0;
        let mut notices = Vec::new();
        let result = read_again_when_dropped(
            3,
            || {
                calls += 1;
                let first = calls == 1;
                async move { if first { Err(dropped()) } else { Ok(7) } }
            },
            |attempt| notices.push(attempt),
        )
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls, 2);
        assert_eq!(notices, [2]);
    }

    #[tokio::test]
    async fn reading_again_stops_at_the_limit_and_never_for_other_errors() {
        let mut calls = 0;
        let result: Result<()> = read_again_when_dropped(
            3,
            || {
                calls += 1;
                async { Err(dropped()) }
            },
            |_| {},
        )
        .await;
        assert!(dropped_connection(&result.unwrap_err()));
        assert_eq!(calls, 3);

        let mut calls = 0;
        let result: Result<()> = read_again_when_dropped(
            3,
            || {
                calls += 1;
                async { Err(anyhow::anyhow!("/libpod/info is not JSON")) }
            },
            |_| panic!("no notice for an answer unroot did not like"),
        )
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }
}
