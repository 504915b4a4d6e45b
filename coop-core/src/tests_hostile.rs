//! Hostile input: every parser of the core answers a value or an error, never a panic.

use proptest::prelude::*;

use crate::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn value_parsers_never_panic(s in "(?s).{0,60}") {
        let _ = parse_date(&s);
        let _ = s.parse::<Cents>();
        let _ = s.parse::<Fraction>();
        let _ = s.parse::<Majority>();
        let _ = s.parse::<MemberRef>();
        let _ = Stage::parse(&s);
        let _ = ProjectRole::parse(&s);
        let _ = Choice::parse(&s);
        let _ = PartyKind::parse(&s);
        let _ = ResolutionKind::parse(&s);
    }

    #[test]
    fn digits_and_separators_never_panic(s in "[0-9./,\\- <>=]{0,30}") {
        let _ = parse_date(&s);
        let _ = s.parse::<Cents>();
        let _ = s.parse::<Fraction>();
        let _ = s.parse::<Majority>();
        let _ = s.parse::<MemberRef>();
    }

    /// Accepted amounts round-trip through their display.
    #[test]
    fn accepted_amounts_are_exact(euros in 0i64..1_000_000_000, cents in 0i64..100) {
        let c: Cents = format!("{euros}.{cents:02}").parse().unwrap();
        prop_assert_eq!(c, Cents(euros * 100 + cents));
    }

    #[test]
    fn arbitrary_toml_never_panics(s in "(?s).{0,300}") {
        if let Err(p) = Statutes::from_toml(&s) {
            prop_assert!(!p.is_empty());
        }
        if let Err(p) = parse_agenda(&s) {
            prop_assert!(!p.is_empty());
        }
    }

    /// A valid statutes file damaged anywhere gives statutes or a list of problems.
    #[test]
    fn damaged_statutes_never_panic(pos in 0usize..2000, cut in 0usize..40, junk in "(?s).{0,20}") {
        let good = SAMPLE_STATUTES;
        let mut at = pos.min(good.len());
        while !good.is_char_boundary(at) { at -= 1; }
        let mut end = (at + cut).min(good.len());
        while !good.is_char_boundary(end) { end -= 1; }
        let text = format!("{}{junk}{}", &good[..at], &good[end..]);
        if let Err(p) = Statutes::from_toml(&text) {
            prop_assert!(!p.is_empty());
        }
    }

    /// Stored events of any shape are read or refused, never a panic.
    #[test]
    fn arbitrary_event_json_never_panics(s in "(?s).{0,200}", v in 0u32..4) {
        let _ = upcast(v, &s);
    }
}

#[test]
fn deeply_nested_or_huge_toml_is_refused_not_a_stack_overflow() {
    let deep = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Statutes::from_toml(&deep).is_err());
    let deep_tables = format!("a = {}1{}", "{ b = ".repeat(20_000), " }".repeat(20_000));
    assert!(parse_agenda(&deep_tables).is_err());
    let many: String = (0..10_000).map(|i| format!("[[resolution]]\ntitle = \"R{i}\"\nkind = \"ordinary\"\n")).collect();
    let p = parse_agenda(&many).unwrap_err();
    assert!(p[0].message.contains("10000 resolutions"), "{p:?}");
    let json_deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(upcast(1, &json_deep).is_err());
}
