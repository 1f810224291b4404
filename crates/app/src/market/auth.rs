//! Authentication: argon2id password hashes, browser sessions with CSRF tokens, API tokens.
//! Secrets never enter the ledger or the logs; the store keeps only hashes of session and API
//! tokens.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::{Role, Username};
use rand::RngExt;
use store::{SessionRow, TokenRow};

use crate::witness::projection::roles_parse;
use crate::{App, AppError};

/// Argon2id cost parameters.
#[derive(Clone, Copy, Debug)]
pub struct PasswordPolicy {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordPolicy {
    /// The argon2 crate's defaults (OWASP): 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
        }
    }
}

impl PasswordPolicy {
    /// A cheap policy for tests only.
    pub fn for_tests() -> Self {
        Self {
            memory_kib: 256,
            iterations: 1,
        }
    }

    fn hasher(&self) -> Argon2<'static> {
        let params = Params::new(self.memory_kib, self.iterations, 1, None)
            .expect("valid argon2 parameters");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Refuses passwords shorter than 8 characters or without both a letter and a digit
    /// (`PASSWORD_WEAK`), the commonly used ones that pass that rule (`PASSWORD_COMMON`: the
    /// first guesses of every attack, e.g. `password1`, `qwe123456`, `1qaz2wsx`), and those
    /// built on the user name (`PASSWORD_HAS_USERNAME`: the name itself, reversed, or inside).
    pub(crate) fn check_strength(password: &str, username: &str) -> Result<(), AppError> {
        let long_enough = password.chars().count() >= 8 && password.len() <= 128;
        let has_letter = password.chars().any(|c| c.is_alphabetic());
        let has_digit = password.chars().any(|c| c.is_ascii_digit());
        if !(long_enough && has_letter && has_digit) {
            return Err(AppError::WeakPassword);
        }
        let lower = password.to_lowercase();
        let name = username.trim().to_lowercase();
        let reversed: String = name.chars().rev().collect();
        if name.chars().count() >= 3 && (lower.contains(&name) || lower.contains(&reversed)) {
            return Err(AppError::refused(
                "PASSWORD_HAS_USERNAME",
                "密码不能包含用户名（含倒序），请另设密码",
            ));
        }
        // One character repeated, or a keyboard or counting run with a digit or two added,
        // is as guessable as the list below.
        let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
        if distinct.len() <= 4 || COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(AppError::refused(
                "PASSWORD_COMMON",
                "该密码过于常见，容易被猜中，请另设密码",
            ));
        }
        Ok(())
    }

    pub(crate) fn hash(&self, password: &str) -> Result<String, AppError> {
        let salt: [u8; 16] = rand::rng().random();
        self.hasher()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::Internal(format!("password hash: {e}")))
    }

    pub(crate) fn verify(&self, password: &str, stored: &str) -> bool {
        PasswordHash::new(stored).is_ok_and(|hash| {
            self.hasher()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
    }
}

/// Passwords that pass the letter-and-digit rule and are still among the first guesses of any
/// attack (lowercase): the most common leaked passwords of that shape, Chinese sites included.
const COMMON_PASSWORDS: &[&str] = &[
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword1",
    "pass1234",
    "abc12345",
    "abc123456",
    "abcd1234",
    "abcd12345",
    "a1234567",
    "a12345678",
    "a123456789",
    "aa123456",
    "aa12345678",
    "qwe12345",
    "qwe123456",
    "qwer1234",
    "qwerty12",
    "qwerty123",
    "qwerty1234",
    "1qaz2wsx",
    "1qaz2wsx3edc",
    "zaq12wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "q1w2e3r4",
    "q1w2e3r4t5",
    "zxc12345",
    "zxc123456",
    "zxcv1234",
    "asd12345",
    "asd123456",
    "asdf1234",
    "admin123",
    "admin1234",
    "admin888",
    "admin12345",
    "root1234",
    "test1234",
    "test12345",
    "welcome1",
    "iloveyou1",
    "woaini1314",
    "woaini520",
    "5201314a",
    "a5201314",
    "123456abc",
    "123456aa",
    "12345678a",
    "123456789a",
    "123abc456",
    "abc123abc",
    "letmein1",
    "monkey123",
    "dragon123",
    "master123",
    "sunshine1",
    "trustno1",
    "football1",
    "baseball1",
    "ggzy1234",
    "ggzy2026",
    "demo2026",
    "china123",
    "zhang123",
    "wang1234",
    "li123456",
    "liu123456",
];

/// Who is calling: an authenticated account with its roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub username: String,
    pub display_name: String,
    pub entity_id: String,
    pub roles: Vec<Role>,
    /// The session's CSRF token, when the caller came with a session cookie.
    pub csrf: Option<String>,
    /// The id of the API token the caller came with (`Authorization: Bearer …`), if any: such a
    /// caller may not mint further tokens, and logging out revokes that token.
    pub api_token: Option<String>,
}

impl Caller {
    /// The platform itself (its opener, acting on a rule, not on anyone's request).
    pub fn system() -> Self {
        Self {
            username: "system".into(),
            display_name: "平台".into(),
            entity_id: String::new(),
            roles: Vec::new(),
            csrf: None,
            api_token: None,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.has(*role))
    }

    /// Whether the caller acts for market entity `id`: an account of the entity with a role other
    /// than 评标专家. An expert's account sits under an entity without acting for it (the
    /// trading center's expert accounts must not manage the trading center).
    pub fn acts_for(&self, id: &str) -> bool {
        !self.entity_id.is_empty()
            && self.entity_id == id
            && self.roles.iter().any(|r| *r != Role::Expert)
    }

    pub(crate) fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has(role) {
            Ok(())
        } else {
            Err(AppError::NotAuthorized)
        }
    }
}

/// An API token as its owner sees it listed (never the token itself).
#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenView {
    /// SM3 of the token, hex: how the token is named for revocation.
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub revoked: bool,
    /// Neither revoked nor expired.
    pub active: bool,
}

/// A new browser session: the cookie token (shown once) and the CSRF token of its forms.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires_at_ms: i64,
}

fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

fn token_id(token: &str) -> String {
    crypto::sm3(token.as_bytes()).to_hex()
}

impl App {
    /// Log-in from a client address, throttled: after 5 failures for one user name within 15
    /// minutes, or 20 failures from one address within 10 minutes, further attempts are refused
    /// (`TOO_MANY_ATTEMPTS`, 429) until the oldest failure leaves the window; a success clears
    /// the user name's count. Refused attempts are not checked, so they cannot test passwords.
    pub async fn login_from(
        &self,
        client: &str,
        username: &str,
        password: &str,
    ) -> Result<NewSession, AppError> {
        let now = self.now_ms();
        let user_key = format!("login-user:{}", username.trim().to_lowercase());
        let client_key = format!("login-client:{client}");
        self.throttle
            .check(&user_key, now, LOGIN_USER_WINDOW_MS, LOGIN_USER_MAX)?;
        self.throttle
            .check(&client_key, now, LOGIN_CLIENT_WINDOW_MS, LOGIN_CLIENT_MAX)?;
        match self.login(username, password).await {
            Ok(session) => {
                self.throttle.clear(&user_key);
                Ok(session)
            }
            Err(error) => {
                if matches!(error, AppError::BadCredentials) {
                    self.throttle.record(&user_key, now);
                    self.throttle.record(&client_key, now);
                }
                Err(error)
            }
        }
    }

    /// Self-service registrations from one client address: at most
    /// `Settings::registrations_per_hour` attempts an hour (20 by default).
    pub fn throttle_registration(&self, client: &str) -> Result<(), AppError> {
        let max = self.settings.registrations_per_hour;
        if max == 0 {
            return Ok(());
        }
        let now = self.now_ms();
        let key = format!("register-client:{client}");
        self.throttle
            .check(&key, now, REGISTER_CLIENT_WINDOW_MS, max)?;
        self.throttle.record(&key, now);
        Ok(())
    }

    /// Counts a report filed without signing in from `client`; refuses past the hourly limit, so
    /// that nobody floods the departments' queues (and the ledger) anonymously.
    pub fn throttle_report(&self, client: &str) -> Result<(), AppError> {
        let max = self.settings.reports_per_hour;
        if max == 0 {
            return Ok(());
        }
        let now = self.now_ms();
        let key = format!("report-client:{client}");
        self.throttle
            .check(&key, now, REGISTER_CLIENT_WINDOW_MS, max)?;
        self.throttle.record(&key, now);
        Ok(())
    }

    /// Checks a user name and password and opens a session (unthrottled: for trusted tools;
    /// the server calls `login_from`).
    pub async fn login(&self, username: &str, password: &str) -> Result<NewSession, AppError> {
        let policy = self.settings.password_policy;
        let Ok(username) = Username::parse(username) else {
            return Err(AppError::BadCredentials);
        };
        let stored = self.store.password_hash(username.as_str()).await?;
        let Some(stored) = stored else {
            // Spend the same time as a real check, so timing does not reveal which names exist.
            let _ = policy.hash(password);
            return Err(AppError::BadCredentials);
        };
        if !policy.verify(password, &stored) {
            return Err(AppError::BadCredentials);
        }
        let account = self
            .store
            .account(username.as_str())
            .await?
            .ok_or(AppError::BadCredentials)?;
        if account.status != "active" {
            return Err(domain::DomainError::AccountDisabled.into());
        }
        let now = self.now_ms();
        // Housekeeping on the way: sessions that ended are removed.
        self.store.delete_expired_sessions(now).await?;
        let session = NewSession {
            token: random_token(),
            csrf: random_token(),
            expires_at_ms: now + self.settings.session_ttl_ms,
        };
        self.store
            .insert_session(&SessionRow {
                id: token_id(&session.token),
                username: account.username,
                csrf: session.csrf.clone(),
                created_at_ms: now,
                expires_at_ms: session.expires_at_ms,
            })
            .await?;
        Ok(session)
    }

    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        self.store.delete_session(&token_id(token)).await?;
        Ok(())
    }

    /// The caller behind a session cookie.
    pub async fn caller_from_session(&self, token: &str) -> Result<Caller, AppError> {
        let session = self
            .store
            .session(&token_id(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if session.expires_at_ms <= self.now_ms() {
            self.store.delete_session(&session.id).await?;
            return Err(AppError::Unauthenticated);
        }
        let mut caller = self.caller_of(&session.username).await?;
        caller.csrf = Some(session.csrf);
        Ok(caller)
    }

    /// The caller behind an API token (`Authorization: Bearer …`).
    pub async fn caller_from_token(&self, token: &str) -> Result<Caller, AppError> {
        let id = token_id(token);
        let now = self.now_ms();
        if let Some(caller) = self.tokens.get(&id, now) {
            return Ok(caller);
        }
        let row = self
            .store
            .token(&id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if row.revoked || row.expires_at_ms <= now {
            return Err(AppError::Unauthenticated);
        }
        let mut caller = self.caller_of(&row.username).await?;
        caller.api_token = Some(id.clone());
        self.tokens.put(id, caller.clone(), now, row.expires_at_ms);
        Ok(caller)
    }

    /// Logs out a bearer-token caller: the token is revoked at once (on this node; within a
    /// second on the others).
    pub async fn revoke_own_token(&self, caller: &Caller) -> Result<(), AppError> {
        if let Some(id) = &caller.api_token {
            self.store.revoke_token(id, &caller.username).await?;
            self.tokens.forget(id);
        }
        Ok(())
    }

    /// The caller's API tokens, newest first: name, id (the SM3 of the token, not the token),
    /// times and whether revoked. The tokens themselves are never shown again.
    pub async fn api_tokens(&self, caller: &Caller) -> Result<Vec<TokenView>, AppError> {
        let now = self.now_ms();
        Ok(self
            .store
            .tokens_of(&caller.username, 200)
            .await?
            .into_iter()
            .map(|row| TokenView {
                active: !row.revoked && row.expires_at_ms > now,
                id: row.id,
                name: row.name,
                created_at_ms: row.created_at_ms,
                expires_at_ms: row.expires_at_ms,
                revoked: row.revoked,
            })
            .collect())
    }

    /// Revokes one of the caller's API tokens (by its id). Refused as not found for a token of
    /// another account.
    pub async fn revoke_api_token(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        if !self.store.revoke_token(id, &caller.username).await? {
            return Err(AppError::NotFound("没有该令牌"));
        }
        self.tokens.forget(id);
        Ok(())
    }

    async fn caller_of(&self, username: &str) -> Result<Caller, AppError> {
        let account = self
            .store
            .account(username)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if account.status != "active" {
            return Err(AppError::Unauthenticated);
        }
        Ok(Caller {
            username: account.username,
            display_name: account.display_name,
            entity_id: account.entity_id,
            roles: roles_parse(&account.roles),
            csrf: None,
            api_token: None,
        })
    }

    /// Issues an API token for the caller, valid for `valid_days`. The token is shown only here.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        name: &str,
        valid_days: u32,
    ) -> Result<(String, i64), AppError> {
        if caller.api_token.is_some() {
            // A token is issued from a signed-in browser session (or a password log-in), never
            // by another token: a leaked token must not be able to outlive its own revocation.
            return Err(AppError::refused(
                "TOKEN_FROM_TOKEN",
                "API 令牌不能再签发令牌，请登录后在“我的账号”页面签发",
            ));
        }
        if !caller.entity_id.is_empty() {
            // A suspended or barred entity mints no new credentials.
            self.require_may_trade(caller).await?;
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(AppError::TokenName);
        }
        if !(1..=366).contains(&valid_days) {
            return Err(AppError::TokenValidity);
        }
        let token = format!("ggzy_{}", random_token());
        let now = self.now_ms();
        let expires_at_ms = now + i64::from(valid_days) * 24 * 3600 * 1000;
        self.store
            .insert_token(&TokenRow {
                id: token_id(&token),
                username: caller.username.clone(),
                name: name.to_string(),
                created_at_ms: now,
                expires_at_ms,
                revoked: false,
            })
            .await?;
        Ok((token, expires_at_ms))
    }
}

/// API-token callers resolved in the last second: a machine client's burst (a bidder's last
/// minute in an auction) does not read its token and account again for every request. An entry
/// lives at most one second and never past the token's expiry, so a change to the account or
/// the token takes effect within a second.
#[derive(Default)]
pub(crate) struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Caller, i64)>>,
}

impl TokenCache {
    const TTL_MS: i64 = 1_000;
    const MAX: usize = 100_000;

    fn get(&self, id: &str, now_ms: i64) -> Option<Caller> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(id)
            .filter(|(_, until)| now_ms < *until)
            .map(|(caller, _)| caller.clone())
    }

    fn forget(&self, id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(id);
    }

    fn put(&self, id: String, caller: Caller, now_ms: i64, expires_at_ms: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::MAX {
            entries.clear();
        }
        entries.insert(id, (caller, (now_ms + Self::TTL_MS).min(expires_at_ms)));
    }
}

const LOGIN_USER_WINDOW_MS: i64 = 15 * 60_000;
const LOGIN_USER_MAX: usize = 5;
const LOGIN_CLIENT_WINDOW_MS: i64 = 10 * 60_000;
const LOGIN_CLIENT_MAX: usize = 20;
const REGISTER_CLIENT_WINDOW_MS: i64 = 60 * 60_000;

/// Sliding-window counters of failed log-ins and registrations, per user name and per client
/// address, in memory on this node (a restart forgets them; several nodes each count their own).
#[derive(Default)]
pub(crate) struct Throttle {
    entries: std::sync::Mutex<std::collections::HashMap<String, std::collections::VecDeque<i64>>>,
}

impl Throttle {
    const MAX_KEYS: usize = 100_000;

    fn check(&self, key: &str, now_ms: i64, window_ms: i64, max: usize) -> Result<(), AppError> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = entries.get_mut(key) else {
            return Ok(());
        };
        while times.front().is_some_and(|t| *t <= now_ms - window_ms) {
            times.pop_front();
        }
        if times.len() < max {
            return Ok(());
        }
        let oldest = times.front().copied().unwrap_or(now_ms);
        let wait_min = ((oldest + window_ms - now_ms).max(0) + 59_999) / 60_000;
        Err(AppError::refused(
            "TOO_MANY_ATTEMPTS",
            format!("尝试过于频繁，请 {} 分钟后再试", wait_min.max(1)),
        ))
    }

    fn record(&self, key: &str, now_ms: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::MAX_KEYS {
            // Under a flood of distinct keys keep memory bounded: forget the quiet ones.
            entries.retain(|_, times| times.back().is_some_and(|t| now_ms - t < 3_600_000));
        }
        entries
            .entry(key.to_string())
            .or_default()
            .push_back(now_ms);
    }

    fn clear(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }
}
