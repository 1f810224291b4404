//! Wire types (with their OpenAPI schemas) of the request bodies that carry the application's own
//! types: each mirrors one, field for field, and converts into it here, at the edge.

use serde::Deserialize;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    ArrayBuilder, ArrayItems, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};

// ---- Online sales (网上竞价) ----

/// `POST /api/v1/auctions` (`app::NewAuction`): a sale as the trading center creates it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAuctionRequest {
    /// Letters, digits and hyphens.
    pub(crate) id: String,
    /// 标的名称.
    pub(crate) title: String,
    /// The trading catalog's category (land, mining, state_property, pollutant, …).
    pub(crate) category: String,
    /// 6-digit region code.
    pub(crate) region: String,
    /// 出让人 / 转让人: 统一社会信用代码 of an approved tenderee.
    pub(crate) transferor: String,
    #[serde(default)]
    pub(crate) description: String,
    /// The terms; `min_bidders` is taken from the rule set, not from here.
    pub(crate) terms: AuctionTermsDto,
    /// 保留价 in fen (0: none); confidential until the close.
    pub(crate) reserve_fen: i64,
}

impl From<NewAuctionRequest> for app::NewAuction {
    fn from(r: NewAuctionRequest) -> Self {
        Self {
            id: r.id,
            title: r.title,
            category: r.category,
            region: r.region,
            transferor: r.transferor,
            description: r.description,
            terms: r.terms.into(),
            reserve_fen: r.reserve_fen,
        }
    }
}

/// The terms of a sale (`domain::AuctionTerms`).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct AuctionTermsDto {
    pub(crate) method: AuctionMethodDto,
    /// 起始价 (per unit for a quota auction), in fen.
    pub(crate) start_price_fen: i64,
    /// 加价幅度, in fen (not used by a quota auction).
    pub(crate) increment_fen: i64,
    /// 竞买保证金, in fen (0: none asked).
    #[serde(default)]
    pub(crate) deposit_fen: i64,
    /// Minimum bidders with a confirmed deposit (0 or 1: no minimum).
    #[serde(default)]
    pub(crate) min_bidders: u32,
    /// Every bid must carry the bidder's SM2 signature.
    #[serde(default)]
    pub(crate) signed_bids: bool,
}

impl From<AuctionTermsDto> for domain::AuctionTerms {
    fn from(t: AuctionTermsDto) -> Self {
        Self {
            method: t.method.into(),
            start_price_fen: t.start_price_fen,
            increment_fen: t.increment_fen,
            deposit_fen: t.deposit_fen,
            min_bidders: t.min_bidders,
            signed_bids: t.signed_bids,
        }
    }
}

/// How the lot is sold, with its times (`domain::AuctionMethod`), tagged by `method`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
pub(crate) enum AuctionMethodDto {
    /// 网上竞价: free bidding until `free_until_ms`, then a countdown.
    English {
        start_ms: i64,
        free_until_ms: i64,
        countdown_ms: i64,
    },
    /// 挂牌: quotes until `listing_end_ms`; two or more bidders → timed bidding.
    Listing {
        start_ms: i64,
        listing_end_ms: i64,
        countdown_ms: i64,
    },
    /// 密封报价: one sealed envelope per bidder until `close_ms`.
    Sealed { start_ms: i64, close_ms: i64 },
    /// 指标竞价: price and quantity bids until `close_ms`.
    Quota {
        start_ms: i64,
        close_ms: i64,
        units: u64,
        min_quantity: u64,
        max_quantity: u64,
        /// One price for all (the lowest cleared); otherwise each pays its own bid.
        uniform_price: bool,
        /// 修改出价 from this instant to the close (0: no such window).
        #[serde(default)]
        modify_from_ms: i64,
        /// How far from the clearing price a modified bid may be, in fen.
        #[serde(default)]
        band_fen: i64,
    },
}

impl From<AuctionMethodDto> for domain::AuctionMethod {
    fn from(m: AuctionMethodDto) -> Self {
        match m {
            AuctionMethodDto::English {
                start_ms,
                free_until_ms,
                countdown_ms,
            } => Self::English {
                start_ms,
                free_until_ms,
                countdown_ms,
            },
            AuctionMethodDto::Listing {
                start_ms,
                listing_end_ms,
                countdown_ms,
            } => Self::Listing {
                start_ms,
                listing_end_ms,
                countdown_ms,
            },
            AuctionMethodDto::Sealed { start_ms, close_ms } => Self::Sealed { start_ms, close_ms },
            AuctionMethodDto::Quota {
                start_ms,
                close_ms,
                units,
                min_quantity,
                max_quantity,
                uniform_price,
                modify_from_ms,
                band_fen,
            } => Self::Quota {
                start_ms,
                close_ms,
                units,
                min_quantity,
                max_quantity,
                uniform_price,
                modify_from_ms,
                band_fen,
            },
        }
    }
}

/// `POST /api/v1/auctions/{id}/deposits` (`app::SignedDepositNotice`): a bank's notice with its
/// certificate and signature.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepositNoticeRequest {
    pub(crate) notice: DepositNoticeDto,
    /// The bank's certificate, PEM.
    pub(crate) certificate_pem: String,
    /// SM2 signature over the canonical JSON of `notice`, hex.
    pub(crate) signature: String,
}

impl From<DepositNoticeRequest> for app::SignedDepositNotice {
    fn from(r: DepositNoticeRequest) -> Self {
        Self {
            notice: r.notice.into(),
            certificate_pem: r.certificate_pem,
            signature: r.signature,
        }
    }
}

/// A bank's notice that a bidder's 竞买保证金 arrived (`app::DepositNotice`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DepositNoticeDto {
    /// The bank's 统一社会信用代码.
    pub(crate) bank: String,
    pub(crate) bank_name: String,
    /// The bank's transaction number.
    pub(crate) reference: String,
    /// The sale.
    pub(crate) auction: String,
    /// The paying bidder's 统一社会信用代码.
    pub(crate) payer: String,
    pub(crate) amount_fen: i64,
    pub(crate) received_at_ms: i64,
}

impl From<DepositNoticeDto> for app::DepositNotice {
    fn from(n: DepositNoticeDto) -> Self {
        Self {
            bank: n.bank,
            bank_name: n.bank_name,
            reference: n.reference,
            auction: n.auction,
            payer: n.payer,
            amount_fen: n.amount_fen,
            received_at_ms: n.received_at_ms,
        }
    }
}

// ---- Opening keys and partial decryptions ----

/// `POST /api/v1/lots/{code}/partials` and `POST /api/v1/auctions/{id}/partials`
/// (`app::PartialsRequest`): one holder's partial decryptions.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartialsRequest {
    /// The holder's seat.
    pub(crate) index: u32,
    pub(crate) partials: Vec<BidPartialDto>,
}

impl From<PartialsRequest> for app::PartialsRequest {
    fn from(r: PartialsRequest) -> Self {
        Self {
            index: r.index,
            partials: r.partials.into_iter().map(Into::into).collect(),
        }
    }
}

/// One partial decryption of one bid's C1 with its proof (`domain::BidPartial`).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct BidPartialDto {
    /// The bidder's entity id.
    pub(crate) bidder: String,
    /// D_i = d_i·C1, SEC1 uncompressed hex.
    pub(crate) point: String,
    /// The Chaum–Pedersen proof (c ‖ z), hex.
    pub(crate) proof: String,
}

impl From<BidPartialDto> for domain::BidPartial {
    fn from(p: BidPartialDto) -> Self {
        Self {
            bidder: domain::EntityId(p.bidder),
            point: p.point,
            proof: p.proof,
        }
    }
}

/// `POST /api/v1/ceremonies` (`app::NewCeremony`): a ceremony as the operator opens it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewCeremonyRequest {
    /// e.g. `2026-11`: one opening key per epoch.
    pub(crate) id: String,
    pub(crate) threshold: u32,
    pub(crate) seats: Vec<NewSeatDto>,
}

impl From<NewCeremonyRequest> for app::NewCeremony {
    fn from(r: NewCeremonyRequest) -> Self {
        Self {
            id: r.id,
            threshold: r.threshold,
            seats: r.seats.into_iter().map(Into::into).collect(),
        }
    }
}

/// A seat of a new ceremony (`app::NewSeat`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewSeatDto {
    pub(crate) index: u32,
    /// The holder's account.
    pub(crate) account: String,
    pub(crate) label: String,
}

impl From<NewSeatDto> for app::NewSeat {
    fn from(s: NewSeatDto) -> Self {
        Self {
            index: s.index,
            account: s.account,
            label: s.label,
        }
    }
}

/// `POST /api/v1/ceremonies/{id}/join` (`app::JoinRequest`): a holder joins with its own key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CeremonyJoinRequest {
    pub(crate) index: u32,
    /// SEC1 uncompressed hex.
    pub(crate) public_key: String,
}

impl From<CeremonyJoinRequest> for app::JoinRequest {
    fn from(r: CeremonyJoinRequest) -> Self {
        Self {
            index: r.index,
            public_key: r.public_key,
        }
    }
}

/// `POST /api/v1/ceremonies/{id}/deal` (`app::DealRequest`): a holder's commitments and
/// encrypted shares, signed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CeremonyDealRequest {
    pub(crate) index: u32,
    pub(crate) commitments: Vec<String>,
    pub(crate) shares: Vec<DealShare>,
    /// Over the canonical JSON of `{ceremony, index, commitments, shares}`.
    pub(crate) signature: String,
}

impl From<CeremonyDealRequest> for app::DealRequest {
    fn from(r: CeremonyDealRequest) -> Self {
        Self {
            index: r.index,
            commitments: r.commitments,
            shares: r
                .shares
                .into_iter()
                .map(|DealShare(to, share)| (to, share))
                .collect(),
            signature: r.signature,
        }
    }
}

/// One encrypted share: the pair `[recipient index, share]` (a `(u32, String)` tuple).
#[derive(Debug, Deserialize)]
pub(crate) struct DealShare(u32, String);

impl utoipa::PartialSchema for DealShare {
    fn schema() -> RefOr<Schema> {
        pair(
            uint32(),
            string(),
            "One encrypted share: `[recipient index, share]`.",
        )
    }
}

impl ToSchema for DealShare {}

/// `POST /api/v1/ceremonies/{id}/confirm` (`app::ConfirmRequest`): a holder confirms the shares
/// it received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CeremonyConfirmRequest {
    pub(crate) index: u32,
    /// The opening public key the holder computed.
    pub(crate) public_key: String,
    /// Over the canonical JSON of `{ceremony, index, public_key}`.
    pub(crate) signature: String,
}

impl From<CeremonyConfirmRequest> for app::ConfirmRequest {
    fn from(r: CeremonyConfirmRequest) -> Self {
        Self {
            index: r.index,
            public_key: r.public_key,
            signature: r.signature,
        }
    }
}

/// `POST /api/v1/ceremonies/{id}/complain` (`app::ComplaintRequest`): a holder's complaint about
/// a dealer's share.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CeremonyComplaintRequest {
    pub(crate) index: u32,
    /// The dealer's seat.
    pub(crate) against: u32,
    pub(crate) reason: String,
}

impl From<CeremonyComplaintRequest> for app::ComplaintRequest {
    fn from(r: CeremonyComplaintRequest) -> Self {
        Self {
            index: r.index,
            against: r.against,
            reason: r.reason,
        }
    }
}

// ---- Experts, draws, rooms, evaluation, bonds ----

/// `POST /api/v1/experts` (`app::ExpertForm`): one expert, the fields of an import row.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExpertFormRequest {
    pub(crate) name: String,
    pub(crate) id_number: String,
    /// The employer's 统一社会信用代码.
    pub(crate) employer: String,
    pub(crate) region: String,
    /// Classification codes separated by `;`.
    pub(crate) categories: String,
    pub(crate) title: String,
    /// 初级 / 中级 / 副高级 / 正高级.
    pub(crate) title_level: String,
    /// Years of practice (text, as in an import row).
    pub(crate) practice_years: String,
    /// `YYYY-MM-DD`.
    pub(crate) entry_date: String,
}

impl From<ExpertFormRequest> for app::ExpertForm {
    fn from(r: ExpertFormRequest) -> Self {
        Self {
            name: r.name,
            id_number: r.id_number,
            employer: r.employer,
            region: r.region,
            categories: r.categories,
            title: r.title,
            title_level: r.title_level,
            practice_years: r.practice_years,
            entry_date: r.entry_date,
        }
    }
}

/// `POST /api/v1/draws` (`app::NewDraw`): a draw as the trading center requests it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDrawRequest {
    /// The lot's 统一交易标识码.
    pub(crate) lot: String,
    /// `YYYY-MM-DD`.
    pub(crate) evaluation_date: String,
    /// `[classification code, number of experts]` pairs.
    pub(crate) needs: Vec<DrawNeed>,
    /// Backups per category.
    #[serde(default)]
    pub(crate) backups: u32,
    /// Experts drawn for the same tenderee within this many days are avoided.
    #[serde(default)]
    pub(crate) recent_days: u32,
    /// Region codes whose experts are avoided.
    #[serde(default)]
    pub(crate) excluded_regions: Vec<String>,
    /// Minutes an invited expert has to confirm (default 60).
    #[serde(default)]
    pub(crate) confirm_minutes: Option<u32>,
}

impl From<NewDrawRequest> for app::NewDraw {
    fn from(r: NewDrawRequest) -> Self {
        Self {
            lot: r.lot,
            evaluation_date: r.evaluation_date,
            needs: r
                .needs
                .into_iter()
                .map(|DrawNeed(category, count)| (category, count))
                .collect(),
            backups: r.backups,
            recent_days: r.recent_days,
            excluded_regions: r.excluded_regions,
            confirm_minutes: r.confirm_minutes,
        }
    }
}

/// One need of a draw: the pair `[classification code, number of experts]` (a `(String, u32)`
/// tuple).
#[derive(Debug, Deserialize)]
pub(crate) struct DrawNeed(String, u32);

impl utoipa::PartialSchema for DrawNeed {
    fn schema() -> RefOr<Schema> {
        pair(
            string(),
            uint32(),
            "One need of a draw: `[classification code, number of experts]`.",
        )
    }
}

impl ToSchema for DrawNeed {}

/// `POST /api/v1/rooms` (`app::NewRoom`): a room as entered by the trading center.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRoomRequest {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) region: String,
    #[serde(default)]
    pub(crate) address: String,
    pub(crate) capacity: u32,
    #[serde(default)]
    pub(crate) equipment: Vec<String>,
    #[serde(default)]
    pub(crate) shared: bool,
}

impl From<NewRoomRequest> for app::NewRoom {
    fn from(r: NewRoomRequest) -> Self {
        Self {
            code: r.code,
            name: r.name,
            region: r.region,
            address: r.address,
            capacity: r.capacity,
            equipment: r.equipment,
            shared: r.shared,
        }
    }
}

/// `POST /api/v1/rooms/{id}/bookings` (`app::NewBooking`): the lot and Beijing times
/// `YYYY-MM-DD HH:MM`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewBookingRequest {
    pub(crate) lot: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) attendees: u32,
}

impl From<NewBookingRequest> for app::NewBooking {
    fn from(r: NewBookingRequest) -> Self {
        Self {
            lot: r.lot,
            from: r.from,
            to: r.to,
            attendees: r.attendees,
        }
    }
}

/// `PUT /api/v1/lots/{code}/evaluation/sheet` (`domain::Sheet`): one expert's sheet.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SheetRequest {
    pub(crate) expert: String,
    pub(crate) verdicts: Vec<ItemVerdictDto>,
    pub(crate) scores: Vec<FactorScoreDto>,
}

impl From<SheetRequest> for domain::Sheet {
    fn from(r: SheetRequest) -> Self {
        Self {
            expert: r.expert,
            verdicts: r.verdicts.into_iter().map(Into::into).collect(),
            scores: r.scores.into_iter().map(Into::into).collect(),
        }
    }
}

/// One expert's verdict on one qualification item of one bid (`domain::ItemVerdict`).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct ItemVerdictDto {
    pub(crate) bidder: String,
    pub(crate) item: String,
    pub(crate) pass: bool,
    /// Required (non-empty) when failing.
    pub(crate) reason: String,
}

impl From<ItemVerdictDto> for domain::ItemVerdict {
    fn from(v: ItemVerdictDto) -> Self {
        Self {
            bidder: v.bidder,
            item: v.item,
            pass: v.pass,
            reason: v.reason,
        }
    }
}

/// One expert's score of one factor of one bid (`domain::FactorScore`).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct FactorScoreDto {
    pub(crate) bidder: String,
    pub(crate) factor: String,
    pub(crate) score: i64,
}

impl From<FactorScoreDto> for domain::FactorScore {
    fn from(s: FactorScoreDto) -> Self {
        Self {
            bidder: s.bidder,
            factor: s.factor,
            score: s.score,
        }
    }
}

/// `POST /api/v1/lots/{code}/bond/guarantee` (`app::SignedGuarantee`): an electronic guarantee
/// with the issuer's certificate and signature.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GuaranteeRequest {
    pub(crate) guarantee: GuaranteeDocDto,
    /// The issuer's certificate, PEM.
    pub(crate) certificate_pem: String,
    /// SM2 signature over the canonical JSON of `guarantee`, hex.
    pub(crate) signature: String,
}

impl From<GuaranteeRequest> for app::SignedGuarantee {
    fn from(r: GuaranteeRequest) -> Self {
        Self {
            guarantee: r.guarantee.into(),
            certificate_pem: r.certificate_pem,
            signature: r.signature,
        }
    }
}

/// An electronic guarantee as the issuer signs it (`app::GuaranteeDoc`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GuaranteeDocDto {
    /// The issuer's 统一社会信用代码 (= the certificate's subject code).
    pub(crate) issuer: String,
    pub(crate) issuer_name: String,
    /// 保函编号.
    pub(crate) number: String,
    /// 申请人: the bidder's 统一社会信用代码.
    pub(crate) applicant: String,
    /// 受益人: the tenderee's 统一社会信用代码.
    pub(crate) beneficiary: String,
    /// The lot's 统一交易标识码.
    pub(crate) lot: String,
    pub(crate) amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub(crate) valid_until: String,
}

impl From<GuaranteeDocDto> for app::GuaranteeDoc {
    fn from(g: GuaranteeDocDto) -> Self {
        Self {
            issuer: g.issuer,
            issuer_name: g.issuer_name,
            number: g.number,
            applicant: g.applicant,
            beneficiary: g.beneficiary,
            lot: g.lot,
            amount_fen: g.amount_fen,
            valid_until: g.valid_until,
        }
    }
}

// ---- Schemas of the two-element tuples ----

/// A `u32` as the derive documents it.
fn uint32() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(0))
        .build()
        .into()
}

fn string() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .build()
        .into()
}

/// A two-element array `[first, second]`, as serde reads a tuple: exactly two items.
fn pair(first: Schema, second: Schema, description: &str) -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(ArrayItems::False)
        .prefix_items([first, second])
        .min_items(Some(2))
        .max_items(Some(2))
        .description(Some(description))
        .build()
        .into()
}

/// `POST /api/v1/draws/{id}/contribution` (`app::NewContribution`): a supervisor's contribution.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContributionRequest {
    /// The draw's commitment as the supervisor saw it (hex): the value counts for it only.
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub(crate) commitment: String,
    /// 32 bytes of the supervisor's own randomness, 64 hex digits.
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub(crate) value: String,
}

impl From<ContributionRequest> for app::NewContribution {
    fn from(r: ContributionRequest) -> Self {
        Self {
            commitment: r.commitment,
            value: r.value,
        }
    }
}

/// A penalty (`app::PenaltyInput`): 罚款 in fen, 暂停资格 in months, or 取消中标资格.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum PenaltyRequest {
    Fine {
        #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
        amount_fen: i64,
    },
    SuspendQualification {
        /// Within the rule set's range (`qualification_suspension_min_months` ..= `…_max_months`).
        #[schema(minimum = 1)]
        months: u32,
    },
    Disqualify,
}

impl From<PenaltyRequest> for app::PenaltyInput {
    fn from(r: PenaltyRequest) -> Self {
        match r {
            PenaltyRequest::Fine { amount_fen } => Self::Fine { amount_fen },
            PenaltyRequest::SuspendQualification { months } => {
                Self::SuspendQualification { months }
            }
            PenaltyRequest::Disqualify => Self::Disqualify,
        }
    }
}

/// `POST /api/v1/cases/{id}/acts` (`app::CaseAct`): one act of the handling department. Dates
/// are `YYYY-MM-DD`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "act", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum CaseActRequest {
    /// 受理.
    Accept,
    /// 不予受理.
    Refuse {
        reason: String,
    },
    /// 一次性补正通知.
    RequestMaterial {
        what: String,
        #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
        due: String,
    },
    /// 转办 to a department's code.
    Forward {
        to: String,
        reason: String,
    },
    /// 联合调查 with these departments' codes.
    Join {
        departments: Vec<String>,
    },
    /// 责令暂停 the case's lot.
    SuspendLot,
    /// 送达投诉书副本 (procurement).
    ServeCopy,
    /// 听证笔录 of the hearing a party asked for.
    RecordHearing {
        entity: String,
        record: String,
    },
    /// 调取材料 from an entity.
    AskParty {
        entity: String,
        what: String,
        #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
        due: String,
    },
    /// 中止计时 (testing, expert review, supplementing).
    PauseClock {
        reason: String,
    },
    ResumeClock,
    /// 行政处罚告知.
    NoticePenalty {
        entity: String,
        penalty: PenaltyRequest,
        facts: String,
    },
    /// 反馈.
    Feedback {
        text: String,
    },
    /// 公开 the decision.
    Publish,
}

impl From<CaseActRequest> for app::CaseAct {
    fn from(r: CaseActRequest) -> Self {
        match r {
            CaseActRequest::Accept => Self::Accept,
            CaseActRequest::Refuse { reason } => Self::Refuse { reason },
            CaseActRequest::RequestMaterial { what, due } => Self::RequestMaterial { what, due },
            CaseActRequest::Forward { to, reason } => Self::Forward { to, reason },
            CaseActRequest::Join { departments } => Self::Join { departments },
            CaseActRequest::SuspendLot => Self::SuspendLot,
            CaseActRequest::ServeCopy => Self::ServeCopy,
            CaseActRequest::RecordHearing { entity, record } => {
                Self::RecordHearing { entity, record }
            }
            CaseActRequest::AskParty { entity, what, due } => Self::AskParty { entity, what, due },
            CaseActRequest::PauseClock { reason } => Self::PauseClock { reason },
            CaseActRequest::ResumeClock => Self::ResumeClock,
            CaseActRequest::NoticePenalty {
                entity,
                penalty,
                facts,
            } => Self::NoticePenalty {
                entity,
                penalty: penalty.into(),
                facts,
            },
            CaseActRequest::Feedback { text } => Self::Feedback { text },
            CaseActRequest::Publish => Self::Publish,
        }
    }
}

/// One penalty decided: the entity and the penalty noticed to it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PenaltyLine {
    pub(crate) entity: String,
    pub(crate) penalty: PenaltyRequest,
}

/// `POST /api/v1/cases/{id}/decision/to-sign` (`app::DecisionDraft`): the decision drafted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionDraftRequest {
    /// dismiss, order_correction, order_re_evaluation, order_retender, award_void,
    /// report_founded, report_unfounded.
    #[schema(
        pattern = "^(dismiss|order_correction|order_re_evaluation|order_retender|award_void|report_founded|report_unfounded)$"
    )]
    pub(crate) kind: String,
    pub(crate) reasons: String,
    pub(crate) basis: String,
    #[serde(default)]
    pub(crate) penalties: Vec<PenaltyLine>,
}

impl From<DecisionDraftRequest> for app::DecisionDraft {
    fn from(r: DecisionDraftRequest) -> Self {
        Self {
            kind: r.kind,
            reasons: r.reasons,
            basis: r.basis,
            penalties: r
                .penalties
                .into_iter()
                .map(|line| (line.entity, line.penalty.into()))
                .collect(),
        }
    }
}

/// `POST /api/v1/cases/{id}/decision`: the draft with the department certificate's signature
/// over the canonical JSON of what `to-sign` returned.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignedDecisionRequest {
    pub(crate) draft: DecisionDraftRequest,
    /// The department's certificate, PEM.
    pub(crate) certificate: String,
    /// SM2 signature (hex).
    pub(crate) signature: String,
}

/// `POST /api/v1/complaints` (`app::NewComplaint`): a complaint without attachments (the page
/// takes evidence files).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ComplaintRequest {
    /// The lot's 统一交易标识码.
    pub(crate) lot: String,
    /// documents, opening or result.
    #[schema(pattern = "^(documents|opening|result)$")]
    pub(crate) subject: String,
    pub(crate) facts: String,
    pub(crate) grounds: String,
    pub(crate) request: String,
}

impl From<ComplaintRequest> for app::NewComplaint {
    fn from(r: ComplaintRequest) -> Self {
        Self {
            lot: r.lot,
            subject: r.subject,
            facts: r.facts,
            grounds: r.grounds,
            request: r.request,
        }
    }
}

/// `POST /api/v1/reports` (`app::NewReport`): a report, anonymous unless a signed-in caller asks
/// otherwise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportRequest {
    /// The procedure's id or a lot's 统一交易标识码.
    pub(crate) target: String,
    pub(crate) facts: String,
    #[serde(default)]
    pub(crate) grounds: String,
    #[serde(default)]
    pub(crate) request: String,
    #[serde(default)]
    pub(crate) contact: String,
    #[serde(default = "yes")]
    pub(crate) anonymous: bool,
}

fn yes() -> bool {
    true
}

/// `POST /api/v1/reports/query`: a report's query code, in the body (never in a URL).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueryCodeRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub(crate) code: String,
}
