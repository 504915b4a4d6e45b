//! The involvement report: who takes part in which project on a date, and who in none; rates
//! by college and category; the pipeline funnel.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Participant, Stage};
use crate::state::{Member, State};
use crate::units::MemberNo;

/// Members and involvement in one group (college or category).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupRate {
    /// College or category code.
    pub code: String,
    /// Current members in the group.
    pub members: usize,
    /// Of whom involved in at least one active project.
    pub involved: usize,
    /// involved / members, in [0, 1].
    pub rate: f64,
}

/// Members and partners of one project.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectCount {
    /// Slug.
    pub slug: String,
    /// Stage on the date.
    pub stage: Stage,
    /// Members taking part.
    pub members: usize,
    /// Partners who are not members taking part.
    pub partners: usize,
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

#[cfg(test)]
#[test]
fn the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
    assert_eq!(median(&[50, 89, 134, 205]), Some(111.5));
    assert_eq!(median(&[10, 20]), Some(15.0));
    assert_eq!(median(&[3, 7, 40]), Some(7.0));
    assert_eq!(median(&[]), None);
}

/// One stage of the pipeline funnel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunnelStage {
    /// Stage.
    pub stage: Stage,
    /// Projects at this stage on the date.
    pub projects: usize,
    /// Projects that have been through (or are at) this stage by the date.
    pub reached: usize,
    /// Median days spent in this stage by projects that left it (of an even count, the mean of
    /// the two middle values: 111.5 for 50, 89, 134 and 205).
    pub median_days_completed: Option<f64>,
    /// Days spent in the stage by each project that has been in it (to the date if still there).
    pub days: BTreeMap<String, i64>,
}

/// The involvement report: who takes part in which project, and who in none.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Involvement {
    /// The date.
    pub date: NaiveDate,
    /// Current members on the date.
    pub members: usize,
    /// Members involved in at least one active project.
    pub involved: usize,
    /// involved / members.
    pub rate: f64,
    /// Numbers of the members involved in no active project.
    pub not_involved: Vec<MemberNo>,
    /// By college.
    pub by_college: Vec<GroupRate>,
    /// By category.
    pub by_category: Vec<GroupRate>,
    /// Per project (started by the date), in slug order.
    pub by_project: Vec<ProjectCount>,
    /// The pipeline funnel.
    pub funnel: Vec<FunnelStage>,
}

/// The involvement report at the end of `date`, over the members of `state`.
pub fn involvement(state: &State, date: NaiveDate) -> Involvement {
    involvement_in(&state.members, state, date)
}

/// What the involvement report needs to know of a member on a date, from a roll borrowed for
/// `'r` (a member of a state, or a row of a compact roll and the codes it points into).
pub trait Standing<'r>: Copy {
    /// Register number.
    fn number(self) -> MemberNo;
    /// Whether it is a member at the end of `date`.
    fn member_on(self, date: NaiveDate) -> bool;
    /// Its category at the end of `date`.
    fn category_on(self, date: NaiveDate) -> &'r str;
}

impl<'r> Standing<'r> for &'r Member {
    fn number(self) -> MemberNo {
        self.number
    }
    fn member_on(self, date: NaiveDate) -> bool {
        Member::member_on(self, date)
    }
    fn category_on(self, date: NaiveDate) -> &'r str {
        Member::category_on(self, date)
    }
}

/// Every member's standing by register number: the members of a state, or a compact copy of
/// them a store keeps so that a report need not read every member's shares.
pub trait Roll {
    /// One member's standing, as the roll gives it (a reference, or a small view).
    type Entry<'r>: Standing<'r>
    where
        Self: 'r;
    /// Member `n`'s standing, if it is in the register.
    fn standing(&self, n: MemberNo) -> Option<Self::Entry<'_>>;
    /// Every member's standing, in register order.
    fn standings(&self) -> impl Iterator<Item = Self::Entry<'_>>;
}

impl Roll for BTreeMap<MemberNo, Member> {
    type Entry<'r> = &'r Member;
    fn standing(&self, n: MemberNo) -> Option<&Member> {
        self.get(&n)
    }
    fn standings(&self) -> impl Iterator<Item = &Member> {
        self.values()
    }
}

/// The involvement report at the end of `date`, with the members' standings read from `roll`
/// (the projects and the statutes from `state`): equal to [`involvement`] on a state whose
/// members are those of the roll.
pub fn involvement_in(roll: &impl Roll, state: &State, date: NaiveDate) -> Involvement {
    // The members with a spell on the date in a project active then (a set of register
    // numbers), before the members are read: the roll is then read once, in order, and never
    // searched member by member (each search missed the cache, a third of the report's time).
    let mut taking_part = NumberSet::default();
    for p in state.projects.values() {
        if p.stage_on(date).is_some_and(|stage| !stage.is_end()) {
            for s in p.spells.iter().filter(|s| s.on(date)) {
                if let Participant::Member(n) = s.who {
                    taking_part.insert(n);
                }
            }
        }
    }
    let rate = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    // One pass over the members: (members, involved) by category and by college, and who is a
    // member on the date.
    let statutes = state.statutes.as_ref();
    let college_of: BTreeMap<&str, Option<&str>> =
        statutes.map(|s| s.categories.iter().map(|c| (c.code.as_str(), c.college.as_deref())).collect()).unwrap_or_default();
    let mut categories = Categories::default();
    let (mut members, mut involved_members) = (0, 0);
    let mut not_involved = Vec::new();
    let mut on_date = NumberSet::default();
    for m in roll.standings().filter(|m| m.member_on(date)) {
        members += 1;
        on_date.insert(m.number());
        let inv = usize::from(taking_part.contains(m.number()));
        involved_members += inv;
        if inv == 0 {
            not_involved.push(m.number());
        }
        let c = categories.counts(m.category_on(date));
        c.0 += 1;
        c.1 += inv;
    }
    // Per project started by the date: its spells on the date of members (members then) and of
    // partners.
    let mut by_project = Vec::new();
    for p in state.projects.values() {
        let Some(stage) = p.stage_on(date) else { continue };
        let (mut members, mut partners) = (0, 0);
        for s in p.spells.iter().filter(|s| s.on(date)) {
            match s.who {
                Participant::Member(n) => members += usize::from(on_date.contains(n)),
                Participant::Partner(_) => partners += 1,
            }
        }
        by_project.push(ProjectCount { slug: p.slug.clone(), stage, members, partners });
    }
    let mut by_cat: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut by_col: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (category, (n, inv)) in categories.0 {
        let c = by_cat.entry(category).or_default();
        c.0 += n;
        c.1 += inv;
        if let Some(Some(college)) = college_of.get(category) {
            let c = by_col.entry(college).or_default();
            c.0 += n;
            c.1 += inv;
        }
    }
    let group = |counts: &BTreeMap<&str, (usize, usize)>, order: Vec<String>| -> Vec<GroupRate> {
        order
            .into_iter()
            .map(|code| {
                let (n, inv) = counts.get(code.as_str()).copied().unwrap_or_default();
                GroupRate { code, members: n, involved: inv, rate: rate(inv, n) }
            })
            .collect()
    };
    let colleges: Vec<String> = statutes.map(|s| s.colleges.iter().map(|c| c.code.clone()).collect()).unwrap_or_default();
    let categories: Vec<String> = statutes.map(|s| s.categories.iter().map(|c| c.code.clone()).collect()).unwrap_or_default();
    Involvement {
        date,
        members,
        involved: involved_members,
        rate: rate(involved_members, members),
        not_involved,
        by_college: group(&by_col, colleges),
        by_category: group(&by_cat, categories),
        by_project,
        funnel: funnel(state, date),
    }
}

/// (members, involved) by category code, as met: a handful of codes, found by the address of
/// the code first (a roll shares one string per code among its members), then by its text.
#[derive(Default)]
struct Categories<'a>(Vec<(&'a str, (usize, usize))>);

impl<'a> Categories<'a> {
    fn counts(&mut self, code: &'a str) -> &mut (usize, usize) {
        let found = self.0.iter().position(|(c, _)| std::ptr::eq(*c, code)).or_else(|| self.0.iter().position(|(c, _)| *c == code));
        let i = found.unwrap_or_else(|| {
            self.0.push((code, (0, 0)));
            self.0.len() - 1
        });
        &mut self.0[i].1
    }
}

/// A set of register numbers, one bit each (numbers are dense: they are given in order).
#[derive(Default)]
struct NumberSet(Vec<u64>);

impl NumberSet {
    fn insert(&mut self, n: MemberNo) {
        let (word, bit) = ((n.0 / 64) as usize, n.0 % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, n: MemberNo) -> bool {
        self.0.get((n.0 / 64) as usize).is_some_and(|w| w & (1 << (n.0 % 64)) != 0)
    }
}

/// Projects per stage on `date`, and how long each stayed in each stage.
pub fn funnel(state: &State, date: NaiveDate) -> Vec<FunnelStage> {
    Stage::ALL
        .into_iter()
        .map(|stage| {
            let mut days = BTreeMap::new();
            let mut completed = Vec::new();
            let mut projects = 0;
            for p in state.projects.values() {
                let stages: Vec<&(NaiveDate, Stage)> = p.stages.iter().filter(|(d, _)| *d <= date).collect();
                if stages.last().map(|(_, s)| *s) == Some(stage) {
                    projects += 1;
                }
                for (i, (from, s)) in stages.iter().enumerate() {
                    if *s != stage || stage.is_end() {
                        continue;
                    }
                    let until = stages.get(i + 1).map(|(d, _)| *d);
                    let spent = (until.unwrap_or(date) - *from).num_days();
                    days.insert(p.slug.clone(), spent);
                    if until.is_some() {
                        completed.push(spent);
                    }
                }
            }
            let reached = state
                .projects
                .values()
                .filter(|p| p.stages.iter().any(|(d, s)| *d <= date && (*s == stage || (!s.is_end() && !stage.is_end() && *s > stage))))
                .count();
            completed.sort_unstable();
            let median = median(&completed);
            FunnelStage { stage, projects, reached, median_days_completed: median, days }
        })
        .collect()
}
