//! Command-line interface (clap derive). Parsing only; each command lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The documented exit codes, shown by `--help` and the man page's EXIT STATUS.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  policy failure (--fail-on reached, blockers with --fail-on-blockers, a failed verify check)
  2  usage or input error (bad flag, malformed snapshot or plan, refused overwrite)
  3  Docker engine unreachable or unusable (with several hosts: every host failed)
  4  several hosts: some failed (one line each on stderr), the others were read and written";

/// Move containers from rootful Docker to rootless Podman, safely.
///
/// Without a subcommand, opens the interactive TUI on a terminal, or prints the scan table
/// when standard output is not a terminal.
#[derive(Debug, Parser)]
#[command(name = "unroot", version, about, long_about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

const ENDPOINT: &str = "Docker endpoint";
const FLEET: &str = "Several hosts (scan, plan, generate)";

/// Where the inventory comes from, and logging; accepted before or after the subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Docker endpoint: unix:///path, ssh://[user@]host[:port], tcp://host:port (TLS with
    /// --tlsverify or DOCKER_TLS_VERIFY). Default: --context, $DOCKER_HOST, $DOCKER_CONTEXT,
    /// the docker CLI's current context, else unix:///var/run/docker.sock. Repeat it (with
    /// scan, plan, generate) to read several hosts.
    #[arg(short = 'H', long, global = true, value_name = "URL", help_heading = ENDPOINT)]
    pub docker_host: Vec<String>,
    /// docker CLI context to read (from $DOCKER_CONFIG/contexts, default ~/.docker). Repeat
    /// it (with scan, plan, generate) to read several hosts.
    #[arg(long, global = true, value_name = "NAME", help_heading = ENDPOINT)]
    pub context: Vec<String>,
    /// Read every host listed in FILE: one `NAME ENDPOINT` per line, `#` starts a comment.
    /// NAME ([A-Za-z0-9._-], starting with a letter or digit) names the host's output.
    #[arg(long, global = true, value_name = "FILE", help_heading = FLEET,
          conflicts_with_all = ["docker_host", "context"])]
    pub hosts: Option<PathBuf>,
    /// Hosts read at once when reading several (each host's read is bounded on its own).
    #[arg(long, global = true, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64), help_heading = FLEET)]
    pub parallel: u16,
    /// Use TLS and verify the engine's certificate (as DOCKER_TLS_VERIFY=1).
    #[arg(long = "tlsverify", global = true, help_heading = ENDPOINT)]
    pub tls_verify: bool,
    /// CA certificate the engine's certificate must chain to (default: ca.pem in
    /// $DOCKER_CERT_PATH, else ~/.docker).
    #[arg(long = "tlscacert", global = true, value_name = "FILE", help_heading = ENDPOINT)]
    pub tls_ca: Option<PathBuf>,
    /// Client certificate (default: cert.pem beside the CA).
    #[arg(long = "tlscert", global = true, value_name = "FILE", help_heading = ENDPOINT)]
    pub tls_cert: Option<PathBuf>,
    /// Client key (default: key.pem beside the CA).
    #[arg(long = "tlskey", global = true, value_name = "FILE", help_heading = ENDPOINT)]
    pub tls_key: Option<PathBuf>,
    /// Allow plain (unencrypted) tcp:// to a host other than loopback: every container's
    /// environment, passwords included, crosses the network in clear text.
    #[arg(long, global = true, help_heading = ENDPOINT)]
    pub allow_plain_tcp: bool,
    /// Read a saved snapshot (from `unroot snapshot`, or raw `docker inspect` output)
    /// instead of the Docker socket.
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "demo")]
    pub snapshot: Option<PathBuf>,
    /// Use the embedded demo host (no Docker needed).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Write the log here (default: $XDG_STATE_HOME/unroot/unroot.log). Level from UNROOT_LOG.
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
}

impl GlobalArgs {
    /// Whether several hosts were asked for: `--hosts`, or `--docker-host`/`--context`
    /// repeated. One `--docker-host` with one `--context` stays one host (`-H` wins), as
    /// before several hosts existed.
    pub fn is_fleet(&self) -> bool {
        self.hosts.is_some() || self.docker_host.len() > 1 || self.context.len() > 1
    }

    /// The endpoint flags, for [`crate::docker::Endpoint::resolve`].
    pub fn endpoint_selection(&self) -> crate::docker::Selection {
        crate::docker::Selection {
            host: self.docker_host.first().cloned(),
            context: self.context.first().cloned(),
            tls_verify: self.tls_verify,
            tls_ca: self.tls_ca.clone(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            allow_plain_tcp: self.allow_plain_tcp,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Save the inventory of the Docker host as a versioned JSON snapshot.
    ///
    /// The snapshot (schema unroot.snapshot/v1) can be read back with --snapshot on any
    /// machine. It is created with mode 0600 because it contains every container's
    /// environment values, which often include passwords and tokens: keep it private. It is
    /// written atomically, and an existing file with other content is only replaced with
    /// --force.
    Snapshot(SnapshotArgs),
    /// Explain every container's risks and rootless blockers.
    Scan(ScanArgs),
    /// Export a reviewable migration plan.
    Plan(PlanArgs),
    /// Write the migration files (quadlet units, subuid/subgid, scripts, report).
    Generate(GenerateArgs),
    /// Check a rootless Podman host against a plan, before or after the migration.
    Verify(VerifyArgs),
    /// Print the shell completion script for bash, zsh or fish on standard output.
    ///
    /// Install it where the shell looks for completions, e.g.
    /// /usr/share/bash-completion/completions/unroot,
    /// /usr/share/zsh/vendor-completions/_unroot or
    /// /usr/share/fish/vendor_completions.d/unroot.fish.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on standard output.
    ///
    /// Install it as /usr/share/man/man1/unroot.1, or read it with `unroot man | man -l -`.
    Man,
}

/// The shells `unroot completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct SnapshotArgs {
    /// Output file (`-` for standard output). Created mode 0600: it contains env values.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing different file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Json,
    Sarif,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct ScanArgs {
    /// Output format (default: table).
    #[arg(long, value_enum)]
    pub format: Option<ScanFormat>,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Only containers whose name, image, label or rule id contains this text.
    #[arg(long, value_name = "NAME_OR_LABEL")]
    pub filter: Vec<String>,
    /// Evaluate the migrated configuration of this plan: per included container, the
    /// findings the move removes, those its hardening removes, and those left (table or
    /// JSON).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct PlanArgs {
    /// The unprivileged user that will run the containers.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Target Podman version (4.4 ... 5.8).
    #[arg(long, value_name = "X.Y")]
    pub podman_version: Option<String>,
    /// Only these containers (repeatable).
    #[arg(long, value_name = "NAME", num_args = 1..)]
    pub only: Vec<String>,
    /// Output file; `.json` writes JSON, anything else YAML. With several hosts, a
    /// directory: one DIR/HOST.yaml per host.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing different file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct GenerateArgs {
    /// Plan to apply; without it, default decisions for every container. With several
    /// hosts, the directory `unroot plan -o DIR` wrote (DIR/HOST.yaml or DIR/HOST.json).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Output directory. With several hosts: OUT/HOST/ per host, OUT/FLEET.md,
    /// OUT/fleet.json and OUT/ansible/.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Overwrite files that differ from what would be written.
    #[arg(long)]
    pub force: bool,
    /// Target user when no plan is given.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Target Podman version when no plan is given.
    #[arg(long, value_name = "X.Y")]
    pub podman_version: Option<String>,
    /// Exit 1 when a finding at or above this severity exists.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 1 when any included container has a rootless blocker.
    #[arg(long)]
    pub fail_on_blockers: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct VerifyArgs {
    /// The plan to check against. The expected units are regenerated from it and the
    /// inventory (Docker socket, or --snapshot taken before the migration).
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// Podman API socket (default: the target user's $XDG_RUNTIME_DIR/podman/podman.sock,
    /// i.e. /run/user/UID/podman/podman.sock).
    #[arg(long, value_name = "PATH")]
    pub podman_socket: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: VerifyFormat,
    /// Which checks: readiness (before the migration), post (after it), or auto (post as
    /// soon as any planned container exists on the target).
    #[arg(long, value_enum, default_value = "auto")]
    pub phase: VerifyPhase,
    /// The rootless user to check (default: the plan's target user).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Read /etc/subuid, /etc/subgid and /etc/passwd under this directory instead of `/`
    /// (a mounted or sandboxed target).
    #[arg(long, value_name = "DIR", env = "UNROOT_TARGET_ROOT")]
    pub target_root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyPhase {
    Auto,
    Readiness,
    Post,
}
