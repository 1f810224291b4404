//! How values read in pages: Beijing time, role names, statuses.

/// UTC unix ms as `2026-12-01 09:30` in Beijing time (UTC+8, no daylight saving since 1991).
pub(crate) fn beijing_time(ms: i64) -> String {
    app::format_beijing_minute(ms)
}

/// UTC unix ms as the day in Beijing time, `2026-12-01`.
pub(crate) fn beijing_date(ms: i64) -> String {
    domain::Date::of_instant(ms).to_string()
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

/// [`kind_label`] for an act of a procedure of `rule_category`: government procurement has no
/// 中标候选人公示 (87号令 第68–69条); the same step confirms the report's candidates before the
/// purchaser decides.
pub(crate) fn procedure_kind_label(kind: &str, rule_category: &str) -> &'static str {
    match (kind, rule_category) {
        ("procedure.candidates_publicised", "procurement") => "确认中标（成交）候选人",
        _ => kind_label(kind),
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
        "trust.published" => "发布信任根证书",
        "procedure.drafted" => "起草招标项目",
        "procedure.draft_edited" => "修改项目草稿",
        "procedure.documents_attached" => "上传招标文件",
        "procedure.published" => "发布招标公告",
        "procedure.amended" => "澄清或修改",
        "procedure.opening_started" => "启动开标",
        "procedure.lot_failed" => "流标",
        "procedure.partial_accepted" => "密钥持有人提交解密份额",
        "procedure.lot_opened" => "开标完成",
        "procedure.lot_suspended" => "暂停标段",
        "procedure.lot_resumed" => "恢复标段",
        "procedure.terminated" => "终止项目",
        "procedure.evaluation_started" => "开始评标",
        "procedure.lot_evaluated" => "评标结束",
        "procedure.candidates_publicised" => "中标候选人公示",
        "procedure.objection_raised" => "收到异议",
        "procedure.objection_answered" => "答复异议",
        "procedure.awarded" => "确定中标人",
        "procedure.contract_recorded" => "合同订立",
        "procedure.performance_recorded" => "合同履约",
        "procedure.lot_completed" => "标段完成",
        "announcement.published" => "发布公告",
        "bid.registered" => "投标报名",
        "bid.documents_downloaded" => "下载招标文件",
        "bid.submitted" => "递交投标文件",
        "bid.withdrawn" => "撤回投标文件",
        "ceremony.opened" => "发起开标密钥仪式",
        "ceremony.joined" => "密钥持有人加入",
        "ceremony.dealt" => "密钥持有人交换份额",
        "ceremony.confirmed" => "密钥持有人确认份额",
        "ceremony.completed" => "开标密钥生成",
        "ceremony.failed" => "密钥仪式失败",
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
    app::yuan(fen)
}

/// 分 as an amount in 元 with thousands separators: 123456789 → "1,234,567.89 元".
pub(crate) fn yuan_text(fen: i64) -> String {
    format!("{} 元", yuan(fen))
}

/// An amount typed in 元 ("1,234,567.89", "1234567.8 元", "500") as 分; `None` unless it is a
/// non-negative amount with at most two decimals.
pub(crate) fn parse_yuan(text: &str) -> Option<i64> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('元')
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
        .collect();
    let (whole, part) = match cleaned.split_once('.') {
        Some((whole, part)) => (whole, part),
        None => (cleaned.as_str(), ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 13 || part.len() > 2 || !digits(whole) || !digits(part) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let part: i64 = match part.len() {
        0 => 0,
        1 => part.parse::<i64>().ok()? * 10,
        _ => part.parse().ok()?,
    };
    Some(whole * 100 + part)
}

/// A byte count as people read it: 1536 → "1.5 KB".
pub(crate) fn size_text(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} 字节")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

/// What is left until a deadline, in words: "3 天 4 小时 5 分" (or "已截止").
pub(crate) fn remaining_text(ms: i64) -> String {
    if ms <= 0 {
        return "已截止".into();
    }
    let minutes = ms / 60_000;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days} 天 {hours} 小时 {minutes} 分")
    } else if hours > 0 {
        format!("{hours} 小时 {minutes} 分")
    } else {
        format!("{minutes} 分 {} 秒", ms / 1000 % 60)
    }
}

/// A long hex digest shortened for tables: the first and last eight characters.
pub(crate) fn short_hash(hex: &str) -> String {
    if hex.len() <= 20 {
        hex.to_string()
    } else {
        format!("{}…{}", &hex[..8], &hex[hex.len() - 8..])
    }
}

/// The Chinese name of an announcement kind.
pub(crate) fn announcement_kind_label(kind: &str) -> &'static str {
    domain::AnnouncementKind::parse(kind).map_or("公告", |k| k.label_zh())
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

/// The words under a deadline: why it is provisional, or what the tenderee must do now.
pub(crate) fn deadline_note(standing: &domain::DeadlineStanding, manager: bool) -> String {
    let mut parts = Vec::new();
    if let Some(name) = &standing.holiday {
        parts.push(format!("按新发布的工作日历，截止日为法定节假日（{name}）"));
    }
    if let Some(earliest) = &standing.below_minimum {
        parts.push(format!(
            "按新发布的工作日历，最早可截止日为 {earliest}，现截止时间早于法定最短期限"
        ));
    }
    if !parts.is_empty() {
        let mut text = parts.join("；");
        text.push_str(if manager {
            "。请发布澄清或修改，推迟投标截止时间。"
        } else {
            "。招标人应推迟投标截止时间。"
        });
        return text;
    }
    if standing.provisional {
        return "暂定：该年度法定节假日安排尚未发布，期间仅按周末计算；发布后平台将重新核对。"
            .into();
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_rates_read_as_people_write_them() {
        assert_eq!(yuan(80_000_000), "800,000.00");
        assert_eq!(yuan(12_345), "123.45");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan_text(123_456_789), "1,234,567.89 元");
        assert_eq!(parse_yuan("1,234,567.89"), Some(123_456_789));
        assert_eq!(parse_yuan("500 元"), Some(50_000));
        assert_eq!(parse_yuan("0.5"), Some(50));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-3"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(remaining_text(0), "已截止");
        assert_eq!(remaining_text(90_061_000), "1 天 1 小时 1 分");
        assert_eq!(
            short_hash("0123456789abcdef0123456789abcdef"),
            "01234567…89abcdef"
        );
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
