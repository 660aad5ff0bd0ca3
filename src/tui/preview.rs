//! The live preview: the files and notes of the [`Migration`](crate::migration::Migration)
//! for one container under its current decision, the same value `unroot generate` renders.
//! Pure; recomputed by `update` whenever the decision changes.

use std::collections::BTreeMap;

use crate::generate::{GeneratedFile, HostIdFiles};
use crate::migration;
use crate::model::{ContainerDecision, Target};
use crate::model::{Inventory, MountKind, NetworkMode};

use super::state::{Loaded, Preview};

/// Generate for one container only: an inventory holding that container and the images,
/// networks and volumes it references, so a preview costs the same with 10 or 1000
/// containers on the host.
pub fn preview_for(
    loaded: &Loaded,
    target: &Target,
    index: usize,
    decision: &ContainerDecision,
) -> Preview {
    let generated = one_container_inventory(&loaded.inventory, index)
        .ok_or_else(|| format!("no container #{index}"))
        .and_then(|(inventory, name)| {
            let decisions = BTreeMap::from([(name, decision.clone())]);
            migration::plan(&inventory, target, &decisions, &HostIdFiles::default())
                .map(|m| m.generated)
                .map_err(|e| format!("{e:#}"))
        });
    Preview {
        container: index,
        generated,
    }
}

fn one_container_inventory(inventory: &Inventory, index: usize) -> Option<(Inventory, String)> {
    let container = inventory.containers.get(index)?;
    let mut network_names: Vec<&str> = container
        .networks
        .iter()
        .map(|n| n.network.as_str())
        .collect();
    if let NetworkMode::Named(name) = &container.network_mode {
        network_names.push(name);
    }
    let volume_names: Vec<&str> = container
        .mounts
        .iter()
        .filter(|m| m.kind == MountKind::Volume)
        .map(|m| m.source.as_str())
        .collect();
    let sub = Inventory {
        schema: inventory.schema.clone(),
        source: inventory.source.clone(),
        captured_at: inventory.captured_at.clone(),
        host: inventory.host.clone(),
        containers: vec![container.clone()],
        images: inventory
            .images
            .iter()
            .filter(|i| i.id == container.image_id)
            .cloned()
            .collect(),
        networks: inventory
            .networks
            .iter()
            .filter(|n| network_names.contains(&n.name.as_str()))
            .cloned()
            .collect(),
        volumes: inventory
            .volumes
            .iter()
            .filter(|v| volume_names.contains(&v.name.as_str()))
            .cloned()
            .collect(),
    };
    Some((sub, container.name.clone()))
}

/// Files that hold secret values (`env/*.env`, mode 0600): the preview names them but
/// never shows their content on the terminal.
pub fn is_secret(file: &GeneratedFile) -> bool {
    file.path.starts_with("env/") || file.mode & 0o077 == 0
}

/// The preview as display lines: per file a header, then its content (secrets hidden).
pub fn preview_lines(preview: &Preview) -> Vec<String> {
    let generated = match &preview.generated {
        Ok(g) => g,
        Err(e) => return vec![format!("cannot generate: {e}")],
    };
    if generated.files.is_empty() {
        return vec!["(nothing is generated: the container is excluded)".into()];
    }
    // The container's own unit first: it is what a decision changes most.
    let mut files: Vec<&GeneratedFile> = generated.files.iter().collect();
    files.sort_by_key(|f| !f.path.ends_with(".container"));
    let mut lines = Vec::new();
    for file in files {
        lines.push(format!("── {} ({:o})", file.path, file.mode));
        if is_secret(file) {
            let count = file.content.lines().filter(|l| l.contains('=')).count();
            lines.push(format!(
                "   ({count} variables; values hidden, written with mode 0600)"
            ));
        } else {
            lines.extend(file.content.lines().map(str::to_string));
        }
        lines.push(String::new());
    }
    lines
}
