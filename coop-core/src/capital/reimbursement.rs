//! What the cooperative owes its former members: a member who withdrew, was excluded, died or
//! whose legal person was dissolved keeps its shares until they are redeemed (`shares redeem`),
//! and is owed their value by the statutes' delay after it left (art. 18 of the 1947 law lets
//! the statutes set it; `reimbursement_delay_days` or `reimbursement_delay_months`).
//!
//! The amount owed is what was paid up on the shares still held, at most their nominal value
//! less the member's share of the losses the accounts of the year it left showed and the
//! reserves could not absorb (in proportion to its capital in the subscribed capital).

use chrono::NaiveDate;
use serde::Serialize;

use crate::event::EndCause;
use crate::state::{Member, State};
use crate::units::{Cents, MemberNo};

/// One former member's reimbursement, pending until its shares are redeemed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reimbursement {
    /// The former member.
    pub member: MemberNo,
    /// Why it left.
    pub cause: EndCause,
    /// When it left.
    pub left: NaiveDate,
    /// The shares it still holds.
    pub shares: u64,
    /// Their nominal value.
    pub nominal_cents: Cents,
    /// What is owed: the amount paid up on them, less `losses_cents`.
    pub amount_cents: Cents,
    /// Its share of the losses of the year it left that the reserves did not absorb.
    pub losses_cents: Cents,
    /// The day by which it is to be reimbursed.
    pub due: NaiveDate,
    /// `pending` (not due yet), `due` (due date reached, within it), `overdue`.
    pub status: &'static str,
    /// Whether redeeming them now would take the capital below its floor: the reimbursement
    /// must then wait (L. 231-5 of the Commercial Code; art. 7 of the 1947 law).
    pub held_back_by_floor: bool,
}

/// The reimbursements pending on `today`: every former member still holding shares, in the order
/// of their due dates.
pub fn reimbursements(state: &State, today: NaiveDate) -> Vec<Reimbursement> {
    let Some(st) = state.statutes.as_ref() else { return Vec::new() };
    let floor = st.capital_floor(state.capital.highest);
    // Losses the reserves could not absorb, by the financial year of the accounts showing them.
    let uncovered: std::collections::BTreeMap<i32, i64> = crate::money::reserves(state)
        .moves
        .iter()
        .filter_map(|m| m.loss_year.map(|y| (y, -m.carried_forward_cents.0)))
        .filter(|(_, l)| *l > 0)
        .collect();
    let (end_month, end_day) = st.assembly.financial_year_end;
    let mut out: Vec<Reimbursement> = state
        .members
        .values()
        .filter_map(|m: &Member| {
            let ended = m.ended.as_ref()?;
            let shares = m.shares();
            if shares == 0 {
                return None;
            }
            let nominal = m.subscribed();
            // The financial year it left in: the one whose end is on or after the day it left.
            let year = {
                use chrono::Datelike;
                let end = NaiveDate::from_ymd_opt(ended.date.year(), end_month, end_day);
                if end.is_some_and(|e| ended.date > e) {
                    ended.date.year() + 1
                } else {
                    ended.date.year()
                }
            };
            let capital = state.capital.subscribed.0.max(1) as i128;
            let losses =
                uncovered.get(&year).map_or(0, |l| ((*l as i128 * nominal.0 as i128 + capital - 1) / capital) as i64).min(nominal.0);
            let paid = Cents(m.paid().min(nominal).0.min(nominal.0 - losses).max(0));
            let due = st.capital.reimbursement_due(ended.date);
            let status = match due.cmp(&today) {
                std::cmp::Ordering::Greater => "pending",
                std::cmp::Ordering::Equal => "due",
                std::cmp::Ordering::Less => "overdue",
            };
            Some(Reimbursement {
                member: m.number,
                cause: ended.cause,
                left: ended.date,
                shares,
                nominal_cents: nominal,
                amount_cents: paid,
                losses_cents: Cents(losses),
                due,
                status,
                held_back_by_floor: Cents(state.capital.subscribed.0 - nominal.0) < floor,
            })
        })
        .collect();
    out.sort_by_key(|r| (r.due, r.member));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    /// Founded with the sample statutes (floor: a quarter of the highest capital), then members
    /// admitted with `shares` each.
    fn coop(statutes: &str, shares: &[u64]) -> State {
        let st = Statutes::from_toml(statutes).unwrap();
        let mut state = State::default();
        let mut n = 1u128;
        let mut run = |state: &mut State, date: &str, cmd: Command| {
            let ctx = Context {
                today: d("2030-01-01"),
                fresh_id: ulid::Ulid(n),
                salt: "s".into(),
                actor: "secretary".into(),
                number: None,
                signer: None,
            };
            n += 1;
            for e in decide(state, d(date), &cmd, &ctx).unwrap_or_else(|r| panic!("{cmd:?}: {r}")) {
                crate::state::apply_checked(state, d(date), &e);
            }
        };
        run(&mut state, &st.founded.to_string(), Command::Found { statutes: Box::new(st), founder: None });
        for (i, s) in shares.iter().enumerate() {
            let admit = Command::Admit {
                personal: Personal { name: format!("M{i}"), email: None, address: None },
                kind: PartyKind::Person,
                category: "beneficiaries".into(),
                shares: Some(*s),
                class: None,
                paid: None,
            };
            run(&mut state, "2020-01-01", admit);
        }
        for (i, date) in [(1u32, "2024-06-30"), (2, "2025-03-31")] {
            if (i as usize) <= shares.len() {
                run(&mut state, date, Command::Withdraw { member: MemberRef::Number(MemberNo(i)) });
            }
        }
        state
    }

    #[test]
    fn a_former_member_is_owed_what_it_paid_by_the_statutes_delay() {
        let state = coop(SAMPLE_STATUTES, &[4, 2, 10]);
        let owed = reimbursements(&state, d("2029-06-30"));
        assert_eq!(owed.iter().map(|r| r.member.0).collect::<Vec<_>>(), vec![1, 2], "in the order of their due dates");
        let first = &owed[0];
        assert_eq!((first.shares, first.amount_cents, first.left), (4, Cents(20_000), d("2024-06-30")));
        // 1825 days after 2024-06-30.
        assert_eq!(first.due, d("2029-06-29"));
        assert_eq!(first.status, "overdue");
        assert_eq!(owed[1].status, "pending");
        assert_eq!(reimbursements(&state, d("2029-06-29"))[0].status, "due", "on the due date itself");
    }

    #[test]
    fn a_delay_in_months_counts_calendar_months() {
        let months = SAMPLE_STATUTES.replace("reimbursement_delay_days = 1825", "reimbursement_delay_months = 60");
        let state = coop(&months, &[4, 2, 10]);
        let owed = reimbursements(&state, d("2026-01-01"));
        assert_eq!(owed[0].due, d("2029-06-30"), "60 months after 2024-06-30");
        assert_eq!(owed[1].due, d("2030-03-31"));
        let both =
            SAMPLE_STATUTES.replace("reimbursement_delay_days = 1825", "reimbursement_delay_days = 1825\nreimbursement_delay_months = 60");
        assert!(Statutes::from_toml(&both).is_err(), "the delay is given once");
    }

    #[test]
    fn a_reimbursement_that_would_breach_the_floor_is_held_back() {
        // Highest capital 14 shares (700 €), floor a quarter: 175 €. Member 1 holds 4 shares
        // (200 €): redeeming them leaves 500 €, above the floor. With 1 and 2 holding most of the
        // capital the floor holds one of them back.
        let state = coop(SAMPLE_STATUTES, &[4, 2, 10]);
        assert!(reimbursements(&state, d("2026-01-01")).iter().all(|r| !r.held_back_by_floor));
        let state = coop(SAMPLE_STATUTES, &[10, 2, 1]);
        // Highest 13 shares (650 €), floor 162.50 €; redeeming member 1's 10 shares leaves 150 €.
        let owed = reimbursements(&state, d("2026-01-01"));
        let one = owed.iter().find(|r| r.member == MemberNo(1)).unwrap();
        assert!(one.held_back_by_floor);
        let two = owed.iter().find(|r| r.member == MemberNo(2)).unwrap();
        assert!(!two.held_back_by_floor, "redeeming 2 shares leaves 550 €");
        // `check` says so: held back now, and overdue once past the delay.
        let codes = |day: &str| {
            compliance(&state, d(day))
                .into_iter()
                .filter(|f| f.code.starts_with("reimbursement"))
                .map(|f| (f.code, f.members))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes("2026-01-01"), vec![("reimbursement_held_back", vec![MemberNo(1)])]);
        assert_eq!(
            codes("2029-07-01"),
            vec![("reimbursement_overdue", vec![MemberNo(1)]), ("reimbursement_held_back", vec![MemberNo(1)])],
            "member 1 is past its due date, member 2 not yet"
        );
    }
}
