//! 市场主体 — market entities: registration, the trading center's review, and the decider.
//!
//! "一处登记、全省通用": an entity registers once; an operator reviews the registration
//! (pending → active, or rejected with a reason, after which it may register again).

use serde::{Deserialize, Serialize};

use crate::fields::{optional_text, text_field};
use crate::{Date, Decider, DomainError, EntityId, IdNumber, RegionCode, Role, Uscc};

/// Whether the entity is an organisation or a natural person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntityKind {
    /// 法人或其他组织, identified by its USCC.
    Organisation { uscc: Uscc },
    /// 自然人 (e.g. a buyer of state property), identified by a resident ID number.
    NaturalPerson { id_number: IdNumber },
}

/// Who to call about the entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

/// What an entity submits when it registers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: EntityId,
    pub kind: EntityKind,
    pub name: String,
    pub region: RegionCode,
    pub legal_representative: String,
    #[serde(default)]
    pub address: String,
    pub contact: Contact,
    pub roles: Vec<Role>,
    /// 控股股东或实际控制人: the code (USCC or resident ID number) of who controls the entity,
    /// "" when none is declared (the warning engine compares it across a lot's bidders).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub controller: String,
}

impl Registration {
    fn validate(&self) -> Result<(), DomainError> {
        if !self.controller.is_empty() {
            let own = match &self.kind {
                EntityKind::Organisation { uscc } => uscc.to_string(),
                EntityKind::NaturalPerson { id_number } => id_number.to_string(),
            };
            let valid = crate::Uscc::parse(&self.controller).is_ok()
                || crate::IdNumber::parse(&self.controller).is_ok();
            if !valid || self.controller == own {
                return Err(DomainError::ControllerCode);
            }
        }
        text_field("名称", &self.name, 100)?;
        text_field("法定代表人", &self.legal_representative, 50)?;
        optional_text("地址", &self.address, 200)?;
        text_field("联系人", &self.contact.name, 50)?;
        text_field("联系电话", &self.contact.phone, 30)?;
        optional_text("电子邮箱", &self.contact.email, 100)?;
        if self.roles.is_empty() {
            return Err(DomainError::NoRole);
        }
        Ok(())
    }

    /// The checks a shared profile must pass (it carries no contact).
    fn validate_shared(&self) -> Result<(), DomainError> {
        text_field("名称", &self.name, 100)?;
        text_field("法定代表人", &self.legal_representative, 50)?;
        optional_text("地址", &self.address, 200)?;
        if self.roles.is_empty() {
            return Err(DomainError::NoRole);
        }
        Ok(())
    }
}

/// Where an entity's registration stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EntityStatus {
    /// 待审核.
    Pending,
    /// 已通过.
    Active,
    /// 已驳回, with the operator's reason.
    Rejected { reason: String },
    /// 暂停交易: the trading center suspended the entity until further notice.
    Suspended { reason: String },
    /// 禁止参加交易 until a date (a supervision decision or a credit sanction).
    Barred { until: Date, reason: String },
}

impl EntityStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Rejected { .. } => "rejected",
            Self::Suspended { .. } => "suspended",
            Self::Barred { .. } => "barred",
        }
    }
}

/// 资质 — a qualification certificate with its grade and validity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// e.g. 建筑工程施工总承包.
    pub name: String,
    /// e.g. 一级, 甲级.
    pub grade: String,
    pub certificate_no: String,
    /// The issuing authority.
    pub issuer: String,
    pub valid_until: Date,
}

/// A digital certificate bound to the entity (数字证书). The application has verified it against
/// the trust store and checked that its subject code is the entity's before binding it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundCertificate {
    /// SM3 of the certificate's DER, hex.
    pub fingerprint: String,
    pub pem: String,
    pub serial: String,
    pub issuer: String,
    pub not_after_ms: i64,
    /// Set when the trading center revoked it (or a CRL listed it).
    #[serde(default)]
    pub revoked: Option<String>,
}

/// The basic bank account (基本账户) from which bonds are paid and to which they are refunded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    /// 开户银行.
    pub bank: String,
    /// 账户名称 — must be the entity's own name.
    pub account_name: String,
    /// 账号: 8–32 digits.
    pub account_no: String,
}

/// A bank account number (账号): 8–32 digits.
pub fn account_number(number: &str) -> Result<(), DomainError> {
    if (8..=32).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(DomainError::BankAccountNumber)
    }
}

impl BankAccount {
    /// The account number with all but the last four digits hidden.
    pub fn masked_no(&self) -> String {
        let keep = self.account_no.len().saturating_sub(4);
        format!("{}{}", "*".repeat(keep.min(12)), &self.account_no[keep..])
    }
}

/// A market entity as its events describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub registration: Registration,
    pub status: EntityStatus,
    pub registered_at_ms: i64,
    pub reviewed_at_ms: Option<i64>,
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub qualifications: Vec<Qualification>,
    #[serde(default)]
    pub bank_account: Option<BankAccount>,
    #[serde(default)]
    pub certificates: Vec<BoundCertificate>,
    /// The node (its origin) where the entity registered and was approved, when it was
    /// recognised from the province registry rather than registered here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
}

/// What the province registry shares of an entity (一处登记、全省通用): its public profile — no
/// contact, no controller, no bank account. Only organisations are shared: a natural person's
/// ID number is never public, and its entity id is keyed by each node's own key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedProfile {
    pub id: EntityId,
    pub uscc: Uscc,
    pub name: String,
    pub region: RegionCode,
    pub legal_representative: String,
    #[serde(default)]
    pub address: String,
    pub roles: Vec<Role>,
}

impl SharedProfile {
    /// The registration a receiving node keeps: the profile, with no contact.
    fn registration(&self) -> Registration {
        Registration {
            id: self.id.clone(),
            kind: EntityKind::Organisation {
                uscc: self.uscc.clone(),
            },
            name: self.name.clone(),
            region: self.region.clone(),
            legal_representative: self.legal_representative.clone(),
            address: self.address.clone(),
            contact: Contact {
                name: String::new(),
                phone: String::new(),
                email: String::new(),
            },
            // Only trading roles travel: a node's own staff roles are never granted elsewhere.
            roles: self
                .roles
                .iter()
                .copied()
                .filter(|role| role.is_self_service())
                .collect(),
            controller: String::new(),
        }
    }
}

impl Entity {
    /// The entity's code: its USCC, or the resident ID number of a natural person.
    pub fn code(&self) -> String {
        match &self.registration.kind {
            EntityKind::Organisation { uscc } => uscc.to_string(),
            EntityKind::NaturalPerson { id_number } => id_number.to_string(),
        }
    }

    /// Whether the entity may take part in trading on `today`: active, or barred until a day
    /// that has passed.
    pub fn may_trade(&self, today: Date) -> bool {
        match &self.status {
            EntityStatus::Active => true,
            EntityStatus::Barred { until, .. } => *until < today,
            _ => false,
        }
    }
}

/// What may be asked of an entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntityCommand {
    /// Self-service registration: trading roles only; waits for review.
    Register(Registration),
    /// Registration entered by the trading center (any roles); active at once.
    RegisterByOperator {
        registration: Registration,
        operator: String,
    },
    Approve {
        reviewer: String,
    },
    Reject {
        reviewer: String,
        reason: String,
    },
    /// Replaces the list of qualifications (the entity itself or the trading center).
    SetQualifications(Vec<Qualification>),
    /// Sets the basic bank account for bonds.
    SetBankAccount(BankAccount),
    /// 暂停交易 (the trading center).
    Suspend {
        by: String,
        reason: String,
    },
    /// 禁止参加交易 until a date (the trading center or supervision).
    Bar {
        by: String,
        until: Date,
        reason: String,
        today: Date,
    },
    /// 恢复 — lifts a suspension or a bar.
    Reinstate {
        by: String,
        reason: String,
    },
    /// Binds a verified certificate whose subject code the application read from it.
    BindCertificate {
        certificate: BoundCertificate,
        subject_code: String,
    },
    /// Revokes a bound certificate (the trading center, or an imported CRL).
    RevokeCertificate {
        fingerprint: String,
        reason: String,
    },
    /// Shares an approved organisation with the province (its home node, at approval).
    Share {
        home: String,
    },
    /// Takes in what another node witnessed of the entity, relayed through the province
    /// registry: a shared profile, a sanction, its lifting, qualifications or certificates. What
    /// does not apply here — an entity unknown here, a sanction already in force, a step its
    /// state does not allow — decides nothing, so a relay never fails and never repeats.
    Relay {
        event: Box<EntityEvent>,
        today: Date,
    },
}

/// What happened to an entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EntityEvent {
    Registered {
        registration: Registration,
        at_ms: i64,
    },
    Approved {
        reviewer: String,
        at_ms: i64,
    },
    Rejected {
        reviewer: String,
        reason: String,
        at_ms: i64,
    },
    QualificationsSet {
        qualifications: Vec<Qualification>,
        at_ms: i64,
    },
    BankAccountSet {
        bank_account: BankAccount,
        at_ms: i64,
    },
    Suspended {
        by: String,
        reason: String,
        at_ms: i64,
    },
    Barred {
        by: String,
        until: Date,
        reason: String,
        at_ms: i64,
    },
    Reinstated {
        by: String,
        reason: String,
        at_ms: i64,
    },
    CertificateBound {
        certificate: BoundCertificate,
        at_ms: i64,
    },
    CertificateRevoked {
        fingerprint: String,
        reason: String,
        at_ms: i64,
    },
    /// Shared with the province registry by its home node (there), or recognised from it
    /// (elsewhere: the entity is active here from then on).
    Shared {
        profile: SharedProfile,
        home: String,
        at_ms: i64,
    },
}

impl EntityEvent {
    /// The ledger kind of the event.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "entity.registered",
            Self::Approved { .. } => "entity.approved",
            Self::Rejected { .. } => "entity.rejected",
            Self::QualificationsSet { .. } => "entity.qualifications_set",
            Self::BankAccountSet { .. } => "entity.bank_account_set",
            Self::Suspended { .. } => "entity.suspended",
            Self::Barred { .. } => "entity.barred",
            Self::Reinstated { .. } => "entity.reinstated",
            Self::CertificateBound { .. } => "entity.certificate_bound",
            Self::CertificateRevoked { .. } => "entity.certificate_revoked",
            Self::Shared { .. } => "entity.shared",
        }
    }
}

impl Decider for Option<Entity> {
    type Command = EntityCommand;
    type Event = EntityEvent;

    fn decide(&self, command: EntityCommand, now_ms: i64) -> Result<Vec<EntityEvent>, DomainError> {
        match command {
            EntityCommand::Register(registration) => {
                self.ensure_may_register()?;
                registration.validate()?;
                if !registration.roles.iter().all(|role| role.is_self_service()) {
                    return Err(DomainError::RoleNotSelfService);
                }
                Ok(vec![EntityEvent::Registered {
                    registration,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::RegisterByOperator {
                registration,
                operator,
            } => {
                self.ensure_may_register()?;
                registration.validate()?;
                Ok(vec![
                    EntityEvent::Registered {
                        registration,
                        at_ms: now_ms,
                    },
                    EntityEvent::Approved {
                        reviewer: operator,
                        at_ms: now_ms,
                    },
                ])
            }
            EntityCommand::Approve { reviewer } => {
                self.ensure_pending()?;
                Ok(vec![EntityEvent::Approved {
                    reviewer,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::Reject { reviewer, reason } => {
                self.ensure_pending()?;
                let reason = reason.trim().to_string();
                if reason.is_empty() {
                    return Err(DomainError::ReasonRequired);
                }
                text_field("驳回理由", &reason, 500)?;
                Ok(vec![EntityEvent::Rejected {
                    reviewer,
                    reason,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::SetQualifications(qualifications) => {
                self.ensure_registered()?;
                if qualifications.len() > 50 {
                    return Err(DomainError::TooLong {
                        field: "资质",
                        max: 50,
                    });
                }
                for q in &qualifications {
                    text_field("资质名称", &q.name, 100)?;
                    text_field("资质等级", &q.grade, 30)?;
                    text_field("资质证书编号", &q.certificate_no, 60)?;
                    text_field("发证机关", &q.issuer, 100)?;
                }
                Ok(vec![EntityEvent::QualificationsSet {
                    qualifications,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::SetBankAccount(account) => {
                let entity = self.ensure_registered()?;
                text_field("开户银行", &account.bank, 100)?;
                text_field("账户名称", &account.account_name, 100)?;
                account_number(&account.account_no)?;
                if account.account_name.trim() != entity.registration.name.trim() {
                    return Err(DomainError::BankAccountName);
                }
                Ok(vec![EntityEvent::BankAccountSet {
                    bank_account: account,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::Suspend { by, reason } => {
                let entity = self.ensure_registered()?;
                if !matches!(
                    entity.status,
                    EntityStatus::Active | EntityStatus::Barred { .. }
                ) {
                    return Err(DomainError::NotActive);
                }
                text_field("暂停理由", &reason, 500)?;
                Ok(vec![EntityEvent::Suspended {
                    by,
                    reason,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::Bar {
                by,
                until,
                reason,
                today,
            } => {
                let entity = self.ensure_registered()?;
                if matches!(
                    entity.status,
                    EntityStatus::Pending | EntityStatus::Rejected { .. }
                ) {
                    return Err(DomainError::NotActive);
                }
                if until <= today {
                    return Err(DomainError::BarInPast);
                }
                text_field("禁入理由", &reason, 500)?;
                Ok(vec![EntityEvent::Barred {
                    by,
                    until,
                    reason,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::Reinstate { by, reason } => {
                let entity = self.ensure_registered()?;
                if !matches!(
                    entity.status,
                    EntityStatus::Suspended { .. } | EntityStatus::Barred { .. }
                ) {
                    return Err(DomainError::NotRestricted);
                }
                text_field("恢复理由", &reason, 500)?;
                Ok(vec![EntityEvent::Reinstated {
                    by,
                    reason,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::BindCertificate {
                certificate,
                subject_code,
            } => {
                let entity = self.ensure_registered()?;
                if subject_code.trim().to_ascii_uppercase() != entity.code() {
                    return Err(DomainError::CertificateWrongEntity);
                }
                if entity
                    .certificates
                    .iter()
                    .any(|c| c.fingerprint == certificate.fingerprint)
                {
                    return Err(DomainError::CertificateAlreadyBound);
                }
                Ok(vec![EntityEvent::CertificateBound {
                    certificate,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::RevokeCertificate {
                fingerprint,
                reason,
            } => {
                let entity = self.ensure_registered()?;
                text_field("吊销理由", &reason, 500)?;
                match entity
                    .certificates
                    .iter()
                    .find(|c| c.fingerprint == fingerprint)
                {
                    None => Err(DomainError::CertificateNotFound),
                    Some(c) if c.revoked.is_some() => Err(DomainError::CertificateRevoked),
                    Some(_) => Ok(vec![EntityEvent::CertificateRevoked {
                        fingerprint,
                        reason,
                        at_ms: now_ms,
                    }]),
                }
            }
            EntityCommand::Share { home } => {
                let entity = self.ensure_registered()?;
                let EntityKind::Organisation { uscc } = &entity.registration.kind else {
                    return Err(DomainError::NotShareable);
                };
                if entity.status != EntityStatus::Active || entity.home.is_some() {
                    return Err(DomainError::NotShareable);
                }
                let r = &entity.registration;
                Ok(vec![EntityEvent::Shared {
                    profile: SharedProfile {
                        id: r.id.clone(),
                        uscc: uscc.clone(),
                        name: r.name.clone(),
                        region: r.region.clone(),
                        legal_representative: r.legal_representative.clone(),
                        address: r.address.clone(),
                        roles: r.roles.clone(),
                    },
                    home,
                    at_ms: now_ms,
                }])
            }
            EntityCommand::Relay { event, today } => Ok(self.relay(*event, today, now_ms)),
        }
    }

    fn evolve(self, event: &EntityEvent) -> Self {
        match event {
            EntityEvent::Registered {
                registration,
                at_ms,
            } => Some(Entity {
                registration: registration.clone(),
                status: EntityStatus::Pending,
                registered_at_ms: *at_ms,
                reviewed_at_ms: None,
                reviewed_by: None,
                qualifications: Vec::new(),
                bank_account: None,
                certificates: Vec::new(),
                home: None,
            }),
            EntityEvent::Approved { reviewer, at_ms } => self.map(|entity| Entity {
                status: EntityStatus::Active,
                reviewed_at_ms: Some(*at_ms),
                reviewed_by: Some(reviewer.clone()),
                ..entity
            }),
            EntityEvent::Rejected {
                reviewer,
                reason,
                at_ms,
            } => self.map(|entity| Entity {
                status: EntityStatus::Rejected {
                    reason: reason.clone(),
                },
                reviewed_at_ms: Some(*at_ms),
                reviewed_by: Some(reviewer.clone()),
                ..entity
            }),
            EntityEvent::QualificationsSet { qualifications, .. } => self.map(|entity| Entity {
                qualifications: qualifications.clone(),
                ..entity
            }),
            EntityEvent::BankAccountSet { bank_account, .. } => self.map(|entity| Entity {
                bank_account: Some(bank_account.clone()),
                ..entity
            }),
            EntityEvent::Suspended { reason, .. } => self.map(|entity| Entity {
                status: EntityStatus::Suspended {
                    reason: reason.clone(),
                },
                ..entity
            }),
            EntityEvent::Barred { until, reason, .. } => self.map(|entity| Entity {
                status: EntityStatus::Barred {
                    until: *until,
                    reason: reason.clone(),
                },
                ..entity
            }),
            EntityEvent::Reinstated { .. } => self.map(|entity| Entity {
                status: EntityStatus::Active,
                ..entity
            }),
            EntityEvent::CertificateBound { certificate, .. } => self.map(|mut entity| {
                entity.certificates.push(certificate.clone());
                entity
            }),
            EntityEvent::CertificateRevoked {
                fingerprint,
                reason,
                ..
            } => self.map(|mut entity| {
                for c in &mut entity.certificates {
                    if &c.fingerprint == fingerprint {
                        c.revoked = Some(reason.clone());
                    }
                }
                entity
            }),
            EntityEvent::Shared {
                profile,
                home,
                at_ms,
            } => match self {
                // At its home node, sharing changes nothing.
                Some(entity) => Some(entity),
                None => Some(Entity {
                    registration: profile.registration(),
                    status: EntityStatus::Active,
                    registered_at_ms: *at_ms,
                    reviewed_at_ms: Some(*at_ms),
                    reviewed_by: Some(home.clone()),
                    qualifications: Vec::new(),
                    bank_account: None,
                    certificates: Vec::new(),
                    home: Some(home.clone()),
                }),
            },
        }
    }
}

impl RelayEntity for Option<Entity> {
    fn relay(&self, event: EntityEvent, today: Date, now_ms: i64) -> Vec<EntityEvent> {
        let command = match event {
            EntityEvent::Shared { profile, home, .. } => {
                // A profile that does not validate as a registration is not taken in.
                if self.is_some()
                    || profile.id.0 != profile.uscc.to_string()
                    || profile.registration().validate_shared().is_err()
                {
                    return Vec::new();
                }
                return vec![EntityEvent::Shared {
                    profile,
                    home,
                    at_ms: now_ms,
                }];
            }
            EntityEvent::Suspended { by, reason, .. } => EntityCommand::Suspend { by, reason },
            EntityEvent::Barred {
                by, until, reason, ..
            } => {
                if matches!(self, Some(Entity { status: EntityStatus::Barred { until: u, .. }, .. }) if *u == until)
                {
                    return Vec::new();
                }
                EntityCommand::Bar {
                    by,
                    until,
                    reason,
                    today,
                }
            }
            EntityEvent::Reinstated { by, reason, .. } => EntityCommand::Reinstate { by, reason },
            EntityEvent::QualificationsSet { qualifications, .. } => {
                if self
                    .as_ref()
                    .is_some_and(|e| e.qualifications == qualifications)
                {
                    return Vec::new();
                }
                EntityCommand::SetQualifications(qualifications)
            }
            EntityEvent::CertificateBound { certificate, .. } => {
                let Some(entity) = self else {
                    return Vec::new();
                };
                EntityCommand::BindCertificate {
                    subject_code: entity.code(),
                    certificate,
                }
            }
            EntityEvent::CertificateRevoked {
                fingerprint,
                reason,
                ..
            } => EntityCommand::RevokeCertificate {
                fingerprint,
                reason,
            },
            // The application, the review and the bank account stay with the home node.
            EntityEvent::Registered { .. }
            | EntityEvent::Approved { .. }
            | EntityEvent::Rejected { .. }
            | EntityEvent::BankAccountSet { .. } => return Vec::new(),
        };
        self.decide(command, now_ms).unwrap_or_default()
    }
}

trait RelayEntity {
    fn relay(&self, event: EntityEvent, today: Date, now_ms: i64) -> Vec<EntityEvent>;
}

trait EntityChecks {
    fn ensure_may_register(&self) -> Result<(), DomainError>;
    fn ensure_pending(&self) -> Result<(), DomainError>;
    fn ensure_registered(&self) -> Result<&Entity, DomainError>;
}

impl EntityChecks for Option<Entity> {
    fn ensure_may_register(&self) -> Result<(), DomainError> {
        match self {
            None => Ok(()),
            Some(entity) if matches!(entity.status, EntityStatus::Rejected { .. }) => Ok(()),
            Some(_) => Err(DomainError::DuplicateRegistration),
        }
    }

    fn ensure_pending(&self) -> Result<(), DomainError> {
        match self {
            None => Err(DomainError::EntityNotFound),
            Some(entity) if entity.status == EntityStatus::Pending => Ok(()),
            Some(_) => Err(DomainError::NotPending),
        }
    }

    fn ensure_registered(&self) -> Result<&Entity, DomainError> {
        match self {
            Some(entity) if !matches!(entity.status, EntityStatus::Rejected { .. }) => Ok(entity),
            _ => Err(DomainError::EntityNotFound),
        }
    }
}
