//! The change feed: list once, then continue from the stored cursor; each page's events and
//! the cursor after it commit in one transaction, so a crash repeats nothing and loses
//! nothing. A reset cursor re-lists everything and reconciles it with what is stored.

use std::time::Duration;

use boxkeeper_naming::PathRules;
use boxkeeper_store::{now_ms, Store, StoreError};

use crate::client::Client;
use crate::{batch_of, Backoff, Entry, Failure};

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error(transparent)]
    Dropbox(#[from] Failure),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one sync did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pages: usize,
    pub entries: usize,
    pub events: usize,
    /// The cursor was reset by Dropbox and the folder listed again.
    pub relisted: bool,
}

/// How the feed waits: between retries of a failing call, and how many it makes.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            attempts: 8,
        }
    }
}

/// What the feed is doing, for a status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedProgress {
    /// A page of a full listing was stored: `entries` listed so far.
    Listing { entries: usize },
    /// A page of changes was stored.
    Changes { entries: usize, events: usize },
    /// Waiting before trying again: how long, and why.
    Waiting { seconds: u64, reason: String },
}

fn quiet(_: FeedProgress) {}

pub struct ChangeFeed<'a> {
    pub client: &'a Client,
    pub source: i64,
    /// The folder followed ("" is the root).
    pub path: String,
    pub rules: &'a PathRules,
    pub retry: RetryPolicy,
}

impl ChangeFeed<'_> {
    /// Runs `call`, waiting out rate limits and retrying unavailability with backoff.
    fn retrying<T>(
        &self,
        progress: &(dyn Fn(FeedProgress) + Sync),
        mut call: impl FnMut() -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut backoff = Backoff::new(self.retry.base, self.retry.cap, now_ms() as u64);
        loop {
            match call() {
                Err(Failure::RateLimited(wait)) if backoff.attempts() < self.retry.attempts => {
                    tracing::info!(wait_s = wait.as_secs(), "rate limited");
                    backoff.next_delay();
                    progress(FeedProgress::Waiting {
                        seconds: wait.as_secs(),
                        reason: "Dropbox asked to slow down".into(),
                    });
                    std::thread::sleep(wait);
                }
                Err(Failure::Unavailable(why)) if backoff.attempts() < self.retry.attempts => {
                    let wait = backoff.next_delay();
                    tracing::warn!(reason = %why, wait_ms = wait.as_millis() as u64, "retrying");
                    progress(FeedProgress::Waiting {
                        seconds: wait.as_secs_f64().ceil() as u64,
                        reason: why,
                    });
                    std::thread::sleep(wait);
                }
                other => return other,
            }
        }
    }

    /// Brings the store up to date: the first listing if there is no cursor, else every
    /// change since it. Each page commits with its cursor.
    pub fn sync(&self, store: &mut Store) -> Result<SyncReport, FeedError> {
        self.sync_with(store, &quiet)
    }

    /// [`ChangeFeed::sync`], telling `progress` about each page and each wait.
    pub fn sync_with(
        &self,
        store: &mut Store,
        progress: &(dyn Fn(FeedProgress) + Sync),
    ) -> Result<SyncReport, FeedError> {
        let mut report = SyncReport::default();
        let first = store.cursor(self.source)?;
        let listing = first.is_none();
        let mut page = match first {
            None => self.retrying(progress, || self.client.list_folder(&self.path))?,
            Some(cursor) => {
                match self.retrying(progress, || self.client.list_folder_continue(&cursor)) {
                    Err(Failure::CursorReset) => return self.relist(store, progress),
                    other => other?,
                }
            }
        };
        loop {
            // The next page is fetched while this one is stored: the cursor it continues from
            // is known, and if storing fails the fetched page is simply dropped (the stored
            // cursor did not move).
            let next_cursor = page.has_more.then(|| page.cursor.clone());
            let (ingested, next) = std::thread::scope(|s| {
                let fetch = next_cursor.as_deref().map(|cursor| {
                    s.spawn(move || {
                        self.retrying(progress, || self.client.list_folder_continue(cursor))
                    })
                });
                let ingested = store.ingest(
                    self.source,
                    &batch_of(&page.entries, false),
                    self.rules,
                    Some(&page.cursor),
                    now_ms(),
                );
                let next = fetch.map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Failure::Unavailable("the page fetch panicked".into()))
                    })
                });
                (ingested, next)
            });
            let ingested = ingested?;
            store.discover_documents(self.source, Some(&ingested.touched), self.rules, now_ms())?;
            report.pages += 1;
            report.entries += page.entries.len();
            report.events += ingested.events.len();
            progress(if listing {
                FeedProgress::Listing {
                    entries: report.entries,
                }
            } else {
                FeedProgress::Changes {
                    entries: page.entries.len(),
                    events: ingested.events.len(),
                }
            });
            page = match next {
                None => return Ok(report),
                Some(Err(Failure::CursorReset)) => return self.relist(store, progress),
                Some(other) => other?,
            };
        }
    }

    /// After a reset: list everything again and reconcile it with the stored tree in one
    /// complete batch — what is gone becomes deletions, nothing known is added twice.
    fn relist(
        &self,
        store: &mut Store,
        progress: &(dyn Fn(FeedProgress) + Sync),
    ) -> Result<SyncReport, FeedError> {
        tracing::info!("cursor reset: listing again");
        let mut entries: Vec<Entry> = Vec::new();
        let mut page = self.retrying(progress, || self.client.list_folder(&self.path))?;
        let mut pages = 1;
        while page.has_more {
            entries.append(&mut page.entries);
            progress(FeedProgress::Listing {
                entries: entries.len(),
            });
            let cursor = page.cursor.clone();
            page = self.retrying(progress, || self.client.list_folder_continue(&cursor))?;
            pages += 1;
        }
        entries.append(&mut page.entries);
        let ingested = store.ingest(
            self.source,
            &batch_of(&entries, true),
            self.rules,
            Some(&page.cursor),
            now_ms(),
        )?;
        store.discover_documents(self.source, Some(&ingested.touched), self.rules, now_ms())?;
        Ok(SyncReport {
            pages,
            entries: entries.len(),
            events: ingested.events.len(),
            relisted: true,
        })
    }

    /// Waits for changes after the stored cursor (honouring the server's backoff) and
    /// reports whether there are any.
    pub fn wait_for_changes(&self, store: &Store, timeout_s: u64) -> Result<bool, FeedError> {
        self.wait_for_changes_with(store, timeout_s, &quiet)
    }

    /// [`ChangeFeed::wait_for_changes`], telling `progress` about waits.
    pub fn wait_for_changes_with(
        &self,
        store: &Store,
        timeout_s: u64,
        progress: &(dyn Fn(FeedProgress) + Sync),
    ) -> Result<bool, FeedError> {
        let Some(cursor) = store.cursor(self.source)? else {
            return Ok(true);
        };
        let result = self.retrying(progress, || self.client.longpoll(&cursor, timeout_s))?;
        if let Some(backoff) = result.backoff {
            progress(FeedProgress::Waiting {
                seconds: backoff,
                reason: "Dropbox asked to wait before the next check".into(),
            });
            std::thread::sleep(Duration::from_secs(backoff));
        }
        Ok(result.changes)
    }
}
