//! The terminal session: set up the terminal, start the loader, and loop over input,
//! loader messages and signals, drawing only when the state changed or the size did.

use std::io::stdout;

use anyhow::{Context as _, Result};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream, KeyEventKind};
use crossterm::execute;
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::cli::GlobalArgs;
use crate::exit;

use super::actions;
use super::event::{Loads, Start, spawn_follower, spawn_loader, spawn_reread};
use super::msg::{Effect, Msg};
use super::state::{App, Phase};
#[cfg(feature = "podman")]
use super::target;
use super::update::update;
use super::view;

/// NO_COLOR set to anything non-empty turns colours off (https://no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// What the loading screen calls the source.
pub fn source_label(global: &GlobalArgs) -> String {
    if global.demo {
        "the demo host".into()
    } else if let Some(path) = &global.snapshot {
        format!("snapshot {}", path.display())
    } else {
        // An endpoint that does not resolve fails the loading with its own message.
        match crate::docker::Endpoint::resolve(&global.endpoint_selection()) {
            Ok(endpoint) => {
                // Said now, before the TUI takes the terminal.
                if let Some(warning) = endpoint.plain_tcp_warning() {
                    crate::exit::stderr_line(&warning);
                }
                endpoint.to_string()
            }
            Err(_) => "the Docker engine".into(),
        }
    }
}

/// Run the TUI until the user quits. Returns 0, or the loading failure as an error carrying
/// its exit code (3 for an unreachable Docker engine), like the batch commands.
pub async fn run(global: &GlobalArgs) -> Result<u8> {
    let mut app = App::new(
        source_label(global),
        actions::default_target(),
        color_enabled(),
    );
    // ratatui's panic hook restores the screen; ours, installed on top, also releases the
    // mouse so a panic never leaves the terminal reporting mouse moves.
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    let _ = execute!(stdout(), EnableMouseCapture);
    let result = event_loop(&mut terminal, &mut app, global).await;
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
    result?;
    match app.phase {
        // Returned as the error, so `main` prints it once more after the screen is gone:
        // the operator keeps the message in the scrollback.
        Phase::Failed { code, message } => Err(exit::Failure { code, message }.into()),
        _ => Ok(exit::OK),
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    global: &GlobalArgs,
) -> Result<()> {
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let (tx, mut rx) = unbounded_channel();
    let mut loader = spawn_loader(global.clone(), tx.clone());
    // The re-read of containers named by engine events, and which reads are under way.
    let mut rereader: Option<tokio::task::JoinHandle<()>> = None;
    let mut loads = Loads::loading();
    // Started with the loader, so a change during the first load is not missed.
    let follower = spawn_follower(global, tx.clone());
    let mut input = EventStream::new();
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let outcome = loop {
        if app.dirty {
            terminal.draw(|frame| view::draw(frame, app))?;
            app.dirty = false;
        }
        if app.quit {
            break Ok(());
        }
        let msg = tokio::select! {
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Msg::Mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                Some(Err(err)) => break Err(anyhow::Error::from(err).context("reading the terminal")),
                None => break Ok(()),
            },
            Some(msg) = rx.recv() => msg,
            _ = sigint.recv() => Msg::Interrupt,
            _ = sigterm.recv() => Msg::Interrupt,
            _ = sighup.recv() => Msg::Interrupt,
        };
        let mut effects = Vec::new();
        let mut starts = Vec::new();
        // Coalesce what else is already queued (a burst of progress messages while a big
        // host is inspected) into one redraw.
        let mut next = Some(msg);
        while let Some(msg) = next.take().or_else(|| rx.try_recv().ok()) {
            match &msg {
                Msg::Loaded(_) | Msg::LoadFailed { .. } => starts.extend(loads.full_answered()),
                // A re-read a later one superseded: its answer is older, drop it.
                Msg::Reread { generation, .. } if !loads.reread_answered(*generation) => {
                    continue;
                }
                _ => {}
            }
            effects.extend(update(app, msg));
        }
        for effect in effects {
            match effect {
                Effect::Reload => starts.extend(loads.full()),
                Effect::Reread { read, gone } => starts.extend(loads.reread(read, gone)),
                effect => perform(app, effect, tx.clone()),
            }
        }
        // Only the last start counts: each one supersedes the ones before it.
        match starts.pop() {
            Some(Start::Full) => {
                if let Some(task) = rereader.take() {
                    task.abort();
                }
                loader = spawn_loader(global.clone(), tx.clone());
            }
            Some(Start::Reread {
                read,
                gone,
                generation,
            }) => {
                if let (Some(base), task) = (app.loaded().cloned(), rereader.take()) {
                    if let Some(task) = task {
                        task.abort();
                    }
                    rereader = Some(spawn_reread(
                        global,
                        base,
                        read,
                        gone,
                        generation,
                        tx.clone(),
                    ));
                }
            }
            None => {}
        }
    };
    if let Some(task) = rereader {
        task.abort();
    }
    loader.abort();
    if let Some(follower) = follower {
        follower.abort();
    }
    outcome
}

/// File I/O for an effect, off the UI task; the result comes back as a message.
fn perform(app: &App, effect: Effect, tx: UnboundedSender<Msg>) {
    if let Effect::Copy(text) = &effect {
        // A terminal escape, not file I/O: written right here.
        let mut out = stdout();
        let _ = std::io::Write::write_all(&mut out, osc52(text).as_bytes());
        let _ = std::io::Write::flush(&mut out);
        return;
    }
    if let Effect::MouseCapture(on) = effect {
        // A terminal mode switch, not file I/O: done right here.
        let _ = if on {
            execute!(stdout(), EnableMouseCapture)
        } else {
            execute!(stdout(), DisableMouseCapture)
        };
        return;
    }
    let Some(loaded) = app.loaded().cloned() else {
        return;
    };
    let target = app.target.clone();
    let decisions = app.all_decisions();
    if effect == Effect::CheckTarget {
        // Socket I/O on its own task; the UI keeps answering keys meanwhile.
        #[cfg(feature = "podman")]
        tokio::spawn(async move {
            let check = target::probe(
                &loaded.inventory,
                &target,
                &decisions,
                None,
                &target::host_root(),
            )
            .await;
            let _ = tx.send(Msg::TargetChecked(check));
        });
        return;
    }
    tokio::task::spawn_blocking(move || {
        let msg = match effect {
            Effect::ExportPlan { path, overwrite } => Msg::Exported(
                actions::export_plan(&loaded, &target, &decisions, &path, overwrite)
                    .map_err(|e| crate::exit::error_line(&e)),
            ),
            Effect::ReviewWrite { dir } => Msg::Reviewed(
                actions::review_write(&loaded, &target, &decisions, &dir)
                    .map_err(|e| crate::exit::error_line(&e)),
            ),
            Effect::Write { dir, overwrite } => Msg::Written(
                actions::write(&loaded, &target, &decisions, &dir, overwrite)
                    .map_err(|e| crate::exit::error_line(&e)),
            ),
            Effect::MouseCapture(_)
            | Effect::CheckTarget
            | Effect::Copy(_)
            | Effect::Reload
            | Effect::Reread { .. } => {
                return;
            }
        };
        let _ = tx.send(msg);
    });
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard (base64, as the
/// sequence requires; no crate for twenty lines).
pub fn osc52(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                encoded.push('=');
            }
        }
    }
    format!("\x1b]52;c;{encoded}\x07")
}
