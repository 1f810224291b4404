//! User accounts: each belongs to a market entity and holds roles. Passwords are not part of the
//! account's events: credentials are secrets, kept by the application outside the ledger.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fields::text_field;
use crate::{Decider, DomainError, EntityId, Role};

/// A log-in name: 3–32 characters of `a-z`, `0-9`, `_` and `-`, starting with a letter or digit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let name = text.trim().to_ascii_lowercase();
        let valid_chars = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        let valid_start = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric());
        if (3..=32).contains(&name.len()) && valid_chars && valid_start {
            Ok(Self(name))
        } else {
            Err(DomainError::UsernameFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ledger stream of this account.
    pub fn stream(&self) -> String {
        format!("account/{}", self.0)
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Username {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Disabled,
}

/// A user account as its events describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub username: Username,
    pub display_name: String,
    pub entity: EntityId,
    pub roles: Vec<Role>,
    pub status: AccountStatus,
    pub created_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountCommand {
    Create {
        username: Username,
        display_name: String,
        entity: EntityId,
        roles: Vec<Role>,
    },
    Disable {
        reason: String,
    },
    Enable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AccountEvent {
    Created {
        username: Username,
        display_name: String,
        entity: EntityId,
        roles: Vec<Role>,
        at_ms: i64,
    },
    Disabled {
        reason: String,
        at_ms: i64,
    },
    Enabled {
        at_ms: i64,
    },
}

impl AccountEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Created { .. } => "account.created",
            Self::Disabled { .. } => "account.disabled",
            Self::Enabled { .. } => "account.enabled",
        }
    }
}

impl Decider for Option<Account> {
    type Command = AccountCommand;
    type Event = AccountEvent;

    fn decide(
        &self,
        command: AccountCommand,
        now_ms: i64,
    ) -> Result<Vec<AccountEvent>, DomainError> {
        match command {
            AccountCommand::Create {
                username,
                display_name,
                entity,
                mut roles,
            } => {
                if self.is_some() {
                    return Err(DomainError::UsernameTaken);
                }
                text_field("姓名", &display_name, 50)?;
                roles.sort();
                roles.dedup();
                if roles.is_empty() {
                    return Err(DomainError::NoRole);
                }
                Ok(vec![AccountEvent::Created {
                    username,
                    display_name: display_name.trim().to_string(),
                    entity,
                    roles,
                    at_ms: now_ms,
                }])
            }
            AccountCommand::Disable { reason } => {
                let account = self.as_ref().ok_or(DomainError::AccountNotFound)?;
                if account.status == AccountStatus::Disabled {
                    return Err(DomainError::AccountDisabled);
                }
                text_field("停用理由", &reason, 500)?;
                Ok(vec![AccountEvent::Disabled {
                    reason,
                    at_ms: now_ms,
                }])
            }
            AccountCommand::Enable => {
                let account = self.as_ref().ok_or(DomainError::AccountNotFound)?;
                if account.status == AccountStatus::Active {
                    return Ok(vec![]);
                }
                Ok(vec![AccountEvent::Enabled { at_ms: now_ms }])
            }
        }
    }

    fn evolve(self, event: &AccountEvent) -> Self {
        match event {
            AccountEvent::Created {
                username,
                display_name,
                entity,
                roles,
                at_ms,
            } => Some(Account {
                username: username.clone(),
                display_name: display_name.clone(),
                entity: entity.clone(),
                roles: roles.clone(),
                status: AccountStatus::Active,
                created_at_ms: *at_ms,
            }),
            AccountEvent::Disabled { .. } => self.map(|account| Account {
                status: AccountStatus::Disabled,
                ..account
            }),
            AccountEvent::Enabled { .. } => self.map(|account| Account {
                status: AccountStatus::Active,
                ..account
            }),
        }
    }
}
