//! The search index: Chinese words, codes, filters, facets, paging, persistence.

use search::{Doc, SearchIndex, SearchQuery, SortBy};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_790_000_000_000;

fn doc(key: &str, title: &str, body: &str, domain: &str, region: &str, day: i64) -> Doc {
    Doc {
        key: key.into(),
        url: format!("/announcements/{key}"),
        title: title.into(),
        body: body.into(),
        codes: vec![],
        domain: domain.into(),
        doc_type: "tender_notice".into(),
        region: region.into(),
        published_ms: T0 + day * DAY,
        amount_fen: None,
        seq: day as u64 + 1,
    }
}

fn corpus() -> Vec<Doc> {
    let mut a = doc(
        "a",
        "杭州市西湖区污水处理厂提标改造工程施工招标公告",
        "本招标项目杭州市西湖区污水处理厂提标改造工程已由杭州市发展和改革委员会批准建设，项目代码 2026-330106-77-01-000123。",
        "construction",
        "330106",
        1,
    );
    a.codes = vec!["2026-330106-77-01-000123".into(), "E3301060001001".into()];
    a.amount_fen = Some(3_200_000_000);
    let mut b = doc(
        "b",
        "宁波市政府采购办公设备项目采购公告",
        "采购人宁波市机关事务管理局，采购台式计算机和打印机。参考项目 2026-330106-77-01-000123 的做法。",
        "procurement",
        "330200",
        2,
    );
    b.amount_fen = Some(80_000_000);
    let mut c = doc(
        "c",
        "余杭区国有建设用地使用权挂牌出让公告",
        "杭州市规划和自然资源局余杭分局决定以挂牌方式出让一宗国有建设用地使用权。",
        "land",
        "330110",
        3,
    );
    c.doc_type = "auction_notice".into();
    c.amount_fen = Some(50_000_000_000);
    c.codes = vec!["TD-2026-018".into()];
    let mut d = doc(
        "d",
        "浙江某建设集团有限公司",
        "统一社会信用代码 91330000MA27U8QX6K，注册地杭州市。",
        "",
        "330000",
        0,
    );
    d.doc_type = "entity".into();
    d.codes = vec!["91330000MA27U8QX6K".into()];
    vec![a, b, c, d]
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.add(&corpus(), 4).unwrap();
    index
}

fn q(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        limit: 10,
        ..Default::default()
    }
}

fn keys(hits: &search::Hits) -> Vec<&str> {
    hits.hits.iter().map(|h| h.key.as_str()).collect()
}

#[test]
fn jieba_cuts_chinese_into_overlapping_words_without_punctuation() {
    let words = search::words("公共资源交易平台，“一张网”公开！ABC");
    assert!(words.contains(&"公共".to_string()), "{words:?}");
    assert!(words.contains(&"资源".to_string()), "{words:?}");
    assert!(words.contains(&"公共资源".to_string()), "{words:?}");
    assert!(words.contains(&"abc".to_string()), "lowercased: {words:?}");
    assert!(
        words.iter().all(|w| w.chars().any(char::is_alphanumeric)),
        "{words:?}"
    );
}

#[test]
fn a_chinese_phrase_from_the_body_finds_the_document() {
    let index = index();
    let hits = index.search(&q("提标改造")).unwrap();
    assert_eq!(keys(&hits), ["a"]);
    assert!(
        hits.hits[0].snippet_html.contains("<b>"),
        "{}",
        hits.hits[0].snippet_html
    );
    let hits = index.search(&q("台式计算机")).unwrap();
    assert_eq!(keys(&hits), ["b"]);
    // Every word must be there.
    assert_eq!(index.search(&q("污水处理 打印机")).unwrap().total, 0);
    assert_eq!(index.search(&q("飞机场")).unwrap().total, 0);
}

#[test]
fn an_exact_code_ranks_first_even_when_others_mention_it() {
    let index = index();
    let hits = index.search(&q("2026-330106-77-01-000123")).unwrap();
    assert_eq!(hits.hits[0].key, "a", "{:?}", keys(&hits));
    assert!(hits.hits[0].exact_code);
    assert!(keys(&hits).contains(&"b"), "the mention is found too");
    assert!(!hits.hits.iter().find(|h| h.key == "b").unwrap().exact_code);
    for (code, key) in [
        ("e3301060001001", "a"),
        ("TD-2026-018", "c"),
        ("91330000MA27U8QX6K", "d"),
        ("91330000ma27u8qx6k", "d"),
    ] {
        let hits = index.search(&q(code)).unwrap();
        assert_eq!(hits.hits[0].key, key, "{code}: {:?}", keys(&hits));
        assert!(hits.hits[0].exact_code, "{code}");
    }
}

#[test]
fn filters_and_facets() {
    let index = index();
    let all = index.search(&q("")).unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(
        keys(&all),
        ["c", "b", "a", "d"],
        "newest first without text"
    );
    let count = |facets: &[(String, u64)], key: &str| {
        facets.iter().find(|(k, _)| k == key).map_or(0, |(_, n)| *n)
    };
    assert_eq!(count(&all.facets.domain, "construction"), 1);
    assert_eq!(count(&all.facets.doc_type, "tender_notice"), 2);
    assert_eq!(count(&all.facets.region, "330106"), 1);
    assert_eq!(count(&all.facets.amount, "lt1m"), 1);
    assert_eq!(count(&all.facets.amount, "10m-100m"), 1);
    assert_eq!(count(&all.facets.amount, "ge100m"), 1);
    assert!(all.facets.date.is_empty(), "no date facet without now");
    let dated = index
        .search(&SearchQuery {
            now_ms: T0 + 3 * DAY + 1,
            ..q("")
        })
        .unwrap();
    assert_eq!(
        dated.facets.date,
        vec![
            ("7d".to_string(), 4),
            ("30d".to_string(), 4),
            ("365d".to_string(), 4)
        ]
    );
    let later = index
        .search(&SearchQuery {
            now_ms: T0 + 9 * DAY + 1,
            ..q("")
        })
        .unwrap();
    assert_eq!(
        count(&later.facets.date, "7d"),
        1,
        "only day 3 is within 7 days of day 9"
    );
    assert_eq!(count(&later.facets.date, "30d"), 4);

    let hangzhou = index
        .search(&SearchQuery {
            region: Some("330100".into()),
            ..q("")
        })
        .unwrap();
    assert_eq!(keys(&hangzhou), ["c", "a"], "subregions of 杭州");
    let land = index
        .search(&SearchQuery {
            domain: Some("land".into()),
            ..q("")
        })
        .unwrap();
    assert_eq!(keys(&land), ["c"]);
    let dated = index
        .search(&SearchQuery {
            from_ms: Some(T0 + DAY),
            to_ms: Some(T0 + 3 * DAY),
            ..q("")
        })
        .unwrap();
    assert_eq!(keys(&dated), ["b", "a"], "from inclusive, to exclusive");
    let amount = index
        .search(&SearchQuery {
            min_amount_fen: Some(100_000_000),
            max_amount_fen: Some(3_200_000_000),
            ..q("")
        })
        .unwrap();
    assert_eq!(keys(&amount), ["a"], "inclusive bounds, no amount excluded");
    let kind = index
        .search(&SearchQuery {
            doc_type: Some("entity".into()),
            ..q("杭州")
        })
        .unwrap();
    assert_eq!(keys(&kind), ["d"]);
    let announcements = index
        .search(&SearchQuery {
            announcements_only: true,
            ..q("")
        })
        .unwrap();
    assert_eq!(keys(&announcements), ["c", "b", "a"]);
    let announcements = index
        .search(&SearchQuery {
            announcements_only: true,
            ..q("杭州")
        })
        .unwrap();
    assert!(!keys(&announcements).contains(&"d"));
}

#[test]
fn sorting_and_paging() {
    let index = index();
    let by_date = index
        .search(&SearchQuery {
            sort: SortBy::Date,
            ..q("杭州市")
        })
        .unwrap();
    let dates: Vec<i64> = by_date.hits.iter().map(|h| h.published_ms).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(by_date.total >= 3);
    let page = index
        .search(&SearchQuery {
            offset: 1,
            limit: 1,
            sort: SortBy::Date,
            ..q("")
        })
        .unwrap();
    assert_eq!(keys(&page), ["b"]);
    assert_eq!(page.total, 4);
}

#[test]
fn markup_and_query_syntax_are_plain_text() {
    let index = SearchIndex::in_memory().unwrap();
    index
        .add(
            &[doc(
                "x",
                "<script>alert(1)</script>采购公告",
                "正文 <img src=x onerror=alert(1)> 采购内容",
                "procurement",
                "330000",
                1,
            )],
            1,
        )
        .unwrap();
    let hits = index.search(&q("采购")).unwrap();
    assert_eq!(hits.total, 1);
    assert!(
        !hits.hits[0].title_html.contains("<script>"),
        "{}",
        hits.hits[0].title_html
    );
    assert!(
        !hits.hits[0].snippet_html.contains("<img"),
        "{}",
        hits.hits[0].snippet_html
    );
    for nasty in [
        "title:采购",
        "\"采购",
        "采购 AND OR NOT",
        "(((",
        "：，。",
        "*",
    ] {
        index.search(&q(nasty)).unwrap();
    }
    assert_eq!(index.search(&q("：，。")).unwrap().total, 0);
}

#[test]
fn a_later_doc_with_the_same_key_replaces_the_earlier() {
    let index = index();
    let mut changed = corpus()[0].clone();
    changed.title = "杭州市西湖区污水处理厂提标改造工程施工招标更正公告".into();
    index.add(&[changed], 5).unwrap();
    assert_eq!(index.len(), 4);
    let hits = index.search(&q("更正")).unwrap();
    assert_eq!(keys(&hits), ["a"]);
    assert_eq!(index.indexed_through(), 5);
}

#[test]
fn an_index_on_disk_remembers_how_far_it_got() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.indexed_through(), 0);
        index.add(&corpus(), 42).unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.indexed_through(), 42);
    assert_eq!(index.len(), 4);
    index.add(&corpus()[..1], 43).unwrap();
    assert!(index.segments() > 1);
    index.optimize().unwrap();
    assert_eq!(index.segments(), 1);
    assert_eq!((index.indexed_through(), index.len()), (43, 4));
    assert_eq!(index.search(&q("提标改造")).unwrap().total, 1);
    drop(index);
    SearchIndex::wipe(dir.path()).unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!((index.indexed_through(), index.len()), (0, 0));
}

#[test]
fn highlighting_marks_the_longest_words_escapes_and_cuts_around_the_first_match() {
    let marks = vec![
        "污水处理厂".to_string(),
        "污水".to_string(),
        "改造".to_string(),
    ];
    assert_eq!(
        search::highlight("西湖区污水处理厂提标改造<工程>", &marks, 100),
        "西湖区<b>污水处理厂</b>提标<b>改造</b>&lt;工程&gt;"
    );
    let long = format!("{}污水{}", "前".repeat(200), "后".repeat(200));
    let cut = search::highlight(&long, &marks, 40);
    assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
    assert!(cut.contains("<b>污水</b>"), "{cut}");
    assert_eq!(cut.chars().filter(|c| *c == '前' || *c == '后').count(), 38);
    let none = search::highlight(&"无".repeat(50), &marks, 20);
    assert_eq!(none, format!("{}…", "无".repeat(20)));
    assert_eq!(
        search::highlight("ABC abc", &["abc".to_string()], 100),
        "<b>ABC</b> <b>abc</b>"
    );
}
