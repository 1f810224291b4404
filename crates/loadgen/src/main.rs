//! `ggzy-loadgen`: the project's load generator. `bids` measures the deadline burst: many bidders
//! streaming sealed envelopes of realistic size to the real server over loopback in the last
//! minute before the deadline. It reports MB/s ingested and receipt latency (p50/p99), next to
//! the raw sequential write speed of the same disk measured in the same run.
//!
//! Each envelope has a real header signed with the bidder's certificate key; its encrypted package
//! is pseudo-random bytes of the chosen size with the right SM3 in the header. The platform's
//! intake cannot tell the difference (it never decrypts before the opening), so it does exactly
//! the work a real bid costs: parse, stream to the blob store, hash, verify, witness.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

mod auction;
mod portal;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "ggzy-loadgen", about = "GGZY load generator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The deadline burst of sealed bids.
    Bids(BidArgs),
    /// Bidders hammering live auctions (durable, then the in-memory ceiling), with watchers.
    Auction(auction::AuctionArgs),
    /// A provincial hub following many nodes while their sales are hammered (docs/federation.md).
    Hub(auction::HubArgs),
    /// The disclosure portal with many synthetic announcements: indexing, search, detail pages.
    Portal(portal::PortalArgs),
}

#[derive(Debug, clap::Args)]
struct BidArgs {
    /// Concurrent bidders.
    #[arg(long, default_value_t = 500)]
    bidders: usize,
    /// Smallest envelope, MB.
    #[arg(long, default_value_t = 1)]
    min_mb: u64,
    /// Largest envelope, MB.
    #[arg(long, default_value_t = 50)]
    max_mb: u64,
    /// The bidders start at random moments within this window (the "last minute"), seconds.
    #[arg(long, default_value_t = 60)]
    window_s: u64,
    /// Where the platform's data (and the raw-disk probe file) go; a temporary directory below
    /// it is made and removed.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Use this PostgreSQL database (created fresh: the URL names a server, a database is made)
    /// instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
    /// Size of the raw sequential-write probe, MB.
    #[arg(long, default_value_t = 2048)]
    probe_mb: u64,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Bids(args) => bids(args).await,
            Command::Auction(args) => auction::auction(args).await,
            Command::Portal(args) => portal::portal(args).await,
            Command::Hub(args) => auction::hub(args).await,
        }
    })
}

/// SplitMix64: a fast, reproducible byte stream for envelope bodies.
struct Stream(u64);

impl Stream {
    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

const PIECE: usize = 256 * 1024;

/// Raw sequential write speed of the disk under `dir`: `mb` MB in 8 MiB writes, then fsync.
fn raw_disk_mb_s(dir: &Path, mb: u64) -> anyhow::Result<f64> {
    let path = dir.join("ggzy-loadgen-probe.bin");
    let mut block = vec![0u8; 8 << 20];
    Stream(7).fill(&mut block);
    let started = Instant::now();
    {
        let mut file = std::fs::File::create(&path)?;
        let mut written = 0u64;
        while written < mb << 20 {
            file.write_all(&block)?;
            written += block.len() as u64;
        }
        file.sync_all()?;
    }
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_file(&path)?;
    Ok(mb as f64 / seconds)
}

struct Bidder {
    username: String,
    token: String,
    header_line: Vec<u8>,
    seed: u64,
    size: u64,
    start_after: Duration,
}

/// A load-generation bidder's registration (entity, first account, password).
fn bidder_registration(code: &str, name: &str, username: &str) -> app::NewRegistration {
    app::NewRegistration {
        kind: "organisation".into(),
        code: code.to_string(),
        name: name.to_string(),
        region: "330100".into(),
        legal_representative: "压测".into(),
        address: String::new(),
        contact_name: "压测".into(),
        contact_phone: "0571-00000000".into(),
        contact_email: String::new(),
        roles: vec!["bidder".into()],
        controller: String::new(),
        username: username.to_string(),
        display_name: username.to_string(),
        password: "Loadgen2026x".into(),
    }
}

fn uscc(n: usize) -> String {
    let prefix = format!("91330100LG{n:07}");
    format!(
        "{prefix}{}",
        domain::Uscc::check_char_for(&prefix).expect("valid prefix")
    )
}

async fn bids(args: BidArgs) -> anyhow::Result<()> {
    if args.min_mb == 0 || args.max_mb < args.min_mb {
        bail!("sizes: 1 ≤ --min-mb ≤ --max-mb");
    }
    std::fs::create_dir_all(&args.dir)?;
    let work = tempfile::tempdir_in(&args.dir).context("cannot make a working directory")?;
    println!(
        "machine: {} cores",
        std::thread::available_parallelism()?.get()
    );
    println!(
        "raw disk probe: writing {} MB to {} …",
        args.probe_mb,
        work.path().display()
    );
    let raw = raw_disk_mb_s(work.path(), args.probe_mb)?;
    println!("raw sequential write: {raw:.0} MB/s");

    let url = match &args.postgres {
        Some(server) => {
            let name = format!("ggzy_loadgen_{}", std::process::id());
            store::testing::create_postgres_database(server, &name).await?
        }
        None => store::Store::sqlite_url(work.path()),
    };
    let store = store::Store::open(&url).await?;
    let settings = app::Settings {
        origin: "ggzy.loadgen".into(),
        password_policy: app::PasswordPolicy::for_tests(),
        ..Default::default()
    };
    let platform = app::App::open(
        store,
        crypto::PlatformKey::generate(),
        app::system_clock(),
        settings,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let err = |e: app::AppError| anyhow::anyhow!("{e}");
    app::seed_demo(&platform).await.map_err(err)?;
    app::run_simulated_ceremony(&platform, "loadgen")
        .await
        .map_err(err)?;
    let operator = platform.caller_for("operator").await.map_err(err)?;

    // A CA of our own, added to the trust store, issues every bidder's certificate.
    let now = platform.now_ms();
    let ca = crypto::CertificateAuthority::new_root(
        &crypto::Subject {
            common_name: "压测数字证书认证中心".into(),
            organization: "GGZY loadgen".into(),
            code: String::new(),
        },
        now - 86_400_000,
        now + 30 * 86_400_000,
    )?;
    let trust = platform
        .reference_current(domain::ReferenceKind::Trust)
        .await
        .map_err(err)?;
    platform
        .publish_reference(
            &operator,
            domain::ReferenceKind::Trust,
            &format!("{}\n{}", trust.text.trim_end(), ca.root().to_pem()),
            "压测：加入压测证书认证中心",
        )
        .await
        .map_err(err)?;

    // The procedure: published by the demo tenderee, deadline 30 days ahead.
    let tenderee = platform.caller_for("tenderee").await.map_err(err)?;
    let calendar = platform.reference_data().await.map_err(err)?.calendar;
    let deadline_day = calendar.working_day_on_or_after(domain::Date::of_instant(now).add_days(30));
    let (procedure, _) = platform
        .create_procedure(
            &tenderee,
            app::NewProcedure {
                project_code: "2026-330100-48-01-999999".into(),
                title: "压测项目".into(),
                category: "construction".into(),
                method: "open_tender".into(),
                region: "330100".into(),
                tenderee: String::new(),
                description: "压测".into(),
                qualification: "压测".into(),
                invitees: Vec::new(),
                lots: vec![app::NewLot {
                    name: "压测标段".into(),
                    budget_fen: 100_000_000_000,
                    description: String::new(),
                    evaluation: None,
                    bond_fen: None,
                }],
                deadline: format!("{deadline_day} 09:30"),
                opening_place: String::new(),
                contact: "压测".into(),
            },
        )
        .await
        .map_err(err)?;
    platform
        .attach_documents(&tenderee, &procedure.id, "招标文件.txt", b"loadgen")
        .await
        .map_err(err)?;
    let (procedure, _) = platform
        .publish_procedure(&tenderee, &procedure.id)
        .await
        .map_err(err)?;
    let lot = procedure.lots[0].code.clone();
    let opening_key = crypto::PublicKey::from_hex(
        &procedure
            .opening_key
            .as_ref()
            .context("no opening key")?
            .public_key,
    )?;

    println!("preparing {} bidders …", args.bidders);
    let preparing = Instant::now();
    let mut hashing = Duration::ZERO;
    let mut rng = Stream(2026);
    let mut next = || {
        let mut bytes = [0u8; 8];
        rng.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    };
    let mut bidders = Vec::with_capacity(args.bidders);
    let mut total_bytes = 0u64;
    for n in 0..args.bidders {
        let code = uscc(n);
        let username = format!("lg{n:05}");
        platform
            .register_entity_by_operator(
                &operator,
                bidder_registration(&code, &format!("压测投标人{n:05}有限公司"), &username),
            )
            .await
            .map_err(err)?;
        let key = crypto::PlatformKey::generate();
        let certificate = ca.issue(
            &crypto::Subject {
                common_name: format!("压测投标人{n:05}有限公司"),
                organization: format!("压测投标人{n:05}有限公司"),
                code: code.clone(),
            },
            &key.public_key(),
            n as u64 + 1,
            now - 86_400_000,
            now + 30 * 86_400_000,
        )?;
        platform
            .bind_certificate(&operator, &code, &certificate.to_pem())
            .await
            .map_err(err)?;
        let caller = platform.caller_for(&username).await.map_err(err)?;
        platform
            .register_for_lot(&caller, &lot)
            .await
            .map_err(err)?;
        let (token, _) = platform
            .create_api_token(&caller, "loadgen", 1)
            .await
            .map_err(err)?;
        let size_mb = args.min_mb + next() % (args.max_mb - args.min_mb + 1);
        let size = size_mb << 20;
        let seed = next();
        // Hash the body once here; it is regenerated identically while streaming.
        let mut hasher = crypto::Sm3Hasher::new();
        let mut body = Stream(seed);
        let mut piece = vec![0u8; PIECE];
        let mut left = size;
        let hashing_started = Instant::now();
        while left > 0 {
            let take = left.min(PIECE as u64) as usize;
            body.fill(&mut piece[..take]);
            hasher.update(&piece[..take]);
            left -= take as u64;
        }
        hashing += hashing_started.elapsed();
        let header = crypto::EnvelopeHeader::sign_streamed(crypto::StreamedSeal {
            recovery_key: None,
            lot: &lot,
            bidder: &code,
            opening_key: &opening_key,
            signer: &key,
            certificate_pem: &certificate.to_pem(),
            machine_fingerprint: crypto::machine_fingerprint(username.as_bytes(), &["lg"]),
            document_copy: "",
            tool: "",
            created_at_ms: now,
            ciphertext_sm3: hasher.finish(),
        })?;
        let start_after = Duration::from_millis(next() % (args.window_s * 1000).max(1));
        total_bytes += size;
        bidders.push(Bidder {
            username,
            token,
            header_line: header,
            seed,
            size,
            start_after,
        });
    }
    println!(
        "prepared in {:.0} s; generating and SM3-hashing the bodies on one core ran at {:.0} MB/s",
        preparing.elapsed().as_secs_f64(),
        total_bytes as f64 / (1u64 << 20) as f64 / hashing.as_secs_f64()
    );
    println!(
        "{} bidders, {:.1} GB of envelopes ({}–{} MB each), starting within {} s",
        bidders.len(),
        total_bytes as f64 / 1e9,
        args.min_mb,
        args.max_mb,
        args.window_s
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let state = Arc::new(server::AppState {
        app: platform,
        secure_cookies: false,
        platform_name: "压测".into(),
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server_task = tokio::spawn(server::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for bidder in bidders {
        let client = client.clone();
        let url = format!("http://{address}/api/v1/lots/{lot}/bid");
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(bidder.start_after).await;
            let sent_at = Arc::new(std::sync::Mutex::new(None::<Instant>));
            let marker = sent_at.clone();
            let header = bytes::Bytes::from(bidder.header_line);
            let mut body = Stream(bidder.seed);
            let size = bidder.size;
            let pieces =
                futures_util::stream::unfold((0u64, Some(header)), move |(done, header)| {
                    let marker = marker.clone();
                    let piece = if let Some(header) = header {
                        Some((header, (done, None)))
                    } else if done < size {
                        let take = (size - done).min(PIECE as u64) as usize;
                        let mut piece = vec![0u8; take];
                        body.fill(&mut piece);
                        if done + take as u64 == size {
                            *marker.lock().expect("marker") = Some(Instant::now());
                        }
                        Some((bytes::Bytes::from(piece), (done + take as u64, None)))
                    } else {
                        None
                    };
                    async move { piece.map(|(b, s)| (Ok::<_, std::io::Error>(b), s)) }
                });
            let begun = Instant::now();
            let response = client
                .put(url)
                .bearer_auth(&bidder.token)
                .body(reqwest::Body::wrap_stream(pieces))
                .send()
                .await;
            let done = Instant::now();
            let ok = match response {
                Ok(response) => {
                    let status = response.status();
                    if !status.is_success() {
                        let text = response.text().await.unwrap_or_default();
                        eprintln!("{}: {status} {text}", bidder.username);
                    }
                    status.is_success()
                }
                Err(e) => {
                    eprintln!("{}: {e}", bidder.username);
                    false
                }
            };
            let last_byte = sent_at.lock().expect("marker").unwrap_or(done);
            (
                ok,
                size,
                done - begun,
                done.saturating_duration_since(last_byte),
            )
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await?);
    }
    let wall = started.elapsed();
    let _ = stop.send(());
    let _ = server_task.await;
    // The disk again, after the burst: this virtual disk's speed varies from run to run, so
    // the figure is the mean of the probes before and after.
    let raw_after = raw_disk_mb_s(work.path(), args.probe_mb)?;
    println!("raw sequential write after the burst: {raw_after:.0} MB/s");
    let raw = (raw + raw_after) / 2.0;
    let failures = results.iter().filter(|r| !r.0).count();
    let ingested: u64 = results.iter().filter(|r| r.0).map(|r| r.1).sum();
    let mut receipt: Vec<Duration> = results.iter().filter(|r| r.0).map(|r| r.3).collect();
    let mut whole: Vec<Duration> = results.iter().filter(|r| r.0).map(|r| r.2).collect();
    receipt.sort();
    whole.sort();
    let pct = |list: &[Duration], p: f64| -> f64 {
        if list.is_empty() {
            return f64::NAN;
        }
        let index = ((list.len() as f64 - 1.0) * p).round() as usize;
        list[index].as_secs_f64()
    };
    let mb_s = ingested as f64 / (1u64 << 20) as f64 / wall.as_secs_f64();
    println!();
    println!(
        "backend: {}",
        if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!(
        "bids accepted: {} of {} ({} failed)",
        results.len() - failures,
        results.len(),
        failures
    );
    println!(
        "ingested: {:.2} GB in {:.1} s = {mb_s:.0} MB/s ({:.0} % of the raw disk's mean {raw:.0} MB/s)",
        ingested as f64 / 1e9,
        wall.as_secs_f64(),
        100.0 * mb_s / raw
    );
    println!(
        "receipt latency after the last byte: p50 {:.3} s, p99 {:.3} s, max {:.3} s",
        pct(&receipt, 0.5),
        pct(&receipt, 0.99),
        pct(&receipt, 1.0)
    );
    println!(
        "whole upload incl. transfer: p50 {:.2} s, p99 {:.2} s",
        pct(&whole, 0.5),
        pct(&whole, 0.99)
    );
    Ok(())
}
