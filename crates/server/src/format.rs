//! How values read in pages: Beijing time, role names, statuses.

/// UTC unix ms as `2026-12-01 09:30` in Beijing time (UTC+8, no daylight saving since 1991).
pub(crate) fn beijing_time(ms: i64) -> String {
    let date = domain::Date::of_instant(ms);
    let minutes = (ms - date.start_ms()).div_euclid(60_000);
    format!("{date} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// As [`beijing_time`], with seconds.
pub(crate) fn beijing_time_seconds(ms: i64) -> String {
    let seconds = (ms - domain::Date::of_instant(ms).start_ms()).div_euclid(1000);
    format!("{}:{:02}", beijing_time(ms), seconds % 60)
}

pub(crate) fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "待审核",
        "active" => "已通过",
        "rejected" => "已驳回",
        "disabled" => "已停用",
        "suspended" => "暂停交易",
        "barred" => "禁止参加交易",
        _ => "未知",
    }
}

pub(crate) fn visibility_label(visibility: &str) -> &'static str {
    match visibility {
        "public" => "公开",
        "parties" => "当事方可见",
        "supervision" => "仅监督可见",
        _ => "未知",
    }
}

pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "entity.registered" => "市场主体登记申请",
        "entity.approved" => "市场主体审核通过",
        "entity.rejected" => "市场主体登记驳回",
        "account.created" => "开设账号",
        "account.disabled" => "停用账号",
        "account.enabled" => "启用账号",
        "entity.qualifications_set" => "更新资质",
        "entity.bank_account_set" => "登记基本账户",
        "entity.suspended" => "暂停交易",
        "entity.barred" => "禁止参加交易",
        "entity.reinstated" => "恢复交易资格",
        "catalog.published" => "发布交易目录",
        "rules.published" => "发布规则集",
        "calendar.published" => "发布工作日历",
        _ => "其他事项",
    }
}

pub(crate) fn region_name(code: &str) -> &'static str {
    match code {
        "330000" => "浙江省",
        "330100" => "杭州市",
        "330200" => "宁波市",
        "330300" => "温州市",
        "330400" => "嘉兴市",
        "330500" => "湖州市",
        "330600" => "绍兴市",
        "330700" => "金华市",
        "330800" => "衢州市",
        "330900" => "舟山市",
        "331000" => "台州市",
        "331100" => "丽水市",
        "310000" => "上海市",
        "320000" => "江苏省",
        "340000" => "安徽省",
        _ => "",
    }
}

/// A threshold in words: money in 元, rates in per cent, counts as they are.
pub(crate) fn threshold_text(value: i64, unit: domain::Unit) -> String {
    match unit {
        domain::Unit::Fen => format!("{} 元", yuan(value)),
        domain::Unit::BasisPoints => {
            let whole = value / 100;
            let part = value % 100;
            if part == 0 {
                format!("{whole}%")
            } else {
                format!("{whole}.{part:02}%")
            }
        }
        domain::Unit::Count => value.to_string(),
    }
}

/// 分 as 元 with thousands separators: 80000000 → "800,000.00".
pub(crate) fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (idx, ch) in whole.chars().enumerate() {
        if idx > 0 && (whole.len() - idx).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

/// Reads a period from query words, with clear refusals.
pub(crate) fn parse_period_query(
    from: &str,
    days: u32,
    count: &str,
    kind: &str,
) -> Result<(domain::Date, domain::Period), crate::errors::ApiError> {
    use crate::errors::ApiError;
    let from = domain::Date::parse(from).map_err(|_| {
        ApiError::with_message("INVALID_DATE", "起算日期应为 YYYY-MM-DD 格式的真实日期")
    })?;
    let count = match count {
        "calendar_days" => domain::DayCount::CalendarDays,
        "working_days" => domain::DayCount::WorkingDays,
        _ => {
            return Err(ApiError::with_message(
                "INVALID_REQUEST",
                "计算方式应为 calendar_days（日）或 working_days（工作日）",
            ));
        }
    };
    let kind = match kind {
        "at_least_before" => domain::PeriodKind::AtLeastBefore,
        "not_less_than" => domain::PeriodKind::NotLessThan,
        "within_from" => domain::PeriodKind::WithinFrom,
        _ => {
            return Err(ApiError::with_message(
                "INVALID_REQUEST",
                "期间类型应为 at_least_before、not_less_than 或 within_from",
            ));
        }
    };
    if days == 0 || days > 3650 {
        return Err(ApiError::with_message(
            "INVALID_REQUEST",
            "天数应在1到3650之间",
        ));
    }
    Ok((from, domain::Period { days, count, kind }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_rates_read_as_people_write_them() {
        assert_eq!(yuan(80_000_000), "800,000.00");
        assert_eq!(yuan(12_345), "123.45");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(threshold_text(200, domain::Unit::BasisPoints), "2%");
        assert_eq!(threshold_text(1050, domain::Unit::BasisPoints), "10.50%");
        assert_eq!(threshold_text(3, domain::Unit::Count), "3");
    }

    #[test]
    fn beijing_time_of_known_instants() {
        assert_eq!(beijing_time(1_796_088_600_000), "2026-12-01 09:30");
        assert_eq!(beijing_time(0), "1970-01-01 08:00");
        assert_eq!(beijing_time(951_753_600_000), "2000-02-29 00:00");
    }
}
