//! Checks every context applies to free text and amounts: required, length, no control
//! characters, money within range.

use crate::DomainError;

pub fn text_field(field: &'static str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::Required { field });
    }
    optional_text(field, text, max)
}

pub(crate) fn optional_text(
    field: &'static str,
    text: &str,
    max: usize,
) -> Result<(), DomainError> {
    if text.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    if has_control_character(text) {
        return Err(DomainError::ControlCharacter { field });
    }
    Ok(())
}

/// Whether `text` holds a control character other than a line break or a tab (NUL, escape,
/// bell …): invisible on pages, refused by PostgreSQL (NUL), and a way to make two names look
/// the same.
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// The largest amount of money the platform takes anywhere: 10^15 fen, ten trillion yuan (the
/// auction price limit `MAX_PRICE_FEN` too). Larger figures are typing errors or attacks, and
/// near `i64::MAX` every sum would overflow.
pub const MAX_AMOUNT_FEN: i64 = 1_000_000_000_000_000;

/// Refuses an amount that is not in `1..=MAX_AMOUNT_FEN`.
pub fn amount_field(field: &'static str, fen: i64) -> Result<(), DomainError> {
    if (1..=MAX_AMOUNT_FEN).contains(&fen) {
        Ok(())
    } else {
        Err(DomainError::AmountRange { field })
    }
}
