//! Data quality per followed node (数据质量): how complete, how valid and how timely what the node
//! publishes is, judged by the hub from the node's own proven entries — never from a report the
//! node makes about itself. Published with the failing items on `/nodes/{origin}` and in
//! `GET /api/v1/hub/nodes/{origin}` (`docs/federation.md` § Data quality).
//!
//! - **Completeness**: every announcement carries the fields the national data specification's
//!   notice records need (title, content, project code, trading category, region, send time).
//! - **Validity**: every public payload the hub can read decodes as its kind's event, names that
//!   kind, and an announcement's values are well-formed: a region within the node's, a category
//!   of the catalog, a send time within 5 minutes of when the node witnessed it.
//! - **Timeliness**: an entry reached the hub within a minute of being witnessed.

use std::collections::BTreeSet;

use serde::Serialize;
use store::HubEntryRow;

use crate::{App, AppError};

/// The newest entries judged per node.
pub const QUALITY_WINDOW: i64 = 2000;
/// An entry is timely when mirrored within this long of being witnessed.
pub const TIMELY_MS: i64 = 60_000;
/// An announcement's send time may differ from its witnessing by at most this.
pub const SEND_TIME_SKEW_MS: i64 = 5 * 60_000;
/// Failing items listed at most.
pub const QUALITY_ITEMS: usize = 50;

/// One failing item: the entry and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QualityItem {
    pub seq: u64,
    pub kind: String,
    /// `completeness`, `validity` or `timeliness`.
    pub measure: &'static str,
    /// In Chinese, naming the field.
    pub problem: String,
}

/// One measure: how many were judged, how many passed, and the rate in basis points (10000 when
/// nothing was judged).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Measure {
    pub judged: u64,
    pub passed: u64,
    pub rate_bp: u32,
}

impl Measure {
    fn add(&mut self, passed: bool) {
        self.judged += 1;
        if passed {
            self.passed += 1;
        }
    }

    fn close(mut self) -> Self {
        self.rate_bp = (self.passed * 10_000 + self.judged / 2)
            .checked_div(self.judged)
            .map_or(10_000, |rate| rate as u32);
        self
    }
}

/// A node's data quality over its newest mirrored entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DataQuality {
    /// Entries in the window.
    pub entries: u64,
    /// Announcements with every required field.
    pub completeness: Measure,
    /// Public payloads that decode as their kind and hold well-formed values.
    pub validity: Measure,
    /// Entries mirrored within `TIMELY_MS` of their witnessing.
    pub timeliness: Measure,
    /// The mean of the three rates, in basis points.
    pub score_bp: u32,
    /// The first `QUALITY_ITEMS` failing items, newest first.
    pub failing: Vec<QualityItem>,
    /// How many items failed in all.
    pub failing_total: u64,
}

/// What the judgement needs of the hub's own reference data.
pub struct QualityContext<'a> {
    /// The node's region code.
    pub region: &'a str,
    /// The trading catalog's category codes.
    pub categories: &'a BTreeSet<String>,
}

/// Whether `code` lies within `region` (a 6-digit division code; trailing `00` pairs widen it).
pub fn region_within(code: &str, region: &str) -> bool {
    let mut prefix = region;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && code.starts_with(prefix)
}

/// Judges the entries (any order); pure.
pub fn judge_quality(context: &QualityContext<'_>, rows: &[HubEntryRow]) -> DataQuality {
    let mut quality = DataQuality {
        entries: rows.len() as u64,
        ..DataQuality::default()
    };
    let mut failing = Vec::new();
    let mut rows: Vec<&HubEntryRow> = rows.iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.seq));
    for row in rows {
        let mut fail = |measure: &'static str, problem: String| {
            failing.push(QualityItem {
                seq: row.seq as u64,
                kind: row.kind.clone(),
                measure,
                problem,
            })
        };
        let lag = row.fetched_ms - row.at_ms;
        let timely = lag <= TIMELY_MS;
        quality.timeliness.add(timely);
        if !timely {
            fail(
                "timeliness",
                format!("见证后 {} 秒才汇聚至省平台（应在60秒内）", lag / 1000),
            );
        }
        if row.payload.is_empty() {
            continue;
        }
        let problems = match row.kind.as_str() {
            "announcement.published" => {
                let (missing, invalid) = judge_announcement(context, row);
                quality.completeness.add(missing.is_empty());
                for field in missing {
                    fail("completeness", format!("公告缺少{field}"));
                }
                invalid
            }
            kind if kind.starts_with("entity.") => {
                decodes_as::<domain::EntityEvent>(row, |e| e.kind())
            }
            kind if kind.starts_with("credit.") => {
                decodes_as::<domain::CreditEvent>(row, |e| e.kind())
            }
            kind if kind.starts_with("procedure.") => {
                decodes_as::<domain::ProcedureEvent>(row, |e| e.kind())
            }
            // Kinds this hub does not read are not judged.
            _ => continue,
        };
        quality.validity.add(problems.is_empty());
        for problem in problems {
            fail("validity", problem);
        }
    }
    quality.completeness = quality.completeness.close();
    quality.validity = quality.validity.close();
    quality.timeliness = quality.timeliness.close();
    quality.score_bp =
        (quality.completeness.rate_bp + quality.validity.rate_bp + quality.timeliness.rate_bp + 1)
            / 3;
    quality.failing_total = failing.len() as u64;
    failing.truncate(QUALITY_ITEMS);
    quality.failing = failing;
    quality
}

/// The problems of a payload that should decode as `E` and name the entry's kind.
fn decodes_as<E: serde::de::DeserializeOwned>(
    row: &HubEntryRow,
    kind_of: impl Fn(&E) -> &'static str,
) -> Vec<String> {
    match serde_json::from_str::<E>(&row.payload) {
        Err(e) => vec![format!("内容不符合该类型的格式：{e}")],
        Ok(event) if kind_of(&event) != row.kind => {
            vec![format!("内容是 {}，与条目类型不符", kind_of(&event))]
        }
        Ok(_) => Vec::new(),
    }
}

/// An announcement's missing fields and its invalid values.
fn judge_announcement(
    context: &QualityContext<'_>,
    row: &HubEntryRow,
) -> (Vec<&'static str>, Vec<String>) {
    let value: serde_json::Value = match serde_json::from_str(&row.payload) {
        Ok(value) => value,
        Err(e) => return (Vec::new(), vec![format!("内容不是有效的 JSON：{e}")]),
    };
    let text = |field: &str| value.get(field).and_then(|v| v.as_str()).unwrap_or("");
    let mut missing = Vec::new();
    for (field, label) in [
        ("title", "公告标题（NOTICE_NAME）"),
        ("body", "公告内容（NOTICE_CONTENT）"),
        ("procedure", "招标项目编号（TENDER_PROJECT_CODE）"),
        ("category", "交易类别"),
        ("region", "行政区划代码"),
    ] {
        if text(field).trim().is_empty() {
            missing.push(label);
        }
    }
    let sent = value
        .get("published_at_ms")
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    if sent <= 0 {
        missing.push("公告发布时间（NOTICE_SEND_TIME）");
    }
    let mut invalid = Vec::new();
    if serde_json::from_value::<domain::Announcement>(value.clone()).is_err() {
        invalid.push("内容不符合公告格式".to_string());
    }
    let region = text("region");
    if !region.is_empty() && !region_within(region, context.region) {
        invalid.push(format!(
            "行政区划代码 {region} 不在本节点所辖地区 {} 内",
            context.region
        ));
    }
    let category = text("category");
    if !category.is_empty() && !context.categories.contains(category) {
        invalid.push(format!("交易类别 {category} 不在交易目录中"));
    }
    if sent > 0 && (sent - row.at_ms).abs() > SEND_TIME_SKEW_MS {
        invalid.push("公告发布时间与见证时间相差超过5分钟".to_string());
    }
    (missing, invalid)
}

impl App {
    /// A followed node's data quality over its newest `QUALITY_WINDOW` mirrored entries.
    pub async fn node_quality(&self, origin: &str) -> Result<DataQuality, AppError> {
        let node = self.followed_node(origin).await?;
        let rows = self
            .store
            .hub_recent_entries(origin, QUALITY_WINDOW)
            .await?;
        let categories: BTreeSet<String> = self
            .reference_data()
            .await?
            .catalog
            .categories
            .iter()
            .map(|c| c.code.clone())
            .collect();
        Ok(judge_quality(
            &QualityContext {
                region: &node.region,
                categories: &categories,
            },
            &rows,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, kind: &str, payload: serde_json::Value, at_ms: i64, lag: i64) -> HubEntryRow {
        HubEntryRow {
            origin: "ggzy.ningbo.example".into(),
            seq,
            stream: String::new(),
            kind: kind.into(),
            visibility: "public".into(),
            actor: "op".into(),
            at_ms,
            commit_hash: Vec::new(),
            leaf_hash: Vec::new(),
            payload: if payload.is_null() {
                String::new()
            } else {
                payload.to_string()
            },
            salt: Vec::new(),
            masked: false,
            fetched_ms: at_ms + lag,
        }
    }

    fn announcement(region: &str, category: &str, title: &str, sent: i64) -> serde_json::Value {
        serde_json::json!({
            "id": "T3302002026000101-1",
            "procedure": "T3302002026000101",
            "lot": null,
            "kind": "tender_notice",
            "category": category,
            "region": region,
            "title": title,
            "body": "正文",
            "published_at_ms": sent,
        })
    }

    #[test]
    fn regions_nest_by_their_trailing_zero_pairs() {
        for (code, region, within) in [
            ("330203", "330200", true),
            ("330200", "330200", true),
            ("330100", "330200", false),
            ("330106", "330000", true),
            ("320100", "330000", false),
            ("330106", "330106", true),
            ("330107", "330106", false),
            ("33020", "330200", false),
            ("33020x", "330200", false),
        ] {
            assert_eq!(region_within(code, region), within, "{code} in {region}");
        }
    }

    #[test]
    fn every_failing_item_names_its_entry_field_and_measure() {
        let categories: BTreeSet<String> = ["construction".to_string()].into();
        let context = QualityContext {
            region: "330200",
            categories: &categories,
        };
        let t = 1_780_000_000_000;
        let rows = vec![
            // Good.
            row(
                1,
                "announcement.published",
                announcement("330203", "construction", "某工程招标公告", t),
                t,
                500,
            ),
            // Another city's region, a category not in the catalog, an empty title, sent an
            // hour before it was witnessed, and mirrored two minutes late.
            row(
                2,
                "announcement.published",
                announcement("330100", "moon", " ", t - 3_600_000),
                t,
                120_000,
            ),
            // Not an announcement at all.
            row(
                3,
                "announcement.published",
                serde_json::json!({"title": 1}),
                t,
                0,
            ),
            // A payload of another kind than its entry says.
            row(
                4,
                "entity.barred",
                serde_json::json!({"event": "reinstated", "by": "op", "reason": "已核实", "at_ms": t}),
                t,
                0,
            ),
            // A hidden payload and a kind the hub does not read: timeliness only.
            row(5, "bid.submitted", serde_json::Value::Null, t, 0),
            row(6, "auction.bid", serde_json::json!({}), t, 0),
        ];
        let q = judge_quality(&context, &rows);
        assert_eq!(q.entries, 6);
        assert_eq!(
            (q.completeness.judged, q.completeness.passed),
            (3, 1),
            "{q:?}"
        );
        assert_eq!((q.validity.judged, q.validity.passed), (4, 1), "{q:?}");
        assert_eq!((q.timeliness.judged, q.timeliness.passed), (6, 5));
        assert_eq!(q.validity.rate_bp, 2500);
        assert_eq!(q.timeliness.rate_bp, 8333);
        let of = |seq: u64| -> Vec<String> {
            q.failing
                .iter()
                .filter(|i| i.seq == seq)
                .map(|i| format!("{}:{}", i.measure, i.problem))
                .collect()
        };
        assert!(of(1).is_empty());
        let two = of(2).join("\n");
        for expected in [
            "timeliness:见证后 120 秒",
            "completeness:公告缺少公告标题（NOTICE_NAME）",
            "validity:行政区划代码 330100 不在本节点所辖地区 330200 内",
            "validity:交易类别 moon 不在交易目录中",
            "validity:公告发布时间与见证时间相差超过5分钟",
        ] {
            assert!(two.contains(expected), "{expected} not in {two}");
        }
        assert!(
            of(3).iter().any(|p| p.contains("公告缺少公告内容")),
            "{:?}",
            of(3)
        );
        assert!(of(3).iter().any(|p| p == "validity:内容不符合公告格式"));
        assert_eq!(of(4), ["validity:内容是 entity.reinstated，与条目类型不符"]);
        assert!(of(5).is_empty() && of(6).is_empty());
        // Newest first.
        assert_eq!(q.failing[0].seq, 4);
        assert_eq!(q.failing_total as usize, q.failing.len());
        // Nothing judged: every rate is whole.
        let empty = judge_quality(&context, &[]);
        assert_eq!(empty.score_bp, 10_000);
    }
}
