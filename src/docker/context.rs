//! The docker CLI's context store, read-only: `--context NAME`, `DOCKER_CONTEXT` and the
//! `currentContext` of `config.json`, so unroot reaches the engine `docker` would.
//!
//! Layout (docker CLI 19.03+): `$DOCKER_CONFIG` (default `~/.docker`) holds `config.json`
//! and `contexts/meta/<sha256 of the name>/meta.json` with `Endpoints.docker.Host` and
//! `SkipTLSVerify`; TLS material sits in `contexts/tls/<sha256>/docker/{ca,cert,key}.pem`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::exit::Failure;
use crate::render::text::one_line;

/// The docker CLI's built-in context: no store entry, the default endpoint.
pub const DEFAULT_CONTEXT: &str = "default";

/// One context's docker endpoint, as far as unroot uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub host: String,
    pub skip_tls_verify: bool,
    /// `contexts/tls/<sha256>/docker/` when the context has TLS material.
    pub tls_dir: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Endpoints", default)]
    endpoints: Endpoints,
}

#[derive(Deserialize, Default)]
struct Endpoints {
    docker: Option<DockerEndpoint>,
}

#[derive(Deserialize)]
struct DockerEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

#[derive(Deserialize)]
struct Config {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

/// `$DOCKER_CONFIG`, else `$HOME/.docker`, as the docker CLI finds its configuration.
pub fn config_dir(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(dir) = env("DOCKER_CONFIG") {
        return PathBuf::from(dir);
    }
    let home = env("HOME")
        .map(PathBuf::from)
        .or_else(|| home_of(uzers::get_current_uid()))
        .unwrap_or_else(|| PathBuf::from("/root"));
    home.join(".docker")
}

/// The home directory of `uid` from the passwd database.
fn home_of(uid: u32) -> Option<PathBuf> {
    uzers::get_user_by_uid(uid).map(|u| uzers::os::unix::UserExt::home_dir(&u).to_owned())
}

/// The directory name the docker CLI gives a context: hex SHA-256 of its name.
pub fn digest(name: &str) -> String {
    Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `currentContext` from `config.json`, if set to anything but `default`. A missing file is
/// no context; an unreadable or malformed one is an error naming it (docker refuses it too).
pub fn current(config_dir: &Path) -> Result<Option<String>, Failure> {
    let path = config_dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(Failure::usage(format!(
                "cannot read docker CLI config {}: {err}",
                shown(&path)
            )));
        }
    };
    let config: Config = serde_json::from_str(&text).map_err(|err| {
        Failure::usage(format!(
            "docker CLI config {} is not valid JSON at line {}, column {}",
            shown(&path),
            err.line(),
            err.column()
        ))
    })?;
    Ok(config.current_context.filter(|c| !c.is_empty()))
}

/// Load context `name`. `default` is the docker CLI's built-in context: `DOCKER_HOST`, else
/// the default socket.
pub fn load(
    config_dir: &Path,
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Context, Failure> {
    if name == DEFAULT_CONTEXT {
        return Ok(Context {
            name: name.to_owned(),
            host: env("DOCKER_HOST").unwrap_or_else(|| super::endpoint::DEFAULT_SOCKET.into()),
            skip_tls_verify: false,
            tls_dir: None,
        });
    }
    let id = digest(name);
    let meta_path = config_dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            Failure::usage(format!(
                "docker context `{}` not found (no {}); list them with `docker context ls`",
                one_line(name),
                shown(&meta_path)
            ))
        } else {
            Failure::usage(format!(
                "cannot read docker context `{}` ({}): {err}",
                one_line(name),
                shown(&meta_path)
            ))
        }
    })?;
    let meta: Meta = serde_json::from_str(&text).map_err(|err| {
        Failure::usage(format!(
            "docker context `{}` ({}) is not valid JSON at line {}, column {}",
            one_line(name),
            shown(&meta_path),
            err.line(),
            err.column()
        ))
    })?;
    let docker = meta.endpoints.docker.ok_or_else(|| {
        Failure::usage(format!(
            "docker context `{}` has no docker endpoint ({})",
            one_line(name),
            shown(&meta_path)
        ))
    })?;
    let host = docker
        .host
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| super::endpoint::DEFAULT_SOCKET.into());
    let tls_dir = config_dir
        .join("contexts")
        .join("tls")
        .join(&id)
        .join("docker");
    Ok(Context {
        name: name.to_owned(),
        host,
        skip_tls_verify: docker.skip_tls_verify,
        tls_dir: tls_dir.is_dir().then_some(tls_dir),
    })
}

fn shown(path: &Path) -> String {
    one_line(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `docker context create` writes, by hand (the docker CLI is not needed here).
    pub fn write_context(dir: &Path, name: &str, host: &str, tls: bool) {
        let id = digest(name);
        let meta = dir.join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).unwrap();
        let json = serde_json::json!({
            "Name": name,
            "Metadata": {},
            "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}
        });
        std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
        if tls {
            let t = dir.join("contexts/tls").join(&id).join("docker");
            std::fs::create_dir_all(&t).unwrap();
            std::fs::write(t.join("ca.pem"), "x").unwrap();
        }
    }

    #[test]
    fn digest_matches_the_docker_cli() {
        // `printf default | sha256sum`, the docker CLI's directory name for it.
        assert_eq!(
            digest("default"),
            "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
        );
    }

    #[test]
    fn loads_a_context_and_its_tls_dir() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "prod", "tcp://10.0.0.5:2376", true);
        let none = |_: &str| None;
        let ctx = load(dir.path(), "prod", &none).unwrap();
        assert_eq!(ctx.host, "tcp://10.0.0.5:2376");
        assert!(ctx.tls_dir.unwrap().join("ca.pem").is_file());
        let err = load(dir.path(), "nope\x1b", &none).unwrap_err();
        assert!(err.message.contains("nope\\u{1b}"), "{}", err.message);
        assert_eq!(current(dir.path()).unwrap(), None);
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext":"prod"}"#,
        )
        .unwrap();
        assert_eq!(current(dir.path()).unwrap().as_deref(), Some("prod"));
        std::fs::write(dir.path().join("config.json"), "{").unwrap();
        assert!(current(dir.path()).is_err());
    }

    #[test]
    fn the_default_context_is_built_in() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = load(dir.path(), "default", &|_| None).unwrap();
        assert_eq!(ctx.host, super::super::endpoint::DEFAULT_SOCKET);
    }
}
