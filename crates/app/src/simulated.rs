//! The demo's simulated key holders (交易中心, 行政监督部门, 第三方公证机构): they run the key
//! ceremony through the same use cases the HTTP API calls, and afterwards watch for lots whose
//! deadline has passed, start their opening and send their partial decryptions — each checking
//! the ledger entry and signed head exactly as `ggzy keyholder` does. Their files are kept
//! outside the platform's data directory.

use domain::{Ceremony, LotPhase, LotStatus};

use crate::holder::HolderFile;
use crate::{App, AppError, NewCeremony, NewSeat};

/// The demo's seats: (index, account, label).
pub const DEMO_HOLDERS: [(u32, &str, &str); 3] = [
    (1, "operator", "交易中心"),
    (2, "supervisor", "行政监督部门"),
    (3, "auditor", "第三方（公证机构）"),
];

/// Runs a whole 2-of-3 ceremony for `id` with simulated holders; returns their files.
pub async fn run_simulated_ceremony(app: &App, id: &str) -> Result<Vec<HolderFile>, AppError> {
    let operator = app.caller_for("operator").await?;
    app.open_ceremony(
        &operator,
        NewCeremony {
            id: id.to_string(),
            threshold: 2,
            seats: DEMO_HOLDERS
                .iter()
                .map(|(index, account, label)| NewSeat {
                    index: *index,
                    account: account.to_string(),
                    label: label.to_string(),
                })
                .collect(),
        },
    )
    .await?;
    let platform = app.public_key();
    let mut files: Vec<HolderFile> = DEMO_HOLDERS
        .iter()
        .map(|(index, account, _)| HolderFile::new(id, *index, account, &platform))
        .collect();
    for file in &files {
        let caller = app.caller_for(&file.account).await?;
        app.join_ceremony(&caller, id, file.join_request()?).await?;
    }
    for file in &mut files {
        let ceremony: Ceremony = app.ceremony(id).await?;
        let caller = app.caller_for(&file.account).await?;
        let request = file.deal(&ceremony)?;
        app.deal_ceremony(&caller, id, request).await?;
    }
    for file in &mut files {
        let ceremony = app.ceremony(id).await?;
        let caller = app.caller_for(&file.account).await?;
        match file.confirm(&ceremony)? {
            Ok(request) => app.confirm_ceremony(&caller, id, request).await?,
            Err(complaint) => {
                return Err(AppError::Internal(format!(
                    "simulated holder complained: {}",
                    complaint.reason
                )));
            }
        };
    }
    Ok(files)
}

/// One round of the simulated holders: starts the opening of every lot whose deadline has
/// passed, and sends partials for every lot being opened until `threshold` are in. Returns how
/// many lots it moved on.
pub async fn simulated_holders_round(app: &App, holders: &[HolderFile]) -> Result<usize, AppError> {
    let now = app.now_ms();
    let mut moved = 0;
    let page = app.procedures(None, 500, 0).await?;
    for procedure in &page.items {
        for lot in &procedure.lots {
            if procedure.phase(lot, now) == LotPhase::BiddingClosed {
                app.start_opening(None, &lot.code).await?;
                moved += 1;
            }
        }
    }
    let page = app.procedures(None, 500, 0).await?;
    for procedure in &page.items {
        let Some(key) = &procedure.opening_key else {
            continue;
        };
        for lot in &procedure.lots {
            if !matches!(lot.status, LotStatus::Opening { .. }) {
                continue;
            }
            let request = app.opening_request(&lot.code).await?;
            let mut have = lot.partials.len() as u32;
            for file in holders.iter().filter(|f| f.ceremony == key.ceremony) {
                if have >= key.threshold {
                    break;
                }
                if lot.partials.iter().any(|(index, _)| *index == file.index) {
                    continue;
                }
                let caller = app.caller_for(&file.account).await?;
                let partials = file.partials(&request)?;
                app.submit_partials(&caller, &lot.code, partials).await?;
                have += 1;
            }
            moved += 1;
        }
    }
    Ok(moved)
}
