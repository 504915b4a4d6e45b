//! Given/when/then tests of general assemblies: convocation, roll, proxies, postal votes,
//! quorum, college-weighted results, and the decisions they allow.

use chrono::NaiveDate;

use crate::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

fn ctx(n: u128) -> Context {
    Context { today: d("2026-11-28"), fresh_id: ulid::Ulid(n), salt: "s".into(), actor: "secretary".into(), number: None, signer: None }
}

struct Coop {
    state: State,
    n: u128,
}

fn m(n: u32) -> MemberRef {
    MemberRef::Number(MemberNo(n))
}

const A: &str = "ago-2026";
const MEETING: &str = "2026-06-20";

impl Coop {
    fn with(statutes: &str, employees: u32, users: u32, volunteers: u32) -> Coop {
        let st = Statutes::from_toml(statutes).unwrap();
        let mut c = Coop { state: State::default(), n: 1 };
        c.ok(&st.founded.to_string(), Command::Found { statutes: Box::new(st.clone()), founder: None });
        for (cat, count) in [("employees", employees), ("beneficiaries", users), ("volunteers", volunteers)] {
            for i in 0..count {
                c.ok(
                    "2020-01-01",
                    Command::Admit {
                        personal: Personal { name: format!("{cat}{i}"), email: None, address: None },
                        kind: PartyKind::Person,
                        category: cat.into(),
                        shares: None,
                        class: None,
                        paid: None,
                    },
                );
            }
        }
        c
    }
    /// 3 employees (1-3, workers 30 %), 4 beneficiaries (4-7, users 40 %), 3 volunteers (8-10, supporters 30 %).
    fn new() -> Coop {
        Coop::with(SAMPLE_STATUTES, 3, 4, 3)
    }
    fn when(&self, date: &str, cmd: Command) -> Result<Vec<Event>, Refusal> {
        decide(&self.state, d(date), &cmd, &ctx(self.n))
    }
    fn ok(&mut self, date: &str, cmd: Command) -> Vec<Event> {
        let ev = self.when(date, cmd.clone()).unwrap_or_else(|r| panic!("{cmd:?}: {r}"));
        for e in &ev {
            crate::state::apply_checked(&mut self.state, d(date), e);
        }
        self.n += 1;
        ev
    }
    fn refused(&self, date: &str, cmd: Command) -> Rule {
        match self.when(date, cmd) {
            Ok(e) => panic!("expected a refusal, got {e:?}"),
            Err(r) => r.rule,
        }
    }
    fn convene(&mut self, slug: &str, sent: &str, meeting: &str, agenda: Vec<Resolution>, second_of: Option<&str>) {
        self.ok(
            sent,
            Command::Convene {
                time: None,
                slug: slug.into(),
                kind: ResolutionKind::Ordinary,
                date: d(meeting),
                place: "Salle des fêtes".into(),
                agenda,
                second_of: second_of.map(String::from),
                edition: None,
            },
        );
        // The meeting's officers, which votes and closing need (tested on their own below).
        self.ok(sent, Command::AppointOfficers { assembly: slug.into(), chair: m(1), secretary: m(2), scrutineers: vec![m(4)] });
    }
    /// Convenes assembly A on 2026-06-01 for the meeting, recording no officers.
    fn convene_bare(&mut self, kind: ResolutionKind, agenda: Vec<Resolution>, edition: Option<u8>) {
        let cmd =
            Command::Convene { time: None, slug: A.into(), kind, date: d(MEETING), place: "Lons".into(), agenda, second_of: None, edition };
        self.ok("2026-06-01", cmd);
    }
    fn standard(&mut self) {
        self.convene(
            A,
            "2026-06-01",
            MEETING,
            vec![ord("Accounts", true), amend("Amend article 12", &notice_21()), exclude("Exclude member 3", 3)],
            None,
        );
    }
    fn attend(&mut self, who: &[u32]) {
        for w in who {
            self.ok(MEETING, Command::Attend { assembly: A.into(), member: m(*w), remote: false });
        }
    }
    fn vote(&mut self, n: u32, who: &[u32], choice: Choice) {
        for w in who {
            self.ok(MEETING, Command::Vote { assembly: A.into(), resolution: n, member: m(*w), choice });
        }
    }
    fn result(&self, n: u32) -> ResolutionResult {
        let st = self.state.statutes.as_ref().unwrap();
        results(&self.state, st, &self.state.assemblies[A]).remove(n as usize - 1)
    }
    fn quorum(&self, kind: ResolutionKind) -> Quorum {
        quorum(&self.state, self.state.statutes.as_ref().unwrap(), &self.state.assemblies[A], kind)
    }
}

/// The sample statutes with 21 days' notice: the text resolution 2 of the standard agenda adopts.
fn notice_21() -> String {
    SAMPLE_STATUTES.replace("notice_days = 15", "notice_days = 21")
}

fn amend(title: &str, text: &str) -> Resolution {
    let proposal = Proposal { file: "statutes-2027.toml".into(), sha256: sha256_hex(text.as_bytes()), text: text.into() };
    Resolution { subject: Some(Subject::Amend(proposal)), ..ext(title, true) }
}

fn exclude(title: &str, member: u32) -> Resolution {
    Resolution { subject: Some(Subject::Exclude(MemberNo(member))), ..ext(title, false) }
}

fn ord(title: &str, board: bool) -> Resolution {
    Resolution::new(title, ResolutionKind::Ordinary, board)
}
fn ext(title: &str, board: bool) -> Resolution {
    Resolution::new(title, ResolutionKind::Extraordinary, board)
}

#[test]
fn notice_is_fifteen_days_on_first_convocation() {
    let c = Coop::new();
    let cmd = || Command::Convene {
        time: None,
        slug: A.into(),
        kind: ResolutionKind::Ordinary,
        date: d(MEETING),
        place: "Lons".into(),
        agenda: vec![ord("Accounts", true)],
        second_of: None,
        edition: None,
    };
    assert!(c.when("2026-06-05", cmd()).is_ok(), "exactly 15 days");
    assert_eq!(c.refused("2026-06-06", cmd()), Rule::NoticePeriod);
}

#[test]
fn a_second_convocation_follows_a_first_that_met_without_quorum_on_its_agenda_with_ten_days_notice() {
    let second = |meeting: &str, of: &str, agenda: Vec<Resolution>| Command::Convene {
        time: None,
        slug: "ago-2026-2".into(),
        kind: ResolutionKind::Ordinary,
        date: d(meeting),
        place: "Lons".into(),
        agenda,
        second_of: Some(of.into()),
        edition: None,
    };
    let mut c = Coop::new();
    c.standard();
    let agenda = c.state.assemblies[A].agenda.clone();
    // Not before the first has met and its lack of quorum is recorded.
    assert_eq!(c.refused("2026-06-05", second("2026-07-01", A, agenda.clone())), Rule::SecondConvocation);
    c.attend(&[1]); // 1 of 10: below 1/5 and 1/4
    assert_eq!(c.refused(MEETING, second("2026-07-01", A, agenda.clone())), Rule::SecondConvocation, "not closed yet");
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    assert_eq!(c.refused("2026-06-22", second("2026-07-01", A, agenda.clone())), Rule::NoticePeriod);
    assert_eq!(c.refused("2026-06-21", second("2026-07-01", A, vec![ord("Accounts", true)])), Rule::SecondConvocation, "another agenda");
    assert!(c.when("2026-06-21", second("2026-07-01", A, agenda.clone())).is_ok());
    assert_eq!(c.refused("2026-06-21", second("2026-07-01", "nope", agenda.clone())), Rule::UnknownAssembly);

    // An assembly that reached every quorum has no second convocation.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 4]);
    for n in 1..=3 {
        c.vote(n, &[1, 2, 4], Choice::For);
    }
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    assert_eq!(c.refused("2026-06-21", second("2026-07-01", A, agenda.clone())), Rule::SecondConvocation);

    // One that reached the ordinary quorum only puts its extraordinary resolutions again.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2]);
    c.vote(1, &[1, 2], Choice::For);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    assert_eq!(c.refused("2026-06-21", second("2026-07-01", A, agenda.clone())), Rule::SecondConvocation);
    assert!(c.when("2026-06-21", second("2026-07-01", A, agenda[1..].to_vec())).is_ok());
}

#[test]
fn the_roll_holds_members_on_the_assembly_date_in_their_college_then() {
    let mut c = Coop::new();
    c.ok("2026-05-01", Command::Withdraw { member: m(10) });
    c.ok("2026-05-02", Command::Move { member: m(4), category: "volunteers".into() });
    c.standard();
    c.ok(
        "2026-06-25",
        Command::Admit {
            personal: Personal { name: "late".into(), email: None, address: None },
            kind: PartyKind::Person,
            category: "employees".into(),
            shares: None,
            class: None,
            paid: None,
        },
    );
    let roll = roll(&c.state, &c.state.assemblies[A]);
    assert_eq!(roll.len(), 9, "10 members, one withdrew before, one joined after");
    assert_eq!(roll.iter().find(|e| e.member == MemberNo(4)).unwrap().college.as_deref(), Some("supporters"));
    assert_eq!(c.refused(MEETING, Command::Attend { assembly: A.into(), member: m(11), remote: false }), Rule::NotOnRoll);
    assert_eq!(c.refused(MEETING, Command::Attend { assembly: A.into(), member: m(10), remote: false }), Rule::NotOnRoll);
}

#[test]
fn proxies_go_one_level_deep_to_a_member_on_the_roll_within_the_cap() {
    let text = SAMPLE_STATUTES.replace("max_proxies_per_holder = 0", "max_proxies_per_holder = 2");
    let mut c = Coop::with(&text, 3, 4, 3);
    c.standard();
    let proxy = |from: u32, to: Option<u32>| Command::Proxy { assembly: A.into(), from: m(from), to: to.map(m) };
    c.ok("2026-06-10", proxy(2, Some(1)));
    assert_eq!(c.refused("2026-06-10", proxy(1, Some(3))), Rule::ProxyChain, "a holder cannot delegate");
    assert_eq!(c.refused("2026-06-10", proxy(3, Some(2))), Rule::ProxyChain, "a delegator cannot hold");
    assert_eq!(c.refused("2026-06-10", proxy(2, Some(3))), Rule::AlreadyRecorded);
    c.ok("2026-06-10", proxy(4, Some(1)));
    assert_eq!(c.refused("2026-06-10", proxy(5, Some(1))), Rule::ProxyCap);
    assert_eq!(c.refused("2026-06-10", proxy(5, Some(99))), Rule::UnknownMember);
    assert_eq!(c.refused("2026-06-21", proxy(5, None)), Rule::AssemblyDate);
}

#[test]
fn a_blank_proxy_votes_for_board_resolutions_and_against_the_others() {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(4), to: None });
    c.attend(&[1, 2, 3]);
    c.vote(1, &[1, 2, 3], Choice::Abstain);
    c.vote(3, &[1, 2, 3], Choice::Abstain);
    let users = |r: &ResolutionResult| r.colleges.iter().find(|t| t.code == "users").unwrap().clone();
    assert_eq!((users(&c.result(1)).r#for, users(&c.result(1)).against), (1, 0));
    assert_eq!((users(&c.result(3)).r#for, users(&c.result(3)).against), (0, 1));
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: A.into(), resolution: 1, member: m(4), choice: Choice::Against }),
        Rule::AlreadyRecorded
    );
}

#[test]
fn attending_in_person_revokes_ones_proxy() {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(2), to: Some(m(1)) });
    let ev = c.ok(MEETING, Command::Attend { assembly: A.into(), member: m(2), remote: false });
    assert!(matches!(ev[0], Event::ProxyRevoked { from: MemberNo(2), .. }));
    assert!(c.state.assemblies[A].proxies.is_empty());
}

#[test]
fn a_proxy_holder_votes_for_each_delegator_in_the_delegators_college() {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(8), to: Some(m(1)) });
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: A.into(), resolution: 1, member: m(8), choice: Choice::For }),
        Rule::QuorumNotReached
    );
    c.attend(&[1]);
    c.ok(MEETING, Command::Attend { assembly: A.into(), member: m(2), remote: true });
    let ev = c.ok(MEETING, Command::Vote { assembly: A.into(), resolution: 1, member: m(8), choice: Choice::For });
    assert!(matches!(ev[0], Event::VoteCast { by: Some(MemberNo(1)), .. }));
    let r = c.result(1);
    assert_eq!(r.colleges.iter().find(|t| t.code == "supporters").unwrap().r#for, 1);
    assert_eq!(r.colleges.iter().find(|t| t.code == "workers").unwrap().r#for, 0);
}

#[test]
fn postal_forms_count_if_received_three_days_before_and_abstentions_are_not_cast() {
    let mut c = Coop::new();
    c.standard();
    let form = |votes: Vec<(u32, Choice)>| Command::Postal { assembly: A.into(), member: m(4), votes };
    assert_eq!(c.refused("2026-06-18", form(vec![(1, Choice::For)])), Rule::PostalDeadline);
    assert_eq!(c.refused("2026-06-17", form(vec![(9, Choice::For)])), Rule::UnknownResolution);
    c.ok("2026-06-17", form(vec![(1, Choice::Abstain), (2, Choice::For)]));
    assert_eq!(c.refused(MEETING, Command::Attend { assembly: A.into(), member: m(4), remote: false }), Rule::AlreadyRecorded);
    c.attend(&[1]);
    c.vote(1, &[1], Choice::For);
    let r = c.result(1);
    let users = r.colleges.iter().find(|t| t.code == "users").unwrap();
    assert_eq!((users.r#for, users.against, users.abstain), (0, 0, 1));
    // Only workers cast votes: the users' abstention does not dilute the result.
    assert_eq!(r.for_share, 1.0);
    assert!(r.adopted);
}

#[test]
fn quorum_exactly_reached_allows_votes_and_one_short_does_not() {
    // 10 members; extraordinary quorum 1/4 on first convocation: 3 members needed.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2]);
    let q = c.quorum(ResolutionKind::Extraordinary);
    assert_eq!((q.eligible, q.counted, q.required, q.reached), (10, 2, 3, false));
    assert!(c.quorum(ResolutionKind::Ordinary).reached, "2 of 10 is exactly 1/5");
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: A.into(), resolution: 2, member: m(1), choice: Choice::For }),
        Rule::QuorumNotReached
    );
    c.ok("2026-06-10", Command::Postal { assembly: A.into(), member: m(9), votes: vec![] });
    let q = c.quorum(ResolutionKind::Extraordinary);
    assert_eq!((q.present, q.postal, q.counted, q.reached), (2, 1, 3, true));
    c.vote(2, &[1], Choice::For);
}

#[test]
fn a_proxy_whose_holder_is_absent_is_not_counted() {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(4), to: Some(m(5)) });
    assert_eq!(c.quorum(ResolutionKind::Ordinary).represented, 0);
    c.attend(&[5]);
    assert_eq!(c.quorum(ResolutionKind::Ordinary).represented, 1);
}

#[test]
fn weighted_results_share_an_absent_colleges_weight_pro_rata() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 3, 4, 5, 6, 7]);
    // Workers (30 %): 2 for, 1 against. Users (40 %): 1 for, 3 against. Supporters: no vote.
    c.vote(1, &[1, 2], Choice::For);
    c.vote(1, &[3], Choice::Against);
    c.vote(1, &[4], Choice::For);
    c.vote(1, &[5, 6, 7], Choice::Against);
    let r = c.result(1);
    // (30 * 2/3 + 40 * 1/4) / 70 = 30/70 = 3/7.
    assert_eq!(r.for_share_exact, "3/7");
    assert!(!r.adopted);
    let workers = r.colleges.iter().find(|t| t.code == "workers").unwrap();
    assert!((workers.effective_weight_percent - 300.0 / 7.0).abs() < 1e-9);
    assert_eq!(r.colleges.iter().find(|t| t.code == "supporters").unwrap().effective_weight_percent, 0.0);
}

#[test]
fn exactly_half_fails_an_ordinary_resolution_and_exactly_two_thirds_passes_an_extraordinary_one() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 3, 4, 5, 6, 7]);
    // Only the users' college votes on 1: 2 for, 2 against = exactly 1/2.
    c.vote(1, &[4, 5], Choice::For);
    c.vote(1, &[6, 7], Choice::Against);
    let r = c.result(1);
    assert_eq!(r.for_share_exact, "1/2");
    assert!(!r.adopted, "an ordinary resolution needs strictly more than half");
    // Only workers vote on 2: 2 for, 1 against = exactly 2/3.
    c.vote(2, &[1, 2], Choice::For);
    c.vote(2, &[3], Choice::Against);
    let r = c.result(2);
    assert_eq!(r.for_share_exact, "2/3");
    assert!(r.adopted, "an extraordinary resolution needs at least two thirds");
}

#[test]
fn the_majority_method_gives_a_college_its_whole_weight() {
    let text = SAMPLE_STATUTES.replace("college_method = \"proportional\"", "college_method = \"majority\"");
    let mut c = Coop::with(&text, 3, 4, 3);
    c.standard();
    c.attend(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    c.vote(1, &[1, 2], Choice::For); // workers 30: for
    c.vote(1, &[3], Choice::Against);
    c.vote(1, &[4, 5], Choice::For); // users 40: tie, half each
    c.vote(1, &[6, 7], Choice::Against);
    c.vote(1, &[8, 9, 10], Choice::Against); // supporters 30: against
    assert_eq!(c.result(1).for_share_exact, "1/2"); // (30 + 20) / 100
}

/// The sample statutes without colleges: one member, one vote.
fn without_colleges() -> String {
    let mut text = String::new();
    let mut skip = false;
    for line in SAMPLE_STATUTES.lines() {
        if line == "[[college]]" {
            skip = true;
            continue;
        }
        if skip && (line.starts_with("code") || line.starts_with("weight_percent") || line.starts_with("name") || line.is_empty()) {
            if line.is_empty() {
                skip = false;
            }
            continue;
        }
        if line.starts_with("college =") {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[test]
fn without_colleges_it_is_one_member_one_vote() {
    let mut c = Coop::with(&without_colleges(), 3, 4, 3);
    c.standard();
    c.attend(&[1, 2, 3, 4, 5]);
    c.vote(1, &[1, 2, 3], Choice::For);
    c.vote(1, &[4, 5], Choice::Against);
    let r = c.result(1);
    assert_eq!(r.for_share_exact, "3/5");
    assert_eq!(r.colleges.len(), 1);
}

#[test]
fn votes_are_once_per_member_on_the_agenda_and_nothing_after_closing() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 3]);
    c.vote(1, &[1], Choice::For);
    let vote = |n: u32, who: u32| Command::Vote { assembly: A.into(), resolution: n, member: m(who), choice: Choice::For };
    assert_eq!(c.refused(MEETING, vote(1, 1)), Rule::AlreadyRecorded);
    assert_eq!(c.refused(MEETING, vote(4, 1)), Rule::UnknownResolution);
    assert_eq!(c.refused(MEETING, vote(1, 5)), Rule::NotPresent);
    assert_eq!(c.refused("2026-06-21", vote(1, 2)), Rule::AssemblyDate);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![2, 3] });
    assert_eq!(c.refused(MEETING, vote(1, 2)), Rule::AssemblyClosed);
    assert_eq!(c.refused(MEETING, Command::Attend { assembly: A.into(), member: m(5), remote: false }), Rule::AssemblyClosed);
    assert_eq!(
        c.refused(MEETING, Command::Vote { assembly: "nope".into(), resolution: 1, member: m(1), choice: Choice::For }),
        Rule::UnknownAssembly
    );
}

#[test]
fn exclusion_and_amendment_need_an_adopted_extraordinary_resolution_of_a_closed_assembly() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 4, 5, 8]);
    for n in 1..=3 {
        c.vote(n, &[1, 2, 4, 5, 8], Choice::For);
    }
    let exclude = |who: u32, n: u32| Command::Exclude { member: m(who), assembly: A.into(), resolution: n };
    assert_eq!(c.refused(MEETING, exclude(3, 3)), Rule::NoDecision, "not closed yet");
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    assert_eq!(c.refused(MEETING, exclude(3, 1)), Rule::NoDecision, "ordinary");
    assert_eq!(c.refused(MEETING, exclude(3, 7)), Rule::UnknownResolution);
    let ev = c.ok(MEETING, exclude(3, 3));
    assert!(matches!(&ev[0], Event::MemberExcluded { member: MemberNo(3), .. }));
    let text = notice_21();
    let amended = Statutes::from_toml(&text).unwrap();
    let amend =
        |sha: &str| Command::Amend { statutes: Box::new(amended.clone()), sha256: Some(sha.into()), assembly: A.into(), resolution: 2 };
    c.ok("2026-06-21", amend(&sha256_hex(text.as_bytes())));
    assert_eq!(c.state.statutes.as_ref().unwrap().assembly.notice_days, 21);
    // A rejected resolution decides nothing.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 4]);
    c.vote(1, &[1, 2, 4], Choice::For);
    c.vote(2, &[1, 2, 4], Choice::Against);
    c.vote(3, &[1, 2, 4], Choice::Against);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    assert_eq!(c.refused(MEETING, amend(&sha256_hex(text.as_bytes()))), Rule::NoDecision);
}

#[test]
fn a_resolution_decides_the_subject_its_agenda_names_and_only_once() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 4, 5, 8]);
    for n in 1..=3 {
        c.vote(n, &[1, 2, 4, 5, 8], Choice::For);
    }
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    let exclude = |who: u32, n: u32| Command::Exclude { member: m(who), assembly: A.into(), resolution: n };
    // A typo in the member number excludes no one: resolution 3 names member 3.
    assert_eq!(c.refused(MEETING, exclude(4, 3)), Rule::NoDecision);
    // The amendment's resolution excludes no one.
    assert_eq!(c.refused(MEETING, exclude(3, 2)), Rule::NoDecision);
    let text = notice_21();
    let voted = Statutes::from_toml(&text).unwrap();
    let amend = |st: &Statutes, sha: Option<String>| Command::Amend {
        statutes: Box::new(st.clone()),
        sha256: sha,
        assembly: A.into(),
        resolution: 2,
    };
    let sha = Some(sha256_hex(text.as_bytes()));
    // Only the file the assembly voted, by its SHA-256.
    assert_eq!(c.refused(MEETING, amend(&voted, None)), Rule::NoDecision);
    assert_eq!(c.refused(MEETING, amend(&voted, Some(sha256_hex(b"another text")))), Rule::NoDecision);
    let other = Statutes::from_toml(&SAMPLE_STATUTES.replace("notice_days = 15", "notice_days = 30")).unwrap();
    assert_eq!(c.refused(MEETING, amend(&other, sha.clone())), Rule::NoDecision, "the digest of the voted file, other statutes");
    // The exclusion's resolution amends nothing.
    let r = c
        .when(MEETING, Command::Amend { statutes: Box::new(voted.clone()), sha256: sha.clone(), assembly: A.into(), resolution: 3 })
        .unwrap_err();
    assert_eq!(r.rule, Rule::NoDecision);
    assert!(r.message.contains("exclusion of member 3"), "{}", r.message);
    // Once each.
    c.ok(MEETING, amend(&voted, sha.clone()));
    assert_eq!(c.refused("2026-06-21", amend(&voted, sha.clone())), Rule::AlreadyRecorded);
    c.ok(MEETING, exclude(3, 3));

    // An extraordinary resolution with no subject excludes no one and amends nothing.
    let mut c = Coop::new();
    c.convene(A, "2026-06-01", MEETING, vec![ext("Modification de l'article 14", true)], None);
    c.attend(&[1, 2, 4, 5, 8]);
    c.vote(1, &[1, 2, 4, 5, 8], Choice::For);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    let r = c.when(MEETING, exclude(7, 1)).unwrap_err();
    assert_eq!(r.rule, Rule::NoDecision);
    assert!(r.message.contains("names no subject"), "{}", r.message);
    assert_eq!(
        c.refused(MEETING, Command::Amend { statutes: Box::new(voted.clone()), sha256: sha.clone(), assembly: A.into(), resolution: 1 }),
        Rule::NoDecision
    );

    // An assembly recorded under the rules before subjects (edition 0) decides as it did then.
    let mut c = Coop::new();
    c.convene_bare(ResolutionKind::Extraordinary, vec![ext("Modification de l'article 14", true)], Some(0));
    c.attend(&[1, 2, 4, 5, 8]);
    c.vote(1, &[1, 2, 4, 5, 8], Choice::For);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    c.ok(MEETING, exclude(7, 1));
    c.ok(MEETING, exclude(9, 1));
}

#[test]
fn an_agenda_subject_must_be_decidable_when_convened() {
    let c = Coop::new();
    let convene = |agenda: Vec<Resolution>| Command::Convene {
        time: None,
        slug: A.into(),
        kind: ResolutionKind::Extraordinary,
        date: d(MEETING),
        place: "Lons".into(),
        agenda,
        second_of: None,
        edition: None,
    };
    assert_eq!(c.refused("2026-06-01", convene(vec![exclude("Exclusion", 99)])), Rule::UnknownMember);
    let mut tampered = amend("Statuts", &notice_21());
    if let Some(Subject::Amend(p)) = &mut tampered.subject {
        p.text.push_str("\n# changed after hashing\n");
    }
    assert_eq!(c.refused("2026-06-01", convene(vec![tampered])), Rule::InvalidStatutes);
    let accounts_ext = Resolution { subject: Some(Subject::Accounts(2025)), ..ext("Comptes", true) };
    assert_eq!(c.refused("2026-06-01", convene(vec![accounts_ext])), Rule::InvalidValue);
    let mut future = convene(vec![ord("Comptes", true)]);
    if let Command::Convene { edition, .. } = &mut future {
        *edition = Some(ASSEMBLY_EDITION + 1);
    }
    assert_eq!(c.refused("2026-06-01", future), Rule::InvalidValue);
}

#[test]
fn an_amendment_may_not_drop_a_category_that_still_has_members() {
    let mut c = Coop::new();
    let dropped = SAMPLE_STATUTES.replace("code = \"volunteers\"\nrole = \"volunteers\"", "code = \"friends\"\nrole = \"volunteers\"");
    c.convene(A, "2026-06-01", MEETING, vec![amend("Catégories", &dropped)], None);
    c.attend(&[1, 2, 4]);
    c.vote(1, &[1, 2, 4], Choice::For);
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    let st = Statutes::from_toml(&dropped).unwrap();
    let cmd = Command::Amend { statutes: Box::new(st), sha256: Some(sha256_hex(dropped.as_bytes())), assembly: A.into(), resolution: 1 };
    assert_eq!(c.refused(MEETING, cmd), Rule::InvalidStatutes);
}

#[test]
fn compliance_requires_each_years_accounts_approved_within_six_months_and_a_review_every_five_years() {
    let mut c = Coop::new(); // founded 2016-06-30, financial years ending on 12-31
                             // The years the finding lists.
    let overdue = |c: &Coop, day: &str| -> String {
        let message =
            compliance(&c.state, d(day)).into_iter().find(|f| f.code == "annual_assembly_overdue").map(|f| f.message).unwrap_or_default();
        message.split("ending in ").nth(1).and_then(|t| t.split(" were").next()).unwrap_or_default().to_string()
    };
    let accounts = |year: i32| Resolution { subject: Some(Subject::Accounts(year)), ..ord(&format!("Comptes {year}"), true) };
    let hold = |c: &mut Coop, slug: &str, sent: &str, day: &str, agenda: Vec<Resolution>, present: &[u32]| {
        c.convene(slug, sent, day, agenda.clone(), None);
        for w in present {
            c.ok(day, Command::Attend { assembly: slug.into(), member: m(*w), remote: false });
        }
        let reached = present.len() >= 2;
        for n in 1..=agenda.len() as u32 {
            for w in present.iter().filter(|_| reached) {
                c.ok(day, Command::Vote { assembly: slug.into(), resolution: n, member: m(*w), choice: Choice::For });
            }
        }
        c.ok(day, Command::Close { assembly: slug.into(), not_put_to_vote: vec![] });
    };
    // Every year since the founding is due: none was approved in coop.
    let before = overdue(&c, "2025-07-01");
    assert!(before.contains("2016, 2017") && before.contains("2024"), "{before}");
    // An assembly nobody attended, with a single item of information, approves nothing.
    hold(&mut c, "info-2025", "2025-05-01", "2025-06-10", vec![ord("Information", true)], &[]);
    assert_eq!(overdue(&c, "2025-07-01"), before);
    // Nor does an adopted ordinary resolution that is not the year's accounts.
    hold(&mut c, "ago-2025", "2025-05-02", "2025-06-11", vec![ord("Information", true)], &[1, 2]);
    assert_eq!(overdue(&c, "2025-07-01"), before);
    // The 2024 accounts approved in time: 2024 is no longer listed.
    hold(&mut c, "ago-2025-b", "2025-05-03", "2025-06-12", vec![accounts(2024)], &[1, 2]);
    let after = overdue(&c, "2025-07-01");
    assert!(after.contains("2023") && !after.contains("2024"), "{after}");
    // Approved late (after 2026-06-30), the 2025 accounts stay listed.
    assert!(!overdue(&c, "2026-06-30").contains("2025"), "2025 still has until 06-30");
    hold(&mut c, "ago-2026-late", "2026-06-15", "2026-07-02", vec![accounts(2025)], &[1, 2]);
    assert!(overdue(&c, "2026-07-03").contains("2025"));
    // The five-year review.
    let codes = |c: &Coop, day: &str| compliance(&c.state, d(day)).into_iter().map(|f| f.code).collect::<Vec<_>>();
    assert!(codes(&c, "2026-07-01").contains(&"review_overdue"), "founded 2016, never reviewed");
    c.ok("2024-03-01", Command::RecordReview);
    assert!(!codes(&c, "2029-03-01").contains(&"review_overdue"));
    assert!(codes(&c, "2029-03-02").contains(&"review_overdue"));
}

#[test]
fn public_bodies_at_exactly_their_cap_are_flagged() {
    let mut c = Coop::new(); // 10 persons with 1 share of 50 euros (500 euros)
    let admit = Command::Admit {
        personal: Personal { name: "Commune".into(), email: None, address: None },
        kind: PartyKind::PublicBody,
        category: "public".into(),
        shares: Some(10),
        class: None,
        paid: None,
    };
    c.ok("2021-01-01", admit);
    let public = c.state.capital.public_subscribed;
    assert_eq!(public.0 * 2, c.state.capital.subscribed.0, "exactly half: {public}");
    let codes: Vec<&str> = compliance(&c.state, d("2021-01-02")).into_iter().map(|f| f.code).collect();
    assert!(codes.contains(&"public_bodies_at_cap") && !codes.contains(&"public_bodies_over_cap"), "{codes:?}");
}

#[test]
fn agendas_read_from_toml_list_every_problem() {
    let ok = parse_agenda("[[resolution]]\ntitle = \"Accounts\"\nkind = \"ordinary\"\nboard_approved = true\n").unwrap();
    assert_eq!(ok.len(), 1);
    let p = parse_agenda("[[resolution]]\ntitle = \"A\"\nkind = \"weird\"\n[[resolution]]\nkind = \"ordinary\"\nboard = 1\n").unwrap_err();
    let text: Vec<String> = p.iter().map(|p| p.to_string()).collect();
    assert_eq!(p.len(), 3, "{text:?}");
    assert!(text[0].starts_with("line 3: kind 'weird'"), "{text:?}");
    assert!(parse_agenda("").is_err());
    let big: String = (0..MAX_RESOLUTIONS + 1).map(|i| format!("[[resolution]]\ntitle = \"R{i}\"\nkind = \"ordinary\"\n")).collect();
    assert!(parse_agenda(&big).unwrap_err()[0].message.contains("at most"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The result does not depend on the order in which votes were recorded, and each
        /// college's effective weight stays proportional to its statutes weight.
        #[test]
        fn results_ignore_vote_order_and_keep_weights_proportional(
            choices in proptest::collection::vec(0u8..4, 12),
            order in Just((1u32..=12).collect::<Vec<u32>>()).prop_shuffle(),
        ) {
            let mut c = Coop::with(SAMPLE_STATUTES, 4, 4, 4);
            c.standard();
            c.attend(&(1..=12).collect::<Vec<_>>());
            let mut reversed = c.state.clone();
            let pick = |i: u32| [Choice::For, Choice::Against, Choice::Abstain, Choice::Blank][choices[i as usize - 1] as usize];
            for w in &order {
                c.vote(1, &[*w], pick(*w));
            }
            for w in order.iter().rev() {
                let cmd = Command::Vote { assembly: A.into(), resolution: 1, member: m(*w), choice: pick(*w) };
                for e in decide(&reversed, d(MEETING), &cmd, &ctx(1)).unwrap() {
                    reversed.apply(d(MEETING), &e).unwrap();
                }
            }
            let st = c.state.statutes.clone().unwrap();
            let a = results(&c.state, &st, &c.state.assemblies[A]).remove(0);
            let b = results(&reversed, &st, &reversed.assemblies[A]).remove(0);
            prop_assert_eq!(&a, &b);
            let voting: Vec<&CollegeTally> = a.colleges.iter().filter(|t| t.r#for + t.against > 0).collect();
            let total: f64 = voting.iter().map(|t| t.effective_weight_percent).sum();
            if !voting.is_empty() {
                prop_assert!((total - 100.0).abs() < 1e-9);
            }
            for x in &voting {
                for y in &voting {
                    let lhs = x.effective_weight_percent * y.weight_percent;
                    let rhs = y.effective_weight_percent * x.weight_percent;
                    prop_assert!((lhs - rhs).abs() < 1e-6, "{} vs {}", x.code, y.code);
                }
            }
        }
    }
}

#[test]
fn a_participant_of_an_open_assembly_cannot_leave_before_its_meeting() {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(4), to: Some(m(1)) });
    assert_eq!(c.refused("2026-06-12", Command::Withdraw { member: m(4) }), Rule::DateBeforeHistory);
    assert_eq!(c.refused("2026-06-12", Command::Withdraw { member: m(1) }), Rule::DateBeforeHistory, "a proxy holder too");
    c.ok("2026-06-12", Command::Withdraw { member: m(5) });
}

#[test]
fn the_quick_quorum_check_agrees_with_the_full_count() {
    let mut c = Coop::new();
    c.standard();
    let st = c.state.statutes.clone().unwrap();
    let check = |c: &Coop| {
        for k in [ResolutionKind::Ordinary, ResolutionKind::Extraordinary] {
            let a = &c.state.assemblies[A];
            assert_eq!(quorum_reached(&c.state, &st, a, k), quorum(&c.state, &st, a, k).reached);
        }
    };
    check(&c);
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(4), to: Some(m(5)) });
    c.ok("2026-06-10", Command::Proxy { assembly: A.into(), from: m(6), to: Some(m(7)) });
    check(&c);
    c.attend(&[1]);
    check(&c);
    c.attend(&[5, 7]);
    check(&c);
    c.attend(&[2]);
    check(&c);
}

#[test]
fn closing_needs_each_resolution_voted_on_or_recorded_as_not_put_to_the_vote() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 3]); // 3 of 10: both quorums
    c.vote(1, &[1, 2, 3], Choice::For);
    let close = |not_put: Vec<u32>| Command::Close { assembly: A.into(), not_put_to_vote: not_put };
    let r = c.when(MEETING, close(vec![])).unwrap_err();
    assert_eq!(r.rule, Rule::NotVotedOn);
    assert!(r.message.contains("resolution 2, 3"), "{}", r.message);
    assert_eq!(c.refused(MEETING, close(vec![2])), Rule::NotVotedOn, "3 is neither voted nor marked");
    assert_eq!(c.refused(MEETING, close(vec![1, 2, 3])), Rule::InvalidValue, "1 was voted on");
    assert_eq!(c.refused(MEETING, close(vec![2, 3, 9])), Rule::UnknownResolution);
    c.ok(MEETING, close(vec![2, 3]));
    let r = c.result(2);
    assert!(!r.put_to_vote && !r.adopted && r.quorum_reached);
    assert!(c.result(1).put_to_vote && c.result(1).adopted);

    // Without quorum, an assembly closes with no vote: it could not deliberate.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1]);
    c.ok(MEETING, close(vec![]));
    assert!(!c.result(1).quorum_reached && !c.result(1).adopted);
}

#[test]
fn votes_and_closing_need_the_meetings_officers_and_an_sa_names_a_teller() {
    let mut c = Coop::new();
    c.convene_bare(ResolutionKind::Ordinary, vec![ord("Accounts", true)], None);
    c.attend(&[1, 2]);
    let vote = Command::Vote { assembly: A.into(), resolution: 1, member: m(1), choice: Choice::For };
    assert_eq!(c.refused(MEETING, vote.clone()), Rule::MeetingOfficers);
    assert_eq!(c.refused(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![1] }), Rule::MeetingOfficers);
    c.ok(MEETING, Command::AppointOfficers { assembly: A.into(), chair: m(1), secretary: m(2), scrutineers: vec![] });
    c.ok(MEETING, vote);

    // An SA's bureau has tellers.
    let sa = SAMPLE_STATUTES.replace("legal_form = \"sas\"", "legal_form = \"sa\"").replace("minimum_euros = 0", "minimum_euros = 18500");
    let mut c = Coop::with(&sa, 3, 4, 3);
    c.convene_bare(ResolutionKind::Ordinary, vec![ord("Accounts", true)], None);
    let officers =
        |tellers: Vec<MemberRef>| Command::AppointOfficers { assembly: A.into(), chair: m(1), secretary: m(2), scrutineers: tellers };
    assert_eq!(c.refused(MEETING, officers(vec![])), Rule::MeetingOfficers);
    c.ok(MEETING, officers(vec![m(4)]));
}

#[test]
fn the_roll_closes_on_the_convening_date_or_the_statutes_cutoff() {
    // Convened on 2026-06-01: a member admitted on 06-03 is not on the roll.
    let admit = |day: &str, c: &mut Coop| {
        let ev = c.ok(
            day,
            Command::Admit {
                personal: Personal { name: day.into(), email: None, address: None },
                kind: PartyKind::Person,
                category: "beneficiaries".into(),
                shares: None,
                class: None,
                paid: None,
            },
        );
        match ev[0] {
            Event::MemberAdmitted { number, .. } => number,
            _ => unreachable!("an admission's first event"),
        }
    };
    let mut c = Coop::new();
    c.standard();
    let number = admit("2026-06-03", &mut c);
    let a = &c.state.assemblies[A];
    assert_eq!(a.roll_cutoff, Some(d("2026-06-01")));
    assert!(!live_roll(&c.state, a).iter().any(|e| e.member == number));
    assert_eq!(
        c.refused(MEETING, Command::Attend { assembly: A.into(), member: MemberRef::Number(number), remote: false }),
        Rule::NotOnRoll
    );
    assert_eq!(c.quorum(ResolutionKind::Ordinary).eligible, 10);
    assert!(!pending_convocations(&c.state, a).contains(&number));

    // With roll_cutoff_days = 16, the roll closes 16 days before the meeting (06-04).
    let st = SAMPLE_STATUTES.replace("secret_ballot = false", "secret_ballot = false\nroll_cutoff_days = 16");
    let mut c = Coop::with(&st, 3, 4, 3);
    c.standard();
    let in_time = admit("2026-06-04", &mut c);
    let too_late = admit("2026-06-05", &mut c);
    let roll: Vec<MemberNo> = live_roll(&c.state, &c.state.assemblies[A]).into_iter().map(|e| e.member).collect();
    assert!(roll.contains(&in_time) && !roll.contains(&too_late), "{roll:?}");
}

#[test]
fn convocations_recorded_by_coop_are_checked_against_the_notice() {
    let mut c = Coop::new();
    c.standard(); // convened 2026-06-01 for 2026-06-20: 15 days' notice ends on 06-05
    let send = || Command::SendConvocations { assembly: A.into() };
    assert_eq!(c.refused("2026-06-06", send()), Rule::NoticePeriod);
    c.ok("2026-06-05", send());
    assert_eq!(c.state.assemblies[A].convocations.len(), 10);
}

#[test]
fn a_lost_convocation_is_sent_again_and_the_first_sending_still_counts() {
    let mut c = Coop::new();
    c.standard();
    let again = |n: u32| Command::ReissueConvocation { assembly: A.into(), member: m(n) };
    assert_eq!(c.refused("2026-06-03", again(3)), Rule::NotConvened, "never sent");
    c.ok("2026-06-02", Command::SendConvocations { assembly: A.into() });
    assert_eq!(c.refused("2026-06-01", again(3)), Rule::AssemblyDate, "before the first sending");
    assert_eq!(c.refused("2026-06-21", again(3)), Rule::AssemblyDate, "after the meeting");
    assert_eq!(c.refused("2026-06-10", again(99)), Rule::UnknownMember);
    c.ok("2026-06-10", again(3));
    c.ok("2026-06-12", again(3));
    let a = &c.state.assemblies[A];
    assert_eq!(a.convocations[&MemberNo(3)], d("2026-06-02"), "the notice runs from the first sending");
    assert_eq!(a.reissued[&MemberNo(3)], vec![d("2026-06-10"), d("2026-06-12")]);
}

#[test]
fn proxies_and_postal_forms_are_dated_after_the_convening_and_the_admission() {
    let mut c = Coop::new();
    c.standard();
    // Decided on a state that holds the assembly, as a plain `decide` would be.
    let proxy = |from: u32| Command::Proxy { assembly: A.into(), from: m(from), to: Some(m(1)) };
    let r = c.when("2026-05-20", proxy(2)).unwrap_err();
    assert_eq!(r.rule, Rule::AssemblyDate, "{}", r.message);
    assert!(r.message.contains("before the assembly was convened"), "{}", r.message);
    let postal = Command::Postal { assembly: A.into(), member: m(5), votes: vec![(1, Choice::For)] };
    assert_eq!(c.refused("2026-05-31", postal.clone()), Rule::AssemblyDate);
    c.ok("2026-06-02", postal);
    c.ok("2026-06-02", proxy(2));
}

#[test]
fn a_proxy_is_revoked_and_replaced_before_the_meeting_but_not_once_used() {
    let mut c = Coop::new();
    c.standard();
    let revoke = |from: u32| Command::RevokeProxy { assembly: A.into(), from: m(from) };
    assert_eq!(c.refused("2026-06-05", revoke(5)), Rule::NoChange, "no proxy to revoke");
    c.ok("2026-06-05", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(1)) });
    assert_eq!(c.refused("2026-06-06", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(2)) }), Rule::AlreadyRecorded);
    c.ok("2026-06-06", revoke(5));
    c.ok("2026-06-07", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(2)) });
    assert_eq!(c.state.assemblies[A].proxies.get(&MemberNo(5)), Some(&Some(MemberNo(2))));
    assert_eq!(c.refused("2026-06-21", revoke(5)), Rule::AssemblyDate, "after the meeting");
    // Once the holder voted with it, it stands.
    c.attend(&[1, 2, 3]);
    c.vote(1, &[5], Choice::For);
    assert_eq!(c.refused(MEETING, revoke(5)), Rule::AlreadyRecorded);
}

#[test]
fn statutes_say_whether_attending_revokes_a_proxy_and_whether_remote_attendance_counts() {
    let st = SAMPLE_STATUTES
        .replace("secret_ballot = false", "secret_ballot = false\nattendance_revokes_proxy = false\nremote_attendance = false");
    let mut c = Coop::with(&st, 3, 4, 3);
    c.standard();
    c.ok("2026-06-05", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(1)) });
    let attend = |who: u32, remote: bool| Command::Attend { assembly: A.into(), member: m(who), remote };
    let r = c.when(MEETING, attend(5, false)).unwrap_err();
    assert_eq!(r.rule, Rule::AlreadyRecorded);
    assert!(r.message.contains("revoke it first"), "{}", r.message);
    assert_eq!(c.refused(MEETING, attend(6, true)), Rule::NotPresent, "no remote attendance");
    c.ok("2026-06-19", Command::RevokeProxy { assembly: A.into(), from: m(5) });
    c.ok(MEETING, attend(5, false));
    // The defaults: attending revokes the proxy, and remote members are present.
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-05", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(1)) });
    let ev = c.ok(MEETING, attend(5, false));
    assert!(matches!(ev[0], Event::ProxyRevoked { .. }));
    c.ok(MEETING, attend(6, true));
}

#[test]
fn a_second_convocation_counts_the_proxies_and_postal_forms_given_for_the_first() {
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-05", Command::Proxy { assembly: A.into(), from: m(5), to: Some(m(1)) });
    c.ok("2026-06-10", Command::Postal { assembly: A.into(), member: m(9), votes: vec![(1, Choice::For), (2, Choice::Against)] });
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] }); // nobody came
    let first = c.state.assemblies[A].clone();
    // The ordinary quorum was not reached either (1 postal form of 10): everything goes again.
    c.ok(
        "2026-06-21",
        Command::Convene {
            time: None,
            slug: "ago-2026-2".into(),
            kind: ResolutionKind::Ordinary,
            date: d("2026-07-01"),
            place: "Lons".into(),
            agenda: first.agenda.clone(),
            second_of: Some(A.into()),
            edition: None,
        },
    );
    let second = &c.state.assemblies["ago-2026-2"];
    assert_eq!(second.proxies, first.proxies);
    assert_eq!(second.postal[&MemberNo(9)].votes, first.postal[&MemberNo(9)].votes);
    let st = c.state.statutes.clone().unwrap();
    let q = quorum(&c.state, &st, second, ResolutionKind::Extraordinary);
    assert_eq!(q.postal, 1);

    // Only the extraordinary resolutions go again: directions follow them to their new numbers.
    let mut c = Coop::new();
    c.standard();
    c.ok("2026-06-10", Command::Postal { assembly: A.into(), member: m(9), votes: vec![(1, Choice::For), (3, Choice::Against)] });
    c.attend(&[1]);
    c.vote(1, &[1], Choice::For); // 1 present + 1 postal: the ordinary fifth, not the extraordinary quarter
    c.ok(MEETING, Command::Close { assembly: A.into(), not_put_to_vote: vec![] });
    let agenda = c.state.assemblies[A].agenda[1..].to_vec();
    c.ok(
        "2026-06-21",
        Command::Convene {
            time: None,
            slug: "age-2026-2".into(),
            kind: ResolutionKind::Extraordinary,
            date: d("2026-07-01"),
            place: "Lons".into(),
            agenda,
            second_of: Some(A.into()),
            edition: None,
        },
    );
    let form = &c.state.assemblies["age-2026-2"].postal[&MemberNo(9)];
    assert_eq!(form.votes.iter().map(|(n, c)| (*n, *c)).collect::<Vec<_>>(), vec![(2, Choice::Against)]);
}

#[test]
fn a_sarls_majorities_count_all_members_then_votes_cast_and_abstentions_against() {
    let sarl = without_colleges().replace("legal_form = \"sas\"", "legal_form = \"sarl\"");
    let st = Statutes::from_toml(&sarl).unwrap();
    assert_eq!(st.assembly.majority_base_ordinary, [MajorityBase::Members, MajorityBase::Cast], "the law's bases by default");
    assert_eq!(st.assembly.majority_base_extraordinary, [MajorityBase::Present; 2]);
    let mut c = Coop::with(&sarl, 3, 4, 3); // 10 members
    c.standard();
    c.attend(&[1, 2, 3, 4, 5, 6]);
    // Ordinary, first convocation: 5 for of 10 members is not more than half, though 5 of 6 cast.
    c.vote(1, &[1, 2, 3, 4, 5], Choice::For);
    c.vote(1, &[6], Choice::Against);
    let r = c.result(1);
    assert_eq!((r.for_share_exact.as_str(), r.adopted, r.majority_base), ("1/2", false, MajorityBase::Members));
    // Extraordinary: 4 for, 2 abstaining of 6 taking part is exactly two thirds; a third abstention
    // would be against.
    c.vote(2, &[1, 2, 3, 4], Choice::For);
    c.vote(2, &[5, 6], Choice::Abstain);
    let r = c.result(2);
    assert_eq!((r.for_share_exact.as_str(), r.adopted), ("2/3", true));
    c.vote(3, &[1, 2, 3], Choice::For);
    c.vote(3, &[4, 5, 6], Choice::Abstain);
    let r = c.result(3);
    assert_eq!((r.for_share_exact.as_str(), r.adopted), ("1/2", false), "votes cast alone would make it 3/3");
    // The same votes under an SAS's statutes count votes cast only.
    let mut c = Coop::with(&without_colleges(), 3, 4, 3);
    c.standard();
    c.attend(&[1, 2, 3, 4, 5, 6]);
    c.vote(3, &[1, 2, 3], Choice::For);
    c.vote(3, &[4, 5, 6], Choice::Abstain);
    assert_eq!(c.result(3).for_share_exact, "1/1");
}

mod hands;
mod secret_ballot;
mod variants;
