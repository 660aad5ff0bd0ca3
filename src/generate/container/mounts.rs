//! Mount mappers: volumes, bind mounts (through the host-path policy), tmpfs, and the
//! Docker socket.

use super::super::keys::container as k;
use super::super::{BindChown, NoteLevel, VolumeMove};
use super::{DOCKER_SOCKETS, Gen};
use crate::model::host_path::{PathClass, PathVerdict, path_under};
use crate::model::{IdOrName, Mount, MountKind, UserSpec, VolumeStrategy};

/// What the mounts add to the unit plan.
#[derive(Default)]
pub(super) struct Mounted {
    pub(super) volumes: Vec<VolumeMove>,
    pub(super) chowns: Vec<BindChown>,
    /// A Docker socket was mounted: the unit wants the user's `podman.socket`.
    pub(super) wants_podman_socket: bool,
}

/// The UID and GID that must own a handed-over bind source, when the container user says
/// so numerically (root when it runs as root or the image default).
fn owner_ids(spec: &UserSpec) -> (Option<u32>, Option<u32>) {
    match (&spec.user, &spec.group) {
        (Some(IdOrName::Id(u)), Some(IdOrName::Id(g))) => (Some(*u), Some(*g)),
        (Some(IdOrName::Id(u)), None) => (Some(*u), Some(*u)),
        _ if spec.is_root || spec.raw.is_empty() => (Some(0), Some(0)),
        _ => (None, None),
    }
}

impl Gen<'_> {
    /// Every mount, in destination order so the unit does not change with Docker's order.
    pub(super) fn mounts(&mut self, mounts: &[Mount], spec: &UserSpec) -> Mounted {
        let mut out = Mounted::default();
        let owner = owner_ids(spec);
        let mut sorted: Vec<&Mount> = mounts.iter().collect();
        sorted.sort_by(|a, b| a.destination.cmp(&b.destination));
        for mt in sorted {
            self.mount(mt, owner, &spec.raw, &mut out);
        }
        out
    }

    /// One mount as `Volume=`, `Mount=` or `Tmpfs=`, or a note when it has no equivalent.
    fn mount(
        &mut self,
        mt: &Mount,
        owner: (Option<u32>, Option<u32>),
        raw_user: &str,
        out: &mut Mounted,
    ) {
        let verdict = (mt.kind == MountKind::Bind)
            .then(|| self.names.host_paths.decide(&self.c.name, &mt.source));
        let suffix = self.mount_suffix(mt, verdict.as_ref());
        match mt.kind {
            MountKind::Bind if DOCKER_SOCKETS.contains(&mt.source.as_str()) => {
                self.docker_socket(mt, &suffix);
                out.wants_podman_socket = true;
            }
            MountKind::Bind => {
                if !self.bind(mt, &suffix) {
                    return;
                }
                let verdict = verdict
                    .unwrap_or_else(|| self.names.host_paths.decide(&self.c.name, &mt.source));
                self.bind_handover(mt, &verdict, owner, &mut out.chowns, raw_user);
            }
            MountKind::Volume => self.volume(mt, &suffix, out),
            MountKind::Tmpfs => {
                let value = match mt.tmpfs_options.as_deref().filter(|o| !o.is_empty()) {
                    Some(o) => format!("{}:{o}", mt.destination),
                    None => mt.destination.clone(),
                };
                self.sec.set(k::TMPFS, value);
            }
            MountKind::Npipe | MountKind::Cluster | MountKind::Image => self.note(
                NoteLevel::NotTranslated,
                format!("mount {}", mt.destination),
                format!("{:?} mounts have no rootless Podman equivalent here; recreate the data as a volume", mt.kind),
            ),
        }
    }

    /// Read-only on Docker, or a bind the plan's hardening makes read-only.
    fn read_only(&self, mt: &Mount) -> bool {
        mt.read_only
            || (mt.kind == MountKind::Bind
                && self
                    .decision
                    .hardening
                    .read_only_binds
                    .contains(&mt.destination))
    }

    /// The `:ro,z,U,...` options of a `Volume=` value. `:U` chowns the source at every
    /// start: only for volumes and binds the path policy lets us hand over.
    fn mount_suffix(&mut self, mt: &Mount, verdict: Option<&PathVerdict>) -> String {
        let mut opts: Vec<&str> = Vec::new();
        if self.read_only(mt) {
            opts.push("ro");
        }
        for flag in mt.mode.as_deref().unwrap_or("").split(',') {
            if matches!(flag, "z" | "Z") {
                opts.push(flag);
            }
        }
        if let Some(p) = mt
            .propagation
            .as_deref()
            .filter(|p| !p.is_empty() && *p != "rprivate")
        {
            opts.push(p);
            self.note(NoteLevel::Warning, format!("mount {}", mt.destination), format!("propagation {p}: a rootless user namespace cannot share mounts back to the host"));
        }
        if self.decision.volumes == VolumeStrategy::ChownOnStart
            && match mt.kind {
                MountKind::Volume => true,
                MountKind::Bind => verdict.is_some_and(PathVerdict::may_hand_over),
                _ => false,
            }
        {
            opts.push("U");
        }
        if opts.is_empty() {
            String::new()
        } else {
            format!(":{}", opts.join(","))
        }
    }

    /// The rootless user's Podman API socket speaks the Docker API.
    fn docker_socket(&mut self, mt: &Mount, suffix: &str) {
        self.sec.set_under_runtime_dir(
            k::VOLUME,
            &format!("/podman/podman.sock:{}{suffix}", mt.destination),
        );
        let user = self.user;
        self.note(
            NoteLevel::Warning,
            format!("mount {}", mt.source),
            format!(
                "the Docker socket becomes {user}'s Podman socket (%t/podman/podman.sock, Docker-compatible API): enable it with `systemctl --user enable --now podman.socket`; \
                 the container can then control all of {user}'s containers (no longer root on the host)"
            ),
        );
    }

    /// `Volume=SRC:DST` or, for paths with `:`, `Mount=`. False when neither can express
    /// the paths (noted).
    fn bind(&mut self, mt: &Mount, suffix: &str) -> bool {
        if !(mt.source.contains(':') || mt.destination.contains(':')) {
            self.sec.set(
                k::VOLUME,
                format!("{}:{}{suffix}", mt.source, mt.destination),
            );
            return true;
        }
        if mt.source.contains([',', '=']) || mt.destination.contains([',', '=']) {
            self.note(NoteLevel::NotTranslated, format!("mount {}", mt.destination), "the bind mount path contains ':' and ',' or '=', which neither Volume= nor Mount= can express; rename the host directory");
            return false;
        }
        let mut spec = format!(
            "type=bind,source={},destination={}",
            mt.source, mt.destination
        );
        if self.read_only(mt) {
            spec.push_str(",ro=true");
        }
        self.sec.set_words(k::MOUNT, &[spec]);
        true
    }

    /// A named volume refers to its `.volume` unit; its data moves with the migration.
    fn volume(&mut self, mt: &Mount, suffix: &str, out: &mut Mounted) {
        let Some(vunit) = self.names.volumes.get(&mt.source) else {
            self.note(
                NoteLevel::NotTranslated,
                format!("mount {}", mt.destination),
                format!("volume {} has no generated unit", mt.source),
            );
            return;
        };
        self.sec.set(
            k::VOLUME,
            format!("{vunit}.volume:{}{suffix}", mt.destination),
        );
        self.needs.push(format!("quadlet/{vunit}.volume"));
        out.volumes.push(VolumeMove {
            docker_volume: mt.source.clone(),
            podman_volume: self
                .names
                .podman_volume_names
                .get(&mt.source)
                .cloned()
                .unwrap_or_else(|| mt.source.clone()),
            destination: mt.destination.clone(),
            service: format!("{vunit}-volume.service"),
        });
    }

    /// A bind source is handed over (chowned into the user namespace by migrate.sh) only
    /// when the host-path policy says it is the application's own; anything else is left
    /// alone with a note that says why and what to do instead.
    fn bind_handover(
        &mut self,
        mt: &Mount,
        verdict: &PathVerdict,
        owner: (Option<u32>, Option<u32>),
        chowns: &mut Vec<BindChown>,
        raw_user: &str,
    ) {
        let setting = format!("mount {}", mt.source);
        let user = self.user;
        match verdict.class {
            PathClass::System => {
                let level = if self.read_only(mt) { NoteLevel::Info } else { NoteLevel::Warning };
                let root_hint = if path_under(&mt.source, "/root") {
                    " and /root is not readable by other users: copy what the container needs elsewhere"
                } else {
                    ""
                };
                self.note(
                    level,
                    setting,
                    format!(
                        "not handed over ({}); the container sees it through {user}'s rights{root_hint}",
                        verdict.reason
                    ),
                );
            }
            _ if self.read_only(mt) => {
                // Read-only data only needs to be readable by the rootless user.
            }
            PathClass::Shared => self.note(
                NoteLevel::Warning,
                setting,
                format!(
                    "not handed over ({}): the rootless container may not be able to write to it; \
                     make it writable for {user} (group, ACL) or use the keep-id volume strategy",
                    verdict.explain()
                ),
            ),
            PathClass::Application if self.decision.volumes == VolumeStrategy::Copy => {
                match owner {
                    (Some(uid), Some(gid)) => chowns.push(BindChown {
                        host_path: mt.source.clone(),
                        uid,
                        gid,
                    }),
                    _ => self.note(
                        NoteLevel::Warning,
                        format!("mount {}", mt.destination),
                        format!(
                            "the container user {raw_user:?} is a name, so unroot cannot tell which UID must own {}; chown it with podman unshare after checking the image's /etc/passwd",
                            mt.source
                        ),
                    ),
                }
            }
            PathClass::Application => {}
        }
    }
}
