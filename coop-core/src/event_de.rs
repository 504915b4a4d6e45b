//! How an [`Event`] is read: its tag first, then its fields straight into their variant.
//!
//! An event is written internally tagged (`{"type": "shares_paid", "member": 3, …}`, see
//! [`Event`]). serde's derived reader for that form cannot know where the tag is, so it buffers
//! every field of every event (into its private `Content`) before reading the variant from the
//! buffer: a tenth of an import of a million events, and a fifth of what `audit verify`'s
//! checking threads do. coop always writes the tag first; so the reader here reads the first
//! key, and when it is `type`, hands the rest of the object to the variant's own derived
//! reader (of an externally tagged twin of `Event` that [`events!`] declares with it, so the
//! two can never differ in their variants or fields). An event whose tag is elsewhere (JSON
//! written by another tool, or a `serde_json::Value` whose keys are sorted) is buffered as a
//! JSON value and read from that: the same events are read either way, only slower.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::CowStrDeserializer;
use serde::de::{DeserializeSeed, EnumAccess, Error as _, IntoDeserializer, MapAccess, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::event::{external, Event};

/// Declares [`Event`] (written internally tagged, `type` first) and, in a module `external`,
/// its externally tagged twin with the same variants and fields, read by serde's derive, and
/// the conversion from the twin: what [`Event`]'s reader hands a variant's fields to.
macro_rules! events {
    (
        $(#[$meta:meta])*
        pub enum Event {
            $(
                $(#[$vmeta:meta])*
                $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub enum Event {
            $(
                $(#[$vmeta])*
                $variant { $( $(#[$fmeta])* $field : $fty ),* }
            ),*
        }

        /// [`Event`]'s externally tagged twin (see `event_de`).
        pub(crate) mod external {
            use super::*;

            #[derive(Deserialize)]
            #[serde(rename_all = "snake_case")]
            #[allow(clippy::large_enum_variant)]
            pub(crate) enum Event {
                $(
                    $(#[$vmeta])*
                    $variant { $( $(#[$fmeta])* $field : $fty ),* }
                ),*
            }

            impl From<Event> for super::Event {
                fn from(e: Event) -> Self {
                    match e {
                        $( Event::$variant { $($field),* } => super::Event::$variant { $($field),* } ),*
                    }
                }
            }
        }
    };
}
pub(crate) use events;

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Event, D::Error> {
        deserializer.deserialize_map(EventVisitor)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an event: an object with its `type` and fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let Some(Text(first)) = map.next_key::<Text>()? else { return Err(A::Error::missing_field("type")) };
        if first == "type" {
            let Text(tag) = map.next_value::<Text>()?;
            return external::Event::deserialize(Variant { tag, map }).map(Event::from);
        }
        // The tag is elsewhere: the whole object buffered, then read as the twin's form.
        let mut fields = serde_json::Map::new();
        fields.insert(first.into_owned(), map.next_value()?);
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            if fields.contains_key(&k) {
                return Err(A::Error::custom(format_args!("duplicate field `{k}`")));
            }
            fields.insert(k, v);
        }
        let tag = match fields.remove("type") {
            Some(serde_json::Value::String(tag)) => tag,
            Some(other) => return Err(A::Error::custom(format_args!("the event's `type` is {other}, not a string"))),
            None => return Err(A::Error::missing_field("type")),
        };
        let mut twin = serde_json::Map::new();
        twin.insert(tag, serde_json::Value::Object(fields));
        external::Event::deserialize(serde_json::Value::Object(twin)).map(Event::from).map_err(A::Error::custom)
    }
}

/// A key or a string value, borrowed from the input when it can be.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// The rest of an event's object, after its tag, as the twin's derived reader asks for an
/// externally tagged variant: the tag names the variant, the remaining keys are its fields.
struct Variant<'de, A> {
    tag: Cow<'de, str>,
    map: A,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Variant<'de, A> {
    type Error = A::Error;

    fn deserialize_enum<V: Visitor<'de>>(self, _: &'static str, _: &'static [&'static str], visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_enum(self)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, A::Error> {
        Err(A::Error::custom("an event's fields are read as its variant's"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Variant<'de, A> {
    type Error = A::Error;
    type Variant = Fields<A>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Fields<A>), A::Error> {
        let tag: CowStrDeserializer<'de, A::Error> = self.tag.into_deserializer();
        Ok((seed.deserialize(tag)?, Fields(self.map)))
    }
}

/// A variant's fields: the keys of the event's object left after its tag.
struct Fields<A>(A);

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Fields<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        Err(A::Error::custom("every event has fields"))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, A::Error> {
        Err(A::Error::custom("every event has named fields"))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, A::Error> {
        Err(A::Error::custom("every event has named fields"))
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{Cents, MemberNo};

    /// The same event, with its tag first (read field by field), last or in the middle (read
    /// from a buffer), or from a `serde_json::Value` (whose keys are sorted): read alike.
    #[test]
    fn an_event_reads_the_same_wherever_its_tag_is() {
        let e = Event::SharesSubscribed { member: MemberNo(3), class: "A".into(), count: 4, paid_cents: Cents(5_000) };
        let written = serde_json::to_string(&e).unwrap();
        assert!(written.starts_with(r#"{"type":"shares_subscribed","#), "{written}");
        for text in [
            written.as_str(),
            r#"{"member":3,"class":"A","count":4,"paid_cents":5000,"type":"shares_subscribed"}"#,
            r#"{"member":3,"class":"A","type":"shares_subscribed","count":4,"paid_cents":5000}"#,
            r#"{"type":"shares_subscribed","member":3,"class":"A","count":4,"paid_cents":5000,"unknown":[1,{"a":2}]}"#,
        ] {
            assert_eq!(serde_json::from_str::<Event>(text).unwrap(), e, "{text}");
        }
        let value: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(serde_json::from_value::<Event>(value).unwrap(), e);
        // Escaped strings are read owned: the same.
        let escaped = written.replace(r#""A""#, r#""\u0041""#);
        assert_eq!(serde_json::from_str::<Event>(&escaped).unwrap(), e);
        // An event without fields, and one with optional fields left out.
        assert_eq!(serde_json::from_str::<Event>(r#"{"type":"review_completed"}"#).unwrap(), Event::ReviewCompleted {});
        let left = Event::ParticipantLeft { project: "p".into(), who: crate::project::Participant::Member(MemberNo(2)) };
        assert_eq!(serde_json::from_str::<Event>(&serde_json::to_string(&left).unwrap()).unwrap(), left);
    }

    /// What does not read as an event is refused alike whichever way it is read, with what is
    /// wrong: an unknown type, a missing or mistyped field, a missing or mistyped tag, a field
    /// twice.
    #[test]
    fn what_is_not_an_event_is_refused_wherever_its_tag_is() {
        for (first, elsewhere, says) in [
            (r#"{"type":"shares_dealt","member":3}"#, r#"{"member":3,"type":"shares_dealt"}"#, "unknown variant `shares_dealt`"),
            (r#"{"type":"shares_paid","member":3}"#, r#"{"member":3,"type":"shares_paid"}"#, "missing field `amount_cents`"),
            (
                r#"{"type":"shares_paid","member":"3","amount_cents":1}"#,
                r#"{"member":"3","type":"shares_paid","amount_cents":1}"#,
                "invalid type",
            ),
            (r#"{"type":7,"member":3}"#, r#"{"member":3,"type":7}"#, "type"),
            (r#"{}"#, r#"{"member":3}"#, "missing field `type`"),
            (
                r#"{"type":"shares_paid","member":3,"member":4,"amount_cents":1}"#,
                r#"{"member":3,"member":4,"type":"shares_paid","amount_cents":1}"#,
                "duplicate field `member`",
            ),
        ] {
            for text in [first, elsewhere] {
                let err = serde_json::from_str::<Event>(text).unwrap_err().to_string();
                assert!(err.contains(says), "{text}: {err}");
            }
        }
        assert!(serde_json::from_str::<Event>("[1,2]").is_err());
    }
}
