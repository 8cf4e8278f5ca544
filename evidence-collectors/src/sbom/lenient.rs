//! Lenient typed reading for the SBOM normalizers: each declares the few members it reads as
//! small structs, deserialized straight from a JSON document's text (or from the value tree a
//! converted format produces), every other member skipped unread (`IgnoredAny`), so that a
//! large SBOM never exists as a tree of values.
//!
//! Reading is as forgiving as looking values up in a tree: a member of an unexpected JSON type
//! reads as absent (a string where a list is expected is an empty list, a list where an object
//! is expected an object without members), and the last of duplicate keys wins.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    Deserialize, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

/// A scalar member, kept as text; `null`, booleans, arrays and objects read as absent.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Scalar {
    #[default]
    Absent,
    /// A string as written.
    String(String),
    /// A number in its JSON form (as `serde_json` prints it).
    Number(String),
}

impl Scalar {
    /// The trimmed text of a string or a number, unless blank.
    pub fn text(self) -> Option<String> {
        match self {
            Scalar::String(s) | Scalar::Number(s) => trimmed(s),
            Scalar::Absent => None,
        }
    }

    /// The trimmed text of a string (not of a number), unless blank.
    pub fn string(self) -> Option<String> {
        match self {
            Scalar::String(s) => trimmed(s),
            _ => None,
        }
    }

    /// The trimmed text of a string (not of a number), unless blank, borrowed.
    pub fn str(&self) -> Option<&str> {
        match self {
            Scalar::String(s) => Some(s.trim()).filter(|t| !t.is_empty()),
            _ => None,
        }
    }

    /// A string exactly as written.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of a number, or of a string holding one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Scalar::Number(n) => n.parse().ok(),
            Scalar::String(s) => s.trim().parse().ok(),
            Scalar::Absent => None,
        }
    }
}

fn trimmed(s: String) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else if t.len() == s.len() {
        Some(s)
    } else {
        Some(t.to_string())
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor {
            first_of_array: false,
        })
    }
}

/// A scalar, or the first element of an array (an entity's `url`, one or a list).
#[derive(Debug, Default)]
pub struct First(pub Scalar);

impl<'de> Deserialize<'de> for First {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor {
            first_of_array: true,
        })
        .map(First)
    }
}

struct ScalarVisitor {
    /// Whether an array reads as its first element rather than as absent.
    first_of_array: bool,
}

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, s: &str) -> Result<Scalar, E> {
        Ok(Scalar::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Scalar, E> {
        Ok(Scalar::String(s))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(n.to_string()))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(n.to_string()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Scalar, E> {
        Ok(serde_json::Number::from_f64(n)
            .map_or(Scalar::Absent, |n| Scalar::Number(n.to_string())))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Scalar, E> {
        Ok(Scalar::Absent)
    }

    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Absent)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        let first = match self.first_of_array {
            true => seq.next_element::<Scalar>()?.unwrap_or_default(),
            false => Scalar::Absent,
        };
        skip_seq(seq).map(|()| first)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
        skip_map(map).map(|()| Scalar::Absent)
    }
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// A type read from arrays, objects or both; any other JSON value reads as its default.
pub trait Shape: Default {
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        skip_seq(seq).map(|()| Self::default())
    }

    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        skip_map(map).map(|()| Self::default())
    }
}

/// Deserializes a [`Shape`] from any JSON value.
pub fn shaped<'de, T: Shape, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(ShapeVisitor(PhantomData))
}

struct ShapeVisitor<T>(PhantomData<T>);

impl<'de, T: Shape> Visitor<'de> for ShapeVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, _: &str) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_u64<E>(self, _: u64) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_i64<E>(self, _: i64) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_f64<E>(self, _: f64) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_unit<E>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::from_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// The elements of an array; anything else reads as no elements.
#[derive(Debug)]
pub struct List<T>(pub Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T: DeserializeOwned> Shape for List<T> {
    fn from_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<T>()? {
            items.push(item);
        }
        Ok(List(items))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        shaped(d)
    }
}

/// A member that counts as given whenever its key is there, whatever its value (`null`
/// included), unlike an `Option`.
#[derive(Debug)]
pub struct Present<T>(pub Option<T>);

impl<T> Default for Present<T> {
    fn default() -> Self {
        Present(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Present<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(|t| Present(Some(t)))
    }
}

/// Declares structs of members read by key: each member's type says how its value is read
/// (a [`Scalar`], a [`List`], another such struct, …); other keys are skipped unread, and a
/// value that is not an object reads as a struct without members.
macro_rules! members {
    ($($(#[$meta:meta])* $vis:vis struct $name:ident { $($key:literal => $field:ident: $ty:ty,)* })*) => {$(
        $(#[$meta])*
        #[derive(Debug, Default)]
        $vis struct $name {
            $($field: $ty,)*
        }

        impl $crate::sbom::lenient::Shape for $name {
            fn from_map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                let mut read = Self::default();
                while let Some(key) = map.next_key::<$crate::formats::json::Key<'de>>()? {
                    match key.0.as_ref() {
                        $($key => read.$field = map.next_value()?,)*
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(read)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::sbom::lenient::shaped(d)
            }
        }
    )*};
}
pub(crate) use members;
