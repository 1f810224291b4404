//! Reference data — the trading catalog, the rule sets and the working-day calendar — as
//! versioned, witnessed aggregates. The shipped data files are version 1; operators publish later
//! versions with a reason. A new version is parsed and validated first (with the line of any
//! mistake), and the running version is unchanged by a refusal.

use domain::{
    Calendar, Catalog, CreditStandards, Date, Decider, DomainError, Publish, Reference,
    ReferenceEvent, ReferenceKind, ResolvedRules, Role, RuleBook, RuleSet, Supervision,
    WarningRules,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};
use store::ReferenceRow;

use crate::witness::append::{NewEntry, append};
use crate::witness::replay::load;
use crate::{App, AppError, Caller, Receipt};

/// The calendar shipped with the software (`data/calendar-cn.csv`).
pub const SHIPPED_CALENDAR: &str = include_str!("../../../../data/calendar-cn.csv");
/// The rule sets shipped with the software (`data/rules.toml`).
pub const SHIPPED_RULES: &str = include_str!("../../../../data/rules.toml");
/// The trading catalog shipped with the software (`data/catalog.toml`).
pub const SHIPPED_CATALOG: &str = include_str!("../../../../data/catalog.toml");
/// Who supervises what, shipped with the software (`data/supervision.toml`).
pub const SHIPPED_SUPERVISION: &str = include_str!("../../../../data/supervision.toml");
/// The credit standards shipped with the software (`data/credit.toml`).
pub const SHIPPED_CREDIT: &str = include_str!("../../../../data/credit.toml");
/// The warning rules shipped with the software (`data/warnings.toml`).
pub const SHIPPED_WARNINGS: &str = include_str!("../../../../data/warnings.toml");
/// The trust store shipped with the software: empty. Operators publish the roots of the CAs they
/// recognise; `ggzy demo` publishes its own demo roots.
pub const SHIPPED_TRUST: &str = "# 受信任的根证书（PEM 格式，可包含多张）。平台只承认由这些根证书签发的数字证书。\n# 交易中心在此发布所认可的各地 CA 根证书（如浙江、上海、江苏、安徽），实现证书互认。\n";

/// Parses the trust store: PEM certificates, each a self-signed SM2 CA root.
pub fn parse_trust(text: &str) -> Result<crypto::TrustStore, DomainError> {
    let mut roots = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (idx, line) in text.lines().enumerate() {
        let line_no = idx + 1;
        let trimmed = line.trim();
        if trimmed == "-----BEGIN CERTIFICATE-----" {
            current = Some((line_no, String::from("-----BEGIN CERTIFICATE-----\n")));
        } else if trimmed == "-----END CERTIFICATE-----" {
            let Some((start, mut pem)) = current.take() else {
                return Err(DomainError::DataFile {
                    line: line_no,
                    reason: "证书结束标记前没有开始标记".into(),
                });
            };
            pem.push_str("-----END CERTIFICATE-----\n");
            let certificate =
                crypto::Certificate::from_pem(&pem).map_err(|e| DomainError::DataFile {
                    line: start,
                    reason: format!("{e}（{}）", e.code()),
                })?;
            roots.push((start, certificate));
        } else if let Some((_, pem)) = current.as_mut() {
            pem.push_str(trimmed);
            pem.push('\n');
        } else if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Err(DomainError::DataFile {
                line: line_no,
                reason: "证书之外只允许空行和 # 注释".into(),
            });
        }
    }
    if let Some((start, _)) = current {
        return Err(DomainError::DataFile {
            line: start,
            reason: "证书缺少结束标记".into(),
        });
    }
    for (start, root) in &roots {
        crypto::TrustStore::new(vec![root.clone()]).map_err(|e| DomainError::DataFile {
            line: *start,
            reason: format!("{e}（{}）", e.code()),
        })?;
    }
    crypto::TrustStore::new(roots.into_iter().map(|(_, c)| c).collect()).map_err(|e| {
        DomainError::DataFile {
            line: 1,
            reason: e.to_string(),
        }
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    sets: Vec<RuleSet>,
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `needle` first appears, or 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |offset| line_at(text, offset))
}

fn toml_error(text: &str, error: toml::de::Error) -> DomainError {
    let line = error.span().map_or(1, |span| line_at(text, span.start));
    DomainError::DataFile {
        line,
        reason: error.message().to_string(),
    }
}

/// Parses and validates rule sets (TOML).
pub fn parse_rules(text: &str) -> Result<RuleBook, DomainError> {
    let file: RulesFile = toml::from_str(text).map_err(|e| toml_error(text, e))?;
    RuleBook::new(file.sets).map_err(|error| match &error {
        DomainError::RuleSetInvalid { id, .. } => DomainError::DataFile {
            line: line_of(text, &format!("id = \"{id}\"")),
            reason: error.to_string(),
        },
        _ => error,
    })
}

/// Parses the catalog (TOML) and validates it against `rules` on `today`.
pub fn parse_catalog(text: &str, rules: &RuleBook, today: Date) -> Result<Catalog, DomainError> {
    let catalog: Catalog = toml::from_str(text).map_err(|e| toml_error(text, e))?;
    catalog
        .validate(rules, today)
        .map_err(|error| match &error {
            DomainError::CatalogInvalid { category, .. } => DomainError::DataFile {
                line: line_of(text, &format!("code = \"{category}\"")),
                reason: error.to_string(),
            },
            _ => error,
        })?;
    Ok(catalog)
}

/// Parses the supervising departments (TOML) and validates them against `catalog`.
pub fn parse_supervision(text: &str, catalog: &Catalog) -> Result<Supervision, DomainError> {
    let supervision: Supervision = toml::from_str(text).map_err(|e| toml_error(text, e))?;
    supervision
        .validate(catalog)
        .map_err(|error| match &error {
            DomainError::SupervisionInvalid { department, .. } if !department.is_empty() => {
                DomainError::DataFile {
                    line: line_of(text, &format!("code = \"{department}\"")),
                    reason: error.to_string(),
                }
            }
            _ => error,
        })?;
    Ok(supervision)
}

/// Parses the credit standards (TOML) and validates them against `catalog`.
pub fn parse_credit(text: &str, catalog: &Catalog) -> Result<CreditStandards, DomainError> {
    let standards: CreditStandards = toml::from_str(text).map_err(|e| toml_error(text, e))?;
    standards.validate(catalog).map_err(|error| match &error {
        DomainError::CreditStandardInvalid { item, .. } if !item.is_empty() => {
            let line = line_of(text, &format!("code = \"{item}\""));
            DomainError::DataFile {
                line,
                reason: error.to_string(),
            }
        }
        _ => error,
    })?;
    Ok(standards)
}

/// Parses the warning rules (TOML) and validates them.
pub fn parse_warnings(text: &str) -> Result<WarningRules, DomainError> {
    let rules: WarningRules = toml::from_str(text).map_err(|e| toml_error(text, e))?;
    rules.validate().map_err(|error| match &error {
        DomainError::WarningRulesInvalid { item, .. } if !item.is_empty() => {
            DomainError::DataFile {
                line: line_of(text, &format!("[signals.{item}]")),
                reason: error.to_string(),
            }
        }
        _ => error,
    })?;
    Ok(rules)
}

/// Parses the calendar (CSV).
pub fn parse_calendar(text: &str) -> Result<Calendar, DomainError> {
    Calendar::parse_csv(text)
}

/// The reference data in force.
#[derive(Clone, Debug)]
pub struct ReferenceData {
    pub catalog: Catalog,
    pub rules: RuleBook,
    pub calendar: Calendar,
    pub trust: crypto::TrustStore,
    pub supervision: Supervision,
    pub credit: CreditStandards,
    pub warnings: WarningRules,
}

/// One published version, as pages and the API show it.
#[derive(Clone, Debug, Serialize)]
pub struct ReferenceVersion {
    pub kind: ReferenceKind,
    pub version: u32,
    pub text: String,
    pub reason: String,
    pub actor: String,
    pub published_at_ms: i64,
    pub seq: u64,
}

impl ReferenceVersion {
    fn from_row(row: ReferenceRow) -> Result<Self, AppError> {
        Ok(Self {
            kind: ReferenceKind::parse(&row.kind).ok_or_else(|| {
                AppError::Internal(format!("unknown reference kind {}", row.kind))
            })?,
            version: row.version as u32,
            text: row.content,
            reason: row.reason,
            actor: row.actor,
            published_at_ms: row.published_at_ms,
            seq: row.seq as u64,
        })
    }
}

pub(crate) fn reference_row(event: &ReferenceEvent, actor: &str, seq: i64) -> ReferenceRow {
    let ReferenceEvent::Published {
        kind,
        version,
        text,
        reason,
        at_ms,
    } = event;
    ReferenceRow {
        kind: kind.as_str().to_string(),
        version: i64::from(*version),
        content: text.clone(),
        reason: reason.clone(),
        actor: actor.to_string(),
        published_at_ms: *at_ms,
        seq,
    }
}

impl App {
    /// Publishes the shipped data as version 1 of each kind that has no version yet.
    pub(crate) async fn seed_reference(&self) -> Result<(), AppError> {
        for (kind, text) in [
            (ReferenceKind::Calendar, SHIPPED_CALENDAR),
            (ReferenceKind::Rules, SHIPPED_RULES),
            (ReferenceKind::Catalog, SHIPPED_CATALOG),
            (ReferenceKind::Trust, SHIPPED_TRUST),
            (ReferenceKind::Supervision, SHIPPED_SUPERVISION),
            (ReferenceKind::Credit, SHIPPED_CREDIT),
            (ReferenceKind::Warnings, SHIPPED_WARNINGS),
        ] {
            if self.store.reference_current(kind.as_str()).await?.is_none() {
                self.publish(kind, text, "平台初始数据（随软件发布）", "system")
                    .await?;
            }
        }
        Ok(())
    }

    /// The current version of one kind.
    pub async fn reference_current(
        &self,
        kind: ReferenceKind,
    ) -> Result<ReferenceVersion, AppError> {
        let row = self
            .store
            .reference_current(kind.as_str())
            .await?
            .ok_or(AppError::NotFound("尚未发布"))?;
        ReferenceVersion::from_row(row)
    }

    pub async fn reference_version(
        &self,
        kind: ReferenceKind,
        version: u32,
    ) -> Result<ReferenceVersion, AppError> {
        let row = self
            .store
            .reference_version(kind.as_str(), i64::from(version))
            .await?
            .ok_or(AppError::NotFound("该版本不存在"))?;
        ReferenceVersion::from_row(row)
    }

    /// Every version of one kind, newest first.
    pub async fn reference_history(
        &self,
        kind: ReferenceKind,
    ) -> Result<Vec<ReferenceVersion>, AppError> {
        self.store
            .reference_history(kind.as_str())
            .await?
            .into_iter()
            .map(ReferenceVersion::from_row)
            .collect()
    }

    /// The catalog, rules, calendar, trust roots and supervising departments in force, parsed
    /// (once per set of versions: the parsed data is kept until a new version is published).
    pub async fn reference_data(&self) -> Result<ReferenceData, AppError> {
        let mut current = Vec::new();
        for kind in ReferenceKind::ALL {
            current.push(self.reference_current(kind).await?);
        }
        let versions: Vec<u32> = current.iter().map(|v| v.version).collect();
        if let Ok(cache) = self.reference_cache.lock()
            && let Some((cached, data)) = cache.as_ref()
            && *cached == versions
        {
            return Ok(data.clone());
        }
        let text = |kind: ReferenceKind| {
            current
                .iter()
                .find(|v| v.kind == kind)
                .map(|v| v.text.as_str())
                .unwrap_or_default()
        };
        let corrupt = |e: DomainError| AppError::Internal(format!("stored reference data: {e}"));
        let rules = parse_rules(text(ReferenceKind::Rules)).map_err(corrupt)?;
        let calendar = parse_calendar(text(ReferenceKind::Calendar)).map_err(corrupt)?;
        let catalog: Catalog = toml::from_str(text(ReferenceKind::Catalog))
            .map_err(|e| AppError::Internal(format!("stored catalog: {e}")))?;
        let trust = parse_trust(text(ReferenceKind::Trust)).map_err(corrupt)?;
        let supervision: Supervision = toml::from_str(text(ReferenceKind::Supervision))
            .map_err(|e| AppError::Internal(format!("stored supervision list: {e}")))?;
        let credit: CreditStandards = toml::from_str(text(ReferenceKind::Credit))
            .map_err(|e| AppError::Internal(format!("stored credit standards: {e}")))?;
        let warnings: WarningRules = toml::from_str(text(ReferenceKind::Warnings))
            .map_err(|e| AppError::Internal(format!("stored warning rules: {e}")))?;
        let data = ReferenceData {
            warnings,
            catalog,
            rules,
            calendar,
            trust,
            supervision,
            credit,
        };
        if let Ok(mut cache) = self.reference_cache.lock() {
            *cache = Some((versions, data.clone()));
        }
        Ok(data)
    }

    /// The trust store that was in force at `at_ms`: the newest version published at or before
    /// it. Signatures are judged by the roots recognised when they were made.
    pub async fn trust_store_at(&self, at_ms: i64) -> Result<crypto::TrustStore, AppError> {
        let history = self.reference_history(ReferenceKind::Trust).await?;
        let version = history
            .iter()
            .find(|v| v.published_at_ms <= at_ms)
            .ok_or(AppError::NotFound("该时点尚无信任根证书"))?;
        parse_trust(&version.text)
            .map_err(|e| AppError::Internal(format!("stored trust store: {e}")))
    }

    /// The rules of a category for a region on a date.
    pub async fn resolve_rules(
        &self,
        category: &str,
        region: &str,
        date: Date,
    ) -> Result<ResolvedRules, AppError> {
        let data = self.reference_data().await?;
        Ok(data.rules.resolve(category, region, date)?)
    }

    /// An operator publishes a new version, with a reason. The text is parsed and validated
    /// (a catalog against the rules in force; new rules against the catalog in force).
    pub async fn publish_reference(
        &self,
        caller: &Caller,
        kind: ReferenceKind,
        text: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let today = Date::of_instant(self.now_ms());
        let current = self.reference_data().await?;
        let text = text.replace("\r\n", "\n");
        match kind {
            ReferenceKind::Catalog => {
                let catalog = parse_catalog(&text, &current.rules, today)?;
                current.supervision.validate(&catalog)?;
                current.credit.validate(&catalog)?;
            }
            ReferenceKind::Credit => {
                parse_credit(&text, &current.catalog)?;
            }
            ReferenceKind::Supervision => {
                parse_supervision(&text, &current.catalog)?;
            }
            ReferenceKind::Rules => {
                let rules = parse_rules(&text)?;
                current.catalog.validate(&rules, today)?;
            }
            ReferenceKind::Calendar => {
                parse_calendar(&text)?;
            }
            ReferenceKind::Trust => {
                parse_trust(&text)?;
            }
            ReferenceKind::Warnings => {
                parse_warnings(&text)?;
            }
        }
        self.publish(kind, &text, reason, &caller.username).await
    }

    pub(crate) async fn publish(
        &self,
        kind: ReferenceKind,
        text: &str,
        reason: &str,
        actor: &str,
    ) -> Result<Receipt, AppError> {
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let stream = kind.stream();
        let (state, _) = load::<Reference>(&mut tx, &stream).await?;
        let events = state.decide(
            Publish {
                kind,
                text: text.to_string(),
                reason: reason.to_string(),
            },
            now,
        )?;
        let entries = events
            .iter()
            .map(|event| {
                Ok(NewEntry {
                    stream: stream.clone(),
                    kind: event.kind().into(),
                    // Rules anyone is held to are public, in full.
                    visibility: Visibility::Public,
                    actor: actor.to_string(),
                    payload: serde_json::to_value(event)
                        .map_err(|e| AppError::Internal(format!("event encoding: {e}")))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        for (event, receipt) in events.iter().zip(&receipts) {
            tx.insert_reference(&reference_row(event, actor, receipt.seq as i64))
                .await?;
        }
        tx.commit().await?;
        receipts
            .into_iter()
            .last()
            .ok_or_else(|| AppError::Internal("publish made no event".into()))
    }
}
