//! The host summary line: engine, cgroup version, counts per severity, blockers, and the
//! target's readiness once the Podman socket answered.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::CgroupVersion;
use crate::risk::Severity;
use crate::tui::state::{App, Loaded};
use crate::tui::target::TargetCheck;

use super::theme::{Theme, badge};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, app: &App, loaded: &Loaded) {
    let host = &loaded.inventory.host;
    let cgroup = match host.cgroup_version {
        Some(CgroupVersion::V2) => "cgroup v2",
        Some(CgroupVersion::V1) => "cgroup v1",
        None => "cgroup ?",
    };
    let name = host.hostname.as_deref().unwrap_or(&app.source);
    let version = host.server_version.as_deref().unwrap_or("?");
    let count = loaded.inventory.containers.len();
    let summary = &loaded.summary;
    let counts: Vec<(String, Style)> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .into_iter()
    .filter(|s| summary.count(*s) > 0)
    .map(|s| {
        (
            format!("{}:{}", badge(Some(s)), summary.count(s)),
            theme.severity(Some(s)),
        )
    })
    .collect();
    let blocked = summary.containers_with_blockers;
    let blockers = format!("{blocked} blocked");
    // The target's readiness, in its shortest form (details on the host screen `i`).
    let target = match &app.target_check {
        Some(TargetCheck::Checked(report)) => Some(match report.summary {
            t if t.fail > 0 => (format!("target {} fail", t.fail), theme.error()),
            t if t.warn > 0 => (
                format!("target {} warn", t.warn),
                theme.severity(Some(Severity::Medium)),
            ),
            _ => ("target ready".to_string(), theme.ok()),
        }),
        _ => None,
    };
    let target_len = target.as_ref().map_or(0, |(t, _)| t.chars().count() + 3);
    let mut counts = counts;
    let tail_len = |counts: &[(String, Style)]| {
        counts.iter().map(|(t, _)| t.len() + 1).sum::<usize>() + blockers.len() + 3
    };
    // Info findings are the first thing to go on a narrow screen; blockers never do.
    let narrowest = format!("{count} ctrs ·");
    if narrowest.chars().count() + tail_len(&counts) > usize::from(area.width)
        && counts.last().is_some_and(|(t, _)| t.starts_with("INFO"))
    {
        counts.pop();
    }
    let tail_len = tail_len(&counts);
    // Widest form first; drop detail until the line fits (80 columns must show the counts).
    let heads = [
        match &host.api_version {
            Some(api) => format!(
                "unroot {name} · docker {version} (API {api}) · {cgroup} · {count} containers ·"
            ),
            None => format!("unroot {name} · docker {version} · {cgroup} · {count} containers ·"),
        },
        format!("{name} · docker {version} · {cgroup} · {count} containers ·"),
        format!("{name} · {version} · {cgroup} · {count} ctrs ·"),
        format!("{version} · {cgroup} · {count} ctrs ·"),
        format!("{count} ctrs ·"),
    ];
    let width = usize::from(area.width);
    let fits = |h: &&String, extra: usize| h.chars().count() + tail_len + extra <= width;
    // The target's word may cost the host name, never the engine version and cgroup.
    let with_target = heads[..4].iter().find(|h| fits(h, target_len));
    let mut target = target;
    let head = match (&target, with_target) {
        (Some(_), Some(head)) => head,
        _ => {
            target = None;
            heads
                .iter()
                .find(|h| fits(h, 0))
                .unwrap_or(&heads[heads.len() - 1])
        }
    }
    .clone();
    let mut spans = vec![Span::styled(head, theme.title())];
    for (text, style) in counts {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(text, style));
    }
    spans.push(Span::raw(" · "));
    spans.push(Span::styled(
        blockers,
        if blocked > 0 {
            theme.error()
        } else {
            theme.ok()
        },
    ));
    if let Some((text, style)) = target {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
