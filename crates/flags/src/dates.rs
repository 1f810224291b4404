//! RFC 3339 timestamps and the whole days between two of them, as cardinal computes them with
//! `chrono::DateTime::parse_from_rfc3339` and `TimeDelta::num_days`.
//!
//! Accepted: `YYYY-MM-DD`, then `T`, `t` or a space, `hh:mm:ss`, an optional fraction of any
//! number of digits (those after the ninth ignored), and `Z`, `z` or an offset `±hh:mm` below 24
//! hours (the sign may also be U+2212 MINUS SIGN). The date must exist; a second of `60` is a leap
//! second, kept the way chrono keeps it. Whole days are truncated toward zero.

/// An instant: days since 1970-01-01 (UTC), the second of that day, and chrono's nanosecond
/// field (at or above one billion during a leap second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant {
    days: i64,
    second: i64,
    nanosecond: i64,
}

pub(crate) fn parse_rfc3339(text: &str) -> Option<Instant> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 {
        return None;
    }
    let digit = |index: usize| -> Option<i64> {
        let byte = bytes[index];
        byte.is_ascii_digit().then(|| i64::from(byte - b'0'))
    };
    let two = |index: usize| -> Option<i64> { Some(digit(index)? * 10 + digit(index + 1)?) };
    let year = two(0)? * 100 + two(2)?;
    if bytes[4] != b'-' {
        return None;
    }
    let month = two(5)?;
    if bytes[7] != b'-' {
        return None;
    }
    let day = two(8)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let hour = two(11)?;
    if bytes[13] != b':' {
        return None;
    }
    let minute = two(14)?;
    if bytes[16] != b':' {
        return None;
    }
    let mut second = two(17)?;
    let mut nanosecond = 0;
    if second == 60 {
        second = 59;
        nanosecond = 1_000_000_000;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = digits.min(9);
        let mut value: i64 = fraction[..kept].parse().ok()?;
        for _ in kept..9 {
            value *= 10;
        }
        nanosecond += value;
        rest = &fraction[digits..];
    }
    if hour >= 24 || minute >= 60 || second >= 60 {
        return None;
    }
    let offset = offset_seconds(rest)?;

    let local_second = hour * 3600 + minute * 60 + second;
    let shifted = local_second - offset;
    let days = days_from_civil(year, month, day) + shifted.div_euclid(86_400);
    Some(Instant {
        days,
        second: shifted.rem_euclid(86_400),
        nanosecond,
    })
}

/// `Z`, `z` or `±hh:mm` (hours 00–23, minutes 00–59), and nothing after it.
fn offset_seconds(text: &str) -> Option<i64> {
    if text == "Z" || text == "z" {
        return Some(0);
    }
    let (negative, rest) = if let Some(rest) = text.strip_prefix('+') {
        (false, rest)
    } else if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = text.strip_prefix('\u{2212}') {
        (true, rest)
    } else {
        return None;
    };
    let bytes = rest.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let number = |index: usize| -> Option<i64> {
        let (high, low) = (bytes[index], bytes[index + 1]);
        (high.is_ascii_digit() && low.is_ascii_digit())
            .then(|| i64::from(high - b'0') * 10 + i64::from(low - b'0'))
    };
    let hours = number(0)?;
    let minutes = number(3)?;
    if minutes >= 60 {
        return None;
    }
    let seconds = hours * 3600 + minutes * 60;
    // chrono's `FixedOffset::east_opt` refuses a whole day or more.
    if seconds >= 86_400 {
        return None;
    }
    Some(if negative { -seconds } else { seconds })
}

/// `(end - start).num_days()` in chrono.
pub(crate) fn whole_days_between(start: Instant, end: Instant) -> i64 {
    let mut seconds = end.second - start.second;
    // chrono's `NaiveTime::signed_duration_since`: a leap second not yet counted.
    if end.second > start.second && start.nanosecond >= 1_000_000_000 {
        seconds += 1;
    } else if end.second < start.second && end.nanosecond >= 1_000_000_000 {
        seconds -= 1;
    }
    let fraction = end.nanosecond - start.nanosecond;
    let total_seconds =
        (end.days - start.days) * 86_400 + seconds + fraction.div_euclid(1_000_000_000);
    let nanoseconds = fraction.rem_euclid(1_000_000_000);
    // `TimeDelta::num_seconds` rounds toward zero; `num_days` divides, truncating.
    let whole_seconds = if total_seconds < 0 && nanoseconds > 0 {
        total_seconds + 1
    } else {
        total_seconds
    };
    whole_seconds / 86_400
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
