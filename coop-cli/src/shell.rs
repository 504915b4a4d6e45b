//! `coop man`: the manual page, generated from the same clap definitions as `--help`.

use std::io::Write;
use std::process::ExitCode;

use crate::args::Cli;
use crate::{Failure, Out};

/// The manual page: coop's own, then one section per command and subcommand.
pub fn man() -> Out {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    let io = |e: std::io::Error| Failure { rule: None, code: 3, message: format!("cannot write the manual page: {e}") };
    clap_mangen::Man::new(command.clone()).render(&mut out).map_err(io)?;
    fn sections(cmd: &clap::Command, path: &str, out: &mut Vec<u8>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("{path} {}", sub.get_name());
            let roff = |t: &str| t.replace('\\', "\\\\").replace('-', "\\-");
            writeln!(out, ".SH \"{}\"", roff(&name.to_uppercase()))?;
            let about = sub.get_long_about().or(sub.get_about()).map(|a| a.to_string()).unwrap_or_default();
            writeln!(out, "{}", roff(&about))?;
            let mut synopsis = Vec::new();
            clap_mangen::Man::new(sub.clone()).render_options_section(&mut synopsis)?;
            // A subsection of the command's section, not a section of its own.
            out.extend(String::from_utf8_lossy(&synopsis).replacen(".SH OPTIONS", ".SS Options", 1).into_bytes());
            if let Some(after) = sub.get_after_help() {
                writeln!(out, ".PP\n.nf\n{}\n.fi", roff(&after.to_string()))?;
            }
            sections(sub, &name, out)?;
        }
        Ok(())
    }
    sections(&command, "coop", &mut out).map_err(io)?;
    std::io::stdout().write_all(&out).map_err(io)?;
    Ok(ExitCode::SUCCESS)
}
