//! `coop log`: the events of the log, a range of them or the latest, filtered by member or type.

use std::process::ExitCode;

use coop_core::MemberRef;
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::output::{self, Table};
use crate::{Ctx, Failure, Out};

/// What `coop log` shows: a range, or the last events, of those about a member or of a type.
pub struct LogFilter {
    pub from: u64,
    pub limit: usize,
    pub last: Option<usize>,
    pub member: Option<MemberRef>,
    pub types: Vec<String>,
}

impl LogFilter {
    /// The events to show, read in chunks (the whole log when filtering).
    fn events(&self, store: &Store) -> Result<Vec<coop_store::Envelope>, Failure> {
        for t in &self.types {
            if !coop_core::EVENT_TYPES.contains(&t.as_str()) {
                return Err(Failure::input(format!("--type {t}: not an event type (types: {})", coop_core::EVENT_TYPES.join(", "))));
            }
        }
        let member = match self.member {
            None => None,
            Some(r) => {
                let state = store.state_part(&Part { members: Pick::All, ..Part::default() })?;
                Some(state.member(r).map(|m| m.number).ok_or_else(|| Failure::input(format!("member {r} is not in the register")))?)
            }
        };
        let head = store.head().seq;
        let filtered = member.is_some() || !self.types.is_empty();
        if !filtered {
            return Ok(match self.last {
                Some(n) => store.events(head.saturating_sub(n as u64) + 1, n.min(100_000))?,
                None => store.events(self.from, self.limit.min(100_000))?,
            });
        }
        let keep = |e: &coop_store::Envelope| {
            member.is_none_or(|n| e.event.concerns(n)) && (self.types.is_empty() || self.types.iter().any(|t| t == e.event.type_name()))
        };
        let (start, want) = match self.last {
            Some(n) => (1, n),
            None => (self.from.max(1), self.limit),
        };
        let mut out = std::collections::VecDeque::new();
        let mut seq = start;
        while seq <= head && want > 0 {
            let batch = store.events(seq, 10_000)?;
            if batch.is_empty() {
                break;
            }
            seq += batch.len() as u64;
            for e in batch.into_iter().filter(|e| keep(e)) {
                out.push_back(e);
                if out.len() > want {
                    if self.last.is_some() {
                        out.pop_front();
                    } else {
                        out.pop_back();
                        return Ok(out.into());
                    }
                }
            }
        }
        Ok(out.into())
    }
}

pub fn log(ctx: &Ctx, store: &Store, filter: LogFilter) -> Out {
    let events = filter.events(store)?;
    let voided = store.voided()?;
    if ctx.cli_json {
        let rows: Vec<serde_json::Value> = events
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or_default();
                if let (Some(obj), Some(x)) = (v.as_object_mut(), voided.get(&e.command_id)) {
                    obj.insert("voided".into(), json!({"by": x.seq, "reason": x.reason}));
                }
                v
            })
            .collect();
        output::json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    // Actors are recorded by party id: shown by name (an erased one as such).
    let state = store.state()?;
    let mut names = std::collections::BTreeMap::new();
    let mut t = Table::new(vec!["seq", "effective", "recorded", "actor", "event"]);
    for e in &events {
        if !names.contains_key(&e.actor) {
            names.insert(e.actor.clone(), store.officer_name(&state, &e.actor)?);
        }
        let mark = voided.get(&e.command_id).map(|v| format!(" [VOIDED by event {}: {}]", v.seq, v.reason)).unwrap_or_default();
        t.push(vec![
            e.seq.to_string(),
            e.effective.to_string(),
            e.recorded.format("%Y-%m-%d %H:%M").to_string(),
            names[&e.actor].clone(),
            format!("{}{mark}", e.event.describe()),
        ]);
    }
    print!("{}", t.text());
    Ok(ExitCode::SUCCESS)
}
