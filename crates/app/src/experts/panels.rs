//! 评标委员会 — after the draw: the experts confirm, sign the 回避承诺 and only then may see the
//! lot's bids; whoever declines, does not confirm in time or declares a conflict is replaced from
//! the backups (public `draw.replaced` entries, re-checkable with `check_record`); the organiser
//! sees the names on the evaluation day and rates each expert afterwards; the names are disclosed
//! (`draw.disclosed`, checkable against the pool's commitments) after the award.

use crypto::sm3;
use domain::{
    Date, DomainError, Expert, ExpertCommand, LotStatus, Panel, PanelCommand, PanelEvent,
    Procedure, PublicReplacement, Role, SeatStatus,
};
use ledger::Visibility;
use serde::Serialize;
use store::DocumentFilter;

use crate::experts::draws::{DisclosedName, DrawDisclosed, DrawReplaced, draw_stream};
use crate::tendering::tender::manages;
use crate::witness::append::{NewEntry, append};
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// The 回避承诺 an expert signs before seeing any bid (招标投标法实施条例 第46条; 评标委员会和
/// 评标方法暂行规定 第12条).
pub fn declaration_text(pseudonym: &str, lot: &str, procedure_title: &str) -> String {
    format!(
        "评标专家回避承诺书\n\
         本人（专家编号 {pseudonym}）参加「{procedure_title}」标段（包）{lot} 的评标（评审），郑重承诺：\n\
         一、本人不是投标人（供应商）或者投标人主要负责人的近亲属，不是项目主管部门或者行政监督部门的人员，\
         与投标人没有可能影响公正评审的经济利益关系，没有因在招标、评标以及其他与招标投标有关活动中从事违法行为\
         而受过行政处罚或者刑事处罚；与招标人（采购人）、招标代理机构亦无上述利害关系。\n\
         二、评标中发现存在应当回避的情形的，本人立即主动提出回避。\n\
         三、本人客观、公正地履行职责，遵守职业道德，不私下接触投标人，不收受任何财物或者其他好处，\
         不透露对投标文件的评审和比较、中标候选人的推荐情况以及与评标有关的其他情况。"
    )
}

/// A seat as shown to the trading center, oversight or the organiser.
#[derive(Clone, Debug, Serialize)]
pub struct SeatView {
    pub category: String,
    pub category_name: String,
    /// The expert's id in this draw's public record.
    pub pool_id: String,
    /// The lasting pseudonym: trading center and oversight only.
    pub pseudonym: Option<String>,
    /// Only to whom the name may be shown, and then only when.
    pub name: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub invited_at_ms: i64,
    /// The expert's rating for this evaluation, when given.
    pub score: Option<u8>,
}

/// A replacement as shown on the panel page.
#[derive(Clone, Debug, Serialize)]
pub struct ReplacementView {
    pub category: String,
    pub out: String,
    pub replacement: Option<String>,
    pub reason: &'static str,
    /// The expert's own words: trading center and oversight only.
    pub detail: Option<String>,
    pub at_ms: i64,
}

/// A panel as its authorised readers see it.
#[derive(Clone, Debug, Serialize)]
pub struct PanelView {
    pub draw: String,
    pub lot: String,
    pub procedure: String,
    pub procedure_title: String,
    pub evaluation_date: String,
    pub confirm_minutes: u32,
    pub seats: Vec<SeatView>,
    pub replacements: Vec<ReplacementView>,
    /// (category, backups left).
    pub backups_left: Vec<(String, usize)>,
    pub complete: bool,
    pub disclosed: bool,
    /// The caller sees the names (trading center and oversight; the organiser from the
    /// evaluation day).
    pub names_visible: bool,
    /// The caller organises the procedure and may rate the experts (from the evaluation day).
    pub may_rate: bool,
    /// The caller is the trading center and may act on seats.
    pub may_manage: bool,
    /// The lot has been awarded: the names may be disclosed.
    pub may_disclose: bool,
}

/// An expert's own assignment.
#[derive(Clone, Debug, Serialize)]
pub struct MySeat {
    pub draw: String,
    pub lot: String,
    pub procedure: String,
    pub procedure_title: String,
    pub evaluation_date: String,
    pub category: String,
    pub category_name: String,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Until when the invitation may be confirmed.
    pub confirm_due_ms: i64,
    /// The text to sign, once confirmed.
    pub statement: String,
    pub may_evaluate: bool,
    /// Where: booked rooms for the lot (name, address, from, to).
    pub rooms: Vec<(String, String, i64, i64)>,
}

fn awarded(status: &LotStatus) -> bool {
    matches!(
        status,
        LotStatus::Awarded | LotStatus::Contracted | LotStatus::Performing | LotStatus::Completed
    )
}

impl App {
    /// The pseudonym of an expert caller: the expert record linked to the account.
    pub(crate) async fn pseudonym_of_caller(&self, caller: &Caller) -> Result<String, AppError> {
        if !caller.has(Role::Expert) {
            return Err(AppError::NotAuthorized);
        }
        let rows = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "expert",
                    key1: Some(&caller.username),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        let row = rows.items.first().ok_or(AppError::refused(
            "EXPERT_ACCOUNT_UNLINKED",
            "该账号尚未关联专家库中的专家，请联系交易中心",
        ))?;
        Ok(decode_state::<Expert>(&row.state)?.pseudonym)
    }

    pub(crate) async fn load_panel(&self, draw: &str) -> Result<Panel, AppError> {
        let row = self
            .store
            .document(&Panel::stream(draw))
            .await?
            .ok_or(DomainError::PanelNotFound)?;
        decode_state(&row.state)
    }

    /// Runs a panel command; a replacement also writes the public `draw.replaced` entry, in the
    /// same transaction.
    async fn panel_command(
        &self,
        caller: &Caller,
        draw: &str,
        command: PanelCommand,
    ) -> Result<Receipt, AppError> {
        let stream = Panel::stream(draw);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        // An expert's own acts carry a neutral actor: entry headers are public, and a log-in
        // name would tell who sits on the panel.
        let actor = if caller.has(Role::Operator) {
            caller.username.clone()
        } else {
            "expert".to_string()
        };
        let (decided, mut entries) =
            decide::<Option<Panel>>(&mut tx, &stream, command, &actor, now).await?;
        let panel = decided
            .after
            .as_ref()
            .ok_or_else(|| AppError::Internal("no panel after a panel command".into()))?;
        for event in &decided.events {
            if let PanelEvent::Replaced { replacement } = event {
                let public = DrawReplaced {
                    id: draw.to_string(),
                    replacement: PublicReplacement {
                        category: replacement.category.clone(),
                        out: panel.pool_id(&replacement.out),
                        replacement: replacement.replacement.as_deref().map(|p| panel.pool_id(p)),
                        reason: replacement.reason,
                    },
                };
                entries.push(NewEntry {
                    stream: draw_stream(draw),
                    kind: "draw.replaced".into(),
                    visibility: Visibility::Public,
                    actor: "platform".into(),
                    payload: serde_json::to_value(&public)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                });
            }
        }
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let first = receipts
            .first()
            .cloned()
            .ok_or_else(|| AppError::Internal("panel command appended nothing".into()))?;
        let last = receipts
            .iter()
            .filter(|r| r.stream == stream)
            .map(|r| r.seq)
            .max()
            .unwrap_or(first.seq);
        project(&mut tx, &stream, &decided.after, last).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// The expert confirms attendance.
    pub async fn confirm_seat(&self, caller: &Caller, draw: &str) -> Result<Receipt, AppError> {
        let pseudonym = self.pseudonym_of_caller(caller).await?;
        self.require_active_expert(&pseudonym).await?;
        self.panel_command(caller, draw, PanelCommand::Confirm { pseudonym })
            .await
    }

    /// A suspended or retired expert takes no further part.
    async fn require_active_expert(&self, pseudonym: &str) -> Result<(), AppError> {
        let row = self
            .store
            .document(&Expert::stream(pseudonym))
            .await?
            .ok_or(DomainError::ExpertNotFound)?;
        let expert: Expert = decode_state(&row.state)?;
        if expert.status != domain::ExpertStatus::Active {
            return Err(DomainError::ExpertNotActive.into());
        }
        Ok(())
    }

    /// The expert declines (or the trading center records a refusal by telephone); replaced
    /// from the backups.
    pub async fn decline_seat(
        &self,
        caller: &Caller,
        draw: &str,
        pseudonym: Option<&str>,
        reason: &str,
    ) -> Result<Receipt, AppError> {
        let by_center = caller.has(Role::Operator);
        let pseudonym = if by_center {
            let id = pseudonym.ok_or_else(|| {
                AppError::refused(
                    "DRAW_PSEUDONYM_REQUIRED",
                    "交易中心代为办理时须写明专家编号",
                )
            })?;
            self.load_panel(draw).await?.pseudonym_of(id)
        } else {
            self.pseudonym_of_caller(caller).await?
        };
        self.panel_command(
            caller,
            draw,
            PanelCommand::Decline {
                pseudonym,
                reason: reason.to_string(),
                by_center,
            },
        )
        .await
    }

    /// The trading center, after the confirmation window: the expert did not answer.
    pub async fn seat_no_response(
        &self,
        caller: &Caller,
        draw: &str,
        pseudonym: &str,
    ) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        let pseudonym = self.load_panel(draw).await?.pseudonym_of(pseudonym);
        self.panel_command(caller, draw, PanelCommand::NoResponse { pseudonym })
            .await
    }

    /// 回避承诺: the expert signs the declaration, or names the conflict (and is replaced).
    pub async fn declare_no_conflict(
        &self,
        caller: &Caller,
        draw: &str,
        conflict: Option<&str>,
    ) -> Result<Receipt, AppError> {
        let pseudonym = self.pseudonym_of_caller(caller).await?;
        if conflict.is_none() {
            self.require_active_expert(&pseudonym).await?;
        }
        let panel = self.load_panel(draw).await?;
        if conflict.is_some()
            && let Some(row) = self
                .store
                .document(&self.evaluation_stream(&panel.lot).await?)
                .await?
        {
            let evaluation: domain::Evaluation = decode_state(&row.state)?;
            if evaluation.experts.contains(&pseudonym) {
                return Err(AppError::refused(
                    "EVALUATION_WITHDRAWAL",
                    "评标已开始：请立即向交易中心和行政监督部门报告回避情形，由其依法处理（评标委员会的组成不能在评审中途自行变更）",
                ));
            }
        }
        let procedure: Procedure = self.load_procedure(&panel.procedure).await?;
        let statement = declaration_text(&pseudonym, &panel.lot, &procedure.draft.title);
        // The platform checks again before the expert signs: a bidder may have registered after
        // the draw. An expert employed by a party, or who declared a relation to one, withdraws.
        let conflict = match conflict {
            Some(text) => Some(text.to_string()),
            None => self.party_conflict(&pseudonym, &panel).await?,
        };
        self.panel_command(
            caller,
            draw,
            PanelCommand::Declare {
                pseudonym,
                statement_sm3: sm3(statement.as_bytes()).to_hex(),
                conflict,
            },
        )
        .await
    }

    /// Why the expert may not sit for the lot's parties as they stand now, if at all.
    async fn party_conflict(
        &self,
        pseudonym: &str,
        panel: &Panel,
    ) -> Result<Option<String>, AppError> {
        let row = self
            .store
            .document(&Expert::stream(pseudonym))
            .await?
            .ok_or(DomainError::ExpertNotFound)?;
        let expert: Expert = decode_state(&row.state)?;
        let bids = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "bid",
                    key1: Some(&panel.lot),
                    ..Default::default()
                },
                100_000,
                0,
            )
            .await?;
        let mut parties: Vec<String> = bids.items.iter().map(|b| b.key2.clone()).collect();
        parties.push(panel.tenderee.clone());
        parties.extend(panel.agency.clone());
        let employer = expert.record.employer.to_string();
        if parties.contains(&employer) {
            return Ok(Some(
                "平台核查：受聘于本标段（包）的招标人、代理机构或投标人".into(),
            ));
        }
        if expert
            .relations
            .iter()
            .any(|r| parties.contains(&r.entity.to_string()))
        {
            return Ok(Some(
                "平台核查：已声明与本标段（包）的当事人存在利害关系".into(),
            ));
        }
        Ok(None)
    }

    /// Whether the caller is an expert of the lot's panel who signed the declaration: the one
    /// gate for an expert to see the lot's bids.
    pub async fn expert_may_evaluate(&self, caller: &Caller, lot: &str) -> Result<bool, AppError> {
        let Ok(pseudonym) = self.pseudonym_of_caller(caller).await else {
            return Ok(false);
        };
        let panels = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "panel",
                    key2: Some(lot),
                    ..Default::default()
                },
                1_000,
                0,
            )
            .await?;
        for row in &panels.items {
            let panel: Panel = decode_state(&row.state)?;
            if panel.may_evaluate(&pseudonym) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The expert's assignments: the panels where they hold a seat now, newest first.
    pub async fn my_seats(&self, caller: &Caller) -> Result<Vec<MySeat>, AppError> {
        let pseudonym = self.pseudonym_of_caller(caller).await?;
        let panels = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "panel",
                    status: Some("open"),
                    ..Default::default()
                },
                10_000,
                0,
            )
            .await?;
        let mut seats = Vec::new();
        for row in &panels.items {
            let panel: Panel = decode_state(&row.state)?;
            let Some(seat) = panel.seat_of(&pseudonym) else {
                continue;
            };
            let procedure: Procedure = self.load_procedure(&panel.procedure).await?;
            let rooms = self.rooms_for_lot(&panel.lot).await?;
            seats.push(MySeat {
                draw: panel.draw.clone(),
                lot: panel.lot.clone(),
                procedure: panel.procedure.clone(),
                procedure_title: procedure.draft.title.clone(),
                evaluation_date: panel.evaluation_date.to_string(),
                category: seat.category.clone(),
                category_name: self.expert_category_name(&seat.category),
                status: seat.status.as_str(),
                status_label: seat.status.label_zh(),
                confirm_due_ms: seat.invited_at_ms + i64::from(panel.confirm_minutes) * 60_000,
                statement: declaration_text(&pseudonym, &panel.lot, &procedure.draft.title),
                may_evaluate: panel.may_evaluate(&pseudonym),
                rooms,
            });
        }
        Ok(seats)
    }

    /// The shipped professional classification, in code order.
    pub fn expert_categories(&self) -> Vec<domain::ExpertCategory> {
        self.classification().categories().cloned().collect()
    }

    /// The name of a classification code (the code itself when unknown).
    pub fn expert_category_name(&self, code: &str) -> String {
        self.classification()
            .get(code)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// A panel: the trading center, supervision and audit always (with names); the organiser
    /// (tenderee or agency of the procedure) with names from the evaluation day. Experts use
    /// `my_seats`; nobody else.
    pub async fn panel_view(&self, caller: &Caller, draw: &str) -> Result<PanelView, AppError> {
        let panel = self.load_panel(draw).await?;
        let procedure: Procedure = self.load_procedure(&panel.procedure).await?;
        let oversight = caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]);
        let organiser = manages(caller, &procedure);
        if !oversight && !organiser {
            return Err(AppError::NotAuthorized);
        }
        let evaluation_day = Date::of_instant(self.now_ms()) >= panel.evaluation_date;
        let names_visible = oversight || evaluation_day || panel.disclosed;
        // Supervision and audit read the names before they are public: witnessed first.
        if !organiser && !panel.disclosed {
            self.record_oversight_read(
                caller,
                None,
                &procedure,
                &panel.lot,
                "评标委员会名单（公布前）",
                &[],
            )
            .await?;
        }
        let mut seats = Vec::new();
        for seat in &panel.seats {
            let expert: Option<Expert> = match self
                .store
                .document(&Expert::stream(&seat.pseudonym))
                .await?
            {
                Some(row) => Some(decode_state(&row.state)?),
                None => None,
            };
            // The organiser sees the names of those who will sit, not of those still invited.
            let show = names_visible
                && (oversight
                    || matches!(
                        seat.status,
                        SeatStatus::Declared { .. } | SeatStatus::Confirmed { .. }
                    ));
            seats.push(SeatView {
                category: seat.category.clone(),
                category_name: self.expert_category_name(&seat.category),
                pool_id: panel.pool_id(&seat.pseudonym),
                pseudonym: oversight.then(|| seat.pseudonym.clone()),
                name: expert
                    .as_ref()
                    .filter(|_| show)
                    .map(|e| e.record.name.clone()),
                status: seat.status.as_str(),
                status_label: seat.status.label_zh(),
                invited_at_ms: seat.invited_at_ms,
                score: expert.as_ref().and_then(|e| {
                    e.ratings
                        .iter()
                        .find(|r| r.draw == panel.draw)
                        .map(|r| r.score)
                }),
            });
        }
        let lot_status = procedure
            .lot(&panel.lot)
            .map(|l| l.status.clone())
            .ok_or(DomainError::LotNotFound)?;
        Ok(PanelView {
            draw: panel.draw.clone(),
            lot: panel.lot.clone(),
            procedure: panel.procedure.clone(),
            procedure_title: procedure.draft.title.clone(),
            evaluation_date: panel.evaluation_date.to_string(),
            confirm_minutes: panel.confirm_minutes,
            seats,
            replacements: panel
                .replacements
                .iter()
                .map(|r| ReplacementView {
                    category: r.category.clone(),
                    out: panel.pool_id(&r.out),
                    replacement: r.replacement.as_deref().map(|p| panel.pool_id(p)),
                    reason: r.reason.label_zh(),
                    detail: oversight.then(|| r.detail.clone()),
                    at_ms: r.at_ms,
                })
                .collect(),
            backups_left: panel
                .backups
                .iter()
                .map(|q| (q.category.clone(), q.order.len().saturating_sub(q.used)))
                .collect(),
            complete: panel.complete(),
            disclosed: panel.disclosed,
            names_visible,
            may_rate: organiser && evaluation_day,
            may_manage: caller.has(Role::Operator) && !panel.disclosed,
            may_disclose: caller.has(Role::Operator) && !panel.disclosed && awarded(&lot_status),
        })
    }

    /// The lasting pseudonym behind an id of a draw's public record (trading center and
    /// oversight).
    pub async fn draw_pseudonym(
        &self,
        caller: &Caller,
        draw: &str,
        pool_id: &str,
    ) -> Result<String, AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotAuthorized);
        }
        Ok(self.load_panel(draw).await?.pseudonym_of(pool_id))
    }

    /// The draws of a lot, or all (newest first): the trading center and oversight.
    pub async fn panels(
        &self,
        caller: &Caller,
        limit: u64,
        offset: u64,
    ) -> Result<store::Page<Panel>, AppError> {
        if !caller.has_any(&[Role::Operator, Role::Supervisor, Role::Auditor]) {
            return Err(AppError::NotAuthorized);
        }
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "panel",
                    ..Default::default()
                },
                limit,
                offset,
            )
            .await?;
        Ok(store::Page {
            items: page
                .items
                .iter()
                .map(|row| decode_state::<Panel>(&row.state))
                .collect::<Result<_, _>>()?,
            total: page.total,
        })
    }

    /// 专家评价: the organiser rates an expert who sat on the panel, from the evaluation day;
    /// the rating joins the expert's performance record.
    pub async fn rate_expert(
        &self,
        caller: &Caller,
        draw: &str,
        pseudonym: &str,
        score: u8,
        comment: &str,
    ) -> Result<Receipt, AppError> {
        let panel = self.load_panel(draw).await?;
        let procedure: Procedure = self.load_procedure(&panel.procedure).await?;
        if !manages(caller, &procedure) {
            return Err(AppError::NotAuthorized);
        }
        if Date::of_instant(self.now_ms()) < panel.evaluation_date {
            return Err(AppError::refused(
                "RATING_TOO_EARLY",
                "评标日之后方可评价专家",
            ));
        }
        let pseudonym = panel.pseudonym_of(pseudonym);
        if !panel.may_evaluate(&pseudonym) {
            return Err(DomainError::NotOnPanel.into());
        }
        let stream = Expert::stream(&pseudonym);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, entries) = decide::<Option<Expert>>(
            &mut tx,
            &stream,
            ExpertCommand::Rate {
                draw: draw.to_string(),
                lot: panel.lot.clone(),
                evaluation_date: panel.evaluation_date,
                score,
                comment: comment.to_string(),
                by: caller.username.clone(),
            },
            // The rating's author is in the confidential payload; the public header stays neutral.
            "organiser",
            now,
        )
        .await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("rating appended nothing".into()))?;
        project(&mut tx, &stream, &decided.after, last.seq).await?;
        // A rating below the rule set's line is a credit record of the expert (by pseudonym).
        let rule = self
            .rating_rule(
                &procedure.draft.rule_category,
                procedure.draft.region.as_ref(),
                panel.evaluation_date,
            )
            .await?;
        if score < rule.below {
            self.credit_record_in(
                &mut tx,
                "organiser",
                &pseudonym,
                domain::SubjectKind::Expert,
                &pseudonym,
                domain::NewRecord {
                    fact: "expert_misconduct".into(),
                    source: domain::RecordSource::Platform {
                        stream: stream.clone(),
                        act: "expert.rated".into(),
                    },
                    basis: String::new(),
                    date: Date::of_instant(now),
                    until: None,
                    detail: format!(
                        "标段（包）{} 的履职评价 {score} 分，低于 {} 分",
                        panel.lot, rule.below
                    ),
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(last)
    }

    /// 公布评标委员会名单, after the award (the trading center; the award itself also does it):
    /// the names with their salts, so that anyone can check them against the commitments of the
    /// draw's pool.
    pub async fn disclose_panel(&self, caller: &Caller, draw: &str) -> Result<Receipt, AppError> {
        caller.require(Role::Operator)?;
        self.disclose_as(&caller.username, draw).await
    }

    /// The disclosure the award triggers.
    pub(crate) async fn disclose_panel_after_award(&self, draw: &str) -> Result<(), AppError> {
        let panel = self.load_panel(draw).await?;
        if !panel.disclosed {
            self.disclose_as("platform", draw).await?;
        }
        Ok(())
    }

    async fn disclose_as(&self, actor: &str, draw: &str) -> Result<Receipt, AppError> {
        let panel = self.load_panel(draw).await?;
        let procedure: Procedure = self.load_procedure(&panel.procedure).await?;
        let status = procedure
            .lot(&panel.lot)
            .map(|l| l.status.clone())
            .ok_or(DomainError::LotNotFound)?;
        if !awarded(&status) {
            return Err(AppError::refused(
                "PANEL_NOT_YET_DISCLOSABLE",
                "中标（成交）结果确定后方可公布评标委员会名单",
            ));
        }
        // The final committee only: whoever withdrew or declined is not named.
        let mut names = Vec::new();
        let members: Vec<String> = panel
            .seats
            .iter()
            .filter(|s| s.status != SeatStatus::Vacant)
            .map(|s| s.pseudonym.clone())
            .collect();
        for pseudonym in members {
            let row = self
                .store
                .document(&Expert::stream(&pseudonym))
                .await?
                .ok_or(DomainError::ExpertNotFound)?;
            let expert: Expert = decode_state(&row.state)?;
            names.push(DisclosedName {
                salt: hex::encode(self.name_salt(draw, &pseudonym)),
                pseudonym: panel.pool_id(&pseudonym),
                name: expert.record.name,
            });
        }
        let stream = Panel::stream(draw);
        let now = self.now_ms();
        let mut tx = self.store.begin().await?;
        let (decided, mut entries) =
            decide::<Option<Panel>>(&mut tx, &stream, PanelCommand::Disclose, actor, now).await?;
        entries.push(NewEntry {
            stream: draw_stream(draw),
            kind: "draw.disclosed".into(),
            visibility: Visibility::Public,
            actor: actor.to_string(),
            payload: serde_json::to_value(DrawDisclosed {
                id: draw.to_string(),
                names,
            })
            .map_err(|e| AppError::Internal(e.to_string()))?,
        });
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        let last = receipts
            .last()
            .cloned()
            .ok_or_else(|| AppError::Internal("disclosure appended nothing".into()))?;
        let panel_seq = receipts
            .iter()
            .filter(|r| r.stream == stream)
            .map(|r| r.seq)
            .max()
            .unwrap_or(last.seq);
        project(&mut tx, &stream, &decided.after, panel_seq).await?;
        tx.commit().await?;
        Ok(last)
    }
}
