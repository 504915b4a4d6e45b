//! The registers a secretary is asked for: the chronological register of share movements, and
//! a member's share certificate.

use std::process::ExitCode;

use coop_core::MemberRef;
use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::args::{DocFormat, Lang};
use crate::documents;
use crate::output;
use crate::{state_with, Ctx, Failure, Out};

/// `coop shares movements`.
pub fn movements(ctx: &Ctx, store: &Store, format: DocFormat, lang: Lang) -> Out {
    let facts = store.timeline(ctx.known_at.unwrap_or(u64::MAX), ctx.as_of)?;
    let rows = coop_core::share_movements(facts.iter().map(|f| (f.seq, f.date, &f.event)));
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let Some(st) = state.statutes.as_ref() else {
        return Err(Failure::input("no statutes were in force on that date"));
    };
    let date = ctx.as_of.unwrap_or(ctx.today);
    let name = crate::member_arg::names(store, &state);
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
