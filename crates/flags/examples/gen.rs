//! Writes N synthetic OCDS compiled releases as JSON lines, for benchmarking `ggzy flags` against
//! cardinal: `cargo run --release -p flags --example gen -- 1000000 > /var/tmp/releases.jsonl`
//! (an optional second argument is the seed; the default is 2026).
//!
//! The releases look like a trading centre's: parties with names and identifiers, a planning
//! budget, a tender with items, a tender period and a procurement method (open, selective,
//! limited, direct, with national method details), bids with statuses, dates and amounts, awards
//! and contracts. A few hundred buyers and procuring entities and thousands of tenderers recur
//! across processes (some far more often than others), so every indicator has something to find:
//! short tender periods, single tenderers, identical and suspiciously close prices, late winning
//! bids, disqualified rivals, suppliers of everything. The same seed gives the same bytes.

use std::io::{self, BufWriter, Write};

/// SplitMix64: small, fast and good enough for synthetic data.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// In `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Skewed towards small numbers: a few organisations take part far more often.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = self.unit();
        ((u * u * u) * n as f64) as u64 % n
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.below(choices.len() as u64) as usize]
    }
}

const BUYERS: u64 = 400;
const ENTITIES: u64 = 700;
const TENDERERS: u64 = 12_000;

const CITIES: &[&str] = &[
    "广州市",
    "深圳市",
    "珠海市",
    "汕头市",
    "佛山市",
    "韶关市",
    "湛江市",
    "肇庆市",
    "江门市",
    "茂名市",
];
const SECTORS: &[&str] = &[
    "建筑工程",
    "信息技术",
    "医疗器械",
    "办公用品",
    "道路养护",
    "园林绿化",
    "物业服务",
    "教学设备",
];
const TITLES: &[&str] = &[
    "采购项目",
    "施工项目",
    "服务项目",
    "设备采购",
    "维修改造工程",
    "年度框架协议",
];
/// (procurementMethod, procurementMethodDetails, weight in 100).
const METHODS: &[(&str, &str, u64)] = &[
    ("open", "公开招标", 45),
    ("open", "Reverse Auction", 10),
    ("selective", "邀请招标", 12),
    ("selective", "竞争性磋商", 8),
    ("limited", "竞争性谈判", 10),
    ("limited", "单一来源采购", 5),
    ("direct", "询价", 7),
    ("direct", "Random Selection", 3),
];
/// Two-digit UNSPSC segments, two per sector (in the order of `SECTORS`).
const SEGMENTS: &[&str] = &[
    "72", "30", "43", "81", "42", "41", "44", "14", "95", "72", "70", "77", "76", "80", "56", "60",
];

fn main() -> io::Result<()> {
    let mut arguments = std::env::args().skip(1);
    let count: u64 = arguments
        .next()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1000);
    let seed: u64 = arguments
        .next()
        .and_then(|text| text.parse().ok())
        .unwrap_or(2026);
    let mut random = Random(seed);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut line = String::with_capacity(8192);
    for index in 0..count {
        line.clear();
        release(&mut random, index, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

struct Bid {
    tenderers: Vec<u64>,
    amount: f64,
    status: &'static str,
    day: u64,
}

fn release(random: &mut Random, index: u64, out: &mut String) {
    use std::fmt::Write as _;

    let buyer = random.skewed(BUYERS);
    let sector_index = random.below(SECTORS.len() as u64);
    let entity = if random.chance(0.7) {
        buyer
    } else {
        BUYERS + random.skewed(ENTITIES)
    };
    let city = random.pick(CITIES);
    let sector = SECTORS[sector_index as usize];
    let title = random.pick(TITLES);
    let roll = random.below(100);
    let mut acc = 0;
    let (method, details) = METHODS
        .iter()
        .find(|(_, _, weight)| {
            acc += weight;
            roll < acc
        })
        .map_or(("open", "公开招标"), |(method, details, _)| {
            (*method, *details)
        });
    let cancelled = random.chance(0.03);
    let start_day = 19_000 + random.below(1_400);
    // Tender periods: mostly three to eight weeks, sometimes very short.
    let period_days = if random.chance(0.08) {
        1 + random.below(14)
    } else {
        15 + random.below(45)
    };
    let end_day = start_day + period_days;
    let estimate = (10_000.0 * 1000f64.powf(random.unit())).round();
    let currency = if random.chance(0.005) { "USD" } else { "CNY" };
    let lot = format!(
        "E{:04}{:09}{:03}",
        4400 + buyer % 100,
        index,
        random.below(1000)
    );

    // Bids: some invited or withdrawn, some disqualified, rarely late; consortia now and then.
    let invited = if method == "direct" && random.chance(0.5) {
        1
    } else {
        random.below(9)
    };
    let mut bids: Vec<Bid> = Vec::new();
    // Tenderers specialise: each belongs to one sector (its number modulo the sectors).
    let sectors = SECTORS.len() as u64;
    let in_sector =
        |random: &mut Random| random.skewed(TENDERERS / sectors) * sectors + sector_index;
    let favourite = in_sector(random);
    for number in 0..invited {
        let tenderer = if number == 0 && random.chance(0.4) {
            favourite
        } else {
            in_sector(random)
        };
        if bids.iter().any(|bid| bid.tenderers.contains(&tenderer)) {
            continue;
        }
        let mut tenderers = vec![tenderer];
        if random.chance(0.03) {
            tenderers.push(random.skewed(TENDERERS));
        }
        let status = match random.below(100) {
            0..=71 => "valid",
            72..=85 => "disqualified",
            86..=90 => "pending",
            91..=95 => "invited",
            _ => "withdrawn",
        };
        // Cover bidders (one tenderer in 53) price high and seldom win.
        let cover = if tenderer.is_multiple_of(53) {
            1.3
        } else {
            1.0
        };
        let amount = if random.chance(0.03) && !bids.is_empty() {
            bids[0].amount
        } else {
            (estimate * cover * (0.85 + 0.35 * random.unit()) * 100.0).round() / 100.0
        };
        let day = if random.chance(0.03) {
            end_day + 1 + random.below(5)
        } else {
            start_day + random.below(period_days.max(1))
        };
        bids.push(Bid {
            tenderers,
            amount,
            status,
            day,
        });
    }
    let number_of_tenderers = bids.iter().filter(|bid| bid.status != "invited").count();

    // Awards: usually the lowest valid bid, sometimes not; some pending, cancelled or split.
    let mut valid: Vec<usize> = (0..bids.len())
        .filter(|&i| bids[i].status == "valid")
        .collect();
    valid.sort_by(|&a, &b| bids[a].amount.total_cmp(&bids[b].amount));
    let mut awards: Vec<(&'static str, usize)> = Vec::new();
    if !valid.is_empty() && !cancelled {
        let winner = if random.chance(0.85) {
            valid[0]
        } else {
            valid[random.below(valid.len() as u64) as usize]
        };
        if random.chance(0.04) {
            awards.push(("cancelled", valid[valid.len() - 1]));
        }
        let status = if random.chance(0.05) {
            "pending"
        } else {
            "active"
        };
        awards.push((status, winner));
        if valid.len() > 2 && random.chance(0.04) {
            awards.push(("active", valid[1]));
        }
    }

    let name = |id: u64| -> String {
        format!(
            "{}{}{}有限公司",
            CITIES[(id % CITIES.len() as u64) as usize],
            SECTORS[(id / 7 % SECTORS.len() as u64) as usize],
            id
        )
    };
    let date = |day: u64, seconds: u64| -> String {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let z = day as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00",
            seconds / 3600 % 24,
            seconds / 60 % 60,
            seconds % 60
        )
    };

    let ocid = format!("ocds-ggzy00-{lot}");
    let _ = write!(
        out,
        r#"{{"ocid":"{ocid}","id":"{lot}-{index}","date":"{}","tag":["compiled"],"initiationType":"tender","language":"zh","#,
        date(end_day + 20, 36_000)
    );
    // Parties.
    out.push_str(r#""parties":["#);
    let _ = write!(
        out,
        r#"{{"id":"GD-B-{buyer}","name":"{city}{sector}管理局{buyer}","identifier":{{"scheme":"CN-USCC","id":"11440000MB2C{buyer:06}"}},"address":{{"locality":"{city}","countryName":"中国"}},"roles":["buyer"]}}"#
    );
    if entity != buyer {
        let _ = write!(
            out,
            r#",{{"id":"GD-PE-{entity}","name":"{city}公共资源交易中心{entity}","identifier":{{"scheme":"CN-USCC","id":"12440000MB3D{entity:06}"}},"roles":["procuringEntity"]}}"#
        );
    }
    for bid in &bids {
        for tenderer in &bid.tenderers {
            let _ = write!(
                out,
                r#",{{"id":"GD-T-{tenderer}","name":"{}","identifier":{{"scheme":"CN-USCC","id":"91440000{tenderer:010}"}},"roles":["tenderer"]}}"#,
                name(*tenderer)
            );
        }
    }
    out.push_str("],");
    let buyer_id = format!("GD-B-{buyer}");
    let entity_id = if entity == buyer {
        buyer_id.clone()
    } else {
        format!("GD-PE-{entity}")
    };
    let _ = write!(
        out,
        r#""buyer":{{"id":"{buyer_id}","name":"{city}{sector}管理局{buyer}"}},"planning":{{"budget":{{"id":"{lot}-B","description":"{city}{sector}{title}预算","amount":{{"amount":{estimate},"currency":"{currency}"}},"projectID":"{lot}"}}}},"#
    );
    // Tender.
    let status = if cancelled {
        "cancelled"
    } else if awards.is_empty() {
        "unsuccessful"
    } else {
        "complete"
    };
    let _ = write!(
        out,
        r#""tender":{{"id":"{lot}","title":"{city}{sector}{title}","description":"{city}{sector}{title}（第{}包）","status":"{status}","procuringEntity":{{"id":"{entity_id}","name":"{city}公共资源交易中心"}},"value":{{"amount":{estimate},"currency":"{currency}"}},"procurementMethod":"{method}","procurementMethodDetails":"{details}","mainProcurementCategory":"{}","#,
        1 + index % 5,
        ["goods", "works", "services"][(index % 3) as usize]
    );
    let item_count = 1 + random.below(4);
    let mut codes: Vec<String> = Vec::new();
    out.push_str(r#""items":["#);
    for item in 0..item_count {
        let segment = SEGMENTS[(sector_index * 2 + random.below(2)) as usize];
        let code = format!("{segment}{:06}", random.below(1_000_000));
        let _ = write!(
            out,
            r#"{}{{"id":"{}","description":"{sector}物资","classification":{{"scheme":"UNSPSC","id":"{code}"}},"quantity":{},"unit":{{"name":"项"}}}}"#,
            if item == 0 { "" } else { "," },
            item + 1,
            1 + random.below(50)
        );
        codes.push(code);
    }
    let _ = write!(
        out,
        r#"],"tenderPeriod":{{"startDate":"{}","endDate":"{}"}},"awardPeriod":{{"startDate":"{}"}},"numberOfTenderers":{number_of_tenderers},"submissionMethod":["electronicSubmission"]}},"#,
        date(start_day, 32_400),
        date(end_day, 32_400),
        date(end_day + 3, 32_400)
    );
    // Bids.
    let _ = write!(
        out,
        r#""bids":{{"statistics":[{{"id":"1","measure":"bids","value":{}}}],"details":["#,
        bids.len()
    );
    for (number, bid) in bids.iter().enumerate() {
        if number > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"id":"{lot}-{number}","date":"{}","status":"{}","tenderers":["#,
            date(bid.day, 40_000 + number as u64 * 61),
            bid.status
        );
        for (position, tenderer) in bid.tenderers.iter().enumerate() {
            let _ = write!(
                out,
                r#"{}{{"id":"GD-T-{tenderer}","name":"{}"}}"#,
                if position == 0 { "" } else { "," },
                name(*tenderer)
            );
        }
        let _ = write!(
            out,
            r#"],"value":{{"amount":{},"currency":"{currency}"}}}}"#,
            bid.amount
        );
    }
    out.push_str("]},");
    // Awards and contracts.
    out.push_str(r#""awards":["#);
    for (number, (status, bid)) in awards.iter().enumerate() {
        let bid = &bids[*bid];
        let supplier = bid.tenderers[0];
        // Some suppliers are awarded items from any segment.
        let items: Vec<String> = if supplier.is_multiple_of(97) {
            (0..3)
                .map(|_| format!("{}{:06}", random.pick(SEGMENTS), random.below(1_000_000)))
                .collect()
        } else {
            codes.clone()
        };
        let _ = write!(
            out,
            r#"{}{{"id":"{lot}-A{number}","title":"{title}中标结果","status":"{status}","date":"{}","value":{{"amount":{},"currency":"{currency}"}},"suppliers":[{{"id":"GD-T-{supplier}","name":"{}"}}],"items":["#,
            if number == 0 { "" } else { "," },
            date(end_day + 10, 36_000),
            bid.amount,
            name(supplier)
        );
        for (position, code) in items.iter().enumerate() {
            let _ = write!(
                out,
                r#"{}{{"id":"{}","classification":{{"scheme":"UNSPSC","id":"{code}"}},"quantity":1}}"#,
                if position == 0 { "" } else { "," },
                position + 1
            );
        }
        out.push_str("]}");
    }
    out.push_str(r#"],"contracts":["#);
    let mut first = true;
    for (number, (_, bid)) in awards
        .iter()
        .enumerate()
        .filter(|(_, (status, _))| *status == "active")
    {
        let _ = write!(
            out,
            r#"{}{{"id":"{lot}-C{number}","awardID":"{lot}-A{number}","status":"{}","value":{{"amount":{},"currency":"{currency}"}},"dateSigned":"{}","period":{{"startDate":"{}","endDate":"{}"}}}}"#,
            if first { "" } else { "," },
            if random.chance(0.9) {
                "active"
            } else {
                "terminated"
            },
            bids[*bid].amount,
            date(end_day + 25, 36_000),
            date(end_day + 30, 0),
            date(end_day + 395, 0)
        );
        first = false;
    }
    out.push_str("]}");
}
