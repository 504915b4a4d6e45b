//! Assembly documents: convocations, the attendance sheet and the minutes, written once as
//! blocks and rendered to Markdown or to a printable HTML page. French by default (the legal
//! language), English on request.

use coop_core::{Assembly, MemberNo, Participation, Resolution, ResolutionKind, RollEntry, Subject};

use crate::args::{DocFormat, Lang};

mod allocation;
mod body_minutes;
mod convocation;
pub mod data;
mod minutes;
mod registers;
mod sheet;
mod words;

pub(crate) use words::*;

pub use body_minutes::{body_minutes, BodyMinutesInput};
pub use convocation::{convocation, Addressee};
pub use minutes::{minutes, MinutesInput, Notes, NotesFile};
pub use registers::{certificate, share_movements};
pub use sheet::sheet;

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

pub(super) fn md_cell(s: &str) -> String {
    md_text(s).replace('\n', " ")
}

pub(super) fn esc(s: &str) -> String {
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
                        o.push_str(&format!("{}{}\n\n\n_____________________________\n\n", md_cell(w), tr(self.lang, " :", ":")));
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

/// What a resolution decides, when its agenda names it, as a suffix for the agenda's lines.
pub(super) fn subject_label(lang: Lang, r: &Resolution) -> String {
    match &r.subject {
        None => String::new(),
        Some(Subject::Exclude(m)) => format!(" — {} {m}", tr(lang, "exclusion du membre n°", "exclusion of member no.")),
        Some(Subject::Amend(p)) => {
            format!(" — {} {} (SHA-256 {})", tr(lang, "adoption des statuts", "adoption of the statutes"), p.file, p.sha256)
        }
        Some(Subject::Elect(e)) => format!(
            " — {} {} {} ({} {})",
            tr(lang, "élection des membres n°", "election of members no."),
            e.members.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
            match e.office {
                coop_core::Office::Chair => tr(lang, "à la présidence", "as chair"),
                coop_core::Office::Manager => tr(lang, "à la gérance", "as managers (gérants)"),
                _ => tr(lang, "au conseil", "to the board"),
            },
            e.years,
            tr(lang, "ans", "years")
        ),
        Some(Subject::Revoke(rv)) => format!(
            " — {} {} {}",
            tr(lang, "révocation des membres n°", "revocation of members no."),
            rv.members.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", "),
            match rv.office {
                coop_core::Office::Chair => tr(lang, "de la présidence", "as chair"),
                coop_core::Office::Manager => tr(lang, "de la gérance", "as managers (gérants)"),
                _ => tr(lang, "du conseil", "from the board"),
            }
        ),
        Some(Subject::Accounts(y)) => format!(
            " — {} {y}",
            tr(lang, "approbation des comptes de l'exercice clos en", "approval of the accounts of the financial year ending in")
        ),
    }
}

pub(super) fn kind_label(lang: Lang, k: ResolutionKind) -> String {
    match k {
        ResolutionKind::Ordinary => tr(lang, "ordinaire", "ordinary"),
        ResolutionKind::Extraordinary => tr(lang, "extraordinaire", "extraordinary"),
    }
}

pub(super) fn assembly_title(lang: Lang, coop: &str, a: &Assembly) -> String {
    let kind = match a.kind {
        ResolutionKind::Ordinary => tr(lang, "Assemblée générale ordinaire", "Ordinary general assembly"),
        ResolutionKind::Extraordinary => tr(lang, "Assemblée générale extraordinaire", "Extraordinary general assembly"),
    };
    format!("{coop} — {kind} {} {}", tr(lang, "du", "of"), date_long(lang, a.date))
}

pub(super) fn participation_label(lang: Lang, p: Participation, name: &dyn Fn(MemberNo) -> String) -> String {
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
pub(super) fn colleges_of(roll: &[RollEntry], order: &[String]) -> Vec<Option<String>> {
    let mut c: Vec<Option<String>> = roll.iter().map(|e| e.college.as_ref().map(|c| c.to_string())).collect();
    c.sort_by_key(|x| x.as_ref().map_or(usize::MAX, |code| order.iter().position(|o| o == code).unwrap_or(usize::MAX - 1)));
    c.dedup();
    c
}
