//! The data of the attendance sheet and of the minutes, for `--json`: what the documents say,
//! as values a script reads (numbers, dates, codes), not as sentences.

use coop_core::{Assembly, MemberNo, Quorum, ResolutionResult, RollEntry, Statutes};
use serde_json::{json, Value};

use super::MinutesInput;

fn person(n: MemberNo, name: &dyn Fn(MemberNo) -> String) -> Value {
    json!({"number": n, "name": name(n)})
}

/// The log's anchor at a closed assembly's closing: `{seq, hash}`.
pub type Anchor = Option<(u64, String)>;

fn anchor(a: &Anchor) -> Value {
    a.as_ref().map_or(Value::Null, |(seq, hash)| json!({"seq": seq, "hash": hash}))
}

/// `assembly sheet --json`: each member on the roll with its college, how it takes part, when
/// its convocation was sent (and sent again), and the quorum per kind.
pub fn sheet(
    statutes: &Statutes,
    a: &Assembly,
    roll: &[RollEntry],
    quorums: &[Quorum],
    name: &dyn Fn(MemberNo) -> String,
    closing: &Anchor,
) -> Value {
    let members: Vec<Value> = roll
        .iter()
        .map(|e| {
            json!({
                "number": e.member,
                "name": name(e.member),
                "category": e.category,
                "college": e.college,
                "convocation_sent": a.convocations.get(&e.member),
                "convocation_sent_again": a.reissued.get(&e.member).cloned().unwrap_or_default(),
                "participation": coop_core::participation(a, e.member),
            })
        })
        .collect();
    json!({
        "assembly": a.slug,
        "coop": statutes.name,
        "date": a.date,
        "place": a.place,
        "closed_on": a.closed_on,
        "members": members,
        "quorum": quorums,
        "closing": anchor(closing),
    })
}

/// `assembly minutes --json`: the convocation, the officers, the agenda, attendance and quorum,
/// and each resolution's result per college.
pub fn minutes(i: &MinutesInput, name: &dyn Fn(MemberNo) -> String, closing: &Anchor) -> Value {
    let a = i.assembly;
    let officers = a.officers.as_ref().map(|o| {
        json!({
            "chair": person(o.chair, name),
            "secretary": person(o.secretary, name),
            "scrutineers": o.scrutineers.iter().map(|s| person(*s, name)).collect::<Vec<_>>(),
        })
    });
    let agenda: Vec<Value> = a
        .agenda
        .iter()
        .enumerate()
        .map(|(k, r)| json!({"number": k + 1, "title": r.title, "kind": r.kind, "board_approved": r.board_approved, "subject": r.subject}))
        .collect();
    let results: &[ResolutionResult] = i.results;
    json!({
        "assembly": a.slug,
        "coop": i.coop,
        "kind": a.kind,
        "date": a.date,
        "place": a.place,
        "convened_on": a.convened_on,
        "convocation": a.convocation(),
        "second_of": a.second_of,
        "convocations_sent": a.convocations.len(),
        "convocations_sent_again": a.reissued,
        "officers": officers,
        "agenda": agenda,
        "roll": i.roll.len(),
        "quorum": i.quorums,
        "results": results,
        "closed_on": a.closed_on,
        "closing": anchor(closing),
    })
}
