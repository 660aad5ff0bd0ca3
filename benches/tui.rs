//! TUI latency on a synthetic 1000-container host (the demo host's 14 containers, cloned
//! with distinct names, ports and projects).
//!
//! Measures, drawing into ratatui's in-memory TestBackend (terminal I/O excluded):
//! - first frame: from the loaded inventory to the first drawn list (assessment, catalog
//!   words, sorting and the draw) — target < 100 ms;
//! - one frame render of each screen — target < 5 ms;
//! - key-to-redraw: `update` for a key plus the redraw — target < 16 ms; for a navigation
//!   key and for a decision change (which regenerates the preview);
//! - the event stream on: an engine event message through `update`, a burst of 1000, and
//!   the reload it leads to (the swap on the UI task; assessment is off it) — < 16 ms.
//!
//! Baseline printed next to it: ratatui drawing a plain full-screen paragraph of the same
//! size, i.e. the cost of a frame that does nothing of ours.
//!
//! Run: `cargo bench --bench tui`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Paragraph;

use unroot::docker::events::{Changes, EngineEvent};
use unroot::model::{ComposeInfo, Inventory};
use unroot::tui::actions::default_target;
use unroot::tui::event::prepare;
use unroot::tui::msg::Msg;
use unroot::tui::state::App;
use unroot::tui::update::update;
use unroot::tui::view;

const CONTAINERS: usize = 1000;

fn synthetic_host(n: usize) -> Inventory {
    let demo = unroot::source::demo();
    let mut inventory = demo.clone();
    inventory.containers = (0..n)
        .map(|i| {
            let mut c = demo.containers[i % demo.containers.len()].clone();
            c.name = format!("{}-{i:04}", c.name);
            c.id = format!("{:064x}", i);
            for p in &mut c.ports {
                // Keep low ports low (they drive the port decisions), spread the rest.
                if p.host_port >= 1024 {
                    p.host_port = 10_000 + (i as u16 % 50_000);
                }
            }
            if let Some(compose) = &mut c.compose {
                *compose = ComposeInfo {
                    project: format!("{}-{}", compose.project, i / 20),
                    ..compose.clone()
                };
            }
            c
        })
        .collect();
    inventory
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|frame| view::draw(frame, app)).unwrap();
}

struct Stats {
    mean: Duration,
    p99: Duration,
    max: Duration,
}

fn measure(iterations: usize, mut f: impl FnMut()) -> Stats {
    for _ in 0..iterations.min(20) {
        f();
    }
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    let total: Duration = samples.iter().sum();
    Stats {
        mean: total / iterations as u32,
        p99: samples[(iterations * 99 / 100).min(iterations - 1)],
        max: *samples.last().unwrap(),
    }
}

/// Unoptimized smoke runs are not measured against the targets.
static SMOKE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn report(name: &str, stats: &Stats, target_ms: f64) {
    let verdict = if SMOKE.load(std::sync::atomic::Ordering::Relaxed) {
        "(smoke run: not judged)"
    } else if stats.max.as_secs_f64() * 1000.0 < target_ms {
        "ok"
    } else if stats.p99.as_secs_f64() * 1000.0 < target_ms {
        "ok (p99)"
    } else {
        "OVER TARGET"
    };
    println!(
        "{name:<44} mean {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms  target < {target_ms} ms  {verdict}",
        stats.mean.as_secs_f64() * 1000.0,
        stats.p99.as_secs_f64() * 1000.0,
        stats.max.as_secs_f64() * 1000.0,
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it:
    // then a quick smoke run (same code paths, small host, few rounds) keeps tests fast.
    let full = std::env::args().any(|a| a == "--bench");
    SMOKE.store(!full, std::sync::atomic::Ordering::Relaxed);
    let containers = if full { CONTAINERS } else { 40 };
    let scale = |n: usize| if full { n } else { n.min(3) };
    let (width, height) = (160, 48);
    let inventory = synthetic_host(containers);
    println!(
        "unroot TUI bench{}: {} containers, {width}x{height} TestBackend",
        if full {
            ""
        } else {
            " (smoke run; `cargo bench --bench tui` for figures)"
        },
        inventory.containers.len()
    );

    // First frame after the snapshot is loaded: assess + words + rows + draw.
    let first = measure(scale(10), || {
        let mut app = App::new("bench", default_target(), true);
        update(&mut app, Msg::Resize(width, height));
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        update(&mut app, Msg::Loaded(Box::new(prepare(inventory.clone()))));
        draw(&mut terminal, &app);
        black_box(&terminal);
    });
    report("first frame after load (assess+sort+draw)", &first, 100.0);

    let mut app = App::new("bench", default_target(), true);
    update(&mut app, Msg::Resize(width, height));
    update(&mut app, Msg::Loaded(Box::new(prepare(inventory.clone()))));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();

    let baseline_text = "x".repeat(usize::from(width) * usize::from(height));
    let baseline = measure(scale(500), || {
        terminal
            .draw(|f| f.render_widget(Paragraph::new(baseline_text.as_str()), f.area()))
            .unwrap();
    });
    report("baseline: ratatui plain paragraph frame", &baseline, 5.0);

    let list = measure(scale(500), || draw(&mut terminal, &app));
    report("frame: container list", &list, 5.0);

    update(&mut app, key(KeyCode::Char('/')));
    for c in "nextcloud".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    let filter_key = measure(scale(200), || {
        update(&mut app, key(KeyCode::Char('x')));
        update(&mut app, key(KeyCode::Backspace));
        draw(&mut terminal, &app);
    });
    report("key-to-redraw: filter typing (2 keys)", &filter_key, 16.0);
    update(&mut app, key(KeyCode::Esc));

    let nav = measure(scale(500), || {
        update(&mut app, key(KeyCode::Char('j')));
        draw(&mut terminal, &app);
    });
    report("key-to-redraw: j in the list", &nav, 16.0);

    let sort = measure(scale(100), || {
        update(&mut app, key(KeyCode::Char('s')));
        draw(&mut terminal, &app);
    });
    report("key-to-redraw: s (re-sort every row)", &sort, 16.0);

    update(&mut app, key(KeyCode::Char('g')));
    update(&mut app, key(KeyCode::Enter));
    let detail = measure(scale(500), || draw(&mut terminal, &app));
    report("frame: container detail", &detail, 5.0);

    update(&mut app, key(KeyCode::Char('m')));
    let migration = measure(scale(500), || draw(&mut terminal, &app));
    report("frame: migration view with preview", &migration, 5.0);

    // Volumes line: cycling it regenerates the preview each time.
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Char('j')));
    }
    let decision = measure(scale(200), || {
        update(&mut app, key(KeyCode::Char('l')));
        draw(&mut terminal, &app);
    });
    report("key-to-redraw: decision change + preview", &decision, 16.0);

    events(&mut app, &mut terminal, &inventory, scale);
}

/// The event stream on: what an engine event costs the UI task. The follower coalesces a
/// burst into one `Changes` message; `update` turns it into a reload, whose assessment runs
/// off the UI task (`prepare` in the loader), so the UI task pays for the message, the
/// swap of the reloaded inventory (edits, selection and `!` marks kept by name) and the
/// redraw. Measured with the migration view open, a decision edited.
fn events(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    inventory: &Inventory,
    scale: impl Fn(usize) -> usize,
) {
    let one_created = || {
        Msg::Engine(EngineEvent::Changes(Changes {
            created: ["late-web".to_owned()].into(),
            ..Changes::default()
        }))
    };
    let message = measure(scale(500), || {
        black_box(update(app, one_created()));
        draw(terminal, app);
    });
    report("event: Changes message + redraw", &message, 16.0);

    let burst = 1000;
    let many = measure(scale(20), || {
        for _ in 0..burst {
            black_box(update(app, one_created()));
        }
        draw(terminal, app);
    });
    report("event: 1000 Changes messages + one redraw", &many, 16.0);

    // The reloads that follow, alternating between a host with one container more and
    // the original, prepared beforehand as the loader does off the UI task.
    let mut grown = inventory.clone();
    let mut late = grown.containers[0].clone();
    late.name = "late-web".into();
    late.id = format!("{:064x}", usize::MAX);
    grown.containers.push(late);
    let rounds = scale(50);
    let mut prepared: Vec<_> = (0..rounds + rounds.min(20))
        .map(|i| {
            prepare(if i % 2 == 0 {
                grown.clone()
            } else {
                inventory.clone()
            })
        })
        .collect();
    let reload = measure(rounds, || {
        let loaded = prepared.pop().expect("one prepared inventory per round");
        update(app, Msg::Loaded(Box::new(loaded)));
        draw(terminal, app);
    });
    report(
        "event: reloaded inventory swapped in + redraw",
        &reload,
        16.0,
    );
}
