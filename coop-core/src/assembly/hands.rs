//! Open votes recorded in bulk: a show of hands counted per college, and one choice recorded
//! for everyone present and represented but those named (the usual unanimous resolution).
//!
//! Both leave the per-member record where the law needs it: a show of hands is checked against
//! the voices in the room (members present, and those they represent), and a vote of all is
//! one `VoteCast` per member, as if each had been recorded alone.

use std::collections::{BTreeMap, BTreeSet};

use super::{tally, Assembly, Choice};
use crate::decide::{refuse, Decider, Refusal, Rule};
use crate::event::{BallotTally, Event};
use crate::units::{MemberNo, MemberRef};

/// A voice at the meeting: the member whose vote it is, and the proxy holder casting it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Voice {
    pub(crate) member: MemberNo,
    pub(crate) by: Option<MemberNo>,
}

impl<'a> Decider<'a> {
    /// The voices on resolution `n` still to be recorded, by college (`all` without colleges):
    /// members on the roll present, or represented by a holder who is present, whose vote was
    /// neither recorded one by one nor counted in a show of hands. Postal forms and blank
    /// proxies are not voices: their choices are already known.
    pub(crate) fn voices(&self, a: &Assembly, n: u32) -> BTreeMap<String, Vec<Voice>> {
        let voted = a.votes.get(&n);
        let counted = a.hands.get(&n);
        let present = a.present.keys().map(|m| Voice { member: *m, by: None });
        let represented = a
            .proxies
            .iter()
            .filter(|(m, _)| !a.present.contains_key(m) && !a.postal.contains_key(m))
            .filter_map(|(m, h)| h.filter(|h| a.present.contains_key(h)).map(|h| Voice { member: *m, by: Some(h) }));
        let mut out: BTreeMap<String, Vec<Voice>> = BTreeMap::new();
        for v in present.chain(represented) {
            if voted.is_some_and(|x| x.contains_key(&v.member)) || !tally::on_roll(self.state, a, v.member) {
                continue;
            }
            let Some(member) = self.state.members.get(&v.member) else { continue };
            let code = crate::projection::college_of(self.state, member.category_on(a.date)).unwrap_or_else(|| "all".into());
            if counted.is_some_and(|c| c.contains_key(&code)) {
                continue;
            }
            out.entry(code).or_default().push(v);
        }
        out
    }

    /// A show of hands counted in one college on resolution `n`.
    pub(crate) fn count_hands(&self, slug: &str, n: u32, college: Option<&str>, count: BallotTally) -> Result<Vec<Event>, Refusal> {
        if self.secret(slug, n) {
            return refuse(
                Rule::SecretBallot,
                format!("resolution {n} is voted by secret ballot: a show of hands is not one; mark the voters and let the tellers count the ballots"),
            );
        }
        let a = self.open_assembly(slug)?;
        self.votable(a, n)?;
        let code = self.counted_college(college, "hands")?;
        if a.hands.get(&n).is_some_and(|h| h.contains_key(&code)) {
            return refuse(Rule::AlreadyRecorded, format!("the hands of college {code} were already counted on resolution {n} of {slug}"));
        }
        let voices = self.voices(a, n).remove(&code).unwrap_or_default();
        let represented = voices.iter().filter(|v| v.by.is_some()).count();
        let expected = voices.len() as u64;
        if expected == 0 {
            return refuse(
                Rule::HandCount,
                format!("no member present or represented in college {code} is left to vote on resolution {n} of {slug}"),
            );
        }
        if count.total() != expected {
            return refuse(
                Rule::HandCount,
                format!(
                    "college {code} has {} on resolution {n} ({} present, {} represented): the count gives {}; \
                     count every voice, those who raised no hand as abstaining",
                    crate::units::count(expected, "voice left to vote", "voices left to vote"),
                    voices.len() - represented,
                    represented,
                    crate::units::count(count.total(), "voice", "voices"),
                ),
            );
        }
        Ok(vec![Event::HandsCounted { assembly: slug.to_string(), resolution: n, college: college.map(str::to_string), tally: count }])
    }

    /// The same choice for every voice left on resolution `n`, but the members in `except`.
    pub(crate) fn vote_all(&self, slug: &str, n: u32, choice: Choice, except: &[MemberRef]) -> Result<Vec<Event>, Refusal> {
        if self.secret(slug, n) {
            return refuse(
                Rule::SecretBallot,
                format!("resolution {n} is voted by secret ballot: mark each voter and let the tellers count the ballots"),
            );
        }
        let a = self.open_assembly(slug)?;
        self.votable(a, n)?;
        if let Some(codes) = a.hands.get(&n).filter(|h| !h.is_empty()) {
            let codes: Vec<&str> = codes.keys().map(String::as_str).collect();
            return refuse(
                Rule::AlreadyRecorded,
                format!(
                    "hands were counted on resolution {n} of {slug} (college {}): count the other colleges' hands too, or record their votes one by one",
                    codes.join(", ")
                ),
            );
        }
        let mut voices: Vec<Voice> = self.voices(a, n).into_values().flatten().collect();
        voices.sort_by_key(|v| v.member);
        let mut left_out = BTreeSet::new();
        for r in except {
            let (m, _) = self.on_roll(a, *r)?;
            let voted = a.votes.get(&n).is_some_and(|v| v.contains_key(&m));
            if !voted && !voices.iter().any(|v| v.member == m) {
                return refuse(
                    Rule::NotPresent,
                    format!("member {m} is neither present nor represented by a member present at {slug}: it has no vote to leave out"),
                );
            }
            left_out.insert(m);
        }
        let events: Vec<Event> = voices
            .into_iter()
            .filter(|v| !left_out.contains(&v.member))
            .map(|v| Event::VoteCast { assembly: slug.to_string(), resolution: n, member: v.member, choice, by: v.by })
            .collect();
        if events.is_empty() {
            return refuse(Rule::AlreadyRecorded, format!("every member present or represented has voted on resolution {n} of {slug}"));
        }
        Ok(events)
    }
}
