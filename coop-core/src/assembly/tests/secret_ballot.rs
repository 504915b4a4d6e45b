//! Secret ballots: voters marked, ballots counted per college, never linked.

use super::*;

fn secret() -> Coop {
    let mut c = Coop::with(&SAMPLE_STATUTES.replace("secret_ballot = false", "secret_ballot = true"), 3, 4, 3);
    c.standard();
    c
}

fn mark(c: &mut Coop, n: u32, who: &[u32]) {
    for w in who {
        c.ok(MEETING, Command::MarkVoter { assembly: A.into(), resolution: n, member: m(*w) });
    }
}

fn count(college: &str, f: u64, a: u64, ab: u64, b: u64) -> Command {
    Command::CountBallots {
        assembly: A.into(),
        resolution: 1,
        college: Some(college.into()),
        tally: BallotTally { r#for: f, against: a, abstain: ab, blank: b },
    }
}

#[test]
fn voters_are_marked_and_ballots_counted_per_college_never_linked() {
    let mut c = secret();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(4)) });
    c.attend(&[1, 2, 4]);
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: A.into(), resolution: 1, member: m(1), choice: Choice::For }),
        Rule::SecretBallot
    );
    mark(&mut c, 1, &[1, 2, 4, 5]);
    assert_eq!(c.refused(MEETING, Command::MarkVoter { assembly: A.into(), resolution: 1, member: m(1) }), Rule::AlreadyRecorded);
    assert_eq!(c.refused(MEETING, count("users", 2, 1, 0, 0)), Rule::BallotCount, "only 2 users voted");
    assert_eq!(c.refused(MEETING, count("nowhere", 1, 0, 0, 0)), Rule::InvalidValue);
    c.ok(MEETING, count("workers", 1, 1, 0, 0));
    assert_eq!(
        c.refused(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] }),
        Rule::BallotCount,
        "users' ballots not counted yet"
    );
    c.ok(MEETING, count("users", 1, 0, 1, 0));
    let r = c.result(1);
    let users = r.colleges.iter().find(|t| t.code == "users").unwrap();
    assert_eq!((users.r#for, users.against, users.abstain), (1, 0, 1));
    // (30 * 1/2 + 40 * 1/1) / 70 = 55/70 = 11/14
    assert_eq!(r.for_share_exact, "11/14");
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![2, 3] });
    // No event links a member to a choice.
    let a = &c.state.assemblies[A];
    assert!(a.votes.is_empty());
    assert_eq!(a.voted[&1].len(), 4, "the roll still shows who voted");
}

#[test]
fn open_statutes_have_no_ballots() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2]);
    assert_eq!(c.refused(MEETING, Command::MarkVoter { assembly: A.into(), resolution: 1, member: m(1) }), Rule::SecretBallot);
    assert_eq!(c.refused(MEETING, count("workers", 1, 0, 0, 0)), Rule::SecretBallot);
}
