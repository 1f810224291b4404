//! `ggzy-loadgen portal`: the disclosure portal with many synthetic announcements.
//!
//! 1. Writes N synthetic announcements (Chinese titles and bodies, project and lot codes,
//!    regions, amounts) straight into the `announcements` table in batches. This bypasses the
//!    ledger on purpose: appending is measured by the ledger and auction benchmarks; here the
//!    subject is reading and searching at scale.
//! 2. Indexes them with the application's own mapping (`app::announcement_doc`) into the node's
//!    search index, in the follower's batches, and reports documents per second; then the cost
//!    of one more document (one commit and reload on the full index: the floor of "searchable
//!    within a second").
//! 3. Serves the real server on loopback and drives it with closed-loop clients: searches
//!    (`GET /api/v1/search`, words, phrases, codes, filters), detail pages
//!    (`GET /announcements/{id}`) and, for comparison in the same run, a static file
//!    (`GET /static/style.css`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

#[derive(Debug, clap::Args)]
pub(crate) struct PortalArgs {
    /// Synthetic announcements to write and index.
    #[arg(long, default_value_t = 1_000_000)]
    announcements: u64,
    /// Concurrent clients (closed loops) per phase.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds per load phase.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Where the working directory (database and index) goes.
    #[arg(long, default_value = ".")]
    dir: std::path::PathBuf,
    /// Keep the working directory and reuse it when it already holds the announcements
    /// (for repeated runs of the load phases).
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

const CITIES: &[(&str, &str)] = &[
    ("330100", "杭州市"),
    ("330200", "宁波市"),
    ("330300", "温州市"),
    ("330400", "嘉兴市"),
    ("330500", "湖州市"),
    ("330600", "绍兴市"),
    ("330700", "金华市"),
    ("330800", "衢州市"),
    ("330900", "舟山市"),
    ("331000", "台州市"),
    ("331100", "丽水市"),
];
const PLACES: &[&str] = &[
    "西湖区",
    "滨江区",
    "余杭区",
    "萧山区",
    "鄞州区",
    "海曙区",
    "瓯海区",
    "南湖区",
    "吴兴区",
    "越城区",
    "婺城区",
    "柯城区",
    "定海区",
    "椒江区",
    "莲都区",
    "开发区",
    "高新区",
];
const OBJECTS: &[&str] = &[
    "污水处理厂",
    "综合管廊",
    "中学体育馆",
    "人民医院门诊楼",
    "市政道路",
    "跨江大桥",
    "公租房小区",
    "垃圾焚烧发电厂",
    "地铁车站",
    "自来水厂",
    "河道综合整治",
    "老旧小区",
    "产业园区",
    "图书馆",
    "办公设备",
    "信息化平台",
    "医疗设备",
    "校园安防系统",
    "公交车辆",
    "绿化养护",
];
const WORKS: &[&str] = &[
    "提标改造工程",
    "新建工程",
    "扩建工程",
    "维修改造工程",
    "施工总承包",
    "设计施工一体化",
    "监理服务",
    "采购项目",
    "运维服务",
    "建设项目",
];
const KINDS: &[(&str, &str, &str)] = &[
    ("construction", "tender_notice", "施工招标公告"),
    ("construction", "candidates_notice", "中标候选人公示"),
    ("construction", "result_notice", "中标结果公告"),
    ("procurement", "tender_notice", "采购公告"),
    ("procurement", "result_notice", "中标（成交）结果公告"),
    ("land", "auction_notice", "国有建设用地使用权挂牌出让公告"),
    ("mining", "auction_notice", "采矿权拍卖出让公告"),
    ("state_property", "auction_notice", "产权转让信息披露公告"),
    ("pollutant", "auction_notice", "排污权竞价交易公告"),
    ("carbon", "auction_notice", "碳排放配额有偿竞价公告"),
];
const QUALIFICATIONS: &[&str] = &[
    "市政公用工程施工总承包二级及以上资质",
    "建筑工程施工总承包一级资质",
    "水利水电工程施工总承包二级资质",
    "具有独立承担民事责任的能力",
    "近三年内无重大违法记录",
];

/// The n-th synthetic announcement (deterministic in n).
pub(crate) fn synthetic(n: u64, published_ms: i64) -> store::AnnouncementRow {
    let mut rng = Rng(n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let (region, city) = CITIES[(rng.next() % CITIES.len() as u64) as usize];
    let place = rng.pick(PLACES);
    let object = rng.pick(OBJECTS);
    let work = rng.pick(WORKS);
    let (category, kind, label) = KINDS[(rng.next() % KINDS.len() as u64) as usize];
    let budget_wan = 50 + rng.next() % 200_000;
    let project_code = format!("2026-{region}-48-01-{:06}", n % 1_000_000);
    let procedure = format!("ZB{region}2026{n:07}");
    let lot = format!("{procedure}001");
    let title = format!("{city}{place}{object}{work}{label}");
    let body = format!(
        "一、项目概况\n{city}{place}{object}{work}已由{city}发展和改革委员会批准建设，项目代码 {project_code}，\
         建设资金来自财政资金和自筹资金，招标人为{city}{place}城市建设投资有限公司。项目已具备招标条件，现对该项目进行公开招标。\n\
         二、标段划分\n本项目划分为一个标段（统一交易标识码 {lot}；最高投标限价 {budget_wan} 万元），计划工期 {} 日历天。\n\
         三、投标人资格要求\n投标人须具备{}，并在人员、设备、资金等方面具有相应的施工能力；{}。\n\
         四、招标文件的获取\n请于投标截止时间前登录公共资源交易平台下载电子招标文件。\n\
         五、投标文件的递交\n投标文件应加密后在线递交，逾期送达的投标文件，电子交易系统将拒收。\n\
         六、联系方式\n招标代理机构：浙江{}工程咨询有限公司，联系电话 0571-8{:07}。",
        90 + rng.next() % 900,
        rng.pick(QUALIFICATIONS),
        rng.pick(QUALIFICATIONS),
        rng.pick(PLACES),
        rng.next() % 10_000_000,
    );
    store::AnnouncementRow {
        id: format!("{procedure}-{n}"),
        procedure_id: procedure,
        lot,
        kind: kind.into(),
        category: category.into(),
        region: region.into(),
        title,
        body,
        published_at_ms: published_ms,
        seq: 0,
    }
}

/// What the searchers ask: words, two-word queries, phrases, exact codes, filtered queries.
fn queries(count: u64) -> Vec<String> {
    let mut rng = Rng(0x5eed);
    let mut out = Vec::new();
    for i in 0..400u64 {
        let q = match i % 8 {
            0 => rng.pick(OBJECTS).to_string(),
            1 => format!("{} {}", rng.pick(OBJECTS), rng.pick(WORKS)),
            2 => format!("{}{}", rng.pick(PLACES), rng.pick(OBJECTS)),
            3 => synthetic(rng.next() % count, 0).lot,
            4 => format!("q={}&domain=construction&sort=date", enc(rng.pick(WORKS))),
            5 => format!("q={}&region=330100", enc(rng.pick(OBJECTS))),
            6 => "提标改造".to_string(),
            _ => format!("{} 资质", rng.pick(OBJECTS)),
        };
        if q.starts_with("q=") {
            out.push(q);
        } else {
            out.push(format!("q={}", enc(&q)));
        }
    }
    out
}

fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Drives `paths` (chosen in turn, each client from its own offset) with `clients` closed loops
/// for `seconds`; prints requests/s and latency.
async fn phase(
    label: &str,
    base: &str,
    paths: Arc<Vec<String>>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let failed = Arc::new(AtomicU64::new(0));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let ready = Arc::new(tokio::sync::Barrier::new(clients + 1));
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, paths, ready, failed) =
            (client.clone(), paths.clone(), ready.clone(), failed.clone());
        let base = base.to_string();
        tasks.push(tokio::spawn(async move {
            let mut i = c * 7919;
            let get = |i: usize| {
                let url = format!("{base}{}", paths[i % paths.len()]);
                let client = client.clone();
                async move {
                    match client.get(url).send().await {
                        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                        _ => false,
                    }
                }
            };
            let _ = get(i).await;
            ready.wait().await;
            let started = Instant::now();
            let mut latencies = Vec::new();
            while started.elapsed() < Duration::from_secs(seconds) {
                i += 1;
                let sent = Instant::now();
                if get(i).await {
                    latencies.push(sent.elapsed());
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    ready.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let wall = started.elapsed().as_secs_f64();
    latencies.sort();
    println!(
        "{label}: {} requests in {wall:.1} s = {:.0} /s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms; {} failed",
        latencies.len(),
        latencies.len() as f64 / wall,
        pct(&latencies, 0.5),
        pct(&latencies, 0.99),
        pct(&latencies, 1.0),
        failed.load(Ordering::Relaxed)
    );
    Ok(())
}

pub(crate) async fn portal(args: PortalArgs) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "machine: {cores} cores; {} synthetic announcements; {} clients per phase",
        args.announcements, args.clients
    );
    let temporary = tempfile::tempdir_in(&args.dir).context("cannot make a working directory")?;
    let (path, reuse) = match &args.keep {
        Some(keep) => {
            std::fs::create_dir_all(keep)?;
            (keep.clone(), keep.join("search").exists())
        }
        None => (temporary.path().to_path_buf(), false),
    };
    let store = store::Store::open(&store::Store::sqlite_url(&path)).await?;
    let settings = app::Settings {
        origin: "ggzy.loadgen".into(),
        password_policy: app::PasswordPolicy::for_tests(),
        ..Default::default()
    };
    let platform = app::App::open(
        store,
        app::load_or_create_key(&path)?,
        app::system_clock(),
        settings,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .with_search_dir(&path.join("search"))
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = platform.now_ms();

    // 1. The rows.
    let started = Instant::now();
    const BATCH: u64 = 20_000;
    let mut n = if reuse { args.announcements } else { 0 };
    while n < args.announcements {
        let upto = (n + BATCH).min(args.announcements);
        let mut tx = platform.store().begin().await?;
        for i in n..upto {
            let row = synthetic(i, now - (args.announcements - i) as i64 * 60_000);
            tx.insert_announcement(&row).await?;
        }
        tx.commit().await?;
        n = upto;
    }
    println!(
        "stored {} announcements in {:.1} s ({:.0} rows/s, written directly, not through the ledger)",
        args.announcements,
        started.elapsed().as_secs_f64(),
        args.announcements as f64 / started.elapsed().as_secs_f64()
    );

    // 2. The index, with the application's own mapping, in the follower's batches.
    let index = platform.search_index().clone();
    let started = Instant::now();
    let mut n = if reuse { args.announcements } else { 0 };
    while n < args.announcements {
        let upto = (n + BATCH).min(args.announcements);
        let docs: Vec<search::Doc> = (n..upto)
            .map(|i| {
                app::announcement_doc(
                    &synthetic(i, now - (args.announcements - i) as i64 * 60_000),
                    None,
                )
            })
            .collect();
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.apply(&docs, &[], 0)).await??;
        n = upto;
    }
    if !reuse {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.optimize()).await??;
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "indexed {} announcements in {took:.1} s = {:.0} docs/s (jieba + tantivy, one writer thread, commit every {BATCH}, then merged into {} segment(s))",
        index.len(),
        args.announcements as f64 / took,
        index.segments()
    );
    let mut one = Vec::new();
    for k in 0..if reuse { 0 } else { 5 } {
        let doc = app::announcement_doc(&synthetic(args.announcements + k, now), None);
        let index = index.clone();
        let started = Instant::now();
        tokio::task::spawn_blocking(move || index.apply(&[doc], &[], 0)).await??;
        one.push(started.elapsed());
    }
    one.sort();
    println!(
        "one more announcement on the full index (commit + reload): median {:.1} ms, max {:.1} ms (the follower polls every 200 ms)",
        pct(&one, 0.5),
        pct(&one, 1.0)
    );

    // The rows are not in the ledger: tell the follower the index is up to date with it.
    let size = platform.store().ledger_size().await?;
    let index_now = index.clone();
    tokio::task::spawn_blocking(move || index_now.apply(&[], &[], size)).await??;

    // 3. The server under load.
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
    let searches: Vec<String> = queries(args.announcements)
        .into_iter()
        .map(|q| format!("/api/v1/search?{q}"))
        .collect();
    let mut rng = Rng(42);
    let details: Vec<String> = (0..10_000)
        .map(|_| {
            let n = rng.next() % args.announcements;
            format!("/announcements/{}", synthetic(n, 0).id)
        })
        .collect();
    if std::env::var("GGZY_LOADGEN_BREAKDOWN").is_ok() {
        for class in 0..8 {
            let some: Vec<String> = searches.iter().skip(class).step_by(8).cloned().collect();
            phase(
                &format!("search class {class} ({})", some[0]),
                &base,
                Arc::new(some),
                1,
                3,
            )
            .await?;
        }
    }
    let searches = Arc::new(searches);
    let mut levels = vec![8, 16, args.clients];
    levels.sort();
    levels.dedup();
    for clients in levels {
        phase(
            &format!("search, {clients} clients"),
            &base,
            searches.clone(),
            clients,
            args.seconds,
        )
        .await?;
    }
    phase(
        "detail pages",
        &base,
        Arc::new(details),
        args.clients,
        args.seconds,
    )
    .await?;
    phase(
        "static file (/static/style.css)",
        &base,
        Arc::new(vec!["/static/style.css".to_string()]),
        args.clients,
        args.seconds,
    )
    .await?;
    let _ = stop.send(());
    let _ = server.await;
    Ok(())
}
