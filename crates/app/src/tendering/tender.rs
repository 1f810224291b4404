//! Electronic tendering: procedures and lots, announcements from the standard templates, bidders'
//! registration and sealed envelopes (streamed into the blob store), and the k-of-n opening.

use std::collections::BTreeMap;

use crypto::{Envelope, EnvelopeHeader, Sm3Hasher};
use domain::{
    Announcement, AnnouncementKind, Bid, BidCommand, Date, DomainError, EntityId, Lot, LotPhase,
    LotStatus, LotTerms, Method, OpeningLine, OpeningOutcome, Procedure, ProcedureCommand,
    ProcedureDraft, ProcedureEvent, ProcedureStatus, RegionCode, Role, SealedBidRef,
    SealedEnvelope, Templates, TenderRules,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};
use store::{BlobUpload, DocumentFilter, Page, WriteTx};

use crate::tendering::holder::{OpeningRequest, PartialsRequest, partial_context};
use crate::tendering::keys::opening_key;
use crate::witness::append::{NewEntry, append};
use crate::witness::documents::{ANNOUNCEMENT_KIND, announcement_row, decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// The announcement templates shipped with the platform (`data/announcements.toml`).
pub const SHIPPED_TEMPLATES: &str = include_str!("../../../../data/announcements.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    templates: Vec<domain::Template>,
}

/// Parses and checks a template file.
pub fn parse_templates(text: &str) -> Result<Templates, DomainError> {
    let file: TemplateFile = toml::from_str(text).map_err(|e| DomainError::TemplateInvalid {
        template: "announcements.toml".into(),
        reason: e.to_string(),
    })?;
    Templates::new(file.templates)
}

/// Largest sealed bid accepted.
pub const MAX_ENVELOPE_BYTES: u64 = 64 * 1024 * 1024;

/// A lot as drafted through the API or a page.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLot {
    pub name: String,
    /// 最高投标限价 / 预算金额 in fen.
    pub budget_fen: i64,
    #[serde(default)]
    pub description: String,
    /// 评标办法 (`domain::EvaluationTerms`); left out, the standard terms of the rule category.
    #[serde(default)]
    pub evaluation: Option<domain::EvaluationTerms>,
    /// 投标保证金 in fen, when the tender asks for one.
    #[serde(default)]
    pub bond_fen: Option<i64>,
}

/// A procedure as drafted through the API or a page.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProcedure {
    pub project_code: String,
    pub title: String,
    /// Catalog category code, e.g. `construction`.
    pub category: String,
    /// Method code, e.g. `open_tender`.
    pub method: String,
    pub region: String,
    /// The tenderee's USCC when an agency drafts; ignored when the caller is the tenderee.
    #[serde(default)]
    pub tenderee: String,
    pub description: String,
    pub qualification: String,
    #[serde(default)]
    pub invitees: Vec<String>,
    pub lots: Vec<NewLot>,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub deadline: String,
    #[serde(default)]
    pub opening_place: String,
    pub contact: String,
}

/// An amendment as submitted.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAmendment {
    pub text: String,
    /// A later deadline, Beijing time `YYYY-MM-DD HH:MM` ("" keeps it; the rules may move it).
    #[serde(default)]
    pub deadline: String,
}

/// What a bidder gets back for a sealed bid: the envelope's hash, the time, and the ledger
/// receipt (signed tree head and inclusion proof).
#[derive(Clone, Debug, Serialize)]
pub struct BidReceipt {
    pub lot: String,
    pub envelope_sm3: String,
    pub size: u64,
    pub received_at_ms: i64,
    pub receipt: Receipt,
}

/// Parses `YYYY-MM-DD HH:MM` (or with `T`) in Beijing time to UTC unix ms.
pub fn parse_beijing_minute(text: &str) -> Result<i64, AppError> {
    let text = text.trim().replace('T', " ");
    let bad = || {
        AppError::refused(
            "DATETIME_FORMAT",
            "时间格式应为 YYYY-MM-DD HH:MM（北京时间）",
        )
    };
    let (day, time) = text.split_once(' ').ok_or_else(bad)?;
    let date = Date::parse(day).map_err(|_| bad())?;
    let (hour, minute) = time.trim().split_once(':').ok_or_else(bad)?;
    let hour: i64 = hour.parse().map_err(|_| bad())?;
    let minute: i64 = minute
        .get(..2)
        .unwrap_or(minute)
        .parse()
        .map_err(|_| bad())?;
    if !(0..24).contains(&hour) || !(0..60).contains(&minute) {
        return Err(bad());
    }
    Ok(date.start_ms() + (hour * 60 + minute) * 60_000)
}

/// Formats UTC unix ms as Beijing time `YYYY-MM-DD HH:MM`.
pub fn format_beijing_minute(ms: i64) -> String {
    domain::format_beijing_ms(ms)
}

/// Fen as 元 with thousands separators, e.g. `412,800,000.00` (the one formatter of amounts).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

/// The stream of a procedure.
pub fn procedure_stream(id: &str) -> String {
    format!("procedure/{id}")
}

/// The procedure id of a lot code (the code is the id and a three-digit lot number).
pub fn procedure_of_lot(lot: &str) -> Result<&str, AppError> {
    if lot.len() > 3 && lot.is_char_boundary(lot.len() - 3) {
        Ok(&lot[..lot.len() - 3])
    } else {
        Err(DomainError::LotNotFound.into())
    }
}

/// Whether `caller` manages `procedure` (its tenderee's or agency's accounts).
pub fn manages(caller: &Caller, procedure: &Procedure) -> bool {
    let entity = caller.entity_id.as_str();
    caller.has_any(&[Role::Tenderee, Role::Agency])
        && (procedure.draft.tenderee.as_ref() == entity
            || procedure
                .draft
                .agency
                .as_ref()
                .is_some_and(|a| a.as_ref() == entity))
}

/// A bidder's view of its own bid with the lot's public facts.
#[derive(Clone, Debug, Serialize)]
pub struct MyBid {
    pub bid: Bid,
    pub procedure_id: String,
    pub procedure_title: String,
    pub lot_name: String,
    pub deadline_ms: i64,
    pub lot_status: String,
}

/// Incoming sealed envelope, streamed: `push` each chunk as it arrives, then `finish`.
pub struct BidIntake<'a> {
    app: &'a App,
    caller: Caller,
    lot: String,
    opening_key: String,
    upload: BlobUpload<'a>,
    prefix: Vec<u8>,
    header: Option<EnvelopeHeader>,
    /// The header line as received.
    header_line: String,
    /// SM3 of the magic and header lines: the envelope's digest and blob key.
    digest: Option<crypto::Sm3Hash>,
    ciphertext: Sm3Hasher,
    /// The network address the envelope comes from, when the server names it.
    address: Option<String>,
}

impl std::fmt::Debug for BidIntake<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BidIntake({}, {})", self.lot, self.caller.entity_id)
    }
}

impl BidIntake<'_> {
    fn refuse(reason: &str) -> AppError {
        AppError::refused(
            "ENVELOPE_INVALID",
            format!("投标文件不是有效的密封投标文件：{reason}"),
        )
    }

    /// Names the network address the envelope is uploaded from (kept only as a keyed digest
    /// salted per lot, for the warning engine).
    pub fn from_address(mut self, address: &str) -> Self {
        self.address = Some(address.to_string());
        self
    }

    /// Takes the next chunk of the envelope file.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        if self.upload.size() + chunk.len() as u64 > MAX_ENVELOPE_BYTES {
            return Err(AppError::refused(
                "ENVELOPE_TOO_LARGE",
                format!("投标文件过大（最大{}MB）", MAX_ENVELOPE_BYTES >> 20),
            ));
        }
        self.upload.write(chunk).await?;
        if self.header.is_some() {
            self.ciphertext.update(chunk);
            return Ok(());
        }
        let scanned = self.prefix.len();
        self.prefix.extend_from_slice(chunk);
        // Parse only once the header line is complete (or the prefix is too short to tell),
        // so tiny chunks do not make the intake rescan the prefix again and again.
        let complete = self.prefix[scanned..].contains(&b'\n')
            && self.prefix.len() > b"GGZY-SEALED-BID/1\n".len();
        if !complete && self.prefix.len() <= crypto::MAX_HEADER && scanned >= 32 {
            return Ok(());
        }
        let parsed = Envelope::parse_header_prefix(&self.prefix)
            .map_err(|e| Self::refuse(&e.to_string()))?;
        if let Some((header, header_len)) = parsed {
            if header.lot != self.lot {
                return Err(Self::refuse("文件所属标段与本标段不一致"));
            }
            if header.bidder != self.caller.entity_id {
                return Err(Self::refuse("文件所属投标人不是您的单位"));
            }
            if header.opening_key != self.opening_key {
                return Err(Self::refuse("未使用本标段公告中的开标公钥加密"));
            }
            if header.version != crypto::ENVELOPE_VERSION {
                return Err(Self::refuse("格式版本不受支持"));
            }
            let wrapped_ok = hex::decode(&header.wrapped_key)
                .is_ok_and(|bytes| crypto::sm2_ciphertext_well_formed(&bytes));
            if !wrapped_ok {
                return Err(Self::refuse("封装的数据密钥不是有效的SM2密文"));
            }
            self.ciphertext.update(&self.prefix[header_len..]);
            self.digest = Some(crypto::sm3(&self.prefix[..header_len]));
            let magic = b"GGZY-SEALED-BID/1\n".len();
            self.header_line = String::from_utf8(self.prefix[magic..header_len - 1].to_vec())
                .map_err(|_| Self::refuse("头部不是UTF-8文本"))?;
            self.header = Some(header);
            self.prefix = Vec::new();
        }
        Ok(())
    }

    /// Drops what was received (the connection broke or a check failed).
    pub async fn abort(self) {
        if let Err(error) = self.upload.abort().await {
            tracing::warn!(%error, "could not remove the parts of an aborted bid upload");
        }
    }

    /// Checks the complete envelope (signature, certificate, bidder) and records the bid; the
    /// deadline is judged at this moment, when the transfer is complete.
    pub async fn finish(self) -> Result<BidReceipt, AppError> {
        let (Some(header), Some(digest)) = (self.header.clone(), self.digest) else {
            self.upload.abort().await?;
            return Err(Self::refuse("文件不完整"));
        };
        let ciphertext = self.ciphertext.clone().finish();
        let app = self.app;
        let caller = self.caller.clone();
        let lot = self.lot.clone();
        let certificate = match header.verify_streamed(&ciphertext) {
            Ok(certificate) => certificate,
            Err(_) => {
                self.upload.abort().await?;
                return Err(Self::refuse("签名或密文摘要验证失败"));
            }
        };
        match app
            .certificate_holder(&header.certificate, app.now_ms())
            .await
        {
            Ok(holder) if holder.id == caller.entity_id => {}
            Ok(_) => {
                self.upload.abort().await?;
                return Err(DomainError::CertificateWrongEntity.into());
            }
            Err(error) => {
                self.upload.abort().await?;
                return Err(error);
            }
        }
        // Filed under the digest of its signed header, which commits to the package through
        // `ciphertext_sm3` (checked just above): the package is hashed once, not twice.
        let (sm3, size) = self
            .upload
            .finish_keyed(&digest.to_hex(), app.now_ms())
            .await?;
        let envelope = SealedEnvelope {
            sm3: sm3.clone(),
            size,
            wrapped_key: header.wrapped_key.clone(),
            certificate: certificate.fingerprint().to_hex(),
            machine_fingerprint: header.machine_fingerprint.clone(),
            sealed_at_ms: header.created_at_ms,
            header: self.header_line.clone(),
            upload_tag: self
                .address
                .as_ref()
                .map(|address| {
                    app.key
                        .keyed_digest(format!("upload\n{lot}\n{address}").as_bytes())
                        .to_hex()[..32]
                        .to_string()
                })
                .unwrap_or_default(),
        };
        let receipt = app
            .bid_command(&caller, &lot, |terms| BidCommand::Submit {
                terms,
                envelope,
            })
            .await?;
        Ok(BidReceipt {
            lot,
            envelope_sm3: sm3,
            size,
            received_at_ms: receipt.tree_head.head.timestamp_ms,
            receipt,
        })
    }
}

/// The public actor of a bid's ledger entries: who acted stays in the (bidder-only) payload.
const BID_ACTOR: &str = "bidder";

impl App {
    /// The opaque stream of `bidder`'s bid for `lot`: a keyed digest, so the public ledger's
    /// stream names reveal neither the bidder nor the lot (招标投标法 第22条).
    pub(crate) fn bid_stream(&self, lot: &str, bidder: &EntityId) -> String {
        let digest = self
            .key
            .keyed_digest(format!("bid\n{lot}\n{bidder}").as_bytes());
        format!("bid/{}", &digest.to_hex()[..32])
    }

    pub(crate) fn templates(&self) -> &Templates {
        &self.templates
    }

    /// A procedure's state (raw; callers apply visibility).
    pub(crate) async fn load_procedure(&self, id: &str) -> Result<Procedure, AppError> {
        let row = self
            .store
            .document(&procedure_stream(id))
            .await?
            .ok_or(DomainError::ProcedureNotFound)?;
        decode_state(&row.state)
    }

    /// How the calendar in force judges `procedure`'s bid deadline: provisional beyond the
    /// published calendar, or — once that year's calendar is out — on a holiday or under the
    /// minimum (`domain::deadline_standing`).
    pub async fn deadline_standing(
        &self,
        procedure: &Procedure,
    ) -> Result<domain::DeadlineStanding, AppError> {
        let calendar = self.reference_data().await?.calendar;
        let today = Date::of_instant(self.now_ms());
        Ok(domain::deadline_standing(procedure, &calendar, today))
    }

    /// The published procedures still taking bids whose deadline, judged by the calendar in
    /// force, falls on a holiday or under the minimum: what a newly published calendar asks the
    /// tenderees to postpone (shown to the trading center on the calendar page, and to the
    /// tenderee on the procedure's page and in the API).
    pub async fn deadlines_needing_attention(
        &self,
    ) -> Result<Vec<(Procedure, domain::DeadlineStanding)>, AppError> {
        let calendar = self.reference_data().await?.calendar;
        let now = self.now_ms();
        let today = Date::of_instant(now);
        let filter = DocumentFilter {
            kind: "procedure",
            status: Some("published"),
            ..Default::default()
        };
        let mut found = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.store.documents(&filter, 500, offset).await?;
            for row in &page.items {
                let procedure: Procedure = decode_state(&row.state)?;
                if procedure.deadline_ms() <= now {
                    continue;
                }
                let standing = domain::deadline_standing(&procedure, &calendar, today);
                if standing.needs_attention() {
                    found.push((procedure, standing));
                }
            }
            offset += page.items.len() as u64;
            if page.items.is_empty() || offset >= page.total {
                break;
            }
        }
        Ok(found)
    }

    /// A procedure as `caller` may see it: published ones are public; a draft only to its
    /// tenderee and agency and to the trading center and supervision.
    pub async fn procedure(
        &self,
        caller: Option<&Caller>,
        id: &str,
    ) -> Result<Procedure, AppError> {
        let mut procedure = self.load_procedure(id).await?;
        let oversight = caller.is_some_and(|c| {
            manages(c, &procedure) || c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor])
        });
        redact(&mut procedure, caller);
        if procedure.status != ProcedureStatus::Draft || oversight {
            Ok(procedure)
        } else {
            Err(DomainError::ProcedureNotFound.into())
        }
    }
}

/// What a reader who is neither the organiser nor oversight may not see of a procedure: the
/// partial decryption points, and who raised an objection and the texts (except their own).
pub(crate) fn redact(procedure: &mut Procedure, caller: Option<&Caller>) {
    let oversight = caller.is_some_and(|c| {
        manages(c, procedure) || c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor])
    });
    {
        if !oversight {
            // Which holders sent partials is public; the points themselves are not.
            for lot in &mut procedure.lots {
                for (_, partials) in &mut lot.partials {
                    for partial in partials {
                        partial.point.clear();
                        partial.proof.clear();
                    }
                }
                // That an objection was raised and answered is public (the lot was suspended);
                // who raised it and the texts are for the parties, except the objector's own.
                for objection in &mut lot.award.objections {
                    let own = caller.is_some_and(|c| c.acts_for(objection.by.as_ref()));
                    if !own {
                        objection.by = domain::EntityId(String::new());
                        objection.by_name.clear();
                        objection.text.clear();
                        objection.answer = objection.answer.as_ref().map(|_| String::new());
                    }
                }
            }
        }
    }
}

impl App {
    /// Published procedures (newest first), or those `entity` manages (drafts included).
    pub async fn procedures(
        &self,
        managed_by: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<Page<Procedure>, AppError> {
        if managed_by == Some("") {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
            });
        }
        let filter = DocumentFilter {
            kind: "procedure",
            either_key: managed_by,
            status: if managed_by.is_some() {
                None
            } else {
                Some("published")
            },
            ..Default::default()
        };
        let page = self.store.documents(&filter, limit, offset).await?;
        let mut items: Vec<Procedure> = page
            .items
            .iter()
            .map(|row| decode_state(&row.state))
            .collect::<Result<_, _>>()?;
        if managed_by.is_none() {
            // The public list: the same redaction as the public view of one procedure.
            for procedure in &mut items {
                redact(procedure, None);
            }
        }
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// Published announcements, newest first.
    pub async fn announcements(
        &self,
        procedure_id: &str,
        kind: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Page<store::AnnouncementRow>, AppError> {
        Ok(self
            .store
            .announcements(procedure_id, kind, limit, offset)
            .await?)
    }

    pub async fn announcement(&self, id: &str) -> Result<store::AnnouncementRow, AppError> {
        self.store
            .announcement(id)
            .await?
            .ok_or(AppError::NotFound("公告不存在"))
    }

    pub(crate) async fn entity_name(&self, id: &str) -> Result<String, AppError> {
        Ok(self
            .store
            .entity(id)
            .await?
            .map(|row| row.name)
            .unwrap_or_else(|| id.to_string()))
    }

    fn draft_from(&self, caller: &Caller, input: NewProcedure) -> Result<ProcedureDraft, AppError> {
        let method = Method::parse(&input.method).ok_or_else(|| {
            AppError::refused(
                "METHOD_UNKNOWN",
                format!("未知的交易方式：{}", input.method),
            )
        })?;
        let (tenderee, agency) = if caller.has(Role::Tenderee) {
            (EntityId(caller.entity_id.clone()), None)
        } else if caller.has(Role::Agency) {
            let tenderee = domain::Uscc::parse(&input.tenderee)?;
            (
                EntityId(tenderee.to_string()),
                Some(EntityId(caller.entity_id.clone())),
            )
        } else {
            return Err(AppError::NotAuthorized);
        };
        let invitees = input
            .invitees
            .iter()
            .filter(|code| !code.trim().is_empty())
            .map(|code| domain::Uscc::parse(code).map(|u| EntityId(u.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProcedureDraft {
            project_code: input.project_code.trim().to_string(),
            title: input.title.trim().to_string(),
            category: input.category.trim().to_string(),
            rule_category: String::new(),
            method,
            region: RegionCode::parse(&input.region)?,
            tenderee,
            agency,
            description: input.description.trim().to_string(),
            qualification: input.qualification.trim().to_string(),
            invitees,
            lots: input
                .lots
                .into_iter()
                .map(|lot| domain::LotDraft {
                    name: lot.name.trim().to_string(),
                    budget_fen: lot.budget_fen,
                    description: lot.description.trim().to_string(),
                    evaluation: lot.evaluation,
                    bond_fen: lot.bond_fen,
                })
                .collect(),
            deadline_ms: parse_beijing_minute(&input.deadline)?,
            opening_place: if input.opening_place.trim().is_empty() {
                "本平台网上开标大厅".into()
            } else {
                input.opening_place.trim().to_string()
            },
            contact: input.contact.trim().to_string(),
        })
    }

    /// Checks the draft against the catalog ("平台外无交易") and the parties' registrations.
    async fn check_draft(&self, draft: &mut ProcedureDraft) -> Result<(), AppError> {
        let data = self.reference_data().await?;
        let category = data.catalog.allows(&draft.category, draft.method)?;
        domain::tender_rule_keys(&category.rule_category, draft.method)?;
        draft.rule_category = category.rule_category.clone();
        let tenderee = self
            .store
            .entity(draft.tenderee.as_ref())
            .await?
            .ok_or(DomainError::EntityNotFound)?;
        if tenderee.status != "active" || !tenderee.roles.contains("tenderee") {
            return Err(AppError::refused(
                "TENDEREE_NOT_QUALIFIED",
                "招标人应为已通过审核、具有招标人角色的市场主体",
            ));
        }
        for invitee in &draft.invitees {
            let row = self
                .store
                .entity(invitee.as_ref())
                .await?
                .ok_or(DomainError::EntityNotFound)?;
            if row.status != "active" || !row.roles.contains("bidder") {
                return Err(AppError::refused(
                    "INVITEE_NOT_BIDDER",
                    format!("受邀请的 {} 不是已通过审核的投标人", row.name),
                ));
            }
        }
        Ok(())
    }

    /// Runs a procedure command; `announce` turns the new state and events into announcements
    /// appended in the same transaction.
    pub(crate) async fn procedure_command(
        &self,
        caller: &Caller,
        id: &str,
        command: ProcedureCommand,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        let result = self
            .procedure_command_in(&mut tx, &caller.username, id, command, now)
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    pub(crate) async fn procedure_command_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &str,
        id: &str,
        command: ProcedureCommand,
        now: i64,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        let stream = procedure_stream(id);
        let (decided, mut entries) =
            decide::<Option<Procedure>>(tx, &stream, command, actor, now).await?;
        let procedure = decided
            .after
            .clone()
            .ok_or_else(|| AppError::Internal("procedure vanished".into()))?;
        // The credit gates re-checked before the candidate notice and the award, with the
        // evidence kept (财库〔2016〕125号); a refusal writes nothing.
        for event in &decided.events {
            let (lot, gate, subjects) = match event {
                ProcedureEvent::CandidatesPublicised {
                    lot, candidates, ..
                } => (lot, domain::Gate::Candidate, candidates.clone()),
                ProcedureEvent::Awarded { lot, winner, .. } => {
                    (lot, domain::Gate::Award, vec![winner.clone()])
                }
                _ => continue,
            };
            let subjects: Vec<(String, String)> = subjects
                .iter()
                .map(|c| (c.bidder.to_string(), c.name.clone()))
                .collect();
            self.credit_recheck_in(tx, lot, &procedure.draft.category, gate, &subjects, now)
                .await?;
        }
        let event_count = entries.len();
        let mut announcements = Vec::new();
        for event in &decided.events {
            if let Some(announcement) = self.announcement_for(&procedure, event, now).await? {
                announcements.push(announcement);
            }
        }
        let first = tx.size() + event_count as u64;
        for (next, announcement) in (first..).zip(announcements.iter_mut()) {
            announcement.id = format!("{}-{}", procedure.id, next);
            entries.push(NewEntry {
                stream: Announcement::stream(&announcement.id),
                kind: ANNOUNCEMENT_KIND.into(),
                visibility: Visibility::Public,
                actor: actor.to_string(),
                payload: serde_json::to_value(&*announcement)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            });
        }
        let receipts = append(tx, &self.key, &self.settings.origin, now, entries).await?;
        project(tx, &stream, &decided.after, receipts[event_count - 1].seq).await?;
        for (announcement, receipt) in announcements.iter().zip(&receipts[event_count..]) {
            tx.insert_announcement(&announcement_row(announcement, receipt.seq as i64))
                .await?;
        }
        // Facts the platform witnessed become credit records with the act.
        for event in &decided.events {
            if let Some((subject, name, fact, detail)) = credit_fact(&procedure, event) {
                self.credit_record_in(
                    tx,
                    actor,
                    &subject,
                    domain::SubjectKind::Entity,
                    &name,
                    domain::NewRecord {
                        fact: fact.into(),
                        source: domain::RecordSource::Platform {
                            stream: stream.clone(),
                            act: event.kind().into(),
                        },
                        basis: String::new(),
                        date: Date::of_instant(now),
                        until: None,
                        detail,
                    },
                    now,
                )
                .await?;
            }
        }
        Ok((procedure, receipts))
    }

    /// The announcement an event calls for, from the templates; `None` for events that publish
    /// nothing.
    async fn announcement_for(
        &self,
        procedure: &Procedure,
        event: &ProcedureEvent,
        now: i64,
    ) -> Result<Option<Announcement>, AppError> {
        let draft = &procedure.draft;
        let data = self.reference_data().await?;
        let category_name = data
            .catalog
            .category(&draft.category)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let mut fields: BTreeMap<&str, String> = BTreeMap::new();
        fields.insert("project_title", draft.title.clone());
        fields.insert("project_code", draft.project_code.clone());
        fields.insert("procedure_id", procedure.id.clone());
        fields.insert("tenderee", self.entity_name(draft.tenderee.as_ref()).await?);
        fields.insert(
            "agency",
            match &draft.agency {
                Some(agency) => self.entity_name(agency.as_ref()).await?,
                None => "无（招标人自行招标）".into(),
            },
        );
        fields.insert("method", draft.method.label_zh().into());
        fields.insert("category_name", category_name);
        fields.insert("region", draft.region.to_string());
        fields.insert("contact", draft.contact.clone());
        fields.insert("published_date", Date::of_instant(now).to_string());
        let lot_fields = |fields: &mut BTreeMap<&str, String>, code: &str| -> Option<Lot> {
            let lot = procedure.lot(code)?.clone();
            fields.insert("lot_code", lot.code.clone());
            fields.insert("lot_name", lot.name.clone());
            Some(lot)
        };
        let (kind, lot) = match event {
            ProcedureEvent::Published {
                documents,
                rules,
                opening_key,
                earliest_deadline,
                ..
            } => {
                fields.insert("description", draft.description.clone());
                fields.insert("qualification", draft.qualification.clone());
                let lots = procedure
                    .lots
                    .iter()
                    .map(|lot| {
                        format!(
                            "{}. {}（统一交易标识码 {}；最高投标限价 {} 元）",
                            lot.no,
                            lot.name,
                            lot.code,
                            yuan(lot.budget_fen)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                fields.insert("lots", lots);
                fields.insert("deadline", format_beijing_minute(draft.deadline_ms));
                fields.insert("earliest_deadline", earliest_deadline.to_string());
                fields.insert("opening_place", draft.opening_place.clone());
                fields.insert(
                    "documents",
                    format!(
                        "{}（{} 字节，SM3 {}）",
                        documents.name, documents.size, documents.sm3
                    ),
                );
                fields.insert(
                    "opening_key",
                    format!(
                        "{}（密钥仪式 {}，{} 个持有人中任意 {} 个共同解密：{}）",
                        opening_key.public_key,
                        opening_key.ceremony,
                        opening_key.holders.len(),
                        opening_key.threshold,
                        opening_key
                            .holders
                            .iter()
                            .map(|h| h.label.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                );
                fields.insert("rules", rules_text(rules));
                let mut invitees = Vec::new();
                for invitee in &draft.invitees {
                    invitees.push(self.entity_name(invitee.as_ref()).await?);
                }
                fields.insert("invitees", invitees.join("、"));
                (AnnouncementKind::TenderNotice, None)
            }
            ProcedureEvent::Amended { amendment } => {
                fields.insert("amendment_no", amendment.no.to_string());
                fields.insert("text", amendment.text.clone());
                fields.insert(
                    "old_deadline",
                    format_beijing_minute(amendment.old_deadline_ms),
                );
                fields.insert("deadline", format_beijing_minute(amendment.deadline_ms));
                let postponement = if amendment.postponed_by_rule {
                    format!(
                        "因澄清或修改距投标截止时间不足{}，投标截止时间（开标时间）相应顺延。",
                        procedure
                            .rules
                            .as_ref()
                            .map(|r| r.clarification.describe_zh())
                            .unwrap_or_default()
                    )
                } else if amendment.deadline_ms != amendment.old_deadline_ms {
                    "投标截止时间（开标时间）按本公告推迟。".into()
                } else {
                    "投标截止时间（开标时间）不变。".into()
                };
                fields.insert("postponement", postponement);
                (AnnouncementKind::Amendment, None)
            }
            ProcedureEvent::LotOpened { lot, lines, at_ms } => {
                let found = lot_fields(&mut fields, lot);
                fields.insert("opened_at", format_beijing_minute(*at_ms));
                fields.insert("count", lines.len().to_string());
                fields.insert("record", opening_record_text(lines));
                (AnnouncementKind::OpeningRecord, found)
            }
            ProcedureEvent::LotFailed { lot, reason, .. } => {
                let found = lot_fields(&mut fields, lot);
                fields.insert("reason", reason.clone());
                (AnnouncementKind::FailureNotice, found)
            }
            ProcedureEvent::CandidatesPublicised {
                lot,
                candidates,
                until_ms,
                ..
            } => {
                let found = lot_fields(&mut fields, lot);
                let price = |bidder: &domain::EntityId| {
                    found
                        .as_ref()
                        .and_then(|l| l.opening.iter().find(|o| &o.bidder == bidder))
                        .and_then(|o| o.price_fen)
                        .map(|p| format!("，投标报价 {} 元", yuan(p)))
                        .unwrap_or_default()
                };
                let list = candidates
                    .iter()
                    .map(|c| format!("第{}名：{}{}", c.rank, c.name, price(&c.bidder)))
                    .collect::<Vec<_>>()
                    .join("\n");
                fields.insert(
                    "text",
                    format!(
                        "经评标委员会评审，中标候选人如下：\n{list}\n\n公示期至 {} 止。投标人或者其他利害关系人对评标结果有异议的，应当在公示期间通过本平台提出；招标人答复前暂停招标投标活动（招标投标法实施条例 第54条）。",
                        format_beijing_minute(*until_ms)
                    ),
                );
                (AnnouncementKind::CandidatesNotice, found)
            }
            ProcedureEvent::Awarded {
                lot,
                winner,
                contract_due_ms,
                ..
            } => {
                let found = lot_fields(&mut fields, lot);
                let price = found
                    .as_ref()
                    .and_then(|l| l.opening.iter().find(|o| o.bidder == winner.bidder))
                    .and_then(|o| o.price_fen)
                    .map(|p| format!("中标价：{} 元\n", yuan(p)))
                    .unwrap_or_default();
                fields.insert(
                    "text",
                    format!(
                        "中标人：{}（统一社会信用代码 {}）\n{price}招标人应与中标人在 {} 前订立书面合同。评标委员会名单随本公告在专家抽取记录中公布，可对照抽取前的承诺核验。",
                        winner.name,
                        winner.bidder,
                        format_beijing_minute(*contract_due_ms)
                    ),
                );
                (AnnouncementKind::ResultNotice, found)
            }
            ProcedureEvent::ContractRecorded { lot, contract } => {
                let found = lot_fields(&mut fields, lot);
                let winner = found
                    .as_ref()
                    .and_then(|l| l.award.winner.as_ref())
                    .map(|w| w.name.clone())
                    .unwrap_or_default();
                fields.insert(
                    "text",
                    format!(
                        "合同当事人：招标人与中标人 {winner}\n合同文本：{}（{} 字节，SM3 {}），由双方以数字证书签署。{}",
                        contract.document.name,
                        contract.document.size,
                        contract.document.sm3,
                        if contract.late {
                            "\n注：合同签订晚于规定期限，已提示行政监督部门。"
                        } else {
                            ""
                        }
                    ),
                );
                (AnnouncementKind::ContractNotice, found)
            }
            ProcedureEvent::Terminated { reason, .. } => {
                fields.insert("reason", reason.clone());
                (AnnouncementKind::TerminationNotice, None)
            }
            _ => return Ok(None),
        };
        if !kind.published_in(&draft.rule_category) {
            return Ok(None);
        }
        let (title, body) = self.templates().render(&draft.category, kind, &fields);
        Ok(Some(Announcement {
            id: String::new(),
            procedure: procedure.id.clone(),
            lot: lot.map(|l| l.code),
            kind,
            category: draft.category.clone(),
            region: draft.region.to_string(),
            title,
            body,
            published_at_ms: now,
        }))
    }

    /// Drafts a procedure (a tenderee for itself, or an agency for a tenderee).
    pub async fn create_procedure(
        &self,
        caller: &Caller,
        input: NewProcedure,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        let mut draft = self.draft_from(caller, input)?;
        self.check_draft(&mut draft).await?;
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        let number = tx.count_documents("procedure").await? + 1;
        let id = format!(
            "ZB{}{}{:05}",
            draft.region,
            Date::of_instant(now).year(),
            number
        );
        let command = ProcedureCommand::Create {
            id: id.clone(),
            draft,
            by: caller.username.clone(),
        };
        let result = self
            .procedure_command_in(&mut tx, &caller.username, &id, command, now)
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn managed(&self, caller: &Caller, id: &str) -> Result<Procedure, AppError> {
        let procedure = self.procedure(Some(caller), id).await?;
        if manages(caller, &procedure) {
            Ok(procedure)
        } else {
            Err(AppError::NotAuthorized)
        }
    }

    /// Replaces a draft.
    pub async fn edit_procedure(
        &self,
        caller: &Caller,
        id: &str,
        input: NewProcedure,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        let current = self.managed(caller, id).await?;
        let mut draft = self.draft_from(caller, input)?;
        draft.tenderee = current.draft.tenderee.clone();
        draft.agency = current.draft.agency.clone();
        self.check_draft(&mut draft).await?;
        self.procedure_command(caller, id, ProcedureCommand::EditDraft { draft })
            .await
    }

    /// Attaches the tender documents (招标文件) to a draft.
    pub async fn attach_documents(
        &self,
        caller: &Caller,
        id: &str,
        name: &str,
        content: &[u8],
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        self.managed(caller, id).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
            return Err(AppError::refused(
                "DOCUMENT_INVALID",
                "文件名应为1到200个字符，不含路径",
            ));
        }
        if content.is_empty() {
            return Err(AppError::refused("DOCUMENT_INVALID", "招标文件不能为空"));
        }
        let sm3 = self.store.put_blob(content, self.now_ms()).await?;
        let documents = domain::Document {
            name: name.to_string(),
            sm3,
            size: content.len() as u64,
        };
        self.procedure_command(caller, id, ProcedureCommand::AttachDocuments { documents })
            .await
    }

    /// The rules a procedure of `draft` follows on `date`, resolved from the rule book.
    pub async fn tender_rules(
        &self,
        draft: &ProcedureDraft,
        date: Date,
    ) -> Result<TenderRules, AppError> {
        let keys = domain::tender_rule_keys(&draft.rule_category, draft.method)?;
        let resolved = self
            .resolve_rules(&draft.rule_category, draft.region.as_ref(), date)
            .await?;
        let period =
            |key: &str| -> Result<domain::Period, AppError> { Ok(resolved.period(key)?.period) };
        let mut rule_sets: Vec<String> = resolved
            .periods
            .values()
            .map(|p| p.rule_set.clone())
            .chain(resolved.thresholds.values().map(|t| t.rule_set.clone()))
            .collect();
        rule_sets.sort();
        rule_sets.dedup();
        Ok(TenderRules {
            rule_sets,
            deadline: period(keys.deadline)?,
            clarification: period(keys.clarification)?,
            min_bidders: resolved.threshold(keys.min_bidders)? as u32,
            min_invitees: resolved.threshold(keys.min_invitees)? as u32,
            // 实施条例 第26条 / 采购条例 第33条; construction works also the fixed cap (施工办法 第37条).
            bond_rate_cap_bp: resolved.threshold("bond_rate_cap").ok(),
            bond_cap_fen: resolved.threshold("bond_cap_works").ok(),
            sme_deduction_ranges_bp: domain::sme_deduction_ranges(&resolved, draft.method),
            sme_consortium_ranges_bp: domain::sme_consortium_ranges(&resolved, draft.method),
            sme_consortium_share_min_bp: resolved.threshold("sme_consortium_share_min").ok(),
        })
    }

    /// Publishes the 招标公告: the rules in force today are frozen into the procedure, the
    /// deadline is checked against them and the calendar, and the lots get their codes and the
    /// active opening key.
    pub async fn publish_procedure(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        let procedure = self.managed(caller, id).await?;
        let today = Date::of_instant(self.now_ms());
        let rules = self.tender_rules(&procedure.draft, today).await?;
        let calendar = self.reference_data().await?.calendar;
        let ceremony = self.active_ceremony().await?.ok_or_else(|| {
            AppError::refused(
                "NO_OPENING_KEY",
                "尚无可用的开标密钥：请交易中心先组织密钥仪式",
            )
        })?;
        let opening_key = opening_key(&ceremony)
            .ok_or_else(|| AppError::Internal("active ceremony without key".into()))?;
        self.procedure_command(
            caller,
            id,
            ProcedureCommand::Publish {
                rules,
                calendar,
                opening_key,
            },
        )
        .await
    }

    /// A clarification or amendment (变更/澄清公告); the deadline moves when the rules say so.
    pub async fn amend_procedure(
        &self,
        caller: &Caller,
        id: &str,
        input: NewAmendment,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        self.managed(caller, id).await?;
        let deadline_ms = if input.deadline.trim().is_empty() {
            None
        } else {
            Some(parse_beijing_minute(&input.deadline)?)
        };
        let calendar = self.reference_data().await?.calendar;
        self.procedure_command(
            caller,
            id,
            ProcedureCommand::Amend {
                text: input.text.trim().to_string(),
                document: None,
                deadline_ms,
                calendar,
            },
        )
        .await
    }

    /// 终止 — the tenderee or agency ends the procedure, with a reason (终止公告).
    pub async fn terminate_procedure(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        self.managed(caller, id).await?;
        self.procedure_command(
            caller,
            id,
            ProcedureCommand::Terminate {
                reason: reason.trim().to_string(),
            },
        )
        .await
    }

    /// 暂停 a lot while an objection or complaint is reviewed (the trading center or supervision).
    pub async fn suspend_lot(
        &self,
        caller: &Caller,
        lot: &str,
        reason: &str,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor]) {
            return Err(AppError::NotAuthorized);
        }
        self.procedure_command(
            caller,
            procedure_of_lot(lot)?,
            ProcedureCommand::Suspend {
                lot: lot.to_string(),
                reason: reason.trim().to_string(),
            },
        )
        .await
    }

    /// 恢复 a suspended lot.
    pub async fn resume_lot(
        &self,
        caller: &Caller,
        lot: &str,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor]) {
            return Err(AppError::NotAuthorized);
        }
        self.procedure_command(
            caller,
            procedure_of_lot(lot)?,
            ProcedureCommand::Resume {
                lot: lot.to_string(),
            },
        )
        .await
    }

    /// The tender documents of a published procedure. A registered bidder's download is
    /// recorded with an identifier of this copy (文件创建标识码, returned third), which the
    /// bidding tool carries into the envelope; the tenderee, agency, trading center and
    /// supervision may read them too (no copy is recorded for them).
    pub async fn tender_documents(
        &self,
        caller: &Caller,
        lot: &str,
    ) -> Result<(domain::Document, Vec<u8>, Option<String>), AppError> {
        let procedure = self.procedure(Some(caller), procedure_of_lot(lot)?).await?;
        procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let documents = procedure
            .documents
            .clone()
            .ok_or(AppError::NotFound("尚未上传招标文件"))?;
        let overseer = manages(caller, &procedure)
            || caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]);
        let mut copy = None;
        if !overseer {
            let bidder = EntityId(caller.entity_id.clone());
            let stream = self.bid_stream(lot, &bidder);
            let mut tx = self.store.begin().await?;
            let now = self.now_ms();
            let nonce: [u8; 16] = rand::random();
            let id = self
                .key
                .keyed_digest(
                    format!("copy\n{lot}\n{bidder}\n{now}\n{}", hex::encode(nonce)).as_bytes(),
                )
                .to_hex()[..32]
                .to_uppercase();
            let (decided, entries) = decide::<Option<Bid>>(
                &mut tx,
                &stream,
                BidCommand::RecordDownload { copy: id.clone() },
                BID_ACTOR,
                now,
            )
            .await?;
            let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
            project(&mut tx, &stream, &decided.after, receipts[0].seq).await?;
            tx.commit().await?;
            copy = Some(id);
        }
        let content = self
            .store
            .blob(&documents.sm3)
            .await?
            .ok_or_else(|| AppError::Internal("tender documents blob missing".into()))?;
        Ok((documents, content, copy))
    }

    /// What the lot says to a bid command for `caller`'s entity now.
    async fn lot_terms(
        &self,
        caller: &Caller,
        procedure: &Procedure,
        lot: &Lot,
    ) -> Result<LotTerms, AppError> {
        let may_trade = match self.require_may_trade(caller).await {
            Ok(()) => true,
            Err(AppError::Domain(DomainError::NotActive)) => false,
            Err(other) => return Err(other),
        };
        Ok(LotTerms {
            lot: lot.code.clone(),
            deadline_ms: procedure.deadline_ms(),
            bidding: procedure.status == ProcedureStatus::Published
                && lot.status == LotStatus::Bidding,
            invited: procedure.draft.method != Method::InvitedTender
                || procedure
                    .draft
                    .invitees
                    .iter()
                    .any(|id| id.as_ref() == caller.entity_id),
            bidder_may_trade: may_trade,
        })
    }

    /// Runs a bid command; the deadline is judged with the clock read after the writer lock is
    /// taken, so a bid cannot slip in behind an opening that has already started.
    async fn bid_command(
        &self,
        caller: &Caller,
        lot_code: &str,
        command: impl FnOnce(LotTerms) -> BidCommand,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Bidder)?;
        let procedure = self.load_procedure(procedure_of_lot(lot_code)?).await?;
        let lot = procedure
            .lot(lot_code)
            .ok_or(DomainError::LotNotFound)?
            .clone();
        let terms = self.lot_terms(caller, &procedure, &lot).await?;
        let bidder = EntityId(caller.entity_id.clone());
        let stream = self.bid_stream(lot_code, &bidder);
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        // The procedure may have changed (an amendment moved the deadline) since it was read.
        let (current, _) = crate::witness::replay::load::<Option<Procedure>>(
            &mut tx,
            &procedure_stream(&procedure.id),
        )
        .await?;
        let current = current.ok_or(DomainError::ProcedureNotFound)?;
        let current_lot = current.lot(lot_code).ok_or(DomainError::LotNotFound)?;
        let terms = LotTerms {
            deadline_ms: current.deadline_ms(),
            bidding: current.status == ProcedureStatus::Published
                && current_lot.status == LotStatus::Bidding,
            ..terms
        };
        let (decided, entries) =
            decide::<Option<Bid>>(&mut tx, &stream, command(terms), BID_ACTOR, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("bid command appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        tx.commit().await?;
        Ok(last)
    }

    /// 报名 — a bidder registers for a lot.
    pub async fn register_for_lot(&self, caller: &Caller, lot: &str) -> Result<Receipt, AppError> {
        caller.require(Role::Bidder)?;
        let procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        // An entity that may not trade at all is refused as such (below); the credit gate
        // judges the others.
        if self.require_may_trade(caller).await.is_ok() {
            self.require_credit(
                &caller.entity_id,
                &procedure.draft.category,
                domain::Gate::Register,
            )
            .await?;
        }
        let bidder = EntityId(caller.entity_id.clone());
        let by = caller.username.clone();
        self.bid_command(caller, lot, |terms| BidCommand::Register {
            terms,
            bidder,
            by,
        })
        .await
    }

    /// 撤回 — a bidder withdraws its envelope before the deadline.
    pub async fn withdraw_bid(&self, caller: &Caller, lot: &str) -> Result<Receipt, AppError> {
        self.bid_command(caller, lot, |terms| BidCommand::Withdraw { terms })
            .await
    }

    /// Starts receiving a sealed envelope for `lot` from `caller`. Refuses at once when the
    /// bidder is not registered or the deadline has passed, before any byte is read.
    pub async fn begin_bid(&self, caller: &Caller, lot: &str) -> Result<BidIntake<'_>, AppError> {
        caller.require(Role::Bidder)?;
        let procedure = self.load_procedure(procedure_of_lot(lot)?).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let terms = self.lot_terms(caller, &procedure, found).await?;
        if !terms.bidding {
            return Err(DomainError::LotNotBidding.into());
        }
        if self.now_ms() >= terms.deadline_ms {
            return Err(DomainError::BidTooLate.into());
        }
        if terms.bidder_may_trade {
            self.require_credit(
                &caller.entity_id,
                &procedure.draft.category,
                domain::Gate::Bid,
            )
            .await?;
        }
        if let Some(bond) = found.bond_fen {
            let required = self
                .credit_bond_fen(&caller.entity_id, &procedure.draft.category, bond)
                .await?;
            if required > 0 {
                self.require_bond(lot, &caller.entity_id, required, procedure.deadline_ms())
                    .await?;
            }
        }
        let stream = self.bid_stream(lot, &EntityId(caller.entity_id.clone()));
        if self.store.document(&stream).await?.is_none() {
            return Err(DomainError::NotRegisteredForLot.into());
        }
        let opening_key = procedure
            .opening_key
            .as_ref()
            .map(|k| k.public_key.clone())
            .unwrap_or_default();
        Ok(BidIntake {
            app: self,
            caller: caller.clone(),
            lot: lot.to_string(),
            opening_key,
            upload: self.store.blob_upload_keyed(),
            prefix: Vec::new(),
            header: None,
            header_line: String::new(),
            digest: None,
            ciphertext: Sm3Hasher::new(),
            address: None,
        })
    }

    /// Submits a whole envelope held in memory (tools and tests; pages and the API stream).
    pub async fn submit_bid(
        &self,
        caller: &Caller,
        lot: &str,
        envelope: &[u8],
    ) -> Result<BidReceipt, AppError> {
        let mut intake = self.begin_bid(caller, lot).await?;
        for chunk in envelope.chunks(256 * 1024) {
            if let Err(error) = intake.push(chunk).await {
                intake.abort().await;
                return Err(error);
            }
        }
        intake.finish().await
    }

    /// The caller's own bids (a bidder sees only its entity's).
    pub async fn my_bids(&self, caller: &Caller) -> Result<Vec<MyBid>, AppError> {
        caller.require(Role::Bidder)?;
        if caller.entity_id.is_empty() {
            return Ok(Vec::new());
        }
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key2: Some(&caller.entity_id),
                    ..Default::default()
                },
                500,
                0,
            )
            .await?;
        let mut out = Vec::new();
        for row in &page.items {
            let bid: Bid = decode_state(&row.state)?;
            let procedure = self.load_procedure(procedure_of_lot(&bid.lot)?).await?;
            let lot = procedure.lot(&bid.lot).cloned();
            out.push(MyBid {
                procedure_id: procedure.id.clone(),
                procedure_title: procedure.draft.title.clone(),
                lot_name: lot.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
                deadline_ms: procedure.deadline_ms(),
                lot_status: lot
                    .as_ref()
                    .map(|l| phase_label(&procedure, l, self.now_ms()))
                    .unwrap_or_default(),
                bid,
            });
        }
        Ok(out)
    }

    /// The caller's own bid for a lot, if registered.
    pub async fn my_bid(&self, caller: &Caller, lot: &str) -> Result<Option<Bid>, AppError> {
        let stream = self.bid_stream(lot, &EntityId(caller.entity_id.clone()));
        self.store
            .document(&stream)
            .await?
            .map(|row| decode_state(&row.state))
            .transpose()
    }

    /// The envelopes of a lot as submitted (the opening's input).
    async fn sealed_bids(&self, lot: &str) -> Result<Vec<SealedBidRef>, AppError> {
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key1: Some(lot),
                    status: Some("submitted"),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut bids = Vec::new();
        for row in &page.items {
            let bid: Bid = decode_state(&row.state)?;
            if let Some(envelope) = bid.envelope {
                bids.push(SealedBidRef {
                    bidder_name: self.entity_name(bid.bidder.as_ref()).await?,
                    bidder: bid.bidder,
                    envelope: envelope.sm3,
                    wrapped_key: envelope.wrapped_key,
                    header: envelope.header,
                    submitted_at_ms: bid.submitted_at_ms,
                });
            }
        }
        bids.sort_by(|a, b| a.bidder.cmp(&b.bidder));
        Ok(bids)
    }

    /// 开标: at or after the deadline the lot's envelopes are fixed for the key holders (or the
    /// lot fails when fewer arrived than the rules require). The trading center, the tenderee or
    /// its agency start it; the platform's own opener calls it with `None`.
    pub async fn start_opening(
        &self,
        caller: Option<&Caller>,
        lot: &str,
    ) -> Result<(Procedure, Vec<Receipt>), AppError> {
        let id = procedure_of_lot(lot)?;
        let procedure = self.load_procedure(id).await?;
        if let Some(caller) = caller
            && !(manages(caller, &procedure) || caller.has(Role::Operator))
        {
            return Err(AppError::NotAuthorized);
        }
        // A lot whose partials are all in but whose record is missing (a failed finish) is
        // finished now.
        if let Some(found) = procedure.lot(lot)
            && matches!(found.status, LotStatus::Opening { .. })
        {
            let threshold = procedure
                .opening_key
                .as_ref()
                .map_or(u32::MAX, |k| k.threshold);
            if found.partials.len() as u32 >= threshold {
                let receipts = self.finish_opening(lot).await?;
                return Ok((self.load_procedure(id).await?, receipts));
            }
        }
        let actor = caller.map_or("system".to_string(), |c| c.username.clone());
        let mut tx = self.store.begin().await?;
        let now = self.now_ms();
        // Read under the writer lock: every accepted envelope is committed, and any later one
        // is refused by the deadline.
        let bids = self.sealed_bids(lot).await?;
        let result = self
            .procedure_command_in(
                &mut tx,
                &actor,
                id,
                ProcedureCommand::StartOpening {
                    lot: lot.to_string(),
                    bids,
                },
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(result)
    }

    /// What a key holder needs to make its partial decryptions: the public entry that started
    /// the opening and its inclusion proof to the newest signed head.
    pub async fn opening_request(&self, lot: &str) -> Result<OpeningRequest, AppError> {
        let id = procedure_of_lot(lot)?;
        let procedure = self.load_procedure(id).await?;
        let key = procedure
            .opening_key
            .as_ref()
            .ok_or(DomainError::ProcedureNotPublished)?;
        let rows = self.store.stream_entries(&procedure_stream(id)).await?;
        let row = rows
            .iter()
            .rev()
            .find(|row| {
                row.kind == "procedure.opening_started"
                    && serde_json::from_str::<ProcedureEvent>(&row.payload).is_ok_and(
                        |e| matches!(e, ProcedureEvent::OpeningStarted { lot: l, .. } if l == lot),
                    )
            })
            .ok_or(DomainError::LotNotOpening)?;
        let entry = crate::witness::verify::entry_of_row(row)?;
        let proof = self.inclusion(row.seq as u64, None).await?;
        let size = proof.tree_head.head.size;
        let mut schedule = Vec::new();
        for earlier in rows.iter().filter(|r| {
            r.seq < row.seq && (r.kind == "procedure.published" || r.kind == "procedure.amended")
        }) {
            let proven = self.inclusion(earlier.seq as u64, Some(size)).await?;
            schedule.push(crate::tendering::holder::ProvenEntry {
                entry: crate::witness::verify::entry_of_row(earlier)?,
                path: proven.path,
            });
        }
        Ok(OpeningRequest {
            lot: lot.to_string(),
            procedure: id.to_string(),
            ceremony: key.ceremony.clone(),
            entry,
            tree_head: proof.tree_head,
            path: proof.path,
            schedule,
        })
    }

    /// A key holder's partial decryptions: every proof is checked against the holder's
    /// verification key; a bad one is refused and named. Once `threshold` holders are in, the
    /// lot is opened at once.
    pub async fn submit_partials(
        &self,
        caller: &Caller,
        lot: &str,
        request: PartialsRequest,
    ) -> Result<Vec<Receipt>, AppError> {
        let id = procedure_of_lot(lot)?;
        let procedure = self.load_procedure(id).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let LotStatus::Opening { bids } = &found.status else {
            return Err(DomainError::LotNotOpening.into());
        };
        let key = procedure
            .opening_key
            .as_ref()
            .ok_or(DomainError::ProcedureNotPublished)?;
        let shared = shared_key(key)?;
        for (bid, partial) in bids.iter().zip(&request.partials) {
            let wrapped = hex::decode(&bid.wrapped_key)
                .map_err(|_| AppError::Internal("stored wrapped key".into()))?;
            let checked = crypto::Partial::from_hex(request.index, &partial.point, &partial.proof)
                .and_then(|p| {
                    shared.verify_partial(
                        &wrapped,
                        &p,
                        &partial_context(lot, bid.bidder.as_ref(), &bid.envelope),
                    )
                });
            if checked.is_err() || partial.bidder != bid.bidder {
                return Err(AppError::PartialInvalid {
                    holder: request.index,
                    bidder: bid.bidder_name.clone(),
                });
            }
        }
        let (procedure, receipts) = self
            .procedure_command(
                caller,
                id,
                ProcedureCommand::AcceptPartial {
                    lot: lot.to_string(),
                    holder: request.index,
                    account: caller.username.clone(),
                    partials: request.partials,
                },
            )
            .await?;
        let mut receipts = receipts;
        let have = procedure.lot(lot).map_or(0, |l| l.partials.len()) as u32;
        if have >= key.threshold {
            // The partial is in whatever happens next; a failed or concurrent finish is retried
            // by `start_opening` (or was done by the other holder).
            match self.finish_opening(lot).await {
                Ok(more) => receipts.extend(more),
                Err(AppError::Domain(DomainError::LotNotOpening)) => {}
                Err(error) => {
                    tracing::error!(%error, lot, "the opening could not be finished; it will be retried")
                }
            }
        }
        Ok(receipts)
    }

    /// Decrypts every envelope of the lot with the accepted partials and publishes the opening
    /// record; an envelope that fails to verify or decrypt is listed with the reason.
    pub async fn finish_opening(&self, lot: &str) -> Result<Vec<Receipt>, AppError> {
        let id = procedure_of_lot(lot)?;
        let procedure = self.load_procedure(id).await?;
        let found = procedure.lot(lot).ok_or(DomainError::LotNotFound)?;
        let LotStatus::Opening { bids } = &found.status else {
            return Err(DomainError::LotNotOpening.into());
        };
        let key = procedure
            .opening_key
            .as_ref()
            .ok_or(DomainError::ProcedureNotPublished)?;
        let shared = shared_key(key)?;
        let mut lines = Vec::new();
        for (position, bid) in bids.iter().enumerate() {
            let partials: Vec<crypto::Partial> = found
                .partials
                .iter()
                .filter_map(|(index, partials)| {
                    let p = partials.get(position)?;
                    crypto::Partial::from_hex(*index, &p.point, &p.proof).ok()
                })
                .collect();
            // A missing or damaged file is that bid's failure, not the opening's.
            let content = match self.store.blob(&bid.envelope).await {
                Ok(content) => content,
                Err(error) => {
                    tracing::error!(%error, lot, envelope = %bid.envelope, "a sealed bid cannot be read at the opening");
                    None
                }
            };
            let mut files = Vec::new();
            let mut line = open_one(lot, bid, content, &shared, &partials, &mut files);
            // A bond asked and no longer held (refunded, withheld, a guarantee that no longer
            // covers the deadline): the bid does not stand.
            let required = match found.bond_fen {
                Some(bond) => {
                    self.credit_bond_fen(bid.bidder.as_ref(), &procedure.draft.category, bond)
                        .await?
                }
                None => 0,
            };
            if required > 0
                && line.outcome == OpeningOutcome::Opened
                && self
                    .require_bond(lot, bid.bidder.as_ref(), required, procedure.deadline_ms())
                    .await
                    .is_err()
            {
                line.outcome = OpeningOutcome::Failed {
                    reason: "未按招标文件要求提交有效的投标保证金".into(),
                };
            }
            lines.push(line);
            // The opened files are kept for the committee (content-addressed; the opening record
            // lists their SM3). Stored before the record: a crash leaves an unreferenced blob,
            // never a record without its files.
            for (_, bytes) in files {
                self.store.put_blob(&bytes, self.now_ms()).await?;
            }
        }
        let (_, receipts) = self
            .procedure_command(
                &Caller::system(),
                id,
                ProcedureCommand::RecordOpening {
                    lot: lot.to_string(),
                    lines,
                },
            )
            .await?;
        Ok(receipts)
    }
}

pub(crate) fn shared_key(key: &domain::OpeningKey) -> Result<crypto::SharedKey, AppError> {
    Ok(crypto::SharedKey {
        public_key: crypto::PublicKey::from_hex(&key.public_key)?,
        threshold: key.threshold as usize,
        verification_keys: key
            .holders
            .iter()
            .map(|h| {
                Ok((
                    h.index,
                    hex::decode(&h.verification_key)
                        .map_err(|_| AppError::Internal("verification key".into()))?,
                ))
            })
            .collect::<Result<_, AppError>>()?,
    })
}

/// Opens one envelope; never fails, but records why it could not be opened.
pub(crate) fn open_one(
    lot: &str,
    bid: &SealedBidRef,
    content: Option<Vec<u8>>,
    shared: &crypto::SharedKey,
    partials: &[crypto::Partial],
    files: &mut Vec<(String, Vec<u8>)>,
) -> OpeningLine {
    let mut line = OpeningLine {
        bidder: bid.bidder.clone(),
        bidder_name: bid.bidder_name.clone(),
        envelope: bid.envelope.clone(),
        outcome: OpeningOutcome::Opened,
        price_fen: None,
        form: BTreeMap::new(),
        files: Vec::new(),
        submitted_at_ms: bid.submitted_at_ms,
    };
    let failed = |mut line: OpeningLine, reason: &str| {
        line.outcome = OpeningOutcome::Failed {
            reason: reason.to_string(),
        };
        line
    };
    let Some(content) = content else {
        return failed(line, "投标文件未在平台存储中找到");
    };
    let Ok(envelope) = Envelope::from_bytes(&content) else {
        return failed(line, "文件格式不是密封投标文件");
    };
    if Envelope::digest_of_file(&content).map(|d| d.to_hex()).ok() != Some(bid.envelope.clone()) {
        return failed(line, "存储的投标文件与递交时的摘要不符");
    }
    if envelope.verify().is_err() {
        return failed(line, "投标文件签名或密文摘要验证失败（文件被篡改）");
    }
    let Ok(wrapped) = envelope.wrapped_key() else {
        return failed(line, "封装密钥格式错误");
    };
    let context = partial_context(lot, bid.bidder.as_ref(), &bid.envelope);
    let Ok(data_key) = shared.combine(&wrapped, partials, &context) else {
        return failed(line, "数据密钥解密失败（密钥份额不足或封装密钥损坏）");
    };
    let Ok(package) = envelope.open(&data_key) else {
        return failed(line, "投标文件解密失败（SM4-GCM 认证标签不符）");
    };
    let Ok(package) = crypto::BidPackage::from_bytes(&package) else {
        return failed(line, "投标文件内容格式错误");
    };
    line.price_fen = package.form.get("price_fen").and_then(|v| v.as_i64());
    if let Some(form) = package.form.as_object() {
        for (key, value) in form {
            if key == "price_fen" {
                continue;
            }
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            line.form.insert(key.clone(), text);
        }
    }
    line.files = package
        .files
        .iter()
        .map(|(name, bytes)| domain::Document {
            name: name.clone(),
            sm3: crypto::sm3(bytes).to_hex(),
            size: bytes.len() as u64,
        })
        .collect();
    if line.price_fen.is_none() {
        return failed(line, "投标函中没有投标报价（price_fen）");
    }
    if line.price_fen.is_some_and(|p| p <= 0) {
        return failed(line, "投标报价应为正数");
    }
    files.extend(package.files);
    line
}

fn rules_text(rules: &TenderRules) -> String {
    format!(
        "自招标文件开始发出之日起至投标截止{}；澄清或修改应在投标截止时间{}作出，否则顺延；投标人少于{}个的不予开标（规则集：{}）",
        rules.deadline.describe_zh(),
        rules.clarification.describe_zh(),
        rules.min_bidders,
        rules.rule_sets.join("、")
    )
}

fn opening_record_text(lines: &[OpeningLine]) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| match &line.outcome {
            OpeningOutcome::Opened => {
                let extra = line
                    .form
                    .iter()
                    .map(|(k, v)| format!("{}：{}", form_label(k), v))
                    .collect::<Vec<_>>()
                    .join("；");
                format!(
                    "{}. {}：投标报价 {} 元{}{}",
                    i + 1,
                    line.bidder_name,
                    line.price_fen.map(yuan).unwrap_or_default(),
                    if extra.is_empty() { "" } else { "；" },
                    extra
                )
            }
            OpeningOutcome::Failed { reason } => {
                format!("{}. {}：未能开启 —— {}", i + 1, line.bidder_name, reason)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Chinese label of a bid-form field.
pub fn form_label(key: &str) -> &str {
    match key {
        "price_fen" => "投标报价",
        "duration_days" => "工期（日历天）",
        "quality" => "质量标准",
        "warranty" => "质保期",
        "project_manager" => "项目负责人",
        "delivery" => "交货期",
        other => other,
    }
}

/// The Chinese label of a lot's phase at `now_ms`.
pub fn phase_label(procedure: &Procedure, lot: &Lot, now_ms: i64) -> String {
    match procedure.phase(lot, now_ms) {
        LotPhase::Draft => "草稿".into(),
        LotPhase::Bidding => "投标中".into(),
        LotPhase::BiddingClosed => "投标已截止，待开标".into(),
        LotPhase::Other => match &lot.status {
            LotStatus::Opening { .. } => "开标中（等待密钥持有人解密）".into(),
            LotStatus::Opened => "已开标".into(),
            LotStatus::Evaluating => "评标中".into(),
            LotStatus::Evaluated => "评标结束".into(),
            LotStatus::CandidatesPublicised => "中标候选人公示中".into(),
            LotStatus::Awarded => "已发中标通知书".into(),
            LotStatus::Contracted => "已签订合同".into(),
            LotStatus::Performing => "履约中".into(),
            LotStatus::Completed => "已完成".into(),
            LotStatus::Failed { .. } => "流标".into(),
            LotStatus::Suspended { .. } => "暂停".into(),
            LotStatus::Terminated { .. } => "已终止".into(),
            LotStatus::Bidding => "投标中".into(),
        },
    }
}

/// The credit fact a procedure event witnesses, with its subject: a declined or lapsed award,
/// a late or failed performance (the lot's winner).
fn credit_fact(
    procedure: &Procedure,
    event: &ProcedureEvent,
) -> Option<(String, String, &'static str, String)> {
    match event {
        ProcedureEvent::AwardDeclined {
            lot,
            winner,
            reason,
            lapsed,
            ..
        } => Some((
            winner.bidder.to_string(),
            winner.name.clone(),
            if *lapsed {
                "contract_not_signed"
            } else {
                "award_declined"
            },
            format!("标段（包）{lot}：{reason}"),
        )),
        ProcedureEvent::PerformanceRecorded { lot, note } => {
            let fact = match note.outcome {
                domain::PerformanceOutcome::Normal => return None,
                domain::PerformanceOutcome::Late { .. } => "performance_late",
                domain::PerformanceOutcome::Failed => "performance_failed",
            };
            let winner = procedure.lot(lot)?.award.winner.clone()?;
            Some((
                winner.bidder.to_string(),
                winner.name,
                fact,
                format!("标段（包）{lot}：{}；{}", note.outcome.label(), note.text),
            ))
        }
        _ => None,
    }
}
