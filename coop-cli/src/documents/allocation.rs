//! The computation an allocation of surplus shows on the convocations and in the minutes: each
//! part beside the least (or most) the law allows, with the article.

use coop_core::money::Allocation;
use coop_core::{Cents, Resolution};

use super::*;
use crate::args::Lang;

/// The lines for resolution `n` of `agenda` when it allocates a surplus: the result it shares
/// out (from the accounts resolution before it), then each part with its legal bound.
pub(super) fn allocation_block(lang: Lang, agenda: &[Resolution], n: usize, interest_max: Option<Cents>) -> Option<Block> {
    let a: &Allocation = agenda.get(n)?.allocation.as_ref()?;
    let surplus = agenda[..n].iter().rev().find_map(|r| r.result_cents)?;
    let (legal_min, impartible_min) = (coop_core::money::share_ceil(surplus, 15, 100), coop_core::money::share_ceil(surplus, 575, 1000));
    let impartible = Cents(a.legal_reserve_cents.0 + a.statutory_reserve_cents.0);
    let law = |art: &str| match lang {
        Lang::Fr => format!("art. {art} de la loi du 10 septembre 1947"),
        Lang::En => format!("art. {art} of the law of 10 September 1947"),
    };
    let mut lines = vec![
        format!("{} {}", tr(lang, "Excédent à affecter :", "Surplus to allocate:"), euros(lang, surplus)),
        format!(
            "{} {} ({} {}, 15 % ; {})",
            tr(lang, "réserve légale :", "legal reserve:"),
            euros(lang, a.legal_reserve_cents),
            tr(lang, "au moins", "at least"),
            euros(lang, legal_min),
            law("16")
        ),
        format!("{} {}", tr(lang, "réserve statutaire :", "statutory reserve:"), euros(lang, a.statutory_reserve_cents)),
        format!(
            "{} {} ({} {}, 57,5 % ; {})",
            tr(lang, "réserves impartageables en tout :", "impartible reserves in all:"),
            euros(lang, impartible),
            tr(lang, "au moins", "at least"),
            euros(lang, impartible_min),
            law("19 nonies")
        ),
        match interest_max {
            Some(max) => format!(
                "{} {} ({} {} ; {})",
                tr(lang, "intérêts aux parts :", "interest on shares:"),
                euros(lang, a.interest_cents),
                tr(lang, "au plus", "at most"),
                euros(lang, max),
                law("14")
            ),
            None => format!("{} {}", tr(lang, "intérêts aux parts :", "interest on shares:"), euros(lang, a.interest_cents)),
        },
        format!("{} {}", tr(lang, "report à nouveau :", "carried forward:"), euros(lang, a.carried_forward_cents)),
    ];
    if lang == Lang::En {
        lines = lines.into_iter().map(|l| l.replace(" ; ", "; ").replace("57,5 %", "57.5 %")).collect();
    }
    Some(Block::List(lines))
}
