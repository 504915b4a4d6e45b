//! `coop board …` and `coop committee …`: their subcommands, arguments and help.

use clap::{Args, Subcommand};

use crate::args::{member, DocFormat, Lang, MemberArg, WhoArg};

const MEETING_HELP: &str = "Examples:
  coop board meeting ca-2026-06 --date 2026-06-27 --present 1 --present 4 --present 7 \\
      --decision \"Le conseil arrête le calendrier de ses réunions.\" --chair 1 --secretary \"Inès Roux\"
  coop board meeting ca-2026-09 --date 2026-09-10 --present 1,4,10 \\
      --decision \"Le conseil agrée l'admission de la Commune de Montval.\" \\
      --decision \"Le conseil agrée la cession de 2 parts de Transports Bourgeois à Garage Vuillermoz.\"

At least half of the board's members are present (L. 225-37 of the Commercial Code); only
members of the board on --date sit. The chair is a board member and a natural person, elected
until the end of their board mandate (L. 225-47); the chair before steps down. The secretary the
board appoints keeps the roster from then on, in place of the one before. Decisions are numbered
in the minutes in the order given, the chair's election and the secretary's appointment last.";

#[derive(Subcommand, Debug)]
pub enum BoardCmd {
    /// The board on --as-of (default today): each member holding a mandate from an election,
    /// from when, until when, and the resolution that elected it.
    #[command(after_help = "Examples:\n  coop board list\n  coop --as-of 2030-01-01 board list --json")]
    List,
    /// Carry out the election or the revocation an adopted resolution of a closed assembly
    /// decided (`elect = [12, 31]` with `office = "board"` and `years = 6`, or `revoke = [12]`):
    /// from --date (default the meeting's date) each member it names holds the office for the
    /// mandate, or no longer holds it. Once only. The first election ends the offices the
    /// founders gave by hand: from then on the board acts, and appoints its secretary at a meeting.
    #[command(
        after_help = "Examples:\n  coop board elect --assembly ago-2026 --resolution 3\n  coop board elect --assembly ago-2027 --resolution 5 --date 2027-06-20"
    )]
    Elect {
        /// The assembly that decided it.
        #[arg(long)]
        assembly: String,
        /// The resolution.
        #[arg(long)]
        resolution: u32,
    },
    /// A member resigns from the board (and from the chair with it) or from the chair only,
    /// from --date. `coop check` then flags a board smaller than the statutes ask.
    #[command(
        after_help = "Examples:\n  coop board resign 10 --date 2027-01-31\n  coop board resign \"Chloé Humbert\" --office chair --date 2027-03-01"
    )]
    Resign {
        /// Member number, ULID or name.
        #[arg(value_parser = member)]
        member: MemberArg,
        /// The office resigned: board or chair.
        #[arg(long, default_value = "board", value_parser = ["board", "chair"])]
        office: String,
    },
    /// Record a board meeting on --date: who was present, its decisions, and the chair it
    /// elected and the secretary it appointed.
    #[command(after_help = MEETING_HELP)]
    Meeting {
        /// The meeting's slug (unique among assemblies and meetings), such as ca-2026-06.
        slug: String,
        /// Board members present (number, ULID or name; repeat, or separate numbers by commas).
        #[arg(long, value_delimiter = ',', required = true)]
        present: Vec<String>,
        /// A decision as the minutes word it (repeat for each, in order).
        #[arg(long)]
        decision: Vec<String>,
        /// The board member elected chair.
        #[arg(long, value_parser = member)]
        chair: Option<MemberArg>,
        /// The member appointed secretary.
        #[arg(long, value_parser = member)]
        secretary: Option<MemberArg>,
    },
    /// The board's meetings: date, who was present, the decisions.
    #[command(after_help = "Examples:\n  coop board meetings\n  coop board meetings --json")]
    Meetings,
    /// The minutes of a board meeting: the members present and the quorum, each decision
    /// numbered, the chair elected and the secretary appointed, the signatures.
    #[command(
        after_help = "Examples:\n  coop board minutes ca-2026-06\n  coop board minutes ca-2026-06 --format html --lang en > ca.html"
    )]
    Minutes {
        /// The meeting's slug.
        meeting: String,
        #[command(flatten)]
        doc: DocArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum CommitteeCmd {
    /// Set up a committee on --date, for the cooperative or for a project (--project).
    #[command(
        after_help = "Examples:\n  coop committee create recrutement-maraichers --name \"Commission de recrutement des maraîchers\" --project maraichage --date 2026-07-01\n  coop committee create copil-pat --name \"Comité de pilotage du PAT\""
    )]
    Create {
        /// Slug.
        slug: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The project it serves.
        #[arg(long)]
        project: Option<String>,
    },
    /// A member, or a partner by name (recorded on its first seat), takes a seat on --date.
    #[command(
        after_help = "Examples:\n  coop committee join recrutement-maraichers \"Commune de Montval\" --role \"commune propriétaire des terres\"\n  coop committee join recrutement-maraichers --partner \"Chambre d'agriculture du Jura\" --role \"chambre consulaire\""
    )]
    Join {
        /// The committee.
        committee: String,
        #[command(flatten)]
        who: WhoArg,
        /// Their role on it.
        #[arg(long)]
        role: String,
    },
    /// A member or partner leaves the committee on --date.
    #[command(
        after_help = "Example:\n  coop committee leave recrutement-maraichers --partner \"Terre de Liens Franche-Comté\" --date 2027-01-10"
    )]
    Leave {
        /// The committee.
        committee: String,
        #[command(flatten)]
        who: WhoArg,
    },
    /// Record a committee meeting on --date: who was present (members and partners sitting on
    /// it) and its decisions, numbered in the order given.
    #[command(
        after_help = "Example:\n  coop committee meeting recrutement-maraichers recrutement-2026-09 --date 2026-09-15 \\\n      --present \"Commune de Montval\" --partner \"Terre de Liens Franche-Comté\" \\\n      --decision \"La commission retient deux candidats pour les parcelles des Grands Prés.\""
    )]
    Meeting {
        /// The committee.
        committee: String,
        /// The meeting's slug (unique among assemblies and meetings).
        slug: String,
        /// Members present (number, ULID or name; repeat).
        #[arg(long)]
        present: Vec<String>,
        /// Partners present, by name (repeat).
        #[arg(long)]
        partner: Vec<String>,
        /// A decision as the minutes word it (repeat for each, in order).
        #[arg(long, required = true)]
        decision: Vec<String>,
    },
    /// The committees on --as-of: name, project, seats held, meetings.
    #[command(after_help = "Examples:\n  coop committee list\n  coop committee list --json")]
    List,
    /// One committee: who sits on it with which role, from when, and its meetings.
    #[command(after_help = "Example:\n  coop committee show recrutement-maraichers")]
    Show {
        /// The committee.
        committee: String,
    },
    /// The minutes of a committee meeting.
    #[command(after_help = "Example:\n  coop committee minutes recrutement-2026-09 --format html > commission.html")]
    Minutes {
        /// The meeting's slug.
        meeting: String,
        #[command(flatten)]
        doc: DocArgs,
    },
}

/// How a document is written: its format and its language.
#[derive(Args, Debug, Clone, Copy)]
pub struct DocArgs {
    /// Markdown or printable HTML.
    #[arg(long, value_enum, default_value_t = DocFormat::Md)]
    pub format: DocFormat,
    /// Language.
    #[arg(long, value_enum, default_value_t = Lang::Fr)]
    pub lang: Lang,
}
