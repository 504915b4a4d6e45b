//! Members named as a secretary names them: by register number, by ULID, or by name or e-mail
//! (case, accents and spacing ignored), wherever a command takes a member.

use std::fmt;

use coop_core::{MemberRef, RegisterRow, State};
use coop_store::Store;

use crate::failure::Failure;
use crate::sheet::fold;

/// A member as typed on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberArg {
    /// A register number or a party's ULID.
    Ref(MemberRef),
    /// Part of a name or of an e-mail address, to be matched against the register.
    Name(String),
}

impl fmt::Display for MemberArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemberArg::Ref(r) => write!(f, "{r}"),
            MemberArg::Name(n) => write!(f, "'{n}'"),
        }
    }
}

/// Parses a member argument: a number or ULID as such, anything else as a name to look up.
pub(crate) fn member(s: &str) -> Result<MemberArg, String> {
    if let Ok(r) = s.parse::<MemberRef>() {
        return Ok(MemberArg::Ref(r));
    }
    let t = s.trim();
    if t.is_empty() || fold(t).is_empty() {
        return Err("give a member number (such as 12), a ULID, or a name or e-mail to look up".into());
    }
    if t.parse::<i64>().is_ok() {
        return Err(format!("'{t}' is not a member number: numbers start at 1"));
    }
    Ok(MemberArg::Name(t.chars().take(200).collect()))
}

/// The register rows whose name or e-mail holds `text` (folded), each with whether its name
/// equals it exactly.
pub(crate) fn matching(store: &Store, state: &State, text: &str) -> Result<Vec<(RegisterRow, bool)>, Failure> {
    let wanted = fold(text);
    let mut out = Vec::new();
    for row in store.register(state)? {
        let name = fold(row.name.as_deref().unwrap_or(""));
        let email = || state.members.get(&row.number).and_then(|m| store.personal(m.party).ok().flatten()).and_then(|p| p.email);
        if name == wanted {
            out.push((row, true));
        } else if name.contains(&wanted) || email().is_some_and(|e| fold(&e).contains(&wanted)) {
            out.push((row, false));
        }
    }
    Ok(out)
}

/// The member `who` names: a number or ULID as typed; a name is looked up in the register as
/// the command sees it (read only then).
pub(crate) fn pick(ctx: &crate::Ctx, store: &Store, who: &MemberArg) -> Result<MemberRef, Failure> {
    match who {
        MemberArg::Ref(r) => Ok(*r),
        MemberArg::Name(_) => {
            let state = crate::state_with(ctx, store, crate::Part { members: crate::Pick::All, ..crate::Part::default() })?;
            resolve(store, &state, who)
        }
    }
}

/// The part of the state a member's page reads: member `r` and the projects it took part in
/// (found through the index the store keeps of them, not by reading every project). A ULID no
/// member has names nothing.
pub(crate) fn with_its_projects(store: &Store, r: MemberRef) -> Result<crate::Part, Failure> {
    let number = match r {
        MemberRef::Number(n) => Some(n),
        MemberRef::Id(id) => store.number_of(id)?,
    };
    let numbers: Vec<coop_core::MemberNo> = number.into_iter().collect();
    Ok(crate::Part { members: crate::Pick::Only(numbers.clone()), projects_of: numbers, ..crate::Part::default() })
}

/// Like [`pick`], for an optional argument.
pub(crate) fn pick_opt(ctx: &crate::Ctx, store: &Store, who: &Option<MemberArg>) -> Result<Option<MemberRef>, Failure> {
    who.as_ref().map(|w| pick(ctx, store, w)).transpose()
}

/// The member `who` names in `state`: a number or ULID as typed, a name when exactly one member
/// matches it (none, or several listed: exit 2).
fn resolve(store: &Store, state: &State, who: &MemberArg) -> Result<MemberRef, Failure> {
    let text = match who {
        MemberArg::Ref(r) => return Ok(*r),
        MemberArg::Name(text) => text,
    };
    let found = matching(store, state, text)?;
    // A name typed in full wins over the names that merely hold it.
    let exact = found.iter().any(|(_, exact)| *exact);
    let rows: Vec<RegisterRow> = found.into_iter().filter(|(_, e)| *e || !exact).map(|(r, _)| r).collect();
    match rows.as_slice() {
        [one] => Ok(MemberRef::Number(one.number)),
        [] => Err(Failure::input(format!(
            "no member's name or e-mail holds '{text}': give the member's number (`coop member find` searches the register)"
        ))),
        several => {
            let listed: Vec<String> = several
                .iter()
                .take(20)
                .map(|r| {
                    let left = r.ended.as_ref().map(|e| format!(", left {e}")).unwrap_or_default();
                    format!("  {} {} ({}{left})", r.number, r.name.as_deref().unwrap_or("(name erased)"), r.category)
                })
                .collect();
            let more = if several.len() > 20 { format!("\n  … and {} more", several.len() - 20) } else { String::new() };
            Err(Failure::input(format!(
                "'{text}' matches {} members; give the number of the one you mean:\n{}{more}",
                several.len(),
                listed.join("\n")
            )))
        }
    }
}

/// A function giving each member's name from the personal data kept beside the log (read once
/// for all members).
pub(crate) fn names(store: &Store, state: &State) -> impl Fn(coop_core::MemberNo) -> String {
    let map: std::collections::BTreeMap<coop_core::MemberNo, String> =
        state.members.values().map(|m| (m.number, crate::party_name(store, m.party))).collect();
    move |n| map.get(&n).cloned().unwrap_or_else(|| "?".into())
}
