//! Published ports: Docker's per-port bindings as `PublishPort=` values (ranges collapsed,
//! host IP kept, IPv6 bracketed), and the policy for host ports below 1024. A host range for
//! one container port is narrowed to a single host port (Podman has no equivalent).
//!
//! Under rootless Podman the forwarding is done by pasta (`Network=pasta`) or rootlessport
//! (user-defined networks); both take the same `-p` specs, so one format serves both.

use std::net::IpAddr;

use super::PublishedPort;
use crate::model::PrivilegedPortPolicy;
use crate::model::{PortBinding, PortRange, Protocol};

pub use crate::model::UNPRIVILEGED_PORT_START;

/// The result for one container.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PortMapping {
    /// `PublishPort=` values.
    pub publish: Vec<String>,
    pub published: Vec<PublishedPort>,
    /// Lowest host port below 1024 kept as is (needs the sysctl).
    pub lowest_privileged: Option<u16>,
    /// `(setting, message)` pairs worth a note.
    pub remapped: Vec<(u16, u16)>,
    pub unsupported: Vec<String>,
    /// Host port ranges published for one container port, narrowed to one host port.
    pub narrowed: Vec<NarrowedRange>,
}

/// `-p 8000-8010:80` under Docker (one free port of the range, picked at each start) becomes
/// one fixed host port: Podman rejects a host range whose length differs from the container
/// range ("host and container port ranges have different lengths").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrowedRange {
    pub range: PortRange,
    pub container_port: u16,
    pub protocol: Protocol,
    /// The host port published instead (after any privileged-port remap).
    pub host_port: u16,
}

fn is_all_interfaces(ip: Option<&str>) -> bool {
    matches!(ip.map(str::trim), None | Some("") | Some("0.0.0.0"))
}

/// The default remap of a privileged host port: `80` → `8080`, `443` → `8443`.
pub fn default_remap(port: u16) -> u16 {
    port.saturating_add(8000)
}

/// Map a container's published ports under the privileged-port policy: `PublishPort=`
/// values (consecutive ports collapsed into ranges) and what changed, for the notes.
pub fn map_ports(bindings: &[PortBinding], policy: &PrivilegedPortPolicy) -> PortMapping {
    let mut out = PortMapping::default();
    let mut mapped = apply_policy(distinct(bindings), policy, &mut out);
    mapped.sort_by(|(a, ah), (b, bh)| {
        (&a.host_ip, a.protocol, *ah, a.container_port).cmp(&(
            &b.host_ip,
            b.protocol,
            *bh,
            b.container_port,
        ))
    });
    out.remapped.sort_unstable();
    out.remapped.dedup();
    collapse(&mapped, &mut out);
    out
}

/// Docker lists a dual-stack binding twice (0.0.0.0 and ::); Podman's all-interfaces
/// binding covers both. All-interfaces addresses become `None`; duplicates go.
fn distinct(bindings: &[PortBinding]) -> Vec<PortBinding> {
    let mut ports: Vec<PortBinding> = Vec::new();
    for b in bindings {
        let is_v6_any = b.host_ip.as_deref() == Some("::");
        if is_v6_any
            && bindings.iter().any(|o| {
                is_all_interfaces(o.host_ip.as_deref())
                    && o.host_port == b.host_port
                    && o.container_port == b.container_port
                    && o.protocol == b.protocol
            })
        {
            continue;
        }
        let mut b = b.clone();
        if is_all_interfaces(b.host_ip.as_deref()) {
            b.host_ip = None;
        }
        if !ports.contains(&b) {
            ports.push(b);
        }
    }
    ports
}

/// Each binding with the host port it gets under the policy; SCTP is refused, low ports
/// remapped or recorded for the sysctl, host ranges narrowed (all noted in `out`).
fn apply_policy(
    ports: Vec<PortBinding>,
    policy: &PrivilegedPortPolicy,
    out: &mut PortMapping,
) -> Vec<(PortBinding, u16)> {
    let mut mapped: Vec<(PortBinding, u16)> = Vec::new();
    for b in ports {
        if b.protocol == Protocol::Sctp {
            out.unsupported.push(format!(
                "{}/sctp: rootless Podman (pasta and rootlessport) forwards only TCP and UDP",
                b.container_port
            ));
            continue;
        }
        let mut host = b.host_port;
        if host != 0 && host < UNPRIVILEGED_PORT_START {
            match policy {
                PrivilegedPortPolicy::Sysctl => {
                    out.lowest_privileged =
                        Some(out.lowest_privileged.map_or(host, |l| l.min(host)));
                }
                PrivilegedPortPolicy::Remap { ports } => {
                    let new = ports
                        .get(&host)
                        .copied()
                        .unwrap_or_else(|| default_remap(host));
                    out.remapped.push((host, new));
                    host = new;
                }
            }
        }
        if let Some(range) = b.host_port_range {
            out.narrowed.push(NarrowedRange {
                range,
                container_port: b.container_port,
                protocol: b.protocol,
                host_port: host,
            });
        }
        mapped.push((b, host));
    }
    mapped
}

/// Collapse runs where host and container ports both step by one into one `PublishPort=`
/// range; every port is still listed in `published`.
fn collapse(mapped: &[(PortBinding, u16)], out: &mut PortMapping) {
    // Collapse runs where host and container ports both step by one.
    let mut i = 0;
    while i < mapped.len() {
        let (first, first_host) = &mapped[i];
        let mut j = i;
        while j + 1 < mapped.len() {
            let (next, next_host) = &mapped[j + 1];
            let (cur, cur_host) = &mapped[j];
            let steps = *cur_host != 0
                && u32::from(*next_host) == u32::from(*cur_host) + 1
                && u32::from(next.container_port) == u32::from(cur.container_port) + 1;
            if steps && next.host_ip == first.host_ip && next.protocol == first.protocol {
                j += 1;
            } else {
                break;
            }
        }
        let (last, last_host) = &mapped[j];
        out.publish.push(format_spec(
            first.host_ip.as_deref(),
            (*first_host, *last_host),
            (first.container_port, last.container_port),
            first.protocol,
        ));
        for (b, host) in &mapped[i..=j] {
            out.published.push(PublishedPort {
                host_ip: b.host_ip.clone(),
                host_port: *host,
                docker_host_port: b.host_port,
                container_port: b.container_port,
                protocol: b.protocol,
            });
        }
        i = j + 1;
    }
}

fn range(ports: (u16, u16)) -> String {
    if ports.0 == ports.1 {
        ports.0.to_string()
    } else {
        format!("{}-{}", ports.0, ports.1)
    }
}

/// `[ip:][host]:ctr[/proto]` as `podman run -p` reads it.
fn format_spec(ip: Option<&str>, host: (u16, u16), ctr: (u16, u16), proto: Protocol) -> String {
    let mut s = String::new();
    if let Some(ip) = ip {
        match ip.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => s += &format!("[{v6}]:"),
            _ => s += &format!("{ip}:"),
        }
    }
    if host.0 != 0 {
        s += &range(host);
        s.push(':');
    } else if !s.is_empty() {
        s.push(':');
    }
    s += &range(ctr);
    match proto {
        Protocol::Tcp => {}
        Protocol::Udp => s += "/udp",
        Protocol::Sctp => s += "/sctp",
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn b(ip: Option<&str>, host: u16, ctr: u16, protocol: Protocol) -> PortBinding {
        PortBinding {
            container_port: ctr,
            protocol,
            host_ip: ip.map(str::to_owned),
            host_port: host,
            host_port_range: None,
        }
    }

    #[test]
    fn collapses_ranges_and_dual_stack() {
        let ports = vec![
            b(Some("0.0.0.0"), 8000, 8000, Protocol::Tcp),
            b(Some("::"), 8000, 8000, Protocol::Tcp),
            b(Some("0.0.0.0"), 8001, 8001, Protocol::Tcp),
            b(Some("0.0.0.0"), 8002, 8002, Protocol::Tcp),
            b(Some("127.0.0.1"), 5353, 53, Protocol::Udp),
            b(Some("::1"), 9090, 90, Protocol::Tcp),
            b(None, 0, 7000, Protocol::Tcp),
        ];
        let m = map_ports(&ports, &PrivilegedPortPolicy::Sysctl);
        assert_eq!(
            m.publish,
            vec![
                "7000",
                "8000-8002:8000-8002",
                "127.0.0.1:5353:53/udp",
                "[::1]:9090:90"
            ]
        );
        assert_eq!(m.published.len(), 6);
        assert_eq!(m.lowest_privileged, None);
    }

    #[test]
    fn privileged_ports_follow_the_policy() {
        let ports = vec![
            b(None, 80, 80, Protocol::Tcp),
            b(None, 443, 443, Protocol::Tcp),
            b(None, 53, 53, Protocol::Sctp),
        ];
        let m = map_ports(&ports, &PrivilegedPortPolicy::Sysctl);
        assert_eq!(m.lowest_privileged, Some(80));
        assert_eq!(m.publish, vec!["80:80", "443:443"]);
        assert_eq!(m.unsupported.len(), 1);
        let remap = PrivilegedPortPolicy::Remap {
            ports: BTreeMap::from([(80, 8081)]),
        };
        let m = map_ports(&ports, &remap);
        assert_eq!(m.lowest_privileged, None);
        assert_eq!(m.publish, vec!["8081:80", "8443:443"]);
        assert_eq!(m.remapped, vec![(80, 8081), (443, 8443)]);
        assert_eq!(m.published[0].docker_host_port, 80);
    }
}
