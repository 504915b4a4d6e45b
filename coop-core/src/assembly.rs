//! General assemblies: agenda, voting roll, attendance, proxies, postal votes, quorum and
//! college-weighted results. Pure functions over the state; the rules that refuse commands are
//! in `decide.rs`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::state::State;
use crate::statutes::{CollegeMethod, Problem, Reader, Statutes};
use crate::units::{Fraction, Majority, MemberNo};

/// At most this many resolutions on one agenda.
pub const MAX_RESOLUTIONS: usize = 1000;

/// Ordinary or extraordinary: sets the quorum and the majority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionKind {
    /// Accounts, board, ordinary business: simple majority by default.
    Ordinary,
    /// Statutes, capital rules, exclusion, dissolution: two thirds by default.
    Extraordinary,
}

impl ResolutionKind {
    /// `ordinary` or `extraordinary`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionKind::Ordinary => "ordinary",
            ResolutionKind::Extraordinary => "extraordinary",
        }
    }
    /// Parses `ordinary` or `extraordinary`.
    pub fn parse(s: &str) -> Option<ResolutionKind> {
        match s.trim() {
            "ordinary" => Some(ResolutionKind::Ordinary),
            "extraordinary" => Some(ResolutionKind::Extraordinary),
            _ => None,
        }
    }
}

/// One resolution of an agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// What is put to the vote.
    pub title: String,
    /// Ordinary or extraordinary.
    pub kind: ResolutionKind,
    /// Whether the board approved it (a blank proxy votes for it if so, against otherwise).
    pub board_approved: bool,
}

/// A member's choice on a resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// For.
    For,
    /// Against.
    Against,
    /// Abstention: not a vote cast.
    Abstain,
    /// Blank: not a vote cast.
    Blank,
}

impl Choice {
    /// Parses `for`, `against`, `abstain` or `blank`.
    pub fn parse(s: &str) -> Option<Choice> {
        match s.trim() {
            "for" | "pour" => Some(Choice::For),
            "against" | "contre" => Some(Choice::Against),
            "abstain" | "abstention" => Some(Choice::Abstain),
            "blank" | "blanc" => Some(Choice::Blank),
            _ => None,
        }
    }
    /// The choice as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::For => "for",
            Choice::Against => "against",
            Choice::Abstain => "abstain",
            Choice::Blank => "blank",
        }
    }
}

/// Reads an agenda file: `[[resolution]]` tables with `title`, `kind`, `board_approved`.
/// Returns every problem at once, with lines.
pub fn parse_agenda(text: &str) -> Result<Vec<Resolution>, Vec<Problem>> {
    let mut r = Reader::new(text);
    let Some(doc) = r.parse() else { return r.finish(None) };
    let root = doc.as_table();
    r.unknown_keys(root, &["resolution"], "the agenda");
    let tables = r.tables(root, "resolution");
    if tables.len() > MAX_RESOLUTIONS {
        r.problem(None, format!("the agenda has {} resolutions; at most {MAX_RESOLUTIONS} are accepted", tables.len()));
        return r.finish(None);
    }
    let tables_empty = tables.is_empty();
    let mut out = Vec::new();
    for t in tables {
        let w = "a [[resolution]]";
        r.unknown_keys(t, &["title", "kind", "board_approved"], w);
        let title = r.string(t, "title", w, true);
        let kind_span = t.get("kind").and_then(|i| i.span());
        let kind = match r.string(t, "kind", w, true) {
            Some(k) => match ResolutionKind::parse(&k) {
                Some(k) => Some(k),
                None => {
                    r.problem(kind_span, format!("kind '{k}' is not ordinary or extraordinary"));
                    None
                }
            },
            None => None,
        };
        let board_approved = r.boolean(t, "board_approved", w).unwrap_or(true);
        if let Some(title) = &title {
            if title.trim().is_empty() || title.chars().count() > 500 {
                r.problem(t.span(), "a resolution's title must be 1 to 500 characters");
            }
        }
        if let (Some(title), Some(kind)) = (title, kind) {
            out.push(Resolution { title: title.trim().to_string(), kind, board_approved });
        }
    }
    if tables_empty {
        r.problem(None, "the agenda has no resolution: add [[resolution]] tables with title and kind");
    }
    r.finish(Some(out))
}

/// A postal voting form as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalForm {
    /// When it was received.
    pub received: NaiveDate,
    /// Its directions, by resolution number (missing: no direction, not a vote cast).
    pub votes: BTreeMap<u32, Choice>,
}

/// The assembly's officers (bureau).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officers {
    /// Who chairs.
    pub chair: MemberNo,
    /// Who keeps the minutes.
    pub secretary: MemberNo,
    /// Tellers (scrutateurs).
    pub scrutineers: Vec<MemberNo>,
}

/// One line of the voting roll.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollEntry {
    /// Member number.
    pub member: MemberNo,
    /// Category on the assembly's date.
    pub category: String,
    /// College on the assembly's date (none without colleges).
    pub college: Option<String>,
}

/// A general assembly and everything recorded for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assembly {
    /// Slug, e.g. `ago-2026`.
    pub slug: String,
    /// Ordinary or extraordinary assembly (its agenda may mix both kinds of resolution).
    pub kind: ResolutionKind,
    /// Date of the meeting.
    pub date: NaiveDate,
    /// Where.
    pub place: String,
    /// The resolutions, numbered from 1.
    pub agenda: Vec<Resolution>,
    /// The first convocation this one follows, which lacked quorum.
    pub second_of: Option<String>,
    /// When it was convened (the notice runs from this date).
    pub convened_on: NaiveDate,
    /// When each member's convocation was sent.
    pub convocations: BTreeMap<MemberNo, NaiveDate>,
    /// Members present, and whether remotely.
    pub present: BTreeMap<MemberNo, bool>,
    /// Proxies: delegator to holder (`None`: a blank proxy, given to the chair).
    pub proxies: BTreeMap<MemberNo, Option<MemberNo>>,
    /// Postal voting forms received in time.
    pub postal: BTreeMap<MemberNo, PostalForm>,
    /// Votes recorded at the meeting, by resolution number then member.
    pub votes: BTreeMap<u32, BTreeMap<MemberNo, Choice>>,
    /// The officers, once appointed.
    pub officers: Option<Officers>,
    /// Under a secret ballot: who voted on each resolution (and by whom, for a proxy).
    #[serde(default)]
    pub voted: BTreeMap<u32, BTreeMap<MemberNo, Option<MemberNo>>>,
    /// Under a secret ballot: ballots counted per resolution and college (`all` without colleges).
    #[serde(default)]
    pub ballots: BTreeMap<u32, BTreeMap<String, crate::event::BallotTally>>,
    /// The voting roll frozen at closing; `None` while open.
    pub closed: Option<Vec<RollEntry>>,
    /// Date of closing.
    pub closed_on: Option<NaiveDate>,
}

impl Assembly {
    /// Whether this is a second convocation.
    pub fn convocation(&self) -> u8 {
        if self.second_of.is_some() {
            2
        } else {
            1
        }
    }
    /// The resolution numbered `n` (from 1).
    pub fn resolution(&self, n: u32) -> Option<&Resolution> {
        (n as usize).checked_sub(1).and_then(|i| self.agenda.get(i))
    }
    /// The kinds of resolution on the agenda, ordinary first.
    pub fn kinds(&self) -> Vec<ResolutionKind> {
        let mut k: Vec<ResolutionKind> = self.agenda.iter().map(|r| r.kind).collect();
        k.sort();
        k.dedup();
        k
    }
    /// The last day a postal voting form may be received.
    pub fn postal_deadline(&self, statutes: &Statutes) -> NaiveDate {
        self.date - chrono::Days::new(statutes.assembly.postal_days_before as u64)
    }

    /// The fraction of the roll the quorum of `kind` requires, on this convocation.
    pub fn quorum_fraction(&self, statutes: &Statutes, kind: ResolutionKind) -> Fraction {
        let pair = match kind {
            ResolutionKind::Ordinary => statutes.assembly.quorum_ordinary,
            ResolutionKind::Extraordinary => statutes.assembly.quorum_extraordinary,
        };
        pair[(self.convocation() - 1) as usize]
    }

    /// Proxies held by `holder`.
    pub fn held_by(&self, holder: MemberNo) -> usize {
        self.proxies.values().filter(|h| **h == Some(holder)).count()
    }
}

/// The voting roll: members on the assembly's date with their college then (frozen at closing).
pub fn roll(state: &State, a: &Assembly) -> Vec<RollEntry> {
    if let Some(frozen) = &a.closed {
        return frozen.clone();
    }
    live_roll(state, a.date)
}

/// Whether member `m` is on the assembly's roll (without building the roll).
pub fn on_roll(state: &State, a: &Assembly, m: MemberNo) -> bool {
    match &a.closed {
        Some(frozen) => frozen.iter().any(|e| e.member == m),
        None => state.members.get(&m).is_some_and(|x| x.member_on(a.date)),
    }
}

/// The voting roll computed from the register at the end of `date`.
pub fn live_roll(state: &State, date: NaiveDate) -> Vec<RollEntry> {
    let statutes = state.statutes.as_ref();
    state
        .members
        .values()
        // A member flagged as having lost the quality of its category keeps no vote in its
        // college until it moves to a category it fits (or its membership ends).
        .filter(|m| m.member_on(date) && m.flagged_since.is_none_or(|f| f > date))
        .map(|m| {
            let category = m.category_on(date).to_string();
            let college = statutes.and_then(|s| s.category(&category)).and_then(|c| c.college.clone());
            RollEntry { member: m.number, category, college }
        })
        .collect()
}

/// Under a secret ballot: voters marked and ballots counted per college on resolution `n`, as
/// (college, marked, counted); colleges are `all` without colleges.
pub fn ballot_check(state: &State, a: &Assembly, n: u32) -> Vec<(String, u64, u64)> {
    let roll = roll(state, a);
    let college = |m: &MemberNo| roll.iter().find(|e| e.member == *m).and_then(|e| e.college.clone()).unwrap_or_else(|| "all".into());
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
    live_roll(state, a.date).into_iter().map(|e| e.member).filter(|m| !a.convocations.contains_key(m)).collect()
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
    let fraction = a.quorum_fraction(statutes, kind);
    let bound = required(state.members.len(), fraction);
    if a.present.len() + a.postal.len() >= bound {
        // Those present and those who voted by post are on the roll: enough without proxies.
        return true;
    }
    let counted = a.present.len() + a.proxies.len() + a.postal.len();
    if counted < bound {
        return quorum(state, statutes, a, kind).reached;
    }
    // Maybe: present, represented and postal members are all on the roll when recorded, but a
    // named proxy whose holder is absent does not count; check exactly then.
    let absent_holders = a.proxies.iter().any(|(m, h)| !a.present.contains_key(m) && !proxy_counts(a, h));
    if absent_holders {
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
        None => state.members.values().filter(|m| m.member_on(a.date)).count(),
    };
    let present = a.present.keys().filter(|m| on_roll(m)).count();
    let represented = a.proxies.iter().filter(|(m, h)| on_roll(m) && !a.present.contains_key(m) && proxy_counts(a, h)).count();
    let postal = a.postal.keys().filter(|m| on_roll(m)).count();
    let fraction = a.quorum_fraction(statutes, kind);
    let counted = present + represented + postal;
    let req = required(eligible, fraction);
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
        reached: counted >= req,
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
    /// Whether it was adopted.
    pub adopted: bool,
    /// Weighted share of *for* among votes cast, in [0, 1].
    pub for_share: f64,
    /// The same share as an exact fraction.
    pub for_share_exact: String,
    /// The majority required.
    pub majority: String,
    /// Per college.
    pub colleges: Vec<CollegeTally>,
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
        roll.iter().map(|e| (e.member, e.college.clone().unwrap_or_else(|| "all".into()))).collect();
    let colleges: Vec<(String, u32)> = if statutes.colleges.is_empty() {
        vec![("all".into(), 1)]
    } else {
        statutes.colleges.iter().map(|c| (c.code.clone(), c.weight_percent.unwrap_or(1))).collect()
    };
    let total_weight: u32 = colleges.iter().map(|c| c.1).sum::<u32>().max(1);
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
            for (code, t) in a.ballots.get(&n).into_iter().flatten() {
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
        let voting_weight: u32 = colleges.iter().zip(&tallies).filter(|(_, t)| t.r#for + t.against > 0).map(|(c, _)| c.1).sum();
        let mut share = Ratio::new(0, 1);
        for ((_, w), t) in colleges.iter().zip(tallies.iter_mut()) {
            let cast = t.r#for + t.against;
            if cast == 0 || voting_weight == 0 {
                continue;
            }
            let weight = Ratio::new(*w as i128, voting_weight as i128);
            t.effective_weight_percent = weight.as_f64() * 100.0;
            let inner = match method {
                CollegeMethod::Proportional => Ratio::new(t.r#for as i128, cast as i128),
                CollegeMethod::Majority => match t.r#for.cmp(&t.against) {
                    std::cmp::Ordering::Greater => Ratio::new(1, 1),
                    std::cmp::Ordering::Less => Ratio::new(0, 1),
                    std::cmp::Ordering::Equal => Ratio::new(1, 2),
                },
            };
            share = share.add(weight.mul(inner));
        }
        let majority = match res.kind {
            ResolutionKind::Ordinary => statutes.assembly.majority_ordinary,
            ResolutionKind::Extraordinary => statutes.assembly.majority_extraordinary,
        };
        let adopted = reached && voting_weight > 0 && share.meets(majority);
        out.push(ResolutionResult {
            number: n,
            title: res.title.clone(),
            kind: res.kind,
            quorum_reached: reached,
            adopted,
            for_share: share.as_f64(),
            for_share_exact: share.to_string(),
            majority: majority.to_string(),
            colleges: tallies,
        });
    }
    out
}
