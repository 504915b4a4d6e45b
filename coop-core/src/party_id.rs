//! A party id (a ULID) in binary forms as its 16 bytes: `#[serde(with = "crate::party_id")]` on
//! the party ids of pieces read in bulk (a member's party, a partner taking part in a project).
//!
//! The `ulid` crate writes an id as its 26-character text in every format, and parsing that text
//! back is a good part of reading 100,000 members. In a format that is not human-readable
//! (postcard, the store's binary pieces) the id is written as its number instead; in JSON it
//! stays the text, so nothing a person or a script reads changes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::PartyId;

pub(crate) fn serialize<S: Serializer>(id: &PartyId, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        id.serialize(s)
    } else {
        s.serialize_u128(id.0)
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PartyId, D::Error> {
    if d.is_human_readable() {
        PartyId::deserialize(d)
    } else {
        u128::deserialize(d).map(ulid::Ulid)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Held {
        #[serde(with = "crate::party_id")]
        party: crate::PartyId,
    }

    #[test]
    fn a_party_id_is_its_number_in_binary_and_its_text_in_json() {
        let held = Held { party: "01J9ZV1Q8C6W3X9Y4B2N5M7K0T".parse().unwrap() };
        let bytes = postcard::to_stdvec(&held).unwrap();
        assert!(bytes.len() <= 19, "a varint of 128 bits at most: {} bytes", bytes.len());
        assert_eq!(postcard::from_bytes::<Held>(&bytes).unwrap(), held);
        let json = serde_json::to_string(&held).unwrap();
        assert_eq!(json, "{\"party\":\"01J9ZV1Q8C6W3X9Y4B2N5M7K0T\"}");
        assert_eq!(serde_json::from_str::<Held>(&json).unwrap(), held);
    }
}
