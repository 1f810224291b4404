//! 一处登记、全省通用 at the second node: an entity registered and approved at another node (and
//! recognised here from the province registry, `federation::sharing`) opens its account here
//! without registering again, by signing a claim with a certificate bound to it.

use domain::{AccountCommand, EntityId, Role, Username};
use serde::{Deserialize, Serialize};

use crate::market::auth::PasswordPolicy;
use crate::{App, AppError, Receipt};

/// The act a claim's signature covers.
pub const CLAIM_ACT: &str = "account.claim";
/// How far a claim's signing time may be from the node's clock (10 minutes).
pub const CLAIM_WINDOW_MS: i64 = 10 * 60 * 1000;

/// The payload the entity signs (canonical JSON, SM2 with its bound certificate's key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimPayload {
    /// Always `account.claim`.
    pub act: String,
    /// The origin of the node where the account is opened (a claim signed for one node is no
    /// good at another).
    pub node: String,
    pub username: String,
    pub signed_at_ms: i64,
}

/// A signed payload as `ggzy sign` prints it.
#[derive(Clone, Debug, Deserialize)]
pub struct SignedClaim {
    pub payload: serde_json::Value,
    /// SM2 signature over the canonical JSON of `payload`, hex.
    pub signature: String,
    /// The signer's certificate, PEM.
    pub certificate: String,
    #[serde(default)]
    pub algorithm: String,
}

/// An account claimed for an entity registered at another node.
#[derive(Clone, Debug, Deserialize)]
pub struct AccountClaim {
    pub display_name: String,
    pub password: String,
    pub signed: SignedClaim,
}

fn claim_invalid(reason: impl Into<String>) -> AppError {
    AppError::refused(
        "ACCOUNT_CLAIM_INVALID",
        format!("账号认领无效：{}", reason.into()),
    )
}

impl App {
    /// The payload an entity signs to open `username` here, as the claim page shows it.
    pub fn claim_payload(&self, username: &str) -> ClaimPayload {
        ClaimPayload {
            act: CLAIM_ACT.into(),
            node: self.settings.origin.clone(),
            username: Username::parse(username)
                .map(|u| u.to_string())
                .unwrap_or_else(|_| username.trim().to_string()),
            signed_at_ms: self.now_ms(),
        }
    }

    /// Opens an account for the entity whose bound certificate signed the claim: the account's
    /// roles are the entity's trading roles. The certificate is checked as for every signed act
    /// (trusted here, valid, bound to an entity known here, not revoked); the claim must name this
    /// node and be signed within `CLAIM_WINDOW_MS` of now.
    pub async fn claim_account(&self, claim: AccountClaim) -> Result<Receipt, AppError> {
        let payload: ClaimPayload = serde_json::from_value(claim.signed.payload.clone())
            .map_err(|_| claim_invalid("签名内容应为 act、node、username、signed_at_ms 四项"))?;
        if payload.act != CLAIM_ACT {
            return Err(claim_invalid(format!("签名的事项应为 {CLAIM_ACT}")));
        }
        if payload.node != self.settings.origin {
            return Err(claim_invalid(format!(
                "签名是为节点 {} 作出的，本节点是 {}",
                payload.node, self.settings.origin
            )));
        }
        let now = self.now_ms();
        if (now - payload.signed_at_ms).abs() > CLAIM_WINDOW_MS {
            return Err(claim_invalid(
                "签名时间与本节点时间相差超过10分钟，请重新签名",
            ));
        }
        let username = Username::parse(&payload.username)?;
        PasswordPolicy::check_strength(&claim.password, username.as_str())?;
        let signature = crypto::Signature::from_hex(claim.signed.signature.trim())
            .map_err(|_| claim_invalid("签名格式有误"))?;
        let holder = self
            .verify_signed_act(
                &claim.signed.payload,
                &signature,
                &claim.signed.certificate,
                payload.signed_at_ms,
            )
            .await?;
        let roles: Vec<Role> = holder
            .roles
            .iter()
            .copied()
            .filter(|role| role.is_self_service())
            .collect();
        let password_hash = self.settings.password_policy.hash(&claim.password)?;
        let mut tx = self.store.begin().await?;
        let last = self
            .open_account_in(
                &mut tx,
                username.as_str(),
                AccountCommand::Create {
                    username: username.clone(),
                    display_name: claim.display_name,
                    entity: EntityId(holder.id.clone()),
                    roles,
                },
                &password_hash,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(last)
    }
}
