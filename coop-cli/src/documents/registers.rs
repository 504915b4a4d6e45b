//! The register of share movements and the share certificate, as documents.

use chrono::NaiveDate;
use coop_core::{Member, MemberNo, Movement, MovementKind, Statutes};

use super::*;
use crate::args::Lang;

fn kind(lang: Lang, k: MovementKind) -> String {
    match k {
        MovementKind::Subscription => tr(lang, "souscription", "subscription"),
        MovementKind::Payment => tr(lang, "libération", "payment"),
        MovementKind::Transfer => tr(lang, "cession", "transfer"),
        MovementKind::Redemption => tr(lang, "remboursement", "redemption"),
    }
}

/// The chronological register of share movements, numbered, as of `date`.
pub fn share_movements(lang: Lang, coop: &str, date: NaiveDate, rows: &[Movement], name: &dyn Fn(MemberNo) -> String) -> Doc {
    let mut blocks = vec![Block::P(match lang {
        Lang::Fr => format!(
            "Registre chronologique des mouvements de parts sociales de {coop}, société coopérative d'intérêt collectif à capital variable, arrêté au {}.",
            date_long(lang, date)
        ),
        Lang::En => format!(
            "Chronological register of the share movements of {coop}, a variable-capital société coopérative d'intérêt collectif, as of {}.",
            date_long(lang, date)
        ),
    })];
    let headers = vec![
        tr(lang, "N°", "No."),
        tr(lang, "Date", "Date"),
        tr(lang, "Mouvement", "Movement"),
        tr(lang, "Membre", "Member"),
        tr(lang, "Classe", "Class"),
        tr(lang, "Parts", "Shares"),
        tr(lang, "Montant", "Amount"),
        tr(lang, "Capital souscrit après", "Subscribed capital after"),
        tr(lang, "Capital libéré après", "Paid-up capital after"),
    ];
    let table = rows
        .iter()
        .map(|m| {
            let who = match m.to {
                Some(to) => format!("{} {} → {} {}", m.member, name(m.member), to, name(to)),
                None => format!("{} {}", m.member, name(m.member)),
            };
            let amount = match m.reimbursed_cents {
                Some(r) => format!("{} ({} {})", euros(lang, m.amount_cents), tr(lang, "remboursé", "reimbursed"), euros(lang, r)),
                None => euros(lang, m.amount_cents),
            };
            vec![
                m.number.to_string(),
                date_long(lang, m.date),
                kind(lang, m.kind),
                who,
                m.class.clone().unwrap_or_default(),
                if m.kind == MovementKind::Payment { String::new() } else { m.shares.to_string() },
                amount,
                euros(lang, m.capital_after_cents),
                euros(lang, m.paid_after_cents),
            ]
        })
        .collect();
    blocks.push(Block::Table(headers, table));
    let title = tr(lang, "Registre des mouvements de parts", "Register of share movements");
    Doc { title: format!("{title} — {coop}"), lang, blocks }
}

/// A member's share certificate as of `date`.
pub fn certificate(lang: Lang, statutes: &Statutes, m: &Member, name: &str, date: NaiveDate) -> Doc {
    let coop = &statutes.name;
    let mut blocks = vec![Block::P(match lang {
        Lang::Fr => format!(
            "{coop}, société coopérative d'intérêt collectif {} à capital variable, certifie que {name}, membre n° {} (catégorie {}), admis le {}, détient au {} les parts sociales suivantes :",
            legal_form_words(lang, statutes.legal_form),
            m.number,
            m.category_on(date),
            date_long(lang, m.admitted),
            date_long(lang, date)
        ),
        Lang::En => format!(
            "{coop}, a variable-capital société coopérative d'intérêt collectif ({}), certifies that {name}, member no. {} (category {}), admitted on {}, holds on {} the following shares:",
            legal_form_words(lang, statutes.legal_form),
            m.number,
            m.category_on(date),
            date_long(lang, m.admitted),
            date_long(lang, date)
        ),
    })];
    let headers = vec![
        tr(lang, "Classe", "Class"),
        tr(lang, "Depuis le", "Since"),
        tr(lang, "Parts", "Shares"),
        tr(lang, "Valeur nominale", "Nominal value"),
        tr(lang, "Montant souscrit", "Subscribed"),
        tr(lang, "Montant libéré", "Paid up"),
    ];
    let mut rows: Vec<Vec<String>> = m
        .lots
        .iter()
        .map(|l| {
            vec![
                l.class.to_string(),
                date_long(lang, l.date),
                l.count.to_string(),
                euros(lang, l.nominal_cents),
                euros(lang, l.subscribed()),
                euros(lang, l.paid_cents),
            ]
        })
        .collect();
    rows.push(vec![
        tr(lang, "Total", "Total"),
        String::new(),
        m.shares().to_string(),
        String::new(),
        euros(lang, m.subscribed()),
        euros(lang, m.paid()),
    ]);
    blocks.push(Block::Table(headers, rows));
    if let Some(e) = &m.ended {
        blocks.push(Block::P(format!(
            "{} {} ({}) ; {}",
            tr(lang, "Membre sorti le", "Left on"),
            date_long(lang, e.date),
            e.cause.as_str(),
            tr(lang, "ses parts attendent leur remboursement.", "its shares await their reimbursement.")
        )));
    }
    blocks.push(Block::P(tr(
        lang,
        "Ce certificat n'est pas un titre négociable : les parts sociales ne se cèdent qu'avec l'agrément prévu par les statuts.",
        "This certificate is not a negotiable security: shares pass only with the approval the statutes require.",
    )));
    blocks.push(Block::Signatures(vec![tr(lang, "Pour le conseil, le président", "For the board, the chair")]));
    let title = tr(lang, "Certificat de parts sociales", "Share certificate");
    Doc { title: format!("{title} — {coop} — {name}"), lang, blocks }
}
