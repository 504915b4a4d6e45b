//! Assembly documents: convocations, the attendance sheet and the minutes, written once as
//! blocks and rendered to Markdown or to a printable HTML page. French by default (the legal
//! language), English on request.

use chrono::NaiveDate;
use coop_core::{
    Assembly, MajorityBase, MemberNo, Participation, Quorum, Resolution, ResolutionKind, ResolutionResult, RollEntry, Statutes, Subject,
};

use crate::args::{DocFormat, Lang};

pub enum Block {
    H(u8, String),
    P(String),
    Table(Vec<String>, Vec<Vec<String>>),
    List(Vec<String>),
    Ordered(Vec<String>),
    Signatures(Vec<String>),
    /// Preformatted text (a statutes file proposed to the assembly).
    Pre(String),
}

pub struct Doc {
    pub title: String,
    pub lang: Lang,
    pub blocks: Vec<Block>,
}

/// French or English text.
pub fn tr(lang: Lang, fr: &str, en: &str) -> String {
    match lang {
        Lang::Fr => fr.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Text from the register (names, titles, places) made inert in Markdown: no raw HTML (a name
/// such as `<script>` or `<img onerror=…>`), no link, emphasis or code syntax (`[x](javascript:…)`).
pub fn md_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                o.push('\\');
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('\n', " ")
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

impl Doc {
    pub fn render(&self, format: DocFormat) -> String {
        match format {
            DocFormat::Md => self.markdown(),
            DocFormat::Html => self.html(),
        }
    }

    pub fn markdown(&self) -> String {
        let mut o = format!("# {}\n\n", md_cell(&self.title));
        for b in &self.blocks {
            match b {
                Block::H(l, t) => o.push_str(&format!("{} {}\n\n", "#".repeat(*l as usize + 1), md_cell(t))),
                Block::P(t) => o.push_str(&format!("{}\n\n", md_text(t))),
                Block::Table(h, rows) => {
                    o.push_str(&format!("| {} |\n", h.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")));
                    o.push_str(&format!("|{}|\n", h.iter().map(|_| "---").collect::<Vec<_>>().join("|")));
                    for r in rows {
                        o.push_str(&format!("| {} |\n", r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")));
                    }
                    o.push('\n');
                }
                Block::List(items) => {
                    for i in items {
                        o.push_str(&format!("- {}\n", md_cell(i)));
                    }
                    o.push('\n');
                }
                Block::Ordered(items) => {
                    for (n, i) in items.iter().enumerate() {
                        o.push_str(&format!("{}. {}\n", n + 1, md_cell(i)));
                    }
                    o.push('\n');
                }
                Block::Signatures(who) => {
                    for w in who {
                        o.push_str(&format!("{} :\n\n\n_____________________________\n\n", md_cell(w)));
                    }
                }
                Block::Pre(text) => {
                    // A fence longer than any run of backticks in the text.
                    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                    let fence = "`".repeat(longest.max(2) + 1);
                    o.push_str(&format!("{fence}\n{}\n{fence}\n\n", text.trim_end()));
                }
            }
        }
        o
    }

    /// A complete, well-formed HTML page (also valid XML) with print styles.
    pub fn html(&self) -> String {
        let lang = match self.lang {
            Lang::Fr => "fr",
            Lang::En => "en",
        };
        let mut o = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
            esc(&self.title),
            esc(&self.title)
        );
        for b in &self.blocks {
            match b {
                Block::H(l, t) => o.push_str(&format!("<h{n}>{}</h{n}>\n", esc(t), n = l + 1)),
                Block::P(t) => o.push_str(&format!("<p>{}</p>\n", esc(t))),
                Block::Table(h, rows) => {
                    o.push_str("<table>\n<thead><tr>");
                    for c in h {
                        o.push_str(&format!("<th>{}</th>", esc(c)));
                    }
                    o.push_str("</tr></thead>\n<tbody>\n");
                    for r in rows {
                        o.push_str("<tr>");
                        for c in r {
                            o.push_str(&format!("<td>{}</td>", esc(c)));
                        }
                        o.push_str("</tr>\n");
                    }
                    o.push_str("</tbody>\n</table>\n");
                }
                Block::List(items) | Block::Ordered(items) => {
                    let tag = if matches!(b, Block::List(_)) { "ul" } else { "ol" };
                    o.push_str(&format!("<{tag}>\n"));
                    for i in items {
                        o.push_str(&format!("<li>{}</li>\n", esc(i)));
                    }
                    o.push_str(&format!("</{tag}>\n"));
                }
                Block::Pre(text) => o.push_str(&format!("<pre>{}</pre>\n", esc(text.trim_end()))),
                Block::Signatures(who) => {
                    o.push_str("<div class=\"signatures\">\n");
                    for w in who {
                        o.push_str(&format!("<div class=\"signature\"><p>{}</p><div class=\"line\"></div></div>\n", esc(w)));
                    }
                    o.push_str("</div>\n");
                }
            }
        }
        o.push_str("</body>\n</html>\n");
        o
    }
}

const CSS: &str = "body { font-family: Georgia, 'Times New Roman', serif; max-width: 48em; margin: 2em auto; color: #111; line-height: 1.4; }
h1 { font-size: 1.5em; border-bottom: 2px solid #333; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0 1em; font-size: .92em; }
th, td { border: 1px solid #777; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
td:last-child { min-width: 8em; }
pre { font-size: .8em; white-space: pre-wrap; border: 1px solid #ccc; padding: .5em; }
.signatures { display: flex; gap: 3em; margin-top: 2em; }
.signature { flex: 1; }
.signature .line { border-bottom: 1px solid #333; height: 4em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } table { page-break-inside: auto; } tr { page-break-inside: avoid; } }
";

/// A percentage with one or two decimals, with a decimal comma in French.
fn pct(lang: Lang, value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$} %");
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

fn date_long(lang: Lang, d: NaiveDate) -> String {
    use chrono::Datelike;
    let months_fr =
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
    let months_en =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let m = d.month0() as usize;
    match lang {
        Lang::Fr => format!("{} {} {}", d.day(), months_fr[m], d.year()),
        Lang::En => format!("{} {} {}", d.day(), months_en[m], d.year()),
    }
}

/// What a resolution decides, when its agenda names it, as a suffix for the agenda's lines.
fn subject_label(lang: Lang, r: &Resolution) -> String {
    match &r.subject {
        None => String::new(),
        Some(Subject::Exclude(m)) => format!(" — {} {m}", tr(lang, "exclusion du membre n°", "exclusion of member no.")),
        Some(Subject::Amend(p)) => {
            format!(" — {} {} (SHA-256 {})", tr(lang, "adoption des statuts", "adoption of the statutes"), p.file, p.sha256)
        }
        Some(Subject::Accounts(y)) => format!(
            " — {} {y}",
            tr(lang, "approbation des comptes de l'exercice clos en", "approval of the accounts of the financial year ending in")
        ),
    }
}

fn kind_label(lang: Lang, k: ResolutionKind) -> String {
    match k {
        ResolutionKind::Ordinary => tr(lang, "ordinaire", "ordinary"),
        ResolutionKind::Extraordinary => tr(lang, "extraordinaire", "extraordinary"),
    }
}

fn assembly_title(lang: Lang, coop: &str, a: &Assembly) -> String {
    let kind = match a.kind {
        ResolutionKind::Ordinary => tr(lang, "Assemblée générale ordinaire", "Ordinary general assembly"),
        ResolutionKind::Extraordinary => tr(lang, "Assemblée générale extraordinaire", "Extraordinary general assembly"),
    };
    format!("{coop} — {kind} {} {}", tr(lang, "du", "of"), date_long(lang, a.date))
}

fn participation_label(lang: Lang, p: Participation, name: &dyn Fn(MemberNo) -> String) -> String {
    match p {
        Participation::Present => tr(lang, "présent", "present"),
        Participation::Remote => tr(lang, "présent à distance", "present remotely"),
        Participation::Represented { by } => format!("{} {} ({})", tr(lang, "représenté par le n°", "represented by no."), by, name(by)),
        Participation::BlankProxy => tr(lang, "pouvoir en blanc (au président)", "blank proxy (to the chair)"),
        Participation::Postal => tr(lang, "vote par correspondance", "postal vote"),
        Participation::Absent => tr(lang, "absent", "absent"),
    }
}

/// The colleges present on the roll, in the statutes' order.
fn colleges_of(roll: &[RollEntry], order: &[String]) -> Vec<Option<String>> {
    let mut c: Vec<Option<String>> = roll.iter().map(|e| e.college.clone()).collect();
    c.sort_by_key(|x| x.as_ref().map_or(usize::MAX, |code| order.iter().position(|o| o == code).unwrap_or(usize::MAX - 1)));
    c.dedup();
    c
}

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

fn quorum_table(lang: Lang, quorums: &[Quorum]) -> Block {
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

pub struct MinutesInput<'a> {
    pub coop: &'a str,
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
    blocks.push(Block::P(match lang {
        Lang::Fr => format!(
            "Le {}, les membres de la société coopérative d'intérêt collectif {} se sont réunis en assemblée générale {} à l'adresse suivante : {}.",
            date_long(lang, a.date),
            i.coop,
            kind_label(lang, a.kind),
            a.place
        ),
        Lang::En => format!(
            "On {}, the members of the société coopérative d'intérêt collectif {} met in {} general assembly at: {}.",
            date_long(lang, a.date),
            i.coop,
            kind_label(lang, a.kind),
            a.place
        ),
    }));
    blocks.push(Block::H(1, tr(lang, "Convocation", "Convocation")));
    let sent: Vec<NaiveDate> = a.convocations.values().copied().collect();
    let sent_text = match (sent.iter().min(), sent.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => {
            format!("{} {} {}", sent.len(), tr(lang, "convocations envoyées le", "convocations sent on"), date_long(lang, *lo))
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
            format!("sur seconde convocation, l'assemblée du {} ({}) n'ayant pu délibérer faute de quorum", date_long(lang, f.date), f.slug)
        }
        (Lang::En, Some(f)) => {
            format!("on second convocation, the assembly of {} ({}) having lacked quorum", date_long(lang, f.date), f.slug)
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
        format!(" ; {} : {}", tr(lang, "convocation envoyée à nouveau", "convocation sent again"), again.join(", "))
    };
    blocks.push(Block::P(format!(
        "{} {}, {} {} ; {}{again}.",
        tr(lang, "L'assemblée a été convoquée par le conseil", "The assembly was convened by the board"),
        how,
        tr(lang, "le", "on"),
        date_long(lang, a.convened_on),
        sent_text
    )));
    blocks.push(Block::H(1, tr(lang, "Bureau", "Officers")));
    match &a.officers {
        Some(o) => {
            let mut items = vec![
                format!("{} : n° {} {}", tr(lang, "Président de séance", "Chair"), o.chair, name(o.chair)),
                format!("{} : n° {} {}", tr(lang, "Secrétaire", "Secretary"), o.secretary, name(o.secretary)),
            ];
            for s in &o.scrutineers {
                items.push(format!("{} : n° {} {}", tr(lang, "Scrutateur", "Teller"), s, name(*s)));
            }
            blocks.push(Block::List(items));
        }
        None => blocks.push(Block::P(tr(lang, "Le bureau n'a pas été enregistré.", "No officers were recorded."))),
    }
    blocks.push(Block::H(1, tr(lang, "Ordre du jour", "Agenda")));
    blocks.push(Block::Ordered(
        a.agenda
            .iter()
            .map(|r| {
                format!("{} ({} {}){}", r.title, tr(lang, "résolution", "resolution"), kind_label(lang, r.kind), subject_label(lang, r))
            })
            .collect(),
    ));
    blocks.push(Block::H(1, tr(lang, "Présence et quorum", "Attendance and quorum")));
    blocks.push(Block::P(match lang {
        Lang::Fr => format!(
            "La feuille de présence, signée par les membres présents et certifiée par le bureau, fait apparaître {} membres inscrits sur la liste d'émargement à la date de l'assemblée.",
            i.roll.len()
        ),
        Lang::En => format!(
            "The attendance sheet, signed by the members present and certified by the officers, shows {} members on the voting roll on the assembly's date.",
            i.roll.len()
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
    for r in i.results {
        blocks.push(Block::H(2, format!("{} {} — {}", tr(lang, "Résolution", "Resolution"), r.number, r.title)));
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
                    if t.code == "all" { tr(lang, "tous", "all") } else { t.code.clone() },
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
            let colleges: Vec<String> =
                r.show_of_hands.iter().map(|c| if c == "all" { tr(lang, "tous les membres", "all members") } else { c.clone() }).collect();
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
        blocks.push(Block::P(format!(
            "{} {} ({}) ; {} {} : {} {verdict}.",
            among,
            pct(lang, r.for_share * 100.0, 2),
            r.for_share_exact,
            tr(lang, "majorité requise", "majority required"),
            r.majority,
            tr(lang, "la résolution est", "the resolution is"),
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
    blocks.push(Block::Signatures(vec![tr(lang, "Le président de séance", "The chair"), tr(lang, "Le secrétaire", "The secretary")]));
    Doc { title: format!("{} — {}", tr(lang, "Procès-verbal", "Minutes"), assembly_title(lang, i.coop, a)), lang, blocks }
}

/// One member's convocation, with a proxy form and a postal voting form.
/// A member's convocation: addressed to its postal address when it has one (members without
/// e-mail are convened by post), the agenda, how to take part, and the proxy and postal forms.
pub fn convocation(
    lang: Lang,
    coop: &str,
    a: &Assembly,
    member: MemberNo,
    member_name: &str,
    address: Option<&str>,
    postal_deadline: NaiveDate,
) -> Doc {
    let mut blocks = vec![Block::P(format!("{} n° {member} — {member_name}", tr(lang, "Destinataire : membre", "To: member")))];
    if let Some(address) = address.map(str::trim).filter(|a| !a.is_empty()) {
        blocks.push(Block::P(format!("{} {address}", tr(lang, "Adresse postale :", "Postal address:"))));
    }
    blocks.extend([Block::P(match lang {
        Lang::Fr => format!(
            "Vous êtes convoqué(e) à l'assemblée générale {} de {coop}, qui se tiendra le {} à l'adresse suivante : {}.",
            kind_label(lang, a.kind),
            date_long(lang, a.date),
            a.place
        ),
        Lang::En => format!(
            "You are convened to the {} general assembly of {coop}, to be held on {} at: {}.",
            kind_label(lang, a.kind),
            date_long(lang, a.date),
            a.place
        ),
    })]);
    if let Some(first) = &a.second_of {
        blocks.push(Block::P(match lang {
            Lang::Fr => format!("Il s'agit d'une seconde convocation, l'assemblée {first} n'ayant pu délibérer faute de quorum."),
            Lang::En => format!("This is a second convocation: assembly {first} lacked quorum."),
        }));
    }
    blocks.push(Block::H(1, tr(lang, "Ordre du jour", "Agenda")));
    blocks.push(Block::Ordered(
        a.agenda.iter().map(|r| format!("{} ({}){}", r.title, kind_label(lang, r.kind), subject_label(lang, r))).collect(),
    ));
    blocks.push(Block::H(1, tr(lang, "Comment participer", "How to take part")));
    blocks.push(Block::List(vec![
        tr(lang, "en personne ou à distance : présentez-vous ou connectez-vous à l'heure de la séance ;", "in person or remotely: come or connect at the time of the meeting;"),
        tr(lang, "en donnant pouvoir à un autre membre (formulaire A) ; un pouvoir sans nom de mandataire vote pour les résolutions agréées par le conseil et contre les autres ;", "by giving a proxy to another member (form A); a proxy naming no holder votes for the resolutions the board approved and against the others;"),
        format!(
            "{} {} (formulaire B / form B).",
            tr(lang, "en votant par correspondance : le formulaire doit être reçu au plus tard le", "by postal vote: the form must be received by"),
            date_long(lang, postal_deadline)
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
