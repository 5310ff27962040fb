//! Watching: a thread that scans once, then turns notify's events into batches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use boxkeeper_events::{Batch, EntryKind, RawState};
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::scan::{check_root, entry_at, relative, scan, walk, ScanStats};
use crate::{FolderError, NameFilter};

/// A batch is sent once events have been quiet this long...
const QUIET: Duration = Duration::from_millis(120);
/// ...or this long after its first event, whichever comes first.
const MAX_WAIT: Duration = Duration::from_millis(1000);
/// How often the thread looks at its stop flag while idle.
const IDLE_TICK: Duration = Duration::from_millis(200);

/// What the watcher tells its owner, in order.
#[derive(Debug)]
pub enum WatchUpdate {
    /// A full scan starts (at start, and after lost events or a directory rename).
    Scanning,
    /// Entries to ingest. A full scan's batch is complete and carries its stats.
    Batch {
        batch: Batch,
        stats: Option<ScanStats>,
    },
    /// Up to date; waiting for changes.
    Watching,
    /// Something went wrong; the watcher goes on (and retries a failed scan).
    Error(String),
}

/// A running watch of one folder. Dropping it stops the thread and waits for it.
pub struct FolderWatch {
    root: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

type NotifyResult = notify::Result<notify::Event>;

impl FolderWatch {
    /// Starts watching `root`: the watch is registered before the first scan, so nothing
    /// that changes during the scan is missed. `sink` runs on the watcher's thread.
    pub fn start(
        root: PathBuf,
        skip: NameFilter,
        sink: impl FnMut(WatchUpdate) + Send + 'static,
    ) -> Result<FolderWatch, FolderError> {
        check_root(&root)?;
        let (tx, rx) = mpsc::channel();
        let watcher = new_watcher(&root, tx.clone())?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let root = root.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("folder-watch".into())
                .spawn(move || {
                    let _span =
                        tracing::info_span!("folder_watch", root = %root.display()).entered();
                    Loop {
                        root,
                        skip,
                        watcher,
                        tx,
                        rx,
                        stop,
                    }
                    .run(sink)
                })
                .map_err(|source| FolderError::Io {
                    path: "watcher thread".into(),
                    source,
                })?
        };
        Ok(FolderWatch {
            root,
            stop,
            thread: Some(thread),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for FolderWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn new_watcher(root: &Path, tx: Sender<NotifyResult>) -> Result<RecommendedWatcher, FolderError> {
    let watch_err = |source| FolderError::Watch {
        path: root.display().to_string(),
        source,
    };
    let mut watcher = notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    })
    .map_err(watch_err)?;
    watcher
        .watch(root, RecursiveMode::Recursive)
        .map_err(watch_err)?;
    Ok(watcher)
}

struct Loop {
    root: PathBuf,
    skip: NameFilter,
    watcher: RecommendedWatcher,
    tx: Sender<NotifyResult>,
    rx: Receiver<NotifyResult>,
    stop: Arc<AtomicBool>,
}

impl Loop {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn run(mut self, mut sink: impl FnMut(WatchUpdate)) {
        let mut need_scan = true;
        while !self.stopped() {
            if need_scan {
                sink(WatchUpdate::Scanning);
                match scan(&self.root, &self.skip) {
                    Ok((batch, stats)) => {
                        tracing::info!(files = stats.files, folders = stats.folders, "scanned");
                        sink(WatchUpdate::Batch {
                            batch,
                            stats: Some(stats),
                        });
                        sink(WatchUpdate::Watching);
                        need_scan = false;
                    }
                    Err(e) => {
                        // The folder may be on a share that went away: say so, try again.
                        sink(WatchUpdate::Error(e.to_string()));
                        std::thread::sleep(Duration::from_secs(2));
                        continue;
                    }
                }
            }
            let first = match self.rx.recv_timeout(IDLE_TICK) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut pending = Pending::default();
            pending.add(&self.root, first);
            let deadline = Instant::now() + MAX_WAIT;
            while Instant::now() < deadline {
                match self.rx.recv_timeout(QUIET) {
                    Ok(ev) => pending.add(&self.root, ev),
                    Err(_) => break,
                }
            }
            if pending.rescan || pending.directory_renamed(&self.root) {
                tracing::info!(lost_events = pending.rescan, "re-watching and rescanning");
                match new_watcher(&self.root, self.tx.clone()) {
                    Ok(w) => self.watcher = w,
                    Err(e) => sink(WatchUpdate::Error(e.to_string())),
                }
                need_scan = true;
                continue;
            }
            let batch = pending.into_batch(&self.root, &self.skip);
            if !batch.entries.is_empty() {
                sink(WatchUpdate::Batch { batch, stats: None });
            }
        }
        let _ = self.watcher.unwatch(&self.root);
    }
}

/// Paths touched by a burst of notify events.
#[derive(Default)]
struct Pending {
    paths: BTreeSet<PathBuf>,
    /// Created or moved-in paths: if they are directories, their content is new to us too.
    arrived: BTreeSet<PathBuf>,
    /// Targets of renames: a directory among them means stale paths ahead.
    renamed_to: Vec<PathBuf>,
    rescan: bool,
}

impl Pending {
    fn add(&mut self, root: &Path, res: NotifyResult) {
        let ev = match res {
            Ok(ev) => ev,
            Err(e) => {
                tracing::warn!(error = %e, "watch error; rescanning");
                self.rescan = true;
                return;
            }
        };
        if ev.need_rescan() {
            self.rescan = true;
        }
        match ev.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return,
            EventKind::Create(_) => self.arrived.extend(ev.paths.iter().cloned()),
            EventKind::Modify(ModifyKind::Name(_)) => {
                self.arrived.extend(ev.paths.iter().cloned());
                self.renamed_to.extend(ev.paths.iter().cloned());
            }
            _ => {}
        }
        for p in ev.paths {
            if p == root {
                // The root itself changed (renamed, removed): only a rescan can tell.
                self.rescan = true;
            } else {
                self.paths.insert(p);
            }
        }
    }

    fn directory_renamed(&self, root: &Path) -> bool {
        self.renamed_to
            .iter()
            .any(|p| p.starts_with(root) && p.is_dir())
    }

    fn into_batch(self, root: &Path, skip: &NameFilter) -> Batch {
        let mut entries = Vec::new();
        let mut stats = ScanStats::default();
        for path in &self.paths {
            let Some(rel) = relative(root, path) else {
                continue;
            };
            if rel.split('/').any(|part| !part.is_empty() && skip(part)) {
                continue;
            }
            let entry = entry_at(root, &rel);
            let walk_it = matches!(
                entry.state,
                RawState::Present {
                    kind: EntryKind::Folder,
                    ..
                }
            ) && self.arrived.contains(path);
            entries.push(entry);
            if walk_it {
                walk(root, path, skip, &mut entries, &mut stats);
            }
        }
        Batch {
            entries,
            complete: false,
        }
    }
}
