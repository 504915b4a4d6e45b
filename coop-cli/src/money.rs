//! `coop reimbursements`: what the cooperative owes its former members, and by when.

use std::process::ExitCode;

use coop_store::{Part, Pick, Store};
use serde_json::json;

use crate::output::{self, Table};
use crate::{state_with, Ctx, Out};

pub fn reimbursements(ctx: &Ctx, store: &Store) -> Out {
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let today = ctx.as_of.unwrap_or(ctx.today);
    let owed = coop_core::reimbursements(&state, today);
    let name = |n: coop_core::MemberNo| state.members.get(&n).map(|m| crate::party_name(store, m.party)).unwrap_or_default();
    if ctx.cli_json {
        let rows: Vec<serde_json::Value> = owed
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("name".into(), json!(name(r.member)));
                }
                v
            })
            .collect();
        output::json(&json!({"date": today, "reimbursements": rows}))?;
        return Ok(ExitCode::SUCCESS);
    }
    if owed.is_empty() {
        println!("on {today}: no former member is owed the value of shares");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(vec!["member", "name", "left", "cause", "shares", "losses borne", "owed", "due", "status"]);
    for r in &owed {
        let status = if r.held_back_by_floor { format!("{}, held back by the capital floor", r.status) } else { r.status.to_string() };
        t.push(vec![
            r.member.to_string(),
            name(r.member),
            r.left.to_string(),
            r.cause.as_str().to_string(),
            r.shares.to_string(),
            r.losses_cents.to_string(),
            r.amount_cents.to_string(),
            r.due.to_string(),
            status,
        ]);
    }
    print!("{}", t.text());
    let total = coop_core::Cents(owed.iter().map(|r| r.amount_cents.0).sum());
    println!(
        "on {today}: {} owed to {} (paid-up value, less each one's share of the losses of the year it left \
         that the reserves did not absorb); settle one with `coop shares redeem M --count N`",
        total,
        coop_core::count(owed.len() as u64, "former member", "former members")
    );
    Ok(ExitCode::SUCCESS)
}

/// `coop reserves`: the reserves over time, from the allocations and losses adopted.
pub fn reserves(ctx: &Ctx, store: &Store) -> Out {
    let state = state_with(ctx, store, Part { members: Pick::All, assemblies: Pick::All, ..Part::default() })?;
    let r = coop_core::money::reserves(&state);
    if ctx.cli_json {
        output::json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    if r.moves.is_empty() {
        println!("no allocation of a surplus and no loss is recorded yet (an assembly approves them: `accounts` with `result_euros`, then `allocate`)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t =
        Table::new(vec!["date", "assembly", "resolution", "legal reserve", "statutory reserve", "carried forward", "interest paid"]);
    for m in &r.moves {
        t.push(vec![
            m.date.to_string(),
            m.assembly.clone(),
            m.resolution.to_string(),
            m.legal_cents.to_string(),
            m.statutory_cents.to_string(),
            m.carried_forward_cents.to_string(),
            m.interest_cents.to_string(),
        ]);
    }
    t.push(vec![
        "now".into(),
        String::new(),
        String::new(),
        r.legal_cents.to_string(),
        r.statutory_cents.to_string(),
        r.carried_forward_cents.to_string(),
        String::new(),
    ]);
    print!("{}", t.text());
    Ok(ExitCode::SUCCESS)
}
