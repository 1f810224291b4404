//! The statutory clocks of a complaint (`rules-cn.md` §8), as pure functions of the rule set's
//! periods and the working-day calendar. Construction (招标投标法实施条例 第60–61条): a complaint
//! within 10 日 of knowing, the time spent on the objection not counted; acceptance decided
//! within 3 working days; a decision within 30 working days. Procurement (财政部令第94号): a
//! complaint within 15 working days after the challenge's reply period ends; review within 5
//! working days; the copy served within 8 working days; a decision within 30 working days. In
//! both the decision clock pauses while testing, expert review or supplementing runs.

use serde::{Deserialize, Serialize};

use crate::{Calendar, Date, DomainError, Period, ResolvedRules};

/// The periods of a complaint, from the rule set in force for the procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    /// The rule sets the values come from.
    pub rule_sets: Vec<String>,
    /// 投诉期限.
    pub complaint: Period,
    /// The complaint period runs from the end of the objection's reply period (procurement, 94号令
    /// 第17条) rather than from the day the complainant knew (construction, 实施条例 第60条).
    pub after_reply: bool,
    /// 受理审查.
    pub acceptance: Period,
    /// 作出处理决定.
    pub decision: Period,
    /// 送达投诉书副本 (procurement).
    pub copy_service: Option<Period>,
    /// 补正期限 given to a complainant once (procurement, 94号令 第11条).
    pub supplement: Option<Period>,
    /// 陈述、申辩或者要求听证 after a penalty notice (行政处罚法 第64条).
    pub statement: Period,
    /// The range of a 暂停投标（参加政府采购活动）资格, in months.
    pub suspension_months: (u32, u32),
    /// Whether a voided award goes to the next candidate (实施条例 第55条; 政府采购法实施条例 第71条).
    pub next_candidate_after_void: bool,
}

impl CaseRules {
    /// Reads the periods from resolved rules; a rule set without the complaint rules has none.
    pub fn from_rules(rules: &ResolvedRules) -> Result<Self, DomainError> {
        let period = |key: &str| rules.period(key).map(|p| p.period);
        let optional = |key: &str| rules.period(key).ok().map(|p| p.period);
        let months = |key: &str| {
            rules
                .threshold(key)
                .map(|n| u32::try_from(n.max(0)).unwrap_or(0))
        };
        let mut rule_sets: Vec<String> = rules
            .periods
            .iter()
            .filter(|(key, _)| key.starts_with("complaint_"))
            .map(|(_, p)| p.rule_set.clone())
            .collect();
        rule_sets.sort();
        rule_sets.dedup();
        Ok(Self {
            rule_sets,
            complaint: period("complaint_period")?,
            after_reply: rules.threshold("complaint_after_reply").unwrap_or(0) == 1,
            acceptance: period("complaint_acceptance")?,
            decision: period("complaint_decision")?,
            copy_service: optional("complaint_copy_service"),
            supplement: optional("complaint_supplement"),
            statement: period("penalty_statement")?,
            suspension_months: (
                months("qualification_suspension_min_months")?,
                months("qualification_suspension_max_months")?,
            ),
            next_candidate_after_void: rules.threshold("award_void_next_candidate").unwrap_or(0)
                == 1,
        })
    }
}

/// The complainant's objection as the clock needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectionFacts {
    pub raised: Date,
    pub answered: Option<Date>,
    /// The last day of the organiser's reply period.
    pub reply_due: Date,
}

/// The last day on which a complaint may be filed, or why it may not be filed yet.
///
/// Construction: 10 日 from `knew`; the days from raising the objection to its answer (or the end
/// of the reply period, if unanswered) are not counted (实施条例 第60条). Procurement: the period
/// runs from the end of the reply period, whenever the answer came (94号令 第17条). A complaint
/// may not be filed while the organiser's reply period still runs unanswered.
pub fn complaint_last_day(
    rules: &CaseRules,
    knew: Date,
    objection: &ObjectionFacts,
    today: Date,
    calendar: &Calendar,
) -> Result<Date, DomainError> {
    if objection.answered.is_none() && today <= objection.reply_due {
        return Err(DomainError::CaseObjectionPending {
            due: objection.reply_due.to_string(),
        });
    }
    if rules.after_reply {
        return Ok(rules.complaint.window_end(objection.reply_due, calendar));
    }
    let resumed = objection.answered.unwrap_or(objection.reply_due);
    let used = knew.days_until(objection.raised).max(0);
    let remaining = (i64::from(rules.complaint.days) - used).max(0) as u32;
    let start = if resumed > knew { resumed } else { knew };
    let rest = Period {
        days: remaining,
        ..rules.complaint
    };
    Ok(rest.window_end(start, calendar))
}

/// The last day to decide whether to accept a complaint received on `received`.
pub fn acceptance_due(rules: &CaseRules, received: Date, calendar: &Calendar) -> Date {
    rules.acceptance.window_end(received, calendar)
}

/// The last day of the decision on a complaint accepted on `accepted`, moved by the working days
/// the clock was paused.
pub fn decision_due(
    rules: &CaseRules,
    accepted: Date,
    paused_working_days: u32,
    calendar: &Calendar,
) -> Date {
    let due = rules.decision.window_end(accepted, calendar);
    calendar.add_working_days(due, paused_working_days)
}

/// Working days from `today` to `due` (negative once it is past): what a queue shows.
pub fn working_days_left(today: Date, due: Date, calendar: &Calendar) -> i64 {
    if due >= today {
        i64::from(calendar.working_days_between(today, due))
    } else {
        -i64::from(calendar.working_days_between(due, today))
    }
}
