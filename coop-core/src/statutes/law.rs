//! The law an SCIC's assembly rules must keep, checked as its statutes are read.

use toml_edit::Table;

use super::{AssemblyRules, LegalForm, MajorityBase, Reader};
use crate::units::Fraction;

impl Reader<'_> {
    /// The assembly rules the law allows: fractions of members (quorums) from 0 to 1, majorities
    /// of at least half the votes and at most all of them; for an SA, the legal floors of the
    /// Commercial Code (notice: R. 225-69, 15 days, 10 on second convocation; quorum: L. 225-98
    /// (ordinary, 1/5 on first convocation) and L. 225-96 (extraordinary, 1/4 then 1/5);
    /// majorities: L. 225-98 (ordinary, more than half of the votes cast) and L. 225-96
    /// (extraordinary, two thirds); postal forms: R. 225-77, at most 3 days before the meeting).
    pub(super) fn assembly_law(&mut self, asm: &Table, a: &AssemblyRules, form: Option<LegalForm>) {
        let w = "[assembly]";
        for (key, pair) in [("quorum_ordinary", a.quorum_ordinary), ("quorum_extraordinary", a.quorum_extraordinary)] {
            if pair.iter().any(|f| f.num() > f.den()) {
                self.problem(
                    Self::span_of(asm, key),
                    format!("'{key}' in {w} is a share of the members, from 0 to 1: {} / {} is above 1", pair[0], pair[1]),
                );
            }
        }
        for (key, m) in [("majority_ordinary", a.majority_ordinary), ("majority_extraordinary", a.majority_extraordinary)] {
            if m.threshold.less_than(Fraction::HALF) || m.threshold.num() > m.threshold.den() {
                self.problem(
                    Self::span_of(asm, key),
                    format!("'{key}' in {w} is {m}: a majority is at least half of the votes and at most all of them (from \"> 1/2\" to \">= 1\")"),
                );
            }
        }
        if form == Some(LegalForm::Sarl) {
            self.sarl_law(asm, a);
        }
        if form != Some(LegalForm::Sa) {
            return;
        }
        let sa = |what: &str, law: &str| format!("{what}: the law requires {law} for an SA (Commercial Code)");
        if a.notice_days < 15 {
            self.problem(
                Self::span_of(asm, "notice_days"),
                sa(&format!("notice_days is {}", a.notice_days), "at least 15 days (R. 225-69)"),
            );
        }
        if a.notice_days_second < 10 {
            let what = format!("notice_days_second is {}", a.notice_days_second);
            self.problem(Self::span_of(asm, "notice_days_second"), sa(&what, "at least 10 days on second convocation (R. 225-69)"));
        }
        if a.quorum_ordinary[0].less_than(Fraction::FIFTH) {
            let what = format!("quorum_ordinary on first convocation is {}", a.quorum_ordinary[0]);
            self.problem(Self::span_of(asm, "quorum_ordinary"), sa(&what, "at least 1/5 (L. 225-98)"));
        }
        if a.quorum_extraordinary[0].less_than(Fraction::QUARTER) || a.quorum_extraordinary[1].less_than(Fraction::FIFTH) {
            let what = format!("quorum_extraordinary is {} / {}", a.quorum_extraordinary[0], a.quorum_extraordinary[1]);
            self.problem(
                Self::span_of(asm, "quorum_extraordinary"),
                sa(&what, "at least 1/4 on first convocation and 1/5 on second (L. 225-96)"),
            );
        }
        let m = a.majority_ordinary;
        if !(m.strict || Fraction::HALF.less_than(m.threshold)) {
            let what = format!("majority_ordinary is {m}");
            self.problem(Self::span_of(asm, "majority_ordinary"), sa(&what, "more than half of the votes cast, \"> 1/2\" (L. 225-98)"));
        }
        if a.majority_extraordinary.threshold.less_than(Fraction::TWO_THIRDS) {
            let what = format!("majority_extraordinary is {}", a.majority_extraordinary);
            self.problem(Self::span_of(asm, "majority_extraordinary"), sa(&what, "two thirds of the votes cast, \">= 2/3\" (L. 225-96)"));
        }
        if a.postal_days_before > 3 {
            let what = format!("postal_days_before is {}", a.postal_days_before);
            self.problem(
                Self::span_of(asm, "postal_days_before"),
                sa(&what, "postal forms received up to 3 days before the meeting at most (R. 225-77)"),
            );
        }
    }

    /// A SARL's decisions (Commercial Code): ordinary ones by more than half of all the members
    /// on first consultation, then of the votes cast (L. 223-29); extraordinary ones by two
    /// thirds of the members taking part, abstentions counted against, with a quorum of a
    /// quarter then a fifth (L. 223-30). Statutes may ask more, never less.
    fn sarl_law(&mut self, asm: &Table, a: &AssemblyRules) {
        let sarl = |what: &str, law: &str| format!("{what}: the law requires {law} for a SARL (Commercial Code)");
        if a.majority_base_ordinary[0] < MajorityBase::Members {
            let what = format!("majority_base_ordinary on first convocation is {}", a.majority_base_ordinary[0].as_str());
            self.problem(
                Self::span_of(asm, "majority_base_ordinary"),
                sarl(&what, "more than half of all the members, \"members\" (L. 223-29)"),
            );
        }
        if a.majority_base_extraordinary.iter().any(|b| *b < MajorityBase::Present) {
            let what = format!(
                "majority_base_extraordinary is {} / {}",
                a.majority_base_extraordinary[0].as_str(),
                a.majority_base_extraordinary[1].as_str()
            );
            self.problem(
                Self::span_of(asm, "majority_base_extraordinary"),
                sarl(&what, "a share of the members present or represented, abstentions counted against, \"present\" (L. 223-30)"),
            );
        }
        if a.majority_extraordinary.threshold.less_than(Fraction::TWO_THIRDS) {
            let what = format!("majority_extraordinary is {}", a.majority_extraordinary);
            self.problem(Self::span_of(asm, "majority_extraordinary"), sarl(&what, "two thirds, \">= 2/3\" (L. 223-30)"));
        }
        if a.quorum_extraordinary[0].less_than(Fraction::QUARTER) || a.quorum_extraordinary[1].less_than(Fraction::FIFTH) {
            let what = format!("quorum_extraordinary is {} / {}", a.quorum_extraordinary[0], a.quorum_extraordinary[1]);
            self.problem(
                Self::span_of(asm, "quorum_extraordinary"),
                sarl(&what, "at least 1/4 on first convocation and 1/5 on second (L. 223-30)"),
            );
        }
    }
}
