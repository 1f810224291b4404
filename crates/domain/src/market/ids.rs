//! Validated identifiers: 统一社会信用代码 (GB 32100-2015), 居民身份证号码 (GB 11643-1999),
//! 行政区划代码 (GB/T 2260). A value of these types exists only if it is valid.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

/// The 31 characters of GB 32100 (no I, O, S, V, Z); a character's value is its index.
const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Wᵢ = 3^(i−1) mod 31 (rules-cn.md §1.1).
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// 2^(17−i) mod 11 (GB 11643, rules-cn.md §1.3).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// GB/T 2260 province-level codes (the first two digits of a region code), with 71 台湾 and
/// 81/82/83 (香港, 澳门, and 830000 of the residence permits for Hong Kong, Macao and Taiwan
/// residents).
const PROVINCE_CODES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82", "83",
];
/// GB 11714 weights of the organisation code's eight body characters.
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

macro_rules! string_newtype {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = DomainError;
            fn try_from(text: &str) -> Result<Self, DomainError> {
                Self::parse(text)
            }
        }
    };
}

/// 统一社会信用代码: the 18-character Unified Social Credit Code of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);
string_newtype!(Uscc);

impl Uscc {
    /// Parses a code, upper-casing it and checking length, alphabet and check character.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let code = text.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(DomainError::UsccLength);
        }
        let values: Vec<u32> = code
            .bytes()
            .map(|byte| {
                USCC_CHARSET
                    .iter()
                    .position(|c| *c == byte)
                    .map(|idx| idx as u32)
            })
            .collect::<Option<_>>()
            .ok_or(DomainError::UsccCharset)?;
        // Positions 3–8 are a GB/T 2260 region code: digits only.
        if values[2..8].iter().any(|value| *value > 9) {
            return Err(DomainError::UsccCharset);
        }
        if Self::check_value(&values[..17]) != values[17] {
            return Err(DomainError::UsccCheckChar);
        }
        Ok(Self(code))
    }

    /// The check character for a 17-character prefix, if the prefix uses the code's alphabet.
    pub fn check_char_for(prefix: &str) -> Option<char> {
        let values: Vec<u32> = prefix
            .bytes()
            .map(|b| USCC_CHARSET.iter().position(|c| *c == b).map(|i| i as u32))
            .collect::<Option<_>>()?;
        (values.len() == 17).then(|| USCC_CHARSET[Self::check_value(&values) as usize] as char)
    }

    fn check_value(values: &[u32]) -> u32 {
        let sum: u32 = values
            .iter()
            .zip(USCC_WEIGHTS)
            .map(|(value, weight)| value * weight)
            .sum();
        (31 - sum % 31) % 31
    }

    /// The registration authority's region (positions 3–8).
    pub fn region(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17 carry the organisation's GB 11714 organisation code, whose last character
    /// is its own check digit. A code whose USCC check character is right but whose embedded
    /// check digit is wrong is still accepted (some were issued so), but it is likely a typing
    /// error: this says why, for the reviewer to see.
    pub fn organisation_code_warning(&self) -> Option<String> {
        let body = &self.0.as_bytes()[8..16];
        let value = |b: u8| -> Option<u32> {
            match b {
                b'0'..=b'9' => Some(u32::from(b - b'0')),
                b'A'..=b'Z' => Some(u32::from(b - b'A') + 10),
                _ => None,
            }
        };
        let values: Option<Vec<u32>> = body.iter().map(|b| value(*b)).collect();
        let Some(values) = values else {
            return Some("内嵌的组织机构代码含有不允许的字符".into());
        };
        let sum: u32 = values
            .iter()
            .zip(ORG_CODE_WEIGHTS)
            .map(|(v, w)| v * w)
            .sum();
        let expected = match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            n => char::from_digit(n, 10).unwrap_or('?'),
        };
        let actual = self.0.as_bytes()[16] as char;
        (actual != expected).then(|| {
            format!(
                "内嵌的组织机构代码（第9–17位 {}）校验码应为 {expected}，实为 {actual}，请核对是否录入有误",
                &self.0[8..17]
            )
        })
    }
}

/// 居民身份证号码: an 18-character resident identity number.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);
string_newtype!(IdNumber);

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data stays out of logs.
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let code = text.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(DomainError::IdNumberLength);
        }
        let bytes = code.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(DomainError::IdNumberFormat);
        }
        let digit = |idx: usize| u32::from(bytes[idx] - b'0');
        let number =
            |range: std::ops::Range<usize>| range.fold(0, |acc, idx| acc * 10 + digit(idx));
        let (year, month, day) = (number(6..10), number(10..12), number(12..14));
        if !(1900..=2100).contains(&year) || !is_valid_date(year, month, day) {
            return Err(DomainError::IdNumberBirthDate);
        }
        let sum: u32 = (0..17).map(|idx| digit(idx) * ID_WEIGHTS[idx]).sum();
        if ID_CHECK_CHARS[(sum % 11) as usize] != bytes[17] {
            return Err(DomainError::IdNumberCheckDigit);
        }
        Ok(Self(code))
    }

    /// Parses a number presented on `today` (a registration, an import): besides `parse`, the
    /// birth date may not be after `today`, and the first two digits must name a
    /// province-level division of GB/T 2260 (all of them, present and past: a number keeps the
    /// county code it was issued under, even after that county was merged or renamed; the
    /// county level itself is not checked, for want of the complete historical list), or be
    /// `9`, the 2023 foreigner's permanent-residence card.
    pub fn parse_on(text: &str, today: crate::Date) -> Result<Self, DomainError> {
        let id = Self::parse(text)?;
        let province = &id.0[..2];
        if !PROVINCE_CODES.contains(&province) && !province.starts_with('9') {
            return Err(DomainError::IdNumberRegion);
        }
        if id.birth_date()? > today {
            return Err(DomainError::IdNumberBirthDate);
        }
        Ok(id)
    }

    /// The birth date the number carries (positions 7–14).
    pub fn birth_date(&self) -> Result<crate::Date, DomainError> {
        let number = |range: std::ops::Range<usize>| self.0[range].parse::<u32>().unwrap_or(0);
        crate::Date::from_ymd(i64::from(number(6..10)), number(10..12), number(12..14))
            .map_err(|_| DomainError::IdNumberBirthDate)
    }

    /// The number with the birth date and sequence hidden: `110105********002X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// Masks the personal numbers in a free text: every valid 居民身份证号码 (`110105********002X`)
/// and every mainland mobile number (11 digits from `13`–`19`: `138****5678`), wherever they
/// stand; other text is kept. Returns the text and whether anything was masked.
pub fn mask_personal_numbers(text: &str) -> (String, bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut masked = false;
    let mut i = 0;
    while i < chars.len() {
        let starts_number =
            chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric());
        if starts_number {
            let run: usize = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == 'X' || **c == 'x')
                .count();
            let candidate: String = chars[i..i + run].iter().collect();
            // A number ends where the word does: digits running on into letters are part of
            // something else (a hex digest, a code), not an ID number or a mobile.
            let ends = chars
                .get(i + run)
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            if !ends {
                out.push_str(&candidate);
                i += run.max(1);
                continue;
            }
            if run == 18
                && let Ok(id) = IdNumber::parse(&candidate)
            {
                out.push_str(&id.masked());
                masked = true;
                i += run;
                continue;
            }
            if run == 11
                && candidate.starts_with('1')
                && matches!(chars[i + 1], '3'..='9')
                && candidate.chars().all(|c| c.is_ascii_digit())
            {
                out.push_str(&format!("{}****{}", &candidate[..3], &candidate[7..]));
                masked = true;
                i += run;
                continue;
            }
            out.push_str(&candidate);
            i += run.max(1);
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    (out, masked)
}

fn is_valid_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// 行政区划代码 (GB/T 2260): six digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);
string_newtype!(RegionCode);

impl RegionCode {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let code = text.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with('0') {
            Ok(Self(code.to_string()))
        } else {
            Err(DomainError::RegionCode)
        }
    }
}

/// The platform's id of a market entity: its USCC for an organisation, or `P` followed by a
/// keyed digest of the ID number for a natural person (so personal numbers never appear in stream
/// names, which are public).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntityId(pub String);

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EntityId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl EntityId {
    /// The ledger stream of this entity.
    pub fn stream(&self) -> String {
        format!("entity/{}", self.0)
    }
}
