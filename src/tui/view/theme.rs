//! Styles in one place, so NO_COLOR (https://no-color.org) switches every colour off at
//! once while keeping bold and reverse video, which carry no colour.

use ratatui::style::{Color, Modifier, Style};

use crate::risk::{Migration, Severity};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn severity(&self, severity: Option<Severity>) -> Style {
        match severity {
            Some(Severity::Critical) => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Some(Severity::High) => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Some(Severity::Medium) => self.fg(Color::Yellow),
            Some(Severity::Low) => self.fg(Color::Cyan),
            Some(Severity::Info) | None => self.fg(Color::Gray),
        }
    }

    pub fn verdict(&self, migration: Migration) -> Style {
        match migration {
            Migration::Blocker => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Migration::Change => self.fg(Color::Yellow),
            Migration::Ok => self.fg(Color::Green),
        }
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
}

/// The four-letter badge of a severity (`CRIT`), or `ok` without findings.
pub fn badge(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical) => "CRIT",
        Some(Severity::High) => "HIGH",
        Some(Severity::Medium) => "MED",
        Some(Severity::Low) => "LOW",
        Some(Severity::Info) => "INFO",
        None => "ok",
    }
}

pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

pub fn verdict_word(migration: Migration) -> &'static str {
    match migration {
        Migration::Blocker => "blocker",
        Migration::Change => "change",
        Migration::Ok => "ok",
    }
}
