//! 市场主体 and accounts: self-service registration, the operator's review, accounts made by the
//! trading center, and the queries behind their pages.

use domain::{
    Account, AccountCommand, AccountEvent, BankAccount, Contact, Date, Decider, Entity,
    EntityCommand, EntityEvent, EntityId, EntityKind, IdNumber, Qualification, RegionCode,
    Registration, Role, Uscc, Username,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};
use store::{EntityRow, Page, WriteTx};

use crate::market::auth::PasswordPolicy;
use crate::witness::append::{NewEntry, append};
use crate::witness::projection::{account_row, entity_row, roles_parse};
use crate::witness::replay::load;
use crate::{App, AppError, Caller, Receipt};

/// A registration as submitted through the API or the registration page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    /// `organisation` (法人或其他组织) or `natural_person` (自然人).
    pub kind: String,
    /// The USCC, or the resident ID number of a natural person.
    pub code: String,
    pub name: String,
    pub region: String,
    pub legal_representative: String,
    #[serde(default)]
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default)]
    pub contact_email: String,
    pub roles: Vec<String>,
    /// 控股股东或实际控制人 (USCC or ID number), "" when none.
    #[serde(default)]
    pub controller: String,
    /// The first account of the entity.
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// An account made by the trading center.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub entity_id: String,
    pub roles: Vec<String>,
    pub password: String,
}

/// An entity as shown to whoever may see it. Personal numbers are masked for the public.
#[derive(Clone, Debug, Serialize)]
pub struct EntityView {
    pub id: String,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub region: String,
    pub legal_representative: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub roles: Vec<Role>,
    pub status: String,
    pub reject_reason: String,
    pub registered_at_ms: i64,
    pub reviewed_at_ms: Option<i64>,
    pub reviewed_by: String,
    pub qualifications: Vec<Qualification>,
    /// Shown to the entity itself and to the trading center and supervision only.
    pub bank_account: Option<BankAccount>,
    /// Why the entity is suspended or barred ("" otherwise).
    pub restriction_reason: String,
    /// The last day of a bar, `YYYY-MM-DD` ("" otherwise).
    pub restricted_until: String,
    /// 控股股东或实际控制人 as declared: shown to the entity itself, the trading center and
    /// supervision only ("" otherwise).
    pub controller: String,
    /// 数字证书 bound to the entity.
    pub certificates: Vec<domain::BoundCertificate>,
    /// The node (origin) where the entity registered, when it was recognised here from the
    /// province registry ("一处登记、全省通用"); "" when it registered here.
    pub home: String,
}

/// The reason an oversight role gives for reading what is sealed or masked (a recorded read):
/// required, at most 500 characters, no control characters — each refused with its own code.
pub(crate) fn read_reason(reason: &str) -> Result<&str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(domain::DomainError::ReasonRequired.into());
    }
    if reason.chars().count() > 500 {
        return Err(domain::DomainError::TooLong {
            field: "查阅理由",
            max: 500,
        }
        .into());
    }
    if domain::has_control_character(reason) {
        return Err(domain::DomainError::ControlCharacter {
            field: "查阅理由"
        }
        .into());
    }
    Ok(reason)
}

/// An imported certificate revocation list as the ledger keeps it (stream `crl/…` per CA).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CrlRecord {
    /// The issuing CA's common name.
    pub issuer: String,
    pub this_update_ms: i64,
    /// After it, the list is stale: the operator should import the CA's next one.
    pub next_update_ms: Option<i64>,
    /// Serial numbers (hex) of the revoked certificates.
    pub serials: Vec<String>,
    pub pem: String,
}

/// The ledger stream of one CA's CRLs: named by the SM3 of its common name.
fn crl_stream(issuer: &str) -> String {
    format!("crl/{}", &crypto::sm3(issuer.as_bytes()).to_hex()[..32])
}

/// The numbers `reveal_personal_data` shows whole.
#[derive(Clone, Debug, Serialize)]
pub struct PersonalData {
    pub code: String,
    pub contact_phone: String,
}

/// An account as shown to its owner and the trading center.
#[derive(Clone, Debug, Serialize)]
pub struct AccountView {
    pub username: String,
    pub display_name: String,
    pub entity_id: String,
    pub roles: Vec<Role>,
    pub status: String,
}

/// How much of an entity a reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntityReader {
    /// The public register: contacts and personal numbers hidden.
    Public,
    /// The trading center, supervision and audit: everything, but a natural person's ID number
    /// and any mobile number masked; the whole numbers only through `reveal_personal_data`,
    /// which records who read them and why.
    Oversight,
    /// The entity's own accounts (and the registration's own answer): everything.
    Own,
}

impl EntityView {
    fn from_row(row: EntityRow, reader: EntityReader) -> Self {
        let full = reader != EntityReader::Public;
        let masked = |text: &str| {
            if reader == EntityReader::Own || text.is_empty() {
                text.to_string()
            } else if full {
                domain::mask_personal_numbers(text).0
            } else {
                let chars: Vec<char> = text.chars().collect();
                let keep = chars.len().min(3);
                format!("{}****", chars[..keep].iter().collect::<String>())
            }
        };
        let code = if row.kind == "natural_person" && reader != EntityReader::Own {
            IdNumber::parse(&row.code)
                .map(|id| id.masked())
                .unwrap_or_default()
        } else {
            row.code.clone()
        };
        Self {
            id: row.id,
            kind: row.kind,
            code,
            name: row.name,
            region: row.region,
            legal_representative: row.legal_representative,
            address: row.address,
            contact_name: masked(&row.contact_name),
            contact_phone: masked(&row.contact_phone),
            contact_email: if full {
                row.contact_email
            } else {
                String::new()
            },
            roles: roles_parse(&row.roles),
            status: row.status,
            reject_reason: if full {
                row.reject_reason
            } else {
                String::new()
            },
            registered_at_ms: row.registered_at_ms,
            reviewed_at_ms: (row.reviewed_at_ms > 0).then_some(row.reviewed_at_ms),
            reviewed_by: if full { row.reviewed_by } else { String::new() },
            qualifications: serde_json::from_str(&row.qualifications).unwrap_or_default(),
            bank_account: if full {
                serde_json::from_str(&row.bank_account).ok()
            } else {
                None
            },
            restriction_reason: row.restriction_reason,
            restricted_until: row.restricted_until,
            certificates: serde_json::from_str(&row.certificates).unwrap_or_default(),
            controller: if full { row.controller } else { String::new() },
            home: row.home,
        }
    }
}

fn payload<T: Serialize>(event: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(event).map_err(|e| AppError::Internal(format!("event encoding: {e}")))
}

fn entity_visibility(event: &EntityEvent) -> Visibility {
    match event {
        // Approval, qualifications and sanctions are public: the register and credit disclosure.
        EntityEvent::Approved { .. }
        | EntityEvent::QualificationsSet { .. }
        | EntityEvent::Suspended { .. }
        | EntityEvent::Barred { .. }
        | EntityEvent::Reinstated { .. }
        | EntityEvent::CertificateBound { .. }
        | EntityEvent::CertificateRevoked { .. }
        | EntityEvent::Shared { .. } => Visibility::Public,
        // The application carries contacts and personal numbers; the account is the entity's.
        EntityEvent::Registered { .. }
        | EntityEvent::Rejected { .. }
        | EntityEvent::BankAccountSet { .. } => Visibility::Parties,
    }
}

/// An approval's events, followed by the one that shares the entity with the province registry
/// ("一处登记、全省通用"): every organisation approved here is shared as it becomes active (a
/// natural person, or an entity recognised from elsewhere, is not — `EntityCommand::Share`).
fn with_sharing(
    state: &Option<Entity>,
    events: Vec<EntityEvent>,
    home: &str,
    now: i64,
) -> Vec<EntityEvent> {
    if !events
        .iter()
        .any(|e| matches!(e, EntityEvent::Approved { .. }))
    {
        return events;
    }
    let after = events
        .iter()
        .fold(state.clone(), |state, event| state.evolve(event));
    let shared = after
        .decide(
            EntityCommand::Share {
                home: home.to_string(),
            },
            now,
        )
        .unwrap_or_default();
    events.into_iter().chain(shared).collect()
}

impl App {
    /// A natural person's entity id: `P` and 20 hex digits of a keyed digest of the ID number, so
    /// personal numbers never appear in stream names, which are public.
    pub(crate) fn person_entity_id(&self, id_number: &IdNumber) -> EntityId {
        let digest = self.key.keyed_digest(id_number.as_ref().as_bytes());
        EntityId(format!("P{}", &digest.to_hex()[..20]))
    }

    fn registration_from(&self, input: &NewRegistration) -> Result<Registration, AppError> {
        let (id, kind) = match input.kind.as_str() {
            "organisation" => {
                let uscc = Uscc::parse(&input.code)?;
                (
                    EntityId(uscc.to_string()),
                    EntityKind::Organisation { uscc },
                )
            }
            "natural_person" => {
                let id_number = IdNumber::parse_on(&input.code, Date::of_instant(self.now_ms()))?;
                (
                    self.person_entity_id(&id_number),
                    EntityKind::NaturalPerson { id_number },
                )
            }
            _ => return Err(AppError::EntityKind),
        };
        let roles = parse_roles(&input.roles)?;
        Ok(Registration {
            id,
            kind,
            name: input.name.trim().to_string(),
            region: RegionCode::parse(&input.region)?,
            legal_representative: input.legal_representative.trim().to_string(),
            address: input.address.trim().to_string(),
            contact: Contact {
                name: input.contact_name.trim().to_string(),
                phone: input.contact_phone.trim().to_string(),
                email: input.contact_email.trim().to_string(),
            },
            roles,
            controller: input.controller.trim().to_uppercase(),
        })
    }

    /// Self-service registration of an entity and its first account; the entity waits for the
    /// trading center's review.
    pub async fn register_entity(&self, input: NewRegistration) -> Result<Vec<Receipt>, AppError> {
        let registration = self.registration_from(&input)?;
        let command = EntityCommand::Register(registration.clone());
        self.register(input, registration, command, "self").await
    }

    /// Registration entered by the trading center: active at once, any roles.
    pub async fn register_entity_by_operator(
        &self,
        caller: &Caller,
        input: NewRegistration,
    ) -> Result<Vec<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let registration = self.registration_from(&input)?;
        let command = EntityCommand::RegisterByOperator {
            registration: registration.clone(),
            operator: caller.username.clone(),
        };
        self.register(input, registration, command, &caller.username)
            .await
    }

    async fn register(
        &self,
        input: NewRegistration,
        registration: Registration,
        command: EntityCommand,
        actor: &str,
    ) -> Result<Vec<Receipt>, AppError> {
        let username = Username::parse(&input.username)?;
        PasswordPolicy::check_strength(&input.password, username.as_str())?;
        // Hash before taking the writer lock: it is the slow part.
        let password_hash = self.settings.password_policy.hash(&input.password)?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let entity_stream = registration.id.stream();
        let (entity_state, _) = load::<Option<Entity>>(&mut tx, &entity_stream).await?;
        let entity_events = with_sharing(
            &entity_state,
            entity_state.decide(command, now)?,
            &self.settings.origin,
            now,
        );
        let account_stream = username.stream();
        let (account_state, _) = load::<Option<Account>>(&mut tx, &account_stream).await?;
        let account_events = account_state.decide(
            AccountCommand::Create {
                username: username.clone(),
                display_name: input.display_name,
                entity: registration.id.clone(),
                roles: registration.roles.clone(),
            },
            now,
        )?;
        let actor = if actor == "self" {
            username.to_string()
        } else {
            actor.to_string()
        };
        let mut entries = Vec::new();
        for event in &entity_events {
            entries.push(NewEntry {
                stream: entity_stream.clone(),
                kind: event.kind().into(),
                visibility: entity_visibility(event),
                actor: actor.clone(),
                payload: payload(event)?,
            });
        }
        for event in &account_events {
            entries.push(NewEntry {
                stream: account_stream.clone(),
                kind: event.kind().into(),
                visibility: Visibility::Parties,
                actor: actor.clone(),
                payload: payload(event)?,
            });
        }
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let entity = entity_events
            .iter()
            .fold(entity_state, |state, event| state.evolve(event))
            .ok_or_else(|| AppError::Internal("registration left no entity".into()))?;
        let entity_seq = receipts[entity_events.len() - 1].seq as i64;
        tx.upsert_entity(&entity_row(&entity, entity_seq)).await?;
        let account = account_events
            .iter()
            .fold(account_state, |state, event| state.evolve(event))
            .ok_or_else(|| AppError::Internal("registration left no account".into()))?;
        let account_seq = receipts[receipts.len() - 1].seq as i64;
        tx.upsert_account(&account_row(&account, account_seq))
            .await?;
        tx.put_credential(username.as_str(), &password_hash, now)
            .await?;
        tx.commit().await?;
        Ok(receipts)
    }

    /// 审核通过 — the trading center approves a pending registration.
    pub async fn approve_entity(&self, caller: &Caller, id: &str) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        self.review(
            caller,
            id,
            EntityCommand::Approve {
                reviewer: caller.username.clone(),
            },
        )
        .await
    }

    /// 驳回 — the trading center rejects a pending registration with a reason.
    pub async fn reject_entity(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        self.review(
            caller,
            id,
            EntityCommand::Reject {
                reviewer: caller.username.clone(),
                reason: reason.to_string(),
            },
        )
        .await
    }

    /// Sets the entity's qualifications (its own accounts, or the trading center).
    pub async fn set_qualifications(
        &self,
        caller: &Caller,
        id: &str,
        qualifications: Vec<Qualification>,
    ) -> Result<Receipt, AppError> {
        self.require_own_or(caller, id, &[Role::Operator])?;
        self.review(caller, id, EntityCommand::SetQualifications(qualifications))
            .await
    }

    /// Sets the basic bank account for bonds (its own accounts, or the trading center).
    pub async fn set_bank_account(
        &self,
        caller: &Caller,
        id: &str,
        account: BankAccount,
    ) -> Result<Receipt, AppError> {
        self.require_own_or(caller, id, &[Role::Operator])?;
        self.review(caller, id, EntityCommand::SetBankAccount(account))
            .await
    }

    /// The one eligibility gate of every trading act — 报名, 投标, 竞买登记, 报价, 密封报价: the
    /// caller's entity must be active, or barred until a day that has passed (a suspended, barred,
    /// pending or rejected entity is refused with `NOT_ACTIVE`). Judged once a second per entity
    /// on this node, so a bid burst reads the entity once a second; a suspension, bar or
    /// reinstatement made on this node takes effect at once, one made on another node within
    /// the second.
    pub(crate) async fn require_may_trade(&self, caller: &Caller) -> Result<(), AppError> {
        let now = self.now_ms();
        let may_trade = match self.trade_gate.get(&caller.entity_id, now) {
            Some(judged) => judged,
            None => {
                let entity = self
                    .store
                    .entity(&caller.entity_id)
                    .await?
                    .ok_or(domain::DomainError::EntityNotFound)?;
                let today = Date::of_instant(now);
                let judged = entity.status == "active"
                    || (entity.status == "barred"
                        && Date::parse(&entity.restricted_until).is_ok_and(|until| until < today));
                self.trade_gate.put(&caller.entity_id, judged, now);
                judged
            }
        };
        if may_trade {
            Ok(())
        } else {
            Err(domain::DomainError::NotActive.into())
        }
    }

    /// 暂停交易 — the trading center suspends an entity.
    pub async fn suspend_entity(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let command = EntityCommand::Suspend {
            by: caller.username.clone(),
            reason: reason.trim().to_string(),
        };
        let receipt = self.review(caller, id, command).await?;
        self.trade_gate.forget(id);
        Ok(receipt)
    }

    /// 禁止参加交易 until a date — the trading center or supervision.
    pub async fn bar_entity(
        &self,
        caller: &Caller,
        id: &str,
        until: Date,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor]) {
            return Err(AppError::NotAuthorized);
        }
        let command = EntityCommand::Bar {
            by: caller.username.clone(),
            until,
            reason: reason.trim().to_string(),
            today: Date::of_instant(self.now_ms()),
        };
        let receipt = self.review(caller, id, command).await?;
        self.trade_gate.forget(id);
        Ok(receipt)
    }

    /// Lifts a suspension or a bar.
    pub async fn reinstate_entity(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor]) {
            return Err(AppError::NotAuthorized);
        }
        let command = EntityCommand::Reinstate {
            by: caller.username.clone(),
            reason: reason.trim().to_string(),
        };
        let receipt = self.review(caller, id, command).await?;
        self.trade_gate.forget(id);
        Ok(receipt)
    }

    /// Binds a digital certificate to the entity (its own accounts, or the trading center). The
    /// certificate must chain to a trusted root, be valid now, and name the entity's code.
    pub async fn bind_certificate(
        &self,
        caller: &Caller,
        id: &str,
        pem: &str,
    ) -> Result<Receipt, AppError> {
        self.require_own_or(caller, id, &[Role::Operator])?;
        let certificate = crypto::Certificate::from_pem(pem)?;
        let trust = self.reference_data().await?.trust;
        // A certificate already listed in an imported CRL is refused here, not only revoked
        // when a later list arrives.
        let revoked = self.revoked_serials(&trust, &certificate).await?;
        trust.verify(&certificate, self.now_ms(), |c| {
            revoked.contains(&(c.issuer_common_name(), c.serial_hex()))
        })?;
        let bound = domain::BoundCertificate {
            fingerprint: certificate.fingerprint().to_hex(),
            pem: certificate.to_pem(),
            serial: certificate.serial_hex(),
            issuer: certificate.issuer_common_name(),
            not_after_ms: certificate.not_after_ms(),
            revoked: None,
        };
        let command = EntityCommand::BindCertificate {
            certificate: bound,
            subject_code: certificate.subject_code().unwrap_or_default(),
        };
        self.review(caller, id, command).await
    }

    /// Revokes a bound certificate (the trading center).
    pub async fn revoke_certificate(
        &self,
        caller: &Caller,
        id: &str,
        fingerprint: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let command = EntityCommand::RevokeCertificate {
            fingerprint: fingerprint.to_string(),
            reason: reason.trim().to_string(),
        };
        self.review(caller, id, command).await
    }

    /// Checks a signer's certificate at `at_ms` — trusted, valid, bound to an approved entity and
    /// not revoked — and returns that entity. Legally significant acts are checked with this.
    pub async fn certificate_holder(&self, pem: &str, at_ms: i64) -> Result<EntityView, AppError> {
        let certificate = crypto::Certificate::from_pem(pem)?;
        let trust = self.trust_store_at(at_ms).await?;
        // At every use: the chain, the CRLs in force, and a key usage that allows signing.
        let revoked = self.revoked_serials(&trust, &certificate).await?;
        trust.verify_signer(&certificate, at_ms, |c| {
            revoked.contains(&(c.issuer_common_name(), c.serial_hex()))
        })?;
        let code = certificate.subject_code().unwrap_or_default();
        let fingerprint = certificate.fingerprint().to_hex();
        let id = if Uscc::parse(&code).is_ok() {
            code.clone()
        } else {
            let id_number = IdNumber::parse(&code)
                .map_err(|_| AppError::from(domain::DomainError::CertificateWrongEntity))?;
            self.person_entity_id(&id_number).0
        };
        let row = self
            .store
            .entity(&id)
            .await?
            .ok_or(domain::DomainError::CertificateWrongEntity)?;
        let certificates: Vec<domain::BoundCertificate> =
            serde_json::from_str(&row.certificates).unwrap_or_default();
        match certificates.iter().find(|c| c.fingerprint == fingerprint) {
            None => return Err(domain::DomainError::CertificateNotFound.into()),
            Some(c) if c.revoked.is_some() => {
                return Err(domain::DomainError::CertificateRevoked.into());
            }
            Some(_) => {}
        }
        Ok(EntityView::from_row(row, EntityReader::Own))
    }

    /// Verifies a legally significant act: `signature` (SM2 over the canonical JSON of `payload`)
    /// by the holder of `certificate_pem`, signed at `signed_at_ms`. Returns the signing entity.
    pub async fn verify_signed_act(
        &self,
        payload: &serde_json::Value,
        signature: &crypto::Signature,
        certificate_pem: &str,
        signed_at_ms: i64,
    ) -> Result<EntityView, AppError> {
        let holder = self
            .certificate_holder(certificate_pem, signed_at_ms)
            .await?;
        let certificate = crypto::Certificate::from_pem(certificate_pem)?;
        certificate
            .public_key()?
            .verify_json(payload, signature)
            .map_err(|_| crypto::CertError::BadSignature)?;
        Ok(holder)
    }

    /// Imports a CRL signed by a trusted root: every bound certificate it lists is revoked, each
    /// with a receipt.
    pub async fn import_crl(&self, caller: &Caller, pem: &str) -> Result<Vec<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let crl = crypto::Crl::from_pem(pem)?;
        let trust = self.reference_data().await?.trust;
        let issuer = crl.verify(&trust)?.subject_common_name();
        let serials: std::collections::BTreeSet<String> =
            crl.revoked_serials().into_iter().collect();
        // The list itself is kept, versioned per CA, so that binding and every use check it.
        if let Some(latest) = self.latest_crl(&issuer).await?
            && latest.this_update_ms >= crl.this_update_ms()
        {
            return Err(AppError::refused(
                "CRL_NOT_NEWER",
                format!("该证书吊销列表不比已导入的（{}签发）更新", issuer),
            ));
        }
        let record = CrlRecord {
            issuer: issuer.clone(),
            this_update_ms: crl.this_update_ms(),
            next_update_ms: crl.next_update_ms(),
            serials: serials.iter().cloned().collect(),
            pem: crl.to_pem(),
        };
        let mut receipts = self
            .witness(vec![NewEntry {
                stream: crl_stream(&issuer),
                kind: "crl.imported".into(),
                visibility: Visibility::Public,
                actor: caller.username.clone(),
                payload: serde_json::to_value(&record)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            }])
            .await?;
        for row in self.store.all_entities().await? {
            let certificates: Vec<domain::BoundCertificate> =
                serde_json::from_str(&row.certificates).unwrap_or_default();
            for certificate in certificates {
                let listed = certificate.issuer == issuer && serials.contains(&certificate.serial);
                if listed && certificate.revoked.is_none() {
                    let command = EntityCommand::RevokeCertificate {
                        fingerprint: certificate.fingerprint.clone(),
                        reason: format!("列入{issuer}的证书吊销列表（CRL）"),
                    };
                    receipts.push(self.review(caller, &row.id, command).await?);
                }
            }
        }
        Ok(receipts)
    }

    /// The newest imported CRL of the CA named `issuer`.
    pub async fn latest_crl(&self, issuer: &str) -> Result<Option<CrlRecord>, AppError> {
        let rows = self.store.stream_page(&crl_stream(issuer), -1, 1).await?;
        rows.first()
            .map(|row| {
                serde_json::from_str(&row.payload)
                    .map_err(|e| AppError::Internal(format!("stored CRL: {e}")))
            })
            .transpose()
    }

    /// The newest CRL of every CA in the trust store (roots and intermediates), each with
    /// whether it is stale (its nextUpdate has passed), for the trust page.
    pub async fn crl_status(&self) -> Result<Vec<(String, Option<CrlRecord>, bool)>, AppError> {
        let trust = self.reference_data().await?.trust;
        let now = self.now_ms();
        let mut out = Vec::new();
        for ca in trust.roots().iter().chain(trust.intermediates()) {
            let name = ca.subject_common_name();
            let latest = self.latest_crl(&name).await?;
            let stale = latest
                .as_ref()
                .and_then(|crl| crl.next_update_ms)
                .is_some_and(|next| next < now);
            out.push((name, latest, stale));
        }
        Ok(out)
    }

    /// (issuer, serial) of every certificate the CRLs in force list for the CAs that may stand
    /// in `certificate`'s chain: its issuer and every intermediate's issuer.
    async fn revoked_serials(
        &self,
        trust: &crypto::TrustStore,
        certificate: &crypto::Certificate,
    ) -> Result<std::collections::BTreeSet<(String, String)>, AppError> {
        let mut issuers: std::collections::BTreeSet<String> = trust
            .intermediates()
            .iter()
            .map(|c| c.issuer_common_name())
            .collect();
        issuers.insert(certificate.issuer_common_name());
        let mut revoked = std::collections::BTreeSet::new();
        for issuer in issuers {
            if let Some(crl) = self.latest_crl(&issuer).await? {
                revoked.extend(crl.serials.into_iter().map(|s| (issuer.clone(), s)));
            }
        }
        Ok(revoked)
    }

    fn require_own_or(&self, caller: &Caller, id: &str, roles: &[Role]) -> Result<(), AppError> {
        if caller.acts_for(id) || caller.has_any(roles) {
            Ok(())
        } else {
            Err(AppError::NotAuthorized)
        }
    }

    async fn review(
        &self,
        caller: &Caller,
        id: &str,
        command: EntityCommand,
    ) -> Result<Receipt, AppError> {
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let receipt = self
            .review_in(&mut tx, &caller.username, id, command, now)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// An entity command inside the caller's transaction (a supervising department's penalty
    /// takes effect with its decision). The trade gate must be told after the commit.
    pub(crate) async fn review_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &str,
        id: &str,
        command: EntityCommand,
        now: i64,
    ) -> Result<Receipt, AppError> {
        let stream = EntityId(id.to_string()).stream();
        let (state, _) = load::<Option<Entity>>(tx, &stream).await?;
        let own = state.decide(command, now)?;
        let commanded = own.len();
        let events = with_sharing(&state, own, &self.settings.origin, now);
        let receipts = self
            .append_entity_events(tx, &stream, actor, now, &events)
            .await?;
        let entity = events
            .iter()
            .fold(state, |state, event| state.evolve(event))
            .ok_or(domain::DomainError::EntityNotFound)?;
        let last_seq = receipts.last().map_or(0, |r| r.seq as i64);
        tx.upsert_entity(&entity_row(&entity, last_seq)).await?;
        // The receipt of the act asked for (not of the sharing that follows an approval).
        receipts
            .into_iter()
            .nth(commanded.wrapping_sub(1))
            .ok_or_else(|| AppError::Internal("review made no event".into()))
    }

    pub(crate) async fn append_entity_events(
        &self,
        tx: &mut WriteTx<'_>,
        stream: &str,
        actor: &str,
        now: i64,
        events: &[EntityEvent],
    ) -> Result<Vec<Receipt>, AppError> {
        let entries = events
            .iter()
            .map(|event| {
                Ok(NewEntry {
                    stream: stream.to_string(),
                    kind: event.kind().into(),
                    visibility: entity_visibility(event),
                    actor: actor.to_string(),
                    payload: payload(event)?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        append(tx, &self.key, &self.settings.origin, now, entries).await
    }

    /// An account made by the trading center for an existing entity.
    pub async fn create_account(
        &self,
        caller: &Caller,
        input: NewAccount,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let username = Username::parse(&input.username)?;
        let roles = parse_roles(&input.roles)?;
        PasswordPolicy::check_strength(&input.password, username.as_str())?;
        let password_hash = self.settings.password_policy.hash(&input.password)?;
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let entity_stream = EntityId(input.entity_id.clone()).stream();
        let (entity, _) = load::<Option<Entity>>(&mut tx, &entity_stream).await?;
        if entity.is_none() {
            return Err(domain::DomainError::EntityNotFound.into());
        }
        let receipt = self
            .open_account_in(
                &mut tx,
                &caller.username,
                AccountCommand::Create {
                    username: username.clone(),
                    display_name: input.display_name,
                    entity: EntityId(input.entity_id),
                    roles,
                },
                &password_hash,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// Creates an account (its `Create` command) with its password hash inside the caller's
    /// transaction: the entry, the account row and the credential. The receipt of the entry.
    pub(crate) async fn open_account_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &str,
        create: AccountCommand,
        password_hash: &str,
        now: i64,
    ) -> Result<Receipt, AppError> {
        let AccountCommand::Create { username, .. } = &create else {
            return Err(AppError::Internal("an account opens with Create".into()));
        };
        let username = username.clone();
        let stream = username.stream();
        let (state, _) = load::<Option<Account>>(tx, &stream).await?;
        let events = state.decide(create, now)?;
        let entries = events
            .iter()
            .map(|event: &AccountEvent| {
                Ok(NewEntry {
                    stream: stream.clone(),
                    kind: event.kind().into(),
                    visibility: Visibility::Parties,
                    actor: actor.to_string(),
                    payload: payload(event)?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let receipts = append(tx, &self.key, &self.settings.origin, now, entries).await?;
        let account = events
            .iter()
            .fold(state, |state, event| state.evolve(event))
            .ok_or_else(|| AppError::Internal("no account".into()))?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("no receipt".into()))?;
        tx.upsert_account(&account_row(&account, last.seq as i64))
            .await?;
        tx.put_credential(username.as_str(), password_hash, now)
            .await?;
        Ok(last)
    }

    /// One entity. Its own accounts, operators, supervisors and auditors see it whole; anyone
    /// else sees an active entity's public profile only.
    pub async fn entity(&self, caller: Option<&Caller>, id: &str) -> Result<EntityView, AppError> {
        let row = self
            .store
            .entity(id)
            .await?
            .ok_or(AppError::NotFound("市场主体不存在"))?;
        let reader = match caller {
            Some(c) if c.acts_for(&row.id) => EntityReader::Own,
            Some(c) if c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) => {
                EntityReader::Oversight
            }
            _ => EntityReader::Public,
        };
        let full = reader != EntityReader::Public;
        // Experts are not in the public register: who evaluates stays confidential.
        let is_expert = roles_parse(&row.roles).contains(&Role::Expert);
        // The public sees approved entities, including suspended and barred ones: sanctions are
        // disclosed, not hidden.
        let approved = matches!(row.status.as_str(), "active" | "suspended" | "barred");
        if !full && (!approved || is_expert) {
            return Err(AppError::NotFound("市场主体不存在"));
        }
        Ok(EntityView::from_row(row, reader))
    }

    /// The whole personal numbers of an entity (a natural person's ID number, the contact's
    /// mobile), for the trading center, supervision or audit when a case needs them: the reason
    /// is required, and the read is recorded before the answer (a Supervision-visible entry
    /// naming who read what, when and why), so every reveal can be audited.
    pub async fn reveal_personal_data(
        &self,
        caller: &Caller,
        id: &str,
        reason: &str,
    ) -> Result<(PersonalData, Receipt), AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotAuthorized);
        }
        let reason = read_reason(reason)?;
        let row = self
            .store
            .entity(id)
            .await?
            .ok_or(AppError::NotFound("市场主体不存在"))?;
        let receipts = self
            .witness(vec![NewEntry {
                stream: self.access_stream(id),
                kind: "access.personal_data_read".into(),
                visibility: Visibility::Supervision,
                actor: caller.username.clone(),
                payload: serde_json::json!({
                    "entity": id,
                    "fields": ["code", "contact_phone"],
                    "reason": reason,
                    "by": caller.username,
                }),
            }])
            .await?;
        let receipt = receipts
            .into_iter()
            .next()
            .ok_or_else(|| AppError::Internal("the read was not recorded".into()))?;
        Ok((
            PersonalData {
                code: row.code,
                contact_phone: row.contact_phone,
            },
            receipt,
        ))
    }

    /// A page of entities. Only the trading center and supervision may list other than active
    /// entities, and see them whole.
    pub async fn entities(
        &self,
        caller: Option<&Caller>,
        status: Option<&str>,
        page: u64,
        per_page: u64,
    ) -> Result<Page<EntityView>, AppError> {
        let privileged =
            caller.is_some_and(|c| c.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]));
        let status = match status {
            Some(s)
                if ![
                    "pending",
                    "active",
                    "rejected",
                    "suspended",
                    "barred",
                    "approved",
                ]
                .contains(&s) =>
            {
                return Err(AppError::Invalid(
                    "状态应为 pending、active、rejected、suspended、barred 或 approved".into(),
                ));
            }
            Some(s) if privileged => Some(s),
            Some("active") if !privileged => Some("active"),
            Some("approved") | None if !privileged => Some("approved"),
            Some(_) => return Err(AppError::NotAuthorized),
            None => None,
        };
        let per_page = per_page.clamp(1, 100);
        let page_index = page.max(1) - 1;
        let rows = self
            .store
            .entities(
                status,
                (!privileged).then_some(Role::Expert.as_str()),
                page_index * per_page,
                per_page,
            )
            .await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(|row| {
                    let reader = if privileged {
                        EntityReader::Oversight
                    } else {
                        EntityReader::Public
                    };
                    EntityView::from_row(row, reader)
                })
                .collect(),
            total: rows.total,
        })
    }

    pub async fn account_view(&self, username: &str) -> Result<AccountView, AppError> {
        let row = self
            .store
            .account(username)
            .await?
            .ok_or(AppError::NotFound("账号不存在"))?;
        Ok(AccountView {
            username: row.username,
            display_name: row.display_name,
            entity_id: row.entity_id,
            roles: roles_parse(&row.roles),
            status: row.status,
        })
    }
}

fn parse_roles(texts: &[String]) -> Result<Vec<Role>, AppError> {
    texts
        .iter()
        .map(|text| {
            Role::parse(text.trim()).ok_or_else(|| AppError::UnknownRole(text.trim().to_string()))
        })
        .collect()
}

/// What `require_may_trade` judged of each entity in the last second.
#[derive(Default)]
pub(crate) struct TradeGate(std::sync::Mutex<std::collections::HashMap<String, (i64, bool)>>);

impl TradeGate {
    const FOR_MS: i64 = 1_000;
    const MAX: usize = 100_000;

    fn get(&self, entity: &str, now_ms: i64) -> Option<bool> {
        let cache = self.0.lock().ok()?;
        let (judged_at, may_trade) = cache.get(entity)?;
        (now_ms >= *judged_at && now_ms - judged_at < Self::FOR_MS).then_some(*may_trade)
    }

    fn put(&self, entity: &str, may_trade: bool, now_ms: i64) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= Self::MAX {
                cache.retain(|_, (judged_at, _)| now_ms - *judged_at < Self::FOR_MS);
            }
            cache.insert(entity.to_string(), (now_ms, may_trade));
        }
    }

    pub(crate) fn forget(&self, entity: &str) {
        if let Ok(mut cache) = self.0.lock() {
            cache.remove(entity);
        }
    }
}
