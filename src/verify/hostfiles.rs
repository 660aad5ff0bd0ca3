//! Host facts the Podman API does not expose, read from files on THIS machine.
//!
//! `/etc/subuid` and `/etc/subgid` are read under a target root (default `/`; `--target-root`
//! or `UNROOT_TARGET_ROOT` for a sandboxed or mounted target). The unprivileged-port sysctl
//! is per network namespace and read from this machine's `/proc`: unroot must run on the
//! target host (or share its network namespace) for that value to mean anything; so are
//! the default routes pasta needs (`/proc/net/route`, `/proc/net/ipv6_route`).
//!
//! For the readiness of Podman networks and pasta it also reads, under the root, the
//! `[network]` settings of containers.conf (system and per-user files), which firewall tools
//! netavark could run, and where aardvark-dns is installed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::facts::{AppArmorState, ContainersConf, HostFiles, SubIdLine};

const PORT_START: &str = "/proc/sys/net/ipv4/ip_unprivileged_port_start";
const APPARMOR_ENABLED: &str = "/sys/module/apparmor/parameters/enabled";
const APPARMOR_PROFILES: &str = "/sys/kernel/security/apparmor/profiles";
const ROUTE_V4: &str = "/proc/net/route";
const ROUTE_V6: &str = "/proc/net/ipv6_route";
/// containers.conf files Podman reads before the user's own, in its order.
const SYSTEM_CONF: [&str; 2] = [
    "usr/share/containers/containers.conf",
    "etc/containers/containers.conf",
];
const SYSTEM_CONF_DIR: &str = "etc/containers/containers.conf.d";
const USER_CONF: &str = ".config/containers/containers.conf";
const USER_CONF_DIR: &str = ".config/containers/containers.conf.d";
/// Where netavark looks for the tools of its firewall drivers.
const BIN_DIRS: [&str; 4] = ["usr/sbin", "usr/bin", "sbin", "bin"];
const FIREWALL_TOOLS: [&str; 2] = ["nft", "iptables"];
/// Podman's helper directories (`helper_binaries_dir`) that hold aardvark-dns.
const HELPER_DIRS: [&str; 4] = [
    "usr/libexec/podman",
    "usr/lib/podman",
    "usr/local/libexec/podman",
    "usr/local/lib/podman",
];

/// Read the host files under `root`.
pub fn read(root: &Path) -> HostFiles {
    let mut out = HostFiles {
        root: root.display().to_string(),
        ..Default::default()
    };
    out.subuid = read_subids(&under(root, "etc/subuid"), &mut out.errors);
    out.subgid = read_subids(&under(root, "etc/subgid"), &mut out.errors);
    let mut homes = BTreeMap::new();
    match fs::read_to_string(under(root, "etc/passwd")) {
        Ok(text) => {
            out.users = parse_passwd(&text);
            homes = parse_homes(&text);
        }
        Err(err) => out
            .errors
            .push(format!("{}: {err}", under(root, "etc/passwd").display())),
    }
    out.default_route_interfaces = read_default_routes(&mut out.errors);
    out.containers_conf = read_containers_conf(root, &homes);
    out.firewall_tools = FIREWALL_TOOLS
        .iter()
        .filter(|tool| BIN_DIRS.iter().any(|d| root.join(d).join(tool).is_file()))
        .map(|tool| tool.to_string())
        .collect();
    out.aardvark_dns = HELPER_DIRS
        .iter()
        .map(|d| Path::new("/").join(d).join("aardvark-dns"))
        .find(|p| under(root, p.to_str().unwrap_or_default().trim_start_matches('/')).is_file())
        .map(|p| p.display().to_string());
    out.apparmor = read_apparmor(
        fs::read_to_string(APPARMOR_ENABLED).ok().as_deref(),
        fs::read_to_string(APPARMOR_PROFILES).ok().as_deref(),
    );
    match fs::read_to_string(PORT_START) {
        Ok(text) => match text.trim().parse() {
            Ok(v) => out.unprivileged_port_start = Some(v),
            Err(_) => out
                .errors
                .push(format!("{PORT_START}: unexpected value {:?}", text.trim())),
        },
        Err(err) => out.errors.push(format!("{PORT_START}: {err}")),
    }
    out
}

/// AppArmor of this machine (the kernel's, like the sysctl: unroot must run on the target)
/// from the module's `enabled` flag (`Y`) and the loaded profiles, one `name (mode)` a line.
pub fn read_apparmor(enabled: Option<&str>, profiles: Option<&str>) -> AppArmorState {
    if enabled.map(str::trim) != Some("Y") {
        return AppArmorState::Disabled;
    }
    match profiles {
        None => AppArmorState::Unreadable,
        Some(text) => AppArmorState::Loaded(
            text.lines()
                .filter_map(|l| {
                    let l = l.trim_end();
                    // `name (enforce)`: the name may itself hold spaces.
                    let name = l.rsplit_once(" (").map_or(l, |(n, _)| n);
                    (!name.is_empty()).then(|| name.to_owned())
                })
                .collect(),
        ),
    }
}

fn under(root: &Path, rel: &str) -> PathBuf {
    root.join(rel)
}

/// Interfaces with a usable default route in this machine's network namespace (IPv4 and
/// IPv6); `None` when neither routing table could be read.
fn read_default_routes(errors: &mut Vec<String>) -> Option<Vec<String>> {
    let v4 = fs::read_to_string(ROUTE_V4).map_err(|e| format!("{ROUTE_V4}: {e}"));
    let v6 = fs::read_to_string(ROUTE_V6).map_err(|e| format!("{ROUTE_V6}: {e}"));
    if let (Err(a), Err(b)) = (&v4, &v6) {
        errors.push(format!("{a}; {b}"));
        return None;
    }
    let mut out = default_routes_v4(v4.as_deref().unwrap_or_default());
    for iface in default_routes_v6(v6.as_deref().unwrap_or_default()) {
        if !out.contains(&iface) {
            out.push(iface);
        }
    }
    Some(out)
}

/// `/proc/net/route`: destination and mask 0, flag RTF_UP, not on the loopback.
pub fn default_routes_v4(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let flags = u32::from_str_radix(f.get(3)?, 16).ok()?;
            (f.get(1)? == &"00000000" && f.get(7)? == &"00000000" && flags & 0x1 != 0)
                .then(|| f[0].to_string())
        })
        .filter(|iface| iface != "lo")
        .collect()
}

/// `/proc/net/ipv6_route`: `::/0`, flag RTF_UP, not RTF_REJECT (the kernel's
/// "unreachable" default), not on the loopback.
pub fn default_routes_v6(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let flags = u32::from_str_radix(f.get(8)?, 16).ok()?;
            let default = f[0].bytes().all(|b| b == b'0') && f.get(1)? == &"00";
            (default && flags & 0x1 != 0 && flags & 0x200 == 0)
                .then(|| f.get(9).map(|s| s.to_string()))?
        })
        .filter(|iface| iface != "lo")
        .collect()
}

/// `name -> home` of every `/etc/passwd` line.
fn parse_homes(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((f.first()?.to_string(), f.get(5)?.to_string()))
        })
        .collect()
}

/// The containers.conf files that exist under `root`: the system ones in Podman's order,
/// then each user's (only files that exist; a missing one is normal).
fn read_containers_conf(root: &Path, homes: &BTreeMap<String, String>) -> Vec<ContainersConf> {
    let mut files: Vec<(PathBuf, Option<String>)> =
        SYSTEM_CONF.iter().map(|p| (root.join(p), None)).collect();
    files.extend(
        conf_dir(&root.join(SYSTEM_CONF_DIR))
            .into_iter()
            .map(|p| (p, None)),
    );
    for (user, home) in homes {
        let home = home.trim_start_matches('/');
        if home.is_empty() {
            continue;
        }
        let base = root.join(home);
        files.push((base.join(USER_CONF), Some(user.clone())));
        files.extend(
            conf_dir(&base.join(USER_CONF_DIR))
                .into_iter()
                .map(|p| (p, Some(user.clone()))),
        );
    }
    files
        .into_iter()
        .filter_map(|(path, owner)| {
            let text = fs::read_to_string(&path).ok()?;
            let (firewall_driver, pasta_interface) = parse_network_conf(&text);
            Some(ContainersConf {
                path: path.display().to_string(),
                owner,
                firewall_driver,
                pasta_interface,
            })
        })
        .collect()
}

/// `*.conf` in a containers.conf.d directory, sorted as Podman reads them.
fn conf_dir(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
        .collect();
    out.sort();
    out
}

/// `(firewall_driver, pasta interface)` from the `[network]` table of a containers.conf:
/// a line-based reading of the two keys (arrays may span lines), enough for these values.
pub fn parse_network_conf(text: &str) -> (Option<String>, Option<String>) {
    let mut in_network = false;
    let mut driver = None;
    let mut pasta_options: Option<String> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            in_network = line.trim_start_matches('[').trim_end_matches(']').trim() == "network";
            continue;
        }
        if !in_network {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim() {
            "firewall_driver" => driver = quoted(value).into_iter().next(),
            "pasta_options" => {
                let mut value = value.to_string();
                while value.contains('[') && !value.contains(']') {
                    let Some(next) = lines.next() else { break };
                    value.push(' ');
                    value.push_str(next.split('#').next().unwrap_or_default());
                }
                pasta_options = Some(value);
            }
            _ => {}
        }
    }
    let interface = pasta_options.and_then(|v| {
        let args = quoted(&v);
        args.iter().enumerate().find_map(|(i, a)| match a.as_str() {
            "-i" | "--interface" => args.get(i + 1).cloned(),
            _ => a.strip_prefix("--interface=").map(String::from),
        })
    });
    (driver, interface)
}

/// The "double" or 'single' quoted strings in a TOML value, in order.
fn quoted(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            out.push(chars.by_ref().take_while(|&d| d != c).collect());
        } else if c == '#' {
            break;
        }
    }
    out
}

fn read_subids(path: &Path, errors: &mut Vec<String>) -> Option<Vec<SubIdLine>> {
    match fs::read_to_string(path) {
        Ok(text) => Some(parse_subids(&text)),
        // A missing file means "no ranges", which the checks report as such.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Some(Vec::new()),
        Err(err) => {
            errors.push(format!("{}: {err}", path.display()));
            None
        }
    }
}

/// Parse `name:start:count` lines; comments, blanks and malformed lines are skipped
/// (shadow-utils ignores them too).
pub fn parse_subids(text: &str) -> Vec<SubIdLine> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split(':');
            let owner = parts.next()?.to_string();
            let start = parts.next()?.trim().parse().ok()?;
            let count = parts.next()?.trim().parse().ok()?;
            Some(SubIdLine {
                owner,
                start,
                count,
            })
        })
        .collect()
}

/// `name -> UID` of every `/etc/passwd` line.
pub fn parse_passwd(text: &str) -> std::collections::BTreeMap<String, u32> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?.to_string();
            f.next()?;
            Some((name, f.next()?.parse().ok()?))
        })
        .collect()
}

/// The UID of `user` in `ROOT/etc/passwd` (subid files may name either).
pub fn passwd_uid(root: &Path, user: &str) -> Option<u32> {
    let text = fs::read_to_string(under(root, "etc/passwd")).ok()?;
    parse_passwd(&text).get(user).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_skips_junk() {
        let lines = parse_subids("# c\nalice:100000:65536\n\nbad line\n1001:200000:65536\nx:1:\n");
        assert_eq!(
            lines,
            vec![
                SubIdLine {
                    owner: "alice".into(),
                    start: 100000,
                    count: 65536
                },
                SubIdLine {
                    owner: "1001".into(),
                    start: 200000,
                    count: 65536
                },
            ]
        );
    }

    #[test]
    fn finds_default_routes_but_not_loopback_or_unreachable() {
        let v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                  docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\n\
                  ens3\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\n";
        assert_eq!(default_routes_v4(v4), vec!["ens3".to_string()]);
        // Only docker0's subnet route: no default route at all.
        let none = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                    docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\n";
        assert!(default_routes_v4(none).is_empty());
        let v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000002 00000400 00000001 00000000 00000003 ens3\n\
                  00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n";
        assert_eq!(default_routes_v6(v6), vec!["ens3".to_string()]);
        assert!(default_routes_v6(v6.lines().nth(1).unwrap()).is_empty());
    }

    #[test]
    fn reads_firewall_driver_and_pasta_interface_from_the_network_table() {
        let conf = "[engine]\nfirewall_driver = \"iptables\"\n\n[network]\n\
                    # firewall_driver = \"none\"\nfirewall_driver = \"nftables\"\n\
                    pasta_options = [\"-a\", \"10.0.2.0\",\n  \"-i\", \"eth1\"]\n";
        assert_eq!(
            parse_network_conf(conf),
            (Some("nftables".into()), Some("eth1".into()))
        );
        let eq = "[network]\npasta_options = ['--interface=ens5']\n";
        assert_eq!(parse_network_conf(eq), (None, Some("ens5".into())));
        assert_eq!(
            parse_network_conf("[network]\npasta_options = [\"-4\"]\n"),
            (None, None)
        );
        assert_eq!(
            parse_network_conf("[engine]\npasta_options = [\"-i\", \"x\"]\n"),
            (None, None)
        );
    }

    #[test]
    fn finds_tools_helpers_and_user_conf_under_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        for d in [
            "etc/containers",
            "usr/sbin",
            "usr/lib/podman",
            "home/svc/.config/containers",
        ] {
            fs::create_dir_all(r.join(d)).unwrap();
        }
        fs::write(
            r.join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\nsvc:x:1001:1001::/home/svc:/bin/sh\n",
        )
        .unwrap();
        fs::write(r.join("usr/sbin/nft"), "").unwrap();
        fs::write(r.join("usr/lib/podman/aardvark-dns"), "").unwrap();
        fs::write(
            r.join("etc/containers/containers.conf"),
            "[network]\nfirewall_driver=\"iptables\"\n",
        )
        .unwrap();
        fs::write(
            r.join("home/svc/.config/containers/containers.conf"),
            "[network]\npasta_options=[\"-i\",\"ens3\"]\n",
        )
        .unwrap();
        let files = read(r);
        assert_eq!(files.firewall_tools, vec!["nft".to_string()]);
        assert_eq!(
            files.aardvark_dns.as_deref(),
            Some("/usr/lib/podman/aardvark-dns")
        );
        assert_eq!(
            files.containers_conf.len(),
            2,
            "{:?}",
            files.containers_conf
        );
        assert_eq!(files.containers_conf[0].owner, None);
        assert_eq!(
            files.containers_conf[0].firewall_driver.as_deref(),
            Some("iptables")
        );
        assert_eq!(files.containers_conf[1].owner.as_deref(), Some("svc"));
        assert_eq!(
            files.containers_conf[1].pasta_interface.as_deref(),
            Some("ens3")
        );
    }

    #[test]
    fn reads_under_a_root() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::write(dir.path().join("etc/subuid"), "bob:300000:65536\n").unwrap();
        fs::write(
            dir.path().join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\nbob:x:1005:1005::/home/bob:/bin/sh\n",
        )
        .unwrap();
        let files = read(dir.path());
        assert_eq!(files.subuid.as_ref().unwrap()[0].owner, "bob");
        // No subgid file: no ranges, not an error.
        assert_eq!(files.subgid, Some(Vec::new()));
        assert_eq!(passwd_uid(dir.path(), "bob"), Some(1005));
        assert_eq!(passwd_uid(dir.path(), "nobody"), None);
        assert_eq!(files.users.get("bob"), Some(&1005));
    }
}
