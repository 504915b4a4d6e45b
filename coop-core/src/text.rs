//! Text as people type it: names compared without regard to case, accents or spacing.

/// Lower case, accents away, spaces trimmed and runs of white space made one: how names, e-mail
/// addresses and spreadsheet columns are compared ("Région  BFC" and "région bfc" are one).
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            match c {
                'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
                'ç' => out.push('c'),
                'é' | 'è' | 'ê' | 'ë' => out.push('e'),
                'î' | 'ï' | 'í' | 'ì' => out.push('i'),
                'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
                'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
                'ÿ' => out.push('y'),
                'ñ' => out.push('n'),
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                '’' => out.push('\''),
                other => out.push(other),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold_text as fold;

    #[test]
    fn case_accents_and_spacing_are_folded() {
        assert_eq!(fold("  Région  BFC "), "region bfc");
        assert_eq!(fold("région bfc"), fold("REGION BFC"));
        assert_eq!(fold("Chambre d’Agriculture"), "chambre d'agriculture");
        assert_eq!(fold("Cœur de Ville"), "coeur de ville");
        assert_ne!(fold("Montval"), fold("Montvalle"));
        assert_eq!(fold(" \t "), "");
    }
}
