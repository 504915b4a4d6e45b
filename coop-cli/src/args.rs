//! The command line, as clap derive types. Parsing only: no rules here.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use coop_core::Cents;

pub(crate) use crate::member_arg::{member, MemberArg};

pub use crate::args_assembly::{AssemblyCmd, DocFormat, KindOfAssembly, Lang};
pub use crate::args_bodies::{BoardCmd, CommitteeCmd, DocArgs};

pub(crate) fn date(s: &str) -> Result<NaiveDate, String> {
    coop_core::parse_date(s).map_err(|e| e.to_string())
}
fn amount(s: &str) -> Result<Cents, String> {
    s.parse::<Cents>().map_err(|e| e.to_string())
}
fn actor(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
        return Err("an actor's name is 1 to 100 printable characters on one line".into());
    }
    Ok(t.to_string())
}
fn command_id(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 128 || s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("a command id is 1 to 128 bytes of printable characters without spaces, such as 2026-06-20-admit-12".into());
    }
    Ok(s.to_string())
}
fn anchor(s: &str) -> Result<coop_store::Anchor, String> {
    s.parse()
}
fn count(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=1_000_000_000).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a number of shares: expected a whole number from 1 to 1000000000")),
    }
}

const EXAMPLES: &str = "\
Examples:
  coop demo                                  create a sample cooperative in ./coop-demo.db
  coop statutes check statutes.toml          check a statutes file, listing every problem
  coop init --statutes statutes.toml         adopt the statutes in a new store
  coop member admit --name \"Camille Martin\" --category employees --date 2026-03-01
  coop shares subscribe 12 --count 4 --paid 50
  coop register --format csv > register.csv
  coop --as-of 2024-12-31 capital --json
  coop audit verify

Exit codes: 0 ok, 1 refused by a governance rule, 2 bad input or usage, 3 storage or integrity failure.";

/// coop keeps the governance of a SCIC (société coopérative d'intérêt collectif) as an
/// append-only, hash-chained event log: statutes, members, shares and capital, provable at any date.
#[derive(Parser, Debug)]
#[command(name = "coop", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// The store: a sled directory, or postgres://USER@HOST/DB#COOP (with the feature
    /// `postgres`). Default ./coop.db; `coop demo` writes its own, ./coop-demo.db, so that a
    /// later command without --store never lands in the demo.
    #[arg(long, global = true, env = "COOP_STORE", value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Who is acting; recorded on every event.
    #[arg(long, global = true, env = "COOP_ACTOR", value_name = "NAME", value_parser = actor)]
    pub actor: Option<String>,
    /// Print one JSON document on stdout instead of text; an error is then a JSON object on
    /// stderr: {"error": MESSAGE, "exit": CODE, "rule": RULE or null}.
    #[arg(long, global = true)]
    pub json: bool,
    /// Answer queries as of the end of this date (YYYY-MM-DD).
    #[arg(long, global = true, value_parser = date, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Answer queries as the log stood just after this event (its sequence number, as `coop log`
    /// shows it): a document printed earlier is reproduced exactly. With --as-of: as of that
    /// date, as known then.
    #[arg(long, global = true, value_name = "SEQ")]
    pub known_at: Option<u64>,
    /// The legal date of what a command records (default: today; for what an assembly decided
    /// or recorded at its meeting, the meeting's date).
    #[arg(long, global = true, value_parser = date, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
    /// An id for this command: running it again with the same id records nothing twice.
    #[arg(long, global = true, value_name = "ID", value_parser = command_id)]
    pub command_id: Option<String>,
    /// The acting officer's secret key file: their acts are signed with it (required once they
    /// registered a key with `coop officer key new`; also signs `audit seal`).
    #[arg(long, global = true, env = "COOP_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Create the store and adopt the statutes as its first event.
    #[command(after_help = "Example:\n  coop init --statutes statutes.toml --date 2016-06-30")]
    Init {
        /// The cooperative's name (default: the statutes' `name`).
        #[arg(long)]
        name: Option<String>,
        /// The statutes file (TOML; see `coop statutes check --help`).
        #[arg(long, value_name = "FILE")]
        statutes: PathBuf,
    },
    /// Show or check statutes.
    #[command(subcommand)]
    Statutes(StatutesCmd),
    /// Admit, move, list and end members.
    #[command(subcommand)]
    Member(MemberCmd),
    /// Subscribe, pay up, transfer and redeem shares.
    #[command(subcommand)]
    Shares(SharesCmd),
    /// Subscribed and paid capital, highest capital, floor, public bodies' share.
    #[command(after_help = "Example:\n  coop capital --as-of 2025-12-31 --json")]
    Capital,
    /// What the cooperative owes its former members: for each one still holding shares, their
    /// paid-up value, the day it is due (the statutes' reimbursement delay after leaving), and
    /// whether it is overdue or held back by the capital floor. `shares redeem` settles one.
    #[command(after_help = "Examples:\n  coop reimbursements\n  coop --as-of 2027-12-31 reimbursements --json")]
    Reimbursements,
    /// The reserves over time: each allocation of a surplus an assembly adopted (legal and
    /// statutory reserves, interest, carried forward), and each loss its approved accounts
    /// showed, charged to the statutory reserve first, then the legal reserve.
    #[command(after_help = "Examples:\n  coop reserves\n  coop --as-of 2025-12-31 reserves --json")]
    Reserves,
    /// The register of members, current and former.
    #[command(after_help = "Examples:\n  coop register --format md > register.md\n  coop register --format csv --excel > registre.csv")]
    Register {
        /// Output format (`--json` is the same as `--format json`).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// CSV for a French spreadsheet: semicolons, decimal commas and a UTF-8 byte-order mark,
        /// so that Excel or LibreOffice opens it right with a double click (implies --format csv).
        #[arg(long)]
        excel: bool,
    },
    /// List what is out of line with the law or the statutes; exit 1 if anything is.
    #[command(after_help = "Example:\n  coop check --json")]
    Check,
    /// The events of the log, in order; --member and --type keep those about a member or of a
    /// type, --last the latest ones.
    #[command(
        after_help = "Examples:\n  coop log --from 1 --limit 20\n  coop log --last 10\n  coop log --member Jeantet --type shares_subscribed --type shares_paid"
    )]
    Log {
        /// First sequence number to show.
        #[arg(long, default_value_t = 1, conflicts_with = "last")]
        from: u64,
        /// How many events to show.
        #[arg(long, default_value_t = 50, conflicts_with = "last")]
        limit: usize,
        /// The last N events (of those --member and --type keep).
        #[arg(long, value_name = "N")]
        last: Option<usize>,
        /// Only the events about this member (number, ULID or name): its admission, shares,
        /// moves, attendance, proxies, votes, projects.
        #[arg(long, value_parser = member)]
        member: Option<MemberArg>,
        /// Only events of this type, as the JSON's `type` (repeat for several), such as
        /// member_admitted, shares_paid, vote_cast.
        #[arg(long = "type", value_name = "TYPE")]
        types: Vec<String>,
    },
    /// Void a command recorded by mistake: every event of the command that recorded event SEQ.
    /// The events stay in the log, marked voided (`coop log`); every register, document and
    /// query leaves them out. Refused if a later fact depends on them (it is named), for a closed
    /// assembly's facts, the founding and an erasure.
    #[command(
        after_help = "Examples:\n  coop log --from 40 --limit 10          find the event's number\n  coop void 42 --reason \"payment keyed twice\""
    )]
    Void {
        /// The sequence number of any event of the command (as `coop log` shows it).
        seq: u64,
        /// Why, in words the minutes and an auditor can read.
        #[arg(long)]
        reason: String,
    },
    /// Back the store up into one file: the log and the personal data beside it (names,
    /// e-mails, addresses, salts). Unlike `export events`, it restores a store whose register
    /// shows every name. The file holds personal data: it is written readable by its owner only.
    #[command(after_help = "Examples:\n  coop backup scic-2026-11-30.coop\n  coop --store restored.db restore scic-2026-11-30.coop")]
    Backup {
        /// The file to write (replaced if it exists).
        file: PathBuf,
    },
    /// Restore a backup (`coop backup`) into a new store (--store PATH, which must not hold a
    /// cooperative): the whole chain is checked, and each party's personal data against the
    /// digest the log keeps. Nothing is written if the log is wrong.
    #[command(after_help = "Example:\n  coop --store restored.db restore scic-2026-11-30.coop && coop --store restored.db audit verify")]
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// Verify the hash chain, or rebuild the state from scratch and compare.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Import members from a spreadsheet, or a whole log from an export.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export the log (JSON Lines) or the register (CSV) on stdout.
    #[command(subcommand)]
    Export(ExportCmd),
    /// General assemblies: convene, roll, attendance, proxies, postal votes, quorum, votes,
    /// results, attendance sheet and minutes.
    #[command(subcommand)]
    Assembly(AssemblyCmd),
    /// Cooperative projects: create, move through the pipeline, join, change role, leave, show.
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Who takes part in which project, and who in none: rates by college and by category,
    /// members and partners per project, the pipeline funnel (use --as-of for a past date).
    #[command(
        after_help = "Examples:\n  coop involvement\n  coop involvement --no-list\n  coop --as-of 2021-12-31 involvement --json\n  coop involvement --member 12"
    )]
    Involvement {
        /// Only this member's involvement history.
        #[arg(long, value_parser = member)]
        member: Option<MemberArg>,
        /// Leave out the list of members in no active project (still counted): the rates, the
        /// projects, the committees and the pipeline only. In --json, `not_involved` is then
        /// left out and `not_involved_count` kept.
        #[arg(long, conflicts_with = "member")]
        no_list: bool,
    },
    /// The roster of officers (board members, chair, secretary) and who may do what.
    #[command(subcommand)]
    Officer(OfficerCmd),
    /// The board elected by assemblies: its members and mandates, carrying out an election or a
    /// revocation an assembly adopted, resignations, and the board's meetings (its chair, its
    /// secretary, its decisions and their minutes).
    #[command(subcommand)]
    Board(BoardCmd),
    /// Committees set up by the cooperative or for a project (a steering committee, a
    /// recruitment commission): their members and partners, meetings, decisions and minutes.
    #[command(subcommand)]
    Committee(CommitteeCmd),
    /// Record a completed cooperative review (révision coopérative), dated with --date.
    #[command(after_help = "Example:\n  coop review --date 2026-03-15")]
    Review,
    /// Print a completion script for a shell: bash, zsh, fish, powershell or elvish.
    #[command(
        after_help = "Examples:\n  coop completions bash > ~/.local/share/bash-completion/completions/coop\n  coop completions zsh > \"${fpath[1]}/_coop\"\n  coop completions fish > ~/.config/fish/completions/coop.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of coop and its commands.
    #[command(after_help = "Examples:\n  coop man > coop.1 && man ./coop.1\n  coop man | man -l -")]
    Man,
    /// Create a sample cooperative in its own store, ./coop-demo.db (or --store PATH), and print
    /// its register and capital.
    #[command(after_help = "Example:\n  coop demo && coop --store coop-demo.db check")]
    Demo,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Md,
    Json,
    /// CSV as a French spreadsheet opens it (`--excel`).
    #[value(skip)]
    Excel,
}

#[derive(Subcommand, Debug)]
pub enum StatutesCmd {
    /// The statutes in force (use --as-of for a past date).
    Show,
    /// Replace the statutes, as decided by an adopted extraordinary resolution of a closed
    /// assembly whose agenda named this very file (`amend = "FILE"`: its SHA-256 is compared).
    #[command(after_help = "Example:\n  coop statutes amend statutes-2026.toml --assembly age-2026 --resolution 1 --date 2026-06-20")]
    Amend {
        /// The new statutes file.
        file: PathBuf,
        /// The assembly that decided it.
        #[arg(long)]
        assembly: String,
        /// The resolution number.
        #[arg(long)]
        resolution: u32,
    },
    /// Check a statutes file without a store, listing every problem at once.
    #[command(after_help = STATUTES_HELP)]
    Check {
        /// The statutes file.
        file: PathBuf,
    },
}

const STATUTES_HELP: &str = "\
The file is TOML: name, legal_form (sa|sas|sarl), founded (YYYY-MM-DD); [capital] floor_fraction,
minimum_euros, public_bodies_max_percent, reimbursement_delay_days (or reimbursement_delay_months),
interest_rate_cap_percent (the cap on interest paid on shares: the average TMO of the three
previous years plus two points, art. 14 of the law of 10 September 1947);
[[share_class]] code,
nominal_euros; [[college]] code, weight_percent (omit every weight for equal colleges), name (as the
documents write it, such as \"Collège des salariés\");
[[category]] code, role (employees|producers|beneficiaries|volunteers|public|other), college,
class, min_shares; [assembly] notice_days, notice_days_second, quorum_ordinary,
quorum_extraordinary, majority_ordinary, majority_extraordinary, college_method (proportional |
majority | block, with college_block_threshold such as \"3/5\"), max_proxies_per_holder (a count,
or a share of the members such as \"1/20\"), proxies_same_college (true: proxies only within a
college), quorum_by_college (true: each college's share of its members counted, weighted),
postal_days_before, financial_year_end (\"12-31\"), secret_ballot,
roll_cutoff_days (the roll is closed that many days before the meeting, e.g. 16 as in the CG Scop
model clause; without it, on the convening date), attendance_revokes_proxy (default true; false: a
member who gave a proxy revokes it before attending), remote_attendance (default true; false:
members attend in person only), majority_base_ordinary and majority_base_extraordinary (what the
share of votes for is counted among: cast = votes for and against, the default; present = members
present, represented or voting by post, abstentions counted against; members = every member on the
roll; one value, or [first, second convocation]); [members] loss_of_quality (flag|end),
retention_days.

Checked: at least 3 categories; beneficiaries and employees (or producers); 3 to 10 colleges
when any, each with a category voting in it; college weights from 10 to 50 % summing to 100;
categories naming known colleges and classes; floor_fraction at least 1/4; an SA's minimum capital
at least 18,500 euros; public bodies at most 50 %; quorums from 0 to 1; majorities from \"> 1/2\"
to \">= 1\"; for an SA the Commercial Code's floors: notice_days >= 15 and notice_days_second >= 10
(R. 225-69), quorum_ordinary first >= 1/5 (L. 225-98), quorum_extraordinary >= 1/4 then 1/5
(L. 225-96), majority_ordinary \"> 1/2\", majority_extraordinary >= 2/3, postal_days_before <= 3
(R. 225-77); for a SARL: ordinary decisions by more than half of all members on first convocation
(majority_base_ordinary [\"members\", …], L. 223-29), extraordinary ones by two thirds of the
members taking part with abstentions against (majority_base_extraordinary \"present\" or
\"members\", majority_extraordinary >= 2/3, quorum_extraordinary >= 1/4 then 1/5, L. 223-30),
which are a SARL's defaults; unknown keys, with their line.

Example:
  coop statutes check statutes.toml";

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Admit a person, an organisation or a public body, subscribing its category's minimum shares.
    #[command(
        after_help = "Example:\n  coop member admit --name \"Commune de Lons\" --kind public-body --category public --shares 10 --date 2024-01-15"
    )]
    Admit(AdmitArgs),
    /// Current members (with --all, former ones too).
    #[command(after_help = "Example:\n  coop member list --all --json")]
    List {
        /// Include members whose membership ended.
        #[arg(long)]
        all: bool,
    },
    /// A member's share certificate: its shares by class and lot, with the dates, nominal value
    /// and amounts paid, as of --as-of (default today); Markdown or printable HTML, French or
    /// English.
    #[command(
        after_help = "Examples:\n  coop member certificate 12 --format html > certificat-12.html\n  coop member certificate roux --lang en"
    )]
    Certificate {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Markdown or printable HTML.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
        /// Language.
        #[arg(long, value_enum, default_value_t = Lang::Fr)]
        lang: Lang,
    },
    /// Record the natural person who represents an organisation or a public body, from --date
    /// (default today): convocations are addressed to them, and the attendance sheet and the
    /// minutes say "Commune de Montval, représentée par …". Their name, e-mail and address are
    /// personal data kept beside the log, erased with the member's.
    #[command(
        after_help = "Example:\n  coop member represent \"Commune de Montval\" --by \"Jeanne Maire\" --email maire@montval.fr --date 2026-04-01"
    )]
    Represent {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// The representative's name.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Their e-mail address (convocations go there).
        #[arg(long)]
        email: Option<String>,
        /// Their postal address.
        #[arg(long)]
        address: Option<String>,
    },
    /// Members, current and former, whose name or e-mail holds TEXT (case and accents ignored:
    /// "jeantet" finds "Élise Jeantet").
    #[command(after_help = "Example:\n  coop member find jeantet --json")]
    Find {
        /// A part of the name or of the e-mail address.
        text: String,
    },
    /// One member: category, college, shares by lot, status.
    #[command(after_help = "Example:\n  coop member show 12 --history")]
    Show {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Also list every event about the member (reads the whole log).
        #[arg(long)]
        history: bool,
    },
    /// Move a member to another category.
    #[command(after_help = "Example:\n  coop member move 12 --category beneficiaries --date 2026-09-01")]
    Move {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// The new category.
        #[arg(long)]
        category: String,
    },
    /// Record a member's withdrawal (démission); its shares wait to be redeemed.
    #[command(after_help = "Example:\n  coop member withdraw 12 --date 2026-06-30")]
    Withdraw {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
    },
    /// Correct a member's personal data: name, e-mail, postal address (kept beside the log; the
    /// log records the digest of the new data and keeps the previous one's).
    #[command(
        after_help = "Examples:\n  coop member edit 12 --name \"Camille Martin-Roux\"\n  coop member edit 12 --email camille@example.org --address \"3 rue des Lilas, 39000 Lons\"\n  coop member edit 12 --email \"\"      (removes the e-mail)"
    )]
    Edit {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// The corrected name.
        #[arg(long)]
        name: Option<String>,
        /// The corrected e-mail ("" removes it).
        #[arg(long)]
        email: Option<String>,
        /// The postal address, for convocations by post ("" removes it).
        #[arg(long)]
        address: Option<String>,
    },
    /// Exclude a member, as decided by an adopted extraordinary resolution of a closed assembly
    /// whose agenda names that member (`exclude = N`); each resolution is carried out once.
    #[command(after_help = "Example:\n  coop member exclude 17 --assembly age-2026 --resolution 3 --date 2026-06-20")]
    Exclude {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// The assembly that decided it.
        #[arg(long)]
        assembly: String,
        /// The resolution number.
        #[arg(long)]
        resolution: u32,
    },
    /// Erase a former member's personal data (name, e-mail) once the statutes' retention period
    /// after its departure is over. The log, its chain, counts and results are unchanged; the
    /// register shows the number as erased.
    #[command(after_help = "Example:\n  coop member forget 17")]
    Forget {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
    },
    /// Record the end of a membership by death, dissolution, or loss of quality (flagged by
    /// default statutes, ended where they say so).
    #[command(after_help = "Example:\n  coop member end 7 --cause loss-of-quality --date 2026-05-31")]
    End {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Why the membership ends.
        #[arg(long, value_enum)]
        cause: CauseArg,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CauseArg {
    Death,
    Dissolution,
    LossOfQuality,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Person,
    Organisation,
    PublicBody,
}

#[derive(Args, Debug)]
pub struct AdmitArgs {
    /// Full name of the person, or the organisation's name.
    #[arg(long)]
    pub name: String,
    /// The category (as coded in the statutes).
    #[arg(long)]
    pub category: String,
    /// Person, organisation or public body.
    #[arg(long, value_enum, default_value_t = KindArg::Person)]
    pub kind: KindArg,
    /// Shares to subscribe (default: the category's minimum).
    #[arg(long, value_parser = count)]
    pub shares: Option<u64>,
    /// Share class (default: the category's).
    #[arg(long)]
    pub class: Option<String>,
    /// Euros paid at once (default: everything; at least a quarter).
    #[arg(long, value_parser = amount, value_name = "EUROS")]
    pub paid: Option<Cents>,
    /// E-mail address, for convocations.
    #[arg(long)]
    pub email: Option<String>,
    /// Postal address, for convocations by post (members without e-mail).
    #[arg(long)]
    pub address: Option<String>,
}

fn stage(s: &str) -> Result<coop_core::Stage, String> {
    coop_core::Stage::parse(s)
        .ok_or_else(|| format!("'{s}' is not a stage: expected idea, qualification, prototype, launch, running, spun-off or abandoned"))
}

fn role(s: &str) -> Result<coop_core::ProjectRole, String> {
    coop_core::ProjectRole::parse(s)
        .ok_or_else(|| format!("'{s}' is not a role: expected lead, contributor, tester, funder, partner or mentor"))
}

/// A member (by number, ULID or name) or a partner who is not a member (by name).
#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct WhoArg {
    /// Member number, ULID or name.
    #[arg(value_parser = member)]
    pub member: Option<MemberArg>,
    /// A partner who is not a member, by name (created on its first join).
    #[arg(long)]
    pub partner: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ProjectCmd {
    /// Start a project (on --date, default today).
    #[command(
        after_help = "Example:\n  coop project create bouteilles --name \"J'aime mes bouteilles\" --stage qualification --date 2017-03-01"
    )]
    Create {
        /// A slug naming the project (lowercase letters, digits, dashes).
        slug: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// What it is about.
        #[arg(long, default_value = "")]
        description: String,
        /// The stage it starts at: idea (default), qualification, prototype, launch or running.
        #[arg(long, value_parser = stage)]
        stage: Option<coop_core::Stage>,
    },
    /// Move a project to its next stage (idea, qualification, prototype, launch, running) or to
    /// an end (spun-off, abandoned).
    #[command(after_help = "Example:\n  coop project stage bouteilles prototype --date 2018-01-15")]
    Stage {
        /// The project.
        project: String,
        /// The new stage.
        #[arg(value_parser = stage)]
        stage: coop_core::Stage,
    },
    /// A member, or a partner who is not a member, joins a project.
    #[command(
        after_help = "Examples:\n  coop project join bouteilles 12 --role lead\n  coop project join bouteilles --partner \"Chambre d'agriculture du Jura\" --role partner"
    )]
    Join {
        /// The project.
        project: String,
        #[command(flatten)]
        who: WhoArg,
        /// lead, contributor, tester, funder, partner or mentor.
        #[arg(long, value_parser = role)]
        role: coop_core::ProjectRole,
    },
    /// Change a participant's role.
    #[command(after_help = "Example:\n  coop project role bouteilles 12 --role mentor")]
    Role {
        /// The project.
        project: String,
        #[command(flatten)]
        who: WhoArg,
        /// The new role.
        #[arg(long, value_parser = role)]
        role: coop_core::ProjectRole,
    },
    /// A participant leaves a project.
    #[command(after_help = "Example:\n  coop project leave bouteilles 12 --date 2026-09-30")]
    Leave {
        /// The project.
        project: String,
        #[command(flatten)]
        who: WhoArg,
    },
    /// The projects, their stage and how many take part.
    List,
    /// One project: stage history, members (with college and role) and partners.
    #[command(after_help = "Example:\n  coop project show bouteilles --as-of 2020-12-31 --json")]
    Show {
        /// The project.
        project: String,
    },
}

fn office(s: &str) -> Result<coop_core::Office, String> {
    coop_core::Office::parse(s).ok_or_else(|| format!("'{s}' is not an office: expected board, chair, secretary or manager"))
}

const OFFICER_HELP: &str = "\
Every command is checked against the roster: --actor NAME (or COOP_ACTOR; default 'secretary')
must hold an office the statutes' [permissions] entitle to act. Whoever runs `coop init` becomes
the board's first secretary and, with the secretaries they appoint by hand, acts as the board
until an assembly first elects one (`coop board elect`). That election ends the founders' offices:
from then on the members of the board act under their own names while their mandates run, the
board elects its chair and appoints its secretary at a meeting (`coop board meeting`), and an
SARL's gérants (office manager) are appointed by the members. A board seat, the chair or a gérant
is never given by hand. By default the board admits members, records shares, convenes assemblies
and runs projects; the chair, the secretary and the gérants act as the board; an assembly's
officers (chair, secretary, tellers: members linked to a person with --member) or the secretary
record its meeting; the secretary keeps the roster.

Examples:
  coop officer appoint \"Claire Faivre\" --office secretary --member 12
  coop --actor \"Claire Faivre\" member admit --name \"Léa Roux\" --category beneficiaries
  coop officer list";

#[derive(Subcommand, Debug)]
pub enum OfficerCmd {
    /// Appoint a secretary while the founders act as the board (before the first election).
    #[command(after_help = OFFICER_HELP)]
    Appoint {
        /// The name they act under (what they pass as --actor).
        person: String,
        /// secretary (board, chair and manager come from elections and are refused here).
        #[arg(long, value_parser = office)]
        office: coop_core::Office,
        /// The member they are (links them to the assemblies whose officer they are).
        #[arg(long, value_parser = member)]
        member: Option<MemberArg>,
    },
    /// Take an office from someone (the board keeps at least one secretary).
    #[command(after_help = "Example:\n  coop officer remove \"Claire Faivre\" --office secretary")]
    Remove {
        /// The name they act under.
        person: String,
        /// board, chair or secretary.
        #[arg(long, value_parser = office)]
        office: coop_core::Office,
    },
    /// The roster, and who may do what under the statutes in force.
    List,
    /// Signing keys: an officer's acts signed with their own key.
    #[command(subcommand)]
    Key(KeyCmd),
}

#[derive(Subcommand, Debug)]
pub enum KeyCmd {
    /// Make a signing key for an officer (yourself) and register its public half in the roster:
    /// from then on every act in that name must be signed with it (--key FILE or COOP_KEY), and
    /// `audit verify` checks every signature. The secret key is written to a new file only its
    /// owner may read. A new key replaces the old one when registered under it (--key OLD).
    #[command(after_help = KEY_HELP)]
    New {
        /// The officer's name, as they act (--actor; default: this name).
        person: String,
        /// Where to write the secret key (default: the user's configuration directory,
        /// coop/keys/NAME.key).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

const KEY_HELP: &str = "\
Examples:
  coop officer key new \"Claire Faivre\"                   # writes ~/.config/coop/keys/Claire-Faivre.key
  coop --actor \"Claire Faivre\" --key ~/.config/coop/keys/Claire-Faivre.key member admit --name \"Léa Roux\" --category beneficiaries
  export COOP_ACTOR=\"Claire Faivre\" COOP_KEY=~/.config/coop/keys/Claire-Faivre.key
  coop audit seal                                          # a seal signed by Claire
  coop officer key new \"Claire Faivre\" --out new.key      # a new key, registered under the old one (COOP_KEY)
Keep the key file private and backed up: an act in that name without it is refused.";

#[derive(Subcommand, Debug)]
pub enum SharesCmd {
    /// The chronological register of share movements (subscriptions, payments, transfers,
    /// redemptions), numbered in the order of their dates, with the capital after each, as of
    /// --as-of (default today); Markdown or printable HTML, French or English; --json: the data.
    #[command(
        after_help = "Examples:\n  coop shares movements\n  coop --as-of 2025-12-31 shares movements --format html > registre-parts.html"
    )]
    Movements {
        /// Markdown or printable HTML.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
        /// Language.
        #[arg(long, value_enum, default_value_t = Lang::Fr)]
        lang: Lang,
    },
    /// Subscribe more shares (at least a quarter paid at once).
    #[command(after_help = "Example:\n  coop shares subscribe 12 --count 4 --paid 50")]
    Subscribe {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Number of shares.
        #[arg(long, value_parser = count)]
        count: u64,
        /// Share class (default: the member's category's).
        #[arg(long)]
        class: Option<String>,
        /// Euros paid at once (default: everything).
        #[arg(long, value_parser = amount, value_name = "EUROS")]
        paid: Option<Cents>,
    },
    /// Pay up subscribed shares.
    #[command(after_help = "Example:\n  coop shares pay 12 --amount 37.50")]
    Pay {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Euros paid.
        #[arg(long, value_parser = amount, value_name = "EUROS")]
        amount: Cents,
    },
    /// Transfer fully paid shares from one member to another.
    #[command(after_help = "Example:\n  coop shares transfer 12 31 --count 2")]
    Transfer {
        /// The giver.
        #[arg(value_parser = member)]
        from: MemberArg,
        /// The receiver.
        #[arg(value_parser = member)]
        to: MemberArg,
        /// Number of shares.
        #[arg(long, value_parser = count)]
        count: u64,
        /// Share class (default: the giver's category's).
        #[arg(long)]
        class: Option<String>,
    },
    /// Redeem (cancel and reimburse) shares, never below the capital floor.
    #[command(after_help = "Example:\n  coop shares redeem 12 --count 4 --date 2026-07-01")]
    Redeem {
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Number of shares.
        #[arg(long, value_parser = count)]
        count: u64,
        /// Share class (default: the member's category's).
        #[arg(long)]
        class: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Check every record's hash, order and link, that the state kept beside the log is the
    /// fold of the log, and that each party's personal data matches the digest the log keeps;
    /// print the head hash to note down. Exit 3 and what is wrong (the first bad sequence number
    /// for the chain) otherwise: then the store takes no command until a verify finds it sound.
    #[command(
        after_help = "Examples:\n  coop audit verify --json\n  coop audit verify --accept-head      (after checking the head against a seal or the minutes)"
    )]
    Verify {
        /// Accept the log's head when the head witness (the file `head`) is missing or
        /// unreadable, and write it anew, if everything else is sound. Check the head against a
        /// seal or the last minutes first: a rolled-back store looks exactly like this.
        #[arg(long)]
        accept_head: bool,
        /// An anchor kept elsewhere (`coop audit seal`, the head printed in minutes): event SEQ
        /// must have exactly HASH, or exit 3 (a rollback or a re-hashed rewrite). Repeatable.
        #[arg(long, value_name = "SEQ:HASH", value_parser = anchor)]
        expect: Vec<coop_store::Anchor>,
        /// A file of anchors, one per line (`SEQ:HASH` or seal lines).
        #[arg(long, value_name = "FILE")]
        expect_file: Option<PathBuf>,
        /// Verify this export file (its chain and the anchors) instead of the store.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
    },
    /// Print a seal of the log's head (sequence number, hash, date) to keep outside the store:
    /// on paper with the minutes, in a mail to the auditor. `audit verify --expect` checks the
    /// log against it later, so a rollback or a rewrite of the whole store is found. With --key
    /// (an officer's registered key) the seal is signed, and verify checks the signature too.
    #[command(
        after_help = "Examples:\n  coop audit seal >> seals.txt\n  coop --actor \"Claire Faivre\" --key claire.key audit seal >> seals.txt\n  coop audit verify --expect-file seals.txt"
    )]
    Seal,
    /// Rebuild the state kept beside the log from the log itself, when `audit verify` found only
    /// that state wrong (the log's chain sound); the store then takes commands again. A damaged
    /// log is not repaired: restore a backup.
    #[command(after_help = "Example:\n  coop audit verify || coop audit repair")]
    Repair,
    /// Rebuild the state from the first event and compare it with what the store keeps.
    #[command(after_help = "Example:\n  coop audit replay")]
    Replay,
}

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Import a member register kept in a spreadsheet (CSV with a header row; a French Excel's
    /// semicolons, Windows-1252 text and DD/MM/YYYY dates are read as they are).
    #[command(after_help = MEMBERS_CSV_HELP)]
    Members {
        /// The CSV file.
        file: PathBuf,
        /// Import rows even if they repeat a member already in the store (same name, e-mail
        /// and admission date); refused otherwise, so that a file imported twice is noticed.
        #[arg(long)]
        allow_duplicates: bool,
    },
    /// Import a log exported by `coop export events` into an empty store, checking the whole
    /// chain first; nothing is written if any line is wrong.
    #[command(after_help = "Example:\n  coop --store copy.db import events log.jsonl")]
    Events {
        /// The JSON Lines file.
        file: PathBuf,
    },
    /// Migrate a dated register of movements (admissions, subscriptions, payments, transfers,
    /// redemptions, withdrawals, ends, moves), in any row order: sorted by date, checked as one
    /// history, written all or nothing.
    #[command(after_help = MOVEMENTS_CSV_HELP)]
    Movements {
        /// The CSV file.
        file: PathBuf,
    },
}

const MOVEMENTS_CSV_HELP: &str = "\
Columns (header row required, any order; a column a movement does not use must be empty):
  date          required  the movement's date, YYYY-MM-DD or DD/MM/YYYY
  movement      required  admit, subscribe, pay, transfer, redeem, withdraw, end or move
  member        required  the member's number in the migrated register; admissions, taken in
                          date order, must bring 1, 2, 3… (the store's next numbers)
  name          admit     full name or organisation name
  category      admit     category code (move: the new category)
  kind          admit     person (default), organisation or public-body
  count         shares    admit (default: the category's minimum), subscribe, transfer, redeem
  class         shares    share class (default: the category's)
  amount_euros  euros     admit, subscribe: paid at once (default: all); pay: the payment
  to            transfer  the receiving member's number
  cause         end       death, dissolution or loss-of-quality
  email         admit     e-mail address
  address       admit     postal address (optional column), for convocations by post
The file may be as a French spreadsheet saves it: semicolons or tabs, Windows-1252 text, decimal
commas, French column names (mouvement, membre, nom, catégorie, type, nombre, classe,
montant_euros, vers, courriel, adresse).
Rows are sorted by date (rows of one date keep the file's order) and decided one after the other
as one history, each as of its date and checked against every later fact; every refused row is
listed with its line, and nothing is written unless all are accepted.

Example:
  date,movement,member,name,category,kind,count,class,amount_euros,to,cause,email
  2016-07-01,admit,1,Camille Martin,employees,,1,,,,,camille@example.org
  2017-03-15,admit,2,Domaine des Coteaux,businesses,organisation,4,,,,,
  2018-01-10,subscribe,1,,,,2,,25,,,
  2019-05-01,pay,1,,,,,,75,,,

  coop import movements register-movements.csv";

const MEMBERS_CSV_HELP: &str = "\
Columns (header row required, any order):
  name        required  full name or organisation name
  category    required  category code from the statutes
  shares      required  number of shares subscribed (at least the category's minimum)
  admitted    required  admission date, YYYY-MM-DD or DD/MM/YYYY
  kind        optional  person (default), organisation or public-body
  class       optional  share class (default: the category's)
  paid_euros  optional  euros paid so far (default: everything; at least a quarter)
  email       optional  e-mail address
  address     optional  postal address, for convocations by post
Any other column is an error, so a misspelt header is never silently dropped. Every bad row is
reported with its line number; nothing is written unless every row is valid.
As a French spreadsheet saves it: the separator is found from the header row (comma, semicolon
or tab); a file that is not UTF-8 is read as Windows-1252 (said on stderr); amounts may have a
decimal comma; the columns may have their French names, in any case and with or without accents:
nom, catégorie, parts, admission, type, classe, versé_euros, courriel, adresse.
Members are admitted in the order of their dates (rows of one date in the order of the file), each
decided as of its date and checked against every later fact. A row repeating a member already in
the store (same name, e-mail and admission date) is refused unless --allow-duplicates.

Example:
  name,category,shares,admitted,kind,email
  Camille Martin,employees,1,2016-07-01,person,camille@example.org
  Domaine des Coteaux,businesses,4,2017-03-15,organisation,

  coop import members register.csv";

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// The log as JSON Lines: a header (event count, head hash) then one record per line.
    #[command(after_help = "Example:\n  coop export events > log.jsonl")]
    Events,
    /// The register as CSV, with names.
    #[command(after_help = "Examples:\n  coop export register > register.csv\n  coop export register --excel > registre.csv")]
    Register {
        /// For a French spreadsheet: semicolons, decimal commas and a UTF-8 byte-order mark.
        #[arg(long)]
        excel: bool,
    },
}
