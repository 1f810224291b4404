//! 市场主体 — market entities: registration, the trading center's review, and the decider.
//!
//! "一处登记、全省通用": an entity registers once; an operator reviews the registration
//! (pending → active, or rejected with a reason, after which it may register again).

use serde::{Deserialize, Serialize};

use crate::{Decider, DomainError, EntityId, IdNumber, RegionCode, Role, Uscc};

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
}

impl Registration {
    fn validate(&self) -> Result<(), DomainError> {
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
}

pub(crate) fn text_field(field: &'static str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::Required { field });
    }
    optional_text(field, text, max)
}

fn optional_text(field: &'static str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    Ok(())
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
}

impl EntityStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Rejected { .. } => "rejected",
        }
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
}

impl EntityEvent {
    /// The ledger kind of the event.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Registered { .. } => "entity.registered",
            Self::Approved { .. } => "entity.approved",
            Self::Rejected { .. } => "entity.rejected",
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
        }
    }
}

trait EntityChecks {
    fn ensure_may_register(&self) -> Result<(), DomainError>;
    fn ensure_pending(&self) -> Result<(), DomainError>;
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
}
