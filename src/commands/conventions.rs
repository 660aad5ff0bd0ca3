//! `unroot completions SHELL` and `unroot man`: what operators expect of an installed CLI,
//! generated from the same clap definitions as the parser so they never drift from it.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionShell};
use crate::exit::{self, Failure};

/// The program name the scripts complete and the man page documents.
const NAME: &str = "unroot";

/// The completion script for `shell`, as text (clap_complete writes to any `Write`).
pub fn completion_script(shell: CompletionShell) -> String {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), NAME, &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// The man page in roff, section 1: the top-level page (name, synopsis, description,
/// global options), then one COMMANDS subsection per subcommand with its own synopsis,
/// description and options (one page to install, not one per subcommand), then EXIT
/// STATUS with the documented codes.
pub fn man_page() -> Result<String> {
    let mut cmd = Cli::command().name(NAME);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut page = Vec::new();
    let render = |page: &mut Vec<u8>, man: &clap_mangen::Man| -> std::io::Result<()> {
        man.render_title(page)?;
        man.render_name_section(page)?;
        man.render_synopsis_section(page)?;
        man.render_description_section(page)?;
        man.render_options_section(page)
    };
    render(&mut page, &man).map_err(man_error)?;
    page.extend_from_slice(b".SH COMMANDS\n");
    let globals: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().clone())
        .collect();
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let full = format!("{NAME} {}", sub.get_name());
        // The global options are listed once, above; a subcommand lists only its own.
        let mut sub = sub.clone().bin_name(full.clone());
        for id in &globals {
            sub = sub.mut_arg(id.clone(), |a| a.hide(true));
        }
        let sub_man = clap_mangen::Man::new(sub);
        let mut section = Vec::new();
        for part in [
            clap_mangen::Man::render_synopsis_section,
            clap_mangen::Man::render_description_section,
            clap_mangen::Man::render_options_section,
        ] {
            part(&sub_man, &mut section).map_err(man_error)?;
        }
        page.extend_from_slice(format!(".SS \"{full}\"\n").as_bytes());
        for line in String::from_utf8_lossy(&section).lines() {
            // Section headings of the subcommand's own page become plain paragraphs.
            if line.starts_with(".SH ") {
                page.extend_from_slice(b".PP\n");
            } else {
                page.extend_from_slice(line.as_bytes());
                page.push(b'\n');
            }
        }
    }
    page.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for line in crate::cli::EXIT_CODES.lines().skip(1) {
        let (code, meaning) = line.trim().split_once(' ').unwrap_or((line, ""));
        page.extend_from_slice(
            format!(".TP\n\\fB{code}\\fR\n{}\n", roff_text(meaning.trim())).as_bytes(),
        );
    }
    man.render_version_section(&mut page).map_err(man_error)?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// Text for a roff body line: backslashes and hyphens escaped, no leading control dot.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

fn man_error(e: std::io::Error) -> anyhow::Error {
    Failure::usage(format!("cannot render the man page: {e}")).into()
}

/// `unroot completions SHELL`: the script on standard output.
pub fn completions(shell: CompletionShell) -> Result<u8> {
    exit::write_stdout(&completion_script(shell))?;
    Ok(exit::OK)
}

/// `unroot man`: the page on standard output.
pub fn man() -> Result<u8> {
    exit::write_stdout(&man_page()?)?;
    Ok(exit::OK)
}
