//! Two-way sharing (`docs/federation.md` § Sharing): what one node witnesses of an entity or of
//! its credit becomes, within a follow step, an act in the ledger of every node that follows it.
//!
//! Every node follows the province hub, and the hub follows every node, with the same follower:
//! entries are taken in only after they were proven against the followed log's own signed tree
//! (`follow_node`). A relayed act is appended to this node's own ledger, with the actor
//! `relay:<origin>#<seq>` naming the entry it came from, so this node's ledger shows what it took
//! in and when, `ggzy verify` folds it like any other act, and the gate, the credit evaluation
//! and the pages need nothing new. What is relayed:
//!
//! - `entity.shared` — an organisation approved at its home node, with its public profile: active
//!   here from then on ("一处登记、全省通用");
//! - sanctions and their lifting (`entity.suspended`, `entity.barred`, `entity.reinstated`),
//!   qualifications, and certificates bound or revoked;
//! - credit records of entities, their withdrawal and an approved 信用修复.
//!
//! What travels, travels once along the shortest way: an entry is taken from a followed log when
//! that log witnessed it itself, or relayed it from a log this node neither is nor follows. So a
//! node never takes back what it relayed, a hub does not take from one node what it takes from
//! that node's own ledger, and hubs that follow one another (the Yangtze River Delta) take each
//! province's acts from that province's hub only — nothing loops. And a relay that does not apply
//! here decides nothing, so an act that arrives twice is taken in once.

use domain::{
    CreditCommand, CreditEvent, CreditFile, Date, Decider, Entity, EntityCommand, EntityEvent,
};
use ledger::Visibility;
use store::HubEntryRow;

use crate::credit::records::credit_stream;
use crate::witness::append::append;
use crate::witness::documents::{decide, project};
use crate::witness::projection::entity_row;
use crate::witness::replay::load;
use crate::{App, AppError};

/// The entry kinds relayed between nodes.
pub const RELAYED_KINDS: &[&str] = &[
    "entity.shared",
    "entity.suspended",
    "entity.barred",
    "entity.reinstated",
    "entity.qualifications_set",
    "entity.certificate_bound",
    "entity.certificate_revoked",
    "credit.recorded",
    "credit.withdrawn",
    "credit.repair_reviewed",
];

/// Ledger positions read per relay page (only the shared kinds are read).
const RELAY_PAGE: i64 = 10_000;

/// The actor of a relayed act: the followed log and the entry's place in it.
pub fn relay_actor(origin: &str, seq: u64) -> String {
    format!("relay:{origin}#{seq}")
}

/// The log a relayed act came from, if `actor` names one.
pub fn relayed_from(actor: &str) -> Option<(&str, u64)> {
    let rest = actor.strip_prefix("relay:")?;
    let (origin, seq) = rest.rsplit_once('#')?;
    Some((origin, seq.parse().ok()?))
}

impl App {
    /// Relays what a followed log witnessed since the last call into this node's ledger: every
    /// mirrored public entry of a `RELAYED_KINDS` kind, in order. Returns how many acts were
    /// appended here. A flagged log is not relayed from any more.
    pub async fn relay_from(&self, origin: &str) -> Result<usize, AppError> {
        let node = self.followed_node(origin).await?;
        if node.flagged.is_some() {
            return Ok(0);
        }
        let to = node.mirrored_size as i64;
        let mut from = self.store.relay_cursor(origin).await?;
        if from >= to {
            return Ok(0);
        }
        let mut nearer: std::collections::HashSet<String> = self
            .store
            .hub_nodes()
            .await?
            .into_iter()
            .map(|n| n.origin)
            .collect();
        nearer.insert(self.settings.origin.clone());
        let mut appended = 0;
        while from < to {
            let until = (from + RELAY_PAGE).min(to);
            for row in self.store.hub_shared_entries(origin, from, until).await? {
                if node.registry && row.kind == "trust.published" && !row.payload.is_empty() {
                    appended += self.relay_trust(&row).await?;
                } else if self.relayable(&row, &nearer) {
                    appended += self.relay_entry(&row).await?;
                }
            }
            self.store.advance_relay_cursor(origin, until).await?;
            from = until;
        }
        Ok(appended)
    }

    /// Whether a mirrored entry is taken in here; `nearer`: this node and every log it follows.
    fn relayable(&self, row: &HubEntryRow, nearer: &std::collections::HashSet<String>) -> bool {
        RELAYED_KINDS.contains(&row.kind.as_str())
            && row.visibility == Visibility::Public.as_str()
            && !row.payload.is_empty()
            // Not what came from here, nor what this node takes from its source directly.
            && relayed_from(&row.actor).is_none_or(|(from, _)| !nearer.contains(from))
            // Nor does this node take back its own shared entities from elsewhere.
            && !(row.kind == "entity.shared"
                && serde_json::from_str::<EntityEvent>(&row.payload).is_ok_and(|e| {
                    matches!(e, EntityEvent::Shared { home, .. } if home == self.settings.origin)
                }))
    }

    /// 全省互认: the CA roots the registry (the province's hub) recognises are recognised here
    /// too. A root it publishes that this node's trust store lacks is added to it, in a new
    /// version published by the relay; roots are never removed this way (a node's operator
    /// removes its own). 1 if a version was published. Idempotent: a second time finds every
    /// root present.
    async fn relay_trust(&self, row: &HubEntryRow) -> Result<usize, AppError> {
        let Ok(event) = serde_json::from_str::<domain::ReferenceEvent>(&row.payload) else {
            tracing::warn!(origin = %row.origin, seq = row.seq, "not relayed: the payload is not a reference event");
            return Ok(0);
        };
        let domain::ReferenceEvent::Published { text, version, .. } = event;
        let Ok(province) = crate::reference::versions::parse_trust(&text) else {
            tracing::warn!(origin = %row.origin, seq = row.seq, "a registry's trust store that does not parse is not taken in");
            return Ok(0);
        };
        let local = self
            .reference_current(domain::ReferenceKind::Trust)
            .await?
            .text;
        let known: std::collections::BTreeSet<String> =
            crate::reference::versions::parse_trust(&local)
                .map(|store| {
                    store
                        .roots()
                        .iter()
                        .map(|c| c.fingerprint().to_hex())
                        .collect()
                })
                .unwrap_or_default();
        let missing: Vec<&crypto::Certificate> = province
            .roots()
            .iter()
            .filter(|c| !known.contains(&c.fingerprint().to_hex()))
            .collect();
        if missing.is_empty() {
            return Ok(0);
        }
        let mut merged = local.trim_end().to_string();
        merged.push_str(&format!(
            "\n\n# 全省互认：{} 第{}版信任根（其账本第{}条）\n",
            row.origin, version, row.seq
        ));
        for root in missing {
            merged.push_str(&format!(
                "# {}\n{}",
                root.subject_common_name(),
                root.to_pem()
            ));
        }
        self.publish(
            domain::ReferenceKind::Trust,
            &merged,
            &format!("全省互认：采用 {} 发布的信任根", row.origin),
            &relay_actor(&row.origin, row.seq as u64),
        )
        .await?;
        Ok(1)
    }

    /// Applies one relayed entry in its own transaction; 1 if it became an act here.
    async fn relay_entry(&self, row: &HubEntryRow) -> Result<usize, AppError> {
        let now = self.now_ms();
        let actor = relay_actor(&row.origin, row.seq as u64);
        let mut tx = self.store.begin().await?;
        if tx.relayed(&row.origin, row.seq).await? {
            return Ok(0);
        }
        // A payload that is not its kind's event, or that names another subject than its stream,
        // is not taken in (the data-quality score shows the first; the second would put one
        // entity's acts under another's name): skipped, so one bad entry blocks nothing after it.
        let skip = |why: &str| {
            tracing::warn!(origin = %row.origin, seq = row.seq, kind = %row.kind, "not relayed: {why}");
            Ok(0)
        };
        let (subject, local_seq) = if let Some(id) = row.stream.strip_prefix("entity/") {
            let Ok(event) = serde_json::from_str::<EntityEvent>(&row.payload) else {
                return skip("the payload is not an entity event");
            };
            if let EntityEvent::Shared { profile, .. } = &event
                && profile.id.0 != id
            {
                return skip("the shared profile is another entity's than its stream's");
            }
            let stream = row.stream.clone();
            let (state, _) = load::<Option<Entity>>(&mut tx, &stream).await?;
            let events = state.decide(
                EntityCommand::Relay {
                    event: Box::new(event),
                    today: Date::of_instant(now),
                },
                now,
            )?;
            if events.is_empty() {
                return Ok(0);
            }
            let receipts = self
                .append_entity_events(&mut tx, &stream, &actor, now, &events)
                .await?;
            let entity = events
                .iter()
                .fold(state, |state, event| state.evolve(event))
                .ok_or(domain::DomainError::EntityNotFound)?;
            let last = receipts.last().map_or(0, |r| r.seq as i64);
            tx.upsert_entity(&entity_row(&entity, last)).await?;
            (id.to_string(), last)
        } else if let Some(subject) = row.stream.strip_prefix("credit/") {
            let Ok(event) = serde_json::from_str::<CreditEvent>(&row.payload) else {
                return skip("the payload is not a credit event");
            };
            if let CreditEvent::Recorded { subject: named, .. } = &event
                && named != subject
            {
                return skip("the record names another subject than its stream's");
            }
            let stream = credit_stream(subject);
            let (decided, entries) = decide::<Option<CreditFile>>(
                &mut tx,
                &stream,
                CreditCommand::Relay {
                    origin: row.origin.clone(),
                    seq: row.seq as u64,
                    event: Box::new(event),
                },
                &actor,
                now,
            )
            .await?;
            if entries.is_empty() {
                return Ok(0);
            }
            let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
            let last = receipts.last().map_or(0, |r| r.seq);
            project(&mut tx, &stream, &decided.after, last).await?;
            (subject.to_string(), last as i64)
        } else {
            return Ok(0);
        };
        tx.record_relay(&row.origin, row.seq, local_seq).await?;
        tx.commit().await?;
        self.trade_gate.forget(&subject);
        self.credit_cache.forget(&subject);
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relay_actor_names_its_log_and_entry() {
        let actor = relay_actor("ggzy.hangzhou.example", 42);
        assert_eq!(actor, "relay:ggzy.hangzhou.example#42");
        assert_eq!(relayed_from(&actor), Some(("ggzy.hangzhou.example", 42)));
        for other in ["operator", "relay:", "relay:x#", "relay:x#y", "relayx#1"] {
            assert_eq!(relayed_from(other), None, "{other}");
        }
    }
}
