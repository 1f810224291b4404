//! Open data: every public act of a procedure as an OCDS 1.1.5 release (docs/open-data.md).
//!
//! One contracting process per lot: its 统一交易标识码 is the process id, so the `ocid` is the
//! configured prefix, a hyphen and the lot code. (Core OCDS has no lots without the lots
//! extension; a lot is what is bid on, awarded and contracted, and what the national data
//! specification identifies.) The procedure's ledger stream is replayed, and each act that
//! changes what the public knows becomes one release: a snapshot of the lot as it stood just
//! after that act, dated by the act, with the ledger sequence number in its id.
//!
//! | act | tag |
//! |---|---|
//! | `procedure.published` | planning, tender |
//! | `procedure.amended` | tenderAmendment |
//! | `procedure.lot_opened`, `procedure.lot_failed` | tenderUpdate |
//! | `procedure.candidates_publicised` | award (pending) |
//! | `procedure.awarded` | award (active) |
//! | `procedure.contract_recorded` | contract |
//! | `procedure.performance_recorded` | implementation |
//! | `procedure.lot_completed` | contractTermination |
//! | `procedure.terminated` | tenderCancellation |
//!
//! Only public facts are used: the announcement's terms, the opening record, the publicised
//! candidates, the award, the contract's date and the performance notes.

use std::collections::{BTreeMap, HashMap};

use domain::{Decider, LotStatus, Method, OpeningOutcome, Procedure, ProcedureEvent};
use serde_json::{Value, json};

use crate::{App, AppError};

/// Where the bids extension's description is published (the package lists it).
pub const BIDS_EXTENSION: &str = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json";

/// The OCDS release schema's identifier prefix for our parties: 统一社会信用代码.
const SCHEME: &str = "CN-USCI";

/// RFC 3339 in Beijing time, whole seconds (`2026-11-28T17:50:00+08:00`): one canonical form
/// for every date in the open data, feeds and sitemaps.
pub fn rfc3339(ms: i64) -> String {
    let day = domain::Date::of_instant(ms);
    let (y, m, d) = day.ymd();
    let seconds = (ms.div_euclid(1000) + 8 * 3600).rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// An amount in fen as OCDS money (元, CNY).
fn money(fen: i64) -> Value {
    let amount = if fen % 100 == 0 {
        json!(fen / 100)
    } else {
        json!(fen as f64 / 100.0)
    };
    json!({ "amount": amount, "currency": "CNY" })
}

fn party_id(code: &str) -> String {
    format!("{SCHEME}-{code}")
}

fn method_codes(method: Method) -> (&'static str, &'static str) {
    match method {
        Method::OpenTender => ("open", "公开招标"),
        Method::InvitedTender => ("selective", "邀请招标"),
        Method::CompetitiveNegotiation => ("limited", "竞争性谈判"),
        Method::CompetitiveConsultation => ("limited", "竞争性磋商"),
        Method::Inquiry => ("limited", "询价"),
        Method::SingleSource => ("direct", "单一来源采购"),
        Method::Auction => ("open", "拍卖"),
        Method::Listing => ("open", "挂牌"),
        Method::OnlineBidding => ("open", "网上竞价"),
        Method::Agreement => ("direct", "协议转让"),
    }
}

/// Who published the data (the package's `publisher`).
#[derive(Clone, Debug)]
pub struct Publisher {
    pub name: String,
    pub code: String,
}

/// The open-data configuration.
#[derive(Clone, Debug)]
pub struct OcdsSettings {
    /// `ocds-` and the prefix registered with the Open Contracting Partnership.
    pub ocid_prefix: String,
    /// The 交易平台标识码 of the national data specification (its format is not confirmed:
    /// carried as given).
    pub platform_code: String,
}

impl Default for OcdsSettings {
    fn default() -> Self {
        Self {
            ocid_prefix: "ocds-ggzy00".into(),
            platform_code: "GGZY-DEMO".into(),
        }
    }
}

/// The tags and the lot an act concerns (`None`: every lot), or `None` when the act is not
/// one the public data records.
fn release_of(event: &ProcedureEvent) -> Option<(&'static [&'static str], Option<&str>)> {
    Some(match event {
        ProcedureEvent::Published { .. } => (&["planning", "tender"], None),
        ProcedureEvent::Amended { .. } => (&["tenderAmendment"], None),
        ProcedureEvent::LotOpened { lot, .. } | ProcedureEvent::LotFailed { lot, .. } => {
            (&["tenderUpdate"], Some(lot.as_str()))
        }
        ProcedureEvent::CandidatesPublicised { lot, .. } | ProcedureEvent::Awarded { lot, .. } => {
            (&["award"], Some(lot.as_str()))
        }
        ProcedureEvent::ContractRecorded { lot, .. } => (&["contract"], Some(lot.as_str())),
        ProcedureEvent::PerformanceRecorded { lot, .. } => {
            (&["implementation"], Some(lot.as_str()))
        }
        ProcedureEvent::LotCompleted { lot, .. } => (&["contractTermination"], Some(lot.as_str())),
        ProcedureEvent::Terminated { .. } => (&["tenderCancellation"], None),
        ProcedureEvent::DecisionPublished { decision } => {
            (&["tenderUpdate"], decision.lot.as_deref())
        }
        _ => return None,
    })
}

/// One lot's release: the lot as it stands in `procedure` just after the act at `seq`.
#[allow(clippy::too_many_arguments)]
pub fn lot_release(
    settings: &OcdsSettings,
    procedure: &Procedure,
    lot_code: &str,
    seq: u64,
    at_ms: i64,
    tags: &[&str],
    amendments: &[(u32, i64, String)],
    names: &HashMap<String, String>,
) -> Option<Value> {
    let lot = procedure.lot(lot_code)?;
    let draft = &procedure.draft;
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let mut parties: BTreeMap<String, (String, String, Vec<&str>)> = BTreeMap::new();
    let mut role = |code: &str, name: String, role: &'static str| {
        let entry = parties
            .entry(code.to_string())
            .or_insert_with(|| (code.to_string(), name, Vec::new()));
        if !entry.2.contains(&role) {
            entry.2.push(role);
        }
    };
    let tenderee = draft.tenderee.0.clone();
    role(&tenderee, name_of(&tenderee), "buyer");
    let procuring = match &draft.agency {
        Some(agency) => agency.0.clone(),
        None => tenderee.clone(),
    };
    role(&procuring, name_of(&procuring), "procuringEntity");

    let (method, method_details) = method_codes(draft.method);
    let status = if procedure.status == domain::ProcedureStatus::Terminated {
        "cancelled"
    } else {
        match &lot.status {
            LotStatus::Failed { .. } => "unsuccessful",
            LotStatus::Terminated { .. } => "cancelled",
            LotStatus::Awarded
            | LotStatus::Contracted
            | LotStatus::Performing
            | LotStatus::Completed => "complete",
            _ => "active",
        }
    };
    let title = if draft.lots.len() > 1 || !draft.title.contains(&lot.name) {
        format!("{} {}", draft.title, lot.name)
    } else {
        draft.title.clone()
    };
    let mut tender = json!({
        "id": lot.code,
        "title": title,
        "description": if lot.description.is_empty() { draft.description.clone() } else { lot.description.clone() },
        "status": status,
        "procuringEntity": { "id": party_id(&procuring), "name": name_of(&procuring) },
        "value": money(lot.budget_fen),
        "procurementMethod": method,
        "procurementMethodDetails": method_details,
    });
    if draft.category == "construction" {
        tender["mainProcurementCategory"] = json!("works");
    }
    if let Some(published) = procedure.published_at_ms {
        tender["tenderPeriod"] = json!({
            "startDate": rfc3339(published),
            "endDate": rfc3339(procedure.deadline_ms()),
        });
    }
    if !amendments.is_empty() {
        tender["amendments"] = amendments
            .iter()
            .map(|(no, at, text)| {
                json!({ "id": format!("{}-amendment-{no}", lot.code), "date": rfc3339(*at), "description": text })
            })
            .collect();
    }
    // Supervising departments' published decisions on the lot (or the whole procedure): OCDS
    // has no field of its own for them; its guidance puts them among the tender's documents,
    // typed `complaints`.
    let decisions: Vec<Value> = procedure
        .decisions
        .iter()
        .filter(|d| d.lot.as_deref().is_none_or(|l| l == lot.code))
        .map(|d| {
            json!({
                "id": format!("{}-decision-{}", lot.code, d.case),
                "documentType": "complaints",
                "title": format!("{}行政处理决定（案件 {}）：{}", d.department, d.case, d.decision),
                "description": d.text,
                "datePublished": rfc3339(d.at_ms),
                "language": "zh",
            })
        })
        .collect();
    if !decisions.is_empty() {
        tender["documents"] = json!(decisions);
    }
    let mut release = json!({
        "ocid": format!("{}-{}", settings.ocid_prefix, lot.code),
        "id": format!("{}-{seq}", lot.code),
        "date": rfc3339(at_ms),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
        "buyer": { "id": party_id(&tenderee), "name": name_of(&tenderee) },
        "planning": {
            "budget": {
                "description": format!("项目代码 {}", draft.project_code),
                "amount": money(lot.budget_fen),
                "projectID": draft.project_code,
            }
        },
    });
    // The opening record: who bid, at what price, and whether the bid opened.
    if let Some(opened_at) = lot.opened_at_ms {
        let mut tenderers = Vec::new();
        let mut details = Vec::new();
        for (i, line) in lot.opening.iter().enumerate() {
            let code = line.bidder.0.clone();
            role(&code, line.bidder_name.clone(), "tenderer");
            let party = json!({ "id": party_id(&code), "name": line.bidder_name });
            tenderers.push(party.clone());
            let mut bid = json!({
                "id": format!("{}-bid-{}", lot.code, i + 1),
                "status": match line.outcome { OpeningOutcome::Opened => "valid", _ => "disqualified" },
                "tenderers": [party],
            });
            if let Some(price) = line.price_fen {
                bid["value"] = money(price);
            }
            if let Some(at) = line.submitted_at_ms {
                bid["date"] = json!(rfc3339(at));
            }
            details.push(bid);
        }
        tender["numberOfTenderers"] = json!(lot.opening.len());
        if !tenderers.is_empty() {
            tender["tenderers"] = json!(tenderers);
        }
        release["bids"] = json!({
            "statistics": [{
                "id": format!("{}-bids", lot.code),
                "measure": "bids",
                "value": lot.opening.len(),
                "date": rfc3339(opened_at),
            }],
            "details": details,
        });
        if let Some(awarded) = lot.award.awarded_at_ms {
            tender["awardPeriod"] =
                json!({ "startDate": rfc3339(opened_at), "endDate": rfc3339(awarded) });
        }
    } else if let Some(received) = lot.received_at_failure {
        // Failed at the deadline for too few envelopes: how many came.
        tender["numberOfTenderers"] = json!(received);
    }
    // Candidates publicised: the first is a pending award; the award makes it active.
    let award_id = format!("{}-award", lot.code);
    let awarded = lot.award.winner.as_ref().map(|w| (w, "active"));
    let pending = lot
        .award
        .candidates
        .iter()
        .min_by_key(|c| c.rank)
        .map(|c| (c, "pending"));
    if let Some((who, award_status)) = awarded.or(pending) {
        let code = who.bidder.0.clone();
        role(&code, who.name.clone(), "tenderer");
        if award_status == "active" {
            role(&code, who.name.clone(), "supplier");
        }
        let price = lot
            .opening
            .iter()
            .find(|l| l.bidder == who.bidder)
            .and_then(|l| l.price_fen);
        let mut award = json!({
            "id": award_id,
            "title": format!("{} 中标结果", lot.name),
            "status": award_status,
            "suppliers": [{ "id": party_id(&code), "name": who.name }],
            // What was awarded, classified by the trading catalog (red-flag tools group by it).
            "items": [{
                "id": format!("{}-item", lot.code),
                "description": lot.name,
                "quantity": 1,
                "classification": { "scheme": CATALOG_SCHEME, "id": draft.category },
            }],
        });
        if let Some(at) = lot.award.awarded_at_ms.filter(|_| award_status == "active") {
            award["date"] = json!(rfc3339(at));
        }
        if let Some(price) = price {
            award["value"] = money(price);
        }
        release["awards"] = json!([award]);
        if let (Some(contract), "active") = (&lot.award.contract, award_status) {
            let mut entry = json!({
                "id": format!("{}-contract", lot.code),
                "awardID": award_id,
                "title": format!("{} 合同", lot.name),
                "status": if matches!(lot.status, LotStatus::Completed) { "terminated" } else { "active" },
                "dateSigned": rfc3339(contract.at_ms),
            });
            if let Some(price) = price {
                entry["value"] = money(price);
            }
            if !lot.award.performance.is_empty() {
                entry["implementation"] = json!({
                    "milestones": lot.award.performance.iter().enumerate().map(|(i, note)| json!({
                        "id": format!("{}-performance-{}", lot.code, i + 1),
                        "title": "履约情况记录",
                        "description": note.text,
                        "status": "met",
                        "dateMet": rfc3339(note.at_ms),
                    })).collect::<Vec<_>>(),
                });
            }
            release["contracts"] = json!([entry]);
        }
    }
    release["tender"] = tender;
    release["parties"] = parties
        .into_values()
        .map(|(code, name, roles)| {
            json!({
                "id": party_id(&code),
                "name": name,
                "identifier": { "scheme": SCHEME, "id": code, "legalName": name },
                "roles": roles,
            })
        })
        .collect();
    omit_empty(&mut release);
    Some(release)
}

/// The item classification scheme: the codes of the trading catalog (公共资源交易目录).
const CATALOG_SCHEME: &str = "CN-GGZY-CATALOG";

/// A page of releases and the sources (`procedure/…`, `auction/…`) they came from.
#[derive(Default)]
struct ReleasePage {
    releases: Vec<Value>,
    sources: Vec<String>,
    next: Option<i64>,
}

/// OCDS omits a field rather than publish it empty: drops `""` and objects left empty.
fn omit_empty(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(omit_empty);
            map.retain(|_, v| {
                v.as_str() != Some("") && !v.as_object().is_some_and(|o| o.is_empty())
            });
        }
        Value::Array(items) => items.iter_mut().for_each(omit_empty),
        _ => {}
    }
}

impl App {
    /// The releases of one published procedure, in ledger order (none for a draft).
    pub async fn ocds_procedure_releases(&self, id: &str) -> Result<Vec<Value>, AppError> {
        Ok(self
            .procedure_releases_at(id)
            .await?
            .into_iter()
            .map(|(_, release)| release)
            .collect())
    }

    /// As `ocds_procedure_releases`, each with the ledger place of the act that made it.
    async fn procedure_releases_at(&self, id: &str) -> Result<Vec<(i64, Value)>, AppError> {
        let rows = self
            .store
            .stream_entries(&crate::tendering::tender::procedure_stream(id))
            .await?;
        let mut state: Option<Procedure> = None;
        let mut amendments: Vec<(u32, i64, String)> = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut releases = Vec::new();
        for row in rows {
            let Ok(event) = serde_json::from_str::<ProcedureEvent>(&row.payload) else {
                continue;
            };
            state = state.evolve(&event);
            if let ProcedureEvent::Amended { amendment } = &event {
                amendments.push((amendment.no, amendment.at_ms, amendment.text.clone()));
            }
            let (Some(procedure), Some((tags, only))) = (&state, release_of(&event)) else {
                continue;
            };
            if procedure.published_at_ms.is_none() {
                continue;
            }
            for code in std::iter::once(&procedure.draft.tenderee)
                .chain(procedure.draft.agency.as_ref())
                .map(|e| e.0.clone())
            {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(code) {
                    let name = self.entity_name(slot.key()).await?;
                    slot.insert(name);
                }
            }
            for lot in &procedure.lots {
                if only.is_some_and(|code| code != lot.code) {
                    continue;
                }
                if let Some(release) = lot_release(
                    &self.settings.ocds,
                    procedure,
                    &lot.code,
                    row.seq.max(0) as u64,
                    row.at_ms,
                    tags,
                    &amendments,
                    &names,
                ) {
                    releases.push((row.seq, release));
                }
            }
        }
        Ok(releases)
    }

    /// The releases of the contracting processes of one source (`procedure/…` or `auction/…`),
    /// each with its ledger place.
    async fn releases_of_source(&self, source: &str) -> Result<Vec<(i64, Value)>, AppError> {
        if let Some(id) = source.strip_prefix("procedure/") {
            self.procedure_releases_at(id).await
        } else if let Some(id) = source.strip_prefix("auction/") {
            self.sale_releases_at(id).await
        } else {
            Ok(Vec::new())
        }
    }

    /// A page of releases in **ledger order**: those of up to `limit` public acts after the
    /// ledger place `after` (none: from the start), the lots of one act in lot order. The
    /// cursor of the next page is the place of the page's last act, and is given only when a
    /// release exists after the page — a saved cursor thus also finds new releases of older
    /// contracting processes, and no page is ever an empty package.
    pub async fn ocds_releases(
        &self,
        after: Option<i64>,
        limit: u64,
    ) -> Result<(Vec<Value>, Option<i64>), AppError> {
        let page = self.ocds_page(after, limit).await?;
        Ok((page.releases, page.next))
    }

    /// The whole record (every release so far) of each contracting process the page's acts
    /// touch, in the order of `ocds_releases`, and the next page's cursor.
    pub async fn ocds_records(
        &self,
        after: Option<i64>,
        limit: u64,
    ) -> Result<(Vec<Value>, Option<i64>), AppError> {
        let page = self.ocds_page(after, limit).await?;
        let touched: std::collections::HashSet<String> = page
            .releases
            .iter()
            .filter_map(|r| r["ocid"].as_str().map(str::to_string))
            .collect();
        let mut all = Vec::new();
        for source in &page.sources {
            all.extend(
                self.releases_of_source(source)
                    .await?
                    .into_iter()
                    .map(|(_, release)| release),
            );
        }
        let records = records(all)
            .into_iter()
            .filter(|r| r["ocid"].as_str().is_some_and(|o| touched.contains(o)))
            .collect();
        Ok((records, page.next))
    }

    async fn ocds_page(&self, after: Option<i64>, limit: u64) -> Result<ReleasePage, AppError> {
        const ACT_KINDS: [&str; 11] = [
            "procedure.decision_published",
            "procedure.published",
            "procedure.amended",
            "procedure.lot_opened",
            "procedure.lot_failed",
            "procedure.candidates_publicised",
            "procedure.awarded",
            "procedure.contract_recorded",
            "procedure.performance_recorded",
            "procedure.lot_completed",
            "procedure.terminated",
        ];
        const SALE_NOTICE_KINDS: [&str; 3] = ["auction_notice", "deal_notice", "no_sale_notice"];
        let limit = limit.clamp(1, 100) as usize;
        let mut after = after.unwrap_or(-1);
        let mut by_source: HashMap<String, Vec<(i64, Value)>> = HashMap::new();
        let mut page = ReleasePage::default();
        let (mut acts, mut last) = (0usize, after);
        loop {
            let places = self
                .store
                .release_places_after(&ACT_KINDS, &SALE_NOTICE_KINDS, after, limit as u64 + 1)
                .await?;
            let exhausted = places.len() <= limit;
            for (seq, source) in places {
                after = seq;
                if !by_source.contains_key(&source) {
                    let all = self.releases_of_source(&source).await?;
                    by_source.insert(source.clone(), all);
                }
                let releases: Vec<Value> = by_source[&source]
                    .iter()
                    .filter(|(s, _)| *s == seq)
                    .map(|(_, r)| r.clone())
                    .collect();
                if releases.is_empty() {
                    continue;
                }
                if acts == limit {
                    page.next = Some(last);
                    return Ok(page);
                }
                acts += 1;
                last = seq;
                if !page.sources.contains(&source) {
                    page.sources.push(source);
                }
                page.releases.extend(releases);
            }
            if exhausted {
                return Ok(page);
            }
        }
    }

    /// The releases of an online sale: its 竞价公告 (tender) and, after the close, its 成交公示
    /// or 流拍公告 (award, or the tender unsuccessful). The sale is its own contracting process;
    /// the 出让人 is the procuring entity, the winner the award's supplier, and the winning bid
    /// the one bid listed (bidders stay anonymous numbers, so only the winner is named).
    pub async fn ocds_sale_releases(&self, id: &str) -> Result<Vec<Value>, AppError> {
        Ok(self
            .sale_releases_at(id)
            .await?
            .into_iter()
            .map(|(_, release)| release)
            .collect())
    }

    /// As `ocds_sale_releases`, each with the ledger place of the announcement that made it.
    async fn sale_releases_at(&self, id: &str) -> Result<Vec<(i64, Value)>, AppError> {
        use domain::{AnnouncementKind, AuctionMethod, AuctionResult};
        let auction = self.auction(id).await?;
        let Some(notice) = self
            .store
            .announcement(&format!(
                "{id}-{}",
                AnnouncementKind::AuctionNotice.as_str()
            ))
            .await?
        else {
            return Ok(Vec::new());
        };
        let mut outcome = None;
        for kind in [AnnouncementKind::DealNotice, AnnouncementKind::NoSaleNotice] {
            if let Some(row) = self
                .store
                .announcement(&format!("{id}-{}", kind.as_str()))
                .await?
            {
                outcome = Some(row);
            }
        }
        let info = &auction.info;
        // The scheduled end; an English or listing sale's countdown may run past it.
        let (details, start_ms, end_ms) = match &auction.terms.method {
            AuctionMethod::English {
                start_ms,
                free_until_ms,
                ..
            } => ("拍卖（网上竞价）", *start_ms, *free_until_ms),
            AuctionMethod::Listing {
                start_ms,
                listing_end_ms,
                ..
            } => ("挂牌", *start_ms, *listing_end_ms),
            AuctionMethod::Sealed { start_ms, close_ms } => ("密封报价", *start_ms, *close_ms),
            AuctionMethod::Quota {
                start_ms, close_ms, ..
            } => ("指标竞价", *start_ms, *close_ms),
        };
        let transferor = info.transferor.clone();
        let mut parties = vec![json!({
            "id": party_id(&transferor),
            "name": info.transferor_name,
            "identifier": { "scheme": SCHEME, "id": transferor, "legalName": info.transferor_name },
            "roles": ["procuringEntity"],
        })];
        let tender = |status: &str| {
            let mut tender = json!({
                "id": id,
                "title": info.title,
                "description": info.description,
                "status": status,
                "procuringEntity": { "id": party_id(&transferor), "name": info.transferor_name },
                "value": money(auction.terms.start_price_fen),
                "procurementMethod": "open",
                "procurementMethodDetails": details,
                "tenderPeriod": { "startDate": rfc3339(start_ms), "endDate": rfc3339(end_ms) },
            });
            if status != "active" {
                tender["numberOfTenderers"] = json!(auction.registered.len());
            }
            tender
        };
        let base = |seq: i64, at_ms: i64, tags: &[&str]| {
            json!({
                "ocid": format!("{}-{id}", self.settings.ocds.ocid_prefix),
                "id": format!("{id}-{seq}"),
                "date": rfc3339(at_ms),
                "tag": tags,
                "initiationType": "tender",
                "language": "zh",
            })
        };
        let mut first = base(notice.seq, notice.published_at_ms, &["tender"]);
        first["tender"] = tender("active");
        first["parties"] = json!(parties.clone());
        omit_empty(&mut first);
        let mut releases = vec![(notice.seq, first)];
        let (Some(outcome), Some(result)) = (outcome, &auction.result) else {
            return Ok(releases);
        };
        let winners: Vec<(String, u64, i64)> = match result {
            AuctionResult::Sold { bidder, price_fen } => vec![(bidder.clone(), 1, *price_fen)],
            AuctionResult::Allocated { allocations } => allocations
                .iter()
                .map(|a| (a.bidder.clone(), a.units, a.price_fen))
                .collect(),
            AuctionResult::NoSale { .. } => Vec::new(),
        };
        let mut last = base(
            outcome.seq,
            outcome.published_at_ms,
            if winners.is_empty() {
                &["tenderUpdate"]
            } else {
                &["award"]
            },
        );
        last["tender"] = tender(if winners.is_empty() {
            "unsuccessful"
        } else {
            "complete"
        });
        let mut awards = Vec::new();
        let mut bids = Vec::new();
        for (i, (number, units, price)) in winners.iter().enumerate() {
            let Some(entity) = self.entity_of_bidder(id, number).await? else {
                continue;
            };
            let name = self.entity_name(&entity).await?;
            parties.push(json!({
                "id": party_id(&entity),
                "name": name,
                "identifier": { "scheme": SCHEME, "id": entity, "legalName": name },
                "roles": ["tenderer", "supplier"],
            }));
            let who = json!([{ "id": party_id(&entity), "name": name }]);
            let total = price.saturating_mul(*units as i64);
            awards.push(json!({
                "id": format!("{id}-award-{}", i + 1),
                "title": format!("{} 成交（竞买号 {number}）", info.title),
                "status": "active",
                "date": rfc3339(outcome.published_at_ms),
                "value": money(total),
                "suppliers": who,
                "items": [{
                    "id": format!("{id}-item-{}", i + 1),
                    "description": info.title,
                    "quantity": units,
                    "classification": { "scheme": CATALOG_SCHEME, "id": info.category },
                }],
            }));
            bids.push(json!({
                "id": format!("{id}-bid-{}", i + 1),
                "status": "valid",
                "tenderers": who,
                "value": money(total),
            }));
        }
        if !awards.is_empty() {
            last["awards"] = json!(awards);
        }
        let mut bid_section = json!({
            "statistics": [{
                "id": format!("{id}-bids"),
                "measure": "bids",
                "value": auction.accepted,
                "date": rfc3339(outcome.published_at_ms),
            }],
        });
        if !bids.is_empty() {
            bid_section["details"] = json!(bids);
        }
        last["bids"] = bid_section;
        last["parties"] = json!(parties);
        omit_empty(&mut last);
        releases.push((outcome.seq, last));
        Ok(releases)
    }

    /// The package around `releases` (OCDS release package 1.1); `site` is the portal's
    /// address (`https://…`), `uri` where this package is served.
    pub async fn ocds_package(
        &self,
        site: &str,
        uri: &str,
        releases: Vec<Value>,
    ) -> Result<Value, AppError> {
        let publisher = self.publisher().await?;
        let uses_bids = releases.iter().any(|r| r.get("bids").is_some());
        let mut package = json!({
            "uri": uri,
            "version": "1.1",
            "publishedDate": rfc3339(self.now_ms()),
            "publisher": if publisher.code.is_empty() {
                json!({ "name": publisher.name })
            } else {
                json!({ "name": publisher.name, "scheme": SCHEME, "uid": publisher.code })
            },
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "publicationPolicy": format!("{site}/open-data"),
            "releases": releases,
        });
        if uses_bids {
            package["extensions"] = json!([BIDS_EXTENSION]);
        }
        Ok(package)
    }

    /// The trading center that publishes the data.
    pub async fn publisher(&self) -> Result<Publisher, AppError> {
        let operator = self.caller_for("operator").await.ok();
        Ok(match operator {
            Some(caller) if !caller.entity_id.is_empty() => Publisher {
                name: self.entity_name(&caller.entity_id).await?,
                code: caller.entity_id,
            },
            _ => Publisher {
                name: "公共资源交易中心".into(),
                code: String::new(),
            },
        })
    }
}

/// The national data specification's 14-digit timestamp (`YYYYMMDDhhmmss`, Beijing time).
pub fn national_timestamp(ms: i64) -> String {
    rfc3339(ms)
        .chars()
        .take(19)
        .filter(char::is_ascii_digit)
        .collect()
}

/// One lot's records in the national data specification's field names (公共资源交易平台系统
/// 数据规范, names as in rules-cn.md §1.5): the tender notice, the opening record, the
/// candidates, the award, the contract. The 统一交易标识码 is the lot code, carried opaque.
pub fn national_records(
    procedure: &Procedure,
    platform_code: &str,
    names: &HashMap<String, String>,
    now_ms: i64,
) -> Vec<Value> {
    let draft = &procedure.draft;
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let Some(published) = procedure.published_at_ms else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for lot in &procedure.lots {
        let common = |data_set: &str| {
            json!({
                "DATA_SET": data_set,
                "PROJECT_CODE": draft.project_code,
                "TENDER_PROJECT_CODE": procedure.id,
                "BID_SECTION_CODE": lot.code,
                "UNIFIED_DEAL_CODE": lot.code,
                "PLATFORM_CODE": platform_code,
                "DATA_TIMESTAMP": national_timestamp(now_ms),
            })
        };
        let mut notice = common("TENDER_ANNOUNCEMENT");
        let fields = [
            ("TENDER_PROJECT_NAME", json!(draft.title)),
            ("BID_SECTION_NAME", json!(lot.name)),
            ("REGION_CODE", json!(draft.region.to_string())),
            ("TENDERER_NAME", json!(name_of(&draft.tenderee.0))),
            ("TENDERER_CODE", json!(draft.tenderee.0)),
            (
                "TENDER_AGENCY_NAME",
                json!(
                    draft
                        .agency
                        .as_ref()
                        .map(|a| name_of(&a.0))
                        .unwrap_or_default()
                ),
            ),
            (
                "TENDER_AGENCY_CODE",
                json!(
                    draft
                        .agency
                        .as_ref()
                        .map(|a| a.0.clone())
                        .unwrap_or_default()
                ),
            ),
            ("TENDER_MODE", json!(method_codes(draft.method).1)),
            ("NOTICE_SEND_TIME", json!(national_timestamp(published))),
            (
                "BID_DOC_REFER_END_TIME",
                json!(national_timestamp(procedure.deadline_ms())),
            ),
            (
                "BID_OPEN_TIME",
                json!(national_timestamp(procedure.deadline_ms())),
            ),
            ("CONTROL_PRICE", json!(lot.budget_fen as f64 / 100.0)),
            (
                "MARGIN_AMOUNT",
                json!(lot.bond_fen.map(|b| b as f64 / 100.0)),
            ),
            (
                "EVALUATING_METHOD",
                json!(lot.evaluation.as_ref().map(|e| e.method.label_zh())),
            ),
        ];
        for (key, value) in fields {
            notice[key] = value;
        }
        out.push(notice);
        for line in &lot.opening {
            let mut record = common("BID_OPENING_RECORD");
            record["BIDDER_NAME"] = json!(line.bidder_name);
            record["BIDDER_CODE_TYPE"] = json!("统一社会信用代码");
            record["BIDDER_ORG_CODE"] = json!(line.bidder.0);
            record["BID_PRICE"] = json!(line.price_fen.map(|p| p as f64 / 100.0));
            record["BID_OPEN_TIME"] = json!(lot.opened_at_ms.map(national_timestamp));
            record["OPEN_RESULT"] = json!(match line.outcome {
                OpeningOutcome::Opened => "解密成功",
                _ => "解密失败",
            });
            out.push(record);
        }
        if !lot.award.candidates.is_empty() {
            let mut record = common("TENDER_CANDIDATE_ANNOUNCE");
            let mut ranked = lot.award.candidates.clone();
            ranked.sort_by_key(|c| c.rank);
            for (prefix, candidate) in ["FIRST", "SECOND", "THIRD"].iter().zip(&ranked) {
                record[format!("{prefix}_BIDDER_NAME")] = json!(candidate.name);
                record[format!("{prefix}_BIDDER_CODE")] = json!(candidate.bidder.0);
            }
            if let Some(until) = lot.award.publicity_until_ms {
                record["PUBLICITY_END_TIME"] = json!(national_timestamp(until));
            }
            out.push(record);
        }
        if let Some(winner) = &lot.award.winner {
            let mut record = common("BID_WINNING_NOTICE");
            record["WIN_BIDDER_NAME"] = json!(winner.name);
            record["WIN_BIDDER_CODE"] = json!(winner.bidder.0);
            record["WIN_BID_PRICE"] = json!(
                lot.opening
                    .iter()
                    .find(|l| l.bidder == winner.bidder)
                    .and_then(|l| l.price_fen)
                    .map(|p| p as f64 / 100.0)
            );
            record["NOTICE_SEND_TIME"] = json!(lot.award.awarded_at_ms.map(national_timestamp));
            out.push(record);
        }
        if let Some(contract) = &lot.award.contract {
            let mut record = common("CONTRACT_PERFORMANCE");
            record["CONTRACT_SIGN_TIME"] = json!(national_timestamp(contract.at_ms));
            record["CONTRACT_DOC_SM3"] = json!(contract.document.sm3);
            record["PERFORMANCE"] = json!(
                lot.award
                    .performance
                    .iter()
                    .map(|n| json!({ "TIME": national_timestamp(n.at_ms), "CONTENT": n.text }))
                    .collect::<Vec<_>>()
            );
            out.push(record);
        }
    }
    out
}

impl App {
    /// A page of the national-specification export (same cursor as the releases).
    pub async fn national_export(
        &self,
        cursor: &str,
        limit: u64,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        let platform_code = self.settings.ocds.platform_code.clone();
        let platform_code = platform_code.as_str();
        let limit = limit.clamp(1, 100);
        // The cursor is the last stream of the previous page, as for the releases.
        let rows = self
            .store
            .documents_after("procedure", cursor, limit)
            .await?;
        let mut records = Vec::new();
        let mut last = None;
        for row in &rows {
            let procedure: Procedure = crate::witness::replay::decode_state(&row.state)?;
            last = Some(row.stream.clone());
            let mut names = HashMap::new();
            for code in std::iter::once(&procedure.draft.tenderee)
                .chain(procedure.draft.agency.as_ref())
                .map(|e| e.0.clone())
            {
                let name = self.entity_name(&code).await?;
                names.insert(code, name);
            }
            records.extend(national_records(
                &procedure,
                platform_code,
                &names,
                self.now_ms(),
            ));
        }
        let next = if rows.len() as u64 == limit {
            last
        } else {
            None
        };
        Ok((records, next))
    }
}

/// The compiled release of a contracting process from its releases in date order. Every
/// release here is a whole snapshot of the lot after its act, and no field ever disappears, so
/// the OCDS merge of them is the last one with the compiled id and tag (checked against
/// ocdskit's merge in the server tests).
pub fn compiled_release(releases: &[Value]) -> Option<Value> {
    let last = releases.last()?;
    let mut compiled = last.clone();
    compiled["id"] = json!(format!(
        "{}-{}",
        last["ocid"].as_str().unwrap_or_default(),
        last["date"].as_str().unwrap_or_default()
    ));
    compiled["tag"] = json!(["compiled"]);
    Some(compiled)
}

/// Records (one per contracting process) from releases in order: every release and the
/// compiled release.
pub fn records(releases: Vec<Value>) -> Vec<Value> {
    let mut order: Vec<String> = Vec::new();
    let mut by_ocid: HashMap<String, Vec<Value>> = HashMap::new();
    for release in releases {
        let ocid = release["ocid"].as_str().unwrap_or_default().to_string();
        if !by_ocid.contains_key(&ocid) {
            order.push(ocid.clone());
        }
        by_ocid.entry(ocid).or_default().push(release);
    }
    order
        .into_iter()
        .filter_map(|ocid| {
            let releases = by_ocid.remove(&ocid)?;
            let compiled = compiled_release(&releases)?;
            Some(json!({ "ocid": ocid, "releases": releases, "compiledRelease": compiled }))
        })
        .collect()
}
