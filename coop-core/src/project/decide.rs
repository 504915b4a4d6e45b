//! The rules of cooperative projects: creating one, moving it through its stages, who joins,
//! changes role and leaves.

use super::{Participant, Project, ProjectRole, Stage};
use crate::command::Who;
use crate::decide::{refuse, valid_slug, Context, Decider, Refusal, Rule};
use crate::event::Event;
use crate::units::MemberNo;

fn who_label(who: Participant) -> String {
    match who {
        Participant::Member(n) => format!("member {n}"),
        Participant::Partner(id) => format!("partner {id}"),
    }
}

impl<'a> Decider<'a> {
    pub(crate) fn project(&self, slug: &str) -> Result<&'a Project, Refusal> {
        if let (None, Some(later)) = (self.state.projects.get(slug), self.now.projects.get(slug)) {
            return refuse(
                Rule::DateBeforeHistory,
                format!("project {slug} started on {}; a fact about it cannot be dated {}", later.created, self.date),
            );
        }
        let p = self.state.projects.get(slug).ok_or_else(|| {
            let known: Vec<&str> = self.state.projects.keys().map(String::as_str).collect();
            Refusal {
                rule: Rule::UnknownProject,
                message: format!(
                    "project '{slug}' is not in the log (projects: {})",
                    if known.is_empty() { "none yet".to_string() } else { known.join(", ") }
                ),
            }
        })?;
        if self.date < p.last_date {
            return refuse(
                Rule::DateBeforeHistory,
                format!("project {slug} has a fact recorded on {}; a later fact cannot be dated {}", p.last_date, self.date),
            );
        }
        Ok(p)
    }

    pub(crate) fn create_project(&self, slug: &str, name: &str, description: &str, stage: Option<Stage>) -> Result<Vec<Event>, Refusal> {
        valid_slug(slug, "a project", "bouteilles")?;
        if self.now.projects.contains_key(slug) || self.state.projects.contains_key(slug) {
            return refuse(Rule::ProjectExists, format!("a project '{slug}' already exists: choose another slug"));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return refuse(Rule::InvalidValue, "a project's name must be 1 to 200 printable characters");
        }
        if description.chars().count() > 5000 {
            return refuse(Rule::InvalidValue, "a project's description is at most 5,000 characters");
        }
        let stage = stage.unwrap_or(Stage::Idea);
        if stage.is_end() {
            return refuse(Rule::StageOrder, format!("a project cannot start at the end stage '{}'", stage.as_str()));
        }
        Ok(vec![Event::ProjectCreated {
            project: slug.to_string(),
            name: name.to_string(),
            description: description.trim().to_string(),
            stage,
        }])
    }

    pub(crate) fn move_project(&self, slug: &str, to: Stage) -> Result<Vec<Event>, Refusal> {
        let p = self.project(slug)?;
        let from = p.stage();
        if from.is_end() {
            return refuse(Rule::StageOrder, format!("project {slug} ended ({}): nothing comes back from an end stage", from.as_str()));
        }
        if !(to.is_end() || from.next() == Some(to)) {
            let next = from.next().map(|n| format!("'{}' or ", n.as_str())).unwrap_or_default();
            return refuse(
                Rule::StageOrder,
                format!(
                    "project {slug} is at '{}': it moves to {next}an end ('spun-off', 'abandoned'), not to '{}'",
                    from.as_str(),
                    to.as_str()
                ),
            );
        }
        Ok(vec![Event::ProjectStageChanged { project: slug.to_string(), from, to }])
    }

    pub(crate) fn participant(&self, who: &Who) -> Result<Participant, Refusal> {
        match who {
            Who::Member(r) => {
                let Some(m) = self.state.member(*r) else {
                    if self.now.member(*r).is_some() {
                        return self.known(*r).map(|_| Participant::Member(MemberNo(0)));
                    }
                    let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
                    return refuse(Rule::UnknownMember, format!("member {r} is not in the register (numbers run from 1 to {last})"));
                };
                if !m.member_on(self.date) {
                    return refuse(
                        Rule::NotAMember,
                        format!(
                            "member {} is not a member on {} (admitted {}{})",
                            m.number,
                            self.date,
                            m.admitted,
                            m.ended.map(|e| format!(", left {}", e.date)).unwrap_or_default()
                        ),
                    );
                }
                Ok(Participant::Member(m.number))
            }
            Who::Partner(id) => {
                if !self.state.partners.contains_key(id) {
                    return refuse(Rule::UnknownMember, format!("partner {id} is not known"));
                }
                Ok(Participant::Partner(*id))
            }
            Who::NewPartner(_) => refuse(Rule::NotParticipating, "this partner has not taken part in any project yet"),
        }
    }

    pub(crate) fn join(&self, slug: &str, who: &Who, role: ProjectRole, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        let p = self.project(slug)?;
        if p.stage().is_end() {
            return refuse(Rule::ProjectEnded, format!("project {slug} has ended ({}): nobody joins it any more", p.stage().as_str()));
        }
        let (participant, digest) = match who {
            Who::NewPartner(personal) => {
                let name = personal.name.trim();
                if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
                    return refuse(Rule::InvalidValue, "a partner's name must be 1 to 200 printable characters");
                }
                if self.now.partners.contains_key(&ctx.fresh_id) || self.state.partners.contains_key(&ctx.fresh_id) {
                    return refuse(Rule::InvalidValue, "the new partner's identity is already taken; retry");
                }
                (Participant::Partner(ctx.fresh_id), Some(personal.digest(&ctx.salt)))
            }
            other => (self.participant(other)?, None),
        };
        if p.current_spell(participant).is_some() {
            return refuse(Rule::AlreadyRecorded, format!("{} already takes part in {slug}", who_label(participant)));
        }
        Ok(vec![Event::ParticipantJoined { project: slug.to_string(), who: participant, role, personal_digest: digest }])
    }

    pub(crate) fn participating(&self, slug: &str, who: &Who) -> Result<(&'a Project, Participant, &'a super::Spell), Refusal> {
        let p = self.project(slug)?;
        let participant = match who {
            Who::Member(r) => match self.state.member(*r) {
                Some(m) => Participant::Member(m.number),
                None => return refuse(Rule::UnknownMember, format!("member {r} is not in the register")),
            },
            other => self.participant(other)?,
        };
        match p.current_spell(participant) {
            Some(s) => Ok((p, participant, s)),
            None => refuse(Rule::NotParticipating, format!("{} does not take part in {slug} (join it first)", who_label(participant))),
        }
    }

    /// A participant's role changes.
    pub(crate) fn change_role(&self, project: &str, who: &Who, role: ProjectRole) -> Result<Vec<Event>, Refusal> {
        let (p, who, spell) = self.participating(project, who)?;
        let from = spell.role();
        if from == role {
            return refuse(Rule::NoChange, format!("{} is already {} in {}", who_label(who), role.as_str(), p.slug));
        }
        Ok(vec![Event::RoleChanged { project: p.slug.clone(), who, from, to: role }])
    }

    /// A participant leaves a project.
    pub(crate) fn leave(&self, project: &str, who: &Who) -> Result<Vec<Event>, Refusal> {
        let (p, who, _) = self.participating(project, who)?;
        Ok(vec![Event::ParticipantLeft { project: p.slug.clone(), who }])
    }
}
