//! The key holder's side (开标密钥持有人): what `ggzy keyholder` and the demo's simulated holders
//! compute on the holder's own machine. The holder's file holds its SM2 key and, after the
//! ceremony, its share of the opening key; it never goes to the platform. Partial decryptions
//! are made only for an opening whose start the holder has checked in the ledger: the entry's
//! inclusion proof, the signed tree head (with the platform key pinned in the file), and that
//! both the entry and the head are at or after the deadline.

use crypto::{
    CeremonyHolder, KeyShare, PlatformKey, PublicKey, Signature, Sm3Hash, canonical_json_bytes,
    finish_ceremony,
};
use domain::{BidPartial, Ceremony, CeremonyStatus, ProcedureEvent};
use ledger::{Entry, SignedTreeHead, verify_inclusion};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A holder's request to join a ceremony with its own key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub index: u32,
    /// SEC1 uncompressed hex.
    pub public_key: String,
}

/// A holder's commitments and encrypted shares, signed with its key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealRequest {
    pub index: u32,
    pub commitments: Vec<String>,
    pub shares: Vec<(u32, String)>,
    /// Over the canonical JSON of `{ceremony, index, commitments, shares}`.
    pub signature: String,
}

/// A holder's confirmation that every share it received matches its dealer's commitments.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub index: u32,
    /// The opening public key the holder computed.
    pub public_key: String,
    /// Over the canonical JSON of `{ceremony, index, public_key}`.
    pub signature: String,
}

/// A holder's complaint about a dealer's share.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    pub index: u32,
    pub against: u32,
    pub reason: String,
}

/// What the platform serves a holder for an opening: the public ledger entry that started it,
/// with its inclusion proof to a signed head.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpeningRequest {
    pub lot: String,
    pub procedure: String,
    pub ceremony: String,
    pub entry: Entry,
    pub tree_head: SignedTreeHead,
    pub path: Vec<Sm3Hash>,
    /// The procedure's `published` entry and every `amended` entry before the opening, each
    /// with its inclusion proof to `tree_head`: where the holder reads the deadline.
    #[serde(default)]
    pub schedule: Vec<ProvenEntry>,
}

/// A public ledger entry with its inclusion proof to the request's tree head.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProvenEntry {
    pub entry: Entry,
    pub path: Vec<Sm3Hash>,
}

/// One holder's partial decryptions for a lot.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialsRequest {
    pub index: u32,
    pub partials: Vec<BidPartial>,
}

/// The binding context of a partial decryption: lot, bidder and envelope.
pub fn partial_context(lot: &str, bidder: &str, envelope: &str) -> Vec<u8> {
    format!("{lot}\n{bidder}\n{envelope}").into_bytes()
}

pub(crate) fn deal_message(ceremony: &str, request: &DealRequest) -> serde_json::Value {
    serde_json::json!({
        "ceremony": ceremony,
        "index": request.index,
        "commitments": request.commitments,
        "shares": request.shares,
    })
}

pub(crate) fn confirm_message(ceremony: &str, index: u32, public_key: &str) -> serde_json::Value {
    serde_json::json!({"ceremony": ceremony, "index": index, "public_key": public_key})
}

/// A refusal of the key holder's own checks (its tool, not the platform, says no).
fn refuse(reason: impl Into<String>) -> AppError {
    AppError::refused("HOLDER_REFUSED", reason)
}

/// The holder's own file.
#[derive(Clone, Serialize, Deserialize)]
pub struct HolderFile {
    pub ceremony: String,
    pub index: u32,
    pub account: String,
    /// The platform's witness key (hex), pinned when the file was made.
    pub platform_key: String,
    /// The holder's SM2 key, PKCS#8 PEM.
    pub key_pem: String,
    /// f_i(i), kept between dealing and confirming (hex).
    #[serde(default)]
    pub own_share: Option<String>,
    /// The holder's share of the opening key, once the ceremony completed (hex).
    #[serde(default)]
    pub share: Option<String>,
    /// The opening public key (hex), once known.
    #[serde(default)]
    pub opening_key: Option<String>,
}

impl std::fmt::Debug for HolderFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HolderFile({} #{})", self.ceremony, self.index)
    }
}

impl HolderFile {
    /// A new holder file with a fresh SM2 key.
    pub fn new(ceremony: &str, index: u32, account: &str, platform_key: &PublicKey) -> Self {
        Self {
            ceremony: ceremony.to_string(),
            index,
            account: account.to_string(),
            platform_key: platform_key.to_hex(),
            key_pem: PlatformKey::generate().to_pkcs8_pem(),
            own_share: None,
            share: None,
            opening_key: None,
        }
    }

    fn key(&self) -> Result<PlatformKey, AppError> {
        Ok(PlatformKey::from_pkcs8_pem(&self.key_pem)?)
    }

    pub fn join_request(&self) -> Result<JoinRequest, AppError> {
        Ok(JoinRequest {
            index: self.index,
            public_key: self.key()?.public_key().to_hex(),
        })
    }

    /// Draws the holder's polynomial, encrypts a share to every other holder, keeps its own.
    pub fn deal(&mut self, ceremony: &Ceremony) -> Result<DealRequest, AppError> {
        if ceremony.status != CeremonyStatus::Dealing {
            return Err(refuse("密钥仪式不在交换份额阶段"));
        }
        let polynomial = CeremonyHolder::new(self.index, ceremony.threshold as usize)?;
        let mut shares = Vec::new();
        for seat in &ceremony.seats {
            if seat.index == self.index {
                continue;
            }
            let key = seat
                .public_key
                .as_deref()
                .ok_or_else(|| refuse("有持有人尚未加入"))?;
            let ciphertext =
                PublicKey::from_hex(key)?.encrypt(&polynomial.share_for(seat.index))?;
            shares.push((seat.index, hex::encode(ciphertext)));
        }
        let mut request = DealRequest {
            index: self.index,
            commitments: polynomial.commitments().iter().map(hex::encode).collect(),
            shares,
            signature: String::new(),
        };
        request.signature = self
            .key()?
            .sign_json(&deal_message(&self.ceremony, &request))?
            .to_hex();
        self.own_share = Some(hex::encode(polynomial.share_for(self.index)));
        Ok(request)
    }

    /// Decrypts and checks the shares dealt to this holder; on success keeps the key share and
    /// returns the confirmation, otherwise the complaint against the first bad dealer.
    pub fn confirm(
        &mut self,
        ceremony: &Ceremony,
    ) -> Result<Result<ConfirmRequest, ComplaintRequest>, AppError> {
        if ceremony.status != CeremonyStatus::Confirming {
            return Err(refuse("密钥仪式不在确认阶段"));
        }
        let key = self.key()?;
        let own = self
            .own_share
            .as_deref()
            .ok_or_else(|| refuse("本持有人尚未交换份额"))?;
        let mut received = vec![(self.index, to32(&hex::decode(own).unwrap_or_default())?)];
        let mut commitments = Vec::new();
        for seat in &ceremony.seats {
            let theirs: Vec<Vec<u8>> = seat
                .commitments
                .as_ref()
                .ok_or_else(|| refuse("有持有人尚未交换份额"))?
                .iter()
                .map(|c| hex::decode(c).unwrap_or_default())
                .collect();
            if seat.index != self.index {
                let complaint = |reason: &str| ComplaintRequest {
                    index: self.index,
                    against: seat.index,
                    reason: reason.to_string(),
                };
                let Some((_, ciphertext)) = seat.shares.iter().find(|(j, _)| *j == self.index)
                else {
                    return Ok(Err(complaint("没有发给本持有人的份额")));
                };
                let share = hex::decode(ciphertext)
                    .ok()
                    .and_then(|bytes| key.decrypt(&bytes).ok())
                    .and_then(|plain| to32(&plain).ok());
                let Some(share) = share else {
                    return Ok(Err(complaint("份额无法解密")));
                };
                if crypto::verify_ceremony_share(&theirs, self.index, &share).is_err() {
                    return Ok(Err(complaint("份额与其承诺不符")));
                }
                received.push((seat.index, share));
            }
            commitments.push((seat.index, theirs));
        }
        let (share, shared) = finish_ceremony(
            self.index,
            ceremony.threshold as usize,
            &received,
            &commitments,
        )?;
        let public_key = shared.public_key.to_hex();
        let signature = key
            .sign_json(&confirm_message(&self.ceremony, self.index, &public_key))?
            .to_hex();
        self.share = Some(hex::encode(share.secret_bytes()));
        self.opening_key = Some(public_key.clone());
        self.own_share = None;
        Ok(Ok(ConfirmRequest {
            index: self.index,
            public_key,
            signature,
        }))
    }

    /// Checks the opening's ledger entry and signed head, then makes the partial decryptions.
    /// Refuses before the deadline, whatever the platform asks.
    pub fn partials(&self, request: &OpeningRequest) -> Result<PartialsRequest, AppError> {
        let share = self
            .share
            .as_deref()
            .ok_or_else(|| refuse("本持有人没有开标密钥份额"))?;
        if request.ceremony != self.ceremony {
            return Err(refuse("该标段的开标密钥不是本持有人参与生成的"));
        }
        let platform = PublicKey::from_hex(&self.platform_key)?;
        request
            .tree_head
            .verify(&platform)
            .map_err(|_| refuse("签名树头的平台签名无效"))?;
        let leaf = request.entry.leaf_hash()?;
        verify_inclusion(
            &leaf,
            request.entry.seq,
            request.tree_head.head.size,
            &request.path,
            &request.tree_head.head.root,
        )
        .map_err(|e| refuse(format!("开标记录不在账本中：{e}")))?;
        if request.entry.stream != format!("procedure/{}", request.procedure) {
            return Err(refuse("账本条目不属于该项目"));
        }
        let event: ProcedureEvent = serde_json::from_value(request.entry.payload.clone())
            .map_err(|_| refuse("账本条目不是开标开始"))?;
        let ProcedureEvent::OpeningStarted {
            lot,
            deadline_ms,
            bids,
            at_ms,
        } = event
        else {
            return Err(refuse("账本条目不是开标开始"));
        };
        if lot != request.lot {
            return Err(refuse("账本条目不属于该标段"));
        }
        // The deadline as announced: the published entry, moved by each amendment before the
        // opening — all proven in the same tree.
        let mut announced: Option<i64> = None;
        let mut last_seq = None;
        for proven in &request.schedule {
            verify_inclusion(
                &proven.entry.leaf_hash()?,
                proven.entry.seq,
                request.tree_head.head.size,
                &proven.path,
                &request.tree_head.head.root,
            )
            .map_err(|e| refuse(format!("公告条目不在账本中：{e}")))?;
            if proven.entry.stream != request.entry.stream
                || proven.entry.seq >= request.entry.seq
                || last_seq.is_some_and(|seq| proven.entry.seq <= seq)
            {
                return Err(refuse("公告条目与开标条目不属于同一项目或顺序不对"));
            }
            last_seq = Some(proven.entry.seq);
            match serde_json::from_value::<ProcedureEvent>(proven.entry.payload.clone()) {
                Ok(ProcedureEvent::Published { deadline_ms, .. }) if announced.is_none() => {
                    announced = Some(deadline_ms);
                }
                Ok(ProcedureEvent::Amended { amendment }) if announced.is_some() => {
                    announced = Some(amendment.deadline_ms);
                }
                _ => return Err(refuse("公告条目不是发布或变更公告")),
            }
        }
        let announced =
            announced.ok_or_else(|| refuse("缺少项目发布条目，无法核对投标截止时间"))?;
        if deadline_ms != announced {
            return Err(refuse("开标条目中的截止时间与公告的不符，拒绝解密"));
        }
        if at_ms < deadline_ms || request.tree_head.head.timestamp_ms < deadline_ms {
            return Err(AppError::Domain(domain::DomainError::BiddingOpen));
        }
        // Each wrapped key must come with its bidder's signed header naming this lot, this
        // bidder and this wrapped key, whose digest is the envelope's: so an opening cannot list
        // a key that belongs to another lot's bid.
        for bid in &bids {
            let header: crypto::EnvelopeHeader = serde_json::from_str(&bid.header)
                .map_err(|_| refuse("开标条目中的投标文件头部无法解析"))?;
            header
                .verify_signature()
                .map_err(|_| refuse("投标文件头部的签名无效"))?;
            let digest = crypto::Envelope::digest_of_header_line(bid.header.as_bytes());
            if header.lot != lot
                || header.bidder != bid.bidder.as_ref()
                || header.wrapped_key != bid.wrapped_key
                || digest.to_hex() != bid.envelope
            {
                return Err(refuse(format!(
                    "开标条目中「{}」的封装密钥不属于本标段的这份投标文件，拒绝解密",
                    bid.bidder_name
                )));
            }
        }
        let secret = to32(&hex::decode(share).unwrap_or_default())?;
        let share = KeyShare::from_secret(self.index, &secret);
        let partials = bids
            .iter()
            .map(|bid| {
                let wrapped =
                    hex::decode(&bid.wrapped_key).map_err(|_| refuse("封装密钥不是十六进制"))?;
                let context = partial_context(&lot, bid.bidder.as_ref(), &bid.envelope);
                let partial = share.partial_decrypt(&wrapped, &context)?;
                Ok(BidPartial {
                    bidder: bid.bidder.clone(),
                    point: hex::encode(&partial.point),
                    proof: partial.proof_hex(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(PartialsRequest {
            index: self.index,
            partials,
        })
    }
}

impl HolderFile {
    /// A sealed-bid sale's opening: checks the opening entry and the sale's creation entry in
    /// one tree signed by the pinned platform key, that the opening came after the sale's close
    /// (as published at its creation), and that each envelope's signed header names this sale,
    /// its bidder and its wrapped key; then makes the partial decryptions. Refuses before the
    /// close, whatever the platform asks.
    pub fn sale_partials(
        &self,
        request: &crate::SaleOpeningRequest,
    ) -> Result<PartialsRequest, AppError> {
        let share = self
            .share
            .as_deref()
            .ok_or_else(|| refuse("本持有人没有开启密钥份额"))?;
        if request.ceremony != self.ceremony {
            return Err(refuse("该竞价的开启密钥不是本持有人参与生成的"));
        }
        let platform = PublicKey::from_hex(&self.platform_key)?;
        request
            .tree_head
            .verify(&platform)
            .map_err(|_| refuse("签名树头的平台签名无效"))?;
        let stream = format!("auction/{}", request.auction);
        for proven in [&request.opening, &request.created] {
            verify_inclusion(
                &proven.entry.leaf_hash()?,
                proven.entry.seq,
                request.tree_head.head.size,
                &proven.path,
                &request.tree_head.head.root,
            )
            .map_err(|e| refuse(format!("竞价条目不在账本中：{e}")))?;
            if proven.entry.stream != stream {
                return Err(refuse("账本条目不属于该竞价"));
            }
        }
        let Ok(domain::AuctionEvent::Created { terms, .. }) =
            serde_json::from_value(request.created.entry.payload.clone())
        else {
            return Err(refuse("账本条目不是竞价的发布"));
        };
        let domain::AuctionMethod::Sealed { close_ms, .. } = terms.method else {
            return Err(refuse("该竞价不是密封报价"));
        };
        let Ok(domain::AuctionEvent::OpeningStarted { bids, at_ms }) =
            serde_json::from_value(request.opening.entry.payload.clone())
        else {
            return Err(refuse("账本条目不是开启密封报价"));
        };
        if request.created.entry.seq >= request.opening.entry.seq {
            return Err(refuse("竞价条目的顺序不对"));
        }
        if at_ms < close_ms || request.tree_head.head.timestamp_ms < close_ms {
            return Err(AppError::Domain(domain::DomainError::AuctionStillOpen));
        }
        for bid in &bids {
            let header: crypto::EnvelopeHeader = serde_json::from_str(&bid.header)
                .map_err(|_| refuse("开启条目中的报价文件头部无法解析"))?;
            header
                .verify_signature()
                .map_err(|_| refuse("报价文件头部的签名无效"))?;
            let digest = crypto::Envelope::digest_of_header_line(bid.header.as_bytes());
            if header.lot != request.auction
                || header.bidder != bid.entity
                || header.wrapped_key != bid.wrapped_key
                || digest.to_hex() != bid.envelope
            {
                return Err(refuse(format!(
                    "开启条目中竞买号 {} 的封装密钥不属于本竞价的这份报价文件，拒绝解密",
                    bid.bidder
                )));
            }
        }
        let secret = to32(&hex::decode(share).unwrap_or_default())?;
        let share = KeyShare::from_secret(self.index, &secret);
        let partials = bids
            .iter()
            .map(|bid| {
                let wrapped =
                    hex::decode(&bid.wrapped_key).map_err(|_| refuse("封装密钥不是十六进制"))?;
                let context = partial_context(&request.auction, &bid.entity, &bid.envelope);
                let partial = share.partial_decrypt(&wrapped, &context)?;
                Ok(BidPartial {
                    bidder: domain::EntityId(bid.entity.clone()),
                    point: hex::encode(&partial.point),
                    proof: partial.proof_hex(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(PartialsRequest {
            index: self.index,
            partials,
        })
    }
}

fn to32(bytes: &[u8]) -> Result<[u8; 32], AppError> {
    bytes.try_into().map_err(|_| refuse("份额长度应为32字节"))
}

/// Checks a signature (hex) by `public_key` (hex) over the canonical JSON of `message`.
pub(crate) fn check_signature(
    public_key: &str,
    message: &serde_json::Value,
    signature: &str,
) -> Result<(), AppError> {
    let key = PublicKey::from_hex(public_key)?;
    let invalid = |message: &str| AppError::refused("CEREMONY_MESSAGE_INVALID", message);
    let signature = Signature::from_hex(signature).map_err(|_| invalid("签名格式错误"))?;
    let bytes = canonical_json_bytes(message)?;
    key.verify(&bytes, &signature)
        .map_err(|_| invalid("持有人签名无效"))
}
