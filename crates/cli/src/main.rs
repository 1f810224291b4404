//! `ggzy`: the platform's one binary. `serve` runs the platform, `demo` fills an empty data
//! directory with demo data and serves it, `verify` checks a store end to end.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

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
    Demo(ServeArgs),
    /// Verify a store: every leaf, node and signed head, and the read tables by replay.
    Verify(StoreArgs),
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
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "GGZY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve(args, false).await,
            Command::Demo(args) => serve(args, true).await,
            Command::Verify(args) => verify(args).await,
        }
    })
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

async fn serve(args: ServeArgs, demo: bool) -> anyhow::Result<()> {
    init_logs(args.log_json);
    let url = database_url(&args.store)?;
    let store = store::Store::open(&url)
        .await
        .context("failed to open the database")?;
    let key = app::load_or_create_key(&args.store.data_dir)
        .context("failed to load or create the platform key")?;
    let mut settings = app::Settings {
        origin: args.origin.clone(),
        ..Default::default()
    };
    if args.insecure_fast_passwords {
        settings.password_policy = app::PasswordPolicy::for_tests();
    }
    let app = app::App::open(store, key, app::system_clock(), settings)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if demo {
        let seeded = app::seed_demo(&app)
            .await
            .map_err(|e| anyhow::anyhow!("failed to load demo data: {e}"))?;
        if seeded {
            tracing::info!("demo data loaded");
        } else {
            tracing::info!("the ledger is not empty; demo data left as it is");
        }
    }
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
    println!("登录：http://{address}/login    交易见证：http://{address}/ledger");
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

async fn verify(args: StoreArgs) -> anyhow::Result<()> {
    init_logs(false);
    let url = database_url(&args)?;
    let store = store::Store::open(&url)
        .await
        .context("failed to open the database")?;
    let origin = store.meta("origin").await?.unwrap_or_default();
    let key = public_key(&args.data_dir, &store).await?;
    let report = app::verify_store(&store, &key, &origin)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "checked {} entries, {} tree nodes, {} signed heads, {} entities, {} accounts",
        report.entries, report.nodes, report.heads, report.entities, report.accounts
    );
    if report.is_sound() {
        println!("OK: the store is sound");
        return Ok(());
    }
    for problem in &report.problems {
        eprintln!("BAD: {problem}");
    }
    bail!("verification failed: {}", report.problems[0])
}

/// The witness key to check against: the key file of the data directory when there is one (an
/// independent source), else the key recorded in the database.
async fn public_key(data_dir: &Path, store: &store::Store) -> anyhow::Result<crypto::PublicKey> {
    let path = data_dir.join("platform-key.pem");
    let recorded = store.meta("public_key").await?;
    if path.exists() {
        let pem = std::fs::read_to_string(&path).context("failed to read the platform key")?;
        let key = crypto::PlatformKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .public_key();
        if let Some(recorded) = recorded
            && recorded != key.to_hex()
        {
            bail!(
                "the database records another platform key than {}",
                path.display()
            );
        }
        return Ok(key);
    }
    match recorded {
        Some(hex) => {
            eprintln!(
                "note: no key file in {}; checking against the key recorded in the database",
                data_dir.display()
            );
            crypto::PublicKey::from_hex(&hex).map_err(|e| anyhow::anyhow!("{e}"))
        }
        None => bail!(
            "no platform key: neither {} nor a key recorded in the database",
            path.display()
        ),
    }
}
