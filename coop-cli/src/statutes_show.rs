//! `coop statutes show`: every setting of the statutes in force, under the names the statutes
//! file uses, with what each means, so that a secretary can check one against the other.

use std::process::ExitCode;

use coop_core::Statutes;
use coop_store::Store;
use serde::Serialize;
use serde_json::json;

use crate::output::{self, Table};
use crate::{state_for, Ctx, Failure, Out};

/// A serde enum's name as the statutes file writes it (`flag`, `cast`).
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".into(),
    }
}

pub fn show(ctx: &Ctx, store: &Store) -> Out {
    let state = state_for(ctx, store)?;
    let Some(s) = state.statutes.as_ref() else {
        return Err(Failure::input("no statutes were in force on that date"));
    };
    if ctx.cli_json {
        output::json(&json!({"since": state.statutes_since, "statutes": s}))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} ({}, SCIC), founded {}; statutes in force since {}\n",
        s.name,
        s.legal_form,
        s.founded,
        state.statutes_since.map(|d| d.to_string()).unwrap_or_default()
    );
    print!("{}", settings(s).text());
    println!();
    let mut t = Table::new(vec!["share class", "nominal"]);
    for c in &s.share_classes {
        t.push(vec![c.code.clone(), c.nominal_cents.to_string()]);
    }
    print!("{}", t.text());
    println!();
    if s.colleges.is_empty() {
        println!("no colleges: one member, one vote\n");
    } else {
        let mut t = Table::new(vec!["college", "name", "weight_percent", "share of the votes"]);
        for c in &s.colleges {
            t.push(vec![
                c.code.clone(),
                c.name.clone().unwrap_or_default(),
                c.weight_percent.map(|w| w.to_string()).unwrap_or_else(|| "(equal)".into()),
                format!("{:.1} %", s.college_weight(&c.code).unwrap_or_default()),
            ]);
        }
        print!("{}", t.text());
        println!();
    }
    let mut t = Table::new(vec!["category", "role", "college", "class", "min_shares"]);
    for c in &s.categories {
        t.push(vec![
            c.code.clone(),
            c.role.as_str().into(),
            c.college.clone().unwrap_or_default(),
            c.class.clone(),
            c.min_shares.to_string(),
        ]);
    }
    print!("{}", t.text());
    println!();
    let mut t = Table::new(vec!["permission", "who may", "what it covers"]);
    for (action, what) in coop_core::ACTIONS {
        let who: Vec<String> = s.permissions.0.get(action).into_iter().flatten().map(|e| e.as_str().to_string()).collect();
        t.push(vec![action.to_string(), who.join(", "), what.to_string()]);
    }
    print!("{}", t.text());
    Ok(ExitCode::SUCCESS)
}

/// The settings of `[capital]`, `[assembly]` and `[members]`, defaults included.
fn settings(s: &Statutes) -> Table {
    let a = &s.assembly;
    let pair = |p: [coop_core::Fraction; 2]| format!("{} first, {} second convocation", p[0], p[1]);
    let bases = |p: [coop_core::MajorityBase; 2]| format!("{} first, {} second convocation", p[0].as_str(), p[1].as_str());
    let rows: Vec<[String; 3]> = vec![
        [
            "[capital] floor_fraction".into(),
            s.capital.floor_fraction.to_string(),
            "capital may not fall below this share of the highest reached".into(),
        ],
        ["[capital] minimum_euros".into(), s.capital.minimum_cents.to_string(), "statutory minimum capital".into()],
        [
            "[capital] public_bodies_max_percent".into(),
            format!("{} %", s.capital.public_bodies_max_percent),
            "public bodies' share of the capital, at most".into(),
        ],
        match s.capital.reimbursement_delay_months {
            Some(m) => {
                ["[capital] reimbursement_delay_months".into(), m.to_string(), "delay to reimburse a leaving member, in months".into()]
            }
            None => [
                "[capital] reimbursement_delay_days".into(),
                s.capital.reimbursement_delay_days.to_string(),
                "delay to reimburse a leaving member, in days".into(),
            ],
        },
        [
            "[capital] interest_rate_cap_percent".into(),
            s.capital
                .interest_rate_cap_bp
                .map_or_else(|| "(none: no interest on shares)".into(), |bp| format!("{}.{:02} %", bp / 100, bp % 100)),
            "cap on the rate of interest paid on shares".into(),
        ],
        ["[assembly] notice_days".into(), a.notice_days.to_string(), "notice on first convocation, in days".into()],
        ["[assembly] notice_days_second".into(), a.notice_days_second.to_string(), "notice on second convocation, in days".into()],
        ["[assembly] quorum_ordinary".into(), pair(a.quorum_ordinary), "members counted, as a share of the roll".into()],
        ["[assembly] quorum_extraordinary".into(), pair(a.quorum_extraordinary), "members counted, as a share of the roll".into()],
        ["[assembly] majority_ordinary".into(), a.majority_ordinary.to_string(), "share of for needed".into()],
        ["[assembly] majority_extraordinary".into(), a.majority_extraordinary.to_string(), "share of for needed".into()],
        ["[assembly] majority_base_ordinary".into(), bases(a.majority_base_ordinary), "what the share of for is counted among".into()],
        [
            "[assembly] majority_base_extraordinary".into(),
            bases(a.majority_base_extraordinary),
            "what the share of for is counted among".into(),
        ],
        ["[assembly] college_method".into(), name(&a.college_method), "how a college's votes count in the weighted result".into()],
        [
            "[assembly] max_proxies_per_holder".into(),
            match (a.max_proxies_fraction, a.max_proxies_per_holder) {
                (Some(f), _) => format!("\"{f}\" of the members on the roll (at least 1)"),
                (None, 0) => "0 (no cap)".into(),
                (None, n) => n.to_string(),
            },
            "proxies one member may hold".into(),
        ],
        [
            "[assembly] college_block_threshold".into(),
            a.college_block_threshold.map_or_else(|| "(none)".into(), |f| f.to_string()),
            "with college_method = \"block\": the weight of the colleges for a resolution that adopts it".into(),
        ],
        [
            "[assembly] quorum_by_college".into(),
            a.quorum_by_college.to_string(),
            "the quorum is a share of each college's members, weighted by the college".into(),
        ],
        [
            "[assembly] proxies_same_college".into(),
            a.proxies_same_college.to_string(),
            "proxies only between members of one college".into(),
        ],
        [
            "[assembly] postal_days_before".into(),
            a.postal_days_before.to_string(),
            "postal forms count if received this many days before".into(),
        ],
        [
            "[assembly] financial_year_end".into(),
            format!("{:02}-{:02}", a.financial_year_end.0, a.financial_year_end.1),
            "the annual assembly meets within six months of it".into(),
        ],
        [
            "[assembly] secret_ballot".into(),
            a.secret_ballot.to_string(),
            "votes are secret: voters marked, ballots counted per college".into(),
        ],
        [
            "[assembly] roll_cutoff_days".into(),
            a.roll_cutoff_days.map_or_else(|| "(none)".into(), |d| d.to_string()),
            "the roll closes this many days before the meeting (none: on the convening date)".into(),
        ],
        ["[assembly] attendance_revokes_proxy".into(), a.attendance_revokes_proxy.to_string(), "attending revokes one's own proxy".into()],
        ["[assembly] remote_attendance".into(), a.remote_attendance.to_string(), "members may attend remotely and count as present".into()],
        [
            "[board] mandate_years".into(),
            s.board.mandate_years.to_string(),
            "the longest mandate an assembly elects for (6 in an SA)".into(),
        ],
        [
            "[board] min_members / max_members".into(),
            format!(
                "{} / {}",
                s.board.min_members.map_or("(any)".into(), |x| x.to_string()),
                s.board.max_members.map_or("(any)".into(), |x| x.to_string())
            ),
            "the board's size (3 to 18 in an SA)".into(),
        ],
        [
            "[members] loss_of_quality".into(),
            name(&s.members.loss_of_quality),
            "a member who loses its category's quality is flagged, or leaves".into(),
        ],
        [
            "[members] retention_days".into(),
            s.members.retention_days.to_string(),
            "personal data kept this long after a member leaves".into(),
        ],
    ];
    let mut t = Table::new(vec!["setting", "value", "meaning"]);
    for r in rows {
        t.push(r.to_vec());
    }
    t
}
