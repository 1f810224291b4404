//! Civil dates in Beijing time (Asia/Shanghai, UTC+8 without daylight saving since 1991), and the
//! instants that bound them. Instants are UTC unix milliseconds everywhere else in the platform.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

/// Beijing time's offset from UTC, in milliseconds.
pub const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// A day of the proleptic Gregorian calendar.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Days since 1970-01-01.
    days: i64,
}

/// Monday is 1, Sunday is 7 (ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    Monday = 1,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Weekday::Monday => "星期一",
            Weekday::Tuesday => "星期二",
            Weekday::Wednesday => "星期三",
            Weekday::Thursday => "星期四",
            Weekday::Friday => "星期五",
            Weekday::Saturday => "星期六",
            Weekday::Sunday => "星期日",
        }
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date with this year, month and day, if it exists.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Result<Self, DomainError> {
        if !(1900..=2200).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(DomainError::InvalidDate);
        }
        // H. Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Ok(Self {
            days: era * 146_097 + doe - 719_468,
        })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DomainError::InvalidDate);
        }
        let number = |range: std::ops::Range<usize>| -> Result<i64, DomainError> {
            text[range]
                .parse::<u32>()
                .map(i64::from)
                .map_err(|_| DomainError::InvalidDate)
        };
        Self::from_ymd(number(0..4)?, number(5..7)? as u32, number(8..10)? as u32)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (yoe + era * 400 + i64::from(month <= 2), month, day)
    }

    pub fn year(self) -> i64 {
        self.ymd().0
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.days + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    pub fn add_days(self, days: i64) -> Self {
        Self {
            days: self.days + days,
        }
    }

    /// The same day `months` calendar months later; a day the month lacks becomes its last
    /// (2026-01-31 plus one month is 2026-02-28), as a period "N个月" ends (民法典 第202条).
    pub fn add_months(self, months: u32) -> Self {
        let (year, month, day) = self.ymd();
        let index = year * 12 + i64::from(month) - 1 + i64::from(months);
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        let mut day = day;
        loop {
            if let Ok(date) = Self::from_ymd(year, month, day) {
                return date;
            }
            day -= 1;
        }
    }

    /// Whole days from `self` to `other` (negative if `other` is earlier).
    pub fn days_until(self, other: Date) -> i64 {
        other.days - self.days
    }

    /// The Beijing date of an instant.
    pub fn of_instant(ms: i64) -> Self {
        Self {
            days: (ms + BEIJING_OFFSET_MS).div_euclid(DAY_MS),
        }
    }

    /// The instant the day starts (00:00 Beijing time).
    pub fn start_ms(self) -> i64 {
        self.days * DAY_MS - BEIJING_OFFSET_MS
    }

    /// The day whose end (24:00, as `end_ms` gives it) is the instant `ms`: a due instant stored
    /// as a day's end belongs to that day, not to the next one it coincides with.
    pub fn of_day_end(ms: i64) -> Self {
        Self::of_instant(ms - 1)
    }

    /// The instant the day ends (24:00 Beijing time, 民法典 第203条), i.e. the next day's start.
    pub fn end_ms(self) -> i64 {
        self.add_days(1).start_ms()
    }
}

/// An instant as Beijing time to the minute, e.g. `2026-12-01 09:30` (the one formatter of times).
pub fn format_beijing_ms(ms: i64) -> String {
    let date = Date::of_instant(ms);
    let minutes = (ms - date.start_ms()).div_euclid(60_000);
    format!("{date} {:02}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}
