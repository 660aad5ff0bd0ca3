//! The Docker host: the facts that matter for the move (engine, cgroups, confinement,
//! runc) and the host-wide findings with the same words as a container's.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::model::CgroupVersion;
use crate::risk::Severity;
use crate::tui::state::{App, Loaded};
use crate::tui::target::TargetCheck;
use crate::verify::Status;

use super::detail::finding_lines;
use super::theme::Theme;

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn lines(app: &App, loaded: &Loaded, theme: &Theme) -> Vec<Line<'static>> {
    let h = &loaded.inventory.host;
    let unknown = || "?".to_string();
    let facts: Vec<(&str, String)> = vec![
        ("Source", loaded.inventory.source.clone()),
        (
            "Engine",
            format!(
                "Docker {} (API {})",
                h.server_version.clone().unwrap_or_else(unknown),
                h.api_version.clone().unwrap_or_else(unknown)
            ),
        ),
        (
            "OS / kernel",
            format!(
                "{} / {}",
                h.os.clone().unwrap_or_else(unknown),
                h.kernel_version.clone().unwrap_or_else(unknown)
            ),
        ),
        (
            "Cgroups",
            format!(
                "{} ({} driver)",
                match h.cgroup_version {
                    Some(CgroupVersion::V2) => "v2",
                    Some(CgroupVersion::V1) => "v1: no rootless resource limits",
                    None => "?",
                },
                h.cgroup_driver.clone().unwrap_or_else(unknown)
            ),
        ),
        (
            "runc",
            h.runc_version
                .clone()
                .or_else(|| h.runc_commit.clone())
                .unwrap_or_else(unknown),
        ),
        (
            "Confinement",
            format!(
                "seccomp {}, AppArmor {}, SELinux {}",
                yes(h.seccomp),
                yes(h.apparmor),
                yes(h.selinux)
            ),
        ),
        (
            "Daemon",
            format!(
                "rootless {}, userns-remap {}, live-restore {}",
                yes(h.rootless),
                yes(h.userns_remap),
                yes(h.live_restore)
            ),
        ),
    ];
    let mut lines: Vec<Line<'static>> = facts
        .into_iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:<12} "), theme.key()),
                Span::raw(v),
            ])
        })
        .collect();
    if let Some(check) = &app.target_check {
        lines.extend(target_lines(check, theme));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("Host findings ({})", loaded.host_findings.len()),
        theme.title(),
    )));
    lines.extend(finding_lines(
        &loaded.host_findings,
        loaded,
        theme,
        "No host-wide finding.",
    ));
    lines
}

/// The target's readiness (`unroot verify`'s readiness checks for the decisions so far):
/// the summary line, then every check that did not pass with its fix.
fn target_lines(check: &TargetCheck, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:<12} ", "Target"), theme.key()),
        Span::raw(check.summary()),
    ])];
    let TargetCheck::Checked(report) = check else {
        return lines;
    };
    lines.push(Line::from(Span::styled(
        format!(
            "{:<12} readiness of {} for the decisions at start-up",
            "", report.socket
        ),
        theme.dim(),
    )));
    for c in report.checks.iter().filter(|c| c.status != Status::Pass) {
        let style = if c.status == Status::Fail {
            theme.error()
        } else {
            theme.severity(Some(Severity::Medium))
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(c.status.as_str().to_uppercase(), style),
            Span::raw(format!(" {}: {}", c.id, c.message)),
        ]));
        if let Some(fix) = &c.fix {
            lines.push(Line::from(vec![
                Span::styled("       fix: ", theme.key()),
                Span::raw(fix.clone()),
            ]));
        }
    }
    lines
}

/// Largest useful scroll offset at this area.
pub fn max_scroll(app: &App, loaded: &Loaded, area: Rect) -> u16 {
    let lines = lines(app, loaded, &Theme::new(false));
    super::wrapped_height(&lines, area.width.saturating_sub(2))
        .saturating_sub(area.height.saturating_sub(2).max(1))
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App, loaded: &Loaded) {
    let lines = lines(app, loaded, theme);
    let max = max_scroll(app, loaded, area);
    let title = format!(
        " Host {} ",
        loaded.inventory.host.hostname.as_deref().unwrap_or("")
    );
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .title(Span::styled(title, theme.title())),
            )
            .wrap(Wrap { trim: false })
            .scroll((app.host_scroll.min(max), 0)),
        area,
    );
}
