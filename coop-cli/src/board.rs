//! `coop board …`: the board elected by assemblies, and carrying out an election.

use std::process::ExitCode;

use coop_core::Command;
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::args::BoardCmd;
use crate::output::{self, Table};
use crate::{state_with, written, Ctx, Out};

pub fn run(ctx: &Ctx, store: &Store, cmd: BoardCmd) -> Out {
    match cmd {
        BoardCmd::Elect { assembly, resolution } => {
            let r = store.execute(ctx.on_meeting(store, &assembly, Command::Elect { assembly: assembly.clone(), resolution }))?;
            written(
                ctx,
                &r,
                format!(
                    "{} by resolution {resolution} of {assembly}",
                    coop_core::count(r.events.len() as u64, "member elected", "members elected")
                ),
            )
        }
        BoardCmd::List => {
            let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
            let date = ctx.as_of.unwrap_or(ctx.today);
            let board = coop_core::bodies::board(&state, date);
            let name = |n: coop_core::MemberNo| state.members.get(&n).map(|m| crate::party_name(store, m.party)).unwrap_or_default();
            if ctx.cli_json {
                let rows: Vec<_> = board
                    .iter()
                    .map(|(n, m)| json!({"member": n, "name": name(*n), "office": m.office, "from": m.from, "until": m.until, "decided_by": m.decided_by}))
                    .collect();
                output::json(&json!({"date": date, "board": rows}))?;
                return Ok(ExitCode::SUCCESS);
            }
            if board.is_empty() {
                println!("on {date}: no board member holds a mandate from an election (an assembly elects them: elect = [MEMBER, ...])");
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new(vec!["member", "name", "from", "until", "elected by"]);
            for (n, m) in &board {
                t.push(vec![
                    n.to_string(),
                    name(*n),
                    m.from.to_string(),
                    m.until.to_string(),
                    format!("{}, resolution {}", m.decided_by.assembly, m.decided_by.resolution),
                ]);
            }
            print!("{}", t.text());
            let st = state.statutes.as_ref();
            let (lo, hi) = (st.and_then(|s| s.board.min_members), st.and_then(|s| s.board.max_members));
            println!(
                "on {date}: {}{}",
                coop_core::count(board.len() as u64, "board member", "board members"),
                match (lo, hi) {
                    (None, None) => String::new(),
                    (lo, hi) => format!(
                        " (the statutes ask for {} to {})",
                        lo.map_or("any".into(), |x| x.to_string()),
                        hi.map_or("any".into(), |x| x.to_string())
                    ),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
