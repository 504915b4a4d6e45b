//! The statutes of a SCIC: categories, colleges, share classes, capital and assembly rules,
//! read from the TOML format of the CLI contract and checked against the law.
//!
//! [`Statutes::from_toml`] returns either the typed statutes or *every* problem found, each
//! with its line where the file gives one, so a secretary fixes a file in one pass.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::units::{Cents, Fraction};

mod assembly_rules;
mod law;
mod reader;

pub(crate) use reader::Reader;

pub(crate) use assembly_rules::default_year_end;
pub use assembly_rules::{AssemblyRules, CollegeMethod, MajorityBase};

/// The legal form of the company under the SCIC status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// Société anonyme: minimum capital 18,500 € (law).
    Sa,
    /// Société par actions simplifiée.
    Sas,
    /// Société à responsabilité limitée.
    Sarl,
}

impl LegalForm {
    /// The capital a company of this form may never fall below (law), in cents.
    pub fn legal_minimum(self) -> Cents {
        match self {
            LegalForm::Sa => Cents::from_euros(18_500),
            LegalForm::Sas | LegalForm::Sarl => Cents::ZERO,
        }
    }
}

impl fmt::Display for LegalForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LegalForm::Sa => "SA",
            LegalForm::Sas => "SAS",
            LegalForm::Sarl => "SARL",
        })
    }
}

/// What a category's members are to the cooperative; two roles are mandatory by law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Employees of the SCIC.
    Employees,
    /// Producers of the goods or services it sells (when it has no employees).
    Producers,
    /// Habitual beneficiaries: users, customers.
    Beneficiaries,
    /// Volunteers: natural persons only.
    Volunteers,
    /// Public bodies: local authorities, their groupings and public establishments.
    Public,
    /// Any other contributor (companies, associations, supporters...).
    Other,
}

impl Role {
    const ALL: [(&'static str, Role); 6] = [
        ("employees", Role::Employees),
        ("producers", Role::Producers),
        ("beneficiaries", Role::Beneficiaries),
        ("volunteers", Role::Volunteers),
        ("public", Role::Public),
        ("other", Role::Other),
    ];
    fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().find(|(n, _)| *n == s).map(|(_, r)| *r)
    }
    /// The role's name as written in statutes.
    pub fn as_str(self) -> &'static str {
        Role::ALL.iter().find(|(_, r)| *r == self).map(|(n, _)| *n).unwrap_or("other")
    }
}

/// What happens when a member loses the quality of its category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossOfQuality {
    /// The member keeps membership, is flagged and must be moved (default).
    Flag,
    /// Membership ends.
    End,
}

/// A share class: a nominal value and a code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareClass {
    /// Code, e.g. `A`.
    pub code: String,
    /// Nominal value of one share.
    pub nominal_cents: Cents,
}

/// A voting college.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct College {
    /// Code, e.g. `workers`.
    pub code: String,
    /// Weight in percent of the total votes; `None` when colleges are equal.
    pub weight_percent: Option<u32>,
    /// Its name as the statutes write it (`Collège des salariés`), shown in the documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl College {
    /// Its name, or its code when the statutes give none.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.code)
    }
}

/// A category of members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Code, e.g. `employees`.
    pub code: String,
    /// What its members are to the cooperative.
    pub role: Role,
    /// The college its members vote in, when colleges are used.
    pub college: Option<String>,
    /// The share class its members subscribe.
    pub class: String,
    /// Minimum number of shares to subscribe on admission.
    pub min_shares: u32,
}

/// Capital rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapitalRules {
    /// Capital may not fall below this fraction of the highest capital reached (law: at least 1/4).
    pub floor_fraction: Fraction,
    /// Statutory minimum capital (at least the legal minimum of the form).
    pub minimum_cents: Cents,
    /// Public bodies together hold at most this percent of capital (law: at most 50).
    pub public_bodies_max_percent: u32,
    /// Delay for reimbursing a leaving member, in days.
    pub reimbursement_delay_days: u32,
    /// The same delay in months, when the statutes count it so (`reimbursement_delay_months`,
    /// as most SCIC statutes write it); it then replaces the days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reimbursement_delay_months: Option<u32>,
    /// The cap on the rate of interest paid on shares, in hundredths of a percent
    /// (`interest_rate_cap_percent = 4.25`): the average TMO of the three previous years plus
    /// two points (art. 14 of the law of 10 September 1947). Without it, no interest is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest_rate_cap_bp: Option<u32>,
}

impl CapitalRules {
    /// The day by which a member who left on `left` is to be reimbursed.
    pub fn reimbursement_due(&self, left: NaiveDate) -> NaiveDate {
        match self.reimbursement_delay_months {
            Some(m) => left.checked_add_months(chrono::Months::new(m)).unwrap_or(NaiveDate::MAX),
            None => left.checked_add_days(chrono::Days::new(self.reimbursement_delay_days as u64)).unwrap_or(NaiveDate::MAX),
        }
    }
}

/// Member rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRules {
    /// What happens when a member loses the quality of its category.
    pub loss_of_quality: LossOfQuality,
    /// How long a former member's personal data is kept after its membership ended, in days,
    /// before it may be erased. Default 10 years (3,652 days).
    #[serde(default = "default_retention")]
    pub retention_days: u32,
}

fn default_retention() -> u32 {
    3652
}

/// An office in the roster: who may act for the cooperative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Office {
    /// A member of the board (conseil).
    Board,
    /// The board's chair.
    Chair,
    /// The board's secretary (keeps the register).
    Secretary,
    /// An SARL's gérant, appointed by the members (L. 223-18 of the Commercial Code).
    Manager,
}

impl Office {
    /// Every office.
    pub const ALL: [Office; 4] = [Office::Board, Office::Chair, Office::Secretary, Office::Manager];
    /// The office as written in statutes and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Office::Board => "board",
            Office::Chair => "chair",
            Office::Secretary => "secretary",
            Office::Manager => "manager",
        }
    }
    /// The office in a sentence: "a member of the board", "chair of the board".
    pub fn title(self) -> &'static str {
        match self {
            Office::Board => "a member of the board",
            Office::Chair => "chair of the board",
            Office::Secretary => "secretary of the board",
            Office::Manager => "manager (gérant)",
        }
    }
    /// Parses an office name.
    pub fn parse(s: &str) -> Option<Office> {
        Office::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }
}

/// Who the statutes allow to act: an office of the roster, or the officers of the assembly a
/// command is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entitled {
    /// Holders of an office (chair and secretary sit on the board: `board` includes them).
    Office(Office),
    /// The chair, secretary and tellers of the assembly concerned.
    AssemblyOfficers,
}

impl Entitled {
    fn parse(s: &str) -> Option<Entitled> {
        match s.trim() {
            "assembly-officers" => Some(Entitled::AssemblyOfficers),
            other => Office::parse(other).map(Entitled::Office),
        }
    }
    /// As written in statutes.
    pub fn as_str(self) -> &'static str {
        match self {
            Entitled::Office(o) => o.as_str(),
            Entitled::AssemblyOfficers => "assembly-officers",
        }
    }
}

/// The kinds of action the statutes give to some offices.
pub const ACTIONS: [(&str, &str); 11] = [
    ("admit", "admit members"),
    ("members", "move, withdraw, end, exclude members and erase their personal data"),
    ("shares", "record subscriptions, payments, transfers and redemptions"),
    ("convene", "convene assemblies, send convocations, appoint an assembly's officers"),
    ("meeting", "record attendance, proxies, postal votes, votes and ballots, and close an assembly"),
    ("statutes", "amend the statutes"),
    ("review", "record a cooperative review"),
    ("projects", "create projects, move them, record who takes part"),
    ("roster", "appoint and remove officers, carry out elections and record resignations"),
    ("bodies", "record the board's and committees' meetings, set up committees and seat their members"),
    ("init", "found the cooperative"),
];

/// Who may do what: for each action of [`ACTIONS`], the entitled offices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions(pub std::collections::BTreeMap<String, Vec<Entitled>>);

impl Default for Permissions {
    /// The board decides; the secretary, a board member, can therefore do everything the board
    /// does; an assembly's officers (or the secretary) record its meeting; the secretary keeps
    /// the roster.
    fn default() -> Self {
        let board = vec![Entitled::Office(Office::Board)];
        let mut m = std::collections::BTreeMap::new();
        for (a, _) in ACTIONS {
            m.insert(a.to_string(), board.clone());
        }
        m.insert("meeting".into(), vec![Entitled::AssemblyOfficers, Entitled::Office(Office::Secretary)]);
        m.insert("roster".into(), vec![Entitled::Office(Office::Secretary)]);
        Permissions(m)
    }
}

impl Permissions {
    /// Who may take `action`.
    pub fn entitled(&self, action: &str) -> Vec<Entitled> {
        self.0.get(action).cloned().unwrap_or_else(|| Permissions::default().0.get(action).cloned().unwrap_or_default())
    }
}

/// The statutes of the cooperative, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statutes {
    /// The cooperative's name.
    pub name: String,
    /// SA, SAS or SARL.
    pub legal_form: LegalForm,
    /// Date the SCIC was founded.
    pub founded: NaiveDate,
    /// Capital rules.
    pub capital: CapitalRules,
    /// Share classes, in the file's order.
    pub share_classes: Vec<ShareClass>,
    /// Voting colleges; empty when the statutes use none (one member, one vote).
    pub colleges: Vec<College>,
    /// Categories of members.
    pub categories: Vec<Category>,
    /// Assembly rules.
    pub assembly: AssemblyRules,
    /// Member rules.
    pub members: MemberRules,
    /// Who may do what.
    #[serde(default)]
    pub permissions: Permissions,
    /// The board: mandates and size (the `[board]` table).
    #[serde(default)]
    pub board: BoardRules,
}

/// The board's mandates and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardRules {
    /// The longest mandate, in years (at most 6 in an SA, L. 225-18).
    pub mandate_years: u32,
    /// The fewest members (3 in an SA, L. 225-17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_members: Option<u32>,
    /// The most members (18 in an SA, L. 225-17).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_members: Option<u32>,
}

impl Default for BoardRules {
    fn default() -> Self {
        BoardRules { mandate_years: 6, min_members: None, max_members: None }
    }
}

impl Statutes {
    /// The category with this code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
    /// The share class with this code.
    pub fn share_class(&self, code: &str) -> Option<&ShareClass> {
        self.share_classes.iter().find(|c| c.code == code)
    }
    /// The effective weight of a college in percent (equal colleges share 100 evenly).
    pub fn college_weight(&self, code: &str) -> Option<f64> {
        let c = self.colleges.iter().find(|c| c.code == code)?;
        Some(match c.weight_percent {
            Some(w) => w as f64,
            None => 100.0 / self.colleges.len() as f64,
        })
    }
    /// The capital floor in force: the greater of the floor fraction of `highest` and the
    /// statutory minimum (itself at least the legal minimum).
    pub fn capital_floor(&self, highest: Cents) -> Cents {
        self.capital.floor_fraction.of_ceil(highest).max(self.capital.minimum_cents).max(self.legal_form.legal_minimum())
    }
    /// The mandatory roles: beneficiaries, and employees (or producers when the statutes
    /// define no employees' category).
    pub fn mandatory_roles(&self) -> Vec<Vec<Role>> {
        vec![vec![Role::Beneficiaries], vec![Role::Employees, Role::Producers]]
    }

    /// Reads statutes from the TOML text of the CLI contract, checking every rule of law and
    /// every reference. Returns all problems at once when there are any.
    pub fn from_toml(text: &str) -> Result<Statutes, Vec<Problem>> {
        Reader::new(text).read()
    }

    /// [`Statutes::from_toml`] with its problems as one error value (for `?` in an
    /// application's own error handling).
    pub fn parse(text: &str) -> Result<Statutes, Problems> {
        Statutes::from_toml(text).map_err(Problems)
    }
}

/// Every problem found in a statutes or agenda file, as one error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(Problem::to_string).collect();
        write!(f, "{} problem{}: {}", lines.len(), if lines.len() == 1 { "" } else { "s" }, lines.join("; "))
    }
}

impl std::error::Error for Problems {}

impl std::error::Error for Problem {}

/// One problem found in a statutes or agenda file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What is wrong and what would be accepted.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
