//! How the documents write dates, hours, percentages and majorities, in French and English.

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike, Weekday};
use coop_core::{Majority, MajorityBase, ResolutionKind, Statutes};

use super::tr;
use crate::args::Lang;

/// A percentage with one or two decimals, with a decimal comma in French. A share is written
/// as a percentage only, never beside a fraction that would read like a count of votes.
pub fn pct(lang: Lang, value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$} %");
    match lang {
        Lang::Fr => s.replace('.', ","),
        Lang::En => s,
    }
}

const MONTHS_FR: [&str; 12] =
    ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// `1er juin 2026`, `20 juin 2026`; `1 June 2026`.
pub fn date_long(lang: Lang, d: NaiveDate) -> String {
    let m = d.month0() as usize;
    match lang {
        Lang::Fr if d.day() == 1 => format!("1er {} {}", MONTHS_FR[m], d.year()),
        Lang::Fr => format!("{} {} {}", d.day(), MONTHS_FR[m], d.year()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
    }
}

fn weekday(lang: Lang, d: NaiveDate) -> &'static str {
    let (fr, en) = match d.weekday() {
        Weekday::Mon => ("lundi", "Monday"),
        Weekday::Tue => ("mardi", "Tuesday"),
        Weekday::Wed => ("mercredi", "Wednesday"),
        Weekday::Thu => ("jeudi", "Thursday"),
        Weekday::Fri => ("vendredi", "Friday"),
        Weekday::Sat => ("samedi", "Saturday"),
        Weekday::Sun => ("dimanche", "Sunday"),
    };
    match lang {
        Lang::Fr => fr,
        Lang::En => en,
    }
}

/// `18 h 30`, `9 h`; `18:30`.
pub fn hour(lang: Lang, t: NaiveTime) -> String {
    match (lang, t.minute()) {
        (Lang::Fr, 0) => format!("{} h", t.hour()),
        (Lang::Fr, m) => format!("{} h {m:02}", t.hour()),
        (Lang::En, m) => format!("{}:{m:02}", t.hour()),
    }
}

/// When a meeting takes place: `le samedi 20 juin 2026 à 18 h 30`; `on Saturday 20 June 2026 at 18:30`.
pub fn meeting_when(lang: Lang, d: NaiveDate, time: Option<NaiveTime>) -> String {
    let day = format!("{} {} {}", tr(lang, "le", "on"), weekday(lang, d), date_long(lang, d));
    match time {
        Some(t) => format!("{day} {} {}", tr(lang, "à", "at"), hour(lang, t)),
        None => day,
    }
}

/// `résolution ordinaire`; `ordinary resolution`.
pub fn resolution_kind(lang: Lang, k: ResolutionKind) -> String {
    match k {
        ResolutionKind::Ordinary => tr(lang, "résolution ordinaire", "ordinary resolution"),
        ResolutionKind::Extraordinary => tr(lang, "résolution extraordinaire", "extraordinary resolution"),
    }
}

fn fraction_words(lang: Lang, num: u32, den: u32) -> String {
    match (lang, num, den) {
        (Lang::Fr, 1, 2) => "la moitié".into(),
        (Lang::Fr, 2, 3) => "les deux tiers".into(),
        (Lang::Fr, 3, 4) => "les trois quarts".into(),
        (Lang::Fr, 1, 3) => "le tiers".into(),
        (Lang::Fr, 3, 5) => "les trois cinquièmes".into(),
        (Lang::Fr, 1, 1) => "l'unanimité".into(),
        (Lang::En, 1, 2) => "half".into(),
        (Lang::En, 2, 3) => "two thirds".into(),
        (Lang::En, 3, 4) => "three quarters".into(),
        (Lang::En, 1, 3) => "one third".into(),
        (Lang::En, 3, 5) => "three fifths".into(),
        (Lang::En, 1, 1) => "all".into(),
        (_, n, d) => pct(lang, n as f64 * 100.0 / d as f64, if (n * 100) % d == 0 { 0 } else { 2 }),
    }
}

/// The majority a resolution needs, in words: `plus de la moitié des suffrages exprimés`,
/// `au moins les deux tiers des suffrages exprimés`; `more than half of the votes cast`.
pub fn majority_words(lang: Lang, m: Majority, base: MajorityBase) -> String {
    let among = match base {
        MajorityBase::Cast => tr(lang, "des suffrages exprimés", "of the votes cast"),
        MajorityBase::Present => {
            tr(lang, "des voix des membres présents ou représentés", "of the votes of the members present or represented")
        }
        MajorityBase::Members => tr(lang, "des voix de l'ensemble des membres", "of the votes of all the members"),
    };
    let f = fraction_words(lang, m.threshold.num(), m.threshold.den());
    let (fr, en) = if m.strict { ("plus de", "more than") } else { ("au moins", "at least") };
    let words = format!("{} {f} {among}", tr(lang, fr, en));
    match (m.strict, m.threshold.num(), m.threshold.den()) {
        (true, 1, 2) => format!("{} ({words})", tr(lang, "majorité simple", "simple majority")),
        (false, 2, 3) => format!("{} ({words})", tr(lang, "majorité des deux tiers", "two-thirds majority")),
        (false, 3, 4) => format!("{} ({words})", tr(lang, "majorité des trois quarts", "three-quarters majority")),
        _ => words,
    }
}

/// An amount of money as the language writes it: `12 037,50 €`; `12,037.50 €`.
pub fn euros(lang: Lang, c: coop_core::Cents) -> String {
    match lang {
        Lang::Fr => c.to_string().replace(',', "\u{a0}").replace('.', ","),
        Lang::En => c.to_string(),
    }
}

/// The company form in words: `par actions simplifiée`; `simplified joint-stock company`.
pub fn legal_form_words(lang: Lang, form: coop_core::LegalForm) -> String {
    match form {
        coop_core::LegalForm::Sa => tr(lang, "anonyme", "public limited company"),
        coop_core::LegalForm::Sas => tr(lang, "par actions simplifiée", "simplified joint-stock company"),
        coop_core::LegalForm::Sarl => tr(lang, "à responsabilité limitée", "private limited company"),
    }
}

/// A college's name from the statutes (`workers` when they give it none); `all` is every member.
pub fn college_label(lang: Lang, statutes: &Statutes, code: &str) -> String {
    if code == "all" {
        return tr(lang, "tous les membres", "all members");
    }
    statutes.colleges.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.label().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        coop_core::parse_date(s).unwrap()
    }

    #[test]
    fn dates_hours_and_majorities_read_as_a_secretary_writes_them() {
        assert_eq!(date_long(Lang::Fr, d("2026-06-01")), "1er juin 2026");
        assert_eq!(date_long(Lang::Fr, d("2026-06-20")), "20 juin 2026");
        assert_eq!(date_long(Lang::En, d("2026-06-01")), "1 June 2026");
        let t = NaiveTime::from_hms_opt(18, 30, 0);
        assert_eq!(meeting_when(Lang::Fr, d("2026-06-20"), t), "le samedi 20 juin 2026 à 18 h 30");
        assert_eq!(meeting_when(Lang::En, d("2026-06-20"), t), "on Saturday 20 June 2026 at 18:30");
        assert_eq!(hour(Lang::Fr, NaiveTime::from_hms_opt(9, 0, 0).unwrap()), "9 h");
        let m = |s: &str| s.parse::<Majority>().unwrap();
        assert_eq!(
            majority_words(Lang::Fr, m(">= 2/3"), MajorityBase::Cast),
            "majorité des deux tiers (au moins les deux tiers des suffrages exprimés)"
        );
        assert_eq!(majority_words(Lang::Fr, m("> 1/2"), MajorityBase::Cast), "majorité simple (plus de la moitié des suffrages exprimés)");
        assert_eq!(
            majority_words(Lang::En, m("> 1/2"), MajorityBase::Members),
            "simple majority (more than half of the votes of all the members)"
        );
        assert_eq!(majority_words(Lang::Fr, m(">= 7/10"), MajorityBase::Cast), "au moins 70 % des suffrages exprimés");
        assert_eq!(pct(Lang::Fr, 82.0, 2), "82,00 %");
        assert_eq!(euros(Lang::Fr, coop_core::Cents(1_203_750)), "12\u{a0}037,50 €");
        assert_eq!(euros(Lang::En, coop_core::Cents(1_203_750)), "12,037.50 €");
    }
}
