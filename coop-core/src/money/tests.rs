//! The legal floors of an allocation, at their boundaries, and the reserves they build.

use super::*;
use crate::*;

use crate::testing::{coop_type, d, Founded};

coop_type!();

impl Coop {
    /// The sample statutes (with `extra` in [capital]); ten members of 20 shares each
    /// (10,000 € subscribed, all paid up; the highest capital is 10,000 €).
    fn new(extra: &str) -> Coop {
        let text = SAMPLE_STATUTES.replace("reimbursement_delay_days = 1825", &format!("reimbursement_delay_days = 1825\n{extra}"));
        Coop(Founded::new(&text, 10, 20))
    }
    fn convene(&self, year: i32, result: i64, a: Allocation) -> Command {
        let accounts = Resolution {
            subject: Some(Subject::Accounts(year)),
            result_cents: Some(Cents(result)),
            ..Resolution::new("Comptes", ResolutionKind::Ordinary, true)
        };
        let allocate = Resolution { allocation: Some(a), ..Resolution::new("Affectation", ResolutionKind::Ordinary, true) };
        Command::Convene {
            slug: format!("ago-{}", year + 1),
            kind: ResolutionKind::Ordinary,
            date: d(&format!("{}-06-20", year + 1)),
            place: "Lons".into(),
            time: None,
            agenda: vec![accounts, allocate],
            second_of: None,
            edition: None,
        }
    }
    /// Convenes, holds and closes the assembly of `year + 1`: everyone present votes for.
    fn hold(&mut self, year: i32, result: i64, a: Allocation) {
        let slug = format!("ago-{}", year + 1);
        let meeting = format!("{}-06-20", year + 1);
        let convene = self.convene(year, result, a);
        self.ok(&format!("{}-06-01", year + 1), convene);
        self.ok(
            &meeting,
            Command::AppointOfficers {
                assembly: slug.clone(),
                chair: MemberRef::Number(MemberNo(1)),
                secretary: MemberRef::Number(MemberNo(2)),
                scrutineers: vec![],
            },
        );
        for m in 1..=10 {
            self.ok(&meeting, Command::Attend { assembly: slug.clone(), member: MemberRef::Number(MemberNo(m)), remote: false });
        }
        for n in 1..=2 {
            self.ok(&meeting, Command::VoteAll { assembly: slug.clone(), resolution: n, choice: Choice::For, except: vec![] });
        }
        self.ok(&meeting, Command::Close { assembly: slug, not_put_to_vote: vec![] });
    }
    /// Convenes, holds and closes ago-2026 approving the 2025 accounts with a loss of `loss`
    /// cents: members `present` attend (member 1 excepted if it left) and vote for.
    fn hold_loss(&mut self, loss: i64, present: &[u32]) {
        let accounts = Resolution {
            subject: Some(Subject::Accounts(2025)),
            result_cents: Some(Cents(-loss)),
            ..Resolution::new("Comptes", ResolutionKind::Ordinary, true)
        };
        let convene = Command::Convene {
            slug: "ago-2026".into(),
            kind: ResolutionKind::Ordinary,
            date: d("2026-06-20"),
            place: "Lons".into(),
            time: None,
            agenda: vec![accounts],
            second_of: None,
            edition: None,
        };
        self.ok("2026-06-01", convene);
        let n = |x: u32| MemberRef::Number(MemberNo(x));
        let officers =
            Command::AppointOfficers { assembly: "ago-2026".into(), chair: n(present[0]), secretary: n(present[1]), scrutineers: vec![] };
        self.ok("2026-06-20", officers);
        for m in present {
            self.ok("2026-06-20", Command::Attend { assembly: "ago-2026".into(), member: n(*m), remote: false });
        }
        self.ok("2026-06-20", Command::VoteAll { assembly: "ago-2026".into(), resolution: 1, choice: Choice::For, except: vec![] });
        self.ok("2026-06-20", Command::Close { assembly: "ago-2026".into(), not_put_to_vote: vec![] });
    }
    fn refused(&self, year: i32, result: i64, a: Allocation) -> Rule {
        match self.when(&format!("{}-06-01", year + 1), self.convene(year, result, a)) {
            Ok(e) => panic!("expected a refusal, got {e:?}"),
            Err(r) => r.rule,
        }
    }
}

fn alloc(legal: i64, statutory: i64, interest: i64, carried: i64) -> Allocation {
    Allocation {
        legal_reserve_cents: Cents(legal),
        statutory_reserve_cents: Cents(statutory),
        interest_cents: Cents(interest),
        carried_forward_cents: Cents(carried),
    }
}

#[test]
fn the_legal_reserve_takes_fifteen_percent_exactly_or_more() {
    let c = Coop::new("");
    // A surplus of 10,000.00 €: 15 % is 1,500.00 €, 57.5 % is 5,750.00 €.
    assert!(c.when("2026-06-01", c.convene(2025, 1_000_000, alloc(150_000, 425_000, 0, 425_000))).is_ok(), "15 % exactly");
    assert_eq!(c.refused(2025, 1_000_000, alloc(149_999, 425_001, 0, 425_000)), Rule::LegalReserve, "a cent short");
    // An odd surplus: 15 % of 333.33 € is 49.9995 €, so at least 50.00 €.
    assert_eq!(c.refused(2025, 33_333, alloc(4_999, 15_000, 0, 13_334)), Rule::LegalReserve);
    assert!(c.when("2026-06-01", c.convene(2025, 33_333, alloc(5_000, 14_167, 0, 14_166))).is_ok());
}

#[test]
fn the_impartible_reserves_take_fifty_seven_and_a_half_percent_exactly_or_more() {
    let c = Coop::new("");
    assert!(c.when("2026-06-01", c.convene(2025, 1_000_000, alloc(150_000, 425_000, 0, 425_000))).is_ok(), "57.5 % exactly");
    assert_eq!(c.refused(2025, 1_000_000, alloc(150_000, 424_999, 0, 425_001)), Rule::ImpartibleReserves, "a cent short");
    let r = c.when("2026-06-01", c.convene(2025, 1_000_000, alloc(150_000, 424_999, 0, 425_001))).unwrap_err();
    assert!(r.message.contains("19 nonies") && r.message.contains("5,750"), "{}", r.message);
}

#[test]
fn interest_on_shares_is_capped_by_the_statutes_rate_on_the_paid_up_capital() {
    // No cap in the statutes: no interest.
    let c = Coop::new("");
    assert_eq!(c.refused(2025, 1_000_000, alloc(150_000, 425_000, 1, 424_999)), Rule::InterestCap);
    // 4.25 % of 10,000 € paid up: 425.00 €.
    let c = Coop::new("interest_rate_cap_percent = 4.25");
    assert!(c.when("2026-06-01", c.convene(2025, 1_000_000, alloc(150_000, 425_000, 42_500, 382_500))).is_ok(), "the cap exactly");
    assert_eq!(c.refused(2025, 1_000_000, alloc(150_000, 425_000, 42_501, 382_499)), Rule::InterestCap);
    assert!(Statutes::from_toml(&SAMPLE_STATUTES.replace("floor_fraction", "interest_rate_cap_percent = 101\nfloor_fraction")).is_err());
}

#[test]
fn an_allocation_adds_up_to_a_surplus_approved_before_it() {
    let c = Coop::new("");
    assert_eq!(c.refused(2025, 1_000_000, alloc(150_000, 425_000, 0, 1)), Rule::InvalidValue, "parts add up to 5,750.01 €");
    assert_eq!(c.refused(2025, -50_000, alloc(0, 0, 0, -0)), Rule::InvalidValue, "a loss is not allocated");
    let alone = Command::Convene {
        slug: "ago-x".into(),
        kind: ResolutionKind::Ordinary,
        date: d("2026-06-20"),
        place: "Lons".into(),
        time: None,
        agenda: vec![Resolution {
            allocation: Some(alloc(150_000, 425_000, 0, 425_000)),
            ..Resolution::new("Affectation", ResolutionKind::Ordinary, true)
        }],
        second_of: None,
        edition: None,
    };
    assert_eq!(c.when("2026-06-01", alone).unwrap_err().rule, Rule::InvalidValue, "no accounts before it");
}

#[test]
fn reserves_grow_by_adopted_allocations_and_absorb_losses_statutory_first() {
    let mut c = Coop::new("");
    c.hold(2024, 1_000_000, alloc(150_000, 425_000, 0, 425_000));
    let r = reserves(&c.state);
    assert_eq!((r.legal_cents, r.statutory_cents, r.carried_forward_cents), (Cents(150_000), Cents(425_000), Cents(425_000)));
    // A loss of 5,000 € the next year: 4,250 € from the statutory reserve, 750 € from the legal.
    c.hold_loss(500_000, &[1, 2]);
    let r = reserves(&c.state);
    assert_eq!((r.legal_cents, r.statutory_cents, r.carried_forward_cents), (Cents(75_000), Cents(0), Cents(425_000)));
    assert_eq!(r.moves.len(), 2);
    assert_eq!((r.moves[1].statutory_cents, r.moves[1].legal_cents), (Cents(-425_000), Cents(-75_000)));
}

#[test]
fn once_the_legal_reserve_reaches_the_highest_capital_it_asks_nothing_more() {
    // Highest capital 10,000 €; a first allocation fills the legal reserve to it.
    let mut c = Coop::new("");
    c.hold(2024, 4_000_000, alloc(1_000_000, 1_300_000, 0, 1_700_000));
    let f = floors(&c.state, Cents(1_000_000));
    assert!(f.legal_reserve_full);
    assert_eq!(f.legal_reserve_min_cents, Cents::ZERO);
    // All to the statutory reserve now: 57.5 % impartible still holds.
    assert!(c.when("2026-06-01", c.convene(2025, 1_000_000, alloc(0, 575_000, 0, 425_000))).is_ok());
    assert_eq!(c.refused(2025, 1_000_000, alloc(0, 574_999, 0, 425_001)), Rule::ImpartibleReserves);
}

#[test]
fn a_leaving_member_bears_its_share_of_the_losses_of_its_year_the_reserves_did_not_absorb() {
    let mut c = Coop::new("");
    c.ok("2024-03-31", Command::Withdraw { member: MemberRef::Number(MemberNo(5)) });
    c.ok("2025-03-31", Command::Withdraw { member: MemberRef::Number(MemberNo(1)) });
    let owed = |c: &Coop, n: u32| crate::reimbursements(&c.state, d("2026-07-01")).into_iter().find(|r| r.member == MemberNo(n)).unwrap();
    assert_eq!((owed(&c, 1).amount_cents, owed(&c, 1).losses_cents), (Cents(100_000), Cents::ZERO));
    // The 2025 accounts show a loss of 2,000 € and there are no reserves: member 1 holds
    // 1,000 € of the 10,000 € subscribed, so it bears 200 €.
    c.hold_loss(200_000, &[2, 3, 4]);
    assert_eq!((owed(&c, 1).amount_cents, owed(&c, 1).losses_cents), (Cents(80_000), Cents(20_000)));
    // Member 5 left in 2024: the 2025 loss is none of its business.
    assert_eq!((owed(&c, 5).amount_cents, owed(&c, 5).losses_cents), (Cents(100_000), Cents::ZERO));
}
