//! Carries the plan out through the application's use cases, in time order: a queue of tasks
//! (a publication, a bid, an opening with its evaluation, an award, a contract, performance, a
//! sale's steps, the warning engine's weekly pass), each run with the moving clock set to its
//! time. The clock only moves forward; a task a step ran past runs late, never early.

use std::collections::BTreeMap;

use app::{App, Caller, HolderFile};
use domain::{LotStatus, ObjectionSubject};

use crate::HistoryError;
use crate::clock::MovableClock;
use crate::plan::{DAY, EntityPlan, HOUR, MINUTE, Plan, Rng, Trade, id_number, person, uscc};
use crate::truth::{
    EntityTruth, History, LotOutcome, LotTruth, Planted, SaleOutcome, SaleTruth, WarningFact,
};

/// One step of the history.
#[derive(Clone, Copy, Debug)]
enum Task {
    Publish(usize),
    Bid(usize, usize),
    Open(usize),
    Evaluate(usize),
    Answer(usize),
    Award(usize),
    Decline(usize),
    Contract(usize),
    Perform(usize),
    SaleCreate(usize),
    SaleRun(usize),
    SaleBid(usize),
    SaleClose(usize),
    SaleDefault(usize),
    Watch,
}

/// What the runner knows of a published lot.
#[derive(Clone, Debug, Default)]
struct LotState {
    procedure: String,
    code: String,
    opening_key: String,
    deadline_ms: i64,
    /// Each planned bid's downloaded copy, once downloaded.
    copies: Vec<Option<String>>,
    truth: Option<usize>,
    /// The bidder who objected to the result.
    objector: Option<usize>,
}

#[derive(Clone, Debug, Default)]
struct SaleState {
    id: String,
    start_ms: i64,
    free_until_ms: i64,
    /// 竞买号 → entity index.
    numbers: BTreeMap<String, usize>,
    truth: Option<usize>,
    /// The registered bidders with their limits, the price and who holds it.
    caps: Vec<(usize, i64)>,
    price: Option<i64>,
    leader: Option<usize>,
    bids: u32,
}

/// A signing key and its certificate.
struct Signer {
    key: crypto::PlatformKey,
    cert_pem: String,
}

pub(crate) struct Runner<'a> {
    app: &'a App,
    clock: &'a MovableClock,
    holders: &'a [HolderFile],
    plan: Plan,
    rng: Rng,
    end_ms: i64,
    operator: Caller,
    supervisor: Caller,
    callers: Vec<Caller>,
    signers: Vec<Signer>,
    /// Expert pseudonym → signer.
    expert_signers: BTreeMap<String, Signer>,
    expert_callers: BTreeMap<String, Caller>,
    bank: Option<app::DemoGuarantor>,
    tasks: BTreeMap<(i64, u64), Task>,
    next: u64,
    lots: Vec<LotState>,
    sales: Vec<SaleState>,
    pub(crate) history: History,
    /// Bids a gate refused (credit, eligibility), by reason.
    pub(crate) refused_bids: BTreeMap<String, u32>,
}

fn step(what: impl Into<String>) -> impl FnOnce(app::AppError) -> HistoryError {
    let what = what.into();
    move |source| HistoryError::Step {
        step: what,
        source: Box::new(source),
    }
}

impl<'a> Runner<'a> {
    pub(crate) async fn new(
        app: &'a App,
        clock: &'a MovableClock,
        holders: &'a [HolderFile],
        plan: Plan,
        seed: u64,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Self, HistoryError> {
        let operator = app.caller_for("operator").await.map_err(step("operator"))?;
        let supervisor = app
            .caller_for("supervisor")
            .await
            .map_err(step("supervisor"))?;
        Ok(Self {
            app,
            clock,
            holders,
            plan,
            rng: Rng::new(seed.wrapping_add(1)),
            end_ms,
            operator,
            supervisor,
            callers: Vec::new(),
            signers: Vec::new(),
            expert_signers: BTreeMap::new(),
            expert_callers: BTreeMap::new(),
            bank: None,
            tasks: BTreeMap::new(),
            next: 0,
            lots: Vec::new(),
            sales: Vec::new(),
            history: History {
                seed,
                start_ms,
                end_ms,
                ..Default::default()
            },
            refused_bids: BTreeMap::new(),
        })
    }

    fn schedule(&mut self, at_ms: i64, task: Task) {
        self.next += 1;
        self.tasks.insert((at_ms, self.next), task);
    }

    /// The market: the history's CA in the trust store, the entities registered, approved and
    /// given certificates, the expert database and its certificates, the bank.
    pub(crate) async fn set_up(&mut self) -> Result<(), HistoryError> {
        let now = self.clock.now_ms();
        let ca_name = "浙江省数字证书认证中心（历史数据演示）";
        let authority = crypto::CertificateAuthority::new_root(
            &crypto::Subject {
                common_name: ca_name.into(),
                organization: ca_name.into(),
                code: String::new(),
            },
            now - DAY,
            self.end_ms + 3650 * DAY,
        )?;
        let current = self
            .app
            .reference_current(domain::ReferenceKind::Trust)
            .await
            .map_err(step("trust store"))?;
        self.app
            .publish_reference(
                &self.operator,
                domain::ReferenceKind::Trust,
                &format!(
                    "{}\n# {ca_name}\n{}\n",
                    current.text.trim_end(),
                    authority.root().to_pem()
                ),
                "演示：认可历史数据演示 CA（不得用于生产）",
            )
            .await
            .map_err(step("publish the history CA"))?;
        let valid = (now - DAY, self.end_ms + 1825 * DAY);
        let mut serial = 20_000u64;
        let mut issue = |code: &str, name: &str| -> Result<Signer, HistoryError> {
            serial += 1;
            let key = crypto::PlatformKey::generate();
            let cert = authority.issue(
                &crypto::Subject {
                    common_name: name.into(),
                    organization: name.into(),
                    code: code.into(),
                },
                &key.public_key(),
                serial,
                valid.0,
                valid.1,
            )?;
            Ok(Signer {
                key,
                cert_pem: cert.to_pem(),
            })
        };
        for entity in self.plan.entities.clone() {
            let input = registration(&entity);
            self.app
                .register_entity(input)
                .await
                .map_err(step(format!("register {}", entity.name)))?;
            self.app
                .approve_entity(&self.operator, &entity.code)
                .await
                .map_err(step(format!("approve {}", entity.name)))?;
            let caller = self
                .app
                .caller_for(&entity.username)
                .await
                .map_err(step("caller"))?;
            let signer = issue(&entity.code, &entity.name)?;
            self.app
                .bind_certificate(&caller, &entity.code, &signer.cert_pem)
                .await
                .map_err(step(format!("certificate of {}", entity.name)))?;
            self.history.entities.push(EntityTruth {
                id: entity.code.clone(),
                name: entity.name.clone(),
                region: entity.region.clone(),
                role: match entity.trade {
                    Trade::WorksOwner | Trade::Purchaser => "tenderee",
                    _ => "bidder",
                }
                .into(),
                username: entity.username.clone(),
                sme: entity.sme,
            });
            self.callers.push(caller);
            self.signers.push(signer);
        }
        // The expert database: every class the lots need, employed by institutes that bid on
        // nothing.
        let employers = [
            uscc("12", "330100", "MH9D0001"),
            uscc("12", "330000", "MH9E0002"),
            uscc("12", "330200", "MH9D0003"),
        ];
        let subclasses = |class: &str| -> &'static str {
            match class {
                "A01" => "A0101;A0102;A0104",
                "B01" => "B0101;B0102",
                "B02" => "B0201;B0202",
                _ => "C01",
            }
        };
        let mut csv = format!("{}\n", domain::EXPERT_CSV_HEADER);
        let mut n = 0usize;
        const MIDDLE: [&str; 6] = ["子", "思", "嘉", "雨", "若", "书"];
        const LAST: [&str; 6] = ["航", "涵", "睿", "远", "言", "川"];
        const SURNAMES: [&str; 20] = [
            "王", "李", "张", "刘", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
            "郭", "何", "林", "高", "罗", "梁",
        ];
        let start = domain::Date::of_instant(now).to_string();
        for (class, count) in self.plan.experts.clone() {
            for _ in 0..count {
                let name = format!(
                    "{}{}{}",
                    SURNAMES[n % SURNAMES.len()],
                    MIDDLE[(n / SURNAMES.len()) % MIDDLE.len()],
                    LAST[(n / (SURNAMES.len() * MIDDLE.len())) % LAST.len()]
                );
                let region = crate::plan::PREFECTURES[n % 11].0;
                let id = id_number(
                    crate::plan::PREFECTURES[n % 11].3[0].0,
                    &format!("19{}0{}1{}", 60 + n % 30, 1 + n % 9, n % 9),
                    n as u32 + 100,
                );
                csv.push_str(&format!(
                    "{name},{id},{},{region},{},高级工程师,副高级,{},{start}\n",
                    employers[n % employers.len()],
                    subclasses(class),
                    10 + n % 20
                ));
                n += 1;
            }
        }
        self.app
            .import_experts(&self.operator, &csv)
            .await
            .map_err(step("import the experts"))?;
        // Every expert signs reports with a certificate of the history's CA for their ID number
        // (the demo's own experts too: a draw may seat them).
        let rows = self
            .app
            .store()
            .documents(
                &store::DocumentFilter {
                    kind: "expert",
                    ..Default::default()
                },
                1_000_000,
                0,
            )
            .await
            .map_err(|e| HistoryError::Plan(e.to_string()))?;
        for row in &rows.items {
            let expert: domain::Expert = serde_json::from_str(&row.state)?;
            let signer = issue(expert.record.id_number.as_ref(), &expert.record.name)?;
            self.expert_signers.insert(expert.pseudonym.clone(), signer);
        }
        // The bank that notifies sale deposits.
        let bank_code = uscc("91", "330100", "MH9BANK1");
        let bank_name = "浙江历史演示商业银行股份有限公司";
        let bank = issue(&bank_code, bank_name)?;
        self.app
            .approve_guarantor(&self.operator, &bank_code, bank_name)
            .await
            .map_err(step("approve the bank"))?;
        self.bank = Some(app::DemoGuarantor::from_pem(
            &bank_code,
            bank_name,
            &bank.key.to_pkcs8_pem(),
            &bank.cert_pem,
        )?);
        Ok(())
    }

    /// Runs every task due before the end, in time order.
    pub(crate) async fn run(&mut self) -> Result<(), HistoryError> {
        for n in 0..self.plan.lots.len() {
            self.lots.push(LotState::default());
            let at = self.plan.lots[n].at_ms;
            self.schedule(at, Task::Publish(n));
        }
        for n in 0..self.plan.sales.len() {
            self.sales.push(SaleState::default());
            let at = self.plan.sales[n].at_ms;
            self.schedule(at, Task::SaleCreate(n));
        }
        let first = self.clock.now_ms();
        self.schedule(first + 7 * DAY, Task::Watch);
        while let Some((&(at, seq), &task)) = self.tasks.iter().next() {
            self.tasks.remove(&(at, seq));
            if at > self.end_ms {
                break;
            }
            self.clock.set(at);
            match self.task(task).await {
                Ok(()) => {}
                // A refusal of the platform's rules stops that lot or sale where it is (the
                // truth records only what succeeded); anything else stops the history.
                Err(HistoryError::Step { step, source }) if source.code() != "INTERNAL" => {
                    tracing::warn!(%step, error = %source, "a step of the history was refused");
                    *self
                        .refused_bids
                        .entry(format!("{}: {}", step_kind(&step), source.code()))
                        .or_default() += 1;
                }
                Err(other) => return Err(other),
            }
        }
        self.clock.set(self.end_ms);
        Ok(())
    }

    async fn task(&mut self, task: Task) -> Result<(), HistoryError> {
        match task {
            Task::Publish(n) => self.publish(n).await,
            Task::Bid(n, k) => self.bid(n, k).await,
            Task::Open(n) => self.open(n).await,
            Task::Evaluate(n) => self.evaluate(n).await,
            Task::Answer(n) => self.answer(n).await,
            Task::Award(n) => self.award(n).await,
            Task::Decline(n) => self.decline(n).await,
            Task::Contract(n) => self.contract(n).await,
            Task::Perform(n) => self.perform(n).await,
            Task::SaleCreate(n) => self.sale_create(n).await,
            Task::SaleRun(n) => self.sale_run(n).await,
            Task::SaleBid(n) => self.sale_bid(n).await,
            Task::SaleClose(n) => self.sale_close(n).await,
            Task::SaleDefault(n) => self.sale_default(n).await,
            Task::Watch => {
                catch_up(self.app).await?;
                let next = self.clock.now_ms() + 7 * DAY;
                if next <= self.end_ms {
                    self.schedule(next, Task::Watch);
                }
                Ok(())
            }
        }
    }

    async fn publish(&mut self, n: usize) -> Result<(), HistoryError> {
        let lot = self.plan.lots[n].clone();
        let tenderee = self.callers[lot.tenderee].clone();
        let calendar = self
            .app
            .reference_data()
            .await
            .map_err(step("reference data"))?
            .calendar;
        let consultation = lot.method == "competitive_consultation";
        let today = domain::Date::of_instant(self.clock.now_ms());
        let deadline_day =
            calendar.working_day_on_or_after(today.add_days(if consultation { 12 } else { 22 }));
        let invited = lot.method == "invited_tender" && lot.bids.len() >= 3;
        let method = if lot.method == "invited_tender" && !invited {
            "open_tender"
        } else {
            lot.method
        };
        let entity = &self.plan.entities[lot.tenderee];
        let (procedure, _) = self
            .app
            .create_procedure(
                &tenderee,
                app::NewProcedure {
                    project_code: format!(
                        "{}-{}-48-01-{:06}",
                        today.year(),
                        lot.region,
                        100_000 + n
                    ),
                    title: lot.title.clone(),
                    category: if lot.construction {
                        "construction"
                    } else {
                        "procurement"
                    }
                    .into(),
                    method: method.into(),
                    region: lot.region.clone(),
                    tenderee: String::new(),
                    description: format!("{}，详见招标（采购）文件。", lot.title),
                    qualification: if lot.construction {
                        "具备相应施工总承包资质，具有有效的安全生产许可证。".into()
                    } else {
                        "符合政府采购法第二十二条规定的供应商条件。".into()
                    },
                    invitees: if invited {
                        lot.bids
                            .iter()
                            .map(|b| self.plan.entities[b.bidder].code.clone())
                            .collect()
                    } else {
                        Vec::new()
                    },
                    lots: vec![app::NewLot {
                        name: if lot.construction {
                            "施工标段".into()
                        } else {
                            "采购包1".into()
                        },
                        budget_fen: lot.budget_fen,
                        description: String::new(),
                        evaluation: None,
                        bond_fen: lot.bond_fen,
                    }],
                    deadline: format!("{deadline_day} 09:30"),
                    opening_place: String::new(),
                    contact: format!("{} {} {}", entity.name, entity.contact, entity.phone),
                },
            )
            .await
            .map_err(step(format!("create {}", lot.title)))?;
        self.app
            .attach_documents(
                &tenderee,
                &procedure.id,
                "招标文件.txt",
                format!("{}\n招标（采购）文件（历史数据演示）\n", lot.title).as_bytes(),
            )
            .await
            .map_err(step("attach documents"))?;
        let (procedure, _) = self
            .app
            .publish_procedure(&tenderee, &procedure.id)
            .await
            .map_err(step(format!("publish {}", lot.title)))?;
        let code = procedure.lots[0].code.clone();
        let state = &mut self.lots[n];
        state.procedure = procedure.id.clone();
        state.code = code.clone();
        state.opening_key = procedure
            .opening_key
            .as_ref()
            .map(|k| k.public_key.clone())
            .unwrap_or_default();
        state.deadline_ms = procedure.deadline_ms();
        state.copies = vec![None; lot.bids.len()];
        state.truth = Some(self.history.lots.len());
        self.history.lots.push(LotTruth {
            procedure: procedure.id.clone(),
            lot: code,
            title: lot.title.clone(),
            category: procedure.draft.category.clone(),
            region: lot.region.clone(),
            method: method.into(),
            tenderee: entity.code.clone(),
            budget_fen: lot.budget_fen,
            bond_fen: lot.bond_fen,
            announced_ms: self.clock.now_ms(),
            deadline_ms: procedure.deadline_ms(),
            bidders: Vec::new(),
            outcome: LotOutcome::Open,
            declined_by: None,
            contract: false,
            completed: false,
        });
        let deadline = procedure.deadline_ms();
        for (k, bid) in lot.bids.iter().enumerate() {
            self.schedule(bid.at_ms.min(deadline - HOUR), Task::Bid(n, k));
        }
        self.schedule(deadline + 20 * MINUTE, Task::Open(n));
        Ok(())
    }

    async fn bid(&mut self, n: usize, k: usize) -> Result<(), HistoryError> {
        let plan = self.plan.lots[n].bids[k].clone();
        let lot = self.plan.lots[n].clone();
        let state = self.lots[n].clone();
        let bidder = self.callers[plan.bidder].clone();
        let entity = self.plan.entities[plan.bidder].clone();
        match self.bid_acts(n, k, &lot, &state, &bidder, &entity).await {
            Ok(()) => {
                if let Some(t) = state.truth {
                    self.history.lots[t].bidders.push(entity.code.clone());
                }
                Ok(())
            }
            // A gate refused this bidder (its credit after a declined award, …): the bid is
            // not made, as on the real platform.
            Err(HistoryError::Step { source, .. }) if source.code() != "INTERNAL" => {
                *self
                    .refused_bids
                    .entry(source.code().to_string())
                    .or_default() += 1;
                Ok(())
            }
            Err(other) => Err(other),
        }
    }

    async fn bid_acts(
        &mut self,
        n: usize,
        k: usize,
        lot: &crate::plan::LotPlan,
        state: &LotState,
        bidder: &Caller,
        entity: &EntityPlan,
    ) -> Result<(), HistoryError> {
        let plan = &lot.bids[k];
        let code = &state.code;
        self.app
            .register_for_lot(bidder, code)
            .await
            .map_err(step("register for the lot"))?;
        let (_, _, copy) = self
            .app
            .tender_documents(bidder, code)
            .await
            .map_err(step("download"))?;
        self.lots[n].copies[k] = copy.clone();
        if let Some(bond) = lot.bond_fen {
            self.app
                .record_bond_transfer(
                    bidder,
                    code,
                    bond,
                    &format!("ZJ{}{k}", &code[code.len().saturating_sub(8)..]),
                )
                .await
                .map_err(step("bond transfer"))?;
            self.app
                .confirm_bond(&self.operator, code, &entity.code, &plan.payer)
                .await
                .map_err(step("confirm the bond"))?;
        }
        let copy = match plan.copy_of {
            Some(j) => self.lots[n].copies[j].clone().unwrap_or_default(),
            None => copy.unwrap_or_default(),
        };
        let signer = &self.signers[plan.bidder];
        let yes = |b: bool| if b { "是" } else { "否" };
        let package = crypto::BidPackage {
            form: serde_json::json!({
                "price_fen": plan.price_fen,
                "duration_days": if lot.construction { 360 } else { 30 },
                "quality": "合格",
                "project_manager": person(plan.bidder * 13 + k),
                "small_enterprise": yes(entity.small),
                "sme": yes(entity.sme),
            }),
            files: vec![(
                "投标函.txt".into(),
                format!(
                    "投标函：{} 对 {} 的投标（{}）",
                    entity.name, lot.title, plan.price_fen
                )
                .into_bytes(),
            )],
        }
        .to_bytes()?;
        let envelope = crypto::Envelope::seal(crypto::SealRequest {
            recovery_key: None,
            package: &package,
            lot: code,
            bidder: &entity.code,
            opening_key: &crypto::PublicKey::from_hex(&state.opening_key)?,
            signer: &signer.key,
            certificate_pem: &signer.cert_pem,
            machine_fingerprint: crypto::machine_fingerprint(code.as_bytes(), &[&plan.machine]),
            document_copy: &copy,
            tool: concat!("ggzy ", env!("CARGO_PKG_VERSION")),
            created_at_ms: self.clock.now_ms(),
        })?
        .to_bytes()?;
        let mut intake = self
            .app
            .begin_bid(bidder, code)
            .await
            .map_err(step("begin the bid"))?
            .from_address(&plan.address);
        if let Err(error) = intake.push(&envelope).await {
            intake.abort().await;
            return Err(step("send the envelope")(error));
        }
        intake.finish().await.map_err(step("submit the bid"))?;
        Ok(())
    }

    async fn procedure(&self, n: usize) -> Result<domain::Procedure, HistoryError> {
        self.app
            .procedure(None, &self.lots[n].procedure)
            .await
            .map_err(step("read the procedure"))
    }

    async fn lot_state(&self, n: usize) -> Result<domain::Lot, HistoryError> {
        let procedure = self.procedure(n).await?;
        procedure
            .lot(&self.lots[n].code)
            .cloned()
            .ok_or_else(|| HistoryError::Plan(format!("lot {} vanished", self.lots[n].code)))
    }

    /// The opening by the key holders, then the draw, the committee, its evaluation and the
    /// candidates' publicity — all on the opening day.
    async fn open(&mut self, n: usize) -> Result<(), HistoryError> {
        let code = self.lots[n].code.clone();
        let Some(t) = self.lots[n].truth else {
            return Ok(());
        };
        self.app
            .start_opening(None, &code)
            .await
            .map_err(step(format!("start the opening of {code}")))?;
        if matches!(self.lot_state(n).await?.status, LotStatus::Opening { .. }) {
            let request = self
                .app
                .opening_request(&code)
                .await
                .map_err(step("opening request"))?;
            for holder in self.holders.iter().take(2) {
                let caller = self
                    .app
                    .caller_for(&holder.account)
                    .await
                    .map_err(step("holder"))?;
                let partials = holder.partials(&request).map_err(step("partials"))?;
                self.app
                    .submit_partials(&caller, &code, partials)
                    .await
                    .map_err(step("submit partials"))?;
            }
            // The opening finishes with the threshold's partials, or at the next look.
            if matches!(self.lot_state(n).await?.status, LotStatus::Opening { .. }) {
                self.app
                    .start_opening(None, &code)
                    .await
                    .map_err(step("finish the opening"))?;
            }
        }
        let lot = self.lot_state(n).await?;
        match lot.status {
            LotStatus::Opened => {}
            LotStatus::Failed { .. } => {
                self.history.lots[t].outcome = LotOutcome::Failed {
                    at_ms: self.clock.now_ms(),
                };
                return Ok(());
            }
            other => {
                return Err(HistoryError::Plan(format!(
                    "lot {code} is {} after its opening",
                    other.as_str()
                )));
            }
        }
        self.schedule(self.clock.now_ms() + 30 * MINUTE, Task::Evaluate(n));
        if self.plan.lots[n].report {
            self.app
                .file_report(
                    None,
                    &app::NewReport {
                        target: self.lots[n].procedure.clone(),
                        facts: "有投标人在开标前打听其他投标人的报价，疑似串通。".into(),
                        anonymous: true,
                        ..Default::default()
                    },
                    Vec::new(),
                )
                .await
                .map_err(step("file a report"))?;
            self.history.reports += 1;
        }
        Ok(())
    }

    async fn expert(&mut self, pseudonym: &str) -> Result<Caller, HistoryError> {
        if let Some(caller) = self.expert_callers.get(pseudonym) {
            return Ok(caller.clone());
        }
        let view = self
            .app
            .expert(&self.operator, pseudonym)
            .await
            .map_err(step("expert"))?;
        let username = match view.account {
            Some(linked) => linked,
            None => {
                self.app
                    .open_expert_account(&self.operator, pseudonym, None, app::DEMO_PASSWORD)
                    .await
                    .map_err(step("open an expert's account"))?;
                domain::Expert::account_name(pseudonym)
            }
        };
        let caller = self
            .app
            .caller_for(&username)
            .await
            .map_err(step("expert caller"))?;
        self.expert_callers
            .insert(pseudonym.to_string(), caller.clone());
        Ok(caller)
    }

    /// The draw, the committee, its evaluation and the candidates' publicity, half an hour
    /// after the opening. Every act of a task happens at its moment (the clock is never moved
    /// inside a task, so no other task runs late).
    async fn evaluate(&mut self, n: usize) -> Result<(), HistoryError> {
        let plan = self.plan.lots[n].clone();
        let code = self.lots[n].code.clone();
        let today = domain::Date::of_instant(self.clock.now_ms());
        let committed = self
            .app
            .draw_experts(
                &self.operator,
                app::NewDraw {
                    lot: code.clone(),
                    evaluation_date: today.to_string(),
                    needs: vec![(plan.experts.0.to_string(), plan.experts.1)],
                    backups: 0,
                    recent_days: 0,
                    excluded_regions: Vec::new(),
                    confirm_minutes: Some(60),
                },
            )
            .await
            .map_err(step(format!("draw the experts of {code}")))?;
        self.app
            .contribute_to_draw(
                &self.supervisor,
                &committed.id,
                app::NewContribution {
                    commitment: committed.commitment.clone(),
                    value: self.rng.hex(32),
                },
            )
            .await
            .map_err(step("contribute to the draw"))?;
        let panel = self
            .app
            .panel_view(&self.operator, &committed.id)
            .await
            .map_err(step("panel"))?;
        let mut experts = Vec::new();
        for seat in &panel.seats {
            let pseudonym = seat.pseudonym.clone().unwrap_or_default();
            let expert = self.expert(&pseudonym).await?;
            self.app
                .confirm_seat(&expert, &committed.id)
                .await
                .map_err(step("confirm a seat"))?;
            self.app
                .declare_no_conflict(&expert, &committed.id, None)
                .await
                .map_err(step("declare no conflict"))?;
            experts.push((pseudonym, expert));
        }
        let tenderee = self.callers[plan.tenderee].clone();
        self.app
            .start_evaluation(&tenderee, &code)
            .await
            .map_err(step(format!("start the evaluation of {code}")))?;
        let view = self
            .app
            .evaluation_view(&experts[0].1, &code)
            .await
            .map_err(step("evaluation view"))?;
        // Each bid's quality as planned; the committee scores by it (the same objective score
        // from everyone, subjective ones within a few points of each other).
        let quality: BTreeMap<String, i64> = plan
            .bids
            .iter()
            .map(|b| (self.plan.entities[b.bidder].code.clone(), b.quality_bp))
            .collect();
        for (e, (_, expert)) in experts.iter().enumerate() {
            let sheet = domain::Sheet {
                expert: String::new(),
                verdicts: view
                    .bids
                    .iter()
                    .flat_map(|b| {
                        view.terms.items.iter().map(|item| domain::ItemVerdict {
                            bidder: b.bidder.clone(),
                            item: item.clone(),
                            pass: true,
                            reason: String::new(),
                        })
                    })
                    .collect(),
                scores: view
                    .bids
                    .iter()
                    .flat_map(|b| {
                        let q = quality.get(&b.bidder).copied().unwrap_or(6_000);
                        view.terms.factors.iter().map(move |f| {
                            let wobble = if f.objective {
                                0
                            } else {
                                (e as i64 % 3 - 1) * 150
                            };
                            domain::FactorScore {
                                bidder: b.bidder.clone(),
                                factor: f.key.clone(),
                                score: (f.max * (q + wobble).clamp(0, 10_000) / 10_000)
                                    .clamp(0, f.max),
                            }
                        })
                    })
                    .collect(),
            };
            self.app
                .save_sheet(expert, &code, sheet)
                .await
                .map_err(step("save a sheet"))?;
        }
        self.app
            .conclude_evaluation(&experts[0].1, &code)
            .await
            .map_err(step(format!("conclude the evaluation of {code}")))?;
        for (pseudonym, expert) in &experts {
            let payload = self
                .app
                .evaluation_view(expert, &code)
                .await
                .map_err(step("report to sign"))?
                .to_sign
                .ok_or_else(|| HistoryError::Plan("nothing to sign".into()))?;
            let signer = self
                .expert_signers
                .get(pseudonym)
                .ok_or_else(|| HistoryError::Plan(format!("expert {pseudonym} has no key")))?;
            let value = serde_json::to_value(&payload)?;
            let signature = signer
                .key
                .sign(&crypto::canonical_json_bytes(&value)?)
                .to_hex();
            self.app
                .sign_report(expert, &code, &signer.cert_pem, &signature)
                .await
                .map_err(step("sign the report"))?;
        }
        self.app
            .publish_candidates(&tenderee, &code)
            .await
            .map_err(step(format!("publish the candidates of {code}")))?;
        if plan.objection && self.objection(n).await? {
            self.schedule(self.clock.now_ms() + 3 * HOUR, Task::Answer(n));
        }
        let until = self
            .lot_state(n)
            .await?
            .award
            .publicity_until_ms
            .unwrap_or_else(|| self.clock.now_ms());
        self.schedule(until + 2 * HOUR, Task::Award(n));
        Ok(())
    }

    /// A losing bidder objects to the result as the publicity starts (the tenderee answers
    /// three hours later); whether it did.
    async fn objection(&mut self, n: usize) -> Result<bool, HistoryError> {
        let lot = self.lot_state(n).await?;
        let Some(loser) = lot
            .award
            .candidates
            .iter()
            .find(|c| c.rank > 1)
            .map(|c| c.bidder.to_string())
        else {
            return Ok(false);
        };
        let Some(index) = self.plan.entities.iter().position(|e| e.code == loser) else {
            return Ok(false);
        };
        let bidder = self.callers[index].clone();
        self.app
            .raise_objection(
                &bidder,
                &lot.code,
                ObjectionSubject::Result,
                "第一中标候选人的项目负责人有在建项目，不符合招标文件要求。",
            )
            .await
            .map_err(step("raise an objection"))?;
        self.lots[n].objector = Some(index);
        Ok(true)
    }

    async fn answer(&mut self, n: usize) -> Result<(), HistoryError> {
        let tenderee = self.callers[self.plan.lots[n].tenderee].clone();
        self.app
            .answer_objection(
                &tenderee,
                &self.lots[n].code,
                1,
                "经核查，该项目负责人原在建项目已竣工验收，异议不成立。",
            )
            .await
            .map_err(step("answer the objection"))?;
        self.history.objections += 1;
        if !self.plan.lots[n].complaint {
            return Ok(());
        }
        // Not satisfied with the answer, the objector complains to the department.
        let Some(objector) = self.lots[n].objector else {
            return Ok(());
        };
        let bidder = self.callers[objector].clone();
        let lot = self.lot_state(n).await?;
        self.app
            .file_complaint(
                &bidder,
                &app::NewComplaint {
                    lot: lot.code.clone(),
                    subject: "result".into(),
                    facts:
                        "第一中标候选人的项目负责人有在建项目，招标人答复异议不成立，理由不充分。"
                            .into(),
                    grounds: "招标投标法实施条例 第60条".into(),
                    request: "请求责令重新评标。".into(),
                },
                Vec::new(),
            )
            .await
            .map_err(step("file a complaint"))?;
        self.history.complaints += 1;
        Ok(())
    }

    async fn award(&mut self, n: usize) -> Result<(), HistoryError> {
        let Some(t) = self.lots[n].truth else {
            return Ok(());
        };
        let tenderee = self.callers[self.plan.lots[n].tenderee].clone();
        let lot = self.lot_state(n).await?;
        let mut candidates = lot.award.candidates.clone();
        candidates.sort_by_key(|c| c.rank);
        let ranked: Vec<String> = candidates.iter().map(|c| c.bidder.to_string()).collect();
        let Some(winner) = self.award_first(n, &tenderee, &ranked).await? else {
            return Ok(());
        };
        if self.plan.lots[n].decline && candidates.len() > 1 {
            self.schedule(self.clock.now_ms() + 2 * DAY, Task::Decline(n));
            return Ok(());
        }
        self.awarded(n, t, winner).await
    }

    /// 放弃中标 two days after the award; the next candidate is awarded at once.
    async fn decline(&mut self, n: usize) -> Result<(), HistoryError> {
        let code = self.lots[n].code.clone();
        let Some(t) = self.lots[n].truth else {
            return Ok(());
        };
        let lot = self.lot_state(n).await?;
        let mut candidates = lot.award.candidates.clone();
        candidates.sort_by_key(|c| c.rank);
        let winner = lot
            .award
            .winner
            .as_ref()
            .map(|w| w.bidder.to_string())
            .ok_or_else(|| HistoryError::Plan(format!("lot {code} has no winner")))?;
        let index = self
            .plan
            .entities
            .iter()
            .position(|e| e.code == winner)
            .ok_or_else(|| HistoryError::Plan("winner unknown".into()))?;
        let caller = self.callers[index].clone();
        self.app
            .decline_award(&caller, &code, "因企业经营调整，放弃中标。")
            .await
            .map_err(step("decline the award"))?;
        self.history.lots[t].declined_by = Some(winner.clone());
        self.history.declined_awards += 1;
        let others: Vec<String> = candidates
            .iter()
            .filter(|c| c.bidder.as_ref() != winner)
            .map(|c| c.bidder.to_string())
            .collect();
        let tenderee = self.callers[self.plan.lots[n].tenderee].clone();
        match self.award_first(n, &tenderee, &others).await? {
            Some(next) => self.awarded(n, t, next).await,
            None => Ok(()),
        }
    }

    /// Awards the first of `ranked` the platform accepts: the credit re-check before the award
    /// refuses a candidate whose level has fallen since it bid (after a declined award, say),
    /// and the tenderee turns to the next. None when every one is refused.
    async fn award_first(
        &mut self,
        n: usize,
        tenderee: &Caller,
        ranked: &[String],
    ) -> Result<Option<String>, HistoryError> {
        let code = self.lots[n].code.clone();
        for candidate in ranked {
            match self.app.award(tenderee, &code, candidate).await {
                Ok(_) => return Ok(Some(candidate.clone())),
                Err(error) if error.code() != "INTERNAL" => {
                    *self
                        .refused_bids
                        .entry(format!("award: {}", error.code()))
                        .or_default() += 1;
                }
                Err(error) => return Err(step(format!("award {code}"))(error)),
            }
        }
        Ok(None)
    }

    /// The award in the truth, and the contract to come.
    async fn awarded(&mut self, n: usize, t: usize, winner: String) -> Result<(), HistoryError> {
        let lot = self.lot_state(n).await?;
        let price_fen = lot
            .opening
            .iter()
            .find(|l| l.bidder.as_ref() == winner)
            .and_then(|l| l.price_fen)
            .unwrap_or(0);
        let winner_sme = self
            .plan
            .entities
            .iter()
            .find(|e| e.code == winner)
            .is_some_and(|e| e.sme);
        self.history.lots[t].outcome = LotOutcome::Awarded {
            winner,
            price_fen,
            awarded_ms: lot
                .award
                .awarded_at_ms
                .unwrap_or_else(|| self.clock.now_ms()),
            winner_sme,
        };
        let days = self.rng.range(5, 20);
        self.schedule(self.clock.now_ms() + days * DAY, Task::Contract(n));
        Ok(())
    }

    async fn contract(&mut self, n: usize) -> Result<(), HistoryError> {
        let code = self.lots[n].code.clone();
        let Some(t) = self.lots[n].truth else {
            return Ok(());
        };
        let LotOutcome::Awarded { winner, .. } = self.history.lots[t].outcome.clone() else {
            return Ok(());
        };
        let tenderee_index = self.plan.lots[n].tenderee;
        let tenderee = self.callers[tenderee_index].clone();
        let winner_index = self
            .plan
            .entities
            .iter()
            .position(|e| e.code == winner)
            .ok_or_else(|| HistoryError::Plan("winner unknown".into()))?;
        let content = format!("{} 合同（历史数据演示）", self.plan.lots[n].title).into_bytes();
        let payload =
            serde_json::json!({"lot": code, "contract_sm3": crypto::sm3(&content).to_hex()});
        let bytes = crypto::canonical_json_bytes(&payload)?;
        let signatures: Vec<(String, String)> = [tenderee_index, winner_index]
            .iter()
            .map(|&i| {
                (
                    self.signers[i].cert_pem.clone(),
                    self.signers[i].key.sign(&bytes).to_hex(),
                )
            })
            .collect();
        self.app
            .record_contract(&tenderee, &code, "合同.txt", &content, &signatures)
            .await
            .map_err(step(format!("contract of {code}")))?;
        self.history.lots[t].contract = true;
        if self.plan.lots[n].bond_fen.is_some() {
            self.app
                .refund_bonds(&self.operator, &code)
                .await
                .map_err(step("refund the bonds"))?;
        }
        let days = self.rng.range(60, 240);
        self.schedule(self.clock.now_ms() + days * DAY, Task::Perform(n));
        Ok(())
    }

    async fn perform(&mut self, n: usize) -> Result<(), HistoryError> {
        let code = self.lots[n].code.clone();
        let Some(t) = self.lots[n].truth else {
            return Ok(());
        };
        let tenderee = self.callers[self.plan.lots[n].tenderee].clone();
        let (text, outcome) = if self.plan.lots[n].late_performance {
            self.history.late_performances += 1;
            (
                "工程（服务）完成，但较合同约定逾期。",
                domain::PerformanceOutcome::Late {
                    days: self.rng.range(5, 40) as u32,
                },
            )
        } else {
            (
                "按合同约定完成，验收合格。",
                domain::PerformanceOutcome::Normal,
            )
        };
        self.app
            .record_performance(&tenderee, &code, text, outcome, false)
            .await
            .map_err(step("performance"))?;
        self.app
            .record_performance(
                &tenderee,
                &code,
                "",
                domain::PerformanceOutcome::Normal,
                true,
            )
            .await
            .map_err(step("complete"))?;
        self.history.lots[t].completed = true;
        Ok(())
    }

    async fn sale_create(&mut self, n: usize) -> Result<(), HistoryError> {
        let sale = self.plan.sales[n].clone();
        let now = self.clock.now_ms();
        // Far enough ahead for every notice period (state property: 20 working days, which
        // 45 calendar days hold even across the Spring Festival).
        let start_day = domain::Date::of_instant(now).add_days(45);
        let start_ms = start_day.start_ms() + (9 * 60 + 30) * MINUTE;
        let free_until_ms = start_ms + 2 * HOUR;
        let id = format!("H{}-{:04}", domain::Date::of_instant(now).year(), n + 1);
        let transferor = self.plan.entities[sale.transferor].code.clone();
        self.app
            .create_auction(
                &self.operator,
                app::NewAuction {
                    id: id.clone(),
                    title: sale.title.clone(),
                    category: sale.category.into(),
                    region: sale.region.clone(),
                    transferor: transferor.clone(),
                    description: format!("{}，网上竞价（历史数据演示）。", sale.title),
                    terms: domain::AuctionTerms {
                        method: domain::AuctionMethod::English {
                            start_ms,
                            free_until_ms,
                            countdown_ms: 5 * MINUTE,
                        },
                        start_price_fen: sale.start_price_fen,
                        increment_fen: (sale.start_price_fen / 100 / 10_000 * 10_000).max(10_000),
                        deposit_fen: sale.start_price_fen / 10 / 10_000 * 10_000,
                        min_bidders: 0,
                        signed_bids: false,
                    },
                    reserve_fen: sale.reserve_fen,
                },
            )
            .await
            .map_err(step(format!("create the sale {id}")))?;
        self.sales[n] = SaleState {
            id: id.clone(),
            start_ms,
            free_until_ms,
            truth: Some(self.history.sales.len()),
            ..Default::default()
        };
        self.history.sales.push(SaleTruth {
            id,
            kind: sale.category.into(),
            region: sale.region.clone(),
            transferor,
            announced_ms: now,
            start_price_fen: sale.start_price_fen,
            final_price_fen: None,
            bidders: Vec::new(),
            outcome: SaleOutcome::Open,
            defaulted: false,
        });
        self.schedule(start_ms - 2 * DAY, Task::SaleRun(n));
        Ok(())
    }

    /// Registration and deposits two days before the start, then the bidding after it.
    async fn sale_run(&mut self, n: usize) -> Result<(), HistoryError> {
        let sale = self.plan.sales[n].clone();
        let state = self.sales[n].clone();
        let Some(t) = state.truth else {
            return Ok(());
        };
        let bank = self
            .bank
            .as_ref()
            .ok_or_else(|| HistoryError::Plan("no bank".into()))?;
        let auction = self.app.auction(&state.id).await.map_err(step("sale"))?;
        let mut caps = Vec::new();
        for &(bidder, cap) in &sale.bidders {
            let caller = self.callers[bidder].clone();
            let (number, _) = match self.app.register_for_auction(&caller, &state.id).await {
                Ok(registered) => registered,
                Err(error) if error.code() != "INTERNAL" => {
                    *self
                        .refused_bids
                        .entry(error.code().to_string())
                        .or_default() += 1;
                    continue;
                }
                Err(error) => return Err(step("register for the sale")(error)),
            };
            let notice = bank.deposit_notice(
                &state.id,
                &caller.entity_id,
                auction.terms.deposit_fen,
                &format!("HB{}{bidder:04}", state.id.replace('-', "")),
                self.clock.now_ms(),
            );
            self.app
                .receive_deposit_notice(&state.id, &notice)
                .await
                .map_err(step("deposit notice"))?;
            self.sales[n].numbers.insert(number.clone(), bidder);
            self.history.sales[t]
                .bidders
                .push(self.plan.entities[bidder].code.clone());
            caps.push((caller, cap));
        }
        self.sales[n].caps = caps
            .iter()
            .map(|(c, cap)| (self.index_of(&c.entity_id), *cap))
            .collect();
        self.schedule(state.start_ms + 5 * MINUTE, Task::SaleBid(n));
        Ok(())
    }

    fn index_of(&self, entity: &str) -> usize {
        self.plan
            .entities
            .iter()
            .position(|e| e.code == entity)
            .unwrap_or_default()
    }

    /// One bid of the sale: whoever is outbid raises while the price is within its limit; the
    /// next bid 20–90 seconds later, or the close an hour after the free bidding ends.
    async fn sale_bid(&mut self, n: usize) -> Result<(), HistoryError> {
        let state = self.sales[n].clone();
        let Some(t) = state.truth else {
            return Ok(());
        };
        let terms = self
            .app
            .auction(&state.id)
            .await
            .map_err(step("sale"))?
            .terms;
        let next = state.price.map_or(terms.start_price_fen, |p| {
            p + terms.increment_fen * self.rng.range(1, 3)
        });
        let able: Vec<usize> = (0..state.caps.len())
            .filter(|i| Some(*i) != state.leader && state.caps[*i].1 >= next)
            .collect();
        if able.is_empty()
            || state.bids >= 200
            || self.clock.now_ms() >= state.free_until_ms - 10 * MINUTE
        {
            self.history.sales[t].final_price_fen = state.price;
            self.schedule(state.free_until_ms + HOUR, Task::SaleClose(n));
            return Ok(());
        }
        let who = *self.rng.pick(&able);
        let caller = self.callers[state.caps[who].0].clone();
        self.app
            .auction_bid(&caller, &state.id, next, 1)
            .await
            .map_err(step("bid at the sale"))?;
        let sale = &mut self.sales[n];
        sale.price = Some(next);
        sale.leader = Some(who);
        sale.bids += 1;
        let pause = self.rng.range(20, 90) * 1_000;
        self.schedule(self.clock.now_ms() + pause, Task::SaleBid(n));
        Ok(())
    }

    async fn sale_close(&mut self, n: usize) -> Result<(), HistoryError> {
        let state = self.sales[n].clone();
        let Some(t) = state.truth else {
            return Ok(());
        };
        let (result, winner) = self
            .app
            .close_auction(&self.operator, &state.id)
            .await
            .map_err(step(format!("close the sale {}", state.id)))?;
        let now = self.clock.now_ms();
        self.history.sales[t].outcome = match result {
            domain::AuctionResult::Sold { price_fen, .. } => {
                if self.plan.sales[n].default {
                    self.schedule(now + 7 * DAY, Task::SaleDefault(n));
                }
                SaleOutcome::Sold {
                    buyer: winner.unwrap_or_default(),
                    price_fen,
                    closed_ms: now,
                }
            }
            _ => SaleOutcome::NoSale { closed_ms: now },
        };
        Ok(())
    }

    async fn sale_default(&mut self, n: usize) -> Result<(), HistoryError> {
        let state = self.sales[n].clone();
        let Some(t) = state.truth else {
            return Ok(());
        };
        let auction = self.app.auction(&state.id).await.map_err(step("sale"))?;
        let Some(domain::AuctionResult::Sold { bidder, .. }) = auction.result else {
            return Ok(());
        };
        self.app
            .declare_sale_default(
                &self.operator,
                &state.id,
                &bidder,
                "竞得人未在规定期限内签订成交确认书。",
            )
            .await
            .map_err(step("declare a default"))?;
        self.history.sales[t].defaulted = true;
        self.history.sale_defaults += 1;
        Ok(())
    }

    /// The planted cases with the lots' codes.
    pub(crate) fn planted(&self) -> Vec<Planted> {
        self.plan
            .planted
            .iter()
            .enumerate()
            .map(|(n, case)| Planted {
                id: format!("P{:03}", n + 1),
                kind: case.kind,
                signals: case.kind.signals().iter().map(|s| s.to_string()).collect(),
                lots: case
                    .lots
                    .iter()
                    .filter(|&&l| self.lots.get(l).is_some_and(|s| s.truth.is_some()))
                    .map(|&l| self.lots[l].code.clone())
                    .collect(),
                entities: case
                    .entities
                    .iter()
                    .map(|&e| self.plan.entities[e].code.clone())
                    .collect(),
                tenderee: case.tenderee.map(|e| self.plan.entities[e].code.clone()),
            })
            .filter(|case| !case.lots.is_empty())
            .collect()
    }
}

/// A step's description without the lot or sale it names.
fn step_kind(step: &str) -> String {
    step.split(' ')
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The registration of a planned entity.
fn registration(entity: &EntityPlan) -> app::NewRegistration {
    let roles = match entity.trade {
        Trade::WorksOwner | Trade::Purchaser => vec!["tenderee".to_string()],
        _ => vec!["bidder".to_string()],
    };
    app::NewRegistration {
        kind: "organisation".into(),
        code: entity.code.clone(),
        name: entity.name.clone(),
        region: entity.region.clone(),
        legal_representative: entity.legal.clone(),
        address: format!(
            "{}某路{}号",
            entity.name.chars().take(2).collect::<String>(),
            entity.phone.len() * 7
        ),
        contact_name: entity.contact.clone(),
        contact_phone: entity.phone.clone(),
        contact_email: String::new(),
        roles,
        controller: String::new(),
        username: entity.username.clone(),
        display_name: entity.contact.clone(),
        password: app::DEMO_PASSWORD.into(),
    }
}

/// Lets the warning engine read the ledger to its end (as the server's follower would).
pub(crate) async fn catch_up(app: &App) -> Result<usize, HistoryError> {
    let mut total = 0;
    loop {
        let tip = app
            .store()
            .ledger_size()
            .await
            .map_err(|e| HistoryError::Plan(e.to_string()))?;
        let mut written = 0;
        for _ in 0..=(tip / 5_000 + 1) {
            written += app
                .follow_warnings_once()
                .await
                .map_err(step("warning engine"))?;
        }
        total += written;
        if written == 0 {
            return Ok(total);
        }
    }
}

/// Every warning the engine raised, as the scoring reads it.
pub(crate) async fn warnings(app: &App) -> Result<Vec<WarningFact>, HistoryError> {
    let rows = app
        .store()
        .documents(
            &store::DocumentFilter {
                kind: "warning",
                ..Default::default()
            },
            10_000_000,
            0,
        )
        .await
        .map_err(|e| HistoryError::Plan(e.to_string()))?;
    rows.items
        .iter()
        .map(|row| {
            let warning: domain::Warning = serde_json::from_str(&row.state)?;
            Ok(WarningFact {
                id: warning.id,
                signal: warning.finding.signal,
                lot: warning.finding.lot,
                subjects: warning
                    .finding
                    .subjects
                    .into_iter()
                    .map(|s| s.entity.to_string())
                    .collect(),
            })
        })
        .collect()
}
