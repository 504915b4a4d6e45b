//! Reading a statutes file: a walk over the parsed TOML that collects every problem with its
//! line instead of stopping at the first, the typed readers of values (amounts, fractions,
//! majorities, dates), and the reading of each section of the statutes. The agenda file is
//! read with the same `Reader`.

use std::collections::BTreeSet;

use toml_edit::{ImDocument, Item, Table, Value};

use super::*;
use crate::assembly::ResolutionKind;
use crate::units::{parse_date, Cents, Fraction, Majority};

/// Walks a parsed TOML document, collecting problems rather than stopping at the first.
pub(crate) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Reader { text, problems: Vec::new() }
    }

    pub(crate) fn line_of(&self, span: Option<std::ops::Range<usize>>) -> Option<usize> {
        span.map(|r| self.text[..r.start.min(self.text.len())].matches('\n').count() + 1)
    }

    pub(crate) fn problem(&mut self, span: Option<std::ops::Range<usize>>, message: impl Into<String>) {
        let line = self.line_of(span);
        self.problems.push(Problem { line, message: message.into() });
    }

    pub(crate) fn parse(&mut self) -> Option<ImDocument<&'a str>> {
        match ImDocument::parse(self.text) {
            Ok(d) => Some(d),
            Err(e) => {
                let msg = e.message().trim().to_string();
                self.problem(e.span(), format!("not valid TOML: {msg}"));
                None
            }
        }
    }

    /// Reports every key of `table` that is not in `known`, with its line.
    pub(crate) fn unknown_keys(&mut self, table: &Table, known: &[&str], where_: &str) {
        for (k, _) in table.iter() {
            if !known.contains(&k) {
                let span = table.key(k).and_then(|key| key.span());
                self.problem(span, format!("unknown key '{k}' in {where_}; accepted keys: {}", known.join(", ")));
            }
        }
    }

    pub(super) fn span_of(table: &Table, key: &str) -> Option<std::ops::Range<usize>> {
        table.get(key).and_then(|i| i.span()).or_else(|| table.key(key).and_then(|k| k.span()))
    }

    pub(crate) fn value<'t>(&mut self, table: &'t Table, key: &str, where_: &str, required: bool) -> Option<&'t Value> {
        match table.get(key) {
            None => {
                if required {
                    let span = table.span();
                    self.problem(span, format!("{where_} lacks the required key '{key}'"));
                }
                None
            }
            Some(Item::Value(v)) => Some(v),
            Some(other) => {
                let span = other.span().or_else(|| table.key(key).and_then(|k| k.span()));
                self.problem(span, format!("'{key}' in {where_} must be a value, not a table"));
                None
            }
        }
    }

    pub(crate) fn string(&mut self, table: &Table, key: &str, where_: &str, required: bool) -> Option<String> {
        let v = self.value(table, key, where_, required)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.problem(v.span(), format!("'{key}' in {where_} must be a string in quotes"));
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, table: &Table, key: &str, where_: &str) -> Option<bool> {
        let v = self.value(table, key, where_, false)?;
        match v.as_bool() {
            Some(b) => Some(b),
            None => {
                self.problem(v.span(), format!("'{key}' in {where_} must be true or false"));
                None
            }
        }
    }

    pub(crate) fn uint(&mut self, table: &Table, key: &str, where_: &str, max: i64) -> Option<u32> {
        let v = self.value(table, key, where_, false)?;
        match v.as_integer() {
            Some(i) if (0..=max).contains(&i) => Some(i as u32),
            _ => {
                self.problem(v.span(), format!("'{key}' in {where_} must be a whole number from 0 to {max}"));
                None
            }
        }
    }

    pub(crate) fn euros(&mut self, table: &Table, key: &str, where_: &str) -> Option<Cents> {
        let v = self.value(table, key, where_, false)?;
        let parsed = match v {
            Value::Integer(i) if (0..=1_000_000_000_000).contains(i.value()) => Some(Cents(i.value() * 100)),
            Value::Float(f) => format!("{}", f.value()).parse::<Cents>().ok(),
            Value::String(s) => s.value().parse::<Cents>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.problem(v.span(), format!("'{key}' in {where_} must be an amount in euros such as 50 or 12.50"));
        }
        parsed
    }

    pub(super) fn fraction(&mut self, table: &Table, key: &str, where_: &str) -> Option<Fraction> {
        let span = Self::span_of(table, key);
        let s = self.string(table, key, where_, false)?;
        match s.parse::<Fraction>() {
            Ok(f) => Some(f),
            Err(e) => {
                self.problem(span, format!("'{key}' in {where_}: {e}"));
                None
            }
        }
    }

    pub(super) fn majority(&mut self, table: &Table, key: &str, where_: &str) -> Option<Majority> {
        let span = Self::span_of(table, key);
        let s = self.string(table, key, where_, false)?;
        match s.parse::<Majority>() {
            Ok(m) => Some(m),
            Err(e) => {
                self.problem(span, format!("'{key}' in {where_}: {e}"));
                None
            }
        }
    }

    /// A majority base for both convocations (`"present"`) or for each (`["members", "cast"]`).
    pub(super) fn base_pair(&mut self, table: &Table, key: &str, where_: &str) -> Option<[MajorityBase; 2]> {
        let v = self.value(table, key, where_, false)?;
        let span = v.span();
        let parsed = match v {
            Value::String(s) => MajorityBase::parse(s.value()).map(|b| [b, b]),
            Value::Array(a) if a.len() == 2 => {
                let b: Vec<MajorityBase> = a.iter().filter_map(|x| x.as_str().and_then(MajorityBase::parse)).collect();
                (b.len() == 2).then(|| [b[0], b[1]])
            }
            _ => None,
        };
        if parsed.is_none() {
            self.problem(
                span,
                format!("'{key}' in {where_} is cast, present or members, or two of them for the first and second convocation, such as [\"members\", \"cast\"]"),
            );
        }
        parsed
    }

    pub(super) fn fraction_pair(&mut self, table: &Table, key: &str, where_: &str) -> Option<[Fraction; 2]> {
        let v = self.value(table, key, where_, false)?;
        let span = v.span();
        let parsed = v.as_array().and_then(|a| {
            if a.len() != 2 {
                return None;
            }
            let f: Vec<Fraction> = a.iter().filter_map(|x| x.as_str().and_then(|s| s.parse().ok())).collect();
            (f.len() == 2).then(|| [f[0], f[1]])
        });
        if parsed.is_none() {
            self.problem(
                span,
                format!("'{key}' in {where_} must be two fractions in quotes, first and second convocation, such as [\"1/4\", \"1/5\"]"),
            );
        }
        parsed
    }

    /// The tables of an array of tables such as `[[category]]`.
    pub(crate) fn tables<'t>(&mut self, root: &'t Table, key: &str) -> Vec<&'t Table> {
        match root.get(key) {
            None => Vec::new(),
            Some(Item::ArrayOfTables(a)) => a.iter().collect(),
            Some(other) => {
                let span = other.span().or_else(|| root.key(key).and_then(|k| k.span()));
                self.problem(span, format!("'{key}' must be written as [[{key}]] tables"));
                Vec::new()
            }
        }
    }

    pub(super) fn table<'t>(&mut self, root: &'t Table, key: &str) -> Option<&'t Table> {
        match root.get(key) {
            None => None,
            Some(Item::Table(t)) => Some(t),
            Some(other) => {
                let span = other.span().or_else(|| root.key(key).and_then(|k| k.span()));
                self.problem(span, format!("'{key}' must be a [{key}] table"));
                None
            }
        }
    }

    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Problem>> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => {
                let mut p = self.problems;
                if p.is_empty() {
                    p.push(Problem { line: None, message: "the file could not be read".into() });
                }
                p.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
                Err(p)
            }
        }
    }

    pub(super) fn read(mut self) -> Result<Statutes, Vec<Problem>> {
        let Some(doc) = self.parse() else { return self.finish(None) };
        let root = doc.as_table();
        self.unknown_keys(
            root,
            &[
                "name",
                "legal_form",
                "founded",
                "capital",
                "share_class",
                "college",
                "category",
                "assembly",
                "members",
                "permissions",
                "board",
            ],
            "the statutes",
        );
        let name = self.string(root, "name", "the statutes", false).unwrap_or_default();
        let legal_form = {
            let span = Self::span_of(root, "legal_form");
            match self.string(root, "legal_form", "the statutes", true).as_deref() {
                Some("sa") => Some(LegalForm::Sa),
                Some("sas") => Some(LegalForm::Sas),
                Some("sarl") => Some(LegalForm::Sarl),
                Some(other) => {
                    self.problem(span, format!("legal_form '{other}' is not one of sa, sas, sarl"));
                    None
                }
                None => None,
            }
        };
        let founded = {
            let span = Self::span_of(root, "founded");
            match self.string(root, "founded", "the statutes", true) {
                Some(s) => match parse_date(&s) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        self.problem(span, format!("founded: {e}"));
                        None
                    }
                },
                None => None,
            }
        };

        // [capital]
        let empty = Table::new();
        let cap = self.table(root, "capital").unwrap_or(&empty);
        let w = "[capital]";
        self.unknown_keys(
            cap,
            &[
                "floor_fraction",
                "minimum_euros",
                "public_bodies_max_percent",
                "reimbursement_delay_days",
                "reimbursement_delay_months",
                "interest_rate_cap_percent",
            ],
            w,
        );
        let floor_fraction = self.fraction(cap, "floor_fraction", w).unwrap_or(Fraction::QUARTER);
        if floor_fraction.less_than(Fraction::QUARTER) {
            self.problem(Self::span_of(cap, "floor_fraction"), format!("floor_fraction {floor_fraction} is below 1/4: the law forbids capital to fall below a quarter of the highest capital reached"));
        }
        if floor_fraction.num() > floor_fraction.den() {
            self.problem(
                Self::span_of(cap, "floor_fraction"),
                format!("floor_fraction {floor_fraction} is above 1: accepted values are from 1/4 to 1"),
            );
        }
        let minimum_cents = self.euros(cap, "minimum_euros", w).unwrap_or(Cents::ZERO);
        if let Some(LegalForm::Sa) = legal_form {
            if minimum_cents < LegalForm::Sa.legal_minimum() {
                let span = Self::span_of(cap, "minimum_euros").or_else(|| Self::span_of(root, "legal_form"));
                self.problem(span, format!("an SA needs a minimum capital of at least 18,500 euros; minimum_euros is {}", minimum_cents));
            }
        }
        let public_bodies_max_percent = self.uint(cap, "public_bodies_max_percent", w, 100).unwrap_or(50);
        if public_bodies_max_percent > 50 {
            self.problem(Self::span_of(cap, "public_bodies_max_percent"), format!("public_bodies_max_percent {public_bodies_max_percent} is above 50: public bodies may hold at most half of the capital (law)"));
        }
        let reimbursement_delay_days = self.uint(cap, "reimbursement_delay_days", w, 36_500).unwrap_or(1825);
        let reimbursement_delay_months = self.uint(cap, "reimbursement_delay_months", w, 1_200);
        // A percentage with at most two decimals, from 0 to 100, kept in hundredths.
        let interest_rate_cap_bp = cap.get("interest_rate_cap_percent").and_then(|item| {
            let text = match item.as_value() {
                Some(Value::Float(f)) => format!("{}", f.value()),
                Some(Value::Integer(i)) => i.value().to_string(),
                Some(Value::String(s)) => s.value().trim().trim_end_matches('%').trim().to_string(),
                _ => String::new(),
            };
            match text.parse::<Cents>() {
                Ok(c) if c.0 <= 10_000 => Some(c.0 as u32),
                _ => {
                    self.problem(
                        item.span(),
                        "'interest_rate_cap_percent' in [capital] is a percentage from 0 to 100 with at most two decimals, such as 4.25",
                    );
                    None
                }
            }
        });
        if reimbursement_delay_months.is_some() && cap.contains_key("reimbursement_delay_days") {
            self.problem(
                Self::span_of(cap, "reimbursement_delay_months"),
                "give the reimbursement delay once: reimbursement_delay_months or reimbursement_delay_days, not both",
            );
        }

        // [[share_class]]
        let mut share_classes = Vec::new();
        let mut seen = BTreeSet::new();
        for t in self.tables(root, "share_class") {
            let w = "a [[share_class]]";
            self.unknown_keys(t, &["code", "nominal_euros"], w);
            let code = self.string(t, "code", w, true);
            let nominal = self.euros(t, "nominal_euros", w);
            if nominal.is_none() && t.get("nominal_euros").is_none() {
                self.problem(t.span(), "a [[share_class]] lacks the required key 'nominal_euros'");
            }
            if let (Some(code), Some(nominal)) = (code, nominal) {
                if nominal <= Cents::ZERO {
                    self.problem(Self::span_of(t, "nominal_euros"), format!("share class '{code}' must have a nominal value above zero"));
                }
                if !seen.insert(code.clone()) {
                    self.problem(Self::span_of(t, "code"), format!("share class '{code}' is defined twice"));
                }
                share_classes.push(ShareClass { code, nominal_cents: nominal });
            }
        }
        if share_classes.is_empty() && !self.problems.iter().any(|p| p.message.contains("share_class")) {
            self.problem(None, "the statutes define no share class: add a [[share_class]] with a code and nominal_euros");
        }

        // [[college]]
        let mut colleges: Vec<College> = Vec::new();
        let mut college_spans = Vec::new();
        for t in self.tables(root, "college") {
            let w = "a [[college]]";
            self.unknown_keys(t, &["code", "weight_percent", "name"], w);
            let code = self.string(t, "code", w, true);
            let weight = self.uint(t, "weight_percent", w, 100);
            let name = self.string(t, "name", w, false).map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
            if let Some(code) = code {
                if colleges.iter().any(|c| c.code == code) {
                    self.problem(Self::span_of(t, "code"), format!("college '{code}' is defined twice"));
                }
                college_spans.push(Self::span_of(t, "weight_percent").or(t.span()));
                colleges.push(College { code, weight_percent: weight, name });
            }
        }
        if colleges.len() > 10 {
            // Each college weighs at least 10 % of the votes (L. 1947 art. 19 octies): at most ten.
            self.problem(
                root.get("college").and_then(|i| i.span()),
                format!(
                    "{} colleges are defined: each college must weigh at least 10 % of the votes, so there are at most 10 (law)",
                    colleges.len()
                ),
            );
        }
        if !colleges.is_empty() && colleges.len() < 3 {
            self.problem(
                root.get("college").and_then(|i| i.span()),
                format!("{} colleges are defined: statutes that use colleges need at least 3 (law)", colleges.len()),
            );
        }
        let weighted = colleges.iter().filter(|c| c.weight_percent.is_some()).count();
        if weighted > 0 {
            if weighted < colleges.len() {
                self.problem(
                    None,
                    "some colleges have a weight_percent and others do not: give every college a weight, or none for equal colleges",
                );
            }
            for (c, span) in colleges.iter().zip(college_spans.iter()) {
                if let Some(w) = c.weight_percent {
                    if !(10..=50).contains(&w) {
                        self.problem(
                            span.clone(),
                            format!("college '{}' weighs {w} %: each college must weigh from 10 % to 50 % of the votes (law)", c.code),
                        );
                    }
                }
            }
            let sum: u32 = colleges.iter().filter_map(|c| c.weight_percent).sum();
            if weighted == colleges.len() && sum != 100 {
                self.problem(None, format!("college weights sum to {sum} %: they must sum to 100 %"));
            }
        }

        // [[category]]
        let mut categories: Vec<Category> = Vec::new();
        for t in self.tables(root, "category") {
            let w = "a [[category]]";
            self.unknown_keys(t, &["code", "role", "college", "class", "min_shares"], w);
            let code = self.string(t, "code", w, true);
            let role_span = Self::span_of(t, "role");
            let role = match self.string(t, "role", w, true) {
                Some(r) => match Role::parse(&r) {
                    Some(r) => Some(r),
                    None => {
                        self.problem(
                            role_span,
                            format!("role '{r}' is not one of employees, producers, beneficiaries, volunteers, public, other"),
                        );
                        None
                    }
                },
                None => None,
            };
            let college = self.string(t, "college", w, false);
            let class = self.string(t, "class", w, false);
            let min_shares = self.uint(t, "min_shares", w, 1_000_000).unwrap_or(1);
            let Some(code) = code else { continue };
            if categories.iter().any(|c| c.code == code) {
                self.problem(Self::span_of(t, "code"), format!("category '{code}' is defined twice"));
            }
            if let Some(col) = &college {
                if !colleges.iter().any(|c| &c.code == col) {
                    let known: Vec<&str> = colleges.iter().map(|c| c.code.as_str()).collect();
                    self.problem(
                        Self::span_of(t, "college"),
                        format!(
                            "category '{code}' names college '{col}', which the statutes do not define (defined: {})",
                            if known.is_empty() { "none".to_string() } else { known.join(", ") }
                        ),
                    );
                }
            } else if !colleges.is_empty() {
                self.problem(t.span(), format!("category '{code}' names no college: when colleges are used, every category votes in one"));
            }
            let class = match class {
                Some(cl) => {
                    if !share_classes.iter().any(|s| s.code == cl) && !share_classes.is_empty() {
                        let known: Vec<&str> = share_classes.iter().map(|c| c.code.as_str()).collect();
                        self.problem(
                            Self::span_of(t, "class"),
                            format!(
                                "category '{code}' names share class '{cl}', which the statutes do not define (defined: {})",
                                known.join(", ")
                            ),
                        );
                    }
                    cl
                }
                None => share_classes.first().map(|s| s.code.clone()).unwrap_or_default(),
            };
            if min_shares == 0 {
                self.problem(
                    Self::span_of(t, "min_shares"),
                    format!("category '{code}' has min_shares 0: every member subscribes at least one share"),
                );
            }
            if let Some(role) = role {
                categories.push(Category { code, role, college, class, min_shares });
            }
        }
        if categories.len() < 3 {
            self.problem(None, format!("{} categories are defined: a SCIC needs at least 3 categories of members (law)", categories.len()));
        }
        if !categories.iter().any(|c| c.role == Role::Beneficiaries) {
            self.problem(None, "no category has role 'beneficiaries': habitual beneficiaries are a mandatory category (law)");
        }
        for (c, span) in colleges.iter().zip(college_spans.iter()) {
            if !categories.iter().any(|cat| cat.college.as_deref() == Some(c.code.as_str())) {
                self.problem(
                    span.clone(),
                    format!("college '{}' has no category voting in it: every college gathers at least one category (give one `college = \"{}\"`, or remove the college)", c.code, c.code),
                );
            }
        }
        if !categories.iter().any(|c| matches!(c.role, Role::Employees | Role::Producers)) {
            self.problem(None, "no category has role 'employees' or 'producers': employees (or producers, where the SCIC has no employees) are a mandatory category (law)");
        }

        // [assembly]
        let asm = self.table(root, "assembly").unwrap_or(&empty);
        let w = "[assembly]";
        self.unknown_keys(
            asm,
            &[
                "notice_days",
                "notice_days_second",
                "quorum_ordinary",
                "quorum_extraordinary",
                "majority_ordinary",
                "majority_extraordinary",
                "college_method",
                "max_proxies_per_holder",
                "proxies_same_college",
                "college_block_threshold",
                "quorum_by_college",
                "postal_days_before",
                "financial_year_end",
                "secret_ballot",
                "roll_cutoff_days",
                "attendance_revokes_proxy",
                "remote_attendance",
                "majority_base_ordinary",
                "majority_base_extraordinary",
            ],
            w,
        );
        let college_method = {
            let span = Self::span_of(asm, "college_method");
            match self.string(asm, "college_method", w, false).as_deref() {
                None | Some("proportional") => CollegeMethod::Proportional,
                Some("majority") => CollegeMethod::Majority,
                Some("block") => CollegeMethod::Block,
                Some(other) => {
                    self.problem(span, format!("college_method '{other}' is not one of proportional, majority, block"));
                    CollegeMethod::Proportional
                }
            }
        };
        // A cap on proxies written as a fraction of the members ("1/20"), or a count.
        let proxy_fraction = match asm.get("max_proxies_per_holder").and_then(|i| i.as_str()) {
            Some(_) => {
                let f = self.fraction(asm, "max_proxies_per_holder", w);
                if f.is_some_and(|f| f.num() == 0 || f.num() > f.den()) {
                    self.problem(
                        Self::span_of(asm, "max_proxies_per_holder"),
                        "max_proxies_per_holder as a fraction of the members is above 0 and at most 1, such as \"1/20\"",
                    );
                }
                f
            }
            None => None,
        };
        let assembly = AssemblyRules {
            notice_days: self.uint(asm, "notice_days", w, 365).unwrap_or(15),
            notice_days_second: self.uint(asm, "notice_days_second", w, 365).unwrap_or(10),
            quorum_ordinary: self.fraction_pair(asm, "quorum_ordinary", w).unwrap_or([Fraction::FIFTH, Fraction::ZERO]),
            quorum_extraordinary: self.fraction_pair(asm, "quorum_extraordinary", w).unwrap_or([Fraction::QUARTER, Fraction::FIFTH]),
            majority_ordinary: self.majority(asm, "majority_ordinary", w).unwrap_or(Majority { strict: true, threshold: Fraction::HALF }),
            majority_extraordinary: self
                .majority(asm, "majority_extraordinary", w)
                .unwrap_or(Majority { strict: false, threshold: Fraction::TWO_THIRDS }),
            college_method,
            max_proxies_per_holder: if proxy_fraction.is_some() {
                0
            } else {
                self.uint(asm, "max_proxies_per_holder", w, 1_000_000).unwrap_or(0)
            },
            max_proxies_fraction: proxy_fraction,
            proxies_same_college: self.boolean(asm, "proxies_same_college", w).unwrap_or(false),
            college_block_threshold: self.fraction(asm, "college_block_threshold", w),
            quorum_by_college: self.boolean(asm, "quorum_by_college", w).unwrap_or(false),
            postal_days_before: self.uint(asm, "postal_days_before", w, 365).unwrap_or(3),
            secret_ballot: self.boolean(asm, "secret_ballot", w).unwrap_or(false),
            roll_cutoff_days: self.uint(asm, "roll_cutoff_days", w, 365),
            attendance_revokes_proxy: self.boolean(asm, "attendance_revokes_proxy", w).unwrap_or(true),
            remote_attendance: self.boolean(asm, "remote_attendance", w).unwrap_or(true),
            majority_base_ordinary: self
                .base_pair(asm, "majority_base_ordinary", w)
                .unwrap_or_else(|| MajorityBase::defaults(ResolutionKind::Ordinary, legal_form)),
            majority_base_extraordinary: self
                .base_pair(asm, "majority_base_extraordinary", w)
                .unwrap_or_else(|| MajorityBase::defaults(ResolutionKind::Extraordinary, legal_form)),
            financial_year_end: {
                let span = Self::span_of(asm, "financial_year_end");
                match self.string(asm, "financial_year_end", w, false) {
                    None => default_year_end(),
                    Some(t) => match parse_date(&format!("2001-{t}")) {
                        Ok(d) => (chrono::Datelike::month(&d), chrono::Datelike::day(&d)),
                        Err(_) => {
                            self.problem(span, format!("financial_year_end '{t}' is not a month and day such as \"12-31\""));
                            default_year_end()
                        }
                    },
                }
            },
        };

        match (assembly.college_method, assembly.college_block_threshold) {
            (CollegeMethod::Block, None) => self.problem(
                Self::span_of(asm, "college_method"),
                "college_method \"block\" needs college_block_threshold: the weight of the colleges for a resolution that adopts it, such as \"3/5\"",
            ),
            (CollegeMethod::Block, Some(f)) if f.num() == 0 || f.num() > f.den() => {
                self.problem(Self::span_of(asm, "college_block_threshold"), "college_block_threshold is above 0 and at most 1, such as \"3/5\"")
            }
            (CollegeMethod::Proportional | CollegeMethod::Majority, Some(_)) => self.problem(
                Self::span_of(asm, "college_block_threshold"),
                "college_block_threshold applies to college_method = \"block\" only",
            ),
            _ => {}
        }
        self.assembly_law(asm, &assembly, legal_form);

        // [board]
        let brd = self.table(root, "board").unwrap_or(&empty);
        self.unknown_keys(brd, &["mandate_years", "min_members", "max_members"], "[board]");
        let sa = legal_form == Some(LegalForm::Sa);
        let board = BoardRules {
            mandate_years: self.uint(brd, "mandate_years", "[board]", 99).unwrap_or(6),
            min_members: self.uint(brd, "min_members", "[board]", 1_000).or(sa.then_some(3)),
            max_members: self.uint(brd, "max_members", "[board]", 1_000).or(sa.then_some(18)),
        };
        if sa && board.mandate_years > 6 {
            self.problem(
                Self::span_of(brd, "mandate_years"),
                format!(
                    "mandate_years {} is above 6: an SA's administrators are elected for at most 6 years (L. 225-18)",
                    board.mandate_years
                ),
            );
        }
        if sa && (board.min_members.is_some_and(|m| m < 3) || board.max_members.is_some_and(|m| m > 18)) {
            self.problem(brd.span(), "an SA's board has 3 to 18 members (L. 225-17): min_members at least 3, max_members at most 18");
        }
        if board.mandate_years == 0 {
            self.problem(Self::span_of(brd, "mandate_years"), "mandate_years is at least 1");
        }
        if let (Some(lo), Some(hi)) = (board.min_members, board.max_members) {
            if lo > hi {
                self.problem(brd.span(), format!("min_members {lo} is above max_members {hi}"));
            }
        }

        // [members]
        let mem = self.table(root, "members").unwrap_or(&empty);
        self.unknown_keys(mem, &["loss_of_quality", "retention_days"], "[members]");
        let retention_days = self.uint(mem, "retention_days", "[members]", 36_500).unwrap_or_else(default_retention);
        let loss_of_quality = {
            let span = Self::span_of(mem, "loss_of_quality");
            match self.string(mem, "loss_of_quality", "[members]", false).as_deref() {
                None | Some("flag") => LossOfQuality::Flag,
                Some("end") => LossOfQuality::End,
                Some(other) => {
                    self.problem(span, format!("loss_of_quality '{other}' is not one of flag, end"));
                    LossOfQuality::Flag
                }
            }
        };

        // [permissions]
        let perm = self.table(root, "permissions").unwrap_or(&empty);
        let actions: Vec<&str> = ACTIONS.iter().map(|(a, _)| *a).collect();
        self.unknown_keys(perm, &actions, "[permissions]");
        let mut permissions = Permissions::default();
        for (action, _) in ACTIONS {
            let Some(v) = self.value(perm, action, "[permissions]", false) else { continue };
            let span = v.span();
            let list: Option<Vec<Entitled>> =
                v.as_array().and_then(|a| a.iter().map(|x| x.as_str().and_then(Entitled::parse)).collect::<Option<Vec<_>>>());
            match list {
                Some(l) if !l.is_empty() => {
                    permissions.0.insert(action.to_string(), l);
                }
                _ => self.problem(
                    span,
                    format!("'{action}' in [permissions] must list who may do it, among \"board\", \"chair\", \"secretary\", \"assembly-officers\""),
                ),
            }
        }

        let statutes = match (legal_form, founded) {
            (Some(legal_form), Some(founded)) => Some(Statutes {
                name,
                legal_form,
                founded,
                capital: CapitalRules {
                    floor_fraction,
                    minimum_cents,
                    public_bodies_max_percent,
                    reimbursement_delay_days,
                    reimbursement_delay_months,
                    interest_rate_cap_bp,
                },
                share_classes,
                colleges,
                categories,
                assembly,
                members: MemberRules { loss_of_quality, retention_days },
                permissions,
                board,
            }),
            _ => None,
        };
        self.finish(statutes)
    }
}
