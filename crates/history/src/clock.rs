//! The moving clock the history is written with: held at an instant the generator sets and
//! only ever moves forward, then released to the platform's own clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock the generator moves. While held, each read returns the held instant and moves it on
/// by one millisecond (so two acts never share an instant by accident); `set` and `advance`
/// never move it back. Released (the value 0), it reads the base clock.
#[derive(Clone)]
pub struct MovableClock {
    held: Arc<AtomicI64>,
    base: app::Clock,
}

impl std::fmt::Debug for MovableClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MovableClock({})", self.held.load(Ordering::SeqCst))
    }
}

impl MovableClock {
    /// A released clock over `base` (the system clock, or a test's fixed start).
    pub fn new(base: app::Clock) -> Self {
        Self {
            held: Arc::new(AtomicI64::new(0)),
            base,
        }
    }

    /// The clock to give the application.
    pub fn clock(&self) -> app::Clock {
        let held = self.held.clone();
        let base = self.base.clone();
        Arc::new(move || {
            let now = held.load(Ordering::SeqCst);
            if now == 0 {
                base()
            } else {
                // Moves on by one millisecond per read, unless released meanwhile.
                match held.compare_exchange(now, now + 1, Ordering::SeqCst, Ordering::SeqCst) {
                    Ok(_) => now,
                    Err(0) => base(),
                    Err(other) => other,
                }
            }
        })
    }

    /// The current instant (held or base), without moving it.
    pub fn now_ms(&self) -> i64 {
        match self.held.load(Ordering::SeqCst) {
            0 => (self.base)(),
            held => held,
        }
    }

    /// Holds the clock at `ms`; a held clock is left where it is if it is already later. The
    /// first hold may go back from the base clock: the caller holds it before anything is
    /// written (the history is written into an empty ledger).
    pub fn set(&self, ms: i64) {
        if self.held.load(Ordering::SeqCst) == 0 {
            self.held.store(ms.max(1), Ordering::SeqCst);
        } else {
            self.held.fetch_max(ms, Ordering::SeqCst);
        }
    }

    /// Moves the held clock on by `ms`.
    pub fn advance(&self, ms: i64) {
        self.set(self.now_ms() + ms.max(0));
    }

    /// Whether the clock is held.
    pub fn is_held(&self) -> bool {
        self.held.load(Ordering::SeqCst) != 0
    }

    /// Lets the clock run from the base clock again. The base must be later than the held
    /// instant, or the ledger's time would go backwards: refused (`false`) if it is not.
    pub fn release(&self) -> bool {
        let held = self.held.load(Ordering::SeqCst);
        if held != 0 && (self.base)() < held {
            return false;
        }
        self.held.store(0, Ordering::SeqCst);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_time_only_moves_forward_and_release_waits_for_the_base() {
        let clock = MovableClock::new(Arc::new(|| 1_000_000));
        let read = clock.clock();
        assert_eq!(read(), 1_000_000);
        clock.set(500);
        assert_eq!(read(), 500, "the first hold may go back from the base");
        assert_eq!(read(), 501);
        clock.set(100);
        assert_eq!(read(), 502, "set never moves back");
        clock.advance(1_000);
        assert_eq!(clock.now_ms(), 1_503);
        assert!(clock.release());
        assert_eq!(read(), 1_000_000);
        clock.set(2_000_000);
        assert!(
            !clock.release(),
            "the base is earlier than the held instant"
        );
        assert!(clock.is_held());
    }
}
