//! Whole-screen snapshots of every screen and state, drawn from fixture models into
//! ratatui's TestBackend (text only; colour is checked separately).

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use crate::docker::Progress;
use crate::tui::actions::default_target;
use crate::tui::fixtures::{press, press_ctrl, ready_app, target_report, type_text};
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
    while app.sort != crate::tui::state::SortKey::Project {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_snapshot!(render(&app).backend());
}

#[test]
fn list_sorted_by_state_reversed() {
    let mut app = ready_app(100, 16);
    while app.sort != crate::tui::state::SortKey::State {
        press(&mut app, KeyCode::Char('s'));
    }
    press(&mut app, KeyCode::Char('S'));
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
    press_ctrl(&mut app, 'e');
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

/// Issue 14: the hardening lines are decisions like the others. Going down to read-only
/// root at 80x24 scrolls the list to keep the selection in view, and Right switches it on.
#[test]
fn migration_view_hardening_toggled_at_80x24() {
    let mut app = migration_of_web(80, 24);
    let before = app.decision(app.current.unwrap()).unwrap();
    assert!(!before.hardening.read_only_root);
    // Include, user, port policy, volumes, network, pin digest, auto-update, then NNP,
    // drops, read-only root.
    for _ in 0..9 {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Right);
    let after = app.decision(app.current.unwrap()).unwrap();
    assert!(after.hardening.read_only_root, "Right switched it on");
    assert!(app.unsaved);
    // Down to the last line, below the pane's bottom: the list scrolls.
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    let terminal = render(&app);
    let text = format!("{:?}", terminal.backend());
    assert!(
        text.contains("> Image's non-root user"),
        "the selection is in view"
    );
    assert!(text.contains("on: writable-rootfs"));
    assert_snapshot!(terminal.backend());
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
        app = ready_app(w, h);
        press_ctrl(&mut app, 'e');
        let _ = render(&app);
        update(&mut app, Msg::Reviewed(Ok(many_files_review(40))));
        press(&mut app, KeyCode::Char('G'));
        let _ = render(&app);
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

/// A write review of `n` files, one of them edited by hand.
fn many_files_review(n: usize) -> WriteReview {
    let mut files = vec![("quadlet/blog-web.container".to_string(), FileStatus::Edited)];
    files.extend((1..n).map(|i| (format!("quadlet/app{i}.container"), FileStatus::New)));
    WriteReview {
        dir: "./unroot-migration".into(),
        files,
        refused: None,
    }
}

/// Defect 3: the selected decision's label was dark grey on dark grey. No cell of any
/// screen may draw its text in its own background colour.
#[test]
fn no_text_is_drawn_in_its_background_colour() {
    let mut app = ready_app(100, 30);
    let screens: &[&[KeyCode]] = &[
        &[],
        &[KeyCode::Enter],
        &[KeyCode::Char('m'), KeyCode::Char('j')],
        &[KeyCode::Char('i')],
        &[KeyCode::Char('?')],
    ];
    for keys in screens {
        app = ready_app(100, 30);
        for &k in *keys {
            press(&mut app, k);
        }
        let terminal = render(&app);
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            if cell.symbol().trim().is_empty() {
                continue;
            }
            assert!(
                cell.bg == Color::Reset || cell.fg != cell.bg,
                "{keys:?}: {:?} drawn {:?} on {:?}",
                cell.symbol(),
                cell.fg,
                cell.bg
            );
        }
    }
    let _ = app;
}

#[test]
fn migration_view_selected_label_is_readable() {
    let mut app = ready_app(100, 30);
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Char('j'));
    assert_snapshot!(render(&app).backend());
}

/// Defect 5: at 200x50 the review leaves the status line and the footer visible.
#[test]
fn write_review_at_200x50_leaves_the_status_line() {
    let mut app = ready_app(200, 50);
    update(&mut app, Msg::Reviewed(Ok(many_files_review(60))));
    app.status = Some(crate::tui::state::Status {
        text: "Writing into ./unroot-migration ...".into(),
        error: false,
    });
    assert_snapshot!(render(&app).backend());
}

/// Defect 5: at 80x24 the file list scrolls.
#[test]
fn write_review_at_80x24_scrolled() {
    let mut app = ready_app(80, 24);
    update(&mut app, Msg::Reviewed(Ok(many_files_review(30))));
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('j'));
    }
    assert_snapshot!(render(&app).backend());
}

/// Defect 2: what the dialog says after `y` with a hand-edited file.
#[test]
fn write_review_refusing_over_a_hand_edited_file() {
    let mut app = ready_app(80, 24);
    update(&mut app, Msg::Reviewed(Ok(many_files_review(3))));
    press(&mut app, KeyCode::Char('y'));
    assert_snapshot!(render(&app).backend());
}

/// Defect 6: wrapped preview lines carry a continuation mark.
#[test]
fn preview_marks_continued_lines() {
    let mut app = ready_app(80, 24);
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Tab);
    let mut seen = false;
    for _ in 0..80 {
        let text = format!("{:?}", render(&app).backend());
        if text.contains(crate::tui::view::migration::CONTINUATION.trim()) {
            seen = true;
            break;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    assert!(seen, "no continued line in the preview at 80x24");
}

/// Defect 6: the footer keeps `? help` and `q quit` at 80 columns.
#[test]
fn footer_keeps_help_and_quit_at_80_columns() {
    for keys in [&[][..], &[KeyCode::Enter][..], &[KeyCode::Char('m')][..]] {
        let mut app = ready_app(80, 24);
        for &k in keys {
            press(&mut app, k);
        }
        let terminal = render(&app);
        let buffer = terminal.backend().buffer();
        let last: String = (0..80)
            .map(|x| buffer[(x, 23)].symbol().to_string())
            .collect();
        assert!(last.contains("? help"), "{keys:?}: {last}");
        assert!(last.contains("q quit"), "{keys:?}: {last}");
    }
}

/// Blockers first in the detail: a blocker listed after other findings is shown first.
#[test]
fn detail_lists_blocker_findings_first() {
    use crate::risk::{Finding, Migration, Severity};
    let app = ready_app(100, 30);
    let loaded = app.loaded().unwrap().clone();
    let finding = |rule: &str, migration| Finding {
        rule: rule.into(),
        severity: Severity::Medium,
        migration,
        cis: None,
        detail: "seen".into(),
    };
    let findings = [
        finding("first-change", Migration::Change),
        finding("then-blocker", Migration::Blocker),
        finding("last-ok", Migration::Ok),
    ];
    let lines = super::detail::finding_lines(
        &findings,
        &loaded,
        &crate::tui::view::Theme::new(false),
        "none",
    );
    let rules: Vec<String> = lines
        .iter()
        .map(|l| l.to_string())
        .filter(|l| l.contains('['))
        .collect();
    assert!(rules[0].contains("then-blocker"), "{rules:?}");
    assert!(rules[1].contains("first-change"), "{rules:?}");
}

/// Bulk decisions: marked rows carry `✓` and the title counts them.
#[test]
fn list_with_a_marked_compose_project() {
    let mut app = ready_app(100, 16);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('p'));
    assert_snapshot!(render(&app).backend());
}

/// Live engine: a dropped event stream says so in the status bar, with the retry and `r`.
#[test]
fn event_stream_dropped_hint_in_the_status_bar() {
    use crate::docker::events::EngineEvent;
    let mut app = ready_app(120, 20);
    update(
        &mut app,
        Msg::Engine(EngineEvent::Dropped {
            message:
                "the event stream of unix:///var/run/docker.sock dropped: the engine closed it"
                    .into(),
            retry_in: std::time::Duration::from_secs(4),
        }),
    );
    assert_snapshot!(render(&app).backend());
}
