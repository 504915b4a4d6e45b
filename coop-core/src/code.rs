//! `Code`: a short code (a share class, a category, a college) held without an allocation of its
//! own.
//!
//! The state repeats such codes on every lot of shares and every entry of an assembly's frozen
//! roll: at 100,000 members and a million events, 800,000 lots and 400,000 roll entries, each
//! with a `String` of a few bytes, were a third of the state's memory (a heap block of 32 bytes
//! for two letters). A `Code` of up to 22 bytes is kept inline, a longer one on the heap. It
//! reads, compares, orders and serializes as the text it holds: its serialized form is a string,
//! the same bytes as a `String`'s.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const INLINE: usize = 22;

/// A short code, kept inline up to 22 bytes (see the module's documentation).
#[derive(Clone)]
pub struct Code(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Code {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only ever filled from a `str` of that length (see `From<&str>`).
            Repr::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default(),
            Repr::Heap(s) => s,
        }
    }
}

impl From<&str> for Code {
    fn from(s: &str) -> Code {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Code(Repr::Inline { len: s.len() as u8, bytes })
        } else {
            Code(Repr::Heap(s.into()))
        }
    }
}

impl From<String> for Code {
    fn from(s: String) -> Code {
        Code::from(s.as_str())
    }
}

impl From<&String> for Code {
    fn from(s: &String) -> Code {
        Code::from(s.as_str())
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.as_str().to_string()
    }
}

impl Default for Code {
    fn default() -> Code {
        Code::from("")
    }
}

impl Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Code {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Code {}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Code {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Code> for str {
    fn eq(&self, other: &Code) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Code> for String {
    fn eq(&self, other: &Code) -> bool {
        self == other.as_str()
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Code) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Code {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Code;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a code")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Code, E> {
                Ok(Code::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Code, E> {
                Ok(Code::from(v))
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_the_text_it_holds_short_or_long() {
        let long = "a-category-code-longer-than-twenty-two-bytes";
        for text in ["", "A", "employees", "ééééééééééé", "exactly-twenty-two-by", long] {
            let c = Code::from(text);
            assert_eq!(c.as_str(), text);
            assert_eq!(c, text);
            assert_eq!(c.to_string(), text);
            assert_eq!(format!("{c:?}"), format!("{text:?}"));
            // The same bytes as a string's, in JSON and in postcard.
            assert_eq!(serde_json::to_string(&c).unwrap(), serde_json::to_string(text).unwrap());
            assert_eq!(postcard::to_stdvec(&c).unwrap(), postcard::to_stdvec(text).unwrap());
            assert_eq!(serde_json::from_str::<Code>(&serde_json::to_string(text).unwrap()).unwrap(), c);
            let bytes = postcard::to_stdvec(&text.to_string()).unwrap();
            assert_eq!(postcard::from_bytes::<Code>(&bytes).unwrap(), c);
        }
        assert!(matches!(Code::from("exactly-twenty-two-by").0, Repr::Inline { .. }), "22 bytes inline");
        assert!(matches!(Code::from(long).0, Repr::Heap(_)));
        assert_eq!(std::mem::size_of::<Code>(), 24, "no larger than a String");
        // Ordered and hashed as text (a short code and a long one compare as their text does).
        let mut v = [Code::from("b"), Code::from(long), Code::from("A")];
        v.sort();
        assert_eq!(v.iter().map(Code::as_str).collect::<Vec<_>>(), vec!["A", long, "b"]);
        let map: std::collections::BTreeMap<Code, u8> = [(Code::from("users"), 1)].into_iter().collect();
        assert_eq!(map.get("users"), Some(&1));
    }
}
