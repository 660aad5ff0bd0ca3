//! Network mappers: published ports, the network decision (pasta, a shared network, a
//! pod, host, none) and compose `depends_on`.

use super::super::NoteLevel;
use super::super::keys::container as k;
use super::super::ports::{self, PortMapping};
use super::super::unit_file::{Context, EncodedInput, Encoding, encode};
use super::{Gen, effective_network, needs_map_gw};
use crate::model::{
    ComposeInfo, ContainerState, NetworkAttachment, NetworkChoice, NetworkMode, PortBinding,
};

/// How the network decision came out for this container.
pub(super) struct NetworkOutcome {
    /// The decision as applied (a pod falls back to pasta before Podman 5.0).
    pub(super) network: NetworkChoice,
    /// Runs in its own pasta network namespace.
    pub(super) uses_pasta: bool,
    /// `PublishPort=` values that belong on the pod.
    pub(super) pod_ports: Vec<String>,
    /// Ports are published on this container's unit.
    pub(super) publish_here: bool,
}

impl Gen<'_> {
    /// Map the published ports under the privileged-port decision and note every port that
    /// changes, narrows or needs the sysctl.
    pub(super) fn port_notes(
        &mut self,
        bindings: &[PortBinding],
        state: ContainerState,
    ) -> PortMapping {
        let port_map = ports::map_ports(bindings, &self.decision.ports);
        for (from, to) in &port_map.remapped {
            self.note(
                NoteLevel::Warning,
                format!("port {from}"),
                format!("host port {from} is below 1024: published on {to} instead (plan decision remap); clients must use port {to}, or choose the sysctl policy"),
            );
        }
        for n in &port_map.narrowed {
            let chosen = if state == ContainerState::Running {
                "the port Docker bound at the last start"
            } else {
                "the range's first port, as Docker picks a free one at each start"
            };
            self.note(
                NoteLevel::Warning,
                format!("port {}", n.range),
                format!(
                    "host ports {} for container port {}/{} narrowed to {}, {chosen}: Podman cannot publish a host range for one container port; change PublishPort= if clients use another port of the range",
                    n.range,
                    n.container_port,
                    n.protocol.as_str(),
                    n.host_port
                ),
            );
        }
        for u in &port_map.unsupported {
            self.note(
                NoteLevel::NotTranslated,
                "HostConfig.PortBindings",
                u.clone(),
            );
        }
        if let Some(low) = port_map.lowest_privileged {
            self.note(
                NoteLevel::Info,
                format!("port {low}"),
                format!("host port {low} is below 1024: sysctl.d/50-unroot-unprivileged-ports.conf lets unprivileged users bind it (install it and run sysctl --system)"),
            );
        }
        port_map
    }

    /// `Network=` or `Pod=` from the network decision.
    pub(super) fn network(
        &mut self,
        networks: &[NetworkAttachment],
        port_map: &PortMapping,
        name: &str,
        short_id: &str,
    ) -> NetworkOutcome {
        let mut out = NetworkOutcome {
            network: effective_network(&self.decision.network, self.version),
            uses_pasta: false,
            pod_ports: Vec::new(),
            publish_here: true,
        };
        if let NetworkChoice::Pod(p) = &self.decision.network
            && out.network != self.decision.network
        {
            self.note(
                NoteLevel::Warning,
                "network",
                format!("pod {p} needs Podman 5.0 (.pod units); the container gets its own pasta network instead"),
            );
        }
        match out.network.clone() {
            NetworkChoice::Pasta => {
                out.uses_pasta = true;
                self.pasta(networks);
            }
            NetworkChoice::Shared(shared) => self.shared_network(&shared, networks, name, short_id),
            NetworkChoice::Pod(p) => {
                let pod_unit = self.names.pods.get(&p).cloned().unwrap_or(p);
                self.needs.push(format!("quadlet/{pod_unit}.pod"));
                self.sec.set(k::POD, format!("{pod_unit}.pod"));
                out.pod_ports = port_map.publish.clone();
                out.publish_here = false;
            }
            NetworkChoice::Host => {
                self.sec.set(k::NETWORK, "host");
                out.publish_here = false;
                self.note(
                    NoteLevel::Warning,
                    "HostConfig.NetworkMode",
                    "host networking is kept (plan decision): the container shares the host's interfaces; it still cannot bind ports below 1024 without the sysctl",
                );
            }
            NetworkChoice::None => {
                self.sec.set(k::NETWORK, "none");
                out.publish_here = false;
            }
        }
        out
    }

    /// `Network=pasta`, with `--map-gw` when the host gateway needs it and it is not set
    /// host-wide.
    fn pasta(&mut self, networks: &[NetworkAttachment]) {
        let mut value = "pasta".to_owned();
        if needs_map_gw(self.c, &NetworkChoice::Pasta, self.version) && !self.names.host_wide_map_gw
        {
            value.push_str(":--map-gw");
        }
        self.sec.set(k::NETWORK, value);
        if !networks
            .iter()
            .all(|n| matches!(n.network.as_str(), "bridge" | "host" | "none"))
        {
            self.note(
                NoteLevel::Warning,
                "NetworkSettings.Networks",
                "the container was on a user-defined network but now has its own pasta namespace: other containers can no longer reach it by name (choose a shared network or a pod)",
            );
        }
    }

    /// The chosen shared network, then every other network of the container that has a
    /// unit, and the aliases other containers used to reach it.
    fn shared_network(
        &mut self,
        shared: &str,
        networks: &[NetworkAttachment],
        name: &str,
        short_id: &str,
    ) {
        let mut nets: Vec<&str> = vec![shared];
        for n in networks {
            if !nets.contains(&n.network.as_str()) && self.names.networks.contains_key(&n.network) {
                nets.push(&n.network);
            }
        }
        for n in nets {
            match self.names.networks.get(n) {
                Some(u) => {
                    self.needs.push(format!("quadlet/{u}.network"));
                    self.sec.set(k::NETWORK, format!("{u}.network"));
                }
                None => self.note(
                    NoteLevel::NotTranslated,
                    "network",
                    format!("network {n} has no generated unit"),
                ),
            }
        }
        let mut aliases: Vec<&String> = networks
            .iter()
            .flat_map(|n| n.aliases.iter())
            .filter(|a| *a != name && *a != short_id && !a.is_empty())
            .collect();
        aliases.sort();
        aliases.dedup();
        for a in aliases {
            self.sec.set(k::NETWORK_ALIAS, a);
        }
        self.note(
            NoteLevel::Info,
            "network",
            "published ports on a rootless user-defined network go through rootlessport, which replaces the client's source IP with an internal address; use Network=pasta if the service needs real client IPs",
        );
    }

    /// `PublishPort=` on the container's own unit, and notes on what the network mode
    /// changes for clients.
    pub(super) fn publish(
        &mut self,
        net: &NetworkOutcome,
        port_map: &PortMapping,
        network_mode: &NetworkMode,
        extra_hosts: &[String],
    ) {
        if !net.publish_here
            && matches!(net.network, NetworkChoice::Host | NetworkChoice::None)
            && !port_map.publish.is_empty()
        {
            self.note(NoteLevel::Info, "HostConfig.PortBindings", "published ports are not needed with host networking and impossible with none; left out");
        }
        if net.publish_here {
            for p in &port_map.publish {
                self.sec.set(k::PUBLISH_PORT, p);
            }
        }
        if let NetworkMode::Container(other) = network_mode {
            self.note(
                NoteLevel::Warning,
                "HostConfig.NetworkMode",
                format!("the container shared the network namespace of {other}; under Podman put both in one pod (network decision pod) to share localhost"),
            );
        }
        if extra_hosts.iter().any(|h| h.ends_with(":host-gateway")) {
            self.note(
                NoteLevel::Info,
                "HostConfig.ExtraHosts",
                "host-gateway: the host is reached as host.containers.internal (pasta maps it to the host); the host's loopback-only services are not reachable, bind them to another address",
            );
        }
    }

    /// Compose `depends_on` becomes `Requires=`/`After=` on the peer's unit; a peer outside
    /// the migration or on another network is reported.
    pub(super) fn depends_on(
        &mut self,
        compose: &ComposeInfo,
        network: &NetworkChoice,
        networks: &[NetworkAttachment],
    ) {
        let mut deps: Vec<String> = compose
            .depends_on
            .iter()
            .map(|d| d.service.clone())
            .collect();
        deps.sort();
        deps.dedup();
        for dep in deps {
            let peer = self
                .names
                .services
                .get(&(compose.project.clone(), dep.clone()));
            let Some(peer_unit) = peer.and_then(|p| self.names.units.get(p)) else {
                self.note(
                    NoteLevel::Warning,
                    "depends_on",
                    format!("depends on service {dep} of project {}, which is not part of this migration; start it some other way", compose.project),
                );
                continue;
            };
            let peer_net = peer.and_then(|p| self.names.networks_of.get(p));
            if !same_network(network, peer_net, networks) {
                self.note(
                    NoteLevel::Warning,
                    "depends_on",
                    format!("depends on {dep}, but the plan puts them on different networks: it can no longer reach {dep} by name; give both the same shared network or pod"),
                );
            }
            let service = format!("{peer_unit}.service");
            if let Ok(v) = encode(
                &EncodedInput::One(service.as_str().into()),
                Encoding::Raw,
                Context::Systemd,
            ) {
                self.unit_sec.push("Requires", v.clone());
                self.unit_sec.push("After", v);
            }
        }
    }
}

/// Whether a compose peer stays reachable by name under the plan's network decisions.
fn same_network(
    network: &NetworkChoice,
    peer: Option<&NetworkChoice>,
    networks: &[NetworkAttachment],
) -> bool {
    match (network, peer) {
        (NetworkChoice::Shared(a), Some(NetworkChoice::Shared(b))) => {
            a == b || networks.iter().any(|n| n.network == *b)
        }
        (NetworkChoice::Pod(a), Some(NetworkChoice::Pod(b))) => a == b,
        (NetworkChoice::Host, Some(NetworkChoice::Host)) => true,
        _ => false,
    }
}
