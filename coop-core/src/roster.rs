//! Who may act: the roster of officers (kept by events) and the mandates assemblies and the
//! board decided, against the statutes' permissions; and officers who sign their acts with a
//! registered key. `decide` asks both before any rule.
//!
//! Until an assembly first elects a board, the founders act as it: the founder is the
//! secretary, and the secretary may appoint another secretary by hand. From the first election
//! on, a member holds the board's powers while their board mandate runs and the chair's while
//! their chair mandate runs; the secretary is the one a board meeting appointed; the offices
//! given by hand before have lapsed. Neither a board seat nor the chair is ever given by hand.

use chrono::NaiveDate;

use crate::command::{Command, Personal};
use crate::decide::{refuse, valid_person, valid_personal, Context, Decider, Refusal, Rule};
use crate::event::Event;
use crate::state::State;
use crate::statutes::{Entitled, Office, Statutes};
use crate::units::MemberRef;

/// The action of [`crate::statutes::ACTIONS`] a command takes, and the assembly it is about.
fn action(command: &Command) -> (&'static str, Option<&str>) {
    match command {
        Command::Found { .. } => ("init", None),
        Command::Admit { .. } => ("admit", None),
        Command::Move { .. }
        | Command::Withdraw { .. }
        | Command::End { .. }
        | Command::Exclude { .. }
        | Command::Forget { .. }
        | Command::EditMember { .. }
        | Command::Represent { .. } => ("members", None),
        // Whoever may record the command voided may void it (see `timeline::void`).
        Command::Void { .. } => ("members", None),
        Command::Subscribe { .. } | Command::Pay { .. } | Command::Transfer { .. } | Command::Redeem { .. } => ("shares", None),
        Command::Convene { slug, .. } => ("convene", Some(slug)),
        Command::SendConvocations { assembly }
        | Command::ReissueConvocation { assembly, .. }
        | Command::AppointOfficers { assembly, .. } => ("convene", Some(assembly)),
        Command::Attend { assembly, .. }
        | Command::Proxy { assembly, .. }
        | Command::RevokeProxy { assembly, .. }
        | Command::Postal { assembly, .. }
        | Command::Vote { assembly, .. }
        | Command::MarkVoter { assembly, .. }
        | Command::CountBallots { assembly, .. }
        | Command::CountHands { assembly, .. }
        | Command::VoteAll { assembly, .. }
        | Command::Close { assembly, .. } => ("meeting", Some(assembly)),
        Command::Amend { .. } => ("statutes", None),
        Command::RecordReview => ("review", None),
        Command::CreateProject { .. }
        | Command::MoveProject { .. }
        | Command::Join { .. }
        | Command::ChangeRole { .. }
        | Command::Leave { .. } => ("projects", None),
        Command::AppointOfficer { .. }
        | Command::RemoveOfficer { .. }
        | Command::RegisterKey { .. }
        | Command::Elect { .. }
        | Command::Resign { .. } => ("roster", None),
        Command::HoldMeeting(_) | Command::CreateCommittee { .. } | Command::JoinCommittee { .. } | Command::LeaveCommittee { .. } => {
            ("bodies", None)
        }
    }
}

/// Whether `actor` may take the action of `command` on `date`, by the roster, the mandates and
/// the statutes in force. A log with no roster at all and no board elected (written before
/// rosters existed) lets anyone act.
pub(crate) fn authorize(state: &State, statutes: &Statutes, command: &Command, actor: &str, date: NaiveDate) -> Result<(), Refusal> {
    if state.roster.is_empty() && state.board_since.is_none() {
        return Ok(());
    }
    if let Command::RegisterKey { person, .. } = command {
        // Whoever holds an office registers their own key, and no one else's.
        let person = person.trim();
        if actor.trim() == person {
            return Ok(());
        }
        return refuse(
            Rule::NotEntitled,
            format!("an officer registers their own key: run it as '{person}' (--actor \"{person}\"), on their own machine"),
        );
    }
    let (action, assembly) = action(command);
    let entitled = statutes.permissions.entitled(action);
    let officer = state.roster.get(actor.trim());
    // The member the actor is: an officer linked to a member, or a member acting under their
    // party id (how an elected member acts).
    let member = officer
        .and_then(|o| o.member)
        .or_else(|| actor.trim().parse::<crate::units::PartyId>().ok().and_then(|p| state.parties.get(&p).copied()));
    let mandated = |o: Office| member.and_then(|n| state.members.get(&n)).is_some_and(|m| crate::bodies::holds(m, o, date));
    let holds = |o: Office| {
        let by_hand = officer.is_some_and(|of| match o {
            // The chair and the secretary sit on the board.
            Office::Board => !of.offices.is_empty(),
            other => of.offices.contains(&other),
        });
        by_hand
            || match o {
                // The chair and an SARL's gérants hold the board's powers.
                Office::Board => mandated(Office::Board) || mandated(Office::Chair) || mandated(Office::Manager),
                Office::Chair => mandated(Office::Chair),
                Office::Manager => mandated(Office::Manager),
                Office::Secretary => false,
            }
    };
    let assembly_officer = || {
        let (Some(slug), Some(member)) = (assembly, member) else { return false };
        state
            .assemblies
            .get(slug)
            .and_then(|a| a.officers.as_ref())
            .is_some_and(|o| o.chair == member || o.secretary == member || o.scrutineers.contains(&member))
    };
    let allowed = entitled.iter().any(|e| match e {
        Entitled::Office(o) => holds(*o),
        Entitled::AssemblyOfficers => assembly_officer(),
    });
    if allowed {
        return Ok(());
    }
    let what = crate::statutes::ACTIONS.iter().find(|(a, _)| *a == action).map_or(action, |(_, w)| w);
    let who: Vec<&str> = entitled.iter().map(|e| e.as_str()).collect();
    let mut offices: Vec<&str> = officer.map(|o| o.offices.iter().map(|x| x.as_str()).collect()).unwrap_or_default();
    for o in [Office::Board, Office::Chair, Office::Manager] {
        if mandated(o) && !offices.contains(&o.as_str()) {
            offices.push(o.as_str());
        }
    }
    let holds_now = if offices.is_empty() { format!("no office on {date}") } else { offices.join(", ") };
    refuse(
        Rule::NotEntitled,
        format!("'{}' may not {what}: the statutes give it to {} ('{}' holds {holds_now})", actor.trim(), who.join(", "), actor.trim()),
    )
}

/// An officer who registered a key signs every act with it: an act by them unsigned, or signed
/// with another key, is refused. A key's first registration is signed by that very key (the
/// officer shows they hold it); a new key is registered under the old one. Acts of an actor with
/// no key are not authenticated (`--actor` names them), as in a store without keys.
pub(crate) fn signed(now: &State, command: &Command, ctx: &Context) -> Result<(), Refusal> {
    let actor = ctx.actor.trim();
    let registered = now.keys.get(actor).map(String::as_str);
    let first_registration = |key: &str| matches!(command, Command::RegisterKey { public_key, .. } if public_key == key);
    match (registered, ctx.signer.as_deref()) {
        (Some(k), Some(s)) if k == s => Ok(()),
        (Some(_), Some(_)) => refuse(
            Rule::UnsignedAct,
            format!("the key given is not the one registered for '{actor}': their acts are signed with their own key"),
        ),
        (Some(_), None) => {
            refuse(Rule::UnsignedAct, format!("'{actor}' signs their acts with a registered key: an unsigned act in their name is refused"))
        }
        (None, Some(s)) if first_registration(s) => Ok(()),
        (None, Some(_)) => refuse(Rule::UnsignedAct, format!("'{actor}' has no registered key: register it first, or act unsigned")),
        (None, None) if matches!(command, Command::RegisterKey { .. }) => {
            refuse(Rule::UnsignedAct, "a key is registered by a command signed with it, which shows its owner holds it")
        }
        (None, None) => Ok(()),
    }
}

/// A public key as recorded: 64 lowercase hexadecimal digits.
pub(crate) fn valid_key(key: &str) -> Result<(), Refusal> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return refuse(Rule::InvalidValue, "a public key is 64 lowercase hexadecimal digits (an Ed25519 key)");
    }
    Ok(())
}

impl<'a> Decider<'a> {
    /// An office of the board given to someone.
    pub(crate) fn appoint_officer(
        &self,
        person: &str,
        office: Office,
        member: Option<MemberRef>,
        personal: Option<&Personal>,
        ctx: &Context,
    ) -> Result<Vec<Event>, Refusal> {
        let person = valid_person(person)?;
        match office {
            Office::Board => {
                return refuse(
                    Rule::ElectedOffice,
                    "members of the board are elected by a general assembly (agenda: elect = [MEMBER, ...], office = \"board\"; then coop board elect)",
                )
            }
            Office::Chair => {
                return refuse(
                    Rule::ElectedOffice,
                    "the board elects its chair among its members at a meeting (coop board meeting SLUG --present ... --chair MEMBER)",
                )
            }
            Office::Manager => {
                return refuse(
                    Rule::ElectedOffice,
                    "an SARL's gérants are appointed by the members in a general assembly (agenda: elect = [MEMBER, ...], office = \"manager\"; then coop board elect)",
                )
            }
            Office::Secretary => {
                if let Some(since) = self.now.board_since {
                    return refuse(
                        Rule::ElectedOffice,
                        format!("a board was elected on {since}: the board appoints its secretary at a meeting (coop board meeting SLUG --present ... --secretary MEMBER)"),
                    );
                }
            }
        }
        let member = match member {
            Some(r) => Some(self.known(r)?.number),
            None => None,
        };
        if self.state.roster.get(&person).is_some_and(|o| o.offices.contains(&office) && (member.is_none() || o.member == member)) {
            return refuse(Rule::NoChange, format!("{person} already holds the office of {}", office.as_str()));
        }
        if let Some(p) = personal {
            valid_personal(p, "an officer's name")?;
            if self.now.officer_digests.contains_key(&person) {
                return refuse(Rule::InvalidValue, format!("{person} is already recorded; appoint them by that id"));
            }
        }
        let personal_digest = personal.map(|p| p.digest(&ctx.salt));
        Ok(vec![Event::OfficerAppointed { person, office, member, personal_digest, decided_by: None }])
    }

    /// The key an officer signs with.
    pub(crate) fn register_key(&self, person: &str, public_key: &str) -> Result<Vec<Event>, Refusal> {
        let person = person.trim();
        valid_key(public_key)?;
        if !self.state.roster.contains_key(person) {
            return refuse(Rule::NotEntitled, format!("{person} holds no office: only officers register signing keys"));
        }
        if self.state.keys.get(person).map(String::as_str) == Some(public_key) {
            return refuse(Rule::NoChange, format!("{person} already signs with this key"));
        }
        Ok(vec![Event::OfficerKeyRegistered { person: person.to_string(), public_key: public_key.to_string() }])
    }

    /// An office taken from someone; the board keeps a secretary.
    pub(crate) fn remove_officer(&self, person: &str, office: Office) -> Result<Vec<Event>, Refusal> {
        if !self.state.roster.get(person).is_some_and(|o| o.offices.contains(&office)) {
            return refuse(Rule::NoChange, format!("{person} does not hold the office of {}", office.as_str()));
        }
        let secretaries = self.state.roster.values().filter(|o| o.offices.contains(&Office::Secretary)).count();
        if office == Office::Secretary && secretaries == 1 {
            return refuse(Rule::LastSecretary, format!("{person} is the board's only secretary: appoint another before removing them"));
        }
        Ok(vec![Event::OfficerRemoved { person: person.to_string(), office }])
    }
}
