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
use super::event::spawn_loader;
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
        global
            .docker_host
            .clone()
            .or_else(|| std::env::var("DOCKER_HOST").ok())
            .unwrap_or_else(|| "unix:///var/run/docker.sock".into())
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
    let loader = spawn_loader(global.clone(), tx.clone());
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
        if let Some(effect) = update(app, msg) {
            perform(app, effect, tx.clone());
        }
        // Coalesce what else is already queued (a burst of progress messages while a big
        // host is inspected) into one redraw.
        while let Ok(msg) = rx.try_recv() {
            if let Some(effect) = update(app, msg) {
                perform(app, effect, tx.clone());
            }
        }
    };
    loader.abort();
    outcome
}

/// File I/O for an effect, off the UI task; the result comes back as a message.
fn perform(app: &App, effect: Effect, tx: UnboundedSender<Msg>) {
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
            Effect::MouseCapture(_) | Effect::CheckTarget => return,
        };
        let _ = tx.send(msg);
    });
}
