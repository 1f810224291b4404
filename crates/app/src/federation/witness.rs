//! Witnesses, so a node cannot rewrite its history quietly (`docs/witness.md`). Both roles:
//!
//! - **as a witness** (a hub, a supervising department's node, a neighbour): the C2SP
//!   tlog-witness `add-checkpoint` call, cosigning a followed node's checkpoint only when it is
//!   consistent with the last one this witness cosigned for that node;
//! - **as a witnessed log**: every second or so, this node sends its newest checkpoint to its
//!   witnesses with a consistency proof from the size each last cosigned, and keeps their
//!   cosignatures; `cosigned_checkpoint` serves the newest checkpoint with a quorum of them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crypto::{PublicKey, Sm3Hash};
use ledger::CheckpointError;
use ledger::witness::{
    AddCheckpoint, Cosignature, RequestError, SIZE_CONTENT_TYPE, WitnessRefusal, WitnessedHead,
    WitnessedLog, decide,
};
use serde::{Deserialize, Serialize};

use crate::{App, AppError};

/// The client a node asks its witnesses with.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client without TLS builds")
}

/// A witness this node asks to cosign its checkpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessConfig {
    /// The witness's name, as in its cosignature lines (a witness that is a GGZY node uses its
    /// origin).
    pub name: String,
    /// Its base URL: requests go to `<url>/api/v1/witness/add-checkpoint`.
    pub url: String,
    /// Its SM2 key (SEC1 hex), pinned.
    pub public_key: String,
}

/// How this node stands with one of its witnesses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WitnessStatus {
    pub name: String,
    pub url: String,
    /// The largest of this node's checkpoints the witness cosigned (0 none).
    pub cosigned_size: u64,
    /// When that cosignature arrived (0 never).
    pub cosigned_ms: i64,
    /// Why the last request failed ('' when it worked).
    pub error: String,
}

/// The witnesses' last answers, by name (failures are not kept in the store: they are news,
/// not history).
#[derive(Debug, Default)]
pub struct WitnessErrors(Mutex<HashMap<String, String>>);

impl WitnessErrors {
    fn set(&self, name: &str, error: String) {
        self.0
            .lock()
            .expect("witness errors lock")
            .insert(name.to_string(), error);
    }

    fn get(&self, name: &str) -> String {
        self.0
            .lock()
            .expect("witness errors lock")
            .get(name)
            .cloned()
            .unwrap_or_default()
    }
}

/// A checkpoint with a quorum of cosignatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignedCheckpoint {
    pub size: u64,
    /// The node's checkpoint note followed by the witnesses' cosignature lines.
    pub note: String,
    pub witnesses: usize,
}

/// This node's witnessing standing, for the banner every page shows when it is behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessingHealth {
    pub configured: usize,
    pub quorum: usize,
    /// The largest size with a quorum of cosignatures (0 none).
    pub cosigned_size: u64,
    pub head_size: u64,
    /// The newest head is not cosigned by a quorum although it has had time to be.
    pub behind: bool,
}

/// How long a new head may wait for its quorum before every page says so (by default).
pub const WITNESS_GRACE_MS: i64 = 30_000;

/// The last witnessing health computed (read by every page without a query).
#[derive(Debug, Default)]
pub struct HealthCache(Mutex<Option<WitnessingHealth>>);

/// A witness answer that is not a cosignature: the status and, for a conflict, the size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessAnswer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub code: &'static str,
}

impl WitnessAnswer {
    fn refused(refusal: &WitnessRefusal) -> Self {
        match refusal.size_body() {
            Some(body) => Self {
                status: refusal.http_status(),
                content_type: SIZE_CONTENT_TYPE,
                body,
                code: refusal.code(),
            },
            None => Self {
                status: refusal.http_status(),
                content_type: "application/json",
                body: String::new(),
                code: refusal.code(),
            },
        }
    }
}

impl App {
    /// As a witness: the C2SP tlog-witness `add-checkpoint` call. The log must be one this node
    /// follows (its registered nodes, with their pinned keys). Answers the cosignature line, or
    /// the refusal (`Err`) with its status, code and — for a conflict — the latest size.
    pub async fn witness_add_checkpoint(
        &self,
        body: &str,
    ) -> Result<Result<String, (WitnessAnswer, String)>, AppError> {
        let refuse = |refusal: WitnessRefusal| {
            Ok(Err((
                WitnessAnswer::refused(&refusal),
                refusal_detail(&refusal),
            )))
        };
        let request = match AddCheckpoint::parse(body) {
            Ok(request) => request,
            Err(e) => return refuse(WitnessRefusal::Malformed(e)),
        };
        let origin = match request.unverified_head() {
            Ok(head) => head.origin,
            Err(e) => return refuse(WitnessRefusal::Malformed(e)),
        };
        let Some(node) = self.store.hub_node(&origin).await? else {
            return refuse(WitnessRefusal::UnknownLog { origin });
        };
        let key = PublicKey::from_hex(&node.public_key)?;
        let log = WitnessedLog {
            origin: origin.clone(),
            key,
        };
        let known = match self.store.witness_state(&origin).await? {
            Some(row) => Some(WitnessedHead {
                size: row.size.max(0) as u64,
                root: Sm3Hash::from_slice(&row.root)?,
            }),
            None => None,
        };
        let now_ms = self.now_ms();
        let now_s = (now_ms.max(0) / 1000) as u64;
        let head = match decide(known.as_ref(), &request, &log, now_s) {
            Ok(head) => head,
            Err(refusal) => return refuse(refusal),
        };
        let advanced = self
            .store
            .advance_witness_state(
                &origin,
                known.map(|k| k.size as i64),
                head.size as i64,
                head.root.as_bytes(),
                now_ms,
            )
            .await?;
        if !advanced {
            // Another request advanced the state first: the caller retries from the new size.
            let latest = self
                .store
                .witness_state(&origin)
                .await?
                .map(|row| row.size.max(0) as u64)
                .unwrap_or(0);
            return refuse(WitnessRefusal::Conflict {
                latest_size: latest,
            });
        }
        let checkpoint_body = request
            .checkpoint_body()
            .map_err(|e| AppError::Internal(format!("a decided checkpoint has no body: {e}")))?;
        let cosignature =
            Cosignature::sign(&self.settings.origin, &self.key, checkpoint_body, now_s)
                .map_err(|e| AppError::Internal(format!("cannot cosign: {e}")))?;
        Ok(Ok(cosignature.to_line()))
    }

    /// As a witnessed log: one round of asking every configured witness to cosign the newest
    /// checkpoint. Returns how many witnesses have cosigned it.
    pub async fn gather_cosignatures(&self, client: &reqwest::Client) -> Result<usize, AppError> {
        let witnesses = &self.settings.witnesses;
        if witnesses.is_empty() {
            return Ok(0);
        }
        let head = self.ledger_head().await?;
        let size = head.head.size;
        if size == 0 {
            return Ok(0);
        }
        let note = head.to_checkpoint(&self.public_key());
        let body_text = head.head.checkpoint_body();
        let latest: HashMap<String, u64> = self
            .store
            .latest_cosignatures()
            .await?
            .into_iter()
            .map(|(name, size, _, _)| (name, size.max(0) as u64))
            .collect();
        let mut cosigned = 0;
        for witness in witnesses {
            let mut old = latest.get(&witness.name).copied().unwrap_or(0);
            if old >= size {
                cosigned += usize::from(old == size);
                continue;
            }
            // One retry: after a conflict, from the size the witness says it last cosigned —
            // only forward: a witness whose cosigned size went back has lost its state.
            let mut attempts = 0;
            loop {
                attempts += 1;
                match self
                    .ask_witness(client, witness, old, size, &note, &body_text)
                    .await
                {
                    Ok(line) => {
                        self.store
                            .add_cosignature(size as i64, &witness.name, &line, self.now_ms())
                            .await?;
                        self.witness_errors.set(&witness.name, String::new());
                        cosigned += 1;
                    }
                    Err(Asked::Conflict(latest))
                        if latest > old && latest <= size && attempts < 2 =>
                    {
                        old = latest;
                        continue;
                    }
                    Err(Asked::Conflict(latest)) if latest > size => {
                        self.witness_errors.set(
                            &witness.name,
                            format!(
                                "见证方已副署到第{latest}条，本节点账本只有{size}条：见证方拒绝副署（账本可能已回滚）"
                            ),
                        );
                    }
                    Err(Asked::Conflict(latest)) if latest < old => {
                        self.witness_errors.set(
                            &witness.name,
                            format!(
                                "见证方报告的已副署规模（{latest}）小于它此前副署的（{old}）：见证方的状态已回退，本节点不接受其回退后的副署，请联系见证方"
                            ),
                        );
                    }
                    Err(Asked::Conflict(latest)) => {
                        self.witness_errors.set(
                            &witness.name,
                            format!(
                                "见证方两次答复已副署规模不符（最近为{latest}），本轮未取得副署"
                            ),
                        );
                    }
                    Err(Asked::Failed(reason)) => {
                        self.witness_errors.set(&witness.name, reason);
                    }
                }
                break;
            }
        }
        Ok(cosigned)
    }

    async fn ask_witness(
        &self,
        client: &reqwest::Client,
        witness: &WitnessConfig,
        old: u64,
        size: u64,
        note: &str,
        body_text: &str,
    ) -> Result<String, Asked> {
        let proof = if old > 0 && old < size {
            self.consistency_of_sizes(old, size)
                .await
                .map_err(|e| Asked::Failed(format!("无法计算一致性证明：{e}")))?
                .path
        } else {
            Vec::new()
        };
        let request = AddCheckpoint {
            old_size: old,
            proof,
            checkpoint: note.to_string(),
        };
        let url = format!(
            "{}/api/v1/witness/add-checkpoint",
            witness.url.trim_end_matches('/')
        );
        let response = client
            .post(&url)
            .header("content-type", "text/plain; charset=utf-8")
            .body(request.to_body())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| Asked::Failed(format!("无法连接见证方 {url}：{e}")))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| Asked::Failed(format!("见证方的答复无法读取：{e}")))?;
        match status {
            200 => {}
            409 => {
                return match text.trim().parse::<u64>() {
                    Ok(latest) => Err(Asked::Conflict(latest)),
                    Err(_) => Err(Asked::Failed(format!("见证方拒绝副署（HTTP 409）：{text}"))),
                };
            }
            _ => {
                return Err(Asked::Failed(format!(
                    "见证方拒绝副署（HTTP {status}）：{}",
                    text.chars().take(300).collect::<String>()
                )));
            }
        }
        let key = PublicKey::from_hex(&witness.public_key)
            .map_err(|e| Asked::Failed(format!("见证方公钥格式有误：{e}")))?;
        for line in text.lines() {
            let Ok(cosignature) = Cosignature::parse_line(line) else {
                continue;
            };
            if cosignature.name == witness.name && cosignature.verify(&key, body_text).is_ok() {
                return Ok(format!("{line}\n"));
            }
        }
        Err(Asked::Failed(
            "见证方的答复中没有可用其固定公钥核验的副署".into(),
        ))
    }

    /// How this node stands with each configured witness.
    pub async fn witness_statuses(&self) -> Result<Vec<WitnessStatus>, AppError> {
        let latest: HashMap<String, (u64, i64)> = self
            .store
            .latest_cosignatures()
            .await?
            .into_iter()
            .map(|(name, size, _, at)| (name, (size.max(0) as u64, at)))
            .collect();
        Ok(self
            .settings
            .witnesses
            .iter()
            .map(|w| {
                let (cosigned_size, cosigned_ms) = latest.get(&w.name).copied().unwrap_or((0, 0));
                WitnessStatus {
                    name: w.name.clone(),
                    url: w.url.clone(),
                    cosigned_size,
                    cosigned_ms,
                    error: self.witness_errors.get(&w.name),
                }
            })
            .collect())
    }

    /// The quorum this node asks of its witnesses (k of n).
    pub fn witness_quorum(&self) -> usize {
        let n = self.settings.witnesses.len();
        match self.settings.witness_quorum {
            0 => n,
            k => k.min(n),
        }
    }

    /// The newest of this node's checkpoints cosigned by a quorum of its witnesses, with their
    /// lines appended (only those that verify with the pinned keys).
    pub async fn cosigned_checkpoint(&self) -> Result<Option<CosignedCheckpoint>, AppError> {
        let quorum = self.witness_quorum();
        if quorum == 0 {
            return Ok(None);
        }
        let keys: HashMap<String, PublicKey> = self
            .settings
            .witnesses
            .iter()
            .filter_map(|w| Some((w.name.clone(), PublicKey::from_hex(&w.public_key).ok()?)))
            .collect();
        for size in self.store.cosigned_sizes(quorum as i64, 5).await? {
            let Some(row) = self.store.head_at(size.max(0) as u64).await? else {
                continue;
            };
            let head = crate::witness::verify::signed_head(&self.settings.origin, &row)?;
            let body_text = head.head.checkpoint_body();
            let mut note = head.to_checkpoint(&self.public_key());
            let mut witnesses = 0;
            for (name, line) in self.store.cosignatures_at(size).await? {
                let verified = keys.get(&name).is_some_and(|key| {
                    Cosignature::parse_line(line.trim_end())
                        .is_ok_and(|c| c.name == name && c.verify(key, &body_text).is_ok())
                });
                if verified {
                    note.push_str(&line);
                    witnesses += 1;
                }
            }
            if witnesses >= quorum {
                return Ok(Some(CosignedCheckpoint {
                    size: size as u64,
                    note,
                    witnesses,
                }));
            }
        }
        Ok(None)
    }

    /// One round of gathering, then the health every page reads (`witnessing_warning`).
    pub async fn witnessing_round(&self, client: &reqwest::Client) -> Result<(), AppError> {
        let gathered = self.gather_cosignatures(client).await;
        let health = self.witnessing_health().await?;
        *self.witnessing.0.lock().expect("witnessing lock") = health;
        gathered.map(|_| ())
    }

    /// What every page says while this node's newest head waits too long for its witnesses.
    pub fn witnessing_warning(&self) -> Option<String> {
        let health = self.witnessing.0.lock().expect("witnessing lock").clone()?;
        health.behind.then(|| {
            format!(
                "本节点的交易见证账本未能及时取得见证方副署（需 {} 个见证方中的 {} 个；已副署至第 {} 条，账本共 {} 条）。在取得副署之前，新的交易记录仅有本节点自己的签名。",
                health.configured, health.quorum, health.cosigned_size, health.head_size
            )
        })
    }

    /// Whether this node's newest head is waiting too long for its witnesses' quorum.
    pub async fn witnessing_health(&self) -> Result<Option<WitnessingHealth>, AppError> {
        let configured = self.settings.witnesses.len();
        if configured == 0 {
            return Ok(None);
        }
        let head = self.ledger_head().await?;
        // Only cosignatures that verify with the pinned keys count.
        let cosigned_size = self
            .cosigned_checkpoint()
            .await?
            .map(|c| c.size)
            .unwrap_or(0);
        // The first head after the cosigned one has waited since it was signed.
        let waiting_since = if cosigned_size >= head.head.size {
            None
        } else {
            match self.head_sizes(cosigned_size, 1).await?.first() {
                Some((_, at)) => Some(*at),
                None => Some(head.head.timestamp_ms),
            }
        };
        let behind =
            waiting_since.is_some_and(|at| self.now_ms() - at > self.settings.witness_grace_ms);
        Ok(Some(WitnessingHealth {
            configured,
            quorum: self.witness_quorum(),
            cosigned_size,
            head_size: head.head.size,
            behind,
        }))
    }
}

/// What exactly a witness refused, in Chinese (the API's message; the code says which class).
pub fn refusal_detail(refusal: &WitnessRefusal) -> String {
    match refusal {
        WitnessRefusal::Malformed(e) => request_detail(e),
        WitnessRefusal::UnknownLog { origin } => format!("本见证方不跟踪 {origin} 的账本"),
        WitnessRefusal::BadSignature(e) => checkpoint_detail(e),
        WitnessRefusal::FutureCheckpoint { time_ms, now_s } => format!(
            "树头时间 {time_ms} 毫秒比见证方时钟（{now_s} 秒）晚 {} 秒以上",
            ledger::witness::MAX_FUTURE_SKEW_S
        ),
        WitnessRefusal::Rollback { old_size, size } => {
            format!("原规模 {old_size} 大于树头的规模 {size}")
        }
        WitnessRefusal::Conflict { latest_size } => {
            format!("见证方最近副署的规模为 {latest_size}")
        }
        WitnessRefusal::Fork { size } => format!("规模为 {size} 的树头的树根与见证方已副署的不同"),
        WitnessRefusal::BadProof(_) => "一致性证明不能把已副署的树头接到该树头".into(),
    }
}

fn request_detail(error: &RequestError) -> String {
    match error {
        RequestError::Empty => "请求为空".into(),
        RequestError::ControlCharacter => "请求含有换行以外的控制字符".into(),
        RequestError::MissingNewline => "第一行未以换行结束".into(),
        RequestError::MissingOldLine => "第一行应为“old <规模>”".into(),
        RequestError::BadOldSize => "原规模应为不含前导零、不超过64位的十进制整数".into(),
        RequestError::MissingBlankLine => "一致性证明与检查点之间缺少空行".into(),
        RequestError::TooManyProofLines { count } => {
            format!(
                "一致性证明有 {count} 行，至多 {} 行",
                ledger::witness::MAX_PROOF_LINES
            )
        }
        RequestError::BadProofBase64 { line } => format!("第 {line} 行不是有效的 base64"),
        RequestError::BadProofHashLength { line, len } => {
            format!("第 {line} 行为 {len} 字节，应为32字节的哈希")
        }
        RequestError::Checkpoint(e) => checkpoint_detail(e),
    }
}

fn checkpoint_detail(error: &CheckpointError) -> String {
    match error {
        CheckpointError::ControlCharacter => "检查点含有换行以外的控制字符".into(),
        CheckpointError::MissingFinalNewline => "检查点未以换行结束".into(),
        CheckpointError::MissingBlankLine => "检查点的正文与签名行之间缺少空行".into(),
        CheckpointError::NoSignatures => "检查点没有签名行".into(),
        CheckpointError::TooManySignatures => "检查点的签名行过多".into(),
        CheckpointError::BadSignatureLine { index } => {
            format!("检查点的第 {index} 个签名行格式有误")
        }
        CheckpointError::BadBody(field) => format!("检查点的 {field} 格式有误"),
        CheckpointError::NoSignatureFromKey => "检查点没有该账本固定公钥的签名行".into(),
        CheckpointError::BadSignature => "检查点的账本签名未通过核验".into(),
    }
}

enum Asked {
    Conflict(u64),
    Failed(String),
}
