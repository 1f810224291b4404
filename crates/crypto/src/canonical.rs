//! Canonical JSON: the one byte encoding that is hashed and signed.
//!
//! The rules (documented in `docs/canonical-json.md`):
//! 1. No insignificant whitespace.
//! 2. Object members sorted by key, comparing the keys' UTF-8 bytes; duplicate keys cannot occur
//!    (serde_json keeps the last).
//! 3. Strings as serde_json writes them: UTF-8, with only `"`, `\` and control characters escaped
//!    (`\n`, `\t`, …, other controls as `\u00XX`); no escaping of non-ASCII text.
//! 4. Numbers must be integers in the i64/u64 range, written in plain decimal. Floats are refused:
//!    money is an integer count of 分, and rates are carried as decimal strings.
//! 5. `true`, `false`, `null` as literals; arrays keep their order.

use serde::Serialize;
use serde_json::Value;

use crate::CryptoError;

/// The canonical text of any serialisable value.
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<String, CryptoError> {
    let value =
        serde_json::to_value(value).map_err(|_| CryptoError::NotCanonical("not serialisable"))?;
    let mut out = String::new();
    write_value(&value, &mut out)?;
    Ok(out)
}

/// The canonical bytes of any serialisable value.
pub fn canonical_json_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CryptoError> {
    canonical_json(value).map(String::into_bytes)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), CryptoError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => {
            if let Some(int) = number.as_i64() {
                out.push_str(&int.to_string());
            } else if let Some(int) = number.as_u64() {
                out.push_str(&int.to_string());
            } else {
                return Err(CryptoError::NotCanonical(
                    "floating-point numbers are not allowed",
                ));
            }
        }
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push('[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (idx, (key, item)) in sorted.into_iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
