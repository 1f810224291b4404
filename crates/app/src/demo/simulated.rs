//! The demo's simulated key holders (交易中心, 行政监督部门, 第三方公证机构): they run the key
//! ceremony through the same use cases the HTTP API calls, and afterwards watch for lots whose
//! deadline has passed, start their opening and send their partial decryptions — each checking
//! the ledger entry and signed head exactly as `ggzy keyholder` does. Their files are kept
//! outside the platform's data directory.

use domain::{Ceremony, LotPhase, LotStatus};

use crate::tendering::holder::HolderFile;
use crate::{App, AppError, NewCeremony, NewSeat};

/// The demo's seats: (index, account, label).
pub const DEMO_HOLDERS: [(u32, &str, &str); 3] = [
    (1, "operator", "交易中心"),
    (2, "supervisor", "行政监督部门"),
    (3, "auditor", "第三方（公证机构）"),
];

/// Runs a whole 2-of-3 ceremony for `id` with simulated holders; returns their files.
pub async fn run_simulated_ceremony(app: &App, id: &str) -> Result<Vec<HolderFile>, AppError> {
    let operator = app.caller_for("operator").await?;
    app.open_ceremony(
        &operator,
        NewCeremony {
            id: id.to_string(),
            threshold: 2,
            seats: DEMO_HOLDERS
                .iter()
                .map(|(index, account, label)| NewSeat {
                    index: *index,
                    account: account.to_string(),
                    label: label.to_string(),
                })
                .collect(),
        },
    )
    .await?;
    let platform = app.public_key();
    let mut files: Vec<HolderFile> = DEMO_HOLDERS
        .iter()
        .map(|(index, account, _)| HolderFile::new(id, *index, account, &platform))
        .collect();
    for file in &files {
        let caller = app.caller_for(&file.account).await?;
        app.join_ceremony(&caller, id, file.join_request()?).await?;
    }
    for file in &mut files {
        let ceremony: Ceremony = app.ceremony(id).await?;
        let caller = app.caller_for(&file.account).await?;
        let request = file.deal(&ceremony)?;
        app.deal_ceremony(&caller, id, request).await?;
    }
    for file in &mut files {
        let ceremony = app.ceremony(id).await?;
        let caller = app.caller_for(&file.account).await?;
        match file.confirm(&ceremony)? {
            Ok(request) => app.confirm_ceremony(&caller, id, request).await?,
            Err(complaint) => {
                return Err(AppError::Internal(format!(
                    "simulated holder complained: {}",
                    complaint.reason
                )));
            }
        };
    }
    Ok(files)
}

/// One round of the simulated holders: starts the opening of every lot whose deadline has
/// passed, and sends partials for every lot being opened until `threshold` are in. Returns how
/// many lots it moved on.
pub async fn simulated_holders_round(app: &App, holders: &[HolderFile]) -> Result<usize, AppError> {
    let now = app.now_ms();
    let mut moved = 0;
    let page = app.procedures(None, 500, 0).await?;
    for procedure in &page.items {
        for lot in &procedure.lots {
            let due = procedure.phase(lot, now) == LotPhase::BiddingClosed
                || (matches!(lot.status, LotStatus::Opening { .. })
                    && procedure
                        .opening_key
                        .as_ref()
                        .is_some_and(|k| lot.partials.len() as u32 >= k.threshold));
            if due {
                // One lot's trouble must not stop the others.
                match app.start_opening(None, &lot.code).await {
                    Ok(_) => moved += 1,
                    Err(error) => tracing::warn!(%error, lot = %lot.code, "could not open"),
                }
            }
        }
    }
    let page = app.procedures(None, 500, 0).await?;
    for procedure in &page.items {
        let Some(key) = &procedure.opening_key else {
            continue;
        };
        for lot in &procedure.lots {
            if !matches!(lot.status, LotStatus::Opening { .. }) {
                continue;
            }
            let request = match app.opening_request(&lot.code).await {
                Ok(request) => request,
                Err(error) => {
                    tracing::warn!(%error, lot = %lot.code, "no opening request");
                    continue;
                }
            };
            let mut have = lot.partials.len() as u32;
            for file in holders.iter().filter(|f| f.ceremony == key.ceremony) {
                if have >= key.threshold {
                    break;
                }
                if lot.partials.iter().any(|(index, _)| *index == file.index) {
                    continue;
                }
                let caller = app.caller_for(&file.account).await?;
                let sent = match file.partials(&request) {
                    Ok(partials) => app.submit_partials(&caller, &lot.code, partials).await,
                    Err(error) => Err(error),
                };
                match sent {
                    Ok(_) => have += 1,
                    Err(error) => {
                        tracing::warn!(%error, lot = %lot.code, holder = file.index, "partials not sent")
                    }
                }
            }
            moved += 1;
        }
    }
    moved += simulated_sale_openings(app, holders).await?;
    Ok(moved)
}

/// The same for sealed-bid sales: the opening of every sale past its close is started (by the
/// trading center), and the holders send partials until `threshold` are in.
async fn simulated_sale_openings(app: &App, holders: &[HolderFile]) -> Result<usize, AppError> {
    let now = app.now_ms();
    let operator = app.caller_for("operator").await?;
    let mut moved = 0;
    for sale in app.auctions(500, 0).await?.items {
        let (domain::AuctionMethod::Sealed { close_ms, .. }, Some(key)) =
            (&sale.terms.method, &sale.info.opening_key)
        else {
            continue;
        };
        if sale.result.is_some() || now < *close_ms || sale.sealed.is_empty() {
            continue;
        }
        if sale.opening.is_none() {
            if let Err(error) = app.start_auction_opening(&operator, &sale.id).await {
                tracing::warn!(%error, sale = %sale.id, "could not start the opening");
                continue;
            }
            moved += 1;
        }
        let sale = app.auction(&sale.id).await?;
        let Some(opening) = &sale.opening else {
            continue;
        };
        if opening.opened.is_some() {
            continue;
        }
        let request = app.sale_opening_request(&sale.id).await?;
        let mut have = opening.partials.len() as u32;
        for file in holders.iter().filter(|f| f.ceremony == key.ceremony) {
            if have >= key.threshold {
                break;
            }
            if opening.partials.contains_key(&file.index) {
                continue;
            }
            let caller = app.caller_for(&file.account).await?;
            let sent = match file.sale_partials(&request) {
                Ok(partials) => app.submit_sale_partials(&caller, &sale.id, partials).await,
                Err(error) => Err(error),
            };
            match sent {
                Ok(_) => have += 1,
                Err(error) => {
                    tracing::warn!(%error, sale = %sale.id, holder = file.index, "partials not sent")
                }
            }
        }
        moved += 1;
    }
    Ok(moved)
}

/// The demo's tendering: a construction project published by the demo tenderee with two lots,
/// three sealed bids in the first (sealed with the demo certificates), and a procurement draft
/// of the demo agency. It works on any date: beyond the shipped calendar the deadline is computed
/// with weekends only and shown as provisional. Every demo bidder must have its certificate.
pub async fn seed_demo_tendering(
    app: &App,
    certificates: &[crate::DemoCertificate],
) -> Result<bool, AppError> {
    let now = app.now_ms();
    let deadline_day = domain::Date::of_instant(now).add_days(30);
    let calendar = app.reference_data().await?.calendar;
    let deadline_day = calendar.working_day_on_or_after(deadline_day);
    let deadline = format!("{deadline_day} 09:30");
    let tenderee = app.caller_for("tenderee").await?;
    let (procedure, _) = app
        .create_procedure(
            &tenderee,
            crate::NewProcedure {
                project_code: "2026-330102-48-01-607213".into(),
                title: "杭州市之江路综合管廊二期工程".into(),
                category: "construction".into(),
                method: "open_tender".into(),
                region: "330100".into(),
                tenderee: String::new(),
                description: "之江路（复兴大桥—珊瑚沙）综合管廊，全长约3.2公里，含土建、安装及附属工程。计划工期540日历天。".into(),
                qualification: "具备市政公用工程施工总承包一级及以上资质，具有有效的安全生产许可证；拟派项目经理具备市政公用工程一级注册建造师资格。".into(),
                invitees: Vec::new(),
                lots: vec![
                    crate::NewLot {
                        name: "土建施工标段".into(),
                        budget_fen: 41_280_000_000,
                        description: String::new(),
                        evaluation: None,
                        bond_fen: None,
                    },
                    crate::NewLot {
                        name: "机电安装标段".into(),
                        budget_fen: 8_650_000_000,
                        description: String::new(),
                        evaluation: None,
                        bond_fen: None,
                    },
                ],
                deadline,
                opening_place: String::new(),
                contact: "杭州市城市建设投资集团有限公司 王磊 0571-86001234".into(),
            },
        )
        .await?;
    app.attach_documents(
        &tenderee,
        &procedure.id,
        "之江路综合管廊二期工程招标文件.txt",
        "之江路综合管廊二期工程招标文件（演示）\n第一章 招标公告\n第二章 投标人须知\n第三章 评标办法（综合评估法）\n第四章 合同条款及格式\n第五章 工程量清单\n".as_bytes(),
    )
    .await?;
    let (procedure, _) = app.publish_procedure(&tenderee, &procedure.id).await?;
    let lot = procedure.lots[0].code.clone();
    let opening_key = procedure
        .opening_key
        .as_ref()
        .map(|k| k.public_key.clone())
        .unwrap_or_default();
    let mut planted_copy = String::new();
    for (username, price) in [
        ("bidder", 40_115_000_000_i64),
        ("bidder2", 40_680_000_000),
        ("yuecheng", 39_870_000_000),
    ] {
        let certificate = certificates
            .iter()
            .find(|c| c.username == username)
            .ok_or_else(|| {
                AppError::Internal(format!("the demo bidder {username} has no certificate"))
            })?;
        let bidder = app.caller_for(username).await?;
        app.register_for_lot(&bidder, &lot).await?;
        let (_, _, copy) = app.tender_documents(&bidder, &lot).await?;
        let copy = copy.unwrap_or_default();
        // Planted for the warning engine (预警线索): 越城's bid is made on 建工二公司's computer
        // from the copy of the tender documents 建工二公司 downloaded.
        let (machine, copy) = match username {
            "bidder2" => {
                planted_copy = copy.clone();
                ("bidder2", copy)
            }
            "yuecheng" => ("bidder2", planted_copy.clone()),
            other => (other, copy),
        };
        let signer = crypto::PlatformKey::from_pkcs8_pem(&certificate.key_pem)?;
        let package = crypto::BidPackage {
            form: serde_json::json!({
                "price_fen": price,
                "duration_days": 540,
                "quality": "合格",
                "project_manager": "演示项目经理",
            }),
            files: vec![(
                "投标函.txt".into(),
                format!("投标函（演示）：{}", bidder.display_name).into_bytes(),
            )],
        }
        .to_bytes()?;
        let envelope = crypto::Envelope::seal(crypto::SealRequest {
            recovery_key: None,
            package: &package,
            lot: &lot,
            bidder: &bidder.entity_id,
            opening_key: &crypto::PublicKey::from_hex(&opening_key)?,
            signer: &signer,
            certificate_pem: &certificate.cert_pem,
            machine_fingerprint: crypto::machine_fingerprint(lot.as_bytes(), &[machine]),
            document_copy: &copy,
            tool: concat!("ggzy ", env!("CARGO_PKG_VERSION")),
            created_at_ms: now,
        })?
        .to_bytes()?;
        app.submit_bid(&bidder, &lot, &envelope).await?;
    }
    seed_demo_rooms_and_draw(app, &lot, deadline_day).await?;
    // Supervision has work too: an objection to the documents, answered, then a complaint about
    // it waiting for the department's acceptance; and an anonymous report.
    let bidder2 = app.caller_for("bidder2").await?;
    app.raise_objection(
        &bidder2,
        &lot,
        domain::ObjectionSubject::Documents,
        "招标文件资格条件要求“具有杭州市内类似工程业绩”，以特定行政区域的业绩限制外地投标人。",
    )
    .await?;
    app.answer_objection(
        &tenderee,
        &lot,
        1,
        "该条件系根据综合管廊项目的地质条件设定，不予修改。",
    )
    .await?;
    app.file_complaint(
        &bidder2,
        &crate::NewComplaint {
            lot: lot.clone(),
            subject: "documents".into(),
            facts: "招标文件以杭州市内类似工程业绩作为资格条件，招标人答复后仍不修改。".into(),
            grounds: "招标投标法实施条例 第32条".into(),
            request: "责令招标人修改招标文件并相应延长投标截止时间。".into(),
        },
        Vec::new(),
    )
    .await?;
    app.file_report(
        None,
        &crate::NewReport {
            target: procedure.id.clone(),
            facts: "有人在投标截止前打听其他投标人的报价。".into(),
            anonymous: true,
            ..Default::default()
        },
        Vec::new(),
    )
    .await?;
    let agency = app.caller_for("agency").await?;
    let tenderee_code = app
        .store
        .entity(&tenderee.entity_id)
        .await?
        .map(|row| row.code)
        .unwrap_or_default();
    app.create_procedure(
        &agency,
        crate::NewProcedure {
            project_code: "ZJCG-2026-1187".into(),
            title: "城投集团办公信息化设备采购".into(),
            category: "procurement".into(),
            method: "competitive_consultation".into(),
            region: "330100".into(),
            tenderee: tenderee_code,
            description: "台式计算机120台、笔记本电脑40台、网络交换机12台及三年维保。".into(),
            qualification: "符合政府采购法第二十二条规定的供应商条件。".into(),
            invitees: Vec::new(),
            lots: vec![crate::NewLot {
                name: "信息化设备".into(),
                budget_fen: 168_000_000,
                description: String::new(),
                evaluation: None,
                bond_fen: None,
            }],
            deadline: format!(
                "{} 14:00",
                calendar.working_day_on_or_after(domain::Date::of_instant(now).add_days(15))
            ),
            opening_place: String::new(),
            contact: "浙江中诚招标代理有限公司 0571-88886666".into(),
        },
    )
    .await?;
    Ok(true)
}

/// The demo's evaluation rooms, and the draw of the first lot's panel for its opening day with a
/// room booked: the pages of the expert service have something to show.
async fn seed_demo_rooms_and_draw(
    app: &App,
    lot: &str,
    evaluation_day: domain::Date,
) -> Result<(), AppError> {
    let operator = app.caller_for("operator").await?;
    for (code, name, region, address, capacity, shared) in [
        (
            "HZ-PB-01",
            "第一评标室",
            "330106",
            "杭州市西湖区文三路公共资源交易中心三楼",
            9,
            false,
        ),
        (
            "HZ-PB-02",
            "第二评标室（远程异地评标）",
            "330106",
            "杭州市西湖区文三路公共资源交易中心三楼",
            13,
            true,
        ),
        (
            "NB-PB-01",
            "宁波第一评标室",
            "330212",
            "宁波市鄞州区宁穿路公共资源交易中心",
            7,
            true,
        ),
    ] {
        app.add_room(
            &operator,
            crate::NewRoom {
                code: code.into(),
                name: name.into(),
                region: region.into(),
                address: address.into(),
                capacity,
                equipment: vec!["录音录像、电子评标终端、信号屏蔽、独立通道".into()],
                shared,
            },
        )
        .await?;
    }
    let committed = app
        .draw_experts(
            &operator,
            crate::NewDraw {
                lot: lot.to_string(),
                evaluation_date: evaluation_day.to_string(),
                needs: vec![("A01".into(), 5)],
                backups: 0,
                recent_days: 0,
                excluded_regions: Vec::new(),
                confirm_minutes: Some(120),
            },
        )
        .await?;
    // The demo's supervisor puts in its own randomness, as its browser would.
    let supervisor = app.caller_for("supervisor").await?;
    let value: [u8; 32] = rand::random();
    app.contribute_to_draw(
        &supervisor,
        &committed.id,
        crate::NewContribution {
            commitment: committed.commitment.clone(),
            value: hex::encode(value),
        },
    )
    .await?;
    app.book_room(
        &operator,
        "HZ-PB-01",
        crate::NewBooking {
            lot: lot.to_string(),
            from: format!("{evaluation_day} 10:30"),
            to: format!("{evaluation_day} 17:30"),
            attendees: 5,
        },
    )
    .await?;
    Ok(())
}
