//! 悔拍: a buyer of a closed sale who does not sign the 成交确认书 or pay. The trading center
//! records it in the sale's default stream; the deposit applied to the price is forfeited, and
//! both facts become the buyer's credit records in the same transaction.

use domain::{
    Date, Decider, DeclareDefault, NewRecord, RecordSource, Role, SaleDefault, SubjectKind,
};
use ledger::Visibility;

use crate::witness::append::{NewEntry, append};
use crate::witness::replay::load;
use crate::{App, AppError, Caller, Receipt};

impl App {
    /// Records a buyer's default (the trading center, on the 出让人's report).
    pub async fn declare_sale_default(
        &self,
        caller: &Caller,
        id: &str,
        bidder: &str,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let auction = self.auction(id).await?;
        let entity = self
            .entity_of_bidder(id, bidder)
            .await?
            .ok_or(domain::DomainError::SaleDefaultNotBuyer)?;
        let name = self.entity_name(&entity).await?;
        let now = self.now_ms();
        let stream = SaleDefault::stream(id, bidder);
        let mut tx = self.store.begin().await?;
        let (state, _) = load::<Option<SaleDefault>>(&mut tx, &stream).await?;
        let events = state.decide(
            DeclareDefault {
                auction,
                bidder: bidder.to_string(),
                reason: reason.to_string(),
                by: caller.username.clone(),
            },
            now,
        )?;
        let entries = events
            .iter()
            .map(|event| {
                Ok(NewEntry {
                    stream: stream.clone(),
                    kind: "sale.defaulted".into(),
                    visibility: Visibility::Public,
                    actor: caller.username.clone(),
                    payload: serde_json::to_value(event)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let receipt = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("default appended nothing".into()))?;
        for event in &events {
            let mut facts = vec![(
                "sale_default",
                format!("竞价 {id}（竞买号 {bidder}）：{}", event.reason),
            )];
            if event.deposit_forfeited_fen > 0 {
                facts.push((
                    "deposit_forfeited",
                    format!(
                        "竞价 {id}（竞买号 {bidder}）：竞买保证金 {}.{:02} 元不予退还",
                        event.deposit_forfeited_fen / 100,
                        event.deposit_forfeited_fen % 100
                    ),
                ));
            }
            for (fact, detail) in facts {
                self.credit_record_in(
                    &mut tx,
                    &caller.username,
                    &entity,
                    SubjectKind::Entity,
                    &name,
                    NewRecord {
                        fact: fact.into(),
                        source: RecordSource::Platform {
                            stream: stream.clone(),
                            act: "sale.defaulted".into(),
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
        tx.commit().await?;
        Ok(receipt)
    }

    /// The default recorded for a buyer of a sale, if any.
    pub async fn sale_default(
        &self,
        id: &str,
        bidder: &str,
    ) -> Result<Option<SaleDefault>, AppError> {
        let rows = self
            .store
            .stream_entries(&SaleDefault::stream(id, bidder))
            .await?;
        match rows.first() {
            Some(row) => Ok(Some(crate::witness::replay::decode(row)?)),
            None => Ok(None),
        }
    }
}
