//! JSON that keeps the order its keys were added in. GraphQL answers list fields in the order
//! they were selected, and monday's column `value` strings keep their own key order
//! (`{"index":0,"post_id":null,"changed_at":...}`); `serde_json::Map` sorts keys unless a
//! workspace-wide feature is turned on, so the emulator builds its answers with this instead.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Out {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Out>),
    Obj(Vec<(String, Out)>),
    /// A serde_json value, written as it is (its objects in serde_json's order).
    Json(Value),
}

impl Out {
    pub fn obj() -> Out {
        Out::Obj(Vec::new())
    }

    /// Adds (or replaces) a key, keeping the first position of a replaced key.
    pub fn with(mut self, key: &str, value: impl Into<Out>) -> Out {
        self.set(key, value);
        self
    }

    pub fn set(&mut self, key: &str, value: impl Into<Out>) {
        if let Out::Obj(fields) = self {
            let value = value.into();
            if let Some(slot) = fields.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                fields.push((key.to_string(), value));
            }
        }
    }

    #[cfg(test)]
    pub fn get(&self, key: &str) -> Option<&Out> {
        match self {
            Out::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Compact JSON text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".to_string())
    }
}

impl Serialize for Out {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::Null => s.serialize_unit(),
            Out::Bool(b) => s.serialize_bool(*b),
            Out::Int(i) => s.serialize_i64(*i),
            Out::Float(x) => s.serialize_f64(*x),
            Out::Str(t) => s.serialize_str(t),
            Out::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Out::Obj(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Out::Json(v) => v.serialize(s),
        }
    }
}

impl From<&str> for Out {
    fn from(s: &str) -> Out {
        Out::Str(s.to_string())
    }
}

impl From<String> for Out {
    fn from(s: String) -> Out {
        Out::Str(s)
    }
}

impl From<&String> for Out {
    fn from(s: &String) -> Out {
        Out::Str(s.clone())
    }
}

impl From<bool> for Out {
    fn from(b: bool) -> Out {
        Out::Bool(b)
    }
}

impl From<i64> for Out {
    fn from(i: i64) -> Out {
        Out::Int(i)
    }
}

impl From<u64> for Out {
    fn from(i: u64) -> Out {
        Out::Int(i64::try_from(i).unwrap_or(i64::MAX))
    }
}

impl From<Value> for Out {
    fn from(v: Value) -> Out {
        Out::Json(v)
    }
}

impl<T: Into<Out>> From<Option<T>> for Out {
    fn from(v: Option<T>) -> Out {
        v.map_or(Out::Null, Into::into)
    }
}

impl From<Vec<Out>> for Out {
    fn from(v: Vec<Out>) -> Out {
        Out::List(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_in_insertion_order() {
        let o = Out::obj()
            .with("index", 0i64)
            .with("post_id", Out::Null)
            .with("changed_at", "t");
        assert_eq!(
            o.to_json_string(),
            r#"{"index":0,"post_id":null,"changed_at":"t"}"#
        );
        let o = o.with("index", 1i64);
        assert_eq!(
            o.to_json_string(),
            r#"{"index":1,"post_id":null,"changed_at":"t"}"#
        );
    }
}
