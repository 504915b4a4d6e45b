//! The decision state kept in pieces in the `state` tree: one piece per member (kept eight
//! to a value, see [`members`]), assembly, project and partner, one for the statutes and one
//! for the small totals (which also names the head the pieces reflect). A command rewrites the pieces its events change in the same
//! transaction as the events, so the pieces are always those of the head: opening a store reads
//! nothing until asked, and a query reads only the pieces it needs.
//!
//! Members, assemblies and projects are kept in trees of their own, apart from the small
//! pieces every query reads (totals, statutes, partners, the party index): sled keeps up to
//! sixteen values in a page, and a small value sharing a page with an assembly's frozen roll
//! (megabytes at 100,000 members) would cost that roll's read each time.
//!
//! Which pieces an event changes is said by `coop_core::Touched`; this module only encodes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use coop_core::{CapitalTotals, ClassCount, Event, MemberNo, Officer, PartyId, State, Statutes, Touched};
use serde::{Deserialize, Serialize};

use crate::backend::Table;
use crate::store::Head;
use crate::{Error, Result};

pub(crate) mod checkpoints;
mod members;
mod roll;
mod taking_part;

pub use roll::{Roll, RollEntry};

const GLOBALS: &[u8] = b"g";
const STATUTES: &[u8] = b"s";
const MEMBER: u8 = b'm';
/// The party index: a party's member number, kept with those of the parties whose ids end with
/// the same 12 bits (see [`party_buckets`]).
const PARTIES: u8 = b'Y';
const ASSEMBLY: u8 = b'a';
const PROJECT: u8 = b'p';
const PARTNER: u8 = b'r';
/// The board's meetings and each committee, by slug (few and small: read with the totals).
const BODY: u8 = b'b';
/// The results of a closed assembly, under the statutes in force (see [`results`]).
const RESULTS: u8 = b'R';

/// The tables the pieces are kept in: the small ones, members, assemblies, projects.
///
/// Members, assemblies and projects are kept apart from the small pieces every query reads:
/// sled keeps up to sixteen values in a page, and a small value sharing a page with an
/// assembly's frozen roll would cost that roll's read each time.
#[derive(Clone, Copy)]
pub(crate) struct Trees<'a>(pub(crate) &'a [Box<dyn Table>; 4]);

impl<'a> Trees<'a> {
    fn small(&self) -> &'a dyn Table {
        &*self.0[0]
    }

    fn members(&self) -> &'a dyn Table {
        &*self.0[1]
    }

    /// Which of the tables holds `key`.
    pub(crate) fn index(key: &[u8]) -> usize {
        match key.first() {
            Some(&MEMBER) | Some(&members::BUCKET) | Some(&roll::ROLL) => 1,
            Some(&ASSEMBLY) => 2,
            Some(&PROJECT) | Some(&taking_part::TAG) => 3,
            _ => 0,
        }
    }

    /// The table that holds `key`.
    pub(crate) fn of(&self, key: &[u8]) -> &'a dyn Table {
        &*self.0[Trees::index(key)]
    }

    pub(crate) fn clear(&self) -> Result<()> {
        for t in self.0 {
            t.clear()?;
        }
        Ok(())
    }
}

/// The small part of the state, rewritten by every command, with the head it reflects.
#[derive(Serialize, Deserialize)]
struct Globals {
    seq: u64,
    hash: String,
    statutes_since: Option<NaiveDate>,
    founded_on: Option<NaiveDate>,
    capital: CapitalTotals,
    last_review: Option<NaiveDate>,
    roster: BTreeMap<String, Officer>,
    by_class: BTreeMap<String, ClassCount>,
    active_members: u64,
    /// Absent from pieces written before it was kept (then read from the pieces themselves).
    #[serde(default)]
    latest: Option<NaiveDate>,
    #[serde(default)]
    retired_number: u32,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    keys: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    officer_digests: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    officer_members: BTreeMap<String, coop_core::MemberNo>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    officers_erased: std::collections::BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    board_since: Option<NaiveDate>,
}

/// Which pieces of the state to read (see [`crate::Store::state_part`]).
#[derive(Clone, Debug, Default)]
pub struct Part {
    /// Members (their party ids come with them).
    pub members: Pick<MemberNo>,
    /// Assemblies, by slug.
    pub assemblies: Pick<String>,
    /// Projects, by slug.
    pub projects: Pick<String>,
    /// Also the projects these members have taken part in (a spell there, at any date): what
    /// a member's page reads instead of every project.
    pub projects_of: Vec<MemberNo>,
}

impl Part {
    /// Every piece: the whole state.
    pub fn all() -> Part {
        Part { members: Pick::All, assemblies: Pick::All, projects: Pick::All, projects_of: Vec::new() }
    }

    /// `state` with only the members, assemblies and projects this part names (and the parties
    /// of those members): what reading this part from the pieces gives.
    pub fn keep(&self, mut state: State) -> State {
        if let Pick::None | Pick::Only(_) = &self.members {
            state.members.retain(|n, _| self.members.picks(n));
            let members = &state.members;
            state.parties.retain(|_, n| members.contains_key(n));
        }
        state.assemblies.retain(|slug, _| self.assemblies.picks(slug));
        state.projects.retain(|slug, p| self.projects.picks(slug) || self.takes_part(p));
        state
    }

    /// Whether one of the members of `projects_of` has a spell in `project`.
    fn takes_part(&self, project: &coop_core::Project) -> bool {
        !self.projects_of.is_empty() && project.spells.iter().any(|s| s.who.member().is_some_and(|n| self.projects_of.contains(&n)))
    }

    /// This part and the pieces applying `reads` needs.
    pub(crate) fn with<'r>(&self, reads: impl IntoIterator<Item = &'r coop_core::Reads>) -> Part {
        let (mut members, mut assemblies, mut projects) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for r in reads {
            members.extend(r.changes.members.iter().copied().chain(r.member));
            assemblies.extend(r.changes.assembly.iter().chain(&r.assembly).cloned());
            projects.extend(r.changes.project.iter().cloned());
        }
        Part {
            members: self.members.and(members),
            assemblies: self.assemblies.and(assemblies),
            projects: self.projects.and(projects),
            projects_of: self.projects_of.clone(),
        }
    }
}

/// None, some or all of one kind of piece.
#[derive(Clone, Debug, Default)]
pub enum Pick<T> {
    /// None of them.
    #[default]
    None,
    /// Those listed (unknown ones are left out).
    Only(Vec<T>),
    /// All of them.
    All,
}

impl<T: PartialEq> Pick<T> {
    /// Whether `item` is picked.
    pub fn picks(&self, item: &T) -> bool {
        match self {
            Pick::None => false,
            Pick::Only(list) => list.contains(item),
            Pick::All => true,
        }
    }
}

impl<T: Ord + Clone> Pick<T> {
    /// These and `more`.
    fn and(&self, mut more: BTreeSet<T>) -> Pick<T> {
        match self {
            Pick::All => Pick::All,
            Pick::None if more.is_empty() => Pick::None,
            Pick::None => Pick::Only(more.into_iter().collect()),
            Pick::Only(list) => {
                more.extend(list.iter().cloned());
                Pick::Only(more.into_iter().collect())
            }
        }
    }
}

/// The pieces a batch of events changes.
#[derive(Default)]
pub(crate) struct Changes {
    statutes: bool,
    members: BTreeSet<MemberNo>,
    /// Members admitted: their party is indexed (a party's number never changes after).
    admitted: BTreeSet<MemberNo>,
    assemblies: BTreeSet<String>,
    projects: BTreeSet<String>,
    partners: BTreeSet<PartyId>,
    bodies: BTreeSet<String>,
    /// Members whose listing under a project (see [`taking_part`]) may have changed.
    taking_part: BTreeSet<(MemberNo, String)>,
    /// Members of `members` touched only by events that change their lots alone
    /// ([`Touched::lots_only`]: share movements), never their standing in the roll: their chunk
    /// of the roll (256 members) is not encoded again for them. A command of today re-encoded
    /// one for every subscription, a third of its work. Any other change leaves a member out of
    /// this set, and so do the ways of listing members other than [`Changes::add`].
    shares_only: BTreeSet<MemberNo>,
}

impl Changes {
    /// The pieces `event` changes (a command's: with the members whose lots alone it changes, so
    /// that their standings are not encoded again).
    pub(crate) fn add(&mut self, event: &Event) {
        let t = Touched::by(event);
        for n in &t.members {
            if !t.lots_only {
                self.shares_only.remove(n);
            } else if !self.members.contains(n) {
                self.shares_only.insert(*n);
            }
        }
        let members = self.add_but_members(event, t);
        self.members.extend(members);
    }

    /// What `event` changes (`t`) but its members, which are returned.
    fn add_but_members(&mut self, event: &Event, t: Touched) -> Vec<MemberNo> {
        self.statutes |= t.statutes;
        self.assemblies.extend(t.assembly);
        self.projects.extend(t.project);
        self.partners.extend(t.partner);
        self.bodies.extend(t.body);
        match event {
            Event::MemberAdmitted { number, .. } => {
                self.admitted.insert(*number);
            }
            Event::ParticipantJoined { project, who: coop_core::Participant::Member(n), .. } => {
                self.taking_part.insert((*n, project.clone()));
            }
            _ => {}
        }
        t.members
    }

    /// Members whose records a late fact rewrote.
    pub(crate) fn add_members(&mut self, members: impl IntoIterator<Item = MemberNo>) {
        for n in members {
            self.shares_only.remove(&n);
            self.members.insert(n);
        }
    }

    /// The pieces `events` touch whose value differs between `old` and `new`: what facts
    /// decided again after a fact entered late (or a void) changed, and only that.
    pub(crate) fn add_differing<'e>(&mut self, events: impl Iterator<Item = &'e Event>, old: &State, new: &State) {
        let mut touched = Changes::default();
        for e in events {
            touched.add(e);
        }
        self.statutes |= touched.statutes && (old.statutes != new.statutes || old.statutes_since != new.statutes_since);
        for n in touched.members.into_iter().filter(|n| old.members.get(n) != new.members.get(n)) {
            self.shares_only.remove(&n);
            self.members.insert(n);
        }
        self.admitted
            .extend(touched.admitted.into_iter().filter(|n| old.members.get(n).map(|m| m.party) != new.members.get(n).map(|m| m.party)));
        self.assemblies.extend(touched.assemblies.into_iter().filter(|a| old.assemblies.get(a) != new.assemblies.get(a)));
        for p in touched.projects.into_iter().filter(|p| old.projects.get(p) != new.projects.get(p)) {
            self.taking_part.extend(taking_part::pairs_changed(&p, old.projects.get(&p), new.projects.get(&p)));
            self.projects.insert(p);
        }
        self.partners.extend(touched.partners.into_iter().filter(|p| old.partners.get(p) != new.partners.get(p)));
        self.bodies.extend(touched.bodies.into_iter().filter(|b| old.bodies.get(b) != new.bodies.get(b)));
    }

    /// Every piece of `state`.
    pub(crate) fn everything(state: &State) -> Changes {
        let members: BTreeSet<MemberNo> = state.members.keys().copied().collect();
        Changes { statutes: state.statutes.is_some(), members: members.clone(), admitted: members, ..Changes::all_but_members(state) }
    }

    /// Every piece of `state` but the members' (which `write_all` writes a batch at a time).
    fn all_but_members(state: &State) -> Changes {
        Changes {
            statutes: true,
            members: BTreeSet::new(),
            admitted: BTreeSet::new(),
            assemblies: state.assemblies.keys().cloned().collect(),
            projects: state.projects.keys().cloned().collect(),
            partners: state.partners.keys().copied().collect(),
            bodies: state.bodies.keys().cloned().collect(),
            taking_part: BTreeSet::new(),
            shares_only: BTreeSet::new(),
        }
    }

    /// The members whose standing in the roll may have changed.
    fn standings(&self) -> impl Iterator<Item = &MemberNo> {
        self.members.iter().filter(|n| !self.shares_only.contains(n))
    }
}

fn key(tag: u8, id: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + id.len());
    k.push(tag);
    k.extend_from_slice(id);
    k
}

fn member_key(n: MemberNo) -> Vec<u8> {
    key(MEMBER, &n.0.to_be_bytes())
}

/// The member a piece's key names, if it is a member's (the inverse of [`member_key`]).
fn member_number(piece: &[u8]) -> Option<u32> {
    match piece.split_first() {
        Some((&MEMBER, n)) => <[u8; 4]>::try_from(n).ok().map(u32::from_be_bytes),
        _ => None,
    }
}

fn json<T: Serialize + ?Sized>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::Integrity { seq: 0, reason: format!("state piece cannot be encoded: {e}") })
}

/// Members, assemblies and projects are many, or large, and read whole by reports and by a
/// command's first load: they are kept in postcard, a compact binary form of the same serde
/// types (several times faster to read back than JSON). The small pieces stay JSON.
fn binary<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    let failed = |e: postcard::Error| Error::Integrity { seq: 0, reason: format!("state piece cannot be encoded: {e}") };
    // Encoded on the stack, then copied once into a value of its size: a growing `Vec` is
    // reallocated and copied five or six times for a member (about 128 bytes), and a verify
    // or an import encodes a million of them. Larger values, and those that write a field
    // through `collect_str` (which needs a growing buffer), are encoded into a `Vec`.
    let mut scratch = [0u8; 1024];
    match postcard::to_slice(v, &mut scratch) {
        Ok(used) => Ok(used.to_vec()),
        Err(_) => postcard::to_stdvec(v).map_err(failed),
    }
}

fn unbinary<'a, T: Deserialize<'a>>(what: &str, bytes: &'a [u8]) -> Result<T> {
    postcard::from_bytes(bytes).map_err(|e| Error::Integrity { seq: 0, reason: format!("unreadable state piece ({what}): {e}") })
}

fn decode<'a, T: Deserialize<'a>>(what: &str, bytes: &'a [u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Integrity { seq: 0, reason: format!("unreadable state piece ({what}): {e}") })
}

/// Where an encoder gives each piece it encodes: its key, its value (empty: the piece goes).
pub(crate) type Put<'a> = dyn FnMut(Vec<u8>, Vec<u8>) -> Result<()> + 'a;

/// [`encode_each`], collected.
pub(crate) fn encode(state: &State, changes: &Changes, head: &Head) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    collected(|put| encode_each(state, changes, head, put))
}

/// The pairs an encoder that gives them one at a time gives, collected.
fn collected(encoder: impl FnOnce(&mut Put<'_>) -> Result<()>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    encoder(&mut |k, v| {
        out.push((k, v));
        Ok(())
    })?;
    Ok(out)
}

/// The key/value pairs to write for `changes`, taken from the state after them, stamped with
/// the head they reflect, each given to `put` as it is encoded (the totals first): a batch
/// admitting 100,000 members writes their pieces without holding them all. `state` is the whole
/// state (a changed member's chunk of the roll is written from every member in it).
pub(crate) fn encode_each(state: &State, changes: &Changes, head: &Head, put: &mut Put<'_>) -> Result<()> {
    encode_primary_each(state, changes, head, put)?;
    // What is derived from the pieces, kept to spare queries its computation.
    for (k, v) in roll::encode(state, changes.standings())? {
        put(k, v)?;
    }
    taking_part::encode(&state.projects, &changes.taking_part, put)?;
    // A closed assembly's results change no more, unless the statutes (its colleges' weights)
    // do: they are computed once then, so that asking for them reads no roll.
    if let Some(st) = &state.statutes {
        for a in state.assemblies.values().filter(|a| a.closed.is_some()) {
            if changes.statutes || changes.assemblies.contains(&a.slug) {
                put(key(RESULTS, a.slug.as_bytes()), json(&coop_core::results(state, st, a))?)?;
            }
        }
    }
    Ok(())
}

/// [`encode_each`] as the head's tables keep the pieces: the members' gathered into their
/// buckets, each read as kept and merged with them (see [`members`]), then the admitted
/// parties' numbers in their buckets of the party index (read and merged alike).
pub(crate) fn encode_into(trees: &Trees, state: &State, changes: &Changes, head: &Head, put: &mut Put<'_>) -> Result<()> {
    members::gathered(trees, false, |put| encode_each(state, changes, head, put), put)?;
    for (k, v) in party_buckets(trees, admitted_parties(state, changes))? {
        put(k, v)?;
    }
    Ok(())
}

/// The pieces of `encode` that hold the state itself (the totals first, then the statutes,
/// members, assemblies, projects, partners and bodies `changes` names), without what is derived
/// from them (the party index, the roll, closed assemblies' results): what a checkpoint keeps;
/// each given to `put` as it is encoded.
pub(crate) fn encode_primary_each(state: &State, changes: &Changes, head: &Head, put: &mut Put<'_>) -> Result<()> {
    let globals = Globals {
        seq: head.seq,
        hash: head.hash.clone(),
        statutes_since: state.statutes_since,
        founded_on: state.founded_on,
        capital: state.capital,
        last_review: state.last_review,
        roster: state.roster.clone(),
        by_class: state.by_class.clone(),
        active_members: state.active_members,
        latest: state.latest,
        retired_number: state.retired_number,
        keys: state.keys.clone(),
        officer_digests: state.officer_digests.clone(),
        officer_members: state.officer_members.clone(),
        officers_erased: state.officers_erased.clone(),
        board_since: state.board_since,
    };
    put(GLOBALS.to_vec(), json(&globals)?)?;
    if changes.statutes {
        put(STATUTES.to_vec(), json(&state.statutes)?)?;
    }
    // A piece changed whose subject is no longer in the state (a void took it away) is written
    // empty: the store removes it.
    for n in &changes.members {
        match state.members.get(n) {
            Some(m) => put(member_key(*n), binary(m)?)?,
            None => put(member_key(*n), Vec::new())?,
        }
    }
    for slug in &changes.assemblies {
        match state.assemblies.get(slug) {
            Some(a) => put(key(ASSEMBLY, slug.as_bytes()), binary(a)?)?,
            None => put(key(ASSEMBLY, slug.as_bytes()), Vec::new())?,
        }
    }
    for slug in &changes.projects {
        match state.projects.get(slug) {
            Some(p) => put(key(PROJECT, slug.as_bytes()), binary(p)?)?,
            None => put(key(PROJECT, slug.as_bytes()), Vec::new())?,
        }
    }
    for id in &changes.partners {
        match state.partners.get(id) {
            Some(d) => put(key(PARTNER, &id.to_bytes()), json(d)?)?,
            None => put(key(PARTNER, &id.to_bytes()), Vec::new())?,
        }
    }
    for slug in &changes.bodies {
        match state.bodies.get(slug) {
            Some(b) => put(key(BODY, slug.as_bytes()), json(b)?)?,
            None => put(key(BODY, slug.as_bytes()), Vec::new())?,
        }
    }
    Ok(())
}

/// Replaces the whole `state` tree with the pieces of `state` at `head`, in batches (members
/// a few thousand at a time, each batch encoded as it is written: never every piece at once);
/// the globals (which say which head the pieces reflect) are written last.
pub(crate) fn write_all(trees: &Trees, state: &State, head: &Head) -> Result<()> {
    trees.small().remove(GLOBALS)?;
    trees.clear()?;
    let write = |pairs: Vec<(Vec<u8>, Vec<u8>)>| -> Result<()> {
        let mut batches: [crate::backend::Batch; 4] = Default::default();
        for (k, v) in pairs {
            batches[Trees::index(&k)].push((k, Some(v)));
        }
        for (t, b) in trees.0.iter().zip(batches) {
            if !b.is_empty() {
                t.fill(b)?;
            }
        }
        Ok(())
    };
    let members: Vec<MemberNo> = state.members.keys().copied().collect();
    // About 5,000 members a batch, never a bucket of them across two (each is written whole,
    // from the members of one batch: the tables were just cleared).
    for chunk in members.chunk_by(|a, b| a.0 / members::BATCH_NUMBERS == b.0 / members::BATCH_NUMBERS) {
        let some: BTreeSet<MemberNo> = chunk.iter().copied().collect();
        let changes = Changes { members: some, ..Changes::default() };
        // The globals come first in what `encode` gives: written once, last.
        let pairs = collected(|put| members::gathered(trees, true, |put| encode_each(state, &changes, head, put), put))?;
        write(pairs.into_iter().skip(1).collect())?;
    }
    write(taking_part::all(&state.projects))?;
    let parties = state.members.values().map(indexed).collect();
    trees.small().fill(party_buckets(trees, parties)?.into_iter().map(|(k, v)| (k, Some(v))).collect())?;
    let mut pairs = encode(state, &Changes::all_but_members(state), head)?.into_iter();
    let (k, v) = pairs.next().ok_or_else(|| Error::Integrity { seq: 0, reason: "no globals".into() })?;
    write(pairs.collect())?;
    trees.of(&k).insert(&k, &v)?;
    Ok(())
}

/// The head the pieces reflect, if they were ever written.
pub(crate) fn stamp(trees: &Trees) -> Result<Option<Head>> {
    let Some(bytes) = trees.small().get(GLOBALS)? else { return Ok(None) };
    let g: Globals = decode("totals", &bytes)?;
    Ok(Some(Head { seq: g.seq, hash: g.hash }))
}

/// Where [`load`] reads pieces: those of the head ([`Trees`]), or a checkpoint's
/// ([`checkpoints::At`]).
pub(crate) trait Source {
    /// The piece under `key`.
    fn get(&self, key: &[u8]) -> Result<Option<crate::backend::Value>>;
    /// The pieces of one kind (their keys start with `tag`), in key order.
    fn scan<'s>(&'s self, tag: u8) -> crate::backend::Pairs<'s>;
    /// The slugs of the projects member `n` has taken part in, if this source keeps that
    /// index (see [`taking_part`]); else every project is read and those kept.
    fn taking_part(&self, n: MemberNo) -> Result<Option<Vec<String>>>;
}

impl Source for Trees<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<crate::backend::Value>> {
        match member_number(key) {
            Some(n) => members::get(self.members(), MemberNo(n)),
            None => self.of(key).get(key),
        }
    }
    fn scan<'s>(&'s self, tag: u8) -> crate::backend::Pairs<'s> {
        match tag {
            MEMBER => members::scan(self.members()),
            _ => self.of(&[tag]).scan_prefix(&[tag]),
        }
    }
    fn taking_part(&self, n: MemberNo) -> Result<Option<Vec<String>>> {
        taking_part::of(self.of(&[taking_part::TAG]), n).map(Some)
    }
}

/// Reads the pieces `part` asks for (the totals and the statutes always), into a `State` that
/// holds only them.
pub(crate) fn load(source: &dyn Source, part: &Part) -> Result<State> {
    let mut state = State::default();
    if let Some(bytes) = source.get(GLOBALS)? {
        let g: Globals = decode("totals", &bytes)?;
        state.statutes_since = g.statutes_since;
        state.founded_on = g.founded_on;
        state.capital = g.capital;
        state.last_review = g.last_review;
        state.roster = g.roster;
        state.by_class = g.by_class;
        state.active_members = g.active_members;
        state.latest = g.latest;
        state.retired_number = g.retired_number;
        state.keys = g.keys;
        state.officer_digests = g.officer_digests;
        state.officer_members = g.officer_members;
        state.officers_erased = g.officers_erased;
        state.board_since = g.board_since;
    }
    if let Some(bytes) = source.get(STATUTES)? {
        state.statutes = decode::<Option<Statutes>>("statutes", &bytes)?;
    }
    for item in source.scan(PARTNER) {
        let (k, v) = item?;
        let id = ulid::Ulid::from_bytes(k[1..].try_into().map_err(|_| bad_key(&k))?);
        state.partners.insert(id, decode("partner", &v)?);
    }
    for item in source.scan(BODY) {
        let (k, v) = item?;
        let slug = String::from_utf8(k[1..].to_vec()).map_err(|_| bad_key(&k))?;
        state.bodies.insert(slug, decode("body", &v)?);
    }
    let add_member = |state: &mut State, v: &[u8]| -> Result<()> {
        let m: coop_core::Member = unbinary("member", v)?;
        state.parties.insert(m.party, m.number);
        state.members.insert(m.number, m);
        Ok(())
    };
    match &part.members {
        Pick::None => {}
        Pick::Only(list) => {
            for n in list {
                if let Some(v) = source.get(&member_key(*n))? {
                    add_member(&mut state, &v)?;
                }
            }
        }
        Pick::All => {
            for item in source.scan(MEMBER) {
                add_member(&mut state, &item?.1)?;
            }
        }
    }
    let read = |tag: u8, pick: &Pick<String>| -> Result<Vec<crate::backend::Value>> {
        Ok(match pick {
            Pick::None => Vec::new(),
            Pick::Only(list) => {
                list.iter().map(|s| source.get(&key(tag, s.as_bytes()))).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect()
            }
            Pick::All => source.scan(tag).map(|item| item.map(|(_, v)| v)).collect::<Result<Vec<_>>>()?,
        })
    };
    for v in read(ASSEMBLY, &part.assemblies)? {
        let a: coop_core::Assembly = unbinary("assembly", &v)?;
        state.assemblies.insert(a.slug.clone(), a);
    }
    // The projects asked for, and those the members of `projects_of` took part in: from the
    // index when the source keeps it, else from every project.
    let mut projects = part.projects.clone();
    if !part.projects_of.is_empty() && !matches!(projects, Pick::All) {
        let mut slugs = BTreeSet::new();
        for n in &part.projects_of {
            match source.taking_part(*n)? {
                Some(listed) => slugs.extend(listed),
                None => projects = Pick::All,
            }
        }
        projects = projects.and(slugs);
    }
    for v in read(PROJECT, &projects)? {
        let p: coop_core::Project = unbinary("project", &v)?;
        if part.projects.picks(&p.slug) || part.takes_part(&p) {
            state.projects.insert(p.slug.clone(), p);
        }
    }
    if state.latest.is_none() && matches!((&part.members, &part.assemblies, &part.projects), (Pick::All, Pick::All, Pick::All)) {
        // Pieces written before the latest date was kept: the pieces themselves show it.
        state.latest = state.latest_shown();
    }
    Ok(state)
}

/// One large piece as kept (see [`each_large`]).
pub(crate) enum Large {
    Assembly(Box<coop_core::Assembly>),
    Project(Box<coop_core::Project>),
}

/// Calls `f` with each assembly and project piece, one at a time (a comparison of the kept
/// state with a fold of the log need not hold both whole).
pub(crate) fn each_large(trees: &Trees, mut f: impl FnMut(Large) -> Result<()>) -> Result<()> {
    for item in trees.of(&[ASSEMBLY]).scan_prefix(&[ASSEMBLY]) {
        f(Large::Assembly(Box::new(unbinary("assembly", &item?.1)?)))?;
    }
    for item in trees.of(&[PROJECT]).scan_prefix(&[PROJECT]) {
        f(Large::Project(Box::new(unbinary("project", &item?.1)?)))?;
    }
    Ok(())
}

/// The kept members against `rebuilt`'s (a fold of the log), each read in place and compared
/// as it is read: the numbers of those that differ or are in only one of the two, in order, and
/// whether the fold's party index (`parties`) names exactly the kept members. With `two`, the
/// buckets are read in two halves at once, on this thread and another (the comparison was a
/// twelfth of a verify, on one core); only for tables any thread may read alike (sled's).
pub(crate) fn compare_members(
    trees: &Trees,
    rebuilt: &BTreeMap<MemberNo, coop_core::Member>,
    parties: &BTreeMap<PartyId, MemberNo>,
    two: bool,
) -> Result<(Vec<MemberNo>, bool)> {
    let table = trees.members();
    // (differing, kept, whether each kept member's party names it) over buckets [from, to).
    let compare = |from: u32, to: Option<u32>| -> Result<(Vec<MemberNo>, Vec<MemberNo>, bool)> {
        let (mut differing, mut kept, mut named) = (Vec::new(), Vec::new(), true);
        members::each_in(table, from, to, &mut |n, piece| {
            let m: coop_core::Member = unbinary("member", piece)?;
            let number = MemberNo(n);
            // Another member's piece in this one's place: both differ.
            if m.number != number {
                differing.push(m.number);
            }
            if rebuilt.get(&number) != Some(&m) {
                differing.push(number);
            }
            named &= parties.get(&m.party) == Some(&m.number);
            kept.push(number);
            Ok(())
        })?;
        Ok((differing, kept, named))
    };
    let middle = match members::last_bucket(table)? {
        Some(last) if two && last > 0 => Some(last.div_ceil(2)),
        _ => None,
    };
    let (mut differing, kept, named) = match middle {
        None => compare(0, None)?,
        Some(middle) => std::thread::scope(|scope| -> Result<_> {
            let later = scope.spawn(move || compare(middle, None));
            let first = compare(0, Some(middle));
            let later = later.join().unwrap_or_else(|_| Err(Error::Integrity { seq: 0, reason: "the members could not be read".into() }));
            let ((mut differing, mut kept, named), (d, k, n)) = (first?, later?);
            differing.extend(d);
            kept.extend(k);
            Ok((differing, kept, named && n))
        })?,
    };
    // The fold's members that are not kept (both lists in number order).
    let kept_members = kept.len();
    let mut kept = kept.into_iter().peekable();
    for n in rebuilt.keys() {
        while kept.next_if(|k| k < n).is_some() {}
        if kept.next_if_eq(n).is_none() {
            differing.push(*n);
        }
    }
    differing.sort_unstable();
    differing.dedup();
    // Every party of the fold is a kept member's (the kept index is that of the members).
    Ok((differing, named && parties.len() == kept_members))
}

/// The members whose standing in the roll differs from their record in `rebuilt` (the fold of
/// the log at the head the pieces are stamped with), or who are in only one of them.
pub(crate) fn roll_differing(trees: &Trees, rebuilt: &State) -> Result<Vec<MemberNo>> {
    Ok(roll::differing(&load_roll(trees, true)?, rebuilt))
}

/// The first difference between the kept index of who took part in which project and
/// `projects` (those of a fold of the log), said.
pub(crate) fn taking_part_difference(trees: &Trees, projects: &BTreeMap<String, coop_core::Project>) -> Result<Option<String>> {
    taking_part::difference(trees.of(&[taking_part::TAG]), projects)
}

/// Every member's standing, from the roll.
pub(crate) fn load_roll(trees: &Trees, parties: bool) -> Result<Roll> {
    roll::decode(roll::chunks(trees.members(), 0, None), parties, roll::ROOM_FOR_CHUNKS)
}

/// Chunks of the roll a thread reads at a time when two read it (4,096 members).
const ROLL_GROUP: u32 = 16;

/// [`load`] of `part` and [`load_roll`], read on two threads: the roll's chunks in groups, each
/// taken by whichever thread is free (the second from the start, this one once it has loaded
/// the part), then put in order. A fixed split (this thread the part and the first third) left
/// one thread idle while the other finished: the involvement report's part (its projects'
/// 33,000 spells) takes as long as a third of 100,000 standings. Only for tables any thread
/// may read alike (sled's; PostgreSQL reads belong to the thread holding the read transaction).
pub(crate) fn load_with_roll_on_two_threads(trees: &Trees, part: &Part, parties: bool) -> Result<(State, Roll)> {
    let members = trees.members();
    let Some(last) = roll::last_chunk(members)? else {
        return Ok((load(trees, part)?, load_roll(trees, parties)?));
    };
    let groups = last / ROLL_GROUP + 1;
    let next = std::sync::atomic::AtomicU32::new(0);
    let take = || -> Result<Vec<(u32, Roll)>> {
        let mut read = Vec::new();
        loop {
            let g = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if g >= groups {
                return Ok(read);
            }
            let chunks = roll::chunks(members, g * ROLL_GROUP, Some((g + 1) * ROLL_GROUP));
            read.push((g, roll::decode(chunks, parties, ROLL_GROUP as usize)?));
        }
    };
    std::thread::scope(|scope| {
        let other = scope.spawn(take);
        let state = load(trees, part);
        let mine = take();
        let theirs = other.join().unwrap_or_else(|_| Err(Error::Integrity { seq: 0, reason: "the roll could not be read".into() }));
        let mut parts = mine?;
        parts.extend(theirs?);
        parts.sort_unstable_by_key(|(g, _)| *g);
        Ok((state?, Roll::joined(parts.into_iter().map(|(_, r)| r).collect())?))
    })
}

/// The results of closed assembly `slug` as they were last computed, if it is closed.
pub(crate) fn results(trees: &Trees, slug: &str) -> Result<Option<Vec<coop_core::ResolutionResult>>> {
    trees.small().get(&key(RESULTS, slug.as_bytes()))?.map(|v| decode("results", &v)).transpose()
}

/// The member number of a party, from the index kept beside the member pieces.
pub(crate) fn number_of(trees: &Trees, party: PartyId) -> Result<Option<MemberNo>> {
    let party = party.to_bytes();
    let Some(bucket) = trees.small().get(&bucket_key(&party))? else { return Ok(None) };
    let entries = bucket_entries(&bucket)?;
    Ok(entries.binary_search_by(|(p, _)| p.cmp(&party)).ok().map(|i| entries[i].1))
}

/// A party and its member number, as the party index keeps them.
type Indexed = ([u8; 16], MemberNo);

/// The key of the bucket of the party index that holds `party`: its id's last 12 bits (random
/// in a ULID), 4,096 buckets. One value per member made a register's import write 100,000 more
/// keys, and sled splits a leaf every 16 keys, copying it and its parent each time.
fn bucket_key(party: &[u8; 16]) -> Vec<u8> {
    vec![PARTIES, party[14] & 0x0F, party[15]]
}

/// A bucket's entries: 16 bytes of party and 4 of number (big-endian) each, in party order.
fn bucket_entries(value: &[u8]) -> Result<Vec<Indexed>> {
    if value.len() % 20 != 0 {
        return Err(Error::Integrity {
            seq: 0,
            reason: format!("a bucket of the party index holds {} bytes, not 20 per party", value.len()),
        });
    }
    Ok(value
        .chunks_exact(20)
        .map(|e| {
            let (party, number) = e.split_at(16);
            let party: [u8; 16] = party.try_into().unwrap_or_default();
            (party, MemberNo(u32::from_be_bytes(number.try_into().unwrap_or_default())))
        })
        .collect())
}

/// A member as the party index keeps it.
fn indexed(m: &coop_core::Member) -> Indexed {
    (m.party.to_bytes(), m.number)
}

/// The parties `changes` admitted, with their numbers, as they are in `state`.
fn admitted_parties(state: &State, changes: &Changes) -> Vec<Indexed> {
    changes.admitted.iter().filter_map(|n| state.members.get(n)).map(indexed).collect()
}

/// The buckets of the party index that `parties` go in, as they are once they hold them (each
/// bucket read and merged: a party indexed again takes its new number), in key order.
fn party_buckets(trees: &Trees, parties: Vec<Indexed>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut buckets: BTreeMap<Vec<u8>, Vec<Indexed>> = BTreeMap::new();
    for (party, number) in parties {
        buckets.entry(bucket_key(&party)).or_default().push((party, number));
    }
    buckets
        .into_iter()
        .map(|(key, added)| {
            let mut entries = match trees.small().get(&key)? {
                Some(kept) => bucket_entries(&kept)?,
                None => Vec::new(),
            };
            for (party, number) in added {
                match entries.binary_search_by(|(p, _)| p.cmp(&party)) {
                    Ok(i) => entries[i].1 = number,
                    Err(i) => entries.insert(i, (party, number)),
                }
            }
            let value = entries.iter().flat_map(|(p, n)| p.iter().copied().chain(n.0.to_be_bytes())).collect();
            Ok((key, value))
        })
        .collect()
}

fn bad_key(k: &[u8]) -> Error {
    Error::Integrity { seq: 0, reason: format!("malformed state key {k:?}") }
}

/// The digest of the personal data the log keeps for a party: a member's latest (`None` once
/// erased), or a partner's; `None` for a party the log does not name.
pub(crate) fn digest_of(trees: &Trees, party: PartyId) -> Result<Option<String>> {
    if let Some(n) = number_of(trees, party)? {
        return Ok(match members::get(trees.members(), n)? {
            Some(v) => {
                let m: coop_core::Member = unbinary("member", &v)?;
                Some(m.personal_digest).filter(|_| m.erased.is_none() && m.party == party)
            }
            None => None,
        });
    }
    if let Some(v) = trees.small().get(&key(PARTNER, &party.to_bytes()))? {
        return Ok(Some(decode("partner", &v)?));
    }
    // An officer recorded by party id (in the totals).
    let state = load(trees, &Part::default())?;
    let id = party.to_string();
    Ok(state.officer_digests.get(&id).filter(|_| !state.officers_erased.contains(&id)).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sled::SledTable;

    /// A piece is encoded as postcard encodes it, whether it fits the stack's scratch or not, and
    /// whether it writes a field through `collect_str` (which the scratch cannot take).
    #[test]
    fn a_piece_is_encoded_as_postcard_encodes_it() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&chrono::Utc);
        assert_eq!(binary(&at).unwrap(), postcard::to_stdvec(&at).unwrap());
        let large = vec![7u8; 3000];
        assert_eq!(binary(&large).unwrap(), postcard::to_stdvec(&large).unwrap());
        let small = ("member", 42u32);
        assert_eq!(binary(&small).unwrap(), postcard::to_stdvec(&small).unwrap());
    }

    /// A member touched by share movements only keeps its chunk of the roll as it is; one that
    /// any other event touches, before or after them in the batch, or that a late fact rewrote,
    /// has its standing encoded again.
    #[test]
    fn only_members_touched_by_share_movements_alone_keep_their_standing() {
        let m = MemberNo;
        let subscribed = |n| Event::SharesSubscribed { member: m(n), class: "A".into(), count: 1, paid_cents: coop_core::Cents(0) };
        let paid = |n| Event::SharesPaid { member: m(n), amount_cents: coop_core::Cents(100) };
        let moved = |n| Event::MemberMoved { member: m(n), from: "a".into(), to: "b".into() };
        let transferred = Event::SharesTransferred { from: m(5), to: m(6), class: "A".into(), count: 1 };
        let mut changes = Changes::default();
        for e in [subscribed(1), moved(1), moved(2), paid(2), paid(3), transferred, subscribed(4), paid(4)] {
            changes.add(&e);
        }
        let standings = |c: &Changes| c.standings().map(|n| n.0).collect::<Vec<_>>();
        assert_eq!(standings(&changes), [1, 2]);
        assert_eq!(changes.members.iter().map(|n| n.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6], "every member's piece is written");
        changes.add_members([m(3)]);
        assert_eq!(standings(&changes), [1, 2, 3]);
        // The checkpoints' way of listing members marks none apart.
        let mut since = checkpoints::Since::default();
        since.add(&paid(7));
        assert_eq!(standings(&since.take()), [7]);
    }

    /// The party index keeps each party's number in its bucket: parties whose ids end alike
    /// share one, a party added to a bucket leaves the others there, a party indexed again takes
    /// its new number, an unknown party has none, and a bucket not of 20 bytes a party is refused.
    #[test]
    fn the_party_index_finds_each_party_in_its_bucket() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tables: [Box<dyn Table>; 4] = ["t", "m", "a", "p"].map(|n| Box::new(SledTable(db.open_tree(n).unwrap())) as Box<dyn Table>);
        let trees = Trees(&tables);
        let party = |high: u128, low: u16| ulid::Ulid(high << 64 | u128::from(low));
        // `a` and `b` end with the same 12 bits; `c` does not.
        let (a, b, c) = (party(1, 0x1234), party(2, 0x5234), party(3, 0x0001));
        let write = |parties: Vec<Indexed>| {
            for (k, v) in party_buckets(&trees, parties).unwrap() {
                trees.small().insert(&k, &v).unwrap();
            }
        };
        write(vec![(b.to_bytes(), MemberNo(2)), (c.to_bytes(), MemberNo(3))]);
        write(vec![(a.to_bytes(), MemberNo(1))]);
        assert_eq!(trees.small().scan_prefix(&[PARTIES]).count(), 2, "a and b share a bucket");
        for (p, n) in [(a, 1), (b, 2), (c, 3)] {
            assert_eq!(number_of(&trees, p).unwrap(), Some(MemberNo(n)), "{p}");
        }
        assert_eq!(number_of(&trees, party(4, 0x1234)).unwrap(), None);
        write(vec![(a.to_bytes(), MemberNo(7))]);
        assert_eq!((number_of(&trees, a).unwrap(), number_of(&trees, b).unwrap()), (Some(MemberNo(7)), Some(MemberNo(2))));
        trees.small().insert(&bucket_key(&c.to_bytes()), &[0u8; 19]).unwrap();
        assert!(number_of(&trees, c).is_err());
    }
}
