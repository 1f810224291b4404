//! Cardinal's settings file: INI, read the way cardinal reads it (the `config` crate over
//! `rust-ini`), for the keys that matter to the indicators and the keys cardinal's `prepare`
//! command owns (checked for their types, then ignored, so one file serves both tools).
//!
//! What a file may hold:
//! - `key = value` (or `key: value`) lines, `[section]` lines, and comment lines starting with `;`
//!   or `#`; values are trimmed, may be wrapped in one pair of `"` or `'`, and take `rust-ini`'s
//!   backslash escapes;
//! - a dotted section name or top-level key is a path: `[R003.procurement_method_details]` is the
//!   table `procurement_method_details` inside `R003`, and `R024.threshold = 0.1` at the top sets
//!   `threshold` in `R024`; keys inside a section are taken as written (`Random Selection = 10`);
//! - a section that appears twice keeps only its last occurrence, a key that appears twice its last
//!   value;
//! - numbers are Rust's `str::parse` (`+5`, `1e3`, `inf` for decimals), and `true`/`on`/`yes` and
//!   `false`/`off`/`no` (any case) also read as 1 and 0; booleans are `1`/`true`/`on`/`yes` or
//!   `0`/`false`/`off`/`no`.
//!
//! An unknown section or key is refused, as cardinal refuses it (serde's `deny_unknown_fields`).
//! Where `rust-ini` is laxer than this reader (a line continuation, text after a closing quote,
//! array subscripts in names), the file is refused here; `docs/flags.md` lists these edges.

use std::collections::{BTreeMap, HashMap};

/// Why a settings file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A line that is not a section, a property or a comment.
    #[error("line {line}: {message}")]
    Syntax { line: usize, message: String },
    /// A section or key the settings do not have.
    #[error("unknown key `{key}` in {}, expected one of: {}", place(.path), .expected.join(", "))]
    UnknownKey {
        path: String,
        key: String,
        expected: &'static [&'static str],
    },
    /// A value that does not read as the type its key needs.
    #[error("`{path}` (line {line}): expected {expected}, found {found:?}")]
    InvalidValue {
        path: String,
        line: usize,
        expected: &'static str,
        found: String,
    },
    /// A plain value where a section (table) is needed.
    #[error("`{path}` must be a section, not a value")]
    ExpectedSection { path: String },
    /// A section where a plain value is needed.
    #[error("`{path}` must be a value, not a section")]
    ExpectedValue { path: String },
}

fn place(path: &str) -> String {
    if path.is_empty() {
        String::from("the top level")
    } else {
        format!("[{path}]")
    }
}

/// The indicators' settings (cardinal's `Settings`, less what only `prepare` reads). An indicator
/// runs if its section is present, even empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The currency of the bids that price comparisons (R024, R036, R058) consider. Unset: the
    /// first currency met, in file order.
    pub currency: Option<String>,
    /// `/tender/procurementMethodDetails` values excluded from price comparisons (pipe-separated).
    pub no_price_comparison_procurement_methods: Option<String>,
    /// If set, only these `/tender/procurementMethodDetails` values take part in price comparisons
    /// (pipe-separated); takes precedence over the `no_` list.
    pub price_comparison_procurement_methods: Option<String>,
    /// `[exclusions] procurement_method_details`: processes left out of every indicator.
    pub exclusions_procurement_method_details: Option<String>,
    /// `[output] info_currency_mismatches`: cardinal logs currency mismatches at info rather than
    /// warning level. Read and kept; it changes no result.
    pub info_currency_mismatches: Option<bool>,
    pub r003: Option<R003>,
    pub r018: Option<R018>,
    pub r024: Option<Threshold>,
    pub r025: Option<R025>,
    pub r028: Option<Empty>,
    pub r030: Option<Empty>,
    pub r035: Option<R035>,
    pub r036: Option<Empty>,
    pub r038: Option<R038>,
    pub r048: Option<R048>,
    pub r058: Option<Threshold>,
}

/// An indicator section with no settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Empty;

/// A section whose only setting is a decimal `threshold` (R024, R058).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Threshold {
    pub threshold: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct R003 {
    /// Days; default 15.
    pub threshold: Option<i64>,
    /// Pipe-separated `/tender/procurementMethod` values; unset or empty means all.
    pub procurement_methods: Option<String>,
    /// Thresholds in days by `/tender/procurementMethodDetails`.
    pub procurement_method_details: Option<HashMap<String, i64>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct R018 {
    /// Pipe-separated `/tender/procurementMethod` values; default `open|selective`.
    pub procurement_methods: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct R025 {
    /// Default 75.
    pub percentile: Option<usize>,
    pub threshold: Option<f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct R035 {
    /// Default 1 (and never below 1).
    pub threshold: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct R038 {
    pub threshold: Option<f64>,
    /// Default 2.
    pub minimum_submitted_bids: Option<usize>,
    /// Default 2 (compared, as cardinal does, with the number of submitted bids).
    pub minimum_contracting_processes: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct R048 {
    /// Default 2.
    pub digits: Option<usize>,
    pub threshold: Option<usize>,
    /// Default 20.
    pub minimum_contracting_processes: Option<usize>,
}

impl Settings {
    /// Reads a settings file's text.
    pub fn parse(text: &str) -> Result<Settings, SettingsError> {
        let root = read_tree(text)?;
        Settings::from_tree(root)
    }

    /// Every indicator enabled with its defaults (cardinal's `init` file with its comments
    /// left in).
    pub fn all_indicators() -> Settings {
        Settings {
            r003: Some(R003::default()),
            r018: Some(R018::default()),
            r024: Some(Threshold::default()),
            r025: Some(R025::default()),
            r028: Some(Empty),
            r030: Some(Empty),
            r035: Some(R035::default()),
            r036: Some(Empty),
            r038: Some(R038::default()),
            r048: Some(R048::default()),
            r058: Some(Threshold::default()),
            ..Settings::default()
        }
    }

    fn from_tree(root: Table) -> Result<Settings, SettingsError> {
        let mut settings = Settings::default();
        let mut fields = Fields::new("", root, TOP_LEVEL)?;
        if let Some(table) = fields.table("output")? {
            let mut output = Fields::new("output", table, &["info_currency_mismatches"])?;
            settings.info_currency_mismatches = output.boolean("info_currency_mismatches")?;
        }
        if let Some(table) = fields.table("codelists")? {
            let mut codelists = Fields::new("codelists", table, &["bid_status", "award_status"])?;
            for name in ["bid_status", "award_status"] {
                if let Some(table) = codelists.table(name)? {
                    let path = format!("codelists.{name}");
                    for (key, node) in table {
                        value_text(&format!("{path}.{key}"), node)?;
                    }
                }
            }
        }
        if let Some(table) = fields.table("defaults")? {
            let mut defaults = Fields::new("defaults", table, DEFAULTS)?;
            for key in [
                "currency",
                "item_classification_scheme",
                "bid_status",
                "award_status",
            ] {
                defaults.string(key)?;
            }
            defaults.boolean("party_roles")?;
        }
        if let Some(table) = fields.table("redactions")? {
            let mut redactions = Fields::new("redactions", table, &["amount", "organization_id"])?;
            redactions.string("amount")?;
            redactions.string("organization_id")?;
        }
        if let Some(table) = fields.table("corrections")? {
            let mut corrections =
                Fields::new("corrections", table, &["award_status_by_contract_status"])?;
            corrections.boolean("award_status_by_contract_status")?;
        }
        if let Some(table) = fields.table("modifications")? {
            let mut modifications = Fields::new("modifications", table, MODIFICATIONS)?;
            modifications.boolean("move_auctions")?;
            for key in &MODIFICATIONS[1..] {
                modifications.string(key)?;
            }
        }
        settings.currency = fields.string("currency")?;
        settings.no_price_comparison_procurement_methods =
            fields.string("no_price_comparison_procurement_methods")?;
        settings.price_comparison_procurement_methods =
            fields.string("price_comparison_procurement_methods")?;
        if let Some(table) = fields.table("exclusions")? {
            let mut exclusions = Fields::new("exclusions", table, &["procurement_method_details"])?;
            settings.exclusions_procurement_method_details =
                exclusions.string("procurement_method_details")?;
        }
        if let Some(table) = fields.table("R003")? {
            let mut r003 = Fields::new(
                "R003",
                table,
                &[
                    "threshold",
                    "procurement_methods",
                    "procurement_method_details",
                ],
            )?;
            let mut details = None;
            if let Some(table) = r003.table("procurement_method_details")? {
                let mut map = HashMap::new();
                for (key, node) in table {
                    let path = format!("R003.procurement_method_details.{key}");
                    let (text, line) = value_text(&path, node)?;
                    map.insert(key, integer(&path, line, &text)?);
                }
                details = Some(map);
            }
            settings.r003 = Some(R003 {
                threshold: r003.integer("threshold")?,
                procurement_methods: r003.string("procurement_methods")?,
                procurement_method_details: details,
            });
        }
        if let Some(table) = fields.table("R018")? {
            let mut r018 = Fields::new("R018", table, &["procurement_methods"])?;
            settings.r018 = Some(R018 {
                procurement_methods: r018.string("procurement_methods")?,
            });
        }
        settings.r024 = threshold_section(&mut fields, "R024")?;
        if let Some(table) = fields.table("R025")? {
            let mut r025 = Fields::new("R025", table, &["percentile", "threshold"])?;
            settings.r025 = Some(R025 {
                percentile: r025.unsigned("percentile")?,
                threshold: r025.decimal("threshold")?,
            });
        }
        for (name, slot) in [
            ("R028", &mut settings.r028),
            ("R030", &mut settings.r030),
            ("R036", &mut settings.r036),
        ] {
            if let Some(table) = fields.table(name)? {
                Fields::new(name, table, &[])?;
                *slot = Some(Empty);
            }
        }
        if let Some(table) = fields.table("R035")? {
            let mut r035 = Fields::new("R035", table, &["threshold"])?;
            settings.r035 = Some(R035 {
                threshold: r035.unsigned("threshold")?,
            });
        }
        if let Some(table) = fields.table("R038")? {
            let mut r038 = Fields::new(
                "R038",
                table,
                &[
                    "threshold",
                    "minimum_submitted_bids",
                    "minimum_contracting_processes",
                ],
            )?;
            settings.r038 = Some(R038 {
                threshold: r038.decimal("threshold")?,
                minimum_submitted_bids: r038.unsigned("minimum_submitted_bids")?,
                minimum_contracting_processes: r038.unsigned("minimum_contracting_processes")?,
            });
        }
        if let Some(table) = fields.table("R048")? {
            let mut r048 = Fields::new(
                "R048",
                table,
                &["digits", "threshold", "minimum_contracting_processes"],
            )?;
            settings.r048 = Some(R048 {
                digits: r048.unsigned("digits")?,
                threshold: r048.unsigned("threshold")?,
                minimum_contracting_processes: r048.unsigned("minimum_contracting_processes")?,
            });
        }
        settings.r058 = threshold_section(&mut fields, "R058")?;
        Ok(settings)
    }
}

impl std::str::FromStr for Settings {
    type Err = SettingsError;

    fn from_str(text: &str) -> Result<Settings, SettingsError> {
        Settings::parse(text)
    }
}

const TOP_LEVEL: &[&str] = &[
    "output",
    "codelists",
    "defaults",
    "redactions",
    "corrections",
    "modifications",
    "currency",
    "no_price_comparison_procurement_methods",
    "price_comparison_procurement_methods",
    "exclusions",
    "R003",
    "R018",
    "R024",
    "R025",
    "R028",
    "R030",
    "R035",
    "R036",
    "R038",
    "R048",
    "R058",
];

const DEFAULTS: &[&str] = &[
    "currency",
    "item_classification_scheme",
    "bid_status",
    "award_status",
    "party_roles",
];

const MODIFICATIONS: &[&str] = &[
    "move_auctions",
    "prefix_buyer_or_procuring_entity_id",
    "prefix_tenderer_or_supplier_id",
    "split_procurement_method_details",
];

fn threshold_section(fields: &mut Fields, name: &str) -> Result<Option<Threshold>, SettingsError> {
    let Some(table) = fields.table(name)? else {
        return Ok(None);
    };
    let mut section = Fields::new(name, table, &["threshold"])?;
    Ok(Some(Threshold {
        threshold: section.decimal("threshold")?,
    }))
}

// The tree the INI file describes.

type Table = BTreeMap<String, Node>;

#[derive(Debug, Clone)]
enum Node {
    Value { text: String, line: usize },
    Table(Table),
}

/// The members of one table, taken one by one; `new` refuses keys outside `allowed`.
struct Fields {
    path: String,
    table: Table,
}

impl Fields {
    fn new(
        path: &str,
        table: Table,
        allowed: &'static [&'static str],
    ) -> Result<Fields, SettingsError> {
        if let Some(key) = table.keys().find(|key| !allowed.contains(&key.as_str())) {
            return Err(SettingsError::UnknownKey {
                path: path.to_owned(),
                key: key.clone(),
                expected: allowed,
            });
        }
        Ok(Fields {
            path: path.to_owned(),
            table,
        })
    }

    fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn table(&mut self, key: &str) -> Result<Option<Table>, SettingsError> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(Node::Table(table)) => Ok(Some(table)),
            Some(Node::Value { .. }) => Err(SettingsError::ExpectedSection {
                path: self.child(key),
            }),
        }
    }

    fn value(&mut self, key: &str) -> Result<Option<(String, usize)>, SettingsError> {
        match self.table.remove(key) {
            None => Ok(None),
            Some(node) => value_text(&self.child(key), node).map(Some),
        }
    }

    fn string(&mut self, key: &str) -> Result<Option<String>, SettingsError> {
        Ok(self.value(key)?.map(|(text, _)| text))
    }

    fn boolean(&mut self, key: &str) -> Result<Option<bool>, SettingsError> {
        let path = self.child(key);
        self.value(key)?
            .map(|(text, line)| match text.to_lowercase().as_str() {
                "1" | "true" | "on" | "yes" => Ok(true),
                "0" | "false" | "off" | "no" => Ok(false),
                _ => Err(invalid(&path, line, "a boolean", &text)),
            })
            .transpose()
    }

    fn integer(&mut self, key: &str) -> Result<Option<i64>, SettingsError> {
        let path = self.child(key);
        self.value(key)?
            .map(|(text, line)| integer(&path, line, &text))
            .transpose()
    }

    fn unsigned(&mut self, key: &str) -> Result<Option<usize>, SettingsError> {
        let path = self.child(key);
        self.value(key)?
            .map(|(text, line)| match word_number(&text) {
                Some(number) => Ok(number as usize),
                None => text
                    .parse::<u64>()
                    .ok()
                    .and_then(|number| usize::try_from(number).ok())
                    .ok_or_else(|| invalid(&path, line, "a non-negative integer", &text)),
            })
            .transpose()
    }

    fn decimal(&mut self, key: &str) -> Result<Option<f64>, SettingsError> {
        let path = self.child(key);
        self.value(key)?
            .map(|(text, line)| match word_number(&text) {
                Some(number) => Ok(number as f64),
                None => text
                    .parse::<f64>()
                    .map_err(|_| invalid(&path, line, "a decimal number", &text)),
            })
            .transpose()
    }
}

fn value_text(path: &str, node: Node) -> Result<(String, usize), SettingsError> {
    match node {
        Node::Value { text, line } => Ok((text, line)),
        Node::Table(_) => Err(SettingsError::ExpectedValue {
            path: path.to_owned(),
        }),
    }
}

/// `config` reads these words as numbers too.
fn word_number(text: &str) -> Option<u8> {
    match text.to_lowercase().as_str() {
        "true" | "on" | "yes" => Some(1),
        "false" | "off" | "no" => Some(0),
        _ => None,
    }
}

fn integer(path: &str, line: usize, text: &str) -> Result<i64, SettingsError> {
    match word_number(text) {
        Some(number) => Ok(i64::from(number)),
        None => text
            .parse::<i64>()
            .map_err(|_| invalid(path, line, "an integer", text)),
    }
}

fn invalid(path: &str, line: usize, expected: &'static str, text: &str) -> SettingsError {
    SettingsError::InvalidValue {
        path: path.to_owned(),
        line,
        expected,
        found: text.to_owned(),
    }
}

/// Reads the INI text into a tree: each section (by its name as written) and each top-level key,
/// the last occurrence winning; then each is set at its dotted path, merging tables.
fn read_tree(text: &str) -> Result<Table, SettingsError> {
    let mut entries: BTreeMap<String, Node> = BTreeMap::new();
    let mut section: Option<(String, Table)> = None;
    for (index, raw_line) in text.split('\n').enumerate() {
        let line = index + 1;
        let mut rest = raw_line.trim_end_matches('\r').trim_matches([' ', '\t']);
        if rest.is_empty() || rest.starts_with([';', '#']) {
            continue;
        }
        let syntax = |message: &str| SettingsError::Syntax {
            line,
            message: message.to_owned(),
        };
        if let Some(after_bracket) = rest.strip_prefix('[') {
            let Some((name, after)) = after_bracket.split_once(']') else {
                return Err(syntax("a section name must end with `]`"));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(syntax("a section needs a name"));
            }
            if let Some((name, table)) = section.take() {
                entries.insert(name, Node::Table(table));
            }
            section = Some((name.to_owned(), Table::new()));
            // `rust-ini` reads on after the `]`: `[R024] threshold = 1` is a section and a property.
            rest = after.trim_matches([' ', '\t']);
            if rest.is_empty() {
                continue;
            }
        }
        let Some(separator) = rest.find(['=', ':']) else {
            return Err(syntax(
                "expected `key = value`, a `[section]` or a `;` comment",
            ));
        };
        let key = rest[..separator].trim_matches([' ', '\t']);
        if key.is_empty() {
            return Err(syntax("a property needs a name before `=`"));
        }
        let value = unquote(rest[separator + 1..].trim_matches([' ', '\t']))
            .map_err(|message| syntax(&message))?;
        let node = Node::Value { text: value, line };
        match section.as_mut() {
            Some((_, table)) => {
                table.insert(key.to_owned(), node);
            }
            None => {
                entries.insert(key.to_owned(), node);
            }
        }
    }
    if let Some((name, table)) = section.take() {
        entries.insert(name, Node::Table(table));
    }

    let mut root = Table::new();
    for (name, node) in entries {
        let path = dotted_path(&name).unwrap_or_else(|| vec![name.clone()]);
        set(&mut root, &path, node);
    }
    Ok(root)
}

/// `ident(.ident)*` with identifiers of ASCII letters, digits, `_` and `-` (the `config` crate's
/// path syntax, less array subscripts); `None` if the name is not such a path.
fn dotted_path(name: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = name.split('.').map(str::to_owned).collect();
    let is_identifier = |part: &String| {
        !part.is_empty()
            && part
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
    };
    parts.iter().all(is_identifier).then_some(parts)
}

fn set(table: &mut Table, path: &[String], node: Node) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        match (table.get_mut(first), node) {
            (Some(Node::Table(existing)), Node::Table(incoming)) => {
                for (key, value) in incoming {
                    set(existing, std::slice::from_ref(&key), value);
                }
            }
            (_, node) => {
                table.insert(first.clone(), node);
            }
        }
        return;
    }
    let child = table
        .entry(first.clone())
        .and_modify(|existing| {
            if let Node::Value { .. } = existing {
                *existing = Node::Table(Table::new());
            }
        })
        .or_insert_with(|| Node::Table(Table::new()));
    if let Node::Table(child) = child {
        set(child, rest, node);
    }
}

/// A value's surrounding quotes and `rust-ini`'s backslash escapes.
fn unquote(value: &str) -> Result<String, String> {
    let inner = match value.as_bytes().first() {
        Some(&quote @ (b'"' | b'\'')) => {
            let rest = &value[1..];
            match rest.strip_suffix(quote as char) {
                Some(inner) => inner,
                None => return Err(String::from("a quoted value must end with the same quote")),
            }
        }
        _ => value,
    };
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(character) = chars.next() {
        if character != '\\' {
            text.push(character);
            continue;
        }
        match chars.next() {
            None => {
                return Err(String::from(
                    "line continuations (a final `\\`) are not supported",
                ));
            }
            Some('0') => text.push('\0'),
            Some('a') => text.push('\x07'),
            Some('b') => text.push('\x08'),
            Some('t') => text.push('\t'),
            Some('r') => text.push('\r'),
            Some('n') => text.push('\n'),
            Some('x') => {
                let code: String = chars.by_ref().take(4).collect();
                let decoded = u32::from_str_radix(&code, 16)
                    .ok()
                    .filter(|_| code.len() == 4)
                    .and_then(char::from_u32)
                    .ok_or_else(|| {
                        String::from("`\\x` must be followed by four hexadecimal digits")
                    })?;
                text.push(decoded);
            }
            Some(other) => text.push(other),
        }
    }
    Ok(text)
}
