//! `coop import members`: a register kept in a spreadsheet, read as CSV.
//! Parsing and reporting only; every admission is decided by the core, all in one batch.

use std::path::Path;
use std::process::ExitCode;

use std::collections::HashMap;

use coop_core::{Cents, Command, MemberNo, PartyKind, Personal};
use coop_store::{Error as StoreError, Part, Pick};

use crate::{read_sheet, Ctx, Failure, Out};

const REQUIRED: [&str; 4] = ["name", "category", "shares", "admitted"];
const OPTIONAL: [&str; 5] = ["kind", "class", "paid_euros", "email", "address"];

/// French column names (and variants) a register kept in a French spreadsheet uses, folded (see
/// `sheet::column`).
const ALIASES: [(&str, &str); 14] = [
    ("nom", "name"),
    ("categorie", "category"),
    ("parts", "shares"),
    ("nombre_de_parts", "shares"),
    ("admission", "admitted"),
    ("date_d'admission", "admitted"),
    ("date_admission", "admitted"),
    ("type", "kind"),
    ("classe", "class"),
    ("verse_euros", "paid_euros"),
    ("courriel", "email"),
    ("e_mail", "email"),
    ("mail", "email"),
    ("adresse", "address"),
];

/// At most this many rows in one import (a register of 100,000 members fits).
const MAX_ROWS: usize = 200_000;

/// One valid row of the spreadsheet: its line and the admission it asks for.
#[derive(Debug)]
pub struct Row {
    pub line: u64,
    pub admitted: chrono::NaiveDate,
    pub command: Command,
}

/// Reads the members CSV. Returns every valid row, or every problem (with its line) if any row
/// is malformed. Pure: no store, no file.
pub fn parse(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let mut reader = crate::sheet::reader(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| crate::sheet::column(h, &ALIASES)).collect(),
        Err(e) => return Err(vec![format!("line 1: the header row cannot be read: {}", csv_reason(&e))]),
    };
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut problems: Vec<String> = Vec::new();
    let col = |name: &str| headers.iter().position(|h| *h == name);
    let unknown: Vec<String> = headers
        .iter()
        .filter(|h| !REQUIRED.contains(*h) && !OPTIONAL.contains(*h))
        .map(|h| format!("'{}'", h.chars().take(40).collect::<String>()))
        .collect();
    if !unknown.is_empty() {
        let more = if unknown.len() > 10 { format!(" and {} more", unknown.len() - 10) } else { String::new() };
        problems.push(format!(
            "line 1: unknown column{} {}{more}; accepted columns: {}, {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown[..unknown.len().min(10)].join(", "),
            REQUIRED.join(", "),
            OPTIONAL.join(", ")
        ));
    }
    for r in REQUIRED {
        if col(r).is_none() {
            problems.push(format!("line 1: the required column '{r}' is missing"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let get = |rec: &csv::StringRecord, name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("").to_string();
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(vec![format!("more than {MAX_ROWS} rows; split the file")]);
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                problems.push(format!("line {line}: {}", csv_reason(&e)));
                if problems.len() >= 1000 {
                    break;
                }
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
        let mut row_problems = Vec::new();
        let name = get(&rec, "name");
        let category = get(&rec, "category");
        if name.is_empty() {
            row_problems.push("the name is empty".to_string());
        }
        if category.is_empty() {
            row_problems.push("the category is empty".to_string());
        }
        let shares_text = get(&rec, "shares");
        let shares = match shares_text.parse::<u64>() {
            Ok(n) if (1..=1_000_000_000).contains(&n) => Some(n),
            _ => {
                let shown: String = shares_text.chars().take(40).collect();
                row_problems.push(format!("shares '{shown}' is not a whole number from 1 to 1000000000"));
                None
            }
        };
        let admitted = match crate::sheet::date(&get(&rec, "admitted")) {
            Ok(d) => Some(d),
            Err(e) => {
                row_problems.push(format!("admitted: {e}"));
                None
            }
        };
        let kind_text = get(&rec, "kind");
        let kind = if kind_text.is_empty() {
            Some(PartyKind::Person)
        } else {
            let k = PartyKind::parse(&kind_text);
            if k.is_none() {
                let shown: String = kind_text.chars().take(40).collect();
                row_problems.push(format!("kind '{shown}' is not person, organisation or public-body"));
            }
            k
        };
        let paid_text = get(&rec, "paid_euros");
        let paid = if paid_text.is_empty() {
            None
        } else {
            match paid_text.parse::<Cents>() {
                Ok(c) => Some(c),
                Err(e) => {
                    row_problems.push(format!("paid_euros: {e}"));
                    None
                }
            }
        };
        let class = Some(get(&rec, "class")).filter(|c| !c.is_empty());
        let email = Some(get(&rec, "email")).filter(|c| !c.is_empty());
        let address = Some(get(&rec, "address")).filter(|c| !c.is_empty());
        if !row_problems.is_empty() {
            problems.push(format!("line {line}: {}", row_problems.join("; ")));
            if problems.len() >= 1000 {
                break;
            }
            continue;
        }
        if let (Some(shares), Some(admitted), Some(kind)) = (shares, admitted, kind) {
            let command = Command::Admit { personal: Personal { name, email, address }, kind, category, shares: Some(shares), class, paid };
            rows.push(Row { line, admitted, command });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if rows.is_empty() {
        return Err(vec!["no member rows after the header".into()]);
    }
    Ok(rows)
}

/// Rows that repeat a member already in the store: same name, e-mail and admission date.
fn duplicates(store: &coop_store::Store, rows: &[Row]) -> Result<Vec<String>, Failure> {
    let state = store.state_part(&Part { members: Pick::All, ..Part::default() })?;
    let mut known: HashMap<(String, Option<String>, chrono::NaiveDate), MemberNo> = HashMap::new();
    for m in state.members.values() {
        if let Some(p) = store.personal(m.party)? {
            known.insert((p.name, p.email, m.admitted), m.number);
        }
    }
    Ok(rows
        .iter()
        .filter_map(|r| {
            let Command::Admit { personal, .. } = &r.command else { return None };
            let n = known.get(&(personal.name.clone(), personal.email.clone(), r.admitted))?;
            Some(format!("line {}: {} admitted on {} is already member {n}", r.line, personal.name, r.admitted))
        })
        .collect())
}

pub fn members(ctx: &Ctx, store: &coop_store::Store, file: &Path, allow_duplicates: bool) -> Out {
    let text = read_sheet(file, "members file")?;
    let parsed = parse(&text);
    // The rows own what they read: the file is not held while they are decided.
    drop(text);
    let mut rows = parsed.map_err(|problems| {
        let more = if problems.len() >= 1000 { " (the first 1000)" } else { "" };
        Failure::input(format!(
            "{}: {}{more}; nothing was written:\n{}",
            file.display(),
            coop_core::count(problems.len() as u64, "problem", "problems"),
            problems.join("\n")
        ))
    })?;
    if !allow_duplicates {
        let dups = duplicates(store, &rows)?;
        if !dups.is_empty() {
            let shown = dups.iter().take(20).cloned().collect::<Vec<_>>().join("\n");
            return Err(Failure::input(format!(
                "{}: {} members already in the store (was the file imported before?); nothing was written; import them anyway with --allow-duplicates:\n{shown}",
                file.display(),
                coop_core::count(dups.len() as u64, "row repeats", "rows repeat")
            )));
        }
    }
    // Admitted in the order of their dates (members of one date in the order of the file), so
    // that numbers follow admissions and each admission is decided as of its date.
    rows.sort_by_key(|r| r.admitted);
    let n = rows.len();
    let report = run_rows(ctx, store, file, rows.into_iter().map(|r| (r.line, r.admitted, r.command)).collect())?;
    let first = report.admitted.first();
    let last = report.admitted.last();
    if ctx.cli_json {
        crate::output::json(&serde_json::json!({"imported": n, "first_number": first, "last_number": last, "head": store.head()}))?;
    } else {
        println!(
            "imported {} (numbers {}-{}) from {}",
            coop_core::count(n as u64, "member", "members"),
            first.map(|x| x.to_string()).unwrap_or_default(),
            last.map(|x| x.to_string()).unwrap_or_default(),
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// How many refused rows an import lists.
const SHOWN: usize = 50;

/// Runs the rows of a spreadsheet (line, date, command) as one batch, in their order, each dated
/// as its row says: every refused row is reported with its line, and nothing is written unless
/// all are accepted.
pub fn run_rows(
    ctx: &Ctx,
    store: &coop_store::Store,
    file: &Path,
    rows: Vec<(u64, chrono::NaiveDate, Command)>,
) -> Result<coop_store::BatchReport, Failure> {
    let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
    let requests: Vec<_> = rows
        .into_iter()
        .map(|(line, date, command)| {
            let mut req = ctx.request(command);
            req.date = date;
            req.command_id = ctx.command_id.as_ref().map(|id| format!("{id}/{line}"));
            req
        })
        .collect();
    match store.execute_batch(requests) {
        Ok(report) => Ok(report),
        Err(StoreError::BatchRefused(refusals)) => {
            let bad_input = refusals.iter().any(|(_, r)| r.rule.is_bad_input());
            // The first ones, in the file's order: a register dated wrong throughout would
            // otherwise fill the terminal with the same sentence.
            let mut refusals = refusals;
            refusals.sort_by_key(|(i, _)| lines[*i]);
            let mut text: Vec<String> = refusals.iter().take(SHOWN).map(|(i, r)| format!("line {}: {r}", lines[*i])).collect();
            if refusals.len() > SHOWN {
                let more = refusals.len() - SHOWN;
                text.push(format!("… and {more} more {} (the first {SHOWN} are listed)", if more == 1 { "row" } else { "rows" }));
            }
            let message = format!(
                "{}: {} refused; nothing was written:\n{}",
                file.display(),
                coop_core::count(refusals.len() as u64, "row", "rows"),
                text.join("\n")
            );
            Err(if bad_input { Failure::input(message) } else { Failure::rule(message) })
        }
        Err(e) => Err(e.into()),
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_good_file_gives_rows_with_their_lines() {
        let rows = parse("name,category,shares,admitted\n\"Dupont, Marie\",employees,2,2020-01-01\nB,users,1,2021-02-03\n").unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn ragged_rows_and_bad_headers_are_reported_by_line() {
        let p = parse("name,category,shares,admitted\nA,employees,1\nB,employees,1,2020-01-01,extra\n").unwrap_err();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("line 2: 3 fields where the header has 4"), "{p:?}");
        assert!(parse("").is_err());
        assert!(parse("name\n").unwrap_err().iter().any(|p| p.contains("'shares' is missing")));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Whatever the bytes, the parser answers rows or problems, never a panic, and a problem
        /// always names a line (or the file).
        #[test]
        fn hostile_csv_never_panics(text in "(?s).{0,400}") {
            if let Err(problems) = parse(&text) {
                prop_assert!(!problems.is_empty());
            }
        }

        #[test]
        fn mutated_good_files_never_panic(pos in 0usize..200, junk in "(?s).{0,12}") {
            let good = "name,category,shares,admitted,kind,class,paid_euros,email\nCamille Martin,employees,1,2016-07-01,person,A,50,c@example.org\nDomaine,businesses,4,2017-03-15,organisation,,,\n";
            let cut = pos.min(good.len());
            let cut = (0..=cut).rev().find(|i| good.is_char_boundary(*i)).unwrap_or(0);
            let text = format!("{}{junk}{}", &good[..cut], &good[cut..]);
            let _ = parse(&text);
        }
    }
}
