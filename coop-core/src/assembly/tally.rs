//! The pure computations over an assembly: the roll, how each member takes part, the quorum,
//! and the college-weighted results with exact ratios.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Assembly, Choice, ResolutionKind, RollEntry};
use crate::state::{Member, State};
use crate::statutes::{CollegeMethod, MajorityBase, Statutes};
use crate::units::{Fraction, Majority, MemberNo};

/// The voting roll: members on the assembly's date with their college then (frozen at closing).
pub fn roll(state: &State, a: &Assembly) -> Vec<RollEntry> {
    if let Some(frozen) = &a.closed {
        return frozen.clone();
    }
    live_roll(state, a)
}

/// Why a member is not on an assembly's roll, if it is not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffRoll {
    /// Not a member on the meeting's date.
    NotAMember,
    /// Admitted after the roll was cut off (the convening date, or the statutes'
    /// `roll_cutoff_days` before the meeting).
    AdmittedAfterCutoff,
    /// Flagged as having lost the quality of its category: it keeps no vote in its former
    /// college until it moves to a category it fits.
    QualityLost,
}

/// Whether member `m` votes at assembly `a` (before closing: from the register).
pub fn off_roll(m: &Member, a: &Assembly) -> Option<OffRoll> {
    if !m.member_on(a.date) {
        Some(OffRoll::NotAMember)
    } else if a.roll_cutoff.is_some_and(|c| m.admitted > c) {
        Some(OffRoll::AdmittedAfterCutoff)
    } else if m.flagged_since.is_some_and(|f| f <= a.date) {
        Some(OffRoll::QualityLost)
    } else {
        None
    }
}

/// Whether member `m` is on the assembly's roll (without building the roll).
pub fn on_roll(state: &State, a: &Assembly, m: MemberNo) -> bool {
    match &a.closed {
        Some(frozen) => frozen.iter().any(|e| e.member == m),
        None => state.members.get(&m).is_some_and(|x| off_roll(x, a).is_none()),
    }
}

/// The voting roll computed from the register: members on the meeting's date, admitted by the
/// roll's cutoff, not flagged as having lost their quality; each in its college then.
pub fn live_roll(state: &State, a: &Assembly) -> Vec<RollEntry> {
    let statutes = state.statutes.as_ref();
    let date = a.date;
    state
        .members
        .values()
        .filter(|m| off_roll(m, a).is_none())
        .map(|m| {
            let category = m.category_on(date);
            let college = statutes.and_then(|s| s.category(category)).and_then(|c| c.college.as_deref()).map(crate::Code::from);
            RollEntry { member: m.number, category: category.into(), college }
        })
        .collect()
}

/// Under a secret ballot: voters marked and ballots counted per college on resolution `n`, as
/// (college, marked, counted); colleges are `all` without colleges.
pub fn ballot_check(state: &State, a: &Assembly, n: u32) -> Vec<(String, u64, u64)> {
    let roll = roll(state, a);
    let college = |m: &MemberNo| roll.iter().find(|e| e.member == *m).and_then(|e| e.college.as_deref()).unwrap_or("all").to_string();
    let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for m in a.voted.get(&n).into_iter().flat_map(|v| v.keys()) {
        out.entry(college(m)).or_default().0 += 1;
    }
    for (c, t) in a.ballots.get(&n).into_iter().flatten() {
        out.entry(c.clone()).or_default().1 += t.total();
    }
    out.into_iter().map(|(c, (m, k))| (c, m, k)).collect()
}

/// Members on the roll whose convocation has not been recorded as sent.
pub fn pending_convocations(state: &State, a: &Assembly) -> Vec<MemberNo> {
    live_roll(state, a).into_iter().map(|e| e.member).filter(|m| !a.convocations.contains_key(m)).collect()
}

/// How a member on the roll takes part in an assembly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Participation {
    /// Present in person.
    Present,
    /// Present remotely.
    Remote,
    /// Represented by a named holder.
    Represented {
        /// The proxy holder.
        by: MemberNo,
    },
    /// Gave a blank proxy (to the chair).
    BlankProxy,
    /// Voted by post.
    Postal,
    /// Absent.
    Absent,
}

/// How `m` takes part in `a`.
pub fn participation(a: &Assembly, m: MemberNo) -> Participation {
    match (a.present.get(&m), a.postal.contains_key(&m), a.proxies.get(&m)) {
        (Some(true), _, _) => Participation::Remote,
        (Some(false), _, _) => Participation::Present,
        (None, true, _) => Participation::Postal,
        (None, false, Some(Some(h))) => Participation::Represented { by: *h },
        (None, false, Some(None)) => Participation::BlankProxy,
        _ => Participation::Absent,
    }
}

/// The quorum of one kind of resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quorum {
    /// Ordinary or extraordinary.
    pub kind: ResolutionKind,
    /// First (1) or second (2) convocation.
    pub convocation: u8,
    /// Members on the roll.
    pub eligible: usize,
    /// Present, in person or remotely.
    pub present: usize,
    /// Represented by a proxy that will be exercised (holder present, or blank).
    pub represented: usize,
    /// Voted by post in time.
    pub postal: usize,
    /// present + represented + postal.
    pub counted: usize,
    /// The members needed.
    pub required: usize,
    /// The fraction of the roll required.
    pub fraction: Fraction,
    /// Whether the quorum is reached.
    pub reached: bool,
    /// Under a quorum weighted by college: the weighted share of the members counted, as an
    /// exact fraction (what `reached` compares with `fraction`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted_share: Option<String>,
}

fn required(eligible: usize, f: Fraction) -> usize {
    ((eligible as u128 * f.num() as u128).div_ceil(f.den() as u128)) as usize
}

/// Whether a member's proxy will be exercised: blank, or its holder present.
fn proxy_counts(a: &Assembly, holder: &Option<MemberNo>) -> bool {
    match holder {
        None => true,
        Some(h) => a.present.contains_key(h),
    }
}

/// Whether the quorum for `kind` is reached, cheaply when it obviously is: the members counted
/// are compared first with the quorum of the whole register (an upper bound of the roll), and the
/// roll is counted only when that is not enough. Votes call this once each.
pub fn quorum_reached(state: &State, statutes: &Statutes, a: &Assembly, kind: ResolutionKind) -> bool {
    if statutes.assembly.quorum_by_college && !statutes.colleges.is_empty() {
        return quorum(state, statutes, a, kind).reached;
    }
    let fraction = a.quorum_fraction(statutes, kind);
    let bound = required(state.members.len(), fraction);
    // Those present are on the roll (checked when recorded); postal forms carried over from a
    // first convocation may be of members no longer on it.
    let postal = a.postal.keys().filter(|m| on_roll(state, a, **m)).count();
    if a.present.len() + postal >= bound {
        return true;
    }
    let counted = a.present.len() + a.proxies.len() + postal;
    if counted < bound {
        return quorum(state, statutes, a, kind).reached;
    }
    // Maybe: present and represented members are on the roll when recorded, but a named proxy
    // whose holder is absent does not count, and a proxy carried over from a first convocation
    // may be of a member no longer on the roll; check exactly then.
    let absent_holders = a.proxies.iter().any(|(m, h)| !a.present.contains_key(m) && !proxy_counts(a, h));
    if absent_holders || a.second_of.is_some() {
        return quorum(state, statutes, a, kind).reached;
    }
    true
}

/// The quorum per head for one kind of resolution.
pub fn quorum(state: &State, statutes: &Statutes, a: &Assembly, kind: ResolutionKind) -> Quorum {
    // No roll is built for an open assembly: this runs for every vote, and a roll of 100,000
    // members is costly. A closed one's frozen roll is indexed once (not searched per member).
    let frozen: Option<std::collections::BTreeSet<MemberNo>> = a.closed.as_ref().map(|f| f.iter().map(|e| e.member).collect());
    let on_roll = |m: &MemberNo| match &frozen {
        Some(roll) => roll.contains(m),
        None => on_roll(state, a, *m),
    };
    let eligible = match &a.closed {
        Some(frozen) => frozen.len(),
        None => state.members.values().filter(|m| off_roll(m, a).is_none()).count(),
    };
    let present = a.present.keys().filter(|m| on_roll(m)).count();
    let represented = a.proxies.iter().filter(|(m, h)| on_roll(m) && !a.present.contains_key(m) && proxy_counts(a, h)).count();
    let postal = a.postal.keys().filter(|m| on_roll(m)).count();
    let fraction = a.quorum_fraction(statutes, kind);
    let counted = present + represented + postal;
    let req = required(eligible, fraction);
    let weighted = (statutes.assembly.quorum_by_college && !statutes.colleges.is_empty()).then(|| {
        // Each college's members on the roll and counted (present, represented, by post).
        let mut per: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for e in roll(state, a) {
            let m = e.member;
            let counts = a.present.contains_key(&m)
                || a.postal.contains_key(&m)
                || a.proxies.get(&m).is_some_and(|h| !a.present.contains_key(&m) && proxy_counts(a, h));
            let c = per.entry(e.college.map(String::from).unwrap_or_default()).or_default();
            c.0 += 1;
            c.1 += u64::from(counts);
        }
        let weights: Vec<(u32, u64, u64)> = statutes
            .colleges
            .iter()
            .filter_map(|c| per.get(&c.code).filter(|(n, _)| *n > 0).map(|(n, k)| (c.weight_percent.unwrap_or(1), *n, *k)))
            .collect();
        let total: u32 = weights.iter().map(|w| w.0).sum();
        let mut share = Ratio::new(0, 1);
        for (w, n, k) in weights {
            share = share.add(Ratio::new(w as i128, total.max(1) as i128).mul(Ratio::new(k as i128, n as i128)));
        }
        share
    });
    let reached = match weighted {
        Some(share) => share.cmp_fraction(fraction) != std::cmp::Ordering::Less,
        None => counted >= req,
    };
    Quorum {
        kind,
        convocation: a.convocation(),
        eligible,
        present,
        represented,
        postal,
        counted,
        required: req,
        fraction,
        reached,
        weighted_share: weighted.map(|w| w.to_string()),
    }
}

/// An exact non-negative rational, for shares of votes compared with thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

impl Ratio {
    /// `num / den`, reduced; zero when `den` is zero.
    pub fn new(num: i128, den: i128) -> Ratio {
        if den == 0 {
            return Ratio { num: 0, den: 1 };
        }
        let g = gcd(num, den);
        Ratio { num: num / g, den: den / g }
    }
    fn add(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den + o.num * self.den, self.den * o.den)
    }
    fn mul(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.num, self.den * o.den)
    }
    /// Compares with a fraction exactly.
    pub fn cmp_fraction(self, f: Fraction) -> std::cmp::Ordering {
        (self.num * f.den() as i128).cmp(&(f.num() as i128 * self.den))
    }
    /// Whether this share meets a majority rule.
    pub fn meets(self, m: Majority) -> bool {
        let c = self.cmp_fraction(m.threshold);
        if m.strict {
            c == std::cmp::Ordering::Greater
        } else {
            c != std::cmp::Ordering::Less
        }
    }
    /// As a float, for display and JSON.
    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// One college's tally on one resolution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollegeTally {
    /// College code (`all` without colleges).
    pub code: String,
    /// Weight in the statutes, in percent.
    pub weight_percent: f64,
    /// Weight after sharing out the weight of colleges with no vote cast, in percent.
    pub effective_weight_percent: f64,
    /// For.
    pub r#for: u64,
    /// Against.
    pub against: u64,
    /// Abstentions (not votes cast).
    pub abstain: u64,
    /// Blank (not votes cast).
    pub blank: u64,
}

/// The result of one resolution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResolutionResult {
    /// Number from 1.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Ordinary or extraordinary.
    pub kind: ResolutionKind,
    /// Whether the quorum of its kind was reached (if not, it could not be voted on).
    pub quorum_reached: bool,
    /// Whether the chair put it to the vote (false: recorded at closing as not put to the vote;
    /// it is then neither adopted nor rejected).
    #[serde(default = "put_by_default")]
    pub put_to_vote: bool,
    /// Whether it was adopted.
    pub adopted: bool,
    /// Weighted share of *for* among votes cast, in [0, 1].
    pub for_share: f64,
    /// The same share as an exact fraction.
    pub for_share_exact: String,
    /// The majority required.
    pub majority: String,
    /// What the share of *for* is counted among: votes cast, members taking part, or all members.
    #[serde(default)]
    pub majority_base: MajorityBase,
    /// Per college.
    pub colleges: Vec<CollegeTally>,
    /// The colleges whose voices at the meeting were counted by a show of hands (`all` without
    /// colleges); the minutes say so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub show_of_hands: Vec<String>,
}

fn put_by_default() -> bool {
    true
}

/// Whether anyone voted on resolution `n`: at the meeting, or by a direction on a postal form.
/// Blank proxies follow a vote; they are not one.
pub fn voted_on(a: &Assembly, n: u32) -> bool {
    voted_at_meeting(a, n) || a.postal.values().any(|f| f.votes.contains_key(&n))
}

/// Whether a vote on resolution `n` was recorded at the meeting (or, under a secret ballot, a
/// voter marked or ballots counted): then the chair put it to the vote.
pub fn voted_at_meeting(a: &Assembly, n: u32) -> bool {
    a.votes.get(&n).is_some_and(|v| !v.is_empty())
        || a.voted.get(&n).is_some_and(|v| !v.is_empty())
        || a.ballots.get(&n).is_some_and(|b| !b.is_empty())
        || a.hands.get(&n).is_some_and(|h| !h.is_empty())
}

/// The choice counted for each member on the roll on resolution `n`, with how it was expressed.
///
/// Under a secret ballot, the votes cast at the meeting are not known member by member: only
/// postal forms and blank proxies are returned, the rest is in the tellers' counts.
pub fn choices(a: &Assembly, roll: &[RollEntry], n: u32) -> Vec<(MemberNo, Choice)> {
    let Some(res) = a.resolution(n) else { return Vec::new() };
    let recorded = a.votes.get(&n);
    let mut out = Vec::new();
    for e in roll {
        let m = e.member;
        let choice = if a.present.contains_key(&m) {
            recorded.and_then(|v| v.get(&m)).copied()
        } else if let Some(form) = a.postal.get(&m) {
            form.votes.get(&n).copied()
        } else {
            match a.proxies.get(&m) {
                Some(None) => Some(if res.board_approved { Choice::For } else { Choice::Against }),
                Some(Some(h)) if a.present.contains_key(h) => recorded.and_then(|v| v.get(&m)).copied(),
                _ => None,
            }
        };
        if let Some(c) = choice {
            out.push((m, c));
        }
    }
    out
}

/// The results of every resolution, per college and weighted.
pub fn results(state: &State, statutes: &Statutes, a: &Assembly) -> Vec<ResolutionResult> {
    let roll = roll(state, a);
    let college_of: BTreeMap<MemberNo, String> =
        roll.iter().map(|e| (e.member, e.college.as_deref().unwrap_or("all").to_string())).collect();
    let colleges: Vec<(String, u32)> = if statutes.colleges.is_empty() {
        vec![("all".into(), 1)]
    } else {
        statutes.colleges.iter().map(|c| (c.code.clone(), c.weight_percent.unwrap_or(1))).collect()
    };
    let total_weight: u32 = colleges.iter().map(|c| c.1).sum::<u32>().max(1);
    // Per college: the members on the roll, and those taking part (present, represented by a
    // proxy that is exercised, or by post).
    let mut members_of: BTreeMap<String, u64> = BTreeMap::new();
    let mut taking_part: BTreeMap<String, u64> = BTreeMap::new();
    for e in &roll {
        let code = e.college.as_deref().unwrap_or("all").to_string();
        *members_of.entry(code.clone()).or_default() += 1;
        let part = a.present.contains_key(&e.member)
            || a.postal.contains_key(&e.member)
            || a.proxies.get(&e.member).is_some_and(|h| proxy_counts(a, h));
        if part {
            *taking_part.entry(code).or_default() += 1;
        }
    }
    let quorums: BTreeMap<ResolutionKind, bool> = a.kinds().into_iter().map(|k| (k, quorum(state, statutes, a, k).reached)).collect();
    let mut out = Vec::new();
    for (i, res) in a.agenda.iter().enumerate() {
        let n = i as u32 + 1;
        let mut tallies: Vec<CollegeTally> = colleges
            .iter()
            .map(|(code, w)| CollegeTally {
                code: code.clone(),
                weight_percent: *w as f64 * 100.0 / total_weight as f64,
                effective_weight_percent: 0.0,
                r#for: 0,
                against: 0,
                abstain: 0,
                blank: 0,
            })
            .collect();
        let reached = quorums.get(&res.kind).copied().unwrap_or(false);
        if reached {
            for (code, t) in a.ballots.get(&n).into_iter().flatten().chain(a.hands.get(&n).into_iter().flatten()) {
                if let Some(x) = tallies.iter_mut().find(|x| &x.code == code) {
                    x.r#for += t.r#for;
                    x.against += t.against;
                    x.abstain += t.abstain;
                    x.blank += t.blank;
                }
            }
            for (m, c) in choices(a, &roll, n) {
                let code = college_of.get(&m).cloned().unwrap_or_else(|| "all".into());
                if let Some(t) = tallies.iter_mut().find(|t| t.code == code) {
                    match c {
                        Choice::For => t.r#for += 1,
                        Choice::Against => t.against += 1,
                        Choice::Abstain => t.abstain += 1,
                        Choice::Blank => t.blank += 1,
                    }
                }
            }
        }
        let method = statutes.assembly.college_method;
        let resolution_majority = match res.kind {
            ResolutionKind::Ordinary => statutes.assembly.majority_ordinary,
            ResolutionKind::Extraordinary => statutes.assembly.majority_extraordinary,
        };
        let block_inner = resolution_majority;
        let base = statutes.assembly.majority_base(res.kind, a.convocation());
        // Each college's share of *for* is counted among its votes cast, its members taking part,
        // or all its members on the roll, as the statutes' majority base says.
        let base_of = |t: &CollegeTally| -> u64 {
            match base {
                MajorityBase::Cast => t.r#for + t.against,
                MajorityBase::Present => taking_part.get(&t.code).copied().unwrap_or(0).max(t.r#for + t.against),
                MajorityBase::Members => members_of.get(&t.code).copied().unwrap_or(0).max(t.r#for + t.against),
            }
        };
        let voting_weight: u32 = colleges.iter().zip(&tallies).filter(|(_, t)| base_of(t) > 0).map(|(c, _)| c.1).sum();
        let mut share = Ratio::new(0, 1);
        for ((_, w), t) in colleges.iter().zip(tallies.iter_mut()) {
            let counted = base_of(t);
            if counted == 0 || voting_weight == 0 {
                continue;
            }
            let weight = Ratio::new(*w as i128, voting_weight as i128);
            t.effective_weight_percent = weight.as_f64() * 100.0;
            let inner = match method {
                CollegeMethod::Proportional => Ratio::new(t.r#for as i128, counted as i128),
                // The college is for when its own share of for meets the resolution's majority.
                CollegeMethod::Block => Ratio::new(i128::from(Ratio::new(t.r#for as i128, counted as i128).meets(block_inner)), 1),
                CollegeMethod::Majority => match t.r#for.cmp(&(counted - t.r#for)) {
                    std::cmp::Ordering::Greater => Ratio::new(1, 1),
                    std::cmp::Ordering::Less => Ratio::new(0, 1),
                    std::cmp::Ordering::Equal => Ratio::new(1, 2),
                },
            };
            share = share.add(weight.mul(inner));
        }
        // Under a block vote, the colleges for it must weigh the statutes' threshold.
        let majority = match (method, statutes.assembly.college_block_threshold) {
            (CollegeMethod::Block, Some(threshold)) => Majority { strict: false, threshold },
            _ => resolution_majority,
        };
        let put_to_vote = !a.not_put_to_vote.contains(&n);
        let adopted = put_to_vote && reached && voting_weight > 0 && share.meets(majority);
        out.push(ResolutionResult {
            number: n,
            title: res.title.clone(),
            kind: res.kind,
            quorum_reached: reached,
            put_to_vote,
            adopted,
            for_share: share.as_f64(),
            for_share_exact: share.to_string(),
            majority: majority.to_string(),
            majority_base: base,
            colleges: tallies,
            show_of_hands: a.hands.get(&n).map(|h| h.keys().cloned().collect()).unwrap_or_default(),
        });
    }
    out
}
