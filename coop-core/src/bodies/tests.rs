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
        for n in 1..=10 {
            self.ok(meeting, Command::Attend { assembly: slug.into(), member: m(n), remote: false });
        }
        self.ok(meeting, Command::VoteAll { assembly: slug.into(), resolution: 1, choice, except: vec![] });
        self.ok(meeting, Command::Close { assembly: slug.into(), not_put_to_vote: vec![] });
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
