//! Statute variants seen in real SCICs: a proxy cap as a share of the members, proxies kept
//! within a college, a secret ballot for named resolutions only.

use super::*;

fn with(replace: &str, by: &str) -> Coop {
    let mut c = Coop::with(&SAMPLE_STATUTES.replace(replace, by), 3, 4, 3);
    c.standard();
    c
}

fn proxy(from: u32, to: u32) -> Command {
    Command::Proxy { assembly: A.into(), from: m(from), to: Some(m(to)) }
}

#[test]
fn a_proxy_cap_as_a_share_of_the_members_rounds_down_and_is_at_least_one() {
    // Ten members on the roll: "1/5" lets a member hold two proxies.
    let mut c = with("max_proxies_per_holder = 0", "max_proxies_per_holder = \"1/5\"");
    assert_eq!(c.state.statutes.as_ref().unwrap().assembly.max_proxies_fraction, Some("1/5".parse().unwrap()));
    c.ok("2026-06-10", proxy(2, 1));
    c.ok("2026-06-10", proxy(3, 1));
    assert_eq!(c.refused("2026-06-10", proxy(4, 1)), Rule::ProxyCap, "a third proxy is above 10 × 1/5");
    // "1/20" of ten members is half a proxy: still one.
    let mut c = with("max_proxies_per_holder = 0", "max_proxies_per_holder = \"1/20\"");
    c.ok("2026-06-10", proxy(2, 1));
    assert_eq!(c.refused("2026-06-10", proxy(3, 1)), Rule::ProxyCap);
    for bad in ["\"0/20\"", "\"3/2\"", "\"half\""] {
        let text = SAMPLE_STATUTES.replace("max_proxies_per_holder = 0", &format!("max_proxies_per_holder = {bad}"));
        assert!(Statutes::from_toml(&text).is_err(), "{bad}");
    }
}

#[test]
fn proxies_may_be_kept_within_a_college() {
    // Members 1-3 are workers, 4-7 users.
    let mut c = with("secret_ballot = false", "secret_ballot = false\nproxies_same_college = true");
    let r = c.when("2026-06-10", proxy(4, 1)).unwrap_err();
    assert_eq!(r.rule, Rule::ProxyCap);
    assert!(r.message.contains("within a college") && r.message.contains("users") && r.message.contains("workers"), "{}", r.message);
    c.ok("2026-06-10", proxy(5, 4));
    // Without the clause, any member may hold it.
    let mut c = with("", "");
    c.ok("2026-06-10", proxy(4, 1));
}

#[test]
fn a_resolution_named_secret_is_voted_by_ballot_under_open_statutes() {
    let mut c = Coop::new();
    let secret_exclusion = Resolution { secret: true, ..exclude("Exclude member 3", 3) };
    c.convene(A, "2026-06-01", MEETING, vec![ord("Accounts", true), secret_exclusion], None);
    c.attend(&[1, 2, 4, 5, 8]);
    // Resolution 1 is open, resolution 2 secret.
    c.vote(1, &[1, 2, 4, 5, 8], Choice::For);
    let r = c.when(MEETING, Command::Vote { assembly: A.into(), resolution: 2, member: m(1), choice: Choice::For }).unwrap_err();
    assert_eq!(r.rule, Rule::SecretBallot);
    assert!(r.message.contains("the agenda puts this resolution to a secret ballot"), "{}", r.message);
    assert_eq!(c.refused(MEETING, Command::MarkVoter { assembly: A.into(), resolution: 1, member: m(1) }), Rule::SecretBallot);
    let hands = Command::CountHands {
        assembly: A.into(),
        resolution: 2,
        college: Some("workers".into()),
        tally: BallotTally { r#for: 2, against: 0, abstain: 0, blank: 0 },
    };
    assert_eq!(c.refused(MEETING, hands), Rule::SecretBallot, "a show of hands is not secret");
    for w in [1, 2, 4, 5, 8] {
        c.ok(MEETING, Command::MarkVoter { assembly: A.into(), resolution: 2, member: m(w) });
    }
    for (college, f, a) in [("workers", 2, 0), ("users", 1, 1), ("supporters", 1, 0)] {
        let count = BallotTally { r#for: f, against: a, abstain: 0, blank: 0 };
        c.ok(MEETING, Command::CountBallots { assembly: A.into(), resolution: 2, college: Some(college.into()), tally: count });
    }
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    let a = &c.state.assemblies[A];
    assert!(a.votes.get(&2).is_none_or(|v| v.is_empty()), "no vote on resolution 2 links a member to a choice");
    assert_eq!(a.votes[&1].len(), 5);
    // (30 × 2/2 + 40 × 1/2 + 30 × 1/1) / 100 = 4/5
    assert_eq!(c.result(2).for_share_exact, "4/5");
    let parsed = parse_agenda("[[resolution]]\ntitle = \"Élection\"\nkind = \"ordinary\"\nsecret = true\n").unwrap();
    assert!(parsed[0].secret);
}

#[test]
fn a_college_block_vote_adopts_when_the_colleges_for_weigh_the_threshold() {
    let block = "college_method = \"block\"\ncollege_block_threshold = \"3/5\"";
    let mut c = with("college_method = \"proportional\"", block);
    c.attend(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Workers (30 %) 2 for 1 against: for. Users (40 %) 1 for 3 against: against.
    // Supporters (30 %) 2 for: for. 60 % of the weight is for: exactly the threshold.
    c.vote(1, &[1, 2, 5, 8, 9], Choice::For);
    c.vote(1, &[3, 4, 6, 7], Choice::Against);
    let r = c.result(1);
    assert_eq!(r.for_share_exact, "3/5");
    assert!(r.adopted, "3/5 of the weight meets a threshold of 3/5");
    assert_eq!(r.majority, ">= 3/5");
    // Extraordinary resolution 2: each college by two thirds. Workers 2 of 3 for: for (2/3
    // meets ">= 2/3"); users 3 of 4: for; supporters 1 for 1 against: against. 70 %: adopted.
    c.vote(2, &[1, 2, 4, 5, 6, 8], Choice::For);
    c.vote(2, &[3, 7, 9], Choice::Against);
    let r = c.result(2);
    assert_eq!(r.for_share_exact, "7/10");
    assert!(r.adopted);
    // Resolution 3: supporters against too: 30 % for, rejected.
    c.vote(3, &[1, 2, 5], Choice::For);
    c.vote(3, &[3, 4, 6, 7, 8, 9], Choice::Against);
    assert!(!c.result(3).adopted);
    // The threshold is required with the block method, and only there.
    assert!(Statutes::from_toml(&SAMPLE_STATUTES.replace("college_method = \"proportional\"", "college_method = \"block\"")).is_err());
    assert!(Statutes::from_toml(
        &SAMPLE_STATUTES
            .replace("college_method = \"proportional\"", "college_method = \"proportional\"\ncollege_block_threshold = \"3/5\"")
    )
    .is_err());
}

#[test]
fn a_quorum_weighted_by_college_counts_each_college_by_its_weight() {
    // 2 workers (30 %), 6 users (40 %), 2 supporters (30 %); ordinary quorum 1/5.
    let statutes = SAMPLE_STATUTES.replace("secret_ballot = false", "secret_ballot = false\nquorum_by_college = true");
    let mut c = Coop::with(&statutes, 2, 6, 2);
    c.standard();
    // Two users present: 2 of 10 per head would do, but weighted 40 % × 2/6 = 2/15 < 1/5.
    c.attend(&[3, 4]);
    let q = c.quorum(ResolutionKind::Ordinary);
    assert_eq!((q.counted, q.required, q.reached), (2, 2, false));
    assert_eq!(q.weighted_share.as_deref(), Some("2/15"));
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: A.into(), resolution: 1, member: m(3), choice: Choice::For }),
        Rule::QuorumNotReached
    );
    // A worker comes: 30 % × 1/2 + 2/15 = 17/60 ≥ 1/5.
    c.attend(&[1]);
    let q = c.quorum(ResolutionKind::Ordinary);
    assert!(q.reached);
    assert_eq!(q.weighted_share.as_deref(), Some("17/60"));
    c.vote(1, &[1, 3, 4], Choice::For);
    // Per head as before without the clause.
    let mut plain = Coop::with(SAMPLE_STATUTES, 2, 6, 2);
    plain.standard();
    plain.attend(&[3, 4]);
    assert!(plain.quorum(ResolutionKind::Ordinary).reached);
    assert_eq!(plain.quorum(ResolutionKind::Ordinary).weighted_share, None);
}
