//! Open votes recorded in bulk: a show of hands per college, and a vote of all present.

use super::*;

fn hands(college: Option<&str>, f: u64, a: u64, ab: u64, b: u64) -> Command {
    Command::CountHands {
        assembly: A.into(),
        resolution: 1,
        college: college.map(str::to_string),
        tally: BallotTally { r#for: f, against: a, abstain: ab, blank: b },
    }
}

fn all(n: u32, choice: Choice, except: &[u32]) -> Command {
    Command::VoteAll { assembly: A.into(), resolution: n, choice, except: except.iter().map(|e| m(*e)).collect() }
}

/// Members 1, 2 (workers), 4, 5 (users) and 8 (supporters) present; 6 represented by 4; 9 voted
/// by post; member 4 voted alone on resolution 1.
fn meeting() -> Coop {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(6), to: Some(m(4)) });
    c.ok("2026-06-10", Command::Postal { assembly: A.into(), member: m(9), votes: vec![(1, Choice::Against)] });
    c.attend(&[1, 2, 4, 5, 8]);
    c.vote(1, &[4], Choice::For);
    c
}

#[test]
fn a_show_of_hands_adds_up_to_the_voices_left_in_its_college() {
    let mut c = meeting();
    // Users: 5 present and 6 represented are left (4 voted alone).
    assert_eq!(c.refused(MEETING, hands(Some("users"), 2, 1, 0, 0)), Rule::HandCount, "3 hands for 2 voices");
    assert_eq!(c.refused(MEETING, hands(Some("users"), 1, 0, 0, 0)), Rule::HandCount, "1 hand for 2 voices");
    let err = c.when(MEETING, hands(Some("users"), 1, 0, 0, 0)).unwrap_err();
    assert!(err.message.contains("2 voices left to vote") && err.message.contains("1 present, 1 represented"), "{}", err.message);
    c.ok(MEETING, hands(Some("users"), 1, 1, 0, 0));
    assert_eq!(c.refused(MEETING, hands(Some("users"), 1, 1, 0, 0)), Rule::AlreadyRecorded, "one count per college");
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: A.into(), resolution: 1, member: m(5), choice: Choice::For }),
        Rule::AlreadyRecorded,
        "member 5's vote is in the users' count"
    );
    c.ok(MEETING, hands(Some("workers"), 2, 0, 0, 0));
    // Supporters: 8 present; 9's postal form is not a voice.
    assert_eq!(c.refused(MEETING, hands(Some("supporters"), 1, 1, 0, 0)), Rule::HandCount);
    c.ok(MEETING, hands(Some("supporters"), 0, 0, 1, 0));
    assert_eq!(c.refused(MEETING, hands(Some("supporters"), 0, 0, 1, 0)), Rule::AlreadyRecorded);

    let r = c.result(1);
    let t = |code: &str| r.colleges.iter().find(|t| t.code == code).map(|t| (t.r#for, t.against, t.abstain, t.blank)).unwrap();
    assert_eq!(t("workers"), (2, 0, 0, 0));
    assert_eq!(t("users"), (2, 1, 0, 0), "member 4 alone, then 1 for and 1 against by hands");
    assert_eq!(t("supporters"), (0, 1, 1, 0), "the postal form's against and one abstention by hands");
    // (30 * 2/2 + 40 * 2/3 + 30 * 0/1) / 100 = 17/30
    assert_eq!(r.for_share_exact, "17/30");
    assert!(r.adopted);
    assert_eq!(r.show_of_hands, vec!["supporters", "users", "workers"]);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![2, 3] });
}

#[test]
fn a_show_of_hands_names_a_college_of_the_statutes_and_needs_an_open_vote_and_the_quorum() {
    let c = meeting();
    assert_eq!(c.refused(MEETING, hands(None, 1, 0, 0, 0)), Rule::InvalidValue, "these statutes have colleges");
    assert_eq!(c.refused(MEETING, hands(Some("nowhere"), 1, 0, 0, 0)), Rule::InvalidValue);
    assert_eq!(c.refused(MEETING, hands(Some("workers"), 2, 1, 0, 0)).to_string(), "hand_count", "two workers present");

    let mut secret = Coop::with(&SAMPLE_STATUTES.replace("secret_ballot = false", "secret_ballot = true"), 3, 4, 3);
    secret.standard();
    secret.attend(&[1, 2]);
    assert_eq!(secret.refused(MEETING, hands(Some("workers"), 2, 0, 0, 0)), Rule::SecretBallot);
    assert_eq!(secret.refused(MEETING, all(1, Choice::For, &[])), Rule::SecretBallot);

    // One member of ten present: the ordinary quorum (1/5) needs two.
    let mut thin = Coop::new();
    thin.standard();
    thin.attend(&[1]);
    assert_eq!(thin.refused(MEETING, hands(Some("workers"), 1, 0, 0, 0)), Rule::QuorumNotReached);
    assert_eq!(thin.refused(MEETING, all(1, Choice::For, &[])), Rule::QuorumNotReached);
}

#[test]
fn without_colleges_the_whole_room_is_one_count() {
    let plain = SAMPLE_STATUTES
        .split("[[college]]")
        .next()
        .map(|head| {
            let rest = SAMPLE_STATUTES.split_once("[[category]]").unwrap().1;
            format!(
                "{head}[[category]]{}",
                rest.replace("college = \"workers\"\n", "").replace("college = \"users\"\n", "").replace("college = \"supporters\"\n", "")
            )
        })
        .unwrap();
    let mut c = Coop::with(&plain, 3, 4, 3);
    c.standard();
    c.attend(&[1, 2, 4]);
    assert_eq!(c.refused(MEETING, hands(Some("workers"), 3, 0, 0, 0)), Rule::InvalidValue, "no college to name");
    c.ok(MEETING, hands(None, 2, 1, 0, 0));
    let r = c.result(1);
    assert_eq!(r.show_of_hands, vec!["all"]);
    assert_eq!(r.for_share_exact, "2/3");
}

#[test]
fn a_vote_of_all_present_records_one_vote_each_but_those_left_out() {
    let mut c = meeting();
    c.attend(&[3]);
    assert_eq!(c.refused(MEETING, all(1, Choice::For, &[10])), Rule::NotPresent, "member 10 is absent: nothing to leave out");
    assert_eq!(c.refused(MEETING, all(1, Choice::For, &[99])), Rule::UnknownMember);
    let events = c.ok(MEETING, all(1, Choice::For, &[3]));
    let cast: Vec<(u32, Option<u32>)> = events
        .iter()
        .map(|e| match e {
            Event::VoteCast { member, by, choice: Choice::For, .. } => (member.0, by.map(|b| b.0)),
            other => panic!("{other:?}"),
        })
        .collect();
    // 4 had voted; 6 is represented by 4; 9 voted by post; 3 is left out.
    assert_eq!(cast, vec![(1, None), (2, None), (5, None), (6, Some(4)), (8, None)]);
    c.vote(1, &[3], Choice::Against);
    assert_eq!(c.refused(MEETING, all(1, Choice::For, &[])), Rule::AlreadyRecorded, "every voice is recorded");
    let r = c.result(1);
    let workers = r.colleges.iter().find(|t| t.code == "workers").unwrap();
    assert_eq!((workers.r#for, workers.against), (2, 1));
    assert!(r.show_of_hands.is_empty());
}

#[test]
fn a_vote_of_all_does_not_mix_with_a_show_of_hands_on_the_same_resolution() {
    let mut c = meeting();
    c.ok(MEETING, hands(Some("workers"), 2, 0, 0, 0));
    assert_eq!(c.refused(MEETING, all(1, Choice::For, &[])), Rule::AlreadyRecorded);
    // Another resolution is free.
    c.ok(MEETING, all(2, Choice::For, &[]));
}
