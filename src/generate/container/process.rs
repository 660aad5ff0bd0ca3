//! Process mappers: kernel and resource limits, health, labels, host identity (hostname,
//! hosts, DNS), working directory and stop settings, logging, restart and boot.

use super::super::keys::{PodmanVersion, container as k};
use super::super::{ImageTransfer, NoteLevel, TransferMethod};
use super::{DOCKER_DEFAULT_SHM, Gen, duration};
use crate::model::{
    ContainerState, Healthcheck, NetworkChoice, Resources, RestartPolicy, RestartPolicyName, Ulimit,
};
use std::collections::BTreeMap;

/// The settings that name the container to itself and to DNS; a pod member's belong on
/// the pod.
pub(super) struct HostIdentity<'a> {
    pub(super) hostname: Option<&'a str>,
    pub(super) domainname: Option<&'a str>,
    pub(super) extra_hosts: &'a [String],
    pub(super) dns: &'a [String],
    pub(super) dns_search: &'a [String],
    pub(super) dns_options: &'a [String],
}

impl Gen<'_> {
    /// `Sysctl=`, `Ulimit=` and `ShmSize=` (Docker's default size needs no key).
    pub(super) fn kernel(
        &mut self,
        sysctls: &BTreeMap<String, String>,
        ulimits: &[Ulimit],
        shm_size: Option<i64>,
    ) {
        let sysctls: Vec<String> = sysctls.iter().map(|(k, v)| format!("{k}={v}")).collect();
        self.sec.set_words(k::SYSCTL, &sysctls);
        for u in ulimits {
            self.sec
                .set(k::ULIMIT, format!("{}={}:{}", u.name, u.soft, u.hard));
        }
        if !ulimits.is_empty() {
            self.note(NoteLevel::Info, "HostConfig.Ulimits", "a rootless user cannot raise hard limits above its own: check ulimit -Hn of the user, or raise it in /etc/security/limits.d");
        }
        if let Some(shm) = shm_size.filter(|s| *s > 0 && *s != DOCKER_DEFAULT_SHM) {
            self.sec.set(k::SHM_SIZE, format!("{shm}b"));
        }
    }

    /// `Memory=` and `PidsLimit=` as keys, every other limit as podman flags; any limit
    /// needs delegated cgroup controllers, which the note explains.
    pub(super) fn resources(&mut self, r: &Resources) {
        let mut limited = false;
        let h = &self.decision.hardening;
        // Docker's own limit wins; the plan's hardening adds one only where Docker had none.
        let memory = r
            .memory
            .filter(|m| *m > 0)
            .map(|m| format!("{m}b"))
            .or_else(|| h.memory.clone());
        if let Some(mem) = memory {
            self.sec.set(k::MEMORY, mem);
            limited = true;
        }
        let pids = r
            .pids_limit
            .filter(|p| *p > 0)
            .or_else(|| h.pids_limit.filter(|p| *p > 0).map(i64::from));
        if let Some(p) = pids {
            self.sec.set(k::PIDS_LIMIT, p.to_string());
            limited = true;
        }
        let extra = resource_flags(r);
        if !extra.is_empty() {
            limited = true;
            self.sec.podman_args(&extra, "HostConfig resources");
        }
        if limited {
            self.note(
                NoteLevel::Info,
                "HostConfig resources",
                "rootless resource limits need cgroup v2 with the cpu, memory, pids (and io) controllers delegated to the user (systemd does this for user@.service on most distributions)",
            );
        }
    }

    /// `HealthCmd=` and its timings; `awaited`: a compose service waits for this one to be
    /// healthy (`depends_on: condition: service_healthy`).
    pub(super) fn health(&mut self, healthcheck: Option<&Healthcheck>, awaited: bool) {
        let usable = healthcheck.is_some_and(|h| {
            !h.is_disabled()
                && matches!(
                    h.test.first().map(String::as_str),
                    Some("CMD" | "CMD-SHELL")
                )
        });
        if awaited {
            self.notify_healthy(healthcheck.filter(|_| usable));
        }
        let Some(h) = healthcheck else { return };
        let cmd = match h.test.first().map(String::as_str) {
            Some("NONE") => Some("none".to_owned()),
            Some("CMD") => Some(serde_json::to_string(&h.test[1..]).unwrap_or_default()),
            Some("CMD-SHELL") => h.test.get(1).cloned(),
            _ => None,
        };
        match cmd {
            Some(cmd) => {
                self.sec.set(k::HEALTH_CMD, cmd);
                if !h.is_disabled() {
                    self.health_timing(h);
                }
            }
            None if h.test.is_empty() => {}
            None => self.note(
                NoteLevel::NotTranslated,
                "Healthcheck.Test",
                "unrecognized test form; add HealthCmd= by hand",
            ),
        }
    }

    /// A dependent waits for this container to be healthy. With `Notify=healthy` (Podman
    /// 5.0) the unit counts as started only once the check passes, so the dependent's
    /// `After=` waits exactly as compose did; the start timeout covers the check's worst
    /// case. Without a usable check, or before 5.0, only the start order is kept: say so.
    fn notify_healthy(&mut self, check: Option<&Healthcheck>) {
        let Some(h) = check else {
            self.note(
                NoteLevel::Warning,
                "depends_on",
                "a service waits for this one to be healthy (service_healthy), but it has no health check: its dependents start as soon as it starts",
            );
            return;
        };
        if self.version < PodmanVersion::new(5, 0) {
            self.note(
                NoteLevel::Warning,
                "depends_on",
                format!("a service waits for this one to be healthy (service_healthy); Podman {} has no Notify=healthy (5.0), so its dependents start as soon as it starts", self.version),
            );
            return;
        }
        self.sec.set(k::NOTIFY, "healthy");
        self.service
            .raise_seconds("TimeoutStartSec", healthy_within_secs(h));
    }

    fn health_timing(&mut self, h: &Healthcheck) {
        let Healthcheck {
            // Translated by `health`.
            test: _,
            interval_ns,
            timeout_ns,
            start_period_ns,
            start_interval_ns,
            retries,
        } = h;
        if let Some(v) = interval_ns.filter(|v| *v > 0) {
            self.sec.set(k::HEALTH_INTERVAL, duration(v));
        }
        if let Some(v) = timeout_ns.filter(|v| *v > 0) {
            self.sec.set(k::HEALTH_TIMEOUT, duration(v));
        }
        if let Some(v) = start_period_ns.filter(|v| *v > 0) {
            self.sec.set(k::HEALTH_START_PERIOD, duration(v));
        }
        if let Some(v) = retries.filter(|v| *v > 0) {
            self.sec.set(k::HEALTH_RETRIES, v.to_string());
        }
        if start_interval_ns.is_some_and(|v| v > 0) {
            self.note(
                NoteLevel::Info,
                "Healthcheck.StartInterval",
                "no Podman equivalent; the normal interval applies during the start period",
            );
        }
    }

    /// `Label=` for the container's own labels: not compose bookkeeping, not what the
    /// image already sets.
    pub(super) fn labels(&mut self, labels: &BTreeMap<String, String>) {
        let image_labels = self.img.map(|i| &i.labels);
        let mut compose_labels = 0;
        for (key, value) in labels {
            if key.starts_with("com.docker.compose.") {
                compose_labels += 1;
                continue;
            }
            if image_labels.and_then(|l| l.get(key)) == Some(value) {
                continue;
            }
            self.sec.set_words(k::LABEL, &[format!("{key}={value}")]);
        }
        if compose_labels > 0 {
            self.note(NoteLevel::Info, "com.docker.compose.* labels", "left out: they only matter to docker-compose; project and dependencies are carried by the unit names and Requires=");
        }
    }

    /// Hostname, extra hosts and DNS on the container, or as `podman pod create` flags
    /// (returned) when it joins a pod: podman refuses them on a pod member.
    pub(super) fn host_identity(
        &mut self,
        h: &HostIdentity<'_>,
        network: &NetworkChoice,
        short_id: &str,
        keep_id_on_pod: bool,
    ) -> Vec<String> {
        let hostname = h.hostname.filter(|n| !n.is_empty() && *n != short_id);
        if let Some(d) = h.domainname.filter(|d| !d.is_empty()) {
            self.note(NoteLevel::NotTranslated, "Config.Domainname", format!("{d}: Podman has no --domainname; use a fully qualified HostName= or an AddHost= entry"));
        }
        if matches!(network, NetworkChoice::Pod(_)) {
            return self.pod_identity(h, hostname, keep_id_on_pod);
        }
        if let Some(n) = hostname {
            self.sec.set(k::HOST_NAME, n);
        }
        for (key, values) in [
            (k::ADD_HOST, h.extra_hosts),
            (k::DNS, h.dns),
            (k::DNS_SEARCH, h.dns_search),
            (k::DNS_OPTION, h.dns_options),
        ] {
            for v in values {
                self.sec.set(key, v);
            }
        }
        Vec::new()
    }

    /// Pod members share the pod's network and UTS namespaces, so these are set when the
    /// pod is created.
    fn pod_identity(
        &mut self,
        h: &HostIdentity<'_>,
        hostname: Option<&str>,
        keep_id_on_pod: bool,
    ) -> Vec<String> {
        let flagged: [(&str, &[String]); 4] = [
            ("--add-host", h.extra_hosts),
            ("--dns", h.dns),
            ("--dns-search", h.dns_search),
            ("--dns-option", h.dns_options),
        ];
        let mut pod_args: Vec<String> = Vec::new();
        if let Some(n) = hostname {
            pod_args.extend(["--hostname".to_owned(), n.to_owned()]);
        }
        for (flag, values) in flagged {
            for v in values {
                pod_args.extend([flag.to_owned(), v.clone()]);
            }
        }
        if keep_id_on_pod {
            pod_args.extend(["--userns".to_owned(), "keep-id".to_owned()]);
        }
        if !pod_args.is_empty() {
            self.note(NoteLevel::Info, "network", "hostname, extra hosts, DNS and user namespace settings are set on the pod (podman refuses them on a pod member); they apply to every container of the pod");
        }
        pod_args
    }

    /// `WorkingDir=` (where it differs from the image), `StopSignal=`, `StopTimeout=`,
    /// `RunInit=`.
    pub(super) fn process(
        &mut self,
        working_dir: Option<&str>,
        stop_signal: Option<&str>,
        stop_timeout: Option<i64>,
        init: Option<bool>,
    ) {
        let img = self.img;
        let image_wd = img
            .and_then(|i| i.working_dir.as_deref())
            .filter(|w| !w.is_empty());
        if let Some(wd) = working_dir.filter(|w| !w.is_empty())
            && (img.is_none() || image_wd != Some(wd))
        {
            self.sec.set(k::WORKING_DIR, wd);
        }
        if let Some(s) = stop_signal.filter(|s| !s.is_empty()) {
            self.sec.set(k::STOP_SIGNAL, s);
        }
        if let Some(t) = stop_timeout.filter(|t| *t >= 0) {
            self.sec.set(k::STOP_TIMEOUT, t.to_string());
        }
        self.sec.set_bool(k::RUN_INIT, init == Some(true));
        self.no_host_proxy();
    }

    /// Docker never hands the host's proxy variables to a container (proxies a Docker
    /// client configured are already in its `Env`); Podman does by default (`http_proxy =
    /// true` in containers.conf), which would send the service's own HTTP calls through the
    /// host's proxy. `HttpProxy=false` from 5.7; before, the same flag in `PodmanArgs=`
    /// without a note (it changes nothing the operator chose). Quadlet 4.4 has no
    /// `PodmanArgs=`: there the users' `containers.conf.d` file says `http_proxy = false`
    /// (see `pasta_conf`).
    fn no_host_proxy(&mut self) {
        if k::HTTP_PROXY.supported_by(self.version) {
            self.sec.set(k::HTTP_PROXY, "false");
        } else if k::PODMAN_ARGS.supported_by(self.version) {
            self.sec.podman_args(&["--http-proxy=false"], "HttpProxy");
        }
    }

    /// Logs go to the journal; only drivers Podman has are kept.
    pub(super) fn logging(&mut self, driver: Option<&str>, options: &BTreeMap<String, String>) {
        match driver {
            None | Some("") | Some("json-file") | Some("local") => {
                if !options.is_empty() {
                    self.note(NoteLevel::Info, "HostConfig.LogConfig", "json-file options (max-size, max-file) do not apply: logs go to the journal (journalctl --user -u UNIT), rotated by journald");
                }
            }
            Some("journald") => self.sec.set(k::LOG_DRIVER, "journald"),
            Some("none") => self.sec.set(k::LOG_DRIVER, "none"),
            Some(other) => self.note(
                NoteLevel::NotTranslated,
                "HostConfig.LogConfig",
                format!("log driver {other} does not exist in Podman; logs go to the journal, forward them from there (journald remote/syslog)"),
            ),
        }
    }

    /// `depends_on: condition: service_completed_successfully`: the waiting unit's `After=`
    /// must wait for this container to exit, which systemd does for `Type=oneshot` (quadlet
    /// then runs it in the foreground with `--rm`); `RemainAfterExit=yes` keeps it active so
    /// `Requires=` does not run it again, and a failed run fails the units that need it.
    /// systemd refuses `Restart=always` on a oneshot: it becomes `on-failure`.
    fn oneshot(&mut self, policy: &RestartPolicy) {
        self.service.push("Type", "oneshot".to_owned());
        self.service.push("RemainAfterExit", "yes".to_owned());
        let restart = match policy.name {
            RestartPolicyName::Always | RestartPolicyName::UnlessStopped => {
                "; its restart policy becomes Restart=on-failure (systemd does not restart a oneshot that succeeded)"
            }
            _ => "",
        };
        self.note(
            NoteLevel::Info,
            "depends_on",
            format!("a compose service waits for it to complete successfully (service_completed_successfully): a oneshot unit (Type=oneshot, RemainAfterExit=yes) that the waiting units start and wait for{restart}"),
        );
    }

    /// `Restart=`, start limits, start timeout and `WantedBy=`; returns whether the unit
    /// starts at boot. `runs_once`: a compose service waits for this one to exit
    /// successfully, so it becomes a oneshot unit (see [`Gen::oneshot`]).
    pub(super) fn restart(
        &mut self,
        policy: &RestartPolicy,
        state: ContainerState,
        transfer: &ImageTransfer,
        runs_once: bool,
    ) -> bool {
        let restart = match policy.name {
            RestartPolicyName::No => None,
            RestartPolicyName::Always | RestartPolicyName::UnlessStopped if runs_once => {
                Some("on-failure")
            }
            RestartPolicyName::Always | RestartPolicyName::UnlessStopped => Some("always"),
            RestartPolicyName::OnFailure => Some("on-failure"),
        };
        if runs_once {
            self.oneshot(policy);
        }
        if let Some(r) = restart {
            self.service.push("Restart", r.to_owned());
        }
        if policy.name == RestartPolicyName::OnFailure
            && let Some(n) = policy.max_retries.filter(|n| *n > 0)
        {
            // Docker's "at most N restarts" = N+1 starts, counted over the unit's lifetime.
            self.unit_sec
                .push("StartLimitIntervalSec", "infinity".to_owned());
            self.unit_sec.push("StartLimitBurst", (n + 1).to_string());
        }
        if transfer.method == TransferMethod::Pull {
            // The first start may pull the image; the default 90 s is often too short.
            self.service.raise_seconds("TimeoutStartSec", 900);
        }
        let start_at_boot = match policy.name {
            RestartPolicyName::Always => true,
            RestartPolicyName::UnlessStopped => state == ContainerState::Running,
            _ => false,
        };
        if start_at_boot {
            self.install.push("WantedBy", "default.target".to_owned());
        } else if policy.name == RestartPolicyName::UnlessStopped {
            self.note(NoteLevel::Info, "RestartPolicy", "unless-stopped and stopped now: the unit is not enabled at boot (start it with systemctl --user start)");
        }
        start_at_boot
    }

    /// A container that used the Docker socket needs the user's Podman socket up first.
    pub(super) fn podman_socket(&mut self, wanted: bool) {
        if wanted {
            self.unit_sec.push("Wants", "podman.socket".to_owned());
            self.unit_sec.push("After", "podman.socket".to_owned());
        }
    }
}

/// Podman flags for the limits that have no quadlet key.
fn resource_flags(r: &Resources) -> Vec<String> {
    let Resources {
        // Keys of their own (`Memory=`, `PidsLimit=`), set by `Gen::resources`.
        memory: _,
        pids_limit: _,
        memory_reservation,
        memory_swap,
        nano_cpus,
        cpu_shares,
        cpu_quota,
        cpu_period,
        cpuset_cpus,
        blkio_weight,
        oom_kill_disable,
    } = r;
    let mut extra: Vec<String> = Vec::new();
    if let Some(v) = memory_reservation.filter(|v| *v > 0) {
        extra.push(format!("--memory-reservation={v}b"));
    }
    if let Some(v) = memory_swap.filter(|v| *v != 0) {
        extra.push(if v < 0 {
            "--memory-swap=-1".to_owned()
        } else {
            format!("--memory-swap={v}b")
        });
    }
    if let Some(v) = nano_cpus.filter(|v| *v > 0) {
        extra.push(format!("--cpus={}", v as f64 / 1e9));
    }
    if let Some(v) = cpu_shares.filter(|v| *v > 0) {
        extra.push(format!("--cpu-shares={v}"));
    }
    if let Some(v) = cpu_quota.filter(|v| *v > 0) {
        extra.push(format!("--cpu-quota={v}"));
    }
    if let Some(v) = cpu_period.filter(|v| *v > 0) {
        extra.push(format!("--cpu-period={v}"));
    }
    if let Some(v) = cpuset_cpus.as_deref().filter(|v| !v.is_empty()) {
        extra.push(format!("--cpuset-cpus={v}"));
    }
    if let Some(v) = blkio_weight.filter(|v| *v > 0) {
        extra.push(format!("--blkio-weight={v}"));
    }
    if *oom_kill_disable {
        extra.push("--oom-kill-disable".to_owned());
    }
    extra
}

/// Docker's health check defaults, used when a field is unset.
const DEFAULT_INTERVAL_NS: i64 = 30_000_000_000;
const DEFAULT_TIMEOUT_NS: i64 = 30_000_000_000;
const DEFAULT_RETRIES: i64 = 3;

/// systemd's default start timeout: what starting the container itself may take.
const DEFAULT_START_SECS: u64 = 90;

/// Seconds a `Notify=healthy` unit may take to start: systemd's default for starting the
/// container, plus the start period and one check per retry (interval plus timeout each)
/// and one more.
pub fn healthy_within_secs(h: &Healthcheck) -> u64 {
    let set = |v: Option<i64>, default: i64| v.filter(|v| *v > 0).unwrap_or(default);
    let per_try = set(h.interval_ns, DEFAULT_INTERVAL_NS)
        .saturating_add(set(h.timeout_ns, DEFAULT_TIMEOUT_NS));
    let tries = set(h.retries, DEFAULT_RETRIES).saturating_add(1);
    let total_ns = set(h.start_period_ns, 0).saturating_add(per_try.saturating_mul(tries));
    u64::try_from(total_ns / 1_000_000_000)
        .unwrap_or(u64::MAX)
        .saturating_add(DEFAULT_START_SECS)
}

#[cfg(test)]
mod healthy_tests {
    use super::*;

    #[test]
    fn the_start_timeout_covers_the_checks_worst_case() {
        let s = 1_000_000_000;
        // Docker's defaults: (30 s + 30 s) x 4 tries + 90 s.
        assert_eq!(healthy_within_secs(&Healthcheck::default()), 330);
        let h = Healthcheck {
            interval_ns: Some(5 * s),
            timeout_ns: Some(2 * s),
            retries: Some(3),
            start_period_ns: Some(20 * s),
            ..Default::default()
        };
        assert_eq!(healthy_within_secs(&h), 20 + 7 * 4 + 90);
        let huge = Healthcheck {
            interval_ns: Some(i64::MAX),
            retries: Some(i64::MAX),
            ..Default::default()
        };
        assert!(healthy_within_secs(&huge) > 1_000_000);
    }
}
