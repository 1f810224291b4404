//! Opening keys: the dealer-less key ceremony relayed by the platform (`sealed-bids.md` §3). The
//! platform checks who speaks for each seat and every holder's signature, computes the public key
//! from the published commitments, and never sees a share in the clear.

use domain::{Ceremony, CeremonyCommand, CeremonyStatus, DerivedKey, Role};
use serde::Deserialize;
use store::DocumentFilter;

use crate::tendering::holder::{
    ComplaintRequest, ConfirmRequest, DealRequest, JoinRequest, check_signature, confirm_message,
    deal_message,
};
use crate::witness::append::append;
use crate::witness::documents::{decide, project};
use crate::witness::replay::decode_state;
use crate::{App, AppError, Caller, Receipt};

/// A ceremony as the operator opens it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCeremony {
    /// e.g. `2026-11`: one opening key per epoch.
    pub id: String,
    pub threshold: u32,
    pub seats: Vec<NewSeat>,
}

/// A seat of a new ceremony.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSeat {
    pub index: u32,
    pub account: String,
    pub label: String,
}

impl App {
    async fn ceremony_command(
        &self,
        caller: &Caller,
        id: &str,
        command: CeremonyCommand,
    ) -> Result<Vec<Receipt>, AppError> {
        let now = self.now_ms();
        let stream = Ceremony::stream(id);
        let mut tx = self.store.begin().await?;
        let (decided, entries) =
            decide::<Option<Ceremony>>(&mut tx, &stream, command, &caller.username, now).await?;
        let receipts = append(&mut tx, &self.key, &self.settings.origin, now, entries).await?;
        if let Some(last) = receipts.last() {
            project(&mut tx, &stream, &decided.after, last.seq).await?;
        }
        tx.commit().await?;
        Ok(receipts)
    }

    /// The trading center opens a ceremony for an epoch's opening key.
    pub async fn open_ceremony(
        &self,
        caller: &Caller,
        input: NewCeremony,
    ) -> Result<Vec<Receipt>, AppError> {
        caller.require(Role::Operator)?;
        for seat in &input.seats {
            if self.store.account(&seat.account).await?.is_none() {
                return Err(domain::DomainError::AccountNotFound.into());
            }
            let label = seat.label.trim();
            if label.is_empty() || label.chars().count() > 50 {
                return Err(AppError::refused(
                    "SEAT_LABEL",
                    "持有人名称应为1到50个字符（如：交易中心、行政监督部门、公证机构）",
                ));
            }
        }
        let command = CeremonyCommand::Open {
            id: input.id.clone(),
            threshold: input.threshold,
            seats: input
                .seats
                .into_iter()
                .map(|s| (s.index, s.account, s.label.trim().to_string()))
                .collect(),
            by: caller.username.clone(),
        };
        self.ceremony_command(caller, &input.id, command).await
    }

    pub async fn join_ceremony(
        &self,
        caller: &Caller,
        id: &str,
        request: JoinRequest,
    ) -> Result<Vec<Receipt>, AppError> {
        crypto::PublicKey::from_hex(&request.public_key).map_err(|_| {
            AppError::refused("CEREMONY_MESSAGE_INVALID", "持有人公钥不是有效的SM2公钥")
        })?;
        let command = CeremonyCommand::Join {
            index: request.index,
            account: caller.username.clone(),
            public_key: request.public_key,
        };
        self.ceremony_command(caller, id, command).await
    }

    /// The key of seat `index`, which must be the caller's.
    fn seat_key(caller: &Caller, ceremony: &Ceremony, index: u32) -> Result<String, AppError> {
        match ceremony.seat(index) {
            Some(seat) if seat.account == caller.username => {
                seat.public_key.clone().ok_or_else(|| {
                    domain::DomainError::CeremonyStep {
                        status: ceremony.status.as_str().to_string(),
                    }
                    .into()
                })
            }
            _ => Err(domain::DomainError::NotKeyHolder.into()),
        }
    }

    pub async fn deal_ceremony(
        &self,
        caller: &Caller,
        id: &str,
        request: DealRequest,
    ) -> Result<Vec<Receipt>, AppError> {
        let ceremony = self.ceremony(id).await?;
        let key = Self::seat_key(caller, &ceremony, request.index)?;
        check_signature(&key, &deal_message(id, &request), &request.signature)?;
        let commitments: Vec<Vec<u8>> = request
            .commitments
            .iter()
            .map(|c| {
                hex::decode(c)
                    .map_err(|_| AppError::refused("CEREMONY_MESSAGE_INVALID", "承诺不是十六进制"))
            })
            .collect::<Result<_, _>>()?;
        crypto::ceremony_public_key(commitments.len(), &[(request.index, commitments)])
            .map_err(|_| AppError::refused("CEREMONY_MESSAGE_INVALID", "承诺不是曲线上的点"))?;
        let command = CeremonyCommand::Deal {
            index: request.index,
            account: caller.username.clone(),
            commitments: request.commitments,
            shares: request.shares,
        };
        self.ceremony_command(caller, id, command).await
    }

    pub async fn confirm_ceremony(
        &self,
        caller: &Caller,
        id: &str,
        request: ConfirmRequest,
    ) -> Result<Vec<Receipt>, AppError> {
        let ceremony = self.ceremony(id).await?;
        let key = Self::seat_key(caller, &ceremony, request.index)?;
        check_signature(
            &key,
            &confirm_message(id, request.index, &request.public_key),
            &request.signature,
        )?;
        let derived = derive_key(&ceremony)?;
        if derived.public_key != request.public_key {
            return Err(AppError::refused(
                "CEREMONY_MESSAGE_INVALID",
                "持有人算得的开标公钥与各方承诺不一致",
            ));
        }
        let command = CeremonyCommand::Confirm {
            index: request.index,
            account: caller.username.clone(),
            key: derived,
        };
        self.ceremony_command(caller, id, command).await
    }

    pub async fn complain_ceremony(
        &self,
        caller: &Caller,
        id: &str,
        request: ComplaintRequest,
    ) -> Result<Vec<Receipt>, AppError> {
        let command = CeremonyCommand::Complain {
            index: request.index,
            account: caller.username.clone(),
            against: request.against,
            reason: request.reason,
        };
        self.ceremony_command(caller, id, command).await
    }

    /// A ceremony (public: its transcript is in the public ledger).
    pub async fn ceremony(&self, id: &str) -> Result<Ceremony, AppError> {
        let row = self
            .store
            .document(&Ceremony::stream(id))
            .await?
            .ok_or(domain::DomainError::CeremonyNotFound)?;
        decode_state(&row.state)
    }

    /// Every ceremony, newest first.
    pub async fn ceremonies(&self) -> Result<Vec<Ceremony>, AppError> {
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "ceremony",
                    ..Default::default()
                },
                100,
                0,
            )
            .await?;
        page.items
            .iter()
            .map(|row| decode_state(&row.state))
            .collect()
    }

    /// The newest active ceremony: the opening key new lots are sealed to.
    pub async fn active_ceremony(&self) -> Result<Option<Ceremony>, AppError> {
        let page = self
            .store
            .documents(
                &DocumentFilter {
                    kind: "ceremony",
                    status: Some("active"),
                    ..Default::default()
                },
                1,
                0,
            )
            .await?;
        page.items
            .first()
            .map(|row| decode_state(&row.state))
            .transpose()
    }
}

/// The public key and verification keys the ceremony's commitments give.
pub(crate) fn derive_key(ceremony: &Ceremony) -> Result<DerivedKey, AppError> {
    let commitments = ceremony
        .seats
        .iter()
        .map(|seat| {
            let theirs = seat
                .commitments
                .as_ref()
                .ok_or_else(|| {
                    AppError::refused("CEREMONY_MESSAGE_INVALID", "有持有人尚未交换份额")
                })?
                .iter()
                .map(|c| hex::decode(c).map_err(|_| AppError::Internal("stored commitment".into())))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((seat.index, theirs))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let shared = crypto::ceremony_public_key(ceremony.threshold as usize, &commitments)?;
    Ok(DerivedKey {
        public_key: shared.public_key.to_hex(),
        verification_keys: shared
            .verification_keys
            .iter()
            .map(|(index, key)| (*index, hex::encode(key)))
            .collect(),
    })
}

/// The opening key a lot names, from an active ceremony.
pub(crate) fn opening_key(ceremony: &Ceremony) -> Option<domain::OpeningKey> {
    let CeremonyStatus::Active { key } = &ceremony.status else {
        return None;
    };
    Some(domain::OpeningKey {
        ceremony: ceremony.id.clone(),
        public_key: key.public_key.clone(),
        threshold: ceremony.threshold,
        holders: ceremony
            .seats
            .iter()
            .map(|seat| domain::OpeningHolder {
                index: seat.index,
                account: seat.account.clone(),
                label: seat.label.clone(),
                verification_key: key
                    .verification_keys
                    .iter()
                    .find(|(i, _)| *i == seat.index)
                    .map(|(_, k)| k.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    })
}
