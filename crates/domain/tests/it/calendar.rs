//! Dates, the working-day calendar and legal periods, over real dates of 2025 and 2026 with their
//! holidays and adjusted working weekends.

use domain::{Calendar, Date, DayCount, Period, PeriodKind, Weekday};
use proptest::prelude::*;

const DATA: &str = include_str!("../../../../data/calendar-cn.csv");

fn calendar() -> Calendar {
    Calendar::parse_csv(DATA).unwrap()
}

fn d(text: &str) -> Date {
    Date::parse(text).unwrap()
}

#[test]
fn dates_and_instants() {
    assert_eq!(d("2026-12-01").weekday(), Weekday::Tuesday);
    assert_eq!(d("2024-02-29").ymd(), (2024, 2, 29));
    assert_eq!(d("1970-01-01").weekday(), Weekday::Thursday);
    for bad in [
        "2026-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-1-01",
        "20261201",
        "2026-12-32",
        "",
    ] {
        assert_eq!(
            Date::parse(bad).unwrap_err().code(),
            "INVALID_DATE",
            "{bad}"
        );
    }
    // 2026-12-01 09:30 Beijing time.
    assert_eq!(Date::of_instant(1_796_088_600_000), d("2026-12-01"));
    assert_eq!(d("2026-12-01").start_ms(), 1_796_054_400_000);
    assert_eq!(d("2026-12-01").end_ms(), d("2026-12-02").start_ms());
    assert_eq!(
        Date::of_instant(d("2026-12-01").end_ms() - 1),
        d("2026-12-01")
    );
    assert_eq!(d("2026-12-01").days_until(d("2026-12-21")), 20);
}

#[test]
fn working_days_of_2025_and_2026() {
    let cal = calendar();
    let cases = [
        ("2025-01-01", false, "元旦"),
        ("2025-01-26", true, "Sunday made a working day"),
        ("2025-02-04", false, "春节"),
        ("2025-02-08", true, "Saturday made a working day"),
        ("2025-10-08", false, "国庆 on a Wednesday"),
        ("2025-10-11", true, "Saturday made a working day"),
        ("2026-01-02", false, "元旦 on a Friday"),
        ("2026-01-04", true, "Sunday made a working day"),
        ("2026-02-14", true, "Saturday made a working day"),
        ("2026-02-16", false, "春节 on a Monday"),
        ("2026-02-28", true, "Saturday made a working day"),
        ("2026-03-02", true, "an ordinary Monday"),
        ("2026-03-07", false, "an ordinary Saturday"),
        ("2026-06-19", false, "端午 on a Friday"),
        ("2026-10-08", true, "the Thursday after 国庆"),
        ("2026-10-10", true, "Saturday made a working day"),
        ("2026-12-01", true, "an ordinary Tuesday"),
    ];
    for (date, working, why) in cases {
        assert_eq!(cal.is_working_day(d(date)), working, "{date}: {why}");
    }
    assert_eq!(cal.holiday_name(d("2026-02-17")), Some("春节"));
    assert!(cal.covers(d("2026-06-01")) && !cal.covers(d("2027-06-01")));
    // A day computed across an uncovered year is provisional, in either direction.
    assert!(cal.covers_range(d("2025-12-20"), d("2026-01-09")));
    assert!(!cal.covers_range(d("2026-12-20"), d("2027-01-09")));
    assert!(!cal.covers_range(d("2027-01-09"), d("2026-12-20")));
    assert!(!cal.covers_range(d("2024-12-20"), d("2025-01-09")));
    assert_eq!(cal.last_covered_day(), Some(d("2026-12-31")));
}

#[test]
fn adding_working_days() {
    let cal = calendar();
    let cases = [
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-12-04", 1, "2026-12-07"),
        ("2026-12-01", 0, "2026-12-01"),
        ("2025-09-26", 1, "2025-09-28"),
    ];
    for (start, n, expected) in cases {
        assert_eq!(
            cal.add_working_days(d(start), n),
            d(expected),
            "{start} + {n} working days"
        );
        if cal.is_working_day(d(start)) {
            assert_eq!(
                cal.sub_working_days(d(expected), n),
                d(start),
                "{expected} - {n} working days"
            );
        }
    }
    assert_eq!(cal.sub_working_days(d("2026-02-24"), 1), d("2026-02-14"));
    assert_eq!(
        cal.working_days_between(d("2026-02-13"), d("2026-02-24")),
        2
    );
}

/// (what, period, anchor, expected decisive day)
type PeriodCase = (&'static str, Period, &'static str, &'static str);

const fn period(days: u32, count: DayCount, kind: PeriodKind) -> Period {
    Period { days, count, kind }
}

#[test]
fn legal_periods_on_real_dates() {
    use DayCount::*;
    use PeriodKind::*;
    let cal = calendar();
    let cases: &[PeriodCase] = &[
        (
            "reply to an objection within 3日, ordinary week",
            period(3, CalendarDays, WithinFrom),
            "2026-12-01",
            "2026-12-04",
        ),
        (
            "within 3日 ending in 国庆 moves past the holiday",
            period(3, CalendarDays, WithinFrom),
            "2026-09-30",
            "2026-10-08",
        ),
        (
            "within 5日 ending on a Sunday moves to Monday",
            period(5, CalendarDays, WithinFrom),
            "2026-12-01",
            "2026-12-07",
        ),
        (
            "within 5日 ending on an adjusted Saturday stays",
            period(5, CalendarDays, WithinFrom),
            "2026-10-05",
            "2026-10-10",
        ),
        (
            "within 5 working days across 春节 and 调休",
            period(5, WorkingDays, WithinFrom),
            "2026-02-12",
            "2026-02-26",
        ),
        (
            "bid deadline not less than 20日 after issue",
            period(20, CalendarDays, NotLessThan),
            "2026-12-01",
            "2026-12-21",
        ),
        (
            "not less than 20日 ending on a Saturday runs to Monday (第203条)",
            period(20, CalendarDays, NotLessThan),
            "2026-12-06",
            "2026-12-28",
        ),
        (
            "not less than 20日 ending in 国庆 runs to the first working day after it",
            period(20, CalendarDays, NotLessThan),
            "2026-09-11",
            "2026-10-08",
        ),
        (
            "not less than 20日 beyond the calendar: weekends only",
            period(20, CalendarDays, NotLessThan),
            "2027-06-07",
            "2027-06-28",
        ),
        (
            "not less than 5 working days over 元旦",
            period(5, WorkingDays, NotLessThan),
            "2025-12-29",
            "2026-01-06",
        ),
        (
            "clarification at least 15日 before the deadline",
            period(15, CalendarDays, AtLeastBefore),
            "2026-12-21",
            "2026-12-06",
        ),
        (
            "at least 3 working days before, across 国庆",
            period(3, WorkingDays, AtLeastBefore),
            "2026-10-09",
            "2026-09-29",
        ),
    ];
    for (what, period, anchor, expected) in cases {
        assert_eq!(period.apply(d(anchor), &cal), d(expected), "{what}");
    }
    assert_eq!(
        period(20, CalendarDays, NotLessThan).describe_zh(),
        "不得少于20日"
    );
    assert_eq!(
        period(15, CalendarDays, AtLeastBefore).describe_zh(),
        "至少15日前"
    );
    assert_eq!(
        period(5, WorkingDays, WithinFrom).describe_zh(),
        "自起算之日起5个工作日内"
    );
}

#[test]
fn bad_calendar_files_are_refused_with_the_line() {
    let header = "# comment\ndate,kind,name\n";
    let cases = [
        (
            "2026-01-01,holiday,元旦\n2026-01-01,holiday,元旦\n",
            4,
            "重复",
        ),
        ("2026-01-05,workday,调休\n", 3, "星期一"),
        ("2026-01-05,day-off,调休\n", 3, "类型"),
        ("2026-02-30,holiday,x\n", 3, "日期无效"),
        ("2026-01-01,holiday\n", 3, "三列"),
        ("2026-01-01,holiday,\n", 3, "名称"),
    ];
    for (body, line, reason) in cases {
        let error = Calendar::parse_csv(&format!("{header}{body}")).unwrap_err();
        assert_eq!(error.code(), "DATA_FILE_INVALID");
        let text = error.to_string();
        assert!(
            text.contains(&format!("第{line}行")) && text.contains(reason),
            "{body:?}: {text}"
        );
    }
    assert!(Calendar::parse_csv("date,kind\n").is_err());
    assert!(Calendar::parse_csv("").is_err());
}

#[test]
fn the_calendar_round_trips_through_its_entries() {
    let cal = calendar();
    let entries = cal.entries();
    assert_eq!(entries.len(), 72);
    let again = Calendar::new(&entries, |i| i + 1).unwrap();
    assert_eq!(again, cal);
}

proptest! {
    #[test]
    fn working_day_arithmetic_is_consistent(offset in 0i64..700, n in 0u32..40) {
        let cal = calendar();
        let start = cal.working_day_on_or_after(d("2025-01-01").add_days(offset));
        let end = cal.add_working_days(start, n);
        prop_assert!(cal.is_working_day(end));
        prop_assert_eq!(cal.working_days_between(start, end), n);
        prop_assert_eq!(cal.sub_working_days(end, n), start);
    }

    #[test]
    fn dates_round_trip(days in -20_000i64..60_000) {
        let date = d("1970-01-01").add_days(days);
        let (y, m, day) = date.ymd();
        if (1900..=2200).contains(&y) {
            prop_assert_eq!(Date::from_ymd(y, m, day).unwrap(), date);
            prop_assert_eq!(Date::parse(&date.to_string()).unwrap(), date);
        }
    }
}
