//! `unroot` without a subcommand, until the TUI takes over: a short inventory summary.

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::exit;
use crate::model::{ContainerState, Inventory, Protocol};
use crate::source;

pub async fn run(global: &GlobalArgs) -> Result<u8> {
    let inventory = source::load(global, None).await?;
    print!("{}", render(&inventory));
    Ok(exit::OK)
}

/// Host line, then one line per container: state, name, image, user, network, ports.
pub fn render(inv: &Inventory) -> String {
    let h = &inv.host;
    let mut out = format!(
        "{}: Docker {} (API {}), {} containers ({} running), {} images, {} networks, {} volumes\n",
        inv.source,
        h.server_version.as_deref().unwrap_or("?"),
        h.api_version.as_deref().unwrap_or("?"),
        inv.containers.len(),
        inv.containers
            .iter()
            .filter(|c| c.state == ContainerState::Running)
            .count(),
        inv.images.len(),
        inv.networks.len(),
        inv.volumes.len(),
    );
    let width = inv
        .containers
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(4);
    for c in &inv.containers {
        // One entry per host port and protocol (IPv4 and IPv6 bindings of a port coincide).
        let mut ports: Vec<String> = c
            .ports
            .iter()
            .map(|p| {
                let proto = match p.protocol {
                    Protocol::Tcp => "",
                    Protocol::Udp => "/udp",
                    Protocol::Sctp => "/sctp",
                };
                format!("{}->{}{proto}", p.host_port, p.container_port)
            })
            .collect();
        ports.dedup();
        out.push_str(&format!(
            "  {:<9} {:<width$}  {}  user={}{}{}\n",
            format!("{:?}", c.state).to_lowercase(),
            c.name,
            c.image,
            if c.user.raw.is_empty() {
                "(root)"
            } else {
                &c.user.raw
            },
            if c.privileged { "  privileged" } else { "" },
            if ports.is_empty() {
                String::new()
            } else {
                format!("  ports={}", ports.join(","))
            },
        ));
    }
    out
}
