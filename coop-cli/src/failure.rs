//! What a failed command reports: its exit code (from the library's `ErrorKind`), its message,
//! the rule that refused it, and the command-line hints that go with the library's rules and
//! remedies (the library's messages name no command of ours).

use coop_core::Rule;
use coop_store::{Error as StoreError, ErrorKind};

/// A failure to report: a message for stderr and an exit code.
#[derive(Debug)]
pub struct Failure {
    /// 1 refused by a rule, 2 bad input, 3 storage or integrity.
    pub code: u8,
    /// One sentence (or one line per problem).
    pub message: String,
    /// The rule that refused the command, by its stable name, when one did.
    pub rule: Option<String>,
}

impl Failure {
    pub(crate) fn input(message: impl Into<String>) -> Failure {
        Failure { rule: None, code: 2, message: message.into() }
    }
    pub(crate) fn rule(message: impl Into<String>) -> Failure {
        Failure { rule: None, code: 1, message: message.into() }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        let code = match e.kind() {
            ErrorKind::Refused => 1,
            ErrorKind::BadInput | ErrorKind::CommandIdReused => 2,
            // Busy, storage, integrity, a newer coop's log, and whatever kinds come later.
            _ => 3,
        };
        let rules: Vec<Rule> = match &e {
            StoreError::Refused(r) => vec![r.rule],
            StoreError::BatchRefused(v) => v.iter().map(|(_, r)| r.rule).collect(),
            _ => Vec::new(),
        };
        let mut message = e.to_string();
        let rule = rules.first().map(|r| r.to_string());
        let mut hints: Vec<&str> = rules.into_iter().filter_map(hint).collect();
        hints.dedup();
        hints.extend(e.remedy().map(remedy_hint));
        if matches!(e, StoreError::NotEmpty(_)) {
            hints.push("give a new store with --store PATH");
        }
        for h in hints {
            message.push_str(&format!("\nhint: {h}"));
        }
        Failure { rule, code, message }
    }
}

/// The command that does what the library says an operator can do about a damaged store.
pub(crate) fn remedy_hint(remedy: coop_store::Remedy) -> &'static str {
    match remedy {
        coop_store::Remedy::AcceptHead => "once the head is checked, accept it with `coop audit verify --accept-head`",
        coop_store::Remedy::Repair => "rebuild the kept state from the log with `coop audit repair`",
        _ => "restore the store from a backup (`coop --store NEW restore FILE`) or an export (`coop --store NEW import events FILE`)",
    }
}

/// What to do at the command line about a refusal: the library's messages say what is wrong,
/// the command line says which of its commands helps.
fn hint(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::NotFounded => "create the cooperative with `coop init --statutes FILE`",
        Rule::NotEntitled => {
            "see who may act with `coop officer list`: the founders' secretary until an assembly elects the board, then its members (acting under their own name), the chair and the secretary the board appointed; act as one with --actor"
        }
        Rule::ElectedOffice => "see `coop board --help`: `coop board elect` carries out an election, `coop board meeting` records the board's",
        Rule::BoardQuorum => "list at least half of the board's members with --present (see `coop board list`)",
        Rule::UnsignedAct => "give the officer's key with --key FILE (or COOP_KEY); `coop officer key new NAME` makes and registers one",
        Rule::KindNotAllowed => "give the party's kind with --kind person, organisation or public-body",
        Rule::MeetingOfficers => "record them with `coop assembly officers SLUG --chair N --secretary N` (and --scrutineer N)",
        Rule::NotVotedOn => {
            "close with `coop assembly close SLUG --not-put-to-vote N` for each resolution the chair did not put to the vote"
        }
        _ => return None,
    })
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure { rule: None, code: 3, message: format!("output failed: {e}") }
    }
}
