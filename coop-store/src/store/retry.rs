//! Retries: a command id already in the log answers with its first result, only for the very
//! same command, date, actor and personal data.

use coop_core::{Command, Event, State};
use ulid::Ulid;

use serde::{Deserialize, Serialize};

use super::{command_key, imported, integrity, Envelope, Error, Receipt, Request, Result, Store};

/// What the log keeps of a command id: its first and last events and its fingerprint.
#[derive(Serialize, Deserialize)]
pub(super) struct CommandEntry {
    pub(super) first: u64,
    pub(super) last: u64,
    pub(super) fingerprint: String,
}

/// A batch of at least this many commands indexes their ids in chunks (see `imported`) instead
/// of one `meta` key each: a register of 100,000 rows writes 391 keys instead of 100,000.
pub(super) const BATCH_INDEX_MIN: usize = 1024;

/// The batches whose ids are indexed in chunks: one key each, this prefix and the batch's first
/// event (8 bytes, big-endian), with an empty value.
pub(super) const K_BATCHES: &[u8] = b"batches:";

/// The chunks of a batch's ids: this prefix, the batch's first event, the chunk's first id.
const K_BATCH_IDS: &[u8] = b"b:";

/// The key that lists a batch whose first event is `first`.
pub(super) fn batch_key(first: u64) -> Vec<u8> {
    [K_BATCHES, &first.to_be_bytes()].concat()
}

/// The prefix of the chunks of the batch whose first event is `first` (8 bytes, big-endian).
pub(super) fn batch_ids_prefix(first: &[u8]) -> Vec<u8> {
    [K_BATCH_IDS, first].concat()
}

impl Store {
    /// Where a command id's events are, and its fingerprint: beside the head (since the second
    /// layout), in the tree of command ids of the first layout, in the chunks of a large batch
    /// (one lookup per such batch in the store), or among the ids of an imported log (which
    /// have no fingerprint: a retry under such an id is refused).
    pub(super) fn command_entry(&self, id: &str) -> Result<Option<CommandEntry>> {
        let found = match self.meta().get(&command_key(id))? {
            Some(bytes) => Some(bytes),
            None => self.tables().commands.get(id.as_bytes())?,
        };
        if let Some(bytes) = found {
            return Ok(Some(serde_json::from_slice(&bytes).map_err(|e| integrity(0, format!("unreadable command index: {e}")))?));
        }
        // The ids of a large batch, in chunks under the batch's first event.
        for batch in self.meta().scan_prefix(K_BATCHES) {
            let (key, _) = batch?;
            let prefix = batch_ids_prefix(&key[K_BATCHES.len()..]);
            if let Some(row) = imported::find_under(self.meta(), &prefix, id)? {
                let fingerprint = row.fingerprint.as_ref().map(fingerprint_text).unwrap_or_default();
                return Ok(Some(CommandEntry { first: row.first, last: row.last, fingerprint }));
            }
        }
        Ok(imported::find(&*self.tables().imported, id)?.map(|(first, last)| CommandEntry { first, last, fingerprint: String::new() }))
    }

    /// The receipt of a command id already in the log, if any: the same command (without its
    /// personal data), date and actor, and the same personal data (checked against the digests
    /// its events recorded, with the salt kept beside the log). Anything else under the same id
    /// is [`Error::CommandIdReused`].
    pub(super) fn previous(&self, id: &str, request: &Request, state: &State, head: u64) -> Result<Option<Receipt>> {
        let command = &request.command;
        let Some(entry) = self.command_entry(id)? else { return Ok(None) };
        if entry.last > head {
            return Ok(None);
        }
        // Entries written before the date and actor were part of it hold the command's alone.
        let same = if entry.fingerprint.starts_with("2:") {
            entry.fingerprint == fingerprint(request)
        } else {
            entry.fingerprint == command.fingerprint()
        };
        if !same {
            return Err(Error::CommandIdReused(id.to_string()));
        }
        let events = self.events_unacknowledged(entry.first, (entry.last + 1 - entry.first) as usize)?;
        if events.len() as u64 != entry.last + 1 - entry.first || events.iter().any(|e| e.command_id != id) {
            // The entry of a write cut short before its records: those places hold other events.
            return Ok(None);
        }
        if !self.same_personal(command, &events, state)? {
            return Err(Error::CommandIdReused(id.to_string()));
        }
        Ok(Some(Receipt { command_id: id.to_string(), events, replayed: true }))
    }

    /// Whether the personal data `command` brings is the data its recorded events digested: each
    /// digest is computed again with the salt kept beside the log (an erased party's cannot be,
    /// and does not match).
    fn same_personal(&self, command: &Command, events: &[Envelope], state: &State) -> Result<bool> {
        let Some(personal) = command.personal() else { return Ok(true) };
        for e in events {
            let (party, digest) = match &e.event {
                Event::MemberAdmitted { party, personal_digest, .. } => (Some(*party), personal_digest),
                Event::ParticipantJoined { who: coop_core::Participant::Partner(id), personal_digest: Some(d), .. } => (Some(*id), d),
                Event::PersonalDataChanged { member, personal_digest } => (state.members.get(member).map(|m| m.party), personal_digest),
                Event::RepresentativeDesignated { representative, personal_digest, .. } => (Some(*representative), personal_digest),
                Event::OfficerAppointed { person, personal_digest: Some(d), .. } => (person.parse::<Ulid>().ok(), d),
                _ => continue,
            };
            let Some(party) = party else { return Ok(false) };
            match self.personal_data().get(party)? {
                Some(kept) if personal.digest(&kept.salt) == *digest => {}
                _ => return Ok(false),
            }
        }
        Ok(true)
    }
}

/// What a command id records of its command: the command without its personal data, its date
/// and its actor, as `2:` and a hex SHA-256 (the personal data is compared with the digests in
/// the log instead: see `Store::same_personal`).
pub(super) fn fingerprint(r: &Request) -> String {
    fingerprint_text(&fingerprint_bytes(r))
}

/// The digest of [`fingerprint`].
pub(super) fn fingerprint_bytes(r: &Request) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(r.command.fingerprint().as_bytes());
    h.update([0]);
    h.update(r.date.to_string().as_bytes());
    h.update([0]);
    h.update(r.actor.trim().as_bytes());
    h.finalize().into()
}

pub(super) fn fingerprint_text(digest: &[u8; 32]) -> String {
    format!("2:{}", hex::encode(digest))
}
