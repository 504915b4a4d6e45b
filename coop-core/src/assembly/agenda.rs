//! The agenda file: `[[resolution]]` tables, read with every problem at once.

use crate::statutes::{Problem, Reader};

use super::{Resolution, ResolutionKind, MAX_RESOLUTIONS};

/// Reads an agenda file: `[[resolution]]` tables with `title`, `kind`, `board_approved`.
/// Returns every problem at once, with lines.
pub fn parse_agenda(text: &str) -> Result<Vec<Resolution>, Vec<Problem>> {
    let mut r = Reader::new(text);
    let Some(doc) = r.parse() else { return r.finish(None) };
    let root = doc.as_table();
    r.unknown_keys(root, &["resolution"], "the agenda");
    let tables = r.tables(root, "resolution");
    if tables.len() > MAX_RESOLUTIONS {
        r.problem(None, format!("the agenda has {} resolutions; at most {MAX_RESOLUTIONS} are accepted", tables.len()));
        return r.finish(None);
    }
    let tables_empty = tables.is_empty();
    let mut out = Vec::new();
    for t in tables {
        let w = "a [[resolution]]";
        r.unknown_keys(t, &["title", "kind", "board_approved"], w);
        let title = r.string(t, "title", w, true);
        let kind_span = t.get("kind").and_then(|i| i.span());
        let kind = match r.string(t, "kind", w, true) {
            Some(k) => match ResolutionKind::parse(&k) {
                Some(k) => Some(k),
                None => {
                    r.problem(kind_span, format!("kind '{k}' is not ordinary or extraordinary"));
                    None
                }
            },
            None => None,
        };
        let board_approved = r.boolean(t, "board_approved", w).unwrap_or(true);
        if let Some(title) = &title {
            if title.trim().is_empty() || title.chars().count() > 500 {
                r.problem(t.span(), "a resolution's title must be 1 to 500 characters");
            }
        }
        if let (Some(title), Some(kind)) = (title, kind) {
            out.push(Resolution { title: title.trim().to_string(), kind, board_approved });
        }
    }
    if tables_empty {
        r.problem(None, "the agenda has no resolution: add [[resolution]] tables with title and kind");
    }
    r.finish(Some(out))
}
