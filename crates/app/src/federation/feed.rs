//! Reading a followed node's public ledger API over HTTP (`docs/ledger.md`): its newest signed
//! head, its entries and its consistency proofs. The only place in `app` that makes requests;
//! nothing it returns is trusted before `ledger::monitor` has checked it.

use std::time::Duration;

use crypto::{PublicKey, Signature, Sm3Hash};
use ledger::{SignedTreeHead, TreeHead};
use serde::{Deserialize, Serialize};

/// A followed node's public API.
#[derive(Clone, Debug)]
pub struct NodeFeed {
    client: reqwest::Client,
    base: String,
}

/// An entry as the node serves it to anyone (kept as served in the evidence of a mismatch).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct FedEntry {
    pub seq: u64,
    pub stream: String,
    pub kind: String,
    pub visibility: String,
    pub actor: String,
    pub at_ms: i64,
    pub commit: String,
    pub payload: Option<serde_json::Value>,
    pub salt: Option<String>,
    #[serde(default)]
    pub masked: bool,
}

/// The node's consistency proof, with its whole answer (which says what the node now holds as
/// the first tree's root).
#[derive(Clone, Debug)]
pub struct FedConsistency {
    pub path: Vec<Sm3Hash>,
    /// The node's answer as served, kept as evidence.
    pub raw: serde_json::Value,
}

#[derive(Deserialize)]
struct HeadJson {
    origin: String,
    size: u64,
    root: String,
    timestamp_ms: i64,
    signature: String,
    public_key: String,
}

#[derive(Deserialize)]
struct EntriesJson {
    entries: Vec<FedEntry>,
}

impl NodeFeed {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("an HTTP client without TLS builds");
        Self {
            client,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    async fn get(&self, path: &str) -> Result<serde_json::Value, String> {
        let url = format!("{}{path}", self.base);
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("无法连接 {url}：{e}"))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("{url} 答复 HTTP {}", status.as_u16()));
        }
        response
            .json()
            .await
            .map_err(|e| format!("{url} 的答复无法解析：{e}"))
    }

    /// The newest signed head, with the key the node says it signs with (compared with the
    /// pinned key by the caller).
    pub async fn head(&self) -> Result<(SignedTreeHead, String), String> {
        let value = self.get("/api/v1/ledger/head").await?;
        let head: HeadJson =
            serde_json::from_value(value).map_err(|e| format!("签名树头格式有误：{e}"))?;
        let root = Sm3Hash::from_hex(&head.root).map_err(|e| format!("树根格式有误：{e}"))?;
        let signature =
            Signature::from_hex(&head.signature).map_err(|e| format!("签名格式有误：{e}"))?;
        Ok((
            SignedTreeHead {
                head: TreeHead {
                    origin: head.origin,
                    size: head.size,
                    root,
                    timestamp_ms: head.timestamp_ms,
                },
                signature,
            },
            head.public_key,
        ))
    }

    /// Entries `from <= seq < to` (the node serves at most 1000 per call).
    pub async fn entries(&self, from: u64, to: u64) -> Result<Vec<FedEntry>, String> {
        let value = self
            .get(&format!("/api/v1/ledger/entries?from={from}&to={to}"))
            .await?;
        let page: EntriesJson =
            serde_json::from_value(value).map_err(|e| format!("账本条目格式有误：{e}"))?;
        Ok(page.entries)
    }

    /// The consistency proof between the trees of `first` and `second` entries.
    pub async fn consistency(&self, first: u64, second: u64) -> Result<FedConsistency, String> {
        let raw = self
            .get(&format!(
                "/api/v1/ledger/consistency?first={first}&second={second}"
            ))
            .await?;
        let path = raw["path"]
            .as_array()
            .ok_or("一致性证明缺少 path")?
            .iter()
            .map(|h| {
                h.as_str()
                    .and_then(|h| Sm3Hash::from_hex(h).ok())
                    .ok_or_else(|| "一致性证明的哈希格式有误".to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FedConsistency { path, raw })
    }
}

/// The pinned key of a node, from its SEC1 hex.
pub fn pinned_key(hex: &str) -> Result<PublicKey, String> {
    PublicKey::from_hex(hex)
        .map_err(|_| "节点公钥格式有误：应为 SM2 公钥（以 04 开头的130位十六进制）".to_string())
}
