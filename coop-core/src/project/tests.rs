//! Given/when/then tests of cooperative projects and member involvement.

use chrono::NaiveDate;

use crate::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

struct Coop {
    state: State,
    log: Vec<(NaiveDate, Event)>,
    n: u128,
}

fn m(n: u32) -> Who {
    Who::Member(MemberRef::Number(MemberNo(n)))
}

impl Coop {
    /// 3 employees (1-3, workers), 4 beneficiaries (4-7, users), 3 volunteers (8-10, supporters).
    fn new() -> Coop {
        let st = Statutes::from_toml(SAMPLE_STATUTES).unwrap();
        let mut c = Coop { state: State::default(), log: Vec::new(), n: 1 };
        c.ok(&st.founded.to_string(), Command::Found { statutes: Box::new(st.clone()), founder: None });
        for (cat, count) in [("employees", 3), ("beneficiaries", 4), ("volunteers", 3)] {
            for i in 0..count {
                let admit = Command::Admit {
                    personal: Personal { name: format!("{cat}{i}"), email: None, address: None },
                    kind: PartyKind::Person,
                    category: cat.into(),
                    shares: None,
                    class: None,
                    paid: None,
                };
                c.ok("2020-01-01", admit);
            }
        }
        c
    }
    fn when(&self, date: &str, cmd: Command) -> Result<Vec<Event>, Refusal> {
        decide(
            &self.state,
            d(date),
            &cmd,
            &Context {
                today: d("2026-11-28"),
                fresh_id: ulid::Ulid(self.n),
                salt: "s".into(),
                actor: "secretary".into(),
                number: None,
                signer: None,
            },
        )
    }
    fn ok(&mut self, date: &str, cmd: Command) -> Vec<Event> {
        let ev = self.when(date, cmd.clone()).unwrap_or_else(|r| panic!("{cmd:?}: {r}"));
        for e in &ev {
            crate::state::apply_checked(&mut self.state, d(date), e);
            self.log.push((d(date), e.clone()));
        }
        self.n += 1;
        ev
    }
    fn refused(&self, date: &str, cmd: Command) -> Rule {
        match self.when(date, cmd) {
            Ok(e) => panic!("expected a refusal, got {e:?}"),
            Err(r) => r.rule,
        }
    }
    fn create(&mut self, slug: &str, date: &str, stage: Option<Stage>) {
        self.ok(date, Command::CreateProject { slug: slug.into(), name: format!("Projet {slug}"), description: String::new(), stage });
    }
    fn join(&mut self, slug: &str, date: &str, who: Who, role: ProjectRole) -> Vec<Event> {
        self.ok(date, Command::Join { project: slug.into(), who, role })
    }
}

fn stage(p: &str, s: Stage) -> Command {
    Command::MoveProject { project: p.into(), stage: s }
}

#[test]
fn projects_move_forward_one_stage_at_a_time_and_never_back_from_an_end() {
    let mut c = Coop::new();
    c.create("bouteilles", "2021-01-10", None);
    assert_eq!(c.refused("2021-02-01", stage("bouteilles", Stage::Prototype)), Rule::StageOrder, "no skipping");
    c.ok("2021-02-01", stage("bouteilles", Stage::Qualification));
    assert_eq!(c.refused("2021-03-01", stage("bouteilles", Stage::Idea)), Rule::StageOrder, "no going back");
    assert_eq!(c.refused("2021-01-15", stage("bouteilles", Stage::Prototype)), Rule::DateBeforeHistory);
    c.ok("2021-03-01", stage("bouteilles", Stage::Prototype));
    c.ok("2021-06-01", stage("bouteilles", Stage::Abandoned));
    assert_eq!(c.refused("2021-07-01", stage("bouteilles", Stage::Launch)), Rule::StageOrder, "nothing comes back from an end");
    assert_eq!(c.refused("2021-07-01", stage("nope", Stage::Launch)), Rule::UnknownProject);
    assert!(Rule::UnknownProject.is_bad_input());
    c.create("carpe", "2021-01-10", Some(Stage::Prototype));
    assert_eq!(c.state.projects["carpe"].stage(), Stage::Prototype);
    assert_eq!(
        c.refused("2021-01-10", Command::CreateProject { slug: "carpe".into(), name: "x".into(), description: String::new(), stage: None }),
        Rule::ProjectExists
    );
    assert_eq!(
        c.refused(
            "2021-01-10",
            Command::CreateProject { slug: "Bad Slug".into(), name: "x".into(), description: String::new(), stage: None }
        ),
        Rule::InvalidValue
    );
}

#[test]
fn members_and_partners_join_change_role_and_leave() {
    let mut c = Coop::new();
    c.create("bouteilles", "2021-01-10", None);
    assert_eq!(
        c.refused("2021-01-09", Command::Join { project: "bouteilles".into(), who: m(1), role: ProjectRole::Lead }),
        Rule::DateBeforeHistory
    );
    c.join("bouteilles", "2021-01-10", m(1), ProjectRole::Lead);
    assert_eq!(
        c.refused("2021-02-01", Command::Join { project: "bouteilles".into(), who: m(1), role: ProjectRole::Tester }),
        Rule::AlreadyRecorded
    );
    let ev = c.join(
        "bouteilles",
        "2021-02-01",
        Who::NewPartner(Personal { name: "Chambre d'agriculture du Jura".into(), email: None, address: None }),
        ProjectRole::Partner,
    );
    let Event::ParticipantJoined { who: Participant::Partner(pid), personal_digest: Some(_), .. } = ev[0] else { panic!("{ev:?}") };
    assert!(c.state.partners.contains_key(&pid));
    c.ok("2021-03-01", Command::ChangeRole { project: "bouteilles".into(), who: m(1), role: ProjectRole::Mentor });
    assert_eq!(
        c.refused("2021-03-01", Command::ChangeRole { project: "bouteilles".into(), who: m(1), role: ProjectRole::Mentor }),
        Rule::NoChange
    );
    assert_eq!(
        c.refused("2021-03-01", Command::Leave { project: "bouteilles".into(), who: m(2) }),
        Rule::NotParticipating,
        "a leave without a join"
    );
    c.ok("2021-04-01", Command::Leave { project: "bouteilles".into(), who: Who::Partner(pid) });
    let (members, partners) = participants(&c.state, &c.state.projects["bouteilles"], d("2021-03-15"));
    assert_eq!((members.len(), partners.len()), (1, 1));
    assert_eq!(members[0].role, ProjectRole::Mentor);
    let (_, partners) = participants(&c.state, &c.state.projects["bouteilles"], d("2021-04-01"));
    assert!(partners.is_empty());
    let (members, _) = participants(&c.state, &c.state.projects["bouteilles"], d("2021-02-15"));
    assert_eq!(members[0].role, ProjectRole::Lead, "the role as it was on that date");
}

#[test]
fn only_current_members_join_and_nobody_joins_an_ended_project() {
    let mut c = Coop::new();
    c.create("p", "2021-01-10", None);
    c.ok("2021-01-20", Command::Withdraw { member: MemberRef::Number(MemberNo(5)) });
    assert_eq!(c.refused("2021-02-01", Command::Join { project: "p".into(), who: m(5), role: ProjectRole::Tester }), Rule::NotAMember);
    assert_eq!(c.refused("2021-02-01", Command::Join { project: "p".into(), who: m(50), role: ProjectRole::Tester }), Rule::UnknownMember);
    c.ok("2021-03-01", stage("p", Stage::SpunOff));
    assert_eq!(c.refused("2021-04-01", Command::Join { project: "p".into(), who: m(1), role: ProjectRole::Tester }), Rule::ProjectEnded);
}

#[test]
fn involvement_counts_members_in_active_projects_by_college_and_lists_the_others() {
    let mut c = Coop::new();
    c.create("bouteilles", "2021-01-10", Some(Stage::Launch));
    c.create("carpe", "2021-01-10", None);
    c.join("bouteilles", "2021-02-01", m(1), ProjectRole::Lead);
    c.join("bouteilles", "2021-02-01", m(4), ProjectRole::Tester);
    c.join("carpe", "2021-02-01", m(4), ProjectRole::Contributor);
    c.join("carpe", "2021-02-01", m(8), ProjectRole::Mentor);
    c.join(
        "carpe",
        "2021-02-01",
        Who::NewPartner(Personal { name: "Lycée agricole".into(), email: None, address: None }),
        ProjectRole::Partner,
    );
    let r = involvement(&c.state, d("2021-06-01"));
    assert_eq!((r.members, r.involved), (10, 3));
    assert_eq!(r.not_involved, [2, 3, 5, 6, 7, 9, 10].map(MemberNo).to_vec());
    let workers = r.by_college.iter().find(|g| g.code == "workers").unwrap();
    assert_eq!((workers.members, workers.involved), (3, 1));
    let carpe = r.by_project.iter().find(|p| p.slug == "carpe").unwrap();
    assert_eq!((carpe.members, carpe.partners), (2, 1));
    // An ended project no longer involves anyone; an ended membership no longer counts.
    c.ok("2021-07-01", stage("carpe", Stage::Abandoned));
    c.ok("2021-08-01", Command::Withdraw { member: MemberRef::Number(MemberNo(1)) });
    let r = involvement(&c.state, d("2021-09-01"));
    assert_eq!((r.members, r.involved), (9, 1), "only member 4, through bouteilles");
    // A project counts the members taking part on the date that are members then: member 1's
    // spell in bouteilles no longer counts once it withdrew.
    let bouteilles = r.by_project.iter().find(|p| p.slug == "bouteilles").unwrap();
    assert_eq!(bouteilles.members, 1);
    assert_eq!(involvement(&c.state, d("2021-06-01")).by_project.iter().find(|p| p.slug == "bouteilles").unwrap().members, 2);
    // The past is still answered.
    assert_eq!(involvement(&c.state, d("2021-06-01")).involved, 3);
    assert_eq!(involvement(&c.state, d("2021-01-31")).involved, 0);
    let history = member_projects(&c.state, MemberNo(4), d("2021-09-01"));
    assert_eq!(history.len(), 2);
    assert!(history.iter().any(|h| h.project == "carpe" && !h.active));
    assert!(member_projects(&c.state, MemberNo(1), d("2021-09-01")).iter().all(|h| !h.active), "membership ended");
}

#[test]
fn the_funnel_counts_projects_per_stage_and_days_spent() {
    let mut c = Coop::new();
    c.create("a", "2021-01-01", None);
    c.ok("2021-01-11", stage("a", Stage::Qualification));
    c.ok("2021-02-10", stage("a", Stage::Prototype));
    c.create("b", "2021-01-01", None);
    c.ok("2021-01-21", stage("b", Stage::Abandoned));
    let f = funnel(&c.state, d("2021-03-01"));
    let at = |s: Stage| f.iter().find(|x| x.stage == s).unwrap().clone();
    assert_eq!(at(Stage::Idea).days["a"], 10);
    assert_eq!(at(Stage::Idea).days["b"], 20);
    assert_eq!(at(Stage::Idea).median_days_completed, Some(15.0), "10 and 20 days: their mean");
    assert_eq!(at(Stage::Qualification).days["a"], 30);
    assert_eq!(at(Stage::Prototype).days["a"], 19, "still there: counted to the date");
    assert_eq!((at(Stage::Prototype).projects, at(Stage::Abandoned).projects), (1, 1));
    assert_eq!(at(Stage::Idea).reached, 2);
    assert_eq!(at(Stage::Qualification).reached, 1);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Create(u8),
        Move(u8, u8),
        Join(u8, u8, u8),
        Partner(u8),
        Role(u8, u8, u8),
        Leave(u8, u8),
        Withdraw(u8),
        NextDay(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => (0u8..4).prop_map(Op::Create),
            2 => (0u8..4, 0u8..7).prop_map(|(p, s)| Op::Move(p, s)),
            4 => (0u8..4, 0u8..10, 0u8..6).prop_map(|(p, w, r)| Op::Join(p, w, r)),
            1 => (0u8..4).prop_map(Op::Partner),
            1 => (0u8..4, 0u8..10, 0u8..6).prop_map(|(p, w, r)| Op::Role(p, w, r)),
            2 => (0u8..4, 0u8..10).prop_map(|(p, w)| Op::Leave(p, w)),
            1 => (0u8..10).prop_map(Op::Withdraw),
            3 => (1u8..40).prop_map(Op::NextDay),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// The involvement computed from the state kept incrementally equals the one computed by
        /// a fresh replay of the events dated on or before the date, at any date.
        #[test]
        fn involvement_kept_incrementally_equals_a_fresh_replay_at_any_date(ops in proptest::collection::vec(op(), 1..60), probes in proptest::collection::vec(0u16..900, 1..6)) {
            let mut c = Coop::new();
            let mut date = d("2021-01-01");
            let slugs = ["a", "b", "c", "d"];
            for o in &ops {
                let day = date.to_string();
                let cmd = match o {
                    Op::Create(p) => Command::CreateProject { slug: slugs[*p as usize].into(), name: "P".into(), description: String::new(), stage: None },
                    Op::Move(p, s) => stage(slugs[*p as usize], Stage::ALL[*s as usize]),
                    Op::Join(p, w, r) => Command::Join { project: slugs[*p as usize].into(), who: m(*w as u32 + 1), role: ProjectRole::ALL[*r as usize] },
                    Op::Partner(p) => Command::Join { project: slugs[*p as usize].into(), who: Who::NewPartner(Personal { name: "X".into(), email: None, address: None }), role: ProjectRole::Partner },
                    Op::Role(p, w, r) => Command::ChangeRole { project: slugs[*p as usize].into(), who: m(*w as u32 + 1), role: ProjectRole::ALL[*r as usize] },
                    Op::Leave(p, w) => Command::Leave { project: slugs[*p as usize].into(), who: m(*w as u32 + 1) },
                    Op::Withdraw(w) => Command::Withdraw { member: MemberRef::Number(MemberNo(*w as u32 + 1)) },
                    Op::NextDay(n) => { date = date + chrono::Days::new(*n as u64); continue; }
                };
                if c.when(&day, cmd.clone()).is_ok() {
                    c.ok(&day, cmd);
                }
            }
            for p in &probes {
                let at = d("2020-12-15") + chrono::Days::new(*p as u64);
                let mut replayed = State::default();
                for (day, e) in c.log.iter().filter(|(day, _)| *day <= at) {
                    replayed.apply(*day, e).unwrap();
                }
                prop_assert_eq!(involvement(&c.state, at), involvement(&replayed, at), "at {}", at);
                for n in 1..=10 {
                    prop_assert_eq!(member_projects(&c.state, MemberNo(n), at), member_projects(&replayed, MemberNo(n), at));
                }
            }
        }
    }
}
