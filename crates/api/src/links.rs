//! Dropbox share links in the background: one worker thread per workspace that queues a
//! link for each new document and PO folder of the followed Dropbox source (the store's
//! `queue_share_links`), takes them from the durable queue, asks Dropbox
//! (`create_shared_link_with_settings`, reusing a link that exists) through the feed's
//! client, and records the link or why there is none. A passing failure (network, Dropbox
//! busy, not connected) waits out the queue's backoff and is tried again; a rate limit puts
//! the link back for when Dropbox's Retry-After ends, without using one of its tries, and
//! the worker asks nothing more until then; a path Dropbox refuses fails with the reason at
//! once. Nothing here runs for a local folder, which has no share links.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use boxkeeper_dropbox::{Client, Failure};
use boxkeeper_store::{now_ms, Store};

use crate::dto::{PoFolderLinkRow, ShareLinkStatus};
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

/// How many tries a link gets when it fails for a passing reason.
const MAX_ATTEMPTS: i64 = 5;

/// The share-link worker of a workspace, and how to wake or stop it.
#[derive(Default)]
pub(crate) struct LinkRuntime {
    signal: Arc<LinkSignal>,
    running: bool,
}

impl LinkRuntime {
    /// Stops the worker after the link it is on.
    pub(crate) fn stop(&mut self) {
        self.signal.stop.store(true, Ordering::Relaxed);
        self.signal.notify();
        self.running = false;
        self.signal = Arc::new(LinkSignal::default());
    }
}

#[derive(Default)]
struct LinkSignal {
    woken: Mutex<bool>,
    wake: Condvar,
    stop: AtomicBool,
}

impl LinkSignal {
    fn notify(&self) {
        *lock(&self.woken) = true;
        self.wake.notify_all();
    }

    /// Sleeps until woken, stopped, or `timeout`.
    fn wait(&self, timeout: Duration) {
        let mut woken = lock(&self.woken);
        if !*woken && !self.stop.load(Ordering::Relaxed) {
            woken = self
                .wake
                .wait_timeout(woken, timeout)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        *woken = false;
    }
}

impl Workspace {
    /// Starts the share-link worker (once, until [`LinkRuntime::stop`]): links left being made
    /// by a previous process are queued again, then the queue is worked while Dropbox is
    /// connected.
    pub(crate) fn start_share_links(&self) -> Result<()> {
        let signal = {
            let mut dropbox = lock(&self.inner.dropbox);
            let rt = &mut dropbox.share_links;
            if rt.running {
                rt.signal.notify();
                return Ok(());
            }
            rt.running = true;
            rt.signal.clone()
        };
        lock(&self.inner.reader).requeue_interrupted_share_links(now_ms())?;
        let this = self.clone();
        std::thread::Builder::new()
            .name("share-links".into())
            .spawn(move || this.work_share_links(&signal))
            .map_err(|source| ApiError::Io {
                what: "cannot start a thread for",
                path: "share links".into(),
                source,
            })?;
        Ok(())
    }

    /// The tree may have new documents or PO folders: wake the share-link worker.
    pub(crate) fn share_links_queued(&self) {
        lock(&self.inner.dropbox).share_links.signal.notify();
    }

    /// Tries the failed share links of the followed source again, and those waiting out a
    /// backoff now. Returns how many failed ones were queued again.
    pub fn retry_share_links(&self) -> Result<u32> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(0);
        };
        let rules = self.rules();
        let n = lock(&self.inner.reader).retry_share_links(source, &rules, now_ms())?;
        self.share_links_queued();
        self.documents_changed();
        Ok(n as u32)
    }

    /// The PO folders of the followed source with their share links (or why there is none).
    pub fn po_folder_links(&self) -> Result<Vec<PoFolderLinkRow>> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(Vec::new());
        };
        Ok(lock(&self.inner.reader)
            .po_folder_links(source)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Share links made, pending and failed in the followed source (a status line).
    pub fn share_link_status(&self) -> Result<ShareLinkStatus> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(ShareLinkStatus::default());
        };
        Ok(lock(&self.inner.reader).share_link_counts(source)?.into())
    }

    fn work_share_links(&self, signal: &LinkSignal) {
        let mut store = match Store::open(&self.inner.paths.db) {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(error = %e, "the share-link worker cannot open the database");
                return;
            }
        };
        // Until when Dropbox asked us to slow down: a wake (a new document, a retry) before
        // then does not make the worker ask again.
        let mut quiet_until: Option<Instant> = None;
        while !signal.stop.load(Ordering::Relaxed) {
            if let Some(until) = quiet_until {
                let left = until.saturating_duration_since(Instant::now());
                if !left.is_zero() {
                    signal.wait(left);
                    continue;
                }
                quiet_until = None;
            }
            let wait = match self.share_links_round(&mut store) {
                Ok(RoundEnd::Idle(wait)) => wait,
                Ok(RoundEnd::RateLimited(wait)) => {
                    quiet_until = Some(Instant::now() + wait);
                    wait
                }
                Err(e) => {
                    tracing::error!(error = %e, "share links");
                    Duration::from_secs(5)
                }
            };
            signal.wait(wait);
        }
    }

    /// Queues what the tree gained, makes every due link, and says how long to sleep.
    fn share_links_round(&self, store: &mut Store) -> Result<RoundEnd> {
        // The feed sets its source just after starting this worker: look again soon.
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(RoundEnd::Idle(Duration::from_secs(1)));
        };
        let rules = self.rules();
        let queued = store.queue_share_links(source, &rules, now_ms())?;
        if queued > 0 {
            tracing::info!(queued, "share links queued");
        }
        // Not connected yet (or any more): the links wait; the feed wakes us when it starts.
        let Some(client) = lock(&self.inner.dropbox).downloads.clone() else {
            return Ok(RoundEnd::Idle(Duration::from_secs(60)));
        };
        while let Some(job) = store.claim_share_link_job(now_ms())? {
            let _span = tracing::info_span!("share_link", document = job.document_id).entered();
            let recorded = match make_link(&client, &job.entry_id, &job.path) {
                Ok(link) => store.record_share_link(&job, &link, now_ms()),
                Err(LinkFailure::Refused(why)) => {
                    tracing::warn!(error = %why, "no share link");
                    store.fail_share_link(&job, &why, false, MAX_ATTEMPTS, now_ms())
                }
                Err(LinkFailure::Passing(why)) => {
                    tracing::info!(error = %why, attempt = job.attempts + 1, "share link: will try again");
                    store.fail_share_link(&job, &why, true, MAX_ATTEMPTS, now_ms())
                }
                Err(LinkFailure::RateLimited { wait, why }) => {
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "share link: Dropbox asks to slow down"
                    );
                    let now = now_ms();
                    store.defer_share_link(&job, &why, now + millis(wait), now)?;
                    self.documents_changed();
                    return Ok(RoundEnd::RateLimited(wait));
                }
            };
            self.documents_changed();
            recorded?;
        }
        while let Some(job) = store.claim_po_link(now_ms())? {
            let _span = tracing::info_span!("po_folder_link", path = %job.path).entered();
            let recorded = match make_link(&client, &job.entry_id, &job.path) {
                Ok(link) => store.record_po_link(&job, &link, now_ms()),
                Err(LinkFailure::Refused(why)) => {
                    tracing::warn!(error = %why, "no share link for the PO folder");
                    store.fail_po_link(&job, &why, false, MAX_ATTEMPTS, now_ms())
                }
                Err(LinkFailure::Passing(why)) => {
                    tracing::info!(error = %why, attempt = job.attempts + 1, "PO folder link: will try again");
                    store.fail_po_link(&job, &why, true, MAX_ATTEMPTS, now_ms())
                }
                Err(LinkFailure::RateLimited { wait, why }) => {
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "PO folder link: Dropbox asks to slow down"
                    );
                    let now = now_ms();
                    store.defer_po_link(&job, &why, now + millis(wait), now)?;
                    self.documents_changed();
                    return Ok(RoundEnd::RateLimited(wait));
                }
            };
            self.documents_changed();
            recorded?;
        }
        let due = store.next_share_link_due()?;
        Ok(RoundEnd::Idle(due.map_or(Duration::from_secs(60), |at| {
            Duration::from_millis((at - now_ms()).clamp(10, 60_000) as u64)
        })))
    }
}

/// How a round of the share-link worker ended.
enum RoundEnd {
    /// Nothing more is due yet: sleep this long, or until woken.
    Idle(Duration),
    /// Dropbox asked to slow down: ask it nothing before this has passed, woken or not.
    RateLimited(Duration),
}

/// Why Dropbox made no link, as the queue treats it.
enum LinkFailure {
    /// Refused for this item (not found, not allowed): trying again will not help.
    Refused(String),
    /// Something passing (network, Dropbox busy, not connected): a try used, backoff.
    Passing(String),
    /// 429: nothing is wrong with the item; wait as long as Dropbox says, no try used.
    RateLimited { wait: Duration, why: String },
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

/// Asks Dropbox for the link of an item, by id when there is one (a moved item is found).
fn make_link(client: &Client, entry_id: &str, path: &str) -> Result<String, LinkFailure> {
    let target = if entry_id.starts_with("id:") {
        entry_id
    } else {
        path
    };
    client.create_shared_link(target).map_err(|e| match e {
        // Refused for this item (not found, not allowed): trying again will not help.
        Failure::Rejected { .. } => {
            LinkFailure::Refused(format!("Dropbox refused a share link: {e}"))
        }
        Failure::RateLimited(wait) => LinkFailure::RateLimited {
            wait,
            why: format!("share link from Dropbox: {e}"),
        },
        other => LinkFailure::Passing(format!("share link from Dropbox: {other}")),
    })
}
