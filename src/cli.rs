//! Command-line interface (clap derive). Parsing only; each command lives in `commands/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  policy failure (--fail-on reached, blockers with --fail-on-blockers, a failed verify check)
  2  usage or input error (bad flag, malformed snapshot or plan, refused overwrite)
  3  Docker engine unreachable or unusable";

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

/// Where the inventory comes from, and logging; accepted before or after the subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Docker endpoint (unix:///path, tcp://host:port). Default: $DOCKER_HOST, else
    /// unix:///var/run/docker.sock.
    #[arg(long, global = true, value_name = "URL")]
    pub docker_host: Option<String>,
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
    /// Output file; `.json` writes JSON, anything else YAML.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing different file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(after_help = EXIT_CODES)]
pub struct GenerateArgs {
    /// Plan to apply; without it, default decisions for every container.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Output directory.
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
