//! Wire types of the JSON API: what requests carry and responses return, with their OpenAPI
//! schemas. They convert from the application's types here, at the edge.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /api/v1/session`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    pub(crate) username: String,
    pub(crate) password: String,
}

/// A new session. The session token itself travels only in the HttpOnly cookie.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LoginResponse {
    pub(crate) username: String,
    /// Send this in `x-csrf-token` with every state-changing call made with the cookie.
    pub(crate) csrf_token: String,
    pub(crate) expires_at_ms: i64,
}

/// `POST /api/v1/registrations` and `POST /api/v1/entities`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistrationRequest {
    /// `organisation` or `natural_person`.
    pub(crate) kind: String,
    /// 统一社会信用代码, or 居民身份证号码 for a natural person.
    pub(crate) code: String,
    pub(crate) name: String,
    /// GB/T 2260 region code, e.g. `330100`.
    pub(crate) region: String,
    pub(crate) legal_representative: String,
    #[serde(default)]
    pub(crate) address: String,
    pub(crate) contact_name: String,
    pub(crate) contact_phone: String,
    #[serde(default)]
    pub(crate) contact_email: String,
    /// `tenderee`, `agency`, `bidder` (and, by the trading center only, the platform roles).
    pub(crate) roles: Vec<String>,
    /// 控股股东或实际控制人: a USCC or resident ID number; omitted or "" when none.
    #[serde(default)]
    pub(crate) controller: String,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) password: String,
}

impl From<RegistrationRequest> for app::NewRegistration {
    fn from(r: RegistrationRequest) -> Self {
        Self {
            kind: r.kind,
            code: r.code,
            name: r.name,
            region: r.region,
            legal_representative: r.legal_representative,
            address: r.address,
            contact_name: r.contact_name,
            contact_phone: r.contact_phone,
            contact_email: r.contact_email,
            roles: r.roles,
            controller: r.controller,
            username: r.username,
            display_name: r.display_name,
            password: r.password,
        }
    }
}

/// `POST /api/v1/accounts`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountRequest {
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) entity_id: String,
    pub(crate) roles: Vec<String>,
    pub(crate) password: String,
}

/// `POST /api/v1/entities/{id}/reject`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectRequest {
    pub(crate) reason: String,
}

/// `POST /api/v1/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenRequest {
    /// 1 to 50 characters (surrounding spaces are trimmed).
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub(crate) name: String,
    /// 1 to 366 (default 90).
    #[schema(minimum = 1, maximum = 366)]
    #[serde(default = "default_token_days")]
    pub(crate) valid_days: u32,
}

fn default_token_days() -> u32 {
    90
}

/// An entity's whole personal numbers, with the receipt of the recorded read.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonalDataDto {
    pub(crate) code: String,
    pub(crate) contact_phone: String,
    pub(crate) receipt: ReceiptsDto,
}

/// An API token as its owner sees it listed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenDto {
    /// SM3 of the token, hex: its name for revocation (not the token).
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created_at_ms: i64,
    pub(crate) expires_at_ms: i64,
    pub(crate) revoked: bool,
    /// Neither revoked nor expired.
    pub(crate) active: bool,
}

/// A new API token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenResponse {
    pub(crate) token: String,
    pub(crate) expires_at_ms: i64,
}

/// A signed tree head (C2SP checkpoint fields).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TreeHeadDto {
    pub(crate) origin: String,
    pub(crate) size: u64,
    /// SM3 root, hex.
    pub(crate) root: String,
    pub(crate) timestamp_ms: i64,
    /// SM2 signature (r ‖ s, hex) over the checkpoint body.
    pub(crate) signature: String,
    /// The platform's SM2 public key (SEC1 uncompressed, hex).
    pub(crate) public_key: String,
}

impl TreeHeadDto {
    pub(crate) fn from_head(head: &ledger::SignedTreeHead, key: &crypto::PublicKey) -> Self {
        Self {
            origin: head.head.origin.clone(),
            size: head.head.size,
            root: head.head.root.to_hex(),
            timestamp_ms: head.head.timestamp_ms,
            signature: head.signature.to_hex(),
            public_key: key.to_hex(),
        }
    }
}

/// A receipt: the entry's place, the head that includes it and the proof.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReceiptDto {
    pub(crate) seq: u64,
    pub(crate) stream: String,
    pub(crate) kind: String,
    pub(crate) leaf_hash: String,
    pub(crate) tree_head: TreeHeadDto,
    pub(crate) inclusion_proof: Vec<String>,
}

impl ReceiptDto {
    pub(crate) fn from_receipt(receipt: &app::Receipt, key: &crypto::PublicKey) -> Self {
        Self {
            seq: receipt.seq,
            stream: receipt.stream.clone(),
            kind: receipt.kind.clone(),
            leaf_hash: receipt.leaf_hash.to_hex(),
            tree_head: TreeHeadDto::from_head(&receipt.tree_head, key),
            inclusion_proof: receipt.inclusion_proof.iter().map(|h| h.to_hex()).collect(),
        }
    }
}

/// The answer to a command: its receipts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReceiptsDto {
    pub(crate) receipts: Vec<ReceiptDto>,
}

/// A ledger entry; `payload` and `salt` are present only when the caller may see them.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntryDto {
    pub(crate) seq: u64,
    pub(crate) stream: String,
    pub(crate) kind: String,
    /// `public`, `parties` or `supervision`.
    pub(crate) visibility: String,
    pub(crate) actor: String,
    pub(crate) at_ms: i64,
    pub(crate) leaf_hash: String,
    pub(crate) commit: String,
    #[schema(value_type = Option<Object>)]
    pub(crate) payload: Option<serde_json::Value>,
    pub(crate) salt: Option<String>,
    /// Personal numbers (ID numbers, mobiles) in the payload were masked for this reader; the
    /// payload then does not hash to `commit` and `salt` is withheld.
    pub(crate) masked: bool,
}

impl From<app::EntryView> for EntryDto {
    fn from(e: app::EntryView) -> Self {
        Self {
            seq: e.seq,
            stream: e.stream,
            kind: e.kind,
            visibility: e.visibility.as_str().into(),
            actor: e.actor,
            at_ms: e.at_ms,
            leaf_hash: e.leaf_hash.to_hex(),
            commit: e.commit.to_hex(),
            payload: e.payload,
            salt: e.salt,
            masked: e.masked,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntriesDto {
    pub(crate) entries: Vec<EntryDto>,
    pub(crate) ledger_size: u64,
}

/// An inclusion proof (RFC 9162 §2.1.3) to a signed head.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InclusionDto {
    pub(crate) seq: u64,
    pub(crate) leaf_hash: String,
    /// The tree size the proof leads to (any size up to the newest signed head's).
    pub(crate) size: u64,
    /// That tree's SM3 root, hex, computed from the stored nodes.
    pub(crate) root: String,
    /// The head signed at that size, when one is stored (compare `root` with a receipt's head
    /// otherwise, or ask `/api/v1/ledger/consistency` from that size to the newest head).
    pub(crate) tree_head: Option<TreeHeadDto>,
    pub(crate) path: Vec<String>,
}

/// A consistency proof (RFC 9162 §2.1.4) between two signed heads.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConsistencyDto {
    pub(crate) first_size: u64,
    /// The first tree's SM3 root, hex, computed from the stored nodes.
    pub(crate) first_root: String,
    /// The head signed at the first size, when one is stored.
    pub(crate) first: Option<TreeHeadDto>,
    pub(crate) second_size: u64,
    pub(crate) second_root: String,
    /// The head signed at the second size, when one is stored.
    pub(crate) second: Option<TreeHeadDto>,
    pub(crate) path: Vec<String>,
}

/// The sizes of signed heads, in order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HeadSizesDto {
    pub(crate) heads: Vec<HeadSizeDto>,
    /// Pass as `after` for the next page; absent on the last.
    pub(crate) next_after: Option<u64>,
}

/// One signed head's size and time.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HeadSizeDto {
    pub(crate) size: u64,
    pub(crate) timestamp_ms: i64,
}

/// A market entity.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntityDto {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) legal_representative: String,
    pub(crate) address: String,
    pub(crate) contact_name: String,
    pub(crate) contact_phone: String,
    pub(crate) contact_email: String,
    pub(crate) roles: Vec<String>,
    /// `pending`, `active` or `rejected`.
    pub(crate) status: String,
    pub(crate) reject_reason: String,
    pub(crate) registered_at_ms: i64,
    pub(crate) reviewed_at_ms: Option<i64>,
    /// 资质.
    pub(crate) qualifications: Vec<QualificationDto>,
    /// Only for the entity itself, the trading center and supervision; the number is masked.
    pub(crate) bank_account: Option<BankAccountDto>,
    /// Why the entity is suspended or barred.
    pub(crate) restriction_reason: String,
    /// The last day of a bar, `YYYY-MM-DD`.
    pub(crate) restricted_until: String,
    /// 数字证书 bound to the entity.
    pub(crate) certificates: Vec<CertificateDto>,
    /// Where the entity registered (a node's origin) when it was recognised here from the
    /// province registry; "" when it registered here.
    pub(crate) home: String,
}

/// A certificate bound to an entity.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CertificateDto {
    /// SM3 of the DER, hex.
    pub(crate) fingerprint: String,
    pub(crate) serial: String,
    pub(crate) issuer: String,
    pub(crate) not_after_ms: i64,
    /// The reason, when revoked.
    pub(crate) revoked: Option<String>,
    pub(crate) pem: String,
}

/// `POST /api/v1/entities/{id}/certificates`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BindCertificateRequest {
    /// The certificate, PEM.
    pub(crate) pem: String,
}

/// A qualification certificate.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualificationDto {
    pub(crate) name: String,
    pub(crate) grade: String,
    pub(crate) certificate_no: String,
    pub(crate) issuer: String,
    /// `YYYY-MM-DD`.
    pub(crate) valid_until: String,
}

/// `PUT /api/v1/entities/{id}/qualifications`: the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualificationsRequest {
    pub(crate) qualifications: Vec<QualificationDto>,
}

/// The basic bank account for bonds.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BankAccountDto {
    pub(crate) bank: String,
    pub(crate) account_name: String,
    pub(crate) account_no: String,
}

/// `POST /api/v1/entities/{id}/suspend|bar|reinstate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SanctionRequest {
    pub(crate) reason: String,
    /// For a bar: the last day, `YYYY-MM-DD`.
    #[serde(default)]
    pub(crate) until: Option<String>,
}

impl QualificationDto {
    pub(crate) fn into_domain(self) -> Result<domain::Qualification, domain::DomainError> {
        Ok(domain::Qualification {
            name: self.name,
            grade: self.grade,
            certificate_no: self.certificate_no,
            issuer: self.issuer,
            valid_until: domain::Date::parse(&self.valid_until)?,
        })
    }
}

impl From<app::EntityView> for EntityDto {
    fn from(e: app::EntityView) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            code: e.code,
            name: e.name,
            region: e.region,
            legal_representative: e.legal_representative,
            address: e.address,
            contact_name: e.contact_name,
            contact_phone: e.contact_phone,
            contact_email: e.contact_email,
            roles: e.roles.iter().map(|r| r.as_str().to_string()).collect(),
            status: e.status,
            reject_reason: e.reject_reason,
            registered_at_ms: e.registered_at_ms,
            reviewed_at_ms: e.reviewed_at_ms,
            qualifications: e
                .qualifications
                .into_iter()
                .map(|q| QualificationDto {
                    name: q.name,
                    grade: q.grade,
                    certificate_no: q.certificate_no,
                    issuer: q.issuer,
                    valid_until: q.valid_until.to_string(),
                })
                .collect(),
            bank_account: e.bank_account.map(|a| BankAccountDto {
                account_no: a.masked_no(),
                bank: a.bank,
                account_name: a.account_name,
            }),
            restriction_reason: e.restriction_reason,
            restricted_until: e.restricted_until,
            certificates: e
                .certificates
                .into_iter()
                .map(|c| CertificateDto {
                    fingerprint: c.fingerprint,
                    serial: c.serial,
                    issuer: c.issuer,
                    not_after_ms: c.not_after_ms,
                    revoked: c.revoked,
                    pem: c.pem,
                })
                .collect(),
            home: e.home,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntityPageDto {
    pub(crate) items: Vec<EntityDto>,
    pub(crate) total: u64,
    pub(crate) page: u64,
    pub(crate) per_page: u64,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountDto {
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) entity_id: String,
    pub(crate) roles: Vec<String>,
    pub(crate) status: String,
}

impl From<app::AccountView> for AccountDto {
    fn from(a: app::AccountView) -> Self {
        Self {
            username: a.username,
            display_name: a.display_name,
            entity_id: a.entity_id,
            roles: a.roles.iter().map(|r| r.as_str().to_string()).collect(),
            status: a.status,
        }
    }
}

/// Health.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HealthDto {
    pub(crate) status: String,
    pub(crate) ledger_size: u64,
}

/// One published version of reference data.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReferenceVersionDto {
    /// `catalog`, `rules` or `calendar`.
    pub(crate) kind: String,
    pub(crate) version: u32,
    /// The source text (TOML for catalog and rules, CSV for the calendar).
    pub(crate) text: String,
    pub(crate) reason: String,
    pub(crate) actor: String,
    pub(crate) published_at_ms: i64,
    /// The ledger entry that witnessed the publication.
    pub(crate) seq: u64,
}

impl From<app::ReferenceVersion> for ReferenceVersionDto {
    fn from(v: app::ReferenceVersion) -> Self {
        Self {
            kind: v.kind.as_str().into(),
            version: v.version,
            text: v.text,
            reason: v.reason,
            actor: v.actor,
            published_at_ms: v.published_at_ms,
            seq: v.seq,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReferenceHistoryDto {
    pub(crate) versions: Vec<ReferenceVersionDto>,
}

/// `POST /api/v1/reference/{kind}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishRequest {
    pub(crate) text: String,
    pub(crate) reason: String,
}

/// A rule in force, with the rule set it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResolvedRuleDto {
    pub(crate) key: String,
    pub(crate) label: String,
    /// Chinese wording, e.g. "不得少于20日".
    pub(crate) wording: String,
    pub(crate) days: Option<u32>,
    /// `calendar_days` or `working_days`.
    pub(crate) count: Option<String>,
    /// `at_least_before`, `not_less_than` or `within_from`.
    pub(crate) period_kind: Option<String>,
    pub(crate) value: Option<i64>,
    /// `fen`, `basis_points` or `count`.
    pub(crate) unit: Option<String>,
    pub(crate) source: String,
    pub(crate) rule_set: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResolvedRulesDto {
    pub(crate) category: String,
    pub(crate) region: String,
    pub(crate) date: String,
    pub(crate) periods: Vec<ResolvedRuleDto>,
    pub(crate) thresholds: Vec<ResolvedRuleDto>,
}

/// A computed deadline.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeadlineDto {
    pub(crate) from: String,
    pub(crate) wording: String,
    /// The decisive day: the window's last day, the earliest end, or the latest day before.
    pub(crate) date: String,
    pub(crate) weekday: String,
    /// False when the calendar has no data for that year (only weekends are known then).
    pub(crate) calendar_covers: bool,
}

/// `POST /api/v1/crl`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CrlRequest {
    /// The CRL, PEM (`-----BEGIN X509 CRL-----`).
    pub(crate) pem: String,
}

/// A reason, for acts that need one (终止, 暂停, …).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonRequest {
    pub(crate) reason: String,
}
