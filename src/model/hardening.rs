//! Hardening decisions: settings the migrated unit may add that Docker did not have, each
//! closing one named risk finding (issue 14).
//!
//! A separate block of the per-container decision so an older plan, written before these
//! existed, loads as "no hardening": unroot never hardens an already-reviewed plan silently.
//! Only [`Hardening::default_for`] proposes values, and only where the inspect data shows the
//! setting cannot take anything away the service uses; everything else is *offered*: present
//! in the plan as `false`/empty with the reason it is not on.

use serde::{Deserialize, Serialize};

use super::{Container, Image, MountKind};

/// The hardening block of one container's decision. Every field defaults to "off", so a
/// missing block or key adds nothing to the unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hardening {
    /// `NoNewPrivileges=true` where Docker did not set `no-new-privileges`.
    #[serde(default)]
    pub no_new_privileges: bool,
    /// Extra `DropCapability=` names (capabilities Podman's default set still grants).
    #[serde(default, deserialize_with = "strict::capabilities")]
    pub drop_capabilities: Vec<String>,
    /// `ReadOnly=true` where Docker's root filesystem was writable.
    #[serde(default)]
    pub read_only_root: bool,
    /// `Tmpfs=` paths the service writes to under a read-only root (Podman already mounts
    /// tmpfs on /tmp, /var/tmp and /run with `ReadOnlyTmpfs=true`, its default).
    #[serde(default, deserialize_with = "strict::paths")]
    pub tmpfs: Vec<String>,
    /// `Memory=` (`512m`, `2g`, bytes without a unit) where Docker had no limit.
    #[serde(default, deserialize_with = "strict::memory")]
    pub memory: Option<String>,
    /// `PidsLimit=` where Docker had no limit (Podman's own default is 2048 on cgroup v2).
    #[serde(default)]
    pub pids_limit: Option<u32>,
    /// Container paths of writable bind mounts to mount read-only (`:ro`).
    #[serde(default, deserialize_with = "strict::paths")]
    pub read_only_binds: Vec<String>,
    /// `User=`: the non-root user the image declares, where the container overrode it to root.
    #[serde(default, deserialize_with = "strict::user")]
    pub user: Option<String>,
}

/// One hardening decision, for the words (plan comments, TUI, docs) and the finding it
/// closes. The effect on the risk itself is computed by `crate::risk::migrated`, which
/// applies the block to the container and runs the same rules again; a unit test there
/// checks each item really closes what [`HardeningItem::closes`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HardeningItem {
    NoNewPrivileges,
    DropCapabilities,
    ReadOnlyRoot,
    Memory,
    PidsLimit,
    ReadOnlyBinds,
    User,
}

impl HardeningItem {
    /// In plan order.
    pub const ALL: [HardeningItem; 7] = [
        HardeningItem::NoNewPrivileges,
        HardeningItem::DropCapabilities,
        HardeningItem::ReadOnlyRoot,
        HardeningItem::Memory,
        HardeningItem::PidsLimit,
        HardeningItem::ReadOnlyBinds,
        HardeningItem::User,
    ];

    /// The key in the plan's `hardening:` block.
    pub fn key(self) -> &'static str {
        match self {
            HardeningItem::NoNewPrivileges => "no_new_privileges",
            HardeningItem::DropCapabilities => "drop_capabilities",
            HardeningItem::ReadOnlyRoot => "read_only_root",
            HardeningItem::Memory => "memory",
            HardeningItem::PidsLimit => "pids_limit",
            HardeningItem::ReadOnlyBinds => "read_only_binds",
            HardeningItem::User => "user",
        }
    }

    /// Rule ids (`assets/rules.yaml`) whose finding this item closes or lowers.
    pub fn closes(self) -> &'static [&'static str] {
        match self {
            HardeningItem::NoNewPrivileges => &["no-new-privileges-missing"],
            HardeningItem::DropCapabilities => &["net-raw-not-dropped", "capabilities-added"],
            HardeningItem::ReadOnlyRoot => &["writable-rootfs"],
            HardeningItem::Memory => &["memory-unlimited"],
            HardeningItem::PidsLimit => &["pids-unlimited"],
            HardeningItem::ReadOnlyBinds => &[
                "sensitive-host-mount",
                "host-root-mount",
                "host-proc-sys-mount",
            ],
            HardeningItem::User => &["root-user"],
        }
    }

    /// The quadlet key it writes.
    pub fn quadlet(self) -> &'static str {
        match self {
            HardeningItem::NoNewPrivileges => "NoNewPrivileges=true",
            HardeningItem::DropCapabilities => "DropCapability=",
            HardeningItem::ReadOnlyRoot => "ReadOnly=true (+ Tmpfs=)",
            HardeningItem::Memory => "Memory= (PodmanArgs=--memory before 5.5)",
            HardeningItem::PidsLimit => "PidsLimit=",
            HardeningItem::ReadOnlyBinds => "Volume=...:ro",
            HardeningItem::User => "User=",
        }
    }

    /// Whether the block turns this item on.
    pub fn is_on(self, h: &Hardening) -> bool {
        match self {
            HardeningItem::NoNewPrivileges => h.no_new_privileges,
            HardeningItem::DropCapabilities => !h.drop_capabilities.is_empty(),
            HardeningItem::ReadOnlyRoot => h.read_only_root,
            HardeningItem::Memory => h.memory.is_some(),
            HardeningItem::PidsLimit => h.pids_limit.is_some(),
            HardeningItem::ReadOnlyBinds => !h.read_only_binds.is_empty(),
            HardeningItem::User => h.user.is_some(),
        }
    }
}

/// Capabilities of Docker's default set that Podman 5's default set (`default_capabilities`
/// in containers.conf, as Debian 13's Podman 5.4 ships it) leaves out: the move drops them
/// by itself unless the plan keeps one the container added.
pub const NOT_IN_PODMAN_DEFAULTS: [&str; 3] = ["AUDIT_WRITE", "MKNOD", "NET_RAW"];

/// Podman 5's default capability set (containers.conf `default_capabilities`).
pub const PODMAN_DEFAULT_CAPS: [&str; 11] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Podman's default `pids_limit` (containers.conf), applied where the user's cgroup v2
/// delegates the pids controller.
pub const PODMAN_DEFAULT_PIDS_LIMIT: i64 = 2048;

impl Hardening {
    /// The hardening unroot proposes, from evidence in the inspect data only.
    ///
    /// On by default: `no_new_privileges` for a container whose process runs as root, is not
    /// privileged and did not already set it. A root process already holds every capability
    /// its bounding set allows, so a setuid or file-capability binary can give it nothing
    /// more: the flag takes nothing away it uses. (The one way to notice: an entrypoint that
    /// drops to another user which then runs a setuid program such as `sudo`; the plan
    /// comment names it.) A non-root process may rely on setuid programs, so there it is
    /// offered. Everything else is offered: a read-only root, dropped capabilities and
    /// read-only binds can break a service the inspect data cannot show using them, and no
    /// memory or PID figure can be chosen without knowing the load.
    pub fn default_for(c: &Container) -> Self {
        Self {
            no_new_privileges: nnp_is_safe(c),
            ..Self::default()
        }
    }

    /// Whether nothing in the block is on (the plan writes the block anyway, for the offers).
    pub fn is_empty(&self) -> bool {
        HardeningItem::ALL.iter().all(|i| !i.is_on(self))
    }
}

/// The process runs as root, is not privileged and lacks `no-new-privileges`: see
/// [`Hardening::default_for`] for why the flag is safe there.
pub fn nnp_is_safe(c: &Container) -> bool {
    !c.security.no_new_privileges && !c.privileged && runs_as_root(c)
}

/// The main process runs as UID 0. Reads the raw `Config.User` too, so `0:0` and
/// `root:root` count even if a snapshot's normalized flag was written by an older version.
/// (The risk rules use this one too.)
pub fn runs_as_root(c: &Container) -> bool {
    if c.user.is_root {
        return true;
    }
    let user = c.user.raw.split(':').next().unwrap_or("").trim();
    matches!(user, "" | "0" | "root")
}

/// Why an item is not on, or what it would do, for the plan comment and the TUI: evidence
/// from the container first, then the general reason it is only offered.
pub fn offer_reason(item: HardeningItem, c: &Container, image: Option<&Image>) -> String {
    match item {
        HardeningItem::NoNewPrivileges if c.security.no_new_privileges => {
            "Docker already sets no-new-privileges; carried over".into()
        }
        HardeningItem::NoNewPrivileges if nnp_is_safe(c) => {
            "on: runs as root, so setuid binaries can add nothing (off if its entrypoint drops to a user that runs sudo or su)".into()
        }
        HardeningItem::NoNewPrivileges => {
            "offered: runs as a non-root user that may rely on setuid programs (sudo, su, ping)"
                .into()
        }
        HardeningItem::DropCapabilities => {
            let keep: Vec<&str> = PODMAN_DEFAULT_CAPS
                .iter()
                .copied()
                .filter(|cap| {
                    !c.capabilities.drop_all
                        && !c
                            .capabilities
                            .dropped
                            .iter()
                            .any(|d| super::normalize_cap(d) == *cap)
                })
                .collect();
            format!(
                "offered: the move already drops {} (not in Podman's default set); Podman still grants {}: list those the service does not need",
                NOT_IN_PODMAN_DEFAULTS.join(", "),
                if keep.is_empty() {
                    "none".to_string()
                } else {
                    keep.join(", ")
                }
            )
        }
        HardeningItem::ReadOnlyRoot if c.read_only_rootfs => {
            "Docker already mounts the root read-only; carried over".into()
        }
        HardeningItem::ReadOnlyRoot => {
            let declared: Vec<&str> = image
                .map(|i| i.volumes.iter().map(String::as_str).collect())
                .unwrap_or_default();
            format!(
                "offered: the service may write outside /tmp, /var/tmp and /run; list such paths under tmpfs{}",
                if declared.is_empty() {
                    String::new()
                } else {
                    format!(" (the image declares volumes {})", declared.join(", "))
                }
            )
        }
        HardeningItem::Memory if c.resources.memory.unwrap_or(0) > 0 => {
            "Docker's --memory limit is carried over".into()
        }
        HardeningItem::Memory => {
            "offered, never a default: a limit below the service's peak kills it (for example 512m)".into()
        }
        HardeningItem::PidsLimit if c.resources.pids_limit.unwrap_or(0) > 0 => {
            "Docker's --pids-limit is carried over".into()
        }
        HardeningItem::PidsLimit => format!(
            "offered: Podman applies its default of {PODMAN_DEFAULT_PIDS_LIMIT} on cgroup v2; set a number to pin a tighter one"
        ),
        HardeningItem::ReadOnlyBinds => {
            let writable: Vec<&str> = c
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Bind && !m.read_only)
                .map(|m| m.destination.as_str())
                .collect();
            if writable.is_empty() {
                "no writable bind mounts".into()
            } else {
                format!(
                    "offered: unroot cannot see whether the service writes to {}; list those it only reads",
                    writable.join(", ")
                )
            }
        }
        HardeningItem::User => match image_user_overridden(c, image) {
            Some(u) => format!(
                "offered: the image declares USER {u} but the container runs as root; set user: {u} if nothing in it needs root"
            ),
            None => "no non-root user declared by the image that the container overrode".into(),
        },
    }
}

/// The image's declared non-root `USER` when the container overrode it to root.
pub fn image_user_overridden(c: &Container, image: Option<&Image>) -> Option<String> {
    let declared = image?.user.as_deref()?.trim();
    let name = declared.split(':').next().unwrap_or("").trim();
    let non_root = !matches!(name, "" | "0" | "root");
    (non_root && runs_as_root(c)).then(|| declared.to_string())
}

/// Bytes of a `memory:` value (`512m`, `2g`, `1048576`, `64k`, `100b`); `None` if not one.
pub fn memory_bytes(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t.as_str(), ""),
    };
    let n: i64 = digits.parse().ok()?;
    let factor: i64 = match unit {
        "" | "b" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(factor).filter(|b| *b > 0)
}

/// Readers that refuse, at load and in one line, values the unit could not carry: a plan is
/// hostile input like any other.
mod strict {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer};

    /// Capability names (`NET_RAW`, `cap_chown`, `ALL`).
    pub fn capabilities<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let caps = Vec::<String>::deserialize(d)?;
        for cap in &caps {
            let ok = !cap.is_empty() && cap.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(D::Error::custom(format!(
                    "{cap:?} is not a capability name such as NET_RAW or ALL"
                )));
            }
        }
        Ok(caps)
    }

    /// Absolute container paths without control characters.
    pub fn paths<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let paths = Vec::<String>::deserialize(d)?;
        for p in &paths {
            if !p.starts_with('/') || p.chars().any(char::is_control) {
                return Err(D::Error::custom(format!(
                    "{p:?} is not an absolute path in the container"
                )));
            }
        }
        Ok(paths)
    }

    /// `USER[:GROUP]`, names or ids, as Docker's and the image's `USER` are written.
    pub fn user<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let user = Option::<String>::deserialize(d)?;
        if let Some(u) = &user {
            let ok = !u.is_empty()
                && !u.starts_with(':')
                && u.split(':').count() <= 2
                && u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
            if !ok {
                return Err(D::Error::custom(format!(
                    "user {u:?} is not USER or USER:GROUP (names or numeric ids)"
                )));
            }
        }
        Ok(user)
    }

    /// A memory size Podman reads, refused at load rather than by Podman at start.
    pub fn memory<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let raw = Option::<String>::deserialize(d)?;
        match raw {
            Some(t) if super::memory_bytes(&t).is_none() => Err(D::Error::custom(format!(
                "memory {t:?} is not a size such as 512m or 2g"
            ))),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContainerDecision;
    use crate::risk::testkit::ContainerBuilder as B;

    /// Root, not privileged, no flag: NNP on by default; everything else off.
    #[test]
    fn defaults_come_from_evidence() {
        let root = B::new("r").build();
        let h = Hardening::default_for(&root);
        assert!(h.no_new_privileges);
        assert_eq!(
            h,
            Hardening {
                no_new_privileges: true,
                ..Hardening::default()
            }
        );
        for (c, why) in [
            (B::new("u").user("1000").build(), "non-root"),
            (B::new("p").privileged().build(), "privileged"),
            (
                B::new("n").security_opt("no-new-privileges").build(),
                "already set",
            ),
        ] {
            assert!(!Hardening::default_for(&c).no_new_privileges, "{why}");
        }
        // A memory limit is never proposed, even without Docker's.
        assert_eq!(Hardening::default_for(&root).memory, None);
        assert_eq!(
            ContainerDecision::default_for(&root).hardening,
            Hardening::default_for(&root)
        );
    }

    /// A plan written before the block existed means no hardening at all.
    #[test]
    fn older_plans_load_without_hardening() {
        let d: ContainerDecision = serde_yaml::from_str(
            "include: true\nports: {policy: sysctl}\nvolumes: copy\nnetwork: {mode: pasta}\n",
        )
        .unwrap();
        assert_eq!(d.hardening, Hardening::default());
        assert!(d.hardening.is_empty());
    }

    #[test]
    fn unknown_keys_and_bad_sizes_are_refused() {
        let base =
            "include: true\nports: {policy: sysctl}\nvolumes: copy\nnetwork: {mode: pasta}\n";
        let e = serde_yaml::from_str::<ContainerDecision>(&format!(
            "{base}hardening: {{read_only_rot: true}}"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown field `read_only_rot`"), "{e}");
        let e = serde_yaml::from_str::<ContainerDecision>(&format!(
            "{base}hardening: {{memory: lots}}"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a size such as 512m"), "{e}");
        for (body, expected) in [
            ("drop_capabilities: [\"NET RAW\"]", "not a capability name"),
            ("tmpfs: [var/cache]", "not an absolute path"),
            ("read_only_binds: [\"/a\\nb\"]", "not an absolute path"),
            ("user: \"app x\"", "is not USER or USER:GROUP"),
            ("user: \"a:b:c\"", "is not USER or USER:GROUP"),
        ] {
            let e =
                serde_yaml::from_str::<ContainerDecision>(&format!("{base}hardening: {{{body}}}"))
                    .unwrap_err()
                    .to_string();
            assert!(e.contains(expected), "{body}: {e}");
        }
        let full = Hardening {
            no_new_privileges: true,
            drop_capabilities: vec!["CHOWN".into()],
            read_only_root: true,
            tmpfs: vec!["/var/cache/nginx".into()],
            memory: Some("512m".into()),
            pids_limit: Some(256),
            read_only_binds: vec!["/data".into()],
            user: Some("101".into()),
        };
        let yaml = serde_yaml::to_string(&full).unwrap();
        assert_eq!(serde_yaml::from_str::<Hardening>(&yaml).unwrap(), full);
        assert!(HardeningItem::ALL.iter().all(|i| i.is_on(&full)));
    }

    #[test]
    fn memory_sizes() {
        assert_eq!(memory_bytes("512m"), Some(512 << 20));
        assert_eq!(memory_bytes("2G"), Some(2 << 30));
        assert_eq!(memory_bytes("4096"), Some(4096));
        for bad in ["", "0", "m", "12x", "-5m", "1.5g"] {
            assert_eq!(memory_bytes(bad), None, "{bad}");
        }
    }

    #[test]
    fn image_user_offered_only_when_overridden_to_root() {
        let mut img = crate::risk::testkit::image_for(&B::new("x").build(), false);
        img.user = Some("101:101".into());
        let root = B::new("x").user("0").build();
        assert_eq!(
            image_user_overridden(&root, Some(&img)).as_deref(),
            Some("101:101")
        );
        let own = B::new("x").user("101").build();
        assert_eq!(image_user_overridden(&own, Some(&img)), None);
        img.user = Some("root".into());
        assert_eq!(image_user_overridden(&root, Some(&img)), None);
        assert!(
            offer_reason(HardeningItem::User, &root, None).starts_with("no non-root user"),
            "no image, no offer"
        );
    }

    /// Podman's set is Docker's minus exactly the three the move drops.
    #[test]
    fn podman_defaults_are_docker_minus_three() {
        let mut docker: Vec<&str> = crate::model::DOCKER_DEFAULT_CAPS.to_vec();
        docker.retain(|c| !NOT_IN_PODMAN_DEFAULTS.contains(c));
        assert_eq!(docker, PODMAN_DEFAULT_CAPS);
    }
}
