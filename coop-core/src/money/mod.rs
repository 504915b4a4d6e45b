//! The money of the cooperative beyond its capital: a year's result as the accounts resolution
//! states it, the allocation of a surplus between reserves, interest on shares and the amount
//! carried forward, the legal floors an allocation must meet, and the reserves over time.
//!
//! The floors (loi n° 47-1775 du 10 septembre 1947 portant statut de la coopération):
//! - art. 16: at least 15 % of the surplus goes to the legal reserve until it reaches the
//!   highest amount the capital has reached;
//! - art. 19 nonies (SCIC): at least half of what remains after the legal reserve goes to a
//!   statutory reserve, so legal and statutory reserves together take at least 57.5 % of the
//!   surplus (15 % + 50 % of 85 %); both are impartible;
//! - art. 14: interest on shares is at most the paid-up capital times a rate capped by the
//!   average rate of return of private companies' bonds (TMO) of the three previous calendar
//!   years plus two points; the statutes record that cap (`interest_rate_cap_percent`), since
//!   coop reaches no network to read the TMO.
//!
//! A loss is not allocated: approving accounts that show one charges it to the reserves, the
//! statutory reserve first, then the legal reserve; what they cannot absorb is carried forward.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::decide::{refuse, Refusal, Rule};
use crate::state::State;
use crate::units::Cents;

/// How a surplus is shared out, in cents (the agenda's `allocate` table, in euros).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// To the legal reserve (impartible).
    pub legal_reserve_cents: Cents,
    /// To the statutory reserve (impartible in a SCIC).
    pub statutory_reserve_cents: Cents,
    /// Interest paid on the shares.
    pub interest_cents: Cents,
    /// Carried forward to the next year.
    pub carried_forward_cents: Cents,
}

impl Allocation {
    /// What the parts add up to.
    pub fn total(&self) -> Cents {
        Cents(self.legal_reserve_cents.0 + self.statutory_reserve_cents.0 + self.interest_cents.0 + self.carried_forward_cents.0)
    }
}

/// The least and most an allocation of `surplus` may give, on the day it is convened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Floors {
    /// The surplus allocated.
    pub surplus_cents: Cents,
    /// At least this to the legal reserve (0 once it has reached the highest capital).
    pub legal_reserve_min_cents: Cents,
    /// Whether the legal reserve had reached the highest capital (art. 16 then asks nothing).
    pub legal_reserve_full: bool,
    /// At least this to the legal and statutory reserves together.
    pub impartible_min_cents: Cents,
    /// At most this as interest on shares (`None`: the statutes record no cap, so none).
    pub interest_max_cents: Option<Cents>,
    /// The paid-up capital the interest cap applies to.
    pub paid_capital_cents: Cents,
    /// The statutes' rate cap, in hundredths of a percent.
    pub interest_rate_cap_bp: Option<u32>,
}

/// `part / whole` of `amount`, rounded up to the cent: a floor is never missed by rounding.
pub fn share_ceil(amount: Cents, part: i64, whole: i64) -> Cents {
    Cents(
        (amount.0 as i128 * part as i128).div_euclid(whole as i128) as i64
            + i64::from((amount.0 as i128 * part as i128) % whole as i128 != 0),
    )
}

/// The floors for allocating `surplus` with the reserves and capital of `state` (as of the
/// convening).
pub fn floors(state: &State, surplus: Cents) -> Floors {
    let legal_now = reserves(state).legal_cents;
    let full = legal_now >= state.capital.highest && state.capital.highest.0 > 0;
    let cap = state.statutes.as_ref().and_then(|s| s.capital.interest_rate_cap_bp);
    let paid = state.capital.paid;
    Floors {
        surplus_cents: surplus,
        legal_reserve_min_cents: if full { Cents::ZERO } else { share_ceil(surplus, 15, 100) },
        legal_reserve_full: full,
        impartible_min_cents: share_ceil(surplus, 575, 1000),
        interest_max_cents: cap.map(|bp| Cents((paid.0 as i128 * bp as i128 / 10_000) as i64)),
        paid_capital_cents: paid,
        interest_rate_cap_bp: cap,
    }
}

/// Whether `a` allocates `f.surplus_cents` within the legal floors.
pub(crate) fn check(n: usize, a: &Allocation, f: &Floors) -> Result<(), Refusal> {
    if f.surplus_cents.0 <= 0 {
        return refuse(
            Rule::InvalidValue,
            format!(
                "resolution {n} allocates a result of {}: only a surplus is allocated; a loss is charged to the reserves",
                f.surplus_cents
            ),
        );
    }
    if a.total() != f.surplus_cents {
        return refuse(
            Rule::InvalidValue,
            format!("resolution {n} allocates {} in all, but the result is {}: the parts must add up to it", a.total(), f.surplus_cents),
        );
    }
    if a.legal_reserve_cents < f.legal_reserve_min_cents {
        return refuse(
            Rule::LegalReserve,
            format!(
                "resolution {n} gives the legal reserve {}, below the 15 % of the surplus the law requires ({}; art. 16 of the law of 10 September 1947) until it reaches the highest capital",
                a.legal_reserve_cents, f.legal_reserve_min_cents
            ),
        );
    }
    let impartible = Cents(a.legal_reserve_cents.0 + a.statutory_reserve_cents.0);
    if impartible < f.impartible_min_cents {
        return refuse(
            Rule::ImpartibleReserves,
            format!(
                "resolution {n} puts {impartible} in the legal and statutory reserves, below the 57.5 % of the surplus a SCIC must put there ({}; art. 19 nonies of the law of 10 September 1947)",
                f.impartible_min_cents
            ),
        );
    }
    match f.interest_max_cents {
        None if a.interest_cents.0 > 0 => refuse(
            Rule::InterestCap,
            format!(
                "resolution {n} pays {} of interest on shares, but the statutes record no rate cap (interest_rate_cap_percent: the average TMO of the three previous years plus two points; art. 14 of the law of 10 September 1947)",
                a.interest_cents
            ),
        ),
        Some(max) if a.interest_cents > max => refuse(
            Rule::InterestCap,
            format!(
                "resolution {n} pays {} of interest on shares, above {max}: the paid-up capital {} times the statutes' cap of {} % (art. 14 of the law of 10 September 1947)",
                a.interest_cents,
                f.paid_capital_cents,
                f.interest_rate_cap_bp.map(|bp| format!("{}.{:02}", bp / 100, bp % 100)).unwrap_or_default()
            ),
        ),
        _ => Ok(()),
    }
}

/// One change of the reserves, as an adopted resolution of a closed assembly made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReserveMove {
    /// The meeting's date.
    pub date: NaiveDate,
    /// The assembly.
    pub assembly: String,
    /// The resolution.
    pub resolution: u32,
    /// Changes of the legal reserve, the statutory reserve and the amount carried forward.
    pub legal_cents: Cents,
    /// See `legal_cents`.
    pub statutory_cents: Cents,
    /// See `legal_cents`.
    pub carried_forward_cents: Cents,
    /// Interest paid on shares.
    pub interest_cents: Cents,
    /// For a loss: the financial year of the accounts that showed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_year: Option<i32>,
}

/// The reserves over time, and where they stand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reserves {
    /// Each change, in the order of the meetings.
    pub moves: Vec<ReserveMove>,
    /// The legal reserve now.
    pub legal_cents: Cents,
    /// The statutory reserve now.
    pub statutory_cents: Cents,
    /// The amount carried forward now (negative: losses not yet absorbed).
    pub carried_forward_cents: Cents,
}

/// The reserves of `state`: the allocations adopted by closed assemblies, and the losses their
/// approved accounts showed, charged to the statutory reserve first, then the legal reserve.
pub fn reserves(state: &State) -> Reserves {
    let mut out = Reserves::default();
    let Some(st) = state.statutes.as_ref() else { return out };
    let mut closed: Vec<&crate::assembly::Assembly> = state.assemblies.values().filter(|a| a.closed.is_some()).collect();
    closed.sort_by_key(|a| (a.date, a.slug.clone()));
    for a in closed {
        let concerned = a.agenda.iter().any(|r| r.allocation.is_some() || r.result_cents.is_some_and(|c| c.0 < 0));
        if !concerned {
            continue;
        }
        let results = crate::assembly::results(state, st, a);
        for (i, r) in a.agenda.iter().enumerate() {
            if !results.get(i).is_some_and(|x| x.adopted) {
                continue;
            }
            let mut m = ReserveMove {
                date: a.date,
                assembly: a.slug.clone(),
                resolution: i as u32 + 1,
                legal_cents: Cents::ZERO,
                statutory_cents: Cents::ZERO,
                carried_forward_cents: Cents::ZERO,
                interest_cents: Cents::ZERO,
                loss_year: None,
            };
            if let Some(al) = &r.allocation {
                m.legal_cents = al.legal_reserve_cents;
                m.statutory_cents = al.statutory_reserve_cents;
                m.carried_forward_cents = al.carried_forward_cents;
                m.interest_cents = al.interest_cents;
            } else if let Some(loss) = r.result_cents.filter(|c| c.0 < 0).map(|c| -c.0) {
                let from_statutory = loss.min(out.statutory_cents.0.max(0));
                let from_legal = (loss - from_statutory).min(out.legal_cents.0.max(0));
                m.statutory_cents = Cents(-from_statutory);
                m.legal_cents = Cents(-from_legal);
                m.carried_forward_cents = Cents(-(loss - from_statutory - from_legal));
                m.loss_year = match r.subject {
                    Some(crate::assembly::Subject::Accounts(y)) => Some(y),
                    _ => None,
                };
            } else {
                continue;
            }
            out.legal_cents = Cents(out.legal_cents.0 + m.legal_cents.0);
            out.statutory_cents = Cents(out.statutory_cents.0 + m.statutory_cents.0);
            out.carried_forward_cents = Cents(out.carried_forward_cents.0 + m.carried_forward_cents.0);
            out.moves.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests;
