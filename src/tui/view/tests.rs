//! Whole-screen snapshots of every screen and state, drawn from fixture models into
//! ratatui's TestBackend (text only; colour is checked separately).

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use crate::docker::Progress;
use crate::tui::actions::default_target;
use crate::tui::fixtures::{press, ready_app, target_report, type_text};
use crate::tui::msg::Msg;
use crate::tui::state::{App, FileStatus, Overlay, WriteReview};
use crate::tui::target::TargetCheck;
use crate::tui::update::update;

fn render(app: &App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| super::draw(frame, app)).unwrap();
    terminal
}

#[test]
fn loading_before_the_count_is_known() {
    let mut app = App::new("unix:///var/run/docker.sock", default_target(), true);
    update(&mut app, Msg::Resize(80, 24));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn loading_with_progress() {
    let mut app = App::new("unix:///var/run/docker.sock", default_target(), true);
    update(&mut app, Msg::Resize(80, 24));
    update(
        &mut app,
        Msg::Progress(Progress {
            inspected: 6,
            total: 14,
        }),
    );
    assert_snapshot!(render(&app).backend());
}

#[test]
fn error_screen_shows_the_cli_message() {
    let mut app = App::new("unix:///var/run/docker.sock", default_target(), true);
    update(&mut app, Msg::Resize(80, 24));
    update(
        &mut app,
        Msg::LoadFailed {
            message: "cannot connect to the Docker engine at unix:///var/run/docker.sock: permission denied; run as a member of the docker group or use --snapshot FILE".into(),
            code: 3,
        },
    );
    assert_snapshot!(render(&app).backend());
}

#[test]
fn list_sorted_by_risk() {
    let app = ready_app(100, 16);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn list_at_80x24() {
    let app = ready_app(80, 24);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn list_marks_edited_and_excluded_containers() {
    let mut app = migration_of_web(100, 16);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right); // remap ports
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc); // clears the filter
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "portainer");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Enter); // exclude
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn list_sorted_by_project() {
    let mut app = ready_app(100, 16);
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn filter_being_typed() {
    let mut app = ready_app(100, 16);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "blog");
    assert_snapshot!(render(&app).backend());
}

#[test]
fn filter_by_rule_id_applied() {
    let mut app = ready_app(100, 16);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "privileged");
    press(&mut app, KeyCode::Enter);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn help_overlay() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('?'));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn help_overlay_scrolled() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('?'));
    for _ in 0..20 {
        press(&mut app, KeyCode::Char('j'));
    }
    assert_snapshot!(render(&app).backend());
}

#[test]
fn host_screen() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('i'));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn quit_question_after_an_edit() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('q'));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn export_prompt() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('e'));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn write_review_with_a_differing_file() {
    let mut app = ready_app(80, 24);
    app.overlay = Some(Overlay::Review(WriteReview {
        dir: "./out".into(),
        files: vec![
            ("quadlet/blog-web.container".into(), FileStatus::Differs),
            ("quadlet/blog-db.container".into(), FileStatus::New),
            ("subuid".into(), FileStatus::Same),
        ],
        refused: None,
    }));
    assert_snapshot!(render(&app).backend());
}

#[test]
fn detail_of_the_worst_container() {
    let mut app = ready_app(100, 30);
    press(&mut app, KeyCode::Enter);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn detail_at_80x24() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    assert_snapshot!(render(&app).backend());
}

/// The web container, opened in the migration view.
fn migration_of_web(width: u16, height: u16) -> App {
    let mut app = ready_app(width, height);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "blog-web");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('m'));
    app
}

#[test]
fn migration_view_defaults() {
    let app = migration_of_web(120, 32);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn migration_view_after_remapping_ports() {
    let mut app = migration_of_web(120, 32);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn migration_view_at_80x24() {
    let app = migration_of_web(80, 24);
    assert_snapshot!(render(&app).backend());
}

#[test]
fn no_color_draws_without_any_colour() {
    for color in [true, false] {
        let mut app = ready_app(100, 30);
        app.color = color;
        press(&mut app, KeyCode::Char('?'));
        press(&mut app, KeyCode::Esc);
        let terminal = render(&app);
        let coloured = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .filter(|cell| cell.fg != Color::Reset || cell.bg != Color::Reset)
            .count();
        if color {
            assert!(coloured > 0, "colour mode draws colours");
        } else {
            assert_eq!(coloured, 0, "NO_COLOR: no cell may carry a colour");
        }
    }
}

#[test]
fn tiny_terminals_never_panic() {
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        let mut app = ready_app(w, h);
        let _ = render(&app);
        for keys in [
            vec![KeyCode::Char('?')],
            vec![KeyCode::Char('/'), KeyCode::Char('b')],
            vec![KeyCode::Enter],
            vec![KeyCode::Char('m'), KeyCode::Tab, KeyCode::Char('G')],
            vec![KeyCode::Char('i'), KeyCode::Char('G')],
            vec![KeyCode::Char('e')],
        ] {
            app = ready_app(w, h);
            for key in keys {
                press(&mut app, key);
                let _ = render(&app);
            }
        }
        let mut loading = App::new("x", default_target(), true);
        update(&mut loading, Msg::Resize(w, h));
        update(
            &mut loading,
            Msg::Progress(Progress {
                inspected: 1,
                total: 3,
            }),
        );
        let _ = render(&loading);
        update(
            &mut loading,
            Msg::LoadFailed {
                message: "boom".into(),
                code: 3,
            },
        );
        let _ = render(&loading);
    }
}

/// The host screen (`i`) after the target probe answered `check`.
fn host_screen_after(check: TargetCheck, width: u16, height: u16) -> App {
    let mut app = ready_app(width, height);
    update(&mut app, Msg::TargetChecked(check));
    press(&mut app, KeyCode::Char('i'));
    app
}

#[test]
fn host_screen_with_target_readiness() {
    let check = TargetCheck::Checked(Box::new(target_report()));
    assert_snapshot!(render(&host_screen_after(check, 100, 30)).backend());
}

#[test]
fn host_screen_when_the_target_was_not_checked() {
    let check = TargetCheck::NotChecked(
        "no Podman socket at /run/user/1001/podman/podman.sock: start it as the target user: \
         `systemctl --user enable --now podman.socket` (or `podman system service --time=0 unix://PATH`)"
            .into(),
    );
    assert_snapshot!(render(&host_screen_after(check, 100, 20)).backend());
}

/// At 80 columns the target's word would cost the engine version and cgroup: it stays on
/// the host screen only.
#[test]
fn list_at_80x24_keeps_the_engine_over_the_target() {
    let mut app = ready_app(80, 24);
    update(
        &mut app,
        Msg::TargetChecked(TargetCheck::Checked(Box::new(target_report()))),
    );
    assert_snapshot!(render(&app).backend());
}
