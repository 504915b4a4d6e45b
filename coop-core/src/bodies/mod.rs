//! The governing bodies: the board's members elected by an assembly for a mandate, and the
//! checks on their number and on mandates that have run out.
//!
//! An agenda resolution names an election (`elect = [12, 31]`, `office = "board"`,
//! `years = 6`); once the assembly adopted it and closed, `Command::Elect` carries it out, once:
//! each member elected holds the office from the carrying out until the mandate's end. The
//! statutes' `[board]` table bounds the mandate (`mandate_years`, at most 6 years in an SA,
//! L. 225-18 of the Commercial Code) and the board's size (`min_members`, `max_members`: 3 to 18
//! in an SA, L. 225-17).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assembly::Subject;
use crate::decide::{refuse, Decider, Refusal, Rule};
use crate::event::{Decision, Event};
use crate::state::State;
use crate::statutes::Office;
use crate::units::{add_years, MemberNo};

#[cfg(test)]
mod tests;

/// An election an agenda resolution names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    /// The members elected.
    pub members: Vec<MemberNo>,
    /// The office: `board` (an administrator), or `chair` where the statutes have the
    /// assembly designate the président.
    pub office: Office,
    /// The mandate, in years.
    pub years: u32,
}

/// An office held by a member by a decision, for a mandate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    /// The office.
    pub office: Office,
    /// From when.
    pub from: NaiveDate,
    /// Until when (the last day).
    pub until: NaiveDate,
    /// The resolution that decided it.
    pub decided_by: Decision,
}

/// The board on `date`: each member holding a current board mandate, with it.
pub fn board(state: &State, date: NaiveDate) -> Vec<(MemberNo, &Mandate)> {
    state
        .members
        .values()
        .filter(|m| m.member_on(date))
        .filter_map(|m| {
            m.mandates.iter().rev().find(|x| x.office == Office::Board && x.from <= date && date <= x.until).map(|x| (m.number, x))
        })
        .collect()
}

impl<'a> Decider<'a> {
    /// An election named on an agenda, checked when the assembly is convened: members of the
    /// cooperative, once each, for a mandate the statutes allow, not more than the board holds.
    pub(crate) fn election_valid(&self, n: usize, e: &Election) -> Result<(), Refusal> {
        if e.members.is_empty() {
            return refuse(Rule::InvalidValue, format!("resolution {n} elects no one: elect = [MEMBER, ...]"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for m in &e.members {
            if !seen.insert(*m) {
                return refuse(Rule::InvalidValue, format!("resolution {n} elects member {m} twice"));
            }
            self.active(crate::units::MemberRef::Number(*m))?;
        }
        let max_years = self.statutes.board.mandate_years;
        if e.years == 0 || e.years > max_years {
            return refuse(
                Rule::Mandate,
                format!("resolution {n} elects for {} years: the statutes allow 1 to {max_years} (board mandate_years)", e.years),
            );
        }
        if let (Office::Board, Some(max)) = (e.office, self.statutes.board.max_members) {
            if e.members.len() as u32 > max {
                return refuse(
                    Rule::BoardSize,
                    format!(
                        "resolution {n} elects {} to a board of at most {max} (statutes)",
                        crate::units::count(e.members.len() as u64, "member", "members")
                    ),
                );
            }
        }
        Ok(())
    }

    /// The election adopted by resolution `n` of closed assembly `slug`, carried out once.
    pub(crate) fn elect(&self, slug: &str, n: u32) -> Result<Vec<Event>, Refusal> {
        let a = self.assembly(slug)?;
        let Some(res) = a.resolution(n) else {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        };
        let Some(Subject::Elect(e)) = &res.subject else {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} names no election (elect = [MEMBER, ...] on the agenda)"));
        };
        if a.closed.is_none() {
            return refuse(
                Rule::NoDecision,
                format!("assembly {slug} is not closed yet: an election needs the final result of resolution {n}"),
            );
        }
        if !crate::assembly::results(self.state, self.statutes, a).into_iter().nth(n as usize - 1).is_some_and(|r| r.adopted) {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} was not adopted: it elects no one"));
        }
        if self.date < a.date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("the election decided by {slug} cannot be dated {}, before the assembly met ({})", self.date, a.date),
            );
        }
        if a.executed.contains(&n) || self.now.assemblies.get(slug).is_some_and(|x| x.executed.contains(&n)) {
            return refuse(Rule::AlreadyRecorded, format!("resolution {n} of {slug} was already carried out: a resolution decides once"));
        }
        let until = add_years(self.date, e.years as i32).pred_opt().unwrap_or(self.date);
        let decided_by = Decision { assembly: slug.to_string(), resolution: n };
        let mut out = Vec::new();
        for m in &e.members {
            let member = self.active(crate::units::MemberRef::Number(*m))?;
            out.push(Event::MandateGranted { member: member.number, office: e.office, until, decided_by: decided_by.clone() });
        }
        Ok(out)
    }
}

/// What is out of line with the board on `today`: mandates run out and not renewed, and a board
/// smaller or larger than the statutes allow (once the board is elected by decisions).
pub(crate) fn findings(state: &State, today: NaiveDate, out: &mut Vec<crate::projection::Finding>) {
    let Some(st) = state.statutes.as_ref() else { return };
    let elected_ever = state.members.values().any(|m| m.mandates.iter().any(|x| x.office == Office::Board));
    if !elected_ever {
        return;
    }
    let current = board(state, today);
    let expired: Vec<MemberNo> = state
        .members
        .values()
        .filter(|m| m.is_active())
        .filter(|m| {
            let last = m.mandates.iter().filter(|x| x.office == Office::Board).max_by_key(|x| x.until);
            last.is_some_and(|x| x.until < today) && !current.iter().any(|(n, _)| *n == m.number)
        })
        .map(|m| m.number)
        .collect();
    if !expired.is_empty() {
        out.push(crate::projection::Finding {
            code: "mandate_expired",
            message: format!(
                "{} ended and {} not renewed by an assembly",
                crate::units::count(expired.len() as u64, "board member's mandate has", "board members' mandates have"),
                if expired.len() == 1 { "was" } else { "were" }
            ),
            members: expired,
        });
    }
    let size = current.len() as u32;
    let (min, max) = (st.board.min_members, st.board.max_members);
    if min.is_some_and(|m| size < m) || max.is_some_and(|m| size > m) {
        out.push(crate::projection::Finding {
            code: "board_size",
            message: format!(
                "the board has {} on {today}; the statutes ask for {} to {}",
                crate::units::count(size as u64, "member", "members"),
                min.map_or("any".to_string(), |m| m.to_string()),
                max.map_or("any".to_string(), |m| m.to_string())
            ),
            members: current.iter().map(|(n, _)| *n).collect(),
        });
    }
}
