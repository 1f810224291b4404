//! Full-text search over the platform's public documents (一站式查询).
//!
//! One tantivy index per node, fed from the store in ledger order: each commit records, in its
//! payload, the last ledger sequence number it includes, so a node that restarts resumes where
//! it stopped and `ggzy reindex` can rebuild it from nothing. Chinese text is cut by jieba in
//! search mode (overlapping words, so 公共资源 is found by 公共, 资源 and 公共资源), lowercased,
//! with punctuation and spaces dropped. Codes (项目代码, 交易标识码, 统一社会信用代码) are kept
//! whole, lowercased, in their own field: a query that is exactly a code finds it first.
//!
//! This crate knows nothing of the store or of HTTP: the application maps its rows to [`Doc`]s.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Term, doc};

/// The layout of the index. A stored index of another version is rebuilt from the store.
pub const SCHEMA_VERSION: u32 = 3;
/// Memory the writer may use before it flushes a segment.
const WRITER_BUDGET: usize = 64 * 1024 * 1024;
/// Largest page of hits.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset a query may ask for (deep paging costs the whole top-k).
pub const MAX_OFFSET: usize = 10_000;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(String),
    #[error("search index: {0}")]
    Other(String),
}

/// One searchable public document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    /// Unique key, e.g. `announcement:TD-2026-018-auction_notice`; a later doc with the same key
    /// replaces the earlier one.
    pub key: String,
    /// The page that shows it, e.g. `/announcements/…`.
    pub url: String,
    pub title: String,
    pub body: String,
    /// Exact codes that find it: project code, lot code (交易标识码), 统一社会信用代码, ids.
    pub codes: Vec<String>,
    /// The catalog category (工程建设 `construction`, 政府采购 `procurement`, 土地 `land`, …).
    pub domain: String,
    /// The kind of document (an announcement kind, or `entity`).
    pub doc_type: String,
    /// The region code (GB/T 2260, six digits).
    pub region: String,
    /// When it was published, unix ms.
    pub published_ms: i64,
    /// The amount it concerns (budget, starting price), fen; `None` when it has none.
    pub amount_fen: Option<i64>,
    /// Its ledger sequence number.
    pub seq: u64,
}

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Best match first (exact code matches before everything else); newest first without text.
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Words, a phrase, or a code. Empty: everything that passes the filters.
    pub text: String,
    pub domain: Option<String>,
    pub doc_type: Option<String>,
    /// A region code; its subregions match too (330000 matches 330106).
    pub region: Option<String>,
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
    pub min_amount_fen: Option<i64>,
    /// Inclusive.
    pub max_amount_fen: Option<i64>,
    pub sort: SortBy,
    pub offset: usize,
    pub limit: usize,
    /// Leave out market entities (feeds and the home page list announcements only).
    #[serde(default)]
    pub announcements_only: bool,
    /// The present (unix ms), for the date facet (published within 7, 30, 365 days); 0: no
    /// date facet.
    #[serde(default)]
    pub now_ms: i64,
}

/// One hit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub key: String,
    pub url: String,
    pub title: String,
    /// The title with the matched words in `<mark>`, HTML-escaped.
    pub title_html: String,
    /// A fragment of the body with the matched words in `<mark>`, HTML-escaped.
    pub snippet_html: String,
    pub domain: String,
    pub doc_type: String,
    pub region: String,
    pub published_ms: i64,
    pub amount_fen: Option<i64>,
    pub seq: u64,
    /// The query is exactly one of this document's codes.
    pub exact_code: bool,
    pub score: f32,
}

/// Counts of the matching documents by facet value.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    pub domain: Vec<(String, u64)>,
    pub doc_type: Vec<(String, u64)>,
    pub region: Vec<(String, u64)>,
    /// Amount buckets in fen: (label key, from, to, count). Keys: `lt1m`, `1m-10m`, `10m-100m`,
    /// `ge100m` in 元 (1m = 1,000,000 元).
    pub amount: Vec<(String, u64)>,
    /// Published within the last `7d`, `30d`, `365d` (cumulative), when the query gave `now_ms`.
    pub date: Vec<(String, u64)>,
}

/// The date facet's windows: key and days.
pub const DATE_WINDOWS: &[(&str, i64)] = &[("7d", 7), ("30d", 30), ("365d", 365)];

/// A page of hits with the facets of everything that matched.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hits {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// Amount buckets in 元 (1 元 = 100 fen) for the amount facet.
pub const AMOUNT_BUCKETS: &[(&str, i64, i64)] = &[
    ("lt1m", 0, 100_000_000),
    ("1m-10m", 100_000_000, 1_000_000_000),
    ("10m-100m", 1_000_000_000, 10_000_000_000),
    ("ge100m", 10_000_000_000, i64::MAX),
];

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    url: Field,
    title: Field,
    body: Field,
    words: Field,
    codes: Field,
    domain: Field,
    doc_type: Field,
    region: Field,
    regions: Field,
    published: Field,
    amount: Field,
    seq: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Words are matched in one field holding the title twice and the body (a title word
    // weighs more by its frequency): a query is then a plain intersection of posting lists.
    // Title and body are stored for display and highlighting, not indexed apart.
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CHINESE)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let code = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CODE)
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        title: builder.add_text_field("title", STORED),
        body: builder.add_text_field("body", STORED),
        words: builder.add_text_field("words", words),
        codes: builder.add_text_field("codes", code.set_stored()),
        domain: builder.add_text_field("domain", STRING | STORED | FAST),
        doc_type: builder.add_text_field("doc_type", STRING | STORED | FAST),
        region: builder.add_text_field("region", STRING | STORED | FAST),
        regions: builder.add_text_field("regions", STRING),
        published: builder.add_i64_field("published", INDEXED | STORED | FAST),
        amount: builder.add_i64_field("amount", INDEXED | STORED | FAST),
        seq: builder.add_u64_field("seq", STORED),
    };
    (builder.build(), fields)
}

const CHINESE: &str = "zh";
const CODE: &str = "code";

/// Drops tokens that are only punctuation, symbols or spaces (jieba emits them as words).
#[derive(Clone, Copy, Default)]
struct DropPunctuation;

impl TokenFilter for DropPunctuation {
    type Tokenizer<T: Tokenizer> = DropPunctuationTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DropPunctuationTokenizer<T> {
        DropPunctuationTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct DropPunctuationTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for DropPunctuationTokenizer<T> {
    type TokenStream<'a> = DropPunctuationStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DropPunctuationStream(self.0.token_stream(text))
    }
}

struct DropPunctuationStream<S>(S);

impl<S: TokenStream> TokenStream for DropPunctuationStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

fn register_tokenizers(index: &Index) {
    index.tokenizers().register(CHINESE, chinese_analyzer());
    index.tokenizers().register(
        CODE,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The words jieba (search mode, lowercased, without punctuation) cuts `text` into; for tests
/// and for explaining a query.
pub fn words(text: &str) -> Vec<String> {
    positioned_words(text).into_iter().map(|(_, w)| w).collect()
}

fn chinese_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(DropPunctuation)
        .filter(LowerCaser)
        .build()
}

/// The words with their positions, as the index stores them.
fn positioned_words(text: &str) -> Vec<(usize, String)> {
    let mut analyzer = chinese_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    out
}

#[derive(Serialize, Deserialize)]
struct Payload {
    version: u32,
    through_seq: u64,
}

/// The index of one node.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex(through {})", self.indexed_through())
    }
}

impl SearchIndex {
    /// An index kept in memory (tests, and a node without a data directory).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    /// The index in `dir`, created when missing; an index of another schema version is wiped
    /// and starts again from nothing (the caller then feeds it from the store).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Directory(e.to_string()))?;
        if Index::exists(&directory).map_err(|e| SearchError::Directory(e.to_string()))? {
            let index = Index::open(directory)?;
            let current = index
                .load_metas()?
                .payload
                .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
                .map(|p| p.version);
            if current == Some(SCHEMA_VERSION) && index.schema() == schema {
                return Self::with_index(index, fields);
            }
            drop(index);
            Self::wipe(dir)?;
        }
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Directory(e.to_string()))?;
        Self::with_index(
            Index::create(directory, schema, Default::default())?,
            fields,
        )
    }

    /// Removes the index files in `dir` (for `ggzy reindex`).
    pub fn wipe(dir: &Path) -> Result<(), SearchError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Directory(e.to_string()))
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self, SearchError> {
        register_tokenizers(&index);
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
        })
    }

    /// The last ledger sequence number the index includes (0: none).
    pub fn indexed_through(&self) -> u64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .map_or(0, |p| p.through_seq)
    }

    /// Adds (or replaces, by key) `docs` and commits, recording `through_seq` as included;
    /// searches see them when this returns.
    pub fn add(&self, docs: &[Doc], through_seq: u64) -> Result<(), SearchError> {
        self.apply(docs, &[], through_seq)
    }

    /// Adds (or replaces) `docs`, removes the documents keyed `removed`, and commits with
    /// `through_seq` recorded; searches see the change when this returns.
    pub fn apply(
        &self,
        docs: &[Doc],
        removed: &[String],
        through_seq: u64,
    ) -> Result<(), SearchError> {
        let f = self.fields;
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| SearchError::Other("writer lock poisoned".into()))?;
        for key in removed {
            writer.delete_term(Term::from_field_text(f.key, key));
        }
        for d in docs {
            writer.delete_term(Term::from_field_text(f.key, &d.key));
            let mut document = doc!(
                f.key => d.key.as_str(),
                f.url => d.url.as_str(),
                f.title => d.title.as_str(),
                f.body => d.body.as_str(),
                f.words => format!("{}\n{}\n{}", d.title, d.title, d.body),
                f.domain => d.domain.as_str(),
                f.doc_type => d.doc_type.as_str(),
                f.region => d.region.as_str(),
                f.published => d.published_ms,
                f.seq => d.seq,
            );
            for code in d.codes.iter().filter(|c| !c.trim().is_empty()) {
                document.add_text(f.codes, code.trim());
            }
            for region in region_ancestors(&d.region) {
                document.add_text(f.regions, &region);
            }
            if let Some(amount) = d.amount_fen {
                document.add_i64(f.amount, amount);
            }
            writer.add_document(document)?;
        }
        let payload = serde_json::to_string(&Payload {
            version: SCHEMA_VERSION,
            through_seq: through_seq.max(self.indexed_through()),
        })
        .map_err(|e| SearchError::Other(e.to_string()))?;
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&payload);
        commit.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// Merges every segment into one (after a bulk load such as `ggzy reindex`: fewer segments,
    /// faster searches). Live indexing leaves merging to tantivy's merge policy.
    pub fn optimize(&self) -> Result<(), SearchError> {
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() > 1 {
            let mut writer = self
                .writer
                .lock()
                .map_err(|_| SearchError::Other("writer lock poisoned".into()))?;
            writer.merge(&ids).wait()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// How many segments the index has (for tests and reports).
    pub fn segments(&self) -> usize {
        self.index
            .searchable_segment_ids()
            .map_or(0, |ids| ids.len())
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The words of `text` as a query: every word jieba finds in it must occur, in the title or
    /// the body (a title match weighs three times a body match). In search mode jieba also
    /// emits the whole word beside its parts (污水处理厂 and 污水, 处理), so requiring every
    /// word keeps the precision of a phrase without reading positions. A text without spaces
    /// may also be a code, and an exact code outranks everything. No query syntax is offered to
    /// the public.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let text = text.trim();
        let mut seen = std::collections::BTreeSet::new();
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (_, word) in positioned_words(text) {
            if !seen.insert(word.clone()) {
                continue;
            }
            parts.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.words, &word),
                    IndexRecordOption::WithFreqs,
                )),
            ));
        }
        let words: Option<Box<dyn Query>> = match parts.len() {
            0 => None,
            _ => Some(Box::new(BooleanQuery::new(parts))),
        };
        if text.is_empty() || text.contains(char::is_whitespace) {
            return words;
        }
        let code: Box<dyn Query> = Box::new(BoostQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(f.codes, &text.to_lowercase()),
                IndexRecordOption::Basic,
            )),
            1000.0,
        ));
        Some(match words {
            Some(words) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, words),
                (Occur::Should, code),
            ])),
            None => code,
        })
    }

    fn query(&self, q: &SearchQuery) -> (Box<dyn Query>, Option<Box<dyn Query>>) {
        let f = self.fields;
        let text = self.text_query(&q.text);
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(text) = &text {
            must.push((Occur::Must, text.box_clone()));
        } else if !q.text.trim().is_empty() {
            // Only punctuation: nothing can match.
            must.push((Occur::Must, term(f.key, "\u{0}")));
        }
        if let Some(domain) = q.domain.as_deref().filter(|s| !s.is_empty()) {
            must.push((Occur::Must, term(f.domain, domain)));
        }
        if let Some(kind) = q.doc_type.as_deref().filter(|s| !s.is_empty()) {
            must.push((Occur::Must, term(f.doc_type, kind)));
        }
        if q.announcements_only {
            must.push((Occur::MustNot, term(f.doc_type, "entity")));
            if must.iter().all(|(occur, _)| *occur == Occur::MustNot) {
                must.push((Occur::Must, Box::new(AllQuery)));
            }
        }
        if let Some(region) = q.region.as_deref().filter(|s| !s.is_empty()) {
            must.push((Occur::Must, term(f.regions, region)));
        }
        if q.from_ms.is_some() || q.to_ms.is_some() {
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    q.from_ms.map_or(Bound::Unbounded, |v| {
                        Bound::Included(Term::from_field_i64(f.published, v))
                    }),
                    q.to_ms.map_or(Bound::Unbounded, |v| {
                        Bound::Excluded(Term::from_field_i64(f.published, v))
                    }),
                )),
            ));
        }
        if q.min_amount_fen.is_some() || q.max_amount_fen.is_some() {
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    q.min_amount_fen.map_or(Bound::Unbounded, |v| {
                        Bound::Included(Term::from_field_i64(f.amount, v))
                    }),
                    q.max_amount_fen.map_or(Bound::Unbounded, |v| {
                        Bound::Included(Term::from_field_i64(f.amount, v))
                    }),
                )),
            ));
        }
        let query: Box<dyn Query> = if must.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        };
        (query, text)
    }

    /// Runs a search: a page of hits, the total and the facets of everything that matched.
    pub fn search(&self, q: &SearchQuery) -> Result<Hits, SearchError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let (query, text) = self.query(q);
        let limit = q.limit.clamp(1, MAX_LIMIT);
        let offset = q.offset.min(MAX_OFFSET);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let aggregations = facet_request(q.now_ms);
        let collector = AggregationCollector::from_aggs(
            aggregations,
            AggContextParams::new(
                AggregationLimitsGuard::default(),
                self.index.tokenizers().clone(),
            ),
        );
        let by_date = q.sort == SortBy::Date || text.is_none();
        let (total, addresses, aggregates): (usize, Vec<(f32, DocAddress)>, AggregationResults) =
            if by_date {
                let (total, docs, aggregates) = searcher.search(
                    &query,
                    &(
                        Count,
                        top.order_by_fast_field::<i64>("published", Order::Desc),
                        collector,
                    ),
                )?;
                (
                    total,
                    docs.into_iter().map(|(_, a)| (0.0, a)).collect(),
                    aggregates,
                )
            } else {
                searcher.search(&query, &(Count, top.order_by_score(), collector))?
            };
        // Highlighting: the query's words (longest first) found again in the stored title and
        // body by plain search — no second tokenization of every hit.
        let mut marks: Vec<String> = match &text {
            Some(_) => words(&q.text),
            None => Vec::new(),
        };
        marks.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        marks.dedup();
        let query_code = q.text.trim().to_lowercase();
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text_of = |field: Field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let title = text_of(f.title);
            let body = text_of(f.body);
            let title_html = highlight(&title, &marks, usize::MAX);
            let snippet_html = highlight(&body, &marks, 120);
            let exact_code = !query_code.is_empty()
                && stored
                    .get_all(f.codes)
                    .filter_map(|v| v.as_str())
                    .any(|c| c.to_lowercase() == query_code);
            hits.push(Hit {
                key: text_of(f.key),
                url: text_of(f.url),
                title,
                title_html,
                snippet_html,
                domain: text_of(f.domain),
                doc_type: text_of(f.doc_type),
                region: text_of(f.region),
                published_ms: stored
                    .get_first(f.published)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                amount_fen: stored.get_first(f.amount).and_then(|v| v.as_i64()),
                seq: stored
                    .get_first(f.seq)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default(),
                exact_code,
                score,
            });
        }
        Ok(Hits {
            total: total as u64,
            hits,
            facets: facets(&aggregates),
        })
    }
}

fn facet_request(now_ms: i64) -> Aggregations {
    let ranges: Vec<serde_json::Value> = AMOUNT_BUCKETS
        .iter()
        .map(|(key, from, to)| {
            if *to == i64::MAX {
                serde_json::json!({ "key": key, "from": from })
            } else {
                serde_json::json!({ "key": key, "from": from, "to": to })
            }
        })
        .collect();
    // Non-overlapping bands (newest first); the facet adds them up.
    let mut bands = Vec::new();
    let mut upper: Option<i64> = None;
    for (key, days) in DATE_WINDOWS {
        let from = now_ms - days * 86_400_000;
        bands.push(match upper {
            None => serde_json::json!({ "key": key, "from": from }),
            Some(to) => serde_json::json!({ "key": key, "from": from, "to": to }),
        });
        upper = Some(from);
    }
    let mut request = serde_json::json!({
        "domain": { "terms": { "field": "domain", "size": 50 } },
        "doc_type": { "terms": { "field": "doc_type", "size": 50 } },
        "region": { "terms": { "field": "region", "size": 50 } },
        "amount": { "range": { "field": "amount", "ranges": ranges } },
    });
    if now_ms > 0 {
        request["date"] = serde_json::json!({ "range": { "field": "published", "ranges": bands } });
    }
    serde_json::from_value(request).expect("the facet request is well-formed")
}

fn facets(results: &AggregationResults) -> Facets {
    let json = serde_json::to_value(results).unwrap_or_default();
    let terms = |name: &str| -> Vec<(String, u64)> {
        json[name]["buckets"]
            .as_array()
            .map(|buckets| {
                buckets
                    .iter()
                    .filter_map(|b| {
                        Some((
                            b["key"].as_str()?.to_string(),
                            b["doc_count"].as_u64().unwrap_or_default(),
                        ))
                    })
                    .filter(|(key, _)| !key.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let amount = AMOUNT_BUCKETS
        .iter()
        .map(|(key, _, _)| {
            let count = json["amount"]["buckets"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|b| b["key"].as_str() == Some(key))
                .and_then(|b| b["doc_count"].as_u64())
                .unwrap_or_default();
            (key.to_string(), count)
        })
        .collect();
    let mut total = 0;
    let date = if json.get("date").is_some() {
        DATE_WINDOWS
            .iter()
            .map(|(key, _)| {
                total += json["date"]["buckets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|b| b["key"].as_str() == Some(key))
                    .and_then(|b| b["doc_count"].as_u64())
                    .unwrap_or_default();
                (key.to_string(), total)
            })
            .collect()
    } else {
        Vec::new()
    };
    Facets {
        date,
        domain: terms("domain"),
        doc_type: terms("doc_type"),
        region: terms("region"),
        amount,
    }
}

/// A region and the regions above it: 330106 → 330106, 330100, 330000.
pub fn region_ancestors(region: &str) -> Vec<String> {
    let mut out = Vec::new();
    if region.len() == 6 && region.chars().all(|c| c.is_ascii_digit()) {
        out.push(format!("{}0000", &region[..2]));
        out.push(format!("{}00", &region[..4]));
        out.push(region.to_string());
        out.dedup();
    } else if !region.is_empty() {
        out.push(region.to_string());
    }
    out
}

/// `text` HTML-escaped with every occurrence of `marks` (lowercase words, longest first) in
/// `<b>`; cut to about `window` characters around the first occurrence (the start when there is
/// none), with `…` where it is cut.
pub fn highlight(text: &str, marks: &[String], window: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let marks: Vec<Vec<char>> = marks
        .iter()
        .filter(|m| !m.is_empty())
        .map(|m| m.chars().collect())
        .collect();
    // Which characters are marked: at each place the longest word that starts there.
    let mut marked = vec![false; chars.len()];
    let mut first = None;
    let mut i = 0;
    while i < lower.len() {
        let found = marks
            .iter()
            .find(|m| lower.len() - i >= m.len() && lower[i..i + m.len()] == m[..]);
        match found {
            Some(m) => {
                first.get_or_insert(i);
                marked[i..i + m.len()].iter_mut().for_each(|x| *x = true);
                i += m.len();
            }
            None => i += 1,
        }
    }
    let (start, end) = if chars.len() <= window {
        (0, chars.len())
    } else {
        let start = first.map_or(0, |f| f.saturating_sub(window / 4));
        let end = (start + window).min(chars.len());
        (end.saturating_sub(window), end)
    };
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut open = false;
    for k in start..end {
        if marked[k] != open {
            out.push_str(if marked[k] { "<b>" } else { "</b>" });
            open = marked[k];
        }
        out.push_str(&escape(&chars[k].to_string()));
    }
    if open {
        out.push_str("</b>");
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
