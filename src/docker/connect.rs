//! Connecting to an engine and turning every way that can fail into one actionable line
//! (exit code 3): no socket, permission denied, nothing listening, no answer, not Docker,
//! API too old, an ssh login refused or a host key unknown ([`super::ssh`]), a TLS
//! certificate not trusted or a client certificate refused.

use std::path::Path;
use std::time::Duration;

use bollard::errors::Error as ApiError;
use bollard::models::SystemVersion;
use bollard::{API_DEFAULT_VERSION, ClientVersion, Docker};

use super::Endpoint;
use crate::exit::Failure;
use crate::render::text::one_line;

/// The oldest API unroot reads (Docker 1.12): older engines lack fields the model needs.
pub const MIN_API: (u32, u32) = (1, 24);

/// Seconds to wait for any single answer; `UNROOT_DOCKER_TIMEOUT` overrides (tests use 1).
pub fn timeout() -> Duration {
    let secs = std::env::var("UNROOT_DOCKER_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(30);
    Duration::from_secs(secs)
}

const USE_SNAPSHOT: &str = "or use --snapshot FILE / --demo";

/// A connected client plus what `/version` said.
pub struct Connection {
    pub docker: Docker,
    pub version: SystemVersion,
    /// The ssh login of an `ssh://` endpoint, for reading the host's ID files over it.
    pub ssh_master: Option<std::sync::Arc<super::ssh::Master>>,
}

/// Connect, check that a Docker engine answers with a usable API, negotiate the version.
pub async fn connect(endpoint: &Endpoint) -> Result<Connection, Failure> {
    let wait = timeout();
    let mut link = None;
    let mut ssh_master = None;
    match endpoint {
        Endpoint::Unix(path) => preflight_unix(endpoint, Path::new(path), wait).await?,
        Endpoint::Http(url) => {
            preflight_tcp(endpoint, url.trim_start_matches("http://"), wait).await?;
        }
        Endpoint::Tls(tls) => preflight_tcp(endpoint, &tls.authority, wait).await?,
        Endpoint::Ssh(ssh) => {
            let master = super::ssh::preflight(&endpoint.to_string(), ssh, wait).await?;
            ssh_master = Some(master.clone());
            link = Some(super::ssh::Link::new(master, wait));
        }
    }
    let docker = client(endpoint, link.as_ref(), API_DEFAULT_VERSION)?;
    let version = match tokio::time::timeout(wait, docker.version()).await {
        Err(_) | Ok(Err(ApiError::RequestTimeoutError)) => {
            return Err(not_answering(endpoint, wait));
        }
        Ok(Err(err)) => {
            return Err(tls_failure(endpoint, &err)
                .unwrap_or_else(|| classify(endpoint, "GET /version", &err)));
        }
        Ok(Ok(v)) => v,
    };
    let Some(api) = version.api_version.clone() else {
        return Err(not_docker(endpoint, "GET /version has no ApiVersion"));
    };
    let Some(parsed) = parse_api(&api) else {
        return Err(not_docker(
            endpoint,
            &format!("GET /version reports API version `{api}`"),
        ));
    };
    if parsed < MIN_API {
        return Err(Failure::docker(format!(
            "Docker engine at {endpoint} speaks API {api}, older than {}.{} (Docker 1.12), the oldest unroot reads; \
             upgrade Docker, or save `docker inspect $(docker ps -aq) > FILE` and use --snapshot FILE",
            MIN_API.0, MIN_API.1
        )));
    }
    // Negotiate from the answer we already have (no second round trip): speak the
    // engine's API version when it is older than bollard's.
    let docker = if (parsed.0 as usize, parsed.1 as usize)
        < (
            API_DEFAULT_VERSION.major_version,
            API_DEFAULT_VERSION.minor_version,
        ) {
        let negotiated = ClientVersion {
            major_version: parsed.0 as usize,
            minor_version: parsed.1 as usize,
        };
        client(endpoint, link.as_ref(), &negotiated)?
    } else {
        docker
    };
    Ok(Connection {
        docker,
        version,
        ssh_master,
    })
}

/// A client for `endpoint` speaking API `version` (connecting is lazy: no I/O here); an
/// ssh endpoint's sessions come from the one pool over the preflight's control master.
fn client(
    endpoint: &Endpoint,
    link: Option<&super::ssh::Link>,
    version: &ClientVersion,
) -> Result<Docker, Failure> {
    let secs = timeout().as_secs();
    match endpoint {
        Endpoint::Unix(path) => Docker::connect_with_unix(path, secs, version),
        Endpoint::Http(url) => Docker::connect_with_http(url, secs, version),
        Endpoint::Tls(tls) => Docker::connect_with_ssl(
            &format!("tcp://{}", tls.authority),
            &tls.key,
            &tls.cert,
            &tls.ca,
            secs,
            version,
        ),
        Endpoint::Ssh(_) => match link {
            Some(link) => super::ssh::client(link, timeout(), version),
            // connect() runs the preflight (which makes the master) before any client.
            None => {
                return Err(Failure::docker(format!(
                    "cannot use Docker endpoint {endpoint}: ssh was not set up"
                )));
            }
        },
    }
    .map_err(|err| Failure::docker(format!("cannot use Docker endpoint {endpoint}: {err}")))
}

/// `1.41` -> (1, 41).
pub fn parse_api(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

async fn preflight_unix(endpoint: &Endpoint, path: &Path, wait: Duration) -> Result<(), Failure> {
    match std::fs::metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::docker(format!(
                "no Docker socket at {endpoint}: is the Docker engine running? Start it, point \
                 --docker-host or DOCKER_HOST at its socket, {USE_SNAPSHOT}"
            )));
        }
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(permission_denied(endpoint));
        }
        Err(err) => {
            return Err(Failure::docker(format!(
                "cannot reach Docker socket {endpoint}: {err}; {USE_SNAPSHOT}"
            )));
        }
        Ok(_) => {}
    }
    match tokio::time::timeout(wait, tokio::net::UnixStream::connect(path)).await {
        Err(_) => Err(not_answering(endpoint, wait)),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(connect_error(endpoint, &err)),
    }
}

async fn preflight_tcp(endpoint: &Endpoint, addr: &str, wait: Duration) -> Result<(), Failure> {
    match tokio::time::timeout(wait, tokio::net::TcpStream::connect(addr)).await {
        Err(_) => Err(not_answering(endpoint, wait)),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(connect_error(endpoint, &err)),
    }
}

fn connect_error(endpoint: &Endpoint, err: &std::io::Error) -> Failure {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => permission_denied(endpoint),
        std::io::ErrorKind::ConnectionRefused => Failure::docker(format!(
            "nothing listens on {endpoint} (connection refused): is dockerd running? \
             Start it (`systemctl start docker`), {USE_SNAPSHOT}"
        )),
        _ => Failure::docker(format!(
            "cannot connect to Docker at {endpoint}: {err}; {USE_SNAPSHOT}"
        )),
    }
}

fn permission_denied(endpoint: &Endpoint) -> Failure {
    Failure::docker(format!(
        "permission denied on {endpoint}: run unroot as root or as a member of the docker group \
         (`sudo usermod -aG docker $USER`, then log in again), {USE_SNAPSHOT}"
    ))
}

fn not_answering(endpoint: &Endpoint, wait: Duration) -> Failure {
    Failure::docker(format!(
        "Docker engine at {endpoint} is not answering (no reply within {} s): check that dockerd \
         is healthy (`systemctl status docker`), {USE_SNAPSHOT}",
        wait.as_secs()
    ))
}

fn not_docker(endpoint: &Endpoint, detail: &str) -> Failure {
    Failure::docker(format!(
        "{endpoint} answers, but not as a Docker engine ({detail}); check --docker-host / DOCKER_HOST"
    ))
}

/// Requests in flight at once while reading a host. Over ssh every extra HTTP connection
/// is another ssh session, which starts `docker system dial-stdio` on the host (a process
/// start, dearer than all the requests it would carry), so one connection, as the docker
/// CLI uses; `UNROOT_SSH_CONCURRENCY` overrides it for measurements.
pub fn concurrency(endpoint: &Endpoint) -> usize {
    match endpoint {
        Endpoint::Ssh(_) => std::env::var("UNROOT_SSH_CONCURRENCY")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| (1..=16).contains(n))
            .unwrap_or(1),
        _ => 16,
    }
}

/// A TLS handshake that failed, named: the server's certificate not trusted (wrong CA),
/// not valid for the host or expired, the client certificate refused, or a server that
/// does not speak TLS. `None` when the error is not about TLS. rustls's messages name
/// certificate problems, never key material.
fn tls_failure(endpoint: &Endpoint, err: &ApiError) -> Option<Failure> {
    let Endpoint::Tls(tls) = endpoint else {
        return None;
    };
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    let has = |needle: &str| chain.contains(needle);
    let ca = one_line(&tls.ca.display().to_string()).into_owned();
    let why = if has("UnknownIssuer") || has("BadSignature") {
        format!(
            "its certificate is not trusted: it is not signed by the CA in {ca} (wrong CA?); point --tlscacert or DOCKER_CERT_PATH at the engine's CA"
        )
    } else if has("NotValidForName") || has("not valid for name") {
        format!(
            "its certificate is not valid for the host `{}`: use the name or address the certificate was issued for",
            one_line(&tls.authority)
        )
    } else if has("Expired") || has("expired") {
        "its certificate has expired (or is not valid yet): check the engine's certificate and this machine's clock".to_owned()
    } else if has("CertificateRequired") || has("BadCertificate") || has("UnknownCA") {
        format!(
            "it refused unroot's client certificate ({}): give the certificate and key the engine's CA signed (--tlscert/--tlskey, or cert.pem/key.pem in DOCKER_CERT_PATH)",
            one_line(&tls.cert.display().to_string())
        )
    } else if has("InvalidContentType") || has("corrupt message") || has("InvalidMessage") {
        "it does not speak TLS there (a plain-HTTP engine?): drop --tlsverify/DOCKER_TLS_VERIFY only if it is on loopback".to_owned()
    } else if has("invalid peer certificate") || has("certificate") || has("tls") {
        let cut: String = chain.chars().take(160).collect();
        format!("the TLS handshake failed: {}", one_line(&cut))
    } else {
        return None;
    };
    Some(Failure::docker(format!(
        "cannot read Docker at {endpoint} over TLS: {why}"
    )))
}

/// Classify an API error from a request made after connecting.
pub fn classify(endpoint: &Endpoint, request: &str, err: &ApiError) -> Failure {
    match err {
        ApiError::RequestTimeoutError => not_answering(endpoint, timeout()),
        ApiError::JsonDataError { .. } | ApiError::JsonSerdeError { .. }
            if request == "GET /version" =>
        {
            not_docker(
                endpoint,
                &format!("{request} returned something that is not Docker's JSON"),
            )
        }
        // A real engine (it answered /version) sent a shape bollard cannot read, e.g. a
        // value newer than its API models.
        ApiError::JsonDataError { .. } | ApiError::JsonSerdeError { .. } => {
            Failure::docker(format!(
                "Docker at {endpoint} answered {request} with data unroot cannot read ({err}); \
             save `docker inspect $(docker ps -aq) > FILE` and use --snapshot FILE, and report this"
            ))
        }
        ApiError::DockerResponseServerError {
            status_code,
            message,
        } if request == "GET /version" => not_docker(
            endpoint,
            &format!(
                "{request} returned HTTP {status_code}{}",
                short_detail(message)
            ),
        ),
        ApiError::DockerResponseServerError {
            status_code,
            message,
        } => Failure::docker(format!(
            "Docker at {endpoint} refused {request} (HTTP {status_code}){}",
            short_detail(message)
        )),
        other => Failure::docker(format!(
            "Docker at {endpoint} failed on {request}: {other}; {USE_SNAPSHOT}"
        )),
    }
}

/// The first line of a server message, bounded, so an HTML error page stays one line.
fn short_detail(message: &str) -> String {
    let line = message.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return String::new();
    }
    let cut: String = line.chars().take(120).collect();
    format!(": {cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions() {
        assert_eq!(parse_api("1.41"), Some((1, 41)));
        assert_eq!(parse_api("1.47"), Some((1, 47)));
        assert_eq!(parse_api("x"), None);
        assert!(parse_api("1.12").unwrap() < MIN_API);
        assert!(parse_api("1.24").unwrap() >= MIN_API);
    }
}
