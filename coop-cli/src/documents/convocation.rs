//! A member's convocation, with its proxy and postal voting forms.

use chrono::NaiveDate;
use coop_core::{Assembly, MemberNo, Subject};

use super::*;
use crate::args::Lang;

/// Whom a convocation is addressed to.
pub struct Addressee<'a> {
    pub member: MemberNo,
    pub name: &'a str,
    /// The postal address (members without e-mail are convened by post).
    pub address: Option<&'a str>,
}

/// A member's convocation: addressed to its postal address when it has one (members without
/// e-mail are convened by post), the agenda, how to take part, and the proxy and postal forms.
/// One member's convocation, with a proxy form and a postal voting form.
pub fn convocation(lang: Lang, coop: &str, a: &Assembly, to: &Addressee, postal_deadline: NaiveDate, first: Option<&Assembly>) -> Doc {
    let (member, member_name, address) = (to.member, to.name, to.address);
    let mut blocks = vec![Block::P(format!("{} n° {member} — {member_name}", tr(lang, "Destinataire : membre", "To: member")))];
    if let Some(address) = address.map(str::trim).filter(|a| !a.is_empty()) {
        blocks.push(Block::P(format!("{} {address}", tr(lang, "Adresse postale :", "Postal address:"))));
    }
    blocks.extend([Block::P(match lang {
        Lang::Fr => format!(
            "Vous êtes convoqué(e) à l'assemblée générale {} de {coop}, qui se tiendra {} à l'adresse suivante : {}.",
            kind_label(lang, a.kind),
            meeting_when(lang, a.date, a.time),
            a.place
        ),
        Lang::En => format!(
            "You are convened to the {} general assembly of {coop}, to be held {} at: {}.",
            kind_label(lang, a.kind),
            meeting_when(lang, a.date, a.time),
            a.place
        ),
    })]);
    if a.second_of.is_some() {
        let when = first.map(|f| format!(" {} {}", tr(lang, "du", "of"), date_long(lang, f.date))).unwrap_or_default();
        blocks.push(Block::P(match lang {
            Lang::Fr => format!("Il s'agit d'une seconde convocation, l'assemblée{when} n'ayant pu délibérer faute de quorum."),
            Lang::En => format!("This is a second convocation: the assembly{when} lacked quorum."),
        }));
    }
    blocks.push(Block::H(1, tr(lang, "Ordre du jour", "Agenda")));
    blocks.push(Block::Ordered(
        a.agenda.iter().map(|r| format!("{} ({}){}", r.title, resolution_kind(lang, r.kind), subject_label(lang, r))).collect(),
    ));
    resolution_texts(lang, a, &mut blocks);
    blocks.push(Block::H(1, tr(lang, "Comment participer", "How to take part")));
    blocks.push(Block::List(vec![
        tr(lang, "en personne ou à distance : présentez-vous ou connectez-vous à l'heure de la séance ;", "in person or remotely: come or connect at the time of the meeting;"),
        tr(lang, "en donnant pouvoir à un autre membre (formulaire A) ; un pouvoir sans nom de mandataire vote pour les résolutions agréées par le conseil et contre les autres ;", "by giving a proxy to another member (form A); a proxy naming no holder votes for the resolutions the board approved and against the others;"),
        format!(
            "{} {} {}.",
            tr(lang, "en votant par correspondance : le formulaire doit être reçu au plus tard le", "by postal vote: the form must be received by"),
            date_long(lang, postal_deadline),
            tr(lang, "(formulaire B)", "(form B)")
        ),
    ]));
    blocks.push(Block::H(1, tr(lang, "Formulaire A — Pouvoir", "Form A — Proxy")));
    blocks.push(Block::P(match lang {
        Lang::Fr => format!(
            "Je soussigné(e), {member_name}, membre n° {member}, donne pouvoir à M./Mme ______________________, membre n° _____, de me représenter à l'assemblée générale du {} et de voter en mon nom. (Laisser en blanc pour un pouvoir au président.)",
            date_long(lang, a.date)
        ),
        Lang::En => format!(
            "I, {member_name}, member no. {member}, give proxy to ______________________, member no. _____, to represent me at the general assembly of {} and vote on my behalf. (Leave blank for a proxy to the chair.)",
            date_long(lang, a.date)
        ),
    }));
    blocks.push(Block::Signatures(vec![tr(lang, "Date et signature", "Date and signature")]));
    blocks.push(Block::H(1, tr(lang, "Formulaire B — Vote par correspondance", "Form B — Postal vote")));
    let headers = vec![
        tr(lang, "N°", "No."),
        tr(lang, "Résolution", "Resolution"),
        tr(lang, "Pour", "For"),
        tr(lang, "Contre", "Against"),
        tr(lang, "Abstention", "Abstain"),
    ];
    let rows =
        a.agenda.iter().enumerate().map(|(n, r)| vec![(n + 1).to_string(), r.title.clone(), "☐".into(), "☐".into(), "☐".into()]).collect();
    blocks.push(Block::Table(headers, rows));
    blocks.push(Block::P(tr(
        lang,
        "Une résolution sans case cochée, ou une abstention, n'est pas un suffrage exprimé.",
        "A resolution with no box ticked, or an abstention, is not a vote cast.",
    )));
    blocks.push(Block::Signatures(vec![tr(lang, "Date et signature", "Date and signature")]));
    // The statutes proposed, as recorded in the log when the assembly was convened.
    for (n, r) in a.agenda.iter().enumerate() {
        if let Some(Subject::Amend(p)) = &r.subject {
            blocks.push(Block::H(
                1,
                format!(
                    "{} {} — {} {} (SHA-256 {})",
                    tr(lang, "Annexe : résolution", "Annex: resolution"),
                    n + 1,
                    tr(lang, "texte des statuts proposés,", "text of the proposed statutes,"),
                    p.file,
                    p.sha256
                ),
            ));
            blocks.push(Block::Pre(p.text.clone()));
        }
    }
    Doc { title: format!("{} — {}", tr(lang, "Convocation", "Convocation"), assembly_title(lang, coop, a)), lang, blocks }
}

/// The text of each resolution that has one, in full, under its number and title.
pub(super) fn resolution_texts(lang: Lang, a: &Assembly, blocks: &mut Vec<Block>) {
    if a.agenda.iter().all(|r| r.text.is_empty() && r.allocation.is_none()) {
        return;
    }
    blocks.push(Block::H(1, tr(lang, "Texte des résolutions proposées", "Text of the proposed resolutions")));
    for (n, r) in a.agenda.iter().enumerate().filter(|(_, r)| !r.text.is_empty() || r.allocation.is_some()) {
        blocks.push(Block::H(2, format!("{} {} — {}", tr(lang, "Résolution", "Resolution"), n + 1, r.title)));
        for para in r.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            blocks.push(Block::P(para.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
        if let Some(b) = super::allocation::allocation_block(lang, &a.agenda, n, None) {
            blocks.push(b);
        }
    }
}
