//! A command builder that quotes every argument by construction.
//!
//! A [`Cmd`] is a list of words. Values (names, paths, references: anything that came from
//! Docker, a snapshot or a plan) can only be added with [`Cmd::arg`] or [`Cmd::under`], which
//! quote them; unquoted words are `&'static str` written in this crate's source
//! ([`Cmd::word`]) or one of the script's own variables ([`Var`]). So no value can ever
//! become shell syntax, whatever it contains.

use std::borrow::Cow;

/// Quote a string for bash: as it is when plainly safe, in single quotes otherwise, and in
/// ANSI-C quotes (`$'a\nb'`) when it holds a backslash, a control or an invisible formatting
/// character: the script's text never holds a raw one (a carriage return or an escape
/// sequence would otherwise reach the reviewer's terminal and editor).
pub fn q(s: &str) -> Cow<'_, str> {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c));
    if safe {
        Cow::Borrowed(s)
    } else if s.contains('\\') || s.chars().any(crate::render::text::needs_escape) {
        // A backslash is literal in single quotes, but `'a\'` reads like an escaped quote
        // to reviewers and to shellcheck (SC1003): ANSI-C quotes spell it `\\`.
        Cow::Owned(ansi_c(s))
    } else {
        Cow::Owned(format!("'{}'", s.replace('\'', r"'\''")))
    }
}

/// `$'...'` with every backslash, quote, control and formatting character escaped.
fn ansi_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && crate::render::text::needs_escape(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if crate::render::text::needs_escape(c) => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The script's own variables a command may refer to (always expanded in double quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// `$UNROOT_STAGING`: archives, owner records.
    Staging,
    /// `$UNROOT_BUNDLE`: the generated files next to the script.
    Bundle,
    /// `$home`: the user's home (a step's local).
    Home,
    /// `$dir`: the user's quadlet directory (a step's local).
    Dir,
    /// `$group`: the user's primary group (a step's local).
    Group,
    /// `$src`: a Docker volume's data directory (a step's local).
    Src,
}

impl Var {
    fn expansion(self) -> &'static str {
        match self {
            Var::Staging => "\"$UNROOT_STAGING\"",
            Var::Bundle => "\"$UNROOT_BUNDLE\"",
            Var::Home => "\"$home\"",
            Var::Dir => "\"$dir\"",
            Var::Group => "\"$group\"",
            Var::Src => "\"$src\"",
        }
    }
}

/// A shell command line under construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd(Vec<String>);

impl Cmd {
    /// A command: a program, builtin or helper named in this crate's source.
    pub fn new(program: &'static str) -> Self {
        Self(vec![program.to_string()])
    }

    /// `run PROGRAM ...`: printed by the dry run, executed with `--apply`.
    pub fn run(program: &'static str) -> Self {
        Self::new("run").word(program)
    }

    /// `run as_user USER ...`: a command as the rootless user.
    pub fn run_as(user: &str) -> Self {
        Self::run("as_user").arg(user)
    }

    /// `as_user USER ...` without `run`: a query whose answer the step needs (`podman image
    /// exists`), only ever used under `applying`.
    pub fn query_as(user: &str) -> Self {
        Self::new("as_user").arg(user)
    }

    /// A fixed word (flag, sub-command), written in this crate's source.
    pub fn word(mut self, w: &'static str) -> Self {
        self.0.push(w.to_string());
        self
    }

    /// A value, quoted.
    pub fn arg(mut self, value: impl AsRef<str>) -> Self {
        self.0.push(q(value.as_ref()).into_owned());
        self
    }

    /// A number (ports, IDs): nothing to quote.
    pub fn num(mut self, n: impl Into<u64>) -> Self {
        self.0.push(n.into().to_string());
        self
    }

    /// One of the script's variables on its own.
    pub fn var(mut self, var: Var) -> Self {
        self.0.push(var.expansion().to_string());
        self
    }

    /// A path under one of the script's variables: `"$VAR"/'relative path'`.
    pub fn under(mut self, var: Var, relative: impl AsRef<str>) -> Self {
        self.0.push(under(var, relative.as_ref()));
        self
    }

    /// The command line.
    pub fn render(&self) -> String {
        self.0.join(" ")
    }
}

/// `"$VAR"/'relative path'`, a single shell word.
pub fn under(var: Var, relative: &str) -> String {
    format!("{}/{}", var.expansion(), q(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_cannot_become_syntax() {
        let cmd = Cmd::run("docker")
            .word("stop")
            .arg("web\ntouch /tmp/pwned #")
            .arg("$(id)")
            .arg("it's")
            .under(Var::Staging, "images/a b.tar")
            .num(8080u16);
        assert_eq!(
            cmd.render(),
            "run docker stop $'web\\ntouch /tmp/pwned #' '$(id)' 'it'\\''s' \"$UNROOT_STAGING\"/'images/a b.tar' 8080"
        );
        assert_eq!(
            q("a'\\\u{1b}[31m\r\u{202e}"),
            "$'a\\'\\\\\\x1b[31m\\x0d\\u202e'"
        );
        assert_eq!(q("web\\"), "$'web\\\\'");
        assert_eq!(q("plain-1.2:x"), "plain-1.2:x");
        assert_eq!(q(""), "''");
    }
}
