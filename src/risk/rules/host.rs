//! Host-level findings from `GET /info` and `/version`: the runtime and kernel features every
//! container shares, and what the daemon's own mode means for the move.

use crate::model::{CgroupVersion, HostFacts};
use crate::risk::Severity;

use super::{Check, Hit, Rule};

pub const RULES: &[Rule] = &[
    Rule {
        id: "runc-vulnerable",
        check: Check::Host(runc_vulnerable),
    },
    Rule {
        id: "host-cgroup-v1",
        check: Check::Host(host_cgroup_v1),
    },
    Rule {
        id: "daemon-rootless",
        check: Check::Host(daemon_rootless),
    },
    Rule {
        id: "daemon-userns-remap",
        check: Check::Host(daemon_userns_remap),
    },
];

/// A parsed runc version: `1.1.12`, `1.0.0-rc6` (rc = 6), with whether it is a distribution
/// build (`1.1.5+ds1-1+deb12u1`, `1.1.7-0ubuntu1`) that may carry backported fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuncVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    pub rc: Option<u32>,
    pub distribution_build: bool,
}

impl RuncVersion {
    /// Parse what Docker reports (`runc_version`, or `RuncCommit.ID` when it is a version);
    /// `None` for a bare git commit hash, which says nothing about the version.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let core_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (core, rest) = text.split_at(core_end);
        let mut nums = core.split('.').map(|p| p.parse::<u32>().ok());
        let major = nums.next()??;
        let minor = nums.next()??;
        let patch = match nums.next() {
            Some(p) => p?,
            None => 0,
        };
        let rc = rest
            .strip_prefix("-rc")
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
        // A git-describe suffix (`-0-g51d5e94`) is upstream; anything else after the
        // version (`+ds1-1+deb12u1`, `-0ubuntu1`, `-1.el9`) is a distribution package.
        let upstream_suffix = rest.is_empty()
            || rc.is_some()
                && rest
                    .trim_start_matches("-rc")
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .is_empty()
            || is_git_describe(rest);
        Some(Self {
            major,
            minor,
            patch,
            rc,
            distribution_build: !upstream_suffix,
        })
    }

    fn key(&self) -> (u32, u32, u32, u32) {
        // A release candidate sorts before its release.
        (
            self.major,
            self.minor,
            self.patch,
            self.rc.unwrap_or(u32::MAX),
        )
    }

    /// Before 1.1.12: CVE-2024-21626.
    pub fn leaky_vessels(&self) -> bool {
        self.key() < (1, 1, 12, u32::MAX)
    }

    /// 1.0.0-rc6 and older: CVE-2019-5736.
    pub fn cve_2019_5736(&self) -> bool {
        self.key() <= (1, 0, 0, 6)
    }
}

fn is_git_describe(rest: &str) -> bool {
    let mut parts = rest.trim_start_matches('-').split('-');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(n), Some(g), None) if n.chars().all(|c| c.is_ascii_digit()) && g.starts_with('g'))
}

fn runc_vulnerable(host: &HostFacts) -> Option<Hit> {
    let text = host
        .runc_version
        .as_deref()
        .or(host.runc_commit.as_deref())?;
    let version = RuncVersion::parse(text)?;
    let mut cves = Vec::new();
    if version.cve_2019_5736() {
        cves.push("CVE-2019-5736");
    }
    if version.leaky_vessels() {
        cves.push("CVE-2024-21626");
    }
    if cves.is_empty() {
        return None;
    }
    let detail = format!("runc {text}: older than the fix for {}", cves.join(" and "));
    Some(if version.distribution_build {
        // Debian, Ubuntu and RHEL backport escape fixes without changing the upstream
        // version; the operator has to check the package changelog.
        Hit::new(format!(
            "{detail}; distribution build, check its changelog for a backported fix"
        ))
        .severity(Severity::Medium)
    } else {
        Hit::new(detail)
    })
}

fn host_cgroup_v1(host: &HostFacts) -> Option<Hit> {
    (host.cgroup_version == Some(CgroupVersion::V1)).then(|| {
        Hit::new(format!(
            "cgroup v1{}",
            host.cgroup_driver
                .as_deref()
                .map(|d| format!(" ({d} driver)"))
                .unwrap_or_default()
        ))
    })
}

fn daemon_rootless(host: &HostFacts) -> Option<Hit> {
    host.rootless
        .then(|| Hit::new("security option name=rootless"))
}

fn daemon_userns_remap(host: &HostFacts) -> Option<Hit> {
    host.userns_remap
        .then(|| Hit::new("security option name=userns"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::testkit::modern_host;

    fn with_runc(v: &str) -> HostFacts {
        HostFacts {
            runc_version: Some(v.into()),
            ..modern_host()
        }
    }

    #[test]
    fn runc_versions_parse() {
        let v = RuncVersion::parse("1.1.5+ds1-1+deb12u1").unwrap();
        assert_eq!(
            (v.major, v.minor, v.patch, v.distribution_build),
            (1, 1, 5, true)
        );
        let v = RuncVersion::parse("v1.1.12-0-g51d5e94").unwrap();
        assert!(!v.distribution_build && !v.leaky_vessels());
        let v = RuncVersion::parse("1.0.0-rc6").unwrap();
        assert!(v.cve_2019_5736() && v.leaky_vessels() && !v.distribution_build);
        assert!(!RuncVersion::parse("1.0.0-rc92").unwrap().cve_2019_5736());
        assert!(RuncVersion::parse("51d5e94601ceffbbd85688df1c928ecccbfa4685").is_none());
    }

    #[test]
    fn runc_rule() {
        let hit = runc_vulnerable(&with_runc("1.1.11")).unwrap();
        assert!(hit.detail.contains("CVE-2024-21626") && hit.severity.is_none());
        let hit = runc_vulnerable(&with_runc("1.0.0-rc5")).unwrap();
        assert!(hit.detail.contains("CVE-2019-5736"));
        let hit = runc_vulnerable(&with_runc("1.1.5+ds1-1+deb12u1")).unwrap();
        assert_eq!(hit.severity, Some(Severity::Medium));
        assert!(runc_vulnerable(&with_runc("1.1.12")).is_none());
        assert!(runc_vulnerable(&with_runc("1.2.0")).is_none());
        assert!(runc_vulnerable(&HostFacts::default()).is_none());
        // RuncCommit.ID used when no version is reported.
        let host = HostFacts {
            runc_commit: Some("v1.1.4-0-g5fd4c4d".into()),
            ..HostFacts::default()
        };
        assert!(runc_vulnerable(&host).is_some());
    }

    #[test]
    fn cgroup_and_daemon_modes() {
        let v1 = HostFacts {
            cgroup_version: Some(CgroupVersion::V1),
            ..modern_host()
        };
        assert!(host_cgroup_v1(&v1).is_some());
        assert!(host_cgroup_v1(&modern_host()).is_none());
        assert!(
            daemon_rootless(&HostFacts {
                rootless: true,
                ..modern_host()
            })
            .is_some()
        );
        assert!(daemon_rootless(&modern_host()).is_none());
        assert!(
            daemon_userns_remap(&HostFacts {
                userns_remap: true,
                ..modern_host()
            })
            .is_some()
        );
        assert!(daemon_userns_remap(&modern_host()).is_none());
    }
}
