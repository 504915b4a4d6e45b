//! `coop demo`: a sample SCIC modelled on a rural territorial cooperation hub, written into
//! the store through the same commands a secretary would type.

use std::path::Path;
use std::process::ExitCode;

use chrono::{Days, NaiveDate};
use coop_core::{
    Cents, Choice, Command, EndCause, MemberNo, MemberRef, PartyKind, Personal, ProjectRole, Resolution, ResolutionKind, Stage, Statutes,
    Subject, Who,
};
use coop_store::{Request, Store};

use crate::{Failure, Out};

/// The demo cooperative's name: a store holding it is shown again rather than refused.
pub const DEMO_NAME: &str = "SCIC Bassin Coopératif (démo)";

const FIRST: &[&str] = &[
    "Camille", "Julien", "Sophie", "Thomas", "Léa", "Nicolas", "Chloé", "Antoine", "Manon", "Pierre", "Emma", "Lucas", "Inès", "Hugo",
    "Sarah", "Louis", "Jeanne", "Paul", "Alice", "Mathieu", "Claire", "Romain", "Élodie", "Bastien", "Margaux", "Vincent", "Pauline",
    "Étienne", "Lucie", "Gaël",
];
const LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Girard",
    "Petit",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Guyot",
    "Perrin",
    "Mercier",
    "Bourgeois",
    "Faivre",
    "Jacquot",
    "Bouvier",
    "Cretin",
    "Vuillermoz",
    "Lacroix",
    "Bailly",
    "Humbert",
    "Colin",
    "Marchand",
    "Grandjean",
    "Chevalier",
    "Jeunet",
    "Midol",
    "Cuynet",
    "Renaud",
    "Tissot",
    "Monnier",
];
const BUSINESSES: &[&str] = &[
    "Domaine des Coteaux de la Seille",
    "Fruitière du Revermont",
    "Transports Bourgeois et Fils",
    "Verrerie du Vignoble",
    "Boulangerie La Mie Jurassienne",
    "Cave coopérative du Sud Revermont",
    "Atelier Bois et Design",
    "Pisciculture des Étangs de Bresse",
    "Imprimerie Lédonienne",
    "Épicerie solidaire Le Panier",
    "Bureau d'études Territoires Vivants",
    "Association Jardins de Cocagne du Jura",
];
const PUBLIC: &[&str] = &[
    "Commune de Saint-Aubin-des-Vignes",
    "Communauté de communes des Coteaux",
    "Commune de Montval",
    "Syndicat mixte du Pays Lédonien",
    "Lycée agricole du Revermont (EPLEFPA)",
];

struct Gen(u64);
impl Gen {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn admit(name: &str, kind: PartyKind, category: &str, shares: u64, paid: Option<Cents>, email: bool) -> Command {
    let email = email.then(|| {
        let slug: String = name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '.' }).collect();
        format!("{}@example.org", slug.split('.').filter(|s| !s.is_empty()).take(3).collect::<Vec<_>>().join("."))
    });
    Command::Admit {
        personal: Personal { name: name.into(), email, address: None },
        kind,
        category: category.into(),
        shares: Some(shares),
        class: None,
        paid,
    }
}

fn m(n: u32) -> MemberRef {
    MemberRef::Number(MemberNo(n))
}

/// The demo's commands: those the founder records, in order (ending with the election of the
/// board, which ends the founder's office), then who acts for the board after it.
pub struct Script {
    /// Dated commands recorded by the founder.
    pub founding: Vec<(NaiveDate, Command)>,
    /// The board member who records the board's first meeting (and is elected its chair).
    pub chair: (MemberNo, String),
    /// The member the board appoints its secretary, who records what follows.
    pub secretary: (MemberNo, String),
    /// The Commune de Montval, a member that sits on the recruitment commission.
    pub montval: MemberNo,
}

/// The commands of the demo, dated, in order.
pub fn script() -> Script {
    let statutes =
        Statutes::from_toml(&coop_core::SAMPLE_STATUTES.replace("Clus'Ter Jura", DEMO_NAME)).expect("the sample statutes are valid");
    let founded = statutes.founded;
    let mut out = vec![(founded, Command::Found { statutes: Box::new(statutes), founder: None })];
    let mut g = Gen(1947);
    // Members to admit: (name, kind, category, shares).
    let mut people: Vec<(String, PartyKind, &str, u64)> = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    let mut person = |g: &mut Gen| loop {
        let n = format!("{} {}", FIRST[g.next(FIRST.len() as u64) as usize], LAST[g.next(LAST.len() as u64) as usize]);
        if used.insert(n.clone()) {
            return n;
        }
    };
    for _ in 0..5 {
        people.push((person(&mut g), PartyKind::Person, "employees", 2));
    }
    for i in 0..30 {
        let shares = 1 + g.next(3);
        people.push((person(&mut g), PartyKind::Person, "beneficiaries", shares));
        if i % 10 == 9 {
            // Some habitual beneficiaries are organisations (winegrowers using the bottle washing).
            people.pop();
            people.push((format!("GAEC {}", LAST[i % LAST.len()]), PartyKind::Organisation, "beneficiaries", 2));
        }
    }
    for _ in 0..18 {
        people.push((person(&mut g), PartyKind::Person, "volunteers", 1));
    }
    for b in BUSINESSES {
        people.push((b.to_string(), PartyKind::Organisation, "businesses", 4 + 2 * g.next(5)));
    }
    for p in PUBLIC {
        people.push((p.to_string(), PartyKind::PublicBody, "public", 10 + 5 * g.next(2)));
    }
    // Founders first, then admissions spread over the years, in date order.
    let founders = [0usize, 1, 5, 6, 53, 54, 55, 56, 65, 66];
    let mut order: Vec<usize> = founders.to_vec();
    let mut rest: Vec<usize> = (0..people.len()).filter(|i| !founders.contains(i)).collect();
    for i in (1..rest.len()).rev() {
        let j = g.next(i as u64 + 1) as usize;
        rest.swap(i, j);
    }
    // Public bodies joined late (the hub had to prove itself first).
    rest.sort_by_key(|&i| people[i].1 == PartyKind::PublicBody);
    order.extend(rest);
    let span = 9 * 365;
    let mut dated: Vec<(NaiveDate, usize)> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let d =
                if k < founders.len() { founded } else { founded + Days::new(30 + (k as u64 * span / people.len() as u64) + g.next(20)) };
            (d, i)
        })
        .collect();
    dated.sort_by_key(|(d, _)| *d);
    for (k, (d, i)) in dated.iter().enumerate() {
        let (name, kind, cat, shares) = &people[*i];
        // One recent business subscription is paid a quarter only, to be paid up later.
        let paid = (k == dated.len() - 3).then(|| Cents((*shares as i64 * 5000 + 3) / 4));
        out.push((*d, admit(name, *kind, cat, *shares, paid, k % 4 != 3)));
    }
    let d = |s: &str| coop_core::parse_date(s).expect("demo dates are valid");
    // The n-th member (from 0) admitted before `before` whose category is `cat`, by number.
    let pick = |cat: &str, n: usize, before: &str| -> MemberRef {
        let found = dated
            .iter()
            .enumerate()
            .filter(|(_, (day, i))| people[*i].2 == cat && people[*i].1 != PartyKind::Organisation && *day < d(before))
            .nth(n);
        m(found.map_or(1, |(k, _)| k as u32 + 1))
    };
    let business =
        |n: usize| m(dated.iter().enumerate().filter(|(_, (_, i))| people[*i].2 == "businesses").nth(n).map_or(1, |(k, _)| k as u32 + 1));
    // Life of the register.
    let leaving = pick("beneficiaries", 2, "2019-01-01");
    out.push((d("2019-03-31"), Command::Withdraw { member: leaving }));
    let leaving_shares = dated.iter().enumerate().find(|(k, _)| m(*k as u32 + 1) == leaving).map_or(1, |(_, (_, i))| people[*i].3);
    out.push((d("2019-09-30"), Command::Redeem { member: leaving, count: leaving_shares, class: None }));
    out.push((d("2021-01-15"), Command::Subscribe { member: business(0), count: 10, class: None, paid: None }));
    out.push((d("2022-05-02"), Command::Transfer { from: business(0), to: business(1), count: 2, class: None }));
    out.push((d("2023-02-28"), Command::End { member: pick("volunteers", 0, "2023-01-01"), cause: EndCause::Death }));
    out.push((d("2023-06-30"), Command::Move { member: pick("volunteers", 1, "2023-01-01"), category: "beneficiaries".into() }));
    out.push((d("2024-04-15"), Command::Subscribe { member: business(2), count: 10, class: None, paid: Some(Cents(25_000)) }));
    out.push((d("2025-01-31"), Command::Pay { member: business(2), amount: Cents(10_000) }));
    // Flagged as having lost its quality: it keeps no vote in its former college.
    let flagged = pick("beneficiaries", 0, "2020-01-01");
    out.push((d("2025-09-30"), Command::End { member: flagged, cause: EndCause::LossOfQuality }));
    let deceased = pick("volunteers", 0, "2023-01-01");
    out.push((d("2023-06-15"), Command::RecordReview));
    // Each public body designates the elected member who represents it.
    const REPRESENTATIVES: [&str; 6] = ["Jeanne Maire", "Paul Vuillet", "Odile Grandjean", "Marc Perrin", "Sylvie Faivre", "Henri Guyon"];
    let public: Vec<MemberRef> =
        dated.iter().enumerate().filter(|(_, (_, i))| people[*i].1 == PartyKind::PublicBody).map(|(k, _)| m(k as u32 + 1)).collect();
    for (k, body) in public.into_iter().enumerate() {
        let name = REPRESENTATIVES[k % REPRESENTATIVES.len()];
        let email = format!("{}@mairie.example", name.to_lowercase().replace(' ', "."));
        let personal = Personal { name: name.into(), email: Some(email), address: None };
        out.push((d("2026-01-15"), Command::Represent { member: body, personal }));
    }

    // The annual ordinary assemblies that approved each year's accounts, 2017 to 2025: a fifth
    // of the members on the roll come, the board's resolution is adopted.
    let gone = [leaving, deceased, flagged];
    for year in 2017..=2025 {
        let slug = format!("ago-{year}");
        let convened = d(&format!("{year}-05-20"));
        let meeting = d(&format!("{year}-06-15"));
        let on_roll: Vec<u32> = dated
            .iter()
            .enumerate()
            .filter(|(k, (day, _))| *day <= convened && !gone.contains(&m(*k as u32 + 1)))
            .map(|(k, _)| k as u32 + 1)
            .collect();
        let present: Vec<u32> = on_roll.iter().copied().take(on_roll.len().div_ceil(5) + 1).collect();
        out.push((
            convened,
            Command::Convene {
                time: None,
                slug: slug.clone(),
                kind: ResolutionKind::Ordinary,
                date: meeting,
                place: "Salle des fêtes, Lons-le-Saunier".into(),
                agenda: annual_agenda(year - 1),
                second_of: None,
                edition: None,
            },
        ));
        for n in &present {
            out.push((meeting, Command::Attend { assembly: slug.clone(), member: m(*n), remote: false }));
        }
        out.push((
            meeting,
            Command::AppointOfficers { assembly: slug.clone(), chair: m(present[0]), secretary: m(present[1]), scrutineers: vec![] },
        ));
        for n in 1..=annual_agenda(year - 1).len() as u32 {
            out.push((meeting, Command::VoteAll { assembly: slug.clone(), resolution: n, choice: Choice::For, except: vec![] }));
        }
        out.push((meeting, Command::Close { assembly: slug, not_put_to_vote: vec![] }));
    }

    // The annual ordinary assembly of 2026, with proxies and postal votes.
    let slug = "ago-2026";
    let a = || slug.to_string();
    let agenda = vec![
        Resolution {
            subject: Some(Subject::Accounts(2025)),
            result_cents: Some(Cents(985_000)),
            text: "L'assemblée générale, après avoir entendu la lecture du rapport de gestion du conseil et du rapport \
                   du commissaire aux comptes, approuve les comptes annuels de l'exercice clos le 31 décembre 2025 tels \
                   qu'ils lui ont été présentés, ainsi que les opérations traduites dans ces comptes."
                .into(),
            ..res("Approbation des comptes de l'exercice 2025", ResolutionKind::Ordinary, true)
        },
        Resolution {
            allocation: Some(allocation(985_000)),
            text: "L'assemblée générale décide d'affecter le résultat de l'exercice 2025 pour 57,5 % aux réserves \
                   impartageables, dont 15 % à la réserve légale, et pour le solde au report à nouveau."
                .into(),
            ..res("Affectation du résultat : 57,5 % aux réserves impartageables", ResolutionKind::Ordinary, true)
        },
        Resolution {
            subject: Some(Subject::Elect(coop_core::bodies::Election {
                members: vec![MemberNo(1), MemberNo(4), MemberNo(7), MemberNo(10)],
                office: coop_core::Office::Board,
                years: 6,
            })),
            ..res("Renouvellement du conseil coopératif", ResolutionKind::Ordinary, true)
        },
        res("Entrée au capital d'une fondation territoriale (non agréée par le conseil)", ResolutionKind::Ordinary, false),
    ];
    out.push((
        d("2026-05-29"),
        Command::Convene {
            time: chrono::NaiveTime::from_hms_opt(18, 30, 0),
            slug: a(),
            kind: ResolutionKind::Ordinary,
            date: d("2026-06-20"),
            place: "Salle des fêtes, 12 rue du Commerce, Lons-le-Saunier".into(),
            agenda,
            second_of: None,
            edition: None,
        },
    ));
    out.push((d("2026-05-29"), Command::SendConvocations { assembly: a() }));
    let active: Vec<u32> = (1..=dated.len() as u32).filter(|n| ![leaving, deceased, flagged].contains(&m(*n))).collect();
    let present: Vec<u32> = active.iter().copied().filter(|n| n % 3 == 1).collect();
    let absent: Vec<u32> = active.iter().copied().filter(|n| n % 3 != 1).collect();
    let proxies: Vec<(u32, Option<u32>)> =
        absent.iter().take(7).enumerate().map(|(i, n)| (*n, if i == 6 { None } else { Some(present[i]) })).collect();
    let postal: Vec<u32> = absent.iter().skip(7).step_by(4).take(6).copied().collect();
    for (i, (from, to)) in proxies.iter().enumerate() {
        out.push((d("2026-06-08") + Days::new(i as u64), Command::Proxy { assembly: a(), from: m(*from), to: to.map(m) }));
    }
    let choice = |n: u32, r: u32| match (n * 7 + r * 3) % 11 {
        0 | 5 => Choice::Against,
        1 => Choice::Abstain,
        _ if r == 4 && n % 2 == 0 => Choice::Against,
        _ => Choice::For,
    };
    for (i, n) in postal.iter().enumerate() {
        let votes = (1..=4).filter(|r| !(i == 0 && *r == 3)).map(|r| (r, choice(*n, r))).collect();
        out.push((d("2026-06-12") + Days::new(i as u64), Command::Postal { assembly: a(), member: m(*n), votes }));
    }
    let meeting = d("2026-06-20");
    for (i, n) in present.iter().enumerate() {
        out.push((meeting, Command::Attend { assembly: a(), member: m(*n), remote: i % 5 == 4 }));
    }
    out.push((
        meeting,
        Command::AppointOfficers {
            assembly: a(),
            chair: m(present[0]),
            secretary: m(present[1]),
            scrutineers: vec![m(present[2]), m(present[3])],
        },
    ));
    let voters: Vec<u32> = present.iter().copied().chain(proxies.iter().filter(|(_, to)| to.is_some()).map(|(f, _)| *f)).collect();
    for r in 1..=4u32 {
        for n in &voters {
            out.push((meeting, Command::Vote { assembly: a(), resolution: r, member: m(*n), choice: choice(*n, r) }));
        }
    }
    out.push((meeting, Command::Close { assembly: a(), not_put_to_vote: vec![] }));

    // Fifteen cooperative projects through the territorial R&D pipeline.
    let admitted: Vec<NaiveDate> = dated.iter().map(|(day, _)| *day).collect();
    let stays: Vec<u32> = (1..=dated.len() as u32).filter(|n| m(*n) != leaving && m(*n) != deceased).collect();
    let mut events: Vec<(NaiveDate, Command)> = Vec::new();
    for (i, (slug, name, description, start, path, partners)) in PROJECTS.iter().enumerate() {
        let start = d(start);
        let mut day = start;
        events.push((
            day,
            Command::CreateProject {
                slug: slug.to_string(),
                name: name.to_string(),
                description: description.to_string(),
                stage: Some(path[0]),
            },
        ));
        // A team of members admitted by then; the first leads.
        let pool: Vec<u32> = stays.iter().copied().filter(|n| admitted[*n as usize - 1] <= start + Days::new(10)).collect();
        let size = (3 + g.next(6) as usize).min(pool.len());
        let mut team: Vec<u32> = Vec::new();
        while team.len() < size {
            let pick = pool[g.next(pool.len() as u64) as usize];
            if !team.contains(&pick) {
                team.push(pick);
            }
        }
        day = day + Days::new(7);
        for (k, n) in team.iter().enumerate() {
            let role = match k {
                0 => ProjectRole::Lead,
                1 | 2 => ProjectRole::Contributor,
                _ => [ProjectRole::Tester, ProjectRole::Funder, ProjectRole::Mentor, ProjectRole::Contributor][g.next(4) as usize],
            };
            events.push((day, Command::Join { project: slug.to_string(), who: Who::Member(m(*n)), role }));
        }
        for partner in partners.iter() {
            let who = Who::NewPartner(Personal { name: partner.to_string(), email: None, address: None });
            events.push((day, Command::Join { project: slug.to_string(), who, role: ProjectRole::Partner }));
        }
        // Through the pipeline: one stage every few months, up to the last stage of its path.
        for next in &path[1..] {
            day = day + Days::new(70 + g.next(120));
            events.push((day, Command::MoveProject { project: slug.to_string(), stage: *next }));
            if i % 3 == 0 && *next == Stage::Prototype {
                // Testers come in at the prototype stage.
                let newcomers: Vec<u32> =
                    stays.iter().copied().filter(|n| admitted[*n as usize - 1] <= day && !team.contains(n)).take(2 + i % 3).collect();
                for n in newcomers {
                    events.push((day, Command::Join { project: slug.to_string(), who: Who::Member(m(n)), role: ProjectRole::Tester }));
                    team.push(n);
                }
            }
        }
        if team.len() > 3 && i % 4 == 1 {
            day = day + Days::new(30);
            events.push((day, Command::ChangeRole { project: slug.to_string(), who: Who::Member(m(team[1])), role: ProjectRole::Lead }));
            events.push((day, Command::Leave { project: slug.to_string(), who: Who::Member(m(team[0])) }));
        }
    }
    out.extend(events);
    // Last, the board the 2026 assembly elected takes office: the founder's office lapses.
    out.push((meeting, Command::Elect { assembly: a(), resolution: 3 }));
    let name_of = |n: u32| people[dated[n as usize - 1].1].0.clone();
    let montval = dated.iter().position(|(_, i)| people[*i].0 == "Commune de Montval").map_or(MemberNo(1), |k| MemberNo(k as u32 + 1));
    Script { founding: out, chair: (MemberNo(1), name_of(1)), secretary: (MemberNo(4), name_of(4)), montval }
}

/// What the board and its committees record once elected, by who records it: the board's first
/// meeting (its chair and secretary), the recruitment commission of the market-gardening project
/// (a member commune and two partners of the project) and its first meeting.
fn after_election(store: &Store, s: &Script) -> coop_store::Result<Vec<(NaiveDate, Command, String)>> {
    let d = |x: &str| coop_core::parse_date(x).expect("demo dates are valid");
    let chair = s.chair.1.clone();
    let secretary = s.secretary.1.clone();
    let mut out = vec![(
        d("2026-06-27"),
        Command::HoldMeeting(coop_core::bodies::MeetingRecord {
            body: coop_core::bodies::BOARD.into(),
            meeting: "ca-2026-06".into(),
            present: [1, 4, 7].into_iter().map(|n| Who::Member(m(n))).collect(),
            decisions: vec![
                "Le conseil arrête le calendrier de ses réunions pour l'exercice 2026-2027.".into(),
                "Le conseil constitue une commission de recrutement pour le projet de maraîchage sur terres communales.".into(),
            ],
            chair: Some(MemberRef::Number(s.chair.0)),
            secretary: Some(MemberRef::Number(s.secretary.0)),
        }),
        chair,
    )];
    let slug = || "recrutement-maraichers".to_string();
    out.push((
        d("2026-07-01"),
        Command::CreateCommittee {
            slug: slug(),
            name: "Commission de recrutement des maraîchers".into(),
            project: Some("maraichage".into()),
        },
        secretary.clone(),
    ));
    let state = store.state_part(&coop_store::Part::default())?;
    let mut seats = vec![(Who::Member(MemberRef::Number(s.montval)), "commune propriétaire des terres")];
    for (name, role) in [("Terre de Liens Franche-Comté", "foncier agricole"), ("Lycée agricole de Montmorot", "formation des candidats")]
    {
        if let Some(id) = store.partner_named(&state, name)? {
            seats.push((Who::Partner(id), role));
        }
    }
    seats.push((Who::Member(MemberRef::Number(s.chair.0)), "représentant du conseil"));
    for (who, role) in &seats {
        out.push((
            d("2026-07-01"),
            Command::JoinCommittee { committee: slug(), who: who.clone(), role: role.to_string() },
            secretary.clone(),
        ));
    }
    out.push((
        d("2026-09-15"),
        Command::HoldMeeting(coop_core::bodies::MeetingRecord {
            body: slug(),
            meeting: "recrutement-2026-09".into(),
            present: seats.iter().map(|(w, _)| w.clone()).collect(),
            decisions: vec![
                "La commission retient deux candidats maraîchers pour les parcelles des Grands Prés.".into(),
                "Chaque installation est suivie par un membre de la commission, avec un point trimestriel.".into(),
            ],
            chair: None,
            secretary: None,
        }),
        secretary,
    ));
    Ok(out)
}

type ProjectSeed = (&'static str, &'static str, &'static str, &'static str, &'static [Stage], &'static [&'static str]);

/// Slug, name, description, start date, the stages it went through, partners who are not members.
const PROJECTS: &[ProjectSeed] = &[
    (
        "bouteilles",
        "J'aime mes bouteilles",
        "Collecter, trier, laver et revendre les bouteilles usagées du vignoble, avec viticulteurs, logisticiens et magasins.",
        "2017-03-01",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch, Stage::Running],
        &["Syndicat des vins du Jura", "Centre de tri Sud-Jura"],
    ),
    (
        "carpe-diem",
        "Carpe Diem",
        "Une filière territoriale pour la carpe des étangs de Bresse avec les derniers pisciculteurs.",
        "2017-09-15",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch, Stage::Running, Stage::SpunOff],
        &["Chambre d'agriculture du Jura"],
    ),
    (
        "maraichage",
        "Maraîchage sur terres communales",
        "Installer des maraîchers sur des terres acquises par la commune, avec une commission de recrutement.",
        "2019-02-01",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch],
        &["Terre de Liens Franche-Comté", "Lycée agricole de Montmorot"],
    ),
    (
        "conserverie",
        "Conserverie solidaire",
        "Transformer les surplus des producteurs en conserves vendues localement.",
        "2020-04-10",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype],
        &[],
    ),
    (
        "mobilite",
        "Mobilité rurale partagée",
        "Autopartage et covoiturage organisés entre villages.",
        "2022-01-20",
        &[Stage::Idea, Stage::Qualification],
        &["Marc Dupuis"],
    ),
    (
        "recyclerie",
        "Recyclerie du Revermont",
        "Collecte, réparation et revente d'objets, avec un atelier d'insertion.",
        "2018-05-05",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch, Stage::Running],
        &["Emmaüs Jura"],
    ),
    (
        "cantine",
        "Cantine en circuit court",
        "Approvisionner les cantines des écoles et du collège en produits locaux.",
        "2020-09-01",
        &[Stage::Qualification, Stage::Prototype, Stage::Launch],
        &["Collège Jean-Michel"],
    ),
    (
        "tiers-lieu",
        "Tiers-lieu numérique",
        "Un espace de travail partagé et de médiation numérique au bourg.",
        "2021-03-15",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype],
        &[],
    ),
    (
        "bois-energie",
        "Bois énergie local",
        "Valoriser le bois des haies en plaquettes pour les chaufferies communales.",
        "2025-06-01",
        &[Stage::Idea],
        &[],
    ),
    (
        "epicerie-mobile",
        "Épicerie mobile",
        "Une épicerie itinérante pour les villages sans commerce.",
        "2023-10-01",
        &[Stage::Idea, Stage::Qualification],
        &["CCI du Jura"],
    ),
    (
        "compost",
        "Compostage collectif",
        "Plateformes de compostage de quartier, abandonné faute de terrain.",
        "2019-06-01",
        &[Stage::Idea, Stage::Qualification, Stage::Abandoned],
        &[],
    ),
    ("atelier-velo", "Atelier vélo participatif", "Réparer et réemployer les vélos.", "2025-09-10", &[Stage::Idea], &["Sophie Lambert"]),
    (
        "jardins",
        "Jardins partagés",
        "Des jardins partagés et d'insertion dans les quartiers d'habitat social.",
        "2018-03-20",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch, Stage::Running],
        &["Bailleur social Jura Habitat"],
    ),
    (
        "logistique",
        "Plateforme logistique des circuits courts",
        "Mutualiser le transport et le stockage des producteurs.",
        "2022-06-01",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype],
        &["Groupement des transporteurs du Revermont"],
    ),
    (
        "start-up-territoire",
        "Start Up de Territoire",
        "Soirées publiques pour faire émerger les problèmes et les idées du bassin.",
        "2016-10-01",
        &[Stage::Idea, Stage::Qualification, Stage::Prototype, Stage::Launch, Stage::Running, Stage::SpunOff],
        &[],
    ),
];

/// The results of the years the demo's accounts show, in euros: small surpluses, then a loss.
const RESULTS: [(i32, i64); 3] = [(2022, 420_000), (2023, -180_000), (2024, 640_000)];

/// The agenda approving the accounts of `year`: with its result and the allocation of a
/// surplus (15 % to the legal reserve, the statutory reserve up to 57.5 %, the rest carried
/// forward) for the years in [`RESULTS`].
fn annual_agenda(year: i32) -> Vec<Resolution> {
    let accounts = Resolution {
        subject: Some(Subject::Accounts(year)),
        result_cents: RESULTS.iter().find(|(y, _)| *y == year).map(|(_, r)| Cents(*r)),
        ..res(&format!("Approbation des comptes de l'exercice {year}"), ResolutionKind::Ordinary, true)
    };
    let mut agenda = vec![accounts];
    if let Some((_, surplus)) = RESULTS.iter().find(|(y, r)| *y == year && *r > 0) {
        agenda.push(Resolution {
            allocation: Some(allocation(*surplus)),
            ..res(&format!("Affectation du résultat de l'exercice {year}"), ResolutionKind::Ordinary, true)
        });
    }
    agenda
}

/// 15 % of `surplus` to the legal reserve, the statutory reserve up to 57.5 %, the rest carried
/// forward (each rounded up to the cent, as the floors are).
fn allocation(surplus: i64) -> coop_core::money::Allocation {
    let legal = coop_core::money::share_ceil(Cents(surplus), 15, 100).0;
    let impartible = coop_core::money::share_ceil(Cents(surplus), 575, 1000).0;
    coop_core::money::Allocation {
        legal_reserve_cents: Cents(legal),
        statutory_reserve_cents: Cents(impartible - legal),
        interest_cents: Cents::ZERO,
        carried_forward_cents: Cents(surplus - impartible),
    }
}

fn res(title: &str, kind: ResolutionKind, board_approved: bool) -> Resolution {
    Resolution::new(title, kind, board_approved)
}

pub fn run(path: &Path, today: NaiveDate, actor: &str, json: bool) -> Out {
    let store = crate::open(path)?;
    let fresh = store.head().seq == 0;
    if !fresh {
        let name = store.with_state(|s| s.statutes.as_ref().map(|s| s.name.clone()))?.unwrap_or_default();
        if name != DEMO_NAME {
            return Err(Failure::rule(format!(
                "the store at {} already holds {name}; the demo writes only into a new store (pass --store PATH)",
                path.display()
            )));
        }
    } else {
        let script = script();
        let requests: Vec<Request> = script
            .founding
            .iter()
            .map(|(date, command)| Request {
                command: command.clone(),
                date: *date,
                today,
                actor: actor.to_string(),
                command_id: None,
                key: None,
            })
            .collect();
        store.execute_all(requests)?;
        let requests: Vec<Request> = after_election(&store, &script)?
            .into_iter()
            .map(|(date, command, actor)| Request { command, date, today, actor, command_id: None, key: None })
            .collect();
        store.execute_all(requests)?;
    }
    let state = store.state()?;
    if json {
        let rows = store.register(&state)?;
        crate::output::json(
            &serde_json::json!({"store": path, "created": fresh, "register": rows, "capital": coop_core::capital(&state)}),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    if fresh {
        println!("created the sample cooperative \"{DEMO_NAME}\" in {} ({} events)\n", path.display(), store.head().seq);
    } else {
        println!("{} already holds the sample cooperative; showing it again\n", path.display());
    }
    let rows = store.register(&state)?;
    crate::print_register_rows(&rows)?;
    println!();
    let c = coop_core::capital(&state);
    println!(
        "capital: {} subscribed, {} paid; highest {}; floor {}; public bodies {:.1} %; {} current members",
        c.subscribed_cents,
        c.paid_cents,
        c.highest_cents,
        c.floor_cents,
        c.public_bodies_share * 100.0,
        c.members
    );
    println!("\nnext, with --store {} (or export COOP_STORE={}):", path.display(), path.display());
    println!("      coop check | coop member show 3 --history | coop --as-of 2020-12-31 register | coop audit verify");
    println!("      coop assembly result ago-2026 | coop assembly minutes ago-2026 --format html > pv.html");
    println!("      coop involvement | coop --as-of 2021-12-31 involvement | coop project list | coop project show bouteilles");
    println!("      coop board list | coop reserves | coop reimbursements | coop shares movements | coop member certificate 4");
    Ok(ExitCode::SUCCESS)
}
