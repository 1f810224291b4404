//! Demo data: market entities with valid codes and plausible names across Zhejiang, accounts for
//! every role, and their whole history in the ledger (registrations, reviews, one rejection and
//! some registrations still waiting for review).

use domain::{Role, Uscc};

use crate::{App, AppError, Caller, NewAccount, NewRegistration};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Demo2026ggzy";

/// A demo account to print at start-up.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub username: &'static str,
    pub role: Role,
    pub who: &'static str,
}

/// The accounts `ggzy demo` creates, one per role (and a second bidder).
pub fn demo_accounts() -> Vec<DemoAccount> {
    vec![
        DemoAccount {
            username: "operator",
            role: Role::Operator,
            who: "浙江省公共资源交易中心 · 审核员",
        },
        DemoAccount {
            username: "tenderee",
            role: Role::Tenderee,
            who: "杭州市城市建设投资集团有限公司",
        },
        DemoAccount {
            username: "agency",
            role: Role::Agency,
            who: "浙江中诚工程咨询有限公司",
        },
        DemoAccount {
            username: "bidder",
            role: Role::Bidder,
            who: "宁波甬兴建设有限公司",
        },
        DemoAccount {
            username: "bidder2",
            role: Role::Bidder,
            who: "温州瓯江建工集团有限公司",
        },
        DemoAccount {
            username: "expert",
            role: Role::Expert,
            who: "评标专家 陈立明（自然人）",
        },
        DemoAccount {
            username: "supervisor",
            role: Role::Supervisor,
            who: "浙江省发展和改革委员会",
        },
        DemoAccount {
            username: "finance",
            role: Role::Supervisor,
            who: "浙江省财政厅",
        },
        DemoAccount {
            username: "auditor",
            role: Role::Auditor,
            who: "浙江省审计厅",
        },
    ]
}

/// A valid USCC from its authority/category prefix, region and an 8-character organisation body
/// (the GB 11714 check character is computed, then the GB 32100 one).
pub(crate) fn make_uscc(prefix: &str, region: &str, body: &str) -> String {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let value = |c: char| c.to_digit(36).unwrap_or(0);
    let sum: u32 = body.chars().zip(WEIGHTS).map(|(c, w)| value(c) * w).sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('0'),
    };
    let first17 = format!("{prefix}{region}{body}{check}");
    let last = Uscc::check_char_for(&first17).unwrap_or('0');
    format!("{first17}{last}")
}

/// A valid resident ID number from region, birth date and a 3-digit sequence.
pub(crate) fn make_id_number(region: &str, birth: &str, sequence: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("{region}{birth}{sequence}");
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

struct Org {
    prefix: &'static str,
    region: &'static str,
    body: &'static str,
    name: &'static str,
    legal: &'static str,
    address: &'static str,
    contact: &'static str,
    phone: &'static str,
    roles: &'static [Role],
    username: &'static str,
    display: &'static str,
}

/// Planted for the warning engine: 绍兴越城市政 declares 温州瓯江建工集团 its controlling
/// shareholder (the two bid on one lot in the demo: 招标投标法实施条例 第34条).
fn controller_of(org: &Org) -> String {
    if org.username != "yuecheng" {
        return String::new();
    }
    MARKET_ORGS
        .iter()
        .find(|o| o.username == "bidder2")
        .map(|o| make_uscc(o.prefix, o.region, o.body))
        .unwrap_or_default()
}

fn registration(org: &Org) -> NewRegistration {
    NewRegistration {
        kind: "organisation".into(),
        code: make_uscc(org.prefix, org.region, org.body),
        name: org.name.into(),
        region: org.region.into(),
        legal_representative: org.legal.into(),
        address: org.address.into(),
        contact_name: org.contact.into(),
        contact_phone: org.phone.into(),
        contact_email: String::new(),
        roles: org.roles.iter().map(|r| r.as_str().to_string()).collect(),
        controller: controller_of(org),
        username: org.username.into(),
        display_name: org.display.into(),
        password: DEMO_PASSWORD.into(),
    }
}

const PLATFORM_ORGS: &[Org] = &[
    Org {
        prefix: "12",
        region: "330000",
        body: "MB1A0001",
        name: "浙江省公共资源交易中心",
        legal: "周振华",
        address: "杭州市西湖区省府路8号",
        contact: "交易服务窗口",
        phone: "0571-87050000",
        roles: &[Role::Operator],
        username: "operator",
        display: "审核员 林晓燕",
    },
    Org {
        prefix: "11",
        region: "330000",
        body: "00250001",
        name: "浙江省发展和改革委员会",
        legal: "王立新",
        address: "杭州市西湖区省府路8号",
        contact: "招投标管理处",
        phone: "0571-87052000",
        roles: &[Role::Supervisor],
        username: "supervisor",
        display: "监督员 赵明",
    },
    Org {
        prefix: "11",
        region: "330000",
        body: "00250027",
        name: "浙江省财政厅",
        legal: "钱国华",
        address: "杭州市上城区省府路8号",
        contact: "政府采购监管处",
        phone: "0571-87058000",
        roles: &[Role::Supervisor],
        username: "finance",
        display: "监督员 孙悦",
    },
    Org {
        prefix: "11",
        region: "330000",
        body: "00250019",
        name: "浙江省审计厅",
        legal: "孙建平",
        address: "杭州市上城区庆春路101号",
        contact: "办公室",
        phone: "0571-87053000",
        roles: &[Role::Auditor],
        username: "auditor",
        display: "审计员 钱慧",
    },
];

const MARKET_ORGS: &[Org] = &[
    Org {
        prefix: "91",
        region: "330100",
        body: "MA2H7Q1K",
        name: "杭州市城市建设投资集团有限公司",
        legal: "陈国强",
        address: "杭州市上城区解放东路18号",
        contact: "王磊",
        phone: "0571-86001234",
        roles: &[Role::Tenderee],
        username: "tenderee",
        display: "招标专员 王磊",
    },
    Org {
        prefix: "91",
        region: "330100",
        body: "MA27XK3D",
        name: "浙江中诚工程咨询有限公司",
        legal: "刘海燕",
        address: "杭州市拱墅区莫干山路100号",
        contact: "张敏",
        phone: "0571-88102233",
        roles: &[Role::Agency],
        username: "agency",
        display: "项目经理 张敏",
    },
    Org {
        prefix: "91",
        region: "330200",
        body: "MA2AGH4R",
        name: "宁波甬兴建设有限公司",
        legal: "胡建军",
        address: "宁波市鄞州区天童南路588号",
        contact: "李强",
        phone: "0574-87661234",
        roles: &[Role::Bidder],
        username: "bidder",
        display: "投标专员 李强",
    },
    Org {
        prefix: "91",
        region: "330300",
        body: "MA2CT8N5",
        name: "温州瓯江建工集团有限公司",
        legal: "郑伟",
        address: "温州市鹿城区车站大道577号",
        contact: "黄丽",
        phone: "0577-88221100",
        roles: &[Role::Bidder],
        username: "bidder2",
        display: "经营部 黄丽",
    },
    Org {
        prefix: "91",
        region: "330600",
        body: "MA2BQ3L8",
        name: "绍兴越城市政工程有限公司",
        legal: "沈海",
        address: "绍兴市越城区人民中路310号",
        contact: "俞平",
        phone: "0575-85112233",
        roles: &[Role::Bidder],
        username: "yuecheng",
        display: "俞平",
    },
    Org {
        prefix: "91",
        region: "330700",
        body: "MA2DKP6W",
        name: "金华八婺水利建设有限公司",
        legal: "施永康",
        address: "金华市婺城区宾虹路858号",
        contact: "吴芳",
        phone: "0579-82223344",
        roles: &[Role::Bidder],
        username: "bawu",
        display: "吴芳",
    },
    Org {
        prefix: "12",
        region: "330400",
        body: "MB1C4452",
        name: "嘉兴市第一医院",
        legal: "许文",
        address: "嘉兴市南湖区中环南路1882号",
        contact: "设备科",
        phone: "0573-82519999",
        roles: &[Role::Tenderee],
        username: "jxyy",
        display: "设备科 马晨",
    },
];

/// Waiting for review when the demo starts, so the operator's queue is not empty.
const PENDING_ORGS: &[Org] = &[
    Org {
        prefix: "91",
        region: "331000",
        body: "MA2KLT7E",
        name: "台州海正智能科技有限公司",
        legal: "潘志勇",
        address: "台州市椒江区市府大道188号",
        contact: "蒋琳",
        phone: "0576-88885566",
        roles: &[Role::Bidder],
        username: "haizheng",
        display: "蒋琳",
    },
    Org {
        prefix: "91",
        region: "330500",
        body: "MA2EYR9U",
        name: "湖州太湖园林绿化工程有限公司",
        legal: "费明",
        address: "湖州市吴兴区苕溪西路99号",
        contact: "钟敏",
        phone: "0572-22334455",
        roles: &[Role::Bidder],
        username: "taihu",
        display: "钟敏",
    },
    Org {
        prefix: "91",
        region: "330900",
        body: "MA2FWM2B",
        name: "舟山群岛港航工程有限公司",
        legal: "应波",
        address: "舟山市定海区临城街道海天大道",
        contact: "乐乐",
        phone: "0580-20201234",
        roles: &[Role::Bidder, Role::Tenderee],
        username: "qundao",
        display: "乐乐",
    },
];

const REJECTED_ORG: Org = Org {
    prefix: "91",
    region: "331100",
    body: "MA2GHN3C",
    name: "丽水瓯江建材贸易有限公司",
    legal: "叶青",
    address: "丽水市莲都区中山街",
    contact: "毛燕",
    phone: "0578-21234567",
    roles: &[Role::Bidder],
    username: "lishuijc",
    display: "毛燕",
};

/// Fills an empty market with the demo history. Does nothing if any entity is registered.
pub async fn seed_demo(app: &App) -> Result<bool, AppError> {
    // The reference data is published at every first start; the demo needs no market yet.
    if app.store.entities(None, None, 0, 1).await?.total > 0 {
        return Ok(false);
    }
    // The trading center's own registration is the platform's first act, by the system.
    let system = Caller {
        username: "system".into(),
        display_name: "系统".into(),
        entity_id: String::new(),
        roles: vec![Role::Operator],
        csrf: None,
        api_token: None,
    };
    for org in PLATFORM_ORGS {
        app.register_entity_by_operator(&system, registration(org))
            .await?;
    }
    let operator = app.caller_for("operator").await?;
    for org in MARKET_ORGS {
        let input = registration(org);
        let id = input.code.clone();
        app.register_entity(input).await?;
        app.approve_entity(&operator, &id).await?;
    }
    let rejected = registration(&REJECTED_ORG);
    let rejected_id = rejected.code.clone();
    app.register_entity(rejected).await?;
    app.reject_entity(
        &operator,
        &rejected_id,
        "营业执照副本已过有效期，请更新后重新提交。",
    )
    .await?;
    for org in PENDING_ORGS {
        app.register_entity(registration(org)).await?;
    }
    // An expert is a natural person, registered by the trading center.
    app.register_entity_by_operator(
        &operator,
        NewRegistration {
            kind: "natural_person".into(),
            code: make_id_number("330106", "19750314", "041"),
            name: "陈立明".into(),
            region: "330100".into(),
            legal_representative: "陈立明".into(),
            address: "杭州市西湖区".into(),
            contact_name: "陈立明".into(),
            contact_phone: "13905710000".into(),
            contact_email: String::new(),
            roles: vec!["expert".into()],
            controller: String::new(),
            username: "expert".into(),
            display_name: "陈立明".into(),
            password: DEMO_PASSWORD.into(),
        },
    )
    .await?;
    // Qualifications and bond accounts of the bidders, entered by themselves.
    let details: [(&str, &str, &str, &str, &str, &str); 4] = [
        (
            "bidder",
            "建筑工程施工总承包",
            "一级",
            "D133020571",
            "中华人民共和国住房和城乡建设部",
            "33001001234567890123",
        ),
        (
            "bidder2",
            "市政公用工程施工总承包",
            "一级",
            "D133030612",
            "中华人民共和国住房和城乡建设部",
            "6222081203001234567",
        ),
        (
            "yuecheng",
            "市政公用工程施工总承包",
            "二级",
            "D233060788",
            "浙江省住房和城乡建设厅",
            "19515101040012345",
        ),
        (
            "bawu",
            "水利水电工程施工总承包",
            "二级",
            "D233070455",
            "浙江省住房和城乡建设厅",
            "33050167627009876543",
        ),
    ];
    for (username, name, grade, number, issuer, account_no) in details {
        let caller = app.caller_for(username).await?;
        let entity = app.entity(Some(&caller), &caller.entity_id).await?;
        let qualification = domain::Qualification {
            name: name.into(),
            grade: grade.into(),
            certificate_no: number.into(),
            issuer: issuer.into(),
            valid_until: domain::Date::parse("2029-12-31")?,
        };
        app.set_qualifications(&caller, &caller.entity_id, vec![qualification])
            .await?;
        let account = domain::BankAccount {
            bank: "中国工商银行浙江省分行营业部".into(),
            account_name: entity.name.clone(),
            account_no: account_no.into(),
        };
        app.set_bank_account(&caller, &caller.entity_id, account)
            .await?;
    }
    // A second account of the trading center.
    let center_id = make_uscc("12", "330000", "MB1A0001");
    app.create_account(
        &operator,
        NewAccount {
            username: "operator2".into(),
            display_name: "审核员 徐静".into(),
            entity_id: center_id,
            roles: vec!["operator".into()],
            password: DEMO_PASSWORD.into(),
        },
    )
    .await?;
    seed_demo_experts(app, &operator).await?;
    Ok(true)
}

/// The demo's expert database: experts of several classes and employers (hospitals, design
/// institutes, universities, the demo's own entities), imported as one CSV file.
async fn seed_demo_experts(app: &App, operator: &Caller) -> Result<(), AppError> {
    let hangzhou_design = make_uscc("12", "330100", "MB1D0017");
    let zju = make_uscc("12", "330000", "MB1E0003");
    let tenderee = make_uscc("91", "330100", "MA2H7Q1K");
    let bidder = make_uscc("91", "330200", "MA2AGH4R");
    let experts = [
        (
            "周建国",
            "330102",
            "19680315",
            "123",
            &hangzhou_design,
            "A0101;A0201",
            "教授级高级工程师",
            "正高级",
            30,
        ),
        (
            "钱丽华",
            "330106",
            "19750622",
            "246",
            &zju,
            "A0102;A0302",
            "高级工程师",
            "副高级",
            22,
        ),
        (
            "孙振宇",
            "330104",
            "19800101",
            "111",
            &hangzhou_design,
            "A0103",
            "高级工程师",
            "副高级",
            18,
        ),
        (
            "李文涛",
            "330105",
            "19720909",
            "135",
            &zju,
            "A0104;A0202",
            "教授",
            "正高级",
            28,
        ),
        (
            // The demo's `expert` account.
            "陈立明",
            "330106",
            "19750314",
            "041",
            &zju,
            "A0103;A0104",
            "教授级高级工程师",
            "正高级",
            26,
        ),
        (
            "吴敏",
            "330108",
            "19820910",
            "357",
            &hangzhou_design,
            "A0401;A0402",
            "高级经济师",
            "副高级",
            15,
        ),
        (
            "郑晓燕",
            "330109",
            "19781212",
            "468",
            &tenderee,
            "A0105;A0301",
            "高级工程师",
            "副高级",
            20,
        ),
        (
            "王海峰",
            "330110",
            "19770404",
            "579",
            &zju,
            "B0101;B0102;C01",
            "高级工程师",
            "副高级",
            21,
        ),
        (
            "冯静",
            "330102",
            "19850505",
            "680",
            &zju,
            "B0201;B0202",
            "主任医师",
            "正高级",
            14,
        ),
        (
            "陈立新",
            "330106",
            "19710707",
            "791",
            &bidder,
            "A0101;A0102",
            "高级工程师",
            "副高级",
            29,
        ),
        (
            "褚红梅",
            "330104",
            "19830808",
            "802",
            &hangzhou_design,
            "C0301;C0302",
            "高级会计师",
            "副高级",
            12,
        ),
        (
            "卫东",
            "330105",
            "19691111",
            "913",
            &zju,
            "A0201;A0202",
            "研究员",
            "正高级",
            33,
        ),
        (
            "蒋雪",
            "330108",
            "19860202",
            "024",
            &hangzhou_design,
            "B03;B04",
            "高级工程师",
            "副高级",
            11,
        ),
    ];
    let mut csv = format!("{}\n", domain::EXPERT_CSV_HEADER);
    for (name, region, birth, seq, employer, categories, title, level, years) in experts {
        csv.push_str(&format!(
            "{name},{},{employer},{},{categories},{title},{level},{years},2025-06-01\n",
            make_id_number(region, birth, seq),
            region
                .get(..4)
                .map(|r| format!("{r}00"))
                .unwrap_or_default(),
        ));
    }
    app.import_experts(operator, &csv).await?;
    // The demo's `expert` account (陈立明) is linked to his record.
    let experts = app.experts(operator, None, 100, 0).await?;
    if let Some(expert) = experts.items.iter().find(|e| e.name == "陈立明") {
        app.link_expert_account(operator, &expert.pseudonym, "expert")
            .await?;
    }
    Ok(())
}

impl App {
    /// The caller of an account, without a password: for the demo seeder and trusted tools only.
    pub async fn caller_for(&self, username: &str) -> Result<Caller, AppError> {
        let account = self.account_view(username).await?;
        Ok(Caller {
            username: account.username,
            display_name: account.display_name,
            entity_id: account.entity_id,
            roles: account.roles,
            csrf: None,
            api_token: None,
        })
    }
}

/// Key and certificate of a demo account's entity, for the user to sign with.
#[derive(Clone, Debug)]
pub struct DemoCertificate {
    pub username: String,
    pub key_pem: String,
    pub cert_pem: String,
}

/// Makes four regional demo CAs (浙江, 上海, 江苏, 安徽 — marked 演示), publishes their roots as the
/// trust store, and issues and binds a certificate for each trading entity of the demo. Returns
/// the holders' keys and certificates so that the demo can hand them to its users.
pub async fn seed_demo_certificates(app: &App) -> Result<Vec<DemoCertificate>, AppError> {
    const DAY: i64 = 86_400_000;
    let now = app.now_ms();
    let names = [
        "浙江省数字证书认证中心（演示）",
        "上海市数字证书认证中心（演示）",
        "江苏省电子商务服务中心（演示）",
        "安徽省数字证书认证中心（演示）",
    ];
    let mut authorities = Vec::new();
    for name in names {
        let subject = crypto::Subject {
            common_name: name.into(),
            organization: name.into(),
            code: String::new(),
        };
        authorities.push(crypto::CertificateAuthority::new_root(
            &subject,
            now - DAY,
            now + 3650 * DAY,
        )?);
    }
    let roots: String = authorities
        .iter()
        .zip(names)
        .map(|(ca, name)| format!("# {name}\n{}\n", ca.root().to_pem()))
        .collect();
    app.publish(
        domain::ReferenceKind::Trust,
        &format!("{}{roots}", crate::reference::versions::SHIPPED_TRUST),
        "演示：认可浙江、上海、江苏、安徽四地演示 CA（不得用于生产）",
        "system",
    )
    .await?;
    let mut issued = Vec::new();
    for (n, username) in [
        "tenderee",
        "agency",
        "bidder",
        "bidder2",
        "yuecheng",
        "bawu",
        "supervisor",
        "finance",
        // The trading center signs the credit lists it imports.
        "operator",
    ]
    .iter()
    .enumerate()
    {
        let caller = app.caller_for(username).await?;
        let entity = app.entity(Some(&caller), &caller.entity_id).await?;
        let holder = crypto::PlatformKey::generate();
        let subject = crypto::Subject {
            common_name: entity.name.clone(),
            organization: entity.name.clone(),
            code: entity.code.clone(),
        };
        // Each entity's CA differs, to show mutual recognition at work.
        let authority = &authorities[n % authorities.len()];
        let cert = authority.issue(
            &subject,
            &holder.public_key(),
            1000 + n as u64,
            now - DAY,
            now + 730 * DAY,
        )?;
        app.bind_certificate(&caller, &caller.entity_id, &cert.to_pem())
            .await?;
        issued.push(DemoCertificate {
            username: username.to_string(),
            key_pem: holder.to_pkcs8_pem(),
            cert_pem: cert.to_pem(),
        });
    }
    Ok(issued)
}

/// A demo expert's signing key and certificate.
#[derive(Clone, Debug)]
pub struct DemoExpertCertificate {
    pub pseudonym: String,
    pub name: String,
    pub key_pem: String,
    pub cert_pem: String,
}

/// Makes a demo CA for evaluation experts (marked 演示), adds its root to the trust store in
/// force, and issues each active expert a certificate for their ID number: what they sign the
/// evaluation report with (`ggzy sign`).
pub async fn seed_demo_expert_certificates(
    app: &App,
) -> Result<Vec<DemoExpertCertificate>, AppError> {
    const DAY: i64 = 86_400_000;
    let now = app.now_ms();
    let name = "浙江省评标专家数字证书中心（演示）";
    let authority = crypto::CertificateAuthority::new_root(
        &crypto::Subject {
            common_name: name.into(),
            organization: name.into(),
            code: String::new(),
        },
        now - DAY,
        now + 3650 * DAY,
    )?;
    let current = app.reference_current(domain::ReferenceKind::Trust).await?;
    app.publish(
        domain::ReferenceKind::Trust,
        &format!(
            "{}\n# {name}\n{}\n",
            current.text.trim_end(),
            authority.root().to_pem()
        ),
        "演示：认可评标专家演示 CA（不得用于生产）",
        "system",
    )
    .await?;
    let rows = app
        .store
        .documents(
            &store::DocumentFilter {
                kind: "expert",
                status: Some("active"),
                ..Default::default()
            },
            100_000,
            0,
        )
        .await?;
    let mut issued = Vec::new();
    for (n, row) in rows.items.iter().enumerate() {
        let expert: domain::Expert = crate::witness::replay::decode_state(&row.state)?;
        let holder = crypto::PlatformKey::generate();
        let cert = authority.issue(
            &crypto::Subject {
                common_name: expert.record.name.clone(),
                organization: String::new(),
                code: expert.record.id_number.to_string(),
            },
            &holder.public_key(),
            5000 + n as u64,
            now - DAY,
            now + 730 * DAY,
        )?;
        issued.push(DemoExpertCertificate {
            pseudonym: expert.pseudonym,
            name: expert.record.name,
            key_pem: holder.to_pkcs8_pem(),
            cert_pem: cert.to_pem(),
        });
    }
    Ok(issued)
}
