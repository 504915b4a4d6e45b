//! `coop import members`: a register kept in a spreadsheet, read as CSV.
//! Parsing and reporting only; every admission is decided by the core, all in one batch.

use std::path::Path;
use std::process::ExitCode;

use coop_core::{Cents, Command, PartyKind, Personal};
use coop_store::Error as StoreError;

use crate::{read_file, Ctx, Failure, Out};

const REQUIRED: [&str; 4] = ["name", "category", "shares", "admitted"];
const OPTIONAL: [&str; 4] = ["kind", "class", "paid_euros", "email"];

/// At most this many rows in one import (a register of 100,000 members fits).
const MAX_ROWS: usize = 200_000;

pub fn members(ctx: &Ctx, store: &coop_store::Store, file: &Path) -> Out {
    let text = read_file(file, "members file")?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| Failure::input(format!("{}: the header row cannot be read: {e}", file.display())))?.clone();
    let mut problems: Vec<String> = Vec::new();
    let col = |name: &str| headers.iter().position(|h| h == name);
    for h in headers.iter() {
        if !REQUIRED.contains(&h) && !OPTIONAL.contains(&h) {
            problems.push(format!("line 1: unknown column '{h}'; accepted columns: {}, {}", REQUIRED.join(", "), OPTIONAL.join(", ")));
        }
    }
    for r in REQUIRED {
        if col(r).is_none() {
            problems.push(format!("line 1: the required column '{r}' is missing"));
        }
    }
    if !problems.is_empty() {
        return Err(Failure::input(format!("{}: {}; nothing was written", file.display(), problems.join("; "))));
    }
    let get = |rec: &csv::StringRecord, name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("").to_string();
    let mut requests = Vec::new();
    let mut lines = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(Failure::input(format!("{}: more than {MAX_ROWS} rows; split the file", file.display())));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                problems.push(format!("line {line}: {}", csv_reason(&e)));
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
        let shares = get(&rec, "shares");
        let shares = match shares.parse::<u64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                row_problems.push(format!("shares '{shares}' is not a whole number of at least 1"));
                None
            }
        };
        let admitted = match coop_core::parse_date(&get(&rec, "admitted")) {
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
                row_problems.push(format!("kind '{kind_text}' is not person, organisation or public-body"));
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
        if !row_problems.is_empty() {
            problems.push(format!("line {line}: {}", row_problems.join("; ")));
            continue;
        }
        if let (Some(shares), Some(admitted), Some(kind)) = (shares, admitted, kind) {
            let mut req =
                ctx.request(Command::Admit { personal: Personal { name, email }, kind, category, shares: Some(shares), class, paid });
            req.date = admitted;
            req.command_id = ctx.command_id.as_ref().map(|id| format!("{id}/{line}"));
            requests.push(req);
            lines.push(line);
        }
    }
    if !problems.is_empty() {
        return Err(Failure::input(format!(
            "{}: {} bad rows; nothing was written:\n{}",
            file.display(),
            problems.len(),
            problems.join("\n")
        )));
    }
    if requests.is_empty() {
        return Err(Failure::input(format!("{}: no member rows after the header", file.display())));
    }
    let n = requests.len();
    match store.execute_all(requests) {
        Ok(receipts) => {
            let first = receipts.iter().find_map(|r| r.admitted());
            let last = receipts.iter().rev().find_map(|r| r.admitted());
            if ctx.cli_json {
                crate::output::json(&serde_json::json!({"imported": n, "first_number": first, "last_number": last, "head": store.head()}))?;
            } else {
                println!(
                    "imported {n} members (numbers {}-{}) from {}",
                    first.map(|x| x.to_string()).unwrap_or_default(),
                    last.map(|x| x.to_string()).unwrap_or_default(),
                    file.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::BatchRefused(refusals)) => {
            let bad_input = refusals.iter().any(|(_, r)| r.rule.is_bad_input());
            let text: Vec<String> = refusals.iter().map(|(i, r)| format!("line {}: {r}", lines[*i])).collect();
            let message = format!("{}: {} rows refused; nothing was written:\n{}", file.display(), refusals.len(), text.join("\n"));
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
