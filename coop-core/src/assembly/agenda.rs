//! The agenda file: `[[resolution]]` tables, read with every problem at once.

use crate::statutes::{Problem, Reader, Statutes};
use crate::units::MemberNo;

use super::{sha256_hex, Proposal, Resolution, ResolutionKind, Subject, MAX_RESOLUTIONS};

/// Reads an agenda file: `[[resolution]]` tables with `title`, `kind`, `board_approved`, and at
/// most one subject key (`exclude = 28`, `amend = "FILE"`, `accounts = 2025`). Returns every
/// problem at once, with lines.
///
/// An agenda naming a statutes file (`amend`) needs it read: use [`parse_agenda_with`].
pub fn parse_agenda(text: &str) -> Result<Vec<Resolution>, Vec<Problem>> {
    parse_agenda_with(text, &mut |file: &str| Err(format!("'{file}' cannot be read here: read the agenda with parse_agenda_with")))
}

/// Reads an agenda file as [`parse_agenda`] does, calling `read` for the text of each statutes
/// file an `amend` key names (a path relative to the agenda, as written). The text must be valid
/// statutes; its SHA-256 and the text itself are kept in the resolution.
pub fn parse_agenda_with(text: &str, read: &mut dyn FnMut(&str) -> Result<String, String>) -> Result<Vec<Resolution>, Vec<Problem>> {
    let mut r = Reader::new(text);
    let Some(doc) = r.parse() else { return r.finish(None) };
    let root = doc.as_table();
    r.unknown_keys(root, &["resolution"], "the agenda");
    let tables = r.tables(root, "resolution");
    if tables.len() > MAX_RESOLUTIONS {
        r.problem(None, format!("the agenda has {} resolutions; at most {MAX_RESOLUTIONS} are accepted", tables.len()));
        return r.finish(None);
    }
    let tables_empty = tables.is_empty();
    let mut out = Vec::new();
    for t in tables {
        let w = "a [[resolution]]";
        r.unknown_keys(t, &["title", "kind", "board_approved", "exclude", "amend", "accounts", "text"], w);
        let title = r.string(t, "title", w, true);
        let kind_span = t.get("kind").and_then(|i| i.span());
        let kind = match r.string(t, "kind", w, true) {
            Some(k) => match ResolutionKind::parse(&k) {
                Some(k) => Some(k),
                None => {
                    r.problem(kind_span, format!("kind '{k}' is not ordinary or extraordinary"));
                    None
                }
            },
            None => None,
        };
        let board_approved = r.boolean(t, "board_approved", w).unwrap_or(true);
        if let Some(title) = &title {
            if title.trim().is_empty() || title.chars().count() > 500 {
                r.problem(t.span(), "a resolution's title must be 1 to 500 characters");
            }
        }
        let text = r.string(t, "text", w, false).map(|x| x.trim().to_string()).unwrap_or_default();
        if text.chars().count() > 20_000 {
            r.problem(t.get("text").and_then(|i| i.span()), "a resolution's text must be at most 20,000 characters");
        }
        let subject = subject(&mut r, t, kind, read);
        if let (Some(title), Some(kind), Some(subject)) = (title, kind, subject) {
            out.push(Resolution { title: title.trim().to_string(), kind, board_approved, subject, text });
        }
    }
    if tables_empty {
        r.problem(None, "the agenda has no resolution: add [[resolution]] tables with title and kind");
    }
    r.finish(Some(out))
}

/// The subject key of one resolution: `Some(None)` when it has none, `None` after a problem.
fn subject(
    r: &mut Reader,
    t: &toml_edit::Table,
    kind: Option<ResolutionKind>,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Option<Option<Subject>> {
    let keys: Vec<&str> = ["exclude", "amend", "accounts"].into_iter().filter(|k| t.contains_key(k)).collect();
    let w = "a [[resolution]]";
    let span = |k: &str| t.get(k).and_then(|i| i.span());
    match keys.as_slice() {
        [] => Some(None),
        [_, _, ..] => {
            r.problem(t.span(), format!("a resolution decides one thing: it has {} (keep one)", keys.join(" and ")));
            None
        }
        [key] => {
            let needs = if *key == "accounts" { ResolutionKind::Ordinary } else { ResolutionKind::Extraordinary };
            if kind.is_some_and(|k| k != needs) {
                r.problem(span(key), format!("'{key}' is decided by an {} resolution: set kind = \"{}\"", needs.as_str(), needs.as_str()));
                return None;
            }
            match *key {
                "exclude" => match t.get("exclude").and_then(|i| i.as_integer()) {
                    Some(n) if (1..=u32::MAX as i64).contains(&n) => Some(Some(Subject::Exclude(MemberNo(n as u32)))),
                    _ => {
                        r.problem(span("exclude"), "'exclude' is the number of the member excluded, such as exclude = 28");
                        None
                    }
                },
                "accounts" => match t.get("accounts").and_then(|i| i.as_integer()) {
                    Some(y) if (1900..=2200).contains(&y) => Some(Some(Subject::Accounts(y as i32))),
                    _ => {
                        r.problem(span("accounts"), "'accounts' is the year the financial year ends in, such as accounts = 2025");
                        None
                    }
                },
                _ => {
                    let file = r.string(t, "amend", w, true)?;
                    let text = match read(&file) {
                        Ok(text) => text,
                        Err(e) => {
                            r.problem(span("amend"), format!("the statutes file '{file}' cannot be read: {e}"));
                            return None;
                        }
                    };
                    if let Err(problems) = Statutes::from_toml(&text) {
                        let first: Vec<String> = problems.iter().take(3).map(|p| p.to_string()).collect();
                        r.problem(
                            span("amend"),
                            format!(
                                "the statutes file '{file}' is not valid statutes ({}: {})",
                                crate::units::count(problems.len() as u64, "problem", "problems"),
                                first.join("; ")
                            ),
                        );
                        return None;
                    }
                    Some(Some(Subject::Amend(Proposal { file, sha256: sha256_hex(text.as_bytes()), text })))
                }
            }
        }
    }
}
