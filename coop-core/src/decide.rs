//! Commands and the decider: every rule of membership and capital lives here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::event::{EndCause, Event, PartyKind};
use crate::state::{Member, State};
use crate::statutes::{LossOfQuality, Role, Statutes};
use crate::units::{Cents, Fraction, MemberRef, PartyId};

/// Personal data of a party: kept outside the hashed log, erasable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Personal {
    /// Full name (person) or corporate name.
    pub name: String,
    /// E-mail address, if known.
    pub email: Option<String>,
}

impl Personal {
    /// Hex SHA-256 of the salt and the data; the log keeps only this.
    pub fn digest(&self, salt: &str) -> String {
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update([0]);
        h.update(self.name.as_bytes());
        h.update([0]);
        h.update(self.email.as_deref().unwrap_or("").as_bytes());
        hex::encode(h.finalize())
    }
}

/// What a user asks the cooperative to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Adopt the founding statutes: the log's first event.
    Found {
        /// The statutes.
        statutes: Statutes,
    },
    /// Admit a party into a category, subscribing shares in the same act.
    Admit {
        /// Name and e-mail, stored outside the log.
        personal: Personal,
        /// Person, organisation or public body.
        kind: PartyKind,
        /// Category code.
        category: String,
        /// Shares to subscribe; the category's minimum when `None`.
        shares: Option<u64>,
        /// Share class; the category's class when `None`.
        class: Option<String>,
        /// Paid at once; everything when `None`.
        paid: Option<Cents>,
    },
    /// Move a member to another category.
    Move {
        /// Who.
        member: MemberRef,
        /// New category code.
        category: String,
    },
    /// Record a member's withdrawal (démission).
    Withdraw {
        /// Who.
        member: MemberRef,
    },
    /// Record the end of a membership by death, dissolution or loss of quality.
    End {
        /// Who.
        member: MemberRef,
        /// Death, dissolution or loss of quality.
        cause: EndCause,
    },
    /// Subscribe more shares.
    Subscribe {
        /// Who.
        member: MemberRef,
        /// Number of shares.
        count: u64,
        /// Share class; the member's category class when `None`.
        class: Option<String>,
        /// Paid at once; everything when `None`.
        paid: Option<Cents>,
    },
    /// Pay up subscribed capital.
    Pay {
        /// Who.
        member: MemberRef,
        /// Amount.
        amount: Cents,
    },
    /// Transfer fully paid shares between members.
    Transfer {
        /// Giver.
        from: MemberRef,
        /// Receiver.
        to: MemberRef,
        /// Number of shares.
        count: u64,
        /// Share class; the giver's category class when `None`.
        class: Option<String>,
    },
    /// Redeem (cancel and reimburse) shares.
    Redeem {
        /// Whose.
        member: MemberRef,
        /// Number of shares.
        count: u64,
        /// Share class; the member's category class when `None`.
        class: Option<String>,
    },
}

impl Command {
    /// The personal data this command brings, to be stored beside the log.
    pub fn personal(&self) -> Option<&Personal> {
        match self {
            Command::Admit { personal, .. } => Some(personal),
            _ => None,
        }
    }

    /// Hex SHA-256 of the command without its personal data: recorded with a command id so
    /// that a retry with the same id but another command is told apart.
    pub fn fingerprint(&self) -> String {
        let mut c = self.clone();
        if let Command::Admit { personal, .. } = &mut c {
            *personal = Personal {
                name: String::new(),
                email: None,
            };
        }
        let json = serde_json::to_vec(&c).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}

/// What the caller supplies that the core may not produce itself: the clock and randomness.
#[derive(Clone, Debug)]
pub struct Context {
    /// Today's date; no fact may be dated after it.
    pub today: NaiveDate,
    /// A fresh identity for a party the command creates.
    pub fresh_id: PartyId,
    /// A fresh random salt for the personal-data digest.
    pub salt: String,
}

/// The rule a refused command broke. Stable names, shown in JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A member number or id that the register does not know.
    UnknownMember,
    /// A category the statutes do not define.
    UnknownCategory,
    /// A share class the statutes do not define.
    UnknownShareClass,
    /// A value that is malformed in itself (an empty name, zero shares).
    InvalidValue,
    /// Statutes that break the law or refer to nothing.
    InvalidStatutes,
    /// Nothing can be recorded before the statutes are adopted.
    NotFounded,
    /// The founding statutes are adopted once.
    AlreadyFounded,
    /// A fact cannot be dated after today.
    FutureDate,
    /// A fact cannot be dated before the facts it follows.
    DateBeforeHistory,
    /// The member's membership has ended.
    NotAMember,
    /// A category admits only some kinds of party.
    KindNotAllowed,
    /// The cause of an end does not fit the party.
    CauseDoesNotFit,
    /// Already in that category, already flagged.
    NoChange,
    /// Each member holds at least its category's minimum shares.
    MinimumShares,
    /// At least a quarter of a subscription is paid at once.
    QuarterPaid,
    /// Payments do not exceed what is owed.
    Overpayment,
    /// Only fully paid shares are transferred.
    UnpaidShares,
    /// Shares that do not exist cannot be transferred or redeemed.
    NotEnoughShares,
    /// Capital may not fall below the floor.
    CapitalFloor,
    /// Public bodies hold at most half of the capital.
    PublicBodiesCap,
}

impl Rule {
    /// Whether the refusal is about malformed or unknown input (exit 2) rather than a
    /// governance rule (exit 1).
    pub fn is_bad_input(self) -> bool {
        matches!(
            self,
            Rule::UnknownMember | Rule::UnknownCategory | Rule::UnknownShareClass | Rule::InvalidValue | Rule::InvalidStatutes
        )
    }
}

/// A command refused, with the rule and a sentence a secretary understands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct Refusal {
    /// The rule broken.
    pub rule: Rule,
    /// What was wrong, with the numbers.
    pub message: String,
}

fn refuse<T>(rule: Rule, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        rule,
        message: message.into(),
    })
}

/// Decides a command dated `date` on `state`: the events to append, or the rule it breaks.
/// Pure: the same inputs always give the same answer.
pub fn decide(state: &State, date: NaiveDate, command: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
    if date > ctx.today {
        return refuse(
            Rule::FutureDate,
            format!(
                "the date {date} is after today ({}): facts are recorded once they have happened",
                ctx.today
            ),
        );
    }
    let Some(statutes) = state.statutes.as_ref() else {
        return match command {
            Command::Found { statutes } if date < statutes.founded => refuse(
                Rule::DateBeforeHistory,
                format!(
                    "the statutes cannot be adopted on {date}, before the founding date {}",
                    statutes.founded
                ),
            ),
            Command::Found { statutes } => Ok(vec![Event::StatutesAdopted {
                statutes: statutes.clone(),
            }]),
            _ => refuse(
                Rule::NotFounded,
                "no cooperative in this store yet: run `coop init` with its statutes first",
            ),
        };
    };
    if let Some(since) = state.statutes_since {
        if date < since {
            return refuse(
                Rule::DateBeforeHistory,
                format!("the date {date} is before the statutes in force were adopted ({since})"),
            );
        }
    }
    let d = Decider { state, statutes, date };
    match command {
        Command::Found { .. } => refuse(
            Rule::AlreadyFounded,
            "this store already holds a cooperative: its founding statutes are adopted once (amend them instead)",
        ),
        Command::Admit {
            personal,
            kind,
            category,
            shares,
            class,
            paid,
        } => d.admit(personal, *kind, category, *shares, class.as_deref(), *paid, ctx),
        Command::Move { member, category } => d.move_member(*member, category),
        Command::Withdraw { member } => {
            let m = d.active(*member)?;
            Ok(vec![Event::MembershipEnded {
                member: m.number,
                cause: EndCause::Withdrawal,
            }])
        }
        Command::End { member, cause } => d.end(*member, *cause),
        Command::Subscribe {
            member,
            count,
            class,
            paid,
        } => d.subscribe(*member, *count, class.as_deref(), *paid),
        Command::Pay { member, amount } => d.pay(*member, *amount),
        Command::Transfer { from, to, count, class } => d.transfer(*from, *to, *count, class.as_deref()),
        Command::Redeem { member, count, class } => d.redeem(*member, *count, class.as_deref()),
    }
}

struct Decider<'a> {
    state: &'a State,
    statutes: &'a Statutes,
    date: NaiveDate,
}

impl<'a> Decider<'a> {
    fn known(&self, r: MemberRef) -> Result<&'a Member, Refusal> {
        let Some(m) = self.state.member(r) else {
            let last = self.state.members.keys().next_back().map_or(0, |n| n.0);
            return refuse(
                Rule::UnknownMember,
                format!("member {r} is not in the register (numbers run from 1 to {last})"),
            );
        };
        if self.date < m.last_date {
            return refuse(
                Rule::DateBeforeHistory,
                format!(
                    "member {} has a fact recorded on {}; a later fact cannot be dated {}",
                    m.number, m.last_date, self.date
                ),
            );
        }
        Ok(m)
    }

    fn active(&self, r: MemberRef) -> Result<&'a Member, Refusal> {
        let m = self.known(r)?;
        if let Some(e) = m.ended {
            return refuse(
                Rule::NotAMember,
                format!(
                    "member {} is no longer a member (membership ended on {} by {})",
                    m.number,
                    e.date,
                    e.cause.as_str()
                ),
            );
        }
        Ok(m)
    }

    fn category(&self, code: &str) -> Result<&'a crate::statutes::Category, Refusal> {
        self.statutes.category(code).ok_or_else(|| {
            let known: Vec<&str> = self.statutes.categories.iter().map(|c| c.code.as_str()).collect();
            Refusal {
                rule: Rule::UnknownCategory,
                message: format!("category '{code}' is not in the statutes (categories: {})", known.join(", ")),
            }
        })
    }

    fn class(&self, code: &str) -> Result<Cents, Refusal> {
        self.statutes.share_class(code).map(|c| c.nominal_cents).ok_or_else(|| {
            let known: Vec<&str> = self.statutes.share_classes.iter().map(|c| c.code.as_str()).collect();
            Refusal {
                rule: Rule::UnknownShareClass,
                message: format!("share class '{code}' is not in the statutes (classes: {})", known.join(", ")),
            }
        })
    }

    /// The class a member's command applies to: the one named, or its category's.
    fn class_for(&self, m: &Member, class: Option<&str>) -> Result<(String, Cents), Refusal> {
        let code = match class {
            Some(c) => c.to_string(),
            None => self.statutes.category(&m.category).map(|c| c.class.clone()).unwrap_or_default(),
        };
        let nominal = self.class(&code)?;
        Ok((code, nominal))
    }

    fn kind_fits(&self, kind: PartyKind, cat: &crate::statutes::Category) -> Result<(), Refusal> {
        match cat.role {
            Role::Volunteers if kind != PartyKind::Person => refuse(
                Rule::KindNotAllowed,
                format!(
                    "category '{}' is for volunteers, who are natural persons; a {} cannot join it",
                    cat.code,
                    kind.as_str()
                ),
            ),
            Role::Public if kind != PartyKind::PublicBody => refuse(
                Rule::KindNotAllowed,
                format!(
                    "category '{}' is for public bodies; a {} cannot join it (use --kind public-body)",
                    cat.code,
                    kind.as_str()
                ),
            ),
            _ => Ok(()),
        }
    }

    fn count(&self, count: u64) -> Result<(), Refusal> {
        if count == 0 || count > 1_000_000_000 {
            return refuse(
                Rule::InvalidValue,
                format!("{count} is not a number of shares: expected 1 to 1,000,000,000"),
            );
        }
        Ok(())
    }

    fn quarter_paid(&self, subscribed: Cents, paid: Option<Cents>) -> Result<Cents, Refusal> {
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
    fn public_cap(&self, public_delta: i64, total_delta: i64) -> Result<(), Refusal> {
        let c = self.state.capital;
        let total = c.subscribed.0 + total_delta;
        let public = c.public_subscribed.0 + public_delta;
        let max = self.statutes.capital.public_bodies_max_percent as i128;
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

    #[allow(clippy::too_many_arguments)]
    fn admit(
        &self,
        personal: &Personal,
        kind: PartyKind,
        category: &str,
        shares: Option<u64>,
        class: Option<&str>,
        paid: Option<Cents>,
        ctx: &Context,
    ) -> Result<Vec<Event>, Refusal> {
        let name = personal.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return refuse(Rule::InvalidValue, "a member's name must be 1 to 200 printable characters");
        }
        if let Some(e) = &personal.email {
            let ok = e.len() <= 254
                && e.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
                && !e.contains(char::is_whitespace);
            if !ok {
                return refuse(
                    Rule::InvalidValue,
                    format!("'{e}' is not an e-mail address such as name@example.org"),
                );
            }
        }
        let cat = self.category(category)?;
        self.kind_fits(kind, cat)?;
        if let Some(c) = class {
            self.class(c)?;
            if c != cat.class {
                return refuse(
                    Rule::UnknownShareClass,
                    format!(
                        "category '{}' subscribes class {} shares on admission, not class {c}",
                        cat.code, cat.class
                    ),
                );
            }
        }
        let nominal = self.class(&cat.class)?;
        let count = shares.unwrap_or(cat.min_shares as u64);
        self.count(count)?;
        if count < cat.min_shares as u64 {
            return refuse(
                Rule::MinimumShares,
                format!(
                    "category '{}' requires at least {} shares on admission; {count} offered",
                    cat.code, cat.min_shares
                ),
            );
        }
        let subscribed = nominal.times(count).ok_or_else(|| Refusal {
            rule: Rule::InvalidValue,
            message: format!("{count} shares is too many"),
        })?;
        let paid = self.quarter_paid(subscribed, paid)?;
        let public = if kind == PartyKind::PublicBody { subscribed.0 } else { 0 };
        self.public_cap(public, subscribed.0)?;
        if self.state.parties.contains_key(&ctx.fresh_id) {
            return refuse(Rule::InvalidValue, "the new member's identity is already taken; retry");
        }
        let number = self.state.next_number();
        Ok(vec![
            Event::MemberAdmitted {
                party: ctx.fresh_id,
                number,
                kind,
                category: cat.code.clone(),
                personal_digest: personal.digest(&ctx.salt),
            },
            Event::SharesSubscribed {
                member: number,
                class: cat.class.clone(),
                count,
                paid_cents: paid,
            },
        ])
    }

    fn move_member(&self, member: MemberRef, category: &str) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        let cat = self.category(category)?;
        if m.category == cat.code {
            return refuse(Rule::NoChange, format!("member {} is already in category '{}'", m.number, cat.code));
        }
        self.kind_fits(m.kind, cat)?;
        let held = m.shares_of(&cat.class);
        if held < cat.min_shares as u64 {
            return refuse(
                Rule::MinimumShares,
                format!(
                    "category '{}' requires at least {} class {} shares; member {} holds {held}: subscribe the difference first",
                    cat.code, cat.min_shares, cat.class, m.number
                ),
            );
        }
        Ok(vec![Event::MemberMoved {
            member: m.number,
            from: m.category.clone(),
            to: cat.code.clone(),
        }])
    }

    fn end(&self, member: MemberRef, cause: EndCause) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        match cause {
            EndCause::Death if m.kind != PartyKind::Person => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!(
                        "member {} is a {}, not a natural person: it cannot die (use dissolution)",
                        m.number,
                        m.kind.as_str()
                    ),
                )
            }
            EndCause::Dissolution if m.kind == PartyKind::Person => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!(
                        "member {} is a natural person: it is not dissolved (use death or withdrawal)",
                        m.number
                    ),
                )
            }
            EndCause::Withdrawal | EndCause::Exclusion => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!(
                        "'{}' is not recorded with `member end`: use `member withdraw` or `member exclude`",
                        cause.as_str()
                    ),
                )
            }
            EndCause::LossOfQuality if self.statutes.members.loss_of_quality == LossOfQuality::Flag => {
                if let Some(since) = m.flagged_since {
                    return refuse(
                        Rule::NoChange,
                        format!("member {} is already flagged as having lost its quality since {since}", m.number),
                    );
                }
                return Ok(vec![Event::QualityLost { member: m.number }]);
            }
            _ => {}
        }
        Ok(vec![Event::MembershipEnded { member: m.number, cause }])
    }

    fn subscribe(&self, member: MemberRef, count: u64, class: Option<&str>, paid: Option<Cents>) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        self.count(count)?;
        let (class, nominal) = self.class_for(m, class)?;
        let subscribed = nominal.times(count).ok_or_else(|| Refusal {
            rule: Rule::InvalidValue,
            message: format!("{count} shares is too many"),
        })?;
        let paid = self.quarter_paid(subscribed, paid)?;
        let public = if m.kind == PartyKind::PublicBody { subscribed.0 } else { 0 };
        self.public_cap(public, subscribed.0)?;
        Ok(vec![Event::SharesSubscribed {
            member: m.number,
            class,
            count,
            paid_cents: paid,
        }])
    }

    fn pay(&self, member: MemberRef, amount: Cents) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        if amount <= Cents::ZERO {
            return refuse(Rule::InvalidValue, format!("a payment must be above zero; {amount} given"));
        }
        let owed = Cents(m.subscribed().0 - m.paid().0);
        if amount > owed {
            return refuse(
                Rule::Overpayment,
                format!(
                    "member {} owes {owed} on its shares; a payment of {amount} is more than that",
                    m.number
                ),
            );
        }
        Ok(vec![Event::SharesPaid {
            member: m.number,
            amount_cents: amount,
        }])
    }

    /// A current member keeps its category's minimum in the category's class.
    fn keeps_minimum(&self, m: &Member, class: &str, count: u64, verb: &str) -> Result<(), Refusal> {
        if !m.is_active() {
            return Ok(());
        }
        if let Some(cat) = self.statutes.category(&m.category) {
            let left = m.shares_of(class).saturating_sub(count);
            if cat.class == class && left < cat.min_shares as u64 {
                return refuse(
                    Rule::MinimumShares,
                    format!(
                        "member {} would keep {left} class {class} shares after this {verb}, below the {} its category '{}' requires (to leave, record a withdrawal first)",
                        m.number, cat.min_shares, cat.code
                    ),
                );
            }
        }
        Ok(())
    }

    fn holds(&self, m: &Member, class: &str, count: u64) -> Result<(), Refusal> {
        let have = m.shares_of(class);
        if have < count {
            return refuse(
                Rule::NotEnoughShares,
                format!("member {} holds {have} class {class} shares, fewer than {count}", m.number),
            );
        }
        Ok(())
    }

    fn transfer(&self, from: MemberRef, to: MemberRef, count: u64, class: Option<&str>) -> Result<Vec<Event>, Refusal> {
        let giver = self.active(from)?;
        let receiver = self.active(to)?;
        if giver.number == receiver.number {
            return refuse(
                Rule::InvalidValue,
                format!("member {} cannot transfer shares to itself", giver.number),
            );
        }
        self.count(count)?;
        let (class, _) = self.class_for(giver, class)?;
        self.holds(giver, &class, count)?;
        let (nominal, paid) = giver.newest_value(&class, count);
        if paid < nominal {
            return refuse(
                Rule::UnpaidShares,
                format!("the {count} newest class {class} shares of member {} are paid {paid} of {nominal}: only fully paid shares are transferred", giver.number),
            );
        }
        self.keeps_minimum(giver, &class, count, "transfer")?;
        let delta = |m: &Member, sign: i64| if m.kind == PartyKind::PublicBody { sign * nominal.0 } else { 0 };
        self.public_cap(delta(receiver, 1) + delta(giver, -1), 0)?;
        Ok(vec![Event::SharesTransferred {
            from: giver.number,
            to: receiver.number,
            class,
            count,
        }])
    }

    fn redeem(&self, member: MemberRef, count: u64, class: Option<&str>) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        self.count(count)?;
        let (class, _) = self.class_for(m, class)?;
        self.holds(m, &class, count)?;
        self.keeps_minimum(m, &class, count, "redemption")?;
        let (nominal, paid) = m.newest_value(&class, count);
        let c = self.state.capital;
        let after = Cents(c.subscribed.0 - nominal.0);
        let floor = self.statutes.capital_floor(c.highest);
        if after < floor {
            let by_fraction = self.statutes.capital.floor_fraction.of_ceil(c.highest);
            let why = if floor == by_fraction {
                format!("{} of the highest capital, {}", self.statutes.capital.floor_fraction, c.highest)
            } else {
                "the minimum capital of the statutes or the law".to_string()
            };
            return refuse(
                Rule::CapitalFloor,
                format!("redeeming {count} shares of member {} would take capital from {} to {after}, below the floor of {floor} ({why}); the reimbursement must wait", m.number, c.subscribed),
            );
        }
        let public = if m.kind == PartyKind::PublicBody { -nominal.0 } else { 0 };
        self.public_cap(public, -nominal.0)?;
        Ok(vec![Event::SharesRedeemed {
            member: m.number,
            class,
            count,
            reimbursed_cents: paid,
        }])
    }
}
