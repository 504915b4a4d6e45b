//! From recorded events back to the command that recorded them, so that a later fact can be
//! decided again when a fact is entered before it (see [`super::place`]).

use chrono::NaiveDate;

use crate::decide::{Command, Context, Personal, Who};
use crate::event::{EndCause, Event};
use crate::project::Participant;
use crate::units::{MemberRef, PartyId};

/// The command that recorded `events` (the events of one command, dated `date`), and the
/// context that gives it the identities it drew; `None` for events no command gives in this
/// shape (they are then only folded, not decided again).
pub fn command_of(events: &[Event], date: NaiveDate) -> Option<(Command, Context)> {
    redo(events, date).map(|r| (r.command, r.ctx))
}

/// A recorded command to decide again, with the context it had (an admission keeps its number).
pub(super) struct Redo {
    pub command: Command,
    pub ctx: Context,
}

pub(super) fn redo(events: &[Event], date: NaiveDate) -> Option<Redo> {
    let (command, mut ctx) = inverse(events, date)?;
    if let Some(Event::MemberAdmitted { number, .. }) = events.first() {
        ctx.number = Some(*number);
    }
    Some(Redo { command, ctx })
}

fn inverse(events: &[Event], date: NaiveDate) -> Option<(Command, Context)> {
    let ctx = |fresh_id: PartyId, actor: &str| Context {
        today: date,
        fresh_id,
        salt: String::new(),
        actor: actor.to_string(),
        number: None,
        signer: None,
    };
    let none = PartyId::nil();
    let n = MemberRef::Number;
    // The name is not in the log: decided again, an admission's name is a placeholder (its
    // digest is not compared).
    let someone = || Personal { name: "(recorded)".into(), email: None, address: None };
    let command = match events {
        [Event::StatutesAdopted { statutes, decided_by: None, .. }, Event::OfficerAppointed { person, personal_digest, .. }] => {
            let founder = personal_digest.as_ref().map(|_| someone());
            return Some((Command::Found { statutes: statutes.clone(), founder }, ctx(none, person)));
        }
        [Event::MemberAdmitted { party, kind, category, .. }, Event::SharesSubscribed { class, count, paid_cents, .. }] => {
            let admit = Command::Admit {
                personal: someone(),
                kind: *kind,
                category: category.clone(),
                shares: Some(*count),
                class: Some(class.clone()),
                paid: Some(*paid_cents),
            };
            return Some((admit, ctx(*party, "")));
        }
        // An election carried out: one mandate per member elected.
        [Event::MandateGranted { decided_by, .. }, rest @ ..] if rest.iter().all(|e| matches!(e, Event::MandateGranted { .. })) => {
            Command::Elect { assembly: decided_by.assembly.clone(), resolution: decided_by.resolution }
        }
        // A revocation carried out, or a resignation (a board member's takes the chair with it).
        [Event::MandateEnded { decided_by: Some(d), .. }, rest @ ..] if rest.iter().all(|e| matches!(e, Event::MandateEnded { .. })) => {
            Command::Elect { assembly: d.assembly.clone(), resolution: d.resolution }
        }
        [Event::MandateEnded { member, office, decided_by: None }, rest @ ..]
            if rest.iter().all(|e| matches!(e, Event::MandateEnded { decided_by: None, .. })) =>
        {
            Command::Resign { member: n(*member), office: *office }
        }
        // A meeting, with what its decisions carried out.
        [Event::BodyMet { body, meeting, present, decisions, chair, secretary }, ..] => {
            Command::HoldMeeting(crate::bodies::MeetingRecord {
                body: body.clone(),
                meeting: meeting.clone(),
                present: present.iter().map(|p| who_of(*p)).collect(),
                decisions: decisions.clone(),
                chair: chair.map(n),
                secretary: secretary.map(n),
            })
        }
        // The representative keeps the party id their personal data is kept under.
        [Event::RepresentativeDesignated { member, representative, .. }] => {
            return Some((Command::Represent { member: n(*member), personal: someone() }, ctx(*representative, "")));
        }
        [Event::ProxyRevoked { .. }, Event::MemberAttended { assembly, member, remote }]
        | [Event::MemberAttended { assembly, member, remote }] => {
            Command::Attend { assembly: assembly.clone(), member: n(*member), remote: *remote }
        }
        [e] => match e {
            Event::StatutesAdopted { statutes, decided_by: Some(d), sha256 } => Command::Amend {
                statutes: statutes.clone(),
                sha256: sha256.clone(),
                assembly: d.assembly.clone(),
                resolution: d.resolution,
            },
            Event::SharesSubscribed { member, class, count, paid_cents } => {
                Command::Subscribe { member: n(*member), count: *count, class: Some(class.clone()), paid: Some(*paid_cents) }
            }
            Event::SharesPaid { member, amount_cents } => Command::Pay { member: n(*member), amount: *amount_cents },
            Event::SharesTransferred { from, to, class, count } => {
                Command::Transfer { from: n(*from), to: n(*to), count: *count, class: Some(class.clone()) }
            }
            Event::SharesRedeemed { member, class, count, .. } => {
                Command::Redeem { member: n(*member), count: *count, class: Some(class.clone()) }
            }
            Event::MemberMoved { member, to, .. } => Command::Move { member: n(*member), category: to.clone() },
            Event::QualityLost { member } => Command::End { member: n(*member), cause: EndCause::LossOfQuality },
            Event::MembershipEnded { member, cause: EndCause::Withdrawal } => Command::Withdraw { member: n(*member) },
            Event::MembershipEnded { member, cause } => Command::End { member: n(*member), cause: *cause },
            Event::MemberExcluded { member, decided_by } => {
                Command::Exclude { member: n(*member), assembly: decided_by.assembly.clone(), resolution: decided_by.resolution }
            }
            Event::AssemblyConvened { assembly, kind, date, place, time, agenda, second_of, edition, .. } => Command::Convene {
                slug: assembly.clone(),
                kind: *kind,
                date: *date,
                place: place.clone(),
                time: *time,
                agenda: agenda.clone(),
                second_of: second_of.clone(),
                edition: Some(*edition),
            },
            Event::ConvocationsSent { assembly, .. } => Command::SendConvocations { assembly: assembly.clone() },
            Event::ConvocationReissued { assembly, member } => {
                Command::ReissueConvocation { assembly: assembly.clone(), member: n(*member) }
            }
            Event::OfficersAppointed { assembly, officers } => Command::AppointOfficers {
                assembly: assembly.clone(),
                chair: n(officers.chair),
                secretary: n(officers.secretary),
                scrutineers: officers.scrutineers.iter().map(|s| n(*s)).collect(),
            },
            Event::ProxyGiven { assembly, from, to } => Command::Proxy { assembly: assembly.clone(), from: n(*from), to: to.map(n) },
            Event::PostalVoteReceived { assembly, member, votes } => Command::Postal {
                assembly: assembly.clone(),
                member: n(*member),
                votes: votes.iter().map(|v| (v.resolution, v.choice)).collect(),
            },
            Event::VoteCast { assembly, resolution, member, choice, .. } => {
                Command::Vote { assembly: assembly.clone(), resolution: *resolution, member: n(*member), choice: *choice }
            }
            Event::VoterMarked { assembly, resolution, member, .. } => {
                Command::MarkVoter { assembly: assembly.clone(), resolution: *resolution, member: n(*member) }
            }
            Event::BallotsCounted { assembly, resolution, college, tally } => {
                Command::CountBallots { assembly: assembly.clone(), resolution: *resolution, college: college.clone(), tally: *tally }
            }
            Event::HandsCounted { assembly, resolution, college, tally } => {
                Command::CountHands { assembly: assembly.clone(), resolution: *resolution, college: college.clone(), tally: *tally }
            }
            Event::AssemblyClosed { assembly, not_put_to_vote, .. } => {
                Command::Close { assembly: assembly.clone(), not_put_to_vote: not_put_to_vote.clone() }
            }
            Event::ProxyRevoked { assembly, from } => Command::RevokeProxy { assembly: assembly.clone(), from: n(*from) },
            Event::ReviewCompleted {} => Command::RecordReview,
            Event::OfficerAppointed { person, office, member, personal_digest, decided_by: None } => Command::AppointOfficer {
                person: person.clone(),
                office: *office,
                member: member.map(n),
                personal: personal_digest.as_ref().map(|_| someone()),
            },
            Event::OfficerRemoved { person, office } => Command::RemoveOfficer { person: person.clone(), office: *office },
            Event::OfficerKeyRegistered { person, public_key } => {
                Command::RegisterKey { person: person.clone(), public_key: public_key.clone() }
            }
            Event::PersonalDataErased { member } => Command::Forget { member: n(*member) },
            Event::ProjectCreated { project, name, description, stage } => {
                Command::CreateProject { slug: project.clone(), name: name.clone(), description: description.clone(), stage: Some(*stage) }
            }
            Event::ProjectStageChanged { project, to, .. } => Command::MoveProject { project: project.clone(), stage: *to },
            Event::ParticipantJoined { project, who, role, personal_digest } => {
                let (who, fresh) = match (who, personal_digest) {
                    (Participant::Member(m), _) => (Who::Member(n(*m)), none),
                    (Participant::Partner(id), Some(_)) => (Who::NewPartner(someone()), *id),
                    (Participant::Partner(id), None) => (Who::Partner(*id), none),
                };
                return Some((Command::Join { project: project.clone(), who, role: *role }, ctx(fresh, "")));
            }
            Event::RoleChanged { project, who, to, .. } => Command::ChangeRole { project: project.clone(), who: who_of(*who), role: *to },
            Event::ParticipantLeft { project, who } => Command::Leave { project: project.clone(), who: who_of(*who) },
            Event::PersonalDataChanged { member, .. } => Command::EditMember { member: n(*member), personal: someone() },
            Event::CommitteeCreated { committee, name, project } => {
                Command::CreateCommittee { slug: committee.clone(), name: name.clone(), project: project.clone() }
            }
            Event::CommitteeJoined { committee, who, role, personal_digest } => {
                let (who, fresh) = match (who, personal_digest) {
                    (Participant::Partner(id), Some(_)) => (Who::NewPartner(someone()), *id),
                    (other, _) => (who_of(*other), none),
                };
                return Some((Command::JoinCommittee { committee: committee.clone(), who, role: role.clone() }, ctx(fresh, "")));
            }
            Event::CommitteeLeft { committee, who } => Command::LeaveCommittee { committee: committee.clone(), who: who_of(*who) },
            _ => return None,
        },
        _ => return None,
    };
    Some((command, ctx(none, "")))
}

fn who_of(p: Participant) -> Who {
    match p {
        Participant::Member(m) => Who::Member(MemberRef::Number(m)),
        Participant::Partner(id) => Who::Partner(id),
    }
}

/// Whether a command decided again gives the fact that was recorded: the same event, but for
/// the digests of personal data (salted afresh when it was recorded).
pub(super) fn same_fact(recorded: &Event, again: &Event) -> bool {
    match (recorded, again) {
        (
            Event::MemberAdmitted { party: p1, number: n1, kind: k1, category: c1, .. },
            Event::MemberAdmitted { party: p2, number: n2, kind: k2, category: c2, .. },
        ) => p1 == p2 && n1 == n2 && k1 == k2 && c1 == c2,
        (
            Event::ParticipantJoined { project: p1, who: w1, role: r1, personal_digest: d1 },
            Event::ParticipantJoined { project: p2, who: w2, role: r2, personal_digest: d2 },
        ) => p1 == p2 && w1 == w2 && r1 == r2 && d1.is_some() == d2.is_some(),
        (Event::PersonalDataChanged { member: m1, .. }, Event::PersonalDataChanged { member: m2, .. }) => m1 == m2,
        (
            Event::RepresentativeDesignated { member: m1, representative: r1, .. },
            Event::RepresentativeDesignated { member: m2, representative: r2, .. },
        ) => m1 == m2 && r1 == r2,
        (
            Event::CommitteeJoined { committee: c1, who: w1, role: r1, personal_digest: d1 },
            Event::CommitteeJoined { committee: c2, who: w2, role: r2, personal_digest: d2 },
        ) => c1 == c2 && w1 == w2 && r1 == r2 && d1.is_some() == d2.is_some(),
        (
            Event::OfficerAppointed { person: p1, office: o1, member: m1, personal_digest: d1, decided_by: b1 },
            Event::OfficerAppointed { person: p2, office: o2, member: m2, personal_digest: d2, decided_by: b2 },
        ) => p1 == p2 && o1 == o2 && m1 == m2 && d1.is_some() == d2.is_some() && b1 == b2,
        (a, b) => a == b,
    }
}
