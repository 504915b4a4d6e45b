//! The rules of variable capital: subscriptions (a quarter paid at once), payments, transfers
//! of fully paid shares, redemptions, each member's minimum, and the capital-wide rules
//! (`rules.rs`: the public bodies' cap and the capital floor, on totals alone).

mod movements;
mod reimbursement;
pub(crate) mod rules;

pub use movements::{share_movements, Movement, MovementKind};
pub use reimbursement::{reimbursements, Reimbursement};

use crate::decide::{refuse, Decider, Refusal, Rule};
use crate::event::{Event, PartyKind};
use crate::state::Member;
use crate::units::{Cents, Fraction, MemberNo, MemberRef};
use rules::{floor, public_cap};

impl<'a> Decider<'a> {
    pub(crate) fn quarter_paid(&self, subscribed: Cents, paid: Option<Cents>) -> Result<Cents, Refusal> {
        let paid = paid.unwrap_or(subscribed);
        let quarter = Fraction::QUARTER.of_ceil(subscribed);
        if paid < quarter {
            return refuse(
                Rule::QuarterPaid,
                format!("paying {paid} of a {subscribed} subscription is less than the quarter the law requires at once ({quarter})"),
            );
        }
        if paid > subscribed {
            return refuse(Rule::Overpayment, format!("paying {paid} is more than the {subscribed} subscribed"));
        }
        Ok(paid)
    }

    /// Public bodies' share after a change of their and the total subscribed capital.
    pub(crate) fn public_cap(&self, public_delta: i64, total_delta: i64) -> Result<(), Refusal> {
        public_cap(self.statutes, self.state.capital, public_delta, total_delta)
    }

    pub(crate) fn subscribe(&self, member: MemberRef, count: u64, class: Option<&str>, paid: Option<Cents>) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        self.count(count)?;
        let (class, nominal) = self.class_for(m, class)?;
        let subscribed =
            nominal.times(count).ok_or_else(|| Refusal { rule: Rule::InvalidValue, message: format!("{count} shares is too many") })?;
        let paid = self.quarter_paid(subscribed, paid)?;
        let public = if m.kind == PartyKind::PublicBody { subscribed.0 } else { 0 };
        self.public_cap(public, subscribed.0)?;
        Ok(vec![Event::SharesSubscribed { member: m.number, class, count, paid_cents: paid }])
    }

    pub(crate) fn pay(&self, member: MemberRef, amount: Cents) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        if amount <= Cents::ZERO {
            return refuse(Rule::InvalidValue, format!("a payment must be above zero; {amount} given"));
        }
        let owed = Cents(m.subscribed().0 - m.paid().0);
        if amount > owed {
            return refuse(
                Rule::Overpayment,
                format!("member {} owes {owed} on its shares; a payment of {amount} is more than that", m.number),
            );
        }
        Ok(vec![Event::SharesPaid { member: m.number, amount_cents: amount }])
    }

    /// A current member keeps its category's minimum in the category's class.
    pub(crate) fn keeps_minimum(&self, m: &Member, class: &str, count: u64, verb: &str) -> Result<(), Refusal> {
        if !m.is_active() {
            return Ok(());
        }
        if let Some(cat) = self.statutes.category(&m.category) {
            let left = m.shares_of(class).saturating_sub(count);
            if cat.class == class && left < cat.min_shares as u64 {
                return refuse(
                    Rule::MinimumShares,
                    format!(
                        "member {} would keep {} after this {verb}, below the {} its category '{}' requires (to leave, record a withdrawal first)",
                        m.number, crate::units::count(left, &format!("class {class} share"), &format!("class {class} shares")), cat.min_shares, cat.code
                    ),
                );
            }
        }
        Ok(())
    }

    pub(crate) fn holds(&self, m: &Member, class: &str, count: u64) -> Result<(), Refusal> {
        let have = m.shares_of(class);
        if have < count {
            return refuse(
                Rule::NotEnoughShares,
                format!(
                    "member {} holds {}, fewer than {count}",
                    m.number,
                    crate::units::count(have, &format!("class {class} share"), &format!("class {class} shares"))
                ),
            );
        }
        Ok(())
    }

    pub(crate) fn transfer(&self, from: MemberRef, to: MemberRef, count: u64, class: Option<&str>) -> Result<Vec<Event>, Refusal> {
        let giver = self.active(from)?;
        let receiver = self.active(to)?;
        if giver.number == receiver.number {
            return refuse(Rule::InvalidValue, format!("member {} cannot transfer shares to itself", giver.number));
        }
        self.count(count)?;
        let (class, _) = self.class_for(giver, class)?;
        self.holds(giver, &class, count)?;
        let (nominal, paid) = giver.newest_value(&class, count);
        if paid < nominal {
            return refuse(
                Rule::UnpaidShares,
                match count {
                    1 => format!("the newest class {class} share of member {} is paid {paid} of {nominal}: only fully paid shares are transferred", giver.number),
                    _ => format!("the {count} newest class {class} shares of member {} are paid {paid} of {nominal}: only fully paid shares are transferred", giver.number),
                },
            );
        }
        self.keeps_minimum(giver, &class, count, "transfer")?;
        let delta = |m: &Member, sign: i64| if m.kind == PartyKind::PublicBody { sign * nominal.0 } else { 0 };
        self.public_cap(delta(receiver, 1) + delta(giver, -1), 0)?;
        Ok(vec![Event::SharesTransferred { from: giver.number, to: receiver.number, class, count }])
    }

    pub(crate) fn redeem(&self, member: MemberRef, count: u64, class: Option<&str>) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        self.count(count)?;
        let (class, _) = self.class_for(m, class)?;
        self.holds(m, &class, count)?;
        self.keeps_minimum(m, &class, count, "redemption")?;
        let (nominal, paid) = m.newest_value(&class, count);
        self.floor(m.number, count, nominal)?;
        let public = if m.kind == PartyKind::PublicBody { -nominal.0 } else { 0 };
        self.public_cap(public, -nominal.0)?;
        Ok(vec![Event::SharesRedeemed { member: m.number, class, count, reimbursed_cents: paid }])
    }

    /// Capital may not fall below its floor: redeeming `count` shares of `member`, worth
    /// `nominal`.
    pub(crate) fn floor(&self, member: MemberNo, count: u64, nominal: Cents) -> Result<(), Refusal> {
        floor(self.statutes, self.state.capital, member, count, nominal)
    }
}
