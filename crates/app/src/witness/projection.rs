//! From aggregate state to read-table rows, and the replay of the whole ledger into rows that
//! the verifier compares with what is stored.

use std::collections::BTreeMap;

use domain::{Account, AccountEvent, Decider, Entity, EntityEvent, EntityKind, Role};
use serde::de::DeserializeOwned;
use store::{AccountRow, AnnouncementRow, DocumentRow, EntityRow, EntryRow, ReferenceRow};

use crate::witness::documents::{DocumentAggregate, announcement_row};
use crate::witness::replay::decode;

use crate::AppError;

pub(crate) fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub(crate) fn roles_parse(text: &str) -> Vec<Role> {
    text.split(',').filter_map(Role::parse).collect()
}

pub(crate) fn entity_row(entity: &Entity, last_seq: i64) -> EntityRow {
    let reg = &entity.registration;
    let (kind, code) = match &reg.kind {
        EntityKind::Organisation { uscc } => ("organisation", uscc.to_string()),
        EntityKind::NaturalPerson { id_number } => ("natural_person", id_number.to_string()),
    };
    let reject_reason = match &entity.status {
        domain::EntityStatus::Rejected { reason } => reason.clone(),
        _ => String::new(),
    };
    let (restriction_reason, restricted_until) = match &entity.status {
        domain::EntityStatus::Suspended { reason } => (reason.clone(), String::new()),
        domain::EntityStatus::Barred { until, reason } => (reason.clone(), until.to_string()),
        _ => (String::new(), String::new()),
    };
    EntityRow {
        id: reg.id.to_string(),
        kind: kind.into(),
        code,
        name: reg.name.clone(),
        region: reg.region.to_string(),
        legal_representative: reg.legal_representative.clone(),
        address: reg.address.clone(),
        contact_name: reg.contact.name.clone(),
        contact_phone: reg.contact.phone.clone(),
        contact_email: reg.contact.email.clone(),
        roles: roles_text(&reg.roles),
        status: entity.status.as_str().into(),
        reject_reason,
        registered_at_ms: entity.registered_at_ms,
        reviewed_at_ms: entity.reviewed_at_ms.unwrap_or(0),
        reviewed_by: entity.reviewed_by.clone().unwrap_or_default(),
        last_seq,
        qualifications: serde_json::to_string(&entity.qualifications)
            .unwrap_or_else(|_| "[]".into()),
        bank_account: entity
            .bank_account
            .as_ref()
            .and_then(|account| serde_json::to_string(account).ok())
            .unwrap_or_default(),
        restriction_reason,
        restricted_until,
        certificates: serde_json::to_string(&entity.certificates).unwrap_or_else(|_| "[]".into()),
        controller: reg.controller.clone(),
        home: entity.home.clone().unwrap_or_default(),
    }
}

pub(crate) fn account_row(account: &Account, last_seq: i64) -> AccountRow {
    AccountRow {
        username: account.username.to_string(),
        display_name: account.display_name.clone(),
        entity_id: account.entity.to_string(),
        roles: roles_text(&account.roles),
        status: match account.status {
            domain::AccountStatus::Active => "active".into(),
            domain::AccountStatus::Disabled => "disabled".into(),
        },
        created_at_ms: account.created_at_ms,
        last_seq,
    }
}

/// The read tables as the ledger says they must be.
#[derive(Debug, Default)]
pub(crate) struct Rebuilt {
    pub(crate) entities: BTreeMap<String, EntityRow>,
    pub(crate) accounts: BTreeMap<String, AccountRow>,
    pub(crate) references: BTreeMap<String, ReferenceRow>,
    pub(crate) documents: BTreeMap<String, DocumentRow>,
    pub(crate) announcements: BTreeMap<String, AnnouncementRow>,
    procedure_states: BTreeMap<String, Option<domain::Procedure>>,
    bid_states: BTreeMap<String, Option<domain::Bid>>,
    ceremony_states: BTreeMap<String, Option<domain::Ceremony>>,
    expert_states: BTreeMap<String, Option<domain::Expert>>,
    panel_states: BTreeMap<String, Option<domain::Panel>>,
    room_states: BTreeMap<String, Option<domain::Room>>,
    evaluation_states: BTreeMap<String, Option<domain::Evaluation>>,
    bond_states: BTreeMap<String, Option<domain::Bond>>,
    guarantor_states: BTreeMap<String, Option<domain::Guarantor>>,
    auction_states: BTreeMap<String, Option<domain::Auction>>,
    case_states: BTreeMap<String, Option<domain::Case>>,
    credit_states: BTreeMap<String, Option<domain::CreditFile>>,
    credit_list_states: BTreeMap<String, Option<domain::CreditList>>,
    warning_states: BTreeMap<String, Option<domain::Warning>>,
    entity_states: BTreeMap<String, Option<Entity>>,
    account_states: BTreeMap<String, Option<Account>>,
}

impl Rebuilt {
    /// Folds one entry in; entries must come in `seq` order.
    pub(crate) fn apply(&mut self, row: &EntryRow) -> Result<(), AppError> {
        if row.stream.starts_with("entity/") {
            let event: EntityEvent = decode(row)?;
            let state = self.entity_states.remove(&row.stream).unwrap_or_default();
            let state = state.evolve(&event);
            if let Some(entity) = &state {
                let projected = entity_row(entity, row.seq);
                self.entities.insert(projected.id.clone(), projected);
            }
            self.entity_states.insert(row.stream.clone(), state);
        } else if row.stream.starts_with("account/") {
            let event: AccountEvent = decode(row)?;
            let state = self.account_states.remove(&row.stream).unwrap_or_default();
            let state = state.evolve(&event);
            if let Some(account) = &state {
                let projected = account_row(account, row.seq);
                self.accounts.insert(projected.username.clone(), projected);
            }
            self.account_states.insert(row.stream.clone(), state);
        } else if row.stream.starts_with("procedure/") {
            fold_document(&mut self.procedure_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("bid/") {
            fold_document(&mut self.bid_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("ceremony/") {
            fold_document(&mut self.ceremony_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("expert/") {
            fold_document(&mut self.expert_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("panel/") {
            fold_document(&mut self.panel_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("room/") {
            fold_document(&mut self.room_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("auction/") {
            fold_document(&mut self.auction_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("guarantor/") {
            fold_document(&mut self.guarantor_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("bond/") {
            fold_document(&mut self.bond_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("case/") {
            fold_document(&mut self.case_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("credit/") {
            fold_document(&mut self.credit_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("credit-list/") {
            fold_document(&mut self.credit_list_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("warning/") {
            fold_document(&mut self.warning_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("evaluation/") {
            fold_document(&mut self.evaluation_states, &mut self.documents, row)?;
        } else if row.stream.starts_with("announcement/") {
            let announcement: domain::Announcement = decode(row)?;
            self.announcements.insert(
                announcement.id.clone(),
                announcement_row(&announcement, row.seq),
            );
        } else if row.stream.starts_with("reference/") {
            let event: domain::ReferenceEvent = decode(row)?;
            let projected = crate::reference::versions::reference_row(&event, &row.actor, row.seq);
            self.references.insert(
                format!("{}/{}", projected.kind, projected.version),
                projected,
            );
        }
        Ok(())
    }
}

/// Folds one entry into a document aggregate's state and its projected row.
fn fold_document<S>(
    states: &mut BTreeMap<String, S>,
    documents: &mut BTreeMap<String, DocumentRow>,
    row: &EntryRow,
) -> Result<(), AppError>
where
    S: DocumentAggregate,
    S::Event: serde::Serialize + DeserializeOwned,
{
    let event: S::Event = decode(row)?;
    let state = states
        .remove(&row.stream)
        .unwrap_or_default()
        .evolve(&event);
    if let Some(projected) = state.document(&row.stream, row.seq) {
        documents.insert(row.stream.clone(), projected);
    }
    states.insert(row.stream.clone(), state);
    Ok(())
}
