//! Variable type constraints (`type = number`, `list(string)`, `object({..})`): the values
//! given to a variable are converted as Terraform converts them, so that `"3"` from a tfvars
//! file is the number 3 and `"true"` the boolean. A value that does not convert stays as given.

use hcl::Value;

/// A parsed type constraint.
#[derive(Debug, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    /// `list(T)` and `set(T)`.
    List(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    /// Attributes with their types, whether optional, and their defaults.
    Object(Vec<(String, Type, bool, Option<Value>)>),
}

/// Deepest nesting of a type constraint that is read.
const MAX_NESTING: usize = 32;

impl Type {
    /// The constraint written as `text` (with or without the `${ }` of a JSON-shaped
    /// document); `None` when it cannot be read.
    pub fn parse(text: &str) -> Option<Type> {
        let text = text.trim();
        let text = text
            .strip_prefix("${")
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let mut parser = Parser { rest: text };
        let parsed = parser.ty(0)?;
        parser.rest.trim().is_empty().then_some(parsed)
    }

    /// `value` converted to the type, as far as it converts.
    pub fn convert(&self, value: Value) -> Value {
        match (self, value) {
            (Type::String, Value::Number(n)) => Value::String(n.to_string()),
            (Type::String, Value::Bool(b)) => Value::String(b.to_string()),
            (Type::Number, Value::String(s)) => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 9e15 => {
                    Value::from(n as i64)
                }
                Ok(n) if n.is_finite() => Value::from(n),
                _ => Value::String(s),
            },
            (Type::Bool, Value::String(s)) => match s.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(s),
            },
            (Type::List(item), Value::Array(items)) => {
                Value::Array(items.into_iter().map(|v| item.convert(v)).collect())
            }
            (Type::Map(item), Value::Object(map)) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, item.convert(v))).collect())
            }
            (Type::Tuple(types), Value::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| match types.get(i) {
                        Some(t) => t.convert(v),
                        None => v,
                    })
                    .collect(),
            ),
            (Type::Object(fields), Value::Object(mut map)) => {
                for (name, ty, optional, default) in fields {
                    match map.get_mut(name) {
                        Some(slot) if !(*optional && slot.is_null()) => {
                            *slot = ty.convert(std::mem::take(slot));
                        }
                        _ if *optional => {
                            let value = default.clone().map_or(Value::Null, |d| ty.convert(d));
                            map.insert(name.clone(), value);
                        }
                        _ => {}
                    }
                }
                Value::Object(map)
            }
            (_, value) => value,
        }
    }
}

/// A reader of type constraint text.
struct Parser<'t> {
    rest: &'t str,
}

impl<'t> Parser<'t> {
    fn eat(&mut self, token: char) -> Option<()> {
        self.rest = self.rest.trim_start().strip_prefix(token)?;
        Some(())
    }

    fn peek(&self, token: char) -> bool {
        self.rest.trim_start().starts_with(token)
    }

    fn word(&mut self) -> Option<&'t str> {
        let rest = self.rest.trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        self.rest = after;
        (!word.is_empty()).then_some(word)
    }

    fn ty(&mut self, depth: usize) -> Option<Type> {
        if depth > MAX_NESTING {
            return None;
        }
        Some(match self.word()? {
            "any" => Type::Any,
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            kind @ ("list" | "set" | "map") => {
                self.eat('(')?;
                let item = Box::new(self.ty(depth + 1)?);
                self.eat(')')?;
                if kind == "map" {
                    Type::Map(item)
                } else {
                    Type::List(item)
                }
            }
            "tuple" => {
                self.eat('(')?;
                self.eat('[')?;
                let mut types = Vec::new();
                while !self.peek(']') {
                    types.push(self.ty(depth + 1)?);
                    if self.eat(',').is_none() {
                        break;
                    }
                }
                self.eat(']')?;
                self.eat(')')?;
                Type::Tuple(types)
            }
            "object" => {
                self.eat('(')?;
                self.eat('{')?;
                let mut fields = Vec::new();
                while !self.peek('}') {
                    let name = self.word()?.to_string();
                    if self.eat('=').is_none() {
                        self.eat(':')?;
                    }
                    fields.push(self.field(name, depth + 1)?);
                    if self.eat(',').is_none() && !self.peek('}') {
                        // Attributes may also be separated by new lines.
                        if self.rest.trim_start().is_empty() {
                            return None;
                        }
                    }
                }
                self.eat('}')?;
                self.eat(')')?;
                Type::Object(fields)
            }
            _ => return None,
        })
    }

    /// One attribute of an object type: `T` or `optional(T[, default])`.
    fn field(&mut self, name: String, depth: usize) -> Option<(String, Type, bool, Option<Value>)> {
        let saved = self.rest;
        if self.word() == Some("optional") && self.peek('(') {
            self.eat('(')?;
            let ty = self.ty(depth)?;
            let default = if self.eat(',').is_some() {
                Some(self.literal()?)
            } else {
                None
            };
            self.eat(')')?;
            return Some((name, ty, true, default));
        }
        self.rest = saved;
        Some((name, self.ty(depth)?, false, None))
    }

    /// A literal default of `optional(T, default)`: a number, a quoted string or a boolean.
    fn literal(&mut self) -> Option<Value> {
        let rest = self.rest.trim_start();
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            self.rest = &quoted[end + 1..];
            return Some(Value::String(quoted[..end].to_string()));
        }
        let word = self.word()?;
        Some(match word {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            number => Value::from(number.parse::<f64>().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(ty: &str, value: serde_json::Value) -> serde_json::Value {
        let ty = Type::parse(ty).unwrap();
        super::super::expr::to_json(&ty.convert(super::super::expr::from_json(&value)))
    }

    #[test]
    fn strings_become_numbers_and_booleans_as_the_type_says() {
        use serde_json::json;
        assert_eq!(convert("${number}", json!("3")), json!(3));
        assert_eq!(convert("number", json!("2.5")), json!(2.5));
        assert_eq!(convert("bool", json!("true")), json!(true));
        assert_eq!(convert("string", json!(443)), json!("443"));
        assert_eq!(convert("list(number)", json!(["1", 2])), json!([1, 2]));
        assert_eq!(
            convert("map(bool)", json!({"a": "false"})),
            json!({"a": false})
        );
        assert_eq!(
            convert(
                "object({ port = number, open = optional(bool, false), tags = optional(map(string)) })",
                json!({"port": "22"})
            ),
            json!({"port": 22, "open": false, "tags": null})
        );
        assert_eq!(
            convert("tuple([string, number])", json!([1, "2"])),
            json!(["1", 2])
        );
        // What does not convert stays as given.
        assert_eq!(convert("number", json!("many")), json!("many"));
        assert!(Type::parse("list(").is_none());
        assert!(Type::parse("frobnicate").is_none());
    }
}
