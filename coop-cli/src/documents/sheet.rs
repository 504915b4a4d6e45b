//! The attendance sheet (feuille de présence), and the quorum table the minutes share.

use coop_core::{Assembly, MemberNo, Quorum, RollEntry, Statutes};

use super::*;
use crate::args::Lang;

/// The attendance sheet: per college, each member on the roll, how it takes part, when its
/// convocation was sent, and a signature column.
pub fn sheet(
    lang: Lang,
    statutes: &Statutes,
    a: &Assembly,
    roll: &[RollEntry],
    quorums: &[Quorum],
    name: &dyn Fn(MemberNo) -> String,
) -> Doc {
    let coop = statutes.name.as_str();
    let order: Vec<String> = statutes.colleges.iter().map(|c| c.code.clone()).collect();
    let mut blocks = vec![Block::P(format!(
        "{} {}. {} {}.",
        tr(lang, "Lieu :", "Place:"),
        a.place,
        tr(lang, "Séance tenue", "Meeting held"),
        meeting_when(lang, a.date, a.time)
    ))];
    // Until the assembly is closed, a member with nothing recorded is not yet absent: the
    // column is left for the day.
    let closed = a.closed_on.is_some();
    for college in colleges_of(roll, &order) {
        let heading = match &college {
            Some(c) => match statutes.colleges.iter().find(|x| &x.code == c).and_then(|x| x.name.clone()) {
                Some(name) => name,
                None => format!("{} {c}", tr(lang, "Collège", "College")),
            },
            None => tr(lang, "Membres", "Members"),
        };
        blocks.push(Block::H(1, heading));
        let headers = vec![
            tr(lang, "N°", "No."),
            tr(lang, "Nom", "Name"),
            tr(lang, "Catégorie", "Category"),
            tr(lang, "Convocation envoyée le", "Convocation sent"),
            tr(lang, "Participation", "Participation"),
            tr(lang, "Signature", "Signature"),
        ];
        let rows = roll
            .iter()
            .filter(|e| e.college.as_deref() == college.as_deref())
            .map(|e| {
                let p = coop_core::participation(a, e.member);
                vec![
                    e.member.to_string(),
                    name(e.member),
                    e.category.to_string(),
                    a.convocations.get(&e.member).map(|d| date_long(lang, *d)).unwrap_or_else(|| "—".into()),
                    match p {
                        coop_core::Participation::Absent if !closed => String::new(),
                        p => participation_label(lang, p, name),
                    },
                    String::new(),
                ]
            })
            .collect();
        blocks.push(Block::Table(headers, rows));
    }
    blocks.push(Block::H(1, tr(lang, "Totaux et quorum", "Totals and quorum")));
    blocks.push(quorum_table(lang, quorums));
    blocks.push(Block::P(tr(
        lang,
        "Certifiée exacte par le bureau de l'assemblée :",
        "Certified correct by the officers of the assembly:",
    )));
    blocks.push(Block::Signatures(officer_signatures(lang, a, name)));
    Doc { title: format!("{} — {}", tr(lang, "Feuille de présence", "Attendance sheet"), assembly_title(lang, coop, a)), lang, blocks }
}

pub(super) fn quorum_table(lang: Lang, quorums: &[Quorum]) -> Block {
    let headers = vec![
        tr(lang, "Résolutions", "Resolutions"),
        tr(lang, "Inscrits", "On the roll"),
        tr(lang, "Présents", "Present"),
        tr(lang, "Représentés", "Represented"),
        tr(lang, "Par correspondance", "By post"),
        tr(lang, "Comptés", "Counted"),
        tr(lang, "Requis", "Required"),
        tr(lang, "Quorum", "Quorum"),
    ];
    let rows = quorums
        .iter()
        .map(|q| {
            vec![
                kind_label(lang, q.kind),
                q.eligible.to_string(),
                q.present.to_string(),
                q.represented.to_string(),
                q.postal.to_string(),
                match q.weighted_share.as_deref().and_then(|w| w.split_once('/')) {
                    // A quorum weighted by college: the weighted share is what counts.
                    Some((n, d)) => format!(
                        "{} ({} {})",
                        q.counted,
                        tr(lang, "pondéré par collège :", "weighted by college:"),
                        pct(lang, n.parse::<f64>().unwrap_or(0.0) * 100.0 / d.parse::<f64>().unwrap_or(1.0).max(1.0), 2)
                    ),
                    None => q.counted.to_string(),
                },
                format!("{} ({} {})", q.required, q.fraction, tr(lang, "des inscrits", "of the roll")),
                if q.reached { tr(lang, "atteint", "reached") } else { tr(lang, "non atteint", "not reached") },
            ]
        })
        .collect();
    Block::Table(headers, rows)
}

/// Signature lines of the meeting's officers, by name once they are recorded: the chair, the
/// secretary and each teller.
pub(super) fn officer_signatures(lang: Lang, a: &Assembly, name: &dyn Fn(MemberNo) -> String) -> Vec<String> {
    match &a.officers {
        None => vec![
            tr(lang, "Le président de séance", "The chair"),
            tr(lang, "Le secrétaire", "The secretary"),
            tr(lang, "Le scrutateur", "The teller"),
        ],
        Some(o) => {
            let mut out = vec![
                format!("{} — {}", tr(lang, "Le président de séance", "The chair"), name(o.chair)),
                format!("{} — {}", tr(lang, "Le secrétaire", "The secretary"), name(o.secretary)),
            ];
            out.extend(o.scrutineers.iter().map(|s| format!("{} — {}", tr(lang, "Le scrutateur", "The teller"), name(*s))));
            out
        }
    }
}
