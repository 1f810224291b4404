//! JSON compared the way the equality with cardinal is stated: parsed, object keys sorted,
//! numbers kept as the text printed (so floats compare exactly as cardinal prints them), and the
//! arrays under `Maps` (cardinal's sets, in hash order) sorted.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number's text, as printed.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

/// Parses `text` (one JSON value, optionally followed by a newline) and sorts the sets in `Maps`.
pub(crate) fn canonical(text: &str) -> Json {
    let mut parser = Parser {
        bytes: text.trim_end().as_bytes(),
        at: 0,
    };
    let value = parser.value();
    assert_eq!(
        parser.at,
        parser.bytes.len(),
        "trailing characters in {text:?}"
    );
    sort_maps(value)
}

fn sort_maps(value: Json) -> Json {
    let Json::Object(mut object) = value else {
        return value;
    };
    if let Some(Json::Object(maps)) = object.get_mut("Maps") {
        for map in maps.values_mut() {
            if let Json::Object(entries) = map {
                for entry in entries.values_mut() {
                    if let Json::Array(items) = entry {
                        items.sort();
                    }
                }
            }
        }
    }
    Json::Object(object)
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> u8 {
        self.bytes[self.at]
    }

    fn eat(&mut self, byte: u8) {
        assert_eq!(self.peek() as char, byte as char, "at byte {}", self.at);
        self.at += 1;
    }

    fn value(&mut self) -> Json {
        match self.peek() {
            b'{' => {
                self.eat(b'{');
                let mut object = BTreeMap::new();
                if self.peek() == b'}' {
                    self.eat(b'}');
                    return Json::Object(object);
                }
                loop {
                    let key = self.string();
                    self.eat(b':');
                    let value = self.value();
                    assert!(
                        object.insert(key.clone(), value).is_none(),
                        "repeated key {key:?}"
                    );
                    if self.peek() == b',' {
                        self.eat(b',');
                    } else {
                        self.eat(b'}');
                        return Json::Object(object);
                    }
                }
            }
            b'[' => {
                self.eat(b'[');
                let mut array = Vec::new();
                if self.peek() == b']' {
                    self.eat(b']');
                    return Json::Array(array);
                }
                loop {
                    array.push(self.value());
                    if self.peek() == b',' {
                        self.eat(b',');
                    } else {
                        self.eat(b']');
                        return Json::Array(array);
                    }
                }
            }
            b'"' => Json::String(self.string()),
            b'n' => self.word("null", Json::Null),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            _ => {
                let start = self.at;
                while self.at < self.bytes.len()
                    && matches!(self.peek(), b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    self.at += 1;
                }
                assert!(self.at > start, "unexpected byte at {start}");
                Json::Number(String::from_utf8(self.bytes[start..self.at].to_vec()).unwrap())
            }
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Json {
        assert!(self.bytes[self.at..].starts_with(word.as_bytes()));
        self.at += word.len();
        value
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut units: Vec<u16> = Vec::new();
        let mut text = String::new();
        loop {
            let byte = self.peek();
            if byte != b'\\' && !units.is_empty() {
                text.push_str(&String::from_utf16(&units).unwrap());
                units.clear();
            }
            match byte {
                b'"' => {
                    self.at += 1;
                    return text;
                }
                b'\\' => {
                    self.at += 1;
                    let escape = self.peek();
                    self.at += 1;
                    match escape {
                        b'u' => {
                            let hex =
                                std::str::from_utf8(&self.bytes[self.at..self.at + 4]).unwrap();
                            units.push(u16::from_str_radix(hex, 16).unwrap());
                            self.at += 4;
                        }
                        _ => {
                            if !units.is_empty() {
                                text.push_str(&String::from_utf16(&units).unwrap());
                                units.clear();
                            }
                            text.push(match escape {
                                b'n' => '\n',
                                b't' => '\t',
                                b'r' => '\r',
                                b'b' => '\x08',
                                b'f' => '\x0c',
                                other => other as char,
                            });
                        }
                    }
                }
                _ => {
                    let rest = std::str::from_utf8(&self.bytes[self.at..]).unwrap();
                    let character = rest.chars().next().unwrap();
                    text.push(character);
                    self.at += character.len_utf8();
                }
            }
        }
    }
}

impl fmt::Display for Json {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => formatter.write_str("null"),
            Json::Bool(value) => write!(formatter, "{value}"),
            Json::Number(text) => formatter.write_str(text),
            Json::String(text) => write!(formatter, "{text:?}"),
            Json::Array(items) => {
                formatter.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(",")?;
                    }
                    write!(formatter, "{item}")?;
                }
                formatter.write_str("]")
            }
            Json::Object(object) => {
                formatter.write_str("{")?;
                for (index, (key, value)) in object.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(",")?;
                    }
                    write!(formatter, "{key:?}:{value}")?;
                }
                formatter.write_str("}")
            }
        }
    }
}
