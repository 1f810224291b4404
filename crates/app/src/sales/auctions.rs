//! 网上竞价 through the application (issue 7, in progress; `docs/auctions.md`): a sale is created
//! with its reserve committed by hash; bidders register under anonymous 竞买号, their deposit is
//! confirmed, and every bid — accepted or refused — is a public ledger entry before it is
//! acknowledged, so that `check_auction` (and `ggzy verify --auction ID`) replays the sale from the
//! ledger and reproduces its result and every refusal. The reserve and who is behind each 竞买号
//! stay confidential until the close.

use std::collections::{BTreeMap, HashMap};

use crypto::sm3_concat;
use domain::{
    Announcement, AnnouncementKind, Auction, AuctionCommand, AuctionEvent, AuctionInfo,
    AuctionMethod, AuctionResult, AuctionTerms, Date, Decider, DomainError, Method, Role,
};
use ledger::Visibility;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use crate::sales::engine::{AuctionLive, Context};
use crate::witness::append::{NewEntry, append};
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::yuan;
use crate::{App, AppError, Caller, Receipt};

/// A sale as the trading center creates it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAuction {
    /// Letters, digits and hyphens.
    pub id: String,
    /// 标的名称.
    pub title: String,
    /// The trading catalog's category (land, mining, state_property, pollutant, …); it must
    /// allow the method (拍卖/网上竞价 for an English or quota auction, 挂牌 for a listing).
    pub category: String,
    /// 6-digit region code.
    pub region: String,
    /// 出让人 / 转让人: an approved entity with the tenderee role (统一社会信用代码).
    pub transferor: String,
    #[serde(default)]
    pub description: String,
    /// The terms; `min_bidders` is taken from the rule set, not from here.
    pub terms: AuctionTerms,
    /// 保留价 in fen (0: none); kept confidential until the close.
    pub reserve_fen: i64,
}

/// One buyer's line of a 成交确认书.
#[derive(Clone, Debug, Serialize)]
pub struct ConfirmationLine {
    pub buyer: String,
    pub buyer_code: String,
    pub bidder_number: String,
    pub units: u64,
    /// Per unit, in fen.
    pub price_fen: i64,
}

/// 成交确认书: what was sold, to whom, at what price, and the ledger entry of the close.
#[derive(Clone, Debug, Serialize)]
pub struct AuctionConfirmation {
    pub id: String,
    pub info: AuctionInfo,
    pub method: String,
    pub deposit_fen: i64,
    pub reserve_fen: i64,
    pub closed_at_ms: i64,
    pub closed_seq: u64,
    pub lines: Vec<ConfirmationLine>,
}

/// A bid signed with the bidder's certificate: what `ggzy sign` prints for the bid message.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBid {
    pub payload: serde_json::Value,
    /// SM2 signature over the canonical JSON of `payload`, hex.
    pub signature: String,
    /// The signer's certificate, PEM.
    pub certificate: String,
    #[serde(default)]
    pub algorithm: String,
}

/// A bid certificate's holder as judged at one moment.
pub(crate) struct BidSigner {
    entity: String,
    fingerprint: String,
    key: crypto::PublicKey,
    not_after_ms: i64,
}

/// Bid certificates judged in the last second (keyed by the SM3 of the PEM).
#[derive(Default)]
pub(crate) struct BidSigners(std::sync::Mutex<HashMap<String, (i64, Arc<BidSigner>)>>);

impl BidSigners {
    const FOR_MS: i64 = 1_000;
    const MAX: usize = 100_000;

    fn get(&self, digest: &str, now_ms: i64) -> Option<Arc<BidSigner>> {
        let cache = self.0.lock().ok()?;
        let (judged, signer) = cache.get(digest)?;
        (now_ms >= *judged && now_ms - judged < Self::FOR_MS && now_ms <= signer.not_after_ms)
            .then(|| signer.clone())
    }

    fn put(&self, digest: String, signer: Arc<BidSigner>, now_ms: i64) {
        if let Ok(mut cache) = self.0.lock() {
            if cache.len() >= Self::MAX {
                cache.retain(|_, (judged, _)| now_ms - *judged < Self::FOR_MS);
            }
            cache.insert(digest, (now_ms, signer));
        }
    }
}

/// A span in Chinese, to the second: `5 分钟`, `1 分 30 秒`, `45 秒` (a countdown under a
/// minute is never "0 分钟").
pub fn duration_zh(ms: i64) -> String {
    let seconds = (ms.max(0) + 999) / 1000;
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} 秒"),
        (m, 0) => format!("{m} 分钟"),
        (m, s) => format!("{m} 分 {s} 秒"),
    }
}

/// The announcement ids of a sale (one of each kind).
fn notice_id(id: &str, kind: AnnouncementKind) -> String {
    format!("{id}-{}", kind.as_str())
}

fn method_of(method: &AuctionMethod) -> (&'static [Method], &'static str) {
    match method {
        AuctionMethod::English { .. } => (&[Method::Auction, Method::OnlineBidding], "网上拍卖"),
        AuctionMethod::Listing { .. } => (&[Method::Listing], "挂牌"),
        AuctionMethod::Quota { .. } => (&[Method::Auction, Method::OnlineBidding], "指标竞价"),
        AuctionMethod::Sealed { .. } => (&[Method::Auction, Method::OnlineBidding], "密封报价"),
    }
}

fn start_and_end(method: &AuctionMethod) -> (i64, i64) {
    match *method {
        AuctionMethod::English {
            start_ms,
            free_until_ms,
            ..
        } => (start_ms, free_until_ms),
        AuctionMethod::Listing {
            start_ms,
            listing_end_ms,
            ..
        } => (start_ms, listing_end_ms),
        AuctionMethod::Quota {
            start_ms, close_ms, ..
        } => (start_ms, close_ms),
        AuctionMethod::Sealed { start_ms, close_ms } => (start_ms, close_ms),
    }
}

/// The terms in words, for the 竞价公告.
fn terms_text(terms: &AuctionTerms) -> String {
    match &terms.method {
        AuctionMethod::English { countdown_ms, .. } => format!(
            "网上拍卖：起始价 {} 元，加价幅度 {} 元。自由竞价结束后进入限时竞价，每次有效加价后重新计时 {}，倒计时结束时最高报价达到保留价的成交。",
            yuan(terms.start_price_fen),
            yuan(terms.increment_fen),
            duration_zh(*countdown_ms)
        ),
        AuctionMethod::Listing { countdown_ms, .. } => format!(
            "挂牌：挂牌起始价 {} 元，加价幅度 {} 元。挂牌期截止时只有一个竞买人报价且不低于保留价的成交；两个以上竞买人报价的，由挂牌期内报过价的竞买人进入限时竞价，每次有效加价后重新计时 {}。",
            yuan(terms.start_price_fen),
            yuan(terms.increment_fen),
            duration_zh(*countdown_ms)
        ),
        AuctionMethod::Sealed { .. } => format!(
            "密封报价：起始价 {} 元。每个竞买人在截止前递交一份以本竞价开启公钥加密、以本单位数字证书签名的密封报价文件（可重新递交替换）；截止后由密钥持有人共同开启，报价最高且不低于保留价的成交，报价相同的以先递交者为准。",
            yuan(terms.start_price_fen)
        ),
        AuctionMethod::Quota {
            units,
            min_quantity,
            max_quantity,
            uniform_price,
            ..
        } => format!(
            "指标竞价：共 {units} 个单位，起始单价 {} 元；每个竞买人申购 {min_quantity} 至 {max_quantity} 个单位，截止前可修改报价。截止后按价格优先、时间优先排序分配，{}。",
            yuan(terms.start_price_fen),
            if *uniform_price {
                "所有竞得人按最低成交单价成交"
            } else {
                "各竞得人按各自报价成交"
            }
        ),
    }
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
    Ok(replay_auction(events)?.and_then(|a| a.result))
}

/// As `check_auction`, returning the whole state the events fold to (what the sale's page and
/// API must show).
pub fn replay_auction(events: &[AuctionEvent]) -> Result<Option<Auction>, String> {
    let mut state: Option<Auction> = None;
    // The sequencer judges commands at non-decreasing times; a record whose times go back (a
    // late bid backdated into the countdown) does not replay.
    let mut last_time = i64::MIN;
    for (index, event) in events.iter().enumerate() {
        let n = index + 1;
        let time = match event {
            AuctionEvent::BidAccepted { bid } => Some(bid.at_ms),
            AuctionEvent::BidRefused { at_ms, .. }
            | AuctionEvent::Closed { at_ms, .. }
            | AuctionEvent::SealedSubmitted { at_ms, .. }
            | AuctionEvent::OpeningStarted { at_ms, .. }
            | AuctionEvent::Opened { at_ms, .. } => Some(*at_ms),
            _ => None,
        };
        if let Some(time) = time {
            if time < last_time {
                return Err(format!("第{n}条：时间早于前一条记录"));
            }
            last_time = time;
        }
        let command = match event {
            AuctionEvent::Created {
                id,
                terms,
                info,
                reserve_commitment,
            } => AuctionCommand::Create {
                id: id.clone(),
                terms: terms.clone(),
                info: info.clone(),
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
            AuctionEvent::SealedSubmitted {
                bidder, envelope, ..
            } => AuctionCommand::SubmitSealed {
                bidder: bidder.clone(),
                envelope: envelope.clone(),
            },
            AuctionEvent::OpeningStarted { bids, .. } => {
                AuctionCommand::StartOpening { bids: bids.clone() }
            }
            AuctionEvent::PartialAccepted { holder, partials } => AuctionCommand::AcceptPartial {
                holder: *holder,
                partials: partials.clone(),
            },
            AuctionEvent::Opened { lines, .. } => AuctionCommand::RecordOpened {
                lines: lines.clone(),
            },
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
            AuctionEvent::Closed { at_ms, .. }
            | AuctionEvent::SealedSubmitted { at_ms, .. }
            | AuctionEvent::OpeningStarted { at_ms, .. }
            | AuctionEvent::Opened { at_ms, .. } => *at_ms,
            // Creation, registrations, deposits and partials are not time-bound in the rules the
            // replay checks, except registration closing: replayed at the start.
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
    Ok(state)
}

/// Checks a downloaded sale record offline against the platform's public key: every entry's
/// head signature, leaf and inclusion, all of one sale's stream, each event its entry's payload
/// and no later than its entry; then the replay. Returns the replayed result.
pub fn check_auction_record(
    items: &[(
        crate::tendering::holder::ProvenEntry,
        ledger::SignedTreeHead,
    )],
    key: &crypto::PublicKey,
) -> Result<Option<AuctionResult>, String> {
    let mut stream: Option<&str> = None;
    let mut last_seq: Option<u64> = None;
    let mut events = Vec::with_capacity(items.len());
    for (proven, head) in items {
        let entry = &proven.entry;
        head.verify(key)
            .map_err(|_| format!("条目 {}：所附树头不是平台密钥签名的", entry.seq))?;
        let leaf = entry.leaf_hash().map_err(|e| e.to_string())?;
        ledger::verify_inclusion(
            &leaf,
            entry.seq,
            head.head.size,
            &proven.path,
            &head.head.root,
        )
        .map_err(|_| format!("条目 {}：不能证明包含在签名树头中（已被改动）", entry.seq))?;
        if *stream.get_or_insert(entry.stream.as_str()) != entry.stream
            || !entry.stream.starts_with("auction/")
        {
            return Err(format!("条目 {}：不属于同一竞价", entry.seq));
        }
        if last_seq.is_some_and(|last| entry.seq <= last) {
            return Err(format!("条目 {}：顺序错乱或重复", entry.seq));
        }
        last_seq = Some(entry.seq);
        let event: AuctionEvent = serde_json::from_value(entry.payload.clone())
            .map_err(|e| format!("条目 {}：不是竞价事件（{e}）", entry.seq))?;
        check_entry_time(&event, entry.at_ms).map_err(|p| format!("条目 {}：{p}", entry.seq))?;
        events.push(event);
    }
    check_auction(&events)
}

/// What the per-sale check established.
#[derive(Clone, Debug)]
pub struct AuctionCheck {
    /// The sale's entries, each tied to the signed head.
    pub entries: usize,
    /// The signed head every entry was proven into.
    pub head_size: u64,
    pub result: Option<AuctionResult>,
}

/// The per-sale check, against the ledger and not only the stored payloads: every entry of the
/// sale's stream recomputes to its leaf and is proven (from the stored nodes) into the newest
/// signed head, whose signature is checked against `key`; the events replay, each decided
/// again; and the state the sale's page and API show (`shown`, the stored read state) is
/// exactly the replayed one. The first disagreement is the error.
pub async fn check_auction_in_store(
    store: &store::Store,
    key: &crypto::PublicKey,
    origin: &str,
    id: &str,
    shown: Option<&Auction>,
) -> Result<AuctionCheck, String> {
    let rows = store
        .stream_entries(&Auction::stream(id))
        .await
        .map_err(|e| e.to_string())?;
    if rows.is_empty() {
        return Err(format!("账本中没有竞价 {id}"));
    }
    let head_row = store
        .latest_head()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("账本没有签名树头")?;
    let head = crate::witness::verify::signed_head(origin, &head_row).map_err(|e| e.to_string())?;
    head.verify(key)
        .map_err(|_| format!("规模为 {} 的树头不是平台密钥签名的", head.head.size))?;
    let size = head.head.size;
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        let seq = row.seq as u64;
        let entry = crate::witness::verify::entry_of_row(row).map_err(|e| e.to_string())?;
        let leaf = entry.leaf_hash().map_err(|e| e.to_string())?;
        if leaf.as_bytes().as_slice() != row.leaf_hash.as_slice() {
            return Err(format!("账本条目 {seq}：内容与其叶子哈希不符（已被改动）"));
        }
        if seq >= size {
            return Err(format!(
                "账本条目 {seq}：不在最新签名树头（规模 {size}）之内"
            ));
        }
        let needed = ledger::needed_nodes(|recorder| {
            let _ = ledger::inclusion_proof(recorder, seq, size);
        });
        let keys: Vec<(u32, u64)> = needed.iter().map(|k| (k.level, k.index)).collect();
        let mut tree = ledger::MemoryTree::new();
        for (level, index, hash) in store.nodes(&keys).await.map_err(|e| e.to_string())? {
            let hash = crypto::Sm3Hash::from_slice(&hash).map_err(|e| e.to_string())?;
            tree.insert(ledger::NodeKey { level, index }, hash);
        }
        let path = ledger::inclusion_proof(&tree, seq, size)
            .map_err(|_| format!("账本条目 {seq}：缺少证明所需的树节点"))?
            .map_err(|e| e.to_string())?;
        ledger::verify_inclusion(&leaf, seq, size, &path, &head.head.root).map_err(|_| {
            format!("账本条目 {seq}：不能证明包含在签名树头（规模 {size}）中（已被改动）")
        })?;
        let event: AuctionEvent = serde_json::from_value(entry.payload)
            .map_err(|e| format!("账本条目 {seq}：不是竞价事件（{e}）"))?;
        check_entry_time(&event, row.at_ms)
            .map_err(|problem| format!("账本条目 {seq}：{problem}"))?;
        events.push(event);
    }
    let replayed = replay_auction(&events)?;
    if let Some(shown) = shown
        && replayed.as_ref() != Some(shown)
    {
        return Err("页面和接口显示的竞价状态（结果、报价）与账本重放的不一致".into());
    }
    Ok(AuctionCheck {
        entries: rows.len(),
        head_size: size,
        result: replayed.and_then(|a| a.result),
    })
}

/// An act is recorded no later than the ledger entry that witnesses it: a bid's time is its
/// arrival, the entry's the commit after it.
pub fn check_entry_time(event: &AuctionEvent, entry_at_ms: i64) -> Result<(), String> {
    let time = match event {
        AuctionEvent::BidAccepted { bid } => bid.at_ms,
        AuctionEvent::BidRefused { at_ms, .. }
        | AuctionEvent::Closed { at_ms, .. }
        | AuctionEvent::SealedSubmitted { at_ms, .. }
        | AuctionEvent::OpeningStarted { at_ms, .. }
        | AuctionEvent::Opened { at_ms, .. } => *at_ms,
        _ => return Ok(()),
    };
    if time > entry_at_ms {
        return Err(format!(
            "记录的时间 {time} 晚于见证它的账本条目的时间 {entry_at_ms}"
        ));
    }
    Ok(())
}

impl App {
    /// The 竞买号 of an entity in a sale: `J` and 12 hex digits of a keyed digest (unlinkable
    /// across sales, recomputable only by the platform; 48 bits, so two entities of a province
    /// practically never share one).
    pub fn auction_bidder_number(&self, id: &str, entity: &str) -> String {
        let digest = self
            .key
            .keyed_digest(format!("auction-bidder\n{id}\n{entity}").as_bytes());
        format!("J{}", digest.to_hex()[..12].to_ascii_uppercase())
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
    pub(crate) async fn auction_command(
        &self,
        id: &str,
        actor: &str,
        command: AuctionCommand,
    ) -> Result<Option<Receipt>, AppError> {
        self.auction_command_with(id, actor, command, Vec::new())
            .await
    }

    /// The same, with confidential entries recorded in the same commit as the command.
    pub(crate) async fn auction_command_with(
        &self,
        id: &str,
        actor: &str,
        command: AuctionCommand,
        extra: Vec<NewEntry>,
    ) -> Result<Option<Receipt>, AppError> {
        // A sequencer is started only for a sale that exists (one read, the first time).
        if !self.auctions.running(id) {
            self.auction(id).await?;
        }
        self.auctions
            .submit(id, command, actor, extra, &self.clock, || {
                self.sequencer_context()
            })
            .await
    }

    /// The live snapshots of a sale, for watchers (server-sent events).
    pub fn auction_live(&self, id: &str) -> tokio::sync::watch::Receiver<Arc<AuctionLive>> {
        self.auctions.watch(id, || self.sequencer_context())
    }

    /// 发布竞价 (the trading center): the catalog must allow the method, the 出让人 be an approved
    /// entity, and the times follow the category's rule set in force today (e.g. land: the
    /// announcement at least 20 days before the start, a listing period of at least 10 days);
    /// the rule set's minimum of bidders is frozen into the terms. The terms are public, the
    /// reserve committed by hash, and the 竞价公告 published in the same transaction.
    pub async fn create_auction(
        &self,
        caller: &Caller,
        input: NewAuction,
    ) -> Result<Receipt, AppError> {
        self.create_auction_relisting(caller, input, None).await
    }

    /// `relists`: the failed sale and the approval's reference (empty when none was needed).
    async fn create_auction_relisting(
        &self,
        caller: &Caller,
        input: NewAuction,
        relists: Option<(String, String)>,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        if !valid_id(&input.id) || input.reserve_fen < 0 {
            return Err(DomainError::AuctionTerms.into());
        }
        let title = input.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(AppError::Invalid("标的名称应为1到200个字符".into()));
        }
        let region = domain::RegionCode::parse(&input.region)?;
        let data = self.reference_data().await?;
        let (methods, method_label) = method_of(&input.terms.method);
        let category = data.catalog.category(&input.category)?;
        if !methods.iter().any(|m| category.methods.contains(m)) {
            return Err(DomainError::MethodNotAllowed {
                category: category.name.clone(),
                method: method_label.to_string(),
            }
            .into());
        }
        let transferor = self
            .store
            .entity(&input.transferor)
            .await?
            .ok_or(DomainError::EntityNotFound)?;
        if transferor.status != "active" || !transferor.roles.contains("tenderee") {
            return Err(AppError::refused(
                "TRANSFEROR_NOT_QUALIFIED",
                "出让人（转让人）应为已通过审核、具有招标人（出让人）角色的市场主体",
            ));
        }
        let now = self.now_ms();
        let today = Date::of_instant(now);
        let rules = self
            .resolve_rules(&category.rule_category, region.as_ref(), today)
            .await?;
        let (start_ms, end_ms) = start_and_end(&input.terms.method);
        let start_day = Date::of_instant(start_ms);
        let mut rule_notes = Vec::new();
        // 出让公告应在开始之前至少N日 (land), 信息披露期不少于N个工作日 (state property).
        for key in ["announcement_before_start", "disclosure_period"] {
            if let Ok(rule) = rules.period(key) {
                let period = &rule.period;
                let ok = match period.kind {
                    domain::PeriodKind::AtLeastBefore => {
                        today <= period.latest_before(start_day, &data.calendar)
                    }
                    _ => start_day >= period.earliest_end(today, &data.calendar),
                };
                if !ok {
                    return Err(AppError::refused(
                        "AUCTION_PERIOD",
                        format!(
                            "{}{}：竞价开始日 {} 不符合（{}）",
                            rule.label,
                            period.describe_zh(),
                            start_day,
                            rule.source
                        ),
                    ));
                }
                rule_notes.push(format!("{}{}", rule.label, period.describe_zh()));
            }
        }
        if matches!(input.terms.method, AuctionMethod::Listing { .. })
            && let Ok(rule) = rules.period("listing_period")
        {
            let period = &rule.period;
            if Date::of_instant(end_ms) < period.earliest_end(start_day, &data.calendar) {
                return Err(AppError::refused(
                    "AUCTION_PERIOD",
                    format!(
                        "{}{}：挂牌截止日 {} 过早（{}）",
                        rule.label,
                        period.describe_zh(),
                        Date::of_instant(end_ms),
                        rule.source
                    ),
                ));
            }
            rule_notes.push(format!("{}{}", rule.label, period.describe_zh()));
        }
        let mut terms = input.terms;
        terms.min_bidders = rules
            .threshold("min_bidders")
            .map(|n| n.max(0) as u32)
            .unwrap_or(0);
        if terms.min_bidders > 1 {
            rule_notes.push(format!(
                "保证金到账的竞买人不足{}个的，竞价不成交",
                terms.min_bidders
            ));
        }
        let mut rule_sets: Vec<String> = rules
            .periods
            .values()
            .map(|p| p.rule_set.clone())
            .chain(rules.thresholds.values().map(|t| t.rule_set.clone()))
            .collect();
        rule_sets.sort();
        rule_sets.dedup();
        let info = AuctionInfo {
            title,
            category: input.category.clone(),
            region: region.to_string(),
            transferor: transferor.id.clone(),
            transferor_name: transferor.name.clone(),
            description: input.description.trim().to_string(),
            rule_sets: rule_sets.clone(),
            relists: relists.as_ref().map(|(failed, _)| failed.clone()),
            approval: relists
                .as_ref()
                .map(|(_, approval)| approval.trim().to_string())
                .filter(|a| !a.is_empty()),
            opening_key: None,
        };
        let mut info = info;
        if matches!(terms.method, AuctionMethod::Sealed { .. }) {
            // Sealed to the active ceremony's key: nobody, the platform included, opens a bid
            // before the holders do.
            let ceremony = self.active_ceremony().await?.ok_or_else(|| {
                AppError::refused(
                    "NO_OPENING_KEY",
                    "尚无可用的开启密钥：请交易中心先组织密钥仪式",
                )
            })?;
            info.opening_key = Some(
                crate::tendering::keys::opening_key(&ceremony)
                    .ok_or_else(|| AppError::Internal("active ceremony without key".into()))?,
            );
        }
        if let Some(approval) = &info.approval {
            rule_notes.push(format!("重新挂牌起始价经书面同意（{approval}）"));
        }
        let salt: [u8; 32] = rand::random();
        let salt = hex::encode(salt);
        let commitment = reserve_commitment(&salt, input.reserve_fen);
        let stream = Auction::stream(&input.id);
        let mut tx = self.store.begin().await?;
        // A failed sale is re-listed once: checked and marked under the writer lock.
        let mut marker = None;
        if let Some((failed, _)) = &relists {
            let marker_stream = format!("auction-relist/{failed}");
            if !tx.stream_entries(&marker_stream).await?.is_empty() {
                return Err(AppError::refused(
                    "AUCTION_RELIST",
                    "该流拍竞价已经重新挂牌",
                ));
            }
            marker = Some(NewEntry {
                stream: marker_stream,
                kind: "auction.relisted".into(),
                visibility: Visibility::Public,
                actor: caller.username.clone(),
                payload: serde_json::json!({
                    "failed": failed,
                    "relisted_as": input.id,
                    "approval": info.approval,
                }),
            });
        }
        let (decided, mut entries) = decide::<Option<Auction>>(
            &mut tx,
            &stream,
            AuctionCommand::Create {
                id: input.id.clone(),
                terms: terms.clone(),
                info: Box::new(info.clone()),
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
        entries.extend(marker);
        let mut fields = self.auction_fields(&input.id, &info, &terms, now).await?;
        fields.insert("description", info.description.clone());
        fields.insert("terms", terms_text(&terms));
        fields.insert("start", crate::format_beijing_minute(start_ms));
        fields.insert(
            "end",
            match terms.method {
                AuctionMethod::Listing { .. } => {
                    format!("挂牌截止时间 {}", crate::format_beijing_minute(end_ms))
                }
                AuctionMethod::Quota { .. } => {
                    format!("竞价截止时间 {}", crate::format_beijing_minute(end_ms))
                }
                AuctionMethod::English { .. } => {
                    format!("自由竞价截止时间 {}", crate::format_beijing_minute(end_ms))
                }
                AuctionMethod::Sealed { .. } => {
                    format!("密封报价截止时间 {}", crate::format_beijing_minute(end_ms))
                }
            },
        );
        fields.insert("deposit", format!("{} 元", yuan(terms.deposit_fen)));
        fields.insert(
            "rules",
            if rule_notes.is_empty() {
                format!("规则集：{}", rule_sets.join("、"))
            } else {
                format!(
                    "{}（规则集：{}）",
                    rule_notes.join("；"),
                    rule_sets.join("、")
                )
            },
        );
        let notice = self.auction_announcement(
            &input.id,
            &info,
            AnnouncementKind::AuctionNotice,
            &fields,
            now,
        );
        entries.push(NewEntry {
            stream: Announcement::stream(&notice.id),
            kind: crate::witness::documents::ANNOUNCEMENT_KIND.into(),
            visibility: Visibility::Public,
            actor: caller.username.clone(),
            payload: serde_json::to_value(&notice)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        });
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let first = receipts
            .first()
            .cloned()
            .ok_or_else(|| AppError::Internal("no receipt".into()))?;
        project(&mut tx, &stream, &decided.after, first.seq).await?;
        let last = receipts
            .last()
            .ok_or_else(|| AppError::Internal("no receipt".into()))?;
        tx.insert_announcement(&crate::witness::documents::announcement_row(
            &notice,
            last.seq as i64,
        ))
        .await?;
        tx.commit().await?;
        Ok(first)
    }

    /// The common fields of a sale's announcements.
    async fn auction_fields(
        &self,
        id: &str,
        info: &AuctionInfo,
        terms: &AuctionTerms,
        now: i64,
    ) -> Result<BTreeMap<&'static str, String>, AppError> {
        let data = self.reference_data().await?;
        let category_name = data
            .catalog
            .category(&info.category)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let operator = self.trading_center_name().await?;
        let mut fields: BTreeMap<&str, String> = BTreeMap::new();
        fields.insert("project_title", info.title.clone());
        fields.insert("project_code", id.to_string());
        fields.insert("procedure_id", id.to_string());
        fields.insert("lot_code", id.to_string());
        fields.insert("lot_name", info.title.clone());
        fields.insert("tenderee", info.transferor_name.clone());
        fields.insert("agency", operator);
        fields.insert("method", method_of(&terms.method).1.to_string());
        fields.insert("category_name", category_name);
        fields.insert("region", info.region.clone());
        fields.insert("contact", "本平台交易中心".into());
        fields.insert("published_date", Date::of_instant(now).to_string());
        Ok(fields)
    }

    fn auction_announcement(
        &self,
        id: &str,
        info: &AuctionInfo,
        kind: AnnouncementKind,
        fields: &BTreeMap<&str, String>,
        now: i64,
    ) -> Announcement {
        let (title, body) = self.templates.render(&info.category, kind, fields);
        Announcement {
            id: notice_id(id, kind),
            procedure: id.to_string(),
            lot: Some(id.to_string()),
            kind,
            category: info.category.clone(),
            region: info.region.clone(),
            title,
            body,
            published_at_ms: now,
        }
    }

    /// The name of the trading center (the platform's own entity).
    async fn trading_center_name(&self) -> Result<String, AppError> {
        let operator = self.caller_for("operator").await.ok();
        Ok(match operator {
            Some(caller) if !caller.entity_id.is_empty() => {
                self.entity_name(&caller.entity_id).await?
            }
            _ => "公共资源交易中心".into(),
        })
    }

    /// Publishes a closed sale's 成交公示 or 流拍公告 (once; repeating it is harmless, so the
    /// trading center can retry one that failed after the close).
    pub async fn publish_auction_result(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        caller.require(Role::Operator)?;
        let auction = self.auction(id).await?;
        let Some(result) = auction.result.clone() else {
            return Err(DomainError::AuctionStillOpen.into());
        };
        let kind = match result {
            AuctionResult::NoSale { .. } => AnnouncementKind::NoSaleNotice,
            _ => AnnouncementKind::DealNotice,
        };
        let notice_key = notice_id(id, kind);
        if self.store.announcement(&notice_key).await?.is_some() {
            return Ok(());
        }
        let now = self.now_ms();
        let mut fields = self
            .auction_fields(id, &auction.info, &auction.terms, now)
            .await?;
        fields.insert(
            "reserve",
            match auction.reserve_fen {
                Some(0) | None => "无保留价".into(),
                Some(fen) => format!("{} 元", yuan(fen)),
            },
        );
        match &result {
            AuctionResult::Sold { bidder, price_fen } => {
                let winner = match self.entity_of_bidder(id, bidder).await? {
                    Some(entity) => self.entity_name(&entity).await?,
                    None => bidder.clone(),
                };
                fields.insert("bidder_number", bidder.clone());
                fields.insert("winner", winner);
                fields.insert("price", format!("{} 元", yuan(*price_fen)));
                fields.insert("text", String::new());
            }
            AuctionResult::Allocated { allocations } => {
                let mut lines = Vec::new();
                for a in allocations {
                    let name = match self.entity_of_bidder(id, &a.bidder).await? {
                        Some(entity) => self.entity_name(&entity).await?,
                        None => a.bidder.clone(),
                    };
                    lines.push(format!(
                        "{name}（竞买号 {}）：{} 个单位，单价 {} 元",
                        a.bidder,
                        a.units,
                        yuan(a.price_fen)
                    ));
                }
                fields.insert("bidder_number", format!("共 {} 个", allocations.len()));
                fields.insert("winner", "见下表".into());
                fields.insert("price", "见下表".into());
                fields.insert("text", format!("指标分配：\n{}", lines.join("\n")));
            }
            AuctionResult::NoSale { reason } => {
                fields.insert("reason", reason.clone());
            }
        }
        let notice = self.auction_announcement(id, &auction.info, kind, &fields, now);
        let mut tx = self.store.begin().await?;
        let receipts = append(
            &mut tx,
            &self.key,
            &self.settings.origin,
            now,
            vec![NewEntry {
                stream: Announcement::stream(&notice.id),
                kind: crate::witness::documents::ANNOUNCEMENT_KIND.into(),
                visibility: Visibility::Public,
                actor: caller.username.clone(),
                payload: serde_json::to_value(&notice)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            }],
        )
        .await?;
        tx.insert_announcement(&crate::witness::documents::announcement_row(
            &notice,
            receipts[0].seq as i64,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// 重新挂牌（拍卖）after a 流拍: a new sale of the same 标的 whose start price the rule set
    /// may bound (state property: below 90 % of the last start price only with the written
    /// approval named in `approval`).
    pub async fn relist_auction(
        &self,
        caller: &Caller,
        failed: &str,
        input: NewAuction,
        approval: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let before = self.auction(failed).await?;
        if !matches!(before.result, Some(AuctionResult::NoSale { .. })) {
            return Err(AppError::refused(
                "AUCTION_RELIST",
                "只有已流拍的竞价可以重新挂牌（拍卖）",
            ));
        }
        if input.category != before.info.category || input.transferor != before.info.transferor {
            return Err(AppError::refused(
                "AUCTION_RELIST",
                "重新挂牌（拍卖）的标的类别和出让人应与流拍的竞价一致",
            ));
        }
        let data = self.reference_data().await?;
        let category = data.catalog.category(&before.info.category)?;
        let rules = self
            .resolve_rules(
                &category.rule_category,
                &before.info.region,
                Date::of_instant(self.now_ms()),
            )
            .await?;
        if let Ok(ratio_bp) = rules.threshold("min_price_ratio_without_approval") {
            let floor = before.terms.start_price_fen * ratio_bp / 10_000;
            if input.terms.start_price_fen < floor && approval.trim().is_empty() {
                return Err(AppError::refused(
                    "AUCTION_RELIST",
                    format!(
                        "重新挂牌起始价低于上次起始价的{}%（{} 元），须填写有权机构的书面同意文件",
                        ratio_bp / 100,
                        yuan(floor)
                    ),
                ));
            }
        }
        self.create_auction_relisting(
            caller,
            input,
            Some((failed.to_string(), approval.to_string())),
        )
        .await
    }

    /// 竞买登记: the bidder's 竞买号 for this sale.
    pub async fn register_for_auction(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<(String, Option<Receipt>), AppError> {
        caller.require(Role::Bidder)?;
        let auction = self.auction(id).await?;
        self.require_may_trade(caller).await?;
        self.require_credit(
            &caller.entity_id,
            &auction.info.category,
            domain::Gate::Register,
        )
        .await?;
        if auction.info.transferor == caller.entity_id {
            return Err(AppError::refused(
                "AUCTION_TRANSFEROR_BIDS",
                "出让人（转让人）不能竞买自己的标的",
            ));
        }
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
    ///
    /// The bank gets no receipt: the public entry names the 竞买号, which the bank must not be
    /// able to tie to the payer. The signed notice itself is kept as evidence in a
    /// Supervision-visible entry.
    pub async fn receive_deposit_notice(
        &self,
        id: &str,
        signed: &SignedDepositNotice,
    ) -> Result<(), AppError> {
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
        .await?;
        if self.settings.auction_persistence {
            let evidence = NewEntry {
                stream: sealed_stream(id),
                kind: "auction.deposit_notice".into(),
                visibility: Visibility::Supervision,
                actor: "bank".into(),
                payload: serde_json::to_value(signed)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            };
            self.witness(vec![evidence]).await?;
        }
        Ok(())
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
        self.require_may_trade(caller).await?;
        let (signed_bids, category) = self.live_terms(id).await?;
        self.require_credit(&caller.entity_id, &category, domain::Gate::Bid)
            .await?;
        if signed_bids {
            return Err(AppError::refused(
                "AUCTION_SIGNATURE_REQUIRED",
                "本竞价要求每次报价以本单位的数字证书签名",
            ));
        }
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

    /// Whether a sale's bids must be signed (from its live snapshot, or the store).
    /// Whether bids must be signed, and the sale's category: from the live snapshot when the
    /// sale runs (no read on the bid path), else from the store.
    async fn live_terms(&self, id: &str) -> Result<(bool, String), AppError> {
        if self.auctions.running(id) {
            let live = self.auction_live(id);
            let snapshot = live.borrow().clone();
            if snapshot.seq >= 0 {
                return Ok((snapshot.signed_bids, snapshot.category.clone()));
            }
        }
        let auction = self.auction(id).await?;
        Ok((auction.terms.signed_bids, auction.info.category))
    }

    /// The message a signed bid signs: canonical JSON of
    /// `{"auction", "bidder" (the 竞买号), "price_fen", "quantity"}`.
    pub fn bid_message(
        &self,
        id: &str,
        entity: &str,
        price_fen: i64,
        quantity: u64,
    ) -> serde_json::Value {
        serde_json::json!({
            "auction": id,
            "bidder": self.auction_bidder_number(id, entity),
            "price_fen": price_fen,
            "quantity": quantity,
        })
    }

    /// 报价 signed with the bidder's certificate (what `ggzy sign` prints for `bid_message`):
    /// the certificate must be one bound to the caller's entity and trusted now, the signature
    /// over exactly this sale, this 竞买号 and this price. The signature is kept in a
    /// Supervision-visible entry in the same commit as the bid (it names the entity, so it is
    /// not public before the close).
    pub async fn auction_bid_signed(
        &self,
        caller: &Caller,
        id: &str,
        signed: &SignedBid,
    ) -> Result<Option<Receipt>, AppError> {
        caller.require(Role::Bidder)?;
        self.require_may_trade(caller).await?;
        let (_, category) = self.live_terms(id).await?;
        self.require_credit(&caller.entity_id, &category, domain::Gate::Bid)
            .await?;
        let invalid = |message: &str| {
            AppError::refused(
                "AUCTION_SIGNATURE_INVALID",
                format!("报价签名无效：{message}"),
            )
        };
        let bidder = self.auction_bidder_number(id, &caller.entity_id);
        let payload = &signed.payload;
        if payload["auction"].as_str() != Some(id) {
            return Err(invalid("签名的报价不是本竞价的"));
        }
        if payload["bidder"].as_str() != Some(bidder.as_str()) {
            return Err(invalid("签名的竞买号不是本单位的"));
        }
        let price_fen = payload["price_fen"]
            .as_i64()
            .ok_or_else(|| invalid("签名的报价没有金额（price_fen，单位分）"))?;
        let quantity = payload["quantity"].as_u64().unwrap_or(1);
        if *payload != self.bid_message(id, &caller.entity_id, price_fen, quantity) {
            return Err(invalid(
                "签名的内容应只有 auction、bidder、price_fen、quantity",
            ));
        }
        let signature =
            crypto::Signature::from_hex(&signed.signature).map_err(|_| invalid("签名格式错误"))?;
        let signer = self.bid_signer(&signed.certificate).await?;
        if signer.entity != caller.entity_id {
            return Err(invalid("证书不属于本单位"));
        }
        signer
            .key
            .verify_json(payload, &signature)
            .map_err(|_| crypto::CertError::BadSignature)?;
        let fingerprint = signer.fingerprint.clone();
        let evidence = NewEntry {
            stream: sealed_stream(id),
            kind: "auction.bid_signature".into(),
            visibility: Visibility::Supervision,
            actor: "bidder".into(),
            payload: serde_json::json!({
                "bid": payload,
                "certificate": fingerprint,
                "signature": signed.signature,
            }),
        };
        self.auction_command_with(
            id,
            "bidder",
            AuctionCommand::Bid {
                bidder,
                price_fen,
                quantity,
            },
            vec![evidence],
        )
        .await
    }

    /// The holder of a bid's certificate, judged now: chain, validity, binding and revocation
    /// (`certificate_holder`), remembered for one second per certificate, so a bidder's burst
    /// pays the chain check and the database reads once a second, not once a bid. A revocation
    /// or an expiry takes effect within that second; the signature itself is checked every time.
    async fn bid_signer(&self, pem: &str) -> Result<Arc<BidSigner>, AppError> {
        let now = self.now_ms();
        let digest = crypto::sm3(pem.as_bytes()).to_hex();
        if let Some(signer) = self.bid_signers.get(&digest, now) {
            return Ok(signer);
        }
        let holder = self.certificate_holder(pem, now).await?;
        let certificate = crypto::Certificate::from_pem(pem)?;
        let signer = Arc::new(BidSigner {
            entity: holder.id,
            fingerprint: certificate.fingerprint().to_hex(),
            key: certificate.public_key()?,
            not_after_ms: certificate.not_after_ms(),
        });
        self.bid_signers.put(digest, signer.clone(), now);
        Ok(signer)
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
            .iter()
            .find(|row| row.kind == "auction.reserve_sealed")
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
        // The 成交公示 / 流拍公告: a second transaction, repeated from the sale's page if it fails.
        if let Err(error) = self.publish_auction_result(caller, id).await {
            tracing::error!(auction = id, %error, "publishing a sale's result notice");
        }
        Ok((result, winner))
    }

    /// The 成交确认书 of a closed sale: for the trading center and oversight, the 出让人, and
    /// each buyer (who sees only its own line).
    pub async fn auction_confirmation(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<AuctionConfirmation, AppError> {
        let auction = self.auction(id).await?;
        let Some(result) = auction.result.clone() else {
            return Err(DomainError::AuctionStillOpen.into());
        };
        let allocations: Vec<(String, u64, i64)> = match &result {
            AuctionResult::Sold { bidder, price_fen } => vec![(bidder.clone(), 1, *price_fen)],
            AuctionResult::Allocated { allocations } => allocations
                .iter()
                .map(|a| (a.bidder.clone(), a.units, a.price_fen))
                .collect(),
            AuctionResult::NoSale { .. } => {
                return Err(AppError::refused(
                    "AUCTION_RELIST",
                    "本次竞价流拍，没有成交确认书",
                ));
            }
        };
        let sees_all = caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor])
            || caller.acts_for(&auction.info.transferor);
        let mut lines = Vec::new();
        for (number, units, price_fen) in allocations {
            let entity = self
                .entity_of_bidder(id, &number)
                .await?
                .unwrap_or_default();
            if !sees_all && !caller.acts_for(&entity) {
                continue;
            }
            lines.push(ConfirmationLine {
                buyer: self.entity_name(&entity).await?,
                buyer_code: entity,
                bidder_number: number,
                units,
                price_fen,
            });
        }
        if lines.is_empty() {
            return Err(AppError::NotAuthorized);
        }
        let events = self.store.stream_entries(&Auction::stream(id)).await?;
        let closed = events
            .iter()
            .rev()
            .find(|row| row.kind == "auction.closed")
            .ok_or_else(|| AppError::Internal("closed sale without its entry".into()))?;
        Ok(AuctionConfirmation {
            id: id.to_string(),
            info: auction.info.clone(),
            method: method_of(&auction.terms.method).1.to_string(),
            deposit_fen: auction.terms.deposit_fen,
            reserve_fen: auction.reserve_fen.unwrap_or(0),
            closed_at_ms: closed.at_ms,
            closed_seq: closed.seq as u64,
            lines,
        })
    }

    /// Who is behind a 竞买号. The number is a keyed digest of sale and entity, and a
    /// registration records only the number, so every entity is tried — once per process: the
    /// answer never changes, so it is remembered.
    pub(crate) async fn entity_of_bidder(
        &self,
        id: &str,
        number: &str,
    ) -> Result<Option<String>, AppError> {
        let key = format!("{id}|{number}");
        if let Some(found) = self
            .bidder_entities
            .lock()
            .ok()
            .and_then(|known| known.get(&key).cloned())
        {
            return Ok(Some(found));
        }
        for row in self.store.all_entities().await? {
            if self.auction_bidder_number(id, &row.id) == number {
                if let Ok(mut known) = self.bidder_entities.lock() {
                    known.insert(key, row.id.clone());
                }
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
        self.auctions_of(None, limit, offset).await
    }

    /// Sales of one 出让人 (or all), newest start first, one page.
    pub async fn auctions_of(
        &self,
        transferor: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<store::Page<Auction>, AppError> {
        let page = self
            .store
            .documents(
                &store::DocumentFilter {
                    kind: "auction",
                    key2: transferor,
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

    /// A page of a sale's entries as a downloadable record: each entry whole (header, payload,
    /// salt) with its inclusion path to the newest signed head, which comes with it — what an
    /// outsider needs to tie every event to the platform's signature (`check_auction_record`).
    pub async fn auction_history_proven(
        &self,
        id: &str,
        after_seq: i64,
        limit: u64,
    ) -> Result<
        (
            Vec<crate::tendering::holder::ProvenEntry>,
            ledger::SignedTreeHead,
        ),
        AppError,
    > {
        let rows = self
            .store
            .stream_page(&Auction::stream(id), after_seq, limit.clamp(1, 1000))
            .await?;
        let head = self.ledger_head().await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let proof = self
                .inclusion_to_size(row.seq as u64, Some(head.head.size))
                .await?;
            out.push(crate::tendering::holder::ProvenEntry {
                entry: crate::witness::verify::entry_of_row(row)?,
                path: proof.path,
            });
        }
        Ok((out, head))
    }

    /// Checks a sale against the ledger and replays it (`check_auction_in_store`), comparing
    /// the replay with the state its page and API show: its result, or the first disagreement.
    pub async fn verify_auction(&self, id: &str) -> Result<AuctionCheck, AppError> {
        let shown = self.auction(id).await?;
        check_auction_in_store(
            &self.store,
            &self.key.public_key(),
            &self.settings.origin,
            id,
            Some(&shown),
        )
        .await
        .map_err(|problem| AppError::refused("AUCTION_REPLAY", problem))
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

/// The demo's sales (NOT real): a 排污权 quota auction and a 广告经营权 auction running now, a
/// land auction announced for three weeks ahead (signed bids), and — when a key ceremony has
/// made an opening key — a sealed-bid sale with two envelopes sealed with the demo
/// certificates; the demo bidders registered, their deposits confirmed by the simulated bank's
/// notices, a few bids placed.
pub async fn seed_demo_auctions(
    app: &App,
    bank: &crate::DemoGuarantor,
    certificates: &[crate::DemoCertificate],
) -> Result<(), AppError> {
    const MIN: i64 = 60_000;
    const DAY: i64 = 86_400_000;
    let operator = app.caller_for("operator").await?;
    let transferor = app.caller_for("tenderee").await?.entity_id;
    let now = app.now_ms();
    let sale = |id: &str, title: &str, category: &str, description: &str, terms| NewAuction {
        id: id.into(),
        title: title.into(),
        category: category.into(),
        region: "330800".into(),
        transferor: transferor.clone(),
        description: description.into(),
        terms,
        reserve_fen: 0,
    };
    let mut quota = sale(
        "PW-2026-001",
        "衢州市2026年度排污权（化学需氧量）有偿使用指标",
        "pollutant",
        "本次出让化学需氧量排污权指标 500 吨，有效期五年。",
        AuctionTerms {
            method: AuctionMethod::Quota {
                start_ms: now - MIN,
                close_ms: now + 3 * DAY,
                units: 500,
                min_quantity: 10,
                max_quantity: 200,
                uniform_price: true,
                modify_from_ms: now + 3 * DAY - 30 * MIN,
                band_fen: 5_000,
            },
            start_price_fen: 200_000,
            increment_fen: 0,
            deposit_fen: 5_000_000,
            min_bidders: 0,
            signed_bids: false,
        },
    );
    quota.reserve_fen = 210_000;
    let mut english = sale(
        "QT-2026-002",
        "衢州市城区公交站台广告经营权（2027—2029年）",
        "other_assets",
        "城区 320 座公交候车亭广告位三年经营权。",
        AuctionTerms {
            method: AuctionMethod::English {
                start_ms: now - MIN,
                free_until_ms: now + 2 * DAY,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: 120_000_000,
            increment_fen: 1_000_000,
            deposit_fen: 20_000_000,
            min_bidders: 0,
            signed_bids: false,
        },
    );
    english.reserve_fen = 130_000_000;
    let start = now + 21 * DAY;
    let mut land = sale(
        "TD-2026-018",
        "衢出让〔2026〕18号地块国有建设用地使用权",
        "land",
        "位于衢州市柯城区，出让面积 12,345 平方米，用途为商住用地，容积率不大于 2.5。",
        AuctionTerms {
            method: AuctionMethod::English {
                start_ms: start,
                free_until_ms: start + 2 * 3_600_000,
                countdown_ms: 5 * MIN,
            },
            start_price_fen: 8_800_000_000,
            increment_fen: 10_000_000,
            deposit_fen: 1_760_000_000,
            min_bidders: 0,
            signed_bids: true,
        },
    );
    land.reserve_fen = 9_500_000_000;
    for input in [quota, english, land] {
        app.create_auction(&operator, input).await?;
    }
    let bidders = [
        app.caller_for("bidder").await?,
        app.caller_for("bidder2").await?,
    ];
    for (n, who) in bidders.iter().enumerate() {
        for (id, deposit) in [("PW-2026-001", 5_000_000), ("QT-2026-002", 20_000_000)] {
            app.register_for_auction(who, id).await?;
            let notice = bank.deposit_notice(
                id,
                &who.entity_id,
                deposit,
                &format!("DEMO{}{n}", id.replace('-', "")),
                now,
            );
            app.receive_deposit_notice(id, &notice).await?;
        }
    }
    app.auction_bid(&bidders[0], "PW-2026-001", 215_000, 120)
        .await?;
    app.auction_bid(&bidders[1], "PW-2026-001", 220_000, 100)
        .await?;
    app.auction_bid(&bidders[0], "QT-2026-002", 120_000_000, 1)
        .await?;
    app.auction_bid(&bidders[1], "QT-2026-002", 121_000_000, 1)
        .await?;
    if app.active_ceremony().await?.is_some() {
        let sealed = sale(
            "FB-2026-004",
            "衢州市城区公共停车场十年经营权",
            "other_assets",
            "城区 12 处公共停车场、泊位 2,480 个的十年经营权，密封报价，截止后由密钥持有人共同开启。",
            AuctionTerms {
                method: AuctionMethod::Sealed {
                    start_ms: now - MIN,
                    close_ms: now + 2 * DAY,
                },
                start_price_fen: 500_000_000,
                increment_fen: 0,
                deposit_fen: 0,
                min_bidders: 0,
                signed_bids: false,
            },
        );
        app.create_auction(&operator, sealed).await?;
        let key = app
            .auction("FB-2026-004")
            .await?
            .info
            .opening_key
            .map(|k| k.public_key)
            .unwrap_or_default();
        let opening_key = crypto::PublicKey::from_hex(&key)?;
        for (who, price) in bidders.iter().zip([520_000_000_i64, 536_000_000]) {
            app.register_for_auction(who, "FB-2026-004").await?;
            let Some(certificate) = certificates.iter().find(|c| c.username == who.username) else {
                continue;
            };
            let signer = crypto::PlatformKey::from_pkcs8_pem(&certificate.key_pem)?;
            let package = crypto::BidPackage {
                form: serde_json::json!({ "price_fen": price }),
                files: vec![("报价函.txt".into(), "演示报价函".as_bytes().to_vec())],
            }
            .to_bytes()?;
            let envelope = crypto::Envelope::seal(crypto::SealRequest {
                recovery_key: None,
                package: &package,
                lot: "FB-2026-004",
                bidder: &who.entity_id,
                opening_key: &opening_key,
                signer: &signer,
                certificate_pem: &certificate.cert_pem,
                machine_fingerprint: crypto::machine_fingerprint(
                    who.username.as_bytes(),
                    &["demo"],
                ),
                document_copy: "",
                tool: "",
                created_at_ms: now,
            })?
            .to_bytes()?;
            app.submit_sealed_auction_bid(who, "FB-2026-004", &envelope)
                .await?;
        }
    }
    Ok(())
}
