//! The governing bodies: the board's members elected by an assembly for a mandate (renewed by
//! a later election, ended by a revocation or a resignation), the board's meetings electing its
//! chair and appointing its secretary (`meeting.rs`), the committees (`committee.rs`), and the
//! checks on the board's size and on mandates that have run out.
//!
//! Once an assembly has elected a board, the roster of who may act follows from these
//! decisions: a member holds the board's powers while their mandate runs, the chair while theirs
//! does, and the secretary is the one the board appointed; the offices the founders gave by hand
//! lapse at the first election (see `roster.rs`).
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

mod committee;
mod meeting;
#[cfg(test)]
mod tests;

pub use committee::{Body, Seat};
pub use meeting::{Meeting, MeetingRecord};

/// The key of the board's record among the bodies (committees have slugs of their own).
pub const BOARD: &str = "board";

/// A revocation an agenda resolution names (`revoke = [12]`, `office = "board"`): the ordinary
/// assembly may revoke a board member at any time (L. 225-18).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The members whose mandate ends.
    pub members: Vec<MemberNo>,
    /// The office.
    pub office: Office,
}

pub(crate) fn who(p: crate::project::Participant) -> String {
    match p {
        crate::project::Participant::Member(n) => format!("member {n}"),
        crate::project::Participant::Partner(id) => format!("partner {id}"),
    }
}

/// The members holding a current mandate for `office` on `date`.
pub fn holders(state: &State, office: Office, date: NaiveDate) -> Vec<(MemberNo, &Mandate)> {
    state
        .members
        .values()
        .filter(|m| m.member_on(date) && !m.mandates.is_empty())
        .filter_map(|m| m.mandates.iter().rev().find(|x| x.office == office && x.from <= date && date <= x.until).map(|x| (m.number, x)))
        .collect()
}

/// Whether member `m` holds a current mandate for `office` on `date`.
pub fn holds(m: &crate::state::Member, office: Office, date: NaiveDate) -> bool {
    m.member_on(date) && m.mandates.iter().any(|x| x.office == office && x.from <= date && date <= x.until)
}

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
    #[serde(with = "crate::day")]
    pub from: NaiveDate,
    /// Until when (the last day).
    #[serde(with = "crate::day")]
    pub until: NaiveDate,
    /// The resolution that decided it.
    pub decided_by: Decision,
    /// The day it ended before its term (revoked, resigned, or the chair given to another):
    /// `until` is then the day before.
    #[serde(default, with = "crate::day::opt")]
    pub ended: Option<NaiveDate>,
}

/// The board on `date`: each member holding a current board mandate, with it.
pub fn board(state: &State, date: NaiveDate) -> Vec<(MemberNo, &Mandate)> {
    holders(state, Office::Board, date)
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
            let member = self.active(crate::units::MemberRef::Number(*m))?;
            if e.office == Office::Manager && member.kind != crate::event::PartyKind::Person {
                return refuse(
                    Rule::KindNotAllowed,
                    format!("resolution {n} appoints member {m} gérant: a gérant is a natural person (L. 223-18)"),
                );
            }
        }
        let form = self.statutes.legal_form;
        if e.office == Office::Manager && form != crate::statutes::LegalForm::Sarl {
            return refuse(
                Rule::InvalidValue,
                format!("resolution {n} appoints gérants: only an SARL has them (the statutes say {})", format!("{form:?}").to_uppercase()),
            );
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
        let subject = match &res.subject {
            Some(Subject::Elect(e)) => Ok(e),
            Some(Subject::Revoke(r)) => Err(r),
            _ => {
                return refuse(
                    Rule::NoDecision,
                    format!("resolution {n} of {slug} names no election or revocation (elect = [MEMBER, ...] or revoke = [MEMBER, ...])"),
                )
            }
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
        let decided_by = Decision { assembly: slug.to_string(), resolution: n };
        let e = match subject {
            Ok(e) => e,
            Err(r) => {
                let mut out = Vec::new();
                for m in &r.members {
                    let member = self.known(crate::units::MemberRef::Number(*m))?;
                    if !holds(member, r.office, self.date) {
                        return refuse(
                            Rule::NoChange,
                            format!("member {m} holds no mandate as {} on {} to revoke", r.office.as_str(), self.date),
                        );
                    }
                    out.push(Event::MandateEnded { member: member.number, office: r.office, decided_by: Some(decided_by.clone()) });
                    // A board member revoked is no longer the board's chair either.
                    if r.office == Office::Board && holds(member, Office::Chair, self.date) {
                        out.push(Event::MandateEnded {
                            member: member.number,
                            office: Office::Chair,
                            decided_by: Some(decided_by.clone()),
                        });
                    }
                }
                return Ok(out);
            }
        };
        let until = add_years(self.date, e.years as i32).pred_opt().unwrap_or(self.date);
        let mut out = Vec::new();
        for m in &e.members {
            let member = self.active(crate::units::MemberRef::Number(*m))?;
            out.push(Event::MandateGranted { member: member.number, office: e.office, until, decided_by: decided_by.clone() });
        }
        Ok(out)
    }
}

impl<'a> Decider<'a> {
    /// A member resigns an office held by mandate (from the command's date); a board member who
    /// resigns leaves the chair too.
    pub(crate) fn resign(&self, member: crate::units::MemberRef, office: Office) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        if !holds(m, office, self.date) {
            return refuse(Rule::NoChange, format!("member {} holds no mandate as {} on {}", m.number, office.as_str(), self.date));
        }
        let mut out = vec![Event::MandateEnded { member: m.number, office, decided_by: None }];
        if office == Office::Board && holds(m, Office::Chair, self.date) {
            out.push(Event::MandateEnded { member: m.number, office: Office::Chair, decided_by: None });
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
            last.is_some_and(|x| x.until < today && x.ended.is_none()) && !current.iter().any(|(n, _)| *n == m.number)
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
