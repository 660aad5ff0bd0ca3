//! Owners of bind-mount host paths, read from the filesystem unroot runs on.
//!
//! The Docker API reports a bind mount's host path but not who owns it, and ownership decides
//! whether the container can still use the path once rootless Podman maps its UIDs into the
//! subuid range (`bind-mount-ownership`). The path only names a file on the *engine's* host,
//! so it is read only when that host is this machine: the endpoint is a Unix socket and the
//! engine's host name (`GET /info` `Name`) is this machine's. A remote `tcp://` engine, or a
//! socket forwarded from another host with `ssh -L`, would have us report the owner of an
//! unrelated local file (or of nothing), which is worse than "owner not known".
//!
//! Reading is best effort: a missing or unreadable path leaves the owner `None`, never an error.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Endpoint;
use crate::model::{Inventory, MountKind};
use crate::render::text::one_line;

/// Fill `source_uid`/`source_gid` of every bind mount when `endpoint` is an engine on this
/// machine (see the module doc); otherwise leave the inventory untouched.
pub fn fill_if_local(inventory: &mut Inventory, endpoint: &Endpoint) {
    let local_name = local_hostname();
    if !is_local(
        endpoint,
        inventory.host.hostname.as_deref(),
        local_name.as_deref(),
    ) {
        tracing::info!(
            "engine at {} is not on this machine: bind mount owners not read",
            one_line(&endpoint.to_string())
        );
        inventory.host.bind_owners_not_read = true;
        return;
    }
    fill(inventory);
}

/// Fill the owners of all bind mounts from the local filesystem.
fn fill(inventory: &mut Inventory) {
    for mount in inventory
        .containers
        .iter_mut()
        .flat_map(|c| c.mounts.iter_mut())
        .filter(|m| m.kind == MountKind::Bind)
    {
        match owner_of(Path::new(&mount.source)) {
            Some((uid, gid)) => {
                mount.source_uid = Some(uid);
                mount.source_gid = Some(gid);
            }
            None => tracing::info!(
                "bind source {} not readable here: owner unknown",
                one_line(&mount.source)
            ),
        }
    }
}

/// Local only for a Unix socket whose engine does not name a different host. An engine or a
/// machine without a host name is given the benefit of the doubt: a Unix socket is local
/// unless forwarded.
fn is_local(endpoint: &Endpoint, engine_host: Option<&str>, this_host: Option<&str>) -> bool {
    match endpoint {
        Endpoint::Http(_) | Endpoint::Tls(_) | Endpoint::Ssh(_) => false,
        Endpoint::Unix(_) => match (engine_host, this_host) {
            (Some(engine), Some(here)) => engine == here,
            _ => true,
        },
    }
}

/// Owner of `path`, following symlinks as the engine does when it mounts it.
fn owner_of(path: &Path) -> Option<(u32, u32)> {
    if !path.is_absolute() {
        return None;
    }
    std::fs::metadata(path).ok().map(|m| (m.uid(), m.gid()))
}

/// This machine's host name (what the engine reports as `Name` when it runs here).
fn local_hostname() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;
    use crate::model::{Container, Mount};

    fn unix() -> Endpoint {
        Endpoint::Unix("/var/run/docker.sock".into())
    }

    #[test]
    fn only_a_unix_socket_of_this_host_is_local() {
        assert!(is_local(&unix(), Some("vm"), Some("vm")));
        assert!(is_local(&unix(), None, Some("vm")));
        assert!(is_local(&unix(), Some("vm"), None));
        // A socket forwarded from another machine.
        assert!(!is_local(&unix(), Some("prod-1"), Some("laptop")));
        assert!(!is_local(
            &Endpoint::Http("http://10.0.0.5:2375".into()),
            Some("vm"),
            Some("vm")
        ));
    }

    fn inventory_with(mounts: Vec<Mount>) -> Inventory {
        Inventory {
            containers: vec![Container {
                mounts,
                ..Container::default()
            }],
            ..Inventory::default()
        }
    }

    fn bind(source: &str) -> Mount {
        Mount {
            kind: MountKind::Bind,
            source: source.into(),
            destination: "/data".into(),
            ..Mount::default()
        }
    }

    #[test]
    fn reads_owners_of_binds_and_leaves_the_rest_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let meta = std::fs::metadata(dir.path()).unwrap();
        let link = dir.path().join("link");
        symlink(dir.path(), &link).unwrap();
        let existing = dir.path().to_str().unwrap();
        let volume = Mount {
            kind: MountKind::Volume,
            source: existing.into(),
            ..Mount::default()
        };
        let mut inv = inventory_with(vec![
            bind(existing),
            bind(link.to_str().unwrap()),
            bind(&format!("{existing}/missing")),
            bind("relative/path"),
            volume,
        ]);
        fill(&mut inv);
        let m = &inv.containers[0].mounts;
        let known = Some(meta.uid());
        assert_eq!(
            (m[0].source_uid, m[0].source_gid),
            (known, Some(meta.gid()))
        );
        assert_eq!(
            m[1].source_uid, known,
            "symlinks are followed like the engine does"
        );
        assert_eq!((m[2].source_uid, m[2].source_gid), (None, None));
        assert_eq!(m[3].source_uid, None);
        assert_eq!(m[4].source_uid, None, "volumes are not host paths");
    }

    #[test]
    fn a_remote_engine_leaves_owners_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let mut inv = inventory_with(vec![bind(dir.path().to_str().unwrap())]);
        fill_if_local(&mut inv, &Endpoint::Http("http://127.0.0.1:2375".into()));
        assert_eq!(inv.containers[0].mounts[0].source_uid, None);
        assert!(inv.host.bind_owners_not_read);
    }
}
