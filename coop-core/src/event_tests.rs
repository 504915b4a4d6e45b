//! The event schema: every type reads back as written, and older versions are upcast.

use super::*;

/// Stored JSON of schema version 1, as written by coop 0.1. These must stay readable.
const V1_FIXTURES: &[&str] = &[
    r#"{"type":"member_admitted","party":"01JQ3ZV1K1Q6X7S5B4W7Y8Z9AB","number":3,"kind":"public-body","category":"public","personal_digest":"ab"}"#,
    r#"{"type":"shares_subscribed","member":3,"class":"A","count":10,"paid_cents":12500}"#,
    r#"{"type":"shares_paid","member":3,"amount_cents":100}"#,
    r#"{"type":"shares_transferred","from":3,"to":4,"class":"A","count":1}"#,
    r#"{"type":"shares_redeemed","member":3,"class":"A","count":1,"reimbursed_cents":5000}"#,
    r#"{"type":"member_moved","member":3,"from":"a","to":"b"}"#,
    r#"{"type":"quality_lost","member":3}"#,
    r#"{"type":"membership_ended","member":3,"cause":"loss-of-quality"}"#,
];

#[test]
fn version_1_fixtures_still_read() {
    for f in V1_FIXTURES {
        let e = upcast(1, f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(serde_json::to_string(&e).unwrap(), *f, "round trip changes the stored form");
    }
}

#[test]
fn every_event_type_reads_back_as_written() {
    use crate::assembly::{Choice, Officers, Resolution, ResolutionKind, RollEntry};
    use crate::project::{Participant, ProjectRole, Stage};
    use crate::statutes::Statutes;
    let st = Statutes::from_toml(crate::SAMPLE_STATUTES).unwrap();
    let n = MemberNo(4);
    let a = || "ago-2026".to_string();
    let d = chrono::NaiveDate::from_ymd_opt(2026, 6, 20).unwrap();
    let all = vec![
        Event::StatutesAdopted { statutes: Box::new(st.clone()), decided_by: None, sha256: None },
        Event::StatutesAdopted { statutes: Box::new(st), decided_by: Some(Decision { assembly: a(), resolution: 2 }), sha256: None },
        Event::MemberExcluded { member: n, decided_by: Decision { assembly: a(), resolution: 3 } },
        Event::AssemblyConvened {
            assembly: a(),
            kind: ResolutionKind::Ordinary,
            date: d,
            place: "Lons".into(),
            time: chrono::NaiveTime::from_hms_opt(18, 30, 0),
            agenda: vec![Resolution {
                text: "L'assemblée approuve les comptes.".into(),
                ..Resolution::new("Comptes", ResolutionKind::Extraordinary, false)
            }],
            second_of: Some("ago-2026-1".into()),
            edition: 0,
            roll_cutoff: None,
        },
        Event::ConvocationsSent { assembly: a(), members: vec![n, MemberNo(5)] },
        Event::ConvocationReissued { assembly: a(), member: n },
        Event::OfficersAppointed { assembly: a(), officers: Officers { chair: n, secretary: MemberNo(5), scrutineers: vec![MemberNo(6)] } },
        Event::MemberAttended { assembly: a(), member: n, remote: true },
        Event::ProxyGiven { assembly: a(), from: n, to: None },
        Event::ProxyGiven { assembly: a(), from: n, to: Some(MemberNo(9)) },
        Event::ProxyRevoked { assembly: a(), from: n },
        Event::PostalVoteReceived {
            assembly: a(),
            member: n,
            votes: vec![Direction { resolution: 1, choice: Choice::Abstain }, Direction { resolution: 12, choice: Choice::Blank }],
        },
        Event::VoteCast { assembly: a(), resolution: 2, member: n, choice: Choice::Against, by: Some(MemberNo(1)) },
        Event::VoterMarked { assembly: a(), resolution: 1, member: n, by: None },
        Event::BallotsCounted {
            assembly: a(),
            resolution: 1,
            college: Some("users".into()),
            tally: BallotTally { r#for: 3, against: 1, abstain: 0, blank: 2 },
        },
        Event::HandsCounted {
            assembly: a(),
            resolution: 2,
            college: None,
            tally: BallotTally { r#for: 12, against: 0, abstain: 1, blank: 0 },
        },
        Event::AssemblyClosed {
            assembly: a(),
            roll: vec![RollEntry { member: n, category: "users".into(), college: None }],
            not_put_to_vote: vec![],
        },
        Event::ReviewCompleted {},
        Event::PersonalDataErased { member: n },
        Event::OfficerAppointed {
            person: "Claire".into(),
            office: crate::statutes::Office::Secretary,
            member: Some(n),
            personal_digest: Some("cd".repeat(32)),
            decided_by: None,
        },
        Event::OfficerAppointed {
            person: "01J0000000000000000000000A".into(),
            office: crate::statutes::Office::Secretary,
            member: Some(n),
            personal_digest: None,
            decided_by: Some(Decision { assembly: "ca-2026-07".into(), resolution: 2 }),
        },
        Event::OfficerRemoved { person: "Claire".into(), office: crate::statutes::Office::Board },
        Event::OfficerKeyRegistered { person: "Claire".into(), public_key: "ab".repeat(32) },
        Event::ProjectCreated {
            project: "bouteilles".into(),
            name: "J'aime mes bouteilles".into(),
            description: "".into(),
            stage: Stage::SpunOff,
        },
        Event::ProjectStageChanged { project: "b".into(), from: Stage::Idea, to: Stage::Qualification },
        Event::ParticipantJoined { project: "b".into(), who: Participant::Member(n), role: ProjectRole::Lead, personal_digest: None },
        Event::ParticipantJoined {
            project: "b".into(),
            who: Participant::Partner(ulid::Ulid(7)),
            role: ProjectRole::Partner,
            personal_digest: Some("ab".into()),
        },
        Event::RoleChanged {
            project: "b".into(),
            who: Participant::Partner(ulid::Ulid(7)),
            from: ProjectRole::Tester,
            to: ProjectRole::Mentor,
        },
        Event::ParticipantLeft { project: "b".into(), who: Participant::Member(n) },
        Event::RepresentativeDesignated { member: n, representative: ulid::Ulid(9), personal_digest: "ef".repeat(32) },
        Event::MandateGranted {
            member: n,
            office: crate::statutes::Office::Board,
            until: d,
            decided_by: Decision { assembly: a(), resolution: 4 },
        },
        Event::MandateEnded { member: n, office: crate::statutes::Office::Board, decided_by: None },
        Event::MandateEnded {
            member: n,
            office: crate::statutes::Office::Chair,
            decided_by: Some(Decision { assembly: a(), resolution: 5 }),
        },
        Event::CommitteeCreated { committee: "copil".into(), name: "Comité de pilotage".into(), project: Some("pat".into()) },
        Event::CommitteeCreated { committee: "recrutement".into(), name: "Commission".into(), project: None },
        Event::CommitteeJoined {
            committee: "copil".into(),
            who: Participant::Partner(ulid::Ulid(7)),
            role: "chambre".into(),
            personal_digest: Some("ab".into()),
        },
        Event::CommitteeLeft { committee: "copil".into(), who: Participant::Member(n) },
        Event::BodyMet {
            body: "board".into(),
            meeting: "ca-2026-07".into(),
            present: vec![Participant::Member(n), Participant::Partner(ulid::Ulid(7))],
            decisions: vec!["Approbation de l'admission de la Commune".into()],
            chair: Some(n),
            secretary: Some(MemberNo(5)),
        },
    ];
    let named: std::collections::BTreeSet<&str> = all.iter().map(Event::type_name).collect();
    let listed: std::collections::BTreeSet<&str> = EVENT_TYPES.iter().copied().collect();
    assert!(named.is_subset(&listed), "EVENT_TYPES lacks {:?}", named.difference(&listed).collect::<Vec<_>>());
    assert_eq!(listed.len(), EVENT_TYPES.len(), "EVENT_TYPES lists each type once");
    // Every name `type_name` can return is listed (read from its own match arms).
    let source = include_str!("event.rs");
    let arms = source.split("pub fn type_name").nth(1).and_then(|rest| rest.split("\n    }\n").next()).unwrap();
    let returned: std::collections::BTreeSet<&str> = arms.split("=> \"").skip(1).filter_map(|x| x.split('"').next()).collect();
    assert_eq!(returned, listed);
    for e in all {
        let json = serde_json::to_string(&e).unwrap();
        let back = upcast(EVENT_SCHEMA, &json).unwrap_or_else(|err| panic!("{json}: {err}"));
        assert_eq!(back, e, "{json}");
        // Its tag first (read field by field) and its keys sorted (the tag elsewhere: read
        // from a buffer, see `event_de`): read alike.
        assert!(json.starts_with(r#"{"type":""#), "{json}");
        let sorted: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&sorted.to_string()).unwrap(), e, "{sorted}");
    }
}

#[test]
fn newer_versions_are_refused_not_guessed() {
    assert!(matches!(upcast(2, V1_FIXTURES[2]), Err(UpcastError::TooNew(2))));
    // A type this coop does not know is a newer coop's; a known type that does not fit is
    // damage.
    assert!(matches!(upcast(1, "{\"type\":\"nope\"}"), Err(UpcastError::UnknownType { ref kind }) if kind == "nope"));
    assert!(matches!(upcast(1, "{\"type\":\"shares_paid\",\"member\":\"x\"}"), Err(UpcastError::Invalid { .. })));
    assert!(matches!(upcast(1, "not json"), Err(UpcastError::Invalid { .. })));
}
