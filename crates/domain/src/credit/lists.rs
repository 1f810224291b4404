//! External credit lists (失信被执行人, 重大税收违法失信主体, 政府采购严重违法失信行为记录名单) as the
//! trading center downloads them: the CSV rows, checked all at once (every bad row reported), and
//! how a row finds its subject — by code, or, for a natural person whose public ID number is
//! masked, by name, region and the visible digits (a candidate the operator must confirm).

use serde::{Deserialize, Serialize};

use crate::{Date, DomainError, IdNumber, RegionCode, Uscc};

/// The header of a list file.
pub const LIST_CSV_HEADER: &str = "名称,证件号码,地区代码,列入日期,截止日期,列入事由";

/// How a listed row names its subject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ListedCode {
    Uscc {
        code: String,
    },
    IdNumber {
        number: String,
    },
    /// A public list's masked ID number, e.g. `330106********123X`.
    Masked {
        pattern: String,
    },
}

impl ListedCode {
    /// The code as the list shows it.
    pub fn shown(&self) -> &str {
        match self {
            Self::Uscc { code } => code,
            Self::IdNumber { number } => number,
            Self::Masked { pattern } => pattern,
        }
    }
}

/// One listed row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// The line in the file (the header is line 1).
    pub line: u32,
    pub name: String,
    pub code: ListedCode,
    pub region: String,
    pub listed_on: Date,
    pub until: Option<Date>,
    pub basis: String,
}

impl ListRow {
    /// What identifies the row across imports: the code, or for a masked number the name, the
    /// pattern and the region.
    pub fn key(&self) -> String {
        match &self.code {
            ListedCode::Masked { pattern } => format!("{}|{}|{}", self.name, pattern, self.region),
            other => other.shown().to_string(),
        }
    }
}

/// Whether a masked ID number could be `full`: same length, every visible character equal.
pub fn masked_matches(pattern: &str, full: &str) -> bool {
    pattern.len() == full.len()
        && pattern
            .chars()
            .zip(full.chars())
            .all(|(p, f)| p == '*' || p.eq_ignore_ascii_case(&f))
}

fn parse_code(text: &str) -> Result<ListedCode, String> {
    let text = text.trim();
    if text.contains('*') {
        let visible = text.chars().filter(|c| *c != '*').count();
        let shape_ok = text.chars().count() == 18
            && text
                .chars()
                .all(|c| c == '*' || c.is_ascii_digit() || c == 'X' || c == 'x');
        if !shape_ok || visible < 6 {
            return Err("打码的身份证号应为18位，且至少露出6位数字".into());
        }
        return Ok(ListedCode::Masked {
            pattern: text.to_uppercase(),
        });
    }
    if let Ok(uscc) = Uscc::parse(text) {
        return Ok(ListedCode::Uscc {
            code: uscc.to_string(),
        });
    }
    if let Ok(number) = IdNumber::parse(text) {
        return Ok(ListedCode::IdNumber {
            number: number.to_string(),
        });
    }
    Err(format!(
        "证件号码 {text} 既不是有效的统一社会信用代码，也不是有效的身份证号（校验位不符）"
    ))
}

/// Parses a list file: every row is checked and every bad row reported together; a row dated
/// after the cut-off day, or a code listed twice, is bad too.
pub fn parse_list_csv(text: &str, cutoff: Date) -> Result<Vec<ListRow>, DomainError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l.trim()).unwrap_or_default();
    if header != LIST_CSV_HEADER {
        return Err(DomainError::ListRows {
            rows: vec![(1, format!("表头应为“{LIST_CSV_HEADER}”"))],
        });
    }
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut keys = std::collections::BTreeMap::new();
    for (index, line) in lines {
        let line_no = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        match parse_row(line, line_no as u32, cutoff) {
            Ok(row) => {
                if let Some(first) = keys.insert(row.key(), line_no) {
                    bad.push((line_no, format!("与第{first}行重复")));
                } else {
                    rows.push(row);
                }
            }
            Err(reason) => bad.push((line_no, reason)),
        }
    }
    if !bad.is_empty() {
        return Err(DomainError::ListRows { rows: bad });
    }
    if rows.is_empty() {
        return Err(DomainError::ListRows {
            rows: vec![(
                1,
                "名单没有任何记录行（名单为空时请导入仅含表头的文件并说明）".into(),
            )],
        });
    }
    Ok(rows)
}

fn parse_row(line: &str, line_no: u32, cutoff: Date) -> Result<ListRow, String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    if fields.len() != 6 {
        return Err(format!("应有6列，实有{}列", fields.len()));
    }
    let name = fields[0];
    if name.is_empty() || name.chars().count() > 100 || crate::has_control_character(name) {
        return Err("名称不能为空，且不超过100字".into());
    }
    let code = parse_code(fields[1])?;
    let region = RegionCode::parse(fields[2])
        .map_err(|_| format!("地区代码 {} 应为6位行政区划代码", fields[2]))?;
    let listed_on =
        Date::parse(fields[3]).map_err(|_| format!("列入日期 {} 应为 YYYY-MM-DD", fields[3]))?;
    if listed_on > cutoff {
        return Err(format!("列入日期 {listed_on} 晚于名单截止时间"));
    }
    let until = match fields[4] {
        "" => None,
        text => {
            let until =
                Date::parse(text).map_err(|_| format!("截止日期 {text} 应为 YYYY-MM-DD 或留空"))?;
            if until < listed_on {
                return Err("截止日期早于列入日期".into());
            }
            Some(until)
        }
    };
    let basis = fields[5];
    if basis.is_empty() || basis.chars().count() > 500 || crate::has_control_character(basis) {
        return Err("列入事由不能为空，且不超过500字".into());
    }
    Ok(ListRow {
        line: line_no,
        name: name.to_string(),
        code,
        region: region.to_string(),
        listed_on,
        until,
        basis: basis.to_string(),
    })
}

/// A masked row and the registered natural persons it could be; the operator confirms one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingMatch {
    pub line: u32,
    pub key: String,
    pub name: String,
    pub pattern: String,
    pub region: String,
    /// Entity ids of the candidates.
    pub candidates: Vec<String>,
    /// The entity the operator confirmed, once confirmed.
    pub confirmed: Option<String>,
}

/// One import of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListImport {
    /// `list@n`.
    pub id: String,
    pub list: String,
    /// Where and how it was obtained (the channel and the query).
    pub source: String,
    pub cutoff_ms: i64,
    /// SM3 of the file as imported (the blob).
    pub csv_sm3: String,
    /// The signer's certificate fingerprint and the signature (hex).
    pub signer: String,
    pub signature: String,
    pub rows: u32,
    /// Row key → subject, for the rows matched by code or confirmed.
    pub matched: std::collections::BTreeMap<String, String>,
    pub pending: Vec<PendingMatch>,
    pub by: String,
    pub at_ms: i64,
}

/// A list's imports: the latest in full, the earlier ones as (id, cut-off, rows, at).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditList {
    pub list: String,
    pub latest: ListImport,
    pub history: Vec<(String, i64, u32, i64)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreditListCommand {
    Import(Box<ListImport>),
    ConfirmMatch { key: String, subject: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CreditListEvent {
    Imported {
        import: Box<ListImport>,
    },
    MatchConfirmed {
        key: String,
        subject: String,
        at_ms: i64,
    },
}

impl CreditListEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Imported { .. } => "credit_list.imported",
            Self::MatchConfirmed { .. } => "credit_list.match_confirmed",
        }
    }
}

impl crate::Decider for Option<CreditList> {
    type Command = CreditListCommand;
    type Event = CreditListEvent;

    fn decide(
        &self,
        command: CreditListCommand,
        now_ms: i64,
    ) -> Result<Vec<CreditListEvent>, DomainError> {
        match command {
            CreditListCommand::Import(import) => {
                if let Some(list) = self
                    && import.cutoff_ms <= list.latest.cutoff_ms
                {
                    return Err(DomainError::ListStale {
                        cutoff_ms: list.latest.cutoff_ms,
                    });
                }
                if import.cutoff_ms <= 0 || import.cutoff_ms > now_ms {
                    return Err(DomainError::ListCutoff);
                }
                Ok(vec![CreditListEvent::Imported { import }])
            }
            CreditListCommand::ConfirmMatch { key, subject } => {
                let list = self.as_ref().ok_or(DomainError::CreditRecordNotFound)?;
                let pending = list
                    .latest
                    .pending
                    .iter()
                    .find(|p| p.key == key && p.confirmed.is_none())
                    .ok_or(DomainError::ListMatch)?;
                if !pending.candidates.contains(&subject) {
                    return Err(DomainError::ListMatch);
                }
                Ok(vec![CreditListEvent::MatchConfirmed {
                    key,
                    subject,
                    at_ms: now_ms,
                }])
            }
        }
    }

    fn evolve(self, event: &CreditListEvent) -> Self {
        match event {
            CreditListEvent::Imported { import } => {
                let mut history = self.map(|l| l.history).unwrap_or_default();
                history.push((
                    import.id.clone(),
                    import.cutoff_ms,
                    import.rows,
                    import.at_ms,
                ));
                Some(CreditList {
                    list: import.list.clone(),
                    latest: (**import).clone(),
                    history,
                })
            }
            CreditListEvent::MatchConfirmed { key, subject, .. } => self.map(|mut list| {
                if let Some(pending) = list.latest.pending.iter_mut().find(|p| &p.key == key) {
                    pending.confirmed = Some(subject.clone());
                }
                list.latest.matched.insert(key.clone(), subject.clone());
                list
            }),
        }
    }
}
