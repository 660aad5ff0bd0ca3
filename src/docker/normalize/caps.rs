//! Capabilities: `cap_add`/`cap_drop` as Docker stored them, to one normalized set.

use crate::model::Capabilities;

pub use crate::model::DOCKER_DEFAULT_CAPS;

/// Every capability a current Linux kernel knows (what `--privileged` or `--cap-add ALL` grant).
pub const ALL_CAPS: [&str; 41] = [
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "BPF",
    "CHECKPOINT_RESTORE",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "PERFMON",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYSLOG",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "WAKE_ALARM",
];

pub use crate::model::normalize_cap;

/// The effective set follows moby's `TweakCapabilities`: `ALL` in adds grants everything
/// not dropped; `ALL` in drops keeps only the adds; otherwise defaults minus drops plus adds.
pub fn capabilities(cap_add: &[String], cap_drop: &[String], privileged: bool) -> Capabilities {
    let adds: Vec<String> = cap_add.iter().map(|c| normalize_cap(c)).collect();
    let drops: Vec<String> = cap_drop.iter().map(|c| normalize_cap(c)).collect();
    let add_all = privileged || adds.iter().any(|c| c == "ALL");
    let drop_all = drops.iter().any(|c| c == "ALL");
    let added: Vec<String> = sorted_unique(adds.iter().filter(|c| *c != "ALL").cloned());
    let dropped: Vec<String> = sorted_unique(drops.iter().filter(|c| *c != "ALL").cloned());

    let effective: Vec<String> = if privileged {
        ALL_CAPS.iter().map(|c| (*c).to_owned()).collect()
    } else if add_all {
        ALL_CAPS
            .iter()
            .filter(|c| !dropped.iter().any(|d| d == *c))
            .map(|c| (*c).to_owned())
            .collect()
    } else if drop_all {
        added.clone()
    } else {
        let kept = DOCKER_DEFAULT_CAPS
            .iter()
            .filter(|c| !dropped.iter().any(|d| d == *c))
            .map(|c| (*c).to_owned());
        sorted_unique(kept.chain(added.iter().cloned()))
    };
    Capabilities {
        added,
        dropped,
        add_all,
        drop_all,
        effective: sorted_unique(effective.into_iter()),
    }
}

fn sorted_unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn prefix_and_case_are_normalized() {
        for raw in [
            "NET_ADMIN",
            "CAP_NET_ADMIN",
            "cap_net_admin",
            "net_admin",
            " Net_Admin ",
        ] {
            assert_eq!(normalize_cap(raw), "NET_ADMIN", "{raw}");
        }
    }

    #[test]
    fn defaults_minus_drops_plus_adds() {
        let c = capabilities(&s(&["CAP_SYS_ADMIN"]), &s(&["net_raw", "CAP_MKNOD"]), false);
        assert_eq!(c.added, s(&["SYS_ADMIN"]));
        assert_eq!(c.dropped, s(&["MKNOD", "NET_RAW"]));
        assert!(c.effective.contains(&"SYS_ADMIN".to_owned()));
        assert!(c.effective.contains(&"CHOWN".to_owned()));
        assert!(!c.effective.contains(&"NET_RAW".to_owned()));
        assert_eq!(c.effective.len(), 14 - 2 + 1);
        assert!(!c.add_all && !c.drop_all);
    }

    #[test]
    fn drop_all_keeps_only_adds() {
        let c = capabilities(&s(&["NET_BIND_SERVICE"]), &s(&["all"]), false);
        assert!(c.drop_all);
        assert_eq!(c.effective, s(&["NET_BIND_SERVICE"]));
        assert!(c.dropped.is_empty());
    }

    #[test]
    fn add_all_minus_drops() {
        let c = capabilities(&s(&["ALL"]), &s(&["SYS_ADMIN"]), false);
        assert!(c.add_all);
        assert_eq!(c.effective.len(), ALL_CAPS.len() - 1);
        assert!(!c.effective.contains(&"SYS_ADMIN".to_owned()));
    }

    #[test]
    fn privileged_has_every_cap() {
        let c = capabilities(&[], &s(&["NET_RAW"]), true);
        assert!(c.add_all);
        assert_eq!(c.effective.len(), ALL_CAPS.len());
    }

    #[test]
    fn no_caps_configured_means_docker_defaults() {
        let c = capabilities(&[], &[], false);
        assert_eq!(c.effective, s(&DOCKER_DEFAULT_CAPS));
    }
}
