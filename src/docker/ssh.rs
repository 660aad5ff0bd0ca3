//! `ssh://[user@]host[:port]` endpoints, reached as the docker CLI reaches them: the system
//! `ssh` client runs `docker system dial-stdio` on the host, which joins its standard input
//! and output to the engine's socket there. Keys, agents, `~/.ssh/config` and
//! `known_hosts` work as they do for `docker -H ssh://`.
//!
//! Not bollard's `ssh` feature: its transport passes `StrictHostKeyChecking=accept-new` (an
//! unknown host would be trusted and written to the operator's `known_hosts`), drops the port
//! of `ssh://host:port`, and leaves a persistent ssh master process behind. Here every
//! connection is one `ssh` child, killed when the connection is dropped, and ssh is run with
//! `BatchMode=yes`: it never prompts (the TUI owns the terminal), so a key with a passphrase
//! must be in `ssh-agent`, and an unknown host key is refused as ssh's own policy says.
//!
//! The first login ([`preflight`]) becomes an ssh control master (`ControlPath` in a private
//! temporary directory, `ControlPersist` a few seconds), and every HTTP connection after it
//! is a session multiplexed over that login: one key exchange and authentication per read,
//! not one per connection. Dropping the client ends the master (`ssh -O exit`); a crash
//! leaves it only until it has been idle for [`PERSIST`].
//!
//! The same login also reads the host's ID files ([`read_id_files`]: `cat` of `/etc/subuid`
//! and four others, never anything else), because that host is the one being migrated.
//!
//! Before any request, [`preflight`] runs the command once with a `GET /_ping` and turns
//! ssh's failure into one line (host key unknown, authentication refused, nothing listening,
//! no docker CLI on the host, engine down). ssh's own messages name hosts, users and key
//! paths, never key material or passphrases.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::endpoint::SshEndpoint;
use crate::exit::Failure;
use crate::model::HostIdText;
use crate::render::text::one_line;

/// How long an idle control master outlives its last session.
pub const PERSIST: &str = "10s";

/// The connection's role towards the control master.
#[derive(Clone, Copy)]
pub enum Control<'a> {
    /// Log in and become the master at this socket path.
    Master(&'a Path),
    /// Use the master at this path (ssh logs in by itself if it is gone).
    Session(&'a Path),
}

/// The ssh client's arguments for one connection: batch mode (never a prompt), a connect
/// timeout, no terminal, the control master, then `--` so nothing after it is read as an
/// option.
pub fn args(ssh: &SshEndpoint, connect_timeout: Duration, control: Control<'_>) -> Vec<String> {
    let mut args = options(ssh, connect_timeout, control);
    args.extend(
        ["--", &ssh.host, "docker", "system", "dial-stdio"]
            .iter()
            .map(|s| (*s).to_owned()),
    );
    args
}

/// Every argument before `--`.
fn options(ssh: &SshEndpoint, connect_timeout: Duration, control: Control<'_>) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "-o".into(),
        "BatchMode=yes".into(),
        "-o".into(),
        format!("ConnectTimeout={}", connect_timeout.as_secs().max(1)),
        "-T".into(),
    ];
    let (master, path) = match control {
        Control::Master(path) => ("yes", path),
        Control::Session(path) => ("no", path),
    };
    args.extend([
        "-o".into(),
        format!("ControlMaster={master}"),
        "-o".into(),
        format!("ControlPath={}", path.display()),
    ]);
    if let Control::Master(_) = control {
        args.extend(["-o".into(), format!("ControlPersist={PERSIST}")]);
    }
    if let Some(user) = &ssh.user {
        args.extend(["-l".into(), user.clone()]);
    }
    if let Some(port) = ssh.port {
        args.extend(["-p".into(), port.to_string()]);
    }
    args
}

fn command(ssh: &SshEndpoint, wait: Duration, control: Control<'_>) -> Command {
    let mut cmd = Command::new("ssh");
    cmd.args(args(ssh, wait, control))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// The control master of one read: its socket lives in a private temporary directory,
/// and dropping the last handle ends it.
pub struct Master {
    ssh: SshEndpoint,
    dir: tempfile::TempDir,
}

impl Master {
    fn socket(&self) -> PathBuf {
        self.dir.path().join("master")
    }
}

impl Drop for Master {
    fn drop(&mut self) {
        // Quick (a local socket); errors only mean the master is already gone.
        let _ = std::process::Command::new("ssh")
            .arg("-o")
            .arg(format!("ControlPath={}", self.socket().display()))
            .args(["-O", "exit", "--", &self.ssh.host])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// What bollard's custom transport returns for one request.
type Reply = Pin<
    Box<
        dyn Future<Output = Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error>>
            + Send,
    >,
>;

/// One HTTP connection over the control master, shared by every bollard client of a read
/// (the version-negotiated client reuses the connection the first opened). Not a pool:
/// hyper's pool opens a second connection whenever a request finds the first one not yet
/// returned (measured: two `docker system dial-stdio` sessions per read, each a process
/// start on the host), so requests take turns on the one connection, as the docker CLI's
/// do, and a new session is opened only when the previous one has closed.
#[derive(Clone)]
pub struct Link {
    send: Arc<dyn Fn(BollardRequest) -> Reply + Send + Sync>,
}

/// The one connection's sender; `None` until the first request, or after it closed.
type Slot = tokio::sync::Mutex<Option<SendRequest<BodyType>>>;

/// The body type of bollard's requests.
type BodyType = <BollardRequest as BodyOf>::Body;

/// Names the body type of a `hyper::Request` (bollard's is not public).
trait BodyOf {
    type Body;
}

impl<B> BodyOf for hyper::Request<B> {
    type Body = B;
}

impl Link {
    /// The connection over `master`. Holding the link (or a client made from it) keeps
    /// the master alive; dropping the last one ends it.
    pub fn new(master: Arc<Master>, timeout: Duration) -> Self {
        let slot: Arc<Slot> = Arc::new(tokio::sync::Mutex::new(None));
        Self {
            send: Arc::new(move |request: BollardRequest| -> Reply {
                let slot = Arc::clone(&slot);
                let master = Arc::clone(&master);
                Box::pin(async move { send_one(&slot, &master, timeout, request).await })
            }),
        }
    }
}

/// Send `request` over the one connection, opening it (a session of the master) when there
/// is none or it closed. The lock is held until the response's headers arrive; HTTP/1
/// waits for the previous body to be read before the next request goes out.
async fn send_one(
    slot: &Slot,
    master: &Master,
    timeout: Duration,
    mut request: BollardRequest,
) -> Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error> {
    // A connection speaks origin-form (`/version`), not the absolute URI bollard builds,
    // and HTTP/1.1 needs a Host (Go's server refuses a request without one).
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .parse::<hyper::Uri>()
        .map_err(hyper::http::Error::from)?;
    *request.uri_mut() = target;
    request
        .headers_mut()
        .entry(hyper::header::HOST)
        .or_insert(hyper::header::HeaderValue::from_static("docker"));
    let mut guard = slot.lock().await;
    if let Some(sender) = guard.as_mut()
        && sender.ready().await.is_ok()
    {
        return Ok(sender.send_request(request).await?);
    }
    let pipe = open_session(master, timeout).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(pipe).await?;
    // The connection's I/O runs in a task of its own until the sender is dropped or the
    // session ends; its end is seen by the next request as a closed sender.
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!("ssh session to the Docker engine ended: {err}");
        }
    });
    sender.ready().await?;
    let response = sender.send_request(request).await;
    *guard = Some(sender);
    Ok(response?)
}

/// A bollard client whose requests go over `link`'s one connection (see [`Link`]).
pub fn client(
    link: &Link,
    timeout: Duration,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    let send = Arc::clone(&link.send);
    Docker::connect_with_custom_transport(
        move |request: BollardRequest| send(request),
        Some("http://docker"),
        timeout.as_secs(),
        version,
    )
}

/// A new session of `master`: `ssh ... docker system dial-stdio` with piped stdio.
async fn open_session(master: &Master, timeout: Duration) -> std::io::Result<Pipe> {
    let socket = master.socket();
    let mut cmd = command(&master.ssh, timeout, Control::Session(&socket));
    // The preflight has already reported ssh's errors; later ones would only garble the
    // terminal (the TUI's screen).
    cmd.stderr(Stdio::null());
    let mut child = cmd.spawn()?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(std::io::Error::other("ssh child has no pipes"));
    };
    Ok(Pipe {
        _child: child,
        stdin: TokioIo::new(stdin),
        stdout: TokioIo::new(stdout),
    })
}

/// One HTTP connection: writes go to ssh's standard input, reads come from its output.
/// Dropping it kills the ssh child.
struct Pipe {
    _child: Child,
    stdin: TokioIo<ChildStdin>,
    stdout: TokioIo<ChildStdout>,
}

impl hyper::rt::Read for Pipe {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        hyper::rt::Read::poll_read(Pin::new(&mut self.stdout), cx, buf)
    }
}

impl hyper::rt::Write for Pipe {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        hyper::rt::Write::poll_write(Pin::new(&mut self.stdin), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        hyper::rt::Write::poll_flush(Pin::new(&mut self.stdin), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        hyper::rt::Write::poll_shutdown(Pin::new(&mut self.stdin), cx)
    }
}

const PING: &[u8] = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";

/// The files [`read_id_files`] reads, in [`HostIdText`]'s order. World-readable on every
/// distribution; nothing with secrets (`/etc/shadow` is never read).
const ID_FILES: [&str; 5] = [
    "/etc/subuid",
    "/etc/subgid",
    "/etc/login.defs",
    "/etc/passwd",
    "/etc/group",
];

/// Larger than any of these files on a real host; a bigger answer is not one of them.
const ID_FILE_LIMIT: usize = 8 << 20;

/// The engine's host's ID files ([`ID_FILES`]), each `cat` in a session of the read's own
/// login: that host is the one being migrated, so sub-ID ranges are chosen against its
/// files. A file that does not exist reads as empty, as it does locally. `None` (logged)
/// when one cannot be read for another reason: the caller then falls back to this
/// machine's files and says so, as before.
pub async fn read_id_files(master: &Master, wait: Duration) -> Option<HostIdText> {
    // Five sessions of one login at once: one round trip, not five.
    let [a, b, c, d, e] = ID_FILES;
    let read = tokio::join!(
        cat(master, a, wait),
        cat(master, b, wait),
        cat(master, c, wait),
        cat(master, d, wait),
        cat(master, e, wait)
    );
    let texts = [read.0, read.1, read.2, read.3, read.4];
    let mut ok = Vec::with_capacity(texts.len());
    for (path, text) in ID_FILES.iter().zip(texts) {
        match text {
            Ok(text) => ok.push(text),
            Err(why) => {
                tracing::info!(
                    "{path} not read over ssh from {} ({}): sub-ID ranges are chosen against this machine's files",
                    one_line(&master.ssh.host),
                    one_line(&why)
                );
                return None;
            }
        }
    }
    let [subuid, subgid, login_defs, passwd, group] = <[String; 5]>::try_from(ok).ok()?;
    Some(HostIdText {
        subuid,
        subgid,
        login_defs,
        passwd,
        group,
    })
}

/// `cat PATH` on the host (a fixed path, no shell syntax): its text, empty when the file
/// does not exist, or why it could not be read.
async fn cat(master: &Master, path: &str, wait: Duration) -> Result<String, String> {
    let mut cmd = Command::new("ssh");
    cmd.args(options(
        &master.ssh,
        wait,
        Control::Session(&master.socket()),
    ))
    .args(["--", &master.ssh.host, "cat", path])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
    let output = match tokio::time::timeout(wait, cmd.output()).await {
        Err(_) => return Err(format!("no answer within {} s", wait.as_secs())),
        Ok(Err(err)) => return Err(err.to_string()),
        Ok(Ok(output)) => output,
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        // cat's own words for a missing file; ssh's failures exit 255.
        if output.status.code() == Some(1) && stderr.contains("No such file") {
            return Ok(String::new());
        }
        return Err(stderr.lines().next().unwrap_or("failed").to_owned());
    }
    if output.stdout.len() > ID_FILE_LIMIT {
        return Err(format!("larger than {} MiB", ID_FILE_LIMIT >> 20));
    }
    String::from_utf8(output.stdout).map_err(|_| "not UTF-8 text".to_owned())
}

/// Run the connection command once with `GET /_ping`: an HTTP answer means ssh logged in
/// and the engine behind `docker system dial-stdio` answers; anything else becomes one line
/// saying which of the usual failures it was (exit code 3).
pub async fn preflight(
    shown: &str,
    ssh: &SshEndpoint,
    wait: Duration,
) -> Result<Arc<Master>, Failure> {
    let dir = tempfile::Builder::new()
        .prefix("unroot-ssh-")
        .tempdir()
        .map_err(|err| {
            Failure::docker(format!(
                "cannot make a directory for ssh's control socket: {err}"
            ))
        })?;
    let master = Arc::new(Master {
        ssh: ssh.clone(),
        dir,
    });
    let socket = master.socket();
    let mut child = command(ssh, wait, Control::Master(&socket))
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                Failure::docker(format!(
                    "cannot reach {shown}: no `ssh` client on this machine (install openssh-client)"
                ))
            } else {
                Failure::docker(format!("cannot run ssh for {shown}: {err}"))
            }
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A write error means ssh already exited; its status and stderr say why.
        let _ = stdin.write_all(PING).await;
    }
    // Twice the connect timeout: login, then the engine's answer.
    let output = match tokio::time::timeout(wait * 2, child.wait_with_output()).await {
        Err(_) => {
            return Err(Failure::docker(format!(
                "{shown} is not answering (no reply over ssh within {} s): check the host, its \
                 sshd and its Docker engine, or use --snapshot FILE / --demo",
                (wait * 2).as_secs()
            )));
        }
        Ok(Err(err)) => return Err(Failure::docker(format!("ssh to {shown} failed: {err}"))),
        Ok(Ok(output)) => output,
    };
    if output.stdout.starts_with(b"HTTP/1.") {
        return Ok(master);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(Failure::docker(explain(
        shown,
        &ssh.host,
        output.status.code(),
        &stderr,
    )))
}

/// One line for a failed ssh connection, from ssh's exit status and its standard error.
pub fn explain(shown: &str, host: &str, status: Option<i32>, stderr: &str) -> String {
    let lower = stderr.to_lowercase();
    let host = one_line(host);
    let has = |needle: &str| lower.contains(needle);
    if has("host key verification failed") || has("remote host identification has changed") {
        return format!(
            "ssh to {shown} refused: the host key of {host} is not known (or has changed); \
             check its fingerprint and add it to ~/.ssh/known_hosts (e.g. connect once with \
             `ssh {host}`), then retry"
        );
    }
    if has("permission denied while trying to connect to the docker daemon")
        || has("permission denied while trying to connect to the docker api")
    {
        return format!(
            "ssh to {shown} logged in, but that user may not use the Docker socket on {host}: \
             add it to the docker group there, or connect as root"
        );
    }
    if has("permission denied (") || has("too many authentication failures") {
        return format!(
            "ssh to {shown} refused: authentication failed (the server accepted none of the \
             keys offered); ssh runs in batch mode, so load a key with a passphrase into \
             ssh-agent, and check the user name and the host's authorized_keys"
        );
    }
    if has("connection refused") {
        return format!(
            "nothing listens for ssh at {shown} (connection refused): is sshd running?"
        );
    }
    if has("could not resolve hostname") || has("name or service not known") {
        return format!("cannot resolve the host of {shown}: check the name (and ~/.ssh/config)");
    }
    if has("timed out") {
        return format!("{shown} is not answering: the ssh connection timed out");
    }
    if status == Some(127) || has("command not found") || has("docker: not found") {
        return format!(
            "ssh to {shown} works, but there is no `docker` command on {host}: ssh:// endpoints \
             need the docker CLI on the host (`docker system dial-stdio`)"
        );
    }
    if has("cannot connect to the docker daemon") || has("is the docker daemon running") {
        return format!(
            "ssh to {shown} works, but the Docker engine on {host} is not answering: is dockerd \
             running there?"
        );
    }
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let last: String = last.trim().chars().take(160).collect();
    let status = status.map_or_else(|| "killed".to_owned(), |c| format!("exit {c}"));
    format!(
        "ssh to {shown} failed ({status}){}",
        if last.is_empty() {
            String::new()
        } else {
            format!(": {}", one_line(&last))
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_destination_follows_a_double_dash() {
        let ssh = SshEndpoint {
            user: Some("ops".into()),
            host: "web1".into(),
            port: Some(2222),
        };
        let a = args(
            &ssh,
            Duration::from_secs(5),
            Control::Session(Path::new("/t/m")),
        );
        let dash = a.iter().position(|s| s == "--").unwrap();
        assert_eq!(
            a[dash..],
            ["--", "web1", "docker", "system", "dial-stdio"].map(String::from)
        );
        assert!(a.windows(2).any(|w| w == ["-p", "2222"]));
        assert!(a.windows(2).any(|w| w == ["-l", "ops"]));
        assert!(a.windows(2).any(|w| w == ["-o", "BatchMode=yes"]));
        assert!(a.windows(2).any(|w| w == ["-o", "ControlPath=/t/m"]));
    }

    #[test]
    fn ssh_failures_are_named() {
        let e = |stderr: &str, code| explain("ssh://h", "h", Some(code), stderr);
        assert!(e("Host key verification failed.\r\n", 255).contains("host key"));
        assert!(e("ops@h: Permission denied (publickey).", 255).contains("authentication"));
        assert!(e("ssh: connect to host h port 22: Connection refused", 255).contains("sshd"));
        assert!(e("bash: line 1: docker: command not found", 127).contains("docker CLI"));
        assert!(
            e(
                "permission denied while trying to connect to the Docker daemon socket",
                1
            )
            .contains("docker group")
        );
        let odd = e("weird\x1b[2J thing\n", 255);
        assert!(odd.contains("\\u{1b}[2J"), "{odd}");
        assert!(!odd.contains('\n'));
    }
}
