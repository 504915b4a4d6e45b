//! Officers recorded by party id: names in a request (its actor, the officer it appoints,
//! removes or gives a key) become roster keys before the core decides, names are kept beside the
//! log like members', and refusals are worded with names again.

use super::*;

impl Store {
    /// [`Store::pseudonymize`] for a batch, each request changed where it is: officers it
    /// records (its founder, a first appointment) act later in it by name. Gives what it changed,
    /// for [`give_back`] (a batch decided again after another writer moved the head starts from
    /// the requests as asked); a register of 100,000 rows is then held once, not twice.
    pub(super) fn pseudonymize_all(&self, state: &State, requests: &mut [Request], fresh: &[Ulid]) -> Result<Vec<(usize, Given)>> {
        let mut introduced = std::collections::BTreeMap::new();
        // Most requests name their actor, which changes: room for each at once.
        let mut given = Vec::with_capacity(requests.len());
        for (i, (r, f)) in requests.iter_mut().zip(fresh).enumerate() {
            let was = self.pseudonymize_in_place(state, r, *f, &introduced)?;
            match (&r.command, was.command.as_deref()) {
                (Command::Found { .. }, _) => {
                    if let Some(name) = &was.actor {
                        introduced.insert(name.trim().to_string(), r.actor.clone());
                    }
                }
                (
                    Command::AppointOfficer { person: id, personal: Some(_), .. },
                    Some(Command::AppointOfficer { person: name, personal: None, .. }),
                ) => {
                    introduced.insert(name.trim().to_string(), id.clone());
                }
                _ => {}
            }
            if was.actor.is_some() || was.command.is_some() {
                given.push((i, was));
            }
        }
        Ok(given)
    }

    /// The request as the log records it: officers by party id (the roster key), their names
    /// kept beside the log like members'. The founder and an officer first appointed get the
    /// fresh identity `fresh` and bring their name; the actor and an officer named by name are
    /// turned into their key. A name the roster does not know is left as given (an actor who
    /// holds no office is then refused, by that name).
    pub(super) fn pseudonymize(
        &self,
        state: &State,
        r: &Request,
        fresh: Ulid,
        introduced: &std::collections::BTreeMap<String, String>,
    ) -> Result<Request> {
        let mut r = r.clone();
        self.pseudonymize_in_place(state, &mut r, fresh, introduced)?;
        Ok(r)
    }

    /// [`Store::pseudonymize`] where the request is; gives what it replaced.
    fn pseudonymize_in_place(
        &self,
        state: &State,
        r: &mut Request,
        fresh: Ulid,
        introduced: &std::collections::BTreeMap<String, String>,
    ) -> Result<Given> {
        let key = |name: &str| -> Result<Option<String>> {
            match introduced.get(name.trim()) {
                Some(k) => Ok(Some(k.clone())),
                None => self.officer_key(state, name),
            }
        };
        let mut was = Given::default();
        let person_named = |name: &str| Personal { name: name.trim().to_string(), email: None, address: None };
        match &r.command {
            Command::Found { .. } if state.statutes.is_none() => {
                was.command = Some(Box::new(r.command.clone()));
                if let Command::Found { founder, .. } = &mut r.command {
                    founder.get_or_insert_with(|| person_named(&r.actor));
                }
                was.actor = Some(std::mem::replace(&mut r.actor, fresh.to_string()));
                return Ok(was);
            }
            Command::AppointOfficer { personal: None, .. } | Command::RemoveOfficer { .. } | Command::RegisterKey { .. } => {
                was.command = Some(Box::new(r.command.clone()));
            }
            _ => {}
        }
        match &mut r.command {
            Command::AppointOfficer { person, personal: personal @ None, .. } => match key(person)? {
                Some(k) => *person = k,
                None => {
                    *personal = Some(person_named(person));
                    *person = fresh.to_string();
                }
            },
            Command::RemoveOfficer { person, .. } | Command::RegisterKey { person, .. } => {
                if let Some(k) = key(person)? {
                    *person = k;
                }
            }
            _ => {}
        }
        if let Some(k) = key(&r.actor)? {
            if k != r.actor {
                was.actor = Some(std::mem::replace(&mut r.actor, k));
            }
        }
        Ok(was)
    }

    /// The roster key of the officer named `name`: the key itself (a party id, or the name an
    /// officer was recorded under before officers were recorded by id), or the officer whose name
    /// kept beside the log is `name`.
    pub fn officer_key(&self, state: &State, name: &str) -> Result<Option<String>> {
        let name = name.trim();
        if state.roster.contains_key(name) || state.officer_digests.contains_key(name) || state.keys.contains_key(name) {
            return Ok(Some(name.to_string()));
        }
        let acting_member = |k: &String| {
            k.parse::<PartyId>()
                .ok()
                .and_then(|p| state.parties.get(&p))
                .and_then(|n| state.members.get(n))
                .is_some_and(|m| m.erased.is_none())
        };
        let live = |k: &String| (state.officer_digests.contains_key(k) && !state.officers_erased.contains(k)) || acting_member(k);
        let mut cache = self.officer_names.lock().unwrap_or_else(|p| p.into_inner());
        match cache.get(name) {
            Some(k) if live(k) => return Ok(Some(k.clone())),
            Some(_) => {
                cache.remove(name);
            }
            None => {}
        }
        for key in state.officer_digests.keys().filter(|k| live(k)) {
            if let Ok(id) = key.parse::<PartyId>() {
                if self.personal(id)?.is_some_and(|p| p.name.trim() == name) {
                    cache.insert(name.to_string(), key.clone());
                    return Ok(Some(key.clone()));
                }
            }
        }
        // A member acts under their party id once elected (or appointed secretary by the board).
        for m in Self::acting_members(state) {
            if self.personal(m.party)?.is_some_and(|p| p.name.trim() == name) {
                let key = m.party.to_string();
                cache.insert(name.to_string(), key.clone());
                return Ok(Some(key));
            }
        }
        Ok(None)
    }

    /// Members who act under their party id: those holding or having held a mandate, and those
    /// the board appointed to an office.
    fn acting_members(state: &State) -> impl Iterator<Item = &coop_core::Member> {
        state.members.values().filter(|m| m.erased.is_none() && (!m.mandates.is_empty() || state.roster.contains_key(&m.party.to_string())))
    }

    /// The name of the officer whose roster key is `key` ("(erased)" once erased with their
    /// member's data); a key that is not a party id is the name itself.
    pub fn officer_name(&self, state: &State, key: &str) -> Result<String> {
        match key.parse::<PartyId>() {
            Ok(_) if state.officers_erased.contains(key) => Ok("(erased)".into()),
            Ok(id) if state.officer_digests.contains_key(key) => Ok(self.personal(id)?.map_or_else(|| key.to_string(), |p| p.name)),
            Ok(id) => match state.parties.get(&id).and_then(|n| state.members.get(n)) {
                Some(m) if m.erased.is_some() => Ok("(erased)".into()),
                Some(m) => Ok(self.personal(id)?.map_or_else(|| key.to_string(), |p| format!("{} (member {})", p.name, m.number))),
                None => Ok(key.to_string()),
            },
            _ => Ok(key.to_string()),
        }
    }

    /// A refusal in words: officers' keys replaced by their names.
    pub(super) fn named(&self, state: &State, mut refusal: coop_core::Refusal) -> Result<coop_core::Refusal> {
        for key in state.officer_digests.keys() {
            if refusal.message.contains(key.as_str()) {
                refusal.message = refusal.message.replace(key.as_str(), &self.officer_name(state, key)?);
            }
        }
        for m in Self::acting_members(state) {
            let key = m.party.to_string();
            if refusal.message.contains(key.as_str()) {
                refusal.message = refusal.message.replace(key.as_str(), &self.officer_name(state, &key)?);
            }
        }
        Ok(refusal)
    }
}

/// What pseudonymizing a request replaced: its actor, its command, as asked.
#[derive(Default)]
pub(super) struct Given {
    actor: Option<String>,
    /// Boxed: few commands name officers, and every request of a batch has a `Given`.
    command: Option<Box<Command>>,
}

/// Puts back in `requests` what [`Store::pseudonymize_all`] replaced.
pub(super) fn give_back(requests: &mut [Request], given: Vec<(usize, Given)>) {
    for (i, was) in given {
        if let Some(r) = requests.get_mut(i) {
            if let Some(actor) = was.actor {
                r.actor = actor;
            }
            if let Some(command) = was.command {
                r.command = *command;
            }
        }
    }
}
