//! Who may act: the roster of officers set by events, checked against the statutes.

use chrono::NaiveDate;

use crate::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

struct Coop {
    state: State,
    n: u128,
    /// The public key the next commands are signed with.
    signer: Option<String>,
}

impl Coop {
    fn founded_by(actor: &str, statutes: &str) -> Coop {
        let st = Statutes::from_toml(statutes).unwrap();
        let mut c = Coop { state: State::default(), n: 1, signer: None };
        c.ok(actor, &st.founded.to_string(), Command::Found { statutes: Box::new(st.clone()), founder: None });
        c
    }
    fn when(&self, actor: &str, date: &str, cmd: Command) -> Result<Vec<Event>, Refusal> {
        decide(
            &self.state,
            d(date),
            &cmd,
            &Context {
                today: d("2026-11-28"),
                fresh_id: ulid::Ulid(self.n),
                salt: "s".into(),
                actor: actor.into(),
                number: None,
                signer: self.signer.clone(),
            },
        )
    }
    fn ok(&mut self, actor: &str, date: &str, cmd: Command) -> Vec<Event> {
        let ev = self.when(actor, date, cmd.clone()).unwrap_or_else(|r| panic!("{actor}: {cmd:?}: {r}"));
        for e in &ev {
            crate::state::apply_checked(&mut self.state, d(date), e);
        }
        self.n += 1;
        ev
    }
    fn rule(&self, actor: &str, date: &str, cmd: Command) -> Rule {
        match self.when(actor, date, cmd) {
            Ok(e) => panic!("{actor} should be refused, got {e:?}"),
            Err(r) => r.rule,
        }
    }
}

fn admit(name: &str, category: &str) -> Command {
    Command::Admit {
        personal: Personal { name: name.into(), email: None, address: None },
        kind: PartyKind::Person,
        category: category.into(),
        shares: None,
        class: None,
        paid: None,
    }
}

fn appoint(person: &str, office: Office, member: Option<u32>) -> Command {
    Command::AppointOfficer { person: person.into(), office, member: member.map(|n| MemberRef::Number(MemberNo(n))), personal: None }
}

#[test]
fn the_founder_is_the_first_secretary_and_may_do_everything() {
    let mut c = Coop::founded_by("Alice", SAMPLE_STATUTES);
    assert!(c.state.roster["Alice"].offices.contains(&Office::Secretary));
    c.ok("Alice", "2020-01-01", admit("A", "employees"));
    c.ok("Alice", "2020-01-01", Command::Subscribe { member: MemberRef::Number(MemberNo(1)), count: 1, class: None, paid: None });
    c.ok("Alice", "2020-01-01", Command::CreateProject { slug: "p".into(), name: "P".into(), description: String::new(), stage: None });
    c.ok("Alice", "2020-01-02", Command::RecordReview);
}

#[test]
fn someone_not_on_the_roster_is_refused_by_name() {
    let mut c = Coop::founded_by("Alice", SAMPLE_STATUTES);
    let r = c.when("Bob", "2020-01-01", admit("A", "employees")).unwrap_err();
    assert_eq!(r.rule, Rule::NotEntitled);
    assert!(!r.rule.is_bad_input(), "a governance rule: exit 1");
    assert!(r.message.contains("'Bob' may not admit members") && r.message.contains("board"), "{r}");
    // No one is given a board seat or the chair by hand: an assembly elects the board, the board
    // its chair.
    assert_eq!(c.rule("Alice", "2020-01-01", appoint("Bob", Office::Board, None)), Rule::ElectedOffice);
    assert_eq!(c.rule("Alice", "2020-01-01", appoint("Bob", Office::Chair, None)), Rule::ElectedOffice);
    // Appointed a second secretary while the founders act as the board, Bob admits.
    c.ok("Alice", "2020-01-01", appoint("Bob", Office::Secretary, None));
    c.ok("Bob", "2020-01-02", admit("A", "employees"));
    // Removed, he may not act any more.
    c.ok("Alice", "2020-01-03", Command::RemoveOfficer { person: "Bob".into(), office: Office::Secretary });
    assert_eq!(c.rule("Bob", "2020-01-04", admit("B", "employees")), Rule::NotEntitled);
}

#[test]
fn the_board_keeps_a_secretary() {
    let mut c = Coop::founded_by("Alice", SAMPLE_STATUTES);
    let remove = |p: &str| Command::RemoveOfficer { person: p.into(), office: Office::Secretary };
    assert_eq!(c.rule("Alice", "2020-01-01", remove("Alice")), Rule::LastSecretary);
    c.ok("Alice", "2020-01-01", appoint("Claire", Office::Secretary, None));
    c.ok("Claire", "2020-01-02", remove("Alice"));
    assert_eq!(c.rule("Alice", "2020-01-03", admit("A", "employees")), Rule::NotEntitled);
    assert_eq!(c.rule("Claire", "2020-01-03", remove("Alice")), Rule::NoChange);
}

#[test]
fn only_an_assemblys_officers_or_the_secretary_record_its_meeting() {
    // Statutes that leave the meeting to its officers alone: Bob and Dan, secretaries, sit on
    // the board but record no meeting they are not officers of.
    let text = SAMPLE_STATUTES.replace("meeting = [\"assembly-officers\", \"secretary\"]", "meeting = [\"assembly-officers\"]");
    assert_ne!(text, SAMPLE_STATUTES);
    let mut c = Coop::founded_by("Alice", &text);
    for i in 0..6 {
        c.ok("Alice", "2020-01-01", admit(&format!("M{i}"), ["employees", "beneficiaries", "volunteers"][i % 3]));
    }
    c.ok("Alice", "2020-01-01", appoint("Bob", Office::Secretary, Some(2)));
    c.ok("Alice", "2020-01-01", appoint("Dan", Office::Secretary, Some(4)));
    let convene = |slug: &str| Command::Convene {
        time: None,
        slug: slug.into(),
        kind: ResolutionKind::Ordinary,
        date: d("2026-06-20"),
        place: "Lons".into(),
        agenda: vec![Resolution::new("Accounts", ResolutionKind::Ordinary, true)],
        second_of: None,
        edition: None,
    };
    c.ok("Bob", "2026-06-01", convene("ago"));
    c.ok("Bob", "2026-06-01", convene("other"));
    let attend = |a: &str, m: u32| Command::Attend { assembly: a.into(), member: MemberRef::Number(MemberNo(m)), remote: false };
    // Bob is on the board, not an officer of the assembly yet.
    assert_eq!(c.rule("Bob", "2026-06-20", attend("ago", 1)), Rule::NotEntitled);
    c.ok(
        "Alice",
        "2026-06-20",
        Command::AppointOfficers {
            assembly: "ago".into(),
            chair: MemberRef::Number(MemberNo(2)),
            secretary: MemberRef::Number(MemberNo(3)),
            scrutineers: vec![],
        },
    );
    c.ok("Bob", "2026-06-20", attend("ago", 1));
    assert_eq!(c.rule("Bob", "2026-06-20", attend("other", 1)), Rule::NotEntitled, "officer of one assembly only");
    assert_eq!(c.rule("Dan", "2026-06-20", attend("ago", 5)), Rule::NotEntitled);
    assert_eq!(c.rule("Alice", "2026-06-20", attend("ago", 5)), Rule::NotEntitled);
    // Under the sample statutes the secretary records any meeting.
    let mut s = Coop::founded_by("Alice", SAMPLE_STATUTES);
    s.ok("Alice", "2020-01-01", admit("M", "employees"));
    s.ok("Alice", "2026-06-01", convene("ago"));
    s.ok("Alice", "2026-06-20", attend("ago", 1));
}

#[test]
fn statutes_can_give_an_action_to_other_offices() {
    let text = SAMPLE_STATUTES.replace("admit = [\"board\"]", "admit = [\"chair\"]");
    let mut c = Coop::founded_by("Alice", &text);
    c.ok("Alice", "2020-01-01", appoint("Bob", Office::Secretary, None));
    assert_eq!(c.rule("Bob", "2020-01-02", admit("A", "employees")), Rule::NotEntitled);
    let r = c.when("Alice", "2020-01-02", admit("A", "employees")).unwrap_err();
    assert_eq!(r.rule, Rule::NotEntitled, "only the chair now");
    assert!(r.message.contains("give it to chair"), "{r}");
    // The chair the board elects admits (bodies::tests::the_board_elects_its_chair_...).
    let bad = SAMPLE_STATUTES.replace("admit = [\"board\"]", "admit = [\"king\"]\nfly = [\"board\"]");
    let p = Statutes::from_toml(&bad).unwrap_err();
    let text: Vec<String> = p.iter().map(|p| p.to_string()).collect();
    assert_eq!(p.len(), 2, "{text:?}");
    assert!(
        text.iter().any(|t| t.contains("unknown key 'fly'")) && text.iter().any(|t| t.contains("'admit' in [permissions]")),
        "{text:?}"
    );
}

fn key(c: char) -> String {
    c.to_string().repeat(64)
}

fn register(person: &str, k: &str) -> Command {
    Command::RegisterKey { person: person.into(), public_key: k.into() }
}

#[test]
fn an_officer_with_a_key_signs_every_act_and_no_one_acts_unsigned_in_their_name() {
    let mut c = Coop::founded_by("Alice", SAMPLE_STATUTES);
    // Without keys, acts are not authenticated: anyone naming Alice acts as her.
    c.ok("Alice", "2020-01-02", admit("A", "employees"));
    // A first key is registered by a command signed with it (the officer holds it).
    assert_eq!(c.rule("Alice", "2020-01-02", register("Alice", &key('a'))), Rule::UnsignedAct);
    c.signer = Some(key('b'));
    assert_eq!(c.rule("Alice", "2020-01-02", register("Alice", &key('a'))), Rule::UnsignedAct, "signed by another key");
    c.signer = Some(key('a'));
    // Only the officer registers their own key, and only an officer has one.
    assert_eq!(c.rule("Mallory", "2020-01-02", register("Alice", &key('a'))), Rule::NotEntitled);
    assert_eq!(c.rule("Bob", "2020-01-02", register("Bob", &key('a'))), Rule::NotEntitled);
    c.signer = Some("not hex".into());
    assert_eq!(c.rule("Alice", "2020-01-02", register("Alice", "not hex")), Rule::InvalidValue);
    c.signer = Some(key('a'));
    let ev = c.ok("Alice", "2020-01-02", register("Alice", &key('a')));
    assert_eq!(ev, vec![Event::OfficerKeyRegistered { person: "Alice".into(), public_key: key('a') }]);
    assert_eq!(c.state.keys["Alice"], key('a'));
    // From then on every act in her name is signed with it.
    c.signer = None;
    assert_eq!(c.rule("Alice", "2020-01-03", admit("B", "employees")), Rule::UnsignedAct);
    c.signer = Some(key('b'));
    assert_eq!(c.rule("Alice", "2020-01-03", admit("B", "employees")), Rule::UnsignedAct);
    c.signer = Some(key('a'));
    c.ok("Alice", "2020-01-03", admit("B", "employees"));
    // A new key is registered under the old one.
    assert_eq!(c.rule("Alice", "2020-01-04", register("Alice", &key('a'))), Rule::NoChange);
    c.ok("Alice", "2020-01-04", register("Alice", &key('c')));
    assert_eq!(c.rule("Alice", "2020-01-05", admit("C", "employees")), Rule::UnsignedAct, "the old key no longer signs");
    // An actor without a key who gives one is told to register it.
    c.signer = Some(key('c'));
    c.ok("Alice", "2020-01-05", appoint("Bob", Office::Secretary, None));
    assert_eq!(c.rule("Bob", "2020-01-05", Command::RecordReview), Rule::UnsignedAct);
}
