//! Container detail: every finding (severity, what an attacker can do, remedies under
//! Docker and rootless Podman) above the settings side by side with the rootless version.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

use crate::risk::{Finding, Migration};
use crate::tui::settings::{SettingRow, compare};
use crate::tui::state::{App, Loaded, Pane};

use super::list::state_word;
use super::theme::{Theme, badge, severity_word, verdict_word};

/// The findings pane over the settings table (at most half the height).
fn split(area: Rect, settings_rows: usize) -> [Rect; 2] {
    let settings_height = (settings_rows as u16 + 3).min(area.height / 2);
    Layout::vertical([Constraint::Fill(1), Constraint::Length(settings_height)]).areas(area)
}

/// The findings text and the settings rows of the open container.
fn content(
    app: &App,
    loaded: &Loaded,
    theme: &Theme,
) -> Option<(Vec<Line<'static>>, Vec<SettingRow>)> {
    let index = app.current?;
    let container = &loaded.inventory.containers[index];
    let assessment = &loaded.assessments[index];
    let decision = app.decision(index)?;
    let unit = app
        .preview
        .as_ref()
        .filter(|p| p.container == index)
        .and_then(|p| p.generated.as_ref().ok())
        .and_then(|g| g.units.iter().find(|u| u.container == container.name));
    let settings = compare(container, &decision, &app.target, unit);
    let lines = finding_lines(
        &assessment.findings,
        loaded,
        theme,
        "No finding: nothing risky was seen in this container's settings.",
    );
    Some((lines, settings))
}

/// The findings and settings panes as drawn (for the mouse).
pub fn panes(app: &App, loaded: &Loaded, area: Rect) -> [Rect; 2] {
    let rows = content(app, loaded, &Theme::new(false)).map_or(0, |(_, s)| s.len());
    split(area, rows)
}

/// Largest useful scroll offsets of the findings pane and the settings table.
pub fn max_scrolls(app: &App, loaded: &Loaded, area: Rect) -> (u16, u16) {
    let Some((lines, settings)) = content(app, loaded, &Theme::new(false)) else {
        return (0, 0);
    };
    let [top, bottom] = split(area, settings.len());
    let findings = super::wrapped_height(&lines, top.width.saturating_sub(2))
        .saturating_sub(top.height.saturating_sub(2).max(1));
    let table = (settings.len() as u16).saturating_sub(bottom.height.saturating_sub(3).max(1));
    (findings, table)
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App, loaded: &Loaded) {
    let Some(index) = app.current else {
        return;
    };
    let Some((lines, settings)) = content(app, loaded, theme) else {
        return;
    };
    let container = &loaded.inventory.containers[index];
    let assessment = &loaded.assessments[index];
    let [top, bottom] = split(area, settings.len());
    let title = Line::from(vec![
        Span::styled(format!(" {} ", container.name), theme.title()),
        Span::raw(format!(
            "{} · {} · {} findings · score {} ",
            container.image,
            state_word(container.state),
            assessment.findings.len(),
            assessment.score
        )),
    ]);
    let visible = top.height.saturating_sub(2);
    let max_scroll =
        super::wrapped_height(&lines, top.width.saturating_sub(2)).saturating_sub(visible.max(1));
    let findings = Paragraph::new(lines)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(app.focus == Pane::First))
                .title(title),
        )
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll.min(max_scroll), 0));
    frame.render_widget(findings, top);

    let skip = usize::from(app.settings_scroll);
    let rows = settings.iter().skip(skip).map(|r| {
        Row::new(vec![
            r.setting.clone(),
            r.docker.clone(),
            r.rootless.clone(),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(13),
            Constraint::Fill(2),
            Constraint::Fill(3),
        ],
    )
    .header(Row::new(["SETTING", "DOCKER (rootful)", "ROOTLESS PODMAN"]).style(theme.dim()))
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(app.focus == Pane::Second))
            .title(Span::styled(" Settings: now and rootless ", theme.title())),
    );
    frame.render_widget(table, bottom);
}

/// Each finding: severity badge and title, what fired, what an attacker can do, and the
/// remedies under Docker and rootless Podman (catalog words). Shared with the host screen.
pub fn finding_lines(
    findings: &[Finding],
    loaded: &Loaded,
    theme: &Theme,
    none: &'static str,
) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = Vec::new();
    if findings.is_empty() {
        lines.push(Line::from(Span::styled(none, theme.ok())));
    }
    // Blockers first: they decide whether the container can move at all. The sort is
    // stable, so the catalog's order stays within each group.
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by_key(|f| f.migration != Migration::Blocker);
    for f in ordered {
        let words = loaded.words(&f.rule);
        let title = words.map_or(f.rule.as_str(), |w| w.title.as_str());
        let mut head = vec![
            Span::styled(
                format!("{:<4} ", badge(Some(f.severity))),
                theme.severity(Some(f.severity)),
            ),
            Span::styled(title.to_string(), theme.title()),
            Span::styled(format!("  [{}", f.rule), theme.dim()),
        ];
        if let Some(cis) = &f.cis {
            head.push(Span::styled(format!(" · CIS {cis}"), theme.dim()));
        }
        head.push(Span::styled("]", theme.dim()));
        lines.push(Line::from(head));
        lines.push(Line::from(vec![
            Span::styled("  seen: ", theme.dim()),
            Span::raw(f.detail.clone()),
            Span::styled(
                format!(
                    "  ({} risk, rootless: {})",
                    severity_word(f.severity),
                    verdict_word(f.migration)
                ),
                theme.verdict(f.migration),
            ),
        ]));
        if let Some(w) = words {
            for (label, text) in [
                ("  attacker: ", &w.explanation),
                ("  docker:   ", &w.remedy_docker),
                ("  podman:   ", &w.remedy_podman),
            ] {
                if !text.is_empty() {
                    lines.push(Line::from(vec![
                        Span::styled(label, theme.key()),
                        Span::raw(text.clone()),
                    ]));
                }
            }
        }
        lines.push(Line::default());
    }
    lines
}
