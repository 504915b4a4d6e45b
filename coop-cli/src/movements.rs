//! `coop import movements`: a dated register of movements (admissions, subscriptions, payments,
//! transfers, redemptions, withdrawals, ends, moves) migrated from a spreadsheet, in any row
//! order. Parsing and reporting only: the rows are sorted by date and every one is decided by
//! the core, all in one batch, written all or nothing.

use std::path::Path;
use std::process::ExitCode;

use chrono::NaiveDate;
use coop_core::{Cents, Command, EndCause, MemberNo, MemberRef, PartyKind, Personal};

use crate::{read_sheet, Ctx, Failure, Out};

const COLUMNS: [&str; 13] =
    ["date", "movement", "member", "name", "category", "kind", "count", "class", "amount_euros", "to", "cause", "email", "address"];
/// French column names (and variants), folded (see `sheet::column`).
const ALIASES: [(&str, &str); 12] = [
    ("mouvement", "movement"),
    ("membre", "member"),
    ("numero", "member"),
    ("nom", "name"),
    ("categorie", "category"),
    ("type", "kind"),
    ("nombre", "count"),
    ("classe", "class"),
    ("montant_euros", "amount_euros"),
    ("vers", "to"),
    ("courriel", "email"),
    ("adresse", "address"),
];
const MOVEMENTS: &str = "admit, subscribe, pay, transfer, redeem, withdraw, end, move";

/// At most this many rows in one file.
const MAX_ROWS: usize = 1_000_000;

/// One valid row: its line, its date, the number it gives (an admission) and its command.
#[derive(Debug)]
pub struct Movement {
    pub line: u64,
    pub date: NaiveDate,
    /// For an admission: the number the member has in the migrated register.
    pub admits: Option<u32>,
    pub command: Command,
}

/// Which columns a movement uses, besides `date` and `movement`; the others must be empty.
fn uses(movement: &str) -> Option<&'static [&'static str]> {
    Some(match movement {
        "admit" => &["member", "name", "category", "kind", "count", "class", "amount_euros", "email", "address"],
        "subscribe" => &["member", "count", "class", "amount_euros"],
        "pay" => &["member", "amount_euros"],
        "transfer" => &["member", "to", "count", "class"],
        "redeem" => &["member", "count", "class"],
        "withdraw" => &["member"],
        "end" => &["member", "cause"],
        "move" => &["member", "category"],
        _ => return None,
    })
}

/// Reads the movements CSV. Returns every valid row, or every problem with its line. Pure.
pub fn parse(text: &str) -> Result<Vec<Movement>, Vec<String>> {
    let mut reader = crate::sheet::reader(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| crate::sheet::column(h, &ALIASES)).collect(),
        Err(e) => return Err(vec![format!("line 1: the header row cannot be read: {e}")]),
    };
    let mut problems = Vec::new();
    for h in headers.iter().filter(|h| !COLUMNS.contains(&h.as_str())) {
        let shown: String = h.chars().take(40).collect();
        problems.push(format!("line 1: unknown column '{shown}'; the columns are {}", COLUMNS.join(",")));
    }
    for c in ["date", "movement", "member"] {
        if !headers.iter().any(|h| h == c) {
            problems.push(format!("line 1: the required column '{c}' is missing"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        if i >= MAX_ROWS {
            return Err(vec![format!("more than {MAX_ROWS} rows; split the file")]);
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
        let get = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("").to_string();
        match row(&get) {
            Ok((date, admits, command)) => rows.push(Movement { line, date, admits, command }),
            Err(p) => problems.push(format!("line {line}: {}", p.join("; "))),
        }
        if problems.len() >= 1000 {
            break;
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if rows.is_empty() {
        return Err(vec!["no movement rows after the header".into()]);
    }
    Ok(rows)
}

type Parsed = (NaiveDate, Option<u32>, Command);

fn row(get: &dyn Fn(&str) -> String) -> Result<Parsed, Vec<String>> {
    let mut p = Vec::new();
    let date = crate::sheet::date(&get("date")).map_err(|e| p.push(format!("date: {e}"))).ok();
    let movement = get("movement");
    let Some(used) = uses(&movement) else {
        let shown: String = movement.chars().take(40).collect();
        p.push(format!("movement '{shown}' is not one of {MOVEMENTS}"));
        return Err(p);
    };
    for c in COLUMNS.iter().filter(|c| !["date", "movement"].contains(c) && !used.contains(c)) {
        if !get(c).is_empty() {
            p.push(format!("column '{c}' is not used by '{movement}' and must be empty"));
        }
    }
    let number = |c: &str, p: &mut Vec<String>| -> Option<u32> {
        let t = get(c);
        match t.parse::<u32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                let shown: String = t.chars().take(40).collect();
                p.push(format!("{c} '{shown}' is not a member number"));
                None
            }
        }
    };
    let member = number("member", &mut p);
    let count = |p: &mut Vec<String>, required: bool| -> Option<u64> {
        let t = get("count");
        if t.is_empty() && !required {
            return None;
        }
        match t.parse::<u64>() {
            Ok(n) if (1..=1_000_000_000).contains(&n) => Some(n),
            _ => {
                let shown: String = t.chars().take(40).collect();
                p.push(format!("count '{shown}' is not a whole number of shares from 1 to 1000000000"));
                None
            }
        }
    };
    let amount = |p: &mut Vec<String>| -> Option<Cents> {
        let t = get("amount_euros");
        if t.is_empty() {
            return None;
        }
        t.parse::<Cents>().map_err(|e| p.push(format!("amount_euros: {e}"))).ok()
    };
    let text = |c: &str| Some(get(c)).filter(|v| !v.is_empty());
    let class = text("class");
    let m = |n: Option<u32>| MemberRef::Number(MemberNo(n.unwrap_or(0)));
    let command = match movement.as_str() {
        "admit" => {
            let name = get("name");
            if name.is_empty() {
                p.push("the name is empty".into());
            }
            let category = get("category");
            if category.is_empty() {
                p.push("the category is empty".into());
            }
            let kind = match text("kind") {
                None => Some(PartyKind::Person),
                Some(k) => PartyKind::parse(&k).or_else(|| {
                    p.push(format!("kind '{}' is not person, organisation or public-body", k.chars().take(40).collect::<String>()));
                    None
                }),
            };
            let shares = count(&mut p, false);
            let paid = amount(&mut p);
            Command::Admit {
                personal: Personal { name, email: text("email"), address: text("address") },
                kind: kind.unwrap_or(PartyKind::Person),
                category,
                shares,
                class,
                paid,
            }
        }
        "subscribe" => Command::Subscribe { member: m(member), count: count(&mut p, true).unwrap_or(1), class, paid: amount(&mut p) },
        "pay" => {
            let amount = amount(&mut p);
            if amount.is_none() && !p.iter().any(|x| x.starts_with("amount_euros")) {
                p.push("a payment needs amount_euros".into());
            }
            Command::Pay { member: m(member), amount: amount.unwrap_or(Cents::ZERO) }
        }
        "transfer" => {
            let to = number("to", &mut p);
            Command::Transfer { from: m(member), to: m(to), count: count(&mut p, true).unwrap_or(1), class }
        }
        "redeem" => Command::Redeem { member: m(member), count: count(&mut p, true).unwrap_or(1), class },
        "withdraw" => Command::Withdraw { member: m(member) },
        "end" => {
            let cause = match get("cause").as_str() {
                "death" => Some(EndCause::Death),
                "dissolution" => Some(EndCause::Dissolution),
                "loss-of-quality" => Some(EndCause::LossOfQuality),
                other => {
                    p.push(format!("cause '{}' is not death, dissolution or loss-of-quality", other.chars().take(40).collect::<String>()));
                    None
                }
            };
            Command::End { member: m(member), cause: cause.unwrap_or(EndCause::Death) }
        }
        _ => {
            let category = get("category");
            if category.is_empty() {
                p.push("the category is empty".into());
            }
            Command::Move { member: m(member), category }
        }
    };
    match (p.is_empty(), date) {
        (true, Some(date)) => Ok((date, if movement == "admit" { member } else { None }, command)),
        _ => Err(p),
    }
}

pub fn import(ctx: &Ctx, store: &coop_store::Store, file: &Path) -> Out {
    let text = read_sheet(file, "movements file")?;
    let mut rows = parse(&text).map_err(|problems| {
        let more = if problems.len() >= 1000 { " (the first 1000)" } else { "" };
        Failure::input(format!(
            "{}: {}{more}; nothing was written:\n{}",
            file.display(),
            coop_core::count(problems.len() as u64, "problem", "problems"),
            problems.join("\n")
        ))
    })?;
    // One history in date order; rows of one date in the order of the file.
    rows.sort_by_key(|r| r.date);
    // The migrated register's numbers are the store's: admissions in date order bring the next
    // numbers, one by one.
    let mut next = store.with_state(|s| s.next_number().0)?;
    let mut problems = Vec::new();
    for r in &rows {
        if let Some(n) = r.admits {
            if n != next {
                problems.push(format!(
                    "line {}: the admission on {} brings number {n}, but the register's next number is {next} (admissions in date order number 1, 2, 3…)",
                    r.line, r.date
                ));
            }
            next += 1;
        }
    }
    if !problems.is_empty() {
        return Err(Failure::input(format!(
            "{}: {}; nothing was written:\n{}",
            file.display(),
            coop_core::count(problems.len() as u64, "problem", "problems"),
            problems.join("\n")
        )));
    }
    let n = rows.len();
    let report = crate::import::run_rows(ctx, store, file, rows.into_iter().map(|r| (r.line, r.date, r.command)).collect())?;
    let events = report.events;
    if ctx.cli_json {
        crate::output::json(&serde_json::json!({"movements": n, "events": events, "head": store.head()}))?;
    } else {
        println!(
            "imported {} ({}) from {}",
            coop_core::count(n as u64, "movement", "movements"),
            coop_core::count(events, "event", "events"),
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "date,movement,member,name,category,kind,count,class,amount_euros,to,cause,email\n";

    #[test]
    fn each_movement_reads_its_columns() {
        let text = format!(
            "{HEADER}2017-01-10,admit,1,Camille,employees,,2,,,,,c@example.org\n2018-02-01,subscribe,1,,,,3,,37.50,,,\n2018-03-01,pay,1,,,,,,12.50,,,\n2019-01-01,transfer,1,,,,1,,,2,,\n2019-06-01,redeem,2,,,,1,,,,,\n2020-01-01,withdraw,1,,,,,,,,,\n2020-02-01,end,2,,,,,,,,death,\n2020-03-01,move,3,,beneficiaries,,,,,,,\n"
        );
        let rows = parse(&text).unwrap();
        assert_eq!(rows.len(), 8);
        assert_eq!(rows[0].admits, Some(1));
        assert!(matches!(rows[1].command, Command::Subscribe { count: 3, paid: Some(Cents(3750)), .. }));
        assert!(matches!(rows[3].command, Command::Transfer { to: MemberRef::Number(MemberNo(2)), .. }));
        assert!(matches!(rows[6].command, Command::End { cause: EndCause::Death, .. }));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let text = format!("{HEADER}2017-01-10,admit,1,,employees,,,,,,,\n2018-13-01,pay,1,,,,,,1,,,\n2018-01-01,pay,1,Oops,,,,,1,,,\n2018-01-01,sell,1,,,,,,,,,\n");
        let p = parse(&text).unwrap_err();
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p[0].starts_with("line 2:") && p[0].contains("name is empty"), "{p:?}");
        assert!(p[1].starts_with("line 3:") && p[1].contains("date"), "{p:?}");
        assert!(p[2].contains("'name' is not used by 'pay'"), "{p:?}");
        assert!(p[3].contains("'sell' is not one of"), "{p:?}");
        assert!(parse("date,movement\n").unwrap_err()[0].contains("'member' is missing"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn hostile_text_never_panics(text in "(?s).{0,400}") {
            if let Err(problems) = parse(&text) {
                prop_assert!(!problems.is_empty());
            }
        }
    }
}
