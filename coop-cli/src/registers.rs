//! The registers a secretary is asked for: the chronological register of share movements, and
//! a member's share certificate.

use std::process::ExitCode;

use coop_core::{MemberRef, State};
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::args::{DocFormat, Lang};
use crate::documents;
use crate::output;
use crate::{state_with, Ctx, Failure, Out};

/// The events of the timeline as the query sees them: up to --known-at, voids then known left
/// out, up to --as-of, in the order of their dates (then as recorded).
fn timeline(ctx: &Ctx, store: &Store) -> Result<Vec<(u64, chrono::NaiveDate, coop_core::Event)>, Failure> {
    let last = ctx.known_at.unwrap_or(u64::MAX).min(store.head().seq);
    let voided: std::collections::BTreeSet<String> = store.voided()?.into_iter().filter(|(_, v)| v.seq <= last).map(|(id, _)| id).collect();
    let mut out = Vec::new();
    let mut from = 1;
    while from <= last {
        let batch = store.events(from, 10_000)?;
        if batch.is_empty() {
            break;
        }
        from += batch.len() as u64;
        for e in batch {
            if e.seq > last || voided.contains(&e.command_id) || ctx.as_of.is_some_and(|d| e.effective > d) {
                continue;
            }
            out.push((e.seq, e.effective, e.event));
        }
    }
    out.sort_by_key(|(seq, date, _)| (*date, *seq));
    Ok(out)
}

fn names(store: &Store, state: &State) -> impl Fn(coop_core::MemberNo) -> String {
    let map: std::collections::BTreeMap<coop_core::MemberNo, String> =
        state.members.values().map(|m| (m.number, crate::party_name(store, m.party))).collect();
    move |n| map.get(&n).cloned().unwrap_or_else(|| "?".into())
}

/// `coop shares movements`.
pub fn movements(ctx: &Ctx, store: &Store, format: DocFormat, lang: Lang) -> Out {
    let facts = timeline(ctx, store)?;
    let rows = coop_core::share_movements(facts.iter().map(|(s, d, e)| (*s, *d, e)));
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let Some(st) = state.statutes.as_ref() else {
        return Err(Failure::input("no statutes were in force on that date"));
    };
    let date = ctx.as_of.unwrap_or(ctx.today);
    let name = names(store, &state);
    if ctx.cli_json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|m| {
                let mut v = serde_json::to_value(m).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("name".into(), json!(name(m.member)));
                    if let Some(to) = m.to {
                        o.insert("to_name".into(), json!(name(to)));
                    }
                }
                v
            })
            .collect();
        output::json(&json!({"date": date, "movements": rows}))?;
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", documents::share_movements(lang, &st.name, date, &rows, &name).render(format));
    Ok(ExitCode::SUCCESS)
}

/// `coop member certificate`.
pub fn certificate(ctx: &Ctx, store: &Store, member: MemberRef, format: DocFormat, lang: Lang) -> Out {
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let Some(st) = state.statutes.as_ref() else {
        return Err(Failure::input("no statutes were in force on that date"));
    };
    let Some(m) = state.member(member) else {
        return Err(Failure::input(format!("member {member} is not in the register on that date")));
    };
    let date = ctx.as_of.unwrap_or(ctx.today);
    let name = crate::party_name(store, m.party);
    if ctx.cli_json {
        output::json(&json!({
            "date": date,
            "member": m.number,
            "name": name,
            "kind": m.kind,
            "category": m.category_on(date),
            "admitted": m.admitted,
            "ended": m.ended,
            "shares": m.shares(),
            "subscribed_cents": m.subscribed(),
            "paid_cents": m.paid(),
            "lots": m.lots,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", documents::certificate(lang, st, m, &name, date).render(format));
    Ok(ExitCode::SUCCESS)
}
