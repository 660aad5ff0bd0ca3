//! Which Docker endpoint to read: `--docker-host`, else `$DOCKER_HOST`, else the default socket.

use std::fmt;

use crate::exit::Failure;
use crate::render::text::one_line;

/// The engine's default socket on Linux.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// A resolved Docker endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket path.
    Unix(String),
    /// `tcp://host:port` or `http://host:port`, kept as an `http://` URL (no TLS).
    Http(String),
}

impl Endpoint {
    /// Resolve from the flag, then `DOCKER_HOST`, then the default socket.
    pub fn resolve(flag: Option<&str>) -> Result<Self, Failure> {
        let from_env = std::env::var("DOCKER_HOST").ok().filter(|v| !v.is_empty());
        let (raw, origin) = match (flag, from_env) {
            (Some(flag), _) => (flag.to_owned(), "--docker-host"),
            (None, Some(env)) => (env, "DOCKER_HOST"),
            (None, None) => (DEFAULT_SOCKET.to_owned(), "default"),
        };
        Self::parse(&raw).map_err(|why| {
            Failure::usage(format!(
                "Docker endpoint `{}` (from {origin}) {why}; use unix:///path/to/docker.sock or tcp://host:port",
                one_line(&raw)
            ))
        })
    }

    /// Parse one endpoint URL.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if let Some(path) = raw.strip_prefix("unix://") {
            if path.is_empty() {
                return Err("has no socket path");
            }
            return Ok(Self::Unix(path.to_owned()));
        }
        if raw.starts_with('/') {
            return Ok(Self::Unix(raw.to_owned()));
        }
        for scheme in ["tcp://", "http://"] {
            if let Some(rest) = raw.strip_prefix(scheme) {
                check_authority(rest.trim_end_matches('/'))?;
                return Ok(Self::Http(format!("http://{}", rest.trim_end_matches('/'))));
            }
        }
        if raw.starts_with("https://") {
            return Err("uses TLS, which unroot does not support yet");
        }
        if raw.starts_with("ssh://") {
            return Err(
                "uses ssh, which unroot does not support (forward the socket with `ssh -L`)",
            );
        }
        Err("is not a unix:// or tcp:// URL")
    }
}

/// A `host[:port]` (or `[v6]:port`) that a TCP connection can be made to: a malformed one
/// is the operator's typo, reported as a usage error before anything connects (a port
/// beyond 65535 would otherwise surface as "cannot connect", exit 3).
fn check_authority(authority: &str) -> Result<(), &'static str> {
    if authority.is_empty() {
        return Err("has no host");
    }
    if authority.contains(['/', '?', '#', '@']) || authority.chars().any(char::is_whitespace) {
        return Err("is not a plain host:port");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6
                .split_once(']')
                .ok_or("has an unclosed `[` in its host")?;
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(
                        after
                            .strip_prefix(':')
                            .ok_or("has text after its IPv6 host")?,
                    ),
                ),
            }
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err("has no host");
    }
    match port.map(str::parse::<u16>) {
        None | Some(Ok(1..)) => Ok(()),
        Some(_) => Err("has an invalid port (a number from 1 to 65535)"),
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{path}"),
            Self::Http(url) => f.write_str(url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(
            Endpoint::parse("unix:///var/run/docker.sock"),
            Ok(Endpoint::Unix("/var/run/docker.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("/run/docker.sock"),
            Ok(Endpoint::Unix("/run/docker.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("tcp://10.0.0.5:2375"),
            Ok(Endpoint::Http("http://10.0.0.5:2375".into()))
        );
        assert!(Endpoint::parse("ssh://host").is_err());
        assert!(Endpoint::parse("https://host:2376").is_err());
        assert!(Endpoint::parse("unix://").is_err());
        assert!(Endpoint::parse("bogus").is_err());
        assert_eq!(
            Endpoint::parse("tcp://[::1]:2375"),
            Ok(Endpoint::Http("http://[::1]:2375".into()))
        );
    }

    #[test]
    fn malformed_tcp_endpoints_are_refused_before_connecting() {
        for raw in [
            "tcp://127.0.0.1:99999",
            "tcp://127.0.0.1:0",
            "tcp://127.0.0.1:",
            "tcp://127.0.0.1:port",
            "tcp://:2375",
            "tcp://h:1:2",
            "tcp://[::1",
            "tcp://[::1]x",
            "tcp://u:p@h:2375",
            "tcp://h st:2375",
        ] {
            assert!(Endpoint::parse(raw).is_err(), "{raw}");
        }
        let err = Endpoint::resolve(Some("tcp://127.0.0.1:99999\x1b[2J")).unwrap_err();
        assert_eq!(err.code, crate::exit::USAGE);
        assert!(err.message.contains("\\u{1b}[2J"), "{}", err.message);
    }

    #[test]
    fn flag_wins() {
        let e = Endpoint::resolve(Some("unix:///tmp/x.sock")).unwrap();
        assert_eq!(e.to_string(), "unix:///tmp/x.sock");
    }
}
