//! The minutes (procès-verbal) of a general assembly.

use chrono::NaiveDate;
use coop_core::{Assembly, MajorityBase, MemberNo, Quorum, ResolutionResult, RollEntry, Statutes};

use super::*;
use crate::args::Lang;

use super::sheet::quorum_table;

/// What the minutes are written from.
pub struct MinutesInput<'a> {
    pub coop: &'a str,
    pub statutes: &'a Statutes,
    /// The summary of debates the secretary wrote (`--notes FILE`), if any.
    pub notes: Option<&'a Notes>,
    /// The most interest on shares an allocation may pay (paid-up capital times the statutes'
    /// cap), when the statutes record a cap.
    pub interest_max: Option<coop_core::Cents>,
    pub assembly: &'a Assembly,
    pub roll: &'a [RollEntry],
    pub quorums: &'a [Quorum],
    pub results: &'a [ResolutionResult],
    pub first: Option<&'a Assembly>,
}

/// The minutes (procès-verbal).
pub fn minutes(lang: Lang, i: &MinutesInput, name: &dyn Fn(MemberNo) -> String) -> Doc {
    let a = i.assembly;
    let mut blocks = Vec::new();
    let when = meeting_when(lang, a.date, a.time);
    let mut opening = match lang {
        Lang::Fr => format!(
            "{when}, les membres de la société coopérative d'intérêt collectif {} se sont réunis en assemblée générale {} à l'adresse suivante : {}.",
            i.coop,
            kind_label(lang, a.kind),
            a.place
        ),
        Lang::En => format!(
            "{when}, the members of the société coopérative d'intérêt collectif {} met in {} general assembly at: {}.",
            i.coop,
            kind_label(lang, a.kind),
            a.place
        ),
    };
    // "le samedi …" opens the sentence: "Le samedi …".
    if let Some(first) = opening.get(..1) {
        opening = first.to_uppercase() + &opening[1..];
    }
    blocks.push(Block::P(opening));
    blocks.push(Block::H(1, tr(lang, "Convocation", "Convocation")));
    let sent: Vec<NaiveDate> = a.convocations.values().copied().collect();
    let sent_text = match (sent.iter().min(), sent.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => {
            let n = sent.len() as u64;
            let sent = match lang {
                Lang::Fr => coop_core::count(n, "convocation envoyée le", "convocations envoyées le"),
                Lang::En => coop_core::count(n, "convocation sent on", "convocations sent on"),
            };
            format!("{sent} {}", date_long(lang, *lo))
        }
        (Some(lo), Some(hi)) => format!(
            "{} {} {} {} {}",
            sent.len(),
            tr(lang, "convocations envoyées entre le", "convocations sent between"),
            date_long(lang, *lo),
            tr(lang, "et le", "and"),
            date_long(lang, *hi)
        ),
        _ => tr(lang, "aucun envoi de convocation n'est enregistré", "no sending of convocations is recorded"),
    };
    let how = match (lang, i.first) {
        (Lang::Fr, Some(f)) => {
            format!("sur seconde convocation, l'assemblée du {} n'ayant pu délibérer faute de quorum", date_long(lang, f.date))
        }
        (Lang::En, Some(f)) => {
            format!("on second convocation, the assembly of {} having lacked quorum", date_long(lang, f.date))
        }
        (Lang::Fr, None) => "sur première convocation".into(),
        (Lang::En, None) => "on first convocation".into(),
    };
    let again: Vec<String> = a
        .reissued
        .iter()
        .flat_map(|(m, dates)| dates.iter().map(move |d| (m, d)))
        .map(|(m, d)| format!("{} {m} {} {}", tr(lang, "n°", "no."), tr(lang, "le", "on"), date_long(lang, *d)))
        .collect();
    let again = if again.is_empty() {
        String::new()
    } else {
        format!(
            "{} {}{} {}",
            tr(lang, " ;", ";"),
            tr(lang, "convocation envoyée à nouveau", "convocation sent again"),
            tr(lang, " :", ":"),
            again.join(", ")
        )
    };
    blocks.push(Block::P(format!(
        "{} {}, {} {}{} {}{again}.",
        tr(lang, "L'assemblée a été convoquée par le conseil", "The assembly was convened by the board"),
        how,
        tr(lang, "le", "on"),
        date_long(lang, a.convened_on),
        tr(lang, " ;", ";"),
        sent_text
    )));
    blocks.push(Block::H(1, tr(lang, "Bureau", "Officers")));
    match &a.officers {
        Some(o) => {
            let who = |role_fr: &str, role_en: &str, m: MemberNo| match lang {
                Lang::Fr => format!("{role_fr} : {} (membre n° {m})", name(m)),
                Lang::En => format!("{role_en}: {} (member no. {m})", name(m)),
            };
            let mut items = vec![who("Président de séance", "Chair", o.chair), who("Secrétaire", "Secretary", o.secretary)];
            for s in &o.scrutineers {
                items.push(who("Scrutateur", "Teller", *s));
            }
            blocks.push(Block::List(items));
        }
        None => blocks.push(Block::P(tr(lang, "Le bureau n'a pas été enregistré.", "No officers were recorded."))),
    }
    blocks.push(Block::H(1, tr(lang, "Ordre du jour", "Agenda")));
    blocks.push(Block::Ordered(
        a.agenda.iter().map(|r| format!("{} ({}){}", r.title, resolution_kind(lang, r.kind), subject_label(lang, r))).collect(),
    ));
    blocks.push(Block::H(1, tr(lang, "Présence et quorum", "Attendance and quorum")));
    blocks.push(Block::P(match lang {
        Lang::Fr => format!(
            "La feuille de présence, signée par les membres présents et certifiée par le bureau, fait apparaître {} sur la liste d'émargement à la date de l'assemblée.",
            coop_core::count(i.roll.len() as u64, "membre inscrit", "membres inscrits")
        ),
        Lang::En => format!(
            "The attendance sheet, signed by the members present and certified by the officers, shows {} on the voting roll on the assembly's date.",
            coop_core::count(i.roll.len() as u64, "member", "members")
        ),
    }));
    blocks.push(quorum_table(lang, i.quorums));
    blocks.push(Block::H(1, tr(lang, "Documents présentés", "Documents presented")));
    blocks.push(Block::List(vec![
        tr(lang, "la feuille de présence et les pouvoirs", "the attendance sheet and the proxies"),
        tr(lang, "les formulaires de vote par correspondance", "the postal voting forms"),
        tr(lang, "le texte des résolutions proposées", "the text of the proposed resolutions"),
        tr(lang, "les statuts en vigueur", "the statutes in force"),
    ]));
    blocks.push(Block::H(1, tr(lang, "Délibérations et résolutions", "Deliberations and resolutions")));
    // The minutes say only what is recorded: without quorum the assembly could not deliberate,
    // and a resolution not put to the vote is said to be so, not "rejected".
    let deliberated = i.results.iter().any(|r| r.quorum_reached);
    let put = i.results.iter().any(|r| r.quorum_reached && r.put_to_vote);
    blocks.push(Block::P(if put {
        tr(
            lang,
            "Après débat, le président met aux voix les résolutions suivantes, dans l'ordre. Les abstentions et les votes blancs ne sont pas des suffrages exprimés ; le vote de chaque collège compte selon le poids que lui donnent les statuts.",
            "After debate, the chair puts the following resolutions to the vote in turn. Abstentions and blank votes are not votes cast; each college's vote counts with the weight the statutes give it.",
        )
    } else if deliberated {
        tr(lang, "Le président n'a mis aux voix aucune résolution.", "The chair put no resolution to the vote.")
    } else {
        tr(
            lang,
            "Le quorum requis n'étant pas atteint, l'assemblée n'a pu valablement délibérer : aucune résolution n'a été mise aux voix.",
            "The required quorum not being reached, the assembly could not deliberate: no resolution was put to the vote.",
        )
    }));
    if let Some(summary) = i.notes.map(|n| n.summary.trim()).filter(|s| !s.is_empty()) {
        blocks.push(Block::H(2, tr(lang, "Résumé des débats", "Summary of the debates")));
        paragraphs(summary, &mut blocks);
    }
    for r in i.results {
        blocks.push(Block::H(2, format!("{} {} — {}", tr(lang, "Résolution", "Resolution"), r.number, r.title)));
        if let Some(res) = a.resolution(r.number).filter(|res| !res.text.is_empty()) {
            paragraphs(&res.text, &mut blocks);
        }
        if let Some(b) = super::allocation::allocation_block(lang, &a.agenda, r.number as usize - 1, i.interest_max) {
            blocks.push(b);
        }
        if let Some(debate) = i.notes.and_then(|n| n.resolutions.get(&r.number)).map(|d| d.trim()).filter(|d| !d.is_empty()) {
            blocks.push(Block::P(format!(
                "{} {}",
                tr(lang, "Débats :", "Debate:"),
                debate.split_whitespace().collect::<Vec<_>>().join(" ")
            )));
        }
        if !r.quorum_reached {
            blocks.push(Block::P(tr(
                lang,
                "Le quorum requis pour cette résolution n'étant pas atteint, elle n'a pu être mise aux voix.",
                "The quorum required for this resolution not being reached, it could not be put to the vote.",
            )));
            continue;
        }
        if !r.put_to_vote {
            blocks.push(Block::P(tr(
                lang,
                "Cette résolution n'a pas été mise aux voix par le président ; elle n'est ni adoptée ni rejetée.",
                "The chair did not put this resolution to the vote; it is neither adopted nor rejected.",
            )));
            continue;
        }
        let headers = vec![
            tr(lang, "Collège", "College"),
            tr(lang, "Poids statutaire", "Statutory weight"),
            tr(lang, "Poids effectif", "Effective weight"),
            tr(lang, "Pour", "For"),
            tr(lang, "Contre", "Against"),
            tr(lang, "Abstention", "Abstain"),
            tr(lang, "Blanc", "Blank"),
        ];
        let rows = r
            .colleges
            .iter()
            .map(|t| {
                vec![
                    college_label(lang, i.statutes, &t.code),
                    pct(lang, t.weight_percent, 1),
                    pct(lang, t.effective_weight_percent, 1),
                    t.r#for.to_string(),
                    t.against.to_string(),
                    t.abstain.to_string(),
                    t.blank.to_string(),
                ]
            })
            .collect();
        blocks.push(Block::Table(headers, rows));
        if !r.show_of_hands.is_empty() {
            let colleges: Vec<String> = r.show_of_hands.iter().map(|c| college_label(lang, i.statutes, c)).collect();
            blocks.push(Block::P(format!(
                "{} {}.",
                tr(
                    lang,
                    "Vote à main levée : les voix des membres présents et représentés ont été comptées par les scrutateurs pour",
                    "Open vote by show of hands: the voices of the members present and represented were counted by the tellers for"
                ),
                colleges.join(", ")
            )));
        }
        let verdict = if r.adopted { tr(lang, "ADOPTÉE", "ADOPTED") } else { tr(lang, "REJETÉE", "REJECTED") };
        let among = match r.majority_base {
            MajorityBase::Cast => tr(lang, "Part pondérée des voix pour parmi les suffrages exprimés :", "Weighted share of votes for among votes cast:"),
            MajorityBase::Present => tr(
                lang,
                "Part pondérée des voix pour parmi les membres présents, représentés ou votant par correspondance (abstentions et votes blancs comptés contre) :",
                "Weighted share of votes for among the members present, represented or voting by post (abstentions and blank votes counted against):",
            ),
            MajorityBase::Members => tr(
                lang,
                "Part pondérée des voix pour parmi l'ensemble des membres inscrits :",
                "Weighted share of votes for among all the members on the roll:",
            ),
        };
        let required = match (r.majority.parse::<coop_core::Majority>(), i.statutes.assembly.college_method) {
            (Ok(m), coop_core::CollegeMethod::Block) => format!(
                "{} {}",
                tr(
                    lang,
                    "vote par collège : les collèges favorables, chacun à la majorité de la résolution, pèsent",
                    "block vote by college: the colleges for it, each by the resolution's majority, weigh"
                ),
                majority_words(lang, m, MajorityBase::Cast).replace(
                    &tr(lang, "des suffrages exprimés", "of the votes cast"),
                    &tr(lang, "du poids des collèges qui ont voté", "of the weight of the colleges that voted")
                ),
            ),
            (Ok(m), _) => majority_words(lang, m, r.majority_base),
            (Err(_), _) => r.majority.clone(),
        };
        blocks.push(Block::P(format!(
            "{among} {}. {} {required}. {} {verdict}.",
            pct(lang, r.for_share * 100.0, 2),
            tr(lang, "Majorité requise :", "Majority required:"),
            tr(lang, "La résolution est", "The resolution is"),
        )));
    }
    blocks.push(Block::H(1, tr(lang, "Clôture", "Closing")));
    let closed = match a.closed_on {
        Some(d) if !deliberated => format!(
            "{} {}.",
            tr(
                lang,
                "L'assemblée n'ayant pu délibérer, la séance est levée ; procès-verbal de carence arrêté le",
                "The assembly having been unable to deliberate, the meeting is closed; minutes settled on"
            ),
            date_long(lang, d)
        ),
        Some(d) => format!(
            "{} {}.",
            tr(
                lang,
                "L'ordre du jour étant épuisé, la séance est levée ; procès-verbal arrêté le",
                "The agenda being exhausted, the meeting is closed; minutes settled on"
            ),
            date_long(lang, d)
        ),
        None => tr(lang, "PROJET : l'assemblée n'est pas encore close.", "DRAFT: the assembly is not closed yet."),
    };
    blocks.push(Block::P(closed));
    blocks.push(Block::Signatures(super::sheet::officer_signatures(lang, a, name)));
    Doc { title: format!("{} — {}", tr(lang, "Procès-verbal", "Minutes"), assembly_title(lang, i.coop, a)), lang, blocks }
}

/// Paragraphs of a text as typed (blank lines between them; line breaks inside are spaces).
fn paragraphs(text: &str, blocks: &mut Vec<Block>) {
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        blocks.push(Block::P(para.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
}

/// The summary of debates a secretary writes for the minutes, read from a TOML notes file:
///
/// ```toml
/// summary = """
/// Le président ouvre la séance à 18 h 40 ..."""
/// [resolutions]
/// 1 = "Le trésorier présente les comptes ; une question sur les stocks."
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Notes {
    /// The general summary of the debates.
    pub summary: String,
    /// The debate on each resolution, by its number.
    pub resolutions: std::collections::BTreeMap<u32, String>,
}

/// A notes file as written: resolution numbers are TOML keys, hence text.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotesFile {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub resolutions: std::collections::BTreeMap<String, String>,
}
