//! The working-day calendar: statutory holidays (放假) and adjusted working days (调休上班) as
//! data, and the period arithmetic of 民法典 第201–203条 on top of it.
//!
//! A working day is a Monday–Friday that is not a holiday, or an adjusted working day (a weekend
//! day made a working day). Source of the data: the State Council's yearly notice
//! (国务院办公厅关于部分节假日安排的通知); `rules-cn.md` §11.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Date, DomainError};

/// What a calendar entry says about a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayRule {
    /// 法定节假日 / 放假: not a working day.
    Holiday { name: String },
    /// 调休上班: a weekend day that is a working day.
    Workday { name: String },
}

/// One line of the calendar data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub date: Date,
    #[serde(flatten)]
    pub rule: DayRule,
}

/// The calendar: which days are working days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeMap<Date, String>,
    workdays: BTreeMap<Date, String>,
    years: BTreeSet<i64>,
}

fn data_error(line: usize, reason: impl Into<String>) -> DomainError {
    DomainError::DataFile {
        line,
        reason: reason.into(),
    }
}

impl Calendar {
    /// Builds a calendar, refusing a date listed twice and an adjusted working day that is not a
    /// weekend day. `line_of(i)` names the source line of entry `i` in refusals.
    pub fn new(
        entries: &[CalendarEntry],
        line_of: impl Fn(usize) -> usize,
    ) -> Result<Self, DomainError> {
        let mut calendar = Self::default();
        for (idx, entry) in entries.iter().enumerate() {
            let line = line_of(idx);
            if calendar.holidays.contains_key(&entry.date)
                || calendar.workdays.contains_key(&entry.date)
            {
                return Err(data_error(line, format!("日期 {} 重复出现", entry.date)));
            }
            match &entry.rule {
                DayRule::Holiday { name } => {
                    calendar.holidays.insert(entry.date, name.clone());
                }
                DayRule::Workday { name } => {
                    if !entry.date.weekday().is_weekend() {
                        return Err(data_error(
                            line,
                            format!(
                                "调休上班日 {} 是{}，只有周六或周日才能调为上班",
                                entry.date,
                                entry.date.weekday().label_zh()
                            ),
                        ));
                    }
                    calendar.workdays.insert(entry.date, name.clone());
                }
            }
            calendar.years.insert(entry.date.year());
        }
        Ok(calendar)
    }

    /// Parses the CSV data file: a header `date,kind,name`, then one line per day with `kind`
    /// `holiday` or `workday`. Blank lines and lines starting with `#` are ignored.
    pub fn parse_csv(text: &str) -> Result<Self, DomainError> {
        let (entries, lines) = parse_entries(text)?;
        Self::new(&entries, |idx| lines[idx])
    }

    /// The entries, in date order (for pages and for writing the file back).
    pub fn entries(&self) -> Vec<CalendarEntry> {
        let mut out: Vec<CalendarEntry> = self
            .holidays
            .iter()
            .map(|(date, name)| CalendarEntry {
                date: *date,
                rule: DayRule::Holiday { name: name.clone() },
            })
            .chain(self.workdays.iter().map(|(date, name)| CalendarEntry {
                date: *date,
                rule: DayRule::Workday { name: name.clone() },
            }))
            .collect();
        out.sort_by_key(|entry| entry.date);
        out
    }

    /// The years the data covers; outside them only weekends are known to be rest days.
    pub fn years(&self) -> &BTreeSet<i64> {
        &self.years
    }

    pub fn covers(&self, date: Date) -> bool {
        self.years.contains(&date.year())
    }

    /// Whether the data covers every day from `from` to `to` (inclusive, in either order). A day
    /// computed across a year the data does not cover is **provisional**: beyond the calendar
    /// only weekends are known to be rest days, so the State Council's notice for that year may
    /// still move it (the platform goes on computing with weekends only, and says so).
    pub fn covers_range(&self, from: Date, to: Date) -> bool {
        let (low, high) = if from <= to { (from, to) } else { (to, from) };
        (low.year()..=high.year()).all(|year| self.years.contains(&year))
    }

    /// The last day the data covers, if any.
    pub fn last_covered_day(&self) -> Option<Date> {
        let year = *self.years.iter().next_back()?;
        Date::parse(&format!("{year:04}-12-31")).ok()
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        if self.workdays.contains_key(&date) {
            return true;
        }
        !date.weekday().is_weekend() && !self.holidays.contains_key(&date)
    }

    /// The holiday's name, if the date is one.
    pub fn holiday_name(&self, date: Date) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// `date` itself if it is a working day, else the next working day.
    pub fn working_day_on_or_after(&self, date: Date) -> Date {
        let mut day = date;
        while !self.is_working_day(day) {
            day = day.add_days(1);
        }
        day
    }

    /// The `n`th working day after `date` (the start day is not counted). `n = 0` gives `date`.
    pub fn add_working_days(&self, date: Date, n: u32) -> Date {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.add_days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The `n`th working day before `date`. `n = 0` gives `date`.
    pub fn sub_working_days(&self, date: Date, n: u32) -> Date {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.add_days(-1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`: after `from`, up to and including `to`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day.add_days(1);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

/// Parses calendar CSV lines; returns the entries and the 1-based line number of each.
pub fn parse_entries(text: &str) -> Result<(Vec<CalendarEntry>, Vec<usize>), DomainError> {
    let mut entries = Vec::new();
    let mut lines = Vec::new();
    let mut header_seen = false;
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if !header_seen {
            if content.replace(' ', "") != "date,kind,name" {
                return Err(data_error(line, "第一行应为表头 date,kind,name"));
            }
            header_seen = true;
            continue;
        }
        let fields: Vec<&str> = content.splitn(3, ',').map(str::trim).collect();
        if fields.len() != 3 {
            return Err(data_error(line, "每行应有三列：日期,类型,名称"));
        }
        let date = Date::parse(fields[0])
            .map_err(|_| data_error(line, format!("日期无效：{}", fields[0])))?;
        let name = fields[2].to_string();
        if name.is_empty() {
            return Err(data_error(line, "名称不能为空"));
        }
        let rule = match fields[1] {
            "holiday" => DayRule::Holiday { name },
            "workday" => DayRule::Workday { name },
            other => {
                return Err(data_error(
                    line,
                    format!("类型应为 holiday（放假）或 workday（调休上班），不是 {other}"),
                ));
            }
        };
        entries.push(CalendarEntry { date, rule });
        lines.push(line);
    }
    if !header_seen {
        return Err(data_error(1, "文件为空"));
    }
    Ok((entries, lines))
}
