//! Loading an aggregate from the ledger: its events decoded and folded, inside a write
//! transaction; and the decoding of stored payloads and document states.

use domain::Decider;
use serde::de::DeserializeOwned;
use store::{EntryRow, WriteTx};

use crate::AppError;

pub(crate) fn decode<E: DeserializeOwned>(row: &EntryRow) -> Result<E, AppError> {
    serde_json::from_str(&row.payload).map_err(|e| {
        AppError::Internal(format!(
            "entry {} ({}) has a payload that does not decode: {e}",
            row.seq, row.kind
        ))
    })
}

/// The state of one aggregate inside a write transaction, and the seq of its last event.
pub(crate) async fn load<S>(tx: &mut WriteTx<'_>, stream: &str) -> Result<(S, i64), AppError>
where
    S: Decider,
    S::Event: DeserializeOwned,
{
    let rows = tx.stream_entries(stream).await?;
    let mut state = S::default();
    let mut last_seq = -1;
    for row in &rows {
        let event: S::Event = decode(row)?;
        state = state.evolve(&event);
        last_seq = row.seq;
    }
    Ok((state, last_seq))
}

/// A document's stored state.
pub(crate) fn decode_state<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("stored document: {e}")))
}
