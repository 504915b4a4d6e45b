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
        "{} {}. {} : {}.",
        tr(lang, "Lieu :", "Place:"),
        a.place,
        tr(lang, "Feuille de présence", "Attendance sheet"),
        a.slug
    ))];
    for college in colleges_of(roll, &order) {
        let heading = match &college {
            Some(c) => format!("{} {c}", tr(lang, "Collège", "College")),
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
            .filter(|e| e.college == college)
            .map(|e| {
                let p = coop_core::participation(a, e.member);
                vec![
                    e.member.to_string(),
                    name(e.member),
                    e.category.clone(),
                    a.convocations.get(&e.member).map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                    participation_label(lang, p, name),
                    String::new(),
                ]
            })
            .collect();
        blocks.push(Block::Table(headers, rows));
    }
    blocks.push(Block::H(1, tr(lang, "Totaux et quorum", "Totals and quorum")));
    blocks.push(quorum_table(lang, quorums));
    blocks.push(Block::Signatures(vec![tr(lang, "Le président de séance", "The chair"), tr(lang, "Le secrétaire", "The secretary")]));
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
                q.counted.to_string(),
                format!("{} ({})", q.required, q.fraction),
                if q.reached { tr(lang, "atteint", "reached") } else { tr(lang, "non atteint", "not reached") },
            ]
        })
        .collect();
    Block::Table(headers, rows)
}
