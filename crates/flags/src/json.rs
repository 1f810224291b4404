//! A pull parser for one line of JSON that accepts exactly what cardinal's `serde_json::Value`
//! accepts (with its `arbitrary_precision` feature) and hands out only the parts the indicators read.
//!
//! Cardinal parses every line into a whole `Value` and skips lines that fail. To give the same
//! results without building the tree, this parser validates every byte it skips by the same rules:
//! JSON whitespace is space, tab, CR and LF; strings refuse control characters, unknown escapes and
//! unpaired UTF-16 surrogates in `\u` escapes; numbers follow the JSON grammar with no range limit
//! (any length of digits or exponent is fine, as it is with `arbitrary_precision`); nesting deeper
//! than 127 arrays or objects is refused (`serde_json`'s recursion limit); nothing but whitespace
//! may follow the value. The input is a `&str`, so UTF-8 is already checked.

use std::borrow::Cow;

/// The line is not valid JSON (cardinal skips it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

pub(crate) type Parsed<T> = Result<T, Invalid>;

/// `serde_json` refuses a container nested this deep (its `remaining_depth` reaches zero).
const DEPTH_LIMIT: u32 = 128;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

pub(crate) struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Parser {
            text,
            bytes: text.as_bytes(),
            at: 0,
            depth: 0,
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The first byte of the next value, after whitespace.
    fn peek(&mut self) -> Parsed<u8> {
        self.skip_whitespace();
        self.bytes.get(self.at).copied().ok_or(Invalid)
    }

    /// After the top-level value: only whitespace may remain.
    pub(crate) fn finish(&mut self) -> Parsed<()> {
        self.skip_whitespace();
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn expect(&mut self, byte: u8) -> Parsed<()> {
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth >= DEPTH_LIMIT {
            Err(Invalid)
        } else {
            Ok(())
        }
    }

    /// Skips any value, checking it.
    pub(crate) fn skip(&mut self) -> Parsed<()> {
        match self.peek()? {
            b'{' => self.skip_object(),
            b'[' => self.array(Self::skip).map(drop),
            b'"' => {
                self.at += 1;
                self.scan_string(false).map(drop)
            }
            b'-' | b'0'..=b'9' => self.scan_number().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => Err(Invalid),
        }
    }

    /// Like `object`, without decoding the keys.
    fn skip_object(&mut self) -> Parsed<()> {
        self.at += 1;
        self.enter()?;
        if self.peek()? == b'}' {
            self.at += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.peek()? != b'"' {
                return Err(Invalid);
            }
            self.at += 1;
            self.scan_string(false)?;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip()?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(Invalid),
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Parsed<()> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Invalid)
        }
    }

    /// The value if it is a string; otherwise the value is skipped and `None` returned.
    pub(crate) fn string(&mut self) -> Parsed<Option<Cow<'a, str>>> {
        if self.peek()? == b'"' {
            self.at += 1;
            self.scan_string(true).map(Some)
        } else {
            self.skip().map(|()| None)
        }
    }

    /// The text of the value if it is a number; otherwise the value is skipped and `None` returned.
    pub(crate) fn number(&mut self) -> Parsed<Option<&'a str>> {
        if let b'-' | b'0'..=b'9' = self.peek()? {
            self.scan_number().map(Some)
        } else {
            self.skip().map(|()| None)
        }
    }

    /// Calls `member` for each member if the value is an object (and returns `true`); otherwise
    /// skips the value and returns `false`. `member` must consume the member's value.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Parsed<()>,
    ) -> Parsed<bool> {
        if self.peek()? != b'{' {
            return self.skip().map(|()| false);
        }
        self.at += 1;
        self.enter()?;
        if self.peek()? == b'}' {
            self.at += 1;
            self.depth -= 1;
            return Ok(true);
        }
        loop {
            if self.peek()? != b'"' {
                return Err(Invalid);
            }
            self.at += 1;
            let key = self.scan_string(true)?;
            self.skip_whitespace();
            self.expect(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(true);
                }
                _ => return Err(Invalid),
            }
        }
    }

    /// Calls `element` for each element if the value is an array (and returns `true`); otherwise
    /// skips the value and returns `false`. `element` must consume the element.
    pub(crate) fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Parsed<()>,
    ) -> Parsed<bool> {
        if self.peek()? != b'[' {
            return self.skip().map(|()| false);
        }
        self.at += 1;
        self.enter()?;
        if self.peek()? == b']' {
            self.at += 1;
            self.depth -= 1;
            return Ok(true);
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Ok(true);
                }
                _ => return Err(Invalid),
            }
        }
    }

    /// After the opening quote: scans to the closing quote, checking escapes. Decodes the
    /// string if `decode` (borrowing it when it has no escapes).
    fn scan_string(&mut self, decode: bool) -> Parsed<Cow<'a, str>> {
        let start = self.at;
        let mut owned: Option<String> = None;
        let mut run_start = start;
        loop {
            self.skip_plain_bytes();
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(Invalid);
            };
            match byte {
                b'"' => {
                    let run = &self.text[run_start..self.at];
                    self.at += 1;
                    if !decode {
                        return Ok(Cow::Borrowed(""));
                    }
                    return Ok(match owned {
                        None => Cow::Borrowed(run),
                        Some(mut string) => {
                            string.push_str(run);
                            Cow::Owned(string)
                        }
                    });
                }
                b'\\' => {
                    if decode {
                        owned
                            .get_or_insert_with(String::new)
                            .push_str(&self.text[run_start..self.at]);
                    }
                    self.at += 1;
                    let decoded = self.escape()?;
                    if let Some(string) = owned.as_mut() {
                        string.push(decoded);
                    }
                    run_start = self.at;
                }
                // A control character (below 0x20).
                _ => return Err(Invalid),
            }
        }
    }

    /// Advances over bytes that need no attention in a string: anything but `"`, `\` and the
    /// control characters. Eight bytes at a time while none of them is special.
    fn skip_plain_bytes(&mut self) {
        while let Some(word) = self.bytes.get(self.at..self.at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            let quote = word ^ (ONES * u64::from(b'"'));
            let backslash = word ^ (ONES * u64::from(b'\\'));
            let special = (quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (word.wrapping_sub(ONES * 0x20) & !word);
            if special & HIGHS != 0 {
                break;
            }
            self.at += 8;
        }
        while let Some(&byte) = self.bytes.get(self.at) {
            if byte == b'"' || byte == b'\\' || byte < 0x20 {
                return;
            }
            self.at += 1;
        }
    }

    /// After a backslash: one escape, as `serde_json` checks it when it parses a string.
    fn escape(&mut self) -> Parsed<char> {
        let Some(&byte) = self.bytes.get(self.at) else {
            return Err(Invalid);
        };
        self.at += 1;
        Ok(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                match first {
                    0xDC00..=0xDFFF => return Err(Invalid),
                    0xD800..=0xDBFF => {
                        self.expect(b'\\')?;
                        self.expect(b'u')?;
                        let second = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&second) {
                            return Err(Invalid);
                        }
                        let code = (((first - 0xD800) << 10) | (second - 0xDC00)) + 0x1_0000;
                        char::from_u32(code).ok_or(Invalid)?
                    }
                    _ => char::from_u32(first).ok_or(Invalid)?,
                }
            }
            _ => return Err(Invalid),
        })
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let digits = self.bytes.get(self.at..self.at + 4).ok_or(Invalid)?;
        let mut value = 0;
        for &digit in digits {
            let nibble = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(Invalid),
            };
            value = (value << 4) | u32::from(nibble);
        }
        self.at += 4;
        Ok(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, any length.
    fn scan_number(&mut self) -> Parsed<&'a str> {
        let start = self.at;
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Invalid),
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            self.at_least_one_digit()?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            self.at_least_one_digit()?;
        }
        Ok(&self.text[start..self.at])
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn at_least_one_digit(&mut self) -> Parsed<()> {
        if let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.digits();
            Ok(())
        } else {
            Err(Invalid)
        }
    }
}

/// Whether `text` is one JSON value by the rules above (used by the tests against `serde_json`).
pub fn is_valid_json(text: &str) -> bool {
    let mut parser = Parser::new(text);
    parser.skip().and_then(|()| parser.finish()).is_ok()
}
