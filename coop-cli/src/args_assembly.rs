//! `coop assembly …`: its subcommands, their arguments and help (the agenda format).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::args::{date, member, MemberArg};
use chrono::NaiveDate;

/// Postal directions as typed: `1=for,2=abstain`.
#[derive(Clone, Debug)]
pub struct Votes(pub Vec<(u32, coop_core::Choice)>);

fn votes(s: &str) -> Result<Votes, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (n, c) = part.split_once('=').ok_or_else(|| format!("'{part}' is not N=CHOICE, such as 1=for"))?;
        let n: u32 = n.trim().parse().map_err(|_| format!("'{n}' is not a resolution number"))?;
        let c = coop_core::Choice::parse(c).ok_or_else(|| format!("'{c}' is not for, against, abstain or blank"))?;
        out.push((n, c));
    }
    Ok(Votes(out))
}

fn hour(s: &str) -> Result<chrono::NaiveTime, String> {
    let t = s.trim().replace('h', ":");
    let t = if t.ends_with(':') { format!("{t}00") } else { t };
    chrono::NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| format!("'{s}' is not an hour: expected HH:MM, such as 18:30"))
}

fn choice(s: &str) -> Result<coop_core::Choice, String> {
    coop_core::Choice::parse(s).ok_or_else(|| format!("'{s}' is not for, against, abstain or blank"))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum KindOfAssembly {
    Ordinary,
    Extraordinary,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    Md,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

const AGENDA_HELP: &str = "\
The agenda file (TOML) lists the resolutions in order:
  [[resolution]]
  title = \"Approval of the 2025 accounts\"
  kind = \"ordinary\"            # ordinary | extraordinary; an assembly may mix both
  board_approved = true
  accounts = 2025                # it approves the accounts of the year ending in 2025
  text = \"\"\"
L'assemblée générale, après avoir entendu le rapport du conseil, approuve les comptes
de l'exercice clos le 31 décembre 2025 tels qu'ils lui ont été présentés.\"\"\"
                                 # the resolution's text, shown in full on the convocations
                                 # and in the minutes (optional)

  [[resolution]]
  title = \"Exclusion of member 28\"
  kind = \"extraordinary\"
  exclude = 28                   # the member it excludes: `member exclude 28` needs it
  secret = true                  # voted by secret ballot even where the statutes make votes open

  [[resolution]]
  title = \"Election of the board\"
  kind = \"ordinary\"
  elect = [12, 31]               # the members elected; office = \"board\" (or \"chair\"), years = 6
                                 # (at most the statutes' [board] mandate_years); once adopted and
                                 # closed, `coop board elect --assembly A --resolution N`

  [[resolution]]
  title = \"New statutes\"
  kind = \"extraordinary\"
  amend = \"statutes-2027.toml\" # relative to the agenda; its SHA-256 and text are recorded now

  [[resolution]]
  title = \"Approval of the 2025 accounts\"
  kind = \"ordinary\"
  accounts = 2025
  result_euros = 10000          # the year's result (negative: a loss, charged to the reserves)

  [[resolution]]
  title = \"Allocation of the 2025 surplus\"
  kind = \"ordinary\"
  allocate = { legal_reserve = 1500, statutory_reserve = 4250, carried_forward = 4250 }
                                 # euros; refused (exit 1) below the law's floors: 15 % to the legal
                                 # reserve until it reaches the highest capital (art. 16), 57.5 % to
                                 # the impartible reserves (art. 19 nonies), interest at most the
                                 # paid-up capital times the statutes' interest_rate_cap_percent
                                 # (art. 14 of the law of 10 September 1947)

A resolution decides what it names and nothing else, once: `coop member exclude M --assembly A
--resolution N` and `coop statutes amend FILE --assembly A --resolution N` are accepted only for
an adopted resolution naming that member, or a file with that very SHA-256. The convocations show
the text of proposed statutes.

The global --date is the meeting's date; --sent the day it is convened (default today). The notice
between them must be at least the statutes' notice_days (15 by default), or notice_days_second (10)
for a second convocation. Convocations recorded with `assembly convocations` are checked against
the same notice. Members admitted after --sent (or after the statutes' roll_cutoff_days before the
meeting) are not on the roll.

A second convocation (--second-of FIRST) follows a first assembly that met, lacked the quorum of
some resolutions and was closed; its agenda is those resolutions, as they were. Proxies and postal
forms given for the first count for the second (R. 225-77, R. 225-79).

Example:
  coop assembly convene ago-2026 --kind ordinary --date 2026-06-20 --time 18:30 \\
       --sent 2026-06-01 --place \"Salle des fêtes, Lons\" --agenda agenda.toml";

const MINUTES_HELP: &str = "\
The notes file (TOML) holds what the log does not, the summary of debates:
  summary = \"\"\"
  Le président ouvre la séance à 18 h 40 et rappelle l'ordre du jour.\"\"\"
  [resolutions]
  1 = \"Le trésorier présente les comptes ; une question porte sur les stocks.\"

Examples:
  coop assembly minutes ago-2026 --notes debats.toml --format html > pv.html
  coop assembly minutes ago-2026 --format html --lang en > minutes.html
  coop assembly minutes ago-2026 --json";

#[derive(Subcommand, Debug)]
pub enum AssemblyCmd {
    /// Convene a general assembly.
    #[command(after_help = AGENDA_HELP)]
    Convene {
        /// A slug naming the assembly, such as ago-2026.
        slug: String,
        /// Ordinary or extraordinary assembly.
        #[arg(long, value_enum)]
        kind: KindOfAssembly,
        /// Where it meets.
        #[arg(long)]
        place: String,
        /// The hour it meets (HH:MM), shown on the convocations.
        #[arg(long, value_parser = hour, value_name = "HH:MM")]
        time: Option<chrono::NaiveTime>,
        /// The agenda file (TOML).
        #[arg(long, value_name = "FILE")]
        agenda: PathBuf,
        /// The first assembly, which lacked quorum, when this is a second convocation.
        #[arg(long, value_name = "SLUG")]
        second_of: Option<String>,
        /// The day it is convened (default today).
        #[arg(long, value_parser = date, value_name = "YYYY-MM-DD")]
        sent: Option<NaiveDate>,
    },
    /// The assemblies in the log.
    List,
    /// The voting roll: members on the assembly's date, by college, and how each takes part.
    #[command(after_help = "Example:\n  coop assembly roll ago-2026 --json")]
    Roll {
        /// The assembly.
        assembly: String,
    },
    /// Write a convocation (Markdown and printable HTML, with a proxy form and a postal voting
    /// form) for each member on the roll not yet convened, and a CSV mailing list; record the
    /// sending date (--date, default today) for each as proof of convocation. With --member M
    /// --reissue, write that member's convocation again (lost, or sent to an old address) and
    /// record the new sending; the notice still runs from the first.
    #[command(
        after_help = "Examples:\n  coop assembly convocations ago-2026 --out convocations/ --date 2026-06-01\n  coop assembly convocations ago-2026 --member 12 --reissue --date 2026-06-09"
    )]
    Convocations {
        /// The assembly.
        assembly: String,
        /// Directory to write into (default ./convocations-SLUG).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Language of the documents.
        #[arg(long, value_enum, default_value_t = Lang::Fr)]
        lang: Lang,
        /// With --reissue: the member whose convocation is sent again.
        #[arg(long, value_parser = member, requires = "reissue")]
        member: Option<MemberArg>,
        /// Send the convocation of --member again.
        #[arg(long, requires = "member")]
        reissue: bool,
    },
    /// Appoint the assembly's officers (bureau): chair, secretary, tellers (at least one in an
    /// SA, R. 225-101). Votes and closing need them.
    #[command(after_help = "Example:\n  coop assembly officers ago-2026 --chair 1 --secretary 2 --scrutineer 5 --scrutineer 9")]
    Officers {
        /// The assembly.
        assembly: String,
        /// The chair.
        #[arg(long, value_parser = member)]
        chair: MemberArg,
        /// The secretary.
        #[arg(long, value_parser = member)]
        secretary: MemberArg,
        /// A teller (repeat for several).
        #[arg(long = "scrutineer", value_parser = member)]
        scrutineers: Vec<MemberArg>,
    },
    /// Record a member's attendance (dated the meeting's date by default); revokes its proxy.
    #[command(after_help = "Example:\n  coop assembly attend ago-2026 12 --remote")]
    Attend {
        /// The assembly.
        assembly: String,
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Attending remotely.
        #[arg(long)]
        remote: bool,
    },
    /// Record a proxy; without --to it is a blank proxy (for the board's resolutions, against the others).
    #[command(after_help = "Example:\n  coop assembly proxy ago-2026 17 --to 4 --date 2026-06-12")]
    Proxy {
        /// The assembly.
        assembly: String,
        /// The member giving the proxy.
        #[arg(value_parser = member)]
        from: MemberArg,
        /// The member holding it.
        #[arg(long, value_parser = member)]
        to: Option<MemberArg>,
    },
    /// Revoke a proxy before the meeting (R. 225-79); the member may then give another, vote by
    /// post or attend.
    #[command(after_help = "Example:\n  coop assembly revoke-proxy ago-2026 17 --date 2026-06-14")]
    RevokeProxy {
        /// The assembly.
        assembly: String,
        /// The member who gave the proxy.
        #[arg(value_parser = member)]
        from: MemberArg,
    },
    /// Record a postal voting form, received on --date (default today).
    #[command(after_help = "Example:\n  coop assembly postal ago-2026 23 --votes \"1=for,2=against,3=abstain\" --date 2026-06-15")]
    Postal {
        /// The assembly.
        assembly: String,
        /// Member number, ULID or name (when one member's name or e-mail holds it).
        #[arg(value_parser = member)]
        member: MemberArg,
        /// Directions: N=for|against|abstain|blank, comma-separated; a resolution left out is no vote.
        #[arg(long, value_parser = votes, default_value = "")]
        votes: Votes,
    },
    /// The quorum per kind of resolution on the agenda.
    #[command(after_help = "Example:\n  coop assembly quorum ago-2026 --json")]
    Quorum {
        /// The assembly.
        assembly: String,
    },
    /// Record a vote on a resolution (the member's own, or by its proxy holder). Under a secret
    /// ballot (statutes' secret_ballot), give no choice: the member is marked as having voted,
    /// and the tellers record the ballots with `assembly ballots`. With --all-present CHOICE,
    /// one vote each for every member present or represented by a member present who has not
    /// voted on the resolution yet, but those named with --except (they then vote one by one).
    #[command(
        after_help = "Examples:\n  coop assembly vote ago-2026 1 12 for\n  coop assembly vote ago-2026 1 Jeantet against\n  coop assembly vote ago-2026 1 --all-present for --except 7 --except 12\n  coop assembly vote ago-2026 1 12        (secret ballot)"
    )]
    Vote {
        /// The assembly.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        /// Whose vote: member number, ULID or name (omit with --all-present).
        #[arg(value_parser = member, required_unless_present = "all_present", conflicts_with = "all_present")]
        member: Option<MemberArg>,
        /// for, against, abstain or blank (none under a secret ballot).
        #[arg(value_parser = choice)]
        choice: Option<coop_core::Choice>,
        /// The same choice for everyone present or represented who has not voted yet.
        #[arg(long = "all-present", value_parser = choice, value_name = "CHOICE")]
        all_present: Option<coop_core::Choice>,
        /// With --all-present: a member who votes otherwise (repeat for several).
        #[arg(long, value_parser = member, value_name = "MEMBER", requires = "all_present")]
        except: Vec<MemberArg>,
    },
    /// Under a secret ballot: the tellers' count of one college's ballots on a resolution. The
    /// ballots counted in a college may not exceed its members marked as having voted, and must
    /// equal them before the assembly is closed.
    #[command(after_help = "Example:\n  coop assembly ballots ago-2026 1 --college users --for 14 --against 3 --abstain 1")]
    Ballots {
        /// The assembly.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        #[command(flatten)]
        count: Count,
    },
    /// In an open vote: a show of hands counted in one college on a resolution. The count
    /// covers every member of the college present, or represented by a member present, whose
    /// vote was not recorded one by one; it must add up to them (those who raised no hand count
    /// as abstaining). One count per college and resolution; the minutes say which resolutions
    /// were counted by a show of hands.
    #[command(
        after_help = "Examples:\n  coop assembly tally ago-2026 1 --college users --for 14 --against 3 --abstain 1\n  coop assembly tally ago-2026 2 --for 27            (no colleges)"
    )]
    Tally {
        /// The assembly.
        assembly: String,
        /// Resolution number.
        resolution: u32,
        #[command(flatten)]
        count: Count,
    },
    /// Results per college and weighted, for every resolution or one.
    #[command(after_help = "Example:\n  coop assembly result ago-2026 2 --json")]
    Result {
        /// The assembly.
        assembly: String,
        /// Only this resolution.
        resolution: Option<u32>,
    },
    /// Close the assembly: nothing more can be recorded; the roll is frozen. The meeting's
    /// officers must be recorded; when a quorum was reached, each of its resolutions was voted
    /// on or is named with --not-put-to-vote (the minutes say so). Without quorum the assembly
    /// closes with no vote, and its minutes say it could not deliberate.
    #[command(after_help = "Examples:\n  coop assembly close ago-2026\n  coop assembly close ago-2026 --not-put-to-vote 4")]
    Close {
        /// The assembly.
        assembly: String,
        /// A resolution the chair did not put to the vote (repeat for several).
        #[arg(long = "not-put-to-vote", value_name = "N")]
        not_put_to_vote: Vec<u32>,
    },
    /// The attendance sheet (feuille de présence), per college, with a signature column.
    #[command(after_help = "Example:\n  coop assembly sheet ago-2026 --format html > sheet.html")]
    Sheet {
        /// The assembly.
        assembly: String,
        /// Markdown or printable HTML.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
        /// Language.
        #[arg(long, value_enum, default_value_t = Lang::Fr)]
        lang: Lang,
    },
    /// The minutes (procès-verbal): convocation, agenda, officers, attendance and quorum, the
    /// summary of debates (--notes), and each resolution's text and result per college and
    /// overall, with the majority it needed in words.
    #[command(after_help = MINUTES_HELP)]
    Minutes {
        /// The assembly.
        assembly: String,
        /// The summary of debates, a TOML file: `summary = "…"` and, under `[resolutions]`,
        /// `1 = "…"` for the debate on resolution 1.
        #[arg(long, value_name = "FILE")]
        notes: Option<PathBuf>,
        /// Markdown or printable HTML.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
        /// Language.
        #[arg(long, value_enum, default_value_t = Lang::Fr)]
        lang: Lang,
    },
}

/// A count of one college's ballots or hands.
#[derive(Args, Debug, Clone)]
pub struct Count {
    /// The college (omit without colleges).
    #[arg(long)]
    pub college: Option<String>,
    /// Voices for.
    #[arg(long = "for", default_value_t = 0)]
    pub r#for: u64,
    /// Voices against.
    #[arg(long, default_value_t = 0)]
    pub against: u64,
    /// Abstentions.
    #[arg(long, default_value_t = 0)]
    pub abstain: u64,
    /// Blank.
    #[arg(long, default_value_t = 0)]
    pub blank: u64,
}

impl Count {
    pub fn tally(&self) -> coop_core::BallotTally {
        coop_core::BallotTally { r#for: self.r#for, against: self.against, abstain: self.abstain, blank: self.blank }
    }
}
