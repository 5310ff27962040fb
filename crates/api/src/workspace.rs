//! The workspace: one data folder, its database, the naming rules and the watched folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use boxkeeper_folder::{FolderWatch, NameFilter, ScanStats, WatchUpdate};
use boxkeeper_naming::{PathKind, PathRules};
use boxkeeper_store::{now_ms, SourceKind, Store, StoredEvent};

use crate::documents::ExtractionRuntime;
use crate::dropbox::DropboxRuntime;
use crate::dto::{
    AppStatus, DropboxStatus, EventFilter, EventPage, EventRow, Facets, FeedChange,
    ParsedPathOutput, SourceState,
};
use crate::monday::MondayRuntime;
use crate::{ApiError, DataPaths, Result};

/// The setting that remembers the folder chosen in the app.
const WATCHED_FOLDER: &str = "watched_folder";

/// What the workspace tells its shell, from whatever thread noticed it.
#[derive(Clone, Debug)]
pub enum Notice {
    /// Events were recorded (the rows, so a headless shell can log them).
    FeedChanged {
        change: FeedChange,
        rows: Vec<EventRow>,
    },
    StatusChanged(Box<AppStatus>),
    /// Documents were queued, started, finished or corrected: refetch what is shown.
    DocumentsChanged,
    /// The Monday.com sync's settings or a PO's sync state changed.
    MondayChanged,
}

type Listener = Arc<dyn Fn(Notice) + Send + Sync>;

#[derive(Clone)]
pub struct Workspace {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) paths: DataPaths,
    rules: RwLock<Arc<PathRules>>,
    pub(crate) status: Mutex<Status>,
    pub(crate) reader: Mutex<Store>,
    watch: Mutex<Option<FolderWatch>>,
    pub(crate) dropbox: Mutex<DropboxRuntime>,
    pub(crate) extraction: Mutex<ExtractionRuntime>,
    pub(crate) monday: Mutex<MondayRuntime>,
    pub(crate) listener: Listener,
}

pub(crate) struct Status {
    pub folder: Option<PathBuf>,
    pub source: Option<i64>,
    pub state: SourceState,
    pub rules_error: Option<String>,
    pub last_error: Option<String>,
    pub dropbox: DropboxStatus,
}

/// The setting that says what the app followed last: a folder or Dropbox.
const SOURCE_CHOICE: &str = "source";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceChoice {
    Folder,
    Dropbox,
}

/// What a one-off scan (`boxkeeper watch --once`) did.
#[derive(Debug)]
pub struct ScanReport {
    pub stats: ScanStats,
    pub events: Vec<EventRow>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the app down with poisoned locks.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Workspace {
    /// Opens (creating if needed) the data folder, the database and the rules file. A broken
    /// rules file is not fatal: the defaults apply and the status says what is wrong.
    pub fn open(
        paths: DataPaths,
        listener: impl Fn(Notice) + Send + Sync + 'static,
    ) -> Result<Workspace> {
        std::fs::create_dir_all(&paths.dir).map_err(|source| ApiError::Io {
            what: "cannot create the data folder",
            path: paths.dir.display().to_string(),
            source,
        })?;
        let store = Store::open(&paths.db)?;
        let (rules, rules_error) = match load_rules(&paths.rules) {
            Ok(rules) => (rules, None),
            Err(e) => {
                tracing::warn!(error = %e, "naming rules not loaded; using the defaults");
                (PathRules::defaults(), Some(e.to_string()))
            }
        };
        let ws = Workspace {
            inner: Arc::new(Inner {
                paths,
                rules: RwLock::new(Arc::new(rules)),
                status: Mutex::new(Status {
                    folder: None,
                    source: None,
                    state: SourceState::Idle,
                    rules_error,
                    last_error: None,
                    dropbox: DropboxStatus::placeholder(),
                }),
                reader: Mutex::new(store),
                watch: Mutex::new(None),
                dropbox: Mutex::new(DropboxRuntime::default()),
                extraction: Mutex::new(ExtractionRuntime::default()),
                monday: Mutex::new(MondayRuntime::default()),
                listener: Arc::new(listener),
            }),
        };
        let dropbox = ws.initial_dropbox_status();
        lock(&ws.inner.status).dropbox = dropbox;
        Ok(ws)
    }

    pub fn paths(&self) -> &DataPaths {
        &self.inner.paths
    }

    pub fn rules(&self) -> Arc<PathRules> {
        self.inner
            .rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn status(&self) -> Result<AppStatus> {
        let (source, mut status) = {
            let s = lock(&self.inner.status);
            (s.source, self.snapshot(&s))
        };
        if let Some(source) = source {
            let reader = lock(&self.inner.reader);
            status.total_events = reader.count_events(source, &Default::default())? as u32;
            status.documents = reader.document_counts(source)?.into();
        }
        Ok(status)
    }

    fn snapshot(&self, s: &Status) -> AppStatus {
        AppStatus {
            folder: s.folder.as_ref().map(|f| f.display().to_string()),
            state: s.state,
            rules_path: self.inner.paths.rules.display().to_string(),
            rules_error: s.rules_error.clone(),
            data_dir: self.inner.paths.dir.display().to_string(),
            last_error: s.last_error.clone(),
            total_events: 0,
            dropbox: s.dropbox.clone(),
            documents: Default::default(),
        }
    }

    pub(crate) fn set_status(&self, change: impl FnOnce(&mut Status)) {
        change(&mut lock(&self.inner.status));
        match self.status() {
            Ok(status) => (self.inner.listener)(Notice::StatusChanged(Box::new(status))),
            Err(e) => tracing::warn!(error = %e, "cannot read the status"),
        }
    }

    /// Whether the app followed Dropbox last time (else a folder).
    pub fn follows_dropbox(&self) -> Result<bool> {
        Ok(lock(&self.inner.reader).setting(SOURCE_CHOICE)?.as_deref() == Some("dropbox"))
    }

    pub(crate) fn remember_source(&self, choice: SourceChoice) -> Result<()> {
        let value = match choice {
            SourceChoice::Folder => "folder",
            SourceChoice::Dropbox => "dropbox",
        };
        lock(&self.inner.reader).set_setting(SOURCE_CHOICE, value)?;
        Ok(())
    }

    /// The folder chosen in the app last time, if any.
    pub fn remembered_folder(&self) -> Result<Option<PathBuf>> {
        Ok(lock(&self.inner.reader)
            .setting(WATCHED_FOLDER)?
            .map(PathBuf::from))
    }

    /// Starts watching `folder` (replacing any folder watched before): a full scan that
    /// reconciles with what is stored, then live changes. With `remember`, the app starts
    /// on this folder next time.
    pub fn watch_folder(&self, folder: &Path, remember: bool) -> Result<AppStatus> {
        let folder = canonical(folder)?;
        let source = lock(&self.inner.reader)
            .source_id(SourceKind::Folder, &folder.display().to_string())?;
        if remember {
            lock(&self.inner.reader).set_setting(WATCHED_FOLDER, &folder.display().to_string())?;
            self.remember_source(SourceChoice::Folder)?;
        }
        // Stop the old watch before the new one writes, so batches never interleave.
        drop(lock(&self.inner.watch).take());
        self.stop_dropbox();
        if lock(&self.inner.status).dropbox.connected {
            self.set_status(|s| s.dropbox.state = crate::dto::DropboxState::Idle);
        }
        let mut writer = Store::open(&self.inner.paths.db)?;
        let this = self.clone();
        let watch = FolderWatch::start(folder.clone(), self.name_filter(), move |update| {
            this.on_update(&mut writer, source, update)
        })?;
        *lock(&self.inner.watch) = Some(watch);
        self.set_status(|s| {
            s.folder = Some(folder.clone());
            s.source = Some(source);
            s.state = SourceState::Scanning;
            s.last_error = None;
        });
        tracing::info!(folder = %folder.display(), "watching");
        self.status()
    }

    /// Stops the running watch, if any.
    pub fn stop_watching(&self) {
        drop(lock(&self.inner.watch).take());
    }

    fn name_filter(&self) -> NameFilter {
        let this = self.clone();
        Arc::new(move |name: &str| this.rules().is_ignored(name))
    }

    /// Runs on the watcher's thread.
    fn on_update(&self, writer: &mut Store, source: i64, update: WatchUpdate) {
        match update {
            WatchUpdate::Scanning => self.set_status(|s| s.state = SourceState::Scanning),
            WatchUpdate::Watching => self.set_status(|s| s.state = SourceState::Watching),
            WatchUpdate::Error(message) => {
                tracing::warn!(error = %message, "folder source");
                self.set_status(|s| {
                    s.state = SourceState::Error;
                    s.last_error = Some(message);
                })
            }
            WatchUpdate::Batch { batch, .. } => {
                let rules = self.rules();
                let recorded = writer
                    .ingest(source, &batch, &rules, None, now_ms())
                    .and_then(|ingested| {
                        let queued = writer.discover_documents(
                            source,
                            Some(&ingested.touched),
                            &rules,
                            now_ms(),
                        )?;
                        Ok((ingested, queued))
                    });
                match recorded {
                    Ok((ingested, queued)) => {
                        if queued > 0 {
                            self.documents_queued();
                        }
                        if ingested.events.is_empty() {
                            return;
                        }
                        for e in &ingested.events {
                            tracing::info!(
                                kind = e.event.kind.as_str(),
                                path = %e.event.path,
                                old_path = e.event.old_path.as_deref(),
                                "event"
                            );
                        }
                        let total = writer
                            .count_events(source, &Default::default())
                            .unwrap_or(0);
                        let change = FeedChange {
                            appended: ingested.events.len() as u32,
                            total_events: total as u32,
                        };
                        let rows = ingested.events.into_iter().map(EventRow::from).collect();
                        (self.inner.listener)(Notice::FeedChanged { change, rows });
                        let had_error = lock(&self.inner.status).last_error.is_some();
                        if had_error {
                            self.set_status(|s| s.last_error = None);
                        }
                    }
                    Err(e) => {
                        // Nothing of the batch was stored (one transaction); the next full
                        // scan brings it back. Say so where the user looks.
                        tracing::error!(error = %e, "could not record changes");
                        self.set_status(|s| {
                            s.last_error = Some(format!("could not record changes: {e}"))
                        });
                    }
                }
            }
        }
    }

    /// Scans `folder` once, records what changed since the last time, and returns it.
    pub fn scan_once(&self, folder: &Path) -> Result<ScanReport> {
        let folder = canonical(folder)?;
        let mut store = lock(&self.inner.reader);
        let source = store.source_id(SourceKind::Folder, &folder.display().to_string())?;
        let rules = self.rules();
        let skip: NameFilter = {
            let rules = rules.clone();
            Arc::new(move |name: &str| rules.is_ignored(name))
        };
        let (batch, stats) = boxkeeper_folder::scan(&folder, &skip)?;
        let ingested = store.ingest(source, &batch, &rules, None, now_ms())?;
        store.discover_documents(source, Some(&ingested.touched), &rules, now_ms())?;
        Ok(ScanReport {
            stats,
            events: ingested.events.into_iter().map(EventRow::from).collect(),
        })
    }

    /// Loads the rules file again. On success the stored events are parsed again with the new
    /// rules; on failure the last good rules stay and the status carries the error.
    pub fn reload_rules(&self) -> Result<AppStatus> {
        match load_rules(&self.inner.paths.rules) {
            Ok(rules) => {
                let rules = Arc::new(rules);
                *self.inner.rules.write().unwrap_or_else(|e| e.into_inner()) = rules.clone();
                let source = lock(&self.inner.status).source;
                if let Some(source) = source {
                    let changed = lock(&self.inner.reader).reparse(source, &rules)?;
                    tracing::info!(changed, "events parsed again with the new rules");
                }
                let documents =
                    lock(&self.inner.reader).reparse_documents(&rules, &rules.fingerprint())?;
                if documents > 0 {
                    tracing::info!(documents, "documents parsed again with the new rules");
                    self.documents_changed();
                }
                self.set_status(|s| s.rules_error = None);
                let status = self.status()?;
                (self.inner.listener)(Notice::FeedChanged {
                    change: FeedChange {
                        appended: 0,
                        total_events: status.total_events,
                    },
                    rows: Vec::new(),
                });
                Ok(status)
            }
            Err(e) => {
                tracing::warn!(error = %e, "naming rules not reloaded; keeping the last good rules");
                self.set_status(|s| s.rules_error = Some(e.to_string()));
                self.status()
            }
        }
    }

    fn current_source(&self) -> Option<i64> {
        lock(&self.inner.status).source
    }

    pub fn events_page(&self, filter: EventFilter, offset: u32, limit: u32) -> Result<EventPage> {
        let Some(source) = self.current_source() else {
            return Ok(EventPage {
                total: 0,
                rows: Vec::new(),
            });
        };
        let filter = filter.into();
        let store = lock(&self.inner.reader);
        let total = store.count_events(source, &filter)?;
        let rows = store.events(source, &filter, offset.into(), limit.min(1000).into())?;
        Ok(EventPage {
            total: total as u32,
            rows: rows.into_iter().map(EventRow::from).collect(),
        })
    }

    pub fn facets(&self) -> Result<Facets> {
        let Some(source) = self.current_source() else {
            return Ok(Facets::default());
        };
        Ok(lock(&self.inner.reader).facets(source)?.into())
    }

    /// Every stored event of every source, oldest first (`boxkeeper events`).
    pub fn all_events(&self) -> Result<Vec<EventRow>> {
        let store = lock(&self.inner.reader);
        Ok(store
            .all_events(None)?
            .into_iter()
            .map(|e: StoredEvent| e.into())
            .collect())
    }

    /// Copies the bundled demo tree into the data folder (once) and returns where it is, so
    /// the demo can be played with without touching the installed files.
    pub fn install_demo(&self, bundled: &Path) -> Result<PathBuf> {
        let target = self.inner.paths.dir.join("demo");
        if !target.exists() {
            copy_tree(bundled, &target).map_err(|source| ApiError::Io {
                what: "cannot copy the demo folder to",
                path: target.display().to_string(),
                source,
            })?;
        }
        Ok(target)
    }
}

/// Parses paths with the given rules (`boxkeeper parse-path`). Without a kind, a last segment
/// with a file extension is a file.
pub fn parse_paths(
    rules: &PathRules,
    paths: &[String],
    kind: Option<PathKind>,
) -> Vec<ParsedPathOutput> {
    paths
        .iter()
        .map(|path| {
            let kind = kind.unwrap_or_else(|| PathKind::guess(path));
            let p = rules.parse(path, kind);
            ParsedPathOutput {
                path: path.clone(),
                kind,
                project_number: p.project_number,
                project_name: p.project_name,
                po_number: p.po_number,
                vendor_name: p.vendor_name,
                vendor_type: p.vendor_type,
                document_type: p.document_type,
                file_number: p.file_number,
                problems: p.problems,
            }
        })
        .collect()
}

/// Loads the rules file, writing the commented defaults first if there is none.
fn load_rules(path: &Path) -> Result<PathRules> {
    if !path.exists() {
        std::fs::write(path, boxkeeper_naming::DEFAULT_RULES_TOML).map_err(|source| {
            ApiError::Io {
                what: "cannot write the default naming rules to",
                path: path.display().to_string(),
                source,
            }
        })?;
    }
    PathRules::load(path).map_err(|source| ApiError::Rules {
        path: path.display().to_string(),
        source,
    })
}

fn canonical(folder: &Path) -> Result<PathBuf> {
    let folder = folder.canonicalize().map_err(|source| ApiError::Io {
        what: "cannot open the folder",
        path: folder.display().to_string(),
        source,
    })?;
    if !folder.is_dir() {
        return Err(boxkeeper_folder::FolderError::NotAFolder {
            path: folder.display().to_string(),
        }
        .into());
    }
    Ok(folder)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}
