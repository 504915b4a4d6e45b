//! Board elections, mandates and the board's size, at their boundaries.

use super::*;
use crate::*;

use crate::testing::{coop_type, d, Founded};

coop_type!();

fn m(n: u32) -> MemberRef {
    MemberRef::Number(MemberNo(n))
}

impl Coop {
    /// The sample statutes as an SA (board of 3 to 18, mandates of at most 6 years, 18,500 €
    /// minimum capital), 25 members of 20 shares.
    fn sa() -> Coop {
        let text =
            SAMPLE_STATUTES.replace("legal_form = \"sas\"", "legal_form = \"sa\"").replace("minimum_euros = 0", "minimum_euros = 18500");
        let c = Coop(Founded::new(&text, 25, 20));
        let st = c.state.statutes.as_ref().unwrap();
        assert_eq!((st.board.min_members, st.board.max_members, st.board.mandate_years), (Some(3), Some(18), 6));
        c
    }
    fn convene(slug: &str, meeting: &str, members: &[u32], years: u32) -> Command {
        let e = bodies::Election { members: members.iter().map(|n| MemberNo(*n)).collect(), office: Office::Board, years };
        let res =
            Resolution { subject: Some(Subject::Elect(e)), ..Resolution::new("Élection du conseil", ResolutionKind::Ordinary, true) };
        Command::Convene {
            slug: slug.into(),
            kind: ResolutionKind::Ordinary,
            date: d(meeting),
            place: "Lons".into(),
            time: None,
            agenda: vec![res],
            second_of: None,
            edition: None,
        }
    }
    /// Convenes, holds (everyone present votes `choice`) and closes an election.
    fn hold(&mut self, slug: &str, meeting: &str, members: &[u32], years: u32, choice: Choice) {
        let sent = (d(meeting) - chrono::Days::new(20)).to_string();
        self.ok(&sent, Coop::convene(slug, meeting, members, years));
        self.ok(meeting, Command::AppointOfficers { assembly: slug.into(), chair: m(1), secretary: m(2), scrutineers: vec![m(3)] });
        // Once a board is elected, the assembly's chair (member 1) records its meeting.
        let actor = self.actor.clone();
        if self.state.board_since.is_some() {
            self.act_as(1);
        }
        for n in 1..=10 {
            self.ok(meeting, Command::Attend { assembly: slug.into(), member: m(n), remote: false });
        }
        self.ok(meeting, Command::VoteAll { assembly: slug.into(), resolution: 1, choice, except: vec![] });
        self.ok(meeting, Command::Close { assembly: slug.into(), not_put_to_vote: vec![] });
        self.actor = actor;
    }
    /// A board meeting with these members present, electing a chair and appointing a
    /// secretary if given.
    fn meeting(slug: &str, present: &[u32], chair: Option<u32>, secretary: Option<u32>) -> Command {
        Command::HoldMeeting(MeetingRecord {
            body: BOARD.into(),
            meeting: slug.into(),
            present: present.iter().map(|n| Who::Member(m(*n))).collect(),
            decisions: vec!["Approbation du procès-verbal de la séance précédente".into()],
            chair: chair.map(m),
            secretary: secretary.map(m),
        })
    }
    fn findings(&self, day: &str) -> Vec<(&'static str, Vec<MemberNo>)> {
        compliance(&self.state, d(day))
            .into_iter()
            .filter(|f| matches!(f.code, "mandate_expired" | "board_size"))
            .map(|f| (f.code, f.members))
            .collect()
    }
}

#[test]
fn an_election_is_checked_when_convened_and_carried_out_once_when_adopted() {
    let mut c = Coop::sa();
    let refused =
        |c: &Coop, members: &[u32], years: u32| c.when("2026-05-01", Coop::convene("ago", "2026-06-20", members, years)).unwrap_err().rule;
    assert_eq!(refused(&c, &[1, 2, 3], 7), Rule::Mandate, "an SA's mandate is at most 6 years");
    assert_eq!(refused(&c, &[1, 2, 3], 0), Rule::Mandate);
    assert_eq!(refused(&c, &[1, 1, 2], 6), Rule::InvalidValue, "elected twice");
    assert_eq!(refused(&c, &[1, 2, 99], 6), Rule::UnknownMember);
    let nineteen: Vec<u32> = (1..=19).collect();
    assert_eq!(refused(&c, &nineteen, 6), Rule::BoardSize, "a board of 19 is above 18");
    let eighteen: Vec<u32> = (1..=18).collect();
    assert!(c.when("2026-05-01", Coop::convene("ago", "2026-06-20", &eighteen, 6)).is_ok(), "18 exactly");
    c.hold("ago", "2026-06-20", &[1, 2, 3], 6, Choice::For);
    assert_eq!(c.when("2026-06-19", Command::Elect { assembly: "ago".into(), resolution: 1 }).unwrap_err().rule, Rule::DateBeforeHistory);
    let events = c.ok("2026-06-20", Command::Elect { assembly: "ago".into(), resolution: 1 });
    assert_eq!(events.len(), 3);
    // The founder's office lapsed with the first election: the board acts now.
    assert_eq!(c.when("2026-06-21", Command::RecordReview).unwrap_err().rule, Rule::NotEntitled);
    c.act_as(1);
    // A board member, not the secretary: carrying out a decision is the secretary's.
    assert_eq!(c.when("2026-06-21", Command::Elect { assembly: "ago".into(), resolution: 1 }).unwrap_err().rule, Rule::NotEntitled);
    c.ok("2026-06-21", Coop::meeting("ca-1", &[1, 2], None, Some(2)));
    c.act_as(2);
    assert_eq!(c.when("2026-06-21", Command::Elect { assembly: "ago".into(), resolution: 1 }).unwrap_err().rule, Rule::AlreadyRecorded);
    let board = board(&c.state, d("2026-06-20"));
    assert_eq!(board.len(), 3);
    // Six years from 2026-06-20: the last day is 2032-06-19.
    assert_eq!(board[0].1.until, d("2032-06-19"));
    assert!(c.findings("2032-06-19").is_empty(), "a mandate ending on the day of a later assembly still runs that day");
    assert_eq!(
        c.findings("2032-06-20"),
        vec![("mandate_expired", vec![MemberNo(1), MemberNo(2), MemberNo(3)]), ("board_size", vec![])],
        "the mandates ran out: no board left"
    );
}

#[test]
fn a_board_below_the_statutes_minimum_is_flagged_and_a_rejected_election_elects_no_one() {
    let mut c = Coop::sa();
    c.hold("ago", "2026-06-20", &[4, 5], 6, Choice::For);
    c.ok("2026-06-20", Command::Elect { assembly: "ago".into(), resolution: 1 });
    c.act_as(4);
    c.ok("2026-06-21", Coop::meeting("ca-1", &[4, 5], None, Some(4)));
    assert_eq!(c.findings("2026-07-01"), vec![("board_size", vec![MemberNo(4), MemberNo(5)])], "2 of at least 3");
    c.hold("ago2", "2026-09-20", &[6], 6, Choice::Against);
    assert_eq!(c.when("2026-09-20", Command::Elect { assembly: "ago2".into(), resolution: 1 }).unwrap_err().rule, Rule::NoDecision);
    c.hold("ago3", "2026-12-20", &[6], 6, Choice::For);
    c.ok("2026-12-20", Command::Elect { assembly: "ago3".into(), resolution: 1 });
    assert!(c.findings("2027-01-01").is_empty(), "a board of 3");
    let parsed =
        parse_agenda("[[resolution]]\ntitle = \"Conseil\"\nkind = \"ordinary\"\nelect = [12, 31]\noffice = \"board\"\nyears = 6\n")
            .unwrap();
    assert_eq!(
        parsed[0].subject,
        Some(Subject::Elect(bodies::Election { members: vec![MemberNo(12), MemberNo(31)], office: Office::Board, years: 6 }))
    );
    assert!(parse_agenda("[[resolution]]\ntitle = \"x\"\nkind = \"ordinary\"\nelect = [\"Anne\"]\n").is_err());
    assert!(parse_agenda("[[resolution]]\ntitle = \"x\"\nkind = \"ordinary\"\nyears = 6\n").is_err(), "years without elect");
}

/// An SA with a board of four (members 1 to 4, elected on 2026-06-20 for 6 years), the founder
/// acting until the board met; the board's first meeting appointed member 2 its secretary, who
/// acts from then on.
fn with_board() -> Coop {
    let mut c = Coop::sa();
    c.hold("ago", "2026-06-20", &[1, 2, 3, 4], 6, Choice::For);
    c.ok("2026-06-20", Command::Elect { assembly: "ago".into(), resolution: 1 });
    c.act_as(1);
    c.ok("2026-06-21", Coop::meeting("ca-1", &[1, 2, 3], None, Some(2)));
    c.act_as(2);
    c
}

#[test]
fn the_board_deliberates_with_half_of_its_members_present_and_only_its_members() {
    let mut c = Coop::sa();
    assert_eq!(c.when("2026-06-21", Coop::meeting("ca-0", &[1], None, None)).unwrap_err().rule, Rule::NoBoard);
    c.hold("ago", "2026-06-20", &[1, 2, 3, 4], 6, Choice::For);
    c.ok("2026-06-20", Command::Elect { assembly: "ago".into(), resolution: 1 });
    c.act_as(1);
    // L. 225-37: half of a board of 4 is 2: one present is not enough, two are.
    let r = c.when("2026-06-21", Coop::meeting("ca-1", &[1], None, None)).unwrap_err();
    assert_eq!(r.rule, Rule::BoardQuorum, "{r}");
    assert!(r.message.contains("1 member present of a board of 4") && r.message.contains("2 here"), "{r}");
    assert!(c.when("2026-06-21", Coop::meeting("ca-1", &[1, 2], None, None)).is_ok(), "2 of 4 exactly");
    assert_eq!(c.when("2026-06-21", Coop::meeting("ca-1", &[1, 2, 9], None, None)).unwrap_err().rule, Rule::NotSeated);
    assert_eq!(c.when("2026-06-21", Coop::meeting("ca-1", &[1, 1, 2], None, None)).unwrap_err().rule, Rule::InvalidValue);
    assert_eq!(
        c.when("2026-06-21", Coop::meeting("ago", &[1, 2], None, None)).unwrap_err().rule,
        Rule::AlreadyRecorded,
        "an assembly's slug"
    );
    // A member who does not sit on the board may not record its meeting.
    c.act_as(9);
    assert_eq!(c.when("2026-06-21", Coop::meeting("ca-1", &[1, 2], None, None)).unwrap_err().rule, Rule::NotEntitled);
    c.act_as(1);
    let events = c.ok("2026-06-21", Coop::meeting("ca-1", &[1, 2], None, None));
    assert!(matches!(&events[..], [Event::BodyMet { decisions, .. }] if decisions.len() == 1));
    assert_eq!(c.when("2026-06-22", Coop::meeting("ca-1", &[1, 2], None, None)).unwrap_err().rule, Rule::AlreadyRecorded);
    assert_eq!(c.state.bodies[BOARD].meetings.len(), 1);
}

#[test]
fn the_board_elects_its_chair_among_its_members_for_no_longer_than_their_mandate() {
    let text = SAMPLE_STATUTES
        .replace("legal_form = \"sas\"", "legal_form = \"sa\"")
        .replace("minimum_euros = 0", "minimum_euros = 18500")
        .replace("admit = [\"board\"]", "admit = [\"chair\", \"secretary\"]");
    let mut c = Coop(Founded::new(&text, 12, 20));
    let org = Command::Admit {
        personal: Personal { name: "Commune de Montval".into(), email: None, address: None },
        kind: PartyKind::PublicBody,
        category: "public".into(),
        shares: Some(10),
        class: None,
        paid: None,
    };
    c.ok("2020-01-02", org);
    c.hold("ago", "2026-06-20", &[1, 2, 3, 13], 6, Choice::For);
    c.ok("2026-06-20", Command::Elect { assembly: "ago".into(), resolution: 1 });
    c.act_as(1);
    assert_eq!(c.when("2026-06-21", Coop::meeting("ca-1", &[1, 2], Some(5), None)).unwrap_err().rule, Rule::NotSeated, "not on the board");
    let r = c.when("2026-06-21", Coop::meeting("ca-1", &[1, 2], Some(13), None)).unwrap_err();
    assert_eq!(r.rule, Rule::KindNotAllowed, "the chair is a natural person (L. 225-47): {r}");
    let events = c.ok("2026-06-21", Coop::meeting("ca-1", &[1, 2], Some(1), None));
    assert!(
        matches!(&events[1], Event::MandateGranted { member: MemberNo(1), office: Office::Chair, until, decided_by }
            if *until == d("2032-06-19") && decided_by.assembly == "ca-1" && decided_by.resolution == 2),
        "{events:?}"
    );
    assert_eq!(holders(&c.state, Office::Chair, d("2026-06-21")).len(), 1);
    // Statutes that give admissions to the chair (and the founders' secretary): the chair
    // admits, another board member not.
    c.act_as(2);
    let admit = || Command::Admit {
        personal: Personal { name: "Nouveau".into(), email: None, address: None },
        kind: PartyKind::Person,
        category: "employees".into(),
        shares: Some(1),
        class: None,
        paid: None,
    };
    assert_eq!(c.when("2026-06-22", admit()).unwrap_err().rule, Rule::NotEntitled);
    c.act_as(1);
    c.ok("2026-06-22", admit());
    // A new chair: the one before steps down by the same decision.
    let events = c.ok("2026-09-01", Coop::meeting("ca-2", &[1, 2, 3], Some(2), None));
    assert!(matches!(&events[1], Event::MandateEnded { member: MemberNo(1), office: Office::Chair, decided_by: Some(_) }), "{events:?}");
    let chair: Vec<MemberNo> = holders(&c.state, Office::Chair, d("2026-09-01")).into_iter().map(|(n, _)| n).collect();
    assert_eq!(chair, vec![MemberNo(2)]);
    assert_eq!(holders(&c.state, Office::Chair, d("2026-08-31"))[0].0, MemberNo(1), "member 1 chaired until the day before");
}

#[test]
fn the_secretary_is_appointed_by_the_board_once_a_board_is_elected() {
    let mut c = with_board();
    assert!(c.state.roster.values().all(|o| o.member == Some(MemberNo(2))), "the founder's office lapsed: {:?}", c.state.roster);
    // Member 2 keeps the roster now; a secretary by hand is refused, as board seats and the chair.
    let by_hand = |o: Office| Command::AppointOfficer { person: "Zoé".into(), office: o, member: None, personal: None };
    for o in Office::ALL {
        assert_eq!(c.when("2026-07-01", by_hand(o)).unwrap_err().rule, Rule::ElectedOffice, "{o:?}");
    }
    // The board appoints another secretary, who replaces member 2.
    c.act_as(1);
    let events = c.ok("2026-07-01", Coop::meeting("ca-2", &[1, 3], None, Some(3)));
    assert!(matches!(&events[1], Event::OfficerRemoved { office: Office::Secretary, .. }), "{events:?}");
    assert!(
        matches!(&events[2], Event::OfficerAppointed { office: Office::Secretary, member: Some(MemberNo(3)), decided_by: Some(d), .. } if d.resolution == 2)
    );
    c.act_as(2);
    assert!(c.when("2026-07-02", Command::RecordReview).is_ok(), "still on the board");
    assert_eq!(c.when("2026-07-02", Command::Elect { assembly: "ago".into(), resolution: 1 }).unwrap_err().rule, Rule::NotEntitled);
    c.act_as(3);
    assert_eq!(c.when("2026-07-02", Command::Elect { assembly: "ago".into(), resolution: 1 }).unwrap_err().rule, Rule::AlreadyRecorded);
}

#[test]
fn a_mandate_ends_by_revocation_or_resignation_and_is_renewed_by_a_new_election() {
    let mut c = with_board();
    c.act_as(1);
    c.ok("2026-06-22", Coop::meeting("ca-2", &[1, 2], Some(3), None));
    c.act_as(2);
    // Revocation by an ordinary resolution (L. 225-18): revoke = [3], the chair with it.
    let revoke = bodies::Revocation { members: vec![MemberNo(3)], office: Office::Board };
    let res = Resolution { subject: Some(Subject::Revoke(revoke)), ..Resolution::new("Révocation", ResolutionKind::Ordinary, false) };
    let convene = |agenda: Vec<Resolution>| Command::Convene {
        slug: "age".into(),
        kind: ResolutionKind::Ordinary,
        date: d("2026-10-20"),
        place: "Lons".into(),
        time: None,
        agenda,
        second_of: None,
        edition: None,
    };
    let not_held = bodies::Revocation { members: vec![MemberNo(9)], office: Office::Board };
    let bad = Resolution { subject: Some(Subject::Revoke(not_held)), ..res.clone() };
    assert_eq!(c.when("2026-10-01", convene(vec![bad])).unwrap_err().rule, Rule::NoChange, "member 9 holds no mandate");
    c.ok("2026-10-01", convene(vec![res]));
    c.ok("2026-10-20", Command::AppointOfficers { assembly: "age".into(), chair: m(1), secretary: m(2), scrutineers: vec![m(3)] });
    for n in 1..=10 {
        c.ok("2026-10-20", Command::Attend { assembly: "age".into(), member: m(n), remote: false });
    }
    c.ok("2026-10-20", Command::VoteAll { assembly: "age".into(), resolution: 1, choice: Choice::For, except: vec![] });
    c.ok("2026-10-20", Command::Close { assembly: "age".into(), not_put_to_vote: vec![] });
    let events = c.ok("2026-10-21", Command::Elect { assembly: "age".into(), resolution: 1 });
    assert_eq!(events.len(), 2, "the board seat and the chair: {events:?}");
    let seated = |c: &Coop, day: &str| -> Vec<u32> { board(&c.state, d(day)).into_iter().map(|(n, _)| n.0).collect() };
    assert_eq!(seated(&c, "2026-10-20"), vec![1, 2, 3, 4], "on the board until the day before");
    assert_eq!(seated(&c, "2026-10-21"), vec![1, 2, 4]);
    assert!(holders(&c.state, Office::Chair, d("2026-10-21")).is_empty());
    // A resignation: member 4 leaves the board.
    let resign = |n: u32| Command::Resign { member: m(n), office: Office::Board };
    c.ok("2026-11-01", resign(4));
    assert_eq!(c.when("2026-11-02", resign(4)).unwrap_err().rule, Rule::NoChange);
    assert_eq!(seated(&c, "2026-11-01"), vec![1, 2]);
    assert_eq!(c.findings("2026-11-01"), vec![("board_size", vec![MemberNo(1), MemberNo(2)])]);
    // Member 1 re-elected before the term: the new mandate runs six years from the new election.
    c.hold("ago2", "2027-06-20", &[1, 5], 6, Choice::For);
    c.ok("2027-06-20", Command::Elect { assembly: "ago2".into(), resolution: 1 });
    let b = board(&c.state, d("2033-06-19"));
    assert_eq!(b.iter().map(|(n, _)| n.0).collect::<Vec<_>>(), vec![1, 5]);
    assert_eq!(b[0].1.until, d("2033-06-19"));
    let parsed = parse_agenda("[[resolution]]\ntitle = \"R\"\nkind = \"ordinary\"\nrevoke = [3]\noffice = \"board\"\n").unwrap();
    assert_eq!(parsed[0].subject, Some(Subject::Revoke(bodies::Revocation { members: vec![MemberNo(3)], office: Office::Board })));
    assert!(parse_agenda("[[resolution]]\ntitle = \"R\"\nkind = \"ordinary\"\nrevoke = [3]\nyears = 6\n").is_err(), "years with revoke");
    assert!(parse_agenda("[[resolution]]\ntitle = \"R\"\nkind = \"extraordinary\"\nrevoke = [3]\n").is_err());
}

#[test]
fn a_committee_seats_members_and_partners_and_records_its_meetings() {
    let mut c = with_board();
    let create = |slug: &str, project: Option<&str>| Command::CreateCommittee {
        slug: slug.into(),
        name: "Comité de pilotage du PAT".into(),
        project: project.map(String::from),
    };
    assert_eq!(c.when("2026-07-01", create("copil", Some("pat"))).unwrap_err().rule, Rule::UnknownProject);
    assert_eq!(c.when("2026-07-01", create("board", None)).unwrap_err().rule, Rule::InvalidValue);
    c.ok("2026-07-01", Command::CreateProject { slug: "pat".into(), name: "PAT".into(), description: String::new(), stage: None });
    c.ok("2026-07-01", create("copil", Some("pat")));
    let early = c.when("2026-06-30", Command::JoinCommittee { committee: "copil".into(), who: Who::Member(m(8)), role: "x".into() });
    assert!(early.unwrap_err().message.contains("committee copil was set up on 2026-07-01, after 2026-06-30"));
    assert_eq!(c.when("2026-07-01", create("copil", None)).unwrap_err().rule, Rule::AlreadyRecorded);
    let join = |who: Who, role: &str| Command::JoinCommittee { committee: "copil".into(), who, role: role.into() };
    let chamber = Who::NewPartner(Personal { name: "Chambre d'agriculture".into(), email: None, address: None });
    let events = c.ok("2026-07-02", join(chamber, "chambre consulaire"));
    let Event::CommitteeJoined { who: partner, personal_digest: Some(_), .. } = events[0].clone() else { panic!("{events:?}") };
    assert!(c.state.partners.contains_key(&partner.partner().unwrap()), "the partner is known from then on");
    c.ok("2026-07-02", join(Who::Member(m(7)), "représentant des salariés"));
    assert_eq!(c.when("2026-07-03", join(Who::Member(m(7)), "x")).unwrap_err().rule, Rule::AlreadyRecorded);
    assert_eq!(c.when("2026-07-03", join(Who::Member(m(8)), " ")).unwrap_err().rule, Rule::InvalidValue);
    assert_eq!(
        c.when("2026-07-03", Command::JoinCommittee { committee: "nope".into(), who: Who::Member(m(8)), role: "x".into() })
            .unwrap_err()
            .rule,
        Rule::UnknownBody
    );
    let meet = |slug: &str, present: Vec<Who>| {
        Command::HoldMeeting(MeetingRecord {
            body: "copil".into(),
            meeting: slug.into(),
            present,
            decisions: vec!["Choix des cantines pilotes".into()],
            chair: None,
            secretary: None,
        })
    };
    let p = Who::Partner(partner.partner().unwrap());
    assert_eq!(c.when("2026-09-01", meet("copil-1", vec![Who::Member(m(8))])).unwrap_err().rule, Rule::NotSeated);
    assert_eq!(c.when("2026-09-01", meet("copil-1", vec![])).unwrap_err().rule, Rule::InvalidValue);
    c.ok("2026-09-01", meet("copil-1", vec![p.clone(), Who::Member(m(7))]));
    let mut only_board = meet("copil-2", vec![p.clone()]);
    if let Command::HoldMeeting(r) = &mut only_board {
        r.chair = Some(m(7));
    }
    assert_eq!(c.when("2026-09-02", only_board).unwrap_err().rule, Rule::InvalidValue, "only the board elects a chair");
    let leave = |who: Who| Command::LeaveCommittee { committee: "copil".into(), who };
    c.ok("2026-10-01", leave(Who::Member(m(7))));
    assert_eq!(c.when("2026-10-02", leave(Who::Member(m(7)))).unwrap_err().rule, Rule::NotSeated);
    assert_eq!(c.when("2026-10-02", meet("copil-2", vec![Who::Member(m(7))])).unwrap_err().rule, Rule::NotSeated, "left");
    let copil = &c.state.bodies["copil"];
    assert_eq!(copil.project.as_deref(), Some("pat"));
    assert_eq!(copil.seated(d("2026-09-30")).count(), 2);
    assert_eq!(copil.seated(d("2026-10-01")).count(), 1);
    assert_eq!(copil.meetings.len(), 1);
}

#[test]
fn an_sarl_s_members_appoint_its_gerants_who_act_as_the_board() {
    let elect_manager = |members: &[u32]| {
        let e = bodies::Election { members: members.iter().map(|n| MemberNo(*n)).collect(), office: Office::Manager, years: 4 };
        let res =
            Resolution { subject: Some(Subject::Elect(e)), ..Resolution::new("Nomination du gérant", ResolutionKind::Ordinary, true) };
        Command::Convene {
            slug: "ago".into(),
            kind: ResolutionKind::Ordinary,
            date: d("2026-06-20"),
            place: "Lons".into(),
            time: None,
            agenda: vec![res],
            second_of: None,
            edition: None,
        }
    };
    // Only an SARL has gérants.
    let sas = Coop(Founded::new(SAMPLE_STATUTES, 6, 20));
    let r = sas.when("2026-05-01", elect_manager(&[1])).unwrap_err();
    assert_eq!(r.rule, Rule::InvalidValue);
    assert!(r.message.contains("only an SARL has them (the statutes say SAS)"), "{r}");
    let text = SAMPLE_STATUTES.replace("legal_form = \"sas\"", "legal_form = \"sarl\"");
    let mut c = Coop(Founded::new(&text, 6, 20));
    let org = Command::Admit {
        personal: Personal { name: "GAEC".into(), email: None, address: None },
        kind: PartyKind::Organisation,
        category: "businesses".into(),
        shares: Some(4),
        class: None,
        paid: None,
    };
    c.ok("2020-01-02", org);
    assert_eq!(c.when("2026-05-01", elect_manager(&[7])).unwrap_err().rule, Rule::KindNotAllowed, "a gérant is a natural person");
    let by_hand = Command::AppointOfficer { person: "Zoé".into(), office: Office::Manager, member: None, personal: None };
    assert_eq!(c.when("2026-05-01", by_hand).unwrap_err().rule, Rule::ElectedOffice);
    c.ok("2026-05-01", elect_manager(&[3]));
    c.ok("2026-06-20", Command::AppointOfficers { assembly: "ago".into(), chair: m(1), secretary: m(2), scrutineers: vec![] });
    for n in 1..=6 {
        c.ok("2026-06-20", Command::Attend { assembly: "ago".into(), member: m(n), remote: false });
    }
    c.ok("2026-06-20", Command::VoteAll { assembly: "ago".into(), resolution: 1, choice: Choice::For, except: vec![] });
    c.ok("2026-06-20", Command::Close { assembly: "ago".into(), not_put_to_vote: vec![] });
    c.ok("2026-06-20", Command::Elect { assembly: "ago".into(), resolution: 1 });
    assert_eq!(c.state.board_since, Some(d("2026-06-20")), "the founders' offices lapsed with the first appointment");
    assert_eq!(c.when("2026-06-21", Command::RecordReview).unwrap_err().rule, Rule::NotEntitled);
    // The gérant holds the board's powers; another member does not.
    c.act_as(4);
    assert_eq!(c.when("2026-06-21", Command::RecordReview).unwrap_err().rule, Rule::NotEntitled);
    c.act_as(3);
    c.ok("2026-06-21", Command::RecordReview);
    assert_eq!(holders(&c.state, Office::Manager, d("2030-06-19")).len(), 1);
    assert!(holders(&c.state, Office::Manager, d("2030-06-20")).is_empty(), "four years");
    let parsed =
        parse_agenda("[[resolution]]\ntitle = \"G\"\nkind = \"ordinary\"\nelect = [3]\noffice = \"manager\"\nyears = 4\n").unwrap();
    assert!(matches!(&parsed[0].subject, Some(Subject::Elect(e)) if e.office == Office::Manager));
}
