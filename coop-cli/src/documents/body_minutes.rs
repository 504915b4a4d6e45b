//! The minutes of a board or committee meeting: the body, the date, who was present (and, for
//! the board, its members and the quorum), each decision numbered, the chair elected and the
//! secretary appointed, the signatures.

use coop_core::bodies::{Body, Meeting};
use coop_core::{MemberNo, Participant, State};

use super::{date_long, tr, Block, Doc};
use crate::args::Lang;

/// What the minutes need besides the meeting: its body's name, the board on the day (for the
/// board), and names.
pub struct BodyMinutesInput<'a> {
    /// The cooperative's name.
    pub coop: &'a str,
    /// `None` for the board, the committee otherwise.
    pub committee: Option<&'a Body>,
    /// The board's members on the meeting's date (for the board).
    pub board: Vec<MemberNo>,
    /// The meeting.
    pub meeting: &'a Meeting,
    /// The name of a member or partner.
    pub name: &'a dyn Fn(Participant) -> String,
}

pub fn body_minutes(lang: Lang, state: &State, input: &BodyMinutesInput) -> Doc {
    let m = input.meeting;
    let name = input.name;
    let body = match input.committee {
        None => tr(lang, "Conseil d'administration", "Board of directors"),
        Some(c) => c.name.clone(),
    };
    let title =
        format!("{} — {} {}", body, tr(lang, "procès-verbal de la réunion du", "minutes of the meeting of"), date_long(lang, m.date));
    let mut intro = format!("{} {} {}", input.coop, tr(lang, "— réunion", "— meeting"), m.slug);
    if let Some(p) = input.committee.and_then(|c| c.project.as_ref()) {
        intro.push_str(&format!("{} {p}", tr(lang, " ; commission constituée pour le projet", "; committee set up for project")));
    }
    intro.push('.');
    let mut blocks = vec![Block::P(intro)];
    blocks.push(Block::H(1, tr(lang, "Présents", "Present")));
    let seat = |p: Participant| -> String {
        let role = input.committee.and_then(|c| c.seat_of(p, m.date)).map(|s| format!(" ({})", s.role)).unwrap_or_default();
        let number = match p {
            Participant::Member(n) => format!(", {} {n}", tr(lang, "membre n°", "member no.")),
            Participant::Partner(_) => format!(", {}", tr(lang, "partenaire", "partner")),
        };
        format!("{}{number}{role}", name(p))
    };
    blocks.push(Block::List(m.present.iter().map(|p| seat(*p)).collect()));
    if input.committee.is_none() {
        let absent: Vec<String> =
            input.board.iter().filter(|n| !m.present.contains(&Participant::Member(**n))).map(|n| seat(Participant::Member(*n))).collect();
        if !absent.is_empty() {
            blocks.push(Block::P(format!("{} {}", tr(lang, "Absents :", "Absent:"), absent.join(" ; "))));
        }
        blocks.push(Block::P(format!(
            "{} {} {} {} {}",
            m.present.len(),
            tr(lang, "administrateurs présents sur", "directors present of"),
            input.board.len(),
            tr(
                lang,
                "en fonction : le conseil, dont la moitié au moins des membres est présente,",
                "in office: the board, with at least half of its members present,"
            ),
            tr(
                lang,
                "peut valablement délibérer (art. L. 225-37 du code de commerce).",
                "may deliberate validly (art. L. 225-37 of the Commercial Code)."
            )
        )));
    }
    blocks.push(Block::H(1, tr(lang, "Décisions", "Decisions")));
    let mut decisions: Vec<String> = m.decisions.clone();
    if let Some(c) = m.chair {
        let until = state
            .members
            .get(&c)
            .and_then(|x| x.mandates.iter().rev().find(|x| x.decided_by.assembly == m.slug))
            .map(|x| date_long(lang, x.until))
            .unwrap_or_default();
        decisions.push(format!(
            "{} {}, {} {until}.",
            tr(lang, "Le conseil élit à sa présidence", "The board elects as its chair"),
            seat(Participant::Member(c)),
            tr(lang, "pour la durée de son mandat d'administrateur, jusqu'au", "for the term of their mandate as director, until")
        ));
    }
    if let Some(s) = m.secretary {
        decisions.push(format!(
            "{} {}{}",
            tr(lang, "Le conseil nomme secrétaire", "The board appoints as its secretary"),
            seat(Participant::Member(s)),
            tr(lang, ", qui tient le registre à compter de ce jour.", ", who keeps the register from this day on.")
        ));
    }
    blocks.push(Block::Ordered(decisions));
    let signers: Vec<String> = match input.committee {
        None => {
            let chair = m.chair.or_else(|| coop_core::bodies::holders(state, coop_core::Office::Chair, m.date).first().map(|(n, _)| *n));
            let mut s = vec![match chair {
                Some(c) => format!("{} — {}", tr(lang, "Le président", "The chair"), name(Participant::Member(c))),
                None => tr(lang, "Le président de séance", "The chair of the meeting"),
            }];
            s.push(tr(lang, "Un administrateur", "A director"));
            s
        }
        Some(_) => m.present.iter().take(2).map(|p| name(*p)).collect(),
    };
    blocks.push(Block::Signatures(signers));
    Doc { title, lang, blocks }
}
