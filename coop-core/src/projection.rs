//! Read-side views computed from a [`State`]: the register, the capital, compliance findings.
//! They hold no personal data; callers join names from wherever they keep them.

use chrono::NaiveDate;
use serde::Serialize;

use crate::event::PartyKind;
use crate::state::{Member, State};
use crate::statutes::Role;
use crate::units::{add_years, Cents, MemberNo, PartyId};

/// One line of the member register.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegisterRow {
    /// Register number.
    pub number: MemberNo,
    /// Party identity.
    pub id: PartyId,
    /// Name, once joined by the caller (`None` when unknown or erased).
    pub name: Option<String>,
    /// Person, organisation or public body.
    pub kind: PartyKind,
    /// Category code.
    pub category: String,
    /// College code, when the statutes use colleges.
    pub college: Option<String>,
    /// Shares held.
    pub shares: u64,
    /// Subscribed capital.
    pub subscribed_cents: Cents,
    /// Paid capital.
    pub paid_cents: Cents,
    /// Admission date.
    pub admitted: NaiveDate,
    /// End date, if ended.
    pub ended: Option<NaiveDate>,
    /// `active`, `flagged` (lost the quality of its category) or `ended`.
    pub status: &'static str,
    /// Why the membership ended.
    pub end_cause: Option<&'static str>,
    /// Whether the member's personal data has been erased.
    pub erased: bool,
}

/// The register of every member ever admitted, by number.
pub fn register(state: &State) -> Vec<RegisterRow> {
    state.members.values().map(|m| register_row(state, m)).collect()
}

/// The register line of one member.
pub fn register_row(state: &State, m: &Member) -> RegisterRow {
    RegisterRow {
        number: m.number,
        id: m.party,
        name: None,
        kind: m.kind,
        category: m.category.clone(),
        college: college_of(state, &m.category),
        shares: m.shares(),
        subscribed_cents: m.subscribed(),
        paid_cents: m.paid(),
        admitted: m.admitted,
        ended: m.ended.map(|e| e.date),
        status: if m.ended.is_some() {
            "ended"
        } else if m.flagged_since.is_some() {
            "flagged"
        } else {
            "active"
        },
        end_cause: m.ended.map(|e| e.cause.as_str()),
        erased: m.erased.is_some(),
    }
}

/// The college a category votes in.
pub fn college_of(state: &State, category: &str) -> Option<String> {
    state.statutes.as_ref()?.category(category)?.college.clone()
}

/// The capital of the cooperative.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapitalSummary {
    /// Subscribed capital.
    pub subscribed_cents: Cents,
    /// Paid capital.
    pub paid_cents: Cents,
    /// Highest subscribed capital ever reached.
    pub highest_cents: Cents,
    /// The floor redemptions may not cross.
    pub floor_cents: Cents,
    /// Public bodies' share of subscribed capital, in [0, 1].
    pub public_bodies_share: f64,
    /// Capital subscribed by public bodies.
    pub public_bodies_cents: Cents,
    /// Number of current members.
    pub members: usize,
    /// Capital subscribed per share class: (class, shares, subscribed).
    pub by_class: Vec<ClassTotal>,
}

/// Shares and capital of one class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassTotal {
    /// Class code.
    pub class: String,
    /// Shares outstanding.
    pub shares: u64,
    /// Subscribed capital.
    pub subscribed_cents: Cents,
}

/// The capital summary.
pub fn capital(state: &State) -> CapitalSummary {
    let c = state.capital;
    let floor = state.statutes.as_ref().map_or(Cents::ZERO, |s| s.capital_floor(c.highest));
    // The totals are kept by `apply`: no walk over the members (see `State::by_class`).
    let by_class: Vec<ClassTotal> = state
        .statutes
        .iter()
        .flat_map(|s| s.share_classes.iter())
        .map(|sc| {
            let t = state.by_class.get(&sc.code).copied().unwrap_or_default();
            ClassTotal { class: sc.code.clone(), shares: t.shares, subscribed_cents: t.subscribed }
        })
        .collect();
    CapitalSummary {
        subscribed_cents: c.subscribed,
        paid_cents: c.paid,
        highest_cents: c.highest,
        floor_cents: floor,
        public_bodies_share: if c.subscribed.0 > 0 { c.public_subscribed.0 as f64 / c.subscribed.0 as f64 } else { 0.0 },
        public_bodies_cents: c.public_subscribed,
        members: state.active_members as usize,
        by_class,
    }
}

/// Something out of line with the law or the statutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `capital_below_floor`.
    pub code: &'static str,
    /// What is wrong, with the numbers.
    pub message: String,
    /// The members concerned, if any.
    pub members: Vec<MemberNo>,
}

/// Everything out of line on `today`.
pub fn compliance(state: &State, today: NaiveDate) -> Vec<Finding> {
    let Some(st) = state.statutes.as_ref() else {
        return vec![Finding { code: "not_founded", message: "no statutes adopted yet".into(), members: vec![] }];
    };
    let mut out = Vec::new();
    let active: Vec<&Member> = state.members.values().filter(|m| m.is_active()).collect();
    let role_of = |m: &Member| st.category(&m.category).map(|c| c.role);

    // Mandatory categories: beneficiaries, and employees (or producers).
    for roles in st.mandatory_roles() {
        let defined: Vec<Role> = roles.iter().copied().filter(|r| st.categories.iter().any(|c| c.role == *r)).collect();
        if defined.is_empty() {
            continue;
        }
        // A member flagged as having lost the quality of its category no longer fills it.
        let holders: Vec<&&Member> = active.iter().filter(|m| role_of(m).is_some_and(|r| defined.contains(&r))).collect();
        if !holders.iter().any(|m| m.flagged_since.is_none()) {
            let names: Vec<&str> = defined.iter().map(|r| r.as_str()).collect();
            let flagged = if holders.is_empty() { String::new() } else { " (its only members lost the quality of it)".to_string() };
            out.push(Finding {
                code: "mandatory_category_empty",
                message: format!("no current member has role {}{flagged}: this category is mandatory for a SCIC", names.join(" or ")),
                members: holders.iter().map(|m| m.number).collect(),
            });
        }
    }
    let represented: std::collections::BTreeSet<&str> = active.iter().map(|m| m.category.as_str()).collect();
    if !active.is_empty() && represented.len() < 3 {
        out.push(Finding {
            code: "fewer_than_three_categories",
            message: format!(
                "current members fill {}; a SCIC associates at least 3",
                crate::units::count(represented.len() as u64, "category", "categories")
            ),
            members: vec![],
        });
    }
    let c = state.capital;
    let max = st.capital.public_bodies_max_percent as i128;
    if c.subscribed.0 > 0 && (c.public_subscribed.0 as i128) * 100 > max * c.subscribed.0 as i128 {
        out.push(Finding {
            code: "public_bodies_over_cap",
            message: format!(
                "public bodies hold {} of {} capital ({:.1} %), above {max} %",
                c.public_subscribed,
                c.subscribed,
                c.public_subscribed.0 as f64 * 100.0 / c.subscribed.0 as f64
            ),
            members: vec![],
        });
    }
    if c.subscribed.0 > 0 && (c.public_subscribed.0 as i128) * 100 == max * c.subscribed.0 as i128 {
        out.push(Finding {
            code: "public_bodies_at_cap",
            message: format!(
                "public bodies hold exactly {max} % of the capital ({} of {}): a redemption by any other member waits until their share falls below it (loi du 10 septembre 1947, art. 19 septies)",
                c.public_subscribed, c.subscribed
            ),
            members: vec![],
        });
    }
    let floor = st.capital_floor(c.highest);
    if c.subscribed < floor {
        out.push(Finding {
            code: "capital_below_floor",
            message: format!("capital is {}, below the floor of {floor}", c.subscribed),
            members: vec![],
        });
    }
    let unpaid: Vec<MemberNo> = state
        .members
        .values()
        .filter(|m| m.lots.iter().any(|l| l.paid_cents < l.subscribed() && add_years(l.date, 5) <= today))
        .map(|m| m.number)
        .collect();
    if !unpaid.is_empty() {
        out.push(Finding {
            code: "unpaid_after_five_years",
            message: format!(
                "{} shares subscribed more than 5 years ago and not fully paid (the law allows 5 years)",
                crate::units::count(unpaid.len() as u64, "member has", "members have")
            ),
            members: unpaid,
        });
    }
    let flagged: Vec<MemberNo> = active.iter().filter(|m| m.flagged_since.is_some()).map(|m| m.number).collect();
    if !flagged.is_empty() {
        out.push(Finding {
            code: "quality_lost",
            message: format!(
                "{} and must be moved to another",
                count(flagged.len(), "member lost the quality of its category", "members lost the quality of their category")
            ),
            members: flagged,
        });
    }
    // Former members owed the value of their shares: past the statutes' delay, or held back by
    // the capital floor (which the secretary cannot settle by redeeming).
    let owed = crate::capital::reimbursements(state, today);
    let overdue: Vec<MemberNo> = owed.iter().filter(|r| r.status == "overdue").map(|r| r.member).collect();
    if !overdue.is_empty() {
        let total = Cents(owed.iter().filter(|r| r.status == "overdue").map(|r| r.amount_cents.0).sum());
        out.push(Finding {
            code: "reimbursement_overdue",
            message: format!(
                "{} past the statutes' reimbursement delay ({total} in all; `coop reimbursements` lists them)",
                count(
                    overdue.len(),
                    "former member is still owed the value of its shares",
                    "former members are still owed the value of their shares"
                )
            ),
            members: overdue,
        });
    }
    let held: Vec<MemberNo> = owed.iter().filter(|r| r.held_back_by_floor).map(|r| r.member).collect();
    if !held.is_empty() {
        out.push(Finding {
            code: "reimbursement_held_back",
            message: format!(
                "{}: redeeming {} now would take the capital below its floor of {}",
                count(held.len(), "former member's reimbursement is held back", "former members' reimbursements are held back"),
                if held.len() == 1 { "its shares" } else { "the shares of any of them" },
                st.capital_floor(state.capital.highest)
            ),
            members: held,
        });
    }
    crate::bodies::findings(state, today, &mut out);
    annual_assembly(state, st, today, &mut out);
    let last_review = state.last_review.or(state.founded_on);
    if let Some(since) = last_review {
        if add_years(since, 5) < today {
            out.push(Finding {
                code: "review_overdue",
                message: format!(
                    "the last cooperative review (révision) was {}; the law requires one every 5 years (record it with `coop review`)",
                    match state.last_review {
                        Some(d) => format!("on {d}"),
                        None => format!("never done since the founding on {since}"),
                    }
                ),
                members: vec![],
            });
        }
    }
    out
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The accounts of every financial year since the founding are approved by an ordinary
/// assembly within six months of the year's end (Code de commerce, L. 225-100 for an SA, L. 223-26
/// for a SARL; the statutes of an SAS say the same): by an adopted resolution naming that year
/// (`accounts = YEAR`). An assembly convened before resolutions named their subject (edition 0)
/// counts if it adopted an ordinary resolution within the six months.
fn annual_assembly(state: &State, st: &crate::Statutes, today: NaiveDate, out: &mut Vec<Finding>) {
    use chrono::{Datelike, Months};
    let (month, day) = st.assembly.financial_year_end;
    let Some(founded) = state.founded_on else { return };
    // The year-end and the approval deadline of the financial year ending in `year`.
    let window = |year: i32| {
        let end = NaiveDate::from_ymd_opt(year, month, day)?;
        Some((end, end.checked_add_months(Months::new(6))?))
    };
    // Each closed assembly's adopted resolutions, computed once: the years they approve.
    let mut approved = std::collections::BTreeSet::new();
    for a in state.assemblies.values().filter(|a| a.closed.is_some()) {
        for r in crate::results(state, st, a).into_iter().filter(|r| r.adopted) {
            let subject = a.resolution(r.number).and_then(|x| x.subject.as_ref());
            match (a.edition, subject) {
                (1.., Some(crate::Subject::Accounts(year)))
                    if window(*year).is_some_and(|(end, deadline)| a.date > end && a.date <= deadline) =>
                {
                    approved.insert(*year);
                }
                (0, _) if r.kind == crate::ResolutionKind::Ordinary => {
                    // Before subjects: an ordinary resolution adopted in a year's window.
                    for year in a.date.year() - 1..=a.date.year() {
                        if window(year).is_some_and(|(end, deadline)| a.date > end && a.date <= deadline) {
                            approved.insert(year);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut missing = Vec::new();
    for year in founded.year()..=today.year() {
        let Some((end, deadline)) = window(year) else { continue };
        if end <= founded || deadline >= today {
            continue;
        }
        if !approved.contains(&year) {
            missing.push((year, end, deadline));
        }
    }
    if let Some((_, end, deadline)) = missing.last() {
        let years: Vec<String> = missing.iter().map(|(y, ..)| y.to_string()).collect();
        out.push(Finding {
            code: "annual_assembly_overdue",
            message: format!(
                "the accounts of the financial year{} ending in {} were not approved within six months of the year's end (the last: ended {end}, due by {deadline}); an ordinary resolution with accounts = YEAR approves them",
                if years.len() > 1 { "s" } else { "" },
                years.join(", ")
            ),
            members: vec![],
        });
    }
}
