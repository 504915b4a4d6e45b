//! A SHA-256 digest kept as hexadecimal text (`#[serde(with = "crate::hex32")]`): the text in
//! JSON and any human-readable format, its 32 bytes in binary ones (postcard, the store's
//! pieces), where the text is twice the size.
//!
//! Any other text (not 64 lowercase hexadecimal digits) is kept as it is: as its bytes, after a
//! 0xFF byte (which no text starts with) when it is 32 bytes long itself.

use serde::{Deserialize, Deserializer, Serializer};

const RAW: u8 = 0xFF;

/// Each byte's value as a lowercase hexadecimal digit; 0xFF for any other byte.
const DIGITS: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 16 {
        t[b"0123456789abcdef"[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// 64 lowercase hexadecimal digits (a SHA-256 digest as coop writes it) as its 32 bytes, or
/// `None` for anything else. By table: a digest's digits branch at random, and a branch per digit
/// cost more than hashing the record the digest is of.
pub fn digest_bytes(digits: &[u8]) -> Option<[u8; 32]> {
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    let mut seen = 0u8;
    for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (DIGITS[usize::from(pair[0])], DIGITS[usize::from(pair[1])]);
        seen |= high | low;
        *o = high << 4 | low;
    }
    (seen < 16).then_some(out)
}

/// 32 bytes as 64 lowercase hexadecimal digits.
pub fn digest_hex(bytes: &[u8; 32]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

pub(crate) fn serialize<S: Serializer>(text: &String, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        return s.serialize_str(text);
    }
    // Lowercase only: an upper-case digest would come back lower-cased.
    if let Some(digest) = digest_bytes(text.as_bytes()) {
        return s.serialize_bytes(&digest);
    }
    if text.len() == 32 {
        let mut marked = Vec::with_capacity(33);
        marked.push(RAW);
        marked.extend_from_slice(text.as_bytes());
        return s.serialize_bytes(&marked);
    }
    s.serialize_bytes(text.as_bytes())
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    if d.is_human_readable() {
        return String::deserialize(d);
    }
    let bytes: std::borrow::Cow<'de, [u8]> = serde_bytes_cow(d)?;
    if let Ok(digest) = <&[u8; 32]>::try_from(&bytes[..]) {
        return Ok(digest_hex(digest));
    }
    let text = match bytes.split_first() {
        Some((&RAW, rest)) => rest,
        _ => &bytes[..],
    };
    String::from_utf8(text.to_vec()).map_err(serde::de::Error::custom)
}

/// Bytes as serialized by `serialize_bytes`, borrowed when the format allows.
fn serde_bytes_cow<'de, D: Deserializer<'de>>(d: D) -> Result<std::borrow::Cow<'de, [u8]>, D::Error> {
    struct Visit;
    impl<'de> serde::de::Visitor<'de> for Visit {
        type Value = std::borrow::Cow<'de, [u8]>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Borrowed(v))
        }
        fn visit_bytes<E>(self, v: &[u8]) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(v.to_vec()))
        }
        fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(v))
        }
    }
    d.deserialize_bytes(Visit)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Held {
        #[serde(with = "crate::hex32")]
        digest: String,
    }

    #[test]
    fn a_digest_is_32_bytes_in_binary_and_any_text_comes_back_as_it_was() {
        let digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_string();
        let bytes = postcard::to_stdvec(&Held { digest: digest.clone() }).unwrap();
        assert_eq!(bytes.len(), 33, "a length byte and the digest's 32 bytes");
        assert_eq!(serde_json::to_string(&Held { digest: digest.clone() }).unwrap(), format!("{{\"digest\":\"{digest}\"}}"));
        let thirty_two = "a".repeat(32);
        for text in [digest, digest_upper(), String::new(), "erased".into(), thirty_two, "é".repeat(16), "f".repeat(63)] {
            let held = Held { digest: text };
            let back: Held = postcard::from_bytes(&postcard::to_stdvec(&held).unwrap()).unwrap();
            assert_eq!(back, held);
            let json: Held = serde_json::from_str(&serde_json::to_string(&held).unwrap()).unwrap();
            assert_eq!(json, held);
        }
    }

    /// Every byte value round-trips through its digits; anything but 64 lowercase hexadecimal
    /// digits is refused, whatever the position of the wrong one.
    #[test]
    fn digits_read_back_as_the_bytes_they_were_written_from() {
        let mut bytes = [0u8; 32];
        for start in [0u8, 32, 64, 96, 128, 160, 192, 224] {
            bytes.iter_mut().enumerate().for_each(|(i, b)| *b = start.wrapping_add(i as u8));
            let text = super::digest_hex(&bytes);
            assert_eq!(text, hex::encode(bytes));
            assert_eq!(super::digest_bytes(text.as_bytes()), Some(bytes));
        }
        let good = super::digest_hex(&bytes).into_bytes();
        for at in [0, 1, 31, 62, 63] {
            for wrong in [b'A', b'F', b'g', b'G', b'/', b':', b'`', b' ', 0xFF] {
                let mut text = good.clone();
                text[at] = wrong;
                assert_eq!(super::digest_bytes(&text), None, "{:?} at {at}", char::from(wrong));
            }
        }
        assert_eq!(super::digest_bytes(&good[..63]), None);
        assert_eq!(super::digest_bytes(&[good.as_slice(), b"0"].concat()), None);
        assert_eq!(super::digest_bytes(digest_upper().as_bytes()), None);
    }

    fn digest_upper() -> String {
        "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08".into()
    }
}
