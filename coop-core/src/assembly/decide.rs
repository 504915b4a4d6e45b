//! The rules of general assemblies: convening, the roll, attendance, proxies, postal forms,
//! votes and ballots, closing, and the exclusions and amendments an assembly decides.

use chrono::NaiveDate;

use super::{sha256_hex, tally as assembly, Assembly, Choice, Resolution, ResolutionKind, Subject, ASSEMBLY_EDITION};
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

    /// An adopted extraordinary resolution of a closed assembly that decides `what`: under the
    /// current rules, one whose agenda names that very subject, carried out once.
    pub(crate) fn decision(&self, slug: &str, n: u32, what: Decides) -> Result<Decision, Refusal> {
        let a = self.assembly(slug)?;
        let label = what.label();
        let Some(res) = a.resolution(n) else {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        };
        if a.closed.is_none() {
            return refuse(
                Rule::NoDecision,
                format!("assembly {slug} is not closed yet: {label} needs the final result of resolution {n}"),
            );
        }
        if res.kind != ResolutionKind::Extraordinary {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} is ordinary: {label} needs an extraordinary resolution"));
        }
        let result = assembly::results(self.state, self.statutes, a).into_iter().nth(n as usize - 1);
        if !result.is_some_and(|r| r.adopted) {
            return refuse(Rule::NoDecision, format!("resolution {n} of {slug} was not adopted: it cannot decide {label}"));
        }
        if self.date < a.date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("{label} decided by {slug} cannot be dated {}, before the assembly met ({})", self.date, a.date),
            );
        }
        if a.edition >= 1 {
            bound(slug, n, res, &what)?;
            if a.executed.contains(&n) || self.now.assemblies.get(slug).is_some_and(|x| x.executed.contains(&n)) {
                return refuse(
                    Rule::AlreadyRecorded,
                    format!("resolution {n} of {slug} was already carried out: a resolution decides once"),
                );
            }
        }
        Ok(Decision { assembly: slug.to_string(), resolution: n })
    }

    pub(crate) fn amend(&self, new: &Statutes, sha256: Option<&str>, slug: &str, n: u32) -> Result<Vec<Event>, Refusal> {
        let decided_by = self.decision(slug, n, Decides::Amend(new, sha256))?;
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
        Ok(vec![Event::StatutesAdopted {
            statutes: Box::new(new.clone()),
            decided_by: Some(decided_by),
            sha256: sha256.map(str::to_string),
        }])
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn convene(
        &self,
        slug: &str,
        kind: ResolutionKind,
        meeting: NaiveDate,
        place: &str,
        time: Option<chrono::NaiveTime>,
        agenda: &[Resolution],
        second_of: Option<&str>,
        edition: Option<u8>,
    ) -> Result<Vec<Event>, Refusal> {
        valid_slug(slug, "an assembly", "ago-2026")?;
        if self.now.assemblies.contains_key(slug) || self.state.assemblies.contains_key(slug) {
            return refuse(Rule::AssemblyExists, format!("an assembly '{slug}' already exists: choose another slug"));
        }
        let edition = edition.unwrap_or(ASSEMBLY_EDITION);
        if edition > ASSEMBLY_EDITION {
            return refuse(
                Rule::InvalidValue,
                format!("edition {edition} of the assembly rules is unknown (the latest is {ASSEMBLY_EDITION})"),
            );
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
        if edition >= 1 {
            for (i, r) in agenda.iter().enumerate() {
                self.subject_valid(i + 1, r)?;
            }
        }
        self.allocations_valid(agenda)?;
        self.notice(meeting, second_of.is_some(), "convening")?;
        if let Some(first) = second_of {
            self.second_convocation(first, meeting, agenda, edition)?;
        }
        let cutoff = match self.statutes.assembly.roll_cutoff_days {
            Some(days) => meeting - chrono::Days::new(days as u64),
            None => self.date,
        };
        Ok(vec![Event::AssemblyConvened {
            assembly: slug.to_string(),
            kind,
            date: meeting,
            place: place.trim().to_string(),
            time,
            agenda: agenda.to_vec(),
            second_of: second_of.map(str::to_string),
            edition,
            roll_cutoff: (edition >= 1).then_some(cutoff),
        }])
    }

    /// The notice between `self.date` (convening, or sending convocations) and the meeting.
    fn notice(&self, meeting: NaiveDate, second: bool, what: &str) -> Result<(), Refusal> {
        let rules = &self.statutes.assembly;
        let notice = if second { rules.notice_days_second } else { rules.notice_days };
        let days = (meeting - self.date).num_days();
        if days < notice as i64 {
            return refuse(
                Rule::NoticePeriod,
                format!(
                    "{what} on {} for {meeting} gives {days} days' notice; the statutes require {notice} on {} convocation",
                    self.date,
                    if second { "second" } else { "first" }
                ),
            );
        }
        Ok(())
    }

    /// A subject an agenda names is something that can be decided.
    fn subject_valid(&self, n: usize, r: &Resolution) -> Result<(), Refusal> {
        match &r.subject {
            None | Some(Subject::Accounts(_)) => {}
            Some(Subject::Elect(e)) => {
                if r.kind != ResolutionKind::Ordinary {
                    return refuse(Rule::InvalidValue, format!("resolution {n} is an election: make it ordinary"));
                }
                self.election_valid(n, e)?;
            }
            Some(Subject::Revoke(rv)) => {
                if r.kind != ResolutionKind::Ordinary {
                    return refuse(Rule::InvalidValue, format!("resolution {n} is a revocation: make it ordinary"));
                }
                for m in &rv.members {
                    let member = self.active(MemberRef::Number(*m))?;
                    if !crate::bodies::holds(member, rv.office, self.date) {
                        return refuse(
                            Rule::NoChange,
                            format!("resolution {n} revokes member {m}, who holds no mandate as {} on {}", rv.office.as_str(), self.date),
                        );
                    }
                }
            }
            Some(Subject::Exclude(m)) => {
                let member = self.active(MemberRef::Number(*m))?;
                if r.kind != ResolutionKind::Extraordinary {
                    return refuse(Rule::InvalidValue, format!("resolution {n} excludes member {}: make it extraordinary", member.number));
                }
            }
            Some(Subject::Amend(p)) => {
                if sha256_hex(p.text.as_bytes()) != p.sha256 || Statutes::from_toml(&p.text).is_err() {
                    return refuse(
                        Rule::InvalidStatutes,
                        format!("resolution {n} proposes {}, whose text is not valid statutes with that SHA-256", p.file),
                    );
                }
                if r.kind != ResolutionKind::Extraordinary {
                    return refuse(Rule::InvalidValue, format!("resolution {n} amends the statutes: make it extraordinary"));
                }
            }
        }
        if matches!(r.subject, Some(Subject::Accounts(_))) && r.kind != ResolutionKind::Ordinary {
            return refuse(Rule::InvalidValue, format!("resolution {n} approves accounts: make it ordinary"));
        }
        Ok(())
    }

    /// Each allocation on the agenda shares out the result of the accounts resolution before it,
    /// within the legal floors as the reserves and capital stand when it is convened.
    fn allocations_valid(&self, agenda: &[Resolution]) -> Result<(), Refusal> {
        for (i, r) in agenda.iter().enumerate() {
            if r.result_cents.is_some() && !matches!(r.subject, Some(Subject::Accounts(_))) {
                return refuse(Rule::InvalidValue, format!("resolution {}: a result goes with the accounts it is the result of", i + 1));
            }
            let Some(a) = &r.allocation else { continue };
            let Some(result) = agenda[..i].iter().rev().find_map(|x| x.result_cents) else {
                return refuse(
                    Rule::InvalidValue,
                    format!(
                        "resolution {} allocates a surplus, but no resolution before it approves accounts with their result (result_euros)",
                        i + 1
                    ),
                );
            };
            crate::money::check(i + 1, a, &crate::money::floors(self.state, result))?;
        }
        Ok(())
    }

    /// A second convocation follows a first that met without the quorum of the resolutions it
    /// puts again (under the current rules: a first already closed, and its very resolutions).
    fn second_convocation(&self, first: &str, meeting: NaiveDate, agenda: &[Resolution], edition: u8) -> Result<(), Refusal> {
        let f = self.assembly(first)?;
        if f.second_of.is_some() {
            return refuse(Rule::SecondConvocation, format!("{first} was itself a second convocation"));
        }
        if meeting <= f.date {
            return refuse(Rule::SecondConvocation, format!("a second convocation meets after the first ({first} met on {})", f.date));
        }
        let lacking: Vec<crate::assembly::ResolutionKind> =
            f.kinds().into_iter().filter(|k| !assembly::quorum(self.state, self.statutes, f, *k).reached).collect();
        if edition == 0 {
            if !lacking.iter().any(|k| agenda.iter().any(|r| r.kind == *k)) {
                return refuse(
                    Rule::SecondConvocation,
                    format!("{first} reached its quorum: a second convocation follows only an assembly that lacked it"),
                );
            }
            return Ok(());
        }
        if f.closed.is_none() {
            return refuse(
                Rule::SecondConvocation,
                format!(
                    "{first} meets on {} and is not closed: a second convocation follows a first that met and lacked its quorum",
                    f.date
                ),
            );
        }
        if lacking.is_empty() {
            return refuse(
                Rule::SecondConvocation,
                format!("{first} reached its quorum: a second convocation follows only an assembly that lacked it"),
            );
        }
        let expected: Vec<&Resolution> = f.agenda.iter().filter(|r| lacking.contains(&r.kind)).collect();
        if agenda.len() != expected.len() || agenda.iter().zip(&expected).any(|(a, b)| a != *b) {
            let titles: Vec<String> = expected.iter().map(|r| format!("\"{}\"", r.title)).collect();
            return refuse(
                Rule::SecondConvocation,
                format!("a second convocation puts again the resolutions {first} could not vote on, as they were: {}", titles.join(", ")),
            );
        }
        Ok(())
    }

    /// A member on the assembly's roll.
    pub(crate) fn on_roll(&self, a: &Assembly, r: MemberRef) -> Result<(MemberNo, Option<String>), Refusal> {
        let Some(m) = self.state.member(r) else {
            let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
            return refuse(Rule::UnknownMember, format!("member {r} is not in the register (numbers run from 1 to {last})"));
        };
        let why = match assembly::off_roll(m, a) {
            None => return Ok((m.number, crate::projection::college_of(self.state, m.category_on(a.date)))),
            Some(assembly::OffRoll::NotAMember) => format!("not a member on {}", a.date),
            Some(assembly::OffRoll::AdmittedAfterCutoff) => format!(
                "admitted on {}, after the roll was closed on {}",
                m.admitted,
                a.roll_cutoff.map(|c| c.to_string()).unwrap_or_default()
            ),
            Some(assembly::OffRoll::QualityLost) => {
                format!("it lost the quality of its category on {}", m.flagged_since.map(|c| c.to_string()).unwrap_or_default())
            }
        };
        refuse(Rule::NotOnRoll, format!("member {} is not on the voting roll of {} ({why})", m.number, a.slug))
    }

    /// A proxy or a postal form is dated after the assembly was convened and after the member
    /// was admitted.
    fn dated_after_convening(&self, a: &Assembly, m: MemberNo, what: &str) -> Result<(), Refusal> {
        if self.date < a.convened_on {
            return refuse(
                Rule::AssemblyDate,
                format!("{what} for {} cannot be dated {}, before the assembly was convened on {}", a.slug, self.date, a.convened_on),
            );
        }
        if let Some(x) = self.state.members.get(&m).filter(|x| x.admitted > self.date) {
            return refuse(
                Rule::DateBeforeHistory,
                format!("member {m} was admitted on {}: {what} it gave cannot be dated {}", x.admitted, self.date),
            );
        }
        Ok(())
    }

    /// The meeting's officers are recorded before votes and closing (under the current rules).
    fn officers_recorded(&self, a: &Assembly, what: &str) -> Result<(), Refusal> {
        if a.edition >= 1 && a.officers.is_none() {
            return refuse(
                Rule::MeetingOfficers,
                format!("{what} at {} needs the meeting's officers (chair, secretary) recorded first", a.slug),
            );
        }
        Ok(())
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
        if remote && !self.statutes.assembly.remote_attendance {
            return refuse(
                Rule::NotPresent,
                format!("the statutes do not allow remote attendance (remote_attendance = false): member {m} attends in person, by proxy or by post"),
            );
        }
        if a.present.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} is already recorded as present at {slug}"));
        }
        if a.postal.contains_key(&m) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} voted by post for {slug}: it cannot also take part in the meeting"));
        }
        let mut events = Vec::new();
        if a.proxies.contains_key(&m) {
            if !self.statutes.assembly.attendance_revokes_proxy {
                return refuse(
                    Rule::AlreadyRecorded,
                    format!("member {m} gave a proxy for {slug}, and attending does not revoke it under these statutes (attendance_revokes_proxy = false): revoke it first"),
                );
            }
            self.proxy_unused(a, m)?;
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
        self.dated_after_convening(a, giver, "a proxy")?;
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
                if self.statutes.assembly.proxies_same_college {
                    let college = |m: MemberNo| {
                        self.state.members.get(&m).and_then(|x| crate::projection::college_of(self.state, x.category_on(a.date)))
                    };
                    if college(giver) != college(h) {
                        return refuse(
                            Rule::ProxyCap,
                            format!(
                                "the statutes keep proxies within a college: member {giver} ({}) cannot give one to member {h} ({})",
                                college(giver).unwrap_or_default(),
                                college(h).unwrap_or_default()
                            ),
                        );
                    }
                }
                let cap = match self.statutes.assembly.max_proxies_fraction {
                    Some(f) => {
                        let roll = self.state.members.values().filter(|m| assembly::off_roll(m, a).is_none()).count() as u64;
                        ((roll * f.num() as u64) / f.den() as u64).max(1) as u32
                    }
                    None => self.statutes.assembly.max_proxies_per_holder,
                };
                if cap > 0 && a.held_by(h) >= cap as usize {
                    return refuse(
                        Rule::ProxyCap,
                        format!(
                            "member {h} already holds {} for {slug}, the most the statutes allow",
                            crate::units::count(a.held_by(h) as u64, "proxy", "proxies")
                        ),
                    );
                }
                Some(h)
            }
        };
        Ok(vec![Event::ProxyGiven { assembly: slug.to_string(), from: giver, to: holder }])
    }

    /// A proxy revoked before the meeting (R. 225-79): its giver may then give another, vote by
    /// post or attend.
    pub(crate) fn revoke_proxy(&self, slug: &str, from: MemberRef) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, _) = self.on_roll(a, from)?;
        if self.date > a.date {
            return refuse(Rule::AssemblyDate, format!("a proxy for {slug} is revoked by the meeting's date, {}", a.date));
        }
        if !a.proxies.contains_key(&m) {
            return refuse(Rule::NoChange, format!("member {m} has no proxy for {slug} to revoke"));
        }
        self.dated_after_convening(a, m, "a revocation")?;
        self.proxy_unused(a, m)?;
        Ok(vec![Event::ProxyRevoked { assembly: slug.to_string(), from: m }])
    }

    /// No vote was cast with member `m`'s proxy yet (it can still be revoked).
    fn proxy_unused(&self, a: &Assembly, m: MemberNo) -> Result<(), Refusal> {
        if a.votes.values().any(|v| v.contains_key(&m)) || a.voted.values().any(|v| v.contains_key(&m)) {
            return refuse(
                Rule::AlreadyRecorded,
                format!("votes were already cast on behalf of member {m} by its proxy: it can no longer revoke it"),
            );
        }
        Ok(())
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
        self.dated_after_convening(a, m, "a postal form")?;
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

    /// Whether resolution `n` of `slug` is voted by secret ballot: all of them under statutes
    /// that say so, or one the agenda names `secret`.
    pub(crate) fn secret(&self, slug: &str, n: u32) -> bool {
        self.statutes.assembly.secret_ballot || self.state.assemblies.get(slug).and_then(|a| a.resolution(n)).is_some_and(|r| r.secret)
    }

    fn why_secret(&self) -> &'static str {
        if self.statutes.assembly.secret_ballot {
            "the statutes make votes secret"
        } else {
            "the agenda puts this resolution to a secret ballot"
        }
    }

    pub(crate) fn vote(&self, slug: &str, n: u32, member: MemberRef, choice: Choice) -> Result<Vec<Event>, Refusal> {
        if self.secret(slug, n) {
            return refuse(
                Rule::SecretBallot,
                format!(
                    "{}: mark that member {member} voted on resolution {n} (no choice) and let the tellers count the ballots per college",
                    self.why_secret()
                ),
            );
        }
        let (m, by) = self.voter(slug, n, member)?;
        Ok(vec![Event::VoteCast { assembly: slug.to_string(), resolution: n, member: m, choice, by }])
    }

    /// Under a secret ballot: marks that a member's vote was cast, without its choice.
    pub(crate) fn mark_voter(&self, slug: &str, n: u32, member: MemberRef) -> Result<Vec<Event>, Refusal> {
        if !self.secret(slug, n) {
            return refuse(Rule::SecretBallot, format!("resolution {n} is voted openly: record each vote with its choice"));
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
        if !self.secret(slug, n) {
            return refuse(Rule::SecretBallot, format!("resolution {n} is voted openly: there are no ballots to count"));
        }
        let a = self.open_assembly(slug)?;
        if a.resolution(n).is_none() {
            return refuse(Rule::UnknownResolution, format!("assembly {slug} has no resolution {n} (its agenda has {})", a.agenda.len()));
        }
        self.on_meeting_day(a, "a count of ballots")?;
        self.officers_recorded(a, "a count of ballots")?;
        let code = self.counted_college(college, "ballots")?;
        if tally.total() == 0 {
            return refuse(Rule::InvalidValue, "a count needs at least one ballot");
        }
        let (marked, counted) =
            assembly::ballot_check(self.state, a, n).into_iter().find(|(c, _, _)| *c == code).map_or((0, 0), |(_, m, k)| (m, k));
        if counted + tally.total() > marked {
            return refuse(
                Rule::BallotCount,
                format!(
                    "college {code} has {} marked on resolution {n} and {} already counted: {} more is too many",
                    crate::units::count(marked, "voter", "voters"),
                    crate::units::count(counted, "ballot", "ballots"),
                    crate::units::count(tally.total(), "ballot", "ballots")
                ),
            );
        }
        Ok(vec![Event::BallotsCounted { assembly: slug.to_string(), resolution: n, college: college.map(str::to_string), tally }])
    }

    /// The member whose vote is cast on resolution `n`, and the proxy holder casting it.
    pub(crate) fn voter(&self, slug: &str, n: u32, member: MemberRef) -> Result<(MemberNo, Option<MemberNo>), Refusal> {
        let a = self.open_assembly(slug)?;
        let (m, college) = self.on_roll(a, member)?;
        self.votable(a, n)?;
        if a.votes.get(&n).is_some_and(|v| v.contains_key(&m)) || a.voted.get(&n).is_some_and(|v| v.contains_key(&m)) {
            return refuse(Rule::AlreadyRecorded, format!("member {m} has already voted on resolution {n} of {slug}"));
        }
        let code = college.unwrap_or_else(|| "all".into());
        if a.hands.get(&n).is_some_and(|h| h.contains_key(&code)) {
            return refuse(
                Rule::AlreadyRecorded,
                format!("the hands of college {code} were counted on resolution {n} of {slug}: member {m}'s vote is in that count"),
            );
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

    /// Resolution `n` of open assembly `a` may be voted on now: it is on the agenda, this is the
    /// meeting's day, its officers are recorded and the quorum of its kind is reached.
    pub(crate) fn votable(&self, a: &Assembly, n: u32) -> Result<(), Refusal> {
        let Some(res) = a.resolution(n) else {
            return refuse(
                Rule::UnknownResolution,
                format!("assembly {} has no resolution {n} (its agenda has {})", a.slug, a.agenda.len()),
            );
        };
        self.on_meeting_day(a, "a vote")?;
        self.officers_recorded(a, "a vote")?;
        if !assembly::quorum_reached(self.state, self.statutes, a, res.kind) {
            let q = assembly::quorum(self.state, self.statutes, a, res.kind);
            return refuse(
                Rule::QuorumNotReached,
                format!(
                    "the quorum for {} resolutions is not reached ({} of {} counted, {} required): resolution {n} cannot be voted on",
                    res.kind.as_str(),
                    q.counted,
                    crate::units::count(q.eligible as u64, "member", "members"),
                    q.required
                ),
            );
        }
        Ok(())
    }

    /// The college code a count names: a college of the statutes, or `all` without colleges.
    pub(crate) fn counted_college(&self, college: Option<&str>, what: &str) -> Result<String, Refusal> {
        match (college, self.statutes.colleges.is_empty()) {
            (None, true) => Ok("all".to_string()),
            (Some(c), false) if self.statutes.colleges.iter().any(|x| x.code == c) => Ok(c.to_string()),
            (None, false) => {
                let codes: Vec<&str> = self.statutes.colleges.iter().map(|c| c.code.as_str()).collect();
                refuse(Rule::InvalidValue, format!("name the college whose {what} were counted (one of {})", codes.join(", ")))
            }
            (Some(c), true) => {
                refuse(Rule::InvalidValue, format!("'{c}' is not a college: these statutes have none (one member, one vote)"))
            }
            (Some(c), false) => {
                let codes: Vec<&str> = self.statutes.colleges.iter().map(|c| c.code.as_str()).collect();
                refuse(Rule::InvalidValue, format!("'{c}' is not a college of the statutes (colleges: {})", codes.join(", ")))
            }
        }
    }

    /// An exclusion, as an adopted resolution decided it.
    pub(crate) fn exclude(&self, member: MemberRef, assembly: &str, resolution: u32) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        let decided_by = self.decision(assembly, resolution, Decides::Exclude(m.number))?;
        self.not_in_open_assembly(m)?;
        Ok(vec![Event::MemberExcluded { member: m.number, decided_by }])
    }

    /// Convocations sent to every member on the roll not yet convened.
    pub(crate) fn send_convocations(&self, assembly: &str) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(assembly)?;
        if a.edition >= 1 {
            self.notice(a.date, a.second_of.is_some(), "sending convocations")?;
        }
        let members = assembly::pending_convocations(self.state, a);
        if members.is_empty() {
            return refuse(Rule::AlreadyRecorded, format!("every member on the roll of {assembly} has already been sent a convocation"));
        }
        Ok(vec![Event::ConvocationsSent { assembly: a.slug.clone(), members }])
    }

    /// The meeting's officers (bureau).
    /// A member's convocation sent again: it was sent once, the member is on the roll, and the
    /// meeting has not taken place.
    pub(crate) fn reissue_convocation(&self, assembly: &str, member: MemberRef) -> Result<Vec<Event>, Refusal> {
        let a = self.open_assembly(assembly)?;
        let (m, _) = self.on_roll(a, member)?;
        let Some(first) = a.convocations.get(&m) else {
            return refuse(
                Rule::NotConvened,
                format!("member {m} was never sent a convocation to {assembly}: send the convocations still due first"),
            );
        };
        if self.date < *first {
            return refuse(
                Rule::AssemblyDate,
                format!("member {m}'s convocation to {assembly} was first sent on {first}: it cannot be sent again on {}", self.date),
            );
        }
        if self.date > a.date {
            return refuse(
                Rule::AssemblyDate,
                format!("the meeting of {assembly} took place on {}: a convocation sent on {} is too late", a.date, self.date),
            );
        }
        Ok(vec![Event::ConvocationReissued { assembly: a.slug.clone(), member: m }])
    }

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
        if a.edition >= 1 && scrutineers.is_empty() && self.statutes.legal_form == crate::statutes::LegalForm::Sa {
            return refuse(
                Rule::MeetingOfficers,
                "an SA's assembly has tellers (scrutateurs, R. 225-101) among its officers: name at least one with --scrutineer",
            );
        }
        Ok(vec![Event::OfficersAppointed { assembly: a.slug.clone(), officers: super::Officers { chair, secretary, scrutineers } }])
    }

    /// Closing: the roll is frozen and nothing more is recorded. Under the current rules, the
    /// officers are recorded, and a resolution whose quorum was reached was voted on or is
    /// recorded as not put to the vote.
    pub(crate) fn close(&self, assembly: &str, not_put: &[u32]) -> Result<Vec<Event>, Refusal> {
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
                        format!(
                            "resolution {n}: {} marked in college {college} but {} counted; count them before closing",
                            crate::units::count(marked, "voter", "voters"),
                            crate::units::count(counted, "ballot", "ballots")
                        ),
                    );
                }
            }
        }
        let mut listed = std::collections::BTreeSet::new();
        for n in not_put {
            if a.resolution(*n).is_none() {
                return refuse(
                    Rule::UnknownResolution,
                    format!("assembly {assembly} has no resolution {n} (its agenda has {})", a.agenda.len()),
                );
            }
            if assembly::voted_at_meeting(a, *n) {
                return refuse(
                    Rule::InvalidValue,
                    format!("resolution {n} of {assembly} was voted on at the meeting: it was put to the vote"),
                );
            }
            if !listed.insert(*n) {
                return refuse(Rule::InvalidValue, format!("resolution {n} is listed twice as not put to the vote"));
            }
        }
        if a.edition >= 1 {
            self.officers_recorded(a, "closing")?;
            for k in a.kinds() {
                if !assembly::quorum_reached(self.state, self.statutes, a, k) {
                    continue;
                }
                let unvoted: Vec<String> = (1..=a.agenda.len() as u32)
                    .filter(|n| a.resolution(*n).is_some_and(|r| r.kind == k) && !assembly::voted_on(a, *n) && !listed.contains(n))
                    .map(|n| n.to_string())
                    .collect();
                if !unvoted.is_empty() {
                    return refuse(
                        Rule::NotVotedOn,
                        format!(
                            "{assembly} reached the quorum of its {} resolutions, but nobody voted on resolution {}: record the votes, or record it as not put to the vote if the chair did not put it",
                            k.as_str(),
                            unvoted.join(", "),
                        ),
                    );
                }
            }
        }
        Ok(vec![Event::AssemblyClosed {
            assembly: a.slug.clone(),
            roll: assembly::live_roll(self.state, a),
            not_put_to_vote: listed.into_iter().collect(),
        }])
    }
}

/// What a command asks an adopted resolution to have decided.
pub(crate) enum Decides<'s> {
    /// The exclusion of this member.
    Exclude(MemberNo),
    /// The adoption of these statutes, read from a file with this SHA-256.
    Amend(&'s Statutes, Option<&'s str>),
}

impl Decides<'_> {
    fn label(&self) -> &'static str {
        match self {
            Decides::Exclude(_) => "an exclusion",
            Decides::Amend(..) => "an amendment of the statutes",
        }
    }
}

/// A resolution decides what its agenda names, and nothing else.
fn bound(slug: &str, n: u32, res: &Resolution, what: &Decides) -> Result<(), Refusal> {
    let Some(named) = &res.subject else {
        return refuse(
            Rule::NoDecision,
            format!(
                "resolution {n} of {slug} names no subject: it can exclude no one and amend nothing (an agenda names what a resolution decides with exclude = N or amend = \"FILE\")"
            ),
        );
    };
    match (named, what) {
        (Subject::Exclude(m), Decides::Exclude(x)) if m == x => Ok(()),
        (Subject::Exclude(m), Decides::Exclude(x)) => {
            refuse(Rule::NoDecision, format!("resolution {n} of {slug} excludes member {m}, not member {x}"))
        }
        (Subject::Amend(p), Decides::Amend(statutes, sha)) => {
            let Some(sha) = sha else {
                return refuse(
                    Rule::NoDecision,
                    format!("resolution {n} of {slug} adopted the statutes file {}: give that file (its SHA-256 is checked)", p.file),
                );
            };
            if *sha != p.sha256 {
                return refuse(
                    Rule::NoDecision,
                    format!(
                        "resolution {n} of {slug} adopted the statutes file {} (SHA-256 {}); this file's SHA-256 is {sha}: it is not the text the assembly voted",
                        p.file, p.sha256
                    ),
                );
            }
            match Statutes::from_toml(&p.text) {
                Ok(voted) if voted == **statutes => Ok(()),
                _ => refuse(
                    Rule::NoDecision,
                    format!("the statutes given are not those of {} that resolution {n} of {slug} adopted", p.file),
                ),
            }
        }
        (other, what) => refuse(
            Rule::NoDecision,
            format!(
                "resolution {n} of {slug} decides {}, not {}",
                match other {
                    Subject::Exclude(m) => format!("the exclusion of member {m}"),
                    Subject::Amend(p) => format!("the statutes of {}", p.file),
                    Subject::Accounts(y) => format!("the approval of the {y} accounts"),
                    Subject::Elect(e) => format!("the election of {} to the {}", e.members.len(), e.office.as_str()),
                    Subject::Revoke(r) => format!("the revocation of {} as {}", r.members.len(), r.office.as_str()),
                },
                what.label()
            ),
        ),
    }
}
