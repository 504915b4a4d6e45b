//! Spreadsheets as the secretary's office suite saves them: a French Excel or LibreOffice writes
//! CSV with semicolons, in Windows-1252 unless told otherwise, dates as `01/10/2025`, and the
//! column names the secretary typed. Reading and normalising only: the importers (`import.rs`,
//! `movements.rs`) say what the columns mean.

use chrono::NaiveDate;

/// A file's text, and what was done to read it (said on stderr).
pub struct Decoded {
    pub text: String,
    pub note: Option<String>,
}

/// The text of a spreadsheet's bytes: UTF-8 (a byte-order mark dropped), or, when the bytes are
/// not UTF-8, Windows-1252 (what a French Windows office suite writes; Latin-1 is a subset of it
/// for every letter a register holds).
pub fn decode(bytes: Vec<u8>) -> Decoded {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Decoded { text, note: None },
        Err(e) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(e.as_bytes());
            Decoded {
                text: text.into_owned(),
                note: Some(
                    "is not UTF-8: read as Windows-1252 (Latin-1), as a French spreadsheet saves it; check the accents below".into(),
                ),
            }
        }
    }
}

/// The separator of a CSV text: `;`, tab or `,`, whichever its header row has most of (outside
/// quotes); `,` when it has none.
pub fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let (mut quoted, mut counts) = (false, [0usize; 3]);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = [b';', b'\t', b','].into_iter().zip(counts).max_by_key(|(sep, n)| (*n, *sep == b','));
    match best {
        Some((sep, n)) if n > 0 => sep,
        _ => b',',
    }
}

/// A CSV reader of `text` with its separator found, fields trimmed, the first row the header.
pub fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).flexible(false).trim(csv::Trim::All).delimiter(separator(text)).from_reader(text.as_bytes())
}

/// A column name as typed, folded (lower case, accents and spaces away), then taken through
/// `aliases` (French names and variants, folded) to the name coop uses.
pub fn column(header: &str, aliases: &[(&str, &str)]) -> String {
    let folded = fold(header).replace([' ', '-'], "_");
    aliases.iter().find(|(alias, _)| *alias == folded).map_or(folded, |(_, name)| name.to_string())
}

pub use coop_core::fold_text as fold;

/// A date as a spreadsheet writes it: `YYYY-MM-DD`, or the French `DD/MM/YYYY` (`D/M/YYYY`).
pub fn date(text: &str) -> Result<NaiveDate, String> {
    if let Ok(d) = coop_core::parse_date(text) {
        return Ok(d);
    }
    let t = text.trim();
    let parts: Vec<&str> = t.split('/').collect();
    if let [d, m, y] = parts[..] {
        if y.len() == 4 && (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) {
            if let (Ok(d), Ok(m), Ok(y)) = (d.parse(), m.parse(), y.parse()) {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                    return Ok(date);
                }
            }
        }
    }
    let shown: String = t.chars().take(40).collect();
    Err(format!("'{shown}' is not a date: expected YYYY-MM-DD (2025-10-01) or DD/MM/YYYY (01/10/2025)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_is_decoded_and_said_and_utf8_is_kept() {
        let latin = b"nom;cat\xe9gorie\nJ\xe9r\xf4me \x80uros;b\xe9n\xe9ficiaires\n".to_vec();
        let d = decode(latin);
        assert_eq!(d.text, "nom;catégorie\nJérôme €uros;bénéficiaires\n");
        assert!(d.note.is_some());
        let d = decode("\u{feff}nom;catégorie\n".as_bytes().to_vec());
        assert_eq!((d.text.as_str(), d.note), ("nom;catégorie\n", None));
    }

    #[test]
    fn the_separator_is_the_headers() {
        assert_eq!(separator("name;category;shares\nA,B;c;1\n"), b';');
        assert_eq!(separator("name,category,shares\n"), b',');
        assert_eq!(separator("name\tcategory\tshares\n"), b'\t');
        assert_eq!(separator("\"nom; prénom\",catégorie\n"), b',', "quoted separators do not count");
        assert_eq!(separator("name\n"), b',');
    }

    #[test]
    fn french_dates_and_columns() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(date("01/10/2025"), Ok(d(2025, 10, 1)));
        assert_eq!(date("1/2/2024"), Ok(d(2024, 2, 1)));
        assert_eq!(date("2025-10-01"), Ok(d(2025, 10, 1)));
        for bad in ["31/02/2025", "10/2025", "01/10/25", "2025/10/01", "x"] {
            assert!(date(bad).unwrap_err().contains("DD/MM/YYYY"), "{bad}");
        }
        let aliases = [("categorie", "category"), ("verse_euros", "paid_euros")];
        assert_eq!(column(" Catégorie ", &aliases), "category");
        assert_eq!(column("Versé euros", &aliases), "paid_euros");
        assert_eq!(column("shares", &aliases), "shares");
    }
}
