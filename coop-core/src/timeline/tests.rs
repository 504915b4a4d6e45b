//! Given a recorded history, when a fact is entered with an earlier date, then it is placed, or
//! refused naming the first later fact it would break.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

fn m(n: u32) -> MemberRef {
    MemberRef::Number(MemberNo(n))
}

/// A log under test: its facts in timeline order and the current state, written only through
/// [`place`], as a store does.
#[derive(Clone)]
struct History {
    facts: Vec<Fact>,
    now: State,
    ids: u128,
    /// The index of the timeline, kept up to date as a store keeps it.
    index: Index,
    /// How many late commands were placed (or refused) from the index.
    placed_locally: usize,
}

impl History {
    fn new() -> History {
        let statutes = Statutes::from_toml(SAMPLE_STATUTES).unwrap();
        let mut h = History { facts: Vec::new(), now: State::default(), ids: 1, index: Index::default(), placed_locally: 0 };
        let founded = statutes.founded.to_string();
        h.ok(&founded, Command::Found { statutes: Box::new(statutes), founder: None });
        h
    }
    fn enter(&mut self, date: &str, cmd: Command) -> Result<Vec<Event>, Unplaced> {
        let id = ulid::Ulid(self.ids);
        self.enter_as(date, cmd, id)
    }
    /// Enters a command whose new party (if it admits one) gets the identity `fresh`.
    fn enter_as(&mut self, date: &str, cmd: Command, fresh: ulid::Ulid) -> Result<Vec<Event>, Unplaced> {
        let ctx =
            Context { today: d("2026-11-28"), fresh_id: fresh, salt: "s".into(), actor: "secretary".into(), number: None, signer: None };
        self.ids += 1;
        let counted = without_voided(self.facts.clone());
        let late = !on_current_state(&self.now, d(date), &cmd);
        let local = if late { self.local(&counted, d(date), &cmd, &ctx) } else { None };
        let placed = place(&self.now, &counted, d(date), &cmd, &ctx);
        // A share movement placed from the index gives the whole timeline's very answer.
        match (&local, &placed) {
            (None, _) => {}
            (Some(Err(e)), Err(full)) => assert_eq!(e, full, "the local refusal is the whole timeline's"),
            (Some(Ok(patch)), Ok(full)) => {
                assert_eq!(patch.events, full.events);
                let mut patched = self.now.clone();
                patch.apply(&mut patched);
                assert_eq!(patched, full.state, "the patched state is the whole timeline's");
            }
            (Some(l), _) => panic!("placed locally {l:?}, on the whole timeline {placed:?}"),
        }
        let placed = placed?;
        let id = format!("c{}", self.ids);
        let first = self.facts.len() as u64 + 1;
        let new: Vec<Fact> = placed
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| Fact { seq: first + i as u64, date: d(date), command_id: id.clone(), event: e.clone() })
            .collect();
        self.facts.extend(new.iter().cloned());
        sort(&mut self.facts);
        // The index kept up to date is the index of the new timeline.
        match (&local, matches!(cmd, Command::Void { .. })) {
            (Some(Ok(patch)), _) => self.index.patch(patch, &new),
            (None, false) if !late => self.index.record(&new, placed.state.capital),
            _ => self.index = Index::build(&without_voided(self.facts.clone())).unwrap(),
        }
        assert_eq!(self.index, Index::build(&without_voided(self.facts.clone())).unwrap(), "the index kept is the timeline's");
        self.now = placed.state;
        // The state kept is the fold of the whole timeline.
        let mut fresh = State::default();
        fold(&mut fresh, &without_voided(self.facts.clone())).unwrap();
        assert_eq!(fresh, self.now, "the state placed is the fold of the timeline");
        Ok(placed.events)
    }
    /// Places a late command from the index as a store does, reading the facts it asks for;
    /// `None` when it is for the whole timeline.
    fn local(&mut self, counted: &[Fact], date: NaiveDate, cmd: &Command, ctx: &Context) -> Option<Result<Patch, Unplaced>> {
        let mut known = Known::default();
        let by_seq = |seq: u64| counted.iter().find(|f| f.seq == seq).cloned().expect("an indexed fact");
        loop {
            match place_local(&self.now, &self.index, &known, date, cmd, ctx) {
                Local::Whole => return None,
                Local::Placed(patch) => {
                    self.placed_locally += 1;
                    return Some(Ok(patch));
                }
                Local::Refused(e) => {
                    self.placed_locally += 1;
                    return Some(Err(e));
                }
                Local::Need { members, facts } => {
                    assert!(!members.is_empty() || !facts.is_empty(), "a need names something");
                    for n in members {
                        assert!(!known.members.contains_key(&n), "member {n} asked for twice");
                        known.members.insert(n, self.index.facts_of(n).iter().map(|(_, s)| by_seq(*s)).collect());
                    }
                    for s in facts {
                        assert!(!known.facts.contains_key(&s), "fact {s} asked for twice");
                        known.facts.insert(s, by_seq(s));
                    }
                }
            }
        }
    }
    fn ok(&mut self, date: &str, cmd: Command) -> Vec<Event> {
        self.enter(date, cmd.clone()).unwrap_or_else(|e| panic!("{cmd:?} on {date} refused: {e}"))
    }
    fn refused(&mut self, date: &str, cmd: Command) -> Refusal {
        let before = self.facts.len();
        match self.enter(date, cmd) {
            Ok(ev) => panic!("expected a refusal, got {ev:?}"),
            Err(Unplaced::Refused(r)) => {
                assert_eq!(self.facts.len(), before);
                r
            }
            Err(e) => panic!("{e}"),
        }
    }
    fn as_of(&self, date: &str) -> State {
        let mut s = State::default();
        fold(&mut s, without_voided(self.facts.clone()).iter().filter(|f| f.date <= d(date))).unwrap();
        s
    }
    /// The sequence number of the first event of the last command entered.
    fn last_seq(&self) -> u64 {
        self.facts.iter().map(|f| f.seq).max().unwrap_or(0)
    }
    fn void(&mut self, seq: u64, date: &str) -> Result<Vec<Event>, Unplaced> {
        self.enter(date, Command::Void { seq, reason: "keyed by mistake".into() })
    }
}

fn admit(kind: PartyKind, category: &str, shares: u64) -> Command {
    Command::Admit {
        personal: Personal { name: "X".into(), email: None, address: None },
        kind,
        category: category.into(),
        shares: Some(shares),
        class: None,
        paid: None,
    }
}

fn person(category: &str, shares: u64) -> Command {
    admit(PartyKind::Person, category, shares)
}

fn redeem(n: u32, count: u64) -> Command {
    Command::Redeem { member: m(n), count, class: None }
}

#[test]
fn a_fact_dated_after_every_other_is_decided_as_always() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 2));
    let ev = h.ok("2020-02-10", person("beneficiaries", 1));
    assert!(matches!(ev[0], Event::MemberAdmitted { number: MemberNo(2), .. }));
}

#[test]
fn a_backdated_redemption_below_the_floor_of_its_date_is_refused() {
    // Given 2020-01-10: A subscribes 100 shares (5,000 €), 2020-06-01: B is admitted.
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 100));
    h.ok("2020-06-01", person("beneficiaries", 1));
    // When 80 shares of A are redeemed on 2020-03-01, recorded after B's admission: on that
    // date capital would fall to 1,000 €, below a quarter of its highest (1,250 €).
    let r = h.refused("2020-03-01", redeem(1, 80));
    // Then: the floor at its date.
    assert_eq!(r.rule, Rule::CapitalFloor, "{r}");
    // A redemption that leaves the floor at its date is placed, and the state as of its date shows it.
    h.ok("2020-03-01", redeem(1, 50));
    assert_eq!(h.as_of("2020-03-31").capital.subscribed, Cents(250_000));
    assert_eq!(h.now.capital.subscribed, Cents(255_000));
}

#[test]
fn a_backdated_fact_that_breaks_a_later_redemption_names_it() {
    // Given: A holds 100 shares, 60 of them redeemed on 2021-01-01 (capital 2,000 €, floor 1,250 €).
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 100));
    h.ok("2021-01-01", redeem(1, 60));
    // When B (public body, 10 shares = 500 €) is admitted earlier and 15 shares of A are redeemed
    // in 2020: the 2021 redemption would then take capital below a quarter of the new highest.
    h.ok("2020-02-01", admit(PartyKind::PublicBody, "public", 10));
    let r = h.refused("2020-06-01", redeem(1, 30));
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    assert!(r.message.contains("recorded on 2021-01-01 as event"), "{r}");
    assert!(r.message.contains("capital_floor"), "{r}");
}

#[test]
fn a_public_body_backdated_above_half_the_capital_of_its_date_is_refused() {
    // Given: a 1,000 € capital on 2020 and 10,000 € more from 2024.
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 20));
    h.ok("2024-01-10", person("beneficiaries", 200));
    // When a public body with 30 shares (1,500 €) is admitted on 2021-01-01: 60 % on that date.
    let r = h.refused("2021-01-01", admit(PartyKind::PublicBody, "public", 30));
    assert_eq!(r.rule, Rule::PublicBodiesCap, "{r}");
    // After 2024 it is under half: placed.
    h.ok("2024-02-01", admit(PartyKind::PublicBody, "public", 30));
}

#[test]
fn a_backdated_redemption_that_leaves_a_later_transfer_without_shares_is_refused() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 10));
    h.ok("2020-01-11", person("beneficiaries", 10));
    h.ok("2020-02-01", person("beneficiaries", 10));
    h.ok("2022-01-01", Command::Transfer { from: m(1), to: m(2), count: 8, class: None });
    // Redeeming 5 of member 1's shares in 2021 would leave it 5 shares, not 8, in 2022.
    let r = h.refused("2021-01-01", redeem(1, 5));
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    assert!(r.message.contains("not_enough_shares"), "{r}");
    // Two shares leave it eight: placed.
    h.ok("2021-01-01", redeem(1, 1));
}

#[test]
fn a_backdated_redemption_that_breaks_the_minimum_of_a_later_move_is_refused() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 1));
    h.ok("2020-01-10", Command::Subscribe { member: m(1), count: 4, class: None, paid: None });
    h.ok("2020-01-11", person("beneficiaries", 10));
    // Given member 1 moves to businesses (minimum 4 shares) in 2023.
    h.ok("2023-01-01", Command::Move { member: m(1), category: "volunteers".into() });
    h.ok("2023-06-01", Command::Move { member: m(1), category: "employees".into() });
    // The category minimum on redemption: as an employee in 2022 it must keep 1 share.
    let r = h.refused("2022-01-01", redeem(1, 5));
    assert_eq!(r.rule, Rule::MinimumShares, "{r}");
}

#[test]
fn a_member_is_a_member_at_the_date_of_each_of_its_facts() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 2));
    h.ok("2022-03-01", Command::Subscribe { member: m(1), count: 1, class: None, paid: None });
    // A withdrawal dated before a later subscription would leave that subscription by a
    // former member.
    let r = h.refused("2021-01-01", Command::Withdraw { member: m(1) });
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    assert!(r.message.contains("not_a_member"), "{r}");
    // A fact before the admission is about no member at all.
    let r = h.refused("2019-01-01", Command::Pay { member: m(1), amount: Cents(1) });
    assert_eq!(r.rule, Rule::DateBeforeHistory, "{r}");
    assert!(r.message.contains("admitted on 2020-01-10"), "{r}");
}

#[test]
fn participation_stays_inside_membership_and_the_projects_life() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 1));
    h.ok("2020-01-10", person("employees", 1));
    h.ok("2024-01-01", Command::CreateProject { slug: "bouteilles".into(), name: "B".into(), description: String::new(), stage: None });
    h.ok("2024-03-01", Command::Join { project: "bouteilles".into(), who: Who::Member(m(1)), role: ProjectRole::Lead });
    h.ok("2025-09-01", Command::MoveProject { project: "bouteilles".into(), stage: Stage::Qualification });
    // Late but consistent: a participant joined in 2024 is entered after the 2025 stage (this
    // was refused before the timeline).
    h.ok("2024-04-01", Command::Join { project: "bouteilles".into(), who: Who::Member(m(2)), role: ProjectRole::Tester });
    // Before the project began: refused.
    let r = h.refused("2023-12-01", Command::Join { project: "bouteilles".into(), who: Who::Member(m(2)), role: ProjectRole::Tester });
    assert_eq!(r.rule, Rule::DateBeforeHistory, "{r}");
    assert!(r.message.contains("started on 2024-01-01"), "{r}");
    // A membership ended before a later join: the join would be by a former member.
    let r = h.refused("2024-02-01", Command::Withdraw { member: m(1) });
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    // Stage order: an end before a later stage move.
    let r = h.refused("2025-01-01", Command::MoveProject { project: "bouteilles".into(), stage: Stage::Abandoned });
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    assert!(r.message.contains("stage_order") || r.message.contains("project_ended"), "{r}");
}

#[test]
fn a_backdated_admission_cannot_change_the_roll_of_a_closed_assembly() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 1));
    h.ok("2020-01-10", person("beneficiaries", 1));
    h.ok("2020-01-10", person("volunteers", 1));
    let agenda = vec![Resolution::new("Comptes", ResolutionKind::Ordinary, true)];
    h.ok(
        "2021-05-01",
        Command::Convene {
            time: None,
            slug: "ago-2021".into(),
            kind: ResolutionKind::Ordinary,
            date: d("2021-06-01"),
            place: "Salle".into(),
            agenda,
            second_of: None,
            edition: None,
        },
    );
    h.ok("2021-05-01", Command::AppointOfficers { assembly: "ago-2021".into(), chair: m(1), secretary: m(2), scrutineers: vec![] });
    for n in 1..=3 {
        h.ok("2021-06-01", Command::Attend { assembly: "ago-2021".into(), member: m(n), remote: false });
    }
    h.ok("2021-06-01", Command::Vote { assembly: "ago-2021".into(), resolution: 1, member: m(1), choice: Choice::For });
    h.ok("2021-06-01", Command::Close { assembly: "ago-2021".into(), not_put_to_vote: vec![] });
    // Admitted before the meeting: the frozen roll would no longer be the register's.
    let r = h.refused("2021-03-01", person("employees", 1));
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    assert!(r.message.contains("ago-2021"), "{r}");
    // A member who voted cannot have left before the meeting.
    let r = h.refused("2021-02-01", Command::Withdraw { member: m(1) });
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    // Nothing is recorded for a closed assembly, even dated on its meeting day.
    let r = h.refused("2021-06-01", Command::Vote { assembly: "ago-2021".into(), resolution: 1, member: m(2), choice: Choice::For });
    assert_eq!(r.rule, Rule::AssemblyClosed, "{r}");
    // Admitted after the meeting: placed.
    h.ok("2021-07-01", person("employees", 1));
}

#[test]
fn a_number_is_never_reused_by_a_backdated_admission() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 1));
    h.ok("2022-01-10", person("employees", 1));
    let ev = h.ok("2021-01-10", person("beneficiaries", 1));
    assert!(matches!(ev[0], Event::MemberAdmitted { number: MemberNo(3), .. }), "{ev:?}");
    // As of 2021-06-01 the register holds members 1 and 3.
    let at = h.as_of("2021-06-01");
    assert_eq!(at.members.keys().map(|n| n.0).collect::<Vec<_>>(), vec![1, 3]);
}

#[test]
fn nothing_is_dated_before_the_founding() {
    let mut h = History::new();
    let r = h.refused("2015-01-01", person("employees", 1));
    assert_eq!(r.rule, Rule::DateBeforeHistory, "{r}");
}

#[test]
fn a_mistaken_payment_is_voided_and_every_date_forgets_it() {
    let mut h = History::new();
    h.ok(
        "2020-01-10",
        Command::Admit {
            personal: Personal { name: "X".into(), email: None, address: None },
            kind: PartyKind::Person,
            category: "employees".into(),
            shares: Some(4),
            class: None,
            paid: Some(Cents(5_000)),
        },
    );
    h.ok("2020-02-01", Command::Pay { member: m(1), amount: Cents(10_000) });
    let paid = h.last_seq();
    h.ok("2020-03-01", Command::Pay { member: m(1), amount: Cents(2_000) });
    let ev = h.void(paid, "2020-04-01").unwrap();
    assert!(matches!(&ev[0], Event::CommandVoided { first, last, .. } if *first == paid && *last == paid), "{ev:?}");
    assert_eq!(h.now.capital.paid, Cents(7_000));
    assert_eq!(h.as_of("2020-02-15").capital.paid, Cents(5_000));
    // Voided once: the same event again is refused.
    let r = match h.void(paid, "2020-04-01") {
        Err(Unplaced::Refused(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.rule, Rule::InvalidValue, "{r}");
}

#[test]
fn voiding_what_later_facts_depend_on_is_refused_naming_them() {
    let mut h = History::new();
    h.ok("2020-01-10", person("employees", 1));
    let admitted = h.last_seq();
    h.ok("2021-01-10", Command::Subscribe { member: m(1), count: 2, class: None, paid: None });
    let r = match h.void(admitted, "2022-01-01") {
        Err(Unplaced::Refused(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{r}");
    assert!(r.message.contains("recorded on 2021-01-10"), "{r}");
    // An admission no later fact depends on is voided, and its number is never given again.
    h.ok("2021-02-01", person("beneficiaries", 1));
    let twice = h.last_seq();
    h.void(twice, "2021-03-01").unwrap();
    assert_eq!(h.now.members.len(), 1);
    let ev = h.ok("2021-04-01", person("beneficiaries", 1));
    assert!(matches!(ev[0], Event::MemberAdmitted { number: MemberNo(3), .. }), "{ev:?}");
}

#[test]
fn a_vote_is_voided_only_while_its_assembly_is_open() {
    let mut h = History::new();
    for c in ["employees", "beneficiaries", "volunteers"] {
        h.ok("2020-01-10", person(c, 1));
    }
    let agenda = vec![Resolution::new("Comptes", ResolutionKind::Ordinary, true)];
    let convene = Command::Convene {
        time: None,
        slug: "ago".into(),
        kind: ResolutionKind::Ordinary,
        date: d("2021-06-01"),
        place: "Salle".into(),
        agenda,
        second_of: None,
        edition: None,
    };
    h.ok("2021-05-01", convene);
    h.ok("2021-05-01", Command::AppointOfficers { assembly: "ago".into(), chair: m(1), secretary: m(2), scrutineers: vec![] });
    for n in 1..=3 {
        h.ok("2021-06-01", Command::Attend { assembly: "ago".into(), member: m(n), remote: false });
    }
    h.ok("2021-06-01", Command::Vote { assembly: "ago".into(), resolution: 1, member: m(1), choice: Choice::Against });
    let mistyped = h.last_seq();
    h.void(mistyped, "2021-06-01").unwrap();
    h.ok("2021-06-01", Command::Vote { assembly: "ago".into(), resolution: 1, member: m(1), choice: Choice::For });
    let vote = h.last_seq();
    h.ok("2021-06-01", Command::Close { assembly: "ago".into(), not_put_to_vote: vec![] });
    let r = match h.void(vote, "2021-06-02") {
        Err(Unplaced::Refused(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(r.rule, Rule::AssemblyClosed, "{r}");
}

// The property: entering a valid history's commands one by one in any order gives, at every
// date, the same register and capital as entering them in date order; or it is refused, and
// then only where an intermediate history (the commands entered so far, in date order) is
// unlawful.

/// A small lawful history in date order: admissions, subscriptions, redemptions, withdrawals,
/// project joins. Members are named by identity (`party`), which does not depend on the order
/// of entry as numbers do; each command carries the identity it admits, if any.
fn history() -> impl Strategy<Value = Vec<(String, Command, ulid::Ulid)>> {
    let step = (0u8..6, 0usize..6, 1u64..6, 0u64..90);
    proptest::collection::vec(step, 4..24).prop_map(|steps| {
        let mut h = base();
        let mut out: Vec<(String, Command, ulid::Ulid)> = Vec::new();
        let mut admitted: Vec<ulid::Ulid> = Vec::new();
        let mut day = d("2018-01-02");
        for (i, (kind, who, count, gap)) in steps.into_iter().enumerate() {
            // Dates run forward by 0 to 89 days: several facts share a date now and then.
            day = day + chrono::Days::new(gap / 2);
            let date = day.to_string();
            let fresh = ulid::Ulid(1000 + i as u128);
            let member = match admitted.get(who % admitted.len().max(1)) {
                Some(id) => MemberRef::Id(*id),
                None => m(1),
            };
            let cmd = match kind {
                0 | 1 => person(["employees", "beneficiaries", "volunteers"][who % 3], count),
                2 => Command::Subscribe { member, count, class: None, paid: None },
                3 => Command::Redeem { member, count, class: None },
                4 => Command::Withdraw { member },
                _ => Command::Join { project: "p".into(), who: Who::Member(member), role: ProjectRole::Contributor },
            };
            // Keep the commands a date-ordered entry accepts.
            if h.enter_as(&date, cmd.clone(), fresh).is_ok() {
                if kind <= 1 {
                    admitted.push(fresh);
                }
                out.push((date, cmd, fresh));
            }
        }
        out
    })
}

fn base() -> History {
    let mut h = History::new();
    h.ok("2018-01-01", Command::CreateProject { slug: "p".into(), name: "P".into(), description: String::new(), stage: None });
    h
}

/// The register of `state` by identity: (party, shares, status).
fn by_party(state: &State) -> Vec<(ulid::Ulid, u64, &'static str)> {
    let mut rows: Vec<_> = crate::register(state).into_iter().map(|r| (r.id, r.shares, r.status)).collect();
    rows.sort();
    rows
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]
    #[test]
    fn any_order_of_entry_gives_the_same_history_or_is_refused_only_where_it_must(
        cmds in history(),
        order in proptest::collection::vec(any::<u32>(), 0..24),
    ) {
        let mut ordered = base();
        for (date, c, fresh) in &cmds {
            ordered.enter_as(date, c.clone(), *fresh).unwrap();
        }
        // A shuffle of the same commands.
        let mut shuffled: Vec<usize> = (0..cmds.len()).collect();
        for (i, r) in order.iter().enumerate().take(cmds.len()) {
            let j = (*r as usize) % cmds.len();
            shuffled.swap(i, j);
        }
        let mut mixed = base();
        let mut entered: Vec<usize> = Vec::new();
        let mut refused_any = false;
        for &i in &shuffled {
            let (date, c, fresh) = &cmds[i];
            match mixed.enter_as(date, c.clone(), *fresh) {
                Ok(_) => entered.push(i),
                Err(Unplaced::Refused(_)) => {
                    refused_any = true;
                    // Refused only where the history of the commands entered so far and this
                    // one, in timeline order, is not lawful (it may lack an admission not entered
                    // yet, or break a rule at some date). The timeline orders facts by date, and
                    // facts of one date as they were entered: this one last of its date.
                    let mut with = entered.clone();
                    with.push(i);
                    with.sort_by_key(|&k| cmds[k].0.clone());
                    let mut check = base();
                    let lawful = with.iter().all(|&k| check.enter_as(&cmds[k].0, cmds[k].1.clone(), cmds[k].2).is_ok());
                    prop_assert!(!lawful, "command {} ({}: {:?}) refused although the history with it is lawful in date order", i, date, c);
                }
                Err(e) => prop_assert!(false, "{}", e),
            }
        }
        if !refused_any {
            // Every command entered: the same register, capital and involvement at every date.
            // Facts of one date apply in the order they were entered (see `timeline`), so the
            // highest capital reached *within* a day holding both a subscription and a
            // redemption depends on that order (found by this property in CI: 250 € one way,
            // 200 € the other); it is at least every end-of-day capital so far either way.
            let mut dates: Vec<&String> = cmds.iter().map(|c| &c.0).collect();
            dates.sort();
            dates.dedup();
            let mut peak = crate::Cents::ZERO;
            for date in dates {
                let (a, b) = (ordered.as_of(date), mixed.as_of(date));
                prop_assert_eq!(by_party(&a), by_party(&b));
                peak = peak.max(a.capital.subscribed);
                prop_assert!(a.capital.highest >= peak && b.capital.highest >= peak);
                let same_day = |mut c: crate::CapitalTotals| {
                    c.highest = crate::Cents::ZERO;
                    c
                };
                prop_assert_eq!(same_day(a.capital), same_day(b.capital));
                let on = d(date);
                prop_assert_eq!(crate::involvement(&a, on).involved, crate::involvement(&b, on).involved);
            }
            prop_assert_eq!(by_party(&ordered.now), by_party(&mixed.now));
        }
    }
}

/// Share movements entered late, each compared inside [`History::enter_as`] with the whole
/// timeline's answer: the same events or refusal, the same state, the same index.
#[test]
fn a_late_share_movement_is_placed_from_the_index_as_on_the_whole_timeline() {
    let mut h = base();
    h.ok("2019-01-10", person("employees", 40)); // 1: 2,000 €
    h.ok("2019-02-10", admit(PartyKind::PublicBody, "public", 10)); // 2: 500 €
    h.ok("2019-03-10", person("beneficiaries", 4)); // 3: 200 €
    h.ok("2019-04-10", person("employees", 100)); // 4: 5,000 €
    h.ok("2020-01-10", Command::Subscribe { member: m(3), count: 4, class: None, paid: None });
    h.ok("2021-01-10", Command::Transfer { from: m(3), to: m(1), count: 2, class: None });
    h.ok("2021-06-10", Command::Subscribe { member: m(3), count: 4, class: None, paid: Some(Cents(5_000)) });
    h.ok("2022-01-10", Command::Pay { member: m(3), amount: Cents(10_000) });
    h.ok("2023-01-10", redeem(1, 20));
    // Capital 7,200 € of a highest 8,200 € (floor 2,050 €): 4,950 € redeemed leaves 2,250 €.
    h.ok("2023-02-10", redeem(4, 99));
    h.ok("2024-01-10", Command::Subscribe { member: m(2), count: 10, class: None, paid: None });
    // A late subscription, payment and transfer that break nothing.
    h.ok("2019-12-01", Command::Subscribe { member: m(1), count: 2, class: None, paid: None });
    h.ok("2021-07-01", Command::Pay { member: m(3), amount: Cents(2_500) });
    h.ok("2020-06-01", Command::Transfer { from: m(1), to: m(3), count: 1, class: None });
    let placed = h.placed_locally;
    assert_eq!(placed, 3, "the three late movements were placed from the index");
    // A late redemption of member 1 that leaves its later redemption without enough shares: a
    // later fact of the member itself.
    let r = h.refused("2022-06-01", redeem(1, 30));
    assert_eq!(r.rule, Rule::BreaksLaterFact);
    assert!(r.message.contains("recorded on 2023-01-10") && r.message.contains("not_enough_shares"), "{}", r.message);
    // A late redemption of member 3 that takes capital below the floor at another member's
    // later redemption: the totals shifted, the later fact named (read from the log on demand).
    let r = h.refused("2020-02-01", redeem(3, 6));
    assert_eq!(r.rule, Rule::BreaksLaterFact, "{}", r.message);
    assert!(r.message.contains("recorded on 2023-02-10") && r.message.contains("capital_floor"), "{}", r.message);
    // A late subscription of the public body that leaves public bodies above half the capital
    // after member 4's later redemption.
    let r = h.refused("2022-03-01", Command::Subscribe { member: m(2), count: 30, class: None, paid: None });
    assert!(r.message.contains("recorded on 2023-02-10") && r.message.contains("public_bodies_cap"), "{}", r.message);
    // Refused at its own date, by the rules as of that date.
    let r = h.refused("2019-01-20", Command::Pay { member: m(1), amount: Cents(1_000_000) });
    assert_eq!(r.rule, Rule::Overpayment);
    let r = h.refused("2019-01-20", Command::Pay { member: m(3), amount: Cents(1) });
    assert_eq!(r.rule, Rule::DateBeforeHistory);
    assert_eq!(h.placed_locally, placed + 5);
}

/// A command of the share-movement property: (kind, member, other member, count, days).
type Movement = (u8, u32, u32, u64, u64);

fn movement(kind: u8, a: u32, b: u32, count: u64) -> Command {
    match kind {
        0 => person(["employees", "beneficiaries", "businesses"][a as usize % 3], count + 3),
        1 => admit(PartyKind::PublicBody, "public", 10 + count),
        2 => Command::Subscribe { member: m(a), count, class: None, paid: Some(Cents(1_250 * count as i64)) },
        3 => Command::Pay { member: m(a), amount: Cents(1_000 * count as i64) },
        4 => Command::Transfer { from: m(a), to: m(b), count, class: None },
        5 => redeem(a, count),
        _ => Command::Move { member: m(a), category: ["employees", "beneficiaries"][b as usize % 2].into() },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]
    /// Any late subscription, payment, transfer or redemption placed from the index gives the
    /// whole timeline's answer (compared in `History::enter_as`, with the index kept up to
    /// date compared with one built anew).
    #[test]
    fn late_share_movements_are_placed_from_the_index_as_on_the_whole_timeline(
        ordered in proptest::collection::vec((0u8..7, 1u32..8, 1u32..8, 1u64..12, 0u64..60), 8..40),
        late in proptest::collection::vec((2u8..6, 1u32..8, 1u32..8, 1u64..12, 0u64..900), 1..12),
    ) {
        let mut h = base();
        let mut day = d("2018-01-02");
        for (kind, a, b, count, gap) in ordered {
            day = day + chrono::Days::new(gap);
            let _ = h.enter(&day.to_string(), movement(kind, a, b, count));
        }
        let before = h.placed_locally;
        let mut tried = 0;
        for (kind, a, b, count, back) in late as Vec<Movement> {
            let date = day - chrono::Days::new(back);
            let known = |n: u32| h.now.members.contains_key(&MemberNo(n));
            if date > d("2018-01-02") && h.now.latest.is_some_and(|l| date < l) && known(a) && (kind != 4 || known(b)) {
                tried += 1;
                let _ = h.enter(&date.to_string(), movement(kind, a, b, count));
            }
        }
        // Every late movement of known members is answered from the index (no statutes are
        // amended here), placed or refused as on the whole timeline.
        prop_assert_eq!(h.placed_locally - before, tried);
    }
}

/// A log stays in date order while each fact is dated on or after the latest before it (the
/// same day included) and is not a void.
#[test]
fn a_fact_keeps_date_order_when_dated_on_or_after_the_latest_and_not_a_void() {
    let paid = Event::SharesPaid { member: MemberNo(1), amount_cents: Cents(100) };
    let void = Event::CommandVoided { command_id: "x".into(), first: 3, last: 4, reason: "keyed twice".into(), retired: Vec::new() };
    assert!(keeps_date_order(None, d("2020-01-01"), &paid));
    assert!(keeps_date_order(Some(d("2020-01-01")), d("2020-01-01"), &paid));
    assert!(keeps_date_order(Some(d("2020-01-01")), d("2020-01-02"), &paid));
    assert!(!keeps_date_order(Some(d("2020-01-02")), d("2020-01-01"), &paid));
    assert!(!keeps_date_order(None, d("2020-01-01"), &void));
    assert!(!keeps_date_order(Some(d("2020-01-01")), d("2030-01-01"), &void));
}
