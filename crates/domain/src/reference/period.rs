//! Periods as the law words them, computed on the working-day calendar (民法典 第201–203条):
//! the start day is not counted; a period in 日 whose last day is a rest day ends on the next
//! working day — for every wording that counts forward to a last day, the window "自…之日起N日内"
//! and the minimum span "不得少于N日" alike (第203条 speaks of "期间的最后一日", whatever the
//! wording); a period in 工作日 counts working days only. "至少N日前" counts backwards from a
//! later moment and is `moment − N` (`rules-cn.md` §0): an act may always be done earlier.
//!
//! Beyond the years the calendar covers only weekends are rest days; such a result is
//! provisional (`Calendar::covers_range`) and is re-checked when that year's calendar is published.

use serde::{Deserialize, Serialize};

use crate::{Calendar, Date};

/// How days are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// 日 — calendar days.
    CalendarDays,
    /// 工作日 — working days.
    WorkingDays,
}

/// The legal wording of a period, which decides how it is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// "至少N日前" — an act must happen at least N days before a later moment.
    AtLeastBefore,
    /// "不得少于N日" — a span must last at least N days.
    NotLessThan,
    /// "自…之日起N日内" — an act must happen within N days from a moment.
    WithinFrom,
}

/// A period of a rule set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub days: u32,
    pub count: DayCount,
    pub kind: PeriodKind,
}

impl Period {
    /// "自…之日起N日内": the last day of the window opened on `start`. In 日, a last day that is
    /// a rest day moves to the next working day (民法典 第203条).
    pub fn window_end(&self, start: Date, calendar: &Calendar) -> Date {
        match self.count {
            DayCount::CalendarDays => {
                calendar.working_day_on_or_after(start.add_days(i64::from(self.days)))
            }
            DayCount::WorkingDays => calendar.add_working_days(start, self.days),
        }
    }

    /// "不得少于N日": the earliest day on which a span begun on `start` may end. In 日, a last
    /// day that is a rest day moves to the next working day (民法典 第203条): a bid deadline
    /// "不得少于二十日" after issue that would fall on a Sunday is at the earliest on Monday.
    pub fn earliest_end(&self, start: Date, calendar: &Calendar) -> Date {
        match self.count {
            DayCount::CalendarDays => {
                calendar.working_day_on_or_after(start.add_days(i64::from(self.days)))
            }
            DayCount::WorkingDays => calendar.add_working_days(start, self.days),
        }
    }

    /// "至少N日前": the last day on which an act may happen before the moment on `deadline`.
    pub fn latest_before(&self, deadline: Date, calendar: &Calendar) -> Date {
        match self.count {
            DayCount::CalendarDays => deadline.add_days(-i64::from(self.days)),
            DayCount::WorkingDays => calendar.sub_working_days(deadline, self.days),
        }
    }

    /// The day this period's wording makes decisive for a moment on `anchor`: the window's end
    /// for "within", the earliest end for "not less than", the latest day for "at least before".
    pub fn apply(&self, anchor: Date, calendar: &Calendar) -> Date {
        match self.kind {
            PeriodKind::WithinFrom => self.window_end(anchor, calendar),
            PeriodKind::NotLessThan => self.earliest_end(anchor, calendar),
            PeriodKind::AtLeastBefore => self.latest_before(anchor, calendar),
        }
    }

    /// Chinese wording, e.g. "不得少于20日".
    pub fn describe_zh(&self) -> String {
        let unit = match self.count {
            DayCount::CalendarDays => "日",
            DayCount::WorkingDays => "个工作日",
        };
        match self.kind {
            PeriodKind::AtLeastBefore => format!("至少{}{}前", self.days, unit),
            PeriodKind::NotLessThan => format!("不得少于{}{}", self.days, unit),
            PeriodKind::WithinFrom => format!("自起算之日起{}{}内", self.days, unit),
        }
    }
}
