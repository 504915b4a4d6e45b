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
        c.ok(&st.founded.to_string(), Command::Found { statutes: st.clone(), founder: None });
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
                slug: slug.into(),
                kind: ResolutionKind::Ordinary,
                date: d(meeting),
                place: "Salle des fêtes".into(),
                agenda,
                second_of: second_of.map(String::from),
            },
        );
    }
    fn standard(&mut self) {
        self.convene(
            A,
            "2026-06-01",
            MEETING,
            vec![ord("Accounts", true), ext("Amend article 12", true), ext("Exclude member 3", false)],
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

fn ord(title: &str, board: bool) -> Resolution {
    Resolution { title: title.into(), kind: ResolutionKind::Ordinary, board_approved: board }
}
fn ext(title: &str, board: bool) -> Resolution {
    Resolution { title: title.into(), kind: ResolutionKind::Extraordinary, board_approved: board }
}

#[test]
fn notice_is_fifteen_days_on_first_convocation() {
    let c = Coop::new();
    let cmd = || Command::Convene {
        slug: A.into(),
        kind: ResolutionKind::Ordinary,
        date: d(MEETING),
        place: "Lons".into(),
        agenda: vec![ord("Accounts", true)],
        second_of: None,
    };
    assert!(c.when("2026-06-05", cmd()).is_ok(), "exactly 15 days");
    assert_eq!(c.refused("2026-06-06", cmd()), Rule::NoticePeriod);
}

#[test]
fn a_second_convocation_follows_a_first_that_lacked_quorum_with_ten_days_notice() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1]); // 1 of 10: below 1/5
    c.ok(MEETING, Command::Close { assembly: A.into() });
    let second = |meeting: &str, of: &str| Command::Convene {
        slug: "ago-2026-2".into(),
        kind: ResolutionKind::Ordinary,
        date: d(meeting),
        place: "Lons".into(),
        agenda: vec![ord("Accounts", true)],
        second_of: Some(of.into()),
    };
    assert_eq!(c.refused("2026-06-22", second("2026-07-01", A)), Rule::NoticePeriod);
    assert!(c.when("2026-06-21", second("2026-07-01", A)).is_ok());
    assert_eq!(c.refused("2026-06-21", second("2026-07-01", "nope")), Rule::UnknownAssembly);

    // An assembly that reached its quorum has no second convocation.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2]);
    assert_eq!(c.refused("2026-06-21", second("2026-07-01", A)), Rule::SecondConvocation);
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

#[test]
fn without_colleges_it_is_one_member_one_vote() {
    let mut text = String::new();
    let mut skip = false;
    for line in SAMPLE_STATUTES.lines() {
        if line == "[[college]]" {
            skip = true;
            continue;
        }
        if skip && (line.starts_with("code") || line.starts_with("weight_percent") || line.is_empty()) {
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
    let mut c = Coop::with(&text, 3, 4, 3);
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
    c.ok(MEETING, Command::Close { assembly: A.into() });
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
    let exclude = |n: u32| Command::Exclude { member: m(3), assembly: A.into(), resolution: n };
    assert_eq!(c.refused(MEETING, exclude(3)), Rule::NoDecision, "not closed yet");
    c.ok(MEETING, Command::Close { assembly: A.into() });
    assert_eq!(c.refused(MEETING, exclude(1)), Rule::NoDecision, "ordinary");
    assert_eq!(c.refused(MEETING, exclude(7)), Rule::UnknownResolution);
    let ev = c.ok(MEETING, exclude(3));
    assert!(matches!(&ev[0], Event::MemberExcluded { member: MemberNo(3), .. }));
    let amended = Statutes::from_toml(&SAMPLE_STATUTES.replace("notice_days = 15", "notice_days = 21")).unwrap();
    c.ok("2026-06-21", Command::Amend { statutes: amended.clone(), assembly: A.into(), resolution: 2 });
    assert_eq!(c.state.statutes.as_ref().unwrap().assembly.notice_days, 21);
    // A rejected resolution decides nothing.
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 4]);
    c.vote(2, &[1, 2, 4], Choice::Against);
    c.ok(MEETING, Command::Close { assembly: A.into() });
    assert_eq!(c.refused(MEETING, Command::Amend { statutes: amended, assembly: A.into(), resolution: 2 }), Rule::NoDecision);
}

#[test]
fn an_amendment_may_not_drop_a_category_that_still_has_members() {
    let mut c = Coop::new();
    c.standard();
    c.attend(&[1, 2, 4]);
    c.vote(2, &[1, 2, 4], Choice::For);
    c.ok(MEETING, Command::Close { assembly: A.into() });
    let dropped = SAMPLE_STATUTES.replace("code = \"volunteers\"\nrole = \"volunteers\"", "code = \"friends\"\nrole = \"volunteers\"");
    let st = Statutes::from_toml(&dropped).unwrap();
    assert_eq!(c.refused(MEETING, Command::Amend { statutes: st, assembly: A.into(), resolution: 2 }), Rule::InvalidStatutes);
}

#[test]
fn compliance_reports_an_overdue_annual_assembly_and_review() {
    let mut c = Coop::new();
    let codes = |c: &Coop, day: &str| compliance(&c.state, d(day)).into_iter().map(|f| f.code).collect::<Vec<_>>();
    // No assembly for the 2024 accounts by 2025-06-30.
    assert!(codes(&c, "2025-06-30").contains(&"annual_assembly_overdue"), "2023 accounts were never approved either");
    c.convene("ago-2025", "2025-05-01", "2025-06-10", vec![ord("Accounts 2024", true)], None);
    for w in [1, 2] {
        c.ok("2025-06-10", Command::Attend { assembly: "ago-2025".into(), member: m(w), remote: false });
    }
    c.ok("2025-06-10", Command::Close { assembly: "ago-2025".into() });
    assert!(!codes(&c, "2026-06-30").contains(&"annual_assembly_overdue"), "2024 accounts approved in time; 2025 still has until 06-30");
    assert!(codes(&c, "2026-07-01").contains(&"annual_assembly_overdue"));
    c.standard();
    c.attend(&[1, 2]);
    c.ok(MEETING, Command::Close { assembly: A.into() });
    assert!(!codes(&c, "2026-07-01").contains(&"annual_assembly_overdue"));
    assert!(codes(&c, "2026-07-01").contains(&"review_overdue"), "founded 2016, never reviewed");
    c.ok("2024-03-01", Command::RecordReview);
    assert!(!codes(&c, "2029-03-01").contains(&"review_overdue"));
    assert!(codes(&c, "2029-03-02").contains(&"review_overdue"));
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

mod secret_ballot {
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
        assert_eq!(c.refused(MEETING, Command::Close { assembly: A.into() }), Rule::BallotCount, "users' ballots not counted yet");
        c.ok(MEETING, count("users", 1, 0, 1, 0));
        let r = c.result(1);
        let users = r.colleges.iter().find(|t| t.code == "users").unwrap();
        assert_eq!((users.r#for, users.against, users.abstain), (1, 0, 1));
        // (30 * 1/2 + 40 * 1/1) / 70 = 55/70 = 11/14
        assert_eq!(r.for_share_exact, "11/14");
        c.ok(MEETING, Command::Close { assembly: A.into() });
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
