//! Reading documents in the background: the workers that take extraction jobs from the
//! store's durable queue, fetch the bytes (a local file, or a Dropbox download), skip bytes
//! already extracted (by SHA-256), extract them (e-invoice, text or OCR; a model when one is
//! configured) and record the result. Downloads overlap; extraction, which is CPU-bound, is
//! limited to the cores, and none of it runs on the UI thread. A document that cannot be
//! read records why and the queue goes on; a fetch that fails for a passing reason is tried
//! again later.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use boxkeeper_extract::document::{self, DocumentExtraction, Format, Options};
use boxkeeper_extract::merge::merge;
use boxkeeper_naming::{PathKind, PathRules};
use boxkeeper_store::{
    now_ms, ExtractJob, ExtractedField, ExtractedLine, NewExtraction, SourceKind, Store,
};
use sha2::{Digest, Sha256};

use crate::dto::{DocumentDetail, DocumentPage, DocumentQuery};
use crate::workspace::lock;
use crate::{ApiError, Result, Workspace};

/// How many tries a job gets when it fails for a passing reason (network, Dropbox busy).
const MAX_ATTEMPTS: i64 = 5;

/// The running workers and how to wake or stop them.
#[derive(Default)]
pub(crate) struct ExtractionRuntime {
    signal: Arc<Signal>,
    running: bool,
}

#[derive(Default)]
struct Signal {
    /// Set by whoever queued work or wants the workers gone; cleared by a worker that wakes.
    woken: Mutex<bool>,
    wake: Condvar,
    stop: AtomicBool,
    /// Extraction slots left (starts at the number of cores).
    cpu: Mutex<usize>,
    cpu_free: Condvar,
}

impl Signal {
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

    fn cpu_slot(&self) -> CpuSlot<'_> {
        let mut free = lock(&self.cpu);
        while *free == 0 {
            free = self.cpu_free.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        CpuSlot(self)
    }
}

/// One core's worth of extraction, given back on drop.
struct CpuSlot<'a>(&'a Signal);

impl Drop for CpuSlot<'_> {
    fn drop(&mut self) {
        *lock(&self.0.cpu) += 1;
        self.0.cpu_free.notify_one();
    }
}

/// Why a job did not finish.
pub(crate) enum JobFailure {
    /// The document itself cannot be read (broken, unsupported): trying again will not help.
    Document(String),
    /// Something passing (network, Dropbox busy, not connected yet): try again later.
    Passing(String),
}

impl JobFailure {
    pub(crate) fn into_message(self) -> String {
        match self {
            JobFailure::Document(m) | JobFailure::Passing(m) => m,
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

impl Workspace {
    /// Starts the extraction workers (once): jobs left running by a previous process are
    /// queued again, the documents of the current source are brought up to date with its
    /// tree, then the queue is worked until the workspace is dropped or
    /// [`Workspace::stop_extraction`].
    pub fn start_extraction(&self) -> Result<()> {
        let signal = {
            let mut rt = lock(&self.inner.extraction);
            if rt.running {
                return Ok(());
            }
            rt.running = true;
            rt.signal.stop.store(false, Ordering::Relaxed);
            *lock(&rt.signal.cpu) = cores();
            rt.signal.clone()
        };
        {
            let store = lock(&self.inner.reader);
            let requeued = store.requeue_interrupted_jobs(now_ms())?;
            if requeued > 0 {
                tracing::info!(
                    requeued,
                    "extraction jobs interrupted last time queued again"
                );
            }
        }
        // A missing PDF engine is said once, where the user looks, not only per document.
        if let Err(e) = boxkeeper_extract::pdf::PdfEngine::get() {
            tracing::error!(error = %e, "PDF documents cannot be read");
            self.set_status(|s| s.last_error = Some(format!("PDF documents cannot be read: {e}")));
        }
        self.discover_all()?;
        // Downloads wait on the network, extraction on the CPU: twice as many workers as
        // cores, with extraction itself held to the cores by the slots.
        for i in 0..cores() * 2 {
            let this = self.clone();
            let signal = signal.clone();
            std::thread::Builder::new()
                .name(format!("extract-{i}"))
                .spawn(move || this.work_queue(&signal))
                .map_err(|source| ApiError::Io {
                    what: "cannot start a thread for",
                    path: "document extraction".into(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Stops the workers after the documents they are on.
    pub fn stop_extraction(&self) {
        let mut rt = lock(&self.inner.extraction);
        rt.signal.stop.store(true, Ordering::Relaxed);
        rt.signal.notify();
        rt.running = false;
        rt.signal = Arc::new(Signal::default());
    }

    /// Works the queue on this thread until no job is due (`boxkeeper documents --run`, tests).
    /// Returns how many jobs ran.
    pub fn run_queue_until_empty(&self) -> Result<usize> {
        lock(&self.inner.reader).requeue_interrupted_jobs(now_ms())?;
        self.discover_all()?;
        let signal = Signal::default();
        *lock(&signal.cpu) = 1;
        let mut store = Store::open(&self.inner.paths.db)?;
        let mut n = 0;
        while let Some(job) = store.claim_extract_job(now_ms())? {
            self.run_job(&mut store, &signal, &job)?;
            n += 1;
        }
        Ok(n)
    }

    /// Something was queued: wake the workers.
    pub(crate) fn documents_queued(&self) {
        lock(&self.inner.extraction).signal.notify();
        self.documents_changed();
    }

    fn discover_all(&self) -> Result<()> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(());
        };
        let rules = self.rules();
        let mut store = lock(&self.inner.reader);
        // Documents parsed with other rules (or before paths were parsed) are parsed again.
        store.reparse_documents(&rules, &rules.fingerprint())?;
        let queued = store.discover_documents(source, None, &rules, now_ms())?;
        drop(store);
        if queued > 0 {
            tracing::info!(queued, "documents queued for extraction");
            self.documents_changed();
        }
        Ok(())
    }

    fn work_queue(&self, signal: &Signal) {
        let mut store = match Store::open(&self.inner.paths.db) {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(error = %e, "extraction worker cannot open the database");
                return;
            }
        };
        while !signal.stop.load(Ordering::Relaxed) {
            match store.claim_extract_job(now_ms()) {
                Ok(Some(job)) => {
                    if let Err(e) = self.run_job(&mut store, signal, &job) {
                        tracing::error!(error = %e, document = job.document_id, "job not recorded");
                        signal.wait(Duration::from_secs(5));
                    }
                }
                Ok(None) => {
                    let due = store.next_job_due().ok().flatten();
                    let wait = due.map_or(Duration::from_secs(60), |at| {
                        Duration::from_millis((at - now_ms()).clamp(10, 60_000) as u64)
                    });
                    signal.wait(wait);
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot take a job from the queue");
                    signal.wait(Duration::from_secs(5));
                }
            }
        }
    }

    /// One job, start to finish. Errors returned are the store's; the document's own
    /// problems are recorded on it.
    fn run_job(&self, store: &mut Store, signal: &Signal, job: &ExtractJob) -> Result<()> {
        let _span =
            tracing::info_span!("extract_job", document = job.document_id, path = %job.path)
                .entered();
        self.documents_changed();
        let outcome = match boxkeeper_polog::is_po_log_name(&job.path) {
            Some(log) => self.read_po_log(store, job, &log.project, &log.exported_at.to_string()),
            None => self.extract_job(store, signal, job),
        };
        let now = now_ms();
        let recorded = match outcome {
            Ok(result) => {
                tracing::info!(by = %result.extracted_by, fields = result.fields.len(), "extracted");
                store.record_extraction(job, &result, now)
            }
            Err(JobFailure::Document(why)) => {
                tracing::warn!(error = %why, "document not read");
                store.fail_extraction(job, &why, false, MAX_ATTEMPTS, now)
            }
            Err(JobFailure::Passing(why)) => {
                tracing::warn!(error = %why, attempt = job.attempts + 1, "will try again");
                store.fail_extraction(job, &why, true, MAX_ATTEMPTS, now)
            }
        };
        if let Err(e) = &recorded {
            // The result could not be stored (disk full, database busy too long): the job
            // goes back to the queue rather than staying "extracting" until a restart.
            let why = format!("the result could not be stored: {e}");
            if let Err(again) = store.fail_extraction(job, &why, true, MAX_ATTEMPTS, now) {
                tracing::error!(error = %again, "the job stays claimed until the next start");
            }
        }
        self.documents_changed();
        Ok(recorded?)
    }

    /// A PO log in the tree: kept for reconciliation; its malformed rows are the document's
    /// problems (each with its line), the rest is used.
    fn read_po_log(
        &self,
        store: &mut Store,
        job: &ExtractJob,
        project: &str,
        exported_at: &str,
    ) -> Result<NewExtraction, JobFailure> {
        let _ = store.set_progress(job.document_id, "fetching");
        let bytes = self.fetch(job)?;
        let name = job.path.rsplit('/').next().unwrap_or(&job.path);
        let log = boxkeeper_polog::parse_bytes(name, &bytes);
        let text = boxkeeper_polog::decode(&bytes);
        store
            .save_po_log(
                &boxkeeper_store::NewPoLog {
                    source: None,
                    document: Some(job.document_id),
                    path: &job.path,
                    project,
                    exported_at,
                    text: &text,
                },
                now_ms(),
            )
            .map_err(|e| JobFailure::Passing(format!("the PO log could not be kept: {e}")))?;
        tracing::info!(
            rows = log.rows.len(),
            problems = log.problems.len(),
            "PO log read"
        );
        Ok(NewExtraction {
            content_hash: hex(&Sha256::digest(&bytes)),
            document_type: Some("po_log".into()),
            extracted_by: "po log".into(),
            problems: crate::reconcile::problems(&log),
            ..Default::default()
        })
    }

    fn extract_job(
        &self,
        store: &Store,
        signal: &Signal,
        job: &ExtractJob,
    ) -> Result<NewExtraction, JobFailure> {
        let rules = self.rules();
        let parsed = rules.parse(&job.path, PathKind::File);
        if is_tax_form(parsed.document_type.map(|t| t.as_str())) {
            // Tax forms count by their presence (domain.md): nothing to read.
            return Ok(NewExtraction {
                content_hash: String::new(),
                document_type: Some("tax_form".into()),
                extracted_by: "file name".into(),
                fields: from_file_name(&rules, &job.path, &[]),
                ..Default::default()
            });
        }
        let format = Format::of_name(&job.path).map_err(|e| JobFailure::Document(e.to_string()))?;
        let _ = store.set_progress(job.document_id, "fetching");
        let bytes = self.fetch(job)?;
        let hash = hex(&Sha256::digest(&bytes));
        if !job.force {
            let twin = store
                .extracted_twin(&hash, job.document_id)
                .map_err(|e| JobFailure::Passing(e.to_string()))?;
            if let Some(twin) = twin {
                if let Ok(Some(mut copy)) = store.extraction_of(twin) {
                    tracing::info!(twin, "same bytes extracted before: not extracted again");
                    copy.content_hash = hash;
                    // What the twin's name said is the twin's: read this one's name.
                    copy.fields.retain(|f| f.provenance != "file name");
                    let named = from_file_name(&rules, &job.path, &copy.fields);
                    copy.fields.extend(named);
                    return Ok(copy);
                }
            }
        }
        let _ = store.set_progress(job.document_id, "waiting for a core");
        let slot = signal.cpu_slot();
        let _ = store.set_progress(job.document_id, "reading");
        self.documents_changed();
        let opts = Options {
            ocr_lang: "eng+deu+fra".into(),
            locale: Some(system_locale()),
            ..Options::default()
        };
        let progress = |what: &str| {
            let _ = store.set_progress(job.document_id, what);
            self.documents_changed();
        };
        let read = document::extract_document_with_progress(&bytes, format, &opts, &progress)
            .map_err(|e| JobFailure::Document(e.to_string()))?;
        drop(slot);
        let mut record = to_record(&rules, &job.path, hash, read.clone());
        if read.source != "e-invoice" && !read.text.trim().is_empty() {
            self.ask_model(store, job, &read, &rules, &mut record);
        }
        Ok(record)
    }

    /// When an LLM is configured: it reads the same text, and per field the better-supported
    /// value wins (`merge`); its lines come with dates and account codes. A model that fails
    /// costs nothing already read: the offline result stays, with the reason as a problem.
    fn ask_model(
        &self,
        store: &Store,
        job: &ExtractJob,
        read: &DocumentExtraction,
        rules: &PathRules,
        record: &mut NewExtraction,
    ) {
        let extractor = match self.llm_extractor() {
            Ok(Some(extractor)) => extractor,
            Ok(None) => return,
            Err(e) => {
                record.problems.push(format!("the LLM was not asked: {e}"));
                return;
            }
        };
        let _ = store.set_progress(job.document_id, "asking the model");
        self.documents_changed();
        let name = job.path.rsplit('/').next().unwrap_or(&job.path);
        match extractor.extract_blocking(&read.text, name) {
            Ok(answer) => {
                let merged = merge(&[read, &answer.document]);
                let hash = std::mem::take(&mut record.content_hash);
                let mut merged_record = to_record(rules, &job.path, hash, merged);
                merged_record.extracted_by = format!("{}+llm", read.source);
                if let Some(description) = answer.description.filter(|d| !d.trim().is_empty()) {
                    merged_record.fields.push(ExtractedField {
                        name: "description".into(),
                        value: description,
                        confidence: 0.7,
                        provenance: "llm".into(),
                        location: None,
                        bbox: None,
                    });
                }
                if !answer.line_items.is_empty() {
                    merged_record.lines = answer
                        .line_items
                        .into_iter()
                        .map(|l| ExtractedLine {
                            description: l.description,
                            quantity: l.quantity,
                            unit_price: l.unit_price,
                            amount: l.amount,
                            date: l.date,
                            account_code: l.account_code,
                            provenance: "llm".into(),
                        })
                        .collect();
                }
                merged_record.llm_tokens = Some(i64::from(answer.usage.total));
                *record = merged_record;
            }
            Err(e) => record
                .problems
                .push(format!("the LLM could not read this document: {e}")),
        }
    }

    pub(crate) fn fetch(&self, job: &ExtractJob) -> Result<Vec<u8>, JobFailure> {
        match job.source_kind {
            SourceKind::Folder => {
                let path =
                    PathBuf::from(&job.source_location).join(job.path.trim_start_matches('/'));
                std::fs::read(&path).map_err(|e| match e.kind() {
                    // Gone since it was listed: its deletion is on its way as an event.
                    std::io::ErrorKind::NotFound => {
                        JobFailure::Document(format!("the file is gone: {}", path.display()))
                    }
                    std::io::ErrorKind::PermissionDenied => JobFailure::Document(format!(
                        "Boxkeeper may not read {}: {e}",
                        path.display()
                    )),
                    _ => JobFailure::Passing(format!("cannot read {}: {e}", path.display())),
                })
            }
            SourceKind::Dropbox => {
                let client = lock(&self.inner.dropbox).downloads.clone();
                let Some(client) = client else {
                    return Err(JobFailure::Passing(
                        "Dropbox is not connected: the document is read once it is".into(),
                    ));
                };
                let target = if job.entry_id.starts_with("id:") {
                    job.entry_id.clone()
                } else {
                    job.path.clone()
                };
                client.download(&target).map_err(|e| match e {
                    // Refused for this file (not found, not a file): trying again will not help.
                    boxkeeper_dropbox::Failure::Rejected { .. } => {
                        JobFailure::Document(format!("Dropbox refused the download: {e}"))
                    }
                    other => JobFailure::Passing(format!("download from Dropbox: {other}")),
                })
            }
        }
    }

    /// Tells the window the documents changed (counts in the status; the list refetches).
    pub(crate) fn documents_changed(&self) {
        (self.inner.listener)(crate::Notice::DocumentsChanged);
        self.monday_documents_changed();
    }

    pub fn documents_page(
        &self,
        query: DocumentQuery,
        offset: u32,
        limit: u32,
    ) -> Result<DocumentPage> {
        let Some(source) = lock(&self.inner.status).source else {
            return Ok(DocumentPage::default());
        };
        let filter = query.filter();
        let store = lock(&self.inner.reader);
        Ok(DocumentPage {
            total: store.count_documents(source, &filter)? as u32,
            rows: store
                .documents(source, &filter, offset.into(), limit.min(1000).into())?
                .into_iter()
                .map(Into::into)
                .collect(),
        })
    }

    pub fn document(&self, id: i64) -> Result<Option<DocumentDetail>> {
        Ok(lock(&self.inner.reader).document(id)?.map(Into::into))
    }

    /// Every document of every source, oldest first (`boxkeeper documents`).
    pub fn all_documents(&self) -> Result<Vec<crate::dto::DocumentRow>> {
        Ok(lock(&self.inner.reader)
            .all_documents()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Extracts these documents again, even bytes extracted before. A person's values stay.
    pub fn reextract(&self, ids: &[i64]) -> Result<u32> {
        let n = lock(&self.inner.reader).queue_extraction(ids, true, now_ms())?;
        self.documents_queued();
        Ok(n as u32)
    }

    /// A person's value for a field: it wins over every extraction until reverted.
    pub fn correct_field(
        &self,
        id: i64,
        name: &str,
        value: &str,
    ) -> Result<Option<DocumentDetail>> {
        check_field_name(name)?;
        let value = crate::check_field_value(name, value)?;
        lock(&self.inner.reader).correct_field(id, name, Some(&value), now_ms())?;
        self.documents_changed();
        self.document(id)
    }

    pub fn revert_field(&self, id: i64, name: &str) -> Result<Option<DocumentDetail>> {
        check_field_name(name)?;
        lock(&self.inner.reader).revert_field(id, name, now_ms())?;
        self.documents_changed();
        self.document(id)
    }
}

/// The fields a document has, in the order the UI shows them.
pub const FIELD_NAMES: &[&str] = &[
    "vendor_name",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax",
    "total",
    "po_number",
    "description",
];

fn check_field_name(name: &str) -> Result<()> {
    if FIELD_NAMES.contains(&name) {
        Ok(())
    } else {
        Err(ApiError::Invalid(format!(
            "no field {name:?}: the fields are {}",
            FIELD_NAMES.join(", ")
        )))
    }
}

fn is_tax_form(document_type: Option<&str>) -> bool {
    document_type.is_some_and(|t| t.starts_with('W'))
}

/// A reader's answer as the store keeps it: provenance and location apart, and what the
/// file name says where the document did not say it.
fn to_record(
    rules: &PathRules,
    path: &str,
    hash: String,
    read: DocumentExtraction,
) -> NewExtraction {
    let mut fields: Vec<ExtractedField> = read
        .fields
        .into_iter()
        .map(|(name, v)| {
            let (provenance, location) = provenance_of(&v.source);
            ExtractedField {
                name,
                value: v.value,
                confidence: f64::from(v.confidence),
                provenance,
                location,
                bbox: v.bbox,
            }
        })
        .collect();
    let from_name = from_file_name(rules, path, &fields);
    fields.extend(from_name);
    let line_provenance = if read.source == "e-invoice" {
        "e-invoice"
    } else {
        "offline"
    };
    NewExtraction {
        content_hash: hash,
        document_type: read.document_type.or_else(|| {
            rules
                .parse(path, PathKind::File)
                .document_type
                .map(|t| t.as_str().to_lowercase())
        }),
        extracted_by: read.source,
        fields,
        lines: read
            .line_items
            .into_iter()
            .map(|l| ExtractedLine {
                description: l.description,
                quantity: l.quantity,
                unit_price: l.unit_price,
                amount: l.amount,
                date: None,
                account_code: None,
                provenance: line_provenance.into(),
            })
            .collect(),
        problems: read.problems,
        llm_tokens: None,
        text: Some(read.text),
    }
}

/// Who read a value, and where, from a reader's source: "e-invoice", "llm" and "file name"
/// name their provenance; "page 2" or "ocr page 1" is the offline extractor's location. A
/// merged value ("page 1 + llm": both readers agreed) is the offline reading's, at its page.
fn provenance_of(source: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = source.split(" + ").collect();
    if parts.contains(&"e-invoice") {
        return ("e-invoice".into(), None);
    }
    let page = parts
        .iter()
        .find(|p| p.contains("page"))
        .map(|p| p.to_string());
    match (page, parts.as_slice()) {
        (Some(page), _) => ("offline".into(), Some(page)),
        (None, [only]) if matches!(*only, "llm" | "file name") => (only.to_string(), None),
        (None, parts) if parts.contains(&"llm") => ("llm".into(), None),
        (None, _) => ("offline".into(), Some(source.to_string())),
    }
}

/// Vendor and PO from the file name, for what the document itself did not give.
fn from_file_name(rules: &PathRules, path: &str, found: &[ExtractedField]) -> Vec<ExtractedField> {
    let parsed = rules.parse(path, PathKind::File);
    let has = |name: &str| found.iter().any(|f| f.name == name);
    let mut out = Vec::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            if !has(name) {
                out.push(ExtractedField {
                    name: name.into(),
                    value,
                    confidence: 0.6,
                    provenance: "file name".into(),
                    location: None,
                    bbox: None,
                });
            }
        }
    };
    add("vendor_name", parsed.vendor_name.clone());
    add(
        "po_number",
        parsed
            .project_number
            .as_ref()
            .zip(parsed.po_number.as_ref())
            .map(|(p, po)| format!("{p}_{po}")),
    );
    out
}

/// The user's locale setting (LC_ALL, LC_TIME, LANG), for the documents whose own style
/// does not say whether 05/06/2018 is May or June: US English reads month first, the rest
/// of the world (and Boxkeeper's German and French documents) day first.
pub fn system_locale() -> boxkeeper_extract::Locale {
    let setting = ["LC_ALL", "LC_TIME", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    locale_named(&setting)
}

/// "en_US.UTF-8", "C" and "" are the US style; "de_DE", "en_GB", "fr_CA" are day first.
pub fn locale_named(setting: &str) -> boxkeeper_extract::Locale {
    let name = setting.split(['.', '@']).next().unwrap_or("");
    if name.is_empty() || name == "C" || name == "POSIX" || name.ends_with("_US") {
        boxkeeper_extract::Locale::Us
    } else {
        boxkeeper_extract::Locale::European
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::locale_named;
    use boxkeeper_extract::Locale;

    #[test]
    fn locale_settings_read_month_or_day_first() {
        for us in ["", "C", "POSIX", "en_US.UTF-8", "es_US"] {
            assert_eq!(locale_named(us), Locale::Us, "{us}");
        }
        for eu in ["de_DE.UTF-8", "en_GB.UTF-8", "fr_FR@euro", "fr_CA"] {
            assert_eq!(locale_named(eu), Locale::European, "{eu}");
        }
    }
}
