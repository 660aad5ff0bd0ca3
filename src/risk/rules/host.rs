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
        id: "kernel-escape-cve",
        check: Check::Host(kernel_escape),
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

/// A kernel release as `uname -r` (and Docker's `KernelVersion`) spells it: the upstream
/// `MAJOR.MINOR.PATCH` it is based on, and whether anything follows (`6.1.0-18-amd64`,
/// `5.15.0-91-generic`, `5.14.0-362.el9.x86_64`, `6.7.3-arch1-1`): a distribution build,
/// whose fixes may be backported without the upstream number moving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    pub distribution_build: bool,
}

impl KernelVersion {
    /// `None` when the text does not start with `MAJOR.MINOR`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let core_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (core, rest) = text.split_at(core_end);
        let mut nums = core.trim_end_matches('.').split('.');
        let major = nums.next()?.parse().ok()?;
        let minor = nums.next()?.parse().ok()?;
        let patch = match nums.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        Some(Self {
            major,
            minor,
            patch,
            distribution_build: !rest.is_empty(),
        })
    }

    fn key(&self) -> (u32, u32, u32) {
        (self.major, self.minor, self.patch)
    }

    fn series(&self) -> (u32, u32) {
        (self.major, self.minor)
    }
}

/// A kernel bug used to escape containers, as upstream version ranges.
pub struct KernelCve {
    pub id: &'static str,
    pub name: &'static str,
    /// First affected upstream release.
    pub introduced: (u32, u32, u32),
    /// First mainline release with the fix: every series from it on is fixed.
    pub mainline_fix: (u32, u32),
    /// Stable series that received the fix, with the first fixed release of each.
    pub stable_fixes: &'static [(u32, u32, u32)],
    /// Other stable series got backports unroot does not list: a kernel of such a series
    /// may be fixed, so it is reported as "check", not as vulnerable.
    pub other_backports: bool,
    /// Only exploitable on a cgroup v1 host.
    pub cgroup_v1_only: bool,
}

/// Container escapes through the kernel, by upstream version. Fixed versions from the
/// kernel.org stable releases as recorded by the CVE records and NVD; a series not listed
/// here is reported as vulnerable only when no backport to it is known.
pub const KERNEL_ESCAPES: &[KernelCve] = &[
    KernelCve {
        id: "CVE-2016-5195",
        name: "Dirty COW",
        introduced: (2, 6, 22),
        mainline_fix: (4, 9),
        stable_fixes: &[(4, 4, 26), (4, 7, 9), (4, 8, 3)],
        other_backports: true,
        cgroup_v1_only: false,
    },
    KernelCve {
        id: "CVE-2022-0847",
        name: "Dirty Pipe",
        introduced: (5, 8, 0),
        mainline_fix: (5, 17),
        stable_fixes: &[(5, 10, 102), (5, 15, 25), (5, 16, 11)],
        other_backports: false,
        cgroup_v1_only: false,
    },
    KernelCve {
        id: "CVE-2022-0185",
        name: "fsconfig heap overflow",
        introduced: (5, 1, 0),
        mainline_fix: (5, 17),
        stable_fixes: &[(5, 4, 173), (5, 10, 93), (5, 15, 16), (5, 16, 2)],
        other_backports: false,
        cgroup_v1_only: false,
    },
    KernelCve {
        id: "CVE-2022-0492",
        name: "cgroup v1 release_agent",
        introduced: (2, 6, 24),
        mainline_fix: (5, 17),
        stable_fixes: &[],
        other_backports: true,
        cgroup_v1_only: true,
    },
    KernelCve {
        id: "CVE-2024-1086",
        name: "nf_tables use-after-free",
        introduced: (3, 15, 0),
        mainline_fix: (6, 8),
        stable_fixes: &[(5, 15, 149), (6, 1, 76), (6, 6, 15), (6, 7, 3)],
        other_backports: true,
        cgroup_v1_only: false,
    },
];

/// How a kernel stands against one CVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelExposure {
    /// Outside the affected range, or at or past the fix of its series.
    Fixed,
    /// An upstream kernel before the fix of its series (none exists for it).
    Vulnerable,
    /// Its upstream base is affected, but a fix may be in it: a distribution build, or a
    /// stable series with backports unroot does not list.
    Check,
}

impl KernelCve {
    /// The exposure of `k` by version alone.
    pub fn exposure(&self, k: &KernelVersion) -> KernelExposure {
        if k.key() < self.introduced || k.series() >= self.mainline_fix {
            return KernelExposure::Fixed;
        }
        let series_fix = self
            .stable_fixes
            .iter()
            .find(|(ma, mi, _)| (*ma, *mi) == k.series());
        match series_fix {
            Some(fix) if k.key() >= *fix => KernelExposure::Fixed,
            _ if k.distribution_build => KernelExposure::Check,
            None if self.other_backports => KernelExposure::Check,
            _ => KernelExposure::Vulnerable,
        }
    }

    /// `fixed in 6.8 (stable: 6.7.3, 6.6.15, ...)`.
    pub fn fixed_in(&self) -> String {
        let (ma, mi) = self.mainline_fix;
        let mut stable: Vec<String> = self
            .stable_fixes
            .iter()
            .rev()
            .map(|(a, b, c)| format!("{a}.{b}.{c}"))
            .collect();
        if self.other_backports {
            stable.push("other series: see their changelog".to_owned());
        }
        if stable.is_empty() {
            format!("fixed in {ma}.{mi}")
        } else {
            format!("fixed in {ma}.{mi} (stable: {})", stable.join(", "))
        }
    }
}

/// Known container-escape bugs in the host kernel, from Docker's `KernelVersion`.
///
/// Upstream kernels are compared with the fixed versions. Distribution kernels carry
/// backports under an unchanged upstream number (Debian's `6.1.0-18-amd64` is 6.1.76), so a
/// version string alone cannot say they are vulnerable: they are reported, at a lower
/// severity, as "check your distribution's advisory" with the CVEs their base was
/// affected by. A base already past every fix needs no check (backports only add fixes).
fn kernel_escape(host: &HostFacts) -> Option<Hit> {
    let text = host.kernel_version.as_deref()?;
    let kernel = KernelVersion::parse(text)?;
    let (mut vulnerable, mut check) = (Vec::new(), Vec::new());
    for cve in KERNEL_ESCAPES {
        if cve.cgroup_v1_only && host.cgroup_version == Some(CgroupVersion::V2) {
            continue;
        }
        let line = format!("{} ({}, {})", cve.id, cve.name, cve.fixed_in());
        match cve.exposure(&kernel) {
            KernelExposure::Fixed => {}
            KernelExposure::Vulnerable => vulnerable.push(line),
            KernelExposure::Check => check.push(line),
        }
    }
    let text = crate::render::text::one_line(text);
    if !vulnerable.is_empty() {
        let mut detail = format!(
            "kernel {text}: older than the fix for {}",
            vulnerable.join("; ")
        );
        if !check.is_empty() {
            detail += &format!("; check also {}", check.join("; "));
        }
        return Some(Hit::new(detail));
    }
    (!check.is_empty()).then(|| {
        let what = if kernel.distribution_build {
            "distribution kernel: its upstream base was affected by"
        } else {
            "its stable series may carry a backported fix for"
        };
        Hit::new(format!(
            "kernel {text}: {what} {}; check your distribution's advisory (or the kernel's changelog) for these CVEs",
            check.join("; ")
        ))
        .severity(Severity::Medium)
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
    fn kernel_versions_parse() {
        for (text, key, distro) in [
            ("6.1.76", (6, 1, 76), false),
            ("6.8", (6, 8, 0), false),
            ("6.1.0-18-amd64", (6, 1, 0), true),
            ("5.15.0-91-generic", (5, 15, 0), true),
            ("5.14.0-362.8.1.el9_3.x86_64", (5, 14, 0), true),
            ("6.7.3-arch1-1", (6, 7, 3), true),
            ("4.4.0-210-generic", (4, 4, 0), true),
        ] {
            let k = KernelVersion::parse(text).unwrap();
            assert_eq!((k.key(), k.distribution_build), (key, distro), "{text}");
        }
        assert!(KernelVersion::parse("linux").is_none());
        assert!(KernelVersion::parse("6").is_none());
    }

    fn cve(id: &str) -> &'static KernelCve {
        KERNEL_ESCAPES.iter().find(|c| c.id == id).unwrap()
    }

    /// Boundary versions of every listed CVE: the last affected and the first fixed
    /// release of each stable series, the first affected release and the mainline fix.
    #[test]
    fn kernel_cves_by_version_range() {
        use KernelExposure::{Check, Fixed, Vulnerable};
        let cases: &[(&str, &str, KernelExposure)] = &[
            // Dirty COW: 2.6.22 up to 4.8.3 / 4.7.9 / 4.4.26, fixed in 4.9.
            ("CVE-2016-5195", "2.6.21", Fixed),
            ("CVE-2016-5195", "2.6.22", Check),
            ("CVE-2016-5195", "4.4.25", Vulnerable),
            ("CVE-2016-5195", "4.4.26", Fixed),
            ("CVE-2016-5195", "4.7.8", Vulnerable),
            ("CVE-2016-5195", "4.7.9", Fixed),
            ("CVE-2016-5195", "4.8.2", Vulnerable),
            ("CVE-2016-5195", "4.8.3", Fixed),
            ("CVE-2016-5195", "4.6.7", Check),
            ("CVE-2016-5195", "4.9", Fixed),
            // Dirty Pipe: 5.8 up to 5.10.102 / 5.15.25 / 5.16.11, fixed in 5.17.
            ("CVE-2022-0847", "5.7.19", Fixed),
            ("CVE-2022-0847", "5.4.300", Fixed),
            ("CVE-2022-0847", "5.8.0", Vulnerable),
            ("CVE-2022-0847", "5.10.101", Vulnerable),
            ("CVE-2022-0847", "5.10.102", Fixed),
            ("CVE-2022-0847", "5.15.24", Vulnerable),
            ("CVE-2022-0847", "5.15.25", Fixed),
            ("CVE-2022-0847", "5.16.10", Vulnerable),
            ("CVE-2022-0847", "5.16.11", Fixed),
            ("CVE-2022-0847", "5.13.19", Vulnerable),
            ("CVE-2022-0847", "5.17", Fixed),
            ("CVE-2022-0847", "5.10.0-11-amd64", Check),
            // CVE-2022-0185: 5.1 up to 5.4.173 / 5.10.93 / 5.15.16 / 5.16.2, fixed in 5.17.
            ("CVE-2022-0185", "5.0.21", Fixed),
            ("CVE-2022-0185", "5.1", Vulnerable),
            ("CVE-2022-0185", "5.4.172", Vulnerable),
            ("CVE-2022-0185", "5.4.173", Fixed),
            ("CVE-2022-0185", "5.10.92", Vulnerable),
            ("CVE-2022-0185", "5.10.93", Fixed),
            ("CVE-2022-0185", "5.15.15", Vulnerable),
            ("CVE-2022-0185", "5.15.16", Fixed),
            ("CVE-2022-0185", "5.16.1", Vulnerable),
            ("CVE-2022-0185", "5.16.2", Fixed),
            ("CVE-2022-0185", "5.17.0", Fixed),
            // CVE-2022-0492: every kernel before 5.17; stable backports unlisted.
            ("CVE-2022-0492", "2.6.23", Fixed),
            ("CVE-2022-0492", "5.16.20", Check),
            ("CVE-2022-0492", "5.17", Fixed),
            // CVE-2024-1086: 3.15 up to 5.15.149 / 6.1.76 / 6.6.15 / 6.7.3, fixed in 6.8.
            ("CVE-2024-1086", "3.14.79", Fixed),
            ("CVE-2024-1086", "5.15.148", Vulnerable),
            ("CVE-2024-1086", "5.15.149", Fixed),
            ("CVE-2024-1086", "6.1.75", Vulnerable),
            ("CVE-2024-1086", "6.1.76", Fixed),
            ("CVE-2024-1086", "6.6.14", Vulnerable),
            ("CVE-2024-1086", "6.6.15", Fixed),
            ("CVE-2024-1086", "6.7.2", Vulnerable),
            ("CVE-2024-1086", "6.7.3", Fixed),
            ("CVE-2024-1086", "6.8.0", Fixed),
            ("CVE-2024-1086", "5.10.200", Check),
            ("CVE-2024-1086", "6.1.0-18-amd64", Check),
            ("CVE-2024-1086", "6.1.76-1-custom", Fixed),
        ];
        for (id, version, want) in cases {
            let k = KernelVersion::parse(version).unwrap();
            assert_eq!(cve(id).exposure(&k), *want, "{id} on {version}");
        }
        assert_eq!(
            cve("CVE-2022-0847").fixed_in(),
            "fixed in 5.17 (stable: 5.16.11, 5.15.25, 5.10.102)"
        );
    }

    #[test]
    fn kernel_rule_names_cves_and_fixes_and_is_honest_about_distributions() {
        let host = |kernel: &str, cgroup: CgroupVersion| HostFacts {
            kernel_version: Some(kernel.into()),
            cgroup_version: Some(cgroup),
            ..modern_host()
        };
        let hit = kernel_escape(&host("5.10.90", CgroupVersion::V2)).unwrap();
        assert_eq!(
            hit.severity, None,
            "upstream and vulnerable: the rule's severity"
        );
        for part in [
            "kernel 5.10.90: older than the fix for",
            "CVE-2022-0847 (Dirty Pipe, fixed in 5.17 (stable: 5.16.11, 5.15.25, 5.10.102))",
            "CVE-2022-0185",
            "check also CVE-2024-1086",
        ] {
            assert!(hit.detail.contains(part), "{part}: {}", hit.detail);
        }
        assert!(!hit.detail.contains("CVE-2022-0492"), "cgroup v2 host");
        let v1 = kernel_escape(&host("5.10.90", CgroupVersion::V1)).unwrap();
        assert!(v1.detail.contains("CVE-2022-0492"), "{}", v1.detail);

        let debian = kernel_escape(&host("6.1.0-18-amd64", CgroupVersion::V2)).unwrap();
        assert_eq!(debian.severity, Some(Severity::Medium));
        assert!(
            debian.detail.contains("distribution kernel"),
            "{}",
            debian.detail
        );
        assert!(debian.detail.contains("check your distribution's advisory"));
        assert!(debian.detail.contains("CVE-2024-1086"));
        assert!(
            !debian.detail.contains("CVE-2022-0847"),
            "6.1 was never affected"
        );

        for fixed in ["6.8.0", "6.12.0-1-amd64", "6.6.15", "6.1.76-arch1"] {
            assert!(
                kernel_escape(&host(fixed, CgroupVersion::V2)).is_none(),
                "{fixed}"
            );
        }
        assert!(kernel_escape(&modern_host()).is_none(), "no kernel version");
        assert!(kernel_escape(&host("unknown", CgroupVersion::V2)).is_none());
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
