//! The rules of membership: admission, moves between categories, the ends of a membership
//! (withdrawal, death, dissolution, loss of quality, exclusion), and personal data kept then
//! erased. The member itself (`Member`) is in `state.rs`.

use crate::command::Personal;
use crate::decide::{refuse, valid_personal, Context, Decider, Refusal, Rule};
use crate::event::{EndCause, Event, PartyKind};
use crate::state::Member;
use crate::statutes::LossOfQuality;
use crate::units::{Cents, MemberRef};

impl<'a> Decider<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn admit(
        &self,
        personal: &Personal,
        kind: PartyKind,
        category: &str,
        shares: Option<u64>,
        class: Option<&str>,
        paid: Option<Cents>,
        ctx: &Context,
    ) -> Result<Vec<Event>, Refusal> {
        valid_personal(personal, "a member's name")?;
        let cat = self.category(category)?;
        self.kind_fits(kind, cat)?;
        if let Some(c) = class {
            self.class(c)?;
            if c != cat.class {
                return refuse(
                    Rule::UnknownShareClass,
                    format!("category '{}' subscribes class {} shares on admission, not class {c}", cat.code, cat.class),
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
                    "category '{}' requires at least {} on admission; {count} offered",
                    cat.code,
                    crate::units::count(cat.min_shares, "share", "shares")
                ),
            );
        }
        let subscribed =
            nominal.times(count).ok_or_else(|| Refusal { rule: Rule::InvalidValue, message: format!("{count} shares is too many") })?;
        let paid = self.quarter_paid(subscribed, paid)?;
        let public = if kind == PartyKind::PublicBody { subscribed.0 } else { 0 };
        self.public_cap(public, subscribed.0)?;
        if self.now.parties.contains_key(&ctx.fresh_id) {
            return refuse(Rule::InvalidValue, "the new member's identity is already taken; retry");
        }
        let next = self.now.next_number().max(self.state.next_number());
        let number = match ctx.number {
            None => next,
            Some(n) if !self.now.members.contains_key(&n) && !self.state.members.contains_key(&n) => n,
            Some(n) => return refuse(Rule::InvalidValue, format!("member number {n} is already given (the next free one is {next})")),
        };
        Ok(vec![
            Event::MemberAdmitted {
                party: ctx.fresh_id,
                number,
                kind,
                category: cat.code.clone(),
                personal_digest: personal.digest(&ctx.salt),
            },
            Event::SharesSubscribed { member: number, class: cat.class.clone(), count, paid_cents: paid },
        ])
    }

    pub(crate) fn move_member(&self, member: MemberRef, category: &str) -> Result<Vec<Event>, Refusal> {
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
                    "category '{}' requires at least {}; member {} holds {held}: subscribe the difference first",
                    cat.code,
                    crate::units::count(cat.min_shares, &format!("class {} share", cat.class), &format!("class {} shares", cat.class)),
                    m.number
                ),
            );
        }
        Ok(vec![Event::MemberMoved { member: m.number, from: m.category.clone(), to: cat.code.clone() }])
    }

    /// A membership cannot end on or before the date of an open assembly the member takes part
    /// in: its attendance, proxy or postal vote is on record for that meeting.
    pub(crate) fn not_in_open_assembly(&self, m: &Member) -> Result<(), Refusal> {
        let n = m.number;
        for a in self.state.assemblies.values().filter(|a| a.closed.is_none() && a.date >= self.date) {
            if a.present.contains_key(&n) || a.proxies.contains_key(&n) || a.postal.contains_key(&n) || a.held_by(n) > 0 {
                return refuse(
                    Rule::DateBeforeHistory,
                    format!(
                        "member {n} takes part in assembly {} of {}: its membership cannot end on {}, before that meeting is closed",
                        a.slug, a.date, self.date
                    ),
                );
            }
        }
        Ok(())
    }

    pub(crate) fn end(&self, member: MemberRef, cause: EndCause) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        if cause != EndCause::LossOfQuality || self.statutes.members.loss_of_quality == LossOfQuality::End {
            self.not_in_open_assembly(m)?;
        }
        match cause {
            EndCause::Death if m.kind != PartyKind::Person => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!("member {} is {}, not a natural person: it cannot die (use dissolution)", m.number, m.kind.with_article()),
                )
            }
            EndCause::Dissolution if m.kind == PartyKind::Person => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!("member {} is a natural person: it is not dissolved (use death or withdrawal)", m.number),
                )
            }
            EndCause::Withdrawal | EndCause::Exclusion => {
                return refuse(
                    Rule::CauseDoesNotFit,
                    format!("'{}' is not recorded with `member end`: use `member withdraw` or `member exclude`", cause.as_str()),
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

    /// A member leaves of its own will.
    pub(crate) fn withdraw(&self, member: MemberRef) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        self.not_in_open_assembly(m)?;
        Ok(vec![Event::MembershipEnded { member: m.number, cause: EndCause::Withdrawal }])
    }

    /// A former member's personal data erased, once the retention period is over.
    pub(crate) fn forget(&self, member: MemberRef) -> Result<Vec<Event>, Refusal> {
        let Some(m) = self.state.member(member) else {
            return refuse(Rule::UnknownMember, format!("member {member} is not in the register"));
        };
        let Some(ended) = m.ended else {
            return refuse(Rule::RetentionPeriod, format!("member {} is a current member: its personal data is needed", m.number));
        };
        if let Some(on) = m.erased {
            return refuse(Rule::NoChange, format!("the personal data of member {} was already erased on {on}", m.number));
        }
        let days = self.statutes.members.retention_days;
        let until = ended.date + chrono::Days::new(days as u64);
        if self.date < until {
            return refuse(
                Rule::RetentionPeriod,
                format!("member {} left on {}; its personal data is kept {days} days, until {until}", m.number, ended.date),
            );
        }
        Ok(vec![Event::PersonalDataErased { member: m.number }])
    }

    /// A member's name, e-mail or address corrected.
    pub(crate) fn edit_member(&self, member: MemberRef, personal: &Personal, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        let m = self.known(member)?;
        if let Some(on) = m.erased {
            return refuse(Rule::RetentionPeriod, format!("the personal data of member {} was erased on {on}", m.number));
        }
        valid_personal(personal, "a member's name")?;
        let digest = personal.digest(&ctx.salt);
        Ok(vec![Event::PersonalDataChanged { member: m.number, personal_digest: digest }])
    }

    /// The natural person who represents an organisation or a public body from now on.
    pub(crate) fn represent(&self, member: MemberRef, personal: &Personal, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        let m = self.active(member)?;
        if m.kind == PartyKind::Person {
            return refuse(
                Rule::KindNotAllowed,
                format!("member {} is a natural person: only an organisation or a public body has a representative", m.number),
            );
        }
        valid_personal(personal, "a representative's name")?;
        Ok(vec![Event::RepresentativeDesignated {
            member: m.number,
            representative: ctx.fresh_id,
            personal_digest: personal.digest(&ctx.salt),
        }])
    }
}
