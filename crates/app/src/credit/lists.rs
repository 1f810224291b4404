//! External credit lists imported by the trading center: signed with its operator's certificate,
//! naming their source and cut-off time, checked whole (every bad row reported, nothing
//! written), matched by code — or, for natural persons whose public number is masked, proposed
//! to the operator by name, region and visible digits and recorded once confirmed — and withdrawn
//! when a later import of the same list no longer names them.

use std::collections::BTreeMap;

use domain::{
    CreditCommand, CreditList, CreditListCommand, Date, Decider, DomainError, IdNumber, ListImport,
    ListRow, ListedCode, NewRecord, PendingMatch, RecordSource, Role, SubjectKind, masked_matches,
    parse_list_csv,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};
use store::{DocumentRow, WriteTx};

use crate::credit::records::credit_stream;
use crate::witness::append::append;
use crate::witness::documents::{DocumentAggregate, decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// An import as the trading center submits it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListImportRequest {
    /// The list's code in the credit standards (e.g. `dishonest_debtors`).
    pub list: String,
    /// Where and how it was obtained.
    pub source: String,
    /// The list's cut-off time (截止时间), unix ms.
    pub cutoff_ms: i64,
    /// The CSV file (`domain::LIST_CSV_HEADER`).
    pub csv: String,
    /// SM2 signature (hex) over `list_signing_payload`, by the operator's entity's certificate.
    pub signature: String,
    pub certificate_pem: String,
}

/// What the operator signs: `{"csv_sm3", "cutoff_ms", "list", "source"}` in canonical JSON.
pub fn list_signing_payload(
    list: &str,
    source: &str,
    cutoff_ms: i64,
    csv: &str,
) -> serde_json::Value {
    serde_json::json!({
        "list": list,
        "source": source,
        "cutoff_ms": cutoff_ms,
        "csv_sm3": crypto::sm3(csv.as_bytes()).to_hex(),
    })
}

fn list_stream(list: &str) -> String {
    format!("credit-list/{list}")
}

impl DocumentAggregate for Option<CreditList> {
    fn document(&self, stream: &str, last_seq: i64) -> Option<DocumentRow> {
        let list = self.as_ref()?;
        Some(DocumentRow {
            stream: stream.to_string(),
            kind: "credit_list".into(),
            key1: list.list.clone(),
            key2: list.latest.id.clone(),
            status: if list.latest.pending.iter().any(|p| p.confirmed.is_none()) {
                "pending"
            } else {
                "matched"
            }
            .into(),
            sort_ms: list.latest.at_ms,
            state: serde_json::to_string(list).unwrap_or_default(),
            last_seq,
        })
    }

    fn event_kind(event: &domain::CreditListEvent) -> &'static str {
        event.kind()
    }

    fn visibility(_: &domain::CreditListEvent) -> Visibility {
        // The operator's working file (masked numbers, candidates); the records are public.
        Visibility::Parties
    }
}

impl App {
    /// Imports a list: the signature by the operator's own entity's certificate over the file's
    /// digest, the cut-off after the last import's and not in the future, every row valid (all
    /// bad rows reported at once). Rows are recorded against their code (registered or not);
    /// masked rows wait for the operator's confirmation (a confirmation of an earlier import
    /// carries over); records of this list no longer named are withdrawn. One transaction.
    pub async fn import_credit_list(
        &self,
        caller: &Caller,
        request: &ListImportRequest,
    ) -> Result<(ListImport, Receipt), AppError> {
        caller.require(Role::Operator)?;
        let data = self.reference_data().await?;
        let kind = data
            .credit
            .list(&request.list)
            .cloned()
            .ok_or(DomainError::ListUnknown)?;
        let now = self.now_ms();
        if request.cutoff_ms <= 0 || request.cutoff_ms > now {
            return Err(DomainError::ListCutoff.into());
        }
        domain::text_field("名单来源说明", &request.source, 500)?;
        let signature = crypto::Signature::from_hex(request.signature.trim())
            .map_err(|_| AppError::from(crypto::CertError::BadSignature))?;
        let payload = list_signing_payload(
            &request.list,
            &request.source,
            request.cutoff_ms,
            &request.csv,
        );
        let holder = self
            .verify_signed_act(&payload, &signature, &request.certificate_pem, now)
            .await?;
        if !caller.acts_for(&holder.id) {
            return Err(AppError::refused(
                "LIST_SIGNER",
                "名单须以本交易中心（操作员所属单位）的数字证书签署",
            ));
        }
        let cutoff = Date::of_instant(request.cutoff_ms);
        let rows = parse_list_csv(&request.csv, cutoff)?;
        let previous = match self.store.document(&list_stream(&request.list)).await? {
            Some(row) => Some(decode_state::<CreditList>(&row.state)?),
            None => None,
        };
        let mut matched = BTreeMap::new();
        let mut pending = Vec::new();
        for row in &rows {
            match &row.code {
                ListedCode::Uscc { code } => {
                    matched.insert(row.key(), code.clone());
                }
                ListedCode::IdNumber { number } => {
                    let id = IdNumber::parse(number)?;
                    matched.insert(row.key(), self.person_entity_id(&id).to_string());
                }
                ListedCode::Masked { pattern } => {
                    let carried = previous
                        .as_ref()
                        .and_then(|p| p.latest.matched.get(&row.key()).cloned());
                    if let Some(subject) = carried {
                        matched.insert(row.key(), subject);
                        continue;
                    }
                    let candidates = self.masked_candidates(row, pattern).await?;
                    pending.push(PendingMatch {
                        line: row.line,
                        key: row.key(),
                        name: row.name.clone(),
                        pattern: pattern.clone(),
                        region: row.region.clone(),
                        candidates,
                        confirmed: None,
                    });
                }
            }
        }
        let number = previous.as_ref().map_or(0, |p| p.history.len()) + 1;
        let csv_sm3 = crypto::sm3(request.csv.as_bytes()).to_hex();
        let certificate = crypto::Certificate::from_pem(&request.certificate_pem)?;
        let import = ListImport {
            id: format!("{}@{number}", request.list),
            list: request.list.clone(),
            source: request.source.trim().to_string(),
            cutoff_ms: request.cutoff_ms,
            csv_sm3,
            signer: certificate.fingerprint().to_hex(),
            signature: request.signature.trim().to_string(),
            rows: rows.len() as u32,
            matched: matched.clone(),
            pending,
            by: caller.username.clone(),
            at_ms: now,
        };
        // Every check before anything is stored: a refused import writes nothing, not even
        // its file.
        previous
            .clone()
            .decide(CreditListCommand::Import(Box::new(import.clone())), now)?;
        self.store.put_blob(request.csv.as_bytes(), now).await?;
        let mut tx = self.store.begin().await?;
        let stream = list_stream(&request.list);
        let (decided, entries) = decide::<Option<CreditList>>(
            &mut tx,
            &stream,
            CreditListCommand::Import(Box::new(import.clone())),
            &caller.username,
            now,
        )
        .await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let receipt = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("list import appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, receipt.seq).await?;
        let by_key: BTreeMap<String, &ListRow> = rows.iter().map(|r| (r.key(), r)).collect();
        for (key, subject) in &matched {
            if let Some(row) = by_key.get(key) {
                self.list_record_in(&mut tx, caller, &kind.fact, &import, row, subject, now)
                    .await?;
            }
        }
        // Withdrawn: subjects the previous import named that this one does not.
        if let Some(previous) = &previous {
            let still: std::collections::BTreeSet<&String> = matched.values().collect();
            for subject in previous.latest.matched.values() {
                if still.contains(subject) {
                    continue;
                }
                let record = match tx.document(&credit_stream(subject)).await? {
                    Some(row) => decode_state::<domain::CreditFile>(&row.state)?
                        .active_from_list(&request.list)
                        .map(|r| r.id.clone()),
                    None => None,
                };
                if let Some(id) = record {
                    self.credit_command_in(
                        &mut tx,
                        &caller.username,
                        subject,
                        CreditCommand::Withdraw {
                            id,
                            reason: format!(
                                "{}截至 {} 的名单不再列入（导入 {}）",
                                kind.name,
                                domain::format_beijing_ms(request.cutoff_ms),
                                import.id
                            ),
                        },
                        now,
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok((import, receipt))
    }

    /// One listed row's record, unless the subject already has an active one from this list.
    #[allow(clippy::too_many_arguments)]
    async fn list_record_in(
        &self,
        tx: &mut WriteTx<'_>,
        caller: &Caller,
        fact: &str,
        import: &ListImport,
        row: &ListRow,
        subject: &str,
        now: i64,
    ) -> Result<(), AppError> {
        if let Some(existing) = tx.document(&credit_stream(subject)).await? {
            let file: domain::CreditFile = decode_state(&existing.state)?;
            if file.active_from_list(&import.list).is_some() {
                return Ok(());
            }
        }
        self.credit_record_in(
            tx,
            &caller.username,
            subject,
            SubjectKind::Entity,
            &row.name,
            NewRecord {
                fact: fact.to_string(),
                source: RecordSource::List {
                    list: import.list.clone(),
                    import: import.id.clone(),
                    cutoff_ms: import.cutoff_ms,
                    row: row.line,
                },
                basis: row.basis.clone(),
                date: row.listed_on,
                until: row.until,
                detail: format!("名单所列名称：{}；地区：{}", row.name, row.region),
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// Registered natural persons a masked row could be: the same name and region, every visible
    /// digit equal.
    async fn masked_candidates(
        &self,
        row: &ListRow,
        pattern: &str,
    ) -> Result<Vec<String>, AppError> {
        Ok(self
            .store
            .entities_named("natural_person", &row.name)
            .await?
            .into_iter()
            .filter(|e| e.region == row.region && masked_matches(pattern, &e.code))
            .map(|e| e.id)
            .collect())
    }

    /// The operator confirms that a masked row is one registered person: the record is added.
    pub async fn confirm_list_match(
        &self,
        caller: &Caller,
        list: &str,
        key: &str,
        subject: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let data = self.reference_data().await?;
        let kind = data
            .credit
            .list(list)
            .cloned()
            .ok_or(DomainError::ListUnknown)?;
        let current = match self.store.document(&list_stream(list)).await? {
            Some(row) => decode_state::<CreditList>(&row.state)?,
            None => return Err(DomainError::ListMatch.into()),
        };
        let now = self.now_ms();
        let command = CreditListCommand::ConfirmMatch {
            key: key.to_string(),
            subject: subject.to_string(),
        };
        Some(current.clone()).decide(command.clone(), now)?;
        let csv = self
            .store
            .blob(&current.latest.csv_sm3)
            .await?
            .ok_or_else(|| AppError::Internal("imported list file missing".into()))?;
        let rows = parse_list_csv(
            &String::from_utf8_lossy(&csv),
            Date::of_instant(current.latest.cutoff_ms),
        )?;
        let row = rows
            .iter()
            .find(|r| r.key() == key)
            .ok_or(DomainError::ListMatch)?;
        let mut tx = self.store.begin().await?;
        let stream = list_stream(list);
        let (decided, entries) =
            decide::<Option<CreditList>>(&mut tx, &stream, command, &caller.username, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let receipt = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("confirmation appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, receipt.seq).await?;
        self.list_record_in(
            &mut tx,
            caller,
            &kind.fact,
            &current.latest,
            row,
            subject,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// The imported lists (the trading center and supervision).
    pub async fn credit_lists(&self, caller: &Caller) -> Result<Vec<CreditList>, AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotAuthorized);
        }
        let page = self
            .store
            .documents(
                &store::DocumentFilter {
                    kind: "credit_list",
                    ..Default::default()
                },
                100,
                0,
            )
            .await?;
        page.items
            .iter()
            .map(|row| decode_state(&row.state))
            .collect()
    }
}

/// The demo's credit lists: the trading center imports a 失信被执行人 list (two companies not
/// registered here, and a masked natural person to confirm) signed with its demo certificate, so
/// that the credit pages and the operator's queue are not empty.
pub async fn seed_demo_credit(
    app: &App,
    certificates: &[crate::DemoCertificate],
) -> Result<(), AppError> {
    let Some(cert) = certificates.iter().find(|c| c.username == "operator") else {
        return Ok(());
    };
    let operator = app.caller_for("operator").await?;
    let key = crypto::PlatformKey::from_pkcs8_pem(&cert.key_pem)
        .map_err(|e| AppError::Internal(format!("demo key: {e}")))?;
    let today = Date::of_instant(app.now_ms());
    let listed = today.add_days(-30);
    // The demo expert's number, as a public list prints it (the middle masked).
    let number = crate::demo::seed::make_id_number("330106", "19750314", "041");
    let masked = format!("{}********{}", &number[..6], &number[14..]);
    let csv = format!(
        "{}\n杭州示例建材有限公司,91330102MA2B000015,330102,{listed},,有履行能力而拒不履行生效法律文书确定义务\n\
         宁波示例贸易有限公司,91330106MA27XNJD9G,330106,{listed},{},违反财产报告制度\n\
         陈立明,{masked},330100,{listed},,拒不履行（演示：打码号码待确认）\n",
        domain::LIST_CSV_HEADER,
        listed.add_months(24)
    );
    let source = "信用中国 www.creditchina.gov.cn 查询下载（演示数据）";
    let cutoff_ms = app.now_ms() - 3_600_000;
    let payload = list_signing_payload("dishonest_debtors", source, cutoff_ms, &csv);
    let signature = key
        .sign_json(&payload)
        .map_err(|e| AppError::Internal(format!("demo signature: {e}")))?;
    app.import_credit_list(
        &operator,
        &ListImportRequest {
            list: "dishonest_debtors".into(),
            source: source.into(),
            cutoff_ms,
            csv,
            signature: signature.to_hex(),
            certificate_pem: cert.cert_pem.clone(),
        },
    )
    .await?;
    Ok(())
}
