//! Printing: aligned text tables, Markdown tables, CSV, and JSON documents.

use std::io::Write;

use serde::Serialize;

/// A table of strings with a header row.
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Table {
        Table { headers, rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                if i < w.len() {
                    w[i] = w[i].max(c.chars().count());
                }
            }
        }
        w
    }

    /// Plain text, columns aligned with two spaces, numbers as given.
    pub fn text(&self) -> String {
        let w = self.widths();
        let line = |cells: Vec<&str>| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    s.push_str(&" ".repeat(w[i] - c.chars().count() + 2));
                }
            }
            s.trim_end().to_string()
        };
        let mut out = line(self.headers.clone());
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r.iter().map(String::as_str).collect()));
            out.push('\n');
        }
        out
    }

    /// A GitHub-flavoured Markdown table; cells are made inert (no HTML, links or emphasis).
    pub fn markdown(&self) -> String {
        let esc = |s: &str| crate::documents::md_text(s).replace('\n', " ");
        let mut out = format!("| {} |\n", self.headers.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | "));
        out.push_str(&format!("|{}|\n", self.headers.iter().map(|_| "---").collect::<Vec<_>>().join("|")));
        for r in &self.rows {
            out.push_str(&format!("| {} |\n", r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")));
        }
        out
    }

    /// CSV with a header row; a cell that a spreadsheet would take for a formula is defused.
    pub fn csv(&self) -> Result<String, csv::Error> {
        self.csv_with(b',', csv_cell)
    }

    /// CSV as a French spreadsheet opens it with a double click: semicolons, decimal commas
    /// (`100,50`), and a UTF-8 byte-order mark (without it Excel reads the accents as
    /// Windows-1252).
    pub fn csv_excel(&self) -> Result<String, csv::Error> {
        let text = self.csv_with(b';', |c| {
            let decimal = c.split_once('.').is_some_and(|(w, f)| {
                let w = w.strip_prefix('-').unwrap_or(w);
                !w.is_empty() && !f.is_empty() && w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
            });
            if decimal {
                c.replacen('.', ",", 1)
            } else {
                csv_cell(c)
            }
        })?;
        Ok(format!("\u{feff}{text}"))
    }

    fn csv_with(&self, separator: u8, cell: impl Fn(&str) -> String) -> Result<String, csv::Error> {
        let mut w = csv::WriterBuilder::new().delimiter(separator).from_writer(Vec::new());
        w.write_record(&self.headers)?;
        for r in &self.rows {
            w.write_record(r.iter().map(|c| cell(c)))?;
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Prints one JSON document on stdout.
pub fn json<T: Serialize>(value: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// Euros with two decimals for CSV and tables meant for spreadsheets.
pub fn euros(c: coop_core::Cents) -> String {
    format!("{}.{:02}", c.0 / 100, (c.0 % 100).abs())
}

/// A cell as a spreadsheet must show it: text starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return is read as a formula (`=HYPERLINK(…)`), so it is prefixed with `'`.
pub fn csv_cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}
