//! The board's and the committees' meetings: who was present, what was decided, and the
//! decisions with an effect of their own (the board electing its chair, appointing its
//! secretary).
//!
//! A board meeting deliberates only with at least half of its members present (L. 225-37 of the
//! Commercial Code, for an SA's board); only members of the board on the meeting's date sit in
//! it. The chair is a board member and a natural person, elected for no longer than their board
//! mandate (L. 225-47). The secretary the board appoints replaces the one before.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::command::Who;
use crate::decide::{refuse, valid_slug, Decider, Refusal, Rule};
use crate::event::PartyKind;
use crate::event::{Decision, Event};
use crate::project::Participant;
use crate::statutes::Office;
use crate::units::{count, MemberRef};

use super::{who, BOARD};

/// A meeting of the board or of a committee, as its minutes record it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Slug (unique among assemblies and meetings).
    pub slug: String,
    /// Date.
    pub date: NaiveDate,
    /// Who was present.
    pub present: Vec<Participant>,
    /// The decisions as worded, numbered from 1 in the minutes.
    pub decisions: Vec<String>,
    /// The chair the board elected (the decision after those worded).
    #[serde(default)]
    pub chair: Option<crate::units::MemberNo>,
    /// The secretary the board appointed (the last decision).
    #[serde(default)]
    pub secretary: Option<crate::units::MemberNo>,
}

impl Meeting {
    /// The numbers of the chair's election and of the secretary's appointment in the minutes.
    pub fn numbers(&self) -> (Option<u32>, Option<u32>) {
        let worded = self.decisions.len() as u32;
        let chair = self.chair.map(|_| worded + 1);
        let secretary = self.secretary.map(|_| worded + 1 + u32::from(self.chair.is_some()));
        (chair, secretary)
    }
}

/// A meeting to record: the body, the slug, who was present, what was decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRecord {
    /// `board`, or a committee's slug.
    pub body: String,
    /// The meeting's slug.
    pub meeting: String,
    /// Who was present.
    pub present: Vec<Who>,
    /// The decisions as worded.
    pub decisions: Vec<String>,
    /// The member the board elects its chair.
    #[serde(default)]
    pub chair: Option<MemberRef>,
    /// The member the board appoints its secretary.
    #[serde(default)]
    pub secretary: Option<MemberRef>,
}

impl<'a> Decider<'a> {
    /// A meeting of the board or of a committee, with the events its decisions carry.
    pub(crate) fn hold_meeting(&self, m: &MeetingRecord) -> Result<Vec<Event>, Refusal> {
        valid_slug(&m.meeting, "a meeting", "ca-2026-07")?;
        let taken = self.now.assemblies.contains_key(&m.meeting)
            || self.now.bodies.values().any(|b| b.meetings.iter().any(|x| x.slug == m.meeting));
        if taken {
            return refuse(Rule::AlreadyRecorded, format!("'{}' already names an assembly or a meeting: give this one its own", m.meeting));
        }
        for (i, d) in m.decisions.iter().enumerate() {
            let d = d.trim();
            if d.is_empty() || d.chars().count() > 4000 || d.chars().any(|c| c.is_control() && c != '\n') {
                return refuse(Rule::InvalidValue, format!("decision {} must be 1 to 4,000 printable characters", i + 1));
            }
        }
        if m.decisions.is_empty() && m.chair.is_none() && m.secretary.is_none() {
            return refuse(Rule::InvalidValue, "a meeting's minutes record at least one decision (--decision TEXT, --chair, --secretary)");
        }
        let mut present = Vec::with_capacity(m.present.len());
        for w in &m.present {
            let p = self.participant(w)?;
            if present.contains(&p) {
                return refuse(Rule::InvalidValue, format!("{} is listed present twice", who(p)));
            }
            present.push(p);
        }
        let decisions: Vec<String> = m.decisions.iter().map(|d| d.trim().to_string()).collect();
        if m.body == BOARD {
            return self.board_meeting(m, present, decisions);
        }
        let c = self.committee(&m.body)?;
        if m.chair.is_some() || m.secretary.is_some() {
            return refuse(Rule::InvalidValue, "only the board elects its chair and appoints its secretary");
        }
        if present.is_empty() {
            return refuse(Rule::InvalidValue, "a committee's meeting has someone present (--present MEMBER or --partner NAME)");
        }
        for p in &present {
            if c.seat_of(*p, self.date).is_none() {
                return refuse(
                    Rule::NotSeated,
                    format!("{} does not sit on committee {} on {} (coop committee join first)", who(*p), m.body, self.date),
                );
            }
        }
        Ok(vec![Event::BodyMet { body: m.body.clone(), meeting: m.meeting.clone(), present, decisions, chair: None, secretary: None }])
    }

    fn board_meeting(&self, m: &MeetingRecord, present: Vec<Participant>, decisions: Vec<String>) -> Result<Vec<Event>, Refusal> {
        let board = super::board(self.state, self.date);
        if board.is_empty() {
            return refuse(
                Rule::NoBoard,
                format!("no board sits on {}: an assembly elects it first (elect = [MEMBER, ...], then coop board elect)", self.date),
            );
        }
        for p in &present {
            if !board.iter().any(|(n, _)| Participant::Member(*n) == *p) {
                return refuse(Rule::NotSeated, format!("{} does not sit on the board on {}", who(*p), self.date));
            }
        }
        // L. 225-37: the board deliberates validly only if at least half its members are present.
        if present.len() * 2 < board.len() {
            return refuse(
                Rule::BoardQuorum,
                format!(
                    "{} of a board of {} cannot deliberate: at least half of its members must be present (L. 225-37), {} here",
                    count(present.len() as u64, "member present", "members present"),
                    board.len(),
                    board.len().div_ceil(2)
                ),
            );
        }
        let worded = decisions.len() as u32;
        let mut events = Vec::new();
        let mut chair = None;
        if let Some(r) = m.chair {
            let c = self.active(r)?;
            let Some((_, seat)) = board.iter().find(|(n, _)| *n == c.number) else {
                return refuse(
                    Rule::NotSeated,
                    format!("member {} does not sit on the board: the board elects its chair among its members", c.number),
                );
            };
            if c.kind != PartyKind::Person {
                return refuse(
                    Rule::KindNotAllowed,
                    format!("member {} is not a natural person: the chair of the board is one (L. 225-47)", c.number),
                );
            }
            let decided_by = Decision { assembly: m.meeting.clone(), resolution: worded + 1 };
            // The chair before steps down for the one elected.
            for (n, _) in super::holders(self.state, Office::Chair, self.date) {
                if n != c.number {
                    events.push(Event::MandateEnded { member: n, office: Office::Chair, decided_by: Some(decided_by.clone()) });
                }
            }
            events.push(Event::MandateGranted { member: c.number, office: Office::Chair, until: seat.until, decided_by });
            chair = Some(c.number);
        }
        let mut secretary = None;
        if let Some(r) = m.secretary {
            let s = self.active(r)?;
            let decided_by = Decision { assembly: m.meeting.clone(), resolution: worded + 1 + u32::from(chair.is_some()) };
            let person = s.party.to_string();
            for (k, o) in &self.now.roster {
                if o.offices.contains(&Office::Secretary) && *k != person {
                    events.push(Event::OfficerRemoved { person: k.clone(), office: Office::Secretary });
                }
            }
            if !self.now.roster.get(&person).is_some_and(|o| o.offices.contains(&Office::Secretary)) {
                events.push(Event::OfficerAppointed {
                    person,
                    office: Office::Secretary,
                    member: Some(s.number),
                    personal_digest: None,
                    decided_by: Some(decided_by),
                });
            }
            secretary = Some(s.number);
        }
        let met = Event::BodyMet { body: BOARD.into(), meeting: m.meeting.clone(), present, decisions, chair, secretary };
        events.insert(0, met);
        Ok(events)
    }
}
