//! How the client waits: the [`RetryPolicy`] (how many tries, the backoff for server
//! trouble, the longest wait for a limit that it will sleep through) and [`Backoff`], capped
//! exponential delays with jitter so that clients recovering together do not retry in step.

use std::time::Duration;

/// How requests are retried. Limits (429, complexity) wait what monday says; server trouble
/// (5xx, timeouts, dropped connections) waits the backoff. Tests shorten everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub attempts: u32,
    /// The first backoff delay; each later one doubles, up to `cap`.
    pub base: Duration,
    pub cap: Duration,
    /// The longest wait for a limit the client sleeps through; a longer one (the daily
    /// limit's hour) is returned as the error for the caller to show.
    pub max_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 6,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
            // The minute limit and the complexity budget reset within a minute.
            max_limit_wait: Duration::from_secs(65),
        }
    }
}

/// Delays of base, 2 x base, 4 x base... capped, each a uniform pick between half the delay
/// and the delay ("equal jitter"). The jitter comes from a seed the caller gives (the clock),
/// which keeps it testable without a random-number dependency.
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
        // xorshift64: spreads retries; nothing secret depends on it.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let fraction = (self.seed % 1_000) as u32;
        let half = exp / 2;
        half + (exp - half) * fraction / 1_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(350), 42);
        let d: Vec<Duration> = (0..5).map(|_| b.next_delay()).collect();
        assert!(d[0] >= Duration::from_millis(50) && d[0] <= Duration::from_millis(100));
        assert!(d[1] >= Duration::from_millis(100) && d[1] <= Duration::from_millis(200));
        for later in &d[2..] {
            assert!(*later >= Duration::from_millis(175) && *later <= Duration::from_millis(350));
        }
        let mut other = Backoff::new(Duration::from_millis(100), Duration::from_millis(350), 7);
        let d2: Vec<Duration> = (0..5).map(|_| other.next_delay()).collect();
        assert_ne!(d, d2, "different seeds spread retries");
    }
}
