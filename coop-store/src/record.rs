//! The stored form of one event: a hash-chained envelope, kept as the exact JSON bytes that
//! were hashed, so that `verify` checks the very bytes on disk and in exports.
//!
//! A record is `{"hash":"<hex sha-256 of body>","body":{...}}`; the body holds the sequence
//! number, the envelope fields, the previous record's hash and the event. No personal data.
//! A record written by an officer who signs their acts ends with `"key":"<their public key>",
//! "sig":"<Ed25519 signature of the body>"` (see [`crate::keys`]).

use chrono::{DateTime, NaiveDate, Utc};
use coop_core::{upcast, Event, UpcastError};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use ulid::Ulid;

/// The hash the first record points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event with its envelope, as read back from the log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Envelope {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// Unique id of the event.
    pub id: Ulid,
    /// When it was written (UTC).
    pub recorded: DateTime<Utc>,
    /// The legal date of the fact.
    pub effective: NaiveDate,
    /// Who asked for it.
    pub actor: String,
    /// The command that produced it (events of one command share it).
    pub command_id: String,
    /// Schema version of the event body as stored.
    pub schema: u32,
    /// Hash of the previous record.
    pub prev_hash: String,
    /// Hash of this record's body.
    pub hash: String,
    /// The public key the record is signed with, if its actor signs their acts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// The fact.
    pub event: Event,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    v: u32,
    seq: u64,
    id: Ulid,
    recorded: &'a DateTime<Utc>,
    effective: NaiveDate,
    actor: &'a str,
    command: &'a str,
    prev: &'a str,
    event: &'a Event,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordIo<'a> {
    hash: &'a str,
    #[serde(borrow)]
    body: &'a RawValue,
    #[serde(default, borrow)]
    key: Option<&'a str>,
    #[serde(default, borrow)]
    sig: Option<&'a str>,
}

/// Why a record could not be read or does not fit the chain.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Not the JSON shape of a record.
    #[error("not a coop event record: {0}")]
    Malformed(String),
    /// The body's hash is not the one recorded.
    #[error("its hash does not match its content (the record was altered)")]
    HashMismatch,
    /// Its sequence number is not the expected one.
    #[error("sequence number {found} where {expected} was expected (an event is missing or out of order)")]
    Sequence {
        /// Expected.
        expected: u64,
        /// Found.
        found: u64,
    },
    /// It does not point back to the previous record.
    #[error("it does not follow the previous record's hash (the chain is broken)")]
    BrokenLink,
    /// The event body cannot be read.
    #[error(transparent)]
    Schema(#[from] UpcastError),
    /// Its signature is not its body's by the key it names.
    #[error("its signature does not match its content and key (the record was altered, or the signature forged)")]
    BadSignature,
}

/// Builds the stored bytes of an event, returning them and the record's hash.
#[allow(clippy::too_many_arguments)]
pub fn seal(
    seq: u64,
    id: Ulid,
    recorded: &DateTime<Utc>,
    effective: NaiveDate,
    actor: &str,
    command: &str,
    prev: &str,
    event: &Event,
    signer: Option<&crate::keys::SecretKey>,
) -> (Vec<u8>, String) {
    let body = BodyOut { v: coop_core::EVENT_SCHEMA, seq, id, recorded, effective, actor, command, prev, event };
    // Serializing plain structs, strings and integers cannot fail.
    let body = serde_json::to_string(&body).unwrap_or_default();
    let hash = coop_core::digest_hex(&Sha256::digest(body.as_bytes()).into());
    let mut out = Vec::with_capacity(body.len() + 90);
    out.extend_from_slice(b"{\"hash\":\"");
    out.extend_from_slice(hash.as_bytes());
    out.extend_from_slice(b"\",\"body\":");
    out.extend_from_slice(body.as_bytes());
    if let Some(key) = signer {
        out.extend_from_slice(format!(",\"key\":\"{}\",\"sig\":\"{}\"", key.public_hex(), key.sign_hex(body.as_bytes())).as_bytes());
    }
    out.push(b'}');
    (out, hash)
}

#[derive(Deserialize)]
struct DatedIn<'a> {
    #[serde(borrow)]
    hash: std::borrow::Cow<'a, str>,
    body: DatedBody<'a>,
}

#[derive(Deserialize)]
struct DatedBody<'a> {
    seq: u64,
    effective: NaiveDate,
    #[serde(borrow)]
    prev: std::borrow::Cow<'a, str>,
}

/// A record's hash and effective date, its place and link checked, but neither its own hash nor
/// its event: what a fold up to a date needs of the records it skips.
pub fn dated(bytes: &[u8], expected_seq: u64, prev_hash: &str) -> Result<(String, NaiveDate), RecordError> {
    let rec: DatedIn = serde_json::from_slice(bytes).map_err(|e| RecordError::Malformed(e.to_string()))?;
    in_place(rec.body.seq, &rec.body.prev, expected_seq, prev_hash)?;
    Ok((rec.hash.into_owned(), rec.body.effective))
}

#[derive(Deserialize)]
struct PeekIn<'a> {
    #[serde(borrow)]
    body: PeekBody<'a>,
}

#[derive(Deserialize)]
struct PeekBody<'a> {
    effective: NaiveDate,
    #[serde(borrow)]
    event: PeekEvent<'a>,
}

#[derive(Deserialize)]
struct PeekEvent<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

/// A stored record's effective date, and whether its event may be a void (`command_voided`),
/// read without checking the record: what folding a log out of date order needs to know first.
///
/// Read from the bytes where coop writes them: the body's `"effective":"…"` comes before any
/// other object that could hold such a key, and a key's quotes cannot occur inside a string
/// (they would be escaped); a record that does not read so is parsed. "May be a void": the
/// text `"command_voided"` is there (a reason could say it too); the caller opens such a record
/// whole. A date read wrong would make the fold that follows refuse the log, never fold it
/// wrong (see `log::Merge`).
pub fn peek(bytes: &[u8]) -> Result<(NaiveDate, bool), RecordError> {
    const EFFECTIVE: &[u8] = b"\"effective\":\"";
    let void = memchr::memmem::find(bytes, b"\"command_voided\"").is_some();
    let fast = memchr::memmem::find(bytes, EFFECTIVE)
        .and_then(|at| bytes.get(at + EFFECTIVE.len()..at + EFFECTIVE.len() + 11))
        .filter(|date| date[10] == b'"')
        .and_then(|date| std::str::from_utf8(&date[..10]).ok())
        .and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok());
    if let Some(date) = fast {
        return Ok((date, void));
    }
    let rec: PeekIn = serde_json::from_slice(bytes).map_err(|e| RecordError::Malformed(e.to_string()))?;
    Ok((rec.body.effective, rec.body.event.kind == "command_voided"))
}

/// The effective date of a stored record, read without checking its place (a search for a
/// place in a log known to be in date order; the fold that follows checks the records it reads).
pub fn effective_of(bytes: &[u8]) -> Result<NaiveDate, RecordError> {
    let rec: DatedIn = serde_json::from_slice(bytes).map_err(|e| RecordError::Malformed(e.to_string()))?;
    Ok(rec.body.effective)
}

/// A record's parts: the hash it names (decoded), its body's text, and its key and signature if
/// it is signed.
struct Parts<'a> {
    hash: [u8; 32],
    body: &'a str,
    key: Option<&'a str>,
    sig: Option<&'a str>,
}

/// `{"hash":"` + 64 hexadecimal digits + `","body":`: where a record as coop writes it puts its body.
const BODY_AT: usize = 82;
/// `,"key":"` + 64 hexadecimal digits + `","sig":"` + 128 + `"}`: how a signed record ends.
const SIGNED_TAIL: usize = 211;

impl<'a> Parts<'a> {
    /// Splits a record. Read straight from the bytes where coop writes them (a record is read
    /// once a command, an import or a verify: parsing it as JSON too scanned the body twice);
    /// a record laid out otherwise is parsed.
    fn of(bytes: &'a [u8]) -> Result<Self, RecordError> {
        let text = std::str::from_utf8(bytes).map_err(|_| RecordError::Malformed("not UTF-8".into()))?;
        if let Some(parts) = Self::as_written(text) {
            return Ok(parts);
        }
        let rec: RecordIo = serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))?;
        // A hash that is not 64 lowercase hexadecimal digits is no body's hash.
        let hash = coop_core::digest_bytes(rec.hash.as_bytes()).ok_or(RecordError::HashMismatch)?;
        Ok(Parts { hash, body: rec.body.get(), key: rec.key, sig: rec.sig })
    }

    /// The parts of a record laid out as [`seal`] writes it, or `None` (then it is parsed). A
    /// record is accepted only if the body taken is one JSON object (its parse refuses trailing
    /// text) whose hash is the one named, and the text around it holds no escape or quote: then
    /// it reads as JSON with the same parts. A record laid out otherwise whose body is taken
    /// wrongly is refused, as the JSON parse refuses it, though the reason given may differ (the
    /// hash rather than the layout).
    fn as_written(text: &'a str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < BODY_AT + 2 || !text.starts_with("{\"hash\":\"") || &b[73..BODY_AT] != b"\",\"body\":" {
            return None;
        }
        let hash = coop_core::digest_bytes(&b[9..73])?;
        let (end, key, sig) = match &b[b.len() - 2..] {
            b"}}" => (b.len() - 1, None, None),
            b"\"}" if b.len() >= BODY_AT + 2 + SIGNED_TAIL => {
                let at = b.len() - SIGNED_TAIL;
                let tail = &b[at..];
                let ok = tail.starts_with(b",\"key\":\"")
                    && &tail[72..81] == b"\",\"sig\":\""
                    && tail[8..72].iter().chain(&tail[81..209]).all(u8::is_ascii_hexdigit);
                if !ok {
                    return None;
                }
                (at, Some(&text[at + 8..at + 72]), Some(&text[at + 81..at + 209]))
            }
            _ => return None,
        };
        let body = &text[BODY_AT..end];
        (body.starts_with('{') && body.ends_with('}')).then_some(Parts { hash, body, key, sig })
    }

    /// The parts, its body's hash checked against the one it names, and its body read and
    /// checked to be event `expected_seq`.
    fn checked(bytes: &'a [u8], expected_seq: u64) -> Result<(Self, Body<'a>), RecordError> {
        let parts = Self::of(bytes)?;
        if Sha256::digest(parts.body.as_bytes()).as_slice() != parts.hash {
            return Err(RecordError::HashMismatch);
        }
        let body = Body::read(parts.body)?;
        if body.seq != expected_seq {
            return Err(RecordError::Sequence { expected: expected_seq, found: body.seq });
        }
        Ok((parts, body))
    }
}

/// A record's body: its event read (`Body<Event>`), or the text of an event of an older schema,
/// to be upcast (`Body<&RawValue>`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body<'a, E = Event> {
    v: u32,
    seq: u64,
    id: Ulid,
    recorded: DateTime<Utc>,
    effective: NaiveDate,
    #[serde(borrow)]
    actor: Cow<'a, str>,
    #[serde(borrow)]
    command: Cow<'a, str>,
    #[serde(borrow)]
    prev: Cow<'a, str>,
    event: E,
}

impl<'a> Body<'a> {
    /// Reads a body: in one pass when its event is of this coop's schema (the event typed as it
    /// is read); otherwise its event's text is upcast from its version ([`upcast`]), which
    /// also says what is wrong with a body that does not read.
    fn read(text: &'a str) -> Result<Self, RecordError> {
        if let Ok(body) = serde_json::from_str::<Body>(text) {
            if body.v == coop_core::EVENT_SCHEMA {
                return Ok(body);
            }
        }
        let b: Body<&RawValue> = serde_json::from_str(text).map_err(|e| RecordError::Malformed(e.to_string()))?;
        let event = upcast(b.v, b.event.get())?;
        let Body { v, seq, id, recorded, effective, actor, command, prev, .. } = b;
        Ok(Body { v, seq, id, recorded, effective, actor, command, prev, event })
    }
}

/// Checks a record's place in the chain: its sequence number and its link to the previous hash.
fn in_place(seq: u64, prev: &str, expected_seq: u64, prev_hash: &str) -> Result<(), RecordError> {
    if seq != expected_seq {
        return Err(RecordError::Sequence { expected: expected_seq, found: seq });
    }
    if prev != prev_hash {
        return Err(RecordError::BrokenLink);
    }
    Ok(())
}

/// Reads a record's bytes (a line of an export) and checks its own hash, its place
/// (`expected_seq`) and its link to `prev_hash`. Returns the envelope.
pub fn open(bytes: &[u8], expected_seq: u64, prev_hash: &str) -> Result<Envelope, RecordError> {
    let env = open_alone(bytes, expected_seq)?;
    in_place(env.seq, &env.prev_hash, expected_seq, prev_hash)?;
    Ok(env)
}

/// Reads one record picked out of the log by its place: its own hash and sequence number are
/// checked, not its link (the walks of the whole chain check that).
pub fn open_alone(bytes: &[u8], expected_seq: u64) -> Result<Envelope, RecordError> {
    let (parts, body) = Parts::checked(bytes, expected_seq)?;
    Ok(Envelope {
        seq: body.seq,
        id: body.id,
        recorded: body.recorded,
        effective: body.effective,
        actor: body.actor.into_owned(),
        command_id: body.command.into_owned(),
        schema: body.v,
        prev_hash: body.prev.into_owned(),
        hash: coop_core::digest_hex(&parts.hash),
        signed_by: parts.key.map(str::to_string),
        event: body.event,
    })
}

/// What `open` checks of a record alone — its own hash, its sequence number, that its event can
/// be read, and its signature if it has one — leaving its link to be checked against the
/// previous record's hash by the caller. For checking records on several threads.
pub fn open_unlinked(bytes: &[u8], expected_seq: u64) -> Result<Unlinked, RecordError> {
    open_unlinked_in(bytes, expected_seq, &mut None, true)
}

/// [`open_unlinked`] for records opened in a row (a run): `actor` is the actor of the record
/// opened before, shared with this one when it is the same (records of a run are mostly one
/// actor's: no string of its own each); with `command_ids` false, the command id is left empty
/// (a fold in the log's order does not read it).
pub fn open_unlinked_in(
    bytes: &[u8],
    expected_seq: u64,
    actor: &mut Option<std::sync::Arc<str>>,
    command_ids: bool,
) -> Result<Unlinked, RecordError> {
    let (parts, body) = Parts::checked(bytes, expected_seq)?;
    let signed_by = match (parts.key, parts.sig) {
        (None, None) => None,
        (Some(key), Some(sig)) if crate::keys::verify(key, parts.body.as_bytes(), sig) => Some(key.to_string()),
        _ => return Err(RecordError::BadSignature),
    };
    let registers = match &body.event {
        Event::OfficerKeyRegistered { person, public_key } => Some((person.clone(), public_key.clone())),
        _ => None,
    };
    let actor = match actor {
        Some(last) if **last == *body.actor => last.clone(),
        _ => actor.insert(std::sync::Arc::from(&*body.actor)).clone(),
    };
    Ok(Unlinked {
        hash: parts.hash,
        prev: coop_core::digest_bytes(body.prev.as_bytes()),
        actor,
        signed_by,
        registers,
        effective: body.effective,
        command_id: if command_ids { body.command.into_owned() } else { String::new() },
        event: body.event,
    })
}

/// A record checked alone ([`open_unlinked`]).
#[derive(Debug)]
pub struct Unlinked {
    /// Its hash (as bytes: a verify compares a million of them and keeps none).
    pub hash: [u8; 32],
    /// The previous record's hash, as it names it (`None`: what it names is no digest, so
    /// links to no record).
    pub prev: Option<[u8; 32]>,
    /// Who recorded it (shared with the records opened before it in the same name).
    pub actor: std::sync::Arc<str>,
    /// The key its signature was checked against, if it is signed.
    pub signed_by: Option<String>,
    /// The key it registers for an officer, if it does: (person, public key).
    pub registers: Option<(String, String)>,
    /// Its effective date.
    pub effective: NaiveDate,
    /// The command that recorded it (empty when opened without command ids).
    pub command_id: String,
    /// Its event (read once, so that a verify folds what it checked).
    pub event: Event,
}

#[cfg(test)]
mod tests {
    use super::*;
    use coop_core::{Cents, MemberNo};

    /// Records opened in a row share their actor's name when it is the same, and a fold in the
    /// log's order leaves their command ids unread; each is otherwise what `open_unlinked` gives.
    #[test]
    fn records_opened_in_a_row_share_their_actor_and_may_leave_the_command_unread() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let date = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let ev = Event::SharesPaid { member: MemberNo(3), amount_cents: Cents(1250) };
        let (one, h1) = seal(1, Ulid(1), &t, date, "sec", "c1", GENESIS_HASH, &ev, None);
        let (two, h2) = seal(2, Ulid(2), &t, date, "sec", "c2", &h1, &ev, None);
        let (three, _) = seal(3, Ulid(3), &t, date, "treasurer", "c3", &h2, &ev, None);
        let mut actor = None;
        let a = open_unlinked_in(&one, 1, &mut actor, false).unwrap();
        let b = open_unlinked_in(&two, 2, &mut actor, false).unwrap();
        let c = open_unlinked_in(&three, 3, &mut actor, true).unwrap();
        assert!(std::sync::Arc::ptr_eq(&a.actor, &b.actor));
        assert_eq!((&*c.actor, c.command_id.as_str()), ("treasurer", "c3"));
        assert_eq!((a.command_id.as_str(), b.command_id.as_str()), ("", ""));
        let alone = open_unlinked(&two, 2).unwrap();
        assert_eq!((&*alone.actor, alone.command_id.as_str(), alone.hash, alone.prev), ("sec", "c2", b.hash, b.prev));
    }

    /// A record's date and whether it is a void, read from its bytes: as coop writes it, from
    /// JSON laid out otherwise (parsed), and a reason that names `command_voided` is only a
    /// "may be" (the caller opens the record).
    #[test]
    fn peek_reads_the_date_and_whether_the_event_may_be_a_void() {
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let day = NaiveDate::from_ymd_opt(2021, 11, 1).unwrap();
        let paid = Event::SharesPaid { member: MemberNo(3), amount_cents: Cents(1250) };
        let (bytes, _) = seal(7, Ulid(42), &t, day, "sec", "cmd1", GENESIS_HASH, &paid, None);
        assert_eq!(peek(&bytes).unwrap(), (day, false));
        let void = Event::CommandVoided { command_id: "cmd0".into(), first: 1, last: 2, reason: "twice".into(), retired: vec![] };
        let (bytes, _) = seal(8, Ulid(43), &t, day, "sec", "cmd2", GENESIS_HASH, &void, None);
        assert_eq!(peek(&bytes).unwrap(), (day, true));
        // Keys in another order, the date not where coop writes it: parsed.
        let other = br#"{"body":{"event":{"type":"shares_paid","member":3},"effective":"2020-02-29"},"hash":"x"}"#;
        assert_eq!(peek(other).unwrap(), (NaiveDate::from_ymd_opt(2020, 2, 29).unwrap(), false));
        let maybe = br#"{"body":{"effective":"2020-03-01","event":{"type":"member_ended","reason":"command_voided"}}}"#;
        assert!(peek(maybe).unwrap().1, "a 'may be': the caller opens it");
        assert!(peek(b"{\"body\":{}}").is_err());
        assert!(peek(br#"{"body":{"effective":"2020-13-45","event":{"type":"x"}}}"#).is_err());
    }

    fn sample() -> (Vec<u8>, String) {
        let ev = Event::SharesPaid { member: MemberNo(3), amount_cents: Cents(1250) };
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        seal(7, Ulid(42), &t, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), "sec", "cmd1", GENESIS_HASH, &ev, None)
    }

    /// A record as `seal` writes it, signed or not, is read straight from its bytes; the same
    /// record laid out otherwise (spaces, its keys in another order) is parsed, to the same
    /// envelope; a body of a later schema is refused as such, though its event reads as one of
    /// this schema's.
    #[test]
    fn a_record_reads_the_same_laid_out_as_written_or_otherwise() {
        let key = crate::keys::SecretKey::generate().unwrap();
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let ev = Event::SharesPaid { member: MemberNo(3), amount_cents: Cents(1250) };
        for signer in [None, Some(&key)] {
            let (bytes, hash) = seal(7, Ulid(42), &t, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), "sec", "c", GENESIS_HASH, &ev, signer);
            let text = std::str::from_utf8(&bytes).unwrap();
            let parts = Parts::as_written(text).expect("what seal writes is read as written");
            assert_eq!((coop_core::digest_hex(&parts.hash), parts.key.is_some()), (hash.clone(), signer.is_some()));
            let envelope = open(&bytes, 7, GENESIS_HASH).unwrap();
            let body = parts.body;
            let tail = &text[BODY_AT + body.len()..text.len() - 1];
            for other in [
                format!("{{ \"hash\": \"{hash}\", \"body\": {body} {tail} }}"),
                format!("{{\"body\":{body}{tail},\"hash\":\"{hash}\"}}"),
                format!("{text} "),
            ] {
                assert!(Parts::as_written(&other).is_none(), "{other}");
                assert_eq!(open(other.as_bytes(), 7, GENESIS_HASH).unwrap(), envelope, "{other}");
            }
            let later = body.replacen("{\"v\":1,", "{\"v\":2,", 1);
            let later_hash = coop_core::digest_hex(&Sha256::digest(later.as_bytes()).into());
            let record = format!("{{\"hash\":\"{later_hash}\",\"body\":{later}}}");
            assert!(matches!(open(record.as_bytes(), 7, GENESIS_HASH), Err(RecordError::Schema(UpcastError::TooNew(2)))));
        }
    }

    #[test]
    fn a_sealed_record_opens_back() {
        let (bytes, hash) = sample();
        let env = open(&bytes, 7, GENESIS_HASH).unwrap();
        assert_eq!(env.hash, hash);
        assert_eq!(env.seq, 7);
        assert_eq!(env.actor, "sec");
    }

    #[test]
    fn any_single_byte_change_is_detected() {
        let (bytes, _) = sample();
        for i in 0..bytes.len() {
            for delta in [1u8, 0x20, 0x80] {
                let mut b = bytes.clone();
                b[i] ^= delta;
                assert!(open(&b, 7, GENESIS_HASH).is_err(), "byte {i} ^ {delta:#x} went unseen: {}", String::from_utf8_lossy(&b));
            }
        }
    }

    #[test]
    fn wrong_place_or_link_is_detected() {
        let (bytes, _) = sample();
        assert!(matches!(open(&bytes, 8, GENESIS_HASH), Err(RecordError::Sequence { expected: 8, found: 7 })));
        assert!(matches!(open(&bytes, 7, "ab"), Err(RecordError::BrokenLink)));
    }

    #[test]
    fn a_signed_record_carries_its_key_and_any_change_to_it_is_detected() {
        let key = crate::keys::SecretKey::generate().unwrap();
        let ev = Event::SharesPaid { member: MemberNo(3), amount_cents: Cents(1250) };
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let (bytes, hash) = seal(7, Ulid(42), &t, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), "sec", "c", GENESIS_HASH, &ev, Some(&key));
        let rec = open_unlinked(&bytes, 7).unwrap();
        assert_eq!((coop_core::digest_hex(&rec.hash).as_str(), rec.signed_by.as_deref()), (hash.as_str(), Some(key.public_hex().as_str())));
        assert_eq!(open(&bytes, 7, GENESIS_HASH).unwrap().signed_by, Some(key.public_hex()));
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            assert!(open_unlinked(&b, 7).is_err(), "byte {i} went unseen: {}", String::from_utf8_lossy(&b));
        }
        // Signed with another key that it names: the signature does not match.
        let other = crate::keys::SecretKey::generate().unwrap();
        let forged = String::from_utf8(bytes.clone()).unwrap().replace(&key.public_hex(), &other.public_hex());
        assert!(matches!(open_unlinked(forged.as_bytes(), 7), Err(RecordError::BadSignature)));
    }
}
