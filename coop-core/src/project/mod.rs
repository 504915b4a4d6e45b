//! Cooperative projects and who takes part in them: the territorial R&D pipeline of a
//! cooperation hub, and the involvement of members (and partners who are not members).
//!
//! Everything about a project carries a date and the facts of one project are recorded in date
//! order, so "as of D" is answered from the current state without replaying the log.

mod decide;
mod involvement;
#[cfg(test)]
mod tests;

pub use involvement::{funnel, involvement, involvement_in, FunnelStage, GroupRate, Involvement, ProjectCount, Roll, Standing};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::state::State;
use crate::units::{MemberNo, PartyId};

/// A stage of the territorial R&D pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// A problem surfaced (at a public event, by a member).
    Idea,
    /// The opportunity is being qualified.
    Qualification,
    /// A prototype is tested with users.
    Prototype,
    /// The activity is being launched.
    Launch,
    /// The activity runs.
    Running,
    /// The activity left the cooperative to stand on its own (end).
    SpunOff,
    /// Given up (end).
    Abandoned,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 7] =
        [Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch, Stage::Running, Stage::SpunOff, Stage::Abandoned];

    /// The stage as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Idea => "idea",
            Stage::Qualification => "qualification",
            Stage::Prototype => "prototype",
            Stage::Launch => "launch",
            Stage::Running => "running",
            Stage::SpunOff => "spun-off",
            Stage::Abandoned => "abandoned",
        }
    }
    /// Parses a stage name.
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s.trim())
    }
    /// Whether the project has ended at this stage.
    pub fn is_end(self) -> bool {
        matches!(self, Stage::SpunOff | Stage::Abandoned)
    }
    /// The stage that follows in the pipeline, if any (ends aside).
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Idea => Some(Stage::Qualification),
            Stage::Qualification => Some(Stage::Prototype),
            Stage::Prototype => Some(Stage::Launch),
            Stage::Launch => Some(Stage::Running),
            _ => None,
        }
    }
}

/// A role in a project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectRole {
    /// Leads the project.
    Lead,
    /// Contributes work.
    Contributor,
    /// Tests the prototype or service.
    Tester,
    /// Funds it.
    Funder,
    /// A partner organisation.
    Partner,
    /// Mentors the team.
    Mentor,
}

impl ProjectRole {
    /// Every role.
    pub const ALL: [ProjectRole; 6] =
        [ProjectRole::Lead, ProjectRole::Contributor, ProjectRole::Tester, ProjectRole::Funder, ProjectRole::Partner, ProjectRole::Mentor];
    /// The role as typed.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectRole::Lead => "lead",
            ProjectRole::Contributor => "contributor",
            ProjectRole::Tester => "tester",
            ProjectRole::Funder => "funder",
            ProjectRole::Partner => "partner",
            ProjectRole::Mentor => "mentor",
        }
    }
    /// Parses a role name.
    pub fn parse(s: &str) -> Option<ProjectRole> {
        ProjectRole::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// Who takes part: a member, or a partner who is not a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Participant {
    /// A member, by number.
    Member(MemberNo),
    /// A partner, by party id (its name is personal data, kept beside the log).
    Partner(#[serde(with = "crate::party_id")] PartyId),
}

impl Participant {
    /// The member number, for a member.
    pub fn member(self) -> Option<MemberNo> {
        match self {
            Participant::Member(n) => Some(n),
            Participant::Partner(_) => None,
        }
    }

    /// The party id, for a partner.
    pub fn partner(self) -> Option<PartyId> {
        match self {
            Participant::Partner(id) => Some(id),
            Participant::Member(_) => None,
        }
    }
}

/// One spell of taking part in a project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spell {
    /// Who.
    pub who: Participant,
    /// Joined on.
    #[serde(with = "crate::day")]
    pub joined: NaiveDate,
    /// Left on, if they left.
    #[serde(with = "crate::day::opt")]
    pub left: Option<NaiveDate>,
    /// Roles over time: (from date, role).
    #[serde(with = "crate::day::pairs")]
    pub roles: Vec<(NaiveDate, ProjectRole)>,
}

impl Spell {
    /// Whether the spell covers the end of `date`.
    pub fn on(&self, date: NaiveDate) -> bool {
        self.joined <= date && self.left.is_none_or(|l| l > date)
    }
    /// The role at the end of `date`.
    pub fn role_on(&self, date: NaiveDate) -> ProjectRole {
        self.roles.iter().rev().find(|(d, _)| *d <= date).or(self.roles.first()).map_or(ProjectRole::Contributor, |(_, r)| *r)
    }
    /// The current (last) role.
    pub fn role(&self) -> ProjectRole {
        self.roles.last().map_or(ProjectRole::Contributor, |(_, r)| *r)
    }
}

/// A cooperative project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Slug, e.g. `bouteilles`.
    pub slug: String,
    /// Name.
    pub name: String,
    /// What it is about.
    pub description: String,
    /// Start date.
    #[serde(with = "crate::day")]
    pub created: NaiveDate,
    /// Stages over time: (from date, stage), in order.
    #[serde(with = "crate::day::pairs")]
    pub stages: Vec<(NaiveDate, Stage)>,
    /// Every spell of participation, in order of joining.
    pub spells: Vec<Spell>,
    /// The latest date of any fact about the project.
    #[serde(with = "crate::day")]
    pub last_date: NaiveDate,
}

impl Project {
    /// The stage at the end of `date` (`None` before the project started).
    pub fn stage_on(&self, date: NaiveDate) -> Option<Stage> {
        self.stages.iter().rev().find(|(d, _)| *d <= date).map(|(_, s)| *s)
    }
    /// The current stage.
    pub fn stage(&self) -> Stage {
        self.stages.last().map_or(Stage::Idea, |(_, s)| *s)
    }
    /// Whether the project is active (started and not ended) at the end of `date`.
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.stage_on(date).is_some_and(|s| !s.is_end())
    }
    /// The open spell of `who`, if it takes part now.
    pub fn current_spell(&self, who: Participant) -> Option<&Spell> {
        self.spells.iter().rev().find(|s| s.who == who && s.left.is_none())
    }
}

/// A participant of a project on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParticipantRow {
    /// Who.
    pub who: Participant,
    /// Role on that date.
    pub role: ProjectRole,
    /// Since when it takes part (this spell).
    pub since: NaiveDate,
    /// College of the member on that date (members only).
    pub college: Option<String>,
}

/// The members and partners taking part in `p` at the end of `date`. A member whose membership
/// has ended by then no longer counts.
pub fn participants(state: &State, p: &Project, date: NaiveDate) -> (Vec<ParticipantRow>, Vec<ParticipantRow>) {
    let mut members = Vec::new();
    let mut partners = Vec::new();
    if p.stage_on(date).is_none() {
        return (members, partners);
    }
    for s in p.spells.iter().filter(|s| s.on(date)) {
        match s.who {
            Participant::Member(n) => {
                let Some(m) = state.members.get(&n) else { continue };
                if !m.member_on(date) {
                    continue;
                }
                let college = crate::projection::college_of(state, m.category_on(date));
                members.push(ParticipantRow { who: s.who, role: s.role_on(date), since: s.joined, college });
            }
            Participant::Partner(_) => partners.push(ParticipantRow { who: s.who, role: s.role_on(date), since: s.joined, college: None }),
        }
    }
    (members, partners)
}

/// One line of a member's involvement history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvolvementLine {
    /// Project slug.
    pub project: String,
    /// Role (the last one in the spell, up to `date`).
    pub role: ProjectRole,
    /// Joined on.
    pub joined: NaiveDate,
    /// Left on (`None`: still taking part on `date`).
    pub left: Option<NaiveDate>,
    /// Whether the member counts as involved through it on `date` (spell open, project
    /// active, membership current).
    pub active: bool,
}

/// Every spell of member `n` in any project, up to `date`.
pub fn member_projects(state: &State, n: MemberNo, date: NaiveDate) -> Vec<InvolvementLine> {
    let member_on = state.members.get(&n).is_some_and(|m| m.member_on(date));
    let mut out = Vec::new();
    for p in state.projects.values() {
        for s in p.spells.iter().filter(|s| s.who == Participant::Member(n) && s.joined <= date) {
            let left = s.left.filter(|l| *l <= date);
            out.push(InvolvementLine {
                project: p.slug.clone(),
                role: s.role_on(date),
                joined: s.joined,
                left,
                active: left.is_none() && member_on && p.active_on(date),
            });
        }
    }
    out.sort_by(|a, b| (a.joined, &a.project).cmp(&(b.joined, &b.project)));
    out
}
