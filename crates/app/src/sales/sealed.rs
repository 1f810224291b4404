//! 密封报价 (sealed-bid sales, `docs/auctions.md`): the tendering envelope and its threshold
//! opening, reused for a sale. A bidder seals one envelope (SM4-GCM package with the price, data
//! key wrapped to the sale's opening key, header signed with its bound certificate) and may
//! replace it until the close; the public sees only its 竞买号, the envelope's digest and the
//! time; the signed header — which names the bidder — is kept in a Supervision-visible entry.
//! After the close the trading center fixes the latest envelope of each bidder for the opening
//! (headers now public); the key holders check that entry and the sale's close in the ledger
//! before they decrypt; once `threshold` partials are in, every envelope is opened and the
//! prices recorded; the close then decides the sale.

use domain::{
    Auction, AuctionCommand, AuctionMethod, DomainError, OpenedSealedBid, Role, SaleSealedBid,
    SealedBidRef,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};

use crate::tendering::holder::{PartialsRequest, ProvenEntry, partial_context};
use crate::witness::append::NewEntry;
use crate::{App, AppError, Caller, Receipt};

/// What a key holder needs to check before decrypting a sale's sealed bids: the opening entry
/// and the sale's creation entry (its close time), proven in one signed tree.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaleOpeningRequest {
    pub auction: String,
    pub ceremony: String,
    pub opening: ProvenEntry,
    pub created: ProvenEntry,
    pub tree_head: ledger::SignedTreeHead,
}

/// The confidential record of a sealed bid as received.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SealedHeader {
    bidder: String,
    entity: String,
    envelope: String,
    wrapped_key: String,
    header: String,
}

impl App {
    /// 递交密封报价: the envelope is checked (its signature by a certificate bound to the
    /// bidder's entity and trusted now; it names this sale and this bidder; it is sealed to the
    /// sale's opening key), filed under its digest, and recorded before the answer. Returns the
    /// receipt and the envelope's digest.
    pub async fn submit_sealed_auction_bid(
        &self,
        caller: &Caller,
        id: &str,
        bytes: &[u8],
    ) -> Result<(Option<Receipt>, String), AppError> {
        caller.require(Role::Bidder)?;
        self.require_may_trade(caller).await?;
        let auction = self.auction(id).await?;
        self.require_credit(&caller.entity_id, &auction.info.category, domain::Gate::Bid)
            .await?;
        if !matches!(auction.terms.method, AuctionMethod::Sealed { .. }) {
            return Err(DomainError::AuctionNotSealed.into());
        }
        let key = auction
            .info
            .opening_key
            .as_ref()
            .ok_or_else(|| AppError::Internal("sealed sale without an opening key".into()))?;
        let invalid = |reason: &str| {
            AppError::refused("ENVELOPE_INVALID", format!("密封报价文件无效：{reason}"))
        };
        let envelope =
            crypto::Envelope::from_bytes(bytes).map_err(|_| invalid("不是密封投标（报价）文件"))?;
        let digest = envelope.digest()?;
        if crypto::Envelope::digest_of_file(bytes)? != digest {
            return Err(invalid("文件头不是规范格式"));
        }
        let header = &envelope.header;
        if header.lot != id {
            return Err(invalid("文件所载竞价编号不是本竞价"));
        }
        if header.bidder != caller.entity_id {
            return Err(invalid("文件所载竞买人不是本单位"));
        }
        if header.opening_key != key.public_key {
            return Err(invalid("没有使用本竞价的开启公钥加密"));
        }
        let certificate = envelope.verify()?;
        let holder = self
            .certificate_holder(&certificate.to_pem(), self.now_ms())
            .await?;
        if holder.id != caller.entity_id {
            return Err(invalid("签名证书不属于本单位"));
        }
        let number = self.auction_bidder_number(id, &caller.entity_id);
        // Filed under the envelope's digest, as tendering files its envelopes.
        let mut upload = self.store.blob_upload_keyed();
        upload.write(bytes).await?;
        upload.finish_keyed(&digest.to_hex(), self.now_ms()).await?;
        let evidence = NewEntry {
            stream: format!("auction-sealed/{id}"),
            kind: "auction.sealed_header".into(),
            visibility: Visibility::Supervision,
            actor: "bidder".into(),
            payload: serde_json::to_value(SealedHeader {
                bidder: number.clone(),
                entity: caller.entity_id.clone(),
                envelope: digest.to_hex(),
                wrapped_key: header.wrapped_key.clone(),
                header: String::from_utf8(crypto::canonical_json_bytes(
                    &serde_json::to_value(header).map_err(|e| AppError::Internal(e.to_string()))?,
                )?)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            })
            .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        let receipt = self
            .auction_command_with(
                id,
                "bidder",
                AuctionCommand::SubmitSealed {
                    bidder: number,
                    envelope: digest.to_hex(),
                },
                vec![evidence],
            )
            .await?;
        Ok((receipt, digest.to_hex()))
    }

    /// 开启密封报价 (the trading center, after the close): the latest envelope of each bidder
    /// is fixed for the opening, with its signed header, in a public entry.
    pub async fn start_auction_opening(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Option<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        let auction = self.auction(id).await?;
        let headers: Vec<SealedHeader> = self
            .store
            .stream_entries(&format!("auction-sealed/{id}"))
            .await?
            .iter()
            .filter(|row| row.kind == "auction.sealed_header")
            .filter_map(|row| serde_json::from_str(&row.payload).ok())
            .collect();
        let mut bids = Vec::new();
        for (number, submission) in &auction.sealed {
            let found = headers
                .iter()
                .rev()
                .find(|h| &h.bidder == number && h.envelope == submission.envelope)
                .ok_or_else(|| AppError::Internal("a sealed bid without its header".into()))?;
            bids.push(SaleSealedBid {
                bidder: number.clone(),
                entity: found.entity.clone(),
                envelope: found.envelope.clone(),
                wrapped_key: found.wrapped_key.clone(),
                header: found.header.clone(),
                at_ms: submission.at_ms,
            });
        }
        self.auction_command(id, &caller.username, AuctionCommand::StartOpening { bids })
            .await
    }

    /// The request a key holder checks before decrypting a sale's sealed bids.
    pub async fn sale_opening_request(&self, id: &str) -> Result<SaleOpeningRequest, AppError> {
        let auction = self.auction(id).await?;
        let key = auction
            .info
            .opening_key
            .as_ref()
            .ok_or(DomainError::AuctionNotSealed)?;
        let rows = self.store.stream_entries(&Auction::stream(id)).await?;
        let opening = rows
            .iter()
            .rev()
            .find(|row| row.kind == "auction.opening_started")
            .ok_or(DomainError::AuctionOpeningStep)?;
        let created = rows
            .iter()
            .find(|row| row.kind == "auction.created")
            .ok_or(DomainError::AuctionNotFound)?;
        let proof = self.inclusion(opening.seq as u64, None).await?;
        let size = proof.tree_head.head.size;
        let created_proof = self.inclusion(created.seq as u64, Some(size)).await?;
        Ok(SaleOpeningRequest {
            auction: id.to_string(),
            ceremony: key.ceremony.clone(),
            opening: ProvenEntry {
                entry: crate::witness::verify::entry_of_row(opening)?,
                path: proof.path,
            },
            created: ProvenEntry {
                entry: crate::witness::verify::entry_of_row(created)?,
                path: created_proof.path,
            },
            tree_head: proof.tree_head,
        })
    }

    /// A key holder's partial decryptions of a sale's sealed bids: each proof is checked against
    /// the holder's verification key; once `threshold` holders are in, the bids are opened.
    pub async fn submit_sale_partials(
        &self,
        caller: &Caller,
        id: &str,
        request: PartialsRequest,
    ) -> Result<Vec<Receipt>, AppError> {
        let auction = self.auction(id).await?;
        let key = auction
            .info
            .opening_key
            .clone()
            .ok_or(DomainError::AuctionNotSealed)?;
        if !key
            .holders
            .iter()
            .any(|h| h.index == request.index && h.account == caller.username)
        {
            return Err(AppError::NotAuthorized);
        }
        let opening = auction
            .opening
            .as_ref()
            .ok_or(DomainError::AuctionOpeningStep)?;
        let shared = crate::tendering::tender::shared_key(&key)?;
        if request.partials.len() != opening.bids.len() {
            return Err(DomainError::AuctionOpeningStep.into());
        }
        for (bid, partial) in opening.bids.iter().zip(&request.partials) {
            let wrapped = hex::decode(&bid.wrapped_key)
                .map_err(|_| AppError::Internal("stored wrapped key".into()))?;
            let checked = crypto::Partial::from_hex(request.index, &partial.point, &partial.proof)
                .and_then(|p| {
                    shared.verify_partial(
                        &wrapped,
                        &p,
                        &partial_context(id, &bid.entity, &bid.envelope),
                    )
                });
            if checked.is_err() || partial.bidder.as_ref() != bid.entity {
                return Err(AppError::PartialInvalid {
                    holder: request.index,
                    bidder: bid.bidder.clone(),
                });
            }
        }
        let mut receipts: Vec<Receipt> = self
            .auction_command(
                id,
                &caller.username,
                AuctionCommand::AcceptPartial {
                    holder: request.index,
                    partials: request.partials,
                },
            )
            .await?
            .into_iter()
            .collect();
        let auction = self.auction(id).await?;
        let have = auction.opening.as_ref().map_or(0, |o| o.partials.len()) as u32;
        if have >= key.threshold {
            receipts.extend(self.finish_sale_opening(id, &auction, &key).await?);
        }
        Ok(receipts)
    }

    /// Opens every fixed envelope with the accepted partials and records the prices.
    async fn finish_sale_opening(
        &self,
        id: &str,
        auction: &Auction,
        key: &domain::OpeningKey,
    ) -> Result<Option<Receipt>, AppError> {
        let opening = auction
            .opening
            .as_ref()
            .ok_or(DomainError::AuctionOpeningStep)?;
        let shared = crate::tendering::tender::shared_key(key)?;
        let mut lines = Vec::new();
        for (position, bid) in opening.bids.iter().enumerate() {
            let partials: Vec<crypto::Partial> = opening
                .partials
                .iter()
                .filter_map(|(index, partials)| {
                    let p = partials.get(position)?;
                    crypto::Partial::from_hex(*index, &p.point, &p.proof).ok()
                })
                .collect();
            let content = self.store.blob(&bid.envelope).await.unwrap_or(None);
            let reference = SealedBidRef {
                bidder: domain::EntityId(bid.entity.clone()),
                bidder_name: bid.bidder.clone(),
                envelope: bid.envelope.clone(),
                wrapped_key: bid.wrapped_key.clone(),
                header: bid.header.clone(),
                submitted_at_ms: Some(bid.at_ms),
            };
            let mut files = Vec::new();
            let line = crate::tendering::tender::open_one(
                id, &reference, content, &shared, &partials, &mut files,
            );
            let reason = match &line.outcome {
                domain::OpeningOutcome::Opened if line.price_fen.is_none() => {
                    Some("报价文件中没有报价（price_fen）".to_string())
                }
                domain::OpeningOutcome::Opened => None,
                domain::OpeningOutcome::Failed { reason } => Some(reason.clone()),
            };
            lines.push(OpenedSealedBid {
                bidder: bid.bidder.clone(),
                envelope: bid.envelope.clone(),
                price_fen: if reason.is_none() {
                    line.price_fen
                } else {
                    None
                },
                reason,
            });
        }
        match self
            .auction_command(id, "system", AuctionCommand::RecordOpened { lines })
            .await
        {
            Ok(receipt) => Ok(receipt),
            // Another holder's submission finished it first.
            Err(AppError::Domain(DomainError::AuctionOpeningStep)) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
