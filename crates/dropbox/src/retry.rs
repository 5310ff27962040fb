//! Capped exponential backoff with jitter, for 5xx answers and dropped connections.

use std::time::Duration;

/// Delays of 1, 2, 4, ... seconds, capped, each with "full jitter" (a uniform pick between
/// half the delay and the delay), so that many clients recovering together do not retry in
/// step. The jitter source is a seed the caller gives (time or a counter), which keeps the
/// policy testable and this crate free of a random-number dependency.
#[derive(Clone, Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
            seed: seed | 1,
        }
    }

    /// The delay before the next retry.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32.checked_shl(self.attempt.min(30)).unwrap_or(u32::MAX))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        // xorshift64: enough to spread retries, not for anything secret.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let fraction = (self.seed % 1_000) as u32; // 0..999
        let half = exp / 2;
        half + (exp - half) * fraction / 1_000
    }

    /// After a success, start again from the base delay.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    pub fn attempts(&self) -> u32 {
        self.attempt
    }
}
