//! Committees: bodies the cooperative sets up, for itself or for one of its projects (a
//! territorial food project's steering committee of chambers, schools and associations; a
//! recruitment commission that selects and follows market gardeners), with their seats held by
//! members or by partners (through their representative), their meetings and their decisions.
//! The board's own meetings are kept the same way, under [`BOARD`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::command::Who;
use crate::decide::{refuse, valid_slug, Context, Decider, Refusal, Rule};
use crate::event::Event;
use crate::project::Participant;

use super::{Meeting, BOARD};

/// The board's meetings, or a committee with its seats and meetings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// The committee's name (the board's is empty).
    pub name: String,
    /// The project it serves, if any.
    #[serde(default)]
    pub project: Option<String>,
    /// When it was set up (the board: its first meeting).
    pub created: NaiveDate,
    /// Seats, in the order taken (the board's members hold mandates instead).
    #[serde(default)]
    pub seats: Vec<Seat>,
    /// Meetings, in date order.
    #[serde(default)]
    pub meetings: Vec<Meeting>,
}

/// A seat on a committee, from a date until the day it was left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    /// Who holds it.
    pub who: Participant,
    /// Their role in it.
    pub role: String,
    /// From when.
    pub from: NaiveDate,
    /// The day they left, once they left.
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

impl Body {
    /// A committee just set up.
    pub fn committee(name: &str, project: Option<String>, created: NaiveDate) -> Body {
        Body { name: name.to_string(), project, created, seats: Vec::new(), meetings: Vec::new() }
    }

    /// The board's record of meetings, first kept on `date`.
    pub fn board(date: NaiveDate) -> Body {
        Body { name: String::new(), project: None, created: date, seats: Vec::new(), meetings: Vec::new() }
    }

    /// Whether this is the board's record rather than a committee.
    pub fn is_board(&self) -> bool {
        self.name.is_empty()
    }

    /// The seat `who` holds on `date`.
    pub fn seat_of(&self, who: Participant, date: NaiveDate) -> Option<&Seat> {
        self.seats.iter().rev().find(|s| s.who == who && s.from <= date && s.until.is_none_or(|u| date < u))
    }

    /// The seats held on `date`.
    pub fn seated(&self, date: NaiveDate) -> impl Iterator<Item = &Seat> {
        self.seats.iter().filter(move |s| s.from <= date && s.until.is_none_or(|u| date < u))
    }
}

impl<'a> Decider<'a> {
    /// A committee set up, for a project or for the cooperative.
    pub(crate) fn create_committee(&self, slug: &str, name: &str, project: Option<&str>) -> Result<Vec<Event>, Refusal> {
        valid_slug(slug, "a committee", "copil-pat")?;
        if slug == BOARD {
            return refuse(Rule::InvalidValue, "'board' names the board itself: give the committee another slug");
        }
        if self.now.bodies.contains_key(slug) {
            return refuse(Rule::AlreadyRecorded, format!("committee {slug} is already set up"));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return refuse(Rule::InvalidValue, "a committee's name must be 1 to 200 printable characters");
        }
        if let Some(p) = project {
            let p = self.project(p)?;
            if p.stage().is_end() {
                return refuse(
                    Rule::ProjectEnded,
                    format!("project {} has ended ({}): no committee is set up for it", p.slug, p.stage().as_str()),
                );
            }
        }
        Ok(vec![Event::CommitteeCreated { committee: slug.to_string(), name: name.to_string(), project: project.map(String::from) }])
    }

    pub(super) fn committee(&self, slug: &str) -> Result<&'a Body, Refusal> {
        match self.state.bodies.get(slug).filter(|b| !b.is_board()) {
            Some(b) if b.created > self.date => {
                refuse(Rule::UnknownBody, format!("committee {slug} was set up on {}, after {}", b.created, self.date))
            }
            Some(b) => Ok(b),
            None if self.now.bodies.get(slug).is_some_and(|b| !b.is_board()) => {
                let created = self.now.bodies[slug].created;
                refuse(Rule::UnknownBody, format!("committee {slug} was set up on {created}, after {}", self.date))
            }
            None => {
                let known: Vec<&str> = self.state.bodies.iter().filter(|(_, b)| !b.is_board()).map(|(k, _)| k.as_str()).collect();
                refuse(
                    Rule::UnknownBody,
                    if known.is_empty() {
                        format!("no committee '{slug}': none is set up yet (coop committee create)")
                    } else {
                        format!("no committee '{slug}' (committees: {})", known.join(", "))
                    },
                )
            }
        }
    }

    /// A member or partner takes a seat on a committee.
    pub(crate) fn join_committee(&self, slug: &str, who: &Who, role: &str, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        let c = self.committee(slug)?;
        let role = role.trim();
        if role.is_empty() || role.chars().count() > 200 || role.chars().any(char::is_control) {
            return refuse(Rule::InvalidValue, "a role on a committee must be 1 to 200 printable characters (--role)");
        }
        let (participant, digest) = match who {
            Who::NewPartner(personal) => {
                crate::decide::valid_personal(personal, "a partner's name")?;
                if self.now.partners.contains_key(&ctx.fresh_id) {
                    return refuse(Rule::InvalidValue, "the new partner's identity is already taken; retry");
                }
                (Participant::Partner(ctx.fresh_id), Some(personal.digest(&ctx.salt)))
            }
            other => (self.participant(other)?, None),
        };
        if c.seat_of(participant, self.date).is_some() {
            return refuse(Rule::AlreadyRecorded, format!("{} already sits on committee {slug}", super::who(participant)));
        }
        Ok(vec![Event::CommitteeJoined { committee: slug.to_string(), who: participant, role: role.to_string(), personal_digest: digest }])
    }

    /// A member or partner leaves a committee.
    pub(crate) fn leave_committee(&self, slug: &str, who: &Who) -> Result<Vec<Event>, Refusal> {
        let c = self.committee(slug)?;
        let participant = match who {
            Who::Member(r) => crate::project::Participant::Member(self.known(*r)?.number),
            other => self.participant(other)?,
        };
        if c.seat_of(participant, self.date).is_none() {
            return refuse(Rule::NotSeated, format!("{} does not sit on committee {slug} on {}", super::who(participant), self.date));
        }
        Ok(vec![Event::CommitteeLeft { committee: slug.to_string(), who: participant }])
    }
}
