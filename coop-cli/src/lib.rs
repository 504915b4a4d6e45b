//! The `coop` command line: parse arguments, call the library, print. It holds no governance
//! rule: every decision is `coop-core`'s, every write goes through `coop-store`.

mod args;
mod args_assembly;
mod args_bodies;
mod assembly;
mod audit;
mod board;
mod committee;
mod demo;
mod documents;
mod failure;
mod import;
mod keys;
mod log;
mod member_arg;
mod money;
mod movements;
mod officers;
mod output;
mod project;
mod registers;
mod sheet;
mod shell;
mod statutes_show;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Parser;
use coop_core::{Command, EndCause, MemberRef, PartyKind, Personal, State, Statutes};
use coop_store::{Part, Pick, Request, Store};
use serde_json::json;

use args::{CauseArg, Cli, Cmd, ExportCmd, Format, ImportCmd, KindArg, MemberCmd, OfficerCmd, SharesCmd, StatutesCmd};
pub use failure::Failure;
use output::{euros, Table};

type Out = Result<ExitCode, Failure>;

/// Runs the `coop` command line and returns its exit code.
pub fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes away
    // (`coop register | head`), instead of failing on a closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(f) => {
            let mut err = std::io::stderr().lock();
            if json {
                // Scripts read the error as they read the output.
                let _ = writeln!(err, "{}", serde_json::json!({"error": f.message, "exit": f.code, "rule": f.rule}));
            } else {
                let _ = writeln!(err, "coop: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

/// Today's date: from the system clock (see [`today_from`]).
fn today() -> Result<NaiveDate, Failure> {
    today_from(std::env::var("COOP_TODAY").ok(), cfg!(feature = "test-clock"), chrono::Local::now().date_naive())
}

/// Today's date is the system clock's, `clock`. Only a test build (`test_clock`, the
/// `test-clock` feature, which the test suite turns on) takes it from `COOP_TODAY` instead, for
/// reproducible tests: any other build refuses that variable rather than ignore it, so that no
/// one moves "today" (and the end of a retention period) by setting it.
fn today_from(var: Option<String>, test_clock: bool, clock: NaiveDate) -> Result<NaiveDate, Failure> {
    match var {
        None => Ok(clock),
        Some(s) if test_clock => coop_core::parse_date(&s).map_err(|e| Failure::input(format!("COOP_TODAY: {e}"))),
        Some(_) => Err(Failure::input(
            "COOP_TODAY is honoured only by a test build (feature test-clock); today comes from the system clock: unset COOP_TODAY",
        )),
    }
}

struct Ctx {
    cli_json: bool,
    as_of: Option<NaiveDate>,
    known_at: Option<u64>,
    date: Option<NaiveDate>,
    actor: String,
    /// Whether --actor (or COOP_ACTOR) named the actor.
    actor_given: bool,
    command_id: Option<String>,
    today: NaiveDate,
    /// The actor's secret key (--key or COOP_KEY).
    key: Option<coop_store::keys::SecretKey>,
}

impl Ctx {
    /// A command recorded for a meeting (attendance, votes, closing, an exclusion or an
    /// amendment it decided): dated on the meeting's date unless --date says otherwise.
    fn on_meeting(&self, store: &Store, slug: &str, command: Command) -> Request {
        let mut r = self.request(command);
        if self.date.is_none() {
            let part = Part { assemblies: Pick::Only(vec![slug.to_string()]), ..Part::default() };
            if let Some(d) = store.state_part(&part).ok().and_then(|s| s.assemblies.get(slug).map(|a| a.date)) {
                r.date = d;
            }
        }
        r
    }

    fn request(&self, command: Command) -> Request {
        Request {
            command,
            date: self.date.unwrap_or(self.today),
            today: self.today,
            actor: self.actor.clone(),
            command_id: self.command_id.clone(),
            key: self.key.clone(),
        }
    }
}

/// A progress bar on stderr for long operations, only on a terminal and without `--json`.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn on(ctx: &Ctx, store: &Store) -> Bar {
        use std::io::IsTerminal;
        if ctx.cli_json || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len} events ({per_sec}, {eta})")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        let b = bar.clone();
        store.set_progress(Box::new(move |what, done, total| {
            b.set_message(what.to_string());
            b.set_length(total);
            b.set_position(done);
        }));
        Bar(Some(bar))
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn open(path: &Path) -> Result<Store, Failure> {
    open_as(path, coop_store::Options::default())
}

/// Opens the store for a command that writes most of it in one pass (an import, a restore, a
/// repair): sled's cache kept small (see [`coop_store::Options::bulk`]).
fn open_bulk(path: &Path) -> Result<Store, Failure> {
    open_as(path, coop_store::Options::bulk())
}

fn open_as(path: &Path, mut options: coop_store::Options) -> Result<Store, Failure> {
    // Test builds only: checkpoints every few events, so that small histories exercise them.
    if cfg!(feature = "test-clock") {
        if let Some(every) = std::env::var("COOP_CHECKPOINT_EVERY").ok().and_then(|v| v.parse().ok()) {
            options.checkpoint_every = every;
        }
    }
    Ok(Store::open_with(path, options)?)
}

fn open_existing_check(path: &Path) -> Result<(), Failure> {
    // A directory that is not a store (no sled data file in it), or a cooperative a database
    // holds nothing of, is never turned into one.
    if !Store::exists(path)? {
        return Err(Failure::input(format!(
            "no store at {}: create one with `coop init --statutes FILE` or `coop demo`, or pass --store PATH",
            path.display()
        )));
    }
    Ok(())
}

/// Opens an existing store that holds a cooperative.
fn open_existing(path: &Path) -> Result<Store, Failure> {
    open_existing_as(path, open)
}

/// [`open_existing`] for a command that writes much of the store ([`open_bulk`]).
fn open_existing_bulk(path: &Path) -> Result<Store, Failure> {
    open_existing_as(path, open_bulk)
}

fn open_existing_as(path: &Path, open: fn(&Path) -> Result<Store, Failure>) -> Result<Store, Failure> {
    open_existing_check(path)?;
    let store = open(path)?;
    if store.head().seq == 0 {
        return Err(Failure::input(format!("the store at {} holds no cooperative yet: run `coop init --statutes FILE`", path.display())));
    }
    Ok(store)
}

/// A party's name from the personal data kept beside the log, or `(erased)`.
fn party_name(store: &Store, party: coop_core::PartyId) -> String {
    store.personal(party).ok().flatten().map(|p| p.name).unwrap_or_else(|| "(erased)".into())
}

/// At most this much is read of a file given on the command line.
const MAX_FILE: u64 = 16 * 1024 * 1024;

fn read_file(path: &Path, what: &str) -> Result<String, Failure> {
    String::from_utf8(read_bytes(path, what)?).map_err(|_| Failure::input(format!("{what} {} is not UTF-8 text", path.display())))
}

/// A spreadsheet saved as CSV: UTF-8, or Windows-1252 (said on stderr); see `sheet`.
fn read_sheet(path: &Path, what: &str) -> Result<String, Failure> {
    let decoded = sheet::decode(read_bytes(path, what)?);
    if let Some(note) = decoded.note {
        eprintln!("coop: note: {what} {} {note}", path.display());
    }
    Ok(decoded.text)
}

/// The bytes of a file given on the command line, at most 16 MiB.
fn read_bytes(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let cannot = |e: std::io::Error| Failure::input(format!("cannot read {what} {}: {e}", path.display()));
    // The bytes read are capped, not the size the file claims: a device or a pipe says 0.
    let file = std::fs::File::open(path).map_err(cannot)?;
    // Room for what the file says it holds (read once, not grown by doubling), within the cap.
    let claimed = file.metadata().map_or(0, |m| m.len()).min(MAX_FILE + 1);
    let mut bytes = Vec::with_capacity(claimed as usize);
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(Failure::input(format!("{what} {} is over 16 MiB; at most 16 MiB is accepted", path.display())));
    }
    Ok(bytes)
}

fn run(cli: Cli) -> Out {
    check_time_flags(&cli)?;
    let ctx = Ctx {
        cli_json: cli.json,
        as_of: cli.as_of,
        known_at: cli.known_at,
        date: cli.date,
        actor: cli.actor.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| "secretary".into()),
        actor_given: cli.actor.as_ref().is_some_and(|a| !a.trim().is_empty()),
        command_id: cli.command_id.clone(),
        today: today()?,
        key: match &cli.key {
            Some(path) => Some(coop_store::keys::SecretKey::read(path).map_err(|e| Failure::input(e.to_string()))?),
            None => None,
        },
    };
    let default = if matches!(cli.command, Cmd::Demo) { "./coop-demo.db" } else { "./coop.db" };
    let path_buf = cli.store.clone().unwrap_or_else(|| default.into());
    let path = path_buf.as_path();
    match cli.command {
        Cmd::Statutes(StatutesCmd::Check { file }) => statutes_check(&ctx, &file),
        Cmd::Init { name, statutes } => init(&ctx, path, name, &statutes),
        Cmd::Demo => demo::run(path, ctx.today, &ctx.actor, ctx.cli_json),
        Cmd::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "coop", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Man => shell::man(),
        Cmd::Officer(o) => officers::run(&ctx, &open_existing(path)?, o),
        Cmd::Board(b) => board::run(&ctx, &open_existing(path)?, b),
        Cmd::Committee(c) => committee::run(&ctx, &open_existing(path)?, c),
        Cmd::Assembly(a) => assembly::run(&ctx, &open_existing(path)?, a),
        Cmd::Project(p) => project::run(&ctx, &open_existing(path)?, p),
        Cmd::Involvement { member, no_list } => {
            let store = open_existing(path)?;
            let member = member_arg::pick_opt(&ctx, &store, &member)?;
            let out = project::involvement(&ctx, &store, member, !no_list);
            // As the drop of the last handle would, sled's failure to flush is not the report's.
            let _ = store.close_at_exit();
            out
        }
        Cmd::Review => {
            let store = open_existing(path)?;
            let r = store.execute(ctx.request(Command::RecordReview))?;
            written(&ctx, &r, "cooperative review recorded".into())
        }
        Cmd::Statutes(StatutesCmd::Amend { file, assembly, resolution }) => {
            let text = read_file(&file, "statutes file")?;
            let statutes = Statutes::from_toml(&text).map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(|p| format!("{}: {p}", file.display())).collect();
                Failure::input(format!("the statutes are not valid; nothing was written:\n{}", lines.join("\n")))
            })?;
            let store = open_existing(path)?;
            let r = store.execute(ctx.on_meeting(
                &store,
                &assembly,
                Command::Amend {
                    statutes: Box::new(statutes),
                    sha256: Some(coop_core::sha256_hex(text.as_bytes())),
                    assembly: assembly.clone(),
                    resolution,
                },
            ))?;
            written(&ctx, &r, format!("statutes amended by resolution {resolution} of {assembly}"))
        }
        Cmd::Statutes(StatutesCmd::Show) => statutes_show::show(&ctx, &open_existing(path)?),
        Cmd::Member(m) => member(&ctx, &open_existing(path)?, m),
        Cmd::Shares(s) => shares(&ctx, &open_existing(path)?, s),
        Cmd::Capital => capital(&ctx, &open_existing(path)?),
        Cmd::Reimbursements => money::reimbursements(&ctx, &open_existing(path)?),
        Cmd::Reserves => money::reserves(&ctx, &open_existing(path)?),
        Cmd::Register { format, excel } => register(&ctx, &open_existing(path)?, if excel { Format::Excel } else { format }),
        Cmd::Check => check(&ctx, &open_existing(path)?),
        Cmd::Log { from, limit, last, member, types } => {
            let store = open_existing(path)?;
            let member = member_arg::pick_opt(&ctx, &store, &member)?;
            log::log(&ctx, &store, log::LogFilter { from, limit, last, member, types })
        }
        Cmd::Void { seq, reason } => {
            let store = open_existing(path)?;
            let r = store.execute(ctx.request(Command::Void { seq, reason }))?;
            let what = match r.events.first().map(|e| &e.event) {
                Some(coop_core::Event::CommandVoided { first, last, .. }) if first == last => format!("event {first} voided"),
                Some(coop_core::Event::CommandVoided { first, last, .. }) => format!("events {first} to {last} voided"),
                _ => "voided".to_string(),
            };
            written(&ctx, &r, what)
        }
        Cmd::Audit(cmd) => audit::run(&ctx, path, cmd),
        Cmd::Import(ImportCmd::Members { file, allow_duplicates }) => {
            let store = open_existing_bulk(path)?;
            let out = import::members(&ctx, &store, &file, allow_duplicates);
            // The import committed and synced what it wrote; what sled writes after (a
            // checkpoint) is flushed as the drop of the last handle would, its failure not the
            // import's.
            let _ = store.close_at_exit();
            out
        }
        Cmd::Import(ImportCmd::Events { file }) => audit::import_events(&ctx, path, &file),
        Cmd::Import(ImportCmd::Movements { file }) => movements::import(&ctx, &open_existing_bulk(path)?, &file),
        Cmd::Backup { file } => audit::backup(&ctx, &open_existing(path)?, &file),
        Cmd::Restore { file } => audit::restore(&ctx, path, &file),
        Cmd::Export(ExportCmd::Events) => {
            open_existing_check(path)?;
            let store = Store::open_for_audit(path)?;
            let _bar = Bar::on(&ctx, &store);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            store.export_events(&mut out)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Export(ExportCmd::Register { excel }) => {
            register(&ctx, &open_existing(path)?, if excel { Format::Excel } else { Format::Csv })
        }
    }
}

/// "assembly 'x' is not in the log (assemblies: a, b)": bad input naming what exists.
pub(crate) fn not_in_log<'a>(what: &str, plural: &str, slug: &str, known: impl Iterator<Item = &'a String>) -> Failure {
    let known: Vec<&str> = known.map(String::as_str).collect();
    Failure::input(format!(
        "{what} '{slug}' is not in the log ({plural}: {})",
        if known.is_empty() { "none yet".into() } else { known.join(", ") }
    ))
}

fn state_for(ctx: &Ctx, store: &Store) -> Result<State, Failure> {
    state_with(ctx, store, Part::all())
}

/// The state a query needs: the parts `part` names (the statutes and totals always come), read
/// from what the store keeps on disk, or with `--as-of` or `--known-at`, as of that date, as
/// known after that event.
fn state_with(ctx: &Ctx, store: &Store, part: Part) -> Result<State, Failure> {
    Ok(match (ctx.known_at, ctx.as_of) {
        (Some(seq), as_of) => {
            let head = store.head().seq;
            if seq > head {
                return Err(Failure::input(format!("--known-at {seq}: the log holds {head} events")));
            }
            store.state_part_known_at(&part, seq, as_of)?
        }
        (None, Some(d)) => store.state_part_as_of(&part, d)?,
        (None, None) => store.state_part(&part)?,
    })
}

/// What a subcommand does with time: answer a query (as of a date, as known after an event),
/// record a fact (on a legal date), or neither.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Query,
    Record,
    Neither,
}

fn role(cmd: &Cmd) -> Role {
    use args::{AssemblyCmd as A, ProjectCmd as P};
    match cmd {
        Cmd::Shares(SharesCmd::Movements { .. }) => Role::Query,
        Cmd::Init { .. } | Cmd::Shares(_) | Cmd::Review | Cmd::Void { .. } => Role::Record,
        Cmd::Statutes(StatutesCmd::Show) => Role::Query,
        Cmd::Statutes(StatutesCmd::Amend { .. }) => Role::Record,
        Cmd::Member(MemberCmd::List { .. } | MemberCmd::Find { .. } | MemberCmd::Show { .. } | MemberCmd::Certificate { .. }) => {
            Role::Query
        }
        Cmd::Member(_) => Role::Record,
        Cmd::Capital
        | Cmd::Reimbursements
        | Cmd::Reserves
        | Cmd::Register { .. }
        | Cmd::Check
        | Cmd::Involvement { .. }
        | Cmd::Export(ExportCmd::Register { .. }) => Role::Query,
        Cmd::Assembly(A::List | A::Roll { .. } | A::Quorum { .. } | A::Result { .. } | A::Sheet { .. } | A::Minutes { .. }) => Role::Query,
        // Convening takes the meeting's date with --date.
        Cmd::Assembly(_) => Role::Record,
        Cmd::Project(P::List | P::Show { .. }) => Role::Query,
        Cmd::Project(_) => Role::Record,
        Cmd::Officer(OfficerCmd::List) => Role::Query,
        Cmd::Board(args::BoardCmd::List | args::BoardCmd::Meetings | args::BoardCmd::Minutes { .. }) => Role::Query,
        Cmd::Board(_) => Role::Record,
        Cmd::Committee(args::CommitteeCmd::List | args::CommitteeCmd::Show { .. } | args::CommitteeCmd::Minutes { .. }) => Role::Query,
        Cmd::Committee(_) => Role::Record,
        Cmd::Officer(_) => Role::Record,
        Cmd::Statutes(StatutesCmd::Check { .. })
        | Cmd::Log { .. }
        | Cmd::Audit(_)
        | Cmd::Import(_)
        | Cmd::Export(_)
        | Cmd::Demo
        | Cmd::Completions { .. }
        | Cmd::Man
        | Cmd::Backup { .. }
        | Cmd::Restore { .. } => Role::Neither,
    }
}

/// `--as-of` and `--known-at` belong to queries and `--date` to commands: a flag that the
/// subcommand would ignore is a usage error, not a silent surprise.
fn check_time_flags(cli: &Cli) -> Result<(), Failure> {
    let role = role(&cli.command);
    let asked = |flag: &str, what: &str| Failure::input(format!("{flag} {what}"));
    if role != Role::Query {
        if cli.as_of.is_some() {
            return Err(asked(
                "--as-of",
                if role == Role::Record {
                    "answers queries as of a date; a command records a fact on the date given with --date"
                } else {
                    "answers queries (register, capital, member show, …); this subcommand takes no date"
                },
            ));
        }
        if cli.known_at.is_some() {
            return Err(asked("--known-at", "answers queries as the log stood after an event; this subcommand is not a query"));
        }
    }
    if role != Role::Record && cli.date.is_some() {
        return Err(asked(
            "--date",
            if role == Role::Query {
                "is the legal date of what a command records; to ask as of a date, use --as-of"
            } else {
                "is the legal date of what a command records; this subcommand records nothing dated"
            },
        ));
    }
    Ok(())
}

fn statutes_check(ctx: &Ctx, file: &Path) -> Out {
    let text = read_file(file, "statutes file")?;
    match Statutes::from_toml(&text) {
        Ok(s) => {
            if ctx.cli_json {
                output::json(&json!({"ok": true, "problems": [], "statutes": s}))?;
            } else {
                println!(
                    "{}: the statutes of {} are valid ({}, {}, {})",
                    file.display(),
                    s.name,
                    coop_core::count(s.categories.len() as u64, "category", "categories"),
                    coop_core::count(s.colleges.len() as u64, "college", "colleges"),
                    coop_core::count(s.share_classes.len() as u64, "share class", "share classes")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            if ctx.cli_json {
                output::json(&json!({"ok": false, "problems": problems}))?;
                return Ok(ExitCode::from(2));
            }
            let lines: Vec<String> = problems.iter().map(|p| format!("{}: {p}", file.display())).collect();
            Err(Failure::input(format!(
                "{} in the statutes:\n{}",
                coop_core::count(problems.len() as u64, "problem", "problems"),
                lines.join("\n")
            )))
        }
    }
}

fn init(ctx: &Ctx, path: &Path, name: Option<String>, file: &Path) -> Out {
    let text = read_file(file, "statutes file")?;
    let mut statutes = Statutes::from_toml(&text).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("{}: {p}", file.display())).collect();
        Failure::input(format!("the statutes are not valid; nothing was written:\n{}", lines.join("\n")))
    })?;
    if let Some(n) = name {
        statutes.name = n;
    }
    if statutes.name.trim().is_empty() {
        return Err(Failure::input("the cooperative has no name: pass --name or set `name` in the statutes"));
    }
    let store = open(path)?;
    let mut req = ctx.request(Command::Found { statutes: Box::new(statutes.clone()), founder: None });
    req.date = ctx.date.unwrap_or(statutes.founded);
    let receipt = store.execute(req)?;
    if ctx.cli_json {
        output::json(&receipt)?;
    } else {
        println!(
            "created {} at {} ({} statutes adopted on {}, event {})",
            statutes.name,
            path.display(),
            statutes.legal_form,
            receipt.events[0].effective,
            receipt.events[0].seq
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn written(ctx: &Ctx, receipt: &coop_store::Receipt, what: String) -> Out {
    if ctx.cli_json {
        output::json(receipt)?;
    } else {
        let seqs = receipt.seqs().map(|(a, b)| if a == b { format!("event {a}") } else { format!("events {a}-{b}") }).unwrap_or_default();
        let again = if receipt.replayed { " (already recorded under this command id; nothing new written)" } else { "" };
        println!("{what}: {seqs}{again}");
    }
    Ok(ExitCode::SUCCESS)
}

fn member(ctx: &Ctx, store: &Store, cmd: MemberCmd) -> Out {
    match cmd {
        MemberCmd::Admit(a) => {
            let kind = match a.kind {
                KindArg::Person => PartyKind::Person,
                KindArg::Organisation => PartyKind::Organisation,
                KindArg::PublicBody => PartyKind::PublicBody,
            };
            let command = Command::Admit {
                personal: Personal {
                    name: a.name.trim().to_string(),
                    email: a.email.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()),
                    address: a.address.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()),
                },
                kind,
                category: a.category,
                shares: a.shares,
                class: a.class,
                paid: a.paid,
            };
            let r = store.execute(ctx.request(command))?;
            let n = r.admitted().map(|n| n.to_string()).unwrap_or_else(|| "?".into());
            written(ctx, &r, format!("admitted {} as member {n}", a.name.trim()))
        }
        MemberCmd::List { all } => {
            let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
            let rows: Vec<_> = store.register(&state)?.into_iter().filter(|r| all || r.ended.is_none()).collect();
            print_register(&rows, if ctx.cli_json { Format::Json } else { Format::Table })
        }
        MemberCmd::Represent { member, by, email, address } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let blank_is_none = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
            let personal = Personal { name: by.trim().to_string(), email: blank_is_none(email), address: blank_is_none(address) };
            let r = store.execute(ctx.request(Command::Represent { member, personal }))?;
            written(ctx, &r, format!("member {member} is represented by {}", by.trim()))
        }
        MemberCmd::Certificate { member, format, lang } => {
            let member = member_arg::pick(ctx, store, &member)?;
            registers::certificate(ctx, store, member, format, lang)
        }
        MemberCmd::Find { text } => {
            if sheet::fold(&text).is_empty() {
                return Err(Failure::input("member find: give a part of a name or of an e-mail address"));
            }
            let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
            let rows: Vec<_> = member_arg::matching(store, &state, &text)?.into_iter().map(|(r, _)| r).collect();
            if rows.is_empty() && !ctx.cli_json {
                return Err(Failure::input(format!("no member's name or e-mail holds '{text}'")));
            }
            print_register(&rows, if ctx.cli_json { Format::Json } else { Format::Table })
        }
        MemberCmd::Show { member, history } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let state = state_with(ctx, store, member_arg::with_its_projects(store, member)?)?;
            let Some(m) = state.member(member) else {
                return Err(Failure::input(format!("member {member} is not in the register")));
            };
            let mut row = coop_core::register_row(&state, m);
            let personal = store.personal(m.party)?;
            row.name = personal.as_ref().map(|p| p.name.clone());
            let events = if history {
                // The member's events in the order of their dates (then as recorded), up to
                // --as-of and as known after --known-at.
                let last = ctx.known_at.unwrap_or(u64::MAX).min(store.head().seq);
                let mut out = Vec::new();
                let mut from = 1;
                while from <= last {
                    let batch = store.events(from, 10_000)?;
                    from += batch.len() as u64;
                    if batch.is_empty() {
                        break;
                    }
                    out.extend(
                        batch
                            .into_iter()
                            .filter(|e| e.seq <= last && e.event.concerns(m.number) && ctx.as_of.is_none_or(|d| e.effective <= d)),
                    );
                }
                out.sort_by_key(|e| (e.effective, e.seq));
                out
            } else {
                Vec::new()
            };
            let projects = coop_core::member_projects(&state, m.number, ctx.as_of.unwrap_or(ctx.today));
            if ctx.cli_json {
                output::json(
                    &json!({"member": row, "email": personal.as_ref().and_then(|p| p.email.clone()), "address": personal.and_then(|p| p.address), "lots": m.lots, "flagged_since": m.flagged_since,
                    "projects": projects, "history": events}),
                )?;
                return Ok(ExitCode::SUCCESS);
            }
            println!("member {} — {}", row.number, row.name.as_deref().unwrap_or("(name erased or unknown)"));
            println!(
                "id {}; {}; category {}{}",
                row.id,
                row.kind.as_str(),
                row.category,
                row.college.map(|c| format!(", college {c}")).unwrap_or_default()
            );
            println!(
                "admitted {}; status {}{}",
                row.admitted,
                row.status,
                m.ended.map(|e| format!(" ({} on {})", e.cause.as_str(), e.date)).unwrap_or_default()
            );
            if let Some(since) = m.flagged_since {
                println!("flagged: lost the quality of its category on {since}; move it to another category");
            }
            println!("{}: {} subscribed, {} paid", coop_core::count(row.shares, "share", "shares"), row.subscribed_cents, row.paid_cents);
            let mut t = Table::new(vec!["class", "since", "shares", "nominal", "paid"]);
            for l in &m.lots {
                t.push(vec![
                    l.class.to_string(),
                    l.date.to_string(),
                    l.count.to_string(),
                    l.nominal_cents.to_string(),
                    l.paid_cents.to_string(),
                ]);
            }
            print!("{}", t.text());
            if projects.is_empty() {
                println!("takes part in no cooperative project");
            } else {
                println!("projects:");
                project::print_history(&projects);
            }
            if history {
                for e in &events {
                    println!("#{} {} {}", e.seq, e.effective, e.event.describe());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MemberCmd::Forget { member } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let r = store.execute(ctx.request(Command::Forget { member }))?;
            written(ctx, &r, format!("personal data of former member {member} erased"))
        }
        MemberCmd::Edit { member, name, email, address } => {
            if name.is_none() && email.is_none() && address.is_none() {
                return Err(Failure::input("say what to correct: --name, --email or --address"));
            }
            let member = member_arg::pick(ctx, store, &member)?;
            let party = match member {
                MemberRef::Id(id) => Some(id),
                MemberRef::Number(n) => {
                    let part = Part { members: Pick::Only(vec![n]), ..Part::default() };
                    store.state_part(&part)?.members.get(&n).map(|m| m.party)
                }
            };
            let Some(party) = party else {
                return Err(Failure::input(format!("member {member} is not in the register")));
            };
            let current = store.personal(party)?.unwrap_or(Personal { name: String::new(), email: None, address: None });
            let blank_is_none = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
            let personal = Personal {
                name: name.map(|n| n.trim().to_string()).unwrap_or(current.name),
                email: email.map_or(current.email, blank_is_none),
                address: address.map_or(current.address, blank_is_none),
            };
            let r = store.execute(ctx.request(Command::EditMember { member, personal }))?;
            written(ctx, &r, format!("personal data of member {member} corrected"))
        }
        MemberCmd::Exclude { member, assembly, resolution } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let r = store.execute(ctx.on_meeting(store, &assembly, Command::Exclude { member, assembly: assembly.clone(), resolution }))?;
            written(ctx, &r, format!("member {member} excluded by resolution {resolution} of {assembly}"))
        }
        MemberCmd::Move { member, category } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let r = store.execute(ctx.request(Command::Move { member, category: category.clone() }))?;
            written(ctx, &r, format!("member {member} moved to {category}"))
        }
        MemberCmd::Withdraw { member } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let r = store.execute(ctx.request(Command::Withdraw { member }))?;
            let shares = store.with_state(|s| s.member(member).map(|m| m.shares()).unwrap_or(0))?;
            written(
                ctx,
                &r,
                format!(
                    "member {member} withdrew; {} to be redeemed (`coop shares redeem {member} --count {shares}`)",
                    coop_core::count(shares, "share waits", "shares wait")
                ),
            )
        }
        MemberCmd::End { member, cause } => {
            let member = member_arg::pick(ctx, store, &member)?;
            let cause = match cause {
                CauseArg::Death => EndCause::Death,
                CauseArg::Dissolution => EndCause::Dissolution,
                CauseArg::LossOfQuality => EndCause::LossOfQuality,
            };
            let r = store.execute(ctx.request(Command::End { member, cause }))?;
            let what = match r.events.first().map(|e| &e.event) {
                Some(coop_core::Event::QualityLost { .. }) => {
                    format!("member {member} flagged: it lost the quality of its category and must be moved")
                }
                _ => format!("membership of member {member} ended ({})", cause.as_str()),
            };
            written(ctx, &r, what)
        }
    }
}

fn shares(ctx: &Ctx, store: &Store, cmd: SharesCmd) -> Out {
    let pick = |w| member_arg::pick(ctx, store, w);
    let (command, what) = match cmd {
        SharesCmd::Movements { format, lang } => return registers::movements(ctx, store, format, lang),
        SharesCmd::Subscribe { member, count, class, paid } => {
            let member = pick(&member)?;
            (
                Command::Subscribe { member, count, class, paid },
                format!("member {member} subscribed {}", coop_core::count(count, "share", "shares")),
            )
        }
        SharesCmd::Pay { member, amount } => {
            let member = pick(&member)?;
            (Command::Pay { member, amount }, format!("member {member} paid {amount}"))
        }
        SharesCmd::Transfer { from, to, count, class } => {
            let (from, to) = (pick(&from)?, pick(&to)?);
            (
                Command::Transfer { from, to, count, class },
                format!("{} transferred from member {from} to member {to}", coop_core::count(count, "share", "shares")),
            )
        }
        SharesCmd::Redeem { member, count, class } => {
            let member = pick(&member)?;
            (
                Command::Redeem { member, count, class },
                format!("{} of member {member} redeemed", coop_core::count(count, "share", "shares")),
            )
        }
    };
    let r = store.execute(ctx.request(command))?;
    let extra = r
        .events
        .iter()
        .find_map(|e| match &e.event {
            coop_core::Event::SharesRedeemed { reimbursed_cents, .. } => Some(format!(", {reimbursed_cents} to reimburse")),
            _ => None,
        })
        .unwrap_or_default();
    written(ctx, &r, format!("{what}{extra}"))
}

fn capital(ctx: &Ctx, store: &Store) -> Out {
    let state = state_with(ctx, store, Part::default())?;
    let c = coop_core::capital(&state);
    if ctx.cli_json {
        output::json(&c)?;
        return Ok(ExitCode::SUCCESS);
    }
    let when = ctx.as_of.map(|d| format!(" as of {d}")).unwrap_or_default();
    println!("capital{when}");
    let mut t = Table::new(vec!["", "amount"]);
    t.push(vec!["subscribed".into(), c.subscribed_cents.to_string()]);
    t.push(vec!["paid".into(), c.paid_cents.to_string()]);
    t.push(vec!["unpaid".into(), coop_core::Cents(c.subscribed_cents.0 - c.paid_cents.0).to_string()]);
    t.push(vec!["highest ever".into(), c.highest_cents.to_string()]);
    t.push(vec!["floor".into(), c.floor_cents.to_string()]);
    t.push(vec!["public bodies".into(), format!("{} ({:.1} %)", c.public_bodies_cents, c.public_bodies_share * 100.0)]);
    print!("{}", t.text());
    for k in &c.by_class {
        println!("class {}: {}, {}", k.class, coop_core::count(k.shares, "share", "shares"), k.subscribed_cents);
    }
    println!("{}", coop_core::count(c.members as u64, "current member", "current members"));
    Ok(ExitCode::SUCCESS)
}

fn register(ctx: &Ctx, store: &Store, format: Format) -> Out {
    let state = state_with(ctx, store, Part { members: Pick::All, ..Part::default() })?;
    let rows = store.register(&state)?;
    print_register(&rows, if ctx.cli_json { Format::Json } else { format })
}

fn print_register_rows(rows: &[coop_core::RegisterRow]) -> Result<(), Failure> {
    print_register(rows, Format::Table).map(|_| ())
}

fn print_register(rows: &[coop_core::RegisterRow], format: Format) -> Out {
    if format == Format::Json {
        output::json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t =
        Table::new(vec!["number", "name", "kind", "category", "college", "shares", "subscribed", "paid", "admitted", "ended", "status"]);
    for r in rows {
        t.push(vec![
            r.number.to_string(),
            r.name.clone().unwrap_or_else(|| "(erased)".into()),
            r.kind.as_str().into(),
            r.category.clone(),
            r.college.clone().unwrap_or_default(),
            r.shares.to_string(),
            euros(r.subscribed_cents),
            euros(r.paid_cents),
            r.admitted.to_string(),
            r.ended.map(|d| d.to_string()).unwrap_or_default(),
            match r.end_cause {
                Some(c) => format!("ended ({c})"),
                None => r.status.to_string(),
            },
        ]);
    }
    let text = match format {
        Format::Csv => t.csv().map_err(|e| Failure { rule: None, code: 3, message: format!("CSV output failed: {e}") })?,
        Format::Excel => t.csv_excel().map_err(|e| Failure { rule: None, code: 3, message: format!("CSV output failed: {e}") })?,
        Format::Md => t.markdown(),
        _ => t.text(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn check(ctx: &Ctx, store: &Store) -> Out {
    let date = ctx.as_of.unwrap_or(ctx.today);
    let state = state_for(ctx, store)?;
    let findings = coop_core::compliance(&state, date);
    // Who signs their acts: without keys, --actor names whoever acts, unauthenticated.
    let mut signing = Vec::new();
    for key in state.keys.keys() {
        signing.push(store.officer_name(&state, key)?);
    }
    signing.sort();
    if ctx.cli_json {
        output::json(&json!({"date": date, "ok": findings.is_empty(), "findings": findings,
            "acts_authenticated": !signing.is_empty(), "signing_officers": signing}))?;
        return Ok(if findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    if signing.is_empty() {
        println!("acts are not authenticated: no officer signs with a key, so --actor names whoever acts (`coop officer key new NAME`)");
    } else {
        let names: Vec<&str> = signing.iter().map(|s| s.as_str()).collect();
        println!("acts signed with registered keys by: {}", names.join(", "));
    }
    if findings.is_empty() {
        println!("nothing out of line on {date}");
    } else {
        println!("{} {} on {date}:", findings.len(), if findings.len() == 1 { "problem" } else { "problems" });
        for f in &findings {
            let who = if f.members.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} {})",
                    if f.members.len() == 1 { "member" } else { "members" },
                    f.members.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
                )
            };
            println!("- [{}] {}{who}", f.code, f.message);
        }
    }
    Ok(if findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

#[cfg(test)]
mod clock_tests {
    use super::today_from;

    #[test]
    fn today_is_the_clocks_and_only_a_test_build_takes_coop_today() {
        let clock = coop_core::parse_date("2026-11-30").unwrap();
        assert_eq!(today_from(None, false, clock).unwrap(), clock);
        // A release build refuses the variable (exit 2), saying why.
        let e = today_from(Some("2030-01-01".into()), false, clock).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("test build"), "{}", e.message);
        // A test build takes it, and refuses a bad date.
        assert_eq!(today_from(Some("2030-01-01".into()), true, clock).unwrap(), coop_core::parse_date("2030-01-01").unwrap());
        assert_eq!(today_from(Some("soon".into()), true, clock).unwrap_err().code, 2);
    }
}
