//! The host summary line: engine, cgroup version, counts per severity, blockers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::CgroupVersion;
use crate::tui::state::{App, Loaded};

use super::theme::{Theme, badge};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App, loaded: &Loaded) {
    let host = &loaded.inventory.host;
    let mut spans = vec![Span::styled("unroot", theme.title()), Span::raw(" ")];
    let engine = match (&host.server_version, &host.api_version) {
        (Some(v), Some(api)) => format!("docker {v} (API {api})"),
        (Some(v), None) => format!("docker {v}"),
        _ => "docker ?".to_string(),
    };
    let cgroup = match host.cgroup_version {
        Some(CgroupVersion::V2) => "cgroup v2",
        Some(CgroupVersion::V1) => "cgroup v1",
        None => "cgroup ?",
    };
    let name = host.hostname.as_deref().unwrap_or(&app.source);
    spans.push(Span::raw(format!(
        "{name} · {engine} · {cgroup} · {} containers ·",
        loaded.inventory.containers.len()
    )));
    for (severity, count) in &loaded.counts {
        if *count > 0 {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                format!("{}:{count}", badge(Some(*severity))),
                theme.severity(Some(*severity)),
            ));
        }
    }
    let blockers = format!(" · {} blocked", loaded.blockers);
    if loaded.blockers > 0 {
        spans.push(Span::styled(blockers, theme.error()));
    } else {
        spans.push(Span::styled(blockers, theme.ok()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
