//! Which Docker endpoint to read, chosen as the docker CLI chooses it:
//! `--docker-host`/`-H` > `--context` > `DOCKER_HOST` > `DOCKER_CONTEXT` > the docker CLI's
//! `currentContext` > the default socket.
//!
//! Endpoints: `unix://` sockets, `ssh://[user@]host[:port]` (the system ssh client runs
//! `docker system dial-stdio` on the host, as `docker -H ssh://` does), `tcp://` with
//! verified TLS (`--tlsverify`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, `--tlscacert`,
//! `--tlscert`, `--tlskey`, or a context's TLS material), and plain `tcp://`, which carries
//! every container's environment (passwords included) unencrypted and is therefore accepted
//! only on loopback unless `--allow-plain-tcp` asks for it.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::context;
use crate::exit::Failure;
use crate::render::text::one_line;

/// The engine's default socket on Linux.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// A resolved Docker endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket path.
    Unix(String),
    /// Plain `tcp://host:port` or `http://host:port`, kept as an `http://` URL (no TLS).
    Http(String),
    /// `tcp://host:port` (or `https://`) with TLS: the server is verified against `ca`.
    Tls(TlsEndpoint),
    /// `ssh://[user@]host[:port]`.
    Ssh(SshEndpoint),
}

/// A TLS endpoint and the files that secure it (paths only: never their contents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsEndpoint {
    /// `host:port`.
    pub authority: String,
    /// CA certificate(s) the server's certificate must chain to.
    pub ca: PathBuf,
    /// Client certificate and key (the engine usually requires them).
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// An ssh destination, checked so that nothing in it can be read by ssh as an option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshEndpoint {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshEndpoint {
    /// `ssh://[user@]host[:port]`, the form bollard's ssh transport takes.
    pub fn url(&self) -> String {
        let user = self
            .user
            .as_deref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("ssh://{user}{host}{port}")
    }
}

/// What the operator asked for on the command line; the environment and the docker CLI's
/// configuration fill in the rest.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--docker-host` / `-H`.
    pub host: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// `--tlsverify`.
    pub tls_verify: bool,
    /// `--tlscacert`, `--tlscert`, `--tlskey`.
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// `--allow-plain-tcp`: plain `tcp://` to a host other than loopback.
    pub allow_plain_tcp: bool,
}

/// Where the endpoint came from, for messages.
enum Origin {
    Flag,
    Env,
    Context(context::Context),
    Default,
}

impl Endpoint {
    /// Resolve from the process environment (see the module doc for the order).
    pub fn resolve(selection: &Selection) -> Result<Self, Failure> {
        Self::resolve_with(selection, &|key| {
            std::env::var(key).ok().filter(|v| !v.is_empty())
        })
    }

    /// Resolve with `env` standing for the environment (non-empty values only).
    pub fn resolve_with(
        selection: &Selection,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, Failure> {
        let config_dir = context::config_dir(env);
        let named = |name: &str| context::load(&config_dir, name, env);
        let (raw, origin) = if let Some(host) = &selection.host {
            (host.clone(), Origin::Flag)
        } else if let Some(name) = &selection.context {
            let ctx = named(name)?;
            (ctx.host.clone(), Origin::Context(ctx))
        } else if let Some(host) = env("DOCKER_HOST") {
            (host, Origin::Env)
        } else if let Some(name) = env("DOCKER_CONTEXT") {
            let ctx = named(&name)?;
            (ctx.host.clone(), Origin::Context(ctx))
        } else if let Some(name) = context::current(&config_dir)? {
            let ctx = named(&name)?;
            (ctx.host.clone(), Origin::Context(ctx))
        } else {
            (DEFAULT_SOCKET.to_owned(), Origin::Default)
        };
        let from = match &origin {
            Origin::Flag => "--docker-host".to_owned(),
            Origin::Env => "DOCKER_HOST".to_owned(),
            Origin::Context(ctx) => format!("docker context `{}`", one_line(&ctx.name)),
            Origin::Default => "default".to_owned(),
        };
        let bad = |why: &str| {
            Failure::usage(format!(
                "Docker endpoint `{}` (from {from}) {why}",
                one_line(&redact(&raw))
            ))
        };
        let parsed = Self::parse(&raw).map_err(|why| {
            bad(&format!(
                "{why}; use unix:///path/to/docker.sock, ssh://[user@]host[:port] or tcp://host:port"
            ))
        })?;
        let (authority, https) = match parsed {
            Parsed::Unix(path) => return Ok(Self::Unix(path)),
            Parsed::Ssh(ssh) => return Ok(Self::Ssh(ssh)),
            Parsed::Tcp { authority, https } => (authority, https),
        };
        let tls = match &origin {
            Origin::Context(ctx) => context_tls(ctx)?,
            _ => flag_tls(selection, env, &config_dir, https),
        };
        if let Some(tls) = tls {
            if !tls.ca.is_file() {
                return Err(Failure::usage(format!(
                    "Docker endpoint `{}` (from {from}) uses TLS, but its CA certificate {} is \
                     not a readable file; set DOCKER_CERT_PATH or --tlscacert",
                    one_line(&redact(&raw)),
                    one_line(&tls.ca.display().to_string())
                )));
            }
            return Ok(Self::Tls(TlsEndpoint { authority, ..tls }));
        }
        if !is_loopback(&authority) && !selection.allow_plain_tcp {
            return Err(bad(
                "is plain TCP to another machine: every container's environment (passwords \
                 included) would cross the network unencrypted and unauthenticated; use \
                 ssh://, TLS (--tlsverify, DOCKER_TLS_VERIFY), or pass --allow-plain-tcp",
            ));
        }
        Ok(Self::Http(format!("http://{authority}")))
    }

    /// The warning a front end shows before reading a plain-TCP engine on another machine
    /// (allowed only with `--allow-plain-tcp`).
    pub fn plain_tcp_warning(&self) -> Option<String> {
        match self {
            Self::Http(url) if !is_loopback(url.trim_start_matches("http://")) => Some(format!(
                "unroot: warning: reading Docker at {url} over plain TCP: every container's \
                 environment crosses the network unencrypted and unauthenticated"
            )),
            _ => None,
        }
    }

    /// Parse one endpoint URL (no TLS decision: that needs flags and environment).
    pub fn parse(raw: &str) -> Result<Parsed, &'static str> {
        if let Some(path) = raw.strip_prefix("unix://") {
            if path.is_empty() {
                return Err("has no socket path");
            }
            return Ok(Parsed::Unix(path.to_owned()));
        }
        if raw.starts_with('/') {
            return Ok(Parsed::Unix(raw.to_owned()));
        }
        for (scheme, https) in [("tcp://", false), ("http://", false), ("https://", true)] {
            if let Some(rest) = raw.strip_prefix(scheme) {
                let authority = rest.trim_end_matches('/');
                check_authority(authority)?;
                return Ok(Parsed::Tcp {
                    authority: authority.to_owned(),
                    https,
                });
            }
        }
        if let Some(rest) = raw.strip_prefix("ssh://") {
            return parse_ssh(rest.trim_end_matches('/')).map(Parsed::Ssh);
        }
        Err("is not a unix://, ssh:// or tcp:// URL")
    }
}

/// An endpoint URL before the TLS decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Unix(String),
    Tcp { authority: String, https: bool },
    Ssh(SshEndpoint),
}

/// TLS for an endpoint given by flag or `DOCKER_HOST`, as the docker CLI decides it: on with
/// `--tlsverify`, `DOCKER_TLS_VERIFY`, any `--tlscacert/--tlscert/--tlskey`, or `https://`;
/// files from the flags, else `DOCKER_CERT_PATH`, else the docker config directory.
fn flag_tls(
    selection: &Selection,
    env: &dyn Fn(&str) -> Option<String>,
    config_dir: &Path,
    https: bool,
) -> Option<TlsEndpoint> {
    let wanted = selection.tls_verify
        || env("DOCKER_TLS_VERIFY").is_some()
        || selection.tls_ca.is_some()
        || selection.tls_cert.is_some()
        || selection.tls_key.is_some()
        || https;
    if !wanted {
        return None;
    }
    let dir = env("DOCKER_CERT_PATH").map_or_else(|| config_dir.to_owned(), PathBuf::from);
    let pick = |flag: &Option<PathBuf>, file: &str| flag.clone().unwrap_or_else(|| dir.join(file));
    Some(TlsEndpoint {
        authority: String::new(),
        ca: pick(&selection.tls_ca, "ca.pem"),
        cert: pick(&selection.tls_cert, "cert.pem"),
        key: pick(&selection.tls_key, "key.pem"),
    })
}

/// TLS for a context's `tcp://` endpoint: its own material under `contexts/tls/`, if any.
/// `SkipTLSVerify` is refused: bollard always verifies, and reading every container's
/// environment from a server nobody verified is what verification exists to prevent.
fn context_tls(ctx: &context::Context) -> Result<Option<TlsEndpoint>, Failure> {
    if ctx.skip_tls_verify {
        return Err(Failure::usage(format!(
            "docker context `{}` sets SkipTLSVerify, and unroot only reads engines whose TLS \
             certificate it can verify; give the context a CA (`docker context update --docker \
             ca=...`) or use ssh://",
            one_line(&ctx.name)
        )));
    }
    Ok(ctx.tls_dir.as_ref().map(|dir| TlsEndpoint {
        authority: String::new(),
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }))
}

/// `[user@]host[:port]` for ssh. User and host may not start with `-` (ssh would read them
/// as options) and hold only the characters host names and user names use; a password in
/// the URL is refused (ssh takes none there, and it must not end up in messages or logs).
fn parse_ssh(rest: &str) -> Result<SshEndpoint, &'static str> {
    if rest.contains(['/', '?', '#']) {
        return Err("has a path, query or fragment, which ssh:// endpoints do not take");
    }
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((user, hostport)) => (Some(user), hostport),
        None => (None, rest),
    };
    if let Some(user) = user {
        if user.contains(':') {
            return Err("has a password in it; use an ssh key or agent instead");
        }
        let ok = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if user.is_empty() || user.starts_with('-') || !user.chars().all(ok) {
            return Err("has an invalid user name");
        }
    }
    let (host, port) = split_authority(hostport)?;
    let ok = |c: char| c.is_ascii_alphanumeric() || ".-_:".contains(c);
    if host.starts_with('-') || !host.chars().all(ok) {
        return Err("has an invalid host name");
    }
    Ok(SshEndpoint {
        user: user.map(str::to_owned),
        host: host.to_owned(),
        port,
    })
}

/// A `host[:port]` (or `[v6]:port`) that a TCP connection can be made to: a malformed one
/// is the operator's typo, reported as a usage error before anything connects (a port
/// beyond 65535 would otherwise surface as "cannot connect", exit 3).
fn check_authority(authority: &str) -> Result<(), &'static str> {
    let (host, _) = split_authority(authority)?;
    if host.is_empty() {
        return Err("has no host");
    }
    Ok(())
}

/// `host[:port]` -> (host, port), validated.
fn split_authority(authority: &str) -> Result<(&str, Option<u16>), &'static str> {
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
        None => Ok((host, None)),
        Some(Ok(p @ 1..)) => Ok((host, Some(p))),
        Some(_) => Err("has an invalid port (a number from 1 to 65535)"),
    }
}

/// Whether `authority`'s host is this machine's loopback (`localhost`, 127.0.0.0/8, ::1).
/// Names other than `localhost` are not resolved: they count as another machine.
pub fn is_loopback(authority: &str) -> bool {
    let Ok((host, _)) = split_authority(authority) else {
        return false;
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `scheme://user:secret@host` -> `scheme://user:***@host`: a password typed into a URL
/// never reaches a message.
pub fn redact(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => raw.to_owned(),
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix://{path}"),
            Self::Http(url) => f.write_str(url),
            Self::Tls(tls) => write!(f, "tcp://{} (TLS)", tls.authority),
            Self::Ssh(ssh) => f.write_str(&ssh.url()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(sel: &Selection, vars: &[(&str, &str)]) -> Result<Endpoint, Failure> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Endpoint::resolve_with(sel, &move |key| {
            vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
        })
    }

    fn host(h: &str) -> Selection {
        Selection {
            host: Some(h.into()),
            ..Selection::default()
        }
    }

    /// A config dir with nothing in it, so the machine's ~/.docker never leaks in.
    const EMPTY: (&str, &str) = ("DOCKER_CONFIG", "/nonexistent/unroot-test");

    #[test]
    fn parses_the_usual_forms() {
        let ok = |raw: &str| resolve(&host(raw), &[EMPTY]).unwrap().to_string();
        assert_eq!(
            ok("unix:///var/run/docker.sock"),
            "unix:///var/run/docker.sock"
        );
        assert_eq!(ok("/run/docker.sock"), "unix:///run/docker.sock");
        assert_eq!(ok("tcp://127.0.0.1:2375"), "http://127.0.0.1:2375");
        assert_eq!(ok("tcp://[::1]:2375"), "http://[::1]:2375");
        assert_eq!(ok("ssh://ops@web1"), "ssh://ops@web1");
        assert_eq!(ok("ssh://web1:2222"), "ssh://web1:2222");
        assert_eq!(ok("ssh://ops@[::1]:22"), "ssh://ops@[::1]:22");
        for bad in ["unix://", "bogus", "ftp://x"] {
            assert!(resolve(&host(bad), &[EMPTY]).is_err(), "{bad}");
        }
    }

    #[test]
    fn ssh_destinations_cannot_become_options_and_carry_no_password() {
        for raw in [
            "ssh://-oProxyCommand=x",
            "ssh://ops@-oProxyCommand=x",
            "ssh://-l@host",
            "ssh://ops@host/path",
            "ssh://ops@ho st",
            "ssh://ops@host:0",
            "ssh://ops;id@host",
        ] {
            let err = resolve(&host(raw), &[EMPTY]).unwrap_err();
            assert_eq!(err.code, crate::exit::USAGE, "{raw}");
        }
        let err = resolve(&host("ssh://ops:hunter2@host"), &[EMPTY]).unwrap_err();
        assert!(!err.message.contains("hunter2"), "{}", err.message);
        assert!(err.message.contains("password"), "{}", err.message);
        let err = resolve(&host("tcp://u:hunter2@h:2375"), &[EMPTY]).unwrap_err();
        assert!(!err.message.contains("hunter2"), "{}", err.message);
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
        let err = resolve(&host("tcp://127.0.0.1:99999\x1b[2J"), &[EMPTY]).unwrap_err();
        assert_eq!(err.code, crate::exit::USAGE);
        assert!(err.message.contains("\\u{1b}[2J"), "{}", err.message);
    }

    #[test]
    fn plain_tcp_leaves_loopback_only_when_asked() {
        let err = resolve(&host("tcp://10.0.0.5:2375"), &[EMPTY]).unwrap_err();
        assert_eq!(err.code, crate::exit::USAGE);
        assert!(err.message.contains("--allow-plain-tcp"), "{}", err.message);
        let allowed = Selection {
            allow_plain_tcp: true,
            ..host("tcp://10.0.0.5:2375")
        };
        let e = resolve(&allowed, &[EMPTY]).unwrap();
        assert_eq!(e, Endpoint::Http("http://10.0.0.5:2375".into()));
        assert!(e.plain_tcp_warning().unwrap().contains("unencrypted"));
        let local = resolve(&host("tcp://localhost:2375"), &[EMPTY]).unwrap();
        assert_eq!(local.plain_tcp_warning(), None);
        assert!(resolve(&host("tcp://127.0.0.9:2375"), &[EMPTY]).is_ok());
    }

    #[test]
    fn tls_files_come_from_flags_else_cert_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), "x").unwrap();
        let d = dir.path().to_str().unwrap();
        let e = resolve(
            &host("tcp://10.0.0.5:2376"),
            &[EMPTY, ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", d)],
        )
        .unwrap();
        let Endpoint::Tls(tls) = e else {
            panic!("{e:?}")
        };
        assert_eq!(tls.ca, dir.path().join("ca.pem"));
        assert_eq!(tls.key, dir.path().join("key.pem"));
        assert_eq!(tls.authority, "10.0.0.5:2376");
        let flags = Selection {
            tls_ca: Some(dir.path().join("ca.pem")),
            tls_cert: Some("/c.pem".into()),
            ..host("tcp://10.0.0.5:2376")
        };
        let Endpoint::Tls(tls) = resolve(&flags, &[EMPTY]).unwrap() else {
            panic!()
        };
        assert_eq!(tls.cert, PathBuf::from("/c.pem"));
        // A missing CA is the operator's input: exit 2, naming the file.
        let err = resolve(
            &host("tcp://10.0.0.5:2376"),
            &[
                EMPTY,
                ("DOCKER_TLS_VERIFY", "1"),
                ("DOCKER_CERT_PATH", "/nonexistent/c"),
            ],
        )
        .unwrap_err();
        assert_eq!(err.code, crate::exit::USAGE);
        assert!(
            err.message.contains("/nonexistent/c/ca.pem"),
            "{}",
            err.message
        );
    }

    #[test]
    fn precedence_is_the_docker_clis() {
        assert_eq!(
            resolve(&Selection::default(), &[EMPTY])
                .unwrap()
                .to_string(),
            DEFAULT_SOCKET
        );
        let env = [EMPTY, ("DOCKER_HOST", "unix:///env.sock")];
        assert_eq!(
            resolve(&Selection::default(), &env).unwrap().to_string(),
            "unix:///env.sock"
        );
        assert_eq!(
            resolve(&host("unix:///flag.sock"), &env)
                .unwrap()
                .to_string(),
            "unix:///flag.sock"
        );
        // DOCKER_HOST beats DOCKER_CONTEXT (the context is never even read).
        let env = [
            EMPTY,
            ("DOCKER_HOST", "unix:///env.sock"),
            ("DOCKER_CONTEXT", "missing"),
        ];
        assert_eq!(
            resolve(&Selection::default(), &env).unwrap().to_string(),
            "unix:///env.sock"
        );
        // --context beats DOCKER_HOST: a missing one is an error, not a fallback.
        let sel = Selection {
            context: Some("missing".into()),
            ..Selection::default()
        };
        let err = resolve(&sel, &env).unwrap_err();
        assert!(err.message.contains("missing"), "{}", err.message);
    }

    #[test]
    fn loopback() {
        assert!(is_loopback("127.0.0.1:2375"));
        assert!(is_loopback("[::1]:2375"));
        assert!(is_loopback("LOCALHOST:1"));
        assert!(!is_loopback("10.0.0.5:2375"));
        assert!(!is_loopback("db.example:2375"));
    }
}
