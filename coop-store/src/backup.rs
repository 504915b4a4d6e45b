//! Backups that keep everything: the log and the personal data beside it, in one file.
//!
//! An export (`Store::export_events`) holds the log only, which is what an auditor needs and
//! what may be published: names and e-mails are not in it, so a store rebuilt from it shows
//! every member as erased. A backup adds the personal data, and is restored into a new store
//! whose register, documents and head hash are the original's.
//!
//! The file is JSON Lines: a header `{"coop_backup":1,"parties":P}`, then P lines, one per party
//! (`{"party","salt","name","email","address"}`), then the export itself (its own header and
//! the records byte for byte). Each entry is checked on restore against the digest the log
//! keeps for its party, so a backup whose personal data was altered is refused.

use std::io::{BufRead, BufReader, Read, Write};

use coop_core::PartyId;
use serde::{Deserialize, Serialize};

use crate::personal::PersonalEntry;
use crate::store::{ImportReport, Store};
use crate::{Error, Result};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    coop_backup: u32,
    parties: u64,
}

#[derive(Serialize, Deserialize)]
struct Line {
    party: PartyId,
    #[serde(flatten)]
    entry: PersonalEntry,
}

/// A line of personal data is at most this long.
const MAX_LINE: usize = 64 * 1024;

/// What a restore wrote.
#[derive(Clone, Debug, Serialize)]
pub struct RestoreReport {
    /// The log imported.
    #[serde(flatten)]
    pub log: ImportReport,
    /// Parties whose personal data was restored.
    pub parties: u64,
}

fn bad(line: usize, reason: impl Into<String>) -> Error {
    Error::BadImport { line, reason: reason.into(), integrity: false }
}

impl Store {
    /// Writes a backup: the personal data of every party the log names, then the export of the
    /// log. Returns the number of events.
    pub fn backup(&self, out: &mut dyn Write) -> Result<u64> {
        let state = self.state()?;
        let mut lines = Vec::new();
        for party in state.digests().keys() {
            if let Some(entry) = self.personal_entry(*party)? {
                lines.push(Line { party: *party, entry });
            }
        }
        let header = Header { coop_backup: 1, parties: lines.len() as u64 };
        serde_json::to_writer(&mut *out, &header).map_err(std::io::Error::from)?;
        out.write_all(b"\n")?;
        for l in &lines {
            serde_json::to_writer(&mut *out, l).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
        }
        self.export_events(out)
    }

    /// Restores a backup into this store, which must be empty: the log is imported as
    /// [`Store::import_events`] does (all of it or nothing), then each party's personal data is
    /// checked against the digest the log keeps for it and written beside the log.
    pub fn restore<R: Read>(&self, input: R) -> Result<RestoreReport> {
        if self.head().seq != 0 {
            return Err(Error::NotEmpty(self.head().seq));
        }
        let mut input = BufReader::new(input);
        let mut buf = String::new();
        let mut read = |buf: &mut String, line: usize| -> Result<()> {
            buf.clear();
            let n = (&mut input).take(MAX_LINE as u64 + 1).read_line(buf)?;
            if n == 0 {
                return Err(bad(line, "the backup ends too early"));
            }
            if n > MAX_LINE {
                return Err(bad(line, format!("a line of personal data is longer than {MAX_LINE} bytes")));
            }
            Ok(())
        };
        read(&mut buf, 1)?;
        let header: Header = serde_json::from_str(buf.trim_end())
            .map_err(|e| bad(1, format!("not a coop backup (expected a header such as {{\"coop_backup\":1,\"parties\":70}}): {e}")))?;
        if header.coop_backup != 1 {
            return Err(bad(1, format!("backup format {} is not known to this coop (it reads 1)", header.coop_backup)));
        }
        let mut entries = Vec::new();
        for i in 0..header.parties {
            let line = i as usize + 2;
            read(&mut buf, line)?;
            let l: Line = serde_json::from_str(buf.trim_end()).map_err(|e| bad(line, format!("not a party's personal data: {e}")))?;
            entries.push((line, l));
        }
        // The personal data goes first, recorded as pending: if the restore stops before the log
        // commits, the next open removes it (its parties are not in the log); the log is imported
        // with the check that each entry matches its digest, before its head is written. So a
        // restore ends with all of the backup or none of it.
        let entries: Vec<(usize, PartyId, PersonalEntry)> = entries.into_iter().map(|(line, l)| (line, l.party, l.entry)).collect();
        let pairs: Vec<(PartyId, PersonalEntry)> = entries.iter().map(|(_, p, e)| (*p, e.clone())).collect();
        let token = self.personal_pending_put(&pairs)?;
        let checked = self.import_checked(input, |state| {
            let digests = state.digests();
            for (line, party, entry) in &entries {
                match digests.get(party) {
                    Some(d) if *d == entry.data.digest(&entry.salt) => {}
                    Some(_) => {
                        return Err(Error::Integrity {
                            seq: 0,
                            reason: format!("line {line}: the personal data of party {party} does not match the digest the log keeps: the backup was altered"),
                        })
                    }
                    None => return Err(Error::Integrity { seq: 0, reason: format!("line {line}: party {party} is not in the log") }),
                }
            }
            Ok(())
        });
        let log = match checked {
            Ok(log) => log,
            Err(e) => {
                let parties: Vec<PartyId> = pairs.iter().map(|(p, _)| *p).collect();
                self.personal_undo(&parties, &token)?;
                return Err(e);
            }
        };
        let parties = pairs.len() as u64;
        self.personal_settled(&token)?;
        Ok(RestoreReport { log, parties })
    }
}
