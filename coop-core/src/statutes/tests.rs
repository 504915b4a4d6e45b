//! Statutes files read, and every problem the law or the format finds in them listed.

use super::*;

pub const GOOD: &str = crate::SAMPLE_STATUTES;

/// `text` with these `key = value` lines of its [assembly] table replaced (or added).
fn with_assembly(text: &str, lines: &str) -> String {
    let mut out = text.to_string();
    for line in lines.lines() {
        let key = line.split(" =").next().unwrap();
        match out.lines().find(|l| l.starts_with(&format!("{key} ="))).map(str::to_string) {
            Some(old) => out = out.replace(&old, line),
            None => out = out.replacen("[assembly]\n", &format!("[assembly]\n{line}\n"), 1),
        }
    }
    out
}

fn problems(text: &str) -> Vec<String> {
    Statutes::from_toml(text).err().unwrap_or_default().into_iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_valid_file_reads_with_defaults_filled_in() {
    let s = Statutes::from_toml(GOOD).expect("valid");
    assert_eq!(s.categories.len(), 5);
    assert_eq!(s.category("businesses").unwrap().min_shares, 4);
    assert_eq!(s.category("businesses").unwrap().class, "A");
    assert_eq!(s.assembly.notice_days_second, 10);
    assert_eq!(s.assembly.majority_ordinary.to_string(), "> 1/2");
    assert_eq!(s.college_weight("users"), Some(40.0));
    assert_eq!(s.members.loss_of_quality, LossOfQuality::Flag);
}

#[test]
fn every_problem_is_listed_at_once() {
    let bad = r#"
name = "X"
legal_form = "sa"
founded = "2020-01-01"
colour = "red"
[capital]
floor_fraction = "1/5"
minimum_euros = 1000
[[share_class]]
code = "A"
nominal_euros = 10
[[college]]
code = "a"
weight_percent = 60
[[college]]
code = "b"
weight_percent = 30
[[category]]
code = "users"
role = "beneficiaries"
college = "zzz"
class = "B"
"#;
    let p = problems(bad);
    let all = p.join("\n");
    assert!(all.contains("line 5: unknown key 'colour'"), "{all}");
    assert!(all.contains("below 1/4"), "{all}");
    assert!(all.contains("18,500"), "{all}");
    assert!(all.contains("2 colleges are defined"), "{all}");
    assert!(all.contains("weighs 60 %"), "{all}");
    assert!(all.contains("sum to 90 %"), "{all}");
    assert!(all.contains("college 'zzz'"), "{all}");
    assert!(all.contains("share class 'B'"), "{all}");
    assert!(all.contains("1 categories are defined"), "{all}");
    assert!(all.contains("'employees' or 'producers'"), "{all}");
    assert!(all.contains("college 'a' has no category") && all.contains("college 'b' has no category"), "{all}");
    assert_eq!(p.len(), 12, "{all}");
}

#[test]
fn assembly_rules_the_law_forbids_are_refused() {
    // Given SA-form statutes with no notice, no quorum and a dissolution by a tenth of votes.
    let sa = GOOD.replace("legal_form = \"sas\"", "legal_form = \"sa\"").replace("minimum_euros = 0", "minimum_euros = 18500");
    assert!(Statutes::from_toml(&sa).is_ok(), "an SA with the defaults passes: {:?}", problems(&sa));
    let lax = "notice_days = 0\nnotice_days_second = 5\nquorum_ordinary = [\"0\", \"0\"]\nquorum_extraordinary = [\"0\", \"0\"]\nmajority_ordinary = \">= 1/2\"\nmajority_extraordinary = \"> 1/10\"\npostal_days_before = 10\n";
    let all = problems(&with_assembly(&sa, lax)).join("\n");
    // Then each legal floor is named, with its article.
    for needle in [
        "notice_days is 0",
        "notice_days_second is 5",
        "quorum_ordinary on first convocation is 0",
        "quorum_extraordinary is 0 / 0",
        "majority_ordinary is >= 1/2",
        "majority_extraordinary is > 1/10",
        "postal_days_before is 10",
        "R. 225-69",
        "L. 225-96",
    ] {
        assert!(all.contains(needle), "{needle}: {all}");
    }
    // A majority below half and a quorum above 1 are refused whatever the form.
    let sas = with_assembly(GOOD, "quorum_ordinary = [\"2/1\", \"0\"]\nmajority_extraordinary = \"> 1/10\"\n");
    let all = problems(&sas).join("\n");
    assert!(all.contains("above 1") && all.contains("at least half of the votes"), "{all}");
    // The SAS may set its own rules above those floors.
    assert!(Statutes::from_toml(&with_assembly(GOOD, "notice_days = 0\nquorum_ordinary = [\"0\", \"0\"]\n")).is_ok());
}

#[test]
fn at_most_ten_colleges_of_ten_percent_each() {
    let mut text = GOOD.to_string();
    let mut extra = String::new();
    for i in 0..8 {
        extra.push_str(&format!("[[college]]\ncode = \"c{i}\"\n[[category]]\ncode = \"k{i}\"\nrole = \"other\"\ncollege = \"c{i}\"\nclass = \"A\"\nmin_shares = 1\n"));
    }
    text = text.replace("weight_percent = 40\n", "").replace("weight_percent = 30\n", "").replace("weight_percent = 30", "");
    text.push_str(&extra);
    let all = problems(&text).join("\n");
    assert!(all.contains("11 colleges are defined") && all.contains("at most 10"), "{all}");
}

#[test]
fn colleges_at_the_weight_boundaries_are_accepted() {
    let text = GOOD
        .replace("weight_percent = 40", "weight_percent = 50")
        .replace("code = \"supporters\"\nweight_percent = 30", "code = \"supporters\"\nweight_percent = 20");
    assert!(Statutes::from_toml(&text).is_ok(), "{:?}", problems(&text));
    let text = GOOD
        .replace("weight_percent = 40", "weight_percent = 51")
        .replace("code = \"supporters\"\nweight_percent = 30", "code = \"supporters\"\nweight_percent = 19");
    let p = problems(&text).join("\n");
    assert!(p.contains("weighs 51 %"), "{p}");
    assert!(!p.contains("sum to"), "{p}");
}

#[test]
fn equal_colleges_need_no_weights_and_none_is_fine() {
    let text = GOOD.replace("weight_percent = 30\n", "").replace("weight_percent = 40\n", "");
    let s = Statutes::from_toml(&text).expect("equal colleges");
    assert!((s.college_weight("users").unwrap() - 33.333).abs() < 0.01);
}

#[test]
fn producers_replace_employees() {
    let text = GOOD.replace("role = \"employees\"", "role = \"producers\"");
    assert!(Statutes::from_toml(&text).is_ok());
    let text = GOOD.replace("role = \"beneficiaries\"", "role = \"other\"");
    assert!(problems(&text).join(" ").contains("'beneficiaries'"));
}

#[test]
fn invalid_toml_is_one_problem_with_a_line() {
    let p = problems("name = \"x\"\nlegal_form = sas\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("line 2: not valid TOML"), "{p:?}");
}

#[test]
fn sa_with_enough_capital_passes_and_floor_uses_the_legal_minimum() {
    let text = GOOD.replace("legal_form = \"sas\"", "legal_form = \"sa\"").replace("minimum_euros = 0", "minimum_euros = 18500");
    let s = Statutes::from_toml(&text).expect("SA");
    assert_eq!(s.capital_floor(Cents::from_euros(100_000)), Cents::from_euros(25_000));
    assert_eq!(s.capital_floor(Cents::from_euros(20_000)), Cents::from_euros(18_500));
}

#[test]
fn a_sarls_majority_bases_may_ask_more_than_the_law_never_less() {
    let sarl = GOOD.replace("legal_form = \"sas\"", "legal_form = \"sarl\"");
    assert!(Statutes::from_toml(&sarl).is_ok(), "the law's bases by default: {:?}", problems(&sarl));
    let lax = with_assembly(&sarl, "majority_base_ordinary = \"cast\"\nmajority_base_extraordinary = [\"cast\", \"present\"]\n");
    let all = problems(&lax).join("\n");
    assert!(all.contains("L. 223-29") && all.contains("L. 223-30"), "{all}");
    let strict = with_assembly(&sarl, "majority_base_ordinary = [\"members\", \"members\"]\nmajority_base_extraordinary = \"members\"\n");
    assert!(Statutes::from_toml(&strict).is_ok(), "{:?}", problems(&strict));
    let typo = with_assembly(GOOD, "majority_base_ordinary = \"everyone\"\n");
    assert!(problems(&typo).join("\n").contains("cast, present or members"), "{:?}", problems(&typo));
    // An SAS may choose any base; by default, the votes cast.
    let sas = Statutes::from_toml(&with_assembly(GOOD, "majority_base_extraordinary = \"present\"\n")).unwrap();
    assert_eq!(sas.assembly.majority_base_ordinary, [MajorityBase::Cast; 2]);
    assert_eq!(sas.assembly.majority_base_extraordinary, [MajorityBase::Present; 2]);
}

#[test]
fn statutes_problems_are_one_error_value_for_applications() {
    fn as_error(e: &dyn std::error::Error) -> String {
        e.to_string()
    }
    let bad = GOOD.replace("legal_form = \"sas\"", "legal_form = \"cooperative\"").replace("notice_days = 15", "notice_days = -1");
    let err = Statutes::parse(&bad).unwrap_err();
    assert_eq!(err.0.len(), problems(&bad).len());
    let text = as_error(&err);
    assert!(text.starts_with(&format!("{} problems: ", err.0.len())) && text.contains("legal_form"), "{text}");
    assert!(Statutes::parse(GOOD).is_ok());
}

#[test]
fn a_college_may_carry_its_name_for_the_documents() {
    let st = Statutes::from_toml(GOOD).unwrap();
    let workers = st.colleges.iter().find(|c| c.code == "workers").unwrap();
    assert_eq!(workers.label(), "Collège des salariés");
    let unnamed = Statutes::from_toml(&GOOD.replace("name = \"Collège des salariés\"\n", "")).unwrap();
    assert_eq!(unnamed.colleges[0].name, None);
    assert_eq!(unnamed.colleges[0].label(), "workers", "the code stands in for a missing name");
    let blank = Statutes::from_toml(&GOOD.replace("name = \"Collège des salariés\"", "name = \"  \"")).unwrap();
    assert_eq!(blank.colleges[0].name, None, "a blank name is no name");
}
