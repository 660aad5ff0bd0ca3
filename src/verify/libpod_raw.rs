//! One untyped `GET /libpod/info` for the fields podman-api 0.11's models lack
//! (`host.rootlessNetworkCmd`, `host.pasta`, both new in Podman 5.0, and
//! `host.networkBackendInfo.dns`).
//!
//! podman-api keeps its raw request methods private and the Docker-compatible `/info`
//! has no such fields, so this speaks HTTP/1.0 over the socket itself: one request, the
//! server closes the connection, no chunking to undo. GET only.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// The Podman 5 networking facts podman-api does not model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostNetwork {
    pub rootless_network_cmd: Option<String>,
    /// `host.pasta.executable`: empty when pasta is not installed.
    pub pasta_executable: Option<String>,
    /// `host.pasta.version`, or the package name when the version is empty (Debian's
    /// passt reports no version there).
    pub pasta_version: Option<String>,
    /// `host.networkBackendInfo.dns.path` (aardvark-dns); empty when the service found none.
    pub aardvark_dns: Option<String>,
}

/// `api_version` is the service's own libpod API version (libpod routes need a prefix).
pub async fn host_network(socket: &Path, api_version: &str) -> Result<HostNetwork> {
    let socket: PathBuf = socket.to_path_buf();
    let path = format!("/v{}/libpod/info", api_version.trim_start_matches('v'));
    let body = tokio::task::spawn_blocking(move || get(&socket, &path))
        .await
        .context("the request task failed")??;
    let info: serde_json::Value =
        serde_json::from_slice(&body).context("/libpod/info is not JSON")?;
    Ok(parse(&info))
}

fn parse(info: &serde_json::Value) -> HostNetwork {
    let host = &info["host"];
    let text = |v: &serde_json::Value| v.as_str().filter(|s| !s.is_empty()).map(String::from);
    HostNetwork {
        rootless_network_cmd: text(&host["rootlessNetworkCmd"]),
        // Podman reports `pasta.version` as the whole `pasta --version` banner; keep its
        // first line.
        pasta_executable: text(&host["pasta"]["executable"]),
        pasta_version: text(&host["pasta"]["version"])
            .map(|v| v.lines().next().unwrap_or_default().trim().to_string())
            .or_else(|| text(&host["pasta"]["package"])),
        aardvark_dns: text(&host["networkBackendInfo"]["dns"]["path"]),
    }
}

fn get(socket: &Path, path: &str) -> Result<Vec<u8>> {
    let mut stream =
        UnixStream::connect(socket).with_context(|| format!("connect to {}", socket.display()))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    // One write: `write!` on the bare stream would send the request in pieces.
    let request = format!("GET {path} HTTP/1.0\r\nHost: d\r\nAccept: application/json\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    if raw.is_empty() {
        // A service that stops mid-request closes without a word; say so as the I/O error it
        // is, so the caller can tell it from a bad answer and read again.
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("GET {path}: the service closed the connection without answering"),
        )
        .into());
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("the HTTP response has no header end")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        bail!("GET {path}: {status}");
    }
    let body = raw[split + 4..].to_vec();
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked { dechunk(&body) } else { Ok(body) }
}

/// Undo `Transfer-Encoding: chunked` (a server may use it even for HTTP/1.0 clients).
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("truncated chunk header")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .context("bad chunk size")?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body.get(..size).context("truncated chunk")?;
        out.extend_from_slice(chunk);
        body = body.get(size + 2..).context("truncated chunk end")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_podman5_fields() {
        let info = serde_json::json!({"host": {"rootlessNetworkCmd": "pasta",
            "pasta": {"executable": "/usr/bin/pasta", "version": "pasta 2025_01_21.4f2c8e7\nCopyright"}}});
        assert_eq!(
            parse(&info),
            HostNetwork {
                rootless_network_cmd: Some("pasta".into()),
                pasta_executable: Some("/usr/bin/pasta".into()),
                pasta_version: Some("pasta 2025_01_21.4f2c8e7".into()),
                aardvark_dns: None,
            }
        );
        // Debian's passt: empty version, the package names it.
        let debian = serde_json::json!({"host": {"pasta": {"executable": "/usr/bin/pasta",
            "package": "passt_0.0~git20250503.587980c-2+deb13u1_amd64", "version": ""}}});
        assert_eq!(
            parse(&debian).pasta_version.as_deref(),
            Some("passt_0.0~git20250503.587980c-2+deb13u1_amd64")
        );
        assert_eq!(
            parse(&serde_json::json!({"host": {}})),
            HostNetwork::default()
        );
        let dns = serde_json::json!({"host": {"networkBackendInfo": {"backend": "netavark",
            "dns": {"path": "/usr/lib/podman/aardvark-dns", "version": "aardvark-dns 1.14.0"}}}});
        assert_eq!(
            parse(&dns).aardvark_dns.as_deref(),
            Some("/usr/lib/podman/aardvark-dns")
        );
    }

    #[test]
    fn dechunks() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert!(dechunk(b"5\r\nab").is_err());
    }
}
