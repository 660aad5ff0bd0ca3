//! Escape patterns beyond CIS: configurations with a known, published way out of the
//! container, plus the hygiene issues (secrets in env, unpinned images) attackers rely on.

use crate::model::{NamespaceMode, secret};
use crate::risk::Severity;

use super::{Check, Ctx, Hit, Rule, bind_mounts, cap_added, cap_effective, join, path_under};

pub const RULES: &[Rule] = &[
    Rule {
        id: "cap-sys-admin",
        check: Check::Container(cap_sys_admin),
    },
    Rule {
        id: "cap-sys-ptrace-host-pid",
        check: Check::Container(cap_sys_ptrace_host_pid),
    },
    Rule {
        id: "cap-dac-read-search",
        check: Check::Container(cap_dac_read_search),
    },
    Rule {
        id: "cap-sys-module",
        check: Check::Container(cap_sys_module),
    },
    Rule {
        id: "systempaths-unconfined",
        check: Check::Container(systempaths_unconfined),
    },
    Rule {
        id: "workdir-proc-fd",
        check: Check::Container(workdir_proc_fd),
    },
    Rule {
        id: "secret-env",
        check: Check::Container(secret_env),
    },
    Rule {
        id: "image-latest",
        check: Check::Container(image_latest),
    },
];

/// Explicit adds only: `privileged` already reports the full set.
fn cap_sys_admin(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    (!c.privileged && cap_added(c, "SYS_ADMIN")).then(|| {
        Hit::new(if c.capabilities.add_all {
            "cap-add ALL includes SYS_ADMIN"
        } else {
            "cap-add SYS_ADMIN"
        })
    })
}

fn cap_sys_ptrace_host_pid(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    (c.pid_mode == NamespaceMode::Host && cap_effective(c, "SYS_PTRACE")).then(|| {
        Hit::new(if c.privileged {
            "--pid host with --privileged (SYS_PTRACE included)"
        } else {
            "--pid host with SYS_PTRACE"
        })
    })
}

fn cap_dac_read_search(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    (!c.privileged && cap_added(c, "DAC_READ_SEARCH")).then(|| Hit::new("cap-add DAC_READ_SEARCH"))
}

fn cap_sys_module(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged || !cap_added(c, "SYS_MODULE") {
        return None;
    }
    let modules = bind_mounts(c).find(|m| path_under(&m.source, "/lib/modules"));
    Some(Hit::new(match modules {
        Some(m) => format!("cap-add SYS_MODULE with {} mounted", m.source),
        None => "cap-add SYS_MODULE".to_string(),
    }))
}

/// `systempaths=unconfined`, or masks emptied some other way (privileged is its own rule).
fn systempaths_unconfined(ctx: &Ctx) -> Option<Hit> {
    let c = ctx.container;
    if c.privileged {
        return None;
    }
    if c.security.systempaths_unconfined {
        return Some(Hit::new("security option systempaths=unconfined"));
    }
    c.masked_paths
        .as_ref()
        .is_some_and(Vec::is_empty)
        .then(|| Hit::new("no masked paths under /proc and /sys"))
}

/// CVE-2024-21626: `/proc/self/fd/N`, `/proc/thread-self/fd/N` or `/proc/PID/fd/N`.
fn workdir_proc_fd(ctx: &Ctx) -> Option<Hit> {
    let container_dir = ctx.container.working_dir.as_deref();
    let image_dir = ctx.image.and_then(|i| i.working_dir.as_deref());
    [container_dir, image_dir]
        .into_iter()
        .flatten()
        .find(|d| is_proc_fd_path(d))
        .map(|d| Hit::new(format!("working directory {d}")))
}

fn is_proc_fd_path(dir: &str) -> bool {
    let mut parts = dir.trim_start_matches('/').split('/');
    parts.next() == Some("proc")
        && parts.next().is_some_and(|p| {
            p == "self" || p == "thread-self" || p.chars().all(|c| c.is_ascii_digit())
        })
        && parts.next() == Some("fd")
}

/// Names only; empty variables are skipped (nothing to leak). Image ENV counts as well:
/// secrets baked into images leak through every registry copy.
fn secret_env(ctx: &Ctx) -> Option<Hit> {
    let mut names: Vec<&str> = ctx
        .container
        .env
        .iter()
        .filter(|e| !e.value.is_empty() && secret::is_secret(&e.name, &e.value))
        .map(|e| e.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then(|| Hit::new(format!("variables {}", join(&names))))
}

/// `:latest`, no tag at all, or a bare image ID. Digests are pinned.
fn image_latest(ctx: &Ctx) -> Option<Hit> {
    let reference = ctx.container.image.trim();
    if reference.contains('@') || reference.is_empty() {
        return None;
    }
    if reference.starts_with("sha256:")
        || (reference.len() >= 12 && reference.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Some(
            Hit::new(format!(
                "created from image ID {reference} (no name or tag)"
            ))
            .severity(Severity::Info),
        );
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        Some((_, "latest")) => Some(Hit::new(format!("image {reference}"))),
        Some(_) => None,
        None => Some(Hit::new(format!(
            "image {reference} has no tag (means :latest)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::testkit::{fires, image_for, inventory, plain, run, run_in};

    #[test]
    fn sys_admin() {
        assert!(fires(cap_sys_admin, plain().cap_add("SYS_ADMIN")));
        assert!(fires(cap_sys_admin, plain().cap_add("ALL")));
        assert!(!fires(cap_sys_admin, plain().privileged()));
        assert!(!fires(cap_sys_admin, plain().cap_add("NET_ADMIN")));
    }

    #[test]
    fn ptrace_needs_host_pid() {
        let c = plain()
            .cap_add("SYS_PTRACE")
            .pid(NamespaceMode::Host)
            .build();
        assert!(run(cap_sys_ptrace_host_pid, c).is_some());
        assert!(fires(
            cap_sys_ptrace_host_pid,
            plain().privileged().pid(NamespaceMode::Host)
        ));
        assert!(!fires(
            cap_sys_ptrace_host_pid,
            plain().cap_add("SYS_PTRACE")
        ));
        assert!(!fires(
            cap_sys_ptrace_host_pid,
            plain().pid(NamespaceMode::Host)
        ));
    }

    #[test]
    fn shocker() {
        assert!(fires(
            cap_dac_read_search,
            plain().cap_add("CAP_DAC_READ_SEARCH")
        ));
        assert!(!fires(cap_dac_read_search, plain()));
    }

    #[test]
    fn sys_module_mentions_lib_modules() {
        let c = plain()
            .cap_add("SYS_MODULE")
            .bind("/lib/modules", "/lib/modules", true)
            .build();
        assert!(
            run(cap_sys_module, c)
                .unwrap()
                .detail
                .contains("/lib/modules")
        );
        assert!(!fires(cap_sys_module, plain()));
    }

    #[test]
    fn systempaths() {
        assert!(fires(
            systempaths_unconfined,
            plain().security_opt("systempaths=unconfined")
        ));
        assert!(!fires(systempaths_unconfined, plain()));
        assert!(!fires(systempaths_unconfined, plain().privileged()));
    }

    #[test]
    fn leaky_vessels_workdir() {
        for dir in ["/proc/self/fd/7", "/proc/thread-self/fd/8/", "/proc/1/fd/5"] {
            assert!(fires(workdir_proc_fd, plain().working_dir(dir)), "{dir}");
        }
        assert!(!fires(workdir_proc_fd, plain().working_dir("/app")));
        assert!(!fires(
            workdir_proc_fd,
            plain().working_dir("/proc-data/fd")
        ));
        // From the image too.
        let c = plain().build();
        let mut inv = inventory(vec![c.clone()]);
        let mut img = image_for(&c, true);
        img.working_dir = Some("/proc/self/fd/9".into());
        inv.images.push(img);
        assert!(run_in(workdir_proc_fd, &inv).is_some());
    }

    #[test]
    fn secret_env_never_carries_values() {
        let c = plain()
            .env("POSTGRES_PASSWORD", "hunter2-very-secret")
            .env("API_TOKEN", "tok-123456")
            .env("EMPTY_SECRET", "")
            .env("TZ", "UTC")
            .build();
        let hit = run(secret_env, c).unwrap();
        assert_eq!(hit.detail, "variables API_TOKEN, POSTGRES_PASSWORD");
        assert!(!hit.detail.contains("hunter2") && !hit.detail.contains("tok-"));
        assert!(!fires(secret_env, plain().env("TZ", "UTC")));
    }

    #[test]
    fn unpinned_images() {
        assert!(fires(image_latest, plain().image("nginx:latest")));
        assert!(fires(image_latest, plain().image("nginx")));
        assert!(fires(
            image_latest,
            plain().image("localhost:5000/team/app")
        ));
        let id = run(
            image_latest,
            plain().image("sha256:0123456789abcdef").build(),
        )
        .unwrap();
        assert_eq!(id.severity, Some(Severity::Info));
        assert!(!fires(image_latest, plain().image("nginx:1.25")));
        assert!(!fires(image_latest, plain().image("localhost:5000/app:2")));
        assert!(!fires(image_latest, plain().image("nginx@sha256:abc")));
    }
}
