//! Given/when/then tests of the decider: given past commands, when a command, then these
//! events or this refusal.

use chrono::NaiveDate;

use crate::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

/// A cooperative under test: its state, built only through `decide` and `apply`.
struct Coop {
    state: State,
    ids: u128,
}

fn ctx(ids: u128) -> Context {
    Context {
        today: d("2026-11-28"),
        fresh_id: ulid::Ulid(ids),
        salt: format!("salt{ids}"),
        actor: "secretary".into(),
        number: None,
        signer: None,
    }
}

impl Coop {
    fn given_statutes(text: &str) -> Coop {
        let statutes = Statutes::from_toml(text).expect("valid statutes");
        let mut c = Coop { state: State::default(), ids: 1 };
        c.ok(&statutes.founded.to_string(), Command::Found { statutes: Box::new(statutes.clone()), founder: None });
        c
    }
    fn new() -> Coop {
        Coop::given_statutes(SAMPLE_STATUTES)
    }
    fn when(&self, date: &str, cmd: Command) -> Result<Vec<Event>, Refusal> {
        decide(&self.state, d(date), &cmd, &ctx(self.ids))
    }
    fn ok(&mut self, date: &str, cmd: Command) -> Vec<Event> {
        let events = self.when(date, cmd.clone()).unwrap_or_else(|r| panic!("{cmd:?} refused: {r}"));
        for e in &events {
            crate::state::apply_checked(&mut self.state, d(date), e);
        }
        self.ids += 1;
        events
    }
    fn refused(&self, date: &str, cmd: Command) -> Refusal {
        match self.when(date, cmd) {
            Ok(ev) => panic!("expected a refusal, got {ev:?}"),
            Err(r) => r,
        }
    }
    fn admit(&mut self, name: &str, kind: PartyKind, category: &str, shares: Option<u64>) -> MemberNo {
        let ev = self.ok("2020-01-10", admit(name, kind, category, shares, None));
        match &ev[0] {
            Event::MemberAdmitted { number, .. } => *number,
            other => panic!("{other:?}"),
        }
    }
}

fn admit(name: &str, kind: PartyKind, category: &str, shares: Option<u64>, paid: Option<Cents>) -> Command {
    Command::Admit {
        personal: Personal { name: name.into(), email: None, address: None },
        kind,
        category: category.into(),
        shares,
        class: None,
        paid,
    }
}

fn m(n: u32) -> MemberRef {
    MemberRef::Number(MemberNo(n))
}

#[test]
fn admission_subscribes_the_category_minimum_and_numbers_are_sequential() {
    let mut c = Coop::new();
    let ev = c.ok("2020-01-10", admit("Une Entreprise", PartyKind::Organisation, "businesses", None, None));
    assert!(matches!(&ev[0], Event::MemberAdmitted { number: MemberNo(1), category, .. } if category == "businesses"));
    assert_eq!(ev[1], Event::SharesSubscribed { member: MemberNo(1), class: "A".into(), count: 4, paid_cents: Cents(20_000) });
    assert_eq!(c.admit("B", PartyKind::Person, "employees", None), MemberNo(2));
    // A number is never reused, even after the member left.
    c.ok("2021-01-01", Command::Withdraw { member: m(2) });
    assert_eq!(c.admit("C", PartyKind::Person, "employees", None), MemberNo(3));
}

/// A state holds every member: a member's lots and categories take the room they use while
/// they are few (a `Vec` first makes room for four), not four times it.
#[test]
fn a_members_short_lists_take_the_room_they_use() {
    let mut c = Coop::new();
    let n = c.admit("A", PartyKind::Person, "employees", None);
    let m = &c.state.members[&n];
    assert_eq!((m.lots.len(), m.lots.capacity()), (1, 1));
    let more = Event::SharesSubscribed { member: n, class: "A".into(), count: 1, paid_cents: Cents(5_000) };
    crate::state::apply_checked(&mut c.state, d("2020-02-01"), &more);
    let moved = Event::MemberMoved { member: n, from: "employees".into(), to: "beneficiaries".into() };
    crate::state::apply_checked(&mut c.state, d("2020-03-01"), &moved);
    let m = &c.state.members[&n];
    assert_eq!((m.lots.len(), m.lots.capacity()), (2, 2));
    assert_eq!((m.categories.len(), m.categories.capacity()), (2, 2));
}

#[test]
fn admission_below_the_category_minimum_is_refused() {
    let c = Coop::new();
    let r = c.refused("2020-01-10", admit("X", PartyKind::Organisation, "businesses", Some(3), None));
    assert_eq!(r.rule, Rule::MinimumShares);
    assert!(r.message.contains("at least 4"), "{r}");
}

#[test]
fn unknown_category_and_class_are_bad_input() {
    let c = Coop::new();
    let r = c.refused("2020-01-10", admit("X", PartyKind::Person, "nobody", None, None));
    assert_eq!(r.rule, Rule::UnknownCategory);
    assert!(r.rule.is_bad_input());
    assert!(r.message.contains("employees, beneficiaries"), "{r}");
    let r = c.refused(
        "2020-01-10",
        Command::Admit {
            personal: Personal { name: "X".into(), email: None, address: None },
            kind: PartyKind::Person,
            category: "employees".into(),
            shares: None,
            class: Some("Z".into()),
            paid: None,
        },
    );
    assert_eq!(r.rule, Rule::UnknownShareClass);
    let r = c.refused("2020-01-10", Command::Pay { member: m(9), amount: Cents(100) });
    assert_eq!(r.rule, Rule::UnknownMember);
}

#[test]
fn names_and_emails_are_checked() {
    let c = Coop::new();
    assert_eq!(c.refused("2020-01-10", admit("  ", PartyKind::Person, "employees", None, None)).rule, Rule::InvalidValue);
    let bad_mail = Command::Admit {
        personal: Personal { name: "A".into(), email: Some("not-an-address".into()), address: None },
        kind: PartyKind::Person,
        category: "employees".into(),
        shares: None,
        class: None,
        paid: None,
    };
    assert_eq!(c.refused("2020-01-10", bad_mail).rule, Rule::InvalidValue);
}

#[test]
fn volunteers_are_persons_and_the_public_category_is_for_public_bodies() {
    let c = Coop::new();
    assert_eq!(c.refused("2020-01-10", admit("Asso", PartyKind::Organisation, "volunteers", None, None)).rule, Rule::KindNotAllowed);
    assert_eq!(c.refused("2020-01-10", admit("Jean", PartyKind::Person, "public", None, None)).rule, Rule::KindNotAllowed);
}

#[test]
fn a_quarter_is_paid_at_subscription_and_no_more_than_subscribed() {
    let mut c = Coop::new();
    // businesses: 4 shares of 50 € = 200 €; a quarter is 50 €.
    let r = c.refused("2020-01-10", admit("X", PartyKind::Organisation, "businesses", None, Some(Cents(4_999))));
    assert_eq!(r.rule, Rule::QuarterPaid);
    assert!(r.message.contains("49.99 €") && r.message.contains("50 €"), "{r}");
    c.ok("2020-01-10", admit("X", PartyKind::Organisation, "businesses", None, Some(Cents(5_000))));
    let r = c.refused("2020-01-10", admit("Y", PartyKind::Organisation, "businesses", None, Some(Cents(20_001))));
    assert_eq!(r.rule, Rule::Overpayment);
}

#[test]
fn paying_up_fills_the_oldest_lot_and_cannot_exceed_what_is_owed() {
    let mut c = Coop::new();
    c.ok("2020-01-10", admit("X", PartyKind::Organisation, "businesses", None, Some(Cents(5_000))));
    assert_eq!(c.refused("2020-02-01", Command::Pay { member: m(1), amount: Cents(15_001) }).rule, Rule::Overpayment);
    c.ok("2020-02-01", Command::Pay { member: m(1), amount: Cents(15_000) });
    assert_eq!(c.state.members[&MemberNo(1)].paid(), Cents(20_000));
    assert_eq!(c.state.capital.paid, Cents(20_000));
    assert_eq!(c.refused("2020-02-01", Command::Pay { member: m(1), amount: Cents(1) }).rule, Rule::Overpayment);
}

#[test]
fn public_bodies_hold_at_most_half_of_the_capital() {
    let mut c = Coop::new();
    // 200 € by a business; a public body subscribing 10 shares (500 €) would hold 71 %.
    c.ok("2020-01-10", admit("Biz", PartyKind::Organisation, "businesses", None, None));
    let r = c.refused("2020-01-10", admit("Commune", PartyKind::PublicBody, "public", None, None));
    assert_eq!(r.rule, Rule::PublicBodiesCap);
    assert!(r.message.contains("50 %"), "{r}");
    // Exactly half is allowed: 300 € more from others, then 500 € public = 500 of 1000.
    c.ok("2020-01-10", Command::Subscribe { member: m(1), count: 6, class: None, paid: None });
    c.ok("2020-01-10", admit("Commune", PartyKind::PublicBody, "public", None, None));
    assert_eq!(c.state.capital.public_subscribed.0 * 2, c.state.capital.subscribed.0);
    // One more public share is refused; so is redeeming others' shares below the cap.
    assert_eq!(c.refused("2020-02-01", Command::Subscribe { member: m(2), count: 1, class: None, paid: None }).rule, Rule::PublicBodiesCap);
    assert_eq!(c.refused("2020-02-01", Command::Redeem { member: m(1), count: 1, class: None }).rule, Rule::PublicBodiesCap);
}

#[test]
fn redemption_may_not_take_capital_below_a_quarter_of_the_highest() {
    let mut c = Coop::new();
    c.admit("A", PartyKind::Person, "employees", Some(20)); // 1000 €
    c.admit("B", PartyKind::Person, "beneficiaries", Some(4)); // 200 €: highest 1200 €, floor 300 €
    c.ok("2021-01-01", Command::Withdraw { member: m(1) });
    // Redeeming 18 of A's shares leaves 300 €: exactly the floor, allowed.
    c.ok("2021-01-02", Command::Redeem { member: m(1), count: 18, class: None });
    assert_eq!(c.state.capital.subscribed, Cents(30_000));
    let r = c.refused("2021-01-03", Command::Redeem { member: m(1), count: 1, class: None });
    assert_eq!(r.rule, Rule::CapitalFloor);
    assert!(r.message.contains("300 €") && r.message.contains("250 €") && r.message.contains("1/4 of the highest capital, 1,200 €"), "{r}");
}

#[test]
fn a_statutory_floor_above_a_quarter_is_enforced() {
    let text = SAMPLE_STATUTES.replace("floor_fraction = \"1/4\"", "floor_fraction = \"1/2\"");
    let mut c = Coop::given_statutes(&text);
    c.admit("A", PartyKind::Person, "employees", Some(10));
    c.admit("B", PartyKind::Person, "beneficiaries", Some(10));
    c.ok("2021-01-01", Command::Withdraw { member: m(1) });
    c.ok("2021-01-01", Command::Redeem { member: m(1), count: 10, class: None });
    c.ok("2021-01-01", Command::Withdraw { member: m(2) });
    assert_eq!(c.refused("2021-01-01", Command::Redeem { member: m(2), count: 1, class: None }).rule, Rule::CapitalFloor);
}

#[test]
fn a_current_member_keeps_its_category_minimum() {
    let mut c = Coop::new();
    c.admit("Biz", PartyKind::Organisation, "businesses", Some(6));
    c.ok("2020-02-01", Command::Redeem { member: m(1), count: 2, class: None });
    let r = c.refused("2020-02-01", Command::Redeem { member: m(1), count: 1, class: None });
    assert_eq!(r.rule, Rule::MinimumShares);
    assert_eq!(c.refused("2020-02-01", Command::Redeem { member: m(1), count: 50, class: None }).rule, Rule::NotEnoughShares);
}

#[test]
fn only_fully_paid_shares_are_transferred_between_current_members() {
    let mut c = Coop::new();
    c.ok("2020-01-10", admit("A", PartyKind::Organisation, "businesses", Some(8), Some(Cents(20_000)))); // 4 of 8 paid
    c.admit("B", PartyKind::Person, "beneficiaries", None);
    let r = c.refused("2020-02-01", Command::Transfer { from: m(1), to: m(2), count: 2, class: None });
    assert_eq!(r.rule, Rule::UnpaidShares);
    c.ok("2020-02-01", Command::Pay { member: m(1), amount: Cents(20_000) });
    c.ok("2020-02-01", Command::Transfer { from: m(1), to: m(2), count: 2, class: None });
    assert_eq!(c.state.members[&MemberNo(2)].shares(), 3);
    assert_eq!(c.refused("2020-02-01", Command::Transfer { from: m(1), to: m(1), count: 1, class: None }).rule, Rule::InvalidValue);
    assert_eq!(c.refused("2020-02-01", Command::Transfer { from: m(1), to: m(2), count: 3, class: None }).rule, Rule::MinimumShares);
    c.ok("2020-03-01", Command::Withdraw { member: m(2) });
    assert_eq!(c.refused("2020-03-01", Command::Transfer { from: m(1), to: m(2), count: 1, class: None }).rule, Rule::NotAMember);
}

#[test]
fn moving_needs_a_new_category_the_kind_fits_and_enough_shares() {
    let mut c = Coop::new();
    c.admit("A", PartyKind::Person, "employees", None);
    assert_eq!(c.refused("2020-02-01", Command::Move { member: m(1), category: "employees".into() }).rule, Rule::NoChange);
    assert_eq!(c.refused("2020-02-01", Command::Move { member: m(1), category: "businesses".into() }).rule, Rule::MinimumShares);
    assert_eq!(c.refused("2020-02-01", Command::Move { member: m(1), category: "public".into() }).rule, Rule::KindNotAllowed);
    let ev = c.ok("2020-02-01", Command::Move { member: m(1), category: "beneficiaries".into() });
    assert_eq!(ev, vec![Event::MemberMoved { member: MemberNo(1), from: "employees".into(), to: "beneficiaries".into() }]);
}

#[test]
fn loss_of_quality_flags_by_default_and_a_move_clears_it() {
    let mut c = Coop::new();
    c.admit("A", PartyKind::Person, "employees", None);
    let ev = c.ok("2020-02-01", Command::End { member: m(1), cause: EndCause::LossOfQuality });
    assert_eq!(ev, vec![Event::QualityLost { member: MemberNo(1) }]);
    assert!(c.state.members[&MemberNo(1)].is_active());
    assert_eq!(compliance(&c.state, d("2020-02-02")).iter().find(|f| f.code == "quality_lost").unwrap().members, vec![MemberNo(1)]);
    assert_eq!(c.refused("2020-02-02", Command::End { member: m(1), cause: EndCause::LossOfQuality }).rule, Rule::NoChange);
    c.ok("2020-03-01", Command::Move { member: m(1), category: "beneficiaries".into() });
    assert!(compliance(&c.state, d("2020-03-02")).iter().all(|f| f.code != "quality_lost"));
}

#[test]
fn loss_of_quality_ends_membership_when_the_statutes_say_so() {
    let text = SAMPLE_STATUTES.replace("loss_of_quality = \"flag\"", "loss_of_quality = \"end\"");
    let mut c = Coop::given_statutes(&text);
    c.admit("A", PartyKind::Person, "employees", None);
    let ev = c.ok("2020-02-01", Command::End { member: m(1), cause: EndCause::LossOfQuality });
    assert_eq!(ev, vec![Event::MembershipEnded { member: MemberNo(1), cause: EndCause::LossOfQuality }]);
}

#[test]
fn causes_of_ending_fit_the_kind_of_party() {
    let mut c = Coop::new();
    c.admit("A", PartyKind::Person, "employees", None);
    c.admit("Biz", PartyKind::Organisation, "businesses", None);
    assert_eq!(c.refused("2020-02-01", Command::End { member: m(2), cause: EndCause::Death }).rule, Rule::CauseDoesNotFit);
    assert_eq!(c.refused("2020-02-01", Command::End { member: m(1), cause: EndCause::Dissolution }).rule, Rule::CauseDoesNotFit);
    assert_eq!(c.refused("2020-02-01", Command::End { member: m(1), cause: EndCause::Exclusion }).rule, Rule::CauseDoesNotFit);
    c.ok("2020-02-01", Command::End { member: m(1), cause: EndCause::Death });
    c.ok("2020-02-01", Command::End { member: m(2), cause: EndCause::Dissolution });
    assert_eq!(c.refused("2020-03-01", Command::Withdraw { member: m(1) }).rule, Rule::NotAMember);
}

#[test]
fn dates_run_forward_per_member_and_never_into_the_future() {
    let mut c = Coop::new();
    c.admit("A", PartyKind::Person, "employees", None);
    let r = c.refused("2019-12-31", Command::Subscribe { member: m(1), count: 1, class: None, paid: None });
    assert_eq!(r.rule, Rule::DateBeforeHistory);
    assert!(r.message.contains("2020-01-10"), "{r}");
    assert_eq!(c.refused("2026-11-29", Command::Withdraw { member: m(1) }).rule, Rule::FutureDate);
    assert_eq!(c.refused("2016-06-29", admit("B", PartyKind::Person, "employees", None, None)).rule, Rule::DateBeforeHistory);
}

#[test]
fn nothing_before_founding_and_founding_once() {
    let c = Coop { state: State::default(), ids: 1 };
    assert_eq!(c.refused("2020-01-01", Command::Withdraw { member: m(1) }).rule, Rule::NotFounded);
    let c = Coop::new();
    let statutes = Statutes::from_toml(SAMPLE_STATUTES).unwrap();
    assert_eq!(c.refused("2020-01-01", Command::Found { statutes: Box::new(statutes), founder: None }).rule, Rule::AlreadyFounded);
}

#[test]
fn compliance_finds_empty_mandatory_categories_unpaid_shares_and_overdue_reimbursements() {
    let mut c = Coop::new();
    // Assembly and review findings are tested in `assemblies`.
    let codes = |c: &Coop, day: &str| {
        compliance(&c.state, d(day))
            .into_iter()
            .map(|f| f.code)
            .filter(|c| !matches!(*c, "annual_assembly_overdue" | "review_overdue"))
            .collect::<Vec<_>>()
    };
    // No members: both mandatory categories are empty.
    assert_eq!(codes(&c, "2020-01-01").iter().filter(|c| **c == "mandatory_category_empty").count(), 2);
    c.admit("A", PartyKind::Person, "employees", None);
    c.admit("B", PartyKind::Person, "beneficiaries", None);
    c.ok("2020-01-10", admit("C", PartyKind::Organisation, "businesses", None, Some(Cents(5_000))));
    assert!(codes(&c, "2020-06-01").is_empty(), "{:?}", codes(&c, "2020-06-01"));
    // Five years after subscribing, C has still not paid up.
    assert_eq!(codes(&c, "2025-01-09"), Vec::<&str>::new());
    assert_eq!(codes(&c, "2025-01-10"), vec!["unpaid_after_five_years"]);
    // A leaves: employees empty; its shares still wait for reimbursement.
    c.ok("2021-01-01", Command::Withdraw { member: m(1) });
    let found = codes(&c, "2026-01-05");
    assert!(found.contains(&"mandatory_category_empty") && found.contains(&"reimbursement_overdue"), "{found:?}");
}

#[test]
fn the_capital_summary_adds_up() {
    let mut c = Coop::new();
    c.admit("A", PartyKind::Person, "employees", Some(3));
    c.ok("2020-01-10", admit("C", PartyKind::Organisation, "businesses", None, Some(Cents(5_000))));
    let s = capital(&c.state);
    assert_eq!(s.subscribed_cents, Cents(35_000));
    assert_eq!(s.paid_cents, Cents(20_000));
    assert_eq!(s.highest_cents, Cents(35_000));
    assert_eq!(s.floor_cents, Cents(8_750));
    assert_eq!(s.by_class[0].shares, 7);
    let reg = register(&c.state);
    assert_eq!(reg[1].subscribed_cents, Cents(20_000));
    assert_eq!(reg[1].college.as_deref(), Some("users"));
}

#[test]
fn fingerprints_ignore_personal_data_but_not_the_rest() {
    let a = admit("A", PartyKind::Person, "employees", None, None);
    let b = admit("B", PartyKind::Person, "employees", None, None);
    let c2 = admit("A", PartyKind::Person, "employees", Some(2), None);
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.fingerprint(), c2.fingerprint());
    assert_ne!(
        Personal { name: "A".into(), email: None, address: None }.digest("x"),
        Personal { name: "A".into(), email: None, address: None }.digest("y")
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Admit { kind: u8, category: u8, extra: u8, quarter: bool },
        Subscribe { who: u8, count: u8, quarter: bool },
        Pay { who: u8, euros: u16 },
        Transfer { from: u8, to: u8, count: u8 },
        Redeem { who: u8, count: u8 },
        Withdraw { who: u8 },
        Move { who: u8, category: u8 },
        Lose { who: u8 },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..3, 0u8..5, 0u8..20, any::<bool>()).prop_map(|(kind, category, extra, quarter)| Op::Admit { kind, category, extra, quarter }),
            2 => (any::<u8>(), 1u8..30, any::<bool>()).prop_map(|(who, count, quarter)| Op::Subscribe { who, count, quarter }),
            1 => (any::<u8>(), 1u16..2000).prop_map(|(who, euros)| Op::Pay { who, euros }),
            1 => (any::<u8>(), any::<u8>(), 1u8..10).prop_map(|(from, to, count)| Op::Transfer { from, to, count }),
            2 => (any::<u8>(), 1u8..40).prop_map(|(who, count)| Op::Redeem { who, count }),
            1 => any::<u8>().prop_map(|who| Op::Withdraw { who }),
            1 => (any::<u8>(), 0u8..5).prop_map(|(who, category)| Op::Move { who, category }),
            1 => any::<u8>().prop_map(|who| Op::Lose { who }),
        ]
    }

    const CATS: [&str; 5] = ["employees", "beneficiaries", "volunteers", "businesses", "public"];
    const KINDS: [PartyKind; 3] = [PartyKind::Person, PartyKind::Organisation, PartyKind::PublicBody];

    fn command(state: &State, op: &Op) -> Command {
        let n = state.members.len().max(1) as u32;
        let who = |w: u8| m(w as u32 % n + 1);
        match op {
            Op::Admit { kind, category, extra, quarter } => {
                let cat = CATS[*category as usize];
                let min = state.statutes.as_ref().and_then(|s| s.category(cat)).map_or(1, |c| c.min_shares as u64);
                let shares = min + *extra as u64;
                let paid = quarter.then(|| Cents((shares as i64 * 5000 + 3) / 4));
                admit("P", KINDS[*kind as usize], cat, Some(shares), paid)
            }
            Op::Subscribe { who: w, count, quarter } => {
                let paid = quarter.then(|| Cents((*count as i64 * 5000 + 3) / 4));
                Command::Subscribe { member: who(*w), count: *count as u64, class: None, paid }
            }
            Op::Pay { who: w, euros } => Command::Pay { member: who(*w), amount: Cents(*euros as i64 * 100) },
            Op::Transfer { from, to, count } => Command::Transfer { from: who(*from), to: who(*to), count: *count as u64, class: None },
            Op::Redeem { who: w, count } => Command::Redeem { member: who(*w), count: *count as u64, class: None },
            Op::Withdraw { who: w } => Command::Withdraw { member: who(*w) },
            Op::Move { who: w, category } => Command::Move { member: who(*w), category: CATS[*category as usize].into() },
            Op::Lose { who: w } => Command::End { member: who(*w), cause: EndCause::LossOfQuality },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// After every accepted command: capital at or above the floor, public bodies at or
        /// below their cap, member numbers unique and gap-free, totals equal to the sum of
        /// members' lots; and a replay of all events equals the state kept incrementally.
        #[test]
        fn invariants_hold_after_every_accepted_command(ops in proptest::collection::vec(op(), 1..80)) {
            let mut c = Coop::new();
            let mut log: Vec<(NaiveDate, Event)> = c_log(&c);
            let mut date = d("2017-01-01");
            for (i, o) in ops.iter().enumerate() {
                let cmd = command(&c.state, o);
                if i % 7 == 6 { date = date.succ_opt().unwrap(); }
                let Ok(events) = decide(&c.state, date, &cmd, &ctx(c.ids)) else { continue };
                for e in &events {
                    crate::state::apply_checked(&mut c.state, date, e);
                    log.push((date, e.clone()));
                }
                c.ids += 1;
                let st = c.state.statutes.as_ref().unwrap();
                let cap = c.state.capital;
                prop_assert!(cap.subscribed >= st.capital_floor(cap.highest), "capital {} below floor {}", cap.subscribed, st.capital_floor(cap.highest));
                prop_assert!(cap.public_subscribed.0 * 100 <= 50 * cap.subscribed.0, "public {} of {}", cap.public_subscribed, cap.subscribed);
                let numbers: Vec<u32> = c.state.members.keys().map(|n| n.0).collect();
                prop_assert_eq!(numbers, (1..=c.state.members.len() as u32).collect::<Vec<_>>());
                prop_assert_eq!(c.state.parties.len(), c.state.members.len());
                let sum: i64 = c.state.members.values().map(|m| m.subscribed().0).sum();
                let paid: i64 = c.state.members.values().map(|m| m.paid().0).sum();
                prop_assert_eq!(Cents(sum), cap.subscribed);
                prop_assert_eq!(Cents(paid), cap.paid);
                for m in c.state.members.values() {
                    prop_assert!(m.lots.iter().all(|l| l.paid_cents <= l.subscribed() && l.count > 0));
                }
            }
            let mut replayed = State::default();
            for (day, e) in &log {
                replayed.apply(*day, e).expect("replay applies");
            }
            prop_assert_eq!(replayed, c.state);
        }
    }

    /// The founding events, as `Coop::new` recorded them.
    fn c_log(c: &Coop) -> Vec<(NaiveDate, Event)> {
        let st = c.state.statutes.clone().unwrap();
        let events =
            decide(&State::default(), st.founded, &Command::Found { statutes: Box::new(st.clone()), founder: None }, &ctx(1)).unwrap();
        events.into_iter().map(|e| (st.founded, e)).collect()
    }
}

#[test]
fn personal_data_is_erased_only_after_the_retention_period_and_counts_stay() {
    let mut c = Coop::given_statutes(&SAMPLE_STATUTES.replace("retention_days = 3652", "retention_days = 365"));
    c.admit("A", PartyKind::Person, "employees", Some(3));
    c.admit("B", PartyKind::Person, "beneficiaries", Some(1));
    let forget = || Command::Forget { member: m(1) };
    assert_eq!(c.refused("2021-01-01", forget()).rule, Rule::RetentionPeriod, "a current member");
    c.ok("2021-01-01", Command::Withdraw { member: m(1) });
    let r = c.refused("2021-12-31", forget());
    assert_eq!(r.rule, Rule::RetentionPeriod);
    assert!(r.message.contains("until 2022-01-01"), "{r}");
    let before = (capital(&c.state), register(&c.state).len());
    let ev = c.ok("2022-01-01", forget());
    assert_eq!(ev, vec![Event::PersonalDataErased { member: MemberNo(1) }]);
    assert_eq!((capital(&c.state), register(&c.state).len()), before);
    assert!(register(&c.state)[0].erased);
    assert_eq!(c.refused("2022-01-02", forget()).rule, Rule::NoChange);
    assert_eq!(
        Command::Forget { member: m(1) }.erases(&c.state),
        vec![c.state.members[&MemberNo(1)].party],
        "the store is told whose data to remove"
    );
}

#[test]
fn a_member_who_lost_its_quality_fills_no_category_and_votes_in_no_college() {
    // Given one employee, flagged as having lost the quality of employee, and a beneficiary.
    let mut c = Coop::new();
    let employee = c.admit("E", PartyKind::Person, "employees", None);
    let beneficiary = c.admit("B", PartyKind::Person, "beneficiaries", None);
    c.admit("V", PartyKind::Person, "volunteers", None);
    let codes = |c: &Coop, date: &str| -> Vec<&'static str> { compliance(&c.state, d(date)).into_iter().map(|f| f.code).collect() };
    assert!(!codes(&c, "2020-02-01").contains(&"mandatory_category_empty"));
    c.ok("2020-02-01", Command::End { member: MemberRef::Number(employee), cause: EndCause::LossOfQuality });
    // Then the employees' category is empty for the law, naming the flagged member.
    let found = compliance(&c.state, d("2020-02-02"));
    let empty = found.iter().find(|f| f.code == "mandatory_category_empty").expect("the employees' category is empty");
    assert_eq!(empty.members, vec![employee]);
    assert!(empty.message.contains("lost the quality"), "{}", empty.message);
    // And the roll of a later assembly leaves it out (it keeps no vote in its former college),
    // while the roll before the flag still counts it.
    let meeting = |date: &str| -> Assembly {
        serde_json::from_value(serde_json::json!({"slug": "x", "kind": "ordinary", "date": date, "place": "p", "agenda": [],
            "second_of": null, "convened_on": date, "convocations": {}, "present": {}, "proxies": {}, "postal": {}, "votes": {},
            "officers": null, "closed": null, "closed_on": null}))
        .unwrap()
    };
    let roll = |date: &str| -> Vec<MemberNo> { crate::live_roll(&c.state, &meeting(date)).into_iter().map(|e| e.member).collect() };
    assert!(!roll("2020-03-01").contains(&employee) && roll("2020-03-01").contains(&beneficiary));
    assert!(roll("2020-01-31").contains(&employee));
}

#[test]
fn a_legal_person_designates_its_representative_and_a_natural_person_has_none() {
    let mut c = Coop::new();
    let person = c.admit("Anne", PartyKind::Person, "employees", None);
    c.admit("Bruno", PartyKind::Person, "beneficiaries", Some(20));
    let commune = c.admit("Commune de Montval", PartyKind::PublicBody, "public", None);
    let rep = |member: MemberNo, name: &str| Command::Represent {
        member: MemberRef::Number(member),
        personal: Personal { name: name.into(), email: Some("maire@montval.example".into()), address: None },
    };
    assert_eq!(c.refused("2021-01-01", rep(person, "X")).rule, Rule::KindNotAllowed);
    assert_eq!(c.refused("2021-01-01", rep(commune, " ")).rule, Rule::InvalidValue);
    assert_eq!(c.refused("2021-01-01", rep(MemberNo(99), "X")).rule, Rule::UnknownMember);
    let first = c.ok("2021-01-01", rep(commune, "Jeanne Maire"));
    c.ok("2026-04-01", rep(commune, "Paul Adjoint"));
    let m = &c.state.members[&commune];
    assert_eq!(m.representatives.len(), 2);
    assert_eq!(m.representatives[0].since, d("2021-01-01"));
    let Event::RepresentativeDesignated { representative, personal_digest, .. } = &first[0] else { panic!("{first:?}") };
    assert_eq!((&m.representatives[0].party, &m.representatives[0].personal_digest), (representative, personal_digest));
    // Their data is checked and erased with the member's.
    assert!(c.state.digests().contains_key(representative));
    assert!(Command::Forget { member: MemberRef::Number(commune) }.erases(&c.state).contains(representative));
}
