//! Mounts: the engine's resolved `Mounts` list plus `--tmpfs` entries (which Docker keeps
//! only in `HostConfig.Tmpfs`).

use std::collections::HashMap;

use bollard::models::{Mount as ApiMount, MountPoint};

use crate::model::{Mount, MountKind};

fn kind(raw: &str) -> MountKind {
    match raw {
        "volume" => MountKind::Volume,
        "tmpfs" => MountKind::Tmpfs,
        "npipe" => MountKind::Npipe,
        "cluster" => MountKind::Cluster,
        "image" => MountKind::Image,
        _ => MountKind::Bind,
    }
}

fn non_empty(v: Option<&String>) -> Option<String> {
    v.filter(|s| !s.is_empty()).cloned()
}

/// `size=64m,mode=1777` from a `--mount type=tmpfs` spec.
fn tmpfs_options_of(spec: &ApiMount) -> Option<String> {
    let opts = spec.tmpfs_options.as_ref()?;
    let mut parts = Vec::new();
    if let Some(size) = opts.size_bytes.filter(|s| *s > 0) {
        parts.push(format!("size={size}"));
    }
    if let Some(mode) = opts.mode.filter(|m| *m > 0) {
        parts.push(format!("mode={mode:o}"));
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

pub fn mounts(
    points: &[MountPoint],
    specs: &[ApiMount],
    tmpfs: Option<&HashMap<String, String>>,
) -> Vec<Mount> {
    let mut out: Vec<Mount> = points
        .iter()
        .map(|p| {
            let kind = kind(p.typ.as_deref().unwrap_or("bind"));
            let destination = p.destination.clone().unwrap_or_default();
            let source = match kind {
                MountKind::Volume => p.name.clone().or_else(|| p.source.clone()),
                MountKind::Tmpfs => None,
                _ => p.source.clone(),
            }
            .unwrap_or_default();
            let tmpfs_options = if kind == MountKind::Tmpfs {
                specs
                    .iter()
                    .find(|s| s.target.as_deref() == Some(destination.as_str()))
                    .and_then(tmpfs_options_of)
            } else {
                None
            };
            Mount {
                kind,
                source,
                destination,
                read_only: !p.rw.unwrap_or(true),
                propagation: non_empty(p.propagation.as_ref()),
                driver: if kind == MountKind::Volume {
                    non_empty(p.driver.as_ref())
                } else {
                    None
                },
                mode: non_empty(p.mode.as_ref()),
                tmpfs_options,
                ..Mount::default()
            }
        })
        .collect();
    for (destination, options) in tmpfs.into_iter().flatten() {
        if out.iter().any(|m| &m.destination == destination) {
            continue;
        }
        let read_only = options.split(',').any(|o| o.trim() == "ro");
        out.push(Mount {
            kind: MountKind::Tmpfs,
            destination: destination.clone(),
            read_only,
            tmpfs_options: (!options.is_empty()).then(|| options.clone()),
            ..Mount::default()
        });
    }
    out.sort_by(|a, b| a.destination.cmp(&b.destination));
    out
}
