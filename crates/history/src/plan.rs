//! The plan, as pure functions of the options and the seed: the market (who, where), every lot
//! and sale with its times, bidders and prices, and which of them carry planted collusion.
//! Nothing here touches the platform; `run` carries the plan out through the use cases.

use std::collections::BTreeSet;

use crate::truth::PlantedKind;

pub(crate) const MINUTE: i64 = 60_000;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;

/// A small, documented generator (SplitMix64): the same seed gives the same plan everywhere.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed ^ 0x005e_ed0f_6a7a_2026)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    pub(crate) fn range(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        low + (self.next_u64() % (high - low + 1) as u64) as i64
    }

    /// True with probability `bp` / 10000.
    pub(crate) fn chance(&mut self, bp: i64) -> bool {
        self.range(0, 9_999) < bp
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }

    /// `count` distinct indices of `0..n` (fewer if `n` is smaller).
    pub(crate) fn sample(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..all.len() {
            let j = self.range(i as i64, all.len() as i64 - 1) as usize;
            all.swap(i, j);
        }
        all.truncate(count);
        all
    }

    pub(crate) fn hex(&mut self, bytes: usize) -> String {
        (0..bytes)
            .map(|_| format!("{:02x}", self.next_u64() as u8))
            .collect()
    }
}

/// A valid 统一社会信用代码 from its prefix (`91` company, `12` institution, `11` organ), region
/// and an 8-character organisation body: the GB 11714 check character, then GB 32100's.
pub(crate) fn uscc(prefix: &str, region: &str, body: &str) -> String {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let value = |c: char| c.to_digit(36).unwrap_or(0);
    let sum: u32 = body.chars().zip(WEIGHTS).map(|(c, w)| value(c) * w).sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    };
    let first17 = format!("{prefix}{region}{body}{check}");
    let last = domain::Uscc::check_char_for(&first17).unwrap_or('0');
    format!("{first17}{last}")
}

/// A valid 居民身份证号码 (GB 11643) from region, birth date and a 3-digit sequence.
pub(crate) fn id_number(region: &str, birth: &str, sequence: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("{region}{birth}{:03}", sequence % 1000);
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

/// A prefecture: code, name, telephone area code, three districts (code, name).
pub(crate) type Prefecture = (
    &'static str,
    &'static str,
    &'static str,
    [(&'static str, &'static str); 3],
);

/// Zhejiang's prefectures.
pub(crate) const PREFECTURES: [Prefecture; 11] = [
    (
        "330100",
        "杭州",
        "0571",
        [
            ("330102", "上城区"),
            ("330106", "西湖区"),
            ("330110", "余杭区"),
        ],
    ),
    (
        "330200",
        "宁波",
        "0574",
        [
            ("330203", "海曙区"),
            ("330212", "鄞州区"),
            ("330281", "余姚市"),
        ],
    ),
    (
        "330300",
        "温州",
        "0577",
        [
            ("330302", "鹿城区"),
            ("330304", "瓯海区"),
            ("330381", "瑞安市"),
        ],
    ),
    (
        "330400",
        "嘉兴",
        "0573",
        [
            ("330402", "南湖区"),
            ("330411", "秀洲区"),
            ("330481", "海宁市"),
        ],
    ),
    (
        "330500",
        "湖州",
        "0572",
        [
            ("330502", "吴兴区"),
            ("330503", "南浔区"),
            ("330521", "德清县"),
        ],
    ),
    (
        "330600",
        "绍兴",
        "0575",
        [
            ("330602", "越城区"),
            ("330603", "柯桥区"),
            ("330681", "诸暨市"),
        ],
    ),
    (
        "330700",
        "金华",
        "0579",
        [
            ("330702", "婺城区"),
            ("330782", "义乌市"),
            ("330783", "东阳市"),
        ],
    ),
    (
        "330800",
        "衢州",
        "0570",
        [
            ("330802", "柯城区"),
            ("330803", "衢江区"),
            ("330881", "江山市"),
        ],
    ),
    (
        "330900",
        "舟山",
        "0580",
        [
            ("330902", "定海区"),
            ("330903", "普陀区"),
            ("330921", "岱山县"),
        ],
    ),
    (
        "331000",
        "台州",
        "0576",
        [
            ("331002", "椒江区"),
            ("331003", "黄岩区"),
            ("331082", "临海市"),
        ],
    ),
    (
        "331100",
        "丽水",
        "0578",
        [
            ("331102", "莲都区"),
            ("331121", "青田县"),
            ("331181", "龙泉市"),
        ],
    ),
];

const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋",
];
const GIVEN: [&str; 30] = [
    "建国", "海燕", "志强", "丽华", "伟", "敏", "磊", "静", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "文", "斌", "宁", "浩", "晨", "琳", "波",
    "雪",
];
const TRADE_WORDS: [&str; 24] = [
    "宏达", "恒信", "华建", "锦程", "瑞丰", "正泰", "新城", "远航", "东方", "中天", "金盛", "联创",
    "广厦", "诚泰", "鼎盛", "弘业", "嘉禾", "天成", "永安", "汇通", "兴业", "明珠", "德润", "卓越",
];

/// A person's name, different for every `n` below 720.
pub(crate) fn person(n: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n / SURNAMES.len()) % GIVEN.len()]
    )
}

/// What a market entity does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Trade {
    /// A tenderee of works (城投, 交投, 水务 …).
    WorksOwner,
    /// A purchaser (hospital, school, organ).
    Purchaser,
    /// A construction company.
    Builder,
    /// A supplier of goods and services.
    Supplier,
    /// A developer or investor (buyer at sales).
    Investor,
}

/// One market entity of the plan.
#[derive(Clone, Debug)]
pub(crate) struct EntityPlan {
    pub(crate) trade: Trade,
    pub(crate) name: String,
    pub(crate) code: String,
    pub(crate) prefecture: usize,
    pub(crate) region: String,
    pub(crate) username: String,
    pub(crate) legal: String,
    pub(crate) contact: String,
    pub(crate) phone: String,
    pub(crate) account_no: String,
    pub(crate) sme: bool,
    pub(crate) small: bool,
    /// Belongs to a planted ring (bids only on the ring's lots).
    pub(crate) ring: Option<usize>,
}

/// The sizes of the market for a history of `lots` lots.
pub(crate) fn market_sizes(lots: u32) -> (usize, usize, usize, usize, usize) {
    let lots = lots as usize;
    let owners = (lots / 12).clamp(4, 33);
    let purchasers = (lots / 14).clamp(3, 33);
    let builders = (lots / 8).clamp(20, 66);
    let suppliers = (lots / 10).clamp(14, 55);
    let investors = (lots / 40).clamp(3, 22);
    (owners, purchasers, builders, suppliers, investors)
}

/// The entities of the plan: tenderees, bidders and each ring's members (last).
pub(crate) fn plan_market(rng: &mut Rng, lots: u32, rings: u32) -> Vec<EntityPlan> {
    let (owners, purchasers, builders, suppliers, investors) = market_sizes(lots);
    let mut entities = Vec::new();
    let mut names = BTreeSet::new();
    let mut make = |rng: &mut Rng, trade: Trade, n: usize, ring: Option<usize>| {
        let prefecture = n % PREFECTURES.len();
        let (city_code, city, area, districts) = PREFECTURES[prefecture];
        let (district, district_name) = *rng.pick(&districts);
        let number = entities.len();
        let (prefix, name) = match trade {
            Trade::WorksOwner => {
                let kinds = [
                    "城市建设投资集团有限公司",
                    "交通投资集团有限公司",
                    "水务集团有限公司",
                    "城市发展集团有限公司",
                ];
                let kind = kinds[(n / PREFECTURES.len()) % kinds.len()];
                let round = n / (PREFECTURES.len() * kinds.len());
                let place = if round == 0 {
                    format!("{city}市")
                } else {
                    format!("{city}市{district_name}")
                };
                ("91", format!("{place}{kind}"))
            }
            Trade::Purchaser => {
                let kinds = ["第一人民医院", "教育局", "机关事务管理局"];
                let kind = kinds[(n / PREFECTURES.len()) % kinds.len()];
                let round = n / (PREFECTURES.len() * kinds.len());
                let place = if round == 0 {
                    format!("{city}市")
                } else {
                    format!("{city}市{district_name}")
                };
                (
                    if kind.ends_with("医院") { "12" } else { "11" },
                    format!("{place}{kind}"),
                )
            }
            Trade::Builder | Trade::Supplier | Trade::Investor => {
                let suffix = match trade {
                    Trade::Builder => *rng.pick(&[
                        "建设有限公司",
                        "建工集团有限公司",
                        "市政工程有限公司",
                        "水利建设有限公司",
                    ]),
                    Trade::Supplier => *rng.pick(&[
                        "信息技术有限公司",
                        "医疗器械有限公司",
                        "科技股份有限公司",
                        "设备有限公司",
                    ]),
                    _ => *rng.pick(&["置业有限公司", "实业投资有限公司", "环保科技有限公司"]),
                };
                let mut name;
                loop {
                    name = format!(
                        "{city}{}{}{suffix}",
                        rng.pick(&TRADE_WORDS),
                        rng.pick(&TRADE_WORDS)
                    );
                    if !names.contains(&name) {
                        break;
                    }
                }
                ("91", name)
            }
        };
        names.insert(name.clone());
        let body = format!("MH{number:06}");
        let region = match trade {
            Trade::WorksOwner | Trade::Purchaser if n / PREFECTURES.len() == 0 => {
                city_code.to_string()
            }
            _ => district.to_string(),
        };
        let small = matches!(trade, Trade::Builder | Trade::Supplier) && rng.chance(3_500);
        let sme = small || (matches!(trade, Trade::Builder | Trade::Supplier) && rng.chance(3_000));
        entities.push(EntityPlan {
            trade,
            code: uscc(prefix, city_code, &body),
            name,
            prefecture,
            region,
            username: format!("h{number:04}"),
            // Every legal representative is a different person (the same one would be a
            // related_bidders lead).
            legal: person(number % 720),
            contact: person((number + 360) % 720),
            phone: format!(
                "{area}-{}",
                81_000_000 + number as i64 * 1_013 + rng.range(0, 999)
            ),
            account_no: format!(
                "3301{:015}",
                rng.range(100_000_000_000, 999_999_999_999_999)
            ),
            sme,
            small,
            ring,
        });
    };
    for n in 0..owners {
        make(rng, Trade::WorksOwner, n, None);
    }
    for n in 0..purchasers {
        make(rng, Trade::Purchaser, n, None);
    }
    for n in 0..builders {
        make(rng, Trade::Builder, n, None);
    }
    for n in 0..suppliers {
        make(rng, Trade::Supplier, n, None);
    }
    for n in 0..investors {
        make(rng, Trade::Investor, n, None);
    }
    for ring in 0..rings as usize {
        let size = 3 + (ring % 2);
        let prefecture = rng.range(0, PREFECTURES.len() as i64 - 1) as usize;
        for _ in 0..size {
            make(rng, Trade::Builder, prefecture, Some(ring));
        }
    }
    entities
}

/// One sealed bid of the plan.
#[derive(Clone, Debug)]
pub(crate) struct BidPlan {
    pub(crate) bidder: usize,
    pub(crate) at_ms: i64,
    pub(crate) price_fen: i64,
    /// How well the bid does on the non-price factors, in basis points.
    pub(crate) quality_bp: i64,
    /// The machine the envelope is made on (an entity's own, or another's).
    pub(crate) machine: String,
    /// The address it is uploaded from.
    pub(crate) address: String,
    /// The account the bond is paid from.
    pub(crate) payer: String,
    /// Built from the copy of the tender documents this earlier bid (index in `bids`)
    /// downloaded, instead of its own.
    pub(crate) copy_of: Option<usize>,
}

/// One lot of the plan (one procedure with one lot).
#[derive(Clone, Debug)]
pub(crate) struct LotPlan {
    pub(crate) at_ms: i64,
    pub(crate) construction: bool,
    pub(crate) method: &'static str,
    pub(crate) region: String,
    pub(crate) tenderee: usize,
    pub(crate) title: String,
    pub(crate) budget_fen: i64,
    pub(crate) bond_fen: Option<i64>,
    /// Expert class and committee size.
    pub(crate) experts: (&'static str, u32),
    pub(crate) bids: Vec<BidPlan>,
    /// The bidder the committee is made to prefer (planted steering and rings).
    pub(crate) favourite: Option<usize>,
    pub(crate) decline: bool,
    pub(crate) objection: bool,
    /// After the objection's answer, a complaint to the supervising department.
    pub(crate) complaint: bool,
    /// An anonymous report (举报) about the procedure after its opening.
    pub(crate) report: bool,
    pub(crate) late_performance: bool,
    /// The planted case (index in `Plan::planted`).
    pub(crate) planted: Option<usize>,
}

/// One online sale of the plan.
#[derive(Clone, Debug)]
pub(crate) struct SalePlan {
    pub(crate) at_ms: i64,
    pub(crate) category: &'static str,
    pub(crate) region: String,
    pub(crate) transferor: usize,
    pub(crate) title: String,
    pub(crate) start_price_fen: i64,
    pub(crate) reserve_fen: i64,
    /// Each bidder with the most it will pay.
    pub(crate) bidders: Vec<(usize, i64)>,
    pub(crate) default: bool,
}

/// A planted case before it has lot codes: its kind, the plan's lots and entities.
#[derive(Clone, Debug)]
pub(crate) struct PlantedPlan {
    pub(crate) kind: PlantedKind,
    pub(crate) lots: Vec<usize>,
    pub(crate) entities: Vec<usize>,
    pub(crate) tenderee: Option<usize>,
}

/// The whole plan.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) entities: Vec<EntityPlan>,
    pub(crate) lots: Vec<LotPlan>,
    pub(crate) sales: Vec<SalePlan>,
    pub(crate) planted: Vec<PlantedPlan>,
    /// Expert classes and how many experts of each the database needs.
    pub(crate) experts: Vec<(&'static str, usize)>,
}

/// An ordinary price: independent, between 88 % and 98.5 % of the budget, in whole yuan.
pub(crate) fn ordinary_price(rng: &mut Rng, budget_fen: i64) -> i64 {
    let bp = rng.range(8_800, 9_850);
    (budget_fen / 10_000 * bp) / 100 * 100
}

/// `n` prices in arithmetic progression from about 90–95 % of the budget, in steps of 0.6–1.5 %.
pub(crate) fn arithmetic_prices(rng: &mut Rng, budget_fen: i64, n: usize) -> Vec<i64> {
    let first = budget_fen / 10_000 * rng.range(9_000, 9_500);
    let step = budget_fen / 10_000 * rng.range(60, 150) / 100 * 100;
    (0..n as i64)
        .map(|i| first / 100 * 100 + i * step)
        .collect()
}

/// `n` prices each 0.8–1.6 % above the one before (a fixed ratio), to the fen.
pub(crate) fn ratio_prices(rng: &mut Rng, budget_fen: i64, n: usize) -> Vec<i64> {
    let first = i128::from(budget_fen / 10_000 * rng.range(8_900, 9_300));
    let ratio = i128::from(10_000 + rng.range(80, 160));
    let mut prices = Vec::new();
    let mut price = first * 10_000;
    for _ in 0..n {
        prices.push((price / 10_000) as i64);
        price = price * ratio / 10_000;
    }
    prices
}

fn budget(rng: &mut Rng, construction: bool) -> i64 {
    // In yuan, then fen: works 2–80 million, purchases 0.3–9 million.
    let yuan = if construction {
        rng.range(200, 8_000) * 10_000
    } else {
        rng.range(30, 900) * 10_000
    };
    yuan * 100
}

const WORKS: [&str; 10] = [
    "道路改造工程",
    "污水管网工程",
    "学校新建工程",
    "河道综合治理工程",
    "安置房建设工程",
    "桥梁维修加固工程",
    "体育中心建设工程",
    "老旧小区改造工程",
    "医院门诊楼工程",
    "公园景观提升工程",
];
const GOODS: [(&str, &str); 6] = [
    ("信息化设备采购", "B01"),
    ("服务器及存储设备采购", "B01"),
    ("医疗设备采购", "B02"),
    ("检验设备采购", "B02"),
    ("信息系统运维服务", "C01"),
    ("政务云服务", "C01"),
];

/// The plan for `lots` lots and about one sale per six lots between `start_ms` and
/// `end_ms`, with `rings` rings and the other planted cases in proportion.
pub(crate) fn plan(seed: u64, lots: u32, rings: u32, start_ms: i64, end_ms: i64) -> Plan {
    let mut rng = Rng::new(seed);
    let entities = plan_market(&mut rng, lots, rings);
    let of = |trade: Trade| -> Vec<usize> {
        entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.trade == trade && e.ring.is_none())
            .map(|(n, _)| n)
            .collect()
    };
    let (owners, purchasers, builders, suppliers, investors) = (
        of(Trade::WorksOwner),
        of(Trade::Purchaser),
        of(Trade::Builder),
        of(Trade::Supplier),
        of(Trade::Investor),
    );
    // Lots are announced up to 50 days before the end, so most reach their award.
    let last = (end_ms - 50 * DAY).max(start_ms + DAY);
    let announce = |rng: &mut Rng| rng.range(start_ms, last);
    let mut plan = Plan {
        entities: entities.clone(),
        lots: Vec::new(),
        sales: Vec::new(),
        planted: Vec::new(),
        experts: Vec::new(),
    };
    let machine_of = |n: usize| format!("machine-{n}");
    let address_of = |n: usize| format!("10.{}.{}.{}", n / 250 % 250, n % 250, n % 7 + 2);
    let ordinary_bid = |rng: &mut Rng, bidder: usize, budget_fen: i64, at: (i64, i64)| BidPlan {
        bidder,
        at_ms: rng.range(at.0, at.1),
        price_fen: ordinary_price(rng, budget_fen),
        quality_bp: rng.range(4_000, 9_500),
        machine: machine_of(bidder),
        address: address_of(bidder),
        payer: entities[bidder].account_no.clone(),
        copy_of: None,
    };
    // Bids come from a day after the announcement to three hours before the earliest possible
    // deadline (20 days for tenders, 10 for consultations).
    let window = |at: i64, consultation: bool| {
        (
            at + DAY,
            at + if consultation { 10 } else { 20 } * DAY - 3 * HOUR,
        )
    };
    let new_lot = |rng: &mut Rng, construction: bool, at: i64, tenderee: usize| {
        let budget_fen = budget(rng, construction);
        let (title, experts, method) = if construction {
            let method = if rng.chance(800) {
                "invited_tender"
            } else {
                "open_tender"
            };
            (
                format!(
                    "{}{}",
                    entities[tenderee].name.trim_end_matches("有限公司"),
                    rng.pick(&WORKS)
                ),
                ("A01", 5),
                method,
            )
        } else {
            let (what, class) = *rng.pick(&GOODS);
            let consultation = rng.chance(2_000);
            let committee = if consultation {
                3
            } else if budget_fen >= 1_000_000_000 {
                7
            } else {
                5
            };
            (
                format!("{}{what}", entities[tenderee].name),
                (class, committee),
                if consultation {
                    "competitive_consultation"
                } else {
                    "open_tender"
                },
            )
        };
        let bond_fen = (construction && rng.chance(5_000))
            .then(|| (budget_fen / 100 / 100_000 * 100_000).clamp(100_000, 80_000_000));
        LotPlan {
            at_ms: at,
            construction,
            method,
            region: entities[tenderee].region.clone(),
            tenderee,
            title,
            budget_fen,
            bond_fen,
            experts,
            bids: Vec::new(),
            favourite: None,
            decline: false,
            objection: false,
            complaint: false,
            report: false,
            late_performance: false,
            planted: None,
        }
    };
    // Bidders of an ordinary lot: half from the tenderee's prefecture, half from anywhere.
    let choose = |rng: &mut Rng, pool: &[usize], prefecture: usize, count: usize| -> Vec<usize> {
        let local: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|b| entities[*b].prefecture == prefecture)
            .collect();
        let mut chosen = Vec::new();
        let mut tries = 0;
        while chosen.len() < count.min(pool.len()) && tries < 200 {
            tries += 1;
            let b = if !local.is_empty() && rng.chance(5_000) {
                *rng.pick(&local)
            } else {
                *rng.pick(pool)
            };
            if !chosen.contains(&b) {
                chosen.push(b);
            }
        }
        chosen
    };

    // Planted cases first, then ordinary lots fill the rest.
    let total = lots as usize;
    let scaled = |per: usize| (total / per).max(1);
    // A small history keeps at least half of its lots ordinary.
    let room = if total >= 30 { total } else { total / 2 };
    // The steered and the failing tenderees tender nothing else, so their record is theirs.
    let steered: Vec<usize> = owners
        .iter()
        .rev()
        .take(scaled(600).min(owners.len().saturating_sub(2)))
        .copied()
        .collect();
    let failing: Vec<usize> = purchasers
        .iter()
        .rev()
        .take(scaled(600).min(purchasers.len().saturating_sub(1)))
        .copied()
        .collect();
    let free_owners: Vec<usize> = owners
        .iter()
        .copied()
        .filter(|o| !steered.contains(o))
        .collect();
    let free_purchasers: Vec<usize> = purchasers
        .iter()
        .copied()
        .filter(|o| !failing.contains(o))
        .collect();
    // Rings: 6–8 works lots each, only the ring's members bidding, turns taken.
    for ring in 0..rings as usize {
        let members: Vec<usize> = entities
            .iter()
            .enumerate()
            .filter(|(_, e)| e.ring == Some(ring))
            .map(|(n, _)| n)
            .collect();
        let count = 6 + ring % 3;
        if plan.lots.len() + count > room || free_owners.is_empty() {
            break;
        }
        let case = plan.planted.len();
        let mut case_lots = Vec::new();
        for turn in 0..count {
            let prefecture = entities[members[0]].prefecture;
            let local: Vec<usize> = free_owners
                .iter()
                .copied()
                .filter(|o| entities[*o].prefecture == prefecture)
                .collect();
            let tenderee = if local.is_empty() {
                *rng.pick(&free_owners)
            } else {
                *rng.pick(&local)
            };
            let at = announce(&mut rng);
            let mut lot = new_lot(&mut rng, true, at, tenderee);
            let winner = members[turn % members.len()];
            for &m in &members {
                let mut bid = ordinary_bid(&mut rng, m, lot.budget_fen, window(at, false));
                if m == winner {
                    bid.price_fen = lot.budget_fen / 10_000 * rng.range(9_200, 9_600) / 100 * 100;
                    bid.quality_bp = 10_000;
                } else {
                    bid.price_fen = lot.budget_fen / 10_000 * rng.range(9_700, 9_950) / 100 * 100;
                    bid.quality_bp = rng.range(3_000, 5_000);
                }
                lot.bids.push(bid);
            }
            lot.favourite = Some(winner);
            lot.planted = Some(case);
            case_lots.push(plan.lots.len());
            plan.lots.push(lot);
        }
        plan.planted.push(PlantedPlan {
            kind: PlantedKind::Ring,
            lots: case_lots,
            entities: members,
            tenderee: None,
        });
    }
    // Envelope collusion and price patterns: one lot each, in proportion to the history.
    let kinds = [
        PlantedKind::SameMachine,
        PlantedKind::SameUploadAddress,
        PlantedKind::SameBondPayer,
        PlantedKind::SameDocumentCopy,
        PlantedKind::PriceArithmetic,
        PlantedKind::PriceRatio,
    ];
    for _ in 0..scaled(150) {
        for kind in kinds {
            if plan.lots.len() + 1 > room || builders.len() < 4 {
                break;
            }
            let case = plan.planted.len();
            let tenderee = *rng.pick(&free_owners);
            let at = announce(&mut rng);
            let mut lot = new_lot(&mut rng, true, at, tenderee);
            if kind == PlantedKind::SameBondPayer && lot.bond_fen.is_none() {
                lot.bond_fen =
                    Some((lot.budget_fen / 100 / 100_000 * 100_000).clamp(100_000, 80_000_000));
            }
            let price_pattern =
                matches!(kind, PlantedKind::PriceArithmetic | PlantedKind::PriceRatio);
            let group_size = if price_pattern {
                rng.range(3, 4) as usize
            } else {
                rng.range(2, 3) as usize
            };
            let others = if price_pattern {
                0
            } else {
                rng.range(2, 4) as usize
            };
            let chosen = choose(
                &mut rng,
                &builders,
                entities[tenderee].prefecture,
                group_size + others,
            );
            let group: Vec<usize> = chosen[..group_size.min(chosen.len())].to_vec();
            for &b in &chosen {
                lot.bids
                    .push(ordinary_bid(&mut rng, b, lot.budget_fen, window(at, false)));
            }
            // The group's bids are made by one hand, one after the other, minutes apart.
            let host = lot.bids[0].clone();
            let mut at = host.at_ms;
            for bid in lot.bids.iter_mut().take(group.len()).skip(1) {
                at += rng.range(2, 9) * MINUTE;
                bid.at_ms = at;
                match kind {
                    PlantedKind::SameMachine => bid.machine = host.machine.clone(),
                    PlantedKind::SameUploadAddress => bid.address = host.address.clone(),
                    PlantedKind::SameBondPayer => bid.payer = host.payer.clone(),
                    PlantedKind::SameDocumentCopy => bid.copy_of = Some(0),
                    _ => {}
                }
            }
            if price_pattern {
                let prices = if kind == PlantedKind::PriceArithmetic {
                    arithmetic_prices(&mut rng, lot.budget_fen, group.len())
                } else {
                    ratio_prices(&mut rng, lot.budget_fen, group.len())
                };
                let order = rng.sample(group.len(), group.len());
                for (k, bid) in lot.bids.iter_mut().enumerate() {
                    bid.price_fen = prices[order[k]];
                }
            }
            lot.planted = Some(case);
            plan.planted.push(PlantedPlan {
                kind,
                lots: vec![plan.lots.len()],
                entities: group,
                tenderee: None,
            });
            plan.lots.push(lot);
        }
    }
    // One tenderee steering its awards to one supplier: six lots within eight months, the
    // favourite bidding on all and preferred by the committee.
    for &tenderee in &steered {
        if plan.lots.len() + 6 > room || builders.len() < 6 {
            break;
        }
        let favourite = *rng.pick(&builders);
        let case = plan.planted.len();
        let first = rng.range(start_ms, (last - 240 * DAY).max(start_ms));
        let mut case_lots = Vec::new();
        for k in 0..6 {
            let at = (first + k * 40 * DAY + rng.range(0, 10 * DAY)).min(last);
            let mut lot = new_lot(&mut rng, true, at, tenderee);
            let count = rng.range(3, 5) as usize;
            let mut chosen = choose(&mut rng, &builders, entities[tenderee].prefecture, count);
            chosen.retain(|b| *b != favourite);
            chosen.insert(0, favourite);
            for &b in &chosen {
                let mut bid = ordinary_bid(&mut rng, b, lot.budget_fen, window(at, false));
                if b == favourite {
                    bid.quality_bp = 10_000;
                    bid.price_fen = lot.budget_fen / 10_000 * rng.range(9_200, 9_500) / 100 * 100;
                } else {
                    bid.quality_bp = rng.range(3_000, 5_500);
                }
                lot.bids.push(bid);
            }
            lot.favourite = Some(favourite);
            lot.planted = Some(case);
            case_lots.push(plan.lots.len());
            plan.lots.push(lot);
        }
        plan.planted.push(PlantedPlan {
            kind: PlantedKind::AwardConcentration,
            lots: case_lots,
            entities: vec![favourite],
            tenderee: Some(tenderee),
        });
    }
    // One tenderee whose tailored requirements leave its lots with one or two bidders.
    for &tenderee in &failing {
        if plan.lots.len() + 3 > room || suppliers.is_empty() {
            break;
        }
        let case = plan.planted.len();
        let first = rng.range(start_ms, (last - 200 * DAY).max(start_ms));
        let mut case_lots = Vec::new();
        for k in 0..3 {
            let at = (first + k * 60 * DAY).min(last);
            let mut lot = new_lot(&mut rng, false, at, tenderee);
            let count = rng.range(1, 2) as usize;
            for b in choose(&mut rng, &suppliers, entities[tenderee].prefecture, count) {
                lot.bids.push(ordinary_bid(
                    &mut rng,
                    b,
                    lot.budget_fen,
                    window(at, lot.method == "competitive_consultation"),
                ));
            }
            lot.planted = Some(case);
            case_lots.push(plan.lots.len());
            plan.lots.push(lot);
        }
        plan.planted.push(PlantedPlan {
            kind: PlantedKind::RepeatedFailures,
            lots: case_lots,
            entities: Vec::new(),
            tenderee: Some(tenderee),
        });
    }
    while plan.lots.len() < total {
        // Every history has purchases as well as works (a small one could draw none, and the
        // portal's 政府采购 block would stay empty).
        let no_purchase_yet = !plan.lots.iter().any(|l| !l.construction);
        let construction = if no_purchase_yet && !free_purchasers.is_empty() {
            false
        } else {
            rng.chance(5_500) || free_purchasers.is_empty()
        };
        let (tenderees, pool) = if construction {
            (&free_owners, &builders)
        } else {
            (&free_purchasers, &suppliers)
        };
        if tenderees.is_empty() || pool.len() < 3 {
            break;
        }
        let tenderee = *rng.pick(tenderees);
        let at = announce(&mut rng);
        let mut lot = new_lot(&mut rng, construction, at, tenderee);
        // Mostly three to seven bids; a few lots draw fewer than three and fail (流标).
        let count = if rng.chance(250) {
            rng.range(1, 2)
        } else {
            rng.range(3, 7)
        } as usize;
        let consultation = lot.method == "competitive_consultation";
        for b in choose(&mut rng, pool, entities[tenderee].prefecture, count) {
            lot.bids.push(ordinary_bid(
                &mut rng,
                b,
                lot.budget_fen,
                window(at, consultation),
            ));
        }
        lot.decline = rng.chance(200);
        lot.objection = !lot.decline && rng.chance(300);
        lot.complaint = lot.objection && rng.chance(4_000);
        lot.report = rng.chance(100);
        lot.late_performance = rng.chance(500);
        plan.lots.push(lot);
    }
    plan.lots.sort_by_key(|l| l.at_ms);
    // Re-point the planted cases at the sorted lots.
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (new, lot) in plan.lots.iter().enumerate() {
        if let Some(case) = lot.planted {
            order.push((case, new));
        }
    }
    for case in &mut plan.planted {
        case.lots.clear();
    }
    for (case, new) in order {
        plan.planted[case].lots.push(new);
    }
    // Sales: one per six lots, every kind of sale the catalog has.
    let kinds: [(&str, &str, i64); 7] = [
        ("land", "国有建设用地使用权", 5_000),
        ("mining", "采矿权", 2_000),
        ("state_property", "国有股权转让", 1_000),
        ("pollutant", "排污权（化学需氧量）指标", 100),
        ("carbon", "碳排放配额", 200),
        ("energy_use", "用能权指标", 100),
        ("other_assets", "公共停车场经营权", 300),
    ];
    let sellers: Vec<usize> = owners.iter().chain(&purchasers).copied().collect();
    let buyers: Vec<usize> = investors.iter().chain(&builders).copied().collect();
    for n in 0..(total / 6).max(7) {
        if sellers.is_empty() || buyers.is_empty() {
            break;
        }
        let (category, what, scale) = kinds[n % kinds.len()];
        let transferor = *rng.pick(&sellers);
        let start_price_fen = rng.range(scale, scale * 10) * 1_000_000;
        let count = rng.range(0, 5) as usize;
        let bidders = rng
            .sample(buyers.len(), count)
            .into_iter()
            .map(|i| {
                (
                    buyers[i],
                    start_price_fen / 10_000 * rng.range(9_800, 14_000),
                )
            })
            .collect();
        plan.sales.push(SalePlan {
            at_ms: rng.range(start_ms, (end_ms - 60 * DAY).max(start_ms + DAY)),
            category,
            region: entities[transferor].region.clone(),
            transferor,
            title: format!(
                "{}{}（{}号）",
                entities[transferor]
                    .name
                    .chars()
                    .take(3)
                    .collect::<String>(),
                what,
                n + 1
            ),
            start_price_fen,
            reserve_fen: if rng.chance(5_000) {
                start_price_fen / 10_000 * rng.range(10_000, 11_500)
            } else {
                0
            },
            bidders,
            default: rng.chance(1_200),
        });
    }
    plan.sales.sort_by_key(|s| s.at_ms);
    // The expert database: enough of each class for the busiest days.
    let per_class = |class: &str| plan.lots.iter().filter(|l| l.experts.0 == class).count();
    plan.experts = ["A01", "B01", "B02", "C01"]
        .into_iter()
        .map(|class| (class, (12 + per_class(class) / 15).min(70)))
        .collect();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_valid() {
        for n in 0..200 {
            let code = uscc("91", "330100", &format!("MH{:06}", 100_000 + n * 37));
            assert!(domain::Uscc::parse(&code).is_ok(), "{code}");
            let id = id_number("330106", "19750314", n as u32);
            assert!(domain::IdNumber::parse(&id).is_ok(), "{id}");
        }
        let names: BTreeSet<String> = (0..720).map(person).collect();
        assert_eq!(names.len(), 720);
    }

    #[test]
    fn planted_prices_have_their_pattern_and_ordinary_ones_are_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..100 {
            let budget = 1_000_000_000;
            let p = arithmetic_prices(&mut rng, budget, 4);
            let steps: Vec<i64> = p.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(steps.iter().all(|s| *s == steps[0] && *s > 0), "{p:?}");
            let r = ratio_prices(&mut rng, budget, 4);
            // Ratios equal to within a tenth of a basis point.
            let ratios: Vec<i128> = r
                .windows(2)
                .map(|w| i128::from(w[1]) * 100_000 / i128::from(w[0]))
                .collect();
            assert!(ratios.iter().all(|x| (x - ratios[0]).abs() <= 1), "{r:?}");
            let o = ordinary_price(&mut rng, budget);
            assert!((880_000_000..=985_000_000).contains(&o), "{o}");
        }
    }

    #[test]
    fn the_plan_is_a_function_of_the_seed_and_holds_the_planted_cases() {
        let start = 1_770_000_000_000;
        let end = start + 365 * DAY;
        let a = plan(42, 120, 2, start, end);
        let b = plan(42, 120, 2, start, end);
        assert_eq!(a.lots.len(), 120);
        assert_eq!(format!("{:?}", a.lots), format!("{:?}", b.lots));
        let kinds: BTreeSet<PlantedKind> = a.planted.iter().map(|p| p.kind).collect();
        assert_eq!(kinds.len(), PlantedKind::ALL.len(), "{kinds:?}");
        for case in &a.planted {
            assert!(!case.lots.is_empty());
            for &lot in &case.lots {
                assert_eq!(
                    a.lots[lot].planted.map(|p| a.planted[p].kind),
                    Some(case.kind)
                );
            }
        }
        // Announced inside the span, bids inside their window, rings bid alone.
        for lot in &a.lots {
            assert!(lot.at_ms >= start && lot.at_ms <= end - 50 * DAY);
            for bid in &lot.bids {
                assert!(bid.at_ms > lot.at_ms && bid.at_ms < lot.at_ms + 20 * DAY);
            }
        }
        let sold: BTreeSet<&str> = a.sales.iter().map(|s| s.category).collect();
        assert_eq!(sold.len(), 7);
        // Every entity's code and name is its own.
        let codes: BTreeSet<&str> = a.entities.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes.len(), a.entities.len());
    }
}
