//! The chronological register of share movements, as a variable-capital company keeps it:
//! every subscription, payment, transfer and redemption, numbered in the order of their dates,
//! with the capital after each.

use chrono::NaiveDate;
use serde::Serialize;

use crate::event::Event;
use crate::statutes::Statutes;
use crate::units::{Cents, MemberNo};

/// What a movement of the register is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Shares subscribed (on admission or later).
    Subscription,
    /// Capital paid up on shares already subscribed.
    Payment,
    /// Fully paid shares passed from one member to another.
    Transfer,
    /// Shares cancelled and reimbursed.
    Redemption,
}

/// One numbered entry of the register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Movement {
    /// Its number in the register, from 1.
    pub number: u64,
    /// Its effective date.
    pub date: NaiveDate,
    /// The log event that records it.
    pub seq: u64,
    /// What it is.
    pub kind: MovementKind,
    /// The member concerned (the giver of a transfer).
    pub member: MemberNo,
    /// The receiver of a transfer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<MemberNo>,
    /// The share class (none for a payment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Shares moved (none for a payment).
    pub shares: u64,
    /// Nominal value moved; for a payment, the amount paid; for a redemption, the nominal value
    /// cancelled (the amount reimbursed is `reimbursed_cents`).
    pub amount_cents: Cents,
    /// For a redemption: what was reimbursed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reimbursed_cents: Option<Cents>,
    /// Subscribed capital after the movement.
    pub capital_after_cents: Cents,
    /// Paid-up capital after the movement.
    pub paid_after_cents: Cents,
}

/// The register of share movements of `facts`, given in the timeline's order (by effective
/// date, then as recorded; voided facts left out) as `(seq, date, event)`. Nominal values are
/// those of the statutes in force at each movement.
pub fn share_movements<'e>(facts: impl IntoIterator<Item = (u64, NaiveDate, &'e Event)>) -> Vec<Movement> {
    let mut statutes: Option<&Statutes> = None;
    let (mut capital, mut paid) = (0i64, 0i64);
    let mut out = Vec::new();
    let nominal = |st: Option<&Statutes>, class: &str, count: u64| -> i64 {
        st.and_then(|s| s.share_classes.iter().find(|c| c.code == class)).map_or(0, |c| c.nominal_cents.0.saturating_mul(count as i64))
    };
    for (seq, date, event) in facts {
        let entry = match event {
            Event::StatutesAdopted { statutes: st, .. } => {
                statutes = Some(st);
                None
            }
            Event::SharesSubscribed { member, class, count, paid_cents } => {
                let value = nominal(statutes, class, *count);
                capital += value;
                paid += paid_cents.0;
                Some((MovementKind::Subscription, *member, None, Some(class.clone()), *count, value, None))
            }
            Event::SharesPaid { member, amount_cents } => {
                paid += amount_cents.0;
                Some((MovementKind::Payment, *member, None, None, 0, amount_cents.0, None))
            }
            Event::SharesTransferred { from, to, class, count } => {
                Some((MovementKind::Transfer, *from, Some(*to), Some(class.clone()), *count, nominal(statutes, class, *count), None))
            }
            Event::SharesRedeemed { member, class, count, reimbursed_cents } => {
                let value = nominal(statutes, class, *count);
                capital -= value;
                paid -= reimbursed_cents.0;
                Some((MovementKind::Redemption, *member, None, Some(class.clone()), *count, value, Some(*reimbursed_cents)))
            }
            _ => None,
        };
        if let Some((kind, member, to, class, shares, amount, reimbursed)) = entry {
            out.push(Movement {
                number: out.len() as u64 + 1,
                date,
                seq,
                kind,
                member,
                to,
                class,
                shares,
                amount_cents: Cents(amount),
                reimbursed_cents: reimbursed,
                capital_after_cents: Cents(capital),
                paid_after_cents: Cents(paid),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    #[test]
    fn movements_are_numbered_in_date_order_with_the_capital_after_each() {
        let st = Statutes::from_toml(SAMPLE_STATUTES).unwrap();
        let d = |s: &str| parse_date(s).unwrap();
        let (m1, m2) = (MemberNo(1), MemberNo(2));
        let events = [
            (1, d("2016-06-30"), Event::StatutesAdopted { statutes: Box::new(st), decided_by: None, sha256: None }),
            (2, d("2020-01-01"), Event::SharesSubscribed { member: m1, class: "A".into(), count: 4, paid_cents: Cents(5_000) }),
            (3, d("2020-01-01"), Event::SharesSubscribed { member: m2, class: "A".into(), count: 2, paid_cents: Cents(10_000) }),
            (4, d("2020-02-01"), Event::SharesPaid { member: m1, amount_cents: Cents(15_000) }),
            (5, d("2021-01-01"), Event::SharesTransferred { from: m1, to: m2, class: "A".into(), count: 1 }),
            (6, d("2022-01-01"), Event::SharesRedeemed { member: m2, class: "A".into(), count: 3, reimbursed_cents: Cents(15_000) }),
            (7, d("2022-01-02"), Event::ReviewCompleted {}),
        ];
        let register = share_movements(events.iter().map(|(s, d, e)| (*s, *d, e)));
        let rows: Vec<(u64, MovementKind, u64, i64, i64, i64)> = register
            .iter()
            .map(|m| (m.number, m.kind, m.shares, m.amount_cents.0, m.capital_after_cents.0, m.paid_after_cents.0))
            .collect();
        assert_eq!(
            rows,
            vec![
                (1, MovementKind::Subscription, 4, 20_000, 20_000, 5_000),
                (2, MovementKind::Subscription, 2, 10_000, 30_000, 15_000),
                (3, MovementKind::Payment, 0, 15_000, 30_000, 30_000),
                (4, MovementKind::Transfer, 1, 5_000, 30_000, 30_000),
                (5, MovementKind::Redemption, 3, 15_000, 15_000, 15_000),
            ]
        );
        assert_eq!(register[3].to, Some(m2));
        assert_eq!(register[4].reimbursed_cents, Some(Cents(15_000)));
    }
}
