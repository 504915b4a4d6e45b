//! The capital-wide rules (the public bodies' cap, the capital floor), on capital totals alone:
//! what `decide` checks for a movement of capital, and what a late share movement re-checks for
//! every later one on shifted totals (`timeline::place_local`), with the same code.

use crate::decide::{refuse, Refusal, Rule};
use crate::state::CapitalTotals;
use crate::statutes::Statutes;
use crate::units::{Cents, MemberNo};

/// Public bodies hold at most the statutes' share of the subscribed capital `c` changed by
/// `public_delta` and `total_delta`; a change that lowers their share is never refused.
pub(crate) fn public_cap(statutes: &Statutes, c: CapitalTotals, public_delta: i64, total_delta: i64) -> Result<(), Refusal> {
    let total = c.subscribed.0 + total_delta;
    let public = c.public_subscribed.0 + public_delta;
    let max = statutes.capital.public_bodies_max_percent as i128;
    let over = |p: i64, t: i64| t > 0 && (p as i128) * 100 > max * t as i128;
    let was_share = |p: i64, t: i64| if t > 0 { p as f64 / t as f64 } else { 0.0 };
    if over(public, total) && was_share(public, total) > was_share(c.public_subscribed.0, c.subscribed.0) {
        return refuse(
            Rule::PublicBodiesCap,
            format!(
                "public bodies would hold {} of {} capital ({:.1} %), above the {} % they may hold together",
                Cents(public),
                Cents(total),
                was_share(public, total) * 100.0,
                max
            ),
        );
    }
    Ok(())
}

/// Capital `c` may not fall below its floor: redeeming `count` shares of `member`, worth
/// `nominal`.
pub(crate) fn floor(statutes: &Statutes, c: CapitalTotals, member: MemberNo, count: u64, nominal: Cents) -> Result<(), Refusal> {
    let after = Cents(c.subscribed.0 - nominal.0);
    let floor = statutes.capital_floor(c.highest);
    if after < floor {
        let by_fraction = statutes.capital.floor_fraction.of_ceil(c.highest);
        let why = if floor == by_fraction {
            format!("{} of the highest capital, {}", statutes.capital.floor_fraction, c.highest)
        } else {
            "the minimum capital of the statutes or the law".to_string()
        };
        return refuse(
            Rule::CapitalFloor,
            format!("redeeming {} of member {member} would take capital from {} to {after}, below the floor of {floor} ({why}); the reimbursement must wait", crate::units::count(count, "share", "shares"), c.subscribed),
        );
    }
    Ok(())
}

/// The capital rules a recorded command's decision applied (the public bodies' cap, and for a
/// redemption of `count` shares of a member the capital floor first), checked again on the
/// totals `before` it in a changed history. Its own effect, `public_delta` and `total_delta`,
/// is as recorded: only the totals before it differ. The very code [`decide`] runs.
pub(crate) fn capital_rules(
    statutes: &Statutes,
    before: CapitalTotals,
    public_delta: i64,
    total_delta: i64,
    redeemed: Option<(MemberNo, u64)>,
) -> Result<(), Refusal> {
    if let Some((member, count)) = redeemed {
        floor(statutes, before, member, count, Cents(-total_delta))?;
    }
    public_cap(statutes, before, public_delta, total_delta)
}
