//! Published and exposed ports.
//!
//! The configured `HostConfig.PortBindings` is the operator's intent and exists for created
//! and stopped containers too; for a running container the engine's `NetworkSettings.Ports`
//! fills in host ports Docker chose itself (`-p 80`, host port empty, or one port of a host
//! range published for a single container port, `-p 8000-8010:80`).

use std::collections::HashMap;

use bollard::models::PortBinding as ApiPortBinding;

use crate::model::{ExposedPort, PortBinding, PortRange, Protocol};

/// `80/tcp`, `53/udp`, `80` (tcp) -> port and protocol.
pub fn parse_port_key(key: &str) -> Option<(u16, Protocol)> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    let protocol = match proto.to_ascii_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "sctp" => Protocol::Sctp,
        _ => return None,
    };
    Some((port.trim().parse().ok()?, protocol))
}

/// `8080` -> (8080, no range); `8000-8010` -> (8000, 8000..=8010); `""` (engine's choice)
/// -> (0, no range). A one-port "range" (`8000-8000`) is a single port.
fn parse_host_port(raw: &str) -> (u16, Option<PortRange>) {
    let mut parts = raw.splitn(2, '-');
    let start: u16 = parts
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0);
    let end: Option<u16> = parts.next().and_then(|p| p.trim().parse().ok());
    match end {
        Some(end) if start != 0 && end > start => (start, Some(PortRange { start, end })),
        _ => (start, None),
    }
}

/// `""` and `None` stay "all interfaces"; IPv6 is kept without brackets.
fn host_ip(raw: Option<&str>) -> Option<String> {
    let ip = raw?.trim().trim_start_matches('[').trim_end_matches(']');
    (!ip.is_empty()).then(|| ip.to_owned())
}

type PortMap = HashMap<String, Option<Vec<ApiPortBinding>>>;

/// One [`PortBinding`] per configured host binding, sorted.
pub fn published(configured: Option<&PortMap>, runtime: Option<&PortMap>) -> Vec<PortBinding> {
    let mut out = Vec::new();
    for (key, bindings) in configured.into_iter().flatten() {
        let Some((container_port, protocol)) = parse_port_key(key) else {
            continue;
        };
        let runtime_ports: Vec<u16> = runtime
            .and_then(|r| r.get(key))
            .and_then(Option::as_ref)
            .map(|b| {
                b.iter()
                    .map(|x| parse_host_port(x.host_port.as_deref().unwrap_or("")).0)
                    .filter(|p| *p != 0)
                    .collect()
            })
            .unwrap_or_default();
        for binding in bindings.iter().flatten() {
            let (mut host_port, host_port_range) =
                parse_host_port(binding.host_port.as_deref().unwrap_or(""));
            // The engine's own pick: any port for `-p 80`, one of the range for a range.
            let bound = runtime_ports
                .iter()
                .copied()
                .find(|p| match host_port_range {
                    Some(range) => range.contains(*p),
                    None => host_port == 0,
                });
            if let Some(bound) = bound {
                host_port = bound;
            }
            out.push(PortBinding {
                container_port,
                protocol,
                host_ip: host_ip(binding.host_ip.as_deref()),
                host_port,
                host_port_range,
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Exposed ports (`EXPOSE`, `--expose`) that no host binding publishes.
pub fn unpublished(exposed: &[String], published: &[PortBinding]) -> Vec<ExposedPort> {
    let mut out: Vec<ExposedPort> = exposed
        .iter()
        .filter_map(|k| parse_port_key(k))
        .filter(|(port, proto)| {
            !published
                .iter()
                .any(|p| p.container_port == *port && p.protocol == *proto)
        })
        .map(|(port, protocol)| ExposedPort { port, protocol })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// All exposed ports as the model's type (for images).
pub fn exposed(keys: &[String]) -> Vec<ExposedPort> {
    unpublished(keys, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &[(&str, &str)])]) -> PortMap {
        entries
            .iter()
            .map(|(k, bs)| {
                let list = bs
                    .iter()
                    .map(|(ip, port)| ApiPortBinding {
                        host_ip: Some((*ip).to_owned()),
                        host_port: Some((*port).to_owned()),
                    })
                    .collect();
                ((*k).to_owned(), Some(list))
            })
            .collect()
    }

    #[test]
    fn keys() {
        assert_eq!(parse_port_key("80/tcp"), Some((80, Protocol::Tcp)));
        assert_eq!(parse_port_key("53/UDP"), Some((53, Protocol::Udp)));
        assert_eq!(parse_port_key("8080"), Some((8080, Protocol::Tcp)));
        assert_eq!(parse_port_key("x/tcp"), None);
    }

    #[test]
    fn ipv4_ipv6_udp_and_all_interfaces() {
        let cfg = map(&[
            ("53/udp", &[("0.0.0.0", "53"), ("::", "53")]),
            (
                "80/tcp",
                &[("", "8080"), ("[::1]", "8081"), ("127.0.0.1", "8082")],
            ),
        ]);
        let p = published(Some(&cfg), None);
        assert_eq!(p.len(), 5);
        assert!(p.contains(&PortBinding {
            container_port: 53,
            protocol: Protocol::Udp,
            host_ip: Some("::".into()),
            host_port: 53,
            host_port_range: None,
        }));
        assert!(p.contains(&PortBinding {
            container_port: 80,
            protocol: Protocol::Tcp,
            host_ip: None,
            host_port: 8080,
            host_port_range: None,
        }));
        assert!(
            p.iter()
                .any(|b| b.host_ip.as_deref() == Some("::1") && b.host_port == 8081)
        );
    }

    #[test]
    fn engine_chosen_port_comes_from_runtime() {
        let cfg = map(&[("80/tcp", &[("", "")])]);
        let rt = map(&[("80/tcp", &[("0.0.0.0", "49153"), ("::", "49153")])]);
        assert_eq!(published(Some(&cfg), Some(&rt))[0].host_port, 49153);
        assert_eq!(published(Some(&cfg), None)[0].host_port, 0);
    }

    #[test]
    fn host_range_keeps_the_range_and_the_bound_port() {
        let cfg = map(&[("80/tcp", &[("", "8000-8010")])]);
        let range = Some(PortRange {
            start: 8000,
            end: 8010,
        });
        // Not running: the first port stands for the range.
        let p = &published(Some(&cfg), None)[0];
        assert_eq!((p.host_port, p.host_port_range), (8000, range));
        // Running: the port Docker bound.
        let rt = map(&[("80/tcp", &[("0.0.0.0", "8003"), ("::", "8003")])]);
        let p = &published(Some(&cfg), Some(&rt))[0];
        assert_eq!((p.host_port, p.host_port_range), (8003, range));
        // A fixed port is never replaced by the runtime view, a one-port range is a port.
        let cfg = map(&[
            ("80/tcp", &[("", "8080")]),
            ("81/tcp", &[("", "9000-9000")]),
        ]);
        let rt = map(&[("80/tcp", &[("0.0.0.0", "8003")])]);
        let p = published(Some(&cfg), Some(&rt));
        assert_eq!((p[0].host_port, p[0].host_port_range), (8080, None));
        assert_eq!((p[1].host_port, p[1].host_port_range), (9000, None));
    }

    #[test]
    fn exposed_minus_published() {
        let cfg = map(&[("80/tcp", &[("", "8080")])]);
        let p = published(Some(&cfg), None);
        let keys = vec![
            "80/tcp".to_owned(),
            "443/tcp".to_owned(),
            "80/udp".to_owned(),
        ];
        let u = unpublished(&keys, &p);
        assert_eq!(
            u,
            vec![
                ExposedPort {
                    port: 80,
                    protocol: Protocol::Udp
                },
                ExposedPort {
                    port: 443,
                    protocol: Protocol::Tcp
                },
            ]
        );
    }
}
