//! 网上竞价 through the application (issue 7, in progress; `docs/auctions.md`): a sale is created
//! with its reserve committed by hash; bidders register under anonymous 竞买号, their deposit is
//! confirmed, and every bid — accepted or refused — is a public ledger entry before it is
//! acknowledged, so that `check_auction` (and `ggzy verify --auction ID`) replays the sale from the
//! ledger and reproduces its result and every refusal. The reserve and who is behind each 竞买号
//! stay confidential until the close.

use crypto::sm3_concat;
use domain::{
    Auction, AuctionCommand, AuctionEvent, AuctionResult, AuctionTerms, Decider, DomainError, Role,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use crate::auction_engine::{AuctionLive, Context};
use crate::documents::{decide, project};
use crate::keys::decode_state;
use crate::witness::{NewEntry, append};
use crate::{App, AppError, Caller, Receipt};

/// A sale as the trading center creates it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAuction {
    /// Letters, digits and hyphens.
    pub id: String,
    pub terms: AuctionTerms,
    /// 保留价 in fen (0: none); kept confidential until the close.
    pub reserve_fen: i64,
}

/// A bank's notice that a bidder's 竞买保证金 arrived — the bank-confirmation API
/// (`POST /api/v1/auctions/{id}/deposits`, `docs/auctions.md`). The bank signs the canonical JSON
/// of the notice with the key of its certificate; the certificate's subject code is `bank`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepositNotice {
    /// The bank's 统一社会信用代码 (on the trading center's list of accepted institutions).
    pub bank: String,
    pub bank_name: String,
    /// The bank's transaction number (kept from the public).
    pub reference: String,
    /// The sale.
    pub auction: String,
    /// The paying bidder's 统一社会信用代码.
    pub payer: String,
    pub amount_fen: i64,
    pub received_at_ms: i64,
}

/// A notice with the bank's certificate and signature (hex).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedDepositNotice {
    pub notice: DepositNotice,
    pub certificate_pem: String,
    pub signature: String,
}

fn notice_invalid(reason: impl Into<String>) -> AppError {
    AppError::refused(
        "DEPOSIT_NOTICE_INVALID",
        format!("保证金到账通知无效：{}", reason.into()),
    )
}

/// The confidential facts of a sale: the reserve with its salt, and who is behind each 竞买号.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Sealed {
    reserve_fen: i64,
    salt: String,
}

/// The commitment to a reserve: SM3(salt ‖ reserve as decimal text), hex.
pub fn reserve_commitment(salt_hex: &str, reserve_fen: i64) -> String {
    let salt = hex::decode(salt_hex).unwrap_or_default();
    sm3_concat(&[&salt, reserve_fen.to_string().as_bytes()]).to_hex()
}

fn sealed_stream(id: &str) -> String {
    format!("auction-sealed/{id}")
}

fn valid_id(id: &str) -> bool {
    (3..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Replays a sale from its public events: every bid is decided again at its time and must be
/// accepted or refused (with the same code) as recorded; the reserve must match its commitment;
/// the close must give the recorded result. Returns the result, or the first disagreement.
pub fn check_auction(events: &[AuctionEvent]) -> Result<Option<AuctionResult>, String> {
    let mut state: Option<Auction> = None;
    for (index, event) in events.iter().enumerate() {
        let n = index + 1;
        let command = match event {
            AuctionEvent::Created {
                id,
                terms,
                reserve_commitment,
            } => AuctionCommand::Create {
                id: id.clone(),
                terms: terms.clone(),
                reserve_commitment: reserve_commitment.clone(),
            },
            AuctionEvent::Registered { bidder } => AuctionCommand::Register {
                bidder: bidder.clone(),
            },
            AuctionEvent::DepositConfirmed { bidder, amount_fen } => {
                AuctionCommand::ConfirmDeposit {
                    bidder: bidder.clone(),
                    amount_fen: *amount_fen,
                }
            }
            AuctionEvent::BidAccepted { bid } => AuctionCommand::Bid {
                bidder: bid.bidder.clone(),
                price_fen: bid.price_fen,
                quantity: bid.quantity,
            },
            AuctionEvent::BidRefused {
                bidder,
                price_fen,
                quantity,
                at_ms,
                code,
            } => {
                let refused = state.decide(
                    AuctionCommand::Bid {
                        bidder: bidder.clone(),
                        price_fen: *price_fen,
                        quantity: *quantity,
                    },
                    *at_ms,
                );
                match refused {
                    Err(e) if e.code() == code => {}
                    Err(e) => {
                        return Err(format!(
                            "第{n}条：记录的拒绝原因 {code}，重算为 {}",
                            e.code()
                        ));
                    }
                    Ok(_) => return Err(format!("第{n}条：记录为拒绝的报价，重算应当接受")),
                }
                state = state.evolve(event);
                continue;
            }
            AuctionEvent::Closed {
                reserve_fen, salt, ..
            } => {
                let commitment = state.as_ref().map(|a| a.reserve_commitment.clone());
                if commitment.as_deref() != Some(reserve_commitment(salt, *reserve_fen).as_str()) {
                    return Err("揭示的保留价与创建时的承诺不符".into());
                }
                AuctionCommand::Close {
                    reserve_fen: *reserve_fen,
                    salt: salt.clone(),
                }
            }
        };
        let at = match event {
            AuctionEvent::BidAccepted { bid } => bid.at_ms,
            AuctionEvent::Closed { at_ms, .. } => *at_ms,
            // Creation, registrations and deposits are not time-bound in the rules the replay
            // checks, except registration closing: replayed at the start.
            _ => i64::MIN / 2,
        };
        let decided = state
            .decide(command, at)
            .map_err(|e| format!("第{n}条：记录为接受，重算被拒绝（{}）", e.code()))?;
        if decided.first() != Some(event) {
            return Err(format!("第{n}条：重算的结果与记录不同"));
        }
        state = state.evolve(event);
    }
    Ok(state.and_then(|a| a.result))
}

impl App {
    /// The 竞买号 of an entity in a sale: `J` and 8 hex digits of a keyed digest (unlinkable
    /// across sales, recomputable only by the platform).
    pub fn auction_bidder_number(&self, id: &str, entity: &str) -> String {
        let digest = self
            .key
            .keyed_digest(format!("auction-bidder\n{id}\n{entity}").as_bytes());
        format!("J{}", digest.to_hex()[..8].to_ascii_uppercase())
    }

    fn sequencer_context(&self) -> Context {
        Context {
            store: self.store.clone(),
            key: self.key.clone(),
            origin: self.settings.origin.clone(),
            clock: self.clock.clone(),
            persist: self.settings.auction_persistence,
        }
    }

    /// Puts a command in the sale's sequence (judged at its arrival, now) and waits for its
    /// commit.
    async fn auction_command(
        &self,
        id: &str,
        actor: &str,
        command: AuctionCommand,
    ) -> Result<Option<Receipt>, AppError> {
        let at = self.now_ms();
        self.auctions
            .submit(id, command, actor, at, || self.sequencer_context())
            .await
    }

    /// The live snapshots of a sale, for watchers (server-sent events).
    pub fn auction_live(&self, id: &str) -> tokio::sync::watch::Receiver<Arc<AuctionLive>> {
        self.auctions.watch(id, || self.sequencer_context())
    }

    /// 发布竞价 (the trading center): the terms public, the reserve committed by hash.
    pub async fn create_auction(
        &self,
        caller: &Caller,
        input: NewAuction,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        if !valid_id(&input.id) || input.reserve_fen < 0 {
            return Err(DomainError::AuctionTerms.into());
        }
        let salt: [u8; 32] = rand::random();
        let salt = hex::encode(salt);
        let commitment = reserve_commitment(&salt, input.reserve_fen);
        let stream = Auction::stream(&input.id);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, mut entries) = decide::<Option<Auction>>(
            &mut tx,
            &stream,
            AuctionCommand::Create {
                id: input.id.clone(),
                terms: input.terms,
                reserve_commitment: commitment,
            },
            &caller.username,
            now,
        )
        .await?;
        entries.push(NewEntry {
            stream: sealed_stream(&input.id),
            kind: "auction.reserve_sealed".into(),
            visibility: Visibility::Supervision,
            actor: caller.username.clone(),
            payload: serde_json::to_value(Sealed {
                reserve_fen: input.reserve_fen,
                salt,
            })
            .map_err(|e| AppError::Internal(e.to_string()))?,
        });
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let first = receipts
            .first()
            .cloned()
            .ok_or_else(|| AppError::Internal("no receipt".into()))?;
        project(&mut tx, &stream, &decided.after, first.seq).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// 竞买登记: the bidder's 竞买号 for this sale.
    pub async fn register_for_auction(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(String, Option<Receipt>), AppError> {
        caller.require(Role::Bidder)?;
        let number = self.auction_bidder_number(id, &caller.entity_id);
        let receipt = self
            .auction_command(
                id,
                "bidder",
                AuctionCommand::Register {
                    bidder: number.clone(),
                },
            )
            .await?;
        Ok((number, receipt))
    }

    /// The trading center confirms a bidder's deposit from the bank's statement (when the
    /// bank's notice did not come through the API).
    pub async fn confirm_auction_deposit(
        &self,
        caller: &Caller,
        id: &str,
        entity: &str,
        amount_fen: i64,
    ) -> Result<Option<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let bidder = self.auction_bidder_number(id, entity);
        self.auction_command(
            id,
            &caller.username,
            AuctionCommand::ConfirmDeposit { bidder, amount_fen },
        )
        .await
    }

    /// A bank's signed notice that a deposit arrived: the certificate chains to a trusted CA,
    /// names an accepted institution, and signed exactly this notice; the payer is registered
    /// for the sale; then the deposit is confirmed (refused if short).
    pub async fn receive_deposit_notice(
        &self,
        id: &str,
        signed: &SignedDepositNotice,
    ) -> Result<Option<Receipt>, AppError> {
        let now = self.now_ms();
        let notice = &signed.notice;
        let certificate = crypto::Certificate::from_pem(&signed.certificate_pem)?;
        self.trust_store_at(now)
            .await?
            .verify(&certificate, now, |_| false)?;
        if certificate.subject_code().as_deref() != Some(notice.bank.as_str()) {
            return Err(notice_invalid("银行与证书不符"));
        }
        if self.approved_institution(&notice.bank).await?.is_none() {
            return Err(notice_invalid("该银行不在交易中心认可的金融机构名录中"));
        }
        let signature = crypto::Signature::from_hex(&signed.signature)
            .map_err(|_| notice_invalid("签名格式错误"))?;
        let value = serde_json::to_value(notice).map_err(|e| AppError::Internal(e.to_string()))?;
        certificate
            .public_key()?
            .verify_json(&value, &signature)
            .map_err(|_| notice_invalid("银行签名验证失败（通知内容被改动或非该银行签发）"))?;
        if notice.auction != id {
            return Err(notice_invalid("通知所载竞价项目不是本项目"));
        }
        if notice.payer == notice.bank {
            return Err(notice_invalid("付款人不能是银行自身"));
        }
        let bidder = self.auction_bidder_number(id, &notice.payer);
        self.auction_command(
            id,
            "bank",
            AuctionCommand::ConfirmDeposit {
                bidder,
                amount_fen: notice.amount_fen,
            },
        )
        .await
    }

    /// 报价: accepted or refused, the attempt is in the ledger before the answer (a refusal comes
    /// back as the error, after it is recorded). The receipt is absent only when the sequencer
    /// runs without persistence (the load generator's ceiling).
    pub async fn auction_bid(
        &self,
        caller: &Caller,
        id: &str,
        price_fen: i64,
        quantity: u64,
    ) -> Result<Option<Receipt>, AppError> {
        caller.require(Role::Bidder)?;
        let bidder = self.auction_bidder_number(id, &caller.entity_id);
        self.auction_command(
            id,
            "bidder",
            AuctionCommand::Bid {
                bidder,
                price_fen,
                quantity,
            },
        )
        .await
    }

    /// 结束竞价 (the trading center, after the end): the reserve revealed with its salt, the
    /// sale decided. Returns the result and, for a sale, the winning entity (confidential until
    /// now).
    pub async fn close_auction(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(AuctionResult, Option<String>), AppError> {
        caller.require(Role::Operator)?;
        let rows = self.store.stream_entries(&sealed_stream(id)).await?;
        let sealed: Sealed = rows
            .first()
            .map(|row| serde_json::from_str(&row.payload))
            .transpose()
            .map_err(|e| AppError::Internal(e.to_string()))?
            .ok_or(DomainError::AuctionNotFound)?;
        self.auction_command(
            id,
            &caller.username,
            AuctionCommand::Close {
                reserve_fen: sealed.reserve_fen,
                salt: sealed.salt,
            },
        )
        .await?;
        let auction = self.auction(id).await?;
        let result = auction
            .result
            .clone()
            .ok_or_else(|| AppError::Internal("closed without a result".into()))?;
        let winner = match &result {
            AuctionResult::Sold { bidder, .. } => self.entity_of_bidder(id, bidder).await?,
            _ => None,
        };
        Ok((result, winner))
    }

    /// Who is behind a 竞买号 (the registered bidders' entities are known to the platform).
    async fn entity_of_bidder(&self, id: &str, number: &str) -> Result<Option<String>, AppError> {
        for row in self.store.all_entities().await? {
            if self.auction_bidder_number(id, &row.id) == number {
                return Ok(Some(row.id));
            }
        }
        Ok(None)
    }

    /// A sale as the public sees it (竞买号 only; the reserve after the close).
    pub async fn auction(&self, id: &str) -> Result<Auction, AppError> {
        let row = self
            .store
            .document(&Auction::stream(id))
            .await?
            .ok_or(DomainError::AuctionNotFound)?;
        decode_state(&row.state)
    }

    /// Sales, newest start first, one page.
    pub async fn auctions(
        &self,
        limit: u64,
        offset: u64,
    ) -> Result<store::Page<Auction>, AppError> {
        let page = self
            .store
            .documents(
                &store::DocumentFilter {
                    kind: "auction",
                    ..Default::default()
                },
                limit,
                offset,
            )
            .await?;
        Ok(store::Page {
            items: page
                .items
                .iter()
                .map(|row| decode_state(&row.state))
                .collect::<Result<_, _>>()?,
            total: page.total,
        })
    }

    /// A page of a sale's public events with their ledger places: after `after_seq`, or the
    /// newest `limit` when `after_seq` is negative.
    pub async fn auction_history(
        &self,
        id: &str,
        after_seq: i64,
        limit: u64,
    ) -> Result<Vec<(u64, AuctionEvent)>, AppError> {
        self.store
            .stream_page(&Auction::stream(id), after_seq, limit.clamp(1, 1000))
            .await?
            .iter()
            .map(|row| {
                let event = serde_json::from_str(&row.payload)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                Ok((row.seq as u64, event))
            })
            .collect()
    }

    /// Replays a sale from the ledger (`check_auction`): its result, or the first disagreement.
    pub async fn verify_auction(&self, id: &str) -> Result<Option<AuctionResult>, AppError> {
        let events = self.auction_events(id).await?;
        if events.is_empty() {
            return Err(DomainError::AuctionNotFound.into());
        }
        check_auction(&events).map_err(|problem| AppError::refused("AUCTION_REPLAY", problem))
    }

    /// A sale's public events, in order (for `check_auction`).
    pub async fn auction_events(&self, id: &str) -> Result<Vec<AuctionEvent>, AppError> {
        self.store
            .stream_entries(&Auction::stream(id))
            .await?
            .iter()
            .map(|row| {
                serde_json::from_str(&row.payload).map_err(|e| AppError::Internal(e.to_string()))
            })
            .collect()
    }
}
