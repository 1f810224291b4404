//! The disclosure portal's search (一站式查询): the page `/search` and the API
//! `GET /api/v1/search`, with facets, highlighted snippets and an Atom feed of any query.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use search::{Hits, SearchQuery, SortBy};
use serde::Serialize;

use crate::AppState;
use crate::access::{MaybeCaller, urlencode};
use crate::errors::ApiError;
use crate::format::{beijing_time, region_name, yuan_text};
use crate::shared::api::site;
use crate::shared::page::{Layout, app_error_page, error_page, layout, render};

/// Hits per page.
const PER_PAGE: usize = 20;

/// The portal's short name of a trading domain (a catalog category code).
pub(crate) fn domain_label(code: &str) -> &'static str {
    match code {
        "construction" => "工程建设",
        "procurement" => "政府采购",
        "land" => "土地使用权",
        "mining" => "矿业权",
        "state_property" => "国有产权",
        "housing" => "保障性住房",
        "carbon" => "碳排放权",
        "pollutant" => "排污权",
        "energy_use" => "用能权",
        "other_assets" => "其他交易",
        "" => "市场主体",
        _ => "其他",
    }
}

/// The label of a document type: an announcement kind, or 市场主体.
pub(crate) fn doc_type_label(code: &str) -> &'static str {
    if code == "entity" {
        "市场主体"
    } else {
        crate::format::announcement_kind_label(code)
    }
}

fn amount_label(key: &str) -> &'static str {
    match key {
        "lt1m" => "100万元以下",
        "1m-10m" => "100万至1000万元",
        "10m-100m" => "1000万至1亿元",
        "ge100m" => "1亿元以上",
        _ => "",
    }
}

/// A search as asked in the query string, checked: dates `YYYY-MM-DD`, amounts in 元.
#[derive(Clone, Debug, Default)]
pub(crate) struct Asked {
    pub(crate) q: String,
    pub(crate) domain: String,
    pub(crate) doc_type: String,
    pub(crate) region: String,
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) amount: String,
    pub(crate) sort: String,
    pub(crate) page: usize,
}

impl Asked {
    pub(crate) fn from_params(params: &HashMap<String, String>) -> Self {
        let get = |key: &str| {
            params
                .get(key)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        Self {
            q: get("q").chars().take(200).collect(),
            domain: get("domain"),
            doc_type: get("type"),
            region: get("region"),
            from: get("from"),
            to: get("to"),
            amount: get("amount"),
            sort: get("sort"),
            page: get("page").parse().unwrap_or(1).max(1),
        }
    }

    /// The search, or a message saying exactly which condition is wrong.
    pub(crate) fn query(&self, per_page: usize) -> Result<SearchQuery, String> {
        let date = |text: &str, name: &str| -> Result<Option<domain::Date>, String> {
            if text.is_empty() {
                return Ok(None);
            }
            domain::Date::parse(text)
                .map(Some)
                .map_err(|_| format!("{name}应为 YYYY-MM-DD 格式的日期，收到“{text}”"))
        };
        let from = date(&self.from, "起始日期")?;
        let to = date(&self.to, "截止日期")?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err("起始日期晚于截止日期".into());
        }
        let region_ok = self.region.is_empty()
            || (self.region.len() == 6 && self.region.bytes().all(|b| b.is_ascii_digit()));
        if !region_ok {
            return Err(format!("地区应为6位行政区划代码，收到“{}”", self.region));
        }
        let (min, max) = if self.amount.is_empty() {
            (None, None)
        } else {
            let (_, from, to) = search::AMOUNT_BUCKETS
                .iter()
                .find(|(key, _, _)| *key == self.amount)
                .ok_or_else(|| format!("未知的金额区间“{}”", self.amount))?;
            (Some(*from), (*to != i64::MAX).then_some(*to - 1))
        };
        let sort = match self.sort.as_str() {
            "" | "relevance" => SortBy::Relevance,
            "date" => SortBy::Date,
            other => return Err(format!("排序方式应为 relevance 或 date，收到“{other}”")),
        };
        let offset = (self.page - 1).saturating_mul(per_page);
        if offset > search::MAX_OFFSET {
            return Err(format!(
                "最多翻到第 {} 页，请增加检索条件",
                search::MAX_OFFSET / per_page + 1
            ));
        }
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Ok(SearchQuery {
            text: self.q.clone(),
            domain: some(&self.domain),
            doc_type: some(&self.doc_type),
            region: some(&self.region),
            from_ms: from.map(|d| d.start_ms()),
            to_ms: to.map(|d| d.end_ms()),
            min_amount_fen: min,
            max_amount_fen: max,
            sort,
            offset,
            limit: per_page,
            announcements_only: false,
            now_ms: 0,
        })
    }

    /// The query string with one parameter changed (empty: removed) and the page reset.
    pub(crate) fn with(&self, key: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("domain", self.domain.clone()),
            ("type", self.doc_type.clone()),
            ("region", self.region.clone()),
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("amount", self.amount.clone()),
            ("sort", self.sort.clone()),
        ];
        for pair in &mut pairs {
            if pair.0 == key {
                pair.1 = value.to_string();
            }
        }
        let mut out = String::new();
        for (k, v) in pairs {
            if !v.is_empty() {
                out.push(if out.is_empty() { '?' } else { '&' });
                out.push_str(k);
                out.push('=');
                out.push_str(&urlencode(&v));
            }
        }
        out
    }
}

/// A hit as pages and the API show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct HitView {
    pub(crate) url: String,
    pub(crate) title: String,
    /// The title with matched words in `<b>`, HTML-escaped.
    pub(crate) title_html: String,
    /// A fragment of the text with matched words in `<b>`, HTML-escaped.
    pub(crate) snippet_html: String,
    pub(crate) domain: String,
    pub(crate) domain_label: String,
    pub(crate) doc_type: String,
    pub(crate) doc_type_label: String,
    pub(crate) region: String,
    pub(crate) region_name: String,
    pub(crate) published_ms: i64,
    pub(crate) published: String,
    pub(crate) amount_fen: Option<i64>,
    pub(crate) amount: String,
    /// The ledger entry that witnesses it (its proof at `/ledger/entries/{seq}`, or, for a
    /// followed node's document at the hub, in the node's ledger).
    pub(crate) seq: u64,
    /// Where its proof is: this node's ledger page, or the hub's copy of the node's proof.
    pub(crate) proof_url: String,
    /// The followed node it comes from ('' for this node's own).
    pub(crate) node: String,
    /// The query is exactly one of its codes (项目代码, 交易标识码, 统一社会信用代码).
    pub(crate) exact_code: bool,
}

/// The followed node a hub's search document comes from (`app::federation::node_doc_prefix`).
fn node_of(key: &str) -> Option<&str> {
    key.strip_prefix("node:")?
        .split_once(':')
        .map(|(origin, _)| origin)
}

/// A facet value with its count.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct FacetView {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) count: u64,
    /// The query string that filters on it.
    #[serde(skip)]
    pub(crate) link: String,
    #[serde(skip)]
    pub(crate) current: bool,
}

/// A page of results.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SearchResults {
    pub(crate) total: u64,
    pub(crate) page: usize,
    pub(crate) pages: u64,
    pub(crate) hits: Vec<HitView>,
    pub(crate) domains: Vec<FacetView>,
    pub(crate) types: Vec<FacetView>,
    pub(crate) regions: Vec<FacetView>,
    pub(crate) amounts: Vec<FacetView>,
    /// Published within the last 7, 30, 365 days (each link sets the start date).
    pub(crate) dates: Vec<FacetView>,
}

fn results(asked: &Asked, hits: Hits, per_page: usize, now_ms: i64) -> SearchResults {
    let facet =
        |key: &str, current: &str, values: &[(String, u64)], label: &dyn Fn(&str) -> String| {
            values
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(value, count)| FacetView {
                    value: value.clone(),
                    label: label(value),
                    count: *count,
                    link: asked.with(key, if value == current { "" } else { value }),
                    current: value == current,
                })
                .collect::<Vec<_>>()
        };
    let region_label = |code: &str| match region_name(code) {
        "" => code.to_string(),
        name => name.to_string(),
    };
    SearchResults {
        total: hits.total,
        page: asked.page,
        pages: hits.total.div_ceil(per_page as u64).max(1),
        domains: facet("domain", &asked.domain, &hits.facets.domain, &|v| {
            domain_label(v).to_string()
        }),
        types: facet("type", &asked.doc_type, &hits.facets.doc_type, &|v| {
            doc_type_label(v).to_string()
        }),
        regions: facet("region", &asked.region, &hits.facets.region, &region_label),
        amounts: facet("amount", &asked.amount, &hits.facets.amount, &|v| {
            amount_label(v).to_string()
        }),
        dates: hits
            .facets
            .date
            .iter()
            .filter(|(_, n)| *n > 0)
            .filter_map(|(key, count)| {
                let days = search::DATE_WINDOWS.iter().find(|(k, _)| k == key)?.1;
                let from = domain::Date::of_instant(now_ms).add_days(-days).to_string();
                Some(FacetView {
                    value: key.clone(),
                    label: match days {
                        7 => "近7天".into(),
                        30 => "近30天".into(),
                        _ => "近一年".into(),
                    },
                    count: *count,
                    current: asked.from == from && asked.to.is_empty(),
                    link: asked.with("from", &from),
                })
            })
            .collect(),
        hits: hits
            .hits
            .into_iter()
            .map(|h| HitView {
                proof_url: proof_path(&h.key, h.seq),
                node: node_of(&h.key).unwrap_or_default().to_string(),
                domain_label: domain_label(&h.domain).to_string(),
                doc_type_label: doc_type_label(&h.doc_type).to_string(),
                region_name: region_label(&h.region),
                published: beijing_time(h.published_ms),
                amount: h.amount_fen.map(yuan_text).unwrap_or_default(),
                url: h.url,
                title: h.title,
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                domain: h.domain,
                doc_type: h.doc_type,
                region: h.region,
                published_ms: h.published_ms,
                amount_fen: h.amount_fen,
                seq: h.seq,
                exact_code: h.exact_code,
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    asked: Asked,
    results: SearchResults,
    error: String,
    feed: String,
    prev: String,
    next: String,
    sort_relevance: String,
    sort_date: String,
}

pub(crate) async fn search_page(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let asked = Asked::from_params(&params);
    let mut error = String::new();
    let now = state.app.now_ms();
    let hits = match asked.query(PER_PAGE) {
        Ok(query) => match state
            .app
            .search(&SearchQuery {
                now_ms: now,
                ..query
            })
            .await
        {
            Ok(hits) => hits,
            Err(e) => return app_error_page(e),
        },
        Err(message) => {
            error = message;
            Hits::default()
        }
    };
    let results = results(&asked, hits, PER_PAGE, now);
    let base = asked.with("", "");
    let page_link = |page: usize| {
        format!(
            "/search{base}{}page={page}",
            if base.is_empty() { "?" } else { "&" }
        )
    };
    let title = if asked.q.is_empty() {
        "信息检索".to_string()
    } else {
        format!("“{}”的检索结果", asked.q)
    };
    let status = if error.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SearchPage {
        layout: layout(&state, &caller, &title, "search", &[("信息检索", "")]),
        feed: format!("/feeds/search.atom{base}"),
        prev: if asked.page > 1 {
            page_link(asked.page - 1)
        } else {
            String::new()
        },
        next: if (asked.page as u64) < results.pages {
            page_link(asked.page + 1)
        } else {
            String::new()
        },
        sort_relevance: format!("/search{}", asked.with("sort", "")),
        sort_date: format!("/search{}", asked.with("sort", "date")),
        asked,
        results,
        error,
    };
    (status, render(page)).into_response()
}

/// `GET /api/v1/search`: the same search as the page, as JSON.
#[utoipa::path(get, path = "/api/v1/search", tag = "portal",
    params(
        ("q" = Option<String>, Query, description = "词语、短语或代码（项目代码、交易标识码、统一社会信用代码）"),
        ("domain" = Option<String>, Query, description = "交易领域（交易目录类别代码）"),
        ("type" = Option<String>, Query, description = "信息类型（公告类型代码，或 entity）"),
        ("region" = Option<String>, Query, pattern = "^([0-9]{6})?$", description = "6位行政区划代码，含下级地区"),
        ("from" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", description = "发布日期起，YYYY-MM-DD"),
        ("to" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", description = "发布日期止（含），YYYY-MM-DD"),
        ("amount" = Option<String>, Query, pattern = "^(lt1m|1m-10m|10m-100m|ge100m)?$", description = "金额区间：lt1m、1m-10m、10m-100m、ge100m"),
        ("sort" = Option<String>, Query, pattern = "^(relevance|date)?$", description = "relevance（默认）或 date"),
        ("page" = Option<usize>, Query, minimum = 1, maximum = 501, description = "页码，每页20条，最多翻到第501页"),
    ),
    responses((status = 200, body = SearchResults), (status = 422, description = "检索条件有误")))]
pub(crate) async fn search_api(
    State(state): State<Arc<AppState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<SearchResults>, ApiError> {
    // The page, when given, is a number within what the search can page to (the page itself
    // forgives a wrong one; an API client is told).
    if let Some(page) = params.get("page") {
        let last = search::MAX_OFFSET / PER_PAGE + 1;
        if !page
            .trim()
            .parse::<usize>()
            .is_ok_and(|p| (1..=last).contains(&p))
        {
            return Err(ApiError::with_message(
                "SEARCH_FILTER_INVALID",
                format!("页码应为 1 到 {last} 的整数，收到“{page}”"),
            ));
        }
    }
    let asked = Asked::from_params(&params);
    let query = asked
        .query(PER_PAGE)
        .map_err(|message| ApiError::with_message("SEARCH_FILTER_INVALID", message))?;
    let now = state.app.now_ms();
    let hits = state
        .app
        .search(&SearchQuery {
            now_ms: now,
            ..query
        })
        .await?;
    Ok(Json(results(&asked, hits, PER_PAGE, now)))
}

/// For a refusal of a feed or page whose query is wrong.
pub(crate) fn bad_query(message: &str) -> Response {
    error_page(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "SEARCH_FILTER_INVALID",
        message,
    )
}

/// The trading domains the portal shows on its home page and offers feeds of.
pub(crate) const DOMAINS: &[&str] = &[
    "construction",
    "procurement",
    "land",
    "mining",
    "state_property",
    "housing",
    "carbon",
    "pollutant",
    "energy_use",
    "other_assets",
];

/// Entries per feed.
const FEED_ENTRIES: usize = 50;

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) use app::rfc3339;

/// Where a hit's entry is proven: this platform's ledger, or — for a followed node's document —
/// the node's own proof kept at this hub.
fn proof_path(key: &str, seq: u64) -> String {
    match node_of(key) {
        Some(origin) => format!("/api/v1/hub/nodes/{origin}/entries/{seq}/proof"),
        None => format!("/ledger/entries/{seq}"),
    }
}

fn atom(site: &str, title: &str, self_path: &str, html_path: &str, hits: &Hits) -> Response {
    let updated = hits
        .hits
        .iter()
        .map(|h| h.published_ms)
        .max()
        .unwrap_or_default();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    xml.push_str(&format!("<title>{}</title>\n", xml_escape(title)));
    xml.push_str(&format!(
        "<id>{}</id>\n",
        xml_escape(&format!("{site}{self_path}"))
    ));
    xml.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml_escape(&format!("{site}{self_path}"))
    ));
    xml.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&format!("{site}{html_path}"))
    ));
    xml.push_str(&format!("<updated>{}</updated>\n", rfc3339(updated)));
    xml.push_str("<author><name>公共资源交易平台</name></author>\n");
    for hit in &hits.hits {
        // A followed node's notice is addressed at the node itself, and proven at this hub by
        // the node's own proof.
        let url = if hit.url.starts_with("http://") || hit.url.starts_with("https://") {
            hit.url.clone()
        } else {
            format!("{site}{}", hit.url)
        };
        let proof = format!("{site}{}", proof_path(&hit.key, hit.seq));
        xml.push_str("<entry>\n");
        xml.push_str(&format!("  <title>{}</title>\n", xml_escape(&hit.title)));
        xml.push_str(&format!("  <id>{}</id>\n", xml_escape(&url)));
        xml.push_str(&format!("  <link href=\"{}\"/>\n", xml_escape(&url)));
        xml.push_str(&format!(
            "  <link rel=\"related\" title=\"交易见证\" href=\"{}\"/>\n",
            xml_escape(&proof)
        ));
        xml.push_str(&format!(
            "  <updated>{}</updated>\n",
            rfc3339(hit.published_ms)
        ));
        xml.push_str(&format!(
            "  <category term=\"{}\" label=\"{}\"/>\n",
            xml_escape(&hit.domain),
            domain_label(&hit.domain)
        ));
        xml.push_str(&format!(
            "  <summary type=\"html\">{}</summary>\n",
            xml_escape(&hit.snippet_html)
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        xml,
    )
        .into_response()
}

/// `GET /feeds/{name}`: `all.atom` (every announcement), `{domain}.atom` (one trading
/// domain), or `search.atom?…` (any saved search, with the search page's parameters).
pub(crate) async fn feed(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(stem) = name.strip_suffix(".atom") else {
        return error_page(
            axum::http::StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "订阅源不存在",
        );
    };
    let site = site(&state, &headers);
    let (title, query, html) = match stem {
        "all" => (
            "全部交易公告".to_string(),
            SearchQuery::default(),
            "/announcements".to_string(),
        ),
        "search" => {
            let asked = Asked::from_params(&params);
            let query = match asked.query(FEED_ENTRIES) {
                Ok(query) => query,
                Err(message) => return bad_query(&message),
            };
            let title = if asked.q.is_empty() {
                "信息检索订阅".to_string()
            } else {
                format!("检索“{}”的最新信息", asked.q)
            };
            (title, query, format!("/search{}", asked.with("", "")))
        }
        domain if DOMAINS.contains(&domain) => (
            format!("{}交易信息", domain_label(domain)),
            SearchQuery {
                domain: Some(domain.to_string()),
                ..Default::default()
            },
            format!("/search?domain={domain}"),
        ),
        _ => {
            return error_page(
                axum::http::StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "订阅源不存在",
            );
        }
    };
    let query = SearchQuery {
        sort: SortBy::Date,
        offset: 0,
        limit: FEED_ENTRIES,
        announcements_only: stem != "search",
        ..query
    };
    match state.app.search(&query).await {
        Ok(hits) => {
            let self_path = match stem {
                "search" => format!(
                    "/feeds/search.atom{}",
                    Asked::from_params(&params).with("", "")
                ),
                other => format!("/feeds/{other}.atom"),
            };
            atom(
                &site,
                &format!("{title} · {}", state.platform_name),
                &self_path,
                &html,
                &hits,
            )
        }
        Err(e) => app_error_page(e),
    }
}

/// URLs per sitemap file (the protocol's limit is 50,000).
const SITEMAP_URLS: u64 = 50_000;

fn xml_response(xml: String) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/xml; charset=utf-8",
        )],
        xml,
    )
        .into_response()
}

/// `GET /sitemap.xml`: the index of the sitemaps (the portal's pages, then the announcements
/// in files of 50,000).
pub(crate) async fn sitemap_index(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let site = site(&state, &headers);
    let total = match state.app.announcements("", "", 1, 0).await {
        Ok(page) => page.total,
        Err(e) => return app_error_page(e),
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    xml.push_str(&format!(
        "<sitemap><loc>{site}/sitemaps/pages.xml</loc></sitemap>\n"
    ));
    for n in 0..total.div_ceil(SITEMAP_URLS) {
        xml.push_str(&format!(
            "<sitemap><loc>{site}/sitemaps/announcements-{}.xml</loc></sitemap>\n",
            n + 1
        ));
    }
    xml.push_str("</sitemapindex>\n");
    xml_response(xml)
}

/// `GET /sitemaps/{file}`: `pages.xml`, or `announcements-N.xml` (newest first).
pub(crate) async fn sitemap(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let site = site(&state, &headers);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |path: &str, ms: Option<i64>| {
        xml.push_str(&format!(
            "<url><loc>{}</loc>",
            xml_escape(&format!("{site}{path}"))
        ));
        if let Some(ms) = ms {
            xml.push_str(&format!("<lastmod>{}</lastmod>", rfc3339(ms)));
        }
        xml.push_str("</url>\n");
    };
    if file == "pages.xml" {
        for path in [
            "/",
            "/search",
            "/announcements",
            "/procedures",
            "/auctions",
            "/entities",
            "/credit",
            "/catalog",
            "/rules",
            "/calendar",
            "/ledger",
            "/open-data",
        ] {
            url(path, None);
        }
        for domain in DOMAINS {
            url(&format!("/search?domain={domain}"), None);
        }
    } else if let Some(n) = file
        .strip_prefix("announcements-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| *n >= 1)
    {
        let page = match state
            .app
            .announcements("", "", SITEMAP_URLS, (n - 1) * SITEMAP_URLS)
            .await
        {
            Ok(page) => page,
            Err(e) => return app_error_page(e),
        };
        if page.items.is_empty() {
            return error_page(
                axum::http::StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "站点地图不存在",
            );
        }
        for a in &page.items {
            url(&format!("/announcements/{}", a.id), Some(a.published_at_ms));
        }
    } else {
        return error_page(
            axum::http::StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "站点地图不存在",
        );
    }
    xml.push_str("</urlset>\n");
    xml_response(xml)
}

/// `GET /robots.txt`: the portal is open to search engines; accounts' pages and the API are
/// not for them.
pub(crate) async fn robots(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let site = site(&state, &headers);
    (
        [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /me\nDisallow: /operator/\nDisallow: /login\nSitemap: {site}/sitemap.xml\n"
        ),
    )
        .into_response()
}

/// A sanctioned entity as the credit page lists it.
pub(crate) struct CreditRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) region: String,
    pub(crate) status: &'static str,
    pub(crate) reason: String,
    pub(crate) until: String,
    pub(crate) seq: i64,
}

#[derive(Template)]
#[template(path = "credit.html")]
struct CreditPage {
    layout: Layout,
    barred: Vec<CreditRow>,
    suspended: Vec<CreditRow>,
    listings: Vec<app::CreditListing>,
    page: u64,
    pages: u64,
    operator: bool,
}

/// `GET /credit`: 信用信息 — entities barred from trading (禁止参加交易, with the end date)
/// and suspended (暂停交易), with the reason and the decision's ledger entry.
pub(crate) async fn credit(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Query(params): crate::shared::page::Params,
) -> Response {
    let page = crate::shared::page::page_of(&params);
    let per_page = crate::shared::page::PER_PAGE;
    let (listings, total) = match state
        .app
        .credit_listings(false, per_page, (page - 1) * per_page)
        .await
    {
        Ok(found) => found,
        Err(e) => return app_error_page(e),
    };
    let rows = match state.app.sanctioned_entities().await {
        Ok(rows) => rows,
        Err(e) => return app_error_page(e),
    };
    let (mut barred, mut suspended) = (Vec::new(), Vec::new());
    for row in rows {
        let view = CreditRow {
            status: if row.status == "barred" {
                "禁止参加交易"
            } else {
                "暂停交易"
            },
            // A natural person's ID number is not published.
            code: if row.kind == "natural_person" {
                "（自然人）".to_string()
            } else {
                row.code.clone()
            },
            region: match region_name(&row.region) {
                "" => row.region.clone(),
                name => name.to_string(),
            },
            id: row.id,
            name: row.name,
            reason: row.restriction_reason,
            until: row.restricted_until,
            seq: row.last_seq,
        };
        if view.status == "禁止参加交易" {
            barred.push(view);
        } else {
            suspended.push(view);
        }
    }
    render(CreditPage {
        layout: layout(&state, &caller, "信用信息", "credit", &[("信用信息", "")]),
        barred,
        suspended,
        listings,
        page,
        pages: crate::shared::page::page_count(total),
        operator: caller
            .0
            .as_ref()
            .is_some_and(|c| c.has_any(&[domain::Role::Operator])),
    })
}

/// One step of a project's history.
pub(crate) struct HistoryRow {
    pub(crate) time: String,
    pub(crate) label: String,
    pub(crate) link: String,
    pub(crate) link_text: String,
    pub(crate) seq: u64,
}

#[derive(Template)]
#[template(path = "project_history.html")]
struct HistoryPage {
    layout: Layout,
    id: String,
    title: String,
    project_code: String,
    rows: Vec<HistoryRow>,
}

/// `GET /procedures/{id}/history`: a project's whole public history in ledger order — every
/// announcement and every public act (opening, evaluation, candidates, objections, award,
/// contract, performance, supervision's suspensions), each with its proof.
pub(crate) async fn history(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<MaybeCaller>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let result = async {
        let procedure = state.app.procedure(None, &id).await?;
        let announcements = state.app.announcements(&id, "", 1000, 0).await?.items;
        let mut rows: Vec<HistoryRow> = state
            .app
            .public_history(&app::procedure_stream(&id))
            .await?
            .into_iter()
            .map(|item| HistoryRow {
                time: beijing_time(item.at_ms),
                label: crate::format::procedure_kind_label(
                    &item.kind,
                    &procedure.draft.rule_category,
                )
                .to_string(),
                link: String::new(),
                link_text: String::new(),
                seq: item.seq,
            })
            .collect();
        // Announcements are entries of their own; put them in their ledger place.
        for a in &announcements {
            rows.push(HistoryRow {
                time: beijing_time(a.published_at_ms),
                label: format!("发布{}", crate::format::announcement_kind_label(&a.kind)),
                link: format!("/announcements/{}", a.id),
                link_text: a.title.clone(),
                seq: a.seq.max(0) as u64,
            });
        }
        rows.sort_by_key(|r| (r.seq, r.link.is_empty()));
        Ok::<_, app::AppError>(HistoryPage {
            layout: layout(
                &state,
                &caller,
                &format!("{} · 项目全过程", procedure.draft.title),
                "procedures",
                &[
                    ("招标项目", "/procedures"),
                    (&procedure.draft.title, &format!("/procedures/{id}")),
                    ("项目全过程", ""),
                ],
            ),
            title: procedure.draft.title.clone(),
            project_code: procedure.draft.project_code.clone(),
            id,
            rows,
        })
    }
    .await;
    match result {
        Ok(page) => render(page),
        Err(e) => app_error_page(e),
    }
}

/// The latest announcements of one domain, for the home page.
pub(crate) struct DomainBlock {
    pub(crate) code: &'static str,
    pub(crate) label: &'static str,
    pub(crate) items: Vec<(String, String, String)>,
}

/// The home page's blocks: the newest announcements of each trading domain.
pub(crate) async fn domain_blocks(state: &AppState, per_domain: usize) -> Vec<DomainBlock> {
    let mut blocks = Vec::new();
    for code in DOMAINS {
        let query = SearchQuery {
            domain: Some(code.to_string()),
            sort: SortBy::Date,
            limit: per_domain,
            announcements_only: true,
            ..Default::default()
        };
        let items = match state.app.search(&query).await {
            Ok(hits) => hits
                .hits
                .into_iter()
                .map(|h| {
                    let date = beijing_time(h.published_ms).chars().take(10).collect();
                    (h.url, h.title, date)
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        blocks.push(DomainBlock {
            code,
            label: domain_label(code),
            items,
        });
    }
    blocks
}
