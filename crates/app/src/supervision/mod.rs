//! Supervision: complaints (投诉) and reports (举报) from filing to the published decision, with
//! the statutory clocks, routing to the competent department, joint investigation, suspension of
//! the lot, the administrative-penalty procedure and the decisions' effect on the procedure
//! (`cases`). Uses `reference` (the departments, rules, calendar), `market` (certificates),
//! `tendering` (procedures, objections, suspension, award) and `witness`.

pub(crate) mod cases;
pub(crate) mod oversight;
