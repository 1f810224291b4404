//! `ggzy-loadgen auction`: bidders hammering live sales over loopback HTTP, the way the last
//! minute of a busy auction looks. Each bidder is a closed loop — bid, wait for the answer, bid
//! again a little higher than the price it last saw — so most attempts race and many are refused
//! (too low, or the bidder already leads). Both outcomes are acknowledged only after they are in
//! the ledger, so both count as durable acknowledgements; accepted bids are reported apart.
//!
//! Every scenario runs twice in the same invocation on fresh databases: with persistence (each
//! acknowledgement after its group commit) and with the sequencer's persistence switched off —
//! the same HTTP path and the same decisions in memory, the ceiling the durable path is measured
//! against. Live watchers (server-sent events) can be connected during the durable run.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::StreamExt;

use crate::{Stream, bidder_registration, uscc};

#[derive(Debug, clap::Args)]
pub(crate) struct AuctionArgs {
    /// Sales running at once (1: one auction hammered; 100: many auctions at once).
    #[arg(long, default_value_t = 1)]
    auctions: usize,
    /// Bidders per sale, each a closed loop of bids.
    #[arg(long, default_value_t = 200)]
    bidders: usize,
    /// How long the bidders hammer, seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Live watchers (SSE connections) held open during the durable run, spread over the sales.
    #[arg(long, default_value_t = 0)]
    watchers: usize,
    /// Use this PostgreSQL server (a fresh database is made per run) instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
    /// Where the SQLite databases go (a temporary directory below it).
    #[arg(long, default_value = ".")]
    dir: std::path::PathBuf,
    /// Skip the in-memory ceiling run.
    #[arg(long)]
    durable_only: bool,
    /// Sales that require signed bids: every bidder gets a certificate bound to its entity and
    /// signs each bid (SM2 over the bid message); the platform verifies each signature.
    #[arg(long)]
    signed: bool,
}

/// What a bidder of a signed sale signs with.
#[derive(Clone)]
struct Signer {
    key: Arc<crypto::PlatformKey>,
    certificate: String,
    number: String,
    auction: String,
}

const START_PRICE: i64 = 100_000_000;
const INCREMENT: i64 = 100;

struct Outcome {
    accepted: u64,
    refused: u64,
    failed: u64,
    latencies: Vec<Duration>,
}

/// A sale and its bidders: API tokens with their signers when the sale is signed.
type Sale = (String, Vec<(String, Option<Signer>)>);

struct Prepared {
    base: String,
    /// (auction id, bidder tokens and their signers when the sale is signed).
    sales: Vec<Sale>,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    state: Arc<server::AppState>,
    _dir: tempfile::TempDir,
}

async fn prepare(
    args: &AuctionArgs,
    persist: bool,
    run: usize,
    origin: &str,
) -> anyhow::Result<Prepared> {
    std::fs::create_dir_all(&args.dir)?;
    let dir = tempfile::tempdir_in(&args.dir).context("cannot make a working directory")?;
    let url = match &args.postgres {
        Some(server) => {
            let name = format!("ggzy_loadgen_auction_{}_{run}", std::process::id());
            store::testing::create_postgres_database(server, &name).await?
        }
        None => store::Store::sqlite_url(dir.path()),
    };
    let store = store::Store::open(&url).await?;
    let settings = app::Settings {
        origin: origin.into(),
        password_policy: app::PasswordPolicy::for_tests(),
        auction_persistence: persist,
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
    let operator = platform.caller_for("operator").await.map_err(err)?;
    let now = platform.now_ms();
    // For signed sales: a CA of our own in the trust store issues every bidder's certificate.
    let ca = if args.signed {
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
        Some(ca)
    } else {
        None
    };
    let transferor = platform
        .caller_for("tenderee")
        .await
        .map_err(err)?
        .entity_id;
    let mut sales = Vec::new();
    for a in 0..args.auctions {
        let id = format!("LG-{a:04}");
        platform
            .create_auction(
                &operator,
                app::NewAuction {
                    id: id.clone(),
                    title: format!("压测标的 {id}"),
                    category: "other_assets".into(),
                    region: "330100".into(),
                    transferor: transferor.clone(),
                    description: String::new(),
                    terms: domain::AuctionTerms {
                        method: domain::AuctionMethod::English {
                            start_ms: now,
                            free_until_ms: now + 3_600_000,
                            countdown_ms: 300_000,
                        },
                        start_price_fen: START_PRICE,
                        increment_fen: INCREMENT,
                        deposit_fen: 1_000_000,
                        min_bidders: 0,
                        signed_bids: args.signed,
                    },
                    reserve_fen: START_PRICE,
                },
            )
            .await
            .map_err(err)?;
        let mut tokens = Vec::with_capacity(args.bidders);
        for b in 0..args.bidders {
            let n = a * args.bidders + b;
            let code = uscc(n);
            let username = format!("lg{n:06}");
            platform
                .register_entity_by_operator(
                    &operator,
                    bidder_registration(&code, &format!("压测竞买人{n:06}有限公司"), &username),
                )
                .await
                .map_err(err)?;
            let signer_key = ca.as_ref().map(|_| crypto::PlatformKey::generate());
            let mut certificate = String::new();
            if let (Some(ca), Some(key)) = (&ca, &signer_key) {
                certificate = ca
                    .issue(
                        &crypto::Subject {
                            common_name: format!("压测竞买人{n:06}有限公司"),
                            organization: format!("压测竞买人{n:06}有限公司"),
                            code: code.clone(),
                        },
                        &key.public_key(),
                        n as u64 + 1,
                        now - 86_400_000,
                        now + 30 * 86_400_000,
                    )?
                    .to_pem();
                platform
                    .bind_certificate(&operator, &code, &certificate)
                    .await
                    .map_err(err)?;
            }
            let caller = platform.caller_for(&username).await.map_err(err)?;
            let (number, _) = platform
                .register_for_auction(&caller, &id)
                .await
                .map_err(err)?;
            platform
                .confirm_auction_deposit(&operator, &id, &code, 1_000_000)
                .await
                .map_err(err)?;
            let (token, _) = platform
                .create_api_token(&caller, "loadgen", 1)
                .await
                .map_err(err)?;
            let signer = signer_key.map(|key| Signer {
                key: Arc::new(key),
                certificate,
                number,
                auction: id.clone(),
            });
            tokens.push((token, signer));
        }
        sales.push((id, tokens));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let state = Arc::new(server::AppState {
        app: platform,
        secure_cookies: false,
        platform_name: "压测".into(),
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    Ok(Prepared {
        base,
        sales,
        stop,
        server,
        state,
        _dir: dir,
    })
}

/// One bidder's closed loop: a first unmeasured request opens its connection; then, once every
/// bidder is connected (`ready`), bids until `seconds` have passed.
#[allow(clippy::too_many_arguments)]
async fn bidder(
    client: reqwest::Client,
    url: String,
    token: String,
    signer: Option<Signer>,
    hint: Arc<AtomicI64>,
    seed: u64,
    ready: Arc<tokio::sync::Barrier>,
    seconds: u64,
) -> Outcome {
    let warm = url.trim_end_matches("/bids").to_string();
    if let Ok(response) = client.get(&warm).send().await {
        let _ = response.bytes().await;
    }
    ready.wait().await;
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut rng = Stream(seed);
    let mut outcome = Outcome {
        accepted: 0,
        refused: 0,
        failed: 0,
        latencies: Vec::new(),
    };
    while Instant::now() < until {
        let mut bytes = [0u8; 8];
        rng.fill(&mut bytes);
        let steps = 1 + (u64::from_le_bytes(bytes) % 3) as i64;
        let price = hint.load(Ordering::Relaxed) + steps * INCREMENT;
        let sent = Instant::now();
        // A signed sale: the bidder signs the bid message (its signing time counts in the
        // acknowledgement latency, as it would for a real bidder).
        let body = match &signer {
            Some(signer) => {
                let payload = serde_json::json!({
                    "auction": signer.auction,
                    "bidder": signer.number,
                    "price_fen": price,
                    "quantity": 1,
                });
                let signature = signer
                    .key
                    .sign_json(&payload)
                    .map(|s| s.to_hex())
                    .unwrap_or_default();
                serde_json::json!({ "signed": {
                    "payload": payload,
                    "signature": signature,
                    "certificate": signer.certificate,
                }})
            }
            None => serde_json::json!({ "price_fen": price }),
        };
        let response = client
            .post(&url)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await;
        let status = match response {
            Ok(response) => {
                let status = response.status().as_u16();
                let _ = response.bytes().await;
                status
            }
            Err(_) => 0,
        };
        let took = sent.elapsed();
        match status {
            200 => {
                outcome.accepted += 1;
                hint.fetch_max(price, Ordering::Relaxed);
                outcome.latencies.push(took);
            }
            409 | 422 => {
                // Refused and recorded: too low, or this bidder leads. Look higher next time.
                outcome.refused += 1;
                hint.fetch_max(price, Ordering::Relaxed);
                outcome.latencies.push(took);
            }
            _ => outcome.failed += 1,
        }
    }
    outcome
}

/// Watchers connected to a sale's live stream; each counts the snapshots it receives.
fn watchers(
    base: &str,
    sales: &[Sale],
    count: usize,
    events: Arc<AtomicU64>,
    connected: Arc<AtomicU64>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    (0..count)
        .map(|n| {
            let url = format!("{base}/api/v1/auctions/{}/live", sales[n % sales.len()].0);
            let client = client.clone();
            let events = events.clone();
            let connected = connected.clone();
            let mut stop = stop.clone();
            tokio::spawn(async move {
                let Ok(response) = client.get(&url).send().await else {
                    return;
                };
                if !response.status().is_success() {
                    return;
                }
                connected.fetch_add(1, Ordering::Relaxed);
                let mut stream = response.bytes_stream();
                loop {
                    tokio::select! {
                        chunk = stream.next() => match chunk {
                            Some(Ok(chunk)) => {
                                let text = String::from_utf8_lossy(&chunk);
                                events.fetch_add(text.matches("event: state").count() as u64, Ordering::Relaxed);
                            }
                            _ => break,
                        },
                        _ = stop.changed() => break,
                    }
                }
                connected.fetch_sub(1, Ordering::Relaxed);
            })
        })
        .collect()
}

fn pct(list: &[Duration], p: f64) -> f64 {
    if list.is_empty() {
        return f64::NAN;
    }
    let index = ((list.len() as f64 - 1.0) * p).round() as usize;
    list[index].as_secs_f64() * 1000.0
}

/// Starts every bidder of every sale of `platforms` and returns once all are ready to bid (their
/// closed loops then run for `seconds`).
async fn start_bidders(
    client: &reqwest::Client,
    platforms: &[&Prepared],
    seconds: u64,
) -> Vec<tokio::task::JoinHandle<Outcome>> {
    let bidders: usize = platforms
        .iter()
        .flat_map(|p| &p.sales)
        .map(|(_, tokens)| tokens.len())
        .sum();
    let ready = Arc::new(tokio::sync::Barrier::new(bidders + 1));
    let mut tasks = Vec::new();
    // One seed range per sale, over every platform.
    let sales = platforms
        .iter()
        .flat_map(|p| p.sales.iter().map(move |sale| (&p.base, sale)));
    for (s, (base, (id, tokens))) in sales.enumerate() {
        let hint = Arc::new(AtomicI64::new(START_PRICE - INCREMENT));
        let url = format!("{base}/api/v1/auctions/{id}/bids");
        for (b, (token, signer)) in tokens.iter().enumerate() {
            tasks.push(tokio::spawn(bidder(
                client.clone(),
                url.clone(),
                token.clone(),
                signer.clone(),
                hint.clone(),
                (s * 100_000 + b) as u64 + 1,
                ready.clone(),
                seconds,
            )));
        }
    }
    ready.wait().await;
    tasks
}

async fn run_once(args: &AuctionArgs, persist: bool, run: usize) -> anyhow::Result<()> {
    let label = if persist {
        "durable"
    } else {
        "in-memory ceiling (persistence off)"
    };
    println!(
        "preparing {} sale(s) × {} bidders for the {label} run …",
        args.auctions, args.bidders
    );
    let prepared = prepare(args, persist, run, "ggzy.loadgen").await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()?;
    let (stop_watchers, stopping) = tokio::sync::watch::channel(false);
    let events = Arc::new(AtomicU64::new(0));
    let connected = Arc::new(AtomicU64::new(0));
    let watcher_tasks = if persist && args.watchers > 0 {
        let tasks = watchers(
            &prepared.base,
            &prepared.sales,
            args.watchers,
            events.clone(),
            connected.clone(),
            stopping,
        );
        // Let them connect before the bidding starts.
        let wait = Instant::now();
        while (connected.load(Ordering::Relaxed) as usize) < args.watchers
            && wait.elapsed() < Duration::from_secs(60)
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!(
            "{} of {} watchers connected in {:.1} s",
            connected.load(Ordering::Relaxed),
            args.watchers,
            wait.elapsed().as_secs_f64()
        );
        tasks
    } else {
        Vec::new()
    };
    let size_before = prepared
        .state
        .app
        .store()
        .ledger_size()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let tasks = start_bidders(&client, &[&prepared], args.seconds).await;
    let started = Instant::now();
    let mut accepted = 0;
    let mut refused = 0;
    let mut failed = 0;
    let mut latencies = Vec::new();
    for task in tasks {
        let outcome = task.await?;
        accepted += outcome.accepted;
        refused += outcome.refused;
        failed += outcome.failed;
        latencies.extend(outcome.latencies);
    }
    let wall = started.elapsed().as_secs_f64();
    let still_watching = connected.load(Ordering::Relaxed);
    let _ = stop_watchers.send(true);
    for task in watcher_tasks {
        let _ = task.await;
    }
    latencies.sort();
    let size_after = prepared
        .state
        .app
        .store()
        .ledger_size()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let _ = prepared.stop.send(());
    let _ = prepared.server.await;
    let acknowledged = accepted + refused;
    println!("{label}:");
    println!(
        "  acknowledged {acknowledged} bids in {wall:.1} s = {:.0} bids/s ({accepted} accepted = {:.0}/s, {refused} refused and recorded), {failed} failed",
        acknowledged as f64 / wall,
        accepted as f64 / wall
    );
    println!(
        "  acknowledgement latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&latencies, 0.5),
        pct(&latencies, 0.99),
        pct(&latencies, 1.0)
    );
    if persist {
        let per_bid = if args.signed { 2 } else { 1 };
        println!(
            "  ledger grew by {} entries (every acknowledged bid is one{})",
            size_after - size_before,
            if args.signed {
                ", and its signature evidence another"
            } else {
                ""
            }
        );
        if size_after - size_before < per_bid * acknowledged {
            bail!("fewer ledger entries than acknowledged bids");
        }
        if args.watchers > 0 {
            println!(
                "  watchers: {still_watching} of {} still connected at the end; {} snapshots delivered",
                args.watchers,
                events.load(Ordering::Relaxed)
            );
        }
    }
    Ok(())
}

pub(crate) async fn auction(args: AuctionArgs) -> anyhow::Result<()> {
    if args.auctions == 0 || args.bidders == 0 {
        bail!("--auctions and --bidders must be at least 1");
    }
    println!(
        "machine: {} cores; backend: {}",
        std::thread::available_parallelism()?.get(),
        if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    run_once(&args, true, 0).await?;
    if !args.durable_only {
        run_once(&args, false, 1).await?;
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub(crate) struct HubArgs {
    /// Nodes the hub follows, each a platform with its own store, key and live sale.
    #[arg(long, default_value_t = 10)]
    nodes: usize,
    /// Bidders per node, each a closed loop of bids.
    #[arg(long, default_value_t = 20)]
    bidders: usize,
    /// How long the bidders hammer, seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// How often the hub asks an up-to-date node for a new head, milliseconds.
    #[arg(long, default_value_t = 200)]
    follow_interval_ms: u64,
    /// The hub's PostgreSQL server (a fresh database is made) instead of SQLite.
    #[arg(long)]
    postgres: Option<String>,
    /// Where the SQLite databases go (a temporary directory below it).
    #[arg(long, default_value = ".")]
    dir: std::path::PathBuf,
    /// Start the hub only after the load: measures how fast it catches up on the backlog.
    #[arg(long)]
    catch_up: bool,
}

/// `ggzy-loadgen hub`: a provincial hub following `--nodes` nodes over loopback HTTP while each
/// node's live sale is hammered by its bidders (the auction load above, on every node at once).
/// Reports the entries mirrored per second — each checked against its node's signed tree — and
/// the lag from an entry's witnessing at its node to its mirroring at the hub.
pub(crate) async fn hub(args: HubArgs) -> anyhow::Result<()> {
    if args.nodes == 0 || args.bidders == 0 {
        bail!("--nodes and --bidders must be at least 1");
    }
    println!(
        "machine: {} cores; hub backend: {}; {} nodes (SQLite) × {} bidders, all in this process",
        std::thread::available_parallelism()?.get(),
        if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        args.nodes,
        args.bidders
    );
    let node_args = AuctionArgs {
        auctions: 1,
        bidders: args.bidders,
        seconds: args.seconds,
        watchers: 0,
        postgres: None,
        dir: args.dir.clone(),
        durable_only: true,
        signed: false,
    };
    let mut nodes = Vec::new();
    for n in 0..args.nodes {
        nodes.push(prepare(&node_args, true, n, &format!("ggzy.node{n:02}.loadgen")).await?);
    }
    std::fs::create_dir_all(&args.dir)?;
    let hub_dir = tempfile::tempdir_in(&args.dir).context("cannot make a working directory")?;
    let url = match &args.postgres {
        Some(server) => {
            let name = format!("ggzy_loadgen_hub_{}", std::process::id());
            store::testing::create_postgres_database(server, &name).await?
        }
        None => store::Store::sqlite_url(hub_dir.path()),
    };
    let err = |e: app::AppError| anyhow::anyhow!("{e}");
    let hub = app::App::open(
        store::Store::open(&url).await?,
        crypto::PlatformKey::generate(),
        app::system_clock(),
        app::Settings {
            origin: "ggzy.hub.loadgen".into(),
            watchers: false,
            ..Default::default()
        },
    )
    .await
    .map_err(err)?;
    for (n, node) in nodes.iter().enumerate() {
        hub.register_node(&app::federation::NodeRegistration {
            origin: format!("ggzy.node{n:02}.loadgen"),
            name: format!("压测节点{n:02}"),
            region: "330100".into(),
            url: node.base.clone(),
            public_key: node.state.app.public_key().to_hex(),
            registry: false,
        })
        .await
        .map_err(err)?;
    }
    let hub = Arc::new(server::AppState {
        app: hub,
        secure_cookies: false,
        platform_name: "压测省级平台".into(),
    });
    let caught_up = |hub: Arc<server::AppState>, nodes: Vec<Arc<server::AppState>>| async move {
        loop {
            let followed = hub.app.followed_nodes().await.map_err(err)?;
            let mut all = true;
            for (status, node) in followed.iter().zip(&nodes) {
                let size = node.app.store().ledger_size().await?;
                if status.mirrored_size < size || !status.error.is_empty() {
                    all = false;
                }
                if status.flagged.is_some() {
                    bail!("the hub flagged {}", status.origin);
                }
            }
            if all {
                return Ok::<_, anyhow::Error>(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let node_states: Vec<Arc<server::AppState>> = nodes.iter().map(|n| n.state.clone()).collect();
    let mut before = Vec::new();
    for node in &node_states {
        before.push(node.app.store().ledger_size().await?);
    }
    let initial: u64 = before.iter().sum();
    let interval = Duration::from_millis(args.follow_interval_ms);
    if !args.catch_up {
        let started = Instant::now();
        server::start_hub_follower(hub.clone(), interval);
        caught_up(hub.clone(), node_states.clone()).await?;
        let first = started.elapsed().as_secs_f64();
        println!(
            "first catch-up: {initial} entries of {} nodes mirrored and checked in {first:.2} s = {:.0} entries/s",
            args.nodes,
            initial as f64 / first
        );
    }

    // The load: every node's sale hammered at once.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()?;
    let platforms: Vec<&Prepared> = nodes.iter().collect();
    let tasks = start_bidders(&client, &platforms, args.seconds).await;
    let load_started_ms = app::system_clock()();
    let load_started = Instant::now();
    let mut acknowledged = 0;
    for task in tasks {
        let outcome = task.await?;
        acknowledged += outcome.accepted + outcome.refused;
    }
    let load_wall = load_started.elapsed().as_secs_f64();
    if args.catch_up {
        let mut backlog = 0;
        for node in &node_states {
            backlog += node.app.store().ledger_size().await?;
        }
        let started = Instant::now();
        server::start_hub_follower(hub.clone(), interval);
        caught_up(hub.clone(), node_states.clone()).await?;
        let wall = started.elapsed().as_secs_f64();
        println!(
            "the nodes acknowledged {acknowledged} bids in {load_wall:.1} s; then the hub, started on the backlog, mirrored and checked {backlog} entries of {} nodes in {wall:.2} s = {:.0} entries/s",
            args.nodes,
            backlog as f64 / wall
        );
        for node in nodes {
            let _ = node.stop.send(());
            let _ = node.server.await;
        }
        return Ok(());
    }
    caught_up(hub.clone(), node_states.clone()).await?;
    let total_wall = load_started.elapsed().as_secs_f64();
    let mut written = 0;
    for (node, size) in node_states.iter().zip(&before) {
        written += node.app.store().ledger_size().await? - size;
    }
    let mut lags = hub.app.store().hub_lags_since(load_started_ms).await?;
    lags.sort_unstable();
    println!(
        "under load: the nodes acknowledged {acknowledged} bids in {load_wall:.1} s ({:.0} bids/s) and witnessed {written} entries",
        acknowledged as f64 / load_wall
    );
    println!(
        "  the hub mirrored and checked them at {:.0} entries/s (it was caught up {:.2} s after the load ended)",
        written as f64 / load_wall,
        total_wall - load_wall
    );
    println!(
        "  lag from witnessing at the node to mirrored at the hub, over {} entries: p50 {} ms, p99 {} ms, max {} ms",
        lags.len(),
        app::federation::percentile(&lags, 0.5),
        app::federation::percentile(&lags, 0.99),
        lags.last().copied().unwrap_or(0)
    );
    for node in nodes {
        let _ = node.stop.send(());
        let _ = node.server.await;
    }
    Ok(())
}
