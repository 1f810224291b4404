//! The read tables (projections) of entities and accounts: rows and queries.
//!
//! Rows are plain strings and integers; the application converts them from and to domain types.
//! Lists (such as `roles`) are stored comma-separated; `0` and `""` stand for "none".

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// A row of `entities`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EntityRow {
    pub id: String,
    /// `organisation` or `natural_person`.
    pub kind: String,
    /// The USCC, or the ID number of a natural person.
    pub code: String,
    pub name: String,
    pub region: String,
    pub legal_representative: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub roles: String,
    pub status: String,
    pub reject_reason: String,
    pub registered_at_ms: i64,
    pub reviewed_at_ms: i64,
    pub reviewed_by: String,
    pub last_seq: i64,
    /// JSON array of qualifications.
    pub qualifications: String,
    /// JSON object of the bank account, or "".
    pub bank_account: String,
    pub restriction_reason: String,
    /// `YYYY-MM-DD` for a bar, or "".
    pub restricted_until: String,
    /// JSON array of bound certificates.
    pub certificates: String,
    /// 控股股东或实际控制人 (USCC or ID number), "" when none declared.
    pub controller: String,
    /// The origin of the node where the entity registered, when recognised from the province
    /// registry; '' when it registered here.
    pub home: String,
}

/// A row of `accounts`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AccountRow {
    pub username: String,
    pub display_name: String,
    pub entity_id: String,
    pub roles: String,
    pub status: String,
    pub created_at_ms: i64,
    pub last_seq: i64,
}

/// One page of a list and the total count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

const ENTITY_COLUMNS: &str = "id, kind, code, name, region, legal_representative, address, \
    contact_name, contact_phone, contact_email, roles, status, reject_reason, registered_at_ms, \
    reviewed_at_ms, reviewed_by, last_seq, qualifications, bank_account, restriction_reason, \
    restricted_until, certificates, controller, home";

fn entity_from_row(row: &AnyRow) -> Result<EntityRow, StoreError> {
    Ok(EntityRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        legal_representative: row.try_get("legal_representative")?,
        address: row.try_get("address")?,
        contact_name: row.try_get("contact_name")?,
        contact_phone: row.try_get("contact_phone")?,
        contact_email: row.try_get("contact_email")?,
        roles: row.try_get("roles")?,
        status: row.try_get("status")?,
        reject_reason: row.try_get("reject_reason")?,
        registered_at_ms: row.try_get("registered_at_ms")?,
        reviewed_at_ms: row.try_get("reviewed_at_ms")?,
        reviewed_by: row.try_get("reviewed_by")?,
        last_seq: row.try_get("last_seq")?,
        qualifications: row.try_get("qualifications")?,
        bank_account: row.try_get("bank_account")?,
        restriction_reason: row.try_get("restriction_reason")?,
        restricted_until: row.try_get("restricted_until")?,
        certificates: row.try_get("certificates")?,
        controller: row.try_get("controller")?,
        home: row.try_get("home")?,
    })
}

fn account_from_row(row: &AnyRow) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        entity_id: row.try_get("entity_id")?,
        roles: row.try_get("roles")?,
        status: row.try_get("status")?,
        created_at_ms: row.try_get("created_at_ms")?,
        last_seq: row.try_get("last_seq")?,
    })
}

impl Store {
    /// Entities last changed at ledger places in `(after, through]` (the search index's feed).
    pub async fn entities_changed_between(
        &self,
        after: i64,
        through: i64,
    ) -> Result<Vec<EntityRow>, StoreError> {
        let sql = format!(
            "SELECT {ENTITY_COLUMNS} FROM entities WHERE last_seq > $1 AND last_seq <= $2 \
             ORDER BY last_seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after)
            .bind(through)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entity_from_row).collect()
    }

    /// Entities of one kind with exactly this name (matching a public list's masked rows).
    pub async fn entities_named(
        &self,
        kind: &str,
        name: &str,
    ) -> Result<Vec<EntityRow>, StoreError> {
        let sql = format!(
            "SELECT {ENTITY_COLUMNS} FROM entities WHERE kind = $1 AND name = $2 ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(kind)
            .bind(name)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entity_from_row).collect()
    }

    pub async fn entity(&self, id: &str) -> Result<Option<EntityRow>, StoreError> {
        let sql = format!("SELECT {ENTITY_COLUMNS} FROM entities WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(entity_from_row).transpose()
    }

    /// Entities, newest registration first; `status` filters when given, and `hide_role` leaves
    /// out entities holding that role (experts are not listed publicly).
    pub async fn entities(
        &self,
        status: Option<&str>,
        hide_role: Option<&str>,
        offset: u64,
        limit: u64,
    ) -> Result<Page<EntityRow>, StoreError> {
        // `approved` stands for every status an approved entity can have.
        let status_filter = match status {
            Some("approved") => "status IN ('active', 'suspended', 'barred') AND $3 = $3",
            Some(_) => "status = $3",
            None => "$3 = $3",
        };
        let role_filter = if hide_role.is_some() {
            "(',' || roles || ',') NOT LIKE $4"
        } else {
            "$4 = $4"
        };
        let filter = format!("WHERE {status_filter} AND {role_filter}");
        let list_sql = format!(
            "SELECT {ENTITY_COLUMNS} FROM entities {filter} \
             ORDER BY registered_at_ms DESC, id LIMIT $1 OFFSET $2"
        );
        let count_sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM entities {}",
            filter.replace("$3", "$1").replace("$4", "$2")
        );
        let status = status.unwrap_or("").to_string();
        let hidden = hide_role.map(|r| format!("%,{r},%")).unwrap_or_default();
        let total = sqlx::query(sqlx::AssertSqlSafe(count_sql))
            .bind(&status)
            .bind(&hidden)
            .fetch_one(self.pool())
            .await?
            .try_get::<i64, _>("n")? as u64;
        let rows = sqlx::query(sqlx::AssertSqlSafe(list_sql))
            .bind(limit as i64)
            .bind(offset as i64)
            .bind(&status)
            .bind(&hidden)
            .fetch_all(self.pool())
            .await?;
        Ok(Page {
            items: rows.iter().map(entity_from_row).collect::<Result<_, _>>()?,
            total,
        })
    }

    /// Every entity row, for the verifier, by id.
    pub async fn all_entities(&self) -> Result<Vec<EntityRow>, StoreError> {
        let sql = format!("SELECT {ENTITY_COLUMNS} FROM entities ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entity_from_row).collect()
    }

    pub async fn account(&self, username: &str) -> Result<Option<AccountRow>, StoreError> {
        let row = sqlx::query(
            "SELECT username, display_name, entity_id, roles, status, created_at_ms, last_seq \
             FROM accounts WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn accounts_of_entity(&self, entity_id: &str) -> Result<Vec<AccountRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT username, display_name, entity_id, roles, status, created_at_ms, last_seq \
             FROM accounts WHERE entity_id = $1 ORDER BY username",
        )
        .bind(entity_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Every account row, for the verifier, by user name.
    pub async fn all_accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT username, display_name, entity_id, roles, status, created_at_ms, last_seq \
             FROM accounts ORDER BY username",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(account_from_row).collect()
    }
}
