//! A cooperative to decide commands on, shared by the domain areas' tests: founded on given
//! statutes with members of the first three sample categories in turn, each command decided
//! and its events applied as the store would.

use chrono::NaiveDate;

use crate::*;

pub(crate) fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

pub(crate) struct Founded {
    pub(crate) state: State,
    n: u128,
    /// Who acts: the founder (`secretary`) until a board is elected, then a member under their
    /// party id ([`Founded::act_as`]).
    pub(crate) actor: String,
}

impl Founded {
    /// Founded on `statutes`, then `members` persons admitted on 2020-01-01 with `shares` each,
    /// as employees, beneficiaries and volunteers in turn.
    pub(crate) fn new(statutes: &str, members: usize, shares: u64) -> Founded {
        let st = Statutes::from_toml(statutes).unwrap();
        let mut c = Founded { state: State::default(), n: 1, actor: "secretary".into() };
        c.ok(&st.founded.to_string(), Command::Found { statutes: Box::new(st), founder: None });
        for (i, cat) in ["employees", "beneficiaries", "volunteers"].iter().cycle().take(members).enumerate() {
            let personal = Personal { name: format!("M{i}"), email: None, address: None };
            let admit = Command::Admit {
                personal,
                kind: PartyKind::Person,
                category: cat.to_string(),
                shares: Some(shares),
                class: None,
                paid: None,
            };
            c.ok("2020-01-01", admit);
        }
        c
    }
    pub(crate) fn when(&self, date: &str, cmd: Command) -> Result<Vec<Event>, Refusal> {
        let ctx = Context {
            today: d("2035-12-31"),
            fresh_id: ulid::Ulid(self.n),
            salt: "s".into(),
            actor: self.actor.clone(),
            number: None,
            signer: None,
        };
        decide(&self.state, d(date), &cmd, &ctx)
    }
    pub(crate) fn ok(&mut self, date: &str, cmd: Command) -> Vec<Event> {
        let events = self.when(date, cmd.clone()).unwrap_or_else(|r| panic!("{cmd:?}: {r}"));
        for e in &events {
            crate::state::apply_checked(&mut self.state, d(date), e);
        }
        self.n += 1;
        events
    }
    /// The next commands are member `n`'s, acting under their party id (as an elected member
    /// does).
    pub(crate) fn act_as(&mut self, n: u32) {
        self.actor = self.state.members[&MemberNo(n)].party.to_string();
    }
}

/// Declares a test module's own `Coop`: a [`Founded`] (reached through `Deref`) to which the
/// module adds its helpers.
macro_rules! coop_type {
    () => {
        struct Coop(crate::testing::Founded);

        impl std::ops::Deref for Coop {
            type Target = crate::testing::Founded;
            fn deref(&self) -> &crate::testing::Founded {
                &self.0
            }
        }

        impl std::ops::DerefMut for Coop {
            fn deref_mut(&mut self) -> &mut crate::testing::Founded {
                &mut self.0
            }
        }
    };
}
pub(crate) use coop_type;
