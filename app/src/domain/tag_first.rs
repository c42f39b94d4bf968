//! Internally tagged enums (`{"type": "offered", "offer": {…}}`) read in one pass.
//!
//! serde reads an internally tagged enum by first copying the whole object into a private
//! tree, because the tag may come anywhere in it, and then reads the variant from the copy.
//! Besides the copy, that compiles a second reader for every type inside such an enum: in
//! the desktop's WebAssembly, 150 KB of code before wasm-opt (measured on the first load,
//! about a twelfth of it). Every such object Switchboard reads was written by serde, which
//! writes the tag first; so these enums read the tag first and then the variant's fields
//! straight from the same object, and refuse an object whose first key is not the tag.
//!
//! A `serde_json::Value` keeps its keys sorted, not in the order written: read these enums
//! from the text, never through a `Value`.
//!
//! [`tag_first_enum!`] declares such an enum once. It is written exactly as serde's
//! internally tagged form (the same JSON on the wire and in the database) and read through
//! a twin enum, the externally tagged form of the same variants, fed by [`TagFirst`].

use serde::de::{
    self, value::MapAccessDeserializer, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny,
    MapAccess, VariantAccess, Visitor,
};
use std::fmt;

/// Declares an enum whose JSON is `{"<tag>": "<variant in snake_case>", <fields>…}` (serde's
/// `#[serde(tag = "<tag>", rename_all = "snake_case")]`), read tag first without a copy.
/// Variants are units or have named fields. Variant and field attributes are copied to the
/// reading twin too, so they must be serde's or doc comments (`#[serde(default)]` applies
/// both ways; no `#[cfg]` on a variant); the enum's own attributes apply to it alone.
#[macro_export]
macro_rules! tag_first_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident (tag = $tag:literal) {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({
                    $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(::serde::Serialize)]
        #[serde(tag = $tag, rename_all = "snake_case")]
        $vis enum $name {
            $( $(#[$vmeta])* $variant $({ $( $(#[$fmeta])* $field: $fty ),* })? ),*
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                // The same variants, externally tagged: what `TagFirst` feeds.
                #[derive(::serde::Deserialize)]
                #[serde(rename_all = "snake_case")]
                enum Twin {
                    $( $(#[$vmeta])* $variant $({ $( $(#[$fmeta])* $field: $fty ),* })? ),*
                }
                let twin = <Twin as ::serde::Deserialize>::deserialize(
                    $crate::domain::tag_first::TagFirst::new(d, $tag),
                )?;
                ::core::result::Result::Ok(match twin {
                    $( Twin::$variant $({ $($field),* })? => $name::$variant $({ $($field),* })? ),*
                })
            }
        }
    };
}

/// A deserializer that presents an object whose first key is `tag` as an externally tagged
/// enum: the tag's value names the variant, the object's other keys are its fields.
pub struct TagFirst<D> {
    inner: D,
    tag: &'static str,
}

impl<D> TagFirst<D> {
    pub fn new(inner: D, tag: &'static str) -> Self {
        TagFirst { inner, tag }
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for TagFirst<D> {
    type Error = D::Error;

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_map(TaggedObject {
            visitor,
            tag: self.tag,
        })
    }

    /// Only enums are read through here; anything else is read as one.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.deserialize_enum("", &[], visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

/// Reads the object: its first key must be the tag.
struct TaggedObject<V> {
    visitor: V,
    tag: &'static str,
}

impl<'de, V: Visitor<'de>> Visitor<'de> for TaggedObject<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object whose first key is `{}`", self.tag)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        match map.next_key_seed(IsKey(self.tag))? {
            Some(true) => self.visitor.visit_enum(Variant { map }),
            Some(false) => Err(de::Error::custom(format_args!(
                "the first key must be `{}`",
                self.tag
            ))),
            None => Err(de::Error::missing_field(self.tag)),
        }
    }
}

/// Whether a key is the given one, without keeping it.
struct IsKey(&'static str);

impl<'de> DeserializeSeed<'de> for IsKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for IsKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// The rest of the object after the tag: the tag's value names the variant, the other keys
/// are its fields.
struct Variant<A> {
    map: A,
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Variant<A> {
    type Error = A::Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        mut self,
        seed: S,
    ) -> Result<(S::Value, Self), A::Error> {
        let variant = self.map.next_value_seed(seed)?;
        Ok((variant, self))
    }
}

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    /// Other keys beside the tag are passed over, as serde's own reading does.
    fn unit_variant(mut self) -> Result<(), A::Error> {
        while self.map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        seed.deserialize(MapAccessDeserializer::new(self.map))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, A::Error> {
        Err(de::Error::invalid_type(
            de::Unexpected::TupleVariant,
            &"a variant with named fields",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.map)
    }
}

#[cfg(test)]
mod tests {
    crate::tag_first_enum! {
        #[derive(Debug, Clone, PartialEq, Eq)]
        enum Shape (tag = "type") {
            /// A unit variant.
            Dot,
            Circle { radius: u32 },
            Label {
                text: String,
                #[serde(default)]
                bold: bool,
            },
        }
    }

    /// serde's own internally tagged form, what the database and the widget hold.
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Serde {
        Dot,
        Circle { radius: u32 },
        Label { text: String, bold: bool },
    }

    #[test]
    fn writes_what_serde_writes_and_reads_it_back() {
        for (shape, serde) in [
            (Shape::Dot, Serde::Dot),
            (Shape::Circle { radius: 3 }, Serde::Circle { radius: 3 }),
            (
                Shape::Label {
                    text: "é \"q\"".into(),
                    bold: true,
                },
                Serde::Label {
                    text: "é \"q\"".into(),
                    bold: true,
                },
            ),
        ] {
            let json = serde_json::to_string(&shape).unwrap();
            assert_eq!(json, serde_json::to_string(&serde).unwrap());
            assert_eq!(serde_json::from_str::<Shape>(&json).unwrap(), shape);
        }
    }

    #[test]
    fn reads_defaults_and_passes_over_unknown_keys() {
        let label: Shape =
            serde_json::from_str(r#"{"type":"label","text":"hi","newer":[1,{"a":2}]}"#).unwrap();
        assert_eq!(
            label,
            Shape::Label {
                text: "hi".into(),
                bold: false
            }
        );
        let dot: Shape = serde_json::from_str(r#"{"type":"dot","newer":1}"#).unwrap();
        assert_eq!(dot, Shape::Dot);
        // Inside a list: the object is read to its end, the next one after it.
        let all: Vec<Shape> =
            serde_json::from_str(r#"[{"type":"dot"},{"type":"circle","radius":2}]"#).unwrap();
        assert_eq!(all, [Shape::Dot, Shape::Circle { radius: 2 }]);
    }

    #[test]
    fn refuses_with_a_reason() {
        let refused = |json: &str| serde_json::from_str::<Shape>(json).unwrap_err().to_string();
        assert!(
            refused(r#"{"radius":1,"type":"circle"}"#).contains("the first key must be `type`"),
            "{}",
            refused(r#"{"radius":1,"type":"circle"}"#)
        );
        assert!(refused("{}").contains("missing field `type`"));
        assert!(refused(r#"{"type":"square"}"#).contains("unknown variant `square`"));
        assert!(refused(r#"{"type":"circle"}"#).contains("missing field `radius`"));
        assert!(refused(r#""dot""#).contains("invalid type"));
    }
}
