//! `ggzy keyholder`: the opening-key holder's tool. It keeps the holder's SM2 key and key share in
//! a local file (never sent anywhere), takes part in the key ceremony through the platform's API,
//! and makes partial decryptions only for a lot whose opening it has checked in the ledger
//! against the platform key pinned in the file.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::Value;

#[derive(Debug, Subcommand)]
pub(crate) enum KeyholderCommand {
    /// Make the holder's file: a fresh SM2 key for a seat of a ceremony, and the platform's
    /// witness key pinned from the server (check it against the key published by the trading
    /// center before you go on).
    Init {
        #[arg(long)]
        file: PathBuf,
        #[arg(long, env = "GGZY_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// The ceremony's id, e.g. 2026-12.
        #[arg(long)]
        ceremony: String,
        /// Your seat's number in the ceremony.
        #[arg(long)]
        index: u32,
        /// Your account on the platform.
        #[arg(long)]
        account: String,
    },
    /// Do the ceremony step that is due: join, deal shares, or check them and confirm.
    Ceremony {
        #[arg(long)]
        file: PathBuf,
        #[arg(long, env = "GGZY_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        /// An API token of your account (`POST /api/v1/tokens`).
        #[arg(long, env = "GGZY_TOKEN")]
        token: String,
    },
    /// Check a lot's opening in the ledger and send your partial decryptions. Refused before
    /// the deadline, whatever the server says.
    Open {
        #[arg(long)]
        file: PathBuf,
        #[arg(long, env = "GGZY_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
        #[arg(long, env = "GGZY_TOKEN")]
        token: String,
        /// The lot's 统一交易标识码.
        #[arg(long, required_unless_present = "auction", conflicts_with = "auction")]
        lot: Option<String>,
        /// Or a sealed-bid sale's 竞价编号 (密封报价).
        #[arg(long)]
        auction: Option<String>,
    },
}

fn load(path: &Path) -> anyhow::Result<app::HolderFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the holder file {}", path.display()))?;
    serde_json::from_str(&text).context("the holder file is damaged")
}

fn save(path: &Path, file: &app::HolderFile) -> anyhow::Result<()> {
    write_private(path, &serde_json::to_string_pretty(file)?)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes a file only its owner can read (a key holder's share), atomically: a temporary file,
/// synced, then renamed over the old one.
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options.open(&tmp)?;
        out.write_all(text.as_bytes())?;
        out.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

struct Api {
    client: reqwest::Client,
    server: String,
    token: String,
}

impl Api {
    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let response = self
            .client
            .get(format!("{}{path}", self.server))
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.server))?;
        answer(response).await
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let response = self
            .client
            .post(format!("{}{path}", self.server))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.server))?;
        answer(response).await
    }
}

async fn answer(response: reqwest::Response) -> anyhow::Result<Value> {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!(
            "the platform refused ({status}): {} {}",
            body["code"].as_str().unwrap_or(""),
            body["message"].as_str().unwrap_or("")
        );
    }
    Ok(body)
}

pub(crate) async fn run(command: KeyholderCommand) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    match command {
        KeyholderCommand::Init {
            file,
            server,
            ceremony,
            index,
            account,
        } => {
            if file.exists() {
                bail!(
                    "{} exists; a holder file is never overwritten",
                    file.display()
                );
            }
            let api = Api {
                client,
                server,
                token: String::new(),
            };
            let head = api.get("/api/v1/ledger/head").await?;
            let key = crypto::PublicKey::from_hex(head["public_key"].as_str().unwrap_or(""))
                .context("the server's witness key is not an SM2 key")?;
            let holder = app::HolderFile::new(&ceremony, index, &account, &key);
            save(&file, &holder)?;
            println!(
                "holder file written: {} (seat {index} of ceremony {ceremony}); pinned platform key {}",
                file.display(),
                key.to_hex()
            );
            Ok(())
        }
        KeyholderCommand::Ceremony {
            file,
            server,
            token,
        } => {
            let mut holder = load(&file)?;
            let api = Api {
                client,
                server,
                token,
            };
            let state = api
                .get(&format!("/api/v1/ceremonies/{}", holder.ceremony))
                .await?;
            let ceremony: domain::Ceremony =
                serde_json::from_value(state).context("the ceremony does not decode")?;
            let seat = ceremony
                .seat(holder.index)
                .context("this seat is not in the ceremony")?;
            let path = format!("/api/v1/ceremonies/{}", holder.ceremony);
            match &ceremony.status {
                domain::CeremonyStatus::Joining if seat.public_key.is_none() => {
                    api.post(
                        &format!("{path}/join"),
                        &serde_json::to_value(holder.join_request()?)?,
                    )
                    .await?;
                    println!("joined; run again when every holder has joined");
                }
                domain::CeremonyStatus::Dealing if seat.commitments.is_none() => {
                    let request = holder.deal(&ceremony)?;
                    // Keep the own share before the server learns anything of this round.
                    save(&file, &holder)?;
                    api.post(&format!("{path}/deal"), &serde_json::to_value(request)?)
                        .await?;
                    println!("shares dealt; run again when every holder has dealt");
                }
                domain::CeremonyStatus::Confirming if !seat.confirmed => {
                    match holder.confirm(&ceremony)? {
                        Ok(request) => {
                            save(&file, &holder)?;
                            api.post(&format!("{path}/confirm"), &serde_json::to_value(request)?)
                                .await?;
                            println!(
                                "shares checked and confirmed; opening key {}",
                                holder.opening_key.clone().unwrap_or_default()
                            );
                        }
                        Err(complaint) => {
                            api.post(
                                &format!("{path}/complain"),
                                &serde_json::to_value(&complaint)?,
                            )
                            .await?;
                            bail!(
                                "holder {} dealt a bad share ({}); complaint filed, the ceremony fails",
                                complaint.against,
                                complaint.reason
                            );
                        }
                    }
                }
                status => println!(
                    "nothing to do for this seat now (ceremony {})",
                    status.as_str()
                ),
            }
            Ok(())
        }
        KeyholderCommand::Open {
            file,
            server,
            token,
            lot,
            auction,
        } => {
            let holder = load(&file)?;
            let api = Api {
                client,
                server,
                token,
            };
            if let Some(id) = auction {
                let request: app::SaleOpeningRequest = serde_json::from_value(
                    api.get(&format!("/api/v1/auctions/{id}/opening")).await?,
                )
                .context("the opening request does not decode")?;
                let partials = holder
                    .sale_partials(&request)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let count = partials.partials.len();
                api.post(
                    &format!("/api/v1/auctions/{id}/partials"),
                    &serde_json::to_value(partials)?,
                )
                .await?;
                println!("sent partial decryptions for {count} sealed bids of sale {id}");
                return Ok(());
            }
            let lot = lot.context("--lot or --auction")?;
            let request: app::OpeningRequest =
                serde_json::from_value(api.get(&format!("/api/v1/lots/{lot}/opening")).await?)
                    .context("the opening request does not decode")?;
            let partials = holder
                .partials(&request)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let count = partials.partials.len();
            api.post(
                &format!("/api/v1/lots/{lot}/partials"),
                &serde_json::to_value(partials)?,
            )
            .await?;
            println!("sent partial decryptions for {count} bids of lot {lot}");
            Ok(())
        }
    }
}
