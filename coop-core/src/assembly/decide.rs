//! The rules of general assemblies: convening, the roll, attendance, proxies, postal forms,
//! votes and ballots, closing, and the exclusions and amendments an assembly decides.

use chrono::NaiveDate;

use super::{tally as assembly, Assembly, Choice, Resolution, ResolutionKind};
use crate::decide::{refuse, valid_slug, Decider, Refusal, Rule};
use crate::event::{Decision, Event, PartyKind};
use crate::statutes::{Role, Statutes};
use crate::units::{MemberNo, MemberRef};

impl<'a> Decider<'a> {
    pub(crate) fn assembly(&self, slug: &str) -> Result<&'a Assembly, Refusal> {
        if let (None, Some(later)) = (self.state.assemblies.get(slug), self.now.assemblies.get(slug)) {
            return refuse(
                Rule::DateBeforeHistory,
                format!("assembly {slug} was convened on {}; a fact about it cannot be dated {}", later.convened_on, self.date),
            );
        }
        self.state.assemblies.get(slug).ok_or_else(|| {
            let known: Vec<&str> = self.state.assemblies.keys().map(String::as_str).collect();
            Refusal {
                rule: Rule::UnknownAssembly,
                message: format!(
                    "assembly '{slug}' is not in the log (assemblies: {})",
                    if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
                ),
            }
        })
    }

    pub(crate) fn open_assembly(&self, slug: &str) -> Result<&'a Assembly, Refusal> {
        let a = self.assembly(slug)?;
        // Closed as of the command's date, or since: nothing more is recorded for it.
        if let Some(on) = a.closed_on.or_else(|| self.now.assemblies.get(slug).and_then(|n| n.closed_on)) {
            return refuse(Rule::AssemblyClosed, format!("assembly {slug} was closed on {on}: nothing more can be recorded for it"));
        }
        Ok(a)
    }

    /// An adopted extraordinary resolution of a closed assembly.
    pub(crate) fn decision(&self, slug: &str, n: u32, what: &str) -> Result<Decision, Refusal> {
        let a = self.assembly(slug)?;
        let Some(res) = a.resolution(n) else {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        };
        if a.closed.is_none() {
            return refuse(Rule::NoDecision, format!("assembly {slug} is not closed yet: {what} needs the final result of resolution {n}"));
        }
        if res.kind != ResolutionKind::Extraordinary {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} is ordinary: {what} needs an extraordinary resolution"));
        }
        let result = assembly::results(self.state, self.statutes, a).into_iter().nth(n as usize - 1);
        if !result.is_some_and(|r| r.adopted) {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} was not adopted: it cannot decide {what}"));
        }
        if self.date < a.date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("{what} decided by {slug} cannot be dated {}, before the assembly met ({})", self.date, a.date),
            );
        }
        Ok(Decision { assembly: slug.to_string(), resolution: n })
    }

    pub(crate) fn amend(&self, new: &Statutes, slug: &str, n: u32) -> Result<Vec<Event>, Refusal> {
        let decided_by = self.decision(slug, n, "an amendment of the statutes")?;
        for m in self.state.members.values().filter(|m| m.is_active()) {
            let Some(cat) = new.category(&m.category) else {
                return refuse(
                    Rule::InvalidStatutes,
                    format!("the amended statutes drop category '{}', which member {} is in: move its members first", m.category, m.number),
                );
            };
            if m.kind != PartyKind::Person && cat.role == Role::Volunteers {
                return refuse(
                    Rule::InvalidStatutes,
                    format!(
                        "the amended statutes make '{}' a volunteers' category, but member {} is not a natural person",
                        cat.code, m.number
                    ),
                );
            }
        }
        for lot in self.state.members.values().flat_map(|m| m.lots.iter()) {
            if new.share_class(&lot.class).is_none() {
                return refuse(
                    Rule::InvalidStatutes,
                    format!("the amended statutes drop share class '{}', which shares are still held in", lot.class),
                );
            }
        }
        Ok(vec![Event::StatutesAdopted { statutes: new.clone(), decided_by: Some(decided_by) }])
    }

    pub(crate) fn convene(
        &self,
        slug: &str,
        kind: ResolutionKind,
        meeting: NaiveDate,
        place: &str,
        agenda: &[Resolution],
        second_of: Option<&str>,
    ) -> Result<Vec<Event>, Refusal> {
        valid_slug(slug, "an assembly", "ago-2026")?;
        if self.now.assemblies.contains_key(slug) || self.state.assemblies.contains_key(slug) {
            return refuse(Rule::AssemblyExists, format!("an assembly '{slug}' already exists: choose another slug"));
        }
        if place.trim().is_empty() || place.chars().count() > 300 {
            return refuse(Rule::InvalidValue, "the place of the assembly must be 1 to 300 characters");
        }
        if agenda.is_empty() || agenda.len() > super::MAX_RESOLUTIONS {
            return refuse(
                Rule::InvalidValue,
                format!("an agenda has 1 to {} resolutions; this one has {}", super::MAX_RESOLUTIONS, agenda.len()),
            );
        }
        let rules = &self.statutes.assembly;
        let notice = if second_of.is_some() { rules.notice_days_second } else { rules.notice_days };
        let days = (meeting - self.date).num_days();
        if days < notice as i64 {
            return refuse(
                Rule::NoticePeriod,
                format!(
                    "convening on {} for {meeting} gives {days} days' notice; the statutes require {notice} on {} convocation",
                    self.date,
                    if second_of.is_some() { "second" } else { "first" }
                ),
            );
        }
        if let Some(first) = second_of {
            let f = self.assembly(first)?;
            if f.second_of.is_some() {
                return refuse(Rule::SecondConvocation, format!("{first} was itself a second convocation"));
            }
            if meeting <= f.date {
                return refuse(Rule::SecondConvocation, format!("a second convocation meets after the first ({first} met on {})", f.date));
            }
            let lacked = f
                .kinds()
                .into_iter()
                .filter(|k| agenda.iter().any(|r| r.kind == *k))
                .any(|k| !assembly::quorum(self.state, self.statutes, f, k).reached);
            if !lacked {
                return refuse(
                    Rule::SecondConvocation,
                    format!("{first} reached its quorum: a second convocation follows only an assembly that lacked it"),
                );
            }
        }
        Ok(vec![Event::AssemblyConvened {
            assembly: slug.to_string(),
            kind,
            date: meeting,
            place: place.trim().to_string(),
            agenda: agenda.to_vec(),
            second_of: second_of.map(str::to_string),
        }])
    }

    /// A member on the assembly's roll.
    pub(crate) fn on_roll(&self, a: &Assembly, r: MemberRef) -> Result<(MemberNo, Option<String>), Refusal> {
        let Some(m) = self.state.member(r) else {
            let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
            return refuse(Rule::UnknownMember, format!("member {r} is not in the register (numbers run from 1 to {last})"));
        };
        if !m.member_on(a.date) {
            return refuse(
                Rule::NotOnRoll,
                format!("member {} is not on the voting roll of {} (not a member on {})", m.number, a.slug, a.date),
            );
        }
        Ok((m.number, crate::projection::college_of(self.state, m.category_on(a.date))))
    }

    pub(crate) fn on_meeting_day(&self, a: &Assembly, what: &str) -> Result<(), Refusal> {
        if self.date != a.date {
            return refuse(
                Rule::AssemblyDate,
                format!("{what} at {} is dated on the meeting's date, {} (not {})", a.slug, a.date, self.date),
            );
        }
        Ok(())
    }

    pub(crate) fn attend(&self, slug: &str, member: MemberRef, remote: bool) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, member)?;
        self.on_meeting_day(a, "attendance")?;
        if a.present.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} is already recorded as present at {slug}"));
        }
        if a.postal.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} voted by post for {slug}: it cannot also take part in the meeting"));
        }
        let mut events = Vec::new();
        if a.proxies.contains_key(&m) {
            if a.votes.values().any(|v| v.contains_key(&m)) || a.voted.values().any(|v| v.contains_key(&m)) {
                return refuse(
                    Rule::AlreadyRecorded,
                    format!("votes were already cast on behalf of member {m} by its proxy: it can no longer revoke it"),
                );
            }
            events.push(Event::ProxyRevoked { assembly: slug.to_string(), from: m });
        }
        events.push(Event::MemberAttended { assembly: slug.to_string(), member: m, remote });
        Ok(events)
    }

    pub(crate) fn proxy(&self, slug: &str, from: MemberRef, to: Option<MemberRef>) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (giver, _) = self.on_roll(a, from)?;
        if self.date > a.date {
            return refuse(Rule::AssemblyDate, format!("a proxy for {slug} is given by the meeting's date, {}", a.date));
        }
        if a.present.contains_key(&giver) {
            return refuse(Rule::AlreadyRecorded, format!("member {giver} is present at {slug}: it votes itself"));
        }
        if a.postal.contains_key(&giver) {
            return refuse(Rule::AlreadyRecorded, format!("member {giver} voted by post for {slug}: it cannot also give a proxy"));
        }
        if a.proxies.contains_key(&giver) {
            return refuse(Rule::AlreadyRecorded, format!("member {giver} already gave a proxy for {slug}"));
        }
        if a.held_by(giver) > 0 {
            return refuse(
                Rule::ProxyChain,
                format!("member {giver} holds proxies for {slug}: a holder cannot delegate (one level of proxy only)"),
            );
        }
        let holder = match to {
            None => None,
            Some(t) => {
                let (h, _) = self.on_roll(a, t)?;
                if h == giver {
                    return refuse(Rule::InvalidValue, format!("member {giver} cannot give a proxy to itself"));
                }
                if a.proxies.contains_key(&h) {
                    return refuse(
                        Rule::ProxyChain,
                        format!("member {h} gave a proxy for {slug}: a delegator cannot hold proxies (one level of proxy only)"),
                    );
                }
                if a.postal.contains_key(&h) {
                    return refuse(
                        Rule::NotPresent,
                        format!("member {h} voted by post for {slug}: it will not be at the meeting to use a proxy"),
                    );
                }
                let cap = self.statutes.assembly.max_proxies_per_holder;
                if cap > 0 && a.held_by(h) >= cap as usize {
                    return refuse(
                        Rule::ProxyCap,
                        format!("member {h} already holds {} proxies for {slug}, the most the statutes allow", a.held_by(h)),
                    );
                }
                Some(h)
            }
        };
        Ok(vec![Event::ProxyGiven { assembly: slug.to_string(), from: giver, to: holder }])
    }

    pub(crate) fn postal(&self, slug: &str, member: MemberRef, votes: &[(u32, Choice)]) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, member)?;
        let days = self.statutes.assembly.postal_days_before;
        let deadline = a.postal_deadline(self.statutes);
        if self.date > deadline {
            return refuse(
                Rule::PostalDeadline,
                format!("a postal form received on {} is too late for {slug}: forms count if received by {deadline}, {days} days before the meeting", self.date),
            );
        }
        if a.postal.contains_key(&m) || a.present.contains_key(&m) || a.proxies.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} already takes part in {slug} (present, represented or by post)"));
        }
        if a.held_by(m) > 0 {
            return refuse(
                Rule::AlreadyRecorded,
                format!("member {m} holds proxies for {slug}: it is expected at the meeting, not by post"),
            );
        }
        let mut map = std::collections::BTreeMap::new();
        for (n, c) in votes {
            if a.resolution(*n).is_none() {
                return refuse(
                    Rule::UnknownResolution,
                    format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()),
                );
            }
            if map.insert(*n, *c).is_some() {
                return refuse(Rule::InvalidValue, format!("the form gives resolution {n} twice"));
            }
        }
        let votes = map.into_iter().map(|(resolution, choice)| crate::event::Direction { resolution, choice }).collect();
        Ok(vec![Event::PostalVoteReceived { assembly: slug.to_string(), member: m, votes }])
    }

    pub(crate) fn vote(&self, slug: &str, n: u32, member: MemberRef, choice: Choice) -> Result<Vec<Event>, Refusal> {
        if self.statutes.assembly.secret_ballot {
            return refuse(
                Rule::SecretBallot,
                format!("the statutes make votes secret: mark that member {member} voted (no choice) and let the tellers count the ballots per college"),
            );
        }
        let (m, by) = self.voter(slug, n, member)?;
        Ok(vec![Event::VoteCast { assembly: slug.to_string(), resolution: n, member: m, choice, by }])
    }

    /// Under a secret ballot: marks that a member's vote was cast, without its choice.
    pub(crate) fn mark_voter(&self, slug: &str, n: u32, member: MemberRef) -> Result<Vec<Event>, Refusal> {
        if !self.statutes.assembly.secret_ballot {
            return refuse(Rule::SecretBallot, "votes are not secret under these statutes: record each vote with its choice");
        }
        let (m, by) = self.voter(slug, n, member)?;
        Ok(vec![Event::VoterMarked { assembly: slug.to_string(), resolution: n, member: m, by }])
    }

    /// Under a secret ballot: the tellers' count of one college's ballots.
    pub(crate) fn count_ballots(
        &self,
        slug: &str,
        n: u32,
        college: Option<&str>,
        tally: crate::event::BallotTally,
    ) -> Result<Vec<Event>, Refusal> {
        if !self.statutes.assembly.secret_ballot {
            return refuse(Rule::SecretBallot, "votes are not secret under these statutes: there are no ballots to count");
        }
        let a = self.open_assembly(slug)?;
        if a.resolution(n).is_none() {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        }
        self.on_meeting_day(a, "a count of ballots")?;
        let code = match (college, self.statutes.colleges.is_empty()) {
            (None, true) => "all".to_string(),
            (Some(c), false) if self.statutes.colleges.iter().any(|x| x.code == c) => c.to_string(),
            (None, false) => return refuse(Rule::InvalidValue, "name the college whose ballots were counted (--college)"),
            (Some(c), _) => return refuse(Rule::InvalidValue, format!("'{c}' is not a college of the statutes")),
        };
        if tally.total() == 0 {
            return refuse(Rule::InvalidValue, "a count needs at least one ballot");
        }
        let (marked, counted) =
            assembly::ballot_check(self.state, a, n).into_iter().find(|(c, _, _)| *c == code).map_or((0, 0), |(_, m, k)| (m, k));
        if counted + tally.total() > marked {
            return refuse(
                Rule::BallotCount,
                format!(
                    "college {code} has {marked} voters marked on resolution {n} and {counted} ballots already counted: {} more ballots is too many",
                    tally.total()
                ),
            );
        }
        Ok(vec![Event::BallotsCounted { assembly: slug.to_string(), resolution: n, college: college.map(str::to_string), tally }])
    }

    /// The member whose vote is cast on resolution `n`, and the proxy holder casting it.
    pub(crate) fn voter(&self, slug: &str, n: u32, member: MemberRef) -> Result<(MemberNo, Option<MemberNo>), Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, member)?;
        let Some(res) = a.resolution(n) else {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        };
        self.on_meeting_day(a, "a vote")?;
        if !assembly::quorum_reached(self.state, self.statutes, a, res.kind) {
            let q = assembly::quorum(self.state, self.statutes, a, res.kind);
            return refuse(
                Rule::QuorumNotReached,
                format!(
                    "the quorum for {} resolutions is not reached ({} of {} members counted, {} required): resolution {n} cannot be voted on",
                    res.kind.as_str(),
                    q.counted,
                    q.eligible,
                    q.required
                ),
            );
        }
        if a.votes.get(&n).is_some_and(|v| v.contains_key(&m)) || a.voted.get(&n).is_some_and(|v| v.contains_key(&m)) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} has already voted on resolution {n} of {slug}"));
        }
        let by = if a.present.contains_key(&m) {
            None
        } else if a.postal.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} voted by post for {slug}: its form counts"));
        } else {
            match a.proxies.get(&m) {
                Some(Some(h)) if a.present.contains_key(h) => Some(*h),
                Some(Some(h)) => {
                    return refuse(Rule::NotPresent, format!("member {m}'s proxy holder, member {h}, is not present at {slug}"))
                }
                Some(None) => {
                    return refuse(
                        Rule::AlreadyRecorded,
                        format!("member {m} gave a blank proxy: it votes for the board's resolutions and against the others"),
                    )
                }
                None => {
                    return refuse(
                        Rule::NotPresent,
                        format!("member {m} is neither present nor represented at {slug}: record its attendance first"),
                    )
                }
            }
        };
        Ok((m, by))
    }

    /// An exclusion, as an adopted resolution decided it.
    pub(crate) fn exclude(&self, member: MemberRef, assembly: &str, resolution: u32) -> Result<Vec<Event>, Refusal> {
        let decided_by = self.decision(assembly, resolution, "an exclusion")?;
        let m = self.active(member)?;
        self.not_in_open_assembly(m)?;
        Ok(vec![Event::MemberExcluded { member: m.number, decided_by }])
    }

    /// Convocations sent to every member on the roll not yet convened.
    pub(crate) fn send_convocations(&self, assembly: &str) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(assembly)?;
        let members = assembly::pending_convocations(self.state, a);
        if members.is_empty() {
            return refuse(Rule::AlreadyRecorded, format!("every member on the roll of {assembly} has already been sent a convocation"));
        }
        Ok(vec![Event::ConvocationsSent { assembly: a.slug.clone(), members }])
    }

    /// The meeting's officers (bureau).
    pub(crate) fn appoint_meeting_officers(
        &self,
        assembly: &str,
        chair: MemberRef,
        secretary: MemberRef,
        scrutineers: &[MemberRef],
    ) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(assembly)?;
        let chair = self.known(chair)?.number;
        let secretary = self.known(secretary)?.number;
        let scrutineers = scrutineers.iter().map(|s| self.known(*s).map(|m| m.number)).collect::<Result<Vec<_>, _>>()?;
        Ok(vec![Event::OfficersAppointed { assembly: a.slug.clone(), officers: super::Officers { chair, secretary, scrutineers } }])
    }

    /// Closing: the roll is frozen and nothing more is recorded.
    pub(crate) fn close(&self, assembly: &str) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(assembly)?;
        if self.date < a.date {
            return refuse(
                Rule::AssemblyDate,
                format!("assembly {assembly} meets on {}; it cannot be closed on {}, before it met", a.date, self.date),
            );
        }
        for n in 1..=a.agenda.len() as u32 {
            for (college, marked, counted) in assembly::ballot_check(self.state, a, n) {
                if marked != counted {
                    return refuse(
                        Rule::BallotCount,
                        format!("resolution {n}: {marked} voters marked in college {college} but {counted} ballots counted; count them before closing"),
                    );
                }
            }
        }
        Ok(vec![Event::AssemblyClosed { assembly: a.slug.clone(), roll: assembly::live_roll(self.state, a.date) }])
    }
}
