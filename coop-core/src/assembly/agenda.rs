//! The agenda file: `[[resolution]]` tables, read with every problem at once.

use crate::statutes::{Problem, Reader, Statutes};
use crate::units::{Cents, MemberNo};

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
        r.unknown_keys(
            t,
            &[
                "title",
                "kind",
                "board_approved",
                "exclude",
                "amend",
                "accounts",
                "text",
                "result_euros",
                "allocate",
                "secret",
                "elect",
                "revoke",
                "office",
                "years",
            ],
            w,
        );
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
        let secret = r.boolean(t, "secret", w).unwrap_or(false);
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
        let result_cents = result(&mut r, t, subject.as_ref());
        let allocation = allocation(&mut r, t, subject.as_ref(), kind);
        if let (Some(title), Some(kind), Some(subject), Some(result_cents), Some(allocation)) =
            (title, kind, subject, result_cents, allocation)
        {
            out.push(Resolution { title: title.trim().to_string(), kind, board_approved, subject, text, result_cents, allocation, secret });
        }
    }
    if tables_empty {
        r.problem(None, "the agenda has no resolution: add [[resolution]] tables with title and kind");
    }
    r.finish(Some(out))
}

/// `result_euros`, beside `accounts = YEAR`: the year's result, negative for a loss.
/// `Some(None)` when absent, `None` after a problem.
fn result(r: &mut Reader, t: &toml_edit::Table, subject: Option<&Option<Subject>>) -> Option<Option<Cents>> {
    let Some(item) = t.get("result_euros") else { return Some(None) };
    let span = item.span();
    if !matches!(subject, Some(Some(Subject::Accounts(_)))) {
        r.problem(span, "'result_euros' goes with 'accounts = YEAR': it is the result of the accounts approved");
        return None;
    }
    let text = match item.as_value() {
        Some(toml_edit::Value::Integer(i)) => i.value().to_string(),
        Some(toml_edit::Value::Float(f)) => format!("{}", f.value()),
        Some(toml_edit::Value::String(s)) => s.value().trim().to_string(),
        _ => String::new(),
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    match digits.parse::<Cents>() {
        Ok(c) => Some(Some(if negative { Cents(-c.0) } else { c })),
        Err(_) => {
            r.problem(span, "'result_euros' is the year's result in euros, such as 12500.50, or -3200 for a loss");
            None
        }
    }
}

/// `allocate = { legal_reserve = …, statutory_reserve = …, interest = …, carried_forward = … }`,
/// in euros: how an ordinary resolution shares out the surplus. `Some(None)` when absent.
fn allocation(
    r: &mut Reader,
    t: &toml_edit::Table,
    subject: Option<&Option<Subject>>,
    kind: Option<ResolutionKind>,
) -> Option<Option<crate::money::Allocation>> {
    let Some(item) = t.get("allocate") else { return Some(None) };
    let span = item.span();
    let table = match (item.as_table(), item.as_inline_table()) {
        (Some(tab), _) => tab.clone(),
        (None, Some(inline)) => inline.clone().into_table(),
        _ => {
            r.problem(span, "'allocate' is a table: allocate = { legal_reserve = 1500, statutory_reserve = 4250, interest = 0, carried_forward = 4250 }");
            return None;
        }
    };
    if matches!(subject, Some(Some(_))) {
        r.problem(span, "a resolution decides one thing: an allocation is a resolution of its own, after the one approving the accounts");
        return None;
    }
    if kind == Some(ResolutionKind::Extraordinary) {
        r.problem(span, "'allocate' is decided by an ordinary resolution: set kind = \"ordinary\"");
        return None;
    }
    let w = "an allocate table";
    r.unknown_keys(&table, &["legal_reserve", "statutory_reserve", "interest", "carried_forward"], w);
    let mut part = |key: &str| r.euros(&table, key, w).unwrap_or(Cents::ZERO);
    Some(Some(crate::money::Allocation {
        legal_reserve_cents: part("legal_reserve"),
        statutory_reserve_cents: part("statutory_reserve"),
        interest_cents: part("interest"),
        carried_forward_cents: part("carried_forward"),
    }))
}

/// The subject key of one resolution: `Some(None)` when it has none, `None` after a problem.
fn subject(
    r: &mut Reader,
    t: &toml_edit::Table,
    kind: Option<ResolutionKind>,
    read: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Option<Option<Subject>> {
    let keys: Vec<&str> = ["exclude", "amend", "accounts", "elect", "revoke"].into_iter().filter(|k| t.contains_key(k)).collect();
    for k in ["office", "years"] {
        let fits = keys == ["elect"] || (k == "office" && keys == ["revoke"]);
        if t.contains_key(k) && !fits {
            let with = if k == "office" { "'elect = [MEMBER, ...]' or 'revoke = [MEMBER, ...]'" } else { "'elect = [MEMBER, ...]'" };
            r.problem(t.get(k).and_then(|i| i.span()), format!("'{k}' goes with {with}"));
            return None;
        }
    }
    let w = "a [[resolution]]";
    let span = |k: &str| t.get(k).and_then(|i| i.span());
    match keys.as_slice() {
        [] => Some(None),
        [_, _, ..] => {
            r.problem(t.span(), format!("a resolution decides one thing: it has {} (keep one)", keys.join(" and ")));
            None
        }
        [key] => {
            let needs =
                if matches!(*key, "accounts" | "elect" | "revoke") { ResolutionKind::Ordinary } else { ResolutionKind::Extraordinary };
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
                "elect" => {
                    let members: Option<Vec<MemberNo>> = t.get("elect").and_then(|i| i.as_array()).map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_integer().filter(|n| (1..=u32::MAX as i64).contains(n)).map(|n| MemberNo(n as u32)))
                            .collect()
                    });
                    let count = t.get("elect").and_then(|i| i.as_array()).map_or(0, |a| a.len());
                    let office = match t.get("office").and_then(|i| i.as_str()).unwrap_or("board") {
                        "board" => Some(crate::statutes::Office::Board),
                        "chair" => Some(crate::statutes::Office::Chair),
                        "manager" => Some(crate::statutes::Office::Manager),
                        other => {
                            r.problem(span("office"), format!("office '{other}' is not one an assembly elects: board, chair or manager"));
                            None
                        }
                    };
                    let years = match t.get("years") {
                        None => Some(6),
                        Some(i) => match i.as_integer() {
                            Some(y) if (1..=99).contains(&y) => Some(y as u32),
                            _ => {
                                r.problem(span("years"), "'years' is the mandate in whole years, such as years = 6");
                                None
                            }
                        },
                    };
                    match (members, office, years) {
                        (Some(members), Some(office), Some(years)) if members.len() == count && !members.is_empty() => {
                            Some(Some(Subject::Elect(crate::bodies::Election { members, office, years })))
                        }
                        (_, Some(_), Some(_)) => {
                            r.problem(span("elect"), "'elect' lists the numbers of the members elected, such as elect = [12, 31]");
                            None
                        }
                        _ => None,
                    }
                }
                "revoke" => {
                    let list = t.get("revoke").and_then(|i| i.as_array());
                    let members: Vec<MemberNo> = list
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_integer().filter(|n| (1..=u32::MAX as i64).contains(n)).map(|n| MemberNo(n as u32)))
                                .collect()
                        })
                        .unwrap_or_default();
                    let office = match t.get("office").and_then(|i| i.as_str()).unwrap_or("board") {
                        "board" => Some(crate::statutes::Office::Board),
                        "chair" => Some(crate::statutes::Office::Chair),
                        "manager" => Some(crate::statutes::Office::Manager),
                        other => {
                            r.problem(span("office"), format!("office '{other}' is not one an assembly revokes: board, chair or manager"));
                            None
                        }
                    };
                    match office {
                        Some(office) if !members.is_empty() && list.is_some_and(|a| a.len() == members.len()) => {
                            Some(Some(Subject::Revoke(crate::bodies::Revocation { members, office })))
                        }
                        Some(_) => {
                            r.problem(
                                span("revoke"),
                                "'revoke' lists the numbers of the members whose mandate ends, such as revoke = [12]",
                            );
                            None
                        }
                        None => None,
                    }
                }
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
