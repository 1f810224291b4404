//! `ggzy`: the platform's one binary. `serve` runs the platform, `demo` fills an empty data
//! directory with demo data and serves it, `verify` checks a store end to end.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

mod keyholder;

#[derive(Debug, Parser)]
#[command(
    name = "ggzy",
    version,
    about = "GGZY 公共资源交易平台 — public resource trading platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the platform.
    Serve(ServeArgs),
    /// Fill the data directory with demo data if it is empty, then serve it.
    Demo(DemoArgs),
    /// Serve the province's hub: the platform, plus following every city and county node listed
    /// in `--nodes` as a transparency-log monitor does (docs/federation.md).
    Hub(HubArgs),
    /// Verify a store: every leaf, node and signed head, and the read tables by replay.
    Verify(VerifyArgs),
    /// Rebuild this node's search index (`<data-dir>/search`) from the store.
    Reindex(StoreArgs),
    /// A demo certification authority (NOT FOR PRODUCTION): make a root, issue certificates.
    Ca {
        #[command(subcommand)]
        command: CaCommand,
    },
    /// Sign a JSON payload (canonical JSON, SM2) with one's own key and certificate.
    Sign(SignArgs),
    /// The demo's simulated e-guarantee provider (NOT FOR PRODUCTION): issue a signed 电子保函.
    Guarantee(GuaranteeArgs),
    /// The demo's simulated bank (NOT FOR PRODUCTION): sign a 竞买保证金 arrival notice, to post
    /// to `POST /api/v1/auctions/{id}/deposits`.
    DepositNotice(DepositNoticeArgs),
    /// Bidders' tools.
    Bid {
        #[command(subcommand)]
        command: BidCommand,
    },
    /// The opening-key holder's tool: key ceremony and partial decryptions.
    Keyholder {
        #[command(subcommand)]
        command: keyholder::KeyholderCommand,
    },
    /// Red flags on OCDS compiled releases in JSON lines (ours or any publisher's): the Open
    /// Contracting Partnership's cardinal indicators, with cardinal's settings file and output
    /// (docs/flags.md).
    Flags {
        /// The file of compiled releases, one per line, or `-` for standard input.
        file: PathBuf,
        /// The settings file (cardinal's INI format); without one, no indicator runs.
        #[arg(long, short)]
        settings: Option<PathBuf>,
        /// Print the number of results per group to standard error.
        #[arg(long, short)]
        count: bool,
        /// Leave out the "Meta" key (the quartiles and fences used).
        #[arg(long)]
        no_meta: bool,
        /// Add the "Maps" key: each flagged process's organisations.
        #[arg(long)]
        map: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BidCommand {
    /// Seal a bid: a folder of files and a structured bid form, encrypted to the lot's opening key
    /// and signed with one's certificate key (docs/envelope.md).
    Seal {
        /// The folder of bid files (all files below it are included).
        #[arg(long)]
        folder: PathBuf,
        /// The structured bid form, JSON with at least an integer `price_fen`.
        #[arg(long)]
        form: PathBuf,
        /// The lot's 统一交易标识码.
        #[arg(long)]
        lot: String,
        /// The bidder's entity id (统一社会信用代码).
        #[arg(long)]
        bidder: String,
        /// The lot's opening public key (SEC1 hex, from the tender announcement).
        #[arg(long)]
        opening_key: String,
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        cert: PathBuf,
        /// One's encryption certificate (PEM), if the CA issued a dual pair: one's own copy of
        /// the data key is wrapped to its key, not to the signing key (docs/envelope.md).
        #[arg(long)]
        recovery_cert: Option<PathBuf>,
        /// The identifier of the downloaded copy of the tender documents the bid was built from
        /// (文件创建标识码: the platform shows it with the download, header `x-ggzy-copy`).
        #[arg(long, default_value = "")]
        copy: String,
        /// The envelope file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CaCommand {
    /// Make a root CA in DIR (ca-key.pem, ca-cert.pem).
    Init {
        #[arg(long)]
        dir: PathBuf,
        /// The CA's name, e.g. 浙江省数字证书认证中心（演示）.
        #[arg(long)]
        name: String,
        /// Years of validity.
        #[arg(long, default_value_t = 10)]
        years: u32,
    },
    /// Issue a key pair and certificate for a holder, signed by the CA in DIR.
    Issue {
        #[arg(long)]
        dir: PathBuf,
        /// The holder's name (单位名称或姓名).
        #[arg(long)]
        name: String,
        /// The holder's 统一社会信用代码 or 居民身份证号码.
        #[arg(long)]
        code: String,
        /// Files written: PREFIX-key.pem and PREFIX-cert.pem.
        #[arg(long)]
        out: PathBuf,
        /// Days of validity.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// Write a certificate revocation list (PEM) listing these serial numbers (hex).
    Crl {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long = "serial", required = true)]
        serials: Vec<String>,
        /// CRL number.
        #[arg(long, default_value_t = 1)]
        number: u32,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct GuaranteeArgs {
    /// The directory with the provider's files (`guarantor-key.pem`, `guarantor-cert.pem`,
    /// `guarantor.json`), as the demo writes them to `<data-dir>/demo-certificates`.
    #[arg(long)]
    dir: PathBuf,
    /// 保函编号.
    #[arg(long)]
    number: String,
    /// The lot's 统一交易标识码.
    #[arg(long)]
    lot: String,
    /// The bidder's 统一社会信用代码 (申请人).
    #[arg(long)]
    applicant: String,
    /// The tenderee's 统一社会信用代码 (受益人).
    #[arg(long)]
    beneficiary: String,
    /// The amount in fen.
    #[arg(long)]
    amount_fen: i64,
    /// The last valid day, `YYYY-MM-DD`.
    #[arg(long)]
    valid_until: String,
}

#[derive(Debug, Args)]
struct DepositNoticeArgs {
    /// The directory with the bank's files (`bank-key.pem`, `bank-cert.pem`, `bank.json`), as
    /// the demo writes them to `<data-dir>/demo-certificates`.
    #[arg(long)]
    dir: PathBuf,
    /// The sale.
    #[arg(long)]
    auction: String,
    /// The paying bidder's 统一社会信用代码.
    #[arg(long)]
    payer: String,
    /// The amount in fen.
    #[arg(long)]
    amount_fen: i64,
    /// The bank's transaction number.
    #[arg(long)]
    reference: String,
}

#[derive(Debug, Args)]
struct SignArgs {
    /// The signer's private key (PKCS#8 PEM).
    #[arg(long)]
    key: PathBuf,
    /// The signer's certificate (PEM).
    #[arg(long)]
    cert: PathBuf,
    /// The JSON file to sign.
    #[arg(long)]
    file: PathBuf,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Instead of the whole store, rerun one expert draw from its public entries (commitment,
    /// signed head, seed, shuffle) and print its result.
    #[arg(long, value_name = "DRAW_ID")]
    draw: Option<String>,
    /// Without the store: re-check a draw's public record as downloaded from
    /// `GET /api/v1/draws/{id}` (commitment, seed, shuffle, replacements, disclosed names).
    #[arg(long, value_name = "FILE", conflicts_with = "draw")]
    draw_record: Option<PathBuf>,
    /// Instead of the whole store, replay one online sale from its ledger entries: every bid
    /// decided again at its time (accepted or refused with the same reason), the reserve checked
    /// against its commitment, the result recomputed.
    #[arg(long, value_name = "AUCTION_ID", conflicts_with_all = ["draw", "draw_record"])]
    auction: Option<String>,
    /// Without the store: replay a sale from its events as downloaded from
    /// `GET /api/v1/auctions/{id}/events?after=0&limit=1000` (pages concatenated in a JSON array
    /// of their `items`, or one page as served).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["draw", "draw_record", "auction"])]
    auction_record: Option<PathBuf>,
    /// The platform's public key to check every signed head against, obtained out of band (the
    /// hex SM2 point `04…` that `/api/v1/ledger/head` and the trading center's published notice
    /// give, or a file holding it, or a PEM public key). Without it, only the key file of the
    /// data directory counts; the key written in the database is never trusted on its own.
    #[arg(long, value_name = "HEX_OR_FILE")]
    public_key: Option<String>,
    /// A witness whose cosignatures count (docs/witness.md): its name and its SM2 public key
    /// (hex, or a file holding it), obtained out of band. Repeat for each witness; then the
    /// store's newest checkpoint must be cosigned by `--witness-quorum` of them.
    #[arg(long, value_name = "NAME=HEX_OR_FILE")]
    witness: Vec<String>,
    /// How many of the `--witness` keys must have cosigned (k of n; default all).
    #[arg(long, value_name = "K", requires = "witness")]
    witness_quorum: Option<usize>,
    /// A cosigned checkpoint kept from earlier (e.g. `GET /api/v1/ledger/checkpoint/cosigned`):
    /// the store must still hold that tree — not rolled back below it, nor rewritten.
    #[arg(long, value_name = "FILE", requires = "witness")]
    checkpoint: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct StoreArgs {
    /// Data directory: the SQLite database (unless --database-url is given) and the platform key.
    #[arg(long, env = "GGZY_DATA_DIR", default_value = "ggzy-data")]
    data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://…) to use instead of the embedded SQLite database.
    #[arg(long, env = "GGZY_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Months of trading history written before the showcase (docs/history.md).
    #[arg(long, default_value_t = 12)]
    history_months: u32,
    /// Lots (tenders and purchases, each through to its contract) in that history, with one
    /// online sale per six lots (at least one of each kind); 0 writes no history. The default
    /// keeps a debug build's start-up well under 30 seconds.
    #[arg(long, default_value_t = 12)]
    history_lots: u32,
    /// The history plan's seed (the same seed plans the same history).
    #[arg(long, default_value_t = 2026)]
    history_seed: u64,
    /// Planted co-bidding rings in the history.
    #[arg(long, default_value_t = 1)]
    history_rings: u32,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "GGZY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The open data's `ocid` prefix: `ocds-` and the prefix registered with the Open
    /// Contracting Partnership.
    #[arg(long, env = "GGZY_OCID_PREFIX", default_value = "ocds-ggzy00")]
    ocid_prefix: String,
    /// The 交易平台标识码 in the national data specification's export.
    #[arg(long, env = "GGZY_PLATFORM_CODE", default_value = "GGZY-DEMO")]
    platform_code: String,
    /// The platform's name in signed tree heads (fixed at first start).
    #[arg(long, env = "GGZY_ORIGIN", default_value = "ggzy.zj.example")]
    origin: String,
    /// The name shown in pages.
    #[arg(
        long,
        env = "GGZY_PLATFORM_NAME",
        default_value = "浙江省公共资源交易平台"
    )]
    platform_name: String,
    /// Mark session cookies Secure (when served behind HTTPS).
    #[arg(long, env = "GGZY_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Write logs as JSON lines.
    #[arg(long, env = "GGZY_LOG_JSON")]
    log_json: bool,
    /// Use cheap password hashing (tests only; never in production).
    #[arg(long, hide = true)]
    insecure_fast_passwords: bool,
    /// Self-service registrations accepted from one client address per hour (0: no limit, for
    /// load and durability tests only).
    #[arg(long, env = "GGZY_REGISTRATIONS_PER_HOUR", default_value_t = 20)]
    registrations_per_hour: usize,
    /// The witnesses asked to cosign this node's checkpoints: a TOML file of `[[witness]]` tables
    /// with `name`, `url` and `public_key` (SEC1 hex, from the witness's operator) (docs/witness.md).
    #[arg(long, env = "GGZY_WITNESSES")]
    witnesses: Option<PathBuf>,
    /// How many of the witnesses must cosign a checkpoint (k of n; default all).
    #[arg(long, env = "GGZY_WITNESS_QUORUM", default_value_t = 0)]
    witness_quorum: usize,
    /// How long a new head may wait for its witnesses before every page says so, in milliseconds.
    #[arg(long, env = "GGZY_WITNESS_GRACE_MS", default_value_t = 30_000)]
    witness_grace_ms: i64,
    /// The province registry to follow, taking in the entities, sanctions and credit records it
    /// shares: a TOML file of `[[node]]` tables as for `ggzy hub --nodes`, naming the province's
    /// hub (for a hub: the hubs of the other provinces it recognises) (docs/federation.md).
    #[arg(long, env = "GGZY_FOLLOW")]
    follow: Option<PathBuf>,
    /// How often an up-to-date followed log is asked for a new head, in milliseconds.
    #[arg(long, env = "GGZY_FOLLOW_INTERVAL_MS", default_value_t = 1000)]
    follow_interval_ms: u64,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessesFile {
    #[serde(default)]
    witness: Vec<app::federation::witness::WitnessConfig>,
}

fn read_witnesses(path: &Path) -> anyhow::Result<Vec<app::federation::witness::WitnessConfig>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read the witness list {}", path.display()))?;
    let file: WitnessesFile = toml::from_str(&text)
        .with_context(|| format!("invalid witness list {}", path.display()))?;
    let mut keys = std::collections::HashSet::new();
    for w in &file.witness {
        anyhow::ensure!(
            keys.insert(w.public_key.to_ascii_lowercase()),
            "the witness list names the key of {} twice: each witness counts once",
            w.name
        );
        crypto::PublicKey::from_hex(&w.public_key)
            .map_err(|e| anyhow::anyhow!("witness {}: invalid public key: {e}", w.name))?;
        anyhow::ensure!(
            ledger::valid_key_name(&w.name),
            "witness name {:?} is not a valid key name",
            w.name
        );
    }
    Ok(file.witness)
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve(args, None).await,
            Command::Demo(args) => {
                let history = history::HistoryOptions {
                    months: args.history_months,
                    lots: args.history_lots,
                    seed: args.history_seed,
                    rings: args.history_rings,
                };
                serve(args.serve, Some(history)).await
            }
            Command::Hub(args) => {
                let hub = HubOptions {
                    nodes: read_nodes(&args.nodes)?,
                    interval: std::time::Duration::from_millis(
                        args.serve.follow_interval_ms.max(50),
                    ),
                };
                let demo = args.demo.then_some(history::HistoryOptions {
                    months: 0,
                    lots: 0,
                    seed: 2026,
                    rings: 0,
                });
                serve_with(args.serve, demo, Some(hub)).await
            }
            Command::Verify(args) => verify(args).await,
            Command::Reindex(args) => reindex(args).await,
            Command::Ca { command } => ca(command),
            Command::Sign(args) => sign(args),
            Command::Guarantee(args) => guarantee(args),
            Command::DepositNotice(args) => deposit_notice(args),
            Command::Bid { command } => bid(command),
            Command::Keyholder { command } => keyholder::run(command).await,
            Command::Flags {
                file,
                settings,
                count,
                no_meta,
                map,
            } => red_flags(&file, settings.as_deref(), count, !no_meta, map),
        }
    })
}

/// `ggzy flags`: the indicators over a file (or standard input), the output to standard output,
/// warnings and `--count` to standard error, as cardinal's `indicators` command prints them.
fn red_flags(
    file: &Path,
    settings: Option<&Path>,
    count: bool,
    meta: bool,
    map: bool,
) -> anyhow::Result<()> {
    let settings = match settings {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("failed to read the settings file {}", path.display()))?;
            flags::Settings::parse(&text)
                .with_context(|| format!("invalid settings file {}", path.display()))?
        }
        None => flags::Settings::default(),
    };
    let options = flags::RunOptions {
        map,
        ..flags::RunOptions::default()
    };
    let output = if file == Path::new("-") {
        flags::Indicators::run_with(std::io::stdin().lock(), &settings, &options)
    } else {
        let input = std::fs::File::open(file)
            .with_context(|| format!("failed to open {}", file.display()))?;
        flags::Indicators::run_with(input, &settings, &options)
    }
    .with_context(|| format!("failed to read {}", file.display()))?;
    output
        .write_json(std::io::stdout().lock(), flags::JsonOptions { meta })
        .context("failed to write the results")?;
    for warning in output.warnings() {
        eprintln!("warning: {warning}");
    }
    if count {
        for (group, number) in output.counts() {
            eprintln!("{}: {number}", group.name());
        }
    }
    Ok(())
}

fn init_logs(json: bool) {
    let filter =
        EnvFilter::try_from_env("GGZY_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn database_url(args: &StoreArgs) -> anyhow::Result<String> {
    match &args.database_url {
        Some(url) => Ok(url.clone()),
        None => {
            std::fs::create_dir_all(&args.data_dir).with_context(|| {
                format!(
                    "failed to create the data directory {}",
                    args.data_dir.display()
                )
            })?;
            let dir = std::fs::canonicalize(&args.data_dir)
                .context("failed to resolve the data directory")?;
            Ok(store::Store::sqlite_url(&dir))
        }
    }
}

/// Where this node keeps its search index.
fn search_dir(args: &StoreArgs) -> PathBuf {
    args.data_dir.join("search")
}

/// `ggzy reindex`: the search index rebuilt from nothing, in ledger order.
async fn reindex(args: StoreArgs) -> anyhow::Result<()> {
    let url = database_url(&args)?;
    let store = store::Store::open(&url)
        .await
        .context("failed to open the database")?;
    let dir = search_dir(&args);
    search::SearchIndex::wipe(&dir).context("failed to clear the search index")?;
    let index = std::sync::Arc::new(
        search::SearchIndex::open(&dir).context("failed to open the search index")?,
    );
    let started = std::time::Instant::now();
    let indexed = app::follow_once(&store, &index)
        .await
        .map_err(|e| anyhow::anyhow!("reindexing failed: {e}"))?;
    index
        .optimize()
        .context("failed to merge the search index")?;
    println!(
        "重建检索索引：{indexed} 篇文档（账本 {} 条），用时 {:.1} 秒，位于 {}",
        index.indexed_through(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    store.close().await;
    Ok(())
}

/// `demo` carries the history to write first into an empty demo.
async fn serve(args: ServeArgs, history: Option<history::HistoryOptions>) -> anyhow::Result<()> {
    serve_with(args, history, None).await
}

#[derive(Debug, Args)]
struct HubArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// The nodes to follow: a TOML file of `[[node]]` tables with `origin`, `name`, `region`,
    /// `url` and `public_key` (the node's SM2 key, SEC1 hex, from its operator).
    #[arg(long, env = "GGZY_HUB_NODES")]
    nodes: PathBuf,
    /// Fill an empty hub with the demo's accounts, entities and certificates (no history), as
    /// `ggzy demo` does: for trying a province on one machine.
    #[arg(long)]
    demo: bool,
}

/// What `ggzy hub` adds to serving.
struct HubOptions {
    nodes: Vec<app::federation::NodeRegistration>,
    interval: std::time::Duration,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NodesFile {
    #[serde(default)]
    node: Vec<app::federation::NodeRegistration>,
}

fn read_nodes(path: &Path) -> anyhow::Result<Vec<app::federation::NodeRegistration>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read the node list {}", path.display()))?;
    let file: NodesFile =
        toml::from_str(&text).with_context(|| format!("invalid node list {}", path.display()))?;
    Ok(file.node)
}

async fn serve_with(
    args: ServeArgs,
    history: Option<history::HistoryOptions>,
    hub: Option<HubOptions>,
) -> anyhow::Result<()> {
    init_logs(args.log_json);
    let demo = history.is_some();
    // The logs this node takes the province's shared registries from are followed as a hub
    // follows its nodes (and a hub's own list is followed as before).
    let mut hub = hub;
    if let Some(path) = &args.follow {
        let mut upstream = read_nodes(path)?;
        for registry in &mut upstream {
            registry.registry = true;
        }
        match &mut hub {
            Some(hub) => hub.nodes.extend(upstream),
            None => {
                hub = Some(HubOptions {
                    nodes: upstream,
                    interval: std::time::Duration::from_millis(args.follow_interval_ms.max(50)),
                })
            }
        }
    }
    let url = database_url(&args.store)?;
    let store = store::Store::open(&url)
        .await
        .context("failed to open the database")?;
    // A history is written into an empty ledger only, with the clock held in the past from the
    // very first entry, then released to the platform's clock.
    let clock = history::MovableClock::new(clock());
    let history = match history {
        Some(options) if options.lots > 0 && store.ledger_size().await? == 0 => {
            let (start, end) = options.span(clock.now_ms());
            clock.set(start);
            Some((options, end))
        }
        _ => None,
    };
    let key = app::load_or_create_key(&args.store.data_dir)
        .context("failed to load or create the platform key")?;
    let prefix = args.ocid_prefix.strip_prefix("ocds-").unwrap_or_default();
    anyhow::ensure!(
        !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphanumeric()),
        "--ocid-prefix must be \"ocds-\" and the prefix registered with the Open Contracting Partnership (letters and digits), not {:?}",
        args.ocid_prefix
    );
    let mut settings = app::Settings {
        origin: args.origin.clone(),
        ocds: app::OcdsSettings {
            ocid_prefix: args.ocid_prefix.clone(),
            platform_code: args.platform_code.clone(),
        },
        ..Default::default()
    };
    settings.registrations_per_hour = args.registrations_per_hour;
    if let Some(path) = &args.witnesses {
        settings.witnesses = read_witnesses(path)?;
        anyhow::ensure!(
            args.witness_quorum <= settings.witnesses.len(),
            "--witness-quorum {} exceeds the {} witnesses listed",
            args.witness_quorum,
            settings.witnesses.len()
        );
        settings.witness_quorum = args.witness_quorum;
        settings.witness_grace_ms = args.witness_grace_ms.max(0);
    }
    if args.insecure_fast_passwords {
        settings.password_policy = app::PasswordPolicy::for_tests();
    }
    let app = app::App::open(store, key, clock.clock(), settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_search_dir(&search_dir(&args.store))
        .map_err(|e| anyhow::anyhow!("failed to open the search index: {e}"))?;
    if demo {
        let seeded = app::seed_demo(&app)
            .await
            .map_err(|e| anyhow::anyhow!("failed to load demo data: {e}"))?;
        if seeded {
            let holders = app::run_simulated_ceremony(&app, &demo_ceremony_id())
                .await
                .map_err(|e| anyhow::anyhow!("failed to run the demo key ceremony: {e}"))?;
            let holder_dir = keyholder_dir(&args.store.data_dir);
            std::fs::create_dir_all(&holder_dir)
                .context("failed to create the demo key holders' directory")?;
            for holder in &holders {
                keyholder::write_private(
                    &holder_dir.join(format!("holder-{}.json", holder.index)),
                    &serde_json::to_string_pretty(holder)?,
                )
                .context("failed to write a demo key holder's file")?;
            }
            if let Some((options, end)) = &history {
                write_history(&app, &clock, options, &holders, *end, &args.store.data_dir).await?;
            }
            // The showcase is seeded at the platform's own time, after the history.
            anyhow::ensure!(clock.release(), "the history ran past the platform's clock");
            let certificates = app::seed_demo_certificates(&app)
                .await
                .map_err(|e| anyhow::anyhow!("failed to issue demo certificates: {e}"))?;
            let dir = args.store.data_dir.join("demo-certificates");
            std::fs::create_dir_all(&dir)
                .context("failed to create the demo certificate directory")?;
            for cert in certificates.clone() {
                keyholder::write_private(
                    &dir.join(format!("{}-key.pem", cert.username)),
                    &cert.key_pem,
                )
                .context("failed to write a demo key")?;
                std::fs::write(
                    dir.join(format!("{}-cert.pem", cert.username)),
                    cert.cert_pem,
                )
                .context("failed to write a demo certificate")?;
            }
            // The simulated e-guarantee provider and the experts' signing certificates.
            let guarantor = app::DemoGuarantor::new(&app).await.map_err(|e| {
                anyhow::anyhow!("failed to set up the demo guarantee provider: {e}")
            })?;
            keyholder::write_private(&dir.join("guarantor-key.pem"), &guarantor.key_pem())
                .context("failed to write the demo guarantor's key")?;
            std::fs::write(dir.join("guarantor-cert.pem"), &guarantor.certificate_pem)
                .context("failed to write the demo guarantor's certificate")?;
            std::fs::write(
                dir.join("guarantor.json"),
                serde_json::to_string_pretty(&serde_json::json!({
                    "issuer": guarantor.issuer,
                    "issuer_name": guarantor.issuer_name,
                }))?,
            )
            .context("failed to write the demo guarantor's description")?;
            // The simulated bank (竞买保证金 notices) and the demo's sales.
            let bank = app::DemoGuarantor::new_bank(&app)
                .await
                .map_err(|e| anyhow::anyhow!("failed to set up the demo bank: {e}"))?;
            keyholder::write_private(&dir.join("bank-key.pem"), &bank.key_pem())
                .context("failed to write the demo bank's key")?;
            std::fs::write(dir.join("bank-cert.pem"), &bank.certificate_pem)
                .context("failed to write the demo bank's certificate")?;
            std::fs::write(
                dir.join("bank.json"),
                serde_json::to_string_pretty(&serde_json::json!({
                    "issuer": bank.issuer,
                    "issuer_name": bank.issuer_name,
                }))?,
            )
            .context("failed to write the demo bank's description")?;
            app::seed_demo_auctions(&app, &bank, &certificates)
                .await
                .map_err(|e| anyhow::anyhow!("failed to seed the demo sales: {e}"))?;
            let expert_keys = app::seed_demo_expert_certificates(&app)
                .await
                .map_err(|e| anyhow::anyhow!("failed to issue the experts' certificates: {e}"))?;
            for key in expert_keys {
                keyholder::write_private(
                    &dir.join(format!("expert-{}-key.pem", key.pseudonym)),
                    &key.key_pem,
                )
                .context("failed to write an expert's key")?;
                std::fs::write(
                    dir.join(format!("expert-{}-cert.pem", key.pseudonym)),
                    key.cert_pem,
                )
                .context("failed to write an expert's certificate")?;
            }
            // Every certificate the demo issued (not only those of the listed accounts: the
            // showcase lot needs all three bidders' envelopes to open).
            app::seed_demo_tendering(&app, &certificates)
                .await
                .map_err(|e| anyhow::anyhow!("failed to load the demo procedures: {e}"))?;
            app::seed_demo_credit(&app, &certificates)
                .await
                .map_err(|e| anyhow::anyhow!("failed to load the demo credit lists: {e}"))?;
            tracing::info!("demo data loaded");
        } else {
            tracing::info!("the ledger is not empty; demo data left as it is");
        }
    }
    // Whatever happened above, the platform serves at its own time.
    anyhow::ensure!(clock.release(), "the history ran past the platform's clock");
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| {
            format!(
                "failed to listen on {} (is another program using it?)",
                args.listen
            )
        })?;
    let address = listener
        .local_addr()
        .context("failed to read the bound address")?;
    let state = Arc::new(server::AppState {
        app,
        secure_cookies: args.secure_cookies,
        platform_name: args.platform_name.clone(),
    });
    if demo {
        spawn_simulated_holders(state.clone(), keyholder_dir(&args.store.data_dir));
    }
    if let Some(hub) = hub {
        // The list is checked whole before any of it is registered.
        let mut origins = std::collections::HashSet::new();
        for node in &hub.nodes {
            node.validate()
                .map_err(|e| anyhow::anyhow!("the node list is refused: {e}"))?;
            anyhow::ensure!(
                origins.insert(node.origin.clone()),
                "the node list names {} twice",
                node.origin
            );
        }
        for node in &hub.nodes {
            state.app.register_node(node).await.map_err(|e| {
                anyhow::anyhow!("the node list's entry {} is refused: {e}", node.origin)
            })?;
        }
        server::start_hub_follower(state.clone(), hub.interval);
    }
    println!("GGZY listening on http://{address}");
    if demo {
        print_demo_accounts(&address.to_string());
    }
    server::serve(state.clone(), listener, shutdown_signal())
        .await
        .context("server failed")?;
    state.app.store().close().await;
    Ok(())
}

/// Writes the demo's trading history (docs/history.md), its ground truth to
/// `<data-dir>/history-truth.json`, and prints the warning engine's precision and recall on it.
async fn write_history(
    app: &app::App,
    clock: &history::MovableClock,
    options: &history::HistoryOptions,
    holders: &[app::HolderFile],
    end_ms: i64,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    println!(
        "正在生成 {} 个月的交易历史（{} 个标段，种子 {}）……",
        options.months, options.lots, options.seed
    );
    let generated = history::generate(app, clock, options, holders, end_ms)
        .await
        .map_err(|e| anyhow::anyhow!("failed to write the trading history: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    let path = data_dir.join("history-truth.json");
    std::fs::write(&path, serde_json::to_string_pretty(&generated.history)?)
        .with_context(|| format!("failed to write {}", path.display()))?;
    let history = &generated.history;
    println!(
        "交易历史：{} 个标段、{} 场网上竞价、账本 {} 条，用时 {seconds:.1} 秒（{:.2} 个标段/秒）；真实情况见 {}",
        history.lots.len(),
        history.sales.len(),
        generated.ledger_entries,
        history.lots.len() as f64 / seconds.max(0.001),
        path.display()
    );
    println!("{}", generated.score.line());
    for (signal, (hits, all)) in &generated.score.by_signal {
        tracing::info!(signal, hits, all, "history warnings by signal");
    }
    for (kind, (found, all)) in &generated.score.by_kind {
        tracing::info!(kind, found, all, "history planted cases found");
    }
    if !generated.refused.is_empty() {
        tracing::info!(refused = ?generated.refused, "history bids a gate refused");
    }
    Ok(())
}

/// Re-checks a draw's public record from a file (the API's JSON), with no access to the store:
/// its proof against the pinned platform key (every entry in a signed head, the seed's root the
/// tree's just after the commitment), then the draw itself.
fn verify_draw_record(path: &Path, pinned: Option<&str>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).context("not a JSON file")?;
    let part = |key: &str| json.get(key).cloned().unwrap_or(serde_json::Value::Null);
    let record = app::DrawRecord {
        committed: serde_json::from_value(part("committed")).context("no committed entry")?,
        revealed: serde_json::from_value(part("revealed")).context("no revealed entry")?,
        replaced: match part("replaced") {
            serde_json::Value::Null => Vec::new(),
            value => serde_json::from_value(value).context("bad replaced entries")?,
        },
        disclosed: serde_json::from_value(part("disclosed")).context("bad disclosed entry")?,
    };
    let key = pinned_key(pinned.context(
        "a draw record is checked against the platform's public key: pass --public-key (docs/ledger.md)",
    )?)?;
    let proof: app::RecordProof = serde_json::from_value(part("proof"))
        .context("the record carries no ledger proof (\"proof\"): it cannot be trusted")?;
    app::check_record_proof(&record, &proof, &key)
        .map_err(|e| anyhow::anyhow!("the record's ledger proof does not hold: {e}"))?;
    let seats = app::check_record(&record).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "OK: draw {} of lot {} re-checks from its public record: the secret matches the commitment, the seed is SM3(secret ‖ root of head {}), the shuffle gives the published result, {} replacement(s) follow the backup order{}",
        record.committed.id,
        record.committed.lot,
        record.revealed.head_size,
        record.replaced.len(),
        if record.disclosed.is_some() {
            ", the disclosed names match their commitments"
        } else {
            ""
        }
    );
    println!(
        "   every entry is proven into the platform's signed head of size {}, and the seed's root is the tree's just after the commitment (size {})",
        proof.tree_head.head.size, proof.commitment_size
    );
    for (category, seated) in seats {
        let seated: Vec<&str> = seated
            .iter()
            .map(|s| s.as_deref().unwrap_or("（空缺）"))
            .collect();
        println!("  {category}: {}", seated.join(", "));
    }
    Ok(())
}

/// The platform's signed head of exactly `size` entries, its signature checked.
async fn signed_head_at(
    store: &store::Store,
    key: &crypto::PublicKey,
    origin: &str,
    size: u64,
) -> anyhow::Result<ledger::SignedTreeHead> {
    let head = store
        .head_at(size)
        .await?
        .with_context(|| format!("no signed head of size {size}"))?;
    let signature: [u8; 64] = head
        .signature
        .as_slice()
        .try_into()
        .context("stored head signature length")?;
    let signed = ledger::SignedTreeHead {
        head: ledger::TreeHead {
            origin: origin.to_string(),
            size: head.size as u64,
            root: crypto::Sm3Hash::from_slice(&head.root)?,
            timestamp_ms: head.at_ms,
        },
        signature: crypto::Signature(signature),
    };
    signed
        .verify(key)
        .map_err(|_| anyhow::anyhow!("the head of size {size} is not signed by the platform"))?;
    Ok(signed)
}

/// Reruns one expert draw from its public ledger entries.
async fn verify_draw(
    store: &store::Store,
    key: &crypto::PublicKey,
    origin: &str,
    id: &str,
) -> anyhow::Result<()> {
    let rows = store.stream_entries(&app::draw_stream(id)).await?;
    let payload = |kind: &str| -> anyhow::Result<serde_json::Value> {
        let row = rows
            .iter()
            .find(|r| r.kind == kind)
            .with_context(|| format!("draw {id} has no {kind} entry"))?;
        Ok(serde_json::from_str(&row.payload)?)
    };
    let committed: app::DrawCommitted = serde_json::from_value(payload("draw.committed")?)?;
    let committed_seq = rows
        .iter()
        .find(|r| r.kind == "draw.committed")
        .map(|r| r.seq as u64)
        .unwrap_or(u64::MAX);
    let has = |kind: &str| rows.iter().any(|r| r.kind == kind);
    if !has("draw.revealed") {
        if has("draw.failed") {
            // Failed in the draw itself: the failure must be real for the recorded seed.
            let failed = payload("draw.failed")?;
            let root = failed["head_root"].as_str().unwrap_or_default().to_string();
            let signed = signed_head_at(store, key, origin, committed_seq + 1).await?;
            if signed.head.root.to_hex() != root {
                bail!("the failed draw's seed does not name the signed head of its commitment");
            }
            let reason =
                app::check_failed_draw(&committed, &failed).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "OK: draw {id} of lot {} failed as recorded, and its seed reruns to the same failure: {reason}",
                committed.lot
            );
            return Ok(());
        }
        bail!(
            "draw {id} is committed and waits for its contribution: there is nothing to rerun yet"
        );
    }
    let revealed: app::DrawRevealed = serde_json::from_value(payload("draw.revealed")?)?;
    // The seed's contributions are exactly those recorded before the reveal.
    let recorded: Vec<app::DrawContribution> = rows
        .iter()
        .filter(|r| r.kind == "draw.contributed")
        .map(|r| Ok(serde_json::from_str(&r.payload)?))
        .collect::<anyhow::Result<_>>()?;
    if recorded != revealed.contributions {
        bail!("the draw's seed uses contributions other than those recorded before its reveal");
    }
    let replaced = rows
        .iter()
        .filter(|r| r.kind == "draw.replaced")
        .map(|r| Ok(serde_json::from_str(&r.payload)?))
        .collect::<anyhow::Result<Vec<app::DrawReplaced>>>()?;
    let disclosed: Option<app::DrawDisclosed> =
        match rows.iter().find(|r| r.kind == "draw.disclosed") {
            Some(row) => Some(serde_json::from_str(&row.payload)?),
            None => None,
        };
    // The head the seed names must be a head the platform signed, after the commitment.
    let signed = signed_head_at(store, key, origin, revealed.head_size).await?;
    // Exactly the head signed by the commitment's own transaction: a later head (another root)
    // would let whoever reveals pick among several seeds.
    if signed.head.root.to_hex() != revealed.head_root || signed.head.size != committed_seq + 1 {
        bail!(
            "the draw's seed does not name the signed head of its commitment (size {})",
            committed_seq.saturating_add(1)
        );
    }
    let result = app::check_draw(&committed, &revealed).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "OK: draw {id} of lot {} reruns to the published result (pool of {} eligible experts, {} set aside by the avoidance rules)",
        committed.lot,
        committed.pool.len(),
        committed.excluded
    );
    for panel in &result.panels {
        println!(
            "  {}: experts {} ; backups {}",
            panel.category,
            panel.experts.join(", "),
            panel.backups.join(", ")
        );
    }
    // Replacements take the next backup in order; disclosed names match their commitments.
    let record = app::DrawRecord {
        committed,
        revealed,
        replaced,
        disclosed,
    };
    let seats = app::check_record(&record).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "OK: {} replacement(s) follow the backup order{}",
        record.replaced.len(),
        if record.disclosed.is_some() {
            "; the disclosed names match the pool's commitments"
        } else {
            "; names not yet disclosed"
        }
    );
    for (category, seated) in seats {
        let seated: Vec<&str> = seated
            .iter()
            .map(|s| s.as_deref().unwrap_or("（空缺）"))
            .collect();
        println!("  {category} now: {}", seated.join(", "));
    }
    Ok(())
}

/// The demo's ceremony: one opening key per month.
fn demo_ceremony_id() -> String {
    domain::Date::of_instant(now_ms()).to_string()[..7].to_string()
}

/// The simulated key holders' files live beside the data directory, never inside it: the
/// platform's data alone must not open a bid.
fn keyholder_dir(data_dir: &Path) -> PathBuf {
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ggzy-data".into());
    data_dir
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("{name}-keyholders"))
}

/// The demo's simulated key holders: every few seconds they open the lots whose deadline has
/// passed, each checking the ledger as `ggzy keyholder open` does.
fn spawn_simulated_holders(state: Arc<server::AppState>, dir: PathBuf) {
    tokio::spawn(async move {
        let mut holders = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path())
                    && let Ok(holder) = serde_json::from_str::<app::HolderFile>(&text)
                {
                    holders.push(holder);
                }
            }
        }
        holders.sort_by_key(|h| h.index);
        if holders.is_empty() {
            return;
        }
        tracing::info!(count = holders.len(), dir = %dir.display(), "simulated key holders are watching for openings");
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            if let Err(error) = app::simulated_holders_round(&state.app, &holders).await {
                tracing::warn!(%error, "simulated key holders could not open a lot");
            }
        }
    });
}

fn print_demo_accounts(address: &str) {
    println!();
    println!("演示账号（密码均为 {}）：", app::DEMO_PASSWORD);
    for account in app::demo_accounts() {
        println!(
            "  {:<11} {:<8} {}",
            account.username,
            account.role.label_zh(),
            account.who
        );
    }
    println!();
    println!(
        "演示数字证书与私钥（仅供演示）：ggzy-data/demo-certificates/（或 --data-dir 下的同名目录）"
    );
    println!(
        "模拟开标密钥持有人（交易中心、行政监督部门、第三方，2/3门限）：ggzy-data-keyholders/（数据目录旁，不在其中）；投标截止后自动开标"
    );
    println!(
        "评标专家签名证书（expert-<专家编号>-*.pem，用 ggzy sign 签署评标报告）与模拟电子保函机构（ggzy guarantee --dir 该目录 …）：同上 demo-certificates/"
    );
    println!(
        "登录：http://{address}/login    招标项目：http://{address}/procedures    交易见证：http://{address}/ledger"
    );
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    init_logs(false);
    if let Some(path) = &args.draw_record {
        return verify_draw_record(path, args.public_key.as_deref());
    }
    if let Some(path) = &args.auction_record {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text).context("not JSON")?;
        let items = match &value {
            serde_json::Value::Array(items) => items.clone(),
            other => other["items"]
                .as_array()
                .cloned()
                .context("expected the events page ({\"items\": [...]}) or an array of items")?,
        };
        // Every item must tie its event to the platform's signature.
        let key = pinned_key(args.public_key.as_deref().context(
            "a sale record is checked against the platform's public key: pass --public-key (docs/ledger.md)",
        )?)?;
        let proven = items
            .iter()
            .map(|item| {
                let entry: ledger::Entry = serde_json::from_value(item["entry"].clone())?;
                let path = serde_json::from_value(item["path"].clone())?;
                let head: ledger::SignedTreeHead = serde_json::from_value(item["tree_head"].clone())?;
                Ok((app::ProvenEntry { entry, path }, head))
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()
            .context("an item lacks its entry, path or signed head (download the record from GET /api/v1/auctions/{id}/events)")?;
        app::check_auction_record(&proven, &key)
            .map_err(|problem| anyhow::anyhow!("the sale does not replay: {problem}"))?;
        let events = proven
            .iter()
            .map(|(p, _)| serde_json::from_value(p.entry.payload.clone()))
            .collect::<Result<Vec<domain::AuctionEvent>, _>>()
            .context("an item is not an auction event")?;
        println!(
            "{} entries proven into the platform's signed heads",
            proven.len()
        );
        return report_auction(&events);
    }
    let draw = args.draw;
    let auction = args.auction;
    let pinned = args.public_key;
    let witnesses = args
        .witness
        .iter()
        .map(|w| {
            let (name, key) = w
                .split_once('=')
                .with_context(|| format!("--witness {w:?}: expected NAME=HEX_OR_FILE"))?;
            Ok((name.to_string(), pinned_key(key)?))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let quorum = args.witness_quorum.unwrap_or(witnesses.len());
    anyhow::ensure!(
        witnesses.is_empty() || quorum >= 1,
        "--witness-quorum must be at least 1"
    );
    anyhow::ensure!(
        quorum <= witnesses.len(),
        "--witness-quorum {quorum} exceeds the {} witnesses given",
        witnesses.len()
    );
    let checkpoint = args.checkpoint;
    let args = args.store;
    let url = database_url(&args)?;
    let store = store::Store::open(&url)
        .await
        .context("failed to open the database")?;
    let origin = store.meta("origin").await?.unwrap_or_default();
    let key = public_key(pinned.as_deref(), &args.data_dir, &store).await?;
    if let Some(id) = draw {
        return verify_draw(&store, &key, &origin, &id).await;
    }
    if let Some(id) = auction {
        // Against the ledger: every entry proven into the signed head (pinned key), the replay,
        // and the state the sale's page shows compared with it.
        let shown: Option<domain::Auction> =
            match store.document(&domain::Auction::stream(&id)).await? {
                Some(row) => Some(
                    serde_json::from_str(&row.state)
                        .context("the sale's stored state is not a sale")?,
                ),
                None => None,
            };
        let check = app::check_auction_in_store(&store, &key, &origin, &id, shown.as_ref())
            .await
            .map_err(|problem| anyhow::anyhow!("the sale does not check: {problem}"))?;
        println!(
            "{} entries of sale {id} proven into the signed head of size {}",
            check.entries, check.head_size
        );
        let rows = store.stream_entries(&domain::Auction::stream(&id)).await?;
        let events = rows
            .iter()
            .map(|row| serde_json::from_str(&row.payload))
            .collect::<Result<Vec<domain::AuctionEvent>, _>>()
            .context("a stored entry is not an auction event")?;
        println!("the state the sale's page shows is the replayed one");
        return report_auction(&events);
    }
    let report = app::verify_store(&store, &key, &origin)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "checked {} entries, {} tree nodes, {} signed heads, {} blobs, {} entities, {} accounts, {} credit levels recomputed",
        report.entries,
        report.nodes,
        report.heads,
        report.blobs,
        report.entities,
        report.accounts,
        report.credit_levels
    );
    if report.is_sound() {
        if !witnesses.is_empty() {
            let witnessed = verify_witnessed(
                &store,
                &key,
                &origin,
                &witnesses,
                quorum,
                checkpoint.as_deref(),
            )
            .await;
            if let Err(problem) = witnessed {
                eprintln!("BAD: {problem}");
                bail!("verification failed: {problem}");
            }
        }
        println!("OK: the store is sound");
        return Ok(());
    }
    for problem in &report.problems {
        eprintln!("BAD: {problem}");
    }
    bail!("verification failed: {}", report.problems[0])
}

/// With witnesses pinned on the command line: the store's newest checkpoint cosigned by `quorum`
/// of them (each cosignature checked with its pinned key, never with what the store says), and,
/// given a cosigned checkpoint kept from earlier, that the store still holds exactly that tree.
async fn verify_witnessed(
    store: &store::Store,
    key: &crypto::PublicKey,
    origin: &str,
    witnesses: &[(String, crypto::PublicKey)],
    quorum: usize,
    checkpoint: Option<&Path>,
) -> anyhow::Result<()> {
    let size = store.ledger_size().await?;
    if let Some(path) = checkpoint {
        let note = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let kept = ledger::SignedTreeHead::from_checkpoint(&note, key).map_err(|e| {
            anyhow::anyhow!("the kept checkpoint is not signed by the pinned platform key: {e}")
        })?;
        anyhow::ensure!(
            kept.head.origin == origin,
            "the kept checkpoint is of {}, not of this store's {origin}",
            kept.head.origin
        );
        let cosigned = ledger::count_valid_cosignatures(&note, witnesses);
        anyhow::ensure!(
            cosigned >= quorum,
            "the kept checkpoint is cosigned by {cosigned} of the witnesses given, fewer than {quorum}"
        );
        anyhow::ensure!(
            size >= kept.head.size,
            "the store holds {size} entries, fewer than the {} of a checkpoint its witnesses cosigned: it was rolled back",
            kept.head.size
        );
        let root = store_root(store, kept.head.size).await?;
        anyhow::ensure!(
            root == kept.head.root,
            "the store's tree of {} entries is not the one its witnesses cosigned: its history was rewritten",
            kept.head.size
        );
        println!(
            "the kept checkpoint of {} entries (cosigned by {cosigned} of {} witnesses) is the store's own tree",
            kept.head.size,
            witnesses.len()
        );
    }
    for cosigned_size in store.cosigned_sizes(quorum.max(1) as i64, 20).await? {
        let signed = signed_head_at(store, key, origin, cosigned_size.max(0) as u64).await?;
        let mut note = signed.to_checkpoint(key);
        for (_, line) in store.cosignatures_at(cosigned_size).await? {
            note.push_str(&line);
        }
        let cosigned = ledger::count_valid_cosignatures(&note, witnesses);
        if cosigned >= quorum {
            println!(
                "the newest checkpoint cosigned by {cosigned} of {} witnesses covers {} of {size} entries ({} since, signed by the platform alone)",
                witnesses.len(),
                signed.head.size,
                size - signed.head.size
            );
            return Ok(());
        }
    }
    bail!(
        "no checkpoint in this store is cosigned by {quorum} of the {} witnesses given",
        witnesses.len()
    )
}

/// The root of the store's tree of `size` entries, from the stored leaf hashes (which
/// `verify_store` has checked against the entries).
async fn store_root(store: &store::Store, size: u64) -> anyhow::Result<crypto::Sm3Hash> {
    let mut tree = ledger::MemoryTree::new();
    let mut from = 0;
    while from < size {
        let to = (from + 10_000).min(size);
        for row in store.entries(from, to).await? {
            tree.push(crypto::Sm3Hash::from_slice(&row.leaf_hash)?);
        }
        from = to;
    }
    Ok(tree.root())
}

/// Replays a sale's events and prints what they add up to.
fn report_auction(events: &[domain::AuctionEvent]) -> anyhow::Result<()> {
    use domain::AuctionEvent;
    let accepted = events
        .iter()
        .filter(|e| matches!(e, AuctionEvent::BidAccepted { .. }))
        .count();
    let refused = events
        .iter()
        .filter(|e| matches!(e, AuctionEvent::BidRefused { .. }))
        .count();
    match app::check_auction(events) {
        Ok(result) => {
            println!(
                "replayed {} events: {accepted} bids accepted and {refused} refused, each decided again with the same outcome",
                events.len()
            );
            match result {
                Some(result) => {
                    println!(
                        "reserve matches its commitment; result: {}",
                        serde_json::to_string(&result)?
                    );
                }
                None => println!("the sale has not ended"),
            }
            println!("OK: the sale replays as recorded");
            Ok(())
        }
        Err(problem) => bail!("the sale does not replay: {problem}"),
    }
}

/// A public key given on the command line: hex, a file holding the hex, or an SPKI PEM file.
fn pinned_key(pinned: &str) -> anyhow::Result<crypto::PublicKey> {
    let text = if Path::new(pinned).is_file() {
        std::fs::read_to_string(pinned).context("failed to read the pinned public key")?
    } else {
        pinned.to_string()
    };
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        crypto::PublicKey::from_spki_pem(text)
    } else {
        crypto::PublicKey::from_hex(&text.to_ascii_lowercase())
    }
    .map_err(|e| anyhow::anyhow!("the pinned public key is not an SM2 public key: {e}"))
}

/// The witness key to check against, pinned from outside the database: `--public-key` (hex, a
/// file holding the hex, or a PEM public key), else the key file of the data directory (the
/// operator's own check). The key recorded in the database is only compared, never trusted: who
/// can write the database could have written it, and re-signed history with a key of their own.
async fn public_key(
    pinned: Option<&str>,
    data_dir: &Path,
    store: &store::Store,
) -> anyhow::Result<crypto::PublicKey> {
    let path = data_dir.join("platform-key.pem");
    let recorded = store.meta("public_key").await?;
    let key = if let Some(pinned) = pinned {
        pinned_key(pinned)?
    } else if path.exists() {
        let pem = std::fs::read_to_string(&path).context("failed to read the platform key")?;
        crypto::PlatformKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .public_key()
    } else {
        bail!(
            "no pinned platform key: pass --public-key with the key obtained out of band \
             (docs/ledger.md, \"Pinning the platform key\"); the key recorded in the database \
             is not trusted on its own"
        );
    };
    if let Some(recorded) = recorded
        && recorded != key.to_hex()
    {
        bail!(
            "the database records another platform key ({recorded}) than the pinned one ({}): \
             its signed heads are not the platform's",
            key.to_hex()
        );
    }
    Ok(key)
}

/// The platform's clock: the system clock; for tests only, `GGZY_CLOCK_START=YYYY-MM-DD` starts
/// it at 09:30 Beijing time that day and lets it run (so a test of the real binary does not
/// depend on the day it runs). Never set it on a platform in use: every act would carry that time.
fn clock() -> app::Clock {
    static CLOCK: std::sync::OnceLock<app::Clock> = std::sync::OnceLock::new();
    CLOCK
        .get_or_init(|| match std::env::var("GGZY_CLOCK_START") {
            Ok(day) if !day.trim().is_empty() => match domain::Date::parse(day.trim()) {
                Ok(date) => {
                    eprintln!(
                        "warning: GGZY_CLOCK_START={day}: the clock starts on that day (tests only)"
                    );
                    app::clock_from(date.start_ms() + (9 * 60 + 30) * 60_000)
                }
                Err(_) => {
                    eprintln!(
                        "warning: GGZY_CLOCK_START is not YYYY-MM-DD; using the system clock"
                    );
                    app::system_clock()
                }
            },
            _ => app::system_clock(),
        })
        .clone()
}

fn now_ms() -> i64 {
    (clock())()
}

fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    if path.exists() {
        bail!("{} exists already; not overwriting it", path.display());
    }
    std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))
}

/// The demo CA kept in `dir` by `ggzy ca init`.
fn load_ca(dir: &Path) -> anyhow::Result<crypto::CertificateAuthority> {
    let key_pem =
        std::fs::read_to_string(dir.join("ca-key.pem")).context("failed to read ca-key.pem")?;
    let cert_pem =
        std::fs::read_to_string(dir.join("ca-cert.pem")).context("failed to read ca-cert.pem")?;
    crypto::CertificateAuthority::from_pem(&key_pem, &cert_pem).map_err(|e| anyhow::anyhow!("{e}"))
}

fn ca(command: CaCommand) -> anyhow::Result<()> {
    eprintln!(
        "警告：演示证书机构，仅供测试和演示使用，不得用于生产环境。(demo CA — NOT FOR PRODUCTION)"
    );
    const DAY: i64 = 86_400_000;
    match command {
        CaCommand::Init { dir, name, years } => {
            std::fs::create_dir_all(&dir).context("failed to create the CA directory")?;
            let now = now_ms();
            let subject = crypto::Subject {
                common_name: name.clone(),
                organization: name,
                code: String::new(),
            };
            let authority = crypto::CertificateAuthority::new_root(
                &subject,
                now - DAY,
                now + i64::from(years) * 365 * DAY,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            write_new(&dir.join("ca-key.pem"), &authority.key_pem())?;
            write_new(&dir.join("ca-cert.pem"), &authority.root().to_pem())?;
            println!(
                "root certificate: {} (SM3 fingerprint {})",
                dir.join("ca-cert.pem").display(),
                authority.root().fingerprint()
            );
        }
        CaCommand::Issue {
            dir,
            name,
            code,
            out,
            days,
        } => {
            let authority = load_ca(&dir)?;
            let code = code.trim().to_ascii_uppercase();
            if domain::Uscc::parse(&code).is_err() && domain::IdNumber::parse(&code).is_err() {
                bail!("{code} is neither a valid 统一社会信用代码 nor a valid 居民身份证号码");
            }
            let holder = crypto::PlatformKey::generate();
            let now = now_ms();
            let serial = u64::try_from(now).unwrap_or(1);
            let subject = crypto::Subject {
                common_name: name.clone(),
                organization: name,
                code,
            };
            let cert = authority
                .issue(
                    &subject,
                    &holder.public_key(),
                    serial,
                    now - DAY,
                    now + i64::from(days) * DAY,
                )
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let prefix = out.display().to_string();
            write_new(
                Path::new(&format!("{prefix}-key.pem")),
                &holder.to_pkcs8_pem(),
            )?;
            write_new(Path::new(&format!("{prefix}-cert.pem")), &cert.to_pem())?;
            println!(
                "issued {prefix}-cert.pem (serial {}, SM3 fingerprint {})",
                cert.serial_hex(),
                cert.fingerprint()
            );
        }
        CaCommand::Crl {
            dir,
            serials,
            number,
            out,
        } => {
            let authority = load_ca(&dir)?;
            let serials: Vec<String> = serials
                .iter()
                .map(|s| s.trim().to_ascii_lowercase())
                .collect();
            let crl = authority
                .crl(&serials, number, now_ms())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            write_new(&out, &crl.to_pem())?;
            println!(
                "wrote {} listing {} certificate(s)",
                out.display(),
                serials.len()
            );
        }
    }
    Ok(())
}

fn sign(args: SignArgs) -> anyhow::Result<()> {
    let key_pem = std::fs::read_to_string(&args.key).context("failed to read the key")?;
    let key = crypto::PlatformKey::from_pkcs8_pem(&key_pem).map_err(|e| anyhow::anyhow!("{e}"))?;
    let cert_pem = std::fs::read_to_string(&args.cert).context("failed to read the certificate")?;
    let cert = crypto::Certificate::from_pem(&cert_pem).map_err(|e| anyhow::anyhow!("{e}"))?;
    if cert.public_key().map_err(|e| anyhow::anyhow!("{e}"))? != key.public_key() {
        bail!("the key does not belong to the certificate");
    }
    let text = std::fs::read_to_string(&args.file).context("failed to read the payload")?;
    let payload: serde_json::Value =
        serde_json::from_str(&text).context("the payload is not JSON")?;
    let signature = key
        .sign_json(&payload)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let signed = serde_json::json!({
        "payload": payload,
        "signature": signature.to_hex(),
        "certificate": cert.to_pem(),
        "algorithm": "SM2-with-SM3 over canonical JSON, id 1234567812345678",
    });
    println!("{}", serde_json::to_string_pretty(&signed)?);
    Ok(())
}

/// Issues a signed e-guarantee with the demo provider's key (the JSON to paste on the bidder's
/// page or to post to `/api/v1/lots/{code}/bond/guarantee`).
fn guarantee(args: GuaranteeArgs) -> anyhow::Result<()> {
    let read = |name: &str| {
        std::fs::read_to_string(args.dir.join(name))
            .with_context(|| format!("failed to read {name} in {}", args.dir.display()))
    };
    let info: serde_json::Value =
        serde_json::from_str(&read("guarantor.json")?).context("guarantor.json is not JSON")?;
    let provider = app::DemoGuarantor::from_pem(
        info["issuer"].as_str().unwrap_or_default(),
        info["issuer_name"].as_str().unwrap_or_default(),
        &read("guarantor-key.pem")?,
        &read("guarantor-cert.pem")?,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    domain::Date::parse(&args.valid_until).map_err(|e| anyhow::anyhow!("{e}"))?;
    let signed = provider.issue(
        &args.number,
        &args.lot,
        &args.applicant,
        &args.beneficiary,
        args.amount_fen,
        &args.valid_until,
    );
    eprintln!("NOT FOR PRODUCTION: a guarantee of the demo's simulated provider");
    println!("{}", serde_json::to_string_pretty(&signed)?);
    Ok(())
}

fn deposit_notice(args: DepositNoticeArgs) -> anyhow::Result<()> {
    let read = |name: &str| {
        std::fs::read_to_string(args.dir.join(name))
            .with_context(|| format!("failed to read {name} in {}", args.dir.display()))
    };
    let info: serde_json::Value =
        serde_json::from_str(&read("bank.json")?).context("bank.json is not JSON")?;
    let bank = app::DemoGuarantor::from_pem(
        info["issuer"].as_str().unwrap_or_default(),
        info["issuer_name"].as_str().unwrap_or_default(),
        &read("bank-key.pem")?,
        &read("bank-cert.pem")?,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = now_ms();
    let signed = bank.deposit_notice(
        &args.auction,
        &args.payer,
        args.amount_fen,
        &args.reference,
        now,
    );
    eprintln!("NOT FOR PRODUCTION: a notice of the demo's simulated bank");
    println!("{}", serde_json::to_string_pretty(&signed)?);
    Ok(())
}

/// Every file below `folder`, as (relative path with '/', contents), sorted.
fn collect_files(folder: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("failed to read {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                let relative = path
                    .strip_prefix(folder)?
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, std::fs::read(&path)?));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Hardware ids of this machine (Linux: machine id and network card addresses), never sent as they
/// are: only their salted SM3 goes into the envelope.
fn hardware_ids() -> Vec<String> {
    let mut ids = Vec::new();
    if let Ok(id) = std::fs::read_to_string("/etc/machine-id") {
        ids.push(format!("machine-id:{}", id.trim()));
    }
    if let Ok(entries) = std::fs::read_dir("/sys/class/net") {
        for entry in entries.flatten() {
            if entry.file_name() == "lo" {
                continue;
            }
            if let Ok(mac) = std::fs::read_to_string(entry.path().join("address")) {
                ids.push(format!("mac:{}", mac.trim()));
            }
        }
    }
    ids
}

fn bid(command: BidCommand) -> anyhow::Result<()> {
    let BidCommand::Seal {
        folder,
        form,
        lot,
        bidder,
        opening_key,
        key,
        cert,
        recovery_cert,
        copy,
        out,
    } = command;
    let form_text = std::fs::read_to_string(&form).context("failed to read the bid form")?;
    let form: serde_json::Value =
        serde_json::from_str(&form_text).context("the bid form is not JSON")?;
    if form
        .get("price_fen")
        .and_then(serde_json::Value::as_u64)
        .is_none()
    {
        bail!("the bid form needs an integer price_fen (the price in 分)");
    }
    let files = collect_files(&folder)?;
    if files.is_empty() {
        bail!("{} holds no files", folder.display());
    }
    let package = crypto::BidPackage { form, files }
        .to_bytes()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let signer = crypto::PlatformKey::from_pkcs8_pem(
        &std::fs::read_to_string(&key).context("failed to read the key")?,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let certificate_pem =
        std::fs::read_to_string(&cert).context("failed to read the certificate")?;
    let opening_key = crypto::PublicKey::from_hex(opening_key.trim())
        .map_err(|e| anyhow::anyhow!("opening key: {e}"))?;
    let recovery_key = match &recovery_cert {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .context("failed to read the encryption certificate")?;
            let certificate =
                crypto::Certificate::from_pem(&pem).map_err(|e| anyhow::anyhow!("{e}"))?;
            Some(
                certificate
                    .public_key()
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            )
        }
        None => None,
    };
    let ids = hardware_ids();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let envelope = crypto::Envelope::seal(crypto::SealRequest {
        recovery_key: recovery_key.as_ref(),
        package: &package,
        lot: &lot,
        bidder: &bidder,
        opening_key: &opening_key,
        signer: &signer,
        certificate_pem: &certificate_pem,
        machine_fingerprint: crypto::machine_fingerprint(lot.as_bytes(), &id_refs),
        document_copy: copy.trim(),
        tool: concat!("ggzy ", env!("CARGO_PKG_VERSION")),
        created_at_ms: now_ms(),
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bytes = envelope.to_bytes().map_err(|e| anyhow::anyhow!("{e}"))?;
    write_new(&out, "")?;
    std::fs::write(&out, &bytes).with_context(|| format!("failed to write {}", out.display()))?;
    println!(
        "sealed {} ({} bytes, SM3 {})",
        out.display(),
        bytes.len(),
        envelope.digest().map_err(|e| anyhow::anyhow!("{e}"))?
    );
    Ok(())
}
